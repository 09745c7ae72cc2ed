//! Pingyi (评议): the Leptos application, compiled twice — `ssr` for the server
//! and `hydrate` for the browser. `domain` is pure and shared by both.

pub mod api;
pub mod case_import;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod model;
pub mod pool_import;
pub mod protocol;

mod pages;

#[cfg(feature = "ssr")]
pub mod accounts;
#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod evidence;
#[cfg(feature = "ssr")]
pub mod live;
#[cfg(feature = "ssr")]
pub mod minutes;
#[cfg(feature = "ssr")]
pub mod panel;
#[cfg(feature = "ssr")]
pub mod pool_admin;
#[cfg(feature = "ssr")]
pub mod scheduling;
#[cfg(feature = "ssr")]
pub mod sitting;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod stats_export;
#[cfg(feature = "ssr")]
pub mod tokens;

#[cfg(feature = "hydrate")]
mod live_client;

pub use pages::{App, shell};
