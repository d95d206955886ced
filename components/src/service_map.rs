//! The service map on `<canvas>`: services as boxes in columns (callers
//! left of callees, laid out by `tracescope_core::layout::service_map`), calls
//! as arrows labelled with call count, error rate and p95 latency.
//!
//! Drag pans, wheel zooms at the cursor, double-click fits the map again.
//! Hovering a service highlights its neighbours; clicking one filters the
//! other views to it (click again, or on the filter chip, to clear).

use crate::canvas::{
    fit_text, local_point, observe_size, repaint, text_width, FONT_BOLD, FONT_SMALL,
};
use crate::theme::{theme, ServiceSlots, Theme};
use leptos::prelude::*;
use tracescope_core::analysis::service_graph::{service_graph, ServiceGraph};
use tracescope_core::layout::service_map::{layout, node_at, MapLayout};
use tracescope_core::layout::text::percent;
use tracescope_core::layout::time::format_duration;
use tracescope_core::model::{Dataset, StrId};
use web_sys::CanvasRenderingContext2d;

pub const NODE_W: f64 = 190.0;
pub const NODE_H: f64 = 42.0;
/// Between columns: room for the edge labels.
pub const COL_GAP: f64 = 150.0;
pub const ROW_GAP: f64 = 14.0;
const MARGIN: f64 = 24.0;

/// Graph → screen: `screen = graph * k + (tx, ty)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Transform {
    pub k: f64,
    pub tx: f64,
    pub ty: f64,
}

impl Transform {
    /// The whole map centred in a `w`×`h` box, never magnified past 1.25×.
    pub fn fit(l: &MapLayout, w: f64, h: f64) -> Transform {
        let (lw, lh) = (l.width.max(1.0), l.height.max(1.0));
        let k = ((w - 2.0 * MARGIN) / lw)
            .min((h - 2.0 * MARGIN) / lh)
            .clamp(0.1, 1.25);
        Transform {
            k,
            tx: (w - lw * k) / 2.0,
            ty: ((h - lh * k) / 2.0).max(MARGIN.min(h / 2.0)),
        }
    }
    pub fn to_graph(&self, x: f64, y: f64) -> (f64, f64) {
        ((x - self.tx) / self.k, (y - self.ty) / self.k)
    }
    pub fn to_screen(&self, x: f64, y: f64) -> (f64, f64) {
        (x * self.k + self.tx, y * self.k + self.ty)
    }
    /// Zoomed by `factor` keeping the screen point (x, y) still.
    pub fn zoom_at(&self, x: f64, y: f64, factor: f64) -> Transform {
        let k = (self.k * factor).clamp(0.1, 4.0);
        let (gx, gy) = self.to_graph(x, y);
        Transform {
            k,
            tx: x - gx * k,
            ty: y - gy * k,
        }
    }
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
}

/// Cubic Bézier control points of an edge: from the caller's right side to
/// the callee's left side, or looping below for calls to the same or an
/// earlier column.
pub fn edge_curve(a: (f64, f64), b: (f64, f64)) -> [(f64, f64); 4] {
    if b.0 > a.0 + NODE_W / 2.0 {
        let p0 = (a.0 + NODE_W / 2.0, a.1);
        let p3 = (b.0 - NODE_W / 2.0, b.1);
        let dx = (p3.0 - p0.0) * 0.5;
        [p0, (p0.0 + dx, p0.1), (p3.0 - dx, p3.1), p3]
    } else {
        let p0 = (a.0, a.1 + NODE_H / 2.0);
        let p3 = (
            b.0 + if (b.0 - a.0).abs() < 1.0 { 12.0 } else { 0.0 },
            b.1 + NODE_H / 2.0,
        );
        let bulge = 40.0 + (a.0 - b.0).abs() * 0.15;
        [p0, (p0.0, p0.1 + bulge), (p3.0, p3.1 + bulge), p3]
    }
}

fn bezier_mid(c: &[(f64, f64); 4]) -> (f64, f64) {
    (
        (c[0].0 + 3.0 * c[1].0 + 3.0 * c[2].0 + c[3].0) / 8.0,
        (c[0].1 + 3.0 * c[1].1 + 3.0 * c[2].1 + c[3].1) / 8.0,
    )
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
    for e in &p.g.edges {
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
        let m = bezier_mid(&c);
        let label = edge_label(e.calls, e.error_rate(), e.p95_ns);
        ctx.set_font(FONT_SMALL);
        let lw = text_width(ctx, &label);
        ctx.set_fill_style_str(th.header_bg);
        rounded_rect(ctx, m.0 - lw / 2.0 - 5.0, m.1 - 9.0, lw + 10.0, 18.0, 9.0);
        ctx.fill();
        ctx.set_fill_style_str(if e.errors > 0 { th.error } else { th.fg });
        let _ = ctx.fill_text(&label, m.0 - lw / 2.0, m.1);
    }
    for (i, n) in p.g.nodes.iter().enumerate() {
        let (cx, cy) = p.l.centers[i];
        let (x, y) = (cx - NODE_W / 2.0, cy - NODE_H / 2.0);
        let filtered_out = p.filter.is_some_and(|f| f != n.service);
        ctx.set_global_alpha(if !lit(i) || filtered_out { 0.3 } else { 1.0 });
        let color = th.service(p.slots, n.service);
        ctx.set_fill_style_str(th.bg);
        rounded_rect(ctx, x, y, NODE_W, NODE_H, 7.0);
        ctx.fill();
        let chosen = p.filter == Some(n.service) || p.hover == Some(i);
        ctx.set_stroke_style_str(if chosen { th.selected_outline } else { color });
        ctx.set_line_width(if chosen { 3.0 } else { 2.0 });
        ctx.stroke();
        ctx.set_fill_style_str(color);
        ctx.fill_rect(x + 6.0, y + 7.0, 5.0, NODE_H - 14.0);
        ctx.set_font(FONT_BOLD);
        ctx.set_fill_style_str(th.fg);
        if let Some(t) = fit_text(ctx, p.ds.str(n.service), NODE_W - 26.0) {
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

#[component]
pub fn ServiceMap(
    dataset: RwSignal<Dataset>,
    #[prop(into)] trace: Signal<Option<usize>>,
    #[prop(into)] all_traces: Signal<bool>,
    service_filter: RwSignal<Option<StrId>>,
    slots: Memo<ServiceSlots>,
    #[prop(into)] dark: Signal<bool>,
) -> impl IntoView {
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let wrap_ref = NodeRef::<leptos::html::Div>::new();
    let size = RwSignal::new((800.0f64, 500.0f64));
    let hover = RwSignal::new(None::<usize>);
    let user_tf = RwSignal::new(None::<Transform>);
    let drag = StoredValue::new(None::<(f64, f64, Transform, bool)>);
    observe_size(wrap_ref, size);

    let graph = Memo::new(move |_| {
        let all = all_traces.get();
        let open = trace.get();
        dataset.with(|ds| service_graph(ds.scope(open, all)))
    });
    let map = Memo::new(move |_| graph.with(|g| layout(g, NODE_W, NODE_H, COL_GAP, ROW_GAP)));
    // New data: fit again.
    Effect::new(move |_| {
        map.track();
        user_tf.set(None);
    });
    let tf = move || {
        user_tf.get().unwrap_or_else(|| {
            let (w, h) = size.get();
            map.with(|l| Transform::fit(l, w, h))
        })
    };

    repaint(canvas_ref, size, move |ctx, w, h| {
        let t = tf();
        let th = theme(dark.get());
        let hov = hover.get();
        let filter = service_filter.get();
        graph.with(|g| {
            map.with(|l| {
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
                            },
                        )
                    })
                })
            })
        });
    });

    let node_under = move |x: f64, y: f64| {
        let t = tf();
        let (gx, gy) = t.to_graph(x, y);
        map.with_untracked(|l| node_at(l, gx, gy, NODE_W, NODE_H))
    };
    let toggle_filter = move |i: usize| {
        let s = graph.with_untracked(|g| g.nodes.get(i).map(|n| n.service));
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
                user_tf.set(Some(Transform {
                    tx: t0.tx + x - x0,
                    ty: t0.ty + y - y0,
                    ..t0
                }));
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

    // The services as a list too: readable without the canvas, and each
    // item says where its box is on screen.
    let legend = move || {
        let t = tf();
        let th = theme(dark.get());
        graph.with(|g| {
            map.with(|l| {
                dataset.with(|ds| {
                    let mut order: Vec<usize> = (0..g.nodes.len()).collect();
                    tracescope_core::order::sort_by_key(&mut order, |&i| ds.str(g.nodes[i].service));
                    order
                        .into_iter()
                        .map(|i| {
                            let n = &g.nodes[i];
                            let (name, spans, errors, s) =
                                (ds.str(n.service).to_string(), n.spans, n.errors, n.service);
                            let (cx, cy) = t.to_screen(l.centers[i].0, l.centers[i].1);
                            let color = slots.with(|sl| th.service(sl, s));
                            let key = name.clone();
                            view! {
                                <li
                                    data-service=key
                                    data-cx=format!("{cx:.1}")
                                    data-cy=format!("{cy:.1}")
                                    class:active=move || service_filter.get() == Some(s)
                                    on:click=move |_| service_filter.update(|f| *f = if *f == Some(s) { None } else { Some(s) })
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
        })
    };

    view! {
        <div class="map-view">
            <div class="map" node_ref=wrap_ref>
                <canvas
                    node_ref=canvas_ref
                    data-testid="map-canvas"
                    aria-label="Service map; click a service to filter the other views to it"
                    style="width:100%;height:100%;display:block"
                    data-nodes=move || graph.with(|g| g.nodes.len())
                    data-edges=move || graph.with(|g| g.edges.len())
                    on:mousedown=on_mousedown
                    on:mousemove=on_mousemove
                    on:mouseup=on_mouseup
                    on:mouseleave=move |_| {
                        hover.set(None);
                        drag.set_value(None);
                    }
                    on:dblclick=move |_| user_tf.set(None)
                    on:wheel=on_wheel
                ></canvas>
            </div>
            <ul class="legend" data-testid="map-legend">{legend}</ul>
        </div>
    }
}
