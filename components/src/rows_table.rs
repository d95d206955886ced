//! The waterfall as a table: the same rows in the same order (folds
//! respected), with the attribute after each name and the attribute
//! columns, as text a screen reader reads and a person can select — the
//! canvas's text alternative, a page of rows at a time; selecting a row
//! selects the span.

use crate::context::{view_context, ViewContext};
use crate::page_bar::{first_page_on_change, page_rows, PageBar};
use leptos::prelude::*;
use tracescope_core::layout::time::format_duration;
use tracescope_core::model::StatusCode;

#[derive(Clone, Debug, PartialEq)]
struct Row {
    span: u32,
    depth: u32,
    service: String,
    name: String,
    start: String,
    duration: String,
    error: bool,
    /// What an insight says of the span (the canvas's badge).
    badge: Option<&'static str>,
    /// The chosen attribute shown after the name, and the span's value in
    /// each attribute column (empty where it has none), as the canvas.
    detail: Option<String>,
    cells: Vec<String>,
}

#[component]
pub fn RowsTable() -> impl IntoView {
    let ViewContext {
        dataset,
        trace,
        selected,
        badges,
        row_attribute,
        row_columns,
        ..
    } = view_context();
    let order = view_context().listed_rows();
    let page = first_page_on_change(order);
    let rows = Memo::new(move |_| {
        let (from, n) = page_rows(page.get());
        let badges = badges.get();
        let (detail_key, columns) = (row_attribute.get(), row_columns.get());
        dataset.with(|ds| {
            let Some(t) = trace.get().and_then(|i| ds.trace(i)) else {
                return Vec::new();
            };
            let t0 = t.bounds().0;
            order.with(|o| {
                o.iter()
                    .skip(from)
                    .take(n)
                    .map(|&s| {
                        let i = s as usize;
                        Row {
                            span: s,
                            depth: t.tree.depth()[i],
                            service: ds.str(t.service[i]).to_string(),
                            name: ds.str(t.name[i]).to_string(),
                            start: format!("+{}", format_duration((t.start_ns[i] - t0) as f64)),
                            duration: format_duration(t.duration_ns[i] as f64),
                            error: t.status[i] == StatusCode::Error,
                            badge: badges.of_span(s),
                            detail: detail_key
                                .as_deref()
                                .and_then(|k| ds.span_attr_text(t, i, k)),
                            cells: columns
                                .iter()
                                .map(|k| ds.span_attr_text(t, i, k).unwrap_or_default())
                                .collect(),
                        }
                    })
                    .collect()
            })
        })
    });
    let total = Signal::derive(move || order.with(Vec::len));
    view! {
        <div class="rows-table" data-testid="rows-table" data-rows=total>
            <PageBar page=page total=total testid="rows" />
            <table class="trace-list">
                <caption class="visually-hidden">"The waterfall's rows: each span with its depth, start and duration"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Span"</th>
                        <th scope="col" class="num">"Start"</th>
                        <th scope="col" class="num">"Duration"</th>
                        <th scope="col">"Status"</th>
                        {move || row_columns.get().into_iter().map(|k| view! { <th scope="col">{k}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    // A page of rows: made again when it changes (no keyed list).
                    {move || rows.get().into_iter().map(|r| {
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
                                    {r.detail.map(|d| view! { " "<span class="muted mono">{d}</span> })}
                                    {r.badge.map(|b| view! { <span class="insight-badge" data-testid="row-badge">{b}</span> })}
                                </td>
                                <td class="num mono">{r.start}</td>
                                <td class="num mono">{r.duration}</td>
                                <td class:error=r.error>{if r.error { "error" } else { "" }}</td>
                                {r.cells.into_iter().map(|v| view! { <td class="mono" data-testid="row-cell">{v}</td> }).collect_view()}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
