//! Evaluation reports: the score table, the error list, JSON, threshold
//! checks and run-to-run comparison.

use super::score::{Finding, Scores};
use super::{gold_sentence, GoldFact, Predicted, Predictions};
use crate::fact::FactType;
use crate::sections::SectionKind;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// The score table a person reads.
pub fn table(scores: &Scores) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<13} {:>5} {:>5} | {:>6} {:>6} {:>6} | {:>6} {:>6} {:>6} | {:>9}",
        "type", "gold", "pred", "str P", "str R", "str F1", "len P", "len R", "len F1", "value acc"
    );
    let _ = writeln!(out, "{}", "-".repeat(87));
    let mut rows: Vec<(String, super::Counts, bool)> = FactType::ALL
        .iter()
        .filter_map(|t| {
            scores.by_type.get(t).map(|c| {
                (
                    t.as_str().to_string(),
                    *c,
                    matches!(t, FactType::Date | FactType::Metric),
                )
            })
        })
        .collect();
    rows.push(("all".into(), scores.total(), false));
    for (name, c, valued) in rows {
        let (sp, sr, sf) = c.prf(c.strict);
        let (lp, lr, lf) = c.prf(c.lenient);
        let value = if valued && c.lenient > 0 {
            format!("{:.3}", c.value_ok as f64 / c.lenient as f64)
        } else {
            "-".into()
        };
        let _ = writeln!(
            out,
            "{name:<13} {:>5} {:>5} | {sp:>6.3} {sr:>6.3} {sf:>6.3} | {lp:>6.3} {lr:>6.3} {lf:>6.3} | {value:>9}",
            c.gold, c.predicted
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<13} {:>5} {:>5} {:>6} {:>6} {:>6}",
        "sections", "gold", "pred", "found", "P", "R"
    );
    for kind in SectionKind::ALL {
        if let Some(s) = scores.sections.get(&kind) {
            let p = if s.predicted == 0 {
                0.0
            } else {
                s.matched as f64 / s.predicted as f64
            };
            let r = if s.gold == 0 {
                0.0
            } else {
                s.matched as f64 / s.gold as f64
            };
            let _ = writeln!(
                out,
                "{:<13} {:>5} {:>5} {:>6} {p:>6.3} {r:>6.3}",
                kind.as_str(),
                s.gold,
                s.predicted,
                s.matched
            );
        }
    }
    if !scores.missing_docs.is_empty() {
        let _ = writeln!(
            out,
            "\nno predictions for: {}",
            scores.missing_docs.join(", ")
        );
    }
    out
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Every missed, spurious, mis-spanned and wrong-value fact, with document,
/// offsets, text, sentence and rule.
pub fn errors(scores: &Scores, predictions: &Predictions) -> String {
    let mut out = String::new();
    for (doc, finding) in &scores.findings {
        let text = predictions.texts.get(doc).map(String::as_str);
        let gold_line = |g: &GoldFact| {
            format!(
                "{}..{} {} {}",
                g.start,
                g.end,
                g.fact_type.as_str(),
                quote(&g.text)
            )
        };
        let pred_line = |p: &Predicted| {
            format!(
                "{}..{} {} {} [{}]",
                p.start,
                p.end,
                p.fact_type.as_str(),
                quote(&p.text),
                p.rule
            )
        };
        let (tag, what, sentence) = match finding {
            Finding::Missed(g) => ("MISSED", gold_line(g), gold_sentence(text, g)),
            Finding::Spurious(p) => ("SPURIOUS", pred_line(p), p.sentence.clone()),
            Finding::Span(g, p) => (
                "SPAN",
                format!("{} gold {}", pred_line(p), quote(&g.text)),
                p.sentence.clone(),
            ),
            Finding::Value(g, p) => (
                "VALUE",
                format!("{} value {} gold {}", pred_line(p), p.value, g.value),
                p.sentence.clone(),
            ),
        };
        let _ = writeln!(out, "{tag:<8} {doc} {what}");
        if !sentence.is_empty() {
            let _ = writeln!(out, "         | {sentence}");
        }
    }
    out
}

/// The scores and findings as JSON.
pub fn to_json(scores: &Scores) -> Value {
    let findings: Vec<Value> = scores
        .findings
        .iter()
        .map(|(doc, f)| {
            let g = |g: &GoldFact| json!({"type": g.fact_type.as_str(), "text": g.text, "start": g.start, "end": g.end, "value": g.value});
            let p = |p: &Predicted| json!({"type": p.fact_type.as_str(), "text": p.text, "start": p.start, "end": p.end, "value": p.value, "rule": p.rule, "sentence": p.sentence});
            match f {
                Finding::Missed(x) => json!({"doc": doc, "kind": "missed", "gold": g(x)}),
                Finding::Spurious(x) => json!({"doc": doc, "kind": "spurious", "predicted": p(x)}),
                Finding::Span(x, y) => json!({"doc": doc, "kind": "span", "gold": g(x), "predicted": p(y)}),
                Finding::Value(x, y) => json!({"doc": doc, "kind": "value", "gold": g(x), "predicted": p(y)}),
            }
        })
        .collect();
    json!({"scores": scores.metrics(), "missing_documents": scores.missing_docs, "findings": findings})
}

/// Parses `KEY=VALUE` thresholds.
pub fn parse_min(spec: &str) -> Result<(String, f64), String> {
    let (k, v) = spec
        .split_once('=')
        .ok_or_else(|| format!("--min {spec:?}: expected KEY=VALUE, e.g. lenient.all.f1=0.9"))?;
    let v: f64 = v
        .trim()
        .parse()
        .map_err(|_| format!("--min {spec:?}: {v:?} is not a number"))?;
    Ok((k.trim().to_string(), v))
}

/// Checks thresholds; returns the lines describing each one that failed,
/// or an error for a key that names no score.
pub fn check_min(scores: &Scores, mins: &[(String, f64)]) -> Result<Vec<String>, String> {
    let metrics = scores.metrics();
    let mut failed = Vec::new();
    for (key, min) in mins {
        let got = metrics.get(key).ok_or_else(|| {
            let known: Vec<&str> = metrics
                .keys()
                .map(String::as_str)
                .filter(|k| !k.starts_with("count."))
                .collect();
            format!("--min {key}: no such score (known: {})", known.join(", "))
        })?;
        if *got < *min {
            failed.push(format!("{key} = {got:.4} is below {min}"));
        }
    }
    Ok(failed)
}

/// What changed between two runs scored on the same gold: facts gained and
/// lost, spurious facts added and removed, and the scores that changed
/// (every score with `all`).
pub fn compare(old: &Scores, new: &Scores, all: bool) -> String {
    type Key = (String, &'static str, usize, usize, String);
    let keys = |s: &Scores, missed: bool| -> BTreeSet<Key> {
        s.findings
            .iter()
            .filter_map(|(doc, f)| match (f, missed) {
                (Finding::Missed(g), true) => Some((
                    doc.clone(),
                    g.fact_type.as_str(),
                    g.start,
                    g.end,
                    g.text.clone(),
                )),
                (Finding::Spurious(p), false) => Some((
                    doc.clone(),
                    p.fact_type.as_str(),
                    p.start,
                    p.end,
                    format!("{} [{}]", p.text, p.rule),
                )),
                _ => None,
            })
            .collect()
    };
    let mut out = String::new();
    let sections: [(&str, BTreeSet<Key>, BTreeSet<Key>); 2] = [
        (
            "gained (missed before, found now)",
            keys(old, true),
            keys(new, true),
        ),
        ("spurious removed", keys(old, false), keys(new, false)),
    ];
    for (i, (title, before, after)) in sections.iter().enumerate() {
        let (gone, came): (Vec<&Key>, Vec<&Key>) = (
            before.difference(after).collect(),
            after.difference(before).collect(),
        );
        let other = if i == 0 {
            "lost (found before, missed now)"
        } else {
            "spurious added"
        };
        for (label, list) in [(*title, gone), (other, came)] {
            let _ = writeln!(out, "{label}: {}", list.len());
            for (doc, t, s, e, text) in list {
                let _ = writeln!(out, "  {doc} {s}..{e} {t} {}", quote(text));
            }
        }
    }
    let (a, b) = (old.metrics(), new.metrics());
    let scores: BTreeMap<&String, (f64, f64)> = a
        .iter()
        .filter(|(k, _)| {
            k.starts_with("lenient.")
                || k.starts_with("strict.")
                || k.starts_with("value.")
                || k.starts_with("sections.")
        })
        .map(|(k, v)| (k, (*v, b.get(k).copied().unwrap_or(0.0))))
        .filter(|(_, (x, y))| all || (y - x).abs() >= 0.00005)
        .collect();
    if scores.is_empty() {
        out.push_str("\nno score changed\n");
        return out;
    }
    let _ = writeln!(
        out,
        "\n{:<24} {:>8} {:>8} {:>8}",
        "score", "old", "new", "change"
    );
    for (k, (x, y)) in scores {
        let _ = writeln!(out, "{k:<24} {x:>8.4} {y:>8.4} {:>+8.4}", y - x);
    }
    out
}

/// How two runs' facts differ, over every document they hold (gold or
/// not): facts found only by the old run (`-`), only by the new one
/// (`+`), and with the same span and type but another value (`~`).
/// Facts are matched by document, type and span, so a rule renamed or
/// moved makes no difference.
pub fn fact_changes(old: &Predictions, new: &Predictions) -> String {
    let (before, after) = (by_span(old), by_span(new));
    let mut lines = Vec::new();
    let (mut removed, mut added, mut changed) = (0, 0, 0);
    for (key, f) in &before {
        match after.get(key) {
            None => {
                removed += 1;
                lines.push((*key, format!("- {}", fact_line(key, f))));
            }
            Some(g) if g.value != f.value => {
                changed += 1;
                lines.push((
                    *key,
                    format!("~ {} value {} -> {}", fact_line(key, f), f.value, g.value),
                ));
            }
            Some(_) => {}
        }
    }
    for (key, f) in &after {
        if !before.contains_key(key) {
            added += 1;
            lines.push((*key, format!("+ {}", fact_line(key, f))));
        }
    }
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    let only = |a: &Predictions, b: &Predictions| {
        a.docs.keys().filter(|d| !b.docs.contains_key(*d)).count()
    };
    let mut out = format!(
        "facts: {removed} removed, {added} added, {changed} with another value ({} documents only in the old run, {} only in the new)\n",
        only(old, new),
        only(new, old)
    );
    for (_, line) in lines {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// A run's facts by document, start, end and type.
type SpanKey<'a> = (&'a str, usize, usize, &'static str);

fn by_span(p: &Predictions) -> BTreeMap<SpanKey<'_>, &Predicted> {
    p.docs
        .iter()
        .flat_map(|(doc, d)| {
            d.facts
                .iter()
                .map(move |f| ((doc.as_str(), f.start, f.end, f.fact_type.as_str()), f))
        })
        .collect()
}

fn fact_line(key: &SpanKey<'_>, f: &Predicted) -> String {
    format!(
        "{} {}..{} {} {}",
        key.0,
        key.1,
        key.2,
        key.3,
        quote(&f.text)
    )
}
