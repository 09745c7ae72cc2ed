//! 听证程序 the procedure of a hearing as a state machine the host drives:
//! explicit stages in the order of ../shared/DOMAIN.md, going back, pausing and
//! adjourning (休会) to another day. [`Procedure::apply`] refuses what the rules
//! do not allow; the live room (#7) commits each accepted step as an event.

use serde::{Deserialize, Serialize};

/// The stages, in their usual order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 宣布纪律、核实身份、告知权利、申请回避
    Opening,
    /// 信访人陈述、举证
    PetitionerStatement,
    /// 责任单位陈述、举证
    AgencyStatement,
    /// 质证 cross-examination
    CrossExamination,
    /// 评议员提问
    PanelQuestions,
    /// 辩论
    Debate,
    /// 最后陈述
    FinalStatements,
    /// 评议 closed deliberation of the panel
    Deliberation,
    /// 表决
    Vote,
    /// 宣布评议意见
    Announcement,
}

impl Stage {
    pub const ALL: [Stage; 10] = [
        Stage::Opening,
        Stage::PetitionerStatement,
        Stage::AgencyStatement,
        Stage::CrossExamination,
        Stage::PanelQuestions,
        Stage::Debate,
        Stage::FinalStatements,
        Stage::Deliberation,
        Stage::Vote,
        Stage::Announcement,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Stage::Opening => "宣布开始",
            Stage::PetitionerStatement => "信访人陈述",
            Stage::AgencyStatement => "责任单位陈述",
            Stage::CrossExamination => "质证",
            Stage::PanelQuestions => "评议员提问",
            Stage::Debate => "辩论",
            Stage::FinalStatements => "最后陈述",
            Stage::Deliberation => "评议",
            Stage::Vote => "表决",
            Stage::Announcement => "宣布评议意见",
        }
    }

    /// The stable code (URLs, test ids, the wire form).
    pub fn code(self) -> &'static str {
        match self {
            Stage::Opening => "opening",
            Stage::PetitionerStatement => "petitioner_statement",
            Stage::AgencyStatement => "agency_statement",
            Stage::CrossExamination => "cross_examination",
            Stage::PanelQuestions => "panel_questions",
            Stage::Debate => "debate",
            Stage::FinalStatements => "final_statements",
            Stage::Deliberation => "deliberation",
            Stage::Vote => "vote",
            Stage::Announcement => "announcement",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Stage::Opening => "Opening",
            Stage::PetitionerStatement => "Petitioner's statement",
            Stage::AgencyStatement => "Agency's statement",
            Stage::CrossExamination => "Cross-examination",
            Stage::PanelQuestions => "Panel questions",
            Stage::Debate => "Debate",
            Stage::FinalStatements => "Final statements",
            Stage::Deliberation => "Deliberation",
            Stage::Vote => "Vote",
            Stage::Announcement => "Announcement",
        }
    }

    fn index(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    pub fn next(self) -> Option<Stage> {
        Stage::ALL.get(self.index() + 1).copied()
    }

    /// Deliberation and the vote are closed to parties and the public: they see
    /// only “评议中”.
    pub fn is_closed_session(self) -> bool {
        matches!(self, Stage::Deliberation | Stage::Vote)
    }
}

/// Where the hearing stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Procedure {
    #[default]
    NotStarted,
    Running {
        stage: Stage,
    },
    /// 暂停 a short break; the stage continues after it.
    Paused {
        stage: Stage,
    },
    /// 休会 adjourned to another day; resumes at the same stage.
    Adjourned {
        stage: Stage,
    },
    /// 闭会
    Closed,
}

/// What the host asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    Start,
    /// To the next stage.
    Advance,
    /// Back to an earlier public stage (e.g. more questions after deliberation began).
    GoBack {
        to: Stage,
    },
    Pause,
    Adjourn,
    Resume,
    Close,
}

/// Why a step was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum StepRefused {
    #[error("not allowed in this state")]
    NotNow,
    #[error("can only go back to an earlier public stage")]
    BadGoBack,
    /// Once voting has begun the procedure only moves forward.
    #[error("voting has begun")]
    VotingBegun,
    /// The closed session is not left while a ballot is open: its result
    /// would otherwise be counted in a public stage, or never announced.
    #[error("a ballot is open")]
    BallotOpen,
    /// 宣布开始 more than [`EARLY_OPENING_MINUTES`] before the planned start:
    /// the parties were notified of that time, so opening sooner is a change
    /// of plan (改期, which notifies everyone), not a step of the procedure.
    /// 宣布开始 of a hearing postponed (延期) or cancelled: it is not on the
    /// calendar, the parties were told it will not sit then.
    #[error("the hearing is postponed or cancelled")]
    NotOnCalendar,
    #[error(
        "the hearing is planned for {}: it may be opened from {EARLY_OPENING_MINUTES} minutes before; reschedule it to hold it sooner",
        planned_iso(.planned_start_ms)
    )]
    TooEarly { planned_start_ms: i64 },
}

fn planned_iso(ms: &i64) -> String {
    super::clock::format_iso(*ms, super::clock::CHINA_OFFSET_SECONDS)
}

/// How long before its planned start a hearing may be opened: those notified
/// are usually in the room by then (签到 begins about half an hour before).
pub const EARLY_OPENING_MINUTES: i64 = 60;

/// 宣布开始 is refused long before the planned start; a late start is allowed
/// (the minutes print the actual time and the planned one beside it).
pub fn check_opening_time(planned_start_ms: i64, now_ms: i64) -> Result<(), StepRefused> {
    if now_ms < planned_start_ms - EARLY_OPENING_MINUTES * 60_000 {
        return Err(StepRefused::TooEarly { planned_start_ms });
    }
    Ok(())
}

impl StepRefused {
    pub fn message_zh(self) -> String {
        match self {
            StepRefused::NotNow => "当前程序状态下不能进行该操作".into(),
            StepRefused::BadGoBack => "只能回到此前的公开程序环节".into(),
            StepRefused::VotingBegun => "表决已经开始，程序不能回退".into(),
            StepRefused::BallotOpen => "尚有表决未结束，请先结束表决再进入下一环节".into(),
            StepRefused::NotOnCalendar => {
                "本场听证已延期或取消，不能宣布开始；如需举行，请先在听证安排中确定新的时间".into()
            }
            StepRefused::TooEarly { planned_start_ms } => format!(
                "听证会定于{}举行，最早可在开始前{EARLY_OPENING_MINUTES}分钟宣布开始。如需提前举行，请先改期，系统将通知各方。",
                super::clock::format_zh(planned_start_ms, super::clock::CHINA_OFFSET_SECONDS)
            ),
        }
    }
}

impl Procedure {
    /// The state after `step`, or why not. Pure: the same in browser and server.
    pub fn apply(self, step: Step) -> Result<Procedure, StepRefused> {
        use Procedure::*;
        match (self, step) {
            (NotStarted, Step::Start) => Ok(Running {
                stage: Stage::Opening,
            }),
            (Running { stage }, Step::Advance) => Ok(match stage.next() {
                Some(next) => Running { stage: next },
                None => Closed,
            }),
            (Running { stage }, Step::GoBack { to }) => go_back(stage, to),
            (Running { stage }, Step::Pause) => Ok(Paused { stage }),
            (Running { stage } | Paused { stage }, Step::Adjourn) => Ok(Adjourned { stage }),
            (Paused { stage } | Adjourned { stage }, Step::Resume) => Ok(Running { stage }),
            (
                Running {
                    stage: Stage::Announcement,
                },
                Step::Close,
            ) => Ok(Closed),
            _ => Err(StepRefused::NotNow),
        }
    }

    /// The stage under way (also while paused or adjourned).
    pub fn stage(self) -> Option<Stage> {
        match self {
            Procedure::Running { stage }
            | Procedure::Paused { stage }
            | Procedure::Adjourned { stage } => Some(stage),
            Procedure::NotStarted | Procedure::Closed => None,
        }
    }
}

fn go_back(from: Stage, to: Stage) -> Result<Procedure, StepRefused> {
    if from >= Stage::Vote {
        return Err(StepRefused::VotingBegun);
    }
    if to >= from || to.is_closed_session() {
        return Err(StepRefused::BadGoBack);
    }
    Ok(Procedure::Running { stage: to })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_usual_order_from_opening_to_close() {
        let mut p = Procedure::NotStarted.apply(Step::Start).expect("start");
        let mut seen = vec![p.stage().expect("stage")];
        while let Ok(next) = p.apply(Step::Advance) {
            p = next;
            match p.stage() {
                Some(stage) => seen.push(stage),
                None => break,
            }
        }
        assert_eq!(seen, Stage::ALL.to_vec());
        assert_eq!(p, Procedure::Closed);
    }

    #[test]
    fn illegal_steps_are_refused() {
        assert_eq!(
            Procedure::NotStarted.apply(Step::Advance),
            Err(StepRefused::NotNow)
        );
        assert_eq!(
            Procedure::Closed.apply(Step::Start),
            Err(StepRefused::NotNow)
        );
        let vote = Procedure::Running { stage: Stage::Vote };
        assert_eq!(
            vote.apply(Step::GoBack { to: Stage::Debate }),
            Err(StepRefused::VotingBegun)
        );
        let deliberation = Procedure::Running {
            stage: Stage::Deliberation,
        };
        assert_eq!(
            deliberation.apply(Step::GoBack {
                to: Stage::PanelQuestions
            }),
            Ok(Procedure::Running {
                stage: Stage::PanelQuestions
            })
        );
        let debate = Procedure::Running {
            stage: Stage::Debate,
        };
        assert_eq!(
            debate.apply(Step::GoBack {
                to: Stage::FinalStatements
            }),
            Err(StepRefused::BadGoBack)
        );
        let paused = debate.apply(Step::Pause).expect("pause");
        assert_eq!(paused.apply(Step::Advance), Err(StepRefused::NotNow));
        assert_eq!(paused.apply(Step::Resume), Ok(debate));
        let adjourned = debate.apply(Step::Adjourn).expect("adjourn");
        assert_eq!(adjourned.apply(Step::Resume), Ok(debate));
    }

    #[test]
    fn opening_is_refused_long_before_the_planned_start_and_allowed_late() {
        let planned = 1_765_000_000_000;
        let minute = 60_000;
        assert_eq!(
            check_opening_time(planned, planned - EARLY_OPENING_MINUTES * minute - 1),
            Err(StepRefused::TooEarly {
                planned_start_ms: planned
            })
        );
        assert_eq!(
            check_opening_time(planned, planned - EARLY_OPENING_MINUTES * minute),
            Ok(())
        );
        assert_eq!(
            check_opening_time(planned, planned + 3 * 86_400_000),
            Ok(())
        );
        let refusal = StepRefused::TooEarly {
            planned_start_ms: planned,
        };
        assert!(
            refusal.message_zh().contains("请先改期"),
            "{}",
            refusal.message_zh()
        );
    }

    fn arb_step() -> impl Strategy<Value = Step> {
        prop_oneof![
            Just(Step::Start),
            Just(Step::Advance),
            Just(Step::Pause),
            Just(Step::Adjourn),
            Just(Step::Resume),
            Just(Step::Close),
            prop::sample::select(Stage::ALL.to_vec()).prop_map(|to| Step::GoBack { to }),
        ]
    }

    proptest! {
        /// Whatever the host clicks, once the vote has begun the procedure never
        /// returns to a public stage, and closed is final.
        #[test]
        fn vote_and_close_are_one_way(steps in proptest::collection::vec(arb_step(), 0..80)) {
            let mut p = Procedure::NotStarted;
            let mut voted = false;
            let mut closed = false;
            for step in steps {
                if let Ok(next) = p.apply(step) {
                    p = next;
                }
                if p.stage().is_some_and(|s| s >= Stage::Vote) { voted = true; }
                if p == Procedure::Closed { closed = true; }
                if voted && !closed {
                    prop_assert!(p.stage().is_some_and(|s| s >= Stage::Vote), "{p:?}");
                }
                if closed { prop_assert_eq!(p, Procedure::Closed); }
            }
        }
    }
}
