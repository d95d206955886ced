//! The Web Worker: the page's own wasm module, started in a worker
//! (`app::decode_worker`), runs [`run`] there instead of the UI. It decodes
//! files into the model, handed to the page as parts (`wire`), and makes
//! exports of a trace the page hands it (OTLP and Jaeger JSON, a share
//! link's text, the Markdown summary, the redaction preview's count), so
//! neither freezes the page. What the two sides say is [`protocol`].

pub mod protocol;

use js_sys::Uint8Array;
use protocol::{Export, Exported, FromWorker, ToWorker};
use std::cell::RefCell;
use std::rc::Rc;
use tracescope_core::encode::{jaeger, otlp, redact::Redaction};
use tracescope_core::share::LinkPlan;
use tracescope_core::wire::Decoder;
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

/// Reads a blob chunk by chunk, reporting bytes read.
async fn read(id: u32, blob: &Blob) -> Result<Vec<u8>, String> {
    let total = blob.size();
    let reader: web_sys::ReadableStreamDefaultReader = blob.stream().get_reader().unchecked_into();
    let mut out = Vec::with_capacity(total as usize);
    let mut last_report = 0usize;
    let get = |o: &JsValue, k: &str| js_sys::Reflect::get(o, &k.into()).unwrap_or_default();
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|e| format!("the browser could not read the file: {e:?}"))?;
        if get(&chunk, "done").as_bool().unwrap_or(true) {
            return Ok(out);
        }
        // The chunk is a Uint8Array already (`Uint8Array::new` would copy it).
        let bytes: Uint8Array = get(&chunk, "value").unchecked_into();
        let n = bytes.length() as usize;
        out.reserve(n);
        // Straight into the spare room: no zeroing of a 600 MB file first.
        let added = bytes
            .copy_to_uninit(&mut out.spare_capacity_mut()[..n])
            .len();
        // SAFETY: `copy_to_uninit` initialised the first `added` spare bytes.
        unsafe { out.set_len(out.len() + added) };
        if out.len() - last_report >= 4 << 20 {
            last_report = out.len();
            post(FromWorker::Progress {
                id,
                read: out.len() as f64,
                total,
                spans: 0,
            });
        }
    }
}

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
        } => decode(&worker, id, &strings, blob, packed).await,
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

async fn decode(worker: &Rc<RefCell<Worker>>, id: u32, strings: &[u8], blob: Blob, packed: bool) {
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
        &mut |p| {
            if let Some(prev) = held.replace(p) {
                post(FromWorker::Part {
                    id,
                    buffer: protocol::buffer_of(&prev),
                });
            }
        },
    );
    drop(bytes);
    match result {
        Ok(sum) => post(FromWorker::Done {
            id,
            buffer: protocol::buffer_of(&held.unwrap_or_default()),
            format: sum.format.name().to_string(),
            traces: sum.traces.len(),
            spans: sum.spans,
            decode_ms: now() - t0,
            read_ms,
        }),
        Err(e) => fail(id, e.to_string()),
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
