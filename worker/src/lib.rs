//! The Web Worker: the page's own wasm module, started in a worker
//! (`app::decode_worker`), runs [`run`] there instead of the UI. It decodes
//! files into the model, handed to the page as parts (`wire`), and makes
//! exports of a trace the page hands it (OTLP and Jaeger JSON, a share
//! link's text, the Markdown summary, the redaction preview's count), so
//! neither freezes the page. What the two sides say is [`protocol`].

pub mod protocol;

use js_sys::Uint8Array;
use protocol::{DecodeTimes, Export, Exported, FromWorker, ToWorker};
use std::cell::RefCell;
use std::rc::Rc;
use tracescope_core::decode::parts;
use tracescope_core::encode::{jaeger, otlp, redact::Redaction};
use tracescope_core::share::LinkPlan;
use tracescope_core::wire::{self, Decoder};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn now() -> f64 {
    scope().performance().map(|p| p.now()).unwrap_or(0.0)
}

fn post(m: FromWorker) {
    let p = m.to_js();
    let _ = scope().post_message_with_transfer(&p.message, &p.transfer);
}

fn fail(id: u32, message: String) {
    post(FromWorker::Error {
        id,
        message,
        restart: false,
    })
}

/// A blob's bytes ([`read_blob`]), the page told every 4 MB read.
fn read(id: u32, blob: &Blob) -> impl std::future::Future<Output = Result<Vec<u8>, String>> + '_ {
    let total = blob.size();
    let mut last_report = 0usize;
    read_blob(blob, true, move |read| {
        if read - last_report >= 4 << 20 {
            last_report = read;
            post(FromWorker::Progress {
                id,
                read: read as f64,
                total,
                spans: 0,
            });
        }
    })
}

/// A blob's bytes, read a piece at a time (`on_read` told how many so
/// far). Each piece goes into one buffer of ours, handed back and forth,
/// when `byob` and the browser allows it (a BYOB reader): a new buffer
/// for every piece made reading two halves of a 431 MB file at once take
/// 400–620 ms, not 310–380.
pub async fn read_blob(
    blob: &Blob,
    byob: bool,
    mut on_read: impl FnMut(usize),
) -> Result<Vec<u8>, String> {
    let stream = blob.stream();
    let reader: PieceReader = match byob
        .then(|| web_sys::ReadableStreamByobReader::new(&stream).ok())
        .flatten()
    {
        Some(r) => r.unchecked_into(),
        None => stream.get_reader().unchecked_into(),
    };
    let mut room = js_sys::ArrayBuffer::new(READ_PIECE);
    let mut out = Vec::with_capacity(blob.size() as usize);
    let get = |o: &JsValue, k: &str| js_sys::Reflect::get(o, &k.into()).unwrap_or_default();
    loop {
        let chunk = JsFuture::from(reader.read(&Uint8Array::new(&room)))
            .await
            .map_err(|e| format!("the browser could not read the file: {e:?}"))?;
        if get(&chunk, "done").as_bool().unwrap_or(true) {
            return Ok(out);
        }
        // The chunk is a Uint8Array already (`Uint8Array::new` would copy it);
        // a BYOB read's is over our buffer, to be read into again.
        let bytes: Uint8Array = get(&chunk, "value").unchecked_into();
        room = bytes.buffer();
        let n = bytes.length() as usize;
        out.reserve(n);
        // Straight into the spare room: no zeroing of a 600 MB file first.
        let added = bytes
            .copy_to_uninit(&mut out.spare_capacity_mut()[..n])
            .len();
        // SAFETY: `copy_to_uninit` initialised the first `added` spare bytes.
        unsafe { out.set_len(out.len() + added) };
        on_read(out.len());
    }
}

#[wasm_bindgen]
extern "C" {
    /// A stream's reader, BYOB or default: `read(view)` (a default reader
    /// takes no view, and JavaScript lets it ignore one).
    type PieceReader;
    #[wasm_bindgen(method)]
    fn read(this: &PieceReader, view: &Uint8Array) -> js_sys::Promise;
}

/// The most a BYOB read of a file takes at once.
const READ_PIECE: u32 = 8 << 20;

/// What the worker keeps between messages.
#[derive(Default)]
struct Worker {
    decoder: Decoder,
    /// Parts of a trace to hold, until its export comes.
    holding: Vec<Vec<u8>>,
}

async fn handle(worker: Rc<RefCell<Worker>>, message: ToWorker) {
    match message {
        ToWorker::Decode {
            id,
            strings,
            blob,
            packed,
            workers,
        } => decode(&worker, id, &strings, blob, packed, workers).await,
        ToWorker::DecodePart {
            id,
            blob,
            context,
            at,
            stop,
        } => decode_part(id, &blob, &context, at, stop).await,
        ToWorker::Hold { part, .. } => worker.borrow_mut().holding.push(part),
        ToWorker::Export {
            id,
            what,
            redaction,
            fresh,
        } => {
            if fresh {
                let mut w = worker.borrow_mut();
                let parts = std::mem::take(&mut w.holding);
                if let Err(e) = w.decoder.hold(&parts) {
                    return post(FromWorker::Error {
                        id,
                        message: e.to_string(),
                        restart: true,
                    });
                }
            }
            let output = match what {
                Export::Link { selected, budget } => {
                    links(&worker, selected, budget as usize, &redaction).await
                }
                what => export(&worker.borrow().decoder, id, &what, &redaction),
            };
            match output {
                Ok(output) => post(FromWorker::Exported { id, output }),
                Err(m) => fail(id, m),
            }
        }
    }
}

async fn decode(
    worker: &Rc<RefCell<Worker>>,
    id: u32,
    strings: &[u8],
    blob: Blob,
    packed: bool,
    workers: u32,
) {
    let t_read = now();
    if let Err(e) = worker.borrow_mut().decoder.sync(strings) {
        // Out of step with the page: the page starts a fresh worker.
        return post(FromWorker::Error {
            id,
            message: e.to_string(),
            restart: true,
        });
    }
    // The file's bytes and about as much again for what is made of them
    // (the worker of a large input is ended afterwards, which hands the
    // memory back).
    tracescope_core::heap::reserve(2 * blob.size() as usize);
    if !packed {
        if let Some((context, n)) = parts_for(&blob, workers).await {
            if decode_in_parts(worker, id, &blob, &context, n, t_read).await {
                return;
            }
        }
    }
    let bytes = match read(id, &blob).await {
        Ok(b) => b,
        // Chromium's stream of a very large blob can fail under memory
        // pressure where reading it whole still works.
        Err(m) => match JsFuture::from(blob.array_buffer()).await {
            Ok(buf) => Uint8Array::new(&buf).to_vec(),
            Err(_) => return fail(id, m),
        },
    };
    // A share link's payload: the trace deflated and base64url-encoded.
    let bytes = if packed {
        match std::str::from_utf8(&bytes)
            .map_err(|_| "the link's data is not text".to_string())
            .and_then(tracescope_core::share::unpack)
        {
            Ok(b) => b,
            Err(m) => return fail(id, m),
        }
    } else {
        bytes
    };
    let total = bytes.len() as f64;
    let progress = |spans| FromWorker::Progress {
        id,
        read: total,
        total,
        spans,
    };
    post(progress(0));
    let t0 = now();
    let read_ms = t0 - t_read;
    // Each part is posted as soon as it is made (the page applies it while
    // the next is made), one behind: the last goes with "done".
    let mut held: Option<Vec<u8>> = None;
    // A link's payload is a compact trace (or, from earlier builds, JSON).
    let reader = packed
        .then(|| tracescope_core::encode::compact::reader(&bytes))
        .flatten();
    let result = worker.borrow_mut().decoder.decode_each_read_by(
        &bytes,
        reader,
        &mut |spans| post(progress(spans)),
        &mut |p| send_part(id, &mut held, p),
    );
    drop(bytes);
    let decode_ms = now() - t0;
    let times = DecodeTimes {
        read_ms,
        decode_ms,
        parts: 1,
        first_part_ms: decode_ms,
        helpers_ms: 0.0,
    };
    finish_decode(id, result, held, times);
}

/// Posts the part held (the one before `p`) and holds `p`: the last part
/// goes with "done".
fn send_part(id: u32, held: &mut Option<Vec<u8>>, p: Vec<u8>) {
    if let Some(prev) = held.replace(p) {
        post(FromWorker::Part {
            id,
            buffer: protocol::buffer_of(&prev),
        });
    }
}

fn finish_decode(
    id: u32,
    result: Result<tracescope_core::DecodeSummary, tracescope_core::DecodeError>,
    held: Option<Vec<u8>>,
    times: DecodeTimes,
) {
    match result {
        Ok(sum) => post(FromWorker::Done {
            id,
            buffer: protocol::buffer_of(&held.unwrap_or_default()),
            format: sum.format.name().to_string(),
            traces: sum.traces.len(),
            spans: sum.spans,
            times,
        }),
        Err(e) => fail(id, e.to_string()),
    }
}

/// The fewest bytes a part is worth in a helper worker: below, starting it
/// and handing its part over costs about what decoding the bytes here does.
const PART_MIN_BYTES: usize = 16_000_000;
/// How much larger the first part (decoded here) is than each helper's: a
/// helper starts later, and its part is written as bytes, handed over and
/// read back here, ~9 % of decoding it.
const FIRST_PART_WEIGHT: f64 = 1.08;
/// The most workers one file is decoded with.
const MOST_WORKERS: usize = 8;

/// What a later part of `blob` is read after (`parts::context_of`) and how
/// many parts to decode it in, on at most `workers` workers (0: one per
/// core); None for one part: unless it is large and of a shape that parts
/// read (`parts::format_of`: Jaeger's `{"data": [...]}`, one trace object or
/// spans a line each, OTLP's
/// `{"resourceSpans": [...]}` (one, or a line each), Zipkin's `[...]`, Chrome's
/// `{"traceEvents": [...]}`; a gzip file is read whole).
async fn parts_for(blob: &Blob, workers: u32) -> Option<(String, usize)> {
    let cores = scope().navigator().hardware_concurrency() as usize;
    let most = match workers {
        0 => cores,
        w => w as usize,
    };
    let n = parts::worth(blob.size() as usize, most.min(MOST_WORKERS), PART_MIN_BYTES);
    if n < 2 {
        return None;
    }
    let head = blob.slice_with_f64_and_f64(0.0, 4096.0).ok()?;
    let head = JsFuture::from(head.array_buffer()).await.ok()?;
    let context = parts::context_of(&Uint8Array::new(&head).to_vec())?;
    Some((String::from_utf8(context).ok()?, n))
}

/// A helper worker given a part to decode, and its answer to come.
struct Helper {
    worker: web_sys::Worker,
    answer: JsFuture,
    // Its handlers, kept as long as it runs (dropped once it is ended).
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(web_sys::Event)>,
}

/// A helper no longer wanted (its part in, or the file decoded otherwise)
/// is ended: it would go on decoding, then call handlers dropped with it.
impl Drop for Helper {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// Starts this module in a worker of its own (as the page started this
/// one) and hands it `job` once it is ready.
fn start_helper(job: ToWorker) -> Result<Helper, JsValue> {
    let opts = web_sys::WorkerOptions::new();
    opts.set_type(web_sys::WorkerType::Module);
    let worker = web_sys::Worker::new_with_options(&scope().location().href(), &opts)?;
    // What the page's boot script was started with: the glue's URL and the module.
    worker.post_message(&js_sys::Reflect::get(&js_sys::global(), &"boot".into())?)?;
    let mut resolve = None;
    let answer = js_sys::Promise::new(&mut |r, _| resolve = Some(r));
    let answered = resolve.ok_or(JsValue::NULL)?;
    let job = job.to_js().message;
    let (to, on_ready) = (worker.clone(), answered.clone());
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
        match FromWorker::from_js(&ev.data()) {
            Some(FromWorker::Ready) => {
                if to.post_message(&job).is_err() {
                    let _ = on_ready.call0(&JsValue::NULL);
                }
            }
            Some(FromWorker::Part { .. } | FromWorker::Error { .. }) | None => {
                let _ = on_ready.call1(&JsValue::NULL, &ev.data());
            }
            // Its reading's progress: this worker reports its own.
            Some(_) => {}
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
        // Handled here: not passed on to the page as this worker's own error.
        ev.prevent_default();
        let _ = answered.call0(&JsValue::NULL);
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Helper {
        worker,
        answer: JsFuture::from(answer),
        _on_message: on_message,
        _on_error: on_error,
    })
}

/// A helper's part, read back; None if it has none (the file is decoded whole).
async fn part_of(mut helper: Helper) -> Option<parts::Part> {
    let answer = (&mut helper.answer).await.ok();
    drop(helper);
    match FromWorker::from_js(&answer?)? {
        FromWorker::Part { buffer, .. } => wire::read_part(&Uint8Array::new(&buffer).to_vec()).ok(),
        _ => None,
    }
}

/// Decodes `blob` in `n` parts, the first here while helper workers decode
/// the others (each read after `context`), and hands the merged model to
/// the page as a whole decode does. False, with nothing sent, when the
/// parts do not fit together (the caller decodes the file whole).
async fn decode_in_parts(
    worker: &Rc<RefCell<Worker>>,
    id: u32,
    blob: &Blob,
    context: &str,
    n: usize,
    t_read: f64,
) -> bool {
    let len = blob.size() as usize;
    let cuts = parts::cuts_weighted(len, n, FIRST_PART_WEIGHT);
    let slice = |k: usize| {
        let r = parts::bytes_of(len, &cuts, k);
        let b = blob
            .slice_with_f64_and_f64(r.start as f64, r.end as f64)
            .ok()?;
        Some((b, r.start))
    };
    let mut helpers = Vec::new();
    for k in 1..n {
        let started = slice(k).and_then(|(blob, at)| {
            let job = ToWorker::DecodePart {
                id,
                blob,
                context: context.to_string(),
                at: at as f64,
                stop: cuts.get(k).map(|&c| c as f64),
            };
            start_helper(job).ok()
        });
        // Those started are ended as they are dropped.
        let Some(h) = started else {
            return false;
        };
        helpers.push(h);
    }
    let Some((first, _)) = slice(0) else {
        return false;
    };
    let Ok(bytes) = read(id, &first).await else {
        return false;
    };
    let t0 = now();
    let read_ms = t0 - t_read;
    let progress = |spans| FromWorker::Progress {
        id,
        read: len as f64,
        total: len as f64,
        spans,
    };
    let first =
        worker
            .borrow_mut()
            .decoder
            .first_part(&bytes, cuts.first().copied(), &mut |spans| {
                post(progress(spans))
            });
    drop(bytes);
    let t_first = now();
    let mut later = Vec::with_capacity(n - 1);
    for h in helpers {
        later.extend(part_of(h).await);
    }
    let t_helpers = now();
    // A helper that failed leaves a gap the merge finds (and then cuts the
    // tables back to what the page has).
    let Some(first) = first else {
        return false;
    };
    let mut held = None;
    let result = worker.borrow_mut().decoder.decode_parts_each(
        first,
        later,
        &mut |spans| post(progress(spans)),
        &mut |p| send_part(id, &mut held, p),
    );
    let Some(result) = result else {
        return false;
    };
    let times = DecodeTimes {
        read_ms,
        decode_ms: now() - t0,
        parts: n as u32,
        first_part_ms: t_first - t0,
        helpers_ms: t_helpers - t_first,
    };
    finish_decode(id, result, held, times);
    true
}

/// A helper's job: decodes its part of a file and hands it over as bytes.
async fn decode_part(id: u32, blob: &Blob, context: &str, at: f64, stop: Option<f64>) {
    let part = match read(id, blob).await {
        Ok(mut bytes) => {
            let stop = stop.map(|s| s as usize);
            parts::decode_later(context.as_bytes(), &mut bytes, at as usize, stop)
        }
        Err(_) => None,
    };
    match part {
        Some(p) => post(FromWorker::Part {
            id,
            buffer: protocol::buffer_of(&wire::part_bytes(&p)),
        }),
        None => fail(id, "this part of the file was not read as one".into()),
    }
}

/// `what` of the trace the decoder holds.
fn export(decoder: &Decoder, id: u32, what: &Export, r: &Redaction) -> Result<Exported, String> {
    let ds = decoder.held();
    let t = ds.trace(0).ok_or("no trace was handed over")?;
    let mut report = |spans| post(FromWorker::Exporting { id, spans });
    let file = |b: Vec<u8>| {
        let parts = js_sys::Array::of1(&Uint8Array::from(&b[..]));
        Blob::new_with_u8_array_sequence(&parts)
            .map(Exported::File)
            .map_err(|e| format!("the browser could not hold the export: {e:?}"))
    };
    Ok(match what {
        Export::Count => Exported::Count(r.removed(ds, [t])),
        Export::Otlp => file(otlp::encode_reporting(ds, [t], r, &mut report))?,
        Export::Jaeger => file(jaeger::encode_reporting(ds, [t], r, &mut report))?,
        Export::Markdown { link } => {
            Exported::Text(tracescope_core::report::markdown(ds, t, link, r))
        }
        Export::Link { .. } => return Err("links are made by `links`".into()),
    })
}

/// The links of the trace held ([`LinkPlan`]): each payload is made with
/// the decoder borrowed, then compressed by the browser with it released.
async fn links(
    worker: &Rc<RefCell<Worker>>,
    selected: Option<u32>,
    budget: usize,
    r: &Redaction,
) -> Result<Exported, String> {
    let spans = {
        let w = worker.borrow();
        w.decoder.held().traces.first().map(|t| t.len())
    }
    .ok_or("no trace was handed over")?;
    let mut plan = LinkPlan::new(spans, selected.map(|s| s as usize), budget);
    loop {
        let payload = {
            let w = worker.borrow();
            let ds = w.decoder.held();
            let Some(t) = ds.traces.first() else { break };
            plan.next(ds, t, r)
        };
        let Some(payload) = payload else { break };
        let deflated = deflate(&payload).await.map_err(|e| {
            let why = e.as_string().unwrap_or_else(|| format!("{e:?}"));
            format!("the browser could not compress the trace: {why}")
        })?;
        plan.took(tracescope_core::share::text(&deflated));
    }
    Ok(Exported::Links(plan.choices()))
}

#[wasm_bindgen]
extern "C" {
    /// The browser's deflate (Chromium 103+, Firefox 113+, Safari 16.4+).
    #[wasm_bindgen(extends = js_sys::Object)]
    type CompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<CompressionStream, JsValue>;
}

/// `bytes` raw-deflated by the browser, as `core::share::unpack` reads them:
/// the module carries no compressor of its own (flate2's was 7 KB gzipped).
pub async fn deflate(bytes: &[u8]) -> Result<Vec<u8>, JsValue> {
    let cs = CompressionStream::new("deflate-raw")?;
    let parts = js_sys::Array::of1(&Uint8Array::from(bytes));
    let blob = Blob::new_with_u8_array_sequence(&parts)?;
    let out = blob.stream().pipe_through(cs.unchecked_ref());
    let resp = web_sys::Response::new_with_opt_readable_stream(Some(&out))?;
    let buf = JsFuture::from(resp.array_buffer()?).await?;
    Ok(Uint8Array::new(&buf).to_vec())
}

/// True in a dedicated worker (no window): this instance works.
pub fn in_worker() -> bool {
    js_sys::global()
        .dyn_ref::<DedicatedWorkerGlobalScope>()
        .is_some()
}

/// The worker's message loop; returns at once (work happens in callbacks).
pub fn run() {
    let worker = Rc::new(RefCell::new(Worker::default()));
    // Messages are handled one at a time, in order: the string tables of the
    // page and this worker must stay in step.
    let queue: Rc<RefCell<std::collections::VecDeque<JsValue>>> = Rc::default();
    let busy = Rc::new(RefCell::new(false));
    let onmessage = Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
        queue.borrow_mut().push_back(ev.data());
        if *busy.borrow() {
            return;
        }
        *busy.borrow_mut() = true;
        let (queue, busy, worker) = (queue.clone(), busy.clone(), worker.clone());
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                let next = queue.borrow_mut().pop_front();
                let Some(data) = next else { break };
                match ToWorker::from_js(&data) {
                    Some(m) => handle(worker.clone(), m).await,
                    None => post(FromWorker::Error {
                        id: 0,
                        message: "the worker was sent a message it does not know".into(),
                        restart: true,
                    }),
                }
            }
            *busy.borrow_mut() = false;
        });
    });
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    // Messages sent before the wasm was ready were dropped: say when to start.
    post(FromWorker::Ready);
}
