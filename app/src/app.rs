//! The App root: owns every signal and lays out the page.

use crate::loader::{file_list, pasted_into_field, LoadError, Loader};
use leptos::prelude::*;
use tracescope_components::theme::service_slots;
use tracescope_components::trace_list::format_utc;
use tracescope_components::{
    FlameGraph, FlameMode, ServiceMap, SpanDetail, StatsView, TraceList, WaterfallCanvas,
};
use tracescope_core::analysis::critical_path::critical_path;
use tracescope_core::analysis::summary::summarize;
use tracescope_core::layout::time::format_duration;
use tracescope_core::model::StrId;
use tracescope_core::Dataset;

/// The views of the open trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Waterfall,
    Flame,
    Map,
    Stats,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::Waterfall, Tab::Flame, Tab::Map, Tab::Stats];
    pub fn label(self) -> &'static str {
        match self {
            Tab::Waterfall => "Waterfall",
            Tab::Flame => "Flame graph",
            Tab::Map => "Service map",
            Tab::Stats => "Statistics",
        }
    }
    pub fn test_id(self) -> &'static str {
        match self {
            Tab::Waterfall => "view-waterfall",
            Tab::Flame => "view-flame",
            Tab::Map => "view-map",
            Tab::Stats => "view-stats",
        }
    }
    /// Whether the view can cover every loaded trace, not only the open one.
    pub fn has_scope(self, flame: FlameMode) -> bool {
        matches!(self, Tab::Map | Tab::Stats) || (self == Tab::Flame && flame == FlameMode::Merged)
    }
}

/// Demo traces shown on first start (files in `public/demo/`).
const DEMO: &[&str] = &["demo/checkout-jaeger.json", "demo/search-otlp.json"];

fn prefers_dark() -> bool {
    let stored = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item("tracescope.theme").ok().flatten());
    match stored.as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => web_sys::window()
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
            .map(|m| m.matches())
            .unwrap_or(false),
    }
}

#[component]
pub fn App() -> impl IntoView {
    let dataset = RwSignal::new(Dataset::default());
    let sources = RwSignal::new(Vec::<String>::new());
    let open = RwSignal::new(None::<usize>);
    let selected = RwSignal::new(None::<u32>);
    let collapsed = RwSignal::new(Vec::<bool>::new());
    let view = RwSignal::new(None::<(f64, f64)>);
    let errors = RwSignal::new(Vec::<LoadError>::new());
    let loading = RwSignal::new(None::<String>);
    let dark = RwSignal::new(prefers_dark());
    let dragging = RwSignal::new(false);
    let paste_open = RwSignal::new(false);
    let paste_text = RwSignal::new(String::new());
    let tab = RwSignal::new(Tab::Waterfall);
    let all_traces = RwSignal::new(false);
    let service_filter = RwSignal::new(None::<StrId>);
    let selected_op = RwSignal::new(None::<(StrId, StrId)>);
    let show_critical = RwSignal::new(true);
    let flame_mode = RwSignal::new(FlameMode::Chart);
    let flame_search = RwSignal::new(String::new());
    let loader = Loader {
        dataset,
        sources,
        open,
        errors,
        loading,
    };

    // Opening a trace resets what belonged to the previous one.
    Effect::new(move |_| {
        let n = dataset.with(|ds| {
            open.get()
                .and_then(|i| ds.traces.get(i))
                .map(|t| t.len())
                .unwrap_or(0)
        });
        selected.set(None);
        view.set(None);
        service_filter.set(None);
        collapsed.set(vec![false; n]);
    });
    // A span selected anywhere selects its operation everywhere.
    Effect::new(move |_| {
        let Some(s) = selected.get() else { return };
        let op = dataset.with_untracked(|ds| {
            let t = ds.traces.get(open.get_untracked()?)?;
            let s = s as usize;
            (s < t.len()).then(|| (t.service[s], t.name[s]))
        });
        if op.is_some() && op != selected_op.get_untracked() {
            selected_op.set(op);
        }
    });
    Effect::new(move |_| {
        let d = dark.get();
        if let Some(el) = document().document_element() {
            let _ = el.set_attribute("data-theme", if d { "dark" } else { "light" });
        }
    });
    // First start: the demo traces.
    leptos::task::spawn_local(async move {
        for url in DEMO {
            loader.load_url(url).await;
        }
        // Open the first demo trace, not the last one loaded.
        if dataset.with_untracked(|ds| !ds.traces.is_empty()) {
            open.set(Some(0));
        }
    });
    // Paste anywhere (outside text fields) opens the pasted JSON.
    let _paste = window_event_listener(leptos::ev::paste, move |ev: web_sys::ClipboardEvent| {
        if pasted_into_field(&ev) {
            return;
        }
        if let Some(text) = ev.clipboard_data().and_then(|d| d.get_data("text").ok()) {
            if !text.trim().is_empty() {
                ev.prevent_default();
                loader.load_bytes("pasted text", text.as_bytes());
            }
        }
    });

    let summary = Memo::new(move |_| {
        dataset.with(|ds| {
            open.get()
                .and_then(|i| ds.traces.get(i))
                .map(|t| summarize(ds, t))
        })
    });
    let trace_count = Memo::new(move |_| dataset.with(|ds| ds.traces.len()));
    // One palette for every view: over what the views show.
    let scope_all =
        Signal::derive(move || all_traces.get() && tab.get().has_scope(flame_mode.get()));
    let slots = Memo::new(move |_| {
        let all = scope_all.get();
        let i = open.get();
        dataset.with(|ds| {
            if all {
                service_slots(ds, ds.traces.iter())
            } else {
                service_slots(ds, i.and_then(|i| ds.traces.get(i)))
            }
        })
    });
    let critical = Memo::new(move |_| {
        dataset.with(|ds| open.get().and_then(|i| ds.traces.get(i)).map(critical_path))
    });
    let critical_of_selected = Signal::derive(move || {
        let s = selected.get()? as usize;
        let total = summary.with(|m| m.as_ref().map(|m| m.duration_ns))?;
        critical
            .with(|c| c.as_ref()?.time_on_path.get(s).copied())
            .map(|on| (on, total))
    });
    let filter_name = Memo::new(move |_| {
        service_filter
            .get()
            .map(|s| dataset.with(|ds| ds.str(s).to_string()))
    });
    let open_signal = Signal::derive(move || open.get());

    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        let files = file_list(ev.data_transfer().and_then(|d| d.files()));
        if !files.is_empty() {
            loader.load_files(files);
        }
    };
    let on_file_input = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let files = file_list(input.files());
        loader.load_files(files);
        input.set_value("");
    };
    let expand_all = move |_| collapsed.update(|c| c.iter_mut().for_each(|x| *x = false));
    let collapse_all = move |_| {
        let roots_only = dataset.with(|ds| {
            open.get()
                .and_then(|i| ds.traces.get(i))
                .map(|t| {
                    (0..t.len())
                        .map(|s| t.tree.subtree_size[s] > 1)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        });
        collapsed.set(roots_only);
    };
    let toggle_theme = move |_| {
        dark.update(|d| *d = !*d);
        if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = s.set_item(
                "tracescope.theme",
                if dark.get_untracked() {
                    "dark"
                } else {
                    "light"
                },
            );
        }
    };

    view! {
        <div
            class="app"
            on:dragover=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |ev: web_sys::DragEvent| {
                if ev.related_target().is_none() {
                    dragging.set(false);
                }
            }
            on:drop=on_drop
        >
            <header class="topbar">
                <div class="brand">"Tracescope"</div>
                <label class="button primary" title="Open trace files (JSON, JSON Lines, .gz)">
                    "Open files…"
                    <input
                        type="file"
                        multiple=true
                        accept=".json,.jsonl,.gz,.txt,application/json"
                        data-testid="file-input"
                        on:change=on_file_input
                    />
                </label>
                <button class="button" data-testid="paste-button" on:click=move |_| paste_open.set(true)>"Paste JSON"</button>
                <span class="spacer"></span>
                {move || loading.get().map(|f| view! { <span class="loading" data-testid="loading">{format!("Loading {f}…")}</span> })}
                <button class="button" on:click=toggle_theme title="Switch light/dark theme" data-testid="theme-toggle">
                    {move || if dark.get() { "☀ Light" } else { "☾ Dark" }}
                </button>
            </header>

            <Show when=move || !errors.with(|e| e.is_empty())>
                <div class="load-error" role="alert" data-testid="load-error">
                    <ul>
                        {move || errors.get().into_iter().map(|e| view! {
                            <li><b>{e.source}</b>": "{e.message}</li>
                        }).collect_view()}
                    </ul>
                    <button class="close" title="Dismiss" on:click=move |_| errors.set(Vec::new())>"×"</button>
                </div>
            </Show>

            <Show when=move || paste_open.get()>
                <div class="dialog-backdrop" on:click=move |_| paste_open.set(false)>
                    <div class="dialog" on:click=|ev| ev.stop_propagation()>
                        <h2>"Paste trace JSON"</h2>
                        <textarea
                            data-testid="paste-text"
                            placeholder="Jaeger, OTLP, Zipkin, Chrome trace events, X-Ray, Datadog or Cloud Trace JSON"
                            prop:value=move || paste_text.get()
                            on:input=move |ev| paste_text.set(event_target_value(&ev))
                        ></textarea>
                        <div class="dialog-actions">
                            <button class="button" on:click=move |_| paste_open.set(false)>"Cancel"</button>
                            <button class="button primary" data-testid="paste-open" on:click=move |_| {
                                let text = paste_text.get_untracked();
                                paste_open.set(false);
                                loader.load_bytes("pasted text", text.as_bytes());
                                paste_text.set(String::new());
                            }>"Open"</button>
                        </div>
                    </div>
                </div>
            </Show>

            <main>
                <Show when=move || { trace_count.get() > 1 }>
                    <section class="traces">
                        <h2>{move || format!("{} traces loaded", trace_count.get())}</h2>
                        <TraceList dataset=dataset open=open sources=Signal::derive(move || sources.get()) />
                    </section>
                </Show>

                <Show
                    when=move || summary.with(|s| s.is_some())
                    fallback=move || view! {
                        <div class="empty">
                            <p><b>"Drop trace files anywhere on this page"</b></p>
                            <p>"or use Open files…, or paste JSON. Jaeger, OTLP, Zipkin v1/v2, Chrome trace events, AWS X-Ray, Datadog and Google Cloud Trace; .json, .jsonl and .gz."</p>
                        </div>
                    }
                >
                    {move || summary.get().map(|s| {
                        let warn_count = s.warnings.len();
                        let has_errors = s.errors > 0;
                        let duration_us = s.duration_ns / 1000;
                        view! {
                            <section
                                class="trace-summary"
                                data-testid="trace-summary"
                                data-trace-id=s.trace_id.clone()
                                data-spans=s.spans
                                data-services=s.services
                                data-errors=s.errors
                                data-duration-us=duration_us
                            >
                                <div class="root">
                                    <b>{s.root_service.clone()}</b>" "<span>{s.root_name.clone()}</span>
                                </div>
                                <div class="facts">
                                    <span title="trace id" class="mono">{s.trace_id.clone()}</span>
                                    <span>{format_utc(s.start_ns)}</span>
                                    <span>{format!("duration {}", format_duration(s.duration_ns as f64))}</span>
                                    <span>{format!("{} spans", s.spans)}</span>
                                    <span>{format!("{} services", s.services)}</span>
                                    <span class:error=has_errors>{format!("{} errors", s.errors)}</span>
                                </div>
                                {(warn_count > 0).then(|| view! {
                                    <details class="trace-warnings" data-testid="trace-warnings">
                                        <summary>{format!("{warn_count} warning{}", if warn_count == 1 { "" } else { "s" })}</summary>
                                        <ul>{s.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}</ul>
                                    </details>
                                })}
                            </section>
                        }
                    })}
                    <nav class="toolbar">
                        <div class="tabs" role="tablist">
                            {Tab::ALL.into_iter().map(|t| view! {
                                <button
                                    class="tab"
                                    class:active=move || tab.get() == t
                                    role="tab"
                                    aria-selected=move || (tab.get() == t).to_string()
                                    data-testid=t.test_id()
                                    on:click=move |_| tab.set(t)
                                >{t.label()}</button>
                            }).collect_view()}
                        </div>
                        <Show when=move || { tab.get().has_scope(flame_mode.get()) && trace_count.get() > 1 }>
                            <div class="segmented" role="group" aria-label="Scope">
                                <button class:active=move || !all_traces.get() data-testid="scope-trace" on:click=move |_| all_traces.set(false)>"This trace"</button>
                                <button class:active=move || all_traces.get() data-testid="scope-all" on:click=move |_| all_traces.set(true)>
                                    {move || format!("All {} traces", trace_count.get())}
                                </button>
                            </div>
                        </Show>
                        {move || filter_name.get().map(|name| {
                            let key = name.clone();
                            view! {
                            <span class="chip" data-testid="service-filter" data-service=key>
                                "service: "<b>{name}</b>
                                <button class="close" title="Show every service" on:click=move |_| service_filter.set(None)>"×"</button>
                            </span>
                        }})}
                        <span class="spacer"></span>
                        <Show when=move || matches!(tab.get(), Tab::Waterfall | Tab::Flame)>
                            <label class="toggle" title="Mark the chain of work that determined the trace's duration">
                                <input type="checkbox" data-testid="critical-toggle"
                                    prop:checked=move || show_critical.get()
                                    on:change=move |ev| show_critical.set(event_target_checked(&ev)) />
                                " Critical path"
                            </label>
                        </Show>
                        <Show when=move || tab.get() == Tab::Waterfall>
                            <button class="button" data-testid="expand-all" on:click=expand_all>"Expand all"</button>
                            <button class="button" data-testid="collapse-all" on:click=collapse_all>"Collapse all"</button>
                            <button class="button" data-testid="reset-zoom" on:click=move |_| view.set(None) disabled=move || view.get().is_none()>"Reset zoom"</button>
                        </Show>
                    </nav>
                    <div class="view-area" data-view=move || tab.get().test_id()>
                        {move || match tab.get() {
                            Tab::Waterfall => view! {
                                <WaterfallCanvas
                                    dataset=dataset
                                    trace=open_signal
                                    selected=selected
                                    collapsed=collapsed
                                    view=view
                                    slots=slots
                                    critical_path=critical
                                    show_critical=show_critical
                                    service_filter=service_filter
                                    dark=Signal::derive(move || dark.get())
                                />
                            }.into_any(),
                            Tab::Flame => view! {
                                <FlameGraph
                                    dataset=dataset
                                    trace=open_signal
                                    all_traces=scope_all
                                    mode=flame_mode
                                    selected=selected
                                    selected_op=selected_op
                                    search=flame_search
                                    service_filter=service_filter
                                    slots=slots
                                    critical_path=critical
                                    show_critical=show_critical
                                    dark=Signal::derive(move || dark.get())
                                />
                            }.into_any(),
                            Tab::Map => view! {
                                <ServiceMap
                                    dataset=dataset
                                    trace=open_signal
                                    all_traces=scope_all
                                    service_filter=service_filter
                                    slots=slots
                                    dark=Signal::derive(move || dark.get())
                                />
                            }.into_any(),
                            Tab::Stats => view! {
                                <StatsView
                                    dataset=dataset
                                    trace=open_signal
                                    all_traces=scope_all
                                    service_filter=service_filter
                                    selected=selected
                                    selected_op=selected_op
                                    dark=Signal::derive(move || dark.get())
                                />
                            }.into_any(),
                        }}
                        <Show when=move || matches!(tab.get(), Tab::Waterfall | Tab::Flame)>
                            <SpanDetail dataset=dataset trace=open_signal selected=selected critical=critical_of_selected />
                        </Show>
                    </div>
                    <p class="hint">{move || match tab.get() {
                        Tab::Waterfall => "Wheel scrolls · Ctrl/⌘+wheel or pinch zooms · Shift+wheel pans · drag on the timeline to zoom to a range · drag the minimap · double-click resets · ↑↓←→ move and fold",
                        Tab::Flame => "Click a frame to zoom into it · the breadcrumb goes back · Ctrl/⌘+wheel zooms the time axis · the search box dims frames that do not match · click a service in the legend to filter",
                        Tab::Map => "Drag pans · wheel zooms · double-click fits · hover a service to see its neighbours · click it to filter every view to it",
                        Tab::Stats => "Click a column to sort · click a row for its latency histogram · percentiles are exact (nearest rank)",
                    }}</p>
                </Show>
            </main>

            <div class="drop-zone" class:active=move || dragging.get() data-testid="drop-zone">
                <div>"Drop trace files to open them"</div>
            </div>
        </div>
    }
}
