//! 表决 in the room: the host defines, opens and closes ballots; seated members
//! vote (with a confirmation step and an unmistakable "您已投：…"), and give
//! their reasons or a dissent; everyone else sees only who has voted and, after
//! the close, the result. Drawn from `fold(events)`, which carries no individual
//! choice of a sealed ballot.

use super::ActionError;
use super::ui::use_tr;
use crate::api::{
    BallotForm, CloseBallot, DraftBallot, GiveBallotOpinion, MyBallot, OpenBallot, VoteAck,
};
use crate::domain::ballot::{
    BallotMode, BallotState, BallotStatus, MajorityRule, Outcome, default_options, next_question,
};
use crate::domain::room::RoomState;
use crate::error::ApiError;
use leptos::prelude::*;
use std::collections::HashMap;

/// What the room page knows of the asker for ballots.
#[derive(Clone, Copy)]
pub struct BallotRights {
    pub can_vote: bool,
    pub can_run: bool,
    /// The clerk's screen, where a member confirms the host's entry of their vote.
    pub can_confirm_proxy: bool,
    pub sees_panel: bool,
}

/// The asker's own choices and opinions, by ballot, as the server knows them;
/// `refresh` re-reads them (after a failed vote, and when a ballot changes state).
#[derive(Clone, Copy)]
struct Mine {
    store: RwSignal<HashMap<String, MyBallot>>,
    refresh: RwSignal<u32>,
}

impl Mine {
    fn choice(self, ballot_id: &str) -> Option<usize> {
        self.store.with(|m| m.get(ballot_id).and_then(|b| b.choice))
    }

    fn update(self, ballot_id: &str, change: impl FnOnce(&mut MyBallot)) {
        self.store.update(|m| {
            change(m.entry(ballot_id.to_owned()).or_insert_with(|| MyBallot {
                ballot_id: ballot_id.to_owned(),
                choice: None,
                opinion: None,
            }))
        });
    }
}

#[component]
pub fn BallotPanel(
    room: RwSignal<RoomState>,
    hearing_id: String,
    rights: BallotRights,
    /// 表决事项 planned at scheduling: the new-ballot form starts from them.
    planned: Vec<String>,
) -> impl IntoView {
    let tr = use_tr();
    let planned = StoredValue::new(planned);
    let mine = Mine {
        store: RwSignal::new(HashMap::new()),
        refresh: RwSignal::new(0),
    };
    if rights.can_vote {
        let id = hearing_id.clone();
        let loaded = Resource::new(
            move || (id.clone(), mine.refresh.get()),
            |(id, _)| crate::api::my_ballots(id),
        );
        Effect::new(move || {
            if let Some(Ok(list)) = loaded.get() {
                mine.store
                    .set(list.into_iter().map(|b| (b.ballot_id.clone(), b)).collect());
            }
        });
        // A ballot opening or closing: read one's own standing again.
        let statuses = Memo::new(move |_| {
            room.with(|r| r.ballots.iter().map(|b| b.status).collect::<Vec<_>>())
        });
        Effect::new(move |seen: Option<()>| {
            statuses.track();
            if seen.is_some() {
                mine.refresh.update(|n| *n += 1);
            }
        });
    }
    let hearing = StoredValue::new(hearing_id);
    let has_ballots = move || room.with(|r| !r.ballots.is_empty());
    view! {
        <Show when=move || has_ballots() || rights.can_run>
            <section class="card ballots" data-testid="ballots">
                <h2>{tr.s("表决", "Ballots")}</h2>
                <For
                    each=move || room.with(|r| r.ballots.iter().map(|b| b.spec.ballot_id.clone()).collect::<Vec<_>>())
                    key=|id| id.clone()
                    let:ballot_id
                >
                    {view! { <BallotCard room ballot_id=ballot_id.clone() hearing=hearing.get_value() rights mine /> }.into_any()}
                </For>
                {rights.can_run.then(|| view! { <NewBallotForm room hearing_id=hearing.get_value() planned=planned.get_value() /> }.into_any())}
                {rights.can_vote.then(|| view! { <MyProxyEntries room hearing_id=hearing.get_value() /> }.into_any())}
                {rights.can_confirm_proxy.then(|| view! { <ProxyConfirmations room hearing_id=hearing.get_value() /> }.into_any())}
            </section>
        </Show>
    }
    .into_any()
}

fn mode_label(zh: bool, mode: BallotMode) -> &'static str {
    match (mode, zh) {
        (BallotMode::Secret, true) => "不记名投票",
        (BallotMode::Secret, false) => "Secret ballot",
        (BallotMode::Named, true) => "记名投票",
        (BallotMode::Named, false) => "Named vote",
    }
}

#[component]
fn BallotCard(
    room: RwSignal<RoomState>,
    ballot_id: String,
    hearing: String,
    rights: BallotRights,
    mine: Mine,
) -> impl IntoView {
    let lang = super::use_lang();
    let id = StoredValue::new(ballot_id);
    let ballot = move || room.with(|r| r.ballot(&id.get_value()).cloned());
    // A memo: the forms below are rebuilt only when the status changes, not on
    // every event (which would drop a vote in flight or half-typed reasons).
    let status = Memo::new(move |_| room.with(|r| r.ballot(&id.get_value()).map(|b| b.status)));
    let status = move || status.get();
    // The reasons form lives from the opening on, across the close, so that
    // nothing half-typed is lost when the host closes the ballot.
    let opinable = Memo::new(move |_| !matches!(status(), None | Some(BallotStatus::Draft)));
    let tr = use_tr();
    let head = move || {
        ballot().map(|b| {
            let zh = lang.get() == crate::i18n::Lang::Zh;
            let rule = if zh {
                b.spec.rule.label_zh()
            } else {
                match b.spec.rule {
                    MajorityRule::Simple => "simple majority of seated members",
                    MajorityRule::TwoThirds => "two thirds of seated members",
                }
            };
            let status = if zh {
                b.status.label_zh()
            } else {
                match b.status {
                    BallotStatus::Draft => "Not open",
                    BallotStatus::Open => "Voting",
                    BallotStatus::Closed => "Closed",
                }
            };
            view! {
                <h3 data-testid="ballot-question">{b.spec.question.clone()}</h3>
                <p class="muted">
                    <span class="badge" data-testid="ballot-status" data-status=format!("{:?}", b.status).to_lowercase()>{status}</span>
                    " · "{mode_label(zh, b.spec.mode)}" · "{rule}
                    " · "{b.spec.options.join(" / ")}
                </p>
            }
        })
    };
    let turnout = move || {
        ballot()
            .filter(|b| b.status != BallotStatus::Draft)
            .map(|b| {
                let zh = lang.get() == crate::i18n::Lang::Zh;
                // After the close, the result's turnout: readers outside the
                // panel learn it only from the announcement (no "has voted").
                let counted = b
                    .result
                    .as_ref()
                    .map_or(b.voted.len(), |r| r.voted as usize);
                let seated = b.voters.len();
                let text = if zh {
                    format!("已投票 {counted} / {seated} 人（到场 {} 人）", b.present)
                } else {
                    format!("{counted} of {seated} have voted ({} present)", b.present)
                };
                view! { <p data-testid="ballot-turnout">{text}</p> }
            })
    };
    let hearing = StoredValue::new(hearing);
    view! {
        <article class="ballot" data-testid="ballot" data-ballot=id.get_value()>
            {head}
            {turnout}
            {move || (rights.can_run || rights.sees_panel).then(|| ballot().map(|b| view! { <VoterList ballot=b /> }))}
            {move || (status() == Some(BallotStatus::Open)).then(|| ballot().map(|b| view! { <LiveTally ballot=b /> }))}
            {move || (rights.can_vote && status() == Some(BallotStatus::Open)).then(|| view! {
                <VoteForm room ballot_id=id.get_value() hearing=hearing.get_value() mine />
            })}
            {move || (rights.can_vote && opinable.get()).then(|| view! {
                <OpinionForm ballot_id=id.get_value() hearing=hearing.get_value() mine />
            })}
            {move || (rights.can_vote && status() == Some(BallotStatus::Closed)).then(|| {
                let option = mine.choice(&id.get_value())?;
                let label = ballot()?.spec.options.get(option).cloned()?;
                Some(view! { <p class="my-vote" data-testid="my-final-vote">{tr.s("您的投票：", "Your vote: ")}<strong>{label}</strong></p> })
            })}
            {move || (status() == Some(BallotStatus::Closed)).then(|| ballot().map(|b| view! { <BallotResult ballot=b /> }))}
            {move || ballot().filter(|b| !b.opinions.is_empty()).map(|b| view! { <Opinions ballot=b /> })}
            {rights.can_run.then(|| view! { <HostControls room ballot_id=id.get_value() hearing=hearing.get_value() /> })}
        </article>
    }
    .into_any()
}

/// Who has voted (never how): the host and the panel follow the turnout.
#[component]
fn VoterList(ballot: BallotState) -> impl IntoView {
    if ballot.status == BallotStatus::Draft {
        return ().into_any();
    }
    view! {
        <ul class="voters" data-testid="ballot-voters">
            {ballot.voters.iter().map(|v| {
                let voted = ballot.voted.contains(&v.voter_id);
                view! {
                    <li class:voted=voted data-voted=voted.to_string()>
                        {if voted { "✓ " } else { "… " }}{v.name.clone()}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// Named ballots with a live tally: counts while voting goes on.
#[component]
fn LiveTally(ballot: BallotState) -> impl IntoView {
    if ballot.spec.sealed() || ballot.votes.is_empty() {
        return ().into_any();
    }
    let tally = ballot.tally();
    view! {
        <p class="muted" data-testid="live-tally">
            {ballot.spec.options.iter().zip(tally.counts).map(|(o, c)| format!("{o} {c} 票")).collect::<Vec<_>>().join(" · ")}
        </p>
    }
    .into_any()
}

/// A fresh idempotency key for one vote request (retries reuse it).
fn new_vote_key() -> String {
    // getRandomValues, unlike randomUUID, works on plain http (an office LAN).
    #[cfg(feature = "hydrate")]
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let mut bytes = [0u8; 16];
        if crypto.get_random_values_with_u8_array(&mut bytes).is_ok() {
            return hex::encode(bytes);
        }
    }
    format!("k{}", super::ui::now_ms())
}

/// Sends one vote, retrying a failed transport with the same key: the server
/// counts it once however many copies arrive.
async fn send_vote(
    hearing_id: String,
    ballot_id: String,
    option: usize,
) -> Result<VoteAck, ApiError> {
    let key = new_vote_key();
    let mut attempt = 0;
    loop {
        let result =
            crate::api::cast_vote(hearing_id.clone(), ballot_id.clone(), option, key.clone()).await;
        match result {
            Err(ApiError::Transport { .. }) if attempt < 3 => {
                attempt += 1;
                pause_ms(400 * attempt).await;
            }
            other => return other,
        }
    }
}

async fn pause_ms(ms: u64) {
    let (done, wait) = futures::channel::oneshot::channel::<()>();
    set_timeout(
        move || {
            let _ = done.send(());
        },
        std::time::Duration::from_millis(ms),
    );
    let _ = wait.await;
}

#[component]
fn VoteForm(
    room: RwSignal<RoomState>,
    ballot_id: String,
    hearing: String,
    mine: Mine,
) -> impl IntoView {
    let tr = use_tr();
    let id = StoredValue::new(ballot_id);
    let hearing = StoredValue::new(hearing);
    let options = move || {
        room.with(|r| {
            r.ballot(&id.get_value())
                .map(|b| b.spec.options.clone())
                .unwrap_or_default()
        })
    };
    let current = move || mine.choice(&id.get_value());
    let picked = RwSignal::new(None::<usize>);
    let confirming = RwSignal::new(false);
    let ballot_id = id.get_value();
    let vote = Action::new(move |option: &usize| {
        let ballot_id = ballot_id.clone();
        let sent = send_vote(hearing.get_value(), ballot_id.clone(), *option);
        async move {
            let result = sent.await;
            // Recorded in the panel's store at once, whatever happens to this form;
            // after a failure, what the server holds is read again and shown.
            match &result {
                Ok(ack) => mine.update(&ballot_id, |b| b.choice = Some(ack.option)),
                Err(_) => mine.refresh.update(|n| *n += 1),
            }
            result
        }
    });
    Effect::new(move || {
        if let Some(Ok(_)) = vote.value().get() {
            confirming.set(false);
            picked.set(None);
        }
    });
    let name_of = move |i: usize| options().get(i).cloned().unwrap_or_default();
    view! {
        <div class="vote" data-testid="vote-form">
            {move || match current() {
                Some(i) => view! {
                    <p class="my-vote" role="status" data-testid="my-vote">{tr.s("您已投：", "Your vote: ")}<strong>{name_of(i)}</strong>
                        <span class="muted">{tr.s("（表决结束前可以修改）", " (you may change it until the ballot closes)")}</span></p>
                }.into_any(),
                None => view! { <p class="muted" data-testid="my-vote-none">{tr.s("您尚未投票。", "You have not voted yet.")}</p> }.into_any(),
            }}
            <div class="options" role="radiogroup">
                {move || options().into_iter().enumerate().map(|(i, label)| view! {
                    <button type="button" class="option" data-testid="vote-option" data-option=i.to_string()
                        class:chosen=move || current() == Some(i)
                        class:picked=move || picked.get() == Some(i)
                        aria-pressed=move || (picked.get() == Some(i)).to_string()
                        on:click=move |_| { picked.set(Some(i)); confirming.set(true); }>
                        {label}
                    </button>
                }).collect_view()}
            </div>
            <Show when=move || confirming.get() && picked.get().is_some()>
                <div class="confirm" role="alertdialog" data-testid="vote-confirm">
                    <p>{tr.s("确认投", "Confirm your vote: ")}<strong>"“"{move || picked.get().map(name_of)}"”"</strong>{tr.s("？", "?")}</p>
                    <button type="button" data-testid="vote-confirm-yes" disabled=move || vote.pending().get()
                        on:click=move |_| { if let Some(i) = picked.get_untracked() { vote.dispatch(i); } }>
                        {move || if vote.pending().get() { tr.s("正在提交…", "Sending…")() } else { tr.s("确认投票", "Confirm")() }}
                    </button>
                    <button type="button" class="secondary" on:click=move |_| { confirming.set(false); picked.set(None); }>
                        {tr.s("取消", "Cancel")}
                    </button>
                </div>
            </Show>
            <ActionError result=vote.value() testid="vote-error" />
        </div>
    }
    .into_any()
}

#[component]
fn OpinionForm(ballot_id: String, hearing: String, mine: Mine) -> impl IntoView {
    let tr = use_tr();
    let action = ServerAction::<GiveBallotOpinion>::new();
    let id = StoredValue::new(ballot_id);
    let hearing = StoredValue::new(hearing);
    let text = RwSignal::new(String::new());
    let minority = RwSignal::new(false);
    // The saved opinion fills the form once loaded.
    Effect::new(move || {
        if let Some((saved, dissent)) = mine
            .store
            .with(|m| m.get(&id.get_value()).and_then(|b| b.opinion.clone()))
            && text.get_untracked().is_empty()
        {
            text.set(saved);
            minority.set(dissent);
        }
    });
    // What was saved becomes the member's own opinion on this screen too.
    Effect::new(move || {
        if let Some(Ok(_)) = action.value().get() {
            let saved = (
                text.get_untracked().trim().to_owned(),
                minority.get_untracked(),
            );
            mine.update(&id.get_value(), |b| b.opinion = Some(saved));
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(GiveBallotOpinion {
            hearing_id: hearing.get_value(),
            ballot_id: id.get_value(),
            text: text.get_untracked(),
            minority: minority.get_untracked(),
        });
    };
    view! {
        <form method="post" class="stack opinion" on:submit=submit data-testid="opinion-form">
            <label class="stack">
                <span>{tr.s("评议意见（理由）", "Your reasons")}</span>
                <textarea rows="3" data-testid="opinion-text" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            </label>
            <label class="row">
                <input type="checkbox" data-testid="opinion-minority" prop:checked=move || minority.get() on:change=move |ev| minority.set(event_target_checked(&ev)) />
                <span>{tr.s("作为少数意见记入纪要", "Record as a minority opinion (dissent)")}</span>
            </label>
            <ActionError result=action.value() testid="opinion-error" />
            // 0: a secret ballot still open holds it until the close (#21).
            {move || match action.value().get() {
                Some(Ok(0)) => Some(view! { <p class="ok" data-testid="opinion-saved">{tr.s(
                    "评议意见已保存：不记名表决结束时，与其他评议意见一并公布（不显示姓名，不按提交先后排列）。",
                    "Saved: published with the others when the secret ballot closes (without your name, in no telling order).",
                )}</p> }),
                Some(Ok(_)) => Some(view! { <p class="ok" data-testid="opinion-saved">{tr.s("评议意见已保存。", "Saved.")}</p> }),
                _ => None,
            }}
            <button type="submit" data-testid="opinion-submit">{tr.s("提交评议意见", "Save reasons")}</button>
        </form>
    }
    .into_any()
}

#[component]
fn BallotResult(ballot: BallotState) -> impl IntoView {
    let tr = use_tr();
    let Some(result) = ballot.result.clone() else {
        return ().into_any();
    };
    let outcome = ballot.outcome_zh(&result);
    let decided = matches!(result.outcome, Outcome::Decided { .. });
    view! {
        <div class="ballot-result" data-testid="ballot-result" data-decided=decided.to_string()>
            <p><strong>{tr.s("表决结果：", "Result: ")}</strong><span data-testid="ballot-outcome">{outcome}</span></p>
            <table class="table">
                <thead><tr><th>{tr.s("选项", "Option")}</th><th>{tr.s("票数", "Votes")}</th></tr></thead>
                <tbody data-testid="ballot-counts">
                    {ballot.spec.options.iter().zip(result.counts.iter()).map(|(o, c)| view! {
                        <tr><td>{o.clone()}</td><td>{*c}</td></tr>
                    }).collect_view()}
                    <tr class="muted"><td>{tr.s("未投票", "Did not vote")}</td><td>{result.seated.saturating_sub(result.voted)}</td></tr>
                </tbody>
            </table>
            {(!ballot.named.is_empty()).then(|| view! {
                <ul class="named-votes" data-testid="named-votes">
                    {ballot.named.iter().map(|n| view! {
                        <li>{n.name.clone()}"："{ballot.spec.options.get(n.option).cloned().unwrap_or_default()}
                            {n.proxy.as_ref().map(|p| format!("（由{}代为录入，理由：{}）", p.entered_by, p.reason))}</li>
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
    .into_any()
}

#[component]
fn Opinions(ballot: BallotState) -> impl IntoView {
    let tr = use_tr();
    view! {
        <div class="opinions" data-testid="opinions">
            <h4>{tr.s("评议意见", "Reasons")}</h4>
            <ul>
                {ballot.opinions.iter().map(|o| {
                    let who = if o.name.is_empty() { "评议员（不记名）".to_owned() } else { o.name.clone() };
                    view! {
                        <li><strong>{who}</strong>{ballot.is_dissent(o).then_some("【少数意见】")}"："{o.text.clone()}</li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
    .into_any()
}

#[component]
fn HostControls(room: RwSignal<RoomState>, ballot_id: String, hearing: String) -> impl IntoView {
    let tr = use_tr();
    let open = ServerAction::<OpenBallot>::new();
    let close = ServerAction::<CloseBallot>::new();
    let id = StoredValue::new(ballot_id);
    let hearing = StoredValue::new(hearing);
    let status = move || room.with(|r| r.ballot(&id.get_value()).map(|b| b.status));
    view! {
        <div class="row host-ballot">
            <Show when=move || status() == Some(BallotStatus::Draft)>
                <button type="button" data-testid="ballot-open" on:click=move |_| {
                    open.dispatch(OpenBallot { hearing_id: hearing.get_value(), ballot_id: id.get_value() });
                }>{tr.s("开始表决", "Open the ballot")}</button>
            </Show>
            <Show when=move || status() == Some(BallotStatus::Open)>
                <button type="button" data-testid="ballot-close" on:click=move |_| {
                    close.dispatch(CloseBallot { hearing_id: hearing.get_value(), ballot_id: id.get_value() });
                }>{tr.s("结束表决并计票", "Close and count")}</button>
                {view! { <ProxyVoteForm room ballot_id=id.get_value() hearing=hearing.get_value() /> }.into_any()}
            </Show>
        </div>
        <ActionError result=open.value() testid="ballot-open-error" />
        <ActionError result=close.value() testid="ballot-close-error" />
    }
    .into_any()
}

/// 代为录入: the host enters the vote of a member without a device, with a
/// reason; it counts once the member confirms it on the clerk's screen.
#[component]
fn ProxyVoteForm(room: RwSignal<RoomState>, ballot_id: String, hearing: String) -> impl IntoView {
    let tr = use_tr();
    let id = StoredValue::new(ballot_id);
    let hearing = StoredValue::new(hearing);
    let voter = RwSignal::new(String::new());
    let option = RwSignal::new(0usize);
    let reason = RwSignal::new(String::new());
    // The definition is frozen while open: built once, so a room update never
    // swaps the options under a selection being entered.
    let ballot = StoredValue::new(room.with_untracked(|r| r.ballot(&id.get_value()).cloned()));
    let ballot = move || ballot.get_value();
    let named = ballot().is_some_and(|b| b.spec.mode == BallotMode::Named);
    let action = ServerAction::<crate::api::RecordVoteFor>::new();
    Effect::new(move || {
        if let Some(Ok(_)) = action.value().get() {
            reason.set(String::new());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(crate::api::RecordVoteFor {
            hearing_id: hearing.get_value(),
            ballot_id: id.get_value(),
            voter_id: voter.get_untracked(),
            // A secret choice is the member's to make at the clerk's desk.
            option: named.then(|| option.get_untracked()),
            key: new_vote_key(),
            reason: reason.get_untracked(),
        });
    };
    view! {
        <details class="proxy-vote">
            <summary>{tr.s("代为录入（评议员无设备时）", "Enter a vote for a member without a device")}</summary>
            <form method="post" class="stack" on:submit=submit>
                <select data-testid="proxy-voter" on:change=move |ev| voter.set(event_target_value(&ev))>
                    <option value="" selected=move || voter.get().is_empty()>{tr.s("选择评议员", "Member")}</option>
                    {move || ballot().map(|b| b.voters.into_iter().map(|v| {
                        let mine = v.voter_id.clone();
                        view! { <option value=v.voter_id.clone() selected=move || voter.get() == mine>{v.name.clone()}</option> }
                    }).collect_view())}
                </select>
                {if named {
                    view! {
                        <select data-testid="proxy-option" on:change=move |ev| option.set(event_target_value(&ev).parse().unwrap_or(0))>
                            {move || ballot().map(|b| b.spec.options.into_iter().enumerate().map(|(i, o)| {
                                view! { <option value=i.to_string() selected=move || option.get() == i>{o}</option> }
                            }).collect_view())}
                        </select>
                    }.into_any()
                } else {
                    view! {
                        <p class="hint" data-testid="proxy-secret-hint">{tr.s(
                            "不记名表决：主持人只录入理由，由评议员本人在记录员的屏幕上选择，并以一次性验证码确认。",
                            "Secret ballot: enter only the reason; the member chooses on the clerk's screen and confirms with a one-time code.",
                        )}</p>
                    }.into_any()
                }}
                <input data-testid="proxy-reason" placeholder="代为录入的理由" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                <ActionError result=action.value() testid="proxy-error" />
                {move || match action.value().get() {
                    Some(Ok(request_id)) => Some(view! {
                        <p class="ok" data-testid="proxy-saved">{tr.s(
                            "已录入，待评议员本人以一次性验证码在记录员的屏幕上确认后计票。验证码显示在评议员本人手机的听证页面上；评议员没有手机时，请打印验证码交给本人。",
                            "Entered: it counts once the member confirms it on the clerk's screen with a one-time code, shown on the member's own phone, or printed here for a member without one.",
                        )}</p>
                        <PrintProxyCode request_id />
                    }),
                    _ => None,
                }}
                <button type="submit" data-testid="proxy-submit" disabled=move || action.pending().get()>{tr.s("录入，待本人确认", "Enter for confirmation")}</button>
            </form>
        </details>
    }
    .into_any()
}

/// 打印验证码: for a member without a phone, the host issues the entry's
/// one-time code and prints it for the member (audited; valid 10 minutes, for
/// this entry only; a new one voids the earlier).
#[component]
fn PrintProxyCode(request_id: String) -> impl IntoView {
    let tr = use_tr();
    let id = StoredValue::new(request_id);
    let issue = ServerAction::<crate::api::IssueProxyCode>::new();
    view! {
        <div class="proxy-print stack">
            <button type="button" class="button secondary" data-testid="proxy-print-code"
                disabled=move || issue.pending().get()
                on:click=move |_| { issue.dispatch(crate::api::IssueProxyCode { request_id: id.get_value() }); }>
                {tr.s("为无手机的评议员生成并打印验证码", "Issue and print a code for a member without a phone")}
            </button>
            <ActionError result=issue.value() testid="proxy-print-error" />
            {move || match issue.value().get() {
                Some(Ok(code)) => Some(view! {
                    <div class="proxy-slip" data-testid="proxy-slip">
                        <p>{tr.s("代为录入验证码（仅限本人使用，10 分钟内有效）：", "Proxy vote code (for the member only, valid 10 minutes):")}</p>
                        <p class="code" data-testid="proxy-printed-code"><strong>{code.code}</strong></p>
                        <button type="button" class="button secondary" on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            if let Some(window) = web_sys::window() {
                                let _ = window.print();
                            }
                        }>{tr.s("打印", "Print")}</button>
                    </div>
                }),
                _ => None,
            }}
        </div>
    }
    .into_any()
}

/// A member's own phone: the votes the host entered for them, waiting for their
/// confirmation, each with a button that shows a one-time code to tell the
/// clerk (or type on the clerk's screen). The password never leaves the phone.
#[component]
fn MyProxyEntries(room: RwSignal<RoomState>, hearing_id: String) -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let seq = Memo::new(move |_| room.with(|r| r.last_seq));
    let voting =
        Memo::new(move |_| room.with(|r| r.ballots.iter().any(|b| b.status == BallotStatus::Open)));
    Effect::new(move || {
        let open = voting.get();
        #[cfg(feature = "hydrate")]
        if open {
            let handle = set_interval_with_handle(
                move || refresh.update(|n| *n += 1),
                std::time::Duration::from_secs(5),
            );
            if let Ok(handle) = handle {
                on_cleanup(move || handle.clear());
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = open;
    });
    let entries = LocalResource::new(move || {
        let _ = (refresh.get(), seq.get());
        crate::api::my_proxy_entries(hearing_id.clone())
    });
    // Listed by id, so that a code on show stays while the list is read again.
    let list = RwSignal::new(Vec::<crate::api::PendingProxyVote>::new());
    Effect::new(move || {
        if let Some(Ok(now)) = entries.get()
            && list.with_untracked(|l| *l != now)
        {
            list.set(now);
        }
    });
    view! {
        <Show when=move || list.with(|l| !l.is_empty())>
            <div class="proxy-mine stack" data-testid="my-proxy-entries">
                <For each=move || list.get() key=|p| p.id.clone() let:p>
                    <MyProxyEntry p />
                </For>
            </div>
        </Show>
    }
    .into_any()
}

#[component]
fn MyProxyEntry(p: crate::api::PendingProxyVote) -> impl IntoView {
    let tr = use_tr();
    let id = StoredValue::new(p.id.clone());
    let issue = ServerAction::<crate::api::IssueProxyCode>::new();
    let what = match &p.choice {
        Some(choice) => format!(
            "主持人{}为您代为录入「{}：{}」（理由：{}）。如确认无误，请获取验证码并告诉记录员：",
            p.requested_by, p.question, choice, p.reason
        ),
        None => format!(
            "主持人{}为您申请代为录入「{}」（不记名，理由：{}）。请到记录员处选择，并以验证码确认：",
            p.requested_by, p.question, p.reason
        ),
    };
    view! {
        <div class="proxy-entry" data-testid="my-proxy-entry">
            <p>{what}</p>
            <button type="button" data-testid="proxy-show-code" disabled=move || issue.pending().get()
                on:click=move |_| { issue.dispatch(crate::api::IssueProxyCode { request_id: id.get_value() }); }>
                {tr.s("显示验证码", "Show a code")}
            </button>
            <ActionError result=issue.value() testid="proxy-code-error" />
            {move || match issue.value().get() {
                Some(Ok(code)) => Some(view! {
                    <p class="code">{tr.s("验证码（10 分钟内有效，仅可使用一次）：", "Code (valid 10 minutes, once): ")}
                        <strong data-testid="proxy-my-code">{code.code}</strong></p>
                }),
                _ => None,
            }}
        </div>
    }
    .into_any()
}

/// The clerk's screen: votes the host entered for members without a device,
/// each confirmed here with the one-time code issued to the member (never the
/// member's password).
#[component]
fn ProxyConfirmations(room: RwSignal<RoomState>, hearing_id: String) -> impl IntoView {
    let tr = use_tr();
    let refresh = RwSignal::new(0u32);
    // Ballots opening or closing, votes counted: read the waiting entries again.
    let seq = Memo::new(move |_| room.with(|r| r.last_seq));
    // The host's entry is not an event of the room: while a ballot is open the
    // list is also read every few seconds.
    let voting =
        Memo::new(move |_| room.with(|r| r.ballots.iter().any(|b| b.status == BallotStatus::Open)));
    Effect::new(move || {
        let open = voting.get();
        #[cfg(feature = "hydrate")]
        if open {
            let handle = set_interval_with_handle(
                move || refresh.update(|n| *n += 1),
                std::time::Duration::from_secs(5),
            );
            if let Ok(handle) = handle {
                on_cleanup(move || handle.clear());
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = open;
    });
    let pending = LocalResource::new(move || {
        let _ = (refresh.get(), seq.get());
        crate::api::pending_proxy_votes(hearing_id.clone())
    });
    // Kept in a signal and listed by id, so that a member typing a code is
    // not interrupted when the list is read again.
    let entries = RwSignal::new(None::<Vec<crate::api::PendingProxyVote>>);
    let failure = RwSignal::new(None::<ApiError>);
    Effect::new(move || match pending.get() {
        Some(Ok(list)) => {
            if entries.with_untracked(|e| e.as_ref() != Some(&list)) {
                entries.set(Some(list));
            }
            failure.set(None);
        }
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });
    view! {
        <div class="proxy-confirm" data-testid="proxy-confirmations">
            <div class="row">
                <h3>{tr.s("代为录入待本人确认", "Entries waiting for the member's confirmation")}</h3>
                <button type="button" class="button secondary" data-testid="proxy-refresh"
                    on:click=move |_| refresh.update(|n| *n += 1)>{tr.s("刷新", "Refresh")}</button>
            </div>
            <Show when=move || entries.with(|e| e.as_ref().is_some_and(Vec::is_empty))>
                <p class="muted" data-testid="proxy-none">{tr.s("暂无待确认的代为录入", "Nothing waiting")}</p>
            </Show>
            <For each=move || entries.get().unwrap_or_default() key=|p| p.id.clone() let:p>
                <ProxyConfirmation p refresh />
            </For>
            {move || failure.get().map(|e| view! { <p class="error">{e.message(tr.lang())}</p> })}
        </div>
    }
    .into_any()
}

#[component]
fn ProxyConfirmation(p: crate::api::PendingProxyVote, refresh: RwSignal<u32>) -> impl IntoView {
    let tr = use_tr();
    let code = RwSignal::new(String::new());
    let action = ServerAction::<crate::api::ConfirmProxyVote>::new();
    Effect::new(move || {
        if let Some(Ok(_)) = action.value().get() {
            code.set(String::new());
            refresh.update(|n| *n += 1);
        }
    });
    // In a secret ballot the member picks here; nothing of it is shown after.
    let chosen = RwSignal::new(None::<usize>);
    let secret = p.choice.is_none();
    let id = StoredValue::new(p.id.clone());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(crate::api::ConfirmProxyVote {
            request_id: id.get_value(),
            code: code.get_untracked(),
            option: chosen.get_untracked(),
        });
    };
    let what = match &p.choice {
        Some(choice) => format!(
            "{}：主持人{}代为录入「{}」，理由：{}",
            p.question, p.requested_by, choice, p.reason
        ),
        None => format!(
            "{}（不记名）：主持人{}申请代为录入，理由：{}。请评议员本人选择：",
            p.question, p.requested_by, p.reason
        ),
    };
    let radio_group = format!("proxy-choice-{}", p.id);
    let choices = secret.then(|| {
        p.options
            .iter()
            .enumerate()
            .map(|(i, o)| {
                view! {
                    <label class="row">
                        <input type="radio" name=radio_group.clone() data-testid="proxy-choice" value=i.to_string()
                            prop:checked=move || chosen.get() == Some(i)
                            on:change=move |_| chosen.set(Some(i)) />
                        {o.clone()}
                    </label>
                }
            })
            .collect_view()
    });
    let ready = move || !code.get().trim().is_empty() && (!secret || chosen.get().is_some());
    view! {
        <form method="post" class="stack proxy-pending" data-testid="proxy-pending" data-voter=p.voter_id.clone() on:submit=submit>
            <p><strong>{p.voter_name.clone()}</strong>" · "{what}</p>
            {choices}
            <input data-testid="proxy-code" autocomplete="one-time-code" inputmode="numeric" maxlength="6"
                placeholder="评议员本人的 6 位验证码（本人手机显示或主持人打印）"
                prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
            <ActionError result=action.value() testid="proxy-confirm-error" />
            <button type="submit" data-testid="proxy-confirm" disabled=move || action.pending().get() || !ready()>
                {tr.s("本人确认并计票", "Confirm and count")}
            </button>
        </form>
    }
    .into_any()
}

#[component]
fn NewBallotForm(
    room: RwSignal<RoomState>,
    hearing_id: String,
    planned: Vec<String>,
) -> impl IntoView {
    let tr = use_tr();
    let action = ServerAction::<DraftBallot>::new();
    let planned = StoredValue::new(planned);
    let next = move || {
        room.with(|r| {
            let asked: Vec<&str> = r.ballots.iter().map(|b| b.spec.question.as_str()).collect();
            planned.with_value(|p| next_question(p, &asked).to_owned())
        })
    };
    let question = RwSignal::new(next());
    // Once the question in the form is put (its ballot appears in the room),
    // the form moves on to the next planned one; a question being typed stays.
    Effect::new(move |_| {
        let upcoming = next();
        let typed = question.get_untracked();
        let asked = room.with(|r| {
            r.ballots
                .iter()
                .any(|b| b.spec.question.trim() == typed.trim())
        });
        if asked {
            question.set(upcoming);
        }
    });
    let options = RwSignal::new(default_options().join("\n"));
    let rule = RwSignal::new(MajorityRule::Simple);
    let mode = RwSignal::new(BallotMode::Secret);
    let live = RwSignal::new(false);
    let hearing = StoredValue::new(hearing_id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(DraftBallot {
            hearing_id: hearing.get_value(),
            form: BallotForm {
                ballot_id: String::new(),
                question: question.get_untracked(),
                options: options.get_untracked().lines().map(str::to_owned).collect(),
                rule: rule.get_untracked(),
                mode: mode.get_untracked(),
                live_tally: live.get_untracked(),
            },
        });
    };
    view! {
        <details class="new-ballot" data-testid="new-ballot">
            <summary>{tr.s("新增表决事项", "Add a question")}</summary>
            <form method="post" class="stack" on:submit=submit>
                <label class="stack"><span>{tr.s("表决事项", "Question")}</span>
                    <input data-testid="ballot-question-input" list="planned-questions" prop:value=move || question.get() on:input=move |ev| question.set(event_target_value(&ev)) /></label>
                <datalist id="planned-questions">
                    {planned.get_value().into_iter().filter(|q| !q.trim().is_empty()).map(|q| view! { <option value=q.trim().to_owned() /> }).collect_view()}
                </datalist>
                <label class="stack"><span>{tr.s("选项（每行一个）", "Options (one per line)")}</span>
                    <textarea rows="3" data-testid="ballot-options-input" prop:value=move || options.get() on:input=move |ev| options.set(event_target_value(&ev))></textarea></label>
                <div class="row">
                    <label class="stack"><span>{tr.s("投票方式", "Mode")}</span>
                        <select data-testid="ballot-mode" on:change=move |ev| mode.set(if event_target_value(&ev) == "named" { BallotMode::Named } else { BallotMode::Secret })>
                            <option value="secret">"不记名投票"</option>
                            <option value="named">"记名投票"</option>
                        </select></label>
                    <label class="stack"><span>{tr.s("通过规则", "Majority")}</span>
                        <select data-testid="ballot-rule" on:change=move |ev| rule.set(if event_target_value(&ev) == "two_thirds" { MajorityRule::TwoThirds } else { MajorityRule::Simple })>
                            <option value="simple">"过半数通过"</option>
                            <option value="two_thirds">"三分之二以上通过"</option>
                        </select></label>
                    <label class="row"><input type="checkbox" prop:checked=move || live.get() on:change=move |ev| live.set(event_target_checked(&ev)) />
                        <span>{tr.s("记名投票时实时显示计票", "Live tally (named votes only)")}</span></label>
                </div>
                <p class="muted">{tr.s("开始表决后，事项、选项、规则和投票方式即锁定。", "Question, options, rule and mode are frozen when the ballot opens.")}</p>
                <ActionError result=action.value() testid="ballot-draft-error" />
                <button type="submit" data-testid="ballot-draft-submit">{tr.s("保存表决事项", "Save the question")}</button>
            </form>
        </details>
    }
    .into_any()
}
