//! Voting (#8): ballots open only in the closed stages with a quorum, each member
//! counts once with the last vote, retries are idempotent, replays and votes
//! outside the ballot (before it opens, after it closes, by members not seated
//! when it opened) are refused, and a secret ballot's choices never leave the
//! server — not in the room, not on a socket, not on the public page. A named
//! ballot with a live tally shows each vote to the panel, never to the public.
#![allow(clippy::unwrap_used)]

use crate::common::{Client, Member, TestServer};
use futures::StreamExt;
use serde_json::{Value, json};

/// Steps the held hearing from the start into the closed deliberation (评议).
pub(crate) async fn into_deliberation(host: &Client, hearing: &str) {
    let step = |s: Value| json!({"hearing_id": hearing, "step": s});
    let (status, _) =
        TestServer::json_rpc(host, "step_procedure", step(json!({"step": "start"}))).await;
    assert_eq!(status, 200);
    for _ in 0..7 {
        let (status, body) =
            TestServer::json_rpc(host, "step_procedure", step(json!({"step": "advance"}))).await;
        assert_eq!(status, 200, "{body}");
    }
}

async fn draft(
    host: &Client,
    hearing: &str,
    question: &str,
    mode: &str,
    options: Value,
) -> (u16, Value) {
    draft_form(host, hearing, ballot_form(question, mode, options)).await
}

/// A new ballot's form: decided by simple majority, no live tally.
pub(crate) fn ballot_form(question: &str, mode: &str, options: Value) -> Value {
    json!({
        "ballot_id": "", "question": question, "options": options,
        "rule": "simple", "mode": mode, "live_tally": false,
    })
}

async fn draft_form(host: &Client, hearing: &str, form: Value) -> (u16, Value) {
    TestServer::json_rpc(
        host,
        "draft_ballot",
        json!({"hearing_id": hearing, "form": form}),
    )
    .await
}

pub(crate) async fn vote(
    member: &Client,
    hearing: &str,
    ballot: &str,
    option: usize,
    key: &str,
) -> (u16, Value) {
    let res = member
        .rpc(
            "cast_vote",
            &[
                ("hearing_id", hearing),
                ("ballot_id", ballot),
                ("option", &option.to_string()),
                ("key", key),
            ],
        )
        .await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn open_ballot(host: &Client, hearing: &str, ballot: &str) -> reqwest::Response {
    host.rpc(
        "open_ballot",
        &[("hearing_id", hearing), ("ballot_id", ballot)],
    )
    .await
}

/// The seq of the last event in a room snapshot.
fn frame_head(room: &Value) -> Value {
    room["events"].as_array().unwrap().last().unwrap()["seq"].clone()
}

pub(crate) fn refusal(body: &Value) -> Option<&str> {
    body["refusal"]["refusal"].as_str()
}

pub(crate) async fn room_json(client: &Client, hearing: &str) -> String {
    let res = client.rpc("load_room", &[("hearing_id", hearing)]).await;
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

/// The held demo hearing in deliberation, two more members seated and checked
/// in (three with the demo juror), and an open ballot on `question`.
async fn two_more_members_vote(
    server: &TestServer,
    question: &str,
    mode: &str,
    options: Value,
) -> (String, Client, Vec<Member>, String) {
    let held = server.todays_hearing().await;
    open_with_members(server, &held, 2, ballot_form(question, mode, options)).await
}

/// `hearing` in deliberation with `count` more members seated and checked in
/// (the demo juror holds one more seat, unchecked), and an open ballot drafted
/// from `form`.
pub(crate) async fn open_with_members(
    server: &TestServer,
    hearing: &str,
    count: usize,
    form: Value,
) -> (String, Client, Vec<Member>, String) {
    let host = server.client("host").await;
    let members = server.seat_members(hearing, count).await;
    into_deliberation(&host, hearing).await;
    check_in_all(&members, hearing).await;
    let (status, body) = draft_form(&host, hearing, form).await;
    assert_eq!(status, 200, "{body}");
    let ballot = body.as_str().unwrap().to_owned();
    assert_eq!(open_ballot(&host, hearing, &ballot).await.status(), 200);
    (hearing.to_owned(), host, members, ballot)
}

async fn check_in_all(members: &[Member], hearing: &str) {
    for m in members {
        let res = m.client.rpc("check_in", &[("hearing_id", hearing)]).await;
        assert_eq!(res.status(), 200);
    }
}

#[tokio::test]
async fn a_secret_ballot_counts_each_member_once_and_never_tells_how() {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    app::db::hearings::set_public(&server.db, &held, true)
        .await
        .unwrap();
    let host = server.client("host").await;
    let clerk = server.client("clerk").await;
    let observer = server.client("").await;
    // The demo juror already sits on this panel: with six more, seven seats.
    let members = server.seat_members(&held, 6).await;

    // A question needs two distinct options; a juror cannot define one.
    let (status, body) = draft(&host, &held, "诉求是否合理", "secret", json!(["支持"])).await;
    assert_eq!((status, refusal(&body)), (422, Some("invalid_draft")));
    let (status, _) = draft(
        &members[0].client,
        &held,
        "诉求是否合理",
        "secret",
        json!(["支持", "不支持"]),
    )
    .await;
    assert_eq!(status, 403);
    let (status, body) = draft(
        &host,
        &held,
        "信访人诉求是否合理",
        "secret",
        json!(["支持", "部分支持", "不支持"]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let ballot = body.as_str().unwrap().to_owned();

    // Not before the closed stages; not without two thirds of the seven present.
    let res = open_ballot(&host, &held, &ballot).await;
    assert_eq!(res.status(), 409);
    assert_eq!(
        refusal(&res.json().await.unwrap()),
        Some("not_voting_stage")
    );
    into_deliberation(&host, &held).await;
    check_in_all(&members[..4], &held).await;
    let res = open_ballot(&host, &held, &ballot).await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(refusal(&body), Some("no_quorum"));
    assert!(body.to_string().contains("\"needed\":5"), "{body}");
    // The clerk marks a member in the room by the name seated on the panel (a
    // name nobody holds a seat by is refused; it would count for nobody).
    let mark = |name: &str| json!({"hearing_id": held, "name": name, "part": "juror", "presence": "in_room"});
    let (status, body) = TestServer::json_rpc(&clerk, "mark_attendance", mark("无此评议员")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("attendance_invalid")),
        "{body}"
    );
    assert_eq!(body["reason"], "not_on_panel", "{body}");
    let (status, body) =
        TestServer::json_rpc(&clerk, "mark_attendance", mark(&members[4].name)).await;
    assert_eq!(status, 200, "{body}");
    // Picked from the clerk's list by account: the mark takes the panel's name.
    let picked = json!({"hearing_id": held, "name": "（列表选择）", "part": "juror",
        "presence": "in_room", "account": members[3].account_id});
    let (status, body) = TestServer::json_rpc(&clerk, "mark_attendance", picked).await;
    assert_eq!(status, 200, "{body}");
    let events = app::db::events::all(&server.db, &held).await.unwrap();
    let marked = app::domain::fold(&events).unwrap();
    let line = marked
        .attendance
        .iter()
        .rev()
        .find(|a| a.account.as_deref() == Some(members[3].account_id.as_str()))
        .expect("the member's mark");
    assert_eq!(line.name, members[3].name);
    assert_eq!(open_ballot(&host, &held, &ballot).await.status(), 200);
    // Frozen once open.
    let form = json!({"ballot_id": ballot, "question": "改了", "options": ["是", "否"], "rule": "simple", "mode": "named", "live_tally": true});
    let (status, body) = TestServer::json_rpc(
        &host,
        "draft_ballot",
        json!({"hearing_id": held, "form": form}),
    )
    .await;
    assert_eq!((status, refusal(&body)), (409, Some("already_open")));

    // A vote, its retry (same key: same seq, counted once), a change of mind,
    // and a late replay of the first request (refused, changes nothing).
    let m0 = &members[0].client;
    let (status, first) = vote(m0, &held, &ballot, 0, "key-a").await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["already_counted"], false);
    let (status, again) = vote(m0, &held, &ballot, 0, "key-a").await;
    assert_eq!(status, 200);
    assert_eq!(
        (again["seq"].clone(), again["already_counted"].clone()),
        (first["seq"].clone(), json!(true))
    );
    let (status, changed) = vote(m0, &held, &ballot, 2, "key-b").await;
    assert_eq!(status, 200);
    assert_ne!(changed["seq"], first["seq"]);
    let (status, body) = vote(m0, &held, &ballot, 0, "key-a").await;
    assert_eq!((status, refusal(&body)), (409, Some("replayed")));

    // Outsiders, unknown options and ballots, missing keys.
    assert_eq!(vote(&clerk, &held, &ballot, 0, "k1").await.0, 403);
    let (status, body) = vote(&members[1].client, &held, &ballot, 7, "k2").await;
    assert_eq!((status, refusal(&body)), (422, Some("unknown_option")));
    let (status, body) = vote(&members[1].client, &held, "no-such-ballot", 0, "k3").await;
    assert_eq!((status, refusal(&body)), (404, Some("unknown_ballot")));
    let (status, body) = vote(&members[1].client, &held, &ballot, 0, "").await;
    assert_eq!((status, refusal(&body)), (422, Some("bad_key")));

    // Four more votes: 支持 ×3, 不支持 ×2 with m0; one member does not vote.
    for (i, option) in [(1, 0), (2, 0), (3, 0), (4, 2)] {
        let key = format!("k-{i}");
        assert_eq!(
            vote(&members[i].client, &held, &ballot, option, &key)
                .await
                .0,
            200
        );
    }
    // A dissent, written by a member of the minority.
    let res = m0
        .rpc(
            "give_ballot_opinion",
            &[
                ("hearing_id", &held),
                ("ballot_id", &ballot),
                ("text", "证据不足以支持诉求"),
                ("minority", "true"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);

    // Held off the log while the ballot is open (#21): published at the close.
    let room = room_json(&host, &held).await;
    assert!(!room.contains("证据不足以支持诉求"), "{room}");
    // Each member sees their own choice; nobody else sees any choice.
    let mine: Value = m0
        .rpc("my_ballots", &[("hearing_id", &held)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["choice"], 2);
    assert_eq!(mine[0]["opinion"][1], true);
    for reader in [&host, &members[1].client] {
        let room = room_json(reader, &held).await;
        assert!(
            !room.contains("vote_cast"),
            "a choice left the server: {room}"
        );
        assert!(room.contains("vote_sealed"));
    }
    let room: Value = serde_json::from_str(&room_json(&host, &held).await).unwrap();
    // On a member's socket too: who voted, never how.
    let mut socket = members[6 - 1].client.socket(&held, 0).await.unwrap();
    let mut kinds = Vec::new();
    loop {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(2), socket.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let text = frame.into_text().unwrap();
        let frame: Value = serde_json::from_str(text.as_str()).unwrap();
        if frame["type"] == "event" {
            kinds.push(
                frame["event"]["payload"]["type"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
            if frame["event"]["seq"] == frame_head(&room) {
                break;
            }
        }
    }
    assert!(kinds.iter().any(|k| k == "vote_sealed"));
    assert!(!kinds.iter().any(|k| k == "vote_cast"), "{kinds:?}");

    // Close: the one tally decides; late votes are refused.
    let res = host
        .rpc(
            "close_ballot",
            &[("hearing_id", &held), ("ballot_id", &ballot)],
        )
        .await;
    assert_eq!(res.status(), 200);
    let (status, body) = vote(&members[5].client, &held, &ballot, 0, "late").await;
    assert_eq!((status, refusal(&body)), (409, Some("closed")));
    let events = app::db::events::all(&server.db, &held).await.unwrap();
    let room = app::domain::fold(&events).unwrap();
    let result = room.ballot(&ballot).unwrap().result.clone().unwrap();
    assert_eq!(result.counts, vec![3, 0, 2]);
    assert_eq!(result.voted, 5);
    assert_eq!(result.seated, 7);
    assert_eq!(result.needed, 4);
    assert_eq!(result.outcome, app::domain::ballot::Outcome::NoMajority);
    assert!(app::domain::verify_chain(&events).is_ok());
    // The secret opinion reaches the panel without its author.
    let room: Value = serde_json::from_str(&room_json(&host, &held).await).unwrap();
    let opinions: Vec<&Value> = room["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["payload"])
        .filter(|p| p["type"] == "opinion_given")
        .collect();
    assert_eq!(opinions.len(), 1);
    assert_eq!(opinions[0]["text"], "证据不足以支持诉求");
    assert_eq!(
        (
            opinions[0]["voter_id"].as_str(),
            opinions[0]["name"].as_str()
        ),
        (Some(""), Some(""))
    );
    assert!(opinions[0].get("salt").is_none());

    // The public page: nothing of the ballot before the announcement (#21);
    // then counts, never a name against a choice, no opinions.
    let public = observer
        .rpc("observe_hearing", &[("hearing_id", &held)])
        .await;
    assert_eq!(public.status(), 200);
    let public = public.text().await.unwrap();
    assert!(!public.contains("信访人诉求是否合理"), "{public}");
    for _ in 0..2 {
        let step = json!({"hearing_id": held, "step": {"step": "advance"}});
        assert_eq!(
            TestServer::json_rpc(&host, "step_procedure", step).await.0,
            200
        );
    }
    let public = observer
        .rpc("observe_hearing", &[("hearing_id", &held)])
        .await;
    let public = public.text().await.unwrap();
    assert!(
        public.contains("信访人诉求是否合理") && public.contains("no_majority"),
        "{public}"
    );
    assert!(!public.contains("vote_cast") && !public.contains("证据不足以支持诉求"));
    server.finish().await;
}

/// A question drafted but not yet opened takes no vote: the member is told
/// plainly (表决尚未开始), and nothing is left behind — once it opens, the same
/// request counts as a first vote, not as a replay.
#[tokio::test]
async fn the_host_s_room_offers_the_questions_planned_at_scheduling_and_no_one_else_s() {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    let planned = ["信访人补办宅基地证的诉求是否合理", "镇政府的处理是否得当"];
    // The host plans the questions (改期 form, 表决事项 one per line).
    let host_client = server.client("host").await;
    let res = host_client
        .rpc("hearing_detail", &[("hearing_id", held.as_str())])
        .await;
    let hearing = res.json::<Value>().await.unwrap()["hearing"].clone();
    let mut plan = hearing["plan"].clone();
    plan["questions"] = json!(planned);
    plan["short_notice_reason"] = json!("各方当事人均已到场，同意按原定时间举行");
    let body = json!({
        "hearing_id": held,
        "version": hearing["version"],
        "request": {"kind": "update", "plan": plan},
        "reason": "补充表决事项",
    });
    let (status, body) = TestServer::json_rpc(&host_client, "change_hearing", body).await;
    assert_eq!(status, 200, "{body}");
    let snapshot = |client: Client| {
        let held = held.clone();
        async move {
            let res = client
                .rpc("load_room", &[("hearing_id", held.as_str())])
                .await;
            assert_eq!(res.status(), 200);
            res.json::<app::model::RoomSnapshot>().await.unwrap()
        }
    };
    let host = snapshot(host_client).await;
    assert_eq!(host.planned_questions, planned);
    assert!(host.can_run_ballot);
    // The form's rule: the first planned one not yet asked.
    assert_eq!(
        app::domain::ballot::next_question(&host.planned_questions, &[planned[0]]),
        planned[1]
    );
    // A juror votes on what is put, and needs no plan.
    let juror = snapshot(server.client("juror").await).await;
    assert!(juror.planned_questions.is_empty());
    server.finish().await;
}

#[tokio::test]
async fn a_vote_before_the_ballot_opens_is_refused_with_a_clear_error() {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    let host = server.client("host").await;
    let members = server.seat_members(&held, 2).await;
    into_deliberation(&host, &held).await;
    check_in_all(&members, &held).await;
    let (status, body) = draft(
        &host,
        &held,
        "信访人诉求是否合理",
        "secret",
        json!(["支持", "不支持"]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let ballot = body.as_str().unwrap().to_owned();

    let m0 = &members[0].client;
    let (status, body) = vote(m0, &held, &ballot, 0, "early").await;
    assert_eq!((status, refusal(&body)), (409, Some("not_open")), "{body}");
    let error: app::error::ApiError = serde_json::from_value(body).unwrap();
    assert_eq!(
        error.message(app::i18n::Lang::Zh),
        "表决尚未开始，暂不能投票"
    );
    let events = app::db::events::all(&server.db, &held).await.unwrap();
    let room = app::domain::fold(&events).unwrap();
    assert!(room.ballot(&ballot).unwrap().votes.is_empty());

    assert_eq!(open_ballot(&host, &held, &ballot).await.status(), 200);
    let (status, body) = vote(m0, &held, &ballot, 0, "early").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["already_counted"], false);
    server.finish().await;
}

#[tokio::test]
async fn a_named_ballot_publishes_each_vote_and_a_proxy_needs_the_members_one_time_code() {
    let server = TestServer::start().await;
    let question = "是否建议责任单位重新核定补偿";
    let (held, host, members, ballot) =
        two_more_members_vote(&server, question, "named", json!(["是", "否"])).await;
    let juror = server.client("juror").await;

    assert_eq!(
        vote(&members[0].client, &held, &ballot, 0, "n1").await.0,
        200
    );
    // 刘评议 (the demo juror) cannot vote on his phone: the host enters it, he
    // confirms it on the clerk's screen with a one-time code his own phone shows
    // (never his password); only then does it count.
    let juror_id = app::db::accounts::by_username(&server.db, "juror")
        .await
        .unwrap()
        .unwrap()
        .id;
    let clerk = server.client("clerk").await;
    let enter = async |who: &Client, voter: &str, reason: &str| {
        let res = who
            .rpc(
                "record_vote_for",
                &[
                    ("hearing_id", held.as_str()),
                    ("ballot_id", ballot.as_str()),
                    ("voter_id", voter),
                    ("option", "0"),
                    ("key", "proxy-1"),
                    ("reason", reason),
                ],
            )
            .await;
        let status = res.status().as_u16();
        (status, res.json::<Value>().await.unwrap_or(Value::Null))
    };
    let confirm = async |who: &Client, request: &str, code: &str| {
        let res = who
            .rpc(
                "confirm_proxy_vote",
                &[("request_id", request), ("code", code)],
            )
            .await;
        let status = res.status().as_u16();
        if status == 200 {
            let ack: Value = res.json().await.unwrap();
            assert!(
                ack.get("option").is_none(),
                "the clerk's screen learns no choice: {ack}"
            );
        }
        status
    };
    assert_eq!(
        enter(&host, &juror_id, " ").await.0,
        422,
        "a reason is required"
    );
    // A juror cannot enter votes for others; the clerk cannot enter at all.
    assert_eq!(enter(&juror, &members[1].account_id, "r").await.0, 403);
    assert_eq!(enter(&clerk, &juror_id, "手机没电").await.0, 403);
    let (status, request) = enter(&host, &juror_id, "手机没电").await;
    assert_eq!(status, 200, "{request}");
    let request = request.as_str().unwrap().to_owned();
    let before =
        app::domain::fold(&app::db::events::all(&server.db, &held).await.unwrap()).unwrap();
    assert!(
        !before
            .ballot(&ballot)
            .unwrap()
            .votes
            .iter()
            .any(|v| v.juror_id == juror_id),
        "an entry not yet confirmed does not count"
    );
    // The clerk's screen lists it, with the choice (a named ballot).
    let res = clerk
        .rpc("pending_proxy_votes", &[("hearing_id", &held)])
        .await;
    assert_eq!(res.status(), 200);
    let pending: Value = res.json().await.unwrap();
    assert_eq!(pending[0]["id"], request.as_str());
    assert_eq!(pending[0]["choice"], "是");
    assert_eq!(pending[0]["reason"], "手机没电");
    assert_eq!(
        host.rpc("pending_proxy_votes", &[("hearing_id", &held)])
            .await
            .status(),
        403,
        "the host who entered it is not the screen that confirms it"
    );
    // No code issued yet: nothing confirms it.
    assert_eq!(confirm(&clerk, &request, "000000").await, 409);
    // The clerk cannot issue one; the member's own phone can (his own entry).
    assert_eq!(
        clerk
            .rpc("issue_proxy_code", &[("request_id", &request)])
            .await
            .status(),
        403
    );
    let code = shown_code(&juror, &request).await;
    assert_eq!(code.len(), 6, "{code}");
    assert_eq!(confirm(&host, &request, &code).await, 403);
    // The member's password is no code; a wrong code is refused and counted.
    assert_eq!(
        confirm(&clerk, &request, server::demo::DEMO_PASSWORD).await,
        422
    );
    let wrong = if code == "123456" { "654321" } else { "123456" };
    assert_eq!(confirm(&clerk, &request, wrong).await, 422);
    assert_eq!(confirm(&clerk, &request, &code).await, 200);
    assert_eq!(
        confirm(&clerk, &request, &code).await,
        404,
        "confirmed once"
    );
    assert_eq!(
        vote(&members[1].client, &held, &ballot, 1, "n2").await.0,
        200
    );

    let res = host
        .rpc(
            "close_ballot",
            &[("hearing_id", &held), ("ballot_id", &ballot)],
        )
        .await;
    assert_eq!(res.status(), 200);
    let room = room_json(&members[1].client, &held).await;
    assert!(
        room.contains("手机没电"),
        "the proxy and its reason are published to the panel"
    );
    let events = app::db::events::all(&server.db, &held).await.unwrap();
    let state = app::domain::fold(&events).unwrap();
    let closed = state.ballot(&ballot).unwrap();
    let result = closed.result.clone().unwrap();
    assert_eq!(result.counts, vec![2, 1]);
    assert_eq!(
        result.outcome,
        app::domain::ballot::Outcome::Decided { option: 0 }
    );
    assert_eq!(closed.named.len(), 3);
    let entered = closed
        .named
        .iter()
        .find(|n| n.voter_id == juror_id)
        .unwrap();
    assert_eq!(entered.proxy.as_ref().unwrap().reason, "手机没电");
    let audit = app::db::audit::recent(&server.db, 20).await.unwrap();
    assert!(audit.iter().any(|(a, _)| a == "proxy_vote_refused"));
    assert!(audit.iter().any(|(a, _)| a == "proxy_vote_confirmed"));
    server.finish().await;
}

#[tokio::test]
async fn a_secret_proxy_vote_is_chosen_by_the_member_at_the_clerks_desk() {
    let server = TestServer::start().await;
    let (held, host, members, ballot) =
        two_more_members_vote(&server, "诉求是否合理", "secret", json!(["支持", "不支持"])).await;
    let clerk = server.client("clerk").await;
    let member = &members[0];
    let enter = async |option: Option<&str>| {
        let mut form = vec![
            ("hearing_id", held.as_str()),
            ("ballot_id", ballot.as_str()),
            ("voter_id", member.account_id.as_str()),
            ("key", "secret-proxy-1"),
            ("reason", "手机没电"),
        ];
        if let Some(option) = option {
            form.push(("option", option));
        }
        let res = host.rpc("record_vote_for", &form).await;
        let status = res.status().as_u16();
        (status, res.json::<Value>().await.unwrap_or(Value::Null))
    };
    // The host never learns a secret choice: entering one is refused.
    let (status, body) = enter(Some("1")).await;
    assert_eq!(
        (status, refusal(&body)),
        (422, Some("proxy_choice_misplaced")),
        "{body}"
    );
    let (status, request) = enter(None).await;
    assert_eq!(status, 200, "{request}");
    let request = request.as_str().unwrap().to_owned();
    let res = clerk
        .rpc("pending_proxy_votes", &[("hearing_id", &held)])
        .await;
    let pending: Value = res.json().await.unwrap();
    assert_eq!(pending[0]["choice"], Value::Null);
    assert_eq!(pending[0]["options"], json!(["支持", "不支持"]));

    // The member chooses on the clerk's screen and confirms with the code
    // their own phone shows.
    let confirm = async |form: &[(&str, &str)]| {
        let res = clerk.rpc("confirm_proxy_vote", form).await;
        let status = res.status().as_u16();
        (status, res.json::<Value>().await.unwrap_or(Value::Null))
    };
    let code = shown_code(&member.client, &request).await;
    let (status, body) = confirm(&[("request_id", &request), ("code", &code)]).await;
    assert_eq!(
        (status, refusal(&body)),
        (422, Some("proxy_choice_missing")),
        "{body}"
    );
    let chosen = [
        ("request_id", request.as_str()),
        ("code", code.as_str()),
        ("option", "1"),
    ];
    let (status, ack) = confirm(&chosen).await;
    assert_eq!(status, 200, "{ack}");
    assert!(ack.get("option").is_none(), "{ack}");
    let events = app::db::events::all(&server.db, &held).await.unwrap();
    let room = app::domain::fold(&events).unwrap();
    let counted = room.ballot(&ballot).unwrap();
    assert!(
        counted
            .votes
            .iter()
            .any(|v| v.juror_id == member.account_id && v.option == 1)
    );
    server.finish().await;
}

/// The hearing's last committed seq.
pub(crate) async fn head(server: &TestServer, hearing: &str) -> u64 {
    app::db::hearings::head_seq(&server.db, hearing)
        .await
        .unwrap()
        .expect("the hearing exists")
}

/// The payloads of the event frames a socket receives, up to and including
/// `seq` (each frame awaited at most 2 s).
pub(crate) async fn payloads_until(socket: &mut crate::common::Socket, seq: u64) -> Vec<Value> {
    let mut payloads = Vec::new();
    loop {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(2), socket.next())
            .await
            .expect("a frame within 2 s")
            .expect("socket open")
            .unwrap();
        let Ok(text) = frame.into_text() else {
            continue;
        };
        let Ok(frame) = serde_json::from_str::<Value>(text.as_str()) else {
            continue;
        };
        if frame["type"] != "event" {
            continue;
        }
        payloads.push(frame["event"]["payload"].clone());
        if frame["event"]["seq"].as_u64() >= Some(seq) {
            return payloads;
        }
    }
}

pub(crate) fn of_type<'a>(payloads: &'a [Value], kind: &str) -> Vec<&'a Value> {
    payloads.iter().filter(|p| p["type"] == kind).collect()
}

/// The room as `rpc` ("load_room" or "observe_hearing") shows it to `reader`,
/// folded as the reader's browser folds it.
pub(crate) async fn room_seen_by(
    reader: &Client,
    rpc: &str,
    hearing: &str,
) -> app::domain::room::RoomState {
    let res = reader.rpc(rpc, &[("hearing_id", hearing)]).await;
    assert_eq!(res.status(), 200);
    let snapshot: app::model::RoomSnapshot = res.json().await.unwrap();
    let mut room = snapshot.base.unwrap_or_default();
    for event in &snapshot.events {
        room.apply(event).unwrap();
    }
    room
}

/// The one-time code for a waiting entry as `asker` gets it: the member on
/// their own phone, or the host printing it for a member without one.
pub(crate) async fn shown_code(asker: &Client, request: &str) -> String {
    let res = asker
        .rpc("issue_proxy_code", &[("request_id", request)])
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["code"].as_str().unwrap().to_owned()
}

/// 代为录入 by `host` for `voter`; returns (status, body).
pub(crate) async fn enter_vote_for(
    host: &Client,
    hearing: &str,
    ballot: &str,
    voter: &str,
    option: &str,
    key: &str,
) -> (u16, Value) {
    let form = [
        ("hearing_id", hearing),
        ("ballot_id", ballot),
        ("voter_id", voter),
        ("option", option),
        ("key", key),
        ("reason", "手机没电"),
    ];
    let res = host.rpc("record_vote_for", &form).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn confirm_entry(clerk: &Client, request: &str, code: &str) -> (u16, Value) {
    let form = [("request_id", request), ("code", code)];
    let res = clerk.rpc("confirm_proxy_vote", &form).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_live_named_ballot_shows_the_panel_each_vote_and_needs_two_thirds() {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    app::db::hearings::set_public(&server.db, &held, true)
        .await
        .unwrap();
    let observer = server.client("").await;
    let form = json!({
        "ballot_id": "", "question": "是否建议撤销原处理意见", "options": ["是", "否"],
        "rule": "two_thirds", "mode": "named", "live_tally": true,
    });
    // Five seats with the demo juror: two thirds is four votes, a simple majority three.
    let (held, host, members, ballot) = open_with_members(&server, &held, 4, form).await;
    let opened = head(&server, &held).await;
    let mut host_socket = host.socket(&held, opened).await.unwrap();
    let mut member_socket = members[3].client.socket(&held, opened).await.unwrap();
    let mut public_socket = observer.socket(&held, opened).await.unwrap();

    // 是 ×3, 否 ×1; the demo juror does not vote.
    for (i, option) in [(0, 0), (1, 0), (2, 0), (3, 1)] {
        let (status, body) = vote(
            &members[i].client,
            &held,
            &ballot,
            option,
            &format!("l-{i}"),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let last_vote = head(&server, &held).await;

    // Live on the sockets: the host and a member see who chose what, the public
    // only who voted.
    for socket in [&mut host_socket, &mut member_socket] {
        let payloads = payloads_until(socket, last_vote).await;
        let cast = of_type(&payloads, "vote_cast");
        let choices: Vec<(&str, u64)> = cast
            .iter()
            .map(|p| (p["voter"].as_str().unwrap(), p["option"].as_u64().unwrap()))
            .collect();
        let expected: Vec<(&str, u64)> = [(0, 0), (1, 0), (2, 0), (3, 1)]
            .iter()
            .map(|&(i, option)| (members[i].account_id.as_str(), option))
            .collect();
        assert_eq!(choices, expected, "{payloads:?}");
        assert!(of_type(&payloads, "vote_sealed").is_empty(), "{payloads:?}");
    }
    // The public: not even who voted before the announcement (#21).
    let public = payloads_until(&mut public_socket, last_vote).await;
    assert!(of_type(&public, "vote_cast").is_empty(), "{public:?}");
    assert!(of_type(&public, "vote_sealed").is_empty(), "{public:?}");
    assert!(public.iter().all(|p| p["type"] == "withheld"), "{public:?}");
    drop((host_socket, member_socket, public_socket));

    // In the room: live counts for the panel; for the public, nothing yet.
    for reader in [&host, &members[3].client] {
        let room = room_seen_by(reader, "load_room", &held).await;
        let live = room.ballot(&ballot).unwrap();
        assert_eq!(live.tally().counts, vec![3, 1]);
        assert_eq!(live.choice_of(&members[0].account_id), Some(0));
    }
    let room = room_seen_by(&observer, "observe_hearing", &held).await;
    assert!(room.ballot(&ballot).is_none(), "{:?}", room.ballots);

    // Three of five is a simple majority, short of two thirds: no majority.
    let res = host
        .rpc(
            "close_ballot",
            &[("hearing_id", &held), ("ballot_id", &ballot)],
        )
        .await;
    assert_eq!(res.status(), 200);
    let events = app::db::events::all(&server.db, &held).await.unwrap();
    let room = app::domain::fold(&events).unwrap();
    let result = room.ballot(&ballot).unwrap().result.clone().unwrap();
    assert_eq!(result.counts, vec![3, 1]);
    assert_eq!((result.voted, result.seated, result.needed), (4, 5, 4));
    assert!(result.counts[0] >= app::domain::ballot::MajorityRule::Simple.needed(5));
    assert_eq!(result.outcome, app::domain::ballot::Outcome::NoMajority);
    server.finish().await;
}

#[tokio::test]
async fn a_secret_ballot_drafted_with_a_live_tally_is_stored_without_one() {
    let server = TestServer::start().await;
    let held = server.todays_hearing().await;
    let mut form = ballot_form("诉求是否合理", "secret", json!(["支持", "不支持"]));
    form["live_tally"] = json!(true);
    let (held, host, members, ballot) = open_with_members(&server, &held, 2, form).await;
    let events = app::db::events::all(&server.db, &held).await.unwrap();
    let room = app::domain::fold(&events).unwrap();
    let spec = &room.ballot(&ballot).unwrap().spec;
    assert!(!spec.live_tally, "{spec:?}");
    assert!(spec.sealed());

    // So a vote reaches even the host sealed.
    let (status, body) = vote(&members[0].client, &held, &ballot, 1, "s-1").await;
    assert_eq!(status, 200, "{body}");
    let room = room_json(&host, &held).await;
    assert!(
        room.contains("vote_sealed") && !room.contains("vote_cast"),
        "{room}"
    );
    server.finish().await;
}

#[tokio::test]
async fn only_members_seated_when_the_ballot_opened_vote_or_are_entered_for() {
    let server = TestServer::start().await;
    let (held, host, _members, ballot) =
        two_more_members_vote(&server, "诉求是否合理", "named", json!(["是", "否"])).await;
    // Seated after the opening: on the panel now, not among this ballot's voters.
    let hash = app::auth::hash_password(server::demo::DEMO_PASSWORD.to_owned())
        .await
        .unwrap();
    let late = app::db::accounts::NewAccount {
        username: "late",
        display_name: "迟到评议员",
        password_hash: &hash,
        roles: &[app::domain::access::Role::Juror],
    };
    let late_id = app::db::accounts::create(&server.db, &late)
        .await
        .unwrap()
        .unwrap();
    app::db::hearings::seat_juror(&server.db, &held, &late_id)
        .await
        .unwrap();
    let late = server.client("late").await;
    let not_seated = |(status, body): (u16, Value)| {
        assert_eq!(
            (status, body["code"].as_str(), refusal(&body)),
            (403, Some("vote_refused"), Some("not_seated")),
            "{body}"
        );
    };
    not_seated(vote(&late, &held, &ballot, 0, "late-1").await);
    not_seated(enter_vote_for(&host, &held, &ballot, &late_id, "0", "late-2").await);
    // Nor for someone who never held a seat (the clerk).
    let clerk_id = app::db::accounts::by_username(&server.db, "clerk")
        .await
        .unwrap()
        .unwrap()
        .id;
    not_seated(enter_vote_for(&host, &held, &ballot, &clerk_id, "0", "clerk-1").await);

    let pending = app::db::proxy::of_hearing(&server.db, &held).await.unwrap();
    assert!(pending.is_empty(), "{pending:?}");
    let events = app::db::events::all(&server.db, &held).await.unwrap();
    let room = app::domain::fold(&events).unwrap();
    assert!(room.ballot(&ballot).unwrap().votes.is_empty());
    server.finish().await;
}

/// Makes deleting a waiting proxy entry fail (`refuse`) or work again, as a
/// storage fault between a confirmed vote and the end of its entry would.
async fn refuse_proxy_removal(db: &app::db::Db, refuse: bool) {
    let postgres = db.backend() == app::db::Backend::Postgres;
    let statements: &[&str] = match (postgres, refuse) {
        (false, true) => &[
            "CREATE TRIGGER keep_proxy_entries BEFORE DELETE ON proxy_vote_requests \
             BEGIN SELECT RAISE(ABORT, 'proxy entries are kept'); END",
        ],
        (false, false) => &["DROP TRIGGER keep_proxy_entries"],
        (true, true) => &[
            "CREATE FUNCTION keep_proxy_entries() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'proxy entries are kept'; END $$",
            "CREATE TRIGGER keep_proxy_entries BEFORE DELETE ON proxy_vote_requests \
             FOR EACH ROW EXECUTE FUNCTION keep_proxy_entries()",
        ],
        (true, false) => &[
            "DROP TRIGGER keep_proxy_entries ON proxy_vote_requests",
            "DROP FUNCTION keep_proxy_entries()",
        ],
    };
    let mut tx = db.begin().await.unwrap();
    for statement in statements {
        sqlx::query(statement).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// A confirmed proxy vote and the end of its waiting entry commit together: if
/// the entry cannot be cleared, the vote does not count either and the entry
/// still waits; confirmed again, it counts once.
#[tokio::test]
async fn a_proxy_vote_counts_only_together_with_the_end_of_its_entry() {
    let server = TestServer::start().await;
    let (held, host, members, ballot) =
        two_more_members_vote(&server, "诉求是否合理", "named", json!(["是", "否"])).await;
    let clerk = server.client("clerk").await;
    let member = &members[0].account_id;
    let (status, request) = enter_vote_for(&host, &held, &ballot, member, "1", "atomic-1").await;
    assert_eq!(status, 200, "{request}");
    let request = request.as_str().unwrap().to_owned();
    let before = head(&server, &held).await;
    // Printed by the host for a member without a phone.
    let code = shown_code(&host, &request).await;

    refuse_proxy_removal(&server.db, true).await;
    let (status, body) = confirm_entry(&clerk, &request, &code).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (500, Some("internal")),
        "{body}"
    );
    assert_eq!(
        head(&server, &held).await,
        before,
        "the vote was counted alone"
    );
    let pending = app::db::proxy::of_hearing(&server.db, &held).await.unwrap();
    assert_eq!(
        pending.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        [request.as_str()]
    );

    refuse_proxy_removal(&server.db, false).await;
    let (status, ack) = confirm_entry(&clerk, &request, &code).await;
    assert_eq!(status, 200, "{ack}");
    assert_eq!(ack["already_counted"], false, "{ack}");
    assert!(
        app::db::proxy::of_hearing(&server.db, &held)
            .await
            .unwrap()
            .is_empty()
    );
    let events = app::db::events::all(&server.db, &held).await.unwrap();
    let counted = app::domain::fold(&events).unwrap();
    let counted = counted.ballot(&ballot).unwrap();
    let votes: Vec<(&str, usize)> = counted
        .votes
        .iter()
        .map(|v| (v.juror_id.as_str(), v.option))
        .collect();
    assert_eq!(votes, [(member.as_str(), 1)]);
    assert_eq!(counted.proxies.len(), 1);
    assert_eq!(
        confirm_entry(&clerk, &request, &code).await.0,
        404,
        "confirmed once"
    );
    server.finish().await;
}
