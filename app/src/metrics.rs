//! `window.__tracescope`: read-only figures of the last load, for tests and
//! benchmark scripts: `{format, traces, spans, wait_ms, read_ms, decode_ms,
//! decode_parts, first_part_ms, helpers_ms, apply_ms, first_paint_ms,
//! error}` (`wait_ms` until the worker had the job, `read_ms` and
//! `decode_ms` in the worker, in `decode_parts` parts — of it the first
//! part's decode and the wait for the helpers' —, `apply_ms` on the page's
//! thread)
//! and `wasm_bytes()`, the size of the wasm linear memory now.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

pub use tracescope_components::canvas::now;

fn metrics_object() -> Option<Object> {
    let w = web_sys::window()?;
    let key = JsValue::from_str("__tracescope");
    match Reflect::get(&w, &key).ok().filter(|v| v.is_object()) {
        Some(v) => Some(v.into()),
        None => {
            let o = Object::new();
            let _ = Reflect::set(&w, &key, &o);
            Some(o)
        }
    }
}

fn set(o: &Object, k: &str, v: JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(k), &v);
}

/// Installs `window.__tracescope.wasm_bytes()`.
pub fn install() {
    let Some(o) = metrics_object() else { return };
    let f = wasm_bindgen::closure::Closure::<dyn Fn() -> f64>::new(|| {
        wasm_bindgen::memory()
            .dyn_into::<js_sys::WebAssembly::Memory>()
            .map(|m| {
                m.buffer()
                    .unchecked_into::<js_sys::ArrayBuffer>()
                    .byte_length() as f64
            })
            .unwrap_or(0.0)
    });
    set(&o, "wasm_bytes", f.as_ref().clone());
    // Lives as long as the page.
    f.forget();
}

pub fn record_load(out: &crate::decode_worker::Outcome, t0: f64) {
    let Some(o) = metrics_object() else { return };
    set(&o, "format", out.format.as_str().into());
    set(&o, "traces", (out.traces.len() as f64).into());
    set(&o, "spans", (out.spans as f64).into());
    set(&o, "wait_ms", out.wait_ms.into());
    set(&o, "read_ms", out.times.read_ms.into());
    set(&o, "decode_ms", out.times.decode_ms.into());
    set(&o, "decode_parts", out.times.parts.into());
    set(&o, "first_part_ms", out.times.first_part_ms.into());
    set(&o, "helpers_ms", out.times.helpers_ms.into());
    set(&o, "apply_ms", out.apply_ms.into());
    set(&o, "first_paint_ms", JsValue::NULL);
    set(&o, "error", JsValue::NULL);
    // The frame after the next one has been painted with the new trace.
    leptos::prelude::request_animation_frame(move || {
        leptos::prelude::request_animation_frame(move || {
            if let Some(o) = metrics_object() {
                set(&o, "first_paint_ms", (now() - t0).into());
            }
        })
    });
}

pub fn record_error(source: &str, message: &str) {
    let Some(o) = metrics_object() else { return };
    set(&o, "error", format!("{source}: {message}").into());
}
