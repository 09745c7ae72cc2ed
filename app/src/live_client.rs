//! The browser's end of the live protocol: one socket per open hearing room,
//! resumed from the last applied seq after any interruption.

use crate::domain::RoomState;
use crate::pages::room::LiveStatus;
use crate::protocol::{CLOSE_ACCESS_WITHDRAWN, CLOSE_SESSION_ENDED, ServerFrame};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// Longest wait between reconnection attempts.
const MAX_BACKOFF_MS: i32 = 8_000;
/// How often the browser asks the server for a sign of life (`ping`).
const PING_EVERY_MS: i32 = 15_000;
/// A ping unanswered this long means a dead connection (a phone that changed
/// networks keeps a half-open socket that never reports its close). Judged
/// from the ping, not the clock: a background tab whose timers the browser
/// slows to once a minute is not taken for dead.
const ANSWER_WITHIN_MS: f64 = 10_000.0;

struct Follower {
    hearing_id: String,
    room: RwSignal<RoomState>,
    status: RwSignal<LiveStatus>,
    /// Server clock minus this browser's, from the last hello.
    clock_offset: RwSignal<i64>,
    socket: RefCell<Option<WebSocket>>,
    stopped: RefCell<bool>,
    backoff_ms: RefCell<i32>,
    /// When the current socket last delivered a frame.
    last_heard_ms: RefCell<f64>,
    /// When the last ping went out on the current socket (None: none yet).
    last_ping_ms: RefCell<Option<f64>>,
    /// Who the page thinks is logged in: told when the session ended, so the
    /// header stops showing a name that no longer works.
    session: Option<crate::pages::Session>,
    /// The public observer page (`as=observer`): watches without a login.
    as_observer: bool,
}

/// Keeps `room` in step with the hearing until the component is dropped, and
/// `clock_offset` with the server's clock.
pub fn follow_room(
    hearing_id: String,
    room: RwSignal<RoomState>,
    status: RwSignal<LiveStatus>,
    clock_offset: RwSignal<i64>,
    as_observer: bool,
) {
    let follower = Rc::new(Follower {
        as_observer,
        hearing_id,
        room,
        status,
        clock_offset,
        socket: RefCell::new(None),
        stopped: RefCell::new(false),
        backoff_ms: RefCell::new(500),
        last_heard_ms: RefCell::new(web_sys::js_sys::Date::now()),
        last_ping_ms: RefCell::new(None),
        session: use_context::<crate::pages::Session>(),
    });
    connect(&follower);
    let watchdog = start_watchdog(&follower);
    let handle = SendWrapper::new((follower, watchdog));
    on_cleanup(move || {
        let (follower, watchdog) = &*handle;
        *follower.stopped.borrow_mut() = true;
        if let (Some(window), Some(id)) = (web_sys::window(), *watchdog) {
            window.clear_interval_with_handle(id);
        }
        if let Some(socket) = follower.socket.borrow_mut().take() {
            let _ = socket.close();
        }
    });
}

/// Pings the server now and then; a socket silent for too long is dropped and
/// the room reconnects (resuming from the last applied seq).
fn start_watchdog(follower: &Rc<Follower>) -> Option<i32> {
    let follower = Rc::clone(follower);
    let tick = Closure::<dyn FnMut()>::new(move || {
        if *follower.stopped.borrow() {
            return;
        }
        let open = follower
            .socket
            .borrow()
            .as_ref()
            .filter(|s| s.ready_state() == WebSocket::OPEN)
            .cloned();
        let Some(socket) = open else { return };
        let now = web_sys::js_sys::Date::now();
        let last_ping = *follower.last_ping_ms.borrow();
        let unanswered = last_ping.is_some_and(|sent| {
            *follower.last_heard_ms.borrow() < sent && now - sent > ANSWER_WITHIN_MS
        });
        if unanswered {
            abandon(&follower);
        } else if last_ping.is_none_or(|sent| *follower.last_heard_ms.borrow() >= sent) {
            // One ping in flight at a time: the next waits for the answer.
            let _ = socket.send_with_str(r#"{"type":"ping"}"#);
            *follower.last_ping_ms.borrow_mut() = Some(now);
        }
    });
    let id = web_sys::window()?
        .set_interval_with_callback_and_timeout_and_arguments_0(
            tick.as_ref().unchecked_ref(),
            PING_EVERY_MS,
        )
        .ok();
    tick.forget();
    id
}

/// Gives up on a socket that went silent, without waiting for a close that a
/// dead network would never deliver, and reconnects.
fn abandon(follower: &Rc<Follower>) {
    if let Some(socket) = follower.socket.borrow_mut().take() {
        socket.set_onclose(None);
        socket.set_onmessage(None);
        let _ = socket.close();
    }
    follower.status.set(LiveStatus::Reconnecting);
    schedule_reconnect(follower);
}

fn socket_url(hearing_id: &str, after: u64, as_observer: bool) -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    let host = location.host().ok()?;
    let view = if as_observer { "&as=observer" } else { "" };
    Some(format!(
        "{scheme}://{host}/ws/hearings/{hearing_id}?after={after}{view}"
    ))
}

fn connect(follower: &Rc<Follower>) {
    if *follower.stopped.borrow() {
        return;
    }
    let after = follower.room.with_untracked(|r| r.last_seq);
    let Some(socket) = socket_url(&follower.hearing_id, after, follower.as_observer)
        .and_then(|url| WebSocket::new(&url).ok())
    else {
        schedule_reconnect(follower);
        return;
    };

    let on_message = {
        let follower = Rc::clone(follower);
        Closure::<dyn FnMut(MessageEvent)>::new(move |msg: MessageEvent| on_frame(&follower, msg))
    };
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();

    let on_close = {
        let follower = Rc::clone(follower);
        Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            if *follower.stopped.borrow() {
                return;
            }
            if event.code() == CLOSE_ACCESS_WITHDRAWN {
                // Reconnecting would only be refused: say so and stop.
                *follower.stopped.borrow_mut() = true;
                follower.status.set(LiveStatus::Withdrawn);
                return;
            }
            if event.code() == CLOSE_SESSION_ENDED {
                // The session is over (logout, idle, lifetime): say so plainly,
                // offer the way back, and let the header learn who is (not)
                // logged in now instead of showing a stale name.
                *follower.stopped.borrow_mut() = true;
                follower.status.set(LiveStatus::SessionEnded);
                if let Some(session) = follower.session {
                    session.changed();
                }
                return;
            }
            follower.status.set(LiveStatus::Reconnecting);
            schedule_reconnect(&follower);
        })
    };
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    on_close.forget();

    *follower.last_heard_ms.borrow_mut() = web_sys::js_sys::Date::now();
    *follower.last_ping_ms.borrow_mut() = None;
    *follower.socket.borrow_mut() = Some(socket);
}

fn on_frame(follower: &Rc<Follower>, msg: MessageEvent) {
    let Some(text) = msg.data().as_string() else {
        return;
    };
    let Ok(frame) = serde_json::from_str::<ServerFrame>(&text) else {
        return;
    };
    *follower.last_heard_ms.borrow_mut() = web_sys::js_sys::Date::now();
    match frame {
        ServerFrame::Hello { server_now_ms, .. } => {
            *follower.backoff_ms.borrow_mut() = 500;
            follower.status.set(LiveStatus::Connected);
            if server_now_ms > 0 {
                // Rounded to the second: sub-second jitter would make the
                // countdown flicker between reconnects.
                let offset = server_now_ms - web_sys::js_sys::Date::now() as i64;
                follower.clock_offset.set((offset / 1000) * 1000);
            }
        }
        ServerFrame::Event { event } => {
            let mut gap = false;
            follower
                .room
                .update(|room| gap = room.apply(&event).is_err());
            if gap {
                // Missed something: reconnecting resumes from the last applied seq.
                if let Some(socket) = follower.socket.borrow().as_ref() {
                    let _ = socket.close();
                }
            }
        }
        ServerFrame::Pong | ServerFrame::Error { .. } => {}
    }
}

fn schedule_reconnect(follower: &Rc<Follower>) {
    let delay = {
        let mut backoff = follower.backoff_ms.borrow_mut();
        let delay = *backoff;
        *backoff = (*backoff * 2).min(MAX_BACKOFF_MS);
        delay
    };
    let follower = Rc::clone(follower);
    let retry = Closure::once_into_js(move || connect(&follower));
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(retry.unchecked_ref(), delay);
    }
}
