//! The merged flame graph as a table: each frame (a service and operation
//! under the same path) with its calls, total and self time and share of the
//! whole, indented by depth in the graph's order — the canvas's text
//! alternative. Selecting a row zooms the graph into that frame. A
//! sandwich is listed the same way: the operation and its callers (each
//! caller under what it calls), then the operation and what it calls.

use crate::context::{view_context, ViewContext};
use crate::flame::Merge;
use crate::page_bar::{first_page_on_change, rows_on_page, PageBar};
use leptos::prelude::*;
use tracescope_core::analysis::flame::{SANDWICH_CALLEES, SANDWICH_CALLERS};
use tracescope_core::layout::text::percent;
use tracescope_core::layout::time::format_duration;

#[derive(Clone, Debug, PartialEq)]
struct Row {
    node: u32,
    depth: u32,
    service: String,
    name: String,
    calls: u32,
    total: String,
    self_time: String,
    share: String,
    errors: u32,
    /// Which half of a sandwich a root row begins.
    half: Option<&'static str>,
}

#[component]
pub fn FramesTable(
    /// The frame the graph is zoomed into (0 = all).
    focus: RwSignal<u32>,
    /// The graph (`Merge::of` the flame graph's mode).
    #[prop(into)]
    what: Signal<Option<Merge>>,
) -> impl IntoView {
    let ViewContext {
        dataset,
        trace,
        all_traces,
        ..
    } = view_context();
    let merged = crate::flame::merged_graph(dataset, trace, all_traces, what);
    let sandwich = move || matches!(what.get(), Some(Merge::Sandwich(_)));
    let table = Memo::new(move |_| {
        merged.with(|m| {
            let Some((f, _)) = m else {
                return Vec::new();
            };
            dataset.with_untracked(|ds| {
                let whole = f.nodes.first().map_or(0, |r| r.total_ns).max(1) as f64;
                f.preorder()
                    .into_iter()
                    .map(|id| {
                        let n = &f.nodes[id as usize];
                        Row {
                            node: id,
                            depth: n.depth,
                            service: ds.str(n.service).to_string(),
                            name: ds.str(n.name).to_string(),
                            calls: n.count,
                            total: format_duration(n.total_ns as f64),
                            self_time: format_duration(n.self_ns as f64),
                            share: percent(n.total_ns as f64 / whole),
                            errors: n.errors,
                            half: match id {
                                SANDWICH_CALLERS if sandwich() => Some("called by, nearest first"),
                                SANDWICH_CALLEES if sandwich() => Some("calls"),
                                _ => None,
                            },
                        }
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let page = first_page_on_change(table);
    let rows = move || rows_on_page(table, page);
    let total = Signal::derive(move || table.with(Vec::len));
    let ready = move || merged.with(Option::is_some);
    view! {
        // Shown once the graph is whole (it is merged over several tasks).
        <p class="muted" hidden=ready>"Merging the frames…"</p>
        <div class="rows-table" data-testid="frames-table" data-rows=total hidden=move || !ready()>
            <PageBar page=page total=total testid="frames" />
            <table class="trace-list">
                <caption class="visually-hidden">"The flame graph's frames: each service and operation under the same path, with its calls, total and self time"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Frame"</th>
                        <th scope="col" class="num">"Calls"</th>
                        <th scope="col" class="num">"Total"</th>
                        <th scope="col" class="num">"Self"</th>
                        <th scope="col" class="num">"Of all"</th>
                        <th scope="col" class="num">"Errors"</th>
                    </tr>
                </thead>
                <tbody>
                    // A page of rows: made again when it changes (no keyed list).
                    {move || rows().into_iter().map(|r| {
                        let id = r.node;
                        view! {
                            <tr class:open=move || focus.get() == id tabindex="0" data-node=id
                                data-calls=r.calls
                                aria-selected=move || (focus.get() == id).to_string()
                                on:click=move |_| focus.set(id)
                                on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Enter" || ev.key() == " " {
                                    ev.prevent_default();
                                    focus.set(id);
                                }>
                                <td style=format!("padding-left: {}px", 10 + 14 * r.depth.saturating_sub(1)) title=format!("depth {}", r.depth)>
                                    <b>{r.service}</b>" "<span class="muted">{r.name}</span>
                                    {r.half.map(|h| view! { <span class="sandwich-half" data-testid="sandwich-half">{h}</span> })}
                                </td>
                                <td class="num mono">{r.calls}</td>
                                <td class="num mono">{r.total}</td>
                                <td class="num mono">{r.self_time}</td>
                                <td class="num mono">{r.share}</td>
                                <td class="num" class:error={r.errors > 0}>{(r.errors > 0).then_some(r.errors)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
