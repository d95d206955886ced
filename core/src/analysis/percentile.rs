//! Exact percentiles by the nearest-rank method: the p-th percentile of N
//! sorted values is the value at 1-based rank ⌈p/100 × N⌉ (rank 1 for p = 0).
//! Always one of the observed values, never interpolated.

/// Nearest-rank percentile of `sorted` (ascending); None when empty.
pub fn nearest_rank(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let rank = ((p.clamp(0.0, 100.0) / 100.0) * n as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, n) - 1])
}

#[cfg(test)]
mod tests {
    use super::nearest_rank;

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
