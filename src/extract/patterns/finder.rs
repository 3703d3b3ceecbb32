//! A pattern file's finder: where its rules match, leftmost-first, in file
//! order. A forward lazy DFA over all the file's rules finds where the
//! match ends and which rule made it; a reverse lazy DFA then finds where
//! it starts, reading back through that one rule alone. (A general regex
//! reads back through every rule at once, and on to where the last of them
//! gives up: for a file of many rules that is more states, and more bytes,
//! than the rule that matched needs.) A finder few texts need compiles its
//! reverse DFA on its first match ([`Reverse`]).

use super::NFA_SIZE_LIMIT;
use regex_automata::hybrid::dfa::{self, DFA};
use regex_automata::nfa::thompson::{self, WhichCaptures, NFA};
use regex_automata::{Anchored, Input, MatchKind};
use regex_syntax::hir::Hir;
use std::sync::{Arc, OnceLock};

/// The lazy DFA states a thread's searches with one finder have built.
#[derive(Debug, Clone)]
pub(super) struct Cache {
    forward: dfa::Cache,
    /// Made with the first search that reads back.
    reverse: Option<dfa::Cache>,
}

impl Cache {
    /// The memory its states take.
    pub(super) fn memory_usage(&self) -> usize {
        self.forward.memory_usage() + self.reverse.as_ref().map_or(0, dfa::Cache::memory_usage)
    }
}

/// A file's rules compiled for finding where they match (no captures).
#[derive(Debug, Clone)]
pub(super) struct Finder {
    forward: DFA,
    reverse: ReverseDfa,
}

/// When a finder's reverse lazy DFA is compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reverse {
    /// With the finder.
    Now,
    /// On the first search that finds a match, by whichever thread makes it
    /// (the others wait for it): for a finder few texts need, whose reverse
    /// NFA is the largest part of start-up (Unicode classes read
    /// backwards).
    OnFirstMatch,
}

/// A reverse lazy DFA, compiled or still to be.
#[derive(Debug, Clone)]
enum ReverseDfa {
    Built(Box<DFA>),
    Deferred {
        rules: Arc<[Hir]>,
        dfa: Arc<OnceLock<DFA>>,
    },
}

impl ReverseDfa {
    /// The DFA, compiled now if it was deferred and this is its first use.
    fn get(&self) -> &DFA {
        match self {
            ReverseDfa::Built(dfa) => dfa,
            ReverseDfa::Deferred { rules, dfa } => dfa.get_or_init(|| {
                // The forward NFA of the same rules compiled within its limits,
                // so this one is let grow as it must, and the cache with it:
                // nothing is left to fail.
                let nfa = compile(rules, true, None).expect(DEFERRED_COMPILES);
                reverse_dfa(nfa, true).expect(DEFERRED_COMPILES)
            }),
        }
    }
}

/// Why a deferred reverse DFA compiles: its rules parsed, and compiled
/// forward, when they were loaded; reading them backwards needs more
/// states, and neither the NFA nor the cache has a limit here.
const DEFERRED_COMPILES: &str = "rules that compiled forward compile backward without limits";

/// The rules' Thompson NFA, forward or reverse, without captures.
fn compile(
    rules: &[Hir],
    reverse: bool,
    limit: Option<usize>,
) -> Result<NFA, Box<thompson::BuildError>> {
    thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .which_captures(WhichCaptures::None)
                .nfa_size_limit(limit)
                .reverse(reverse),
        )
        .build_many_from_hir(rules)
        .map_err(Box::new)
}

/// The reverse lazy DFA: read back from a match's end, through the rule
/// that matched only, as far as it can go (its leftmost start).
fn reverse_dfa(nfa: NFA, any_size: bool) -> Result<DFA, Box<regex_automata::hybrid::BuildError>> {
    DFA::builder()
        .configure(
            DFA::config()
                .cache_capacity(CACHE_CAPACITY)
                .skip_cache_capacity_check(any_size)
                .match_kind(MatchKind::All)
                .starts_for_each_pattern(true),
        )
        .build_from_nfa(nfa)
        .map_err(Box::new)
}

/// A match: the rule (by its place in the file) and its span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Found {
    /// The rule's index in its file.
    pub(super) rule: usize,
    /// Where the match starts.
    pub(super) start: usize,
    /// Where the match ends.
    pub(super) end: usize,
}

/// The most memory each lazy DFA may keep for its states, per thread.
const CACHE_CAPACITY: usize = 8 << 20;

impl Finder {
    /// Compiles rules (their syntax trees, in file order) into one finder,
    /// its reverse DFA now or on its first match (keeping the trees until
    /// then).
    pub(super) fn build(
        rules: Vec<Hir>,
        reverse: Reverse,
    ) -> Result<Finder, Box<dyn std::error::Error + Send + Sync>> {
        let limit = Some(NFA_SIZE_LIMIT);
        // The two NFAs are compiled side by side: on many cores the largest
        // file's reverse NFA is what start-up waits for.
        let (forward_nfa, reverse_nfa) = rayon::join(
            || compile(&rules, false, limit),
            || (reverse == Reverse::Now).then(|| compile(&rules, true, limit)),
        );
        let forward = DFA::builder()
            .configure(DFA::config().cache_capacity(CACHE_CAPACITY))
            .build_from_nfa(forward_nfa?)?;
        let reverse = match reverse_nfa {
            Some(nfa) => ReverseDfa::Built(Box::new(reverse_dfa(nfa?, false)?)),
            None => ReverseDfa::Deferred {
                rules: rules.into(),
                dfa: Arc::default(),
            },
        };
        Ok(Finder { forward, reverse })
    }

    /// A cache with no states built yet.
    pub(super) fn create_cache(&self) -> Cache {
        Cache {
            forward: self.forward.create_cache(),
            reverse: None,
        }
    }

    /// The first match in `text[at..]`, leftmost-first (the boundaries
    /// around it read from the whole text).
    pub(super) fn find(&self, cache: &mut Cache, text: &str, at: usize) -> Option<Found> {
        let input = Input::new(text).span(at..text.len());
        let end = self
            .forward
            .try_search_fwd(&mut cache.forward, &input)
            .expect(NEVER_FAILS)?;
        let rule = end.pattern();
        let back = input
            .span(at..end.offset())
            .anchored(Anchored::Pattern(rule));
        let reverse = self.reverse.get();
        let start = reverse
            .try_search_rev(
                cache.reverse.get_or_insert_with(|| reverse.create_cache()),
                &back,
            )
            .expect(NEVER_FAILS)
            .expect("the rule that matched forward matches backward")
            .offset();
        Some(Found {
            rule: rule.as_usize(),
            start,
            end: end.offset(),
        })
    }

    /// How many matches there are in `text`, finding only where each ends
    /// (the next search starts there): the bare cost of the pass.
    pub(super) fn count(&self, cache: &mut Cache, text: &str) -> usize {
        let (mut at, mut count, mut last_end) = (0, 0, None);
        while at <= text.len() {
            let input = Input::new(text).span(at..text.len());
            let Some(end) = self
                .forward
                .try_search_fwd(&mut cache.forward, &input)
                .expect(NEVER_FAILS)
            else {
                break;
            };
            let end = end.offset();
            // Ending where the last match ended, it is an empty match (a
            // rule of only a word boundary) found again: counted once.
            if last_end != Some(end) {
                count += 1;
            }
            last_end = Some(end);
            // After an empty match the next search starts a byte on.
            at = end.max(at + 1);
        }
        count
    }
}

/// Why a search cannot fail: the lazy DFAs have no bytes to quit on (word
/// boundaries are ASCII) and never give up on a cache cleared too often
/// (they build states as slowly as they must instead).
const NEVER_FAILS: &str = "a finder's lazy DFA neither quits nor gives up";

#[cfg(test)]
mod tests {
    use super::*;

    fn finder(rules: &[&str]) -> Finder {
        let hirs: Vec<Hir> = rules
            .iter()
            .map(|r| regex_automata::util::syntax::parse(r).unwrap())
            .collect();
        Finder::build(hirs, Reverse::Now).unwrap()
    }

    fn all(finder: &Finder, text: &str) -> Vec<(usize, String)> {
        let mut cache = finder.create_cache();
        let mut at = 0;
        let mut found = Vec::new();
        while let Some(m) = finder.find(&mut cache, text, at) {
            found.push((m.rule, text[m.start..m.end].to_string()));
            at = m.end;
        }
        found
    }

    fn pairs(found: &[(usize, &str)]) -> Vec<(usize, String)> {
        found.iter().map(|&(r, t)| (r, t.to_string())).collect()
    }

    #[test]
    fn a_match_starts_where_its_own_rule_starts() {
        // Rule 1 reads back over "nearly", rule 0 does not.
        let f = finder(&[r"\d+ staff", r"(?:nearly )?\d+ (?:beds|staff)"]);
        assert_eq!(
            all(&f, "nearly 40 staff and nearly 9 beds"),
            pairs(&[(1, "nearly 40 staff"), (1, "nearly 9 beds")])
        );
        assert_eq!(
            all(&f, "so 40 staff and 9 beds"),
            pairs(&[(0, "40 staff"), (1, "9 beds")])
        );
    }

    #[test]
    fn matches_are_leftmost_first_in_rule_order() {
        let f = finder(&[r"(?-u:\b)NHS [A-Z]\w+", r"(?-u:\b)[A-Z]\w+ Trust", r"\d{4}"]);
        assert_eq!(
            all(
                &f,
                "In 2024 NHS England and Leeds Trust met; NHS Digital Trust"
            ),
            pairs(&[
                (2, "2024"),
                (0, "NHS England"),
                (1, "Leeds Trust"),
                (0, "NHS Digital")
            ])
        );
    }

    #[test]
    fn a_reverse_dfa_compiled_on_the_first_match_finds_the_same_starts() {
        let rules = [r"(?:nearly )?\d+ (?:beds|staff)", r"\p{Lu}\p{L}+ Trust"];
        let hirs: Vec<Hir> = rules
            .iter()
            .map(|r| regex_automata::util::syntax::parse(r).unwrap())
            .collect();
        let deferred = Finder::build(hirs, Reverse::OnFirstMatch).unwrap();
        let compiled = |f: &Finder| match &f.reverse {
            ReverseDfa::Deferred { dfa, .. } => dfa.get().is_some(),
            ReverseDfa::Built(_) => true,
        };
        // Searching without a match compiles nothing; a clone shares what
        // its original compiles.
        let clone = deferred.clone();
        assert_eq!(all(&deferred, "no match here"), []);
        assert!(!compiled(&deferred));
        let text = "Łódź Trust has nearly 40 staff, Ærø Trust 9 beds";
        assert_eq!(
            all(&deferred, text),
            pairs(&[
                (1, "Łódź Trust"),
                (0, "nearly 40 staff"),
                (1, "Ærø Trust"),
                (0, "9 beds")
            ])
        );
        assert!(compiled(&deferred) && compiled(&clone));
        assert_eq!(all(&clone, text), all(&finder(&rules), text));
    }

    #[test]
    fn an_empty_match_is_counted_once_and_passed() {
        let f = finder(&[r"(?-u:\b)"]);
        assert_eq!(f.count(&mut f.create_cache(), "two words"), 4);
        assert_eq!(f.count(&mut f.create_cache(), ""), 0);
    }

    #[test]
    fn the_count_is_of_matches_found_end_after_end() {
        let f = finder(&[r"\d+ (?:people|staff)", r"(?-u:\b)[A-Z]\w+"]);
        let text = "Leeds had 40 people, York 9 staff and 3 beds.";
        assert_eq!(f.count(&mut f.create_cache(), text), 4);
        assert_eq!(all(&f, text).len(), 4);
    }
}
