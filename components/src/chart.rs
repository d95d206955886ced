//! What the plotters charts (statistics, search results) share: the
//! theme's colours at the canvas' pixel ratio, and the look of axes, grid
//! and labels.

use crate::theme::{rgb, Theme};
use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::prelude::*;

/// A theme colour as plotters takes it.
pub fn color(hex: &str) -> RGBColor {
    let (r, g, b) = rgb(hex);
    RGBColor(r, g, b)
}

/// Errors from plotters as text.
pub fn err(e: &dyn std::fmt::Display) -> String {
    e.to_string()
}

pub struct ChartStyle {
    pub fg: RGBColor,
    pub muted: RGBColor,
    pub grid: RGBColor,
    pub bg: RGBColor,
    pub dpr: f64,
}

impl ChartStyle {
    pub fn new(th: &Theme, dpr: f64) -> Self {
        ChartStyle {
            fg: color(th.fg),
            muted: color(th.muted),
            grid: color(th.grid),
            bg: color(th.bg),
            dpr,
        }
    }

    /// CSS pixels to canvas pixels.
    pub fn px(&self, v: f64) -> i32 {
        (v * self.dpr).round() as i32
    }

    pub fn font(&self, size: f64) -> TextStyle<'static> {
        ("sans-serif", size * self.dpr).into_font().color(&self.fg)
    }

    /// Axes, grid and labels in the theme's colours.
    pub fn mesh<'m, 'a, 'b, X, Y, XT, YT, DB>(
        &self,
        m: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
    ) -> &'m mut MeshStyle<'a, 'b, X, Y, DB>
    where
        X: Ranged<ValueType = XT> + ValueFormatter<XT>,
        Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
        DB: DrawingBackend,
    {
        m.label_style(self.font(11.0))
            .axis_desc_style(self.font(11.0))
            .axis_style(self.muted)
            .bold_line_style(self.grid)
            .light_line_style(self.bg)
    }
}

/// A linear axis over `range` whose ticks are the given values: chosen by
/// `core::layout`, where they are tested, and labelled by the caller's
/// formatter (plotters' own key-point wrapper cannot be formatted).
pub struct TickedAxis {
    pub range: std::ops::Range<f64>,
    pub ticks: Vec<f64>,
}

impl Ranged for TickedAxis {
    type ValueType = f64;
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;

    fn range(&self) -> std::ops::Range<f64> {
        self.range.clone()
    }

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let (a, b) = (self.range.start, self.range.end);
        let frac = if b > a { (v - a) / (b - a) } else { 0.0 };
        limit.0 + (frac * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }
}
