//! The factmine command line: a thin layer over the library.

use clap::{Parser, Subcommand};
use factmine::batch::{self, Event, Limits, PreviousRun, RunOptions, Shard, Sink, Summary};
use factmine::checks;
use factmine::eval::{self, report};
use factmine::ingest::{self, Records};
use factmine::output::{DirSink, StreamSink};
use factmine::progress::{self, Progress};
use factmine::review::{
    self,
    server::{self, App},
    store::Store,
};
use factmine::Pipeline;
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

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
    Extract(ExtractArgs),
    /// Work with rule folders.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Review facts in a web page; decisions are kept in SQLite and exported as gold.
    Review(ReviewArgs),
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

/// `factmine extract`'s arguments.
#[derive(clap::Args)]
struct ExtractArgs {
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
    /// Documents per batch; up to three batches are in memory at once (one
    /// being read, one analysed, one written).
    #[arg(long, default_value_t = 256)]
    batch: usize,
    /// Process only shard K of N (K/N, 1-based): a deterministic share of the documents by id.
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
    /// Continue an interrupted run in the --out folder where it stopped.
    #[arg(long, conflicts_with = "since")]
    resume: bool,
    /// Carry over documents unchanged since an earlier run's output folder (same text, same rules).
    #[arg(long, value_name = "OUT_DIR")]
    since: Option<PathBuf>,
    /// Skip (and report) a document whose text is larger than this many MB.
    #[arg(long, default_value_t = 64)]
    max_doc_mb: usize,
    /// Skip (and report) a document that yields more facts than this.
    #[arg(long, default_value_t = 100_000)]
    max_facts: usize,
    /// Skip (and report) a document whose analysis takes longer than this many seconds.
    #[arg(long, default_value_t = 60.0, value_parser = seconds)]
    max_doc_seconds: f64,
    /// Print the run's summary (with peak memory) on stderr at the end.
    #[arg(long)]
    stats: bool,
    /// Print nothing but errors (no progress line).
    #[arg(long, short)]
    quiet: bool,
}

/// `factmine review`'s arguments.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
struct ReviewArgs {
    #[command(subcommand)]
    command: Option<ReviewCommand>,
    /// Articles to extract into the review database (files or folders);
    /// without any, the database is served as it is.
    inputs: Vec<PathBuf>,
    /// The review database (SQLite), created if missing.
    #[arg(long, required = true)]
    db: Option<PathBuf>,
    /// The rule folder.
    #[arg(long, default_value = "rules", env = "FACTMINE_RULES")]
    rules: PathBuf,
    /// Port to serve on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to serve on. Anything but a loopback address lets others
    /// on the network read and change the review.
    #[arg(long, default_value = "127.0.0.1")]
    bind: String,
    /// Name recorded with every decision.
    #[arg(long, env = "FACTMINE_EDITOR")]
    editor: Option<String>,
    /// Extract into the database and exit without serving.
    #[arg(long)]
    no_serve: bool,
}

#[derive(Subcommand)]
enum ReviewCommand {
    /// Write the documents marked done as gold files (guideline §4).
    Export {
        /// The review database.
        #[arg(long)]
        db: PathBuf,
        /// Folder for the gold files.
        #[arg(long)]
        out: PathBuf,
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
        Command::Extract(args) => extract(args),
        Command::Review(args) => match args.command {
            Some(ReviewCommand::Export { db, out }) => review_export(&db, &out),
            None => review(args),
        },
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
            eprintln!("factmine: {e}");
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
            Err(e) => return fail(e.to_string()),
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

fn extract(args: ExtractArgs) -> ExitCode {
    let usage = |msg: String| {
        eprintln!("factmine: {msg}");
        ExitCode::from(2)
    };
    if args.threads == Some(0) {
        return usage("--threads must be at least 1".into());
    }
    let shard = match args.shard.as_deref().map(Shard::parse).transpose() {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    let to_stdout = args.out.as_os_str() == "-";
    if to_stdout && (args.resume || args.since.is_some()) {
        return usage("--resume and --since need an output folder, not --out -".into());
    }
    let pipeline = match Pipeline::load(&args.rules) {
        Ok(p) => p,
        Err(e) => return usage(e.to_string()),
    };
    let previous = match &args.since {
        None => None,
        Some(dir) => match PreviousRun::load(dir, &pipeline.rules.fingerprint) {
            Ok(Some(p)) => Some(p),
            Ok(None) => {
                eprintln!(
                    "factmine: the rules changed since {}: every document is analysed again",
                    dir.display()
                );
                None
            }
            Err(e) => {
                return usage(format!(
                    "--since {}: cannot read its output: {e}",
                    dir.display()
                ))
            }
        },
    };
    let mut summary = Summary::default();
    let mut skip = 0;
    let mut sink: Box<dyn Sink> = if to_stdout {
        Box::new(StreamSink::new(io::stdout().lock()))
    } else if args.resume {
        match DirSink::resume(&args.out) {
            Ok((sink, checkpoint)) => {
                if checkpoint.summary.rules_fingerprint != pipeline.rules.fingerprint {
                    return usage(format!(
                        "{}: the rules changed since the interrupted run; start afresh without --resume",
                        args.out.display()
                    ));
                }
                skip = checkpoint.consumed;
                summary = checkpoint.summary;
                Box::new(sink)
            }
            Err(e) => return usage(e.to_string()),
        }
    } else {
        match DirSink::create(&args.out) {
            Ok(s) => Box::new(s),
            Err(e) => return usage(format!("cannot write to {}: {e}", args.out.display())),
        }
    };
    let sources = ingest::discover(&args.inputs);
    let total = ingest::total_size(&sources);
    let records = Records::new(sources);
    let mut progress = Progress::new(total, records.bytes_read(), args.quiet);
    let options = RunOptions {
        threads: args.threads,
        batch_size: args.batch,
        shard,
        skip,
        previous,
        limits: Limits {
            max_doc_bytes: args.max_doc_mb.saturating_mul(1 << 20),
            max_facts: args.max_facts,
            max_time: Duration::from_secs_f64(args.max_doc_seconds),
        },
    };
    let mut on_event = |event: Event| match event {
        Event::Failed(e) => eprintln!("factmine: skipped {e}"),
        Event::Batch(s) => progress.update(s),
    };
    let result = batch::run(
        &pipeline,
        records,
        &options,
        sink.as_mut(),
        summary,
        &mut on_event,
    );
    progress.finish();
    let summary = match result {
        Ok(s) => s,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return ExitCode::SUCCESS,
        Err(e) => return usage(format!("writing output failed: {e}")),
    };
    if args.stats {
        let mut stats = summary.to_json();
        stats["peak_memory_bytes"] = serde_json::json!(progress::peak_memory());
        eprintln!(
            "{}",
            serde_json::to_string_pretty(&stats).unwrap_or_default()
        );
    } else if !args.quiet {
        let facts: usize = summary.facts.values().sum();
        let _ = writeln!(
            io::stderr(),
            "factmine: {} documents ({} failed{}), {} facts in {:.2}s{}",
            summary.read,
            summary.failures.len(),
            if summary.unchanged > 0 {
                format!(", {} unchanged", summary.unchanged)
            } else {
                String::new()
            },
            facts,
            summary.elapsed_seconds,
            if to_stdout {
                String::new()
            } else {
                format!(" → {}", args.out.display())
            }
        );
    }
    if summary.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn review(args: ReviewArgs) -> ExitCode {
    let fail = |msg: String| {
        eprintln!("factmine: {msg}");
        ExitCode::from(2)
    };
    let Some(db) = args.db else {
        return fail("--db is needed".into());
    };
    let ip: IpAddr = match args.bind.as_str() {
        "localhost" => IpAddr::from([127, 0, 0, 1]),
        other => match other.parse() {
            Ok(ip) => ip,
            Err(_) => return fail(format!("--bind {other:?} is not an IP address")),
        },
    };
    let mut store = match Store::open(&db) {
        Ok(s) => s,
        Err(e) => return fail(format!("{}: {e}", db.display())),
    };
    let pipeline = match Pipeline::load(&args.rules) {
        Ok(p) => p,
        Err(e) => return fail(e.to_string()),
    };
    let mut status = ExitCode::SUCCESS;
    if !args.inputs.is_empty() {
        let records = Records::new(ingest::discover(&args.inputs));
        let mut importer = store.importer();
        let mut on_event = |event: Event| {
            if let Event::Failed(e) = event {
                eprintln!("factmine: skipped {e}");
            }
        };
        let summary = batch::run(
            &pipeline,
            records,
            &RunOptions {
                batch_size: 64,
                ..RunOptions::default()
            },
            &mut importer,
            Summary::default(),
            &mut on_event,
        );
        let report = importer.report().clone();
        drop(importer);
        match summary {
            Ok(s) if !s.failures.is_empty() => status = ExitCode::from(1),
            Ok(_) => {}
            Err(e) => return fail(format!("{}: import failed: {e}", db.display())),
        }
        for repeat in &report.repeats {
            eprintln!("factmine: left out {repeat}: a document with this id came earlier");
        }
        for doc in &report.reopened {
            eprintln!("factmine: {doc} is open again: the rules found facts not reviewed yet");
        }
        eprintln!(
            "factmine: {} documents into {} ({} changed): {} new facts, {} unchanged (decisions kept), {} no longer found",
            report.documents,
            db.display(),
            report.changed,
            report.new_facts,
            report.kept_facts,
            report.gone_facts
        );
    }
    if args.no_serve {
        return status;
    }
    let addr = SocketAddr::new(ip, args.port);
    if !ip.is_loopback() {
        eprintln!(
            "factmine: warning: serving on {ip}, not a loopback address: anyone who can reach it can read and change this review"
        );
    }
    let server = match tiny_http::Server::http(addr) {
        Ok(s) => s,
        Err(e) => return fail(format!("cannot listen on {addr}: {e}")),
    };
    let Some(bound) = server.server_addr().to_ip() else {
        return fail(format!("cannot listen on {addr}"));
    };
    let editor = args
        .editor
        .or_else(|| std::env::var("USER").ok())
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "editor".into());
    eprintln!(
        "factmine: reviewing {} as {editor} at http://{bound}/ (Ctrl-C to stop; every decision is saved as it is made)",
        db.display()
    );
    let mut app = App {
        store,
        pipeline: &pipeline,
        editor,
        hosts: if ip.is_loopback() {
            server::loopback_hosts(bound)
        } else {
            Vec::new()
        },
    };
    server::serve(&server, &mut app);
    status
}

fn review_export(db: &Path, out: &Path) -> ExitCode {
    let fail = |msg: String| {
        eprintln!("factmine: {msg}");
        ExitCode::from(2)
    };
    if !db.exists() {
        return fail(format!("{}: no such review database", db.display()));
    }
    let store = match Store::open(db) {
        Ok(s) => s,
        Err(e) => return fail(format!("{}: {e}", db.display())),
    };
    let report = match review::export::export(&store, out) {
        Ok(r) => r,
        Err(e) => return fail(e.to_string()),
    };
    for line in &report.skipped {
        eprintln!("factmine: {line}");
    }
    eprintln!(
        "factmine: {} gold files ({} facts) in {}; {} documents not marked done were left out",
        report.files.len(),
        report.facts,
        out.display(),
        report.not_done
    );
    ExitCode::SUCCESS
}

/// Parses a number of seconds: finite, not negative.
fn seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=1e9).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not a number of seconds")),
    }
}
