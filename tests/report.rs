//! `factmine report` over the bundled corpus: every ICS present, and two
//! ICSs' figures checked against values worked out by hand from the
//! articles (corpus/html/west-midlands-shared-records.html's sections and
//! corpus/news/midlands-icbs-cyber-and-pathology-funding.txt, whose
//! sentences name the ICBs), following the attribution rule in
//! docs/annotation.md.

mod common;

use common::{root, run};
use factmine::review::model::{Request, Verdict};
use factmine::review::store::Store;
use serde_json::{json, Value};
use std::path::Path;

/// Extracts the corpus and digests it; the digest and the report folder.
fn corpus_report(work: &Path) -> Value {
    let out = work.join("run");
    let report = work.join("report");
    let status = run(&["extract", "corpus", "--out", out.to_str().unwrap(), "-q"]);
    assert!(status.status.success(), "{status:?}");
    let status = run(&[
        "report",
        out.to_str().unwrap(),
        "--out",
        report.to_str().unwrap(),
        "-q",
    ]);
    assert!(status.status.success(), "{status:?}");
    serde_json::from_str(&std::fs::read_to_string(report.join("digest.json")).unwrap()).unwrap()
}

fn area<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no area {name}"))
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| x[key].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_corpus_digest_has_every_ics_and_the_figures_worked_out_by_hand() {
    let work = tempfile::tempdir().unwrap();
    let digest = corpus_report(work.path());
    let systems = &digest["systems"];

    // All 42 ICSs, in ics.tsv's order, each with its region and ICB code.
    let listed: Vec<String> = std::fs::read_to_string(root().join("rules/gazetteers/ics.tsv"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    assert_eq!(listed.len(), 42);
    assert_eq!(names(systems, "name"), listed);
    let birmingham = area(systems, "Birmingham and Solihull");
    assert_eq!(birmingham["facts"]["total"], 0);
    assert_eq!(birmingham["region"], "Midlands");

    // Coventry and Warwickshire: its section of the West Midlands round-up
    // (6 organisations, 1 technology, 2 dates, £1.6m) and, from the news
    // story, the three sentences that name its ICB: "… ICB and NHS
    // Shropshire, Telford and Wrekin ICB have been awarded £3.5 million",
    // "… ICB will spend £2 million …, due to open in March 2025" and "… ICB
    // said the £2 million award …" (the same £2 million, summed once).
    let cw = area(systems, "Coventry and Warwickshire");
    assert_eq!(cw["code"], "QWU");
    assert_eq!(cw["documents"], 2);
    assert_eq!(
        cw["facts"],
        json!({"organisation": 10, "technology": 1, "date": 3, "metric": 4, "total": 18})
    );
    assert_eq!(cw["money"].as_array().unwrap().len(), 1);
    assert_eq!(cw["money"][0]["currency"], "GBP");
    assert_eq!(cw["money"][0]["total"], 7_100_000.0);
    assert_eq!(cw["money"][0]["facts"].as_array().unwrap().len(), 3);
    let timeline: Vec<&str> = cw["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["value"].as_str().unwrap())
        .collect();
    assert_eq!(timeline, ["2022/2024", "2023-SP", "2025-03"]);
    let orgs: Vec<(String, u64)> = cw["organisations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["canonical"].as_str().unwrap().to_string(),
                o["mentions"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        &orgs[..2],
        [
            ("Coventry and Warwickshire".to_string(), 3),
            (
                "University Hospitals Coventry and Warwickshire NHS Trust".to_string(),
                3
            )
        ]
    );
    assert_eq!(orgs.iter().map(|o| o.1).sum::<u64>(), 10);

    // Shropshire, Telford and Wrekin: its round-up section (6
    // organisations, 2 technologies, 2 dates, around 95%) and the one news
    // sentence that names its ICB (two ICBs and £3.5 million).
    let stw = area(systems, "Shropshire, Telford and Wrekin");
    assert_eq!(
        stw["facts"],
        json!({"organisation": 8, "technology": 2, "date": 2, "metric": 2, "total": 14})
    );
    assert_eq!(stw["money"][0]["total"], 3_500_000.0);
    assert_eq!(stw["percentages"][0]["number"], 95.0);
    assert_eq!(stw["percentages"][0]["qualifier"], "about");
    let timeline: Vec<&str> = stw["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["value"].as_str().unwrap())
        .collect();
    assert_eq!(timeline, ["2022", "2023-03"]);

    // The sentence that names both ICBs counts once for their region; the
    // rate ("£40,000 a month") and the sentences naming no ICS are
    // national / unattributed, and a rate is never summed.
    let unattributed = &digest["unattributed"];
    let rate = unattributed["counts"]
        .as_array()
        .unwrap()
        .iter()
        .chain(unattributed["money"][0]["examples"].as_array().unwrap())
        .any(|x| x["fact"]["text"] == "£40,000 a month" || x["text"] == "£40,000 a month");
    assert!(!rate, "a rate is neither a count nor summed money");
    let midlands = area(&digest["regions"], "Midlands");
    let by_system: f64 = systems
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["region"] == "Midlands")
        .filter_map(|a| a["money"][0]["total"].as_f64())
        .sum();
    assert_eq!(
        midlands["money"][0]["total"].as_f64().unwrap(),
        by_system - 3_500_000.0
    );
    let national = &digest["national"];
    assert_eq!(national["facts"]["total"], digest["facts"]);
}

#[test]
fn a_review_database_gives_only_the_kept_facts() {
    let work = tempfile::tempdir().unwrap();
    let db = work.path().join("review.sqlite");
    let article = root().join("corpus/news/midlands-icbs-cyber-and-pathology-funding.txt");
    let out = run(&[
        "review",
        article.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--no-serve",
    ]);
    assert!(out.status.success(), "{out:?}");
    let mut store = Store::open(&db).unwrap();
    let doc = store.document_ids().unwrap().remove(0);
    let view = store.document(&doc).unwrap();
    let id_of = |text: &str| {
        view.facts
            .iter()
            .find(|f| f.extracted.as_ref().is_some_and(|s| s.text == text))
            .unwrap_or_else(|| panic!("no fact {text:?}"))
            .id
            .clone()
    };
    let decide = |store: &mut Store, fact: String, verdict: Verdict| {
        let request = Request {
            doc: doc.clone(),
            fact: Some(fact),
            verdict,
            fact_type: None,
            span: None,
            value: None,
        };
        store
            .decide("tester", &request, |_, t, _| {
                factmine::FactValue::unknown(t)
            })
            .unwrap();
    };
    decide(&mut store, id_of("£3.5 million"), Verdict::Accept);
    decide(&mut store, id_of("March 2025"), Verdict::Reject);
    drop(store);
    let report = work.path().join("report");
    let out = run(&[
        "report",
        "--reviewed",
        db.to_str().unwrap(),
        "--out",
        report.to_str().unwrap(),
        "-q",
    ]);
    assert!(out.status.success(), "{out:?}");
    let digest: Value =
        serde_json::from_str(&std::fs::read_to_string(report.join("digest.json")).unwrap())
            .unwrap();
    assert_eq!(digest["reviewed"], true);
    assert_eq!(digest["facts"], 1);
    // The accepted £3.5 million stands in a sentence naming both ICBs.
    for name in [
        "Coventry and Warwickshire",
        "Shropshire, Telford and Wrekin",
    ] {
        let a = area(&digest["systems"], name);
        assert_eq!(
            a["facts"]["total"], 0,
            "{name}: its ICB mentions were not kept"
        );
    }
    assert_eq!(digest["unattributed"]["money"][0]["total"], 3_500_000.0);
}

#[test]
fn bad_runs_are_named() {
    let work = tempfile::tempdir().unwrap();
    let out = run(&[
        "report",
        work.path().to_str().unwrap(),
        "--out",
        work.path().join("r").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not a complete extract run (no summary.json)"),
        "{err}"
    );
    std::fs::write(work.path().join("summary.json"), "{}").unwrap();
    std::fs::write(work.path().join("documents.jsonl"), "").unwrap();
    std::fs::write(work.path().join("facts.jsonl"), "{\"id\": 1}\n").unwrap();
    let out = run(&[
        "report",
        work.path().to_str().unwrap(),
        "--out",
        work.path().join("r").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("facts.jsonl:1: "), "{err}");
}
