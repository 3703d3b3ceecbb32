//! Sentence boundaries (Unicode UAX #29), found per paragraph for the
//! facts that need them. unicode-segmentation segments any text; a
//! paragraph written only in ASCII and the few other characters news copy
//! is full of (curly quotes, dashes, £, €, no-break space) takes a port of
//! the same rules over a small table of those characters, several times
//! faster and checked against unicode-segmentation by the tests. They must
//! agree exactly: fact ids hash the sentence.

use unicode_segmentation::UnicodeSegmentation;

/// Sentence boundaries (UAX #29), computed per paragraph and only for
/// paragraphs that hold facts. Give it the text as
/// [`searchable`](crate::extract::searchable) makes it,
/// so line breaks inside a paragraph do not end sentences. Facts come in
/// text order, so the paragraph last segmented is kept: a paragraph is
/// searched for and segmented once, however many facts it holds.
#[derive(Debug, Default)]
pub struct Sentences {
    /// The paragraph last segmented.
    paragraph: Option<Paragraph>,
}

/// A paragraph's byte range and its sentences' byte ranges, in order.
#[derive(Debug)]
struct Paragraph {
    start: usize,
    end: usize,
    sentences: Vec<(usize, usize)>,
}

impl Sentences {
    /// The sentence(s) covering a byte span, trimmed.
    pub fn around<'t>(&mut self, text: &'t str, start: usize, end: usize) -> &'t str {
        if !self
            .paragraph
            .as_ref()
            .is_some_and(|p| p.start <= start && end <= p.end)
        {
            self.paragraph = None;
        }
        let paragraph = self.paragraph.get_or_insert_with(|| {
            let para_start = text[..start].rfind("\n\n").map_or(0, |i| i + 2);
            let para_end = text[end..].find("\n\n").map_or(text.len(), |i| end + i);
            let paragraph = &text[para_start..para_end];
            // Read back to its start, on to its end, and split.
            crate::work::examined(2 * paragraph.len());
            let sentences = fast_sentence_bounds(paragraph).unwrap_or_else(|| {
                paragraph
                    .split_sentence_bound_indices()
                    .map(|(i, s)| (i, i + s.len()))
                    .collect()
            });
            let sentences = sentences
                .into_iter()
                .map(|(s, e)| (para_start + s, para_start + e))
                .collect();
            Paragraph {
                start: para_start,
                end: para_end,
                sentences,
            }
        });
        let (para_start, para_end, bounds) =
            (&paragraph.start, &paragraph.end, &paragraph.sentences);
        let first = bounds.partition_point(|&(_, e)| e <= start);
        let from = bounds
            .get(first)
            .filter(|&&(s, _)| s <= start)
            .map_or(*para_start, |&(s, _)| s);
        let last = bounds.partition_point(|&(_, e)| e < end);
        let to = bounds
            .get(last)
            .filter(|&&(s, _)| s < end)
            .map_or(*para_end, |&(_, e)| e);
        text[from..to].trim()
    }
}

/// A character's sentence-break property (UAX #29), for the characters the
/// fast path knows: ASCII (which has no `Sep`, `OLetter`, `Format` or
/// `Extend` characters) and a few common in news copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cat {
    CR,
    LF,
    Sp,
    Lower,
    Upper,
    Numeric,
    ATerm,
    STerm,
    Close,
    SContinue,
    Other,
}

const fn cat(c: char) -> Option<Cat> {
    Some(match c {
        '\r' => Cat::CR,
        '\n' => Cat::LF,
        '\t' | '\x0b' | '\x0c' | ' ' | '\u{a0}' => Cat::Sp,
        'a'..='z' => Cat::Lower,
        'A'..='Z' => Cat::Upper,
        '0'..='9' => Cat::Numeric,
        '.' => Cat::ATerm,
        '!' | '?' => Cat::STerm,
        '"' | '\'' | '(' | ')' | '[' | ']' | '{' | '}' => Cat::Close,
        '\u{2018}' | '\u{2019}' | '\u{201c}' | '\u{201d}' => Cat::Close,
        ',' | '-' | ':' | ';' | '\u{2013}' | '\u{2014}' => Cat::SContinue,
        '£' | '€' => Cat::Other,
        c if c.is_ascii() => Cat::Other,
        _ => return None,
    })
}

/// The last few parts of the text seen, runs of `Close` and of `Sp`
/// collapsed: all the rules look back at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Sot,
    Other,
    CR,
    LF,
    ATerm,
    UpperLower,
    ClosePlus,
    SpPlus,
    STerm,
}

type State = [Part; 4];

fn advance(parts: State, c: Cat) -> State {
    match (parts[3], c) {
        (Part::ClosePlus, Cat::Close) | (Part::SpPlus, Cat::Sp) => parts,
        _ => [parts[1], parts[2], parts[3], part_of(c)],
    }
}

/// The part a character of category `c` adds (when it does not extend a
/// run of `Close` or `Sp`).
fn part_of(c: Cat) -> Part {
    match c {
        Cat::CR => Part::CR,
        Cat::LF => Part::LF,
        Cat::ATerm => Part::ATerm,
        Cat::Upper | Cat::Lower => Part::UpperLower,
        Cat::Close => Part::ClosePlus,
        Cat::Sp => Part::SpPlus,
        Cat::STerm => Part::STerm,
        Cat::Numeric | Cat::SContinue | Cat::Other => Part::Other,
    }
}

/// The index of the part before `Close*` (and `Sp*` when `skip_sp`).
fn before_close(parts: &State, skip_sp: bool) -> usize {
    let mut i = if skip_sp && parts[3] == Part::SpPlus {
        2
    } else {
        3
    };
    if parts[i] == Part::ClosePlus {
        i -= 1;
    }
    i
}

fn is_saterm(p: Part) -> bool {
    p == Part::STerm || p == Part::ATerm
}

/// SB8: `ATerm Close* Sp* × ( ¬(OLetter | Upper | Lower | ParaSep | SATerm) )* Lower`.
fn sb8(parts: &State, ahead: &str) -> bool {
    parts[before_close(parts, true)] == Part::ATerm
        && ahead.chars().filter_map(cat).find(|c| {
            matches!(
                c,
                Cat::Lower | Cat::Upper | Cat::CR | Cat::LF | Cat::STerm | Cat::ATerm
            )
        }) == Some(Cat::Lower)
}

/// SB11: `SATerm Close* Sp* ParaSep? ÷`.
fn sb11(parts: &State) -> bool {
    let mut i = if matches!(parts[3], Part::CR | Part::LF) {
        2
    } else {
        3
    };
    if parts[i] == Part::SpPlus {
        i -= 1;
    }
    if parts[i] == Part::ClosePlus {
        i -= 1;
    }
    is_saterm(parts[i])
}

/// Whether a sentence starts before a character of category `c`, given
/// the parts before it and the text from it on: the rules of UAX #29 in
/// order, each a break (÷) or not (×).
fn breaks_before(before: &State, c: Cat, ahead: &str) -> bool {
    let last = before[3];
    if last == Part::Sot {
        return true; // SB1
    }
    if c == Cat::LF && last == Part::CR {
        return false; // SB3
    }
    if matches!(last, Part::CR | Part::LF) {
        return true; // SB4
    }
    if c == Cat::Numeric && last == Part::ATerm {
        return false; // SB6
    }
    if c == Cat::Upper && before[2] == Part::UpperLower && last == Part::ATerm {
        return false; // SB7
    }
    if sb8(before, ahead) {
        return false; // SB8
    }
    if matches!(c, Cat::SContinue | Cat::STerm | Cat::ATerm)
        && is_saterm(before[before_close(before, true)])
    {
        return false; // SB8a
    }
    if matches!(c, Cat::Close | Cat::Sp | Cat::CR | Cat::LF)
        && is_saterm(before[before_close(before, false)])
    {
        return false; // SB9
    }
    if matches!(c, Cat::Sp | Cat::CR | Cat::LF) && is_saterm(before[before_close(before, true)]) {
        return false; // SB10
    }
    sb11(before) // SB11 ÷, else SB998 ×
}

/// The sentences of a text as byte ranges, exactly as unicode-segmentation's
/// `split_sentence_bound_indices` gives them, or `None` when the text holds
/// a character the fast path does not know.
///
/// One pass over the bytes: an ASCII byte's category comes from a table.
/// After a letter, digit or other plain character, and after spaces that
/// follow one (see `quiet`), no rule can break, so a run of plain ASCII
/// and spaces is skipped in a tight loop (the state then holds the run's
/// last four parts), and the rules are only consulted where a break is
/// possible: after terminators, closing punctuation and line breaks.
pub fn fast_sentence_bounds(text: &str) -> Option<Vec<(usize, usize)>> {
    let bytes = text.as_bytes();
    let mut breaks = Vec::new();
    let mut parts: State = [Part::Sot; 4];
    let mut i = 0;
    while i < bytes.len() {
        if quiet(&parts) && in_quiet_run(bytes[i]) {
            // A run of plain characters and spaces: none of them can start
            // a sentence, and only its last four parts shape the state.
            let run = i;
            while i < bytes.len() && in_quiet_run(bytes[i]) {
                i += 1;
            }
            parts = after_quiet_run(parts, &bytes[run..i]);
            continue;
        }
        let (c, len) = match ASCII_CATS.get(usize::from(bytes[i])) {
            Some(&c) => (c, 1),
            None => {
                let ch = text[i..].chars().next()?;
                (cat(ch)?, ch.len_utf8())
            }
        };
        if !quiet(&parts) && breaks_before(&parts, c, &text[i..]) {
            breaks.push(i);
        }
        parts = advance(parts, c);
        i += len;
    }
    if !text.is_empty() {
        breaks.push(text.len()); // SB2
    }
    Some(breaks.windows(2).map(|w| (w[0], w[1])).collect())
}

/// Whether no rule can break after these parts, whatever comes next: they
/// end in a letter, digit or other plain character, or in spaces after
/// one (the start of a word). Every rule that breaks, or that keeps a
/// sentence going across spaces, needs a line break or a terminator there.
fn quiet(parts: &State) -> bool {
    let plain = |p: Part| matches!(p, Part::UpperLower | Part::Other);
    plain(parts[3]) || (parts[3] == Part::SpPlus && plain(parts[2]))
}

/// Whether a byte keeps a quiet state quiet: a plain ASCII character, or a
/// space (which after a plain part starts or extends `Sp+`).
fn in_quiet_run(b: u8) -> bool {
    b == b' ' || plain_ascii(b)
}

/// The state after a run of [`in_quiet_run`] bytes: its last four parts
/// (a run of spaces is one part), read from its end; a run with fewer is
/// replayed from the state before it.
fn after_quiet_run(before: State, run: &[u8]) -> State {
    let mut parts = [Part::Sot; 4];
    let mut found = 0;
    let mut j = run.len();
    while j > 0 && found < 4 {
        j -= 1;
        parts[3 - found] = if run[j] == b' ' {
            while j > 0 && run[j - 1] == b' ' {
                j -= 1;
            }
            Part::SpPlus
        } else {
            part_of(ASCII_CATS[usize::from(run[j])])
        };
        found += 1;
    }
    if found == 4 {
        parts
    } else {
        run.iter()
            .fold(before, |p, &b| advance(p, ASCII_CATS[usize::from(b)]))
    }
}

/// Whether a byte is an ASCII letter, digit or other character that adds
/// a plain part (`UpperLower` or `Other`) to the state.
fn plain_ascii(b: u8) -> bool {
    ASCII_CATS.get(usize::from(b)).is_some_and(|c| {
        matches!(
            c,
            Cat::Lower | Cat::Upper | Cat::Numeric | Cat::SContinue | Cat::Other
        )
    })
}

/// [`cat`] of every ASCII character, indexed by its byte.
const ASCII_CATS: [Cat; 128] = {
    let mut table = [Cat::Other; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = match cat(b as u8 as char) {
            Some(c) => c,
            None => panic!("every ASCII character has a category"),
        };
        b += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(text: &str) -> Vec<(usize, usize)> {
        text.split_sentence_bound_indices()
            .map(|(i, s)| (i, i + s.len()))
            .collect()
    }

    #[test]
    fn fast_bounds_follow_uax29() {
        for text in [
            "",
            "One. Two.",
            "Dr. Smith went home. He slept!  \"Yes?\" she said.\r\nNext",
            "It cost 4.5m. (Really.) Then: e.g. this; and that... OK.",
            "U.S. trusts. A.B. Next line\n\nNew para.",
            "etc.) and more. Quote.\" Then",
            "a  b   c d    e f. Two  spaced   words   here. x y",
            "It said \u{201c}go.\u{201d} Then \u{2013} after \u{00a3}4m \u{2019}s. e.g. more",
        ] {
            assert_eq!(
                fast_sentence_bounds(text),
                Some(reference(text)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn other_characters_take_the_general_path() {
        assert_eq!(fast_sentence_bounds("Caf\u{e9}. Done."), None);
        assert_eq!(fast_sentence_bounds("Wait\u{2026} then."), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn fast_bounds_equal_unicode_segmentation(
            text in proptest::string::string_regex("[aZ1 .!?\"'(),\\-:;\t\n\r\x0b\x0c#\u{a0}\u{2018}\u{2019}\u{201c}\u{201d}\u{2013}\u{2014}£€]{0,24}").unwrap()
        ) {
            prop_assert_eq!(fast_sentence_bounds(&text), Some(reference(&text)));
        }

        /// Words and runs of punctuation, as prose has them: long runs of
        /// plain characters take the fast loop's skip.
        #[test]
        fn fast_bounds_equal_unicode_segmentation_on_words(
            text in proptest::string::string_regex("([aZ1#,\\-:;]{0,9}[ .!?\"'()\n\r\t\u{a0}\u{2018}\u{2019}\u{201c}\u{201d}\u{2013}\u{2014}£€]{0,3}){0,10}").unwrap()
        ) {
            prop_assert_eq!(fast_sentence_bounds(&text), Some(reference(&text)));
        }
    }
}
