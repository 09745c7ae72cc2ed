//! The browser's end of the live protocol: one socket per open hearing room,
//! resumed from the last applied seq after any interruption.

use crate::domain::RoomState;
use crate::pages::room::LiveStatus;
use crate::protocol::{CLOSE_ACCESS_WITHDRAWN, ServerFrame};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// Longest wait between reconnection attempts.
const MAX_BACKOFF_MS: i32 = 8_000;

struct Follower {
    hearing_id: String,
    room: RwSignal<RoomState>,
    status: RwSignal<LiveStatus>,
    socket: RefCell<Option<WebSocket>>,
    stopped: RefCell<bool>,
    backoff_ms: RefCell<i32>,
}

/// Keeps `room` in step with the hearing until the component is dropped.
pub fn follow_room(hearing_id: String, room: RwSignal<RoomState>, status: RwSignal<LiveStatus>) {
    let follower = Rc::new(Follower {
        hearing_id,
        room,
        status,
        socket: RefCell::new(None),
        stopped: RefCell::new(false),
        backoff_ms: RefCell::new(500),
    });
    connect(&follower);
    let handle = SendWrapper::new(follower);
    on_cleanup(move || {
        *handle.stopped.borrow_mut() = true;
        if let Some(socket) = handle.socket.borrow_mut().take() {
            let _ = socket.close();
        }
    });
}

fn socket_url(hearing_id: &str, after: u64) -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    let host = location.host().ok()?;
    Some(format!(
        "{scheme}://{host}/ws/hearings/{hearing_id}?after={after}"
    ))
}

fn connect(follower: &Rc<Follower>) {
    if *follower.stopped.borrow() {
        return;
    }
    let after = follower.room.with_untracked(|r| r.last_seq);
    let Some(socket) =
        socket_url(&follower.hearing_id, after).and_then(|url| WebSocket::new(&url).ok())
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
            follower.status.set(LiveStatus::Reconnecting);
            schedule_reconnect(&follower);
        })
    };
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    on_close.forget();

    *follower.socket.borrow_mut() = Some(socket);
}

fn on_frame(follower: &Rc<Follower>, msg: MessageEvent) {
    let Some(text) = msg.data().as_string() else {
        return;
    };
    let Ok(frame) = serde_json::from_str::<ServerFrame>(&text) else {
        return;
    };
    match frame {
        ServerFrame::Hello { .. } => {
            *follower.backoff_ms.borrow_mut() = 500;
            follower.status.set(LiveStatus::Connected);
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
