//! `factmine eval`: scores extraction (a fresh run, an earlier run's
//! output, or two runs compared) against gold files.

use crate::cli::EvalArgs;
use crate::rules::exit_status;
use crate::{Fatal, Outcome};
use factmine::eval::{self, report};
use std::path::PathBuf;
use std::process::ExitCode;

/// Runs `eval`.
pub fn run(args: EvalArgs) -> Outcome {
    let gold = match eval::load_dir(&args.gold) {
        Ok(g) if g.is_empty() => {
            return Err(Fatal(format!(
                "{}: no gold files (*.json)",
                args.gold.display()
            )))
        }
        Ok(g) => g,
        Err(e) => return Err(Fatal(format!("gold: {e}"))),
    };
    let texts: Vec<PathBuf> = args.texts.into_iter().chain(args.inputs).collect();
    let predictions = if let Some(runs) = &args.compare {
        let old = eval::read_run(&runs[0]).map_err(Fatal)?;
        let new = eval::read_run(&runs[1]).map_err(Fatal)?;
        print!(
            "{}",
            report::compare(&eval::evaluate(&gold, &old), &eval::evaluate(&gold, &new))
        );
        return Ok(ExitCode::SUCCESS);
    } else if let Some(dir) = &args.pred {
        eval::read_run(dir)
    } else if texts.is_empty() {
        return Err(Fatal(
            "eval needs the gold documents' texts (--texts DIR or INPUT...) or an earlier run (--pred DIR)".into(),
        ));
    } else {
        eval::predict(&crate::rules::pipeline(args.rules.as_deref())?.0, &gold, &texts)
    }
    .map_err(Fatal)?;
    let scores = eval::evaluate(&gold, &predictions);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report::to_json(&scores)).unwrap_or_default()
        );
    } else {
        print!("{}", report::table(&scores));
        if args.errors {
            println!();
            print!("{}", report::errors(&scores, &predictions));
        }
    }
    let failed = report::check_min(&scores, &args.min).map_err(Fatal)?;
    for f in &failed {
        eprintln!("factmine: below threshold: {f}");
    }
    Ok(exit_status(failed.is_empty()))
}
