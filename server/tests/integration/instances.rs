//! Several instances on one PostgreSQL database (#7): a client on instance B sees
//! what was committed on instance A (LISTEN/NOTIFY), and when an instance stops,
//! its clients resume on the other with no gap and no duplicate.
//! SQLite is one process's database: these tests run on PostgreSQL only.
#![allow(clippy::unwrap_used)]

use crate::common::{Socket, TestServer};
use app::protocol::ServerFrame;
use futures::StreamExt;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

fn on_postgres() -> bool {
    let yes = std::env::var("PINGYI_TEST_POSTGRES").is_ok_and(|v| !v.is_empty());
    if !yes {
        eprintln!("skipped: several instances need PostgreSQL (PINGYI_TEST_POSTGRES)");
    }
    yes
}

/// The next frame, or None when none comes within `wait`.
async fn frame(socket: &mut Socket, wait: Duration) -> Option<ServerFrame> {
    loop {
        match tokio::time::timeout(wait, socket.next()).await {
            Err(_) => return None,
            Ok(None) => return None,
            Ok(Some(Err(_))) => return None,
            Ok(Some(Ok(Message::Text(text)))) => {
                return Some(serde_json::from_str(text.as_str()).unwrap());
            }
            Ok(Some(Ok(Message::Close(_)))) => return None,
            Ok(Some(Ok(_))) => continue,
        }
    }
}

async fn next_seq(socket: &mut Socket) -> u64 {
    loop {
        match frame(socket, Duration::from_secs(3)).await {
            Some(ServerFrame::Event { event }) => return event.seq,
            Some(_) => continue,
            None => panic!("no event within 3 s"),
        }
    }
}

#[tokio::test]
async fn a_client_on_one_instance_sees_commits_on_another_and_resumes_there() {
    if !on_postgres() {
        return;
    }
    let mut a = TestServer::start().await;
    let b = a.another_instance().await;
    let hearing = a.held_hearing().await;
    let head = app::db::hearings::head_seq(&a.db, &hearing)
        .await
        .unwrap()
        .unwrap();

    // The same session works on both (sessions live in the database).
    let clerk_on_a = a.client("clerk").await;
    let juror_on_b = b.client("juror").await;
    let mut on_b = juror_on_b.socket(&hearing, head).await.unwrap();
    let juror_on_a = a.client("juror").await;
    let mut on_a = juror_on_a.socket(&hearing, head).await.unwrap();

    // Committed on A: seen on B (and on A) in order.
    for text in ["甲实例记录一", "甲实例记录二"] {
        assert_eq!(clerk_on_a.record(&hearing, text).await.status(), 200);
    }
    assert_eq!(next_seq(&mut on_b).await, head + 1);
    assert_eq!(next_seq(&mut on_b).await, head + 2);
    assert_eq!(next_seq(&mut on_a).await, head + 1);
    assert_eq!(next_seq(&mut on_a).await, head + 2);

    // A stops; meanwhile B commits more. A's client resumes on B from its last seq.
    a.stop().await;
    assert!(
        frame(&mut on_a, Duration::from_secs(3)).await.is_none(),
        "A closed the socket"
    );
    let clerk_on_b = b.client("clerk").await;
    for text in ["乙实例记录三", "乙实例记录四", "乙实例记录五"] {
        assert_eq!(clerk_on_b.record(&hearing, text).await.status(), 200);
    }
    let mut resumed = juror_on_b.socket(&hearing, head + 2).await.unwrap();
    for expected in [head + 3, head + 4, head + 5] {
        assert_eq!(next_seq(&mut resumed).await, expected, "no gap, in order");
    }
    assert!(
        !matches!(
            frame(&mut resumed, Duration::from_millis(700)).await,
            Some(ServerFrame::Event { .. })
        ),
        "no duplicate"
    );
    // B's own client saw them too, once each.
    for expected in [head + 3, head + 4, head + 5] {
        assert_eq!(next_seq(&mut on_b).await, expected);
    }
    b.finish().await;
    a.finish().await;
}
