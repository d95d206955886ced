//! The attribute each waterfall row shows after its name (`http.route`,
//! `db.statement`, a status code…): chosen among the open trace's keys and
//! remembered in this browser.

use crate::state::AppState;
use crate::url_state::storage;
use crate::views::ViewState;
use leptos::prelude::*;
use tracescope_components::stats::attribute_keys_later;

const STORAGE_KEY: &str = "tracescope.row-attribute";

/// The attribute chosen last in this browser.
pub fn remembered() -> Option<String> {
    storage()?
        .get_item(STORAGE_KEY)
        .ok()
        .flatten()
        .filter(|k| !k.is_empty())
}

fn remember(key: Option<&str>) {
    if let Some(s) = storage() {
        let _ = match key {
            Some(k) => s.set_item(STORAGE_KEY, k),
            None => s.remove_item(STORAGE_KEY),
        };
    }
}

#[component]
pub fn RowAttributePicker() -> impl IntoView {
    let AppState { dataset, open, .. } = expect_context::<AppState>();
    let chosen = expect_context::<ViewState>().row_attribute;
    let keys = attribute_keys_later(
        dataset,
        Signal::derive(move || open.get()),
        Signal::stored(false),
    );
    // The chosen key stays listed on a trace without it (its rows show nothing).
    let options = move || {
        let mut all = keys.get();
        if let Some(c) = chosen.get().filter(|c| !all.contains(c)) {
            all.insert(0, c);
        }
        all.into_iter()
            .map(|k| {
                let is = chosen.get().as_deref() == Some(k.as_str());
                let label = k.clone();
                view! { <option value=k prop:selected=is>{label}</option> }
            })
            .collect_view()
    };
    view! {
        <label class="row-attribute" title="An attribute shown after each span's name">
            "Show "
            <select
                data-testid="row-attribute"
                on:change=move |ev| {
                    let k = Some(event_target_value(&ev)).filter(|k| !k.is_empty());
                    remember(k.as_deref());
                    chosen.set(k);
                }
            >
                <option value="" prop:selected=move || chosen.get().is_none()>"no attribute"</option>
                {options}
            </select>
        </label>
    }
}
