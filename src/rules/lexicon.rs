//! Word lists the normalisers read (`lexicon/*.tsv`): number words, scales,
//! currencies, qualifiers, month and season names, time units, and the stop
//! lists that bound counted noun phrases. Each file is `phrase<TAB>value`
//! (or just `phrase` for plain lists); phrases are matched in lower case.

use super::tsv;
use super::RuleError;
use crate::fact::Qualifier;
use crate::text::Fnv;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::path::Path;

/// The word lists a rule folder's `lexicon/` must hold, one file each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    /// Number words and their values.
    Numbers,
    /// Scale words ("million", "bn") and their factors.
    Scales,
    /// Fraction words and their denominators.
    Fractions,
    /// Currency signs and words and their codes.
    Currencies,
    /// Qualifying phrases ("more than") and the guideline's qualifier.
    Qualifiers,
    /// Month names and their numbers.
    Months,
    /// Season names and their codes.
    Seasons,
    /// Date modifiers ("early") and their TIMEX3 `mod`.
    Modifiers,
    /// Time units and their duration codes.
    TimeUnits,
    /// Words that make a time unit after them a date ("last year").
    TimeDeterminers,
    /// Words that end a counted noun phrase.
    NounStops,
    /// -ing, -ed and -ly words that may stand in a counted noun phrase.
    NounWords,
    /// Plural nouns that do not end in "s".
    PluralNouns,
    /// Numbers that are part of names ("NHS 111").
    NameNumbers,
    /// Verbs of change: "from X to Y" after them is two figures.
    ChangeVerbs,
    /// Words that make a clause speak of the future.
    FutureMarkers,
    /// Words and phrases that make a company's name its product.
    ProductCues,
    /// Words before an organisation's name that are not part of it.
    OrgLeading,
    /// Words before a technology that are not part of it.
    TechLeading,
    /// Participles in -ed that name a kind of technology ("automated"),
    /// kept where other such words before one are dropped.
    TechParticiples,
    /// Words that make a trust's bare name distinctive.
    OrgNameWords,
    /// What the last word of a bracket-defined name makes it.
    NameHeads,
    /// Names never propagated, nor taken from context.
    NameStops,
    /// Generic head nouns dropped after a known term.
    GenericHeads,
    /// Weekday names and their place in the ISO week.
    Weekdays,
    /// Adjectives dropped before a known glossary term.
    TermAdjectives,
    /// Last words that close an organisation's name: of two names joined
    /// by "and", the first ends at one.
    NameEndings,
}

impl Table {
    /// Every table, in the order they are loaded.
    pub const ALL: [Table; 27] = [
        Table::Numbers,
        Table::Scales,
        Table::Fractions,
        Table::Currencies,
        Table::Qualifiers,
        Table::Months,
        Table::Seasons,
        Table::Modifiers,
        Table::TimeUnits,
        Table::TimeDeterminers,
        Table::NounStops,
        Table::NounWords,
        Table::PluralNouns,
        Table::NameNumbers,
        Table::ChangeVerbs,
        Table::FutureMarkers,
        Table::ProductCues,
        Table::OrgLeading,
        Table::TechLeading,
        Table::TechParticiples,
        Table::OrgNameWords,
        Table::NameHeads,
        Table::NameStops,
        Table::GenericHeads,
        Table::Weekdays,
        Table::TermAdjectives,
        Table::NameEndings,
    ];

    /// The table's file name without `.tsv`.
    pub fn name(self) -> &'static str {
        match self {
            Table::Numbers => "numbers",
            Table::Scales => "scales",
            Table::Fractions => "fractions",
            Table::Currencies => "currencies",
            Table::Qualifiers => "qualifiers",
            Table::Months => "months",
            Table::Seasons => "seasons",
            Table::Modifiers => "modifiers",
            Table::TimeUnits => "time_units",
            Table::TimeDeterminers => "time_determiners",
            Table::NounStops => "noun_stops",
            Table::NounWords => "noun_words",
            Table::PluralNouns => "plural_nouns",
            Table::NameNumbers => "name_numbers",
            Table::ChangeVerbs => "change_verbs",
            Table::FutureMarkers => "future_markers",
            Table::ProductCues => "product_cues",
            Table::OrgLeading => "org_leading",
            Table::TechLeading => "tech_leading",
            Table::TechParticiples => "tech_participles",
            Table::OrgNameWords => "org_name_words",
            Table::NameHeads => "name_heads",
            Table::NameStops => "name_stops",
            Table::GenericHeads => "generic_heads",
            Table::Weekdays => "weekdays",
            Table::TermAdjectives => "term_adjectives",
            Table::NameEndings => "name_endings",
        }
    }

    /// Whether each phrase needs a value (a second column).
    fn valued(self) -> bool {
        matches!(
            self,
            Table::Numbers
                | Table::Scales
                | Table::Fractions
                | Table::Currencies
                | Table::Qualifiers
                | Table::Months
                | Table::Seasons
                | Table::Modifiers
                | Table::TimeUnits
                | Table::NameHeads
                | Table::Weekdays
        )
    }
}

/// All word lists, one for each [`Table`].
#[derive(Debug, Clone)]
pub struct Lexicon {
    tables: Vec<Words>,
}

impl Default for Lexicon {
    fn default() -> Self {
        Lexicon {
            tables: vec![Words::default(); Table::ALL.len()],
        }
    }
}

/// One table: phrase key → value. Keys are short and looked up for every
/// match a rule makes, so they are hashed with FNV, not SipHash.
type Words = HashMap<String, String, BuildHasherDefault<Fnv>>;

impl Lexicon {
    /// Loads every table from the lexicon folder; a missing table, a
    /// missing value or a phrase listed twice is an error.
    pub fn load(dir: &Path) -> Result<Lexicon, RuleError> {
        let mut lexicon = Lexicon::default();
        for t in Table::ALL {
            let path = dir.join(format!("{}.tsv", t.name()));
            let mut table = Words::default();
            for row in tsv::read(&path, if t.valued() { 2 } else { 1 }, 2)? {
                let key = phrase_key(&row.fields[0]);
                if table.insert(key.clone(), row.fields[1].clone()).is_some() {
                    return Err(RuleError::at(
                        &path,
                        row.line,
                        format!("{key:?} is listed twice"),
                    ));
                }
                if matches!(t, Table::Numbers | Table::Scales | Table::Fractions)
                    && row.fields[1].parse::<f64>().is_err()
                {
                    return Err(RuleError::at(
                        &path,
                        row.line,
                        format!("{:?} is not a number", row.fields[1]),
                    ));
                }
                if t == Table::Qualifiers && Qualifier::parse(&row.fields[1]).is_none() {
                    return Err(RuleError::at(
                        &path,
                        row.line,
                        format!(
                            "{:?} is not a qualifier (over, under, about, at_least, at_most)",
                            row.fields[1]
                        ),
                    ));
                }
            }
            lexicon.tables[t as usize] = table;
        }
        Ok(lexicon)
    }

    /// A lexicon from in-memory tables (for tests and tools).
    pub fn from_tables(tables: &[(Table, &[(&str, &str)])]) -> Lexicon {
        let mut lexicon = Lexicon::default();
        for (t, rows) in tables {
            lexicon.tables[*t as usize] = rows
                .iter()
                .map(|(k, v)| (phrase_key(k), v.to_string()))
                .collect();
        }
        lexicon
    }

    /// The value of a phrase in a table (phrase compared in lower case).
    pub fn get(&self, table: Table, phrase: &str) -> Option<&str> {
        let table = &self.tables[table as usize];
        let value = if is_key(phrase) {
            table.get(phrase)
        } else {
            let mut short = [0u8; SHORT_KEY];
            match short_ascii_key(phrase, &mut short) {
                Some(key) => table.get(key),
                None => table.get(&phrase_key(phrase)),
            }
        };
        value.map(String::as_str)
    }

    /// Whether a table lists a phrase.
    pub fn contains(&self, table: Table, phrase: &str) -> bool {
        self.get(table, phrase).is_some()
    }
}

/// Whether a phrase is already in key form (the common case: one
/// lower-case word), so a lookup needs no new string.
fn is_key(s: &str) -> bool {
    if s.is_ascii() {
        let bytes = s.as_bytes();
        return bytes.first().is_some_and(|&b| b != b' ')
            && bytes.last() != Some(&b' ')
            && bytes
                .iter()
                .all(|&b| !b.is_ascii_uppercase() && !is_ascii_space(b) || b == b' ')
            && !bytes.windows(2).any(|w| w == b"  ");
    }
    !s.is_empty()
        && !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains("  ")
        && s.chars()
            .all(|c| (!c.is_uppercase() && !c.is_whitespace() || c == ' ') && c != '\u{2019}')
}

/// Whether an ASCII byte is white space as `char::is_whitespace` has it
/// (which, unlike `u8::is_ascii_whitespace`, counts the vertical tab).
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The longest phrase [`short_ascii_key`] keys without a new string.
const SHORT_KEY: usize = 64;

/// [`phrase_key`] of a short ASCII phrase, written into `buf` (most
/// lookups that are not already keys: a capitalised word or two).
fn short_ascii_key<'b>(s: &str, buf: &'b mut [u8; SHORT_KEY]) -> Option<&'b str> {
    if s.len() > SHORT_KEY || !s.is_ascii() {
        return None;
    }
    let mut len = 0;
    for word in s.as_bytes().split(|&b| is_ascii_space(b)) {
        if word.is_empty() {
            continue;
        }
        if len > 0 {
            buf[len] = b' ';
            len += 1;
        }
        for &b in word {
            buf[len] = b.to_ascii_lowercase();
            len += 1;
        }
    }
    std::str::from_utf8(&buf[..len]).ok()
}

/// A phrase as a lookup key: lower case, single spaces, curly apostrophes
/// plain. Built in one string, word by word (lower-casing depends on
/// context only within a word, so this is the whole phrase lower-cased).
fn phrase_key(s: &str) -> String {
    let mut key = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !key.is_empty() {
            key.push(' ');
        }
        if word.is_ascii() {
            key.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            key.push_str(&word.to_lowercase().replace('\u{2019}', "'"));
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The key as first defined: the phrase's words joined by single
    /// spaces, apostrophes made plain, then lower-cased as a whole.
    fn reference_key(s: &str) -> String {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace('\u{2019}', "'")
            .to_lowercase()
    }

    #[test]
    fn keys_are_lower_case_single_spaced_with_plain_apostrophes() {
        assert_eq!(
            phrase_key("  NHS\u{a0}Trust’s\tFIRST  "),
            "nhs trust's first"
        );
        assert_eq!(phrase_key("ΟΔΟΣ Σ"), "οδος σ");
        assert!(is_key("nhs trust's") && !is_key("NHS") && !is_key("a  b"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5_000))]
        #[test]
        fn keys_equal_the_whole_phrase_lower_cased(s in "[aZΣσİ’' \t\u{a0}.-]{0,16}") {
            prop_assert_eq!(phrase_key(&s), reference_key(&s));
        }

        #[test]
        fn short_ascii_keys_and_key_checks_agree_with_the_general_ones(
            s in "[aZ1' \t\n\r\x0b\x0c.-]{0,70}"
        ) {
            let mut buf = [0u8; SHORT_KEY];
            match short_ascii_key(&s, &mut buf) {
                Some(key) => prop_assert_eq!(key, reference_key(&s)),
                None => prop_assert!(s.len() > SHORT_KEY),
            }
            prop_assert_eq!(is_key(&s), s == reference_key(&s) && !s.is_empty());
        }
    }
}
