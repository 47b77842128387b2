//! `certinv-bench-profile FILE FORMAT NOW [--sequential]`
//!
//! Reads a snapshot, builds the triage report, renders it and writes it to
//! stdout exactly as `certinv triage --source snapshot:FILE --now NOW --output
//! FORMAT` does (crates/certinv/src/commands/report.rs: `snapshot::read_file`,
//! `report::build`, `render::render` into a 64 KiB `BufWriter` on stdout, the
//! report left to the OS at exit), and prints
//! each stage's wall time and the RSS after it as one JSON line on stderr.
//!
//! `--sequential` reads with `snapshot::read` (one thread, streaming) instead,
//! which is what certinv did before the parallel reader.

use std::io::{BufWriter, Write};
use std::time::Instant;

use certinv_core::render::{self, Format};
use certinv_core::report::{self, Assessment, Discovery, View};
use certinv_core::snapshot;
use certinv_core::triage::Thresholds;

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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: certinv-bench-profile FILE FORMAT NOW [--sequential]");
        std::process::exit(2);
    }
    let format = Format::parse(&args[2]).expect("format");
    let now: jiff::Timestamp = args[3].parse().expect("now");
    let sequential = args.iter().any(|a| a == "--sequential");
    let view = View::Triage;
    let at = Assessment {
        generated_at: jiff::Timestamp::now(),
        now,
        thresholds: Thresholds::default(),
    };

    let t0 = Instant::now();
    let file = std::fs::File::open(&args[1]).expect("open");
    let discovery = if sequential {
        snapshot::read(file)
    } else {
        snapshot::read_file(file)
    }
    .expect("snapshot");
    let read = t0.elapsed();
    let rss_read = rss_mb();
    let discovery = Discovery {
        source: "snapshot".into(),
        ..discovery
    };

    let t1 = Instant::now();
    let report = report::build(discovery, view, &at);
    let build = t1.elapsed();
    let rss_build = rss_mb();

    let n = report.certificates.len();
    let t2 = Instant::now();
    let stdout = std::io::stdout().lock();
    let mut out = CountingWriter(BufWriter::with_capacity(1 << 16, stdout), 0);
    render::render(&report, view, format, &mut out).expect("render");
    out.flush().expect("flush");
    let rendered = t2.elapsed();
    let rss_render = rss_mb();
    std::mem::forget(report);

    eprintln!(
        "{{\"certificates\":{n},\"output_bytes\":{},\"read_s\":{:.4},\"build_s\":{:.4},\"render_s\":{:.4},\"total_s\":{:.4},\"rss_mb_after_read\":{:.0},\"rss_mb_after_build\":{:.0},\"rss_mb_after_render\":{:.0},\"peak_rss_mb\":{:.0}}}",
        out.1,
        read.as_secs_f64(),
        build.as_secs_f64(),
        rendered.as_secs_f64(),
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
