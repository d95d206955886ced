//! Live backends: the settings (name, base URL, kind, timeout; kept in this
//! browser's storage), the search form (the same one filters the traces
//! already loaded), and the requests behind it. URLs and answers are
//! `tracescope_core::backend`'s; whole traces go through the loader (the
//! decoding worker), so search results become loaded traces. The settings
//! are `settings`, the requests `client`.

mod client;
mod settings;

pub use client::{cancel, fetch_trace};
use client::{get_bytes, load_traces, Feed};
pub use settings::{ensure, BackendConf};
use settings::{load, BackendSettings};

use crate::loader::Loader;
use js_sys::Date;
use leptos::prelude::*;
use tracescope_components::search_results::SearchResults;
use tracescope_core::backend::form::{matches, parse_duration_us, parse_tags};
use tracescope_core::backend::response::{self, Found};
use tracescope_core::backend::{query, Kind, Search};
use tracescope_core::model::StrId;

/// The lookback choices (label, µs); "custom" uses the from/to fields.
const LOOKBACKS: &[(&str, i64)] = &[
    ("Last 5 minutes", 300_000_000),
    ("Last 15 minutes", 900_000_000),
    ("Last hour", 3_600_000_000),
    ("Last 6 hours", 21_600_000_000),
    ("Last 24 hours", 86_400_000_000),
    ("Last 2 days", 172_800_000_000),
    ("Last 7 days", 604_800_000_000),
];

/// A `datetime-local` field's text as µs since the epoch (local time, or
/// UTC when `utc`).
fn datetime_us(text: &str, utc: bool) -> Option<i64> {
    if text.is_empty() {
        return None;
    }
    let t = if utc {
        format!("{text}Z")
    } else {
        text.to_string()
    };
    let ms = Date::parse(&t);
    (!ms.is_nan()).then_some((ms * 1000.0) as i64)
}

/// The distinct texts of `ids`, sorted (a string per name, not per span).
fn names(ds: &tracescope_core::Dataset, mut ids: Vec<StrId>) -> Vec<String> {
    ids.sort_unstable();
    ids.dedup();
    let mut v: Vec<String> = ids.into_iter().map(|id| ds.str(id).to_string()).collect();
    tracescope_core::order::sort(&mut v);
    v
}

/// The result rows and, for each, the loaded trace it is (None: only a
/// summary; the trace is fetched when opened).
type Results = (Vec<Found>, Vec<Option<usize>>);

/// A drop-down of `choices` (and "any") bound to `value`; `data-count`
/// says how many choices there are.
#[component]
fn Choice(
    testid: &'static str,
    choices: RwSignal<Vec<String>>,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <select data-testid=testid data-count=move || choices.with(Vec::len) on:change=move |ev| value.set(event_target_value(&ev))>
            <option value="" selected=move || value.get().is_empty()>"any"</option>
            {move || choices.get().into_iter().map(|s| {
                let (v, s2) = (s.clone(), s.clone());
                view! { <option value=v selected=move || value.get() == s2>{s}</option> }
            }).collect_view()}
        </select>
    }
}

#[component]
pub fn BackendPanel(
    loader: Loader,
    #[prop(into)] dark: Signal<bool>,
    /// Two loaded traces to show side by side.
    compare: RwSignal<Option<(usize, usize)>>,
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
    let services = Feed::new();
    let operations = Feed::new();
    let service = RwSignal::new(String::new());
    let operation = RwSignal::new(String::new());
    let tags = RwSignal::new(String::new());
    let traceql = RwSignal::new(String::new());
    let min_d = RwSignal::new(String::new());
    let max_d = RwSignal::new(String::new());
    let lookback = RwSignal::new(2usize);
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let utc = RwSignal::new(false);
    let limit = RwSignal::new(20u32);
    let trace_id = RwSignal::new(String::new());
    let status = RwSignal::new(None::<String>);
    // Not an error: a search that found nothing.
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Searches answered (results, none, or an error): tests wait on it.
    let answered = RwSignal::new(0u32);
    let results = RwSignal::new((Vec::<Found>::new(), Vec::<Option<usize>>::new()) as Results);
    let last_url = RwSignal::new(String::new());
    let settings_open = RwSignal::new(backends.with_untracked(Vec::is_empty));

    let backend = move || backends.with(|b| b.get(source.get()).cloned());
    Effect::new(move |_| {
        let Some(l) = linked.get() else { return };
        backends.set(load());
        if let Some(i) = backends.with_untracked(|b| b.iter().position(|b| *b == l)) {
            source.set(i);
        }
    });
    let kind = move || backend().map(|b| b.kind);

    // Tempo: its tag names, then a tag's values, complete the tags box.
    let tag_names = Feed::new();
    let tag_values = Feed::new();
    let values_of = RwSignal::new(String::new());
    Effect::new(move |_| {
        tag_names.set(Vec::new());
        values_of.set(String::new());
        if let Some(b) = backend().filter(|b| b.kind == Kind::Tempo) {
            let url = query::tempo_tags(&b.url);
            tag_names.fetch(b, url, status, |_, body| response::tempo_tags(body));
        }
    });
    let on_tags_input = move |ev| {
        let text = event_target_value(&ev);
        tags.set(text.clone());
        let last = text.rsplit(' ').next().unwrap_or("");
        let Some(key) = last.strip_suffix('=').filter(|k| !k.is_empty()) else {
            return;
        };
        if let Some(b) = backend().filter(|b| b.kind == Kind::Tempo) {
            if key != values_of.get_untracked() {
                values_of.set(key.to_string());
                let url = query::tempo_tag_values(&b.url, key);
                tag_values.fetch(b, url, status, |_, body| response::tempo_tag_values(body));
            }
        }
    };
    let tag_hints = Memo::new(move |_| {
        let text = tags.get();
        let (head, last) = match text.rsplit_once(' ') {
            Some((h, l)) => (format!("{h} "), l.to_string()),
            None => (String::new(), text.clone()),
        };
        match last.split_once('=') {
            Some((k, _)) if k == values_of.get() => tag_values.list.with(|vs| {
                vs.iter()
                    .map(|v| match v.contains(' ') {
                        true => format!("{head}{k}=\"{v}\""),
                        false => format!("{head}{k}={v}"),
                    })
                    .collect::<Vec<_>>()
            }),
            _ => tag_names
                .list
                .with(|ns| ns.iter().map(|n| format!("{head}{n}=")).collect()),
        }
    });

    // Services of the chosen source.
    Effect::new(move |_| {
        let b = backend();
        service.set(String::new());
        operations.set(Vec::new());
        status.set(None);
        match b {
            Some(b) => {
                let url = query::services(b.kind, &b.url);
                services.fetch(b, url, status, response::services);
            }
            None => services.set(dataset.with(|ds| {
                let ids: Vec<StrId> = ds
                    .traces
                    .iter()
                    .flat_map(|t| t.tree.services.iter().copied())
                    .collect();
                names(ds, ids)
            })),
        }
    });
    // Operations of the chosen service.
    Effect::new(move |_| {
        let s = service.get();
        operation.set(String::new());
        if s.is_empty() {
            operations.set(Vec::new());
            return;
        }
        match backend() {
            Some(b) => {
                let url = query::operations(b.kind, &b.url, &s);
                operations.fetch(b, url, status, response::operations);
            }
            None => operations.set(dataset.with_untracked(|ds| {
                let Some(svc) = ds.strings.lookup(&s) else {
                    return Vec::new();
                };
                let ids: Vec<StrId> = ds
                    .traces
                    .iter()
                    .flat_map(|t| {
                        (0..t.len())
                            .filter(move |&i| t.service[i] == svc)
                            .map(move |i| t.name[i])
                    })
                    .collect();
                names(ds, ids)
            })),
        }
    });

    let form = move || -> Result<Search, String> {
        let (start_us, end_us) = match LOOKBACKS.get(lookback.get_untracked()) {
            Some(&(_, back)) => {
                let now = (Date::now() * 1000.0) as i64;
                (now - back, now)
            }
            None => {
                let u = utc.get_untracked();
                let a = datetime_us(&from.get_untracked(), u)
                    .ok_or("choose the start of the time range")?;
                let b = datetime_us(&to.get_untracked(), u)
                    .ok_or("choose the end of the time range")?;
                if b <= a {
                    return Err("the time range ends before it starts".into());
                }
                (a, b)
            }
        };
        Ok(Search {
            service: service.get_untracked(),
            operation: operation.get_untracked(),
            tags: parse_tags(&tags.get_untracked())?,
            min_duration_us: parse_duration_us(&min_d.get_untracked())?,
            max_duration_us: parse_duration_us(&max_d.get_untracked())?,
            start_us,
            end_us,
            limit: limit.get_untracked(),
            traceql: traceql.get_untracked(),
        })
    };

    let run_search = move || {
        notice.set(None);
        // Never the last search's rows under this one's error.
        results.set(Results::default());
        let s = match form() {
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
                        .is_some_and(|t| ds.str(t.trace_id_text).eq_ignore_ascii_case(id))
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
    let open_by_id = move || {
        let id = trace_id.get_untracked().trim().to_string();
        if id.is_empty() {
            return;
        }
        status.set(None);
        match backend() {
            None => {
                let found = dataset.with_untracked(|ds| {
                    ds.traces
                        .iter()
                        .position(|t| ds.str(t.trace_id_text).eq_ignore_ascii_case(&id))
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
    let input = |sig: RwSignal<String>| move |ev| sig.set(event_target_value(&ev));
    view! {
        <section class="search-panel" data-testid="search-panel" data-answered=move || answered.get()>
            <BackendSettings backends=backends source=source status=status open=settings_open />
            <form class="search-form" data-testid="search-form" on:submit=move |ev| {
                ev.prevent_default();
                run_search();
            }>
                <label>"Source "
                    <select data-testid="search-source" on:change=move |ev| source.set(event_target_value(&ev).parse().unwrap_or(usize::MAX))>
                        {move || backends.get().into_iter().enumerate().map(|(i, b)| view! {
                            <option value=i.to_string() selected=move || source.get() == i>{b.name.clone()}</option>
                        }).collect_view()}
                        <option value=usize::MAX.to_string() selected=move || source.get() == usize::MAX>"Traces loaded in this page"</option>
                    </select>
                </label>
                <label>"Service "
                    <Choice testid="search-service" choices=services.list value=service />
                </label>
                <label>"Operation "
                    <Choice testid="search-operation" choices=operations.list value=operation />
                </label>
                <label class="wide">"Tags "
                    <input data-testid="search-tags" list="tag-hints" placeholder="http.status_code=500 error=true" on:input=on_tags_input />
                    <datalist id="tag-hints" data-testid="tag-hints">
                        {move || tag_hints.get().into_iter().map(|h| view! { <option value=h></option> }).collect_view()}
                    </datalist>
                </label>
                <Show when=move || kind() == Some(Kind::Tempo)>
                    <label class="wide">"TraceQL "
                        <input data-testid="search-traceql" placeholder="{ span.http.status_code >= 500 } (instead of the fields)" on:input=input(traceql) />
                    </label>
                </Show>
                <label>"Min duration "<input class="short" data-testid="search-min" placeholder="e.g. 100ms" on:input=input(min_d) /></label>
                <label>"Max duration "<input class="short" data-testid="search-max" placeholder="e.g. 2s" on:input=input(max_d) /></label>
                <label>"Time "
                    <select data-testid="search-lookback" on:change=move |ev| lookback.set(event_target_value(&ev).parse().unwrap_or(2))>
                        {LOOKBACKS.iter().enumerate().map(|(i, (l, _))| view! {
                            <option value=i.to_string() selected=move || lookback.get() == i>{*l}</option>
                        }).collect_view()}
                        <option value=LOOKBACKS.len().to_string() selected=move || lookback.get() == LOOKBACKS.len()>"Custom range"</option>
                    </select>
                </label>
                <Show when=move || lookback.get() == LOOKBACKS.len()>
                    <label>"From "<input type="datetime-local" step="1" data-testid="search-from" on:input=input(from) /></label>
                    <label>"To "<input type="datetime-local" step="1" data-testid="search-to" on:input=input(to) /></label>
                </Show>
                <label title="Times in the form and the results: UTC or this browser's time zone">
                    <input type="checkbox" data-testid="search-utc" prop:checked=move || utc.get() on:change=move |ev| utc.set(event_target_checked(&ev)) />" UTC"
                </label>
                <label>"Limit "<input type="number" min="1" class="short" data-testid="search-limit" value="20"
                    on:input=move |ev| limit.set(event_target_value(&ev).parse().unwrap_or(20)) /></label>
                <button class="button primary" type="submit" data-testid="search-submit" disabled=move || busy.get()>"Find traces"</button>
                <Show when=move || busy.get()>
                    <button class="button" type="button" data-testid="search-cancel" on:click=move |_| { cancel(); busy.set(false); }>"Cancel"</button>
                </Show>
                <span class="spacer"></span>
                <input class="mono" data-testid="search-trace-id" placeholder="Trace id" on:input=input(trace_id)
                    on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Enter" { ev.prevent_default(); open_by_id(); } />
                <button class="button" type="button" data-testid="search-open-id" on:click=move |_| open_by_id()>"Open trace"</button>
            </form>
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
            />
        </section>
    }
}
