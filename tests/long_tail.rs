//! The mechanisms that find what no list names: propagation of names and
//! bracketed acronyms through a document, organisations and products by
//! shape and context, technology phrases by grammar, units a sentence
//! leaves out. Each test runs the bundled rules over text written for it
//! and checks every fact found, with its rule and value.

use factmine::{Document, Pipeline};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::OnceLock;

fn pipeline() -> &'static Pipeline {
    static P: OnceLock<Pipeline> = OnceLock::new();
    P.get_or_init(|| Pipeline::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).unwrap())
}

/// Every fact of a text as (type, text, rule, value).
fn facts(text: &str, published: Option<&str>) -> Vec<(String, String, String, Value)> {
    let mut doc = Document::from_text("t", "t.txt", format!("A headline\n\n{text}\n"));
    doc.published = published.map(|p| factmine::calendar::Ymd::parse_iso(p).unwrap());
    pipeline()
        .analyse(&doc)
        .facts
        .into_iter()
        .map(|f| {
            (
                f.fact_type.as_str().to_string(),
                f.text.clone(),
                // A gazetteer fact's rule is its file and line: the file is enough here.
                f.rule
                    .split(".tsv:")
                    .next()
                    .map_or(f.rule.to_string(), |r| {
                        if f.rule.contains(".tsv:") {
                            format!("{r}.tsv")
                        } else {
                            r.to_string()
                        }
                    }),
                f.value.to_json(),
            )
        })
        .collect()
}

/// Facts as (type, text, rule), their values left out.
fn without_values(facts: &[(String, String, String, Value)]) -> Vec<(&str, &str, &str)> {
    facts
        .iter()
        .map(|(t, x, r, _)| (t.as_str(), x.as_str(), r.as_str()))
        .collect()
}

fn row(t: &str, text: &str, rule: &str, value: Value) -> (String, String, String, Value) {
    (t.into(), text.into(), rule.into(), value)
}

#[test]
fn names_and_acronyms_propagate_through_the_document() {
    let got = facts(
        "The Northfield Imaging Consortium (NIC) has chosen Harbourline Technologies to supply \
         its Eastshire Care Record (ECR). NIC's board said the ECR would reach 40 practices.",
        None,
    );
    let nic = json!({"canonical": "Northfield Imaging Consortium", "kind": "other"});
    let ecr = json!({"canonical": "Eastshire Care Record", "category": "product"});
    let nic_rule = "propagated:org.body@Northfield Imaging Consortium";
    let ecr_rule = "propagated:tech.capitalised_kind@Eastshire Care Record";
    assert_eq!(
        got,
        vec![
            row(
                "organisation",
                "Northfield Imaging Consortium",
                "org.body",
                nic.clone()
            ),
            row("organisation", "NIC", nic_rule, nic.clone()),
            row(
                "organisation",
                "Harbourline Technologies",
                "org.company_head",
                json!({"canonical": "Harbourline Technologies", "kind": "company"})
            ),
            row(
                "technology",
                "Eastshire Care Record",
                "tech.capitalised_kind",
                ecr.clone()
            ),
            row("technology", "ECR", ecr_rule, ecr.clone()),
            row("organisation", "NIC", nic_rule, nic),
            row("technology", "ECR", ecr_rule, ecr),
            row(
                "metric",
                "40 practices",
                "metric.count",
                json!({"number": 40, "unit": "practices", "qualifier": null})
            ),
        ]
    );
}

#[test]
fn short_forms_of_trusts_and_units_and_programmes_are_told_apart() {
    let got = facts(
        "Westvale Teaching Hospitals NHS Trust runs a Centre of Excellence (CoE). Westvale \
         Teaching Hospitals said the Widget Exemplar (WE) programme helped. (ICS) is not a name.",
        None,
    );
    let texts: Vec<(&str, &str)> = got
        .iter()
        .map(|(t, x, _, _)| (t.as_str(), x.as_str()))
        .collect();
    assert_eq!(
        texts,
        vec![
            ("organisation", "Westvale Teaching Hospitals NHS Trust"),
            ("organisation", "Westvale Teaching Hospitals"),
        ]
    );
    assert_eq!(
        got[1].2,
        "propagated:org.nhs_trust@Westvale Teaching Hospitals NHS Trust"
    );
}

#[test]
fn companies_and_products_by_context() {
    let got = facts(
        "The trust went live with Orbitas EPR after a contract with Medivane, and clinics \
         are using Scribewell, an ambient voice tool developed by Lyrafield.",
        None,
    );
    let summary = without_values(&got);
    assert_eq!(
        summary,
        vec![
            ("technology", "Orbitas EPR", "tech.used_product"),
            ("organisation", "Medivane", "org.by_cue"),
            ("technology", "Scribewell", "tech.used_product"),
            ("organisation", "Lyrafield", "org.by_cue"),
        ]
    );
}

#[test]
fn technology_phrases_by_grammar() {
    let got = facts(
        "Staff moved to electronic records and new invoice automation, with online meeting \
         technology, but not digital technologies or the digital shared care record system.",
        None,
    );
    let summary: Vec<(&str, &str)> = got
        .iter()
        .map(|(_, x, r, _)| (x.as_str(), r.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("electronic records", "tech.digital_modifier"),
            ("invoice automation", "tech.digital_head"),
            ("online meeting technology", "tech.digital_modifier"),
            ("shared care record", "technologies.tsv"),
        ]
    );
}

#[test]
fn a_unit_left_out_comes_from_the_count_before_it() {
    let got = facts(
        "The app has 2.4 million users, of whom 1.9m have booked online. Separately, \
         15,000 were waiting.",
        None,
    );
    let metrics: Vec<(&str, Value)> = got
        .iter()
        .filter(|f| f.0 == "metric")
        .map(|f| (f.1.as_str(), f.3.clone()))
        .collect();
    assert_eq!(
        metrics,
        vec![
            (
                "2.4 million users",
                json!({"number": 2400000, "unit": "users", "qualifier": null})
            ),
            (
                "1.9m",
                json!({"number": 1900000, "unit": "users", "qualifier": null})
            ),
            (
                "15,000",
                json!({"number": 15000, "unit": "users", "qualifier": null})
            ),
        ]
    );
    // With no count before it in its paragraph, such a number is no fact.
    assert!(facts("Up from 18,000 in April.", None)
        .iter()
        .all(|f| f.0 != "metric"));
}

#[test]
fn weekdays_and_ranges_of_durations() {
    let got = facts(
        "Systems went down early on Monday and will be back on Friday; repairs take three to \
         four days, and every Monday is busy.",
        Some("2023-04-12"),
    );
    let dates: Vec<(&str, Value)> = got
        .iter()
        .filter(|f| f.0 == "date")
        .map(|f| (f.1.as_str(), f.3.clone()))
        .collect();
    assert_eq!(
        dates,
        vec![
            (
                "early on Monday",
                json!({"kind": "point", "value": "2023-04-10", "mod": "START", "reference": "published"})
            ),
            (
                "Friday",
                json!({"kind": "point", "value": "2023-04-14", "reference": "published"})
            ),
            (
                "three to four days",
                json!({"kind": "duration", "value": "P3D/P4D"})
            ),
        ]
    );
}

#[test]
fn counts_in_a_list_share_their_noun() {
    let got = facts(
        "The clinic followed patients on its new pathway: 310 were assessed, 52 referred \
         for scans and 17 admitted. Months ago the work took weeks.",
        None,
    );
    let summary: Vec<(&str, Value)> = got.iter().map(|f| (f.1.as_str(), f.3.clone())).collect();
    let count = |n: u32| json!({"number": n, "unit": "patients", "qualifier": null});
    assert_eq!(
        summary,
        vec![
            ("310", count(310)),
            ("52", count(52)),
            ("17", count(17)),
            (
                "Months ago",
                json!({"kind": "point", "value": null, "relative": true})
            ),
            (
                "weeks",
                json!({"kind": "duration", "value": null, "relative": true})
            ),
        ]
    );
}

#[test]
fn terms_inside_the_names_of_programmes_and_awards_are_no_facts() {
    let got = facts(
        "The ICB joined the Secure Hybrid Cloud Programme, won the AI in Primary Care Award, \
         moved its records to the cloud and rolled out the Ferncast platform.",
        None,
    );
    let summary = without_values(&got);
    assert_eq!(
        summary,
        vec![
            ("technology", "cloud", "technologies.tsv"),
            ("technology", "Ferncast", "tech.used_product"),
        ]
    );
}

#[test]
fn what_was_done_with_a_technology_is_not_its_kind() {
    // A participle before the head says what was done with it: the phrase
    // is no technology of its own. One that names a kind stays.
    let got = facts(
        "It ranks among the most downloaded apps, beside the newly procured software, \
         while automated appointment booking and connected devices spread.",
        None,
    );
    assert_eq!(
        without_values(&got),
        vec![
            (
                "technology",
                "automated appointment booking",
                "tech.digital_modifier"
            ),
            ("technology", "connected devices", "tech.digital_modifier"),
        ]
    );
}

#[test]
fn where_records_are_kept_and_what_names_a_framework() {
    let got = facts(
        "Observations carried on in Nervecentre and robots built on UiPath, after a \
         contract with Nervecentre. Westmoor Digital Solutions won a place on the \
         Eastmoor Digital Solutions framework.",
        None,
    );
    assert_eq!(
        without_values(&got),
        vec![
            ("technology", "Nervecentre", "technologies.tsv"),
            ("technology", "UiPath", "technologies.tsv"),
            ("organisation", "Nervecentre", "organisations.tsv"),
            (
                "organisation",
                "Westmoor Digital Solutions",
                "org.company_head"
            ),
        ]
    );
}

#[test]
fn a_product_runs_on_into_the_name_of_its_module() {
    let got = facts(
        "Wards now use CareFlow Vitals at night, at an estimated £2m, and the \
         Westmoor Health app in March.",
        None,
    );
    assert_eq!(
        without_values(&got),
        vec![
            ("technology", "CareFlow Vitals", "tech.used_product"),
            ("metric", "£2m", "metric.money"),
            ("technology", "Westmoor Health", "tech.named_before_kind"),
            ("date", "March", "date.month"),
        ]
    );
}
