//! Scores (guideline §5), as nervaluate counts them: per type, strict (same
//! type and span) and lenient (same type, overlapping spans, each gold fact
//! matched at most once) precision, recall and F1; value accuracy over the
//! lenient matches of dates and metrics; sections found by kind, ICS and
//! heading.

use super::gold::{GoldDoc, GoldFact};
use crate::fact::{FactType, FactValue};
use crate::sections::{normalise, SectionKind};
use std::collections::BTreeMap;

/// A predicted fact as the scorer sees it: a `facts.jsonl` record, read
/// back from a run or made by a fresh one (offsets in code points).
pub type Predicted = crate::record::FactRecord;

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
pub fn value_equal(gold: &FactValue, pred: &FactValue) -> bool {
    match (gold, pred) {
        (FactValue::Date(g), FactValue::Date(p)) => g.value == p.value,
        (FactValue::Metric(g), FactValue::Metric(p)) => {
            let same_number = match (g.number, p.number) {
                (Some(a), Some(b)) => {
                    let (a, b) = (a.to_f64(), b.to_f64());
                    (a - b).abs() <= 1e-9 * a.abs().max(1.0)
                }
                _ => false,
            };
            same_number && unit_head(g.unit.as_deref()) == unit_head(p.unit.as_deref())
        }
        (FactValue::Organisation(_), FactValue::Organisation(_))
        | (FactValue::Technology(_), FactValue::Technology(_)) => true,
        _ => false,
    }
}

/// The last word of a unit, lower case and singular.
fn unit_head(unit: Option<&str>) -> Option<String> {
    let last = unit?.split_whitespace().last()?.to_lowercase();
    Some(crate::text::singular(&last))
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
                        if value_equal(&g.value, &p.value) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::gold::{GoldDoc, GoldFact, GoldSection};
    use serde_json::{json, Value};

    /// Whether two values, written as JSON, are equal for scoring.
    fn equal(t: FactType, gold: &Value, pred: &Value) -> bool {
        let read = |v: &Value| FactValue::from_json(t, v.clone()).unwrap();
        value_equal(&read(gold), &read(pred))
    }

    fn gold_fact(t: FactType, start: usize, end: usize, value: Value) -> GoldFact {
        GoldFact {
            fact_type: t,
            text: "x".repeat(end - start),
            start,
            end,
            value: FactValue::from_json(t, value).unwrap(),
        }
    }

    fn pred(t: FactType, start: usize, end: usize, value: Value) -> Predicted {
        Predicted {
            id: String::new(),
            doc: "d".into(),
            section: 0,
            section_kind: SectionKind::Intro,
            ics: None,
            fact_type: t,
            text: "x".repeat(end - start),
            start,
            end,
            value: FactValue::from_json(t, value).unwrap(),
            sentence: String::new(),
            rule: "r".into(),
        }
    }

    fn doc(facts: Vec<GoldFact>) -> GoldDoc {
        GoldDoc {
            path: "g.json".into(),
            doc: "d".into(),
            published: None,
            sections: vec![
                GoldSection {
                    kind: SectionKind::Title,
                    title: Some("T".into()),
                    ics: None,
                },
                GoldSection {
                    kind: SectionKind::Ics,
                    title: Some("Black Country ICS".into()),
                    ics: Some("Black Country".into()),
                },
            ],
            facts,
        }
    }

    fn metric(n: f64, unit: &str) -> Value {
        json!({"number": n, "unit": unit, "qualifier": null})
    }

    #[test]
    fn exact_partial_double_and_value_mismatch_by_hand() {
        use FactType::*;
        let g = doc(vec![
            gold_fact(Organisation, 0, 10, Value::Null),  // exact
            gold_fact(Organisation, 20, 30, Value::Null), // partial (22..35)
            gold_fact(Organisation, 40, 50, Value::Null), // two predictions overlap it
            gold_fact(Organisation, 60, 70, Value::Null), // missed
            gold_fact(Metric, 100, 112, metric(9454.0, "people")),
            gold_fact(Metric, 120, 130, metric(41.0, "percent")),
        ]);
        let p = vec![
            pred(Organisation, 0, 10, Value::Null),
            pred(Organisation, 22, 35, Value::Null),
            pred(Organisation, 40, 45, Value::Null),
            pred(Organisation, 46, 50, Value::Null),
            pred(Organisation, 80, 85, Value::Null), // spurious
            pred(Metric, 100, 112, metric(9454.0, "vetted people")),
            pred(Metric, 118, 130, metric(14.0, "percent")),
        ];
        let mut s = Scores::default();
        s.add_doc(&g, &p, &[]);
        let org = s.by_type[&Organisation];
        // By hand: 4 gold, 5 predicted; strict 1 (0..10); lenient 3 (0..10,
        // 22..35 with 20..30, one of 40..45/46..50 with 40..50).
        assert_eq!(
            org,
            Counts {
                gold: 4,
                predicted: 5,
                strict: 1,
                lenient: 3,
                value_ok: 0
            }
        );
        let (p_, r, f) = org.prf(org.lenient);
        assert!((p_ - 0.6).abs() < 1e-12 && (r - 0.75).abs() < 1e-12);
        assert!((f - 2.0 * 0.6 * 0.75 / 1.35).abs() < 1e-12);
        let m = s.by_type[&Metric];
        // "vetted people" and "people" share the last word; 14 is not 41.
        assert_eq!(
            m,
            Counts {
                gold: 2,
                predicted: 2,
                strict: 1,
                lenient: 2,
                value_ok: 1
            }
        );
        let kinds: Vec<&str> = s
            .findings
            .iter()
            .map(|(_, f)| match f {
                Finding::Missed(_) => "missed",
                Finding::Spurious(_) => "spurious",
                Finding::Span(..) => "span",
                Finding::Value(..) => "value",
            })
            .collect();
        assert_eq!(
            kinds,
            vec!["span", "span", "missed", "spurious", "spurious", "span", "value"]
        );
        let metrics = s.metrics();
        assert_eq!(metrics["strict.all.p"], 2.0 / 7.0);
        assert_eq!(metrics["lenient.all.r"], 5.0 / 6.0);
        assert_eq!(metrics["value.metric.acc"], 0.5);
    }

    #[test]
    fn empty_predictions_and_sections() {
        let g = doc(vec![gold_fact(
            FactType::Date,
            0,
            4,
            json!({"kind": "point", "value": "2023"}),
        )]);
        let mut s = Scores::default();
        s.add_doc(
            &g,
            &[],
            &[
                PredictedSection {
                    kind: SectionKind::Title,
                    title: Some("T".into()),
                    ics: None,
                },
                PredictedSection {
                    kind: SectionKind::Ics,
                    title: Some("Black  Country ics".into()),
                    ics: Some("Black Country".into()),
                },
                PredictedSection {
                    kind: SectionKind::Other,
                    title: Some("Extra".into()),
                    ics: None,
                },
            ],
        );
        let d = s.by_type[&FactType::Date];
        assert_eq!(
            d,
            Counts {
                gold: 1,
                predicted: 0,
                strict: 0,
                lenient: 0,
                value_ok: 0
            }
        );
        assert_eq!(d.prf(0), (0.0, 0.0, 0.0));
        assert_eq!(
            s.sections[&SectionKind::Ics],
            SectionCounts {
                gold: 1,
                predicted: 1,
                matched: 1
            }
        );
        assert_eq!(
            s.sections[&SectionKind::Other],
            SectionCounts {
                gold: 0,
                predicted: 1,
                matched: 0
            }
        );
        assert_eq!(s.metrics()["sections.all.p"], 2.0 / 3.0);
    }

    #[test]
    fn values_compare_as_the_guideline_says() {
        assert!(equal(
            FactType::Metric,
            &metric(2.0, "GP practices"),
            &metric(2.0, "practice")
        ));
        assert!(equal(
            FactType::Metric,
            &metric(19.0, "ICSs"),
            &metric(19.0, "icss")
        ));
        assert!(!equal(
            FactType::Metric,
            &metric(2.0, "trusts"),
            &metric(3.0, "trusts")
        ));
        assert!(equal(
            FactType::Metric,
            &json!({"number": 120, "unit": null}),
            &json!({"number": 120.0, "unit": null})
        ));
        let date = |v: Value| json!({"kind": "point", "value": v});
        assert!(equal(
            FactType::Date,
            &date(json!("2022-11")),
            &date(json!("2022-11"))
        ));
        assert!(!equal(
            FactType::Date,
            &date(json!("2022-11")),
            &date(Value::Null)
        ));
    }
}
