//! The factmine command line: a thin layer over the library.

use clap::{Parser, Subcommand};
use factmine::batch::{self, RunOptions};
use factmine::ingest::{self, Records};
use factmine::output::{DirSink, Sink, StreamSink};
use factmine::Pipeline;
use std::io::{self, Write};
use std::path::PathBuf;
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
