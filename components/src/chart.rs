//! Draws a chart of numbers (statistics, search results) placed by
//! `core::layout::chart`, in the theme's colours.

use crate::canvas::draw_label;
use crate::theme::Theme;
use tracescope_core::layout::chart::{Chart, Ink, Mark};
use web_sys::CanvasRenderingContext2d;

fn color(th: &Theme, ink: Ink) -> &'static str {
    match ink {
        Ink::Series => th.services[0],
        Ink::Error => th.error,
        // p50, p95, p99: calm to alarming.
        Ink::Percentile(0) => th.services[2],
        Ink::Percentile(1) => th.services[1],
        Ink::Percentile(_) => th.error,
        Ink::Group(0) => th.services[0],
        Ink::Group(_) => th.services[1],
        Ink::Axis | Ink::Muted => th.muted,
        Ink::Grid => th.grid,
        Ink::Text => th.fg,
        Ink::Panel => th.bg,
    }
}

/// Clears the `w`×`h` (CSS pixels) canvas and draws every mark in order.
pub fn paint_chart(ctx: &CanvasRenderingContext2d, chart: &Chart, th: &Theme, w: f64, h: f64) {
    ctx.set_fill_style_str(th.bg);
    ctx.fill_rect(0.0, 0.0, w, h);
    ctx.set_text_baseline("middle");
    for mark in &chart.marks {
        match mark {
            Mark::Rect { rect, ink, .. } => {
                ctx.set_global_alpha(if *ink == Ink::Panel { 0.9 } else { 1.0 });
                ctx.set_fill_style_str(color(th, *ink));
                ctx.fill_rect(rect.x, rect.y, rect.w, rect.h);
                ctx.set_global_alpha(1.0);
            }
            Mark::Line { points, width, ink } => {
                ctx.set_stroke_style_str(color(th, *ink));
                ctx.set_line_width(*width);
                ctx.begin_path();
                // A 1-pixel line on the half pixel covers one pixel row.
                let nudge = if *width == 1.0 { 0.5 } else { 0.0 };
                let snap = |v: f64| if nudge > 0.0 { v.round() + nudge } else { v };
                for (i, &(x, y)) in points.iter().enumerate() {
                    if i == 0 {
                        ctx.move_to(snap(x), snap(y));
                    } else {
                        ctx.line_to(snap(x), snap(y));
                    }
                }
                ctx.stroke();
            }
            Mark::Dot { x, y, r, ink, .. } => {
                ctx.set_fill_style_str(color(th, *ink));
                ctx.begin_path();
                let _ = ctx.arc(*x, *y, *r, 0.0, std::f64::consts::TAU);
                ctx.fill();
            }
            Mark::Text { label, ink } => {
                ctx.set_fill_style_str(color(th, *ink));
                draw_label(ctx, label);
            }
        }
    }
}
