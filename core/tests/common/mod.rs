// Each test crate uses only some of these helpers.
#![allow(dead_code)]

pub mod model_text;
pub mod random;

use std::path::{Path, PathBuf};
use tracescope_core::{decode_bytes, Dataset};

/// The shared corpus beside the checkout (CI has it there too).
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

/// Every corpus file as its path below the corpus (`jaeger/x.json`), sorted.
pub fn corpus_files() -> Vec<String> {
    let mut out = Vec::new();
    let root = corpus_dir();
    for dir in std::fs::read_dir(&root).expect("../shared/corpus is missing") {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            out.push(
                f.strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
    out.sort();
    out
}

/// A corpus file (path below the corpus) decoded; it must decode.
/// A Jaeger span's references: `ref_type` (CHILD_OF, FOLLOWS_FROM) to
/// `parent` in `trace`; none for a root (`parent` empty).
pub fn jaeger_refs(trace: &str, parent: &str, ref_type: &str) -> serde_json::Value {
    if parent.is_empty() {
        serde_json::json!([])
    } else {
        serde_json::json!([{"refType": ref_type, "traceID": trace, "spanID": parent}])
    }
}

/// Jaeger query-API traces (`{traceID, spans}`) decoded into one dataset.
pub fn jaeger_dataset(traces: Vec<serde_json::Value>) -> Dataset {
    let mut ds = Dataset::default();
    decode_bytes(
        &mut ds,
        serde_json::json!({ "data": traces }).to_string().as_bytes(),
    )
    .unwrap();
    ds
}

pub fn decode_file(file: &str) -> Dataset {
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, &std::fs::read(corpus_dir().join(file)).unwrap()).unwrap();
    ds
}

/// A Jaeger file of `n` one-span traces, each its own process (as
/// `tests/bench.mjs … traces` writes it: 309 bytes a trace).
pub fn one_span_traces(n: usize) -> String {
    let traces: Vec<String> = (0..n)
        .map(|i| {
            let id = format!("{i:016x}");
            format!(
                r#"{{"traceID":"{id}","spans":[{{"traceID":"{id}","spanID":"{id}","operationName":"op-{}","references":[],"startTime":{},"duration":{},"tags":[{{"key":"k","type":"int64","value":{}}}],"logs":[],"processID":"p1"}}],"processes":{{"p1":{{"serviceName":"svc-{}","tags":[]}}}}}}"#,
                i % 5,
                1_700_000_000_000_000u64 + i as u64 * 1000,
                500 + i % 13,
                i % 7,
                i % 7
            )
        })
        .collect();
    format!(r#"{{"data":[{}]}}"#, traces.join(","))
}
