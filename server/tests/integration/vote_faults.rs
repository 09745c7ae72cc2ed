//! Fault test (#8): panel members cast and change votes with idempotency keys
//! while the real `pingyi` binary is killed with SIGKILL at random moments and
//! restarted. A checker then proves, from the database:
//! - every acknowledged vote is in the log exactly once, with its choice and seq;
//! - no vote exists that was never sent;
//! - each member's counted choice is their last acknowledged vote;
//! - the event log has no gap and its hash chain holds.
//!
//! `make test` runs 20 kill cycles with 25 members; `make bench` runs 200
//! (PINGYI_FAULT_CYCLES=200).
#![allow(clippy::unwrap_used)]

use crate::common::{Member, Pingyi, TestServer};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Members voting at once: each may give 20 votes on the ballot (the bound of
/// #21), so more members keep the votes coming through more kill cycles.
const JURORS: usize = 25;

#[derive(Clone, Debug)]
struct Ack {
    juror: String,
    key: String,
    option: usize,
    seq: u64,
}

/// What the members' side saw: every key sent, every acknowledgement.
#[derive(Default)]
struct Ledger {
    sent: HashSet<String>,
    acks: Vec<Ack>,
    /// Requests cut off by a kill (sent again with the same key).
    retries: usize,
    /// Retries the server answered as already counted: committed before the kill.
    answered_again: usize,
}

/// One member: vote, wait for the acknowledgement (retrying the same key through
/// any number of crashes), vote again a moment later, until told to stop or
/// until the ballot's bound (`domain::ballot::MAX_VOTES_PER_MEMBER`) refuses more: that
/// refusal is the designed answer, and the vote it refused is not acknowledged.
async fn member_votes(
    member: Member,
    hearing: String,
    ballot: String,
    ledger: Arc<Mutex<Ledger>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    seed: u64,
) {
    let mut n = seed;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        n = n
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let option = usize::try_from((n >> 33) % 3).unwrap();
        let key = uuid::Uuid::new_v4().to_string();
        ledger.lock().unwrap().sent.insert(key.clone());
        let form = [
            ("hearing_id", hearing.as_str()),
            ("ballot_id", ballot.as_str()),
            ("option", &option.to_string()),
            ("key", key.as_str()),
        ];
        loop {
            let sent = member
                .client
                .http
                .post(format!("{}/rpc/cast_vote", member.client.base))
                .form(&form)
                .timeout(Duration::from_secs(10))
                .send()
                .await;
            let Ok(res) = sent else {
                // Down or killed mid-request: the same key again, later.
                ledger.lock().unwrap().retries += 1;
                tokio::time::sleep(Duration::from_millis(25)).await;
                continue;
            };
            let status = res.status().as_u16();
            let Ok(body) = res.json::<Value>().await else {
                ledger.lock().unwrap().retries += 1;
                tokio::time::sleep(Duration::from_millis(25)).await;
                continue;
            };
            if status == 409 && body["refusal"]["refusal"] == json!("too_many_changes") {
                return;
            }
            assert_eq!(status, 200, "vote refused: {body}");
            assert_eq!(body["option"], json!(option));
            let mut ledger = ledger.lock().unwrap();
            if body["already_counted"] == json!(true) {
                ledger.answered_again += 1;
            }
            ledger.acks.push(Ack {
                juror: member.account_id.clone(),
                key: key.clone(),
                option,
                seq: body["seq"].as_u64().unwrap(),
            });
            break;
        }
        // Paced like people changing their minds, so that the bounded number of
        // changes spreads over the kill cycles instead of being spent at once.
        tokio::time::sleep(Duration::from_millis(150 + (n >> 40) % 250)).await;
    }
}

fn cycles() -> usize {
    std::env::var("PINGYI_FAULT_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_votes_survive_sigkill_exactly_once() {
    // Prepare the hearing on an in-process server: panel, stage, quorum, ballot.
    let mut server = TestServer::start().await;
    let hearing = server.todays_hearing().await;
    let host = server.client("host").await;
    let members = server.seat_members(&hearing, JURORS).await;
    let step = |s: Value| json!({"hearing_id": hearing, "step": s});
    assert_eq!(
        TestServer::json_rpc(&host, "step_procedure", step(json!({"step": "start"})))
            .await
            .0,
        200
    );
    for _ in 0..7 {
        assert_eq!(
            TestServer::json_rpc(&host, "step_procedure", step(json!({"step": "advance"})))
                .await
                .0,
            200
        );
    }
    for m in &members {
        assert_eq!(
            m.client
                .rpc("check_in", &[("hearing_id", &hearing)])
                .await
                .status(),
            200
        );
    }
    let form = json!({"ballot_id": "", "question": "信访人诉求是否合理", "options": ["支持", "部分支持", "不支持"], "rule": "simple", "mode": "secret", "live_tally": false});
    let (status, body) = TestServer::json_rpc(
        &host,
        "draft_ballot",
        json!({"hearing_id": hearing, "form": form}),
    )
    .await;
    assert_eq!(status, 200);
    let ballot = body.as_str().unwrap().to_owned();
    assert_eq!(
        host.rpc(
            "open_ballot",
            &[("hearing_id", &hearing), ("ballot_id", &ballot)]
        )
        .await
        .status(),
        200
    );

    // Hand the database and the address over to the real binary.
    let addr = server.base.trim_start_matches("http://").to_owned();
    server.stop().await;
    let mut pingyi = Pingyi {
        addr,
        database_url: server.database_url.clone(),
        data_dir: server.data_dir().to_path_buf(),
        child: None,
    };
    let probe = reqwest::Client::new();
    pingyi.start();
    pingyi.wait_ready(&probe).await;

    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut voters = Vec::new();
    let mut juror_ids = Vec::new();
    for (i, member) in members.into_iter().enumerate() {
        juror_ids.push(member.account_id.clone());
        voters.push(tokio::spawn(member_votes(
            member,
            hearing.clone(),
            ballot.clone(),
            ledger.clone(),
            stop.clone(),
            i as u64 + 1,
        )));
    }

    // Kill at random moments: sometimes mid-commit, sometimes between requests.
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    for _ in 0..cycles() {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        tokio::time::sleep(Duration::from_millis(20 + rng % 180)).await;
        pingyi.kill();
        pingyi.start();
        pingyi.wait_ready(&probe).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for voter in voters {
        voter.await.unwrap();
    }
    pingyi.kill();

    // The checker reads what the database holds (the in-process server closed
    // its pool when it stopped).
    let db = app::db::Db::connect(&server.database_url).await.unwrap();
    let events = app::db::events::all(&db, &hearing).await.unwrap();
    db.close().await;
    for (i, event) in events.iter().enumerate() {
        assert_eq!(event.seq, i as u64 + 1, "gap in the log");
    }
    assert!(
        app::domain::verify_chain(&events).is_ok(),
        "hash chain broken"
    );
    let mut logged: HashMap<String, (String, usize, u64)> = HashMap::new();
    for event in &events {
        if let app::domain::EventPayload::VoteCast {
            voter, option, key, ..
        } = &event.payload
        {
            let earlier = logged.insert(key.clone(), (voter.clone(), *option, event.seq));
            assert!(earlier.is_none(), "vote {key} counted twice");
        }
    }
    let ledger = std::mem::take(&mut *ledger.lock().unwrap());
    assert!(!ledger.acks.is_empty());
    for ack in &ledger.acks {
        assert_eq!(
            logged.get(&ack.key),
            Some(&(ack.juror.clone(), ack.option, ack.seq)),
            "acknowledged vote {ack:?} missing or altered"
        );
    }
    for key in logged.keys() {
        assert!(ledger.sent.contains(key), "vote {key} was never sent");
    }
    let room = app::domain::fold(&events).unwrap();
    let state = room.ballot(&ballot).unwrap();
    for juror in &juror_ids {
        let last_ack = ledger.acks.iter().rev().find(|a| &a.juror == juror);
        assert_eq!(
            state.choice_of(juror),
            last_ack.map(|a| a.option),
            "{juror}"
        );
    }
    println!(
        "vote fault test: {} kill cycles, {} votes sent, {} acknowledged, {} in the log; \
         {} requests cut off by a kill and retried, {} of them already committed",
        cycles(),
        ledger.sent.len(),
        ledger.acks.len(),
        logged.len(),
        ledger.retries,
        ledger.answered_again
    );
    assert!(
        ledger.retries > 0,
        "no kill ever hit a request: the test proved nothing"
    );
    drop(pingyi);
    server.finish().await;
}
