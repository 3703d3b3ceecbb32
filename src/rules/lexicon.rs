//! Word lists the normalisers read (`lexicon/*.tsv`): number words, scales,
//! currencies, qualifiers, month and season names, time units, and the stop
//! lists that bound counted noun phrases. Each file is `phrase<TAB>value`
//! (or just `phrase` for plain lists); phrases are matched in lower case.

use super::tsv;
use super::RuleError;
use crate::text::Fnv;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasherDefault;
use std::path::Path;

/// The tables every rule folder must have, and whether each needs a value.
const TABLES: &[(&str, bool)] = &[
    ("numbers", true),
    ("scales", true),
    ("fractions", true),
    ("currencies", true),
    ("qualifiers", true),
    ("months", true),
    ("seasons", true),
    ("modifiers", true),
    ("time_units", true),
    ("noun_stops", false),
    ("noun_words", false),
    ("plural_nouns", false),
    ("name_numbers", false),
    ("future_markers", false),
    ("product_cues", false),
    ("org_leading", false),
    ("tech_leading", false),
    ("org_name_words", false),
    ("name_heads", true),
    ("name_stops", false),
    ("generic_heads", false),
    ("weekdays", true),
    ("term_adjectives", false),
];

/// All word lists, by table name.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    tables: BTreeMap<String, Table>,
}

/// One table: phrase key → value. Keys are short and looked up for every
/// match a rule makes, so they are hashed with FNV, not SipHash.
type Table = HashMap<String, String, BuildHasherDefault<Fnv>>;

impl Lexicon {
    /// Loads every table from the lexicon folder; a missing table, a
    /// missing value or a phrase listed twice is an error.
    pub fn load(dir: &Path) -> Result<Lexicon, RuleError> {
        let mut lexicon = Lexicon::default();
        for &(name, valued) in TABLES {
            let path = dir.join(format!("{name}.tsv"));
            let mut table = Table::default();
            for row in tsv::read(&path, if valued { 2 } else { 1 }, 2)? {
                let key = phrase_key(&row.fields[0]);
                if table.insert(key.clone(), row.fields[1].clone()).is_some() {
                    return Err(RuleError::at(
                        &path,
                        row.line,
                        format!("{key:?} is listed twice"),
                    ));
                }
                if matches!(name, "numbers" | "scales" | "fractions")
                    && row.fields[1].parse::<f64>().is_err()
                {
                    return Err(RuleError::at(
                        &path,
                        row.line,
                        format!("{:?} is not a number", row.fields[1]),
                    ));
                }
            }
            lexicon.tables.insert(name.to_string(), table);
        }
        Ok(lexicon)
    }

    /// A lexicon from in-memory tables (for tests and tools).
    pub fn from_tables(tables: &[(&str, &[(&str, &str)])]) -> Lexicon {
        let mut lexicon = Lexicon::default();
        for (name, rows) in tables {
            let table = rows
                .iter()
                .map(|(k, v)| (phrase_key(k), v.to_string()))
                .collect();
            lexicon.tables.insert(name.to_string(), table);
        }
        lexicon
    }

    /// The value of a phrase in a table (phrase compared in lower case).
    pub fn get(&self, table: &str, phrase: &str) -> Option<&str> {
        let table = self.tables.get(table)?;
        let value = if is_key(phrase) {
            table.get(phrase)
        } else {
            table.get(&phrase_key(phrase))
        };
        value.map(String::as_str)
    }

    /// Whether a table lists a phrase.
    pub fn contains(&self, table: &str, phrase: &str) -> bool {
        self.get(table, phrase).is_some()
    }
}

/// Whether a phrase is already in key form (the common case: one
/// lower-case word), so a lookup needs no new string.
fn is_key(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains("  ")
        && s.chars()
            .all(|c| (!c.is_uppercase() && !c.is_whitespace() || c == ' ') && c != '\u{2019}')
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
    }
}
