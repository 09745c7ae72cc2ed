//! 表决 ballots and the one tally: the screen, the API and the minutes all call
//! [`tally`], so they can never disagree about a result.
//!
//! Rules (documented for the minutes):
//! - a majority is counted over the **seated** members, not over those who voted:
//!   an abstention or a missing vote counts against every option;
//! - simple majority: more than half of the seated members; two-thirds: at least
//!   two thirds of them (rounded up);
//! - the last vote of a juror counts; a vote repeated with the same idempotency key
//!   is one vote;
//! - no option reaching the majority (a tie included) is [`Outcome::NoMajority`]
//!   (未形成多数意见): the host records it and the panel's opinion says so;
//! - a ballot opened without quorum is refused before it opens ([`check_quorum`]).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// 多数规则 how many votes an option needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MajorityRule {
    /// 过半数 more than half of the seated members.
    Simple,
    /// 三分之二以上 at least two thirds of the seated members.
    TwoThirds,
}

impl MajorityRule {
    /// The votes an option needs when `seated` members sit on the panel.
    pub fn needed(self, seated: u32) -> u32 {
        match self {
            MajorityRule::Simple => seated / 2 + 1,
            MajorityRule::TwoThirds => (2 * seated).div_ceil(3),
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            MajorityRule::Simple => "过半数通过",
            MajorityRule::TwoThirds => "三分之二以上通过",
        }
    }
}

/// 记名 / 不记名: whether individual choices may ever leave the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BallotMode {
    /// 记名投票
    Named,
    /// 不记名投票: only counts, never who chose what.
    Secret,
}

/// One vote as cast (the last one of a juror counts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CastVote {
    pub juror_id: String,
    /// Index into the ballot's options.
    pub option: usize,
    /// The client's idempotency key: a retry with the same key is the same vote.
    pub key: String,
}

/// What a closed ballot decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The option (index) that reached the majority.
    Decided { option: usize },
    /// 未形成多数意见: no option reached the majority (a tie included).
    NoMajority,
}

/// The counts and the outcome; in secret mode this is all that is ever shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Votes per option, in the ballot's order.
    pub counts: Vec<u32>,
    /// Jurors whose vote counts.
    pub voted: u32,
    pub seated: u32,
    /// Votes an option needed.
    pub needed: u32,
    pub outcome: Outcome,
}

/// Why a vote or an opening was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum VoteRefusal {
    #[error("not seated")]
    NotSeated,
    #[error("unknown option")]
    UnknownOption,
    #[error("no quorum")]
    NoQuorum { present: u32, needed: u32 },
}

impl VoteRefusal {
    pub fn message_zh(&self) -> String {
        match self {
            VoteRefusal::NotSeated => "您不是本场评议团成员，不能投票".into(),
            VoteRefusal::UnknownOption => "所选选项不存在".into(),
            VoteRefusal::NoQuorum { present, needed } => format!(
                "到场评议员 {present} 人，不足法定人数 {needed} 人（应到人数的三分之二），不能开始表决"
            ),
        }
    }
}

/// The latest vote per seated juror, replays and outsiders left out. The order of
/// `votes` is the order they were committed in.
pub fn latest_votes<'a>(
    seated: &[String],
    options: usize,
    votes: impl IntoIterator<Item = &'a CastVote>,
) -> BTreeMap<&'a str, usize> {
    let mut latest = BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    for vote in votes {
        // A replayed frame (same juror, same key) is the vote already counted,
        // even if the juror changed their mind in between.
        if !seen.insert((vote.juror_id.as_str(), vote.key.as_str())) {
            continue;
        }
        if vote.option < options && seated.iter().any(|s| s == &vote.juror_id) {
            latest.insert(vote.juror_id.as_str(), vote.option);
        }
    }
    latest
}

/// Checks one vote before it is committed.
pub fn check_vote(seated: &[String], options: usize, vote: &CastVote) -> Result<(), VoteRefusal> {
    if !seated.iter().any(|s| s == &vote.juror_id) {
        return Err(VoteRefusal::NotSeated);
    }
    if vote.option >= options {
        return Err(VoteRefusal::UnknownOption);
    }
    Ok(())
}

/// 法定人数: two thirds of the seated members present before a ballot opens.
pub fn check_quorum(seated: u32, present: u32) -> Result<(), VoteRefusal> {
    let needed = (2 * seated).div_ceil(3);
    if present >= needed && seated > 0 {
        Ok(())
    } else {
        Err(VoteRefusal::NoQuorum { present, needed })
    }
}

/// THE tally.
pub fn tally<'a>(
    seated: &[String],
    options: usize,
    rule: MajorityRule,
    votes: impl IntoIterator<Item = &'a CastVote>,
) -> Tally {
    let latest = latest_votes(seated, options, votes);
    let mut counts = vec![0u32; options];
    for option in latest.values() {
        counts[*option] += 1;
    }
    let seated_count = u32::try_from(seated.len()).unwrap_or(u32::MAX);
    let needed = rule.needed(seated_count);
    // At most one option can reach more than half (or two thirds); ties cannot.
    let winners: Vec<usize> = (0..options).filter(|i| counts[*i] >= needed).collect();
    let outcome = match winners.as_slice() {
        [only] => Outcome::Decided { option: *only },
        _ => Outcome::NoMajority,
    };
    Tally {
        voted: u32::try_from(latest.len()).unwrap_or(u32::MAX),
        counts,
        seated: seated_count,
        needed,
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn seated(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("j{i}")).collect()
    }

    fn vote(juror: &str, option: usize, key: &str) -> CastVote {
        CastVote {
            juror_id: juror.into(),
            option,
            key: key.into(),
        }
    }

    #[test]
    fn majorities_of_seated_members() {
        assert_eq!(MajorityRule::Simple.needed(7), 4);
        assert_eq!(MajorityRule::Simple.needed(15), 8);
        assert_eq!(MajorityRule::TwoThirds.needed(7), 5);
        assert_eq!(MajorityRule::TwoThirds.needed(9), 6);
        assert_eq!(MajorityRule::TwoThirds.needed(3), 2);
    }

    #[test]
    fn last_vote_counts_and_outsiders_do_not() {
        let panel = seated(7);
        let votes = vec![
            vote("j0", 0, "a"),
            vote("j1", 0, "b"),
            vote("j2", 0, "c"),
            vote("j3", 1, "d"),
            vote("j3", 0, "e"), // changed their mind
            vote("stranger", 1, "f"),
            vote("j4", 9, "g"), // no such option
        ];
        let t = tally(&panel, 3, MajorityRule::Simple, &votes);
        assert_eq!(t.counts, vec![4, 0, 0]);
        assert_eq!(t.voted, 4);
        assert_eq!(t.outcome, Outcome::Decided { option: 0 });
    }

    #[test]
    fn a_tie_or_too_few_votes_is_no_majority() {
        let panel = seated(7);
        let votes = [vote("j0", 0, "a"), vote("j1", 0, "b"), vote("j2", 0, "c")];
        assert_eq!(
            tally(&panel, 2, MajorityRule::Simple, &votes).outcome,
            Outcome::NoMajority
        );
        let panel = seated(6);
        let votes: Vec<CastVote> = (0..6).map(|i| vote(&format!("j{i}"), i % 2, "k")).collect();
        assert_eq!(
            tally(&panel, 2, MajorityRule::Simple, &votes).outcome,
            Outcome::NoMajority
        );
    }

    #[test]
    fn quorum_is_two_thirds_of_the_seated() {
        assert!(check_quorum(7, 5).is_ok());
        assert_eq!(
            check_quorum(7, 4),
            Err(VoteRefusal::NoQuorum {
                present: 4,
                needed: 5
            })
        );
        assert!(check_quorum(0, 0).is_err());
        assert!(
            check_quorum(7, 4)
                .expect_err("no quorum")
                .message_zh()
                .contains("法定人数 5 人")
        );
    }

    #[test]
    fn votes_are_checked_before_commit() {
        let panel = seated(3);
        assert_eq!(check_vote(&panel, 2, &vote("j1", 1, "k")), Ok(()));
        assert_eq!(
            check_vote(&panel, 2, &vote("x", 1, "k")),
            Err(VoteRefusal::NotSeated)
        );
        assert_eq!(
            check_vote(&panel, 2, &vote("j1", 2, "k")),
            Err(VoteRefusal::UnknownOption)
        );
    }

    fn arb_votes() -> impl Strategy<Value = Vec<CastVote>> {
        proptest::collection::vec((0usize..9, 0usize..4), 0..60).prop_map(|pairs| {
            pairs
                .into_iter()
                .enumerate()
                .map(|(i, (j, o))| vote(&format!("j{j}"), o, &format!("k{i}")))
                .collect()
        })
    }

    proptest! {
        /// Each juror counts once, with their last valid vote, whatever came before.
        #[test]
        fn each_juror_counts_once_with_the_last_vote(votes in arb_votes(), size in prop::sample::select(vec![3usize, 5, 7])) {
            let panel = seated(size);
            let t = tally(&panel, 3, MajorityRule::Simple, &votes);
            prop_assert!(t.voted as usize <= size);
            prop_assert_eq!(t.counts.iter().sum::<u32>(), t.voted);
            for juror in &panel {
                let last = votes.iter().rev().find(|v| &v.juror_id == juror && v.option < 3);
                let alone: Vec<CastVote> = last.cloned().into_iter().collect();
                let single = tally(std::slice::from_ref(juror), 3, MajorityRule::Simple, &alone);
                prop_assert_eq!(single.voted, u32::from(last.is_some()));
            }
        }

        /// Replaying any earlier vote (same key), at the end, changes nothing:
        /// a retry never counts twice nor undoes a later change of mind.
        #[test]
        fn replays_change_nothing(votes in arb_votes(), pick in any::<prop::sample::Index>()) {
            let panel = seated(7);
            let before = tally(&panel, 3, MajorityRule::Simple, &votes);
            if votes.is_empty() { return Ok(()); }
            let mut replayed = votes.clone();
            replayed.push(votes[pick.index(votes.len())].clone());
            prop_assert_eq!(tally(&panel, 3, MajorityRule::Simple, &replayed), before);
        }

        /// A decided option always has the needed votes, and at most one can.
        #[test]
        fn decided_means_majority(votes in arb_votes(), two_thirds in any::<bool>()) {
            let panel = seated(7);
            let rule = if two_thirds { MajorityRule::TwoThirds } else { MajorityRule::Simple };
            let t = tally(&panel, 3, rule, &votes);
            match t.outcome {
                Outcome::Decided { option } => prop_assert!(t.counts[option] >= t.needed),
                Outcome::NoMajority => prop_assert!(t.counts.iter().all(|c| *c < t.needed)),
            }
        }

        /// Votes of different jurors commute: only each juror's own order matters.
        #[test]
        fn order_between_jurors_does_not_matter(votes in arb_votes()) {
            let panel = seated(9);
            let mut by_juror = votes.clone();
            by_juror.sort_by(|a, b| a.juror_id.cmp(&b.juror_id)); // stable: keeps each juror's order
            prop_assert_eq!(
                tally(&panel, 4, MajorityRule::Simple, &votes),
                tally(&panel, 4, MajorityRule::Simple, &by_juror)
            );
        }
    }
}
