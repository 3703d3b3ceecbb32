//! Reading a rule's slots: the capture groups of one match, read inside
//! the span the finder already found, and handed to the normalisers.

use super::hir::{ascii_only, whole_match_group};
use super::with_causes;
use crate::rules::RuleError;
use regex_automata::nfa::thompson::backtrack::{self, BoundedBacktracker};
use regex_automata::nfa::thompson::pikevm::{self, PikeVM};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::captures::Captures;
use regex_automata::{Anchored, Input};
use regex_syntax::hir::Hir;
use std::ops::Range;

/// The slots one match filled: name → byte range in the searched text.
#[derive(Debug, Clone)]
pub struct Slots<'t> {
    text: &'t str,
    pub(super) whole: Range<usize>,
    pub(super) slots: Vec<(&'t str, Range<usize>)>,
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

/// Reads a rule's capture groups inside the span the finder already found
/// for it: a bounded backtracker, fast on a span that short, or a PikeVM
/// for a span too long for the backtracker's memory. Both run on one NFA,
/// and searching only the known span spares the DFA passes a general
/// regex would make to find the match again. A span that is all ASCII (most
/// of them) is read with the same pattern cut down to ASCII: the
/// backtracker clears a bit per NFA state and byte on every read, and a
/// Unicode letter class alone is hundreds of states.
#[derive(Debug, Clone)]
pub(super) struct SlotReader {
    pub(super) backtracker: BoundedBacktracker,
    pikevm: PikeVM,
    pub(super) ascii: BoundedBacktracker,
    /// The rule's one slot when it is the whole match (`\b(?P<name>...)\b`):
    /// such a match needs no reading.
    pub(super) whole: Option<String>,
}

/// A [`SlotReader`]'s scratch space, made when its rule first matches.
#[derive(Debug)]
pub(super) struct ReaderCache {
    backtracker: backtrack::Cache,
    pikevm: Option<pikevm::Cache>,
    captures: Captures,
    ascii: backtrack::Cache,
    ascii_captures: Captures,
}

impl SlotReader {
    pub(super) fn new(pattern: &str, path: &std::path::Path) -> Result<SlotReader, RuleError> {
        let fail = |e: Box<dyn std::error::Error + Send + Sync>| {
            RuleError::file(
                path,
                format!("a rule does not compile: {}", with_causes(&*e)),
            )
            .caused_by(e)
        };
        let hir = regex_automata::util::syntax::parse(pattern).map_err(|e| fail(Box::new(e)))?;
        let compile = |hir: &Hir| {
            thompson::Compiler::new()
                .configure(
                    thompson::Config::new()
                        .which_captures(WhichCaptures::All)
                        .nfa_size_limit(Some(64 << 20)),
                )
                .build_from_hir(hir)
                .map_err(|e| fail(Box::new(e)))
        };
        let nfa = compile(&hir)?;
        let ascii = compile(&ascii_only(&hir))?;
        let whole = whole_match_group(&hir).map(str::to_string);
        Ok(SlotReader {
            whole,
            backtracker: BoundedBacktracker::new_from_nfa(nfa.clone())
                .map_err(|e| fail(Box::new(e)))?,
            pikevm: PikeVM::new_from_nfa(nfa).map_err(|e| fail(Box::new(e)))?,
            ascii: BoundedBacktracker::new_from_nfa(ascii).map_err(|e| fail(Box::new(e)))?,
        })
    }

    pub(super) fn cache(&self) -> ReaderCache {
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
    pub(super) fn read<'c>(
        &self,
        text: &str,
        span: Range<usize>,
        cache: &'c mut ReaderCache,
    ) -> &'c Captures {
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
