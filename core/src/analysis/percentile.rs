//! Exact percentiles by the nearest-rank method: the p-th percentile of N
//! sorted values is the value at 1-based rank ⌈p/100 × N⌉ (rank 1 for p = 0).
//! Always one of the observed values, never interpolated.

use crate::model::Trace;

/// Nearest-rank percentile of `sorted` (ascending); None when empty.
pub fn nearest_rank(sorted: &[i64], p: f64) -> Option<i64> {
    (!sorted.is_empty()).then(|| sorted[rank_index(sorted.len(), p)])
}

/// [`nearest_rank`] of `values` in any order, found without sorting them
/// (a selection, linear: the slow pill's p90s over a million spans sorted
/// them in 20 ms); `values` is reordered.
pub fn nearest_rank_of(values: &mut [i64], p: f64) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let k = rank_index(values.len(), p);
    Some(*values.select_nth_unstable(k).1)
}

/// Where the `p`th percentile is among `n > 0` sorted values.
fn rank_index(n: usize, p: f64) -> usize {
    let rank = ((p.clamp(0.0, 100.0) / 100.0) * n as f64).ceil() as usize;
    rank.clamp(1, n) - 1
}

/// Fewer samples than this give no rank: a percentile of a handful says
/// little.
pub const MIN_RANK_SAMPLES: usize = 20;

/// Where `x` falls among `values`: the share of them at or below it in
/// whole percent (⌊100·k/n⌋: the fastest of many is p0, the slowest p100),
/// and how many there are. None below [`MIN_RANK_SAMPLES`].
pub fn percentile_rank(values: impl IntoIterator<Item = i64>, x: i64) -> Option<(u32, usize)> {
    let (mut n, mut at_or_below) = (0usize, 0usize);
    for v in values {
        n += 1;
        at_or_below += (v <= x) as usize;
    }
    (n >= MIN_RANK_SAMPLES).then(|| ((100 * at_or_below / n) as u32, n))
}

/// [`percentile_rank`] of span `s` of `t` among the spans of its service
/// and operation in `traces` (itself included).
pub fn span_rank(traces: &[Box<Trace>], t: &Trace, s: usize) -> Option<(u32, usize)> {
    let (service, name) = (*t.service.get(s)?, t.name[s]);
    let same = traces.iter().flat_map(|u| {
        (0..u.len())
            .filter(move |&i| u.name[i] == name && u.service[i] == service)
            .map(move |i| u.duration_ns[i])
    });
    percentile_rank(same, t.duration_ns[s])
}

#[cfg(test)]
mod tests {
    use super::{nearest_rank, percentile_rank};

    #[test]
    fn hand_computed_ranks() {
        let v: Vec<i64> = (1..=20).collect();
        // At or below: 1 of 20 → p5; 19 → p95; 20 → p100.
        assert_eq!(percentile_rank(v.clone(), 1), Some((5, 20)));
        assert_eq!(percentile_rank(v.clone(), 19), Some((95, 20)));
        assert_eq!(percentile_rank(v.clone(), 20), Some((100, 20)));
        // Below every value: p0; a value between samples counts those below.
        assert_eq!(percentile_rank(v.clone(), 0), Some((0, 20)));
        // Ties count as at or below: 20 equal values are all p100.
        assert_eq!(percentile_rank(vec![7; 20], 7), Some((100, 20)));
        // ⌊100·k/n⌋: 1 of 1,234 is p0, 1,233 of 1,234 is p99.
        let w: Vec<i64> = (1..=1234).collect();
        assert_eq!(percentile_rank(w.clone(), 1), Some((0, 1234)));
        assert_eq!(percentile_rank(w, 1233), Some((99, 1234)));
        // 19 samples: too few to rank.
        assert_eq!(percentile_rank(1..=19, 10), None);
    }

    #[test]
    fn hand_computed_percentiles() {
        assert_eq!(nearest_rank(&[], 50.0), None);
        // One element: every percentile is that element.
        assert_eq!(nearest_rank(&[7], 0.0), Some(7));
        assert_eq!(nearest_rank(&[7], 50.0), Some(7));
        assert_eq!(nearest_rank(&[7], 99.0), Some(7));
        // Two elements: p50 → rank ⌈1.0⌉ = 1; p51 → rank 2; p99 → rank 2.
        assert_eq!(nearest_rank(&[10, 20], 50.0), Some(10));
        assert_eq!(nearest_rank(&[10, 20], 51.0), Some(20));
        assert_eq!(nearest_rank(&[10, 20], 99.0), Some(20));
        // Ten elements 1..=10: p90 → rank 9; p95 → rank ⌈9.5⌉ = 10; p50 → rank 5.
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&v, 50.0), Some(5));
        assert_eq!(nearest_rank(&v, 90.0), Some(9));
        assert_eq!(nearest_rank(&v, 95.0), Some(10));
        assert_eq!(nearest_rank(&v, 100.0), Some(10));
        // Ties: [1, 2, 2, 2, 9]: p40 → rank 2 → 2; p80 → rank 4 → 2; p81 → rank ⌈4.05⌉ = 5 → 9.
        let t = [1, 2, 2, 2, 9];
        assert_eq!(nearest_rank(&t, 40.0), Some(2));
        assert_eq!(nearest_rank(&t, 80.0), Some(2));
        assert_eq!(nearest_rank(&t, 81.0), Some(9));
        // 100 values: p99 is the 99th.
        let h: Vec<i64> = (1..=100).collect();
        assert_eq!(nearest_rank(&h, 99.0), Some(99));
    }
}
