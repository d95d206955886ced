//! What every canvas view shares: keeping the backing store at device
//! resolution, mouse positions in CSS pixels, text fitting, tooltip placing.

use leptos::html::{Canvas, Div};
use leptos::prelude::*;
use std::sync::Arc;
use tracescope_core::layout::text::{Font, Label, TextMeasure};
use tracescope_core::layout::time::Tick;
use tracescope_core::model::TraceIdentity;
use tracescope_core::{Dataset, Trace};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

pub const FONT: &str = "12px system-ui, -apple-system, 'Segoe UI', sans-serif";
pub const FONT_BOLD: &str = "600 12px system-ui, -apple-system, 'Segoe UI', sans-serif";
pub const FONT_SMALL: &str = "11px system-ui, -apple-system, 'Segoe UI', sans-serif";

pub fn ctx2d(c: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    c.get_context("2d").ok()??.dyn_into().ok()
}

pub fn device_pixel_ratio() -> f64 {
    web_sys::window()
        .map(|w| w.device_pixel_ratio())
        .unwrap_or(1.0)
        .max(1.0)
}

/// Tracks the CSS size of `wrap` in `size` (ResizeObserver), for a canvas
/// that fills it. The observer disconnects itself once the view (and so
/// `size`) is gone, e.g. after switching tabs.
pub fn observe_size(wrap_ref: NodeRef<Div>, size: RwSignal<(f64, f64)>) {
    Effect::new(move |_| {
        let Some(wrap) = wrap_ref.get() else { return };
        let el = wrap.clone();
        let measure = move |observer: Option<&web_sys::ResizeObserver>| {
            let Some(current) = size.try_get_untracked() else {
                if let Some(o) = observer {
                    o.disconnect();
                }
                return;
            };
            let r = el.get_bounding_client_rect();
            let s = (r.width().max(100.0), r.height().max(100.0));
            if s != current {
                size.set(s);
            }
        };
        measure(None);
        let cb = wasm_bindgen::closure::Closure::<dyn FnMut(js_sys::Array, web_sys::ResizeObserver)>::new(
            move |_: js_sys::Array, o: web_sys::ResizeObserver| measure(Some(&o)),
        );
        if let Ok(ro) = web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()) {
            ro.observe(&wrap);
        }
        // Owned by the observer from here on; a few bytes per mounted view.
        cb.forget();
    });
}

/// Sizes the backing store to `w`×`h` CSS pixels at device resolution and
/// returns a context that draws in CSS pixels.
pub fn prepare(canvas: &HtmlCanvasElement, w: f64, h: f64) -> Option<CanvasRenderingContext2d> {
    let dpr = device_pixel_ratio();
    let (pw, ph) = ((w * dpr).round() as u32, (h * dpr).round() as u32);
    if canvas.width() != pw || canvas.height() != ph {
        canvas.set_width(pw);
        canvas.set_height(ph);
    }
    let ctx = ctx2d(canvas)?;
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    Some(ctx)
}

/// Repaints the canvas (sized to `size` at device resolution) whenever a
/// signal read by `paint` changes: one Effect per canvas view.
pub fn repaint(
    canvas_ref: NodeRef<Canvas>,
    size: RwSignal<(f64, f64)>,
    paint: impl Fn(CanvasRenderingContext2d, f64, f64) + 'static,
) {
    Effect::new(move |_| {
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        let (w, h) = size.get();
        if let Some(ctx) = prepare(&canvas, w, h) {
            let t0 = now();
            paint(ctx, w, h);
            record_paint(now() - t0);
        }
    });
}

/// Runs `part` once a task, from the next one on, while it says there is
/// more to do: long work split so the page paints and answers input in
/// between. A newer call with the same `job`, or the view's disposal (its
/// signals gone), stops the old work.
pub fn in_parts(job: StoredValue<u64>, part: impl FnMut() -> bool + 'static) {
    // One copy of the loop for every caller.
    run_in_parts(job, Box::new(part))
}

fn run_in_parts(job: StoredValue<u64>, mut part: Box<dyn FnMut() -> bool>) {
    let id = job.get_value().wrapping_add(1);
    job.set_value(id);
    leptos::task::spawn_local(async move {
        loop {
            next_task().await;
            if job.try_get_value() != Some(id) || !part() {
                break;
            }
        }
    });
}

/// Sets `into` to what `make` finds in the dataset, a task later: work of
/// tens of milliseconds over a million spans that a first paint need not
/// wait for. A newer call with `job` replaces it.
pub fn compute_later<T: Send + Sync + 'static>(
    job: StoredValue<u64>,
    dataset: RwSignal<Dataset>,
    into: RwSignal<T>,
    make: impl FnOnce(&Dataset) -> T + 'static,
) {
    let mut make = Some(make);
    in_parts(job, move || {
        let mut made = None;
        part_with_dataset(dataset, &mut |ds| {
            made = make.take().map(|f| f(ds));
            false
        });
        // Set once the dataset is no longer read.
        if let Some(v) = made {
            into.try_set(v);
        }
        false
    });
}

/// `make` over the trace `trace` names (the open one, a side of a
/// comparison), made a task after it or the dataset changes (work of tens
/// of milliseconds over a million spans that a first paint need not wait
/// for) and handed over a task later; None until then. What was made is
/// read only beside the trace it was made for: a view may draw before the
/// effect that follows a change has run, and the trace at that index can
/// be another one by then (the first trace closed, the demo traces
/// replaced).
pub fn later_for_trace<T: Send + Sync + 'static>(
    dataset: RwSignal<Dataset>,
    trace: Signal<Option<usize>>,
    make: impl Fn(&Dataset, &Trace) -> T + Copy + 'static,
) -> Signal<Option<Arc<T>>> {
    later_for_trace_in_parts(dataset, trace, make, |_, _, _| true, |made| made)
}

/// [`later_for_trace`] for work that goes a part per task: `make` in the
/// first part, `step` until it says it is done, then `finish` a task
/// later.
pub fn later_for_trace_in_parts<B: 'static, T: Send + Sync + 'static>(
    dataset: RwSignal<Dataset>,
    trace: Signal<Option<usize>>,
    make: impl Fn(&Dataset, &Trace) -> B + Copy + 'static,
    step: impl Fn(&mut B, &Dataset, &Trace) -> bool + Copy + 'static,
    finish: impl Fn(B) -> T + Copy + 'static,
) -> Signal<Option<Arc<T>>> {
    let made = RwSignal::new(None);
    let job = StoredValue::new(0u64);
    Effect::new(move |_| {
        let i = trace.get();
        dataset.track();
        made.set(None);
        build_for_trace_in_parts(job, dataset, i, make, step, move |b| {
            made.try_set(b.map(|(of, b)| (of, Arc::new(finish(b)))));
        });
    });
    // Made for a trace: `Trace::identity`. (A change to the same trace,
    // clocks adjusted, is cleared by the effect above.)
    Signal::derive(move || {
        let now = dataset.with(|ds| Some(ds.trace(trace.get()?)?.identity()));
        made.with(|m| {
            let (of, value) = m.as_ref()?;
            (Some(*of) == now).then(|| value.clone())
        })
    })
}

/// Makes `builder` a part per task with [`in_parts`]: `step` until it says
/// it is done, then, a task later, `finish` (both with the dataset, read
/// untracked). The
/// work stops with the view (its dataset gone) or a newer call with `job`.
pub fn build_in_parts<B: 'static>(
    job: StoredValue<u64>,
    dataset: RwSignal<Dataset>,
    builder: B,
    step: impl Fn(&mut B, &Dataset) -> bool + 'static,
    finish: impl FnOnce(B, &Dataset) + 'static,
) {
    let mut work = Some((builder, finish));
    // `finish` and what its result sets off run in a task of their own,
    // not after the last step.
    let mut stepped = false;
    in_parts(job, move || {
        part_with_dataset(dataset, &mut |ds| {
            let Some((b, _)) = work.as_mut() else {
                return false;
            };
            if !stepped {
                stepped = step(b, ds);
                return true;
            }
            if let Some((b, finish)) = work.take() {
                finish(b, ds);
            }
            false
        })
    });
}

/// A part of [`in_parts`] work with the dataset, read untracked: whether
/// there is more (none once the dataset is gone). One copy of the reading
/// for every caller.
fn part_with_dataset(dataset: RwSignal<Dataset>, part: &mut dyn FnMut(&Dataset) -> bool) -> bool {
    dataset.try_with_untracked(|ds| part(ds)).unwrap_or(false)
}

/// [`build_in_parts`] over one trace (`open`): the builder is made by
/// `make` in the first part, not in the render, then stepped; `finish`
/// gets it with the identity of the trace it was made for (None without
/// the trace), for a view to draw it only beside that trace: the trace at
/// an index can change before the effect that rebuilds has run (the first
/// trace closed).
pub fn build_for_trace_in_parts<B: 'static>(
    job: StoredValue<u64>,
    dataset: RwSignal<Dataset>,
    open: Option<usize>,
    make: impl Fn(&Dataset, &Trace) -> B + 'static,
    step: impl Fn(&mut B, &Dataset, &Trace) -> bool + 'static,
    finish: impl FnOnce(Option<(TraceIdentity, B)>) + 'static,
) {
    build_in_parts(
        job,
        dataset,
        None,
        move |b, ds| match open.and_then(|i| ds.trace(i)) {
            Some(t) => {
                let (_, b) = b.get_or_insert_with(|| (t.identity(), make(ds, t)));
                step(b, ds, t)
            }
            None => true,
        },
        move |b, _| finish(b),
    );
}

/// Resolves in a later task (a zero timeout): long work split with it lets
/// the page answer input in between.
pub async fn next_task() {
    resolved_by(|w, f| w.set_timeout_with_callback(f).map(drop)).await
}

/// Resolves before the next frame is painted.
pub async fn next_frame() {
    resolved_by(|w, f| w.request_animation_frame(f).map(drop)).await
}

/// Resolves when the window calls back what `schedule` hands it.
async fn resolved_by(
    schedule: impl Fn(&web_sys::Window, &js_sys::Function) -> Result<(), JsValue>,
) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = schedule(&w, &resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

/// Milliseconds from the page's clock (`performance.now()`).
pub fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Benchmarks see how long each paint took: they put an array at
/// `window.__paint_ms` and read it afterwards.
fn record_paint(ms: f64) {
    let Some(w) = web_sys::window() else { return };
    if let Ok(a) = js_sys::Reflect::get(&w, &"__paint_ms".into()) {
        if let Some(a) = a.dyn_ref::<js_sys::Array>() {
            a.push(&ms.into());
        }
    }
}

/// A mouse event's position in the canvas, in CSS pixels.
pub fn local_point(canvas_ref: NodeRef<Canvas>, ev: &web_sys::MouseEvent) -> (f64, f64) {
    match canvas_ref.get_untracked() {
        Some(c) => {
            let r = c.get_bounding_client_rect();
            (
                ev.client_x() as f64 - r.left(),
                ev.client_y() as f64 - r.top(),
            )
        }
        None => (0.0, 0.0),
    }
}

/// `left`/`top` style for a tooltip near the pointer that stays inside a
/// `w`×`h` box.
pub fn tooltip_style(x: f64, y: f64, w: f64, h: f64) -> String {
    let left = if x + 300.0 > w {
        (x - 300.0).max(0.0)
    } else {
        x + 14.0
    };
    let top = if y + 110.0 > h {
        (y - 100.0).max(0.0)
    } else {
        y + 14.0
    };
    format!("left:{left}px;top:{top}px")
}

/// The CSS font of each font the geometry knows.
pub fn font_css(f: Font) -> &'static str {
    match f {
        Font::Regular => FONT,
        Font::Bold => FONT_BOLD,
        Font::Small => FONT_SMALL,
    }
}

/// Text measured by the canvas, for the geometry in `core::layout`.
pub struct CanvasText<'a>(pub &'a CanvasRenderingContext2d);

impl TextMeasure for CanvasText<'_> {
    fn advance(&self, font: Font, c: char) -> f64 {
        advance_in(self.0, font_css(font), c)
    }
}

/// Text in the context's current font.
struct CurrentFont<'a>(&'a CanvasRenderingContext2d, String);

impl TextMeasure for CurrentFont<'_> {
    fn advance(&self, _: Font, c: char) -> f64 {
        advance_in(self.0, &self.1, c)
    }
}

pub fn text_width(ctx: &CanvasRenderingContext2d, text: &str) -> f64 {
    CurrentFont(ctx, ctx.font()).width(Font::Regular, text)
}

/// Text cut to fit `max_w` pixels in the current font, with an ellipsis.
pub fn fit_text(ctx: &CanvasRenderingContext2d, text: &str, max_w: f64) -> Option<String> {
    CurrentFont(ctx, ctx.font()).fit(Font::Regular, text, max_w)
}

thread_local! {
    /// Advance width of each character per font: measuring text on a canvas
    /// is slow, and a frame may fit thousands of labels.
    static ADVANCES: std::cell::RefCell<rustc_hash::FxHashMap<String, rustc_hash::FxHashMap<char, f64>>> =
        Default::default();
}

/// The advance of `c` in the CSS font `css`, measured once. A font's
/// printable ASCII is measured together the first time: setting the
/// context's font is the slow part (twice a character, a load's first
/// paint spent ~10 ms on it).
fn advance_in(ctx: &CanvasRenderingContext2d, css: &str, c: char) -> f64 {
    ADVANCES.with_borrow_mut(|fonts| {
        if let Some(w) = fonts.get(css).and_then(|t| t.get(&c)) {
            return *w;
        }
        let current = ctx.font();
        if current != css {
            ctx.set_font(css);
        }
        let measure = |c: char| {
            ctx.measure_text(c.encode_utf8(&mut [0; 4]))
                .map(|m| m.width())
                .unwrap_or(0.0)
        };
        let table = fonts.entry(css.to_string()).or_default();
        if table.is_empty() {
            table.extend((' '..='~').map(|a| (a, measure(a))));
        }
        let w = *table.entry(c).or_insert_with(|| measure(c));
        if current != css {
            ctx.set_font(&current);
        }
        w
    })
}

/// Draws a label where the geometry put it, in the font it was measured
/// in, in the current fill style.
pub fn draw_label(ctx: &CanvasRenderingContext2d, l: &Label) {
    ctx.set_font(font_css(l.font));
    let _ = ctx.fill_text(&l.text, l.x, l.y);
}

/// Draws a ruler's ticks (marks at the bottom of the strip `[top, top +
/// height]`) and the labels they carry, in the current fill style.
pub fn draw_ruler(ctx: &CanvasRenderingContext2d, ticks: &[Tick], top: f64, height: f64) {
    for t in ticks {
        ctx.fill_rect(t.x.round(), top + height - 6.0, 1.0, 5.0);
        if let Some(l) = &t.label {
            draw_label(ctx, l);
        }
    }
}
