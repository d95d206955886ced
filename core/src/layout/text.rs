//! Text as the geometry sees it: a font, the advance of each character, and
//! labels cut to fit. The painters measure with the canvas; the tests with
//! a fixed advance, so what fits where is decided in one place.

/// The fonts the canvases draw with (their CSS lives with the painters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Font {
    Regular,
    Bold,
    Small,
}

/// How wide text is drawn, in CSS pixels.
pub trait TextMeasure {
    /// The advance of one character (kerning left out: a label fits or is
    /// cut a character early).
    fn advance(&self, font: Font, c: char) -> f64;

    fn width(&self, font: Font, text: &str) -> f64 {
        text.chars().map(|c| self.advance(font, c)).sum()
    }

    /// `text`, or its longest prefix with an ellipsis, within `max_w`
    /// pixels; None when not even one character fits.
    fn fit(&self, font: Font, text: &str, max_w: f64) -> Option<String> {
        if max_w < 8.0 {
            return None;
        }
        if self.width(font, text) <= max_w {
            return Some(text.to_string());
        }
        let ellipsis = self.advance(font, '…');
        let (mut used, mut n) = (0.0, 0);
        for c in text.chars() {
            let cw = self.advance(font, c);
            if used + cw + ellipsis > max_w {
                break;
            }
            used += cw;
            n += 1;
        }
        (n > 0).then(|| text.chars().take(n).collect::<String>() + "…")
    }
}

/// Every character `advance` pixels wide: what the geometry tests measure with.
#[derive(Debug, Clone, Copy)]
pub struct FixedAdvance(pub f64);

impl TextMeasure for FixedAdvance {
    fn advance(&self, _: Font, _: char) -> f64 {
        self.0
    }
}

/// A line of text placed on a canvas: drawn from `x` (left edge), centred
/// on `y`, `w` pixels wide.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub text: String,
    pub font: Font,
}

impl Label {
    pub fn new(m: &impl TextMeasure, font: Font, text: String, x: f64, y: f64) -> Self {
        Label {
            x,
            y,
            w: m.width(font, &text),
            text,
            font,
        }
    }
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
    /// Whether two labels on one line share a pixel column.
    pub fn overlaps(&self, o: &Label) -> bool {
        self.x < o.right() && o.x < self.right()
    }
}

/// A rate (0–1) as a percentage with one decimal where it has one:
/// `66.7%`, `50%`. Every label of a rate is written by this, so a map's
/// edges and nodes never round the same rate differently.
pub fn percent(rate: f64) -> String {
    let s = format!("{:.1}", rate * 100.0);
    format!("{}%", s.strip_suffix(".0").unwrap_or(&s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_the_same_everywhere() {
        assert_eq!(percent(2.0 / 3.0), "66.7%");
        assert_eq!(percent(0.5), "50%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(1.0), "100%");
    }

    #[test]
    fn fits_with_an_ellipsis_or_not_at_all() {
        let m = FixedAdvance(7.0);
        assert_eq!(m.fit(Font::Regular, "checkout", 100.0).unwrap(), "checkout");
        // 40 px: four characters and the ellipsis (5 × 7 = 35).
        assert_eq!(m.fit(Font::Regular, "checkout", 40.0).unwrap(), "chec…");
        assert_eq!(m.fit(Font::Regular, "checkout", 7.0), None);
        assert_eq!(m.fit(Font::Regular, "checkout", 13.0), None);
    }
}
