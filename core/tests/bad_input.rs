//! Bad input is an error with a reason, never a panic, and never touches
//! what was loaded before.

use std::io::Write;
use tracescope_core::{decode_bytes, Dataset, DecodeError};

const GOOD: &str = r#"{"data":[{"traceID":"a1","spans":[{"traceID":"a1","spanID":"b1","operationName":"op","startTime":1,"duration":2,"processID":"p1"}],"processes":{"p1":{"serviceName":"svc"}}}]}"#;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn invalid_json_names_line_and_column() {
    let mut ds = Dataset::default();
    let e = decode_bytes(&mut ds, b"{\n  \"data\": [1,,2]\n}").unwrap_err();
    match &e {
        DecodeError::Json {
            line,
            column,
            truncated,
            ..
        } => {
            assert_eq!((*line, *column, *truncated), (2, 14, false));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("line 2, column 14"), "{e}");
}

#[test]
fn truncated_json_says_truncated() {
    let mut ds = Dataset::default();
    let e = decode_bytes(&mut ds, &GOOD.as_bytes()[..GOOD.len() / 2]).unwrap_err();
    assert!(e.to_string().contains("truncated"), "{e}");
}

#[test]
fn gzip_is_read_and_corrupt_gzip_is_named() {
    let mut ds = Dataset::default();
    let z = gzip(GOOD.as_bytes());
    assert_eq!(decode_bytes(&mut ds, &z).unwrap().spans, 1);
    let mut bad = z.clone();
    bad.truncate(z.len() / 2);
    let e = decode_bytes(&mut ds, &bad).unwrap_err();
    assert!(matches!(e, DecodeError::Gzip(_)), "{e:?}");
    let mut flipped = z.clone();
    let n = flipped.len();
    flipped[n / 2] ^= 0xff;
    assert!(decode_bytes(&mut ds, &flipped).is_err());
    assert_eq!(ds.traces.len(), 1, "the trace loaded first stays");
}

#[test]
fn unknown_and_empty_inputs_say_what_they_are() {
    let mut ds = Dataset::default();
    let e = decode_bytes(&mut ds, br#"{"hello": 1, "world": 2}"#).unwrap_err();
    assert!(e.to_string().contains("keys hello, world"), "{e}");
    assert_eq!(decode_bytes(&mut ds, b"").unwrap_err(), DecodeError::Empty);
    assert_eq!(
        decode_bytes(&mut ds, b"  \n").unwrap_err(),
        DecodeError::Empty
    );
    assert!(decode_bytes(&mut ds, b"[]")
        .unwrap_err()
        .to_string()
        .contains("empty list"));
    assert!(decode_bytes(&mut ds, br#"{"tagNames":["a"]}"#)
        .unwrap_err()
        .to_string()
        .contains("tag list"));
    assert!(decode_bytes(&mut ds, b"42").is_err());
}

#[test]
fn malformed_spans_of_a_known_format_are_errors() {
    let mut ds = Dataset::default();
    let e = decode_bytes(
        &mut ds,
        br#"{"data":[{"traceID":"1","spans":[{"operationName":"x"}]}]}"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("no traceID"), "{e}");
    let e = decode_bytes(
        &mut ds,
        br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"x"}]}]}]}"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("traceId"), "{e}");
    assert!(ds.traces.is_empty());
}

#[test]
fn json_lines_merge_spans_of_one_trace() {
    let a = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"0a","name":"root","startTimeUnixNano":"1","endTimeUnixNano":"9"}]}]}]}"#;
    let b = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"0b","parentSpanId":"0a","name":"child","startTimeUnixNano":"2","endTimeUnixNano":"3"}]}]}]}"#;
    let mut ds = Dataset::default();
    let s = decode_bytes(&mut ds, format!("{a}\n{b}\n").as_bytes()).unwrap();
    assert_eq!((ds.traces.len(), s.spans), (1, 2));
    assert_eq!(ds.traces[0].tree.parent_of(1), Some(0));
}

#[test]
fn jaeger_json_lines_of_single_spans() {
    let a = r#"{"traceID":"aa","spanID":"01","operationName":"root","startTime":10,"duration":5,"process":{"serviceName":"s1"}}"#;
    let b = r#"{"traceID":"aa","spanID":"02","operationName":"child","startTime":11,"duration":2,"references":[{"refType":"CHILD_OF","traceID":"aa","spanID":"01"}],"process":{"serviceName":"s2"}}"#;
    let mut ds = Dataset::default();
    let s = decode_bytes(&mut ds, format!("{a}\n{b}\n").as_bytes()).unwrap();
    assert_eq!(
        (s.format, ds.traces.len(), s.spans),
        (tracescope_core::Format::Jaeger, 1, 2)
    );
    assert_eq!(ds.traces[0].tree.parent_of(1), Some(0));
}

#[test]
fn extreme_times_do_not_overflow() {
    let docs = [
        r#"{"traceEvents":[{"ph":"X","ts":9.2e15,"dur":9.2e15,"pid":1,"tid":1,"name":"a"},{"ph":"X","ts":-9.2e15,"dur":1,"pid":1,"tid":1,"name":"b"}]}"#.to_string(),
        format!(r#"[{{"traceId":"01","id":"01","name":"a","timestamp":{},"duration":{}}},{{"traceId":"01","id":"02","parentId":"01","name":"b","timestamp":{},"duration":5}}]"#, i64::MAX, i64::MAX, i64::MIN),
        format!(r#"[{{"traceId":"01","id":"01","name":"a","annotations":[{{"timestamp":{},"value":"cs","endpoint":{{"serviceName":"x"}}}},{{"timestamp":{},"value":"cr"}}]}}]"#, i64::MIN, i64::MAX),
        format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"traceId":"01","spanId":"01","name":"a","startTimeUnixNano":"{}","endTimeUnixNano":"{}"}},{{"traceId":"01","spanId":"02","parentSpanId":"01","name":"b","startTimeUnixNano":"{}","endTimeUnixNano":"{}"}}]}}]}}]}}"#, i64::MIN, i64::MAX, i64::MAX, i64::MIN),
        format!(r#"[[{{"trace_id":1,"span_id":1,"parent_id":0,"name":"a","start":{},"duration":{}}},{{"trace_id":1,"span_id":2,"parent_id":1,"name":"b","start":{},"duration":{}}}]]"#, i64::MAX, i64::MAX, i64::MIN, i64::MAX),
        r#"{"trace_id":"1-5f187253-6a106696d56b1f4ef9eba2ed","id":"01","name":"a","start_time":1e300,"end_time":-1e300}"#.to_string(),
        r#"{"data":[{"traceID":"1","spans":[{"traceID":"1","spanID":"1","operationName":"a","startTime":9223372036854775807,"duration":9223372036854775807}]}]}"#.to_string(),
    ];
    for d in &docs {
        let mut ds = Dataset::default();
        let r = decode_bytes(&mut ds, d.as_bytes());
        assert!(r.is_ok(), "{d}: {r:?}");
        for t in &ds.traces {
            let s = tracescope_core::analysis::summary::summarize(&ds, t);
            assert!(s.duration_ns >= 0);
            let _ = tracescope_core::analysis::self_time::self_times(t);
        }
    }
}
