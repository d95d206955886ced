//! Any bytes as a tracing backend's answer, read by every parser of every API.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tracescope_core::backend::{response, Kind};

fuzz_target!(|data: &[u8]| {
    for kind in Kind::ALL {
        let _ = response::services(kind, data);
        let _ = response::operations(kind, data);
        let _ = response::is_empty_search(kind, 200, data);
    }
    let _ = response::summaries(data);
    let _ = response::tempo_tags(data);
    let _ = response::tempo_tag_values(data);
    let _ = response::is_empty_traces(data);
    let _ = response::error_text(data);
});
