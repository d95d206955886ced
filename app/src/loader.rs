//! Getting bytes into the dataset: files (drop, picker), pasted text,
//! shared links and fetched URLs (the demo traces, `?url=`). Every input
//! becomes a `Blob` that the decoding worker reads ([`crate::decode_worker`]),
//! so the page stays responsive and the file's bytes never enter the page's
//! memory. Decoding failures become messages that name the input; what was
//! loaded before stays.

use crate::decode_worker::{self, LoadProgress};
use crate::metrics;
use leptos::prelude::*;
use std::sync::Arc;
use tracescope_core::runs::{Removal, Runs};
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
    pub sources: RwSignal<Runs<Arc<str>>>,
    pub open: RwSignal<Option<usize>>,
    pub errors: RwSignal<Vec<LoadError>>,
    /// The name of the input being loaded.
    pub loading: RwSignal<Option<String>>,
    /// The URL each trace was fetched from (None: dropped, picked or pasted).
    pub fetched_from: RwSignal<Runs<Option<String>>>,
    /// Bytes received or read, and spans decoded, of the load in progress.
    pub progress: RwSignal<Option<LoadProgress>>,
    pub notice: RwSignal<Option<crate::state::Notice>>,
    /// The traces loaded are the demo's: the user's first own load replaces them.
    pub demo_loaded: RwSignal<bool>,
}

/// What a source is called in the trace list when it is one of the demo files.
pub const DEMO_LABEL: &str = "demo: ";

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
    /// opens its first trace; for each trace of the input, its index (a
    /// trace loaded before is not added again: its earlier index, and a
    /// notice says so), or None when it was refused or cancelled. The
    /// user's first own load replaces the demo traces.
    pub async fn load_blob(self, source: &str, blob: Blob) -> Option<Vec<usize>> {
        self.load_input(source, blob, false).await
    }

    /// Opens a self-contained link's payload (the `#data=` text), which the
    /// worker unpacks: the page itself never inflates.
    pub async fn load_shared(self, packed: &str) -> Option<Vec<usize>> {
        self.load_input("shared link", blob_of(packed.as_bytes()), true)
            .await
    }

    async fn load_input(self, source: &str, blob: Blob, packed: bool) -> Option<Vec<usize>> {
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
                metrics::record_load(&out, t0);
                // A load that works takes its source's old error away.
                self.errors.update(|v| v.retain(|e| e.source != source));
                let start = out.traces.start;
                // Notifies the views of the load (the worker did not).
                let map = self
                    .dataset
                    .try_update(|ds| ds.drop_repeated_from(start, &out.fingerprints))
                    .unwrap_or_default();
                let n = self.dataset.with_untracked(|ds| ds.traces.len());
                let named: Arc<str> = Arc::from(source);
                self.sources.update(|s| s.resize(n, named.clone()));
                self.fetched_from.update(|f| f.resize(n, None));
                // Traces loaded before from the user's own inputs (a demo
                // trace the input holds too becomes the input's).
                let is_demo = |i: usize| {
                    self.sources
                        .with_untracked(|s| s.get(i).is_some_and(|s| s.starts_with(DEMO_LABEL)))
                };
                // The earlier traces this input holds again: one pass over
                // its traces (a million one-span ones), not one per question.
                let mut held = vec![false; start];
                for &i in map.iter().filter(|&&i| i < start) {
                    held[i] = true;
                }
                let repeated: Vec<usize> = (0..start).filter(|&i| held[i] && !is_demo(i)).collect();
                if let Some(&first) = repeated.first() {
                    let id = self
                        .dataset
                        .with_untracked(|ds| ds.trace_id(&ds.traces[first]).to_string());
                    self.notice.set(Some(crate::state::Notice::text(if map.len() == 1 {
                        format!("{source}: trace {id} is loaded already; it is open.")
                    } else {
                        format!(
                            "{source}: {} of its {} traces were loaded already and were not added again.",
                            repeated.len(),
                            map.len()
                        )
                    })));
                }
                if !source.starts_with(DEMO_LABEL) && self.demo_loaded.get_untracked() {
                    self.demo_loaded.set(false);
                    // A demo trace the user's own input holds too stays, as theirs.
                    let demo: Vec<usize> = (0..start).filter(|&i| is_demo(i) && !held[i]).collect();
                    self.sources.update(|s| {
                        for i in (0..start).filter(|&i| held[i]) {
                            s.set_range(i..i + 1, named.clone());
                        }
                    });
                    let moved = self.close_traces(&demo);
                    if !demo.is_empty() {
                        self.notice.set(Some(crate::state::Notice {
                            text: format!("{source} replaced the demo traces."),
                            demo_again: true,
                        }));
                    }
                    let map: Vec<usize> = map.iter().filter_map(|&i| moved.moved(i)).collect();
                    self.open.set(map.first().copied());
                    return Some(map);
                }
                self.open.set(map.first().copied());
                Some(map)
            }
            Err(message) => {
                self.fail(source, message);
                None
            }
        }
    }

    /// Takes traces `which` out (with their sources); where every trace
    /// index before is now. The open trace stays open where it is still there.
    pub fn close_traces(self, which: &[usize]) -> Removal {
        let n = self.dataset.with_untracked(|ds| ds.traces.len());
        let closed = Removal::new(which, n);
        self.dataset.update(|ds| closed.apply(&mut ds.traces));
        self.sources.update(|v| v.remove(&closed));
        self.fetched_from.update(|v| v.remove(&closed));
        let open = self.open.get_untracked().and_then(|o| closed.moved(o));
        self.open.set(open.or_else(|| {
            self.dataset
                .with_untracked(|ds| (!ds.traces.is_empty()).then_some(0))
        }));
        closed
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

    /// Fetches a URL and loads it (the demo traces, `?url=` links); the
    /// traces remember where they came from.
    pub async fn load_url(self, url: &str) -> Option<Vec<usize>> {
        self.load_url_named(url, url.rsplit('/').next().unwrap_or(url))
            .await
    }

    /// The demo traces (`public/demo/`), labelled as such in the trace list.
    pub async fn load_demo(self, urls: &[&str]) {
        self.demo_loaded.set(true);
        for url in urls {
            let name = format!("{DEMO_LABEL}{}", url.rsplit('/').next().unwrap_or(url));
            self.load_url_named(url, &name).await;
        }
    }

    async fn load_url_named(self, url: &str, name: &str) -> Option<Vec<usize>> {
        let name = name.to_string();
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
            // Those with no origin yet take this one.
            self.fetched_from
                .update(|f| f.fill_empty(r, url.to_string()));
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
