//! Facts: what the extractor finds, as written to `facts.jsonl`, their
//! typed values and their stable ids.

mod value;

pub use value::{
    DateKind, DateValue, FactValue, MetricValue, Number, OrganisationValue, Qualifier,
    TechnologyValue,
};

use crate::sections::SectionKind;
use crate::text::Fnv;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The four types of fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FactType {
    /// A named organisation.
    Organisation,
    /// A technology, product or digital service.
    Technology,
    /// A temporal expression.
    Date,
    /// A numeric quantity.
    Metric,
}

impl FactType {
    /// All types, in output order.
    pub const ALL: [FactType; 4] = [
        FactType::Organisation,
        FactType::Technology,
        FactType::Date,
        FactType::Metric,
    ];

    /// The type's name as written in output and gold files.
    pub fn as_str(self) -> &'static str {
        match self {
            FactType::Organisation => "organisation",
            FactType::Technology => "technology",
            FactType::Date => "date",
            FactType::Metric => "metric",
        }
    }

    /// Parses a type name.
    pub fn parse(s: &str) -> Option<FactType> {
        FactType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// One extracted fact. Offsets count code points into the document text.
/// The strings a document's facts have in common (document id, ICS,
/// sentence, rule, a gazetteer entry's value) are shared, not copied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fact {
    /// Stable id: the same text and rules give the same id, and an edit
    /// elsewhere in the document does not change it.
    pub id: String,
    /// The document id.
    pub doc: Arc<str>,
    /// Index of the section holding the fact.
    pub section: usize,
    /// Kind of that section.
    pub section_kind: SectionKind,
    /// The section's ICS, when it is an ICS section.
    pub ics: Option<Arc<str>>,
    /// The fact's type.
    #[serde(rename = "type")]
    pub fact_type: FactType,
    /// The span's text.
    pub text: String,
    /// Start, in code points.
    pub start: usize,
    /// End (exclusive), in code points.
    pub end: usize,
    /// The normalised value.
    pub value: Arc<FactValue>,
    /// The sentence holding the fact.
    pub sentence: Arc<str>,
    /// The id of the rule (or gazetteer line) that found it.
    pub rule: Arc<str>,
}

/// The id of a fact: a hash of its document, type, text, sentence and its
/// occurrence among identical (type, text) facts in that sentence.
pub fn fact_id(
    doc: &str,
    fact_type: FactType,
    text: &str,
    sentence: &str,
    occurrence: usize,
) -> String {
    id_with_occurrence(content_hash(doc, fact_type, text, sentence), occurrence)
}

/// The part of a fact's id its content gives: the hash of its document,
/// type, text and sentence, before the occurrence is added.
pub fn content_hash(doc: &str, fact_type: FactType, text: &str, sentence: &str) -> Fnv {
    ContentHashes::new(doc).of(fact_type, text, sentence)
}

/// [`content_hash`] for the facts of one document: the hash of the
/// document and each type is made once, and each fact adds its text and
/// sentence to it.
#[derive(Debug, Clone)]
pub struct ContentHashes {
    by_type: [Fnv; 4],
}

impl ContentHashes {
    /// The hashes of a document's facts, `doc` being its id as hashed.
    pub fn new(doc: &str) -> ContentHashes {
        let mut h = Fnv::new();
        h.field(doc);
        ContentHashes {
            by_type: FactType::ALL.map(|t| {
                let mut h = h.clone();
                h.field(t.as_str());
                h
            }),
        }
    }

    /// The content hash of a fact of this document.
    pub fn of(&self, fact_type: FactType, text: &str, sentence: &str) -> Fnv {
        let mut h = self.before_sentence(fact_type, text);
        h.field(sentence);
        h
    }

    /// The hash of a fact of this document up to its sentence.
    fn before_sentence(&self, fact_type: FactType, text: &str) -> Fnv {
        let mut h = self.by_type[fact_type as usize].clone();
        h.field(text);
        h
    }

    /// Appends to `out` the content hashes of facts (type and text) that
    /// share a sentence: the sentence is added to all of them in one pass
    /// ([`Fnv::field_each`]).
    pub fn of_sentence<'t>(
        &self,
        facts: impl Iterator<Item = (FactType, &'t str)>,
        sentence: &str,
        out: &mut Vec<Fnv>,
    ) {
        let from = out.len();
        out.extend(facts.map(|(fact_type, text)| self.before_sentence(fact_type, text)));
        Fnv::field_each(&mut out[from..], sentence);
    }
}

/// A fact's id from its [`content_hash`] and its occurrence: the hash in
/// 16 lower-case hex digits.
pub fn id_with_occurrence(mut content: Fnv, occurrence: usize) -> String {
    if occurrence < 10 {
        content.field(&DIGITS[occurrence..=occurrence]);
    } else {
        content.field(&occurrence.to_string());
    }
    let hash = content.finish();
    let mut hex = [0u8; 16];
    for (i, digit) in hex.iter_mut().enumerate() {
        *digit = HEX[(hash >> ((15 - i) * 4)) as usize & 0xf];
    }
    String::from_utf8(hex.to_vec()).expect("hex digits are ASCII")
}

const DIGITS: &str = "0123456789";
const HEX: &[u8; 16] = b"0123456789abcdef";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hashes_hash_document_type_text_and_sentence_in_turn() {
        let hashes = ContentHashes::new("news/a");
        for t in FactType::ALL {
            let mut h = Fnv::new();
            for field in [
                "news/a",
                t.as_str(),
                "40 practices",
                "It said 40 practices.",
            ] {
                h.field(field);
            }
            assert_eq!(
                hashes
                    .of(t, "40 practices", "It said 40 practices.")
                    .finish(),
                h.finish(),
                "{t:?}"
            );
        }
    }

    #[test]
    fn fnv_matches_reference_values() {
        let mut h = Fnv::new();
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63dc4c8601ec8c);
        let mut h = Fnv::new();
        h.write(b"foobar");
        assert_eq!(h.finish(), 0x85944171f73967e8);
    }

    #[test]
    fn ids_depend_on_content_not_position() {
        let a = fact_id("d", FactType::Metric, "41 percent", "S.", 0);
        assert_eq!(a, fact_id("d", FactType::Metric, "41 percent", "S.", 0));
        assert_ne!(a, fact_id("d", FactType::Metric, "41 percent", "S.", 1));
        assert_ne!(a, fact_id("e", FactType::Metric, "41 percent", "S.", 0));
        assert_eq!(a.len(), 16);
    }

    #[test]
    fn ids_are_the_fnv_hash_of_the_fields_in_hex() {
        for occurrence in [0, 1, 9, 10, 11, 123, 40_000] {
            let mut h = Fnv::new();
            for field in ["doc-1", "metric", "41 percent", "It rose 41 percent."] {
                h.field(field);
            }
            h.field(&occurrence.to_string());
            let id = fact_id(
                "doc-1",
                FactType::Metric,
                "41 percent",
                "It rose 41 percent.",
                occurrence,
            );
            assert_eq!(id, format!("{:016x}", h.finish()));
        }
        assert_eq!(
            fact_id("d", FactType::Date, "2023", "In 2023.", 0),
            "b7fb0ebab5aef395"
        );
    }
}
