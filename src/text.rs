//! The bottom layer: small helpers every stage shares and that depend on
//! nothing else in the crate — code-point offsets, the stable FNV hash,
//! readable I/O reasons, and the English singular and plural rules.

use std::borrow::Cow;
use std::io;

/// A text indexed by code point: turns code-point offsets (as facts and
/// gold files give them) back into byte offsets and text.
#[derive(Debug)]
pub struct CodePoints<'t> {
    text: &'t str,
    /// The byte offset of every code point, then the text's length.
    bytes: Vec<usize>,
}

impl<'t> CodePoints<'t> {
    /// Indexes a text.
    pub fn new(text: &'t str) -> CodePoints<'t> {
        let bytes = text
            .char_indices()
            .map(|(b, _)| b)
            .chain([text.len()])
            .collect();
        CodePoints { text, bytes }
    }

    /// The number of code points.
    pub fn len(&self) -> usize {
        self.bytes.len() - 1
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The byte offset of a code-point offset (the text's length for `len()`).
    pub fn byte(&self, at: usize) -> Option<usize> {
        self.bytes.get(at).copied()
    }

    /// The text between two code-point offsets.
    pub fn slice(&self, start: usize, end: usize) -> Option<&'t str> {
        match (self.byte(start), self.byte(end)) {
            (Some(s), Some(e)) if s <= e => Some(&self.text[s..e]),
            _ => None,
        }
    }
}

/// Converts byte offsets to code-point offsets, walking forward.
#[derive(Debug)]
pub struct CharCounter<'t> {
    text: &'t str,
    byte: usize,
    chars: usize,
}

impl<'t> CharCounter<'t> {
    /// A counter at the start of a text.
    pub fn new(text: &'t str) -> CharCounter<'t> {
        CharCounter {
            text,
            byte: 0,
            chars: 0,
        }
    }

    /// The code-point offset of a byte offset (cheap when offsets rise).
    pub fn at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

/// 64-bit FNV-1a: a small hash that is stable across platforms and
/// releases, for fact ids and rule fingerprints.
#[derive(Debug, Clone)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv::new()
    }
}

impl Fnv {
    /// A fresh hash.
    pub fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    const PRIME: u64 = 0x0100_0000_01b3;
    /// The byte after each field.
    const SEPARATOR: u8 = 0xff;

    /// Adds bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(Self::PRIME);
        }
    }

    /// Adds a string and a separator, so that ("ab","c") and ("a","bc") differ.
    pub fn field(&mut self, s: &str) {
        self.write(s.as_bytes());
        self.write(&[Self::SEPARATOR]);
    }

    /// [`Fnv::field`] for several hashes at once, four at a time: each
    /// byte takes a multiplication whose result the next byte waits for,
    /// so four hashes side by side cost about what one costs alone.
    pub fn field_each(hashes: &mut [Fnv], s: &str) {
        for four in hashes.chunks_mut(4) {
            let mut lanes = [0u64; 4];
            for (lane, h) in lanes.iter_mut().zip(four.iter()) {
                *lane = h.0;
            }
            for &b in s.as_bytes().iter().chain(&[Self::SEPARATOR]) {
                for lane in &mut lanes {
                    *lane = (*lane ^ u64::from(b)).wrapping_mul(Self::PRIME);
                }
            }
            for (lane, h) in lanes.iter().zip(four.iter_mut()) {
                h.0 = *lane;
            }
        }
    }

    /// The hash value.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

/// FNV as a [`std::hash::Hasher`], for hash maps whose keys carry a hash
/// already made (see [`crate::fact::content_hash`]).
impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        Fnv::finish(self)
    }

    fn write(&mut self, bytes: &[u8]) {
        Fnv::write(self, bytes)
    }
}

/// An I/O error in words, without the "(os error N)" noise.
pub fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or folder".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

/// Whether a word looks like a plural noun ("networks", "GPs", "ICSs"):
/// longer than three letters, ending in "s" but not "ss", "us" or "is".
pub fn looks_plural(word: &str) -> bool {
    word.len() > 3
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
}

/// A lower-case word's singular: "-ies" becomes "-y", a final "s" goes
/// (not after "s", nor in words of three letters or fewer).
pub fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if word.ends_with('s') && !word.ends_with("ss") && word.len() > 3 {
        word[..word.len() - 1].to_string()
    } else {
        word.to_string()
    }
}

/// A lower-case term's plural: "-y" after a consonant becomes "-ies", else
/// "s" is added; `None` for a term that ends in "s" or in a capital (an
/// acronym such as "EPR").
pub fn plural(term: &str) -> Option<String> {
    let last = term.chars().last()?;
    if !last.is_lowercase() || term.ends_with('s') {
        return None;
    }
    Some(match term.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'o', 'u']) => format!("{stem}ies"),
        _ => format!("{term}s"),
    })
}

/// `text` cut to at most `max` characters around the span `start..end`
/// (byte offsets), with `…` where it was cut; the span is kept whole, and
/// the room left is shared between the two sides (one side's unused room
/// goes to the other). Reads only the characters it keeps, so cutting a
/// long text costs the window, not the text. `text` itself when it fits.
pub fn cut_around(text: &str, start: usize, end: usize, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    let span = text[start..end].chars().count();
    let room = max.saturating_sub(span);
    // Up to `room + 1` characters on each side, nearest first: where each
    // would start (before) or end (after) the kept text.
    let before: Vec<usize> = text[..start]
        .char_indices()
        .rev()
        .take(room + 1)
        .map(|(i, _)| i)
        .collect();
    let after: Vec<usize> = text[end..]
        .char_indices()
        .take(room + 1)
        .map(|(i, c)| end + i + c.len_utf8())
        .collect();
    let read_from = before.last().copied().unwrap_or(start);
    crate::work::examined(after.last().copied().unwrap_or(end) - read_from);
    if before.len() + after.len() <= room {
        return Cow::Borrowed(text);
    }
    let left = (room / 2)
        .max(room.saturating_sub(after.len()))
        .min(before.len());
    let right = (room - left).min(after.len());
    let from = if left == 0 { start } else { before[left - 1] };
    let to = if right == 0 { end } else { after[right - 1] };
    let mut out = String::with_capacity(to - from + 6);
    if from > 0 {
        out.push('…');
    }
    out.push_str(&text[from..to]);
    if to < text.len() {
        out.push('…');
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_added_side_by_side_hash_as_one_at_a_time() {
        for n in [0, 1, 3, 4, 5, 9] {
            for s in ["", "a", "It said 40 practices.", "na\u{ef}ve \u{a3}4m"] {
                let starts: Vec<Fnv> = (0..n)
                    .map(|i| {
                        let mut h = Fnv::new();
                        h.field(&"x".repeat(i));
                        h
                    })
                    .collect();
                let mut each = starts.clone();
                Fnv::field_each(&mut each, s);
                let one: Vec<u64> = starts
                    .into_iter()
                    .map(|mut h| {
                        h.field(s);
                        h.finish()
                    })
                    .collect();
                assert_eq!(each.iter().map(Fnv::finish).collect::<Vec<_>>(), one);
            }
        }
        let mut one = [Fnv::new()];
        Fnv::field_each(&mut one, "a");
        // FNV-1a of "a" then the separator byte 0xff.
        assert_eq!(one[0].finish(), 0x089b_c907_b544_c769);
    }

    #[test]
    fn long_texts_are_cut_around_a_span() {
        let text = format!("{} £4m here {}", "a".repeat(50), "b".repeat(50));
        let at = text.find('£').unwrap();
        assert_eq!(cut_around(&text, at, at + "£4m".len(), 11), "…aaa £4m her…");
        assert_eq!(cut_around("Short.", 0, 5, 11), "Short.");
        // Near an end, the other side takes the room left.
        let start = "a".repeat(30);
        assert_eq!(cut_around(&start, 0, 1, 5), "aaaaa…");
        assert_eq!(cut_around(&start, 29, 30, 5), "…aaaaa");
        // A span longer than the room is kept whole.
        assert_eq!(cut_around(&start, 5, 20, 4), "…aaaaaaaaaaaaaaa…");
        // Multi-byte characters count as one.
        let euros = "€".repeat(20);
        assert_eq!(cut_around(&euros, 30, 33, 3), "…€€€…");
    }

    #[test]
    fn singular_and_plural() {
        assert_eq!(singular("therapies"), "therapy");
        assert_eq!(singular("months"), "month");
        assert_eq!(singular("class"), "class");
        assert_eq!(singular("beds"), "bed");
        assert_eq!(singular("gps"), "gps");
        assert_eq!(
            plural("digital therapy").as_deref(),
            Some("digital therapies")
        );
        assert_eq!(plural("virtual ward").as_deref(), Some("virtual wards"));
        assert_eq!(plural("relay").as_deref(), Some("relays"));
        assert_eq!(plural("EPR"), None);
        assert_eq!(plural("records"), None);
        assert!(looks_plural("networks") && !looks_plural("census") && !looks_plural("gps"));
    }

    #[test]
    fn code_points_and_bytes() {
        let text = "£4.1m – é";
        let cp = CodePoints::new(text);
        assert_eq!(cp.len(), 9);
        assert_eq!(cp.slice(0, 5), Some("£4.1m"));
        let mut counter = CharCounter::new(text);
        assert_eq!(counter.at(text.len()), 9);
        assert_eq!(counter.at(2), 1);
    }
}
