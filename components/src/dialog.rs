//! A modal dialog that behaves as people expect: `role=dialog` and
//! `aria-modal`, named by its heading; focus moves into it when it opens
//! and stays there (Tab and Shift+Tab wrap around); Esc or a click outside
//! closes it, and focus goes back to what opened it.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// What can take focus inside a dialog, in the order Tab visits.
const FOCUSABLE: &str = "button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

fn focusables(root: &web_sys::Element) -> Vec<HtmlElement> {
    let Ok(list) = root.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.get(i)?.dyn_into::<HtmlElement>().ok())
        // Hidden ones (display: none) have no box and cannot take focus.
        .filter(|e| e.offset_parent().is_some())
        .collect()
}

fn active_element() -> Option<HtmlElement> {
    document().active_element()?.dyn_into().ok()
}

/// The dialog, shown while `open`; `on_close` is asked to close it (Esc,
/// a click outside, or its own buttons through the same signal).
#[component]
pub fn Dialog(
    #[prop(into)] open: Signal<bool>,
    on_close: Callback<()>,
    /// The dialog's heading (its accessible name).
    #[prop(into)]
    title: String,
    testid: &'static str,
    /// Extra classes of the dialog box.
    #[prop(optional)]
    class: &'static str,
    /// `alertdialog` for a question that needs an answer (no close on a
    /// click outside).
    #[prop(optional)]
    alert: bool,
    children: ChildrenFn,
) -> impl IntoView {
    let panel = NodeRef::<html::Div>::new();
    // What had focus when it opened: it gets it back on close.
    let opener = StoredValue::new_local(None::<HtmlElement>);
    Effect::new(move |was_open: Option<bool>| {
        let now_open = open.get();
        if now_open && was_open != Some(true) {
            opener.set_value(active_element());
        }
        if !now_open && was_open == Some(true) {
            if let Some(e) = opener.get_value() {
                let _ = e.focus();
            }
        }
        now_open
    });
    // Focus in once it is on the page: the first field or button.
    Effect::new(move |_| {
        let Some(el) = panel.get() else { return };
        let el: &web_sys::Element = &el;
        let first = el
            .query_selector("input:not([disabled]), textarea, select")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<HtmlElement>().ok())
            .or_else(|| focusables(el).into_iter().next());
        match first {
            Some(f) => drop(f.focus()),
            None => drop(el.unchecked_ref::<HtmlElement>().focus()),
        }
    });
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            ev.stop_propagation();
            return on_close.run(());
        }
        if ev.key() != "Tab" {
            return;
        }
        let Some(el) = panel.get_untracked() else {
            return;
        };
        let items = focusables(&el);
        let (Some(first), Some(last)) = (items.first(), items.last()) else {
            return ev.prevent_default();
        };
        let active = active_element();
        let at = |e: &HtmlElement| active.as_ref().is_some_and(|a| a == e);
        if ev.shift_key() && (at(first) || !items.iter().any(at)) {
            ev.prevent_default();
            let _ = last.focus();
        } else if !ev.shift_key() && (at(last) || !items.iter().any(at)) {
            ev.prevent_default();
            let _ = first.focus();
        }
    };
    let heading_id = format!("{testid}-title");
    view! {
        <Show when=move || open.get()>
            <div class="dialog-backdrop" on:click=move |_| if !alert { on_close.run(()) }>
                <div
                    class=format!("dialog {class}")
                    role=if alert { "alertdialog" } else { "dialog" }
                    aria-modal="true"
                    aria-labelledby=heading_id.clone()
                    tabindex="-1"
                    data-testid=testid
                    node_ref=panel
                    on:click=|ev| ev.stop_propagation()
                    on:keydown=on_keydown
                >
                    <h2 id=heading_id.clone()>{title.clone()}</h2>
                    {children()}
                </div>
            </div>
        </Show>
    }
}
