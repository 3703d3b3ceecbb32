//! A budget for one document's analysis — time, and how many candidate
//! facts it may gather — so a pathological article is reported and
//! skipped, in bounded time and memory, instead of holding up a batch run.

use std::fmt;
use std::time::{Duration, Instant};

/// How long one document's analysis may take. The stages check it between
/// steps, and the scans every few hundred matches, so a document that runs
/// over stops within one linear pass of its text.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// The deadline and the limit it came from; `None` is no limit.
    deadline: Option<(Instant, Duration)>,
    /// The most facts the document may yield; the stages stop once they
    /// hold [`CANDIDATES_PER_FACT`] times as many candidates.
    max_facts: Option<usize>,
}

/// How many candidates (before overlaps are resolved) the stages may hold
/// per fact allowed.
pub const CANDIDATES_PER_FACT: usize = 4;

/// How many candidates the stages may hold when `max_facts` facts are
/// allowed.
pub fn candidates_for(max_facts: usize) -> usize {
    max_facts.saturating_mul(CANDIDATES_PER_FACT)
}

/// Which limit a document ran over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// The time budget.
    Time(Duration),
    /// The most facts (`--max-facts`).
    Facts(usize),
}

/// A document ran over its budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverBudget {
    /// What the analysis was doing when the budget ran out.
    pub stage: &'static str,
    /// The limit it ran over.
    pub limit: Limit,
    /// For too many candidates, a byte offset before which the text held
    /// few enough of those found so far (half the limit): where a shorter
    /// analysis may stop.
    pub fits_before: Option<usize>,
}

impl fmt::Display for OverBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.limit {
            Limit::Time(limit) => write!(
                f,
                "over the time budget of {} s while {}",
                limit.as_secs_f64(),
                self.stage
            ),
            Limit::Facts(limit) => write!(
                f,
                "too many facts: over {} candidates while {} (the limit is {limit} facts)",
                candidates_for(limit),
                self.stage
            ),
        }
    }
}

impl std::error::Error for OverBudget {}

impl Budget {
    /// No limit.
    pub const UNLIMITED: Budget = Budget {
        deadline: None,
        max_facts: None,
    };

    /// A budget of `limit` from now.
    pub fn starting_now(limit: Duration) -> Budget {
        Budget {
            deadline: Some((Instant::now() + limit, limit)),
            max_facts: None,
        }
    }

    /// The same budget, allowing at most `max` facts.
    pub fn with_max_facts(self, max: usize) -> Budget {
        Budget {
            max_facts: Some(max),
            ..self
        }
    }

    /// The most facts allowed, if limited.
    pub fn max_facts(&self) -> Option<usize> {
        self.max_facts
    }

    /// The most candidates the stages may hold, if limited.
    pub fn max_candidates(&self) -> Option<usize> {
        self.max_facts.map(candidates_for)
    }

    /// Fails once the deadline has passed, naming the stage.
    pub fn check(&self, stage: &'static str) -> Result<(), OverBudget> {
        match self.deadline {
            Some((deadline, limit)) if Instant::now() >= deadline => Err(OverBudget {
                stage,
                limit: Limit::Time(limit),
                fits_before: None,
            }),
            _ => Ok(()),
        }
    }

    /// Fails when `candidates` are more than the facts allowed can need.
    pub fn check_candidates(
        &self,
        stage: &'static str,
        candidates: usize,
    ) -> Result<(), OverBudget> {
        match self.max_facts {
            Some(max) if candidates > candidates_for(max) => Err(OverBudget {
                stage,
                limit: Limit::Facts(max),
                fits_before: None,
            }),
            _ => self.check(stage),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spent_budget_names_its_stage_and_no_budget_never_runs_out() {
        let spent = Budget::starting_now(Duration::ZERO);
        let err = spent.check("cutting sections").unwrap_err();
        assert_eq!(
            err.to_string(),
            "over the time budget of 0 s while cutting sections"
        );
        assert_eq!(Budget::UNLIMITED.check("anything"), Ok(()));
        assert_eq!(
            Budget::starting_now(Duration::from_secs(3600)).check("x"),
            Ok(())
        );
        let few = Budget::UNLIMITED.with_max_facts(10);
        assert_eq!(few.check_candidates("matching", 40), Ok(()));
        assert_eq!(
            few.check_candidates("matching", 41)
                .unwrap_err()
                .to_string(),
            "too many facts: over 40 candidates while matching (the limit is 10 facts)"
        );
    }
}
