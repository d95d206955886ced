//! The App root: owns every signal and lays out the page.

use crate::loader::{file_list, pasted_into_field};
use crate::log_links::{LogLinksDialog, Templates};
use crate::share::ShareDialog;
use crate::state::{AppState, Notice};
use crate::topbar::{CopyFeedback, TopBar};
use crate::url_state::{self, UrlState};
use leptos::prelude::*;
use tracescope_components::theme::service_slots;
use tracescope_components::{
    Dialog, FlameGraph, FlameMode, ServiceMap, SpanDetail, StatsView, TraceList, WaterfallCanvas,
};
use tracescope_core::analysis::critical_path::critical_path;
use tracescope_core::analysis::summary::summarize;
use tracescope_core::layout::time::{format_duration, format_utc};
use tracescope_core::links::LinkContext;
use tracescope_core::model::StrId;

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
    /// The name in the URL (`view=`).
    pub fn name(self) -> &'static str {
        match self {
            Tab::Waterfall => "waterfall",
            Tab::Flame => "flame",
            Tab::Map => "map",
            Tab::Stats => "stats",
        }
    }
    pub fn from_name(name: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.name() == name)
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

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    let AppState {
        loader,
        dataset,
        open,
        sources,
        errors,
        notice,
        dark,
        paste_open,
        search_open,
        log_links_open,
        share_open,
        ..
    } = state;
    // A link's state waiting for its trace, which is not loaded.
    let waiting_for = RwSignal::new(None::<UrlState>);
    let selected = RwSignal::new(None::<u32>);
    let collapsed = RwSignal::new(Vec::<bool>::new());
    let view = RwSignal::new(None::<(f64, f64)>);
    let dragging = RwSignal::new(false);
    let paste_text = RwSignal::new(String::new());
    let tab = RwSignal::new(Tab::Waterfall);
    let all_traces = RwSignal::new(false);
    let service_filter = RwSignal::new(None::<StrId>);
    let selected_op = RwSignal::new(None::<(StrId, StrId)>);
    let show_critical = RwSignal::new(true);
    let flame_mode = RwSignal::new(FlameMode::Chart);
    let flame_search = RwSignal::new(String::new());
    let flame_chart_focus = RwSignal::new(None::<u32>);
    let flame_merged_focus = RwSignal::new(0u32);
    let fetched_from = state.fetched_from;
    // State from a link, waiting for its trace to open (span, zoom, service).
    let pending = StoredValue::new(None::<UrlState>);
    // Bumped when a pending state has been applied, so the URL is written then.
    let pending_applied = RwSignal::new(0u32);
    // The URL is written only once the link's own state has been applied.
    let url_ready = RwSignal::new(false);
    // A link that wants a trace from an origin not allowed yet: (origin, url, state).
    let origin_prompt = RwSignal::new(None::<(String, String, UrlState)>);
    let log_templates = RwSignal::new(crate::log_links::load());
    let compare = RwSignal::new(None::<(usize, usize)>);
    let linked_backend = RwSignal::new(None::<crate::backends::BackendConf>);

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
        flame_chart_focus.set(None);
        flame_merged_focus.set(0);
        collapsed.set(vec![false; n]);
        // A link's span, zoom and service filter apply to the trace it opened.
        if let Some(st) = pending.try_update_value(|p| p.take()).flatten() {
            pending_applied.update(|n| *n += 1);
            dataset.with_untracked(|ds| {
                let Some(t) = open.get_untracked().and_then(|i| ds.traces.get(i)) else {
                    return;
                };
                if let Some(id) = &st.span {
                    let s = (0..t.len()).find(|&s| ds.str(t.span_id_text[s]) == id);
                    selected.set(s.map(|s| s as u32));
                }
                if let Some((a, b)) = st.zoom {
                    let b0 = t.bounds().0 as f64;
                    view.set(Some((b0 + a, b0 + b)));
                }
                service_filter.set(st.service.as_deref().and_then(|n| ds.strings.lookup(n)));
                if let Some(id) = &st.flame_span {
                    let s = (0..t.len()).find(|&s| ds.str(t.span_id_text[s]) == id);
                    flame_chart_focus.set(s.map(|s| s as u32));
                }
                flame_merged_focus.set(st.flame_node.unwrap_or(0));
                if !st.fold.is_empty() {
                    collapsed.set(
                        (0..t.len())
                            .map(|s| st.fold.iter().any(|id| id == ds.str(t.span_id_text[s])))
                            .collect(),
                    );
                }
            });
        }
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
    // Applies a state from a link or from Back/Forward: view settings at
    // once, the rest when its trace is open.
    let apply = move |st: UrlState| {
        if let Some(t) = st.view.as_deref().and_then(Tab::from_name) {
            tab.set(t);
        }
        flame_mode.set(if st.flame_merged {
            FlameMode::Merged
        } else {
            FlameMode::Chart
        });
        flame_search.set(st.q.clone().unwrap_or_default());
        all_traces.set(st.scope_all);
        show_critical.set(!st.hide_critical);
        let idx = dataset.with_untracked(|ds| {
            let want = st.trace.as_deref()?;
            ds.traces
                .iter()
                .position(|t| ds.str(t.trace_id_text) == want)
        });
        if let (Some(want), None) = (st.trace.clone(), idx) {
            // Not here: say so, show nothing in its place, and open it with
            // the link's state if it arrives (the file dropped, a search).
            notice.set(Some(Notice::missing_trace(&want, &st)));
            waiting_for.set(Some(st));
            open.set(None);
            return;
        }
        let idx = idx
            .or(open.get_untracked())
            .or_else(|| dataset.with_untracked(|ds| (!ds.traces.is_empty()).then_some(0)));
        pending.set_value(Some(st));
        open.set(idx);
    };
    // The trace a link waits for has arrived: opened as the link says.
    Effect::new(move |_| {
        let Some(st) = waiting_for.get() else { return };
        let arrived = dataset.with(|ds| {
            let want = st.trace.as_deref()?;
            ds.traces
                .iter()
                .position(|t| ds.str(t.trace_id_text) == want)
        });
        if arrived.is_some() {
            waiting_for.set(None);
            notice.set(None);
            apply(st);
        }
    });
    // A trace opened by hand while a link waits: the person moved on.
    Effect::new(move |_| {
        if open.get().is_some() && waiting_for.get_untracked().is_some() {
            waiting_for.set(None);
        }
    });
    // Whether the trace a link names is loaded already.
    let trace_loaded = move |st: &UrlState| {
        dataset.with_untracked(|ds| {
            st.trace
                .as_deref()
                .is_some_and(|id| ds.traces.iter().any(|t| ds.str(t.trace_id_text) == id))
        })
    };
    // A link naming a backend: added to the settings (asking first for a
    // new origin), its trace fetched by id, then the link applied.
    let open_backend_link = move |base: String, st: UrlState| {
        use tracescope_core::backend::Kind;
        let kind = st
            .kind
            .as_deref()
            .and_then(Kind::from_key)
            .or_else(|| Kind::detect(&base));
        let origin = url_state::origin_of(&base);
        let (Some(kind), Some(origin)) = (kind, origin) else {
            loader.fail(
                &base,
                "a backend link needs an http(s) URL and kind=jaeger, jaeger-v3, tempo or zipkin"
                    .into(),
            );
            apply(st);
            url_ready.set(true);
            return;
        };
        if !url_state::origin_allowed(&origin) {
            origin_prompt.set(Some((origin, base, st)));
            return;
        }
        let conf = crate::backends::ensure(&base, kind);
        linked_backend.set(Some(conf.clone()));
        search_open.set(true);
        leptos::task::spawn_local(async move {
            if let (Some(id), false) = (st.trace.clone(), trace_loaded(&st)) {
                if let Err(message) = crate::backends::fetch_trace(loader, &conf, &id).await {
                    loader.fail(&conf.name, message);
                }
            }
            apply(st);
            url_ready.set(true);
        });
    };
    // Loads the trace file a link names (asking first for a new origin), then applies the link.
    let open_link = move |st: UrlState| {
        if let Some(base) = st.backend.clone() {
            return open_backend_link(base, st);
        }
        let Some(url) = st.url.clone() else {
            apply(st);
            url_ready.set(true);
            return;
        };
        let Some(origin) = url_state::origin_of(&url) else {
            loader.fail(&url, "only http(s) links are loaded".into());
            url_ready.set(true);
            return;
        };
        if !url_state::origin_allowed(&origin) {
            origin_prompt.set(Some((origin, url, st)));
            return;
        }
        leptos::task::spawn_local(async move {
            if !trace_loaded(&st) {
                loader.load_url(&url).await;
            }
            apply(st);
            url_ready.set(true);
        });
    };
    // First start: the link's trace file, or the demo traces.
    let initial = UrlState::parse(&url_state::location_search());
    leptos::task::spawn_local(async move {
        if let Some(packed) = url_state::shared_data() {
            // A self-contained link: the trace is in the fragment; no network.
            loader.load_shared(&packed).await;
        } else if initial.url.is_none() {
            loader.load_demo(DEMO).await;
            // The first demo trace, not the last one loaded (unless the link names one).
            open.set(dataset.with_untracked(|ds| (!ds.traces.is_empty()).then_some(0)));
        }
        open_link(initial);
    });
    // Back/Forward: the address bar changed under us.
    let _popstate = window_event_listener(leptos::ev::popstate, move |_| {
        open_link(UrlState::parse(&url_state::location_search()));
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
        dataset.with(|ds| service_slots(ds, ds.scope(i, all)))
    });
    // The critical path comes a task after the views' first paint: for a
    // million spans it is tens of milliseconds the first paint need not wait.
    let critical = RwSignal::new(None);
    let critical_job = StoredValue::new(0u64);
    Effect::new(move |_| {
        let i = open.get();
        dataset.track();
        critical.set(None);
        tracescope_components::canvas::in_parts(critical_job, move || {
            let cp = dataset.try_with_untracked(|ds| ds.traces.get(i?).map(critical_path));
            critical.try_set(cp.flatten());
            false
        });
    });
    let critical_of_selected = Signal::derive(move || {
        let s = selected.get()? as usize;
        let total = summary.with(|m| m.as_ref().map(|m| m.duration_ns))?;
        critical
            .with(|c| c.as_ref()?.time_on_path.get(s).copied())
            .map(|on| (on, total))
    });
    // Every change of what is shown goes into the address bar: a new
    // history entry for navigation, in place for zooming and typing.
    let current_state = Memo::new(move |_| {
        let i = open.get();
        let mut st = UrlState {
            view: Some(tab.get().name().to_string()),
            q: Some(flame_search.get()).filter(|q| !q.is_empty()),
            flame_merged: flame_mode.get() == FlameMode::Merged,
            scope_all: all_traces.get(),
            hide_critical: !show_critical.get(),
            url: i
                .and_then(|i| fetched_from.with(|f| f.get(i).cloned().flatten()))
                .filter(|u| !DEMO.contains(&u.as_str())),
            ..Default::default()
        };
        dataset.with(|ds| {
            let Some(t) = i.and_then(|i| ds.traces.get(i)) else {
                return;
            };
            st.trace = Some(ds.str(t.trace_id_text).to_string());
            st.span = selected
                .get()
                .filter(|&s| (s as usize) < t.len())
                .map(|s| ds.str(t.span_id_text[s as usize]).to_string());
            let b0 = t.bounds().0 as f64;
            st.zoom = view.get().map(|(a, b)| (a - b0, b - b0));
            st.service = service_filter.get().map(|s| ds.str(s).to_string());
            st.flame_span = flame_chart_focus
                .get()
                .filter(|&s| (s as usize) < t.len())
                .map(|s| ds.str(t.span_id_text[s as usize]).to_string());
            st.flame_node = Some(flame_merged_focus.get()).filter(|&n| n > 0);
            let folds: Vec<String> = collapsed.with(|c| {
                c.iter()
                    .enumerate()
                    .filter(|&(s, &f)| f && s < t.len())
                    .take(url_state::MAX_FOLDS + 1)
                    .map(|(s, _)| ds.str(t.span_id_text[s]).to_string())
                    .collect()
            });
            if folds.len() <= url_state::MAX_FOLDS {
                st.fold = folds;
            }
        });
        st
    });
    Effect::new(move |_| {
        let st = current_state.get();
        pending_applied.track();
        // While a link waits for its trace, the address keeps the link.
        if !url_ready.get()
            || pending.with_value(|p| p.is_some())
            || waiting_for.with(Option::is_some)
        {
            return;
        }
        let here = UrlState::parse(&url_state::location_search());
        if here.to_query() != st.to_query() {
            // An address without a trace only gains one: not a step to go back to.
            url_state::write(&st, here.trace.is_some() && here.is_navigation_to(&st));
        }
    });
    let span_copied = RwSignal::new(None::<(f64, crate::copy_link::Copied)>);
    let copy_span_link = Callback::new(move |_: u32| {
        leptos::task::spawn_local(async move {
            crate::topbar::flash(span_copied, crate::copy_link::copy_view_link(state).await)
        })
    });
    // Log links of the open trace (its whole time) and of the selected span.
    let link_context = move |templates: &Templates, span: Option<usize>| -> Vec<(String, String)> {
        dataset.with(|ds| {
            let Some(t) = open.get().and_then(|i| ds.traces.get(i)) else {
                return Vec::new();
            };
            let (b0, b1) = t.bounds();
            let root = summary
                .with(|s| s.as_ref().map(|s| s.root_service.clone()))
                .unwrap_or_default();
            let (span_id, service, start, end) = match span.filter(|&s| s < t.len()) {
                Some(s) => (
                    ds.str(t.span_id_text[s]).to_string(),
                    ds.str(t.service[s]).to_string(),
                    t.start_ns[s],
                    t.end_ns(s),
                ),
                None => (String::new(), root, b0, b1),
            };
            let trace_id = ds.str(t.trace_id_text).to_string();
            crate::log_links::links(
                templates,
                &LinkContext {
                    trace_id: &trace_id,
                    span_id: &span_id,
                    service: &service,
                    start_ns: start,
                    end_ns: end,
                },
            )
        })
    };
    let trace_log_links = Memo::new(move |_| log_templates.with(|t| link_context(t, None)));
    let span_log_links = Signal::derive(move || match selected.get() {
        Some(s) => log_templates.with(|t| link_context(t, Some(s as usize))),
        None => Vec::new(),
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
    view! {
        <div
            class="app"
            data-ready=move || url_ready.get().to_string()
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
            <TopBar />

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

            {move || notice.get().map(|n| view! {
                <div class="notice" role="status" data-testid="notice">
                    <span>{n.text.clone()}</span>
                    {n.demo_again.then(|| view! {
                        <button class="button" data-testid="demo-again" on:click=move |_| {
                            notice.set(None);
                            leptos::task::spawn_local(async move {
                                loader.load_demo(DEMO).await;
                                // Asked for: they stay when more is loaded.
                                loader.demo_loaded.set(false);
                            });
                        }>"Load the demo traces again"</button>
                    })}
                    <button class="close" title="Dismiss" data-testid="notice-close" on:click=move |_| {
                        notice.set(None);
                        waiting_for.set(None);
                    }>"×"</button>
                </div>
            })}
            {move || origin_prompt.get().map(|(origin, url, st)| {
                let (o2, st2) = (origin.clone(), st.clone());
                view! {
                    <div class="dialog-backdrop">
                        <div class="dialog" role="alertdialog" data-testid="origin-prompt" data-origin=origin.clone()>
                            <h2>"Load a trace from another site?"</h2>
                            <p>"This link loads a trace file from "<b>{origin.clone()}</b>". Nothing has been requested from it yet."</p>
                            <p class="mono">{url}</p>
                            {url_state::framed().then(|| view! {
                                <p data-testid="origin-framed">"This page is shown inside another site, so it will not contact other sites from here."</p>
                            })}
                            <div class="dialog-actions">
                                <button class="button" data-testid="origin-cancel" on:click=move |_| {
                                    origin_prompt.set(None);
                                    url_ready.set(true);
                                    if dataset.with_untracked(|ds| ds.traces.is_empty()) {
                                        leptos::task::spawn_local(async move {
                                            loader.load_demo(DEMO).await;
                                            open.set(Some(0));
                                        });
                                    }
                                }>"Cancel"</button>
                                {if url_state::framed() {
                                    // Inside another site's frame the click may be lured: the
                                    // choice is made in a tab of its own.
                                    let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
                                    view! {
                                        <a class="button primary" href=href target="_blank" rel="noopener noreferrer">"Open in a tab of its own"</a>
                                    }.into_any()
                                } else {
                                    view! {
                                        <button class="button primary" data-testid="origin-allow" on:click=move |_| {
                                            url_state::allow_origin(&o2);
                                            origin_prompt.set(None);
                                            open_link(st2.clone());
                                        }>{format!("Load from {origin}")}</button>
                                    }.into_any()
                                }}
                            </div>
                        </div>
                    </div>
                }
            })}

            <ShareDialog dataset=dataset trace=open_signal open=share_open />
            <LogLinksDialog templates=log_templates open=log_links_open />

            <Dialog open=paste_open on_close=Callback::new(move |_| paste_open.set(false)) title="Paste trace JSON" testid="paste-dialog">
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
            </Dialog>

            <div class="workspace" class:search-open=move || search_open.get()>
            <main>
                {move || compare.get().map(|pair| view! {
                    <crate::compare::CompareView dataset=dataset pair=pair dark=Signal::derive(move || dark.get())
                        on_close=Callback::new(move |_| compare.set(None)) />
                })}
                <Show when=move || { trace_count.get() > 1 }>
                    <section class="traces">
                        <h2>
                            {move || format!("{} traces loaded", trace_count.get())}
                            <button class="button small" data-testid="traces-clear" title="Close every trace"
                                on:click=move |_| {
                                    let all: Vec<usize> = (0..trace_count.get_untracked()).collect();
                                    loader.close_traces(&all);
                                    loader.demo_loaded.set(false);
                                }>"Close all"</button>
                        </h2>
                        <TraceList dataset=dataset open=open sources=Signal::derive(move || sources.get())
                            on_close=Callback::new(move |i: usize| { loader.close_traces(&[i]); }) />
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
                                    {move || trace_log_links.get().into_iter().map(|(name, href)| view! {
                                        <a class="log-link" data-testid="trace-log-link" href=href target="_blank" rel="noopener noreferrer">{format!("{name} ↗")}</a>
                                    }).collect_view()}
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
                                <button class:active=move || !all_traces.get() data-testid="scope-trace" on:click=move |_| { all_traces.set(false); flame_merged_focus.set(0); }>"This trace"</button>
                                <button class:active=move || all_traces.get() data-testid="scope-all" on:click=move |_| { all_traces.set(true); flame_merged_focus.set(0); }>
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
                        <Show when=move || tab.get() == Tab::Waterfall || (tab.get() == Tab::Flame && flame_mode.get() == FlameMode::Chart)>
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
                                    chart_focus=flame_chart_focus
                                    merged_focus=flame_merged_focus
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
                            <SpanDetail dataset=dataset trace=open_signal selected=selected critical=critical_of_selected copy_link=copy_span_link
                                copy_feedback=ViewFn::from(move || view! { <CopyFeedback feedback=span_copied testid="span-copy-feedback" /> }) log_links=span_log_links />
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
            // Search is a drawer beside the views: they keep their height.
            <Show when=move || search_open.get()>
                <aside class="search-drawer" aria-label="Search">
                    <crate::backends::BackendPanel loader=loader dark=Signal::derive(move || dark.get()) compare=compare linked=linked_backend />
                </aside>
            </Show>
            </div>

            <div class="drop-zone" class:active=move || dragging.get() data-testid="drop-zone">
                <div>"Drop trace files to open them"</div>
            </div>
        </div>
    }
}
