//! Dates and metrics an analyst can trust: property tests of the number
//! reader and the date resolver, and document reference dates.

use factmine::calendar::Ymd;
use factmine::extract::numbers::{parse_digits, parse_number};
use factmine::extract::{Reference, ReferenceSource};
use factmine::{Document, FactType, Pipeline};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::OnceLock;

fn pipeline() -> &'static Pipeline {
    static P: OnceLock<Pipeline> = OnceLock::new();
    P.get_or_init(|| Pipeline::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).unwrap())
}

const UNITS: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// British English words for 1 to 999.
fn below_thousand(n: u64) -> String {
    let (h, rest) = (n / 100, n % 100);
    let rest_words = match rest {
        0 => String::new(),
        1..=19 => UNITS[rest as usize].to_string(),
        _ if rest % 10 == 0 => TENS[(rest / 10) as usize].to_string(),
        _ => format!(
            "{}-{}",
            TENS[(rest / 10) as usize],
            UNITS[(rest % 10) as usize]
        ),
    };
    match (h, rest) {
        (0, _) => rest_words,
        (h, 0) => format!("{} hundred", UNITS[h as usize]),
        (h, _) => format!("{} hundred and {rest_words}", UNITS[h as usize]),
    }
}

/// British English words for 1 to 999,999,999.
fn words(n: u64) -> String {
    let parts = [
        (n / 1_000_000, "million"),
        (n / 1000 % 1000, "thousand"),
        (n % 1000, ""),
    ];
    parts
        .iter()
        .filter(|(v, _)| *v > 0)
        .map(|(v, scale)| {
            if scale.is_empty() {
                below_thousand(*v)
            } else {
                format!("{} {scale}", below_thousand(*v))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn with_separators(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn value_of(text: &str, published: Ymd, fact_type: FactType) -> Option<Value> {
    pipeline()
        .extractor
        .extract(text, Some(published))
        .into_iter()
        .find(|c| c.fact_type == fact_type)
        .map(|c| c.value.to_json())
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Months from `a` to `b` (positive when b is later).
fn months_between(a: (i32, u32), b: (i32, u32)) -> i32 {
    (b.0 * 12 + b.1 as i32) - (a.0 * 12 + a.1 as i32)
}

fn year_month(v: &Value) -> (i32, u32) {
    let s = v["value"]
        .as_str()
        .unwrap_or_else(|| panic!("no value in {v}"));
    (s[..4].parse().unwrap(), s[5..7].parse().unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn numbers_read_back_to_themselves(n in 1u64..1_000_000_000) {
        let lexicon = pipeline().extractor.lexicon();
        let as_int = |s: &str| parse_number(s, lexicon).map(|d| d.to_number().to_string());
        prop_assert_eq!(as_int(&words(n)), Some(n.to_string()), "{}", words(n));
        prop_assert_eq!(parse_digits(&with_separators(n)).map(|d| d.to_number().to_string()), Some(n.to_string()));
        prop_assert_eq!(as_int(&n.to_string()), Some(n.to_string()));
    }

    #[test]
    fn counts_in_text_read_back_with_their_unit(n in 2u64..1_000_000, in_words in any::<bool>()) {
        let written = if in_words { words(n) } else { with_separators(n) };
        let text = format!("The service supported {written} patients last year.");
        let v = value_of(&text, Ymd::new(2023, 4, 11).unwrap(), FactType::Metric).unwrap();
        prop_assert_eq!(&v["number"], &json!(n), "{}", text);
        prop_assert_eq!(&v["unit"], &json!("patients"));
    }

    #[test]
    fn scaled_money_is_exact(whole in 1u64..1000, tenth in 0u64..10, scale in 0usize..3) {
        let (word, factor) = [("million", 1_000_000u64), ("m", 1_000_000), ("bn", 1_000_000_000)][scale];
        let sep = if word.len() > 2 { " " } else { "" };
        let text = format!("an investment of £{whole}.{tenth}{sep}{word} to bring");
        let v = value_of(&text, Ymd::new(2023, 4, 11).unwrap(), FactType::Metric).unwrap();
        prop_assert_eq!(&v["number"], &json!(whole * factor + tenth * factor / 10), "{}", text);
        prop_assert_eq!(&v["unit"], &json!("GBP"));
    }

    #[test]
    fn relative_months_land_in_the_right_place(year in 2000i32..2040, month in 1u32..=12, day in 1u32..=28, m in 0usize..12) {
        let published = Ymd::new(year, month, day).unwrap();
        let here = (year, month);
        let name = MONTHS[m];
        let last = value_of(&format!("We covered it last {name}."), published, FactType::Date).unwrap();
        let back = months_between(year_month(&last), here);
        prop_assert!((2..=13).contains(&back), "last {} from {}: {}", name, published, last);
        prop_assert_eq!(year_month(&last).1 as usize, m + 1);
        let next = value_of(&format!("It goes live next {name}."), published, FactType::Date).unwrap();
        let ahead = months_between(here, year_month(&next));
        prop_assert!((1..=12).contains(&ahead), "next {} from {}: {}", name, published, next);
        let bare = value_of(&format!("In {name}, the trust went live."), published, FactType::Date).unwrap();
        let back = months_between(year_month(&bare), here);
        prop_assert!((0..=11).contains(&back), "{} (past) from {}: {}", name, published, bare);
        let future = value_of(&format!("The trust will go live in {name}."), published, FactType::Date).unwrap();
        let ahead = months_between(here, year_month(&future));
        prop_assert!((0..=11).contains(&ahead), "{} (future) from {}: {}", name, published, future);
        let last_year = value_of(&format!("In {name} last year, it began."), published, FactType::Date).unwrap();
        prop_assert_eq!(year_month(&last_year), (year - 1, m as u32 + 1));
        let of_next_year = value_of(&format!("It ends in {name} of next year."), published, FactType::Date).unwrap();
        prop_assert_eq!(year_month(&of_next_year), (year + 1, m as u32 + 1));
        prop_assert_eq!(&last.get("reference"), &Some(&json!("published")));
    }

    #[test]
    fn relative_units_follow_the_reference(year in 2000i32..2040, month in 1u32..=12, day in 1u32..=28) {
        let published = Ymd::new(year, month, day).unwrap();
        let v = |t: &str| value_of(t, published, FactType::Date).unwrap()["value"].clone();
        prop_assert_eq!(v("Last year it began."), json!(format!("{}", year - 1)));
        prop_assert_eq!(v("It ends next year."), json!(format!("{}", year + 1)));
        prop_assert_eq!(v("It began this month."), json!(format!("{year}-{month:02}")));
        let (py, pm) = published.add_months(-1);
        prop_assert_eq!(v("It began last month."), json!(format!("{py}-{pm:02}")));
        prop_assert_eq!(v("It ran for the past three months."), json!("P3M"));
        prop_assert_eq!(v("It began in autumn last year."), json!(format!("{}-FA", year - 1)));
        prop_assert_eq!(v("The board met yesterday."), json!(published.add_days(-1).to_string()));
        let fy = if month >= 4 { year } else { year - 1 };
        prop_assert_eq!(v("Savings this financial year are due."), json!(format!("{fy}-04/{}-03", fy + 1)));
        prop_assert_eq!(v("It grew in the first half of last year."), json!(format!("{}-H1", year - 1)));
        prop_assert_eq!(v("It ends in the spring of next year."), json!(format!("{}-SP", year + 1)));
    }
}

#[test]
fn without_published_a_url_or_dateline_is_the_reference() {
    let p = pipeline();
    let mut doc = Document::from_text(
        "a",
        "a.jsonl:1",
        "A title\n\nLast November the ICB launched it.\n".into(),
    );
    doc.url = Some("https://example.org/2023/04/11/launch/".into());
    let analysis = p.analyse(&doc);
    assert_eq!(
        analysis.reference,
        Some(Reference {
            date: Ymd::new(2023, 4, 11).unwrap(),
            from: ReferenceSource::Url,
            day_precision: true,
        })
    );
    assert_eq!(
        analysis.facts[0].value.to_json(),
        json!({"kind": "point", "value": "2022-11", "reference": "url"})
    );

    let doc = Document::from_text(
        "b",
        "b.txt",
        "A title\n\nPublished 11 April 2023\n\nIn December, the trust went live.\n".into(),
    );
    let analysis = p.analyse(&doc);
    assert_eq!(
        analysis.reference.map(|r| r.from),
        Some(ReferenceSource::Dateline)
    );
    let december = analysis
        .facts
        .iter()
        .find(|f| f.text == "December")
        .unwrap();
    assert_eq!(
        december.value.to_json(),
        json!({"kind": "point", "value": "2022-12", "reference": "dateline"})
    );

    // A URL with a year and month only: month precision (guideline §6).
    let mut doc = Document::from_text(
        "m",
        "m.jsonl:1",
        "A title\n\nLast month the trust went live, on Tuesday. This year it plans more, and next week too.\n".into(),
    );
    doc.url = Some("https://example.org/news/2023/10/go-live".into());
    let analysis = p.analyse(&doc);
    let values: Vec<(&str, serde_json::Value)> = analysis
        .facts
        .iter()
        .map(|f| (f.text.as_str(), f.value.to_json()))
        .collect();
    assert_eq!(
        values,
        vec![
            (
                "Last month",
                json!({"kind": "point", "value": "2023-09", "reference": "url"})
            ),
            (
                "Tuesday",
                json!({"kind": "point", "value": null, "relative": true})
            ),
            (
                "This year",
                json!({"kind": "point", "value": "2023", "reference": "url"})
            ),
            (
                "next week",
                json!({"kind": "point", "value": null, "relative": true})
            ),
        ]
    );

    let doc = Document::from_text(
        "c",
        "c.txt",
        "A title\n\nIn December, the trust went live.\n".into(),
    );
    let analysis = p.analyse(&doc);
    assert_eq!(analysis.reference, None);
    assert_eq!(
        analysis.facts[0].value.to_json(),
        json!({"kind": "point", "value": null, "relative": true})
    );
}

/// The metrics in a text: their text and value.
fn metrics_in(text: &str) -> Vec<(String, Value)> {
    pipeline()
        .extractor
        .extract(text, Ymd::new(2024, 1, 10))
        .into_iter()
        .filter(|c| c.fact_type == FactType::Metric)
        .map(|c| (text[c.start..c.end].to_string(), c.value.to_json()))
        .collect()
}

#[test]
fn counted_nouns_rates_and_clock_times_read_in_any_case() {
    let unit = |n: u64, unit: &str| json!({"number": n, "qualifier": null, "unit": unit});
    assert_eq!(
        metrics_in("It linked 12 district and borough councils last year."),
        [(
            "12 district and borough councils".to_string(),
            unit(12, "district and borough councils")
        )]
    );
    assert_eq!(
        metrics_in("The app had 3,000 users EVERY week."),
        [(
            "3,000 users EVERY week".to_string(),
            json!({"number": 3000, "per": "week", "qualifier": null, "unit": "users"})
        )]
    );
    assert_eq!(
        metrics_in("The service saw 85 Patients Per Month at first."),
        [(
            "85 Patients Per Month".to_string(),
            json!({"number": 85, "per": "month", "qualifier": null, "unit": "patients"})
        )]
    );
    // A clock time is no count, however it is written.
    assert_eq!(
        metrics_in("Clinics open at 9 A.M. daily for 40 patients."),
        [("40 patients".to_string(), unit(40, "patients"))]
    );
    // A possessive ends the noun; a word beyond ASCII is lower-cased too.
    assert_eq!(
        metrics_in("It trained 200 trust\u{2019}s staff in May."),
        [("200 trust".to_string(), unit(200, "trust"))]
    );
    assert_eq!(
        metrics_in("Some 40 NA\u{cf}VE users joined the pilot."),
        [(
            "Some 40 NA\u{cf}VE users".to_string(),
            json!({"number": 40, "qualifier": "about", "unit": "na\u{ef}ve users"})
        )]
    );
}

#[test]
fn a_date_before_a_number_a_time_after_one_and_half_a_million_read_as_written() {
    let unit = |n: u64, unit: &str| json!({"number": n, "qualifier": null, "unit": unit});
    // "year" ends a date here; in "Year 6" it names a school year.
    assert_eq!(
        metrics_in("Last year 300 patients were seen at the hub."),
        [("300 patients".to_string(), unit(300, "patients"))]
    );
    assert_eq!(
        metrics_in("Each month 2,000 calls reach the desk."),
        [("2,000 calls".to_string(), unit(2000, "calls"))]
    );
    assert_eq!(metrics_in("In Year 6 pupils were screened."), []);
    // A time before or after is no rate; a period is.
    assert_eq!(
        metrics_in("Uptake was 65% a year earlier."),
        [("65%".to_string(), unit(65, "percent"))]
    );
    assert_eq!(
        metrics_in("Users spend £5 a month on apps."),
        [(
            "£5 a month".to_string(),
            json!({"number": 5, "per": "month", "qualifier": null, "unit": "GBP"})
        )]
    );
    // A fraction of a scale is a count or money, never a ratio.
    assert_eq!(
        metrics_in("Bookings rose by half a million users."),
        [("half a million users".to_string(), unit(500_000, "users"))]
    );
    assert_eq!(
        metrics_in("It saved a quarter of a million pounds."),
        [(
            "a quarter of a million pounds".to_string(),
            unit(250_000, "GBP")
        )]
    );
    assert_eq!(
        metrics_in("Use rose by a quarter in May."),
        [(
            "a quarter".to_string(),
            json!({"number": 0.25, "qualifier": null, "unit": "ratio"})
        )]
    );
}

#[test]
fn seasons_read_with_their_year_or_left_open() {
    let published = Ymd::new(2024, 5, 10).unwrap();
    let dates = |text: &str| -> Vec<(String, Value)> {
        pipeline()
            .extractor
            .extract(text, Some(published))
            .into_iter()
            .filter(|c| c.fact_type == FactType::Date)
            .map(|c| (text[c.start..c.end].to_string(), c.value.to_json()))
            .collect()
    };
    assert_eq!(
        dates("Beds were short over the winter and it opened during the summer of 2022."),
        [
            (
                "the winter".to_string(),
                json!({"kind": "point", "value": "2023-WI", "reference": "published"})
            ),
            (
                "the summer of 2022".to_string(),
                json!({"kind": "point", "value": "2022-SU"})
            )
        ]
    );
    assert_eq!(
        dates("June of this year."),
        [(
            "June of this year".to_string(),
            json!({"kind": "point", "value": "2024-06", "reference": "published"})
        )]
    );
    // In a clause about the future, the next such season.
    assert_eq!(
        dates("The hub will open in the spring."),
        [(
            "the spring".to_string(),
            json!({"kind": "point", "value": "2025-SP", "reference": "published"})
        )]
    );
    // Without a reference date it stays open.
    let open: Vec<Value> = pipeline()
        .extractor
        .extract("Beds were short over the winter.", None)
        .into_iter()
        .map(|c| c.value.to_json())
        .collect();
    assert_eq!(
        open,
        [json!({"kind": "point", "value": null, "relative": true})]
    );
    // A capitalised season is a name's word.
    assert_eq!(dates("It was in the Spring Budget."), []);
}

#[test]
fn a_change_from_one_figure_to_another_is_two_metrics_and_a_range_is_one() {
    let pct = |n: u64| json!({"number": n, "qualifier": null, "unit": "percent"});
    let gbp = |n: u64| json!({"number": n, "qualifier": null, "unit": "GBP"});
    assert_eq!(
        metrics_in("Clicks fell from 11% to 4% over the year."),
        [("11%".to_string(), pct(11)), ("4%".to_string(), pct(4))]
    );
    assert_eq!(
        metrics_in("Uptake rose from 20 per cent to 35 per cent."),
        [
            ("20 per cent".to_string(), pct(20)),
            ("35 per cent".to_string(), pct(35))
        ]
    );
    assert_eq!(
        metrics_in("Spending fell from £2m to £1.5m, and it raised £1.5bn and $20m."),
        [
            ("£2m".to_string(), gbp(2_000_000)),
            ("£1.5m".to_string(), gbp(1_500_000)),
            ("£1.5bn".to_string(), gbp(1_500_000_000)),
            (
                "$20m".to_string(),
                json!({"number": 20_000_000, "qualifier": null, "unit": "USD"})
            )
        ]
    );
    // A sign, scale or noun written once, after the second figure, is the
    // first's too.
    assert_eq!(
        metrics_in("Users rose from 2 to 3 million patients."),
        [
            (
                "2".to_string(),
                json!({"number": 2_000_000, "qualifier": null, "unit": "patients"})
            ),
            (
                "3 million patients".to_string(),
                json!({"number": 3_000_000, "qualifier": null, "unit": "patients"})
            )
        ]
    );
    assert_eq!(
        metrics_in("Uptake rose from 20 to 35 per cent."),
        [
            ("20".to_string(), pct(20)),
            ("35 per cent".to_string(), pct(35))
        ]
    );
    // A figure with its noun left out counts what "the number of" names.
    assert_eq!(
        metrics_in("Across 20 community teams, the number of visits a day rose to 13."),
        [
            (
                "20 community teams".to_string(),
                json!({"number": 20, "qualifier": null, "unit": "community teams"})
            ),
            (
                "13".to_string(),
                json!({"number": 13, "qualifier": null, "unit": "visits"})
            )
        ]
    );
    // A part of a counted whole: its number, the whole's noun.
    assert_eq!(
        metrics_in("So far 14 of the 42 ICSs have signed."),
        [
            (
                "14".to_string(),
                json!({"number": 14, "qualifier": null, "unit": "icss"})
            ),
            (
                "42 ICSs".to_string(),
                json!({"number": 42, "qualifier": null, "unit": "icss"})
            )
        ]
    );
    // Without a verb of change, "to" makes a range.
    assert_eq!(
        metrics_in("Waits were cut by 20 to 30 per cent."),
        [(
            "20 to 30 per cent".to_string(),
            json!({"number": 20, "qualifier": null, "unit": "percent", "upper": 30})
        )]
    );
}

/// The dates in `text`, each with its value, published 2025-06-03.
fn dates_in(text: &str) -> Vec<(String, Value)> {
    pipeline()
        .extractor
        .extract(text, Some(Ymd::new(2025, 6, 3).unwrap()))
        .into_iter()
        .filter(|c| c.fact_type == FactType::Date)
        .map(|c| (text[c.start..c.end].to_string(), c.value.to_json()))
        .collect()
}

#[test]
fn a_waiting_time_written_once_for_two_figures_is_two_durations() {
    let duration = |v: &str| json!({"kind": "duration", "value": v});
    assert_eq!(
        dates_in(
            "Reports now take four days rather than ten, and waits fell from 11 weeks to six."
        ),
        [
            ("four days".to_string(), duration("P4D")),
            ("ten".to_string(), duration("P10D")),
            ("11 weeks".to_string(), duration("P11W")),
            ("six".to_string(), duration("P6W")),
        ]
    );
    // A second figure with a unit of its own, or a noun after it, is not
    // the first one's.
    assert_eq!(
        dates_in("Waits fell from 11 weeks to six months. It went from two days to 40 clinics."),
        [
            ("11 weeks".to_string(), duration("P11W")),
            ("six months".to_string(), duration("P6M")),
            ("two days".to_string(), duration("P2D")),
        ]
    );
    // "to" without "from" is not a change of figure ("two days to 4pm").
    assert_eq!(
        dates_in("They had two days to four."),
        [("two days".to_string(), duration("P2D"))]
    );
    assert_eq!(
        dates_in("Staff spent between two and four weeks on each ward."),
        [("two and four weeks".to_string(), duration("P2W/P4W"))]
    );
}

#[test]
fn a_quarter_without_its_year_resolves_like_a_bare_month() {
    let point = |v: &str| json!({"kind": "point", "value": v, "reference": "published"});
    // Published 2025-06-03, in the second quarter.
    assert_eq!(
        dates_in("The old system went in Q3, the new one in Q2, and the last will move in Q1."),
        [
            ("Q3".to_string(), point("2024-Q3")),
            ("Q2".to_string(), point("2025-Q2")),
            ("Q1".to_string(), point("2026-Q1")),
        ]
    );
    assert_eq!(
        dates_in("It went live in Q3 2024; the Q4 figures follow."),
        [(
            "Q3 2024".to_string(),
            json!({"kind": "point", "value": "2024-Q3"})
        )]
    );
}

#[test]
fn a_year_inside_a_name_is_no_date() {
    let year = |v: &str| json!({"kind": "point", "value": v});
    assert_eq!(
        dates_in(
            "Under the Procurement Act 2023 and the Spring Budget 2024, by 2025 the \
             board, 2023 in hand, said so. By 2026, it ends."
        ),
        [
            ("2025".to_string(), year("2025")),
            ("2023".to_string(), year("2023")),
            ("2026".to_string(), year("2026")),
        ]
    );
    assert_eq!(
        dates_in("It began in Summer 2023."),
        [(
            "Summer 2023".to_string(),
            json!({"kind": "point", "value": "2023-SU"})
        )]
    );
}

#[test]
fn labels_numbers_of_names_and_missing_spaces_in_counts() {
    let unit = |n: u64, unit: &str| json!({"number": n, "qualifier": null, "unit": unit});
    // A label's number inside the counted phrase belongs to it; a number
    // in digits before a singular noun is itself a label.
    assert_eq!(
        metrics_in("Six Phase 3 Trial Sites opened, each a Wave 2 site."),
        [(
            "Six Phase 3 Trial Sites".to_string(),
            unit(6, "phase 3 trial sites")
        )]
    );
    // Written in words, a number before a singular noun still counts.
    assert_eq!(
        metrics_in("It became a three trust, one board group."),
        [("three trust".to_string(), unit(3, "trust"))]
    );
    // Once the document writes "NHS 111", a bare 111 names the service.
    assert_eq!(
        metrics_in("NHS 111 was down. It left 111 call handlers idle and 112 nurses too."),
        [("112 nurses".to_string(), unit(112, "nurses"))]
    );
    assert_eq!(
        metrics_in("The ward had 111 beds."),
        [("111 beds".to_string(), unit(111, "beds"))]
    );
    // A space left out between a grouped number and its noun.
    assert_eq!(
        metrics_in("Teams held 52,318consultations in total."),
        [(
            "52,318consultations".to_string(),
            unit(52318, "consultations")
        )]
    );
}

#[test]
fn a_range_shares_its_scale_only_with_a_short_first_number() {
    let gbp =
        |n: u64, upper: u64| json!({"number": n, "qualifier": null, "unit": "GBP", "upper": upper});
    assert_eq!(
        metrics_in("Bids of between £250,000 and £2m each, or a £1-3 million pot."),
        [
            (
                "between £250,000 and £2m".to_string(),
                gbp(250_000, 2_000_000)
            ),
            ("£1-3 million".to_string(), gbp(1_000_000, 3_000_000)),
        ]
    );
}

#[test]
fn a_ratio_ends_before_a_participle_and_a_part_of_a_whole_counts_its_noun() {
    let ratio = json!({"number": 0.25, "qualifier": "about", "unit": "ratio"});
    assert_eq!(
        metrics_in("About one in four were handled by nurses."),
        [("About one in four".to_string(), ratio)]
    );
    assert_eq!(
        metrics_in("Nearly 2,400 of our members have joined."),
        [(
            "Nearly 2,400".to_string(),
            json!({"number": 2400, "qualifier": "under", "unit": "members"})
        )]
    );
}

#[test]
fn a_time_unit_with_a_capital_before_a_name_is_no_date() {
    assert_eq!(
        dates_in("The 10 Year Health Plan and the Five Year Forward View took two years."),
        [(
            "two years".to_string(),
            json!({"kind": "duration", "value": "P2Y"})
        )]
    );
}

#[test]
fn a_scheduled_event_in_the_present_points_to_the_coming_month() {
    let point = |v: &str| json!({"kind": "point", "reference": "published", "value": v});
    // Published 2025-06-03: a bare month looks back unless the clause
    // speaks of the future, as the present of a timetable does.
    assert_eq!(
        dates_in("The pilot ended in March. Roll-out starts in September."),
        [
            ("March".to_string(), point("2025-03")),
            ("September".to_string(), point("2025-09")),
        ]
    );
    assert_eq!(
        dates_in("Bids are open, with the round closing on 14 August."),
        [("14 August".to_string(), point("2025-08-14"))]
    );
}
