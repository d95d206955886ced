//! Values kept per trace index that are equal over long stretches (a load's
//! traces share its file name and its origin), and taking indices out of
//! per-trace lists. A million one-span traces made a million copies of one
//! name, and closing two traces compacted lists of a million: both are now
//! in the number of stretches and of traces taken out.

/// A value for each index `0..len`, held as runs of equal values.
#[derive(Clone, Debug, PartialEq)]
pub struct Runs<T> {
    /// Where each run ends (exclusive), ascending; the last is `len`.
    ends: Vec<usize>,
    values: Vec<T>,
}

impl<T> Default for Runs<T> {
    fn default() -> Self {
        Runs {
            ends: Vec::new(),
            values: Vec::new(),
        }
    }
}

impl<T> Runs<T> {
    /// Each run's indices and value, in order.
    pub fn ranges(&self) -> impl Iterator<Item = (std::ops::Range<usize>, &T)> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(s, &e)| s..e).zip(&self.values)
    }
}

impl<T: Clone + PartialEq> FromIterator<T> for Runs<T> {
    fn from_iter<I: IntoIterator<Item = T>>(values: I) -> Self {
        let mut runs = Runs::default();
        for v in values {
            runs.push_n(1, v);
        }
        runs
    }
}

impl<T: Clone + PartialEq> Runs<T> {
    pub fn len(&self) -> usize {
        self.ends.last().copied().unwrap_or(0)
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// How many runs hold the values.
    pub fn run_count(&self) -> usize {
        self.ends.len()
    }
    /// The run holding index `i`.
    fn run_of(&self, i: usize) -> Option<usize> {
        let r = self.ends.partition_point(|&e| e <= i);
        (r < self.ends.len()).then_some(r)
    }
    pub fn get(&self, i: usize) -> Option<&T> {
        self.run_of(i).map(|r| &self.values[r])
    }
    /// Adds `n` indices holding `value` at the end.
    pub fn push_n(&mut self, n: usize, value: T) {
        if n == 0 {
            return;
        }
        let end = self.len() + n;
        match self.values.last() {
            Some(last) if *last == value => *self.ends.last_mut().expect("a run per value") = end,
            _ => {
                self.ends.push(end);
                self.values.push(value);
            }
        }
    }
    /// Grows to `len` indices with `value`, or shortens to `len`.
    pub fn resize(&mut self, len: usize, value: T) {
        let now = self.len();
        if len >= now {
            return self.push_n(len - now, value);
        }
        let keep = self.ends.partition_point(|&e| e < len) + 1;
        self.ends.truncate(keep);
        self.values.truncate(keep);
        if let Some(e) = self.ends.last_mut() {
            *e = len;
        }
        if len == 0 {
            *self = Runs::default();
        }
    }
    /// The indices of `range` (those below the end) hold `value` from now on.
    pub fn set_range(&mut self, range: std::ops::Range<usize>, value: T) {
        let (lo, hi) = (range.start, range.end.min(self.len()));
        if lo >= hi {
            return;
        }
        self.split_at(lo);
        self.split_at(hi);
        // The runs that now end inside lo..=hi are exactly that range's.
        let first = self.ends.partition_point(|&e| e <= lo);
        let past = self.ends.partition_point(|&e| e <= hi);
        self.ends.splice(first..past, [hi]);
        self.values.splice(first..past, [value]);
        self.join_next(first);
        if first > 0 {
            self.join_next(first - 1);
        }
    }
    /// A run boundary at `at` (inside the indices).
    fn split_at(&mut self, at: usize) {
        let Some(r) = self.run_of(at) else { return };
        let start = if r == 0 { 0 } else { self.ends[r - 1] };
        if start != at {
            self.ends.insert(r, at);
            self.values.insert(r, self.values[r].clone());
        }
    }
    /// Joins run `r` with the next when they hold the same value.
    fn join_next(&mut self, r: usize) {
        if r + 1 < self.values.len() && self.values[r] == self.values[r + 1] {
            self.ends.remove(r);
            self.values.remove(r);
        }
    }
    /// Takes the indices of `out` out; those after move down.
    pub fn remove(&mut self, out: &Removal) {
        if out.is_empty() {
            return;
        }
        let mut ends = Vec::with_capacity(self.ends.len());
        let mut values: Vec<T> = Vec::with_capacity(self.values.len());
        for (&end, value) in self.ends.iter().zip(&self.values) {
            let kept_end = end - out.before(end);
            let kept_start = ends.last().copied().unwrap_or(0);
            if kept_end == kept_start {
                continue;
            }
            match values.last() {
                Some(last) if *last == *value => {
                    *ends.last_mut().expect("a run per value") = kept_end
                }
                _ => {
                    ends.push(kept_end);
                    values.push(value.clone());
                }
            }
        }
        self.ends = ends;
        self.values = values;
    }
}

impl<T: Clone + PartialEq> Runs<Option<T>> {
    /// Each of `which` that holds none takes `value`, a stretch of
    /// consecutive indices at a time (a load's own traces are one).
    pub fn fill_empty(&mut self, which: &[usize], value: T) {
        let mut stretches: Vec<std::ops::Range<usize>> = Vec::new();
        for &i in which.iter().filter(|&&i| self.get(i) == Some(&None)) {
            match stretches.last_mut() {
                Some(r) if r.end == i => r.end += 1,
                _ => stretches.push(i..i + 1),
            }
        }
        for r in stretches {
            self.set_range(r, Some(value.clone()));
        }
    }
}

/// Indices taken out of per-trace lists (closed traces): distinct, ascending.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Removal {
    out: Vec<usize>,
}

impl Removal {
    /// The indices of `which` below `len`, in any order, repeats allowed.
    pub fn new(which: &[usize], len: usize) -> Removal {
        let mut out: Vec<usize> = which.iter().copied().filter(|&i| i < len).collect();
        crate::order::sort(&mut out);
        out.dedup();
        Removal { out }
    }
    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }
    /// How many indices below `i` are taken out.
    fn before(&self, i: usize) -> usize {
        self.out.partition_point(|&o| o < i)
    }
    /// Where index `i` is once these are out (None: it is one of them).
    pub fn moved(&self, i: usize) -> Option<usize> {
        let below = self.before(i);
        (self.out.get(below) != Some(&i)).then(|| i - below)
    }
    /// Takes these indices out of `v`.
    pub fn apply<T>(&self, v: &mut Vec<T>) {
        let (mut i, mut next) = (0, self.out.iter().peekable());
        v.retain(|_| {
            let out = next.next_if_eq(&&i).is_some();
            i += 1;
            !out
        });
    }
}
