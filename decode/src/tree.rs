//! Parent/child structure of a trace, built without recursion: parent
//! indices from ids, orphans and duplicate ids flagged, cycles broken,
//! children ordered by start (CSR arrays), a preorder with depths and subtree
//! sizes so a flattened waterfall can skip a collapsed subtree in O(1).

use crate::model::{flags, IdKey, StrId, Trace};
use rustc_hash::FxHashMap;

pub const NONE: u32 = u32::MAX;

/// A trace's tree: its lists of numbers in two allocations, not one a list
/// (a file of a million one-span traces makes a million trees).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tree {
    /// Per span, its [`Self::parent`], then [`Self::depth`] and
    /// [`Self::subtree_size`], then [`Self::child_start`] (one more); then
    /// the trace's [`Self::services`].
    pub(crate) links: Vec<u32>,
    /// What follows the start times (a clock adjustment swaps it).
    pub order: TreeOrder,
    pub max_depth: u32,
    /// How many services end [`Self::links`].
    pub(crate) services: u32,
    /// How many of its spans are errors (kept, as its services are, because
    /// views ask often and a scan of a million spans takes milliseconds).
    pub errors: u32,
}

/// A [`Tree`]'s lists, each to change in place.
pub struct ListsMut<'t> {
    pub parent: &'t mut [u32],
    pub depth: &'t mut [u32],
    pub subtree_size: &'t mut [u32],
    pub child_start: &'t mut [u32],
    pub roots: &'t mut [u32],
    pub children: &'t mut [u32],
    pub preorder: &'t mut [u32],
    pub preorder_pos: &'t mut [u32],
    pub services: &'t mut [StrId],
}

impl Tree {
    fn len(&self) -> usize {
        self.span_links() / 4
    }
    /// How many of [`Self::links`] are the spans' (all but the services).
    fn span_links(&self) -> usize {
        self.links.len().saturating_sub(self.services as usize)
    }
    /// Room for exactly `n` spans of `services` services (see
    /// `Trace::reserve_exact`).
    pub fn reserve_exact(&mut self, n: usize, services: usize) {
        self.links.reserve_exact(4 * n + 1 + services);
        self.order.lists.reserve_exact(3 * n);
    }
    pub fn service_count(&self) -> usize {
        self.services as usize
    }
    /// The services of the trace, distinct, by string id.
    pub fn services(&self) -> &[StrId] {
        bytemuck::cast_slice(&self.links[self.span_links()..])
    }
    /// Parent span index or [`NONE`].
    pub fn parent(&self) -> &[u32] {
        part(&self.links, 0, self.len())
    }
    pub fn depth(&self) -> &[u32] {
        let n = self.len();
        part(&self.links, n, 2 * n)
    }
    /// Number of spans in the subtree of each span, itself included.
    pub fn subtree_size(&self) -> &[u32] {
        let n = self.len();
        part(&self.links, 2 * n, 3 * n)
    }
    /// Children of span `i` are `children()[child_start()[i]..child_start()[i+1]]`.
    pub fn child_start(&self) -> &[u32] {
        part(&self.links, 3 * self.len(), self.span_links())
    }
    /// Roots (no parent, orphans, broken cycles), by start time.
    pub fn roots(&self) -> &[u32] {
        self.order.roots()
    }
    /// Every span's children, a list a span, each by start time.
    pub fn children(&self) -> &[u32] {
        self.order.children()
    }
    /// Spans in depth-first order (roots in order, children by start).
    pub fn preorder(&self) -> &[u32] {
        self.order.preorder()
    }
    /// Position of each span in `preorder`.
    pub fn preorder_pos(&self) -> &[u32] {
        self.order.preorder_pos()
    }
    #[inline(never)]
    pub fn children_of(&self, i: usize) -> &[u32] {
        let c = self.child_start();
        &self.children()[c[i] as usize..c[i + 1] as usize]
    }
    #[inline(never)]
    pub fn parent_of(&self, i: usize) -> Option<usize> {
        match self.parent().get(i) {
            Some(&p) if p != NONE => Some(p as usize),
            _ => None,
        }
    }
    /// Whether its lists fit a trace of `n` spans (a tree put together from
    /// parts is checked before its lists are cut by these lengths).
    pub fn fits(&self, n: usize) -> bool {
        let o = &self.order;
        self.links.len() == 4 * n + 1 + self.services as usize
            && o.lists.len() == 3 * n
            && o.roots as usize <= n
    }
    /// Each list to change in place (for tests that spoil a tree).
    pub fn lists_mut(&mut self) -> ListsMut<'_> {
        let n = self.len();
        let (parent, rest) = self.links.split_at_mut(n);
        let (depth, rest) = rest.split_at_mut(n);
        let (subtree_size, rest) = rest.split_at_mut(n);
        let (child_start, services) = rest.split_at_mut(rest.len() - self.services as usize);
        let o = &mut self.order;
        let (roots, rest) = o.lists.split_at_mut(o.roots as usize);
        let (children, rest) = rest.split_at_mut(n - o.roots as usize);
        let (preorder, preorder_pos) = rest.split_at_mut(n);
        ListsMut {
            parent,
            depth,
            subtree_size,
            child_start,
            roots,
            children,
            preorder,
            preorder_pos,
            services: bytemuck::cast_slice_mut(services),
        }
    }
    /// Room allocated and not used, for tests of how a tree is sized.
    pub fn spare(&self) -> usize {
        self.links.capacity() - self.links.len() + self.order.lists.capacity()
            - self.order.lists.len()
    }
}

/// Items `start..end` of one of a tree's lists; none when the list is not
/// as long (what only a tree put together from a bad part could be: such a
/// tree is refused, see [`Tree::fits`]).
fn part(list: &[u32], start: usize, end: usize) -> &[u32] {
    list.get(start..end).unwrap_or_default()
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
    if shape.reached < n {
        cycles = break_cycles(&mut parent, &mut t.flags);
        shape = Shape::of(&parent, &t.start_ns);
    }
    let preorder = &shape.lists[n..2 * n];
    place_unknown_starts(t, &parent, preorder);

    if orphans > 0 {
        t.warn(format!(
            "{orphans} span{} a parent that is not in this file; shown at the top level",
            if orphans == 1 { " has" } else { "s have" }
        ));
    }
    if duplicates > 0 {
        t.warn(format!(
            "{duplicates} span id{} used more than once; all copies are kept",
            if duplicates == 1 { " is" } else { "s are" }
        ));
    }
    if cycles > 0 {
        t.warn(format!(
            "{cycles} parent cycle{} broken",
            if cycles == 1 { " was" } else { "s were" }
        ));
    }
    let services = distinct(&t.service);
    let mut links = parent;
    links.reserve_exact(3 * n + 1 + services.len());
    links.extend_from_slice(&shape.depth);
    links.resize(3 * n, 1);
    // Each subtree's size, children before their parents.
    let (parent, sizes) = links.split_at_mut(2 * n);
    for &s in preorder.iter().rev() {
        let p = parent[s as usize];
        if p != NONE {
            sizes[p as usize] += sizes[s as usize];
        }
    }
    links.extend_from_slice(&shape.child_start);
    links.extend(services.iter().map(|s| s.0));
    t.tree = Tree {
        links,
        order: TreeOrder {
            lists: shape.lists,
            roots: shape.roots as u32,
            bounds: t.scan_bounds(),
        },
        max_depth: shape.max_depth,
        services: services.len() as u32,
        errors: t.error_count() as u32,
    };
}

/// Each span's children and the roots, by start (a tree's order lists, see
/// [`TreeOrder`]); the spans reached from the roots, depth first, with
/// their depths.
struct Shape {
    child_start: Vec<u32>,
    lists: Vec<u32>,
    roots: usize,
    /// How many spans the walk from the roots reached.
    reached: usize,
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
        // The roots, then the children lists (where each list starts is
        // after the roots).
        let roots = n - child_start[n] as usize;
        let mut fill = child_start.clone();
        let mut lists = vec![0u32; 3 * n];
        let mut root = 0;
        for (i, &p) in parent.iter().enumerate() {
            let at = if p == NONE {
                root += 1;
                root - 1
            } else {
                fill[p as usize] += 1;
                roots + fill[p as usize] as usize - 1
            };
            lists[at] = i as u32;
        }
        let (root_list, children) = lists[..n].split_at_mut(roots);
        for w in child_start.windows(2) {
            sort_list(start_ns, &mut children[w[0] as usize..w[1] as usize]);
        }
        sort_list(start_ns, root_list);
        let (reached, depth, max_depth) = walk_preorder(&child_start, &mut lists, roots);
        Shape {
            child_start,
            lists,
            roots,
            reached,
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

/// What of a tree follows its spans' start times: the roots and each
/// span's children in start order, the preorder, and the bounds (the
/// parent links, depths and subtree sizes do not).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TreeOrder {
    /// [`Self::roots`], [`Self::children`] (together one a span), then
    /// [`Self::preorder`] and [`Self::preorder_pos`].
    pub(crate) lists: Vec<u32>,
    /// How many roots.
    pub(crate) roots: u32,
    pub bounds: (i64, i64),
}

impl TreeOrder {
    fn len(&self) -> usize {
        self.lists.len() / 3
    }
    pub fn roots(&self) -> &[u32] {
        part(&self.lists, 0, self.roots as usize)
    }
    pub fn children(&self) -> &[u32] {
        part(&self.lists, self.roots as usize, self.len())
    }
    pub fn preorder(&self) -> &[u32] {
        let n = self.len();
        part(&self.lists, n, 2 * n)
    }
    pub fn preorder_pos(&self) -> &[u32] {
        part(&self.lists, 2 * self.len(), self.lists.len())
    }
    /// Sorts the children lists of `spans` by `start_ns` (`child_start`:
    /// the tree's); whether any list's order changed.
    pub fn sort_children(
        &mut self,
        child_start: &[u32],
        start_ns: &[i64],
        spans: std::ops::Range<usize>,
    ) -> bool {
        let r = self.roots as usize;
        let mut changed = false;
        for p in spans {
            let list =
                &mut self.lists[r + child_start[p] as usize..r + child_start[p + 1] as usize];
            changed |= sort_list(start_ns, list);
        }
        changed
    }
}

impl Tree {
    /// Exchanges this tree's order with `order` (a swap: nothing copied).
    pub fn swap_order(&mut self, order: &mut TreeOrder) {
        std::mem::swap(&mut self.order, order);
    }
}

/// `tree`'s order under other start times given that `order` with its
/// children lists already sorted by them (`changed`: some list's
/// order changed): the roots sorted, and the preorder walked again if
/// anything moved.
pub fn order_with(
    tree: &Tree,
    start_ns: &[i64],
    duration_ns: &[i64],
    mut order: TreeOrder,
    changed: bool,
) -> TreeOrder {
    let roots = order.roots as usize;
    if sort_list(start_ns, &mut order.lists[..roots]) || changed {
        walk_preorder(tree.child_start(), &mut order.lists, roots);
    }
    order.bounds = crate::model::time_bounds(start_ns, duration_ns);
    order
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

/// Walks a tree's order `lists` (its roots and children lists filled)
/// depth first, roots in order, children in order: fills their preorder
/// and each span's place in it. How many spans it reached, each span's
/// depth, and the deepest.
fn walk_preorder(child_start: &[u32], lists: &mut [u32], roots: usize) -> (usize, Vec<u32>, u32) {
    let n = child_start.len().saturating_sub(1);
    let (listed, walked) = lists.split_at_mut(n);
    let (root_list, children) = listed.split_at(roots);
    let (preorder, place) = walked.split_at_mut(n);
    let mut depth = vec![0u32; n];
    let mut stack: Vec<u32> = root_list.iter().rev().copied().collect();
    let mut max_depth = 0;
    let mut k = 0;
    while let Some(s) = stack.pop() {
        preorder[k] = s;
        place[s as usize] = k as u32;
        k += 1;
        let d = depth[s as usize];
        max_depth = max_depth.max(d);
        let kids =
            &children[child_start[s as usize] as usize..child_start[s as usize + 1] as usize];
        for &c in kids.iter().rev() {
            depth[c as usize] = d + 1;
            stack.push(c);
        }
    }
    (k, depth, max_depth)
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
