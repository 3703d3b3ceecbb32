//! The date normaliser: turns the slots a date rule captured into the
//! guideline's TIMEX3-style value — points (`2022-11`, `2023`, `2023-04-11`,
//! `2024-Q1`, `2023-WI`), ranges (`2023/2025`, financial years
//! `2023-04/2024-03`) and durations (`P6W`) — resolving relative expressions
//! against the publication date.

use super::numbers::{parse_number, Decimal};
use super::patterns::Slots;
use crate::calendar::Ymd;
use crate::fact::{DateKind, DateValue};
use crate::rules::Lexicon;
use crate::rules::Table;

/// What a date rule found, and the reference it resolves against.
#[derive(Debug)]
pub struct DateContext<'a> {
    /// The rule's `kind` attribute: point, range or duration.
    pub kind: DateKind,
    /// The rule marks the expression vague (`vague = yes`): value null.
    pub vague: bool,
    /// The reference date relative expressions resolve against, if known.
    pub published: Option<Ymd>,
    /// Where the reference date came from (`published`, `url`, `dateline`),
    /// written into the value of every date resolved against it.
    pub reference: &'a str,
    /// Whether the reference date's day is known (else only its month).
    pub day_precision: bool,
    /// Whether the clause around the date speaks of the future.
    pub future: bool,
}

/// Normalises a date; `None` rejects the match (an impossible date).
pub fn normalise_date(
    ctx: &DateContext<'_>,
    slots: &Slots<'_>,
    lexicon: &Lexicon,
) -> Option<DateValue> {
    let modifier = slots
        .get("mod")
        .and_then(|m| lexicon.get(Table::Modifiers, m));
    if ctx.vague {
        return Some(DateValue {
            kind: Some(ctx.kind),
            relative: true,
            ..DateValue::default()
        });
    }
    let resolved = match ctx.kind {
        DateKind::Duration => duration(slots, lexicon).map(Resolved::Fixed),
        _ => point_or_range(ctx, slots, lexicon),
    }?;
    let (kind, value, relative, resolved) = match resolved {
        Resolved::Fixed(v) => (ctx.kind, Some(v), false, false),
        Resolved::Relative(v) => (ctx.kind, Some(v), false, true),
        Resolved::Range(v) => (DateKind::Range, Some(v), false, false),
        Resolved::NeedsReference => (ctx.kind, None, true, false),
    };
    Some(DateValue {
        kind: Some(kind),
        modifier: modifier.map(str::to_string),
        reference: resolved.then(|| ctx.reference.to_string()),
        relative,
        value,
    })
}

enum Resolved {
    /// Fixed by the text alone.
    Fixed(String),
    /// Resolved against the reference date.
    Relative(String),
    Range(String),
    NeedsReference,
}

/// `P6W`, `P3M`, `P10Y`, `PT24H` from a count and a time unit.
fn duration(slots: &Slots<'_>, lexicon: &Lexicon) -> Option<String> {
    let unit = slots.get("unit")?;
    let code = lexicon.get(Table::TimeUnits, unit)?;
    let amount = |n: Decimal| amount_of(n, code);
    let first = amount(count_of(slots.get("n"), lexicon)?)?;
    // "three to five months": a range of durations, `P3M/P5M`.
    match slots.get("n2") {
        Some(n2) => Some(format!("{first}/{}", amount(count_of(Some(n2), lexicon)?)?)),
        None => Some(first),
    }
}

/// A duration's value from its count and its unit's code (lexicon
/// `time_units`: a letter with an optional multiplier, "Y", "10Y", "2W",
/// "TH").
fn amount_of(n: Decimal, code: &str) -> Option<String> {
    let digits: String = code.chars().take_while(char::is_ascii_digit).collect();
    let letter = &code[digits.len()..];
    let factor = if digits.is_empty() {
        1
    } else {
        digits.parse().ok()?
    };
    let amount = n.checked_mul(Decimal::int(factor))?.to_number();
    Some(match letter {
        "TH" => format!("PT{amount}H"),
        "TM" => format!("PT{amount}M"),
        _ => format!("P{amount}{letter}"),
    })
}

/// What may follow a duration's second figure written without its unit:
/// words no unit or counted noun starts with.
const AFTER_SECOND_FIGURE: [&str; 17] = [
    "in", "on", "at", "by", "for", "and", "after", "when", "last", "this", "since", "over",
    "across", "during", "while", "but", "with",
];

/// A duration's second figure written without its unit ("fell from 11
/// days to six", "in two days rather than ten"): a duration in the first
/// one's unit (`P6D`). `duration` is the first one's span and value;
/// returns the second figure's span and value.
pub fn second_duration(
    text: &str,
    duration: (usize, usize),
    lexicon: &Lexicon,
) -> Option<(usize, usize, String)> {
    let (start, end) = duration;
    let unit = text[start..end].rsplit([' ', '-']).next()?;
    let code = lexicon.get(Table::TimeUnits, unit)?;
    let rest = super::head(&text[end..], 40);
    // The words after the duration, each with where it starts.
    let words: Vec<(usize, &str)> = rest
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - rest.as_ptr() as usize, w))
        .take(5)
        .collect();
    let word = |i: usize| words.get(i).map(|&(_, w)| w);
    let skip = match (word(0)?, word(1)) {
        ("to", _) if super::tail(&text[..start], 8).trim_end().ends_with("from") => 1,
        ("rather", Some("than")) | ("instead", Some("of")) => 2,
        _ => return None,
    };
    let (offset, written) = *words.get(skip)?;
    let figure = written.trim_end_matches([',', '.', ';', ':', ')', '"', '\'', '”', '’']);
    let ends_clause = figure.len() < written.len()
        || word(skip + 1).is_none_or(|w| AFTER_SECOND_FIGURE.contains(&w));
    if figure.is_empty() || !ends_clause || !figure.chars().all(char::is_alphanumeric) {
        return None;
    }
    let value = amount_of(parse_number(figure, lexicon)?, code)?;
    let at = end + offset;
    Some((at, at + figure.len(), value))
}

/// Whether a bare year is a number in a name ("the Procurement Act 2023",
/// "the Spring Budget 2024"): right after a capitalised word that is no
/// month, season, weekday or date modifier, within a sentence ("By 2025"
/// starts one).
pub fn year_in_name(text: &str, start: usize, end: usize, lexicon: &Lexicon) -> bool {
    let is_year = end - start == 4 && text[start..end].bytes().all(|b| b.is_ascii_digit());
    let before = super::tail(&text[..start], 48);
    let Some(word) = before.strip_suffix(' ').and_then(|b| b.rsplit(' ').next()) else {
        return false;
    };
    let earlier = before[..before.len() - word.len() - 1].trim_end_matches(' ');
    let title_case = word.len() >= 2
        && word.starts_with(|c: char| c.is_uppercase())
        && word.chars().any(char::is_lowercase)
        && word.chars().all(|c| c.is_alphabetic() || c == '-');
    let within_sentence = earlier
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, ',' | '\'' | '’'));
    is_year
        && title_case
        && within_sentence
        && ![
            Table::Months,
            Table::Seasons,
            Table::Weekdays,
            Table::Modifiers,
        ]
        .iter()
        .any(|&t| lexicon.contains(t, word))
}

/// Whether a duration ending at `end` is part of a name: its unit written
/// with a capital and a capitalised word after it ("the 10 Year Health
/// Plan", "the Five Year Forward View").
pub fn unit_in_name(text: &str, end: usize, lexicon: &Lexicon) -> bool {
    let unit = text[..end].rsplit(' ').next().unwrap_or("");
    unit.starts_with(|c: char| c.is_uppercase())
        && unit.chars().skip(1).all(char::is_lowercase)
        && lexicon.contains(Table::TimeUnits, unit)
        && text[end..]
            .strip_prefix(' ')
            .is_some_and(|after| after.starts_with(|c: char| c.is_uppercase()))
}

/// Whether a duration ending at `end` is an age ("twenty years old", "a
/// six-month-old service"): ages are not dates.
pub fn is_age(text: &str, end: usize) -> bool {
    let after = super::head(&text[end..], 5);
    after.starts_with(" old") || after.starts_with("-old")
}

/// How many units a duration counts: digits, number words, "a", "another",
/// "a couple of"; one when not written.
fn count_of(n: Option<&str>, lexicon: &Lexicon) -> Option<Decimal> {
    let Some(n) = n else {
        return Some(Decimal::int(1));
    };
    let words = n
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    match words.as_str() {
        "a" | "an" | "one" | "another" => Some(Decimal::int(1)),
        "a couple of" => Some(Decimal::int(2)),
        _ => parse_number(n, lexicon),
    }
}

/// "five years ago": the point that many units before `published`, at the
/// unit's precision.
fn ago(slots: &Slots<'_>, published: Ymd, lexicon: &Lexicon) -> Option<String> {
    let n = count_of(slots.get("n"), lexicon)?;
    if !n.is_integer() {
        return None;
    }
    let n = i32::try_from(n.mantissa * 10i128.pow(n.exponent as u32)).ok()?;
    Some(match lexicon.get(Table::TimeUnits, slots.get("unit")?)? {
        "Y" => format!("{}", published.year - n),
        "10Y" => format!("{}", published.year - 10 * n),
        "M" => {
            let (y, m) = published.add_months(-n);
            format!("{y}-{m:02}")
        }
        "W" => {
            let (y, w) = published.add_days(-7 * i64::from(n)).iso_week();
            format!("{y}-W{w:02}")
        }
        "D" => published.add_days(-i64::from(n)).to_string(),
        _ => return None,
    })
}

fn year_of(s: &str) -> Option<i32> {
    let s = s.trim_start_matches(['\'', '\u{2019}']);
    match s.len() {
        4 => s.parse().ok(),
        2 => s.parse::<i32>().ok().map(|y| 2000 + y),
        _ => None,
    }
}

/// A month by name ("March", "Sept") or number ("03").
fn month_of(s: Option<&str>, lexicon: &Lexicon) -> Option<u32> {
    let s = s?;
    match s.parse::<u32>() {
        Ok(m) => (1..=12).contains(&m).then_some(m),
        Err(_) => lexicon.get(Table::Months, s)?.parse().ok(),
    }
}

/// A day of the month, with or without an ordinal suffix ("3rd").
fn day_of(s: &str) -> Option<u32> {
    s.trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .parse()
        .ok()
}

fn offset_of(rel: Option<&str>) -> Option<i32> {
    match rel?.to_lowercase().as_str() {
        "last" | "previous" | "past" | "yesterday" => Some(-1),
        "this" | "current" | "the" => Some(0),
        "next" | "coming" | "following" | "tomorrow" => Some(1),
        _ => None,
    }
}

fn point_or_range(ctx: &DateContext<'_>, slots: &Slots<'_>, lexicon: &Lexicon) -> Option<Resolved> {
    let year = slots.get("year").and_then(year_of);
    let month = month_of(slots.get("month"), lexicon);
    let day = slots.get("day").and_then(day_of);

    // Financial years: "2023/24", "2023-24", "2023/2024".
    if let (Some(y), Some(fy)) = (year, slots.get("fy")) {
        let end = match fy.len() {
            2 => (y / 100) * 100 + fy.parse::<i32>().ok()?,
            4 => fy.parse().ok()?,
            _ => return None,
        };
        if end != y + 1 {
            return (end > y).then(|| Resolved::Range(format!("{y}/{end}")));
        }
        return Some(Resolved::Range(format!("{y}-04/{end}-03")));
    }

    // Ranges: a second year (or month) ends them.
    if ["year2", "month2", "day2"]
        .iter()
        .any(|s| slots.get(s).is_some())
    {
        let year2 = slots.get("year2").and_then(year_of).or(year);
        let month2 = month_of(slots.get("month2"), lexicon);
        let day2 = slots.get("day2").and_then(day_of);
        // "between April and August": months without a year end where a
        // bare month would fall, and start in that year or the one before.
        if let (None, None, Some(m), Some(m2), Some(p)) =
            (year, year2, month, month2, ctx.published)
        {
            let end_year = match (ctx.future, m2.cmp(&p.month)) {
                (true, std::cmp::Ordering::Less) => p.year + 1,
                (false, std::cmp::Ordering::Greater) => p.year - 1,
                _ => p.year,
            };
            let start_year = if m <= m2 { end_year } else { end_year - 1 };
            let start = fixed(start_year, Some(m), None)?;
            let end = fixed(end_year, Some(m2), None)?;
            return (start < end).then(|| Resolved::Relative(format!("{start}/{end}")));
        }
        let start_year = year.or(year2)?;
        let start = fixed(start_year, month, day)?;
        let end = fixed(
            year2?,
            month2.or(if day2.is_some() { month } else { None }),
            day2,
        )?;
        if end <= start {
            return None;
        }
        return Some(Resolved::Range(format!("{start}/{end}")));
    }

    if let Some(q) = slots.get("quarter") {
        let q: u32 = match q.to_lowercase().trim_start_matches('q') {
            "first" => 1,
            "second" => 2,
            "third" => 3,
            "fourth" | "final" => 4,
            digits => digits.parse().ok()?,
        };
        if !(1..=4).contains(&q) {
            return None;
        }
        // "in Q3": like a bare month, the latest such quarter, or the
        // next in a future clause.
        return Some(match (year, ctx.published) {
            (Some(y), _) => Resolved::Fixed(format!("{y}-Q{q}")),
            (None, Some(p)) => {
                let y = match (ctx.future, 3 * q < p.month, 3 * q - 2 > p.month) {
                    (true, true, _) => p.year + 1,
                    (false, _, true) => p.year - 1,
                    _ => p.year,
                };
                Resolved::Relative(format!("{y}-Q{q}"))
            }
            (None, None) => Resolved::NeedsReference,
        });
    }
    let rel = offset_of(slots.get("rel"));
    // "the first half of 2024": `2024-H1`.
    if let Some(half) = slots.get("half") {
        let h = if half.eq_ignore_ascii_case("first") {
            1
        } else {
            2
        };
        return Some(match (year, rel, ctx.published) {
            (Some(y), _, _) => Resolved::Fixed(format!("{y}-H{h}")),
            (None, Some(off), Some(p)) => Resolved::Relative(format!("{}-H{h}", p.year + off)),
            _ => Resolved::NeedsReference,
        });
    }
    // "this financial year": April to March.
    if slots.get("fin").is_some() {
        let (Some(off), Some(p)) = (rel, ctx.published) else {
            return Some(Resolved::NeedsReference);
        };
        let y = if p.month >= 4 { p.year } else { p.year - 1 } + off;
        return Some(Resolved::Relative(format!("{y}-04/{}-03", y + 1)));
    }
    if let Some(season) = slots.get("season") {
        let code = lexicon.get(Table::Seasons, season)?;
        // Seasons start in March, June, September and December.
        let start = match code {
            "SP" => 3,
            "SU" => 6,
            "FA" => 9,
            _ => 12,
        };
        let y = match (year, rel, ctx.published) {
            (Some(y), _, _) => y,
            // "autumn last year": the season of the year named.
            (None, Some(off), Some(p)) if slots.get("unit").is_some() => p.year + off,
            (None, Some(off), Some(p)) => match off {
                -1 if start >= p.month => p.year - 1,
                1 if start <= p.month => p.year + 1,
                _ => p.year,
            },
            // "in the autumn": like a bare month, the latest such season,
            // or the next in a future clause.
            (None, None, Some(p)) => match (ctx.future, start.cmp(&p.month)) {
                (true, std::cmp::Ordering::Less) => p.year + 1,
                (false, std::cmp::Ordering::Greater) => p.year - 1,
                _ => p.year,
            },
            _ => return Some(Resolved::NeedsReference),
        };
        let value = format!("{y}-{code}");
        return Some(if year.is_some() {
            Resolved::Fixed(value)
        } else {
            Resolved::Relative(value)
        });
    }
    let unit = slots
        .get("unit")
        .and_then(|u| lexicon.get(Table::TimeUnits, u))
        .map(str::to_string)
        .or_else(|| {
            // "yesterday", "tomorrow": a day.
            slots
                .get("rel")
                .filter(|r| {
                    r.eq_ignore_ascii_case("yesterday") || r.eq_ignore_ascii_case("tomorrow")
                })
                .map(|_| "D".to_string())
        });
    // Days and weeks need the reference's day (guideline §6).
    let needs_day = slots.get("weekday").is_some() || matches!(unit.as_deref(), Some("W" | "D"));
    if needs_day && !ctx.day_precision && year.is_none() {
        return Some(Resolved::NeedsReference);
    }
    if let Some(weekday) = slots.get("weekday") {
        return Some(match ctx.published {
            Some(p) => Resolved::Relative(on_weekday(p, weekday, ctx.future, lexicon)?),
            None => Resolved::NeedsReference,
        });
    }
    if slots
        .get("rel")
        .is_some_and(|r| r.eq_ignore_ascii_case("ago"))
    {
        return Some(match ctx.published {
            Some(p) => Resolved::Relative(ago(slots, p, lexicon)?),
            None => Resolved::NeedsReference,
        });
    }

    if let Some(y) = year {
        return fixed(y, month, day).map(Resolved::Fixed);
    }
    let Some(published) = ctx.published else {
        return Some(Resolved::NeedsReference);
    };
    if let Some(m) = month {
        let y = match (rel, unit.as_deref()) {
            // "November last year", "February this year".
            (Some(off), Some("Y")) => published.year + off,
            // "last March": the latest March at least two months back.
            (Some(-1), None) => {
                let (y, pm) = published.add_months(-2);
                if m <= pm {
                    y
                } else {
                    y - 1
                }
            }
            // "next March": the first March after this month.
            (Some(1), None) => {
                if m > published.month {
                    published.year
                } else {
                    published.year + 1
                }
            }
            (Some(0), None) => published.year,
            // A bare month: the latest such month, or the next in a future clause.
            _ => match (ctx.future, m.cmp(&published.month)) {
                (true, std::cmp::Ordering::Less) => published.year + 1,
                (true, _) => published.year,
                (false, std::cmp::Ordering::Greater) => published.year - 1,
                (false, _) => published.year,
            },
        };
        return fixed(y, Some(m), day).map(Resolved::Relative);
    }
    let off = rel?;
    Some(Resolved::Relative(match unit.as_deref()? {
        "Y" => format!("{}", published.year + off),
        "M" => {
            let (y, m) = published.add_months(off);
            format!("{y}-{m:02}")
        }
        "3M" => {
            let (y, m) = published.add_months(3 * off);
            format!("{y}-Q{}", (m - 1) / 3 + 1)
        }
        "W" => {
            let (y, w) = published.add_days(7 * i64::from(off)).iso_week();
            format!("{y}-W{w:02}")
        }
        "D" => published.add_days(i64::from(off)).to_string(),
        _ => return None,
    }))
}

/// A weekday ("on Friday"): the latest such day on or before the reference
/// date, or the next one after it in a clause about the future.
fn on_weekday(reference: Ymd, name: &str, future: bool, lexicon: &Lexicon) -> Option<String> {
    let wanted: i64 = lexicon.get(Table::Weekdays, name)?.parse().ok()?;
    // Monday is 0: 1970-01-01 was a Thursday.
    let today = (reference.days_since_epoch() + 3).rem_euclid(7);
    let delta = if future {
        match (wanted - today).rem_euclid(7) {
            0 => 7,
            d => d,
        }
    } else {
        -(today - wanted).rem_euclid(7)
    };
    Some(reference.add_days(delta).to_string())
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; `None` for a day that does not exist.
fn fixed(year: i32, month: Option<u32>, day: Option<u32>) -> Option<String> {
    match (month, day) {
        (Some(m), Some(d)) => Ymd::new(year, m, d).map(|d| d.to_string()),
        (Some(m), None) => (1..=12).contains(&m).then(|| format!("{year}-{m:02}")),
        (None, None) => Some(format!("{year}")),
        (None, Some(_)) => None,
    }
}
