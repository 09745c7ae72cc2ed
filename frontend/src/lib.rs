//! The browser entry point: hydrates the server-rendered page.

// The app's views are deeply nested types; the release build's layout queries
// of the whole route tree need more than the default 128 levels.
#![recursion_limit = "256"]

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
