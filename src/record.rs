//! The output schema: one record type for each file a run writes —
//! [`FactRecord`] (`facts.jsonl`), [`DocumentRecord`] (`documents.jsonl`)
//! and [`SummaryRecord`] (`summary.json`). The writers serialise these and
//! every reader (`--since`, `eval`, the review database and its export)
//! deserialises them, so the schema lives in one place. Fields are declared
//! in the order they are written (alphabetical where the files have always
//! been so).

use crate::fact::{FactType, FactValue};
use crate::sections::SectionKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One line of `facts.jsonl`, as read back (the run writes it from
/// [`crate::Fact`] with a fast writer that makes the same bytes). The
/// value is read in the shape its `type` gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "FactLine")]
pub struct FactRecord {
    /// Stable id.
    pub id: String,
    /// The document id.
    pub doc: String,
    /// Index of the section holding the fact.
    pub section: usize,
    /// Kind of that section.
    pub section_kind: SectionKind,
    /// The section's ICS, when it is an ICS section.
    pub ics: Option<String>,
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
    pub value: FactValue,
    /// The sentence holding the fact.
    pub sentence: String,
    /// The rule or gazetteer entry that found it.
    pub rule: String,
}

/// A `facts.jsonl` line before its value is read by type.
#[derive(Deserialize)]
struct FactLine {
    id: String,
    doc: String,
    section: usize,
    section_kind: SectionKind,
    ics: Option<String>,
    #[serde(rename = "type")]
    fact_type: FactType,
    text: String,
    start: usize,
    end: usize,
    value: serde_json::Value,
    sentence: String,
    rule: String,
}

impl TryFrom<FactLine> for FactRecord {
    type Error = String;

    fn try_from(l: FactLine) -> Result<FactRecord, String> {
        let value = FactValue::from_json(l.fact_type, l.value)
            .map_err(|e| format!("{} value: {e}", l.fact_type.as_str()))?;
        Ok(FactRecord {
            id: l.id,
            doc: l.doc,
            section: l.section,
            section_kind: l.section_kind,
            ics: l.ics,
            fact_type: l.fact_type,
            text: l.text,
            start: l.start,
            end: l.end,
            value,
            sentence: l.sentence,
            rule: l.rule,
        })
    }
}

/// Whether a document went through, with warnings, or failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Analysed without warnings.
    Processed,
    /// Analysed, with warnings.
    Warned,
    /// Could not be read or analysed.
    Failed,
}

/// One line of `documents.jsonl`: an analysed document, or one that failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DocumentRecord {
    /// A document the pipeline analysed.
    Analysed(Box<AnalysedDocument>),
    /// A record that failed, with the reason.
    Failed(FailedDocument),
}

/// The record of an analysed document (keys in alphabetical order, as
/// the file has always had them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysedDocument {
    /// Length of the text in code points.
    pub chars: usize,
    /// The document id.
    pub doc: String,
    /// How many facts it gave.
    pub facts: usize,
    /// Hash of its text and metadata, for `--since`.
    pub input_hash: String,
    /// Its publication date, `YYYY-MM-DD`.
    pub published: Option<String>,
    /// The date relative expressions were resolved against.
    pub reference: Option<ReferenceRecord>,
    /// Its sections, offsets in code points.
    pub sections: Vec<SectionRecord>,
    /// Where it was read from (`file` or `file:line`).
    pub source: String,
    /// `processed` or `warned`.
    pub status: Status,
    /// Its title.
    pub title: Option<String>,
    /// Its URL.
    pub url: Option<String>,
    /// What was odd about it.
    pub warnings: Vec<String>,
}

/// The record of a record that failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedDocument {
    /// The document id, when it was read.
    pub doc: Option<String>,
    /// Why it failed.
    pub error: String,
    /// Where it was read from.
    pub source: String,
    /// Always `failed`.
    pub status: Status,
}

/// A reference date, where it came from, and how precise it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceRecord {
    /// The date, `YYYY-MM-DD` (the first of the month at month precision).
    pub date: String,
    /// `published`, `url`, `dateline` or `given` (`--reference-date`).
    pub from: String,
    /// `day`, or `month` for a URL with only a year and month: days and
    /// weeks are then left unresolved.
    pub precision: String,
}

/// A section of a document (keys in alphabetical order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionRecord {
    /// End, in code points.
    pub end: usize,
    /// The ICS of an ICS section.
    pub ics: Option<String>,
    /// Its place among the document's sections.
    pub index: usize,
    /// Its kind.
    pub kind: SectionKind,
    /// Start, in code points.
    pub start: usize,
    /// Its heading.
    pub title: Option<String>,
}

/// `summary.json`: the counts of a run (keys in alphabetical order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryRecord {
    /// Relative dates left without a value: the document gave no reference
    /// date, or only its month for a day-level expression.
    #[serde(default)]
    pub dates_unresolved: usize,
    /// Records by outcome.
    pub documents: DocumentCounts,
    /// Wall-clock seconds, to the millisecond.
    pub elapsed_seconds: f64,
    /// Facts in all and by type.
    pub facts: FactCounts,
    /// The records that failed, with their reasons.
    pub failures: Vec<String>,
    /// The rules' fingerprint.
    pub rules_fingerprint: String,
    /// Where the rules came from: `built-in`, or the folder given.
    #[serde(default)]
    pub rules_source: String,
    /// How the run was started: command line, inputs and options.
    #[serde(default)]
    pub run: RunRecord,
    /// Sections by kind.
    pub sections: BTreeMap<String, usize>,
    /// Bytes of document text read.
    pub text_bytes: u64,
    /// The factmine version that wrote it.
    #[serde(default)]
    pub version: String,
}

/// How a run was started, so that its output says what it is the output
/// of, and a resumed run can check it goes on with the same work.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunRecord {
    /// The command line, as typed.
    pub command: Vec<String>,
    /// The inputs as given (files, folders, `-`).
    pub inputs: Vec<String>,
    /// A hash of every input file's path, size and modification time.
    pub inputs_fingerprint: String,
    /// The options that change the output (limits, shard, reference date).
    pub options: BTreeMap<String, String>,
    /// Entries of the input folders that were not read, `path: reason`.
    pub skipped_files: Vec<String>,
}

/// Records by outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentCounts {
    /// Records that failed.
    pub failed: usize,
    /// Documents analysed without warnings.
    pub processed: usize,
    /// Records read.
    pub read: usize,
    /// Documents carried over from an earlier run.
    pub unchanged: usize,
    /// Documents analysed with warnings.
    pub warned: usize,
}

/// Facts in all and by type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactCounts {
    /// Facts by type name.
    pub by_type: BTreeMap<String, usize>,
    /// All facts.
    pub total: usize,
}

/// Reads a JSON-lines file of records, each with its line as written,
/// naming the file and line of the first one that does not parse.
pub fn read_lines<T: serde::de::DeserializeOwned>(
    path: &std::path::Path,
) -> Result<Vec<(String, T)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| cannot_read(path, &e))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .map(|r| (l.to_string(), r))
                .map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// The records of a JSON-lines file, read one line at a time (in bounded
/// memory, whatever its size); an error names the file and line.
#[derive(Debug)]
pub struct JsonLines<T> {
    path: std::path::PathBuf,
    reader: std::io::BufReader<std::fs::File>,
    line: String,
    number: usize,
    record: std::marker::PhantomData<T>,
}

impl<T: serde::de::DeserializeOwned> JsonLines<T> {
    /// Opens a file of records.
    pub fn open(path: &std::path::Path) -> Result<JsonLines<T>, String> {
        let file = std::fs::File::open(path).map_err(|e| cannot_read(path, &e))?;
        Ok(JsonLines {
            path: path.to_path_buf(),
            reader: std::io::BufReader::new(file),
            line: String::new(),
            number: 0,
            record: std::marker::PhantomData,
        })
    }
}

impl<T: serde::de::DeserializeOwned> Iterator for JsonLines<T> {
    type Item = Result<T, String>;

    fn next(&mut self) -> Option<Result<T, String>> {
        use std::io::BufRead;
        loop {
            self.line.clear();
            self.number += 1;
            match self.reader.read_line(&mut self.line) {
                Ok(0) => return None,
                Ok(_) if self.line.trim().is_empty() => continue,
                Ok(_) => {
                    return Some(
                        serde_json::from_str(&self.line)
                            .map_err(|e| format!("{}:{}: {e}", self.path.display(), self.number)),
                    )
                }
                Err(e) => return Some(Err(cannot_read(&self.path, &e))),
            }
        }
    }
}

fn cannot_read(path: &std::path::Path, e: &std::io::Error) -> String {
    format!(
        "{}: cannot read: {}",
        path.display(),
        crate::text::io_reason(e)
    )
}
