//! Any bytes as a dropped file: decoded (gzip, every format, JSON Lines),
//! then what the views compute first from it.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tracescope_core::analysis::critical_path::critical_path;
use tracescope_core::{decode_bytes, Dataset};

fuzz_target!(|data: &[u8]| {
    let mut ds = Dataset::default();
    if decode_bytes(&mut ds, data).is_ok() {
        for t in &ds.traces {
            let _ = critical_path(t);
            let _ = tracescope_core::analysis::service_graph::service_graph([t]);
        }
    }
});
