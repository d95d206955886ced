//! Any text typed into the search form's tags and duration fields.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tracescope_core::backend::form::{parse_duration_us, parse_tags};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse_tags(&text);
    let _ = parse_duration_us(&text);
});
