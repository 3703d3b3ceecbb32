//! A time budget for one document's analysis, so a pathological article
//! is reported and skipped instead of holding up a batch run.

use std::fmt;
use std::time::{Duration, Instant};

/// How long one document's analysis may take. The stages check it between
/// steps, and the scans every few hundred matches, so a document that runs
/// over stops within one linear pass of its text.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// The deadline and the limit it came from; `None` is no limit.
    deadline: Option<(Instant, Duration)>,
}

/// A document ran over its time budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverBudget {
    /// What the analysis was doing when the budget ran out.
    pub stage: &'static str,
    /// The budget.
    pub limit: Duration,
}

impl fmt::Display for OverBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "over the time budget of {} s while {}",
            self.limit.as_secs_f64(),
            self.stage
        )
    }
}

impl std::error::Error for OverBudget {}

impl Budget {
    /// No limit.
    pub const UNLIMITED: Budget = Budget { deadline: None };

    /// A budget of `limit` from now.
    pub fn starting_now(limit: Duration) -> Budget {
        Budget {
            deadline: Some((Instant::now() + limit, limit)),
        }
    }

    /// Fails once the deadline has passed, naming the stage.
    pub fn check(&self, stage: &'static str) -> Result<(), OverBudget> {
        match self.deadline {
            Some((deadline, limit)) if Instant::now() >= deadline => {
                Err(OverBudget { stage, limit })
            }
            _ => Ok(()),
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
    }
}
