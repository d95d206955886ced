//! Redaction patterns and a trace both from the input: the first line holds
//! the patterns (space-separated), the rest is the file. Exported as OTLP
//! and Jaeger JSON with the patterns, dropped and hashed.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tracescope_core::encode::redact::{Mode, Redaction};
use tracescope_core::encode::{jaeger, otlp};
use tracescope_core::{decode_bytes, Dataset};

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let patterns: Vec<String> = String::from_utf8_lossy(&data[..split])
        .split(' ')
        .map(str::to_string)
        .collect();
    let mut ds = Dataset::default();
    if decode_bytes(&mut ds, data.get(split + 1..).unwrap_or_default()).is_err() {
        return;
    }
    for mode in [Mode::Drop, Mode::Hash] {
        let r = Redaction {
            patterns: patterns.clone(),
            mode,
            allowlist: (mode == Mode::Hash).then(|| patterns.iter().take(2).cloned().collect()),
            values: true,
        };
        let _ = otlp::encode(&ds, ds.traces.iter().map(Box::as_ref), &r);
        let _ = jaeger::encode(&ds, ds.traces.iter().map(Box::as_ref), &r);
        for t in &ds.traces {
            let _ = tracescope_core::report::markdown(&ds, t, "https://x.example/", &r);
        }
    }
});
