//! Fact lines written by hand: byte for byte what `serde_json` makes of
//! [`Fact`] and [`FactValue`], without its calls into a writer for every
//! key and value. A run writes about a dozen facts per kilobyte of text,
//! each with its sentence, so this is a large share of its work; the tests
//! hold it to `serde_json`'s output.

use super::FactFields;
use crate::fact::{
    DateKind, DateValue, Fact, FactValue, MetricValue, Number, OrganisationValue, TechnologyValue,
};
use crate::text::Fnv;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::ops::Range;
use std::sync::Arc;

/// Facts as JSON lines, with these fields. Facts in a row that share
/// their document, section or sentence share its JSON: it is escaped once
/// for them. Facts that share a value (every mention of a known
/// organisation or technology shares its entry's) copy its JSON from the
/// first line that wrote it.
pub(super) fn fact_lines(facts: &[Fact], fields: FactFields) -> Vec<u8> {
    // Room for every line as long as its strings unescaped, so the lines
    // are seldom moved as they grow.
    let room = facts
        .iter()
        .map(|f| LINE_BEYOND_STRINGS + f.text.len() + f.sentence.len() + f.rule.len())
        .sum();
    let mut lines = Vec::with_capacity(room);
    let mut shared = SharedJson::default();
    let mut values = Values::default();
    for fact in facts {
        write_fact(&mut lines, fact, fields, &mut shared, &mut values);
    }
    lines
}

/// About what a fact line holds besides its text, sentence and rule: its
/// keys, id, document, ICS, numbers and value.
const LINE_BEYOND_STRINGS: usize = 320;

/// The JSON of the strings the facts before shared (their document, ICS
/// and sentence), kept while the next facts share them too.
#[derive(Default)]
struct SharedJson<'f> {
    doc: LastJson<'f>,
    ics: LastJson<'f>,
    sentence: LastJson<'f>,
}

/// One field's last shared string and its JSON.
#[derive(Default)]
struct LastJson<'f> {
    of: Option<&'f Arc<str>>,
    json: Vec<u8>,
}

impl<'f> LastJson<'f> {
    /// The JSON of `s`, escaped again only when `s` is not the string
    /// escaped last.
    fn of(&mut self, s: &'f Arc<str>) -> &[u8] {
        if !self.of.is_some_and(|last| Arc::ptr_eq(last, s)) {
            self.json.clear();
            json_str(&mut self.json, s);
            self.of = Some(s);
        }
        &self.json
    }
}

/// Where in the lines being written each shared value's JSON already
/// stands, by the value's address (the facts, and so their values, are
/// alive while their lines are written).
#[derive(Default)]
struct Values(HashMap<*const FactValue, Range<usize>, BuildHasherDefault<Fnv>>);

impl Values {
    /// Appends the JSON of `value`, copied from where it was written
    /// before when it is shared.
    fn write(&mut self, out: &mut Vec<u8>, value: &Arc<FactValue>) {
        if Arc::strong_count(value) == 1 {
            return write_value(out, value);
        }
        let key = Arc::as_ptr(value);
        if let Some(written) = self.0.get(&key) {
            out.extend_from_within(written.clone());
            return;
        }
        let start = out.len();
        write_value(out, value);
        self.0.insert(key, start..out.len());
    }
}

/// Appends a number as `Display` writes it, without a formatter.
fn write_number(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// Appends a fact as one line of JSON with these fields: byte for byte
/// what `serde_json` makes of [`Fact`] (of the fields written), without
/// its per-field calls into a writer (a run writes about a dozen facts per
/// kilobyte of text, each with its sentence, so this is a large share of
/// its work).
fn write_fact<'f>(
    out: &mut Vec<u8>,
    fact: &'f Fact,
    fields: FactFields,
    shared: &mut SharedJson<'f>,
    values: &mut Values,
) {
    let mut first = true;
    for (i, key) in FactFields::KEYS.iter().enumerate() {
        if !fields.has(i) {
            continue;
        }
        // `,"name":`, or `{"name":` for the first field.
        if first {
            out.push(b'{');
            out.extend_from_slice(&key.as_bytes()[1..]);
            first = false;
        } else {
            out.extend_from_slice(key.as_bytes());
        }
        match i {
            0 => json_str(out, &fact.id),
            1 => out.extend_from_slice(shared.doc.of(&fact.doc)),
            2 => write_number(out, fact.section as u64),
            3 => plain_str(out, fact.section_kind.as_str()),
            4 => match &fact.ics {
                Some(ics) => out.extend_from_slice(shared.ics.of(ics)),
                None => out.extend_from_slice(b"null"),
            },
            5 => plain_str(out, fact.fact_type.as_str()),
            6 => json_str(out, &fact.text),
            7 => write_number(out, fact.start as u64),
            8 => write_number(out, fact.end as u64),
            9 => values.write(out, &fact.value),
            10 => out.extend_from_slice(shared.sentence.of(&fact.sentence)),
            _ => json_str(out, &fact.rule),
        }
    }
    out.extend_from_slice(b"}\n");
}

/// Appends a name of the schema's own (a section kind, a fact type: lower
/// case ASCII letters and hyphens) as a JSON string: nothing in it needs
/// escaping, so it is not looked at.
fn plain_str(out: &mut Vec<u8>, name: &'static str) {
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.push(b'"');
}

/// Appends a JSON string, escaped as `serde_json` escapes it (`"`, `\` and
/// control characters only), skipping eight bytes at a time (the last
/// few as one) where none of them occurs.
fn json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut done = 0;
    let mut at = 0;
    while at < bytes.len() {
        let word = match bytes.get(at..at + 8) {
            Some(chunk) => u64::from_le_bytes(chunk.try_into().expect("eight bytes")),
            // The last few bytes, padded with spaces (which need no escape).
            None => {
                let mut padded = [b' '; 8];
                padded[..bytes.len() - at].copy_from_slice(&bytes[at..]);
                u64::from_le_bytes(padded)
            }
        };
        if !needs_escape(word) {
            at = bytes.len().min(at + 8);
            continue;
        }
        let b = bytes[at];
        at += 1;
        let escaped: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"\\u00",
            _ => continue,
        };
        out.extend_from_slice(&bytes[done..at - 1]);
        out.extend_from_slice(escaped);
        if escaped == b"\\u00" {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]);
        }
        done = at;
    }
    out.extend_from_slice(&bytes[done..]);
    out.push(b'"');
}

/// Whether any of eight bytes is `"`, `\` or a control character (below
/// 0x20): the classic bit tests for a byte below a bound, and for a zero
/// byte in the word XORed with each character.
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let below = |w: u64, n: u64| w.wrapping_sub(ONES * n) & !w & HIGHS;
    let has = |c: u8| below(word ^ (ONES * u64::from(c)), 1) != 0;
    below(word, 0x20) != 0 || has(b'"') || has(b'\\')
}

/// Appends a fact's value as `serde_json` writes it: the fields of its
/// type in the order they are declared, the optional ones only when set.
fn write_value(out: &mut Vec<u8>, value: &FactValue) {
    let mut object = Object::open(out);
    match value {
        FactValue::Organisation(OrganisationValue {
            canonical,
            code,
            former,
            kind,
            region,
            successor,
            until,
        }) => {
            object.string("canonical", canonical.as_deref());
            object.string_if("code", code.as_deref());
            object.string_if("former", former.as_deref());
            object.string("kind", kind.as_deref());
            object.string_if("region", region.as_deref());
            object.string_if("successor", successor.as_deref());
            object.string_if("until", until.as_deref());
        }
        FactValue::Technology(TechnologyValue {
            canonical,
            category,
        }) => {
            object.string("canonical", canonical.as_deref());
            object.string("category", category.as_deref());
        }
        FactValue::Date(DateValue {
            kind,
            modifier,
            reference,
            relative,
            value,
        }) => {
            object.string("kind", kind.map(DateKind::as_str));
            object.string_if("mod", modifier.as_deref());
            object.string_if("reference", reference.as_deref());
            if *relative {
                object.key("relative");
                object.out.extend_from_slice(b"true");
            }
            object.string("value", value.as_deref());
        }
        FactValue::Metric(MetricValue {
            number,
            per,
            qualifier,
            unit,
            upper,
        }) => {
            object.number("number", *number);
            object.string_if("per", per.as_deref());
            object.string("qualifier", qualifier.map(|q| q.as_str()));
            object.string("unit", unit.as_deref());
            if upper.is_some() {
                object.number("upper", *upper);
            }
        }
    }
    object.out.push(b'}');
}

/// A JSON object being written: its keys, each after a comma but the first.
struct Object<'o> {
    out: &'o mut Vec<u8>,
    first: bool,
}

impl<'o> Object<'o> {
    fn open(out: &'o mut Vec<u8>) -> Object<'o> {
        out.push(b'{');
        Object { out, first: true }
    }

    /// A key (one of the value types' field names, which need no escape).
    fn key(&mut self, key: &str) {
        if !std::mem::take(&mut self.first) {
            self.out.push(b',');
        }
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    /// A string, or `null`.
    fn string(&mut self, key: &str, value: Option<&str>) {
        self.key(key);
        match value {
            Some(s) => json_str(self.out, s),
            None => self.out.extend_from_slice(b"null"),
        }
    }

    /// A string, left out when there is none.
    fn string_if(&mut self, key: &str, value: Option<&str>) {
        if value.is_some() {
            self.string(key, value);
        }
    }

    /// A number, or `null`: integers written here, fractions as
    /// `serde_json` writes an `f64`.
    fn number(&mut self, key: &str, value: Option<Number>) {
        self.key(key);
        match value {
            Some(Number::Integer(n)) => {
                if n < 0 {
                    self.out.push(b'-');
                }
                write_number(self.out, n.unsigned_abs());
            }
            Some(Number::Float(x)) => {
                serde_json::to_writer(&mut *self.out, &x).expect("a number serialises")
            }
            None => self.out.extend_from_slice(b"null"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fact::{FactType, Qualifier};
    use crate::record::FactRecord;
    use crate::sections::SectionKind;
    use proptest::prelude::*;
    use serde_json::json;

    fn fact(text: &str, sentence: &str, ics: Option<&str>) -> Fact {
        Fact {
            id: "0123456789abcdef".into(),
            doc: "doc \"7\"".into(),
            section: 12,
            section_kind: SectionKind::Ics,
            ics: ics.map(Arc::from),
            fact_type: FactType::Metric,
            text: text.into(),
            start: 3,
            end: 1_000_000,
            value: Arc::new(
                FactValue::from_json(
                    FactType::Metric,
                    json!({"number": 4.1e6, "unit": "GBP", "qualifier": "at_most", "per": "day"}),
                )
                .unwrap(),
            ),
            sentence: sentence.into(),
            rule: "metric.money".into(),
        }
    }

    #[test]
    fn the_schemas_own_names_need_no_escaping() {
        let names = SectionKind::ALL
            .map(SectionKind::as_str)
            .into_iter()
            .chain(FactType::ALL.map(FactType::as_str));
        for name in names {
            let mut out = Vec::new();
            plain_str(&mut out, name);
            assert_eq!(out, serde_json::to_vec(name).unwrap(), "{name}");
        }
    }

    #[test]
    fn fact_lines_are_what_serde_json_writes() {
        let first = fact("£4.1 million", "It cost £4.1 million.", Some("NHS Devon"));
        let mut same_sentence = fact("It", "", None);
        same_sentence.sentence = first.sentence.clone();
        // A value shared with an earlier fact (its JSON copied), and one
        // shared only with a fact not written.
        let mut same_value = fact("4.1m", "Then 4.1m.", None);
        same_value.value = first.value.clone();
        (same_value.section, same_value.start, same_value.end) = (0, 10, usize::MAX);
        let mut unwritten = fact("x", "x", None);
        unwritten.value = Arc::new(FactValue::named(FactType::Technology, "Epic", None));
        let mut shares_unwritten = fact("Epic", "Epic.", None);
        shares_unwritten.value = unwritten.value.clone();
        shares_unwritten.fact_type = FactType::Technology;
        // The first fact's document and ICS (their JSON reused), then
        // another document and ICS (escaped anew).
        let mut same_place = fact("9", "9.", None);
        (same_place.doc, same_place.ics) = (first.doc.clone(), first.ics.clone());
        let mut elsewhere = fact("8", "8.", Some("NHS Kent \\ Medway"));
        elsewhere.doc = Arc::from("doc\t8");
        let facts = [
            first,
            same_sentence,
            same_value,
            shares_unwritten,
            same_place,
            elsewhere,
            fact(
                "a\\b",
                "tab\there, quote \" and\r\n\u{1}\u{1f}\u{7f} end",
                None,
            ),
            fact("", "", Some("")),
        ];
        let expected: String = facts
            .iter()
            .map(|f| serde_json::to_string(f).unwrap() + "\n")
            .collect();
        assert_eq!(
            String::from_utf8(fact_lines(&facts, FactFields::ALL)).unwrap(),
            expected
        );
        // Every line reads back as the schema's record, and writes again
        // to the same bytes.
        for line in expected.lines() {
            let record: FactRecord = serde_json::from_str(line).unwrap();
            assert_eq!(serde_json::to_string(&record).unwrap(), line);
        }
    }

    #[test]
    fn each_key_is_its_field_name_after_a_comma() {
        for (key, name) in FactFields::KEYS.iter().zip(FactFields::NAMES) {
            assert_eq!(*key, format!(",{}:", serde_json::to_string(name).unwrap()));
        }
    }

    #[test]
    fn fewer_fields_are_written_in_the_schema_order() {
        let fact = fact("4.1m", "Then 4.1m.", Some("NHS Devon"));
        let fields = FactFields::parse("text,doc,ics").unwrap();
        assert_eq!(
            String::from_utf8(fact_lines(&[fact.clone(), fact], fields)).unwrap(),
            "{\"doc\":\"doc \\\"7\\\"\",\"ics\":\"NHS Devon\",\"text\":\"4.1m\"}\n".repeat(2)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5_000))]
        #[test]
        fn strings_are_escaped_as_serde_json_escapes_them(
            s in "(\\PC|[\"\\\\\u{0}-\u{1f}\u{7f}]|[a-z ]{8,20}){0,24}"
        ) {
            let mut out = Vec::new();
            json_str(&mut out, &s);
            prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&s).unwrap());
        }
    }

    /// Any string a value may hold, escapes included, or none.
    fn text() -> impl Strategy<Value = Option<String>> {
        proptest::option::of("(\\PC|[\"\\\\\u{0}-\u{1f}]){0,12}")
    }

    fn number() -> impl Strategy<Value = Option<Number>> {
        proptest::option::of(prop_oneof![
            any::<i64>().prop_map(Number::Integer),
            (-1e18..1e18f64).prop_map(Number::Float),
            (-1e4..1e4f64).prop_map(Number::round4),
        ])
    }

    /// Every kind of value, each field set or not (written out in full, so
    /// a field added to a value must be added here too).
    fn value() -> impl Strategy<Value = FactValue> {
        let date_kind = proptest::option::of(prop_oneof![
            Just(DateKind::Point),
            Just(DateKind::Range),
            Just(DateKind::Duration),
        ]);
        let qualifier = proptest::option::of(prop_oneof![
            Just(Qualifier::Over),
            Just(Qualifier::Under),
            Just(Qualifier::About),
            Just(Qualifier::AtLeast),
            Just(Qualifier::AtMost),
        ]);
        prop_oneof![
            (text(), text(), text(), text(), text(), text(), text()).prop_map(
                |(canonical, code, former, kind, region, successor, until)| {
                    FactValue::Organisation(OrganisationValue {
                        canonical,
                        code,
                        former,
                        kind,
                        region,
                        successor,
                        until,
                    })
                }
            ),
            (text(), text()).prop_map(|(canonical, category)| {
                FactValue::Technology(TechnologyValue {
                    canonical,
                    category,
                })
            }),
            (date_kind, text(), text(), any::<bool>(), text()).prop_map(
                |(kind, modifier, reference, relative, value)| {
                    FactValue::Date(DateValue {
                        kind,
                        modifier,
                        reference,
                        relative,
                        value,
                    })
                }
            ),
            (number(), text(), qualifier, text(), number()).prop_map(
                |(number, per, qualifier, unit, upper)| {
                    FactValue::Metric(MetricValue {
                        number,
                        per,
                        qualifier,
                        unit,
                        upper,
                    })
                }
            ),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5_000))]
        #[test]
        fn values_are_written_as_serde_json_writes_them(value in value()) {
            let mut out = Vec::new();
            write_value(&mut out, &value);
            prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&value).unwrap());
        }
    }
}
