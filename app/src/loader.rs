//! Getting bytes into the dataset: files (drop, picker), pasted text and
//! fetched URLs (the demo traces). Decoding failures become messages that
//! name the input; what was loaded before stays.

use crate::metrics;
use leptos::prelude::*;
use tracescope_core::{decode_bytes, Dataset};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// A failed input and why.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadError {
    pub source: String,
    pub message: String,
}

/// The signals a load writes to.
#[derive(Clone, Copy)]
pub struct Loader {
    pub dataset: RwSignal<Dataset>,
    /// Source name of each trace, by trace index.
    pub sources: RwSignal<Vec<String>>,
    pub open: RwSignal<Option<usize>>,
    pub errors: RwSignal<Vec<LoadError>>,
    pub loading: RwSignal<Option<String>>,
    /// The URL each trace was fetched from (None: dropped, picked or pasted).
    pub fetched_from: RwSignal<Vec<Option<String>>>,
    /// Bytes received and expected (when the server says) of a fetch in progress.
    pub progress: RwSignal<Option<(f64, Option<f64>)>>,
}

impl Loader {
    /// Decodes `bytes` named `source` into the dataset and opens its first
    /// trace; the indices of the new traces, or None when it was refused.
    pub fn load_bytes(&self, source: &str, bytes: &[u8]) -> Option<std::ops::Range<usize>> {
        let t0 = metrics::now();
        let result = self
            .dataset
            .try_update_untracked(|ds| decode_bytes(ds, bytes));
        let decode_ms = metrics::now() - t0;
        match result {
            Some(Ok(sum)) => {
                self.dataset.notify();
                self.sources.update(|s| {
                    s.resize(sum.traces.start, String::new());
                    s.extend(sum.traces.clone().map(|_| source.to_string()));
                });
                self.fetched_from.update(|f| f.resize(sum.traces.end, None));
                self.open.set(Some(sum.traces.start));
                metrics::record_load(
                    sum.format.name(),
                    sum.traces.len(),
                    sum.spans,
                    decode_ms,
                    t0,
                );
                Some(sum.traces)
            }
            Some(Err(e)) => {
                let message = e.to_string();
                metrics::record_error(source, &message);
                self.errors.update(|v| {
                    v.retain(|x| x.source != source);
                    v.push(LoadError {
                        source: source.to_string(),
                        message,
                    })
                });
                None
            }
            None => None,
        }
    }

    /// Reads and loads each file in turn.
    pub fn load_files(self, files: Vec<web_sys::File>) {
        leptos::task::spawn_local(async move {
            for f in files {
                let name = f.name();
                self.loading.set(Some(name.clone()));
                match JsFuture::from(f.array_buffer()).await {
                    Ok(buf) => {
                        let bytes = js_sys::Uint8Array::new(&buf).to_vec();
                        self.load_bytes(&name, &bytes);
                    }
                    Err(e) => self.errors.update(|v| {
                        v.push(LoadError {
                            source: name.clone(),
                            message: format!("the browser could not read the file: {e:?}"),
                        })
                    }),
                }
            }
            self.loading.set(None);
        });
    }

    /// Fetches a URL and loads it (the demo traces, `?url=` links); the
    /// traces remember where they came from.
    pub async fn load_url(self, url: &str) -> Option<std::ops::Range<usize>> {
        let name = url.rsplit('/').next().unwrap_or(url).to_string();
        self.loading.set(Some(name.clone()));
        let result = async {
            let resp = gloo_net::http::Request::get(url)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if !resp.ok() {
                return Err(format!("HTTP {} {}", resp.status(), resp.status_text()));
            }
            let total = resp
                .headers()
                .get("content-length")
                .and_then(|v| v.parse::<f64>().ok());
            match resp.body() {
                Some(body) => read_with_progress(body, total, self.progress).await,
                None => resp.binary().await.map_err(|e| e.to_string()),
            }
        }
        .await;
        self.progress.set(None);
        let loaded = match result {
            Ok(bytes) => self.load_bytes(&name, &bytes),
            Err(message) => {
                self.errors.update(|v| {
                    v.push(LoadError {
                        source: name,
                        message: format!("could not fetch {url}: {message}"),
                    })
                });
                None
            }
        };
        if let Some(r) = &loaded {
            self.fetched_from.update(|f| {
                f[r.clone()]
                    .iter_mut()
                    .for_each(|u| *u = Some(url.to_string()))
            });
        }
        self.loading.set(None);
        loaded
    }
}

/// The files of a drop or of a file input.
pub fn file_list(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// Whether a paste happened in a text field (then it is not a trace paste).
pub fn pasted_into_field(ev: &web_sys::Event) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA"))
        .unwrap_or(false)
}

/// Reads a response body chunk by chunk, reporting bytes received.
async fn read_with_progress(
    body: web_sys::ReadableStream,
    total: Option<f64>,
    progress: RwSignal<Option<(f64, Option<f64>)>>,
) -> Result<Vec<u8>, String> {
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut out = Vec::new();
    progress.set(Some((0.0, total)));
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|e| format!("the download broke off: {e:?}"))?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            return Ok(out);
        }
        if let Ok(v) = js_sys::Reflect::get(&chunk, &"value".into()) {
            out.extend(js_sys::Uint8Array::new(&v).to_vec());
        }
        progress.set(Some((out.len() as f64, total)));
    }
}
