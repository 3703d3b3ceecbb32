//! Reading a rule's slots: the capture groups of one match, read inside
//! the span the finder already found, and handed to the normalisers.

use super::hir::{ascii_only, whole_match_group};
use super::{with_causes, NFA_SIZE_LIMIT};
use crate::rules::RuleError;
use regex_automata::nfa::thompson::backtrack::{self, BoundedBacktracker};
use regex_automata::nfa::thompson::pikevm::{self, PikeVM};
use regex_automata::nfa::thompson::{self, WhichCaptures, NFA};
use regex_automata::util::captures::Captures;
use regex_automata::{Anchored, Input};
use regex_syntax::hir::Hir;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

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
/// Unicode letter class alone is hundreds of states. The pattern as
/// written is compiled the first time a span needs it.
#[derive(Debug, Clone)]
pub(super) struct SlotReader {
    pub(super) ascii: BoundedBacktracker,
    /// The pattern as written, and its engines once compiled (shared by
    /// the reader's clones).
    hir: Arc<Hir>,
    unicode: Arc<OnceLock<Engines>>,
    /// The rule's one slot when it is the whole match (`\b(?P<name>...)\b`):
    /// such a match needs no reading.
    pub(super) whole: Option<String>,
}

/// The engines that read a span with the pattern as written.
#[derive(Debug)]
pub(super) struct Engines {
    pub(super) backtracker: BoundedBacktracker,
    pikevm: PikeVM,
}

/// A [`SlotReader`]'s scratch space, made when its rule first matches.
#[derive(Debug)]
pub(super) struct ReaderCache {
    /// Made when a span first needs the pattern as written.
    unicode: Option<UnicodeCache>,
    ascii: backtrack::Cache,
    ascii_captures: Captures,
}

/// The scratch space of a reader's [`Engines`].
#[derive(Debug)]
struct UnicodeCache {
    backtracker: backtrack::Cache,
    pikevm: Option<pikevm::Cache>,
    captures: Captures,
}

/// A rule's NFA with its capture groups, within `limit` bytes.
fn compile(hir: &Hir, limit: Option<usize>) -> Result<NFA, Box<thompson::BuildError>> {
    thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .which_captures(WhichCaptures::All)
                .nfa_size_limit(limit),
        )
        .build_from_hir(hir)
        .map_err(Box::new)
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
        let ascii = compile(&ascii_only(&hir), Some(NFA_SIZE_LIMIT)).map_err(|e| fail(e))?;
        Ok(SlotReader {
            whole: whole_match_group(&hir).map(str::to_string),
            ascii: BoundedBacktracker::new_from_nfa(ascii).map_err(|e| fail(Box::new(e)))?,
            hir: Arc::new(hir),
            unicode: Arc::default(),
        })
    }

    /// The engines for the pattern as written, compiled on first use. The
    /// rule compiled within the size limit at load, cut down to ASCII and,
    /// in its file's finder, as written: this compile has no limit to fail
    /// on, and the same assertions as the ASCII one.
    pub(super) fn unicode(&self) -> &Engines {
        self.unicode.get_or_init(|| {
            let nfa = compile(&self.hir, None).expect(READER_COMPILES);
            Engines {
                backtracker: BoundedBacktracker::new_from_nfa(nfa.clone()).expect(READER_COMPILES),
                pikevm: PikeVM::new_from_nfa(nfa).expect(READER_COMPILES),
            }
        })
    }

    pub(super) fn cache(&self) -> ReaderCache {
        ReaderCache {
            unicode: None,
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
        let engines = self.unicode();
        let cache = cache.unicode.get_or_insert_with(|| UnicodeCache {
            backtracker: engines.backtracker.create_cache(),
            pikevm: None,
            captures: engines.backtracker.create_captures(),
        });
        let done =
            engines
                .backtracker
                .try_search(&mut cache.backtracker, &input, &mut cache.captures);
        if done.is_err() {
            let pikevm = cache
                .pikevm
                .get_or_insert_with(|| engines.pikevm.create_cache());
            engines.pikevm.search(pikevm, &input, &mut cache.captures);
        }
        &cache.captures
    }
}

/// Why a reader's engines for the pattern as written compile on first use.
const READER_COMPILES: &str = "a rule that compiled at load compiles as written without a limit";

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_pattern_as_written_is_compiled_when_a_span_first_needs_it() {
        let reader = SlotReader::new(r"(?P<n>\d+) (?P<unit>\p{L}+)", Path::new("t.rules")).unwrap();
        let clone = reader.clone();
        let mut cache = reader.cache();
        let unit =
            |caps: &Captures, text: &str| caps.get_group(2).map(|s| text[s.range()].to_string());
        // An ASCII span is read with the ASCII cut: nothing else compiled.
        let text = "40 beds";
        assert_eq!(
            unit(reader.read(text, 0..text.len(), &mut cache), text).as_deref(),
            Some("beds")
        );
        assert!(reader.unicode.get().is_none());
        // A span outside ASCII compiles the pattern as written, for the
        // reader's clones too.
        let text = "12 łóżek";
        assert_eq!(
            unit(reader.read(text, 0..text.len(), &mut cache), text).as_deref(),
            Some("łóżek")
        );
        assert!(clone.unicode.get().is_some());
    }
}
