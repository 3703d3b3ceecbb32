//! Compiled pattern rules: every rule of a file in one finder, run once
//! over a document to find where rules match (leftmost-first, in file
//! order); the matched rule's own small regex then reads its slots from
//! that match alone (unless its one slot is the whole match). Word
//! boundaries are ASCII (`\b` next to `’` or `£` behaves as next to a
//! space), which keeps the fast engines usable on any text. A text written
//! only in the characters most news copy uses (ASCII, Latin-1, general
//! punctuation, currency signs) is searched, and an ASCII span read, by the
//! same rules with their classes cut down to those characters: exact there,
//! and far smaller automata.
//!
//! This module holds the scan; `finder` finds where a file's rules match,
//! `slots` reads a match's capture groups, `alphabet` tells which finder a
//! text takes, `hir` rewrites a rule's syntax tree before it is compiled,
//! and `shared` lets threads copy the finders' lazy DFA states instead of
//! building them again.

mod alphabet;
mod finder;
mod hir;
mod shared;
mod slots;

pub use alphabet::Alphabet;
pub use slots::Slots;

use crate::budget::OverBudget;
use crate::fact::FactType;
use crate::rules::{PatternFile, RuleError};
use finder::{Cache, Finder, Reverse};
use hir::{ascii_boundaries, common_only};
use rayon::prelude::*;
use regex_automata::util::pool::Pool;
use regex_automata::PatternID;
use regex_syntax::hir::Hir;
use shared::SharedStates;
use slots::{ReaderCache, SlotReader};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The largest NFA accepted at load, for a file's finder and for a rule's
/// slot reader alike (so a rule within its file's limit is within its
/// reader's: what is compiled later, on first use, needs no limit).
const NFA_SIZE_LIMIT: usize = 64 << 20;

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

impl CompiledRule {
    /// An attribute's value.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs.get(key).map(String::as_str)
    }
}

/// A pattern file compiled for one pass: all rules in one multi-pattern
/// regex that only finds where a rule matches (fast, no captures), and per
/// rule a small regex that reads the slots of its own matches. The finder
/// comes twice: as written, and cut down to `COMMON` characters for the
/// texts written only in those (most of them), whose lazy DFAs have far
/// fewer states to build and keep.
#[derive(Debug)]
pub struct CompiledPatterns {
    /// The type of fact the rules find.
    pub fact_type: FactType,
    /// The finders, by [`Alphabet::index`]: as written, cut to `COMMON`.
    finders: [SharedFinder; 2],
    rules: Vec<CompiledRule>,
    /// Each thread's scratch space, kept between documents.
    caches: Pool<ScanCache>,
}

/// One finder, and the most built lazy DFA states its searches have made,
/// for threads to copy instead of building them again.
#[derive(Debug)]
struct SharedFinder {
    finder: Finder,
    states: SharedStates,
}

impl SharedFinder {
    fn new(finder: Finder) -> SharedFinder {
        SharedFinder {
            finder,
            states: SharedStates::default(),
        }
    }
}

/// One thread's scratch space for a file's scan (one set per thread at a
/// time): made afresh for each document, it cost an allocation and a
/// clearing per rule and document, and the finders' states built again.
#[derive(Debug, Default)]
struct ScanCache {
    /// The finders' lazy DFA states, by [`Alphabet::index`].
    finders: [Option<Cache>; 2],
    /// The slot readers' scratch space, per rule.
    readers: Vec<Option<ReaderCache>>,
}

impl Clone for CompiledPatterns {
    fn clone(&self) -> CompiledPatterns {
        CompiledPatterns {
            fact_type: self.fact_type,
            finders: self
                .finders
                .each_ref()
                .map(|f| SharedFinder::new(f.finder.clone())),
            rules: self.rules.clone(),
            caches: Pool::new(ScanCache::default),
        }
    }
}

/// An error and what caused it, down the chain ("error building NFA: heap
/// usage during NFA compilation exceeded limit of ..."): the regex crates'
/// outermost errors say little on their own.
fn with_causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// The finders, by [`Alphabet::index`]: as written, and cut down to
/// `COMMON` characters.
fn build_finders(
    patterns: &[String],
    path: &std::path::Path,
) -> Result<[SharedFinder; 2], RuleError> {
    let fail = |e: Box<dyn std::error::Error + Send + Sync>| {
        RuleError::file(
            path,
            format!("the rules do not compile together: {}", with_causes(&*e)),
        )
        .caused_by(e)
    };
    let rules: Vec<Hir> = patterns
        .iter()
        .map(|p| regex_automata::util::syntax::parse(p).map_err(|e| fail(Box::new(e))))
        .collect::<Result<_, _>>()?;
    // Texts outside the common alphabet are few: their finder reads back
    // once one of them has a match (its reverse NFA, Unicode classes read
    // backwards, was most of start-up).
    let common: Vec<Hir> = rules.iter().map(common_only).collect();
    let (finder, common_finder) = rayon::join(
        || Finder::build(rules, Reverse::OnFirstMatch).map_err(fail),
        || Finder::build(common, Reverse::Now).map_err(fail),
    );
    Ok([
        SharedFinder::new(finder?),
        SharedFinder::new(common_finder?),
    ])
}

impl CompiledPatterns {
    /// Compiles a file's rules, in file order: the finders and the slot
    /// readers side by side on the current rayon pool (a bad rule is
    /// reported as a serial compile would: the first in the file).
    pub fn compile(file: &PatternFile) -> Result<CompiledPatterns, RuleError> {
        let patterns: Vec<String> = file
            .rules
            .iter()
            .map(|r| ascii_boundaries(&r.pattern))
            .collect();
        let (finders, readers) = rayon::join(
            || build_finders(&patterns, &file.path),
            || {
                patterns
                    .par_iter()
                    .map(|p| SlotReader::new(p, &file.path))
                    .collect::<Vec<_>>()
            },
        );
        let finders = finders?;
        let mut rules = Vec::with_capacity(file.rules.len());
        for (rule, reader) in file.rules.iter().zip(readers) {
            let reader = reader?;
            // The ASCII cut keeps every group of the pattern as written.
            let slots = reader
                .ascii
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
            finders,
            rules,
            caches: Pool::new(ScanCache::default),
        })
    }

    /// How many matches the finder for the text's [`Alphabet`] reports in
    /// `text`, with no slots read
    /// and nothing normalised: the bare cost of the pass, for benchmarks.
    pub fn count_raw(&self, text: &str, alphabet: Alphabet) -> usize {
        let SharedFinder { finder, states } = &self.finders[alphabet.index()];
        let mut caches = self.caches.get();
        let cache =
            caches.finders[alphabet.index()].get_or_insert_with(|| states.new_cache(finder));
        finder.count(cache, text)
    }

    /// Runs the finder for the text's [`Alphabet`] once over `text`, calling
    /// `found` with each match's rule and slots. `found` returns where the fact it made ends (the
    /// scan goes on from there, so words a rule captured as context but left
    /// out of its fact can start the next fact), or `None` when it rejected
    /// the match (the scan goes on from the next character).
    /// `check` (the budget) is called every [`CHECK_EVERY`] matches.
    pub fn scan<'t>(
        &'t self,
        text: &'t str,
        alphabet: Alphabet,
        check: impl Fn() -> Result<(), OverBudget>,
        mut found: impl FnMut(&'t CompiledRule, &Slots<'t>) -> Option<usize>,
    ) -> Result<(), OverBudget> {
        let SharedFinder {
            finder,
            states: shared,
        } = &self.finders[alphabet.index()];
        let mut caches = self.caches.get();
        let ScanCache { finders, readers } = &mut *caches;
        let states = match &mut finders[alphabet.index()] {
            Some(states) => {
                shared.catch_up(states);
                states
            }
            none => none.insert(shared.new_cache(finder)),
        };
        readers.resize_with(self.rules.len(), || None);
        let mut slots = Slots::new(text, 0..0, Vec::new());
        let mut at = 0;
        let mut matches = 0usize;
        while at <= text.len() {
            let Some(m) = finder.find(states, text, at) else {
                crate::work::examined(text.len() - at);
                break;
            };
            matches += 1;
            if matches.is_multiple_of(CHECK_EVERY) {
                check()?;
            }
            let index = m.rule;
            let rule = &self.rules[index];
            slots.whole = m.start..m.end;
            slots.slots.clear();
            // The finder read up to the match's end.
            crate::work::examined(m.end - at);
            if let Some(name) = &rule.reader.whole {
                // Its one slot is the match.
                slots.slots.push((name.as_str(), m.start..m.end));
            } else if !rule.slots.is_empty() {
                // The rule's reader reads the match again.
                crate::work::examined(m.end - m.start);
                let cache = readers[index].get_or_insert_with(|| rule.reader.cache());
                let caps = rule.reader.read(text, m.start..m.end, cache);
                slots
                    .slots
                    .extend(rule.slots.iter().filter_map(|(name, g)| {
                        caps.get_group(*g).map(|s| (name.as_str(), s.range()))
                    }));
            }
            at = match found(rule, &slots) {
                Some(end) if end > m.start => end,
                _ => next_char(text, m.start),
            };
        }
        // On one thread there is no one to leave states for.
        if rayon::current_num_threads() > 1 {
            shared.offer(states);
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
    use super::alphabet::in_common_alphabet;
    use super::hir::ascii_only;
    use super::*;
    use regex_automata::nfa::thompson::backtrack::BoundedBacktracker;
    use regex_automata::{Anchored, Input};
    use std::ops::Range;

    /// The texts of the corpus's round-ups and news articles.
    fn corpus_texts() -> Vec<String> {
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        ["round-ups", "news"]
            .iter()
            .flat_map(|d| std::fs::read_dir(corpus.join(d)).unwrap())
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect()
    }

    /// The rule files, loaded and compiled, by name.
    fn rule_files() -> Vec<(&'static str, PatternFile, CompiledPatterns)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        ["dates", "metrics", "organisations", "technologies"]
            .into_iter()
            .map(|name| {
                let file =
                    PatternFile::load(&root.join(format!("rules/patterns/{name}.rules"))).unwrap();
                let compiled = CompiledPatterns::compile(&file).unwrap();
                (name, file, compiled)
            })
            .collect()
    }

    /// Where a text's words start: its first byte and each after a space.
    fn word_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
        (0..text.len())
            .filter(|&i| i == 0 || (text.is_char_boundary(i) && text.as_bytes()[i - 1] == b' '))
    }

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
    fn a_rule_too_large_to_compile_is_reported_with_its_file() {
        let path = std::path::Path::new("patterns/metrics.rules");
        let file = PatternFile::parse(
            path,
            "[rule metric.small]\npattern = (?P<num>\\d+) beds\n\
             [rule metric.huge]\npattern = (?P<num>(?:\\p{L}{100}){100}) beds\n",
        )
        .unwrap();
        let err = CompiledPatterns::compile(&file).unwrap_err().to_string();
        assert_eq!(
            err,
            "patterns/metrics.rules: the rules do not compile together: \
             heap usage during NFA compilation exceeded limit of 67108864"
        );
    }

    #[test]
    fn the_ascii_readers_capture_as_the_full_ones_on_ascii_text() {
        let corpus = corpus_texts();
        let mut compared = 0;
        for (_, file, compiled) in rule_files() {
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
                    for at in word_starts(text) {
                        let full = groups(&rule.reader.unicode().backtracker, text, at);
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
    fn a_slot_that_is_the_whole_match_is_known_from_the_pattern() {
        let whole = |pattern: &str| {
            let hir = regex_automata::util::syntax::parse(&ascii_boundaries(pattern)).unwrap();
            hir::whole_match_group(&hir).map(str::to_string)
        };
        assert_eq!(
            whole(r"\b(?P<name>[A-Z]\w+ (?:Trust|Board))\b"),
            Some("name".into())
        );
        assert_eq!(whole(r"(?P<year>\d{4})"), Some("year".into()));
        assert_eq!(whole(r"^(?P<x>a|b)$"), Some("x".into()));
        // Context outside the group, a second group, an unnamed group, or
        // none at all: the slots are read.
        assert_eq!(whole(r"\bby (?P<name>[A-Z]\w+)"), None);
        assert_eq!(whole(r"(?P<name>[A-Z]\w+)'s"), None);
        assert_eq!(whole(r"(?P<num>\d+) (?P<noun>\w+)"), None);
        assert_eq!(whole(r"(?P<outer>(?P<inner>\d+)%)"), None);
        assert_eq!(whole(r"\b(\d+)\b"), None);
        assert_eq!(whole(r"\d+"), None);
        assert_eq!(whole(r"(?P<a>x)|(?P<a2>y)"), None);
    }

    #[test]
    fn a_whole_match_slot_is_what_reading_the_match_gives() {
        let texts = corpus_texts();
        let mut compared = 0;
        for (_, _, compiled) in rule_files() {
            let finder = &compiled.finders[Alphabet::Any.index()].finder;
            let mut states = finder.create_cache();
            for text in &texts {
                for at in word_starts(text) {
                    let Some(m) = finder.find(&mut states, text, at) else {
                        continue;
                    };
                    let rule = &compiled.rules[m.rule];
                    let Some(slot) = &rule.reader.whole else {
                        continue;
                    };
                    let mut cache = rule.reader.cache();
                    let caps = rule.reader.read(text, m.start..m.end, &mut cache);
                    let read: Vec<_> = rule
                        .slots
                        .iter()
                        .filter_map(|(n, g)| caps.get_group(*g).map(|s| (n.clone(), s.range())))
                        .collect();
                    assert_eq!(read, vec![(slot.clone(), m.start..m.end)], "{}", rule.id);
                    compared += 1;
                }
            }
        }
        // 14,029 matches with the rules and corpus of 2026-12; the floor
        // only guards against comparing nothing.
        assert!(compared > 5_000, "only {compared} matches compared");
    }

    #[test]
    fn the_common_finders_find_as_the_full_ones_on_common_text() {
        let mut texts = corpus_texts();
        texts.push("Caf\u{e9} staff at Ch\u{e2}teau \u{c9}cole saw \u{a3}4\u{2013}5m, \u{201c}15\u{a0}per cent\u{201d} and \u{20ac}2bn; the trust\u{2019}s 3,000 na\u{ef}ve users.".into());
        let mut compared = 0;
        for (name, _, compiled) in rule_files() {
            let [full, common] = compiled.finders.each_ref().map(|f| &f.finder);
            let (mut full_states, mut common_states) = (full.create_cache(), common.create_cache());
            for text in texts.iter().filter(|t| in_common_alphabet(t)) {
                for at in word_starts(text) {
                    let full = full.find(&mut full_states, text, at);
                    let common = common.find(&mut common_states, text, at);
                    assert_eq!(full, common, "{name} from {at}");
                    compared += usize::from(full.is_some());
                }
            }
        }
        // 35,694 matches with the rules and corpus of 2026-11; the floor
        // only guards against comparing nothing.
        assert!(compared > 10_000, "only {compared} searches compared");
    }

    #[test]
    fn the_finders_find_what_a_general_regex_of_the_same_rules_finds() {
        // The finder reads back from a match's end through the matched rule
        // alone; a general regex reads back through all of them. Every
        // search from every word start of the corpus, and one text outside
        // the common alphabet, must give the same rule and span.
        let mut texts = corpus_texts();
        texts.push("The \u{3b1}-trial at St Mary\u{2019}s NHS Foundation Trust: 1,200 \u{3c0}atients, 41 per cent, \u{20b9}5m, twenty-one wards; in March 2024 Epic\u{2122} went live.".into());
        let mut compared = 0;
        for (name, file, compiled) in rule_files() {
            let patterns: Vec<String> = file
                .rules
                .iter()
                .map(|r| ascii_boundaries(&r.pattern))
                .collect();
            // With the finders' room for states and for the NFA (the
            // defaults give up on the Unicode classes).
            let general = regex_automata::meta::Builder::new()
                .configure(
                    regex_automata::meta::Config::new()
                        .hybrid_cache_capacity(8 << 20)
                        .nfa_size_limit(Some(NFA_SIZE_LIMIT)),
                )
                .build_many(&patterns)
                .unwrap();
            let finder = &compiled.finders[Alphabet::Any.index()].finder;
            let mut states = finder.create_cache();
            for text in &texts {
                for at in word_starts(text) {
                    let expected = general
                        .search(&Input::new(text).span(at..text.len()))
                        .map(|m| (m.pattern().as_usize(), m.range()));
                    let found = finder
                        .find(&mut states, text, at)
                        .map(|m| (m.rule, m.start..m.end));
                    assert_eq!(found, expected, "{name} from {at}");
                    compared += usize::from(found.is_some());
                }
            }
        }
        // 50,771 matches with the rules and corpus of 2026-12; the floor
        // only guards against comparing nothing.
        assert!(compared > 10_000, "only {compared} searches compared");
    }

    #[test]
    fn the_common_alphabet_is_latin_1_punctuation_and_currency() {
        assert!(in_common_alphabet("plain ASCII text, long enough to skip"));
        assert!(in_common_alphabet(
            "\u{a3}4m \u{2013} \u{201c}na\u{ef}ve\u{201d} \u{20ac}5"
        ));
        assert!(!in_common_alphabet("twelve ASCII bytes then \u{2122}"));
        assert!(!in_common_alphabet("\u{3b1}"));
        assert!(in_common_alphabet(""));
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
            r"(?-u:\b)(?P<year>\d{4})\\b(?-u:\B)"
        );
    }
}
