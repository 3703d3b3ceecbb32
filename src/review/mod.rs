//! Review: editors check extracted facts in a web page, and their
//! decisions become gold. [`store`] keeps documents, facts and decisions in
//! SQLite (its layout in `schema`, recording decisions in `decisions`,
//! importing a batch run in `import`); [`model`] holds what the review
//! works with (verdicts, statuses, spans, views, filters); [`server`]
//! serves the page and its JSON API over the bounded HTTP server in
//! [`http`]; [`export`] writes the reviewed
//! documents as gold files for [`crate::eval`].

mod decisions;
pub mod export;
pub mod http;
mod import;
pub mod model;
mod schema;
pub mod server;
pub mod store;

use crate::calendar::Ymd;
use crate::extract::{Reference, ReferenceSource};
use crate::fact::{FactType, FactValue};
use crate::record::AnalysedDocument;
use crate::Pipeline;

use std::sync::Arc;

/// The reference date of a stored document record.
pub fn reference_of(record: &AnalysedDocument) -> Option<Reference> {
    let r = record.reference.as_ref()?;
    Some(Reference {
        day_precision: r.precision != "month",
        date: Ymd::parse_iso(&r.date)?,
        from: ReferenceSource::parse(&r.from)?,
    })
}

/// How long proposing a value may take: an editor is waiting.
pub const PROPOSE_BUDGET: std::time::Duration = std::time::Duration::from_secs(2);

/// A value for a span an editor chose: what the rules make of that text as
/// that type when one rule covers it whole, else (or when the rules take
/// longer than [`PROPOSE_BUDGET`]) the type's value with the parts the
/// rules could not tell left null.
pub fn propose(
    pipeline: &Pipeline,
    text: &str,
    fact_type: FactType,
    reference: Option<Reference>,
) -> FactValue {
    let found = pipeline
        .extractor
        .extract_searchable(
            &crate::extract::searchable(text),
            reference,
            &crate::budget::Budget::starting_now(PROPOSE_BUDGET),
        )
        .unwrap_or_default()
        .into_iter()
        .find(|c| c.fact_type == fact_type && c.start == 0 && c.end == text.len());
    match found {
        Some(c) => Arc::unwrap_or_clone(c.value),
        None => match fact_type {
            FactType::Organisation | FactType::Technology => {
                FactValue::named(fact_type, text, None)
            }
            _ => FactValue::unknown(fact_type),
        },
    }
}
