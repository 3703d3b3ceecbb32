//! The pipeline: a document flows through sections → extraction → facts
//! placed in their section and sentence, with stable ids and code-point
//! offsets.

use crate::budget::{Account, Budget, OverBudget};
use crate::calendar::Ymd;
use crate::document::Document;
use crate::extract::patterns::CHECK_EVERY;
use crate::extract::{searchable, Candidate, Extractor, GroupText, Reference, ReferenceSource};
use crate::fact::{id_with_occurrence, ContentHashes, Fact, FactType};
use crate::rules::{RuleError, RuleSet};
use crate::sections::{self, Layout};
use crate::sentences::Sentences;
use crate::text::{CharCounter, Fnv};
use crate::work;
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

/// Loaded rules and their compiled matchers: everything needed to analyse
/// documents. Cheap to share across threads.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// The rules as loaded.
    pub rules: RuleSet,
    /// The compiled gazetteer and patterns.
    pub extractor: Extractor,
    /// The reference date for documents that give none (no `published`,
    /// no date in the URL, no dateline): `--reference-date`.
    pub fallback_reference: Option<Ymd>,
}

/// What the pipeline makes of one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// The date relative expressions were resolved against, and its source.
    pub reference: Option<Reference>,
    /// Sections and silent ranges (byte offsets).
    pub layout: Layout,
    /// Facts in text order (code-point offsets).
    pub facts: Vec<Fact>,
    /// Where the facts stop when the document holds more than the budget
    /// allows: only the text before it was analysed.
    pub facts_end: Option<FactsEnd>,
    /// The bytes of text the analysis examined ([`crate::work`]).
    pub examined: u64,
}

impl Pipeline {
    /// Loads and compiles a rule folder; any bad rule stops here.
    pub fn load(dir: &Path) -> Result<Pipeline, RuleError> {
        let rules = RuleSet::load(dir)?;
        let extractor = Extractor::new(&rules, dir)?;
        Ok(Pipeline {
            rules,
            extractor,
            fallback_reference: None,
        })
    }

    /// Cuts a document into sections and extracts its facts.
    pub fn analyse(&self, doc: &Document) -> Analysis {
        self.analyse_within(doc, &Budget::UNLIMITED)
            .expect("an unlimited budget never runs out")
    }

    /// [`Pipeline::analyse`] within a budget: the stages check its time as
    /// they go and the analysis stops once it is spent. A document with
    /// more facts than the budget allows keeps those of its first part, up
    /// to the limit and ending at a word break, and says where they end
    /// ([`Analysis::facts_end`]); when the candidates gathered already run
    /// over, the text before the point where half as many were found is
    /// analysed again on its own.
    pub fn analyse_within(&self, doc: &Document, budget: &Budget) -> Result<Analysis, OverBudget> {
        work::take();
        let (layout, reference, search) = self.prepare(doc, budget)?;
        let found = self
            .extractor
            .extract_searchable(&search, reference, budget);
        let analysis = self.complete(doc, layout, reference, search, found, budget)?;
        Ok(Analysis {
            examined: work::take(),
            ..analysis
        })
    }

    /// [`Pipeline::analyse_within`] for several documents at once, each
    /// within its own budget, counted only while its own steps run:
    /// extraction goes stage by stage over the group
    /// ([`Extractor::extract_group`]), the rest document by document. The
    /// analyses are those each document would have alone. Panics unless
    /// there is a budget for each document.
    pub fn analyse_group(
        &self,
        docs: &[&Document],
        budgets: &[Budget],
    ) -> Vec<Result<Analysis, OverBudget>> {
        assert_eq!(docs.len(), budgets.len(), "a budget for each document");
        work::take();
        let mut accounts: Vec<Account> = budgets.iter().copied().map(Account::new).collect();
        let prepared: Vec<Result<_, OverBudget>> = docs
            .iter()
            .zip(&mut accounts)
            .map(|(doc, account)| account.step(|budget| self.prepare(doc, budget)))
            .collect();
        // Extraction for the documents prepared, stage by stage.
        let mut texts: Vec<GroupText> = prepared
            .iter()
            .zip(&mut accounts)
            .filter_map(|(p, account)| {
                let (_, reference, search) = p.as_ref().ok()?;
                Some(GroupText {
                    search,
                    reference: *reference,
                    account,
                })
            })
            .collect();
        let mut found = self.extractor.extract_group(&mut texts).into_iter();
        drop(texts);
        prepared
            .into_iter()
            .zip(docs)
            .zip(&mut accounts)
            .map(|((prepared, doc), account)| {
                let (layout, reference, search) = prepared?;
                let found = found
                    .next()
                    .expect("candidates for each document extracted");
                let analysis = account
                    .step(|budget| self.complete(doc, layout, reference, search, found, budget))?;
                Ok(Analysis {
                    examined: account.examined(),
                    ..analysis
                })
            })
            .collect()
    }

    /// The steps before extraction: sections, the reference date, and the
    /// text as the matchers see it.
    fn prepare<'d>(
        &self,
        doc: &'d Document,
        budget: &Budget,
    ) -> Result<(Layout, Option<Reference>, Cow<'d, str>), OverBudget> {
        let layout = sections::split(&doc.text, doc.title_in_text, &self.rules.sections);
        budget.check("cutting sections")?;
        let reference = self.reference_of(doc);
        Ok((layout, reference, searchable(&doc.text)))
    }

    /// The steps after extraction: the candidates (or why they could not
    /// all be gathered) placed as facts. A text with more candidates than
    /// the budget allows is analysed again up to a word break before the
    /// point where half as many were found.
    fn complete(
        &self,
        doc: &Document,
        layout: Layout,
        reference: Option<Reference>,
        search: Cow<str>,
        found: Result<Vec<Candidate>, OverBudget>,
        budget: &Budget,
    ) -> Result<Analysis, OverBudget> {
        let (mut search, mut found, mut end) = (search, found, doc.text.len());
        loop {
            let candidates = match found {
                Ok(candidates) => candidates,
                Err(over) => match over
                    .fits_before
                    .map(|at| word_break_before(&doc.text[..end], at))
                {
                    Some(shorter) if shorter < end => {
                        end = shorter;
                        search = searchable(&doc.text[..end]);
                        found = self
                            .extractor
                            .extract_searchable(&search, reference, budget);
                        continue;
                    }
                    _ => return Err(over),
                },
            };
            // Candidates become facts one to one, in text order: one more
            // than allowed is enough to know where the facts must stop.
            let candidates: Vec<Candidate> = candidates
                .into_iter()
                .filter(|c| !layout.is_silent(c.start, c.end))
                .take(
                    budget
                        .max_facts()
                        .map_or(usize::MAX, |m| m.saturating_add(1)),
                )
                .collect();
            let mut facts = place(doc, &search, &layout, candidates, budget)?;
            let mut facts_end = (end < doc.text.len()).then(|| FactsEnd {
                at: doc.text[..end].chars().count(),
                by_candidates: true,
            });
            if let Some(max) = budget.max_facts().filter(|&max| facts.len() > max) {
                let at = facts[max].start;
                facts.retain(|f| f.start < at);
                facts_end = Some(FactsEnd {
                    at,
                    by_candidates: false,
                });
            }
            return Ok(Analysis {
                reference,
                layout,
                facts,
                facts_end,
                examined: 0,
            });
        }
    }

    /// The date relative expressions resolve against: `published`; else a
    /// date in the URL path (`/2023/04/11/`, or `/2023/10/` at month
    /// precision); else a full date standing in one of the text's first
    /// lines (a dateline, found by the date rules); else the run's
    /// `--reference-date`.
    pub fn reference_of(&self, doc: &Document) -> Option<Reference> {
        if let Some(date) = doc.published {
            return Some(Reference {
                date,
                from: ReferenceSource::Published,
                day_precision: true,
            });
        }
        if let Some((date, day_precision)) = doc.url.as_deref().and_then(date_in_url) {
            return Some(Reference {
                date,
                from: ReferenceSource::Url,
                day_precision,
            });
        }
        let dateline = doc
            .text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(DATELINE_LINES)
            .filter(|l| l.len() <= DATELINE_BYTES && l.split_whitespace().count() <= 12)
            .find_map(|line| {
                self.extractor
                    .extract(line, None)
                    .into_iter()
                    .find_map(|c| {
                        let v = c.value.as_date()?.value.as_deref()?;
                        let date = Ymd::parse_iso(v).filter(|_| v.len() == 10)?;
                        Some(Reference {
                            date,
                            from: ReferenceSource::Dateline,
                            day_precision: true,
                        })
                    })
            });
        dateline.or(self.fallback_reference.map(|date| Reference {
            date,
            from: ReferenceSource::Given,
            day_precision: true,
        }))
    }
}

/// The last white space at or before `at` (so no word is cut), or `at`
/// itself in a text without any there.
fn word_break_before(text: &str, at: usize) -> usize {
    text[..at].rfind(char::is_whitespace).unwrap_or(at)
}

/// Where a document's facts stop, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactsEnd {
    /// The code point before which the text was analysed.
    pub at: usize,
    /// Why: `true` when the text after holds more candidates than the
    /// facts allowed can need, `false` when the facts themselves are more.
    pub by_candidates: bool,
}

/// How many of a text's first non-blank lines may hold its dateline.
const DATELINE_LINES: usize = 4;

/// A date written as path segments of a URL: `/2023/04/11/` (day
/// precision, `true`), or `/2023/10/` followed by a slug (month precision:
/// the first of the month, `false`).
pub fn date_in_url(url: &str) -> Option<(Ymd, bool)> {
    let path = url.split(['?', '#']).next()?;
    let path = path.split_once("://").map_or(path, |(_, rest)| rest);
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let digits = |s: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    (0..segments.len()).find_map(|i| {
        let (y, m) = (segments[i], *segments.get(i + 1)?);
        if !(digits(y, 4..=4) && digits(m, 1..=2)) {
            return None;
        }
        let (y, m) = (y.parse().ok()?, m.parse().ok()?);
        match segments.get(i + 2) {
            Some(d) if digits(d, 1..=2) => Some((Ymd::new(y, m, d.parse().ok()?)?, true)),
            _ => Some((Ymd::new(y, m, 1)?, false)),
        }
    })
}

/// The longest line read as a dateline, in bytes.
const DATELINE_BYTES: usize = 200;

/// The most characters of its sentence a fact carries: a longer sentence
/// is cut around the fact, with `…` where it was cut.
pub const SENTENCE_CHARS: usize = 400;

/// What identical facts are counted under for their ids: type, text and
/// sentence as written (shared, so comparing one sentence with itself is a
/// pointer comparison), hashed once (the hash the id is made from).
#[derive(PartialEq, Eq)]
struct Content<'t> {
    hash: u64,
    fact_type: FactType,
    text: &'t str,
    sentence: Arc<str>,
}

impl Hash for Content<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// Turns candidates into facts: section, sentence, code-point offsets, id.
/// The document id, each section's ICS and each sentence are shared by the
/// facts that carry them.
fn place(
    doc: &Document,
    search: &str,
    layout: &Layout,
    candidates: Vec<Candidate>,
    budget: &Budget,
) -> Result<Vec<Fact>, OverBudget> {
    let mut sentences = Sentences::default();
    let mut chars = CharCounter::new(&doc.text);
    let mut seen: HashMap<Content, usize, BuildHasherDefault<Fnv>> = HashMap::default();
    let id_key = match doc.repeat {
        0 => doc.id.clone(),
        n => format!("{}#{n}", doc.id),
    };
    let hashes = ContentHashes::new(&id_key);
    let doc_id: Arc<str> = Arc::from(doc.id.as_str());
    let ics: Vec<Option<Arc<str>>> = layout
        .sections
        .iter()
        .map(|s| s.ics.as_deref().map(Arc::from))
        .collect();
    let mut last_sentence: Option<(&str, Arc<str>)> = None;
    // Where each candidate stands: its section and its sentence.
    let placed: Vec<(Candidate, usize, Arc<str>)> = candidates
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            if (i + 1).is_multiple_of(CHECK_EVERY) {
                budget.check("placing facts")?;
            }
            let section_index = layout.section_at(c.start);
            let sentence = sentences.around(search, c.start, c.end);
            // A long sentence is written cut around each fact in it, so no
            // input multiplies the output by its own length; the id hashes
            // the sentence as written, so its cost is bounded too.
            let base = sentence.as_ptr() as usize - search.as_ptr() as usize;
            let cut = if base <= c.start && c.end <= base + sentence.len() {
                crate::text::cut_around(sentence, c.start - base, c.end - base, SENTENCE_CHARS)
            } else {
                Cow::Borrowed(sentence)
            };
            let shared_sentence = match cut {
                Cow::Owned(cut) => Arc::from(cut),
                Cow::Borrowed(_) => match &last_sentence {
                    Some((s, shared)) if std::ptr::eq(*s, sentence) => shared.clone(),
                    _ => last_sentence
                        .insert((sentence, Arc::from(sentence)))
                        .1
                        .clone(),
                },
            };
            Ok((c, section_index, shared_sentence))
        })
        .collect::<Result<_, OverBudget>>()?;
    // Content hashes, the facts that share a sentence hashed together.
    let mut contents = Vec::with_capacity(placed.len());
    for group in placed.chunk_by(|a, b| Arc::ptr_eq(&a.2, &b.2)) {
        hashes.of_sentence(
            group
                .iter()
                .map(|(c, _, _)| (c.fact_type, &doc.text[c.start..c.end])),
            &group[0].2,
            &mut contents,
        );
    }
    let facts = placed
        .into_iter()
        .zip(contents)
        .map(|((c, section_index, shared_sentence), content)| {
            let text = &doc.text[c.start..c.end];
            let occurrence = seen
                .entry(Content {
                    hash: content.finish(),
                    fact_type: c.fact_type,
                    text,
                    sentence: shared_sentence.clone(),
                })
                .or_insert(0);
            let id = id_with_occurrence(content, *occurrence);
            *occurrence += 1;
            let start = chars.at(c.start);
            let end = chars.at(c.end);
            Fact {
                id,
                doc: doc_id.clone(),
                section: section_index,
                section_kind: layout.sections[section_index].kind,
                ics: ics[section_index].clone(),
                fact_type: c.fact_type,
                text: text.to_string(),
                start,
                end,
                value: c.value,
                sentence: shared_sentence,
                rule: c.rule,
            }
        })
        .collect();
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{discover, Records};
    use std::time::Duration;

    #[test]
    fn a_group_analysed_stage_by_stage_gives_each_document_its_own_analysis() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let pipeline = Pipeline::load(&root.join("rules")).unwrap();
        let docs: Vec<Document> = Records::new(discover(&[root.join("corpus")], &[]).sources)
            .map(Result::unwrap)
            .collect();
        let docs: Vec<&Document> = docs.iter().collect();
        // Some documents may keep few facts: their text is cut where half
        // as many candidates were found (3 here), or their facts stop early
        // (10); one has no time at all.
        let mut budgets: Vec<Budget> = (0..docs.len())
            .map(|i| match i % 3 {
                1 => Budget::UNLIMITED.with_max_facts(2),
                2 => Budget::UNLIMITED.with_max_facts(40),
                _ => Budget::UNLIMITED,
            })
            .collect();
        budgets[3] = Budget::starting_now(Duration::ZERO);
        let alone: Vec<Result<Analysis, OverBudget>> = docs
            .iter()
            .zip(&budgets)
            .map(|(doc, budget)| pipeline.analyse_within(doc, budget))
            .collect();
        assert_eq!(pipeline.analyse_group(&docs, &budgets), alone);
        let ends = |by_candidates: bool| {
            alone
                .iter()
                .filter(|a| {
                    a.as_ref().is_ok_and(|a| {
                        a.facts_end
                            .is_some_and(|e| e.by_candidates == by_candidates)
                    })
                })
                .count()
        };
        assert_eq!((ends(true), ends(false)), (3, 10));
        assert_eq!(alone.iter().filter(|a| a.is_err()).count(), 1);
    }

    #[test]
    fn dates_in_url_paths() {
        let day = |y, m, d| Some((Ymd::new(y, m, d).unwrap(), true));
        let month = |y, m| Some((Ymd::new(y, m, 1).unwrap(), false));
        assert_eq!(
            date_in_url("https://example.org/2023/04/11/nhs-app/"),
            day(2023, 4, 11)
        );
        assert_eq!(
            date_in_url("https://example.org/news/2024/1/5"),
            day(2024, 1, 5)
        );
        assert_eq!(date_in_url("https://example.org/2023/13/11/x"), None);
        assert_eq!(
            date_in_url("https://example.org/2023/04/x?d=2023/04/11"),
            month(2023, 4)
        );
        assert_eq!(
            date_in_url("https://example.org/news/2023/10/a-slug"),
            month(2023, 10)
        );
        assert_eq!(date_in_url("https://2023.example.org/10/x"), None);
        assert_eq!(date_in_url("https://example.org/news/a-slug"), None);
    }
}
