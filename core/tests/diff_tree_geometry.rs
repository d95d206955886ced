//! The merged tree of two traces as drawn: every path once, after its
//! parent with its subtree whole; rows apart; bars as long as their time
//! on one scale; each change named as the counts and times say; every
//! label in its column.

use proptest::prelude::*;
use tracescope_core::analysis::diff::DiffNode;
use tracescope_core::layout::diff_tree::{diff_rows, name_column, tree_order, Change, ROW_H};
use tracescope_core::layout::text::FixedAdvance;
use tracescope_core::model::StrId;

const EPS: f64 = 1e-6;

/// Nodes as `align` makes them: parents first; a path one trace lacks has
/// a count and a time of 0 there.
fn nodes() -> impl Strategy<Value = Vec<DiffNode>> {
    prop::collection::vec(
        (
            any::<prop::sample::Index>(),
            0u32..4,
            0u32..4,
            0i64..5_000_000_000,
            0i64..5_000_000_000,
        ),
        1..120,
    )
    .prop_map(|raw| {
        let mut out: Vec<DiffNode> = Vec::new();
        for (k, (parent, ca, cb, ta, tb)) in raw.into_iter().enumerate() {
            let parent = (k > 0 && parent.index(4) > 0).then(|| parent.index(k) as u32);
            let (ca, cb) = if ca == 0 && cb == 0 { (1, 0) } else { (ca, cb) };
            out.push(DiffNode {
                parent,
                depth: parent.map_or(0, |p| out[p as usize].depth + 1),
                service: StrId(k as u32),
                operation: StrId(0),
                count: [ca, cb],
                total_ns: [if ca > 0 { ta } else { 0 }, if cb > 0 { tb } else { 0 }],
                self_ns: [0, 0],
            });
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn every_path_once_after_its_parent_with_its_subtree_whole(ns in nodes()) {
        let order = tree_order(&ns);
        let mut seen = vec![false; ns.len()];
        let mut at = vec![0usize; ns.len()];
        for (k, &n) in order.iter().enumerate() {
            prop_assert!(!seen[n as usize]);
            seen[n as usize] = true;
            at[n as usize] = k;
        }
        prop_assert!(seen.iter().all(|&s| s));
        // Subtree sizes, children after parents in the list.
        let mut size = vec![1usize; ns.len()];
        for i in (0..ns.len()).rev() {
            if let Some(p) = ns[i].parent {
                size[p as usize] += size[i];
            }
        }
        // Siblings (and roots) in the order of the list.
        for i in 0..ns.len() {
            for j in i + 1..ns.len() {
                if ns[i].parent == ns[j].parent {
                    prop_assert!(at[i] < at[j], "siblings {i} and {j} out of order");
                }
            }
        }
        for (i, n) in ns.iter().enumerate() {
            if let Some(p) = n.parent {
                let p = p as usize;
                prop_assert!(at[p] < at[i] && at[i] < at[p] + size[p], "node {i} outside its parent's subtree");
            }
        }
    }

    #[test]
    fn bars_are_as_long_as_their_time_on_one_scale(ns in nodes(), width in 300.0f64..2000.0) {
        let rows = diff_rows(&ns, |n| format!("svc-{} op", n.service.0), width, &FixedAdvance(7.0), usize::MAX);
        prop_assert_eq!(rows.len(), ns.len());
        let name_w = name_column(width);
        let longest = ns.iter().flat_map(|n| n.total_ns).max().unwrap().max(1) as f64;
        let full = rows.iter().flat_map(|r| r.bars).map(|b| b.w).fold(0.0, f64::max);
        for (k, r) in rows.iter().enumerate() {
            let n = &ns[r.node as usize];
            prop_assert!((r.y - k as f64 * ROW_H).abs() < EPS);
            for (g, b) in r.bars.iter().enumerate() {
                // Inside its row, after the names, on the canvas.
                prop_assert!(b.y >= r.y && b.y + b.h <= r.y + ROW_H);
                prop_assert!(b.x >= name_w && b.x + b.w <= width - 100.0 + EPS);
                if full == 0.0 {
                    prop_assert_eq!(b.w, 0.0, "no time, no bar");
                } else if n.total_ns[g] as f64 == longest {
                    prop_assert!((b.w - full).abs() < EPS);
                } else {
                    prop_assert!((b.w / full - n.total_ns[g] as f64 / longest).abs() < 1e-9);
                }
            }
            prop_assert!(r.bars[0].y + r.bars[0].h <= r.bars[1].y, "A above B");
            // The change as the numbers say.
            let want = if n.count[1] == 0 { Change::Gone } else if n.count[0] == 0 { Change::New }
                else if n.total_ns[1] > n.total_ns[0] { Change::Slower }
                else if n.total_ns[1] < n.total_ns[0] { Change::Faster } else { Change::Same };
            prop_assert_eq!(r.change, want);
            // Labels: the name in its column, indented by depth; the change on the canvas.
            let indent = (6.0 + 12.0 * n.depth as f64).min(name_w / 2.0);
            prop_assert!((r.label.x - indent).abs() < EPS && r.label.right() <= name_w + EPS);
            prop_assert!(r.delta.x > r.bars[0].x && r.delta.right() <= width + EPS);
        }
    }
}
