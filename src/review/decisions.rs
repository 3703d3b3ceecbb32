//! Decisions: recording, undoing and marking a document done, each in its
//! own transaction before the answer is sent.

use super::model::{FactView, Request, Span, Status, StoreError, Verdict};
use super::store::Store;
use crate::extract::Reference;
use crate::fact::{FactType, FactValue};
use crate::text::{CodePoints, Fnv};
use rusqlite::{params, OptionalExtension};

impl Store {
    /// Records a decision in its own transaction and returns the fact as it
    /// now stands. `propose` gives a value for a new span and type (with the
    /// document's reference date) when the request has none.
    pub fn decide(
        &mut self,
        editor: &str,
        request: &Request,
        propose: impl Fn(&str, FactType, Option<Reference>) -> FactValue,
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
                    (Some(v), _) => FactValue::from_json(fact_type, v.clone()).map_err(|e| {
                        StoreError::Invalid(format!("bad {} value: {e}", fact_type.as_str()))
                    })?,
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
                .filter(|f| f.status == Status::Unreviewed)
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
    pub(super) fn reopen(&self, doc: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE documents SET done_by = NULL, done_at = NULL WHERE doc = ?1",
            [doc],
        )?;
        Ok(())
    }
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
