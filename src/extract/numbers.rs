//! Numbers: digits ("9,454", "1.5", "30,000") and number words
//! ("twenty-five", "one hundred and twenty", "a dozen", "a million"), parsed
//! exactly as decimals so that scales never add rounding errors
//! (£4.1 million is 4100000, not 4099999.999).

use crate::fact::Number;
use crate::rules::Lexicon;
use crate::rules::Table;

/// An exact decimal: `mantissa × 10^exponent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    /// The digits.
    pub mantissa: i128,
    /// The power of ten.
    pub exponent: i32,
}

impl Decimal {
    /// A whole number.
    pub fn int(n: i128) -> Decimal {
        Decimal {
            mantissa: n,
            exponent: 0,
        }
    }

    /// Multiplies by another decimal, exactly (`None` on overflow).
    pub fn checked_mul(self, other: Decimal) -> Option<Decimal> {
        let product = Decimal {
            mantissa: self.mantissa.checked_mul(other.mantissa)?,
            exponent: self.exponent + other.exponent,
        };
        Some(product.trim())
    }

    fn trim(mut self) -> Decimal {
        while self.exponent < 0 && self.mantissa % 10 == 0 && self.mantissa != 0 {
            self.mantissa /= 10;
            self.exponent += 1;
        }
        self
    }

    /// Parses a plain decimal ("4.1", "0.5"; a multiplier such as "1e6").
    pub fn parse(s: &str) -> Option<Decimal> {
        if let Some((m, e)) = s.split_once(['e', 'E']) {
            let m = Decimal::parse(m)?;
            let e: i32 = e.parse().ok()?;
            return Some(Decimal {
                mantissa: m.mantissa,
                exponent: m.exponent + e,
            });
        }
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
            || int.len() + frac.len() > 30
        {
            return None;
        }
        let digits = format!("{int}{frac}");
        Some(
            Decimal {
                mantissa: digits.parse().ok()?,
                exponent: -(frac.len() as i32),
            }
            .trim(),
        )
    }

    /// The value as an `f64`.
    pub fn to_f64(self) -> f64 {
        self.mantissa as f64 * 10f64.powi(self.exponent)
    }

    /// Whether it is a whole number.
    pub fn is_integer(self) -> bool {
        self.exponent >= 0
    }

    /// As a value's number: an integer when whole, else rounded to 4 places.
    pub fn to_number(self) -> Number {
        if self.exponent >= 0 {
            let n = 10i128
                .checked_pow(self.exponent as u32)
                .and_then(|p| self.mantissa.checked_mul(p));
            if let Some(n) = n.and_then(|n| i64::try_from(n).ok()) {
                return Number::Integer(n);
            }
        }
        Number::round4(self.to_f64())
    }
}

/// Parses digits with thousands separators ("9,454", "1,500.5", "1.5").
pub fn parse_digits(s: &str) -> Option<Decimal> {
    let s = s.trim();
    if s.contains(',') {
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let groups: Vec<&str> = int.split(',').collect();
        let well_formed = groups[0].len() <= 3
            && !groups[0].is_empty()
            && groups[1..].iter().all(|g| g.len() == 3);
        if !well_formed {
            return None;
        }
        let joined = groups.concat();
        return Decimal::parse(&if frac.is_empty() {
            joined
        } else {
            format!("{joined}.{frac}")
        });
    }
    Decimal::parse(s)
}

/// Parses a number in digits or words. Word numbers use the `numbers`
/// table: a value below 100 adds, `hundred` and `dozen` multiply what came
/// before, `thousand` and above close a group ("two hundred and five
/// thousand" is 205000). "a"/"an" count as one before a multiplier.
pub fn parse_number(s: &str, lexicon: &Lexicon) -> Option<Decimal> {
    let s = s.trim();
    if s.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return parse_digits(s);
    }
    let words: Vec<String> = s
        .split(|c: char| c.is_whitespace() || c == '-' || c == '\u{2010}')
        .filter(|w| !w.is_empty() && !w.eq_ignore_ascii_case("and"))
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        return None;
    }
    let mut total: i128 = 0;
    let mut group: i128 = 0;
    let mut any = false;
    for (i, w) in words.iter().enumerate() {
        let value: i128 = if (w == "a" || w == "an") && i + 1 < words.len() {
            1
        } else {
            let v: f64 = lexicon.get(Table::Numbers, w)?.parse().ok()?;
            v as i128
        };
        match value {
            12 if w == "dozen" => group = group.max(1) * 12,
            100 => group = group.max(1) * 100,
            v if v >= 1000 => {
                total += group.max(1) * v;
                group = 0;
            }
            v => group += v,
        }
        any = true;
    }
    any.then(|| Decimal::int(total + group))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon() -> Lexicon {
        Lexicon::from_tables(&[(
            Table::Numbers,
            &[
                ("one", "1"),
                ("two", "2"),
                ("five", "5"),
                ("twenty", "20"),
                ("hundred", "100"),
                ("thousand", "1000"),
                ("million", "1000000"),
                ("dozen", "12"),
            ],
        )])
    }

    #[test]
    fn digits_with_separators_and_decimals() {
        assert_eq!(parse_digits("9,454"), Some(Decimal::int(9454)));
        assert_eq!(
            parse_digits("1,500.5").map(Decimal::to_number),
            Some(Number::Float(1500.5))
        );
        assert_eq!(parse_digits("12,34"), None);
        assert_eq!(
            parse_digits("1.50"),
            Some(Decimal {
                mantissa: 15,
                exponent: -1
            })
        );
    }

    #[test]
    fn scales_are_exact() {
        let m = Decimal::parse("1e6").unwrap();
        assert_eq!(
            Decimal::parse("4.1")
                .unwrap()
                .checked_mul(m)
                .unwrap()
                .to_number(),
            Number::Integer(4_100_000)
        );
        assert_eq!(
            Decimal::parse("0.25").unwrap().to_number(),
            Number::Float(0.25)
        );
    }

    #[test]
    fn number_words() {
        let l = lexicon();
        let n = |s: &str| parse_number(s, &l).map(Decimal::to_number);
        assert_eq!(n("twenty-five"), Some(Number::Integer(25)));
        assert_eq!(n("one hundred and twenty"), Some(Number::Integer(120)));
        assert_eq!(n("a dozen"), Some(Number::Integer(12)));
        assert_eq!(n("two dozen"), Some(Number::Integer(24)));
        assert_eq!(n("a million"), Some(Number::Integer(1_000_000)));
        assert_eq!(
            n("two hundred and five thousand"),
            Some(Number::Integer(205_000))
        );
        assert_eq!(n("banana"), None);
    }
}
