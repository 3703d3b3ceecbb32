//! Export of reviewed documents as gold files (guideline §4): for every
//! document marked done, its sections and the facts editors accepted,
//! corrected or added. Each file is checked with the gold loader before it
//! is put in place, so `factmine eval` reads whatever export writes.

use super::model::StoreError;
use super::store::Store;
use crate::eval::GoldDoc;
use serde_json::{json, Value};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What an export wrote and left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportReport {
    /// Gold files written.
    pub files: Vec<PathBuf>,
    /// Facts written, over all files.
    pub facts: usize,
    /// Documents not marked done (not exported).
    pub not_done: usize,
    /// Why a document or a fact was left out: one line each.
    pub skipped: Vec<String>,
}

/// The gold file name of a document id: `/` becomes `__`.
pub fn gold_file_name(doc: &str) -> String {
    format!("{}.json", doc.replace('/', "__"))
}

/// Writes a gold file for every document marked done into `out`.
pub fn export(store: &Store, out: &Path) -> Result<ExportReport, StoreError> {
    let io_err = |what: &str, path: &Path, e: std::io::Error| {
        StoreError::Invalid(format!("cannot {what} {}: {e}", path.display()))
    };
    fs::create_dir_all(out).map_err(|e| io_err("create", out, e))?;
    let mut report = ExportReport::default();
    let done = store.done_documents()?;
    report.not_done = store.document_count()? - done.len();
    for doc in done {
        let view = store.document(&doc)?;
        let mut facts = Vec::new();
        for f in &view.facts {
            let Some(d) = f.decision.as_ref().filter(|d| d.decision.keeps()) else {
                continue;
            };
            if f.stale {
                report.skipped.push(format!(
                    "{doc}: fact {} {:?} at {}..{}: the article's text changed since it was decided",
                    f.id, d.span.text, d.span.start, d.span.end
                ));
                continue;
            }
            facts.push(json!({
                "type": d.span.fact_type.as_str(),
                "text": d.span.text,
                "start": d.span.start,
                "end": d.span.end,
                "value": d.span.value,
            }));
        }
        let record = &view.record;
        let sections: Vec<Value> = record
            .sections
            .iter()
            .map(|s| json!({"kind": s.kind, "title": s.title, "ics": s.ics}))
            .collect();
        let published = record
            .published
            .clone()
            .or_else(|| record.reference.as_ref().map(|r| r.date.clone()));
        let count = facts.len();
        let gold = json!({
            "doc": doc,
            "published": published,
            "sections": sections,
            "facts": facts,
            "reviewed": view.done.as_ref().map(|(by, at)| json!({"by": by, "at": at})),
        });
        let path = out.join(gold_file_name(&doc));
        // Written beside its place, checked with the gold loader, and only
        // then renamed into place; a file that fails is removed.
        let mut part = tempfile::NamedTempFile::new_in(out).map_err(|e| io_err("write", out, e))?;
        let body = serde_json::to_string_pretty(&gold).unwrap_or_default() + "\n";
        part.write_all(body.as_bytes())
            .map_err(|e| io_err("write", part.path(), e))?;
        let checked = GoldDoc::load(part.path()).and_then(|g| g.check_text(&view.text));
        match checked {
            Ok(()) => {
                part.persist(&path)
                    .map_err(|e| io_err("write", &path, e.error))?;
                report.facts += count;
                report.files.push(path);
            }
            Err(e) => report
                .skipped
                .push(format!("{doc}: not exported: {}", e.reason)),
        }
    }
    Ok(report)
}
