//! The hearing event log (听证事件日志): what happened, in order, never rewritten.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What happened in a hearing. Serialized with a `type` tag; the JSON form is the
/// stored form and the wire form (docs/live-protocol.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventPayload {
    /// 笔录 a line of the hearing record, typed by the clerk.
    RecordEntered {
        author: String,
        text: String,
        /// Who said it: the speaker on the floor when it was entered, unless
        /// the clerk entered it as a note of the proceedings (none then, and in
        /// lines from before speakers were recorded, whose hashes stay as
        /// they were).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        speaker: Option<crate::domain::sitting::Speaker>,
    },
    /// 改期 / 延期 / 取消: the hearing's plan changed; everyone in the room is told.
    PlanChanged {
        change: crate::domain::schedule::ScheduleChange,
        version: i64,
        status: crate::domain::schedule::HearingStatus,
        starts_at_ms: i64,
        duration_min: u32,
        place: String,
        reason: Option<String>,
    },
    /// 抽选承诺: the draw's input is frozen and its hash published, before any
    /// public value exists (docs/SORTITION.md §2).
    DrawCommitted {
        draw_id: String,
        input_hash: String,
        pool_size: u32,
        excluded: u32,
    },
    /// A committed draw was set aside before its public values (e.g. a wrong
    /// exclusion); the reason is published.
    DrawVoided { draw_id: String, reason: String },
    /// 抽选结果: the public values revealed, the seed, the panel and its ranked alternates.
    PanelDrawn {
        draw_id: String,
        input_hash: String,
        public_values: Vec<String>,
        seed: String,
        seated: Vec<crate::domain::pool::SeatHolder>,
        alternates: Vec<crate::domain::pool::SeatHolder>,
    },
    /// A seated member accepted or declined (谢绝) the seat; `recorded_by` names
    /// the staff member who recorded an answer given by phone.
    SeatAnswered {
        member_id: String,
        name: String,
        accepted: bool,
        reason: Option<String>,
        recorded_by: Option<String>,
    },
    /// 回避: the host granted a recusal of a seated member, with the reason.
    MemberRecused {
        member_id: String,
        name: String,
        reason: String,
        decided_by: String,
    },
    /// 候补递补: the next suitable alternate takes the seat of `replaces`.
    AlternatePromoted {
        holder: crate::domain::pool::SeatHolder,
        replaces: String,
    },
    /// No alternate left could keep the quotas: the seat of `replaces` stays empty.
    SeatLeftVacant { replaces: String },
    /// 当庭展示: an exhibit is put on every screen in the room, with its number and hash.
    ExhibitShown {
        exhibit: crate::domain::room::ShownExhibit,
        shown_by: String,
    },
    /// The shown exhibit is taken off the screens.
    ExhibitCleared { cleared_by: String },
    /// The host moved the procedure (开始、下一环节、回到、暂停、休会、继续、闭会);
    /// `to` is the state it led to, checked by [`Procedure::apply`] before commit.
    ProcedureStepped {
        step: crate::domain::procedure::Step,
        to: crate::domain::procedure::Procedure,
        by: String,
    },
    /// 签到: a participant's presence, marked online by themselves or by the clerk.
    AttendanceMarked {
        name: String,
        /// The marked person's account, when known (absent in older logs).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account: Option<String>,
        part: crate::domain::sitting::Part,
        presence: crate::domain::sitting::Presence,
        by: String,
    },
    /// The host gives the floor to `speaker` for `seconds` (ends any open turn).
    FloorGiven {
        speaker: String,
        part: crate::domain::sitting::Part,
        seconds: u32,
        by: String,
    },
    /// The turn on the floor ends.
    FloorEnded { by: String },
    /// 评议: a message in the closed deliberation, for the panel and the host only.
    DeliberationMessage { author: String, text: String },
    /// 更正: the clerk corrects a line of the record; the earlier text stays in
    /// the line's history.
    RecordCorrected {
        line_seq: u64,
        text: String,
        by: String,
    },
    /// The shown exhibit (a PDF) is turned to `page` on every screen.
    ExhibitPageTurned { page: u32, by: String },
    /// 表决事项: a question put to the panel, defined or changed before it opens.
    BallotDrafted {
        spec: crate::domain::ballot::BallotSpec,
        by: String,
    },
    /// 开始表决: the definition is frozen with the seated members and how many
    /// were present (quorum checked before commit).
    BallotOpened {
        ballot_id: String,
        voters: Vec<crate::domain::ballot::Voter>,
        present: u32,
        by: String,
    },
    /// 投票: a member's vote; their last one counts. `sealed` votes never leave the
    /// server (secret mode, or named without a live tally until the close).
    VoteCast {
        ballot_id: String,
        voter: String,
        option: usize,
        key: String,
        sealed: bool,
        proxy: Option<crate::domain::ballot::ProxyEntry>,
        /// Server-made random value, hashed with the event and never sent where the
        /// event is redacted: without it, the neighbouring events' hashes would let
        /// a reader test guesses of the hidden fields (and a voter prove a choice).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        salt: String,
    },
    /// A vote as a reader who may not see its choice receives it: who voted, not
    /// how. Never stored; made by [`HearingEvent::seen_by`].
    VoteSealed { ballot_id: String, voter: String },
    /// 评议意见 (少数意见 when `minority`); `anonymous` in a secret ballot, where
    /// the author is known to the server only.
    OpinionGiven {
        ballot_id: String,
        opinion_id: String,
        voter_id: String,
        name: String,
        text: String,
        minority: bool,
        anonymous: bool,
        /// Server-made random value, hashed with the event and never sent where the
        /// event is redacted: without it, the neighbouring events' hashes would let
        /// a reader test guesses of the hidden fields (and a voter prove a choice).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        salt: String,
    },
    /// 表决结束: the result by the one tally; each member's vote in named mode.
    BallotClosed {
        ballot_id: String,
        result: crate::domain::ballot::Tally,
        named: Vec<crate::domain::ballot::NamedVote>,
        by: String,
        /// Server-made random value, hashed with the event and never sent where the
        /// event is redacted: without it, the neighbouring events' hashes would let
        /// a reader test guesses of the hidden fields (and a voter prove a choice).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        salt: String,
    },
    /// 评议结论: the panel's conclusion as the host records it for the minutes
    /// (a later one replaces it until the minutes are finalised).
    ConclusionRecorded {
        text: String,
        by: String,
        /// Recorded after 宣布评议意见: the parties and the public read it at
        /// once (before, it is the panel's draft and reaches them withheld).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        announced: bool,
    },
    /// 确认: a member of the panel or the host confirms the minutes as they stand
    /// at this seq; any later change to the record asks for a new confirmation.
    MinutesConfirmed {
        account_id: String,
        name: String,
        part: crate::domain::sitting::Part,
    },
    /// 定稿: the host finalised the minutes; `sha256` is the signed PDF's, so the
    /// log pins the document and nothing may be added after this event.
    MinutesFinalised {
        sha256: String,
        chain_head: String,
        by: String,
    },
    /// 宣布评议意见: as the host moves to the announcement, the results of the
    /// ballots closed in the closed session, as parties and the public may now
    /// read them (the question, how it was put, turnout, counts and outcome;
    /// never who chose what, never opinions). Until this event everything of a
    /// ballot reaches them withheld.
    ResultsAnnounced {
        ballots: Vec<crate::domain::ballot::AnnouncedBallot>,
        by: String,
        /// The panel's conclusion as recorded when it was announced (absent
        /// when none was recorded yet, and in logs written before this field).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conclusion: Option<String>,
    },
    /// What a receiver may not see (the closed deliberation): the seq is kept so
    /// that the log has no gap. Never stored; made by [`HearingEvent::seen_by`].
    Withheld,
}

impl EventPayload {
    /// Whether this event may change who may watch the room or see the closed
    /// deliberation (a seat taken or left; the plan's host, clerk or publicity):
    /// every open socket re-checks its access after it, on every instance.
    pub fn changes_access(&self) -> bool {
        matches!(
            self,
            EventPayload::PlanChanged { .. }
                | EventPayload::PanelDrawn { .. }
                | EventPayload::SeatAnswered { .. }
                | EventPayload::MemberRecused { .. }
                | EventPayload::AlternatePromoted { .. }
                | EventPayload::SeatLeftVacant { .. }
        )
    }

    /// Who may receive this event's content.
    /// `Panel` when the panel's view of the event differs from the public's.
    pub fn audience(&self) -> crate::domain::sitting::Audience {
        match self {
            EventPayload::DeliberationMessage { .. }
            | EventPayload::ConclusionRecorded {
                announced: false, ..
            }
            | EventPayload::BallotDrafted { .. }
            | EventPayload::BallotOpened { .. }
            | EventPayload::VoteCast { .. }
            | EventPayload::OpinionGiven { .. }
            | EventPayload::BallotClosed { .. } => crate::domain::sitting::Audience::Panel,
            _ => crate::domain::sitting::Audience::Everyone,
        }
    }
}

/// An event as committed: its place in the hearing's log and its hash-chain link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HearingEvent {
    pub hearing_id: String,
    /// 1, 2, 3 … per hearing, without gaps.
    pub seq: u64,
    /// Commit time, milliseconds since the Unix epoch (UTC).
    pub at_ms: i64,
    pub payload: EventPayload,
    /// Hex SHA-256 over the previous hash and this event (see [`ChainHash::next`]).
    pub hash: String,
}

impl HearingEvent {
    /// The event as a receiver sees it: whole, or withheld (with its seq) when its
    /// content is for the panel and `sees_panel` is false.
    ///
    /// Readers outside the panel (parties, the public, staff who are not this
    /// hearing's host or clerk) get nothing of a ballot — its question, its
    /// opening, who voted, opinions, the close and its result — and nothing of
    /// the deliberation or the draft conclusion: a ballot's result reaches them
    /// only with [`EventPayload::ResultsAnnounced`] at 宣布评议意见.
    ///
    /// Inside the panel: a sealed vote reaches everyone as
    /// [`EventPayload::VoteSealed`] (who, not how), the host included; an
    /// unsealed one (named mode with a live tally) reaches the panel whole; a
    /// secret ballot's opinions lose their author.
    pub fn seen_by(&self, sees_panel: bool) -> std::borrow::Cow<'_, HearingEvent> {
        use std::borrow::Cow;
        let redacted = match &self.payload {
            // The conclusion is drafted in the closed deliberation; the parties
            // and the public read it from 宣布评议意见 on (`ResultsAnnounced`
            // carries it, and one recorded afterwards is `announced`).
            EventPayload::DeliberationMessage { .. }
            | EventPayload::ConclusionRecorded {
                announced: false, ..
            }
            | EventPayload::BallotDrafted { .. }
            | EventPayload::BallotOpened { .. }
            | EventPayload::VoteCast { .. }
            | EventPayload::OpinionGiven { .. }
            | EventPayload::BallotClosed { .. }
                if !sees_panel =>
            {
                EventPayload::Withheld
            }
            EventPayload::VoteCast {
                ballot_id,
                voter,
                sealed: true,
                ..
            } => EventPayload::VoteSealed {
                ballot_id: ballot_id.clone(),
                voter: voter.clone(),
            },
            EventPayload::OpinionGiven {
                ballot_id,
                opinion_id,
                text,
                minority,
                anonymous: true,
                ..
            } => EventPayload::OpinionGiven {
                ballot_id: ballot_id.clone(),
                opinion_id: opinion_id.clone(),
                voter_id: String::new(),
                name: String::new(),
                text: text.clone(),
                minority: *minority,
                anonymous: true,
                salt: String::new(),
            },
            _ => return Cow::Borrowed(self),
        };
        Cow::Owned(HearingEvent {
            payload: redacted,
            // The hash would let a receiver test guesses of the content: not sent.
            hash: String::new(),
            ..self.clone()
        })
    }
}

/// The hash chain over a hearing's log: each link commits to everything before it,
/// so the head printed in the minutes pins the whole record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainHash([u8; 32]);

impl ChainHash {
    /// The link before the first event of every hearing.
    pub const GENESIS: ChainHash = ChainHash([0; 32]);

    pub fn from_hex(hex_str: &str) -> Option<Self> {
        let bytes = hex::decode(hex_str).ok()?;
        Some(ChainHash(bytes.try_into().ok()?))
    }

    pub fn to_hex(self) -> String {
        hex::encode(self.0)
    }

    /// The next link. Every field that gives the event its meaning is hashed, with
    /// lengths so that no two different events can produce the same input.
    pub fn next(self, hearing_id: &str, seq: u64, at_ms: i64, payload: &EventPayload) -> Self {
        let body = serde_json::to_vec(payload).unwrap_or_default();
        let mut hasher = Sha256::new();
        hasher.update(self.0);
        hasher.update((hearing_id.len() as u64).to_be_bytes());
        hasher.update(hearing_id.as_bytes());
        hasher.update(seq.to_be_bytes());
        hasher.update(at_ms.to_be_bytes());
        hasher.update((body.len() as u64).to_be_bytes());
        hasher.update(&body);
        ChainHash(hasher.finalize().into())
    }
}

/// A validated line of the record: trimmed, not empty, not too long.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordText(String);

/// Why a record line was refused. Shown to the clerk in their language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum RecordTextError {
    #[error("record text is empty")]
    Empty,
    #[error("record text is longer than {max} characters")]
    TooLong { max: usize },
}

impl RecordText {
    /// Longest line the clerk may enter at once; a longer statement is split.
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(raw: &str) -> Result<Self, RecordTextError> {
        let cleaned = clean_text(raw, false);
        let text = cleaned.as_str();
        if text.is_empty() {
            return Err(RecordTextError::Empty);
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(RecordTextError::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        Ok(RecordText(text.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The most events one hearing's log may hold. A real hearing stays far below
/// (a day's sitting with a panel of 15 is a few thousand); the bound keeps one
/// hearing from growing its log, every room's fold and every catch-up without
/// end. An append past it is refused (`log_full`), nothing else changes.
pub const MAX_EVENTS_PER_HEARING: u64 = 50_000;

/// The one cleaning of free text that enters the log (record lines and their
/// corrections, deliberation messages, opinions, reasons, the conclusion):
/// control characters and the invisible format characters that reorder or
/// hide text (bidirectional overrides such as U+202E, zero-width characters,
/// the BOM) are removed, so what the minutes print is what the reader sees.
/// `multiline` keeps line breaks (as `\n`); a tab becomes a space. Trimmed.
pub fn clean_text(raw: &str, multiline: bool) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '\n' if multiline => out.push('\n'),
            '\n' | '\t' => out.push(' '),
            c if c.is_control() || is_invisible_format(c) => {}
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}

/// Zero-width and bidirectional controls: they make text read other than it is.
pub fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}' | '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn free_text_loses_controls_and_bidi_overrides() {
        assert_eq!(
            RecordText::parse("信访人\u{202E}同意\u{202C}调解\u{0007}").map(RecordText::into_inner),
            Ok("信访人同意调解".into())
        );
        assert_eq!(clean_text("甲\r\n乙\t丙\u{200B}", true), "甲\n乙 丙");
        assert_eq!(clean_text("甲\n乙", false), "甲 乙");
        assert_eq!(
            RecordText::parse("\u{202E}\u{200F}"),
            Err(RecordTextError::Empty)
        );
    }

    proptest! {
        #[test]
        fn cleaned_text_never_holds_controls(raw in "\\PC{0,60}|[\u{0}-\u{1F}\u{200B}-\u{202E}\u{2066}-\u{2069}a甲]{0,40}", multiline in any::<bool>()) {
            let text = clean_text(&raw, multiline);
            prop_assert!(!text.chars().any(|c| (c.is_control() && c != '\n') || is_invisible_format(c)));
            prop_assert!(multiline || !text.contains('\n'));
        }
    }

    #[test]
    fn record_text_is_trimmed_and_bounded() {
        assert_eq!(
            RecordText::parse("  有  ").map(RecordText::into_inner),
            Ok("有".into())
        );
        assert_eq!(RecordText::parse(" \n\t "), Err(RecordTextError::Empty));
        let long = "字".repeat(RecordText::MAX_CHARS + 1);
        assert_eq!(
            RecordText::parse(&long),
            Err(RecordTextError::TooLong {
                max: RecordText::MAX_CHARS
            })
        );
        assert!(RecordText::parse(&"字".repeat(RecordText::MAX_CHARS)).is_ok());
    }

    #[test]
    fn chain_hash_depends_on_every_field() {
        let p = EventPayload::RecordEntered {
            author: "记录员".into(),
            text: "开庭".into(),
            speaker: None,
        };
        let base = ChainHash::GENESIS.next("h1", 1, 10, &p);
        assert_ne!(base, ChainHash::GENESIS.next("h2", 1, 10, &p));
        assert_ne!(base, ChainHash::GENESIS.next("h1", 2, 10, &p));
        assert_ne!(base, ChainHash::GENESIS.next("h1", 1, 11, &p));
        let q = EventPayload::RecordEntered {
            author: "记录员".into(),
            text: "开庭。".into(),
            speaker: None,
        };
        assert_ne!(base, ChainHash::GENESIS.next("h1", 1, 10, &q));
        assert_eq!(ChainHash::from_hex(&base.to_hex()), Some(base));
    }
}
