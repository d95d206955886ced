//! The critical path: the chain of work that determined a trace's end-to-end
//! duration. As in Jaeger UI: walk back from the end of the root; the last
//! child to finish before the cursor is on the path for its (clipped)
//! duration, then the cursor moves to that child's start; gaps between are
//! the parent's own work. Children that overhang their parent are clipped to
//! it. Asynchronous children (FOLLOWS_FROM, or a CONSUMER under a PRODUCER)
//! do not block their parent and are left out. Iterative: no recursion.

use crate::model::{flags, SpanKind, Trace};

/// A stretch of time during which span `span` was on the critical path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub span: u32,
    pub start_ns: i64,
    pub end_ns: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CriticalPath {
    /// In time order.
    pub segments: Vec<Segment>,
    /// Time each span spends on the path (ns).
    pub time_on_path: Vec<i64>,
    /// Indices into `segments` grouped by span (in time order within a span),
    /// and where each span's group starts (`len() + 1` entries), for drawing.
    by_span: Vec<u32>,
    span_start: Vec<u32>,
}

impl CriticalPath {
    pub fn contains(&self, span: usize) -> bool {
        self.time_on_path.get(span).copied().unwrap_or(0) > 0
    }
    /// The stretches of `span` that are on the path, in time order.
    pub fn segments_of(&self, span: usize) -> impl Iterator<Item = &Segment> {
        let (a, b) = match (self.span_start.get(span), self.span_start.get(span + 1)) {
            (Some(&a), Some(&b)) => (a as usize, b as usize),
            _ => (0, 0),
        };
        self.by_span[a..b]
            .iter()
            .map(|&i| &self.segments[i as usize])
    }
}

/// Whether `parent` waits for `child`.
pub fn is_blocking(t: &Trace, parent: usize, child: usize) -> bool {
    t.flags[child] & flags::ASYNC_PARENT == 0
        && !(t.kind[parent] == SpanKind::Producer && t.kind[child] == SpanKind::Consumer)
}

struct Frame {
    span: usize,
    cursor: i64,
    /// Blocking children as (`!` clipped end, index): latest end first, as
    /// a plain sort of these pairs orders them (the flame chart's rows are
    /// sorted so too: one sort in the bundle).
    kids: Vec<(i64, u32)>,
    next: usize,
}

fn frame(t: &Trace, span: usize, limit: i64) -> Frame {
    let start = t.start_ns[span];
    let end = t.end_ns(span).min(limit);
    let mut kids: Vec<(i64, u32)> = t
        .tree
        .children_of(span)
        .iter()
        .map(|&c| c as usize)
        .filter(|&c| is_blocking(t, span, c))
        .map(|c| (t.end_ns(c).min(end), t.start_ns[c].max(start), c))
        .filter(|&(ce, cs, _)| ce > start && ce > cs)
        .map(|(ce, _, c)| (!ce, c as u32))
        .collect();
    kids.sort_unstable();
    Frame {
        span,
        cursor: end,
        kids,
        next: 0,
    }
}

/// The root whose work ends last (true roots before orphans).
pub fn main_root(t: &Trace) -> Option<usize> {
    let roots = t.tree.roots();
    let true_roots: Vec<usize> = roots
        .iter()
        .map(|&r| r as usize)
        .filter(|&r| t.parent_key[r].is_none())
        .collect();
    let pool: Vec<usize> = if true_roots.is_empty() {
        roots.iter().map(|&r| r as usize).collect()
    } else {
        true_roots
    };
    pool.into_iter()
        .max_by(|&a, &b| t.end_ns(a).cmp(&t.end_ns(b)).then(b.cmp(&a)))
}

pub fn critical_path(t: &Trace) -> CriticalPath {
    let mut out = CriticalPath {
        segments: Vec::new(),
        time_on_path: vec![0; t.len()],
        by_span: Vec::new(),
        span_start: Vec::new(),
    };
    let Some(root) = main_root(t) else { return out };
    let mut stack = vec![frame(t, root, i64::MAX)];
    let push = |out: &mut CriticalPath, span: usize, s: i64, e: i64| {
        if e > s {
            out.segments.push(Segment {
                span: span as u32,
                start_ns: s,
                end_ns: e,
            });
            out.time_on_path[span] += e - s;
        }
    };
    while let Some(top) = stack.last_mut() {
        // The latest-finishing child that ends by the cursor.
        while top.next < top.kids.len() && !top.kids[top.next].0 > top.cursor {
            top.next += 1;
        }
        if top.next < top.kids.len() {
            let (not_end, c) = top.kids[top.next];
            let (ce, c) = (!not_end, c as usize);
            let cs = t.start_ns[c].max(t.start_ns[top.span]);
            top.next += 1;
            let span = top.span;
            let cursor = top.cursor;
            top.cursor = cs;
            push(&mut out, span, ce, cursor);
            let f = frame(t, c, ce);
            stack.push(f);
        } else {
            let (span, cursor) = (top.span, top.cursor);
            push(&mut out, span, t.start_ns[span], cursor);
            stack.pop();
        }
    }
    crate::order::sort_by_key(&mut out.segments, |s| (s.start_ns, s.end_ns));
    // Counting sort by span keeps each span's segments in time order.
    let mut start = vec![0u32; t.len() + 1];
    for s in &out.segments {
        start[s.span as usize + 1] += 1;
    }
    for i in 0..t.len() {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut by_span = vec![0u32; out.segments.len()];
    for (i, s) in out.segments.iter().enumerate() {
        by_span[fill[s.span as usize] as usize] = i as u32;
        fill[s.span as usize] += 1;
    }
    out.by_span = by_span;
    out.span_start = start;
    out
}
