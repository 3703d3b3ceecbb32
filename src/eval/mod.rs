//! Evaluation against hand-labelled gold: runs the pipeline over the gold
//! documents' texts (or reads an earlier run's output), scores it as the
//! guideline's §5 says, and lists what a rule writer needs to fix.
//! Predictions inside the title, headings and contents lists are ignored.

pub mod gold;
pub mod report;
pub mod score;

pub use gold::{load_dir, GoldDoc, GoldError, GoldFact};
pub use score::{Counts, Finding, Predicted, PredictedSection, Scores};

use crate::document::Document;
use crate::extract::searchable;
use crate::ingest::{self, Records};
use crate::pipeline::Pipeline;
use crate::record::{read_lines, DocumentRecord, FactRecord};
use crate::sections::SectionKind;
use crate::sentences::Sentences;
use crate::text::{CharCounter, CodePoints};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What the scorer needs of one document's predictions.
#[derive(Debug, Clone, Default)]
pub struct DocPrediction {
    /// Facts, offsets in code points.
    pub facts: Vec<Predicted>,
    /// Top-level sections.
    pub sections: Vec<PredictedSection>,
    /// Code-point ranges whose predictions are ignored (title, headings, contents).
    pub ignored: Vec<(usize, usize)>,
}

/// Predictions by document id, and the texts they came from when known.
#[derive(Debug, Clone, Default)]
pub struct Predictions {
    /// By document id.
    pub docs: HashMap<String, DocPrediction>,
    /// Document texts by id (empty when read from an earlier run alone).
    pub texts: HashMap<String, String>,
}

/// Runs the pipeline over the gold documents found among `inputs`; a
/// document without `published` takes the gold file's.
pub fn predict(
    pipeline: &Pipeline,
    gold: &[GoldDoc],
    inputs: &[PathBuf],
) -> Result<Predictions, String> {
    let wanted: HashMap<&str, &GoldDoc> = gold.iter().map(|g| (g.doc.as_str(), g)).collect();
    let mut out = Predictions::default();
    for record in Records::new(ingest::discover(inputs, &[]).sources) {
        let mut doc: Document = match record {
            Ok(d) => d,
            Err(e) => return Err(format!("cannot read a gold document's text: {e}")),
        };
        let Some(g) = wanted.get(doc.id.as_str()) else {
            continue;
        };
        if doc.published.is_none() {
            doc.published = g.published;
        }
        g.check_text(&doc.text).map_err(|e| e.to_string())?;
        let analysis = pipeline.analyse(&doc);
        let mut chars = CharCounter::new(&doc.text);
        let sections = analysis
            .layout
            .sections
            .iter()
            .map(|s| PredictedSection {
                kind: s.kind,
                title: s.title.clone(),
                ics: s.ics.clone(),
            })
            .collect();
        let mut ignored: Vec<(usize, usize)> = analysis
            .layout
            .silent
            .iter()
            .map(|&(s, e)| (chars.at(s), chars.at(e)))
            .collect();
        ignored.extend(gold_silent(g, &doc.text));
        let facts = analysis
            .facts
            .into_iter()
            .map(|f| Predicted {
                id: f.id,
                doc: f.doc.to_string(),
                section: f.section,
                section_kind: f.section_kind,
                ics: f.ics.as_deref().map(str::to_string),
                fact_type: f.fact_type,
                text: f.text,
                start: f.start,
                end: f.end,
                value: Arc::unwrap_or_clone(f.value),
                sentence: f.sentence.to_string(),
                rule: f.rule.to_string(),
            })
            .collect();
        out.docs.insert(
            doc.id.clone(),
            DocPrediction {
                facts,
                sections,
                ignored,
            },
        );
        out.texts.insert(doc.id, doc.text);
    }
    if let Some(g) = gold.iter().find(|g| !out.docs.contains_key(&g.doc)) {
        return Err(format!(
            "no text found for gold document {:?} ({})",
            g.doc,
            g.path.display()
        ));
    }
    Ok(out)
}

/// The code-point ranges the gold's own sections say carry no facts: the
/// title line, each section's heading line, and the contents list up to
/// the next section's heading.
fn gold_silent(gold: &GoldDoc, text: &str) -> Vec<(usize, usize)> {
    let mut lines = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        lines.push((at, at + line.chars().count(), trimmed.to_string()));
        at += line.chars().count();
    }
    let mut ranges = Vec::new();
    let mut next_line = 0;
    let mut open_contents: Option<usize> = None;
    for s in &gold.sections {
        let Some(title) = s.title.as_deref().map(str::trim) else {
            continue;
        };
        let Some(i) = (next_line..lines.len()).find(|&i| lines[i].2 == title) else {
            continue;
        };
        if let Some(start) = open_contents.take() {
            ranges.push((start, lines[i].0));
        }
        ranges.push((lines[i].0, lines[i].1));
        if s.kind == SectionKind::Contents {
            open_contents = Some(lines[i].0);
        }
        next_line = i + 1;
    }
    if let Some(start) = open_contents {
        ranges.push((start, at));
    }
    ranges
}

/// Reads an earlier run's `facts.jsonl` and `documents.jsonl`.
pub fn read_run(dir: &Path) -> Result<Predictions, String> {
    let mut out = Predictions::default();
    for (_, record) in read_lines::<DocumentRecord>(&dir.join("documents.jsonl"))? {
        let DocumentRecord::Analysed(d) = record else {
            continue;
        };
        let mut pred = DocPrediction::default();
        for s in d.sections {
            match s.kind {
                SectionKind::Title | SectionKind::Contents => pred.ignored.push((s.start, s.end)),
                _ => {
                    if let Some(t) = &s.title {
                        pred.ignored.push((s.start, s.start + t.chars().count()));
                    }
                }
            }
            pred.sections.push(PredictedSection {
                kind: s.kind,
                title: s.title,
                ics: s.ics,
            });
        }
        out.docs.insert(d.doc, pred);
    }
    for (_, f) in read_lines::<FactRecord>(&dir.join("facts.jsonl"))? {
        out.docs.entry(f.doc.clone()).or_default().facts.push(f);
    }
    Ok(out)
}

/// Scores predictions against gold: predictions inside ignored ranges are
/// left out; a gold document with no predictions counts all its facts missed.
pub fn evaluate(gold: &[GoldDoc], predictions: &Predictions) -> Scores {
    let mut scores = Scores::default();
    let empty = DocPrediction::default();
    for g in gold {
        let pred = match predictions.docs.get(&g.doc) {
            Some(p) => p,
            None => {
                scores.missing_docs.push(g.doc.clone());
                &empty
            }
        };
        let kept: Vec<Predicted> = pred
            .facts
            .iter()
            .filter(|f| !pred.ignored.iter().any(|&(s, e)| f.start < e && s < f.end))
            .cloned()
            .collect();
        scores.add_doc(g, &kept, &pred.sections);
    }
    scores
}

/// The sentence around a gold fact, for error lists (empty without text).
pub fn gold_sentence(text: Option<&str>, fact: &GoldFact) -> String {
    let Some(text) = text else {
        return String::new();
    };
    let points = CodePoints::new(text);
    let (Some(s), Some(e)) = (points.byte(fact.start), points.byte(fact.end)) else {
        return String::new();
    };
    let search = searchable(text);
    Sentences::default().around(&search, s, e).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FactType;

    #[test]
    fn a_document_missing_from_the_output_counts_as_all_missed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        std::fs::write(
            &path,
            r#"{"doc": "a", "published": "2023-04-11", "sections": [{"kind": "intro", "title": null, "ics": null}],
                "facts": [{"type": "metric", "text": "78 people", "start": 0, "end": 9, "value": {"number": 78, "unit": "people", "qualifier": null}}]}"#,
        )
        .unwrap();
        let gold = load_dir(dir.path()).unwrap();
        let scores = evaluate(&gold, &Predictions::default());
        assert_eq!(scores.missing_docs, vec!["a".to_string()]);
        assert_eq!(scores.by_type[&FactType::Metric].gold, 1);
        assert_eq!(scores.by_type[&FactType::Metric].lenient, 0);
        assert!(gold[0].check_text("78 people were seen").is_ok());
        let e = gold[0].check_text("79 people were seen").unwrap_err();
        assert_eq!(e.fact, Some(0));
        assert!(e.reason.contains("\"79 people\""), "{e}");
    }

    #[test]
    fn bad_gold_files_are_refused_with_file_fact_and_reason() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            (
                r#"{"doc": "a", "sections": [], "facts": [{"type": "colour", "text": "x", "start": 0, "end": 1}]}"#,
                Some(0),
                "unknown type \"colour\"",
            ),
            (
                r#"{"doc": "a", "sections": [{"kind": "preamble"}], "facts": []}"#,
                None,
                "section 0: unknown kind \"preamble\"",
            ),
            (
                r#"{"doc": "a", "sections": [], "facts": [{"type": "date", "text": "2023", "start": 0, "end": 4}, {"type": "date", "text": "023", "start": 1, "end": 4}]}"#,
                Some(1),
                "overlaps",
            ),
            (
                r#"{"doc": "a", "sections": [], "facts": [{"type": "date", "text": "2023", "start": 0, "end": 3}]}"#,
                Some(0),
                "not 3 code points long",
            ),
            (r#"{"sections": [], "facts": []}"#, None, "missing `doc`"),
        ];
        for (body, fact, reason) in cases {
            let path = dir.path().join("g.json");
            std::fs::write(&path, body).unwrap();
            let e = GoldDoc::load(&path).unwrap_err();
            assert_eq!(e.fact, fact, "{body}");
            assert!(e.reason.contains(reason), "{body}: {e}");
            assert!(e.to_string().starts_with(&path.display().to_string()));
        }
    }
}
