//! Rule self-tests and checks. Every `example = TEXT => SPAN => VALUE` line
//! of a pattern file is run through the whole extractor (gazetteers and all
//! pattern files, as in a real run, with `published` = 2023-04-11), and
//! must yield a fact with that span, found by that rule, with that value;
//! every `counter = TEXT` line must yield no fact of the file's type.

use crate::calendar::Ymd;
use crate::extract::Candidate;
use crate::fact::FactValue;
use crate::pipeline::Pipeline;
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

/// Runs every example and counter-example of every pattern rule; returns
/// the failures and how many ran.
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
                if *c.rule != *rule.id {
                    failures.push(fail(format!("{span:?} was found by {}", c.rule)));
                } else if let Err(e) = value_matches(c, value) {
                    failures.push(fail(e));
                }
            }
            for (line, text) in &rule.counters {
                count += 1;
                let found = pipeline.extractor.extract(text, Some(EXAMPLE_PUBLISHED));
                let wrong: Vec<String> = found
                    .iter()
                    .filter(|c| c.fact_type == file.fact_type)
                    .map(|c| format!("{:?} ({})", &text[c.start..c.end], c.rule))
                    .collect();
                if !wrong.is_empty() {
                    failures.push(ExampleFailure {
                        file: file.path.clone(),
                        line: *line,
                        reason: format!(
                            "rule {}: counter-example {text:?}: found {} [{}]",
                            rule.id,
                            file.fact_type.as_str(),
                            wrong.join(", ")
                        ),
                    });
                }
            }
        }
    }
    (failures, count)
}

/// Compares a candidate's value with an example's expectation: a date's
/// `value` (or `null`); a metric's `NUMBER UNIT [QUALIFIER]`; an
/// organisation's kind.
fn value_matches(c: &Candidate, expected: &str) -> Result<(), String> {
    let v = &*c.value;
    let got = match v {
        FactValue::Date(d) => d.value.clone().unwrap_or_else(|| "null".into()),
        FactValue::Metric(m) => {
            let number = m.number.map_or("null".into(), |n| n.to_string());
            let parts = [
                Some(number),
                m.unit.clone(),
                m.qualifier.map(|q| q.as_str().into()),
            ];
            parts.into_iter().flatten().collect::<Vec<_>>().join(" ")
        }
        FactValue::Organisation(o) => o.kind.clone().unwrap_or_default(),
        FactValue::Technology(t) => t.category.clone().unwrap_or_default(),
    };
    if got == expected {
        Ok(())
    } else {
        Err(format!(
            "value {got:?}, expected {expected:?} (full value {v})"
        ))
    }
}

/// How serious a rule problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The rules do something they should not: fix before use.
    Error,
    /// Worth a look.
    Warning,
}

/// One problem `rules check` found, at a file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `file:line` of the rule or entry.
    pub at: String,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {level}: {}", self.at, self.message)
    }
}

/// Checks a loaded rule set beyond what loading checks: an alias claimed by
/// two entries of one kind, a name that is also a stop phrase, pattern rules
/// whose examples fail or are found by another rule, and rules with no
/// example (nothing shows they can fire).
pub fn check_rules(pipeline: &Pipeline, dir: &std::path::Path) -> Vec<Problem> {
    let mut problems = knowledge_base_problems(pipeline, dir);
    let (failures, _) = run_examples(pipeline);
    for f in failures {
        problems.push(Problem {
            at: format!("{}:{}", f.file.display(), f.line),
            severity: Severity::Error,
            message: f.reason,
        });
    }
    for file in &pipeline.rules.patterns {
        for rule in file.rules.iter().filter(|r| r.examples.is_empty()) {
            problems.push(Problem {
                at: format!("{}:{}", file.path.display(), rule.line),
                severity: Severity::Warning,
                message: format!(
                    "rule {} has no example, so nothing shows it can fire",
                    rule.id
                ),
            });
        }
    }
    problems.sort_by(|a, b| (a.severity, &a.at).cmp(&(b.severity, &b.at)));
    problems
}

/// The errors of the knowledge base that make its output wrong whatever
/// the text: a name claimed by two entries of one kind, and a name that is
/// also a stop phrase (so it is never found). Every command that runs a
/// rule folder stops on these.
pub fn knowledge_base_problems(pipeline: &Pipeline, dir: &std::path::Path) -> Vec<Problem> {
    use crate::rules::EntryKind;
    use std::collections::HashMap;
    let g = &pipeline.rules.gazetteer;
    let place = |rule: &str| format!("{}", dir.join("gazetteers").join(rule).display());
    let class = |k: &EntryKind| match k {
        EntryKind::Organisation { .. } => "organisation",
        EntryKind::Technology { .. } => "technology",
        EntryKind::Stop { .. } => "stop phrase",
    };
    let mut problems = Vec::new();
    let mut claimed: HashMap<(String, &str), usize> = HashMap::new();
    let mut stops: HashMap<String, usize> = HashMap::new();
    for alias in &g.aliases {
        let entry = &g.entries[alias.entry];
        let key = alias.text.to_lowercase();
        if let EntryKind::Stop { .. } = entry.kind {
            stops.entry(key).or_insert(alias.entry);
            continue;
        }
        match claimed.get(&(key.clone(), class(&entry.kind))) {
            Some(&other) if other != alias.entry => problems.push(Problem {
                at: place(&entry.defined_at),
                severity: Severity::Error,
                message: format!(
                    "{:?} ({}) is also a name of {:?} ({})",
                    alias.text,
                    entry.canonical,
                    g.entries[other].canonical,
                    place(&g.entries[other].defined_at)
                ),
            }),
            Some(_) => {}
            None => {
                claimed.insert((key, class(&entry.kind)), alias.entry);
            }
        }
    }
    for ((name, _), entry) in &claimed {
        if let Some(&stop) = stops.get(name) {
            problems.push(Problem {
                at: place(&g.entries[*entry].defined_at),
                severity: Severity::Error,
                message: format!(
                    "{name:?} is also a stop phrase ({}), so it is never found",
                    place(&g.entries[stop].defined_at)
                ),
            });
        }
    }
    problems.sort_by(|a, b| (a.severity, &a.at).cmp(&(b.severity, &b.at)));
    problems
}
