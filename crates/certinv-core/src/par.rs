//! Splitting a pass over many certificates across the machine's cores. Below
//! a few thousand items a thread costs more than it saves, so small inputs
//! run on the calling thread.

use std::thread;

const MIN_PER_THREAD: usize = 8192;

pub(crate) fn parts(len: usize) -> usize {
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    cores.min(len / MIN_PER_THREAD).max(1)
}

/// `f(offset, chunk)` for consecutive chunks of `items`, results in order.
pub fn chunks<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &[T]) -> R + Sync) -> Vec<R> {
    let size = items.len().div_ceil(parts(items.len())).max(1);
    if size >= items.len() {
        return vec![f(0, items)];
    }
    thread::scope(|s| {
        let f = &f;
        let handles: Vec<_> = items
            .chunks(size)
            .enumerate()
            .map(|(i, chunk)| s.spawn(move || f(i * size, chunk)))
            .collect();
        handles.into_iter().map(join).collect()
    })
}

/// `f(chunk)` on consecutive chunks of `items`, each on its own thread.
pub fn for_each_mut<T: Send>(items: &mut [T], f: impl Fn(&mut [T]) + Sync) {
    let size = items.len().div_ceil(parts(items.len())).max(1);
    if size >= items.len() {
        return f(items);
    }
    thread::scope(|s| {
        let f = &f;
        for chunk in items.chunks_mut(size) {
            s.spawn(move || f(chunk));
        }
    });
}

/// `f(item)` for each of `items`, each on its own thread; a single item
/// runs on the calling thread, as small inputs do in `chunks`.
pub fn each<T: Send>(items: Vec<T>, f: impl Fn(T) + Sync) {
    if items.len() <= 1 {
        return items.into_iter().for_each(f);
    }
    thread::scope(|s| {
        let f = &f;
        for item in items {
            s.spawn(move || f(item));
        }
    });
}

/// A panic in a worker is a bug in certinv; carry it to the caller unchanged.
fn join<R>(h: thread::ScopedJoinHandle<'_, R>) -> R {
    h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_item_once_in_order() {
        for n in [0, 1, MIN_PER_THREAD, 5 * MIN_PER_THREAD + 3] {
            let items: Vec<usize> = (0..n).collect();
            let seen: Vec<usize> = chunks(&items, |offset, c| {
                assert!(c.is_empty() || c[0] == offset);
                c.to_vec()
            })
            .concat();
            assert_eq!(seen, items);
            let mut doubled = items.clone();
            for_each_mut(&mut doubled, |c| c.iter_mut().for_each(|x| *x *= 2));
            assert!(doubled.iter().zip(&items).all(|(d, i)| *d == 2 * i));
        }
    }
}
