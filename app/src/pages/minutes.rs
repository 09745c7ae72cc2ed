//! 纪要 in the room (conclusion, confirmations, finalisation) and the archive
//! (档案): search finalised minutes, download them and the evidence bundle.

use super::ActionError;
use super::ui::use_tr;
use crate::api::{ConfirmMinutes, FinaliseMinutes, RecordConclusion, search_archive};
use crate::domain::RoomState;
use crate::domain::clock::{CHINA_OFFSET_SECONDS, format_zh};
use crate::domain::minutes::check_confirm;
use crate::domain::procedure::{Procedure, Stage};
use crate::model::{ArchiveEntry, ArchiveQuery};
use leptos::prelude::*;

/// What the reader may do with the minutes of this hearing.
#[derive(Clone, Debug, Default)]
pub struct MinutesRights {
    pub can_confirm: bool,
    pub can_finalise: bool,
    pub can_download: bool,
    pub can_export: bool,
    pub my_account_id: Option<String>,
}

/// The minutes card of the room: where they stand, and the reader's part in them.
#[component]
pub fn MinutesPanel(
    room: RwSignal<RoomState>,
    hearing_id: String,
    rights: MinutesRights,
) -> impl IntoView {
    let tr = use_tr();
    let finalised = Memo::new(move |_| room.with(|r| r.minutes.finalised.clone()));
    let closed = Memo::new(move |_| room.with(|r| r.procedure == Procedure::Closed));
    // The conclusion may be recorded from the deliberation on.
    let late = Memo::new(move |_| {
        room.with(|r| {
            r.procedure == Procedure::Closed
                || r.procedure
                    .stage()
                    .is_some_and(|s| s >= Stage::Deliberation)
        })
    });
    let minutes_href = format!("/hearings/{hearing_id}/minutes.pdf");
    let bundle_href = format!("/hearings/{hearing_id}/evidence.zip");
    let MinutesRights {
        can_confirm,
        can_finalise,
        can_download,
        can_export,
        my_account_id,
    } = rights;
    let hearing = StoredValue::new(hearing_id);
    view! {
        <section class="card minutes" data-testid="minutes">
            <div class="card-head">
                <h2>{tr.s("会议纪要", "Minutes")}</h2>
                <span class="chip" data-testid="minutes-status"
                    data-status=move || if finalised.get().is_some() { "final" } else { "draft" }>
                    {move || if finalised.get().is_some() { tr.s("已定稿", "Final")() } else { tr.s("草稿", "Draft")() }}
                </span>
            </div>
            {move || finalised.get().map(|f| view! {
                <p data-testid="minutes-final">
                    {move || if tr.is_zh() {
                        format!("{} 由{}定稿，已加盖电子签章并归档。", format_zh(f.at_ms, CHINA_OFFSET_SECONDS), f.by)
                    } else {
                        format!("Finalised by {} on {}, signed and archived.", f.by, format_zh(f.at_ms, CHINA_OFFSET_SECONDS))
                    }}
                </p>
                <p class="hint">"SHA-256 "<code class="sha" data-testid="minutes-sha">{f.sha256.clone()}</code></p>
            })}
            <Confirmations room />
            {(can_finalise).then(|| view! {
                <Show when=move || late.get() && finalised.get().is_none()>
                    {view! { <ConclusionForm room hearing=hearing.get_value() /> }.into_any()}
                </Show>
            })}
            {(can_confirm || can_finalise).then(|| {
                let me = my_account_id.clone();
                view! {
                    <Show when=move || closed.get() && finalised.get().is_none()>
                        {view! { <ConfirmAndFinalise room hearing=hearing.get_value() me=me.clone() can_confirm can_finalise /> }.into_any()}
                    </Show>
                }
            })}
            <p class="row">
                {can_download.then(|| view! {
                    <a class="button secondary" href=minutes_href.clone() rel="external" data-testid="minutes-link">
                        {move || if finalised.get().is_some() { tr.s("下载定稿纪要（已签章）", "Download the signed minutes")() } else { tr.s("下载纪要草稿", "Download the draft minutes")() }}
                    </a>
                })}
                {can_export.then(|| view! {
                    <a class="button secondary" href=bundle_href.clone() rel="external" data-testid="evidence-bundle-link">
                        {tr.s("下载证据包（含哈希清单）", "Download the evidence bundle")}
                    </a>
                })}
            </p>
        </section>
    }
    .into_any()
}

/// Who has confirmed the minutes as they stand.
#[component]
fn Confirmations(room: RwSignal<RoomState>) -> impl IntoView {
    let tr = use_tr();
    let lines = Memo::new(move |_| {
        room.with(|r| {
            r.minutes
                .confirmations
                .iter()
                .map(|c| (c.name.clone(), c.seq > r.minutes.content_seq, c.at_ms))
                .collect::<Vec<_>>()
        })
    });
    move || {
        let lines = lines.get();
        (!lines.is_empty()).then(|| view! {
            <ul class="confirmations" data-testid="minutes-confirmations">
                {lines.into_iter().map(|(name, current, at)| view! {
                    <li data-testid="minutes-confirmation" data-current=current.to_string()>
                        {name}" · "
                        {move || if current {
                            format!("{} {}", tr.s("已确认", "confirmed")(), format_zh(at, CHINA_OFFSET_SECONDS))
                        } else {
                            tr.s("确认后纪要有变动，需重新确认", "changed since; to confirm again")().to_owned()
                        }}
                    </li>
                }).collect_view()}
            </ul>
        })
    }
}

/// 评议结论: the host writes the panel's conclusion for the minutes.
#[component]
fn ConclusionForm(room: RwSignal<RoomState>, hearing: String) -> impl IntoView {
    let tr = use_tr();
    let action = ServerAction::<RecordConclusion>::new();
    // Starts from the recorded conclusion, read once so typing is never overwritten.
    let text = RwSignal::new(
        room.with_untracked(|r| r.minutes.conclusion.as_ref().map(|c| c.text.clone()))
            .unwrap_or_default(),
    );
    let hearing = StoredValue::new(hearing);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(RecordConclusion {
            hearing_id: hearing.get_value(),
            text: text.get_untracked(),
        });
    };
    view! {
        <form method="post" class="stack" on:submit=submit data-testid="conclusion-form">
            <label>
                {tr.s("评议结论（写入纪要）", "The panel's conclusion (for the minutes)")}
                <textarea rows="3" data-testid="conclusion-text" prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            </label>
            <button type="submit" data-testid="conclusion-save" disabled=move || action.pending().get()>
                {tr.s("保存评议结论", "Save the conclusion")}
            </button>
            {move || matches!(action.value().get(), Some(Ok(_))).then(|| view! {
                <p class="ok" data-testid="conclusion-saved">{tr.s("已保存", "Saved")}</p>
            })}
            <ActionError result=action.value() testid="conclusion-error" />
        </form>
    }
    .into_any()
}

/// 确认 (the host and each member) and 定稿 (the host), once the hearing is closed.
#[component]
fn ConfirmAndFinalise(
    room: RwSignal<RoomState>,
    hearing: String,
    me: Option<String>,
    can_confirm: bool,
    can_finalise: bool,
) -> impl IntoView {
    let tr = use_tr();
    let confirm = ServerAction::<ConfirmMinutes>::new();
    let finalise = ServerAction::<FinaliseMinutes>::new();
    let hearing = StoredValue::new(hearing);
    let mine_current = Memo::new(move |_| {
        room.with(|r| {
            me.as_deref()
                .is_some_and(|id| r.minutes.current_confirmation(id).is_some())
        })
    });
    let confirmable = Memo::new(move |_| room.with(|r| check_confirm(r).is_ok()));
    view! {
        <div class="row minutes-actions">
            {can_confirm.then(|| view! {
                <Show when=move || mine_current.get()>
                    <span class="ok" data-testid="minutes-confirmed">{tr.s("您已确认当前纪要", "You confirmed the minutes as they stand")}</span>
                </Show>
                // Confirming again is always possible: evidence filed after a
                // confirmation (kept outside the room's log) asks for a new one.
                <button type="button" data-testid="minutes-confirm"
                    class:secondary=move || mine_current.get()
                    disabled=move || !confirmable.get() || confirm.pending().get()
                    on:click=move |_| { confirm.dispatch(ConfirmMinutes { hearing_id: hearing.get_value() }); }>
                    {move || if mine_current.get() { tr.s("重新确认", "Confirm again")() } else { tr.s("确认纪要", "Confirm the minutes")() }}
                </button>
            })}
            {can_finalise.then(|| view! {
                <button type="button" data-testid="minutes-finalise"
                    disabled=move || !mine_current.get() || finalise.pending().get()
                    on:click=move |_| { finalise.dispatch(FinaliseMinutes { hearing_id: hearing.get_value() }); }>
                    {tr.s("定稿并加盖电子签章", "Finalise and sign")}
                </button>
            })}
        </div>
        {can_finalise.then(|| view! {
            <Show when=move || !mine_current.get()>
                <p class="hint">{tr.s("主持人确认当前纪要后方可定稿；未确认的评议员将在纪要中注明“未确认”。", "Confirm the minutes first; members who have not confirmed are marked so in the minutes.")}</p>
            </Show>
        })}
        <Show when=move || finalise.pending().get()>
            <p class="progress-note" role="status" data-testid="minutes-progress">
                {tr.s("正在依据事件日志生成纪要、加盖电子签章并归档…", "Rendering the minutes from the log, signing and archiving…")}
            </p>
        </Show>
        <ActionError result=confirm.value() testid="minutes-confirm-error" />
        <ActionError result=finalise.value() testid="minutes-finalise-error" />
    }
    .into_any()
}

/// 档案: the archivist's search over finalised minutes.
#[component]
pub fn ArchivePage() -> impl IntoView {
    let tr = use_tr();
    let query = RwSignal::new(ArchiveQuery::default());
    let search = Action::new(move |q: &ArchiveQuery| search_archive(q.clone()));
    // The whole archive (newest first) when the page opens.
    Effect::new(move |_| {
        search.dispatch(ArchiveQuery::default());
    });
    let field = move |get: fn(&ArchiveQuery) -> &String, set: fn(&mut ArchiveQuery, String)| {
        (
            move || get(&query.read()).clone(),
            move |ev| query.update(|q| set(q, event_target_value(&ev))),
        )
    };
    let (case_v, case_in) = field(|q| &q.case_number, |q, v| q.case_number = v);
    let (text_v, text_in) = field(|q| &q.text, |q, v| q.text = v);
    let (outcome_v, outcome_in) = field(|q| &q.outcome, |q, v| q.outcome = v);
    let (member_v, member_in) = field(|q| &q.member, |q, v| q.member = v);
    let (from_v, from_in) = field(|q| &q.from, |q, v| q.from = v);
    let (to_v, to_in) = field(|q| &q.to, |q, v| q.to = v);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        search.dispatch(query.get_untracked());
    };
    view! {
        <h1>{tr.s("纪要档案", "Archive of minutes")}</h1>
        <form method="post" class="card filters" on:submit=submit data-testid="archive-search">
            <label>{tr.s("案号", "Case number")}<input data-testid="archive-case" prop:value=case_v on:input=case_in /></label>
            <label>{tr.s("关键词（标题、信访人、责任单位）", "Words (title, petitioner, agency)")}<input data-testid="archive-text" prop:value=text_v on:input=text_in /></label>
            <label>{tr.s("表决结果", "Outcome")}<input data-testid="archive-outcome" prop:value=outcome_v on:input=outcome_in /></label>
            <label>{tr.s("评议员", "Panel member")}<input data-testid="archive-member" prop:value=member_v on:input=member_in /></label>
            <label>{tr.s("听证日期自", "Held from")}<input type="date" data-testid="archive-from" prop:value=from_v on:input=from_in /></label>
            <label>{tr.s("至", "to")}<input type="date" data-testid="archive-to" prop:value=to_v on:input=to_in /></label>
            <button type="submit" data-testid="archive-submit">{tr.s("检索", "Search")}</button>
            <a href="/verify" class="button secondary">{tr.s("纪要真伪验证", "Verify a minutes file")}</a>
        </form>
        <ActionError result=search.value() testid="archive-error" />
        {move || search.value().get().and_then(Result::ok).map(|entries| view! { <ArchiveTable entries /> })}
    }
    .into_any()
}

#[component]
fn ArchiveTable(entries: Vec<ArchiveEntry>) -> impl IntoView {
    use crate::domain::access::Action;
    let tr = use_tr();
    // Links only to what the reader may open (the archive serves several roles).
    let session = expect_context::<super::Session>();
    let may = |action| super::cases::may(session, action);
    let may_pdf = may(Action::DownloadMinutes);
    let may_zip = may(Action::ExportEvidence);
    let may_aftercare = may(Action::ManageAftercare) || may(Action::ViewStatistics);
    if entries.is_empty() {
        return view! { <p class="muted" data-testid="archive-empty">{tr.s("没有符合条件的定稿纪要", "No finalised minutes match")}</p> }.into_any();
    }
    let count = entries.len();
    view! {
        <p class="muted" data-testid="archive-count">{move || if tr.is_zh() { format!("共 {count} 份定稿纪要") } else { format!("{count} finalised minutes") }}</p>
        <table class="table" data-testid="archive-results">
            <thead><tr>
                <th>{tr.s("案号", "Case")}</th>
                <th>{tr.s("听证", "Hearing")}</th>
                <th>{tr.s("时间", "Held")}</th>
                <th>{tr.s("结果", "Outcome")}</th>
                <th>{tr.s("下载", "Download")}</th>
            </tr></thead>
            <tbody>
                {entries.into_iter().map(|e| {
                    let pdf = format!("/hearings/{}/minutes.pdf", e.hearing_id);
                    let zip = format!("/hearings/{}/evidence.zip", e.hearing_id);
                    view! {
                        <tr data-testid="archive-row" data-hearing=e.hearing_id.clone()>
                            <td>{e.case_number.clone()}</td>
                            <td>{e.hearing_title.clone()}<br /><span class="muted">{e.case_title.clone()}</span></td>
                            <td>{format_zh(e.starts_at_ms, CHINA_OFFSET_SECONDS)}</td>
                            <td>{e.outcome.clone()}</td>
                            <td>
                                {may_pdf.then(|| view! { <a href=pdf rel="external" data-testid="archive-minutes">{tr.s("纪要 PDF", "Minutes PDF")}</a>" " })}
                                {may_zip.then(|| view! { <a href=zip rel="external" data-testid="archive-bundle">{tr.s("证据包", "Evidence")}</a>" " })}
                                {may_aftercare.then(|| view! { <a href=format!("/hearings/{}/aftercare", e.hearing_id) data-testid="archive-aftercare">{tr.s("听后跟踪", "Aftercare")}</a> })}
                                <br /><code class="sha" title="SHA-256">{e.sha256.chars().take(16).collect::<String>()}"…"</code>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
