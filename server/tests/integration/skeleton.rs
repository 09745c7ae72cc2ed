//! The walking skeleton through real HTTP and websockets, on SQLite or PostgreSQL
//! (see tests/common). Every layer once: SSR page, server function with typed
//! errors, the event log, the live socket with resume, the PDF, shutdown.
#![allow(clippy::unwrap_used)]

use crate::common::TestServer;
use app::domain::{EventPayload, verify_chain};
use app::protocol::ServerFrame;
use futures::{SinkExt, StreamExt};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn next_frame(socket: &mut Socket) -> ServerFrame {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(2), socket.next())
            .await
            .expect("a frame within 2 s")
            .expect("socket open")
            .unwrap();
        if let Message::Text(text) = msg {
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

async fn next_seq(socket: &mut Socket) -> u64 {
    match next_frame(socket).await {
        ServerFrame::Event { event } => event.seq,
        other => panic!("expected an event, got {other:?}"),
    }
}

async fn connect(server: &TestServer, hearing: &str, after: u64) -> Socket {
    server
        .client("juror")
        .await
        .socket(hearing, after)
        .await
        .unwrap()
}

#[tokio::test]
async fn pages_are_server_rendered_in_chinese_with_security_headers() {
    let server = TestServer::start().await;
    let res = server.client("host").await.get("/").await;
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    let html = res.text().await.unwrap();
    assert!(html.contains("听证评议会一览"), "{html}");
    assert!(html.contains("海宁信访〔2026〕123号"));
    assert!(html.contains(r#"lang="zh-CN""#));
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("'nonce-") && !csp.contains("unsafe-inline'; script"),
        "{csp}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");

    // The English cookie renders English on the server.
    let en = server
        .client("host")
        .await
        .http
        .get(format!("{}/", server.base))
        .header("cookie", "pingyi_lang=en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains(">Hearings<") && en.contains(r#"lang="en""#));
    assert_eq!(headers["cache-control"], "no-store");

    // Not logged in: the page says so, in Chinese, and offers the login.
    let anonymous = reqwest::get(format!("{}/", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(anonymous.contains("请先登录") && !anonymous.contains("海宁信访〔2026〕123号"));

    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), r#"{"status":"ok"}"#);
    server.finish().await;
}

#[tokio::test]
async fn record_note_commits_and_refuses_bad_input_with_typed_errors() {
    let server = TestServer::start().await;
    let hearing = server.todays_hearing_with_record().await;

    let empty = server.record(&hearing, " \n ").await;
    assert_eq!(empty.status(), 422);
    let body: serde_json::Value = empty.json().await.unwrap();
    assert_eq!(body["code"], "invalid_record");
    assert_eq!(body["reason"], "empty");

    let long = server.record(&hearing, &"字".repeat(2001)).await;
    assert_eq!(long.status(), 422);
    let body: serde_json::Value = long.json().await.unwrap();
    assert_eq!(body["reason"]["too_long"]["max"], 2000);

    let unknown = server.record("no-such-hearing", "有内容").await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        unknown.json::<serde_json::Value>().await.unwrap()["code"],
        "hearing_not_found"
    );

    let ok = server.record(&hearing, "  信访人补充陈述。 ").await;
    assert_eq!(ok.status(), 200);
    assert_eq!(
        ok.json::<u64>().await.unwrap(),
        5,
        "four demo lines, then this one"
    );
    let events = app::db::events::all(&server.db, &hearing).await.unwrap();
    assert_eq!(
        events.last().unwrap().payload,
        EventPayload::RecordEntered {
            author: "李记录".into(),
            text: "信访人补充陈述。".into(),
            speaker: None,
        }
    );
    server.finish().await;
}

#[tokio::test]
async fn concurrent_writers_get_gapless_seqs_and_an_intact_chain() {
    let server = TestServer::start().await;
    let hearing = server.todays_hearing_with_record().await;
    let clerk = std::sync::Arc::new(server.client("clerk").await);
    let writers = (0..24).map(|i| {
        let (clerk, hearing) = (clerk.clone(), hearing.clone());
        tokio::spawn(async move {
            let res = clerk.record(&hearing, &format!("并发记录 {i}")).await;
            assert_eq!(res.status(), 200);
            res.json::<u64>().await.unwrap()
        })
    });
    let mut seqs: Vec<u64> = futures::future::join_all(writers)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (5..=28).collect::<Vec<_>>());
    let events = app::db::events::all(&server.db, &hearing).await.unwrap();
    assert_eq!(events.len(), 28);
    assert!(verify_chain(&events).is_ok());
    server.finish().await;
}

#[tokio::test]
async fn live_socket_delivers_commits_and_resumes_without_gaps_or_duplicates() {
    let server = TestServer::start().await;
    let hearing = server.todays_hearing_with_record().await;

    let mut watcher = connect(&server, &hearing, 0).await;
    let ServerFrame::Hello {
        hearing_id,
        head_seq,
        server_now_ms,
    } = next_frame(&mut watcher).await
    else {
        panic!("hello first");
    };
    assert_eq!((hearing_id.as_str(), head_seq), (hearing.as_str(), 4));
    // The server's clock, for the screens' countdown.
    assert!(
        (server_now_ms - app::db::now_ms()).abs() < 10_000,
        "{server_now_ms}"
    );
    for expected in 1..=4 {
        assert_eq!(next_seq(&mut watcher).await, expected);
    }
    // A commit reaches the open socket.
    assert_eq!(server.record(&hearing, "第五条").await.status(), 200);
    assert_eq!(next_seq(&mut watcher).await, 5);

    // While one client is away, two more lines are committed; it resumes from 5.
    drop(watcher);
    server.record(&hearing, "第六条").await;
    server.record(&hearing, "第七条").await;
    let mut resumed = connect(&server, &hearing, 5).await;
    assert!(matches!(
        next_frame(&mut resumed).await,
        ServerFrame::Hello { head_seq: 7, .. }
    ));
    assert_eq!(next_seq(&mut resumed).await, 6);
    assert_eq!(next_seq(&mut resumed).await, 7);
    server.record(&hearing, "第八条").await;
    assert_eq!(
        next_seq(&mut resumed).await,
        8,
        "live again, no duplicate of 6 or 7"
    );

    // Bad frames get an error frame and the connection keeps working.
    resumed
        .send(Message::Text("not json".into()))
        .await
        .unwrap();
    assert!(matches!(
        next_frame(&mut resumed).await,
        ServerFrame::Error { .. }
    ));
    resumed
        .send(Message::Binary(vec![1, 2, 3].into()))
        .await
        .unwrap();
    assert!(matches!(
        next_frame(&mut resumed).await,
        ServerFrame::Error { .. }
    ));
    resumed
        .send(Message::Text(r#"{"type":"ping"}"#.into()))
        .await
        .unwrap();
    assert_eq!(next_frame(&mut resumed).await, ServerFrame::Pong);

    // An unknown hearing is refused before the upgrade.
    let juror = server.client("juror").await;
    assert_eq!(juror.socket("nope", 0).await.err(), Some(404));

    // Shutdown tells open sockets to reconnect (1012) instead of hanging.
    let mut last = connect(&server, &hearing, 8).await;
    assert!(matches!(
        next_frame(&mut last).await,
        ServerFrame::Hello { .. }
    ));
    let closing = tokio::spawn(async move {
        loop {
            match last.next().await {
                Some(Ok(Message::Close(Some(frame)))) => return u16::from(frame.code),
                Some(Ok(_)) => continue,
                _ => return 0,
            }
        }
    });
    server.finish().await;
    assert_eq!(closing.await.unwrap(), 1012);
}

#[tokio::test]
async fn the_record_downloads_as_a_chinese_pdf() {
    let server = TestServer::start().await;
    let hearing = server.todays_hearing_with_record().await;
    let archivist = server.client("archivist").await;
    let res = archivist
        .get(&format!("/hearings/{hearing}/minutes.pdf"))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''"));
    let pdf = res.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    if let Some(text) = crate::common::pdf_text(&pdf) {
        assert!(text.contains("海宁信访〔2026〕131号"), "{text}");
        assert!(text.contains("工资保证金"), "{text}");
    }
    let missing = archivist.get("/hearings/nope/minutes.pdf").await;
    assert_eq!(missing.status(), 404);
    server.finish().await;
}

/// A seeded storm of malformed, unknown, deeply nested, oversized and binary
/// frames at a live socket: each gets its error frame (or pong), the socket and
/// the room go on, and a frame past the transport limit ends only that socket.
#[tokio::test]
async fn a_storm_of_bad_frames_is_answered_and_the_room_goes_on() {
    use app::protocol::ErrorCode;
    let server = TestServer::start().await;
    let hearing = server.todays_hearing_with_record().await;
    let head = app::db::hearings::head_seq(&server.db, &hearing)
        .await
        .unwrap()
        .unwrap();
    let mut storm = connect(&server, &hearing, head).await;
    let mut bystander = connect(&server, &hearing, head).await;
    for socket in [&mut storm, &mut bystander] {
        assert!(matches!(
            next_frame(socket).await,
            ServerFrame::Hello { .. }
        ));
    }
    // xorshift: the same storm every run, and a failing case can be replayed.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..48 {
        let roll = next();
        let (frame, expected) = match roll % 8 {
            0 => {
                let bytes: Vec<u8> = (0..(roll % 200)).map(|_| next() as u8).collect();
                let text = String::from_utf8_lossy(&bytes).into_owned();
                // Random bytes may happen to be JSON-ish, never a valid frame.
                (
                    Message::Text(format!("x{text}").into()),
                    Some(ErrorCode::BadFrame),
                )
            }
            1 => (
                Message::Text(r#"{"type":"pi"#.into()),
                Some(ErrorCode::BadFrame),
            ),
            2 => (
                Message::Text(r#"{"type":"cast_vote","option":1}"#.into()),
                Some(ErrorCode::BadFrame),
            ),
            3 => (
                Message::Text(format!("{}{}", "[".repeat(2000), "]".repeat(2000)).into()),
                Some(ErrorCode::BadFrame),
            ),
            4 => (
                Message::Text("p".repeat(20 * 1024).into()),
                Some(ErrorCode::FrameTooLarge),
            ),
            5 => (
                Message::Binary(vec![0u8; (roll % 512) as usize].into()),
                Some(ErrorCode::BinaryNotSupported),
            ),
            6 => (
                Message::Text(r#"{"type":"ping","extra":[1,2,3]}"#.into()),
                None,
            ),
            _ => (Message::Text(r#"{"type":"ping"}"#.into()), None),
        };
        storm.send(frame).await.unwrap();
        match (next_frame(&mut storm).await, expected) {
            (ServerFrame::Error { code, message }, Some(want)) => {
                assert_eq!(code, want, "round {round}: {message}");
                assert!(!message.is_empty());
            }
            (ServerFrame::Pong, None) => {}
            (other, want) => panic!("round {round}: expected {want:?}, got {other:?}"),
        }
        // Under the rate limit (20 frames a second): this is about content.
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    // The stormed socket still follows the room, and so does everyone else.
    assert_eq!(server.record(&hearing, "风暴之后").await.status(), 200);
    assert_eq!(next_seq(&mut storm).await, head + 1);
    assert_eq!(next_seq(&mut bystander).await, head + 1);

    // Past the transport's limit: that socket ends; the room does not.
    storm
        .send(Message::Text("q".repeat(70 * 1024).into()))
        .await
        .unwrap();
    let ended = loop {
        match tokio::time::timeout(Duration::from_secs(3), storm.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => break frame.map(|f| u16::from(f.code)),
            Ok(Some(Ok(_))) => continue,
            Ok(_) => break None,
            Err(_) => panic!("the oversized frame's socket stayed open"),
        }
    };
    assert!(matches!(ended, None | Some(1009)), "{ended:?}");
    assert_eq!(server.record(&hearing, "房间照常").await.status(), 200);
    assert_eq!(next_seq(&mut bystander).await, head + 2);
    server.finish().await;
}

#[tokio::test]
async fn a_stop_ends_within_the_grace_even_with_a_request_left_open() {
    use tokio::io::AsyncWriteExt;
    let mut server = TestServer::start().await;
    // A client that announced a body and went quiet: the request stays in flight.
    let addr = server.base.trim_start_matches("http://").to_owned();
    let mut quiet = tokio::net::TcpStream::connect(&addr).await.unwrap();
    quiet
        .write_all(
            b"POST /rpc/login HTTP/1.1\r\nHost: pingyi\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nuser",
        )
        .await
        .unwrap();
    // Served: the request has reached the server before it is asked to stop.
    let probe = server.client("").await;
    assert_eq!(probe.get("/healthz").await.status(), 200);
    let started = std::time::Instant::now();
    server.stop().await;
    let took = started.elapsed();
    assert!(
        took >= crate::common::SHUTDOWN_GRACE,
        "the open request had its grace: {took:?}"
    );
    assert!(
        took < crate::common::SHUTDOWN_GRACE + Duration::from_secs(5),
        "the stop ended soon after the grace: {took:?}"
    );
    assert!(
        reqwest::get(format!("{}/healthz", server.base))
            .await
            .is_err(),
        "nothing is served after the stop"
    );
    server.finish().await;
}
