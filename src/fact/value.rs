//! Fact values: the normalised value of each fact type (guideline §3), as
//! typed records. They serialise to the JSON objects the guideline
//! describes, keys in alphabetical order, and read back from them (gold
//! files, earlier runs, the review page) given the fact's type.

use crate::fact::FactType;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A fact's normalised value, one shape per fact type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum FactValue {
    /// An organisation's canonical name, kind and what the knowledge base
    /// adds.
    Organisation(OrganisationValue),
    /// A technology's canonical term and category.
    Technology(TechnologyValue),
    /// A TIMEX3-style date value.
    Date(DateValue),
    /// A number with its unit.
    Metric(MetricValue),
}

impl FactValue {
    /// The value a name of `fact_type` (organisation or technology) gets
    /// when all that is known is its text and its kind or category.
    pub fn named(fact_type: FactType, canonical: &str, class: Option<&str>) -> FactValue {
        let canonical = canonical.to_string();
        let class = class.map(str::to_string);
        match fact_type {
            FactType::Technology => FactValue::Technology(TechnologyValue {
                canonical: Some(canonical),
                category: class,
            }),
            _ => FactValue::Organisation(OrganisationValue {
                canonical: Some(canonical),
                kind: class,
                ..OrganisationValue::default()
            }),
        }
    }

    /// The value of `fact_type` with nothing known (every part null).
    pub fn unknown(fact_type: FactType) -> FactValue {
        match fact_type {
            FactType::Organisation => FactValue::Organisation(OrganisationValue::default()),
            FactType::Technology => FactValue::Technology(TechnologyValue::default()),
            FactType::Date => FactValue::Date(DateValue::default()),
            FactType::Metric => FactValue::Metric(MetricValue::default()),
        }
    }

    /// Reads the JSON value of a fact of `fact_type` (unknown keys are
    /// ignored, missing ones are null).
    pub fn from_json(
        fact_type: FactType,
        json: serde_json::Value,
    ) -> Result<FactValue, serde_json::Error> {
        if json.is_null() {
            return Ok(FactValue::unknown(fact_type));
        }
        Ok(match fact_type {
            FactType::Organisation => FactValue::Organisation(serde_json::from_value(json)?),
            FactType::Technology => FactValue::Technology(serde_json::from_value(json)?),
            FactType::Date => FactValue::Date(serde_json::from_value(json)?),
            FactType::Metric => FactValue::Metric(serde_json::from_value(json)?),
        })
    }

    /// The value as a JSON object (the shape written to `facts.jsonl`).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a fact value serialises")
    }

    /// The canonical name of an organisation or technology.
    pub fn canonical(&self) -> Option<&str> {
        match self {
            FactValue::Organisation(v) => v.canonical.as_deref(),
            FactValue::Technology(v) => v.canonical.as_deref(),
            _ => None,
        }
    }

    /// Sets the canonical name of an organisation or technology.
    pub fn set_canonical(&mut self, name: &str) {
        match self {
            FactValue::Organisation(v) => v.canonical = Some(name.to_string()),
            FactValue::Technology(v) => v.canonical = Some(name.to_string()),
            _ => {}
        }
    }

    /// A date's value, when it is a date.
    pub fn as_date(&self) -> Option<&DateValue> {
        match self {
            FactValue::Date(d) => Some(d),
            _ => None,
        }
    }

    /// Whether this is a relative date left without a value (no reference
    /// date to resolve it against).
    pub fn is_unresolved_date(&self) -> bool {
        matches!(self, FactValue::Date(d) if d.relative && d.value.is_none())
    }
}

impl fmt::Display for FactValue {
    /// The value as compact JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let json = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&json)
    }
}

/// An organisation's value. Fields are declared in alphabetical order, the
/// order they are written in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrganisationValue {
    /// The canonical name.
    pub canonical: Option<String>,
    /// Its ODS code, when the knowledge base has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// For a body that ceased before the document's date: the name the
    /// text wrote (the value is then its successor's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub former: Option<String>,
    /// `ics`, `trust`, `national`, `company`, … (the guideline's kinds and
    /// the knowledge base's).
    pub kind: Option<String>,
    /// The NHS region, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The body that took over, for one that ceased.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successor: Option<String>,
    /// The day it ceased (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// A technology's value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TechnologyValue {
    /// The canonical term.
    pub canonical: Option<String>,
    /// Free-text category ("electronic patient record", "AI", …).
    pub category: Option<String>,
}

/// The kind of a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateKind {
    /// A point in time at some precision.
    Point,
    /// A range between two points.
    Range,
    /// A length of time.
    Duration,
}

impl DateKind {
    /// Every kind.
    pub const ALL: [DateKind; 3] = [DateKind::Point, DateKind::Range, DateKind::Duration];

    /// The kind as written in values.
    pub fn as_str(self) -> &'static str {
        match self {
            DateKind::Point => "point",
            DateKind::Range => "range",
            DateKind::Duration => "duration",
        }
    }

    /// Parses a rule's `kind` attribute.
    pub fn parse(s: &str) -> Option<DateKind> {
        DateKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A date's value. Fields are declared in the order they are written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DateValue {
    /// Point, range or duration.
    pub kind: Option<DateKind>,
    /// `START`, `MID` or `END` ("early in 2023").
    #[serde(rename = "mod", skip_serializing_if = "Option::is_none")]
    pub modifier: Option<String>,
    /// For a relative expression resolved against a reference date, where
    /// that date came from (`published`, `url`, `dateline`, `given`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// A relative or vague expression left without a value.
    #[serde(skip_serializing_if = "is_false")]
    pub relative: bool,
    /// The TIMEX3-style value (`2022-11`, `2023/2025`, `P6W`), or null.
    pub value: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// How a metric's number relates to the quantity (guideline §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    /// "over", "more than".
    Over,
    /// "almost", "nearly", "fewer than".
    Under,
    /// "around", "about", "approximately".
    About,
    /// "at least", "30,000+".
    AtLeast,
    /// "up to".
    AtMost,
}

impl Qualifier {
    /// Parses a qualifier's name as written in values and the lexicon.
    pub fn parse(s: &str) -> Option<Qualifier> {
        match s {
            "over" => Some(Qualifier::Over),
            "under" => Some(Qualifier::Under),
            "about" => Some(Qualifier::About),
            "at_least" => Some(Qualifier::AtLeast),
            "at_most" => Some(Qualifier::AtMost),
            _ => None,
        }
    }

    /// The name as written in values.
    pub fn as_str(self) -> &'static str {
        match self {
            Qualifier::Over => "over",
            Qualifier::Under => "under",
            Qualifier::About => "about",
            Qualifier::AtLeast => "at_least",
            Qualifier::AtMost => "at_most",
        }
    }
}

/// A metric's value. Fields are declared in the order they are written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricValue {
    /// The number, scale applied.
    pub number: Option<Number>,
    /// The period of a rate ("month" in "800,000 times a month").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per: Option<String>,
    /// Over, under, about, at least, at most, or none.
    pub qualifier: Option<Qualifier>,
    /// Currency code, `percent`, `ratio`, or the counted noun phrase.
    pub unit: Option<String>,
    /// The upper end of a range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upper: Option<Number>,
}

/// A number in a value: whole numbers are integers, others are rounded to
/// four decimal places.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// A whole number.
    Integer(i64),
    /// A number with a fractional part.
    Float(f64),
}

impl Number {
    /// A number rounded to four decimal places (an integer when that
    /// leaves it whole).
    pub fn round4(x: f64) -> Number {
        let r = (x * 10_000.0).round() / 10_000.0;
        if r.fract() == 0.0 && r.abs() < 9e15 {
            Number::Integer(r as i64)
        } else {
            Number::Float(r)
        }
    }

    /// The number as an `f64`.
    pub fn to_f64(self) -> f64 {
        match self {
            Number::Integer(n) => n as f64,
            Number::Float(x) => x,
        }
    }

    fn to_json(self) -> serde_json::Value {
        match self {
            Number::Integer(n) => n.into(),
            Number::Float(x) => x.into(),
        }
    }
}

impl fmt::Display for Number {
    /// As JSON writes it (`4100000`, `0.3333`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_json(), f)
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Number::Integer(n) => s.serialize_i64(n),
            Number::Float(x) => s.serialize_f64(x),
        }
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Number, D::Error> {
        let n = serde_json::Number::deserialize(d)?;
        match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Ok(Number::Integer(i)),
            (None, Some(x)) => Ok(Number::Float(x)),
            _ => Err(D::Error::custom(format!("number {n} out of range"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_write_their_keys_in_alphabetical_order() {
        let metric = FactValue::Metric(MetricValue {
            number: Some(Number::Integer(40)),
            per: Some("month".into()),
            qualifier: Some(Qualifier::AtLeast),
            unit: Some("virtual ward beds".into()),
            upper: Some(Number::Float(50.5)),
        });
        assert_eq!(
            metric.to_string(),
            r#"{"number":40,"per":"month","qualifier":"at_least","unit":"virtual ward beds","upper":50.5}"#
        );
        let date = FactValue::Date(DateValue {
            kind: Some(DateKind::Point),
            modifier: Some("START".into()),
            reference: Some("url".into()),
            relative: false,
            value: Some("2023".into()),
        });
        assert_eq!(
            date.to_string(),
            r#"{"kind":"point","mod":"START","reference":"url","value":"2023"}"#
        );
        assert_eq!(
            FactValue::unknown(FactType::Metric).to_string(),
            r#"{"number":null,"qualifier":null,"unit":null}"#
        );
        assert_eq!(
            FactValue::named(FactType::Technology, "EPR", Some("other")).to_string(),
            r#"{"canonical":"EPR","category":"other"}"#
        );
    }

    #[test]
    fn values_read_back_given_their_type() {
        for (t, json) in [
            (
                FactType::Organisation,
                json!({"canonical": "North Bristol NHS Trust", "code": "RVJ", "kind": "trust", "former": "X", "successor": "Y", "until": "2027-04-01", "region": "South West"}),
            ),
            (
                FactType::Date,
                json!({"kind": "range", "value": "2023/2025"}),
            ),
            (
                FactType::Date,
                json!({"kind": "point", "relative": true, "value": null}),
            ),
            (
                FactType::Metric,
                json!({"number": 0.3333, "qualifier": null, "unit": "ratio"}),
            ),
        ] {
            let value = FactValue::from_json(t, json.clone()).unwrap();
            assert_eq!(value.to_json(), json);
        }
        let unresolved = FactValue::from_json(
            FactType::Date,
            json!({"kind": "point", "relative": true, "value": null}),
        )
        .unwrap();
        assert!(unresolved.is_unresolved_date());
        let err = FactValue::from_json(FactType::Metric, json!({"qualifier": "roughly"}));
        assert!(err
            .unwrap_err()
            .to_string()
            .contains("unknown variant `roughly`"));
    }

    #[test]
    fn numbers_round_to_four_places() {
        assert_eq!(Number::round4(1.0 / 3.0), Number::Float(0.3333));
        assert_eq!(Number::round4(2.00001), Number::Integer(2));
        assert_eq!(Number::Float(0.25).to_string(), "0.25");
        assert_eq!(Number::Integer(4_100_000).to_string(), "4100000");
    }
}
