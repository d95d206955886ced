//! The service map as a table: each call from one service to another with
//! how many there were, their error rate and p95 latency, busiest first —
//! the canvas's text alternative (the services themselves are the map's
//! legend). Selecting a row filters every view to the called service.

use crate::context::{view_context, ViewContext};
use crate::page_bar::{first_page_on_change, rows_on_page, PageBar};
use crate::service_map::service_graph_in_parts;
use leptos::prelude::*;
use tracescope_core::layout::text::percent;
use tracescope_core::layout::time::format_duration;
use tracescope_core::model::StrId;

#[derive(Clone, Debug, PartialEq)]
struct Row {
    caller: String,
    callee: StrId,
    callee_name: String,
    calls: usize,
    errors: usize,
    error_rate: String,
    p95: String,
}

#[component]
pub fn CallsTable() -> impl IntoView {
    let ViewContext {
        dataset,
        trace,
        all_traces,
        service_filter,
        ..
    } = view_context();
    let graph = service_graph_in_parts(dataset, trace, all_traces, usize::MAX);
    let table = Memo::new(move |_| {
        graph.with(|g| {
            dataset.with(|ds| {
                let Some(g) = g else {
                    return Vec::new();
                };
                let mut edges: Vec<_> = g.edges.iter().collect();
                tracescope_core::order::sort_by_key(&mut edges, |e| {
                    (
                        std::cmp::Reverse(e.calls),
                        ds.str(g.nodes[e.from].service),
                        ds.str(g.nodes[e.to].service),
                    )
                });
                edges
                    .into_iter()
                    .map(|e| Row {
                        caller: ds.str(g.nodes[e.from].service).to_string(),
                        callee: g.nodes[e.to].service,
                        callee_name: ds.str(g.nodes[e.to].service).to_string(),
                        calls: e.calls,
                        errors: e.errors,
                        error_rate: percent(e.error_rate()),
                        p95: format_duration(e.p95_ns as f64),
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let page = first_page_on_change(table);
    let rows = move || rows_on_page(table, page);
    let total = Signal::derive(move || table.with(Vec::len));
    view! {
        <div class="rows-table" data-testid="calls-table" data-rows=total aria-busy=move || graph.with(Option::is_none).to_string()>
            <PageBar page=page total=total testid="calls" />
            <table class="trace-list">
                <caption class="visually-hidden">"The service map's calls: which service calls which, how often, how often in error, and their p95 latency"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Caller"</th>
                        <th scope="col">"Called"</th>
                        <th scope="col" class="num">"Calls"</th>
                        <th scope="col" class="num">"Errors"</th>
                        <th scope="col" class="num">"p95"</th>
                    </tr>
                </thead>
                <tbody>
                    // A few rows: made again when they change (no keyed list).
                    {move || rows().into_iter().map(|r| {
                        let callee = r.callee;
                        let (caller, callee_name) = (r.caller.clone(), r.callee_name.clone());
                        view! {
                            <tr class:open=move || service_filter.get() == Some(callee) tabindex="0"
                                data-caller=caller data-callee=callee_name data-calls=r.calls data-errors=r.errors
                                title="Filter every view to the called service"
                                on:click=move |_| service_filter.update(|f| *f = if *f == Some(callee) { None } else { Some(callee) })
                                on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Enter" || ev.key() == " " {
                                    ev.prevent_default();
                                    service_filter.update(|f| *f = if *f == Some(callee) { None } else { Some(callee) });
                                }>
                                <td><b>{r.caller}</b></td>
                                <td>"→ "<b>{r.callee_name}</b></td>
                                <td class="num mono">{r.calls}</td>
                                <td class="num mono" class:error={r.errors > 0}>{if r.errors > 0 { r.error_rate } else { String::new() }}</td>
                                <td class="num mono">{r.p95}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
