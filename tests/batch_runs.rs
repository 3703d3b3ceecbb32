//! Batch runs at scale: resuming an interrupted run, shards, and carrying
//! over unchanged documents.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

mod common;
use common::{factmine, lines, root};

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// A JSON-lines dump of `n` documents made from the corpus's round-ups.
fn dump(dir: &Path, n: usize) -> PathBuf {
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(root().join("corpus/round-ups")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let body = text
            .splitn(3, "---\n")
            .nth(2)
            .unwrap()
            .trim_start()
            .to_string();
        texts.push(body);
    }
    texts.sort();
    let path = dir.join("dump.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..n {
        let record = serde_json::json!({"id": format!("doc-{i:05}"), "published": "2023-04-11", "text": texts[i % texts.len()]});
        writeln!(f, "{record}").unwrap();
    }
    path
}

fn run(args: &[&str]) -> std::process::Output {
    let out = factmine().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn a_killed_run_resumes_to_the_same_output() {
    let tmp = tempfile::tempdir().unwrap();
    let dump = dump(tmp.path(), 1500);
    // Every run reads the dump on stdin, so records have the same sources.
    let from_stdin = |out: &Path, extra: &[&str]| {
        let status = factmine()
            .args(["extract", "-", "--out", out.to_str().unwrap()])
            .args(extra)
            .stdin(std::fs::File::open(&dump).unwrap())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "{extra:?}");
    };
    let whole = tmp.path().join("whole");
    from_stdin(&whole, &["--threads", "1", "--batch", "20"]);

    // The interrupted run gets only the first 300 records, and stdin stays
    // open: it cannot finish before it is killed, whatever the timing.
    let cut = tmp.path().join("cut");
    let mut child = factmine()
        .args([
            "extract",
            "-",
            "--out",
            cut.to_str().unwrap(),
            "--threads",
            "1",
            "--batch",
            "20",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let text = std::fs::read_to_string(&dump).unwrap();
    let first: String = text.lines().take(300).map(|l| format!("{l}\n")).collect();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(first.as_bytes()).unwrap();
    stdin.flush().unwrap();
    let checkpoint = cut.join(".checkpoint.json");
    let started = Instant::now();
    let consumed = loop {
        let done: u64 = std::fs::read_to_string(&checkpoint)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .and_then(|v| v["consumed"].as_u64())
            .unwrap_or(0);
        if done >= 200 {
            break done;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no checkpoint appeared"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    assert!((200..=300).contains(&consumed), "{consumed}");
    assert!(
        !cut.join("summary.json").exists(),
        "a killed run leaves no summary"
    );
    assert!(
        !cut.join("facts.jsonl").exists(),
        "a killed run leaves no complete-looking facts"
    );

    // Resuming with other inputs or options is refused, and leaves the
    // interrupted run as it was.
    for (extra, why) in [
        (
            &["corpus"][..],
            "the interrupted run read [\"-\"], this one [\"corpus\"]",
        ),
        (
            &["-", "--max-facts", "9"][..],
            "--max-facts was 100000 in the interrupted run and is 9 now",
        ),
    ] {
        let out = factmine()
            .args(["extract", "--out", cut.to_str().unwrap(), "--resume"])
            .args(extra)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(why) && stderr.contains("start afresh without --resume"),
            "{stderr}"
        );
    }

    from_stdin(&cut, &["--threads", "2", "--resume"]);
    assert_eq!(
        lines(&cut.join("facts.jsonl")),
        lines(&whole.join("facts.jsonl"))
    );
    assert_eq!(
        lines(&cut.join("documents.jsonl")),
        lines(&whole.join("documents.jsonl"))
    );
    let summary = |dir: &Path| {
        let mut v: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap())
                .unwrap();
        v["elapsed_seconds"] = Value::Null;
        v["run"]["command"] = Value::Null;
        v
    };
    assert_eq!(summary(&cut), summary(&whole));
    assert!(!cut.join(".checkpoint.json").exists());
    let dump = dump.to_str().unwrap();

    // Nothing is left to resume once a run is complete.
    let out = factmine()
        .args(["extract", dump, "--out", cut.to_str().unwrap(), "--resume"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no interrupted run to resume here"));
}

#[test]
fn shards_together_equal_the_whole_run() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    run(&["extract", "corpus", "--out", whole.to_str().unwrap()]);
    let mut facts = Vec::new();
    let mut docs = Vec::new();
    let mut sizes = Vec::new();
    for k in 1..=3 {
        let dir = tmp.path().join(format!("shard-{k}"));
        run(&[
            "extract",
            "corpus",
            "--out",
            dir.to_str().unwrap(),
            "--shard",
            &format!("{k}/3"),
        ]);
        let d = lines(&dir.join("documents.jsonl"));
        sizes.push(d.len());
        docs.extend(d);
        facts.extend(lines(&dir.join("facts.jsonl")));
    }
    assert_eq!(sorted(facts), sorted(lines(&whole.join("facts.jsonl"))));
    assert_eq!(sorted(docs), sorted(lines(&whole.join("documents.jsonl"))));
    assert!(
        sizes.iter().all(|&n| n > 0),
        "every shard has documents: {sizes:?}"
    );
    let out = factmine()
        .args(["extract", "corpus", "--out", "-", "--shard", "4/3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn since_carries_over_unchanged_documents() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir_all(corpus.join("news")).unwrap();
    for entry in std::fs::read_dir(root().join("corpus/news")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, corpus.join("news").join(path.file_name().unwrap())).unwrap();
    }
    let first = tmp.path().join("first");
    run(&[
        "extract",
        corpus.to_str().unwrap(),
        "--out",
        first.to_str().unwrap(),
    ]);
    // One article changes.
    let changed = corpus.join("news/west-suffolk-nhs-app.txt");
    let text = std::fs::read_to_string(&changed).unwrap();
    std::fs::write(
        &changed,
        text.replacen("\n\n", "\n\nThe trust also trained 40 volunteers.\n\n", 2),
    )
    .unwrap();

    let second = tmp.path().join("second");
    let out = run(&[
        "extract",
        corpus.to_str().unwrap(),
        "--out",
        second.to_str().unwrap(),
        "--since",
        first.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("(0 failed, 10 unchanged)"));
    let fresh = tmp.path().join("fresh");
    run(&[
        "extract",
        corpus.to_str().unwrap(),
        "--out",
        fresh.to_str().unwrap(),
    ]);
    assert_eq!(
        lines(&second.join("facts.jsonl")),
        lines(&fresh.join("facts.jsonl"))
    );
    assert_eq!(
        lines(&second.join("documents.jsonl")),
        lines(&fresh.join("documents.jsonl"))
    );
    assert!(lines(&second.join("facts.jsonl"))
        .iter()
        .any(|l| l.contains("\"40 volunteers\"")));
}

#[test]
fn stats_print_the_summary_and_no_progress_line_off_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&[
        "extract",
        "corpus/news",
        "--out",
        tmp.path().to_str().unwrap(),
        "--stats",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains('\r'),
        "no progress line when stderr is not a terminal"
    );
    let stats: Value = serde_json::from_str(&stderr).unwrap();
    assert_eq!(stats["documents"]["read"], 11);
    assert_eq!(stats["documents"]["failed"], 0);
    assert!(stats["peak_memory_bytes"].as_u64().unwrap() > 1_000_000);
    // Loading the rules takes some time; the main thread's CPU is counted
    // in the kernel's ticks (possibly none on a short run).
    assert!(stats["start_up_seconds"].as_f64().unwrap() > 0.0);
    assert!(stats["writing_thread_cpu_seconds"].as_f64().unwrap() >= 0.0);
    assert_eq!(
        stats["facts"]["total"],
        lines(&tmp.path().join("facts.jsonl")).len()
    );
}

/// A second run into a folder another run is writing to is refused; a
/// re-run into a folder holding a complete output removes `summary.json`
/// first, so a re-run killed midway never leaves a complete-looking
/// folder; `--resume` with no checkpoint starts afresh.
#[test]
fn output_folders_are_locked_and_never_look_complete_when_not() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run(&["extract", "corpus/news", "--out", out.to_str().unwrap()]);
    assert!(out.join("summary.json").exists());
    // A re-run reading stdin that is held open: it cannot finish.
    let mut child = factmine()
        .args(["extract", "-", "--out", out.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while out.join("summary.json").exists() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the old summary stayed"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let second = factmine()
        .args(["extract", "corpus/news", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&second.stderr).contains(
        "another factmine run is writing here; wait for it to end, or choose another --out"
    ));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!out.join("summary.json").exists());
    assert!(!out.join("facts.jsonl").exists());
    // Killed before its first checkpoint: --resume starts afresh.
    let resumed = factmine()
        .args([
            "extract",
            "corpus/news",
            "--out",
            out.to_str().unwrap(),
            "--resume",
        ])
        .output()
        .unwrap();
    assert_eq!(resumed.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&resumed.stderr).contains("no checkpoint to resume from"));
    assert!(out.join("summary.json").exists());
}
