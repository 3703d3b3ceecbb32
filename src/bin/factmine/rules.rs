//! `factmine rules check` and `factmine rules test`.

use crate::{Fatal, Outcome};
use factmine::rules::builtin;
use factmine::{checks, Pipeline};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The rule folder a command uses: the one given, else the rules built
/// into factmine; and how `summary.json` names it.
pub fn folder(given: Option<&Path>) -> Result<(PathBuf, String), Fatal> {
    match given {
        Some(dir) => Ok((dir.to_path_buf(), dir.display().to_string())),
        None => {
            let dir = builtin::folder()
                .map_err(|e| Fatal(format!("cannot unpack the built-in rules: {e}")))?;
            Ok((dir, "built-in".into()))
        }
    }
}

/// Loads the rule folder a command uses. A folder given (not the
/// built-in rules, checked when factmine is built) must be free of the
/// knowledge-base errors `rules check` reports (failing examples are
/// `rules test`'s business), or nothing is run with it.
pub fn pipeline(given: Option<&Path>) -> Result<(Pipeline, String), Fatal> {
    let (dir, source) = folder(given)?;
    let pipeline = Pipeline::load(&dir)?;
    if given.is_some() {
        let errors: Vec<String> = checks::knowledge_base_problems(&pipeline, &dir)
            .into_iter()
            .filter(|p| p.severity == checks::Severity::Error)
            .map(|p| p.to_string())
            .collect();
        if !errors.is_empty() {
            return Err(Fatal(format!(
                "the rules in {} have {} (as `factmine rules check` reports):\n{}",
                dir.display(),
                crate::count(errors.len(), "error", "errors"),
                errors.join("\n")
            )));
        }
    }
    Ok((pipeline, source))
}

/// Writes the built-in rules to a new folder.
pub fn init(dir: &Path) -> Outcome {
    builtin::write_to(dir).map_err(|e| Fatal(format!("rules init: {e}")))?;
    eprintln!(
        "factmine: the built-in rules are in {}; use them with --rules {0} (or FACTMINE_RULES)",
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs every rule's examples and counter-examples; exit 1 when one fails.
pub fn test(dir: Option<&Path>) -> Outcome {
    let (pipeline, _) = pipeline(dir)?;
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
pub fn check(dir: Option<&Path>) -> Outcome {
    let (dir, _) = folder(dir)?;
    let dir = dir.as_path();
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
