//! Time ↔ pixel mapping, ruler ticks and duration text.

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
    pub fn t(&self, x: f64) -> f64 {
        self.start_ns + (x - self.x0) / self.width * (self.end_ns - self.start_ns)
    }
    /// Bar of a span: x and width, at least `min_w` pixels wide.
    pub fn bar(&self, start_ns: f64, dur_ns: f64, min_w: f64) -> (f64, f64) {
        let x = self.x(start_ns);
        let w = (self.x(start_ns + dur_ns) - x).max(min_w);
        (x, w)
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

/// Tick positions (ns, relative to `origin`) inside `[start, end]`.
pub fn ticks(start_ns: f64, end_ns: f64, origin_ns: f64, target: f64) -> Vec<f64> {
    let step = tick_step(end_ns - start_ns, target);
    let first = ((start_ns - origin_ns) / step).ceil() * step + origin_ns;
    let mut out = Vec::new();
    let mut t = first;
    while t <= end_ns && out.len() < 1000 {
        out.push(t);
        t += step;
    }
    out
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
        assert_eq!(s.bar(1000.0, 0.0, 1.0), (100.0, 1.0));
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
        let t = ticks(0.0, 1000.0, 0.0, 5.0);
        assert_eq!(t, vec![0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]);
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
