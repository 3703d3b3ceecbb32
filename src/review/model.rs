//! What the review works with: decisions and their verdicts, spans, the
//! views the page shows, filters, and the store's errors. Verdicts and
//! fact types read from the database are checked: a corrupt row is an
//! error, never a default.

use crate::fact::{FactType, FactValue};
use crate::record::AnalysedDocument;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::Serialize;
use serde_json::Value;
use std::fmt;

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
    pub value: FactValue,
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
    pub fn status(self) -> Status {
        match self {
            Verdict::Accept => Status::Accepted,
            Verdict::Reject => Status::Rejected,
            Verdict::Correct => Status::Corrected,
            Verdict::Add => Status::Added,
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
    /// Where its review stands.
    pub status: Status,
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
    pub status: Option<Status>,
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
            && self.status.is_none_or(|s| s == fact.status)
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
    pub statuses: Vec<Status>,
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
    /// New value (correct, add) as sent, read in the shape of the fact's
    /// type; proposed by the normalisers when absent.
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

/// Where a fact's review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// No decision yet.
    Unreviewed,
    /// Accepted as extracted.
    Accepted,
    /// Rejected.
    Rejected,
    /// Corrected by an editor.
    Corrected,
    /// Added by an editor.
    Added,
}

impl Status {
    /// Every status, in the order the page lists them.
    pub const ALL: [Status; 5] = [
        Status::Unreviewed,
        Status::Accepted,
        Status::Rejected,
        Status::Corrected,
        Status::Added,
    ];

    /// The status as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unreviewed => "unreviewed",
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
            Status::Corrected => "corrected",
            Status::Added => "added",
        }
    }

    /// Parses a sent status.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A verdict is stored as its name.
impl ToSql for Verdict {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

/// A stored verdict that is not one is a corrupt row, not a default.
impl FromSql for Verdict {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Verdict> {
        let s = value.as_str()?;
        Verdict::parse(s)
            .ok_or_else(|| FromSqlError::Other(format!("unknown verdict {s:?}").into()))
    }
}

/// A fact type is stored as its name.
impl ToSql for FactType {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

/// A stored fact type that is not one is a corrupt row.
impl FromSql for FactType {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<FactType> {
        let s = value.as_str()?;
        FactType::parse(s)
            .ok_or_else(|| FromSqlError::Other(format!("unknown fact type {s:?}").into()))
    }
}
