//! The live socket: `GET /ws/hearings/{id}?after=SEQ` (docs/live-protocol.md).
//!
//! A session subscribes to the hub *before* reading the log, so an event committed
//! meanwhile is either in the catch-up read or in the channel: never missed. It
//! then sends strictly increasing seqs, skipping duplicates and re-reading the log
//! on any gap, so a client sees every committed event exactly once.

use crate::http_error::HttpError;
use crate::router::Extras;
use app::auth::AuthSession;
use app::db;
use app::domain::HearingEvent;
use app::domain::access::{Action, Actor};
use app::live::LiveEvent;
use app::protocol::{
    ClientFrame, ErrorCode, MAX_CLIENT_FRAME_BYTES, MAX_CLIENT_FRAMES_PER_SECOND, RESUME_BATCH,
    RateVerdict, ServerFrame,
};
use app::state::AppState;
use axum::Extension;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_login::AuthUser;
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;
use tower_sessions::session::Id as SessionId;

/// Frames above this are cut off by the transport itself (close code 1009); between
/// the protocol limit and this, the client gets an error frame and stays connected.
const TRANSPORT_FRAME_LIMIT: usize = 4 * MAX_CLIENT_FRAME_BYTES;

/// Close code for a client that floods the socket (RFC 6455 1008, policy violation).
const CLOSE_POLICY: u16 = 1008;

/// How often the server pings each socket.
const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(20);

/// Close code for "server going away, reconnect" (RFC 6455 1012, service restart).
const CLOSE_RESTART: u16 = 1012;

pub use app::protocol::CLOSE_ACCESS_WITHDRAWN as CLOSE_ACCESS_REVOKED;
pub use app::protocol::CLOSE_SESSION_ENDED;

/// How many live sockets each client address and the whole server may hold
/// (#21): a flood from one address is refused before the upgrade, so it never
/// takes the file descriptors that logins and `/healthz` need.
pub struct SocketCaps {
    per_address: usize,
    total: usize,
    open: std::sync::Mutex<(usize, std::collections::HashMap<IpAddr, usize>)>,
}

/// One socket's place under the caps, given back when the socket ends.
pub struct SocketSlot {
    caps: Arc<SocketCaps>,
    address: IpAddr,
}

/// Why a socket was refused a place.
#[derive(Debug, PartialEq, Eq)]
pub enum CapRefusal {
    PerAddress(usize),
    Total(usize),
}

impl SocketCaps {
    pub fn new(per_address: usize, total: usize) -> Arc<SocketCaps> {
        Arc::new(SocketCaps {
            per_address: per_address.max(1),
            total: total.max(1),
            open: Default::default(),
        })
    }

    fn open(&self) -> std::sync::MutexGuard<'_, (usize, std::collections::HashMap<IpAddr, usize>)> {
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn take(self: &Arc<Self>, address: IpAddr) -> Result<SocketSlot, CapRefusal> {
        let mut open = self.open();
        let (total, by_address) = &mut *open;
        let mine = by_address.get(&address).copied().unwrap_or(0);
        if mine >= self.per_address {
            return Err(CapRefusal::PerAddress(self.per_address));
        }
        if *total >= self.total {
            return Err(CapRefusal::Total(self.total));
        }
        *total += 1;
        by_address.insert(address, mine + 1);
        Ok(SocketSlot {
            caps: Arc::clone(self),
            address,
        })
    }

    /// Sockets open now (all addresses).
    pub fn in_use(&self) -> usize {
        self.open().0
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut open = self.caps.open();
        let (total, by_address) = &mut *open;
        *total = total.saturating_sub(1);
        if let Some(n) = by_address.get_mut(&self.address) {
            *n -= 1;
            if *n == 0 {
                by_address.remove(&self.address);
            }
        }
    }
}

impl IntoResponse for CapRefusal {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            CapRefusal::PerAddress(n) => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_sockets",
                format!(
                    "来自同一地址的实时连接过多（上限 {n} 个），请关闭其他听证页面后再试 / too many live connections from this address (at most {n})"
                ),
            ),
            CapRefusal::Total(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "server_busy",
                "服务器实时连接已满，请稍后再试 / the server holds as many live connections as it can; retry later".to_owned(),
            ),
        };
        (
            status,
            [(header::RETRY_AFTER, "10")],
            axum::Json(serde_json::json!({ "code": code, "message": message })),
        )
            .into_response()
    }
}

#[derive(Deserialize)]
pub struct ResumeQuery {
    /// The last seq the client has applied; 0 (default) means "from the start".
    #[serde(default)]
    after: u64,
    /// `observer`: the public observer page, which watches without logging in.
    /// Any other page is a participant's: if its session has ended it is told
    /// 4401, never quietly turned into an observer of a public hearing.
    #[serde(default, rename = "as")]
    view: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub async fn upgrade(
    upgrade: WebSocketUpgrade,
    Path(hearing_id): Path<String>,
    Query(resume): Query<ResumeQuery>,
    State(state): State<AppState>,
    Extension(extras): Extension<Arc<Extras>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    auth: AuthSession,
) -> Result<Response, HttpError> {
    // A place under the caps first, before any database work: a flood is
    // refused cheaply, and the place is given back when the socket ends.
    let address = extras.trusted_proxies.client_address(peer.ip(), &headers);
    let slot = match extras.sockets.take(address) {
        Ok(slot) => slot,
        Err(refused) => {
            tracing::warn!(%address, ?refused, "live socket refused by the caps");
            return Ok(refused.into_response());
        }
    };
    // Listen for access changes before checking access, so none falls in between.
    let access = state.access.subscribe();
    // Participants by their rights; anybody else only as an observer of a public hearing.
    let actor =
        match crate::http_error::authorize(&state, &auth, Action::ViewRoom, &hearing_id).await {
            Ok(actor) => Some(actor),
            Err(refused) => {
                let as_observer = resume.view.as_deref() == Some("observer");
                if !as_observer
                    && matches!(refused, HttpError::NotLoggedIn)
                    && carries_session_cookie(&headers)
                {
                    // A participant's page reconnecting after its session ended
                    // (while it was offline) cannot read a handshake's 401: it gets
                    // the socket's own word for it, 4401, and stops reconnecting —
                    // on a public hearing too, where it would otherwise go on as an
                    // observer without the panel's events, still showing a name.
                    return Ok(upgrade.on_upgrade(move |mut socket| async move {
                        let _slot = slot;
                        let frame = CloseFrame {
                            code: CLOSE_SESSION_ENDED,
                            reason: "登录已结束 / session ended".into(),
                        };
                        let _ = socket.send(Message::Close(Some(frame))).await;
                    }));
                }
                let staff = db::hearings::staff(&state.db, &hearing_id).await?;
                if !app::domain::access::permits(None, Action::ObserveHearing, staff.as_ref()) {
                    return Err(refused);
                }
                None
            }
        };
    let head_seq = db::hearings::head_seq(&state.db, &hearing_id)
        .await?
        .ok_or(HttpError::NotFound)?;
    let sees_panel = sees_deliberation(&state, actor.as_ref(), &hearing_id).await?;
    // A participant's socket lives as long as its session (4401 when it ends).
    let session_id = actor.as_ref().and_then(|_| auth.session.id());
    Ok(upgrade
        .max_message_size(TRANSPORT_FRAME_LIMIT)
        .max_frame_size(TRANSPORT_FRAME_LIMIT)
        // Small, bounded buffers: a slow reader backs up into its own socket (and
        // is dropped after SEND_TIMEOUT), never into server memory.
        .read_buffer_size(16 * 1024)
        .write_buffer_size(16 * 1024)
        .max_write_buffer_size(256 * 1024)
        .on_upgrade(move |socket| {
            let sockets = extras.stopping.sockets.clone();
            sockets.track_future(async move {
                let _slot = slot;
                let session = Session {
                    session_id,
                    state,
                    hearing_id,
                    actor,
                    auth_hash: auth.user.as_ref().map(|u| u.session_auth_hash().to_vec()),
                    sent: resume.after,
                    sees_panel,
                };
                session.run(socket, head_seq, access, extras).await;
            })
        }))
}

/// Whether the request names a session (which, when it is not logged in, has ended).
fn carries_session_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|pair| pair.trim().starts_with("pingyi_session="))
}

/// Whether this watcher receives the closed deliberation (panel, host, clerk).
async fn sees_deliberation(
    state: &AppState,
    actor: Option<&Actor>,
    hearing_id: &str,
) -> Result<bool, db::DbError> {
    let staff = db::hearings::staff(&state.db, hearing_id).await?;
    Ok(app::domain::access::permits(
        actor,
        Action::SeeDeliberation,
        staff.as_ref(),
    ))
}

/// The server's answer to one client text frame: pure, so it is tested alone.
pub fn answer(text: &str) -> ServerFrame {
    if text.len() > MAX_CLIENT_FRAME_BYTES {
        return ServerFrame::Error {
            code: ErrorCode::FrameTooLarge,
            message: format!("消息过大（上限 {MAX_CLIENT_FRAME_BYTES} 字节）/ frame too large"),
        };
    }
    match serde_json::from_str::<ClientFrame>(text) {
        Ok(ClientFrame::Ping) => ServerFrame::Pong,
        Err(_) => ServerFrame::Error {
            code: ErrorCode::BadFrame,
            message: "无法识别的消息 / unknown or malformed frame".to_owned(),
        },
    }
}

struct Session {
    /// The participant's session: the socket's heartbeat keeps it alive, and
    /// the socket closes (4401) once it has ended. `None` for an observer.
    session_id: Option<SessionId>,
    state: AppState,
    hearing_id: String,
    /// Whose socket this is, re-checked when their access changes; `None` for a
    /// public observer.
    actor: Option<Actor>,
    /// The account's password hash when the socket opened: a reset ends the socket
    /// as it ends the account's sessions.
    auth_hash: Option<Vec<u8>>,
    /// The highest seq this client has been sent (or had at connect).
    sent: u64,
    /// Receives the closed deliberation; everyone else gets those events withheld.
    sees_panel: bool,
}

/// Why a session ended early; only logged.
#[derive(Debug)]
enum End {
    ClientGone,
    /// The watcher may no longer be in the room (or see what it saw): closed 4403.
    AccessWithdrawn,
    /// The session ended (logout, idle timeout, lifetime): closed 4401.
    SessionEnded,
    Storage(db::DbError),
}

impl Session {
    async fn run(
        mut self,
        mut socket: WebSocket,
        head_seq: u64,
        mut access: tokio::sync::broadcast::Receiver<String>,
        extras: Arc<Extras>,
    ) {
        let mut feed = self.state.hub.subscribe(&self.hearing_id);
        let hello = ServerFrame::Hello {
            hearing_id: self.hearing_id.clone(),
            head_seq,
            server_now_ms: app::db::now_ms(),
        };
        let result = match send(&mut socket, &hello).await {
            Ok(()) => self.catch_up(&mut socket).await,
            Err(end) => Err(end),
        };
        let result = match result {
            Ok(()) => {
                self.follow(&mut socket, &mut feed, &mut access, &extras)
                    .await
            }
            Err(end) => Err(end),
        };
        if let Err(End::Storage(e)) = result {
            tracing::error!(error = %e, hearing = %self.hearing_id, "live session ended by a storage error");
            // The client resumes by seq from wherever it reconnects.
            going_away(&mut socket).await;
        }
    }

    /// Sends everything committed after `sent`, in batches, from the log.
    async fn catch_up(&mut self, socket: &mut WebSocket) -> Result<(), End> {
        loop {
            let batch =
                db::events::since(&self.state.db, &self.hearing_id, self.sent, RESUME_BATCH)
                    .await
                    .map_err(End::Storage)?;
            let done = batch.len() < RESUME_BATCH as usize;
            for event in batch {
                self.send_event(socket, &event).await?;
            }
            if done {
                return Ok(());
            }
        }
    }

    /// Whether this watcher may still be in the room: the account's roles and
    /// status, or the party's invitation, read again.
    async fn still_allowed(&mut self) -> Result<bool, End> {
        use app::domain::access::permits;
        let db = &self.state.db;
        let Some(actor) = &self.actor else {
            // A public observer watches only while the hearing stays public.
            let staff = db::hearings::staff(db, &self.hearing_id)
                .await
                .map_err(End::Storage)?;
            return Ok(permits(None, Action::ObserveHearing, staff.as_ref()));
        };
        let id = &actor.account_id;
        let now = if actor.party_of.is_some() {
            let invitation = db::invitations::get(db, id).await.map_err(End::Storage)?;
            let at = app::db::now_ms();
            invitation
                .filter(|i| i.revoked_at.is_none() && i.expires_at > at)
                .map(|_| actor.clone())
        } else {
            let account = db::accounts::get(db, id).await.map_err(End::Storage)?;
            account
                .filter(|a| {
                    !a.disabled && self.auth_hash.as_deref() == Some(a.password_hash.as_bytes())
                })
                .map(|a| Actor::account(a.id, a.roles))
        };
        let staff = db::hearings::staff(db, &self.hearing_id)
            .await
            .map_err(End::Storage)?;
        // A member recused mid-hearing stops receiving the deliberation at once.
        self.sees_panel = permits(now.as_ref(), Action::SeeDeliberation, staff.as_ref());
        Ok(match (now, staff) {
            (Some(actor), Some(staff)) => permits(Some(&actor), Action::ViewRoom, Some(&staff)),
            _ => false,
        })
    }

    /// Keeps this participant's session alive (`touch`, at a heartbeat) or only
    /// checks it (after a logout was announced); closes 4401 once it has ended.
    async fn keep_session(
        &self,
        socket: &mut WebSocket,
        extras: &Extras,
        touch: bool,
    ) -> Result<(), End> {
        let Some(id) = self.session_id else {
            return Ok(());
        };
        let alive = if touch {
            extras.sessions.touch(&id).await
        } else {
            extras.sessions.alive(&id).await
        }
        .map_err(End::Storage)?;
        if alive {
            return Ok(());
        }
        let frame = CloseFrame {
            code: CLOSE_SESSION_ENDED,
            reason: "登录已结束 / session ended".into(),
        };
        let _ = socket.send(Message::Close(Some(frame))).await;
        Err(End::SessionEnded)
    }

    /// An event read from the log (catch-up): serialized for this socket.
    async fn send_event(
        &mut self,
        socket: &mut WebSocket,
        event: &HearingEvent,
    ) -> Result<(), End> {
        let text = app::live::event_frame(event, self.sees_panel);
        send_text(socket, text).await?;
        self.sent = event.seq;
        if event.payload.changes_access() {
            self.recheck(socket).await?;
        }
        Ok(())
    }

    /// Re-reads this watcher's rights: what it may see from now on, or a 4403
    /// close when it may no longer be in the room (a recused member, a hearing
    /// no longer public, a host replaced).
    async fn recheck(&mut self, socket: &mut WebSocket) -> Result<(), End> {
        if self.still_allowed().await? {
            return Ok(());
        }
        let frame = CloseFrame {
            code: CLOSE_ACCESS_REVOKED,
            reason: "权限已变更 / access changed".into(),
        };
        let _ = socket.send(Message::Close(Some(frame))).await;
        Err(End::AccessWithdrawn)
    }

    /// Events from the live feed, the bytes serialized once for every socket.
    /// What else is already waiting in the feed goes out in the same write (one
    /// flush for a burst, not one per event); a gap or a lag ends the batch and
    /// the log fills it.
    async fn send_live(
        &mut self,
        socket: &mut WebSocket,
        first: &LiveEvent,
        feed: &mut tokio::sync::broadcast::Receiver<Arc<LiveEvent>>,
    ) -> Result<(), End> {
        use futures::SinkExt;
        use tokio::sync::broadcast::error::TryRecvError;
        let batch = async {
            socket
                .feed(Message::Text(first.frame(self.sees_panel)))
                .await?;
            self.sent = first.event.seq;
            let mut behind = false;
            // After an event that may change access, the batch ends: what
            // follows is framed by the rights re-read.
            let mut recheck = first.event.payload.changes_access();
            for _ in 0..LIVE_BATCH {
                if recheck {
                    break;
                }
                match feed.try_recv() {
                    Ok(live) if live.event.seq <= self.sent => {}
                    Ok(live) if live.event.seq == self.sent + 1 => {
                        socket
                            .feed(Message::Text(live.frame(self.sees_panel)))
                            .await?;
                        self.sent = live.event.seq;
                        recheck = live.event.payload.changes_access();
                    }
                    Ok(_) | Err(TryRecvError::Lagged(_)) => {
                        behind = true;
                        break;
                    }
                    Err(TryRecvError::Empty | TryRecvError::Closed) => break,
                }
            }
            socket.flush().await?;
            Ok::<(bool, bool), axum::Error>((behind, recheck))
        };
        let (behind, recheck) = match tokio::time::timeout(SEND_TIMEOUT, batch).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(_)) | Err(_) => return Err(End::ClientGone),
        };
        if recheck {
            self.recheck(socket).await?;
        }
        if behind {
            self.catch_up(socket).await?;
        }
        Ok(())
    }

    async fn follow(
        &mut self,
        socket: &mut WebSocket,
        feed: &mut tokio::sync::broadcast::Receiver<Arc<LiveEvent>>,
        access: &mut tokio::sync::broadcast::Receiver<String>,
        extras: &Extras,
    ) -> Result<(), End> {
        let mut heartbeat = tokio::time::interval(HEARTBEAT);
        heartbeat.tick().await;
        let mut last_heard = tokio::time::Instant::now();
        let mut rate = app::protocol::FrameRate::default();
        loop {
            tokio::select! {
                _ = heartbeat.tick() => {
                    // A peer silent for three heartbeats is gone (a dead phone, a
                    // cut network): free its socket; a live one resumes by seq.
                    if last_heard.elapsed() > 3 * HEARTBEAT {
                        return Err(End::ClientGone);
                    }
                    match tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Ping(Default::default()))).await {
                        Ok(Ok(())) => {}
                        _ => return Err(End::ClientGone),
                    }
                    // A live client keeps its session alive; a session that ended
                    // elsewhere (another instance's logout, the idle timeout, the
                    // lifetime) closes the socket within a heartbeat.
                    self.keep_session(socket, extras, true).await?;
                    if self.actor.as_ref().is_some_and(|a| a.party_of.is_some()) {
                        // A party's invitation may have expired meanwhile.
                        self.recheck(socket).await?;
                    }
                }
                changed = access.recv() => {
                    let concerns_us = match changed {
                        Ok(changed) => {
                            if self.session_id.is_some_and(|id| changed == app::auth::session_ended_key(&id.to_string())) {
                                self.keep_session(socket, extras, false).await?;
                            }
                            self.actor.as_ref().is_some_and(|a| a.account_id == changed)
                        }
                        Err(RecvError::Lagged(_)) => {
                            self.keep_session(socket, extras, false).await?;
                            self.actor.is_some()
                        }
                        // The feed is gone only when the server is stopping.
                        Err(RecvError::Closed) => {
                        going_away(socket).await;
                        return Ok(());
                    }
                    };
                    if concerns_us {
                        self.recheck(socket).await?;
                    }
                }
                () = extras.stopping.closing.cancelled() => {
                        going_away(socket).await;
                        return Ok(());
                    }
                received = feed.recv() => match received {
                    Ok(live) if live.event.seq <= self.sent => {}
                    Ok(live) if live.event.seq == self.sent + 1 => self.send_live(socket, &live, feed).await?,
                    // A gap, or the channel dropped messages for this slow client: the log has them.
                    Ok(_) | Err(RecvError::Lagged(_)) => self.catch_up(socket).await?,
                    // The hub is gone only when the server is stopping.
                    Err(RecvError::Closed) => {
                        going_away(socket).await;
                        return Ok(());
                    }
                },
                incoming = socket.recv() => {
                    let message = match incoming {
                        None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return Err(End::ClientGone),
                        Some(Ok(message)) => message,
                    };
                    last_heard = tokio::time::Instant::now();
                    // Every frame counts against the rate, control frames too: the
                    // transport answers each ping with a pong, so a ping flood
                    // is work like any other flood (#21).
                    let control = matches!(message, Message::Ping(_) | Message::Pong(_));
                    match rate.admit(app::db::now_ms()) {
                        // Pings are answered by the transport; pongs answer our heartbeat.
                        RateVerdict::Accept | RateVerdict::Refuse if control => {}
                        RateVerdict::Accept => self.answer_frame(socket, message).await?,
                        RateVerdict::Refuse => {
                            let refusal = ServerFrame::Error {
                                code: ErrorCode::RateLimited,
                                message: format!("消息过于频繁（每秒上限 {MAX_CLIENT_FRAMES_PER_SECOND} 条）/ too many frames"),
                            };
                            send(socket, &refusal).await?;
                        }
                        RateVerdict::Disconnect => {
                            let frame = CloseFrame { code: CLOSE_POLICY, reason: "消息过于频繁 / too many frames".into() };
                            let _ = socket.send(Message::Close(Some(frame))).await;
                            return Err(End::ClientGone);
                        }
                    }
                },
            }
        }
    }
}

/// Tells the client the server is stopping, so that it reconnects (elsewhere).
/// The client reconnects whether or not this close frame arrives.
async fn going_away(socket: &mut WebSocket) {
    let frame = CloseFrame {
        code: CLOSE_RESTART,
        reason: "服务器重启 / server restarting".into(),
    };
    let _ = socket.send(Message::Close(Some(frame))).await;
}

impl Session {
    /// Answers one accepted client frame.
    async fn answer_frame(&self, socket: &mut WebSocket, message: Message) -> Result<(), End> {
        match message {
            Message::Text(text) => send(socket, &answer(text.as_str())).await,
            Message::Binary(_) => {
                let refusal = ServerFrame::Error {
                    code: ErrorCode::BinaryNotSupported,
                    message: "不支持二进制消息 / binary frames are not supported".to_owned(),
                };
                send(socket, &refusal).await
            }
            _ => Ok(()),
        }
    }
}

async fn send(socket: &mut WebSocket, frame: &ServerFrame) -> Result<(), End> {
    let text = serde_json::to_string(frame)
        .map_err(|e| End::Storage(db::DbError::Corrupt(e.to_string())))?;
    send_text(socket, text.into()).await
}

/// Most live events sent in one write after the one that woke the socket.
const LIVE_BATCH: usize = 64;

/// A client that does not take a frame within this time is stalled: it is
/// dropped (and may resume), so it holds no memory and delays nobody.
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

async fn send_text(socket: &mut WebSocket, text: axum::extract::ws::Utf8Bytes) -> Result<(), End> {
    match tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Text(text))).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) | Err(_) => Err(End::ClientGone),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever a client sends — malformed, oversized, unknown — the answer is
        /// a pong or a clear error frame, never a panic, and always valid JSON.
        #[test]
        fn any_frame_gets_a_clear_answer(text in prop_oneof![
            ".{0,64}",
            "\\{\"type\":\"[a-z_]{0,12}\"(,\"[a-z]{1,5}\":[0-9]{1,4})?\\}",
            proptest::collection::vec(any::<char>(), 0..300).prop_map(|c| c.into_iter().collect::<String>()),
            (0usize..3).prop_map(|n| format!("{{\"type\":\"ping\",\"pad\":\"{}\"}}", "x".repeat(MAX_CLIENT_FRAME_BYTES * n))),
        ]) {
            let frame = answer(&text);
            let json = serde_json::to_string(&frame).expect("serializable");
            prop_assert!(serde_json::from_str::<ServerFrame>(&json).is_ok());
            match frame {
                ServerFrame::Pong => prop_assert!(text.len() <= MAX_CLIENT_FRAME_BYTES),
                ServerFrame::Error { message, .. } => prop_assert!(!message.is_empty()),
                other => prop_assert!(false, "unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn answers_ping_and_refuses_everything_else_clearly() {
        assert_eq!(answer(r#"{"type":"ping"}"#), ServerFrame::Pong);
        for bad in [
            "",
            "null",
            "{",
            r#"{"type":"vote"}"#,
            "\u{0}",
            r#"{"type":1}"#,
        ] {
            assert!(
                matches!(
                    answer(bad),
                    ServerFrame::Error {
                        code: ErrorCode::BadFrame,
                        ..
                    }
                ),
                "{bad:?}"
            );
        }
        let huge = format!(
            r#"{{"type":"ping","pad":"{}"}}"#,
            "x".repeat(MAX_CLIENT_FRAME_BYTES)
        );
        assert!(matches!(
            answer(&huge),
            ServerFrame::Error {
                code: ErrorCode::FrameTooLarge,
                ..
            }
        ));
    }
}
