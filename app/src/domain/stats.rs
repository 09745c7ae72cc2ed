//! 统计 the figures offices judge themselves by (#10): resolution, repeat
//! petitions after review, satisfaction, and how often each pool member served.
//! Pure: every figure on the dashboard is one of these functions, each tested on
//! a fixed data set with the number it must give.

use super::case::{Coded, coded_enum};
use serde::{Deserialize, Serialize};

coded_enum! {
    /// 化解情况: how a reviewed case ended.
    Resolution {
        /// 化解: the dispute is settled.
        Resolved = ("resolved", "化解", "Resolved"),
        /// 未化解: not settled.
        Unresolved = ("unresolved", "未化解", "Not resolved"),
        /// 程序性办结: closed by procedure without settlement (e.g. withdrawn).
        Procedural = ("procedural", "程序性办结", "Closed by procedure"),
    }
}

coded_enum! {
    /// 满意度: the petitioner's rating of the handling.
    Satisfaction {
        Satisfied = ("satisfied", "满意", "Satisfied"),
        FairlySatisfied = ("fairly_satisfied", "基本满意", "Fairly satisfied"),
        Dissatisfied = ("dissatisfied", "不满意", "Dissatisfied"),
    }
}

/// A share as the offices print it: numerator, denominator and the percentage
/// rounded half up to two decimals ("94.12%"); `None` when nothing was counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    pub count: u32,
    pub of: u32,
}

impl Rate {
    pub fn new(count: u32, of: u32) -> Rate {
        Rate { count, of }
    }

    /// Hundredths of a percent (9412 for 94.12%), rounded half up; `None` for 0/0.
    pub fn basis_points(self) -> Option<u32> {
        if self.of == 0 {
            return None;
        }
        let scaled = u64::from(self.count) * 10_000 * 2 + u64::from(self.of);
        u32::try_from(scaled / (2 * u64::from(self.of))).ok()
    }

    /// "94.12%", or "—" when nothing was counted.
    pub fn percent_text(self) -> String {
        match self.basis_points() {
            Some(bp) => format!("{}.{:02}%", bp / 100, bp % 100),
            None => "—".into(),
        }
    }
}

/// 化解率: resolved cases among the reviewed cases with an outcome recorded.
/// Cases still open (no outcome yet) are not in the denominator.
pub fn resolution_rate(outcomes: &[Option<Resolution>]) -> Rate {
    let decided = outcomes.iter().flatten();
    let of = decided.clone().count();
    let resolved = decided.filter(|r| **r == Resolution::Resolved).count();
    Rate::new(clamp(resolved), clamp(of))
}

/// 复访率的反面, as Haining counts it: reviewed cases **not** petitioned again
/// afterwards (32 of 34 → 94.12%). `repeated[i]` says whether review i was
/// followed by a repeat petition linked to it.
pub fn no_repeat_rate(repeated: &[bool]) -> Rate {
    let clean = repeated.iter().filter(|r| !**r).count();
    Rate::new(clamp(clean), clamp(repeated.len()))
}

/// 满意率: 满意 and 基本满意 among the ratings given (Weifang's 96.9%).
pub fn satisfaction_rate(ratings: &[Satisfaction]) -> Rate {
    let content = ratings
        .iter()
        .filter(|r| **r != Satisfaction::Dissatisfied)
        .count();
    Rate::new(clamp(content), clamp(ratings.len()))
}

fn clamp(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// How often each member served: (member, times), most first, then by id; and
/// the spread (most − fewest among those who could serve), the fairness check
/// of the draw over time. `pool` lists everyone who could have been drawn.
pub fn participation(pool: &[String], seatings: &[String]) -> (Vec<(String, u32)>, u32) {
    let mut counts: Vec<(String, u32)> = pool.iter().map(|m| (m.clone(), 0)).collect();
    for seated in seatings {
        match counts.iter_mut().find(|(m, _)| m == seated) {
            Some((_, n)) => *n += 1,
            None => counts.push((seated.clone(), 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let most = counts.first().map_or(0, |c| c.1);
    let fewest = counts.last().map_or(0, |c| c.1);
    (counts, most - fewest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn haining_counts_32_of_34_reviews_without_a_repeat_as_94_12_percent() {
        let mut repeated = vec![false; 34];
        repeated[3] = true;
        repeated[20] = true;
        let rate = no_repeat_rate(&repeated);
        assert_eq!(rate, Rate::new(32, 34));
        assert_eq!(rate.percent_text(), "94.12%");
    }

    #[test]
    fn weifang_satisfaction_counts_fairly_satisfied_as_content() {
        // 31 of 32: 25 满意, 6 基本满意, 1 不满意 → 96.88%.
        let mut ratings = vec![Satisfaction::Satisfied; 25];
        ratings.extend([Satisfaction::FairlySatisfied; 6]);
        ratings.push(Satisfaction::Dissatisfied);
        let rate = satisfaction_rate(&ratings);
        assert_eq!(rate, Rate::new(31, 32));
        assert_eq!(rate.percent_text(), "96.88%");
    }

    #[test]
    fn resolution_rate_leaves_open_cases_out() {
        let outcomes = [
            Some(Resolution::Resolved),
            Some(Resolution::Resolved),
            Some(Resolution::Unresolved),
            Some(Resolution::Procedural),
            None,
        ];
        let rate = resolution_rate(&outcomes);
        assert_eq!(rate, Rate::new(2, 4));
        assert_eq!(rate.percent_text(), "50.00%");
        assert_eq!(resolution_rate(&[None]).percent_text(), "—");
    }

    #[test]
    fn rounding_is_half_up_at_two_decimals() {
        assert_eq!(Rate::new(1, 3).percent_text(), "33.33%");
        assert_eq!(Rate::new(2, 3).percent_text(), "66.67%");
        assert_eq!(Rate::new(1, 8).percent_text(), "12.50%");
        assert_eq!(Rate::new(1, 80_000).percent_text(), "0.00%");
        assert_eq!(Rate::new(1, 20_000).percent_text(), "0.01%");
        assert_eq!(Rate::new(7, 7).percent_text(), "100.00%");
    }

    #[test]
    fn participation_counts_everyone_in_the_pool_and_the_spread() {
        let pool: Vec<String> = ["M1", "M2", "M3"].map(String::from).to_vec();
        let seatings: Vec<String> = ["M1", "M2", "M1"].map(String::from).to_vec();
        let (counts, spread) = participation(&pool, &seatings);
        assert_eq!(
            counts,
            vec![("M1".into(), 2), ("M2".into(), 1), ("M3".into(), 0)]
        );
        assert_eq!(spread, 2);
    }

    proptest! {
        /// A rate is never above 100% and is exact to the basis point.
        #[test]
        fn rates_stay_within_bounds(count in 0u32..100_000, extra in 0u32..100_000) {
            let rate = Rate::new(count, count + extra);
            if let Some(bp) = rate.basis_points() {
                prop_assert!(bp <= 10_000);
                let exact = f64::from(count) * 10_000.0 / f64::from(count + extra);
                prop_assert!((f64::from(bp) - exact).abs() <= 0.5 + 1e-9);
            } else {
                prop_assert_eq!(count + extra, 0);
            }
        }
    }
}
