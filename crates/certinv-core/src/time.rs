//! UTC instants and whole-day counts. Everything here works on `Timestamp`
//! (an absolute instant), so no local time zone can enter a day count.

use jiff::Timestamp;

const NANOS_PER_DAY: i128 = 86_400 * 1_000_000_000;

/// `floor((not_after − now) / 24 h)`: 30.5 days out is 30, one second
/// expired is −1.
pub fn days_between(now: Timestamp, not_after: Timestamp) -> i64 {
    let delta = not_after.as_nanosecond() - now.as_nanosecond();
    // A Timestamp spans about ±10,000 years, so the day count always fits.
    delta.div_euclid(NANOS_PER_DAY) as i64
}

/// The contract's time format: `YYYY-MM-DDTHH:MM:SSZ`, whole seconds, UTC.
pub fn format_utc(ts: Timestamp) -> String {
    let mut buf = [0u8; 20];
    match write_utc(ts, &mut buf) {
        Some(text) => text.to_string(),
        None => ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
    }
}

/// Parse an RFC 3339 instant (any offset). Returns a message naming the value.
pub fn parse_instant(text: &str) -> Result<Timestamp, String> {
    if let Some(ts) = parse_utc_seconds(text.as_bytes()) {
        return Ok(ts);
    }
    text.trim().parse::<Timestamp>().map_err(|_| {
        format!("'{text}' is not an RFC 3339 time (expected e.g. 2026-03-24T00:00:00Z)")
    })
}

// A million-certificate snapshot holds two million instants, all in the
// contract's own format; jiff's general parser and strftime cost a second
// each way there. These two handle exactly that format (years 0000–9999) and
// leave everything else to jiff.

/// Days from 1970-01-01 to a proleptic Gregorian date (Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of `days_from_civil`: (year, month, day).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` exactly, or `None` (the caller falls back to jiff).
fn parse_utc_seconds(b: &[u8]) -> Option<Timestamp> {
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' || b[19] != b'Z' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        b[from..to].iter().try_fold(0i64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, s) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let valid = (1..=12).contains(&mo)
        && (1..=days_in_month(y, mo)).contains(&d)
        && h < 24
        && mi < 60
        && s < 60;
    if !valid {
        return None;
    }
    let seconds = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s;
    Timestamp::from_second(seconds).ok()
}

/// Write `ts` as `YYYY-MM-DDTHH:MM:SSZ` into `buf`; `None` outside years 0–9999.
fn write_utc(ts: Timestamp, buf: &mut [u8; 20]) -> Option<&str> {
    let seconds = ts.as_second();
    let (days, secs) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (y, mo, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        return None;
    }
    let mut put = |at: usize, width: usize, mut v: i64| {
        for i in (at..at + width).rev() {
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, y);
    put(5, 2, mo);
    put(8, 2, d);
    put(11, 2, secs / 3600);
    put(14, 2, secs / 60 % 60);
    put(17, 2, secs % 60);
    for (at, c) in [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'Z'),
    ] {
        buf[at] = c;
    }
    std::str::from_utf8(buf).ok()
}

/// Serde adapters that write the contract's format and read any RFC 3339 instant.
pub mod utc_seconds {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(ts: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 20];
        match super::write_utc(*ts, &mut buf) {
            Some(text) => s.serialize_str(text),
            None => s.collect_str(&ts.strftime("%Y-%m-%dT%H:%M:%SZ")),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::parse_instant(&text).map_err(serde::de::Error::custom)
    }

    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(ts: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
            match ts {
                Some(ts) => super::serialize(ts, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
            let text = <Option<std::borrow::Cow<'de, str>>>::deserialize(d)?;
            text.map(|t| crate::time::parse_instant(&t).map_err(serde::de::Error::custom))
                .transpose()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn day_counts_floor_towards_the_past() {
        let now = ts("2026-03-24T00:00:00Z");
        for (not_after, want) in [
            ("2026-04-23T12:00:00Z", 30), // 30.5 days
            ("2026-04-23T00:00:00Z", 30),
            ("2026-04-22T23:59:59Z", 29),
            ("2026-03-24T00:00:00Z", 0),
            ("2026-03-23T23:59:59Z", -1),
            ("2026-03-23T00:00:00Z", -1),
            ("2026-03-22T23:59:59Z", -2),
        ] {
            assert_eq!(days_between(now, ts(not_after)), want, "{not_after}");
        }
    }

    #[test]
    fn offsets_are_instants_not_wall_clock() {
        // The same instant written in Sydney and in UTC counts the same days.
        let now = ts("2026-03-24T00:00:00Z");
        assert_eq!(
            days_between(now, ts("2026-04-23T11:00:00+11:00")),
            days_between(now, ts("2026-04-23T00:00:00Z"))
        );
    }

    #[test]
    fn format_is_whole_seconds_utc() {
        assert_eq!(
            format_utc(ts("2026-03-24T10:00:00.750+10:00")),
            "2026-03-24T00:00:00Z"
        );
    }

    #[test]
    fn the_fast_paths_agree_with_jiff() {
        // Every day of four years around a leap century, at varied times, plus
        // the ends of the fast path's range.
        let start = ts("1999-12-25T00:00:00Z").as_second();
        let mut seconds: Vec<i64> = (0..1500)
            .map(|d| start + d * 86_400 + d * 4111 % 86_400)
            .collect();
        seconds.extend([0, -1, 253_402_207_199, -62_167_219_200]);
        for s in seconds {
            let t = Timestamp::from_second(s).unwrap();
            let text = format_utc(t);
            assert_eq!(text, t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
            assert_eq!(parse_utc_seconds(text.as_bytes()), Some(t), "{text}");
            assert_eq!(text.parse::<Timestamp>().unwrap(), t);
        }
    }

    #[test]
    fn the_fast_parser_leaves_other_shapes_to_jiff() {
        for text in [
            "2026-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:60Z",
            "2026-01-01T00:00:00+10:00",
            "2026-01-01t00:00:00Z",
            "+2026-01-01T00:00:0Z",
        ] {
            assert_eq!(parse_utc_seconds(text.as_bytes()), None, "{text}");
        }
        assert_eq!(
            parse_instant("2024-02-29T23:59:59Z"),
            Ok(ts("2024-02-29T23:59:59Z"))
        );
        assert!(parse_instant("2026-02-29T00:00:00Z").is_err());
    }

    #[test]
    fn bad_instants_name_the_value() {
        let err = parse_instant("yesterday").unwrap_err();
        assert!(err.contains("'yesterday'"), "{err}");
    }
}
