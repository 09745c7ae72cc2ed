//! 登录: username and password for staff and panel members.

use super::{Session, use_lang};
use crate::api::Login;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_navigate;

#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let session = expect_context::<Session>();
    let login = ServerAction::<Login>::new();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let pending = login.pending();
    let result = login.value();
    let navigate = use_navigate();

    Effect::new(move || {
        if let Some(Ok(me)) = result.get() {
            session.changed();
            navigate(
                crate::domain::access::landing_page(&me.roles),
                Default::default(),
            );
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        login.dispatch(Login {
            username: username.get_untracked(),
            password: password.get_untracked(),
        });
    };

    view! {
        <section class="card narrow">
            <h1>{move || t().login_heading}</h1>
            // Before hydration (a slow phone) the browser itself posts the form
            // to the server function: POST, never the password in a URL. The
            // server then redirects home, or back here with the error.
            <form class="stack" method="post" action=Login::PATH on:submit=submit data-testid="login-form">
                <label for="login-username">{move || t().username}</label>
                <input
                    id="login-username"
                    name="username"
                    autocomplete="username"
                    data-testid="login-username"
                    prop:value=move || username.get()
                    on:input=move |ev| username.set(event_target_value(&ev))
                />
                <label for="login-password">{move || t().password}</label>
                <input
                    id="login-password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    data-testid="login-password"
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                <super::ActionError result=result testid="login-error" />
                <button type="submit" data-testid="login-submit" disabled=move || pending.get()>
                    {move || if pending.get() { t().logging_in } else { t().login_submit }}
                </button>
            </form>
            // Citizens who come to watch need no account.
            <p class="muted">
                <a href="/public/hearings" rel="external" data-testid="login-public-list">
                    {super::ui::use_tr().s("听证公告（公开听证，无需登录即可旁听）", "Public hearings (watch without an account)")}
                </a>
            </p>
        </section>
    }
}
