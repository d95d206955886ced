//! The waterfall's geometry against the model: for random traces (deep,
//! wide, overlapping, zero-length spans) and random windows, what
//! `layout::waterfall::scene` draws is where the trace says, inside the
//! canvas, and readable (labels in their row, apart; ruler labels distinct
//! and increasing).

use proptest::prelude::*;
use tracescope_core::analysis::critical_path::critical_path;
use tracescope_core::layout::text::{FixedAdvance, Label};
use tracescope_core::layout::time::TimeScale;
use tracescope_core::layout::waterfall::{
    columns_fitting, matching_rows, name_width, scene, timeline_extent, visible_rows, Badges,
    RowGeometry, Scene, SceneInput, Stretch, COLUMN_W, HEADER, MINIMAP_H, NAMES_MIN_W, ROW_H,
};
use tracescope_core::model::Trace;
use tracescope_core::Dataset;

mod common;
use common::random::{make_trace, traces, window, PX};

fn check(t: &Trace, input: &SceneInput, sc: &Scene) -> Result<(), TestCaseError> {
    let (tl0, tl1) = timeline_extent(input.width);
    let scale = TimeScale::new(input.view.0, input.view.1, tl0, tl1 - tl0);
    let (v0, v1) = input.view;
    let cp = input.critical;
    for row in &sc.rows {
        let s = row.span as usize;
        prop_assert_eq!(input.rows[row.row], row.span);
        prop_assert!(
            row.top > HEADER - ROW_H && row.top < input.height,
            "row off the canvas"
        );
        let (st, en) = (t.start_ns[s] as f64, t.end_ns(s) as f64);
        let in_window = en >= v0 && st <= v1;
        prop_assert_eq!(
            row.bar.is_some(),
            in_window,
            "span {} [{}, {}] in {:?}",
            s,
            st,
            en,
            input.view
        );
        if let Some(b) = row.bar {
            // The interval ∩ the window, to within a pixel, inside the timeline.
            prop_assert!(
                b.x0 >= tl0 && b.x1 <= tl1 && b.x1 > b.x0,
                "{:?} outside [{}, {}]",
                b,
                tl0,
                tl1
            );
            prop_assert!(
                (b.x0 - scale.x(st.max(v0))).abs() <= PX,
                "start {:?} vs {}",
                b,
                scale.x(st.max(v0))
            );
            prop_assert!(
                (b.x1 - scale.x(en.min(v1))).abs() <= PX,
                "end {:?} vs {}",
                b,
                scale.x(en.min(v1))
            );
            for g in &row.critical {
                prop_assert!(
                    g.x0 >= b.x0 && g.x1 <= b.x1 && g.x1 > g.x0,
                    "band {:?} outside bar {:?}",
                    g,
                    b
                );
                let on_path = cp.map(|cp| {
                    cp.segments_of(s).any(|seg| {
                        scale.x(seg.start_ns as f64) - PX <= g.x0
                            && g.x1 <= scale.x(seg.end_ns as f64) + PX
                    })
                });
                prop_assert_eq!(on_path, Some(true), "band {:?} not on the span's path", g);
            }
            for &ex in &row.events {
                prop_assert!(ex >= tl0 && ex < tl1);
            }
        } else {
            prop_assert!(
                row.critical.is_empty() && row.events.is_empty() && row.duration.is_none()
            );
        }
        let evs_in_window = input
            .ds
            .events(t.events[s])
            .iter()
            .filter(|e| (e.time_ns as f64) >= v0 && (e.time_ns as f64) <= v1)
            .count();
        prop_assert_eq!(
            row.events.len(),
            if row.bar.is_some() { evs_in_window } else { 0 }
        );
        // Labels: in the row, in their column, apart.
        let cy = row.top + ROW_H / 2.0;
        let labels: Vec<&Label> = [&row.service, &row.operation, &row.duration]
            .into_iter()
            .flatten()
            .collect();
        for l in &labels {
            prop_assert_eq!(l.y, cy);
        }
        for l in [&row.service, &row.operation].into_iter().flatten() {
            prop_assert!(
                l.x >= 0.0 && l.right() <= sc.name_w,
                "{:?} leaves the name column",
                l
            );
        }
        if let Some(l) = &row.duration {
            prop_assert!(
                l.x >= tl0 && l.right() <= tl1,
                "{:?} leaves the timeline",
                l
            );
            for g in &row.critical {
                prop_assert!(
                    g.x1 <= l.x || g.x0 >= l.right(),
                    "band {:?} under the label {:?}",
                    g,
                    l
                );
            }
        }
        for (i, a) in labels.iter().enumerate() {
            for b in &labels[i + 1..] {
                prop_assert!(!a.overlaps(b), "{:?} overlaps {:?}", a, b);
            }
        }
    }
    // Every row on screen is drawn, none twice.
    let first = (input.scroll_y / ROW_H).floor() as usize;
    for (k, row) in sc.rows.iter().enumerate() {
        prop_assert_eq!(row.row, first + k);
    }
    // Ruler: ticks in the window; labels distinct, increasing, apart, on the canvas.
    let mut prev: Option<&Label> = None;
    let mut last_offset = i64::MIN;
    for tick in &sc.ticks {
        prop_assert!(
            tick.x >= tl0 - PX && tick.x <= tl1 + PX,
            "tick at {}",
            tick.x
        );
        prop_assert!(tick.offset_ns > last_offset);
        last_offset = tick.offset_ns;
        if let Some(l) = &tick.label {
            prop_assert!(l.x >= 0.0 && l.right() <= input.width);
            if let Some(p) = prev {
                prop_assert!(p.text != l.text, "label {} repeats", l.text);
                prop_assert!(!p.overlaps(l), "{:?} overlaps {:?}", p, l);
            }
            prev = Some(l);
        }
    }
    // The minimap's window is the view on the whole trace.
    let mini = TimeScale::new(input.bounds.0, input.bounds.1, tl0, tl1 - tl0);
    let w = sc.minimap_window;
    prop_assert!(w.x0 >= tl0 && w.x1 <= tl1 + PX && w.x1 - w.x0 >= 2.0 - 1e-9);
    prop_assert!((w.x0 - mini.x(v0)).abs() <= 2.0 + PX && (w.x1 - mini.x(v1)).abs() <= 2.0 + PX);
    Ok(())
}

/// The scene of `t` at `view` with nothing folded, on a 1440×600 canvas.
fn scene_at(ds: &Dataset, t: &Trace, view: (f64, f64)) -> Scene {
    let cp = critical_path(t);
    let rows = visible_rows(t, &[]);
    let input = SceneInput {
        ds,
        t,
        rows: &rows,
        collapsed: &[],
        width: 1440.0,
        height: 600.0,
        scroll_y: 0.0,
        view,
        bounds: t.time_window(),
        critical: Some(&cp),
        matched: None,
        detail_key: None,
        columns: &[],
        flows: &[],
        badges: &Badges::default(),
    };
    scene(&input, &FixedAdvance(7.0))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn what_the_waterfall_draws_is_what_the_trace_says(
        (ds, t) in traces(),
        a in 0.0f64..1.0,
        b in 0.0f64..1.0,
        zoom_in in any::<bool>(),
        width in 240.0f64..2400.0,
        height in 120.0f64..1200.0,
        scroll in 0.0f64..1.0,
        fold in prop::collection::vec(any::<bool>(), 1..8),
        hits in prop::collection::vec(any::<bool>(), 1..8),
        flow_ends in prop::collection::vec((any::<u16>(), any::<u16>()), 0..6),
    ) {
        // Half the cases zoomed far in, where the bugs were.
        let b = if zoom_in { a + (b - a) / 5000.0 } else { b };
        let view = window(&t, a, b);
        let collapsed: Vec<bool> = (0..t.len()).map(|s| fold[s % fold.len()] && s % 3 == 0).collect();
        let rows = visible_rows(&t, &collapsed);
        let scroll_y = scroll * rows.len() as f64 * ROW_H;
        let cp = critical_path(&t);
        let matched: Vec<bool> = (0..t.len()).map(|s| hits[s % hits.len()] && s % 2 == 0).collect();
        let order: Vec<u32> = t.tree.preorder().iter().copied().filter(|&s| matched[s as usize]).collect();
        let n = t.len() as u32;
        let flows: Vec<(u32, u32)> = flow_ends.iter().map(|&(a, b)| (a as u32 % n, b as u32 % n)).collect();
        let input = SceneInput {
            ds: &ds,
            t: &t,
            rows: &rows,
            collapsed: &collapsed,
            width,
            height,
            scroll_y,
            view,
            bounds: t.time_window(),
            critical: Some(&cp),
            matched: Some((&matched, &order)),
        detail_key: None,
        columns: &[],
        flows: &flows,
        badges: &Badges::default(),
    };
        let sc = scene(&input, &FixedAdvance(7.0));
        check(&t, &input, &sc)?;
        // Matches are marked on their rows and on the minimap where they start.
        for r in &sc.rows {
            prop_assert_eq!(r.matched, matched[r.span as usize]);
        }
        let (tl0, tl1) = timeline_extent(width);
        let mini = TimeScale::new(input.bounds.0, input.bounds.1, tl0, tl1 - tl0);
        prop_assert!(sc.minimap_matches.iter().all(|&x| x >= tl0 && x < tl1));
        prop_assert!(sc.minimap_matches.windows(2).all(|w| w[0] < w[1]));
        for &s in &order {
            let x = mini.x(t.start_ns[s as usize] as f64);
            prop_assert!(sc.minimap_matches.iter().any(|&m| (m - x).abs() <= 1.0 + PX), "match {} at {}", s, x);
        }
        // Each flow with both spans listed and a row on screen is one arrow,
        // from the end of one bar to the start of the other, at their rows.
        let geo = RowGeometry { header: HEADER, row_height: ROW_H, scroll_y };
        let on_screen = geo.visible_range(height, rows.len());
        let row = |s: u32| rows.iter().position(|&r| r == s);
        let scale = TimeScale::new(view.0, view.1, tl0, tl1 - tl0);
        let mut expected = Vec::new();
        for &(from, to) in &flows {
            let (Some(rf), Some(rt)) = (row(from), row(to)) else { continue };
            if on_screen.contains(&rf) || on_screen.contains(&rt) {
                expected.push((from, to, geo.row_top(rf) + ROW_H / 2.0, geo.row_top(rt) + ROW_H / 2.0));
            }
        }
        let drawn: Vec<_> = sc.arrows.iter().map(|a| (a.from, a.to, a.y0, a.y1)).collect();
        prop_assert_eq!(drawn, expected);
        for a in &sc.arrows {
            prop_assert!(a.x0 >= tl0 && a.x0 <= tl1 && a.x1 >= tl0 && a.x1 <= tl1);
            let end = scale.x(t.end_ns(a.from as usize) as f64).clamp(tl0, tl1);
            let start = scale.x(t.start_ns[a.to as usize] as f64).clamp(tl0, tl1);
            prop_assert!((a.x0 - end).abs() <= PX && (a.x1 - start).abs() <= PX, "arrow {:?}: {} {}", a, end, start);
        }
    }
}

proptest! {
    /// "Matches only": every match and every span above one, nothing else,
    /// in tree order, whatever is folded.
    #[test]
    fn matches_only_shows_the_matches_and_what_is_above_them(
        (_ds, t) in traces(),
        hits in prop::collection::vec(any::<bool>(), 1..8),
    ) {
        let matched: Vec<bool> = (0..t.len()).map(|s| hits[s % hits.len()] && s % 3 == 1).collect();
        let rows = matching_rows(&t, &matched);
        let pos = |s: u32| t.tree.preorder_pos()[s as usize];
        prop_assert!(rows.windows(2).all(|w| pos(w[0]) < pos(w[1])));
        let shown: std::collections::HashSet<u32> = rows.iter().copied().collect();
        for s in 0..t.len() {
            // Above a match: walk up from each match.
            let mut above_a_match = matched[s];
            for m in (0..t.len()).filter(|&m| matched[m]) {
                let mut a = t.tree.parent_of(m);
                while let Some(p) = a {
                    above_a_match |= p == s;
                    a = t.tree.parent_of(p);
                }
            }
            prop_assert_eq!(shown.contains(&(s as u32)), above_a_match, "span {}", s);
        }
    }
}

/// Spans by id in a scene.
fn bar_of(sc: &Scene, span: u32) -> Option<Stretch> {
    sc.rows.iter().find(|r| r.span == span)?.bar
}

/// A root of 0–100 ms whose children all end by 10 ms, zoomed to 40–60 ms:
/// no child is drawn (they were drawn from 40 ms across half the window).
#[test]
fn children_that_ended_before_the_window_are_not_drawn() {
    let ms = 1_000_000;
    let (ds, t) = make_trace(
        &[None, Some(0), Some(0), Some(1)],
        &[0, 0, 2 * ms, ms],
        &[100 * ms, 10 * ms, 5 * ms, 3 * ms],
        &[3],
        &[vec![]],
        &[false],
    );
    let sc = scene_at(&ds, &t, (40.0 * ms as f64, 60.0 * ms as f64));
    let (tl0, tl1) = timeline_extent(1440.0);
    assert_eq!(bar_of(&sc, 0), Some(Stretch { x0: tl0, x1: tl1 }));
    for child in 1..4 {
        assert_eq!(bar_of(&sc, child), None, "span {child}");
    }
    // At 0–20 ms they are there, where they are.
    let sc = scene_at(&ds, &t, (0.0, 20.0 * ms as f64));
    let half = tl0 + (tl1 - tl0) / 2.0;
    let b = bar_of(&sc, 1).unwrap();
    assert!(
        (b.x0 - tl0).abs() < 1e-6 && (b.x1 - half).abs() < 1e-6,
        "{b:?}"
    );
}

/// A span of 3–60 ms with the view at 120–140 ms (the demo's GetCart filled
/// the window), and one that starts inside the window: clipped at its start.
#[test]
fn a_span_is_drawn_as_its_interval_within_the_window() {
    let ms = 1_000_000;
    let (ds, t) = make_trace(
        &[None, Some(0), Some(0)],
        &[0, 3 * ms, 130 * ms],
        &[200 * ms, 57 * ms, 30 * ms],
        &[3],
        &[vec![]],
        &[false],
    );
    let sc = scene_at(&ds, &t, (120.0 * ms as f64, 140.0 * ms as f64));
    let (tl0, tl1) = timeline_extent(1440.0);
    assert_eq!(bar_of(&sc, 1), None);
    let b = bar_of(&sc, 2).unwrap();
    assert!(
        (b.x0 - (tl0 + tl1) / 2.0).abs() < 1e-6 && b.x1 == tl1,
        "{b:?}"
    );
}

/// The root's duration label sits on its bar when there is no room beside
/// it: the critical-path band leaves a gap under it (it was drawn over).
#[test]
fn the_critical_band_never_runs_under_a_duration_label() {
    let ms = 1_000_000;
    let (ds, t) = make_trace(
        &[None, Some(0)],
        &[0, 10 * ms],
        &[100 * ms, 80 * ms],
        &[3],
        &[vec![]],
        &[false],
    );
    let sc = scene_at(&ds, &t, t.time_window());
    let root = &sc.rows[0];
    assert!(root.duration_on_bar);
    let label = root.duration.as_ref().unwrap();
    assert!(!root.critical.is_empty());
    for g in &root.critical {
        assert!(
            g.x1 <= label.x || g.x0 >= label.right(),
            "{g:?} under {label:?}"
        );
    }
    let _ = MINIMAP_H;
}

#[test]
fn the_waterfall_keys_move_fold_and_climb_the_tree() {
    use tracescope_core::layout::waterfall::{key_move, visible_rows, KeyMove};
    use tracescope_core::synth::trace_with;
    // 0 ─┬─ 1 ── 2
    //    └─ 3
    let t = trace_with(
        &[None, Some(0), Some(1), Some(0)],
        &[0, 1, 2, 3],
        &[10, 5, 2, 4],
    );
    let open = vec![false; 4];
    let rows = visible_rows(&t, &open);
    assert_eq!(rows, [0, 1, 2, 3]);
    let k = |key, sel, folded: &[bool]| key_move(key, &t, &visible_rows(&t, folded), sel, folded);
    assert_eq!(k("ArrowDown", None, &open), Some(KeyMove::Select(0)));
    assert_eq!(k("ArrowDown", Some(2), &open), Some(KeyMove::Select(3)));
    assert_eq!(
        k("ArrowDown", Some(3), &open),
        Some(KeyMove::Select(3)),
        "stays on the last row"
    );
    assert_eq!(k("ArrowUp", Some(0), &open), Some(KeyMove::Select(0)));
    assert_eq!(k("End", Some(0), &open), Some(KeyMove::Select(3)));
    // ← folds an open subtree, then climbs to the parent; a leaf climbs.
    assert_eq!(k("ArrowLeft", Some(1), &open), Some(KeyMove::Toggle(1)));
    let folded = [false, true, false, false];
    assert_eq!(k("ArrowLeft", Some(1), &folded), Some(KeyMove::Select(0)));
    assert_eq!(k("ArrowLeft", Some(2), &open), Some(KeyMove::Select(1)));
    assert_eq!(
        k("ArrowLeft", Some(0), &folded[..0]),
        Some(KeyMove::Toggle(0))
    );
    // → unfolds only what is folded; Enter toggles what has children.
    assert_eq!(k("ArrowRight", Some(1), &folded), Some(KeyMove::Toggle(1)));
    assert_eq!(k("ArrowRight", Some(1), &open), None);
    assert_eq!(
        k("Enter", Some(3), &open),
        None,
        "a leaf has nothing to fold"
    );
    // Folded, the hidden row is skipped.
    assert_eq!(k("ArrowDown", Some(1), &folded), Some(KeyMove::Select(3)));
    assert_eq!(k("Escape", Some(1), &open), Some(KeyMove::ClearSelection));
    assert_eq!(k("0", None, &open), Some(KeyMove::ResetZoom));
    assert_eq!(k("x", Some(1), &open), None);
    assert_eq!(
        key_move("ArrowDown", &t, &[], None, &open),
        None,
        "no rows, no move"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// A focus lists its span and every span below it, and nothing else:
    /// the same answer as walking each span's parents.
    #[test]
    fn a_focus_is_its_span_and_every_span_below_it((_ds, t) in traces(), pick in any::<prop::sample::Index>()) {
        use tracescope_core::layout::waterfall::within_subtree;
        let root = pick.index(t.len()) as u32;
        for s in 0..t.len() {
            let mut cur = Some(s);
            let mut below = false;
            while let Some(c) = cur {
                if c == root as usize {
                    below = true;
                    break;
                }
                cur = t.tree.parent_of(c);
            }
            prop_assert_eq!(within_subtree(&t, root, s as u32), below, "span {} under {}", s, root);
        }
        prop_assert!(!within_subtree(&t, root, t.len() as u32), "a span past the end is in no subtree");
    }
}

/// A synthetic trace of `n` spans (Jaeger, from `seed`), decoded.
fn synth(n: usize, seed: u64) -> Dataset {
    use tracescope_core::synth::{trace_json, SynthFormat};
    let mut ds = Dataset::default();
    tracescope_core::decode_bytes(&mut ds, trace_json(n, SynthFormat::Jaeger, seed).as_bytes())
        .unwrap();
    ds
}

/// Every row of `t` on a canvas `width` wide and tall enough for all of
/// them, the whole trace in view; nothing folded, marked or chosen.
fn every_row<'a>(
    ds: &'a Dataset,
    t: &'a Trace,
    rows: &'a [u32],
    width: f64,
    badges: &'a Badges,
) -> SceneInput<'a> {
    SceneInput {
        ds,
        t,
        rows,
        collapsed: &[],
        width,
        height: 4000.0,
        scroll_y: 0.0,
        view: t.time_window(),
        bounds: t.time_window(),
        critical: None,
        matched: None,
        detail_key: None,
        columns: &[],
        flows: &[],
        badges,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    /// The chosen attribute is shown after the operation, in the name
    /// column, as the span's own value (cut with an ellipsis where it does
    /// not fit), on exactly the rows whose span has it.
    #[test]
    fn each_row_shows_its_spans_value_of_the_chosen_attribute(
        n in 1usize..200,
        seed in 0u64..500,
        width in 240.0f64..2400.0,
        key in 0usize..3,
        chosen in prop::collection::vec(0usize..4, 0..4),
    ) {
        let ds = synth(n, seed);
        // Text, a number, and a key no span has.
        let key = ["request.id", "http.status_code", "no.such.key"][key];
        let t = &ds.traces[0];
        let rows = visible_rows(t, &[]);
        let (columns, badges) = (column_keys(&chosen), Badges::default());
        let input = SceneInput {
            detail_key: Some(key),
            columns: &columns,
            ..every_row(&ds, t, &rows, width, &badges)
        };
        let sc = scene(&input, &FixedAdvance(7.0));
        let name_w = sc.names_end;
        for r in &sc.rows {
            let value = ds.span_attr(t, r.span as usize, key).map(|v| ds.value_text(v));
            match (&r.detail, &value, &r.operation) {
                (Some(d), Some(v), Some(op)) => {
                    prop_assert!(d.text == *v || (d.text.ends_with('…') && v.starts_with(d.text.trim_end_matches('…'))), "{} for {}", d.text, v);
                    prop_assert!(d.x >= op.right() && d.right() <= name_w + PX, "detail at {}..{} after {} in {}", d.x, d.right(), op.right(), name_w);
                }
                // No room after the operation (a gap, the error dot's
                // place, a character and the ellipsis).
                (None, Some(_), Some(op)) => prop_assert!(name_w - op.right() < 6.0 + 14.0 + 2.0 * 7.0 + PX, "room {} left", name_w - op.right()),
                (None, _, _) => {}
                (Some(d), None, _) => prop_assert!(false, "{} shown on a span without {}", d.text, key),
                (Some(d), _, None) => prop_assert!(false, "{} shown with no operation", d.text),
            }
        }
        // Without a chosen attribute, none.
        let plain = scene(&SceneInput { detail_key: None, ..input }, &FixedAdvance(7.0));
        prop_assert!(plain.rows.iter().all(|r| r.detail.is_none()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// A span an insight names shows the first such insight's badge at the
    /// name column's right end, before the error dot, clear of the service,
    /// the operation and the chosen attribute; a row shows none when there
    /// is no room for it and a letter of the operation, and no other row
    /// shows one.
    #[test]
    fn rows_named_by_an_insight_carry_its_badge_clear_of_their_names(
        n in 1usize..200,
        seed in 0u64..500,
        width in 240.0f64..2400.0,
        named in prop::collection::vec((any::<prop::sample::Index>(), 0usize..6), 1..6),
        chosen in prop::collection::vec(0usize..4, 0..4),
    ) {
        use tracescope_core::analysis::insights::{Insight, InsightKind};
        let ds = synth(n, seed);
        let t = &ds.traces[0];
        let kinds = [InsightKind::NPlusOne, InsightKind::SerialCalls, InsightKind::Retry,
            InsightKind::DuplicateCalls, InsightKind::Cache, InsightKind::ClockSkew];
        // Insights of a few spans each, overlapping.
        let insights: Vec<Insight> = named.iter().map(|(at, k)| {
            let first = at.index(t.len());
            Insight { kind: kinds[*k], spans: (first..t.len().min(first + 4)).map(|s| s as u32).collect(),
                count: 1, saving_ns: 0, message: String::new(), subject: String::new() }
        }).collect();
        let badges = Badges::of(&insights);
        let rows = visible_rows(t, &[]);
        let columns = column_keys(&chosen);
        let input = SceneInput {
            detail_key: Some("http.status_code"),
            columns: &columns,
            ..every_row(&ds, t, &rows, width, &badges)
        };
        let sc = scene(&input, &FixedAdvance(7.0));
        let name_w = sc.names_end;
        for r in &sc.rows {
            let first = insights.iter().find(|i| i.spans.contains(&r.span)).map(|i| i.kind.badge());
            match (&r.badge, first) {
                (Some(b), Some(want)) => {
                    prop_assert_eq!(b.text.as_str(), want);
                    let error = t.status[r.span as usize] == tracescope_core::model::StatusCode::Error;
                    let right = if error { name_w - 14.0 } else { name_w - 6.0 };
                    prop_assert!((b.right() + 3.0 - right).abs() < PX, "badge ends at {} not {}", b.right() + 3.0, right);
                    for l in [&r.service, &r.operation, &r.detail].into_iter().flatten() {
                        prop_assert!(l.right() <= b.x - 3.0 + PX, "{:?} runs under the badge {:?}", l.text, b.text);
                    }
                    prop_assert!(r.operation.is_some(), "a badge hides the whole operation");
                }
                (Some(b), None) => prop_assert!(false, "{} on a span no insight names", b.text),
                // No room: the badge, a gap, a letter and an ellipsis do not fit after the service.
                (None, Some(want)) => {
                    let start = tracescope_core::layout::waterfall::toggle_x(r.depth) + 14.0 + 9.0;
                    let after = r.service.as_ref().map_or(start, |l| l.right() + 6.0);
                    let error = t.status[r.span as usize] == tracescope_core::model::StatusCode::Error;
                    let right = if error { name_w - 14.0 } else { name_w - 6.0 };
                    prop_assert!(right - after < 7.0 * want.len() as f64 + 6.0 + 4.0 + 14.0 + PX, "room {} for {}", right - after, want);
                }
                (None, None) => {}
            }
        }
        prop_assert_eq!(sc.rows.iter().filter(|r| r.badge.is_some()).count() <= badges.len(), true);
    }
}

/// Attribute keys by number: text, a number, a key no span has, a bool.
fn column_keys(chosen: &[usize]) -> Vec<String> {
    let keys = ["request.id", "http.status_code", "no.such.key", "error"];
    chosen.iter().map(|&k| keys[k].to_string()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// The attribute columns sit side by side at the name column's right
    /// end, as many of the chosen as fit after the room kept for names, in
    /// the order chosen, each headed by its key; a row shows in each its
    /// span's own value (cut with an ellipsis where it does not fit) inside
    /// the column, and nothing where the span lacks the attribute; every
    /// name ends before the first column.
    #[test]
    fn attribute_columns_show_each_spans_own_values_beside_the_names(
        n in 1usize..150,
        seed in 0u64..500,
        width in 240.0f64..2400.0,
        chosen in prop::collection::vec(0usize..4, 0..5),
        detail in any::<bool>(),
    ) {
        let ds = synth(n, seed);
        let t = &ds.traces[0];
        let rows = visible_rows(t, &[]);
        let keys = column_keys(&chosen);
        let badges = Badges::default();
        let input = SceneInput {
            detail_key: detail.then_some("request.id"),
            columns: &keys,
            ..every_row(&ds, t, &rows, width, &badges)
        };
        let sc = scene(&input, &FixedAdvance(7.0));
        let name_w = name_width(width);
        let shown = ((name_w - NAMES_MIN_W) / COLUMN_W).floor().max(0.0) as usize;
        prop_assert_eq!(sc.columns.len(), shown.min(keys.len()));
        prop_assert_eq!(columns_fitting(name_w, keys.len()), sc.columns.len());
        prop_assert!(sc.names_end >= NAMES_MIN_W.min(name_w) - PX);
        let mut x = sc.names_end;
        for (c, key) in sc.columns.iter().zip(&keys) {
            prop_assert!((c.at.x0 - x).abs() < PX && (c.at.w() - COLUMN_W).abs() < PX);
            x = c.at.x1;
            let h = c.header.as_ref().expect("a header");
            prop_assert!(h.text == *key || (h.text.ends_with('…') && key.starts_with(h.text.trim_end_matches('…'))), "header {}", h.text);
            prop_assert!(h.x >= c.at.x0 && h.right() <= c.at.x1 + PX);
            prop_assert!(h.y > MINIMAP_H && h.y < HEADER);
        }
        prop_assert!((x - name_w).abs() < PX || sc.columns.is_empty(), "columns end at {} not {}", x, name_w);
        for r in &sc.rows {
            prop_assert_eq!(r.cells.len(), sc.columns.len());
            for ((cell, c), key) in r.cells.iter().zip(&sc.columns).zip(&keys) {
                let value = ds.span_attr(t, r.span as usize, key).map(|v| ds.value_text(v));
                match (cell, value) {
                    (Some(l), Some(v)) => {
                        prop_assert!(l.text == v || (l.text.ends_with('…') && v.starts_with(l.text.trim_end_matches('…'))), "{} for {}", l.text, v);
                        prop_assert!(l.x >= c.at.x0 && l.right() <= c.at.x1 + PX, "{} outside its column", l.text);
                        prop_assert!((l.y - (r.top + ROW_H / 2.0)).abs() < PX);
                    }
                    (None, None) => {}
                    (cell, value) => prop_assert!(false, "{:?} drawn for {:?} of span {}", cell.as_ref().map(|l| &l.text), value, r.span),
                }
            }
            for l in [&r.service, &r.operation, &r.detail].into_iter().flatten() {
                prop_assert!(l.right() <= sc.names_end + PX, "{} runs into the columns", l.text);
            }
        }
    }
}

/// The flows drawn as arrows: a further FOLLOWS_FROM or span link within
/// the trace, a FOLLOWS_FROM parent and a consumer of its producer; not a
/// plain child, nor a link into another trace.
#[test]
fn flows_are_links_within_the_trace_and_children_that_follow_their_parent() {
    use tracescope_core::layout::waterfall::flows;
    let span = |id: &str, refs: serde_json::Value, kind: &str| {
        serde_json::json!({"traceID": "t1", "spanID": id, "operationName": id, "startTime": 1, "duration": 1,
            "references": refs, "tags": [{"key": "span.kind", "type": "string", "value": kind}],
            "process": {"serviceName": "s"}})
    };
    let r = |ty: &str, trace: &str, id: &str| serde_json::json!({"refType": ty, "traceID": trace, "spanID": id});
    let ds = common::jaeger_dataset(vec![serde_json::json!({"traceID": "t1", "spans": [
        span("a", serde_json::json!([]), "server"),
        span("b", serde_json::json!([r("CHILD_OF", "t1", "a")]), "producer"),
        // Follows from b alone: b is its parent, and the work goes on after it.
        span("c", serde_json::json!([r("FOLLOWS_FROM", "t1", "b")]), "internal"),
        // A child of a that also follows from b: a flow from b.
        span("d", serde_json::json!([r("CHILD_OF", "t1", "a"), r("FOLLOWS_FROM", "t1", "b")]), "internal"),
        // A consumer of the producer b.
        span("e", serde_json::json!([r("CHILD_OF", "t1", "b")]), "consumer"),
        // A link into another trace, and a plain child: no flow.
        span("f", serde_json::json!([r("CHILD_OF", "t1", "a"), r("FOLLOWS_FROM", "t2", "x")]), "client"),
    ]})]);
    let t = &ds.traces[0];
    let id = |s: u32| ds.span_id(t, s as usize).to_string();
    let got: Vec<(String, String)> = flows(&ds, t)
        .into_iter()
        .map(|(a, b)| (id(a), id(b)))
        .collect();
    let mut want = vec![("b", "c"), ("b", "d"), ("b", "e")];
    want.sort_by_key(|&(_, to)| to);
    let want: Vec<(String, String)> = want
        .into_iter()
        .map(|(a, b)| (a.into(), b.into()))
        .collect();
    let mut got_sorted = got.clone();
    got_sorted.sort_by(|x, y| x.1.cmp(&y.1));
    assert_eq!(got_sorted, want);
}
