//! The decoders as the browser runs them (wasm with SIMD, where a string's
//! end is looked for sixteen bytes at a time) read every string as the
//! native build does: the quote, an escape, a non-ASCII letter or a byte
//! JSON forbids at any place in the sixteen-byte step. Run with `cargo test
//! -p tracescope-worker --target wasm32-unknown-unknown`.

use tracescope_core::{decode_bytes, Dataset};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The operation name of a one-span Jaeger file whose name is the JSON
/// string body `raw`, read by the streaming reader (a string misread there
/// would send the file to the general path, which reads it right: that
/// must not hide it).
fn operation_name(raw: &[u8]) -> Result<String, String> {
    let mut file =
        br#"{"data":[{"traceID":"a1","spans":[{"traceID":"a1","spanID":"b1","operationName":""#
            .to_vec();
    file.extend_from_slice(raw);
    file.extend_from_slice(br#"","startTime":1,"duration":2,"processID":"p1"}],"processes":{"p1":{"serviceName":"s"}}}]}"#);
    let mut ds = Dataset::default();
    let read = decode_bytes(&mut ds, &file).map_err(|e| e.to_string())?;
    assert!(
        read.streamed,
        "{} read the general way",
        String::from_utf8_lossy(raw)
    );
    let t = &ds.traces[0];
    Ok(ds.str(t.name[0]).to_string())
}

#[wasm_bindgen_test]
fn a_string_ends_where_its_quote_is_at_any_place() {
    for n in 0..40 {
        let plain = "x".repeat(n);
        assert_eq!(
            operation_name(plain.as_bytes()).unwrap(),
            plain,
            "{n} plain letters"
        );
    }
}

#[wasm_bindgen_test]
fn escapes_and_non_ascii_are_read_at_any_place() {
    for n in 0..40 {
        let before = "x".repeat(n);
        let escaped = format!("{before}\\\"q\\\\r\\u00e9{before}");
        assert_eq!(
            operation_name(escaped.as_bytes()).unwrap(),
            format!("{before}\"q\\ré{before}"),
            "escapes after {n} letters"
        );
        let accented = format!("{before}é€{before}");
        assert_eq!(
            operation_name(accented.as_bytes()).unwrap(),
            accented,
            "after {n} letters"
        );
    }
}

#[wasm_bindgen_test]
fn a_control_byte_or_broken_utf8_is_refused_at_any_place() {
    for n in 0..40 {
        for bad in [0x01u8, 0x1f, b'\n', 0xff, 0xc3] {
            let mut raw = vec![b'x'; n];
            raw.push(bad);
            raw.extend_from_slice(b"yz");
            assert!(
                operation_name(&raw).is_err(),
                "byte {bad:#x} after {n} letters"
            );
        }
    }
}
