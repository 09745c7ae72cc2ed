//! 证据材料: a hearing's exhibits. Parties (often on a phone) and the host file
//! evidence with a progress bar per file; everyone sees what they may, with the
//! exhibit's number and SHA-256; the host shares, releases, admits and shows;
//! parties and the panel record 质证 opinions.

use super::home::{Refusal, format_when};
use super::ui::{label, use_tr};
use super::{ActionError, Session};
use crate::api::{
    AdmitExhibit, CheckEvidence, ExhibitCustody, GiveExhibitOpinion, ShowExhibit, SwitchExhibit,
    WithdrawExhibit, evidence_list,
};
use crate::domain::case::Coded;
use crate::domain::evidence::{
    ExhibitStatus, ExhibitSwitch, FileKind, IntakeLimits, IntegrityFault, MIB, Opinion, Preview,
    Stance, Submitter,
};
use crate::error::ApiError;
use crate::model::{EvidencePage, ExhibitRecord, ExhibitView};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// "1.5 MB", "820 KB", "312 B".
pub fn format_size(bytes: u64) -> String {
    if bytes >= MIB {
        format!("{:.1} MB", bytes as f64 / MIB as f64)
    } else if bytes >= 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{bytes} B")
    }
}

/// The file's address; `download` offers it as a download.
pub fn file_href(exhibit_id: &str, download: bool) -> String {
    if download {
        format!("/exhibits/{exhibit_id}/file?download=1")
    } else {
        format!("/exhibits/{exhibit_id}/file")
    }
}

#[component]
pub fn HearingEvidence() -> impl IntoView {
    let tr = use_tr();
    let session = expect_context::<Session>();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    // Bumped after every change so the list reloads.
    let changed = RwSignal::new(0u32);
    // The upload queue outlives the list's reloads: a finished file stays in view.
    provide_context(UploadQueue::new());
    let data = Resource::new(
        move || (id(), session.version(), changed.get()),
        |(id, _, _)| evidence_list(id),
    );
    view! {
        <Transition fallback=move || view! { <p class="muted">{tr.s("加载中…", "Loading…")}</p> }>
            {move || data.get().map(|r| match r {
                Ok(page) => view! { <EvidenceBody page changed /> }.into_any(),
                Err(e) => view! { <Refusal error=e /> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn EvidenceBody(page: EvidencePage, changed: RwSignal<u32>) -> impl IntoView {
    let tr = use_tr();
    let hearing_id = page.hearing.id.clone();
    let count = page.exhibits.len();
    let may_manage = page.may_manage;
    let may_opine = page.may_give_opinion;
    let may_custody = page.may_view_custody;
    let rows = page.exhibits.clone();
    view! {
        <p><a href=format!("/hearings/{hearing_id}")>{tr.s("← 返回听证室", "← Back to the room")}</a></p>
        <h1>{tr.s("证据材料", "Evidence")}</h1>
        <p class="lead">{page.hearing.title.clone()}</p>
        <p class="muted">{tr.s("案号 ", "Case ")}{page.hearing.case_number.clone()}</p>
        {(!page.submit_as.is_empty()).then(|| view! {
            <Upload hearing_id=hearing_id.clone() sides=page.submit_as.clone() limits=page.limits.clone() changed />
        })}
        <section class="card">
            <div class="card-head">
                <h2>{tr.s("证据清单", "Exhibits")}</h2>
                <span class="muted" data-testid="exhibit-count">{count} {tr.s(" 份", " items")}</span>
            </div>
            {if rows.is_empty() {
                view! { <p class="muted" data-testid="no-exhibits">{tr.s("暂无可查看的证据材料。", "No exhibits you may see yet.")}</p> }.into_any()
            } else {
                view! {
                    <ol class="exhibits" data-testid="exhibits">
                        {rows.into_iter().map(|row| view! { <ExhibitItem row may_manage may_opine may_custody changed /> }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
        {may_manage.then(|| view! { <IntegrityCheck hearing_id=hearing_id.clone() /> })}
    }
}

/// Where one picked file stands.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Debug, PartialEq)]
enum UploadState {
    Ready,
    Uploading,
    Done {
        label: String,
    },
    Failed(ApiError),
    /// Refused before sending (empty, or over the size cap): never sent.
    Refused(ApiError),
}

/// A file picked for upload, with its description typed beside it.
#[derive(Clone, Copy)]
struct Picked {
    key: u32,
    name: StoredValue<String>,
    size: u64,
    title: RwSignal<String>,
    description: RwSignal<String>,
    purpose: RwSignal<String>,
    /// 0–100
    progress: RwSignal<u32>,
    state: RwSignal<UploadState>,
}

/// Files picked for upload and their progress, kept above the reloading list.
#[derive(Clone, Copy)]
struct UploadQueue {
    picked: RwSignal<Vec<Picked>>,
    next_key: StoredValue<u32>,
    side: RwSignal<Option<Submitter>>,
    /// The page's owner: a picked file's signals must outlive the list's re-renders.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    owner: StoredValue<Owner>,
    #[cfg(feature = "hydrate")]
    files: StoredValue<Vec<(u32, web_sys::File)>, LocalStorage>,
}

impl UploadQueue {
    fn new() -> Self {
        UploadQueue {
            picked: RwSignal::new(Vec::new()),
            next_key: StoredValue::new(0),
            side: RwSignal::new(None),
            // Thread-safe storage: on the server the page is rendered across threads.
            owner: StoredValue::new(Owner::current().unwrap_or_default()),
            #[cfg(feature = "hydrate")]
            files: StoredValue::new_local(Vec::new()),
        }
    }
}

/// The name without its extension: a sensible first title.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn title_from(name: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    stem.chars()
        .take(crate::domain::evidence::ExhibitDraft::TITLE_MAX)
        .collect()
}

#[component]
fn Upload(
    hearing_id: String,
    sides: Vec<Submitter>,
    limits: IntakeLimits,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let tr = use_tr();
    let queue = expect_context::<UploadQueue>();
    let first_side = sides.first().copied().unwrap_or(Submitter::Office);
    let side = Signal::derive(move || queue.side.get().unwrap_or(first_side));
    let picked = queue.picked;
    let next_key = queue.next_key;
    #[cfg(feature = "hydrate")]
    let files = queue.files;
    let accept = FileKind::accept_attribute(&limits.accepted);
    let kinds = limits
        .accepted
        .iter()
        .map(|k| k.extension().to_uppercase())
        .collect::<Vec<_>>()
        .join("、");
    let caps = format!(
        "{} MB / {} MB",
        limits.max_file_bytes / MIB,
        limits.max_hearing_bytes / MIB
    );

    #[cfg(feature = "hydrate")]
    let size_check = StoredValue::new(limits.clone());
    // Adds what the picker or a drop delivered; nothing is sent yet.
    #[cfg(feature = "hydrate")]
    let add_files = move |list: Option<web_sys::FileList>| {
        let Some(list) = list else { return };
        for index in 0..list.length() {
            let Some(file) = list.get(index) else {
                continue;
            };
            let key = next_key.get_value();
            next_key.set_value(key + 1);
            let name = file.name();
            let item = queue.owner.get_value().with(|| Picked {
                key,
                name: StoredValue::new(name.clone()),
                size: file.size() as u64,
                title: RwSignal::new(title_from(&name)),
                description: RwSignal::new(String::new()),
                purpose: RwSignal::new(String::new()),
                progress: RwSignal::new(0),
                // Over the cap: say so now, not after sending 50 MB from a phone.
                state: RwSignal::new(
                    match size_check.with_value(|l| l.check_size(file.size() as u64, 0)) {
                        Ok(()) => UploadState::Ready,
                        Err(reason) => UploadState::Refused(ApiError::EvidenceRefused { reason }),
                    },
                ),
            });
            picked.update(|p| p.push(item));
            files.update_value(|f| f.push((key, file)));
        }
    };
    let on_pick = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let input = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
            if let Some(input) = input {
                add_files(input.files());
                // The same file may be picked again after removing it.
                input.set_value("");
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, next_key);
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        add_files(ev.data_transfer().and_then(|d| d.files()));
    };
    let hearing = StoredValue::new(hearing_id);
    // One file after the other, in the order shown: the numbers (申-1, 申-2 …)
    // follow the order the party put its evidence in.
    let send_all = move |_| {
        let waiting: Vec<Picked> = picked
            .get_untracked()
            .into_iter()
            .filter(|item| {
                matches!(
                    item.state.get_untracked(),
                    UploadState::Ready | UploadState::Failed(_)
                )
            })
            .collect();
        #[cfg(feature = "hydrate")]
        {
            let queue: Vec<(Picked, web_sys::File)> = waiting
                .into_iter()
                .filter_map(|item| {
                    files.with_value(|f| {
                        f.iter()
                            .find(|(k, _)| *k == item.key)
                            .map(|(_, file)| (item, file.clone()))
                    })
                })
                .collect();
            upload_client::send_in_turn(hearing.get_value(), side.get_untracked(), queue, changed);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (waiting, &hearing, changed);
    };
    let remove = move |key: u32| {
        picked.update(|p| p.retain(|x| x.key != key));
        #[cfg(feature = "hydrate")]
        files.update_value(|f| f.retain(|(k, _)| *k != key));
    };
    let waiting = move || {
        picked.with(|p| {
            p.iter()
                .any(|x| matches!(x.state.get(), UploadState::Ready | UploadState::Failed(_)))
        })
    };
    let busy = move || picked.with(|p| p.iter().any(|x| x.state.get() == UploadState::Uploading));
    let single_side = sides.len() == 1;
    view! {
        <section class="card upload" data-testid="upload">
            <h2>{tr.s("提交证据", "Submit evidence")}</h2>
            {if single_side {
                view! { <p class="muted">{tr.s("提交方：", "Submitted by: ")}{move || label(tr.lang(), side.get())}</p> }.into_any()
            } else {
                view! {
                    <label class="stack">
                        <span>{tr.s("提交方", "Submitted for")}</span>
                        <select data-testid="upload-side" on:change=move |ev| {
                            if let Some(s) = Submitter::parse_code(&event_target_value(&ev)) { queue.side.set(Some(s)) }
                        }>
                            {sides.iter().map(|s| {
                                let s = *s;
                                view! { <option value=s.code() selected=move || side.get() == s>{move || label(tr.lang(), s)}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                }.into_any()
            }}
            <div
                class="dropzone"
                data-testid="dropzone"
                on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
                on:drop=on_drop
            >
                <p>{tr.s("将文件拖到此处，或", "Drop files here, or")}</p>
                <div class="row">
                    <label class="button">
                        {tr.s("选择文件", "Choose files")}
                        <input type="file" multiple accept=accept.clone() class="visually-hidden" data-testid="upload-input" on:change=on_pick />
                    </label>
                    <label class="button secondary">
                        {tr.s("拍照", "Take a photo")}
                        <input type="file" accept="image/*" capture="environment" class="visually-hidden" data-testid="upload-camera" on:change=on_pick />
                    </label>
                </div>
                <p class="hint">
                    {tr.s("接受：", "Accepted: ")}{kinds}{tr.s("。单个文件 / 每场听证上限：", ". Limit per file / per hearing: ")}{caps}
                </p>
            </div>
            <ul class="upload-list">
                <For each=move || picked.get() key=|p| p.key let:item>
                    <UploadRow item remove />
                </For>
            </ul>
            <Show when=waiting>
                <button type="button" class="button" data-testid="upload-submit" disabled=busy on:click=send_all>
                    {tr.s("提交全部", "Submit all")}
                </button>
            </Show>
        </section>
    }
}

#[component]
fn UploadRow(item: Picked, remove: impl Fn(u32) + Copy + Send + Sync + 'static) -> impl IntoView {
    let tr = use_tr();
    let lang = super::use_lang();
    let editable = move || {
        matches!(
            item.state.get(),
            UploadState::Ready | UploadState::Failed(_)
        )
    };
    let removable = move || editable() || matches!(item.state.get(), UploadState::Refused(_));
    view! {
        <li class="upload-row" data-testid="upload-row">
            <div class="upload-head">
                <strong class="file-name">{item.name.get_value()}</strong>
                <span class="muted">{format_size(item.size)}</span>
                <Show when=removable>
                    <button type="button" class="link-button" on:click=move |_| remove(item.key)>{tr.s("移除", "Remove")}</button>
                </Show>
            </div>
            <div class="form-grid">
                <label class="stack">
                    <span>{tr.s("证据名称", "Title")}<span class="req">"*"</span></span>
                    <input data-testid="upload-title" prop:value=move || item.title.get() disabled=move || !editable()
                        on:input=move |ev| item.title.set(event_target_value(&ev)) />
                </label>
                <label class="stack">
                    <span>{tr.s("证明目的", "What it proves")}</span>
                    <input data-testid="upload-purpose" prop:value=move || item.purpose.get() disabled=move || !editable()
                        on:input=move |ev| item.purpose.set(event_target_value(&ev)) />
                </label>
                <label class="stack wide">
                    <span>{tr.s("证据说明", "Description")}</span>
                    <textarea rows="2" prop:value=move || item.description.get() disabled=move || !editable()
                        on:input=move |ev| item.description.set(event_target_value(&ev))></textarea>
                </label>
            </div>
            <progress max="100" value=move || item.progress.get() data-testid="upload-progress"
                data-progress=move || item.progress.get().to_string()></progress>
            <p class="upload-status" data-testid="upload-status" data-state=move || match item.state.get() {
                UploadState::Ready => "ready",
                UploadState::Uploading => "uploading",
                UploadState::Done { .. } => "done",
                UploadState::Failed(_) => "failed",
                UploadState::Refused(_) => "refused",
            }>
                {move || match item.state.get() {
                    UploadState::Ready => tr.s("待提交", "Ready")().to_owned(),
                    UploadState::Uploading => format!("{}{}%", tr.s("上传中 ", "Uploading ")(), item.progress.get()),
                    UploadState::Done { label } => format!("{}{label}{}", tr.s("已提交：", "Filed: ")(), tr.s("，已登记入证据目录。", ", entered in the exhibit register.")()),
                    UploadState::Failed(e) | UploadState::Refused(e) => e.message(lang.get()),
                }}
            </p>
        </li>
    }
}

#[cfg(feature = "hydrate")]
mod upload_client {
    //! One XMLHttpRequest per file: `fetch` cannot report upload progress.
    use super::{Picked, UploadState};
    use crate::domain::case::Coded;
    use crate::domain::evidence::Submitter;
    use crate::error::ApiError;
    use crate::model::ExhibitRecord;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    fn failed(item: Picked, detail: &str) {
        item.state.try_set(UploadState::Failed(ApiError::Transport {
            detail: detail.to_owned(),
        }));
    }

    /// Sends the files one after the other; a refused file does not stop the rest.
    pub fn send_in_turn(
        hearing_id: String,
        side: Submitter,
        mut queue: Vec<(Picked, web_sys::File)>,
        changed: RwSignal<u32>,
    ) {
        if queue.is_empty() {
            return;
        }
        let (item, file) = queue.remove(0);
        for (waiting, _) in &queue {
            waiting.state.try_set(UploadState::Uploading);
            waiting.progress.try_set(0);
        }
        let next_hearing = hearing_id.clone();
        send(&hearing_id, side, item, &file, changed, move || {
            send_in_turn(next_hearing, side, queue, changed)
        });
    }

    fn send(
        hearing_id: &str,
        side: Submitter,
        item: Picked,
        file: &web_sys::File,
        changed: RwSignal<u32>,
        then: impl FnOnce() + 'static,
    ) {
        // Called once, whichever way the request ends.
        let then = std::rc::Rc::new(std::cell::RefCell::new(Some(then)));
        let finish = move || {
            if let Some(next) = then.borrow_mut().take() {
                next();
            }
        };
        let finish_on_error = finish.clone();
        let finish_on_send = finish.clone();
        let Ok(form) = web_sys::FormData::new() else {
            failed(item, "FormData");
            return finish();
        };
        // Text first, the file last: the server reads the form in order.
        // The page may have been left meanwhile: its signals are gone, the queue stops.
        let (Some(title), Some(description), Some(purpose)) = (
            item.title.try_get_untracked(),
            item.description.try_get_untracked(),
            item.purpose.try_get_untracked(),
        ) else {
            return;
        };
        let fields = [
            ("submitter", side.code().to_owned()),
            ("title", title),
            ("description", description),
            ("purpose", purpose),
        ];
        for (name, value) in fields {
            if form.append_with_str(name, &value).is_err() {
                failed(item, "FormData");
                return finish();
            }
        }
        if form
            .append_with_blob_and_filename("file", file, &file.name())
            .is_err()
        {
            failed(item, "FormData");
            return finish();
        }
        let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
            failed(item, "XMLHttpRequest");
            return finish();
        };
        if xhr
            .open_with_async("POST", &format!("/hearings/{hearing_id}/exhibits"), true)
            .is_err()
        {
            failed(item, "open");
            return finish();
        }
        let on_progress =
            Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
                if e.length_computable() && e.total() > 0.0 {
                    // 99 at most until the server has answered: stored is not yet filed.
                    let share = (e.loaded() / e.total() * 100.0).floor() as u32;
                    item.progress.try_set(share.min(99));
                }
            });
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        }
        let answered = xhr.clone();
        let on_load = Closure::<dyn FnMut()>::new(move || {
            let status = answered.status().unwrap_or(0);
            let body = answered.response_text().ok().flatten().unwrap_or_default();
            if status == 201 {
                match serde_json::from_str::<ExhibitRecord>(&body) {
                    Ok(exhibit) => {
                        item.progress.try_set(100);
                        item.state.try_set(UploadState::Done {
                            label: exhibit.label,
                        });
                        changed.try_update(|n| *n += 1);
                    }
                    Err(e) => failed(item, &e.to_string()),
                }
            } else {
                let error =
                    serde_json::from_str::<ApiError>(&body).unwrap_or(ApiError::Transport {
                        detail: format!("HTTP {status}"),
                    });
                item.progress.try_set(0);
                item.state.try_set(UploadState::Failed(error));
            }
            finish();
        });
        let on_error = Closure::<dyn FnMut()>::new(move || {
            item.progress.try_set(0);
            failed(item, "network");
            finish_on_error();
        });
        xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
        xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        item.state.try_set(UploadState::Uploading);
        if xhr.send_with_opt_form_data(Some(&form)).is_err() {
            failed(item, "send");
            return finish_on_send();
        }
        // The request owns its handlers from here; they live as long as the page.
        on_progress.forget();
        on_load.forget();
        on_error.forget();
    }
}

/// The status chips of an exhibit.
#[component]
fn ExhibitChips(view: ExhibitView) -> impl IntoView {
    let tr = use_tr();
    let e = view.exhibit;
    let status = e.status;
    view! {
        <span class="chips">
            <span class="chip" class:chip-muted=status == ExhibitStatus::Withdrawn class:chip-ok=status == ExhibitStatus::Admitted
                data-testid="exhibit-status">{move || label(tr.lang(), status)}</span>
            {e.shared_with_parties.then(|| view! { <span class="chip chip-info" data-testid="shared-badge">{tr.s("已向各方公开", "Shared with parties")}</span> })}
            {e.released_to_panel.then(|| view! { <span class="chip chip-info" data-testid="released-badge">{tr.s("已向评议员公开", "Released to the panel")}</span> })}
            {e.shown_live.then(|| view! { <span class="chip chip-info">{tr.s("已当庭展示", "Shown live")}</span> })}
            {view.challenged.then(|| view! { <span class="chip chip-warn" data-testid="challenged-badge">{tr.s("有异议", "Challenged")}</span> })}
        </span>
    }
}

#[component]
fn ExhibitItem(
    row: ExhibitView,
    may_manage: bool,
    may_opine: bool,
    may_custody: bool,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let tr = use_tr();
    let lang = super::use_lang();
    let e = row.exhibit.clone();
    let open = RwSignal::new(false);
    let withdrawn = e.status == ExhibitStatus::Withdrawn;
    let submitted = e.submitted_at_ms;
    let submitter = e.submitter;
    let (preview_id, preview_title) = (e.id.clone(), e.title.clone());
    // Built in parts (each type-erased): one view this deep overflows the compiler.
    let facts = view! {
        <dl class="facts compact">
            <dt>{tr.s("提交方", "Side")}</dt>
            <dd>{move || label(tr.lang(), submitter)}" · "{e.submitted_by_name.clone()}" · "{move || format_when(lang.get(), submitted)}</dd>
            {(!e.purpose.is_empty()).then(|| view! { <dt>{tr.s("证明目的", "What it proves")}</dt><dd>{e.purpose.clone()}</dd> })}
            {(!e.description.is_empty()).then(|| view! { <dt>{tr.s("说明", "Description")}</dt><dd class="pre">{e.description.clone()}</dd> })}
            <dt>{tr.s("文件", "File")}</dt>
            <dd>{e.file_name.clone()}" · "{move || label(tr.lang(), e.kind)}" · "{format_size(e.size_bytes)}</dd>
        </dl>
        // The digest proves the file is unchanged; people need not read it.
        <details class="tech-info">
            <summary>{tr.s("技术信息", "Technical details")}</summary>
            <p class="hint">{tr.s("文件摘要（SHA-256，用于核验文件提交后未被改动）：", "File digest (SHA-256, proves the file is unchanged since filing): ")}
                <code class="sha" data-testid="exhibit-sha">{e.sha256.clone()}</code></p>
        </details>
    }
    .into_any();
    let buttons = view! {
        <div class="row">
            <button type="button" class="button secondary" data-testid="preview-toggle" on:click=move |_| open.update(|o| *o = !*o)>
                {move || if open.get() { tr.s("收起", "Hide")() } else { tr.s("预览", "Preview")() }}
            </button>
            <a class="button secondary" href=file_href(&e.id, true) rel="external" download="">{tr.s("下载", "Download")}</a>
            {may_manage.then(|| view! { <HostActions exhibit=e.clone() changed /> }.into_any())}
            {(!may_manage && row.shows_on_own_floor).then(|| view! { <ShowOnFloor exhibit_id=e.id.clone() changed /> }.into_any())}
        </div>
        <Show when=move || open.get()>
            <ExhibitPreview id=preview_id.clone() kind=e.kind title=preview_title.clone() />
        </Show>
    }
    .into_any();
    let withdraw = row
        .may_withdraw
        .then(|| view! { <WithdrawForm exhibit_id=e.id.clone() changed /> }.into_any());
    let opinion = (may_opine && !withdrawn).then(|| {
        view! { <OpinionForm exhibit_id=e.id.clone() mine=row.opinions.clone() changed /> }
            .into_any()
    });
    let opinions = (may_manage && !row.opinions.is_empty()).then(|| {
        view! {
            <ul class="opinions" data-testid="opinions">
                {row.opinions.iter().map(|o| view! {
                    <li><strong>{o.author_name.clone()}</strong>"："{o.opinion.summary_zh()}
                        {(!o.opinion.comment.is_empty()).then(|| format!("。{}", o.opinion.comment))}</li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    });
    let custody = may_custody.then(|| view! { <Custody exhibit_id=e.id.clone() /> }.into_any());
    view! {
        <li class="exhibit" data-testid="exhibit-row" data-label=e.label.clone() data-status=e.status.code()>
            <div class="exhibit-head">
                <span class="exhibit-label" data-testid="exhibit-label">{e.label.clone()}</span>
                <strong class="exhibit-title">{e.title.clone()}</strong>
                <ExhibitChips view=row.clone() />
            </div>
            {facts}
            {buttons}
            {withdraw}
            {opinion}
            {opinions}
            {custody}
        </li>
    }
}

/// The file shown in the page: images, PDFs (their pages drawn as pictures),
/// audio and video players; anything else downloads.
#[component]
pub fn ExhibitPreview(id: String, kind: FileKind, title: String) -> impl IntoView {
    let tr = use_tr();
    let src = file_href(&id, false);
    match kind.preview() {
        Preview::Image => view! { <img class="preview" src=src alt=title data-testid="preview-image" /> }.into_any(),
        Preview::Pdf => view! { <super::pdf_view::PdfPreview src title /> }.into_any(),
        Preview::Audio => view! { <audio class="preview" controls src=src data-testid="preview-audio"></audio> }.into_any(),
        Preview::Video => view! { <video class="preview" controls src=src data-testid="preview-video"></video> }.into_any(),
        Preview::Download => view! {
            <p class="muted">{tr.s("此类文件不在页面中打开，请下载后查看：", "This kind of file is not opened in the page; download it: ")}
                <a href=file_href(&id, true) rel="external">{title}</a></p>
        }.into_any(),
    }
}

#[component]
fn HostActions(exhibit: ExhibitRecord, changed: RwSignal<u32>) -> impl IntoView {
    let tr = use_tr();
    let switch = ServerAction::<SwitchExhibit>::new();
    let admit = ServerAction::<AdmitExhibit>::new();
    let show = ServerAction::<ShowExhibit>::new();
    // Read the list again after a change, not after a refusal (its message stays).
    let succeeded = [
        Signal::derive(move || switch.value().with(|v| matches!(v, Some(Ok(_))))),
        Signal::derive(move || admit.value().with(|v| matches!(v, Some(Ok(_))))),
        Signal::derive(move || show.value().with(|v| matches!(v, Some(Ok(_))))),
    ];
    for (done, ok) in [switch.version(), admit.version(), show.version()]
        .into_iter()
        .zip(succeeded)
    {
        Effect::new(move |seen: Option<usize>| {
            let now = done.get();
            if seen.is_some_and(|s| s != now) && ok.get_untracked() {
                changed.update(|n| *n += 1);
            }
            now
        });
    }
    let id = exhibit.id.clone();
    let live = exhibit.status != ExhibitStatus::Withdrawn;
    let (released, shared) = (exhibit.released_to_panel, exhibit.shared_with_parties);
    let toggle = move |what: ExhibitSwitch, on: bool| {
        let exhibit_id = id.clone();
        move |_| {
            switch.dispatch(SwitchExhibit {
                exhibit_id: exhibit_id.clone(),
                what,
                on,
            });
        }
    };
    let id_admit = exhibit.id.clone();
    let id_show = exhibit.id.clone();
    view! {
        {live.then(|| view! {
            <button type="button" class="button secondary" data-testid="release-toggle"
                on:click=toggle(ExhibitSwitch::ReleaseToPanel, !released)>
                {if released { tr.s("撤销向评议员公开", "Withdraw from the panel") } else { tr.s("向评议员公开", "Release to the panel") }}
            </button>
            <button type="button" class="button secondary" data-testid="share-toggle"
                on:click=toggle(ExhibitSwitch::ShareWithParties, !shared)>
                {if shared { tr.s("撤销向各方公开", "Unshare") } else { tr.s("向各方公开", "Share with parties") }}
            </button>
            {(exhibit.status != ExhibitStatus::Admitted).then(|| view! {
                <button type="button" class="button secondary" data-testid="admit"
                    on:click=move |_| { admit.dispatch(AdmitExhibit { exhibit_id: id_admit.clone() }); }>
                    {tr.s("采纳", "Admit")}
                </button>
            })}
            <button type="button" class="button" data-testid="show-live"
                on:click=move |_| { show.dispatch(ShowExhibit { exhibit_id: id_show.clone() }); }>
                {tr.s("当庭展示", "Show in the room")}
            </button>
        })}
        <ActionError result=switch.value() testid="switch-error" />
        <ActionError result=admit.value() testid="admit-error" />
        <ActionError result=show.value() testid="show-error" />
    }
}

/// A party shows its own exhibit to the room while its side has the floor.
#[component]
fn ShowOnFloor(exhibit_id: String, changed: RwSignal<u32>) -> impl IntoView {
    let tr = use_tr();
    let show = ServerAction::<ShowExhibit>::new();
    Effect::new(move || {
        if let Some(Ok(_)) = show.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    view! {
        <button type="button" class="button" data-testid="show-on-floor" title=tr.s("本方发言时可当庭展示", "While your side has the floor")
            on:click=move |_| { show.dispatch(ShowExhibit { exhibit_id: exhibit_id.clone() }); }>
            {tr.s("当庭展示", "Show in the room")}
        </button>
        <ActionError result=show.value() testid="show-on-floor-error" />
    }
    .into_any()
}

#[component]
fn WithdrawForm(exhibit_id: String, changed: RwSignal<u32>) -> impl IntoView {
    let tr = use_tr();
    let action = ServerAction::<WithdrawExhibit>::new();
    let open = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    Effect::new(move || {
        if let Some(Ok(())) = action.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    view! {
        <Show when=move || open.get() fallback=move || view! {
            <button type="button" class="link-button" data-testid="withdraw-open" on:click=move |_| open.set(true)>{tr.s("撤回此证据", "Withdraw this exhibit")}</button>
        }>
            <div class="row">
                <label class="stack grow">
                    <span>{tr.s("撤回理由", "Reason")}</span>
                    <input data-testid="withdraw-reason" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                </label>
                <button type="button" class="button secondary" data-testid="withdraw-confirm" on:click={
                    let id = exhibit_id.clone();
                    move |_| { action.dispatch(WithdrawExhibit { exhibit_id: id.clone(), reason: reason.get_untracked() }); }
                }>{tr.s("确认撤回", "Withdraw")}</button>
            </div>
            <p class="hint">{tr.s("撤回后文件和记录仍予保存，但不再展示或质证。", "The file and its record are kept; it is no longer shown or examined.")}</p>
            <ActionError result=action.value() testid="withdraw-error" />
        </Show>
    }
}

#[component]
fn StanceSelect(
    label_zh: &'static str,
    label_en: &'static str,
    value: RwSignal<Stance>,
    testid: &'static str,
) -> impl IntoView {
    let tr = use_tr();
    view! {
        <label class="stack">
            <span>{tr.s(label_zh, label_en)}</span>
            <select data-testid=testid on:change=move |ev| {
                if let Some(s) = Stance::parse_code(&event_target_value(&ev)) { value.set(s) }
            }>
                {Stance::ALL.iter().map(|s| {
                    let s = *s;
                    view! { <option value=s.code() selected=move || value.get() == s>{move || label(tr.lang(), s)}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

/// 质证: the asker's opinion on the exhibit's 真实性、合法性、关联性.
#[component]
fn OpinionForm(
    exhibit_id: String,
    mine: Vec<crate::model::OpinionEntry>,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let tr = use_tr();
    let action = ServerAction::<GiveExhibitOpinion>::new();
    let current = mine.last().map(|o| o.opinion.clone());
    let start = current.clone().unwrap_or(Opinion {
        authenticity: Stance::NoComment,
        legality: Stance::NoComment,
        relevance: Stance::NoComment,
        comment: String::new(),
    });
    let authenticity = RwSignal::new(start.authenticity);
    let legality = RwSignal::new(start.legality);
    let relevance = RwSignal::new(start.relevance);
    let comment = RwSignal::new(start.comment.clone());
    Effect::new(move || {
        if let Some(Ok(())) = action.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(GiveExhibitOpinion {
            exhibit_id: exhibit_id.clone(),
            opinion: Opinion {
                authenticity: authenticity.get_untracked(),
                legality: legality.get_untracked(),
                relevance: relevance.get_untracked(),
                comment: comment.get_untracked(),
            },
        });
    };
    view! {
        <details class="opinion-form">
            <summary>{tr.s("质证意见", "Cross-examination opinion")}
                {current.map(|o| view! { <span class="muted" data-testid="my-opinion">" · "{tr.s("您已发表：", "Yours: ")}{o.summary_zh()}</span> })}
            </summary>
            <form method="post" on:submit=submit class="stack">
                <div class="row">
                    <StanceSelect label_zh="真实性" label_en="Authenticity" value=authenticity testid="opinion-authenticity" />
                    <StanceSelect label_zh="合法性" label_en="Legality" value=legality testid="opinion-legality" />
                    <StanceSelect label_zh="关联性" label_en="Relevance" value=relevance testid="opinion-relevance" />
                </div>
                <label class="stack">
                    <span>{tr.s("意见与理由", "Opinion and reasons")}</span>
                    <textarea rows="2" data-testid="opinion-comment" prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                </label>
                <ActionError result=action.value() testid="opinion-error" />
                <button type="submit" data-testid="opinion-submit">{tr.s("提交质证意见", "Record opinion")}</button>
            </form>
        </details>
    }
}

/// 保管链: every action on the exhibit, loaded when asked for.
#[component]
fn Custody(exhibit_id: String) -> impl IntoView {
    let tr = use_tr();
    let lang = super::use_lang();
    let action = ServerAction::<ExhibitCustody>::new();
    let result = action.value();
    view! {
        <details class="custody" on:toggle=move |_| {
            if result.get_untracked().is_none() {
                action.dispatch(ExhibitCustody { exhibit_id: exhibit_id.clone() });
            }
        }>
            <summary data-testid="custody-toggle">{tr.s("保管链", "Chain of custody")}</summary>
            {move || result.get().and_then(Result::ok).map(|entries| view! {
                <ol class="history" data-testid="custody">
                    {entries.into_iter().map(|c| {
                        let at = c.at_ms;
                        view! {
                            <li data-action=c.action.code()>
                                <span class="muted">{move || format_when(lang.get(), at)}</span>" "
                                <strong>{move || label(lang.get(), c.action)}</strong>" · "{c.actor_name.clone()}
                                {(!c.detail.is_empty()).then(|| format!(" · {}", c.detail))}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            })}
            <ActionError result=result testid="custody-error" />
        </details>
    }
}

/// 完整性校验: re-hashes every stored file and lists what no longer matches.
#[component]
fn IntegrityCheck(hearing_id: String) -> impl IntoView {
    let tr = use_tr();
    let action = ServerAction::<CheckEvidence>::new();
    let result = action.value();
    view! {
        <section class="card">
            <h2>{tr.s("完整性校验", "Integrity check")}</h2>
            <p class="hint">{tr.s("重新计算每份已存文件的 SHA-256，与提交时记录的哈希比对。", "Re-hashes every stored file and compares it with the hash recorded at filing.")}</p>
            <button type="button" class="button secondary" data-testid="integrity-check" disabled=move || action.pending().get()
                on:click=move |_| { action.dispatch(CheckEvidence { hearing_id: hearing_id.clone() }); }>
                {tr.s("开始校验", "Check now")}
            </button>
            {move || result.get().and_then(Result::ok).map(|report| {
                if report.faults.is_empty() {
                    view! { <p class="ok" data-testid="integrity-ok">{tr.s("全部一致：", "All match: ")}{report.checked}{tr.s(" 份文件未被改动。", " files unaltered.")}</p> }.into_any()
                } else {
                    view! {
                        <ul class="error" data-testid="integrity-faults">
                            {report.faults.into_iter().map(|(label, sha, fault)| view! {
                                <li>{label}" · "{match fault {
                                    IntegrityFault::Missing => format!("文件缺失（应为 {sha}）"),
                                    IntegrityFault::Altered { actual } => format!("不一致：记录 {sha}，现为 {actual}"),
                                }}</li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            })}
            <ActionError result=result testid="integrity-error" />
        </section>
    }
}
