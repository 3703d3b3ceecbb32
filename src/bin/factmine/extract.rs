//! `factmine extract`: a batch run over files, folders or stdin into an
//! output folder or a stream.

use crate::cli::ExtractArgs;
use crate::progress::{self, Progress};
use crate::rules::exit_status;
use crate::{Fatal, Outcome};
use factmine::batch::{self, Event, Limits, PreviousRun, RunOptions, Sink, Summary};
use factmine::ingest::{self, Records};
use factmine::output::{DirSink, StreamSink};
use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Duration;

/// Runs `extract`.
pub fn run(args: ExtractArgs) -> Outcome {
    let to_stdout = args.out.as_os_str() == "-";
    if to_stdout && (args.resume || args.since.is_some()) {
        return Err(Fatal(
            "--resume and --since need an output folder, not --out -".into(),
        ));
    }
    let (mut pipeline, rules_source) = crate::rules::pipeline(args.rules.as_deref())?;
    pipeline.fallback_reference = args.reference_date;
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
                return Err(Fatal(format!(
                    "--since {}: cannot read its output: {e}",
                    dir.display()
                )))
            }
        },
    };
    let mut summary = Summary {
        rules_source,
        ..Summary::default()
    };
    let mut skip = 0;
    let mut sink: Box<dyn Sink> = if to_stdout {
        Box::new(StreamSink::new(io::stdout().lock()))
    } else if args.resume {
        let (sink, checkpoint) = DirSink::resume(&args.out)?;
        if checkpoint.summary.rules_fingerprint != pipeline.rules.fingerprint {
            return Err(Fatal(format!(
                "{}: the rules changed since the interrupted run; start afresh without --resume",
                args.out.display()
            )));
        }
        skip = checkpoint.consumed;
        summary = Summary {
            rules_source: summary.rules_source,
            ..checkpoint.summary
        };
        Box::new(sink)
    } else {
        Box::new(
            DirSink::create(&args.out)
                .map_err(|e| Fatal(format!("cannot write to {}: {e}", args.out.display())))?,
        )
    };
    let sources = ingest::discover(&args.inputs);
    let total = ingest::total_size(&sources);
    let records = Records::new(sources);
    let mut progress = Progress::new(total, records.bytes_read(), args.quiet);
    let options = RunOptions {
        threads: args.threads.map(usize::from),
        batch_size: args.batch as usize,
        shard: args.shard,
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
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        Err(e) => return Err(Fatal(format!("writing output failed: {e}"))),
    };
    if args.stats {
        let mut stats = serde_json::to_value(summary.to_record())?;
        stats["peak_memory_bytes"] = serde_json::json!(progress::peak_memory());
        eprintln!(
            "{}",
            serde_json::to_string_pretty(&stats).unwrap_or_default()
        );
    } else if !args.quiet {
        let facts: usize = summary.facts.values().sum();
        let unchanged = if summary.unchanged > 0 {
            format!(", {} unchanged", summary.unchanged)
        } else {
            String::new()
        };
        let into = if to_stdout {
            String::new()
        } else {
            format!(" → {}", args.out.display())
        };
        let _ = writeln!(
            io::stderr(),
            "factmine: {} documents ({} failed{unchanged}), {facts} facts in {:.2}s{into}",
            summary.read,
            summary.failures.len(),
            summary.elapsed_seconds,
        );
    }
    Ok(exit_status(summary.failures.is_empty()))
}
