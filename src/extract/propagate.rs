//! Document-level propagation, as GATE's orthomatcher does it: a name
//! established as an organisation or technology in one place of a document
//! labels its other mentions there.
//!
//! A name is established by a pattern rule with a strong cue (a gazetteer
//! name is found everywhere already), or by an acronym defined in brackets
//! after a name ("National Widget Lab (NWL)"). Its other mentions are the
//! name itself, its short form (a trust's name without "NHS Trust", a
//! company's without "Ltd"), the acronym, and the initials of a
//! pattern-found name of three capitalised words or more ("Digital Health
//! Intelligence", then "DHI": after the name only), a pattern-found
//! company's distinctive first word ("Cardiva Health", then "Cardiva"),
//! each as a whole word (a
//! possessive "NWL's" included, since the span stops before the
//! apostrophe). A propagated fact's `rule` says where it came from:
//! `propagated:<rule of the first mention>@<first mention>`.

use super::taken::Taken;
use super::Candidate;
use crate::fact::FactType;
use crate::fact::FactValue;
use crate::rules::Lexicon;
use crate::rules::Table;
use crate::text::Fnv;
use aho_corasick::{packed, AhoCorasick, AhoCorasickKind, Match, MatchKind};
use std::collections::HashSet;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

/// The words of the knowledge base's organisation names, in lower case:
/// places and words bodies are named with ("leeds", "community"), never a
/// company's distinctive first word.
pub type NameWords = HashSet<String, BuildHasherDefault<Fnv>>;

/// The priority of a propagated fact: below every rule that finds text on
/// its own, so a direct match of the same span wins.
const PRIORITY: u8 = 4;

/// Endings dropped to make the short form of a pattern-found name.
const SHORT_FORM_ENDINGS: [&str; 9] = [
    " NHS Foundation Trust",
    " NHS Trust",
    " Foundation Trust",
    " Ltd",
    " Ltd.",
    " Limited",
    " plc",
    " PLC",
    " LLP",
];

/// One name to look for, and the fact each of its mentions becomes.
struct Seed {
    fact_type: FactType,
    value: Arc<FactValue>,
    rule: Arc<str>,
    /// Where its mentions may start: an initialism no bracket defined
    /// reads as the name only after the name itself was written.
    after: usize,
}

/// Adds the mentions of names and acronyms established in `text` to
/// `kept` (candidates after overlaps were resolved, stop phrases still in,
/// sorted by start), where no candidate covers them yet; `kept` stays
/// sorted by start. It stops adding once `kept` holds more than `most`
/// (the caller's budget then says so). `name_words` are the words no
/// company's short form may be.
pub fn propagate(
    text: &str,
    kept: &mut Vec<Candidate>,
    lexicon: &Lexicon,
    name_words: &NameWords,
    most: usize,
) {
    let mut taken = Taken::new(text.len());
    for c in kept.iter() {
        taken.take(c.start, c.end);
    }
    let mut seeds: Vec<(String, Seed)> = Vec::new();
    let mut added: Vec<Candidate> = Vec::new();
    // Names by where they end, to find the one just before a bracket.
    let mut names_by_end: Vec<(usize, usize)> = kept
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            !c.stop && matches!(c.fact_type, FactType::Organisation | FactType::Technology)
        })
        .map(|(i, c)| (c.end, i))
        .collect();
    names_by_end.sort_unstable();
    for def in acronym_definitions(text) {
        if kept.len() + added.len() > most {
            break;
        }
        // "(ICS)" after a name is its type, not a mention (guideline §6);
        // "Widget Exemplar (WE) programme" names a programme.
        let next = super::head(&text[def.end + 1..], 64)
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_end_matches(|c: char| !c.is_alphanumeric());
        if lexicon.contains(Table::NameStops, def.acronym)
            || lexicon.get(Table::NameHeads, next) == Some("none")
        {
            continue;
        }
        let source = names_by_end[names_by_end.partition_point(|&(e, _)| e + 2 < def.open)..]
            .iter()
            .take_while(|&&(e, _)| e <= def.open)
            .filter(|&&(e, _)| text[e..def.open].trim().is_empty())
            .map(|&(_, i)| i)
            .min()
            .map(|i| &kept[i]);
        let (fact_type, value, name_rule, name) = match source {
            Some(c) => (
                c.fact_type,
                c.value.clone(),
                c.rule.to_string(),
                &text[c.start..c.end],
            ),
            None => {
                let Some(start) = expanded_start(text, def.open, def.acronym) else {
                    continue;
                };
                let name_end = text[..def.open].trim_end().len();
                let name = &text[start..name_end];
                let head = name.rsplit(' ').next().unwrap_or(name);
                let fact_type = match lexicon.get(Table::NameHeads, head) {
                    Some("technology") => FactType::Technology,
                    Some("none") => continue,
                    _ => FactType::Organisation,
                };
                // "a Centre of Excellence (CoE)" introduces a unit, not a name.
                let article = super::tail(text[..start].trim_end(), 16).rsplit(' ').next();
                if taken.clashes(start, name_end)
                    || matches!(article, Some("a" | "an" | "A" | "An"))
                {
                    continue;
                }
                let value = Arc::new(FactValue::named(fact_type, name, Some("other")));
                let rule: Arc<str> = Arc::from(format!("acronym:{}", def.acronym));
                taken.take(start, name_end);
                added.push(candidate(start, name_end, fact_type, &value, &rule));
                (fact_type, value, rule.to_string(), name)
            }
        };
        let rule: Arc<str> = Arc::from(format!("propagated:{name_rule}@{name}"));
        if !taken.clashes(def.start, def.end) {
            taken.take(def.start, def.end);
            added.push(candidate(def.start, def.end, fact_type, &value, &rule));
        }
        seeds.push((
            def.acronym.to_string(),
            Seed {
                fact_type,
                value,
                rule,
                after: 0,
            },
        ));
    }
    for c in kept.iter().filter(|c| c.priority == 3 && !c.stop) {
        let name = &text[c.start..c.end];
        if !name.contains(char::is_uppercase) {
            continue;
        }
        let rule: Arc<str> = Arc::from(format!("propagated:{}@{name}", c.rule));
        let mut names = vec![(name.to_string(), 0)];
        if c.fact_type == FactType::Organisation {
            names.extend(short_form(name, lexicon).map(|n| (n, 0)));
        }
        names.extend(initialism(name).map(|n| (n, c.end)));
        if matches!(&*c.value, FactValue::Organisation(o) if o.kind.as_deref() == Some("company")) {
            names.extend(company_short_form(name, text, lexicon, name_words).map(|n| (n, 0)));
        }
        for (n, after) in names {
            seeds.push((
                n,
                Seed {
                    fact_type: c.fact_type,
                    value: c.value.clone(),
                    rule: rule.clone(),
                    after,
                },
            ));
        }
    }
    // A name seeded twice is looked for once, as its first seed (which
    // leftmost matching would report anyway).
    let mut seen = std::collections::HashSet::new();
    seeds
        .retain(|(name, _)| !lexicon.contains(Table::NameStops, name) && seen.insert(name.clone()));
    if !seeds.is_empty() {
        let finder = NameSearch::new(seeds.iter().map(|(n, _)| n.as_str()));
        crate::work::examined(text.len());
        for m in finder.find_iter(text) {
            if kept.len() + added.len() > most {
                break;
            }
            let (start, end) = (m.start(), m.end());
            if !whole_word(text, start, end) || taken.clashes(start, end) {
                continue;
            }
            let seed = &seeds[m.pattern().as_usize()].1;
            if start < seed.after {
                continue;
            }
            taken.take(start, end);
            added.push(candidate(
                start,
                end,
                seed.fact_type,
                &seed.value,
                &seed.rule,
            ));
        }
    }
    if !added.is_empty() {
        kept.extend(added);
        kept.sort_by_key(|c| c.start);
    }
}

/// A document's few names, searched together once, leftmost-longest. A
/// packed (SIMD) searcher where the CPU has one and the names are few
/// enough, which costs next to nothing to build; else an NFA, quick to
/// build, rather than a DFA that pays its construction back only over much
/// more text.
enum NameSearch {
    Packed(packed::Searcher),
    Nfa(AhoCorasick),
}

impl NameSearch {
    fn new<'n>(names: impl Iterator<Item = &'n str> + Clone) -> NameSearch {
        let packed = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostLongest)
            .builder()
            .extend(names.clone())
            .build();
        match packed {
            Some(searcher) => NameSearch::Packed(searcher),
            None => NameSearch::Nfa(
                AhoCorasick::builder()
                    .kind(Some(AhoCorasickKind::NoncontiguousNFA))
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(names)
                    .expect("a few short names always build"),
            ),
        }
    }

    /// The names' matches in `text`, leftmost-longest, none overlapping.
    fn find_iter<'a>(&'a self, text: &'a str) -> Box<dyn Iterator<Item = Match> + 'a> {
        match self {
            NameSearch::Packed(searcher) => Box::new(searcher.find_iter(text)),
            NameSearch::Nfa(automaton) => Box::new(automaton.find_iter(text)),
        }
    }
}

fn candidate(
    start: usize,
    end: usize,
    fact_type: FactType,
    value: &Arc<FactValue>,
    rule: &Arc<str>,
) -> Candidate {
    Candidate {
        start,
        end,
        fact_type,
        value: value.clone(),
        rule: rule.clone(),
        priority: PRIORITY,
        stop: false,
    }
}

/// Whether `start..end` is a whole word: no letter or digit just before or
/// just after it.
fn whole_word(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// The short form of an organisation's name: without its trust or company
/// ending, when at least two words remain and one of them marks an
/// organisation (lexicon `org_name_words`), so that a bare place name is
/// never propagated ("Mid and South Essex").
fn short_form(name: &str, lexicon: &Lexicon) -> Option<String> {
    let base = SHORT_FORM_ENDINGS
        .iter()
        .find_map(|e| name.strip_suffix(e))?;
    let base = base.strip_prefix("The ").unwrap_or(base);
    let words: Vec<&str> = base.split_whitespace().collect();
    (words.len() >= 2
        && words
            .iter()
            .any(|w| lexicon.contains(Table::OrgNameWords, w)))
    .then(|| base.to_string())
}

/// The initials of a name of three words or more, each capitalised
/// (small joining words and a company ending left out): "Digital Health
/// Intelligence" is "DHI". `None` for a shorter name or one with a word
/// in lower case, whose initials would be too weak to tell from a word.
fn initialism(name: &str) -> Option<String> {
    let base = SHORT_FORM_ENDINGS
        .iter()
        .find_map(|e| name.strip_suffix(e))
        .unwrap_or(name);
    let words: Vec<&str> = base.split(' ').filter(|w| !JOINERS.contains(w)).collect();
    let initials: String = words
        .iter()
        .map(|w| w.chars().next().filter(char::is_ascii_uppercase))
        .collect::<Option<String>>()?;
    (words.len() >= 3).then_some(initials)
}

/// A company's distinctive first word, its short form ("Cardiva" for
/// "Cardiva Health", "Northbridge" for "Northbridge Growth Partners"): a
/// capitalised word of four letters or more that the document never writes
/// in lower case (so no word of the language), that names no place or body
/// the knowledge base knows (`name_words`), and that no lexicon table lists
/// as a word before or inside names.
fn company_short_form(
    name: &str,
    text: &str,
    lexicon: &Lexicon,
    name_words: &NameWords,
) -> Option<String> {
    let mut words = name.split(' ');
    let first = words.next()?;
    let rest = words.count();
    let lower = first.to_lowercase();
    let distinctive = (1..=3).contains(&rest)
        && first.len() >= 4
        && first.starts_with(|c: char| c.is_uppercase())
        && first.chars().all(char::is_alphabetic)
        && first.chars().any(char::is_lowercase)
        && !name_words.contains(&lower)
        && ![
            Table::NameStops,
            Table::OrgLeading,
            Table::OrgNameWords,
            Table::NounStops,
            Table::TechLeading,
        ]
        .iter()
        .any(|&t| lexicon.contains(t, first));
    let written_lower = || {
        text.match_indices(lower.as_str())
            .any(|(at, w)| whole_word(text, at, at + w.len()))
    };
    (distinctive && !written_lower()).then(|| first.to_string())
}

/// An acronym in brackets: `(NWL)`.
#[derive(Debug, PartialEq)]
struct Definition<'t> {
    /// Where the opening bracket is.
    open: usize,
    /// The acronym's span.
    start: usize,
    end: usize,
    acronym: &'t str,
}

/// Every bracketed acronym in `text`: 2 to 10 letters, digits or `&`,
/// starting with a capital, all capitals or with at least three ("NWL",
/// "SaTH"; "CoE" and "Ab" are too weak to tell from a word).
fn acronym_definitions(text: &str) -> Vec<Definition<'_>> {
    crate::work::examined(text.len());
    let mut out = Vec::new();
    for (open, _) in text.match_indices('(') {
        // The closing bracket is looked for only as far as an acronym
        // can reach, so unclosed brackets cost no scan of the text.
        let rest = &text[open + 1..];
        let Some(close) = super::head(rest, 11).find(')') else {
            continue;
        };
        let acronym = &rest[..close];
        let upper = acronym.chars().filter(char::is_ascii_uppercase).count();
        let lower = acronym.chars().filter(char::is_ascii_lowercase).count();
        let ok = (2..=10).contains(&acronym.len())
            && acronym.starts_with(|c: char| c.is_ascii_uppercase())
            && acronym
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '&')
            && upper >= 2
            && (lower == 0 || upper >= 3);
        if ok {
            out.push(Definition {
                open,
                start: open + 1,
                end: open + 1 + close,
                acronym,
            });
        }
    }
    out
}

/// Where the name an acronym abbreviates starts, when the capitalised
/// words just before the bracket have the acronym's capitals as their
/// initials ("Northfield Imaging Consortium (NIC)"; small joining words
/// such as "and" or "of" are skipped). `None` when they do not.
fn expanded_start(text: &str, open: usize, acronym: &str) -> Option<usize> {
    let wanted: Vec<char> = acronym
        .chars()
        .filter(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        .collect();
    let before = text[..open].trim_end();
    // Twelve words back at most, read in a bounded window: a "word" that
    // runs past it is no part of a name.
    let window = super::tail(before, super::LOOK_BACK);
    let cut = before.len() - window.len();
    let mut initials: Vec<char> = Vec::new();
    let mut pos = window.len();
    for word in window.rsplit(' ').take(12) {
        let start = pos - word.len();
        pos = start.saturating_sub(1);
        if word.is_empty() || word.ends_with([',', ';', ':', '.', ')']) || start == 0 && cut > 0 {
            return None;
        }
        let start = cut + start;
        let first = word.chars().next()?;
        if !first.is_uppercase() {
            if JOINERS.contains(&word) {
                continue;
            }
            return None;
        }
        let mut own: Vec<char> = vec![first];
        own.extend(
            word.chars()
                .skip(1)
                .filter(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
        );
        for c in own.into_iter().rev() {
            initials.insert(0, c);
        }
        if initials.len() > wanted.len() {
            return None;
        }
        if initials == wanted {
            return (word != "The").then_some(start);
        }
    }
    None
}

/// Small words a name may hold between its capitalised words.
const JOINERS: [&str; 9] = ["and", "of", "for", "the", "&", "in", "on", "to", "de"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_leftmost_longest_by_either_searcher() {
        let names = [
            "Wessex Care Record",
            "Wessex",
            "Care Record",
            "WCR",
            "Record",
        ];
        let nfa = NameSearch::Nfa(
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(names)
                .unwrap(),
        );
        let chosen = NameSearch::new(names.iter().copied());
        let text = "The Wessex Care Record (WCR) went live; Wessex's Care Records team ran it.";
        // Long texts, where a packed searcher uses its SIMD path, and short
        // ones, where it searches with a rolling hash (Rabin-Karp) instead.
        for t in [text, &text[..20], &text[4..11], ""] {
            let found = |s: &NameSearch| -> Vec<(usize, usize, usize)> {
                s.find_iter(t)
                    .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
                    .collect()
            };
            assert_eq!(found(&chosen), found(&nfa), "in {t:?}");
        }
        assert_eq!(
            chosen
                .find_iter(text)
                .map(|m| &text[m.range()])
                .collect::<Vec<_>>(),
            ["Wessex Care Record", "WCR", "Wessex", "Care Record"]
        );
    }

    fn lexicon() -> Lexicon {
        Lexicon::from_tables(&[
            (
                Table::NameHeads,
                &[("record", "technology"), ("care", "none")][..],
            ),
            (
                Table::OrgNameWords,
                &[("community", ""), ("services", "")][..],
            ),
            (Table::NameStops, &[][..]),
        ])
    }

    fn org(text: &str, name: &str, rule: &str, priority: u8) -> Candidate {
        let start = text.find(name).unwrap();
        Candidate {
            start,
            end: start + name.len(),
            fact_type: FactType::Organisation,
            value: Arc::new(FactValue::named(
                FactType::Organisation,
                name,
                Some("other"),
            )),
            rule: Arc::from(rule),
            priority,
            stop: false,
        }
    }

    fn spans(text: &str, kept: &[Candidate]) -> Vec<(String, FactType, String)> {
        kept.iter()
            .map(|c| {
                (
                    text[c.start..c.end].to_string(),
                    c.fact_type,
                    c.rule.to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn acronyms_after_a_known_name_are_its_mentions() {
        let text = "Northfield Imaging Consortium (NIC) said so. NIC's staff and the NICE team.";
        let mut kept = vec![org(text, "Northfield Imaging Consortium", "org.network", 3)];
        propagate(
            text,
            &mut kept,
            &lexicon(),
            &NameWords::default(),
            usize::MAX,
        );
        let rule = "propagated:org.network@Northfield Imaging Consortium";
        assert_eq!(
            spans(text, &kept),
            vec![
                (
                    "Northfield Imaging Consortium".into(),
                    FactType::Organisation,
                    "org.network".into()
                ),
                ("NIC".into(), FactType::Organisation, rule.into()),
                ("NIC".into(), FactType::Organisation, rule.into()),
            ]
        );
    }

    #[test]
    fn unknown_names_are_typed_by_their_head_word() {
        let text = "The Eastshire Care Record (ECR) and Harbour Care Direct (HCD) and Urgent \
                    and Emergency Care (UEC). ECR, HCD, UEC.";
        let mut kept = Vec::new();
        propagate(
            text,
            &mut kept,
            &lexicon(),
            &NameWords::default(),
            usize::MAX,
        );
        let got: Vec<(String, FactType)> = spans(text, &kept)
            .into_iter()
            .map(|(s, t, _)| (s, t))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Eastshire Care Record".into(), FactType::Technology),
                ("ECR".into(), FactType::Technology),
                ("Harbour Care Direct".into(), FactType::Organisation),
                ("HCD".into(), FactType::Organisation),
                ("ECR".into(), FactType::Technology),
                ("HCD".into(), FactType::Organisation),
            ]
        );
        assert_eq!(kept[0].rule.as_ref(), "acronym:ECR");
    }

    #[test]
    fn short_forms_of_pattern_names_are_mentions() {
        let text = "Westvale Community Services NHS Trust grew. Westvale Community Services \
                    said. Westvale Community Servicesx did not.";
        let mut kept = vec![org(
            text,
            "Westvale Community Services NHS Trust",
            "org.nhs_trust",
            3,
        )];
        propagate(
            text,
            &mut kept,
            &lexicon(),
            &NameWords::default(),
            usize::MAX,
        );
        assert_eq!(kept.len(), 2);
        assert_eq!(
            &text[kept[1].start..kept[1].end],
            "Westvale Community Services"
        );
        // A gazetteer name (priority 0) is found everywhere already.
        let mut kept = vec![org(
            text,
            "Westvale Community Services NHS Trust",
            "organisations.tsv:9",
            0,
        )];
        propagate(
            text,
            &mut kept,
            &lexicon(),
            &NameWords::default(),
            usize::MAX,
        );
        assert_eq!(kept.len(), 1);
    }

    #[test]
    fn initials_of_a_pattern_name_are_its_mentions_after_it() {
        let text = "DHI said so. Digital Health Intelligence reported; the DHI report \
                    and DHIX. Acme Data Ltd and ADL.";
        let mut kept = vec![
            org(text, "Digital Health Intelligence", "org.company_head", 3),
            org(text, "Acme Data Ltd", "org.company_head", 3),
        ];
        propagate(
            text,
            &mut kept,
            &lexicon(),
            &NameWords::default(),
            usize::MAX,
        );
        let found: Vec<(String, String)> = spans(text, &kept)
            .into_iter()
            .map(|(s, _, r)| (s, r))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    "Digital Health Intelligence".into(),
                    "org.company_head".into()
                ),
                (
                    "DHI".into(),
                    "propagated:org.company_head@Digital Health Intelligence".into()
                ),
                ("Acme Data Ltd".into(), "org.company_head".into()),
            ]
        );
        assert_eq!(initialism("Bank of England Data Unit"), Some("BEDU".into()));
        assert_eq!(
            initialism("Northern Care Alliance NHS Foundation Trust"),
            Some("NCA".into())
        );
        assert_eq!(initialism("Care Direct"), None);
        assert_eq!(initialism("Care direct Services"), None);
    }

    #[test]
    fn a_company_first_word_is_its_short_form_when_distinctive() {
        let company = |text: &str, name: &str| {
            let mut c = org(text, name, "org.company_head", 3);
            c.value = Arc::new(FactValue::named(
                FactType::Organisation,
                name,
                Some("company"),
            ));
            c
        };
        let names: NameWords = ["leeds".to_string()].into_iter().collect();
        let found = |text: &str, name: &str| -> Vec<String> {
            let mut kept = vec![company(text, name)];
            propagate(text, &mut kept, &lexicon(), &names, usize::MAX);
            spans(text, &kept).into_iter().map(|(s, _, _)| s).collect()
        };
        assert_eq!(
            found(
                "Cardiva said so. Cardiva Health won; Cardiva's kit.",
                "Cardiva Health"
            ),
            ["Cardiva", "Cardiva Health", "Cardiva"]
        );
        // A place the knowledge base names, or a word the text also writes
        // in lower case, is no short form.
        assert_eq!(
            found("Leeds Data Solutions won in Leeds.", "Leeds Data Solutions"),
            ["Leeds Data Solutions"]
        );
        assert_eq!(
            found(
                "Harbour Data Solutions won; the harbour and Harbour.",
                "Harbour Data Solutions"
            ),
            ["Harbour Data Solutions"]
        );
    }

    #[test]
    fn initials_must_match_exactly() {
        let t = "the Northern Pathology Imaging Co-operative (NPIC)";
        let open = t.find('(').unwrap();
        assert_eq!(expanded_start(t, open, "NPIC"), Some(4));
        let t = "Early Warning Score (NEWS2)";
        assert_eq!(expanded_start(t, t.find('(').unwrap(), "NEWS2"), None);
        let t = "University Hospitals Sussex (UHSx)";
        assert_eq!(expanded_start(t, t.find('(').unwrap(), "UHSx"), Some(0));
        let found: Vec<&str> = acronym_definitions("a (CoE) b (Ab) (SaTH) (2023) (LSCft)")
            .iter()
            .map(|d| d.acronym)
            .collect();
        assert_eq!(found, vec!["SaTH", "LSCft"]);
    }
}
