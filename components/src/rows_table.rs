//! The waterfall as a table: the same rows in the same order (folds
//! respected), as text a screen reader reads and a person can select — the
//! canvas's text alternative. A page of rows at a time, so a million-span
//! trace makes no million-row table; selecting a row selects the span.

use leptos::prelude::*;
use tracescope_core::layout::time::format_duration;
use tracescope_core::layout::waterfall::visible_rows;
use tracescope_core::model::StatusCode;
use tracescope_core::Dataset;

/// Rows per page of the table.
pub const ROWS_PER_PAGE: usize = 200;

#[derive(Clone, Debug, PartialEq)]
struct Row {
    span: u32,
    depth: u32,
    service: String,
    name: String,
    start: String,
    duration: String,
    error: bool,
}

#[component]
pub fn RowsTable(
    dataset: RwSignal<Dataset>,
    #[prop(into)] trace: Signal<Option<usize>>,
    selected: RwSignal<Option<u32>>,
    collapsed: RwSignal<Vec<bool>>,
) -> impl IntoView {
    let page = RwSignal::new(0usize);
    let order = Memo::new(move |_| {
        dataset
            .with(|ds| {
                let t = ds.traces.get(trace.get()?)?;
                Some(collapsed.with(|c| visible_rows(t, c)))
            })
            .unwrap_or_default()
    });
    // Back to the first page when the rows change.
    Effect::new(move |_| {
        order.track();
        page.set(0);
    });
    let rows = Memo::new(move |_| {
        let from = page.get() * ROWS_PER_PAGE;
        dataset.with(|ds| {
            let Some(t) = trace.get().and_then(|i| ds.traces.get(i)) else {
                return Vec::new();
            };
            let t0 = t.bounds().0;
            order.with(|o| {
                o.iter()
                    .skip(from)
                    .take(ROWS_PER_PAGE)
                    .map(|&s| {
                        let i = s as usize;
                        Row {
                            span: s,
                            depth: t.tree.depth[i],
                            service: ds.str(t.service[i]).to_string(),
                            name: ds.str(t.name[i]).to_string(),
                            start: format!("+{}", format_duration((t.start_ns[i] - t0) as f64)),
                            duration: format_duration(t.duration_ns[i] as f64),
                            error: t.status[i] == StatusCode::Error,
                        }
                    })
                    .collect()
            })
        })
    });
    let total = move || order.with(Vec::len);
    let pages = move || total().div_ceil(ROWS_PER_PAGE).max(1);
    view! {
        <div class="rows-table" data-testid="rows-table" data-rows=total>
            <div class="rows-table-bar">
                <span>{move || {
                    let from = page.get() * ROWS_PER_PAGE;
                    format!("Rows {}–{} of {}", (from + 1).min(total()), (from + ROWS_PER_PAGE).min(total()), total())
                }}</span>
                <button class="button small" data-testid="rows-prev" disabled=move || page.get() == 0
                    on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>"← Earlier rows"</button>
                <button class="button small" data-testid="rows-next" disabled=move || { page.get() + 1 >= pages() }
                    on:click=move |_| page.update(|p| *p += 1)>"Later rows →"</button>
            </div>
            <table class="trace-list">
                <caption class="visually-hidden">"The waterfall's rows: each span with its depth, start and duration"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Span"</th>
                        <th scope="col" class="num">"Start"</th>
                        <th scope="col" class="num">"Duration"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || rows.get() key=|r| r.span children=move |r| {
                        let s = r.span;
                        view! {
                            <tr class:open=move || selected.get() == Some(s) class:has-errors=r.error
                                tabindex="0" data-span=s
                                aria-selected=move || (selected.get() == Some(s)).to_string()
                                on:click=move |_| selected.set(Some(s))
                                on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Enter" || ev.key() == " " {
                                    ev.prevent_default();
                                    selected.set(Some(s));
                                }>
                                <td style=format!("padding-left: {}px", 10 + 14 * r.depth)
                                    title=format!("depth {}", r.depth + 1)>
                                    <b>{r.service}</b>" "<span class="muted">{r.name}</span>
                                </td>
                                <td class="num mono">{r.start}</td>
                                <td class="num mono">{r.duration}</td>
                                <td class:error=r.error>{if r.error { "error" } else { "" }}</td>
                            </tr>
                        }
                    } />
                </tbody>
            </table>
        </div>
    }
}
