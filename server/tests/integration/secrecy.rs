//! Deliberation secrecy (#21): what the closed deliberation keeps from whom and
//! until when. Ballot turnout, counts and results reach parties and the public
//! only with 宣布评议意见; deliberation, opinions and the draft conclusion reach
//! nobody outside the panel, host and clerk before the close (not the bureau
//! head's aftercare page, not the archivist's draft minutes); a secret ballot's
//! opinions are published together at its close in an order that names
//! nobody; a proxy vote is confirmed with a one-time code, never a password;
//! and the sizes one hearing can reach are bounded.
#![allow(clippy::unwrap_used)]

use crate::ballots::{
    ballot_form, confirm_entry, enter_vote_for, head, into_deliberation, open_with_members,
    payloads_until, refusal, room_json, room_seen_by, shown_code, vote,
};
use crate::common::{Client, TestServer};
use serde_json::{Value, json};
use sqlx::Row;

/// The refusal as the page shows it in Chinese.
fn message_zh(body: &Value) -> String {
    let error: app::error::ApiError = serde_json::from_value(body.clone()).unwrap();
    error.message(app::i18n::Lang::Zh)
}

/// The ids of the hearings `client`'s home page lists.
async fn listed(client: &Client) -> Vec<String> {
    let res = client.rpc("list_hearings", &[]).await;
    assert_eq!(res.status(), 200);
    let list: Vec<Value> = res.json().await.unwrap();
    list.iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Runs one statement with text parameters, committed.
async fn execute(db: &app::db::Db, sql: &str, binds: &[&str]) {
    let mut tx = db.begin().await.unwrap();
    let mut query = sqlx::query(sql);
    for b in binds {
        query = query.bind(*b);
    }
    query.execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
}

/// The column `v` of the one row `sql` answers.
async fn one_value<T>(db: &app::db::Db, sql: &str, binds: &[&str]) -> T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    let mut tx = db.begin().await.unwrap();
    let mut query = sqlx::query(sql);
    for b in binds {
        query = query.bind(*b);
    }
    let row = query.fetch_one(&mut *tx).await.unwrap();
    let value = row.try_get::<T, _>("v").unwrap();
    tx.commit().await.unwrap();
    value
}

async fn advance(host: &Client, hearing: &str) -> (u16, Value) {
    let step = json!({"hearing_id": hearing, "step": {"step": "advance"}});
    TestServer::json_rpc(host, "step_procedure", step).await
}

async fn close(host: &Client, hearing: &str, ballot: &str) -> u16 {
    host.rpc(
        "close_ballot",
        &[("hearing_id", hearing), ("ballot_id", ballot)],
    )
    .await
    .status()
    .as_u16()
}

async fn opinion(member: &Client, hearing: &str, ballot: &str, text: &str, minority: bool) {
    let res = member
        .rpc(
            "give_ballot_opinion",
            &[
                ("hearing_id", hearing),
                ("ballot_id", ballot),
                ("text", text),
                ("minority", if minority { "true" } else { "false" }),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
}

/// The draft minutes as `reader` downloads them, as text (None without pdftotext).
async fn draft_text(reader: &Client, hearing: &str) -> Option<String> {
    let res = reader
        .get(&format!("/hearings/{hearing}/minutes.pdf"))
        .await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    if !crate::common::pdf_tool("pdftotext") {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("draft.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8", path.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    // Lines break anywhere in a CJK paragraph: compare without whitespace.
    Some(
        String::from_utf8(out.stdout)
            .unwrap()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect(),
    )
}

#[tokio::test]
async fn results_reach_the_petitioner_and_the_public_only_with_the_announcement() {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    app::db::hearings::set_public(&server.db, &held, true)
        .await
        .unwrap();
    let petitioner = server.party(&held, "petitioner", "张信访").await;
    let observer = server.client("").await;
    let question = "信访人诉求是否合理（闭门）";
    let form = ballot_form(question, "secret", json!(["支持", "不支持"]));
    let (held, host, members, ballot) = open_with_members(&server, &held, 3, form).await;
    let mut party_socket = petitioner.socket(&held, 0).await.unwrap();
    let mut public_socket = observer.socket(&held, 0).await.unwrap();

    for (i, member) in members.iter().enumerate() {
        let (status, body) = vote(&member.client, &held, &ballot, i % 2, &format!("s-{i}")).await;
        assert_eq!(status, 200, "{body}");
    }
    // The panel moves on to 表决; the announcement waits for the open ballot.
    assert_eq!(advance(&host, &held).await.0, 200);
    let (status, body) = advance(&host, &held).await;
    assert_eq!(
        (status, body["reason"]["refusal"].as_str()),
        (409, Some("ballot_open")),
        "{body}"
    );
    assert!(message_zh(&body).contains("表决未结束"), "{body}");
    assert_eq!(close(&host, &held, &ballot).await, 200);
    let closed = head(&server, &held).await;

    // Live: the ballot's drafting, opening, every "has voted", the close and
    // its counts reach the petitioner and the public as withheld seqs only.
    for socket in [&mut party_socket, &mut public_socket] {
        let payloads = payloads_until(socket, closed).await;
        for p in &payloads {
            let kind = p["type"].as_str().unwrap();
            assert!(
                !matches!(
                    kind,
                    "vote_sealed"
                        | "vote_cast"
                        | "ballot_closed"
                        | "ballot_opened"
                        | "ballot_drafted"
                ),
                "{kind} reached an outsider: {p}"
            );
        }
        let text = serde_json::to_string(&payloads).unwrap();
        assert!(
            !text.contains(question) && !text.contains("counts"),
            "{text}"
        );
    }
    // And at load: nothing of the ballot in the room, on the public page, or
    // in the draft minutes the petitioner cannot download anyway.
    for (reader, rpc) in [(&petitioner, "load_room"), (&observer, "observe_hearing")] {
        let room = room_seen_by(reader, rpc, &held).await;
        assert!(room.ballots.is_empty(), "{rpc}: {:?}", room.ballots);
        let body = reader
            .rpc(rpc, &[("hearing_id", &held)])
            .await
            .text()
            .await
            .unwrap();
        assert!(!body.contains(question), "{rpc} shows the question");
    }
    // The panel has the result at once.
    let room = room_seen_by(&members[0].client, "load_room", &held).await;
    let result = room.ballot(&ballot).unwrap().result.clone().unwrap();
    assert_eq!(result.counts, vec![2, 1]);

    // 宣布评议意见: the results, with the step, in one commit — on the sockets
    // and in every snapshot. Never a choice or an opinion.
    assert_eq!(advance(&host, &held).await.0, 200);
    let announced = head(&server, &held).await;
    for socket in [&mut party_socket, &mut public_socket] {
        let payloads = payloads_until(socket, announced).await;
        let last = payloads.last().unwrap();
        assert_eq!(last["type"], "results_announced", "{payloads:?}");
        assert_eq!(last["ballots"][0]["spec"]["question"], question);
        assert_eq!(last["ballots"][0]["result"]["counts"], json!([2, 1]));
        assert!(!last.to_string().contains("s-0"), "{last}");
    }
    for (reader, rpc) in [(&petitioner, "load_room"), (&observer, "observe_hearing")] {
        let room = room_seen_by(reader, rpc, &held).await;
        assert!(room.results_announced);
        let public = room.ballot(&ballot).unwrap();
        assert_eq!(public.result.as_ref(), Some(&result));
        assert!(public.voted.is_empty() && public.votes.is_empty());
    }
    server.finish().await;
}

#[tokio::test]
async fn the_draft_conclusion_and_deliberation_stay_with_the_panel_until_the_close() {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    let host = server.client("host").await;
    let clerk = server.client("clerk").await;
    let admin = server.client("admin").await;
    let head_of_bureau = server.client("head").await;
    let archivist = server.client("archivist").await;
    into_deliberation(&host, &held).await;
    let words = "评议团内部讨论甲乙丙";
    let draft = "建议部分支持诉求草稿丁戊";
    let res = host
        .rpc(
            "post_deliberation",
            &[("hearing_id", &held), ("text", words)],
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = host
        .rpc(
            "record_conclusion",
            &[("hearing_id", &held), ("text", draft)],
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

    // The aftercare page of the administrator and the bureau head: no opinion yet.
    for reader in [&admin, &head_of_bureau] {
        let res = reader.rpc("aftercare", &[("hearing_id", &held)]).await;
        assert_eq!(res.status(), 200);
        let view: Value = res.json().await.unwrap();
        assert_eq!(view["panel_conclusion"], Value::Null, "{view}");
    }
    // The draft minutes: the host's and the clerk's hold it; the head's and the
    // archivist's do not (nor the deliberation).
    if let Some(text) = draft_text(&host, &held).await {
        assert!(text.contains(draft), "{text}");
        for reader in [&head_of_bureau, &archivist] {
            let text = draft_text(reader, &held).await.unwrap();
            assert!(!text.contains(draft) && !text.contains(words), "{text}");
        }
        let text = draft_text(&clerk, &held).await.unwrap();
        assert!(text.contains(draft), "{text}");
    }

    // Announced and closed (闭会): now the office may read it.
    for _ in 0..2 {
        let (status, body) = advance(&host, &held).await;
        assert_eq!(status, 200, "{body}");
    }
    let step = json!({"hearing_id": held, "step": {"step": "close"}});
    let (status, body) = TestServer::json_rpc(&host, "step_procedure", step).await;
    assert_eq!(status, 200, "{body}");
    let view: Value = head_of_bureau
        .rpc("aftercare", &[("hearing_id", &held)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["panel_conclusion"], draft, "{view}");
    if let Some(text) = draft_text(&archivist, &held).await {
        assert!(text.contains(draft), "{text}");
    }
    server.finish().await;
}

#[tokio::test]
async fn a_secret_ballots_opinions_are_published_together_at_the_close_in_an_order_that_names_nobody()
 {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    let form = ballot_form("诉求是否合理", "secret", json!(["支持", "不支持"]));
    let (held, host, members, ballot) = open_with_members(&server, &held, 3, form).await;
    let texts = ["甲：证据充分", "乙：程序有瑕疵", "丙：证据不足以支持诉求"];
    for (i, member) in members.iter().enumerate() {
        assert_eq!(
            vote(
                &member.client,
                &held,
                &ballot,
                usize::from(i == 2),
                &format!("o-{i}")
            )
            .await
            .0,
            200
        );
        opinion(&member.client, &held, &ballot, texts[i], i == 2).await;
    }
    // Held by the server: nothing on the log, nothing in anyone's room.
    let room = room_json(&host, &held).await;
    for text in texts {
        assert!(!room.contains(text), "{text} published before the close");
    }
    let events = app::db::events::all(&server.db, &held).await.unwrap();
    assert!(
        !events
            .iter()
            .any(|e| matches!(e.payload, app::domain::EventPayload::OpinionGiven { .. }))
    );
    // The member sees their own, and may still change it.
    opinion(
        &members[0].client,
        &held,
        &ballot,
        "甲：证据充分，建议支持",
        false,
    )
    .await;
    let mine: Value = members[0]
        .client
        .rpc("my_ballots", &[("hearing_id", &held)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["opinion"][0], "甲：证据充分，建议支持");
    let texts = ["甲：证据充分，建议支持", texts[1], texts[2]];

    assert_eq!(close(&host, &held, &ballot).await, 200);
    let events = app::db::events::all(&server.db, &held).await.unwrap();
    let at_close = events
        .iter()
        .position(|e| matches!(e.payload, app::domain::EventPayload::BallotClosed { .. }))
        .unwrap();
    let released: Vec<(String, bool, i64)> = events[at_close + 1..]
        .iter()
        .map(|e| match &e.payload {
            app::domain::EventPayload::OpinionGiven {
                text,
                anonymous,
                minority,
                ..
            } => {
                assert!(anonymous);
                (text.clone(), *minority, e.at_ms)
            }
            other => panic!("not an opinion after the close: {other:?}"),
        })
        .collect();
    assert_eq!(released.len(), 3);
    // One commit with the close; in the order of the texts' hashes, whatever
    // order they were given in.
    assert!(
        released
            .iter()
            .all(|r| (r.2 - events[at_close].at_ms).abs() < 1000)
    );
    let mut by_hash: Vec<&str> = texts.to_vec();
    by_hash.sort_by_key(|t| {
        use sha2::Digest;
        sha2::Sha256::digest(t.as_bytes()).to_vec()
    });
    let order: Vec<&str> = released.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(order, by_hash);
    assert!(released.iter().any(|r| r.0 == texts[2] && r.1));
    // The panel reads them without authors; nothing stays held.
    let room: Value = serde_json::from_str(&room_json(&members[1].client, &held).await).unwrap();
    let shown: Vec<&Value> = room["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["payload"])
        .filter(|p| p["type"] == "opinion_given")
        .collect();
    assert_eq!(shown.len(), 3);
    assert!(shown.iter().all(|p| p["voter_id"] == "" && p["name"] == ""));
    let held_rows: i64 =
        one_value(&server.db, "SELECT COUNT(*) AS v FROM held_opinions", &[]).await;
    assert_eq!(held_rows, 0);
    server.finish().await;
}

#[tokio::test]
async fn a_proxy_vote_code_is_the_members_alone_single_use_bound_and_bounded() {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    let form = ballot_form("是否建议重新核定", "named", json!(["是", "否"]));
    let (held, host, members, ballot) = open_with_members(&server, &held, 2, form).await;
    let clerk = server.client("clerk").await;
    let entry = async |i: usize| {
        let (status, body) = enter_vote_for(
            &host,
            &held,
            &ballot,
            &members[i].account_id,
            "0",
            &format!("pk-{i}"),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        body.as_str().unwrap().to_owned()
    };
    let (first, second) = (entry(0).await, entry(1).await);
    // Only the member (their own entry) or the host (to print it) gets a code.
    for outsider in [&members[1].client, &clerk] {
        let res = outsider
            .rpc("issue_proxy_code", &[("request_id", &first)])
            .await;
        assert_eq!(res.status(), 403);
    }
    // The member's phone lists the entry waiting for them.
    let waiting: Value = members[0]
        .client
        .rpc("my_proxy_entries", &[("hearing_id", &held)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(waiting[0]["id"], first.as_str());
    assert_eq!(waiting[0]["choice"], "是");
    let code = shown_code(&members[0].client, &first).await;
    assert!(
        code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()),
        "{code}"
    );
    // Stored as a hash only.
    let stored: String = one_value(
        &server.db,
        "SELECT code_hash AS v FROM proxy_vote_requests WHERE id = $1",
        &[&first],
    )
    .await;
    assert!(stored.len() == 64 && !stored.contains(&code), "{stored}");

    // Bound to its entry: the first member's code does not confirm the second's.
    let printed = shown_code(&host, &second).await;
    if printed != code {
        let (status, body) = confirm_entry(&clerk, &second, &code).await;
        assert_eq!(
            (status, refusal(&body)),
            (422, Some("proxy_code_wrong")),
            "{body}"
        );
        // Five wrong tries void the entry, even for the right code after.
        for _ in 0..3 {
            assert_eq!(confirm_entry(&clerk, &second, "000000x").await.0, 422);
        }
        let (status, body) = confirm_entry(&clerk, &second, "000000x").await;
        assert_eq!(
            (status, refusal(&body)),
            (409, Some("proxy_code_locked")),
            "{body}"
        );
        let (status, body) = confirm_entry(&clerk, &second, &printed).await;
        assert_eq!(
            (status, refusal(&body)),
            (409, Some("proxy_code_locked")),
            "{body}"
        );
        assert!(message_zh(&body).contains("重新录入"), "{body}");
        // A new code does not revive it; the host's new entry does.
        let res = host
            .rpc("issue_proxy_code", &[("request_id", &second)])
            .await;
        assert_eq!(res.status(), 409);
        let again = entry(1).await;
        let code = shown_code(&host, &again).await;
        let (status, body) = confirm_entry(&clerk, &again, &code).await;
        assert_eq!(status, 200, "{body}");

        // Twenty wrong codes sent at once: each attempt is counted before its
        // code is compared, so no more than the bound are ever judged.
        let raced = entry(1).await;
        let right = shown_code(&host, &raced).await;
        let wrong: Vec<String> = (0..20)
            .map(|i| format!("{:06}", (right.parse::<u32>().unwrap() + 1 + i) % 1_000_000))
            .collect();
        let answers =
            futures::future::join_all(wrong.iter().map(|code| confirm_entry(&clerk, &raced, code)))
                .await;
        let judged = answers
            .iter()
            .filter(|(_, body)| refusal(body) == Some("proxy_code_wrong"))
            .count();
        assert!(judged <= 4, "{judged} wrong codes judged: {answers:?}");
        assert!(
            answers.iter().all(|(_, body)| matches!(
                refusal(body),
                Some("proxy_code_wrong" | "proxy_code_locked")
            )),
            "{answers:?}"
        );
        let (status, body) = confirm_entry(&clerk, &raced, &right).await;
        assert_eq!(
            (status, refusal(&body)),
            (409, Some("proxy_code_locked")),
            "{body}"
        );
    }

    // Expired after ten minutes: a new code (which voids the old one) works.
    execute(
        &server.db,
        "UPDATE proxy_vote_requests SET code_expires_at = 0 WHERE id = $1",
        &[&first],
    )
    .await;
    let (status, body) = confirm_entry(&clerk, &first, &code).await;
    assert_eq!(
        (status, refusal(&body)),
        (409, Some("proxy_code_expired")),
        "{body}"
    );
    let fresh = shown_code(&members[0].client, &first).await;
    if fresh != code {
        assert_eq!(confirm_entry(&clerk, &first, &code).await.0, 422);
    }
    let (status, body) = confirm_entry(&clerk, &first, &fresh).await;
    assert_eq!(status, 200, "{body}");
    // Single use.
    assert_eq!(confirm_entry(&clerk, &first, &fresh).await.0, 404);
    let audit = app::db::audit::recent(&server.db, 50).await.unwrap();
    assert!(audit.iter().any(|(a, _)| a == "proxy_code_shown_to_member"));
    assert!(audit.iter().any(|(a, _)| a == "proxy_code_printed_by_host"));
    server.finish().await;
}

#[tokio::test]
async fn a_panel_member_lists_only_the_hearings_they_sit_on() {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    let members = server.seat_members(&held, 1).await;
    assert_eq!(listed(&members[0].client).await, vec![held.clone()]);
    let host = server.client("host").await;
    let all = listed(&host).await;
    assert!(all.len() > 1 && all.contains(&held), "{all:?}");
    // The demo juror sits on some hearings, never on every one the host sees.
    let juror = listed(&server.client("juror").await).await;
    for id in &juror {
        let staff = app::db::hearings::staff(&server.db, id)
            .await
            .unwrap()
            .unwrap();
        let juror_id = app::db::accounts::by_username(&server.db, "juror")
            .await
            .unwrap()
            .unwrap()
            .id;
        assert!(
            staff.jurors.contains(&juror_id),
            "{id} listed to a non-member"
        );
    }
    server.finish().await;
}

#[tokio::test]
async fn free_text_entering_the_log_loses_controls_and_bidi_overrides() {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    let host = server.client("host").await;
    let clerk = server.client("clerk").await;
    let step = json!({"hearing_id": held, "step": {"step": "start"}});
    assert_eq!(
        TestServer::json_rpc(&host, "step_procedure", step).await.0,
        200
    );
    let res = clerk
        .record(&held, "信访人\u{202E}同意调解\u{200B}\u{0007}")
        .await;
    assert_eq!(res.status(), 200);
    let line: u64 = res.json().await.unwrap();
    let res = clerk
        .rpc(
            "correct_record",
            &[
                ("hearing_id", held.as_str()),
                ("line_seq", &line.to_string()),
                ("text", "信访人\u{2066}不同意\u{2069}调解"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    for _ in 0..7 {
        assert_eq!(advance(&host, &held).await.0, 200);
    }
    let res = host
        .rpc(
            "post_deliberation",
            &[("hearing_id", &held), ("text", "意见\u{202D}甲")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = host
        .rpc(
            "record_conclusion",
            &[("hearing_id", &held), ("text", "结论\u{202E}乙\n第二段")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let events = app::db::events::all(&server.db, &held).await.unwrap();
    let room = app::domain::fold(&events).unwrap();
    assert_eq!(room.record.last().unwrap().text, "信访人不同意调解");
    assert_eq!(
        room.record.last().unwrap().corrections[0].previous,
        "信访人同意调解"
    );
    assert_eq!(room.deliberation.last().unwrap().text, "意见甲");
    assert_eq!(room.minutes.conclusion.unwrap().text, "结论乙\n第二段");
    let stored = serde_json::to_string(&events).unwrap();
    assert!(
        !stored
            .chars()
            .any(|c| app::domain::event::is_invisible_format(c) || c == '\u{0007}'),
        "{stored}"
    );
    server.finish().await;
}

#[tokio::test]
async fn a_member_changes_a_vote_a_bounded_number_of_times() {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    let form = ballot_form("诉求是否合理", "secret", json!(["支持", "不支持"]));
    let (held, _host, members, ballot) = open_with_members(&server, &held, 2, form).await;
    let m = &members[0].client;
    let max = app::domain::ballot::MAX_VOTES_PER_MEMBER;
    for i in 0..max {
        let (status, body) = vote(m, &held, &ballot, i % 2, &format!("c-{i}")).await;
        assert_eq!(status, 200, "{i}: {body}");
    }
    let (status, body) = vote(m, &held, &ballot, 0, "one-too-many").await;
    assert_eq!(
        (status, refusal(&body)),
        (409, Some("too_many_changes")),
        "{body}"
    );
    assert!(message_zh(&body).contains("不能再修改"), "{body}");
    // The last counted request is still acknowledged; the others still vote.
    let (status, body) = vote(m, &held, &ballot, (max - 1) % 2, &format!("c-{}", max - 1)).await;
    assert_eq!(
        (status, body["already_counted"].as_bool()),
        (200, Some(true))
    );
    assert_eq!(
        vote(&members[1].client, &held, &ballot, 1, "x").await.0,
        200
    );
    server.finish().await;
}

#[tokio::test]
async fn one_hearings_log_is_bounded() {
    let server = TestServer::start().await;
    let held = server.opened_todays_hearing().await;
    let clerk = server.client("clerk").await;
    let max = app::domain::event::MAX_EVENTS_PER_HEARING;
    assert_eq!(clerk.record(&held, "最后几行之前").await.status(), 200);
    // As if the log were full (tens of thousands of events are not made here).
    execute(
        &server.db,
        &format!("UPDATE hearings SET last_seq = {max} WHERE id = $1"),
        &[&held],
    )
    .await;
    let res = clerk.record(&held, "一行太多").await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "log_full", "{body}");
    assert_eq!(head(&server, &held).await, max, "nothing was written");
    let stored = app::db::events::all(&server.db, &held).await.unwrap();
    assert!(!serde_json::to_string(&stored).unwrap().contains("一行太多"));
    server.finish().await;
}

#[tokio::test]
async fn the_public_observer_snapshot_is_bounded_and_followed_live() {
    let server = TestServer::start().await;
    let held = server.opened_todays_hearing().await;
    app::db::hearings::set_public(&server.db, &held, true)
        .await
        .unwrap();
    let clerk = server.client("clerk").await;
    let observer = server.client("").await;
    let lines = app::api::MAX_RECORD_LINES_AT_ONCE;
    for paste in 0..5 {
        let text: Vec<String> = (0..lines)
            .map(|i| format!("第{}行：旁听可见的笔录内容，长度适中", paste * lines + i))
            .collect();
        let res = clerk
            .rpc(
                "record_notes",
                &[("hearing_id", held.as_str()), ("text", &text.join("\n"))],
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    let total = 5 * lines;
    let res = observer
        .rpc("observe_hearing", &[("hearing_id", &held)])
        .await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    let snapshot: app::model::RoomSnapshot = serde_json::from_str(&body).unwrap();
    assert!(snapshot.events.is_empty());
    let room = snapshot.base.unwrap();
    let shown = app::api::OBSERVER_RECORD_LINES;
    assert_eq!(room.record.len(), shown);
    let events = app::db::events::all(&server.db, &held).await.unwrap();
    let whole = app::domain::fold(&events).unwrap().record.len();
    assert!(whole >= total);
    assert_eq!(room.record_omitted as usize, whole - shown);
    assert!(
        room.record
            .last()
            .unwrap()
            .text
            .starts_with(&format!("第{}行", total - 1))
    );
    assert!(!body.contains("第0行"));
    // About 150 bytes a line, whatever the log's length (the whole log was
    // five times this here, and 8.2 MB at 35,000 events).
    assert!(body.len() < 300 * shown, "{} bytes", body.len());
    // The socket goes on from the snapshot's seq.
    let mut socket = observer.socket(&held, room.last_seq).await.unwrap();
    let res = clerk.record(&held, "快照之后的一行").await;
    let seq: u64 = res.json().await.unwrap();
    let payloads = payloads_until(&mut socket, seq).await;
    assert_eq!(payloads.len(), 1);
    assert_eq!(payloads[0]["text"], "快照之后的一行");
    // The next load goes on from the kept public room (read since its seq).
    let again: app::model::RoomSnapshot = observer
        .rpc("observe_hearing", &[("hearing_id", &held)])
        .await
        .json()
        .await
        .unwrap();
    let again = again.base.unwrap();
    assert_eq!(again.last_seq, seq);
    assert_eq!(again.record.len(), shown);
    assert_eq!(again.record.last().unwrap().text, "快照之后的一行");
    assert_eq!(again.record_omitted, room.record_omitted + 1);
    server.finish().await;
}
