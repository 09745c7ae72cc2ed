//! 听证评议会一览: the list of hearings.

use super::use_lang;
use crate::api::list_hearings;
use crate::domain::clock::{CHINA_OFFSET_SECONDS, format_iso, format_zh};
use crate::i18n::Lang;
use crate::model::HearingSummary;
use leptos::prelude::*;

/// The date as the reader's language writes it.
pub fn format_when(lang: Lang, ms: i64) -> String {
    match lang {
        Lang::Zh => format_zh(ms, CHINA_OFFSET_SECONDS),
        Lang::En => format_iso(ms, CHINA_OFFSET_SECONDS),
    }
}

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let session = expect_context::<super::Session>();
    let hearings = Resource::new(move || session.version(), |_| list_hearings());

    view! {
        <h1>{move || t().hearings_heading}</h1>
        <Suspense fallback=move || view! { <p class="muted">{move || t().loading}</p> }>
            {move || {
                hearings
                    .get()
                    .map(|result| match result {
                        Ok(list) if list.is_empty() => {
                            view! { <p class="muted">{move || t().no_hearings}</p> }.into_any()
                        }
                        Ok(list) => view! { <HearingTable list /> }.into_any(),
                        // An account that lists no hearings (the bureau head)
                        // is taken to the first page it may use.
                        Err(crate::error::ApiError::Forbidden)
                            if session
                                .current()
                                .is_some_and(|me| crate::domain::access::landing_page(&me.roles) != "/") =>
                        {
                            let roles = session.current().map(|me| me.roles).unwrap_or_default();
                            let path = crate::domain::access::landing_page(&roles);
                            view! { <leptos_router::components::Redirect path=path /> }.into_any()
                        }
                        Err(e) => view! { <Refusal error=e /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

#[component]
fn HearingTable(list: Vec<HearingSummary>) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    view! {
        <table class="table" data-testid="hearing-list">
            <thead>
                <tr>
                    <th>{move || t().case_number}</th>
                    <th>{move || t().nav_hearings}</th>
                    <th>{move || t().scheduled}</th>
                    <th>{move || t().place}</th>
                </tr>
            </thead>
            <tbody>
                {list
                    .into_iter()
                    .map(|h| {
                        let href = format!("/hearings/{}", h.id);
                        let starts = h.starts_at_ms;
                        view! {
                            <tr>
                                <td class="nowrap">{h.case_number}</td>
                                <td>
                                    <a href=href>{h.title}</a>
                                </td>
                                <td class="nowrap">{move || format_when(lang.get(), starts)}</td>
                                <td>{h.place}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// Why a page shows nothing: not logged in (with the way to log in) or another refusal.
#[component]
pub fn Refusal(error: crate::error::ApiError) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let needs_login = error == crate::error::ApiError::NotLoggedIn;
    view! {
        <p class="error" role="alert" data-testid="refusal">{move || error.message(lang.get())}</p>
        {if needs_login {
            view! { <a class="button" href="/login">{move || t().login_link}</a> }.into_any()
        } else {
            view! { <a href="/">{move || t().back_to_list}</a> }.into_any()
        }}
    }
}
