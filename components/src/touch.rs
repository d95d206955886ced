//! Fingers on a canvas: the pointer events of touches read as drags and
//! pinches ([`Gesture`]); a mouse or pen keeps the canvas's own handlers, and
//! a tap reaches them as the click the browser makes of it. The canvas sets
//! `touch-action: none` so the browser leaves these gestures to us.

use crate::canvas::local_point;
use leptos::html::Canvas;
use leptos::prelude::*;
use tracescope_core::layout::gesture::{Gesture, Touches};
use web_sys::PointerEvent;

/// The `touch-action` a canvas with a [`TouchPad`] needs.
pub const TOUCH_STYLE: &str = "width:100%;height:100%;display:block;touch-action:none";

#[derive(Clone, Copy)]
pub struct TouchPad {
    canvas: NodeRef<Canvas>,
    touches: StoredValue<Touches>,
}

impl TouchPad {
    pub fn new(canvas: NodeRef<Canvas>) -> Self {
        TouchPad {
            canvas,
            touches: StoredValue::new(Touches::default()),
        }
    }

    pub fn down(&self, ev: &PointerEvent) {
        if ev.pointer_type() == "touch" {
            let (x, y) = local_point(self.canvas, ev);
            self.touches.update_value(|t| t.down(ev.pointer_id(), x, y));
        }
    }

    /// What a finger's move asks of the view, if it is a followed finger.
    pub fn moved(&self, ev: &PointerEvent) -> Option<Gesture> {
        if ev.pointer_type() != "touch" {
            return None;
        }
        let (x, y) = local_point(self.canvas, ev);
        let g = self
            .touches
            .try_update_value(|t| t.moved(ev.pointer_id(), x, y))
            .flatten()?;
        ev.prevent_default();
        Some(g)
    }

    /// For `pointerup` and `pointercancel`.
    pub fn up(&self, ev: &PointerEvent) {
        if ev.pointer_type() == "touch" {
            self.touches.update_value(|t| t.up(ev.pointer_id()));
        }
    }
}
