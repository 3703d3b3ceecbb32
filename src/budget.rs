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

    /// The same budget with `spent` of it already used: its time runs out
    /// `spent` sooner than a budget started now.
    pub fn resumed(&self, spent: Duration) -> Budget {
        Budget {
            deadline: self
                .deadline
                .map(|(_, limit)| (Instant::now() + limit.saturating_sub(spent), limit)),
            ..*self
        }
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

/// One document's share of work done in steps between other documents'
/// (a group analysed stage by stage): its budget, resumed at each step with
/// the time its earlier steps took, and the bytes of text they examined
/// ([`crate::work`]).
#[derive(Debug, Clone)]
pub struct Account {
    budget: Budget,
    spent: Duration,
    examined: u64,
}

impl Account {
    /// An account with nothing spent; the budget's time counts only while
    /// a step of this document runs.
    pub fn new(budget: Budget) -> Account {
        Account {
            budget,
            spent: Duration::ZERO,
            examined: 0,
        }
    }

    /// Runs one step of the document's work within what is left of its
    /// budget, and books the time and the work it took. The work tally of
    /// this thread must be taken before the group starts.
    pub fn step<T>(&mut self, work: impl FnOnce(&Budget) -> T) -> T {
        let started = Instant::now();
        let done = work(&self.budget.resumed(self.spent));
        self.spent += started.elapsed();
        self.examined += crate::work::take();
        done
    }

    /// The bytes examined by the steps so far.
    pub fn examined(&self) -> u64 {
        self.examined
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

    #[test]
    fn an_account_spends_its_budget_only_in_its_own_steps() {
        let mut account = Account::new(Budget::starting_now(Duration::from_millis(200)));
        // Time between its steps (other documents' steps) is not its own.
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(account.step(|b| b.check("first step")), Ok(()));
        let over = account.step(|b| {
            std::thread::sleep(Duration::from_millis(250));
            b.check("second step")
        });
        assert_eq!(
            over.unwrap_err().to_string(),
            "over the time budget of 0.2 s while second step"
        );
        // Spent in earlier steps, it stays spent.
        assert!(account.step(|b| b.check("third step")).is_err());
        assert!(account.step(|b| b.check("after")).is_err());
        assert_eq!(
            Account::new(Budget::UNLIMITED).step(|b| b.check("x")),
            Ok(())
        );
    }

    #[test]
    fn an_account_books_the_work_of_its_steps() {
        crate::work::take();
        crate::work::examined(7);
        let mut account = Account::new(Budget::UNLIMITED);
        // Work before the account's first step is not its own.
        crate::work::take();
        account.step(|_| crate::work::examined(10));
        account.step(|_| crate::work::examined(5));
        assert_eq!(account.examined(), 15);
        assert_eq!(crate::work::take(), 0);
    }
}
