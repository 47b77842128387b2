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

/// What the reading thread and the parsing threads share.
struct Shared {
    runs: Mutex<mpsc::Receiver<Run>>,
    failed: AtomicBool,
    assembly: Mutex<Assembly>,
    /// Buffers handed back for reuse. Megabyte buffers freed and allocated
    /// again cost a page fault and a page of zeroes per 4 KiB, which was a
    /// third of a large read's time.
    spare_runs: Mutex<Vec<Vec<u8>>>,
    spare_parsed: Mutex<Vec<Vec<Certificate>>>,
}

/// `size_hint`: the file's length, to size the result once.
pub(super) fn read(mut input: impl Read, size_hint: u64) -> Option<Discovery> {
    let workers = thread::available_parallelism().map_or(1, |n| n.get());
    let (runs_tx, runs_rx) = mpsc::sync_channel::<Run>(workers * 2);
    let shared = Shared {
        runs: Mutex::new(runs_rx),
        failed: AtomicBool::new(false),
        assembly: Mutex::new(Assembly {
            size_hint,
            ..Assembly::default()
        }),
        spare_runs: Mutex::new(Vec::new()),
        spare_parsed: Mutex::new(Vec::new()),
    };
    let skeleton = thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| parse_runs(&shared));
        }
        split(&mut input, runs_tx, &shared)
    })?;
    let assembly = shared.assembly.into_inner().ok()?;
    if shared.failed.load(Ordering::Relaxed) || !assembly.waiting.is_empty() {
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
    size_hint: u64,
    next: usize,
    waiting: std::collections::BTreeMap<usize, Vec<Certificate>>,
    done: Vec<Certificate>,
}

impl Assembly {
    /// Returns the emptied vectors for reuse.
    fn add(
        &mut self,
        seq: usize,
        certs: Vec<Certificate>,
        run_bytes: usize,
    ) -> Vec<Vec<Certificate>> {
        if self.done.capacity() == 0 && run_bytes > 0 {
            // Sized once from the first run's density, with a margin;
            // capacity never touched costs address space, not memory.
            let estimate = certs.len() as u64 * self.size_hint / run_bytes as u64;
            self.done
                .reserve(usize::try_from(estimate + estimate / 8).unwrap_or(0));
        }
        self.waiting.insert(seq, certs);
        let mut emptied = Vec::new();
        while let Some(mut run) = self.waiting.remove(&self.next) {
            self.done.append(&mut run);
            emptied.push(run);
            self.next += 1;
        }
        emptied
    }
}

/// Each parsing thread takes runs until the channel closes. After a failure
/// it only drains the channel, so the reading thread is never left blocked,
/// and raises `failed` so that thread stops early.
fn parse_runs(shared: &Shared) {
    let fail = || shared.failed.store(true, Ordering::Relaxed);
    loop {
        let next = match shared.runs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return fail(),
        };
        let Ok(mut run) = next else { return };
        if shared.failed.load(Ordering::Relaxed) {
            continue;
        }
        let mut certs = take_spare(&shared.spare_parsed).unwrap_or_default();
        if !parse_run(&run.bytes, &mut certs) || (run.after_comma && certs.is_empty()) {
            fail();
            continue;
        }
        let emptied = match shared.assembly.lock() {
            Ok(mut a) => a.add(run.seq, certs, run.bytes.len()),
            Err(_) => return fail(),
        };
        run.bytes.clear();
        give_spare(&shared.spare_runs, [run.bytes]);
        give_spare(&shared.spare_parsed, emptied);
    }
}

fn take_spare<T>(pool: &Mutex<Vec<T>>) -> Option<T> {
    pool.lock().ok()?.pop()
}

fn give_spare<T>(pool: &Mutex<Vec<T>>, items: impl IntoIterator<Item = T>) {
    if let Ok(mut pool) = pool.lock() {
        pool.extend(items);
    }
}

/// Parse a run into `certs`; false if it is not a comma-separated list of
/// certificates.
fn parse_run(bytes: &[u8], certs: &mut Vec<Certificate>) -> bool {
    let skip_ws = |mut pos: usize| {
        while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        pos
    };
    let mut pos = skip_ws(0);
    while pos < bytes.len() {
        let mut one =
            serde_json::Deserializer::from_slice(&bytes[pos..]).into_iter::<Certificate>();
        match one.next() {
            Some(Ok(cert)) => certs.push(cert),
            _ => return false,
        }
        pos = skip_ws(pos + one.byte_offset());
        match bytes.get(pos) {
            None => break,
            Some(b',') => {
                pos = skip_ws(pos + 1);
                if pos == bytes.len() {
                    return false;
                }
            }
            Some(_) => return false,
        }
    }
    true
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

/// Sends runs numbered in file order.
struct Numbered {
    tx: mpsc::SyncSender<Run>,
    seq: usize,
}

impl Numbered {
    fn send(&mut self, bytes: Vec<u8>, after_comma: bool) -> Option<()> {
        let seq = self.seq;
        self.seq += 1;
        self.tx
            .send(Run {
                seq,
                bytes,
                after_comma,
            })
            .ok()
    }
}

/// Read `input`, send the certificate runs, return the skeleton; `None` when
/// the document is not shaped as this reader expects.
fn split(input: &mut impl Read, runs: mpsc::SyncSender<Run>, shared: &Shared) -> Option<Vec<u8>> {
    let mut runs = Numbered { tx: runs, seq: 0 };
    let mut sc = Scanner::default();
    let mut skeleton = Vec::new();
    let mut run = Vec::with_capacity(RUN_BYTES + BLOCK_BYTES);
    let mut after_comma = false;
    let mut block = vec![0u8; BLOCK_BYTES];
    loop {
        if shared.failed.load(Ordering::Relaxed) {
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
                        runs.send(std::mem::take(&mut run), after_comma)?;
                        sc.in_array = false;
                    }
                    sc.depth = sc.depth.checked_sub(1)?;
                }
                b',' if sc.in_array && sc.depth == 2 => {
                    run.extend_from_slice(&block[from..i]);
                    from = i + 1;
                    if run.len() >= RUN_BYTES {
                        let fresh = take_spare(&shared.spare_runs)
                            .unwrap_or_else(|| Vec::with_capacity(RUN_BYTES + BLOCK_BYTES));
                        runs.send(std::mem::replace(&mut run, fresh), after_comma)?;
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
#[path = "parallel_tests.rs"]
mod tests;
