//! Reading a large snapshot on every core. One thread reads the file and
//! finds where each certificate in the top-level `certificates` array starts
//! and ends, which takes only a scan for quotes and brackets; it hands runs
//! of a few megabytes of whole certificates to parsing threads, and keeps
//! everything else (schema, scope, decisions, with the array emptied) as a
//! small skeleton document. The file is never held whole in memory.
//!
//! Only the parsing threads and the skeleton's own parse judge the content.
//! Anything unexpected (a syntax error, a duplicate `certificates` key, a
//! trailing comma) makes this return `None`, and the caller reads the file
//! again with the sequential reader, whose message is the one the user sees.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};
use std::thread;

use super::read as read_sequential;
use crate::model::Certificate;
use crate::report::Discovery;

/// Big enough that handing a run to a thread costs nothing next to parsing
/// it, small enough that a few runs in flight are little memory.
const RUN_BYTES: usize = 4 << 20;
const BLOCK_BYTES: usize = 1 << 20;

/// One run of whole array elements, separated by commas.
struct Run {
    seq: usize,
    bytes: Vec<u8>,
    /// The run follows a comma, so it must hold at least one element.
    after_comma: bool,
}

pub(super) fn read(mut input: impl Read) -> Option<Discovery> {
    let workers = thread::available_parallelism().map_or(1, |n| n.get());
    let (runs_tx, runs_rx) = mpsc::sync_channel::<Run>(workers * 2);
    let runs_rx = Mutex::new(runs_rx);
    let failed = AtomicBool::new(false);
    let assembly = Mutex::new(Assembly::default());
    let skeleton = thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| parse_runs(&runs_rx, &failed, &assembly));
        }
        split(&mut input, runs_tx, &failed)
    })?;
    let assembly = assembly.into_inner().ok()?;
    if failed.load(Ordering::Relaxed) || !assembly.waiting.is_empty() {
        return None;
    }
    let mut discovery = read_sequential(&skeleton[..]).ok()?;
    discovery.certificates = assembly.done;
    Some(discovery)
}

/// Runs are parsed out of order but kept in file order. Each is appended as
/// soon as the runs before it are in, so parsed runs never pile up beside
/// the growing whole (which would double the memory for a moment).
#[derive(Default)]
struct Assembly {
    next: usize,
    waiting: std::collections::BTreeMap<usize, Vec<Certificate>>,
    done: Vec<Certificate>,
}

impl Assembly {
    fn add(&mut self, seq: usize, certs: Vec<Certificate>) {
        self.waiting.insert(seq, certs);
        while let Some(mut run) = self.waiting.remove(&self.next) {
            self.done.append(&mut run);
            self.next += 1;
        }
    }
}

/// Each parsing thread takes runs until the channel closes. After a failure
/// it only drains the channel, so the reading thread is never left blocked,
/// and raises `failed` so that thread stops early.
fn parse_runs(runs: &Mutex<mpsc::Receiver<Run>>, failed: &AtomicBool, assembly: &Mutex<Assembly>) {
    loop {
        let next = match runs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return failed.store(true, Ordering::Relaxed),
        };
        let Ok(run) = next else { return };
        if failed.load(Ordering::Relaxed) {
            continue;
        }
        match parse_run(&run.bytes) {
            Some(certs) if !(run.after_comma && certs.is_empty()) => match assembly.lock() {
                Ok(mut a) => a.add(run.seq, certs),
                Err(_) => failed.store(true, Ordering::Relaxed),
            },
            _ => failed.store(true, Ordering::Relaxed),
        }
    }
}

fn parse_run(bytes: &[u8]) -> Option<Vec<Certificate>> {
    let skip_ws = |mut pos: usize| {
        while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        pos
    };
    let mut certs = Vec::with_capacity(bytes.len() / 700);
    let mut pos = skip_ws(0);
    while pos < bytes.len() {
        let mut one =
            serde_json::Deserializer::from_slice(&bytes[pos..]).into_iter::<Certificate>();
        certs.push(one.next()?.ok()?);
        pos = skip_ws(pos + one.byte_offset());
        match bytes.get(pos) {
            None => break,
            Some(b',') => {
                pos = skip_ws(pos + 1);
                if pos == bytes.len() {
                    return None;
                }
            }
            Some(_) => return None,
        }
    }
    Some(certs)
}

/// Where the scanner is in the document's structure.
#[derive(Default)]
struct Scanner {
    depth: u32,
    in_string: bool,
    escaped: bool,
    /// Inside the top-level `certificates` array.
    in_array: bool,
    seen_array: bool,
    /// Skeleton offsets of the last string read at depth 1.
    key: (usize, usize),
    /// Just read `"certificates":` at depth 1; the next byte decides.
    expect_array: bool,
}

/// Read `input`, send the certificate runs, return the skeleton; `None` when
/// the document is not shaped as this reader expects.
fn split(
    input: &mut impl Read,
    runs: mpsc::SyncSender<Run>,
    failed: &AtomicBool,
) -> Option<Vec<u8>> {
    let mut sc = Scanner::default();
    let mut skeleton = Vec::new();
    let mut run = Vec::with_capacity(RUN_BYTES + BLOCK_BYTES);
    let (mut seq, mut after_comma) = (0, false);
    let mut block = vec![0u8; BLOCK_BYTES];
    loop {
        if failed.load(Ordering::Relaxed) {
            return None;
        }
        let n = match input.read(&mut block) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        };
        let block = &block[..n];
        let mut i = 0;
        // Bytes from `from` to `i` belong to the run (in the array) or the
        // skeleton (outside it) and are copied in one go.
        let mut from = 0;
        while i < n {
            if sc.in_string {
                if sc.escaped {
                    // The byte after a backslash never ends the string.
                    sc.escaped = false;
                    i += 1;
                    continue;
                }
                match memchr::memchr2(b'"', b'\\', &block[i..]) {
                    None => i = n,
                    Some(at) => {
                        i += at;
                        if block[i] == b'\\' {
                            sc.escaped = true;
                        } else {
                            sc.in_string = false;
                            if sc.depth == 1 && !sc.in_array {
                                skeleton.extend_from_slice(&block[from..=i]);
                                from = i + 1;
                                sc.key.1 = skeleton.len();
                            }
                        }
                        i += 1;
                    }
                }
                continue;
            }
            let b = block[i];
            if sc.expect_array && !b.is_ascii_whitespace() {
                sc.expect_array = false;
                if b == b'[' {
                    if sc.seen_array {
                        return None;
                    }
                    skeleton.extend_from_slice(&block[from..=i]);
                    from = i + 1;
                    sc.in_array = true;
                    sc.seen_array = true;
                    sc.depth += 1;
                    i += 1;
                    continue;
                }
            }
            match b {
                b'"' => {
                    sc.in_string = true;
                    if sc.depth == 1 && !sc.in_array {
                        skeleton.extend_from_slice(&block[from..i]);
                        from = i;
                        sc.key.0 = skeleton.len();
                    }
                }
                b'{' | b'[' => sc.depth += 1,
                b'}' | b']' => {
                    if sc.in_array && sc.depth == 2 {
                        // The array closes: the last run, then `]` in the skeleton.
                        run.extend_from_slice(&block[from..i]);
                        from = i;
                        let bytes = std::mem::take(&mut run);
                        runs.send(Run {
                            seq,
                            bytes,
                            after_comma,
                        })
                        .ok()?;
                        seq += 1;
                        sc.in_array = false;
                    }
                    sc.depth = sc.depth.checked_sub(1)?;
                }
                b',' if sc.in_array && sc.depth == 2 => {
                    run.extend_from_slice(&block[from..i]);
                    from = i + 1;
                    if run.len() >= RUN_BYTES {
                        let bytes = std::mem::replace(
                            &mut run,
                            Vec::with_capacity(RUN_BYTES + BLOCK_BYTES),
                        );
                        runs.send(Run {
                            seq,
                            bytes,
                            after_comma,
                        })
                        .ok()?;
                        seq += 1;
                        after_comma = true;
                    } else {
                        run.push(b',');
                    }
                }
                b':' if sc.depth == 1 && !sc.in_array => {
                    let (start, end) = sc.key;
                    sc.expect_array = end <= skeleton.len()
                        && skeleton.get(start..end) == Some(b"\"certificates\"");
                }
                _ => {}
            }
            i += 1;
        }
        let rest = &block[from..n];
        if sc.in_array {
            run.extend_from_slice(rest);
        } else {
            skeleton.extend_from_slice(rest);
        }
    }
    (!sc.in_array && sc.seen_array).then_some(skeleton)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Report, SCHEMA};
    use crate::testing::cert;

    /// Enough certificates for several runs, with the bytes a scanner can
    /// trip on inside strings: quotes, backslashes, brackets, commas, and a
    /// fake `"certificates": [` key.
    fn report(n: usize) -> Report {
        let nasty = [
            "plain",
            r#"q"uote"#,
            r"back\slash\",
            "br[ack]{et}s,",
            r#""certificates": [{"#,
            "\\\"",
            "é✓",
        ];
        let certificates = (0..n)
            .map(|i| {
                let mut c = cert(&format!("arn:aws:acm:r:111111111111:certificate/{i}"));
                c.domain_name = Some(format!("{}-{i}.example", nasty[i % nasty.len()]));
                c.tags
                    .insert(nasty[(i + 3) % nasty.len()].into(), nasty[i % 5].into());
                c.in_use_by = vec![format!("x{}", nasty[(i + 1) % nasty.len()])];
                c
            })
            .collect();
        let text = format!(
            r#"{{"schema":"{SCHEMA}","generated_at":"2026-01-01T00:00:00Z","now":"2026-01-01T00:00:00Z","source":"acm",
            "scope":{{"accounts_expected":1,"accounts_covered":1,"regions":["r"],"missing":[]}},
            "summary":{{"total":0,"accounts":0,"buckets":{{"CRITICAL":0,"HIGH":0,"MEDIUM":0,"OK":0,"REMOVE":0,"NOT_ISSUED":0}}}},
            "decisions":[],"certificates":[]}}"#
        );
        let mut r: Report = serde_json::from_str(&text).unwrap();
        r.certificates = certificates;
        r
    }

    /// Hands out a few bytes per read, so every boundary case meets a block end.
    struct Dribble<'a>(&'a [u8], usize);

    impl Read for Dribble<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn agrees_with_the_sequential_reader_pretty_and_compact() {
        let r = report(16000);
        for bytes in [
            serde_json::to_vec_pretty(&r).unwrap(),
            serde_json::to_vec(&r).unwrap(),
        ] {
            assert!(
                bytes.len() > RUN_BYTES + BLOCK_BYTES,
                "{} bytes is one run",
                bytes.len()
            );
            let want = read_sequential(&bytes[..]).unwrap();
            let got = read(&bytes[..]).expect("parallel read");
            assert_eq!(got.certificates.len(), 16000);
            assert_eq!(got.certificates, want.certificates);
            assert_eq!((got.source, got.scope), (want.source, want.scope));
        }
    }

    #[test]
    fn block_ends_anywhere_change_nothing() {
        let bytes = serde_json::to_vec_pretty(&report(40)).unwrap();
        let want = read_sequential(&bytes[..]).unwrap().certificates;
        for step in [1, 2, 3, 7] {
            let got = read(Dribble(&bytes, step)).expect("parallel read");
            assert_eq!(got.certificates, want, "step {step}");
        }
    }

    #[test]
    fn anything_unexpected_is_left_to_the_sequential_reader() {
        let good = serde_json::to_string(&report(3)).unwrap();
        let last = good.rfind("}]").unwrap();
        let first_gap = good.find("},{").unwrap();
        let bad = [
            format!("{}}},]{}", &good[..last], &good[last + 2..]),
            format!("{}}}{{{}", &good[..first_gap], &good[first_gap + 3..]),
            good[..good.len() - 10].to_string(),
            format!("{good} trailing"),
            good.replacen(
                r#""certificates":["#,
                r#""certificates":[],"certificates":["#,
                1,
            ),
            good.replacen(r#""certificates":["#, r#""certificates":[1,"#, 1),
            good.replacen(r#""certificates":["#, r#""certificates":{"#, 1),
        ];
        for text in bad {
            assert!(
                read(text.as_bytes()).is_none(),
                "{}",
                &text[text.len() - 60..]
            );
        }
        assert!(read(good.as_bytes()).is_some());
    }
}
