//! The top bar: open files, what is loading (with Cancel), and the actions
//! (paste, search, log links, share, copy link, theme), which fold into a
//! menu on a narrow screen.

use crate::copy_link::{copy_view_link, Copied};
use crate::loader::file_list;
use crate::state::AppState;
use leptos::prelude::*;

/// 1234567 → "1,234,567".
pub fn group_digits(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How long copy feedback stays before it fades out.
const FEEDBACK_MS: i32 = 2500;

/// Feedback shown next to the button pressed, then gone.
pub fn flash(feedback: RwSignal<Option<(f64, Copied)>>, what: Copied) {
    let stamp = js_sys::Date::now();
    feedback.set(Some((stamp, what.clone())));
    // Errors stay until dismissed: they say what to do.
    if what.is_ok() {
        set_timeout(
            move || {
                if feedback.with_untracked(|f| f.as_ref().map(|f| f.0)) == Some(stamp) {
                    feedback.set(None);
                }
            },
            std::time::Duration::from_millis(FEEDBACK_MS as u64),
        );
    }
}

/// The feedback of a copy button.
#[component]
pub fn CopyFeedback(
    feedback: RwSignal<Option<(f64, Copied)>>,
    testid: &'static str,
) -> impl IntoView {
    move || {
        feedback.get().map(|(_, what)| match what {
            Ok((text, _)) => view! { <span class="copied" role="status" data-testid=testid>{"✓ "}{text}</span> }.into_any(),
            Err(text) => view! {
                <span class="copy-problem" role="alert" data-testid=testid>
                    {text}
                    <button class="close" title="Dismiss" on:click=move |_| feedback.set(None)>"×"</button>
                </span>
            }
            .into_any(),
        })
    }
}

#[component]
pub fn TopBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let menu_open = RwSignal::new(false);
    let copied = RwSignal::new(None::<(f64, Copied)>);
    let on_file_input = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        state.loader.load_files(file_list(input.files()));
        input.set_value("");
    };
    let copy_link = move |_| {
        leptos::task::spawn_local(async move { flash(copied, copy_view_link(state).await) });
    };
    // A choice in the menu closes it; one that opens a dialog leaves it
    // open, so focus can go back to the button when the dialog closes.
    let choose = move |f: &dyn Fn()| {
        menu_open.set(false);
        f()
    };
    let open_dialog = |dialog: RwSignal<bool>| move |_| dialog.set(true);
    view! {
        <header class="topbar" class:menu-open=move || menu_open.get()>
            <div class="brand">"Tracescope"</div>
            <label class="button primary" title="Open trace files (JSON, JSON Lines, .gz)">
                "Open files…"
                <input
                    type="file"
                    class="visually-hidden"
                    multiple=true
                    accept=".json,.jsonl,.gz,.txt,application/json"
                    data-testid="file-input"
                    on:change=on_file_input
                />
            </label>
            {move || state.loading.get().map(|f| view! { <span class="loading" data-testid="loading">{format!("Loading {f}…")}</span> })}
            {move || state.progress.get().map(|p| {
                let mb = |b: f64| format!("{:.1} MB", b / 1e6);
                let (value, max, text) = if p.spans > 0 || (p.total > 0.0 && p.read >= p.total) {
                    // Decoding: spans so far (the total is not known before the end).
                    (None, 0.0, format!("decoding: {} spans", group_digits(p.spans)))
                } else if p.total > 0.0 {
                    (Some(p.read), p.total, format!("{} of {}", mb(p.read), mb(p.total)))
                } else {
                    (Some(p.read), 0.0, mb(p.read))
                };
                view! {
                    <progress data-testid="load-progress" data-bytes=p.read data-spans=p.spans max=max value=value></progress>
                    <span class="loading" data-testid="load-progress-text">{text}</span>
                    <button class="button" data-testid="load-cancel" title="Stop this load" on:click=move |_| {
                        crate::fetch::cancel_all();
                        crate::decode_worker::cancel();
                    }>"Cancel"</button>
                }
            })}
            <span class="spacer"></span>
            <CopyFeedback feedback=copied testid="copy-feedback" />
            <button class="button menu-button" data-testid="menu-button" aria-haspopup="true"
                aria-expanded=move || menu_open.get().to_string() aria-controls="topbar-actions"
                on:click=move |_| menu_open.update(|o| *o = !*o)>"☰ Menu"</button>
            <div class="topbar-actions" id="topbar-actions">
                <button class="button" data-testid="paste-button" on:click=open_dialog(state.paste_open)>"Paste JSON"</button>
                <button class="button" data-testid="search-button" title="Search Jaeger, Tempo or Zipkin, or the traces loaded here"
                    class:active=move || state.search_open.get()
                    on:click=move |_| choose(&|| state.search_open.update(|o| *o = !*o))>"Search…"</button>
                <button class="button" data-testid="loglinks-button" title="Links from traces and spans to your logs"
                    on:click=open_dialog(state.log_links_open)>"Log links…"</button>
                <button class="button" data-testid="share-button" title="A self-contained link (with redaction), or OTLP / Jaeger JSON, Markdown, PNG"
                    disabled=move || state.open.get().is_none()
                    on:click=open_dialog(state.share_open)>"Share / export…"</button>
                <button class="button" data-testid="copy-link" title="Copy a link that opens exactly this view"
                    data-link=move || copied.with(|c| match c { Some((_, Ok((_, link)))) => link.clone(), _ => String::new() })
                    on:click=move |ev| { menu_open.set(false); copy_link(ev) }>"Copy link"</button>
                <button class="button" data-testid="theme-toggle" title="Switch light/dark theme"
                    on:click=move |_| choose(&|| state.toggle_theme())>
                    {move || if state.dark.get() { "☀ Light" } else { "☾ Dark" }}
                </button>
            </div>
        </header>
    }
}
