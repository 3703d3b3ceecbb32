//! The review database (SQLite, WAL): documents and their extracted facts
//! as of the latest import, and every editor decision ever taken, each in
//! its own transaction. Decisions are keyed by fact id, so a re-import with
//! new rules keeps them for facts whose ids are unchanged.

use crate::batch::{Processed, Rendered, Sink, Summary};
use crate::extract::Reference;
use crate::fact::FactType;
use crate::output::document_record;
use crate::record::{AnalysedDocument, DocumentRecord, SectionRecord};
use crate::text::CodePoints;
use crate::text::Fnv;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// The layout of the database; bumped when it changes.
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc TEXT PRIMARY KEY,
    record TEXT NOT NULL,       -- its documents.jsonl record (sections in code points)
    text TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    done_by TEXT,
    done_at TEXT
);
CREATE TABLE IF NOT EXISTS facts (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL REFERENCES documents(doc),
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    value TEXT NOT NULL,
    rule TEXT NOT NULL,
    section INTEGER NOT NULL,
    ics TEXT
);
CREATE INDEX IF NOT EXISTS facts_by_doc ON facts(doc, seq);
CREATE TABLE IF NOT EXISTS decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    fact TEXT NOT NULL,
    doc TEXT NOT NULL,
    editor TEXT NOT NULL,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    decision TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'correct', 'add')),
    type TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    value TEXT NOT NULL,
    undone_at TEXT
);
CREATE INDEX IF NOT EXISTS decisions_by_doc ON decisions(doc, seq);
";

/// What went wrong in the store: a message for the editor or the log.
#[derive(Debug)]
pub enum StoreError {
    /// The database could not be opened, read or written.
    Db(rusqlite::Error),
    /// The request names something that does not exist.
    NotFound(String),
    /// The request is not valid (bad span, type or value).
    Invalid(String),
    /// A stored row does not read back as what was written.
    Corrupt(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Db(e) => write!(f, "database: {e}"),
            StoreError::NotFound(m) | StoreError::Invalid(m) | StoreError::Corrupt(m) => {
                f.write_str(m)
            }
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Db(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Db(e)
    }
}

/// The span, type and value a decision settles on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Span {
    /// The fact's type.
    #[serde(rename = "type")]
    pub fact_type: FactType,
    /// Start, in code points.
    pub start: usize,
    /// End (exclusive), in code points.
    pub end: usize,
    /// The document text between start and end.
    pub text: String,
    /// The normalised value.
    pub value: Value,
}

/// What an editor decided about a fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The fact is right as extracted.
    Accept,
    /// The fact is wrong.
    Reject,
    /// The fact is right once its span, type or value is changed.
    Correct,
    /// A fact the rules missed.
    Add,
}

impl Verdict {
    /// The verdict as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Accept => "accept",
            Verdict::Reject => "reject",
            Verdict::Correct => "correct",
            Verdict::Add => "add",
        }
    }

    /// Parses a stored or sent verdict.
    pub fn parse(s: &str) -> Option<Verdict> {
        [
            Verdict::Accept,
            Verdict::Reject,
            Verdict::Correct,
            Verdict::Add,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    /// The review status a fact has after this verdict.
    pub fn status(self) -> &'static str {
        match self {
            Verdict::Accept => "accepted",
            Verdict::Reject => "rejected",
            Verdict::Correct => "corrected",
            Verdict::Add => "added",
        }
    }

    /// Whether the fact belongs in gold after this verdict.
    pub fn keeps(self) -> bool {
        self != Verdict::Reject
    }
}

/// A decision as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    /// Its sequence number (the order decisions were taken in).
    pub seq: i64,
    /// The verdict.
    pub decision: Verdict,
    /// Who took it.
    pub editor: String,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// The fact as decided.
    #[serde(flatten)]
    pub span: Span,
}

/// A fact as the review shows it: as extracted (if it still is) and as
/// last decided (if it was).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactView {
    /// The fact id (extracted facts) or an id made for an added fact.
    pub id: String,
    /// The fact as the rules extract it now; `None` when the current rules
    /// no longer find it (or an editor added it).
    pub extracted: Option<Span>,
    /// The rule that found it.
    pub rule: Option<String>,
    /// Index of the section holding it.
    pub section: usize,
    /// That section's ICS.
    pub ics: Option<String>,
    /// `unreviewed`, `accepted`, `rejected`, `corrected` or `added`.
    pub status: &'static str,
    /// The current decision.
    pub decision: Option<Decision>,
    /// Whether the decided span's text no longer matches the document text
    /// (the article changed since the decision).
    pub stale: bool,
}

impl FactView {
    /// The span shown and exported: the decision's, else the extraction's.
    pub fn span(&self) -> Option<&Span> {
        self.decision
            .as_ref()
            .map(|d| &d.span)
            .or(self.extracted.as_ref())
    }
}

/// A document with its facts, for the document view.
#[derive(Debug, Clone, Serialize)]
pub struct DocView {
    /// The document id.
    pub doc: String,
    /// Its `documents.jsonl` record: title, published, reference, source,
    /// sections (code points).
    pub record: AnalysedDocument,
    /// The text.
    pub text: String,
    /// Who marked it done, and when.
    pub done: Option<(String, String)>,
    /// Facts in text order.
    pub facts: Vec<FactView>,
}

/// Which facts a list or a walk through a document looks at; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only facts in sections of this ICS.
    pub ics: Option<String>,
    /// Only facts of this type.
    pub fact_type: Option<FactType>,
    /// Only facts with this status.
    pub status: Option<String>,
    /// Only facts found by this rule.
    pub rule: Option<String>,
}

impl Filter {
    /// Whether a fact passes.
    pub fn admits(&self, fact: &FactView) -> bool {
        let span_type = fact.span().map(|s| s.fact_type);
        self.ics
            .as_ref()
            .is_none_or(|i| fact.ics.as_ref() == Some(i))
            && self.fact_type.is_none_or(|t| span_type == Some(t))
            && self.status.as_ref().is_none_or(|s| s == fact.status)
            && self
                .rule
                .as_ref()
                .is_none_or(|r| fact.rule.as_ref() == Some(r))
    }
}

/// A line of the document list.
#[derive(Debug, Clone, Serialize)]
pub struct DocSummary {
    /// The document id.
    pub doc: String,
    /// Its title.
    pub title: Option<String>,
    /// Where it came from.
    pub source: Option<String>,
    /// Facts in the document.
    pub facts: usize,
    /// Of those, reviewed.
    pub reviewed: usize,
    /// Facts passing the filter.
    pub matching: usize,
    /// Whether it is marked done.
    pub done: bool,
}

/// The values the list can be filtered by.
#[derive(Debug, Clone, Serialize)]
pub struct Facets {
    /// ICSs with facts.
    pub ics: Vec<String>,
    /// Fact types.
    pub types: Vec<&'static str>,
    /// Review statuses.
    pub statuses: Vec<&'static str>,
    /// Rules that found facts.
    pub rules: Vec<String>,
}

/// What an editor asks to record.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The document.
    pub doc: String,
    /// The fact (ignored for `add`).
    pub fact: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// New type (correct, add).
    pub fact_type: Option<FactType>,
    /// New span in code points (correct, add).
    pub span: Option<(usize, usize)>,
    /// New value (correct, add); proposed by the normalisers when absent.
    pub value: Option<Value>,
}

/// What an import changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Documents imported.
    pub documents: usize,
    /// Of those, whose text or metadata changed since the last import.
    pub changed: usize,
    /// Facts whose ids are new.
    pub new_facts: usize,
    /// Facts whose ids were there before (their decisions stand).
    pub kept_facts: usize,
    /// Facts the new run no longer finds.
    pub gone_facts: usize,
    /// Documents marked done that new facts reopened.
    pub reopened: Vec<String>,
    /// Documents left out: repeats of an id already in this import.
    pub repeats: Vec<String>,
}

/// The review database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (or creates) a review database in WAL mode.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute_batch(SCHEMA)?;
        let version: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
                r.get(0)
            })
            .optional()?;
        match version {
            None => {
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema', ?1)",
                    [SCHEMA_VERSION.to_string()],
                )?;
            }
            Some(v) if v == SCHEMA_VERSION.to_string() => {}
            Some(v) => {
                return Err(StoreError::Invalid(format!(
                    "{}: review database schema {v}, this factmine reads schema {SCHEMA_VERSION}",
                    path.display()
                )))
            }
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A sink that imports a batch run's documents into the store.
    pub fn importer(&mut self) -> Importer<'_> {
        Importer {
            store: self,
            report: ImportReport::default(),
            in_batch: false,
            seen: HashSet::new(),
        }
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
            statuses: vec!["unreviewed", "accepted", "rejected", "corrected", "added"],
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
                reviewed: facts.iter().filter(|f| f.status != "unreviewed").count(),
                matching: facts.iter().filter(|f| filter.admits(f)).count(),
                done: done_at.is_some(),
                doc,
            });
        }
        Ok(out)
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
                    .map_or("unreviewed", |d| d.decision.status()),
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

    /// Records a decision in its own transaction and returns the fact as it
    /// now stands. `propose` gives a value for a new span and type (with the
    /// document's reference date) when the request has none.
    pub fn decide(
        &mut self,
        editor: &str,
        request: &Request,
        propose: impl Fn(&str, FactType, Option<Reference>) -> Value,
    ) -> Result<FactView, StoreError> {
        let view = self.document(&request.doc)?;
        let points = CodePoints::new(&view.text);
        let existing = match (&request.fact, request.verdict) {
            (_, Verdict::Add) => None,
            (None, _) => {
                return Err(StoreError::Invalid(
                    "which fact? (`fact` is missing)".into(),
                ))
            }
            (Some(id), _) => Some(view.facts.iter().find(|f| &f.id == id).ok_or_else(|| {
                StoreError::NotFound(format!("no fact {id:?} in {:?}", request.doc))
            })?),
        };
        let span = match (request.verdict, existing) {
            (Verdict::Accept | Verdict::Reject, Some(f)) => f
                .span()
                .cloned()
                .ok_or_else(|| StoreError::Invalid("the fact has no span".into()))?,
            (_, existing) => {
                let base = existing.and_then(FactView::span);
                let fact_type = request
                    .fact_type
                    .or(base.map(|s| s.fact_type))
                    .ok_or_else(|| StoreError::Invalid("a new fact needs a `type`".into()))?;
                let (start, end) =
                    request
                        .span
                        .or(base.map(|s| (s.start, s.end)))
                        .ok_or_else(|| {
                            StoreError::Invalid("a new fact needs `start` and `end`".into())
                        })?;
                let (start, end) = trim_span(&points, start, end)?;
                let text = points.slice(start, end).unwrap_or_default().to_string();
                let unchanged =
                    base.filter(|b| b.fact_type == fact_type && b.start == start && b.end == end);
                let value = match (&request.value, unchanged) {
                    (Some(v), _) => v.clone(),
                    (None, Some(b)) => b.value.clone(),
                    (None, None) => propose(&text, fact_type, super::reference_of(&view.record)),
                };
                Span {
                    fact_type,
                    start,
                    end,
                    text,
                    value,
                }
            }
        };
        let id = match existing {
            Some(f) => f.id.clone(),
            None => added_id(&request.doc, &span),
        };
        self.conn.execute(
            "INSERT INTO decisions (fact, doc, editor, decision, type, start, end, text, value)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                id,
                request.doc,
                editor,
                request.verdict.as_str(),
                span.fact_type.as_str(),
                span.start as i64,
                span.end as i64,
                span.text,
                span.value.to_string(),
            ],
        )?;
        self.fact(&request.doc, &id)
    }

    /// One fact of a document as it now stands.
    fn fact(&self, doc: &str, id: &str) -> Result<FactView, StoreError> {
        self.document(doc)?
            .facts
            .into_iter()
            .find(|f| f.id == id)
            .ok_or_else(|| StoreError::NotFound(format!("no fact {id:?} in {doc:?}")))
    }

    /// Undoes the editor's latest decision in a document still standing;
    /// returns the fact as it now stands (`None` for an added fact now
    /// gone), or `NotFound` when there is nothing to undo.
    pub fn undo(
        &mut self,
        editor: &str,
        doc: &str,
    ) -> Result<(String, Option<FactView>), StoreError> {
        let last: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT seq, fact FROM decisions
                 WHERE doc = ?1 AND editor = ?2 AND undone_at IS NULL
                 ORDER BY seq DESC LIMIT 1",
                params![doc, editor],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((seq, fact)) = last else {
            return Err(StoreError::NotFound(format!(
                "nothing to undo in {doc:?} for {editor}"
            )));
        };
        self.conn.execute(
            "UPDATE decisions SET undone_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE seq = ?1",
            [seq],
        )?;
        let now = self.fact(doc, &fact).ok();
        Ok((fact, now))
    }

    /// Marks a document done (every fact reviewed) or not done.
    pub fn set_done(&mut self, editor: &str, doc: &str, done: bool) -> Result<(), StoreError> {
        let view = self.document(doc)?;
        if done {
            let open = view
                .facts
                .iter()
                .filter(|f| f.status == "unreviewed")
                .count();
            if open > 0 {
                return Err(StoreError::Invalid(format!(
                    "{open} facts of {doc:?} are not reviewed yet"
                )));
            }
            self.conn.execute(
                "UPDATE documents SET done_by = ?2, done_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                 WHERE doc = ?1",
                params![doc, editor],
            )?;
        } else {
            self.reopen(doc)?;
        }
        Ok(())
    }

    /// Clears a document's done mark.
    fn reopen(&self, doc: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE documents SET done_by = NULL, done_at = NULL WHERE doc = ?1",
            [doc],
        )?;
        Ok(())
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
        if view.done.is_some() && view.facts.iter().any(|f| f.status == "unreviewed") {
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
    fn document(&mut self, processed: &Processed, _rendered: Option<Rendered>) -> io::Result<()> {
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

/// Reads a span from columns type, start, end, text, value starting at `at`.
fn span_of(r: &rusqlite::Row, at: usize) -> rusqlite::Result<Span> {
    let fact_type: String = r.get(at)?;
    let value: String = r.get(at + 4)?;
    Ok(Span {
        fact_type: FactType::parse(&fact_type).unwrap_or(FactType::Organisation),
        start: usize::try_from(r.get::<_, i64>(at + 1)?).unwrap_or(0),
        end: usize::try_from(r.get::<_, i64>(at + 2)?).unwrap_or(0),
        text: r.get(at + 3)?,
        value: serde_json::from_str(&value).unwrap_or(Value::Null),
    })
}

/// Reads a decision from columns seq, decision, editor, at, then a span.
fn decision_of(r: &rusqlite::Row, at: usize) -> rusqlite::Result<Decision> {
    let verdict: String = r.get(at + 1)?;
    Ok(Decision {
        seq: r.get(at)?,
        decision: Verdict::parse(&verdict).unwrap_or(Verdict::Reject),
        editor: r.get(at + 2)?,
        at: r.get(at + 3)?,
        span: span_of(r, at + 4)?,
    })
}

/// The id of a fact an editor added: stable for the same document, type and span.
fn added_id(doc: &str, span: &Span) -> String {
    let mut h = Fnv::new();
    h.field(doc);
    h.field(span.fact_type.as_str());
    h.field(&span.start.to_string());
    h.field(&span.end.to_string());
    format!("added-{:016x}", h.finish())
}

/// Checks a span lies in the text and trims white space off its ends.
fn trim_span(points: &CodePoints, start: usize, end: usize) -> Result<(usize, usize), StoreError> {
    let len = points.len();
    if start >= end || end > len {
        return Err(StoreError::Invalid(format!(
            "span {start}..{end} is not within the text (0..{len})"
        )));
    }
    let is_space = |i: usize| {
        points
            .slice(i, i + 1)
            .is_some_and(|c| c.chars().all(char::is_whitespace))
    };
    let (mut s, mut e) = (start, end);
    while s < e && is_space(s) {
        s += 1;
    }
    while e > s && is_space(e - 1) {
        e -= 1;
    }
    if s == e {
        return Err(StoreError::Invalid("the span is only white space".into()));
    }
    Ok((s, e))
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
