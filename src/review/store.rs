//! The review database (SQLite, WAL): documents and their extracted facts
//! as of the latest import, and every editor decision ever taken, each in
//! its own transaction. Decisions are keyed by fact id, so a re-import with
//! new rules keeps them for facts whose ids are unchanged.

use super::model::{
    Decision, DocSummary, DocView, Facets, FactView, Filter, Span, Status, StoreError,
};
use super::schema;
use crate::fact::{FactType, FactValue};
use crate::record::{AnalysedDocument, SectionRecord};
use crate::text::CodePoints;
use rusqlite::{Connection, OptionalExtension};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

pub use super::import::Importer;

/// The review database.
#[derive(Debug)]
pub struct Store {
    pub(super) conn: Connection,
    path: PathBuf,
}
impl Store {
    /// Opens (or creates) a review database in WAL mode.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Ok(Store {
            conn: schema::open(path)?,
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The values the document list can be filtered by.
    pub fn facets(&self) -> Result<Facets, StoreError> {
        let column = |sql: &str| -> Result<Vec<String>, StoreError> {
            let mut stmt = self.conn.prepare(sql)?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        Ok(Facets {
            ics: column("SELECT DISTINCT ics FROM facts WHERE ics IS NOT NULL ORDER BY ics")?,
            types: FactType::ALL.iter().map(|t| t.as_str()).collect(),
            statuses: Status::ALL.to_vec(),
            rules: column("SELECT DISTINCT rule FROM facts ORDER BY rule")?,
        })
    }

    /// Every document with its review progress and the facts the filter admits.
    pub fn documents(&self, filter: &Filter) -> Result<Vec<DocSummary>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT doc, record, done_at FROM documents ORDER BY doc")?;
        let rows: Vec<(String, String, Option<String>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (doc, record, done_at) in rows {
            let record = stored_record(&doc, &record)?;
            let facts = self.fact_views(&doc, &record)?;
            out.push(DocSummary {
                title: record.title.clone(),
                source: Some(record.source.clone()),
                facts: facts.len(),
                reviewed: facts
                    .iter()
                    .filter(|f| f.status != Status::Unreviewed)
                    .count(),
                matching: facts.iter().filter(|f| filter.admits(f)).count(),
                done: done_at.is_some(),
                doc,
            });
        }
        Ok(out)
    }

    /// Every document's id, in order.
    pub fn document_ids(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT doc FROM documents ORDER BY doc")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One document with its facts and their decisions.
    pub fn document(&self, doc: &str) -> Result<DocView, StoreError> {
        let row: Option<(String, String, Option<String>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT record, text, done_by, done_at FROM documents WHERE doc = ?1",
                [doc],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((record, text, done_by, done_at)) = row else {
            return Err(StoreError::NotFound(format!("no document {doc:?}")));
        };
        let record = stored_record(doc, &record)?;
        let mut facts = self.fact_views(doc, &record)?;
        let points = CodePoints::new(&text);
        for f in &mut facts {
            if let Some(d) = &f.decision {
                f.stale = points.slice(d.span.start, d.span.end) != Some(&d.span.text);
            }
        }
        Ok(DocView {
            doc: doc.to_string(),
            record,
            text,
            done: done_by.zip(done_at),
            facts,
        })
    }

    /// A document's facts as extracted now, with their current decisions,
    /// plus decided facts the rules no longer extract; in text order.
    fn fact_views(
        &self,
        doc: &str,
        record: &AnalysedDocument,
    ) -> Result<Vec<FactView>, StoreError> {
        let decisions = self.current_decisions(doc)?;
        let mut facts = Vec::new();
        let mut stmt = self.conn.prepare(
            "SELECT id, type, start, end, text, value, rule, section, ics
             FROM facts WHERE doc = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([doc], |r| {
            Ok((
                r.get::<_, String>(0)?,
                span_of(r, 1)?,
                r.get::<_, String>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        })?;
        let mut extracted_ids = HashSet::new();
        for row in rows {
            let (id, span, rule, section, ics) = row?;
            extracted_ids.insert(id.clone());
            let decision = decisions.get(&id).cloned();
            facts.push(FactView {
                status: decision
                    .as_ref()
                    .map_or(Status::Unreviewed, |d| d.decision.status()),
                decision,
                id,
                extracted: Some(span),
                rule: Some(rule),
                section: usize::try_from(section).unwrap_or(0),
                ics,
                stale: false,
            });
        }
        // Decided facts the current rules do not extract: added ones, and
        // accepted or corrected ones the rules lost.
        for (id, decision) in &decisions {
            if extracted_ids.contains(id) || !decision.decision.keeps() {
                continue;
            }
            let (section, ics) = section_at(&record.sections, decision.span.start);
            facts.push(FactView {
                id: id.clone(),
                extracted: None,
                rule: None,
                section,
                ics,
                status: decision.decision.status(),
                decision: Some(decision.clone()),
                stale: false,
            });
        }
        // Text order; at one span, the extracted fact before decided ones,
        // then by id, so the order never depends on hashing.
        facts.sort_by(|a, b| {
            let key = |f: &FactView| (f.span().map(|s| (s.start, s.end)), f.extracted.is_none());
            key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
        });
        Ok(facts)
    }

    /// The latest decision not undone for each fact of a document.
    fn current_decisions(&self, doc: &str) -> Result<HashMap<String, Decision>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT fact, seq, decision, editor, at, type, start, end, text, value
             FROM decisions WHERE doc = ?1 AND undone_at IS NULL ORDER BY seq",
        )?;
        let rows = stmt.query_map([doc], |r| Ok((r.get::<_, String>(0)?, decision_of(r, 1)?)))?;
        let mut out = HashMap::new();
        for row in rows {
            let (fact, decision) = row?;
            out.insert(fact, decision);
        }
        Ok(out)
    }
    /// How many documents the database holds.
    pub fn document_count(&self) -> Result<usize, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM documents", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The ids of documents marked done, in id order.
    pub fn done_documents(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT doc FROM documents WHERE done_at IS NOT NULL ORDER BY doc")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Reads a stored value in the shape of its fact's type.
fn read_value(fact_type: FactType, json: &str) -> Result<FactValue, serde_json::Error> {
    FactValue::from_json(fact_type, serde_json::from_str(json)?)
}

/// Reads a span from columns type, start, end, text, value starting at `at`.
fn span_of(r: &rusqlite::Row, at: usize) -> rusqlite::Result<Span> {
    let offset = |i: usize| -> rusqlite::Result<usize> {
        let n: i64 = r.get(i)?;
        usize::try_from(n).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(
                i,
                rusqlite::types::Type::Integer,
                Box::new(e),
            )
        })
    };
    let value: String = r.get(at + 4)?;
    let fact_type = r.get(at)?;
    Ok(Span {
        fact_type,
        start: offset(at + 1)?,
        end: offset(at + 2)?,
        text: r.get(at + 3)?,
        value: read_value(fact_type, &value).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(
                at + 4,
                rusqlite::types::Type::Text,
                Box::new(e),
            )
        })?,
    })
}

/// Reads a decision from columns seq, decision, editor, at, then a span.
fn decision_of(r: &rusqlite::Row, at: usize) -> rusqlite::Result<Decision> {
    Ok(Decision {
        seq: r.get(at)?,
        decision: r.get(at + 1)?,
        editor: r.get(at + 2)?,
        at: r.get(at + 3)?,
        span: span_of(r, at + 4)?,
    })
}

/// A document's stored record, read back.
fn stored_record(doc: &str, record: &str) -> Result<AnalysedDocument, StoreError> {
    serde_json::from_str(record)
        .map_err(|e| StoreError::Corrupt(format!("document {doc:?}: its stored record: {e}")))
}

/// The index and ICS of the section holding a code-point offset.
fn section_at(sections: &[SectionRecord], offset: usize) -> (usize, Option<String>) {
    sections
        .iter()
        .enumerate()
        .rev()
        .find(|(_, s)| s.start <= offset)
        .map(|(i, s)| (i, s.ics.clone()))
        .unwrap_or((0, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupt_rows_are_errors_not_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.sqlite")).unwrap();
        let record = r#"{"chars":9,"doc":"d","facts":1,"input_hash":"h","published":null,"reference":null,"sections":[],"source":"d.txt","status":"processed","title":null,"url":null,"warnings":[]}"#;
        store
            .conn
            .execute(
                "INSERT INTO documents (doc, record, text, input_hash, imported_at)
                 VALUES ('d', ?1, 'Some text', 'h', 'now')",
                [record],
            )
            .unwrap();
        store
            .conn
            .execute(
                "INSERT INTO facts (id, doc, seq, type, start, end, text, value, rule, section)
                 VALUES ('f', 'd', 0, 'gadget', 0, 4, 'Some', 'null', 'r', 0)",
                [],
            )
            .unwrap();
        let err = store.document("d").unwrap_err();
        assert!(
            err.to_string().contains("unknown fact type \"gadget\""),
            "{err}"
        );
        store
            .conn
            .execute("UPDATE documents SET record = '{}' WHERE doc = 'd'", [])
            .unwrap();
        let err = store.document("d").unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{err}");
    }
}
