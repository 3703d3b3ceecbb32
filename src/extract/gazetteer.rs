//! The compiled gazetteer: every alias of every entry in one aho-corasick
//! automaton (ASCII case-insensitive), run once over a document. All
//! overlapping hits are reported; each is kept only at whole-word
//! boundaries and where its case rule accepts the text, and the resolver
//! later keeps the longest.

use crate::rules::{CaseRule, Gazetteer, RuleError};
use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::HashMap;
use std::path::Path;

/// One gazetteer hit: a span and the entries whose aliases it matches
/// (an organisation and a product may share a name), read with
/// [`GazetteerMatcher::entries`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Byte offset where it starts.
    pub start: usize,
    /// Byte offset where it ends.
    pub end: usize,
    /// The automaton's pattern it matched.
    pattern: usize,
    /// Which of that pattern's entries accept it, a bit each.
    accepted: u64,
}

/// The automaton and, for each of its patterns, the entries it stands for.
#[derive(Debug, Clone)]
pub struct GazetteerMatcher {
    automaton: AhoCorasick,
    patterns: Vec<(String, Vec<(usize, CaseRule)>)>,
    /// Each pattern's index by its text in ASCII lower case, for names a
    /// document writes only in part ([`GazetteerMatcher::name`]).
    by_text: HashMap<String, usize>,
}

impl GazetteerMatcher {
    /// Builds one automaton from all aliases.
    pub fn build(gazetteer: &Gazetteer, dir: &Path) -> Result<GazetteerMatcher, RuleError> {
        let mut by_text: HashMap<&str, usize> = HashMap::new();
        let mut patterns: Vec<(String, Vec<(usize, CaseRule)>)> = Vec::new();
        for alias in &gazetteer.aliases {
            let i = *by_text.entry(alias.text.as_str()).or_insert_with(|| {
                patterns.push((alias.text.clone(), Vec::new()));
                patterns.len() - 1
            });
            if !patterns[i].1.iter().any(|(e, _)| *e == alias.entry) {
                patterns[i].1.push((alias.entry, alias.case));
            }
        }
        if let Some((text, _)) = patterns.iter().find(|(_, e)| e.len() > MAX_ENTRIES) {
            return Err(RuleError::file(
                dir,
                format!("the alias {text:?} names more than {MAX_ENTRIES} entries"),
            ));
        }
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(patterns.iter().map(|(t, _)| t.as_str()))
            .map_err(|e| {
                RuleError::file(dir, format!("cannot build the gazetteer automaton: {e}"))
            })?;
        let by_text = patterns
            .iter()
            .enumerate()
            .map(|(i, (t, _))| (t.to_ascii_lowercase(), i))
            .collect();
        Ok(GazetteerMatcher {
            automaton,
            patterns,
            by_text,
        })
    }

    /// The hit `name` would make as a whole, were it written in a text: an
    /// alias of some entry, in a case the entry's rule accepts. `start` and
    /// `end` are the offsets the hit is given.
    pub fn name(&self, name: &str, start: usize, end: usize) -> Option<Hit> {
        let &pattern = self.by_text.get(&name.to_ascii_lowercase())?;
        let (alias, entries) = &self.patterns[pattern];
        let accepted = accepted_by(alias, entries, name);
        (accepted != 0).then_some(Hit {
            start,
            end,
            pattern,
            accepted,
        })
    }

    /// The indices of the entries a hit names, in the order their aliases
    /// were listed.
    pub fn entries<'a>(&'a self, hit: &'a Hit) -> impl Iterator<Item = usize> + 'a {
        self.patterns[hit.pattern]
            .1
            .iter()
            .enumerate()
            .filter(|(i, _)| hit.accepted >> i & 1 == 1)
            .map(|(_, (e, _))| *e)
    }

    /// How many raw hits the automaton reports in `text`, with no boundary
    /// or case checks: the bare cost of the pass, for benchmarks.
    pub fn count_raw(&self, text: &str) -> usize {
        self.automaton.find_overlapping_iter(text).count()
    }

    /// Every whole-word, case-accepted hit in `text`, in order of start;
    /// the automaton stops once `most` are found (those ending first), so
    /// a text that is one long list of names costs the limit, not its size.
    pub fn find(&self, text: &str, most: usize) -> Vec<Hit> {
        let mut hits = Vec::new();
        let mut read = text.len();
        for m in self.automaton.find_overlapping_iter(text) {
            if hits.len() == most {
                read = m.end();
                break;
            }
            let (start, end) = (m.start(), m.end());
            if !is_boundary(text, start, end) {
                continue;
            }
            let pattern = m.pattern().as_usize();
            let (alias, entries) = &self.patterns[pattern];
            let accepted = accepted_by(alias, entries, &text[start..end]);
            if accepted != 0 {
                hits.push(Hit {
                    start,
                    end,
                    pattern,
                    accepted,
                });
            }
        }
        crate::work::examined(read);
        hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        hits
    }
}

/// Which of an alias's entries accept it written as `found`, a bit each.
fn accepted_by(alias: &str, entries: &[(usize, CaseRule)], found: &str) -> u64 {
    entries
        .iter()
        .enumerate()
        .filter(|(_, (_, case))| case.accepts(alias, found))
        .fold(0u64, |bits, (i, _)| bits | 1 << i)
}

/// The most entries one alias may name (a hit keeps a bit for each).
const MAX_ENTRIES: usize = 64;

/// Whether a span starts and ends at word boundaries (letters and digits
/// are word characters; a hyphen or an apostrophe is not).
fn is_boundary(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}
