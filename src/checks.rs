//! Rule self-tests: every `example = TEXT => SPAN => VALUE` line of a
//! pattern file is run through the whole extractor (gazetteers and all
//! pattern files, as in a real run, with `published` = 2023-04-11), and
//! must yield a fact with that span, found by that rule, with that value.

use crate::calendar::Ymd;
use crate::extract::Candidate;
use crate::fact::FactType;
use crate::pipeline::Pipeline;
use serde_json::Value;
use std::fmt;
use std::path::PathBuf;

/// The publication date examples are read with.
pub const EXAMPLE_PUBLISHED: Ymd = Ymd {
    year: 2023,
    month: 4,
    day: 11,
};

/// An example that did not come out as its rule says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    /// The pattern file.
    pub file: PathBuf,
    /// The example's line.
    pub line: usize,
    /// What went wrong.
    pub reason: String,
}

impl fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.reason)
    }
}

/// Runs every example of every pattern rule; returns the failures and how
/// many examples ran.
pub fn run_examples(pipeline: &Pipeline) -> (Vec<ExampleFailure>, usize) {
    let mut failures = Vec::new();
    let mut count = 0;
    for file in &pipeline.rules.patterns {
        for rule in &file.rules {
            for (line, example, expected) in &rule.examples {
                count += 1;
                let fail = |reason: String| ExampleFailure {
                    file: file.path.clone(),
                    line: *line,
                    reason: format!("rule {}: {example:?}: {reason}", rule.id),
                };
                let Some((span, value)) = expected.split_once("=>") else {
                    failures.push(fail("expected TEXT => SPAN => VALUE".into()));
                    continue;
                };
                let (span, value) = (span.trim(), value.trim());
                let found = pipeline.extractor.extract(example, Some(EXAMPLE_PUBLISHED));
                let Some(c) = found.iter().find(|c| &example[c.start..c.end] == span) else {
                    let got: Vec<String> = found
                        .iter()
                        .map(|c| format!("{:?} ({})", &example[c.start..c.end], c.rule))
                        .collect();
                    failures.push(fail(format!(
                        "no fact {span:?}; found [{}]",
                        got.join(", ")
                    )));
                    continue;
                };
                if c.rule != rule.id {
                    failures.push(fail(format!("{span:?} was found by {}", c.rule)));
                } else if let Err(e) = value_matches(file.fact_type, c, value) {
                    failures.push(fail(e));
                }
            }
        }
    }
    (failures, count)
}

/// Compares a candidate's value with an example's expectation: a date's
/// `value` (or `null`); a metric's `NUMBER UNIT [QUALIFIER]`; an
/// organisation's kind.
fn value_matches(fact_type: FactType, c: &Candidate, expected: &str) -> Result<(), String> {
    let v = &c.value;
    let got = match fact_type {
        FactType::Date => match &v["value"] {
            Value::String(s) => s.clone(),
            _ => "null".into(),
        },
        FactType::Metric => {
            let mut parts = vec![v["number"].to_string()];
            if let Value::String(unit) = &v["unit"] {
                parts.push(unit.clone());
            }
            if let Value::String(q) = &v["qualifier"] {
                parts.push(q.clone());
            }
            parts.join(" ")
        }
        FactType::Organisation => v["kind"].as_str().unwrap_or("").to_string(),
        FactType::Technology => v["category"].as_str().unwrap_or("").to_string(),
    };
    if got == expected {
        Ok(())
    } else {
        Err(format!(
            "value {got:?}, expected {expected:?} (full value {v})"
        ))
    }
}
