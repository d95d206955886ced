//! The worker protocol: decoding every corpus file on the "worker" side and
//! applying the deltas to the page's dataset (each part as the worker hands
//! it over, as the page does) gives exactly the dataset that decoding on the
//! page would have, including after failed files.

mod common;
use common::{corpus_dir, corpus_files, model_text};
use tracescope_core::decode::DecodeError;
use tracescope_core::wire::{apply, encode, encode_strings, encode_trace, Decoder, Receiver};
use tracescope_core::{decode_bytes, Dataset};

fn everything(ds: &Dataset) -> Vec<Vec<u8>> {
    encode(ds, 0, 0..ds.traces.len())
}

#[test]
fn every_corpus_file_through_the_worker_protocol_equals_decoding_in_place() {
    let mut page = Dataset::default();
    let mut reference = Dataset::default();
    let mut worker = Decoder::default();
    let mut synced = 1; // both start with the empty string
    let (mut ok, mut failed) = (0, 0);
    // Twice over, so later files meet strings that earlier ones interned.
    for f in corpus_files().iter().chain(corpus_files().iter()) {
        let bytes = std::fs::read(corpus_dir().join(f)).unwrap();
        // The page interns something of its own between loads.
        page.strings.intern(&format!("page-only {f}"));
        reference.strings.intern(&format!("page-only {f}"));

        worker.sync(&encode_strings(&page, synced)).unwrap();
        let direct = decode_bytes(&mut reference, &bytes);
        let mut rx = Receiver::new();
        let (mut parts, mut applied) = (0, None);
        let decoded = worker.decode_each(&bytes, &mut |_| {}, &mut |part| {
            parts += 1;
            if let Some(range) = rx
                .part(&mut page, &part)
                .unwrap_or_else(|e| panic!("{f}: {e}"))
            {
                applied = Some(range);
            }
        });
        match decoded {
            Ok(sum) => {
                let range = applied.unwrap_or_else(|| panic!("{f}: no last part"));
                assert_eq!(Ok(range.clone()), direct.map(|d| d.traces), "{f}");
                assert_eq!(sum.traces.len(), range.len(), "{f}");
                // Each trace's fingerprint, told once it was whole.
                let told: Vec<_> = page.traces[range].iter().map(|t| t.fingerprint()).collect();
                assert_eq!(rx.take_arrived(), told, "{f}");
                ok += 1;
            }
            Err(e) => {
                assert_eq!(Err(e), direct.map(|_| ()), "{f}");
                // Nothing was handed over, and no strings are left behind on either side.
                assert_eq!(parts, 0, "{f}");
                reference.strings.truncate(page.strings.len());
                failed += 1;
            }
        }
        synced = page.strings.len();
        assert_eq!(worker.strings(), synced, "{f}");
        assert_eq!(page.strings.len(), reference.strings.len(), "{f}");
        assert!(
            everything(&page) == everything(&reference),
            "{f}: datasets differ"
        );
    }
    assert!(ok > 100 && failed > 0, "{ok} decoded, {failed} refused");
}

#[test]
fn progress_is_reported_while_a_large_trace_decodes() {
    let json =
        tracescope_core::synth::trace_json(40_000, tracescope_core::synth::SynthFormat::Jaeger, 7);
    let mut seen = Vec::new();
    let (sum, _) = Decoder::default()
        .decode(json.as_bytes(), &mut |n| seen.push(n))
        .unwrap();
    assert_eq!(sum.spans, 40_000);
    assert_eq!(seen, vec![16_384, 32_768]);
}

#[test]
fn streamed_files_decode_exactly_as_the_general_path() {
    use tracescope_core::decode::{decode_bytes_general, Format};
    use tracescope_core::synth::{trace_json, SynthFormat};
    let mut files: Vec<(String, Vec<u8>)> = corpus_files()
        .into_iter()
        .map(|f| {
            let b = std::fs::read(corpus_dir().join(&f)).unwrap();
            (f, b)
        })
        .collect();
    for (i, f) in SynthFormat::OF_SPANS.into_iter().enumerate() {
        files.push((format!("synth {i}"), trace_json(3000, f, 3).into_bytes()));
    }
    let mut streamed = std::collections::BTreeMap::<&str, usize>::new();
    for (f, bytes) in &files {
        let (mut a, mut b) = (Dataset::default(), Dataset::default());
        let ra = decode_bytes(&mut a, bytes);
        let rb = decode_bytes_general(&mut b, bytes, &mut |_| {});
        assert_eq!(unstreamed(&ra), rb, "{f}");
        // Strings may be interned in another order (processes after spans).
        assert_eq!(spans_as_text(&a), spans_as_text(&b), "{f}");
        if let Some(sum) = ra.as_ref().ok().filter(|s| s.streamed) {
            *streamed.entry(sum.format.label()).or_default() += 1;
        }
        // A file refused part-way leaves nothing behind, strings included.
        if ra.is_err() {
            assert_eq!(a.traces.len(), 0, "{f}");
        }
    }
    // Most OTLP and Zipkin corpus files have the streamed shape (and
    // are read by the streams, not handed back to the general path).
    assert!(streamed[Format::Otlp.label()] >= 10, "{streamed:?}");
    assert!(streamed[Format::Zipkin.label()] >= 10, "{streamed:?}");
    // Chrome files, listed or in an object, are read an event at a time.
    assert!(streamed[Format::Chrome.label()] >= 12, "{streamed:?}");
    // Jaeger's trace objects, in `data` or alone (the UI's export, the
    // proto-JSON), a list of spans and spans a line each: all but a UI
    // state.
    assert_eq!(streamed[Format::Jaeger.label()], 17, "{streamed:?}");
    // Datadog payloads and Cloud Trace requests a span at a time; X-Ray
    // responses and single documents an entity (segment or subsegment) at
    // a time.
    assert_eq!(streamed[Format::Datadog.label()], 14, "{streamed:?}");
    assert_eq!(streamed[Format::XRay.label()], 11, "{streamed:?}");
    assert_eq!(streamed[Format::Gcp.label()], 2, "{streamed:?}");
}

/// A file of one value that a streamed reader gives up on late (a bare
/// Jaeger trace object with a `projectId` after a trace of 40,000 spans:
/// `detect` looks at that key before `spans`) is read by the streams once,
/// then the general way: progress counts each span read twice, not three
/// times.
#[test]
fn a_file_the_streams_give_up_on_is_read_by_them_once() {
    let spans: Vec<String> = (0..40_000)
        .map(|i| format!(r#"{{"traceID":"a1","spanID":"{:016x}","operationName":"x","startTime":1,"duration":2,"processID":"p1"}}"#, i + 1))
        .collect();
    let text = format!(
        r#"{{"traceID":"a1","spans":[{}],"processes":{{"p1":{{"serviceName":"s"}}}},"projectId":"p"}}"#,
        spans.join(",")
    );
    read_twice(&text, false, "the stream's, then the general path's");
}

/// Jaeger spans alone, as a list (each with its `process` inline, as
/// jaeger-anonymizer writes them) or a line each (proto-JSON, as a
/// collector's Kafka topic holds them), are read a span at a time when
/// `detect` names them Jaeger's; a list or object it names another
/// format's is not.
#[test]
fn jaeger_spans_alone_are_streamed() {
    let span = |id: &str, parent: &str| {
        format!(
            r#"{{"traceID":"a1","spanID":"{id}","operationName":"x{id}","references":[{{"refType":"CHILD_OF","traceID":"a1","spanID":"{parent}"}}],"startTime":1,"duration":2,"process":{{"serviceName":"s{id}","tags":[{{"key":"h","type":"string","value":"v"}}]}}}}"#
        )
    };
    let proto = |id: &str| {
        format!(
            r#"{{"traceId":"AAAAAAAAAAAAAAAAAAAAAQ==","spanId":"{id}","operationName":"p","startTime":"2017-01-26T16:46:31.639875Z","duration":"0.000005s","process":{{"serviceName":"proto"}}}}"#
        )
    };
    // One process written twice with other spacing, and another.
    let spaced = span("b2", "b1").replace(r#""process":{"#, r#""process": {  "#);
    let other = span("b3", "b1").replace(r#""serviceName":"sb3""#, r#""serviceName":"sb1""#);
    let streamed = [
        format!(
            "[{},{},{}]",
            span("b1", "b0"),
            span("b2", "b1"),
            span("b3", "b1")
        ),
        format!("[{},{spaced},{other},{spaced}]", span("b1", "b0")),
        format!(
            "{}\n{}\n{}",
            span("b1", "b0"),
            span("b2", "b1"),
            span("b3", "b1")
        ),
        format!("{}\n{}", proto("AAAAAAAAAAI="), proto("AAAAAAAAAAM=")),
        span("b1", "b0"),
    ];
    for text in &streamed {
        decodes_as_the_general_path(text, Some(true));
    }
    // A process nested past what `serde_json` reads: the general path's
    // message, not a refused span.
    let deep = format!("{}1{}", r#"{"a":"#.repeat(200), "}".repeat(200));
    let nested = span("b2", "b1").replace(r#""process":{"#, &format!(r#""process":{{"x":{deep},"#));
    decodes_as_the_general_path(&format!("[{},{nested}]", span("b1", "b0")), None);
    // A key `detect` names an object by before it judges it one span.
    for key in ["tagNames", "Traces", "traces"] {
        let text = format!(r#"{{"{key}":[],{}"#, &span("b1", "b0")[1..]);
        decodes_as_the_general_path(&text, None);
    }
    // A Chrome event's keys beside Jaeger's ids: Chrome's, as `detect`
    // says (an event alone is no Chrome file).
    let chrome_keys =
        r#"{"traceID":"a1","spanID":"b1","ts":1,"pid":1,"name":"x","ph":"X","dur":2,"tid":1}"#;
    for text in [format!("[{chrome_keys}]"), chrome_keys.to_string()] {
        let mut ds = Dataset::default();
        let read = decode_bytes(&mut ds, text.as_bytes()).map(|s| s.format);
        assert_ne!(read, Ok(tracescope_core::decode::Format::Jaeger), "{text}");
        decodes_as_the_general_path(&text, None);
    }
}

/// A span that names its process by id and carries one inline too (what
/// Jaeger UI's own model holds, exported) takes the trace's `processes`
/// entry, as the general path does, also when the map comes after the
/// spans; its inline process when the map does not name it.
#[test]
fn a_span_with_a_process_id_and_an_inline_process_takes_the_maps() {
    let spans = r#"[{"traceID":"a1","spanID":"b1","operationName":"x","startTime":1,"duration":5,"processID":"p1","process":{"serviceName":"inline"}},{"traceID":"a1","spanID":"b2","operationName":"y","startTime":2,"duration":1,"processID":"p9","process":{"serviceName":"own"}},{"traceID":"a1","spanID":"b3","operationName":"z","startTime":3,"duration":1,"processID":"p9"}]"#;
    let processes = r#"{"p1":{"serviceName":"mapped"}}"#;
    let objects = [
        format!(r#"{{"traceID":"a1","spans":{spans},"processes":{processes}}}"#),
        format!(r#"{{"traceID":"a1","processes":{processes},"spans":{spans}}}"#),
    ];
    for object in objects {
        for text in [object.clone(), format!(r#"{{"data":[{object}]}}"#)] {
            let (mut a, mut b) = (Dataset::default(), Dataset::default());
            let streamed = decode_bytes(&mut a, text.as_bytes());
            let general =
                tracescope_core::decode::decode_bytes_general(&mut b, text.as_bytes(), &mut |_| {});
            assert_eq!(streamed.as_ref().map(|s| s.streamed), Ok(true), "{text}");
            assert_eq!(unstreamed(&streamed), general, "{text}");
            assert_eq!(spans_as_text(&a), spans_as_text(&b), "{text}");
            let t = &a.traces[0];
            let services: Vec<&str> = (0..t.len()).map(|i| a.str(t.service[i])).collect();
            assert_eq!(services, ["mapped", "own", "unknown_service"], "{text}");
        }
    }
}

/// A span refused in a list that a later key replaces (a scope's `spans`,
/// a resource's `scopeSpans`, a Jaeger trace object's `spans`) is not
/// reported: `JSON.parse` keeps the last list, and the file read again
/// looking ahead reads only that. A span refused in the last list is,
/// with the general path's message.
#[test]
fn a_span_refused_in_a_list_a_later_key_replaces_is_not_reported() {
    let otlp_bad = r#"{"traceId":"01","name":"x"}"#;
    let otlp_good = r#"{"traceId":"01","spanId":"02","name":"y","startTimeUnixNano":"1","endTimeUnixNano":"5"}"#;
    let jaeger_bad = r#"{"spanID":"b1","operationName":"x","startTime":1,"duration":2}"#;
    let jaeger_good =
        r#"{"traceID":"a1","spanID":"b2","operationName":"y","startTime":1,"duration":2}"#;
    let replaced = [
        format!(
            r#"{{"resourceSpans":[{{"resource":{{}},"scopeSpans":[{{"spans":[{otlp_bad}],"spans":[{otlp_good}]}}]}}]}}"#
        ),
        format!(
            r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{otlp_good},{otlp_bad}]}}],"scopeSpans":[{{"spans":[{otlp_good}]}}]}}]}}"#
        ),
        format!(
            r#"{{"data":[{{"traceID":"a1","spans":[{jaeger_bad}],"processes":{{}},"spans":[{jaeger_good}]}}]}}"#
        ),
        format!(
            r#"{{"traceID":"a1","spans":[{jaeger_good},{jaeger_bad}],"spans":[{jaeger_good}]}}"#
        ),
    ];
    for text in &replaced {
        decodes_as_the_general_path(text, Some(true));
    }
    let refused = [
        format!(
            r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{otlp_good}],"spans":[{otlp_bad}]}}]}}]}}"#
        ),
        format!(
            r#"{{"data":[{{"traceID":"a1","spans":[{jaeger_good}],"spans":[{jaeger_bad}]}}]}}"#
        ),
    ];
    for text in &refused {
        let mut ds = Dataset::default();
        let read = decode_bytes(&mut ds, text.as_bytes());
        assert!(
            matches!(read, Err(DecodeError::Shape(_))),
            "{text}: {read:?}"
        );
        decodes_as_the_general_path(text, None);
    }
}

/// A value of JSON Lines (or one with more after it) refused before a key
/// by which `detect` names it another format's is refused as the general
/// path refuses it, as that format's; read so, it may read (the fuzz
/// target found the first, with junk after the value).
#[test]
fn a_line_refused_before_a_key_naming_another_format_reads_as_the_general_path() {
    let refused = r#"{"data":[{"traceID":"a1","spans":[{"traceID":"a1","operationName":"x","startTime":1,"duration":2}]}],"traceEvents":1}"#;
    let chrome = r#"{"data":[{"traceID":"a1","spans":[{"traceID":"a1","operationName":"x","startTime":1,"duration":2}]}],"traceEvents":[{"name":"e","ph":"X","pid":1,"tid":1,"ts":1,"dur":2}]}"#;
    let after = r#"{"traceEvents":[{"name":"f","ph":"X","pid":1,"tid":1,"ts":3,"dur":2}]}"#;
    for text in [
        format!("{refused}\n{after}"),
        format!("{refused}]"),
        format!("{chrome}\n{after}"),
    ] {
        decodes_as_the_general_path(&text, None);
    }
    let mut ds = Dataset::default();
    let read = decode_bytes(&mut ds, format!("{refused}\n{after}").as_bytes());
    assert_eq!(
        read.map(|s| s.spans).map_err(|e| e.to_string()),
        Err("malformed trace: line 1: no `traceEvents` list of events".into())
    );
    let read = decode_bytes(&mut ds, format!("{chrome}\n{after}").as_bytes());
    assert_eq!(read.map(|s| s.spans), Ok(2));
}

/// A Jaeger trace object that is the whole file (the UI's "Trace JSON",
/// proto-JSON's `{spans, processMap}`) is read a span at a time when
/// `detect` would name it Jaeger's: by a `traceID` or by its first span's
/// `operationName` or `spanID`, unless that span's `name` is a Cloud Trace
/// span's. Its process table is `processes` over `processMap`, each
/// repeated key the last, as the general path reads them. A key `detect`
/// looks at before `spans`, or a `traceID` that comes after spans that
/// do not say Jaeger, leaves it to the general path.
#[test]
fn a_bare_jaeger_trace_object_is_streamed() {
    let span = |id: &str, process: &str| {
        format!(
            r#"{{"traceID":"a1","spanID":"{id}","operationName":"x{id}","startTime":1,"duration":2,"processID":"{process}"}}"#
        )
    };
    let proto_span = |id: &str| {
        format!(
            r#"{{"traceId":"AAAAAAAAAAAAAAAAAAAAAQ==","spanId":"{id}","operationName":"p{id}","references":[{{"traceId":"AAAAAAAAAAAAAAAAAAAAAQ==","spanId":"AAAAAAAAAAE="}}],"startTime":"2017-01-26T16:46:31.639875Z","duration":"0.000005s","processId":"p1"}}"#
        )
    };
    let (s1, s2) = (span("b1", "p1"), span("b2", "p2"));
    let processes = r#""processes":{"p1":{"serviceName":"ui"},"p2":{"serviceName":"ui-2"}}"#;
    let process_map = r#""processMap":[{"processId":"p1","process":{"serviceName":"proto","tags":[{"key":"k","vStr":"v"}]}},{"processID":"p2","serviceName":"flat"}]"#;
    let (p1, p2) = (proto_span("AAAAAAAAAAI="), proto_span("AAAAAAAAAAM="));
    let streamed = [
        format!(r#"{{"traceID":"a1","spans":[{s1},{s2}],{processes},"warnings":null}}"#),
        format!(r#"{{{processes},"spans":[{s1},{s2}],"traceID":"a1"}}"#),
        format!(r#"{{"spans":[{p1},{p2}],{process_map}}}"#),
        // Spans that do not say Jaeger's after a `traceID`.
        r#"{"traceID":"a1","spans":[{"traceId":"AQ==","spanId":"b1","startTime":1,"duration":2}]}"#.into(),
        format!(r#"{{{process_map},"spans":[{p1},{s2}]}}"#),
        // Both tables, in either order; a table or the spans repeated.
        format!(r#"{{"spans":[{s1},{s2}],{process_map},{processes}}}"#),
        format!(r#"{{{processes},"spans":[{s1},{s2}],{process_map}}}"#),
        format!(r#"{{{processes},"spans":[{s1}],{processes},"spans":[{s2}]}}"#),
        // A Cloud Trace request: its own reader's.
        r#"{"spans":[{"name":"projects/p/traces/a1/spans/b1","spanId":"b1","operationName":"x","startTime":"2024-05-01T10:00:00Z","endTime":"2024-05-01T10:00:01Z"}]}"#.into(),
    ];
    for text in &streamed {
        decodes_as_the_general_path(text, Some(true));
    }
    let general = [
        format!(r#"{{"projectId":"p","traceID":"a1","spans":[{s1}]}}"#),
        r#"{"spans":[{"traceId":"AQ==","spanId":"b1","startTime":1,"duration":2}],"traceID":"a1"}"#
            .into(),
    ];
    for text in &general {
        decodes_as_the_general_path(text, Some(false));
    }
}

/// An object whose key repeats (the last counts, as in `JSON.parse`, its
/// escapes read), or that holds a list of one format beside a key
/// `detect` names another's by first (even one a reader refused before it
/// met that key), is streamed once written as `detect` sees it: each key
/// once, those keys first. It decodes as the general path does, and a
/// reader that gave up late reads it once more, not the general way
/// (progress: each span counted twice).
#[test]
fn an_object_with_a_key_repeated_or_two_formats_is_streamed() {
    let otlp = |id: &str| {
        format!(
            r#"[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"s{id}"}}}}]}},"scopeSpans":[{{"spans":[{{"traceId":"01","spanId":"{id}","name":"x{id}","startTimeUnixNano":"1","endTimeUnixNano":"5"}}]}}]}}]"#
        )
    };
    let jaeger = |id: &str| {
        format!(
            r#"[{{"traceID":"a1","spans":[{{"traceID":"a1","spanID":"{id}","operationName":"x","startTime":1,"duration":2,"processID":"p1"}}],"processes":{{"p1":{{"serviceName":"s"}}}}}}]"#
        )
    };
    let chrome = r#"[{"name":"a","ph":"X","ts":1,"dur":2,"pid":1,"tid":1},{"name":"b","ph":"X","ts":1,"dur":1,"pid":1,"tid":1}]"#;
    let cases = [
        format!(
            r#"{{"resourceSpans":{},"resourceSpans":{}}}"#,
            otlp("02"),
            otlp("03")
        ),
        format!(
            r#"{{"resourceSpans":[],"x":1,"resourceSpans":{}}}"#,
            otlp("03")
        ),
        format!(
            r#"{{"resourceSpans":{},"resource\u0053pans":{}}}"#,
            otlp("02"),
            otlp("03")
        ),
        format!(r#"{{"data":{},"data":{}}}"#, jaeger("b1"), jaeger("b2")),
        // Tempo's older name beside the newer, in either order: the newer.
        format!(
            r#"{{"resourceSpans":{},"batches":{}}}"#,
            otlp("02"),
            otlp("03")
        ),
        format!(
            r#"{{"batches":{},"resourceSpans":{}}}"#,
            otlp("02"),
            otlp("03")
        ),
        format!(r#"{{"data":{},"traceEvents":{chrome}}}"#, jaeger("b1")),
        format!(
            r#"{{"data":{},"resourceSpans":{}}}"#,
            jaeger("b1"),
            otlp("03")
        ),
        // Jaeger's reader refuses a span before it meets the key that
        // makes the object OTLP's.
        format!(
            r#"{{"data":[{{"traceID":"a1","spans":[{{"spanID":"b1"}}]}}],"resourceSpans":{}}}"#,
            otlp("03")
        ),
        format!(
            r#"{{"displayTimeUnit":"ns","traceEvents":[],"resourceSpans":{},"traceEvents":{chrome}}}"#,
            otlp("03")
        ),
        format!(
            r#"{{"result":{{"resourceSpans":{}}},"data":{}}}"#,
            otlp("02"),
            jaeger("b1")
        ),
        format!(
            r#"{{"batchWriteSpansRequest":[{{"spans":[{{"name":"projects/p/traces/a1/spans/b1","spanId":"b1","startTime":"2024-05-01T10:00:00Z","endTime":"2024-05-01T10:00:01Z"}}]}}],"resourceSpans":{}}}"#,
            otlp("02")
        ),
        // Inside OTLP's wrappers: a list repeated, both names; and the
        // wrapper the general path reads beside one it does not.
        format!(
            r#"{{"result":{{"resourceSpans":{},"resourceSpans":{}}}}}"#,
            otlp("02"),
            otlp("03")
        ),
        format!(
            r#"{{"trace":{{"batches":{},"resourceSpans":{}}}}}"#,
            otlp("02"),
            otlp("03")
        ),
        format!(
            r#"{{"trace":{{"resourceSpans":{}}},"result":{{"resourceSpans":{}}}}}"#,
            otlp("02"),
            otlp("03")
        ),
        format!(
            r#"{{"resourceSpans":{},"trace":{{"resourceSpans":{},"trace":1}}}}"#,
            otlp("02"),
            otlp("03")
        ),
    ];
    for text in &cases {
        decodes_as_the_general_path(text, Some(true));
    }
    // A wrapper with no list: the general path reads it, and refuses the
    // file, however good a list beside it.
    for text in [
        format!(r#"{{"result":{{}},"resourceSpans":{}}}"#, otlp("02")),
        format!(r#"{{"trace":{{"x":1}},"batches":{}}}"#, otlp("02")),
    ] {
        decodes_as_the_general_path(&text, None);
    }
    let text = format!(
        r#"{{"resourceSpans":[{{"resource":{{}},"scopeSpans":[{{"spans":[{0}]}}]}}],"resourceSpans":[{{"resource":{{}},"scopeSpans":[{{"spans":[{0}]}}]}}]}}"#,
        forty_thousand_spans()
    );
    read_twice(
        &text,
        true,
        "the stream's, then the object's as written again",
    );
}

/// Asserts that `text`, of 40,000 spans, is decoded (`streamed` or not)
/// with each span counted twice: two reads, as `reads` says.
fn read_twice(text: &str, streamed: bool, reads: &str) {
    let (_, sum, seen) = decoded_with_progress(text);
    assert_eq!(sum.streamed, streamed);
    assert_eq!(sum.spans, 40_000);
    assert_eq!(seen, [16_384, 32_768, 16_384, 32_768], "{reads}");
}

/// A Jaeger trace object whose `spans` or `processes` repeats (the last
/// counts, as in `JSON.parse`) is streamed: the file is read again looking
/// ahead, each trace object's last `processes` and `spans` read once the
/// object is. Each decodes as the general path decodes it.
#[test]
fn a_jaeger_trace_object_whose_spans_or_processes_repeat_is_streamed() {
    let spans = |id: &str, process: &str| {
        format!(
            r#""spans":[{{"traceID":"a1","spanID":"{id}","operationName":"x{id}","startTime":1,"duration":2,"processID":"{process}"}}]"#
        )
    };
    let processes = |name: &str| {
        format!(
            r#""processes":{{"p1":{{"serviceName":"{name}"}},"p2":{{"serviceName":"{name}-2"}}}}"#
        )
    };
    let cases = [
        format!(
            r#"{{"data":[{{"traceID":"a1",{},{}}}]}}"#,
            spans("b1", "p1"),
            spans("b2", "p2")
        ),
        format!(
            r#"{{"data":[{{{},{},{}}}]}}"#,
            processes("s"),
            spans("b1", "p2"),
            processes("t")
        ),
        format!(
            r#"{{"data":[{{{},{}}},{{{},{},{}}}]}}"#,
            spans("b1", "p1"),
            processes("s"),
            processes("t"),
            spans("b2", "p1"),
            spans("b3", "p2")
        ),
    ];
    for text in &cases {
        decodes_as_the_general_path(text, Some(true));
    }
}

/// 40,000 OTLP spans of one trace, as the items of a list.
fn forty_thousand_spans() -> String {
    let spans: Vec<String> = (0..40_000)
        .map(|i| format!(r#"{{"traceId":"01","spanId":"{:016x}","name":"x","startTimeUnixNano":"{}","endTimeUnixNano":"{}"}}"#, i + 1, 1000 + i, 2000 + i))
        .collect();
    spans.join(",")
}

/// `text` decoded as a file is, and the progress it told.
fn decoded_with_progress(text: &str) -> (Dataset, tracescope_core::DecodeSummary, Vec<usize>) {
    use tracescope_core::decode::decode_bytes_with_progress;
    let mut seen = Vec::new();
    let mut ds = Dataset::default();
    let sum = decode_bytes_with_progress(&mut ds, text.as_bytes(), &mut |n| seen.push(n)).unwrap();
    (ds, sum, seen)
}

/// An OTLP resource after its scopes, or a scope after its spans (keys in
/// any order are the same object), or a key repeated (the last counts, as
/// in `JSON.parse`), is streamed: the file is read again looking ahead,
/// each list skipped, then read once the object is. Each decodes as the
/// general path decodes it.
#[test]
fn an_otlp_resource_or_scope_after_its_spans_is_streamed() {
    let span = |id: u32| {
        format!(
            r#"{{"traceId":"01","spanId":"{id:016x}","name":"x{id}","startTimeUnixNano":"1","endTimeUnixNano":"5"}}"#
        )
    };
    let resource = |name: &str| {
        format!(
            r#""resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"{name}"}}}},{{"key":"host","value":{{"stringValue":"h-{name}"}}}}]}}"#
        )
    };
    let scope = |name: &str| format!(r#""scope":{{"name":"{name}","version":"1"}}"#);
    let (s1, s2, s3) = (span(1), span(2), span(3));
    let (late, early) = (resource("late"), resource("early"));
    let (lib, old) = (scope("lib"), scope("old"));
    let items = [
        // The resource after its scopes; each scope after its spans; both.
        format!(r#"{{"scopeSpans":[{{{lib},"spans":[{s1}]}}],{late}}}"#),
        format!(
            r#"{{{early},"scopeSpans":[{{"spans":[{s1},{s2}],{lib}}},{{"spans":[{s3}],{old}}}]}}"#
        ),
        format!(
            r#"{{"scopeSpans":[{{"spans":[{s1}],{lib}}},{{{old},"spans":[{s2}]}}],"schemaUrl":"x",{late}}}"#
        ),
        // No resource, no scope; an empty list; the older key.
        format!(r#"{{"scopeSpans":[{{"spans":[{s1}]}}]}}"#),
        format!(r#"{{"scopeSpans":[{{"spans":[]}},{{"spans":[{s1}],{old}}}],{late}}}"#),
        format!(
            r#"{{"instrumentationLibrarySpans":[{{"spans":[{s1}],"instrumentationLibrary":{{"name":"il"}}}}],{late}}}"#
        ),
        // Keys repeated: a resource, a scope, a list of scopes or of spans.
        format!(r#"{{{early},"scopeSpans":[{{{lib},"spans":[{s1}]}}],{late}}}"#),
        format!(r#"{{{early},{late},"scopeSpans":[{{{lib},"spans":[{s1}],{old}}}]}}"#),
        format!(
            r#"{{{early},"scopeSpans":[{{{lib},"spans":[{s1}]}}],"scopeSpans":[{{{old},"spans":[{s2},{s3}]}}]}}"#
        ),
        format!(r#"{{{early},"scopeSpans":[{{{lib},"spans":[{s1}],"spans":[{s2}]}}]}}"#),
        // Both names of a list, or of a scope: the newer counts.
        format!(
            r#"{{{early},"scopeSpans":[{{{lib},"spans":[{s1}]}}],"instrumentationLibrarySpans":[{{"spans":[{s2}]}}]}}"#
        ),
        format!(
            r#"{{"instrumentationLibrarySpans":[{{"spans":[{s2}]}}],{early},"scopeSpans":[{{{lib},"spans":[{s1}]}}]}}"#
        ),
        format!(
            r#"{{{early},"scopeSpans":[{{"instrumentationLibrary":{{"name":"il"}},{lib},"spans":[{s1}]}}]}}"#
        ),
    ];
    for item in &items {
        // Alone, and after a resource of the usual order.
        let other = format!(
            r#"{{{early},"scopeSpans":[{{{lib},"spans":[{}]}}]}}"#,
            span(9)
        );
        for text in [
            format!(r#"{{"resourceSpans":[{item}]}}"#),
            format!(r#"{{"resourceSpans":[{other},{item},{other}]}}"#),
        ] {
            decodes_as_the_general_path(&text, Some(true));
        }
    }
}

/// A resource after its 40,000 spans: they are read as they come, then
/// again looking ahead (progress counts each twice), not a third time by
/// the general path.
#[test]
fn a_file_with_a_resource_after_its_spans_is_read_twice() {
    let text = format!(
        r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{}]}}],"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"svc"}}}}]}}}}]}}"#,
        forty_thousand_spans()
    );
    let (ds, sum, seen) = decoded_with_progress(&text);
    assert!(sum.streamed);
    assert_eq!((sum.spans, ds.resources.len()), (40_000, 1));
    assert_eq!(ds.str(ds.resources[0].service), "svc");
    assert_eq!(seen, [16_384, 32_768, 16_384, 32_768]);
}

/// Decodes `text` as a file is (streamed, when `streams` says so) and the
/// general way: the same result, spans, tables and resources.
fn decodes_as_the_general_path(text: &str, streams: Option<bool>) {
    use tracescope_core::decode::decode_bytes_general;
    let (mut a, mut b) = (Dataset::default(), Dataset::default());
    let ra = decode_bytes(&mut a, text.as_bytes());
    let rb = decode_bytes_general(&mut b, text.as_bytes(), &mut |_| {});
    if let Some(streams) = streams {
        assert_eq!(ra.as_ref().map(|s| s.streamed), Ok(streams), "{text}");
    }
    assert_eq!(unstreamed(&ra), rb, "{text}");
    assert_eq!(spans_as_text(&a), spans_as_text(&b), "{text}");
    assert_eq!(a.lengths(), b.lengths(), "{text}");
    assert_eq!(resources_as_text(&a), resources_as_text(&b), "{text}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Any object of keys that name formats, repeated and in any order
    /// (written again as `detect` sees it, or left to the general path),
    /// decodes exactly as the general path decodes it.
    #[test]
    fn an_object_of_any_keys_decodes_as_the_general_path(
        picks in proptest::collection::vec(0..OBJECT_ENTRIES.len(), 1..7)
    ) {
        decodes_as_the_general_path(&object_of(&OBJECT_ENTRIES, &picks, 0), None);
    }

    /// Jaeger trace objects whose `spans` and `processes` repeat, in any
    /// order (read again looking ahead, or left to the general path),
    /// decode exactly as the general path decodes them.
    #[test]
    fn jaeger_trace_objects_of_any_keys_decode_as_the_general_path(
        first in proptest::collection::vec(0..TRACE_OBJECT_ENTRIES.len(), 1..6),
        second in proptest::collection::vec(0..TRACE_OBJECT_ENTRIES.len(), 0..6),
    ) {
        let mut objects = vec![object_of(&TRACE_OBJECT_ENTRIES, &first, 0)];
        if !second.is_empty() {
            objects.push(object_of(&TRACE_OBJECT_ENTRIES, &second, first.len()));
        }
        decodes_as_the_general_path(&format!(r#"{{"data":[{}]}}"#, objects.join(",")), None);
    }

    /// A trace object of any keys that is the whole file (streamed when
    /// `detect` names it Jaeger's, or by another format's reader, or left
    /// to the general path) decodes exactly as the general path decodes it.
    #[test]
    fn a_bare_trace_object_of_any_keys_decodes_as_the_general_path(
        picks in proptest::collection::vec(0..TRACE_OBJECT_ENTRIES.len(), 1..7),
    ) {
        decodes_as_the_general_path(&object_of(&TRACE_OBJECT_ENTRIES, &picks, 0), None);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// JSON Lines of one object each, spans alone of any format (mostly
    /// readable ones) or objects `detect` names otherwise first or refuses
    /// (each judged by its keys once, the reader of that format first),
    /// decode exactly as the general path decodes them.
    #[test]
    fn lines_of_spans_alone_of_any_format_decode_as_the_general_path(
        picks in proptest::collection::vec(
            proptest::prop_oneof![5 => 0..READABLE_ALONE, 1 => READABLE_ALONE..SPANS_ALONE.len()],
            1..7,
        ),
    ) {
        let lines: Vec<String> = picks
            .iter()
            .enumerate()
            .map(|(n, &i)| SPANS_ALONE[i].replace('@', &format!("{:02x}", n + 1)))
            .collect();
        let text = lines.join("\n");
        decodes_as_the_general_path(&text, None);
        // Each line's resources, made from it alone, are the file's (a
        // process is not taken for another's across lines).
        let mut file = Dataset::default();
        if decode_bytes(&mut file, text.as_bytes()).is_ok() {
            let mut each = std::collections::BTreeSet::new();
            for line in &lines {
                let mut ds = Dataset::default();
                if decode_bytes(&mut ds, line.as_bytes()).is_ok() {
                    each.extend(resources_as_text(&ds));
                }
            }
            let whole: std::collections::BTreeSet<_> = resources_as_text(&file).into_iter().collect();
            proptest::prop_assert_eq!(whole, each, "{}", text);
        }
    }
}

/// How many of [`SPANS_ALONE`] (the first) a file of that one line reads.
const READABLE_ALONE: usize = 6;

/// Objects a line of JSON Lines may hold, `@` a span's id: spans alone of
/// each format `detect::span_like` names, and objects with keys by which
/// `detect` names them first, or that it refuses.
const SPANS_ALONE: [&str; 12] = [
    r#"{"traceID":"a1","spanID":"@","operationName":"x","startTime":1,"duration":2,"process":{"serviceName":"s","tags":[{"key":"h","type":"string","value":"v"}]}}"#,
    r#"{"traceID":"a1","spanID":"@","operationName":"y","startTime":2,"duration":1,"references":[{"refType":"CHILD_OF","traceID":"a1","spanID":"01"}],"process":{"serviceName":"s","tags":[{"key":"h","type":"string","value":"w"}]}}"#,
    r#"{"traceId":"AAAAAAAAAAAAAAAAAAAAAQ==","spanId":"AAAAAAAAA@=","operationName":"p","startTime":"2017-01-26T16:46:31.639875Z","duration":"0.000005s","process":{"serviceName":"proto"}}"#,
    r#"{"traceId":"a2","id":"@","name":"z","timestamp":1,"duration":2,"localEndpoint":{"serviceName":"zs"}}"#,
    r#"{"trace_id":"1-5759e988-bd862e3fe1be46a994272793","id":"70de5b6f19ff9a@","name":"xr","start_time":1.0,"end_time":2.0}"#,
    r#"{"traceID":"a1","spanID":"@","operationName":"x","startTime":1,"duration":2,"traces":[]}"#,
    r#"{"traceID":"a1","operationName":"no id","startTime":1,"duration":2}"#,
    r#"{"trace_id":1,"span_id":1@,"parent_id":0,"service":"dd","name":"n","resource":"r","start":1,"duration":2}"#,
    r#"{"name":"c@","ph":"X","ts":1,"dur":2,"pid":1,"tid":1}"#,
    r#"{"traceID":"a1","spanID":"@","ts":1,"pid":1,"name":"x","ph":"X","dur":2,"tid":1}"#,
    r#"{"tagNames":[],"traceID":"a1","spanID":"@","operationName":"x","startTime":1,"duration":2}"#,
    r#"{"format":"json","version":1}"#,
];

/// An object of `entries` picked by `picks`, each `@` in the `n`th made
/// `from + n + 1` in hex (a span's id, a service's name).
fn object_of(entries: &[(&str, &str)], picks: &[usize], from: usize) -> String {
    let entries: Vec<String> = picks
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let (key, value) = entries[i];
            format!(
                r#""{key}":{}"#,
                value.replace('@', &format!("{:02x}", from + n + 1))
            )
        })
        .collect();
    format!("{{{}}}", entries.join(","))
}

/// Entries of a Jaeger trace object, `@` a span's id or a service's name.
const TRACE_OBJECT_ENTRIES: [(&str, &str); 15] = [
    ("traceID", r#""a1""#),
    (
        "spans",
        r#"[{"traceID":"a1","spanID":"1@","operationName":"x","startTime":1,"duration":2,"processID":"p1"},{"traceID":"a1","spanID":"2@","operationName":"y","startTime":2,"duration":1,"processID":"p2","references":[{"refType":"CHILD_OF","traceID":"a1","spanID":"1@"}]}]"#,
    ),
    (
        "spans",
        r#"[{"traceID":"a1","spanID":"3@","operationName":"z","startTime":1,"duration":4,"processID":"p3"}]"#,
    ),
    ("spans", "[]"),
    (
        "processes",
        r#"{"p1":{"serviceName":"s@"},"p2":{"serviceName":"t@","tags":[{"key":"host","type":"string","value":"h@"}]}}"#,
    ),
    (
        "processes",
        r#"{"p3":{"serviceName":"u@"},"p1":{"serviceName":"v@"}}"#,
    ),
    ("processes", "{}"),
    ("warnings", "null"),
    ("processMap", r#"[{"processID":"p1","serviceName":"m@"}]"#),
    (
        "processMap",
        r#"[{"processId":"p2","process":{"serviceName":"q@","tags":[{"key":"k","vStr":"@"}]}},{"processID":"p3"}]"#,
    ),
    ("processes", "null"),
    // What else `detect` reads of a top object: Cloud Trace's keys and spans.
    ("projectId", r#""p""#),
    ("traceId", r#""a1""#),
    (
        "spans",
        r#"[{"name":"projects/p/traces/a1/spans/b@","spanId":"b@","startTime":"2024-05-01T10:00:00Z","endTime":"2024-05-01T10:00:01Z"}]"#,
    ),
    // Proto-JSON, no `operationName`: Jaeger's by a `traceID` only.
    (
        "spans",
        r#"[{"traceId":"AQ==","spanId":"c@","startTime":"2024-05-01T10:00:00Z","duration":"5ns","processId":"p2"}]"#,
    ),
];

/// Top-level entries of the formats' objects, `@` a span's id.
const OBJECT_ENTRIES: [(&str, &str); 19] = [
    (
        "resourceSpans",
        r#"[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"s@"}}]},"scopeSpans":[{"spans":[{"traceId":"01","spanId":"@","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"5"}]}]}]"#,
    ),
    ("resourceSpans", "[]"),
    (
        r"resource\u0053pans",
        r#"[{"resource":{},"scopeSpans":[{"spans":[{"traceId":"01","spanId":"@","name":"y","startTimeUnixNano":"2","endTimeUnixNano":"3"}]}]}]"#,
    ),
    (
        "batches",
        r#"[{"resource":{},"scopeSpans":[{"spans":[{"traceId":"02","spanId":"@","name":"b","startTimeUnixNano":"1","endTimeUnixNano":"5"}]}]}]"#,
    ),
    (
        "result",
        r#"{"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":[{"traceId":"03","spanId":"@","name":"r","startTimeUnixNano":"1","endTimeUnixNano":"5"}]}]}]}"#,
    ),
    (
        "trace",
        r#"{"batches":[{"resource":{},"scopeSpans":[{"spans":[{"traceId":"04","spanId":"@","name":"t","startTimeUnixNano":"1","endTimeUnixNano":"5"}]}]}]}"#,
    ),
    (
        "data",
        r#"[{"traceID":"a1","spans":[{"traceID":"a1","spanID":"@","operationName":"x","startTime":1,"duration":2,"processID":"p1"}],"processes":{"p1":{"serviceName":"s"}}}]"#,
    ),
    ("data", "[]"),
    (
        "traceEvents",
        r#"[{"name":"a@","ph":"X","ts":1,"dur":2,"pid":1,"tid":1}]"#,
    ),
    ("traceEvents", "[]"),
    ("displayTimeUnit", r#""ns""#),
    (
        "spans",
        r#"[{"traceID":"a1","spanID":"@","operationName":"x","startTime":1,"duration":2}]"#,
    ),
    (
        "batchWriteSpansRequest",
        r#"[{"spans":[{"name":"projects/p/traces/a1/spans/b@","spanId":"b@","startTime":"2024-05-01T10:00:00Z","endTime":"2024-05-01T10:00:01Z"}]}]"#,
    ),
    ("x", "1"),
    // OTLP's wrappers: with no list, or with lists repeated and both names.
    ("result", "{}"),
    ("trace", r#"{"x":1}"#),
    (
        "trace",
        r#"{"batches":[{"resource":{},"scopeSpans":[{"spans":[{"traceId":"05","spanId":"@","name":"tb","startTimeUnixNano":"1","endTimeUnixNano":"5"}]}]}],"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":[{"traceId":"05","spanId":"@","name":"tr","startTimeUnixNano":"1","endTimeUnixNano":"5"}]}]}],"result":1}"#,
    ),
    // Refused: a Jaeger span without its trace's id, an OTLP span without its own.
    (
        "data",
        r#"[{"traceID":"a1","spans":[{"spanID":"@","operationName":"x","startTime":1,"duration":2}]}]"#,
    ),
    (
        "resourceSpans",
        r#"[{"resource":{},"scopeSpans":[{"spans":[{"traceId":"01","name":"@"}]}]}]"#,
    ),
];

/// Files that only look streamable at their first bytes (another format's
/// list, a key repeated, an unknown key first) still decode, the general
/// way, to the same result.
#[test]
fn shapes_the_streams_leave_to_the_general_path() {
    let cases = [
        // Chrome trace events are a list too.
        r#"[{"name":"a","ph":"X","ts":1,"dur":2,"pid":1,"tid":1}]"#,
        // Zipkin v1 and v2 spans in one list of lists.
        r#"[[{"traceId":"a1","id":"b1","name":"get","timestamp":10,"duration":5,"localEndpoint":{"serviceName":"web"}}],[{"traceId":"a1","id":"b2","parentId":"b1","name":"q","annotations":[{"timestamp":11,"value":"cs","endpoint":{"serviceName":"web"}},{"timestamp":13,"value":"cr","endpoint":{"serviceName":"web"}}]}]]"#,
        // A Zipkin span without an id after a good one: refused, as in general.
        r#"[{"traceId":"a1","id":"b1","name":"get","timestamp":10,"duration":5},{"traceId":"a1"}]"#,
        // An OTLP span without a spanId.
        r#"{"result":{"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":[{"traceId":"01"}]}]}]}}"#,
        // Datadog spans after a null; beside a key of no Datadog payload.
        r#"[null,[{"trace_id":1,"span_id":2,"name":"op","start":1,"duration":2}]]"#,
        r#"{"traces":[[{"trace_id":1,"span_id":2,"name":"op","start":1,"duration":2}]],"x":1}"#,
        // One X-Ray document (read an entity at a time); documents listed.
        r#"{"trace_id":"1-5f84c7a5-a1","id":"b1","name":"svc","start_time":1.0,"end_time":2.0,"subsegments":[{"id":"c1","name":"db","start_time":1.1,"end_time":1.5}]}"#,
        r#"[{"trace_id":"1-5f84c7a5-a1","id":"b1","name":"svc","start_time":1.0,"end_time":2.0},{"trace_id":"1-5f84c7a5-a1","id":"b2","parent_id":"b1","name":"svc","start_time":1.2,"end_time":1.4}]"#,
        // Cloud Trace v2 spans beside a key another format is named by;
        // Jaeger's spans beside v1 traces.
        r#"{"batchWriteSpansRequest":[{"spans":[{"name":"projects/p/traces/a1/spans/b1","spanId":"b1","startTime":"2024-05-01T10:00:00Z","endTime":"2024-05-01T10:00:01Z"}]}],"resourceSpans":[]}"#,
        r#"{"spans":[{"traceID":"a1","spanID":"b1","operationName":"x","startTime":1,"duration":2}],"traces":[{"projectId":"p"}]}"#,
        // Jaeger's `data` beside Chrome's events (`detect`: Chrome's).
        r#"{"data":[{"traceID":"a1","spans":[{"traceID":"a1","spanID":"b1","operationName":"x","startTime":1,"duration":2,"processID":"p1"}],"processes":{"p1":{"serviceName":"s"}}}],"traceEvents":[{"name":"a","ph":"X","ts":1,"dur":2,"pid":1,"tid":1}]}"#,
        r#"{"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"5"}]}]}],"traceEvents":[{"name":"a","ph":"X","ts":1,"dur":2,"pid":1,"tid":1}]}"#,
        // JSON Lines: formats mixed, a line refused (its line named), an
        // OTLP resource repeated after its spans, or after its spans on a
        // later line (the whole file the general way), Datadog lines.
        concat!(
            r#"{"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"5"}]}]}]}"#,
            "\n",
            r#"[{"traceId":"a1","id":"b1","name":"get","timestamp":10,"duration":5}]"#
        ),
        concat!(
            r#"{"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"5"}]}]}]}"#,
            "\n",
            r#"{"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":[{"traceId":"01"}]}]}]}"#
        ),
        concat!(
            r#"{"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":[{"traceId":"01"}]}]}]}"#,
            "\n",
            r#"{"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"5"}]}]}]}"#
        ),
        concat!(
            r#"{"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"5"}]}]}]}"#,
            "\n",
            r#"{"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":[{"traceId":"01","spanId":"03","name":"y","startTimeUnixNano":"1","endTimeUnixNano":"5"}]}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late"}}]}}]}"#
        ),
        concat!(
            r#"{"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"5"}]}]}]}"#,
            "\n",
            r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"03","name":"y","startTimeUnixNano":"1","endTimeUnixNano":"5"}]}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late"}}]}}]}"#
        ),
        concat!(
            r#"[[{"trace_id":1,"span_id":2,"name":"op","service":"web","start":1,"duration":2}]]"#,
            "\n",
            r#"[[{"trace_id":1,"span_id":3,"parent_id":2,"name":"op","service":"db","start":1,"duration":1}]]"#
        ),
    ];
    for text in cases {
        decodes_as_the_general_path(text, None);
    }
}

/// A streamed Jaeger trace's `processes` map is read in place, not through
/// a JSON tree: it gives what the general path gives, repeated ids (first
/// place, last value), odd processes and maps before or after the spans
/// included; a table that is no object (a list, as proto-JSON's
/// `processMap`) is small and read as a tree, as the general path reads it.
#[test]
fn process_maps_read_in_place_decode_as_the_general_path() {
    let spans = r#""spans":[{"traceID":"a1","spanID":"b1","operationName":"x","startTime":1,"duration":2,"processID":"p1"},{"traceID":"a1","spanID":"b2","operationName":"y","startTime":2,"duration":1,"processID":"p2","references":[{"refType":"CHILD_OF","traceID":"a1","spanID":"b1"}]},{"traceID":"a1","spanID":"b3","operationName":"z","startTime":2,"duration":1,"processID":"p3"}]"#;
    let maps = [
        // A repeated id: its first place, its last value.
        r#"{"p1":{"serviceName":"first"},"p2":{"serviceName":"b","tags":[{"key":"host","type":"string","value":"h2"}]},"p1":{"serviceName":"last","tags":[{"key":"n","type":"int64","value":7},{"key":"ok","type":"bool","value":true}]}}"#,
        // Not an object, no service, an empty service, unknown fields.
        r#"{"p1":5,"p2":{"tags":[{"key":"k","value":"v"}]},"p3":{"serviceName":"","x":[1,{"y":2}]}}"#,
        r#"{}"#,
        r#"{"p3":{"serviceName":"c","tags":"no list"},"p2":{"serviceName":"b"},"p1":{"serviceName":"a"}}"#,
    ];
    let mut files = Vec::new();
    for m in maps {
        files.push((
            format!(r#"{{"data":[{{"traceID":"a1",{spans},"processes":{m}}}]}}"#),
            true,
        ));
        files.push((
            format!(r#"{{"data":[{{"traceID":"a1","processes":{m},{spans}}}]}}"#),
            true,
        ));
    }
    for table in [
        "[]",
        "null",
        r#"[{"processID":"p2","serviceName":"listed"}]"#,
    ] {
        files.push((
            format!(r#"{{"data":[{{"traceID":"a1",{spans},"processes":{table}}}]}}"#),
            true,
        ));
    }
    for (text, streams) in &files {
        decodes_as_the_general_path(text, Some(*streams));
    }
}

/// A streamed OTLP resource and scope are read in place too: odd
/// attributes, services and scopes give what the general path gives.
#[test]
fn otlp_resources_read_in_place_decode_as_the_general_path() {
    let span = r#"{"traceId":"0a","spanId":"0b","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"5"}"#;
    let resources = [
        r#"{"attributes":[{"key":"service.name","value":{"stringValue":"a"}},{"key":"host","value":{"intValue":"3"}}]}"#,
        // The first service.name counts, even when it is no string or empty.
        r#"{"attributes":[{"key":"service.name","value":{"intValue":"7"}},{"key":"service.name","value":{"stringValue":"b"}}]}"#,
        r#"{"attributes":[{"key":"service.name","value":{"stringValue":""}},5,{"value":{"stringValue":"v"}},{"key":"k","key":"service.name","value":{"stringValue":"c"}}]}"#,
        r#"{"attributes":{"key":"service.name"}}"#,
        r#""no object""#,
        r#"{}"#,
    ];
    let scopes = [
        r#""scope":{"name":"lib","version":"1.2"}"#,
        r#""scope":{"name":"","version":3}"#,
        r#""instrumentationLibrary":{"name":"old"}"#,
        r#""scope":[1]"#,
    ];
    let mut files = Vec::new();
    for res in resources {
        for sc in scopes {
            files.push(format!(
                r#"{{"resourceSpans":[{{"resource":{res},"scopeSpans":[{{{sc},"spans":[{span}]}},{{{sc}}}]}},{{"resource":{res}}}]}}"#
            ));
        }
    }
    for text in &files {
        decodes_as_the_general_path(text, Some(true));
    }
    // What both give, as the general path gave it before either changed.
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, files[0].as_bytes()).unwrap();
    assert_eq!(
        resources_as_text(&ds)[0],
        r#"a ["service.name=s:a", "host=i:3", "otel.scope.name=s:lib", "otel.scope.version=s:1.2"]"#
    );
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, files[scopes.len()].as_bytes()).unwrap();
    assert_eq!(ds.str(ds.resources[0].service), "unknown_service");
}

/// Each resource: its service and attributes.
fn resources_as_text(ds: &Dataset) -> Vec<String> {
    ds.resources
        .iter()
        .map(|r| {
            let attrs = model_text::attrs(ds, ds.attrs(r.attrs));
            format!("{} {attrs:?}", ds.str(r.service))
        })
        .collect()
}

/// A result as the general path gives it (which says it was not streamed).
fn unstreamed(
    r: &Result<tracescope_core::DecodeSummary, tracescope_core::DecodeError>,
) -> Result<tracescope_core::DecodeSummary, tracescope_core::DecodeError> {
    r.clone().map(|s| tracescope_core::DecodeSummary {
        streamed: false,
        ..s
    })
}

/// Every span with everything it refers to, spelled out (no string ids;
/// `model_text::span`, what links are checked with too).
fn spans_as_text(ds: &Dataset) -> Vec<String> {
    trace_as_text(ds, &ds.traces)
}

fn trace_as_text(ds: &Dataset, traces: &[Box<tracescope_core::Trace>]) -> Vec<String> {
    let mut out = Vec::new();
    for t in traces {
        // String ids depend on the order of interning: services by name.
        let tree = &t.tree;
        let mut services: Vec<&str> = tree.services().iter().map(|&s| ds.str(s)).collect();
        services.sort();
        out.push(format!(
            "trace {} {:?} {:?} {:?} {:?} {:?} {:?} {} {} {services:?}",
            ds.trace_id(t),
            t.warnings(),
            tree.parent(),
            tree.depth(),
            tree.subtree_size(),
            tree.child_start(),
            tree.order,
            tree.max_depth,
            tree.errors,
        ));
        out.extend((0..t.len()).map(|i| model_text::span(ds, t, i, None)));
    }
    out
}

#[test]
fn a_trace_longer_than_a_piece_of_a_column_crosses_whole_in_small_parts() {
    // A chain: every span the parent of the next (columns of 300k values go
    // in pieces; the receiver appends them).
    let n = 300_000usize;
    let parents: Vec<Option<usize>> = (0..n).map(|i| i.checked_sub(1)).collect();
    let starts: Vec<i64> = (0..n as i64).map(|i| 1_000 * i).collect();
    let durs: Vec<i64> = (0..n as i64).map(|i| 5_000_000 - i).collect();
    let mut t = tracescope_core::synth::trace_with(&parents, &starts, &durs);
    t.trace_id = Some(tracescope_core::model::IdKey::num(7));
    let mut ds = Dataset::default();
    ds.resources.push(tracescope_core::model::Resource {
        service: Default::default(),
        attrs: Default::default(),
    });
    ds.traces.push(Box::new(t));
    // Both sides start with the empty string.
    let parts = encode(&ds, 1, 0..1);
    let biggest = parts.iter().map(Vec::len).max().unwrap();
    assert!(
        parts.len() > 4 && biggest <= 7 << 20,
        "{} parts, {biggest} bytes",
        parts.len()
    );
    let mut page = Dataset::default();
    let mut rx = Receiver::new();
    let range = parts
        .iter()
        .find_map(|p| rx.part(&mut page, p).unwrap())
        .unwrap();
    // Its identity told once, with its whole length.
    assert_eq!(rx.take_arrived(), [ds.traces[0].fingerprint()]);
    assert!(rx.take_arrived().is_empty());
    let (a, b) = (&page.traces[range.start], &ds.traces[0]);
    assert_eq!(a.start_ns, b.start_ns);
    assert_eq!(a.parent_key, b.parent_key);
    assert_eq!(a.tree.preorder(), b.tree.preorder());
    assert_eq!(a.tree.depth(), b.tree.depth());
    assert_eq!(a.tree.max_depth, n as u32 - 1);
    assert_eq!(a.bounds(), b.bounds());
}

#[test]
fn a_trace_longer_than_the_room_its_count_makes_still_arrives_whole() {
    // The receiver makes room for a trace's spans from the count its first
    // column gives, never past a sane amount (8M spans): a longer trace's
    // later pieces need more room as they come. Told one span here, a trace
    // of 70,000 (two pieces a column) arrives whole.
    let n = 70_000usize;
    let parents: Vec<Option<usize>> = (0..n).map(|i| i.checked_sub(1)).collect();
    let t = tracescope_core::synth::trace_with(&parents, &[1, 2], &[5, 3]);
    let mut ds = Dataset::default();
    ds.resources.push(tracescope_core::model::Resource {
        service: Default::default(),
        attrs: Default::default(),
    });
    ds.traces.push(Box::new(t));
    let mut parts = encode(&ds, 1, 0..1);
    let count = (n as u64).to_le_bytes();
    let first_columns = parts.iter_mut().find(|p| p[4] == b'C').unwrap();
    let at = first_columns
        .windows(8)
        .position(|w| w == count)
        .expect("the trace's span count");
    first_columns[at..at + 8].copy_from_slice(&1u64.to_le_bytes());
    let mut page = Dataset::default();
    let mut rx = Receiver::new();
    let range = parts
        .iter()
        .find_map(|p| rx.part(&mut page, p).unwrap())
        .unwrap();
    let (a, b) = (&page.traces[range.start], &ds.traces[0]);
    assert_eq!(a.len(), n);
    assert_eq!(a.parent_key, b.parent_key);
    assert_eq!(a.tree.preorder(), b.tree.preorder());
}

/// The worker sends the strings and arenas while it builds the trees: they
/// must be complete by then, and nothing may fail afterwards.
#[test]
fn the_tables_are_handed_over_complete_before_the_trees_are_built() {
    let tables = |d: &Dataset| {
        let n = (d.strings.len(), d.attrs.len(), d.events.len());
        (n, d.links.len(), d.resources.len(), d.traces.len())
    };
    let (mut handed, mut refused) = (0, 0);
    for f in corpus_files() {
        let bytes = std::fs::read(corpus_dir().join(&f)).unwrap();
        let mut ds = Dataset::default();
        let mut seen = Vec::new();
        let r =
            tracescope_core::decode::decode_bytes_staged(&mut ds, &bytes, &mut |_| {}, &mut |d| {
                seen.push(tables(d))
            });
        match r {
            Ok(sum) => {
                handed += 1;
                let ((s, a, e), l, res, _) = tables(&ds);
                assert_eq!(seen, vec![((s, a, e), l, res, sum.traces.start)], "{f}");
            }
            Err(_) => {
                refused += 1;
                assert!(seen.is_empty(), "{f}: tables handed over before an error");
            }
        }
    }
    assert!(
        handed > 20 && refused > 0,
        "{handed} decoded, {refused} refused"
    );
}

#[test]
fn one_trace_handed_to_the_worker_arrives_whole_with_only_what_it_points_at() {
    // (Each trace held replaces the one before.)
    // Every corpus file in one dataset, so traces sit among others' arenas.
    let mut page = Dataset::default();
    for f in corpus_files() {
        let _ = decode_bytes(&mut page, &std::fs::read(corpus_dir().join(f)).unwrap());
    }
    let mut worker = Decoder::default();
    worker.sync(&encode_strings(&page, 1)).unwrap();
    let (mut events, mut links, mut resource_attrs) = (0, 0, 0);
    for (i, t) in page.traces.iter().enumerate() {
        let mut parts = Vec::new();
        encode_trace(&page, i, &mut |p| parts.push(p));
        assert_eq!(worker.hold(&parts), Ok(0..1));
        let ds = worker.held();
        let sizes = (ds.attrs.len(), ds.events.len(), ds.links.len());
        let text = trace_as_text(ds, &ds.traces);
        let id = page.trace_id(t);
        assert_eq!(
            text,
            trace_as_text(&page, std::slice::from_ref(t)),
            "trace {id}"
        );
        // Only its own entries went: no more than it points at.
        let own = |r: &mut dyn Iterator<Item = usize>| r.sum::<usize>();
        let own_events = own(&mut t.events.iter().map(|r| r.len()));
        let own_links = own(&mut t.links.iter().map(|r| r.len()));
        assert_eq!((sizes.1, sizes.2), (own_events, own_links), "trace {id}");
        assert!(sizes.0 < page.attrs.len() || page.traces.len() == 1);
        events += own_events;
        links += own_links;
        resource_attrs += t
            .resource
            .iter()
            .map(|&r| page.resources[r as usize].attrs.len())
            .sum::<usize>();
        assert_eq!(worker.strings(), page.strings.len());
    }
    assert!(
        events > 0 && links > 0 && resource_attrs > 0,
        "{events} {links} {resource_attrs}"
    );
}

#[test]
fn a_trace_handed_over_step_by_step_carries_the_strings_the_worker_lacks() {
    use tracescope_core::wire::{Delta, TraceAlone};
    let mut page = Dataset::default();
    for f in corpus_files().iter().take(30) {
        let _ = decode_bytes(&mut page, &std::fs::read(corpus_dir().join(f)).unwrap());
    }
    let mut worker = Decoder::default();
    // The worker has a third of the strings; the delta brings the rest.
    let synced = page.strings.len() / 3;
    worker.sync(&encode_strings_range(&page, synced)).unwrap();
    let mut expected = Vec::new();
    for (i, t) in page.traces.iter().enumerate() {
        expected.clear();
        encode_trace(&page, i, &mut |p| expected.push(p));
        let mut alone = TraceAlone::new(i);
        let mut steps = 1;
        while !alone.step(&page, 3) {
            steps += 1;
        }
        assert!(steps > t.len() / 3, "{steps} steps for {} spans", t.len());
        let mut delta = Delta::new(worker.strings()..page.strings.len(), 0..1);
        let mut parts = Vec::new();
        while let Some(p) = delta.next_part(&page, alone.tables()) {
            parts.push(p);
        }
        worker.hold(&parts).unwrap();
        let text = trace_as_text(worker.held(), &worker.held().traces);
        assert_eq!(text, trace_as_text(&page, std::slice::from_ref(t)));
        assert_eq!(worker.strings(), page.strings.len());
        // Once the strings are in, the same parts as all at once.
        let mut delta = Delta::new(page.strings.len()..page.strings.len(), 0..1);
        let mut again = Vec::new();
        while let Some(p) = delta.next_part(&page, alone.tables()) {
            again.push(p);
        }
        assert!(again == expected, "trace {i}");
    }
    // A file decoded next goes without the trace held.
    let mut fresh = Decoder::default();
    fresh.sync(&encode_strings(&page, 1)).unwrap();
    let bytes = std::fs::read(corpus_dir().join(&corpus_files()[0])).unwrap();
    let after_hold = worker.decode(&bytes, &mut |_| {}).unwrap().1;
    assert!(after_hold == fresh.decode(&bytes, &mut |_| {}).unwrap().1);
}

/// The page's strings up to `to` for a worker that has only "".
fn encode_strings_range(ds: &Dataset, to: usize) -> Vec<u8> {
    let mut part = Dataset::default();
    for i in 1..to {
        part.strings
            .push_new(ds.str(tracescope_core::model::StrId(i as u32)));
    }
    encode_strings(&part, 1)
}

#[test]
fn many_traces_arrive_in_room_made_once_for_them() {
    // 5,000 one-span traces, as a file of many small traces is: the page
    // is told how many come before their columns, so its list of traces
    // is never grown by doubling (each doubling copied every trace so far:
    // at a million, hundreds of MB in one task); and each part brings a
    // few thousand traces at most, however few bytes they are (each is
    // ~25 allocations on the page).
    let n: usize = 5000;
    let spans: Vec<serde_json::Value> = (0..n)
        .map(|k| {
            serde_json::json!({"traceID": format!("{k:x}"), "spans": [{"traceID": format!("{k:x}"), "spanID": "a1",
                "operationName": "op", "startTime": 1_700_000_000_000_000i64 + k as i64, "duration": 5, "references": [],
                "processID": "p1"}], "processes": {"p1": {"serviceName": "svc"}}})
        })
        .collect();
    let bytes = serde_json::json!({ "data": spans }).to_string();
    let mut worker = Decoder::default();
    let mut page = Dataset::default();
    let mut rx = Receiver::new();
    let (mut applied, mut column_parts) = (None, 0);
    worker
        .decode_each(bytes.as_bytes(), &mut |_| {}, &mut |part| {
            column_parts += usize::from(part[4] == b'C');
            applied = rx.part(&mut page, &part).unwrap().or(applied.take());
        })
        .unwrap();
    assert_eq!(applied, Some(0..n));
    assert_eq!(page.traces.capacity(), n);
    assert!(column_parts >= 3, "{column_parts} parts of columns");
    let told = rx.take_arrived();
    assert_eq!(told.len(), n);
    assert!(told
        .iter()
        .zip(&page.traces)
        .all(|(&k, t)| k == t.fingerprint()));
    // Each trace holds no room past its values: a column grown from empty
    // has room for at least 4, and a million one-span traces held four
    // times their columns' bytes.
    for t in &page.traces {
        // None at all for a one-span trace's children: it has none.
        let rooms = [t.room() - t.len(), t.tree.spare()];
        assert_eq!(rooms, [0; 2], "{:?}", t.identity());
    }
}

#[test]
fn a_column_pointing_past_is_refused_with_the_part_that_completes_it() {
    // A 300k-span trace crosses in many parts; a service past the strings
    // in its last span is refused with the part that completes the service
    // column, long before the last part (where all was once checked at
    // once, a task of ~30 ms at a million spans).
    let n = 300_000usize;
    let parents: Vec<Option<usize>> = (0..n).map(|i| i.checked_sub(1)).collect();
    let starts: Vec<i64> = (0..n as i64).collect();
    let mut t = tracescope_core::synth::trace_with(&parents, &starts, &vec![1; n]);
    t.service[n - 1] = tracescope_core::model::StrId(7);
    let mut ds = Dataset::default();
    ds.resources.push(tracescope_core::model::Resource {
        service: Default::default(),
        attrs: Default::default(),
    });
    ds.traces.push(Box::new(t));
    let parts = encode(&ds, 1, 0..1);
    let mut page = Dataset::default();
    let mut rx = Receiver::new();
    let refused_at = parts
        .iter()
        .position(|p| rx.part(&mut page, p).is_err())
        .expect("refused");
    assert!(
        refused_at + 3 < parts.len(),
        "refused with part {refused_at} of {}",
        parts.len()
    );
    assert!(page.traces.is_empty());
}

#[test]
fn a_trace_pointing_past_the_string_table_is_refused_wherever_it_is_in_the_delta() {
    // Each trace is checked once its columns are whole (while later ones
    // still come): a bad first, middle or last trace each stops the load,
    // and the page keeps what it had.
    // 3: none is bad.
    for bad in 0..4 {
        let mut ds = Dataset::default();
        let svc = ds.strings.intern("svc");
        ds.resources.push(tracescope_core::model::Resource {
            service: svc,
            attrs: Default::default(),
        });
        for k in 0..3 {
            let mut t = tracescope_core::synth::trace_with(&[None, Some(0)], &[0, 1], &[5, 2]);
            t.trace_id_text = ds.strings.intern(&format!("t{k}"));
            t.service.fill(svc);
            ds.traces.push(Box::new(t));
        }
        if bad < 3 {
            ds.traces[bad].service[1] = tracescope_core::model::StrId(1_000_000);
        }
        let mut page = Dataset::default();
        let mut rx = Receiver::new();
        // The page starts with the same first string (the empty one).
        let refused = encode(&ds, 1, 0..3)
            .iter()
            .map(|part| rx.part(&mut page, part))
            .find_map(Result::err);
        if bad == 3 {
            // None is bad: all three arrive.
            assert!(refused.is_none(), "{refused:?}");
            assert_eq!(page.traces.len(), 3);
            continue;
        }
        assert!(
            refused.is_some(),
            "trace {bad} pointing past the strings was taken"
        );
        assert!(
            page.traces.is_empty() && page.strings.len() <= 1,
            "trace {bad}: the page keeps a part"
        );
    }
}

#[test]
fn every_column_that_points_is_checked_up_to_its_last_allowed_value() {
    use tracescope_core::model::{Attr, AttrValue, Range32, StrId};
    use tracescope_core::Trace;
    // A trace of two spans (span 1 the child of span 0), its dataset with
    // three strings, two attributes and one resource; then one column set
    // to the last value it may hold (taken) or the first past it (refused).
    type Case = (&'static str, fn(&mut Trace), bool);
    let cases: Vec<Case> = vec![
        ("service, last string", |t| t.service[1] = StrId(2), true),
        (
            "service past the strings",
            |t| t.service[1] = StrId(3),
            false,
        ),
        ("name past the strings", |t| t.name[0] = StrId(3), false),
        (
            "status message past",
            |t| t.status_message[0] = StrId(3),
            false,
        ),
        (
            "services of the tree past",
            |t| t.tree.lists_mut().services[0] = StrId(3),
            false,
        ),
        ("trace id text past", |t| t.trace_id_text = StrId(3), false),
        (
            "trace id text from the id's value",
            |t| t.trace_id_text = StrId::HEX_ID_32,
            true,
        ),
        (
            "trace id text, below those made",
            |t| t.trace_id_text = StrId(u32::MAX - 2),
            false,
        ),
        (
            "span id text from the id's value",
            |t| t.span_id_text[0] = StrId::HEX_ID,
            true,
        ),
        ("span id text past", |t| t.span_id_text[0] = StrId(3), false),
        (
            "parent id text, last string",
            |t| t.parent_id_text[1] = StrId(2),
            true,
        ),
        (
            "parent id text past",
            |t| t.parent_id_text[1] = StrId(u32::MAX - 2),
            false,
        ),
        (
            "parent, none",
            |t| t.tree.lists_mut().parent[1] = tracescope_core::tree::NONE,
            true,
        ),
        (
            "parent past the spans",
            |t| t.tree.lists_mut().parent[1] = 2,
            false,
        ),
        (
            "root past the spans",
            |t| t.tree.lists_mut().roots[0] = 2,
            false,
        ),
        (
            "child past the spans",
            |t| t.tree.lists_mut().children[0] = 2,
            false,
        ),
        (
            "preorder past the spans",
            |t| t.tree.lists_mut().preorder[1] = 2,
            false,
        ),
        (
            "position past the spans",
            |t| t.tree.lists_mut().preorder_pos[1] = 2,
            false,
        ),
        (
            "children end, all of them",
            |t| t.tree.lists_mut().child_start[2] = 1,
            true,
        ),
        (
            "children end past them",
            |t| t.tree.lists_mut().child_start[2] = 2,
            false,
        ),
        (
            "attributes to the arena's end",
            |t| t.attrs[1] = Range32::new(0, 2),
            true,
        ),
        (
            "attributes past the arena",
            |t| t.attrs[1] = Range32::new(1, 3),
            false,
        ),
        (
            "events past the arena",
            |t| t.events[0] = Range32::new(0, 1),
            false,
        ),
        (
            "links past the arena",
            |t| t.links[0] = Range32::new(0, 1),
            false,
        ),
        ("resource, the last", |t| t.resource[1] = 0, true),
        ("resource past them", |t| t.resource[1] = 1, false),
        // A tree's lists are cut by the trace's span count: one made for
        // another count, or none, is refused before any is cut.
        (
            "the tree of three spans",
            |t| {
                let three = [None, Some(0), Some(0)];
                t.tree = tracescope_core::synth::trace_with(&three, &[0, 1, 2], &[5, 2, 1]).tree;
            },
            false,
        ),
        (
            "another tree of two spans",
            |t| t.tree = tracescope_core::synth::trace_with(&[None, None], &[0, 1], &[5, 2]).tree,
            true,
        ),
        ("no tree", |t| t.tree = Default::default(), false),
    ];
    for (what, change, taken) in cases {
        let mut ds = Dataset::default();
        let svc = ds.strings.intern("svc");
        let key = ds.strings.intern("k");
        ds.resources.push(tracescope_core::model::Resource {
            service: svc,
            attrs: Default::default(),
        });
        for v in 0..2 {
            ds.attrs.push(Attr {
                key,
                value: AttrValue::Int(v),
            });
        }
        let mut t = tracescope_core::synth::trace_with(&[None, Some(0)], &[0, 1], &[5, 2]);
        t.service.fill(svc);
        change(&mut t);
        ds.traces.push(Box::new(t));
        let mut page = Dataset::default();
        let mut rx = Receiver::new();
        let refused = encode(&ds, 1, 0..1)
            .iter()
            .map(|part| rx.part(&mut page, part))
            .find_map(Result::err);
        assert_eq!(refused.is_none(), taken, "{what}: {refused:?}");
        assert_eq!(page.traces.len(), taken as usize, "{what}");
    }
}

#[test]
fn a_million_resources_cross_in_parts_of_their_own() {
    // One process per one-span trace makes a resource per trace: all of
    // them in one part was one task of 200 ms on the page.
    let mut ds = Dataset::default();
    let svc = ds.strings.intern("svc");
    let n = 300_000u32;
    for k in 0..n {
        ds.resources.push(tracescope_core::model::Resource {
            service: svc,
            attrs: tracescope_core::model::Range32::new(0, k % 2),
        });
    }
    ds.attrs.push(tracescope_core::model::Attr {
        key: svc,
        value: tracescope_core::model::AttrValue::Int(1),
    });
    let parts = encode(&ds, 1, 0..0);
    let resource_parts = parts.iter().filter(|p| p[4] == b'R').count();
    assert!(resource_parts >= 3, "{resource_parts} parts of resources");
    let mut page = Dataset::default();
    apply(&mut page, &parts).unwrap();
    assert_eq!(page.resources, ds.resources);
}

#[test]
fn a_span_kind_or_status_the_app_does_not_know_is_refused() {
    use tracescope_core::model::{Resource, SpanKind, StatusCode};
    // Their columns cross as the enums' bytes: the last value each has is
    // taken, one past it refused (not read as a value no enum holds).
    for (column, last) in [
        (9u8, SpanKind::Consumer as u8),
        (10, StatusCode::Error as u8),
    ] {
        let mut t = tracescope_core::synth::trace_with(&[None], &[0], &[5]);
        t.kind[0] = SpanKind::Consumer;
        t.status[0] = StatusCode::Error;
        let mut ds = Dataset::default();
        ds.resources.push(Resource {
            service: Default::default(),
            attrs: Default::default(),
        });
        ds.traces.push(Box::new(t));
        let parts = encode(&ds, 1, 0..1);
        let apply_all = |parts: &[Vec<u8>]| {
            let (mut page, mut rx) = (Dataset::default(), Receiver::new());
            parts
                .iter()
                .try_for_each(|p| rx.part(&mut page, p).map(drop))
        };
        assert_eq!(apply_all(&parts), Ok(()));
        // The column's piece: its number, one value (a u64 count), the value.
        let piece = [column, 1, 0, 0, 0, 0, 0, 0, 0, last];
        let mut spoiled = parts.clone();
        let at = spoiled
            .iter_mut()
            .find_map(|p| Some((p.windows(10).position(|w| w == piece)?, p)));
        let (at, part) = at.expect("the column's piece");
        part[at + 9] = last + 1;
        assert!(apply_all(&spoiled).is_err(), "column {column}");
    }
}
