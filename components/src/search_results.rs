//! Search results: a scatter plot of duration against start time (drawn
//! with plotters; traces with errors in red; click a dot to open it) and a
//! sortable list (root service and operation, start, duration, spans,
//! errors, services). Tick two rows to open them side by side.

use crate::canvas::{device_pixel_ratio, local_point, observe_size};
use crate::chart::{color, err, ChartStyle, TickedAxis};
use crate::theme::theme;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use tracescope_core::backend::response::Found;
use tracescope_core::layout::scatter::{ScatterAxes, XLabel};
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
) -> impl IntoView {
    let sort = RwSignal::new((Column::Start, true));
    let ticked = RwSignal::new(Vec::<usize>::new());
    Effect::new(move |_| {
        results.track();
        ticked.set(Vec::new());
    });
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let wrap = NodeRef::<leptos::html::Div>::new();
    let size = RwSignal::new((600.0, 220.0));
    observe_size(wrap, size);
    // Where each dot was drawn (CSS pixels), for clicks.
    let dots = RwSignal::new(Vec::<(f64, f64)>::new());
    let chart_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let (w, h) = size.get();
        let dark = dark.get();
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        let dpr = device_pixel_ratio();
        canvas.set_width((w * dpr).round() as u32);
        canvas.set_height((h * dpr).round() as u32);
        let utc = utc.get();
        let drawn = results.with(|r| draw_scatter(canvas, r, dark, utc, dpr));
        match drawn {
            Ok(points) => {
                dots.set(points);
                chart_error.set(None);
            }
            Err(e) => chart_error.set(Some(e)),
        }
    });
    let on_click = move |ev: web_sys::MouseEvent| {
        let (x, y) = local_point(canvas_ref, &ev);
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
                    aria-label="Duration against start time of each result; red: traces with errors. Click a dot to open its trace."
                    style="width:100%;height:100%;display:block;cursor:pointer"
                    on:click=on_click
                ></canvas>
                {move || chart_error.get().map(|e| view! { <p class="error">{format!("The plot could not be drawn: {e}")}</p> })}
            </div>
            <div class="results-actions">
                <span class="muted">{move || format!("{} traces", results.with(Vec::len))}</span>
                <button class="button" data-testid="results-compare"
                    disabled=move || ticked.with(|t| t.len() != 2)
                    on:click=move |_| if let [a, b] = ticked.get_untracked()[..] { on_compare.run((a, b)) }
                >"Open the two ticked side by side"</button>
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
    canvas: HtmlCanvasElement,
    rows: &[Found],
    dark: bool,
    utc: bool,
    dpr: f64,
) -> Result<Vec<(f64, f64)>, String> {
    let th = theme(dark);
    let e = err;
    let st = ChartStyle::new(th, dpr);
    let (muted, bg) = (st.muted, st.bg);
    let (ok, bad) = (color(th.services[0]), color(th.error));
    let px = |v: f64| st.px(v);
    let font = |size: f64| st.font(size);
    let backend = CanvasBackend::with_canvas_object(canvas).ok_or("no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&bg).map_err(|x| e(&x))?;
    if rows.is_empty() {
        let (w, h) = root.dim_in_pixel();
        let style = font(12.0)
            .color(&muted)
            .pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Center,
            ));
        root.draw_text(
            "No results: the duration and start of each will be plotted here",
            &style,
            (w as i32 / 2, h as i32 / 2),
        )
        .map_err(|x| e(&x))?;
        return Ok(Vec::new());
    }
    let results: Vec<(i64, i64)> = rows.iter().map(|r| (r.start_ns, r.duration_ns)).collect();
    let Some(axes) = ScatterAxes::new(&results) else {
        return Ok(Vec::new());
    };
    let xs: Vec<f64> = axes.x_ticks.iter().map(|t| t.value).collect();
    let ys: Vec<f64> = axes.y_ticks.iter().map(|t| t.0).collect();
    let (x0, x1) = axes.x_range;
    let (y0, y1) = axes.y_range;
    let mut chart = ChartBuilder::on(&root)
        .margin(px(8.0))
        .x_label_area_size(px(30.0))
        .y_label_area_size(px(52.0))
        .build_cartesian_2d(
            TickedAxis {
                range: x0..x1,
                ticks: xs.clone(),
            },
            TickedAxis {
                range: y0..y1,
                ticks: ys.clone(),
            },
        )
        .map_err(|x| e(&x))?;
    // Each tick's label, found by its value (the library hands values back).
    let nearest = |v: f64, at: &[f64]| {
        at.iter()
            .enumerate()
            .min_by(|a, b| (a.1 - v).abs().total_cmp(&(b.1 - v).abs()))
            .map(|(i, _)| i)
    };
    let x_label = |v: &f64| {
        nearest(*v, &xs)
            .map(|i| {
                let t = &axes.x_ticks[i];
                match &t.label {
                    XLabel::Date => format_time(t.at_ns, utc)[..10].to_string(),
                    XLabel::Clock => format_time(t.at_ns, utc)[11..19].to_string(),
                    XLabel::Offset(text) => text.clone(),
                }
            })
            .unwrap_or_default()
    };
    let y_label = |v: &f64| {
        nearest(*v, &ys)
            .map(|i| axes.y_ticks[i].1.clone())
            .unwrap_or_default()
    };
    let offsets = axes
        .x_ticks
        .iter()
        .all(|t| matches!(t.label, XLabel::Offset(_)));
    st.mesh(&mut chart.configure_mesh())
        .x_desc(match (offsets, utc) {
            (true, _) => "start, after the earliest",
            (false, true) => "start (UTC)",
            (false, false) => "start (local time)",
        })
        .y_desc("duration")
        .x_labels(xs.len())
        .y_labels(ys.len())
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .draw()
        .map_err(|x| e(&x))?;
    let point = |r: &Found| axes.point(r.start_ns, r.duration_ns);
    let radius = px(4.0) as u32;
    // Errors drawn last, on top.
    for with_errors in [false, true] {
        let style = if with_errors {
            bad.filled()
        } else {
            ok.mix(0.85).filled()
        };
        chart
            .draw_series(
                rows.iter()
                    .filter(|r| (r.errors.unwrap_or(0) > 0) == with_errors)
                    .map(|r| Circle::new(point(r), radius, style)),
            )
            .map_err(|x| e(&x))?;
    }
    let spec = chart.as_coord_spec();
    Ok(rows
        .iter()
        .map(|r| {
            let (x, y) = spec.translate(&point(r));
            (x as f64 / dpr, y as f64 / dpr)
        })
        .collect())
}
