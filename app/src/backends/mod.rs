//! Live backends: the settings (name, base URL, kind, timeout; kept in this
//! browser's storage), the search form (the same one filters the traces
//! already loaded), and the requests behind it. URLs and answers are
//! `tracescope_core::backend`'s; whole traces go through the loader (the
//! decoding worker), so search results become loaded traces. The settings
//! are `settings`, the fields `search_form`, the requests `client`; this
//! panel runs the searches and holds their results.

mod client;
mod search_form;
mod settings;

pub use client::fetch_trace;
use client::{get_bytes, load_traces};
pub use settings::{ensure, load as configured, BackendConf};
use settings::{load, BackendSettings};
use tracescope_core::analysis::sets::TraceGroup;

use crate::loader::Loader;
use leptos::prelude::*;
use search_form::SearchForm;
use tracescope_components::search_results::SearchResults;
use tracescope_core::backend::form::matches;
use tracescope_core::backend::response::{self, Found};
use tracescope_core::backend::{query, Kind, Search};

/// What the search form shares with the panel: the backends and the one
/// chosen, what went wrong, whether a request is out, and the time zone.
#[derive(Clone, Copy)]
pub struct Panel {
    backends: RwSignal<Vec<BackendConf>>,
    /// usize::MAX: the traces already loaded.
    source: RwSignal<usize>,
    status: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    /// Times in UTC rather than this browser's zone.
    utc: RwSignal<bool>,
}

impl Panel {
    /// The chosen backend (None: the traces already loaded).
    fn backend(&self) -> Option<BackendConf> {
        let source = self.source.get();
        self.backends.with(|b| b.get(source).cloned())
    }
}

/// The result rows and, for each, the loaded trace it is (None: only a
/// summary; the trace is fetched when opened).
type Results = (Vec<Found>, Vec<Option<usize>>);

#[component]
pub fn BackendPanel(
    loader: Loader,
    #[prop(into)] dark: Signal<bool>,
    /// Two loaded traces to show side by side.
    compare: RwSignal<Option<(usize, usize)>>,
    /// Two groups of loaded traces compared.
    sets: RwSignal<Option<[TraceGroup; 2]>>,
    /// A backend a link named ([`ensure`]d): chosen as the source.
    linked: RwSignal<Option<BackendConf>>,
) -> impl IntoView {
    let dataset = loader.dataset;
    settings::adopt_host_list();
    let backends = RwSignal::new(load());
    // usize::MAX: the traces already loaded.
    let source = RwSignal::new(if backends.with_untracked(Vec::is_empty) {
        usize::MAX
    } else {
        0
    });
    let utc = RwSignal::new(false);
    let status = RwSignal::new(None::<String>);
    // Not an error: a search that found nothing.
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Searches answered (results, none, or an error): tests wait on it.
    let answered = RwSignal::new(0u32);
    let results = RwSignal::new((Vec::<Found>::new(), Vec::<Option<usize>>::new()) as Results);
    let last_url = RwSignal::new(String::new());
    let settings_open = RwSignal::new(backends.with_untracked(Vec::is_empty));
    let panel = Panel {
        backends,
        source,
        status,
        busy,
        utc,
    };
    let backend = move || panel.backend();
    Effect::new(move |_| {
        let Some(l) = linked.get() else { return };
        backends.set(load());
        if let Some(i) = backends.with_untracked(|b| b.iter().position(|b| *b == l)) {
            source.set(i);
        }
    });

    let run_search = move |form: Result<Search, String>| {
        notice.set(None);
        // Never the last search's rows under this one's error.
        results.set(Results::default());
        let s = match form {
            Ok(s) => s,
            Err(e) => {
                status.set(Some(e));
                answered.update(|n| *n += 1);
                return;
            }
        };
        status.set(None);
        let Some(b) = backend() else {
            // The traces already loaded, filtered the same way (any time).
            let s = Search {
                start_us: 0,
                end_us: 0,
                ..s
            };
            let (rows, idx) = dataset.with_untracked(|ds| {
                let hits: Vec<usize> = (0..ds.traces.len())
                    .filter(|&i| matches(ds, &ds.traces[i], &s))
                    .collect();
                let rows = hits
                    .iter()
                    .flat_map(|&i| response::found_in(ds, i..i + 1))
                    .collect();
                (rows, hits.into_iter().map(Some).collect())
            });
            results.set((rows, idx));
            answered.update(|n| *n += 1);
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let outcome: Result<Results, String> = async {
                if b.kind == Kind::Tempo {
                    let url = query::search(b.kind, &b.url, &s);
                    last_url.set(url.clone());
                    let (_, body) = get_bytes(&b, &url).await?;
                    let rows = response::summaries(&body)?;
                    let n = rows.len();
                    return Ok((rows, vec![None; n]));
                }
                if b.kind == Kind::JaegerV3 && s.tags.is_empty() {
                    // Summaries where the server has them (newer Jaeger);
                    // tags are matched on whole traces, in the page.
                    let url = query::trace_summaries(&b.url, &s);
                    if let Ok((status, body)) = get_bytes(&b, &url).await {
                        if response::is_empty_search(b.kind, status, &body) {
                            last_url.set(url);
                            return Ok((Vec::new(), Vec::new()));
                        }
                        if let Ok(rows) = response::summaries(&body) {
                            last_url.set(url);
                            let n = rows.len();
                            return Ok((rows, vec![None; n]));
                        }
                    }
                }
                let url = query::search(b.kind, &b.url, &s);
                last_url.set(url.clone());
                let added = load_traces(loader, &b, &url).await?;
                // Jaeger v3's HTTP API takes no tags: they filter here.
                let s = Search {
                    start_us: 0,
                    end_us: 0,
                    ..s.clone()
                };
                let filter = !b.kind.server_side_tags() && !s.tags.is_empty();
                let pairs: Vec<(Found, Option<usize>)> = dataset.with_untracked(|ds| {
                    added
                        .iter()
                        .filter(|&&i| !filter || matches(ds, &ds.traces[i], &s))
                        .flat_map(|&i| {
                            response::found_in(ds, i..i + 1)
                                .into_iter()
                                .map(move |r| (r, Some(i)))
                        })
                        .collect()
                });
                Ok(pairs.into_iter().unzip())
            }
            .await;
            busy.set(false);
            match outcome {
                Ok(r) => {
                    if r.0.is_empty() {
                        notice.set(Some(format!("{}: no traces found", b.name)));
                    }
                    results.set(r);
                }
                Err(e) => status.set(Some(e)),
            }
            answered.update(|n| *n += 1);
        });
    };

    let fetch_trace = move |b: BackendConf, id: String| async move {
        last_url.set(query::trace(b.kind, &b.url, &id).join("  "));
        fetch_trace(loader, &b, &id).await
    };
    // The loaded trace of result `i`, found again by its id (traces may
    // have been closed since it was loaded).
    let trace_index = move |i: usize| -> Option<usize> {
        results.with_untracked(|r| {
            let id = &r.0.get(i)?.trace_id;
            let was = r.1.get(i).copied().flatten();
            dataset.with_untracked(|ds| {
                let is = |t: usize| {
                    ds.traces
                        .get(t)
                        .is_some_and(|t| ds.trace_id(t).eq_ignore_ascii_case(id))
                };
                was.filter(|&t| is(t))
                    .or_else(|| (0..ds.traces.len()).find(|&t| is(t)))
            })
        })
    };
    let ensure_loaded = move |i: usize| async move {
        if let Some(t) = trace_index(i) {
            return Ok(t);
        }
        let id = results.with_untracked(|r| r.0.get(i).map(|f| f.trace_id.clone()));
        let (Some(b), Some(id)) = (backend(), id) else {
            return Err("that result is gone".to_string());
        };
        busy.set(true);
        let t = fetch_trace(b, id).await;
        busy.set(false);
        if let Ok(t) = t {
            results.update(|r| r.1[i] = Some(t));
        }
        t
    };
    // A trace fetched or found: opened (side by side closes), else why not.
    let show = move |r: Result<usize, String>| match r {
        Ok(t) => {
            compare.set(None);
            loader.open.set(Some(t));
        }
        Err(e) => status.set(Some(e)),
    };
    let on_open = Callback::new(move |i: usize| {
        leptos::task::spawn_local(async move { show(ensure_loaded(i).await) });
    });
    let on_compare = Callback::new(move |(a, b): (usize, usize)| {
        leptos::task::spawn_local(async move {
            match (ensure_loaded(a).await, ensure_loaded(b).await) {
                (Ok(x), Ok(y)) => compare.set(Some((x, y))),
                (Err(e), _) | (_, Err(e)) => status.set(Some(e)),
            }
        });
    });
    // The results in a box on the plot against every other loaded trace.
    let on_compare_box =
        Callback::new(move |boxed: Vec<usize>| {
            leptos::task::spawn_local(async move {
                let mut ids = Vec::new();
                for i in boxed {
                    match ensure_loaded(i).await {
                        Ok(t) => ids.extend(dataset.with_untracked(|ds| {
                            ds.traces.get(t).map(|t| ds.trace_id(t).to_string())
                        })),
                        Err(e) => return status.set(Some(e)),
                    }
                }
                compare.set(None);
                sets.set(Some([TraceGroup::Traces(ids), TraceGroup::Rest]));
            });
        });
    let open_by_id = move |id: String| {
        let id = id.trim().to_string();
        if id.is_empty() {
            return;
        }
        status.set(None);
        match backend() {
            None => {
                let found = dataset.with_untracked(|ds| {
                    ds.traces
                        .iter()
                        .position(|t| ds.trace_id(t).eq_ignore_ascii_case(&id))
                });
                match found {
                    Some(t) => loader.open.set(Some(t)),
                    None => status.set(Some(format!("no loaded trace has the id {id}"))),
                }
            }
            Some(b) => {
                busy.set(true);
                leptos::task::spawn_local(async move {
                    let r = fetch_trace(b, id).await;
                    busy.set(false);
                    show(r);
                });
            }
        }
    };

    // One copy of the rows per search, not per read.
    let result_rows = Memo::new(move |_| results.with(|r| r.0.clone()));
    view! {
        <section class="search-panel" data-testid="search-panel" data-answered=move || answered.get()>
            <BackendSettings backends=backends source=source status=status open=settings_open />
            <SearchForm panel=panel dataset=dataset on_search=Callback::new(run_search) on_open_id=Callback::new(open_by_id) />
            {move || status.get().map(|s| view! {
                <p class="search-status" role="status" data-testid="search-error">{s}</p>
            })}
            {move || notice.get().map(|s| view! {
                <p class="search-notice" role="status" data-testid="search-notice">{s}</p>
            })}
            <p class="muted mono search-url" data-testid="search-url">{move || last_url.get()}</p>
            <SearchResults
                results=result_rows
                dark=dark
                utc=Signal::derive(move || utc.get())
                on_open=on_open
                on_compare=on_compare
                on_compare_box=on_compare_box
            />
        </section>
    }
}
