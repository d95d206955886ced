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

/// Valid JSON nested past the 128 levels a tree is read to, where no
/// streamed reader takes it: said as such, with where, not called
/// invalid (the decode fuzz target tells this case by its kind).
#[test]
fn json_nested_too_deep_for_a_tree_says_so() {
    let mut ds = Dataset::default();
    let text = format!("{{\n\"x\": {}{}}}", "[".repeat(200), "]".repeat(200));
    let e = decode_bytes(&mut ds, text.as_bytes()).unwrap_err();
    assert_eq!(
        e,
        DecodeError::TooDeep {
            line: 2,
            column: 132
        }
    );
    assert_eq!(
        e.to_string(),
        "the JSON nests more than 128 levels deep at line 2, column 132, deeper than Tracescope reads this shape"
    );
    // Shallower, the same shape is only not a trace.
    let text = format!("{{\"x\": {}{}}}", "[".repeat(100), "]".repeat(100));
    let e = decode_bytes(&mut ds, text.as_bytes()).unwrap_err();
    assert!(matches!(e, DecodeError::Unknown(_)), "{e:?}");
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

/// The X-Ray daemon's stream: a `{"format":"json","version":1}` header
/// before each document, on lines of their own. Read a document at a time
/// (the headers skipped), as the general path reads it.
#[test]
fn xray_daemon_streams_are_read_a_document_at_a_time() {
    let header = r#"{"format":"json","version":1}"#;
    let segment = r#"{"trace_id":"1-5f84c7a5-0123456789abcdef01234567","id":"00000000000000a1","name":"web","start_time":1.0,"end_time":2.0,"subsegments":[{"id":"00000000000000b1","name":"db","start_time":1.1,"end_time":1.5}]}"#;
    let independent = r#"{"type":"subsegment","trace_id":"1-5f84c7a5-0123456789abcdef01234567","parent_id":"00000000000000a1","id":"00000000000000c1","name":"queue","start_time":1.6,"end_time":1.9}"#;
    // A header spaced out is one too.
    let spaced = format!("{{\"format\":\"json\",{}\"version\":1}}", " ".repeat(64));
    let text = format!("{header}\n{segment}\n{header}\n{independent}\n");
    let (mut streamed, mut general) = (Dataset::default(), Dataset::default());
    let s = decode_bytes(&mut streamed, text.as_bytes()).unwrap();
    assert!(s.streamed);
    assert_eq!(
        (s.format, streamed.traces.len(), s.spans),
        (tracescope_core::Format::XRay, 1, 3)
    );
    let g =
        tracescope_core::decode::decode_bytes_general(&mut general, text.as_bytes(), &mut |_| {})
            .unwrap();
    assert_eq!((g.format, g.spans), (s.format, s.spans));
    for ds in [&streamed, &general] {
        let t = &ds.traces[0];
        let parents: Vec<(String, String)> = (0..t.len())
            .map(|i| {
                let parent = t.tree.parent_of(i).map(|p| ds.span_id(t, p).to_string());
                (ds.str(t.name[i]).to_string(), parent.unwrap_or_default())
            })
            .collect();
        assert_eq!(
            parents,
            [
                ("web".to_string(), String::new()),
                ("db".to_string(), "00000000000000a1".to_string()),
                ("queue".to_string(), "00000000000000a1".to_string()),
            ]
        );
    }
    let mut ds = Dataset::default();
    let s = decode_bytes(&mut ds, format!("{spaced}\n{segment}").as_bytes()).unwrap();
    assert_eq!(
        (s.format, s.spans, s.streamed),
        (tracescope_core::Format::XRay, 2, true)
    );
    // One document after its header: still two values, streamed.
    let mut ds = Dataset::default();
    let s = decode_bytes(&mut ds, format!("{header}\n{segment}\n").as_bytes()).unwrap();
    assert_eq!((s.spans, s.streamed), (2, true));
    // A header alone is no trace; an object with only one of its keys is
    // no header (nor a trace), either way.
    for text in [
        header.to_string(),
        format!("{{\"format\":\"json\"}}\n{segment}"),
    ] {
        let mut ds = Dataset::default();
        assert!(decode_bytes(&mut ds, text.as_bytes()).is_err(), "{text}");
        let general =
            tracescope_core::decode::decode_bytes_general(&mut ds, text.as_bytes(), &mut |_| {});
        assert!(general.is_err(), "{text}");
    }
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

/// Decodes `doc` and returns its one trace's bounds, the start of each
/// span by operation name, and the warnings.
/// A trace's bounds, each span's (name, start) and its warnings.
type Times = ((i64, i64), Vec<(String, i64)>, Vec<String>);

fn times_of(doc: &str) -> Times {
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, doc.as_bytes()).unwrap();
    let t = &ds.traces[0];
    let starts = (0..t.len())
        .map(|s| (ds.str(t.name[s]).to_string(), t.start_ns[s]))
        .collect();
    (t.bounds(), starts, t.warnings().to_vec())
}

const SEC: i64 = 1_000_000_000;
/// 2024-02-29T12:00:00Z
const T0: i64 = 1_709_208_000 * SEC;

/// A span without a start keeps its place in the tree, at its parent's
/// start, with a warning naming it; the trace's bounds come from the spans
/// that have times (it started in 1970 and lasted 54 years).
#[test]
fn a_span_without_a_start_is_shown_at_its_parents_and_named() {
    let us = T0 / 1000;
    let doc = format!(
        r#"{{"data":[{{"traceID":"a1","spans":[
        {{"traceID":"a1","spanID":"b1","operationName":"root","startTime":{us},"duration":5000,"processID":"p1"}},
        {{"traceID":"a1","spanID":"b2","operationName":"lost","references":[{{"refType":"CHILD_OF","spanID":"b1"}}],"duration":1000,"processID":"p1"}},
        {{"traceID":"a1","spanID":"b3","operationName":"late","references":[{{"refType":"CHILD_OF","spanID":"b1"}}],"startTime":{},"duration":2000,"processID":"p1"}}
        ],"processes":{{"p1":{{"serviceName":"svc"}}}}}}]}}"#,
        us + 1000
    );
    let (bounds, starts, warnings) = times_of(&doc);
    assert_eq!(bounds, (T0, T0 + 5_000_000));
    assert!(starts.contains(&("lost".to_string(), T0)), "{starts:?}");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("span b2") && w.contains("start")),
        "{warnings:?}"
    );
    // inspect --json says the same.
    let dir = std::env::temp_dir().join(format!("tracescope-nostart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("no-start.json");
    std::fs::write(&file, &doc).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_inspect"))
        .arg("--json")
        .arg(&file)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let w = v["warnings"].as_array().unwrap();
    assert!(
        w.iter().any(|w| w.as_str().unwrap().contains("span b2")),
        "{v}"
    );
    assert_eq!(v["trace_summaries"][0]["duration_ns"], 5_000_000, "{v}");
}

/// A Google Cloud Trace date that does not exist is no time at all, not 1970.
#[test]
fn an_impossible_date_is_a_missing_start() {
    let doc = r#"{"projectId":"p","traceId":"0123456789abcdef0123456789abcdef","spans":[
        {"spanId":"1","name":"root","startTime":"2024-02-29T12:00:00Z","endTime":"2024-02-29T12:00:01Z"},
        {"spanId":"2","parentSpanId":"1","name":"bad","startTime":"2024-02-30T12:00:00Z","endTime":"2024-02-29T12:00:00.5Z"}
    ]}"#;
    let (bounds, starts, warnings) = times_of(doc);
    assert_eq!(bounds, (T0, T0 + SEC));
    assert!(starts.contains(&("bad".to_string(), T0)), "{starts:?}");
    assert!(
        warnings.iter().any(|w| w.contains("span 2")),
        "{warnings:?}"
    );
}

/// Microseconds past what nanoseconds hold wrapped to a large negative time
/// in a release build; now the log is shown at its span's start, with a
/// warning, and a start like that is a missing one.
#[test]
fn times_past_2262_never_wrap() {
    let us = T0 / 1000;
    let doc = format!(
        r#"{{"data":[{{"traceID":"a1","spans":[
        {{"traceID":"a1","spanID":"b1","operationName":"root","startTime":{us},"duration":5000,"processID":"p1",
          "logs":[{{"timestamp":"9223372036854776","fields":[{{"key":"event","value":"boom"}}]}}]}},
        {{"traceID":"a1","spanID":"b2","operationName":"far","references":[{{"refType":"CHILD_OF","spanID":"b1"}}],"startTime":9223372036854776,"duration":1,"processID":"p1"}}
        ],"processes":{{"p1":{{"serviceName":"svc"}}}}}}]}}"#
    );
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, doc.as_bytes()).unwrap();
    let t = &ds.traces[0];
    assert_eq!(t.bounds(), (T0, T0 + 5_000_000));
    let log = &ds.events(t.events[0])[0];
    assert_eq!(log.time_ns, T0);
    assert!(
        t.warnings()
            .iter()
            .any(|w| w.contains("span b1") && w.contains("log")),
        "{:?}",
        t.warnings()
    );
    assert!(
        t.warnings().iter().any(|w| w.contains("span b2")),
        "{:?}",
        t.warnings()
    );
}

#[test]
fn a_span_warning_stays_with_its_own_trace() {
    // Two traces in one file; only b1 of trace a1 has a log without a valid time.
    let doc = r#"{"data":[
      {"traceID":"a1","spans":[{"traceID":"a1","spanID":"b1","operationName":"op","startTime":1000,"duration":5,"processID":"p1",
        "logs":[{"timestamp":"not a time","fields":[{"key":"event","value":"boom"}]}]}],"processes":{"p1":{"serviceName":"svc"}}},
      {"traceID":"a2","spans":[{"traceID":"a2","spanID":"c1","operationName":"op","startTime":2000,"duration":5,"processID":"p1"}],
        "processes":{"p1":{"serviceName":"svc"}}}
    ]}"#;
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, doc.as_bytes()).unwrap();
    let warnings = |id: &str| {
        let t = ds.traces.iter().find(|t| ds.trace_id(t) == id).unwrap();
        t.warnings().to_vec()
    };
    assert!(
        warnings("a1").iter().any(|w| w.contains("span b1")),
        "{:?}",
        warnings("a1")
    );
    assert_eq!(warnings("a2"), Vec::<String>::new());
}
