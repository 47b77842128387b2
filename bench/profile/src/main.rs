//! `certinv-bench-profile FILE FORMAT NOW [--slice] [--presort] [--stream] [--forget]`
//!
//! Default: read a snapshot, build the triage report, render it and write it to
//! stdout exactly as `certinv triage --source snapshot:FILE --now NOW --output
//! FORMAT` does (crates/certinv/src/commands/report.rs: `snapshot::read`,
//! `report::build`, `render::render` into a `Vec`, one write), and print each
//! stage's wall time and the RSS after it as one JSON line on stderr.
//!
//! What-if flags, built from certinv-core's public API without changing it
//! (any combination):
//! - `--slice`: the whole file in memory, then `serde_json::from_slice` into a
//!   `Report`, instead of `snapshot::read`'s streaming `from_reader`.
//! - `--presort`: the triage order computed on indices first (the same stable
//!   order, moving 4-byte indices instead of whole `Certificate`s); the `sort_by`
//!   inside `report::build` then meets sorted input.
//! - `--stream`: render straight into a 64 KiB `BufWriter` on stdout instead of
//!   into a `Vec` written at the end.
//! - `--forget`: leave the report to the OS at exit instead of freeing it.

use std::io::{BufWriter, Write};
use std::time::Instant;

use certinv_core::model::{Certificate, Report};
use certinv_core::render::{self, Format};
use certinv_core::report::{self, Assessment, Discovery, View};
use certinv_core::snapshot;
use certinv_core::triage::{self, Thresholds};

/// Resident set size now and at its peak, in MiB (Linux; 0 elsewhere).
fn rss_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn read_slice(path: &str) -> Discovery {
    let bytes = std::fs::read(path).expect("read");
    let r: Report = serde_json::from_slice(&bytes).expect("parse");
    Discovery {
        source: r.source,
        scope: r.scope,
        decisions: r.decisions,
        certificates: r.certificates,
    }
}

/// The triage order (`triage::by_severity`, stable) computed on indices, then
/// applied by moving each certificate once.
fn presort(certs: Vec<Certificate>, at: &Assessment) -> Vec<Certificate> {
    let mut certs = certs;
    for c in &mut certs {
        triage::assess(c, at.now, at.thresholds);
    }
    let mut order: Vec<u32> = (0..certs.len() as u32).collect();
    order.sort_by(|&a, &b| triage::by_severity(&certs[a as usize], &certs[b as usize]));
    let mut slots: Vec<Option<Certificate>> = certs.into_iter().map(Some).collect();
    order
        .into_iter()
        .map(|i| slots[i as usize].take().expect("each index once"))
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: certinv-bench-profile FILE FORMAT NOW [--slice] [--presort] [--stream] [--forget]");
        std::process::exit(2);
    }
    let format = Format::parse(&args[2]).expect("format");
    let now: jiff::Timestamp = args[3].parse().expect("now");
    let flag = |name: &str| args.iter().any(|a| a == name);
    let (slice, presort_first, stream, forget) =
        (flag("--slice"), flag("--presort"), flag("--stream"), flag("--forget"));
    let view = View::Triage;
    let at = Assessment {
        generated_at: jiff::Timestamp::now(),
        now,
        thresholds: Thresholds::default(),
    };

    let t0 = Instant::now();
    let discovery = if slice {
        read_slice(&args[1])
    } else {
        let file = std::fs::File::open(&args[1]).expect("open");
        snapshot::read_file(file).expect("snapshot")
    };
    let read = t0.elapsed();
    let rss_read = rss_mb();
    let mut discovery = Discovery {
        source: "snapshot".into(),
        ..discovery
    };

    let t1 = Instant::now();
    if presort_first {
        discovery.certificates = presort(std::mem::take(&mut discovery.certificates), &at);
    }
    let report = report::build(discovery, view, &at);
    let build = t1.elapsed();
    let rss_build = rss_mb();

    let n = report.certificates.len();
    let (rendered, written, bytes, rss_render);
    let t2 = Instant::now();
    if stream {
        let stdout = std::io::stdout().lock();
        let mut out = CountingWriter(BufWriter::with_capacity(1 << 16, stdout), 0);
        render::render(&report, view, format, &mut out).expect("render");
        out.flush().expect("flush");
        rendered = t2.elapsed();
        written = std::time::Duration::ZERO;
        bytes = out.1;
        rss_render = rss_mb();
    } else {
        let mut buf = Vec::new();
        render::render(&report, view, format, &mut buf).expect("render");
        rendered = t2.elapsed();
        rss_render = rss_mb();
        let t3 = Instant::now();
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(&buf).and_then(|_| stdout.flush()).expect("write");
        written = t3.elapsed();
        bytes = buf.len();
    }

    let t4 = Instant::now();
    if forget {
        std::mem::forget(report);
    } else {
        drop(report);
    }
    let freed = t4.elapsed();

    eprintln!(
        "{{\"certificates\":{n},\"output_bytes\":{bytes},\"read_s\":{:.4},\"build_s\":{:.4},\"render_s\":{:.4},\"write_s\":{:.4},\"free_s\":{:.4},\"total_s\":{:.4},\"rss_mb_after_read\":{:.0},\"rss_mb_after_build\":{:.0},\"rss_mb_after_render\":{:.0},\"peak_rss_mb\":{:.0}}}",
        read.as_secs_f64(),
        build.as_secs_f64(),
        rendered.as_secs_f64(),
        written.as_secs_f64(),
        freed.as_secs_f64(),
        t0.elapsed().as_secs_f64(),
        rss_read.0,
        rss_build.0,
        rss_render.0,
        rss_render.1.max(rss_mb().1),
    );
}

/// A writer that counts what passes through it.
struct CountingWriter<W: Write>(W, usize);

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.0.write(buf)?;
        self.1 += n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}
