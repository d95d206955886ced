//! Search results: a scatter plot of duration against start time (traces
//! with errors in red; click a dot to open it) and a
//! sortable list (root service and operation, start, duration, spans,
//! errors, services). Tick two rows to open them side by side.

use crate::canvas::{local_point, observe_size, prepare, CanvasText};
use crate::chart::paint_chart;
use crate::theme::theme;
use leptos::prelude::*;
use tracescope_core::backend::response::Found;
use tracescope_core::layout::chart::{scatter_chart, Mark, ScatterPoint};
use tracescope_core::layout::scatter::{XLabel, XTick};
use tracescope_core::layout::time::{format_duration, format_utc};
use web_sys::HtmlCanvasElement;

/// A wall-clock time in UTC or the browser's time zone.
pub fn format_time(ns: i64, utc: bool) -> String {
    if utc {
        return format_utc(ns);
    }
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ns as f64 / 1e6));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds(),
        d.get_milliseconds()
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Root,
    Start,
    Duration,
    Spans,
    Errors,
}

fn sorted(rows: &[Found], col: Column, descending: bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    tracescope_core::order::sort_by(&mut order, |&a, &b| {
        let (x, y) = (&rows[a], &rows[b]);
        let o = match col {
            Column::Root => (&x.root_service, &x.root_name).cmp(&(&y.root_service, &y.root_name)),
            Column::Start => x.start_ns.cmp(&y.start_ns),
            Column::Duration => x.duration_ns.cmp(&y.duration_ns),
            Column::Spans => x.spans.cmp(&y.spans),
            Column::Errors => x.errors.cmp(&y.errors),
        };
        if descending {
            o.reverse()
        } else {
            o
        }
    });
    order
}

#[component]
pub fn SearchResults(
    #[prop(into)] results: Signal<Vec<Found>>,
    #[prop(into)] dark: Signal<bool>,
    #[prop(into)] utc: Signal<bool>,
    /// A result chosen (its index in `results`).
    on_open: Callback<usize>,
    /// Two results to show side by side.
    on_compare: Callback<(usize, usize)>,
    /// Results in a box drawn on the plot, to compare with the rest.
    on_compare_box: Callback<Vec<usize>>,
) -> impl IntoView {
    let sort = RwSignal::new((Column::Start, true));
    let ticked = RwSignal::new(Vec::<usize>::new());
    // A box dragged on the plot (CSS pixels: where the drag began, where it is).
    let brush = RwSignal::new(None::<[(f64, f64); 2]>);
    // A new answer: nothing ticked, no box.
    Effect::new(move |_| {
        results.track();
        ticked.set(Vec::new());
        brush.set(None);
    });
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let wrap = NodeRef::<leptos::html::Div>::new();
    let size = RwSignal::new((600.0, 220.0));
    observe_size(wrap, size);
    // Where each dot was drawn (CSS pixels), for clicks.
    let dots = RwSignal::new(Vec::<(f64, f64)>::new());
    Effect::new(move |_| {
        let size = size.get();
        let (dark, utc) = (dark.get(), utc.get());
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        dots.set(results.with(|r| draw_scatter(&canvas, r, dark, utc, size)));
    });
    let dragging = RwSignal::new(false);
    // The results whose dots are in the box.
    let boxed = Memo::new(move |_| {
        let Some([a, b]) = brush.get() else {
            return Vec::new();
        };
        let inside = |v: f64, p: f64, q: f64| v >= p.min(q) && v <= p.max(q);
        dots.with(|d| {
            (0..d.len())
                .filter(|&i| inside(d[i].0, a.0, b.0) && inside(d[i].1, a.1, b.1))
                .collect()
        })
    });
    let on_click = move |ev: web_sys::MouseEvent| {
        let (x, y) = local_point(canvas_ref, &ev);
        // The end of a drag is no click on a dot.
        if brush
            .with_untracked(|b| b.is_some_and(|[a, b]| (a.0 - b.0).abs() + (a.1 - b.1).abs() > 6.0))
        {
            return;
        }
        brush.set(None);
        let hit = dots.with_untracked(|d| {
            d.iter()
                .enumerate()
                .map(|(i, &(dx, dy))| (i, (dx - x).hypot(dy - y)))
                .filter(|&(_, dist)| dist <= 8.0)
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(i, _)| i)
        });
        if let Some(i) = hit {
            on_open.run(i);
        }
    };
    let header = move |col: Column, label: &'static str, num: bool| {
        let arrow = move || match sort.get() {
            (c, true) if c == col => " ▼",
            (c, false) if c == col => " ▲",
            _ => "",
        };
        view! {
            <th class:num=num on:click=move |_| sort.update(|s| *s = (col, if s.0 == col { !s.1 } else { col != Column::Root }))>
                {label}{arrow}
            </th>
        }
    };
    let rows = move || {
        let (col, desc) = sort.get();
        let utc = utc.get();
        results.with(|r| {
            sorted(r, col, desc)
                .into_iter()
                .map(|i| {
                    let f = r[i].clone();
                    let count = |n: Option<usize>| n.map_or("—".to_string(), |n| n.to_string());
                    let has_errors = f.errors.unwrap_or(0) > 0;
                    view! {
                        <tr class:has-errors=has_errors data-trace-id=f.trace_id.clone() on:click=move |_| on_open.run(i)>
                            <td on:click=|ev| ev.stop_propagation()>
                                <input type="checkbox" title="Tick two to open side by side"
                                    prop:checked=move || ticked.with(|t| t.contains(&i))
                                    on:change=move |_| ticked.update(|t| {
                                        if let Some(p) = t.iter().position(|&x| x == i) {
                                            t.remove(p);
                                        } else {
                                            t.push(i);
                                            if t.len() > 2 {
                                                t.remove(0);
                                            }
                                        }
                                    }) />
                            </td>
                            <td><b>{f.root_service.clone()}</b>" "<span class="muted">{f.root_name.clone()}</span></td>
                            <td class="mono">{format_time(f.start_ns, utc)}</td>
                            <td class="num">{format_duration(f.duration_ns as f64)}</td>
                            <td class="num">{count(f.spans)}</td>
                            <td class="num">{count(f.errors)}</td>
                            <td class="muted">{f.services.join(", ")}</td>
                            <td class="mono muted">{f.trace_id.clone()}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <div class="search-results" data-testid="search-results" data-count=move || results.with(Vec::len)>
            <div class="results-scatter" node_ref=wrap>
                <canvas
                    node_ref=canvas_ref
                    data-testid="results-scatter"
                    data-dots=move || dots.with(|d| d.iter().map(|(x, y)| format!("{x:.0},{y:.0}")).collect::<Vec<_>>().join(";"))
                    aria-label="Duration against start time of each result; red: traces with errors. Click a dot to open its trace; drag a box to compare the traces in it with the rest."
                    style="width:100%;height:100%;display:block;cursor:pointer"
                    on:click=on_click
                    on:mousedown=move |ev| { let p = local_point(canvas_ref, &ev); brush.set(Some([p, p])); dragging.set(true); }
                    on:mousemove=move |ev| if dragging.get_untracked() {
                        let p = local_point(canvas_ref, &ev);
                        brush.update(|b| if let Some(b) = b { b[1] = p });
                    }
                    on:mouseup=move |_| dragging.set(false)
                ></canvas>
                <div class="brush" data-testid="results-brush" data-count=move || boxed.with(Vec::len)
                    hidden=move || boxed.with(Vec::is_empty)
                    style=move || brush.get().map_or(String::new(), |[a, b]| format!(
                        "left:{}px;top:{}px;width:{}px;height:{}px",
                        a.0.min(b.0), a.1.min(b.1), (a.0 - b.0).abs(), (a.1 - b.1).abs()))></div>
            </div>
            <div class="results-actions">
                <span class="muted">{move || format!("{} traces", results.with(Vec::len))}</span>
                <button class="button" data-testid="results-compare"
                    disabled=move || ticked.with(|t| t.len() != 2)
                    on:click=move |_| if let [a, b] = ticked.get_untracked()[..] { on_compare.run((a, b)) }
                >"Open the two ticked side by side"</button>
                <button class="button" data-testid="results-compare-box"
                    hidden=move || boxed.with(Vec::is_empty)
                    on:click=move |_| on_compare_box.run(boxed.get_untracked())
                >{move || format!("Compare the {} in the box with the rest", boxed.with(Vec::len))}</button>
            </div>
            <table class="trace-list results-table" data-testid="results-table">
                <thead><tr>
                    <th></th>
                    {header(Column::Root, "Root", false)}
                    {header(Column::Start, "Start", false)}
                    {header(Column::Duration, "Duration", true)}
                    {header(Column::Spans, "Spans", true)}
                    {header(Column::Errors, "Errors", true)}
                    <th>"Services"</th>
                    <th>"Trace id"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// Draws the scatter plot; returns each result's dot in CSS pixels.
pub fn draw_scatter(
    canvas: &HtmlCanvasElement,
    rows: &[Found],
    dark: bool,
    utc: bool,
    (w, h): (f64, f64),
) -> Vec<(f64, f64)> {
    let Some(ctx) = prepare(canvas, w, h) else {
        return Vec::new();
    };
    let points: Vec<ScatterPoint> = rows
        .iter()
        .map(|r| ScatterPoint {
            start_ns: r.start_ns,
            duration_ns: r.duration_ns,
            has_errors: r.errors.unwrap_or(0) > 0,
        })
        .collect();
    let label = |t: &XTick| match &t.label {
        XLabel::Date => format_time(t.at_ns, utc)[..10].to_string(),
        XLabel::Clock => format_time(t.at_ns, utc)[11..19].to_string(),
        XLabel::Offset(text) => text.clone(),
    };
    let title = if utc {
        "start (UTC)"
    } else {
        "start (local time)"
    };
    let chart = scatter_chart(&points, w, h, &CanvasText(&ctx), label, title);
    paint_chart(&ctx, &chart, theme(dark), w, h);
    let mut dots = vec![(0.0, 0.0); rows.len()];
    for m in &chart.marks {
        if let Mark::Dot {
            x,
            y,
            item: Some(i),
            ..
        } = m
        {
            dots[*i] = (*x, *y);
        }
    }
    dots
}
