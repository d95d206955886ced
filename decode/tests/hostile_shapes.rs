//! Shapes made to be slow: each decodes in time linear in its size and
//! decodes right. Times are printed for docs/benchmarks.md; the only limit
//! is a minute, far above linear (a few seconds in a debug build) and far
//! below what the quadratic decoders took (the Chrome shape 42–45 s and
//! the Zipkin one 142 s at 100k in a release build).

use std::fmt::Write;
use std::time::{Duration, Instant};
use tracescope_decode::decode_bytes;
use tracescope_decode::model::{AttrValue, Dataset};

fn timed(what: &str, bytes: &[u8]) -> Dataset {
    timed_within(what, bytes, Duration::from_secs(60))
}

fn timed_within(what: &str, bytes: &[u8], limit: Duration) -> Dataset {
    let mut ds = Dataset::default();
    let t = Instant::now();
    decode_bytes(&mut ds, bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
    let took = t.elapsed();
    eprintln!("{what}: {} bytes in {took:?}", bytes.len());
    assert!(took < limit, "{what} took {took:?}");
    ds
}

/// Async slices of one id opened `n` deep, then closed first-opened first:
/// every end names the slice at the bottom of the stack.
fn chrome_async_fifo(n: usize) -> String {
    let mut s = String::from("{\"traceEvents\":[");
    for i in 0..n {
        let _ = write!(s, "{{\"ph\":\"b\",\"cat\":\"c\",\"id\":\"0x1\",\"name\":\"s{i}\",\"pid\":1,\"tid\":1,\"ts\":{i}}},");
    }
    for i in 0..n {
        let sep = if i + 1 < n { "," } else { "" };
        let _ = write!(s, "{{\"ph\":\"e\",\"cat\":\"c\",\"id\":\"0x1\",\"name\":\"s{i}\",\"pid\":1,\"tid\":1,\"ts\":{}}}{sep}", n + 2 * i);
    }
    s + "]}"
}

#[test]
fn chrome_async_ends_in_any_order_match_their_begins_in_linear_time() {
    for n in [50_000, 100_000] {
        let ds = timed(
            &format!("chrome b/e fifo {n}"),
            chrome_async_fifo(n).as_bytes(),
        );
        let t = &ds.traces[0];
        assert_eq!(t.len(), n);
        for s in 0..t.len() {
            // Slice i: begins at i µs, ends at n + 2i µs.
            let i: usize = ds.str(t.name[s])[1..].parse().unwrap();
            assert_eq!(t.start_ns[s], i as i64 * 1000);
            assert_eq!(t.duration_ns[s], (n + i) as i64 * 1000, "s{i}");
        }
    }
}

/// Async events of one id, each (phase, name or none, µs), decoded; and
/// the row of each name.
fn chrome_async_of_one_id(
    events: &[(&str, &str, i64)],
) -> (Dataset, impl Fn(&Dataset, &str) -> usize) {
    let events: Vec<String> = (events.iter())
        .map(|(ph, name, ts)| {
            let name = if name.is_empty() {
                String::new()
            } else {
                format!(r#""name":"{name}","#)
            };
            format!(r#"{{"ph":"{ph}","cat":"c","id":"1",{name}"pid":1,"tid":1,"ts":{ts}}}"#)
        })
        .collect();
    let doc = format!(r#"{{"traceEvents":[{}]}}"#, events.join(","));
    let row = |ds: &Dataset, name: &str| {
        let t = &ds.traces[0];
        (0..t.len()).find(|&s| ds.str(t.name[s]) == name).unwrap()
    };
    (timed("chrome async events of one id", doc.as_bytes()), row)
}

#[test]
fn chrome_unnamed_ends_close_the_innermost_open_slice() {
    let (ds, row) = chrome_async_of_one_id(&[
        ("b", "outer", 0),
        ("b", "inner", 1),
        ("e", "outer", 5),
        ("b", "late", 6),
        ("e", "", 7),
        ("e", "", 9),
    ]);
    let end = |name: &str| ds.traces[0].end_ns(row(&ds, name)) / 1000;
    // `outer` closed by name under `inner`; the unnamed ends close `late`, then `inner`.
    assert_eq!((end("outer"), end("late"), end("inner")), (5, 7, 9));
}

#[test]
fn chrome_an_async_slice_begun_after_its_ids_slices_closed_has_no_parent() {
    // `a` ends before `b` begins: `b` is a root, not `a`'s child; `c`,
    // begun while `b` is open, is `b`'s; the unnamed ends close `c`, then `b`.
    let (ds, row) = chrome_async_of_one_id(&[
        ("b", "a", 0),
        ("e", "a", 1),
        ("b", "b", 2),
        ("b", "c", 3),
        ("e", "", 4),
        ("e", "", 6),
    ]);
    let t = &ds.traces[0];
    let parent = |name: &str| {
        let p = t.tree.parent()[row(&ds, name)];
        (p != tracescope_decode::tree::NONE).then(|| ds.str(t.name[p as usize]).to_string())
    };
    assert_eq!((parent("a"), parent("b")), (None, None));
    assert_eq!(parent("c").as_deref(), Some("b"));
    let end = |name: &str| t.end_ns(row(&ds, name)) / 1000;
    assert_eq!((end("c"), end("b")), (4, 6));
}

/// `n` server spans of one service sharing one id, each with its own start
/// (redeliveries): distinct calls, each a row.
fn zipkin_one_id(n: usize) -> String {
    let mut s = String::from("[");
    for i in 0..n {
        let sep = if i + 1 < n { "," } else { "" };
        let _ = write!(s, "{{\"traceId\":\"a1\",\"id\":\"b2\",\"name\":\"op\",\"kind\":\"SERVER\",\"timestamp\":{},\"duration\":3,\"localEndpoint\":{{\"serviceName\":\"svc\"}}}}{sep}", 1_000 + i);
    }
    s + "]"
}

#[test]
fn zipkin_spans_sharing_one_id_decode_in_linear_time() {
    for n in [50_000, 100_000] {
        let ds = timed(&format!("zipkin one id {n}"), zipkin_one_id(n).as_bytes());
        let t = &ds.traces[0];
        assert_eq!(t.len(), n, "each start its own row");
    }
    // Pieces of one span (same start, or none) still merge into it.
    let doc = r#"[
        {"traceId":"a1","id":"b2","kind":"SERVER","timestamp":10,"localEndpoint":{"serviceName":"svc"}},
        {"traceId":"a1","id":"b2","kind":"SERVER","name":"op","timestamp":10,"duration":5,"localEndpoint":{"serviceName":"svc"}},
        {"traceId":"a1","id":"b2","kind":"SERVER","tags":{"late":"piece"},"localEndpoint":{"serviceName":"svc"}},
        {"traceId":"a1","id":"b2","kind":"SERVER","timestamp":20,"duration":1,"localEndpoint":{"serviceName":"svc"}},
        {"traceId":"a1","id":"b2","kind":"CLIENT","timestamp":9,"duration":7,"localEndpoint":{"serviceName":"web"}}
    ]"#;
    let ds = timed("zipkin pieces", doc.as_bytes());
    let t = &ds.traces[0];
    assert_eq!(
        t.len(),
        3,
        "server at 10 (three pieces), server at 20, client"
    );
    let at10 = (0..t.len()).find(|&s| t.start_ns[s] == 10_000).unwrap();
    assert_eq!((ds.str(t.name[at10]), t.duration_ns[at10]), ("op", 5_000));
}

/// A shared id with `n` pieces of its client span (one start) and `n`
/// server halves (each its own start): each half's row names the client.
fn zipkin_pieces_and_halves(n: usize) -> String {
    let mut s = String::from("[");
    for i in 0..n {
        let _ = write!(s, "{{\"traceId\":\"a1\",\"id\":\"b2\",\"kind\":\"CLIENT\",\"timestamp\":10,\"duration\":{},\"localEndpoint\":{{\"serviceName\":\"web\"}},\"tags\":{{\"t\":\"v{i}\"}}}},", 1 + i);
    }
    // The halves: the server spans of `zipkin_one_id`, after its `[`.
    s + &zipkin_one_id(n)[1..]
}

#[test]
fn a_zipkin_id_of_many_pieces_and_halves_decodes_in_linear_time() {
    for n in [25_000, 50_000] {
        let what = format!("zipkin pieces and halves {n}");
        let ds = timed(&what, zipkin_pieces_and_halves(n).as_bytes());
        let t = &ds.traces[0];
        assert_eq!(t.len(), n + 1, "one client row, each server half a row");
        let client = (0..t.len()).find(|&s| t.start_ns[s] == 10_000).unwrap();
        // A key of many pieces keeps the last piece's value.
        let tags = ds.attrs(t.attrs[client]);
        assert_eq!(tags.len(), 1);
        let AttrValue::Str(v) = tags[0].value else {
            panic!("a text tag")
        };
        assert_eq!(ds.str(v), format!("v{}", n - 1));
        assert_eq!(t.duration_ns[client], n as i64 * 1000);
        let linked = (0..t.len())
            .filter(|&s| {
                ds.links(t.links[s])
                    .iter()
                    .any(|l| &*ds.link_span_id(l) == "b2")
            })
            .count();
        assert_eq!(linked, n);
    }
}

/// One span with `n` tags of their own and `k0` written again last; then
/// `n` pieces of one span, each with a tag of its own and a value of
/// `shared`.
fn zipkin_many_tags(n: usize) -> (String, String) {
    let tags: Vec<String> = (0..n).map(|i| format!("\"k{i}\":\"v{i}\"")).collect();
    let one = format!(
        "[{{\"traceId\":\"a1\",\"id\":\"b2\",\"name\":\"op\",\"timestamp\":1,\"duration\":1,\"tags\":{{{},\"k0\":\"last\"}}}}]",
        tags.join(",")
    );
    let pieces: Vec<String> = (0..n)
        .map(|i| format!("{{\"traceId\":\"a1\",\"id\":\"b2\",\"name\":\"op\",\"tags\":{{\"p{i}\":\"x\",\"shared\":\"v{i}\"}}}}"))
        .collect();
    (one, format!("[{}]", pieces.join(",")))
}

#[test]
fn a_zipkin_span_of_many_tags_or_many_tagged_pieces_decodes_in_linear_time() {
    // Ten seconds: well over linear in a debug build, well under what
    // looking a key up on every insert took at 200k (3.2–3.6 s at 50k, 4×
    // for each doubling, in a release build).
    let limit = Duration::from_secs(10);
    for n in [100_000, 200_000] {
        let (one, pieces) = zipkin_many_tags(n);
        let text = |ds: &Dataset, v: &AttrValue| match v {
            AttrValue::Str(v) => ds.str(*v).to_string(),
            _ => panic!("a text tag"),
        };
        let ds = timed_within(&format!("zipkin {n} tags"), one.as_bytes(), limit);
        let t = &ds.traces[0];
        let tags = ds.attrs(t.attrs[0]);
        assert_eq!(tags.len(), n, "a written-again key is one tag");
        // A repeated key keeps its first place and its last value.
        assert_eq!(ds.str(tags[0].key), "k0");
        assert_eq!(text(&ds, &tags[0].value), "last");
        assert_eq!(text(&ds, &tags[n - 1].value), format!("v{}", n - 1));

        let ds = timed_within(
            &format!("zipkin {n} tagged pieces"),
            pieces.as_bytes(),
            limit,
        );
        let t = &ds.traces[0];
        assert_eq!(t.len(), 1, "pieces of one span");
        let tags = ds.attrs(t.attrs[0]);
        assert_eq!(tags.len(), n + 1, "each piece's own tag and `shared` once");
        // A key of many pieces keeps the last piece's value, at its first place.
        assert_eq!(ds.str(tags[1].key), "shared");
        assert_eq!(text(&ds, &tags[1].value), format!("v{}", n - 1));
        assert_eq!(ds.str(tags[n].key), format!("p{}", n - 1));
    }
}

/// `n` one-span Jaeger traces, each span with a tag value of its own (a
/// string each), the second half of them of a service first named there:
/// its string id is past every value before it.
fn service_named_late(n: usize) -> String {
    let traces: Vec<String> = (0..n)
        .map(|i| {
            let service = if i < n / 2 { "early" } else { "late" };
            format!("{{\"traceID\":\"{i:x}\",\"spans\":[{{\"traceID\":\"{i:x}\",\"spanID\":\"1\",\"operationName\":\"op\",\"startTime\":{i},\"duration\":1,\"tags\":[{{\"key\":\"u\",\"type\":\"string\",\"value\":\"v{i}\"}}],\"processID\":\"p\"}}],\"processes\":{{\"p\":{{\"serviceName\":\"{service}\"}}}}}}")
        })
        .collect();
    format!("{{\"data\":[{}]}}", traces.join(","))
}

#[test]
fn a_service_named_after_many_strings_costs_each_trace_its_spans() {
    for n in [100_000, 200_000] {
        let ds = timed(
            &format!("service named late {n}"),
            service_named_late(n).as_bytes(),
        );
        assert_eq!(ds.traces.len(), n);
        for (k, want) in [(0, "early"), (n - 1, "late")] {
            let services: Vec<&str> = ds.traces[k]
                .tree
                .services()
                .iter()
                .map(|&s| ds.str(s))
                .collect();
            assert_eq!(services, [want]);
        }
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn a_gzip_bomb_is_refused_before_it_is_unpacked_and_never_past_the_limit() {
    use tracescope_decode::decode::{gunzip_within, DecodeError, MAX_INFLATED};
    let limit = 1 << 20;
    let bomb = gzip(&vec![b' '; 8 << 20]);
    assert!(bomb.len() < 50_000, "{}", bomb.len());
    // The trailer says 8 MB: refused without unpacking.
    assert_eq!(
        gunzip_within(&bomb, limit),
        Err(DecodeError::Inflated { limit })
    );
    // A trailer that lies (says 10 bytes) is caught by the cap while unpacking.
    let mut liar = bomb.clone();
    let at = liar.len() - 4;
    liar[at..].copy_from_slice(&10u32.to_le_bytes());
    assert_eq!(
        gunzip_within(&liar, limit),
        Err(DecodeError::Inflated { limit })
    );
    // Under the limit it unpacks.
    let small = gzip(br#"{"data":[]}"#);
    assert_eq!(&*gunzip_within(&small, limit).unwrap(), br#"{"data":[]}"#);
    // The message says what and how much.
    let text = DecodeError::Inflated {
        limit: MAX_INFLATED,
    }
    .to_string();
    assert!(text.contains("more than 1073 MB"), "{text}");
}

#[test]
fn a_byte_order_mark_never_changes_the_reader() {
    let docs: [&[u8]; 5] = [
        br#"{"data":[{"traceID":"a1","spans":[{"traceID":"a1","spanID":"b2","operationName":"op","startTime":1,"duration":2,"processID":"p1"}],"processes":{"p1":{"serviceName":"svc"}}}]}"#,
        br#"{"traceID":"a1","spans":[{"traceID":"a1","spanID":"b2","operationName":"op","startTime":1,"duration":2,"processID":"p1"}],"processes":{"p1":{"serviceName":"svc"}}}"#,
        br#"{"spans":[{"traceId":"AAAAAAAAAAAAAAAAAAAAoQ==","spanId":"AAAAAAAAALI=","operationName":"op","startTime":"2024-05-01T10:00:00Z","duration":"0.000002s","processId":"p1"}],"processMap":[{"processId":"p1","process":{"serviceName":"svc"}}]}"#,
        br#"{"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"op","startTimeUnixNano":"1","endTimeUnixNano":"3"}]}]}]}"#,
        br#"[{"traceId":"a1","id":"b2","name":"op","timestamp":1,"duration":2,"localEndpoint":{"serviceName":"svc"}}]"#,
    ];
    for doc in docs {
        let plain = decode_bytes(&mut Dataset::default(), doc).unwrap();
        let with_bom =
            decode_bytes(&mut Dataset::default(), &[b"\xEF\xBB\xBF", doc].concat()).unwrap();
        assert!(plain.streamed, "{}", String::from_utf8_lossy(doc));
        assert_eq!(with_bom, plain);
        let gz = decode_bytes(
            &mut Dataset::default(),
            &gzip(&[b"\xEF\xBB\xBF", doc].concat()),
        )
        .unwrap();
        assert_eq!(gz, plain);
        // One mark is the file's; a second is no JSON, as the general path
        // says (`JSON.parse` takes none).
        let twice = decode_bytes(
            &mut Dataset::default(),
            &[b"\xEF\xBB\xBF\xEF\xBB\xBF", doc].concat(),
        );
        assert!(
            matches!(
                twice,
                Err(tracescope_decode::decode::DecodeError::Json {
                    line: 1,
                    column: 1,
                    ..
                })
            ),
            "{twice:?}"
        );
    }
}

/// An OTLP attribute nested `depth` deep, each level's key `key_len` long.
fn otlp_nested(depth: usize, key_len: usize) -> String {
    let mut v = String::from(r#"{"stringValue":"leaf"}"#);
    for level in (0..depth).rev() {
        let k = format!("{level}{}", "k".repeat(key_len));
        v = format!(
            r#"{{"kvlistValue":{{"values":[{{"key":"{k}","value":{v}}},{{"key":"x{k}","value":{{"intValue":"1"}}}}]}}}}"#
        );
    }
    format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[]}},"scopeSpans":[{{"spans":[{{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"op","startTimeUnixNano":"1","endTimeUnixNano":"3","attributes":[{{"key":"a","value":{v}}}]}}]}}]}}]}}"#
    )
}

#[test]
fn nested_attributes_take_memory_linear_in_the_file() {
    for (depth, key_len) in [(25, 200), (25, 2_000)] {
        let doc = otlp_nested(depth, key_len);
        let ds = timed(&format!("otlp nested {depth} × {key_len}"), doc.as_bytes());
        let t = &ds.traces[0];
        let attrs = ds.attrs(t.attrs[0]);
        let key_bytes: usize = attrs.iter().map(|a| ds.str(a.key).len()).sum();
        let value_bytes: usize = attrs
            .iter()
            .map(|a| match &a.value {
                tracescope_decode::model::AttrValue::Str(s) => ds.str(*s).len(),
                _ => 8,
            })
            .sum();
        // Every level's key written once per leaf under it would be
        // depth² × key_len (quadratic); what is kept is about the file.
        assert!(
            key_bytes + value_bytes < 3 * doc.len(),
            "{key_bytes} + {value_bytes} bytes of attributes from a {} byte file",
            doc.len()
        );
        // The top levels are still flattened to dotted keys, the depth as text.
        assert!(attrs.iter().any(|a| ds.str(a.key).starts_with("a.0")));
    }
}

/// One Jaeger trace of `n` spans in a chain, whose span ids are made to
/// fall in one group of the tree's id matching (`tree::parent_rows`
/// groups ids by the top bits of id × `GROUP_MULTIPLIER`; these ids give
/// products under 2^32): every id in one map, as before there were groups.
fn jaeger_ids_in_one_group(n: usize) -> String {
    const K: u64 = tracescope_decode::tree::GROUP_MULTIPLIER;
    // K's inverse modulo 2^64 (Newton's iteration doubles the bits known).
    let inverse = (0..6).fold(K, |x, _| {
        x.wrapping_mul(2u64.wrapping_sub(K.wrapping_mul(x)))
    });
    let id = |i: usize| format!("{:016x}", (i as u64 + 1).wrapping_mul(inverse));
    let spans: Vec<String> = (0..n)
        .map(|i| {
            let parent = match i {
                0 => String::new(),
                _ => format!(r#","references":[{{"refType":"CHILD_OF","traceID":"a1","spanID":"{}"}}]"#, id(i - 1)),
            };
            format!(r#"{{"traceID":"a1","spanID":"{}","operationName":"op","startTime":{i},"duration":1,"processID":"p1"{parent}}}"#, id(i))
        })
        .collect();
    format!(
        r#"{{"data":[{{"traceID":"a1","spans":[{}],"processes":{{"p1":{{"serviceName":"svc"}}}}}}]}}"#,
        spans.join(",")
    )
}

#[test]
fn span_ids_that_all_fall_in_one_group_still_build_the_tree_in_linear_time() {
    for n in [100_000, 200_000] {
        let ds = timed(
            &format!("ids in one group {n}"),
            jaeger_ids_in_one_group(n).as_bytes(),
        );
        let t = &ds.traces[0];
        assert_eq!(t.len(), n);
        assert_eq!(
            t.tree.max_depth as usize,
            n - 1,
            "one chain: every parent found"
        );
        assert_eq!(t.tree.roots().len(), 1);
    }
}

/// One X-Ray document whose `n` subsegments each nest in the one before,
/// each naming its id after its subsegments: JSON nested 2n deep, read
/// without a tree of the document (serde_json's refuses past 128 levels).
fn xray_chain(n: usize) -> String {
    let mut s = String::from(
        r#"{"trace_id":"1-5f84c7a5-0123456789abcdef01234567","id":"0000000000000001","name":"svc","start_time":1700000000.0,"end_time":1700000002.0,"subsegments":["#,
    );
    for i in 0..n {
        let _ = write!(
            s,
            r#"{{"name":"call-{i}","start_time":1700000000.{i:06},"end_time":1700000001.{i:06},"subsegments":["#
        );
    }
    for i in (0..n).rev() {
        let _ = write!(s, r#"],"id":"{:016x}"}}"#, i + 2);
    }
    s + "]}"
}

#[test]
fn an_xray_document_nested_deep_with_its_ids_last_decodes_in_linear_time() {
    for n in [50_000, 100_000] {
        let ds = timed(&format!("x-ray chain {n}"), xray_chain(n).as_bytes());
        let t = &ds.traces[0];
        assert_eq!(t.len(), n + 1);
        for s in 0..t.len() {
            // call-i (id i + 2) is in the entity of id i + 1.
            let id = u64::from_str_radix(&ds.span_id(t, s), 16).unwrap();
            let parent = t.tree.parent_of(s).map(|p| ds.span_id(t, p).to_string());
            let expected = (id > 1).then(|| format!("{:016x}", id - 1));
            assert_eq!(parent, expected, "span {id}");
            if id > 1 {
                assert_eq!(ds.str(t.name[s]), format!("call-{}", id - 2));
            }
        }
    }
}
