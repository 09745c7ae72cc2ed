//! 导入信访事项: pick a CSV, preview it with every row's errors, then import all
//! of it or nothing.

use super::ActionError;
use super::cases::Gate;
use super::ui::{LocalError, label, percent_encode, use_tr};
use crate::api::{CommitCaseImport, PreviewCaseImport};
use crate::case_import::{ImportPreview, PreviewRow, template_csv};
use crate::domain::access::Action;
use leptos::prelude::*;

/// Files larger than this are refused in the browser: an office's backlog is a
/// few hundred kilobytes, and a mistaken pick (a video…) should not be uploaded.
const MAX_FILE_BYTES: f64 = 5.0 * 1024.0 * 1024.0;

#[component]
pub fn ImportPage() -> impl IntoView {
    view! {
        <Gate action=Action::EditCases>
            <ImportForm />
        </Gate>
    }
}

#[component]
fn ImportForm() -> impl IntoView {
    let tr = use_tr();
    let preview = ServerAction::<PreviewCaseImport>::new();
    let commit = ServerAction::<CommitCaseImport>::new();
    // The file as base64, exactly as previewed: the import sends the same bytes.
    let data = RwSignal::new(None::<String>);
    let file_name = RwSignal::new(String::new());
    let local = RwSignal::new(None);
    let reading = RwSignal::new(false);

    let on_pick = move |ev: leptos::ev::Event| {
        data.set(None);
        preview.value().set(None);
        commit.value().set(None);
        local.set(None);
        read_picked_file(ev, file_name, data, local, reading);
    };
    let template_href = format!(
        "data:text/csv;charset=utf-8,{}",
        percent_encode(&template_csv())
    );
    let can_preview = move || data.with(Option::is_some) && !preview.pending().get();
    let valid = move || {
        preview
            .value()
            .with(|v| matches!(v, Some(Ok(p)) if p.is_valid()))
    };
    let imported = move || commit.value().with(|v| matches!(v, Some(Ok(_))));
    // Type-erased: the whole page as one type is too deep for the compiler.
    let controls = view! {
        <div class="row">
            <label>
                {tr.s("选择 CSV 文件", "Choose a CSV file")}
                <input type="file" accept=".csv,text/csv" data-testid="import-file" on:change=on_pick />
            </label>
            <button
                type="button"
                class="button secondary"
                data-testid="import-preview"
                disabled=move || !can_preview()
                on:click=move |_| {
                    if let Some(data_base64) = data.get_untracked() {
                        commit.value().set(None);
                        preview.dispatch(PreviewCaseImport { data_base64 });
                    }
                }
            >
                {tr.s("预览", "Preview")}
            </button>
            <button
                type="button"
                class="button"
                data-testid="import-commit"
                disabled=move || !valid() || imported() || commit.pending().get()
                on:click=move |_| {
                    if let Some(data_base64) = data.get_untracked() {
                        commit.dispatch(CommitCaseImport { data_base64 });
                    }
                }
            >
                {tr.s("确认导入", "Import")}
            </button>
        </div>
    }
    .into_any();

    let form = view! {
        <section class="card stack">
            <p class="muted">
                {tr.s(
                    "上传从表格软件导出的 CSV 文件（UTF-8 或 GBK/GB18030 编码均可）。导入前先预览：文件中只要有一处错误，就不会导入任何记录。",
                    "Upload a CSV exported from a spreadsheet (UTF-8 or GBK/GB18030). Preview first: if any row has an error, nothing is imported.",
                )}
            </p>
            <p>
                <a href=template_href download="信访事项导入模板.csv" rel="external" data-testid="import-template">
                    {tr.s("下载导入模板", "Download the template")}
                </a>
            </p>
            {controls}
            {move || reading.get().then(|| view! { <p class="muted">{tr.s("正在读取文件…", "Reading the file…")}</p> })}
            <LocalError message=local testid="import-local-error" />
            <ActionError result=preview.value() testid="import-error" />
            <ActionError result=commit.value() testid="import-commit-error" />
            {move || {
                commit
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .map(|n| {
                        view! {
                            <p class="ok" data-testid="import-done">
                                {move || if tr.is_zh() { format!("已导入 {n} 条。") } else { format!("Imported {n} cases.") }}
                                " "
                                <a href="/cases">{tr.s("查看信访事项", "See the cases")}</a>
                            </p>
                        }
                    })
            }}
        </section>
    }
    .into_any();

    view! {
        <h1>{tr.s("导入信访事项", "Import cases")}</h1>
        {form}
        {move || {
            preview
                .value()
                .get()
                .and_then(Result::ok)
                .map(|p| view! { <PreviewTable preview=p name=file_name.get_untracked() /> }.into_any())
        }}
        <p class="actions">
            <a href="/cases">{tr.s("返回信访事项", "Back to cases")}</a>
        </p>
    }
}

/// Reads the chosen file as a data: URL and keeps its base64 part.
pub(super) fn read_picked_file(
    ev: leptos::ev::Event,
    file_name: RwSignal<String>,
    data: RwSignal<Option<String>>,
    local: RwSignal<Option<(&'static str, &'static str)>>,
    reading: RwSignal<bool>,
) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;
        let Some(file) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            return;
        };
        if file.size() > MAX_FILE_BYTES {
            local.set(Some((
                "文件超过 5 MB，请拆分后分批导入",
                "The file is larger than 5 MB; split it",
            )));
            return;
        }
        let Ok(reader) = web_sys::FileReader::new() else {
            return;
        };
        file_name.set(file.name());
        reading.set(true);
        let done = reader.clone();
        let onload = Closure::once_into_js(move |_: web_sys::Event| {
            reading.set(false);
            // "data:text/csv;base64,AAAA…": everything after the first comma.
            let url = done.result().ok().and_then(|v| v.as_string());
            match url.as_deref().and_then(|u| u.split_once(',')) {
                Some((_, b64)) => data.set(Some(b64.to_owned())),
                None => local.set(Some(("无法读取该文件", "The file could not be read"))),
            }
        });
        let onerror = Closure::once_into_js(move |_: web_sys::Event| {
            reading.set(false);
            local.set(Some(("无法读取该文件", "The file could not be read")));
        });
        reader.set_onload(Some(onload.unchecked_ref()));
        reader.set_onerror(Some(onerror.unchecked_ref()));
        if reader.read_as_data_url(&file).is_err() {
            reading.set(false);
            local.set(Some(("无法读取该文件", "The file could not be read")));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        // Files are only picked in the browser.
        let _ = (ev, file_name, data, local, reading, MAX_FILE_BYTES);
    }
}

#[component]
fn PreviewTable(preview: ImportPreview, name: String) -> impl IntoView {
    let tr = use_tr();
    let rows = preview.rows.len();
    let errors = preview.error_count();
    let valid = preview.is_valid();
    let encoding = preview.encoding.label();
    view! {
        <section class="card" data-testid="import-preview-result" data-valid=valid.to_string()>
            <h2>{tr.s("预览", "Preview")} " · " {name}</h2>
            <p data-testid="import-encoding">
                {tr.s("文件编码：", "Encoding: ")} <strong>{encoding}</strong>
            </p>
            <p class:ok=valid class:error=!valid data-testid="import-summary">
                {move || match (valid, tr.is_zh()) {
                    (true, true) => format!("共 {rows} 条，均可导入。"),
                    (true, false) => format!("{rows} rows, all can be imported."),
                    (false, true) => format!("共 {rows} 条，发现 {errors} 处错误；请修改文件后重新上传，本次不会导入任何记录。"),
                    (false, false) => format!("{rows} rows, {errors} errors: fix the file and upload it again. Nothing will be imported."),
                }}
            </p>
            <table class="table responsive" data-testid="import-rows">
                <thead>
                    <tr>
                        <th>{tr.s("行", "Line")}</th>
                        <th>{tr.s("编号", "No.")}</th>
                        <th>{tr.s("标题", "Title")}</th>
                        <th>{tr.s("信访人", "Petitioners")}</th>
                        <th>{tr.s("收件日期", "Received")}</th>
                        <th>{tr.s("属地", "District")}</th>
                        <th>{tr.s("状态", "Status")}</th>
                        <th>{tr.s("问题", "Problems")}</th>
                    </tr>
                </thead>
                <tbody>{preview.rows.into_iter().map(|row| view! { <PreviewLine row /> }.into_any()).collect_view()}</tbody>
            </table>
        </section>
    }
}

#[component]
fn PreviewLine(row: PreviewRow) -> impl IntoView {
    let tr = use_tr();
    let bad = !row.errors.is_empty();
    let line = row.line;
    let draft = row.draft.clone();
    let cell = move |f: fn(&crate::domain::case::CaseDraft) -> String| {
        draft.as_ref().map(f).unwrap_or_default()
    };
    let status = row.draft.as_ref().map(|d| d.status);
    let errors = row.errors.clone();
    view! {
        <tr class:row-error=bad data-line=line>
            <td data-label=tr.s("行", "Line")>{line}</td>
            <td class="nowrap" data-label=tr.s("编号", "No.")>{cell(|d| d.number.clone())}</td>
            <td data-label=tr.s("标题", "Title")>{cell(|d| d.title.clone())}</td>
            <td data-label=tr.s("信访人", "Petitioners")>{cell(|d| d.petitioners.join("、"))}</td>
            <td class="nowrap" data-label=tr.s("收件日期", "Received")>{cell(|d| d.received_on.to_string())}</td>
            <td class="nowrap" data-label=tr.s("属地", "District")>{cell(|d| d.district.clone())}</td>
            <td class="nowrap" data-label=tr.s("状态", "Status")>{move || status.map(|s| label(tr.lang(), s))}</td>
            <td data-label=tr.s("问题", "Problems")>
                {if errors.is_empty() {
                    view! { <span class="ok">"✓"</span> }.into_any()
                } else {
                    view! {
                        <ul class="row-errors" data-testid="row-errors">
                            {errors
                                .into_iter()
                                .map(|e| {
                                    view! {
                                        <li>
                                            {move || {
                                                if tr.is_zh() {
                                                    format!("第 {line} 行：{}", e.message_zh())
                                                } else {
                                                    format!("Line {line}: {}", e.message_en())
                                                }
                                            }}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
            </td>
        </tr>
    }
}
