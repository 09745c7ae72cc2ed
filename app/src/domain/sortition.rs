//! Panel draw (抽选): seating a review panel (评议团) from the standing pool
//! (百人信访评议团) by a lottery that is fair, keeps the quotas and can be re-run by
//! anyone.
//!
//! Why it is built this way (docs/SORTITION.md has the long form):
//! 1. **Canonical input, hashed first.** The frozen pool, panel size, alternates,
//!    quotas and exclusions (回避 recusal, unavailability, …) are put in one
//!    canonical order and hashed ([`input_hash`]). The hash is published *before*
//!    the seed exists, so nobody can tune the inputs to a seed they already know.
//! 2. **Commit–reveal seed.** Then the host enters public values nobody controls
//!    alone (dice, a lottery number) and the seed is SHA-256 over the input hash
//!    and those values ([`seed_from`]).
//! 3. **Maximin lottery** (Flanigan et al., Nature 2021, "Fair algorithms for
//!    selecting citizens' assemblies"). Among all probability distributions over
//!    quota-satisfying panels we use one that maximises the lowest selection
//!    probability of any eligible member ([`portfolio`]). Members who carry the
//!    same set of quota tags are interchangeable for the quotas, so the linear
//!    programme (LP) runs over *member types* and *panel shapes* (seats per type)
//!    and members are then drawn uniformly inside their type. By symmetry this
//!    loses nothing and keeps the LP tiny. It is solved by column generation: a
//!    dense simplex (Bland's rule) over a growing set of shapes, and an exact
//!    dynamic programme that prices the next shape.
//! 4. **Sampling.** A SHA-256 counter stream keyed by the seed picks one shape with
//!    its LP probability, then the members of each type, then ranks the other
//!    eligible members as alternates (候补).
//!
//! Pure: no IO, no clock, no threads. The floating point uses only `+ − × ÷` and
//! comparisons, which IEEE 754 makes bit-identical on x86-64, AArch64 and wasm32,
//! so the browser's verification page recomputes exactly the server's draw.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use super::case::{Coded, coded_enum};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The draw method implemented here. A record made by another version must be
/// re-run by that version, so the number is part of the hashed input.
pub const ALGORITHM_VERSION: u32 = 1;
/// Smallest panel: fewer than three is not a panel.
pub const MIN_PANEL_SIZE: u32 = 3;
/// Largest panel the hearings use; it also bounds the solver's work.
pub const MAX_PANEL_SIZE: u32 = 15;
/// Quotas are packed four bits each with the seat count into a 128-bit search
/// state; more than this is a configuration error.
pub const MAX_QUOTAS: usize = 31;

/// Tag naming the canonical serialisation, so a future format cannot collide.
/// Format 1 hashed names, districts and the words of each exclusion's reason; a
/// record of that format cannot be re-run from its public (redacted) copy.
const INPUT_FORMAT_PREFIX: &str = "pingyi-sortition-input/";
/// The format new draws are committed in: the hash covers exactly what the draw
/// depends on and what is published — member codes, tags, the kind of each
/// exclusion — and nothing personal (个人信息保护法: minimum necessary).
pub const INPUT_FORMAT: u32 = 2;
/// Domain separation of the seed hash from every other SHA-256 use.
const SEED_DOMAIN: &str = "pingyi-sortition-seed/1";
/// Domain separation of the random stream.
const STREAM_DOMAIN: &[u8] = b"pingyi-sortition-stream/1";

/// A member category or any other attribute tag, as a code (e.g. `"lawyer"`).
pub type Category = String;

/// One member of the frozen pool, as published with the draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolMember {
    /// Stable id; the pool is ordered by it.
    pub id: String,
    /// 姓名: kept by the office, never published (empty in the public record).
    #[serde(default)]
    pub name: String,
    /// Category codes and other tags; quotas count members carrying a tag.
    pub categories: Vec<Category>,
    /// District (街道/镇), for the office's display; not published (quotas use
    /// tags, which are).
    #[serde(default)]
    pub district: String,
}

impl PoolMember {
    /// Whether this member counts for a quota on `tag`.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.categories.iter().any(|c| c == tag)
    }
}

/// Seats the panel must give to members carrying `tag`: `min..=max`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Quota {
    pub tag: String,
    pub min: u32,
    pub max: u32,
}

impl Quota {
    /// "At least `min`" (the maximum is the largest panel, i.e. no limit).
    pub fn at_least(tag: &str, min: u32) -> Self {
        Self {
            tag: tag.to_owned(),
            min,
            max: MAX_PANEL_SIZE,
        }
    }

    /// "At most `max`".
    pub fn at_most(tag: &str, max: u32) -> Self {
        Self {
            tag: tag.to_owned(),
            min: 0,
            max,
        }
    }
}

coded_enum! {
    /// Why a member is not drawn, as the public record states it. The words of
    /// the reason stay with the office: they may name a relative or an employer.
    ExclusionKind {
        /// 回避: decided by the host (a party's request, or the member's own).
        Recusal = ("recusal", "回避", "Recusal"),
        /// A declared relation to a party, or work for the responding agency.
        Conflict = ("conflict", "与当事人有利害关系，回避", "Conflict of interest"),
        /// Declared unable to attend on the day.
        Unavailable = ("unavailable", "申报当日不能参加", "Unavailable on the day"),
        /// Seated on another hearing at the same time.
        Busy = ("busy", "同一时段另有评议任务", "Serving elsewhere at the time"),
        /// Served recently: rotation gives others a turn.
        Rested = ("rested", "近期已参加评议，本次轮空", "Rested by rotation"),
        /// Anything else the office recorded.
        Other = ("other", "其他原因", "Other reason"),
    }
}

/// Exclusions recorded before kinds were kept.
fn unknown_kind() -> ExclusionKind {
    ExclusionKind::Other
}

/// A member who may not be drawn for this hearing: the kind (published) and the
/// recorded reason (kept by the office).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Exclusion {
    pub member_id: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default = "unknown_kind")]
    pub kind: ExclusionKind,
}

impl Exclusion {
    pub fn new(member_id: &str, kind: ExclusionKind, reason: &str) -> Self {
        Self {
            member_id: member_id.to_owned(),
            reason: reason.to_owned(),
            kind,
        }
    }
}

/// Everything the draw depends on besides the seed. Stored with the draw record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawInput {
    pub algorithm_version: u32,
    /// How the input is serialised for its hash ([`canonical_json`]); records
    /// written before formats were numbered are format 1.
    #[serde(default = "first_input_format")]
    pub input_format: u32,
    /// The pool frozen at the moment of the draw.
    pub pool: Vec<PoolMember>,
    /// Odd, 3–15, so a vote cannot tie.
    pub panel_size: u32,
    /// How many ranked alternates to draw at once.
    pub alternates: u32,
    pub quotas: Vec<Quota>,
    pub excluded: Vec<Exclusion>,
}

fn first_input_format() -> u32 {
    1
}

impl DrawInput {
    /// The input as it is published: names, districts and the words of each
    /// exclusion's reason left out. For format 2 and later this is all the hash
    /// and the draw depend on, so anyone can re-run the draw from it.
    pub fn public(&self) -> DrawInput {
        let mut public = self.clone();
        for member in &mut public.pool {
            member.name.clear();
            member.district.clear();
        }
        for exclusion in &mut public.excluded {
            exclusion.reason.clear();
        }
        public
    }

    /// The same input in canonical order: pool by id, each member's tags sorted and
    /// deduplicated, quotas and exclusions sorted (exclusions deduplicated). Order
    /// carries no meaning, so it must not change the hash or the draw.
    pub fn canonical(&self) -> DrawInput {
        let mut pool = self.pool.clone();
        for member in &mut pool {
            member.categories.sort();
            member.categories.dedup();
        }
        pool.sort_by(|a, b| a.id.cmp(&b.id));
        let mut quotas = self.quotas.clone();
        quotas.sort();
        let mut excluded = self.excluded.clone();
        excluded.sort();
        excluded.dedup();
        DrawInput {
            algorithm_version: self.algorithm_version,
            input_format: self.input_format,
            pool,
            panel_size: self.panel_size,
            alternates: self.alternates,
            quotas,
            excluded,
        }
    }

    fn excluded_ids(&self) -> BTreeSet<&str> {
        self.excluded.iter().map(|e| e.member_id.as_str()).collect()
    }
}

/// The outcome of one draw; with the input and the public values it is the
/// complete, re-checkable record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawResult {
    pub algorithm_version: u32,
    /// [`input_hash`] of the input drawn from.
    pub input_hash: String,
    /// The seed, hex.
    pub seed: String,
    /// The panel, sorted by id.
    pub seated: Vec<String>,
    /// Ranked: the first suitable one replaces a member who declines.
    pub alternates: Vec<String>,
}

// ---------------------------------------------------------------------------
// Labels

const TAG_LABELS: &[(&str, &str, &str)] = &[
    ("deputy", "人大代表", "people's congress deputy"),
    ("cppcc", "政协委员", "CPPCC member"),
    (
        "representative",
        "人大代表或政协委员",
        "deputy or CPPCC member",
    ),
    ("lawyer", "律师", "lawyer"),
    ("expert", "专家学者", "expert"),
    ("grassroots", "基层群众代表", "grassroots representative"),
    ("media", "媒体", "media"),
    ("social_org", "社会组织", "social organisation"),
    ("government", "政府机关", "government body"),
];

/// Whether `tag` is one of the categories the office's pool uses.
pub fn is_known_tag(tag: &str) -> bool {
    TAG_LABELS.iter().any(|(code, _, _)| *code == tag)
}

/// The office's standard quota template (名额要求) for a panel of `panel_size`:
/// at least one lawyer, at least one people's congress deputy or CPPCC member,
/// no more than a third from government bodies.
pub fn default_quotas(panel_size: u32) -> Vec<Quota> {
    vec![
        Quota::at_least("lawyer", 1),
        Quota::at_least("representative", 1),
        Quota::at_most("government", panel_size / 3),
    ]
}

/// "「律师」至少 1 人" — how the plan page and notices state a quota.
pub fn describe_quota_zh(quota: &Quota, panel_size: u32) -> String {
    quota_zh(quota, panel_size)
}

/// Chinese label of a tag; an unknown tag is shown as its code.
pub fn tag_label_zh(tag: &str) -> &str {
    TAG_LABELS
        .iter()
        .find(|(code, _, _)| *code == tag)
        .map_or(tag, |(_, zh, _)| zh)
}

/// A member's categories as the office shows them ("律师、人大代表"); the
/// internal `representative` tag is not a category.
pub fn tags_label_zh(tags: &[String]) -> String {
    tags.iter()
        .filter(|t| *t != "representative")
        .map(|t| tag_label_zh(t))
        .collect::<Vec<_>>()
        .join("、")
}

/// English label of a tag; an unknown tag is shown as its code.
pub fn tag_label_en(tag: &str) -> &str {
    TAG_LABELS
        .iter()
        .find(|(code, _, _)| *code == tag)
        .map_or(tag, |(_, _, en)| en)
}

fn quota_zh(q: &Quota, panel_size: u32) -> String {
    let label = tag_label_zh(&q.tag);
    match (q.min > 0, q.max < panel_size) {
        (true, true) => format!("「{label}」{}–{} 人", q.min, q.max),
        (true, false) => format!("「{label}」至少 {} 人", q.min),
        (false, true) => format!("「{label}」至多 {} 人", q.max),
        (false, false) => format!("「{label}」不限"),
    }
}

fn quota_en(q: &Quota, panel_size: u32) -> String {
    let label = tag_label_en(&q.tag);
    match (q.min > 0, q.max < panel_size) {
        (true, true) => format!("“{label}” {}–{}", q.min, q.max),
        (true, false) => format!("“{label}” at least {}", q.min),
        (false, true) => format!("“{label}” at most {}", q.max),
        (false, false) => format!("“{label}” unrestricted"),
    }
}

fn excluded_note_zh(excluded: usize) -> String {
    if excluded == 0 {
        String::new()
    } else {
        format!("（{excluded} 人因回避或无法出席被排除）")
    }
}

fn excluded_note_en(excluded: usize) -> String {
    if excluded == 0 {
        String::new()
    } else {
        format!(" ({excluded} excluded by recusal or unavailability)")
    }
}

// ---------------------------------------------------------------------------
// Errors

/// Why no panel can be drawn, told before anything is drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Infeasible {
    UnsupportedAlgorithm {
        version: u32,
    },
    PanelSize {
        size: u32,
    },
    DuplicateMember {
        id: String,
    },
    UnknownExcludedMember {
        id: String,
    },
    EmptyQuotaTag,
    TooManyQuotas {
        count: usize,
    },
    QuotaMaxBelowMin {
        tag: String,
        min: u32,
        max: u32,
    },
    QuotaMinAbovePanel {
        tag: String,
        min: u32,
        panel_size: u32,
    },
    NotEnoughEligible {
        panel_size: u32,
        eligible: usize,
        excluded: usize,
    },
    /// Fewer eligible members carry the tag than the quota's minimum.
    NotEnoughForQuota {
        tag: String,
        min: u32,
        available: usize,
        excluded: usize,
    },
    /// The cap leaves too few other eligible members to fill the panel.
    QuotaMaxTooTight {
        tag: String,
        max: u32,
        others: usize,
        panel_size: u32,
    },
    /// Minimums on tags no eligible member shares add up to more than the panel.
    SumOfMinsExceedsPanel {
        quotas: Vec<Quota>,
        total: u32,
        panel_size: u32,
    },
    /// Each quota alone can be met but these together cannot (a minimal set,
    /// found by the solver).
    QuotaConflict {
        quotas: Vec<Quota>,
        panel_size: u32,
    },
    /// The quotas overlap in so many ways that the exact search would take too
    /// long (many capped quotas over members carrying many tags each).
    TooComplex {
        quotas: usize,
        types: usize,
    },
    /// The LP did not converge; a bug or a pathological input, never a quota issue.
    SolverFailed {
        detail: String,
    },
}

impl Infeasible {
    /// The explanation for the host, in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Self::UnsupportedAlgorithm { version } => {
                format!("不支持的抽选算法版本 {version}（本程序实现第 {ALGORITHM_VERSION} 版）")
            }
            Self::PanelSize { size } => format!(
                "评议团人数须为 {MIN_PANEL_SIZE} 至 {MAX_PANEL_SIZE} 之间的奇数，当前为 {size} 人"
            ),
            Self::DuplicateMember { id } => format!("评议员库中编号「{id}」重复出现"),
            Self::UnknownExcludedMember { id } => {
                format!("排除名单中的「{id}」不在本次冻结的评议员库中")
            }
            Self::EmptyQuotaTag => "有一条配额没有指定类别".to_owned(),
            Self::TooManyQuotas { count } => {
                format!("配额条数过多（{count} 条，最多 {MAX_QUOTAS} 条）")
            }
            Self::QuotaMaxBelowMin { tag, min, max } => {
                format!("「{}」的上限 {max} 人小于下限 {min} 人", tag_label_zh(tag))
            }
            Self::QuotaMinAbovePanel {
                tag,
                min,
                panel_size,
            } => format!(
                "「{}」至少需要 {min} 人，超过了评议团总人数 {panel_size} 人",
                tag_label_zh(tag)
            ),
            Self::NotEnoughEligible {
                panel_size,
                eligible,
                excluded,
            } => format!(
                "评议团需要 {panel_size} 人，但可抽选的只有 {eligible} 人{}",
                excluded_note_zh(*excluded)
            ),
            Self::NotEnoughForQuota {
                tag,
                min,
                available,
                excluded,
            } => format!(
                "「{}」至少需要 {min} 人，但可抽选的只有 {available} 人{}",
                tag_label_zh(tag),
                excluded_note_zh(*excluded)
            ),
            Self::QuotaMaxTooTight {
                tag,
                max,
                others,
                panel_size,
            } => {
                let label = tag_label_zh(tag);
                format!(
                    "「{label}」至多 {max} 人，而不属于「{label}」的可抽选成员只有 {others} 人，凑不满 {panel_size} 人的评议团"
                )
            }
            Self::SumOfMinsExceedsPanel {
                quotas,
                total,
                panel_size,
            } => format!(
                "各类别下限之和为 {total} 人（{}），超过了评议团总人数 {panel_size} 人",
                join(quotas.iter().map(|q| quota_zh(q, *panel_size)), "、")
            ),
            Self::QuotaConflict { quotas, panel_size } => format!(
                "以下配额无法在 {panel_size} 人的评议团中同时满足：{}。可抽选成员的类别组合不足，请放宽其中一条或扩充评议员库",
                join(quotas.iter().map(|q| quota_zh(q, *panel_size)), "；")
            ),
            Self::TooComplex { quotas, types } => format!(
                "配额组合过于复杂（{quotas} 条配额、{types} 种成员类别组合），无法在限定计算量内精确求解；请减少配额条数或合并类别"
            ),
            Self::SolverFailed { detail } => {
                format!("计算公平抽选概率时求解器未能收敛（{detail}）")
            }
        }
    }

    /// The explanation for the host, in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::UnsupportedAlgorithm { version } => format!(
                "Unsupported draw algorithm version {version} (this build implements version {ALGORITHM_VERSION})."
            ),
            Self::PanelSize { size } => format!(
                "The panel size must be an odd number from {MIN_PANEL_SIZE} to {MAX_PANEL_SIZE}; got {size}."
            ),
            Self::DuplicateMember { id } => {
                format!("Member id “{id}” appears more than once in the pool.")
            }
            Self::UnknownExcludedMember { id } => {
                format!("Excluded member “{id}” is not in the frozen pool.")
            }
            Self::EmptyQuotaTag => "A quota has no tag.".to_owned(),
            Self::TooManyQuotas { count } => {
                format!("Too many quotas ({count}; at most {MAX_QUOTAS}).")
            }
            Self::QuotaMaxBelowMin { tag, min, max } => format!(
                "Quota “{}”: the maximum {max} is below the minimum {min}.",
                tag_label_en(tag)
            ),
            Self::QuotaMinAbovePanel {
                tag,
                min,
                panel_size,
            } => format!(
                "Quota “{}” needs at least {min}, more than the panel size {panel_size}.",
                tag_label_en(tag)
            ),
            Self::NotEnoughEligible {
                panel_size,
                eligible,
                excluded,
            } => format!(
                "The panel needs {panel_size} members, but only {eligible} are eligible{}.",
                excluded_note_en(*excluded)
            ),
            Self::NotEnoughForQuota {
                tag,
                min,
                available,
                excluded,
            } => format!(
                "Quota “{}” needs at least {min}, but only {available} eligible members carry it{}.",
                tag_label_en(tag),
                excluded_note_en(*excluded)
            ),
            Self::QuotaMaxTooTight {
                tag,
                max,
                others,
                panel_size,
            } => format!(
                "Quota “{}” allows at most {max}, and only {others} eligible members do not carry it, so a panel of {panel_size} cannot be filled.",
                tag_label_en(tag)
            ),
            Self::SumOfMinsExceedsPanel {
                quotas,
                total,
                panel_size,
            } => format!(
                "The minimums add up to {total} ({}), more than the panel size {panel_size}.",
                join(quotas.iter().map(|q| quota_en(q, *panel_size)), ", ")
            ),
            Self::QuotaConflict { quotas, panel_size } => format!(
                "These quotas cannot all be met by a panel of {panel_size}: {}. The eligible members' tag combinations do not allow it; relax one of them or enlarge the pool.",
                join(quotas.iter().map(|q| quota_en(q, *panel_size)), "; ")
            ),
            Self::TooComplex { quotas, types } => format!(
                "The quotas are too intricate to solve exactly within the computation limit ({quotas} quotas over {types} combinations of member tags); use fewer quotas or merge categories."
            ),
            Self::SolverFailed { detail } => format!(
                "The solver computing fair selection probabilities did not converge ({detail})."
            ),
        }
    }
}

impl fmt::Display for Infeasible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en())
    }
}

impl std::error::Error for Infeasible {}

fn join(parts: impl Iterator<Item = String>, separator: &str) -> String {
    parts.collect::<Vec<_>>().join(separator)
}

// ---------------------------------------------------------------------------
// Hashing and the seed

/// The exact bytes [`input_hash`] hashes: compact JSON (serde_json, UTF-8, no
/// Unicode normalisation, non-ASCII unescaped), every list in the order of
/// [`DrawInput::canonical`]. Format 2 (new draws):
/// `{"format":"pingyi-sortition-input/2","algorithm_version",…,"panel_size",
/// "alternates","quotas":[{tag,min,max}],"excluded":[{member_id,kind}],
/// "pool":[{id,categories}]}` — exactly what the public record holds. Format 1
/// (older records) had `excluded:[{member_id,reason}]` and
/// `pool:[{id,name,categories,district}]`. Published so that anyone can recompute
/// the hash.
pub fn canonical_json(input: &DrawInput) -> String {
    #[derive(Serialize)]
    struct Canonical<'a, E: Serialize, M: Serialize> {
        format: &'a str,
        algorithm_version: u32,
        panel_size: u32,
        alternates: u32,
        quotas: &'a [Quota],
        excluded: Vec<E>,
        pool: Vec<M>,
    }
    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    struct FirstExclusion<'a> {
        member_id: &'a str,
        reason: &'a str,
    }
    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    struct PublicExclusion<'a> {
        member_id: &'a str,
        kind: &'a str,
    }
    #[derive(Serialize)]
    struct PublicMember<'a> {
        id: &'a str,
        categories: &'a [Category],
    }
    /// The one layout both formats share; exclusions sorted and deduplicated
    /// as projected (two reasons of one kind are one exclusion in format 2).
    fn write<E: Serialize + Ord, M: Serialize>(
        c: &DrawInput,
        mut excluded: Vec<E>,
        pool: Vec<M>,
    ) -> String {
        excluded.sort();
        excluded.dedup();
        let body = Canonical {
            format: &format!("{INPUT_FORMAT_PREFIX}{}", c.input_format),
            algorithm_version: c.algorithm_version,
            panel_size: c.panel_size,
            alternates: c.alternates,
            quotas: &c.quotas,
            excluded,
            pool,
        };
        serde_json::to_string(&body).expect("strings and integers always serialise to JSON")
    }
    let c = input.canonical();
    if c.input_format <= 1 {
        let excluded = c.excluded.iter().map(|e| FirstExclusion {
            member_id: &e.member_id,
            reason: &e.reason,
        });
        write(&c, excluded.collect(), c.pool.iter().collect())
    } else {
        let excluded = c.excluded.iter().map(|e| PublicExclusion {
            member_id: &e.member_id,
            kind: e.kind.code(),
        });
        let pool = c.pool.iter().map(|m| PublicMember {
            id: &m.id,
            categories: &m.categories,
        });
        write(&c, excluded.collect(), pool.collect())
    }
}

/// Hex SHA-256 of [`canonical_json`]: the commitment published before the seed.
pub fn input_hash(input: &DrawInput) -> String {
    hex::encode(Sha256::digest(canonical_json(input).as_bytes()))
}

/// The seed of the commit–reveal: SHA-256 over the fields
/// `"pingyi-sortition-seed/1"`, the input hash (hex text) and each public value in
/// the order entered, each field preceded by its UTF-8 byte length as 8 bytes
/// big-endian. The prefix makes `["12","3"]` and `["1","23"]` different seeds.
/// Values are hashed exactly as given; the UI should trim them before.
pub fn seed_from(input_hash: &str, public_values: &[String]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    let fields = [SEED_DOMAIN, input_hash]
        .into_iter()
        .chain(public_values.iter().map(String::as_str));
    for field in fields {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hasher.finalize().into()
}

/// Deterministic random stream: block `i` is
/// SHA-256("pingyi-sortition-stream/1" ‖ seed ‖ i as 8 bytes big-endian), read as
/// big-endian `u64`s. Chosen over a PRNG crate so that it is specified in one line
/// and reproducible with any SHA-256 implementation.
struct Stream {
    seed: [u8; 32],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl Stream {
    fn new(seed: [u8; 32]) -> Self {
        Self {
            seed,
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }

    fn next_u64(&mut self) -> u64 {
        if self.used + 8 > self.block.len() {
            let mut hasher = Sha256::new();
            hasher.update(STREAM_DOMAIN);
            hasher.update(self.seed);
            hasher.update(self.counter.to_be_bytes());
            self.block = hasher.finalize().into();
            self.counter += 1;
            self.used = 0;
        }
        let mut bytes = [0; 8];
        bytes.copy_from_slice(&self.block[self.used..self.used + 8]);
        self.used += 8;
        u64::from_be_bytes(bytes)
    }

    /// Uniform in `0..n` without modulo bias (rejection of the top partial range).
    fn below(&mut self, n: usize) -> usize {
        let n = n.max(1) as u64;
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let r = self.next_u64();
            if r < zone {
                return (r % n) as usize;
            }
        }
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Draws `count` of `items` uniformly (partial Fisher–Yates), in drawing order.
fn choose(stream: &mut Stream, items: &[String], count: usize) -> Vec<String> {
    let mut items = items.to_vec();
    let count = count.min(items.len());
    for i in 0..count {
        let j = i + stream.below(items.len() - i);
        items.swap(i, j);
    }
    items.truncate(count);
    items
}

// ---------------------------------------------------------------------------
// The model: eligible members grouped by the quota tags they carry

/// Eligible members who carry exactly the same quota tags: the quotas cannot
/// tell them apart, so the lottery treats them alike.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberType {
    /// Quota tags the members carry (in quota order).
    pub tags: Vec<String>,
    /// Member ids, sorted.
    pub members: Vec<String>,
    #[serde(skip)]
    mask: u64,
}

/// A validated, canonical input ready for feasibility checks and the LP.
struct Model {
    input: DrawInput,
    hash: String,
    eligible: Vec<String>,
    types: Vec<MemberType>,
}

impl Model {
    fn new(input: &DrawInput) -> Result<Self, Infeasible> {
        let input = validate(input)?;
        let hash = input_hash(&input);
        let excluded = input.excluded_ids();
        let mut by_mask: BTreeMap<u64, Vec<String>> = BTreeMap::new();
        let mut eligible = Vec::new();
        for member in input
            .pool
            .iter()
            .filter(|m| !excluded.contains(m.id.as_str()))
        {
            by_mask
                .entry(quota_mask(&input.quotas, member))
                .or_default()
                .push(member.id.clone());
            eligible.push(member.id.clone());
        }
        let types = by_mask
            .into_iter()
            .map(|(mask, members)| MemberType {
                tags: tags_of_mask(&input.quotas, mask),
                members,
                mask,
            })
            .collect();
        Ok(Self {
            input,
            hash,
            eligible,
            types,
        })
    }

    fn k(&self) -> u32 {
        self.input.panel_size
    }

    fn search(&self, active: u64) -> ShapeSearch<'_> {
        ShapeSearch::new(self.k(), &self.input.quotas, active, &self.types)
    }

    fn all_quotas(&self) -> u64 {
        all_bits(self.input.quotas.len())
    }

    /// Pool members with `tag` that are excluded (for the explanation).
    fn excluded_with(&self, tag: Option<&str>) -> usize {
        let excluded = self.input.excluded_ids();
        self.input
            .pool
            .iter()
            .filter(|m| excluded.contains(m.id.as_str()))
            .filter(|m| tag.is_none_or(|t| m.has_tag(t)))
            .count()
    }

    fn eligible_with(&self, bit: usize) -> usize {
        self.types
            .iter()
            .filter(|t| t.mask & (1 << bit) != 0)
            .map(|t| t.members.len())
            .sum()
    }

    /// Every check, cheapest and most specific first, so the host is told the
    /// plainest reason.
    fn check(&self) -> Result<(), Infeasible> {
        let k = self.k();
        if self.eligible.len() < k as usize {
            return Err(Infeasible::NotEnoughEligible {
                panel_size: k,
                eligible: self.eligible.len(),
                excluded: self.excluded_with(None),
            });
        }
        for (bit, quota) in self.input.quotas.iter().enumerate() {
            self.check_single(bit, quota)?;
        }
        self.check_sum_of_mins()?;
        if self
            .search(self.all_quotas())
            .best(&self.zeros())?
            .is_none()
        {
            return Err(Infeasible::QuotaConflict {
                quotas: self.minimal_conflict()?,
                panel_size: k,
            });
        }
        Ok(())
    }

    fn check_single(&self, bit: usize, quota: &Quota) -> Result<(), Infeasible> {
        let available = self.eligible_with(bit);
        if available < quota.min as usize {
            return Err(Infeasible::NotEnoughForQuota {
                tag: quota.tag.clone(),
                min: quota.min,
                available,
                excluded: self.excluded_with(Some(&quota.tag)),
            });
        }
        let others = self.eligible.len() - available;
        if others + (quota.max as usize) < self.k() as usize {
            return Err(Infeasible::QuotaMaxTooTight {
                tag: quota.tag.clone(),
                max: quota.max,
                others,
                panel_size: self.k(),
            });
        }
        Ok(())
    }

    /// Only meaningful when no eligible member carries two of the tags: with
    /// overlaps one member can count for several minimums.
    fn check_sum_of_mins(&self) -> Result<(), Infeasible> {
        let bits: Vec<usize> = (0..self.input.quotas.len())
            .filter(|&b| self.input.quotas[b].min > 0)
            .collect();
        let mins_mask = bits.iter().fold(0u64, |m, b| m | (1 << b));
        let disjoint = self
            .types
            .iter()
            .all(|t| (t.mask & mins_mask).count_ones() <= 1);
        let total: u32 = bits.iter().map(|&b| self.input.quotas[b].min).sum();
        if disjoint && total > self.k() {
            return Err(Infeasible::SumOfMinsExceedsPanel {
                quotas: bits.iter().map(|&b| self.input.quotas[b].clone()).collect(),
                total,
                panel_size: self.k(),
            });
        }
        Ok(())
    }

    /// Deletion filter: drop each quota whose removal keeps the set infeasible;
    /// what is left is a minimal conflicting set.
    fn minimal_conflict(&self) -> Result<Vec<Quota>, Infeasible> {
        let mut active = self.all_quotas();
        for bit in 0..self.input.quotas.len() {
            let trial = active & !(1 << bit);
            if self.search(trial).best(&self.zeros())?.is_none() {
                active = trial;
            }
        }
        Ok(self
            .input
            .quotas
            .iter()
            .enumerate()
            .filter(|(b, _)| active & (1 << b) != 0)
            .map(|(_, q)| q.clone())
            .collect())
    }

    fn zeros(&self) -> Vec<f64> {
        vec![0.0; self.types.len()]
    }
}

fn all_bits(count: usize) -> u64 {
    if count >= 64 {
        u64::MAX
    } else {
        (1u64 << count) - 1
    }
}

fn quota_mask(quotas: &[Quota], member: &PoolMember) -> u64 {
    quotas
        .iter()
        .enumerate()
        .filter(|(_, q)| member.has_tag(&q.tag))
        .fold(0, |mask, (bit, _)| mask | (1 << bit))
}

fn tags_of_mask(quotas: &[Quota], mask: u64) -> Vec<String> {
    let mut tags: Vec<String> = quotas
        .iter()
        .enumerate()
        .filter(|(bit, _)| mask & (1 << bit) != 0)
        .map(|(_, q)| q.tag.clone())
        .collect();
    tags.dedup();
    tags
}

/// Input errors that make the draw meaningless whatever the pool holds.
fn validate(input: &DrawInput) -> Result<DrawInput, Infeasible> {
    if input.algorithm_version != ALGORITHM_VERSION {
        return Err(Infeasible::UnsupportedAlgorithm {
            version: input.algorithm_version,
        });
    }
    let k = input.panel_size;
    if !(MIN_PANEL_SIZE..=MAX_PANEL_SIZE).contains(&k) || k.is_multiple_of(2) {
        return Err(Infeasible::PanelSize { size: k });
    }
    let canonical = input.canonical();
    if let Some(pair) = canonical.pool.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(Infeasible::DuplicateMember {
            id: pair[0].id.clone(),
        });
    }
    let ids: BTreeSet<&str> = canonical.pool.iter().map(|m| m.id.as_str()).collect();
    if let Some(e) = canonical
        .excluded
        .iter()
        .find(|e| !ids.contains(e.member_id.as_str()))
    {
        return Err(Infeasible::UnknownExcludedMember {
            id: e.member_id.clone(),
        });
    }
    validate_quotas(&canonical.quotas, k)?;
    Ok(canonical)
}

fn validate_quotas(quotas: &[Quota], k: u32) -> Result<(), Infeasible> {
    if quotas.len() > MAX_QUOTAS {
        return Err(Infeasible::TooManyQuotas {
            count: quotas.len(),
        });
    }
    for q in quotas {
        if q.tag.is_empty() {
            return Err(Infeasible::EmptyQuotaTag);
        }
        if q.max < q.min {
            return Err(Infeasible::QuotaMaxBelowMin {
                tag: q.tag.clone(),
                min: q.min,
                max: q.max,
            });
        }
        if q.min > k {
            return Err(Infeasible::QuotaMinAbovePanel {
                tag: q.tag.clone(),
                min: q.min,
                panel_size: k,
            });
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Panel shapes: the exact search over seats per member type

/// Bits per count in a packed state: counts never exceed the panel size (≤ 15).
const COUNT_BITS: usize = 4;
/// A search whose widest layer has more states than this, or that stores more
/// than [`MAX_STORED`] back links in all, is abandoned with
/// [`Infeasible::TooComplex`] rather than running for minutes or using hundreds
/// of megabytes (a state costs 24 bytes in its layer and 8 as a back link).
const MAX_STATES: usize = 200_000;
const MAX_STORED: usize = 4_000_000;

/// A search state after a prefix of the types, packed: seats taken in the lowest
/// four bits, then four bits per quota (hence at most 31 quotas).
type State = u128;

fn field(state: State, dim: usize) -> u32 {
    ((state >> (dim * COUNT_BITS)) & 0xF) as u32
}

fn with_field(state: State, dim: usize, value: u32) -> State {
    let shift = dim * COUNT_BITS;
    (state & !(0xF << shift)) | (State::from(value.min(0xF)) << shift)
}

/// How a state was reached: its predecessor's index in the previous layer and the
/// seats given to the type in between. Only these are kept for all layers (8
/// bytes a state), so memory stays small.
#[derive(Clone, Copy)]
struct Back {
    prev: u32,
    take: u32,
}

/// The states of one layer, sorted, each with the best value reaching it.
type Layer = Vec<(State, f64)>;

/// Map used while building a layer; its hasher is fixed (no per-process random
/// keys) although the result does not depend on it: the layer is sorted after.
type StateMap = HashMap<State, (f64, Back), BuildHasherDefault<StateHasher>>;

/// A small multiplicative hasher for packed states (FxHash's constant).
#[derive(Default)]
struct StateHasher(u64);

impl Hasher for StateHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.mix(u64::from(b));
        }
    }

    fn write_u128(&mut self, value: u128) {
        self.mix(value as u64);
        self.mix((value >> 64) as u64);
    }
}

impl StateHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// What the search needs to know about the types still to come.
struct Plan {
    /// Seats available from position `p` on.
    rem_total: Vec<u32>,
    /// Per position, the quota tests a state must pass after it.
    checks: Vec<Vec<Check>>,
}

/// Finds the quota-feasible panel shape (seats per type) of greatest total weight.
///
/// Dynamic programme over the types; a state holds the seats taken and, per
/// quota, the count so far, saturated at the minimum when the quota has no
/// effective maximum (beyond it the count no longer matters). A quota's count is
/// checked and reset once its last type is passed, so states that differ only in
/// finished quotas merge; types are ordered to finish quotas early. States that
/// exceed a maximum or can no longer reach a minimum are dropped. Exact and
/// deterministic: states are visited in key order and a state is replaced only by
/// a strictly better value.
struct ShapeSearch<'a> {
    k: u32,
    quotas: &'a [Quota],
    active: u64,
    masks: Vec<u64>,
    caps: Vec<u32>,
    /// Per type, the active quotas it counts for.
    touches: Vec<Vec<Touch>>,
    /// Types in processing order.
    order: Vec<usize>,
}

/// How a type's seats move one quota's count.
struct Touch {
    dim: usize,
    /// The maximum when it binds (below the panel size).
    cap: Option<u32>,
    /// Counts are stored up to this: the cap, or the minimum for uncapped quotas.
    saturation: u32,
}

/// A test a state must pass after a position.
struct Check {
    dim: usize,
    min: u32,
    /// The quota's last type was just passed: check the minimum, then forget.
    closing: bool,
    /// Seats still to come that count for the quota.
    rem_after: u32,
}

impl<'a> ShapeSearch<'a> {
    fn new(k: u32, quotas: &'a [Quota], active: u64, types: &[MemberType]) -> Self {
        let masks: Vec<u64> = types.iter().map(|t| t.mask & active).collect();
        let order = processing_order(&masks, quotas.len());
        let touches = masks
            .iter()
            .map(|&mask| {
                quotas
                    .iter()
                    .enumerate()
                    .filter(|(bit, _)| mask & (1 << bit) != 0)
                    .map(|(bit, q)| Touch {
                        dim: bit + 1,
                        cap: (q.max < k).then_some(q.max),
                        saturation: if q.max < k { q.max } else { q.min },
                    })
                    .collect()
            })
            .collect();
        Self {
            k,
            quotas,
            active,
            caps: types.iter().map(|t| t.members.len() as u32).collect(),
            masks,
            touches,
            order,
        }
    }

    fn too_complex(&self) -> Infeasible {
        Infeasible::TooComplex {
            quotas: self.active.count_ones() as usize,
            types: self.caps.len(),
        }
    }

    /// The best shape, `None` if no shape meets the active quotas.
    fn best(&self, weights: &[f64]) -> Result<Option<Vec<u32>>, Infeasible> {
        let Some(plan) = self.plan() else {
            return Ok(None);
        };
        let mut layer: Layer = vec![(0, 0.0)];
        let mut back: Vec<Vec<Back>> = Vec::with_capacity(self.order.len());
        let mut stored = 0usize;
        for (pos, &t) in self.order.iter().enumerate() {
            let (next, links) = self.extend(&layer, pos, t, weights[t], &plan);
            stored += next.len();
            if next.len() > MAX_STATES || stored > MAX_STORED {
                return Err(self.too_complex());
            }
            layer = next;
            back.push(links);
        }
        let Some(mut index) = self.best_final(&layer) else {
            return Ok(None);
        };
        let mut counts = vec![0; self.caps.len()];
        for (pos, &t) in self.order.iter().enumerate().rev() {
            let Some(link) = back[pos].get(index) else {
                return Err(solver_failed("shape search lost its path"));
            };
            counts[t] = link.take;
            index = link.prev as usize;
        }
        Ok(Some(counts))
    }

    /// The next layer, sorted by state, with a back link per state. Candidates
    /// arrive in a fixed order (states in order, then `take` ascending) and only a
    /// strictly better value replaces a stored one, so ties resolve the same way
    /// on every platform.
    fn extend(
        &self,
        layer: &Layer,
        pos: usize,
        t: usize,
        weight: f64,
        plan: &Plan,
    ) -> (Layer, Vec<Back>) {
        let mut best: StateMap = StateMap::default();
        for (index, &(state, value)) in layer.iter().enumerate() {
            let room = self.k.saturating_sub(field(state, 0)).min(self.caps[t]);
            for take in 0..=room {
                let Some(advanced) = self.advance(state, t, take) else {
                    break;
                };
                let Some(reached) = self.settle(advanced, pos, plan) else {
                    continue;
                };
                let candidate = (
                    value + weight * f64::from(take),
                    Back {
                        prev: index as u32,
                        take,
                    },
                );
                best.entry(reached)
                    .and_modify(|kept| {
                        if candidate.0 > kept.0 {
                            *kept = candidate;
                        }
                    })
                    .or_insert(candidate);
            }
        }
        let mut entries: Vec<(State, (f64, Back))> = best.into_iter().collect();
        entries.sort_unstable_by_key(|(state, _)| *state);
        entries
            .into_iter()
            .map(|(state, (value, link))| ((state, value), link))
            .unzip()
    }

    /// The state after giving `take` seats to type `t`; `None` if a maximum breaks
    /// (and then it breaks for any larger `take` too).
    fn advance(&self, state: State, t: usize, take: u32) -> Option<State> {
        let mut next = with_field(state, 0, field(state, 0) + take);
        for touch in &self.touches[t] {
            let count = field(state, touch.dim) + take;
            if touch.cap.is_some_and(|cap| count > cap) {
                return None;
            }
            next = with_field(next, touch.dim, count.min(touch.saturation));
        }
        Some(next)
    }

    /// Drops a state that can no longer be completed; forgets closing quotas.
    fn settle(&self, state: State, pos: usize, plan: &Plan) -> Option<State> {
        if field(state, 0) + plan.rem_total[pos + 1] < self.k {
            return None;
        }
        let mut settled = state;
        for check in &plan.checks[pos] {
            let count = field(state, check.dim);
            if check.closing {
                if count < check.min {
                    return None;
                }
                settled = with_field(settled, check.dim, 0);
            } else if count + check.rem_after < check.min {
                return None;
            }
        }
        Some(settled)
    }

    /// `None` if an active quota with a minimum has no type at all.
    fn plan(&self) -> Option<Plan> {
        let n = self.order.len();
        let q = self.quotas.len();
        let mut rem_total = vec![0; n + 1];
        let mut rem_quota = vec![vec![0; q]; n + 1];
        for pos in (0..n).rev() {
            let t = self.order[pos];
            rem_total[pos] = rem_total[pos + 1] + self.caps[t];
            let mut row = rem_quota[pos + 1].clone();
            for (bit, slot) in row.iter_mut().enumerate() {
                if self.masks[t] & (1 << bit) != 0 {
                    *slot += self.caps[t];
                }
            }
            rem_quota[pos] = row;
        }
        let unreachable = self.quotas.iter().enumerate().any(|(bit, quota)| {
            self.active & (1 << bit) != 0 && quota.min > 0 && rem_quota[0][bit] == 0
        });
        if unreachable {
            return None;
        }
        let closing: Vec<u64> = self
            .order
            .iter()
            .zip(&rem_quota[1..])
            .map(|(&t, after)| {
                after
                    .iter()
                    .enumerate()
                    .filter(|&(bit, &left)| self.masks[t] & (1 << bit) != 0 && left == 0)
                    .fold(0, |mask, (bit, _)| mask | (1 << bit))
            })
            .collect();
        let mut closed_before = 0u64;
        let mut checks = Vec::with_capacity(n);
        for (pos, &closes) in closing.iter().enumerate() {
            let row: Vec<Check> = self
                .quotas
                .iter()
                .enumerate()
                .filter(|(bit, q)| {
                    let flag = 1 << bit;
                    self.active & flag != 0
                        && closed_before & flag == 0
                        && (closes & flag != 0 || q.min > 0)
                })
                .map(|(bit, q)| Check {
                    dim: bit + 1,
                    min: q.min,
                    closing: closes & (1 << bit) != 0,
                    rem_after: rem_quota[pos + 1][bit],
                })
                .collect();
            checks.push(row);
            closed_before |= closes;
        }
        Some(Plan { rem_total, checks })
    }

    /// Index of the complete final state of greatest value (first in state
    /// order on ties). Every quota was checked when it closed, so only the seat
    /// count remains to check.
    fn best_final(&self, layer: &Layer) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for (index, &(state, value)) in layer.iter().enumerate() {
            if field(state, 0) == self.k && best.is_none_or(|(_, v)| value > v) {
                best = Some((index, value));
            }
        }
        best.map(|(index, _)| index)
    }
}

/// Integer weight of "one type left to finish this quota" in [`processing_order`].
const NEARNESS_SCALE: usize = 1 << 20;

/// Greedy order of the types that keeps few quotas "open" (seen but not
/// finished) at once, since each open quota multiplies the states: next is the
/// type with the fewest newly opened minus finished quotas, then the one that
/// brings open quotas nearest to finishing (Σ 1 / types left, in integers), then
/// the lowest index. A function of the masks only, so the search stays
/// deterministic.
fn processing_order(masks: &[u64], quota_count: usize) -> Vec<usize> {
    let mut left: Vec<usize> = (0..masks.len()).collect();
    let mut left_per_quota: Vec<usize> = (0..quota_count)
        .map(|bit| masks.iter().filter(|m| *m & (1 << bit) != 0).count())
        .collect();
    let mut opened = 0u64;
    let mut closed = 0u64;
    let mut order = Vec::with_capacity(masks.len());
    while !left.is_empty() {
        let key = |t: usize| {
            let opens = i64::from((masks[t] & !opened).count_ones());
            let closes = (0..quota_count)
                .filter(|&bit| masks[t] & (1 << bit) != 0 && left_per_quota[bit] == 1)
                .count() as i64;
            let nearness: usize = (0..quota_count)
                .filter(|&bit| masks[t] & opened & !closed & (1 << bit) != 0)
                .map(|bit| NEARNESS_SCALE / left_per_quota[bit].max(1))
                .sum();
            (opens - closes, std::cmp::Reverse(nearness), t)
        };
        let Some(i) = (0..left.len()).min_by_key(|&i| key(left[i])) else {
            break;
        };
        let t = left.swap_remove(i);
        for (bit, count) in left_per_quota.iter_mut().enumerate() {
            if masks[t] & (1 << bit) != 0 {
                *count -= 1;
                if *count == 0 {
                    closed |= 1 << bit;
                }
            }
        }
        opened |= masks[t];
        order.push(t);
    }
    order
}

// ---------------------------------------------------------------------------
// Dense simplex

/// Reduced costs above `-COST_EPS` count as optimal.
const COST_EPS: f64 = 1e-9;
/// Pivot elements at most this are treated as zero (numerical safety).
const PIVOT_EPS: f64 = 1e-9;
/// Ratios this close are ties, broken by Bland's rule.
const TIE_EPS: f64 = 1e-12;
/// Entries this small after a pivot are set to zero, so degeneracy is seen.
const SNAP_EPS: f64 = 1e-12;
/// Bland's rule cannot cycle; the cap guards against floating-point surprises.
const MAX_PIVOTS: usize = 20_000;

#[derive(Debug, Clone, PartialEq)]
enum LpFailure {
    Unbounded,
    PivotLimit,
}

#[derive(Debug, Clone)]
struct LpSolution {
    values: Vec<f64>,
    /// Shadow prices of the rows (≥ 0 at optimum).
    duals: Vec<f64>,
    objective: f64,
}

/// Maximises `c·y` subject to `A·y ≤ b`, `y ≥ 0`, for `b ≥ 0` (so the all-slack
/// basis is feasible and no phase one is needed). Bland's rule for both the
/// entering and the leaving variable, which excludes cycling on degenerate
/// vertices; an iteration cap for the rest.
fn simplex_max(a: &[Vec<f64>], b: &[f64], c: &[f64]) -> Result<LpSolution, LpFailure> {
    let n = c.len();
    let m = b.len();
    let width = n + m + 1;
    let mut rows: Vec<Vec<f64>> = a
        .iter()
        .zip(b)
        .enumerate()
        .map(|(i, (coefficients, &rhs))| {
            let mut row = vec![0.0; width];
            row[..n].copy_from_slice(&coefficients[..n]);
            row[n + i] = 1.0;
            row[width - 1] = rhs;
            row
        })
        .collect();
    let mut objective = vec![0.0; width];
    for (o, &cost) in objective.iter_mut().zip(c) {
        *o = -cost;
    }
    let mut basis: Vec<usize> = (n..n + m).collect();
    for _ in 0..MAX_PIVOTS {
        let Some(col) = objective[..width - 1].iter().position(|&v| v < -COST_EPS) else {
            return Ok(read_solution(&rows, &objective, &basis, n));
        };
        let row = leaving_row(&rows, &basis, col).ok_or(LpFailure::Unbounded)?;
        pivot(&mut rows, &mut objective, row, col);
        basis[row] = col;
    }
    Err(LpFailure::PivotLimit)
}

/// Minimum-ratio row; ties go to the smallest basic variable (Bland).
fn leaving_row(rows: &[Vec<f64>], basis: &[usize], col: usize) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, row) in rows.iter().enumerate() {
        let a = row[col];
        if a <= PIVOT_EPS {
            continue;
        }
        let ratio = row[row.len() - 1] / a;
        let better = match best {
            None => true,
            Some((bi, br)) => {
                ratio < br - TIE_EPS || (ratio <= br + TIE_EPS && basis[i] < basis[bi])
            }
        };
        if better {
            best = Some((i, ratio));
        }
    }
    best.map(|(i, _)| i)
}

fn pivot(rows: &mut [Vec<f64>], objective: &mut [f64], row: usize, col: usize) {
    let p = rows[row][col];
    for v in rows[row].iter_mut() {
        *v /= p;
    }
    rows[row][col] = 1.0;
    let pivot_row = rows[row].clone();
    for (i, r) in rows.iter_mut().enumerate() {
        if i != row {
            eliminate(r, &pivot_row, col);
        }
    }
    eliminate(objective, &pivot_row, col);
}

fn eliminate(target: &mut [f64], pivot_row: &[f64], col: usize) {
    let factor = target[col];
    if factor == 0.0 {
        return;
    }
    for (v, &p) in target.iter_mut().zip(pivot_row) {
        *v -= factor * p;
        if v.abs() < SNAP_EPS {
            *v = 0.0;
        }
    }
    target[col] = 0.0;
}

fn read_solution(rows: &[Vec<f64>], objective: &[f64], basis: &[usize], n: usize) -> LpSolution {
    let mut values = vec![0.0; n];
    for (row, &var) in rows.iter().zip(basis) {
        if var < n {
            values[var] = row[row.len() - 1];
        }
    }
    LpSolution {
        values,
        duals: objective[n..objective.len() - 1].to_vec(),
        objective: objective[objective.len() - 1],
    }
}

// ---------------------------------------------------------------------------
// Maximin by column generation

/// Pricing tolerance: a shape whose dual weight exceeds 1 by less is not added.
const PRICE_EPS: f64 = 1e-9;
/// Column-generation rounds; each adds one shape. Far above what the hearings need.
const MAX_ROUNDS: usize = 500;
/// Shapes with less probability than this are dropped as numerical dust.
const DUST: f64 = 1e-12;

/// One panel shape of the lottery: seats per [`MemberType`], and its probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PanelShape {
    pub probability: f64,
    /// Seats per type, in the order of [`Portfolio::types`].
    pub seats: Vec<u32>,
}

/// The maximin lottery: which panel shapes are drawn with which probability, and
/// the resulting selection probability of every eligible member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Portfolio {
    /// The maximin optimum: the lowest selection probability any seatable
    /// eligible member can be guaranteed, over all quota-feasible lotteries
    /// (1 / value of the packing LP), and what this lottery guarantees.
    pub optimum: f64,
    /// Pricing proved no better shape exists. False only if the round cap was
    /// hit or numerics stalled; `optimum` is then what this lottery guarantees,
    /// possibly a little below the true optimum.
    pub proven_optimal: bool,
    pub types: Vec<MemberType>,
    pub shapes: Vec<PanelShape>,
    /// Every eligible member's exact selection probability, sorted by id.
    pub probabilities: Vec<(String, f64)>,
    /// Eligible members no quota-feasible panel can contain (probability 0).
    pub unseatable: Vec<String>,
    /// LP dual weight per type (a certificate of optimality; for tests).
    #[serde(skip)]
    dual_weights: Vec<f64>,
}

/// Computes the maximin lottery for the input (after every feasibility check).
pub fn portfolio(input: &DrawInput) -> Result<Portfolio, Infeasible> {
    let model = Model::new(input)?;
    model.check()?;
    solve_maximin(&model)
}

/// The maximin-optimal selection probabilities of the eligible members, sorted
/// by id (members no feasible panel can contain get 0).
pub fn maximin_probabilities(input: &DrawInput) -> Result<Vec<(String, f64)>, Infeasible> {
    Ok(portfolio(input)?.probabilities)
}

/// The LP in packing form. With `a[s][t]` = seats of type `t` in shape `s` ÷ size
/// of type `t` (each member's chance under that shape), the maximin LP
/// `max z : Σ_s x_s a[s][t] ≥ z ∀t, Σ x = 1, x ≥ 0` is equivalent to the packing LP
/// `max Σ_t y_t : Σ_t a[s][t] y_t ≤ 1 ∀s, y ≥ 0` with optimum `V = 1/z`, and the
/// lottery is the packing LP's duals divided by `V`. Packing has `b = 1 ≥ 0`, so
/// the simplex starts from the slack basis. Shapes are generated as needed:
/// pricing asks the shape search for the shape with the largest `Σ_t a[s][t] y_t`;
/// if that exceeds 1 the shape is added, otherwise `y` proves optimality.
fn solve_maximin(model: &Model) -> Result<Portfolio, Infeasible> {
    let search = model.search(model.all_quotas());
    let caps: Vec<f64> = model.types.iter().map(|t| t.members.len() as f64).collect();
    let (mut shapes, seatable) = initial_shapes(&search, caps.len())?;
    let cols: Vec<usize> = (0..caps.len()).filter(|&t| seatable[t]).collect();
    if cols.is_empty() {
        return Err(solver_failed("no member fits any feasible panel"));
    }
    let mut proven = false;
    let mut lp = solve_packing(&shapes, &cols, &caps)?;
    for _ in 0..MAX_ROUNDS {
        let weights = type_weights(&lp.values, &cols, &caps);
        let candidate = search
            .best(&weights)?
            .ok_or_else(|| solver_failed("pricing found no feasible shape"))?;
        let price = dot(&weights, &candidate);
        if price <= 1.0 + PRICE_EPS || shapes.contains(&candidate) {
            proven = price <= 1.0 + PRICE_EPS;
            break;
        }
        shapes.push(candidate);
        lp = solve_packing(&shapes, &cols, &caps)?;
    }
    assemble(model, shapes, &lp, &cols, &caps, proven)
}

/// Panel shapes, each as seats per type.
type Shapes = Vec<Vec<u32>>;

/// Starting shapes that give every seatable type a seat, which keeps the LP
/// bounded: repeatedly the shape seating the most members of types not yet
/// covered. When the best such shape seats none of them, no shape can: those
/// types are unseatable.
fn initial_shapes(
    search: &ShapeSearch<'_>,
    types: usize,
) -> Result<(Shapes, Vec<bool>), Infeasible> {
    let mut shapes: Shapes = Vec::new();
    let mut seatable = vec![false; types];
    loop {
        let weights: Vec<f64> = seatable
            .iter()
            .map(|&s| if s { 0.0 } else { 1.0 })
            .collect();
        let Some(shape) = search.best(&weights)? else {
            break;
        };
        let newly: Vec<usize> = (0..types)
            .filter(|&t| !seatable[t] && shape[t] > 0)
            .collect();
        if newly.is_empty() {
            break;
        }
        for t in newly {
            seatable[t] = true;
        }
        shapes.push(shape);
    }
    Ok((shapes, seatable))
}

fn solve_packing(
    shapes: &[Vec<u32>],
    cols: &[usize],
    caps: &[f64],
) -> Result<LpSolution, Infeasible> {
    let a: Vec<Vec<f64>> = shapes
        .iter()
        .map(|s| cols.iter().map(|&t| f64::from(s[t]) / caps[t]).collect())
        .collect();
    simplex_max(&a, &vec![1.0; shapes.len()], &vec![1.0; cols.len()])
        .map_err(|e| solver_failed(&format!("{e:?}")))
}

/// Per-member dual weight `y_t / |t|`, as a weight per seat of type `t`.
fn type_weights(values: &[f64], cols: &[usize], caps: &[f64]) -> Vec<f64> {
    let mut weights = vec![0.0; caps.len()];
    for (&t, &y) in cols.iter().zip(values) {
        weights[t] = y / caps[t];
    }
    weights
}

fn dot(weights: &[f64], shape: &[u32]) -> f64 {
    weights
        .iter()
        .zip(shape)
        .map(|(w, &s)| w * f64::from(s))
        .sum()
}

fn solver_failed(detail: &str) -> Infeasible {
    Infeasible::SolverFailed {
        detail: detail.to_owned(),
    }
}

fn assemble(
    model: &Model,
    shapes: Vec<Vec<u32>>,
    lp: &LpSolution,
    cols: &[usize],
    caps: &[f64],
    proven: bool,
) -> Result<Portfolio, Infeasible> {
    let raw: Vec<f64> = lp.duals.iter().map(|d| d.max(0.0)).collect();
    let total: f64 = raw.iter().sum();
    if total.is_nan() || total <= 0.0 {
        return Err(solver_failed("the LP returned no lottery"));
    }
    let kept: Vec<PanelShape> = shapes
        .into_iter()
        .zip(raw)
        .filter(|(_, p)| *p / total > DUST)
        .map(|(seats, p)| PanelShape {
            probability: p,
            seats,
        })
        .collect();
    let kept_total: f64 = kept.iter().map(|s| s.probability).sum();
    let shapes: Vec<PanelShape> = kept
        .into_iter()
        .map(|s| PanelShape {
            probability: s.probability / kept_total,
            seats: s.seats,
        })
        .collect();
    let type_probability: Vec<f64> = (0..caps.len())
        .map(|t| {
            shapes
                .iter()
                .map(|s| s.probability * f64::from(s.seats[t]) / caps[t])
                .sum()
        })
        .collect();
    let mut probabilities: Vec<(String, f64)> = model
        .types
        .iter()
        .zip(&type_probability)
        .flat_map(|(t, &p)| t.members.iter().map(move |id| (id.clone(), p)))
        .collect();
    probabilities.sort_by(|a, b| a.0.cmp(&b.0));
    let seatable: BTreeSet<usize> = cols.iter().copied().collect();
    let unseatable = model
        .types
        .iter()
        .enumerate()
        .filter(|(t, _)| !seatable.contains(t))
        .flat_map(|(_, t)| t.members.iter().cloned())
        .collect();
    Ok(Portfolio {
        optimum: 1.0 / lp.objective,
        proven_optimal: proven,
        types: model.types.clone(),
        shapes,
        probabilities,
        unseatable,
        dual_weights: type_weights(&lp.values, cols, caps),
    })
}

// ---------------------------------------------------------------------------
// The draw

/// A checked input with its lottery computed: draws from it are cheap, so the
/// measurement (and a page showing the lottery before the seed) reuse it.
#[derive(Debug, Clone)]
pub struct PreparedDraw {
    input_hash: String,
    eligible: Vec<String>,
    alternates: usize,
    portfolio: Portfolio,
}

impl PreparedDraw {
    pub fn input_hash(&self) -> &str {
        &self.input_hash
    }

    pub fn portfolio(&self) -> &Portfolio {
        &self.portfolio
    }

    /// The draw for `seed`: one shape by its probability, members uniformly within
    /// each type (types in order), then alternates from the rest, all from one
    /// stream in that order.
    pub fn draw(&self, seed: [u8; 32]) -> DrawResult {
        let mut stream = Stream::new(seed);
        let mut seated = self.seat(&mut stream);
        seated.sort();
        let taken: BTreeSet<&String> = seated.iter().collect();
        let rest: Vec<String> = self
            .eligible
            .iter()
            .filter(|id| !taken.contains(id))
            .cloned()
            .collect();
        let alternates = choose(&mut stream, &rest, self.alternates);
        DrawResult {
            algorithm_version: ALGORITHM_VERSION,
            input_hash: self.input_hash.clone(),
            seated,
            alternates,
            seed: hex::encode(seed),
        }
    }

    fn seat(&self, stream: &mut Stream) -> Vec<String> {
        let shape = self.pick_shape(stream.unit());
        self.portfolio
            .types
            .iter()
            .zip(&shape.seats)
            .flat_map(|(t, &seats)| choose(stream, &t.members, seats as usize))
            .collect()
    }

    /// Inverse of the cumulative distribution, in the portfolio's order.
    fn pick_shape(&self, u: f64) -> &PanelShape {
        let shapes = &self.portfolio.shapes;
        let mut cumulative = 0.0;
        for shape in shapes {
            cumulative += shape.probability;
            if u < cumulative {
                return shape;
            }
        }
        shapes
            .last()
            .expect("assemble refuses a lottery without shapes")
    }
}

/// Validates, checks feasibility and computes the lottery.
pub fn prepare(input: &DrawInput) -> Result<PreparedDraw, Infeasible> {
    let model = Model::new(input)?;
    model.check()?;
    let portfolio = solve_maximin(&model)?;
    Ok(PreparedDraw {
        input_hash: model.hash.clone(),
        alternates: model.input.alternates as usize,
        eligible: model.eligible,
        portfolio,
    })
}

/// Whether a panel can be drawn at all; the error says which quota fails and why.
pub fn check_feasibility(input: &DrawInput) -> Result<(), Infeasible> {
    Model::new(input)?.check()
}

/// The draw: a pure function of the input and the seed. If fewer eligible
/// members remain than alternates requested, all of them are ranked.
pub fn draw(input: &DrawInput, seed: [u8; 32]) -> Result<DrawResult, Infeasible> {
    Ok(prepare(input)?.draw(seed))
}

// ---------------------------------------------------------------------------
// Verification

/// One way a recorded draw differs from its recomputation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mismatch {
    AlgorithmVersion {
        recorded: u32,
        recomputed: u32,
    },
    InputHash {
        recorded: String,
        recomputed: String,
    },
    Seed {
        recorded: String,
        recomputed: String,
    },
    Seated {
        recorded: Vec<String>,
        recomputed: Vec<String>,
    },
    Alternates {
        recorded: Vec<String>,
        recomputed: Vec<String>,
    },
    /// The published input no longer admits a draw.
    Infeasible {
        reason: Infeasible,
    },
}

/// The answer of `verify-draw` and of the public verification page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    Match,
    Mismatch(Vec<Mismatch>),
}

impl Verdict {
    pub fn is_match(&self) -> bool {
        matches!(self, Self::Match)
    }

    pub fn label_zh(&self) -> &'static str {
        if self.is_match() {
            "一致"
        } else {
            "不一致"
        }
    }

    pub fn label_en(&self) -> &'static str {
        if self.is_match() { "match" } else { "mismatch" }
    }
}

/// Recomputes the draw from the published input and public values and compares
/// every part of the record.
pub fn verify_draw(input: &DrawInput, public_values: &[String], recorded: &DrawResult) -> Verdict {
    let hash = input_hash(input);
    let seed = seed_from(&hash, public_values);
    let mut found = Vec::new();
    if recorded.algorithm_version != input.algorithm_version {
        found.push(Mismatch::AlgorithmVersion {
            recorded: recorded.algorithm_version,
            recomputed: input.algorithm_version,
        });
    }
    if recorded.input_hash != hash {
        found.push(Mismatch::InputHash {
            recorded: recorded.input_hash.clone(),
            recomputed: hash,
        });
    }
    if recorded.seed != hex::encode(seed) {
        found.push(Mismatch::Seed {
            recorded: recorded.seed.clone(),
            recomputed: hex::encode(seed),
        });
    }
    match draw(input, seed) {
        Ok(again) => compare_panels(recorded, again, &mut found),
        Err(reason) => found.push(Mismatch::Infeasible { reason }),
    }
    if found.is_empty() {
        Verdict::Match
    } else {
        Verdict::Mismatch(found)
    }
}

fn compare_panels(recorded: &DrawResult, again: DrawResult, found: &mut Vec<Mismatch>) {
    if recorded.seated != again.seated {
        found.push(Mismatch::Seated {
            recorded: recorded.seated.clone(),
            recomputed: again.seated,
        });
    }
    if recorded.alternates != again.alternates {
        found.push(Mismatch::Alternates {
            recorded: recorded.alternates.clone(),
            recomputed: again.alternates,
        });
    }
}

// ---------------------------------------------------------------------------
// Alternates

/// Whether `panel` (member ids) meets every quota of the input. Unknown ids fail.
pub fn satisfies_quotas<S: AsRef<str>>(input: &DrawInput, panel: &[S]) -> bool {
    let members: Option<Vec<&PoolMember>> = panel
        .iter()
        .map(|id| input.pool.iter().find(|m| m.id == id.as_ref()))
        .collect();
    let Some(members) = members else {
        return false;
    };
    input.quotas.iter().all(|q| {
        let count = members.iter().filter(|m| m.has_tag(&q.tag)).count();
        (q.min as usize..=q.max as usize).contains(&count)
    })
}

/// The alternate who takes the seat of `leaving` (declined or recused): the first
/// in rank who is not seated, not `leaving`, not in `also_unavailable` (declined
/// before, or left after being promoted), not excluded, and with whom the panel
/// still meets every quota. `None` if there is no such alternate (then the host
/// needs a new draw) or `leaving` is not seated.
pub fn promote_alternate(
    input: &DrawInput,
    result: &DrawResult,
    seated_now: &[String],
    leaving: &str,
    also_unavailable: &[String],
) -> Option<String> {
    if !seated_now.iter().any(|s| s == leaving) {
        return None;
    }
    let excluded = input.excluded_ids();
    let staying: Vec<&str> = seated_now
        .iter()
        .map(String::as_str)
        .filter(|s| *s != leaving)
        .collect();
    result
        .alternates
        .iter()
        .filter(|a| a.as_str() != leaving)
        .filter(|a| !seated_now.contains(a) && !also_unavailable.contains(a))
        .filter(|a| !excluded.contains(a.as_str()))
        .find(|a| {
            let mut panel = staying.clone();
            panel.push(a.as_str());
            satisfies_quotas(input, &panel)
        })
        .cloned()
}

// ---------------------------------------------------------------------------
// Demo pool

const SURNAMES: [&str; 100] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
    "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "武", "戴",
    "莫", "孔", "向", "汤",
];

const GIVEN_NAMES: [&str; 50] = [
    "建国", "秀英", "志强", "桂英", "海燕", "伟", "芳", "丽娟", "国庆", "建华", "玉兰", "明",
    "晓东", "红梅", "文斌", "淑珍", "永刚", "春梅", "立新", "慧敏", "卫东", "秀兰", "德明", "静",
    "俊杰", "美华", "志明", "丽华", "振华", "小红", "建军", "凤英", "海峰", "雪梅", "国平", "晓燕",
    "金龙", "月娥", "学军", "佳怡", "浩然", "子涵", "宇航", "欣怡", "卫国", "爱萍", "荣华", "素珍",
    "天宇", "梦琪",
];

/// Streets and towns of Haining (海宁), where the hundred-person panel began.
const DISTRICTS: [&str; 12] = [
    "硖石街道",
    "海洲街道",
    "海昌街道",
    "马桥街道",
    "许村镇",
    "长安镇",
    "周王庙镇",
    "盐官镇",
    "斜桥镇",
    "袁花镇",
    "黄湾镇",
    "丁桥镇",
];

/// Primary category by member number (1-based), in the proportions of a
/// hundred-person panel.
fn demo_primary(number: usize) -> &'static str {
    match number {
        1..=10 => "deputy",
        11..=18 => "cppcc",
        19..=30 => "lawyer",
        31..=45 => "expert",
        46..=80 => "grassroots",
        81..=86 => "media",
        87..=92 => "social_org",
        _ => "government",
    }
}

/// Tags of demo member `number`: its category, "representative" for deputies and
/// CPPCC members (the "deputy or CPPCC" quota), and a few realistic overlaps:
/// M003 is a deputy who works for a township government, M015 a CPPCC member who
/// is a lawyer.
fn demo_tags(number: usize) -> Vec<String> {
    let primary = demo_primary(number);
    let mut tags = vec![primary.to_owned()];
    if matches!(primary, "deputy" | "cppcc") {
        tags.push("representative".to_owned());
    }
    match number {
        3 => tags.push("government".to_owned()),
        15 => tags.push("lawyer".to_owned()),
        _ => {}
    }
    tags.sort();
    tags
}

/// The demo's hundred-member pool (百人信访评议团), deterministic: ids M001–M100,
/// 10 deputies, 8 CPPCC members, 12 lawyers, 15 experts, 35 grassroots
/// representatives, 6 media, 6 social organisations, 8 government staff.
pub fn demo_pool() -> Vec<PoolMember> {
    (1..=100)
        .map(|number: usize| PoolMember {
            id: format!("M{number:03}"),
            name: format!(
                "{}{}",
                SURNAMES[number - 1],
                GIVEN_NAMES[(number * 17) % GIVEN_NAMES.len()]
            ),
            categories: demo_tags(number),
            district: DISTRICTS[(number * 5) % DISTRICTS.len()].to_owned(),
        })
        .collect()
}

/// The demo quotas for a panel of 7: at least one lawyer, at least one deputy or
/// CPPCC member, at most two from government bodies (≤ 1/3 of 7).
pub fn demo_quotas() -> Vec<Quota> {
    vec![
        Quota::at_least("lawyer", 1),
        Quota::at_least("representative", 1),
        Quota::at_most("government", 2),
    ]
}

/// The demo hearing's draw input: panel of 7, 3 alternates, four exclusions.
pub fn demo_input() -> DrawInput {
    DrawInput {
        algorithm_version: ALGORITHM_VERSION,
        input_format: INPUT_FORMAT,
        pool: demo_pool(),
        panel_size: 7,
        alternates: 3,
        quotas: demo_quotas(),
        excluded: vec![
            Exclusion::new("M021", ExclusionKind::Recusal, "曾代理本案信访人，申请回避"),
            Exclusion::new("M033", ExclusionKind::Unavailable, "听证当日外出，无法出席"),
            Exclusion::new("M052", ExclusionKind::Conflict, "与信访人系近亲属，回避"),
            Exclusion::new(
                "M095",
                ExclusionKind::Conflict,
                "系本案责任单位工作人员，回避",
            ),
        ],
    }
}

// ---------------------------------------------------------------------------
// Measurement

/// Empirical selection frequencies over many seeded draws, against the maximin
/// optimum (the acceptance figure of docs/SORTITION.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub draws: usize,
    pub eligible: usize,
    /// The LP optimum (1 / packing value).
    pub maximin_optimum: f64,
    pub proven_optimal: bool,
    /// Lowest exact selection probability of the lottery actually sampled.
    pub exact_lowest: f64,
    /// Lowest observed frequency among eligible members, and whose.
    pub empirical_lowest: f64,
    pub empirical_lowest_member: String,
    pub empirical_highest: f64,
    /// `empirical_lowest / maximin_optimum`; acceptance asks ≥ 0.9 at 10,000 draws.
    pub ratio: f64,
    /// Largest |observed − exact| over members (sampling noise, ~√(p(1−p)/draws)).
    pub max_abs_deviation: f64,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "draws                     {}", self.draws)?;
        writeln!(f, "eligible members          {}", self.eligible)?;
        writeln!(
            f,
            "maximin optimum           {:.6} (proven optimal: {})",
            self.maximin_optimum, self.proven_optimal
        )?;
        writeln!(f, "exact lowest of lottery   {:.6}", self.exact_lowest)?;
        writeln!(
            f,
            "empirical lowest          {:.6} ({})",
            self.empirical_lowest, self.empirical_lowest_member
        )?;
        writeln!(f, "empirical highest         {:.6}", self.empirical_highest)?;
        writeln!(f, "lowest / optimum          {:.4}", self.ratio)?;
        write!(f, "max |observed − exact|    {:.6}", self.max_abs_deviation)
    }
}

/// [`measure_on`] the demo input.
pub fn measure(draws: usize) -> Result<Report, Infeasible> {
    measure_on(&demo_input(), draws)
}

/// Performs `draws` draws with seeds `seed_from(hash, ["measure:<i>"])`,
/// i = 0…draws−1, and compares observed selection frequencies with the optimum.
pub fn measure_on(input: &DrawInput, draws: usize) -> Result<Report, Infeasible> {
    let prepared = prepare(input)?;
    let mut counts: BTreeMap<&str, usize> = prepared
        .eligible
        .iter()
        .map(|id| (id.as_str(), 0))
        .collect();
    for i in 0..draws {
        let seed = seed_from(&prepared.input_hash, &[format!("measure:{i}")]);
        for id in prepared.draw(seed).seated {
            if let Some(c) = counts.get_mut(id.as_str()) {
                *c += 1;
            }
        }
    }
    Ok(summarise(&prepared, &counts, draws))
}

fn summarise(prepared: &PreparedDraw, counts: &BTreeMap<&str, usize>, draws: usize) -> Report {
    let portfolio = &prepared.portfolio;
    let n = draws.max(1) as f64;
    let unseatable: BTreeSet<&str> = portfolio.unseatable.iter().map(String::as_str).collect();
    let observed: Vec<(&str, f64, f64)> = portfolio
        .probabilities
        .iter()
        .filter(|(id, _)| !unseatable.contains(id.as_str()))
        .map(|(id, exact)| {
            let seen = counts.get(id.as_str()).copied().unwrap_or(0) as f64 / n;
            (id.as_str(), seen, *exact)
        })
        .collect();
    let lowest = observed
        .iter()
        .fold(None, |best: Option<&(&str, f64, f64)>, o| match best {
            Some(b) if b.1 <= o.1 => Some(b),
            _ => Some(o),
        });
    let (lowest_id, lowest_seen) = lowest.map_or(("", 0.0), |o| (o.0, o.1));
    Report {
        draws,
        eligible: prepared.eligible.len(),
        maximin_optimum: portfolio.optimum,
        proven_optimal: portfolio.proven_optimal,
        exact_lowest: observed.iter().map(|o| o.2).fold(f64::INFINITY, f64::min),
        empirical_lowest: lowest_seen,
        empirical_lowest_member: lowest_id.to_owned(),
        empirical_highest: observed.iter().map(|o| o.1).fold(0.0, f64::max),
        ratio: lowest_seen / portfolio.optimum,
        max_abs_deviation: observed
            .iter()
            .map(|o| (o.1 - o.2).abs())
            .fold(0.0, f64::max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TAGS: [&str; 4] = ["lawyer", "representative", "government", "expert"];

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    fn member(id: &str, tags: &[&str]) -> PoolMember {
        PoolMember {
            id: id.to_owned(),
            name: format!("成员{id}"),
            categories: strings(tags),
            district: "硖石街道".to_owned(),
        }
    }

    fn input_of(
        pool: Vec<PoolMember>,
        k: u32,
        quotas: Vec<Quota>,
        excluded: Vec<Exclusion>,
    ) -> DrawInput {
        DrawInput {
            algorithm_version: ALGORITHM_VERSION,
            input_format: INPUT_FORMAT,
            pool,
            panel_size: k,
            alternates: 2,
            quotas,
            excluded,
        }
    }

    fn eligible_members(input: &DrawInput) -> Vec<PoolMember> {
        let canonical = input.canonical();
        let excluded: BTreeSet<String> = canonical
            .excluded
            .iter()
            .map(|e| e.member_id.clone())
            .collect();
        canonical
            .pool
            .into_iter()
            .filter(|m| !excluded.contains(&m.id))
            .collect()
    }

    fn k_subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
        if k == 0 {
            return vec![Vec::new()];
        }
        if n < k {
            return Vec::new();
        }
        let mut with_last = k_subsets(n - 1, k - 1);
        for s in &mut with_last {
            s.push(n - 1);
        }
        let mut all = k_subsets(n - 1, k);
        all.extend(with_last);
        all
    }

    /// Every quota-satisfying panel, by enumeration (small pools only).
    fn feasible_panels(input: &DrawInput) -> Vec<Vec<String>> {
        let eligible = eligible_members(input);
        k_subsets(eligible.len(), input.panel_size as usize)
            .into_iter()
            .map(|s| {
                s.iter()
                    .map(|&i| eligible[i].id.clone())
                    .collect::<Vec<_>>()
            })
            .filter(|panel| satisfies_quotas(input, panel))
            .collect()
    }

    fn assert_valid_draw(input: &DrawInput, result: &DrawResult) {
        let eligible: BTreeSet<String> =
            eligible_members(input).into_iter().map(|m| m.id).collect();
        let seated: BTreeSet<&String> = result.seated.iter().collect();
        assert_eq!(result.seated.len(), input.panel_size as usize);
        assert_eq!(seated.len(), result.seated.len(), "no one seated twice");
        assert!(satisfies_quotas(input, &result.seated), "quotas hold");
        assert!(
            result.seated.iter().all(|id| eligible.contains(id)),
            "excluded never drawn"
        );
        assert!(
            result
                .alternates
                .iter()
                .all(|id| eligible.contains(id) && !seated.contains(id))
        );
        let wanted = (input.alternates as usize).min(eligible.len() - result.seated.len());
        assert_eq!(result.alternates.len(), wanted);
        assert_eq!(result.input_hash, input_hash(input));
    }

    // ----- demo pool and golden values

    #[test]
    fn demo_pool_is_a_realistic_hundred() {
        let pool = demo_pool();
        assert_eq!(pool.len(), 100);
        let ids: BTreeSet<&str> = pool.iter().map(|m| m.id.as_str()).collect();
        let names: BTreeSet<&str> = pool.iter().map(|m| m.name.as_str()).collect();
        assert_eq!((ids.len(), names.len()), (100, 100));
        assert!(pool.windows(2).all(|w| w[0].id < w[1].id), "sorted by id");
        assert!(
            pool.iter()
                .all(|m| (2..=3).contains(&m.name.chars().count()))
        );
        let count = |tag: &str| pool.iter().filter(|m| m.has_tag(tag)).count();
        let counts: Vec<usize> = [
            "deputy",
            "cppcc",
            "lawyer",
            "expert",
            "grassroots",
            "media",
            "social_org",
            "government",
            "representative",
        ]
        .into_iter()
        .map(count)
        .collect();
        // 13 lawyers: 12 plus a CPPCC member who is one; 9 government: 8 plus a deputy.
        assert_eq!(counts, vec![10, 8, 13, 15, 35, 6, 6, 9, 18]);
        assert_eq!(pool[0].name, "王春梅");
    }

    /// Version 1 of the algorithm must never drift: a past draw must verify forever.
    #[test]
    fn demo_draw_is_pinned() {
        // Committed in the first input format, as records from before format 2 were.
        let input = DrawInput {
            input_format: 1,
            ..demo_input()
        };
        let hash = input_hash(&input);
        assert_eq!(
            hash,
            "0e5ea83cad10ee21257b32975e270bd42b6a8c313f993ddcd9cefe840d191252"
        );
        let result =
            draw(&input, seed_from(&hash, &strings(&["3", "5", "1"]))).expect("demo is feasible");
        assert_valid_draw(&input, &result);
        assert_eq!(
            result.seated,
            strings(&["M010", "M029", "M048", "M054", "M082", "M084", "M088"])
        );
        assert_eq!(result.alternates, strings(&["M073", "M035", "M015"]));
    }

    /// The canonical bytes, the hash, the seed and the first stream words are
    /// pinned to values computed independently with Python's hashlib from the
    /// documented format (docs/SORTITION.md).
    #[test]
    fn hash_seed_and_stream_follow_the_published_spec() {
        let input = DrawInput {
            algorithm_version: 1,
            input_format: 1,
            pool: vec![member("B", &["lawyer", "expert"]), member("A", &["expert"])],
            panel_size: 3,
            alternates: 1,
            quotas: vec![Quota::at_least("lawyer", 1)],
            excluded: vec![Exclusion::new("A", ExclusionKind::Recusal, "回避")],
        };
        assert_eq!(
            canonical_json(&input),
            r#"{"format":"pingyi-sortition-input/1","algorithm_version":1,"panel_size":3,"alternates":1,"quotas":[{"tag":"lawyer","min":1,"max":15}],"excluded":[{"member_id":"A","reason":"回避"}],"pool":[{"id":"A","name":"成员A","categories":["expert"],"district":"硖石街道"},{"id":"B","name":"成员B","categories":["expert","lawyer"],"district":"硖石街道"}]}"#
        );
        let hash = input_hash(&input);
        assert_eq!(
            hash,
            "c53554d44b5ebc404c35a32c865cbd9b99f46b2a5fd5da35d89d42f59291eea7"
        );
        let seed = seed_from(
            &hash,
            &strings(&["6", "2", "大乐透 03 11 19 25 33 + 04 09"]),
        );
        assert_eq!(
            hex::encode(seed),
            "c09789f860d5375f9f3ef1ddb9ec7e148296863b9d9e4a7369af7782e8289c64"
        );
        let mut stream = Stream::new(seed);
        assert_eq!(stream.next_u64(), 10_435_253_840_529_487_258);
        assert_eq!(stream.next_u64(), 1_103_724_193_460_732_007);
    }

    /// Format 2: the hash covers the public record only, pinned to the value
    /// Python's hashlib gives for the documented bytes (docs/SORTITION.md); the
    /// published copy (names, districts, reasons removed) hashes and draws the same.
    #[test]
    fn the_public_record_alone_reproduces_the_hash_and_the_draw() {
        let input = DrawInput {
            algorithm_version: 1,
            input_format: 2,
            pool: vec![member("B", &["lawyer", "expert"]), member("A", &["expert"])],
            panel_size: 3,
            alternates: 1,
            quotas: vec![Quota::at_least("lawyer", 1)],
            excluded: vec![Exclusion::new(
                "A",
                ExclusionKind::Recusal,
                "与信访人张三系表兄弟",
            )],
        };
        assert_eq!(
            canonical_json(&input),
            r#"{"format":"pingyi-sortition-input/2","algorithm_version":1,"panel_size":3,"alternates":1,"quotas":[{"tag":"lawyer","min":1,"max":15}],"excluded":[{"member_id":"A","kind":"recusal"}],"pool":[{"id":"A","categories":["expert"]},{"id":"B","categories":["expert","lawyer"]}]}"#
        );
        assert_eq!(
            input_hash(&input),
            "1c4ad1d1dd16aabc0c4e01f7a163df733ae224773f1272acd59801fdac0d6477"
        );
        let public = input.public();
        let published = serde_json::to_string(&public).expect("serialisable");
        for personal in ["成员", "硖石", "张三", "表兄弟"] {
            assert!(!published.contains(personal), "{personal} in {published}");
        }
        assert_eq!(input_hash(&public), input_hash(&input));
        let demo = demo_input();
        let seed = seed_from(&input_hash(&demo), &strings(&["3", "5", "1"]));
        assert_eq!(
            draw(&demo.public(), seed).expect("feasible"),
            draw(&demo, seed).expect("feasible")
        );
        // A record read back from its published JSON (no names, no reasons).
        let read: DrawInput = serde_json::from_str(&published).expect("readable");
        assert_eq!(input_hash(&read), input_hash(&input));
    }

    /// The worked example of docs/SORTITION.md §4: a small draw replayed step by
    /// step from its public record, with every number the page quotes.
    #[test]
    fn the_documented_sampling_example_replays() {
        let input = DrawInput {
            algorithm_version: 1,
            input_format: 2,
            pool: vec![
                member("M1", &["lawyer"]),
                member("M2", &["lawyer"]),
                member("M3", &["lawyer", "expert"]),
                member("M4", &["expert"]),
                member("M5", &["grassroots"]),
                member("M6", &["grassroots"]),
                member("M7", &["grassroots"]),
                member("M8", &["expert"]),
            ],
            panel_size: 3,
            alternates: 2,
            quotas: vec![Quota::at_least("lawyer", 1)],
            excluded: vec![Exclusion::new("M4", ExclusionKind::Unavailable, "")],
        };
        let hash = input_hash(&input);
        assert_eq!(
            hash,
            "142cbd8b76667c21f7b36a6562040f017bd6af0e814e21d1fe7c0e60aa0e6dff"
        );
        let seed = seed_from(&hash, &strings(&["6", "2"]));
        assert_eq!(
            hex::encode(seed),
            "72e28e7697796384d7b18c2f4e8b9e0fcf6817344351043c0123d859630624e2"
        );
        let prepared = prepare(&input).expect("feasible");
        let lottery = prepared.portfolio();
        let types: Vec<(Vec<String>, Vec<String>)> = lottery
            .types
            .iter()
            .map(|t| (t.tags.clone(), t.members.clone()))
            .collect();
        assert_eq!(
            types,
            vec![
                (vec![], strings(&["M5", "M6", "M7", "M8"])),
                (strings(&["lawyer"]), strings(&["M1", "M2", "M3"])),
            ]
        );
        // Two shapes: three lawyers (1/7), or two others and one lawyer (6/7);
        // everyone's chance is then 3/7.
        let shapes: Vec<(f64, Vec<u32>)> = lottery
            .shapes
            .iter()
            .map(|s| (s.probability, s.seats.clone()))
            .collect();
        assert_eq!(
            shapes,
            vec![
                (0.14285714285714288, vec![0, 3]),
                (0.8571428571428571, vec![2, 1])
            ]
        );
        // The stream's words, as the page lists them: the shape's u, two swaps
        // among the others, one among the lawyers, two for the alternates.
        let mut stream = Stream::new(seed);
        let words: Vec<u64> = (0..6).map(|_| stream.next_u64()).collect();
        assert_eq!(
            words,
            vec![
                9_572_313_506_682_035_338,
                14_249_549_090_620_372_410,
                16_087_304_381_304_846_044,
                17_642_332_830_958_576_549,
                6_719_696_999_235_958_157,
                4_418_274_200_614_175_826,
            ]
        );
        assert_eq!(
            (words[0] >> 11) as f64 / (1u64 << 53) as f64,
            0.5189161549828499
        );
        let result = prepared.draw(seed);
        assert_eq!(result.seated, strings(&["M2", "M7", "M8"]));
        assert_eq!(result.alternates, strings(&["M3", "M1"]));
    }

    #[test]
    fn seed_fields_are_length_prefixed() {
        let h = input_hash(&demo_input());
        assert_ne!(
            seed_from(&h, &strings(&["12", "3"])),
            seed_from(&h, &strings(&["1", "23"]))
        );
        assert_ne!(
            seed_from(&h, &strings(&["1"])),
            seed_from(&h, &strings(&["1", ""]))
        );
        assert_ne!(seed_from(&h, &[]), seed_from("other", &[]));
    }

    #[test]
    fn demo_draws_keep_quotas_and_skip_exclusions() {
        let input = demo_input();
        let prepared = prepare(&input).expect("demo is feasible");
        for i in 0..200 {
            let seed = seed_from(prepared.input_hash(), &[i.to_string()]);
            let result = prepared.draw(seed);
            assert_valid_draw(&input, &result);
            if i < 5 {
                assert_eq!(draw(&input, seed), Ok(result), "prepared draw = draw");
            }
        }
    }

    /// Every panel needs one of the 12 eligible lawyer-tagged members, so they
    /// hold at least one seat in expectation (≥ 1/12 each); the other 84 share at
    /// most 6 seats, so the lowest chance is at most 6/84 = 1/14, and the LP
    /// attains it.
    #[test]
    fn demo_maximin_is_one_fourteenth() {
        let p = portfolio(&demo_input()).expect("feasible");
        assert!(p.proven_optimal);
        assert!((p.optimum - 1.0 / 14.0).abs() < 1e-9, "{}", p.optimum);
        assert_eq!(p.probabilities.len(), 96);
        assert!(p.unseatable.is_empty());
        let total: f64 = p.probabilities.iter().map(|(_, q)| q).sum();
        assert!(
            (total - 7.0).abs() < 1e-9,
            "marginals sum to the panel size"
        );
        let lowest = p.probabilities.iter().map(|(_, q)| *q).fold(1.0, f64::min);
        assert!(lowest >= p.optimum - 1e-9);
        let shape_total: f64 = p.shapes.iter().map(|s| s.probability).sum();
        assert!((shape_total - 1.0).abs() < 1e-12);
    }

    /// All shapes of the demo, enumerated without the dynamic programme.
    fn all_shapes(types: &[MemberType], quotas: &[Quota], k: u32) -> Vec<Vec<u32>> {
        fn rec(types: &[MemberType], k: u32, prefix: &mut Vec<u32>, out: &mut Vec<Vec<u32>>) {
            let used: u32 = prefix.iter().sum();
            if prefix.len() == types.len() {
                if used == k {
                    out.push(prefix.clone());
                }
                return;
            }
            let cap = types[prefix.len()].members.len() as u32;
            for n in 0..=cap.min(k - used) {
                prefix.push(n);
                rec(types, k, prefix, out);
                prefix.pop();
            }
        }
        let mut out = Vec::new();
        rec(types, k, &mut Vec::new(), &mut out);
        out.retain(|shape| {
            quotas.iter().all(|q| {
                let count: u32 = types
                    .iter()
                    .zip(shape)
                    .filter(|(t, _)| t.tags.contains(&q.tag))
                    .map(|(_, n)| n)
                    .sum();
                (q.min..=q.max).contains(&count)
            })
        });
        out
    }

    #[test]
    fn column_generation_matches_the_full_lp_on_the_demo() {
        let input = demo_input();
        let p = portfolio(&input).expect("feasible");
        let shapes = all_shapes(&p.types, &input.quotas, input.panel_size);
        assert!(shapes.len() > 50, "{}", shapes.len());
        let caps: Vec<f64> = p.types.iter().map(|t| t.members.len() as f64).collect();
        let a: Vec<Vec<f64>> = shapes
            .iter()
            .map(|s| {
                s.iter()
                    .zip(&caps)
                    .map(|(&n, c)| f64::from(n) / c)
                    .collect()
            })
            .collect();
        let full =
            simplex_max(&a, &vec![1.0; shapes.len()], &vec![1.0; caps.len()]).expect("solves");
        assert!((1.0 / full.objective - p.optimum).abs() < 1e-9);
        // Optimality certificate: no shape at all has dual weight above 1.
        for shape in &shapes {
            assert!(dot(&p.dual_weights, shape) <= 1.0 + 1e-9, "{shape:?}");
        }
    }

    // ----- explanations

    #[test]
    fn a_short_quota_is_named_with_its_exclusions() {
        let mut pool: Vec<PoolMember> = (0..10)
            .map(|i| member(&format!("G{i}"), &["grassroots"]))
            .collect();
        for id in ["L1", "L2", "L3", "L4"] {
            pool.push(member(id, &["lawyer"]));
        }
        let excluded = vec![
            Exclusion::new("L1", ExclusionKind::Recusal, "回避"),
            Exclusion::new("L2", ExclusionKind::Recusal, "回避"),
            Exclusion::new("L3", ExclusionKind::Unavailable, "无法出席"),
        ];
        let input = input_of(pool, 5, vec![Quota::at_least("lawyer", 2)], excluded);
        let error = check_feasibility(&input).expect_err("only one lawyer left");
        assert_eq!(
            error.message_zh(),
            "「律师」至少需要 2 人，但可抽选的只有 1 人（3 人因回避或无法出席被排除）"
        );
        assert_eq!(
            error.message_en(),
            "Quota “lawyer” needs at least 2, but only 1 eligible members carry it (3 excluded by recusal or unavailability)."
        );
        assert_eq!(draw(&input, [0; 32]), Err(error));
    }

    #[test]
    fn every_kind_of_infeasibility_is_explained() {
        let pool: Vec<PoolMember> = (0..6)
            .map(|i| {
                member(
                    &format!("P{i}"),
                    if i < 2 { &["lawyer"] } else { &["expert"] },
                )
            })
            .chain((0..3).map(|i| member(&format!("M{i}"), &["media"])))
            .collect();
        let base = input_of(pool.clone(), 5, Vec::new(), Vec::new());
        let case = |change: &dyn Fn(&mut DrawInput)| {
            let mut input = base.clone();
            change(&mut input);
            check_feasibility(&input).expect_err("infeasible")
        };
        let cases: Vec<(Infeasible, &str)> = vec![
            (case(&|i| i.panel_size = 4), "奇数"),
            (case(&|i| i.algorithm_version = 9), "版本 9"),
            (case(&|i| i.pool.push(member("P0", &[]))), "「P0」重复"),
            (
                case(&|i| {
                    i.excluded
                        .push(Exclusion::new("X", ExclusionKind::Recusal, "回避"))
                }),
                "「X」不在",
            ),
            (
                case(&|i| {
                    i.quotas.push(Quota {
                        tag: String::new(),
                        min: 0,
                        max: 1,
                    })
                }),
                "没有指定类别",
            ),
            (
                case(&|i| {
                    i.quotas.push(Quota {
                        tag: "media".into(),
                        min: 2,
                        max: 1,
                    })
                }),
                "「媒体」的上限 1 人小于下限 2 人",
            ),
            (
                case(&|i| i.quotas.push(Quota::at_least("expert", 6))),
                "「专家学者」至少需要 6 人，超过了评议团总人数 5 人",
            ),
            (
                case(&|i| i.panel_size = 11),
                "评议团需要 11 人，但可抽选的只有 9 人",
            ),
            (
                case(&|i| {
                    i.panel_size = 7;
                    i.quotas.push(Quota::at_most("expert", 1));
                }),
                "「专家学者」至多 1 人，而不属于「专家学者」的可抽选成员只有 5 人，凑不满 7 人的评议团",
            ),
            (
                case(&|i| {
                    i.quotas = vec![
                        Quota::at_least("lawyer", 2),
                        Quota::at_least("media", 3),
                        Quota::at_least("expert", 1),
                    ]
                }),
                "各类别下限之和为 6 人",
            ),
        ];
        for (error, needle) in cases {
            assert!(
                error.message_zh().contains(needle),
                "{} ∌ {needle}",
                error.message_zh()
            );
            assert!(!error.message_en().is_empty());
            assert_eq!(error.to_string(), error.message_en());
        }
    }

    /// The lawyers are all government staff: "≥ 2 lawyers" and "≤ 1 government"
    /// each look fine alone, and the solver names exactly those two.
    #[test]
    fn a_combination_conflict_names_a_minimal_set() {
        let mut pool: Vec<PoolMember> = (0..3)
            .map(|i| member(&format!("L{i}"), &["lawyer", "government"]))
            .collect();
        pool.extend((0..8).map(|i| member(&format!("E{i}"), &["expert"])));
        let quotas = vec![
            Quota::at_least("lawyer", 2),
            Quota::at_most("government", 1),
            Quota::at_least("expert", 1),
        ];
        let error =
            check_feasibility(&input_of(pool, 5, quotas, Vec::new())).expect_err("conflict");
        let Infeasible::QuotaConflict { quotas, .. } = &error else {
            panic!("{error:?}");
        };
        let tags: Vec<&str> = quotas.iter().map(|q| q.tag.as_str()).collect();
        assert_eq!(tags, vec!["government", "lawyer"]);
        assert!(
            error.message_zh().contains("「律师」至少 2 人"),
            "{}",
            error.message_zh()
        );
        assert!(error.message_zh().contains("「政府机关」至多 1 人"));
        assert!(error.message_en().contains("“lawyer” at least 2"));
    }

    #[test]
    fn members_no_panel_can_hold_get_zero_and_are_never_drawn() {
        let mut input = demo_input();
        input.quotas.push(Quota::at_most("media", 0));
        let p = portfolio(&input).expect("feasible");
        let media: Vec<String> = input
            .pool
            .iter()
            .filter(|m| m.has_tag("media"))
            .map(|m| m.id.clone())
            .collect();
        assert_eq!(p.unseatable, media);
        assert!(
            p.probabilities
                .iter()
                .filter(|(id, _)| media.contains(id))
                .all(|(_, q)| *q == 0.0)
        );
        assert!(
            p.optimum > 0.07,
            "the optimum is over the seatable: {}",
            p.optimum
        );
    }

    // ----- reproducibility and verification

    #[test]
    fn order_carries_no_meaning() {
        let input = demo_input();
        let mut shuffled = input.clone();
        shuffled.pool.reverse();
        for m in &mut shuffled.pool {
            m.categories.reverse();
        }
        shuffled.quotas.reverse();
        shuffled.excluded.reverse();
        assert_eq!(input_hash(&input), input_hash(&shuffled));
        let seed = [7; 32];
        assert_eq!(draw(&input, seed), draw(&shuffled, seed));
    }

    #[test]
    fn verification_says_match_and_detects_tampering() {
        let input = demo_input();
        let values = strings(&["4", "2", "19"]);
        let recorded = draw(&input, seed_from(&input_hash(&input), &values)).expect("feasible");
        let verdict = verify_draw(&input, &values, &recorded);
        assert_eq!((verdict.label_zh(), verdict.label_en()), ("一致", "match"));

        let other_values = strings(&["4", "2", "18"]);
        let Verdict::Mismatch(found) = verify_draw(&input, &other_values, &recorded) else {
            panic!("a different die must not verify");
        };
        assert!(matches!(found[0], Mismatch::Seed { .. }));

        let mut forged = recorded.clone();
        forged.seated[0] = "M031".to_owned();
        let verdict = verify_draw(&input, &values, &forged);
        assert_eq!(verdict.label_zh(), "不一致");
        assert!(
            matches!(&verdict, Verdict::Mismatch(f) if matches!(f[0], Mismatch::Seated { .. }))
        );
    }

    // ----- alternates

    #[test]
    fn promotion_keeps_the_lawyer_seat_filled() {
        let input = demo_input();
        let seated = strings(&["M019", "M001", "M031", "M046", "M047", "M048", "M081"]);
        assert!(satisfies_quotas(&input, &seated));
        let result = DrawResult {
            algorithm_version: 1,
            input_hash: input_hash(&input),
            seed: String::new(),
            seated: seated.clone(),
            alternates: strings(&["M049", "M020", "M050"]),
        };
        // The only lawyer leaves: M049 would break "≥ 1 lawyer", so M020 comes in.
        assert_eq!(
            promote_alternate(&input, &result, &seated, "M019", &[]),
            Some("M020".to_owned())
        );
        // A grassroots member leaves: the first alternate fits.
        assert_eq!(
            promote_alternate(&input, &result, &seated, "M046", &[]),
            Some("M049".to_owned())
        );
        // M049 declined earlier and M020 is away: no one keeps the quota.
        let away = strings(&["M049", "M020"]);
        assert_eq!(
            promote_alternate(&input, &result, &seated, "M019", &away),
            None
        );
        // Only a seated member can leave.
        assert_eq!(
            promote_alternate(&input, &result, &seated, "M050", &[]),
            None
        );
        // An alternate already promoted is not promoted twice.
        let mut now = seated.clone();
        now[3] = "M049".to_owned();
        assert_eq!(
            promote_alternate(&input, &result, &now, "M047", &[]),
            Some("M020".to_owned())
        );
        // Nor is one who left after being promoted.
        let left = strings(&["M020"]);
        assert_eq!(
            promote_alternate(&input, &result, &now, "M047", &left),
            Some("M050".to_owned())
        );
    }

    // ----- simplex

    #[test]
    fn simplex_solves_a_textbook_lp_with_its_duals() {
        // max 3x + 5y : x ≤ 4, 2y ≤ 12, 3x + 2y ≤ 18  →  36 at (2, 6), duals (0, 3/2, 1).
        let a = vec![vec![1.0, 0.0], vec![0.0, 2.0], vec![3.0, 2.0]];
        let s = simplex_max(&a, &[4.0, 12.0, 18.0], &[3.0, 5.0]).expect("bounded");
        assert!((s.objective - 36.0).abs() < 1e-9);
        assert!((s.values[0] - 2.0).abs() < 1e-9 && (s.values[1] - 6.0).abs() < 1e-9);
        let expected = [0.0, 1.5, 1.0];
        assert!(
            s.duals
                .iter()
                .zip(expected)
                .all(|(d, e)| (d - e).abs() < 1e-9),
            "{:?}",
            s.duals
        );
    }

    /// Beale's example cycles forever under Dantzig's largest-coefficient rule;
    /// Bland's rule must terminate at the optimum 1/20.
    #[test]
    fn simplex_does_not_cycle_on_beales_example() {
        let a = vec![
            vec![0.25, -60.0, -0.04, 9.0],
            vec![0.5, -90.0, -0.02, 3.0],
            vec![0.0, 0.0, 1.0, 0.0],
        ];
        let s = simplex_max(&a, &[0.0, 0.0, 1.0], &[0.75, -150.0, 0.02, -6.0]).expect("bounded");
        assert!((s.objective - 0.05).abs() < 1e-9, "{}", s.objective);
    }

    #[test]
    fn simplex_reports_unbounded() {
        let a = vec![vec![1.0, -1.0]];
        assert_eq!(
            simplex_max(&a, &[1.0], &[1.0, 1.0]).map(|s| s.objective),
            Err(LpFailure::Unbounded)
        );
    }

    #[test]
    fn stream_is_roughly_uniform() {
        let mut stream = Stream::new([1; 32]);
        let mut counts = [0usize; 6];
        for _ in 0..6000 {
            counts[stream.below(6)] += 1;
        }
        // 1000 expected each; 5 standard deviations is ±145.
        assert!(
            counts.iter().all(|&c| (855..=1145).contains(&c)),
            "{counts:?}"
        );
        assert!((0..1000).all(|_| (0.0..1.0).contains(&stream.unit())));
    }

    // ----- the measured fairness

    /// Fewer draws than the acceptance run, so a looser bound on the single
    /// lowest member (its standard error is ~8% of p at 2,000 draws), and a tight
    /// one on each member type's pooled frequency, which catches a biased sampler.
    #[test]
    fn two_thousand_draws_track_the_maximin_lottery() {
        let input = demo_input();
        let report = measure(2000).expect("feasible");
        assert!(report.proven_optimal);
        assert!((report.exact_lowest - report.maximin_optimum).abs() < 1e-9);
        assert!(report.ratio >= 0.7, "{report}");
        assert!(report.max_abs_deviation < 0.03, "{report}");

        let prepared = prepare(&input).expect("feasible");
        let mut seats_by_type = vec![0usize; prepared.portfolio.types.len()];
        for i in 0..2000 {
            let result = prepared.draw(seed_from(prepared.input_hash(), &[format!("measure:{i}")]));
            for (t, ty) in prepared.portfolio.types.iter().enumerate() {
                seats_by_type[t] += result
                    .seated
                    .iter()
                    .filter(|id| ty.members.contains(id))
                    .count();
            }
        }
        for (t, ty) in prepared.portfolio.types.iter().enumerate() {
            let expected: f64 = prepared
                .portfolio
                .shapes
                .iter()
                .map(|s| s.probability * f64::from(s.seats[t]))
                .sum();
            let mean = seats_by_type[t] as f64 / 2000.0;
            // Seats per draw lie in 0..=7, so the standard error is at most 7/√2000 ≈ 0.157;
            // 4 · 0.157 bounds it with room while still failing a biased sampler.
            assert!(
                (mean - expected).abs() < 0.2,
                "{:?}: {mean} vs {expected}",
                ty.tags
            );
        }
    }

    /// The acceptance run. `cargo test --release -- --ignored ten_thousand --nocapture`
    #[test]
    #[ignore]
    fn ten_thousand_draws_reach_ninety_percent_of_maximin() {
        let report = measure(10_000).expect("feasible");
        println!("{report}");
        assert!(report.ratio >= 0.9, "{report}");
    }

    // ----- properties

    fn build_input(
        members: &[(u8, bool)],
        k: u32,
        alternates: u32,
        quotas: &[Option<(u32, u32)>],
    ) -> DrawInput {
        let id = |i: usize| format!("P{i:02}");
        let pool = members
            .iter()
            .enumerate()
            .map(|(i, (mask, _))| PoolMember {
                id: id(i),
                name: format!("成员{i}"),
                categories: TAGS
                    .iter()
                    .enumerate()
                    .filter(|(bit, _)| mask & (1 << bit) != 0)
                    .map(|(_, t)| (*t).to_owned())
                    .collect(),
                district: DISTRICTS[i % DISTRICTS.len()].to_owned(),
            })
            .collect();
        let excluded = members
            .iter()
            .enumerate()
            .filter(|(_, (_, out))| *out)
            .map(|(i, _)| Exclusion::new(&id(i), ExclusionKind::Recusal, "回避"))
            .collect();
        let quotas = quotas
            .iter()
            .zip(TAGS)
            .filter_map(|(q, tag)| {
                q.map(|(min, extra)| Quota {
                    tag: tag.to_owned(),
                    min,
                    max: min + extra,
                })
            })
            .collect();
        DrawInput {
            algorithm_version: ALGORITHM_VERSION,
            input_format: INPUT_FORMAT,
            pool,
            panel_size: k,
            alternates,
            quotas,
            excluded,
        }
    }

    fn arb_input(
        members: std::ops::Range<usize>,
        sizes: Vec<u32>,
    ) -> impl Strategy<Value = DrawInput> {
        arb_input_with(members, sizes, 0.5, 0..3, 0..6)
    }

    /// Random small pools over four tags; each tag has a quota with probability
    /// `chance`, and `mins` and `slack` (max − min) shape it: many tight quotas
    /// make the LP choose among many shapes.
    fn arb_input_with(
        members: std::ops::Range<usize>,
        sizes: Vec<u32>,
        chance: f64,
        mins: std::ops::Range<u32>,
        slack: std::ops::Range<u32>,
    ) -> impl Strategy<Value = DrawInput> {
        (
            prop::collection::vec((0u8..16, prop::bool::weighted(0.15)), members),
            prop::sample::select(sizes),
            0u32..4,
            prop::collection::vec(prop::option::weighted(chance, (mins, slack)), TAGS.len()),
        )
            .prop_map(|(members, k, alternates, quotas)| {
                build_input(&members, k, alternates, &quotas)
            })
    }

    fn named_tags(error: &Infeasible) -> Vec<String> {
        match error {
            Infeasible::QuotaMaxBelowMin { tag, .. }
            | Infeasible::QuotaMinAbovePanel { tag, .. }
            | Infeasible::NotEnoughForQuota { tag, .. }
            | Infeasible::QuotaMaxTooTight { tag, .. } => vec![tag.clone()],
            Infeasible::SumOfMinsExceedsPanel { quotas, .. }
            | Infeasible::QuotaConflict { quotas, .. } => {
                quotas.iter().map(|q| q.tag.clone()).collect()
            }
            _ => Vec::new(),
        }
    }

    /// One semantic change per index; each must change the hash.
    fn mutate(input: &mut DrawInput, which: usize) {
        let excluded = input
            .excluded_ids()
            .into_iter()
            .map(str::to_owned)
            .collect::<BTreeSet<_>>();
        let free = input
            .pool
            .iter()
            .find(|m| !excluded.contains(&m.id))
            .map(|m| m.id.clone());
        match which {
            0 => input.panel_size += 2,
            1 => input.alternates += 1,
            2 => match free {
                Some(id) => {
                    input
                        .excluded
                        .push(Exclusion::new(&id, ExclusionKind::Recusal, "申请回避"))
                }
                None => input.excluded[0].kind = ExclusionKind::Other,
            },
            3 => {
                if input.excluded.is_empty() {
                    let id = input.pool[0].id.clone();
                    input.excluded.push(Exclusion::new(
                        &id,
                        ExclusionKind::Unavailable,
                        "无法出席",
                    ));
                } else {
                    input.excluded.remove(0);
                }
            }
            4 => match input.excluded.first_mut() {
                Some(e) if e.kind == ExclusionKind::Busy => e.kind = ExclusionKind::Rested,
                Some(e) => e.kind = ExclusionKind::Busy,
                None => {
                    input
                        .excluded
                        .push(Exclusion::new(&input.pool[0].id, ExclusionKind::Busy, ""))
                }
            },
            5 => input.pool[0].categories.push("media".to_owned()),
            6 => match input.quotas.first_mut() {
                Some(q) => q.max += 1,
                None => input.quotas.push(Quota::at_least("lawyer", 0)),
            },
            7 => input.input_format += 1,
            _ => input.algorithm_version += 1,
        }
    }

    /// Member-level maximin by brute force: every feasible panel is a row.
    fn brute_force_maximin(input: &DrawInput) -> f64 {
        let panels = feasible_panels(input);
        let seatable: Vec<String> = panels
            .iter()
            .flatten()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let a: Vec<Vec<f64>> = panels
            .iter()
            .map(|p| {
                seatable
                    .iter()
                    .map(|id| if p.contains(id) { 1.0 } else { 0.0 })
                    .collect()
            })
            .collect();
        let lp =
            simplex_max(&a, &vec![1.0; panels.len()], &vec![1.0; seatable.len()]).expect("bounded");
        1.0 / lp.objective
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn feasibility_is_exact_and_every_draw_keeps_the_quotas(
            input in arb_input(4..14, vec![3, 5, 7]),
            seed in any::<[u8; 32]>(),
        ) {
            let possible = !feasible_panels(&input).is_empty();
            match check_feasibility(&input) {
                Ok(()) => {
                    prop_assert!(possible, "said feasible but no panel exists");
                    let result = draw(&input, seed).expect("feasible input draws");
                    assert_valid_draw(&input, &result);
                }
                Err(error) => {
                    prop_assert!(!possible, "said infeasible: {}", error.message_zh());
                    prop_assert_eq!(draw(&input, seed), Err(error.clone()));
                    for tag in named_tags(&error) {
                        prop_assert!(error.message_zh().contains(tag_label_zh(&tag)));
                        prop_assert!(error.message_en().contains(tag_label_en(&tag)));
                    }
                }
            }
        }

        #[test]
        fn same_inputs_give_the_same_panel(input in arb_input(6..14, vec![3, 5]), seed in any::<[u8; 32]>()) {
            let mut reordered = input.clone();
            reordered.pool.reverse();
            for m in &mut reordered.pool {
                m.categories.reverse();
            }
            reordered.quotas.reverse();
            let first = draw(&input, seed);
            prop_assert_eq!(&first, &draw(&input, seed));
            prop_assert_eq!(&first, &draw(&reordered, seed));
        }

        #[test]
        fn an_unmeetable_quota_is_named_before_drawing(
            input in arb_input(6..14, vec![3, 5]),
            pick in 0usize..4,
        ) {
            prop_assume!(check_feasibility(&input).is_ok());
            let mut broken = input.clone();
            if broken.quotas.is_empty() {
                broken.quotas.push(Quota::at_least(TAGS[pick], 0));
            }
            let index = pick % broken.quotas.len();
            let tag = broken.quotas[index].tag.clone();
            let available = eligible_members(&broken).iter().filter(|m| m.has_tag(&tag)).count() as u32;
            let quota = &mut broken.quotas[index];
            quota.min = available + 1;
            quota.max = quota.max.max(quota.min);
            let error = check_feasibility(&broken).expect_err("one more than available");
            prop_assert!(matches!(error, Infeasible::NotEnoughForQuota { .. } | Infeasible::QuotaMinAbovePanel { .. }), "{:?}", error);
            let quoted = format!("「{}」", tag_label_zh(&tag));
            prop_assert!(error.message_zh().contains(&quoted), "{}", error.message_zh());
            prop_assert!(error.message_en().contains(tag_label_en(&tag)));
            prop_assert_eq!(draw(&broken, [0; 32]), Err(error));
        }

        #[test]
        fn any_change_to_inputs_or_seed_is_a_mismatch(
            input in arb_input(4..12, vec![3, 5]),
            which in 0usize..9,
            value in 0u32..1000,
        ) {
            let values = vec![value.to_string()];
            let recorded = draw(&input, seed_from(&input_hash(&input), &values)).unwrap_or_else(|_| DrawResult {
                algorithm_version: input.algorithm_version,
                input_hash: input_hash(&input),
                seed: hex::encode(seed_from(&input_hash(&input), &values)),
                seated: Vec::new(),
                alternates: Vec::new(),
            });
            if check_feasibility(&input).is_ok() {
                prop_assert!(verify_draw(&input, &values, &recorded).is_match());
            }
            // What is personal (names, districts, the words of a reason) is not
            // published, so it is not in the hash either: the record can be
            // re-run from its public copy.
            let mut personal = input.clone();
            personal.pool[0].name.push('·');
            personal.pool[0].district.push('东');
            if let Some(e) = personal.excluded.first_mut() {
                e.reason.push('。');
            }
            prop_assert_eq!(input_hash(&input), input_hash(&personal));
            let mut changed = input.clone();
            mutate(&mut changed, which);
            prop_assert_ne!(input_hash(&input), input_hash(&changed));
            let verdict = verify_draw(&changed, &values, &recorded);
            prop_assert!(
                matches!(&verdict, Verdict::Mismatch(found) if found.iter().any(|m| matches!(m, Mismatch::InputHash { .. }))),
                "{:?}", verdict
            );
            let other = vec![(value + 1).to_string()];
            let verdict = verify_draw(&input, &other, &recorded);
            prop_assert!(
                matches!(&verdict, Verdict::Mismatch(found) if found.iter().any(|m| matches!(m, Mismatch::Seed { .. }))),
                "{:?}", verdict
            );
        }

        #[test]
        fn the_type_lp_equals_the_member_lp(input in arb_input_with(5..11, vec![3, 5], 0.7, 0..3, 0..3)) {
            let Ok(p) = portfolio(&input) else {
                return Ok(());
            };
            prop_assert!(p.proven_optimal);
            let brute = brute_force_maximin(&input);
            prop_assert!((p.optimum - brute).abs() < 1e-7, "types {} vs members {}", p.optimum, brute);
            let lowest = p.probabilities.iter()
                .filter(|(id, _)| !p.unseatable.contains(id))
                .map(|(_, q)| *q)
                .fold(1.0, f64::min);
            prop_assert!(lowest >= p.optimum - 1e-7);
            let total: f64 = p.probabilities.iter().map(|(_, q)| q).sum();
            prop_assert!((total - f64::from(input.panel_size)).abs() < 1e-7);
            // Certificate checked on every feasible panel, independently of pricing.
            let types: BTreeMap<&str, usize> = p.types.iter().enumerate()
                .flat_map(|(t, ty)| ty.members.iter().map(move |id| (id.as_str(), t)))
                .collect();
            for panel in feasible_panels(&input) {
                let weight: f64 = panel.iter().map(|id| p.dual_weights[types[id.as_str()]]).sum();
                prop_assert!(weight <= 1.0 + 1e-7, "{:?} {}", panel, weight);
            }
        }

        #[test]
        fn promotion_keeps_every_quota(input in arb_input(6..14, vec![3, 5]), seed in any::<[u8; 32]>()) {
            let Ok(result) = draw(&input, seed) else {
                return Ok(());
            };
            for leaving in &result.seated {
                let promoted = promote_alternate(&input, &result, &result.seated, leaving, &[]);
                let staying: Vec<String> = result.seated.iter().filter(|s| *s != leaving).cloned().collect();
                let fits = |a: &String| {
                    let mut panel = staying.clone();
                    panel.push(a.clone());
                    satisfies_quotas(&input, &panel)
                };
                match promoted {
                    Some(a) => {
                        prop_assert!(result.alternates.contains(&a));
                        prop_assert!(fits(&a));
                        let rank = result.alternates.iter().position(|x| *x == a).unwrap_or(usize::MAX);
                        prop_assert!(result.alternates[..rank].iter().all(|x| !fits(x)), "first fitting one");
                    }
                    None => prop_assert!(result.alternates.iter().all(|a| !fits(a))),
                }
            }
        }
    }

    // ----- heavier configurations

    /// "At most one per street or town" over Haining's 12 districts, on top of
    /// the demo quotas: 15 quotas over 43 member types. The type order keeps one
    /// district open at a time, so this stays fast (~0.2 s in debug).
    #[test]
    fn per_district_caps_stay_tractable() {
        let mut input = demo_input();
        for m in &mut input.pool {
            let tag = format!("district:{}", m.district);
            m.categories.push(tag);
        }
        input.quotas.extend(
            DISTRICTS
                .iter()
                .map(|d| Quota::at_most(&format!("district:{d}"), 1)),
        );
        let p = portfolio(&input).expect("feasible");
        assert!(p.proven_optimal);
        assert!((p.optimum - 1.0 / 14.0).abs() < 1e-9, "{}", p.optimum);
        let result = draw(&input, [5; 32]).expect("feasible");
        assert_valid_draw(&input, &result);
    }

    /// Members carrying many random tags with a cap on every tag: the exact
    /// search would explode, so it stops early with a clear explanation.
    #[test]
    fn tangled_quotas_are_refused_quickly() {
        let tags = [
            "deputy",
            "cppcc",
            "lawyer",
            "expert",
            "grassroots",
            "media",
            "social_org",
            "government",
        ];
        let mut stream = Stream::new([9; 32]);
        let pool = (0..100)
            .map(|i| PoolMember {
                id: format!("R{i:03}"),
                name: format!("成员{i}"),
                categories: tags
                    .iter()
                    .filter(|_| stream.below(10) < 3)
                    .map(|t| (*t).to_owned())
                    .collect(),
                district: String::new(),
            })
            .collect();
        let quotas = (0..tags.len() as u32)
            .map(|i| Quota {
                tag: tags[i as usize].to_owned(),
                min: 1 + i % 3,
                max: 4 + i % 5,
            })
            .collect();
        let input = DrawInput {
            panel_size: 15,
            ..input_of(pool, 15, quotas, Vec::new())
        };
        let error = portfolio(&input).expect_err("too complex");
        assert!(
            matches!(error, Infeasible::TooComplex { quotas: 8, .. }),
            "{error:?}"
        );
        assert!(error.message_zh().contains("配额组合过于复杂"));
    }
}
