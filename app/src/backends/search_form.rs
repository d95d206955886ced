//! The search form: a source (a backend or the traces already loaded), its
//! services and operations, tags (with Tempo's names and values as hints),
//! durations, a time range and a limit; or a trace id to open. It only reads
//! the fields: what a search or an id does is the panel's.

use super::client::{cancel, Feed};
use super::Panel;
use js_sys::Date;
use leptos::prelude::*;
use tracescope_core::backend::form::{parse_duration_us, parse_tags};
use tracescope_core::backend::{query, response, Kind, Search};
use tracescope_core::model::StrId;
use tracescope_core::Dataset;

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
fn names(ds: &tracescope_core::Dataset, ids: Vec<StrId>) -> Vec<String> {
    let ids = tracescope_core::tree::distinct(&ids);
    let mut v: Vec<String> = ids.into_iter().map(|id| ds.str(id).to_string()).collect();
    tracescope_core::order::sort(&mut v);
    v
}

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

/// `on_search` gets the search the fields describe, or what is wrong with
/// them; `on_open_id` the trace id typed.
#[component]
pub fn SearchForm(
    panel: Panel,
    dataset: RwSignal<Dataset>,
    on_search: Callback<Result<Search, String>>,
    on_open_id: Callback<String>,
) -> impl IntoView {
    let Panel {
        backends,
        source,
        status,
        busy,
        utc,
    } = panel;
    let backend = move || panel.backend();
    let kind = move || backend().map(|b| b.kind);
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
    let limit = RwSignal::new(20u32);
    let trace_id = RwSignal::new(String::new());

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
                    .flat_map(|t| t.tree.services().iter().copied())
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

    let input = |sig: RwSignal<String>| move |ev| sig.set(event_target_value(&ev));
    view! {
            <form class="search-form" data-testid="search-form" on:submit=move |ev| {
                ev.prevent_default();
                on_search.run(form());
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
                    on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Enter" { ev.prevent_default(); on_open_id.run(trace_id.get_untracked()); } />
                <button class="button" type="button" data-testid="search-open-id" on:click=move |_| on_open_id.run(trace_id.get_untracked())>"Open trace"</button>
            </form>
    }
}
