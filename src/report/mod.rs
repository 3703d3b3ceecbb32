//! The digest of a run: what each of England's 42 Integrated Care Systems
//! is doing in digital — its organisations, technologies, suppliers and
//! products, money, counts and dated facts — with the same picture per NHS
//! region and nationally, every item linked to the sentences that say so.
//!
//! A [`DigestBuilder`] takes a run's documents and then its facts, one
//! document at a time, keeping only bounded aggregates (a few example
//! sentences per item, capped lists), so a run of any size is digested in
//! bounded memory. [`site`] renders the digest as static HTML pages.
//!
//! Attribution (docs/annotation.md, "Digest"): a fact in an ICS section
//! belongs to that ICS; a fact elsewhere belongs to the ICSs its sentence
//! names as organisations (the ICS or its ICB); the rest are national /
//! unattributed.

pub mod chart;
pub mod site;

use crate::fact::{DateKind, FactType, FactValue};
use crate::record::{AnalysedDocument, DocumentRecord, FactRecord, JsonLines};
use crate::review::model::{DocView, StoreError};
use crate::review::store::Store;
use crate::rules::System;
use crate::sections::SectionKind;
use crate::sentences::Sentences;
use crate::text::{cut_around, CodePoints};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

/// Example sentences kept for each organisation, technology or product.
pub const EXAMPLES: usize = 3;
/// Counts and percentages listed per area (the first ones met).
pub const METRICS_LISTED: usize = 50;
/// Dated facts kept in an area's timeline (the latest).
pub const TIMELINE: usize = 100;
/// Characters of a sentence kept around its fact (as in a run's output).
pub const SENTENCE_CHARS: usize = crate::pipeline::SENTENCE_CHARS;

/// The digest of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Digest {
    /// Documents read.
    pub documents: usize,
    /// Facts read.
    pub facts: usize,
    /// Whether the facts are the review database's accepted, corrected
    /// and added ones.
    pub reviewed: bool,
    /// Each ICS, in the knowledge base's order (all 42, covered or not).
    pub systems: Vec<Area>,
    /// Each NHS region: the facts of its ICSs.
    pub regions: Vec<Area>,
    /// Facts that belong to no ICS.
    pub unattributed: Area,
    /// Every fact.
    pub national: Area,
}

/// What the facts of one area (an ICS, a region, the nation) say.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Area {
    /// The area's name (an ICS's canonical name, a region).
    pub name: String,
    /// A file-name-safe form of the name.
    pub slug: String,
    /// The NHS region (for an ICS).
    pub region: Option<String>,
    /// The ICB's ODS code (for an ICS).
    pub code: Option<String>,
    /// Documents with at least one fact here.
    pub documents: usize,
    /// Facts by type, and `total`.
    pub facts: BTreeMap<String, usize>,
    /// Organisations by mentions, most first.
    pub organisations: Vec<Organisation>,
    /// Technology categories by mentions, each with its terms.
    pub technologies: Vec<Category>,
    /// Companies named (organisations of kind `company`).
    pub suppliers: Vec<Organisation>,
    /// Named products and services (technologies whose canonical term is a
    /// proper name).
    pub products: Vec<Term>,
    /// Money, summed per currency.
    pub money: Vec<Money>,
    /// Counts of things (the first [`METRICS_LISTED`]).
    pub counts: Vec<Quantity>,
    /// Percentages (the first [`METRICS_LISTED`]).
    pub percentages: Vec<Quantity>,
    /// Dated facts, oldest first (the latest [`TIMELINE`]).
    pub timeline: Vec<Dated>,
    /// Facts by the quarter their document was published in
    /// (`2023-Q2`, or `undated`).
    pub quarters: BTreeMap<String, usize>,
}

/// A fact an item links to: its sentence, with the fact's text in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The fact id.
    pub id: String,
    /// The document id.
    pub doc: String,
    /// The document's title, when it has one.
    pub title: Option<String>,
    /// The fact's text.
    pub text: String,
    /// Its sentence (cut to [`SENTENCE_CHARS`] around the fact, `…` where cut).
    pub sentence: String,
}

/// An organisation and how often it is mentioned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organisation {
    /// Canonical name.
    pub canonical: String,
    /// Its kind (`trust`, `company`, …).
    pub kind: Option<String>,
    /// Its ODS code, when known.
    pub code: Option<String>,
    /// Mentions.
    pub mentions: usize,
    /// The first mentions' sentences.
    pub examples: Vec<Evidence>,
}

/// A technology term and how often it is mentioned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    /// Canonical term.
    pub canonical: String,
    /// Its category.
    pub category: String,
    /// Mentions.
    pub mentions: usize,
    /// The first mentions' sentences.
    pub examples: Vec<Evidence>,
}

/// A technology category, its mentions and its terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Category {
    /// The category.
    pub category: String,
    /// Mentions of all its terms.
    pub mentions: usize,
    /// Its terms by mentions.
    pub terms: Vec<Term>,
}

/// Money in one currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Money {
    /// Currency code (`GBP`).
    pub currency: String,
    /// The sum of the amounts: a range counts its lower end, an amount
    /// repeated within one section of a document counts once, and a rate
    /// ("£40,000 a month") is not summed (docs/annotation.md, "Digest").
    pub total: f64,
    /// The ids of the facts summed.
    pub facts: Vec<String>,
    /// The largest amounts' sentences (up to [`EXAMPLES`] × 3).
    pub examples: Vec<Evidence>,
}

/// A count or percentage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quantity {
    /// The number.
    pub number: f64,
    /// The unit (`percent`, or the counted noun).
    pub unit: Option<String>,
    /// `over`, `under`, `about`, `at_least`, `at_most`.
    pub qualifier: Option<String>,
    /// The fact.
    pub fact: Evidence,
}

/// A dated fact on a timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dated {
    /// The TIMEX3-style value (`2023-04`, `2023/2025`).
    pub value: String,
    /// Point or range.
    pub kind: String,
    /// The fact.
    pub fact: Evidence,
}

/// What is known of a document: its title and the quarter it was
/// published in.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DocInfo {
    title: Option<String>,
    quarter: String,
}

/// Builds a [`Digest`] from a run's documents and facts.
#[derive(Debug)]
pub struct DigestBuilder {
    systems: Vec<System>,
    by_name: HashMap<String, usize>,
    regions: Vec<String>,
    /// The document whose facts come next.
    current: Option<(String, DocInfo)>,
    documents: usize,
    areas: Vec<AreaBuilder>,
    facts: usize,
    reviewed: bool,
}

impl DigestBuilder {
    /// A builder for these ICSs; `reviewed` marks facts from the review
    /// database.
    pub fn new(systems: Vec<System>, reviewed: bool) -> DigestBuilder {
        let regions: Vec<String> = systems
            .iter()
            .map(|s| s.region.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let by_name = systems
            .iter()
            .enumerate()
            .map(|(i, s)| (s.canonical.clone(), i))
            .collect();
        let areas = (0..systems.len() + regions.len() + 2)
            .map(|_| AreaBuilder::default())
            .collect();
        DigestBuilder {
            systems,
            by_name,
            regions,
            current: None,
            documents: 0,
            areas,
            facts: 0,
            reviewed,
        }
    }

    /// Adds a document; the facts added next are its own.
    pub fn document(&mut self, doc: &AnalysedDocument) {
        let date = doc
            .published
            .as_deref()
            .or(doc.reference.as_ref().map(|r| r.date.as_str()));
        let quarter = date
            .and_then(|d| {
                let year = d.get(..4)?;
                let month: u32 = d.get(5..7)?.parse().ok()?;
                Some(format!("{year}-Q{}", month.div_ceil(3)))
            })
            .unwrap_or_else(|| "undated".into());
        self.documents += 1;
        self.current = Some((
            doc.doc.clone(),
            DocInfo {
                title: doc.title.clone(),
                quarter,
            },
        ));
    }

    /// Adds the facts of the document added last, all of them together
    /// (attribution looks at every fact of a sentence).
    pub fn facts(&mut self, facts: &[FactRecord]) {
        let unknown = DocInfo {
            title: None,
            quarter: "undated".into(),
        };
        let mut named: HashMap<&str, Vec<usize>> = HashMap::new();
        for f in facts {
            if let FactValue::Organisation(o) = &f.value {
                if let (Some("ics"), Some(i)) = (
                    o.kind.as_deref(),
                    o.canonical.as_ref().and_then(|c| self.by_name.get(c)),
                ) {
                    let list = named.entry(f.sentence.as_str()).or_default();
                    if !list.contains(i) {
                        list.push(*i);
                    }
                }
            }
        }
        let national = self.areas.len() - 1;
        let unattributed = national - 1;
        for f in facts {
            self.facts += 1;
            let info = match &self.current {
                Some((doc, info)) if *doc == f.doc => info,
                _ => &unknown,
            };
            let in_section = match (f.section_kind, &f.ics) {
                (SectionKind::Ics, Some(ics)) => self.by_name.get(ics).map(|&i| vec![i]),
                _ => None,
            };
            let systems = in_section
                .or_else(|| named.get(f.sentence.as_str()).cloned())
                .unwrap_or_default();
            let mut targets: Vec<usize> = systems.clone();
            let mut regions: Vec<usize> = systems
                .iter()
                .filter_map(|&i| {
                    let region = &self.systems[i].region;
                    self.regions.iter().position(|r| r == region)
                })
                .map(|r| self.systems.len() + r)
                .collect();
            regions.sort_unstable();
            regions.dedup();
            targets.extend(regions);
            if systems.is_empty() {
                targets.push(unattributed);
            }
            targets.push(national);
            for t in targets {
                self.areas[t].add(f, info);
            }
        }
    }

    /// The digest.
    pub fn finish(self) -> Digest {
        let mut areas = self.areas.into_iter();
        let systems = self
            .systems
            .iter()
            .map(|s| {
                let area = areas.next().expect("one area per ICS");
                area.finish(&s.canonical, Some(&s.region), s.code.as_deref())
            })
            .collect();
        let regions = self
            .regions
            .iter()
            .map(|r| {
                areas
                    .next()
                    .expect("one area per region")
                    .finish(r, None, None)
            })
            .collect();
        let unattributed = areas.next().expect("the unattributed area").finish(
            "National / unattributed",
            None,
            None,
        );
        let national = areas
            .next()
            .expect("the national area")
            .finish("England", None, None);
        Digest {
            documents: self.documents,
            facts: self.facts,
            reviewed: self.reviewed,
            systems,
            regions,
            unattributed,
            national,
        }
    }
}

/// Digests an `extract` output folder, reading `documents.jsonl` and then
/// `facts.jsonl` a line at a time.
pub fn digest_run(run: &Path, systems: Vec<System>) -> Result<Digest, String> {
    if !run.join("summary.json").is_file() {
        return Err(format!(
            "{}: not a complete extract run (no summary.json)",
            run.display()
        ));
    }
    let mut builder = DigestBuilder::new(systems, false);
    let documents_path = run.join("documents.jsonl");
    let mut documents = JsonLines::<DocumentRecord>::open(&documents_path)?;
    let mut current: Vec<FactRecord> = Vec::new();
    let mut flush = |builder: &mut DigestBuilder, facts: &mut Vec<FactRecord>| {
        let Some(doc) = facts.first().map(|f| f.doc.clone()) else {
            return Ok(());
        };
        // documents.jsonl is in the same order as facts.jsonl: read up to
        // this document.
        loop {
            match documents.next().transpose()? {
                Some(DocumentRecord::Analysed(d)) => {
                    builder.document(&d);
                    if d.doc == doc {
                        break;
                    }
                }
                Some(DocumentRecord::Failed(_)) => {}
                None => {
                    return Err(format!(
                        "{}: no record of document {doc:?} (or not in the order of facts.jsonl)",
                        documents_path.display()
                    ))
                }
            }
        }
        builder.facts(facts);
        facts.clear();
        Ok(())
    };
    for fact in JsonLines::<FactRecord>::open(&run.join("facts.jsonl"))? {
        let fact = fact?;
        if current.last().is_some_and(|last| last.doc != fact.doc) {
            flush(&mut builder, &mut current)?;
        }
        current.push(fact);
    }
    flush(&mut builder, &mut current)?;
    for record in documents {
        if let DocumentRecord::Analysed(d) = record? {
            builder.document(&d);
        }
    }
    Ok(builder.finish())
}

/// Digests the facts editors accepted, corrected or added in a review
/// database (a decision whose span no longer matches the article's text is
/// left out).
pub fn digest_review(store: &Store, systems: Vec<System>) -> Result<Digest, StoreError> {
    let mut builder = DigestBuilder::new(systems, true);
    for doc in store.document_ids()? {
        let view = store.document(&doc)?;
        builder.document(&view.record);
        builder.facts(&reviewed_facts(&view));
    }
    Ok(builder.finish())
}

/// A reviewed document's kept facts as records, each placed in its
/// section and sentence.
fn reviewed_facts(view: &DocView) -> Vec<FactRecord> {
    let points = CodePoints::new(&view.text);
    let mut sentences = Sentences::default();
    let mut out = Vec::new();
    for f in &view.facts {
        let Some(d) = f
            .decision
            .as_ref()
            .filter(|d| d.decision.keeps() && !f.stale)
        else {
            continue;
        };
        let span = &d.span;
        let (Some(start), Some(end)) = (points.byte(span.start), points.byte(span.end)) else {
            continue;
        };
        let section = view
            .record
            .sections
            .iter()
            .find(|s| s.start <= span.start && span.start < s.end);
        out.push(FactRecord {
            id: f.id.clone(),
            doc: view.doc.clone(),
            section: section.map_or(0, |s| s.index),
            section_kind: section.map_or(SectionKind::Intro, |s| s.kind),
            ics: section.and_then(|s| s.ics.clone()),
            fact_type: span.fact_type,
            text: span.text.clone(),
            start: span.start,
            end: span.end,
            value: span.value.clone(),
            sentence: sentences.around(&view.text, start, end).to_string(),
            rule: f.rule.clone().unwrap_or_else(|| "review".into()),
        });
    }
    out
}

/// One item's mentions and first examples.
#[derive(Debug, Default)]
struct Mentions {
    count: usize,
    examples: Vec<Evidence>,
}

impl Mentions {
    fn add(&mut self, evidence: impl FnOnce() -> Evidence) {
        self.count += 1;
        if self.examples.len() < EXAMPLES {
            self.examples.push(evidence());
        }
    }
}

/// The running aggregates of one area.
#[derive(Debug, Default)]
struct AreaBuilder {
    /// Documents with facts here, and the last one (a run's facts come
    /// grouped by document).
    documents: usize,
    last_doc: Option<String>,
    by_type: BTreeMap<FactType, usize>,
    organisations: BTreeMap<String, (Option<String>, Option<String>, Mentions)>,
    terms: BTreeMap<(String, String), Mentions>,
    money: BTreeMap<String, MoneyBuilder>,
    counts: Vec<Quantity>,
    percentages: Vec<Quantity>,
    /// The latest dated facts: (value, order seen) → entry; the oldest is
    /// dropped when full.
    timeline: BTreeMap<(String, usize), Dated>,
    seen: usize,
    quarters: BTreeMap<String, usize>,
}

#[derive(Debug, Default)]
struct MoneyBuilder {
    total: f64,
    facts: Vec<String>,
    /// (document, section, amount) already summed.
    summed: HashSet<(String, usize, u64)>,
    examples: Vec<(f64, Evidence)>,
}

impl AreaBuilder {
    fn add(&mut self, f: &FactRecord, doc: &DocInfo) {
        self.seen += 1;
        if self.last_doc.as_ref() != Some(&f.doc) {
            self.documents += 1;
            self.last_doc = Some(f.doc.clone());
        }
        *self.by_type.entry(f.fact_type).or_default() += 1;
        *self.quarters.entry(doc.quarter.clone()).or_default() += 1;
        let evidence = || evidence_of(f, doc);
        match &f.value {
            FactValue::Organisation(o) => {
                let name = o.canonical.clone().unwrap_or_else(|| f.text.clone());
                let entry = self
                    .organisations
                    .entry(name)
                    .or_insert_with(|| (o.kind.clone(), o.code.clone(), Mentions::default()));
                entry.2.add(evidence);
            }
            FactValue::Technology(t) => {
                let name = t.canonical.clone().unwrap_or_else(|| f.text.clone());
                let category = t.category.clone().unwrap_or_else(|| "other".into());
                self.terms
                    .entry((name, category))
                    .or_default()
                    .add(evidence);
            }
            FactValue::Date(d) => {
                let (Some(value), Some(kind @ (DateKind::Point | DateKind::Range))) =
                    (&d.value, d.kind)
                else {
                    return;
                };
                let key = (value.clone(), self.seen);
                if self.timeline.len() == TIMELINE {
                    if self
                        .timeline
                        .first_key_value()
                        .is_some_and(|(k, _)| *k > key)
                    {
                        return;
                    }
                    self.timeline.pop_first();
                }
                self.timeline.insert(
                    key,
                    Dated {
                        value: value.clone(),
                        kind: kind.as_str().into(),
                        fact: evidence(),
                    },
                );
            }
            FactValue::Metric(m) => {
                let Some(number) = m.number.map(|n| n.to_f64()) else {
                    return;
                };
                let unit = m.unit.clone();
                match unit.as_deref() {
                    Some("GBP" | "USD" | "EUR") if m.per.is_none() => {
                        let money = self.money.entry(unit.unwrap_or_default()).or_default();
                        if money
                            .summed
                            .insert((f.doc.clone(), f.section, number.to_bits()))
                        {
                            money.total += number;
                            money.facts.push(f.id.clone());
                            money.examples.push((number, evidence()));
                            money
                                .examples
                                .sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
                            money.examples.truncate(EXAMPLES * 3);
                        }
                    }
                    Some("GBP" | "USD" | "EUR" | "ratio") => {}
                    _ => {
                        let list = if unit.as_deref() == Some("percent") {
                            &mut self.percentages
                        } else {
                            &mut self.counts
                        };
                        if list.len() < METRICS_LISTED {
                            list.push(Quantity {
                                number,
                                unit,
                                qualifier: m.qualifier.map(|q| q.as_str().to_string()),
                                fact: evidence(),
                            });
                        }
                    }
                }
            }
        }
    }

    fn finish(self, name: &str, region: Option<&str>, code: Option<&str>) -> Area {
        let mut facts: BTreeMap<String, usize> = self
            .by_type
            .iter()
            .map(|(t, n)| (t.as_str().to_string(), *n))
            .collect();
        for t in FactType::ALL {
            facts.entry(t.as_str().to_string()).or_insert(0);
        }
        facts.insert("total".into(), self.by_type.values().sum());
        let mut organisations: Vec<Organisation> = self
            .organisations
            .into_iter()
            .map(|(canonical, (kind, code, m))| Organisation {
                canonical,
                kind,
                code,
                mentions: m.count,
                examples: m.examples,
            })
            .collect();
        organisations.sort_by_key(|x| std::cmp::Reverse(x.mentions));
        let suppliers = organisations
            .iter()
            .filter(|o| o.kind.as_deref() == Some("company"))
            .cloned()
            .collect();
        let mut categories: BTreeMap<String, Category> = BTreeMap::new();
        let mut products = Vec::new();
        for ((canonical, category), m) in self.terms {
            let term = Term {
                canonical,
                category: category.clone(),
                mentions: m.count,
                examples: m.examples,
            };
            if term.canonical.chars().any(char::is_uppercase) {
                products.push(term.clone());
            }
            let c = categories.entry(category.clone()).or_insert(Category {
                category,
                mentions: 0,
                terms: Vec::new(),
            });
            c.mentions += term.mentions;
            c.terms.push(term);
        }
        let mut technologies: Vec<Category> = categories.into_values().collect();
        for c in &mut technologies {
            c.terms.sort_by_key(|x| std::cmp::Reverse(x.mentions));
        }
        technologies.sort_by_key(|x| std::cmp::Reverse(x.mentions));
        products.sort_by_key(|x| std::cmp::Reverse(x.mentions));
        Area {
            name: name.to_string(),
            slug: slug(name),
            region: region.map(str::to_string),
            code: code.map(str::to_string),
            documents: self.documents,
            facts,
            organisations,
            technologies,
            suppliers,
            products,
            money: self
                .money
                .into_iter()
                .map(|(currency, m)| Money {
                    currency,
                    total: m.total,
                    facts: m.facts,
                    examples: m.examples.into_iter().map(|(_, e)| e).collect(),
                })
                .collect(),
            counts: self.counts,
            percentages: self.percentages,
            timeline: self.timeline.into_values().collect(),
            quarters: self.quarters,
        }
    }
}

/// A fact's evidence: its sentence cut to [`SENTENCE_CHARS`] around it.
fn evidence_of(f: &FactRecord, doc: &DocInfo) -> Evidence {
    Evidence {
        id: f.id.clone(),
        doc: f.doc.clone(),
        title: doc.title.clone(),
        text: f.text.clone(),
        sentence: {
            let at = f.sentence.find(&f.text).unwrap_or(0);
            let end = if f.sentence[at..].starts_with(&f.text) {
                at + f.text.len()
            } else {
                at
            };
            cut_around(&f.sentence, at, end, SENTENCE_CHARS).into_owned()
        },
    }
}

/// A name as a file name: lower case letters and digits, words joined by `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for word in name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            slug("Bath and North East Somerset, Swindon and Wiltshire"),
            "bath-and-north-east-somerset-swindon-and-wiltshire"
        );
        assert_eq!(slug("National / unattributed"), "national-unattributed");
    }
}
