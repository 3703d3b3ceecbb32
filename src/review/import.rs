//! Importing a batch run into the store: each document's record, text and
//! facts replace the previous import's; decisions keyed by fact id stand.

use super::model::{ImportReport, Status, StoreError};
use super::store::Store;
use crate::batch::{Processed, Rendered, Sink, Summary};
use crate::output::document_record;
use crate::record::{AnalysedDocument, DocumentRecord};
use rusqlite::{params, OptionalExtension};
use std::collections::HashSet;
use std::io;

impl Store {
    /// A sink that imports a batch run's documents into the store.
    pub fn importer(&mut self) -> Importer<'_> {
        Importer {
            store: self,
            report: ImportReport::default(),
            in_batch: false,
            seen: HashSet::new(),
        }
    }

    /// Stores one processed document, replacing its facts.
    fn import_document(
        &mut self,
        record: &AnalysedDocument,
        text: &str,
        facts: &[crate::Fact],
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let doc = record.doc.as_str();
        let hash = record.input_hash.as_str();
        let before: Option<String> = self
            .conn
            .query_row(
                "SELECT input_hash FROM documents WHERE doc = ?1",
                [doc],
                |r| r.get(0),
            )
            .optional()?;
        if before.as_deref().is_some_and(|h| h != hash) {
            report.changed += 1;
        }
        let mut old_ids: HashSet<String> = {
            let mut stmt = self.conn.prepare("SELECT id FROM facts WHERE doc = ?1")?;
            let rows = stmt.query_map([doc], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        self.conn.execute(
            "INSERT INTO documents (doc, record, text, input_hash, imported_at)
             VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
             ON CONFLICT(doc) DO UPDATE SET record = excluded.record, text = excluded.text,
                 input_hash = excluded.input_hash, imported_at = excluded.imported_at",
            params![
                doc,
                serde_json::to_string(record).expect("a record serialises"),
                text,
                hash
            ],
        )?;
        self.conn
            .execute("DELETE FROM facts WHERE doc = ?1", [doc])?;
        let mut insert = self.conn.prepare(
            "INSERT OR IGNORE INTO facts (id, doc, seq, type, start, end, text, value, rule, section, ics)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for (seq, f) in facts.iter().enumerate() {
            if old_ids.remove(&f.id) {
                report.kept_facts += 1;
            } else {
                report.new_facts += 1;
            }
            insert.execute(params![
                f.id,
                doc,
                seq as i64,
                f.fact_type.as_str(),
                f.start as i64,
                f.end as i64,
                f.text,
                f.value.to_string(),
                f.rule,
                f.section as i64,
                f.ics,
            ])?;
        }
        drop(insert);
        report.gone_facts += old_ids.len();
        report.documents += 1;
        let view = self.document(doc)?;
        if view.done.is_some() && view.facts.iter().any(|f| f.status == Status::Unreviewed) {
            self.reopen(doc)?;
            report.reopened.push(doc.to_string());
        }
        Ok(())
    }
}

/// A batch-run sink that imports into the review store, one transaction
/// per batch.
#[derive(Debug)]
pub struct Importer<'s> {
    store: &'s mut Store,
    report: ImportReport,
    in_batch: bool,
    seen: HashSet<String>,
}

impl Importer<'_> {
    /// What the import changed so far.
    pub fn report(&self) -> &ImportReport {
        &self.report
    }

    fn begin(&mut self) -> rusqlite::Result<()> {
        if !self.in_batch {
            self.store.conn.execute_batch("BEGIN IMMEDIATE")?;
            self.in_batch = true;
        }
        Ok(())
    }

    fn commit(&mut self) -> rusqlite::Result<()> {
        if self.in_batch {
            self.store.conn.execute_batch("COMMIT")?;
            self.in_batch = false;
        }
        Ok(())
    }
}

impl Sink for Importer<'_> {
    fn document(&mut self, processed: &Processed) -> io::Result<()> {
        let Processed::Done { doc, analysis, .. } = processed else {
            return Ok(());
        };
        if !self.seen.insert(doc.id.clone()) {
            self.report
                .repeats
                .push(format!("{} ({})", doc.id, doc.source));
            return Ok(());
        }
        self.begin().map_err(io::Error::other)?;
        let Some(DocumentRecord::Analysed(record)) = document_record(processed) else {
            return Ok(());
        };
        self.store
            .import_document(&record, &doc.text, &analysis.facts, &mut self.report)
            .map_err(io::Error::other)
    }

    /// Never called: the import renders nothing on the workers, and takes
    /// each record whole.
    fn lines(&mut self, _rendered: Rendered) -> io::Result<()> {
        Err(io::Error::other(
            "the review import takes records, not lines",
        ))
    }

    fn batch_done(&mut self, _consumed: usize, _summary: &Summary) -> io::Result<()> {
        self.commit().map_err(io::Error::other)
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        self.commit().map_err(io::Error::other)
    }
}

impl Drop for Importer<'_> {
    fn drop(&mut self) {
        if self.in_batch {
            let _ = self.store.conn.execute_batch("ROLLBACK");
        }
    }
}
