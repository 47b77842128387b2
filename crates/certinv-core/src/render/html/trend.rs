//! The trend across runs: one small line chart per bucket. Each has its own
//! scale, because OK is usually ten times CRITICAL and one shared axis would
//! flatten the buckets that matter.

use std::io::{self, Write};

use super::escape;
use crate::model::{Bucket, BucketCounts};

const W: f64 = 240.0;
const H: f64 = 52.0;
const PAD: f64 = 6.0;

/// `previous` oldest first; `current` is this report, drawn as the last point.
pub fn section(
    out: &mut dyn Write,
    previous: &[(String, BucketCounts)],
    current: (&str, &BucketCounts),
) -> io::Result<()> {
    let mut points: Vec<(&str, &BucketCounts)> =
        previous.iter().map(|(id, c)| (id.as_str(), c)).collect();
    points.push(current);
    let first = points.first().map(|p| p.0).unwrap_or_default();
    writeln!(
        out,
        "<section id=\"trend\"><h2>Trend</h2>\
         <p class=\"note\">Bucket counts over {} runs, from {} to {}.</p><div class=\"sparks\">",
        points.len(),
        escape(first),
        escape(current.0)
    )?;
    for b in Bucket::ALL {
        let series: Vec<usize> = points.iter().map(|(_, c)| c.get(b)).collect();
        spark(out, b, &series)?;
    }
    writeln!(out, "</div></section>")
}

fn spark(out: &mut dyn Write, bucket: Bucket, series: &[usize]) -> io::Result<()> {
    let max = series.iter().copied().max().unwrap_or(0);
    let min = series.iter().copied().min().unwrap_or(0);
    let last = series.last().copied().unwrap_or(0);
    let span = series.len().saturating_sub(1).max(1) as f64;
    let xy = |i: usize, v: usize| {
        let x = PAD + (W - 2.0 * PAD) * i as f64 / span;
        let y = H - PAD - (H - 2.0 * PAD) * v as f64 / max.max(1) as f64;
        (x, y)
    };
    let line: Vec<String> = series
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let (x, y) = xy(i, *v);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let (lx, ly) = xy(series.len().saturating_sub(1), last);
    writeln!(
        out,
        "<figure class=\"spark c-{bucket}\"><figcaption><span class=\"label\">{bucket}</span>\
         <b>{last}</b><span class=\"range\">min {min} · max {max}</span></figcaption>\
         <svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{bucket} per run\">\
         <line class=\"grid\" x1=\"{PAD}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>\
         <polyline points=\"{}\"/>\
         <circle class=\"c-{bucket}\" cx=\"{lx:.1}\" cy=\"{ly:.1}\" r=\"3.5\"/></svg></figure>",
        W - PAD,
        H - PAD,
        H - PAD,
        line.join(" ")
    )
}
