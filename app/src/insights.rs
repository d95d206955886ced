//! The open trace's insights (`core::analysis::insights`) under its
//! summary: each names what it found and how much time is at stake; a click
//! marks its spans in the waterfall and flame graph and selects the first.

use crate::views::ViewState;
use leptos::prelude::*;
use std::sync::Arc;
use tracescope_core::find::Found;
use tracescope_core::layout::time::format_duration;

#[component]
pub fn InsightsList() -> impl IntoView {
    let state = expect_context::<crate::state::AppState>();
    let ViewState {
        insights,
        highlight,
        selected,
        ..
    } = expect_context::<ViewState>();
    let show = move |spans: Vec<u32>| {
        let found = state.dataset.with_untracked(|ds| {
            let t = ds.traces.get(state.open.get_untracked()?)?;
            Some(Found::of_spans(t, &spans))
        });
        if let Some(f) = found {
            selected.set(f.order.first().copied());
            highlight.set(Some(Arc::new(f)));
        }
    };
    move || {
        let list = insights.get();
        (!list.is_empty()).then(|| {
            let n = list.len();
            let top = list[0].message.clone();
            view! {
                // Closed, one line: the count and the finding with most at stake.
                <details class="insights" data-testid="insights" data-count=n>
                    <summary>
                        <b>{format!("{n} insight{}", if n == 1 { "" } else { "s" })}</b>
                        <span class="muted">{format!(" · {}", top)}</span>
                    </summary>
                    <ul>
                        {list.into_iter().map(|i| {
                            let spans = i.spans.clone();
                            view! {
                                <li data-kind=i.kind.key() data-count=i.count>
                                    <button class="link-button" title="Mark these spans and select the first" on:click=move |_| show(spans.clone())>
                                        {i.message.clone()}
                                    </button>
                                    {(i.saving_ns > 0).then(|| view! {
                                        <span class="muted">{format!(" · {} at stake", format_duration(i.saving_ns as f64))}</span>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </details>
            }
        })
    }
}
