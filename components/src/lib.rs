//! tracescope-components: Leptos components and the canvas painters. The
//! geometry they draw comes from `tracescope_core::layout`.

pub mod calls_table;
pub mod canvas;
pub mod chart;
pub mod context;
pub mod dialog;
pub mod diff_tree;
pub mod flame;
pub mod frames_table;
pub mod page_bar;
pub mod rows_table;
pub mod search_results;
pub mod service_map;
pub mod span_detail;
pub mod stats;
pub mod theme;
pub mod toggle;
pub mod touch;
pub mod trace_list;
pub mod waterfall;

pub use calls_table::CallsTable;
pub use context::{view_context, ViewContext};
pub use dialog::Dialog;
pub use diff_tree::DiffTree;
pub use flame::{FlameGraph, FlameMode, FlameModeSwitch, FlameZoom, Merge};
pub use frames_table::FramesTable;
pub use rows_table::RowsTable;
pub use search_results::SearchResults;
pub use service_map::ServiceMap;
pub use span_detail::SpanDetail;
pub use stats::StatsView;
pub use toggle::Toggle;
pub use trace_list::TraceList;
pub use waterfall::WaterfallCanvas;

use leptos::prelude::*;
use tracescope_core::{Dataset, Trace};

/// `f` of the open trace, tracking the dataset and the choice of trace (so
/// a memo built on it reruns when either changes); None when none is open.
pub fn with_open_trace<T>(
    dataset: RwSignal<Dataset>,
    trace: Signal<Option<usize>>,
    f: impl FnOnce(&Trace) -> T,
) -> Option<T> {
    dataset.with(|ds| trace.get().and_then(|i| ds.trace(i)).map(f))
}

/// Whether a key press is meant for a text field rather than the page.
pub fn typing(ev: &web_sys::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
        .is_some_and(|e| {
            matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || e.has_attribute("contenteditable")
        })
}

/// [`with_open_trace`] in an event handler: nothing tracked.
pub fn with_open_trace_untracked<T>(
    dataset: RwSignal<Dataset>,
    trace: Signal<Option<usize>>,
    f: impl FnOnce(&Trace) -> T,
) -> Option<T> {
    dataset.with_untracked(|ds| trace.get_untracked().and_then(|i| ds.trace(i)).map(f))
}

/// The open trace's time window ([`Trace::time_window`]), `(0, 1)` when none.
pub fn open_trace_window(
    dataset: RwSignal<Dataset>,
    trace: Signal<Option<usize>>,
) -> Memo<(f64, f64)> {
    Memo::new(move |_| with_open_trace(dataset, trace, Trace::time_window).unwrap_or((0.0, 1.0)))
}

/// Puts `text` on the clipboard (quietly nothing where the browser refuses).
pub fn copy_text(text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}
