//! Reading a large snapshot on every core. One thread reads the file into
//! runs of a few megabytes and cuts each run just before a certificate that
//! starts it (`}, {"arn":`), found by looking back from the run's end, so
//! it touches only a few hundred bytes per run. Parsing threads parse the
//! runs. Only the part before the `certificates` array is scanned for
//! structure; that part and whatever follows the array form a small
//! skeleton document (the array emptied), parsed on its own. The file is
//! never held whole in memory.
//!
//! A cut is only a guess: it is right when both runs parse as whole
//! certificates, and a cut anywhere inside a certificate leaves one run with
//! a certificate that never closes. Only the parsing threads and the
//! skeleton's own parse judge the content. Anything unexpected (a syntax
//! error, a second `certificates` key, a trailing comma) makes this return
//! `None`, and the caller reads the file again with the sequential reader,
//! whose message is the one the user sees.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};
use std::thread;

use crate::model::Certificate;
use crate::report::Discovery;

/// Big enough that handing a run to a thread costs nothing next to parsing
/// it, small enough that a few runs in flight are little memory.
const RUN_BYTES: usize = 4 << 20;
const BLOCK_BYTES: usize = 1 << 20;
/// A run that grows this far without a place to cut is not a list of
/// ordinary certificates; the sequential reader streams it instead of this
/// one holding it whole.
const MAX_RUN_BYTES: usize = 64 << 20;

/// One run of whole array elements, each followed by a comma, except in
/// the last run, which ends the array and holds the rest of the file.
struct Run {
    seq: usize,
    bytes: Vec<u8>,
    last: bool,
}

/// What the reading thread and the parsing threads share.
struct Shared {
    runs: Mutex<mpsc::Receiver<Run>>,
    failed: AtomicBool,
    assembly: Mutex<Assembly>,
    /// The bytes from the array's closing `]` to the end of the file.
    tail: Mutex<Option<Vec<u8>>>,
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
        tail: Mutex::new(None),
        spare_runs: Mutex::new(Vec::new()),
        spare_parsed: Mutex::new(Vec::new()),
    };
    let head = thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| parse_runs(&shared));
        }
        split(&mut input, runs_tx, &shared)
    })?;
    let assembly = shared.assembly.into_inner().ok()?;
    let tail = shared.tail.into_inner().ok()??;
    if shared.failed.load(Ordering::Relaxed) || !assembly.waiting.is_empty() {
        return None;
    }
    let skeleton = [head, tail].concat();
    let (mut discovery, arrays) = super::read_counting(&skeleton[..]).ok()?;
    // Another `certificates` key would have replaced this array.
    if arrays != 1 {
        return None;
    }
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
        let Some(tail) = parse_run(&run.bytes, run.last, &mut certs) else {
            fail();
            continue;
        };
        if run.last {
            match shared.tail.lock() {
                Ok(mut t) => *t = Some(run.bytes[tail..].to_vec()),
                Err(_) => return fail(),
            }
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

/// JSON's whitespace, which is narrower than `u8::is_ascii_whitespace`.
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Parse a run into `certs`. A run other than the last is certificates each
/// followed by a comma; the last one ends with `]`, whose offset is returned
/// (for every run, so `None` means the run is not what it should be).
fn parse_run(bytes: &[u8], last: bool, certs: &mut Vec<Certificate>) -> Option<usize> {
    // One check of the whole run, instead of one per string as parsing
    // bytes would do; the cuts fall before a `{`, never inside a character.
    let text = std::str::from_utf8(bytes).ok()?;
    let skip_ws = |mut pos: usize| {
        while pos < bytes.len() && is_ws(bytes[pos]) {
            pos += 1;
        }
        pos
    };
    let mut pos = skip_ws(0);
    // Only the first run can start with `]` (an empty array): the others
    // start where a cut found `{`.
    if last && bytes.get(pos) == Some(&b']') {
        return Some(pos);
    }
    loop {
        let mut one = serde_json::Deserializer::from_str(&text[pos..]).into_iter::<Certificate>();
        certs.push(one.next()?.ok()?);
        pos = skip_ws(pos + one.byte_offset());
        match bytes.get(pos)? {
            b',' => {
                pos = skip_ws(pos + 1);
                if pos == bytes.len() {
                    return (!last).then_some(pos);
                }
            }
            b']' if last => return Some(pos),
            _ => return None,
        }
    }
}

/// Where the head scanner is in the document's structure.
#[derive(Default)]
struct Scanner {
    depth: u32,
    in_string: bool,
    escaped: bool,
    /// Skeleton offsets of the last string read at depth 1.
    key: (usize, usize),
    /// Just read `"certificates":` at depth 1; the next byte decides.
    expect_array: bool,
}

impl Scanner {
    /// Scan `block`, copying it to `head`, up to the `[` that opens the
    /// top-level `certificates` array; the offset after it once found.
    fn find_array(&mut self, block: &[u8], head: &mut Vec<u8>) -> Option<usize> {
        let start = head.len();
        head.extend_from_slice(block);
        let mut i = 0;
        while i < block.len() {
            let b = block[i];
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                    self.key.1 = start + i + 1;
                }
                i += 1;
                continue;
            }
            if self.expect_array && !is_ws(b) {
                self.expect_array = false;
                if b == b'[' && self.depth == 1 {
                    head.truncate(start + i + 1);
                    return Some(i + 1);
                }
            }
            match b {
                b'"' => {
                    self.in_string = true;
                    self.key.0 = start + i;
                }
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                b':' if self.depth == 1 => {
                    let (from, to) = self.key;
                    self.expect_array = head.get(from..to) == Some(b"\"certificates\"");
                }
                _ => {}
            }
            i += 1;
        }
        None
    }
}

/// Where the last element of an array of objects in `bytes` begins,
/// searching no earlier than `from`: a `{` after `}` and `,`, and before a
/// key, whitespace allowed between. In valid JSON that `{` is never inside
/// a string (the quote after it would close the string, and a key's first
/// character cannot follow a string), so among certinv's certificates it
/// is where one ends and the next begins. Anywhere else (an array of
/// objects nested in a certificate) the parse fails and the sequential
/// reader takes over.
fn last_cut(bytes: &[u8], from: usize) -> Option<usize> {
    let skip = |mut i: usize, step: isize| {
        while let Some(&b) = bytes.get(i.wrapping_add_signed(step)) {
            if !is_ws(b) {
                break;
            }
            i = i.wrapping_add_signed(step);
        }
        i
    };
    let mut end = bytes.len();
    while let Some(at) = memchr::memrchr(b'{', &bytes[from..end]) {
        let brace = from + at;
        end = brace;
        let quote = skip(brace, 1) + 1;
        let key_starts = bytes.get(quote) == Some(&b'"')
            && bytes
                .get(quote + 1)
                .is_some_and(|b| !is_ws(*b) && !b",:]}".contains(b));
        let comma = skip(brace, -1);
        let after_object = comma > 0
            && bytes[comma - 1] == b','
            && skip(comma - 1, -1)
                .checked_sub(1)
                .is_some_and(|close| bytes[close] == b'}');
        if key_starts && after_object {
            return Some(brace);
        }
    }
    None
}

/// Read `input`, send the certificate runs, and return the head: the
/// document up to and including the array's `[`. `None` when there is no
/// such array, or reading fails.
fn split(input: &mut impl Read, runs: mpsc::SyncSender<Run>, shared: &Shared) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut run = Vec::with_capacity(RUN_BYTES + BLOCK_BYTES);
    let mut scanner = Scanner::default();
    let mut block = vec![0u8; BLOCK_BYTES];
    loop {
        let n = read_some(input, &mut block)?;
        if n == 0 {
            return None;
        }
        if let Some(at) = scanner.find_array(&block[..n], &mut head) {
            run.extend_from_slice(&block[at..n]);
            break;
        }
    }
    drop(block);
    let mut seq = 0;
    // `run[..searched]` holds no cut, apart from a few bytes at its end
    // that a later read may complete.
    let mut searched = 0usize;
    loop {
        if shared.failed.load(Ordering::Relaxed) {
            return None;
        }
        run.reserve(BLOCK_BYTES);
        let n = input
            .by_ref()
            .take(BLOCK_BYTES as u64)
            .read_to_end(&mut run)
            .ok()?;
        if n == 0 {
            runs.send(Run {
                seq,
                bytes: run,
                last: true,
            })
            .ok()?;
            return Some(head);
        }
        if run.len() < RUN_BYTES {
            continue;
        }
        let Some(cut) = last_cut(&run, searched.saturating_sub(64)) else {
            if run.len() > MAX_RUN_BYTES {
                return None;
            }
            searched = run.len();
            continue;
        };
        let mut next = take_spare(&shared.spare_runs)
            .unwrap_or_else(|| Vec::with_capacity(RUN_BYTES + BLOCK_BYTES));
        next.extend_from_slice(&run[cut..]);
        run.truncate(cut);
        runs.send(Run {
            seq,
            bytes: std::mem::replace(&mut run, next),
            last: false,
        })
        .ok()?;
        seq += 1;
        searched = 0;
    }
}

/// One `read`, retried when interrupted.
fn read_some(input: &mut impl Read, block: &mut [u8]) -> Option<usize> {
    loop {
        match input.read(block) {
            Ok(n) => return Some(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        }
    }
}

#[cfg(test)]
#[path = "parallel_tests.rs"]
mod tests;
