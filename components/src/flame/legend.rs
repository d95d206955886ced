//! The flame graph's services, in palette order; a click shows one service
//! alone in every view.

use crate::context::{view_context, ViewContext};
use crate::theme::theme;
use leptos::prelude::*;
use tracescope_core::model::StrId;

#[component]
pub fn FlameLegend() -> impl IntoView {
    let ViewContext {
        dataset,
        slots,
        service_filter,
        dark,
        ..
    } = view_context();
    // The services in the palette (the scope shown), in palette order: by name.
    let legend = Memo::new(move |_| {
        let mut v: Vec<(usize, StrId)> =
            slots.with(|sl| sl.iter().map(|(&s, &slot)| (slot, s)).collect());
        tracescope_core::order::sort(&mut v);
        dataset.with(|ds| {
            v.into_iter()
                .map(|(_, s)| (s, ds.str(s).to_string()))
                .collect::<Vec<_>>()
        })
    });

    view! {
    <ul class="legend" data-testid="flame-legend">
        {move || {
            let th = theme(dark.get());
            legend.get().into_iter().map(|(s, name)| {
                let color = slots.with(|sl| th.service(sl, s));
                view! {
                    <li
                        class:active=move || service_filter.get() == Some(s)
                        title="Show only this service in every view (click again to clear)"
                        on:click=move |_| service_filter.update(|f| *f = if *f == Some(s) { None } else { Some(s) })
                    >
                        <span class="swatch" style=format!("background:{color}")></span>
                        {name}
                    </li>
                }
            }).collect_view()
        }}
    </ul>
    }
}
