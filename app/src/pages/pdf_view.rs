//! PDF exhibits previewed as pictures of their pages, drawn on a canvas by
//! pdf.js (app/src/pdfview.js), never by the browser's PDF viewer in a frame:
//! nothing in the file runs, and a phone that shows no PDF inside a page still
//! shows the page.

use super::ui::use_tr;
use leptos::prelude::*;

#[cfg(feature = "hydrate")]
mod js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(module = "/src/pdfview.js")]
    extern "C" {
        /// Resolves to the document's page count (0 when a newer draw took over).
        #[wasm_bindgen(js_name = renderPdfPage, catch)]
        pub fn render_pdf_page(
            canvas: &web_sys::HtmlCanvasElement,
            url: &str,
            page: u32,
        ) -> Result<web_sys::js_sys::Promise, JsValue>;
    }
}

/// Draws `page` of the PDF at `src`; `pages` learns how many pages it has.
/// `data-page` on the frame is the page last drawn (for readers and tests).
#[component]
pub fn PdfPages(
    src: String,
    title: String,
    #[prop(into)] page: Signal<u32>,
    pages: RwSignal<u32>,
) -> impl IntoView {
    let tr = use_tr();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let drawn = RwSignal::new(0u32);
    let failed = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move || {
        let Some(element) = canvas.get() else { return };
        let wanted = page.get().max(1);
        let src = src.clone();
        leptos::task::spawn_local(async move {
            match draw(&element, &src, wanted).await {
                Ok(0) => {} // a newer page is being drawn
                Ok(count) => {
                    pages.set(count);
                    drawn.set(wanted.min(count));
                    failed.set(false);
                }
                Err(()) => failed.set(true),
            }
        });
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (src, pages, page);
    view! {
        <div class="pdf-view" data-testid="preview-pdf"
            data-page=move || drawn.get().to_string() data-pages=move || pages.get().to_string()>
            <canvas node_ref=canvas role="img" aria-label=title></canvas>
            <Show when=move || failed.get()>
                <p class="error" data-testid="preview-pdf-failed">{tr.s(
                    "无法在页面中预览此 PDF，请下载后查看。",
                    "This PDF cannot be previewed here; download it to read it.",
                )}</p>
            </Show>
        </div>
    }
}

#[cfg(feature = "hydrate")]
async fn draw(canvas: &web_sys::HtmlCanvasElement, src: &str, page: u32) -> Result<u32, ()> {
    let promise = js::render_pdf_page(canvas, src, page).map_err(|_| ())?;
    match wasm_bindgen_futures::JsFuture::from(promise).await {
        Ok(count) => Ok(count.as_f64().map_or(0, |n| n as u32)),
        Err(e) => {
            leptos::logging::warn!("PDF preview failed: {e:?}");
            Err(())
        }
    }
}

/// A PDF to read on its own (the evidence list): a page at a time, turned here.
#[component]
pub fn PdfPreview(src: String, title: String) -> impl IntoView {
    let tr = use_tr();
    let page = RwSignal::new(1u32);
    let pages = RwSignal::new(0u32);
    let at_first = move || page.get() <= 1;
    let at_last = move || page.get() >= pages.get();
    view! {
        <div class="preview pdf">
            <PdfPages src title page pages />
            <p class="row pdf-pager">
                <button type="button" class="button secondary" data-testid="preview-prev"
                    disabled=at_first
                    on:click=move |_| page.update(|p| *p = p.saturating_sub(1).max(1))>
                    {tr.s("上一页", "Previous")}
                </button>
                <span data-testid="preview-page">{move || {
                    let total = pages.get();
                    if total == 0 { String::new() } else { format!("{} / {}", page.get(), total) }
                }}</span>
                <button type="button" class="button secondary" data-testid="preview-next"
                    disabled=at_last
                    on:click=move |_| page.update(|p| *p += 1)>
                    {tr.s("下一页", "Next")}
                </button>
            </p>
        </div>
    }
}
