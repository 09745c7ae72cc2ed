//! The server's integration tests and benchmarks, in one test binary: one link
//! instead of fourteen keeps `make test` fast and target/ small.
//!
//! The benchmarks (`*_bench`) are `#[ignore]`d and run by `make bench`; the vote
//! fault test runs a short form here and a long form in `make bench`.

mod common;

mod access;
mod addresses;
mod aftercare;
mod ballots;
mod cli;
mod evidence;
mod fanout_bench;
mod instances;
mod limits;
mod minutes;
mod minutes_bench;
mod panel;
mod record_truth;
mod rpc_reference;
mod scheduling;
mod secrecy;
mod sessions;
mod sitting;
mod skeleton;
mod vote_bench;
mod vote_faults;
