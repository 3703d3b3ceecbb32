//! End-to-end tests of `factmine extract`: the binary on corpus files and
//! on bad inputs.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::{copy_dir, read_jsonl, run as factmine};

fn run_to(dir: &Path, inputs: &[&str], extra: &[&str]) -> (Output, Vec<Value>, Vec<Value>, Value) {
    let out = dir.to_str().unwrap();
    let mut args = vec!["extract"];
    args.extend_from_slice(inputs);
    args.extend_from_slice(&["--out", out]);
    args.extend_from_slice(extra);
    let output = factmine(&args);
    let facts = read_jsonl(&dir.join("facts.jsonl"));
    let docs = read_jsonl(&dir.join("documents.jsonl"));
    let summary =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    (output, facts, docs, summary)
}

#[test]
fn a_round_up_yields_its_ics_sections_with_canonical_names() {
    let tmp = tempfile::tempdir().unwrap();
    let (output, facts, docs, _) =
        run_to(tmp.path(), &["corpus/round-ups/south-west-2024.txt"], &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(docs.len(), 1);
    let doc = &docs[0];
    assert_eq!(doc["doc"], "south-west-2024");
    assert_eq!(doc["published"], "2024-02-27");
    let sections: Vec<(String, Value)> = doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["kind"].as_str().unwrap().to_string(), s["ics"].clone()))
        .collect();
    let expected = [
        ("title", Value::Null),
        ("intro", Value::Null),
        ("ics", "Gloucestershire".into()),
        ("contents", Value::Null),
        (
            "ics",
            "Bath and North East Somerset, Swindon and Wiltshire".into(),
        ),
        (
            "ics",
            "Bristol, North Somerset and South Gloucestershire".into(),
        ),
        ("ics", "Somerset".into()),
        ("sponsored", Value::Null),
        ("ics", "Devon".into()),
        ("ics", "Dorset".into()),
        ("ics", "Cornwall and the Isles of Scilly".into()),
    ];
    let expected: Vec<(String, Value)> = expected
        .iter()
        .map(|(k, i)| (k.to_string(), i.clone()))
        .collect();
    assert_eq!(sections, expected);
    // Sections cover the text end to end.
    let spans: Vec<(u64, u64)> = doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["start"].as_u64().unwrap(), s["end"].as_u64().unwrap()))
        .collect();
    assert_eq!(spans[0].0, 0);
    assert_eq!(spans.last().unwrap().1, doc["chars"].as_u64().unwrap());
    assert!(spans.windows(2).all(|w| w[0].1 == w[1].0));
    // Every ICS section has facts, and each fact names its section's ICS.
    for (i, (kind, ics)) in sections.iter().enumerate() {
        if kind == "ics" {
            let in_section: Vec<&Value> = facts.iter().filter(|f| f["section"] == i).collect();
            assert!(!in_section.is_empty(), "no facts in section {i}");
            assert!(in_section
                .iter()
                .all(|f| &f["ics"] == ics && f["section_kind"] == "ics"));
        }
    }
    // No facts in the title or the contents list.
    assert!(facts
        .iter()
        .all(|f| f["section_kind"] != "title" && f["section_kind"] != "contents"));
}

#[test]
fn the_same_output_whatever_the_thread_count() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    let (o1, f1, d1, _) = run_to(one.path(), &["corpus"], &["--threads", "1", "--batch", "3"]);
    let (o2, f2, d2, _) = run_to(two.path(), &["corpus"], &["--threads", "2"]);
    assert!(o1.status.success() && o2.status.success());
    assert_eq!(f1, f2);
    assert_eq!(d1, d2);
    assert_eq!(d1.len(), 24, "19 files and 5 dump records");
    let ids: Vec<&str> = d1.iter().map(|d| d["doc"].as_str().unwrap()).collect();
    // Input order: folders sorted, records in file order.
    assert_eq!(
        &ids[..6],
        &[
            "dump/2024-01-12-nhs-app",
            "dump/2024-03-05-shared-care-record",
            "dump/2024-06-18-remote-monitoring",
            "dump/2024-09-03-ai-radiology",
            "dump/2024-11-26-funding",
            "html/east-midlands-virtual-wards",
        ]
    );
    // Fact ids are unique.
    let mut fact_ids: Vec<&str> = f1.iter().map(|f| f["id"].as_str().unwrap()).collect();
    fact_ids.sort_unstable();
    let n = fact_ids.len();
    fact_ids.dedup();
    assert_eq!(fact_ids.len(), n);
}

#[test]
fn facts_to_stdout_as_json_lines() {
    let mut child = common::factmine()
        .args(["extract", "-", "--out", "-"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    let line = r#"{"id": "n1", "published": "2023-04-11", "text": "A title\n\nLast November the ICB said 41 percent of 9,454 people used the NHS App, after an investment of £4.1 million."}"#;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{line}\n").as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let facts: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let by_text = |t: &str| {
        facts
            .iter()
            .find(|f| f["text"] == t)
            .unwrap_or_else(|| panic!("no fact {t:?} in {facts:?}"))
    };
    assert_eq!(
        by_text("Last November")["value"],
        serde_json::json!({"kind": "point", "value": "2022-11", "reference": "published"})
    );
    assert_eq!(
        by_text("41 percent")["value"],
        serde_json::json!({"number": 41, "unit": "percent", "qualifier": null})
    );
    assert_eq!(
        by_text("9,454 people")["value"],
        serde_json::json!({"number": 9454, "unit": "people", "qualifier": null})
    );
    assert_eq!(
        by_text("£4.1 million")["value"],
        serde_json::json!({"number": 4100000, "unit": "GBP", "qualifier": null})
    );
    assert_eq!(by_text("NHS App")["type"], "technology");
    let f = by_text("9,454 people");
    assert_eq!(
        (f["start"].as_u64(), f["end"].as_u64()),
        (Some(50), Some(62))
    );
    assert_eq!(f["doc"], "n1");
    assert_eq!(f["section_kind"], "intro");
}

#[test]
fn bad_inputs_are_named_and_the_rest_is_processed() {
    let inputs = tempfile::tempdir().unwrap();
    let dir = inputs.path();
    std::fs::write(
        dir.join("a-good.txt"),
        "Good title\n\nThe trust supported 78 people.\n",
    )
    .unwrap();
    std::fs::write(dir.join("b-broken.txt"), b"Title\n\nCaf\xc3\xa9 and \xe9\n").unwrap();
    std::fs::write(dir.join("c-empty.txt"), "  \n").unwrap();
    std::fs::write(dir.join("d-binary.txt"), b"PK\x03\x04\x00\x00").unwrap();
    std::fs::write(
        dir.join("e-dump.jsonl"),
        concat!(
            r#"{"id": "ok", "text": "T\n\nIn March 2023 two trusts joined."}"#,
            "\n",
            "{not json\n",
            r#"{"text": "no id"}"#,
            "\n",
            r#"{"id": "no-text"}"#,
            "\n"
        ),
    )
    .unwrap();
    // A file named on the command line is read whatever its name says.
    let elsewhere = tempfile::tempdir().unwrap();
    let pdf = elsewhere.path().join("notes.pdf");
    std::fs::write(&pdf, "%PDF-1.7").unwrap();
    let out = tempfile::tempdir().unwrap();
    let (output, facts, docs, summary) = run_to(
        out.path(),
        &[dir.to_str().unwrap(), pdf.to_str().unwrap()],
        &[],
    );
    assert_eq!(output.status.code(), Some(1), "some inputs failed");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let status: Vec<(String, String)> = docs
        .iter()
        .map(|d| {
            (
                d["status"].as_str().unwrap().to_string(),
                d["error"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let expect = |s: &str, e: &str| (s.to_string(), e.to_string());
    assert_eq!(
        status,
        vec![
            expect("processed", ""),
            expect(
                "failed",
                "not UTF-8: invalid byte 0xE9 at line 3, column 10"
            ),
            expect("failed", "empty file: no text"),
            expect("failed", "binary file: NUL byte at line 1, column 5"),
            expect("processed", ""),
            expect(
                "failed",
                "not JSON: key must be a string at line 1 column 2"
            ),
            expect("failed", "missing `id`"),
            expect("failed", "missing `text` (or `html`)"),
            expect(
                "failed",
                "unsupported file type (expected .txt, .md, .html, .htm, .jsonl or .ndjson, optionally .gz)"
            ),
        ]
    );
    assert_eq!(
        docs[5]["source"],
        format!("{}:2", dir.join("e-dump.jsonl").display())
    );
    assert_eq!(docs[7]["doc"], "no-text");
    assert!(stderr.contains("e-dump.jsonl:3: missing `id`"), "{stderr}");
    assert_eq!(summary["documents"]["read"], 9);
    assert_eq!(summary["documents"]["processed"], 2);
    assert_eq!(summary["documents"]["failed"], 7);
    assert_eq!(summary["failures"].as_array().unwrap().len(), 7);
    let texts: Vec<&str> = facts.iter().map(|f| f["text"].as_str().unwrap()).collect();
    assert_eq!(texts, vec!["78 people", "March 2023", "two trusts"]);
    // Nothing half-written is left behind.
    let names: Vec<PathBuf> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

#[test]
fn a_missing_input_is_a_usage_error_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let output = common::run(&[
        "extract",
        "corpus/news",
        "corpus/no-such-folder",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "factmine: corpus/no-such-folder: no such file or folder (nothing was read or written)\n"
    );
    assert!(!out.exists(), "no output folder is made");
}

#[test]
fn a_bad_rule_stops_the_run_before_any_work() {
    let rules = tempfile::tempdir().unwrap();
    copy_dir(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/rules")),
        rules.path(),
    );
    let dates = rules.path().join("patterns/dates.rules");
    let text = std::fs::read_to_string(&dates).unwrap();
    std::fs::write(
        &dates,
        text.replacen(
            "pattern = \\b(?i:recently|lately)\\b",
            "pattern = (unclosed",
            1,
        ),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = factmine(&[
        "extract",
        "corpus/news",
        "--out",
        out.path().to_str().unwrap(),
        "--rules",
        rules.path().to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = text
        .lines()
        .position(|l| l.contains("(?i:recently|lately)"))
        .unwrap()
        + 1;
    assert!(
        stderr.contains(&format!(
            "dates.rules:{line}: bad regex in rule date.vague_word"
        )),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "no output written"
    );

    let orgs = rules.path().join("gazetteers/organisations.tsv");
    std::fs::write(&dates, text).unwrap();
    let mut tsv = std::fs::read_to_string(&orgs).unwrap();
    tsv.push_str("Broken Entry Without Kind\n");
    std::fs::write(&orgs, &tsv).unwrap();
    let output = factmine(&[
        "extract",
        "corpus/news",
        "--out",
        "-",
        "--rules",
        rules.path().to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = tsv.lines().count();
    assert!(
        stderr.contains(&format!(
            "organisations.tsv:{line}: expected 2 to 7 tab-separated fields, found 1"
        )),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn eval_scores_a_run_and_compares_two() {
    let good = tempfile::tempdir().unwrap();
    let (o, _, _, _) = run_to(good.path(), &["corpus"], &[]);
    assert!(o.status.success());
    // A second run with the count rule broken.
    let rules = tempfile::tempdir().unwrap();
    copy_dir(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/rules")),
        rules.path(),
    );
    let metrics = rules.path().join("patterns/metrics.rules");
    let text = std::fs::read_to_string(&metrics).unwrap();
    let at = text.find("[rule metric.count]").unwrap();
    let pattern_at = at + text[at..].find("pattern = ").unwrap();
    let line_end = pattern_at + text[pattern_at..].find('\n').unwrap();
    std::fs::write(
        &metrics,
        format!(
            "{}pattern = \\bQQQQ\\b{}",
            &text[..pattern_at],
            &text[line_end..]
        ),
    )
    .unwrap();
    let bad = tempfile::tempdir().unwrap();
    let rules_arg = rules.path().to_str().unwrap();
    let (o, _, _, _) = run_to(bad.path(), &["corpus"], &["--rules", rules_arg]);
    assert!(o.status.success());

    let scored = factmine(&[
        "eval",
        "--gold",
        "tests/gold",
        "--pred",
        good.path().to_str().unwrap(),
        "--json",
    ]);
    assert!(
        scored.status.success(),
        "{}",
        String::from_utf8_lossy(&scored.stderr)
    );
    let json: Value = serde_json::from_slice(&scored.stdout).unwrap();
    assert_eq!(json["missing_documents"].as_array().unwrap().len(), 0);
    assert_eq!(json["scores"]["count.all.gold"], 1181.0);

    let compared = factmine(&[
        "eval",
        "--gold",
        "tests/gold",
        "--compare",
        good.path().to_str().unwrap(),
        bad.path().to_str().unwrap(),
    ]);
    assert!(compared.status.success());
    let out = String::from_utf8_lossy(&compared.stdout);
    assert!(
        out.contains("gained (missed before, found now): 0"),
        "{out}"
    );
    let lost_line = out
        .lines()
        .find(|l| l.starts_with("lost (found before, missed now): "))
        .unwrap();
    let lost: usize = lost_line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(lost >= 10, "{out}");
    assert!(
        out.contains("news/west-suffolk-nhs-app") && out.contains(" metric "),
        "{out}"
    );
    let delta = out
        .lines()
        .find(|l| l.starts_with("lenient.metric.r "))
        .unwrap();
    assert!(
        delta.split_whitespace().last().unwrap().starts_with('-'),
        "{delta}"
    );
    assert!(
        !out.contains("sections.all.p "),
        "scores that did not change are left out: {out}"
    );
    // Without gold: the facts that differ, over every document, matched
    // by span (not by rule id).
    let plain = factmine(&[
        "eval",
        "--compare",
        good.path().to_str().unwrap(),
        bad.path().to_str().unwrap(),
    ]);
    assert!(plain.status.success());
    let plain = String::from_utf8_lossy(&plain.stdout);
    let head = plain.lines().next().unwrap();
    let removed: usize = head
        .strip_prefix("facts: ")
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{head}"));
    assert!(removed >= lost, "{plain}");
    let marks: Vec<char> = plain
        .lines()
        .skip(1)
        .map(|l| l.chars().next().unwrap())
        .collect();
    assert_eq!(marks.iter().filter(|&&c| c == '-').count(), removed);
    assert!(marks.iter().all(|c| "-+~".contains(*c)), "{plain}");
    assert!(!plain.contains("score"));

    let errors = factmine(&[
        "eval",
        "--gold",
        "tests/gold",
        "--texts",
        "corpus",
        "--errors",
    ]);
    assert!(errors.status.success());
    let listed = String::from_utf8_lossy(&errors.stdout);
    let first = listed
        .lines()
        .find(|l| l.starts_with("MISSED "))
        .expect("some misses are listed");
    assert!(first.contains(".."), "{first}");
}

#[test]
fn a_reference_date_resolves_what_a_document_leaves_open() {
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("undated.txt");
    std::fs::write(
        &article,
        "Eastvale round-up\n\nLast month the trust went live, and on Friday it said more.\n",
    )
    .unwrap();
    let article = article.to_str().unwrap();
    let dates = |extra: &[&str]| -> Vec<(String, Value)> {
        let out = dir.path().join(format!("out{}", extra.len()));
        let mut args = vec!["extract", article, "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        let output = factmine(&args);
        assert!(output.status.success(), "{output:?}");
        let summary: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap())
                .unwrap();
        let mut got: Vec<(String, Value)> = read_jsonl(&out.join("facts.jsonl"))
            .into_iter()
            .map(|f| (f["text"].as_str().unwrap().to_string(), f["value"].clone()))
            .collect();
        got.push(("unresolved".into(), summary["dates_unresolved"].clone()));
        got.push((
            "reference".into(),
            read_jsonl(&out.join("documents.jsonl"))[0]["reference"].clone(),
        ));
        got
    };
    assert_eq!(
        dates(&[]),
        vec![
            (
                "Last month".into(),
                serde_json::json!({"kind": "point", "value": null, "relative": true})
            ),
            (
                "Friday".into(),
                serde_json::json!({"kind": "point", "value": null, "relative": true})
            ),
            ("unresolved".into(), serde_json::json!(2)),
            ("reference".into(), Value::Null),
        ]
    );
    assert_eq!(
        dates(&["--reference-date", "2024-03-06"]),
        vec![
            (
                "Last month".into(),
                serde_json::json!({"kind": "point", "value": "2024-02", "reference": "given"})
            ),
            (
                "Friday".into(),
                serde_json::json!({"kind": "point", "value": "2024-03-01", "reference": "given"})
            ),
            ("unresolved".into(), serde_json::json!(0)),
            (
                "reference".into(),
                serde_json::json!({"date": "2024-03-06", "from": "given", "precision": "day"})
            ),
        ]
    );
}

#[test]
fn the_built_in_rules_run_anywhere_and_rules_init_writes_them_out() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("article.txt"),
        "Title\n\nNHS Eastvale ICB rolled out an electronic patient record to 9,454 people.\n",
    )
    .unwrap();
    let in_dir = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_factmine"))
            .args(args)
            .current_dir(dir.path())
            .env_remove("FACTMINE_RULES")
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}: {output:?}");
    };
    in_dir(&["extract", "article.txt", "--out", "out", "-q"]);
    in_dir(&["rules", "init", "r"]);
    in_dir(&[
        "extract",
        "article.txt",
        "--rules",
        "r",
        "--out",
        "out2",
        "-q",
    ]);
    let facts = |out: &str| read_jsonl(&dir.path().join(out).join("facts.jsonl"));
    assert_eq!(facts("out"), facts("out2"));
    assert_eq!(
        facts("out")
            .iter()
            .map(|f| f["text"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [
            "NHS Eastvale ICB",
            "electronic patient record",
            "9,454 people"
        ]
    );
    let summary = |out: &str| -> Value {
        serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(out).join("summary.json")).unwrap(),
        )
        .unwrap()
    };
    assert_eq!(summary("out")["rules_source"], "built-in");
    assert_eq!(summary("out2")["rules_source"], "r");
    assert_eq!(summary("out")["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        summary("out")["rules_fingerprint"],
        summary("out2")["rules_fingerprint"]
    );
    // rules init will not write over a folder that holds something.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_factmine"))
        .args(["rules", "init", "r"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn fields_trim_the_fact_lines() {
    let article = "corpus/news/west-suffolk-nhs-app.txt";
    let full = factmine(&["extract", article, "--out", "-", "-q"]);
    let trimmed = factmine(&[
        "extract",
        article,
        "--out",
        "-",
        "-q",
        "--fields",
        "doc,type,text,value",
    ]);
    let full: Vec<Value> = String::from_utf8_lossy(&full.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let trimmed = String::from_utf8_lossy(&trimmed.stdout).into_owned();
    assert_eq!(trimmed.lines().count(), full.len());
    for (line, whole) in trimmed.lines().zip(&full) {
        // The same fields, in the schema's order, with the same values.
        let expected = serde_json::json!({
            "doc": whole["doc"], "type": whole["type"], "text": whole["text"], "value": whole["value"]
        });
        assert!(line.starts_with("{\"doc\":"), "{line}");
        assert_eq!(serde_json::from_str::<Value>(line).unwrap(), expected);
    }
    let bad = factmine(&["extract", article, "--out", "-", "--fields", "id,sentense"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no fact field \"sentense\""));
}
