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
