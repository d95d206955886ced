//! Ctrl+K (⌘K): every action of the page by name — views, filters, folds,
//! find, open, paste, search, share and export, copy link, theme — typed
//! and run from the keyboard. `core::commands` ranks what is typed.

use crate::find_bar::step_error;
use crate::state::AppState;
use crate::views::{Tab, ViewState};
use leptos::prelude::*;
use std::rc::Rc;
use tracescope_components::Dialog;
use tracescope_components::FlameMode;
use tracescope_core::analysis::pills::Pill;
use wasm_bindgen::JsCast;

/// One action: what it is called, words it is also found by, its key.
struct Command {
    label: String,
    words: &'static str,
    keys: &'static str,
    run: Rc<dyn Fn()>,
}

fn command(
    label: impl Into<String>,
    words: &'static str,
    keys: &'static str,
    run: impl Fn() + 'static,
) -> Command {
    Command {
        label: label.into(),
        words,
        keys,
        run: Rc::new(run),
    }
}

/// Clicks the element of `testid` (a control whose work lives with it).
fn click(testid: &str) {
    let el = document().query_selector(&format!("[data-testid={testid}]"));
    if let Some(el) = el.ok().flatten() {
        el.unchecked_into::<web_sys::HtmlElement>().click();
    }
}

/// The actions that apply now.
fn commands(state: AppState, views: ViewState) -> Vec<Command> {
    let mut out = Vec::new();
    let trace_open = state.open.get_untracked().is_some();
    if !state.embed {
        out.push(command(
            "Open trace files…",
            "load file gz json",
            "",
            || click("file-input"),
        ));
        out.push(command(
            "Paste trace JSON…",
            "clipboard",
            "Ctrl+V",
            move || state.paste_open.set(true),
        ));
        out.push(command(
            "Search a backend or the loaded traces…",
            "jaeger tempo zipkin query",
            "",
            move || state.search_open.set(true),
        ));
        out.push(command("Log links…", "logs kibana loki", "", move || {
            state.log_links_open.set(true)
        }));
    }
    if trace_open {
        for tab in Tab::ALL {
            out.push(command(
                format!("Go to {}", tab.label()),
                "view tab",
                "",
                move || views.tab.set(tab),
            ));
        }
        let mode = views.flame_mode.get_untracked();
        let modes = [
            (FlameMode::Chart, "Flame graph: one trace over time"),
            (FlameMode::Merged, "Flame graph: merged by operation"),
            (
                FlameMode::Sandwich,
                "Flame graph: sandwich of the selected operation",
            ),
        ];
        for (m, label) in modes.into_iter().filter(|&(m, _)| m != mode) {
            out.push(command(
                label,
                "flame mode callers callees",
                "",
                move || {
                    views.flame_mode.set(m);
                    views.tab.set(Tab::Flame);
                },
            ));
        }
        out.push(command("Find spans…", "search filter query", "/", || {
            if let Some(input) = document()
                .query_selector("[data-testid=find-input]")
                .ok()
                .flatten()
            {
                let input = input.unchecked_into::<web_sys::HtmlInputElement>();
                let _ = input.focus();
                input.select();
            }
        }));
        out.push(command(
            "Next span with an error",
            "error failed",
            "e",
            move || step_error(state, views, false),
        ));
        out.push(command(
            "Previous span with an error",
            "error failed",
            "E",
            move || step_error(state, views, true),
        ));
        let pill = views.pill.get_untracked();
        for p in Pill::ALL.into_iter().filter(|&p| pill != Some(p)) {
            out.push(command(
                format!("Show only: {}", p.label()),
                p.explained(),
                "",
                move || {
                    views.pill.set(Some(p));
                    views.tab.set(Tab::Waterfall);
                },
            ));
        }
        if pill.is_some() {
            out.push(command(
                "Show every span",
                "only pill clear all",
                "",
                move || views.pill.set(None),
            ));
        }
        let only = views.matches_only.get_untracked();
        out.push(command(
            if only {
                "List every span, not only matches"
            } else {
                "List only the find's matches"
            },
            "matches only find",
            "",
            move || views.matches_only.set(!only),
        ));
        out.push(command("Collapse every subtree", "fold", "[", move || {
            views.collapse_all(state)
        }));
        out.push(command("Expand every subtree", "unfold", "]", move || {
            views.expand_all()
        }));
        out.push(command(
            "Show the whole trace",
            "zoom out reset window",
            "0",
            move || views.view.set(None),
        ));
        if views.focus.get_untracked().is_some() {
            out.push(command(
                "Leave the focused subtree",
                "focus back",
                "",
                move || views.focus.set(None),
            ));
        }
        if !state.embed {
            out.push(command(
                "Share or export…",
                "link redact otlp jaeger markdown png",
                "",
                move || state.share_open.set(true),
            ));
            out.push(command("Copy a link to this view", "url share", "", || {
                click("copy-link")
            }));
        }
    }
    let dark = state.dark.get_untracked();
    out.push(command(
        if dark {
            "Switch to the light theme"
        } else {
            "Switch to the dark theme"
        },
        "theme colour color",
        "",
        move || state.toggle_theme(),
    ));
    out.push(command("Keyboard shortcuts", "help keys", "?", move || {
        state.shortcuts_open.set(true)
    }));
    out
}

#[component]
pub fn Palette() -> impl IntoView {
    let state = expect_context::<AppState>();
    let views = expect_context::<ViewState>();
    let open = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    // The row the keys move (of what matches).
    let active = RwSignal::new(0usize);
    let listed = StoredValue::new_local(Vec::<Command>::new());
    let _keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let ctrl = ev.ctrl_key() || ev.meta_key();
        // Also from inside a text field, as in editors and chat apps.
        if ctrl && !ev.alt_key() && ev.key().eq_ignore_ascii_case("k") {
            ev.prevent_default();
            if !open.get_untracked() {
                listed.set_value(commands(state, views));
                query.set(String::new());
                active.set(0);
            }
            open.update(|o| *o = !*o);
        }
    });
    let matching = Memo::new(move |_| {
        let q = query.get();
        open.track();
        listed.with_value(|cmds| {
            let texts: Vec<String> = cmds
                .iter()
                .map(|c| format!("{} {}", c.label, c.words))
                .collect();
            tracescope_core::commands::rank(&q, &texts)
        })
    });
    // The row the keys reach stays in sight.
    Effect::new(move |_| {
        active.track();
        let row = document()
            .query_selector(".palette-list li.active")
            .ok()
            .flatten();
        if let Some(row) = row {
            let opts = web_sys::ScrollIntoViewOptions::new();
            opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
            row.scroll_into_view_with_scroll_into_view_options(&opts);
        }
    });
    // Runs a command once the palette has closed (and handed focus back).
    let run = move |i: usize| {
        let Some(f) = listed.with_value(|cmds| cmds.get(i).map(|c| c.run.clone())) else {
            return;
        };
        open.set(false);
        set_timeout(move || f(), std::time::Duration::ZERO);
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        let n = matching.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if n > 0 => active.update(|a| *a = (*a + 1) % n),
            "ArrowUp" if n > 0 => active.update(|a| *a = (*a + n - 1) % n),
            "Enter" => {
                if let Some(&i) = matching
                    .with_untracked(|m| m.get(active.get_untracked()).copied())
                    .as_ref()
                {
                    run(i);
                }
            }
            _ => return,
        }
        ev.prevent_default();
    };
    view! {
        <Dialog open=open on_close=Callback::new(move |_| open.set(false)) title="Commands" testid="palette" class="palette">
            <input type="text" class="search" data-testid="palette-input" placeholder="Type what to do"
                role="combobox" aria-expanded="true" aria-controls="palette-list" aria-autocomplete="list"
                prop:value=move || query.get()
                on:input=move |ev| { query.set(event_target_value(&ev)); active.set(0); }
                on:keydown=on_keydown />
            <ul class="palette-list" id="palette-list" role="listbox" data-testid="palette-list">
                {move || {
                    let order = matching.get();
                    if order.is_empty() {
                        return view! { <li class="muted" data-testid="palette-empty">"No command matches"</li> }.into_any();
                    }
                    let at = active.get();
                    listed.with_value(|cmds| order.iter().enumerate().map(|(k, &i)| {
                        let c = &cmds[i];
                        view! {
                            <li role="option" data-testid="palette-item" aria-selected=(k == at).to_string()
                                class:active=k == at on:click=move |_| run(i)>
                                <span>{c.label.clone()}</span>
                                {(!c.keys.is_empty()).then(|| view! { <kbd>{c.keys}</kbd> })}
                            </li>
                        }
                    }).collect_view()).into_any()
                }}
            </ul>
        </Dialog>
    }
}
