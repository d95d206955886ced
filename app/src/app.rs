//! The App root: owns every signal and lays out the page.

use crate::links::Links;
use crate::loader::{file_list, pasted_into_field};
use crate::log_links::LogLinksDialog;
use crate::share::ShareDialog;
use crate::shortcuts::Shortcuts;
use crate::state::AppState;
use crate::topbar::TopBar;
use crate::trace_views::TraceViews;
use crate::url_state;
use crate::views::ViewState;
use leptos::prelude::*;
use tracescope_components::{Dialog, TraceList};
use tracescope_core::layout::time::format_duration;

/// Demo traces shown on first start (files in `public/demo/`).
pub const DEMO: &[&str] = &["demo/checkout-jaeger.json", "demo/search-otlp.json"];

/// Opens what an embedded view shows in the full app, in a new tab: the
/// same address without `embed=1`.
fn open_full_app() {
    let Some(w) = web_sys::window() else { return };
    let Some(url) = w
        .location()
        .href()
        .ok()
        .and_then(|h| web_sys::Url::new(&h).ok())
    else {
        return;
    };
    url.search_params().delete("embed");
    let _ = w.open_with_url_and_target_and_features(&url.href(), "_blank", "noopener,noreferrer");
}

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
    let views = ViewState::new(state);
    provide_context(views);
    let ViewState {
        selected,
        trace_count,
        ..
    } = views;
    let dragging = RwSignal::new(false);
    let paste_text = RwSignal::new(String::new());
    let Links {
        url_ready,
        origin_prompt,
        waiting_for,
        linked_backend,
        open_link,
    } = Links::follow(state, views);
    let log_templates = RwSignal::new(crate::log_links::load());
    let compare = state.compare;
    let sets = state.sets;
    // Traces ticked in the list for a comparison (at most two).
    let picked = RwSignal::new(Vec::<usize>::new());

    Effect::new(move |_| {
        let d = dark.get();
        if let Some(el) = document().document_element() {
            let _ = el.set_attribute("data-theme", if d { "dark" } else { "light" });
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

    let open_signal = Signal::derive(move || open.get());

    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        let files = file_list(ev.data_transfer().and_then(|d| d.files()));
        if !files.is_empty() {
            loader.load_files(files);
        }
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
            class:embed=state.embed
        >
            {if state.embed {
                view! {
                    <div class="embed-bar">
                        <button class="link-button" data-testid="embed-open" title="This view in the full app, in a new tab"
                            on:click=move |_| open_full_app()>"Open in Tracescope ↗"</button>
                    </div>
                }.into_any()
            } else {
                view! { <TopBar /> }.into_any()
            }}

            <Show when=move || !errors.with(|e| e.is_empty())>
                <div class="load-error" role="alert" data-testid="load-error">
                    <ul>
                        {move || errors.get().into_iter().map(|e| {
                            let source = e.source.clone();
                            view! {
                                <li data-testid="load-error-item">
                                    <b>{e.source}</b>": "{e.message}
                                    <button class="close" data-testid="load-error-dismiss" title="Dismiss this message"
                                        on:click=move |_| errors.update(|v| v.retain(|x| x.source != source))>"×"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <button class="close" title="Dismiss all" data-testid="load-error-dismiss-all" on:click=move |_| errors.set(Vec::new())>"×"</button>
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
                                            open_link.run(st2.clone());
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
            <Shortcuts />
            <crate::palette::Palette />

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
                {move || sets.with(Option::is_some).then(|| view! {
                    <crate::sets::SetsView dataset=dataset sources=Signal::from(sources)
                        groups=sets dark=Signal::derive(move || dark.get()) />
                })}
                {move || compare.get().map(|pair| view! {
                    <crate::compare::CompareView dataset=dataset pair=pair dark=Signal::derive(move || dark.get())
                        on_close=Callback::new(move |_| compare.set(None)) />
                })}
                <Show when=move || { trace_count.get() > 1 && !state.embed }>
                    <section class="traces">
                        <h2>
                            {move || format!("{} traces loaded", trace_count.get())}
                            <button class="button small" data-testid="traces-clear" title="Close every trace"
                                on:click=move |_| {
                                    let all: Vec<usize> = (0..trace_count.get_untracked()).collect();
                                    loader.close_traces(&all);
                                    loader.demo_loaded.set(false);
                                }>"Close all"</button>
                            <button class="button small" data-testid="compare-button"
                                title="Show the two ticked traces side by side, with what changed"
                                disabled=move || picked.with(|p| p.len() != 2)
                                on:click=move |_| {
                                    if let [a, b] = picked.get_untracked()[..] {
                                        compare.set(Some((a, b)));
                                        picked.set(Vec::new());
                                    }
                                }>{move || format!("Compare {} of 2", picked.with(Vec::len))}</button>
                            <button class="button small" data-testid="sets-button"
                                title="Compare two groups of the loaded traces: a file's, those a find matches, the rest"
                                on:click=move |_| {
                                    let ticked: Vec<String> = dataset.with_untracked(|ds| picked.get_untracked().iter()
                                        .filter_map(|&i| ds.trace(i).map(|t| ds.trace_id(t).to_string())).collect());
                                    sets.set(Some(crate::sets::first_groups(&sources.get_untracked(), ticked)));
                                    picked.set(Vec::new());
                                }
                            >"Compare sets…"</button>
                        </h2>
                        <TraceList dataset=dataset open=open sources=Signal::from(sources)
                            picked=picked
                            on_close=Callback::new(move |i: usize| { picked.set(Vec::new()); loader.close_traces(&[i]); }) />
                    </section>
                </Show>

                <TraceViews log_templates=log_templates open_link=open_link />
            </main>
            // Search is a drawer beside the views: they keep their height.
            <Show when=move || search_open.get()>
                <aside class="search-drawer" aria-label="Search">
                    <crate::backends::BackendPanel loader=loader dark=Signal::derive(move || dark.get()) compare=compare sets=sets linked=linked_backend />
                </aside>
            </Show>
            </div>

            // Screen readers hear what was selected on a canvas.
            <div class="visually-hidden" aria-live="polite" data-testid="announce">
                {move || {
                    let s = selected.get()? as usize;
                    dataset.with(|ds| {
                        let t = ds.trace(open.get()?)?;
                        (s < t.len()).then(|| format!(
                            "Selected span {} {}, {}{}",
                            ds.str(t.service[s]),
                            ds.str(t.name[s]),
                            format_duration(t.duration_ns[s] as f64),
                            if t.status[s] == tracescope_core::model::StatusCode::Error { ", error" } else { "" }
                        ))
                    })
                }}
            </div>

            <div class="drop-zone" class:active=move || dragging.get() data-testid="drop-zone">
                <div>"Drop trace files to open them"</div>
            </div>
        </div>
    }
}
