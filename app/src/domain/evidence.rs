//! 证据 evidence: what an exhibit is, how it is numbered, who may see it, which
//! files are accepted (judged by their bytes, never by their name), and the
//! 质证 cross-examination opinions. Pure: the server reads the bytes and the
//! archive or PDF structure, these functions decide.

use super::access::{Action, Actor, HearingStaff, PartyKind, permits};
use super::case::{Coded, coded_enum};
use serde::{Deserialize, Serialize};

coded_enum! {
    /// The file types an office may accept; the list in force is configurable.
    FileKind {
        Pdf = ("pdf", "PDF 文档", "PDF document"),
        Jpeg = ("jpeg", "JPEG 图片", "JPEG image"),
        Png = ("png", "PNG 图片", "PNG image"),
        Webp = ("webp", "WebP 图片", "WebP image"),
        Mp3 = ("mp3", "MP3 音频", "MP3 audio"),
        M4a = ("m4a", "M4A 音频", "M4A audio"),
        Mp4 = ("mp4", "MP4 视频", "MP4 video"),
        Docx = ("docx", "Word 文档（DOCX）", "Word document (DOCX)"),
        Xlsx = ("xlsx", "Excel 表格（XLSX）", "Excel workbook (XLSX)"),
    }
}

/// How the browser may show a file: inline for what it renders safely, else a download.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Preview {
    Image,
    Pdf,
    Audio,
    Video,
    Download,
}

impl FileKind {
    /// The Content-Type the file is served with: always ours, never the uploader's.
    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Webp => "image/webp",
            FileKind::Mp3 => "audio/mpeg",
            FileKind::M4a => "audio/mp4",
            FileKind::Mp4 => "video/mp4",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Jpeg => "jpg",
            other => other.code(),
        }
    }

    pub fn preview(self) -> Preview {
        match self {
            FileKind::Jpeg | FileKind::Png | FileKind::Webp => Preview::Image,
            FileKind::Pdf => Preview::Pdf,
            FileKind::Mp3 | FileKind::M4a => Preview::Audio,
            FileKind::Mp4 => Preview::Video,
            FileKind::Docx | FileKind::Xlsx => Preview::Download,
        }
    }

    /// The `accept` attribute of the file picker for these kinds.
    pub fn accept_attribute(kinds: &[FileKind]) -> String {
        kinds
            .iter()
            .map(|k| format!(".{},{}", k.extension(), k.mime()))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// What the first bytes of a file say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    Kind(FileKind),
    /// A ZIP container: DOCX or XLSX only after its entries are read ([`office_kind`]).
    Zip,
    /// Something we recognise and never accept, with the reason.
    Refused(IntakeError),
}

/// How many leading bytes [`sniff`] looks at.
pub const SNIFF_BYTES: usize = 64;

/// Judges a file by its leading bytes (magic numbers), whatever its name says.
pub fn sniff(head: &[u8]) -> Sniffed {
    let starts = |magic: &[u8]| head.starts_with(magic);
    if head.is_empty() {
        return Sniffed::Refused(IntakeError::Empty);
    }
    if starts(b"%PDF-") {
        return Sniffed::Kind(FileKind::Pdf);
    }
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Sniffed::Kind(FileKind::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Sniffed::Kind(FileKind::Png);
    }
    if starts(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        return Sniffed::Kind(FileKind::Webp);
    }
    if starts(b"PK\x03\x04") {
        return Sniffed::Zip;
    }
    if head.get(4..8) == Some(b"ftyp") {
        return sniff_iso_media(head.get(8..12).unwrap_or_default());
    }
    if starts(b"ID3") || is_mpeg_audio_frame(head) {
        return Sniffed::Kind(FileKind::Mp3);
    }
    if starts(b"MZ") || starts(b"\x7fELF") || starts(b"#!") {
        return Sniffed::Refused(IntakeError::Executable);
    }
    if looks_like_markup(head) {
        return Sniffed::Refused(IntakeError::Markup);
    }
    Sniffed::Refused(IntakeError::NotAccepted)
}

/// MPEG-1/2 Layer III frame sync: 11 set bits, then a layer field of 01.
fn is_mpeg_audio_frame(head: &[u8]) -> bool {
    matches!(head, [0xFF, second, ..] if second & 0xE0 == 0xE0 && second & 0x06 == 0x02)
}

/// ISO base media files (MP4, M4A, but also HEIC photos and QuickTime) by brand.
fn sniff_iso_media(brand: &[u8]) -> Sniffed {
    match brand {
        b"M4A " | b"M4B " => Sniffed::Kind(FileKind::M4a),
        b"heic" | b"heix" | b"mif1" | b"msf1" | b"hevc" | b"avif" => {
            Sniffed::Refused(IntakeError::HeicPhoto)
        }
        b"qt  " => Sniffed::Refused(IntakeError::QuickTime),
        _ => Sniffed::Kind(FileKind::Mp4),
    }
}

/// HTML, SVG, XML and scripts: rendered by a browser, so never accepted.
fn looks_like_markup(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    // Every markup document (<!doctype, <html, <svg, <?xml …) opens with '<'.
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
}

/// A ZIP archive as read from its central directory and by decompressing it
/// under a budget (declared sizes can lie).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ZipSummary {
    pub entry_names: Vec<String>,
    pub compressed_bytes: u64,
    /// Bytes actually produced by decompression (stops at the budget).
    pub uncompressed_bytes: u64,
    /// Decompression stopped because it passed [`ZIP_MAX_UNCOMPRESSED`].
    pub over_budget: bool,
    /// The archive could not be read to its end.
    pub unreadable: bool,
}

/// A DOCX or XLSX never needs more than this once unpacked.
pub const ZIP_MAX_UNCOMPRESSED: u64 = 256 * 1024 * 1024;
/// Office documents compress text ~10:1; a bomb does 1000:1 and more.
pub const ZIP_MAX_RATIO: u64 = 100;
pub const ZIP_MAX_ENTRIES: usize = 10_000;

/// DOCX or XLSX, or why the archive is refused.
pub fn office_kind(zip: &ZipSummary) -> Result<FileKind, IntakeError> {
    if zip.over_budget
        || zip.entry_names.len() > ZIP_MAX_ENTRIES
        || zip.uncompressed_bytes > ZIP_MAX_UNCOMPRESSED
        || zip.uncompressed_bytes > zip.compressed_bytes.max(1) * ZIP_MAX_RATIO
    {
        return Err(IntakeError::ZipBomb);
    }
    if zip.unreadable {
        return Err(IntakeError::Unreadable);
    }
    let has = |name: &str| zip.entry_names.iter().any(|n| n == name);
    let has_under = |prefix: &str| zip.entry_names.iter().any(|n| n.starts_with(prefix));
    if !has("[Content_Types].xml") {
        return Err(IntakeError::NotAccepted);
    }
    if zip
        .entry_names
        .iter()
        .any(|n| n.ends_with("vbaProject.bin"))
    {
        return Err(IntakeError::OfficeMacros);
    }
    if has("word/document.xml") && has_under("word/") {
        Ok(FileKind::Docx)
    } else if has("xl/workbook.xml") {
        Ok(FileKind::Xlsx)
    } else {
        Err(IntakeError::NotAccepted)
    }
}

coded_enum! {
    /// What makes a PDF active rather than a document to read: each is refused,
    /// and the refusal names it so the sender knows what to remove.
    PdfFeature {
        /// `/JS`, `/JavaScript`: scripts.
        JavaScript = ("javascript", "脚本（JavaScript）", "scripts (JavaScript)"),
        /// `/Launch`: starts a program.
        Launch = ("launch", "启动程序的动作", "actions that start a program"),
        /// `/XFA`: a dynamic form, which can carry its own scripts.
        Xfa = ("xfa", "XFA 动态表单", "XFA dynamic forms"),
        /// `/URI` actions: opens a web address.
        OpenUrl = ("open_url", "打开网址的链接动作", "actions that open a web address"),
        /// `/SubmitForm`: sends form data somewhere.
        SubmitForm = ("submit_form", "提交表单的动作", "actions that submit a form"),
        /// `/ImportData`: reads data from another file.
        ImportData = ("import_data", "导入外部数据的动作", "actions that import data"),
        /// `/GoToR`, `/GoToE`: opens another file.
        OtherFile = ("other_file", "打开其他文件的动作", "actions that open another file"),
        /// `/RichMedia`, `/Rendition`, `/Movie`, `/Sound`: embedded players.
        RichMedia = ("rich_media", "内嵌多媒体播放", "embedded media players"),
        /// `/OpenAction` or `/AA` that does more than show a page.
        AutomaticAction = ("automatic_action", "打开或浏览时自动执行的动作", "actions that run by themselves"),
        /// `/EmbeddedFile(s)`: attachments that could be anything.
        EmbeddedFiles = ("embedded_files", "内嵌附件", "embedded files"),
    }
}

/// What the server found walking every object of a PDF (object streams included).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PdfFindings {
    /// Every active feature seen, in a stable order.
    pub features: std::collections::BTreeSet<PdfFeature>,
    pub unreadable: bool,
}

impl PdfFindings {
    pub fn found(&mut self, feature: PdfFeature) {
        self.features.insert(feature);
    }

    /// The feature a name (a key or a name value) of a PDF object stands for.
    /// Names are matched anywhere, not only in their usual place: a hostile file
    /// need not put them where a reader expects.
    pub fn mark_name(&mut self, name: &[u8]) {
        let feature = match name {
            b"JS" | b"JavaScript" => PdfFeature::JavaScript,
            b"Launch" => PdfFeature::Launch,
            b"XFA" => PdfFeature::Xfa,
            b"URI" => PdfFeature::OpenUrl,
            b"SubmitForm" => PdfFeature::SubmitForm,
            b"ImportData" => PdfFeature::ImportData,
            b"GoToR" | b"GoToE" => PdfFeature::OtherFile,
            b"RichMedia" | b"RichMediaExecute" | b"Rendition" | b"Movie" | b"Sound" => {
                PdfFeature::RichMedia
            }
            b"EmbeddedFile" | b"EmbeddedFiles" => PdfFeature::EmbeddedFiles,
            _ => return,
        };
        self.found(feature);
    }
}

/// A PDF is accepted only when it is inert: no scripts, no actions beyond showing a
/// page, no forms that act, no players, no attachments.
pub fn check_pdf(found: &PdfFindings) -> Result<(), IntakeError> {
    if found.unreadable {
        return Err(IntakeError::Unreadable);
    }
    // Attachments have their own advice (send them separately); anything active
    // besides is named first.
    match found
        .features
        .iter()
        .find(|f| **f != PdfFeature::EmbeddedFiles)
    {
        Some(feature) => Err(IntakeError::PdfActiveContent { feature: *feature }),
        None if found.features.contains(&PdfFeature::EmbeddedFiles) => {
            Err(IntakeError::PdfAttachments)
        }
        None => Ok(()),
    }
}

/// The office's intake limits (configurable; defaults 50 MiB / 500 MiB, all types).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeLimits {
    pub max_file_bytes: u64,
    pub max_hearing_bytes: u64,
    pub accepted: Vec<FileKind>,
}

pub const MIB: u64 = 1024 * 1024;

impl Default for IntakeLimits {
    fn default() -> Self {
        IntakeLimits {
            max_file_bytes: 50 * MIB,
            max_hearing_bytes: 500 * MIB,
            accepted: FileKind::ALL.to_vec(),
        }
    }
}

impl IntakeLimits {
    /// Refuses a file over the per-file cap, or one that would fill the hearing past its cap.
    pub fn check_size(&self, size: u64, hearing_used: u64) -> Result<(), IntakeError> {
        if size == 0 {
            return Err(IntakeError::Empty);
        }
        if size > self.max_file_bytes {
            return Err(IntakeError::FileTooLarge {
                max_mib: self.max_file_bytes / MIB,
            });
        }
        if hearing_used.saturating_add(size) > self.max_hearing_bytes {
            return Err(IntakeError::HearingFull {
                max_mib: self.max_hearing_bytes / MIB,
                used_mib: hearing_used.div_ceil(MIB),
            });
        }
        Ok(())
    }

    pub fn check_kind(&self, kind: FileKind) -> Result<FileKind, IntakeError> {
        if self.accepted.contains(&kind) {
            Ok(kind)
        } else {
            Err(IntakeError::KindNotAccepted { kind })
        }
    }

    /// Parses the operator's list, e.g. "pdf,jpeg,png"; unknown names are an error.
    pub fn parse_kinds(list: &str) -> Result<Vec<FileKind>, String> {
        let mut kinds = Vec::new();
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let name = name.to_ascii_lowercase();
            let kind = FileKind::ALL
                .iter()
                .copied()
                .find(|k| k.code() == name || (name == "jpg" && *k == FileKind::Jpeg))
                .ok_or_else(|| format!("未知的证据文件类型 / unknown evidence type: {name}"))?;
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        if kinds.is_empty() {
            return Err("至少接受一种文件类型 / accept at least one type".into());
        }
        Ok(kinds)
    }
}

/// Why a file or its description was refused. Every variant has a Chinese message
/// that tells a citizen on a phone what to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum IntakeError {
    #[error("empty file")]
    Empty,
    #[error("file too large")]
    FileTooLarge { max_mib: u64 },
    #[error("hearing full")]
    HearingFull { max_mib: u64, used_mib: u64 },
    #[error("type not accepted")]
    NotAccepted,
    #[error("type not accepted here")]
    KindNotAccepted { kind: FileKind },
    #[error("markup")]
    Markup,
    #[error("executable")]
    Executable,
    #[error("heic photo")]
    HeicPhoto,
    #[error("quicktime video")]
    QuickTime,
    #[error("zip bomb")]
    ZipBomb,
    #[error("office macros")]
    OfficeMacros,
    #[error("pdf active content")]
    PdfActiveContent { feature: PdfFeature },
    #[error("pdf attachments")]
    PdfAttachments,
    #[error("unreadable")]
    Unreadable,
    #[error("title missing")]
    TitleMissing,
    #[error("text too long")]
    TooLong { field: ExhibitField, max: usize },
}

coded_enum! {
    /// The fields of an exhibit a person types.
    ExhibitField {
        Title = ("title", "证据名称", "Title"),
        Description = ("description", "证据说明", "Description"),
        Purpose = ("purpose", "证明目的", "What it proves"),
        Reason = ("reason", "理由", "Reason"),
        Comment = ("comment", "质证意见", "Opinion"),
    }
}

impl IntakeError {
    pub fn message_zh(&self) -> String {
        match self {
            IntakeError::Empty => "文件是空的（0 字节），请重新选择".into(),
            IntakeError::FileTooLarge { max_mib } => {
                format!("文件超过 {max_mib} MB 的上限，请压缩或分成几份后再提交")
            }
            IntakeError::HearingFull { max_mib, used_mib } => format!(
                "本场听证的证据材料已达 {used_mib} MB，再提交将超过 {max_mib} MB 的总上限；请联系主持人"
            ),
            IntakeError::NotAccepted => {
                "不支持的文件类型：请提交 PDF、图片（JPEG/PNG/WebP）、音频（MP3/M4A）、MP4 视频或 Word/Excel 文档"
                    .into()
            }
            IntakeError::KindNotAccepted { kind } => {
                format!("本机构不接收{}，请转换为其他格式后提交", kind.label_zh())
            }
            IntakeError::Markup => {
                "网页、SVG 或脚本文件不能作为证据提交（文件内容与扩展名不符时以内容为准）".into()
            }
            IntakeError::Executable => "可执行程序不能作为证据提交".into(),
            IntakeError::HeicPhoto => {
                "暂不支持 HEIC 格式照片：请在手机相机设置中选择“兼容性最佳”，或转换为 JPEG 后提交"
                    .into()
            }
            IntakeError::QuickTime => "暂不支持 MOV 视频，请转换为 MP4 后提交".into(),
            IntakeError::ZipBomb => "文件解压后体积异常（疑似压缩炸弹），已拒收".into(),
            IntakeError::OfficeMacros => "文档含有宏，已拒收；请另存为不含宏的 DOCX/XLSX 后提交".into(),
            IntakeError::PdfActiveContent { feature } => format!(
                "PDF 含有{}，已拒收；请用“打印为 PDF”另存为普通文档后再提交",
                feature.label_zh()
            ),
            IntakeError::PdfAttachments => "PDF 内嵌有附件文件，已拒收；请将附件单独提交".into(),
            IntakeError::Unreadable => "文件已损坏或无法读取，请检查后重新提交".into(),
            IntakeError::TitleMissing => "请填写证据名称".into(),
            IntakeError::TooLong { field, max } => {
                format!("{}不能超过 {max} 个字", field.label_zh())
            }
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            IntakeError::Empty => "The file is empty".into(),
            IntakeError::FileTooLarge { max_mib } => format!("The file exceeds {max_mib} MB"),
            IntakeError::HearingFull { max_mib, used_mib } => format!(
                "This hearing holds {used_mib} MB of evidence; this file would pass the {max_mib} MB limit"
            ),
            IntakeError::NotAccepted => "This file type is not accepted".into(),
            IntakeError::KindNotAccepted { kind } => {
                format!("This office does not accept {}", kind.label_en())
            }
            IntakeError::Markup => "Web pages, SVG and scripts are never accepted".into(),
            IntakeError::Executable => "Programs are never accepted".into(),
            IntakeError::HeicPhoto => "HEIC photos are not accepted; send JPEG".into(),
            IntakeError::QuickTime => "MOV videos are not accepted; send MP4".into(),
            IntakeError::ZipBomb => "The file unpacks to an abnormal size (zip bomb)".into(),
            IntakeError::OfficeMacros => "Documents with macros are not accepted".into(),
            IntakeError::PdfActiveContent { feature } => format!(
                "PDFs with {} are not accepted; print it to a plain PDF and send that",
                feature.label_en()
            ),
            IntakeError::PdfAttachments => "PDFs with embedded files are not accepted".into(),
            IntakeError::Unreadable => "The file is damaged or unreadable".into(),
            IntakeError::TitleMissing => "Give the exhibit a title".into(),
            IntakeError::TooLong { field, max } => {
                format!("{} is longer than {max} characters", field.label_en())
            }
        }
    }
}

/// The longest file name kept (characters); longer names keep their extension.
pub const FILE_NAME_MAX_CHARS: usize = 120;

/// A file name as shown and offered for download: the last path segment only, no
/// control or direction-override characters, no leading dots, bounded length.
/// The stored file is named by its hash; this name never reaches the file system.
pub fn clean_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let kept: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_invisible_format(*c))
        .collect();
    let trimmed = kept.trim().trim_start_matches('.').trim();
    if trimmed.is_empty() {
        return "未命名文件".into();
    }
    if trimmed.chars().count() <= FILE_NAME_MAX_CHARS {
        return trimmed.to_owned();
    }
    let (stem, ext) = match trimmed.rsplit_once('.') {
        Some((stem, ext)) if ext.chars().count() <= 8 => (stem, format!(".{ext}")),
        _ => (trimmed, String::new()),
    };
    let room = FILE_NAME_MAX_CHARS - ext.chars().count();
    format!("{}{ext}", stem.chars().take(room).collect::<String>())
}

/// Zero-width and bidirectional controls: they make "exe.pdf" look like "fdp.exe".
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}')
}

/// The name a file is offered under: its own stem, our extension for its kind
/// (a JPEG named `x.hta` downloads as `x.jpg`).
pub fn with_extension(file_name: &str, kind: FileKind) -> String {
    let stem = match file_name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => file_name,
    };
    format!("{stem}.{}", kind.extension())
}

coded_enum! {
    /// Who put an exhibit forward; the prefix of its number (申-1, 被-1 …).
    Submitter {
        /// 信访人 (申请人) — 申-N.
        Petitioner = ("petitioner", "信访人", "Petitioner"),
        /// 责任单位 (被申请人) — 被-N.
        Agency = ("agency", "责任单位", "Responding agency"),
        /// 第三人 — 三-N.
        ThirdParty = ("third_party", "第三人", "Third party"),
        /// 听证组织方: material the office itself brings (调查材料) — 听-N.
        Office = ("office", "听证组织方", "Hearing office"),
    }
}

impl Submitter {
    pub fn prefix(self) -> &'static str {
        match self {
            Submitter::Petitioner => "申",
            Submitter::Agency => "被",
            Submitter::ThirdParty => "三",
            Submitter::Office => "听",
        }
    }

    /// "申-1": numbered per hearing and submitting side, from 1, never reused.
    pub fn label(self, number: u32) -> String {
        format!("{}-{number}", self.prefix())
    }
}

impl From<PartyKind> for Submitter {
    fn from(kind: PartyKind) -> Self {
        match kind {
            PartyKind::Petitioner => Submitter::Petitioner,
            PartyKind::Agency => Submitter::Agency,
            PartyKind::ThirdParty => Submitter::ThirdParty,
        }
    }
}

coded_enum! {
    /// Where an exhibit stands.
    ExhibitStatus {
        /// 已提交
        Submitted = ("submitted", "已提交", "Submitted"),
        /// 已采纳: the host admitted it to the hearing.
        Admitted = ("admitted", "已采纳", "Admitted"),
        /// 已撤回: withdrawn by its side; the file and record stay.
        Withdrawn = ("withdrawn", "已撤回", "Withdrawn"),
    }
}

coded_enum! {
    /// The chain of custody (保管链): every action on an exhibit, in order.
    CustodyAction {
        Submitted = ("submitted", "提交", "Submitted"),
        Viewed = ("viewed", "查看", "Viewed"),
        SharedWithParties = ("shared", "向各方公开", "Shared with the parties"),
        ReleasedToPanel = ("released", "向评议员公开", "Released to the panel"),
        ShownLive = ("shown_live", "当庭展示", "Shown live"),
        Admitted = ("admitted", "采纳", "Admitted"),
        Challenged = ("challenged", "提出异议", "Challenged"),
        Opinion = ("opinion", "发表质证意见", "Opinion recorded"),
        Withdrawn = ("withdrawn", "撤回", "Withdrawn"),
        IntegrityChecked = ("integrity_checked", "完整性校验", "Integrity checked"),
    }
}

/// Who is looking at a hearing's exhibits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Viewer {
    /// The hearing's host or clerk, an administrator, an archivist: everything.
    Staff,
    /// A party admitted by invitation.
    Party(PartyKind),
    /// A member seated on the panel.
    Juror,
    /// 旁听 an observer of a public hearing.
    Public,
}

/// Which of the above `actor` (None: not logged in) is for this hearing, if any.
pub fn viewer_of(actor: Option<&Actor>, hearing: &HearingStaff) -> Option<Viewer> {
    let may = |action| permits(actor, action, Some(hearing));
    if may(Action::ViewAllEvidence) {
        return Some(Viewer::Staff);
    }
    if let Some(kind) = actor.and_then(|a| a.party_kind)
        && may(Action::SubmitEvidence)
    {
        return Some(Viewer::Party(kind));
    }
    if may(Action::ViewReleasedEvidence) {
        return Some(Viewer::Juror);
    }
    may(Action::ObserveHearing).then_some(Viewer::Public)
}

/// The sides `actor` may file evidence for: a party its own, the hearing's staff any.
pub fn submit_sides(actor: Option<&Actor>, hearing: &HearingStaff) -> Vec<Submitter> {
    if !permits(actor, Action::SubmitEvidence, Some(hearing)) {
        return Vec::new();
    }
    match actor.and_then(|a| a.party_kind) {
        Some(kind) => vec![Submitter::from(kind)],
        None => Submitter::ALL.to_vec(),
    }
}

/// A side may withdraw what it filed, the host anything; withdrawn stays withdrawn.
pub fn may_withdraw(viewer: Viewer, managing: bool, e: Exposure) -> bool {
    let own = matches!(viewer, Viewer::Party(kind) if Submitter::from(kind) == e.submitter);
    e.status != ExhibitStatus::Withdrawn && (managing || own)
}

/// Why an exhibit may not go on the room's screens now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShowRefusal {
    /// The hearing is not sitting (not started, adjourned or closed): there is
    /// no room to show it to, and showing opens the file to the public.
    NotSitting,
    /// The panel sits in closed session: nothing is shown to the room.
    ClosedSession,
    /// Neither the host nor the side that filed it with the floor.
    NotYourFloor,
    /// Not the host's, and not this party's own exhibit.
    NotAllowed,
    Withdrawn,
}

/// 当庭展示: the host shows any exhibit still on file; a party shows its own
/// while its side has the floor (`floor`: the part of whoever speaks now).
/// Nothing goes on the screens while the panel sits in closed session.
pub fn may_show(
    viewer: Viewer,
    managing: bool,
    e: Exposure,
    room: &super::room::RoomState,
) -> Result<(), ShowRefusal> {
    if e.status == ExhibitStatus::Withdrawn {
        return Err(ShowRefusal::Withdrawn);
    }
    if room.in_closed_session() {
        return Err(ShowRefusal::ClosedSession);
    }
    if !room.sitting() {
        return Err(ShowRefusal::NotSitting);
    }
    let floor = room.floor.as_ref().map(|f| f.part);
    if managing {
        return Ok(());
    }
    match viewer {
        Viewer::Party(kind) if shows_on_own_floor(viewer, e) => {
            if floor == Some(super::sitting::Part::of_party(kind)) {
                Ok(())
            } else {
                Err(ShowRefusal::NotYourFloor)
            }
        }
        _ => Err(ShowRefusal::NotAllowed),
    }
}

/// A party's own exhibit still on file: what it may show while its side has
/// the floor (the evidence page offers the button).
pub fn shows_on_own_floor(viewer: Viewer, e: Exposure) -> bool {
    matches!(viewer, Viewer::Party(kind) if Submitter::from(kind) == e.submitter)
        && e.status != ExhibitStatus::Withdrawn
}

/// The facts about an exhibit that decide who sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exposure {
    pub submitter: Submitter,
    pub status: ExhibitStatus,
    /// The host shared it with every party (before the hearing, 证据交换).
    pub shared_with_parties: bool,
    /// The host released it to the panel.
    pub released_to_panel: bool,
    /// It was shown live in the room: everybody present saw it.
    pub shown_live: bool,
}

/// May `viewer` see this exhibit (its entry, hash and file)?
pub fn may_see(viewer: Viewer, e: Exposure) -> bool {
    let live = e.status != ExhibitStatus::Withdrawn;
    match viewer {
        Viewer::Staff => true,
        Viewer::Party(kind) => {
            Submitter::from(kind) == e.submitter
                || (live && (e.shared_with_parties || e.shown_live))
        }
        Viewer::Juror => live && (e.released_to_panel || e.shown_live),
        Viewer::Public => live && e.shown_live,
    }
}

/// What the host can switch on an exhibit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExhibitSwitch {
    /// 向各方公开 (证据交换 before the hearing).
    ShareWithParties,
    /// 向评议员公开.
    ReleaseToPanel,
}

/// An exhibit's typed description, validated.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExhibitDraft {
    pub title: String,
    pub description: String,
    /// 证明目的: what the exhibit is meant to prove.
    pub purpose: String,
}

impl ExhibitDraft {
    pub const TITLE_MAX: usize = 100;
    pub const TEXT_MAX: usize = 2000;

    /// Trims every field; the first problem found is returned.
    pub fn validate(self) -> Result<ExhibitDraft, IntakeError> {
        let title = self.title.trim().to_owned();
        if title.is_empty() {
            return Err(IntakeError::TitleMissing);
        }
        bounded(ExhibitField::Title, &title, Self::TITLE_MAX)?;
        let description = self.description.trim().to_owned();
        bounded(ExhibitField::Description, &description, Self::TEXT_MAX)?;
        let purpose = self.purpose.trim().to_owned();
        bounded(ExhibitField::Purpose, &purpose, Self::TEXT_MAX)?;
        Ok(ExhibitDraft {
            title,
            description,
            purpose,
        })
    }
}

fn bounded(field: ExhibitField, text: &str, max: usize) -> Result<(), IntakeError> {
    if text.chars().count() > max {
        Err(IntakeError::TooLong { field, max })
    } else {
        Ok(())
    }
}

/// A reason typed for withdrawing (or another decision), bounded.
pub fn check_reason(raw: &str) -> Result<String, IntakeError> {
    let reason = raw.trim().to_owned();
    bounded(ExhibitField::Reason, &reason, ExhibitDraft::TEXT_MAX)?;
    Ok(reason)
}

coded_enum! {
    /// A view on one of the three questions of 质证.
    Stance {
        /// 无异议
        Agree = ("agree", "无异议", "No objection"),
        /// 有异议
        Dispute = ("dispute", "有异议", "Objection"),
        /// 不发表意见
        NoComment = ("no_comment", "不发表意见", "No comment"),
    }
}

/// 质证意见: one person's opinion on an exhibit's 真实性、合法性、关联性.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opinion {
    /// 真实性
    pub authenticity: Stance,
    /// 合法性
    pub legality: Stance,
    /// 关联性
    pub relevance: Stance,
    pub comment: String,
}

impl Opinion {
    pub fn validate(self) -> Result<Opinion, IntakeError> {
        let comment = self.comment.trim().to_owned();
        bounded(ExhibitField::Comment, &comment, ExhibitDraft::TEXT_MAX)?;
        Ok(Opinion { comment, ..self })
    }

    /// Any objection makes the exhibit challenged (有异议).
    pub fn disputes(&self) -> bool {
        [self.authenticity, self.legality, self.relevance].contains(&Stance::Dispute)
    }

    /// "真实性：无异议；合法性：有异议；关联性：不发表意见" — as the minutes print it.
    pub fn summary_zh(&self) -> String {
        format!(
            "真实性：{}；合法性：{}；关联性：{}",
            self.authenticity.label_zh(),
            self.legality.label_zh(),
            self.relevance.label_zh()
        )
    }
}

/// A stored file whose bytes no longer hash to its name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IntegrityFault {
    /// The file is gone.
    Missing,
    /// The file's SHA-256 is now `actual`.
    Altered { actual: String },
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn files_are_judged_by_their_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Sniffed::Kind(FileKind::Pdf));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Sniffed::Kind(FileKind::Jpeg)
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR"),
            Sniffed::Kind(FileKind::Png)
        );
        assert_eq!(
            sniff(b"RIFF\x10\0\0\0WEBPVP8 "),
            Sniffed::Kind(FileKind::Webp)
        );
        assert_eq!(sniff(b"ID3\x04\0\0\0\0\0\0"), Sniffed::Kind(FileKind::Mp3));
        assert_eq!(
            sniff(&[0xFF, 0xFB, 0x90, 0x64]),
            Sniffed::Kind(FileKind::Mp3)
        );
        assert_eq!(
            sniff(b"\0\0\0\x20ftypM4A \0\0\0\0"),
            Sniffed::Kind(FileKind::M4a)
        );
        assert_eq!(
            sniff(b"\0\0\0\x20ftypisom\0\0\x02\0"),
            Sniffed::Kind(FileKind::Mp4)
        );
        assert_eq!(sniff(b"PK\x03\x04\x14\0"), Sniffed::Zip);
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic"),
            Sniffed::Refused(IntakeError::HeicPhoto)
        );
    }

    #[test]
    fn markup_and_programs_are_refused_whatever_their_name() {
        for page in [
            &b"<!DOCTYPE html><html>"[..],
            b"  <html><script>alert(1)</script>",
            b"\xEF\xBB\xBF<?xml version=\"1.0\"?><svg onload=alert(1)>",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>",
        ] {
            assert_eq!(
                sniff(page),
                Sniffed::Refused(IntakeError::Markup),
                "{page:?}"
            );
        }
        assert_eq!(
            sniff(b"MZ\x90\0"),
            Sniffed::Refused(IntakeError::Executable)
        );
        assert_eq!(
            sniff(b"plain text"),
            Sniffed::Refused(IntakeError::NotAccepted)
        );
        assert_eq!(sniff(b""), Sniffed::Refused(IntakeError::Empty));
    }

    fn zip(names: &[&str], compressed: u64, uncompressed: u64) -> ZipSummary {
        ZipSummary {
            entry_names: names.iter().map(|s| s.to_string()).collect(),
            compressed_bytes: compressed,
            uncompressed_bytes: uncompressed,
            ..ZipSummary::default()
        }
    }

    #[test]
    fn office_documents_are_told_apart_and_bombs_refused() {
        let docx = [
            "[Content_Types].xml",
            "word/document.xml",
            "word/styles.xml",
        ];
        assert_eq!(office_kind(&zip(&docx, 10_000, 60_000)), Ok(FileKind::Docx));
        let xlsx = ["[Content_Types].xml", "xl/workbook.xml"];
        assert_eq!(office_kind(&zip(&xlsx, 10_000, 60_000)), Ok(FileKind::Xlsx));
        assert_eq!(
            office_kind(&zip(&docx, 10_000, 10_000 * 1000)),
            Err(IntakeError::ZipBomb)
        );
        let mut budget = zip(&docx, 10_000, 60_000);
        budget.over_budget = true;
        assert_eq!(office_kind(&budget), Err(IntakeError::ZipBomb));
        assert_eq!(
            office_kind(&zip(&["a.txt"], 10, 10)),
            Err(IntakeError::NotAccepted)
        );
        let docm = [
            "[Content_Types].xml",
            "word/document.xml",
            "word/vbaProject.bin",
        ];
        assert_eq!(
            office_kind(&zip(&docm, 10_000, 60_000)),
            Err(IntakeError::OfficeMacros)
        );
    }

    #[test]
    fn active_pdfs_are_refused() {
        assert_eq!(check_pdf(&PdfFindings::default()), Ok(()));
        let mut js = PdfFindings::default();
        js.mark_name(b"JS");
        assert_eq!(
            check_pdf(&js),
            Err(IntakeError::PdfActiveContent {
                feature: PdfFeature::JavaScript
            })
        );
        for (name, feature) in [
            (&b"XFA"[..], PdfFeature::Xfa),
            (b"URI", PdfFeature::OpenUrl),
            (b"SubmitForm", PdfFeature::SubmitForm),
            (b"ImportData", PdfFeature::ImportData),
            (b"GoToR", PdfFeature::OtherFile),
            (b"RichMedia", PdfFeature::RichMedia),
        ] {
            let mut found = PdfFindings::default();
            found.mark_name(name);
            found.mark_name(b"EmbeddedFiles");
            assert_eq!(
                check_pdf(&found),
                Err(IntakeError::PdfActiveContent { feature }),
                "{name:?}"
            );
            // The refusal names the feature in words a citizen can act on.
            let message = IntakeError::PdfActiveContent { feature }.message_zh();
            assert!(message.contains(feature.label_zh()), "{message}");
        }
        let mut att = PdfFindings::default();
        att.mark_name(b"EmbeddedFile");
        assert_eq!(check_pdf(&att), Err(IntakeError::PdfAttachments));
        let mut plain = PdfFindings::default();
        for name in [&b"GoTo"[..], b"Type", b"Page", b"Link", b"Dest"] {
            plain.mark_name(name);
        }
        assert_eq!(check_pdf(&plain), Ok(()));
    }

    #[test]
    fn sizes_are_capped_per_file_and_per_hearing() {
        let limits = IntakeLimits::default();
        assert_eq!(limits.check_size(MIB, 0), Ok(()));
        assert_eq!(
            limits.check_size(51 * MIB, 0),
            Err(IntakeError::FileTooLarge { max_mib: 50 })
        );
        assert_eq!(
            limits.check_size(40 * MIB, 470 * MIB),
            Err(IntakeError::HearingFull {
                max_mib: 500,
                used_mib: 470
            })
        );
        assert_eq!(limits.check_size(0, 0), Err(IntakeError::Empty));
        assert!(
            limits
                .check_size(10, 0)
                .and_then(|_| limits.check_kind(FileKind::Pdf))
                .is_ok()
        );
        let only_pdf = IntakeLimits {
            accepted: IntakeLimits::parse_kinds("PDF, jpg").unwrap(),
            ..limits
        };
        assert_eq!(only_pdf.accepted, vec![FileKind::Pdf, FileKind::Jpeg]);
        assert!(only_pdf.check_kind(FileKind::Mp4).is_err());
        assert!(IntakeLimits::parse_kinds("pdf,exe").is_err());
        assert!(IntakeLimits::parse_kinds(" , ").is_err());
    }

    #[test]
    fn file_names_cannot_carry_paths_or_controls() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("..\\..\\boot.ini"), "boot.ini");
        assert_eq!(clean_file_name("收据\r\n\t\u{0}.jpg"), "收据.jpg");
        assert_eq!(clean_file_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(clean_file_name("../"), "未命名文件");
        assert_eq!(clean_file_name(".htaccess"), "htaccess");
        let long = format!("{}.pdf", "长".repeat(300));
        let cut = clean_file_name(&long);
        assert_eq!(cut.chars().count(), FILE_NAME_MAX_CHARS);
        assert!(cut.ends_with(".pdf"));
    }

    #[test]
    fn downloads_carry_the_extension_of_their_content() {
        assert_eq!(with_extension("x.hta", FileKind::Mp3), "x.mp3");
        assert_eq!(with_extension("合同.docm", FileKind::Docx), "合同.docx");
        assert_eq!(with_extension("照片", FileKind::Jpeg), "照片.jpg");
        assert_eq!(with_extension("a.b.bat", FileKind::Pdf), "a.b.pdf");
    }

    #[test]
    fn exhibits_are_numbered_per_side() {
        assert_eq!(Submitter::Petitioner.label(1), "申-1");
        assert_eq!(Submitter::Agency.label(12), "被-12");
        assert_eq!(Submitter::from(PartyKind::ThirdParty).label(2), "三-2");
    }

    fn exposure(submitter: Submitter) -> Exposure {
        Exposure {
            submitter,
            status: ExhibitStatus::Submitted,
            shared_with_parties: false,
            released_to_panel: false,
            shown_live: false,
        }
    }

    #[test]
    fn visibility_follows_the_hosts_decisions() {
        let own = exposure(Submitter::Petitioner);
        assert!(may_see(Viewer::Party(PartyKind::Petitioner), own));
        assert!(!may_see(Viewer::Party(PartyKind::Agency), own));
        assert!(!may_see(Viewer::Juror, own));
        assert!(!may_see(Viewer::Public, own));
        assert!(may_see(Viewer::Staff, own));
        let released = Exposure {
            released_to_panel: true,
            ..own
        };
        assert!(may_see(Viewer::Juror, released));
        assert!(!may_see(Viewer::Party(PartyKind::Agency), released));
        let shown = Exposure {
            shown_live: true,
            ..own
        };
        assert!(may_see(Viewer::Public, shown));
        assert!(may_see(Viewer::Party(PartyKind::Agency), shown));
        let withdrawn = Exposure {
            status: ExhibitStatus::Withdrawn,
            ..shown
        };
        assert!(!may_see(Viewer::Public, withdrawn));
        assert!(!may_see(Viewer::Juror, withdrawn));
        assert!(may_see(Viewer::Party(PartyKind::Petitioner), withdrawn));
    }

    /// A room at `stage` (running), with `floor` speaking.
    fn room_at(
        procedure: crate::domain::procedure::Procedure,
        floor: Option<crate::domain::sitting::Part>,
    ) -> crate::domain::room::RoomState {
        crate::domain::room::RoomState {
            procedure,
            floor: floor.map(|part| crate::domain::sitting::Floor {
                speaker: "某某".into(),
                part,
                since_ms: 0,
                allotted_secs: 60,
                stage: None,
            }),
            ..Default::default()
        }
    }

    #[test]
    fn the_host_shows_any_exhibit_a_party_its_own_while_it_has_the_floor() {
        use crate::domain::procedure::{Procedure, Stage};
        use crate::domain::sitting::Part;
        let debate = Procedure::Running {
            stage: Stage::Debate,
        };
        let at = |floor| room_at(debate, floor);
        let petitioners = exposure(Submitter::Petitioner);
        let party = Viewer::Party(PartyKind::Petitioner);
        assert_eq!(
            may_show(Viewer::Staff, true, petitioners, &at(None)),
            Ok(())
        );
        assert_eq!(
            may_show(party, false, petitioners, &at(Some(Part::Petitioner))),
            Ok(())
        );
        assert_eq!(
            may_show(party, false, petitioners, &at(Some(Part::Agency))),
            Err(ShowRefusal::NotYourFloor)
        );
        assert_eq!(
            may_show(party, false, petitioners, &at(None)),
            Err(ShowRefusal::NotYourFloor)
        );
        let agency = Viewer::Party(PartyKind::Agency);
        assert_eq!(
            may_show(agency, false, petitioners, &at(Some(Part::Agency))),
            Err(ShowRefusal::NotAllowed),
            "never the other side's exhibit"
        );
        assert_eq!(
            may_show(Viewer::Juror, false, petitioners, &at(Some(Part::Juror))),
            Err(ShowRefusal::NotAllowed)
        );
        let withdrawn = Exposure {
            status: ExhibitStatus::Withdrawn,
            ..petitioners
        };
        assert_eq!(
            may_show(Viewer::Staff, true, withdrawn, &at(None)),
            Err(ShowRefusal::Withdrawn)
        );
    }

    #[test]
    fn nothing_is_shown_unless_the_hearing_sits_in_open_session() {
        use crate::domain::procedure::{Procedure, Stage};
        let petitioners = exposure(Submitter::Petitioner);
        let show_at = |p| may_show(Viewer::Staff, true, petitioners, &room_at(p, None));
        assert_eq!(show_at(Procedure::NotStarted), Err(ShowRefusal::NotSitting));
        assert_eq!(show_at(Procedure::Closed), Err(ShowRefusal::NotSitting));
        assert_eq!(
            show_at(Procedure::Adjourned {
                stage: Stage::Debate
            }),
            Err(ShowRefusal::NotSitting)
        );
        assert_eq!(
            show_at(Procedure::Paused {
                stage: Stage::Debate
            }),
            Ok(())
        );
        for closed in [
            Procedure::Running {
                stage: Stage::Deliberation,
            },
            Procedure::Adjourned {
                stage: Stage::Deliberation,
            },
            Procedure::Paused { stage: Stage::Vote },
        ] {
            assert_eq!(
                show_at(closed),
                Err(ShowRefusal::ClosedSession),
                "nothing is shown in closed session, not even by the host ({closed:?})"
            );
        }
    }

    #[test]
    fn each_place_in_a_hearing_is_one_kind_of_viewer() {
        use crate::domain::access::Role;
        let hearing = HearingStaff {
            hearing_id: "H".into(),
            is_public: true,
            host_id: Some("h".into()),
            clerk_id: Some("c".into()),
            jurors: vec!["j".into()],
        };
        let host = Actor::account("h", vec![Role::Host]);
        let juror = Actor::account("j", vec![Role::Juror]);
        let other_juror = Actor::account("j2", vec![Role::Juror]);
        let party = Actor::party("inv", "H", PartyKind::Agency);
        let elsewhere = Actor::party("inv", "X", PartyKind::Agency);
        assert_eq!(viewer_of(Some(&host), &hearing), Some(Viewer::Staff));
        assert_eq!(viewer_of(Some(&juror), &hearing), Some(Viewer::Juror));
        assert_eq!(
            viewer_of(Some(&party), &hearing),
            Some(Viewer::Party(PartyKind::Agency))
        );
        assert_eq!(
            viewer_of(Some(&other_juror), &hearing),
            Some(Viewer::Public)
        );
        assert_eq!(viewer_of(Some(&elsewhere), &hearing), Some(Viewer::Public));
        assert_eq!(viewer_of(None, &hearing), Some(Viewer::Public));
        let closed = HearingStaff {
            is_public: false,
            ..hearing
        };
        assert_eq!(viewer_of(None, &closed), None);
        assert_eq!(viewer_of(Some(&other_juror), &closed), None);
    }

    #[test]
    fn drafts_and_opinions_are_bounded() {
        let draft = ExhibitDraft {
            title: "  收款收据  ".into(),
            description: String::new(),
            purpose: "证明已付款".into(),
        };
        assert_eq!(draft.validate().unwrap().title, "收款收据");
        assert_eq!(
            ExhibitDraft::default().validate(),
            Err(IntakeError::TitleMissing)
        );
        let long = ExhibitDraft {
            title: "字".repeat(101),
            ..ExhibitDraft::default()
        };
        assert_eq!(
            long.validate(),
            Err(IntakeError::TooLong {
                field: ExhibitField::Title,
                max: 100
            })
        );
        let opinion = Opinion {
            authenticity: Stance::Agree,
            legality: Stance::Dispute,
            relevance: Stance::NoComment,
            comment: " 来源不明 ".into(),
        };
        let opinion = opinion.validate().unwrap();
        assert!(opinion.disputes());
        assert_eq!(opinion.comment, "来源不明");
        assert_eq!(
            opinion.summary_zh(),
            "真实性：无异议；合法性：有异议；关联性：不发表意见"
        );
    }

    proptest! {
        /// No name, however hostile, yields a path separator, a control character
        /// or a leading dot, and the result is never empty.
        #[test]
        fn cleaned_names_are_always_safe(raw in ".{0,300}") {
            let name = clean_file_name(&raw);
            prop_assert!(!name.is_empty());
            prop_assert!(!name.contains(['/', '\\']));
            prop_assert!(!name.chars().any(|c| c.is_control() || is_invisible_format(c)));
            prop_assert!(!name.starts_with('.'));
            prop_assert!(name.chars().count() <= FILE_NAME_MAX_CHARS);
        }

        /// Sniffing never panics and never accepts markup.
        #[test]
        fn sniffing_any_bytes_is_total(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
            if let Sniffed::Kind(_) = sniff(&bytes) {
                prop_assert!(!looks_like_markup(&bytes));
            }
        }
    }
}
