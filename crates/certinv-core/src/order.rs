//! Putting a report's certificates in its view's order. The orders are those
//! of `triage::by_location`, `by_expiry` and `by_severity`; this reaches the
//! same result without their cost on large inventories. Comparing records
//! directly reads three heap strings per comparison and moves 600-byte
//! records around, which took two seconds for a million certificates. Here
//! each record gets a small fixed-size key (its bucket, its expiry, and the
//! first 16 bytes of its account and region), the keys are sorted, and only
//! runs of keys that tie are settled on the full strings, a run at a time so
//! the strings being compared stay in cache. Each record then moves once
//! (`permute`).

use crate::model::Certificate;
use crate::report::View;

/// Compared field by field: `head` (rank, then expiry), then the account,
/// the region and the input position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    head: u128,
    account: u128,
    region: u128,
    index: u32,
}

impl Key {
    fn coarse(&self) -> (u128, u128, u128) {
        (self.head, self.account, self.region)
    }
}

/// A string's first 15 bytes, big-endian and zero-padded, then its length
/// capped at 16 in the low byte. Up to 15 bytes this orders exactly as the
/// string does; a longer string is only placed among others with the same
/// first 15 bytes, and the string itself settles the tie.
fn prefix(s: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let n = s.len().min(15);
    bytes[..n].copy_from_slice(&s.as_bytes()[..n]);
    bytes[15] = s.len().min(16) as u8;
    u128::from_be_bytes(bytes)
}

fn is_whole(prefix: u128) -> bool {
    prefix & 0xff <= 15
}

/// Rank in the top byte, then a flag for "no expiry" (last), then the expiry
/// in nanoseconds, offset to be positive (a `Timestamp` needs 69 bits).
fn head(rank: u8, expiry: Option<jiff::Timestamp>) -> u128 {
    let expiry = match expiry {
        Some(t) => (t.as_nanosecond() + (1i128 << 100)) as u128,
        None => 1 << 119,
    };
    (u128::from(rank) << 120) | expiry
}

fn key(cert: &Certificate, index: usize, view: View) -> Key {
    let head = match view {
        View::Inventory => 0,
        View::Expiring { .. } => head(0, cert.not_after),
        View::Triage => head(cert.bucket.map_or(0, |b| 1 + b as u8), cert.not_after),
    };
    let account = prefix(&cert.account_id);
    // Past an account the prefix cannot order, the region must not order
    // either: the whole account decides first, inside the tied run. No
    // region and an empty one share 0, and the run tells them apart too.
    let region = match &cert.region {
        Some(r) if is_whole(account) => prefix(r),
        _ => 0,
    };
    Key {
        head,
        account,
        region,
        index: u32::try_from(index).expect("fewer than 2^32 certificates"),
    }
}

/// Sort `certs` into `view`'s order; stable, like `sort_by` with the view's
/// comparator.
pub fn sort(certs: &mut [Certificate], view: View) {
    let sorted = crate::par::chunks(certs, |offset, chunk| {
        let keys = chunk
            .iter()
            .enumerate()
            .map(|(i, c)| key(c, offset + i, view));
        let mut keys = keys.collect::<Vec<_>>();
        // The index is the last field, so ties keep their input order.
        keys.sort_unstable();
        keys
    });
    let mut keys = merge_all(sorted);
    let parts = crate::par::parts(keys.len());
    let pieces = split_between_runs(&mut keys, parts);
    crate::par::each(pieces, |piece| settle_runs(piece, certs));
    let order: Vec<u32> = keys.iter().map(|k| k.index).collect();
    crate::permute::permute(certs, order);
}

/// One sorted list from several, merged in pairs.
fn merge_all(mut lists: Vec<Vec<Key>>) -> Vec<Key> {
    while lists.len() > 1 {
        let mut next = Vec::with_capacity(lists.len().div_ceil(2));
        let mut pairs = lists.into_iter();
        while let Some(a) = pairs.next() {
            next.push(match pairs.next() {
                Some(b) => merge(&a, &b),
                None => a,
            });
        }
        lists = next;
    }
    lists.pop().unwrap_or_default()
}

fn merge(a: &[Key], b: &[Key]) -> Vec<Key> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if b[j] < a[i] {
            out.push(b[j]);
            j += 1;
        } else {
            out.push(a[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// About one piece per core, each cut where one run of tied keys ends, so
/// that every run is settled whole by one thread.
fn split_between_runs(keys: &mut [Key], parts: usize) -> Vec<&mut [Key]> {
    let mut pieces = Vec::with_capacity(parts);
    let mut rest = keys;
    for left in (1..parts).rev() {
        let mut cut = rest.len() / (left + 1);
        while cut > 0 && cut < rest.len() && rest[cut].coarse() == rest[cut - 1].coarse() {
            cut += 1;
        }
        let (piece, tail) = std::mem::take(&mut rest).split_at_mut(cut);
        pieces.push(piece);
        rest = tail;
    }
    pieces.push(rest);
    pieces
}

/// Settle every run of keys that tie on their fixed-size fields.
fn settle_runs(keys: &mut [Key], certs: &[Certificate]) {
    let mut start = 0;
    while start < keys.len() {
        let coarse = keys[start].coarse();
        let len = keys[start..]
            .iter()
            .take_while(|k| k.coarse() == coarse)
            .count();
        if len > 1 {
            settle_run(&mut keys[start..start + len], certs);
        }
        start += len;
    }
}

/// Account, region, ARN: the order `triage::by_location` compares.
type Location<'a> = (&'a str, Option<&'a str>, &'a str);

/// Keys that tie on bucket, expiry and both prefixes: order them by the
/// whole account, region and ARN, keeping input order among equals.
fn settle_run(run: &mut [Key], certs: &[Certificate]) {
    let mut located: Vec<(Location, Key)> = run
        .iter()
        .map(|k| {
            let c = &certs[k.index as usize];
            ((&*c.account_id, c.region.as_deref(), &*c.arn), *k)
        })
        .collect();
    located.sort_by(|a, b| a.0.cmp(&b.0));
    for (slot, (_, k)) in run.iter_mut().zip(located) {
        *slot = k;
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use super::*;
    use crate::model::Bucket;
    use crate::testing::cert;

    /// The comparator each view's order is defined by.
    fn comparator(view: View) -> fn(&Certificate, &Certificate) -> Ordering {
        match view {
            View::Inventory => crate::triage::by_location,
            View::Expiring { .. } => crate::triage::by_expiry,
            View::Triage => crate::triage::by_severity,
        }
    }

    /// Records that tie in every way the keys can and cannot see: equal and
    /// long shared prefixes, missing regions and expiries, duplicate ARNs.
    fn awkward(n: usize) -> Vec<Certificate> {
        let accounts = [
            "111111111111",
            "22222222222222222222-long-a",
            "22222222222222222222-long-b",
        ];
        let regions = [
            None,
            Some("ap-southeast-2"),
            Some("ap-southeast-2-extended-zone-b"),
            Some("ap-southeast-2-extended-zone-a"),
        ];
        let buckets = [
            None,
            Some(Bucket::Critical),
            Some(Bucket::Ok),
            Some(Bucket::Remove),
        ];
        let expiries = [
            None,
            Some("2026-05-01T00:00:00Z"),
            Some("2026-05-01T00:00:00.5Z"),
            Some("2025-01-01T00:00:00Z"),
        ];
        let mut out = Vec::new();
        for i in 0..n {
            // Coprime strides mix the fields; `i % 7` repeats ARNs.
            let mut c = cert(&format!("arn:aws:acm:x:y:certificate/{}", (i * 37) % 7));
            c.account_id = accounts[(i * 7) % 3].into();
            c.region = regions[(i * 5) % 4].map(Into::into);
            c.bucket = buckets[(i * 3) % 4];
            c.not_after = expiries[(i * 11) % 4].map(|t| t.parse().unwrap());
            c.domain_name = Some(format!("input-{i}"));
            out.push(c);
        }
        out
    }

    #[test]
    fn every_view_matches_a_stable_sort_by_its_comparator() {
        // The larger size is split across threads on a machine with cores.
        let views = [View::Inventory, View::Triage, View::Expiring { days: 30 }];
        for (view, n) in views.into_iter().flat_map(|v| [(v, 400), (v, 40_000)]) {
            let mut want = awkward(n);
            want.sort_by(comparator(view));
            let mut got = awkward(n);
            sort(&mut got, view);
            let names = |v: &[Certificate]| -> Vec<String> {
                v.iter().map(|c| c.domain_name.clone().unwrap()).collect()
            };
            assert_eq!(names(&got), names(&want), "{view:?} {n}");
        }
    }

    fn keys(coarse: &[u128]) -> Vec<Key> {
        let keys = coarse.iter().enumerate().map(|(i, &head)| Key {
            head,
            account: 0,
            region: 0,
            index: i as u32,
        });
        keys.collect()
    }

    #[test]
    fn merging_sorted_lists_gives_one_sorted_list() {
        let all = keys(&[5, 1, 4, 1, 3, 9, 2, 6, 5, 3]);
        for lists in [0, 1, 2, 3, 5] {
            let mut parts: Vec<Vec<Key>> = vec![Vec::new(); lists.max(1)];
            let n = parts.len();
            for (i, k) in all.iter().enumerate() {
                parts[i % n].push(*k);
            }
            parts.iter_mut().for_each(|p| p.sort_unstable());
            let mut want = if lists == 0 { Vec::new() } else { all.clone() };
            want.sort_unstable();
            let parts = if lists == 0 { Vec::new() } else { parts };
            assert_eq!(merge_all(parts), want, "{lists} lists");
        }
    }

    #[test]
    fn pieces_never_cut_a_run_of_ties() {
        let mut sorted = keys(&[1, 1, 1, 1, 2, 3, 3, 3, 3, 3, 3, 4, 5, 5]);
        for parts in 1..=6 {
            let pieces = split_between_runs(&mut sorted, parts);
            assert!(pieces.len() <= parts);
            let lens: Vec<usize> = pieces.iter().map(|p| p.len()).collect();
            assert_eq!(lens.iter().sum::<usize>(), 14, "{parts}: {lens:?}");
            for pair in pieces.windows(2) {
                if let (Some(a), Some(b)) = (pair[0].last(), pair[1].first()) {
                    assert_ne!(a.coarse(), b.coarse(), "{parts}: {lens:?}");
                }
            }
        }
    }
}
