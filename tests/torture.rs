//! The torture corpus: hostile inputs of every kind, generated here (the
//! large ones are never committed), run end to end through `factmine
//! extract`. Every record must be accounted for — processed, processed with
//! a warning, or skipped with its reason — with no panic, bounded memory,
//! and code-point offsets that still point at the fact's text.

use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;

mod common;

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// The text factmine reads from a file: line ends unified, front matter off.
fn as_read(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

#[test]
fn the_torture_corpus_runs_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let mut expected_text: Vec<(&str, String)> = Vec::new();

    // Broken UTF-8 at every position class, in otherwise UTF-8 text.
    write(
        &dir,
        "bad-utf8-1-start.txt",
        b"\xe9Title caf\xc3\xa9\n\nBody.\n",
    );
    write(
        &dir,
        "bad-utf8-2-middle.txt",
        b"Title caf\xc3\xa9\n\nBo\x80dy.\n",
    );
    write(
        &dir,
        "bad-utf8-3-end.txt",
        b"Title caf\xc3\xa9\n\nBody.\xff",
    );
    write(
        &dir,
        "bad-utf8-4-cut-sequence.txt",
        b"Title caf\xc3\xa9\n\nBody \xe2\x80",
    );
    // Other encodings, read with a warning.
    let mut utf16 = vec![0xFF, 0xFE];
    let utf16_text = "Title\r\n\r\nThe ICB supported 9,454 people.\r\n";
    utf16.extend(utf16_text.encode_utf16().flat_map(u16::to_le_bytes));
    write(&dir, "enc-utf16.txt", &utf16);
    expected_text.push(("enc-utf16", as_read(utf16_text)));
    write(
        &dir,
        "enc-windows-1252.txt",
        b"Title\n\nThe trust\x92s \x93new\x94 EPR cost \xa34.1 million.\n",
    );
    expected_text.push((
        "enc-windows-1252",
        "Title\n\nThe trust’s “new” EPR cost £4.1 million.\n".into(),
    ));
    // Line ends.
    let crlf = "Title\r\n\r\nLast November 41 percent of 9,454 people\r\nused the NHS App.\r\n";
    write(&dir, "lines-crlf.txt", crlf.as_bytes());
    expected_text.push(("lines-crlf", as_read(crlf)));
    let cr = "Title\r\rIn March 2023 two trusts\rjoined.\r";
    write(&dir, "lines-cr.txt", cr.as_bytes());
    expected_text.push(("lines-cr", as_read(cr)));
    // Binary and empty.
    write(&dir, "nul.txt", b"Title\n\nText\x00more\n");
    write(&dir, "empty.txt", b"");
    // A one-line article with no title line: all of it is body.
    write(
        &dir,
        "one-line-no-title.txt",
        "The trust saw 41 percent more visits in March 2023, and NHS England paid £2 million for the EPR."
            .as_bytes(),
    );
    write(&dir, "empty-dump.jsonl", b"");
    // Huge and pathological.
    let mut huge = b"Title\n\n".to_vec();
    huge.extend(std::iter::repeat_n(b"lorem ipsum sit ".as_slice(), 100 << 20 >> 4).flatten());
    write(&dir, "huge-100mb-one-line.txt", &huge);
    let headings: String = (0..50_000)
        .map(|i| format!("Heading {i}\n\nText with 2 trusts.\n\n"))
        .collect();
    write(
        &dir,
        "many-50000-headings.txt",
        format!("Title\n\n{headings}").as_bytes(),
    );
    let nested = format!(
        "<html><body>{}<p>Deep: 41 percent.</p>{}</body></html>",
        "<div>".repeat(100_000),
        "</div>".repeat(100_000)
    );
    write(&dir, "html-deep.html", nested.as_bytes());
    let many = format!(
        "<html><body><article><h1>Many</h1>{}<p>It cost £4.1 million.</p></article></body></html>",
        "<p>x</p>".repeat(150_000)
    );
    write(&dir, "html-many-elements.html", many.as_bytes());
    let script = format!(
        "<html><head><script>{}</script></head><body><article><h1>T</h1><p>It cost £4.1 million.</p></article><script>{}</script></body></html>",
        "var x = '41 percent';".repeat(200_000),
        "y();".repeat(100_000)
    );
    write(&dir, "html-99-percent-script.html", script.as_bytes());
    // JSON lines: a 50 MB line, scripts and whitespace, and a truncated gzip.
    let filler = "The service ran as planned. ".repeat(50 << 20 >> 5);
    let spaces = "T\n\nIt supported 9,454\u{a0}people and cost £4.1\u{202f}million over 2023\u{2013}2025 with 40\u{2011}50 beds, between\u{2003}2021 and 2023.";
    let scripts =
        "T\n\nمستشفى 2023 医院 41 percent 病院 NHS England🚀 and Lantum 🧑‍⚕️ said 9,454 people.";
    let lines = [
        json!({"id": "big-line", "text": format!("T\n\n{filler} Two trusts joined.")}),
        json!({"id": "spaces", "published": "2023-04-11", "text": spaces}),
        json!({"id": "scripts", "published": "2023-04-11", "text": scripts}),
        json!({"id": "dup", "text": "T\n\nA record with 2 trusts."}),
        json!({"id": "dup", "text": "T\n\nA repeat of its id with 2 trusts."}),
    ];
    let dump: String = lines.iter().map(|l| format!("{l}\n")).collect();
    write(&dir, "dump.jsonl", dump.as_bytes());
    expected_text.push(("spaces", spaces.into()));
    expected_text.push(("scripts", scripts.into()));
    let good = format!(
        "{}\n{}\n",
        json!({"id": "gz-1", "text": "T\n\nTwo trusts."}),
        json!({"id": "gz-2", "text": "T\n\nSix wards."})
    );
    let mut gz = gzip(
        format!(
            "{good}{}",
            "{\"id\": \"gz-3\", \"text\": \"T\\n\\nNever read\"}\n".repeat(2000)
        )
        .as_bytes(),
    );
    gz.truncate(gz.len() / 2);
    write(&dir, "truncated.jsonl.gz", &gz);

    let out = tmp.path().join("out");
    let output = common::factmine()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "extract",
            dir.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--stats",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "some records fail, none panics"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let stats: Value = serde_json::from_str(&stderr[stderr.find('{').unwrap()..]).unwrap();
    let peak = stats["peak_memory_bytes"].as_u64().unwrap();
    println!("torture corpus peak memory: {} MB", peak >> 20);
    assert!(peak < 1 << 30, "peak memory {} MB", peak >> 20);

    let docs: Vec<Value> = std::fs::read_to_string(out.join("documents.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let by_source = |needle: &str| -> Vec<&Value> {
        docs.iter()
            .filter(|d| d["source"].as_str().unwrap().contains(needle))
            .collect()
    };
    let status = |needle: &str| -> Vec<(String, String)> {
        by_source(needle)
            .iter()
            .map(|d| {
                let detail = d["error"]
                    .as_str()
                    .map(String::from)
                    .unwrap_or_else(|| d["warnings"].to_string());
                (d["status"].as_str().unwrap().to_string(), detail)
            })
            .collect()
    };
    let one = |s: &str, d: &str| vec![(s.to_string(), d.to_string())];
    assert_eq!(
        status("bad-utf8-1"),
        one("failed", "not UTF-8: invalid byte 0xE9 at line 1, column 1")
    );
    assert_eq!(
        status("bad-utf8-2"),
        one("failed", "not UTF-8: invalid byte 0x80 at line 3, column 3")
    );
    assert_eq!(
        status("bad-utf8-3"),
        one("failed", "not UTF-8: invalid byte 0xFF at line 3, column 6")
    );
    assert_eq!(
        status("bad-utf8-4"),
        one("failed", "not UTF-8: invalid byte 0xE2 at line 3, column 6")
    );
    assert_eq!(
        status("enc-utf16"),
        one("warned", r#"["decoded from UTF-16 (byte-order mark)"]"#)
    );
    assert_eq!(status("enc-windows-1252")[0].0, "warned");
    assert_eq!(status("lines-crlf"), one("processed", "[]"));
    assert_eq!(status("lines-cr.txt"), one("processed", "[]"));
    assert_eq!(
        status("nul.txt"),
        one("failed", "binary file: NUL byte at line 3, column 5")
    );
    assert_eq!(status("empty.txt"), one("failed", "empty file: no text"));
    assert_eq!(status("one-line-no-title"), one("processed", "[]"));
    let one_line = by_source("one-line-no-title")[0];
    assert_eq!(one_line["facts"], 5, "every fact of the one line");
    assert_eq!(one_line["title"], Value::Null);
    assert!(
        by_source("empty-dump").is_empty(),
        "an empty dump has no records"
    );
    assert_eq!(
        status("huge-100mb"),
        one(
            "failed",
            "document too large: over 67108864 bytes (read no further; see --max-doc-mb)"
        )
    );
    assert_eq!(status("many-50000"), one("processed", "[]"));
    assert_eq!(
        by_source("many-50000")[0]["sections"]
            .as_array()
            .unwrap()
            .len(),
        50_001,
        "the title and one section a heading"
    );
    assert_eq!(by_source("many-50000")[0]["facts"], 50_000);
    assert_eq!(
        status("html-deep"),
        one(
            "warned",
            r#"["HTML nested deeper than 256 elements: the deeper tags were dropped, their text kept","HTML with more than 100000 elements: the tags after them were dropped, their text kept"]"#
        )
    );
    assert_eq!(by_source("html-deep")[0]["facts"], 1);
    assert_eq!(
        status("html-many-elements"),
        one(
            "warned",
            r#"["HTML with more than 100000 elements: the tags after them were dropped, their text kept"]"#
        )
    );
    assert_eq!(by_source("html-many-elements")[0]["facts"], 1);
    assert_eq!(
        by_source("html-99-percent-script")[0]["facts"],
        1,
        "script text is not read"
    );
    let dump_status: Vec<String> = by_source("dump.jsonl")
        .iter()
        .map(|d| d["status"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        dump_status,
        vec!["processed", "processed", "processed", "processed", "warned"]
    );
    assert_eq!(
        by_source("dump.jsonl")[0]["facts"],
        1,
        "the 50 MB line is read to its end"
    );
    let gz = status("truncated.jsonl.gz");
    let (last, read) = gz.split_last().unwrap();
    assert!(
        read.len() >= 2,
        "records before the cut are read: {}",
        read.len()
    );
    assert!(
        read.iter().all(|(s, _)| s != "failed"),
        "every record before the cut is processed"
    );
    assert_eq!(
        last,
        &(
            "failed".to_string(),
            "cannot read further: incomplete deflate stream".to_string()
        )
    );

    // Every record accounted for, in documents.jsonl and summary.json.
    let d = &stats["documents"];
    let n = |k: &str| d[k].as_u64().unwrap();
    assert_eq!(n("read"), docs.len() as u64);
    assert_eq!(n("read"), n("processed") + n("warned") + n("failed"));
    assert_eq!(docs.len(), 4 + 2 + 2 + 2 + 1 + 5 + 5 + gz.len());

    // Offsets are code points into the text as read.
    let facts: Vec<Value> = std::fs::read_to_string(out.join("facts.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (doc, text) in &expected_text {
        let chars: Vec<char> = text.chars().collect();
        let mine: Vec<&Value> = facts.iter().filter(|f| f["doc"] == *doc).collect();
        assert!(!mine.is_empty(), "no facts for {doc}");
        for f in mine {
            let (s, e) = (
                f["start"].as_u64().unwrap() as usize,
                f["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(
                chars[s..e].iter().collect::<String>(),
                f["text"].as_str().unwrap(),
                "{doc}"
            );
        }
    }
    let value = |doc: &str, text: &str| -> Value {
        facts
            .iter()
            .find(|f| f["doc"] == doc && f["text"] == text)
            .unwrap_or_else(|| panic!("{doc}: no {text:?}"))["value"]
            .clone()
    };
    assert_eq!(value("spaces", "9,454\u{a0}people")["number"], 9454);
    assert_eq!(value("spaces", "£4.1\u{202f}million")["number"], 4_100_000);
    assert_eq!(value("spaces", "2023\u{2013}2025")["value"], "2023/2025");
    assert_eq!(value("spaces", "40\u{2011}50 beds")["upper"], 50);
    assert_eq!(value("spaces", "2021 and 2023")["value"], "2021/2023");
    assert_eq!(value("scripts", "NHS England")["kind"], "national");
    assert_eq!(value("scripts", "Lantum")["canonical"], "Lantum");
    assert_eq!(value("scripts", "41 percent")["number"], 41);
    assert_eq!(
        value("enc-windows-1252", "£4.1 million")["number"],
        4_100_000
    );
    assert_eq!(value("enc-utf16", "9,454 people")["number"], 9454);
    assert_eq!(
        value("lines-crlf", "Last November")["value"],
        Value::Null,
        "no published date: relative"
    );
    let ids: std::collections::HashSet<&str> =
        facts.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), facts.len(), "fact ids are unique");
}

/// Work grows with the input and no faster: each hostile shape is analysed
/// at two sizes, four times apart, and the bytes the analysis examined
/// (an exact count, the same on every machine) grow at most 4.4 times — a
/// stage that went back over its text at every match would make them grow
/// sixteen times. Facts carry at most 400 characters of their sentence, so
/// no input multiplies the output by its own length.
#[test]
fn work_and_output_grow_linearly_with_hostile_inputs() {
    let pipeline =
        factmine::Pipeline::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).unwrap();
    // Each shape: a name, then text repeated to the size between a start
    // and an end.
    let shapes = [
        (
            "one-line article",
            "",
            "The Northfield Imaging Consortium (NIC) said 4,120 patients used the new \
             EPR in March 2024, up 41 percent on last year. Westmoor Health NHS Trust \
             spent £2.3 million on remote monitoring. ",
            "",
        ),
        (
            "sentence-less paragraph",
            "",
            "12,345 people and 41 percent in March 2023 at NHS England; ",
            "",
        ),
        ("grouped number", "1", ",234", " people"),
        ("glued brackets", "", "(AB)", ""),
        ("unclosed brackets", "", "Widget Lab (WL ", ""),
        (
            "glued dated links",
            "",
            "https://example.org/2023/04/11/",
            "",
        ),
        ("list of percentages", "", "41% ", ""),
        ("digits without end", "", "7", ""),
        (
            "many headings",
            "",
            "Digital Update\n\nThe ICB added 2 wards.\n\n",
            "",
        ),
        (
            "counts with their nouns left out",
            "",
            "of the patients on the new pathway 310 were assessed, 52 referred and \
             the hub will open in June; ",
            "",
        ),
    ];
    let small = 64 << 10;
    for (name, first, unit, last) in shapes {
        let analyse = |bytes: usize| {
            let body = unit.repeat(bytes / unit.len() + 1);
            let text = format!("Title\n\n{first}{body}{last}\n");
            let doc = factmine::Document::from_text(name, "shape.txt", text);
            let analysis = pipeline.analyse(&doc);
            let longest = analysis
                .facts
                .iter()
                .map(|f| f.sentence.chars().count())
                .max()
                .unwrap_or(0);
            (analysis.examined, analysis.facts.len(), longest)
        };
        let (work_small, facts_small, longest_small) = analyse(small);
        let (work_big, facts_big, longest_big) = analyse(4 * small);
        assert!(
            work_small >= small as u64,
            "{name}: {work_small} bytes examined"
        );
        let growth = work_big as f64 / work_small as f64;
        println!("{name}: {work_small} → {work_big} bytes examined (×{growth:.2}), {facts_small} → {facts_big} facts");
        assert!(
            growth <= 4.4,
            "{name}: work grew ×{growth:.2} for ×4 the text"
        );
        assert!(
            facts_big <= 4 * facts_small + 4,
            "{name}: facts {facts_small} → {facts_big}"
        );
        // A sentence is cut to 400 characters, plus "…" on each side.
        assert!(
            longest_small.max(longest_big) <= 402,
            "{name}: a sentence of {longest_big}"
        );
    }
}
