//! 邀请当事人: the host makes single-use links (with QR codes) for the parties,
//! sees which were used, and revokes them.

use super::home::format_when;
use super::use_lang;
use crate::api::{InviteParty, ReissueInvitation, RevokeInvitation, list_invitations};
use crate::domain::access::PartyKind;
use crate::domain::invitation::DEFAULT_VALID_DAYS;
use crate::i18n::Lang;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

fn kind_label(lang: Lang, kind: PartyKind) -> &'static str {
    match lang {
        Lang::Zh => kind.label_zh(),
        Lang::En => kind.label_en(),
    }
}

#[component]
pub fn InvitePanel(hearing_id: String) -> impl IntoView {
    let lang = use_lang();
    let t = move || lang.get().texts();
    let invite = ServerAction::<InviteParty>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let reissue = ServerAction::<ReissueInvitation>::new();
    // The newest link made here (invited or re-issued) is the one shown.
    let shown = RwSignal::new(None::<Result<crate::model::InvitationLink, crate::error::ApiError>>);
    Effect::new(move || {
        if let Some(r) = invite.value().get() {
            shown.set(Some(r));
        }
    });
    Effect::new(move || {
        if let Some(r) = reissue.value().get() {
            shown.set(Some(r));
        }
    });
    let kind = RwSignal::new(PartyKind::Petitioner.code().to_owned());
    let name = RwSignal::new(String::new());
    let days = RwSignal::new(DEFAULT_VALID_DAYS.to_string());
    let list = Resource::new(
        {
            let id = hearing_id.clone();
            move || {
                (
                    id.clone(),
                    invite.version().get(),
                    revoke.version().get() + reissue.version().get(),
                )
            }
        },
        |(id, _, _)| list_invitations(id),
    );
    let submit = {
        let hearing_id = hearing_id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            invite.dispatch(InviteParty {
                hearing_id: hearing_id.clone(),
                party_kind: kind.get_untracked(),
                party_name: name.get_untracked(),
                // Not a number: 0 is refused by the server with the allowed range.
                valid_days: days.get_untracked().trim().parse().unwrap_or(0),
            });
        }
    };

    view! {
        <section class="card" data-testid="invite-panel">
            <h2>{move || t().invite_heading}</h2>
            // Works before hydration too: the browser posts the fields to the
            // server function (POST, named as its arguments).
            <form class="row" method="post" action=InviteParty::PATH on:submit=submit>
                <input type="hidden" name="hearing_id" value=hearing_id.clone() />
                <label>
                    {move || t().party_kind}
                    <select name="party_kind" data-testid="invite-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                        {PartyKind::ALL
                            .into_iter()
                            .map(|k| view! { <option value=k.code()>{move || kind_label(lang.get(), k)}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {move || t().party_name}
                    <input
                        name="party_name"
                        data-testid="invite-name"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    {move || t().valid_days}
                    <input
                        type="number"
                        min="1"
                        max="30"
                        class="short"
                        name="valid_days"
                        data-testid="invite-days"
                        prop:value=move || days.get()
                        on:input=move |ev| days.set(event_target_value(&ev))
                    />
                </label>
                <button type="submit" data-testid="invite-submit">{move || t().invite_submit}</button>
            </form>
            {move || {
                shown
                    .get()
                    .map(|r| match r {
                        Ok(link) => {
                            view! {
                                <div class="invite-link" data-testid="invite-link">
                                    <p class="muted">{move || t().invite_link_hint}</p>
                                    <div class="qr" inner_html=link.qr_svg></div>
                                    <p>
                                        <code data-testid="invite-url">{link.url}</code>
                                    </p>
                                </div>
                            }
                                .into_any()
                        }
                        Err(e) => {
                            view! {
                                <p class="error" role="alert" data-testid="invite-error">
                                    {move || e.message(lang.get())}
                                </p>
                            }
                                .into_any()
                        }
                    })
            }}
            <Transition>
                {move || {
                    list.get()
                        .and_then(Result::ok)
                        .map(|items| {
                            let hearing_id = hearing_id.clone();
                            view! {
                                <ul class="invitations" data-testid="invitations">
                                    {items
                                        .into_iter()
                                        .map(|inv| {
                                            let status = move || match (inv.revoked_at_ms, inv.used_at_ms) {
                                                (Some(_), _) => t().invite_revoked,
                                                (None, Some(_)) => t().invite_used,
                                                (None, None) => t().invite_unused,
                                            };
                                            let (hid, iid) = (hearing_id.clone(), inv.id.clone());
                                            let revocable = inv.revoked_at_ms.is_none();
                                            let expires = inv.expires_at_ms;
                                            view! {
                                                <li>
                                                    {move || kind_label(lang.get(), inv.kind)} " " {inv.name.clone()} " · "
                                                    {status} " · " {move || t().expires} " "
                                                    {move || format_when(lang.get(), expires)}
                                                    {revocable
                                                        .then(|| {
                                                            view! {
                                                                " "
                                                                <button
                                                                    class="small"
                                                                    data-testid="revoke"
                                                                    on:click=move |_| {
                                                                        revoke.dispatch(RevokeInvitation {
                                                                            hearing_id: hid.clone(),
                                                                            invitation_id: iid.clone(),
                                                                        });
                                                                    }
                                                                >
                                                                    {move || t().revoke}
                                                                </button>
                                                            }
                                                        })}
                                                    {
                                                        let (hid, iid) = (hearing_id.clone(), inv.id.clone());
                                                        view! {
                                                            " "
                                                            <button
                                                                class="small secondary"
                                                                data-testid="reissue"
                                                                on:click=move |_| {
                                                                    reissue.dispatch(ReissueInvitation {
                                                                        hearing_id: hid.clone(),
                                                                        invitation_id: iid.clone(),
                                                                    });
                                                                }
                                                            >
                                                                {move || t().reissue}
                                                            </button>
                                                        }
                                                    }
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                        })
                }}
            </Transition>
        </section>
    }
}
