//! Scores (guideline §5), as nervaluate counts them: per type, strict (same
//! type and span) and lenient (same type, overlapping spans, each gold fact
//! matched at most once) precision, recall and F1; value accuracy over the
//! lenient matches of dates and metrics; sections found by kind, ICS and
//! heading.

use super::gold::{GoldDoc, GoldFact};
use crate::fact::FactType;
use crate::sections::{normalise, SectionKind};
use serde_json::Value;
use std::collections::BTreeMap;

/// A predicted fact as the scorer sees it (offsets in code points).
#[derive(Debug, Clone, PartialEq)]
pub struct Predicted {
    /// The fact's type.
    pub fact_type: FactType,
    /// Its text.
    pub text: String,
    /// Start, in code points.
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// Its value.
    pub value: Value,
    /// The sentence holding it.
    pub sentence: String,
    /// The rule that found it.
    pub rule: String,
}

/// A predicted section: kind, heading, ICS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredictedSection {
    /// Its kind.
    pub kind: SectionKind,
    /// Its heading.
    pub title: Option<String>,
    /// Its ICS.
    pub ics: Option<String>,
}

/// Counts for one fact type (or all types together).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Gold facts.
    pub gold: usize,
    /// Predicted facts (outside ignored ranges).
    pub predicted: usize,
    /// Exact matches.
    pub strict: usize,
    /// Overlapping matches.
    pub lenient: usize,
    /// Lenient matches whose value equals the gold value (dates, metrics).
    pub value_ok: usize,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.gold += o.gold;
        self.predicted += o.predicted;
        self.strict += o.strict;
        self.lenient += o.lenient;
        self.value_ok += o.value_ok;
    }

    /// Precision, recall and F1 for a number of matches.
    pub fn prf(&self, matched: usize) -> (f64, f64, f64) {
        let p = ratio(matched, self.predicted);
        let r = ratio(matched, self.gold);
        let f = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        (p, r, f)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Section counts for one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SectionCounts {
    /// Gold sections.
    pub gold: usize,
    /// Predicted sections.
    pub predicted: usize,
    /// Gold sections found with the right kind, ICS and heading.
    pub matched: usize,
}

/// One error a rule writer may want to fix.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// A gold fact no prediction overlaps.
    Missed(GoldFact),
    /// A prediction no gold fact overlaps.
    Spurious(Predicted),
    /// A lenient match whose span differs.
    Span(GoldFact, Predicted),
    /// A lenient match whose value differs.
    Value(GoldFact, Predicted),
}

/// The outcome of scoring documents.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scores {
    /// Counts by fact type.
    pub by_type: BTreeMap<FactType, Counts>,
    /// Counts by section kind.
    pub sections: BTreeMap<SectionKind, SectionCounts>,
    /// Per document, what went wrong.
    pub findings: Vec<(String, Finding)>,
    /// Gold documents with no prediction at all.
    pub missing_docs: Vec<String>,
}

/// Whether two values are equal for scoring: dates compare `value`;
/// metrics compare `number` and the last word of `unit`, singular.
pub fn value_equal(fact_type: FactType, gold: &Value, pred: &Value) -> bool {
    match fact_type {
        FactType::Date => gold["value"] == pred["value"],
        FactType::Metric => {
            let number = |v: &Value| v["number"].as_f64();
            let same_number = match (number(gold), number(pred)) {
                (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
                _ => false,
            };
            same_number && unit_head(&gold["unit"]) == unit_head(&pred["unit"])
        }
        _ => true,
    }
}

/// The last word of a unit, lower case and singular.
fn unit_head(unit: &Value) -> Option<String> {
    let last = unit.as_str()?.split_whitespace().last()?.to_lowercase();
    Some(if let Some(stem) = last.strip_suffix("ies") {
        format!("{stem}y")
    } else if last.ends_with('s') && !last.ends_with("ss") && last.len() > 3 {
        last[..last.len() - 1].to_string()
    } else {
        last
    })
}

impl Scores {
    /// Scores one document's predictions against its gold.
    pub fn add_doc(
        &mut self,
        gold: &GoldDoc,
        predicted: &[Predicted],
        sections: &[PredictedSection],
    ) {
        for t in FactType::ALL {
            let g: Vec<&GoldFact> = gold.facts.iter().filter(|f| f.fact_type == t).collect();
            let p: Vec<&Predicted> = predicted.iter().filter(|f| f.fact_type == t).collect();
            let counts = self.match_type(&gold.doc, t, &g, &p);
            self.by_type.entry(t).or_default().add(&counts);
        }
        self.add_sections(gold, sections);
    }

    fn match_type(
        &mut self,
        doc: &str,
        t: FactType,
        gold: &[&GoldFact],
        pred: &[&Predicted],
    ) -> Counts {
        let mut counts = Counts {
            gold: gold.len(),
            predicted: pred.len(),
            ..Counts::default()
        };
        let mut gold_match: Vec<Option<usize>> = vec![None; gold.len()];
        let mut pred_used = vec![false; pred.len()];
        // Exact spans first, then overlaps in text order.
        for (gi, g) in gold.iter().enumerate() {
            if let Some(pi) = (0..pred.len())
                .find(|&pi| !pred_used[pi] && pred[pi].start == g.start && pred[pi].end == g.end)
            {
                gold_match[gi] = Some(pi);
                pred_used[pi] = true;
                counts.strict += 1;
            }
        }
        for (gi, g) in gold.iter().enumerate() {
            if gold_match[gi].is_some() {
                continue;
            }
            if let Some(pi) = (0..pred.len())
                .find(|&pi| !pred_used[pi] && pred[pi].start < g.end && g.start < pred[pi].end)
            {
                gold_match[gi] = Some(pi);
                pred_used[pi] = true;
            }
        }
        for (gi, g) in gold.iter().enumerate() {
            match gold_match[gi] {
                None => self
                    .findings
                    .push((doc.to_string(), Finding::Missed((*g).clone()))),
                Some(pi) => {
                    counts.lenient += 1;
                    let p = pred[pi];
                    if (p.start, p.end) != (g.start, g.end) {
                        self.findings
                            .push((doc.to_string(), Finding::Span((*g).clone(), p.clone())));
                    }
                    if matches!(t, FactType::Date | FactType::Metric) {
                        if value_equal(t, &g.value, &p.value) {
                            counts.value_ok += 1;
                        } else {
                            self.findings
                                .push((doc.to_string(), Finding::Value((*g).clone(), p.clone())));
                        }
                    }
                }
            }
        }
        for (pi, p) in pred.iter().enumerate() {
            if !pred_used[pi] {
                self.findings
                    .push((doc.to_string(), Finding::Spurious((*p).clone())));
            }
        }
        counts
    }

    fn add_sections(&mut self, gold: &GoldDoc, predicted: &[PredictedSection]) {
        let heading = |t: &Option<String>| t.as_deref().map(normalise);
        let mut used = vec![false; predicted.len()];
        for p in predicted {
            self.sections.entry(p.kind).or_default().predicted += 1;
        }
        for g in &gold.sections {
            let entry = self.sections.entry(g.kind).or_default();
            entry.gold += 1;
            if let Some(i) = (0..predicted.len()).find(|&i| {
                let p = &predicted[i];
                !used[i]
                    && p.kind == g.kind
                    && p.ics == g.ics
                    && heading(&p.title) == heading(&g.title)
            }) {
                used[i] = true;
                entry.matched += 1;
            }
        }
    }

    /// Counts over all types.
    pub fn total(&self) -> Counts {
        let mut all = Counts::default();
        for c in self.by_type.values() {
            all.add(c);
        }
        all
    }

    /// Every score by name (`lenient.metric.f1`, `value.date.acc`,
    /// `sections.ics.r`, ...), for tables, JSON and `--min`.
    pub fn metrics(&self) -> BTreeMap<String, f64> {
        let mut m = BTreeMap::new();
        let mut put = |name: &str, c: &Counts| {
            for (mode, matched) in [("strict", c.strict), ("lenient", c.lenient)] {
                let (p, r, f) = c.prf(matched);
                m.insert(format!("{mode}.{name}.p"), p);
                m.insert(format!("{mode}.{name}.r"), r);
                m.insert(format!("{mode}.{name}.f1"), f);
            }
            m.insert(format!("count.{name}.gold"), c.gold as f64);
            m.insert(format!("count.{name}.predicted"), c.predicted as f64);
        };
        for (t, c) in &self.by_type {
            put(t.as_str(), c);
        }
        put("all", &self.total());
        let mut values = Counts::default();
        for t in [FactType::Date, FactType::Metric] {
            if let Some(c) = self.by_type.get(&t) {
                m.insert(
                    format!("value.{}.acc", t.as_str()),
                    ratio(c.value_ok, c.lenient),
                );
                values.add(c);
            }
        }
        m.insert(
            "value.all.acc".into(),
            ratio(values.value_ok, values.lenient),
        );
        let mut all = SectionCounts::default();
        for (k, s) in &self.sections {
            m.insert(
                format!("sections.{}.p", k.as_str()),
                ratio(s.matched, s.predicted),
            );
            m.insert(
                format!("sections.{}.r", k.as_str()),
                ratio(s.matched, s.gold),
            );
            all.gold += s.gold;
            all.predicted += s.predicted;
            all.matched += s.matched;
        }
        m.insert("sections.all.p".into(), ratio(all.matched, all.predicted));
        m.insert("sections.all.r".into(), ratio(all.matched, all.gold));
        m
    }
}
