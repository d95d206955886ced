//! Two traces side by side (two search results ticked): a waterfall each,
//! on one palette, each with its own selection, folds and zoom.

use leptos::prelude::*;
use tracescope_components::theme::service_slots;
use tracescope_components::WaterfallCanvas;
use tracescope_core::analysis::critical_path::critical_path;
use tracescope_core::analysis::summary::summarize;
use tracescope_core::layout::time::format_duration;
use tracescope_core::Dataset;

#[component]
fn Side(
    dataset: RwSignal<Dataset>,
    trace: usize,
    slots: Memo<tracescope_components::theme::ServiceSlots>,
    #[prop(into)] dark: Signal<bool>,
) -> impl IntoView {
    let n = dataset.with_untracked(|ds| ds.traces.get(trace).map_or(0, |t| t.len()));
    let selected = RwSignal::new(None::<u32>);
    let collapsed = RwSignal::new(vec![false; n]);
    let view = RwSignal::new(None::<(f64, f64)>);
    let critical = Memo::new(move |_| dataset.with(|ds| ds.traces.get(trace).map(critical_path)));
    let s = dataset.with_untracked(|ds| ds.traces.get(trace).map(|t| summarize(ds, t)));
    let id = s.as_ref().map(|s| s.trace_id.clone());
    view! {
        <div class="compare-side" data-testid="compare-side" data-trace-id=id>
            {s.map(|s| view! {
                <h3>
                    <b>{s.root_service}</b>" "<span class="muted">{s.root_name}</span>
                    " · "{format_duration(s.duration_ns as f64)}" · "{s.spans}" spans · "{s.errors}" errors"
                    " "<span class="mono muted">{s.trace_id}</span>
                </h3>
            })}
            <WaterfallCanvas
                dataset=dataset
                trace=Signal::derive(move || Some(trace))
                selected=selected
                collapsed=collapsed
                view=view
                slots=slots
                critical_path=critical
                show_critical=false
                service_filter=Signal::derive(|| None)
                dark=dark
            />
        </div>
    }
}

#[component]
pub fn CompareView(
    dataset: RwSignal<Dataset>,
    pair: (usize, usize),
    #[prop(into)] dark: Signal<bool>,
    on_close: Callback<()>,
) -> impl IntoView {
    let (a, b) = pair;
    // One palette over both traces: a service has one colour on both sides.
    let slots = Memo::new(move |_| {
        dataset.with(|ds| {
            let both: Vec<&tracescope_core::Trace> =
                [a, b].iter().filter_map(|&i| ds.traces.get(i)).collect();
            service_slots(ds, both)
        })
    });
    view! {
        <section class="compare" data-testid="compare-view">
            <div class="compare-bar">
                <h2>"Side by side"</h2>
                <button class="button" data-testid="compare-close" on:click=move |_| on_close.run(())>"Close"</button>
            </div>
            <div class="compare-sides">
                <Side dataset=dataset trace=a slots=slots dark=dark />
                <Side dataset=dataset trace=b slots=slots dark=dark />
            </div>
        </section>
    }
}
