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
use regex_automata::util::pool::Pool;
use regex_automata::{Anchored, Input, PatternID};
use regex_syntax::hir::{
    Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
    Repetition,
};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

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
    pub id: Arc<str>,
    /// Its attributes (`kind`, ...).
    pub attrs: BTreeMap<String, String>,
    reader: SlotReader,
    slots: Vec<(String, usize)>,
}

/// Reads a rule's capture groups inside the span the finder already found
/// for it: a bounded backtracker, fast on a span that short, or a PikeVM
/// for a span too long for the backtracker's memory. Both run on one NFA,
/// and searching only the known span spares the DFA passes a general
/// regex would make to find the match again. A span that is all ASCII (most
/// of them) is read with the same pattern cut down to ASCII: the
/// backtracker clears a bit per NFA state and byte on every read, and a
/// Unicode letter class alone is hundreds of states.
#[derive(Debug, Clone)]
struct SlotReader {
    backtracker: BoundedBacktracker,
    pikevm: PikeVM,
    ascii: BoundedBacktracker,
}

/// A [`SlotReader`]'s scratch space, made when its rule first matches.
#[derive(Debug)]
struct ReaderCache {
    backtracker: backtrack::Cache,
    pikevm: Option<pikevm::Cache>,
    captures: Captures,
    ascii: backtrack::Cache,
    ascii_captures: Captures,
}

impl SlotReader {
    fn new(pattern: &str, path: &std::path::Path) -> Result<SlotReader, RuleError> {
        let fail = |e: &dyn std::fmt::Display| {
            RuleError::file(path, format!("a rule does not compile: {e}"))
        };
        let hir = regex_automata::util::syntax::parse(pattern).map_err(|e| fail(&e))?;
        let compile = |hir: &Hir| {
            thompson::Compiler::new()
                .configure(
                    thompson::Config::new()
                        .which_captures(WhichCaptures::All)
                        .nfa_size_limit(Some(64 << 20)),
                )
                .build_from_hir(hir)
                .map_err(|e| fail(&e))
        };
        let nfa = compile(&hir)?;
        let ascii = compile(&ascii_only(&hir))?;
        Ok(SlotReader {
            backtracker: BoundedBacktracker::new_from_nfa(nfa.clone()).map_err(|e| fail(&e))?,
            pikevm: PikeVM::new_from_nfa(nfa).map_err(|e| fail(&e))?,
            ascii: BoundedBacktracker::new_from_nfa(ascii).map_err(|e| fail(&e))?,
        })
    }

    fn cache(&self) -> ReaderCache {
        ReaderCache {
            backtracker: self.backtracker.create_cache(),
            pikevm: None,
            captures: self.backtracker.create_captures(),
            ascii: self.ascii.create_cache(),
            ascii_captures: self.ascii.create_captures(),
        }
    }

    /// Matches the rule anchored at the start of `span`, within it, and
    /// returns its groups.
    fn read<'c>(&self, text: &str, span: Range<usize>, cache: &'c mut ReaderCache) -> &'c Captures {
        let ascii = text[span.clone()].is_ascii();
        let input = Input::new(text).span(span).anchored(Anchored::Yes);
        if ascii
            && self
                .ascii
                .try_search(&mut cache.ascii, &input, &mut cache.ascii_captures)
                .is_ok()
        {
            return &cache.ascii_captures;
        }
        let done = self
            .backtracker
            .try_search(&mut cache.backtracker, &input, &mut cache.captures);
        if done.is_err() {
            let pikevm = cache
                .pikevm
                .get_or_insert_with(|| self.pikevm.create_cache());
            self.pikevm.search(pikevm, &input, &mut cache.captures);
        }
        &cache.captures
    }
}

/// The same pattern with every class cut down to its ASCII part: on text
/// that is all ASCII it matches, and captures, exactly as the pattern does
/// (a class's other members cannot match there, the structure and so the
/// order of preference are unchanged, and the boundaries the rules use are
/// ASCII ones already).
fn ascii_only(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => {
            let mut class = class.clone();
            class.intersect(&ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7f')]));
            Hir::class(Class::Unicode(class))
        }
        HirKind::Class(Class::Bytes(class)) => {
            let mut class = class.clone();
            class.intersect(&ClassBytes::new([ClassBytesRange::new(0, 0x7f)]));
            Hir::class(Class::Bytes(class))
        }
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            sub: Box::new(ascii_only(&r.sub)),
            ..r.clone()
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            sub: Box::new(ascii_only(&c.sub)),
            ..c.clone()
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(ascii_only).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(ascii_only).collect()),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Look(_) => hir.clone(),
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
#[derive(Debug)]
pub struct CompiledPatterns {
    /// The type of fact the rules find.
    pub fact_type: FactType,
    finder: Regex,
    rules: Vec<CompiledRule>,
    /// The slot readers' scratch space, per rule, kept between documents
    /// (one set per thread at a time): made afresh for each document, it
    /// cost an allocation and a clearing per rule and document.
    caches: Pool<Vec<Option<ReaderCache>>>,
}

impl Clone for CompiledPatterns {
    fn clone(&self) -> CompiledPatterns {
        CompiledPatterns {
            fact_type: self.fact_type,
            finder: self.finder.clone(),
            rules: self.rules.clone(),
            caches: Pool::new(Vec::new),
        }
    }
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
                id: Arc::from(rule.id.as_str()),
                attrs: rule.attrs.clone(),
                reader,
                slots,
            });
        }
        Ok(CompiledPatterns {
            fact_type: file.fact_type,
            finder,
            rules,
            caches: Pool::new(Vec::new),
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
        let mut caches = self.caches.get();
        caches.resize_with(self.rules.len(), || None);
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
            let caps = rule.reader.read(text, m.range(), cache);
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

    /// Reads the groups of an anchored match at `at`, within 160 bytes.
    fn groups(re: &BoundedBacktracker, text: &str, at: usize) -> Vec<Option<Range<usize>>> {
        let mut cache = re.create_cache();
        let mut caps = re.create_captures();
        let end = text.len().min(at + 160);
        let input = Input::new(text).span(at..end).anchored(Anchored::Yes);
        re.try_search(&mut cache, &input, &mut caps).unwrap();
        (0..caps.group_len())
            .map(|g| caps.get_group(g).map(|s| s.range()))
            .collect()
    }

    #[test]
    fn the_ascii_readers_capture_as_the_full_ones_on_ascii_text() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/patterns");
        let corpus: Vec<String> = ["round-ups", "news"]
            .iter()
            .flat_map(|d| {
                std::fs::read_dir(
                    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("corpus")
                        .join(d),
                )
                .unwrap()
            })
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        let mut compared = 0;
        for name in [
            "dates.rules",
            "metrics.rules",
            "organisations.rules",
            "technologies.rules",
        ] {
            let file = PatternFile::load(&dir.join(name)).unwrap();
            let compiled = CompiledPatterns::compile(&file).unwrap();
            let texts: Vec<&str> = file
                .rules
                .iter()
                .flat_map(|r| r.examples.iter().map(|(_, text, _)| text.as_str()))
                .chain(
                    file.rules
                        .iter()
                        .flat_map(|r| r.counters.iter().map(|(_, t)| t.as_str())),
                )
                .chain(
                    corpus
                        .iter()
                        .flat_map(|t| t.split(|c: char| !c.is_ascii() || c == '\n')),
                )
                .filter(|t| t.is_ascii())
                .collect();
            for rule in &compiled.rules {
                for text in &texts {
                    let starts =
                        (0..text.len()).filter(|&i| i == 0 || text.as_bytes()[i - 1] == b' ');
                    for at in starts {
                        let full = groups(&rule.reader.backtracker, text, at);
                        let ascii = groups(&rule.reader.ascii, text, at);
                        assert_eq!(full, ascii, "{} at {at} in {text:?}", rule.id);
                        compared += usize::from(!full.is_empty());
                    }
                }
            }
        }
        // 1,900 with the rules and corpus of 2026-11; the floor only guards
        // against comparing nothing.
        assert!(compared > 1_000, "only {compared} matches compared");
    }

    #[test]
    fn ascii_only_keeps_the_structure_and_cuts_the_classes() {
        let hir = regex_automata::util::syntax::parse(r"(?P<w>\p{L}+)(?i:k)’|\d").unwrap();
        let cut = ascii_only(&hir);
        assert_eq!(
            cut.to_string(),
            regex_automata::util::syntax::parse(r"(?P<w>[A-Za-z]+)[Kk]’|[0-9]")
                .unwrap()
                .to_string()
        );
    }

    #[test]
    fn word_boundaries_become_ascii() {
        assert_eq!(
            ascii_boundaries(r"\b(?P<year>\d{4})\\b\B"),
            r"(?-u:\b)(?P<year>\d{4})\\b\B"
        );
    }
}
