//! Rewriting a rule before it is compiled: `\\b` made an ASCII word
//! boundary, and the syntax tree with every class cut down to an alphabet
//! (ASCII, or the common characters of news copy). On text written only in
//! those characters the cut pattern matches, and captures, exactly as the
//! pattern does, with far smaller automata.

use super::alphabet::COMMON;
use regex_syntax::hir::{
    Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
    Repetition,
};

/// Makes `\b` and `\B` ASCII word boundaries, which the finders' lazy DFAs
/// need (they cannot look at the characters around a Unicode boundary).
pub(super) fn ascii_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push_str(r"(?-u:\b)"),
            Some('B') => out.push_str(r"(?-u:\B)"),
            Some(n) => {
                out.push('\\');
                out.push(n);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The same pattern with every class cut down to its ASCII part: on text
/// that is all ASCII it matches, and captures, exactly as the pattern does.
pub(super) fn ascii_only(hir: &Hir) -> Hir {
    cut_classes(
        hir,
        &ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7f')]),
        &ClassBytes::new([ClassBytesRange::new(0, 0x7f)]),
    )
}

/// The same pattern with every class cut down to `COMMON` characters
/// (byte classes as they are: such text has bytes of every value).
pub(super) fn common_only(hir: &Hir) -> Hir {
    let common = COMMON.map(|(from, to)| ClassUnicodeRange::new(from, to));
    cut_classes(
        hir,
        &ClassUnicode::new(common),
        &ClassBytes::new([ClassBytesRange::new(0, 0xff)]),
    )
}

/// The same pattern with every class cut down to the characters of
/// `alphabet` (byte classes to `bytes`): on text written only in those
/// characters (and bytes) it matches, and captures, exactly as the pattern
/// does (a class's other members cannot match there, the structure and so
/// the order of preference are unchanged, and the boundaries the rules use
/// are ASCII ones already). Unicode classes are most of a rule's states.
fn cut_classes(hir: &Hir, alphabet: &ClassUnicode, bytes: &ClassBytes) -> Hir {
    let cut = |h: &Hir| cut_classes(h, alphabet, bytes);
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => {
            let mut class = class.clone();
            class.intersect(alphabet);
            Hir::class(Class::Unicode(class))
        }
        HirKind::Class(Class::Bytes(class)) => {
            let mut class = class.clone();
            class.intersect(bytes);
            Hir::class(Class::Bytes(class))
        }
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            sub: Box::new(cut(&r.sub)),
            ..r.clone()
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            sub: Box::new(cut(&c.sub)),
            ..c.clone()
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(cut).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(cut).collect()),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Look(_) => hir.clone(),
    }
}

/// The name of a pattern's one capture group when that group is the whole
/// pattern but for zero-width assertions around it (`\b(?P<name>...)\b`):
/// its slot is then the match itself, and nothing needs reading.
pub(super) fn whole_match_group(hir: &Hir) -> Option<&str> {
    if hir.properties().explicit_captures_len() != 1 {
        return None;
    }
    let parts = match hir.kind() {
        HirKind::Concat(parts) => parts.as_slice(),
        _ => std::slice::from_ref(hir),
    };
    let mut group = None;
    for part in parts {
        match part.kind() {
            HirKind::Look(_) | HirKind::Empty => {}
            HirKind::Capture(capture) if group.is_none() => group = Some(capture.name.as_deref()?),
            _ => return None,
        }
    }
    group
}
