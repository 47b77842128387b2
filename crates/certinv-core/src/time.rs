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
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Parse an RFC 3339 instant (any offset). Returns a message naming the value.
pub fn parse_instant(text: &str) -> Result<Timestamp, String> {
    text.trim().parse::<Timestamp>().map_err(|_| {
        format!("'{text}' is not an RFC 3339 time (expected e.g. 2026-03-24T00:00:00Z)")
    })
}

/// Serde adapters that write the contract's format and read any RFC 3339 instant.
pub mod utc_seconds {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(ts: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&ts.strftime("%Y-%m-%dT%H:%M:%SZ"))
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
    fn bad_instants_name_the_value() {
        let err = parse_instant("yesterday").unwrap_err();
        assert!(err.contains("'yesterday'"), "{err}");
    }
}
