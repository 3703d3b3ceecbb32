//! Extraction: finds candidate facts in a document's text with the compiled
//! gazetteer and pattern rules (one pass of each), normalises their values,
//! and resolves overlaps so that no two facts share text.

pub mod dates;
mod gazetteer;
pub mod metrics;
pub mod numbers;
pub mod patterns;
mod propagate;
mod taken;

pub use gazetteer::{GazetteerMatcher, Hit};
pub use patterns::{Alphabet, CompiledPatterns, CompiledRule, Slots};

use crate::budget::{candidates_for, Account, Budget, Limit, OverBudget};
use crate::calendar::Ymd;
use crate::fact::FactType;
use crate::fact::{DateKind, FactValue, OrganisationValue, TechnologyValue};
use crate::rules::Table;
use crate::rules::{Entry, EntryKind, Lexicon, RuleError, RuleSet};
use rayon::prelude::*;
use std::borrow::Cow;
use std::cell::Cell;
use std::path::Path;
use std::sync::Arc;

/// Where the reference date for relative expressions came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceSource {
    /// The document's `published` date.
    Published,
    /// A date in the URL path (`/2023/04/11/`).
    Url,
    /// A date standing in the text's first lines (a dateline).
    Dateline,
    /// The run's `--reference-date`, for documents that give none.
    Given,
}

impl ReferenceSource {
    /// The name facts and documents carry.
    pub fn as_str(self) -> &'static str {
        match self {
            ReferenceSource::Published => "published",
            ReferenceSource::Url => "url",
            ReferenceSource::Dateline => "dateline",
            ReferenceSource::Given => "given",
        }
    }

    /// Parses a name written by [`ReferenceSource::as_str`].
    pub fn parse(s: &str) -> Option<ReferenceSource> {
        [
            ReferenceSource::Published,
            ReferenceSource::Url,
            ReferenceSource::Dateline,
            ReferenceSource::Given,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// The date relative expressions resolve against, and its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    /// The date.
    pub date: Ymd,
    /// Where it came from.
    pub from: ReferenceSource,
    /// Whether the day is known: a URL path with only a year and month
    /// (`/2023/10/`) gives month precision, and expressions that need the
    /// day ("Tuesday", "last week") then stay unresolved (guideline §6).
    pub day_precision: bool,
}

/// A fact before it is placed in its section and sentence. Offsets are
/// bytes into the document text.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Byte offset where the span starts.
    pub start: usize,
    /// Byte offset where it ends (exclusive).
    pub end: usize,
    /// The fact's type.
    pub fact_type: FactType,
    /// The normalised value (shared by every hit of a gazetteer entry).
    pub value: Arc<FactValue>,
    /// The rule id or gazetteer line that found it.
    pub rule: Arc<str>,
    /// Tie-break between spans of equal length: lower wins.
    pub priority: u8,
    /// A stop phrase: it takes its span from other candidates and is then
    /// dropped.
    pub stop: bool,
}

/// One text of a group extracted stage by stage
/// ([`Extractor::extract_group`]).
#[derive(Debug)]
pub struct GroupText<'a> {
    /// The text, made [`searchable`].
    pub search: &'a str,
    /// The date its relative expressions resolve against.
    pub reference: Option<Reference>,
    /// Its budget, and the time and work its steps took.
    pub account: &'a mut Account,
}

/// A text's extraction under way: the gazetteer's candidates and those the
/// pattern files have added so far.
#[derive(Debug)]
struct Gathering<'t> {
    search: &'t str,
    reference: Option<Reference>,
    alphabet: Alphabet,
    /// The most candidates it may hold (the budget's).
    most: usize,
    found: Vec<Candidate>,
    /// The product reading of names that are both a company and its
    /// product, taken up at the end where they stand in a list of products.
    products: Vec<Candidate>,
    /// Where the gazetteer's candidates end, by type, sorted.
    known_ends: Vec<(FactType, usize)>,
    /// The gazetteer's technology spans, by start.
    known_terms: Vec<(usize, usize)>,
}

/// Everything compiled from a rule set, ready to run over documents.
#[derive(Debug, Clone)]
pub struct Extractor {
    gazetteer: GazetteerMatcher,
    entries: Vec<Entry>,
    /// Each entry's rule id and value, made once for all its hits.
    entry_facts: Vec<(Arc<str>, Arc<FactValue>)>,
    patterns: Vec<CompiledPatterns>,
    lexicon: Lexicon,
    /// Metric rules whose unit the sentence gives (`unit = from context`),
    /// and whether a match without one is kept (`unit = from context, else
    /// none`) or dropped.
    unit_from_context: Vec<(Arc<str>, bool)>,
    /// For a body that ceased (a merged or renamed trust): each day a body
    /// in its line of succession ceased, and the value its mentions take
    /// in documents from that day on, oldest first.
    successions: Vec<Vec<(Ymd, Arc<FactValue>)>>,
    /// The words of the knowledge base's organisation names
    /// ([`propagate::NameWords`]).
    name_words: propagate::NameWords,
    /// For each company entry (`None` for other entries), the fact its name
    /// makes where it stands for its product and no product entry of that
    /// name matched ("went live with Oracle"): a technology, category
    /// `product`.
    company_products: Vec<Option<Arc<FactValue>>>,
}

impl Extractor {
    /// Compiles the gazetteer into one automaton and each pattern file into
    /// one regex, side by side on the current rayon pool; a bad rule is
    /// reported as a serial load would (the gazetteer first, then the
    /// files in order).
    pub fn new(rules: &RuleSet, dir: &Path) -> Result<Extractor, RuleError> {
        let (gazetteer, patterns) = rayon::join(
            || GazetteerMatcher::build(&rules.gazetteer, dir),
            || {
                rules
                    .patterns
                    .par_iter()
                    .map(CompiledPatterns::compile)
                    .collect::<Vec<_>>()
            },
        );
        Ok(Extractor {
            gazetteer: gazetteer?,
            entries: rules.gazetteer.entries.clone(),
            entry_facts: rules
                .gazetteer
                .entries
                .iter()
                .map(|e| (Arc::from(e.rule.as_str()), Arc::new(entry_value(e))))
                .collect(),
            patterns: patterns.into_iter().collect::<Result<_, _>>()?,
            lexicon: rules.lexicon.clone(),
            unit_from_context: rules
                .patterns
                .iter()
                .flat_map(|f| &f.rules)
                .filter_map(|r| {
                    let keep = match r.attrs.get("unit").map(String::as_str) {
                        Some("from context") => false,
                        Some("from context, else none") => true,
                        _ => return None,
                    };
                    Some((Arc::from(r.id.as_str()), keep))
                })
                .collect(),
            successions: successions(&rules.gazetteer.entries),
            company_products: rules
                .gazetteer
                .entries
                .iter()
                .map(|e| {
                    matches!(&e.kind, EntryKind::Organisation { kind, .. } if kind == "company")
                        .then(|| {
                            Arc::new(FactValue::Technology(TechnologyValue {
                                canonical: Some(e.canonical.clone()),
                                category: Some("product".to_string()),
                            }))
                        })
                })
                .collect(),
            name_words: rules
                .gazetteer
                .entries
                .iter()
                .filter(|e| matches!(e.kind, EntryKind::Organisation { .. }))
                .flat_map(|e| e.canonical.split(' '))
                .filter(|w| w.chars().all(char::is_alphabetic))
                .map(str::to_lowercase)
                .collect(),
        })
    }

    /// One bare pass of the compiled gazetteer automaton and every pattern
    /// file's finder over `text`, counting raw matches and doing nothing
    /// else: the floor a benchmark compares the pipeline with.
    pub fn bare_pass(&self, text: &str) -> usize {
        self.bare_pass_group(&[text])
    }

    /// [`Extractor::bare_pass`] over several texts in the order
    /// [`Extractor::extract_group`] runs its scans: the gazetteer over
    /// every text, then each pattern file's finder over every text.
    pub fn bare_pass_group(&self, texts: &[&str]) -> usize {
        let alphabets: Vec<Alphabet> = texts.iter().map(|t| Alphabet::of(t)).collect();
        let gazetteer: usize = texts.iter().map(|t| self.gazetteer.count_raw(t)).sum();
        gazetteer
            + self
                .patterns
                .iter()
                .map(|p| {
                    texts
                        .iter()
                        .zip(&alphabets)
                        .map(|(t, &a)| p.count_raw(t, a))
                        .sum::<usize>()
                })
                .sum::<usize>()
    }

    /// The lexicon the normalisers use.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// All facts in `text`, overlaps resolved, in text order; relative dates
    /// resolve against `published`.
    pub fn extract(&self, text: &str, published: Option<Ymd>) -> Vec<Candidate> {
        let reference = published.map(|date| Reference {
            date,
            from: ReferenceSource::Published,
            day_precision: true,
        });
        self.extract_with(text, reference)
    }

    /// All facts in `text`, relative dates resolved against a reference
    /// date whose source each resolved date names.
    pub fn extract_with(&self, text: &str, reference: Option<Reference>) -> Vec<Candidate> {
        self.extract_searchable(&searchable(text), reference, &Budget::UNLIMITED)
            .expect("an unlimited budget never runs out")
    }

    /// [`Extractor::extract_with`] over a text already made [`searchable`]
    /// (offsets are the same as the original text's), within a time budget.
    pub fn extract_searchable(
        &self,
        search: &str,
        reference: Option<Reference>,
        budget: &Budget,
    ) -> Result<Vec<Candidate>, OverBudget> {
        let mut gathering = self.gather(search, reference, budget)?;
        for file in &self.patterns {
            self.scan_file(file, &mut gathering, budget)?;
        }
        self.settle(gathering, budget)
    }

    /// [`Extractor::extract_searchable`] over several texts at once, stage
    /// by stage: the gazetteer over every text, then each pattern file over
    /// every text, then overlaps resolved text by text. Each automaton's
    /// tables stay in the CPU's caches across the texts instead of being
    /// read in again for each one (on news articles of a few kilobytes the
    /// scans take half the time). Each text's steps run within its own
    /// account's budget; the candidates are those each text would give
    /// alone.
    pub fn extract_group(
        &self,
        texts: &mut [GroupText],
    ) -> Vec<Result<Vec<Candidate>, OverBudget>> {
        let mut gatherings: Vec<Result<Gathering, OverBudget>> = texts
            .iter_mut()
            .map(|t| {
                let (search, reference) = (t.search, t.reference);
                t.account
                    .step(|budget| self.gather(search, reference, budget))
            })
            .collect();
        for file in &self.patterns {
            for (gathering, t) in gatherings.iter_mut().zip(texts.iter_mut()) {
                if let Ok(g) = gathering {
                    if let Err(over) = t.account.step(|budget| self.scan_file(file, g, budget)) {
                        *gathering = Err(over);
                    }
                }
            }
        }
        gatherings
            .into_iter()
            .zip(texts)
            .map(|(gathering, t)| {
                gathering.and_then(|g| t.account.step(|budget| self.settle(g, budget)))
            })
            .collect()
    }

    /// The first step of extraction: the gazetteer's candidates, and what
    /// the pattern files need to know of them.
    fn gather<'t>(
        &self,
        search: &'t str,
        reference: Option<Reference>,
        budget: &Budget,
    ) -> Result<Gathering<'t>, OverBudget> {
        let most = budget.max_candidates().unwrap_or(usize::MAX);
        let (found, products) = self.gazetteer_candidates(search, reference.map(|r| r.date), most);
        check_candidates(budget, "matching gazetteers", &found)?;
        let mut known_ends: Vec<(FactType, usize)> =
            found.iter().map(|c| (c.fact_type, c.end)).collect();
        known_ends.sort_unstable();
        let known_terms: Vec<(usize, usize)> = found
            .iter()
            .filter(|c| c.fact_type == FactType::Technology)
            .map(|c| (c.start, c.end))
            .collect();
        Ok(Gathering {
            search,
            reference,
            alphabet: Alphabet::of(search),
            most,
            found,
            products,
            known_ends,
            known_terms,
        })
    }

    /// One pattern file's candidates, added to those gathered.
    fn scan_file(
        &self,
        file: &CompiledPatterns,
        gathering: &mut Gathering,
        budget: &Budget,
    ) -> Result<(), OverBudget> {
        let Gathering {
            search,
            reference,
            alphabet,
            found,
            known_ends,
            known_terms,
            ..
        } = gathering;
        let (search, reference) = (*search, *reference);
        // The candidates held are counted as they come, so a flood
        // stops within a few hundred of the limit.
        let held = Cell::new(found.len());
        let check = || budget.check_candidates("matching patterns", held.get());
        let scanned = file.scan(search, *alphabet, check, |rule, slots| {
            let mut c = self.normalise(file.fact_type, rule, slots, reference)?;
            if rule.attr("name_ends_before_term") == Some("yes") {
                if let Some(&(s, _)) = terms_starting_in(known_terms, c.start + 1, c.end)
                    .iter()
                    .find(|&&(_, e)| e >= c.end)
                {
                    let cut = search[c.start..s].trim_end().len();
                    if cut == 0 {
                        return Some(c.end);
                    }
                    c.end = c.start + cut;
                    Arc::make_mut(&mut c.value).set_canonical(&search[c.start..c.end]);
                }
            }
            let end = c.end;
            // A name the gazetteer knows wins over a shape that only
            // adds words before it ("CEO of <trust>").
            let known_end = match c.fact_type {
                FactType::Organisation => known_ends.binary_search(&(c.fact_type, c.end)).is_ok(),
                // A glossary term after generic adjectives is the term
                // ("digital shared care record"); after words that say
                // more, the phrase stands ("invoice automation").
                FactType::Technology => terms_starting_in(known_terms, c.start + 1, c.end)
                    .iter()
                    .any(|&(s, e)| {
                        e == c.end
                            && search[c.start..s].split_whitespace().all(|w| {
                                self.lexicon.contains(Table::TechLeading, w)
                                    || self.lexicon.contains(Table::TermAdjectives, w)
                            })
                    }),
                _ => false,
            };
            if !(known_end
                || c.fact_type == FactType::Technology
                    && term_with_generic_head(search, &c, known_terms, &self.lexicon))
            {
                found.push(c);
                held.set(found.len());
            }
            Some(end)
        });
        scanned.map_err(|over| with_fits_before(over, found))?;
        check_candidates(budget, "matching patterns", found)
    }

    /// The last step: overlaps resolved, units read from context, names
    /// propagated, products in lists read.
    fn settle(&self, gathering: Gathering, budget: &Budget) -> Result<Vec<Candidate>, OverBudget> {
        let Gathering {
            search,
            most,
            mut found,
            products,
            ..
        } = gathering;
        metrics::drop_figures_of_names(search, &mut found, &self.lexicon);
        let mut kept = keep_longest(found);
        kept.retain(|c| {
            c.fact_type != FactType::Technology
                || !inside_a_programme_name(search, c.start, c.end, &self.lexicon)
        });
        self.second_durations(search, &mut kept);
        self.units_from_context(search, &mut kept);
        propagate::propagate(search, &mut kept, &self.lexicon, &self.name_words, most);
        check_candidates(budget, "propagating names", &kept)?;
        kept.retain(|c| !c.stop);
        read_products_in_lists(search, &mut kept, products);
        self.extend_products_by_name_words(search, &mut kept);
        join_products_and_terms(search, &mut kept);
        Ok(kept)
    }

    /// Adds the second figure of a duration whose unit is written once
    /// ("fell from 11 days to six": `P11D`, then `P6D`), where no candidate
    /// covers it; `kept` stays sorted by start.
    fn second_durations(&self, text: &str, kept: &mut Vec<Candidate>) {
        let mut added = Vec::new();
        for c in kept.iter() {
            let FactValue::Date(date) = &*c.value else {
                continue;
            };
            if date.kind != Some(DateKind::Duration)
                || date.value.as_deref().is_none_or(|v| v.contains('/'))
            {
                continue;
            }
            if let Some((start, end, value)) =
                dates::second_duration(text, (c.start, c.end), &self.lexicon)
            {
                let free = kept[kept.partition_point(|k| k.end <= start)..]
                    .first()
                    .is_none_or(|k| k.start >= end);
                if free {
                    let value = crate::fact::DateValue {
                        kind: Some(DateKind::Duration),
                        value: Some(value),
                        ..Default::default()
                    };
                    added.push(Candidate {
                        start,
                        end,
                        fact_type: FactType::Date,
                        value: Arc::new(FactValue::Date(value)),
                        rule: Arc::from(SECOND_DURATION_RULE),
                        priority: 1,
                        stop: false,
                    });
                }
            }
        }
        if !added.is_empty() {
            kept.extend(added);
            kept.sort_by_key(|c| c.start);
        }
    }

    /// A number whose counted noun is left out ("22m users, up from 18m",
    /// "400 patients: 210 were seen, 45 referred") takes what "the number
    /// of ..." earlier in its sentence counts, else the unit of the nearest
    /// count before it in the same paragraph (in the same sentence, for a
    /// rule that keeps a count without one, with no unit), else the nearest
    /// plural noun earlier in its sentence (for that rule, after the unit of
    /// the list it belongs to); a count with none of these is dropped, or
    /// kept without a unit by that rule.
    fn units_from_context(&self, text: &str, kept: &mut Vec<Candidate>) {
        if self.unit_from_context.is_empty() {
            return;
        }
        let mut last_unit: Option<(usize, String)> = None;
        let mut last_bare: Option<(usize, String)> = None;
        let mut breaks = Breaks::default();
        kept.retain_mut(|c| {
            let FactValue::Metric(metric) = &*c.value else {
                return true;
            };
            if c.stop {
                return true;
            }
            let elided = self.unit_from_context.iter().find(|(r, _)| *r == c.rule);
            let Some(&(_, keep_without)) = elided else {
                if let Some(unit) = &metric.unit {
                    if !matches!(unit.as_str(), "percent" | "ratio" | "GBP" | "USD" | "EUR") {
                        last_unit = Some((c.end, unit.clone()));
                    }
                }
                return true;
            };
            // A left-out unit comes from the same paragraph; a bare count
            // that stands without one takes it only from its own sentence.
            let mut near = |end: usize| {
                let (paragraph, sentence) = breaks.between(text, end, c.start);
                !(paragraph || keep_without && sentence)
            };
            let unit = match (number_of_before(text, c.start), &last_unit) {
                // "the number of visits ... rose from 11 to 13": the
                // sentence names what it counts.
                (Some(noun), _) => noun,
                (None, Some((end, unit))) if near(*end) => unit.clone(),
                _ if keep_without => {
                    // No count before it: the unit of the list it belongs
                    // to ("310 were assessed, 52 referred for tests and 17
                    // admitted"), else the nearest plural noun earlier in
                    // its sentence ("follow patients on the pathway: 310
                    // were assessed").
                    let listed = last_bare
                        .as_ref()
                        .filter(|(end, _)| near(*end))
                        .map(|(_, unit)| unit.clone());
                    match listed.or_else(|| plural_noun_before(text, c.start, &self.lexicon)) {
                        Some(noun) => {
                            last_bare = Some((c.end, noun.clone()));
                            noun
                        }
                        None => return true,
                    }
                }
                // Else the nearest plural noun earlier in its sentence
                // ("the number of residents reached was 2,900").
                _ => match plural_noun_before(text, c.start, &self.lexicon) {
                    Some(noun) => noun,
                    None => return false,
                },
            };
            if let FactValue::Metric(m) = Arc::make_mut(&mut c.value) {
                m.unit = Some(unit);
            }
            true
        });
    }

    /// Gazetteer candidates, and for names that are both a company and its
    /// product (taken as the company here) the product reading.
    /// A body that ceased before the reference date resolves to the body
    /// that took over; earlier (or without a reference) it is itself.
    fn gazetteer_candidates(
        &self,
        text: &str,
        reference: Option<Ymd>,
        most: usize,
    ) -> (Vec<Candidate>, Vec<Candidate>) {
        let mut out = Vec::new();
        let mut products = Vec::new();
        let mut hits = self.gazetteer.find(text, most.saturating_add(1));
        self.add_first_of_shared_names(text, &mut hits);
        for hit in hits {
            let kind_of = |e: &usize| &self.entries[*e].kind;
            if let Some(stop) = self
                .gazetteer
                .entries(&hit)
                .find(|e| matches!(kind_of(e), EntryKind::Stop { .. }))
            {
                let (rule, value) = &self.entry_facts[stop];
                out.push(Candidate {
                    start: hit.start,
                    end: hit.end,
                    fact_type: FactType::Organisation,
                    value: value.clone(),
                    rule: rule.clone(),
                    priority: 0,
                    stop: true,
                });
                continue;
            }
            let org = self
                .gazetteer
                .entries(&hit)
                .find(|e| matches!(kind_of(e), EntryKind::Organisation { .. }));
            let tech = self
                .gazetteer
                .entries(&hit)
                .find(|e| matches!(kind_of(e), EntryKind::Technology { .. }));
            let entry = match (org, tech) {
                (Some(o), Some(t)) => {
                    if used_as_product(text, hit.start, hit.end, &self.lexicon) {
                        t
                    } else {
                        let (rule, value) = &self.entry_facts[t];
                        products.push(Candidate {
                            start: hit.start,
                            end: hit.end,
                            fact_type: FactType::Technology,
                            value: value.clone(),
                            rule: rule.clone(),
                            priority: 0,
                            stop: false,
                        });
                        o
                    }
                }
                // A company written where its product is meant ("went live
                // with Oracle").
                (Some(o), None)
                    if self.company_products[o].is_some()
                        && used_as_product(text, hit.start, hit.end, &self.lexicon) =>
                {
                    out.push(Candidate {
                        start: hit.start,
                        end: hit.end,
                        fact_type: FactType::Technology,
                        value: self.company_products[o]
                            .clone()
                            .expect("a company's product"),
                        rule: self.entry_facts[o].0.clone(),
                        priority: 0,
                        stop: false,
                    });
                    continue;
                }
                (Some(e), None) | (None, Some(e)) => e,
                (None, None) => continue,
            };
            let (rule, value) = &self.entry_facts[entry];
            let value = match reference {
                Some(day) => self.successions[entry]
                    .iter()
                    .rev()
                    .find(|(until, _)| day >= *until)
                    .map_or(value, |(_, after)| after),
                None => value,
            };
            out.push(Candidate {
                start: hit.start,
                end: hit.end,
                fact_type: if matches!(self.entries[entry].kind, EntryKind::Organisation { .. }) {
                    FactType::Organisation
                } else {
                    FactType::Technology
                },
                value: value.clone(),
                rule: rule.clone(),
                priority: 0,
                stop: false,
            });
        }
        (out, products)
    }

    /// Extends a product by the capitalised words written right after it
    /// that name its edition or module ("CareFlow Vitals", "Docobo Web"):
    /// one or two words of a capital and small letters, no month or
    /// weekday, then a word in small letters, punctuation or the end, and
    /// no other fact among them.
    fn extend_products_by_name_words(&self, text: &str, kept: &mut [Candidate]) {
        let title_word = |w: &str| {
            let mut chars = w.chars();
            chars.next().is_some_and(|c| c.is_ascii_uppercase())
                && chars.as_str().len() >= 2
                && chars.all(|c| c.is_ascii_lowercase())
                && ![Table::Months, Table::Weekdays]
                    .iter()
                    .any(|&t| self.lexicon.contains(t, w))
        };
        for i in 0..kept.len() {
            if !proper_technology(&kept[i]) {
                continue;
            }
            let next_start = kept.get(i + 1).map_or(text.len(), |c| c.start);
            let mut end = kept[i].end;
            let mut added = 0;
            while added < 2 {
                let Some(rest) = text[end..].strip_prefix(' ') else {
                    break;
                };
                let word_len = rest
                    .find(|c: char| !c.is_alphanumeric())
                    .unwrap_or(rest.len());
                if word_len == 0
                    || !title_word(&rest[..word_len])
                    || end + 1 + word_len > next_start
                {
                    break;
                }
                end += 1 + word_len;
                added += 1;
            }
            let after = text[end..].strip_prefix(' ');
            let ends_there = after.is_none_or(|a| !a.starts_with(|c: char| c.is_uppercase()));
            if added > 0 && ends_there {
                kept[i].end = end;
            }
        }
    }

    /// Adds the first of two organisations' names that share their last
    /// words, written once after the second ("Gloucestershire Royal and
    /// Cheltenham General Hospital"): one to three capitalised words before
    /// " and " an organisation's name starts right after, which with that
    /// name's last words are another name the knowledge base holds. `hits`
    /// stays in order of start.
    fn add_first_of_shared_names(&self, text: &str, hits: &mut Vec<Hit>) {
        let is_org = |hit: &Hit| {
            self.gazetteer
                .entries(hit)
                .any(|e| matches!(self.entries[e].kind, EntryKind::Organisation { .. }))
        };
        let mut added = Vec::new();
        for hit in hits.iter() {
            let Some(before) = text[..hit.start].strip_suffix(" and ") else {
                continue;
            };
            if !is_org(hit) {
                continue;
            }
            // Where each of the capitalised words before " and " starts,
            // nearest first.
            let mut starts = Vec::new();
            let mut from = before.len();
            while starts.len() < 3 {
                let start = before[..from].rfind(' ').map_or(0, |i| i + 1);
                if !before[start..from].starts_with(char::is_uppercase) {
                    break;
                }
                starts.push(start);
                if start == 0 {
                    break;
                }
                from = start - 1;
            }
            let name = &text[hit.start..hit.end];
            let shared = name.match_indices(' ').map(|(i, _)| &name[i..]).rev();
            let first = shared.flat_map(|tail| starts.iter().rev().map(move |&s| (s, tail)));
            let found = first.filter_map(|(start, tail)| {
                let words = &before[start..];
                self.gazetteer
                    .name(&format!("{words}{tail}"), start, before.len())
                    .filter(is_org)
            });
            added.extend(found.take(1));
        }
        if !added.is_empty() {
            hits.extend(added);
            hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        }
    }

    /// Normalises one pattern match into a candidate, or rejects it.
    pub fn normalise(
        &self,
        fact_type: FactType,
        rule: &CompiledRule,
        slots: &Slots<'_>,
        reference: Option<Reference>,
    ) -> Option<Candidate> {
        let span = slots.range("span").unwrap_or_else(|| slots.whole());
        let text = slots.text();
        let (start, end, value, priority) = match fact_type {
            FactType::Date => {
                // "three quarters of ..." is a fraction, not a duration.
                let unit = slots.get("unit").unwrap_or("").to_ascii_lowercase();
                if unit.starts_with("quarter") && text[span.end..].starts_with(" of ") {
                    return None;
                }
                // "late on a Friday", "every Monday": any such day, not a date.
                let before = tail(text[..span.start].trim_end(), 16);
                let word_before = before.rsplit(' ').next().unwrap_or("");
                if slots.get("weekday").is_some()
                    && matches!(word_before, "a" | "every" | "each" | "any")
                {
                    return None;
                }
                let ctx = dates::DateContext {
                    kind: rule
                        .attr("kind")
                        .and_then(DateKind::parse)
                        .unwrap_or(DateKind::Point),
                    vague: rule.attr("vague") == Some("yes"),
                    published: reference.map(|r| r.date),
                    reference: reference.map_or("published", |r| r.from.as_str()),
                    day_precision: reference.is_some_and(|r| r.day_precision),
                    // Only a month, quarter, season or weekday without a
                    // year looks at the tense.
                    future: ["month", "month2", "quarter", "season", "weekday"]
                        .iter()
                        .any(|s| slots.get(s).is_some())
                        && slots.get("year").is_none()
                        && speaks_of_future(text, span.start, &self.lexicon),
                };
                if dates::year_in_name(text, span.start, span.end, &self.lexicon)
                    || dates::unit_in_name(text, span.end, &self.lexicon)
                    || dates::is_age(text, span.end)
                {
                    return None;
                }
                let value = dates::normalise_date(&ctx, slots, &self.lexicon)?;
                (span.start, span.end, FactValue::Date(value), 1)
            }
            FactType::Metric => {
                let mut m = metrics::normalise_metric(
                    rule.attr("kind").unwrap_or("count"),
                    slots,
                    &self.lexicon,
                )?;
                // A rule may name its unit ("3.2 out of five" is a score).
                if let Some(unit) = rule.attr("unit").filter(|u| !u.starts_with("from context")) {
                    m.value.unit = Some(unit.to_string());
                }
                (m.start, m.end, FactValue::Metric(m.value), 2)
            }
            FactType::Organisation | FactType::Technology => {
                // A rule captures `veto` where what follows its name makes
                // the match part of something longer.
                if slots.get("veto").is_some() {
                    return None;
                }
                let named = slots.range("name");
                let name = named.clone().unwrap_or(span);
                let leading: &[Table] = &[Table::OrgLeading];
                let (start, end) = if fact_type == FactType::Organisation {
                    trim_leading(text, name.start, name.end, leading, &self.lexicon)?
                } else {
                    tech_phrase(text, name.start, name.end, &self.lexicon)?
                };
                // Of two names joined by "and", the first; the scan goes
                // on to the second.
                let end = match fact_type {
                    FactType::Organisation => {
                        start + first_of_two_names(&text[start..end], &self.lexicon)
                    }
                    _ => end,
                };
                let name = &text[start..end];
                if named.is_some() && self.lexicon.contains(Table::NameStops, name)
                    || named.is_some() && is_compound_adjective(name)
                    || fact_type == FactType::Organisation && names_an_undertaking(text, end)
                {
                    return None;
                }
                let key = if fact_type == FactType::Organisation {
                    "kind"
                } else {
                    "category"
                };
                let class = rule.attr(key).unwrap_or("other");
                (
                    start,
                    end,
                    FactValue::named(fact_type, name, Some(class)),
                    3,
                )
            }
        };
        (end > start).then(|| Candidate {
            start,
            end,
            fact_type,
            value: Arc::new(value),
            rule: rule.id.clone(),
            priority,
            stop: false,
        })
    }
}

/// Joins a product and the glossary term written right after it into one
/// technology, the product's, credited to the rule that found the product
/// ("its MEDITECH EPR", "the Harbourline patient portal"; guideline §6 "the
/// Oracle Health EPR"): a technology whose canonical name is a proper name,
/// one space, then one whose canonical name is a term in lower case.
/// `kept` stays sorted by start.
fn join_products_and_terms(text: &str, kept: &mut Vec<Candidate>) {
    let joins = |a: &Candidate, b: &Candidate| {
        a.end + 1 == b.start
            && text.as_bytes()[a.end] == b' '
            && proper_technology(a)
            && canonical_starts(b, false)
    };
    if !kept.windows(2).any(|pair| joins(&pair[0], &pair[1])) {
        return;
    }
    let mut joined: Vec<Candidate> = Vec::with_capacity(kept.len());
    for c in kept.drain(..) {
        match joined.last_mut() {
            Some(product) if joins(product, &c) => product.end = c.end,
            _ => joined.push(c),
        }
    }
    *kept = joined;
}

/// Whether a candidate is a technology whose canonical name starts with a
/// capital (`upper`) or a small letter: a product or a glossary term.
fn canonical_starts(c: &Candidate, upper: bool) -> bool {
    match &*c.value {
        FactValue::Technology(TechnologyValue {
            canonical: Some(name),
            ..
        }) => name
            .chars()
            .next()
            .is_some_and(|first| first.is_uppercase() == upper && first.is_alphabetic()),
        _ => false,
    }
}

/// Whether a candidate is a named product: a technology whose canonical
/// name is a proper name.
fn proper_technology(c: &Candidate) -> bool {
    canonical_starts(c, true)
}

/// For each entry that ceased, its line of succession: the day each body
/// in it ceased and the value mentions take from then on (the successor's,
/// with `"former"` naming the body the text wrote). The loader has checked
/// that every line ends.
fn successions(entries: &[Entry]) -> Vec<Vec<(Ymd, Arc<FactValue>)>> {
    let successor_of = |e: &Entry| match &e.kind {
        EntryKind::Organisation {
            succession: Some(s),
            ..
        } => entries
            .iter()
            .find(|o| {
                o.canonical == s.successor && matches!(o.kind, EntryKind::Organisation { .. })
            })
            .map(|o| (s.until, o)),
        _ => None,
    };
    entries
        .iter()
        .map(|e| {
            let mut line = Vec::new();
            let mut body = e;
            while let Some((until, next)) = successor_of(body) {
                let mut after = entry_value(next);
                if let FactValue::Organisation(v) = &mut after {
                    v.former = Some(e.canonical.clone());
                }
                line.push((until, Arc::new(after)));
                body = next;
            }
            line
        })
        .collect()
}

/// The value a gazetteer entry gives its facts; a body that ceased names
/// its successor and the day it ceased. A stop phrase's value is never
/// written (its candidate only takes its span from others).
fn entry_value(entry: &Entry) -> FactValue {
    let canonical = Some(entry.canonical.clone());
    match &entry.kind {
        EntryKind::Organisation {
            kind,
            code,
            region,
            succession,
        } => FactValue::Organisation(OrganisationValue {
            canonical,
            code: code.clone(),
            former: None,
            kind: Some(kind.clone()),
            region: region.clone(),
            successor: succession.as_ref().map(|s| s.successor.clone()),
            until: succession.as_ref().map(|s| s.until.to_string()),
        }),
        EntryKind::Technology { category } => FactValue::Technology(TechnologyValue {
            canonical,
            category: Some(category.clone()),
        }),
        EntryKind::Stop { .. } => FactValue::named(FactType::Organisation, &entry.canonical, None),
    }
}

/// The text as the matchers see it: a line break inside a paragraph, a tab
/// or a carriage return becomes a space (same byte length, so offsets hold),
/// so names and figures wrapped across lines are still found. Blank lines
/// and line breaks before list items stay.
pub fn searchable(text: &str) -> Cow<'_, str> {
    crate::work::examined(text.len());
    if !text.contains(['\n', '\t', '\r']) {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    let lines: Vec<(usize, usize)> = {
        let mut v = Vec::new();
        let mut start = 0;
        for piece in text.split_inclusive('\n') {
            v.push((start, start + piece.len()));
            start += piece.len();
        }
        v
    };
    let blank = |(s, e): (usize, usize)| text[s..e].trim().is_empty();
    for (i, &(s, e)) in lines.iter().enumerate() {
        for b in &mut bytes[s..e] {
            if *b == b'\t' || *b == b'\r' {
                *b = b' ';
            }
        }
        if text[s..e].ends_with('\n') {
            if let Some(&next) = lines.get(i + 1) {
                let next_text = &text[next.0..next.1];
                if !blank((s, e)) && !blank(next) && !crate::sections::is_list_item(next_text) {
                    bytes[e - 1] = b' ';
                }
            }
        }
    }
    Cow::Owned(String::from_utf8(bytes).expect("only ASCII bytes were replaced"))
}

/// Whether a name shared by a company and its product is used as the
/// product here: a use verb or phrase just before it ("using Lantum",
/// "went live with Epic"; lexicon `product_cues`, up to three words, an
/// article between allowed), "as a" just after it ("Lantum as a holistic
/// solution"), a generic head noun, "record" or "data" just after it ("the
/// Epic record", "our Epic data"; lexicon `generic_heads`), or a copula
/// that says it is one ("Lantum is a workforce platform", "Rotaflow wasn’t
/// a bolt-on solution").
fn used_as_product(text: &str, start: usize, end: usize, lexicon: &Lexicon) -> bool {
    // "using Northlight’s platform": the company owns what is used.
    if text[end..].starts_with(['’', '\'']) {
        return false;
    }
    let mut from = start.saturating_sub(48);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = &text[from..start];
    let mut words: Vec<&str> = before
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    if matches!(
        words.last().copied(),
        Some("a" | "an" | "the" | "its" | "their")
    ) {
        words.pop();
    }
    let cue = (1..=3.min(words.len())).any(|n| {
        let phrase = words[words.len() - n..].join(" ");
        lexicon.contains(Table::ProductCues, &phrase)
    });
    if cue {
        return true;
    }
    let after = head(text[end..].trim_start(), 16).to_lowercase();
    let next = after
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    ["as a ", "as an ", "as the "]
        .iter()
        .any(|p| after.starts_with(p))
        || lexicon.contains(Table::GenericHeads, next)
        || matches!(next, "record" | "records" | "data")
        || said_to_be_a_product(&text[end..], lexicon)
}

/// Whether the words after a name say it is a product: "is", "was" (or
/// their negations), "a"/"an", then a noun phrase of up to five words
/// whose head is a generic head such as "platform" or "solution" (lexicon
/// `generic_heads`, "programme" and "scheme" left out): "a UK software
/// company" is no product.
fn said_to_be_a_product(after: &str, lexicon: &Lexicon) -> bool {
    let after = head(after, 80).to_lowercase().replace('\u{2019}', "'");
    let mut words = after.split(' ').filter(|w| !w.is_empty());
    let copula = matches!(
        words.next(),
        Some("is" | "was" | "isn't" | "wasn't" | "remains")
    );
    if !copula || !matches!(words.next(), Some("a" | "an")) {
        return false;
    }
    let mut last = "";
    for raw in words.take(5) {
        let word = raw.trim_end_matches(|c: char| !c.is_alphanumeric());
        if word.is_empty() || lexicon.contains(Table::NounStops, word) {
            break;
        }
        last = word;
        if word.len() < raw.len() {
            break;
        }
    }
    lexicon.contains(Table::GenericHeads, last) && !matches!(last, "programme" | "scheme")
}

/// [`Budget::check_candidates`] over the candidates found so far; when
/// there are too many, says before which offset half as many as allowed
/// start, for an analysis of the text's first part.
fn check_candidates(
    budget: &Budget,
    stage: &'static str,
    found: &[Candidate],
) -> Result<(), OverBudget> {
    budget
        .check_candidates(stage, found.len())
        .map_err(|over| with_fits_before(over, found))
}

/// `over`, when it is too many candidates, with the offset before which
/// half as many as allowed of `found` start.
fn with_fits_before(mut over: OverBudget, found: &[Candidate]) -> OverBudget {
    if let Limit::Facts(max) = over.limit {
        let mut starts: Vec<usize> = found.iter().map(|c| c.start).collect();
        if !starts.is_empty() {
            let half = (candidates_for(max) / 2).min(starts.len() - 1);
            over.fits_before = Some(*starts.select_nth_unstable(half).1);
        }
    }
    over
}

/// Where a text's paragraph breaks (`"\n\n"`) and sentence ends (`". "`,
/// `"? "`, `"! "`) are, found on first need: whether two facts far apart
/// share a paragraph is then a binary search, not a scan of the text
/// between them, so a long paragraph costs each fact the same.
#[derive(Default)]
struct Breaks {
    /// The break positions, once a gap was wider than [`Breaks::SCAN`].
    index: Option<(Vec<usize>, Vec<usize>)>,
}

impl Breaks {
    /// The widest gap read directly.
    const SCAN: usize = 4096;

    /// Whether a paragraph break, and whether a sentence end, lies whole
    /// in `text[from..to]`.
    fn between(&mut self, text: &str, from: usize, to: usize) -> (bool, bool) {
        const ENDS: [&str; 3] = [". ", "? ", "! "];
        if to - from <= Self::SCAN {
            crate::work::examined(to - from);
            let gap = &text[from..to];
            return (gap.contains("\n\n"), ENDS.iter().any(|e| gap.contains(e)));
        }
        let (paragraphs, sentences) = self.index.get_or_insert_with(|| {
            crate::work::examined(text.len() * (1 + ENDS.len()));
            let bytes = text.as_bytes();
            let paragraphs = text
                .match_indices('\n')
                .map(|(i, _)| i)
                .filter(|&i| bytes.get(i + 1) == Some(&b'\n'))
                .collect();
            let mut sentences: Vec<usize> = ENDS
                .iter()
                .flat_map(|e| text.match_indices(e).map(|(i, _)| i))
                .collect();
            sentences.sort_unstable();
            (paragraphs, sentences)
        });
        // Every break is two bytes long.
        let within = |at: &[usize]| {
            let i = at.partition_point(|&p| p < from);
            at.get(i).is_some_and(|&p| p + 2 <= to)
        };
        (within(paragraphs), within(sentences))
    }
}

/// Whether a capitalised technology term stands inside the name of a
/// programme, fund, award or the like (guideline §6: "AI in Health and
/// Care Award", "the Hybrid Cloud Programme"): capitalised words, joined
/// by at most a few small words, run on from it to a last word that the
/// lexicon's `name_heads` makes no fact.
fn inside_a_programme_name(text: &str, start: usize, end: usize, lexicon: &Lexicon) -> bool {
    if !text[start..end].starts_with(char::is_uppercase) {
        return false;
    }
    let Some(rest) = head(&text[end..], 96).strip_prefix(' ') else {
        return false;
    };
    let mut last_capitalised = None;
    for word in rest.split(' ').take(6) {
        let bare = word.trim_end_matches(|c: char| !c.is_alphanumeric());
        if bare.starts_with(char::is_uppercase) {
            last_capitalised = Some(bare);
        } else if !matches!(bare, "in" | "and" | "for" | "of" | "the" | "on") {
            break;
        }
        if bare.len() < word.len() {
            break;
        }
    }
    last_capitalised.is_some_and(|w| lexicon.get(Table::NameHeads, w) == Some("none"))
}

/// Whether a name found by a pattern is followed by a word that makes it
/// the name of a framework, programme, fund, scheme or award ("the Clinical
/// Digital Solutions framework"): such names are no facts (guideline §6).
fn names_an_undertaking(text: &str, end: usize) -> bool {
    const UNDERTAKINGS: [&str; 8] = [
        "framework",
        "programme",
        "program",
        "fund",
        "scheme",
        "award",
        "awards",
        "initiative",
    ];
    let next = text[end..]
        .strip_prefix(' ')
        .and_then(|after| after.split(|c: char| !c.is_alphabetic()).next())
        .unwrap_or("");
    UNDERTAKINGS.contains(&next)
}

/// A company name listed among technologies ("using the NHS App, Patient
/// Knows Best and peak flow devices") or standing just before one ("the
/// Docobo remote monitoring app") is read as its product: a kept company
/// fact with a product reading becomes the product when the fact just
/// before or after it, joined only by a comma, "and" or "or", is a
/// technology, or when a technology follows it directly.
fn read_products_in_lists(text: &str, kept: &mut [Candidate], products: Vec<Candidate>) {
    let joined = |a: &Candidate, b: &Candidate| {
        let between = text[a.end..b.start].trim();
        matches!(
            between,
            "" | "," | "and" | "or" | ", and" | ", or" | "&" | "/"
        )
    };
    for product in products {
        let first = kept.partition_point(|c| c.start < product.start);
        let Some(i) = kept[first..]
            .iter()
            .take_while(|c| c.start == product.start)
            .position(|c| c.end == product.end)
            .map(|i| first + i)
        else {
            continue;
        };
        let tech_before = i > 0
            && kept[i - 1].fact_type == FactType::Technology
            && joined(&kept[i - 1], &kept[i])
            && !text[kept[i - 1].end..kept[i].start].trim().is_empty();
        let tech_after = i + 1 < kept.len()
            && kept[i + 1].fact_type == FactType::Technology
            && joined(&kept[i], &kept[i + 1]);
        if kept[i].fact_type == FactType::Organisation && (tech_before || tech_after) {
            kept[i] = product;
        }
    }
}

/// The part of its sentence before `at`: back to the last full stop,
/// question or exclamation mark, or line break, and at most
/// [`LOOK_BACK`] bytes (so that a sentence without end costs each match a
/// bounded look, not a scan to its start).
fn sentence_before(text: &str, at: usize) -> &str {
    let window = tail(&text[..at], LOOK_BACK);
    let from = window.rfind(['.', '!', '?', '\n']).map_or(0, |i| i + 1);
    &window[from..]
}

/// How far back from a match the context checks look, in bytes.
pub(crate) const LOOK_BACK: usize = 400;

/// Whether the sentence before a date speaks of the future ("will go live
/// in June", "is set to launch in May"), from the lexicon's
/// `future_markers`. Only words before the date count: in "In December,
/// the trust announced plans to ..." the month is past. The lexicon
/// compares in lower case, so words are looked up as written, and each
/// pair of them in one buffer.
fn speaks_of_future(text: &str, start: usize, lexicon: &Lexicon) -> bool {
    let words: Vec<&str> = sentence_before(text, start)
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '\u{2019}')
        .filter(|w| !w.is_empty())
        .collect();
    let mut pair = String::new();
    words
        .iter()
        .any(|w| lexicon.contains(Table::FutureMarkers, w))
        || words.windows(2).any(|p| {
            pair.clear();
            pair.push_str(p[0]);
            pair.push(' ');
            pair.push_str(p[1]);
            lexicon.contains(Table::FutureMarkers, &pair)
        })
}

/// Drops leading words a pattern caught that are not part of a name
/// ("Yesterday", "The", "CEO of"), as listed in any of `tables`, and
/// where the body is based ("Dublin-based"); `None` when only one word is
/// left after dropping ("The ICS" is a generic reference, not a name).
fn trim_leading(
    text: &str,
    start: usize,
    end: usize,
    tables: &[Table],
    lexicon: &Lexicon,
) -> Option<(usize, usize)> {
    let mut from = start;
    while let Some(word_len) = text[from..end].find(' ') {
        let word = &text[from..from + word_len];
        let based = word.ends_with("-based") || word.ends_with("-headquartered");
        if !based && !tables.iter().any(|t| lexicon.contains(*t, word)) {
            return Some((from, end));
        }
        from += word_len + 1;
    }
    (from == start).then_some((start, end))
}

/// A technology phrase without the words before its last article,
/// preposition, conjunction, verb (lexicons `tech_leading` and
/// `noun_stops`), adverb in -ly or participle of what was done with it
/// ([`done_to_it`]): "approaches to remote triage" is "remote triage". `None`
/// when one word is left after dropping, or when a small word stands
/// inside what is left ("remote technology for monitoring"; "and" between
/// two modifiers excepted: "data and analytics platform").
fn tech_phrase(text: &str, start: usize, end: usize, lexicon: &Lexicon) -> Option<(usize, usize)> {
    let stop = |w: &str| {
        lexicon.contains(Table::TechLeading, w)
            || lexicon.contains(Table::NounStops, w)
            // An adverb ("newly"), not a name ("Westly").
            || w.ends_with("ly") && w.starts_with(|c: char| c.is_lowercase())
            || done_to_it(w, lexicon)
    };
    let words: Vec<(usize, &str)> = text[start..end]
        .split(' ')
        .scan(start, |at, w| {
            let here = *at;
            *at += w.len() + 1;
            Some((here, w))
        })
        .collect();
    let head = words.len() - 1;
    let first = words[..head]
        .iter()
        .rposition(|&(_, w)| stop(w) && w != "and")
        .map_or(0, |i| i + 1);
    if first == head && first > 0 {
        return None;
    }
    // A plural inside the phrase ends a term of its own ("virtual wards
    // and remote monitoring" is two); a capitalised word is a name's
    // ("Healthy Hearts Portal").
    let plural = |w: &str| {
        crate::text::looks_plural(w) && !w.ends_with("ics") && !w.starts_with(char::is_uppercase)
    };
    let inner_ok = words[first..head].iter().enumerate().all(|(i, &(_, w))| {
        let joins = w == "and" && i > 0 && first + i + 1 < head;
        let small_word = stop(w) && !joins;
        let inner_plural = i > 0 && plural(w);
        let joins_plural = joins && plural(words[first + i - 1].1);
        !(small_word || inner_plural || joins_plural)
    });
    inner_ok.then_some((words[first].0, end))
}

/// Whether a word before a technology is a participle that says what was
/// done with it ("the most downloaded apps", "newly procured software")
/// rather than what kind it is: lower-case letters in -ed (not -eed:
/// "speed"), not one of lexicon `tech_participles` ("automated").
fn done_to_it(w: &str, lexicon: &Lexicon) -> bool {
    w.len() >= 5
        && w.ends_with("ed")
        && !w.ends_with("eed")
        && w.bytes().all(|b| b.is_ascii_lowercase())
        && !lexicon.contains(Table::TechParticiples, w)
}

/// What "the number of ..." earlier in its sentence counts: the words
/// after "number of" up to the first plural, in lower case ("the number of
/// GP practices using it rose to 281" counts "gp practices").
fn number_of_before(text: &str, at: usize) -> Option<String> {
    const NUMBER_OF: &[u8] = b"number of ";
    let sentence = sentence_before(text, at);
    let found = sentence
        .as_bytes()
        .windows(NUMBER_OF.len())
        .rposition(|w| w.eq_ignore_ascii_case(NUMBER_OF))?;
    let after = &sentence[found + NUMBER_OF.len()..];
    let mut noun = String::new();
    for word in after.split_whitespace().take(3) {
        let word = word.trim_end_matches(|c: char| !c.is_alphanumeric());
        if word.is_empty() || !word.starts_with(char::is_alphabetic) {
            return None;
        }
        if !noun.is_empty() {
            noun.push(' ');
        }
        noun.push_str(&word.to_lowercase());
        if crate::text::looks_plural(word) {
            return Some(noun);
        }
    }
    None
}

/// The nearest word before `at` in its sentence that reads as a plural
/// noun (lexicon `plural_nouns`, or a word in -s that ends no phrase), in
/// lower case.
fn plural_noun_before(text: &str, at: usize, lexicon: &Lexicon) -> Option<String> {
    sentence_before(text, at)
        .split(|c: char| !c.is_alphabetic() && c != '\'' && c != '\u{2019}')
        .rev()
        .map(str::to_lowercase)
        .find(|w| {
            !lexicon.contains(Table::NounStops, w)
                && (lexicon.contains(Table::PluralNouns, w) || crate::text::looks_plural(w))
        })
}

/// Whether a technology phrase is a known glossary term followed only by a
/// generic head noun (lexicon `generic_heads`): "AI platform" is "AI",
/// "EPR system" is "EPR" (guideline §6).
fn term_with_generic_head(
    text: &str,
    c: &Candidate,
    known: &[(usize, usize)],
    lexicon: &Lexicon,
) -> bool {
    terms_starting_in(known, c.start, c.end)
        .iter()
        .any(|&(_, e)| {
            e < c.end && {
                let tail = text[e..c.end].trim();
                !tail.contains(' ') && lexicon.contains(Table::GenericHeads, tail)
            }
        })
}

/// The known terms (sorted by start, as the gazetteer finds them) that
/// start in `from..to`: found by binary search, so that checking every
/// pattern candidate against them stays linear in the document.
fn terms_starting_in(known: &[(usize, usize)], from: usize, to: usize) -> &[(usize, usize)] {
    let first = known.partition_point(|&(s, _)| s < from);
    let last = known.partition_point(|&(s, _)| s < to).max(first);
    &known[first..last]
}

/// Whether a capitalised "name" is a compound adjective ("AI-powered",
/// "Cloud-based"): its last hyphenated part is a small-letter participle.
fn is_compound_adjective(name: &str) -> bool {
    name.rsplit_once('-').is_some_and(|(_, last)| {
        last.chars().all(|c| c.is_lowercase()) && (last.ends_with("ed") || last.ends_with("ing"))
    })
}

/// The length of the first name in `name` when a pattern's organisation
/// swallowed two joined by "and" ("X NHS Trust and Y NHS Trust", "Northgate
/// PCN and Eastfield Primary Care Network"): it ends at a word of the
/// lexicon's `name_endings` before an "and"; else all of it.
fn first_of_two_names(name: &str, lexicon: &Lexicon) -> usize {
    let mut at = 0;
    for part in name.split(" and ") {
        at += part.len();
        let last = part.rsplit(' ').next().unwrap_or(part);
        if at < name.len() && lexicon.contains(Table::NameEndings, last) {
            return at;
        }
        at += " and ".len();
    }
    name.len()
}

/// At most `max` bytes from the end of `text`, cut at a character
/// boundary.
pub(crate) fn tail(text: &str, max: usize) -> &str {
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    crate::work::examined(text.len() - start);
    &text[start..]
}

/// At most `max` bytes from the start of `text`, cut at a character
/// boundary.
pub(crate) fn head(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    crate::work::examined(end);
    &text[..end]
}

/// Keeps the longest of overlapping candidates (ties: lower priority
/// number, then the earlier one), and returns them in text order, stop
/// phrases dropped.
pub fn resolve(found: Vec<Candidate>) -> Vec<Candidate> {
    let mut kept = keep_longest(found);
    kept.retain(|c| !c.stop);
    kept
}

/// The rule a duration's second figure written without its unit is
/// credited to ([`Extractor::second_durations`]).
const SECOND_DURATION_RULE: &str = "date.second_figure";

/// [`resolve`] with the stop phrases that won their spans still in, so
/// that later steps leave their text alone.
fn keep_longest(mut found: Vec<Candidate>) -> Vec<Candidate> {
    // Longest first, then by priority and start; equal ones keep their
    // order (the sort is stable).
    found.sort_by_cached_key(|c| (std::cmp::Reverse(c.end - c.start), c.priority, c.start));
    let mut taken = taken::Taken::new(found.iter().map(|c| c.end).max().unwrap_or(0));
    let mut kept = Vec::new();
    for c in found {
        if taken.clashes(c.start, c.end) {
            continue;
        }
        taken.take(c.start, c.end);
        kept.push(c);
    }
    kept.sort_by_key(|c| c.start);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_far_apart_are_found_as_near_ones_are() {
        // A paragraph break inside three line feeds, and a sentence end,
        // each past the direct-scan width.
        let pad = "x".repeat(Breaks::SCAN);
        let text = format!("{pad}a\n\n\nb{pad}c. d{pad}");
        let lf = pad.len() + 1;
        let stop = text.find(". ").unwrap();
        for (from, to, expected) in [
            (0, lf + 1, (false, false)),
            (0, lf + 2, (true, false)),
            (lf + 1, lf + 3, (true, false)),
            (lf + 2, text.len(), (false, true)),
            (lf + 2, stop + 1, (false, false)),
            (0, text.len(), (true, true)),
        ] {
            let direct = {
                let gap = &text[from..to];
                (gap.contains("\n\n"), gap.contains(". "))
            };
            assert_eq!(direct, expected, "{from}..{to}");
            assert_eq!(
                Breaks::default().between(&text, from, to),
                expected,
                "{from}..{to}"
            );
        }
    }

    fn cand(start: usize, end: usize, priority: u8) -> Candidate {
        Candidate {
            start,
            end,
            fact_type: FactType::Technology,
            value: Arc::new(FactValue::unknown(FactType::Technology)),
            rule: format!("{start}-{end}").into(),
            priority,
            stop: false,
        }
    }

    #[test]
    fn longest_wins_and_nothing_overlaps() {
        let mut stop = cand(50, 57, 0);
        stop.stop = true;
        let kept = resolve(vec![
            cand(0, 2, 0),
            cand(0, 36, 0),
            cand(30, 40, 0),
            cand(40, 45, 1),
            cand(40, 45, 0),
            cand(50, 53, 0),
            stop,
        ]);
        let spans: Vec<(usize, usize, u8)> =
            kept.iter().map(|c| (c.start, c.end, c.priority)).collect();
        assert_eq!(spans, vec![(0, 36, 0), (40, 45, 0)]);
    }

    #[test]
    fn searchable_text_keeps_offsets_and_paragraphs() {
        let text = "Black Country\nHealthcare NHS\tTrust.\n\n• a\n• b\n";
        let s = searchable(text);
        assert_eq!(s.len(), text.len());
        assert_eq!(s, "Black Country Healthcare NHS Trust.\n\n• a\n• b\n");
    }

    #[test]
    fn what_the_number_of_counts() {
        let text = "In \u{130}zmir and Leeds the number of GP practices using it rose to 281.";
        let at = text.find("281").unwrap();
        assert_eq!(number_of_before(text, at), Some("gp practices".to_string()));
        let text = "The Number Of visits rose to 13, and 40 more.";
        assert_eq!(
            number_of_before(text, text.find("13").unwrap()),
            Some("visits".to_string())
        );
        assert_eq!(
            number_of_before(text, text.find("40").unwrap()),
            Some("visits".to_string())
        );
        let text = "A number of 12 was set.";
        assert_eq!(number_of_before(text, text.find("was").unwrap()), None);
    }

    #[test]
    fn two_names_joined_by_and() {
        let lexicon = Lexicon::from_tables(&[(
            Table::NameEndings,
            &[("Trust", ""), ("PCN", ""), ("ICB", ""), ("Capital", "")][..],
        )]);
        let first = |name: &str| first_of_two_names(name, &lexicon);
        assert_eq!(
            first("Royal Wolverhampton NHS Trust and Walsall Healthcare NHS Trust"),
            "Royal Wolverhampton NHS Trust".len()
        );
        assert_eq!(
            first("Northgate PCN and Eastfield Primary Care Network"),
            "Northgate PCN".len()
        );
        assert_eq!(
            first("Kindred Capital and Harbour Ventures"),
            "Kindred Capital".len()
        );
        assert_eq!(
            first("Birmingham and Solihull ICB"),
            "Birmingham and Solihull ICB".len()
        );
        assert_eq!(
            first("Health and Care Partnership"),
            "Health and Care Partnership".len()
        );
    }
}
