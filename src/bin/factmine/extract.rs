//! `factmine extract`: a batch run over files, folders or stdin into an
//! output folder or a stream.

use crate::cli::ExtractArgs;
use crate::progress::{self, Progress};
use crate::rules::exit_status;
use crate::{count, Fatal, Outcome};
use factmine::batch::{self, Event, Limits, PreviousRun, RunOptions, Sink, Summary};
use factmine::ingest::{self, Records};
use factmine::output::{can_resume, DirSink, FactFields, StreamSink};
use factmine::record::RunRecord;
use std::collections::BTreeMap;
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
    if let Some(missing) = args
        .inputs
        .iter()
        .find(|p| p.as_os_str() != "-" && std::fs::symlink_metadata(p).is_err())
    {
        return Err(Fatal(format!(
            "{}: no such file or folder (nothing was read or written)",
            missing.display()
        )));
    }
    let started = std::time::Instant::now();
    // The rules compile on the run's own workers.
    let pool = batch::thread_pool(args.threads.map(usize::from))
        .map_err(|e| Fatal(format!("cannot start worker threads: {e}")))?;
    let (mut pipeline, rules_source) =
        pool.install(|| crate::rules::pipeline(args.rules.as_deref()))?;
    pipeline.fallback_reference = args.reference_date;
    let start_up = started.elapsed();
    let fields = (args.fields != FactFields::ALL).then(|| args.fields.to_string());
    let previous = match &args.since {
        None => None,
        Some(dir) => match PreviousRun::load(dir, &pipeline.rules.fingerprint, fields.as_deref()) {
            Ok(Some(p)) => Some(p),
            Ok(None) => {
                eprintln!(
                    "factmine: the rules or the fact fields changed since {}: every document is analysed again",
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
    let out_dir = (!to_stdout).then(|| args.out.clone());
    let inputs = ingest::discover(&args.inputs, out_dir.as_slice());
    let run = RunRecord {
        command: std::env::args().collect(),
        inputs: args
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        inputs_fingerprint: ingest::fingerprint(&inputs.sources),
        options: options_record(&args),
        skipped_files: inputs
            .skipped
            .iter()
            .map(|(path, why)| format!("{}: {why}", path.display()))
            .collect(),
    };
    let mut summary = Summary {
        rules_source,
        run: run.clone(),
        ..Summary::default()
    };
    // A run killed before its first checkpoint left nothing to resume: it
    // starts afresh (a complete folder is still refused below).
    let resume = args.resume && (can_resume(&args.out) || args.out.join("summary.json").exists());
    if args.resume && !resume {
        eprintln!(
            "factmine: {}: no checkpoint to resume from (the run stopped before its first): starting afresh",
            args.out.display()
        );
    }
    let mut skip = 0;
    let mut sink: Box<dyn Sink> = if to_stdout {
        Box::new(StreamSink::new(io::stdout().lock(), args.fields))
    } else if resume {
        let (sink, checkpoint) = DirSink::resume(&args.out, args.fields)?;
        if checkpoint.summary.rules_fingerprint != pipeline.rules.fingerprint {
            return Err(Fatal(format!(
                "{}: the rules changed since the interrupted run; start afresh without --resume",
                args.out.display()
            )));
        }
        same_work(&checkpoint.summary.run, &run).map_err(|why| {
            Fatal(format!(
                "{}: {why}; start afresh without --resume",
                args.out.display()
            ))
        })?;
        skip = checkpoint.consumed;
        summary = Summary {
            rules_source: summary.rules_source,
            run,
            ..checkpoint.summary
        };
        Box::new(sink)
    } else {
        Box::new(DirSink::create(&args.out, args.fields).map_err(|e| {
            if e.kind() == io::ErrorKind::WouldBlock {
                Fatal(e.to_string())
            } else {
                Fatal(format!("cannot write to {}: {e}", args.out.display()))
            }
        })?)
    };
    if !args.quiet {
        if let Some((path, why)) = inputs.skipped.first() {
            eprintln!(
                "factmine: not reading {} in the input folders (listed in summary.json), e.g. {}: {why}",
                count(inputs.skipped.len(), "entry", "entries"),
                path.display()
            );
        }
    }
    if !to_stdout {
        resume_hint_on_interrupt(&args.out);
    }
    let total = ingest::total_size(&inputs.sources);
    let records = Records::new(inputs.sources)
        .with_max_bytes(args.max_doc_mb.saturating_mul(1 << 20))
        .with_max_input((args.max_input_gb * f64::from(1u32 << 30)) as u64);
    let mut progress = Progress::new(total, records.bytes_read(), args.quiet);
    let options = RunOptions {
        batch_size: args.batch.map_or_else(
            || batch::default_batch(pool.current_num_threads()),
            |n| n as usize,
        ),
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
        records.pending(),
        &options,
        &pool,
        sink.as_mut(),
        summary,
        &mut on_event,
    );
    progress.finish();
    // The process ends next: its memory goes back to the system at once,
    // while dropping the compiled rules and every worker's caches would
    // free them one allocation at a time (some 50 million instructions).
    std::mem::forget(pipeline);
    let summary = match result {
        Ok(s) => s,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        Err(e) => return Err(Fatal(format!("writing output failed: {e}"))),
    };
    if args.stats {
        let mut stats = serde_json::to_value(summary.to_record())?;
        stats["peak_memory_bytes"] = serde_json::json!(progress::peak_memory());
        // What a run on many cores cannot share out: loading the rules, and
        // this thread's writing (and reading the checkpoint).
        stats["start_up_seconds"] = serde_json::json!(start_up.as_secs_f64());
        stats["writing_thread_cpu_seconds"] = serde_json::json!(progress::thread_cpu_seconds());
        stats["bytes_examined"] = serde_json::json!(summary.examined);
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
            "factmine: {} ({} failed{unchanged}), {} in {:.2}s{into}",
            count(summary.read, "document", "documents"),
            summary.failures.len(),
            count(facts, "fact", "facts"),
            summary.elapsed_seconds,
        );
    }
    Ok(exit_status(summary.failures.is_empty()))
}

/// The options that change a run's output, by name.
fn options_record(args: &ExtractArgs) -> BTreeMap<String, String> {
    let mut options = BTreeMap::new();
    options.insert("max-doc-mb".into(), args.max_doc_mb.to_string());
    options.insert("max-input-gb".into(), args.max_input_gb.to_string());
    options.insert("max-facts".into(), args.max_facts.to_string());
    options.insert("max-doc-seconds".into(), args.max_doc_seconds.to_string());
    if let Some(shard) = &args.shard {
        options.insert("shard".into(), shard.to_string());
    }
    if let Some(date) = args.reference_date {
        options.insert("reference-date".into(), date.to_string());
    }
    if args.fields != FactFields::ALL {
        options.insert("fields".into(), args.fields.to_string());
    }
    options
}

/// Whether a resumed run goes on with the interrupted run's work: the same
/// inputs, unchanged, and the same options; else what differs.
fn same_work(before: &RunRecord, now: &RunRecord) -> Result<(), String> {
    if before.inputs != now.inputs {
        return Err(format!(
            "the interrupted run read {:?}, this one {:?}",
            before.inputs, now.inputs
        ));
    }
    if before.inputs_fingerprint != now.inputs_fingerprint {
        return Err(
            "the input files changed since the interrupted run (added, removed, or a size or modification time differs)"
                .into(),
        );
    }
    for name in before.options.keys().chain(now.options.keys()) {
        let (a, b) = (before.options.get(name), now.options.get(name));
        if a != b {
            let show = |v: Option<&String>| v.map_or("not given".to_string(), |v| v.clone());
            return Err(format!(
                "--{name} was {} in the interrupted run and is {} now",
                show(a),
                show(b)
            ));
        }
    }
    Ok(())
}

/// On Ctrl-C or SIGTERM, says that the run can be resumed (everything up
/// to the last checkpoint is kept) and exits with the shell's status for
/// the signal; the output folder is as a killed run leaves it.
#[cfg(unix)]
fn resume_hint_on_interrupt(out: &std::path::Path) {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    let out = out.display().to_string();
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            eprintln!(
                "\nfactmine: interrupted; {out} keeps everything up to the last checkpoint: \
                 run the same command with --resume to go on from there"
            );
            std::process::exit(128 + signal);
        }
    });
}

#[cfg(not(unix))]
fn resume_hint_on_interrupt(_out: &std::path::Path) {}
