//! The merged tree of two traces on a canvas: each path of
//! service:operation under its parent, its time in A (grey, above) and in
//! B (below, coloured by the change) on one scale, the change at the
//! right. Placed by `core::layout::diff_tree`.

use crate::canvas::{draw_label, in_parts, observe_size, prepare, CanvasText};
use crate::theme::{theme, Theme};
use leptos::html::Canvas;
use leptos::prelude::*;
use tracescope_core::analysis::diff::DiffNode;
use tracescope_core::layout::diff_tree::{diff_rows, Change, DiffRow, ROW_H};
use tracescope_core::Dataset;
use web_sys::CanvasRenderingContext2d;

/// Paths drawn at most (a canvas has a height limit).
pub const MAX_ROWS: usize = 200;

fn change_color(th: &Theme, c: Change) -> &'static str {
    match c {
        Change::Slower => th.error,
        Change::Faster => th.faster,
        Change::New => th.services[1],
        Change::Same | Change::Gone => th.muted,
    }
}

pub fn paint_diff_tree(
    ctx: &CanvasRenderingContext2d,
    rows: &[DiffRow],
    th: &Theme,
    w: f64,
    h: f64,
) {
    ctx.set_fill_style_str(th.bg);
    ctx.fill_rect(0.0, 0.0, w, h);
    ctx.set_text_baseline("middle");
    for (k, r) in rows.iter().enumerate() {
        if k % 2 == 1 {
            ctx.set_fill_style_str(th.stripe);
            ctx.fill_rect(0.0, r.y, w, ROW_H);
        }
        ctx.set_fill_style_str(th.muted);
        let [a, b] = r.bars;
        ctx.fill_rect(a.x, a.y, a.w, a.h);
        let color = change_color(th, r.change);
        ctx.set_fill_style_str(color);
        ctx.fill_rect(b.x, b.y, b.w, b.h);
        draw_label(ctx, &r.delta);
        ctx.set_fill_style_str(th.fg);
        draw_label(ctx, &r.label);
    }
}

/// `nodes` (from `analysis::diff::align`) drawn as a tree; `canvas_ref`
/// lets the page save it as a picture.
#[component]
pub fn DiffTree(
    dataset: RwSignal<Dataset>,
    nodes: RwSignal<Vec<DiffNode>>,
    canvas_ref: NodeRef<Canvas>,
    #[prop(into)] dark: Signal<bool>,
) -> impl IntoView {
    let wrap = NodeRef::<leptos::html::Div>::new();
    let size = RwSignal::new((800.0, 200.0));
    observe_size(wrap, size);
    let shown = move || nodes.with(|n| n.len().min(MAX_ROWS));
    // Drawn a task after the paths arrive: a canvas of 200 rows is ~28 MB
    // to make and fill, and the table of the same paths is built in the
    // task they arrive in (both in one were 55–95 ms on two busy cores).
    let job = StoredValue::new(0u64);
    Effect::new(move |_| {
        let w = size.get().0;
        let th = theme(dark.get());
        nodes.track();
        dataset.track();
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        in_parts(job, move || {
            let h = untrack(shown) as f64 * ROW_H;
            let Some(ctx) = prepare(&canvas, w, h) else {
                return false;
            };
            let rows = nodes.with_untracked(|n| {
                dataset.with_untracked(|ds| {
                    let name =
                        |d: &DiffNode| format!("{} {}", ds.str(d.service), ds.str(d.operation));
                    diff_rows(n, name, w, &CanvasText(&ctx), MAX_ROWS)
                })
            });
            paint_diff_tree(&ctx, &rows, th, w, h);
            false
        });
    });
    view! {
        <div class="diff-tree" node_ref=wrap>
            <canvas node_ref=canvas_ref data-testid="diff-tree" data-rows=shown
                style=move || format!("width:100%;height:{}px;display:block", shown() as f64 * ROW_H)
                aria-label="The two traces merged by path of service:operation: each path's time in A (grey, above) and B (below, red when slower, green when faster), on one scale; the table below holds the same numbers"></canvas>
            {move || (nodes.with(Vec::len) > MAX_ROWS).then(|| view! {
                <p class="muted">{format!("The first {MAX_ROWS} of {} paths are drawn.", nodes.with(Vec::len))}</p>
            })}
        </div>
    }
}
