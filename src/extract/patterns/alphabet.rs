//! Which characters a text is written in, as far as the finders care: most
//! news copy uses only ASCII, Latin-1, general punctuation and currency
//! signs, and is searched by finders cut down to those characters.

/// The characters most news copy is written in: ASCII, Latin-1, general
/// punctuation (curly quotes, dashes) and currency signs.
pub(super) const COMMON: [(char, char); 3] = [
    ('\0', '\u{ff}'),
    ('\u{2000}', '\u{206f}'),
    ('\u{20a0}', '\u{20cf}'),
];

/// Which characters a text is written in, as far as the finders care:
/// found once per text and handed to every pattern file's scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alphabet {
    /// Only `COMMON` characters: the cut-down finders apply.
    Common,
    /// Anything else.
    Any,
}

impl Alphabet {
    /// Where the things kept per alphabet (a pattern file's finders and
    /// their caches) stand: 0 for any text, 1 for common text.
    pub fn index(self) -> usize {
        match self {
            Alphabet::Any => 0,
            Alphabet::Common => 1,
        }
    }

    /// The alphabet of a text.
    pub fn of(text: &str) -> Alphabet {
        if in_common_alphabet(text) {
            Alphabet::Common
        } else {
            Alphabet::Any
        }
    }
}

/// Whether a text is written only in `COMMON` characters: runs of ASCII
/// are skipped eight bytes at a time, and only the other characters looked
/// up.
pub(super) fn in_common_alphabet(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if let Some(chunk) = bytes.get(at..at + 8) {
            let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            if word & 0x8080_8080_8080_8080 == 0 {
                at += 8;
                continue;
            }
        }
        if bytes[at].is_ascii() {
            at += 1;
            continue;
        }
        let c = text[at..].chars().next().expect("a character starts here");
        if !COMMON.iter().any(|&(from, to)| (from..=to).contains(&c)) {
            return false;
        }
        at += c.len_utf8();
    }
    true
}
