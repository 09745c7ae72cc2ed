//! The sitting (#7): the host drives the procedure (illegal steps refused), gives
//! the floor, the clerk marks attendance, the panel deliberates behind closed
//! doors: parties, observers and their sockets get those events withheld.
#![allow(clippy::unwrap_used)]

use crate::common::{Socket, TestServer};
use app::domain::EventPayload;
use app::protocol::ServerFrame;
use futures::StreamExt;
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

async fn next_event(socket: &mut Socket) -> app::domain::HearingEvent {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(2), socket.next())
            .await
            .expect("a frame within 2 s")
            .expect("socket open")
            .unwrap();
        if let Message::Text(text) = msg
            && let ServerFrame::Event { event } = serde_json::from_str(text.as_str()).unwrap()
        {
            return event;
        }
    }
}

async fn step(client: &crate::common::Client, hearing: &str, step: Value) -> (u16, Value) {
    TestServer::json_rpc(
        client,
        "step_procedure",
        json!({"hearing_id": hearing, "step": step}),
    )
    .await
}

#[tokio::test]
async fn the_host_runs_the_procedure_and_the_panel_deliberates_in_private() {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    app::db::hearings::set_public(&server.db, &held, true)
        .await
        .unwrap();
    let host = server.client("host").await;
    let clerk = server.client("clerk").await;
    let juror = server.client("juror").await;
    let party = server.party(&held, "petitioner", "张三").await;
    let observer = server.client("").await;

    // Only the host moves the procedure; a step the rules refuse is a 409.
    assert_eq!(step(&juror, &held, json!({"step": "start"})).await.0, 403);
    let (status, body) = step(&host, &held, json!({"step": "advance"})).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("step_refused")));
    assert_eq!(step(&host, &held, json!({"step": "start"})).await.0, 200);

    // Attendance: the clerk marks, a party checks itself in; only a petitioner waives.
    let mark = |name: &str, part: &str, presence: &str| json!({"hearing_id": held, "name": name, "part": part, "presence": presence});
    assert_eq!(
        TestServer::json_rpc(
            &clerk,
            "mark_attendance",
            mark("住建局", "agency", "in_room")
        )
        .await
        .0,
        200
    );
    let (status, body) = TestServer::json_rpc(
        &clerk,
        "mark_attendance",
        mark("住建局", "agency", "absent_waived"),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("attendance_invalid"))
    );
    assert_eq!(
        party
            .rpc("check_in", &[("hearing_id", &held)])
            .await
            .status(),
        200
    );
    assert_eq!(
        TestServer::json_rpc(
            &party,
            "mark_attendance",
            mark("张三", "petitioner", "online")
        )
        .await
        .0,
        403
    );

    // The floor, with a time limit.
    let floor = json!({"hearing_id": held, "speaker": "张三", "part": "petitioner", "minutes": 5});
    assert_eq!(
        TestServer::json_rpc(&host, "give_floor", floor).await.0,
        200
    );
    let too_long =
        json!({"hearing_id": held, "speaker": "张三", "part": "petitioner", "minutes": 61});
    assert_eq!(
        TestServer::json_rpc(&host, "give_floor", too_long).await.0,
        422
    );
    assert_eq!(
        host.rpc("end_floor", &[("hearing_id", &held)])
            .await
            .status(),
        200
    );
    assert_eq!(
        host.rpc("end_floor", &[("hearing_id", &held)])
            .await
            .status(),
        409
    );

    // Deliberation is refused before its stage.
    let say = [("hearing_id", held.as_str()), ("text", "我认为诉求合理")];
    assert_eq!(juror.rpc("post_deliberation", &say).await.status(), 409);
    for _ in 0..7 {
        assert_eq!(step(&host, &held, json!({"step": "advance"})).await.0, 200);
    }
    let head = app::db::hearings::head_seq(&server.db, &held)
        .await
        .unwrap()
        .unwrap();
    let mut party_socket = party.socket(&held, head).await.unwrap();
    let mut juror_socket = juror.socket(&held, head).await.unwrap();
    assert_eq!(party.rpc("post_deliberation", &say).await.status(), 403);
    let posted = juror.rpc("post_deliberation", &say).await;
    assert_eq!(posted.status(), 200);
    let seq: u64 = posted.json().await.unwrap();

    // The panel sees the words; the party's socket gets the seq, withheld.
    let seen = next_event(&mut juror_socket).await;
    assert_eq!(seen.seq, seq);
    assert!(
        matches!(seen.payload, EventPayload::DeliberationMessage { ref text, .. } if text == "我认为诉求合理")
    );
    let withheld = next_event(&mut party_socket).await;
    assert_eq!(withheld.seq, seq);
    assert_eq!(withheld.payload, EventPayload::Withheld);
    assert!(withheld.hash.is_empty());

    // Behind closed doors nothing public moves: no record line, no floor, no screen.
    let refused = clerk.record(&held, "评议中记入公开笔录").await;
    assert_eq!(refused.status(), 409);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "closed_session");
    let floor = json!({"hearing_id": held, "speaker": "张三", "part": "petitioner", "minutes": 5});
    let (status, body) = TestServer::json_rpc(&host, "give_floor", floor).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("closed_session"))
    );

    // The same on the first load of the room, for parties and observers.
    for (who, rpc) in [(&party, "load_room"), (&observer, "observe_hearing")] {
        let body = who
            .rpc(rpc, &[("hearing_id", &held)])
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !body.contains("我认为诉求合理"),
            "{rpc} leaks the deliberation"
        );
        // The room's log shows the seq withheld; the observer's bounded
        // snapshot (#21) is the room folded without it.
        assert!(
            body.contains("\"withheld\"") || rpc == "observe_hearing",
            "{rpc}"
        );
    }
    let staff_view = clerk
        .rpc("load_room", &[("hearing_id", &held)])
        .await
        .text()
        .await
        .unwrap();
    assert!(staff_view.contains("我认为诉求合理"));

    // Once voting begins, the procedure does not go back.
    assert_eq!(step(&host, &held, json!({"step": "advance"})).await.0, 200);
    let (status, _) = step(&host, &held, json!({"step": "go_back", "to": "debate"})).await;
    assert_eq!(status, 409);
    server.finish().await;
}

/// The close code the socket ends with (0: ended without a close frame).
async fn close_code(socket: &mut Socket) -> u16 {
    loop {
        let next = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("the socket ends within 5 s");
        match next {
            Some(Ok(Message::Close(Some(frame)))) => return u16::from(frame.code),
            Some(Ok(_)) => continue,
            _ => return 0,
        }
    }
}

#[tokio::test]
async fn open_sockets_recheck_access_when_the_hearing_changes() {
    use app::domain::schedule::HearingKind;
    let server = TestServer::start().await;
    let hearing = server.upcoming_hearing().await;
    let host = server.client("host").await;
    let observer = server.client("").await;
    let make = async |kind: HearingKind| {
        let record = app::db::hearings::record(&server.db, &hearing)
            .await
            .unwrap()
            .unwrap();
        if record.plan.kind == kind {
            return;
        }
        let mut plan = record.plan.clone();
        plan.kind = kind;
        let (status, body) = TestServer::json_rpc(
            &host,
            "change_hearing",
            json!({ "hearing_id": hearing, "version": record.version,
                    "request": { "kind": "update", "plan": plan }, "reason": null }),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    };
    make(HearingKind::Public).await;

    // A page of another site may not open the socket with the visitor's cookies.
    assert_eq!(
        observer
            .socket_from(&hearing, 0, Some("https://evil.example"))
            .await
            .err(),
        Some(403)
    );
    let head = app::db::hearings::head_seq(&server.db, &hearing)
        .await
        .unwrap()
        .unwrap();
    let mut watching = observer
        .socket(&hearing, head)
        .await
        .expect("anyone may watch a public hearing");

    // The hearing is made closed: the change reaches the observer, then its
    // socket closes as access withdrawn, and a new one is refused.
    make(HearingKind::Closed).await;
    assert!(matches!(
        next_event(&mut watching).await.payload,
        EventPayload::PlanChanged { .. }
    ));
    assert_eq!(close_code(&mut watching).await, 4403);
    assert!(observer.socket(&hearing, 0).await.is_err());
    server.finish().await;
}

#[tokio::test]
async fn a_flooding_socket_is_refused_then_closed_and_others_are_not_delayed() {
    use futures::SinkExt;
    let server = TestServer::start().await;
    let held = server.opened_todays_hearing().await;
    let juror = server.client("juror").await;
    let head = app::db::hearings::head_seq(&server.db, &held)
        .await
        .unwrap()
        .unwrap();
    let mut flood = juror.socket(&held, head).await.unwrap();
    let mut calm = juror.socket(&held, head).await.unwrap();
    for _ in 0..150 {
        if flood
            .send(Message::Text(r#"{"type":"ping"}"#.into()))
            .await
            .is_err()
        {
            break;
        }
    }
    let (mut refused, mut closed_with) = (0, None);
    while let Ok(Some(Ok(msg))) = tokio::time::timeout(Duration::from_secs(2), flood.next()).await {
        match msg {
            Message::Text(text) if text.as_str().contains("rate_limited") => refused += 1,
            Message::Close(frame) => {
                closed_with = frame.map(|f| u16::from(f.code));
                break;
            }
            _ => {}
        }
    }
    assert!(refused > 0, "the flood is told it is refused");
    assert_eq!(closed_with, Some(1008));
    // The other socket still gets events at once.
    assert_eq!(server.record(&held, "照常记录").await.status(), 200);
    assert_eq!(next_event(&mut calm).await.seq, head + 1);
    server.finish().await;
}

#[tokio::test]
async fn corrections_keep_history_and_private_notes_stay_private() {
    let server = TestServer::start().await;
    let held = server.opened_todays_hearing().await;
    let clerk = server.client("clerk").await;
    let juror = server.client("juror").await;
    let host = server.client("host").await;

    // 更正: the line changes, its earlier wording stays in the folded history.
    let seq: u64 = server
        .record(&held, "信访人陈述欠薪二万元")
        .await
        .json()
        .await
        .unwrap();
    let fix = |text: &'static str| {
        let held = held.clone();
        let seq = seq.to_string();
        let clerk = &clerk;
        async move {
            clerk
                .rpc(
                    "correct_record",
                    &[
                        ("hearing_id", held.as_str()),
                        ("line_seq", seq.as_str()),
                        ("text", text),
                    ],
                )
                .await
                .status()
        }
    };
    assert_eq!(fix("信访人陈述欠薪二万八千六百元").await, 200);
    assert_eq!(
        fix("信访人陈述欠薪二万八千六百元").await,
        422,
        "nothing changed"
    );
    assert_eq!(
        juror
            .rpc(
                "correct_record",
                &[
                    ("hearing_id", &held),
                    ("line_seq", &seq.to_string()),
                    ("text", "改")
                ]
            )
            .await
            .status(),
        403
    );
    assert_eq!(
        clerk
            .rpc(
                "correct_record",
                &[("hearing_id", &held), ("line_seq", "99999"), ("text", "改")]
            )
            .await
            .status(),
        404
    );
    let events = app::db::events::all(&server.db, &held).await.unwrap();
    let room = app::domain::fold(&events).unwrap();
    let line = room.record.iter().find(|l| l.seq == seq).unwrap();
    assert_eq!(line.text, "信访人陈述欠薪二万八千六百元");
    assert_eq!(line.corrections[0].previous, "信访人陈述欠薪二万元");

    // Private notes: the member's own, nobody else's, never in the log.
    let save = [
        ("hearing_id", held.as_str()),
        ("text", "注意考勤记录与聊天记录的日期是否一致"),
    ];
    assert_eq!(juror.rpc("save_private_notes", &save).await.status(), 200);
    let mine: Value = juror
        .rpc("my_private_notes", &[("hearing_id", &held)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0], "注意考勤记录与聊天记录的日期是否一致");
    assert_eq!(
        host.rpc("my_private_notes", &[("hearing_id", &held)])
            .await
            .status(),
        403
    );
    assert_eq!(host.rpc("save_private_notes", &save).await.status(), 403);
    let log =
        serde_json::to_string(&app::db::events::all(&server.db, &held).await.unwrap()).unwrap();
    assert!(!log.contains("考勤记录与聊天记录的日期"));

    // Page turns need a PDF on the screens.
    assert_eq!(
        host.rpc("turn_exhibit_page", &[("hearing_id", &held), ("page", "2")])
            .await
            .status(),
        409
    );
    server.finish().await;
}

#[tokio::test]
async fn a_pasted_block_becomes_one_line_each_committed_together() {
    let server = TestServer::start().await;
    let held = server.opened_todays_hearing().await;
    let clerk = server.client("clerk").await;
    let juror = server.client("juror").await;
    let mut socket = juror.socket(&held, 1).await.unwrap();
    let res = clerk
        .rpc(
            "record_notes",
            &[
                ("hearing_id", &held),
                ("text", "第一条\n\n  第二条  \n第三条\n"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let seqs: Vec<u64> = res.json().await.unwrap();
    assert_eq!(seqs, vec![2, 3, 4]);
    for (seq, text) in [(2, "第一条"), (3, "第二条"), (4, "第三条")] {
        let event = next_event(&mut socket).await;
        assert_eq!(event.seq, seq);
        assert!(matches!(&event.payload, EventPayload::RecordEntered { text: t, .. } if t == text));
    }
    // Too many lines, or nothing at all: refused whole, nothing committed.
    let many = vec!["一行"; 201].join("\n");
    let res = clerk
        .rpc("record_notes", &[("hearing_id", &held), ("text", &many)])
        .await;
    assert_eq!(res.status(), 422);
    let res = clerk
        .rpc("record_notes", &[("hearing_id", &held), ("text", " \n ")])
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        juror
            .rpc("record_notes", &[("hearing_id", &held), ("text", "x")])
            .await
            .status(),
        403
    );
    let events = app::db::events::all(&server.db, &held).await.unwrap();
    assert_eq!(events.len(), 4, "the opening and the three lines");
    server.finish().await;
}
