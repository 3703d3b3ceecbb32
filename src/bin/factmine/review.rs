//! `factmine review` (import articles into a review database and serve the
//! review page) and `factmine review export` (the done documents as gold).

use crate::cli::ReviewArgs;
use crate::{count, Fatal, Outcome};
use factmine::batch::{self, Event, RunOptions, Summary};
use factmine::ingest::{self, Records};
use factmine::review::{
    self,
    server::{self, App},
    store::Store,
};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Mutex;

/// Runs `review`: imports the inputs, then serves the page.
pub fn run(args: ReviewArgs) -> Outcome {
    let db = args
        .db
        .expect("clap requires --db when no subcommand is given");
    let ip = args.bind;
    let mut store = Store::open(&db).map_err(|e| Fatal(format!("{}: {e}", db.display())))?;
    let pool =
        batch::thread_pool(None).map_err(|e| Fatal(format!("cannot start worker threads: {e}")))?;
    let (pipeline, _) = pool.install(|| crate::rules::pipeline(args.rules.as_deref()))?;
    // The port is taken before the import, so a busy one is found at once.
    let listening = if args.no_serve {
        None
    } else {
        let addr = SocketAddr::new(ip, args.port);
        if !ip.is_loopback() {
            eprintln!(
                "factmine: warning: serving on {ip}, not a loopback address: anyone who can reach it can read and change this review"
            );
        }
        let listener =
            TcpListener::bind(addr).map_err(|e| Fatal(format!("cannot listen on {addr}: {e}")))?;
        let bound = listener
            .local_addr()
            .map_err(|e| Fatal(format!("cannot listen on {addr}: {e}")))?;
        Some((listener, bound))
    };
    let mut status = ExitCode::SUCCESS;
    if !args.inputs.is_empty() {
        let records = Records::new(ingest::discover(&args.inputs, &[]).sources);
        let mut importer = store.importer();
        let mut on_event = |event: Event| {
            if let Event::Failed(e) = event {
                eprintln!("factmine: skipped {e}");
            }
        };
        let summary = batch::run(
            &pipeline,
            records.pending(),
            &RunOptions {
                batch_size: 64,
                ..RunOptions::default()
            },
            &pool,
            &mut importer,
            Summary::default(),
            &mut on_event,
        );
        let report = importer.report().clone();
        drop(importer);
        match summary {
            Ok(s) if !s.failures.is_empty() => status = ExitCode::from(1),
            Ok(_) => {}
            Err(e) => return Err(Fatal(format!("{}: import failed: {e}", db.display()))),
        }
        for repeat in &report.repeats {
            eprintln!("factmine: left out {repeat}: a document with this id came earlier");
        }
        for doc in &report.reopened {
            eprintln!("factmine: {doc} is open again: the rules found facts not reviewed yet");
        }
        eprintln!(
            "factmine: {} into {} ({} changed): {}, {} unchanged (decisions kept), {} no longer found",
            count(report.documents, "document", "documents"),
            db.display(),
            report.changed,
            count(report.new_facts, "new fact", "new facts"),
            report.kept_facts,
            report.gone_facts
        );
    }
    let Some((listener, bound)) = listening else {
        return Ok(status);
    };
    let editor = args
        .editor
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "editor".into());
    eprintln!(
        "factmine: reviewing {} as {editor} at http://{bound}/ (Ctrl-C to stop; every decision is saved as it is made)",
        db.display()
    );
    let app = App {
        store: Mutex::new(store),
        pipeline: &pipeline,
        editor,
        hosts: if ip.is_loopback() {
            server::loopback_hosts(bound)
        } else {
            Vec::new()
        },
    };
    server::serve(listener, &app);
    Ok(status)
}

/// Runs `review export`.
pub fn export(db: &Path, out: &Path) -> Outcome {
    if !db.exists() {
        return Err(Fatal(format!("{}: no such review database", db.display())));
    }
    let store = Store::open(db).map_err(|e| Fatal(format!("{}: {e}", db.display())))?;
    let report = review::export::export(&store, out)?;
    for line in &report.skipped {
        eprintln!("factmine: {line}");
    }
    eprintln!(
        "factmine: {} ({}) in {}; {} not marked done {} left out",
        count(report.files.len(), "gold file", "gold files"),
        count(report.facts, "fact", "facts"),
        out.display(),
        count(report.not_done, "document", "documents"),
        if report.not_done == 1 { "was" } else { "were" }
    );
    Ok(ExitCode::SUCCESS)
}
