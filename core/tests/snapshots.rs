//! A snapshot of each corpus file's decoded summary (insta), reviewed by
//! hand once: root, duration, counts and warnings per trace. A change in
//! what a decoder reads shows up here as a diff to review.

use tracescope_core::analysis::summary::summarize;
use tracescope_core::{decode_bytes, Dataset};

mod common;

#[test]
fn corpus_summaries() {
    for file in common::corpus_files() {
        let rel = file.replace(['/', '.'], "_");
        let mut ds = Dataset::default();
        let value = match decode_bytes(
            &mut ds,
            &std::fs::read(common::corpus_dir().join(&file)).unwrap(),
        ) {
            Ok(sum) => serde_json::json!({
                "format": sum.format.name(),
                "traces": ds.traces.iter().map(|t| summarize(&ds, t)).collect::<Vec<_>>(),
            }),
            Err(e) => serde_json::json!({ "error": e.to_string() }),
        };
        insta::assert_json_snapshot!(rel, value);
    }
}
