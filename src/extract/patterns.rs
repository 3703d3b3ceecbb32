//! Compiled pattern rules: every rule of a file joined into one regex, run
//! once over a document. Each rule is wrapped in a group of its own (`r3`)
//! and its slots renamed (`r3_year`), so one pass tells which rule matched
//! and what each slot holds. Word boundaries are ASCII (`\b` next to `’` or
//! `£` behaves as next to a space), which keeps the fast engines usable on
//! any text.

use crate::fact::FactType;
use crate::rules::{PatternFile, RuleError};
use regex::Regex;
use std::collections::BTreeMap;
use std::ops::Range;

/// The slots one match filled: name → byte range in the searched text.
#[derive(Debug, Clone)]
pub struct Slots<'t> {
    text: &'t str,
    whole: Range<usize>,
    slots: Vec<(&'t str, Range<usize>)>,
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

/// One rule inside a compiled file.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    /// The rule id.
    pub id: String,
    /// Its attributes (`kind`, ...).
    pub attrs: BTreeMap<String, String>,
    group: usize,
    slots: Vec<(String, usize)>,
}

impl CompiledRule {
    /// An attribute's value.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs.get(key).map(String::as_str)
    }
}

/// A pattern file compiled into one regex.
#[derive(Debug, Clone)]
pub struct CompiledPatterns {
    /// The type of fact the rules find.
    pub fact_type: FactType,
    regex: Regex,
    rules: Vec<CompiledRule>,
}

/// Rewrites a rule's pattern for the combined regex: slots renamed with
/// the rule's prefix, `\b` made ASCII.
fn rewrite(pattern: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some((_, 'b')) => out.push_str(r"(?-u:\b)"),
                Some((_, n)) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
            continue;
        }
        let rest = &pattern[i..];
        let open = if rest.starts_with("(?P<") {
            Some(4)
        } else if rest.starts_with("(?<") {
            Some(3)
        } else {
            None
        };
        if let Some(skip) = open {
            out.push_str("(?P<");
            out.push_str(prefix);
            out.push('_');
            for _ in 1..skip {
                chars.next();
            }
            continue;
        }
        out.push(c);
    }
    out
}

impl CompiledPatterns {
    /// Joins a file's rules into one regex, in file order.
    pub fn compile(file: &PatternFile) -> Result<CompiledPatterns, RuleError> {
        let parts: Vec<String> = file
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| format!("(?P<r{i}>{})", rewrite(&r.pattern, &format!("r{i}"))))
            .collect();
        let regex = regex::RegexBuilder::new(&parts.join("|"))
            .size_limit(64 << 20)
            .build()
            .map_err(|e| {
                RuleError::file(
                    &file.path,
                    format!("the rules do not compile together: {e}"),
                )
            })?;
        let names: Vec<Option<&str>> = regex.capture_names().collect();
        let index = |name: &str| names.iter().position(|n| *n == Some(name));
        let rules = file
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let prefix = format!("r{i}_");
                CompiledRule {
                    id: r.id.clone(),
                    attrs: r.attrs.clone(),
                    group: index(&format!("r{i}")).expect("wrapper group exists"),
                    slots: names
                        .iter()
                        .enumerate()
                        .filter_map(|(g, n)| {
                            Some((n.as_ref()?.strip_prefix(&prefix)?.to_string(), g))
                        })
                        .collect(),
                }
            })
            .collect();
        Ok(CompiledPatterns {
            fact_type: file.fact_type,
            regex,
            rules,
        })
    }

    /// Runs the regex once over `text`, calling `found` with each match's
    /// rule and slots. `found` returns where the fact it made ends (the
    /// scan goes on from there, so words a rule captured as context but left
    /// out of its fact can start the next fact), or `None` when it rejected
    /// the match (the scan goes on from the next character).
    pub fn scan<'t>(
        &'t self,
        text: &'t str,
        mut found: impl FnMut(&'t CompiledRule, Slots<'t>) -> Option<usize>,
    ) {
        let mut locs = self.regex.capture_locations();
        let mut at = 0;
        while at <= text.len() {
            let Some(m) = self.regex.captures_read_at(&mut locs, text, at) else {
                break;
            };
            let Some(rule) = self.rules.iter().find(|r| locs.get(r.group).is_some()) else {
                at = next_char(text, m.start());
                continue;
            };
            let slots = rule
                .slots
                .iter()
                .filter_map(|(name, g)| locs.get(*g).map(|(s, e)| (name.as_str(), s..e)))
                .collect();
            at = match found(rule, Slots::new(text, m.start()..m.end(), slots)) {
                Some(end) if end > m.start() => end,
                _ => next_char(text, m.start()),
            };
        }
    }
}

fn next_char(text: &str, at: usize) -> usize {
    text[at..]
        .chars()
        .next()
        .map_or(text.len() + 1, |c| at + c.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_slots_and_boundaries() {
        assert_eq!(
            rewrite(r"\b(?P<year>\d{4})(?<day>x)\\b", "r2"),
            r"(?-u:\b)(?P<r2_year>\d{4})(?P<r2_day>x)\\b"
        );
    }
}
