//! Calendar dates: the `published` reference and the arithmetic that relative
//! expressions need (month and year steps, validity checks).

use std::fmt;

/// A calendar day in the proleptic Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ymd {
    /// Year, e.g. 2023.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u32,
    /// Day of the month, 1 to 31.
    pub day: u32,
}

impl Ymd {
    /// Builds a date, or `None` when the day does not exist.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Ymd> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Ymd { year, month, day })
    }

    /// Parses an ISO `YYYY-MM-DD` date; a longer ISO timestamp
    /// (`2024-05-20T09:00:00Z`) is accepted and cut to its date.
    pub fn parse_iso(s: &str) -> Option<Ymd> {
        let s = s.trim();
        let date = s.get(..10)?;
        if s.len() > 10 && !s[10..].starts_with(['T', ' ', 't']) {
            return None;
        }
        let b = date.as_bytes();
        if b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year = date[..4].parse().ok()?;
        let month = date[5..7].parse().ok()?;
        let day = date[8..10].parse().ok()?;
        if !date[..4].bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        Ymd::new(year, month, day)
    }

    /// The month `delta` months away (negative for earlier), as (year, month).
    pub fn add_months(self, delta: i32) -> (i32, u32) {
        let index = self.year * 12 + self.month as i32 - 1 + delta;
        (index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days away.
    pub fn add_days(self, days: i64) -> Ymd {
        // Howard Hinnant's civil_from_days.
        let z = self.days_since_epoch() + days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Ymd { year, month, day }
    }

    /// The ISO 8601 week (year, week number) the date falls in.
    pub fn iso_week(self) -> (i32, u32) {
        // Monday = 0; the week belongs to the year of its Thursday.
        let weekday = (self.days_since_epoch() + 3).rem_euclid(7);
        let thursday = self.add_days(3 - weekday);
        let jan1 = Ymd {
            year: thursday.year,
            month: 1,
            day: 1,
        };
        let week = (thursday.days_since_epoch() - jan1.days_since_epoch()) / 7 + 1;
        (thursday.year, week as u32)
    }

    /// The quarter (1 to 4) the date falls in.
    pub fn quarter(self) -> u32 {
        (self.month - 1) / 3 + 1
    }
}

impl fmt::Display for Ymd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Days in a month of a year, leap years included.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iso_dates_and_timestamps() {
        assert_eq!(Ymd::parse_iso("2023-04-11"), Ymd::new(2023, 4, 11));
        assert_eq!(
            Ymd::parse_iso("2024-05-20T09:00:00Z"),
            Ymd::new(2024, 5, 20)
        );
        assert_eq!(Ymd::parse_iso("2023-02-29"), None);
        assert_eq!(Ymd::parse_iso("2024-02-29"), Ymd::new(2024, 2, 29));
        assert_eq!(Ymd::parse_iso("11/04/2023"), None);
        assert_eq!(Ymd::parse_iso("2023-04-11x"), None);
    }

    #[test]
    fn steps_across_year_ends() {
        let d = Ymd::new(2023, 1, 15).unwrap();
        assert_eq!(d.add_months(-1), (2022, 12));
        assert_eq!(d.add_months(-13), (2021, 12));
        assert_eq!(d.add_months(11), (2023, 12));
        assert_eq!(d.add_months(12), (2024, 1));
        assert_eq!(Ymd::new(2023, 4, 11).unwrap().quarter(), 2);
    }

    #[test]
    fn day_arithmetic_and_iso_weeks() {
        let d = Ymd::new(2023, 4, 11).unwrap();
        assert_eq!(d.days_since_epoch(), 19_458);
        assert_eq!(d.add_days(-7), Ymd::new(2023, 4, 4).unwrap());
        assert_eq!(d.add_days(300), Ymd::new(2024, 2, 5).unwrap());
        assert_eq!(d.iso_week(), (2023, 15));
        assert_eq!(Ymd::new(2021, 1, 3).unwrap().iso_week(), (2020, 53));
        assert_eq!(Ymd::new(2024, 12, 30).unwrap().iso_week(), (2025, 1));
    }
}
