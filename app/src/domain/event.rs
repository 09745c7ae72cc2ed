//! The hearing event log (听证事件日志): what happened, in order, never rewritten.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What happened in a hearing. Serialized with a `type` tag; the JSON form is the
/// stored form and the wire form (docs/live-protocol.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventPayload {
    /// 笔录 a line of the hearing record, typed by the clerk.
    RecordEntered { author: String, text: String },
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
    ConclusionRecorded { text: String, by: String },
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
            | EventPayload::ConclusionRecorded { .. }
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
    /// Votes: a sealed vote reaches everyone as [`EventPayload::VoteSealed`] (who,
    /// not how); an unsealed one (named mode with a live tally) reaches the panel
    /// whole and the public sealed. A secret ballot's opinions lose their author;
    /// the public never reads opinions, nor the named votes of a closed ballot.
    pub fn seen_by(&self, sees_panel: bool) -> std::borrow::Cow<'_, HearingEvent> {
        use std::borrow::Cow;
        let redacted = match &self.payload {
            // The conclusion is drafted in the closed deliberation; the public
            // hears it announced (the record) and reads it in the minutes.
            EventPayload::DeliberationMessage { .. } | EventPayload::ConclusionRecorded { .. }
                if !sees_panel =>
            {
                EventPayload::Withheld
            }
            EventPayload::VoteCast {
                ballot_id,
                voter,
                sealed,
                ..
            } if *sealed || !sees_panel => EventPayload::VoteSealed {
                ballot_id: ballot_id.clone(),
                voter: voter.clone(),
            },
            EventPayload::OpinionGiven { .. } if !sees_panel => EventPayload::Withheld,
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
            EventPayload::BallotClosed {
                ballot_id,
                result,
                named,
                by,
                ..
            } if !sees_panel && !named.is_empty() => EventPayload::BallotClosed {
                ballot_id: ballot_id.clone(),
                result: result.clone(),
                named: Vec::new(),
                by: by.clone(),
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
        let text = raw.trim();
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

#[cfg(test)]
mod tests {
    use super::*;

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
        };
        let base = ChainHash::GENESIS.next("h1", 1, 10, &p);
        assert_ne!(base, ChainHash::GENESIS.next("h2", 1, 10, &p));
        assert_ne!(base, ChainHash::GENESIS.next("h1", 2, 10, &p));
        assert_ne!(base, ChainHash::GENESIS.next("h1", 1, 11, &p));
        let q = EventPayload::RecordEntered {
            author: "记录员".into(),
            text: "开庭。".into(),
        };
        assert_ne!(base, ChainHash::GENESIS.next("h1", 1, 10, &q));
        assert_eq!(ChainHash::from_hex(&base.to_hex()), Some(base));
    }
}
