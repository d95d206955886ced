//! The page's side of the worker (`worker/`): files are decoded there, off
//! the main thread, by a second instance of the page's own wasm module (one
//! download, one compile: the module is posted to the worker), and arrive
//! as model buffers that are transferred, not copied
//! ([`tracescope_core::wire`]), one task each. Exports are made there too:
//! the page hands the worker the trace (a slice per task), which it keeps
//! while the user changes the settings. Jobs run one at a time, in order,
//! because the worker keeps a copy of the page's string table; each job
//! first sends the strings the worker has not seen. [`cancel`] and
//! [`cancel_exports`] terminate the worker (a fresh one starts for the next
//! job). What is said is [`tracescope_worker::protocol`].

use futures_channel::oneshot;
use js_sys::{Object, Reflect, Uint8Array};
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use tracescope_core::encode::redact::Redaction;
use tracescope_core::wire;
use tracescope_core::Dataset;
use tracescope_worker::protocol::{DecodeTimes, Export, Exported, FromWorker, ToWorker};

mod export;
pub use export::{cancel_exports, export};
use export::{hand_over, HeldTrace};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, MessageEvent, Worker};

/// The worker's script: it imports the page's wasm-bindgen glue and starts
/// the module it is sent, whose `main` then runs the worker's loop.
/// It keeps what it was started with (`self.boot`): the worker starts
/// helpers of its own with it. A start that fails is thrown again from a
/// timer, so that it reaches whoever started the worker as its `error`
/// event (a rejected promise would not, and they would wait for "ready").
const BOOT: &str = "self.onmessage = async (ev) => { self.onmessage = null; self.boot = ev.data; \
try { const glue = await import(ev.data.glue); await glue.default({ module_or_path: ev.data.module }); } \
catch (e) { setTimeout(() => { throw e; }); } };";
/// Where a person (or the benchmark) can set how many workers decode one
/// file, at most; by default one per core.
const WORKERS_KEY: &str = "tracescope-decode-workers";
/// After an input this large the worker is ended, which gives its memory
/// (the file's bytes and the decoder's scratch) back to the browser.
const RELEASE_AFTER_BYTES: f64 = 32e6;
/// Strings indexed per task after a load (12–13 ms a task at 1M spans here).
const INDEX_PER_TASK: usize = 100_000;

/// Where a load is: bytes read of `total`, then spans decoded.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct LoadProgress {
    pub read: f64,
    pub total: f64,
    pub spans: usize,
}

/// What a finished job added.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub traces: std::ops::Range<usize>,
    /// Each new trace's fingerprint, in order (for finding repeats
    /// without reading every trace again).
    pub fingerprints: Vec<u64>,
    pub format: String,
    pub spans: usize,
    /// The worker's read and decode (reading is nearly all of the time
    /// before decoding starts; a share link's payload is unpacked then).
    pub times: DecodeTimes,
    /// From the load's start until the worker was handed the job: starting
    /// the worker, or the jobs before it.
    pub wait_ms: f64,
    /// Main-thread time to take the parts into the page's dataset (in
    /// several tasks, one per part).
    pub apply_ms: f64,
}

struct Job {
    id: u32,
    /// When the job was queued, then how long it waited for the worker.
    queued_at: f64,
    wait_ms: f64,
    dataset: RwSignal<Dataset>,
    work: Work,
}

enum Work {
    Decode {
        blob: Blob,
        /// The blob is a share link's payload (`core::share::pack`), unpacked in the worker.
        packed: bool,
        on_progress: Rc<dyn Fn(LoadProgress)>,
        reply: oneshot::Sender<Result<Outcome, String>>,
    },
    Export {
        trace: usize,
        what: Export,
        redaction: Redaction,
        /// Spans written so far.
        on_progress: Rc<dyn Fn(usize)>,
        reply: oneshot::Sender<Result<Exported, String>>,
    },
}

impl Job {
    fn fail(self, message: String) {
        match self.work {
            Work::Decode { reply, .. } => drop(reply.send(Err(message))),
            Work::Export { reply, .. } => drop(reply.send(Err(message))),
        }
    }
    fn is_export(&self) -> bool {
        matches!(self.work, Work::Export { .. })
    }
}

struct State {
    worker: Option<Worker>,
    ready: bool,
    /// Strings of the page's table the worker has (it starts with "").
    synced: usize,
    next_id: u32,
    queue: VecDeque<Job>,
    current: Option<Job>,
    /// Takes the current job's parts as they arrive.
    receiver: wire::Receiver,
    /// Main-thread time spent on the current job's parts so far.
    apply_ms: f64,
    /// The Blob URL of [`BOOT`].
    boot_url: Option<String>,
    /// A worker done with a large file, ended once the page has painted it
    /// ([`end_retired`]).
    retired: Option<Worker>,
    /// The trace the worker holds for export.
    held: Option<HeldTrace>,
}

thread_local! {
    static STATE: RefCell<State> = const { RefCell::new(State {
        worker: None,
        ready: false,
        synced: 1,
        next_id: 1,
        queue: VecDeque::new(),
        current: None,
        receiver: wire::Receiver::new(),
        apply_ms: 0.0,
        boot_url: None,
        retired: None,
        held: None,
    }) };
}

fn queue(dataset: RwSignal<Dataset>, work: Work) {
    STATE.with_borrow_mut(|s| {
        let id = s.next_id;
        s.next_id += 1;
        s.queue.push_back(Job {
            id,
            queued_at: crate::metrics::now(),
            wait_ms: 0.0,
            dataset,
            work,
        });
    });
    pump();
}

/// Decodes `blob` in the worker and appends its traces to `dataset`,
/// without notifying it: the caller does once it has made its own changes.
/// `packed`: the blob is a share link's payload.
pub async fn decode(
    dataset: RwSignal<Dataset>,
    blob: Blob,
    packed: bool,
    on_progress: impl Fn(LoadProgress) + 'static,
) -> Result<Outcome, String> {
    let (reply, answer) = oneshot::channel();
    let on_progress = Rc::new(on_progress);
    queue(
        dataset,
        Work::Decode {
            blob,
            packed,
            on_progress,
            reply,
        },
    );
    answer
        .await
        .unwrap_or_else(|_| Err("the load was cancelled".into()))
}

/// Stops every load in progress or waiting.
pub fn cancel() {
    let jobs: Vec<Job> = STATE.with_borrow_mut(|s| {
        end_worker(s);
        s.current
            .take()
            .into_iter()
            .chain(s.queue.drain(..))
            .collect()
    });
    for j in jobs {
        j.fail("the load was cancelled".into());
    }
}

/// Whether a load is running or waiting.
pub fn busy() -> bool {
    STATE.with_borrow(|s| s.current.iter().chain(&s.queue).any(|j| !j.is_export()))
}

fn end_worker(s: &mut State) {
    retire_worker(s);
    end_retired_in(s);
    // Parts of an unfinished load come out of the dataset again.
    if let Some(j) = &s.current {
        let rx = &mut s.receiver;
        j.dataset.try_update_untracked(|ds| rx.abort(ds));
    }
}

/// Takes the worker out of service; [`end_retired`] ends it. Ending a
/// worker that holds a large file takes the browser ~130 ms (1M spans) of
/// giving its memory back, and meanwhile every allocation of memory on the
/// page's thread waits (measured: a 137 ms task in step with the worker's
/// teardown, most of it with no JavaScript or wasm running), so it is not
/// done while the page lays out and paints the new trace.
fn retire_worker(s: &mut State) {
    end_retired_in(s);
    s.retired = s.worker.take();
    s.ready = false;
    s.synced = 1;
    s.held = None;
}

fn end_retired_in(s: &mut State) {
    if let Some(w) = s.retired.take() {
        w.terminate();
    }
}

/// Ends a retired worker when the page is next idle.
fn end_retired() {
    leptos::prelude::request_idle_callback(|| STATE.with_borrow_mut(end_retired_in));
}

/// The URL of the page's wasm-bindgen glue: Trunk preloads it.
fn glue_url() -> Option<String> {
    let link = web_sys::window()?
        .document()?
        .query_selector("link[rel=modulepreload][href$='.js']")
        .ok()??;
    Some(link.unchecked_into::<web_sys::HtmlLinkElement>().href())
}

fn start_worker(s: &mut State) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Debug| format!("the decoding worker did not start: {e:?}");
    let glue = glue_url().ok_or_else(|| fail(&"the page's script was not found"))?;
    if s.boot_url.is_none() {
        // One URL for the page's life: a worker reads its script after it starts.
        let parts = js_sys::Array::of1(&BOOT.into());
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type("text/javascript");
        let boot = Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(|e| fail(&e))?;
        s.boot_url = Some(web_sys::Url::create_object_url_with_blob(&boot).map_err(|e| fail(&e))?);
    }
    let wopts = web_sys::WorkerOptions::new();
    wopts.set_type(web_sys::WorkerType::Module);
    let url = s.boot_url.as_deref().unwrap_or_default();
    let w = Worker::new_with_options(url, &wopts).map_err(|e| fail(&e))?;
    let start = Object::new();
    let _ = Reflect::set(&start, &"glue".into(), &glue.into());
    let _ = Reflect::set(&start, &"module".into(), &wasm_bindgen::module());
    w.post_message(&start).map_err(|e| fail(&e))?;
    let onmessage = Closure::<dyn Fn(MessageEvent)>::new(on_message);
    w.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    // One small closure per worker started (a start per cancel or large file).
    onmessage.forget();
    let onerror = Closure::<dyn Fn(web_sys::Event)>::new(|_| {
        fail_current(
            "the decoding worker stopped or could not start (out of memory?)".into(),
            true,
        )
    });
    w.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    onerror.forget();
    s.worker = Some(w);
    Ok(())
}

fn post(s: &State, m: &ToWorker) -> Result<(), String> {
    let p = m.to_js();
    match &s.worker {
        Some(w) => w
            .post_message_with_transfer(&p.message, &p.transfer)
            .map_err(|e| format!("could not reach the worker: {e:?}")),
        None => Err("the worker has stopped".into()),
    }
}

/// Sends the next job when the worker is free.
fn pump() {
    let failed = STATE.with_borrow_mut(|s| {
        if s.current.is_some() || s.queue.is_empty() {
            return None;
        }
        if s.worker.is_none() {
            // The next file needs the memory.
            end_retired_in(s);
            if let Err(e) = start_worker(s) {
                return s.queue.pop_front().map(|j| (j, e));
            }
        }
        if !s.ready {
            return None;
        }
        let mut job = s.queue.pop_front()?;
        job.wait_ms = crate::metrics::now() - job.queued_at;
        if let Work::Decode { blob, packed, .. } = &job.work {
            // Room for most of the model at once: a large file's model takes
            // 0.56–0.9 of its bytes (Jaeger, OTLP, Zipkin; measured), and a
            // room of the file's whole size was what the page then kept. A
            // gzipped file gets too little, and memory grows as it would have.
            tracescope_core::heap::reserve(blob.size() as usize / 2);
            let strings = job
                .dataset
                .with_untracked(|ds| wire::encode_strings(ds, s.synced));
            let m = ToWorker::Decode {
                id: job.id,
                strings,
                blob: blob.clone(),
                packed: *packed,
                workers: crate::url_state::storage()
                    .and_then(|s| s.get_item(WORKERS_KEY).ok().flatten())
                    .and_then(|w| w.parse().ok())
                    .unwrap_or(0),
            };
            // The worker drops a trace it held when it decodes.
            s.held = None;
            if let Err(e) = post(s, &m) {
                return Some((job, e));
            }
        } else {
            leptos::task::spawn_local(hand_over(job.id));
        }
        s.current = Some(job);
        None
    });
    if let Some((job, e)) = failed {
        job.fail(e);
        pump();
    }
}

fn fail_current(message: String, restart: bool) {
    let job = STATE.with_borrow_mut(|s| {
        // A worker that ends before it is ready never took a job: the next
        // one waited for it, and fails (not a new worker, which would fail
        // the same way, again and again).
        let never_started = restart && !s.ready && s.current.is_none();
        if restart {
            end_worker(s);
        }
        match never_started {
            true => s.queue.pop_front(),
            false => s.current.take(),
        }
    });
    if let Some(j) = job {
        j.fail(message);
    }
    pump();
}

fn on_message(ev: MessageEvent) {
    let Some(message) = FromWorker::from_js(&ev.data()) else {
        return fail_current(
            "the worker said something the page does not know".into(),
            true,
        );
    };
    let id = match &message {
        FromWorker::Ready => {
            STATE.with_borrow_mut(|s| s.ready = true);
            return pump();
        }
        FromWorker::Progress { id, .. }
        | FromWorker::Part { id, .. }
        | FromWorker::Done { id, .. }
        | FromWorker::Exporting { id, .. }
        | FromWorker::Exported { id, .. }
        | FromWorker::Error { id, .. } => *id,
    };
    let is_current = STATE.with_borrow(|s| s.current.as_ref().is_some_and(|j| j.id == id));
    if !is_current {
        return;
    }
    match message {
        FromWorker::Ready => {}
        FromWorker::Progress {
            read, total, spans, ..
        } => {
            let f = STATE.with_borrow(|s| match &s.current.as_ref()?.work {
                Work::Decode { on_progress, .. } => Some(on_progress.clone()),
                Work::Export { .. } => None,
            });
            if let Some(f) = f {
                f(LoadProgress { read, total, spans })
            }
        }
        FromWorker::Exporting { spans, .. } => {
            let f = STATE.with_borrow(|s| match &s.current.as_ref()?.work {
                Work::Export { on_progress, .. } => Some(on_progress.clone()),
                Work::Decode { .. } => None,
            });
            if let Some(f) = f {
                f(spans)
            }
        }
        FromWorker::Exported { output, .. } => {
            if let Some(job) = STATE.with_borrow_mut(|s| s.current.take()) {
                if let Work::Export { reply, .. } = job.work {
                    let _ = reply.send(Ok(output));
                }
            }
            pump();
        }
        FromWorker::Part { buffer, .. } => {
            if let Err(e) = apply_part(&buffer).and_then(|last| match last {
                None => Ok(()),
                Some(_) => Err("the decoded trace arrived out of order".to_string()),
            }) {
                fail_current(e, true);
            }
        }
        FromWorker::Done {
            buffer,
            format,
            spans,
            times,
            ..
        } => match apply_part(&buffer) {
            Ok(Some((traces, strings))) => {
                let (job, apply_ms, fingerprints) = STATE.with_borrow_mut(|s| {
                    s.synced = strings;
                    let job = s.current.take();
                    let large = job.as_ref().is_some_and(|j| match &j.work {
                        Work::Decode { blob, .. } => blob.size() > RELEASE_AFTER_BYTES,
                        Work::Export { .. } => false,
                    });
                    if large {
                        retire_worker(s);
                    }
                    (
                        job,
                        std::mem::take(&mut s.apply_ms),
                        s.receiver.take_arrived(),
                    )
                });
                let Some(Job {
                    dataset,
                    wait_ms,
                    work: Work::Decode { reply, .. },
                    ..
                }) = job
                else {
                    return pump();
                };
                let outcome = Outcome {
                    traces,
                    fingerprints,
                    format,
                    spans,
                    times,
                    wait_ms,
                    apply_ms,
                };
                loaded(dataset, outcome, reply);
                pump()
            }
            Ok(None) => fail_current("the decoded trace is incomplete".into(), true),
            Err(e) => fail_current(e, true),
        },
        FromWorker::Error {
            message, restart, ..
        } => fail_current(message, restart),
    }
}

/// Applies a part of the current load to its dataset: the new traces and
/// the page's string count once the last is in.
fn apply_part(
    buffer: &js_sys::ArrayBuffer,
) -> Result<Option<(std::ops::Range<usize>, usize)>, String> {
    let t0 = crate::metrics::now();
    let bytes = Uint8Array::new(buffer).to_vec();
    let dataset = STATE.with_borrow(|s| s.current.as_ref().map(|j| j.dataset));
    let dataset = dataset.ok_or("no load is running")?;
    let applied = STATE.with_borrow_mut(|s| {
        let rx = &mut s.receiver;
        dataset.try_update_untracked(|ds| {
            rx.part(ds, &bytes)
                .map(|r| r.map(|r| (r, ds.strings.len())))
        })
    });
    drop(bytes);
    let apply_ms = crate::metrics::now() - t0;
    STATE.with_borrow_mut(|s| s.apply_ms += apply_ms);
    match applied {
        Some(r) => r.map_err(|e| e.to_string()),
        None => Err("the page was closed".into()),
    }
}

/// A load is in: its caller takes the new traces in a task of their own,
/// not in the one that applied the last part. The dataset is not notified
/// here: the loader's own changes that follow (repeated traces dropped, demo
/// traces closed) notify it, so the views render the load once.
fn loaded(
    dataset: RwSignal<Dataset>,
    outcome: Outcome,
    reply: oneshot::Sender<Result<Outcome, String>>,
) {
    // Room for the views' first allocations (rows, folds, the critical
    // path, the string index: ~32 bytes a span), which then need no new
    // memory from the browser while it takes back a retired worker's.
    tracescope_core::heap::reserve(outcome.spans * 32);
    leptos::task::spawn_local(async move {
        tracescope_components::canvas::next_task().await;
        let _ = reply.send(Ok(outcome));
        // After the first paint (two frames), when idle.
        tracescope_components::canvas::next_frame().await;
        tracescope_components::canvas::next_frame().await;
        end_retired();
        // The strings came unindexed (`Interner::push_new`): indexed now, a
        // slice per task, so lookups by text (a link's service, a search)
        // are quick later. Not in the frame's task, which lays out what the
        // load drew.
        loop {
            tracescope_components::canvas::next_task().await;
            let done = dataset.try_update_untracked(|ds| ds.strings.index_pending(INDEX_PER_TASK));
            if done != Some(false) {
                break;
            }
        }
    });
}
