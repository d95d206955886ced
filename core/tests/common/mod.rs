// Each test crate uses only some of these helpers.
#![allow(dead_code)]

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
pub fn decode_file(file: &str) -> Dataset {
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, &std::fs::read(corpus_dir().join(file)).unwrap()).unwrap();
    ds
}

/// A trace whose span i has the parent `parents[i]` (an index, possibly
/// itself, out of range → orphan, or None).
pub fn trace_with(
    parents: &[Option<usize>],
    starts: &[i64],
    durs: &[i64],
) -> tracescope_core::model::Trace {
    let n = parents.len();
    let mut t = tracescope_core::model::Trace::default();
    for i in 0..n {
        t.span_key
            .push(tracescope_core::model::IdKey::Num(i as u128 + 1));
        t.span_id_text.push(Default::default());
        t.parent_key
            .push(parents[i].map(|p| tracescope_core::model::IdKey::Num(p as u128 + 1)));
        t.parent_id_text.push(Default::default());
        t.service.push(Default::default());
        t.name.push(Default::default());
        t.start_ns.push(starts[i % starts.len().max(1)]);
        t.duration_ns.push(durs[i % durs.len().max(1)]);
        t.kind.push(Default::default());
        t.status.push(Default::default());
        t.status_message.push(Default::default());
        t.resource.push(0);
        t.attrs.push(Default::default());
        t.events.push(Default::default());
        t.links.push(Default::default());
        t.flags.push(0);
    }
    tracescope_core::analysis::tree::build(&mut t);
    t
}
