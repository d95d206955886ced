//! Analyses over the columnar model. Each is iterative (no recursion over
//! the span tree), so a 100k-deep chain is fine.

pub mod clock;
pub mod critical_path;
pub mod diff;
pub mod flame;
pub mod insights;
pub mod percentile;
pub mod pills;
pub mod self_time;
pub mod service_graph;
pub mod sets;
pub mod span_walk;
pub mod stats;
pub mod summary;
pub use tracescope_decode::tree;
