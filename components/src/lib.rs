//! tracescope-components: Leptos components and the canvas painters. The
//! geometry they draw comes from `tracescope_core::layout`.

pub mod canvas;
pub mod flame;
pub mod service_map;
pub mod span_detail;
pub mod stats;
pub mod theme;
pub mod trace_list;
pub mod waterfall;

pub use flame::{FlameGraph, FlameMode};
pub use service_map::ServiceMap;
pub use span_detail::SpanDetail;
pub use stats::StatsView;
pub use trace_list::TraceList;
pub use waterfall::WaterfallCanvas;
