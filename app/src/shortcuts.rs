//! `?`: every keyboard shortcut of the page, in one dialog.

use crate::find_bar::typing;
use leptos::prelude::*;
use tracescope_components::Dialog;

/// The shortcuts, by where they work.
const SHORTCUTS: &[(&str, &[(&str, &str)])] = &[
    (
        "Anywhere",
        &[
            ("/  or  Ctrl+F", "Find spans in the open trace"),
            ("n  /  N", "Next / previous match of the find"),
            ("e  /  E", "Next / previous span with an error"),
            ("Ctrl+K  or  ⌘K", "Every action by name (command palette)"),
            ("Ctrl+V", "Paste trace JSON"),
            ("?", "This list"),
        ],
    ),
    (
        "Waterfall tab (Jaeger's keys)",
        &[
            ("[  /  ]", "Collapse / expand every subtree"),
            ("w  /  s", "Scroll a page of rows up / down"),
            ("f  /  b", "Select the next / previous span"),
            ("a  /  d", "Move the time window earlier / later"),
        ],
    ),
    (
        "Find box",
        &[
            ("Enter  /  Shift+Enter", "Next / previous match"),
            ("Esc", "Leave the box"),
        ],
    ),
    (
        "Waterfall (click it first)",
        &[
            ("↑  /  ↓", "Select the row above / below"),
            ("Home  /  End", "First / last row"),
            ("←  /  →", "Collapse / expand (← on a leaf: its parent)"),
            ("Enter", "Collapse or expand"),
            ("0", "Show the whole trace"),
            ("Esc", "Clear the selection"),
        ],
    ),
    (
        "Mouse",
        &[
            ("Wheel", "Scroll rows"),
            ("Ctrl/⌘+wheel, pinch", "Zoom at the pointer"),
            ("Shift+wheel", "Pan"),
            ("Drag on the timeline", "Zoom to that range"),
            ("Double-click", "Show the whole trace"),
        ],
    ),
];

#[component]
pub fn Shortcuts() -> impl IntoView {
    let open = expect_context::<crate::state::AppState>().shortcuts_open;
    let _keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "?" && !typing(&ev) && !ev.ctrl_key() && !ev.meta_key() {
            ev.prevent_default();
            open.update(|o| *o = !*o);
        }
    });
    view! {
        <Dialog open=open on_close=Callback::new(move |_| open.set(false)) title="Keyboard shortcuts" testid="shortcuts-dialog" class="shortcuts">
            {SHORTCUTS.iter().map(|(place, keys)| view! {
                <h3>{*place}</h3>
                <table class="shortcut-table">
                    <tbody>
                        {keys.iter().map(|(k, what)| view! {
                            <tr><td><kbd>{*k}</kbd></td><td>{*what}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }).collect_view()}
            <div class="dialog-actions">
                <button class="button" on:click=move |_| open.set(false)>"Close"</button>
            </div>
        </Dialog>
    }
}
