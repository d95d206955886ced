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
