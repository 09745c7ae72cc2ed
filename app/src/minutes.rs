//! 纪要 (server only): the draft the members confirm, the signed copy the host
//! finalises into the archive, and the verification of an uploaded copy.
//!
//! Layout, fonts and the signing key belong to the server binary; they reach
//! this module through [`MinutesPress`], so the server functions, the CLI and the
//! demo all finalise through [`finalise`] and nothing else.

use crate::db::{self, DbError};
use crate::domain::access::PartyKind;
use crate::domain::case::Coded;
use crate::domain::clock::CHINA_OFFSET_SECONDS;
use crate::domain::minutes::{
    ExhibitEntry, MinutesDoc, MinutesFacts, challenged, check_finalise, minutes_doc,
};
use crate::domain::room::RoomState;
use crate::domain::{EventPayload, verify_chain};
use crate::error::ApiError;
use crate::model::{ArchiveEntry, MinutesVerdict, OpinionEntry};
use crate::sitting::Decision;
use crate::state::AppState;
use sha2::{Digest, Sha256};

/// What the server's PDF machinery offers: render, sign, check a signature.
/// Every method is CPU work; callers run it on a blocking thread.
pub trait MinutesPress: Send + Sync {
    /// Lays the document out as an A4 PDF (fonts embedded and subset).
    fn render(&self, doc: &MinutesDoc) -> Result<Vec<u8>, String>;
    /// Embeds the platform's signature over the whole PDF.
    fn sign(&self, pdf: &[u8], reason: &str) -> Result<Vec<u8>, String>;
    /// Checks the embedded signature of an uploaded PDF.
    fn verify(&self, pdf: &[u8]) -> Result<SignatureCheck, String>;
    /// SHA-256 of the platform's signing certificate (hex); may create the key.
    fn certificate_sha256(&self) -> Result<String, String>;
}

/// What a valid embedded signature says.
#[derive(Clone, Debug)]
pub struct SignatureCheck {
    pub signer: String,
    pub certificate_sha256: String,
    /// The signature covers the whole file (no bytes appended after signing).
    pub whole_document: bool,
}

/// Runs `f` with the press on a blocking thread.
async fn on_press<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&dyn MinutesPress) -> Result<T, String> + Send + 'static,
) -> Result<T, ApiError> {
    let press = state.press.clone();
    tokio::task::spawn_blocking(move || f(press.as_ref()))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "minutes press task failed");
            ApiError::Internal
        })?
        .map_err(|reason| {
            tracing::error!(%reason, "minutes could not be produced");
            ApiError::MinutesUnavailable { reason }
        })
}

/// The exhibit register as the minutes print it, withdrawn exhibits included
/// (the minutes say what happened to them), each with its 质证 opinions and
/// whether any of them challenges it (有异议).
async fn exhibit_entries(state: &AppState, hearing_id: &str) -> Result<Vec<ExhibitEntry>, DbError> {
    let exhibits = db::evidence::list(&state.db, hearing_id).await?;
    let opinions = db::evidence::opinions_of_hearing(&state.db, hearing_id).await?;
    Ok(exhibits
        .into_iter()
        .map(|e| {
            let on_this: Vec<&OpinionEntry> =
                opinions.iter().filter(|o| o.exhibit_id == e.id).collect();
            ExhibitEntry {
                challenged: challenged(on_this.iter().map(|o| &o.opinion)),
                opinions: on_this.iter().copied().map(opinion_line).collect(),
                label: e.label,
                title: e.title,
                submitter: format!("{} {}", e.submitter.label_zh(), e.submitted_by_name),
                status: e.status.label_zh().to_owned(),
                sha256: e.sha256,
            }
        })
        .collect())
}

/// One 质证 opinion as the minutes print it: "张三（信访人）：真实性：无异议；…".
fn opinion_line(o: &OpinionEntry) -> String {
    let role = PartyKind::from_code(&o.author_role).map_or("评议员", |k| k.label_zh());
    let comment = if o.opinion.comment.is_empty() {
        String::new()
    } else {
        format!("。{}", o.opinion.comment)
    };
    format!(
        "{}（{role}）：{}{comment}",
        o.author_name,
        o.opinion.summary_zh()
    )
}

/// Where the QR code on the minutes points: this hearing's own verification
/// page (what the office signed and when, so a paper copy can be checked
/// against it), by the same rule as invitation links
/// ([`AppState::public_base`]).
fn verify_url(state: &AppState, hearing_id: &str) -> String {
    format!("{}/verify/{hearing_id}", state.public_base())
}

async fn account_name(state: &AppState, id: Option<&str>) -> Result<Option<String>, DbError> {
    let Some(id) = id else { return Ok(None) };
    Ok(db::accounts::get(&state.db, id)
        .await?
        .map(|a| a.display_name))
}

/// Each party invited by a link not revoked, once (a link re-issued to the
/// same party names it once).
async fn invited_parties(
    state: &AppState,
    hearing_id: &str,
) -> Result<Vec<(String, crate::domain::sitting::Part)>, DbError> {
    let mut parties: Vec<(String, crate::domain::sitting::Part)> = Vec::new();
    for invitation in db::invitations::list(&state.db, hearing_id).await? {
        let party = (
            invitation.name,
            crate::domain::sitting::Part::of_party(invitation.kind),
        );
        if invitation.revoked_at.is_none() && !parties.contains(&party) {
            parties.push(party);
        }
    }
    Ok(parties)
}

/// The document for the room as folded (`room`), pinned to `chain_head`.
async fn document(
    state: &AppState,
    hearing_id: &str,
    room: &RoomState,
    chain_head: String,
    register_changed_ms: Option<i64>,
    final_copy: bool,
) -> Result<MinutesDoc, ApiError> {
    let hearing = db::hearings::get(&state.db, hearing_id)
        .await?
        .ok_or(ApiError::HearingNotFound)?;
    let staff = db::hearings::staff(&state.db, hearing_id)
        .await?
        .ok_or(ApiError::HearingNotFound)?;
    let facts = MinutesFacts {
        office: state.office_name.clone(),
        case_number: hearing.case_number,
        case_title: hearing.case_title,
        hearing_title: hearing.title,
        starts_at_ms: hearing.starts_at_ms,
        place: hearing.place,
        is_public: staff.is_public,
        host: account_name(state, staff.host_id.as_deref()).await?,
        host_account: staff.host_id.clone(),
        clerk: account_name(state, staff.clerk_id.as_deref()).await?,
        seat_accounts: db::hearings::seat_accounts(&state.db, hearing_id).await?,
        parties: invited_parties(state, hearing_id).await?,
        register_changed_ms,
        chain_head,
        generated_at_ms: db::now_ms(),
        offset_seconds: CHINA_OFFSET_SECONDS,
        verify_url: Some(verify_url(state, hearing_id)),
        final_copy,
    };
    let exhibits = exhibit_entries(state, hearing_id).await?;
    Ok(minutes_doc(&facts, room, &exhibits))
}

/// The log folded and its chain checked: the room and the head it pins.
fn fold_checked(
    events: &[crate::domain::HearingEvent],
    hearing_id: &str,
) -> Result<(RoomState, String), ApiError> {
    let head = verify_chain(events).map_err(|seq| {
        tracing::error!(hearing = %hearing_id, seq, "hash chain broken");
        ApiError::Internal
    })?;
    let room = crate::domain::fold(events).map_err(|e| {
        tracing::error!(hearing = %hearing_id, error = %e, "hearing log does not fold");
        ApiError::Internal
    })?;
    Ok((room, head.to_hex()))
}

/// What the minutes download answers: the signed copy from the archive once
/// finalised, else a draft rendered from the log as it stands.
pub enum MinutesFile {
    Signed(std::path::PathBuf),
    Draft(Vec<u8>),
}

///
/// The draft is made for `reader`: outside the panel, host and clerk, and until
/// the hearing is closed, it is folded from the log as they may read it
/// (`domain::access::disclosure`, `HearingEvent::seen_by`): no deliberation,
/// opinion, draft conclusion or unannounced result.
pub async fn current_file(
    state: &AppState,
    hearing_id: &str,
    reader: &crate::domain::access::Actor,
) -> Result<MinutesFile, ApiError> {
    if let Some(entry) = db::minutes::entry(&state.db, hearing_id).await? {
        let path = state.evidence.store.local_path(&entry.sha256).map_err(|e| {
            tracing::error!(hearing = %hearing_id, error = %e, "archived minutes missing from the store");
            ApiError::Internal
        })?;
        return Ok(MinutesFile::Signed(path));
    }
    let events = db::events::all(&state.db, hearing_id).await?;
    let (mut room, head) = fold_checked(&events, hearing_id)?;
    let staff = db::hearings::staff(&state.db, hearing_id).await?;
    let disclosure =
        crate::domain::access::disclosure(Some(reader), staff.as_ref(), room.procedure);
    if !disclosure.deliberation {
        let outside: Vec<_> = events.iter().map(|e| e.seen_by(false)).collect();
        room = crate::domain::fold(outside.iter().map(|e| e.as_ref())).map_err(|e| {
            tracing::error!(error = %e, hearing = %hearing_id, "hearing log does not fold");
            ApiError::Internal
        })?;
    }
    let changed = {
        let mut conn = state.db.pool().acquire().await.map_err(DbError::from)?;
        db::evidence::register_changed_at_in(&mut conn, hearing_id).await?
    };
    let doc = document(state, hearing_id, &room, head, changed, false).await?;
    Ok(MinutesFile::Draft(
        on_press(state, move |press| press.render(&doc)).await?,
    ))
}

/// What finalising leaves for the archive row, written in the same transaction.
struct Filed {
    /// The hearing as the minutes print it (the archive keeps this, not later edits).
    hearing: crate::model::HearingSummary,
    sha256: String,
    byte_size: i64,
    chain_head: String,
    outcome: String,
    members: String,
    cert_sha256: String,
}

/// The ballots' results and the conclusion, as the archive searches them.
fn outcome_text(room: &RoomState) -> String {
    let mut parts: Vec<String> = room
        .ballots
        .iter()
        .filter_map(|b| {
            b.result
                .as_ref()
                .map(|r| format!("{}：{}", b.spec.question, b.outcome_zh(r)))
        })
        .collect();
    if let Some(c) = &room.minutes.conclusion {
        parts.push(c.text.clone());
    }
    parts.join("；")
}

/// 定稿: under the hearing's write turn, render the final minutes from the log,
/// sign them, store the PDF, commit `MinutesFinalised` and file the archive
/// entry (which seals the log) in one transaction. Any failure leaves the
/// hearing as it was. Returns the archived entry.
pub async fn finalise(
    state: &AppState,
    hearing_id: &str,
    host_account: &str,
    host_name: &str,
) -> Result<ArchiveEntry, ApiError> {
    crate::sitting::decide_in_turn(
        state,
        hearing_id,
        async |tx, room| {
            let changed = db::evidence::register_changed_at_in(tx, hearing_id).await?;
            check_finalise(room, host_account, changed)
                .map_err(|refusal| ApiError::MinutesRefused { refusal })?;
            // A signed copy keeps its verification address for years: it must
            // be one the people holding the paper can reach.
            if state.base_unreachable_from_outside(&state.public_base()) {
                return Err(ApiError::PublicUrlNeeded);
            }
            // The whole log, its chain checked: the document is this fold.
            let events = db::events::all_in(tx, hearing_id).await?;
            let (room, chain_head) = fold_checked(&events, hearing_id)?;
            let room = &room;
            let doc = document(state, hearing_id, room, chain_head.clone(), changed, true).await?;
            let mut hearing = db::hearings::get(&state.db, hearing_id)
                .await?
                .ok_or(ApiError::HearingNotFound)?;
            // The archive (its search by date, /verify) states when it sat, as
            // the minutes do: the opening the log recorded, not the plan.
            hearing.starts_at_ms = room.opened_at_ms.unwrap_or(hearing.starts_at_ms);
            let reason = format!("{} 听证评议会议纪要定稿", doc.header_right);
            let (pdf, cert_sha256) = on_press(state, move |press| {
                let pdf = press.render(&doc)?;
                Ok((press.sign(&pdf, &reason)?, press.certificate_sha256()?))
            })
            .await?;
            let sha256 = store_pdf(state, &pdf).await?;
            let filed = Filed {
                hearing,
                sha256: sha256.clone(),
                byte_size: i64::try_from(pdf.len()).unwrap_or(i64::MAX),
                chain_head: chain_head.clone(),
                outcome: outcome_text(room),
                // Who sat on the panel, as the minutes list them: not the
                // members who declined or were recused.
                members: room
                    .panel
                    .seats
                    .iter()
                    .filter(|s| s.status.holds_seat())
                    .map(|s| s.holder.name.as_str())
                    .collect::<Vec<_>>()
                    .join("、"),
                cert_sha256,
            };
            let payload = EventPayload::MinutesFinalised {
                sha256,
                chain_head,
                by: host_name.to_owned(),
            };
            Ok((Decision::Commit(payload), filed))
        },
        async |tx, event, filed: Filed| {
            let seq = i64::try_from(event.seq).unwrap_or(i64::MAX);
            db::minutes::archive_in(
                tx,
                &db::minutes::NewArchiveEntry {
                    hearing: &filed.hearing,
                    sha256: &filed.sha256,
                    byte_size: filed.byte_size,
                    chain_head: &filed.chain_head,
                    final_seq: seq,
                    outcome: &filed.outcome,
                    members: &filed.members,
                    cert_sha256: &filed.cert_sha256,
                    finalised_at_ms: event.at_ms,
                    finalised_by: host_name,
                },
            )
            .await?;
            Ok(())
        },
    )
    .await?;
    db::minutes::entry(&state.db, hearing_id)
        .await?
        .ok_or(ApiError::Internal)
}

/// Writes the signed PDF into the blob store (staged, fsynced, renamed).
async fn store_pdf(state: &AppState, pdf: &[u8]) -> Result<String, ApiError> {
    let io = |e: std::io::Error| {
        tracing::error!(error = %e, "storing the minutes failed");
        ApiError::Internal
    };
    let store = state.evidence.store.as_ref();
    let cap = u64::try_from(pdf.len()).unwrap_or(u64::MAX);
    let mut staging = crate::evidence::Staging::create(store, cap)
        .await
        .map_err(io)?;
    staging.write(pdf).await.map_err(|e| {
        tracing::error!(error = ?e, "staging the minutes failed");
        ApiError::Internal
    })?;
    let staged = staging.finish().await.map_err(io)?;
    store
        .commit(staged.path.path(), &staged.sha256)
        .map_err(io)?;
    Ok(staged.sha256)
}

/// 验证: is this upload an authentic, unmodified Pingyi minutes document?
/// Signed by this platform's certificate, over the whole file, and exactly a
/// copy the archive holds.
pub async fn verify(state: &AppState, pdf: Vec<u8>) -> Result<MinutesVerdict, ApiError> {
    let sha256 = hex::encode(Sha256::digest(&pdf));
    let entry = db::minutes::entry_by_sha256(&state.db, &sha256).await?;
    let check = on_press(state, move |press| Ok(press.verify(&pdf))).await?;
    // The certificate that signed this copy when it was filed. A file the
    // archive does not know is not authentic whatever its signature (and
    // checking one never creates the platform's key).
    let expected = entry.as_ref().map(|e| e.cert_sha256.as_str());
    let mut findings = Vec::new();
    let mut authentic = true;
    match &check {
        Ok(sig) => {
            findings.push(format!("电子签章有效（签章人：{}）", sig.signer));
            match expected {
                Some(cert) if cert == sig.certificate_sha256 => {
                    findings.push("签章证书为本平台签发该纪要所用的证书".into());
                }
                Some(_) => {
                    authentic = false;
                    findings.push("签章证书不是本平台签发该纪要所用的证书".into());
                }
                None => {}
            }
            if sig.whole_document {
                findings.push("签章覆盖整个文件，签章后未被追加修改".into());
            } else {
                authentic = false;
                findings.push("签章后文件被追加了内容".into());
            }
        }
        Err(verdict) => {
            authentic = false;
            // The press words it for the public page (文件已被修改, 签章无效, …);
            // the parser's detail stays in its log and `pingyi verify-minutes`.
            findings.push(format!("电子签章无效：{verdict}"));
        }
    }
    match &entry {
        Some(e) => findings.push(format!(
            "文件与档案中 {}（{}）的定稿纪要完全一致",
            e.case_number, e.hearing_title
        )),
        None => {
            authentic = false;
            findings.push("档案中没有与此文件完全一致的定稿纪要".into());
        }
    }
    Ok(MinutesVerdict {
        authentic,
        findings,
        entry: if authentic { entry } else { None },
        sha256,
    })
}
