//! Pattern rule files (`patterns/*.rules`): regex rules for one fact type,
//! in a small INI-like format an editor can read:
//!
//! ```text
//! # A comment.
//! [define]
//! MONTH = January|February|March
//! [rule date.month_year]
//! kind = point
//! pattern = (?P<month>{MONTH})\s+(?P<year>\d{4})
//! example = in March 2023 => 2023-03
//! ```
//!
//! `{NAME}` in a pattern stands for a definition (wrapped in a group). Named
//! groups are the slots the type's normaliser reads; a group named `span`,
//! when present, is the fact's span (the rest of the match is context).
//! Rules earlier in a file win where two match at the same place.
//!
//! `example = TEXT => SPAN => VALUE` lines are tests: the rule must find SPAN
//! in TEXT with that value. `counter = TEXT` lines are tests too: no fact of
//! the file's type may be found anywhere in TEXT.

use super::tsv::read_text;
use super::RuleError;
use crate::fact::{DateKind, FactType};
use regex_syntax::hir::{Hir, HirKind, Look};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One pattern rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternRule {
    /// The rule id facts carry, e.g. `date.month_year`.
    pub id: String,
    /// The regex with definitions expanded.
    pub pattern: String,
    /// Other `key = value` lines (`kind`, ...).
    pub attrs: BTreeMap<String, String>,
    /// `example = TEXT => EXPECTED` lines with their line numbers.
    pub examples: Vec<(usize, String, String)>,
    /// `counter = TEXT` lines: text in which no fact of the file's type may
    /// be found, with their line numbers.
    pub counters: Vec<(usize, String)>,
    /// The line of the `[rule ...]` header.
    pub line: usize,
}

/// A pattern file: its rules, all for one fact type.
#[derive(Debug, Clone)]
pub struct PatternFile {
    /// Where it was loaded from.
    pub path: PathBuf,
    /// The type of fact its rules find.
    pub fact_type: FactType,
    /// Rules in file order (priority order).
    pub rules: Vec<PatternRule>,
}

/// The slots each type's normaliser reads.
fn slots(fact_type: FactType) -> &'static [&'static str] {
    match fact_type {
        FactType::Date => &[
            "span", "year", "month", "day", "year2", "month2", "day2", "fy", "quarter", "season",
            "rel", "mod", "n", "n2", "unit", "weekday", "half", "fin",
        ],
        FactType::Metric => &[
            "span", "qual", "num", "scale", "cur", "pct", "plus", "or_more", "num2", "scale2",
            "noun", "per", "ratio_a", "ratio_b", "frac",
        ],
        FactType::Organisation | FactType::Technology => &["span", "name", "veto"],
    }
}

impl PatternFile {
    /// Loads and checks a pattern file; its name gives the fact type.
    pub fn load(path: &Path) -> Result<PatternFile, RuleError> {
        let text = read_text(path)?;
        PatternFile::parse(path, &text)
    }

    /// Parses and checks the text of a pattern file; `path` names it in
    /// errors and gives the fact type.
    pub fn parse(path: &Path, text: &str) -> Result<PatternFile, RuleError> {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let fact_type = match stem {
            "dates" => FactType::Date,
            "metrics" => FactType::Metric,
            "organisations" => FactType::Organisation,
            "technologies" => FactType::Technology,
            _ => {
                return Err(RuleError::file(
                    path,
                    "unknown pattern file: name it dates.rules, metrics.rules, organisations.rules or technologies.rules",
                ))
            }
        };
        let mut defines: BTreeMap<String, String> = BTreeMap::new();
        let mut rules: Vec<PatternRule> = Vec::new();
        let mut pattern_lines: Vec<usize> = Vec::new();
        enum At {
            Start,
            Define,
            Rule,
        }
        let mut at = At::Start;
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                if header == "define" {
                    at = At::Define;
                    continue;
                }
                let Some(id) = header.strip_prefix("rule ").map(str::trim) else {
                    return Err(RuleError::at(
                        path,
                        line_no,
                        format!("unknown section [{header}] (expected [define] or [rule ID])"),
                    ));
                };
                if id.is_empty() || id.contains(char::is_whitespace) {
                    return Err(RuleError::at(path, line_no, "a rule id is one word"));
                }
                if let Some(prev) = rules.iter().find(|r| r.id == id) {
                    return Err(RuleError::at(
                        path,
                        line_no,
                        format!("rule {id} is already defined at line {}", prev.line),
                    ));
                }
                rules.push(PatternRule {
                    id: id.to_string(),
                    pattern: String::new(),
                    attrs: BTreeMap::new(),
                    examples: Vec::new(),
                    counters: Vec::new(),
                    line: line_no,
                });
                pattern_lines.push(0);
                at = At::Rule;
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(RuleError::at(path, line_no, "expected KEY = VALUE"));
            };
            let (key, value) = (key.trim(), value.trim());
            match at {
                At::Start => {
                    return Err(RuleError::at(
                        path,
                        line_no,
                        "a line before any [define] or [rule ID] section",
                    ))
                }
                At::Define => {
                    if !key
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                    {
                        return Err(RuleError::at(
                            path,
                            line_no,
                            format!("definition names are upper case: {key:?}"),
                        ));
                    }
                    let expanded =
                        expand(value, &defines).map_err(|e| RuleError::at(path, line_no, e))?;
                    // A faulty definition is reported here, at its own
                    // line, not at every rule that uses it.
                    if let Err(e) = regex_syntax::Parser::new().parse(&expanded) {
                        return Err(RuleError::at(
                            path,
                            line_no,
                            format!(
                                "bad regex in definition {key}: {}",
                                regex_problem(&e, &expanded)
                            ),
                        ));
                    }
                    defines.insert(key.to_string(), expanded);
                }
                At::Rule => {
                    let rule = rules.last_mut().expect("inside a rule");
                    match key {
                        "pattern" => {
                            if !rule.pattern.is_empty() {
                                return Err(RuleError::at(path, line_no, "a rule has one pattern"));
                            }
                            rule.pattern = expand(value, &defines)
                                .map_err(|e| RuleError::at(path, line_no, e))?;
                            *pattern_lines.last_mut().expect("inside a rule") = line_no;
                        }
                        "example" => {
                            let Some((input, expected)) = value.split_once("=>") else {
                                return Err(RuleError::at(
                                    path,
                                    line_no,
                                    "expected example = TEXT => VALUE",
                                ));
                            };
                            rule.examples.push((
                                line_no,
                                input.trim().to_string(),
                                expected.trim().to_string(),
                            ));
                        }
                        "counter" => rule.counters.push((line_no, value.to_string())),
                        _ => {
                            rule.attrs.insert(key.to_string(), value.to_string());
                        }
                    }
                }
            }
        }
        let allowed = slots(fact_type);
        for (rule, &line) in rules.iter().zip(&pattern_lines) {
            if rule.pattern.is_empty() {
                return Err(RuleError::at(
                    path,
                    rule.line,
                    format!("rule {} has no pattern", rule.id),
                ));
            }
            // Parsed, not compiled: the finders and slot readers compile
            // every rule once the file is loaded.
            let hir = regex_syntax::Parser::new()
                .parse(&rule.pattern)
                .map_err(|e| {
                    RuleError::at(
                        path,
                        line,
                        format!(
                            "bad regex in rule {}: {}",
                            rule.id,
                            regex_problem(&e, &rule.pattern)
                        ),
                    )
                    .caused_by(e)
                })?;
            for name in capture_names(&hir) {
                if !allowed.contains(&name) {
                    return Err(RuleError::at(
                        path,
                        line,
                        format!(
                            "rule {}: unknown group {name:?} (this file's groups: {})",
                            rule.id,
                            allowed.join(", ")
                        ),
                    ));
                }
            }
            if let Some(kind) = rule.attrs.get("kind") {
                let date_kinds = DateKind::ALL.map(DateKind::as_str);
                let known: &[&str] = match fact_type {
                    FactType::Date => &date_kinds,
                    FactType::Metric => &["count", "percent", "money", "ratio", "fraction", "bare"],
                    _ => &[],
                };
                if !known.is_empty() && !known.contains(&kind.as_str()) {
                    return Err(RuleError::at(
                        path,
                        rule.line,
                        format!(
                            "rule {}: unknown kind {kind:?} (this file's kinds: {})",
                            rule.id,
                            known.join(", ")
                        ),
                    ));
                }
            }
            if matches_empty_text(&hir) {
                return Err(RuleError::at(
                    path,
                    line,
                    format!("rule {} matches empty text", rule.id),
                ));
            }
        }
        Ok(PatternFile {
            path: path.to_path_buf(),
            fact_type,
            rules,
        })
    }
}

/// The names of a pattern's capture groups, in the order they open.
fn capture_names(hir: &Hir) -> Vec<&str> {
    fn walk<'h>(hir: &'h Hir, names: &mut Vec<&'h str>) {
        match hir.kind() {
            HirKind::Capture(cap) => {
                names.extend(cap.name.as_deref());
                walk(&cap.sub, names);
            }
            HirKind::Repetition(rep) => walk(&rep.sub, names),
            HirKind::Concat(subs) | HirKind::Alternation(subs) => {
                subs.iter().for_each(|sub| walk(sub, names))
            }
            HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => {}
        }
    }
    let mut names = Vec::new();
    walk(hir, &mut names);
    names
}

/// Whether a pattern matches the empty text: every position is both its
/// start and its end, with no word character on either side.
fn matches_empty_text(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Empty => true,
        HirKind::Literal(_) | HirKind::Class(_) => false,
        HirKind::Look(look) => !matches!(
            look,
            Look::WordAscii
                | Look::WordUnicode
                | Look::WordStartAscii
                | Look::WordEndAscii
                | Look::WordStartUnicode
                | Look::WordEndUnicode
        ),
        HirKind::Repetition(rep) => rep.min == 0 || matches_empty_text(&rep.sub),
        HirKind::Capture(cap) => matches_empty_text(&cap.sub),
        HirKind::Concat(subs) => subs.iter().all(matches_empty_text),
        HirKind::Alternation(subs) => subs.iter().any(matches_empty_text),
    }
}

/// Replaces `{NAME}` with its definition, in a non-capturing group.
/// Regex repetitions such as `{2}` or `{1,3}` are left alone.
fn expand(pattern: &str, defines: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}');
        let name = close.map(|c| &after[..c]).unwrap_or("");
        let is_name = !name.is_empty()
            && name.starts_with(|c: char| c.is_ascii_uppercase())
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        let escaped = out.ends_with('\\') || out.ends_with("\\p") || out.ends_with("\\P");
        if is_name && !escaped {
            let body = defines
                .get(name)
                .ok_or_else(|| format!("{{{name}}} is not defined above"))?;
            out.push_str("(?:");
            out.push_str(body);
            out.push(')');
            rest = &after[close.expect("found") + 1..];
        } else {
            out.push('{');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// A regex error in a few words, with the faulty text around it (not the
/// whole expanded pattern).
fn regex_problem(e: &regex_syntax::Error, pattern: &str) -> String {
    let (kind, span) = match e {
        regex_syntax::Error::Parse(e) => (e.kind().to_string(), *e.span()),
        regex_syntax::Error::Translate(e) => (e.kind().to_string(), *e.span()),
        other => return one_line(&other.to_string()),
    };
    let from = pattern[..span.start.offset]
        .char_indices()
        .rev()
        .nth(19)
        .map_or(0, |(i, _)| i);
    let to = pattern[span.end.offset..]
        .char_indices()
        .nth(20)
        .map_or(pattern.len(), |(i, _)| span.end.offset + i);
    format!("{kind} at {:?}", &pattern[from..to])
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, body: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        (dir, path)
    }

    #[test]
    fn loads_rules_with_definitions_and_examples() {
        let (_d, path) = write(
            "dates.rules",
            "# c\n[define]\nM = March|April\nL = x\nMY = {M}\\s+\\d{4}\n[rule date.x]\nkind = point\npattern = (?P<month>{M})\\s+(?P<year>\\d{4})\\p{L}?\nexample = March 2023 => 2023-03\n",
        );
        let f = PatternFile::load(&path).unwrap();
        assert_eq!(f.fact_type, FactType::Date);
        assert_eq!(f.rules.len(), 1);
        let r = &f.rules[0];
        assert_eq!(
            r.pattern,
            r"(?P<month>(?:March|April))\s+(?P<year>\d{4})\p{L}?"
        );
        assert_eq!(r.attrs.get("kind").map(String::as_str), Some("point"));
        assert_eq!(r.examples, vec![(9, "March 2023".into(), "2023-03".into())]);
    }

    #[test]
    fn names_the_line_of_each_mistake() {
        let cases = [
            ("[rule a]\npattern = (unclosed\n", 2, "bad regex in rule a"),
            (
                "[rule a]\npattern = {NOPE}\n",
                2,
                "{NOPE} is not defined above",
            ),
            (
                "[rule a]\npattern = (?P<colour>x)\n",
                2,
                "unknown group \"colour\"",
            ),
            ("[rule a]\nkind = point\n", 1, "rule a has no pattern"),
            (
                "[rule a]\npattern = a\n[rule a]\npattern = b\n",
                3,
                "already defined at line 1",
            ),
            ("pattern = a\n", 1, "before any"),
            ("[rule a]\npattern = x*\n", 2, "matches empty text"),
            ("[rules a]\n", 1, "unknown section"),
        ];
        for (body, line, reason) in cases {
            let (_d, path) = write("dates.rules", body);
            let e = PatternFile::load(&path).unwrap_err();
            assert_eq!(e.line, Some(line), "{body}: {e}");
            assert!(e.reason.contains(reason), "{body}: {e}");
        }
        // The regex library's own error is kept as the source.
        let (_d, path) = write("dates.rules", "[rule a]\npattern = (unclosed\n");
        let e = PatternFile::load(&path).unwrap_err();
        let source = std::error::Error::source(&e).expect("a source");
        assert!(
            source.downcast_ref::<regex_syntax::Error>().is_some(),
            "{source}"
        );
        let (_d, path) = write("colours.rules", "[rule a]\npattern = a\n");
        assert!(PatternFile::load(&path)
            .unwrap_err()
            .reason
            .contains("unknown pattern file"));
    }

    #[test]
    fn empty_text_and_group_names_are_read_from_the_syntax_tree() {
        let parse = |p: &str| regex_syntax::Parser::new().parse(p).unwrap();
        let cases = [
            ("x*", true),
            ("x+", false),
            ("(?:a|b?)", true),
            ("\\bx?", false),
            ("\\Bx?", true),
            ("^$", true),
            ("(?m)^x{0,2}$", true),
            ("\\b{start-half}(?:x)?", true),
            ("\\b{end}", false),
            ("(?P<num>\\d*)(?P<unit>%)", false),
            ("(?P<num>\\d*)(?P<unit>%?)", true),
        ];
        for (pattern, empty) in cases {
            assert_eq!(matches_empty_text(&parse(pattern)), empty, "{pattern}");
            // The same answer as a compiled regex gives.
            let compiled = regex::Regex::new(pattern).unwrap().is_match("");
            assert_eq!(compiled, empty, "{pattern}");
        }
        let hir = parse("(?P<qual>a)?(?:(?P<num>1)|(b))(?P<unit>c(?P<scale>d))");
        assert_eq!(capture_names(&hir), ["qual", "num", "unit", "scale"]);
    }
}
