//! Compiled pattern rules: every rule of a file in one multi-pattern regex,
//! run once over a document to find where rules match (leftmost-first, in
//! file order); the matched rule's own small regex then reads its slots
//! from that match alone. Word boundaries are ASCII (`\b` next to `’` or `£`
//! behaves as next to a space), which keeps the fast engines usable on any
//! text.

use crate::budget::{Budget, OverBudget};
use crate::fact::FactType;
use crate::rules::{PatternFile, RuleError};
use regex_automata::meta::Regex;
use regex_automata::nfa::thompson::backtrack::{self, BoundedBacktracker};
use regex_automata::nfa::thompson::pikevm::{self, PikeVM};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::captures::Captures;
use regex_automata::{Anchored, Input, PatternID};
use std::collections::BTreeMap;
use std::ops::Range;

/// The slots one match filled: name → byte range in the searched text.
#[derive(Debug, Clone)]
pub struct Slots<'t> {
    text: &'t str,
    whole: Range<usize>,
    slots: Vec<(&'t str, Range<usize>)>,
}

impl<'t> Slots<'t> {
    /// Slots from explicit ranges (for tests and tools).
    pub fn new(
        text: &'t str,
        whole: Range<usize>,
        slots: Vec<(&'t str, Range<usize>)>,
    ) -> Slots<'t> {
        Slots { text, whole, slots }
    }

    /// The text of a slot, if the match filled it.
    pub fn get(&self, name: &str) -> Option<&'t str> {
        self.range(name).map(|r| &self.text[r])
    }

    /// The byte range of a slot.
    pub fn range(&self, name: &str) -> Option<Range<usize>> {
        self.slots
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, r)| r.clone())
    }

    /// Every filled slot with its range.
    pub fn ranges(&self) -> impl Iterator<Item = (&'t str, Range<usize>)> + '_ {
        self.slots.iter().map(|(n, r)| (*n, r.clone()))
    }

    /// The whole match.
    pub fn whole(&self) -> Range<usize> {
        self.whole.clone()
    }

    /// The searched text.
    pub fn text(&self) -> &'t str {
        self.text
    }
}

/// One rule inside a compiled file, with its own small matcher for reading
/// the slots of a match.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    /// The rule id.
    pub id: String,
    /// Its attributes (`kind`, ...).
    pub attrs: BTreeMap<String, String>,
    reader: SlotReader,
    slots: Vec<(String, usize)>,
}

/// Reads a rule's capture groups inside the span the finder already found
/// for it: a bounded backtracker, fast on a span that short, or a PikeVM
/// for a span too long for the backtracker's memory. Both run on one NFA,
/// and searching only the known span spares the DFA passes a general
/// regex would make to find the match again.
#[derive(Debug, Clone)]
struct SlotReader {
    backtracker: BoundedBacktracker,
    pikevm: PikeVM,
}

/// A [`SlotReader`]'s scratch space, made when its rule first matches.
struct ReaderCache {
    backtracker: backtrack::Cache,
    pikevm: Option<pikevm::Cache>,
    captures: Captures,
}

impl SlotReader {
    fn new(pattern: &str, path: &std::path::Path) -> Result<SlotReader, RuleError> {
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .which_captures(WhichCaptures::All)
                    .nfa_size_limit(Some(64 << 20)),
            )
            .build(pattern)
            .map_err(|e| RuleError::file(path, format!("a rule does not compile: {e}")))?;
        let engine = |e: &dyn std::fmt::Display| RuleError::file(path, e.to_string());
        Ok(SlotReader {
            backtracker: BoundedBacktracker::new_from_nfa(nfa.clone()).map_err(|e| engine(&e))?,
            pikevm: PikeVM::new_from_nfa(nfa).map_err(|e| engine(&e))?,
        })
    }

    fn cache(&self) -> ReaderCache {
        ReaderCache {
            backtracker: self.backtracker.create_cache(),
            pikevm: None,
            captures: self.backtracker.create_captures(),
        }
    }

    /// Matches the rule anchored at the start of `span`, within it.
    fn read(&self, text: &str, span: Range<usize>, cache: &mut ReaderCache) {
        let input = Input::new(text).span(span).anchored(Anchored::Yes);
        let done = self
            .backtracker
            .try_search(&mut cache.backtracker, &input, &mut cache.captures);
        if done.is_err() {
            let pikevm = cache
                .pikevm
                .get_or_insert_with(|| self.pikevm.create_cache());
            self.pikevm.search(pikevm, &input, &mut cache.captures);
        }
    }
}

impl CompiledRule {
    /// An attribute's value.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs.get(key).map(String::as_str)
    }
}

/// A pattern file compiled for one pass: all rules in one multi-pattern
/// regex that only finds where a rule matches (fast, no captures), and per
/// rule a small regex that reads the slots of its own matches.
#[derive(Debug, Clone)]
pub struct CompiledPatterns {
    /// The type of fact the rules find.
    pub fact_type: FactType,
    finder: Regex,
    rules: Vec<CompiledRule>,
}

/// Makes `\b` an ASCII word boundary, which keeps the fast (DFA) engines
/// usable on any text.
fn ascii_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push_str(r"(?-u:\b)"),
            Some(n) => {
                out.push('\\');
                out.push(n);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn build_finder(patterns: &[String], path: &std::path::Path) -> Result<Regex, RuleError> {
    Regex::builder()
        .configure(
            Regex::config()
                .which_captures(WhichCaptures::Implicit)
                .nfa_size_limit(Some(64 << 20))
                .hybrid_cache_capacity(8 << 20),
        )
        .build_many(patterns)
        .map_err(|e| RuleError::file(path, format!("the rules do not compile together: {e}")))
}

impl CompiledPatterns {
    /// Compiles a file's rules, in file order.
    pub fn compile(file: &PatternFile) -> Result<CompiledPatterns, RuleError> {
        let patterns: Vec<String> = file
            .rules
            .iter()
            .map(|r| ascii_boundaries(&r.pattern))
            .collect();
        let finder = build_finder(&patterns, &file.path)?;
        let mut rules = Vec::with_capacity(file.rules.len());
        for (rule, pattern) in file.rules.iter().zip(&patterns) {
            let reader = SlotReader::new(pattern, &file.path)?;
            let slots = reader
                .backtracker
                .get_nfa()
                .group_info()
                .pattern_names(PatternID::ZERO)
                .enumerate()
                .filter_map(|(i, name)| Some((name?.to_string(), i)))
                .collect();
            rules.push(CompiledRule {
                id: rule.id.clone(),
                attrs: rule.attrs.clone(),
                reader,
                slots,
            });
        }
        Ok(CompiledPatterns {
            fact_type: file.fact_type,
            finder,
            rules,
        })
    }

    /// How many matches the finder reports in `text`, with no slots read
    /// and nothing normalised: the bare cost of the pass, for benchmarks.
    pub fn count_raw(&self, text: &str) -> usize {
        self.finder.find_iter(text).count()
    }

    /// Runs the finder once over `text`, calling `found` with each match's
    /// rule and slots. `found` returns where the fact it made ends (the
    /// scan goes on from there, so words a rule captured as context but left
    /// out of its fact can start the next fact), or `None` when it rejected
    /// the match (the scan goes on from the next character).
    /// The budget is checked every [`CHECK_EVERY`] matches.
    pub fn scan<'t>(
        &'t self,
        text: &'t str,
        budget: &Budget,
        mut found: impl FnMut(&'t CompiledRule, Slots<'t>) -> Option<usize>,
    ) -> Result<(), OverBudget> {
        let mut caches: Vec<Option<ReaderCache>> = self.rules.iter().map(|_| None).collect();
        let mut at = 0;
        let mut matches = 0usize;
        while at <= text.len() {
            let Some(m) = self.finder.search(&Input::new(text).span(at..text.len())) else {
                break;
            };
            matches += 1;
            if matches.is_multiple_of(CHECK_EVERY) {
                budget.check("matching patterns")?;
            }
            let index = m.pattern().as_usize();
            let rule = &self.rules[index];
            let cache = caches[index].get_or_insert_with(|| rule.reader.cache());
            rule.reader.read(text, m.range(), cache);
            let caps = &cache.captures;
            let slots = rule
                .slots
                .iter()
                .filter_map(|(name, g)| caps.get_group(*g).map(|s| (name.as_str(), s.start..s.end)))
                .collect();
            at = match found(rule, Slots::new(text, m.start()..m.end(), slots)) {
                Some(end) if end > m.start() => end,
                _ => next_char(text, m.start()),
            };
        }
        Ok(())
    }
}

/// How many matches a scan makes between two looks at the time budget.
pub const CHECK_EVERY: usize = 256;

fn next_char(text: &str, at: usize) -> usize {
    text[at..]
        .chars()
        .next()
        .map_or(text.len() + 1, |c| at + c.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_boundaries_become_ascii() {
        assert_eq!(
            ascii_boundaries(r"\b(?P<year>\d{4})\\b\B"),
            r"(?-u:\b)(?P<year>\d{4})\\b\B"
        );
    }
}
