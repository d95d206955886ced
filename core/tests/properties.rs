//! Invariants over arbitrary input: id parsing and tree building.

use base64::Engine;
use proptest::prelude::*;
use tracescope_core::analysis::self_time::self_times;
use tracescope_core::analysis::tree::{build, NONE};
use tracescope_core::decode::ids::{span_key, trace_key};
use tracescope_core::layout::waterfall::visible_rows;
use tracescope_core::model::{IdKey, Interner, Trace};

/// A trace whose span i has the parent `parents[i]` (an index, possibly
/// itself, out of range → orphan, or None).
fn trace_with(parents: &[Option<usize>], starts: &[i64], durs: &[i64]) -> Trace {
    let n = parents.len();
    let mut t = Trace::default();
    for i in 0..n {
        t.span_key.push(IdKey::Num(i as u128 + 1));
        t.span_id_text.push(Default::default());
        t.parent_key
            .push(parents[i].map(|p| IdKey::Num(p as u128 + 1)));
        t.parent_id_text.push(Default::default());
        t.service.push(Default::default());
        t.name.push(Default::default());
        t.start_ns.push(starts[i % starts.len().max(1)]);
        t.duration_ns.push(durs[i % durs.len().max(1)]);
        t.kind.push(Default::default());
        t.status.push(Default::default());
        t.status_message.push(Default::default());
        t.resource.push(0);
        t.attrs.push(Default::default());
        t.events.push(Default::default());
        t.links.push(Default::default());
        t.flags.push(0);
    }
    build(&mut t);
    t
}

proptest! {
    #[test]
    fn span_ids_agree_across_spellings(v in any::<u64>()) {
        let mut s = Interner::default();
        let padded = format!("{v:016x}");
        let short = format!("{v:x}");
        let upper = padded.to_uppercase();
        let b64 = base64::engine::general_purpose::STANDARD.encode(v.to_be_bytes());
        let k = span_key(&mut s, &padded);
        prop_assert_eq!(k, IdKey::Num(v as u128));
        prop_assert_eq!(span_key(&mut s, &short), k);
        prop_assert_eq!(span_key(&mut s, &upper), k);
        prop_assert_eq!(span_key(&mut s, &b64), k);
    }

    #[test]
    fn trace_ids_keep_all_128_bits(v in any::<u128>()) {
        let mut s = Interner::default();
        let b64 = base64::engine::general_purpose::STANDARD.encode(v.to_be_bytes());
        prop_assert_eq!(trace_key(&mut s, &format!("{v:032x}")), IdKey::Num(v));
        prop_assert_eq!(trace_key(&mut s, &b64), IdKey::Num(v));
    }

    #[test]
    fn id_parsing_never_panics(text in ".{0,40}") {
        let mut s = Interner::default();
        let _ = span_key(&mut s, &text);
        let _ = trace_key(&mut s, &text);
    }

    #[test]
    fn any_parent_graph_gives_a_forest_with_every_span_once(
        parents in proptest::collection::vec(proptest::option::of(0usize..80), 0..60),
        starts in proptest::collection::vec(0i64..1000, 1..10),
        durs in proptest::collection::vec(0i64..500, 1..10),
    ) {
        let t = trace_with(&parents, &starts, &durs);
        let n = parents.len();
        let mut seen = vec![0u32; n];
        for &s in &t.tree.preorder { seen[s as usize] += 1; }
        prop_assert!(seen.iter().all(|&c| c == 1));
        // Parent links are acyclic and depth grows by one along them.
        for i in 0..n {
            let p = t.tree.parent[i];
            if p != NONE {
                prop_assert_eq!(t.tree.depth[i], t.tree.depth[p as usize] + 1);
                prop_assert!(t.tree.preorder_pos[p as usize] < t.tree.preorder_pos[i]);
            }
        }
        // Subtree sizes add up; every root's subtree is contiguous in preorder.
        let total: u32 = t.tree.roots.iter().map(|&r| t.tree.subtree_size[r as usize]).sum();
        prop_assert_eq!(total as usize, n);
        // Collapsing everything shows only roots; collapsing nothing shows all.
        prop_assert_eq!(visible_rows(&t, &vec![true; n]).len(), t.tree.roots.len());
        prop_assert_eq!(visible_rows(&t, &vec![false; n]).len(), n);
        // Self time is never negative nor above the duration.
        for (i, st) in self_times(&t).into_iter().enumerate() {
            prop_assert!(st >= 0 && st <= t.duration_ns[i]);
        }
    }
}

#[test]
fn a_100k_deep_chain_builds_without_recursion() {
    let n = 100_000;
    let parents: Vec<Option<usize>> = (0..n)
        .map(|i| if i == 0 { None } else { Some(i - 1) })
        .collect();
    let t = trace_with(&parents, &[0], &[10]);
    assert_eq!(t.tree.max_depth as usize, n - 1);
    assert_eq!(t.tree.subtree_size[0] as usize, n);
    let mut collapsed = vec![false; n];
    collapsed[1] = true;
    assert_eq!(visible_rows(&t, &collapsed).len(), 2);
}

#[test]
fn cycles_are_broken_once_each() {
    // 0 → 1 → 2 → 0 and 3 → 3.
    let t = trace_with(&[Some(2), Some(0), Some(1), Some(3)], &[0, 1, 2, 3], &[5]);
    assert_eq!(t.tree.roots.len(), 2);
    assert!(t.warnings.iter().any(|w| w.contains("cycle")));
    assert_eq!(t.tree.preorder.len(), 4);
}

#[test]
fn self_time_merges_overlapping_children_and_clips_overhang() {
    // Parent 0..100; children 10..30 and 20..50 overlap (40 covered); child 90..130 overhangs (10 covered).
    let t = trace_with(
        &[None, Some(0), Some(0), Some(0)],
        &[0, 10, 20, 90],
        &[100, 20, 30, 40],
    );
    let st = self_times(&t);
    assert_eq!(st[0], 100 - 40 - 10);
    assert_eq!(st[1], 20);
}

#[test]
fn children_are_ordered_by_start() {
    let t = trace_with(
        &[None, Some(0), Some(0), Some(0)],
        &[0, 30, 10, 20],
        &[100, 1, 1, 1],
    );
    assert_eq!(t.tree.children_of(0), &[2, 3, 1]);
    assert_eq!(t.tree.preorder, vec![0, 2, 3, 1]);
}
