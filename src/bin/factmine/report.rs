//! `factmine report`: a run's digest per Integrated Care System, written as
//! `digest.json` and a static site (`index.html`, one page per ICS).

use crate::cli::ReportArgs;
use crate::{Fatal, Outcome};
use factmine::report::{self, site};
use factmine::review::store::Store;
use factmine::rules::RuleSet;
use std::process::ExitCode;

/// Runs `report`.
pub fn run(args: ReportArgs) -> Outcome {
    let (dir, _) = crate::rules::folder(args.rules.as_deref())?;
    let systems = RuleSet::load(&dir)?.gazetteer.systems();
    let digest = match (&args.run, &args.reviewed) {
        (_, Some(db)) => {
            if !db.is_file() {
                return Err(Fatal(format!("{}: no review database here", db.display())));
            }
            let store = Store::open(db).map_err(|e| Fatal(format!("{}: {e}", db.display())))?;
            report::digest_review(&store, systems)
                .map_err(|e| Fatal(format!("{}: {e}", db.display())))?
        }
        (Some(run), None) => {
            if same_folder(run, &args.out) {
                return Err(Fatal(format!(
                    "{}: the report goes in a folder of its own, not the run's",
                    args.out.display()
                )));
            }
            report::digest_run(run, systems).map_err(Fatal)?
        }
        (None, None) => unreachable!("clap requires RUN_DIR or --reviewed"),
    };
    let cannot = |e: std::io::Error| Fatal(format!("{}: cannot write: {e}", args.out.display()));
    std::fs::create_dir_all(&args.out).map_err(cannot)?;
    let json = serde_json::to_string_pretty(&digest).expect("a digest serialises") + "\n";
    std::fs::write(args.out.join("digest.json"), json).map_err(cannot)?;
    let pages = site::write(&digest, &args.out).map_err(cannot)?;
    if !args.quiet {
        let covered = digest
            .systems
            .iter()
            .filter(|s| s.facts["total"] > 0)
            .count();
        eprintln!(
            "factmine: digest of {} documents and {} facts ({covered} of {} ICSs covered): {} and {} pages in {}; open {}",
            digest.documents,
            digest.facts,
            digest.systems.len(),
            args.out.join("digest.json").display(),
            pages.len(),
            args.out.display(),
            args.out.join("index.html").display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether two paths name the same existing folder.
fn same_folder(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
