//! The decoding Web Worker: the page's own wasm module, started in a worker
//! (`app::decode_worker`), runs [`run`] there instead of the UI. The page posts
//! `{id, strings: Uint8Array, blob: Blob, packed: bool}` (packed: a share
//! link's payload, unpacked here); the worker reads the blob
//! (reporting bytes read), decodes it (reporting spans decoded) and posts
//! back the model as parts, `{id, type: "part", buffer}`, each as soon as
//! it is made, then
//! `{id, type: "done", buffer, format, traces, spans, decode_ms, read_ms}` with the
//! last one (every buffer transferred), or `{id, type: "error", message}`.
//! Progress is `{id, type: "progress", read, total, spans}`. The protocol
//! itself (string tables kept in step) is `tracescope_core::wire`.

use js_sys::{Object, Reflect, Uint8Array};
use std::cell::RefCell;
use std::rc::Rc;
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

fn message(id: f64, kind: &str, fields: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    let _ = Reflect::set(&o, &"id".into(), &id.into());
    let _ = Reflect::set(&o, &"type".into(), &kind.into());
    for (k, v) in fields {
        let _ = Reflect::set(&o, &(*k).into(), v);
    }
    o
}

fn post(o: &Object) {
    let _ = scope().post_message(o);
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &k.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Reads a blob chunk by chunk, reporting bytes read.
async fn read(id: f64, blob: &Blob) -> Result<Vec<u8>, String> {
    let total = blob.size();
    let reader: web_sys::ReadableStreamDefaultReader = blob.stream().get_reader().unchecked_into();
    let mut out = Vec::with_capacity(total as usize);
    let mut last_report = 0usize;
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
            post_progress(id, out.len() as f64, total, 0);
        }
    }
}

/// Where a job is: `read` bytes of `total`, then `spans` decoded.
fn post_progress(id: f64, read: f64, total: f64, spans: usize) {
    let fields = [
        ("read", read.into()),
        ("total", total.into()),
        ("spans", (spans as f64).into()),
    ];
    post(&message(id, "progress", &fields));
}

/// Bytes as an ArrayBuffer that can be transferred (moved, not copied).
fn transferable(bytes: Vec<u8>) -> JsValue {
    let array = Uint8Array::new_with_length(bytes.len() as u32);
    array.copy_from(&bytes);
    array.buffer().into()
}

async fn handle(decoder: Rc<RefCell<Decoder>>, data: JsValue) {
    let id = get(&data, "id").as_f64().unwrap_or(0.0);
    let t_read = now();
    let strings = Uint8Array::new(&get(&data, "strings")).to_vec();
    if let Err(e) = decoder.borrow_mut().sync(&strings) {
        // Out of step with the page: the page starts a fresh worker.
        let fields = [("message", e.to_string().into()), ("restart", true.into())];
        return post(&message(id, "error", &fields));
    }
    let blob = get(&data, "blob").dyn_into::<Blob>().ok();
    if let Some(blob) = &blob {
        // The file's bytes and about as much again for what is made of them
        // (the worker of a large input is ended afterwards, which hands the
        // memory back).
        tracescope_core::heap::reserve(2 * blob.size() as usize);
    }
    let bytes = match blob {
        Some(blob) => match read(id, &blob).await {
            Ok(b) => b,
            // Chromium's stream of a very large blob can fail under memory
            // pressure where reading it whole still works.
            Err(m) => match JsFuture::from(blob.array_buffer()).await {
                Ok(buf) => Uint8Array::new(&buf).to_vec(),
                Err(_) => return post(&message(id, "error", &[("message", m.into())])),
            },
        },
        None => Vec::new(),
    };
    // A share link's payload: the trace deflated and base64url-encoded.
    let bytes = if get(&data, "packed").as_bool() == Some(true) {
        match std::str::from_utf8(&bytes)
            .map_err(|_| "the link's data is not text".to_string())
            .and_then(tracescope_core::share::unpack)
        {
            Ok(b) => b,
            Err(m) => return post(&message(id, "error", &[("message", m.into())])),
        }
    } else {
        bytes
    };
    let total = bytes.len() as f64;
    post_progress(id, total, total, 0);
    let t0 = now();
    let read_ms = t0 - t_read;
    // Each part is posted as soon as it is made (the page applies it while
    // the next is made), one behind: the last goes with "done".
    let mut held: Option<Vec<u8>> = None;
    let result = decoder.borrow_mut().decode_each(
        &bytes,
        &mut |spans| post_progress(id, total, total, spans),
        &mut |p| {
            if let Some(prev) = held.replace(p) {
                post_part(id, "part", prev, &[]);
            }
        },
    );
    drop(bytes);
    match result {
        Ok(sum) => {
            let decode_ms = now() - t0;
            let fields = [
                ("format", sum.format.name().into()),
                ("traces", (sum.traces.len() as f64).into()),
                ("spans", (sum.spans as f64).into()),
                ("decode_ms", decode_ms.into()),
                ("read_ms", read_ms.into()),
            ];
            post_part(id, "done", held.unwrap_or_default(), &fields);
        }
        Err(e) => post(&message(id, "error", &[("message", e.to_string().into())])),
    }
}

/// Posts a part of the model with `fields`, its buffer transferred; the page
/// takes each in a task of its own.
fn post_part(id: f64, kind: &str, part: Vec<u8>, fields: &[(&str, JsValue)]) {
    let buffer = transferable(part);
    let o = message(id, kind, fields);
    let _ = Reflect::set(&o, &"buffer".into(), &buffer);
    let _ = scope().post_message_with_transfer(&o, &js_sys::Array::of1(&buffer));
}

/// True in a dedicated worker (no window): this instance decodes.
pub fn in_worker() -> bool {
    js_sys::global()
        .dyn_ref::<DedicatedWorkerGlobalScope>()
        .is_some()
}

/// The worker's message loop; returns at once (work happens in callbacks).
pub fn run() {
    let decoder = Rc::new(RefCell::new(Decoder::default()));
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
        let (queue, busy, decoder) = (queue.clone(), busy.clone(), decoder.clone());
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                let next = queue.borrow_mut().pop_front();
                let Some(data) = next else { break };
                handle(decoder.clone(), data).await;
            }
            *busy.borrow_mut() = false;
        });
    });
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    // Messages sent before the wasm was ready were dropped: say when to start.
    post(&message(0.0, "ready", &[]));
}
