//! Requests a person can stop: each fetch holds a [`Request`] from its
//! start until its whole body is read, so Cancel and the timeout cover the
//! body too, not only the wait for the headers.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, AbortSignal};

thread_local! {
    /// The requests in flight, for Cancel.
    static IN_FLIGHT: RefCell<Vec<(u32, AbortController)>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
}

/// Aborts every request in flight (their reads then fail as cancelled).
pub fn cancel_all() {
    for (_, c) in IN_FLIGHT.with_borrow_mut(std::mem::take) {
        c.abort();
    }
}

/// One request in flight, registered for Cancel and, with a timeout,
/// aborted when it passes; dropping it ends both.
pub struct Request {
    id: u32,
    controller: AbortController,
    timed_out: Rc<Cell<bool>>,
    timer: Option<i32>,
}

impl Request {
    pub fn start(timeout_s: Option<f64>) -> Result<Request, String> {
        let controller = AbortController::new().map_err(|e| format!("{e:?}"))?;
        let id = NEXT_ID.with(|n| {
            n.set(n.get() + 1);
            n.get()
        });
        IN_FLIGHT.with_borrow_mut(|v| v.push((id, controller.clone())));
        let timed_out = Rc::new(Cell::new(false));
        let timer = timeout_s.and_then(|s| {
            let (c, t) = (controller.clone(), timed_out.clone());
            let on_time = Closure::once_into_js(move || {
                t.set(true);
                c.abort();
            });
            web_sys::window()?
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    on_time.unchecked_ref(),
                    (s * 1000.0) as i32,
                )
                .ok()
        });
        Ok(Request {
            id,
            controller,
            timed_out,
            timer,
        })
    }
    pub fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }
    pub fn timed_out(&self) -> bool {
        self.timed_out.get()
    }
    /// Stopped by Cancel (or the timeout).
    pub fn aborted(&self) -> bool {
        self.controller.signal().aborted()
    }
}

impl Drop for Request {
    fn drop(&mut self) {
        if let (Some(t), Some(w)) = (self.timer, web_sys::window()) {
            w.clear_timeout_with_handle(t);
        }
        let id = self.id;
        IN_FLIGHT.with_borrow_mut(|v| v.retain(|(i, _)| *i != id));
    }
}

/// Why a GET brought no body.
#[derive(Debug)]
pub enum Failure {
    /// No answer: the server is down, refuses the page (CORS), or the
    /// address is wrong.
    Unreachable(String),
    /// The answer began and broke off.
    BrokeOff(String),
    /// Cancel or the timeout stopped it.
    Stopped,
}

/// An answer: its status and its body as a Blob.
pub struct Answer {
    pub status: u16,
    pub status_text: String,
    pub body: web_sys::Blob,
}

/// GETs `url` under `request` (which then covers the body too). The body is
/// read as JavaScript chunks into a Blob: it never enters the page's wasm
/// memory, and a trace in it goes to the worker as it is. `on_bytes` hears
/// bytes received and the expected total (0 when unknown).
pub async fn get(
    url: &str,
    request: &Request,
    accept: Option<&str>,
    on_bytes: impl Fn(f64, f64),
) -> Result<Answer, Failure> {
    let init = web_sys::RequestInit::new();
    init.set_signal(Some(&request.signal()));
    if let Some(a) = accept {
        let headers = web_sys::Headers::new().map_err(|e| Failure::Unreachable(js_text(&e)))?;
        let _ = headers.set("Accept", a);
        init.set_headers(&headers);
    }
    let stopped_or = |f: Failure| {
        if request.aborted() {
            Failure::Stopped
        } else {
            f
        }
    };
    let sent = web_sys::window()
        .ok_or_else(|| Failure::Unreachable("no window".into()))?
        .fetch_with_str_and_init(url, &init);
    let resp: web_sys::Response = wasm_bindgen_futures::JsFuture::from(sent)
        .await
        .map_err(|e| stopped_or(Failure::Unreachable(js_text(&e))))?
        .unchecked_into();
    let total = resp
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0);
    let body = match resp.body() {
        Some(body) => read_chunks(body, |read| on_bytes(read, total)).await,
        None => web_sys::Blob::new().map_err(|e| format!("{e:?}")),
    }
    .map_err(|e| stopped_or(Failure::BrokeOff(e)))?;
    Ok(Answer {
        status: resp.status(),
        status_text: resp.status_text(),
        body,
    })
}

/// What a JavaScript error says ("TypeError: Failed to fetch").
fn js_text(e: &JsValue) -> String {
    match e.dyn_ref::<js_sys::Error>() {
        Some(e) => e.to_string().into(),
        None => format!("{e:?}"),
    }
}

/// Reads a body chunk by chunk into a Blob, reporting bytes read.
async fn read_chunks(
    body: web_sys::ReadableStream,
    on_read: impl Fn(f64),
) -> Result<web_sys::Blob, String> {
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let chunks = js_sys::Array::new();
    let mut read = 0.0;
    on_read(read);
    loop {
        let chunk = wasm_bindgen_futures::JsFuture::from(reader.read())
            .await
            .map_err(|e| format!("{e:?}"))?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            return web_sys::Blob::new_with_u8_array_sequence(&chunks)
                .map_err(|e| format!("{e:?}"));
        }
        if let Ok(v) = js_sys::Reflect::get(&chunk, &"value".into()) {
            // A Uint8Array already (`Uint8Array::new` would copy it).
            read += v.unchecked_ref::<js_sys::Uint8Array>().length() as f64;
            chunks.push(&v);
        }
        on_read(read);
    }
}

/// The bytes of `blob` when it holds at most `max` (the answers the page
/// reads itself: lists, summaries, errors); None when it holds more.
pub async fn small_bytes(blob: &web_sys::Blob, max: usize) -> Result<Option<Vec<u8>>, String> {
    if blob.size() > max as f64 {
        return Ok(None);
    }
    let buf = wasm_bindgen_futures::JsFuture::from(blob.array_buffer())
        .await
        .map_err(|e| format!("{e:?}"))?;
    Ok(Some(js_sys::Uint8Array::new(&buf).to_vec()))
}
