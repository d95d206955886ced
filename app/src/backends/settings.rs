//! The backends a person has set up (name, base URL, kind, timeout), kept
//! in this browser's storage, and the form that adds and removes them.

use crate::url_state::storage;
use leptos::prelude::*;
use tracescope_core::backend::Kind;
use wasm_bindgen::JsCast;

const KEY: &str = "tracescope.backends";

/// One configured backend.
#[derive(Clone, Debug, PartialEq)]
pub struct BackendConf {
    pub name: String,
    pub url: String,
    pub kind: Kind,
    pub timeout_s: f64,
}

pub fn load() -> Vec<BackendConf> {
    parse(&stored(KEY))
}

/// A JSON text kept in this browser's storage under `key` (null when none).
fn stored(key: &str) -> serde_json::Value {
    let text = storage()
        .and_then(|s| s.get_item(key).ok().flatten())
        .unwrap_or_default();
    serde_json::from_slice(text.as_bytes()).unwrap_or_default()
}

/// A list of backends as stored or as a host lists them; entries without a
/// name, a URL or a known kind are left out.
fn parse(v: &serde_json::Value) -> Vec<BackendConf> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|b| {
                    let url = b.get("url")?.as_str()?.trim_end_matches('/').to_string();
                    Some(BackendConf {
                        name: b
                            .get("name")
                            .and_then(|n| n.as_str())
                            .map_or_else(|| default_name(&url), str::to_string),
                        kind: Kind::from_key(b.get("kind")?.as_str()?)?,
                        timeout_s: b.get("timeout_s").and_then(|t| t.as_f64()).unwrap_or(15.0),
                        url,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

const HOST_LISTED: &str = "tracescope.backends.host-listed";

/// Adds the backends the page's host lists in `<meta
/// name="tracescope-backends" content="[{name, url, kind}]">` (as
/// `scripts/backends.sh` does) to this browser's list. The host serves the
/// page, so its list is trusted as the person's own settings. Each is
/// added once: one the person removes stays removed.
pub fn adopt_host_list() {
    let Some(content) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector("meta[name=tracescope-backends]")
                .ok()
                .flatten()
        })
        .and_then(|m| m.get_attribute("content"))
    else {
        return;
    };
    let listed = parse(&serde_json::from_slice(content.as_bytes()).unwrap_or_default());
    let key = |b: &BackendConf| format!("{} {}", b.kind.key(), b.url);
    let mut seen: Vec<String> = stored(HOST_LISTED)
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|k| Some(k.as_str()?.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let mut list = load();
    let fresh: Vec<BackendConf> = listed
        .into_iter()
        .filter(|b| !seen.contains(&key(b)))
        .collect();
    if fresh.is_empty() {
        return;
    }
    for b in fresh {
        seen.push(key(&b));
        if !list.iter().any(|x| key(x) == key(&b)) {
            list.push(b);
        }
    }
    save(&list);
    if let Some(s) = storage() {
        let _ = s.set_item(HOST_LISTED, &serde_json::json!(seen).to_string());
    }
}

pub fn save(list: &[BackendConf]) {
    let v: Vec<serde_json::Value> = list
        .iter()
        .map(|b| {
            serde_json::json!({"name": b.name, "url": b.url, "kind": b.kind.key(), "timeout_s": b.timeout_s})
        })
        .collect();
    if let Some(s) = storage() {
        let _ = s.set_item(KEY, &serde_json::Value::Array(v).to_string());
    }
}

/// The configured backend with this URL and kind, added (and kept) when
/// there is none: a link that names a backend.
pub fn ensure(url: &str, kind: Kind) -> BackendConf {
    let mut list = load();
    let url = url.trim_end_matches('/').to_string();
    if let Some(b) = list
        .iter()
        .find(|b| b.url.trim_end_matches('/') == url && b.kind == kind)
    {
        return b.clone();
    }
    let b = BackendConf {
        name: default_name(&url),
        url,
        kind,
        timeout_s: 15.0,
    };
    list.push(b.clone());
    save(&list);
    b
}

/// A backend's name when none is given: its URL without the scheme.
fn default_name(url: &str) -> String {
    url.split_once("://")
        .map_or(url, |(_, r)| r)
        .trim_end_matches('/')
        .to_string()
}

/// The list of backends and the form that adds one; `source` follows a
/// backend added or removed; problems go to `status`.
#[component]
pub fn BackendSettings(
    backends: RwSignal<Vec<BackendConf>>,
    source: RwSignal<usize>,
    status: RwSignal<Option<String>>,
    open: RwSignal<bool>,
) -> impl IntoView {
    let settings_open = open;
    let new_name = RwSignal::new(String::new());
    let new_url = RwSignal::new(String::new());
    let new_kind = RwSignal::new(None::<Kind>);
    let new_timeout = RwSignal::new(15.0f64);
    let add_backend = move || {
        let url = new_url.get_untracked().trim().to_string();
        let Some(kind) = new_kind.get_untracked().or_else(|| Kind::detect(&url)) else {
            return status.set(Some("choose the backend's kind".into()));
        };
        if web_sys::Url::new(&url).is_err() {
            return status.set(Some(format!(
                "`{url}` is not a URL (like http://localhost:16686)"
            )));
        }
        let name = match new_name.get_untracked().trim() {
            "" => default_name(&url),
            n => n.to_string(),
        };
        backends.update(|l| {
            l.push(BackendConf {
                name,
                url,
                kind,
                timeout_s: new_timeout.get_untracked().max(0.5),
            });
            save(l);
        });
        source.set(backends.with_untracked(|l| l.len() - 1));
        new_name.set(String::new());
        new_url.set(String::new());
        new_kind.set(None);
        settings_open.set(false);
    };
    let remove_backend = move |i: usize| {
        backends.update(|l| {
            l.remove(i);
            save(l);
        });
        source.set(if backends.with_untracked(Vec::is_empty) {
            usize::MAX
        } else {
            0
        });
    };

    let input = |sig: RwSignal<String>| move |ev| sig.set(event_target_value(&ev));
    view! {
        <details class="backend-settings" prop:open=move || settings_open.get() on:toggle=move |ev| {
            if let Some(d) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()) {
                settings_open.set(d.open());
            }
        }>
            <summary>"Backends"</summary>
            <ul class="backend-list" data-testid="backend-list">
                {move || backends.get().into_iter().enumerate().map(|(i, b)| view! {
                    <li data-kind=b.kind.key()>
                        <b>{b.name.clone()}</b>" "<span class="muted">{b.kind.label()}</span>" "<span class="mono">{b.url.clone()}</span>
                        " "<span class="muted">{format!("timeout {} s", b.timeout_s)}</span>
                        <button class="button" title="Remove this backend" on:click=move |_| remove_backend(i)>"Remove"</button>
                    </li>
                }).collect_view()}
            </ul>
            <div class="backend-add">
                <input placeholder="Base URL, e.g. http://localhost:16686" data-testid="backend-url"
                    prop:value=move || new_url.get() on:input=input(new_url) />
                <select data-testid="backend-kind" on:change=move |ev| new_kind.set(Kind::from_key(&event_target_value(&ev)))>
                    <option value="" selected=move || new_kind.get().is_none()>
                        {move || match Kind::detect(&new_url.get()) {
                            Some(k) => format!("{} (from the URL)", k.label()),
                            None => "Kind…".to_string(),
                        }}
                    </option>
                    {Kind::ALL.into_iter().map(|k| view! {
                        <option value=k.key() selected=move || new_kind.get() == Some(k)>{k.label()}</option>
                    }).collect_view()}
                </select>
                <input placeholder="Name (optional)" data-testid="backend-name" prop:value=move || new_name.get() on:input=input(new_name) />
                <label>"Timeout (s) "
                    <input type="number" min="0.5" step="0.5" class="short" data-testid="backend-timeout"
                        prop:value=move || new_timeout.get().to_string()
                        on:input=move |ev| new_timeout.set(event_target_value(&ev).parse().unwrap_or(15.0)) />
                </label>
                <button class="button primary" data-testid="backend-add" on:click=move |_| add_backend()>"Add backend"</button>
            </div>
            <p class="muted hint">"Requests go from this browser straight to the backend: it must allow this page's origin (CORS), or both must sit behind one proxy — see the README."</p>
        </details>
    }
}
