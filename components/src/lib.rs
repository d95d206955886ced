//! tracescope-components: Leptos components and the canvas painters. The
//! geometry they draw comes from `tracescope_core::layout`.

pub mod span_detail;
pub mod theme;
pub mod trace_list;
pub mod waterfall;

pub use span_detail::SpanDetail;
pub use trace_list::TraceList;
pub use waterfall::WaterfallCanvas;
