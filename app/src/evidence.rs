//! Evidence intake, storage and custody (server only).
//!
//! An upload is streamed to a staging file while it is hashed and counted (never
//! held in memory), fsynced, judged by its bytes ([`inspect`]), then renamed into
//! the content-addressed store. Every action on an exhibit writes its custody
//! entry in the same transaction as the change itself.

use crate::db::evidence::{self as store_db, Author, Custodian, Flag, NewExhibit};
use crate::db::{self, DbError};
use crate::domain::EventPayload;
use crate::domain::access::{Action, Actor, HearingStaff, permits};
use crate::domain::evidence::{
    CustodyAction, ExhibitDraft, ExhibitStatus, ExhibitSwitch, FileKind, IntakeError, IntakeLimits,
    IntegrityFault, Opinion, PdfFeature, PdfFindings, SNIFF_BYTES, Sniffed, Submitter, Viewer,
    ZIP_MAX_ENTRIES, ZIP_MAX_RATIO, ZIP_MAX_UNCOMPRESSED, ZipSummary, check_pdf, may_see,
    office_kind, sniff, viewer_of,
};
use crate::domain::room::ShownExhibit;
use crate::error::ApiError;
use crate::model::{ExhibitRecord, IntegrityReport};
use crate::state::AppState;
use sha2::{Digest, Sha256};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::AsyncWriteExt;

/// Where evidence files live. One small interface, so an object store can take
/// the directory's place: it would stage locally, upload on `commit`, and
/// return a cached copy from `local_path`.
pub trait BlobStore: Send + Sync + std::fmt::Debug {
    /// A directory on the same file system as the store (rename is atomic there).
    fn staging_dir(&self) -> &Path;
    /// Moves a staged, fsynced file into the store under its SHA-256. `false`:
    /// the same content was stored before (the staged copy is dropped); `true`:
    /// the staged file was written, as the first copy or in place of a stored
    /// one whose bytes no longer match its name.
    fn commit(&self, staged: &Path, sha256: &str) -> io::Result<bool>;
    /// A local file holding the blob, for streaming (with Range requests).
    fn local_path(&self, sha256: &str) -> io::Result<PathBuf>;
}

/// The default store: `<data dir>/evidence/sha256/ab/cd/abcd…`, readable by the
/// server's user only, never under the web root.
#[derive(Debug)]
pub struct DirStore {
    root: PathBuf,
    staging: PathBuf,
}

impl DirStore {
    pub fn open(root: &Path) -> io::Result<DirStore> {
        let staging = root.join("staging");
        std::fs::create_dir_all(&staging)?;
        std::fs::create_dir_all(root.join("sha256"))?;
        restrict(root)?;
        Ok(DirStore {
            root: root.to_path_buf(),
            staging,
        })
    }

    fn path_of(&self, sha256: &str) -> io::Result<PathBuf> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a SHA-256"));
        }
        Ok(self
            .root
            .join("sha256")
            .join(&sha256[..2])
            .join(&sha256[2..4])
            .join(sha256))
    }
}

/// Whether `target` holds exactly the bytes named `sha256`. A copy that exists
/// but was damaged on disk (or cannot be read) is not kept: the upload of the
/// same bytes is the chance to repair it.
fn stored_copy_is_intact(target: &Path, sha256: &str) -> bool {
    match file_sha256(target) {
        Ok(actual) if actual.eq_ignore_ascii_case(sha256) => true,
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Ok(actual) => {
            tracing::warn!(%sha256, %actual, "stored evidence file was damaged; replacing it with the new upload of the same bytes");
            false
        }
        Err(error) => {
            tracing::warn!(%sha256, %error, "stored evidence file is unreadable; replacing it with the new upload of the same bytes");
            false
        }
    }
}

/// The SHA-256 of a file, read in a stream (evidence may be large). Blocking.
fn file_sha256(path: &Path) -> io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    io::copy(&mut file, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(unix)]
fn restrict(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

#[cfg(not(unix))]
fn restrict(_dir: &Path) -> io::Result<()> {
    Ok(())
}

impl BlobStore for DirStore {
    fn staging_dir(&self) -> &Path {
        &self.staging
    }

    fn commit(&self, staged: &Path, sha256: &str) -> io::Result<bool> {
        let target = self.path_of(sha256)?;
        if stored_copy_is_intact(&target, sha256) {
            std::fs::remove_file(staged)?;
            return Ok(false);
        }
        let parent = target.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(parent)?;
        // Atomic, also over a damaged copy: readers see the old file or the
        // new one, never a mix.
        std::fs::rename(staged, &target)?;
        // The rename is durable only once the directory entry is on disk.
        std::fs::File::open(parent)?.sync_all()?;
        Ok(true)
    }

    fn local_path(&self, sha256: &str) -> io::Result<PathBuf> {
        let path = self.path_of(sha256)?;
        if path.is_file() {
            Ok(path)
        } else {
            Err(io::Error::new(io::ErrorKind::NotFound, "blob missing"))
        }
    }
}

/// The evidence service's configuration, shared by every request.
#[derive(Clone, Debug)]
pub struct Evidence {
    pub store: Arc<dyn BlobStore>,
    pub limits: IntakeLimits,
}

/// A staging file that disappears unless it was moved into the store.
#[derive(Debug)]
pub struct StagedPath(PathBuf);

impl StagedPath {
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for StagedPath {
    fn drop(&mut self) {
        // After a commit the file has been renamed away and this finds nothing.
        let _ = std::fs::remove_file(&self.0);
    }
}

/// An upload being received.
pub struct Staging {
    file: tokio::fs::File,
    path: StagedPath,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
    cap: u64,
}

/// An upload received in full: hashed, counted and on disk.
#[derive(Debug)]
pub struct Staged {
    pub path: StagedPath,
    pub sha256: String,
    pub size: u64,
    pub head: Vec<u8>,
}

#[derive(Debug)]
pub enum StageError {
    /// More bytes arrived than the per-file cap allows.
    TooLarge,
    Io(io::Error),
}

impl Staging {
    pub async fn create(store: &dyn BlobStore, cap: u64) -> io::Result<Staging> {
        let path = store
            .staging_dir()
            .join(format!("{}.part", uuid::Uuid::new_v4().simple()));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await?;
        Ok(Staging {
            file,
            path: StagedPath(path),
            hasher: Sha256::new(),
            size: 0,
            head: Vec::with_capacity(SNIFF_BYTES),
            cap,
        })
    }

    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), StageError> {
        self.size += chunk.len() as u64;
        if self.size > self.cap {
            return Err(StageError::TooLarge);
        }
        let missing = SNIFF_BYTES.saturating_sub(self.head.len());
        self.head
            .extend_from_slice(&chunk[..missing.min(chunk.len())]);
        self.hasher.update(chunk);
        self.file.write_all(chunk).await.map_err(StageError::Io)
    }

    pub async fn finish(mut self) -> io::Result<Staged> {
        self.file.flush().await?;
        self.file.sync_all().await?;
        Ok(Staged {
            path: self.path,
            sha256: hex::encode(self.hasher.finalize()),
            size: self.size,
            head: self.head,
        })
    }
}

/// Judges a staged file by its content: magic bytes, then the archive's entries
/// (DOCX/XLSX) or the PDF's objects. Blocking: run off the async runtime.
pub fn inspect(path: &Path, head: &[u8]) -> Result<FileKind, IntakeError> {
    match sniff(head) {
        Sniffed::Kind(FileKind::Pdf) => check_pdf(&pdf_findings(path)).map(|()| FileKind::Pdf),
        Sniffed::Kind(kind) => Ok(kind),
        Sniffed::Zip => office_kind(&zip_summary(path)),
        Sniffed::Refused(reason) => Err(reason),
    }
}

/// Reads every entry of a ZIP by decompressing it under a budget: declared sizes
/// in a hostile archive mean nothing.
fn zip_summary(path: &Path) -> ZipSummary {
    let mut summary = ZipSummary::default();
    let Ok(file) = std::fs::File::open(path) else {
        summary.unreadable = true;
        return summary;
    };
    summary.compressed_bytes = file.metadata().map(|m| m.len()).unwrap_or_default();
    let budget = ZIP_MAX_UNCOMPRESSED.min(summary.compressed_bytes.max(1) * ZIP_MAX_RATIO);
    let Ok(mut archive) = zip::ZipArchive::new(file) else {
        summary.unreadable = true;
        return summary;
    };
    for index in 0..archive.len().min(ZIP_MAX_ENTRIES + 1) {
        let Ok(entry) = archive.by_index(index) else {
            summary.unreadable = true;
            return summary;
        };
        let Ok(name) = entry.name().map(|n| n.into_owned()) else {
            summary.unreadable = true;
            return summary;
        };
        summary.entry_names.push(name);
        let left = budget.saturating_sub(summary.uncompressed_bytes);
        match io::copy(&mut entry.take(left + 1), &mut io::sink()) {
            Ok(n) => summary.uncompressed_bytes += n,
            Err(_) => {
                summary.unreadable = true;
                return summary;
            }
        }
        if summary.uncompressed_bytes > budget {
            summary.over_budget = true;
            return summary;
        }
    }
    summary
}

/// The most a PDF's streams may inflate to while being inspected.
const PDF_MAX_DECOMPRESSED: usize = 64 * 1024 * 1024;

/// Walks every object of a PDF (object streams included, as the parser expands
/// them) for scripts, actions beyond showing a page, dynamic forms, players and
/// attachments.
fn pdf_findings(path: &Path) -> PdfFindings {
    let mut found = PdfFindings::default();
    // Object streams are inflated under a budget: a small file must not expand
    // into gigabytes in the server's memory.
    let options = lopdf::LoadOptions::with_max_decompressed_size(PDF_MAX_DECOMPRESSED);
    let document =
        match std::panic::catch_unwind(|| lopdf::Document::load_with_options(path, options)) {
            Ok(Ok(document)) => document,
            _ => {
                found.unreadable = true;
                return found;
            }
        };
    // An encrypted PDF loads without its objects, and the parser skips objects it
    // cannot read or inflate: either way the scan below would see nothing. What
    // cannot be read whole is refused.
    let read: std::collections::BTreeSet<u32> = document.objects.keys().map(|(n, _)| *n).collect();
    let all_read = document.reference_table.entries.iter().all(|(id, entry)| {
        matches!(
            entry,
            lopdf::xref::XrefEntry::Free | lopdf::xref::XrefEntry::UnusableFree
        ) || read.contains(id)
    });
    if document.is_encrypted() || document.was_encrypted() || !all_read {
        found.unreadable = true;
        return found;
    }
    let mut scan = PdfScan {
        document: &document,
        found: &mut found,
    };
    for object in document.objects.values() {
        scan.object(object, 0);
    }
    found
}

/// One walk over a loaded PDF: names anywhere, and the actions a reader runs by
/// itself (`/OpenAction`, `/AA`) judged by what they do, references followed.
struct PdfScan<'a> {
    document: &'a lopdf::Document,
    found: &'a mut PdfFindings,
}

/// Direct objects nest; real files stay shallow, hostile ones are cut off.
const PDF_MAX_DEPTH: usize = 64;

impl PdfScan<'_> {
    fn object(&mut self, object: &lopdf::Object, depth: usize) {
        use lopdf::Object;
        if depth > PDF_MAX_DEPTH {
            self.found.unreadable = true;
            return;
        }
        match object {
            Object::Name(name) => self.found.mark_name(name),
            Object::Dictionary(dict) => self.dict(dict, depth),
            Object::Stream(stream) => self.dict(&stream.dict, depth),
            Object::Array(items) => {
                for item in items {
                    self.object(item, depth + 1);
                }
            }
            _ => {}
        }
    }

    fn dict(&mut self, dict: &lopdf::Dictionary, depth: usize) {
        for (key, value) in dict.iter() {
            self.found.mark_name(key);
            let plain = match key.as_slice() {
                // Run when the document opens: only going to a page is plain.
                b"OpenAction" => self.shows_a_page(value, 0),
                // Run on page open/close, on focus, on keystroke…: each must only
                // go to a page.
                b"AA" => match self.resolve(value) {
                    Some(lopdf::Object::Dictionary(triggers)) => triggers
                        .iter()
                        .all(|(_, action)| self.shows_a_page(action, 0)),
                    _ => false,
                },
                _ => true,
            };
            if !plain {
                self.found.found(PdfFeature::AutomaticAction);
            }
            self.object(value, depth + 1);
        }
    }

    fn resolve<'o>(&'o self, object: &'o lopdf::Object) -> Option<&'o lopdf::Object> {
        match object {
            lopdf::Object::Reference(id) => self.document.get_object(*id).ok(),
            other => Some(other),
        }
    }

    /// Whether an automatic action only shows a page: a destination (an array or
    /// a named one), or a `/GoTo` action whose `/Next` actions are plain too.
    fn shows_a_page(&self, action: &lopdf::Object, depth: usize) -> bool {
        use lopdf::Object;
        if depth > 8 {
            return false;
        }
        match self.resolve(action) {
            Some(Object::Array(_) | Object::String(..) | Object::Name(_)) => true,
            Some(Object::Dictionary(dict)) => {
                let goes_to_a_page =
                    matches!(dict.get(b"S"), Ok(Object::Name(kind)) if kind == b"GoTo");
                let next_plain = match dict.get(b"Next") {
                    Err(_) => true,
                    Ok(Object::Array(next)) => next.iter().all(|a| self.shows_a_page(a, depth + 1)),
                    Ok(next) => self.shows_a_page(next, depth + 1),
                };
                goes_to_a_page && next_plain
            }
            _ => false,
        }
    }
}

/// Who acts on evidence, as the custody log names them.
#[derive(Clone, Debug)]
pub struct Filer {
    pub actor: Actor,
    pub name: String,
}

impl Filer {
    fn custodian(&self) -> Custodian<'_> {
        Custodian {
            id: Some(&self.actor.account_id),
            name: &self.name,
        }
    }
}

/// A finished upload with its description, ready to become an exhibit.
pub struct Submission {
    pub hearing_id: String,
    pub submitter: Submitter,
    pub draft: ExhibitDraft,
    pub file_name: String,
    pub staged: Staged,
}

fn refused(reason: IntakeError) -> ApiError {
    ApiError::EvidenceRefused { reason }
}

async fn staff_of(state: &AppState, hearing_id: &str) -> Result<HearingStaff, ApiError> {
    db::hearings::staff(&state.db, hearing_id)
        .await?
        .ok_or(ApiError::HearingNotFound)
}

/// Files an exhibit: checks the filer's side, the text, the content and the
/// caps, stores the file, numbers the exhibit and starts its custody chain.
pub async fn submit(
    state: &AppState,
    by: &Filer,
    submission: Submission,
) -> Result<ExhibitRecord, ApiError> {
    let Submission {
        hearing_id,
        submitter,
        draft,
        file_name,
        staged,
    } = submission;
    let staff = staff_of(state, &hearing_id).await?;
    let sides = crate::domain::evidence::submit_sides(Some(&by.actor), &staff);
    if sides.is_empty() {
        return Err(ApiError::HearingNotFound);
    }
    if !sides.contains(&submitter) {
        return Err(ApiError::Forbidden);
    }
    let draft = draft.validate().map_err(refused)?;
    let limits = &state.evidence.limits;
    // A first look at the hearing's total before anything is stored; the binding
    // check comes again under the hearing's write turn below.
    let used = store_db::hearing_bytes(&state.db, &hearing_id).await?;
    limits.check_size(staged.size, used).map_err(refused)?;
    let kind = {
        let (path, head) = (staged.path.path().to_path_buf(), staged.head.clone());
        tokio::task::spawn_blocking(move || inspect(&path, &head))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "evidence inspection failed to run");
                ApiError::Internal
            })?
            .and_then(|kind| limits.check_kind(kind))
            .map_err(refused)?
    };
    let mut tx = state.db.begin().await?;
    if !db::pool::lock_hearing(&mut tx, &hearing_id).await? {
        return Err(ApiError::HearingNotFound);
    }
    // The hearing's total is checked under its write turn: two uploads at once
    // cannot both squeeze under the cap.
    let used = store_db::hearing_bytes_in(&mut tx, &hearing_id).await?;
    limits.check_size(staged.size, used).map_err(refused)?;
    store_db::insert_blob_in(&mut tx, &staged.sha256, staged.size, kind).await?;
    let id = store_db::insert_in(
        &mut tx,
        &NewExhibit {
            hearing_id: &hearing_id,
            submitter,
            draft: &draft,
            file_name: &crate::domain::evidence::clean_file_name(&file_name),
            kind,
            sha256: &staged.sha256,
            size: staged.size,
            by_id: &by.actor.account_id,
            by_name: &by.name,
        },
    )
    .await?;
    let exhibit = store_db::get_in(&mut tx, &id)
        .await?
        .ok_or(ApiError::Internal)?;
    // The file enters the store only once the caps have passed under the turn.
    let store = state.evidence.store.clone();
    let (path, sha256) = (staged.path.path().to_path_buf(), staged.sha256.clone());
    tokio::task::spawn_blocking(move || store.commit(&path, &sha256))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "evidence store failed to run");
            ApiError::Internal
        })?
        .map_err(|e| {
            tracing::error!(error = %e, "evidence file could not be stored");
            ApiError::Internal
        })?;
    let detail = format!("SHA-256 {}，{} 字节", exhibit.sha256, exhibit.size_bytes);
    store_db::custody_in(
        &mut tx,
        &exhibit,
        CustodyAction::Submitted,
        &by.custodian(),
        &detail,
    )
    .await?;
    // A failed commit leaves the stored file in place: a commit error may be
    // ambiguous (the row may exist after all), and another upload of the same
    // bytes may already rely on it. An unreferenced file costs only disk, and a
    // retry of the upload finds it.
    tx.commit().await.map_err(DbError::from)?;
    Ok(exhibit)
}

/// An exhibit and its hearing's staff, if `actor` may see it at all (else 404).
pub async fn visible_exhibit(
    state: &AppState,
    actor: Option<&Actor>,
    exhibit_id: &str,
) -> Result<(ExhibitRecord, HearingStaff, Viewer), ApiError> {
    let exhibit = store_db::get(&state.db, exhibit_id)
        .await?
        .ok_or(ApiError::ExhibitNotFound)?;
    let staff = staff_of(state, &exhibit.hearing_id).await?;
    let viewer = viewer_of(actor, &staff).ok_or(ApiError::ExhibitNotFound)?;
    if !may_see(viewer, exhibit.exposure()) {
        return Err(ApiError::ExhibitNotFound);
    }
    Ok((exhibit, staff, viewer))
}

/// Loads an exhibit the actor may manage (the host of its hearing), under the
/// hearing's write turn.
async fn managed(
    state: &AppState,
    by: &Filer,
    exhibit_id: &str,
) -> Result<(ExhibitRecord, sqlx::Transaction<'static, sqlx::Any>), ApiError> {
    let (exhibit, staff, _) = visible_exhibit(state, Some(&by.actor), exhibit_id).await?;
    if !permits(Some(&by.actor), Action::ManageEvidence, Some(&staff)) {
        return Err(ApiError::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    db::pool::lock_hearing(&mut tx, &exhibit.hearing_id).await?;
    let exhibit = store_db::get_in(&mut tx, exhibit_id)
        .await?
        .ok_or(ApiError::ExhibitNotFound)?;
    Ok((exhibit, tx))
}

pub async fn switch(
    state: &AppState,
    by: &Filer,
    exhibit_id: &str,
    what: ExhibitSwitch,
    on: bool,
) -> Result<(), ApiError> {
    let (exhibit, mut tx) = managed(state, by, exhibit_id).await?;
    if exhibit.status == ExhibitStatus::Withdrawn && on {
        return Err(ApiError::ExhibitWithdrawn);
    }
    let (flag, action) = match what {
        ExhibitSwitch::ShareWithParties => {
            (Flag::SharedWithParties, CustodyAction::SharedWithParties)
        }
        ExhibitSwitch::ReleaseToPanel => (Flag::ReleasedToPanel, CustodyAction::ReleasedToPanel),
    };
    store_db::set_flag_in(&mut tx, exhibit_id, flag, on).await?;
    let detail = if on { "是" } else { "撤销" };
    store_db::custody_in(&mut tx, &exhibit, action, &by.custodian(), detail).await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(())
}

/// 采纳: the host admits the exhibit to the hearing.
pub async fn admit(state: &AppState, by: &Filer, exhibit_id: &str) -> Result<(), ApiError> {
    let (exhibit, mut tx) = managed(state, by, exhibit_id).await?;
    if exhibit.status == ExhibitStatus::Withdrawn {
        return Err(ApiError::ExhibitWithdrawn);
    }
    store_db::set_status_in(&mut tx, exhibit_id, ExhibitStatus::Admitted).await?;
    store_db::custody_in(
        &mut tx,
        &exhibit,
        CustodyAction::Admitted,
        &by.custodian(),
        "",
    )
    .await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(())
}

/// 撤回: by its own side or the host, with a reason. The file and its record stay.
pub async fn withdraw(
    state: &AppState,
    by: &Filer,
    exhibit_id: &str,
    reason: &str,
) -> Result<(), ApiError> {
    let reason = crate::domain::evidence::check_reason(reason).map_err(refused)?;
    if reason.is_empty() {
        return Err(ApiError::ReasonRequired);
    }
    let (exhibit, staff, viewer) = visible_exhibit(state, Some(&by.actor), exhibit_id).await?;
    let managing = permits(Some(&by.actor), Action::ManageEvidence, Some(&staff));
    if !crate::domain::evidence::may_withdraw(viewer, managing, exhibit.exposure()) {
        return Err(if exhibit.status == ExhibitStatus::Withdrawn {
            ApiError::ExhibitWithdrawn
        } else {
            ApiError::Forbidden
        });
    }
    let mut tx = state.db.begin().await?;
    db::pool::lock_hearing(&mut tx, &exhibit.hearing_id).await?;
    // Read again under the turn: of two withdrawals at once, only one succeeds.
    let exhibit = store_db::get_in(&mut tx, exhibit_id)
        .await?
        .ok_or(ApiError::ExhibitNotFound)?;
    if exhibit.status == ExhibitStatus::Withdrawn {
        return Err(ApiError::ExhibitWithdrawn);
    }
    store_db::set_status_in(&mut tx, exhibit_id, ExhibitStatus::Withdrawn).await?;
    store_db::custody_in(
        &mut tx,
        &exhibit,
        CustodyAction::Withdrawn,
        &by.custodian(),
        &reason,
    )
    .await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(())
}

/// 当庭展示: the exhibit goes on every screen in the room — by the host, or by a
/// party showing its own while its side has the floor. Decided against the room
/// under the hearing's write turn; the event, the flag and the custody entry
/// commit together; the room is told after the commit.
pub async fn show(state: &AppState, by: &Filer, exhibit_id: &str) -> Result<u64, ApiError> {
    use crate::domain::evidence::may_show;
    use crate::sitting::Decision;
    let (exhibit, staff, viewer) = visible_exhibit(state, Some(&by.actor), exhibit_id).await?;
    let managing = permits(Some(&by.actor), Action::ManageEvidence, Some(&staff));
    crate::sitting::decide_in_turn(
        state,
        &exhibit.hearing_id,
        async |tx, room| {
            // Read again under the turn: a withdrawal may have just committed.
            let exhibit = store_db::get_in(tx, exhibit_id)
                .await?
                .ok_or(ApiError::ExhibitNotFound)?;
            may_show(viewer, managing, exhibit.exposure(), room).map_err(show_refused)?;
            let payload = EventPayload::ExhibitShown {
                exhibit: ShownExhibit {
                    exhibit_id: exhibit.id.clone(),
                    label: exhibit.label.clone(),
                    title: exhibit.title.clone(),
                    sha256: exhibit.sha256.clone(),
                    kind: exhibit.kind,
                    submitter: Some(exhibit.submitter),
                },
                shown_by: by.name.clone(),
            };
            Ok((Decision::Commit(payload), exhibit))
        },
        async |tx, event, exhibit| {
            store_db::set_flag_in(tx, &exhibit.id, Flag::ShownLive, true).await?;
            store_db::custody_in(
                tx,
                &exhibit,
                CustodyAction::ShownLive,
                &by.custodian(),
                &format!("事件 #{}", event.seq),
            )
            .await?;
            Ok(())
        },
    )
    .await
    .map(|(seq, _)| seq)
}

fn show_refused(refusal: crate::domain::evidence::ShowRefusal) -> ApiError {
    use crate::domain::evidence::ShowRefusal;
    match refusal {
        ShowRefusal::NotSitting => ApiError::NotSitting,
        ShowRefusal::ClosedSession => ApiError::ClosedSession,
        ShowRefusal::NotYourFloor => ApiError::NotYourFloor,
        ShowRefusal::NotAllowed => ApiError::Forbidden,
        ShowRefusal::Withdrawn => ApiError::ExhibitWithdrawn,
    }
}

/// Turns the PDF on the screens to `page`: the host, or the party that may show
/// it now (its own exhibit, its side with the floor) leafs through what it shows.
pub async fn turn_page(
    state: &AppState,
    by: &Filer,
    hearing_id: &str,
    page: u32,
) -> Result<u64, ApiError> {
    use crate::domain::evidence::may_show;
    use crate::sitting::Decision;
    let staff = staff_of(state, hearing_id).await?;
    let viewer = viewer_of(Some(&by.actor), &staff).ok_or(ApiError::HearingNotFound)?;
    let managing = permits(Some(&by.actor), Action::ManageEvidence, Some(&staff));
    if !managing && !matches!(viewer, Viewer::Party(_)) {
        return Err(ApiError::Forbidden);
    }
    crate::sitting::decide_in_turn(
        state,
        hearing_id,
        async |tx, room| {
            if room.in_closed_session() {
                return Err(ApiError::ClosedSession);
            }
            let shown = match &room.on_screen {
                Some(shown) if shown.kind == FileKind::Pdf && (1..=10_000).contains(&page) => shown,
                _ => return Err(ApiError::NoPdfShown),
            };
            let exhibit = store_db::get_in(tx, &shown.exhibit_id)
                .await?
                .ok_or(ApiError::ExhibitNotFound)?;
            may_show(viewer, managing, exhibit.exposure(), room).map_err(show_refused)?;
            let turned = EventPayload::ExhibitPageTurned {
                page,
                by: by.name.clone(),
            };
            Ok((Decision::Commit(turned), ()))
        },
        async |_, _, ()| Ok(()),
    )
    .await
    .map(|(seq, _)| seq)
}

/// Takes the shown exhibit off the screens.
pub async fn clear_shown(state: &AppState, by: &Filer, hearing_id: &str) -> Result<u64, ApiError> {
    let payload = EventPayload::ExhibitCleared {
        cleared_by: by.name.clone(),
    };
    let event = state
        .commit_event(hearing_id, &payload)
        .await?
        .ok_or(ApiError::HearingNotFound)?;
    Ok(event.seq)
}

/// 质证: a party or a seated member records an opinion on an exhibit they can see.
pub async fn give_opinion(
    state: &AppState,
    by: &Filer,
    exhibit_id: &str,
    opinion: Opinion,
) -> Result<(), ApiError> {
    let opinion = opinion.validate().map_err(refused)?;
    let (exhibit, staff, viewer) = visible_exhibit(state, Some(&by.actor), exhibit_id).await?;
    if !permits(Some(&by.actor), Action::GiveEvidenceOpinion, Some(&staff)) {
        return Err(ApiError::Forbidden);
    }
    if exhibit.status == ExhibitStatus::Withdrawn {
        return Err(ApiError::ExhibitWithdrawn);
    }
    let role = match viewer {
        Viewer::Party(kind) => kind.code(),
        _ => "juror",
    };
    let author = Author {
        id: &by.actor.account_id,
        name: &by.name,
        role,
    };
    let mut tx = state.db.begin().await?;
    db::pool::lock_hearing(&mut tx, &exhibit.hearing_id).await?;
    let current = store_db::get_in(&mut tx, exhibit_id)
        .await?
        .ok_or(ApiError::ExhibitNotFound)?;
    if current.status == ExhibitStatus::Withdrawn {
        return Err(ApiError::ExhibitWithdrawn);
    }
    store_db::insert_opinion_in(&mut tx, exhibit_id, &author, &opinion).await?;
    let custodian = by.custodian();
    store_db::custody_in(
        &mut tx,
        &exhibit,
        CustodyAction::Opinion,
        &custodian,
        &opinion.summary_zh(),
    )
    .await?;
    if opinion.disputes() {
        store_db::custody_in(
            &mut tx,
            &exhibit,
            CustodyAction::Challenged,
            &custodian,
            &opinion.comment,
        )
        .await?;
    }
    tx.commit().await.map_err(DbError::from)?;
    Ok(())
}

/// Re-hashes one stored file: `None` when it still matches its name.
pub fn check_blob(store: &dyn BlobStore, sha256: &str) -> Option<IntegrityFault> {
    let Ok(actual) = store.local_path(sha256).and_then(|path| file_sha256(&path)) else {
        return Some(IntegrityFault::Missing);
    };
    (actual != sha256).then_some(IntegrityFault::Altered { actual })
}

/// 完整性校验: re-hashes every file of a hearing; each check joins the custody chain.
pub async fn check_integrity(
    state: &AppState,
    by: &Filer,
    hearing_id: &str,
) -> Result<IntegrityReport, ApiError> {
    let exhibits = store_db::list(&state.db, hearing_id).await?;
    let store = state.evidence.store.clone();
    let hashes: Vec<String> = exhibits.iter().map(|e| e.sha256.clone()).collect();
    let results = tokio::task::spawn_blocking(move || {
        hashes
            .iter()
            .map(|sha| check_blob(store.as_ref(), sha))
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "integrity check failed to run");
        ApiError::Internal
    })?;
    let mut report = IntegrityReport {
        checked: 0,
        faults: Vec::new(),
    };
    for (exhibit, fault) in exhibits.iter().zip(results) {
        report.checked += 1;
        let detail = match &fault {
            None => "一致".to_owned(),
            Some(IntegrityFault::Missing) => "不一致：文件缺失".to_owned(),
            Some(IntegrityFault::Altered { actual }) => format!("不一致：现为 {actual}"),
        };
        store_db::custody(
            &state.db,
            exhibit,
            CustodyAction::IntegrityChecked,
            &by.custodian(),
            &detail,
        )
        .await?;
        if let Some(fault) = fault {
            tracing::warn!(exhibit = %exhibit.id, sha256 = %exhibit.sha256, ?fault, "evidence file altered or missing");
            report
                .faults
                .push((exhibit.label.clone(), exhibit.sha256.clone(), fault));
        }
    }
    Ok(report)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A store in its own directory under the system's temp dir, removed after the test.
    struct ScratchStore {
        store: DirStore,
        root: PathBuf,
    }

    impl ScratchStore {
        fn new() -> ScratchStore {
            let root = std::env::temp_dir()
                .join(format!("pingyi-evidence-{}", uuid::Uuid::new_v4().simple()));
            ScratchStore {
                store: DirStore::open(&root).unwrap(),
                root,
            }
        }

        /// Writes `bytes` to a staging file, as an upload would: (its path, its SHA-256).
        fn stage(&self, bytes: &[u8]) -> (PathBuf, String) {
            let path = self
                .store
                .staging_dir()
                .join(format!("{}.part", uuid::Uuid::new_v4().simple()));
            std::fs::write(&path, bytes).unwrap();
            (path, hex::encode(Sha256::digest(bytes)))
        }

        fn staging_is_empty(&self) -> bool {
            std::fs::read_dir(self.store.staging_dir())
                .unwrap()
                .next()
                .is_none()
        }
    }

    impl Drop for ScratchStore {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }

    const CONTRACT: &[u8] = b"%PDF-1.4 labour contract, page one";

    #[test]
    fn the_same_bytes_are_stored_once() {
        let scratch = ScratchStore::new();
        let (first, sha) = scratch.stage(CONTRACT);
        assert!(scratch.store.commit(&first, &sha).unwrap());
        let (second, _) = scratch.stage(CONTRACT);
        assert!(!scratch.store.commit(&second, &sha).unwrap());
        assert!(scratch.staging_is_empty());
        let stored = scratch.store.local_path(&sha).unwrap();
        assert_eq!(std::fs::read(stored).unwrap(), CONTRACT);
        assert_eq!(check_blob(&scratch.store, &sha), None);
    }

    #[test]
    fn committing_the_same_bytes_again_repairs_a_damaged_stored_copy() {
        let scratch = ScratchStore::new();
        let (first, sha) = scratch.stage(CONTRACT);
        assert!(scratch.store.commit(&first, &sha).unwrap());
        let stored = scratch.store.local_path(&sha).unwrap();
        let mut damaged = CONTRACT.to_vec();
        damaged[3] ^= 0x01;
        std::fs::write(&stored, &damaged).unwrap();
        assert!(matches!(
            check_blob(&scratch.store, &sha),
            Some(IntegrityFault::Altered { .. })
        ));

        let (again, _) = scratch.stage(CONTRACT);
        assert!(
            scratch.store.commit(&again, &sha).unwrap(),
            "the damaged copy is replaced, so a file was written"
        );
        assert_eq!(std::fs::read(&stored).unwrap(), CONTRACT);
        assert_eq!(check_blob(&scratch.store, &sha), None);
        assert!(scratch.staging_is_empty());
    }

    #[test]
    fn a_stored_copy_that_vanished_is_written_again() {
        let scratch = ScratchStore::new();
        let (first, sha) = scratch.stage(CONTRACT);
        assert!(scratch.store.commit(&first, &sha).unwrap());
        std::fs::remove_file(scratch.store.local_path(&sha).unwrap()).unwrap();
        assert_eq!(
            check_blob(&scratch.store, &sha),
            Some(IntegrityFault::Missing)
        );
        let (again, _) = scratch.stage(CONTRACT);
        assert!(scratch.store.commit(&again, &sha).unwrap());
        assert_eq!(check_blob(&scratch.store, &sha), None);
    }
}
