//! Touch gestures read as what the canvases already do with a wheel: one
//! finger drags the content, two fingers pinch it (zoom about the point
//! between them) and drag it together. Pointer events arrive one finger at a
//! time, so each move is compared with where the fingers were a moment ago.
//! A tap needs nothing here: the browser turns it into a click.

/// Fingers closer than this (pixels) give no pinch: the ratio of two tiny
/// distances is noise.
const MIN_PINCH_DISTANCE: f64 = 8.0;

/// What a finger's move asks of the content under it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gesture {
    /// How far the content follows the finger(s), in pixels (the middle of
    /// two fingers when pinching).
    pub dx: f64,
    pub dy: f64,
    /// New distance between the fingers over the old one: above 1 the
    /// fingers spread (zoom in), 1 for a one-finger drag.
    pub scale: f64,
    /// The point to zoom about: between the fingers, after the move.
    pub cx: f64,
    pub cy: f64,
}

/// The fingers on one canvas: at most two are followed, later ones ignored.
#[derive(Clone, Debug, Default)]
pub struct Touches {
    /// (pointer id, x, y) of each followed finger, where it was last seen.
    fingers: Vec<(i32, f64, f64)>,
}

impl Touches {
    pub fn down(&mut self, id: i32, x: f64, y: f64) {
        if self.fingers.len() < 2 && !self.fingers.iter().any(|f| f.0 == id) {
            self.fingers.push((id, x, y));
        }
    }

    /// A followed finger moved to (x, y): what the content should do.
    pub fn moved(&mut self, id: i32, x: f64, y: f64) -> Option<Gesture> {
        let i = self.fingers.iter().position(|f| f.0 == id)?;
        let before = self.fingers.clone();
        self.fingers[i] = (id, x, y);
        let after = &self.fingers;
        let gesture = match (before.as_slice(), after.as_slice()) {
            ([(_, x0, y0)], [_]) => Gesture {
                dx: x - x0,
                dy: y - y0,
                scale: 1.0,
                cx: x,
                cy: y,
            },
            ([a0, b0], [a1, b1]) => {
                let (m0, m1) = (middle(a0, b0), middle(a1, b1));
                let (d0, d1) = (distance(a0, b0), distance(a1, b1));
                let scale = if d0 >= MIN_PINCH_DISTANCE && d1 >= MIN_PINCH_DISTANCE {
                    d1 / d0
                } else {
                    1.0
                };
                Gesture {
                    dx: m1.0 - m0.0,
                    dy: m1.1 - m0.1,
                    scale,
                    cx: m1.0,
                    cy: m1.1,
                }
            }
            _ => return None,
        };
        Some(gesture)
    }

    /// A finger lifted, or the browser took it over.
    pub fn up(&mut self, id: i32) {
        self.fingers.retain(|f| f.0 != id);
    }

    /// How many fingers are followed.
    pub fn count(&self) -> usize {
        self.fingers.len()
    }
}

fn middle(a: &(i32, f64, f64), b: &(i32, f64, f64)) -> (f64, f64) {
    ((a.1 + b.1) / 2.0, (a.2 + b.2) / 2.0)
}

fn distance(a: &(i32, f64, f64), b: &(i32, f64, f64)) -> f64 {
    (a.1 - b.1).hypot(a.2 - b.2)
}
