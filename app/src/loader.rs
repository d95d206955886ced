//! Getting bytes into the dataset: files (drop, picker), pasted text,
//! shared links and fetched URLs (the demo traces, `?url=`). Every input
//! becomes a `Blob` that the decoding worker reads ([`crate::decode_worker`]),
//! so the page stays responsive and the file's bytes never enter the page's
//! memory. Decoding failures become messages that name the input; what was
//! loaded before stays.

use crate::decode_worker::{self, LoadProgress};
use crate::metrics;
use leptos::prelude::*;
use tracescope_core::Dataset;
use wasm_bindgen::JsCast;
use web_sys::Blob;

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
    /// The name of the input being loaded.
    pub loading: RwSignal<Option<String>>,
    /// The URL each trace was fetched from (None: dropped, picked or pasted).
    pub fetched_from: RwSignal<Vec<Option<String>>>,
    /// Bytes received or read, and spans decoded, of the load in progress.
    pub progress: RwSignal<Option<LoadProgress>>,
}

/// Bytes (pasted text, a shared link's payload) as a blob for the worker.
pub fn blob_of(bytes: &[u8]) -> Blob {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    Blob::new_with_u8_array_sequence(&parts).expect("a Blob from bytes")
}

impl Loader {
    /// A message naming `source` (one per source: a newer one replaces it).
    pub fn fail(&self, source: &str, message: String) {
        metrics::record_error(source, &message);
        self.errors.update(|v| {
            v.retain(|x| x.source != source);
            v.push(LoadError {
                source: source.to_string(),
                message,
            })
        });
    }

    /// Decodes `blob` named `source` into the dataset (in the worker) and
    /// opens its first trace; the indices of the new traces, or None when it
    /// was refused or cancelled.
    pub async fn load_blob(self, source: &str, blob: Blob) -> Option<std::ops::Range<usize>> {
        self.load_input(source, blob, false).await
    }

    /// Opens a self-contained link's payload (the `#data=` text), which the
    /// worker unpacks: the page itself never inflates.
    pub async fn load_shared(self, packed: &str) -> Option<std::ops::Range<usize>> {
        self.load_input("shared link", blob_of(packed.as_bytes()), true)
            .await
    }

    async fn load_input(
        self,
        source: &str,
        blob: Blob,
        packed: bool,
    ) -> Option<std::ops::Range<usize>> {
        let t0 = metrics::now();
        self.loading.set(Some(source.to_string()));
        let progress = self.progress;
        let total = blob.size();
        progress.set(Some(LoadProgress {
            total,
            ..Default::default()
        }));
        let result =
            decode_worker::decode(self.dataset, blob, packed, move |p| progress.set(Some(p))).await;
        // Another load may have started meanwhile: it owns the indicators.
        if !decode_worker::busy() {
            progress.set(None);
            self.loading.set(None);
        }
        match result {
            Ok(out) => {
                self.sources.update(|s| {
                    s.resize(out.traces.start, String::new());
                    s.extend(out.traces.clone().map(|_| source.to_string()));
                });
                self.fetched_from.update(|f| f.resize(out.traces.end, None));
                self.open.set(Some(out.traces.start));
                metrics::record_load(&out, t0);
                Some(out.traces)
            }
            Err(message) => {
                self.fail(source, message);
                None
            }
        }
    }

    /// Loads bytes that are already in the page (pasted text, a shared link).
    pub fn load_bytes(self, source: &str, bytes: &[u8]) {
        let (source, blob) = (source.to_string(), blob_of(bytes));
        leptos::task::spawn_local(async move {
            self.load_blob(&source, blob).await;
        });
    }

    /// Loads each file in turn.
    pub fn load_files(self, files: Vec<web_sys::File>) {
        leptos::task::spawn_local(async move {
            for f in files {
                let name = f.name();
                self.load_blob(&name, f.into()).await;
            }
        });
    }

    /// Drops the traces of `added` that repeat one loaded before (the same
    /// search answered again), with their sources, and records that the rest
    /// came from `url`; for each trace of `added`, the index it now has.
    pub fn drop_repeated(self, added: std::ops::Range<usize>, url: &str) -> Vec<usize> {
        let map = self
            .dataset
            .try_update(|ds| ds.drop_repeated_from(added.start))
            .unwrap_or_default();
        let n = self.dataset.with_untracked(|ds| ds.traces.len());
        // The kept ones are compacted to the front of `added`: one source for all.
        self.sources.update(|s| s.truncate(n));
        self.fetched_from.update(|f| {
            f.truncate(added.start);
            f.resize(n, Some(url.to_string()));
        });
        map
    }

    /// Fetches a URL and loads it (the demo traces, `?url=` links); the
    /// traces remember where they came from.
    pub async fn load_url(self, url: &str) -> Option<std::ops::Range<usize>> {
        let name = url.rsplit('/').next().unwrap_or(url).to_string();
        self.loading.set(Some(name.clone()));
        // Held until the whole body is read: Cancel stops the download too.
        let request = crate::fetch::Request::start(None);
        let progress = self.progress;
        let on_bytes = move |read, total| {
            progress.set(Some(LoadProgress {
                read,
                total,
                spans: 0,
            }))
        };
        let result = match &request {
            Err(e) => Err(e.clone()),
            Ok(request) => match crate::fetch::get(url, request, None, on_bytes).await {
                Ok(a) if (200..300).contains(&a.status) => Ok(a.body),
                Ok(a) => Err(format!("HTTP {} {}", a.status, a.status_text)),
                Err(crate::fetch::Failure::Stopped) => Err("cancelled".to_string()),
                Err(crate::fetch::Failure::Unreachable(e) | crate::fetch::Failure::BrokeOff(e)) => {
                    Err(e)
                }
            },
        };
        drop(request);
        let loaded = match result {
            Ok(blob) => self.load_blob(&name, blob).await,
            Err(message) => {
                self.progress.set(None);
                self.loading.set(None);
                self.fail(&name, format!("could not fetch {url}: {message}"));
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
