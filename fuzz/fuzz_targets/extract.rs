//! Fuzzes sections and extraction with the bundled rules: the section
//! splitter, gazetteer, patterns and every normaliser (numbers, dates,
//! metrics), checking the invariants facts promise, and the JSON lines
//! they are written as (each what serde_json makes of the fact).
#![no_main]
use factmine::batch::{Processed, Render};
use factmine::calendar::Ymd;
use factmine::output::{FactFields, Lines};
use factmine::{Document, Pipeline};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn pipeline() -> &'static Pipeline {
    static P: OnceLock<Pipeline> = OnceLock::new();
    P.get_or_init(|| {
        Pipeline::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules")).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut doc = Document::from_text("fuzz", "fuzz.txt", text.to_string());
    doc.published = Ymd::new(2023, 4, 11);
    let analysis = pipeline().analyse(&doc);
    let sections = &analysis.layout.sections;
    assert_eq!(sections.first().map(|s| s.start), Some(0));
    assert_eq!(sections.last().map(|s| s.end), Some(text.len()));
    assert!(sections.windows(2).all(|w| w[0].end == w[1].start));
    let chars: Vec<char> = text.chars().collect();
    let mut last_end = 0;
    for f in &analysis.facts {
        assert!(f.start < f.end && f.end <= chars.len());
        assert!(f.start >= last_end, "facts do not overlap");
        last_end = f.end;
        assert_eq!(chars[f.start..f.end].iter().collect::<String>(), f.text);
    }
    let facts = analysis.facts.clone();
    let done = Processed::Done { doc, analysis };
    let rendered = Lines {
        document: false,
        fields: FactFields::ALL,
    }
        .render(&done)
        .expect("an analysed document renders");
    let lines: Vec<&[u8]> = rendered[0].split_inclusive(|&b| b == b'\n').collect();
    assert_eq!(lines.len(), facts.len());
    for (line, fact) in lines.iter().zip(&facts) {
        assert_eq!(
            *line,
            [serde_json::to_vec(fact).unwrap(), b"\n".to_vec()].concat()
        );
    }
});
