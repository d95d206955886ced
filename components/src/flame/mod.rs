//! The flame graph on `<canvas>`, three modes: the time-ordered flame chart
//! of the open trace (x = time, y = depth, critical path marked), the merged
//! flame graph (siblings with the same service+operation path combined,
//! widths = total time) and the sandwich of one operation (its callers
//! upside down above it, its callees merged below), the last two over the
//! open trace or every loaded trace.
//!
//! Click a frame to zoom into it (the breadcrumb goes back), hover for
//! total/self/count/% of root, frames without a match of the find are dimmed.
//! Wheel scrolls deep graphs; Ctrl/⌘+wheel zooms the chart's time axis.
//! Touch: a drag scrolls (and pans the chart), a pinch zooms the chart.

use crate::canvas::{
    draw_label, draw_ruler, local_point, observe_size, repaint, CanvasText, FONT, FONT_SMALL,
};
use crate::context::{view_context, ViewContext};
use crate::open_trace_window;

mod breadcrumb;
mod legend;
mod tooltip;
use crate::theme::{theme, ServiceSlots, Theme};
use crate::touch::{TouchPad, TOUCH_STYLE};
use breadcrumb::FlameBreadcrumb;
use legend::FlameLegend;
use leptos::prelude::*;
use tooltip::FlameTooltip;
use tracescope_core::analysis::critical_path::CriticalPath;
use tracescope_core::analysis::flame::{
    MergeBuilder, MergedFlame, SandwichBuilder, SANDWICH_CALLERS,
};
use tracescope_core::find::Found;
use tracescope_core::layout::flame::{
    chart_lod, frames_scene, hit, merged_rects, sandwich_rects, ChartLod, FlameRect, FrameScene,
    FramesInput,
};
pub use tracescope_core::layout::flame::{FRAME_H, TOP};
use tracescope_core::layout::flame_mipmap::FlameMipmap;
use tracescope_core::layout::raster::Run;
use tracescope_core::layout::time::{format_duration, ruler, TimeScale};
use tracescope_core::layout::waterfall::{clamp_window, pan_window, zoom_window, TICK_SPACING};
use tracescope_core::model::{Dataset, StatusCode, StrId, Trace, TraceIdentity};
use web_sys::CanvasRenderingContext2d;

/// Frames narrower than this (pixels) are merged per pixel, not drawn one by one.
pub const MIN_FRAME_W: f64 = 1.0;
const BAR_TEXT: &str = "#10141c";
/// Index entries handled a task while the chart's level-of-detail index is
/// made (~20 ms of wasm).
const MIPMAP_PART: usize = 150_000;

/// Where the flame graph is zoomed: into a span of the chart or a frame of
/// the merged graph, by mode. The app owns it (it is in the URL and resets
/// with the trace).
#[derive(Clone, Copy)]
pub struct FlameZoom {
    pub mode: Signal<FlameMode>,
    /// The chart's span zoomed into (None: the whole trace).
    pub chart_focus: RwSignal<Option<u32>>,
    /// The merged graph's frame zoomed into (0: all).
    pub merged_focus: RwSignal<u32>,
}

impl FlameZoom {
    pub fn zoom_to(&self, id: u32) {
        match self.mode.get_untracked() {
            FlameMode::Chart => self.chart_focus.set(Some(id)),
            FlameMode::Merged => self.merged_focus.set(id),
            // A sandwich moves to the operation clicked instead.
            FlameMode::Sandwich => {}
        }
    }
    pub fn reset(&self) {
        self.chart_focus.set(None);
        self.merged_focus.set(0);
    }
}

/// The flame graph's modes, as buttons (in the toolbar, so that they
/// are there with the graph shown as a table too). A switch starts unzoomed.
#[component]
pub fn FlameModeSwitch(mode: RwSignal<FlameMode>, zoom: FlameZoom) -> impl IntoView {
    let switch = move |m: FlameMode| {
        mode.set(m);
        zoom.reset();
    };
    view! {
        <div class="segmented" role="group" aria-label="Flame graph mode">
            {FlameMode::ALL.into_iter().map(|m| view! {
                <button class:active=move || mode.get() == m data-testid=format!("flame-mode-{}", m.as_str())
                    title=m.title() on:click=move |_| switch(m)>{m.label()}</button>
            }).collect_view()}
        </div>
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FlameMode {
    /// One trace, x = time.
    #[default]
    Chart,
    /// Same service+operation paths merged, x = share of total time.
    Merged,
    /// One operation's callers above it (upside down) and its callees
    /// below, merged, x = share of its time.
    Sandwich,
}

impl FlameMode {
    pub const ALL: [FlameMode; 3] = [FlameMode::Chart, FlameMode::Merged, FlameMode::Sandwich];
    fn label(self) -> &'static str {
        match self {
            FlameMode::Chart => "Flame chart",
            FlameMode::Merged => "Merged",
            FlameMode::Sandwich => "Sandwich",
        }
    }
    fn title(self) -> &'static str {
        match self {
            FlameMode::Chart => "One trace, x = time, critical path marked",
            FlameMode::Merged => "Spans with the same service+operation path combined",
            FlameMode::Sandwich => {
                "The selected operation: who calls it (above, upside down) and what it calls (below), merged"
            }
        }
    }
    /// The mode a link names (`flame=`), the chart for any other name.
    pub fn from_name(name: Option<&str>) -> FlameMode {
        FlameMode::ALL
            .into_iter()
            .find(|m| Some(m.as_str()) == name)
            .unwrap_or(FlameMode::Chart)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            FlameMode::Chart => "chart",
            FlameMode::Merged => "merged",
            FlameMode::Sandwich => "sandwich",
        }
    }
}

/// What the frames are.
pub enum FlameSource<'a> {
    Chart {
        t: &'a Trace,
        scale: TimeScale,
        critical: Option<&'a CriticalPath>,
    },
    /// The merged graph, or a sandwich (drawn by `sandwich_rects`).
    Merged {
        f: &'a MergedFlame,
        traces: usize,
        sandwich: bool,
    },
}

impl FlameSource<'_> {
    /// (service, operation, is error) of a frame; None for the merged "all" frame.
    fn frame(&self, id: u32) -> Option<(StrId, StrId, bool)> {
        let id = id as usize;
        match self {
            FlameSource::Chart { t, .. } => {
                Some((t.service[id], t.name[id], t.status[id] == StatusCode::Error))
            }
            FlameSource::Merged { f, .. } => {
                let n = &f.nodes[id];
                (id != 0).then_some((n.service, n.name, n.errors > 0))
            }
        }
    }
}

/// Everything one frame of the flame view needs.
pub struct FlamePaint<'a> {
    pub ds: &'a Dataset,
    pub source: FlameSource<'a>,
    pub rects: &'a [FlameRect],
    /// Sub-pixel frames merged per pixel (chart mode; `row` is the depth).
    pub fine: &'a [Run],
    /// The depth of `fine`'s row 0.
    pub first_row: u32,
    pub width: f64,
    pub height: f64,
    pub scroll_y: f64,
    /// Frame id outlined as selected.
    pub selected: Option<u32>,
    pub hover: Option<u32>,
    /// The find's matches in the open trace: frames without one are dimmed.
    pub found: Option<&'a Found>,
    pub service_filter: Option<StrId>,
    pub slots: &'a ServiceSlots,
    pub th: &'static Theme,
}

/// Whether a frame holds a match of the find (every frame when nothing is
/// sought): its span in the chart; in the merged graph, a span of its
/// operation.
fn frame_found(
    source: &FlameSource,
    found: Option<&Found>,
    id: u32,
    svc: StrId,
    name: StrId,
) -> bool {
    let Some(f) = found else { return true };
    match source {
        FlameSource::Chart { t, .. } => f.matched.len() != t.len() || f.matched[id as usize],
        FlameSource::Merged { .. } => f.operations.binary_search(&(svc, name)).is_ok(),
    }
}

/// Draws one frame of the flame view; returns the frames drawn.
pub fn paint(ctx: &CanvasRenderingContext2d, p: &FlamePaint) -> Vec<FrameScene> {
    let th = p.th;
    ctx.set_fill_style_str(th.bg);
    ctx.fill_rect(0.0, 0.0, p.width, p.height);
    ctx.set_text_baseline("middle");
    ctx.save();
    ctx.begin_path();
    ctx.rect(0.0, TOP, p.width, p.height - TOP);
    ctx.clip();
    ctx.set_font(FONT);
    let critical = match &p.source {
        FlameSource::Chart {
            critical: Some(cp),
            scale,
            ..
        } => Some((*cp, scale)),
        _ => None,
    };
    // Frames under a pixel wide, merged: no labels, a lighter touch.
    ctx.set_global_alpha(0.75);
    for r in p.fine {
        let y = TOP + (p.first_row + r.row) as f64 * FRAME_H - p.scroll_y;
        if y + FRAME_H < TOP || y > p.height {
            continue;
        }
        ctx.set_fill_style_str(th.key_color(p.slots, r.key));
        ctx.fill_rect(r.x0 as f64, y + 1.0, (r.x1 - r.x0) as f64, FRAME_H - 2.0);
    }
    ctx.set_global_alpha(1.0);
    let traces = match &p.source {
        FlameSource::Merged { traces, .. } => *traces,
        FlameSource::Chart { .. } => 1,
    };
    let label_of = |id: u32| match p.source.frame(id) {
        Some((_, name, _)) => p.ds.str(name).to_string(),
        None => format!("all ({traces} trace{})", if traces == 1 { "" } else { "s" }),
    };
    let frames = frames_scene(
        &FramesInput {
            rects: p.rects,
            height: p.height,
            scroll_y: p.scroll_y,
            critical,
        },
        label_of,
        &CanvasText(ctx),
    );
    for f in &frames {
        let y = f.top;
        // A pixel apart from the next frame.
        let (x, w) = (f.x + 0.5, (f.w - 1.0).max(0.5));
        let (fill, error, dim) = match p.source.frame(f.id) {
            Some((svc, name, err)) => {
                let dim = !frame_found(&p.source, p.found, f.id, svc, name)
                    || p.service_filter.is_some_and(|f| f != svc);
                (th.service(p.slots, svc), err, dim)
            }
            None => (th.grid, false, false),
        };
        let off_path = critical.is_some_and(|(cp, _)| !cp.contains(f.id as usize));
        ctx.set_global_alpha(if dim {
            0.18
        } else if off_path {
            0.5
        } else {
            1.0
        });
        ctx.set_fill_style_str(fill);
        ctx.fill_rect(x, y + 1.0, w, FRAME_H - 2.0);
        if error {
            ctx.set_stroke_style_str(th.error);
            ctx.set_line_width(1.5);
            ctx.stroke_rect(x + 0.75, y + 1.75, (w - 1.5).max(0.5), FRAME_H - 3.5);
        }
        ctx.set_fill_style_str(th.critical);
        for g in &f.critical {
            ctx.fill_rect(g.x0, y + FRAME_H - 5.0, g.w(), 3.0);
        }
        if let Some(l) = &f.label {
            ctx.set_fill_style_str(if fill == th.grid { th.fg } else { BAR_TEXT });
            draw_label(ctx, l);
        }
        ctx.set_global_alpha(1.0);
        if Some(f.id) == p.selected || Some(f.id) == p.hover {
            ctx.set_stroke_style_str(th.selected_outline);
            ctx.set_line_width(if Some(f.id) == p.selected { 2.0 } else { 1.0 });
            ctx.stroke_rect(x, y + 1.0, w, FRAME_H - 2.0);
        }
    }
    ctx.restore();
    // The strip on top: a time ruler for the chart, a caption for the merged graph.
    ctx.set_fill_style_str(th.header_bg);
    ctx.fill_rect(0.0, 0.0, p.width, TOP);
    ctx.set_fill_style_str(th.grid);
    ctx.fill_rect(0.0, TOP - 1.0, p.width, 1.0);
    ctx.set_font(FONT_SMALL);
    ctx.set_fill_style_str(th.muted);
    match &p.source {
        FlameSource::Chart { scale, t, .. } => {
            let tl = ruler(
                scale,
                t.bounds().0,
                TICK_SPACING,
                TOP / 2.0 - 2.0,
                p.width,
                &CanvasText(ctx),
            );
            draw_ruler(ctx, &tl, 0.0, TOP);
        }
        FlameSource::Merged {
            f,
            traces,
            sandwich,
        } => {
            let of_traces = format!("{} trace{}", traces, if *traces == 1 { "" } else { "s" });
            let total = format_duration(f.nodes[0].total_ns as f64);
            let caption = if *sandwich {
                let op = &f.nodes[SANDWICH_CALLERS as usize];
                format!(
                    "{}: {} · {} call{} in {of_traces} · total {total} · who calls it above, what it calls below",
                    p.ds.str(op.service),
                    p.ds.str(op.name),
                    op.count,
                    if op.count == 1 { "" } else { "s" }
                )
            } else {
                format!(
                    "{} frames merged from {of_traces} · total {total}",
                    f.nodes.len() - 1
                )
            };
            let _ = ctx.fill_text(&caption, 8.0, TOP / 2.0);
        }
    }
    frames
}

/// Spans merged into the graph per task: ~20 ms in the page at the speed
/// measured on a million spans (381 ms for all of them at once).
const MERGE_PART: usize = 50_000;

/// Which merged graph to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Merge {
    /// Every path (the merged graph).
    Paths,
    /// One operation's callers and callees (`analysis::flame::sandwich`).
    Sandwich((StrId, StrId)),
}

impl Merge {
    /// What the flame graph in `mode` draws merged, with `op` chosen.
    pub fn of(mode: FlameMode, op: Option<(StrId, StrId)>) -> Option<Merge> {
        match mode {
            FlameMode::Chart => None,
            FlameMode::Merged => Some(Merge::Paths),
            FlameMode::Sandwich => op.map(Merge::Sandwich),
        }
    }
}

/// The merged graph `what` (None: none) of the open trace (or of all
/// loaded, with the number of traces), made a part per task and announced
/// once whole; None until then. The flame graph and its table both use it.
pub fn merged_graph(
    dataset: RwSignal<Dataset>,
    trace: Signal<Option<usize>>,
    all_traces: Signal<bool>,
    what: Signal<Option<Merge>>,
) -> RwSignal<Option<(MergedFlame, usize)>> {
    let merged = RwSignal::new(None);
    let job = StoredValue::new(0u64);
    Effect::new(move |_| {
        let (all, open, what) = (all_traces.get(), trace.get(), what.get());
        dataset.track();
        merged.set(None);
        let done = move |f, ds: &Dataset| merged.set(Some((f, ds.scope(open, all).len())));
        match what {
            // Stops a graph still being made.
            None => crate::canvas::in_parts(job, || false),
            Some(Merge::Paths) => crate::canvas::build_in_parts(
                job,
                dataset,
                MergeBuilder::default(),
                move |b, ds| b.step(ds.scope(open, all), MERGE_PART),
                move |b, ds| done(b.finish(), ds),
            ),
            Some(Merge::Sandwich(op)) => crate::canvas::build_in_parts(
                job,
                dataset,
                SandwichBuilder::new(op),
                move |b, ds| b.step(ds.scope(open, all), MERGE_PART),
                move |b, ds| done(b.finish(), ds),
            ),
        }
    });
    merged
}

/// Per trace, once, a part per task: the chart's level-of-detail index (of
/// the open trace, in chart mode), announced once whole.
fn chart_index(
    dataset: RwSignal<Dataset>,
    trace: Signal<Option<usize>>,
    mode: Signal<FlameMode>,
) -> RwSignal<Option<(TraceIdentity, FlameMipmap)>> {
    let mipmap = RwSignal::new(None::<(TraceIdentity, FlameMipmap)>);
    let job = StoredValue::new(0u64);
    Effect::new(move |_| {
        let open = trace.get().filter(|_| mode.get() == FlameMode::Chart);
        dataset.track();
        mipmap.set(None);
        crate::canvas::build_for_trace_in_parts(
            job,
            dataset,
            open,
            |_, t| FlameMipmap::new(t),
            |m, _, t| m.step(t, MIPMAP_PART),
            move |m| mipmap.set(m),
        );
    });
    mipmap
}

#[component]
pub fn FlameGraph(zoom: FlameZoom) -> impl IntoView {
    let FlameZoom {
        mode,
        chart_focus,
        merged_focus,
    } = zoom;
    let ViewContext {
        dataset,
        trace,
        all_traces,
        selected,
        selected_op,
        found,
        service_filter,
        slots,
        critical_path,
        show_critical,
        dark,
        ..
    } = view_context();
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let wrap_ref = NodeRef::<leptos::html::Div>::new();
    let size = RwSignal::new((800.0f64, 400.0f64));
    let scroll_y = RwSignal::new(0.0f64);
    let hover = RwSignal::new(None::<(u32, f64, f64)>);
    // A Ctrl+wheel zoom of the chart (else the focused span's range).
    let chart_view = RwSignal::new(None::<(f64, f64)>);
    observe_size(wrap_ref, size);

    // A memo: choosing an operation changes nothing in merged mode.
    let what = Memo::new(move |_| Merge::of(mode.get(), selected_op.get()));
    let merged = merged_graph(dataset, trace, all_traces, what.into());
    // Another focus (a click, the breadcrumb, a link) drops the wheel zoom.
    Effect::new(move |_| {
        chart_focus.track();
        chart_view.set(None);
        scroll_y.set(0.0);
    });
    let bounds = open_trace_window(dataset, trace);
    let focus_range = move || {
        let s = chart_focus.get()? as usize;
        dataset.with(|ds| {
            let t = ds.trace(trace.get()?)?;
            (s < t.len()).then(|| {
                let (a, b) = (t.start_ns[s] as f64, t.end_ns(s) as f64);
                clamp_window((a, b.max(a + 1.0)), bounds.get())
            })
        })
    };
    let window = move || {
        chart_view
            .get()
            .or_else(focus_range)
            .unwrap_or_else(|| bounds.get())
    };
    let mipmap = chart_index(dataset, trace, mode);
    let indexing = move || {
        mode.get() == FlameMode::Chart
            && trace.get().is_some()
            && mipmap.with(|m| !m.as_ref().is_some_and(|(_, m)| m.is_done()))
    };
    let lod = Memo::new(move |_| {
        let (w, h) = size.get();
        match mode.get() {
            FlameMode::Chart => {
                let v = window();
                // The depth rows on screen: nothing below them is walked.
                let first = (scroll_y.get() / FRAME_H).floor().max(0.0) as u32;
                let rows = first..first + ((h - TOP) / FRAME_H).ceil().max(1.0) as u32 + 1;
                let scale = TimeScale::new(v.0, v.1, 0.0, w);
                mipmap
                    .with(|m| {
                        let (built_for, m) = m.as_ref().filter(|(_, m)| m.is_done())?;
                        dataset.with(|ds| {
                            let t = ds.trace(trace.get()?)?;
                            (t.identity() == *built_for)
                                .then(|| chart_lod(t, m, &scale, MIN_FRAME_W, rows))
                        })
                    })
                    .unwrap_or_default()
            }
            FlameMode::Merged => {
                let focus = merged_focus.get();
                merged.with(|m| ChartLod {
                    rects: m
                        .as_ref()
                        .map(|(f, _)| merged_rects(f, focus, 0.0, w, 0.3))
                        .unwrap_or_default(),
                    ..Default::default()
                })
            }
            FlameMode::Sandwich => merged.with(|m| ChartLod {
                rects: m
                    .as_ref()
                    .map(|(f, _)| sandwich_rects(f, 0.0, w, 0.3).0)
                    .unwrap_or_default(),
                ..Default::default()
            }),
        }
    });
    // The merged node of a span of the open trace.
    let node_of_span = move |s: u32| -> Option<u32> {
        let ti = trace.get_untracked()?;
        let idx = if all_traces.get_untracked() { ti } else { 0 };
        merged.with_untracked(|m| m.as_ref()?.0.node_of.get(idx)?.get(s as usize).copied())
    };
    let selected_frame = move || -> Option<u32> {
        match mode.get() {
            FlameMode::Chart => selected.get(),
            FlameMode::Merged => {
                let (svc, name) = selected_op.get()?;
                selected.get().and_then(node_of_span).or_else(|| {
                    // No span of this operation in the open trace: the first frame of it.
                    merged.with(|m| {
                        let f = &m.as_ref()?.0;
                        f.nodes
                            .iter()
                            .position(|n| n.service == svc && n.name == name)
                            .map(|i| i as u32)
                    })
                })
            }
            // The operation, drawn once between its callers and callees.
            FlameMode::Sandwich => merged.with(|m| m.as_ref().map(|_| SANDWICH_CALLERS)),
        }
    };

    repaint(canvas_ref, size, move |ctx, w, h| {
        let th = theme(dark.get());
        let found_now = found.get();
        let sel = selected_frame();
        let hov = hover.get().map(|h| h.0);
        let filter = service_filter.get();
        let sy = scroll_y.get();
        let show_cp = show_critical.get();
        let v = window();
        lod.with(|lod| {
            let (rects, fine) = (&lod.rects, &lod.fine);
            slots.with(|slots| {
                dataset.with(|ds| {
                    critical_path.with(|cp| {
                        merged.with(|m| {
                            let source = match (mode.get(), m) {
                                (m @ (FlameMode::Merged | FlameMode::Sandwich), Some((f, n))) => {
                                    FlameSource::Merged {
                                        f,
                                        traces: *n,
                                        sandwich: m == FlameMode::Sandwich,
                                    }
                                }
                                _ => {
                                    let Some(t) = trace.get().and_then(|i| ds.trace(i)) else {
                                        ctx.set_fill_style_str(th.bg);
                                        ctx.fill_rect(0.0, 0.0, w, h);
                                        return;
                                    };
                                    FlameSource::Chart {
                                        t,
                                        scale: TimeScale::new(v.0, v.1, 0.0, w),
                                        critical: cp.as_deref().filter(|_| show_cp),
                                    }
                                }
                            };
                            paint(
                                &ctx,
                                &FlamePaint {
                                    ds,
                                    source,
                                    rects,
                                    fine,
                                    first_row: lod.first_row,
                                    width: w,
                                    height: h,
                                    scroll_y: sy,
                                    selected: sel,
                                    hover: hov,
                                    found: found_now.as_deref(),
                                    service_filter: filter,
                                    slots,
                                    th,
                                },
                            );
                        })
                    })
                })
            })
        });
    });

    let frame_at = move |x: f64, y: f64| {
        lod.with_untracked(|l| hit(&l.rects, x, y + scroll_y.get_untracked(), TOP, FRAME_H))
    };
    let on_click = move |ev: web_sys::MouseEvent| {
        let (x, y) = local_point(canvas_ref, &ev);
        let Some(r) = frame_at(x, y) else { return };
        zoom.zoom_to(r.id);
        match mode.get_untracked() {
            FlameMode::Chart => selected.set(Some(r.id)),
            FlameMode::Merged => {
                let op = merged.with_untracked(|m| {
                    let n = &m.as_ref()?.0.nodes[r.id as usize];
                    (r.id != 0).then_some((n.service, n.name))
                });
                selected_op.set(op);
                // The longest span of the open trace in this frame, if any.
                let ti = trace.get_untracked();
                let idx = if all_traces.get_untracked() {
                    ti
                } else {
                    ti.map(|_| 0)
                };
                let span = merged.with_untracked(|m| {
                    let f = &m.as_ref()?.0;
                    let node_of = f.node_of.get(idx?)?;
                    dataset.with_untracked(|ds| {
                        let t = ds.trace(ti?)?;
                        (0..t.len())
                            .filter(|&s| node_of.get(s) == Some(&r.id))
                            .max_by_key(|&s| (t.duration_ns[s], std::cmp::Reverse(s)))
                            .map(|s| s as u32)
                    })
                });
                if op.is_some() {
                    selected.set(span);
                }
            }
            FlameMode::Sandwich => {
                let op = merged.with_untracked(|m| {
                    let n = m.as_ref()?.0.nodes.get(r.id as usize)?;
                    Some((n.service, n.name))
                });
                let Some(op) = op else { return };
                // The sandwich of the operation clicked, and its longest span here.
                selected_op.set(Some(op));
                let span = dataset.with_untracked(|ds| {
                    let t = ds.trace(trace.get_untracked()?)?;
                    (0..t.len())
                        .filter(|&s| (t.service[s], t.name[s]) == op)
                        .max_by_key(|&s| (t.duration_ns[s], std::cmp::Reverse(s)))
                        .map(|s| s as u32)
                });
                if span.is_some() {
                    selected.set(span);
                }
            }
        }
    };
    let on_mousemove = move |ev: web_sys::MouseEvent| {
        let (x, y) = local_point(canvas_ref, &ev);
        hover.set(frame_at(x, y).map(|r| (r.id, x, y)));
    };
    // Scrolls the frames by `dy` pixels, no further than the deepest.
    let scroll_by = move |dy: f64| {
        let depth = match mode.get_untracked() {
            FlameMode::Chart => dataset.with_untracked(|ds| {
                trace
                    .get_untracked()
                    .and_then(|i| ds.trace(i))
                    .map_or(0, |t| t.tree.max_depth)
            }),
            FlameMode::Merged | FlameMode::Sandwich => {
                lod.with_untracked(|l| l.rects.iter().map(|r| r.depth).max().unwrap_or(0))
            }
        } as f64
            + 1.0;
        let (_, h) = size.get_untracked();
        let max = (depth * FRAME_H - (h - TOP) + FRAME_H).max(0.0);
        scroll_y.set((scroll_y.get_untracked() + dy).clamp(0.0, max));
    };
    // The chart's time window scaled by `factor` about `x`, then moved by
    // `dx` pixels (the flame graph of merged paths has no time axis).
    let move_chart = move |x: f64, factor: f64, dx: f64| {
        if mode.get_untracked() != FlameMode::Chart {
            return;
        }
        let v = window();
        let (w, _) = size.get_untracked();
        let b = bounds.get_untracked();
        let mut next = zoom_window(v, b, TimeScale::new(v.0, v.1, 0.0, w).t(x), factor);
        next = pan_window(next, b, dx * (next.1 - next.0) / w);
        if next != v {
            chart_view.set(Some(next));
        }
    };
    let on_wheel = move |ev: web_sys::WheelEvent| {
        ev.prevent_default();
        let (x, _) = local_point(canvas_ref, &ev);
        if (ev.ctrl_key() || ev.meta_key()) && mode.get_untracked() == FlameMode::Chart {
            move_chart(x, (ev.delta_y() * 0.002).exp(), 0.0);
        } else {
            scroll_by(ev.delta_y());
        }
    };
    let pad = TouchPad::new(canvas_ref);
    let on_touch_move = move |ev: web_sys::PointerEvent| {
        if let Some(g) = pad.moved(&ev) {
            move_chart(g.cx - g.dx, 1.0 / g.scale, -g.dx);
            scroll_by(-g.dy);
        }
    };

    view! {
        <div class="flame-view">
            <div class="view-controls">
                <FlameBreadcrumb zoom=zoom merged=merged.read_only() />
            </div>
            <div class="flame" node_ref=wrap_ref>
                <Show when=indexing>
                    <div class="canvas-note" data-testid="flame-indexing">
                        "Indexing spans for the flame chart…"
                    </div>
                </Show>
                <Show when=move || mode.get() == FlameMode::Sandwich && selected_op.get().is_none()>
                    <div class="canvas-note" data-testid="sandwich-choose">
                        "Select a span, a frame or a row of the statistics: the sandwich shows who calls its operation and what it calls."
                    </div>
                </Show>
                <canvas
                    node_ref=canvas_ref
                    data-testid="flame-canvas"
                    aria-label="Flame graph; click a frame to zoom into it"
                    style=TOUCH_STYLE
                    data-mode=move || mode.get().as_str()
                    data-frames=move || lod.with(|l| l.rects.len())
                    data-focus=move || match mode.get() {
                        FlameMode::Chart => chart_focus.get().map(|s| s.to_string()).unwrap_or_default(),
                        FlameMode::Merged => merged_focus.get().to_string(),
                        FlameMode::Sandwich => String::new(),
                    }
                    data-view=move || { let v = window(); format!("{:.0},{:.0}", v.0, v.1) }
                    data-top=TOP
                    data-row-height=FRAME_H
                    data-scroll-y=move || scroll_y.get()
                    on:click=on_click
                    on:mousemove=on_mousemove
                    on:mouseleave=move |_| hover.set(None)
                    on:wheel=on_wheel
                    on:pointerdown=move |ev| pad.down(&ev)
                    on:pointermove=on_touch_move
                    on:pointerup=move |ev| pad.up(&ev)
                    on:pointercancel=move |ev| pad.up(&ev)
                ></canvas>
                <FlameTooltip hover=hover mode=mode merged=merged.read_only() size=size />
            </div>
            <FlameLegend />
        </div>
    }
}
