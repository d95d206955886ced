//! Parent/child structure of a trace, built without recursion: parent
//! indices from ids, orphans and duplicate ids flagged, cycles broken,
//! children ordered by start (CSR arrays), a preorder with depths and subtree
//! sizes so a flattened waterfall can skip a collapsed subtree in O(1).

use crate::model::{flags, IdKey, StrId, Trace};
use rustc_hash::FxHashMap;

pub const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tree {
    /// Parent span index or [`NONE`].
    pub parent: Vec<u32>,
    /// Roots (no parent, orphans, broken cycles), by start time.
    pub roots: Vec<u32>,
    /// Children of span `i` are `children[child_start[i]..child_start[i+1]]`, by start time.
    pub child_start: Vec<u32>,
    pub children: Vec<u32>,
    /// Spans in depth-first order (roots in order, children by start).
    pub preorder: Vec<u32>,
    /// Position of each span in `preorder`.
    pub preorder_pos: Vec<u32>,
    pub depth: Vec<u32>,
    /// Number of spans in the subtree of each span, itself included.
    pub subtree_size: Vec<u32>,
    pub max_depth: u32,
    /// The trace's (earliest start, latest end), kept here because views ask
    /// for it often and a scan of a million spans takes milliseconds.
    pub bounds: Option<(i64, i64)>,
    /// The services of the trace, distinct, by string id; and how many of
    /// its spans are errors (kept for the same reason).
    pub services: Vec<StrId>,
    pub errors: u32,
}

impl Tree {
    /// Room for exactly `n` spans in every per-span column (see
    /// `Trace::reserve_exact`).
    pub fn reserve_exact(&mut self, n: usize) {
        // Every span but the roots is a child, and a tree has a root: a
        // one-span trace (a million of them in some files) has no child.
        self.children.reserve_exact(n.saturating_sub(1));
        for c in [
            &mut self.parent,
            &mut self.preorder,
            &mut self.preorder_pos,
            &mut self.depth,
            &mut self.subtree_size,
        ] {
            c.reserve_exact(n);
        }
        self.child_start.reserve_exact(n + 1);
    }
    pub fn children_of(&self, i: usize) -> &[u32] {
        &self.children[self.child_start[i] as usize..self.child_start[i + 1] as usize]
    }
    pub fn parent_of(&self, i: usize) -> Option<usize> {
        match self.parent.get(i) {
            Some(&p) if p != NONE => Some(p as usize),
            _ => None,
        }
    }
}

/// A span whose parent id is not among the trace's spans (before it is
/// flagged an orphan).
pub const MISSING: u32 = NONE - 1;

/// About how many spans' ids are matched at a time, in a group whose map
/// stays in the cache: one map of a million ids is tens of megabytes, and
/// looking parents up in it in file order missed the cache on nearly
/// every span (in wasm, two thirds of a 1M-span trace's tree).
const GROUP_LOG2: u32 = 10;

/// What an id is multiplied by for its group (the top bits of the
/// product); public so a test can make ids that all share one group.
pub const GROUP_MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;

/// Each span's parent row ([`NONE`]: it names none; [`MISSING`]: none of
/// the spans has that id), for the spans `parent_key` covers, and each
/// later row of an id with its first row (in no particular order).
pub fn parent_rows(
    span_key: &[IdKey],
    parent_key: &[Option<IdKey>],
) -> (Vec<u32>, Vec<(usize, u32)>) {
    let n = span_key.len();
    let mut parent = vec![NONE; parent_key.len()];
    let mut repeats = Vec::new();
    // One list of the spans' ids (item i: span i) and then their parents'
    // (item n + i: span i's parent), in groups: within a group, the spans
    // come first, in file order (an id's first row is met first), then the
    // parent ids to look up among them.
    let bits = (usize::BITS - n.leading_zeros()).saturating_sub(GROUP_LOG2);
    let key = |i: usize| match i.checked_sub(n) {
        None => Some(span_key[i]),
        Some(row) => parent_key[row],
    };
    let (items, ends) = grouped(n + parent_key.len(), &key, bits);
    // usize rows: the map type the builder already finds traces with, so
    // the bundle has one copy of its code.
    let mut first: FxHashMap<IdKey, usize> = FxHashMap::default();
    let mut at = 0;
    for end in ends {
        first.clear();
        for &(k, i) in &items[at..end as usize] {
            let i = i as usize;
            match i.checked_sub(n) {
                None => match first.get(&k) {
                    Some(&j) => repeats.push((i, j as u32)),
                    None => {
                        first.insert(k, i);
                    }
                },
                Some(row) => parent[row] = first.get(&k).map_or(MISSING, |&p| p as u32),
            }
        }
        at = end as usize;
    }
    (parent, repeats)
}

/// The ids of items `0..len` (`key`) with their index, in `2^bits` groups
/// by a hash of the id (not the map's, which would put every id of a
/// group under one tag): a counting sort, each group in item order. And
/// where each group ends.
fn grouped(
    len: usize,
    key: &dyn Fn(usize) -> Option<IdKey>,
    bits: u32,
) -> (Vec<(IdKey, u32)>, Vec<u32>) {
    let group = |k: IdKey| {
        let folded = match k {
            IdKey::Num(v) => (v.get() as u64) ^ (v.get() >> 64) as u64,
            IdKey::Text(s) => u64::from(s.0),
        };
        (folded.wrapping_mul(GROUP_MULTIPLIER) >> 32 >> (32 - bits)) as usize
    };
    let ids = || (0..len).filter_map(|i| Some((key(i)?, i as u32)));
    let mut ends = vec![0u32; 1 << bits];
    ids().for_each(|(k, _)| ends[group(k)] += 1);
    // Where each group begins; a group's end once it is filled.
    let mut at = 0;
    for e in &mut ends {
        (*e, at) = (at, at + *e);
    }
    let mut out = vec![(IdKey::Text(StrId(0)), 0); at as usize];
    for (k, i) in ids() {
        let slot = &mut ends[group(k)];
        out[*slot as usize] = (k, i);
        *slot += 1;
    }
    (out, ends)
}

/// Builds `t.tree`, sets span flags and adds trace warnings.
pub fn build(t: &mut Trace) {
    let n = t.len();
    let (mut parent, repeats) = parent_rows(&t.span_key, &t.parent_key);
    for &(i, j) in &repeats {
        t.flags[i] |= flags::DUPLICATE_ID;
        t.flags[j as usize] |= flags::DUPLICATE_ID;
    }
    let duplicates = repeats.len();
    let mut orphans = 0usize;
    for (i, slot) in parent.iter_mut().enumerate() {
        if *slot == MISSING {
            t.flags[i] |= flags::ORPHAN;
            orphans += 1;
            *slot = NONE;
        } else if *slot as usize == i {
            t.flags[i] |= flags::CYCLE_BROKEN;
            *slot = NONE;
        }
    }
    // A span on a parent cycle is never reached from a root: only when the
    // walk from the roots misses some are the cycles looked for and broken.
    let mut shape = Shape::of(&parent, &t.start_ns);
    let mut cycles = 0;
    if shape.preorder.len() < n {
        cycles = break_cycles(&mut parent, &mut t.flags);
        shape = Shape::of(&parent, &t.start_ns);
    }
    place_unknown_starts(t, &parent, &shape.preorder);
    let preorder_pos = positions(&shape.preorder);
    let mut subtree_size = vec![1u32; n];
    for &s in shape.preorder.iter().rev() {
        let p = parent[s as usize];
        if p != NONE {
            subtree_size[p as usize] += subtree_size[s as usize];
        }
    }

    if orphans > 0 {
        t.warnings.push(format!(
            "{orphans} span{} a parent that is not in this file; shown at the top level",
            if orphans == 1 { " has" } else { "s have" }
        ));
    }
    if duplicates > 0 {
        t.warnings.push(format!(
            "{duplicates} span id{} used more than once; all copies are kept",
            if duplicates == 1 { " is" } else { "s are" }
        ));
    }
    if cycles > 0 {
        t.warnings.push(format!(
            "{cycles} parent cycle{} broken",
            if cycles == 1 { " was" } else { "s were" }
        ));
    }
    t.tree = Tree {
        parent,
        roots: shape.roots,
        child_start: shape.child_start,
        children: shape.children,
        preorder: shape.preorder,
        preorder_pos,
        depth: shape.depth,
        subtree_size,
        max_depth: shape.max_depth,
        bounds: Some(t.scan_bounds()),
        services: distinct(&t.service),
        errors: t.error_count() as u32,
    };
}

/// Each span's children and the roots, by start; the spans reached from
/// the roots, depth first, with their depths.
struct Shape {
    child_start: Vec<u32>,
    children: Vec<u32>,
    roots: Vec<u32>,
    preorder: Vec<u32>,
    depth: Vec<u32>,
    max_depth: u32,
}

impl Shape {
    fn of(parent: &[u32], start_ns: &[i64]) -> Shape {
        let n = parent.len();
        let mut count = vec![0u32; n + 1];
        for &p in parent {
            if p != NONE {
                count[p as usize + 1] += 1;
            }
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        let child_start = count;
        let mut fill = child_start.clone();
        let mut children = vec![0u32; child_start[n] as usize];
        let mut roots = Vec::new();
        for (i, &p) in parent.iter().enumerate() {
            if p == NONE {
                roots.push(i as u32);
            } else {
                children[fill[p as usize] as usize] = i as u32;
                fill[p as usize] += 1;
            }
        }
        for w in child_start.windows(2) {
            sort_list(start_ns, &mut children[w[0] as usize..w[1] as usize]);
        }
        sort_list(start_ns, &mut roots);
        let (preorder, depth, max_depth) = walk_preorder(&child_start, &children, &roots);
        Shape {
            child_start,
            children,
            roots,
            preorder,
            depth,
            max_depth,
        }
    }
}

/// Breaks each parent cycle: walks up from each span, and meeting a span
/// of the current walk closes a cycle, broken at the span whose parent
/// closes it. How many were broken.
fn break_cycles(parent: &mut [u32], flags: &mut [u8]) -> usize {
    let n = parent.len();
    let mut state = vec![0u8; n]; // 0 unseen, 1 on the current walk, 2 done
    let mut path: Vec<u32> = Vec::new();
    let mut cycles = 0usize;
    for s in 0..n {
        if state[s] != 0 {
            continue;
        }
        let mut cur = s as u32;
        loop {
            state[cur as usize] = 1;
            path.push(cur);
            let p = parent[cur as usize];
            if p == NONE || state[p as usize] == 2 {
                break;
            }
            if state[p as usize] == 1 {
                parent[cur as usize] = NONE;
                flags[cur as usize] |= flags::CYCLE_BROKEN;
                cycles += 1;
                break;
            }
            cur = p;
        }
        for &x in &path {
            state[x as usize] = 2;
        }
        path.clear();
    }
    cycles
}

/// What of a tree follows its spans' start times: children and roots in
/// start order, the preorder, and the bounds (the parent links, depths and
/// subtree sizes do not).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TreeOrder {
    pub roots: Vec<u32>,
    pub children: Vec<u32>,
    pub preorder: Vec<u32>,
    pub preorder_pos: Vec<u32>,
    pub bounds: Option<(i64, i64)>,
}

impl Tree {
    /// Exchanges this tree's order with `order` (a swap: nothing copied).
    pub fn swap_order(&mut self, order: &mut TreeOrder) {
        std::mem::swap(&mut self.roots, &mut order.roots);
        std::mem::swap(&mut self.children, &mut order.children);
        std::mem::swap(&mut self.preorder, &mut order.preorder);
        std::mem::swap(&mut self.preorder_pos, &mut order.preorder_pos);
        std::mem::swap(&mut self.bounds, &mut order.bounds);
    }
}

/// `tree`'s order under other start times given its children lists
/// already sorted by them (`changed`: some list's order changed): the
/// roots sorted, and the preorder walked again if anything moved.
pub fn order_with(
    tree: &Tree,
    start_ns: &[i64],
    duration_ns: &[i64],
    children: Vec<u32>,
    changed: bool,
) -> TreeOrder {
    let mut roots = tree.roots.clone();
    let changed = sort_list(start_ns, &mut roots) || changed;
    let (preorder, preorder_pos) = if changed {
        let (preorder, _, _) = walk_preorder(&tree.child_start, &children, &roots);
        let pos = positions(&preorder);
        (preorder, pos)
    } else {
        (tree.preorder.clone(), tree.preorder_pos.clone())
    };
    TreeOrder {
        roots,
        children,
        preorder,
        preorder_pos,
        bounds: Some(crate::model::time_bounds(start_ns, duration_ns)),
    }
}

/// Sorts spans by start (ties by index); whether their order changed. A
/// list in order already is only checked: after a clock adjustment most are.
pub fn sort_list(start_ns: &[i64], list: &mut [u32]) -> bool {
    let key = |s: &u32| (start_ns[*s as usize], *s);
    let sorted = list.is_sorted_by_key(key);
    if !sorted {
        list.sort_unstable_by_key(key);
    }
    !sorted
}

/// The spans depth first (roots in order, children in order), each span's
/// depth, and the deepest.
fn walk_preorder(
    child_start: &[u32],
    children: &[u32],
    roots: &[u32],
) -> (Vec<u32>, Vec<u32>, u32) {
    let n = child_start.len().saturating_sub(1);
    let mut preorder = Vec::with_capacity(n);
    let mut depth = vec![0u32; n];
    let mut stack: Vec<u32> = roots.iter().rev().copied().collect();
    let mut max_depth = 0;
    while let Some(s) = stack.pop() {
        preorder.push(s);
        let d = depth[s as usize];
        max_depth = max_depth.max(d);
        let kids =
            &children[child_start[s as usize] as usize..child_start[s as usize + 1] as usize];
        for &c in kids.iter().rev() {
            depth[c as usize] = d + 1;
            stack.push(c);
        }
    }
    (preorder, depth, max_depth)
}

/// Each span's place in `preorder`.
fn positions(preorder: &[u32]) -> Vec<u32> {
    let mut pos = vec![0u32; preorder.len()];
    for (k, &s) in preorder.iter().enumerate() {
        pos[s as usize] = k as u32;
    }
    pos
}

/// Spans whose source gave no start time, or an impossible one
/// ([`flags::NO_START`]), keep their place in the tree and are shown at
/// their parent's start, or at the earliest start the trace does have: a
/// missing value never stretches the trace back to 1970. Parents come
/// before their children in `preorder`, so a chain of them follows its
/// first known ancestor.
fn place_unknown_starts(t: &mut Trace, parent: &[u32], preorder: &[u32]) {
    if !t.flags.iter().any(|f| f & flags::NO_START != 0) {
        return;
    }
    let known = (0..t.len())
        .filter(|&s| t.flags[s] & flags::NO_START == 0)
        .map(|s| t.start_ns[s])
        .min()
        .unwrap_or(0);
    for &s in preorder {
        let s = s as usize;
        if t.flags[s] & flags::NO_START != 0 {
            let p = parent[s];
            t.start_ns[s] = if p == NONE {
                known
            } else {
                t.start_ns[p as usize]
            };
        }
    }
}

/// The distinct ids of a column, in id order: a bit per id, one pass; or,
/// when the ids reach far past the column's length (a service first named
/// after a million strings, then in many small traces), sorted, so that a
/// trace's cost follows its spans and not the string table.
pub fn distinct(ids: &[StrId]) -> Vec<StrId> {
    let top = ids.iter().map(|s| s.0 as usize).max().map_or(0, |m| m + 1);
    if top > 64 * ids.len() {
        let mut out: Vec<u32> = ids.iter().map(|s| s.0).collect();
        out.sort_unstable();
        out.dedup();
        return out.into_iter().map(StrId).collect();
    }
    let mut seen = vec![0u64; top.div_ceil(64)];
    for s in ids {
        seen[s.0 as usize / 64] |= 1 << (s.0 % 64);
    }
    let mut out = Vec::new();
    for (w, &bits) in seen.iter().enumerate() {
        let mut b = bits;
        while b != 0 {
            out.push(StrId(w as u32 * 64 + b.trailing_zeros()));
            b &= b - 1;
        }
    }
    out
}
