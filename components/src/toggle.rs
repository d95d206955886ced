//! A labelled checkbox bound to a signal: the toolbars' and dialogs' on/off
//! settings.

use leptos::prelude::*;

#[component]
pub fn Toggle(
    checked: RwSignal<bool>,
    testid: &'static str,
    /// The text after the box.
    label: &'static str,
    /// What it does, on hover.
    #[prop(optional)]
    title: Option<&'static str>,
) -> impl IntoView {
    view! {
        <label class="toggle" title=title>
            <input type="checkbox" data-testid=testid
                prop:checked=move || checked.get()
                on:change=move |ev| checked.set(event_target_checked(&ev)) />
            {format!(" {label}")}
        </label>
    }
}
