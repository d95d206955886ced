//! The open trace's insights (`core::analysis::insights`) under its
//! summary: each names what it found and how much time is at stake; a click
//! marks its spans in the waterfall and flame graph and selects the first.
//! With several traces loaded, the same findings grouped across all of them
//! ("in 12 of 12 traces"), made a few traces a task; a click opens the
//! first trace that has it and marks its spans there.

use crate::views::ViewState;
use leptos::prelude::*;
use std::sync::Arc;
use tracescope_components::canvas::build_in_parts;
use tracescope_core::analysis::insights::{
    insights as find_insights, Across, AcrossBuilder, Thresholds,
};
use tracescope_core::find::Found;
use tracescope_core::layout::time::format_duration;

/// Spans whose traces are looked at per task (a one-span trace costs about
/// what a span of a large one does: 25,000 took 5–25 ms here).
const ACROSS_PART: usize = 25_000;

#[component]
pub fn InsightsList() -> impl IntoView {
    let state = expect_context::<crate::state::AppState>();
    let ViewState {
        insights,
        highlight,
        selected,
        trace_count,
        ..
    } = expect_context::<ViewState>();
    let show = move |spans: Vec<u32>| {
        let found = state.dataset.with_untracked(|ds| {
            let t = ds.trace(state.open.get_untracked()?)?;
            Some(Found::of_spans(t, &spans))
        });
        if let Some(f) = found {
            selected.set(f.order.first().copied());
            highlight.set(Some(Arc::new(f)));
        }
    };
    // Opens trace `k` and, once it is open (opening resets the marks),
    // marks the spans of its insight about `subject`.
    let open_at = move |k: usize, subject: String| {
        state.open.set(Some(k));
        set_timeout(
            move || {
                let spans = state.dataset.with_untracked(|ds| {
                    let t = ds.trace(k)?;
                    let found = find_insights(ds, t, Thresholds::default());
                    found
                        .into_iter()
                        .find(|i| i.subject == subject)
                        .map(|i| i.spans)
                });
                if let Some(spans) = spans {
                    show(spans);
                }
            },
            std::time::Duration::ZERO,
        );
    };
    let across = RwSignal::new(Vec::<Across>::new());
    let job = StoredValue::new(0u64);
    Effect::new(move |_| {
        state.dataset.track();
        across.set(Vec::new());
        if trace_count.get() > 1 {
            build_in_parts(
                job,
                state.dataset,
                AcrossBuilder::new(Thresholds::default()),
                |b, ds| b.step(ds, &ds.traces, ACROSS_PART),
                move |b, _| across.set(b.finish()),
            );
        }
    });
    move || {
        let list = insights.get().unwrap_or_default();
        let grouped = across.get();
        (!list.is_empty() || !grouped.is_empty()).then(|| {
            let n = list.len();
            let of = trace_count.get();
            let top = list.first().map(|i| format!(" · {}", i.message));
            view! {
                // Closed, one line: the count and the finding with most at stake.
                <details class="insights" data-testid="insights" data-count=n>
                    <summary>
                        <b>{format!("{n} insight{}", if n == 1 { "" } else { "s" })}</b>
                        <span class="muted">{top}</span>
                    </summary>
                    <ul data-testid="insights-trace">
                        {list.iter().map(|i| {
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
                    {(!grouped.is_empty()).then(|| view! {
                        <h4>{format!("Across the {of} loaded traces")}</h4>
                        <ul data-testid="insights-across">
                            {grouped.into_iter().map(|a| {
                                let first = a.traces.first().map_or(0, |&k| k as usize);
                                let subject = a.subject.clone();
                                view! {
                                    <li data-kind=a.kind.key() data-traces=a.traces.len()>
                                        <button class="link-button" title="Open a trace with it"
                                            on:click=move |_| open_at(first, subject.clone())>{a.message(of)}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })}
                </details>
            }
        })
    }
}
