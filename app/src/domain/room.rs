//! Room state is `fold(events)`: the one function both the server and the browser
//! run to know where a hearing stands.

use super::event::{ChainHash, EventPayload, HearingEvent};
use serde::{Deserialize, Serialize};

/// One line of the live record (笔录) as the room shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordLine {
    pub seq: u64,
    pub at_ms: i64,
    pub author: String,
    /// Who said it (发言人), when the line is attributed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<super::sitting::Speaker>,
    pub text: String,
    /// The stage under way when it was entered (the record is kept per stage).
    #[serde(default)]
    pub stage: Option<super::procedure::Stage>,
    /// Earlier wordings, oldest first, when the line was corrected.
    #[serde(default)]
    pub corrections: Vec<Correction>,
}

/// A wording a correction replaced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub previous: String,
    pub at_ms: i64,
    pub by: String,
}

/// Everything a participant's screen needs to know about the hearing room.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomState {
    /// The last seq applied; the next event must carry `last_seq + 1`.
    pub last_seq: u64,
    pub record: Vec<RecordLine>,
    /// The latest change to the hearing's plan (改期、延期、取消), shown as a notice.
    pub plan_notice: Option<PlanNotice>,
    /// The panel (评议团) as drawn and changed since.
    #[serde(default)]
    pub panel: super::pool::PanelState,
    /// The exhibit on every screen now, if any.
    #[serde(default)]
    pub on_screen: Option<ShownExhibit>,
    /// The page of the shown exhibit (PDF) every screen is on; 1 when shown.
    #[serde(default)]
    pub on_screen_page: u32,
    /// Every exhibit shown live so far, in the order first shown.
    #[serde(default)]
    pub shown: Vec<ShownExhibit>,
    /// 程序: where the hearing stands.
    #[serde(default)]
    pub procedure: super::procedure::Procedure,
    /// Every move of the procedure, with its time (for the minutes).
    #[serde(default)]
    pub procedure_log: Vec<ProcedureChange>,
    /// When 宣布开始 was committed: the hearing has been held from then on
    /// (kept apart from `procedure_log`, which a bounded snapshot shortens).
    #[serde(default)]
    pub opened_at_ms: Option<i64>,
    /// When 闭会 was committed.
    #[serde(default)]
    pub closed_at_ms: Option<i64>,
    /// 签到: the latest mark per person and part.
    #[serde(default)]
    pub attendance: Vec<super::sitting::AttendanceLine>,
    /// Who has the floor now.
    #[serde(default)]
    pub floor: Option<super::sitting::Floor>,
    /// Finished turns on the floor, in order.
    #[serde(default)]
    pub speeches: Vec<super::sitting::SpeakingTurn>,
    /// 评议: the closed deliberation (empty for those who may not see it).
    #[serde(default)]
    pub deliberation: Vec<RecordLine>,
    /// 表决: every question put to the panel, in the order defined.
    #[serde(default)]
    pub ballots: Vec<super::ballot::BallotState>,
    /// 纪要: the conclusion, confirmations and finalisation.
    #[serde(default)]
    pub minutes: super::minutes::MinutesState,
    /// 宣布评议意见 has been made: the closed ballots' results are public.
    #[serde(default)]
    pub results_announced: bool,
    /// Record lines left out of this state before `record[0]` (a bounded
    /// snapshot, [`RoomState::bounded`]); 0 for a whole fold.
    #[serde(default)]
    pub record_omitted: u64,
}

/// One move of the procedure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureChange {
    pub seq: u64,
    pub at_ms: i64,
    pub to: super::procedure::Procedure,
    pub by: String,
}

/// An exhibit as the room shows it: enough to display and check it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownExhibit {
    pub exhibit_id: String,
    /// 申-1, 被-2 …
    pub label: String,
    pub title: String,
    pub sha256: String,
    pub kind: super::evidence::FileKind,
    /// Whose exhibit it is: that side, with the floor, may turn its pages
    /// (absent in older logs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitter: Option<super::evidence::Submitter>,
}

/// A change of plan as the room announces it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanNotice {
    pub seq: u64,
    pub at_ms: i64,
    pub change: super::schedule::ScheduleChange,
    pub status: super::schedule::HearingStatus,
    pub starts_at_ms: i64,
    pub place: String,
    pub reason: Option<String>,
}

/// The plan a step is decided against: now, the start the parties were
/// notified of, and whether the hearing is on the calendar (not postponed or
/// cancelled).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepPlan {
    pub now_ms: i64,
    pub planned_start_ms: i64,
    pub on_calendar: bool,
}

/// Why a line may not enter the record now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordRefused {
    /// 听证尚未开始.
    NotOpened,
    /// 已闭会: the record is complete (a line is corrected, not added).
    Closed,
    /// 评议中: the closed deliberation is not part of the public record.
    ClosedSession,
}

/// An event that cannot follow the state: the caller must fetch what it missed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FoldError {
    #[error("expected event {expected}, got {got}")]
    OutOfOrder { expected: u64, got: u64 },
}

impl RoomState {
    /// Applies the next event. Duplicates (an event already applied, e.g. sent both
    /// in the resume batch and live) are ignored; a gap is an error.
    pub fn apply(&mut self, event: &HearingEvent) -> Result<bool, FoldError> {
        if event.seq <= self.last_seq {
            return Ok(false);
        }
        if event.seq != self.last_seq + 1 {
            return Err(FoldError::OutOfOrder {
                expected: self.last_seq + 1,
                got: event.seq,
            });
        }
        match &event.payload {
            EventPayload::RecordEntered {
                author,
                text,
                speaker,
            } => self.record.push(RecordLine {
                seq: event.seq,
                at_ms: event.at_ms,
                author: author.clone(),
                speaker: speaker.clone(),
                text: text.clone(),
                stage: self.procedure.stage(),
                corrections: Vec::new(),
            }),
            EventPayload::ProcedureStepped { to, by, .. } => {
                self.end_turn(event.at_ms);
                if self.procedure == super::procedure::Procedure::NotStarted {
                    self.opened_at_ms = Some(event.at_ms);
                }
                if *to == super::procedure::Procedure::Closed {
                    self.closed_at_ms = Some(event.at_ms);
                }
                self.procedure = *to;
                // The screens go blank when the room stops sitting in open
                // session (休会, 闭会, the closed deliberation).
                if !self.sitting() || self.in_closed_session() {
                    self.on_screen = None;
                }
                self.procedure_log.push(ProcedureChange {
                    seq: event.seq,
                    at_ms: event.at_ms,
                    to: *to,
                    by: by.clone(),
                });
            }
            EventPayload::AttendanceMarked {
                name,
                account,
                part,
                presence,
                by,
            } => {
                self.attendance
                    .retain(|a| !(a.part == *part && a.is_same_person(name, account.as_deref())));
                self.attendance.push(super::sitting::AttendanceLine {
                    name: name.clone(),
                    account: account.clone(),
                    part: *part,
                    presence: *presence,
                    at_ms: event.at_ms,
                    marked_by: by.clone(),
                });
            }
            EventPayload::FloorGiven {
                speaker,
                part,
                seconds,
                ..
            } => {
                self.end_turn(event.at_ms);
                self.floor = Some(super::sitting::Floor {
                    speaker: speaker.clone(),
                    part: *part,
                    since_ms: event.at_ms,
                    allotted_secs: *seconds,
                    stage: self.procedure.stage(),
                });
            }
            EventPayload::FloorEnded { .. } => self.end_turn(event.at_ms),
            EventPayload::DeliberationMessage { author, text } => {
                self.deliberation.push(RecordLine {
                    seq: event.seq,
                    at_ms: event.at_ms,
                    author: author.clone(),
                    speaker: None,
                    text: text.clone(),
                    stage: self.procedure.stage(),
                    corrections: Vec::new(),
                })
            }
            EventPayload::Withheld => {}
            EventPayload::PlanChanged {
                change,
                status,
                starts_at_ms,
                place,
                reason,
                ..
            } => {
                self.plan_notice = Some(PlanNotice {
                    seq: event.seq,
                    at_ms: event.at_ms,
                    change: *change,
                    status: *status,
                    starts_at_ms: *starts_at_ms,
                    place: place.clone(),
                    reason: reason.clone(),
                })
            }
            EventPayload::ExhibitShown { exhibit, .. } => {
                if !self
                    .shown
                    .iter()
                    .any(|e| e.exhibit_id == exhibit.exhibit_id)
                {
                    self.shown.push(exhibit.clone());
                }
                self.on_screen = Some(exhibit.clone());
                self.on_screen_page = 1;
            }
            EventPayload::ExhibitPageTurned { page, .. } => self.on_screen_page = *page,
            EventPayload::RecordCorrected { line_seq, text, by } => {
                if let Some(line) = self.record.iter_mut().find(|l| l.seq == *line_seq) {
                    let previous = std::mem::replace(&mut line.text, text.clone());
                    line.corrections.push(Correction {
                        previous,
                        at_ms: event.at_ms,
                        by: by.clone(),
                    });
                }
            }
            EventPayload::ExhibitCleared { .. } => self.on_screen = None,
            EventPayload::BallotDrafted { .. }
            | EventPayload::BallotOpened { .. }
            | EventPayload::VoteCast { .. }
            | EventPayload::VoteSealed { .. }
            | EventPayload::OpinionGiven { .. }
            | EventPayload::BallotClosed { .. } => self.apply_ballot(event),
            EventPayload::ResultsAnnounced { ballots, .. } => {
                self.results_announced = true;
                // The panel folded these ballots already; a reader outside it
                // learns of them only now.
                for announced in ballots {
                    if self.ballot(&announced.spec.ballot_id).is_none() {
                        self.ballots.push(announced.to_state());
                    }
                }
            }
            // Only the minutes keep these (below).
            EventPayload::ConclusionRecorded { .. }
            | EventPayload::MinutesConfirmed { .. }
            | EventPayload::MinutesFinalised { .. } => {}
            panel_event => self.panel.apply(panel_event),
        }
        self.minutes.apply(event);
        self.last_seq = event.seq;
        Ok(true)
    }
}

impl RoomState {
    pub fn ballot(&self, ballot_id: &str) -> Option<&super::ballot::BallotState> {
        self.ballots.iter().find(|b| b.spec.ballot_id == ballot_id)
    }

    /// Seated members marked present (online or in the room), for the quorum.
    pub fn present_among(&self, voters: &[super::ballot::Voter]) -> u32 {
        let present = voters
            .iter()
            .filter(|v| {
                self.attendance.iter().any(|a| {
                    a.part == super::sitting::Part::Juror
                        && a.is_same_person(&v.name, Some(&v.voter_id))
                        && a.presence.is_present()
                })
            })
            .count();
        u32::try_from(present).unwrap_or(u32::MAX)
    }

    fn apply_ballot(&mut self, event: &HearingEvent) {
        use super::ballot::{BallotState, BallotStatus, CastVote, Opinion};
        let ballot_id = match &event.payload {
            EventPayload::BallotDrafted { spec, .. } => {
                match self
                    .ballots
                    .iter_mut()
                    .find(|b| b.spec.ballot_id == spec.ballot_id)
                {
                    Some(ballot) => ballot.spec = spec.clone(),
                    None => self.ballots.push(BallotState::new(spec.clone())),
                }
                return;
            }
            EventPayload::BallotOpened { ballot_id, .. }
            | EventPayload::VoteCast { ballot_id, .. }
            | EventPayload::VoteSealed { ballot_id, .. }
            | EventPayload::OpinionGiven { ballot_id, .. }
            | EventPayload::BallotClosed { ballot_id, .. } => ballot_id,
            _ => return,
        };
        let Some(ballot) = self
            .ballots
            .iter_mut()
            .find(|b| &b.spec.ballot_id == ballot_id)
        else {
            return;
        };
        let mark_voted = |ballot: &mut BallotState, voter: &str| {
            if !ballot.voted.iter().any(|v| v == voter) {
                ballot.voted.push(voter.to_owned());
            }
        };
        match &event.payload {
            EventPayload::BallotOpened {
                voters, present, ..
            } => {
                ballot.status = BallotStatus::Open;
                ballot.voters = voters.clone();
                ballot.present = *present;
                ballot.opened_at_ms = Some(event.at_ms);
            }
            EventPayload::VoteCast {
                voter,
                option,
                key,
                proxy,
                ..
            } => {
                ballot.votes.push(CastVote {
                    juror_id: voter.clone(),
                    option: *option,
                    key: key.clone(),
                    seq: event.seq,
                });
                if let Some(proxy) = proxy {
                    ballot.proxies.push((event.seq, proxy.clone()));
                }
                mark_voted(ballot, voter);
            }
            EventPayload::VoteSealed { voter, .. } => mark_voted(ballot, voter),
            EventPayload::OpinionGiven {
                opinion_id,
                voter_id,
                name,
                text,
                minority,
                ..
            } => {
                let opinion = Opinion {
                    opinion_id: opinion_id.clone(),
                    voter_id: voter_id.clone(),
                    name: name.clone(),
                    text: text.clone(),
                    minority: *minority,
                    at_ms: event.at_ms,
                };
                match ballot
                    .opinions
                    .iter_mut()
                    .find(|o| o.opinion_id == *opinion_id)
                {
                    Some(existing) => *existing = opinion,
                    None => ballot.opinions.push(opinion),
                }
            }
            EventPayload::BallotClosed { result, named, .. } => {
                ballot.status = BallotStatus::Closed;
                ballot.result = Some(result.clone());
                ballot.named = named.clone();
                ballot.closed_at_ms = Some(event.at_ms);
            }
            _ => {}
        }
    }

    /// Closes the open turn on the floor, if any, at `at_ms`.
    fn end_turn(&mut self, at_ms: i64) {
        if let Some(floor) = self.floor.take() {
            self.speeches.push(super::sitting::SpeakingTurn {
                speaker: floor.speaker,
                part: floor.part,
                stage: floor.stage,
                from_ms: floor.since_ms,
                to_ms: at_ms,
                allotted_secs: floor.allotted_secs,
            });
        }
    }

    /// 评议中: the hearing stands in the closed stages (deliberation or the vote),
    /// also while paused or adjourned there: nothing public moves, parties and
    /// the public see "评议中" only.
    pub fn in_closed_session(&self) -> bool {
        use super::procedure::Procedure::{Adjourned, Paused, Running};
        matches!(self.procedure, Running { stage } | Paused { stage } | Adjourned { stage } if stage.is_closed_session())
    }

    /// The panel sits in closed session now (not adjourned): it may deliberate
    /// and vote.
    pub fn deliberating(&self) -> bool {
        use super::procedure::Procedure::{Paused, Running};
        matches!(self.procedure, Running { stage } | Paused { stage } if stage.is_closed_session())
    }

    /// What the host's step leads to: the step itself and, when it moves into
    /// 宣布评议意见, the announcement of every closed ballot's result in the
    /// same commit (parties and the public learn results then and no earlier).
    /// No step leaves the closed session while a ballot is open.
    /// Opening is refused long before the planned start
    /// ([`super::procedure::check_opening_time`]).
    pub fn decide_step(
        &self,
        step: super::procedure::Step,
        by: &str,
        when: StepPlan,
    ) -> Result<Vec<EventPayload>, super::procedure::StepRefused> {
        use super::ballot::BallotStatus;
        use super::procedure::{Stage, StepRefused};
        let to = self.procedure.apply(step)?;
        if self.procedure == super::procedure::Procedure::NotStarted {
            if !when.on_calendar {
                return Err(StepRefused::NotOnCalendar);
            }
            super::procedure::check_opening_time(when.planned_start_ms, when.now_ms)?;
        }
        let leaves_closed_session = self.in_closed_session()
            && !matches!(to.stage(), Some(stage) if stage.is_closed_session());
        if leaves_closed_session && self.ballots.iter().any(|b| b.status == BallotStatus::Open) {
            return Err(StepRefused::BallotOpen);
        }
        let mut events = vec![EventPayload::ProcedureStepped {
            step,
            to,
            by: by.to_owned(),
        }];
        let announces = to.stage() == Some(Stage::Announcement)
            && self.procedure.stage() != Some(Stage::Announcement);
        if announces && !self.results_announced {
            events.push(EventPayload::ResultsAnnounced {
                conclusion: self.minutes.conclusion.as_ref().map(|c| c.text.clone()),
                ballots: self.ballots.iter().filter_map(|b| b.announced()).collect(),
                by: by.to_owned(),
            });
        }
        Ok(events)
    }

    /// Who a record line entered now is attributed to by default: the speaker
    /// on the floor, if anyone has it.
    pub fn floor_speaker(&self) -> Option<super::sitting::Speaker> {
        self.floor.as_ref().map(|f| super::sitting::Speaker {
            name: f.speaker.clone(),
            part: f.part,
        })
    }

    /// 笔录 is the record of the sitting: lines are taken from 宣布开始 to 闭会,
    /// never in the closed deliberation (its own notes are 评议 lines). What
    /// the clerk prepares before (the opening announcement, the list of those
    /// present) is pasted with 分条记入 once the host has opened the hearing.
    pub fn may_record(&self) -> Result<(), RecordRefused> {
        use super::procedure::Procedure;
        match self.procedure {
            Procedure::NotStarted => Err(RecordRefused::NotOpened),
            Procedure::Closed => Err(RecordRefused::Closed),
            _ if self.in_closed_session() => Err(RecordRefused::ClosedSession),
            _ => Ok(()),
        }
    }

    /// The room as a snapshot of bounded size for a reader who follows it from
    /// here (the public observer page): the last `max_lines` record lines and
    /// the last `max_lines` of every other list that grows with the log.
    pub fn bounded(mut self, max_lines: usize) -> RoomState {
        fn keep_last<T>(list: &mut Vec<T>, max: usize) -> u64 {
            let extra = list.len().saturating_sub(max);
            list.drain(..extra);
            extra as u64
        }
        self.record_omitted += keep_last(&mut self.record, max_lines);
        for line in &mut self.record {
            keep_last(&mut line.corrections, 5);
        }
        keep_last(&mut self.procedure_log, max_lines);
        keep_last(&mut self.speeches, max_lines);
        keep_last(&mut self.shown, max_lines);
        keep_last(&mut self.deliberation, max_lines);
        keep_last(&mut self.attendance, max_lines);
        keep_last(&mut self.ballots, max_lines);
        for ballot in &mut self.ballots {
            keep_last(&mut ballot.opinions, max_lines);
        }
        self
    }

    /// The hearing sits (started, not adjourned or closed): what is shown on
    /// the screens is shown to the room.
    pub fn sitting(&self) -> bool {
        use super::procedure::Procedure::{Paused, Running};
        matches!(self.procedure, Running { .. } | Paused { .. })
    }
}

/// Folds a hearing's log, in order, into its room state.
pub fn fold<'a>(
    events: impl IntoIterator<Item = &'a HearingEvent>,
) -> Result<RoomState, FoldError> {
    let mut state = RoomState::default();
    for event in events {
        state.apply(event)?;
    }
    Ok(state)
}

/// Checks a whole log's hash chain; returns the head, or the first seq that breaks it.
pub fn verify_chain<'a>(
    events: impl IntoIterator<Item = &'a HearingEvent>,
) -> Result<ChainHash, u64> {
    let mut link = ChainHash::GENESIS;
    for event in events {
        link = link.next(&event.hearing_id, event.seq, event.at_ms, &event.payload);
        if ChainHash::from_hex(&event.hash) != Some(link) {
            return Err(event.seq);
        }
    }
    Ok(link)
}

/// A committed log of hearing "h" from payloads, one second apart, with a real
/// hash chain (for the domain's tests).
#[cfg(test)]
pub(crate) fn committed_log(payloads: Vec<EventPayload>) -> Vec<HearingEvent> {
    timed_log((1..).zip(payloads).collect())
}

/// A log of hearing "h" with each event at the given second, with a real hash
/// chain: a turn's length is the time between its events.
#[cfg(test)]
pub(crate) fn timed_log(events: Vec<(i64, EventPayload)>) -> Vec<HearingEvent> {
    let mut link = super::event::ChainHash::GENESIS;
    events
        .into_iter()
        .enumerate()
        .map(|(i, (second, payload))| {
            let seq = i as u64 + 1;
            let at_ms = second * 1000;
            link = link.next("h", seq, at_ms, &payload);
            HearingEvent {
                hearing_id: "h".into(),
                seq,
                at_ms,
                payload,
                hash: link.to_hex(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A step taken at the planned start.
    const ON_TIME: StepPlan = StepPlan {
        now_ms: 0,
        planned_start_ms: 0,
        on_calendar: true,
    };

    #[allow(clippy::unwrap_used)]
    #[test]
    fn the_record_is_taken_between_opening_and_close_and_the_times_are_the_logs() {
        use super::super::procedure::{Stage, Step, StepRefused};
        let record = |text: &str| EventPayload::RecordEntered {
            author: "李记录".into(),
            text: text.into(),
            speaker: None,
        };
        let waiting = RoomState::default();
        assert_eq!(waiting.may_record(), Err(RecordRefused::NotOpened));
        let early = StepPlan {
            now_ms: 0,
            planned_start_ms: 2 * 3_600_000,
            on_calendar: true,
        };
        assert!(matches!(
            waiting.decide_step(Step::Start, "主持人", early),
            Err(StepRefused::TooEarly { .. })
        ));
        let postponed = StepPlan {
            on_calendar: false,
            ..ON_TIME
        };
        assert_eq!(
            waiting.decide_step(Step::Start, "主持人", postponed),
            Err(StepRefused::NotOnCalendar)
        );
        let mut payloads = steps_decided(Vec::new(), &[Step::Start])
            .into_iter()
            .map(|e| e.payload)
            .collect::<Vec<_>>();
        payloads.push(record("宣布开始"));
        let mut steps = vec![Step::Advance; Stage::ALL.len() - 1];
        steps.push(Step::Close);
        let log = steps_decided(payloads, &steps);
        let room = fold(&log).unwrap();
        assert_eq!(room.opened_at_ms, Some(log[0].at_ms));
        assert_eq!(room.closed_at_ms, Some(log.last().unwrap().at_ms));
        assert_eq!(room.may_record(), Err(RecordRefused::Closed));
        let in_deliberation = fold(&log[..log.len() - 3]).unwrap();
        assert!(in_deliberation.in_closed_session());
        assert_eq!(
            in_deliberation.may_record(),
            Err(RecordRefused::ClosedSession)
        );
        let opened = fold(&log[..2]).unwrap();
        assert_eq!(opened.may_record(), Ok(()));
        assert_eq!(opened.closed_at_ms, None);
        // A bounded snapshot keeps the times though it drops the early moves.
        let bounded = room.clone().bounded(1);
        assert_eq!(bounded.opened_at_ms, room.opened_at_ms);
    }

    /// The host's steps through `room`, each decided as the server decides it
    /// and committed in order; returns the whole log.
    #[allow(clippy::unwrap_used)]
    fn steps_decided(
        mut payloads: Vec<EventPayload>,
        steps: &[super::super::procedure::Step],
    ) -> Vec<HearingEvent> {
        for step in steps {
            let room = fold(&committed_log(payloads.clone())).unwrap();
            payloads.extend(room.decide_step(*step, "主持人", ON_TIME).unwrap());
        }
        committed_log(payloads)
    }

    #[allow(clippy::unwrap_used)]
    #[test]
    fn results_reach_outsiders_with_the_announcement_and_no_ballot_is_left_open() {
        use super::super::ballot::{BallotMode, BallotSpec, MajorityRule, Voter};
        use super::super::procedure::{Stage, Step, StepRefused};
        let mut steps = vec![Step::Start];
        steps.extend([Step::Advance; 7]);
        let spec = BallotSpec::parse(
            "b1".into(),
            "诉求是否合理",
            &["支持".into(), "不支持".into()],
            MajorityRule::Simple,
            BallotMode::Secret,
            false,
        )
        .unwrap();
        let voters = vec![Voter {
            voter_id: "a0".into(),
            name: "甲".into(),
        }];
        let mut payloads: Vec<EventPayload> = steps_decided(Vec::new(), &steps)
            .into_iter()
            .map(|e| e.payload)
            .collect();
        payloads.push(EventPayload::BallotDrafted {
            spec,
            by: "主持人".into(),
        });
        payloads.push(EventPayload::BallotOpened {
            ballot_id: "b1".into(),
            voters,
            present: 1,
            by: "主持人".into(),
        });
        let open = fold(&committed_log(payloads.clone())).unwrap();
        assert_eq!(open.procedure.stage(), Some(Stage::Deliberation));
        // Deliberation → vote stays closed; back to a public stage or on to the
        // announcement is refused while the ballot is open.
        assert!(open.decide_step(Step::Advance, "主持人", ON_TIME).is_ok());
        assert_eq!(
            open.decide_step(Step::GoBack { to: Stage::Debate }, "主持人", ON_TIME),
            Err(StepRefused::BallotOpen)
        );
        payloads.extend(open.decide_step(Step::Advance, "主持人", ON_TIME).unwrap());
        let in_vote = fold(&committed_log(payloads.clone())).unwrap();
        assert_eq!(
            in_vote.decide_step(Step::Advance, "主持人", ON_TIME),
            Err(StepRefused::BallotOpen)
        );
        let (result, named) = in_vote.ballot("b1").unwrap().closing().unwrap();
        payloads.push(EventPayload::BallotClosed {
            ballot_id: "b1".into(),
            result: result.clone(),
            named,
            by: "主持人".into(),
            salt: "s".into(),
        });
        let outside = |log: &[HearingEvent]| {
            let seen: Vec<HearingEvent> =
                log.iter().map(|e| e.seen_by(false).into_owned()).collect();
            fold(&seen).unwrap()
        };
        // The conclusion drafted in closed session: the panel's only.
        payloads.push(EventPayload::ConclusionRecorded {
            text: "多数意见认为诉求合理".into(),
            by: "主持人".into(),
            announced: false,
        });
        let closed = committed_log(payloads.clone());
        assert!(outside(&closed).ballots.is_empty(), "closed, not announced");
        assert!(outside(&closed).minutes.conclusion.is_none(), "a draft");
        let announced = steps_decided(payloads, &[Step::Advance]);
        let tail: Vec<&str> = announced[closed.len()..]
            .iter()
            .map(|e| match &e.payload {
                EventPayload::ProcedureStepped { .. } => "step",
                EventPayload::ResultsAnnounced { .. } => "announced",
                _ => "other",
            })
            .collect();
        assert_eq!(tail, ["step", "announced"]);
        let public = outside(&announced);
        assert!(public.results_announced);
        let ballot = public.ballot("b1").unwrap();
        assert_eq!(ballot.result.as_ref(), Some(&result));
        assert!(ballot.voted.is_empty() && ballot.opinions.is_empty());
        // The announcement carries the conclusion as it stood.
        let conclusion = public.minutes.conclusion.as_ref().map(|c| c.text.as_str());
        assert_eq!(conclusion, Some("多数意见认为诉求合理"));
        // One recorded after the announcement reaches outsiders at once.
        let mut later: Vec<EventPayload> = announced.iter().map(|e| e.payload.clone()).collect();
        later.push(EventPayload::ConclusionRecorded {
            text: "部分合理".into(),
            by: "主持人".into(),
            announced: true,
        });
        let public = outside(&committed_log(later));
        let conclusion = public.minutes.conclusion.as_ref().map(|c| c.text.as_str());
        assert_eq!(conclusion, Some("部分合理"));
        // The panel's fold is unchanged by the announcement (no second copy).
        let panel = fold(&announced).unwrap();
        assert_eq!(panel.ballots.len(), 1);
    }

    #[allow(clippy::unwrap_used)]
    #[test]
    fn a_bounded_snapshot_keeps_the_last_lines_and_follows_on() {
        let texts: Vec<String> = (0..500).map(|i| format!("第{i}行")).collect();
        let events = log(&texts);
        let whole = fold(&events[..400]).unwrap();
        let mut bounded = whole.clone().bounded(100);
        assert_eq!(bounded.record.len(), 100);
        assert_eq!(bounded.record_omitted, 300);
        assert_eq!(bounded.record[0].text, "第300行");
        assert_eq!(bounded.last_seq, 400);
        for event in &events[400..] {
            bounded.apply(event).unwrap();
        }
        assert_eq!(bounded.record.len(), 200);
        assert_eq!(bounded.record.last().unwrap().text, "第499行");
        assert!(
            serde_json::to_vec(&fold(&events).unwrap().bounded(100))
                .unwrap()
                .len()
                < 20_000
        );
    }

    fn log(texts: &[String]) -> Vec<HearingEvent> {
        let mut link = ChainHash::GENESIS;
        texts
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let seq = i as u64 + 1;
                let payload = EventPayload::RecordEntered {
                    author: "记录员".into(),
                    text: text.clone(),
                    speaker: None,
                };
                link = link.next("h", seq, seq as i64 * 1000, &payload);
                HearingEvent {
                    hearing_id: "h".into(),
                    seq,
                    at_ms: seq as i64 * 1000,
                    payload,
                    hash: link.to_hex(),
                }
            })
            .collect()
    }

    fn mark(
        name: &str,
        account: Option<&str>,
        presence: crate::domain::sitting::Presence,
    ) -> EventPayload {
        EventPayload::AttendanceMarked {
            name: name.into(),
            account: account.map(str::to_owned),
            part: crate::domain::sitting::Part::Juror,
            presence,
            by: "记录员".into(),
        }
    }

    #[test]
    fn the_screens_go_blank_when_the_room_stops_sitting_in_open_session() {
        use crate::domain::procedure::{Procedure, Stage, Step};
        let shown = EventPayload::ExhibitShown {
            exhibit: ShownExhibit {
                exhibit_id: "e1".into(),
                label: "申-1".into(),
                title: "欠条".into(),
                sha256: "ab".repeat(32),
                kind: crate::domain::evidence::FileKind::Png,
                submitter: None,
            },
            shown_by: "主持人".into(),
        };
        let step = |step, to| EventPayload::ProcedureStepped {
            step,
            to,
            by: "主持人".into(),
        };
        let debate = Procedure::Running {
            stage: Stage::Debate,
        };
        for (step_to, blank) in [
            (
                step(
                    Step::Pause,
                    Procedure::Paused {
                        stage: Stage::Debate,
                    },
                ),
                false,
            ),
            (
                step(
                    Step::Adjourn,
                    Procedure::Adjourned {
                        stage: Stage::Debate,
                    },
                ),
                true,
            ),
            (
                step(
                    Step::Advance,
                    Procedure::Running {
                        stage: Stage::Deliberation,
                    },
                ),
                true,
            ),
        ] {
            let room = fold(&committed_log(vec![
                step(Step::Start, debate),
                shown.clone(),
                step_to,
            ]))
            .expect("contiguous log");
            assert_eq!(room.on_screen.is_none(), blank, "{:?}", room.procedure);
            assert_eq!(room.shown.len(), 1, "what was shown stays shown");
        }
    }

    #[test]
    fn the_quorum_counts_seated_members_by_account() {
        use crate::domain::ballot::Voter;
        use crate::domain::sitting::Presence::{Absent, InRoom, Online};
        let voters = [
            Voter {
                voter_id: "a1".into(),
                name: "王芳".into(),
            },
            Voter {
                voter_id: "a2".into(),
                name: "李强".into(),
            },
            Voter {
                voter_id: "a3".into(),
                name: "李强".into(),
            },
        ];
        let room = fold(&committed_log(vec![
            // One 李强 checked in online; the other namesake is not counted for it.
            mark("李强", Some("a2"), Online),
            // An old log's mark by name only still counts by name.
            mark("王芳", None, InRoom),
            // Someone not seated counts for nobody.
            mark("赵六", Some("x9"), InRoom),
        ]))
        .expect("contiguous log");
        assert_eq!(room.present_among(&voters), 2);
        // A later mark of the same account replaces the earlier one.
        let room = fold(&committed_log(vec![
            mark("李强", Some("a2"), Online),
            mark("李强", Some("a2"), Absent),
            mark("李强", Some("a3"), InRoom),
        ]))
        .expect("contiguous log");
        assert_eq!(room.present_among(&voters), 1);
        assert_eq!(room.attendance.len(), 2);
    }

    #[test]
    fn gap_is_refused_and_duplicate_ignored() {
        let events = log(&["一".into(), "二".into(), "三".into()]);
        let mut state = RoomState::default();
        assert_eq!(state.apply(&events[0]), Ok(true));
        assert_eq!(state.apply(&events[0]), Ok(false));
        assert_eq!(
            state.apply(&events[2]),
            Err(FoldError::OutOfOrder {
                expected: 2,
                got: 3
            })
        );
        assert_eq!(state.record.len(), 1);
    }

    #[test]
    fn tampered_log_breaks_the_chain() {
        let mut events = log(&["一".into(), "二".into()]);
        assert!(verify_chain(&events).is_ok());
        events[0].payload = EventPayload::RecordEntered {
            author: "记录员".into(),
            text: "改".into(),
            speaker: None,
        };
        assert_eq!(verify_chain(&events), Err(1));
    }

    fn stepped(
        step: crate::domain::procedure::Step,
        to: crate::domain::procedure::Procedure,
    ) -> EventPayload {
        EventPayload::ProcedureStepped {
            step,
            to,
            by: "主持人".into(),
        }
    }

    fn floor_to(speaker: &str, part: crate::domain::sitting::Part, seconds: u32) -> EventPayload {
        EventPayload::FloorGiven {
            speaker: speaker.into(),
            part,
            seconds,
            by: "主持人".into(),
        }
    }

    fn floor_ended() -> EventPayload {
        EventPayload::FloorEnded {
            by: "主持人".into(),
        }
    }

    fn running(stage: crate::domain::procedure::Stage) -> crate::domain::procedure::Procedure {
        crate::domain::procedure::Procedure::Running { stage }
    }

    #[test]
    fn a_turn_the_host_ends_is_recorded_with_its_stage_length_and_overtime() {
        use crate::domain::procedure::{Stage, Step};
        use crate::domain::sitting::{Part, SpeakingTurn};
        let room = fold(&timed_log(vec![
            (0, stepped(Step::Start, running(Stage::Opening))),
            (
                10,
                stepped(Step::Advance, running(Stage::PetitionerStatement)),
            ),
            // 5 minutes allotted, 5:35 spoken: 35 seconds over.
            (100, floor_to("张三", Part::Petitioner, 300)),
            (435, floor_ended()),
            // 2 minutes allotted, 1 minute spoken: within the time.
            (500, floor_to("住建局", Part::Agency, 120)),
            (560, floor_ended()),
        ]))
        .expect("contiguous log");
        assert_eq!(room.floor, None, "nobody has the floor after it ended");
        assert_eq!(
            room.speeches,
            [
                SpeakingTurn {
                    speaker: "张三".into(),
                    part: Part::Petitioner,
                    stage: Some(Stage::PetitionerStatement),
                    from_ms: 100_000,
                    to_ms: 435_000,
                    allotted_secs: 300,
                },
                SpeakingTurn {
                    speaker: "住建局".into(),
                    part: Part::Agency,
                    stage: Some(Stage::PetitionerStatement),
                    from_ms: 500_000,
                    to_ms: 560_000,
                    allotted_secs: 120,
                },
            ]
        );
        let lengths: Vec<(i64, i64)> = room
            .speeches
            .iter()
            .map(|t| (t.spoken_secs(), t.overtime_secs()))
            .collect();
        assert_eq!(lengths, [(335, 35), (60, 0)]);
    }

    #[test]
    fn a_stage_step_or_the_next_speaker_ends_the_turn_under_the_stage_it_began_in() {
        use crate::domain::procedure::{Procedure, Stage, Step};
        use crate::domain::sitting::Part;
        let room = fold(&timed_log(vec![
            (0, stepped(Step::Start, running(Stage::Opening))),
            (
                5,
                stepped(Step::Advance, running(Stage::PetitionerStatement)),
            ),
            (20, floor_to("张三", Part::Petitioner, 60)),
            // The next speaker is given the floor without ending the first turn.
            (50, floor_to("住建局", Part::Agency, 60)),
            // The host moves on while the agency still speaks: 90 s of 60.
            (140, stepped(Step::Advance, running(Stage::AgencyStatement))),
            (150, floor_to("张三", Part::Petitioner, 30)),
            // A pause ends the turn too.
            (
                170,
                stepped(
                    Step::Pause,
                    Procedure::Paused {
                        stage: Stage::AgencyStatement,
                    },
                ),
            ),
        ]))
        .expect("contiguous log");
        assert_eq!(room.floor, None, "a stage step takes the floor back");
        let turns: Vec<(&str, Option<Stage>, i64, i64, i64)> = room
            .speeches
            .iter()
            .map(|t| {
                (
                    t.speaker.as_str(),
                    t.stage,
                    t.from_ms,
                    t.spoken_secs(),
                    t.overtime_secs(),
                )
            })
            .collect();
        assert_eq!(
            turns,
            [
                ("张三", Some(Stage::PetitionerStatement), 20_000, 30, 0),
                ("住建局", Some(Stage::PetitionerStatement), 50_000, 90, 30),
                ("张三", Some(Stage::AgencyStatement), 150_000, 20, 0),
            ]
        );
    }

    #[test]
    fn ending_the_floor_when_nobody_has_it_records_no_turn() {
        use crate::domain::procedure::{Stage, Step};
        let room = fold(&timed_log(vec![
            (0, stepped(Step::Start, running(Stage::Opening))),
            (10, floor_ended()),
            (
                20,
                stepped(Step::Advance, running(Stage::PetitionerStatement)),
            ),
        ]))
        .expect("contiguous log");
        assert!(room.speeches.is_empty(), "{:?}", room.speeches);
    }

    /// What the generator asks for at one point of a log; [`Session::admit`]
    /// keeps only what the server would commit at that point.
    #[derive(Clone, Debug)]
    enum Intent {
        /// Committed whatever the procedure (record, floor, attendance,
        /// deliberation, plan changes, clearing the screens).
        Anytime(EventPayload),
        /// A procedure step, committed only when [`Procedure::apply`] allows it.
        Step(crate::domain::procedure::Step),
        /// 当庭展示: only while the room sits in open session.
        Show(ShownExhibit),
        /// Only while a PDF is on the screens of a room in open session.
        TurnPage(u32),
    }

    /// The little a generator must know of the log so far to keep it valid.
    /// Deliberately not `RoomState`: the fold under test must not decide what
    /// it is tested with.
    #[derive(Default)]
    struct Session {
        procedure: crate::domain::procedure::Procedure,
        pdf_on_screen: bool,
    }

    impl Session {
        fn in_open_session(&self) -> bool {
            use crate::domain::procedure::Procedure::{Paused, Running};
            matches!(self.procedure, Running { stage } | Paused { stage } if !stage.is_closed_session())
        }

        fn admit(&mut self, intent: Intent) -> Option<EventPayload> {
            use crate::domain::evidence::FileKind;
            match intent {
                Intent::Anytime(payload) => {
                    if matches!(payload, EventPayload::ExhibitCleared { .. }) {
                        self.pdf_on_screen = false;
                    }
                    Some(payload)
                }
                Intent::Step(step) => {
                    let to = self.procedure.apply(step).ok()?;
                    self.procedure = to;
                    if !self.in_open_session() {
                        self.pdf_on_screen = false;
                    }
                    Some(stepped(step, to))
                }
                Intent::Show(exhibit) => {
                    if !self.in_open_session() {
                        return None;
                    }
                    self.pdf_on_screen = exhibit.kind == FileKind::Pdf;
                    Some(EventPayload::ExhibitShown {
                        exhibit,
                        shown_by: "主持人".into(),
                    })
                }
                Intent::TurnPage(page) => {
                    (self.pdf_on_screen && self.in_open_session()).then(|| {
                        EventPayload::ExhibitPageTurned {
                            page,
                            by: "主持人".into(),
                        }
                    })
                }
            }
        }
    }

    /// Payloads valid in the order given: the intents the session admits.
    fn valid_log(intents: Vec<Intent>) -> Vec<EventPayload> {
        let mut session = Session::default();
        intents
            .into_iter()
            .filter_map(|intent| session.admit(intent))
            .collect()
    }

    fn arb_step() -> impl Strategy<Value = crate::domain::procedure::Step> {
        use crate::domain::procedure::{Stage, Step};
        prop_oneof![
            1 => Just(Step::Start),
            // Advancing most often, so that logs reach the closed stages and the close.
            4 => Just(Step::Advance),
            1 => prop::sample::select(Stage::ALL.to_vec()).prop_map(|to| Step::GoBack { to }),
            1 => Just(Step::Pause),
            1 => Just(Step::Adjourn),
            2 => Just(Step::Resume),
            1 => Just(Step::Close),
        ]
    }

    /// The hearing's exhibits: an id always names the same file (its kind and
    /// hash), as the register guarantees; few, so that one is shown again.
    fn arb_exhibit() -> impl Strategy<Value = ShownExhibit> {
        use crate::domain::evidence::{FileKind, Submitter};
        let register = [
            (FileKind::Pdf, Some(Submitter::Petitioner)),
            (FileKind::Png, Some(Submitter::Agency)),
            (FileKind::Mp4, None),
            (FileKind::Pdf, Some(Submitter::Office)),
        ];
        prop::sample::select(register.into_iter().enumerate().collect::<Vec<_>>()).prop_map(
            |(n, (kind, submitter))| ShownExhibit {
                exhibit_id: format!("e{n}"),
                label: format!("申-{n}"),
                title: format!("证据{n}"),
                sha256: format!("{n:02}").repeat(32),
                kind,
                submitter,
            },
        )
    }

    fn arb_plan_change() -> impl Strategy<Value = EventPayload> {
        use crate::domain::case::Coded;
        use crate::domain::schedule::{HearingStatus, ScheduleChange};
        (
            prop::sample::select(ScheduleChange::ALL.to_vec()),
            prop::sample::select(HearingStatus::ALL.to_vec()),
            1i64..20,
            0i64..2_000_000_000_000,
            ".{0,8}",
            prop::option::of(".{1,8}"),
        )
            .prop_map(|(change, status, version, starts_at_ms, place, reason)| {
                EventPayload::PlanChanged {
                    change,
                    version,
                    status,
                    starts_at_ms,
                    duration_min: 120,
                    place,
                    reason,
                }
            })
    }

    fn arb_anytime() -> impl Strategy<Value = EventPayload> {
        use crate::domain::case::Coded;
        use crate::domain::sitting::{Part, Presence};
        let part = prop::sample::select(Part::ALL.to_vec());
        prop_oneof![
            ".{0,8}".prop_map(|text| EventPayload::RecordEntered {
                author: "记录员".into(),
                text,
                speaker: None,
            }),
            (part.clone(), 1u32..600).prop_map(|(part, seconds)| floor_to("张三", part, seconds)),
            Just(floor_ended()),
            (1u64..40, ".{0,8}").prop_map(|(line_seq, text)| EventPayload::RecordCorrected {
                line_seq,
                text,
                by: "记录员".into(),
            }),
            (part, prop::sample::select(Presence::ALL.to_vec())).prop_map(|(part, presence)| {
                EventPayload::AttendanceMarked {
                    name: "李四".into(),
                    account: None,
                    part,
                    presence,
                    by: "记录员".into(),
                }
            }),
            ".{1,8}".prop_map(|text| EventPayload::DeliberationMessage {
                author: "评议员".into(),
                text
            }),
            arb_plan_change(),
            Just(EventPayload::ExhibitCleared {
                cleared_by: "主持人".into()
            }),
        ]
    }

    fn arb_intent() -> impl Strategy<Value = Intent> {
        prop_oneof![
            4 => arb_anytime().prop_map(Intent::Anytime),
            3 => arb_step().prop_map(Intent::Step),
            1 => arb_exhibit().prop_map(Intent::Show),
            1 => (1u32..50).prop_map(Intent::TurnPage),
        ]
    }

    /// A valid log: every procedure step allowed where it stands, exhibits shown
    /// and leafed through only in open session.
    fn arb_log() -> impl Strategy<Value = Vec<EventPayload>> {
        proptest::collection::vec(arb_intent(), 0..60).prop_map(valid_log)
    }

    /// What holds of any room folded from a valid log.
    fn check_room(room: &RoomState) -> Result<(), TestCaseError> {
        if let Some(on_screen) = &room.on_screen {
            prop_assert!(
                room.sitting() && !room.in_closed_session(),
                "{on_screen:?} on the screens while {:?}",
                room.procedure
            );
            prop_assert!(
                room.shown.contains(on_screen),
                "on screen, not in the shown list"
            );
        }
        let mut ids: Vec<&str> = room.shown.iter().map(|e| e.exhibit_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        prop_assert_eq!(ids.len(), room.shown.len(), "an exhibit listed twice");
        for turn in &room.speeches {
            prop_assert!(turn.from_ms <= turn.to_ms, "{turn:?}");
        }
        let last_step = room.procedure_log.last().map(|c| c.to).unwrap_or_default();
        prop_assert_eq!(room.procedure, last_step);
        Ok(())
    }

    fn chain(payloads: Vec<EventPayload>) -> Vec<HearingEvent> {
        super::committed_log(payloads)
    }

    proptest! {
        /// Any sequence of events folds to the same room on the server and on a
        /// client that received it in chunks with resends; a receiver outside the
        /// panel gets the same room minus the deliberation, and never its text.
        #[test]
        fn any_log_folds_alike_and_withholds_only_the_deliberation(
            payloads in arb_log(),
            cuts in proptest::collection::vec(0usize..60, 0..6),
        ) {
            let events = chain(payloads);
            let server = fold(&events).expect("contiguous log");
            check_room(&server)?;
            let mut client = RoomState::default();
            let mut start = 0;
            for cut in cuts.into_iter().chain([events.len()]) {
                let end = cut.min(events.len()).max(start);
                for event in &events[start.saturating_sub(1)..end] {
                    client.apply(event).expect("no gap");
                }
                start = end;
            }
            prop_assert_eq!(&client, &server);

            let outside: Vec<HearingEvent> = events.iter().map(|e| e.seen_by(false).into_owned()).collect();
            let public = fold(&outside).expect("withheld events keep the seqs");
            prop_assert!(public.deliberation.is_empty());
            let mut expected = server.clone();
            expected.deliberation.clear();
            prop_assert_eq!(public, expected);
            for e in &outside {
                let leaked = matches!(e.payload, EventPayload::DeliberationMessage { .. });
                prop_assert!(!leaked, "deliberation sent to an outsider");
            }
        }

        /// A client that received the log in any chunking, with resends, ends where
        /// the server's single fold ends.
        #[test]
        fn chunked_delivery_with_resends_matches_fold(
            texts in proptest::collection::vec(".{0,20}", 0..30),
            cuts in proptest::collection::vec(0usize..30, 0..10),
        ) {
            let events = log(&texts);
            let server = fold(&events).expect("contiguous log");
            let mut client = RoomState::default();
            let mut start = 0;
            for cut in cuts.into_iter().chain([events.len()]) {
                let end = cut.min(events.len()).max(start);
                // Resend from one before `start`, as a reconnect racing the live feed does.
                for event in &events[start.saturating_sub(1)..end] {
                    client.apply(event).expect("no gap");
                }
                start = end;
            }
            prop_assert_eq!(client, server);
        }
    }
}
