//! A snapshot of each corpus file's decoded summary (insta), reviewed by
//! hand once: root, duration, counts and warnings per trace. A change in
//! what a decoder reads shows up here as a diff to review.

use tracescope_core::analysis::summary::summarize;
use tracescope_core::{decode_bytes, Dataset};

mod common;

#[test]
fn corpus_summaries() {
    let root = common::corpus_dir();
    let mut files: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).into_iter().flatten())
        .map(|f| f.unwrap().path())
        .collect();
    files.sort();
    for path in files {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace(['/', '.'], "_");
        let mut ds = Dataset::default();
        let value = match decode_bytes(&mut ds, &std::fs::read(&path).unwrap()) {
            Ok(sum) => serde_json::json!({
                "format": sum.format.name(),
                "traces": ds.traces.iter().map(|t| summarize(&ds, t)).collect::<Vec<_>>(),
            }),
            Err(e) => serde_json::json!({ "error": e.to_string() }),
        };
        insta::assert_json_snapshot!(rel, value);
    }
}
