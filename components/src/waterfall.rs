//! The waterfall view on one `<canvas>`: a minimap of the whole trace, a
//! time ruler, then one row per visible span (name column with the tree,
//! timeline with the bar). Only the rows on screen are drawn.
//!
//! Mouse: wheel scrolls rows; Ctrl/⌘+wheel (and trackpad pinch) zooms at the
//! cursor; Shift+wheel or a horizontal swipe pans; dragging on the timeline
//! zooms to that range; dragging on the minimap moves the window; a click
//! selects a span; a click on a triangle collapses/expands; double-click
//! resets the zoom. Touch: a drag scrolls rows and pans time, a pinch zooms
//! about the fingers, a tap selects. Keyboard: ↑/↓ select, ←/→
//! collapse/expand, Esc clears.

use crate::canvas::{
    draw_label, draw_ruler, local_point, observe_size, repaint, tooltip_style, CanvasText,
    FONT_SMALL,
};
use crate::context::{view_context, ViewContext};
use crate::theme::{theme, ServiceSlots, Theme};
use crate::touch::{TouchPad, TOUCH_STYLE};
use crate::{open_trace_window, with_open_trace_untracked};
use leptos::prelude::*;
use tracescope_core::layout::raster::{self, Run};
use tracescope_core::layout::time::format_duration;
use tracescope_core::layout::waterfall::{
    flows as flows_of, hits_toggle, key_move, name_width, pan_window, scene, timeline_extent,
    timeline_scale, toggle_x, zoom_window, KeyMove, RowGeometry, RowScene, Scene, SceneInput,
    BADGE_PAD, BAR_INSET, TOGGLE_W,
};
use tracescope_core::model::{Dataset, StatusCode, Trace, TraceIdentity};
use web_sys::CanvasRenderingContext2d;

pub use tracescope_core::layout::waterfall::{HEADER, MINIMAP_H, ROW_H, RULER_H};
/// Text drawn on a bar: the service colours are mid-light in both themes.
const BAR_TEXT: &str = "#10141c";

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Drag {
    /// Selecting a time range on the timeline, from x0 to x1.
    Range { x0: f64, x1: f64 },
    /// Moving the minimap window.
    Minimap,
}

/// Everything one frame needs: what its geometry is made from, and how it
/// is styled.
pub struct Frame<'a> {
    pub scene: SceneInput<'a>,
    pub selected: Option<u32>,
    pub hover_row: Option<usize>,
    pub drag: Option<Drag>,
    pub slots: &'a ServiceSlots,
    /// The minimap at one value per pixel ([`minimap_runs`]).
    pub minimap: &'a [Run],
    pub th: &'static Theme,
}

/// The minimap of `t` for a canvas `width` wide, one value per pixel: its
/// cost to draw does not grow with the trace.
pub fn minimap_runs(t: &Trace, width: f64) -> Vec<Run> {
    let mut m = minimap_for(t, width, 1.0);
    m.step(t, usize::MAX);
    m.raster.runs()
}

/// The minimap of `t` over `share` of the timeline (less than all of it
/// when the timeline spans longer than the trace).
fn minimap_for(t: &Trace, width: f64, share: f64) -> raster::Minimap {
    let (x0, x1) = timeline_extent(width);
    let columns = ((x1 - x0) * share.clamp(0.0, 1.0)).round() as usize;
    raster::Minimap::new(t, columns.max(1), (MINIMAP_H - 6.0) as usize)
}

/// Spans marked per task when the minimap is built (~20 ms of work).
const MINIMAP_PART: usize = 100_000;

/// Draws one frame of the waterfall: the geometry of [`scene`], nothing
/// more. Returns that geometry.
pub fn paint(ctx: &CanvasRenderingContext2d, f: &Frame) -> Scene {
    let th = f.th;
    let sc = scene(&f.scene, &CanvasText(ctx));
    let (width, height) = (f.scene.width, f.scene.height);
    let tl = sc.timeline;
    ctx.set_fill_style_str(th.bg);
    ctx.fill_rect(0.0, 0.0, width, height);
    ctx.set_text_baseline("middle");

    ctx.save();
    ctx.begin_path();
    ctx.rect(0.0, HEADER, width, height - HEADER);
    ctx.clip();
    ctx.set_fill_style_str(th.grid);
    for tick in &sc.ticks {
        ctx.fill_rect(tick.x.round() + 0.5, HEADER, 1.0, height - HEADER);
    }
    for row in &sc.rows {
        paint_row(ctx, f, row, &sc);
    }
    ctx.set_fill_style_str(th.grid);
    for c in &sc.columns {
        ctx.fill_rect(c.at.x0, HEADER, 1.0, height - HEADER);
    }
    // Flows: a curve from the end of one bar to the start of the other.
    ctx.set_stroke_style_str(th.muted);
    ctx.set_fill_style_str(th.muted);
    ctx.set_line_width(1.0);
    for a in &sc.arrows {
        ctx.begin_path();
        ctx.move_to(a.x0, a.y0);
        ctx.bezier_curve_to(a.x0 + 24.0, a.y0, a.x1 - 24.0, a.y1, a.x1, a.y1);
        ctx.stroke();
        ctx.begin_path();
        ctx.move_to(a.x1, a.y1);
        ctx.line_to(a.x1 - 6.0, a.y1 - 3.5);
        ctx.line_to(a.x1 - 6.0, a.y1 + 3.5);
        ctx.fill();
    }
    if let Some(Drag::Range { x0, x1 }) = f.drag {
        let (a, b) = (x0.min(x1).max(tl.x0), x0.max(x1).min(tl.x1));
        ctx.set_fill_style_str(th.range);
        ctx.fill_rect(a, HEADER, b - a, height - HEADER);
    }
    ctx.restore();
    // Column divider.
    ctx.set_fill_style_str(th.grid);
    ctx.fill_rect(sc.name_w, HEADER, 1.0, height - HEADER);

    // Ruler.
    ctx.set_fill_style_str(th.header_bg);
    ctx.fill_rect(0.0, MINIMAP_H, width, RULER_H);
    ctx.set_fill_style_str(th.grid);
    ctx.fill_rect(0.0, HEADER - 1.0, width, 1.0);
    ctx.set_font(FONT_SMALL);
    ctx.set_fill_style_str(th.muted);
    let _ = ctx.fill_text(
        &format!("{} spans · {} shown", f.scene.t.len(), f.scene.rows.len()),
        8.0,
        MINIMAP_H + RULER_H / 2.0,
    );
    draw_ruler(ctx, &sc.ticks, MINIMAP_H, RULER_H);
    // The attribute columns' keys, over the ruler's band.
    for c in &sc.columns {
        ctx.set_fill_style_str(th.header_bg);
        ctx.fill_rect(c.at.x0, MINIMAP_H, c.at.w(), RULER_H - 1.0);
        ctx.set_fill_style_str(th.grid);
        ctx.fill_rect(c.at.x0, MINIMAP_H, 1.0, RULER_H);
        ctx.set_fill_style_str(th.muted);
        if let Some(l) = &c.header {
            draw_label(ctx, l);
        }
    }

    // Minimap: every span of the trace in tree order, squeezed to the strip.
    ctx.set_fill_style_str(th.header_bg);
    ctx.fill_rect(0.0, 0.0, width, MINIMAP_H);
    for r in f.minimap {
        ctx.set_fill_style_str(th.key_color(f.slots, r.key));
        let w = (r.x1 - r.x0) as f64;
        ctx.fill_rect(tl.x0 + r.x0 as f64, 3.0 + r.row as f64, w, 1.0);
    }
    // Where the find's matches start: a mark along the minimap's bottom.
    ctx.set_fill_style_str(th.found);
    for &x in &sc.minimap_matches {
        ctx.fill_rect(x, MINIMAP_H - 5.0, 1.0, 5.0);
    }
    let win = sc.minimap_window;
    ctx.set_fill_style_str(th.window);
    ctx.fill_rect(win.x0, 0.0, win.w(), MINIMAP_H);
    ctx.set_fill_style_str(th.window_edge);
    ctx.fill_rect(win.x0, 0.0, 1.0, MINIMAP_H);
    ctx.fill_rect(win.x1 - 1.0, 0.0, 1.0, MINIMAP_H);
    ctx.set_fill_style_str(th.muted);
    ctx.set_font(FONT_SMALL);
    let _ = ctx.fill_text(
        &format!("total {}", {
            // The trace's own length (the timeline may span longer).
            let (a, b) = f.scene.t.time_window();
            format_duration(b - a)
        }),
        8.0,
        MINIMAP_H / 2.0,
    );
    sc
}

/// One row of [`paint`]: background, name column, then what falls in the window.
fn paint_row(ctx: &CanvasRenderingContext2d, f: &Frame, row: &RowScene, sc: &Scene) {
    let (th, width) = (f.th, f.scene.width);
    let s = row.span as usize;
    let y = row.top;
    let cy = y + ROW_H / 2.0;
    let bg = if Some(row.span) == f.selected {
        Some(th.selected)
    } else if Some(row.row) == f.hover_row {
        Some(th.hover)
    } else if row.row % 2 == 1 {
        Some(th.stripe)
    } else {
        None
    };
    if let Some(bg) = bg {
        ctx.set_fill_style_str(bg);
        ctx.fill_rect(0.0, y, width, ROW_H);
    }
    let color = th.service(f.slots, f.scene.t.service[s]);
    let tx = toggle_x(row.depth);
    if row.has_children {
        ctx.set_fill_style_str(th.muted);
        ctx.begin_path();
        if row.collapsed {
            ctx.move_to(tx + 3.0, cy - 5.0);
            ctx.line_to(tx + 10.0, cy);
            ctx.line_to(tx + 3.0, cy + 5.0);
        } else {
            ctx.move_to(tx + 1.0, cy - 3.0);
            ctx.line_to(tx + 11.0, cy - 3.0);
            ctx.line_to(tx + 6.0, cy + 4.0);
        }
        ctx.close_path();
        ctx.fill();
    }
    ctx.set_fill_style_str(color);
    ctx.fill_rect(tx + TOGGLE_W, y + 4.0, 4.0, ROW_H - 8.0);
    if let Some(l) = &row.service {
        ctx.set_fill_style_str(if row.error { th.error } else { th.fg });
        draw_label(ctx, l);
    }
    ctx.set_fill_style_str(th.muted);
    for l in row
        .operation
        .iter()
        .chain(&row.detail)
        .chain(row.cells.iter().flatten())
    {
        draw_label(ctx, l);
    }
    if let Some(b) = &row.badge {
        // A small box in the insights' colour, the text inside.
        ctx.set_fill_style_str(th.insight_bg);
        ctx.fill_rect(b.x - BADGE_PAD, y + 4.0, b.w + 2.0 * BADGE_PAD, ROW_H - 8.0);
        ctx.set_fill_style_str(th.insight_fg);
        draw_label(ctx, b);
    }
    if row.error {
        ctx.set_fill_style_str(th.error);
        ctx.begin_path();
        let _ = ctx.arc(sc.names_end - 9.0, cy, 3.5, 0.0, std::f64::consts::TAU);
        ctx.fill();
    }
    if let Some(b) = row.bar {
        let (by, bh) = (y + BAR_INSET, ROW_H - 2.0 * BAR_INSET);
        ctx.set_fill_style_str(color);
        ctx.fill_rect(b.x0, by, b.w(), bh);
        if row.error {
            ctx.set_stroke_style_str(th.error);
            ctx.set_line_width(1.5);
            ctx.stroke_rect(b.x0, by, b.w(), bh);
        }
        // The stretches on the critical path: a dark band through the bar.
        ctx.set_fill_style_str(th.critical);
        for g in &row.critical {
            ctx.fill_rect(g.x0, cy - 2.0, g.w(), 4.0);
        }
        ctx.set_fill_style_str(th.fg);
        for &ex in &row.events {
            ctx.fill_rect(ex, y + 3.0, 1.0, ROW_H - 6.0);
        }
    }
    if let Some(l) = &row.duration {
        ctx.set_fill_style_str(if row.duration_on_bar {
            BAR_TEXT
        } else {
            th.muted
        });
        draw_label(ctx, l);
    }
    if row.matched {
        // A bar down the row's left edge and under the name: found.
        ctx.set_fill_style_str(th.found);
        ctx.fill_rect(0.0, y + 1.0, 4.0, ROW_H - 2.0);
        ctx.fill_rect(0.0, y + ROW_H - 3.0, sc.name_w, 2.0);
    }
    if Some(row.span) == f.selected {
        ctx.set_stroke_style_str(th.selected_outline);
        ctx.set_line_width(1.0);
        ctx.stroke_rect(0.5, y + 0.5, width - 1.0, ROW_H - 1.0);
    }
}

/// What a frame drew, read by tests: the ruler's labels (`data-ticks`),
/// the chosen attribute's values on the rows (`data-details`), how many
/// flows (`data-arrows`), the insights' badges (`data-badges`), and the
/// attribute columns' keys (`data-columns`) and cells (`data-cells`).
#[derive(Clone, Default, PartialEq)]
struct DrawnText {
    ticks: String,
    details: String,
    arrows: usize,
    badges: String,
    columns: String,
    cells: String,
}

impl DrawnText {
    fn of(sc: &Scene) -> DrawnText {
        let join = |texts: Vec<&str>| texts.join("|");
        DrawnText {
            ticks: join(
                sc.ticks
                    .iter()
                    .filter_map(|t| Some(t.label.as_ref()?.text.as_str()))
                    .collect(),
            ),
            details: join(
                sc.rows
                    .iter()
                    .filter_map(|r| Some(r.detail.as_ref()?.text.as_str()))
                    .collect(),
            ),
            arrows: sc.arrows.len(),
            columns: join(
                sc.columns
                    .iter()
                    .map(|c| c.header.as_ref().map_or("", |l| l.text.as_str()))
                    .collect(),
            ),
            // Row by row, a cell a column; an attribute the span lacks is empty.
            cells: join(
                sc.rows
                    .iter()
                    .flat_map(|r| &r.cells)
                    .map(|c| c.as_ref().map_or("", |l| l.text.as_str()))
                    .collect(),
            ),
            badges: join(
                sc.rows
                    .iter()
                    .filter_map(|r| Some(r.badge.as_ref()?.text.as_str()))
                    .collect(),
            ),
        }
    }
}

/// The minimap's runs, computed once per trace and width, not per frame, a
/// part per task: the rows of a million spans paint first and the page
/// stays answerable.
fn minimap_in_parts(
    dataset: RwSignal<Dataset>,
    trace: Signal<Option<usize>>,
    size: RwSignal<(f64, f64)>,
    bounds: Memo<(f64, f64)>,
) -> RwSignal<Option<(TraceIdentity, Vec<Run>)>> {
    // Kept while a new width's is made (no flicker on a resize); drawn only
    // beside the trace it is of.
    let minimap = RwSignal::new(None);
    let job = StoredValue::new(0u64);
    Effect::new(move |_| {
        let (w, _) = size.get();
        let open = trace.get();
        let (b0, b1) = bounds.get();
        dataset.track();
        crate::canvas::build_for_trace_in_parts(
            job,
            dataset,
            open,
            move |_, t| {
                let (a, b) = t.time_window();
                minimap_for(t, w, (b - a) / (b1 - b0).max(1.0))
            },
            |m, _, t| m.step(t, MINIMAP_PART),
            move |m| minimap.set(m.map(|(of, m)| (of, m.raster.runs()))),
        );
    });
    minimap
}

#[component]
pub fn WaterfallCanvas(
    /// Visible time window (absolute ns); None shows the whole trace.
    view: RwSignal<Option<(f64, f64)>>,
) -> impl IntoView {
    let context = view_context();
    let ViewContext {
        dataset,
        trace,
        selected,
        collapsed,
        slots,
        critical_path,
        show_critical,
        found,
        dark,
        min_window_ns,
        row_attribute,
        row_columns,
        badges,
        ..
    } = context;
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let wrap_ref = NodeRef::<leptos::html::Div>::new();
    let size = RwSignal::new((800.0f64, 500.0f64));
    let scroll_y = RwSignal::new(0.0f64);
    let hover = RwSignal::new(None::<(usize, f64, f64)>);
    let drag = RwSignal::new(None::<Drag>);
    let drag_origin = StoredValue::new((0.0f64, 0.0f64));
    let before_click = StoredValue::new(None::<u32>);
    // What the frame drew, for tests.
    let drawn = RwSignal::new(DrawnText::default());
    // Links and follows-from within the trace, drawn as arrows: found a
    // task after the first paint (a pass over every span).
    let flows = crate::canvas::later_for_trace(dataset, trace, flows_of);

    let rows = context.listed_rows();
    let own_window = open_trace_window(dataset, trace);
    let bounds = Memo::new(move |_| {
        let (a, b) = own_window.get();
        (a, b.max(a + min_window_ns.get()))
    });
    let current_view = move || view.get().unwrap_or_else(|| bounds.get());
    let minimap = minimap_in_parts(dataset, trace, size, bounds);
    let geometry = move || RowGeometry {
        header: HEADER,
        row_height: ROW_H,
        scroll_y: scroll_y.get(),
    };
    let max_scroll = move || {
        let (_, h) = size.get();
        (rows.with(|r| r.len()) as f64 * ROW_H - (h - HEADER) + ROW_H).max(0.0)
    };

    observe_size(wrap_ref, size);
    // A new trace starts at the top.
    Effect::new(move |_| {
        trace.track();
        scroll_y.set(0.0);
    });
    // Fewer rows (a fold, "matches only"): never scrolled past the last.
    Effect::new(move |_| {
        rows.track();
        let most = max_scroll();
        if scroll_y.get_untracked() > most {
            scroll_y.set(most);
        }
    });
    // Bring the selected row into view (keyboard navigation, selection from elsewhere).
    Effect::new(move |_| {
        let Some(sel) = selected.get() else { return };
        let pos = rows.with(|r| r.iter().position(|&s| s == sel));
        if let Some(p) = pos {
            let (_, h) = size.get_untracked();
            let g = RowGeometry {
                header: HEADER,
                row_height: ROW_H,
                scroll_y: scroll_y.get_untracked(),
            };
            let target = g.scroll_to_show(p, h).min(max_scroll()).max(0.0);
            if (target - g.scroll_y).abs() > 0.5 {
                scroll_y.set(target);
            }
        }
    });

    // Paint whenever anything drawn changes.
    repaint(canvas_ref, size, move |ctx, w, h| {
        let show_cp = show_critical.get();
        let view_now = current_view();
        let geo = geometry();
        let hov = hover.get().map(|h| h.0);
        let sel = selected.get();
        let dr = drag.get();
        let th = theme(dark.get());
        let coll = collapsed.get();
        let mini = minimap.read();
        let found_now = found.get();
        let detail_key = row_attribute.get();
        let columns = row_columns.get();
        let badges_now = badges.get();
        let fl = flows.get();
        rows.with(|rows| {
            slots.with(|slots| {
                critical_path.with(|cp| {
                    dataset.with(|ds| {
                        let Some(t) = trace.get().and_then(|i| ds.trace(i)) else {
                            ctx.set_fill_style_str(th.bg);
                            ctx.fill_rect(0.0, 0.0, w, h);
                            return;
                        };
                        let sc = paint(
                            &ctx,
                            &Frame {
                                scene: SceneInput {
                                    ds,
                                    t,
                                    rows,
                                    collapsed: &coll,
                                    width: w,
                                    height: h,
                                    scroll_y: geo.scroll_y,
                                    view: view_now,
                                    bounds: bounds.get(),
                                    critical: cp.as_deref().filter(|_| show_cp),
                                    matched: found_now
                                        .as_deref()
                                        .filter(|f| f.matched.len() == t.len())
                                        .map(|f| (&f.matched[..], &f.order[..])),
                                    detail_key: detail_key.as_deref(),
                                    columns: &columns,
                                    flows: fl.as_deref().map_or(&[], |f| &f[..]),
                                    badges: &badges_now,
                                },
                                selected: sel,
                                hover_row: hov,
                                drag: dr,
                                slots,
                                minimap: mini
                                    .as_ref()
                                    .filter(|(of, _)| *of == t.identity())
                                    .map_or(&[], |(_, runs)| &runs[..]),
                                th,
                            },
                        );
                        let now = DrawnText::of(&sc);
                        if drawn.with_untracked(|d| *d != now) {
                            drawn.set(now);
                        }
                    })
                })
            })
        });
    });

    let local = move |ev: &web_sys::MouseEvent| local_point(canvas_ref, ev);
    // The scale the frame was drawn with, to read the pointer back.
    let scale_of = move |window: (f64, f64)| timeline_scale(size.get_untracked().0, window);
    let timeline_left = move || timeline_extent(size.get_untracked().0).0;
    let toggle = move |s: usize| {
        collapsed.update(|c| {
            if let Some(v) = c.get_mut(s) {
                *v = !*v;
            }
        })
    };
    let minimap_to_view = move |x: f64| {
        let b = bounds.get();
        let mini = scale_of(b);
        let v = current_view();
        let half = (v.1 - v.0) / 2.0;
        let c = mini.t(x);
        view.set(Some(pan_window((c - half, c + half), b, 0.0)));
    };

    let on_mousedown = move |ev: web_sys::MouseEvent| {
        if ev.button() != 0 {
            return;
        }
        let (x, y) = local(&ev);
        drag_origin.set_value((x, y));
        if y < MINIMAP_H {
            drag.set(Some(Drag::Minimap));
            minimap_to_view(x);
        } else if y >= HEADER && x > timeline_left() {
            drag.set(Some(Drag::Range { x0: x, x1: x }));
        }
    };
    let on_mousemove = move |ev: web_sys::MouseEvent| {
        let (x, y) = local(&ev);
        match drag.get_untracked() {
            Some(Drag::Minimap) => minimap_to_view(x),
            Some(Drag::Range { x0, .. }) => drag.set(Some(Drag::Range { x0, x1: x })),
            None => {}
        }
        let n = rows.with_untracked(|r| r.len());
        let g = RowGeometry {
            header: HEADER,
            row_height: ROW_H,
            scroll_y: scroll_y.get_untracked(),
        };
        let h = g.row_at(y, n).map(|r| (r, x, y));
        if h.map(|h| h.0) != hover.get_untracked().map(|h| h.0) || h.is_some() {
            hover.set(h);
        }
    };
    let on_mouseup = move |ev: web_sys::MouseEvent| {
        let (x, y) = local(&ev);
        let (ox, oy) = drag_origin.get_value();
        let d = drag.get_untracked();
        drag.set(None);
        if let Some(Drag::Range { x0, x1 }) = d {
            if (x1 - x0).abs() > 4.0 {
                let sc = scale_of(current_view());
                let (a, b) = (sc.t(x0.min(x1).max(sc.x0)), sc.t(x0.max(x1)));
                view.set(Some(tracescope_core::layout::waterfall::clamp_window(
                    (a, b),
                    bounds.get(),
                )));
                return;
            }
        }
        if (x - ox).abs() > 4.0 || (y - oy).abs() > 4.0 || y < HEADER {
            return;
        }
        let n = rows.with_untracked(|r| r.len());
        let g = RowGeometry {
            header: HEADER,
            row_height: ROW_H,
            scroll_y: scroll_y.get_untracked(),
        };
        let Some(r) = g.row_at(y, n) else { return };
        let s = rows.with_untracked(|rows| rows[r]) as usize;
        let (depth, has_kids) = dataset.with_untracked(|ds| {
            trace
                .get_untracked()
                .and_then(|i| ds.trace(i))
                .map(|t| (t.tree.depth()[s], t.tree.subtree_size()[s] > 1))
                .unwrap_or((0, false))
        });
        if has_kids && x < timeline_left() && hits_toggle(x, depth) {
            toggle(s);
        } else {
            // The first click of a double-click selects; the double-click
            // (reset zoom) puts back what was selected before it.
            if ev.detail() <= 1 {
                before_click.set_value(selected.get_untracked());
            }
            selected.set(Some(s as u32));
        }
    };
    let on_wheel = move |ev: web_sys::WheelEvent| {
        ev.prevent_default();
        let (x, _) = local(&ev);
        let v = current_view();
        let sc = scale_of(v);
        let b = bounds.get();
        let (dx, dy) = (ev.delta_x(), ev.delta_y());
        if ev.ctrl_key() || ev.meta_key() {
            let factor = (dy * 0.002).exp();
            view.set(Some(zoom_window(v, b, sc.t(x.max(sc.x0)), factor)));
        } else if ev.shift_key() || dx.abs() > dy.abs() {
            let d = if dx.abs() > dy.abs() { dx } else { dy };
            view.set(Some(pan_window(v, b, d * (v.1 - v.0) / sc.width)));
        } else {
            scroll_y.set((scroll_y.get_untracked() + dy).clamp(0.0, max_scroll()));
        }
    };
    let pad = TouchPad::new(canvas_ref);
    let on_touch_move = move |ev: web_sys::PointerEvent| {
        let Some(g) = pad.moved(&ev) else { return };
        let v = current_view();
        let sc = scale_of(v);
        let b = bounds.get();
        // Zoomed about where the fingers were, then moved with them: the
        // time between them stays under them (zooming in first leaves room
        // to pan at the trace's ends).
        let mut next = zoom_window(v, b, sc.t((g.cx - g.dx).max(sc.x0)), 1.0 / g.scale);
        next = pan_window(next, b, -g.dx * (next.1 - next.0) / sc.width);
        if next != v {
            view.set(Some(next));
        }
        scroll_y.set((scroll_y.get_untracked() - g.dy).clamp(0.0, max_scroll()));
    };
    // Jaeger's w / s: a page of rows up / down, from anywhere on the page
    // but a text field.
    // The listener is the window's: it goes with the waterfall (a table in
    // its place, another tab), or it would reach for what went with it.
    let page_keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if crate::typing(&ev) || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let Some((_, h)) = size.try_get_untracked() else {
            return;
        };
        let page = (h - HEADER - ROW_H).max(ROW_H);
        let dy = match ev.key().as_str() {
            "w" => -page,
            "s" => page,
            _ => return,
        };
        scroll_y.set((scroll_y.get_untracked() + dy).clamp(0.0, max_scroll()));
        ev.prevent_default();
    });
    on_cleanup(move || page_keys.remove());
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        let sel = selected.get_untracked();
        let action = rows.with_untracked(|rows| {
            collapsed.with_untracked(|c| {
                with_open_trace_untracked(dataset, trace, |t| key_move(&ev.key(), t, rows, sel, c))
            })
        });
        match action.flatten() {
            Some(KeyMove::Select(s)) => selected.set(Some(s)),
            Some(KeyMove::Toggle(s)) => toggle(s as usize),
            Some(KeyMove::ClearSelection) => selected.set(None),
            Some(KeyMove::ResetZoom) => view.set(None),
            None => return,
        }
        // The tooltip belongs to the pointer's row, not the keyboard's.
        hover.set(None);
        ev.prevent_default();
    };

    view! {
        <div class="waterfall" node_ref=wrap_ref>
            <canvas
                node_ref=canvas_ref
                data-testid="waterfall-canvas"
                tabindex="0"
                aria-label="Waterfall of the spans of the open trace; arrow keys move the selection"
                style=TOUCH_STYLE
                data-rows=move || rows.with(|r| r.len())
                data-header=HEADER
                data-row-height=ROW_H
                data-name-width=move || name_width(size.get().0)
                data-scroll-y=move || scroll_y.get()
                data-ticks=move || drawn.with(|d| d.ticks.clone())
                data-details=move || drawn.with(|d| d.details.clone())
                data-arrows=move || drawn.with(|d| d.arrows)
                data-badges=move || drawn.with(|d| d.badges.clone())
                data-columns=move || drawn.with(|d| d.columns.clone())
                data-cells=move || drawn.with(|d| d.cells.clone())
                data-view=move || {
                    let v = current_view();
                    format!("{:.0},{:.0}", v.0, v.1)
                }
                on:mousedown=on_mousedown
                on:mousemove=on_mousemove
                on:mouseup=on_mouseup
                on:mouseleave=move |_| {
                    hover.set(None);
                    drag.set(None);
                }
                on:dblclick=move |_| {
                    view.set(None);
                    selected.set(before_click.get_value());
                }
                on:wheel=on_wheel
                on:pointerdown=move |ev| pad.down(&ev)
                on:pointermove=on_touch_move
                on:pointerup=move |ev| pad.up(&ev)
                on:pointercancel=move |ev| pad.up(&ev)
                on:keydown=on_keydown
            ></canvas>
            <WaterfallTooltip hover=hover drag=drag rows=rows size=size />
        </div>
    }
}

/// The span under the pointer: service, operation, duration, start, events
/// and whether it failed (none while dragging).
#[component]
fn WaterfallTooltip(
    /// The row under the pointer and where the pointer is.
    hover: RwSignal<Option<(usize, f64, f64)>>,
    drag: RwSignal<Option<Drag>>,
    rows: Memo<Vec<u32>>,
    size: RwSignal<(f64, f64)>,
) -> impl IntoView {
    let ViewContext { dataset, trace, .. } = view_context();
    let tooltip = move || {
        let (r, x, y) = hover.get()?;
        if drag.get().is_some() {
            return None;
        }
        let s = rows.with(|rows| rows.get(r).copied())? as usize;
        let (svc, name, dur, off, err, events) = dataset.with(|ds| {
            let t = ds.trace(trace.get()?)?;
            let (b0, _) = t.bounds();
            Some((
                ds.str(t.service[s]).to_string(),
                ds.str(t.name[s]).to_string(),
                format_duration(t.duration_ns[s] as f64),
                format_duration(t.start_ns[s].saturating_sub(b0) as f64),
                t.status[s] == StatusCode::Error,
                t.events[s].len(),
            ))
        })?;
        let (w, h) = size.get();
        Some(view! {
            <div class="tooltip" style=tooltip_style(x, y, w, h)>
                <div class="tooltip-title">{svc}</div>
                <div>{name}</div>
                <div class="tooltip-row">
                    <span>{format!("duration {dur}")}</span>
                    <span>{format!("starts at +{off}")}</span>
                </div>
                {(events > 0).then(|| view! { <div class="tooltip-row">{format!("{events} events")}</div> })}
                {err.then(|| view! { <div class="tooltip-error">"error"</div> })}
            </div>
        })
    };
    tooltip
}
