//! Gold files (guideline §4): one JSON file per document with its sections
//! and hand-labelled facts, checked on load.

use crate::calendar::Ymd;
use crate::fact::{FactType, FactValue};
use crate::sections::SectionKind;
use crate::text::CodePoints;
use serde_json::Value;
use std::fmt;
use std::path::{Path, PathBuf};

/// A gold section: kind, heading and ICS (no offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldSection {
    /// The section's kind.
    pub kind: SectionKind,
    /// Its heading, `None` for the intro.
    pub title: Option<String>,
    /// The canonical ICS of an ICS section.
    pub ics: Option<String>,
}

/// A labelled fact. Offsets count code points.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldFact {
    /// Its type.
    pub fact_type: FactType,
    /// The span's text.
    pub text: String,
    /// Start, in code points.
    pub start: usize,
    /// End (exclusive), in code points.
    pub end: usize,
    /// The labelled value.
    pub value: FactValue,
}

/// One gold document.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldDoc {
    /// The file it came from.
    pub path: PathBuf,
    /// The document id.
    pub doc: String,
    /// The publication date, when labelled.
    pub published: Option<Ymd>,
    /// Top-level sections in order.
    pub sections: Vec<GoldSection>,
    /// Facts, sorted by start.
    pub facts: Vec<GoldFact>,
}

/// Why a gold file was refused: the file, the fact (if one), the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldError {
    /// The gold file.
    pub path: PathBuf,
    /// The index of the offending fact in `facts`.
    pub fact: Option<usize>,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for GoldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(i) = self.fact {
            write!(f, ": fact {i}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for GoldError {}

impl GoldDoc {
    /// Reads and checks one gold file (all but the text check, which needs
    /// the document: see [`GoldDoc::check_text`]).
    pub fn load(path: &Path) -> Result<GoldDoc, GoldError> {
        let err = |fact: Option<usize>, reason: String| GoldError {
            path: path.to_path_buf(),
            fact,
            reason,
        };
        let text =
            std::fs::read_to_string(path).map_err(|e| err(None, format!("cannot read: {e}")))?;
        let v: Value =
            serde_json::from_str(&text).map_err(|e| err(None, format!("not JSON: {e}")))?;
        let doc = v["doc"]
            .as_str()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| err(None, "missing `doc`".into()))?
            .to_string();
        let published = match &v["published"] {
            Value::Null => None,
            Value::String(s) => Some(
                Ymd::parse_iso(s)
                    .ok_or_else(|| err(None, format!("`published` {s:?} is not YYYY-MM-DD")))?,
            ),
            other => {
                return Err(err(
                    None,
                    format!("`published` must be a string, not {other}"),
                ))
            }
        };
        let mut sections = Vec::new();
        for (i, s) in v["sections"]
            .as_array()
            .ok_or_else(|| err(None, "missing `sections` list".into()))?
            .iter()
            .enumerate()
        {
            let kind = s["kind"].as_str().unwrap_or("");
            let kind = SectionKind::parse(kind)
                .ok_or_else(|| err(None, format!("section {i}: unknown kind {kind:?}")))?;
            sections.push(GoldSection {
                kind,
                title: s["title"].as_str().map(str::to_string),
                ics: s["ics"].as_str().map(str::to_string),
            });
        }
        let mut facts = Vec::new();
        for (i, f) in v["facts"]
            .as_array()
            .ok_or_else(|| err(None, "missing `facts` list".into()))?
            .iter()
            .enumerate()
        {
            let t = f["type"].as_str().unwrap_or("");
            let fact_type =
                FactType::parse(t).ok_or_else(|| err(Some(i), format!("unknown type {t:?}")))?;
            let start = f["start"]
                .as_u64()
                .ok_or_else(|| err(Some(i), "`start` must be a whole number".into()))?
                as usize;
            let end = f["end"]
                .as_u64()
                .ok_or_else(|| err(Some(i), "`end` must be a whole number".into()))?
                as usize;
            if end <= start {
                return Err(err(Some(i), format!("empty span {start}..{end}")));
            }
            let text = f["text"]
                .as_str()
                .ok_or_else(|| err(Some(i), "missing `text`".into()))?
                .to_string();
            if text.chars().count() != end - start {
                return Err(err(
                    Some(i),
                    format!("`text` {text:?} is not {} code points long", end - start),
                ));
            }
            let value = FactValue::from_json(fact_type, f["value"].clone())
                .map_err(|e| err(Some(i), format!("bad `value`: {e}")))?;
            facts.push((
                i,
                GoldFact {
                    fact_type,
                    text,
                    start,
                    end,
                    value,
                },
            ));
        }
        facts.sort_by_key(|(_, f)| (f.fact_type, f.start));
        for w in facts.windows(2) {
            let ((_, a), (j, b)) = (&w[0], &w[1]);
            if a.fact_type == b.fact_type && b.start < a.end {
                return Err(err(
                    Some(*j),
                    format!(
                        "{} span {:?} overlaps {:?}",
                        b.fact_type.as_str(),
                        b.text,
                        a.text
                    ),
                ));
            }
        }
        let mut facts: Vec<GoldFact> = facts.into_iter().map(|(_, f)| f).collect();
        facts.sort_by_key(|f| (f.start, f.fact_type));
        Ok(GoldDoc {
            path: path.to_path_buf(),
            doc,
            published,
            sections,
            facts,
        })
    }

    /// Checks every fact's `text` against the document text.
    pub fn check_text(&self, text: &str) -> Result<(), GoldError> {
        let text = CodePoints::new(text);
        for (i, f) in self.facts.iter().enumerate() {
            let found = match text.slice(f.start, f.end) {
                Some(found) => found,
                _ => {
                    return Err(GoldError {
                        path: self.path.clone(),
                        fact: Some(i),
                        reason: format!("span {}..{} is past the end of the text", f.start, f.end),
                    })
                }
            };
            if found != f.text {
                return Err(GoldError {
                    path: self.path.clone(),
                    fact: Some(i),
                    reason: format!(
                        "`text` is {:?} but the document has {found:?} at {}..{}",
                        f.text, f.start, f.end
                    ),
                });
            }
        }
        Ok(())
    }
}

/// Loads every `*.json` file in a folder, sorted by name.
pub fn load_dir(dir: &Path) -> Result<Vec<GoldDoc>, GoldError> {
    let entries = std::fs::read_dir(dir).map_err(|e| GoldError {
        path: dir.to_path_buf(),
        fact: None,
        reason: format!("cannot read the gold folder: {e}"),
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let docs: Vec<GoldDoc> = paths
        .iter()
        .map(|p| GoldDoc::load(p))
        .collect::<Result<_, _>>()?;
    for (i, d) in docs.iter().enumerate() {
        if let Some(other) = docs[..i].iter().find(|o| o.doc == d.doc) {
            return Err(GoldError {
                path: d.path.clone(),
                fact: None,
                reason: format!(
                    "document {:?} is also labelled in {}",
                    d.doc,
                    other.path.display()
                ),
            });
        }
    }
    Ok(docs)
}
