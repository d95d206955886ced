//! Charts of numbers: the statistics' latency histogram and percentile
//! curve, and the search results' scatter. Axes, ticks and every mark are
//! placed here in CSS pixels, each mark with the item it stands for; the
//! painter only draws them, and the tests check them against the data.

use super::scatter::{ScatterAxes, XTick};
use super::text::{Font, Label, TextMeasure};
use super::time::{format_duration, offset_labels, tick_offsets, tick_step};
use crate::analysis::percentile::nearest_rank;
use crate::analysis::stats::{Bins, OpStats};

/// A rectangle in CSS pixels, y down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
}

/// One axis: the values at its two ends and its ticks (value, text).
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<(f64, String)>,
}

impl Axis {
    /// How far along the axis `v` is, 0 at `lo`, 1 at `hi`.
    fn fraction(&self, v: f64) -> f64 {
        if self.hi > self.lo {
            (v - self.lo) / (self.hi - self.lo)
        } else {
            0.0
        }
    }
}

/// The area values are drawn in, and its two axes.
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    pub frame: Rect,
    pub x: Axis,
    pub y: Axis,
}

impl Plot {
    /// The pixel column of an x value.
    pub fn px(&self, v: f64) -> f64 {
        self.frame.x + self.x.fraction(v) * self.frame.w
    }
    /// The pixel row of a y value (up is more).
    pub fn py(&self, v: f64) -> f64 {
        self.frame.bottom() - self.y.fraction(v) * self.frame.h
    }
}

/// What a mark is drawn in; the painter gives each its theme colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ink {
    /// The data: bars, the curve, dots of results without errors.
    Series,
    /// Dots of results with errors.
    Error,
    /// The nth marked percentile (p50, p95, p99).
    Percentile(usize),
    /// Group A (0) or B (1) of a comparison.
    Group(usize),
    Axis,
    Grid,
    Text,
    Muted,
    /// The legend's box: the background, nearly opaque.
    Panel,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// A filled rectangle; `item` is the histogram bin it draws.
    Rect {
        rect: Rect,
        ink: Ink,
        item: Option<usize>,
    },
    /// A line through `points`, `width` pixels wide.
    Line {
        points: Vec<(f64, f64)>,
        width: f64,
        ink: Ink,
    },
    /// A filled circle; `item` is the result it stands for.
    Dot {
        x: f64,
        y: f64,
        r: f64,
        ink: Ink,
        item: Option<usize>,
    },
    Text {
        label: Label,
        ink: Ink,
    },
}

/// A canvas' worth of plots and their marks, in drawing order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Chart {
    pub plots: Vec<Plot>,
    pub marks: Vec<Mark>,
}

/// Marked percentiles, in `Ink::Percentile` order.
pub const MARKED: [f64; 3] = [50.0, 95.0, 99.0];

/// Pixels between x ticks, about.
const X_TICK_SPACING: f64 = 90.0;
/// Pixels between y ticks, about.
const Y_TICK_SPACING: f64 = 45.0;
/// Height of the chart's title line and of each line of text under an axis.
const LINE: f64 = 16.0;

/// The plot in `outer` with room for a title (when there is one), the y
/// labels at its left, the x labels and title under it; its axes, grid and
/// labels as marks.
/// An x label that would touch its neighbour or leave `outer` is left out.
fn framed(
    outer: Rect,
    title: Option<&str>,
    x: Axis,
    y: Axis,
    x_title: &str,
    y_title: &str,
    m: &impl TextMeasure,
) -> (Plot, Vec<Mark>) {
    let y_labels_w = y
        .ticks
        .iter()
        .map(|(_, t)| m.width(Font::Small, t))
        .fold(m.width(Font::Small, y_title), f64::max);
    let left = outer.x + y_labels_w + 10.0;
    let title_h = if title.is_some() { LINE } else { 0.0 };
    let top = outer.y + title_h + LINE + 4.0;
    let frame = Rect {
        x: left,
        y: top,
        w: (outer.right() - 14.0 - left).max(1.0),
        h: (outer.bottom() - 2.0 * LINE - 6.0 - top).max(1.0),
    };
    let plot = Plot { frame, x, y };
    let mut marks = Vec::new();
    let text = |font, s: &str, x: f64, y: f64| Label::new(m, font, s.to_string(), x, y);
    // Titles are cut to the chart's width on a narrow screen.
    let fitted = |font, s: &str| m.fit(font, s, outer.w).unwrap_or_default();
    if let Some(title) = title {
        marks.push(Mark::Text {
            label: text(
                Font::Bold,
                &fitted(Font::Bold, title),
                outer.x,
                outer.y + LINE / 2.0,
            ),
            ink: Ink::Text,
        });
    }
    for (v, t) in &plot.y.ticks {
        let y = plot.py(*v);
        marks.push(Mark::Line {
            points: vec![(frame.x, y), (frame.right(), y)],
            width: 1.0,
            ink: Ink::Grid,
        });
        let w = m.width(Font::Small, t);
        marks.push(Mark::Text {
            label: text(Font::Small, t, frame.x - 6.0 - w, y),
            ink: Ink::Muted,
        });
    }
    marks.push(Mark::Text {
        label: text(
            Font::Small,
            &fitted(Font::Small, y_title),
            outer.x,
            frame.y - LINE / 2.0 - 2.0,
        ),
        ink: Ink::Muted,
    });
    let below = frame.bottom() + LINE / 2.0 + 4.0;
    let mut last_right = f64::NEG_INFINITY;
    for (v, t) in &plot.x.ticks {
        let x = plot.px(*v);
        marks.push(Mark::Line {
            points: vec![(x, frame.bottom()), (x, frame.bottom() + 4.0)],
            width: 1.0,
            ink: Ink::Axis,
        });
        let w = m.width(Font::Small, t);
        let label = text(Font::Small, t, x - w / 2.0, below);
        if label.x >= last_right + 6.0 && label.x >= outer.x && label.right() <= outer.right() {
            last_right = label.right();
            marks.push(Mark::Text {
                label,
                ink: Ink::Muted,
            });
        }
    }
    let x_title = fitted(Font::Small, x_title);
    let w = m.width(Font::Small, &x_title);
    let centred = (frame.x + (frame.w - w) / 2.0).clamp(outer.x, (outer.right() - w).max(outer.x));
    marks.push(Mark::Text {
        label: text(Font::Small, &x_title, centred, below + LINE),
        ink: Ink::Muted,
    });
    marks.push(Mark::Line {
        points: vec![
            (frame.x, frame.y),
            (frame.x, frame.bottom()),
            (frame.right(), frame.bottom()),
        ],
        width: 1.0,
        ink: Ink::Axis,
    });
    (plot, marks)
}

/// Ticks over `[lo, hi]` ns, about `spacing` pixels apart on `length`
/// pixels, labelled as durations in one unit (`0ms`, `20ms`, `40ms`).
fn duration_axis(lo: f64, hi: f64, length: f64, spacing: f64) -> Axis {
    let (step, offsets) = tick_offsets(lo, hi, (length / spacing).max(2.0));
    let ticks = offsets
        .iter()
        .map(|&o| o as f64)
        .zip(offset_labels(&offsets, step))
        .collect();
    Axis { lo, hi, ticks }
}

/// Whole-number ticks from 0 to `hi` (counts).
fn count_axis(hi: f64, length: f64) -> Axis {
    let step = tick_step(hi, (length / Y_TICK_SPACING).clamp(1.0, hi.max(1.0))).max(1.0);
    let ticks = (0..)
        .map(|k| k as f64 * step)
        .take_while(|v| *v <= hi)
        .map(|v| (v, format!("{v:.0}")))
        .collect();
    Axis { lo: 0.0, hi, ticks }
}

/// The latency histogram (left, 60 %) and percentile curve (right) of one
/// row of the statistics, on a `w`×`h` canvas.
pub fn latency_charts(row: &OpStats, w: f64, h: f64, m: &impl TextMeasure) -> Chart {
    let split = (w * 0.6).round();
    let left = Rect {
        x: 8.0,
        y: 6.0,
        w: split - 16.0,
        h: h - 12.0,
    };
    let right = Rect {
        x: split + 8.0,
        y: 6.0,
        w: w - split - 16.0,
        h: h - 12.0,
    };
    let marked = [row.p50_ns, row.p95_ns, row.p99_ns];
    let mut chart = Chart::default();
    for (plot, marks) in [
        histogram_plot(&row.durations, &marked, left, m),
        percentile_plot(&row.durations, right, m),
    ] {
        chart.plots.push(plot);
        chart.marks.extend(marks);
    }
    chart
}

/// Bars of `sorted` durations' histogram bins (each with its bin's index),
/// a vertical line at each `marked` percentile value, and their legend.
pub fn histogram_plot(
    sorted: &[i64],
    marked: &[i64],
    outer: Rect,
    m: &impl TextMeasure,
) -> (Plot, Vec<Mark>) {
    let drawn = DrawnBins::of(sorted);
    let bins: Vec<(f64, f64, usize)> = drawn
        .edges
        .iter()
        .zip(drawn.counts(sorted))
        .map(|(&(a, b), c)| (a, b, c))
        .collect();
    let (first, last) = match (bins.first(), bins.last()) {
        (Some(f), Some(l)) => (f.0, l.1),
        _ => (0.0, 1.0),
    };
    let (x_lo, x_hi) = padded(first, last, bins.len());
    let top = bins.iter().map(|b| b.2).max().unwrap_or(0) as f64;
    let y_hi = (top * 1.15).ceil().max(top + 1.0);
    let title = format!("Latency histogram · {} spans", sorted.len());
    let (plot, mut marks) = framed(
        outer,
        Some(&title),
        duration_axis(x_lo, x_hi, outer.w, X_TICK_SPACING),
        count_axis(y_hi, outer.h),
        "duration",
        "spans",
        m,
    );
    let base = plot.py(0.0);
    for (i, &(a, b, count)) in bins.iter().enumerate() {
        let (x0, x1) = (plot.px(a), plot.px(b));
        // A hairline between neighbours once bars are wide enough to show it.
        let gap = if x1 - x0 > 4.0 { 0.5 } else { 0.0 };
        let y = plot.py(count as f64);
        marks.push(Mark::Rect {
            rect: Rect {
                x: x0 + gap,
                y,
                w: (x1 - x0 - 2.0 * gap).max(0.0),
                h: base - y,
            },
            ink: Ink::Series,
            item: Some(i),
        });
    }
    for (k, &v) in marked.iter().enumerate() {
        let x = plot.px(v as f64);
        marks.push(Mark::Line {
            points: vec![(x, plot.frame.y), (x, base)],
            width: 2.0,
            ink: Ink::Percentile(k),
        });
    }
    marks.extend(legend(&plot, marked, m));
    (plot, marks)
}

/// The bins a histogram draws: [`Bins`], or, when every value is (nearly)
/// the same, one bin 10 % of the value wide around it (a bin a nanosecond
/// wide would read as a line on an axis of fractions of a nanosecond).
struct DrawnBins {
    /// Each bin's [start, end), ns.
    edges: Vec<(f64, f64)>,
    /// How values are placed; None: everything is in the one bin.
    bins: Option<Bins>,
}

impl DrawnBins {
    fn of(sorted: &[i64]) -> DrawnBins {
        let (lo, hi) = match (sorted.first(), sorted.last()) {
            (Some(&a), Some(&b)) => (a as f64, b as f64),
            _ => {
                return DrawnBins {
                    edges: Vec::new(),
                    bins: None,
                }
            }
        };
        if hi - lo < hi.abs() * 0.01 + 1.0 {
            let half = (hi.abs() * 0.05).max(1.0);
            return DrawnBins {
                edges: vec![(lo - half, hi + half)],
                bins: None,
            };
        }
        let bins = Bins::of(sorted);
        DrawnBins {
            edges: bins.map_or(Vec::new(), |b| (0..b.len()).map(|i| b.edges(i)).collect()),
            bins,
        }
    }
    /// How many of `values` fall in each bin.
    fn counts(&self, values: &[i64]) -> Vec<usize> {
        match self.bins {
            Some(b) => b.counts(values),
            None => self.edges.iter().map(|_| values.len()).collect(),
        }
    }
}

/// The durations axis' ends around bins from `first` to `last` ns: a bin
/// alone gets its own width on each side, more get 2 % of their span.
fn padded(first: f64, last: f64, bins: usize) -> (f64, f64) {
    let pad = (last - first) * if bins == 1 { 1.0 } else { 0.02 };
    ((first - pad).max(0.0), last + pad)
}

/// "p50 12.3ms" for each marked value, in a box at the plot's top right.
fn legend(plot: &Plot, marked: &[i64], m: &impl TextMeasure) -> Vec<Mark> {
    let entries: Vec<(String, Ink)> = MARKED
        .iter()
        .zip(marked)
        .enumerate()
        .map(|(k, (p, &v))| {
            (
                format!("p{p:.0} {}", format_duration(v as f64)),
                Ink::Percentile(k),
            )
        })
        .collect();
    legend_box(plot, &entries, m)
}

/// A line of each entry's ink before its text, in a box at the plot's top
/// right; nothing when the box does not fit.
fn legend_box(plot: &Plot, entries: &[(String, Ink)], m: &impl TextMeasure) -> Vec<Mark> {
    let text_w = entries
        .iter()
        .map(|(t, _)| m.width(Font::Small, t))
        .fold(0.0, f64::max);
    let (w, h) = (text_w + 32.0, entries.len() as f64 * LINE + 8.0);
    if w > plot.frame.w || h > plot.frame.h {
        return Vec::new();
    }
    let x = plot.frame.right() - w - 4.0;
    let y = plot.frame.y + 4.0;
    let mut marks = vec![Mark::Rect {
        rect: Rect { x, y, w, h },
        ink: Ink::Panel,
        item: None,
    }];
    for (k, (t, ink)) in entries.iter().enumerate() {
        let line_y = y + 4.0 + LINE * (k as f64 + 0.5);
        marks.push(Mark::Line {
            points: vec![(x + 6.0, line_y), (x + 20.0, line_y)],
            width: 3.0,
            ink: *ink,
        });
        marks.push(Mark::Text {
            label: Label::new(m, Font::Small, t.clone(), x + 26.0, line_y),
            ink: Ink::Text,
        });
    }
    marks
}

/// Two groups' durations on shared bins: in each bin, A's bar (left half)
/// and B's (right half), each as tall as the share of its group's spans
/// in the bin (%), the bin's index its `item`; a line at each group's p95;
/// a legend with `names`.
pub fn compared_histograms(
    sorted: [&[i64]; 2],
    names: [&str; 2],
    outer: Rect,
    m: &impl TextMeasure,
) -> (Plot, Vec<Mark>) {
    let mut all: Vec<i64> = sorted.concat();
    all.sort_unstable();
    let bins = DrawnBins::of(&all);
    let counts = sorted.map(|s| bins.counts(s));
    let share = |g: usize, c: usize| 100.0 * c as f64 / sorted[g].len().max(1) as f64;
    let top = (0..2)
        .flat_map(|g| counts[g].iter().map(move |&c| share(g, c)))
        .fold(0.0, f64::max);
    let (first, last) = match (bins.edges.first(), bins.edges.last()) {
        (Some(f), Some(l)) => (f.0, l.1),
        _ => (0.0, 1.0),
    };
    let (x_lo, x_hi) = padded(first, last, bins.edges.len());
    let y_hi = (top * 1.15).max(1.0);
    let step = tick_step(y_hi, (outer.h / Y_TICK_SPACING).max(1.0));
    let y = Axis {
        lo: 0.0,
        hi: y_hi,
        ticks: (0..)
            .map(|k| k as f64 * step)
            .take_while(|v| *v <= y_hi)
            .map(|v| (v, format!("{v}%")))
            .collect(),
    };
    let (plot, mut marks) = framed(
        outer,
        Some("Durations, A against B"),
        duration_axis(x_lo, x_hi, outer.w, X_TICK_SPACING),
        y,
        "duration",
        "share of spans",
        m,
    );
    let base = plot.py(0.0);
    let in_bins = counts[0].iter().zip(&counts[1]);
    for (i, (&(a, b), in_bin)) in bins.edges.iter().zip(in_bins).enumerate() {
        let (x0, x1) = (plot.px(a), plot.px(b));
        let mid = (x0 + x1) / 2.0;
        let gap = if x1 - x0 > 8.0 { 0.5 } else { 0.0 };
        let halves = [(x0 + gap, mid, *in_bin.0), (mid, x1 - gap, *in_bin.1)];
        for (g, (l, r, count)) in halves.into_iter().enumerate() {
            let y = plot.py(share(g, count));
            marks.push(Mark::Rect {
                rect: Rect {
                    x: l,
                    y,
                    w: (r - l).max(0.0),
                    h: base - y,
                },
                ink: Ink::Group(g),
                item: Some(i),
            });
        }
    }
    let mut entries = Vec::new();
    for g in 0..2 {
        if let Some(v) = nearest_rank(sorted[g], 95.0) {
            let x = plot.px(v as f64);
            marks.push(Mark::Line {
                points: vec![(x, plot.frame.y), (x, base)],
                width: 2.0,
                ink: Ink::Group(g),
            });
            entries.push((
                format!("{} · p95 {}", names[g], format_duration(v as f64)),
                Ink::Group(g),
            ));
        }
    }
    marks.extend(legend_box(&plot, &entries, m));
    (plot, marks)
}

/// The duration at each percentile of `sorted` (nearest rank), every half
/// percent, and a dot at each of [`MARKED`].
pub fn percentile_plot(sorted: &[i64], outer: Rect, m: &impl TextMeasure) -> (Plot, Vec<Mark>) {
    let hi = sorted.last().map_or(1.0, |&v| v as f64 * 1.05).max(1.0);
    let x = Axis {
        lo: 0.0,
        hi: 100.0,
        ticks: (0..=4)
            .map(|k| (k as f64 * 25.0, format!("p{}", k * 25)))
            .collect(),
    };
    let (plot, mut marks) = framed(
        outer,
        Some("Percentiles"),
        x,
        duration_axis(0.0, hi, outer.h, Y_TICK_SPACING),
        "percentile",
        "duration",
        m,
    );
    let at = |p: f64| nearest_rank(sorted, p).unwrap_or(0) as f64;
    let points = (0..=200)
        .map(|i| i as f64 / 2.0)
        .map(|p| (plot.px(p), plot.py(at(p))))
        .collect();
    marks.push(Mark::Line {
        points,
        width: 2.0,
        ink: Ink::Series,
    });
    for (k, &p) in MARKED.iter().enumerate() {
        marks.push(Mark::Dot {
            x: plot.px(p),
            y: plot.py(at(p)),
            r: 4.0,
            ink: Ink::Percentile(k),
            item: None,
        });
    }
    (plot, marks)
}

/// One search result as the scatter plots it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScatterPoint {
    pub start_ns: i64,
    pub duration_ns: i64,
    pub has_errors: bool,
}

/// Each result's start across and duration up on a `w`×`h` canvas: a dot
/// per result (`item`: its index), red when it has errors. The page
/// writes wall-clock ticks (it knows the time zone) with `clock_label`, and
/// names their axis `clock_title`.
pub fn scatter_chart(
    results: &[ScatterPoint],
    w: f64,
    h: f64,
    m: &impl TextMeasure,
    clock_label: impl Fn(&XTick) -> String,
    clock_title: &str,
) -> Chart {
    let pairs: Vec<(i64, i64)> = results
        .iter()
        .map(|r| (r.start_ns, r.duration_ns))
        .collect();
    let Some(axes) = ScatterAxes::new(&pairs) else {
        let text = "No results: the duration and start of each will be plotted here";
        let tw = m.width(Font::Small, text);
        return Chart {
            plots: Vec::new(),
            marks: vec![Mark::Text {
                label: Label::new(m, Font::Small, text.to_string(), (w - tw) / 2.0, h / 2.0),
                ink: Ink::Muted,
            }],
        };
    };
    let offsets = axes
        .x_ticks
        .iter()
        .all(|t| matches!(t.label, super::scatter::XLabel::Offset(_)));
    let x = Axis {
        lo: axes.x_range.0,
        hi: axes.x_range.1,
        ticks: axes
            .x_ticks
            .iter()
            .map(|t| (t.value, clock_label(t)))
            .collect(),
    };
    let y = Axis {
        lo: axes.y_range.0,
        hi: axes.y_range.1,
        ticks: axes.y_ticks.clone(),
    };
    let outer = Rect {
        x: 8.0,
        y: 2.0,
        w: w - 16.0,
        h: h - 4.0,
    };
    let x_title = if offsets {
        "start, after the earliest"
    } else {
        clock_title
    };
    let (plot, mut marks) = framed(outer, None, x, y, x_title, "duration", m);
    // Results with errors last, on top.
    for with_errors in [false, true] {
        for (i, r) in results.iter().enumerate() {
            if r.has_errors != with_errors {
                continue;
            }
            let (vx, vy) = axes.point(r.start_ns, r.duration_ns);
            marks.push(Mark::Dot {
                x: plot.px(vx),
                y: plot.py(vy),
                r: 4.0,
                ink: if r.has_errors {
                    Ink::Error
                } else {
                    Ink::Series
                },
                item: Some(i),
            });
        }
    }
    Chart {
        plots: vec![plot],
        marks,
    }
}
