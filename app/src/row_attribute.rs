//! What each waterfall row shows besides its name: an attribute after it
//! (`http.route`, `db.statement`, a status code…) and attributes as columns
//! beside the names; chosen among the open trace's keys and remembered in
//! this browser.

use crate::state::AppState;
use crate::url_state::storage;
use crate::views::ViewState;
use leptos::prelude::*;
use tracescope_components::stats::{attribute_keys_later, key_options};
use tracescope_core::analysis::stats::AttributeKeys;

const AFTER_NAME: &str = "tracescope.row-attribute";
/// The columns' keys, a line each.
const COLUMNS: &str = "tracescope.row-columns";

fn recall(name: &str) -> Option<String> {
    storage()?
        .get_item(name)
        .ok()
        .flatten()
        .filter(|k| !k.is_empty())
}

fn remember(name: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = match value {
            "" => s.remove_item(name),
            v => s.set_item(name, v),
        };
    }
}

/// The attribute chosen last in this browser.
pub fn remembered() -> Option<String> {
    recall(AFTER_NAME)
}

/// The columns chosen last in this browser.
pub fn remembered_columns() -> Vec<String> {
    recall(COLUMNS).map_or_else(Vec::new, |v| v.lines().map(String::from).collect())
}

/// The open trace's keys as a list's options, each with its label and
/// whether it is selected; `chosen` first among them when the trace lacks
/// them (listed still, to be taken away).
fn chosen_and_keys(
    keys: AttributeKeys,
    chosen: &[String],
    label: &dyn Fn(&str) -> (String, bool),
) -> impl IntoView {
    let mut listed = keys.listed;
    for c in chosen.iter().rev() {
        if !listed.contains(c) {
            listed.insert(0, c.clone());
        }
    }
    key_options(&listed, keys.left_out, &|k| {
        let (text, selected) = label(k);
        (k.to_string(), text, selected)
    })
}

#[component]
pub fn RowAttributePicker() -> impl IntoView {
    let AppState { dataset, open, .. } = expect_context::<AppState>();
    let ViewState {
        row_attribute: chosen,
        row_columns: columns,
        ..
    } = expect_context::<ViewState>();
    let keys = attribute_keys_later(
        dataset,
        Signal::derive(move || open.get()),
        Signal::stored(false),
    );
    let after_name = move || {
        let c = chosen.get();
        let is = |k: &str| (k.to_string(), c.as_deref() == Some(k));
        chosen_and_keys(keys.get(), c.as_slice(), &is)
    };
    // A column chosen is marked; choosing it again takes it away.
    let as_columns = move || {
        let c = columns.get();
        let mark = |k: &str| {
            let shown = c.iter().any(|x| x == k);
            (format!("{}{k}", if shown { "✓ " } else { "" }), false)
        };
        chosen_and_keys(keys.get(), &c, &mark)
    };
    let toggle_column = move |ev: leptos::ev::Event| {
        let k = event_target_value(&ev);
        event_target::<web_sys::HtmlSelectElement>(&ev).set_value("");
        let mut all = columns.get_untracked();
        match all.iter().position(|x| *x == k) {
            Some(at) => {
                all.remove(at);
            }
            None if !k.is_empty() => all.push(k),
            None => return,
        }
        remember(COLUMNS, &all.join("\n"));
        columns.set(all);
    };
    view! {
        <label class="row-attribute" title="An attribute shown after each span's name">
            "Show "
            <select
                data-testid="row-attribute"
                on:change=move |ev| {
                    let k = event_target_value(&ev);
                    remember(AFTER_NAME, &k);
                    chosen.set(Some(k).filter(|k| !k.is_empty()));
                }
            >
                <option value="" prop:selected=move || chosen.get().is_none()>"no attribute"</option>
                {after_name}
            </select>
        </label>
        // Hidden where no column fits beside the names (style/main.css).
        <label class="row-attribute row-columns" title="Attributes shown as columns beside the names, as many as fit: choose one to add it, a marked one to take it away">
            "Columns "
            <select data-testid="row-columns" on:change=toggle_column>
                <option value="" prop:selected=true>"choose…"</option>
                {as_columns}
            </select>
        </label>
    }
}
