//! The command line's arguments, parsed and checked by clap (value
//! parsers for shards, addresses, thresholds and durations), so that the
//! commands get typed values.

use clap::{Parser, Subcommand};
use factmine::batch::Shard;
use factmine::calendar::Ymd;
use factmine::eval::report;
use factmine::output::FactFields;
use std::net::IpAddr;
use std::path::PathBuf;

/// Turns health-tech news about NHS digital and data work into structured facts.
#[derive(Parser)]
#[command(name = "factmine", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
    Eval(EvalArgs),
    /// Digest a run per Integrated Care System: digest.json and a static site.
    Report(ReportArgs),
}

/// `factmine report`'s arguments.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// An `extract` output folder.
    #[arg(required_unless_present = "reviewed", conflicts_with = "reviewed")]
    pub run: Option<PathBuf>,
    /// Use the review database's accepted, corrected and added facts instead of a run.
    #[arg(long, value_name = "DB")]
    pub reviewed: Option<PathBuf>,
    /// Folder for digest.json, index.html and the ICS pages.
    #[arg(long)]
    pub out: PathBuf,
    /// The rule folder whose ICS list the digest follows (default: the rules built into factmine).
    #[arg(long, env = "FACTMINE_RULES")]
    pub rules: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `factmine eval`'s arguments.
#[derive(clap::Args)]
pub struct EvalArgs {
    /// Folder of gold files (one JSON file per document); optional with --compare.
    #[arg(long, required_unless_present = "compare")]
    pub gold: Option<PathBuf>,
    /// Folder holding the gold documents' texts.
    #[arg(long)]
    pub texts: Option<PathBuf>,
    /// Files or folders holding the gold documents' texts (like --texts).
    pub inputs: Vec<PathBuf>,
    /// Score an earlier run's output folder instead of extracting.
    #[arg(long, conflicts_with_all = ["texts", "inputs", "compare"])]
    pub pred: Option<PathBuf>,
    /// Compare two earlier runs' output folders: facts gained and lost, score changes.
    #[arg(long, num_args = 2, value_names = ["OLD_RUN", "NEW_RUN"], conflicts_with_all = ["texts", "inputs"])]
    pub compare: Option<Vec<PathBuf>>,
    /// With --compare, list every score, not only those that changed.
    #[arg(long, requires = "compare")]
    pub all: bool,
    /// The rule folder (default: the rules built into factmine).
    #[arg(long, env = "FACTMINE_RULES")]
    pub rules: Option<PathBuf>,
    /// List every missed, spurious, mis-spanned and wrong-value fact.
    #[arg(long)]
    pub errors: bool,
    /// Print scores and findings as JSON.
    #[arg(long)]
    pub json: bool,
    /// Fail (exit 1) when a score is below VALUE, e.g. --min lenient.all.f1=0.9.
    #[arg(long = "min", value_name = "KEY=VALUE", value_parser = report::parse_min)]
    pub min: Vec<(String, f64)>,
}

/// `factmine extract`'s arguments.
#[derive(clap::Args)]
pub struct ExtractArgs {
    /// Input files or folders; `-` reads JSON lines from stdin.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output folder (facts.jsonl, documents.jsonl, summary.json), or `-` for facts on stdout.
    #[arg(long)]
    pub out: PathBuf,
    /// The rule folder (default: the rules built into factmine).
    #[arg(long, env = "FACTMINE_RULES")]
    pub rules: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Documents per batch (default: 256 per worker thread); up to four
    /// batches are in memory at once (one being read, one read and waiting,
    /// one analysed, one written).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub batch: Option<u32>,
    /// Process only shard K of N (K/N, 1-based): a deterministic share of the documents by id.
    #[arg(long, value_name = "K/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,
    /// Continue an interrupted run in the --out folder where it stopped.
    #[arg(long, conflicts_with = "since")]
    pub resume: bool,
    /// Carry over documents unchanged since an earlier run's output folder (same text, same rules).
    #[arg(long, value_name = "OUT_DIR")]
    pub since: Option<PathBuf>,
    /// Skip (and report) a document whose text is larger than this many MB.
    #[arg(long, default_value_t = 64)]
    pub max_doc_mb: usize,
    /// Stop reading an input file after this many GB of its content
    /// (decompressed): the record being read is reported, the run goes on.
    #[arg(long, default_value_t = 64.0, value_parser = positive_gb)]
    pub max_input_gb: f64,
    /// The most facts one document yields: a document with more keeps
    /// those of its first part, with a warning saying where they end.
    #[arg(long, default_value_t = 100_000)]
    pub max_facts: usize,
    /// Skip (and report) a document whose analysis takes longer than this many seconds.
    #[arg(long, default_value_t = 60.0, value_parser = seconds)]
    pub max_doc_seconds: f64,
    /// The date relative expressions resolve against in documents that give
    /// none (no `published`, no date in the URL, no dateline), YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = iso_date)]
    pub reference_date: Option<Ymd>,
    /// The fields of facts.jsonl, comma-separated (default: all), e.g.
    /// id,doc,type,text,start,end,value to leave out sentences.
    #[arg(long, value_name = "LIST", value_parser = FactFields::parse, default_value_t = FactFields::ALL)]
    pub fields: FactFields,
    /// Print the run's summary (with peak memory) on stderr at the end.
    #[arg(long)]
    pub stats: bool,
    /// Print nothing but errors (no progress line).
    #[arg(long, short)]
    pub quiet: bool,
}

/// `factmine review`'s arguments.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ReviewArgs {
    #[command(subcommand)]
    pub command: Option<ReviewCommand>,
    /// Articles to extract into the review database (files or folders);
    /// without any, the database is served as it is.
    pub inputs: Vec<PathBuf>,
    /// The review database (SQLite), created if missing.
    #[arg(long, required = true)]
    pub db: Option<PathBuf>,
    /// The rule folder (default: the rules built into factmine).
    #[arg(long, env = "FACTMINE_RULES")]
    pub rules: Option<PathBuf>,
    /// Port to serve on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to serve on. Anything but a loopback address lets others
    /// on the network read and change the review.
    #[arg(long, default_value = "127.0.0.1", value_parser = ip_address)]
    pub bind: IpAddr,
    /// Name recorded with every decision.
    #[arg(long, env = "FACTMINE_EDITOR")]
    pub editor: Option<String>,
    /// Extract into the database and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
}

#[derive(Subcommand)]
pub enum ReviewCommand {
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
pub enum RulesCommand {
    /// Load every rule file and report malformed lines, bad regexes, names
    /// claimed twice, names that are stop phrases, and failing examples.
    Check {
        /// The rule folder (default: the rules built into factmine).
        #[arg(env = "FACTMINE_RULES")]
        dir: Option<PathBuf>,
    },
    /// Run every rule's examples and counter-examples.
    Test {
        /// The rule folder (default: the rules built into factmine).
        #[arg(env = "FACTMINE_RULES")]
        dir: Option<PathBuf>,
    },
    /// Write the rules built into factmine to a new folder, for editing
    /// (then pass it with --rules or FACTMINE_RULES).
    Init {
        /// The folder to create.
        dir: PathBuf,
    },
}

/// Parses a number of seconds: finite, not negative.
fn seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=1e9).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not a number of seconds")),
    }
}

/// Parses a size in GB above zero (fractions allowed).
fn positive_gb(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 1e9 => Ok(v),
        _ => Err(format!("{s:?} is not a size in GB above 0")),
    }
}

/// Parses a date, YYYY-MM-DD.
fn iso_date(s: &str) -> Result<Ymd, String> {
    Ymd::parse_iso(s)
        .filter(|_| s.len() == 10)
        .ok_or_else(|| format!("{s:?} is not a date (YYYY-MM-DD)"))
}

/// Parses an IP address, or `localhost`.
fn ip_address(s: &str) -> Result<IpAddr, String> {
    match s {
        "localhost" => Ok(IpAddr::from([127, 0, 0, 1])),
        other => other
            .parse()
            .map_err(|_| format!("{other:?} is not an IP address")),
    }
}
