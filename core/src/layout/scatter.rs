//! The search results' scatter plot: each result's start across (seconds
//! after the earliest), its duration up. The axes and their ticks are
//! chosen here; the chart library only draws them.

use super::time::{offset_labels, tick_offsets, tick_step};

/// Ticks on each axis, about.
const X_TICKS: f64 = 6.0;
const Y_TICKS: f64 = 5.0;
const DAY_NS: i64 = 86_400_000_000_000;
const SECOND_NS: i64 = 1_000_000_000;

/// How an x tick is written: the page formats wall-clock times (it knows
/// the time zone); offsets are written here.
#[derive(Debug, Clone, PartialEq)]
pub enum XLabel {
    /// The date (results over two days and more; ticks whole days apart).
    Date,
    /// The time of day to the second (over a minute; ticks whole seconds apart).
    Clock,
    /// Time since the earliest result.
    Offset(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct XTick {
    /// Seconds after the earliest start (the x axis' unit).
    pub value: f64,
    /// The absolute time, ns.
    pub at_ns: i64,
    pub label: XLabel,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScatterAxes {
    /// The earliest start, absolute ns.
    pub t0: i64,
    /// Seconds after `t0`, with room on both sides.
    pub x_range: (f64, f64),
    /// Durations in `y_unit_ns`, from 0 with room above the longest.
    pub y_range: (f64, f64),
    pub y_unit_ns: f64,
    pub x_ticks: Vec<XTick>,
    /// (value in `y_unit_ns`, label).
    pub y_ticks: Vec<(f64, String)>,
}

impl ScatterAxes {
    /// Axes for results at (start ns, duration ns); None without results.
    pub fn new(results: &[(i64, i64)]) -> Option<ScatterAxes> {
        let t0 = results.iter().map(|r| r.0).min()?;
        let t1 = results.iter().map(|r| r.0).max()?;
        let dmax = results.iter().map(|r| r.1.max(0)).max()?.max(1);
        let y_unit_ns = if dmax >= SECOND_NS {
            1e9
        } else if dmax >= 1_000_000 {
            1e6
        } else {
            1e3
        };
        let span_s = ((t1 as f64 - t0 as f64) / 1e9).max(1e-3);
        let x_range = (-span_s * 0.04, span_s * 1.04);
        let y_range = (0.0, dmax as f64 / y_unit_ns * 1.1);
        let x_ticks = x_ticks(t0, x_range, span_s);
        let (y_step, ys) = tick_offsets(0.0, y_range.1 * y_unit_ns, Y_TICKS);
        let y_ticks = ys
            .iter()
            .map(|&v| v as f64 / y_unit_ns)
            .zip(offset_labels(&ys, y_step))
            .collect();
        Some(ScatterAxes {
            t0,
            x_range,
            y_range,
            y_unit_ns,
            x_ticks,
            y_ticks,
        })
    }

    /// A result's place in the axes' units.
    pub fn point(&self, start_ns: i64, duration_ns: i64) -> (f64, f64) {
        (
            (start_ns as f64 - self.t0 as f64) / 1e9,
            duration_ns.max(0) as f64 / self.y_unit_ns,
        )
    }
}

/// Ticks across `x_range` (seconds after `t0`): whole days as dates over
/// two days, whole seconds as clock times over a minute, offsets below.
fn x_ticks(t0: i64, x_range: (f64, f64), span_s: f64) -> Vec<XTick> {
    let (a, b) = (t0 as f64 + x_range.0 * 1e9, t0 as f64 + x_range.1 * 1e9);
    let tick = |at_ns: i64, label| XTick {
        value: (at_ns as f64 - t0 as f64) / 1e9,
        at_ns,
        label,
    };
    if span_s >= 60.0 {
        let (whole, label) = if span_s >= 2.0 * 86_400.0 {
            (DAY_NS, XLabel::Date)
        } else {
            (SECOND_NS, XLabel::Clock)
        };
        // A nice step in whole units, ticks on its multiples since 1970.
        let step = tick_step((b - a) / whole as f64, X_TICKS) as i64 * whole;
        let first = (a / step as f64).ceil() as i64;
        let last = (b / step as f64).floor() as i64;
        return (first..=last)
            .map(|k| tick(k * step, label.clone()))
            .collect();
    }
    let (step, offsets) = tick_offsets(x_range.0 * 1e9, x_range.1 * 1e9, X_TICKS);
    offsets
        .iter()
        .zip(offset_labels(&offsets, step))
        .map(|(&o, text)| tick(t0 + o, XLabel::Offset(text)))
        .collect()
}
