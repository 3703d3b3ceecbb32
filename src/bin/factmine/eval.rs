//! `factmine eval`: scores extraction (a fresh run, an earlier run's
//! output, or two runs compared) against gold files.

use crate::cli::EvalArgs;
use crate::rules::exit_status;
use crate::{Fatal, Outcome};
use factmine::eval::GoldDoc;
use factmine::eval::{self, report};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Runs `eval`.
pub fn run(args: EvalArgs) -> Outcome {
    if let Some(runs) = &args.compare {
        let old = eval::read_run(&runs[0]).map_err(Fatal)?;
        let new = eval::read_run(&runs[1]).map_err(Fatal)?;
        print!("{}", report::fact_changes(&old, &new));
        if let Some(dir) = &args.gold {
            let gold = load_gold(dir)?;
            println!();
            print!(
                "{}",
                report::compare(
                    &eval::evaluate(&gold, &old),
                    &eval::evaluate(&gold, &new),
                    args.all
                )
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let gold = load_gold(
        args.gold
            .as_deref()
            .expect("clap requires --gold without --compare"),
    )?;
    let texts: Vec<PathBuf> = args.texts.into_iter().chain(args.inputs).collect();
    let predictions = if let Some(dir) = &args.pred {
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
    // A threshold naming no score is an error before anything is printed.
    let failed = report::check_min(&scores, &args.min).map_err(Fatal)?;
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
    for f in &failed {
        eprintln!("factmine: below threshold: {f}");
    }
    Ok(exit_status(failed.is_empty()))
}

/// Loads a folder of gold files; none is an error.
fn load_gold(dir: &Path) -> Result<Vec<GoldDoc>, Fatal> {
    match eval::load_dir(dir) {
        Ok(g) if g.is_empty() => Err(Fatal(format!("{}: no gold files (*.json)", dir.display()))),
        Ok(g) => Ok(g),
        Err(e) => Err(Fatal(format!("gold: {e}"))),
    }
}
