//! Rules: loads the rule folder an editor maintains — section phrases,
//! gazetteers (TSV), pattern rules (`.rules`) and word lists — and checks
//! every line, so that a bad line stops a run before any work, naming
//! `file:line` and the reason.
//!
//! Layout of a rule folder:
//!
//! ```text
//! sections.tsv                 heading phrases: contents, sponsored, ICS prefixes/suffixes
//! gazetteers/ics.tsv           the 42 ICSs: canonical, region, ODS code, variants
//! gazetteers/ics_forms.tsv     templates that make organisation names of ICS names
//! gazetteers/organisations.tsv organisations: canonical, kind, aliases, case, code
//! gazetteers/technologies.tsv  technologies: canonical, category, aliases, case
//! gazetteers/trust_suffixes.tsv interchangeable trust name endings
//! patterns/*.rules             regex rules for dates, metrics, organisations and technologies
//! lexicon/*.tsv                word lists the normalisers read
//! ```

pub mod builtin;
mod gazetteer;
mod lexicon;
mod patterns;
mod tsv;

pub use gazetteer::{CaseRule, Entry, EntryKind, Gazetteer, Succession, System};
pub use lexicon::{Lexicon, Table};
pub use patterns::{PatternFile, PatternRule};

use crate::sections::{normalise, SectionRules};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A problem in a rule file: where, and what.
#[derive(Debug, Clone)]
pub struct RuleError {
    /// The rule file.
    pub file: PathBuf,
    /// The 1-based line, when the problem is on one line.
    pub line: Option<usize>,
    /// What is wrong.
    pub reason: String,
    /// The error underneath, when a library reported it (a regex that does
    /// not compile, say).
    pub cause: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

/// Two rule errors are the same when they say the same thing at the same
/// place (what caused them aside).
impl PartialEq for RuleError {
    fn eq(&self, other: &RuleError) -> bool {
        (&self.file, self.line, &self.reason) == (&other.file, other.line, &other.reason)
    }
}

impl Eq for RuleError {}

impl RuleError {
    pub(crate) fn at(file: &Path, line: usize, reason: impl Into<String>) -> RuleError {
        RuleError {
            file: file.to_path_buf(),
            line: Some(line),
            reason: reason.into(),
            cause: None,
        }
    }

    pub(crate) fn file(file: &Path, reason: impl Into<String>) -> RuleError {
        RuleError {
            file: file.to_path_buf(),
            line: None,
            reason: reason.into(),
            cause: None,
        }
    }

    /// The same error, caused by `cause`.
    pub(crate) fn caused_by(
        mut self,
        cause: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> RuleError {
        self.cause = Some(Arc::from(cause.into()));
        self
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for RuleError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Everything loaded from a rule folder, checked and ready to compile.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// Heading phrases and ICS names for the section splitter.
    pub sections: SectionRules,
    /// Organisation, ICS and technology entries with their aliases.
    pub gazetteer: Gazetteer,
    /// Pattern rule files, one per fact type.
    pub patterns: Vec<PatternFile>,
    /// Word lists for the normalisers.
    pub lexicon: Lexicon,
    /// A hash of every rule file's name and contents.
    pub fingerprint: String,
}

impl RuleSet {
    /// Loads and checks a rule folder.
    pub fn load(dir: &Path) -> Result<RuleSet, RuleError> {
        if !dir.is_dir() {
            return Err(RuleError::file(
                dir,
                "no rule folder here (pass --rules DIR, or run from the project folder)",
            ));
        }
        let mut fingerprint = crate::text::Fnv::new();
        let mut files = Vec::new();
        collect_files(dir, &mut files).map_err(|e| RuleError::file(dir, e.to_string()))?;
        files.sort();
        for f in &files {
            let bytes = std::fs::read(f).map_err(|e| RuleError::file(f, e.to_string()))?;
            fingerprint.write(
                f.strip_prefix(dir)
                    .unwrap_or(f)
                    .to_string_lossy()
                    .as_bytes(),
            );
            fingerprint.write(&bytes);
        }
        let sections_path = dir.join("sections.tsv");
        let mut sections = load_section_phrases(&sections_path)?;
        let lexicon = Lexicon::load(&dir.join("lexicon"))?;
        let gazetteer = Gazetteer::load(&dir.join("gazetteers"), &mut sections, &lexicon)?;
        let mut patterns = Vec::new();
        for f in files.iter().filter(|f| {
            f.starts_with(dir.join("patterns")) && f.extension().is_some_and(|e| e == "rules")
        }) {
            patterns.push(PatternFile::load(f)?);
        }
        Ok(RuleSet {
            sections,
            gazetteer,
            patterns,
            lexicon,
            fingerprint: format!("{:016x}", fingerprint.finish()),
        })
    }
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'))
        {
            continue;
        }
        if path.is_dir() {
            collect_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads `sections.tsv`: `role<TAB>phrase` lines, roles `contents`,
/// `sponsored`, `ics_prefix`, `ics_suffix`.
fn load_section_phrases(path: &Path) -> Result<SectionRules, RuleError> {
    let mut rules = SectionRules::default();
    for row in tsv::read(path, 2, 2)? {
        let phrase = normalise(&row.fields[1]);
        if phrase.is_empty() {
            return Err(RuleError::at(path, row.line, "empty phrase"));
        }
        match row.fields[0].as_str() {
            "contents" => rules.contents.push(phrase),
            "sponsored" => rules.sponsored.push(phrase),
            "ics_prefix" => rules.ics_prefixes.push(phrase),
            "ics_suffix" => rules.ics_suffixes.push(phrase),
            other => {
                return Err(RuleError::at(
                    path,
                    row.line,
                    format!("unknown role {other:?} (expected contents, sponsored, ics_prefix or ics_suffix)"),
                ))
            }
        }
    }
    // Longest suffix first, so "integrated care board" wins over "board".
    rules
        .ics_suffixes
        .sort_by_key(|s| std::cmp::Reverse(s.len()));
    Ok(rules)
}
