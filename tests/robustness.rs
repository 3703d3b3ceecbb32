//! Hostile input: repeated document ids, documents over the limits, and
//! every record accounted for.

use serde_json::Value;
use std::path::Path;

mod common;

fn extract(args: &[&str]) -> (Option<i32>, Vec<Value>, Vec<Value>, Value, String) {
    let out = tempfile::tempdir().unwrap();
    let mut all = vec!["extract"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.path().to_str().unwrap()]);
    let output = common::factmine()
        .args(&all)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let read = |name: &str| -> Vec<Value> {
        std::fs::read_to_string(out.path().join(name))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let summary =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("summary.json")).unwrap())
            .unwrap();
    (
        output.status.code(),
        read("facts.jsonl"),
        read("documents.jsonl"),
        summary,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn repeated_ids_are_reported_and_keep_fact_ids_unique() {
    let dir = tempfile::tempdir().unwrap();
    let record = r#"{"id": "same", "published": "2023-04-11", "text": "T\n\nThe ICB supported 9,454 people last November."}"#;
    let dump = write(dir.path(), "d.jsonl", &format!("{record}\n{record}\n"));
    let (code, facts, docs, summary, _) = extract(&[&dump]);
    assert_eq!(code, Some(0));
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["status"], "processed");
    assert_eq!(docs[1]["status"], "warned");
    assert_eq!(
        docs[1]["warnings"][0],
        format!(
            "duplicate document id \"same\" (first at {dump}:1); its facts get ids of their own"
        )
    );
    assert_eq!(facts.len(), 4);
    let mut ids: Vec<&str> = facts.iter().map(|f| f["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 4, "fact ids are unique");
    assert_eq!(summary["documents"]["warned"], 1);
}

/// A document over the size limit is skipped and named; one with more
/// facts than allowed keeps those of its first part and says where they end.
#[test]
fn documents_over_the_limits_are_skipped_or_cut_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let big = "word ".repeat(300_000);
    let many = "2 trusts, ".repeat(20);
    let lines = [
        serde_json::json!({"id": "ok", "text": "T\n\nTwo trusts joined."}),
        serde_json::json!({"id": "big", "text": format!("T\n\n{big}")}),
        serde_json::json!({"id": "many", "text": format!("T\n\n{many}")}),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let dump = write(dir.path(), "d.jsonl", &body);
    let (code, facts, docs, summary, stderr) =
        extract(&[&dump, "--max-doc-mb", "1", "--max-facts", "10"]);
    assert_eq!(code, Some(1));
    let status: Vec<&str> = docs.iter().map(|d| d["status"].as_str().unwrap()).collect();
    assert_eq!(status, vec!["processed", "failed", "warned"]);
    assert_eq!(
        docs[1]["error"],
        "document too large: 1500003 bytes of text (the limit is 1048576; see --max-doc-mb)"
    );
    assert_eq!(
        docs[2]["warnings"],
        serde_json::json!(["facts from its first 103 of 203 characters only: it holds more than 10 facts (see --max-facts)"])
    );
    assert_eq!(docs[2]["facts"], 10);
    assert_eq!(
        stderr.matches("skipped").count(),
        1,
        "only the large document is skipped: {stderr}"
    );
    assert_eq!(facts.len(), 11);
    let last = &facts[10];
    assert_eq!((&last["doc"], &last["start"]), (&"many".into(), &93.into()));
    let d = &summary["documents"];
    assert_eq!(d["read"], 3);
    assert_eq!(
        d["read"].as_u64(),
        Some(
            d["processed"].as_u64().unwrap()
                + d["warned"].as_u64().unwrap()
                + d["failed"].as_u64().unwrap()
        )
    );
}

#[test]
fn a_document_over_its_time_budget_is_skipped_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let dump = write(
        dir.path(),
        "d.jsonl",
        "{\"id\": \"a\", \"text\": \"T\\n\\nTwo trusts joined.\"}\n",
    );
    // A budget of 0 s is spent by the first look at the clock: every
    // document runs over, deterministically.
    let (code, facts, docs, summary, stderr) = extract(&[&dump, "--max-doc-seconds", "0"]);
    assert_eq!(code, Some(1));
    assert_eq!(facts.len(), 0);
    assert_eq!(docs[0]["status"], "failed");
    assert_eq!(
        docs[0]["error"],
        "over the time budget of 0 s while cutting sections (see --max-doc-seconds)"
    );
    assert!(stderr.contains(&format!("skipped {dump}:1 (id a): over the time budget")));
    assert_eq!(summary["documents"]["failed"], 1);
    // The default budget lets it through.
    let (code, facts, ..) = extract(&[&dump]);
    assert_eq!((code, facts.len()), (Some(0), 1));
    let bad = common::factmine()
        .args(["extract", &dump, "--out", "-", "--max-doc-seconds", "soon"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr)
        .contains("invalid value 'soon' for '--max-doc-seconds <MAX_DOC_SECONDS>': \"soon\" is not a number of seconds"));
}

#[test]
fn every_corpus_record_is_accounted_for() {
    let (code, facts, docs, summary, _) = extract(&["corpus"]);
    assert_eq!(code, Some(0));
    let d = &summary["documents"];
    assert_eq!(d["read"], 24);
    assert_eq!(
        d["processed"].as_u64().unwrap()
            + d["warned"].as_u64().unwrap()
            + d["failed"].as_u64().unwrap(),
        24
    );
    assert_eq!(docs.len(), 24);
    assert_eq!(
        summary["facts"]["total"].as_u64().unwrap() as usize,
        facts.len()
    );
    let per_doc: u64 = docs.iter().map(|d| d["facts"].as_u64().unwrap()).sum();
    assert_eq!(per_doc as usize, facts.len());
    let by_type: u64 = summary["facts"]["by_type"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(by_type as usize, facts.len());
}

/// Each file is read once whatever the links to it, link loops end, and
/// what a folder holds that is not an article is named, not lost: files of
/// other formats, a FIFO (which would block a reader forever), the run's
/// own output folder and an earlier run's.
#[cfg(unix)]
#[test]
fn folders_are_walked_once_and_what_is_not_read_is_named() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(input.join("sub")).unwrap();
    std::fs::copy(
        common::root().join("corpus/news/west-suffolk-nhs-app.txt"),
        input.join("story.txt"),
    )
    .unwrap();
    std::fs::write(input.join("notes.pdf"), "%PDF").unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(input.join("pipe.txt"))
        .status()
        .unwrap();
    assert!(fifo.success());
    symlink("..", input.join("sub/up")).unwrap();
    symlink("../story.txt", input.join("sub/again.txt")).unwrap();
    let out = input.join("out");
    for round in 0..2 {
        let output = common::run(&[
            "extract",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(0), "round {round}: {output:?}");
        let docs = common::read_jsonl(&out.join("documents.jsonl"));
        let ids: Vec<&str> = docs.iter().map(|d| d["doc"].as_str().unwrap()).collect();
        assert_eq!(ids, ["story"]);
        let summary: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap())
                .unwrap();
        let at = |p: &str| input.join(p).display().to_string();
        let mut expected = vec![
            format!(
                "{}: not an article file (.txt, .md, .html, .htm, .jsonl, .ndjson, optionally .gz)",
                at("notes.pdf")
            ),
            format!("{}: not a regular file (a FIFO)", at("pipe.txt")),
            format!(
                "{}: a link to what the input folders hold already",
                at("sub/again.txt")
            ),
            format!(
                "{}: a link to what the input folders hold already",
                at("sub/up")
            ),
        ];
        if round == 1 {
            expected.insert(1, format!("{}: the run's own output folder", at("out")));
        }
        assert_eq!(summary["run"]["skipped_files"], serde_json::json!(expected));
        assert!(String::from_utf8_lossy(&output.stderr).contains(&format!(
            "not reading {} entries in the input folders",
            expected.len()
        )));
    }
    // An earlier run's folder among the inputs is not read either.
    let second = tmp.path().join("second");
    let output = common::run(&[
        "extract",
        input.to_str().unwrap(),
        "--out",
        second.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(second.join("summary.json")).unwrap())
            .unwrap();
    assert!(summary["run"]["skipped_files"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!(format!(
            "{}: a factmine output folder",
            out.display()
        ))));
}

/// A compressed file that inflates past `--max-doc-mb` is refused after
/// reading the limit, and a JSON line past it loses only itself.
#[test]
fn decompression_bombs_are_refused_at_the_limit() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let gz = |name: &str, parts: &[&[u8]], repeat: usize| {
        let file = std::fs::File::create(tmp.path().join(name)).unwrap();
        let mut enc = flate2::write::GzEncoder::new(file, flate2::Compression::best());
        enc.write_all(parts[0]).unwrap();
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..repeat {
            enc.write_all(&chunk).unwrap();
        }
        enc.write_all(parts[1]).unwrap();
        enc.finish().unwrap();
    };
    gz("bomb.txt.gz", &[b"Title\n\n", b"\n"], 8);
    let good =
        b"\"}\n{\"id\": \"ok\", \"text\": \"T\\n\\nNHS England said 40 practices joined.\"}\n";
    gz(
        "bomb.jsonl.gz",
        &[b"{\"id\": \"big\", \"text\": \"", good],
        8,
    );
    let out = common::run(&[
        "extract",
        tmp.path().to_str().unwrap(),
        "--out",
        "-",
        "--max-doc-mb",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bomb.jsonl.gz:1: line too long: 8388634 bytes (the limit is 3145728; see --max-doc-mb)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("bomb.txt.gz: document too large: over 1048576 bytes (read no further; see --max-doc-mb)"),
        "{stderr}"
    );
    let facts: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let texts: Vec<&str> = facts.iter().map(|f| f["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["NHS England", "40 practices"]);
}

/// A name defined once and repeated without end stops propagating at the
/// candidate limit, and a text whose every mention yields several
/// candidates stops at the candidate limit; both say where their facts end
/// and why.
#[test]
fn floods_of_mentions_and_of_candidates_stop_at_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        serde_json::json!({"id": "mentions", "text": format!("T\n\nWidget Lab (WL) {}", "WL ".repeat(500))}),
        serde_json::json!({"id": "terms", "text": format!("T\n\n{}", "Epic EPR ".repeat(300))}),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let dump = write(dir.path(), "d.jsonl", &body);
    let (code, facts, docs, _, _) = extract(&[&dump, "--max-facts", "10"]);
    assert_eq!(code, Some(0));
    let warnings: Vec<&Value> = docs.iter().map(|d| &d["warnings"][0]).collect();
    assert_eq!(
        warnings,
        [
            "facts from its first 43 of 1519 characters only: it holds more than 10 facts (see --max-facts)",
            "facts from its first 47 of 2703 characters only: it holds more than 40 candidate facts (see --max-facts)"
        ]
    );
    let texts: Vec<&str> = facts.iter().map(|f| f["text"].as_str().unwrap()).collect();
    assert_eq!(texts[..3], ["Widget Lab", "WL", "WL"]);
    assert_eq!(texts[10..], ["Epic EPR"; 5]);
}

/// A file whose content runs past `--max-input-gb` (here about 100 KB) is
/// read no further: the record being read fails with the file and line
/// named, the records before it and the next file are processed.
#[test]
fn a_file_past_the_input_limit_is_read_no_further() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let file = std::fs::File::create(tmp.path().join("a-many.jsonl.gz")).unwrap();
    let mut enc = flate2::write::GzEncoder::new(file, flate2::Compression::best());
    for i in 0..10_000 {
        // 100 bytes a line.
        let line = format!(
            "{{\"id\": \"r{i:05}\", \"text\": \"T\\n\\nTwo trusts joined.{}\"}}\n",
            " ".repeat(48)
        );
        assert_eq!(line.len(), 100);
        enc.write_all(line.as_bytes()).unwrap();
    }
    enc.finish().unwrap();
    write(tmp.path(), "b-next.txt", "T\n\nSix wards opened.\n");
    let out = common::run(&[
        "extract",
        tmp.path().to_str().unwrap(),
        "--out",
        "-",
        "--max-input-gb",
        "0.0001",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // 0.0001 GB is 107,374 bytes: line 1074 runs past it.
    let failures: Vec<&str> = stderr.lines().filter(|l| l.contains("skipped")).collect();
    assert_eq!(failures.len(), 1, "{stderr}");
    assert!(
        failures[0].ends_with(
            "a-many.jsonl.gz:1074: cannot read further: over the input limit of 107374 bytes (see --max-input-gb)"
        ),
        "{stderr}"
    );
    let facts: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let docs: std::collections::BTreeSet<&str> =
        facts.iter().map(|f| f["doc"].as_str().unwrap()).collect();
    assert_eq!(
        docs.len(),
        1073 + 1,
        "every record before line 1074, and the next file"
    );
    assert!(docs.contains("r01072") && !docs.contains("r01073") && docs.contains("b-next"));
}

/// A document with far more candidates than its facts may number stops
/// gathering them (memory stays bounded) and its first part is analysed
/// again on its own, up to the limit.
#[test]
fn a_flood_of_candidates_stops_early_and_keeps_its_first_facts() {
    let dir = tempfile::tempdir().unwrap();
    let flood = "2 trusts, ".repeat(500);
    let body = format!(
        "{}\n",
        serde_json::json!({"id": "flood", "text": format!("T\n\n{flood}")})
    );
    let dump = write(dir.path(), "d.jsonl", &body);
    let (code, facts, docs, _, _) = extract(&[&dump, "--max-facts", "10"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        docs[0]["warnings"],
        serde_json::json!(["facts from its first 103 of 5003 characters only: it holds more than 10 facts (see --max-facts)"])
    );
    let starts: Vec<u64> = facts.iter().map(|f| f["start"].as_u64().unwrap()).collect();
    assert_eq!(starts, (0..10).map(|k| 3 + 10 * k).collect::<Vec<_>>());
}
