//! Analyses over the columnar model. Each is iterative (no recursion over
//! the span tree), so a 100k-deep chain is fine.

pub mod self_time;
pub mod summary;
pub mod tree;
