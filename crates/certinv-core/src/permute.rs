//! Putting a slice into a new order in place, on every core. Sorting a
//! million certificates ends with moving each 536-byte record to its place;
//! one thread following the permutation with swaps took a quarter of a
//! second while the other cores waited. Here the permutation's cycles are
//! first written out as a list of positions, that list is cut into one
//! segment per core, and each record is copied once, straight to its place.
//!
//! Copying a record leaves a bitwise duplicate behind until that slot is
//! written in turn, which safe Rust cannot express; the `unsafe` here is
//! confined to `Segment::run` and the reads that set segments up.

use std::ops::Range;
use std::ptr;

/// Rearrange `items` so that position `i` holds what was at `order[i]`.
///
/// # Panics
/// If `order` is not a permutation of `0..items.len()`; this is checked
/// before anything moves.
pub fn permute<T: Send>(items: &mut [T], order: Vec<u32>) {
    let parts = crate::par::parts(items.len());
    permute_in(items, order, parts);
}

fn permute_in<T: Send>(items: &mut [T], mut order: Vec<u32>, parts: usize) {
    assert_eq!(order.len(), items.len(), "order and items differ in length");
    let (walk, cycles) = cycles(&mut order);
    if walk.is_empty() {
        return;
    }
    let size = walk.len().div_ceil(parts.max(1));
    let base = Base(items.as_mut_ptr());
    let segments: Vec<Segment<T>> = (0..walk.len())
        .step_by(size)
        .map(|lo| {
            let hi = (lo + size).min(walk.len());
            // SAFETY: every position in `walk` is in bounds (`cycles`
            // checked it), and nothing has moved yet, so these reads see
            // the original items. Each reads a different position: the
            // first item of a cycle that started before `lo`, or the item
            // at `hi` when `hi` is inside a cycle (never a cycle's first).
            unsafe { Segment::new(lo..hi, &walk, &cycles, &base) }
        })
        .collect();
    // SAFETY: segments write disjoint positions, read only positions they
    // write later themselves, and together consume each original item
    // exactly once (see `Segment`).
    crate::par::each(segments, |segment| unsafe {
        segment.run(&walk, &cycles, &base)
    });
}

/// The permutation's cycles of two or more, written out one after another:
/// `walk[w]` receives what was at `walk[w + 1]`, and the last position of
/// each cycle what was at its first. Fixed points are left out.
fn cycles(order: &mut [u32]) -> (Vec<u32>, Vec<Range<usize>>) {
    const DONE: u32 = u32::MAX;
    let mut walk = Vec::new();
    let mut cycles = Vec::new();
    for start in 0..order.len() {
        if order[start] == DONE {
            continue;
        }
        if order[start] as usize == start {
            order[start] = DONE;
            continue;
        }
        let first = walk.len();
        let mut at = start;
        loop {
            let from = order[at];
            assert!(
                from != DONE && (from as usize) < order.len(),
                "order is not a permutation"
            );
            walk.push(at as u32);
            order[at] = DONE;
            if from as usize == start {
                break;
            }
            at = from as usize;
        }
        cycles.push(first..walk.len());
    }
    (walk, cycles)
}

/// The slice's first element, shared by the segments' threads.
struct Base<T>(*mut T);

// SAFETY: threads only reach items through `Segment::run`, which touches
// disjoint positions per segment; the items themselves cross threads, so
// they must be `Send`.
unsafe impl<T: Send> Sync for Base<T> {}

impl<T> Base<T> {
    fn at(&self, position: u32) -> *mut T {
        // `wrapping_add` keeps this safe to call; callers only pass
        // positions from `walk`, which are in bounds.
        self.0.wrapping_add(position as usize)
    }
}

/// A run of walk positions for one thread. It writes `walk[w]` for every
/// `w` in `range`, and reads `walk[w + 1]` only for `w + 1` inside `range`.
/// The two items it needs from elsewhere were read before any thread ran.
struct Segment<T> {
    range: Range<usize>,
    /// The first item of a cycle that began in an earlier segment and ends
    /// in this one: what the cycle's last position receives.
    cycle_start: Option<T>,
    /// The item at `walk[range.end]`, when this segment ends inside a cycle.
    past_end: Option<T>,
}

impl<T> Segment<T> {
    /// # Safety
    /// Positions in `walk` must be in bounds of the slice behind `base`,
    /// and no item may have moved yet.
    unsafe fn new(
        range: Range<usize>,
        walk: &[u32],
        cycles: &[Range<usize>],
        base: &Base<T>,
    ) -> Self {
        let containing = |w: usize| &cycles[cycles.partition_point(|c| c.end <= w)];
        let first = containing(range.start);
        let cycle_start = (first.start < range.start && first.end <= range.end)
            .then(|| unsafe { ptr::read(base.at(walk[first.start])) });
        let past_end = (range.end < walk.len() && containing(range.end).start < range.end)
            .then(|| unsafe { ptr::read(base.at(walk[range.end])) });
        Segment {
            range,
            cycle_start,
            past_end,
        }
    }

    /// # Safety
    /// As `new`, and segments of one permutation must run at most once
    /// each, with nothing else touching the slice.
    unsafe fn run(mut self, walk: &[u32], cycles: &[Range<usize>], base: &Base<T>) {
        let (lo, hi) = (self.range.start, self.range.end);
        let from = cycles.partition_point(|c| c.end <= lo);
        for cycle in cycles[from..].iter().take_while(|c| c.start < hi) {
            let (a, b) = (cycle.start.max(lo), cycle.end.min(hi));
            let own_start = (cycle.start >= lo && cycle.end <= hi)
                .then(|| unsafe { ptr::read(base.at(walk[a])) });
            for w in a..b - 1 {
                unsafe { ptr::copy_nonoverlapping(base.at(walk[w + 1]), base.at(walk[w]), 1) };
            }
            let last = if b < cycle.end {
                self.past_end.take()
            } else if own_start.is_some() {
                own_start
            } else {
                self.cycle_start.take()
            };
            // Without it, some item would be left in two places; stop
            // before anything drops one of them.
            let Some(last) = last else {
                std::process::abort()
            };
            unsafe { ptr::write(base.at(walk[b - 1]), last) };
        }
        if self.past_end.is_some() || self.cycle_start.is_some() {
            std::process::abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A permutation of `0..n` from a small linear congruential generator:
    /// the tests need variety, not quality.
    fn shuffled(n: usize, seed: u64) -> Vec<u32> {
        let mut order: Vec<u32> = (0..n as u32).collect();
        let mut x = seed;
        for i in (1..n).rev() {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            order.swap(i, (x >> 33) as usize % (i + 1));
        }
        order
    }

    #[test]
    fn every_item_lands_once_for_any_split() {
        let mut orders = vec![
            vec![],
            vec![0],
            vec![1, 0],
            vec![0, 1, 2],
            vec![3, 0, 4, 1, 2],
        ];
        for n in [2, 3, 10, 97, 1000] {
            for seed in 0..5 {
                orders.push(shuffled(n, seed));
            }
            // Mostly fixed points and swapped neighbours.
            orders.push(
                (0..n as u32)
                    .map(|i| {
                        if i % 3 == 1 {
                            i - 1
                        } else if i % 3 == 0 && i + 1 < n as u32 {
                            i + 1
                        } else {
                            i
                        }
                    })
                    .collect(),
            );
        }
        for order in orders {
            for parts in [1, 2, 3, 7, 64] {
                let mut items: Vec<String> =
                    (0..order.len()).map(|i| format!("item {i}")).collect();
                permute_in(&mut items, order.clone(), parts);
                let want: Vec<String> = order.iter().map(|i| format!("item {i}")).collect();
                assert_eq!(items, want, "{parts} parts, {order:?}");
            }
        }
    }

    #[test]
    #[should_panic(expected = "not a permutation")]
    fn a_repeated_position_is_refused_before_anything_moves() {
        let mut items = vec![String::from("a"), String::from("b"), String::from("c")];
        permute_in(&mut items, vec![1, 1, 0], 2);
    }
}
