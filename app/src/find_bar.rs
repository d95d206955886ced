//! The find bar over the open trace: the query (`core::find`), how many
//! spans match and which one is selected, stepping through them (Enter /
//! Shift+Enter in the box, `n` / `N` anywhere, the arrows), and "matches
//! only". `/` or Ctrl+F (⌘F) focuses it from anywhere on the page; `e` /
//! `E` step through the spans with errors.

use crate::state::AppState;
use crate::views::{Tab, ViewState};
use leptos::prelude::*;
use tracescope_components::Toggle;
use tracescope_core::find::{find, FindQuery, Found};

pub use tracescope_components::typing;

/// Selects the match after (before, `back`) the selection among `found`,
/// unfolding what hides it; the waterfall scrolls to the selection.
fn step_through(state: AppState, views: ViewState, found: &Found, back: bool) {
    let ViewState {
        selected,
        collapsed,
        ..
    } = views;
    let next = state.dataset.with_untracked(|ds| {
        let t = ds.trace(state.open.get_untracked()?)?;
        let next = found.step(t, selected.get_untracked(), back)?;
        collapsed.update(|c| {
            let mut above = t.tree.parent_of(next as usize);
            while let Some(p) = above {
                if let Some(x) = c.get_mut(p) {
                    *x = false;
                }
                above = t.tree.parent_of(p);
            }
        });
        Some(next)
    });
    if next.is_some() {
        selected.set(next);
    }
}

/// Selects the next (previous) span with an error status: `e` / `E`, and
/// the error count in the trace's summary.
pub fn step_error(state: AppState, views: ViewState, back: bool) {
    let errors = state.dataset.with_untracked(|ds| {
        let t = ds.trace(state.open.get_untracked()?)?;
        Some(find(ds, t, &FindQuery::parse("error=true").ok()?))
    });
    if let Some(f) = errors {
        step_through(state, views, &f, back);
    }
}

#[component]
pub fn FindBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let views = expect_context::<ViewState>();
    let AppState { dataset, open, .. } = state;
    let ViewState {
        find,
        found,
        finding,
        matches_only,
        selected,
        tab,
        // What is marked: the find's matches, or the spans of an insight.
        marked,
        ..
    } = views;
    let input_ref = NodeRef::<leptos::html::Input>::new();

    let step = move |back: bool| {
        if let Some(f) = marked.get_untracked() {
            step_through(state, views, &f, back);
        }
    };

    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let ctrl = ev.ctrl_key() || ev.meta_key();
        let to_box =
            (ev.key() == "/" && !typing(&ev)) || (ctrl && ev.key().eq_ignore_ascii_case("f"));
        if to_box {
            if let Some(input) = input_ref.get_untracked() {
                ev.prevent_default();
                let _ = input.focus();
                input.select();
            }
        } else if !ctrl && !ev.alt_key() && !typing(&ev) {
            match ev.key().as_str() {
                "n" | "N" => step(ev.key() == "N"),
                "e" | "E" => step_error(state, views, ev.key() == "E"),
                _ => {}
            }
        }
    });
    // Gone with the find bar (another tab), or it would outlive its signals.
    on_cleanup(move || keys.remove());

    // "k of n" when the selection is a match.
    let count_text = move || match (found.get(), marked.get()) {
        (Err(e), _) => e,
        (Ok(_), None) if finding.get() => "finding…".into(),
        (Ok(_), None) => String::new(),
        (Ok(_), Some(f)) if f.is_empty() => "no match".into(),
        (Ok(_), Some(f)) => {
            let at = selected
                .get()
                .filter(|&s| f.matched.get(s as usize) == Some(&true))
                .and_then(|s| {
                    dataset.with(|ds| {
                        let t = ds.trace(open.get()?)?;
                        let places = t.tree.preorder_pos();
                        let pos = |x: u32| places[x as usize];
                        Some(f.order.partition_point(|&m| pos(m) < pos(s)) + 1)
                    })
                });
            match at {
                Some(k) => format!("{k} of {}", f.len()),
                None => format!("{} match{}", f.len(), if f.len() == 1 { "" } else { "es" }),
            }
        }
    };
    let count = move || marked.with(|f| f.as_ref().map_or(0, |f| f.len()));
    let bad = move || found.with(Result::is_err);
    let none = move || count() == 0;

    view! {
        <div class="find" role="search" data-testid="find-bar">
            <input
                type="search"
                class="search"
                node_ref=input_ref
                data-testid="find-input"
                aria-label="Find spans"
                placeholder="Find spans  ( / )"
                title="Words match any text of a span; \"a phrase\"; key=value; service= operation= error=true; duration>10ms; -word excludes. Enter: next, Shift+Enter: previous"
                prop:value=move || find.get()
                on:input=move |ev| find.set(event_target_value(&ev))
                on:keydown=move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
                    "Enter" => {
                        ev.prevent_default();
                        step(ev.shift_key());
                    }
                    "Escape" => {
                        if let Some(i) = input_ref.get_untracked() {
                            let _ = i.blur();
                        }
                    }
                    _ => {}
                }
            />
            <span class="find-count" class:error=bad role="status" data-testid="find-count" data-count=count>{count_text}</span>
            <button class="button icon" data-testid="find-prev" title="Previous match (Shift+Enter, N)" disabled=none on:click=move |_| step(true)>"↑"</button>
            <button class="button icon" data-testid="find-next" title="Next match (Enter, n)" disabled=none on:click=move |_| step(false)>"↓"</button>
            <Show when=move || tab.get() == Tab::Waterfall>
                <Toggle checked=matches_only testid="find-only" label="Matches only"
                    title="List only the matches and the spans above them" />
            </Show>
        </div>
    }
}
