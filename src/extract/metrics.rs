//! The metric normaliser: turns the slots a metric rule captured into the
//! guideline's value — `number` (scale applied, exactly), `unit` (currency
//! code, `percent`, `ratio`, or the counted noun phrase in lower case),
//! `qualifier`, and `upper` and `per` for ranges and rates — and rejects
//! what is not a metric: years, durations, numbers inside names, list
//! numbers, times of day, phone numbers.

use super::numbers::{parse_number, Decimal};
use super::patterns::Slots;
use super::Candidate;
use crate::fact::{FactType, MetricValue, Number, Qualifier};
use crate::rules::Lexicon;
use crate::rules::Table;
use crate::text::{looks_plural, singular};

/// A metric's value and its span (the counted noun phrase may be cut
/// short of what the rule captured; of two figures a rule took for a
/// range, the first may stand alone).
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// The normalised value.
    pub value: MetricValue,
    /// Byte offset (in the matched text) where the span starts.
    pub start: usize,
    /// Byte offset (in the matched text) where the span ends.
    pub end: usize,
}

/// Normalises a metric; `None` rejects the match. `kind` is the rule's
/// `kind` attribute: `count`, `percent`, `money`, `ratio`, `fraction` or
/// `bare` (a number with no counted noun).
pub fn normalise_metric(kind: &str, slots: &Slots<'_>, lexicon: &Lexicon) -> Option<Metric> {
    if excluded_by_context(slots, lexicon) {
        return None;
    }
    let mut start = slots.range("span").unwrap_or_else(|| slots.whole()).start;
    // The span ends after the counted noun (cut to its head), else after
    // the last slot the rule filled.
    let mut end = slots
        .ranges()
        .filter(|(name, _)| *name != "noun")
        .map(|(_, r)| r.end)
        .max()
        .unwrap_or(slots.whole().end);
    let mut noun_unit = None;
    if let Some(noun) = slots.range("noun") {
        if let Some((unit, unit_end)) = counted_noun(&slots.text()[noun.clone()], lexicon) {
            end = noun.start + unit_end;
            noun_unit = Some(unit);
        }
    }
    // A rule's span may leave the counted noun out: "14 of the 42 ICSs" is
    // "14", counting ICSs.
    if let (Some(span), Some(noun)) = (slots.range("span"), slots.range("noun")) {
        if noun.start >= span.end {
            end = span.end;
        }
    }
    let mut upper = None;
    let (number, unit): (Number, Option<String>) = match kind {
        "ratio" => {
            let written_b = slots.get("ratio_b")?;
            let a = parse_number(slots.get("ratio_a")?, lexicon)?.to_f64();
            let b = parse_number(written_b, lexicon)?.to_f64();
            // "23 in 2022" is a count and its year.
            let year = written_b.len() == 4
                && written_b.bytes().all(|c| c.is_ascii_digit())
                && (written_b.starts_with("19") || written_b.starts_with("20"));
            if b == 0.0 || a >= b || year {
                return None;
            }
            (Number::round4(a / b), Some("ratio".into()))
        }
        "fraction" => {
            let num = match slots.get("num") {
                Some(n) if n.eq_ignore_ascii_case("a") => 1.0,
                Some(n) => parse_number(n, lexicon)?.to_f64(),
                None => 1.0,
            };
            let den: f64 = lexicon
                .get(Table::Fractions, slots.get("frac")?)?
                .parse()
                .ok()?;
            if num >= den {
                return None;
            }
            match slots.get("scale") {
                // "three quarters of a million people": a count, or money
                // ("half a million pounds").
                Some(scale) => {
                    let scale = scale_of(Some(scale), lexicon)?.to_f64();
                    let unit = match slots.get("cur") {
                        Some(cur) => lexicon.get(Table::Currencies, cur)?.to_string(),
                        None => noun_unit?,
                    };
                    (
                        Number::Integer((num / den * scale).round() as i64),
                        Some(unit),
                    )
                }
                // A fraction of a scale ("by half a million users") is
                // not a ratio: a rule for the whole reads it.
                None if fraction_of_a_scale_follows(
                    &slots.text()[slots.whole().end..],
                    lexicon,
                ) =>
                {
                    return None
                }
                None => (Number::round4(num / den), Some("ratio".into())),
            }
        }
        _ => {
            let raw = slots.get("num")?;
            if raw.eq_ignore_ascii_case("one") || looks_like_code(raw) {
                return None;
            }
            let unscaled = slots.get("scale").is_none()
                && slots.get("cur").is_none()
                && slots.get("pct").is_none();
            if unscaled && (is_year(raw) || slots.get("num2").is_some_and(is_year)) {
                return None;
            }
            // "a million": "a" is one of the scale.
            let n = if raw.eq_ignore_ascii_case("a") && slots.get("scale").is_some() {
                Decimal::int(1)
            } else {
                parse_number(raw, lexicon)?
            };
            // "£1-2 million", "from 60 to 40 million": a scale written once,
            // after the range, applies to both ends; not to a number written
            // out in full ("between £500,000 and £3m").
            let scale = match slots.get("scale") {
                Some(own) => scale_of(Some(own), lexicon)?,
                None if n.to_f64() < 1000.0 => scale_of(slots.get("scale2"), lexicon)?,
                None => scale_of(None, lexicon)?,
            };
            let n = n.checked_mul(scale)?;
            if let Some(n2) = slots.get("num2") {
                let scale2 = match slots.get("scale2") {
                    Some(s) => scale_of(Some(s), lexicon)?,
                    None => scale,
                };
                let bound = parse_number(n2, lexicon)?.checked_mul(scale2)?;
                if bound.to_f64() > n.to_f64() && !a_change(slots, lexicon) {
                    upper = Some(bound.to_number());
                } else {
                    // "fell from 60% to 40%", "rose from 20% to 35%", "£1.5bn
                    // and $20m": two figures, not a range; the first stands
                    // alone (with its own scale, else the one written once
                    // after the second: "from 2 to 3 million"), and the scan
                    // goes on to the second.
                    (start, end) = first_figure(kind, slots)?;
                }
            }
            let unit = match kind {
                "percent" => Some("percent".to_string()),
                "money" => Some(
                    lexicon
                        .get(Table::Currencies, slots.get("cur")?)?
                        .to_string(),
                ),
                "bare" => None,
                _ => {
                    // "the G-Cloud 14 framework", "Wave 2 site": a number
                    // in digits above one before a singular noun is a label
                    // ("two trust’s teams" is a possessive written for a
                    // plural; "a two trust merger" is written in words).
                    let unit = noun_unit?;
                    let possessive = slots.text()[end..].starts_with(['’', '\'']);
                    let digits = raw.starts_with(|c: char| c.is_ascii_digit());
                    if digits && n.to_f64() > 1.0 && singular_head(&unit, lexicon) && !possessive {
                        return None;
                    }
                    Some(unit)
                }
            };
            (n.to_number(), unit)
        }
    };
    let qualifier = if slots.get("plus").is_some() || slots.get("or_more").is_some() {
        Some(Qualifier::AtLeast)
    } else {
        slots
            .get("qual")
            .and_then(|q| lexicon.get(Table::Qualifiers, q))
            .and_then(Qualifier::parse)
    };
    let mut per = None;
    if let Some((period, len)) = rate_period(&slots.text()[end..], lexicon) {
        per = Some(period);
        end += len;
    }
    Some(Metric {
        value: MetricValue {
            number: Some(number),
            per,
            qualifier,
            unit,
            upper,
        },
        start,
        end,
    })
}

/// Whether two figures are a change from one to the other ("rose from 20%
/// to 35%"): "from" after a verb of change (lexicon `change_verbs`) just
/// before the first.
fn a_change(slots: &Slots<'_>, lexicon: &Lexicon) -> bool {
    let Some(first) = first_figure_start(slots) else {
        return false;
    };
    let before = super::tail(&slots.text()[..first], 48);
    let mut words = before.split_whitespace().rev();
    words.next().is_some_and(|w| w.eq_ignore_ascii_case("from"))
        && words
            .next()
            .is_some_and(|w| lexicon.contains(Table::ChangeVerbs, w))
}

/// Where the first figure a rule took starts: at its qualifier, currency
/// or number, whichever comes first.
fn first_figure_start(slots: &Slots<'_>) -> Option<usize> {
    ["qual", "cur", "num"]
        .iter()
        .filter_map(|s| slots.range(s))
        .map(|r| r.start)
        .min()
}

/// Where the first of two figures a range rule took stands alone: money
/// with its currency (and scale), a percentage with its own sign or word
/// if it has one, a count as its number; a sign or noun written once,
/// after the second, is the first's too ("from 20 to 35 per cent", "from
/// 20 to 35 patients").
fn first_figure(kind: &str, slots: &Slots<'_>) -> Option<(usize, usize)> {
    let num = slots.range("num")?;
    let start = first_figure_start(slots)?;
    match kind {
        "money" => {
            let before_second = slots.range("num2")?.start;
            let end = ["cur", "scale"]
                .iter()
                .filter_map(|s| slots.range(s))
                .filter(|r| r.end <= before_second)
                .fold(num.end, |at, r| at.max(r.end));
            Some((start, end))
        }
        "percent" => {
            let after = &slots.text()[num.end..];
            let gap = after.len() - after.trim_start_matches(' ').len();
            let sign = ["%", "per cent", "percent"]
                .iter()
                .find(|sign| after[gap..].starts_with(*sign))
                .map_or(0, |sign| gap + sign.len());
            Some((start, num.end + sign))
        }
        "count" => Some((start, num.end)),
        _ => None,
    }
}

/// A rate period right after a metric ("a month", "per year", "each
/// week"): the period's singular name and the bytes it takes.
fn rate_period(after: &str, lexicon: &Lexicon) -> Option<(String, usize)> {
    let rest = after.strip_prefix(' ')?;
    let (connector, tail) = rest.split_once(' ')?;
    if !["a", "an", "per", "each", "every"]
        .iter()
        .any(|c| connector.eq_ignore_ascii_case(c))
    {
        return None;
    }
    let word_len = tail
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(tail.len());
    let word = tail[..word_len].to_lowercase();
    let word = if word == "annum" {
        "year".to_string()
    } else {
        word
    };
    // "£3 per patient": a rate for each of a counted thing.
    let lower_case = tail.starts_with(|c: char| c.is_lowercase());
    if connector == "per"
        && lower_case
        && word.len() > 2
        && !lexicon.contains(Table::TimeUnits, &word)
    {
        return (word != "cent").then(|| (singular(&word), 1 + connector.len() + 1 + word_len));
    }
    let code = lexicon.get(Table::TimeUnits, &word)?;
    if code.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // "65% a year earlier": a time before or after, not a rate.
    let after_unit = tail[word_len..]
        .split_whitespace()
        .next()
        .unwrap_or_default();
    let after_unit = after_unit.trim_end_matches(|c: char| !c.is_alphabetic());
    if ["ago", "earlier", "later", "before", "after", "previously"]
        .iter()
        .any(|w| after_unit.eq_ignore_ascii_case(w))
    {
        return None;
    }
    Some((singular(&word), 1 + connector.len() + 1 + word_len))
}

fn scale_of(scale: Option<&str>, lexicon: &Lexicon) -> Option<Decimal> {
    match scale {
        None => Some(Decimal::int(1)),
        Some(s) => {
            let v = lexicon.get(Table::Scales, s)?;
            // Scales are written as powers of ten ("1e6") or plain numbers.
            Decimal::parse(v)
        }
    }
}

/// Digits with a leading zero ("0300", "07") are codes or phone numbers.
fn looks_like_code(raw: &str) -> bool {
    raw.len() > 1 && raw.starts_with('0') && !raw.starts_with("0.")
}

/// Whether `after` (the text after a fraction) goes on to a scale: "a
/// million", "of a billion".
fn fraction_of_a_scale_follows(after: &str, lexicon: &Lexicon) -> bool {
    let mut words = after.split_whitespace();
    let mut word = words.next();
    if word.is_some_and(|w| w.eq_ignore_ascii_case("of")) {
        word = words.next();
    }
    word.is_some_and(|w| w.eq_ignore_ascii_case("a") || w.eq_ignore_ascii_case("an"))
        && words.next().is_some_and(|w| {
            let w = w.trim_end_matches(|c: char| !c.is_alphanumeric());
            w.len() > 1 && lexicon.contains(Table::Scales, w)
        })
}

/// Whether a number is written like a year (four digits, 1900 to 2099).
fn is_year(raw: &str) -> bool {
    raw.len() == 4
        && raw.bytes().all(|b| b.is_ascii_digit())
        && (1900..2100).contains(&raw.parse::<u32>().unwrap_or(0))
}

/// Context that makes a number part of something else: a name word just
/// before it ("NHS 111", "Level 5", "section 251"), list numbering at the
/// start of a line ("1."), a time of day ("9 am", "14:30").
fn excluded_by_context(slots: &Slots<'_>, lexicon: &Lexicon) -> bool {
    let text = slots.text();
    let whole = slots.whole();
    let before = &text[..whole.start];
    // What follows the number itself (list numbering "1.", times "9 am").
    let number_end = slots
        .range("num")
        .or(slots.range("ratio_b"))
        .map_or(whole.end, |r| r.end);
    let after = &text[number_end..];
    if before.ends_with(['-', '/', '.', '#']) && !before.ends_with(" -") {
        return true;
    }
    // The word before, looked for in a bounded window: a "word" longer
    // than the window is no name.
    let window = super::tail(before, 64);
    let mut words = window
        .trim_end_matches([' ', '\u{a0}'])
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"' || c == '\u{201c}');
    let prev_word = words.next().unwrap_or("");
    let word_before = words.next();
    let whole_word = word_before.is_some() || window.len() == before.len();
    if whole_word && names_number(prev_word, word_before, lexicon) {
        return true;
    }
    // At the start of a line: nothing but spaces back to the line break.
    let line_start = before.trim_end_matches(|c: char| c.is_whitespace() && c != '\n');
    if (line_start.is_empty() || line_start.ends_with('\n')) && after.starts_with(['.', ')']) {
        return true;
    }
    if after.starts_with(':') && after[1..].starts_with(|c: char| c.is_ascii_digit()) {
        return true;
    }
    let a = after.trim_start();
    ["am", "pm", "a.m.", "p.m."].iter().any(|t| {
        a.get(..t.len()).is_some_and(|p| p.eq_ignore_ascii_case(t))
            && !a[t.len()..].starts_with(|c: char| c.is_alphanumeric())
    })
}

/// Whether a number after `word` (with `before` ahead of it) is part of a
/// name: `word` is in the lexicon's `name_numbers` ("NHS 111", "Level
/// 5"), unless it is a time unit after "last", "this", "each" ..., which
/// ends a date and names nothing ("last year 300 patients").
fn names_number(word: &str, before: Option<&str>, lexicon: &Lexicon) -> bool {
    let ends_date = lexicon.contains(Table::TimeUnits, word)
        && before.is_some_and(|w| lexicon.contains(Table::TimeDeterminers, w));
    !ends_date && lexicon.contains(Table::NameNumbers, word)
}

/// The bare figure a count's text starts with: three or more digits and
/// a space, no separator, qualifier, currency or scale ("111 call
/// handlers", not "1,250 staff", "£111", "over 111 staff").
fn leading_figure<'t>(text: &'t str, lexicon: &Lexicon) -> Option<&'t str> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let rest = text[digits..].strip_prefix(' ')?;
    let next = rest.split(' ').next().unwrap_or(rest);
    (digits >= 3 && !lexicon.contains(Table::Scales, next)).then(|| &text[..digits])
}

/// The figures of three or more digits the document writes as part of a
/// name, after a word of the lexicon's `name_numbers` ("NHS 111"): read
/// once over the text.
fn figures_in_names<'t>(text: &'t str, lexicon: &Lexicon) -> Vec<&'t str> {
    crate::work::examined(text.len());
    let bytes = text.as_bytes();
    let mut figures = Vec::new();
    let mut at = 0;
    while let Some(offset) = bytes[at..].iter().position(u8::is_ascii_digit) {
        let start = at + offset;
        let len = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        at = start + len;
        let whole = !bytes
            .get(at)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b',');
        if len < 3 || !whole || !text[..start].ends_with(' ') {
            continue;
        }
        let mut words = super::tail(&text[..start - 1], 48).rsplit(' ');
        let word = words.next().unwrap_or("");
        if names_number(word, words.next(), lexicon) {
            figures.push(&text[start..at]);
        }
    }
    figures
}

/// Drops the counts that start with a figure the document writes
/// elsewhere as part of a name: after "NHS 111", "111 call handlers" are
/// the service's, not a count of 111.
pub(super) fn drop_figures_of_names(text: &str, found: &mut Vec<Candidate>, lexicon: &Lexicon) {
    let figure = |c: &Candidate| {
        (c.fact_type == FactType::Metric)
            .then(|| leading_figure(&text[c.start..c.end], lexicon))
            .flatten()
    };
    if !found.iter().any(|c| figure(c).is_some()) {
        return;
    }
    let named = figures_in_names(text, lexicon);
    if named.is_empty() {
        return;
    }
    found.retain(|c| figure(c).is_none_or(|f| !named.contains(&f)));
}

/// Cuts a captured noun phrase at the first word that cannot belong to it
/// (a preposition, conjunction, determiner, auxiliary, or — after the
/// first word — a participle or adverb). Returns the unit in lower case
/// and the byte length kept; `None` when nothing is left or the phrase
/// counts time (a duration, which is a date).
fn counted_noun(noun: &str, lexicon: &Lexicon) -> Option<(String, usize)> {
    let mut kept_end = 0;
    // The unit as it grows: the words kept, lower-cased, one space apart.
    let mut unit = String::with_capacity(noun.len());
    let mut offset = 0;
    let raws: Vec<&str> = noun.split(' ').collect();
    for (i, &raw) in raws.iter().enumerate() {
        let start = offset;
        offset += raw.len() + 1;
        if raw.is_empty() {
            continue;
        }
        // "district and borough councils": two modifiers joined by "and"
        // before one plural head.
        if raw == "and" && joins_modifiers(last_word(&unit), &raws[i + 1..], lexicon) {
            unit.push_str(" and");
            continue;
        }
        // "seven Wave 2 Test Beds": a label's number belongs to the phrase
        // after a capitalised word and before a plural head.
        if raw.bytes().all(|b| b.is_ascii_digit()) {
            let after_name = i > 0 && raws[i - 1].starts_with(|c: char| c.is_uppercase());
            if !(after_name && plural_within(&raws[i + 1..], 3, lexicon)) {
                break;
            }
        }
        let word = raw.trim_end_matches(|c: char| !c.is_alphanumeric());
        // A possessive ends the phrase before its apostrophe ("two trust’s
        // teams" counts trusts).
        let (word, raw) = match word.strip_suffix("’s").or_else(|| word.strip_suffix("'s")) {
            Some(stem) if !stem.is_empty() => (stem, word),
            _ => (word, raw),
        };
        if word.is_empty() {
            break;
        }
        let before = unit.len();
        if before > 0 {
            unit.push(' ');
        }
        push_lower(&mut unit, word);
        let lower = &unit[before + usize::from(before > 0)..];
        // "114 more inpatients": "more" or "fewer" before a noun modifies
        // it ("300 more than last year" has no noun).
        let comparative = before == 0
            && matches!(lower, "more" | "fewer")
            && raws.get(i + 1).is_some_and(|next| {
                let next = next.to_lowercase();
                next.starts_with(char::is_alphabetic) && !lexicon.contains(Table::NounStops, &next)
            });
        if lexicon.contains(Table::NounStops, lower) && !comparative {
            unit.truncate(before);
            break;
        }
        // After the first word a participle or adverb ends the phrase,
        // unless an adverb introduced it ("highly committed staff").
        let after_adverb = before > 0 && last_word(&unit[..before]).ends_with("ly");
        if before > 0
            && is_participle_or_adverb(lower)
            && !after_adverb
            && !lexicon.contains(Table::NounWords, lower)
        {
            unit.truncate(before);
            break;
        }
        let listed_plural = !looks_plural(lower) && lexicon.contains(Table::PluralNouns, lower);
        kept_end = start + word.len();
        if word.len() < raw.len() {
            break; // punctuation ends the phrase
        }
        if looks_plural(lower) {
            break; // a plural head noun ends the phrase
        }
        if listed_plural {
            // A plural without -s may modify a plural head after it ("14
            // data centres", "200 staff members"); else it is the head.
            let next = raws.get(i + 1).map(|w| {
                w.trim_end_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase()
            });
            if !next.is_some_and(|n| looks_plural(&n) && !lexicon.contains(Table::NounStops, &n)) {
                break;
            }
        }
    }
    let first = unit.split(' ').next().filter(|w| !w.is_empty())?;
    if lexicon.contains(Table::TimeUnits, first) || lexicon.contains(Table::Scales, first) {
        return None;
    }
    // A participle or adverb alone is no noun ("one in three handled by a
    // pharmacist").
    let lone = first.len() == unit.len();
    if lone && is_participle_or_adverb(first) && !lexicon.contains(Table::NounWords, first) {
        return None;
    }
    Some((unit, kept_end))
}

/// Whether a counted noun phrase ends in a singular noun: a word not
/// ending in "s" that the lexicon's `plural_nouns` does not list ("staff",
/// "people" are plural).
fn singular_head(unit: &str, lexicon: &Lexicon) -> bool {
    let head = last_word(unit);
    head.chars().all(char::is_alphabetic)
        && !head.ends_with('s')
        && !lexicon.contains(Table::PluralNouns, head)
}

/// The last word of a unit being built ("" when it has none).
fn last_word(unit: &str) -> &str {
    unit.rsplit(' ').next().unwrap_or("")
}

/// Appends a word lower-cased, its curly apostrophes made plain.
fn push_lower(out: &mut String, word: &str) {
    if word.is_ascii() {
        out.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        out.push_str(&word.to_lowercase().replace('\u{2019}', "'"));
    }
}

/// Whether "and" after `before` joins two modifiers of one head: the
/// word before it is singular and the next one or two words end in a
/// plural head, with no small word between.
fn joins_modifiers(last: &str, after: &[&str], lexicon: &Lexicon) -> bool {
    if last.is_empty() {
        return false;
    }
    if looks_plural(last) || lexicon.contains(Table::PluralNouns, last) {
        return false;
    }
    plural_within(after, 2, lexicon)
}

/// Whether one of the next `n` words is a plural noun, with only words
/// of a noun phrase before it.
fn plural_within(after: &[&str], n: usize, lexicon: &Lexicon) -> bool {
    after
        .iter()
        .take(n)
        .map(|w| w.to_lowercase())
        .take_while(|w| {
            !w.is_empty()
                && w.chars().all(|c| c.is_alphabetic() || c == '-')
                && !lexicon.contains(Table::NounStops, w)
        })
        .any(|w| looks_plural(&w) || lexicon.contains(Table::PluralNouns, &w))
}

fn is_participle_or_adverb(word: &str) -> bool {
    (word.len() > 3 && (word.ends_with("ing") || word.ends_with("ed")))
        || (word.len() > 3 && word.ends_with("ly"))
}
