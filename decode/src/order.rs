//! Sorting through one compiled sort. Rust's sorts are generic: every call
//! site with its own comparator or element type compiles its own copy (2–4
//! KB of wasm each; the page carried 187 sort functions, 88 KB before gzip).
//! Sorts off the hot paths go through here instead: a permutation of indices
//! is ordered by a `dyn` comparator (one instantiation), then applied in
//! place. Stable. Hot sorts (the tree, the critical path, find's minimap
//! marks) and sorts of plain integers (one copy per type already) keep
//! `slice::sort*`. In the decoders' crate so they share it with core.

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, stably.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let perm = permutation(v.len(), &mut |a, b| cmp(&v[a], &v[b]));
    apply(v, perm);
}

/// Sorts `v` by a key, stably.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` by its own order, stably.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// The order of `0..n` under `cmp`: the one place a sort is compiled.
#[inline(never)]
fn permutation(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..n as u32).collect();
    idx.sort_by(|&a, &b| cmp(a as usize, b as usize));
    idx
}

/// Moves `v[perm[i]]` to `i` for every `i`, following each cycle once.
fn apply<T>(v: &mut [T], mut perm: Vec<u32>) {
    for start in 0..v.len() {
        let mut i = start;
        loop {
            let j = perm[i] as usize;
            perm[i] = i as u32;
            if j == start {
                break;
            }
            v.swap(i, j);
            i = j;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn same_as_std_stable_sort(v in proptest::collection::vec((0u8..8, any::<u16>()), 0..200)) {
            let mut ours = v.clone();
            sort_by_key(&mut ours, |x| x.0);
            let mut std = v;
            std.sort_by_key(|x| x.0);
            prop_assert_eq!(ours, std);
        }
    }

    #[test]
    fn strings_and_reverse() {
        let mut v = vec!["b".to_string(), "c".into(), "a".into()];
        sort(&mut v);
        assert_eq!(v, ["a", "b", "c"]);
        sort_by(&mut v, |a, b| b.cmp(a));
        assert_eq!(v, ["c", "b", "a"]);
    }
}
