//! The waterfall's geometry: the rows shown (in tree order, skipping
//! collapsed subtrees by their size: O(rows shown), not O(spans)), and
//! [`scene`], everything one frame draws — bars, critical-path bands,
//! event ticks, labels, the ruler and the minimap's window — as rectangles
//! and text with their span ids. The painter only draws what it returns.

use super::text::{Font, Label, TextMeasure};
use super::time::{format_duration, ruler, Tick, TimeScale};
use crate::analysis::critical_path::CriticalPath;
use crate::analysis::insights::Insight;
use crate::model::{flags, Dataset, LinkKind, SpanKind, StatusCode, StrId, Trace};

/// Visible rows (span indices) given a per-span `collapsed` mask.
pub fn visible_rows(t: &Trace, collapsed: &[bool]) -> Vec<u32> {
    let preorder = t.tree.preorder();
    // Nothing folded (a trace just opened): every row, copied at once.
    if !collapsed.contains(&true) {
        return preorder.to_vec();
    }
    let sizes = t.tree.subtree_size();
    let mut out = Vec::with_capacity(preorder.len().min(1 << 16));
    let mut k = 0usize;
    while let Some(&s) = preorder.get(k) {
        let s = s as usize;
        out.push(s as u32);
        k += if collapsed.get(s).copied().unwrap_or(false) {
            sizes[s] as usize
        } else {
            1
        };
    }
    out
}

/// Rows for "matches only": each span that matches and the spans above
/// it, in tree order; folds are ignored (a match is never hidden).
pub fn matching_rows(t: &Trace, matched: &[bool]) -> Vec<u32> {
    let tree = &t.tree;
    let mut keep: Vec<bool> = (0..t.len())
        .map(|s| matched.get(s).copied().unwrap_or(false))
        .collect();
    // Children come after their parent in preorder: walking it backwards
    // marks every ancestor of a kept span.
    for &s in tree.preorder().iter().rev() {
        if keep[s as usize] {
            if let Some(p) = tree.parent_of(s as usize) {
                keep[p] = true;
            }
        }
    }
    tree.preorder()
        .iter()
        .copied()
        .filter(|&s| keep[s as usize])
        .collect()
}

/// Row geometry of the waterfall canvas, in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowGeometry {
    /// Height of the time ruler above the rows.
    pub header: f64,
    pub row_height: f64,
    /// Vertical scroll offset of the rows.
    pub scroll_y: f64,
}

impl RowGeometry {
    /// The row under a y coordinate, if any.
    pub fn row_at(&self, y: f64, rows: usize) -> Option<usize> {
        if y < self.header {
            return None;
        }
        let r = ((y - self.header + self.scroll_y) / self.row_height).floor();
        if r < 0.0 || r as usize >= rows {
            None
        } else {
            Some(r as usize)
        }
    }
    /// Top of a row on the canvas.
    pub fn row_top(&self, row: usize) -> f64 {
        self.header + row as f64 * self.row_height - self.scroll_y
    }
    /// The rows that intersect a canvas of `height` pixels below the header.
    pub fn visible_range(&self, height: f64, rows: usize) -> std::ops::Range<usize> {
        let first = (self.scroll_y / self.row_height).floor().max(0.0) as usize;
        let end = ((self.scroll_y + height - self.header) / self.row_height)
            .ceil()
            .max(0.0) as usize;
        first.min(rows)..end.max(first).min(rows)
    }
    /// The scroll offset that brings `row` into view in a canvas of `height`.
    pub fn scroll_to_show(&self, row: usize, height: f64) -> f64 {
        let top = row as f64 * self.row_height;
        let view = (height - self.header).max(self.row_height);
        if top < self.scroll_y {
            top
        } else if top + self.row_height > self.scroll_y + view {
            top + self.row_height - view
        } else {
            self.scroll_y
        }
    }
}

/// Horizontal layout of the name column: indentation per depth and the
/// collapse toggle's place.
pub const INDENT: f64 = 14.0;
pub const TOGGLE_W: f64 = 14.0;
pub const NAME_PAD: f64 = 6.0;

/// x of the collapse toggle of a row at `depth`.
pub fn toggle_x(depth: u32) -> f64 {
    NAME_PAD + depth as f64 * INDENT
}

/// What narrows the rows a trace lists.
#[derive(Clone, Copy, Debug, Default)]
pub struct RowFilter<'a> {
    /// Only spans of this service.
    pub service: Option<StrId>,
    /// Only these spans (per span) and the spans above them, folds ignored.
    pub matched: Option<&'a [bool]>,
    /// The same, for a pill: with `matched` too, only spans in both.
    pub only: Option<&'a [bool]>,
    /// Only this span and the spans below it.
    pub focus: Option<u32>,
}

/// The rows listed, in tree order: the unfolded ones (or the matches and
/// their ancestors), narrowed by `filter`. The waterfall, its table and the
/// keys that step through rows all list these.
pub fn listed_rows(t: &Trace, collapsed: &[bool], filter: &RowFilter) -> Vec<u32> {
    let mut rows = match (filter.matched, filter.only) {
        (Some(a), Some(b)) => {
            let both: Vec<bool> = a.iter().zip(b).map(|(&x, &y)| x && y).collect();
            matching_rows(t, &both)
        }
        (Some(m), None) | (None, Some(m)) => matching_rows(t, m),
        (None, None) => visible_rows(t, collapsed),
    };
    if let Some(svc) = filter.service {
        rows.retain(|&s| t.service[s as usize] == svc);
    }
    if let Some(root) = filter.focus {
        rows.retain(|&s| within_subtree(t, root, s));
    }
    rows
}

/// Whether span `s` is `root` or below it (the spans of a focus).
pub fn within_subtree(t: &Trace, root: u32, s: u32) -> bool {
    let pos = t.tree.preorder_pos();
    let (Some(&r), Some(&p)) = (pos.get(root as usize), pos.get(s as usize)) else {
        return false;
    };
    p >= r && p - r < t.tree.subtree_size()[root as usize]
}

/// What a key pressed on the waterfall does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyMove {
    Select(u32),
    /// Fold or unfold this span's subtree.
    Toggle(u32),
    ClearSelection,
    ResetZoom,
}

/// The waterfall's keys over its `rows` (the listed spans, in order): ↑/↓,
/// Home/End move the selection; ← folds an open subtree, else goes to the
/// parent; → unfolds; Enter folds or unfolds; Esc clears; 0 resets the zoom.
/// None: the key is not the waterfall's.
pub fn key_move(
    key: &str,
    t: &Trace,
    rows: &[u32],
    selected: Option<u32>,
    collapsed: &[bool],
) -> Option<KeyMove> {
    let last = rows.len().checked_sub(1)?;
    let pos = selected.and_then(|s| rows.iter().position(|&r| r == s));
    let pick = |p: usize| Some(KeyMove::Select(rows[p]));
    match key {
        "ArrowDown" => pick(pos.map_or(0, |p| (p + 1).min(last))),
        "ArrowUp" => pick(pos.map_or(0, |p| p.saturating_sub(1))),
        "Home" => pick(0),
        "End" => pick(last),
        "ArrowLeft" | "ArrowRight" | "Enter" => {
            let s = selected? as usize;
            let has_kids = *t.tree.subtree_size().get(s)? > 1;
            let folded = collapsed.get(s).copied().unwrap_or(false);
            let parent = t.tree.parent_of(s);
            match key {
                "ArrowLeft" if has_kids && !folded => Some(KeyMove::Toggle(s as u32)),
                "ArrowLeft" => parent.map(|p| KeyMove::Select(p as u32)),
                "ArrowRight" if has_kids && folded => Some(KeyMove::Toggle(s as u32)),
                "Enter" if has_kids => Some(KeyMove::Toggle(s as u32)),
                _ => None,
            }
        }
        "Escape" => Some(KeyMove::ClearSelection),
        "0" => Some(KeyMove::ResetZoom),
        _ => None,
    }
}

/// Whether x falls on the collapse toggle of a row at `depth` (with a few
/// pixels of slack, so it is easy to hit).
pub fn hits_toggle(x: f64, depth: u32) -> bool {
    let x0 = toggle_x(depth);
    x >= x0 - 3.0 && x <= x0 + TOGGLE_W + 3.0
}

/// Width of the name column for a canvas of `width` CSS pixels.
pub fn name_width(width: f64) -> f64 {
    (width * 0.32).clamp(180.0, 420.0).min(width * 0.6)
}

/// The smallest window a zoom may reach: 1 ns, a millionth of the trace,
/// or 64 steps of an `f64` at the trace's times. A window's edges are
/// absolute ns as `f64`, which this century holds only to 256 ns: below
/// 64 such steps zooming would jump (what is inside is placed exactly
/// whatever the window, by `TimeScale::x_at`).
pub fn min_span(bounds: (f64, f64)) -> f64 {
    let ulp = |v: f64| {
        let v = v.abs();
        f64::from_bits(v.to_bits() + 1) - v
    };
    ((bounds.1 - bounds.0) / 1e6)
        .max(1.0)
        .max(64.0 * ulp(bounds.0).max(ulp(bounds.1)))
}

/// Keeps a window inside `bounds`, preserving its width where possible.
pub fn clamp_window(w: (f64, f64), bounds: (f64, f64)) -> (f64, f64) {
    let full = (bounds.1 - bounds.0).max(1.0);
    let width = (w.1 - w.0).clamp(min_span(bounds), full);
    let start = w.0.clamp(bounds.0, bounds.1 - width);
    (start, start + width)
}

/// Zooms `view` by `factor` (< 1 zooms in) keeping time `anchor` under the cursor.
pub fn zoom_window(view: (f64, f64), bounds: (f64, f64), anchor: f64, factor: f64) -> (f64, f64) {
    let anchor = anchor.clamp(view.0, view.1);
    let new_w = ((view.1 - view.0) * factor).max(min_span(bounds));
    let frac = if view.1 > view.0 {
        (anchor - view.0) / (view.1 - view.0)
    } else {
        0.5
    };
    let start = anchor - frac * new_w;
    clamp_window((start, start + new_w), bounds)
}

/// Moves `view` by `delta` ns, staying inside `bounds`.
pub fn pan_window(view: (f64, f64), bounds: (f64, f64), delta: f64) -> (f64, f64) {
    clamp_window((view.0 + delta, view.1 + delta), bounds)
}

/// Height of the minimap strip on top of the canvas.
pub const MINIMAP_H: f64 = 42.0;
/// Height of the time ruler below it.
pub const RULER_H: f64 = 24.0;
/// Where the rows start.
pub const HEADER: f64 = MINIMAP_H + RULER_H;
pub const ROW_H: f64 = 22.0;
/// A span's bar: this far inside its row, top and bottom.
pub const BAR_INSET: f64 = 5.0;
/// The narrowest bar drawn: a zero-length span is still seen, and stays
/// within a pixel of where it is.
pub const MIN_BAR_W: f64 = 1.0;
/// Pixels between a bar and its duration label.
const LABEL_GAP: f64 = 4.0;
/// Ruler labels about this many pixels apart.
pub const TICK_SPACING: f64 = 110.0;

/// An attribute column: this wide, at the name column's right end.
pub const COLUMN_W: f64 = 88.0;
/// Room kept for the names before any attribute column is drawn.
pub const NAMES_MIN_W: f64 = 180.0;
/// A column's text this far inside its edges.
pub const CELL_PAD: f64 = 5.0;

/// How many of `chosen` attribute columns fit in a name column `name_w`
/// wide (the first ones; the rest are not drawn).
pub fn columns_fitting(name_w: f64, chosen: usize) -> usize {
    (((name_w - NAMES_MIN_W) / COLUMN_W).floor().max(0.0) as usize).min(chosen)
}

/// The timeline's left edge and right edge on a canvas `width` wide.
pub fn timeline_extent(width: f64) -> (f64, f64) {
    let x0 = name_width(width) + 1.0;
    (x0, x0 + (width - x0 - 8.0).max(10.0))
}

/// A time window (absolute ns) across the timeline of a canvas `width`
/// wide: what the rows are drawn with, and what the pointer is read back with.
pub fn timeline_scale(width: f64, window: (f64, f64)) -> TimeScale {
    let (x0, x1) = timeline_extent(width);
    TimeScale::new(window.0, window.1, x0, x1 - x0)
}

/// A horizontal stretch `[x0, x1]` of a row, in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stretch {
    pub x0: f64,
    pub x1: f64,
}

impl Stretch {
    pub fn w(&self) -> f64 {
        self.x1 - self.x0
    }
}

/// The flows of a trace drawn as arrows between rows, (from, to) span
/// pairs: a span linked to another of the same trace (a span link, a
/// further FOLLOWS_FROM), and a child that follows from its parent (a
/// FOLLOWS_FROM parent, a consumer of its producer) — where its row alone
/// does not say the work went on after the parent. By `to`, then `from`.
pub fn flows(ds: &Dataset, t: &Trace) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    // Links within the trace: the spans they name, found in one pass.
    let (mut linked, mut keys) = (Vec::new(), Vec::new());
    for s in 0..t.len() {
        if let Some(p) = t.tree.parent_of(s) {
            let consumer = t.kind[s] == SpanKind::Consumer && t.kind[p] == SpanKind::Producer;
            if consumer || t.flags[s] & flags::ASYNC_PARENT != 0 {
                out.push((p as u32, s as u32));
            }
        }
        for l in ds.links(t.links[s]) {
            if l.kind != LinkKind::SharedHalf && Some(l.trace_id) == t.trace_id {
                linked.push(s as u32);
                keys.push(l.span_id);
            }
        }
    }
    let froms = t.spans_of_keys(&keys);
    out.extend(
        froms
            .into_iter()
            .zip(linked)
            .filter_map(|(from, to)| from.filter(|&f| f != to).map(|f| (f, to))),
    );
    crate::order::sort_by_key(&mut out, |&(from, to)| (to, from));
    out.dedup();
    out
}

/// A flow's arrow: from the end of `from`'s bar to the start of `to`'s,
/// each at its row's middle (a row off screen is above or below it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlowArrow {
    pub from: u32,
    pub to: u32,
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

/// What one row of the waterfall draws.
#[derive(Debug, Clone, PartialEq)]
pub struct RowScene {
    /// Index of the row among the visible rows, and its span.
    pub row: usize,
    pub span: u32,
    pub top: f64,
    pub depth: u32,
    /// Whether the span has children, and whether they are folded.
    pub has_children: bool,
    pub collapsed: bool,
    pub error: bool,
    /// Whether the span matches the find.
    pub matched: bool,
    pub service: Option<Label>,
    pub operation: Option<Label>,
    /// The chosen attribute's value, after the operation where it fits.
    pub detail: Option<Label>,
    /// The span's value in each attribute column drawn (None: it has none).
    pub cells: Vec<Option<Label>>,
    /// What an insight says of the span, at the name column's right end
    /// (the painter boxes it [`BADGE_PAD`] around the text).
    pub badge: Option<Label>,
    /// The span's interval ∩ the visible window; None when that is empty.
    pub bar: Option<Stretch>,
    /// Its stretches on the critical path, inside the bar, never under the
    /// duration label.
    pub critical: Vec<Stretch>,
    /// x of each event inside the window.
    pub events: Vec<f64>,
    /// The duration, beside the bar or on its right end (`on_bar`).
    pub duration: Option<Label>,
    pub duration_on_bar: bool,
}

/// Everything one frame of the waterfall draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    pub name_w: f64,
    /// Where the names end: the attribute columns fill the rest of the
    /// name column.
    pub names_end: f64,
    /// The attribute columns drawn, left to right, each with its key.
    pub columns: Vec<ColumnScene>,
    /// The timeline's horizontal extent; rows draw time only inside it.
    pub timeline: Stretch,
    pub rows: Vec<RowScene>,
    pub ticks: Vec<Tick>,
    /// The visible window on the minimap (the whole trace across the timeline).
    pub minimap_window: Stretch,
    /// Where the find's matches start on the minimap, one x per pixel.
    pub minimap_matches: Vec<f64>,
    /// The flows with a row on screen, both spans listed.
    pub arrows: Vec<FlowArrow>,
}

/// An attribute column: where it is, and its key in the ruler's band
/// (cut with an ellipsis where it does not fit).
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnScene {
    pub at: Stretch,
    pub header: Option<Label>,
}

/// What [`scene`] draws from.
#[derive(Clone, Copy)]
pub struct SceneInput<'a> {
    pub ds: &'a Dataset,
    pub t: &'a Trace,
    /// Visible rows (span indices), as from [`visible_rows`].
    pub rows: &'a [u32],
    pub collapsed: &'a [bool],
    pub width: f64,
    pub height: f64,
    pub scroll_y: f64,
    /// The visible window and the trace's bounds, absolute ns.
    pub view: (f64, f64),
    pub bounds: (f64, f64),
    pub critical: Option<&'a CriticalPath>,
    /// The find's matches: per span, and in tree order.
    pub matched: Option<(&'a [bool], &'a [u32])>,
    /// The attribute whose value each row shows after its operation.
    pub detail_key: Option<&'a str>,
    /// The attributes shown as columns at the name column's right end.
    pub columns: &'a [String],
    /// The trace's flows, as from [`flows`].
    pub flows: &'a [(u32, u32)],
    /// What the trace's insights say of its spans.
    pub badges: &'a Badges,
}

/// Each span an insight names, with the badge of the first insight that
/// names it (insights come with the most time at stake first).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Badges(Vec<(u32, &'static str)>);

impl Badges {
    pub fn of(insights: &[Insight]) -> Badges {
        // Each span's first insight marked in a list by span, not sorted:
        // an insight may name every span of a trace.
        let spans = || insights.iter().flat_map(|i| i.spans.iter().copied());
        let Some(last) = spans().max() else {
            return Badges::default();
        };
        let mut first = vec![u32::MAX; last as usize + 1];
        for (k, i) in insights.iter().enumerate() {
            for &s in &i.spans {
                let f = &mut first[s as usize];
                *f = (*f).min(k as u32);
            }
        }
        Badges(
            (0..=last)
                .zip(first)
                .filter(|&(_, k)| k != u32::MAX)
                .map(|(s, k)| (s, insights[k as usize].kind.badge()))
                .collect(),
        )
    }

    /// The badge of span `s`.
    pub fn of_span(&self, s: u32) -> Option<&'static str> {
        let at = self.0.binary_search_by_key(&s, |&(x, _)| x).ok()?;
        Some(self.0[at].1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Room around a badge's text, inside its box.
pub const BADGE_PAD: f64 = 3.0;

/// `[a, b]` ∩ `[lo, hi]` in pixels, at least [`MIN_BAR_W`] wide and kept
/// inside `[lo, hi]`; None when the interval is wholly outside.
fn clip(a: f64, b: f64, lo: f64, hi: f64) -> Option<Stretch> {
    if b < lo || a > hi || b < a {
        return None;
    }
    let (x0, x1) = (a.max(lo), b.min(hi));
    if x1 - x0 >= MIN_BAR_W {
        return Some(Stretch { x0, x1 });
    }
    let x0 = x0.min(hi - MIN_BAR_W).max(lo);
    Some(Stretch {
        x0,
        x1: (x0 + MIN_BAR_W).min(hi),
    })
}

/// `bands` minus the pixels of `gap`.
fn cut_out(bands: Vec<Stretch>, gap: Stretch) -> Vec<Stretch> {
    let mut out = Vec::with_capacity(bands.len() + 1);
    for b in bands {
        if b.x1 <= gap.x0 || b.x0 >= gap.x1 {
            out.push(b);
            continue;
        }
        if b.x0 < gap.x0 {
            out.push(Stretch {
                x0: b.x0,
                x1: gap.x0,
            });
        }
        if b.x1 > gap.x1 {
            out.push(Stretch {
                x0: gap.x1,
                x1: b.x1,
            });
        }
    }
    out
}

/// The geometry of one frame: only the rows on screen, each span drawn as
/// its interval ∩ the window (and not at all when that is empty).
pub fn scene(i: &SceneInput, m: &impl TextMeasure) -> Scene {
    let name_w = name_width(i.width);
    let (tl0, tl1) = timeline_extent(i.width);
    let timeline = Stretch { x0: tl0, x1: tl1 };
    let scale = timeline_scale(i.width, i.view);
    let geo = RowGeometry {
        header: HEADER,
        row_height: ROW_H,
        scroll_y: i.scroll_y,
    };
    let shown = columns_fitting(name_w, i.columns.len());
    let names_end = name_w - shown as f64 * COLUMN_W;
    let columns: Vec<ColumnScene> = (0..shown)
        .map(|k| {
            let x0 = names_end + k as f64 * COLUMN_W;
            let header = m
                .fit(Font::Small, &i.columns[k], COLUMN_W - 2.0 * CELL_PAD)
                .map(|txt| {
                    Label::new(
                        m,
                        Font::Small,
                        txt,
                        x0 + CELL_PAD,
                        MINIMAP_H + RULER_H / 2.0,
                    )
                });
            ColumnScene {
                at: Stretch {
                    x0,
                    x1: x0 + COLUMN_W,
                },
                header,
            }
        })
        .collect();
    let t = i.t;
    let rows = geo
        .visible_range(i.height, i.rows.len())
        .map(|r| {
            let s = i.rows[r] as usize;
            let top = geo.row_top(r);
            let cy = top + ROW_H / 2.0;
            let depth = t.tree.depth()[s];
            let error = t.status[s] == StatusCode::Error;
            // Name column: toggle, colour chip, service, operation.
            let mut x = toggle_x(depth) + TOGGLE_W + 9.0;
            let service = m
                .fit(Font::Bold, i.ds.str(t.service[s]), names_end - x - 6.0)
                .map(|txt| Label::new(m, Font::Bold, txt, x, cy));
            if let Some(l) = &service {
                x = l.right() + 6.0;
            }
            // The error dot sits at the column's right end, an insight's
            // badge before it where there is room for it and a letter of the operation.
            let mut name_right = if error {
                names_end - 14.0
            } else {
                names_end - 6.0
            };
            let badge = i.badges.of_span(s as u32).and_then(|text| {
                let x0 = name_right - m.width(Font::Small, text) - 2.0 * BADGE_PAD;
                (x0 - 4.0 - m.width(Font::Regular, "m…") >= x).then(|| {
                    name_right = x0 - 4.0;
                    Label::new(m, Font::Small, text.to_string(), x0 + BADGE_PAD, cy)
                })
            });
            let operation = m
                .fit(Font::Regular, i.ds.str(t.name[s]), name_right - x)
                .map(|txt| Label::new(m, Font::Regular, txt, x, cy));
            let detail = operation.as_ref().and_then(|op| {
                let value = i.ds.span_attr_text(t, s, i.detail_key?)?;
                let x = op.right() + 6.0;
                let txt = m.fit(Font::Small, &value, name_right - x)?;
                Some(Label::new(m, Font::Small, txt, x, cy))
            });
            let cells = columns
                .iter()
                .zip(i.columns)
                .map(|(c, key)| {
                    let value = i.ds.span_attr_text(t, s, key)?;
                    let txt = m.fit(Font::Small, &value, c.at.w() - 2.0 * CELL_PAD)?;
                    Some(Label::new(m, Font::Small, txt, c.at.x0 + CELL_PAD, cy))
                })
                .collect();
            // Timeline.
            let bar = clip(scale.x_at(t.start_ns[s]), scale.x_at(t.end_ns(s)), tl0, tl1);
            let mut critical = Vec::new();
            let mut events = Vec::new();
            let mut duration = None;
            let mut duration_on_bar = false;
            if let Some(b) = bar {
                if let Some(cp) = i.critical {
                    critical = cp
                        .segments_of(s)
                        .filter_map(|g| {
                            let g = clip(scale.x_at(g.start_ns), scale.x_at(g.end_ns), tl0, tl1)?;
                            let g = Stretch {
                                x0: g.x0.max(b.x0),
                                x1: g.x1.min(b.x1),
                            };
                            (g.x1 > g.x0).then_some(g)
                        })
                        .collect();
                }
                events =
                    i.ds.events(t.events[s])
                        .iter()
                        .map(|e| scale.x_at(e.time_ns))
                        .filter(|&x| x >= tl0 && x <= tl1)
                        .map(|x| x.round().clamp(tl0, tl1 - 1.0))
                        .collect();
                let text = if t.flags[s] & flags::NO_DURATION != 0 {
                    "no duration".to_string()
                } else {
                    format_duration(t.duration_ns[s] as f64)
                };
                let lw = m.width(Font::Regular, &text);
                // Right of the bar, else left of it, else inside its right end.
                let at = if b.x1 + LABEL_GAP + lw <= tl1 {
                    Some(b.x1 + LABEL_GAP)
                } else if b.x0 - LABEL_GAP - lw >= tl0 {
                    Some(b.x0 - LABEL_GAP - lw)
                } else if b.w() >= lw + 2.0 * LABEL_GAP + 2.0 {
                    duration_on_bar = true;
                    Some(b.x1 - lw - LABEL_GAP - 2.0)
                } else {
                    None
                };
                duration = at.map(|x| Label::new(m, Font::Regular, text, x, cy));
                if let (true, Some(l)) = (duration_on_bar, &duration) {
                    let gap = Stretch {
                        x0: l.x - 2.0,
                        x1: l.right() + 2.0,
                    };
                    critical = cut_out(critical, gap);
                }
            }
            RowScene {
                row: r,
                span: s as u32,
                top,
                depth,
                has_children: t.tree.subtree_size()[s] > 1,
                collapsed: i.collapsed.get(s).copied().unwrap_or(false),
                error,
                matched: i
                    .matched
                    .is_some_and(|(m, _)| m.get(s).copied().unwrap_or(false)),
                service,
                operation,
                detail,
                cells,
                badge,
                bar,
                critical,
                events,
                duration,
                duration_on_bar,
            }
        })
        .collect();
    let ticks = ruler(
        &scale,
        t.bounds().0,
        TICK_SPACING,
        MINIMAP_H + RULER_H / 2.0 - 2.0,
        i.width,
        m,
    );
    let mini = timeline_scale(i.width, i.bounds);
    // At least 2 px wide, so the finest zoom still shows where it is.
    let x0 = mini.x(i.view.0).clamp(tl0, tl1 - 2.0);
    let x1 = mini.x(i.view.1).clamp(tl0, tl1).max(x0 + 2.0);
    let minimap_window = Stretch { x0, x1 };
    // A mark per pixel, not a sort of every match: a word can match a few
    // hundred thousand spans, and this runs every frame.
    let first_px = tl0.floor();
    let mut marked = vec![false; (tl1 - first_px).max(0.0) as usize + 1];
    for &s in i.matched.map_or(&[][..], |(_, order)| order) {
        let x = mini
            .x(t.start_ns[s as usize] as f64)
            .round()
            .clamp(tl0, tl1 - 1.0);
        if let Some(m) = marked.get_mut((x - first_px) as usize) {
            *m = true;
        }
    }
    let minimap_matches: Vec<f64> = (0..marked.len())
        .filter(|&k| marked[k])
        .map(|k| (first_px + k as f64).max(tl0))
        .collect();
    let arrows = flow_arrows(i, &geo, &scale, (tl0, tl1));
    Scene {
        name_w,
        names_end,
        columns,
        timeline,
        rows,
        ticks,
        minimap_window,
        minimap_matches,
        arrows,
    }
}

/// The arrows of the flows with an end on a visible row. Rows are in tree
/// order, so a span's row is found by its place in the tree.
fn flow_arrows(
    i: &SceneInput,
    geo: &RowGeometry,
    scale: &TimeScale,
    (tl0, tl1): (f64, f64),
) -> Vec<FlowArrow> {
    let t = i.t;
    let places = t.tree.preorder_pos();
    let pos = |s: u32| places[s as usize];
    let row_of = |s: u32| {
        let r = i.rows.partition_point(|&x| pos(x) < pos(s));
        (i.rows.get(r) == Some(&s)).then_some(r)
    };
    let on_screen = geo.visible_range(i.height, i.rows.len());
    let y = |r: usize| geo.row_top(r) + ROW_H / 2.0;
    let x = |ns: i64| scale.x_at(ns).clamp(tl0, tl1);
    i.flows
        .iter()
        .filter_map(|&(from, to)| {
            let (rf, rt) = (row_of(from)?, row_of(to)?);
            if !on_screen.contains(&rf) && !on_screen.contains(&rt) {
                return None;
            }
            Some(FlowArrow {
                from,
                to,
                x0: x(t.end_ns(from as usize)),
                y0: y(rf),
                x1: x(t.start_ns[to as usize]),
                y1: y(rt),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_stops_where_f64_still_places_pixels() {
        // A 198 ms trace in 2025: its times are exact to 256 ns.
        let t0 = 1_763_812_800_000_000_000.0;
        let b = (t0, t0 + 198e6);
        let mut v = b;
        for _ in 0..100 {
            v = zoom_window(v, b, t0 + 125e6, 0.5);
        }
        assert_eq!(v.1 - v.0, 64.0 * 256.0);
        let ticks = ruler(
            &timeline_scale(1000.0, v),
            t0 as i64,
            TICK_SPACING,
            0.0,
            1000.0,
            &crate::layout::text::FixedAdvance(6.0),
        );
        let labels: Vec<String> = ticks
            .iter()
            .filter_map(|t| t.label.as_ref().map(|l| l.text.clone()))
            .collect();
        let mut distinct = labels.clone();
        distinct.dedup();
        assert!(labels.len() >= 3 && distinct == labels, "{labels:?}");
        // Each tick where its time is: evenly apart, to a hundredth of a pixel.
        let tl_w = timeline_extent(1000.0).1 - timeline_extent(1000.0).0;
        for w in ticks.windows(2) {
            let step = (w[1].offset_ns - w[0].offset_ns) as f64;
            assert!(
                (w[1].x - w[0].x - tl_w * step / 16384.0).abs() < 0.01,
                "{w:?}"
            );
        }
    }

    #[test]
    fn spans_are_placed_to_the_ns_far_from_1970() {
        let t0: i64 = 1_763_812_800_000_000_000;
        // A root, and a child of 1 µs that starts 100 ns after a 256 ns step.
        let t = crate::synth::trace_with(
            &[None, Some(0)],
            &[t0, t0 + 125_250_100],
            &[198_000_000, 1_000],
        );
        let ds = Dataset::default();
        let b = t.time_window();
        let view = clamp_window(((t0 + 125_248_000) as f64, (t0 + 125_264_384) as f64), b);
        let rows = visible_rows(&t, &[]);
        let sc = scene(
            &SceneInput {
                ds: &ds,
                t: &t,
                rows: &rows,
                collapsed: &[],
                width: 1000.0,
                height: 400.0,
                scroll_y: 0.0,
                view,
                bounds: b,
                critical: None,
                matched: None,
                detail_key: None,
                columns: &[],
                flows: &[],
                badges: &Badges::default(),
            },
            &crate::layout::text::FixedAdvance(6.0),
        );
        let (tl0, tl1) = timeline_extent(1000.0);
        let px = |ns: i64| tl0 + (ns - (view.0 as i64)) as f64 / (view.1 - view.0) * (tl1 - tl0);
        let bar = sc.rows[1].bar.unwrap();
        assert!((bar.x0 - px(t0 + 125_250_100)).abs() < 1e-6, "{bar:?}");
        assert!((bar.x1 - px(t0 + 125_251_100)).abs() < 1e-6, "{bar:?}");
    }

    #[test]
    fn zoom_keeps_the_anchor_and_stays_in_bounds() {
        let b = (0.0, 1000.0);
        let z = zoom_window((0.0, 1000.0), b, 250.0, 0.5);
        assert_eq!(z, (125.0, 625.0));
        // Zooming out past the bounds clamps to the whole trace.
        assert_eq!(zoom_window(z, b, 250.0, 10.0), (0.0, 1000.0));
        // Zooming in stops at a millionth of the trace (or 1 ns).
        let tiny = zoom_window((0.0, 1000.0), b, 500.0, 1e-9);
        assert!((tiny.1 - tiny.0 - 1.0).abs() < 1e-9);
    }

    #[test]
    fn pan_stops_at_the_edges() {
        assert_eq!(
            pan_window((100.0, 200.0), (0.0, 1000.0), -500.0),
            (0.0, 100.0)
        );
        assert_eq!(
            pan_window((100.0, 200.0), (0.0, 1000.0), 5000.0),
            (900.0, 1000.0)
        );
    }

    #[test]
    fn rows_hit_and_scroll() {
        let g = RowGeometry {
            header: 60.0,
            row_height: 20.0,
            scroll_y: 0.0,
        };
        assert_eq!(g.row_at(59.0, 10), None);
        assert_eq!(g.row_at(60.0, 10), Some(0));
        assert_eq!(g.row_at(79.9, 10), Some(0));
        assert_eq!(g.row_at(80.0, 10), Some(1));
        assert_eq!(g.row_at(260.0, 10), None);
        assert_eq!(g.visible_range(100.0, 10), 0..2);
        assert_eq!(g.visible_range(101.0, 10), 0..3);
        // Row 9 in a canvas showing 2 rows: scroll so that it is the last one.
        assert_eq!(g.scroll_to_show(9, 100.0), 160.0);
        let scrolled = RowGeometry {
            scroll_y: 160.0,
            ..g
        };
        assert_eq!(scrolled.row_at(60.0, 10), Some(8));
        assert_eq!(scrolled.scroll_to_show(2, 100.0), 40.0);
    }

    #[test]
    fn toggles_follow_depth() {
        assert!(hits_toggle(toggle_x(0) + 5.0, 0));
        assert!(!hits_toggle(toggle_x(3) + 5.0, 0));
        assert!(hits_toggle(toggle_x(3) + 5.0, 3));
        assert_eq!(name_width(1000.0), 320.0);
        assert_eq!(name_width(200.0), 120.0);
    }
}
