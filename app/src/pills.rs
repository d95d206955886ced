//! One-click pills over the waterfall: only the error spans, the critical
//! path or the slow spans (with the spans above them), one at a time;
//! `only=` in the address. `core::analysis::pills` says which spans.

use crate::views::ViewState;
use leptos::prelude::*;
use tracescope_core::analysis::pills::Pill;

#[component]
pub fn Pills() -> impl IntoView {
    let ViewState {
        pill, pill_spans, ..
    } = expect_context::<ViewState>();
    // How many spans the pill on keeps.
    let kept = move || pill_spans.with(|m| m.as_ref().map(|m| m.iter().filter(|&&k| k).count()));
    view! {
        <div class="pills" role="group" aria-label="Show only">
            <span class="muted">"Only: "</span>
            {Pill::ALL.into_iter().map(|p| view! {
                <button class="pill" data-testid=format!("pill-{}", p.key()) title=p.explained()
                    class:active=move || pill.get() == Some(p)
                    aria-pressed=move || (pill.get() == Some(p)).to_string()
                    on:click=move |_| pill.update(|on| *on = if *on == Some(p) { None } else { Some(p) })>
                    {p.label()}
                    {move || (pill.get() == Some(p)).then(|| kept().map(|n| format!(" · {n}"))).flatten()}
                </button>
            }).collect_view()}
        </div>
    }
}
