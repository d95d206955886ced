//! Time ↔ pixel mapping, ruler ticks and duration text.

use super::text::{Font, Label, TextMeasure};

/// A visible time window `[start_ns, end_ns]` mapped onto `[x0, x0 + width]` pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeScale {
    pub start_ns: f64,
    pub end_ns: f64,
    pub x0: f64,
    pub width: f64,
}

impl TimeScale {
    pub fn new(start_ns: f64, end_ns: f64, x0: f64, width: f64) -> Self {
        let end_ns = if end_ns > start_ns {
            end_ns
        } else {
            start_ns + 1.0
        };
        TimeScale {
            start_ns,
            end_ns,
            x0,
            width: width.max(1.0),
        }
    }
    pub fn x(&self, t_ns: f64) -> f64 {
        self.x0 + (t_ns - self.start_ns) / (self.end_ns - self.start_ns) * self.width
    }
    /// The x of a model time (whole ns). Exact at any zoom: an `f64` holds
    /// today's epoch times only to 256 ns, so the distance from the
    /// window's start is taken in integers first.
    pub fn x_at(&self, t_ns: i64) -> f64 {
        self.x0 + self.since_start(t_ns) / (self.end_ns - self.start_ns) * self.width
    }
    /// `t_ns` − the window's start, exactly (to the ns).
    fn since_start(&self, t_ns: i64) -> f64 {
        let base = self.start_ns.floor();
        t_ns.saturating_sub(base as i64) as f64 - (self.start_ns - base)
    }
    /// The window as offsets from `origin_ns`, exactly.
    pub fn window_since(&self, origin_ns: i64) -> (f64, f64) {
        let a = -self.since_start(origin_ns);
        (a, a + (self.end_ns - self.start_ns))
    }
    pub fn t(&self, x: f64) -> f64 {
        self.start_ns + (x - self.x0) / self.width * (self.end_ns - self.start_ns)
    }
}

/// A "nice" tick step (1, 2 or 5 × 10^k ns) so that about `target` ticks span `range_ns`.
pub fn tick_step(range_ns: f64, target: f64) -> f64 {
    if range_ns <= 0.0 || target <= 0.0 {
        return 1.0;
    }
    let raw = range_ns / target;
    let pow = 10f64.powf(raw.log10().floor());
    let m = raw / pow;
    let nice = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    (nice * pow).max(1.0)
}

/// Tick offsets inside `[from, to]` (ns after an origin): multiples of a
/// nice step (see [`tick_step`]), as (step, offsets in whole ns). Offsets
/// are counted, not summed, so they stay exact at any zoom.
pub fn tick_offsets(from: f64, to: f64, target: f64) -> (i64, Vec<i64>) {
    let step = tick_step(to - from, target).round().max(1.0);
    let first = (from / step).ceil();
    let mut out = Vec::new();
    let mut k = first;
    while k * step <= to && out.len() < 1000 {
        out.push((k * step) as i64);
        k += 1.0;
    }
    (step as i64, out)
}

/// One tick of a time ruler: where it is and its label, if one fits.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// Time since the ruler's origin.
    pub offset_ns: i64,
    pub x: f64,
    pub label: Option<Label>,
}

/// The ticks of a ruler over `scale`, about `spacing` pixels apart, labelled
/// with the time since `origin_ns`, labels centred on `y`. Labels start just
/// right of their tick; one that would pass `right` or touch the previous
/// one is left out. Labels read distinct and increasing at every zoom: they
/// carry as many decimals as the step needs (`11.51s`, `11.52s`).
pub fn ruler(
    scale: &TimeScale,
    origin_ns: i64,
    spacing: f64,
    y: f64,
    right: f64,
    m: &impl TextMeasure,
) -> Vec<Tick> {
    let target = (scale.width / spacing).max(2.0);
    let (from, to) = scale.window_since(origin_ns);
    let (step, offsets) = tick_offsets(from, to, target);
    let texts = offset_labels(&offsets, step);
    let mut last_right = f64::NEG_INFINITY;
    offsets
        .into_iter()
        .zip(texts)
        .map(|(offset_ns, text)| {
            let x = scale.x_at(origin_ns.saturating_add(offset_ns));
            let label = Label::new(m, Font::Small, text, x + 3.0, y);
            let label = (label.x >= last_right + 4.0 && label.right() < right - 2.0).then(|| {
                last_right = label.right();
                label
            });
            Tick {
                offset_ns,
                x,
                label,
            }
        })
        .collect()
}

/// Labels for ticks `step` apart (as from [`tick_offsets`]): one unit for
/// all, chosen by the largest, with the decimals that tell two steps apart
/// (`11.51s`, `11.52s`), so they read distinct and increasing.
pub fn offset_labels(offsets: &[i64], step: i64) -> Vec<String> {
    let largest = offsets.iter().map(|o| o.unsigned_abs()).max().unwrap_or(0);
    let unit = RulerUnit::new(largest, step.unsigned_abs());
    offsets.iter().map(|&o| unit.format(o)).collect()
}

/// How a ruler writes its times: one unit for every label, chosen by the
/// largest, and the decimals its step needs.
#[derive(Debug, Clone, Copy, PartialEq)]
struct RulerUnit {
    unit_ns: u64,
    decimals: u32,
    minutes: bool,
}

impl RulerUnit {
    fn new(largest_ns: u64, step_ns: u64) -> Self {
        let unit_ns = match largest_ns {
            0..1_000 => 1,
            1_000..1_000_000 => 1_000,
            1_000_000..1_000_000_000 => 1_000_000,
            _ => 1_000_000_000,
        };
        // The fewest decimals that still tell two steps apart.
        let step_ns = step_ns.max(1);
        let decimals = (0..=9)
            .find(|&d| {
                let quantum = unit_ns / 10u64.pow(d);
                quantum <= 1 || step_ns.is_multiple_of(quantum)
            })
            .unwrap_or(9);
        RulerUnit {
            unit_ns,
            decimals,
            minutes: largest_ns >= 60_000_000_000,
        }
    }

    fn format(&self, offset_ns: i64) -> String {
        let sign = if offset_ns < 0 { "-" } else { "" };
        let mut a = offset_ns.unsigned_abs();
        let mut out = String::from(sign);
        if self.minutes {
            let m = a / 60_000_000_000;
            a %= 60_000_000_000;
            if m > 0 {
                out.push_str(&format!("{m}m "));
            }
        }
        let whole = a / self.unit_ns;
        out.push_str(&whole.to_string());
        if self.decimals > 0 {
            let quantum = self.unit_ns / 10u64.pow(self.decimals);
            let frac = (a % self.unit_ns) / quantum.max(1);
            out.push_str(&format!(".{frac:0w$}", w = self.decimals as usize));
        }
        out.push_str(match self.unit_ns {
            1 => "ns",
            1_000 => "µs",
            1_000_000 => "ms",
            _ => "s",
        });
        out
    }
}

/// `1.23ms`, `45µs`, `2.5s`, `3m 20s`: three significant digits.
pub fn format_duration(ns: f64) -> String {
    let a = ns.abs();
    let (v, unit) = if a < 1e3 {
        (ns, "ns")
    } else if a < 1e6 {
        (ns / 1e3, "µs")
    } else if a < 1e9 {
        (ns / 1e6, "ms")
    } else if a < 60e9 {
        (ns / 1e9, "s")
    } else {
        let m = (ns / 60e9).floor();
        let s = ((ns - m * 60e9) / 1e9).round();
        return format!("{m}m {s}s");
    };
    let digits = if v.abs() >= 100.0 {
        0
    } else if v.abs() >= 10.0 {
        1
    } else {
        2
    };
    let s = format!("{v:.digits$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    format!("{s}{unit}")
}

/// Wall-clock time (ns since the epoch) as `2025-11-22 12:00:00.000 UTC`.
pub fn format_utc(ns: i64) -> String {
    utc_fields(ns, " ", " UTC", 3)
}

/// RFC 3339 in UTC with nanoseconds (`2021-10-20T11:05:03.545000000Z`), as
/// APIs that take times as text want them.
pub fn rfc3339(ns: i64) -> String {
    utc_fields(ns, "T", "Z", 9)
}

/// The date and time of `ns`, the fraction to `digits` (3 or 9).
fn utc_fields(ns: i64, sep: &str, zone: &str, digits: usize) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    let nanos = ns.rem_euclid(1_000_000_000) as u32;
    // Fields by hand: chrono's format-string interpreter is ~13 KB of wasm.
    use chrono::{Datelike, Timelike};
    match chrono::DateTime::from_timestamp(secs, nanos) {
        Some(dt) => {
            let frac = if digits == 3 {
                nanos / 1_000_000
            } else {
                nanos
            };
            format!(
                "{:04}-{:02}-{:02}{sep}{:02}:{:02}:{:02}.{frac:0digits$}{zone}",
                dt.year(),
                dt.month(),
                dt.day(),
                dt.hour(),
                dt.minute(),
                dt.second(),
            )
        }
        None => String::from("—"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_round_trips() {
        let s = TimeScale::new(1000.0, 3000.0, 100.0, 400.0);
        assert_eq!(s.x(1000.0), 100.0);
        assert_eq!(s.x(3000.0), 500.0);
        assert_eq!(s.t(300.0), 2000.0);
    }

    #[test]
    fn utc_text() {
        assert_eq!(
            format_utc(1_634_727_903_545_000_000),
            "2021-10-20 11:05:03.545 UTC"
        );
        assert_eq!(format_utc(-1_500_000_000), "1969-12-31 23:59:58.500 UTC");
        assert_eq!(
            rfc3339(1_634_727_903_545_000_007),
            "2021-10-20T11:05:03.545000007Z"
        );
    }

    #[test]
    fn nice_ticks() {
        assert_eq!(tick_step(1_000_000.0, 10.0), 100_000.0);
        assert_eq!(tick_step(1_500_000.0, 10.0), 200_000.0);
        assert_eq!(tick_step(4_000.0, 10.0), 500.0);
        let (step, t) = tick_offsets(0.0, 1000.0, 5.0);
        assert_eq!(step, 200);
        assert_eq!(t, vec![0, 200, 400, 600, 800, 1000]);
    }

    /// The ruler of a long trace zoomed in: every label distinct, with the
    /// decimals its step needs (it read "11.5s 11.5s 11.5s 11.6s").
    #[test]
    fn zoomed_ruler_labels_differ() {
        use crate::layout::text::FixedAdvance;
        let s = 1e9;
        let scale = TimeScale::new(11.5 * s, 11.56 * s, 0.0, 1000.0);
        let ticks = ruler(&scale, 0, 110.0, 10.0, 1000.0, &FixedAdvance(6.0));
        let labels: Vec<_> = ticks
            .iter()
            .filter_map(|t| t.label.as_ref())
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(
            labels,
            ["11.50s", "11.51s", "11.52s", "11.53s", "11.54s", "11.55s"]
        );
        let fmt = |largest, step, ns| RulerUnit::new(largest, step).format(ns);
        assert_eq!(fmt(40_000_000, 5_000_000, 0), "0ms");
        assert_eq!(fmt(40_000_000, 5_000_000, 35_000_000), "35ms");
        assert_eq!(fmt(2_000_000_000, 200_000_000, 1_800_000_000), "1.8s");
        assert_eq!(fmt(19_800_002_000, 2_000, 19_800_002_000), "19.800002s");
        assert_eq!(
            fmt(200_000_000_000, 500_000_000, 125_500_000_000),
            "2m 5.5s"
        );
        assert_eq!(fmt(900, 100, 800), "800ns");
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(format_duration(999.0), "999ns");
        assert_eq!(format_duration(1_234_000.0), "1.23ms");
        assert_eq!(format_duration(45_000.0), "45µs");
        assert_eq!(format_duration(2_500_000_000.0), "2.5s");
        assert_eq!(format_duration(200e9), "3m 20s");
        assert_eq!(format_duration(123_456_000.0), "123ms");
    }
}
