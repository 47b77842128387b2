//! The expiry timeline: certificates per week for the next 26 weeks, stacked
//! by bucket, with everything already expired in one bar on the left. Weeks
//! start at `report.now`, not on a calendar weekday, so the first bar is
//! always "the next seven days".

use std::io::{self, Write};

use jiff::{SignedDuration, Timestamp};

use super::style::STACK_ORDER;
use crate::model::{Bucket, BucketCounts, Report};
use crate::time::days_between;

pub const WEEKS: usize = 26;

pub struct Timeline {
    pub expired: BucketCounts,
    pub weeks: [BucketCounts; WEEKS],
    /// Expiring after the last week shown.
    pub later: usize,
    /// No `not_after`: pending, failed, or a path that could not know it.
    pub undated: usize,
}

pub fn count(report: &Report) -> Timeline {
    let mut t = Timeline {
        expired: BucketCounts::default(),
        weeks: [BucketCounts::default(); WEEKS],
        later: 0,
        undated: 0,
    };
    for c in &report.certificates {
        let Some(not_after) = c.not_after else {
            t.undated += 1;
            continue;
        };
        // A report always carries buckets; one that does not still counts,
        // so the bars add up to the certificates in range.
        let bucket = c.bucket.unwrap_or(Bucket::NotIssued);
        if not_after <= report.now {
            t.expired.add(bucket);
            continue;
        }
        let week = (days_between(report.now, not_after) / 7) as usize;
        match t.weeks.get_mut(week) {
            Some(w) => w.add(bucket),
            None => t.later += 1,
        }
    }
    t
}

fn total(c: &BucketCounts) -> usize {
    Bucket::ALL.iter().map(|b| c.get(*b)).sum()
}

/// 1, 2 or 5 times a power of ten, so gridlines land on round numbers.
pub fn nice_step(max: usize, ticks: usize) -> usize {
    let raw = max.div_ceil(ticks.max(1)).max(1);
    let magnitude = 10usize.pow(raw.ilog10());
    [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10 * magnitude)
}

const W: f64 = 1000.0;
const H: f64 = 250.0;
const LEFT: f64 = 36.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 34.0;

fn week_start(now: Timestamp, week: usize) -> Timestamp {
    now.checked_add(SignedDuration::from_hours(24 * 7 * week as i64))
        .unwrap_or(now)
}

pub fn section(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let t = count(report);
    let expired = total(&t.expired);
    let upcoming: usize = t.weeks.iter().map(total).sum();
    writeln!(
        out,
        "<section id=\"timeline\"><h2>Expiry timeline</h2>\
         <p class=\"note\">Certificates by week of expiry over the next {WEEKS} weeks \
         from {}, stacked by bucket. {expired} already expired; {upcoming} expire in \
         the window; {} later; {} without an expiry date.</p>",
        report.now.strftime("%Y-%m-%d"),
        t.later,
        t.undated
    )?;
    legend(out)?;
    svg(out, report.now, &t)?;
    writeln!(out, "</section>")
}

fn legend(out: &mut dyn Write) -> io::Result<()> {
    write!(out, "<p class=\"legend\">")?;
    for b in STACK_ORDER {
        write!(out, "<span><i class=\"sw c-{b}\"></i>{b}</span>")?;
    }
    writeln!(out, "</p>")
}

fn svg(out: &mut dyn Write, now: Timestamp, t: &Timeline) -> io::Result<()> {
    let bars: Vec<(&BucketCounts, String)> = std::iter::once((&t.expired, "expired".to_string()))
        .chain(t.weeks.iter().enumerate().map(|(i, w)| {
            (
                w,
                format!("week of {}", week_start(now, i).strftime("%d %b")),
            )
        }))
        .collect();
    let max = bars.iter().map(|(c, _)| total(c)).max().unwrap_or(0).max(1);
    let step = nice_step(max, 4);
    let top = step * max.div_ceil(step);
    let plot_h = H - TOP - BOTTOM;
    let base = H - BOTTOM;
    // One empty slot separates the expired bar from the weeks.
    let slot = (W - LEFT - RIGHT) / (WEEKS as f64 + 2.0);
    let bar_w = slot * 0.7;
    let y = |n: usize| base - plot_h * n as f64 / top as f64;

    writeln!(
        out,
        "<svg class=\"chart timeline\" viewBox=\"0 0 {W} {H}\" role=\"img\" \
         aria-label=\"Certificates expiring per week\">"
    )?;
    for tick in (0..=top).step_by(step) {
        let ty = y(tick);
        writeln!(
            out,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{ty:.1}\" y2=\"{ty:.1}\"/>\
             <text class=\"ax\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{tick}</text>",
            W - RIGHT,
            LEFT - 6.0,
            ty + 4.0
        )?;
    }
    for (i, (counts, label)) in bars.iter().enumerate() {
        let slot_index = if i == 0 { 0.0 } else { i as f64 + 1.0 };
        let x = LEFT + slot * slot_index + (slot - bar_w) / 2.0;
        let mut stacked = 0;
        for b in STACK_ORDER {
            let n = counts.get(b);
            if n == 0 {
                continue;
            }
            let (y_top, y_bottom) = (y(stacked + n), y(stacked));
            writeln!(
                out,
                "<rect class=\"c-{b}\" data-n=\"{n}\" x=\"{x:.1}\" y=\"{y_top:.1}\" \
                 width=\"{bar_w:.1}\" height=\"{:.1}\"><title>{label}: {n} {b}</title></rect>",
                y_bottom - y_top
            )?;
            stacked += n;
        }
        let cx = x + bar_w / 2.0;
        if stacked > 0 {
            writeln!(
                out,
                "<text class=\"val\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{stacked}</text>",
                y(stacked) - 4.0
            )?;
        }
        let axis_label = match i {
            0 => Some("expired".to_string()),
            w if (w - 1) % 4 == 0 => Some(week_start(now, w - 1).strftime("%d %b").to_string()),
            _ => None,
        };
        if let Some(text) = axis_label {
            writeln!(
                out,
                "<text class=\"ax\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{text}</text>",
                base + 18.0
            )?;
        }
    }
    let divider = LEFT + slot * 1.5;
    writeln!(
        out,
        "<line class=\"axis\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{base}\" y2=\"{base}\"/>\
         <line class=\"divider\" x1=\"{divider:.1}\" x2=\"{divider:.1}\" y1=\"{TOP}\" y2=\"{base}\"/>\
         </svg>",
        W - RIGHT
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Assessment, Discovery, View, build};
    use crate::testing::cert;
    use crate::triage::Thresholds;

    #[test]
    fn weeks_start_at_now_and_expired_means_not_after_at_or_before_now() {
        let now: Timestamp = "2026-03-24T00:00:00Z".parse().unwrap();
        let at = |secs: i64| Some(now.checked_add(SignedDuration::from_secs(secs)).unwrap());
        let week = 7 * 86_400;
        let certificates = [
            at(0),
            at(1),
            at(week - 1),
            at(week),
            at(26 * week - 1),
            at(26 * week),
            None,
        ]
        .into_iter()
        .enumerate()
        .map(|(i, not_after)| {
            let mut c = cert(&format!(
                "arn:aws:acm:us-east-1:111111111111:certificate/{i}"
            ));
            c.not_after = not_after;
            c
        })
        .collect();
        let discovery = Discovery {
            certificates,
            ..Discovery::default()
        };
        let report = build(
            discovery,
            View::Inventory,
            &Assessment {
                generated_at: now,
                now,
                thresholds: Thresholds::default(),
            },
        );
        let t = count(&report);
        let per_week: Vec<usize> = t.weeks.iter().map(total).collect();
        assert_eq!(total(&t.expired), 1);
        assert_eq!((per_week[0], per_week[1], per_week[25]), (2, 1, 1));
        assert_eq!(per_week.iter().sum::<usize>(), 4);
        assert_eq!((t.later, t.undated), (1, 1));
    }

    #[test]
    fn steps_are_round() {
        for (max, want) in [
            (1, 1),
            (3, 1),
            (7, 2),
            (19, 5),
            (24, 10),
            (113, 50),
            (400, 100),
        ] {
            assert_eq!(nice_step(max, 4), want, "{max}");
        }
    }
}
