//! The contract's CSV (SPEC §4). A large report is rendered a slice at a
//! time on every core (`slices`); rows are independent, so the slices join
//! into exactly what one writer would produce.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::CSV_COLUMNS;
use crate::model::{Certificate, Report};
use crate::time::format_utc;

/// Rows per slice: about a megabyte of output.
const SLICE: usize = 2048;

fn opt<S: AsRef<str>>(v: &Option<S>) -> &str {
    v.as_ref().map_or("", AsRef::as_ref)
}

/// `items` joined by `;` into `scratch`, which is returned for writing.
fn joined<T: std::fmt::Display>(scratch: &mut String, items: impl IntoIterator<Item = T>) -> &str {
    scratch.clear();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            scratch.push(';');
        }
        let _ = write!(scratch, "{item}");
    }
    scratch
}

fn write_row<W: Write>(
    w: &mut csv::Writer<W>,
    c: &Certificate,
    scratch: &mut String,
) -> csv::Result<()> {
    w.write_field(&c.arn)?;
    w.write_field(&*c.account_id)?;
    w.write_field(opt(&c.account_name))?;
    w.write_field(opt(&c.region))?;
    w.write_field(opt(&c.domain_name))?;
    w.write_field(joined(scratch, &c.subject_alternative_names))?;
    w.write_field(opt(&c.cert_type))?;
    w.write_field(opt(&c.status))?;
    w.write_field(opt(&c.key_algorithm))?;
    w.write_field(c.not_before.map(format_utc).unwrap_or_default())?;
    w.write_field(c.not_after.map(format_utc).unwrap_or_default())?;
    w.write_field(joined(scratch, c.days_to_expiry))?;
    w.write_field(if c.in_use { "true" } else { "false" })?;
    w.write_field(joined(scratch, &c.in_use_by))?;
    w.write_field(opt(&c.renewal_eligibility))?;
    w.write_field(opt(&c.renewal_status))?;
    w.write_field(c.bucket.map_or("", |b| b.as_str()))?;
    w.write_field(&*c.source)?;
    w.write_field(if c.renewal_risk { "true" } else { "false" })?;
    let tags = c.tags.iter().map(|(k, v)| format!("{k}={v}"));
    w.write_field(joined(scratch, tags))?;
    w.write_record(None::<&[u8]>)
}

fn render_slice(slice: &[Certificate], buf: Vec<u8>) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(buf);
    let mut scratch = String::new();
    for c in slice {
        write_row(&mut w, c, &mut scratch)?;
    }
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let mut header = csv::Writer::from_writer(&mut out);
    header.write_record(CSV_COLUMNS)?;
    header.flush()?;
    drop(header);
    super::slices::write_in_order(&report.certificates, SLICE, &mut out, |_, slice, buf| {
        render_slice(slice, buf)
    })?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{cert, report};

    /// What the renderer wrote before it was split into slices: one writer,
    /// one `String` per field.
    fn one_writer(report: &Report) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(CSV_COLUMNS).unwrap();
        for c in &report.certificates {
            let tags: Vec<String> = c.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
            w.write_record([
                c.arn.clone(),
                c.account_id.to_string(),
                opt(&c.account_name).to_string(),
                opt(&c.region).to_string(),
                opt(&c.domain_name).to_string(),
                c.subject_alternative_names.join(";"),
                opt(&c.cert_type).to_string(),
                opt(&c.status).to_string(),
                opt(&c.key_algorithm).to_string(),
                c.not_before.map(format_utc).unwrap_or_default(),
                c.not_after.map(format_utc).unwrap_or_default(),
                c.days_to_expiry.map(|d| d.to_string()).unwrap_or_default(),
                c.in_use.to_string(),
                c.in_use_by.join(";"),
                opt(&c.renewal_eligibility).to_string(),
                opt(&c.renewal_status).to_string(),
                c.bucket.map(|b| b.as_str()).unwrap_or("").to_string(),
                c.source.to_string(),
                c.renewal_risk.to_string(),
                tags.join(";"),
            ])
            .unwrap();
        }
        w.into_inner().unwrap()
    }

    #[test]
    fn slices_join_into_what_one_writer_writes() {
        let nasty = ["plain", "com,ma", "quo\"te", "new\nline", "", " lead"];
        for n in [0, 1, SLICE, 3 * SLICE + 5] {
            let r = report(
                (0..n)
                    .map(|i| {
                        let mut c = cert(&format!("arn:aws:acm:r:1:certificate/{i}"));
                        c.domain_name = Some(nasty[i % nasty.len()].into());
                        c.subject_alternative_names = (0..i % 3)
                            .map(|j| nasty[(i + j) % nasty.len()].into())
                            .collect();
                        c.days_to_expiry = (i % 4 != 0).then_some(i as i64 - 50);
                        c.in_use = i % 2 == 0;
                        c.tags
                            .insert(nasty[i % 5].into(), nasty[(i + 1) % 5].into());
                        c
                    })
                    .collect(),
            );
            let mut got = Vec::new();
            render(&r, &mut got).unwrap();
            assert!(got == one_writer(&r), "{n} certificates: output differs");
        }
    }
}
