//! The report as pretty-printed JSON, byte for byte what
//! `serde_json::to_writer_pretty` writes. The certificates, which are nearly
//! all of it, are rendered by several threads a slice at a time and written
//! in order; the rest of the report is rendered once around them.

use std::io::{self, BufWriter, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

use crate::model::{Certificate, Report};

/// Certificates per slice: a few megabytes of output, so slices are cheap to
/// hand over and only a few are in memory at once.
const SLICE: usize = 4096;

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // The serializer makes a dozen small writes per certificate; a buffer it
    // knows the type of takes them inline instead of through `dyn Write`.
    let mut out = BufWriter::with_capacity(1 << 16, out);
    let frame = serde_json::to_string_pretty(&without_certificates(report))?;
    let hole = "\n  \"certificates\": []";
    let at = frame
        .find(hole)
        .ok_or_else(|| io::Error::other("report has no certificates field"))?;
    let (before, after) = (&frame[..at + hole.len() - 1], &frame[at + hole.len()..]);
    out.write_all(before.as_bytes())?;
    if !report.certificates.is_empty() {
        write_certificates(&report.certificates, &mut out)?;
        out.write_all(b"\n  ")?;
    }
    out.write_all(b"]")?;
    out.write_all(after.as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Everything but the certificates. Listing every field (no `..`) makes a new
/// field a compile error here rather than a silent omission.
fn without_certificates(r: &Report) -> Report {
    Report {
        schema: r.schema.clone(),
        generated_at: r.generated_at,
        now: r.now,
        source: r.source.clone(),
        scope: r.scope.clone(),
        summary: r.summary.clone(),
        decisions: r.decisions.clone(),
        certificates: Vec::new(),
        scan_seconds: r.scan_seconds,
        groups: r.groups.clone(),
    }
}

/// The array's elements, each on its own lines at depth 2, comma-separated.
fn write_certificates(certs: &[Certificate], out: &mut impl Write) -> io::Result<()> {
    super::slices::write_in_order(certs, SLICE, out, |i, slice, buf| {
        render_slice(slice, i == 0, buf)
    })
}

fn render_slice(slice: &[Certificate], first: bool, mut buf: Vec<u8>) -> io::Result<Vec<u8>> {
    buf.reserve(slice.len() * 1200);
    for (i, cert) in slice.iter().enumerate() {
        buf.extend_from_slice(if first && i == 0 {
            b"\n    "
        } else {
            b",\n    "
        });
        let mut ser = serde_json::Serializer::with_formatter(&mut buf, Indented::at(2));
        cert.serialize(&mut ser)?;
    }
    Ok(buf)
}

/// Two-space pretty printing that starts `depth` levels in, so an element
/// rendered alone lines up with the document it is spliced into.
struct Indented {
    depth: usize,
    has_value: bool,
}

impl Indented {
    fn at(depth: usize) -> Self {
        Indented {
            depth,
            has_value: false,
        }
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline(w)?;
        }
        w.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }

    fn newline<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b"\n")?;
        self.indent(w)
    }

    fn indent<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        for _ in 0..self.depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::cert;

    fn report(n: usize) -> Report {
        crate::testing::report(
            (0..n)
                .map(|i| {
                    let mut c = cert(&format!("arn:aws:acm:r:1:certificate/{i}"));
                    c.subject_alternative_names = (0..i % 3).map(|j| format!("n{j}\"\n")).collect();
                    c.tags.insert(format!("k{}", i % 4).into(), "v".into());
                    c
                })
                .collect(),
        )
    }

    #[test]
    fn the_same_bytes_as_serde_json_pretty() {
        for n in [0, 1, 2, SLICE - 1, SLICE, 3 * SLICE + 5] {
            let mut r = report(n);
            r.scan_seconds = (n % 2 == 0).then_some(1.5);
            let mut want = serde_json::to_vec_pretty(&r).unwrap();
            want.push(b'\n');
            let mut got = Vec::new();
            render(&r, &mut got).unwrap();
            assert!(got == want, "{n} certificates: output differs");
        }
    }
}
