//! Several instances on one PostgreSQL database (#7): a client on instance B sees
//! what was committed on instance A (LISTEN/NOTIFY), and when an instance stops,
//! its clients resume on the other with no gap and no duplicate.
//! SQLite is one process's database: these tests run on PostgreSQL only.
#![allow(clippy::unwrap_used)]

use crate::common::{Client, Pingyi, Socket, TestServer};
use app::domain::EventPayload;
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
    let hearing = a.todays_hearing().await;
    // The hearing sits: exhibits go on the screens only then.
    let host_on_a = a.client("host").await;
    let start = serde_json::json!({"hearing_id": hearing, "step": {"step": "start"}});
    assert_eq!(
        TestServer::json_rpc(&host_on_a, "step_procedure", start)
            .await
            .0,
        200
    );
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

    // An exhibit shown on A appears on B's screens, with its number and hash.
    let (status, exhibit) = host_on_a
        .upload(&hearing, Some("office"), "现场照片", "a.png", tiny_png())
        .await;
    assert_eq!(status, 201, "{exhibit}");
    let shown = host_on_a
        .rpc(
            "show_exhibit",
            &[("exhibit_id", exhibit["id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(shown.status(), 200);
    let event = next_event(&mut on_b).await;
    let EventPayload::ExhibitShown {
        exhibit: on_screen, ..
    } = event.payload
    else {
        panic!("expected the exhibit on B, got {:?}", event.payload);
    };
    assert_eq!(on_screen.sha256, exhibit["sha256"].as_str().unwrap());
    assert_eq!(next_event(&mut on_a).await.seq, event.seq);
    let head = event.seq - 2;

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

    // A third instance, the real binary, is killed (SIGKILL: no close frame, no
    // goodbye); its client resumes on B with no gap and no duplicate.
    let mut c = Pingyi {
        addr: free_address(),
        database_url: b.database_url.clone(),
        data_dir: tempfile::tempdir().unwrap().keep(),
        child: None,
    };
    c.start();
    c.wait_ready(&reqwest::Client::new()).await;
    let mut on_c = socket_at(&format!("ws://{}", c.addr), &juror_on_b, &hearing, head + 5).await;
    assert!(matches!(
        frame(&mut on_c, Duration::from_secs(3)).await,
        Some(ServerFrame::Hello { .. })
    ));
    assert_eq!(
        clerk_on_b.record(&hearing, "丙实例记录六").await.status(),
        200
    );
    assert_eq!(next_seq(&mut on_c).await, head + 6, "B's commit reaches C");
    c.kill();
    assert!(
        frame(&mut on_c, Duration::from_secs(3)).await.is_none(),
        "the killed instance's socket is gone"
    );
    for text in ["乙实例记录七", "乙实例记录八"] {
        assert_eq!(clerk_on_b.record(&hearing, text).await.status(), 200);
    }
    let mut resumed = juror_on_b.socket(&hearing, head + 6).await.unwrap();
    for expected in [head + 7, head + 8] {
        assert_eq!(
            next_seq(&mut resumed).await,
            expected,
            "no gap after a crash"
        );
    }
    assert!(
        !matches!(
            frame(&mut resumed, Duration::from_millis(700)).await,
            Some(ServerFrame::Event { .. })
        ),
        "no duplicate after a crash"
    );
    let _ = std::fs::remove_dir_all(&c.data_dir);
    b.finish().await;
    a.finish().await;
}

async fn next_event(socket: &mut Socket) -> app::domain::HearingEvent {
    loop {
        match frame(socket, Duration::from_secs(3)).await {
            Some(ServerFrame::Event { event }) => return event,
            Some(_) => continue,
            None => panic!("no event within 3 s"),
        }
    }
}

/// A 1×1 PNG.
fn tiny_png() -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
        .unwrap()
}

/// A loopback address no one listens on yet.
fn free_address() -> String {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().to_string()
}

/// `client`'s session on another instance's socket (sessions live in the database).
async fn socket_at(base: &str, client: &Client, hearing: &str, after: u64) -> Socket {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("{base}/ws/hearings/{hearing}?after={after}")
        .into_client_request()
        .unwrap();
    let cookie = client.cookie_header().expect("logged in");
    request
        .headers_mut()
        .insert("cookie", cookie.parse().unwrap());
    tokio_tungstenite::connect_async(request).await.unwrap().0
}

/// A wake-up the bus lost (its LISTEN connection dropped while another instance
/// committed) is repaired by the relay's sweep: the head goes out once.
#[tokio::test]
async fn a_lost_wakeup_is_repaired_by_the_sweep() {
    let server = TestServer::start().await;
    let hearing = server.opened_todays_hearing().await;
    // A hub nobody wakes: what the other instance commits is not heard.
    let hub = app::live::Hub::default();
    let mut feed = hub.subscribe(&hearing);
    assert_eq!(
        server.record(&hearing, "无人通知的一条").await.status(),
        200
    );
    let head = app::db::hearings::head_seq(&server.db, &hearing)
        .await
        .unwrap()
        .unwrap();
    assert!(feed.try_recv().is_err(), "nothing heard yet");
    app::live::sweep_heads(&server.db, &hub).await;
    let live = feed.try_recv().expect("the sweep published the head");
    assert_eq!(live.event.seq, head);
    app::live::sweep_heads(&server.db, &hub).await;
    assert!(feed.try_recv().is_err(), "published once");
    server.finish().await;
}
