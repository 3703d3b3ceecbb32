//! `factmine rules check` and `factmine rules test`.

use crate::Outcome;
use factmine::{checks, Pipeline};
use std::path::Path;
use std::process::ExitCode;

/// Runs every rule's examples and counter-examples; exit 1 when one fails.
pub fn test(dir: &Path) -> Outcome {
    let pipeline = Pipeline::load(dir)?;
    let (failures, count) = checks::run_examples(&pipeline);
    for f in &failures {
        println!("{f}");
    }
    println!(
        "{} passed, {} failed",
        count - failures.len(),
        failures.len()
    );
    Ok(exit_status(failures.is_empty()))
}

/// Loads and checks a rule folder, listing every problem with its file and
/// line; exit 1 when there are errors.
pub fn check(dir: &Path) -> Outcome {
    let pipeline = match Pipeline::load(dir) {
        Ok(p) => p,
        Err(e) => {
            println!("{e}");
            println!("1 error (loading stops at the first one)");
            return Ok(ExitCode::from(1));
        }
    };
    let problems = checks::check_rules(&pipeline, dir);
    for p in &problems {
        println!("{p}");
    }
    let errors = problems
        .iter()
        .filter(|p| p.severity == checks::Severity::Error)
        .count();
    let g = &pipeline.rules.gazetteer;
    let rules: usize = pipeline.rules.patterns.iter().map(|f| f.rules.len()).sum();
    let examples: usize = pipeline
        .rules
        .patterns
        .iter()
        .flat_map(|f| &f.rules)
        .map(|r| r.examples.len())
        .sum();
    println!(
        "{errors} errors, {} warnings: {} gazetteer entries ({} names with variants), {rules} pattern rules, {examples} examples",
        problems.len() - errors,
        g.entries.len(),
        g.aliases.len()
    );
    Ok(exit_status(errors == 0))
}

/// Exit 0 when all is well, 1 otherwise.
pub fn exit_status(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
