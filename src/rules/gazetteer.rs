//! Gazetteer files: the knowledge base of ICSs, organisations and
//! technologies, with the aliases each entry is found by. The loader adds
//! the mechanical variants of every alias itself (curly or straight
//! apostrophe, hyphen or space, `&` or `and`, plural technology terms, trust
//! name endings), so the files list only real variants.

use super::tsv::{self, list};
use super::{Lexicon, RuleError};
use crate::calendar::Ymd;
use crate::rules::Table;
use crate::sections::{normalise, SectionRules};
use std::collections::HashSet;
use std::path::Path;

/// How an alias's letter case must match the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseRule {
    /// Acronyms (no lower-case letter) exactly; in other aliases, upper-case
    /// acronym words exactly and a capitalised first word with a capital;
    /// the rest in any case ("Royal Wolverhampton NHS trust" matches).
    Auto,
    /// Exactly as written.
    Exact,
    /// In any case.
    Any,
}

impl CaseRule {
    fn parse(s: &str) -> Option<CaseRule> {
        match s {
            "" | "auto" => Some(CaseRule::Auto),
            "exact" => Some(CaseRule::Exact),
            "any" => Some(CaseRule::Any),
            _ => None,
        }
    }

    /// Reads a case-rule field of a rule file line.
    fn read(field: &str, path: &Path, line: usize) -> Result<CaseRule, RuleError> {
        CaseRule::parse(field).ok_or_else(|| {
            RuleError::at(
                path,
                line,
                format!("unknown case rule {field:?} (expected auto, exact or any)"),
            )
        })
    }

    /// Whether `found` (equal to `alias` but for ASCII case) is acceptable.
    pub fn accepts(self, alias: &str, found: &str) -> bool {
        match self {
            CaseRule::Any => true,
            CaseRule::Exact => alias == found,
            // Written as the alias is: every check below holds.
            CaseRule::Auto if alias == found => true,
            CaseRule::Auto => {
                if !alias.chars().any(char::is_lowercase) {
                    return alias == found;
                }
                let capital = |w: &str| w.starts_with(|c: char| c.is_uppercase());
                let first_ok = match (alias.split(' ').next(), found.split(' ').next()) {
                    (Some(a), Some(f)) => !capital(a) || capital(f),
                    _ => true,
                };
                first_ok
                    && alias.split(' ').zip(found.split(' ')).all(|(a, f)| {
                        let acronym = a.chars().filter(|c| c.is_alphabetic()).count() > 1
                            && !a.chars().any(char::is_lowercase);
                        !acronym || a == f
                    })
            }
        }
    }
}

/// What an entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// An organisation (an ICS/ICB included).
    Organisation {
        /// trust, national, council, company, university, charity, network, media,
        /// hospital, ccg, csu, ics, other.
        kind: String,
        /// A public code (ODS) when known.
        code: Option<String>,
        /// The NHS England region of an ICS.
        region: Option<String>,
        /// For a body that merged into another or was renamed: the day it
        /// ceased under this name, and the canonical name of the body that
        /// took over (another entry).
        succession: Option<Succession>,
    },
    /// A technology, product or digital service.
    Technology {
        /// A short class of technology.
        category: String,
    },
    /// A phrase that is never a fact (an event, programme or generic
    /// reference): where it matches, nothing inside it is a fact.
    Stop {
        /// Why it is listed.
        reason: String,
    },
}

/// When a body ceased and which body took over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Succession {
    /// The first day the body no longer existed under this name.
    pub until: Ymd,
    /// The successor's canonical name (an organisation entry).
    pub successor: String,
}

/// One gazetteer entry: its canonical name and where it is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The canonical name facts carry.
    pub canonical: String,
    /// Organisation or technology, with its attributes.
    pub kind: EntryKind,
    /// The rule id its facts carry, stable while the entry stands: the
    /// file and the canonical name (`organisations.tsv:Barts Health NHS
    /// Trust`), so an edit elsewhere in the file changes no fact's rule.
    pub rule: String,
    /// Where it is defined, for messages: `organisations.tsv:12`.
    pub defined_at: String,
}

/// One string the gazetteer matches, and the entry it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// The text to find.
    pub text: String,
    /// Index into [`Gazetteer::entries`].
    pub entry: usize,
    /// How its case must match.
    pub case: CaseRule,
}

/// All gazetteer entries and their aliases, variants included.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    /// Entries in file order.
    pub entries: Vec<Entry>,
    /// Every alias with its variants.
    pub aliases: Vec<Alias>,
}

const ORG_KINDS: &[&str] = &[
    "trust",
    "national",
    "council",
    "company",
    "university",
    "charity",
    "network",
    "media",
    "hospital",
    "ccg",
    "csu",
    "other",
];

/// One of England's Integrated Care Systems, as ics.tsv lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct System {
    /// Its canonical name (sections and facts carry it).
    pub canonical: String,
    /// Its NHS England region.
    pub region: String,
    /// Its ICB's ODS code.
    pub code: Option<String>,
}

impl Gazetteer {
    /// The Integrated Care Systems, in file order.
    pub fn systems(&self) -> Vec<System> {
        self.entries
            .iter()
            .filter_map(|e| match &e.kind {
                EntryKind::Organisation {
                    kind, code, region, ..
                } if kind == "ics" => Some(System {
                    canonical: e.canonical.clone(),
                    region: region.clone().unwrap_or_default(),
                    code: code.clone(),
                }),
                _ => None,
            })
            .collect()
    }

    /// Loads the gazetteer folder; ICS names also go to the section rules.
    pub fn load(
        dir: &Path,
        sections: &mut SectionRules,
        lexicon: &Lexicon,
    ) -> Result<Gazetteer, RuleError> {
        let mut g = Gazetteer::default();
        let suffixes_path = dir.join("trust_suffixes.tsv");
        let mut suffixes: Vec<String> = tsv::read(&suffixes_path, 1, 1)?
            .into_iter()
            .map(|r| r.fields[0].clone())
            .collect();
        suffixes.sort_by_key(|s| std::cmp::Reverse(s.len()));
        g.load_ics(dir, sections)?;
        // A trust's bare name is used when it is distinctive: not an ICS
        // place, and holding a word such as "Hospitals" or "Partnership".
        let distinctive = |s: &str| {
            !sections.ics_names.contains_key(&normalise(s))
                && s.split_whitespace()
                    .any(|w| lexicon.contains(Table::OrgNameWords, w))
        };
        g.load_organisations(&dir.join("organisations.tsv"), &suffixes, &distinctive)?;
        g.load_technologies(&dir.join("technologies.tsv"))?;
        g.load_stop_phrases(&dir.join("stop_phrases.tsv"))?;
        Ok(g)
    }

    fn push(&mut self, entry: Entry, names: &[String], case: CaseRule, plural: bool) {
        let index = self.entries.len();
        self.entries.push(entry);
        let mut seen = HashSet::new();
        for name in names {
            for text in variants(name, plural) {
                if seen.insert(text.clone()) {
                    self.aliases.push(Alias {
                        text,
                        entry: index,
                        case,
                    });
                }
            }
        }
    }

    fn load_ics(&mut self, dir: &Path, sections: &mut SectionRules) -> Result<(), RuleError> {
        let forms_path = dir.join("ics_forms.tsv");
        let forms: Vec<(usize, String)> = tsv::read(&forms_path, 1, 1)?
            .into_iter()
            .map(|r| (r.line, r.fields[0].clone()))
            .collect();
        for (line, form) in &forms {
            if !form.contains("{place}") && !form.contains("{abbr}") {
                return Err(RuleError::at(
                    &forms_path,
                    *line,
                    "a form must contain {place} or {abbr}",
                ));
            }
        }
        let path = dir.join("ics.tsv");
        let rows = tsv::read(&path, 2, 6)?;
        for row in rows {
            let [canonical, region, ods, places, abbreviations, names] =
                <[String; 6]>::try_from(row.fields).expect("tsv::read pads to 6 fields");
            let mut all_places = vec![canonical.clone()];
            all_places.extend(list(&places).map(str::to_string));
            let abbreviations: Vec<String> = list(&abbreviations).map(str::to_string).collect();
            let names: Vec<String> = list(&names).map(str::to_string).collect();
            for variant in all_places.iter().chain(&abbreviations).chain(&names) {
                let key = normalise(variant);
                if let Some(other) = sections.ics_names.get(&key) {
                    if *other != canonical {
                        return Err(RuleError::at(
                            &path,
                            row.line,
                            format!("{variant:?} already names the ICS {other:?}"),
                        ));
                    }
                }
                sections.ics_names.insert(key, canonical.clone());
            }
            let mut aliases = names.clone();
            for (_, form) in &forms {
                // A form with both takes every place with every abbreviation
                // ("{place} ({abbr}) Integrated Care Board").
                let places: Vec<String> = if form.contains("{place}") {
                    all_places
                        .iter()
                        .map(|p| form.replace("{place}", p))
                        .collect()
                } else {
                    vec![form.clone()]
                };
                for with_place in places {
                    if with_place.contains("{abbr}") {
                        aliases.extend(
                            abbreviations
                                .iter()
                                .map(|a| with_place.replace("{abbr}", a)),
                        );
                    } else {
                        aliases.push(with_place);
                    }
                }
            }
            let entry = Entry {
                canonical: canonical.clone(),
                kind: EntryKind::Organisation {
                    kind: "ics".into(),
                    code: Some(ods).filter(|c| !c.is_empty()),
                    region: Some(region),
                    succession: None,
                },
                rule: format!("ics.tsv:{canonical}"),
                defined_at: format!("ics.tsv:{}", row.line),
            };
            self.push(entry, &aliases, CaseRule::Auto, false);
        }
        Ok(())
    }

    fn load_organisations(
        &mut self,
        path: &Path,
        suffixes: &[String],
        distinctive: &dyn Fn(&str) -> bool,
    ) -> Result<(), RuleError> {
        let first = self.entries.len();
        let mut successors: Vec<(usize, usize, String)> = Vec::new();
        let rows = tsv::read(path, 2, 7)?;
        // A trust's bare name is not used where another line lists that
        // name ("Southend University Hospital" is the hospital, not the
        // former trust's short form).
        let listed: HashSet<&str> = rows
            .iter()
            .flat_map(|r| std::iter::once(r.fields[0].as_str()).chain(list(&r.fields[2])))
            .collect();
        let distinctive = |s: &str| distinctive(s) && !listed.contains(s);
        for row in rows.iter().cloned() {
            let [canonical, kind, aliases, case, code, until, successor] =
                <[String; 7]>::try_from(row.fields).expect("tsv::read pads to 7 fields");
            let succession = match (until.is_empty(), successor.is_empty()) {
                (true, true) => None,
                (false, false) => Some(Succession {
                    until: parse_until(&until).ok_or_else(|| {
                        RuleError::at(
                            path,
                            row.line,
                            format!("until {until:?} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"),
                        )
                    })?,
                    successor: successor.clone(),
                }),
                _ => {
                    return Err(RuleError::at(
                        path,
                        row.line,
                        "a body that ceased needs both `until` and `successor`",
                    ))
                }
            };
            if succession.is_some() {
                successors.push((self.entries.len(), row.line, successor));
            }
            if !ORG_KINDS.contains(&kind.as_str()) {
                return Err(RuleError::at(
                    path,
                    row.line,
                    format!(
                        "unknown kind {kind:?} (expected one of {})",
                        ORG_KINDS.join(", ")
                    ),
                ));
            }
            let case = CaseRule::read(&case, path, row.line)?;
            let mut names = with_aliases(&canonical, &aliases);
            if kind == "trust" {
                names = trust_variants(&names, suffixes, &distinctive);
            }
            if kind == "company" {
                names = with_trade_marks(names);
            }
            if kind == "csu" {
                names = csu_variants(names);
            }
            let entry = Entry {
                canonical,
                kind: EntryKind::Organisation {
                    kind,
                    code: Some(code).filter(|c| !c.is_empty()),
                    region: None,
                    succession,
                },
                rule: format!("organisations.tsv:{}", names[0]),
                defined_at: format!("organisations.tsv:{}", row.line),
            };
            self.push(entry, &names, case, false);
        }
        let position = |name: &str| {
            self.entries[first..].iter().position(|e| {
                e.canonical == name && matches!(e.kind, EntryKind::Organisation { .. })
            })
        };
        for (index, line, successor) in &successors {
            let found = position(successor);
            if found.is_none() || found == Some(index - first) {
                return Err(RuleError::at(
                    path,
                    *line,
                    format!("successor {successor:?} is not another organisation in this file"),
                ));
            }
            // Follow the line of succession: it must end, not come round.
            let mut body = first + found.expect("checked above");
            for _ in 0..=successors.len() {
                let EntryKind::Organisation {
                    succession: Some(s),
                    ..
                } = &self.entries[body].kind
                else {
                    break;
                };
                if body == *index {
                    return Err(RuleError::at(
                        path,
                        *line,
                        "its line of successors comes back to it",
                    ));
                }
                body = first + position(&s.successor).expect("every successor is checked");
            }
        }
        Ok(())
    }

    fn load_technologies(&mut self, path: &Path) -> Result<(), RuleError> {
        for row in tsv::read(path, 2, 4)? {
            let [canonical, category, aliases, case] =
                <[String; 4]>::try_from(row.fields).expect("tsv::read pads to 4 fields");
            let case = CaseRule::read(&case, path, row.line)?;
            let names = with_trade_marks(with_aliases(&canonical, &aliases));
            let entry = Entry {
                canonical,
                kind: EntryKind::Technology { category },
                rule: format!("technologies.tsv:{}", names[0]),
                defined_at: format!("technologies.tsv:{}", row.line),
            };
            self.push(entry, &names, case, true);
        }
        Ok(())
    }
}

impl Gazetteer {
    fn load_stop_phrases(&mut self, path: &Path) -> Result<(), RuleError> {
        for row in tsv::read(path, 1, 3)? {
            let [phrase, reason, case] =
                <[String; 3]>::try_from(row.fields).expect("tsv::read pads to 3 fields");
            let case = CaseRule::read(&case, path, row.line)?;
            let entry = Entry {
                canonical: phrase.clone(),
                kind: EntryKind::Stop { reason },
                rule: format!("stop_phrases.tsv:{phrase}"),
                defined_at: format!("stop_phrases.tsv:{}", row.line),
            };
            self.push(entry, &[phrase], case, false);
        }
        Ok(())
    }
}

/// The day a body ceased: `YYYY-MM-DD`, or the first day of `YYYY-MM` or
/// `YYYY`.
fn parse_until(s: &str) -> Option<Ymd> {
    match s.len() {
        10 => Ymd::parse_iso(s),
        7 => Ymd::new(s[..4].parse().ok()?, s[5..].parse().ok()?, 1).filter(|_| &s[4..5] == "-"),
        4 => Ymd::new(s.parse().ok()?, 1, 1),
        _ => None,
    }
}

/// An entry's canonical name followed by its `|`-separated aliases.
fn with_aliases(canonical: &str, aliases: &str) -> Vec<String> {
    std::iter::once(canonical)
        .chain(list(aliases))
        .map(str::to_string)
        .collect()
}

/// Product and company names with trade-mark residue as news copy carries
/// it: "™", "®" or a plain "TM" glued to the first or the last word
/// ("Connected™ Scheduling", "ConnectedTM Scheduling", "Lantum®"). Only
/// names that start with a capital and are not acronyms get them.
fn with_trade_marks(names: Vec<String>) -> Vec<String> {
    let mut out = names.clone();
    let marked = |n: &&String| n.starts_with(char::is_uppercase) && n.contains(char::is_lowercase);
    for name in names.iter().filter(marked) {
        for mark in ["™", "®", "TM"] {
            out.push(format!("{name}{mark}"));
            if let Some((first, rest)) = name.split_once(' ') {
                out.push(format!("{first}{mark} {rest}"));
            }
        }
    }
    out
}

/// Trust names with every interchangeable ending, with and without a
/// leading "The", and the canonical name's bare form when that has two
/// words or more and is `distinctive`.
fn trust_variants(
    names: &[String],
    suffixes: &[String],
    distinctive: &dyn Fn(&str) -> bool,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        out.push(name.to_string());
        let name = name.strip_prefix("The ").unwrap_or(name);
        out.push(name.to_string());
        let Some(base) = suffixes.iter().find_map(|s| {
            name.strip_suffix(s.as_str())
                .and_then(|b| b.strip_suffix(' '))
        }) else {
            continue;
        };
        out.extend(suffixes.iter().map(|s| format!("{base} {s}")));
        if i == 0 && base.split_whitespace().count() >= 2 && distinctive(base) {
            out.push(base.to_string());
        }
    }
    let mut seen = HashSet::new();
    out.retain(|s| seen.insert(s.clone()));
    out
}

/// A commissioning support unit's names with its short ending ("X
/// Commissioning Support Unit" is also "X CSU"), with and without a
/// leading "NHS".
fn csu_variants(names: Vec<String>) -> Vec<String> {
    let mut out = names.clone();
    for name in &names {
        let Some(base) = name.strip_suffix(" Commissioning Support Unit") else {
            continue;
        };
        let bare = base.strip_prefix("NHS ").unwrap_or(base);
        for v in [
            format!("{bare} Commissioning Support Unit"),
            format!("NHS {bare} Commissioning Support Unit"),
            format!("{bare} CSU"),
            format!("NHS {bare} CSU"),
        ] {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

/// An alias with its mechanical variants: apostrophes, hyphens, `&`/`and`,
/// and (for technologies) a plural.
pub fn variants(alias: &str, plural: bool) -> Vec<String> {
    let mut out = vec![alias.to_string()];
    let mut add = |f: &dyn Fn(&str) -> Option<String>| {
        let more: Vec<String> = out.iter().filter_map(|s| f(s)).collect();
        for m in more {
            if !out.contains(&m) {
                out.push(m);
            }
        }
    };
    add(&|s| s.contains('\u{2019}').then(|| s.replace('\u{2019}', "'")));
    add(&|s| s.contains('\'').then(|| s.replace('\'', "\u{2019}")));
    add(&|s| s.contains('-').then(|| s.replace('-', " ")));
    add(&|s| s.contains(" and ").then(|| s.replace(" and ", " & ")));
    add(&|s| s.contains(" & ").then(|| s.replace(" & ", " and ")));
    if plural {
        add(&crate::text::plural);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_case_rule() {
        let auto = CaseRule::Auto;
        assert!(auto.accepts("UHCW", "UHCW"));
        assert!(!auto.accepts("UHCW", "uhcw"));
        assert!(auto.accepts(
            "Royal Wolverhampton NHS Trust",
            "Royal Wolverhampton NHS trust"
        ));
        assert!(!auto.accepts(
            "Royal Wolverhampton NHS Trust",
            "royal wolverhampton NHS Trust"
        ));
        assert!(!auto.accepts(
            "Royal Wolverhampton NHS Trust",
            "Royal Wolverhampton nhs Trust"
        ));
        assert!(auto.accepts("shared care record", "Shared Care Record"));
        assert!(!CaseRule::Exact.accepts("Epic", "EPIC"));
        assert!(CaseRule::Any.accepts("nice", "NICE"));
    }

    #[test]
    fn mechanical_variants() {
        assert_eq!(
            variants("Guy’s and St Thomas’", false),
            vec![
                "Guy’s and St Thomas’",
                "Guy's and St Thomas'",
                "Guy’s & St Thomas’",
                "Guy's & St Thomas'"
            ]
        );
        assert_eq!(
            variants("Stoke-on-Trent", false),
            vec!["Stoke-on-Trent", "Stoke on Trent"]
        );
        assert_eq!(
            variants("virtual ward", true),
            vec!["virtual ward", "virtual wards"]
        );
        assert_eq!(
            variants("digital therapy", true),
            vec!["digital therapy", "digital therapies"]
        );
        assert_eq!(variants("EPR", true), vec!["EPR"]);
    }

    #[test]
    fn a_commissioning_support_unit_is_also_its_csu() {
        assert_eq!(
            csu_variants(vec![
                "NHS Arden and Greater East Midlands Commissioning Support Unit".into(),
                "AGCSU".into()
            ]),
            vec![
                "NHS Arden and Greater East Midlands Commissioning Support Unit",
                "AGCSU",
                "Arden and Greater East Midlands Commissioning Support Unit",
                "Arden and Greater East Midlands CSU",
                "NHS Arden and Greater East Midlands CSU",
            ]
        );
    }

    #[test]
    fn trade_mark_residue_is_a_variant_of_names() {
        assert_eq!(
            with_trade_marks(vec!["Connected Scheduling".into(), "virtual ward".into()]),
            vec![
                "Connected Scheduling",
                "virtual ward",
                "Connected Scheduling™",
                "Connected™ Scheduling",
                "Connected Scheduling®",
                "Connected® Scheduling",
                "Connected SchedulingTM",
                "ConnectedTM Scheduling",
            ]
        );
    }

    #[test]
    fn trust_endings_are_interchangeable() {
        let suffixes: Vec<String> = [
            "NHS Foundation Trust",
            "Foundation Trust",
            "NHS Trust",
            "Trust",
        ]
        .map(String::from)
        .to_vec();
        let any = |_: &str| true;
        let v = trust_variants(
            &["The Royal Wolverhampton NHS Trust".into()],
            &suffixes,
            &any,
        );
        assert_eq!(
            v,
            vec![
                "The Royal Wolverhampton NHS Trust",
                "Royal Wolverhampton NHS Trust",
                "Royal Wolverhampton NHS Foundation Trust",
                "Royal Wolverhampton Foundation Trust",
                "Royal Wolverhampton Trust",
                "Royal Wolverhampton",
            ]
        );
        let v = trust_variants(&["Solent NHS Trust".into()], &suffixes, &any);
        assert!(!v.contains(&"Solent".to_string()));
        let not_place = |s: &str| s != "Mid and South Essex";
        let v = trust_variants(
            &[
                "Mid and South Essex NHS Foundation Trust".into(),
                "MSE Trust".into(),
            ],
            &suffixes,
            &not_place,
        );
        assert!(!v.contains(&"Mid and South Essex".to_string()));
        assert!(!v.contains(&"MSE".to_string()));
    }
}
