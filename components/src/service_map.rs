//! The service map on `<canvas>`: services as boxes in columns (callers
//! left of callees, laid out by `tracescope_core::layout::service_map`), calls
//! as arrows labelled with call count, error rate and p95 latency.
//!
//! Drag pans, wheel zooms at the cursor, double-click fits the map again;
//! on a touch screen one finger pans and two pinch.
//! Hovering a service highlights its neighbours; clicking one filters the
//! other views to it (click again, or on the filter chip, to clear).

use crate::canvas::{
    build_in_parts, fit_text, in_parts, local_point, observe_size, repaint, text_width, FONT_BOLD,
    FONT_SMALL,
};
use crate::context::{view_context, ViewContext};
use crate::theme::{theme, ServiceSlots, Theme};
use crate::touch::{TouchPad, TOUCH_STYLE};
use leptos::prelude::*;
use tracescope_core::analysis::service_graph::{
    fold_leaves, GraphBuilder, ServiceGraph, ServiceNode,
};
use tracescope_core::layout::service_map::{
    bezier_mid, edge_curve, edge_labels, fits_readably, layout, node_at, MapLayout, Transform,
    COL_GAP, MAX_MAP_SIZE, NODE_H, NODE_W, ROW_GAP,
};
use tracescope_core::layout::text::percent;
use tracescope_core::layout::time::format_duration;
use tracescope_core::model::{Dataset, StrId};
use web_sys::CanvasRenderingContext2d;

/// A service graph and its layout (one index space).
#[derive(Clone, Default, PartialEq)]
struct Drawn {
    g: ServiceGraph,
    l: MapLayout,
    /// Leaf services are folded into one box per caller (the map would
    /// not be readable whole).
    folded: bool,
}

pub struct MapPaint<'a> {
    pub ds: &'a Dataset,
    pub g: &'a ServiceGraph,
    pub l: &'a MapLayout,
    pub tf: Transform,
    pub width: f64,
    pub height: f64,
    pub hover: Option<usize>,
    pub filter: Option<StrId>,
    pub slots: &'a ServiceSlots,
    pub th: &'static Theme,
    /// Groups are folds of leaf services ([`node_name`]).
    pub folded: bool,
}

fn rounded_rect(ctx: &CanvasRenderingContext2d, x: f64, y: f64, w: f64, h: f64, r: f64) {
    ctx.begin_path();
    ctx.move_to(x + r, y);
    let _ = ctx.arc_to(x + w, y, x + w, y + h, r);
    let _ = ctx.arc_to(x + w, y + h, x, y + h, r);
    let _ = ctx.arc_to(x, y + h, x, y, r);
    let _ = ctx.arc_to(x, y, x + w, y, r);
    ctx.close_path();
}

/// A node's name: its service; for a fold, its busiest service and how
/// many more; for the group of a graph too large to lay out, how many.
pub fn node_name(ds: &Dataset, n: &ServiceNode, folded: bool) -> String {
    match (n.members, folded) {
        (1, _) => ds.str(n.service).to_string(),
        (m, true) => format!("{} +{} more", ds.str(n.service), m - 1),
        (m, false) => format!("{m} other services"),
    }
}

/// An edge label's height (graph units).
const LABEL_H: f64 = 18.0;

/// Text for an edge: calls, error rate, p95.
pub fn edge_label(calls: usize, error_rate: f64, p95_ns: i64) -> String {
    let mut s = format!("{calls} call{}", if calls == 1 { "" } else { "s" });
    if error_rate > 0.0 {
        s += &format!(" · {} err", percent(error_rate));
    }
    s + &format!(" · p95 {}", format_duration(p95_ns as f64))
}

pub fn paint(ctx: &CanvasRenderingContext2d, p: &MapPaint) {
    let th = p.th;
    ctx.set_fill_style_str(th.bg);
    ctx.fill_rect(0.0, 0.0, p.width, p.height);
    if p.g.nodes.is_empty() {
        return;
    }
    let tf = p.tf;
    ctx.save();
    let _ = ctx.transform(tf.k, 0.0, 0.0, tf.k, tf.tx, tf.ty);
    ctx.set_text_baseline("middle");
    // Neighbours of the hovered node stay bright, the rest fades.
    let lit = |i: usize| match p.hover {
        None => true,
        Some(h) => {
            h == i
                || p.g
                    .edges
                    .iter()
                    .any(|e| (e.from == h && e.to == i) || (e.to == h && e.from == i))
        }
    };
    // Labels where they cover nothing; the rest show when a service is hovered.
    ctx.set_font(FONT_SMALL);
    let labels: Vec<String> =
        p.g.edges
            .iter()
            .map(|e| edge_label(e.calls, e.error_rate(), e.p95_ns))
            .collect();
    let widths: Vec<f64> = labels.iter().map(|l| text_width(ctx, l) + 10.0).collect();
    let ends: Vec<(usize, usize, usize)> =
        p.g.edges.iter().map(|e| (e.from, e.to, e.calls)).collect();
    let placed = edge_labels(p.l, &ends, &widths, LABEL_H);
    for (ei, e) in p.g.edges.iter().enumerate() {
        if e.from == e.to {
            continue;
        }
        let c = edge_curve(p.l.centers[e.from], p.l.centers[e.to]);
        let on = p.hover.is_none_or(|h| e.from == h || e.to == h);
        ctx.set_global_alpha(if on { 1.0 } else { 0.2 });
        let color = if e.errors > 0 { th.error } else { th.muted };
        ctx.set_stroke_style_str(color);
        ctx.set_line_width((1.0 + (e.calls as f64).log2() * 0.6).clamp(1.0, 5.0));
        ctx.begin_path();
        ctx.move_to(c[0].0, c[0].1);
        ctx.bezier_curve_to(c[1].0, c[1].1, c[2].0, c[2].1, c[3].0, c[3].1);
        ctx.stroke();
        // Arrowhead along the last control segment.
        let (dx, dy) = (c[3].0 - c[2].0, c[3].1 - c[2].1);
        let len = (dx * dx + dy * dy).sqrt().max(1e-6);
        let (ux, uy) = (dx / len, dy / len);
        ctx.set_fill_style_str(color);
        ctx.begin_path();
        ctx.move_to(c[3].0, c[3].1);
        ctx.line_to(c[3].0 - ux * 9.0 - uy * 4.5, c[3].1 - uy * 9.0 + ux * 4.5);
        ctx.line_to(c[3].0 - ux * 9.0 + uy * 4.5, c[3].1 - uy * 9.0 - ux * 4.5);
        ctx.close_path();
        ctx.fill();
        let touches_hover = p.hover.is_some_and(|h| e.from == h || e.to == h);
        if placed[ei].is_none() && !touches_hover {
            continue;
        }
        let m = bezier_mid(&c);
        let label = &labels[ei];
        ctx.set_font(FONT_SMALL);
        let lw = text_width(ctx, label);
        ctx.set_fill_style_str(th.header_bg);
        rounded_rect(
            ctx,
            m.0 - lw / 2.0 - 5.0,
            m.1 - LABEL_H / 2.0,
            lw + 10.0,
            LABEL_H,
            9.0,
        );
        ctx.fill();
        ctx.set_fill_style_str(if e.errors > 0 { th.error } else { th.fg });
        let _ = ctx.fill_text(label, m.0 - lw / 2.0, m.1);
    }
    for (i, n) in p.g.nodes.iter().enumerate() {
        let (cx, cy) = p.l.centers[i];
        let (x, y) = (cx - NODE_W / 2.0, cy - NODE_H / 2.0);
        let filtered_out = p.filter.is_some_and(|f| f != n.service || n.members > 1);
        ctx.set_global_alpha(if !lit(i) || filtered_out { 0.3 } else { 1.0 });
        let color = th.service(p.slots, n.service);
        ctx.set_fill_style_str(th.bg);
        rounded_rect(ctx, x, y, NODE_W, NODE_H, 7.0);
        ctx.fill();
        let chosen = (p.filter == Some(n.service) && n.members == 1) || p.hover == Some(i);
        ctx.set_stroke_style_str(if chosen { th.selected_outline } else { color });
        ctx.set_line_width(if chosen { 3.0 } else { 2.0 });
        ctx.stroke();
        ctx.set_fill_style_str(color);
        ctx.fill_rect(x + 6.0, y + 7.0, 5.0, NODE_H - 14.0);
        ctx.set_font(FONT_BOLD);
        ctx.set_fill_style_str(th.fg);
        if let Some(t) = fit_text(ctx, &node_name(p.ds, n, p.folded), NODE_W - 26.0) {
            let _ = ctx.fill_text(&t, x + 18.0, y + 14.0);
        }
        ctx.set_font(FONT_SMALL);
        let rate = n.error_rate();
        ctx.set_fill_style_str(if n.errors > 0 { th.error } else { th.muted });
        let facts = format!(
            "{} span{} · {} errors",
            n.spans,
            if n.spans == 1 { "" } else { "s" },
            percent(rate)
        );
        let _ = ctx.fill_text(&facts, x + 18.0, y + 29.0);
    }
    ctx.restore();
}

/// Spans taken into the service graph per task: ~10 ms in a page.
const GRAPH_PART: usize = 100_000;

/// The service graph of the open trace (or of all loaded) with at most
/// `max_size` nodes plus edges, made a part per task; None while it is
/// made. The map and its table of calls both use it.
pub fn service_graph_in_parts(
    dataset: RwSignal<Dataset>,
    trace: Signal<Option<usize>>,
    all_traces: Signal<bool>,
    max_size: usize,
) -> RwSignal<Option<ServiceGraph>> {
    let graph = RwSignal::new(None);
    let job = StoredValue::new(0u64);
    Effect::new(move |_| {
        let (all, open) = (all_traces.get(), trace.get());
        dataset.track();
        graph.set(None);
        build_in_parts(
            job,
            dataset,
            GraphBuilder::new(max_size),
            move |b, ds| b.step(ds.scope(open, all), GRAPH_PART),
            move |b, _| graph.set(Some(b.finish())),
        );
    });
    graph
}

#[component]
pub fn ServiceMap() -> impl IntoView {
    let ViewContext {
        dataset,
        trace,
        all_traces,
        service_filter,
        slots,
        dark,
        ..
    } = view_context();
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let wrap_ref = NodeRef::<leptos::html::Div>::new();
    let size = RwSignal::new((800.0f64, 500.0f64));
    let hover = RwSignal::new(None::<usize>);
    let user_tf = RwSignal::new(None::<Transform>);
    let drag = StoredValue::new(None::<(f64, f64, Transform, bool)>);
    observe_size(wrap_ref, size);

    // The graph is made a part per task and laid out a task later: on a
    // large trace each would take tens of milliseconds at once. The map
    // drawn so far stays until the new one is ready.
    let drawn = RwSignal::new(Drawn::default());
    let graph = service_graph_in_parts(dataset, trace, all_traces, MAX_MAP_SIZE);
    let laying_out = RwSignal::new(true);
    let job = StoredValue::new(0u64);
    Effect::new(move |_| {
        let mut g = graph.get();
        laying_out.set(true);
        let (all, open) = (all_traces.get_untracked(), trace.get_untracked());
        in_parts(job, move || {
            let Some(g) = g.take() else {
                return false;
            };
            let l = layout(&g, NODE_W, NODE_H, COL_GAP, ROW_GAP);
            let (w, h) = size.get_untracked();
            // Too large to read whole: each caller's leaf services share a box.
            let folded = (!fits_readably(&l, w, h))
                .then(|| dataset.with_untracked(|ds| fold_leaves(ds.scope(open, all), &g)))
                .flatten()
                .map(|f| {
                    let fl = layout(&f, NODE_W, NODE_H, COL_GAP, ROW_GAP);
                    (f, fl)
                });
            drawn.set(match folded {
                Some((g, l)) => Drawn { g, l, folded: true },
                None => Drawn {
                    g,
                    l,
                    folded: false,
                },
            });
            laying_out.set(false);
            false
        });
    });
    // New data: fit again.
    Effect::new(move |_| {
        drawn.track();
        user_tf.set(None);
    });
    let tf = move || {
        user_tf.get().unwrap_or_else(|| {
            let (w, h) = size.get();
            drawn.with(|d| Transform::fit_readably(&d.l, w, h))
        })
    };

    repaint(canvas_ref, size, move |ctx, w, h| {
        let t = tf();
        let th = theme(dark.get());
        let hov = hover.get();
        let filter = service_filter.get();
        drawn.with(|Drawn { g, l, folded }| {
            slots.with(|slots| {
                dataset.with(|ds| {
                    paint(
                        &ctx,
                        &MapPaint {
                            ds,
                            g,
                            l,
                            tf: t,
                            width: w,
                            height: h,
                            hover: hov,
                            filter,
                            slots,
                            th,
                            folded: *folded,
                        },
                    )
                })
            })
        });
    });

    let node_under = move |x: f64, y: f64| {
        let t = tf();
        let (gx, gy) = t.to_graph(x, y);
        drawn.with_untracked(|d| node_at(&d.l, gx, gy, NODE_W, NODE_H))
    };
    // A group of services is not one service to filter by.
    let toggle_filter = move |i: usize| {
        let s = drawn.with_untracked(|d| {
            d.g.nodes
                .get(i)
                .filter(|n| n.members == 1)
                .map(|n| n.service)
        });
        if s.is_none() {
            return;
        }
        service_filter.update(|f| *f = if *f == s { None } else { s });
    };
    let on_mousedown = move |ev: web_sys::MouseEvent| {
        if ev.button() == 0 {
            let (x, y) = local_point(canvas_ref, &ev);
            drag.set_value(Some((x, y, tf(), false)));
        }
    };
    let on_mousemove = move |ev: web_sys::MouseEvent| {
        let (x, y) = local_point(canvas_ref, &ev);
        if let Some((x0, y0, t0, moved)) = drag.get_value() {
            if moved || (x - x0).abs() + (y - y0).abs() > 4.0 {
                drag.set_value(Some((x0, y0, t0, true)));
                user_tf.set(Some(t0.moved_by(x - x0, y - y0)));
                return;
            }
        }
        let n = node_under(x, y);
        if n != hover.get_untracked() {
            hover.set(n);
        }
    };
    let on_mouseup = move |ev: web_sys::MouseEvent| {
        let Some((_, _, _, moved)) = drag.get_value() else {
            return;
        };
        drag.set_value(None);
        if !moved {
            let (x, y) = local_point(canvas_ref, &ev);
            if let Some(i) = node_under(x, y) {
                toggle_filter(i);
            }
        }
    };
    let on_wheel = move |ev: web_sys::WheelEvent| {
        ev.prevent_default();
        let (x, y) = local_point(canvas_ref, &ev);
        user_tf.set(Some(tf().zoom_at(x, y, (-ev.delta_y() * 0.002).exp())));
    };
    let pad = TouchPad::new(canvas_ref);
    let on_touch_move = move |ev: web_sys::PointerEvent| {
        if let Some(g) = pad.moved(&ev) {
            user_tf.set(Some(tf().moved_by(g.dx, g.dy).zoom_at(g.cx, g.cy, g.scale)));
        }
    };

    // The services as a list too: readable without the canvas, and each
    // item says where its box is on screen.
    let legend = move || {
        let t = tf();
        let th = theme(dark.get());
        drawn.with(|Drawn { g, l, folded }| {
                dataset.with(|ds| {
                    let mut order: Vec<usize> = (0..g.nodes.len()).collect();
                    // The group of services, if any, last.
                    tracescope_core::order::sort_by_key(&mut order, |&i| {
                        (g.nodes[i].members > 1, ds.str(g.nodes[i].service))
                    });
                    order
                        .into_iter()
                        .map(|i| {
                            let n = &g.nodes[i];
                            let group = n.members > 1;
                            let (name, spans, errors, s) =
                                (node_name(ds, n, *folded), n.spans, n.errors, n.service);
                            let (cx, cy) = t.to_screen(l.centers[i].0, l.centers[i].1);
                            let color = slots.with(|sl| th.service(sl, s));
                            let key = name.clone();
                            view! {
                                <li
                                    data-service=key
                                    data-cx=format!("{cx:.1}")
                                    data-cy=format!("{cy:.1}")
                                    data-members=n.members
                                    class:active=move || !group && service_filter.get() == Some(s)
                                    on:click=move |_| if !group { service_filter.update(|f| *f = if *f == Some(s) { None } else { Some(s) }) }
                                >
                                    <span class="swatch" style=format!("background:{color}")></span>
                                    {name}
                                    <span class="muted">{format!(" {spans} span{}", if spans == 1 { "" } else { "s" })}</span>
                                    {(errors > 0).then(|| view! { <span class="error">{format!(" · {errors} errors")}</span> })}
                                </li>
                            }
                        })
                        .collect_view()
                })
        })
    };

    // Said plainly when the map groups services to stay drawable.
    let notice = move || {
        drawn.with(|Drawn { g, folded, .. }| {
            let group = g.nodes.iter().find(|n| n.members > 1)?;
            if *folded {
                let boxes = g.nodes.iter().filter(|n| n.members > 1).count();
                let services: usize = g.nodes.iter().filter(|n| n.members > 1).map(|n| n.members).sum();
                return Some(view! {
                    <p class="map-notice" data-testid="map-notice" data-folded=services>
                        {format!(
                            "To keep the map readable, {services} services that only one caller calls share {boxes} box{} (“+N more”); every caller and call is drawn. Hover a service for the labels of its calls.",
                            if boxes == 1 { "" } else { "es" }
                        )}
                    </p>
                }.into_any());
            }
            let total: usize = g.nodes.iter().map(|n| n.members).sum();
            Some(view! {
                <p class="map-notice" data-testid="map-notice" data-services=total data-grouped=group.members>
                    {format!(
                        "{total} services and their calls are too many to lay out at once: the {} busiest are drawn on their own, the other {} as one box.",
                        g.nodes.len() - 1,
                        group.members
                    )}
                </p>
            }.into_any())
        })
    };

    // Said too when the map is larger than the view at a readable size: over
    // the map, so that the map stays where it is under the pointer when the
    // first drag makes the hint go.
    let pan_hint = move || {
        let (w, h) = size.get();
        let larger = drawn.with(|d| !d.g.nodes.is_empty() && !fits_readably(&d.l, w, h));
        (larger && user_tf.with(Option::is_none)).then(|| view! {
            <p class="map-notice map-hint" data-testid="map-pan-hint">
                "The map is larger than the view at a readable size: drag to see the rest, or zoom out with the wheel."
            </p>
        })
    };
    view! {
        <div class="map-view">
            {notice}
            <div class="map" node_ref=wrap_ref>
                {pan_hint}
                <canvas
                    node_ref=canvas_ref
                    data-testid="map-canvas"
                    aria-label="Service map; click a service to filter the other views to it"
                    style=TOUCH_STYLE
                    data-nodes=move || drawn.with(|d| d.g.nodes.len())
                    data-edges=move || drawn.with(|d| d.g.edges.len())
                    data-laying-out=move || laying_out.get().to_string()
                    data-zoom=move || format!("{:.3}", tf().k)
                    data-services=move || drawn.with(|d| d.g.nodes.iter().map(|n| n.members).sum::<usize>())
                    on:mousedown=on_mousedown
                    on:mousemove=on_mousemove
                    on:mouseup=on_mouseup
                    on:mouseleave=move |_| {
                        hover.set(None);
                        drag.set_value(None);
                    }
                    on:dblclick=move |_| user_tf.set(None)
                    on:wheel=on_wheel
                    on:pointerdown=move |ev| pad.down(&ev)
                    on:pointermove=on_touch_move
                    on:pointerup=move |ev| pad.up(&ev)
                    on:pointercancel=move |ev| pad.up(&ev)
                ></canvas>
            </div>
            <ul class="legend" data-testid="map-legend">{legend}</ul>
        </div>
    }
}
