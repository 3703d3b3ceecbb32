//! The factmine command line: a thin layer over the library.

use clap::{Parser, Subcommand};
use factmine::batch::{self, RunOptions};
use factmine::checks;
use factmine::eval::{self, report};
use factmine::ingest::{self, Records};
use factmine::output::{DirSink, Sink, StreamSink};
use factmine::Pipeline;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Turns health-tech news about NHS digital and data work into structured facts.
#[derive(Parser)]
#[command(name = "factmine", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Extract facts from articles: files, folders (recursive), or `-` for JSON lines on stdin.
    Extract {
        /// Input files or folders; `-` reads JSON lines from stdin.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Output folder (facts.jsonl, documents.jsonl, summary.json), or `-` for facts on stdout.
        #[arg(long)]
        out: PathBuf,
        /// The rule folder.
        #[arg(long, default_value = "rules", env = "FACTMINE_RULES")]
        rules: PathBuf,
        /// Worker threads (default: one per core).
        #[arg(long)]
        threads: Option<usize>,
        /// Documents held in memory at once.
        #[arg(long, default_value_t = 256)]
        batch: usize,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Work with rule folders.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Score extraction against hand-labelled gold files.
    Eval {
        /// Folder of gold files (one JSON file per document).
        #[arg(long)]
        gold: PathBuf,
        /// Folder holding the gold documents' texts.
        #[arg(long)]
        texts: Option<PathBuf>,
        /// Files or folders holding the gold documents' texts (like --texts).
        inputs: Vec<PathBuf>,
        /// Score an earlier run's output folder instead of extracting.
        #[arg(long, conflicts_with_all = ["texts", "inputs", "compare"])]
        pred: Option<PathBuf>,
        /// Compare two earlier runs' output folders: facts gained and lost, score changes.
        #[arg(long, num_args = 2, value_names = ["OLD_RUN", "NEW_RUN"], conflicts_with_all = ["texts", "inputs"])]
        compare: Option<Vec<PathBuf>>,
        /// The rule folder.
        #[arg(long, default_value = "rules", env = "FACTMINE_RULES")]
        rules: PathBuf,
        /// List every missed, spurious, mis-spanned and wrong-value fact.
        #[arg(long)]
        errors: bool,
        /// Print scores and findings as JSON.
        #[arg(long)]
        json: bool,
        /// Fail (exit 1) when a score is below VALUE, e.g. --min lenient.all.f1=0.9.
        #[arg(long = "min", value_name = "KEY=VALUE")]
        min: Vec<String>,
    },
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Load every rule file and report malformed lines, bad regexes, names
    /// claimed twice, names that are stop phrases, and failing examples.
    Check {
        /// The rule folder.
        #[arg(default_value = "rules", env = "FACTMINE_RULES")]
        dir: PathBuf,
    },
    /// Run every rule's examples and counter-examples.
    Test {
        /// The rule folder.
        #[arg(default_value = "rules", env = "FACTMINE_RULES")]
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Extract {
            inputs,
            out,
            rules,
            threads,
            batch,
            quiet,
        } => extract(inputs, out, rules, threads, batch, quiet),
        Command::Rules { command } => match command {
            RulesCommand::Check { dir } => rules_check(&dir),
            RulesCommand::Test { dir } => rules_test(&dir),
        },
        Command::Eval {
            gold,
            texts,
            inputs,
            pred,
            compare,
            rules,
            errors,
            json,
            min,
        } => {
            let texts: Vec<PathBuf> = texts.into_iter().chain(inputs).collect();
            let source = match (pred, compare) {
                (Some(dir), _) => EvalSource::Run(dir),
                (None, Some(runs)) => EvalSource::Compare(runs[0].clone(), runs[1].clone()),
                (None, None) => EvalSource::Texts(texts, rules),
            };
            eval(&gold, source, errors, json, &min)
        }
    }
}

fn rules_test(dir: &Path) -> ExitCode {
    let pipeline = match Pipeline::load(dir) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("factmine: rules: {e}");
            return ExitCode::from(2);
        }
    };
    let (failures, count) = checks::run_examples(&pipeline);
    for f in &failures {
        println!("{f}");
    }
    println!(
        "{} passed, {} failed",
        count - failures.len(),
        failures.len()
    );
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn rules_check(dir: &Path) -> ExitCode {
    let pipeline = match Pipeline::load(dir) {
        Ok(p) => p,
        Err(e) => {
            println!("{e}");
            println!("1 error (loading stops at the first one)");
            return ExitCode::from(1);
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
    if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Where `eval` gets its predictions.
enum EvalSource {
    /// Run the pipeline over these texts with these rules.
    Texts(Vec<PathBuf>, PathBuf),
    /// Read an earlier run's output.
    Run(PathBuf),
    /// Compare two earlier runs.
    Compare(PathBuf, PathBuf),
}

fn eval(
    gold_dir: &Path,
    source: EvalSource,
    show_errors: bool,
    json: bool,
    min: &[String],
) -> ExitCode {
    let fail = |msg: String| {
        eprintln!("factmine: {msg}");
        ExitCode::from(2)
    };
    let mins: Vec<(String, f64)> = match min.iter().map(|m| report::parse_min(m)).collect() {
        Ok(m) => m,
        Err(e) => return fail(e),
    };
    let gold = match eval::load_dir(gold_dir) {
        Ok(g) if g.is_empty() => {
            return fail(format!("{}: no gold files (*.json)", gold_dir.display()))
        }
        Ok(g) => g,
        Err(e) => return fail(format!("gold: {e}")),
    };
    let predictions = match source {
        EvalSource::Compare(old, new) => {
            let (old, new) = match (eval::read_run(&old), eval::read_run(&new)) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(e), _) | (_, Err(e)) => return fail(e),
            };
            print!("{}", report::compare(&eval::evaluate(&gold, &old), &eval::evaluate(&gold, &new)));
            return ExitCode::SUCCESS;
        }
        EvalSource::Run(dir) => eval::read_run(&dir),
        EvalSource::Texts(texts, _) if texts.is_empty() => {
            return fail("eval needs the gold documents' texts (--texts DIR or INPUT...) or an earlier run (--pred DIR)".into())
        }
        EvalSource::Texts(texts, rules) => match Pipeline::load(&rules) {
            Ok(pipeline) => eval::predict(&pipeline, &gold, &texts),
            Err(e) => return fail(format!("rules: {e}")),
        },
    };
    let predictions = match predictions {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let scores = eval::evaluate(&gold, &predictions);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report::to_json(&scores)).unwrap_or_default()
        );
    } else {
        print!("{}", report::table(&scores));
        if show_errors {
            println!();
            print!("{}", report::errors(&scores, &predictions));
        }
    }
    match report::check_min(&scores, &mins) {
        Err(e) => fail(e),
        Ok(failed) if failed.is_empty() => ExitCode::SUCCESS,
        Ok(failed) => {
            for f in failed {
                eprintln!("factmine: below threshold: {f}");
            }
            ExitCode::from(1)
        }
    }
}

fn extract(
    inputs: Vec<PathBuf>,
    out: PathBuf,
    rules: PathBuf,
    threads: Option<usize>,
    batch_size: usize,
    quiet: bool,
) -> ExitCode {
    if threads == Some(0) {
        eprintln!("factmine: --threads must be at least 1");
        return ExitCode::from(2);
    }
    let pipeline = match Pipeline::load(&rules) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("factmine: rules: {e}");
            return ExitCode::from(2);
        }
    };
    let records = Records::new(ingest::discover(&inputs));
    let options = RunOptions {
        threads,
        batch_size,
    };
    let to_stdout = out.as_os_str() == "-";
    let mut sink: Box<dyn Sink> = if to_stdout {
        Box::new(StreamSink::new(io::stdout().lock()))
    } else {
        match DirSink::create(&out) {
            Ok(s) => Box::new(s),
            Err(e) => {
                eprintln!("factmine: cannot write to {}: {e}", out.display());
                return ExitCode::from(2);
            }
        }
    };
    let report = |e: &ingest::InputError| eprintln!("factmine: skipped {e}");
    let summary = match batch::run(&pipeline, records, options, sink.as_mut(), report) {
        Ok(s) => s,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("factmine: writing output failed: {e}");
            return ExitCode::from(2);
        }
    };
    if !quiet {
        let facts: usize = summary.facts.values().sum();
        let _ = writeln!(
            io::stderr(),
            "factmine: {} documents ({} failed), {} facts in {:.2}s{}",
            summary.read,
            summary.failures.len(),
            facts,
            summary.elapsed_seconds,
            if to_stdout {
                String::new()
            } else {
                format!(" → {}", out.display())
            }
        );
    }
    if summary.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
