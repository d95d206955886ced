//! Jaeger UI's keys, for people who know them, anywhere on the page while
//! the waterfall is shown (not while typing): `[` folds and `]` unfolds
//! every subtree, `f` / `b` select the next / previous listed span, `a` /
//! `d` move the time a tenth of the window earlier / later (`w` / `s`, a
//! page of rows up / down, are the waterfall's own: it holds its scroll).

use crate::find_bar::typing;
use crate::state::AppState;
use crate::views::{Tab, ViewState};
use leptos::prelude::*;
use tracescope_core::layout::waterfall::{listed_rows, pan_window, RowFilter};

/// The share of the window `a` and `d` move it by.
const PAN_STEP: f64 = 0.1;

pub fn listen(state: AppState, views: ViewState) {
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if typing(&ev) || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        if views.tab.get_untracked() != Tab::Waterfall {
            return;
        }
        match ev.key().as_str() {
            "[" => views.collapse_all(state),
            "]" => views.expand_all(),
            "f" => step(state, views, 1),
            "b" => step(state, views, -1),
            "a" => pan(state, views, -PAN_STEP),
            "d" => pan(state, views, PAN_STEP),
            _ => return,
        }
        ev.prevent_default();
    });
    // Gone with the views that asked for it.
    on_cleanup(move || keys.remove());
}

/// Selects the listed span `by` rows from the selected one (the first row
/// when none is selected).
fn step(state: AppState, views: ViewState, by: isize) {
    let next = state.dataset.with_untracked(|ds| {
        let t = ds.trace(state.open.get_untracked()?)?;
        let found = views.marked.get_untracked();
        let matched = found
            .as_deref()
            .filter(|f| views.matches_only.get_untracked() && !f.is_empty())
            .map(|f| &f.matched[..]);
        let only = views.pill_spans.get_untracked();
        let filter = RowFilter {
            service: views.service_filter.get_untracked(),
            matched,
            only: only.as_deref().map(|o| &o[..]),
            focus: views.focus.get_untracked(),
        };
        let rows = views
            .collapsed
            .with_untracked(|c| listed_rows(t, c, &filter));
        let last = rows.len().checked_sub(1)?;
        let at = views
            .selected
            .get_untracked()
            .and_then(|s| rows.iter().position(|&r| r == s));
        let to = match at {
            Some(p) => p.saturating_add_signed(by).min(last),
            None => 0,
        };
        Some(rows[to])
    });
    if next.is_some() {
        views.selected.set(next);
    }
}

/// Moves the waterfall's window by `share` of its width.
fn pan(state: AppState, views: ViewState, share: f64) {
    let bounds = state
        .dataset
        .with_untracked(|ds| Some(ds.trace(state.open.get_untracked()?)?.time_window()));
    let Some(b) = bounds else { return };
    let v = views.view.get_untracked().unwrap_or(b);
    let next = pan_window(v, b, share * (v.1 - v.0));
    if next != v {
        views.view.set(Some(next));
    }
}
