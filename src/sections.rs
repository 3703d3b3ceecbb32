//! Sections: cuts a document's text at its top-level headings, as the
//! annotation guideline's §2 says, into `title`, `intro`, `contents`, `ics`,
//! `sponsored` and `other` sections that cover the text end to end.
//!
//! A heading is a line standing alone (blank line or text edge on both
//! sides), of at most 16 words, not ending in `.`, `:`, `,` or `;`, and not a
//! list item. With a contents list, the headings it names are the top-level
//! ones; without one, ICS and sponsored headings are top-level, and a plain
//! heading is top-level only outside an ICS or sponsored section.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The kinds of section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum SectionKind {
    /// The document's first line, when it is the title.
    Title,
    /// The text before the first top-level heading.
    Intro,
    /// A contents list.
    Contents,
    /// One Integrated Care System's section.
    Ics,
    /// A sponsored case study or partner content.
    Sponsored,
    /// Any other top-level section.
    Other,
}

impl SectionKind {
    /// The kind's name as written in output and gold files.
    pub fn as_str(self) -> &'static str {
        match self {
            SectionKind::Title => "title",
            SectionKind::Intro => "intro",
            SectionKind::Contents => "contents",
            SectionKind::Ics => "ics",
            SectionKind::Sponsored => "sponsored",
            SectionKind::Other => "other",
        }
    }

    /// Parses a kind name.
    pub fn parse(s: &str) -> Option<SectionKind> {
        Some(match s {
            "title" => SectionKind::Title,
            "intro" => SectionKind::Intro,
            "contents" => SectionKind::Contents,
            "ics" => SectionKind::Ics,
            "sponsored" => SectionKind::Sponsored,
            "other" => SectionKind::Other,
            _ => return None,
        })
    }

    /// All kinds, in output order.
    pub const ALL: [SectionKind; 6] = [
        SectionKind::Title,
        SectionKind::Intro,
        SectionKind::Contents,
        SectionKind::Ics,
        SectionKind::Sponsored,
        SectionKind::Other,
    ];
}

/// One top-level section. Offsets are byte offsets into the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// What the section is.
    pub kind: SectionKind,
    /// Its heading (the title line for `title`), `None` for `intro`.
    pub title: Option<String>,
    /// The canonical ICS name of an `ics` section.
    pub ics: Option<String>,
    /// Byte offset where the section starts.
    pub start: usize,
    /// Byte offset where it ends (exclusive).
    pub end: usize,
}

/// The sections of a text, and the byte ranges that carry no facts (the
/// title, every heading line, the contents list).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Layout {
    /// Top-level sections in text order, covering the text end to end.
    pub sections: Vec<Section>,
    /// Byte ranges to leave out of extraction, sorted and disjoint.
    pub silent: Vec<(usize, usize)>,
}

impl Layout {
    /// The index of the section holding a byte offset.
    pub fn section_at(&self, offset: usize) -> usize {
        self.sections
            .partition_point(|s| s.start <= offset)
            .saturating_sub(1)
    }

    /// Whether a byte range touches a range that carries no facts.
    pub fn is_silent(&self, start: usize, end: usize) -> bool {
        let i = self.silent.partition_point(|&(_, e)| e <= start);
        self.silent.get(i).is_some_and(|&(s, _)| s < end)
    }
}

/// What the section splitter needs to know: heading phrases and ICS names.
#[derive(Debug, Clone, Default)]
pub struct SectionRules {
    /// Headings that start a contents list (normalised).
    pub contents: Vec<String>,
    /// Heading prefixes that start a sponsored section (normalised).
    pub sponsored: Vec<String>,
    /// Words before an ICS name in a heading ("nhs"), normalised.
    pub ics_prefixes: Vec<String>,
    /// Words after an ICS name in a heading ("ics", "integrated care board"), normalised.
    pub ics_suffixes: Vec<String>,
    /// Every known variant of an ICS name (normalised) → canonical name.
    pub ics_names: HashMap<String, String>,
}

impl SectionRules {
    /// The canonical ICS a heading names, if it is nothing but an ICS name
    /// with an optional prefix and suffix, and optionally its short form in
    /// brackets.
    pub fn ics_of_heading(&self, heading: &str) -> Option<&str> {
        // "Bath and North East Somerset, Swindon and Wiltshire (BSW)": a
        // name followed by its own short form (or "(ICB)") in brackets.
        if let Some((name, short)) = heading
            .trim_end()
            .strip_suffix(')')
            .and_then(|h| h.rsplit_once(" ("))
        {
            if let Some(canonical) = self.ics_of_heading(name) {
                let short = normalise(short);
                let same = self.ics_names.get(&short).is_some_and(|c| c == canonical)
                    || self.ics_suffixes.contains(&short);
                if same {
                    return Some(canonical);
                }
            }
        }
        let mut h = normalise(heading);
        if let Some(c) = self.ics_names.get(&h) {
            return Some(c);
        }
        for prefix in &self.ics_prefixes {
            if let Some(rest) = h
                .strip_prefix(prefix.as_str())
                .and_then(|r| r.strip_prefix(' '))
            {
                h = rest.to_string();
                break;
            }
        }
        let h = h
            .trim_end_matches(')')
            .trim_end_matches('(')
            .trim()
            .to_string();
        let mut candidates = vec![h.clone()];
        for suffix in &self.ics_suffixes {
            if let Some(rest) = h.strip_suffix(suffix.as_str()) {
                let rest = rest.trim_end().trim_end_matches(['(', '-', ',']).trim_end();
                candidates.push(rest.to_string());
            }
        }
        candidates
            .iter()
            .find_map(|c| self.ics_names.get(c))
            .map(String::as_str)
    }

    fn kind_of(&self, heading: &str) -> (SectionKind, Option<String>) {
        let n = normalise(heading);
        if self.contents.contains(&n) {
            return (SectionKind::Contents, None);
        }
        if self.sponsored.iter().any(|p| n.starts_with(p.as_str())) {
            return (SectionKind::Sponsored, None);
        }
        match self.ics_of_heading(heading) {
            Some(ics) => (SectionKind::Ics, Some(ics.to_string())),
            None => (SectionKind::Other, None),
        }
    }
}

/// Normalises a heading or name for comparison: lower case, curly quotes
/// and dashes made plain, `&` as `and`, hyphens as spaces, white space
/// collapsed, trailing punctuation dropped.
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        let word = if word == "&" { "and" } else { word };
        for part in word.split(['-', '\u{2010}', '\u{2011}', '\u{2013}', '\u{2014}']) {
            if part.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            for c in part.chars() {
                match c {
                    '\u{2019}' | '\u{2018}' => out.push('\''),
                    c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
                    c => out.extend(c.to_lowercase()),
                }
            }
        }
    }
    while out.ends_with(['.', '!', '?', ':', ' ']) {
        out.pop();
    }
    out
}

/// A line of text: its byte range and whether blank lines (or the text's
/// edges) surround it.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    alone: bool,
}

fn lines_of(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        let content = piece.trim_end_matches(['\n', '\r']);
        lines.push(Line {
            start,
            end: start + content.len(),
            alone: false,
        });
        start += piece.len();
    }
    let blank = |l: &Line| text[l.start..l.end].trim().is_empty();
    for i in 0..lines.len() {
        let before = i == 0 || blank(&lines[i - 1]);
        let after = i + 1 == lines.len() || blank(&lines[i + 1]);
        lines[i].alone = before && after && !blank(&lines[i]);
    }
    lines
}

/// Whether a line is a list item (bullet or number).
pub fn is_list_item(line: &str) -> bool {
    let t = line.trim_start();
    if t.starts_with(['•', '·', '▪', '◦', '●', '*', '-', '–', '‣']) {
        return true;
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && t[digits..].starts_with(['.', ')']) && t[digits + 1..].starts_with(' ')
}

/// The text of a list item without its bullet or number.
fn list_item_text(line: &str) -> &str {
    let t = line.trim_start();
    let t = t.trim_start_matches(|c: char| "•·▪◦●*-–‣".contains(c) || c.is_ascii_digit());
    t.trim_start_matches(['.', ')']).trim()
}

/// Whether a line standing alone reads as a heading: at most 16 words,
/// no closing punctuation, not a list item, some letters. (The cheap tests
/// come first: most lines are paragraphs ending in a full stop.)
/// The first line of a text when it is a title: a line with a blank line
/// after it that passes the heading test (see `is_heading`), with room
/// for a headline's length (up to 30 words, where a section heading has 16).
/// A text whose first line is a sentence, or is all there is, has no
/// title line.
pub fn title_line(text: &str) -> Option<&str> {
    let mut lines = text.lines().skip_while(|l| l.trim().is_empty());
    let first = lines.next()?.trim();
    let blank_after = lines.next().is_some_and(|l| l.trim().is_empty());
    let headline = !ends_as_sentence(first)
        && first.split_whitespace().nth(HEADLINE_WORDS).is_none()
        && !is_list_item(first)
        && first.chars().any(char::is_alphabetic);
    (blank_after && headline).then_some(first)
}

/// The first line of a text when the document's URL names it: a line with
/// a blank line after it, no longer than a headline, whose words are those
/// of the URL's last path segment ("…/local-care-direct-and-docobo-work-
/// together" for "Local Care Direct and Docobo work together."), even
/// where it ends as a sentence does. A slug of fewer than four words names
/// nothing.
pub fn title_line_named_by_url<'t>(text: &'t str, url: &str) -> Option<&'t str> {
    let mut lines = text.lines().skip_while(|l| l.trim().is_empty());
    let first = lines.next()?.trim();
    let blank_after = lines.next().is_some_and(|l| l.trim().is_empty());
    if !blank_after || first.split_whitespace().nth(HEADLINE_WORDS).is_some() {
        return None;
    }
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let segment = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let segment = segment.split('.').next().unwrap_or(segment);
    let slug: Vec<String> = segment
        .split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let words: Vec<String> = first
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let share = |of: &[String], among: &[String]| {
        of.iter().filter(|w| among.contains(w)).count() as f64 / of.len().max(1) as f64
    };
    (slug.len() >= 4 && share(&slug, &words) >= 0.8 && share(&words, &slug) >= 0.6).then_some(first)
}

/// Whether a text's first non-empty line can be its title: more text
/// follows it, and it is no longer than a headline (30 words, the room
/// [`title_line`] gives).
pub fn first_line_can_be_title(text: &str) -> bool {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    lines
        .next()
        .is_some_and(|first| first.split_whitespace().nth(HEADLINE_WORDS).is_none())
        && lines.next().is_some()
}

/// The most words a headline has.
const HEADLINE_WORDS: usize = 30;

/// Whether a line reads as a heading (guideline §2): short, with letters,
/// not ending as a sentence does ([`ends_as_sentence`]), not a list item.
fn is_heading(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty()
        && !ends_as_sentence(t)
        && t.split_whitespace().nth(16).is_none()
        && !is_list_item(t)
        && t.chars().any(char::is_alphabetic)
}

/// Whether a line ends as a sentence or clause does: in `.`, `:`, `,` or
/// `;`, a closing quote or bracket after it included (a quoted sentence,
/// "“It works.”", is no heading).
fn ends_as_sentence(line: &str) -> bool {
    line.trim_end_matches(['”', '"', '’', '\'', ')'])
        .ends_with(['.', ':', ',', ';'])
}

/// Cuts a text into sections. `title_in_text` says whether its first
/// non-blank line is the document title.
pub fn split(text: &str, title_in_text: bool, rules: &SectionRules) -> Layout {
    crate::work::examined(text.len());
    let lines = lines_of(text);
    let mut first = lines
        .iter()
        .position(|l| !text[l.start..l.end].trim().is_empty());
    let mut layout = Layout::default();
    let Some(first_idx) = first.take() else {
        layout.sections.push(Section {
            kind: SectionKind::Intro,
            title: None,
            ics: None,
            start: 0,
            end: text.len(),
        });
        return layout;
    };

    // The title line, then heading candidates after it.
    let mut body_from = first_idx;
    if title_in_text {
        let l = lines[first_idx];
        layout.sections.push(Section {
            kind: SectionKind::Title,
            title: Some(text[l.start..l.end].trim().to_string()),
            ics: None,
            start: 0,
            end: 0,
        });
        layout.silent.push((l.start, l.end));
        body_from = first_idx + 1;
    }
    struct Heading {
        line: usize,
        kind: SectionKind,
        ics: Option<String>,
    }
    let headings: Vec<Heading> = (body_from..lines.len())
        .filter(|&i| lines[i].alone && is_heading(&text[lines[i].start..lines[i].end]))
        .map(|i| {
            let (kind, ics) = rules.kind_of(&text[lines[i].start..lines[i].end]);
            Heading { line: i, kind, ics }
        })
        .collect();

    // A contents list names the top-level headings.
    let mut named: HashSet<String> = HashSet::new();
    let mut contents_ranges = Vec::new();
    for h in headings.iter().filter(|h| h.kind == SectionKind::Contents) {
        let mut last = h.line;
        for (j, line) in lines.iter().enumerate().skip(h.line + 1) {
            let s = &text[line.start..line.end];
            if s.trim().is_empty() {
                continue;
            }
            if !is_list_item(s) {
                break;
            }
            named.insert(normalise(list_item_text(s)));
            last = j;
        }
        contents_ranges.push((lines[h.line].start, lines[last].end));
    }

    let mut top: Vec<&Heading> = Vec::new();
    let mut current = SectionKind::Intro;
    for h in &headings {
        let is_top = if named.is_empty() {
            match h.kind {
                SectionKind::Ics | SectionKind::Sponsored | SectionKind::Contents => true,
                _ => !matches!(current, SectionKind::Ics | SectionKind::Sponsored),
            }
        } else {
            h.kind == SectionKind::Contents
                || named.contains(&normalise(&text[lines[h.line].start..lines[h.line].end]))
        };
        if is_top {
            top.push(h);
            current = h.kind;
        }
        layout.silent.push((lines[h.line].start, lines[h.line].end));
    }
    layout.silent.extend(contents_ranges);
    layout.silent.sort_unstable();
    layout.silent.dedup();

    // Sections from the top-level headings; the intro is whatever lies
    // between the title and the first of them, when it holds any text.
    let body_start = lines.get(body_from).map_or(text.len(), |l| l.start);
    let first_top = top.first().map_or(text.len(), |h| lines[h.line].start);
    if !text[body_start..first_top].trim().is_empty() {
        let intro_start = lines[body_from..]
            .iter()
            .find(|l| !text[l.start..l.end].trim().is_empty())
            .map_or(body_start, |l| l.start);
        layout.sections.push(Section {
            kind: SectionKind::Intro,
            title: None,
            ics: None,
            start: intro_start,
            end: 0,
        });
    }
    for h in top {
        let l = lines[h.line];
        layout.sections.push(Section {
            kind: h.kind,
            title: Some(text[l.start..l.end].trim().to_string()),
            ics: h.ics.clone(),
            start: l.start,
            end: 0,
        });
    }
    if layout.sections.is_empty() {
        layout.sections.push(Section {
            kind: SectionKind::Intro,
            title: None,
            ics: None,
            start: 0,
            end: 0,
        });
    }
    layout.sections[0].start = 0;
    let n = layout.sections.len();
    for i in 0..n {
        layout.sections[i].end = if i + 1 < n {
            layout.sections[i + 1].start
        } else {
            text.len()
        };
    }
    layout
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> SectionRules {
        let mut ics_names = HashMap::new();
        for (variant, canonical) in [
            ("black country", "Black Country"),
            ("birmingham and solihull", "Birmingham and Solihull"),
            (
                "staffordshire and stoke on trent",
                "Staffordshire and Stoke-on-Trent",
            ),
            (
                "joined up care derby and derbyshire",
                "Derby and Derbyshire",
            ),
            ("derby and derbyshire", "Derby and Derbyshire"),
        ] {
            ics_names.insert(variant.to_string(), canonical.to_string());
        }
        SectionRules {
            contents: vec!["contents".into(), "in this article".into()],
            sponsored: vec!["case study".into(), "sponsored".into()],
            ics_prefixes: vec!["nhs".into()],
            ics_suffixes: vec![
                "integrated care system".into(),
                "integrated care board".into(),
                "ics".into(),
                "icb".into(),
            ],
            ics_names,
        }
    }

    fn kinds(layout: &Layout, text: &str) -> Vec<(SectionKind, Option<String>, String)> {
        layout
            .sections
            .iter()
            .map(|s| {
                (
                    s.kind,
                    s.ics.clone(),
                    text[s.start..s.end]
                        .lines()
                        .next()
                        .unwrap_or("")
                        .to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn ics_headings_recognise_variants_and_suffixes() {
        let r = rules();
        assert_eq!(r.ics_of_heading("Black Country ICS"), Some("Black Country"));
        assert_eq!(
            r.ics_of_heading("Staffordshire & Stoke on Trent"),
            Some("Staffordshire and Stoke-on-Trent")
        );
        assert_eq!(
            r.ics_of_heading("NHS Birmingham and Solihull Integrated Care Board"),
            Some("Birmingham and Solihull")
        );
        assert_eq!(
            r.ics_of_heading("Joined Up Care Derby and Derbyshire"),
            Some("Derby and Derbyshire")
        );
        assert_eq!(
            r.ics_of_heading("Enhancing Birmingham and Solihull ICB with Lantum"),
            None
        );
    }

    #[test]
    fn without_contents_plain_headings_inside_ics_sections_are_sub_headings() {
        let text = "A title\n\nIntro text here.\n\nBlack Country\n\nSome text.\n\nVirtual wards\n\nMore text.\n\nCase study: Acme helps\n\nPromo.\n\nBirmingham and Solihull ICB\n\nEnd.";
        let layout = split(text, true, &rules());
        assert_eq!(
            kinds(&layout, text),
            vec![
                (SectionKind::Title, None, "A title".into()),
                (SectionKind::Intro, None, "Intro text here.".into()),
                (
                    SectionKind::Ics,
                    Some("Black Country".into()),
                    "Black Country".into()
                ),
                (
                    SectionKind::Sponsored,
                    None,
                    "Case study: Acme helps".into()
                ),
                (
                    SectionKind::Ics,
                    Some("Birmingham and Solihull".into()),
                    "Birmingham and Solihull ICB".into()
                ),
            ]
        );
        // Sections cover the text end to end.
        assert_eq!(layout.sections[0].start, 0);
        assert_eq!(layout.sections.last().unwrap().end, text.len());
        for w in layout.sections.windows(2) {
            assert_eq!(w[0].end, w[1].start);
        }
        // The sub-heading is silent, the paragraph after it is not.
        let sub = text.find("Virtual wards").unwrap();
        assert!(layout.is_silent(sub, sub + 3));
        let para = text.find("More text").unwrap();
        assert!(!layout.is_silent(para, para + 4));
    }

    #[test]
    fn a_contents_list_decides_the_top_level_headings() {
        let text = "Title\n\nIntro.\n\nBlack Country\n\nText one.\n\nContents\n\n  • Black Country\n\n  • Useful links\n\n  • Birmingham and Solihull\n\nUseful links\n\nLinks.\n\nBirmingham and Solihull\n\nText two.\n\nA plain sub-heading\n\nText three.";
        let layout = split(text, true, &rules());
        let got: Vec<SectionKind> = layout.sections.iter().map(|s| s.kind).collect();
        assert_eq!(
            got,
            vec![
                SectionKind::Title,
                SectionKind::Intro,
                SectionKind::Ics,
                SectionKind::Contents,
                SectionKind::Other,
                SectionKind::Ics,
            ]
        );
        let contents = &layout.sections[3];
        let list = text.find("  • Useful").unwrap();
        assert!(contents.start < list && list < contents.end);
        assert!(layout.is_silent(list, list + 5));
    }

    #[test]
    fn headings_must_stand_alone_and_be_short() {
        assert!(is_heading(
            "Where next for shared records in the North West?"
        ));
        assert!(!is_heading("This ends with a full stop."));
        assert!(!is_heading("“It has changed how we work.”"));
        assert!(!is_heading("He called it \"a lifeline.\""));
        assert!(is_heading("“Digital first” in practice"));
        assert!(is_heading("What is a “virtual ward”?"));
        assert!(!is_heading("  • A list item"));
        assert!(!is_heading("1. Numbered"));
        assert!(!is_heading(&"word ".repeat(17)));
        let text = "Title\n\nBlack Country\nstraight into text\n\nEnd.";
        let layout = split(text, true, &rules());
        assert_eq!(layout.sections.len(), 2);
        assert_eq!(layout.sections[1].kind, SectionKind::Intro);
    }

    #[test]
    fn normalises_for_comparison() {
        assert_eq!(normalise("Stoke-on-Trent  &  Co."), "stoke on trent and co");
        assert_eq!(normalise("Women’s"), "women's");
        assert_eq!(
            normalise("‘North–East’ & ÉCOLE —"),
            "'north east' and école"
        );
    }
}
