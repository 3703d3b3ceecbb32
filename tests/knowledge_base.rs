//! The knowledge base: every one of England's 42 ICSs, by every variant
//! rules/gazetteers/ics.tsv lists, yields its canonical name, both as a
//! section heading and as an organisation written with an organisational
//! word.

use factmine::{Document, FactType, FactValue, Pipeline};
use std::path::Path;

mod common;

struct Ics {
    canonical: String,
    region: String,
    places: Vec<String>,
    abbreviations: Vec<String>,
    names: Vec<String>,
}

fn systems() -> Vec<Ics> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/gazetteers/ics.tsv"),
    )
    .unwrap();
    let list = |s: Option<&str>| -> Vec<String> {
        s.unwrap_or("")
            .split('|')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(String::from)
            .collect()
    };
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let mut places = vec![f[0].to_string()];
            places.extend(list(f.get(3).copied()));
            Ics {
                canonical: f[0].to_string(),
                region: f[1].to_string(),
                places,
                abbreviations: list(f.get(4).copied()),
                names: list(f.get(5).copied()),
            }
        })
        .collect()
}

#[test]
fn all_42_systems_are_listed_once_with_a_region() {
    let systems = systems();
    assert_eq!(systems.len(), 42);
    let regions = [
        "East of England",
        "London",
        "Midlands",
        "North East and Yorkshire",
        "North West",
        "South East",
        "South West",
    ];
    for s in &systems {
        assert!(
            regions.contains(&s.region.as_str()),
            "{}: {}",
            s.canonical,
            s.region
        );
    }
    let per_region = |r: &str| systems.iter().filter(|s| s.region == r).count();
    assert_eq!(
        regions.map(per_region),
        [6, 5, 11, 4, 3, 6, 7],
        "ICSs per region as NHS England counts them"
    );
}

#[test]
fn every_variant_of_every_ics_gives_its_canonical_name() {
    let pipeline = Pipeline::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).unwrap();
    let mut checked = 0;
    for ics in systems() {
        let headings = ics
            .places
            .iter()
            .chain(&ics.abbreviations)
            .chain(&ics.names);
        for variant in headings {
            // As a heading, alone and with a suffix.
            let mut headings = vec![
                variant.clone(),
                format!("{variant} ICS"),
                format!("NHS {variant} Integrated Care Board"),
            ];
            // A place followed by the system's short form in brackets:
            // "Buckinghamshire, Oxfordshire and Berkshire West (BOB)".
            if ics.places.contains(variant) {
                headings.extend(ics.abbreviations.iter().map(|a| format!("{variant} ({a})")));
                headings.push(format!("{variant} (ICB)"));
            }
            for heading in headings {
                if heading != *variant && ics.names.contains(variant) {
                    continue;
                }
                let text = format!(
                    "A round-up\n\nSome intro text.\n\n{heading}\n\nThe system said little.\n"
                );
                let doc = Document::from_text("t", "t.txt", text);
                let layout = pipeline.analyse(&doc).layout;
                let section = &layout.sections[2];
                assert_eq!(
                    (section.kind.as_str(), section.ics.as_deref()),
                    ("ics", Some(ics.canonical.as_str())),
                    "heading {heading:?}"
                );
                checked += 1;
            }
            // As an organisation: places and abbreviations with an
            // organisational word, names as written.
            let mention = if ics.names.contains(variant) {
                variant.clone()
            } else {
                format!("{variant} ICB")
            };
            let text = format!("A headline\n\nLast year {mention} said 40 practices joined.\n");
            let analysis = pipeline.analyse(&Document::from_text("t", "t.txt", text.clone()));
            let org = analysis
                .facts
                .iter()
                .find(|f| f.fact_type == FactType::Organisation)
                .unwrap_or_else(|| panic!("no organisation in {text:?}"));
            assert_eq!(org.text, mention, "{text:?}");
            assert_eq!(
                org.value.to_json()["canonical"],
                ics.canonical.as_str(),
                "{text:?}"
            );
            assert_eq!(org.value.to_json()["kind"], "ics");
            assert_eq!(org.value.to_json()["region"], ics.region.as_str());
            checked += 1;
        }
    }
    assert!(checked > 42 * 4, "{checked}");
}

#[test]
fn generic_phrases_never_become_organisations() {
    let pipeline = Pipeline::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).unwrap();
    let text = "T\n\nThe trust said GP practices and local authorities worked with Training Hubs. The ICS and the ICB agreed. Across Birmingham and Solihull, NHS services improved.\n";
    let analysis = pipeline.analyse(&Document::from_text("t", "t.txt", text.into()));
    let orgs: Vec<&str> = analysis
        .facts
        .iter()
        .filter(|f| f.fact_type == FactType::Organisation)
        .map(|f| f.text.as_str())
        .collect();
    assert!(orgs.is_empty(), "{orgs:?}");
}

#[test]
fn trusts_carry_their_ods_codes() {
    let pipeline = Pipeline::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).unwrap();
    let text =
        "T\n\nUHCW and Royal Wolverhampton NHS Trust met Leicestershire Partnership Trust.\n";
    let analysis = pipeline.analyse(&Document::from_text("t", "t.txt", text.into()));
    let got: Vec<(&str, &str, &str)> = analysis
        .facts
        .iter()
        .map(|f| {
            (
                f.text.as_str(),
                f.value.canonical().unwrap(),
                match &*f.value {
                    FactValue::Organisation(o) => o.code.as_deref().unwrap_or(""),
                    _ => "",
                },
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "UHCW",
                "University Hospitals Coventry and Warwickshire NHS Trust",
                "RKB"
            ),
            (
                "Royal Wolverhampton NHS Trust",
                "The Royal Wolverhampton NHS Trust",
                "RL4"
            ),
            (
                "Leicestershire Partnership Trust",
                "Leicestershire Partnership NHS Trust",
                "RT5"
            ),
        ]
    );
}

#[test]
fn a_merged_trust_is_itself_before_the_merger_and_its_successor_after() {
    let pipeline = Pipeline::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).unwrap();
    let value_on = |published: &str, name: &str| {
        let mut doc = Document::from_text(
            "t",
            "t.txt",
            format!("A headline\n\nStaff at {name} said 40 practices joined.\n"),
        );
        doc.published = factmine::calendar::Ymd::parse_iso(published);
        let analysis = pipeline.analyse(&doc);
        let org = analysis
            .facts
            .iter()
            .find(|f| f.fact_type == FactType::Organisation)
            .unwrap_or_else(|| panic!("no organisation for {name}"));
        org.value.to_json()
    };
    // Two trusts named in a 2019 article stay two trusts.
    assert_eq!(
        value_on("2019-06-01", "Weston Area Health NHS Trust"),
        serde_json::json!({"canonical": "Weston Area Health NHS Trust", "kind": "trust", "code": "RA3",
            "successor": "University Hospitals Bristol and Weston NHS Foundation Trust", "until": "2020-04-01"})
    );
    assert_eq!(
        value_on("2019-06-01", "North Bristol NHS Trust")["canonical"],
        "North Bristol NHS Trust"
    );
    // After the merger, the body that existed then; later, the next one.
    assert_eq!(
        value_on("2023-06-01", "Weston Area Health NHS Trust"),
        serde_json::json!({"canonical": "University Hospitals Bristol and Weston NHS Foundation Trust",
            "kind": "trust", "code": "RA7", "former": "Weston Area Health NHS Trust",
            "successor": "Bristol NHS Foundation Trust", "until": "2026-07-01"})
    );
    assert_eq!(
        value_on("2027-01-01", "Weston Area Health NHS Trust"),
        serde_json::json!({"canonical": "Bristol NHS Foundation Trust", "kind": "trust", "code": "RA7",
            "former": "Weston Area Health NHS Trust"})
    );
}

#[test]
fn a_line_of_succession_must_name_a_body_and_end() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    common::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"), &rules);
    let orgs = rules.join("gazetteers/organisations.tsv");
    let text = std::fs::read_to_string(&orgs).unwrap();
    let line = text.lines().count() + 1;
    for (row, reason) in [
        (
            "Old Vale NHS Trust\ttrust\t\tauto\t\t2020-13-01\tBristol NHS Foundation Trust",
            "until \"2020-13-01\" is not a date (YYYY-MM-DD, YYYY-MM or YYYY)",
        ),
        (
            "Old Vale NHS Trust\ttrust\t\tauto\t\t2020-04\tNo Such NHS Trust",
            "successor \"No Such NHS Trust\" is not another organisation in this file",
        ),
        (
            "Old Vale NHS Trust\ttrust\t\tauto\t\t2020\t",
            "a body that ceased needs both `until` and `successor`",
        ),
    ] {
        std::fs::write(&orgs, format!("{text}{row}\n")).unwrap();
        let err = Pipeline::load(&rules).unwrap_err();
        assert_eq!((err.line, err.reason.as_str()), (Some(line), reason));
    }
}

#[test]
fn a_gazetteer_fact_keeps_its_rule_when_lines_above_it_change() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    common::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"), &rules);
    let text = "A headline\n\nStaff at Barts Health NHS Trust said 40 practices joined.\n";
    let rule_of = |rules: &Path| {
        let pipeline = Pipeline::load(rules).unwrap();
        let analysis = pipeline.analyse(&Document::from_text("t", "t.txt", text.into()));
        analysis
            .facts
            .iter()
            .find(|f| f.fact_type == FactType::Organisation)
            .map(|f| f.rule.to_string())
            .unwrap()
    };
    assert_eq!(rule_of(&rules), "organisations.tsv:Barts Health NHS Trust");
    let orgs = rules.join("gazetteers/organisations.tsv");
    let tsv = std::fs::read_to_string(&orgs).unwrap();
    let first_entry = tsv
        .lines()
        .position(|l| !l.starts_with('#') && !l.trim().is_empty())
        .unwrap();
    let fewer: Vec<&str> = tsv
        .lines()
        .enumerate()
        .filter(|&(i, _)| i != first_entry)
        .map(|(_, l)| l)
        .collect();
    std::fs::write(&orgs, fewer.join("\n") + "\n").unwrap();
    assert_eq!(rule_of(&rules), "organisations.tsv:Barts Health NHS Trust");
}

#[test]
fn a_supplier_is_a_technology_where_it_stands_for_its_product() {
    let pipeline = Pipeline::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).unwrap();
    let text =
        "T\n\nThe trust went live with Oracle in May. Oracle said more trusts would follow, \
                and staff using Oracle’s portal agreed.\n";
    let analysis = pipeline.analyse(&Document::from_text("t", "t.txt", text.into()));
    let named: Vec<(FactType, &str)> = analysis
        .facts
        .iter()
        .filter(|f| f.text == "Oracle")
        .map(|f| (f.fact_type, f.text.as_str()))
        .collect();
    assert_eq!(
        named,
        [
            (FactType::Technology, "Oracle"),
            (FactType::Organisation, "Oracle"),
            (FactType::Organisation, "Oracle"),
        ]
    );
}

#[test]
fn a_supplier_said_to_be_a_platform_is_its_product() {
    let pipeline = Pipeline::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).unwrap();
    let text = "T\n\nLantum is a workforce platform. Lantum wasn\u{2019}t a bolt-on solution \
                there. Lantum is a UK software company that grew.\n";
    let analysis = pipeline.analyse(&Document::from_text("t", "t.txt", text.into()));
    let named: Vec<FactType> = analysis
        .facts
        .iter()
        .filter(|f| f.text == "Lantum")
        .map(|f| f.fact_type)
        .collect();
    assert_eq!(
        named,
        [
            FactType::Technology,
            FactType::Technology,
            FactType::Organisation
        ]
    );
}

#[test]
fn an_ics_with_its_abbreviation_in_brackets_is_one_mention() {
    let pipeline = Pipeline::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).unwrap();
    let text = "T\n\nThe Leicester, Leicestershire and Rutland (LLR) Integrated Care Board \
                met.\n";
    let analysis = pipeline.analyse(&Document::from_text("t", "t.txt", text.into()));
    let named: Vec<(&str, String)> = analysis
        .facts
        .iter()
        .map(|f| (f.text.as_str(), f.value.to_json()["canonical"].to_string()))
        .collect();
    assert_eq!(
        named,
        [(
            "Leicester, Leicestershire and Rutland (LLR) Integrated Care Board",
            "\"Leicester, Leicestershire and Rutland\"".to_string()
        )]
    );
}

#[test]
fn a_product_and_the_term_after_it_are_one_technology() {
    let pipeline = Pipeline::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).unwrap();
    let text = "T\n\nThe trust moved its Sunrise electronic patient record to the cloud, \
                and patients reach the Epic patient portal. Epic said so.\n";
    let analysis = pipeline.analyse(&Document::from_text("t", "t.txt", text.into()));
    let named: Vec<(FactType, &str, String)> = analysis
        .facts
        .iter()
        .map(|f| {
            let canonical = f.value.to_json()["canonical"].as_str().unwrap().to_string();
            (f.fact_type, f.text.as_str(), canonical)
        })
        .collect();
    assert_eq!(
        named,
        [
            (
                FactType::Technology,
                "Sunrise electronic patient record",
                "Sunrise EPR".to_string()
            ),
            (FactType::Technology, "cloud", "cloud".to_string()),
            (
                FactType::Technology,
                "Epic patient portal",
                "Epic".to_string()
            ),
            (FactType::Organisation, "Epic", "Epic".to_string()),
        ]
    );
}

#[test]
fn two_named_groups_joined_by_and_are_two_organisations() {
    let pipeline = Pipeline::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).unwrap();
    let text = "T\n\nThe Ashby GP Confederation and Westmere Care Alliance signed up.\n";
    let analysis = pipeline.analyse(&Document::from_text("t", "t.txt", text.into()));
    let named: Vec<(FactType, &str)> = analysis
        .facts
        .iter()
        .map(|f| (f.fact_type, f.text.as_str()))
        .collect();
    assert_eq!(
        named,
        [
            (FactType::Organisation, "Ashby GP Confederation"),
            (FactType::Organisation, "Westmere Care Alliance"),
        ]
    );
}

#[test]
fn the_first_of_two_names_sharing_their_last_word_is_a_mention() {
    let pipeline = Pipeline::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).unwrap();
    let text = "T\n\nWards at Gloucestershire Royal and Cheltenham General Hospital went \
                paperless, as did Airedale and Bradford Royal Infirmary.\n";
    let analysis = pipeline.analyse(&Document::from_text("t", "t.txt", text.into()));
    let named: Vec<(&str, String)> = analysis
        .facts
        .iter()
        .map(|f| {
            let canonical = f.value.to_json()["canonical"].as_str().unwrap().to_string();
            (f.text.as_str(), canonical)
        })
        .collect();
    // "Airedale" names no body with "Royal Infirmary" after it.
    assert_eq!(
        named,
        [
            (
                "Gloucestershire Royal",
                "Gloucestershire Royal Hospital".to_string()
            ),
            (
                "Cheltenham General Hospital",
                "Cheltenham General Hospital".to_string()
            ),
            (
                "Bradford Royal Infirmary",
                "Bradford Royal Infirmary".to_string()
            ),
        ]
    );
}
