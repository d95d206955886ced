//! What particular corpus files must decode to, beyond their counts
//! (`decode/tests/corpus.rs` checks every file's counts, one test each).

use tracescope_decode::decode::decode_bytes_general;
use tracescope_decode::{decode_bytes, Dataset};

/// A corpus file (path below ../shared/corpus) decoded; it must decode.
fn decode_file(file: &str) -> Dataset {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus")
        .join(file);
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, &std::fs::read(&path).expect("a corpus file")).expect(file);
    ds
}

fn span_by_text<'a>(ds: &'a Dataset, t: &'a tracescope_decode::Trace, id: &str) -> Vec<usize> {
    (0..t.len()).filter(|&i| *ds.span_id(t, i) == *id).collect()
}

#[test]
fn zipkin_shared_ids_are_two_linked_rows_with_children_under_the_server_half() {
    use tracescope_decode::model::{flags, LinkKind, SpanKind};
    let ds = decode_file("zipkin/zipkin-lens-skew.json");
    let t = &ds.traces[0];
    let halves = span_by_text(&ds, t, "74280ae0c10d8062");
    assert_eq!(halves.len(), 2);
    let client = *halves
        .iter()
        .find(|&&i| t.kind[i] == SpanKind::Client)
        .unwrap();
    let server = *halves
        .iter()
        .find(|&&i| t.kind[i] == SpanKind::Server)
        .unwrap();
    assert_eq!(t.tree.parent_of(server), Some(client));
    assert!(t.flags[server] & flags::SHARED != 0);
    let link = ds.links(t.links[server])[0];
    assert_eq!(link.kind, LinkKind::SharedHalf);
    assert_eq!(&*ds.link_span_id(&link), "74280ae0c10d8062");
    let asynch = span_by_text(&ds, t, "43210ae0c10d1234")[0];
    assert_eq!(t.tree.parent_of(asynch), Some(server));
    // Both halves' ids, and the parent id of the child, read as written.
    assert_eq!(&*ds.span_id(t, server), "74280ae0c10d8062");
    assert_eq!(&*ds.parent_id(t, asynch), "74280ae0c10d8062");
    assert!(t.warnings().is_empty(), "{:?}", t.warnings());
}

/// The text tags of span `i`, as `key=value`, in order.
fn tags_of(ds: &Dataset, t: &tracescope_decode::Trace, i: usize) -> Vec<String> {
    use tracescope_decode::model::AttrValue;
    ds.attrs(t.attrs[i])
        .iter()
        .filter_map(|a| match a.value {
            AttrValue::Str(v) => Some(format!("{}={}", ds.str(a.key), ds.str(v))),
            _ => None,
        })
        .collect()
}

/// The names of span `i`'s events, in order.
fn event_names<'a>(ds: &'a Dataset, t: &tracescope_decode::Trace, i: usize) -> Vec<&'a str> {
    ds.events(t.events[i])
        .iter()
        .map(|e| ds.str(e.name))
        .collect()
}

#[test]
fn zipkin_pieces_reported_apart_merge_into_one_row_and_fragments_join_the_client_half() {
    use tracescope_decode::model::{flags, SpanKind};
    // The server half comes first, so a fragment (no kind, no service)
    // that joined the id's first row would land on it.
    let doc = r#"[
        {"traceId":"7","id":"a","kind":"SERVER","shared":true,"timestamp":12,"duration":3,"localEndpoint":{"serviceName":"back"}},
        {"traceId":"7","id":"a","name":"get","kind":"CLIENT","timestamp":10,"duration":4,"localEndpoint":{"serviceName":"front"},"tags":{"x":"1"}},
        {"traceId":"7","id":"c","parentId":"a","name":"child","timestamp":13,"duration":1,"localEndpoint":{"serviceName":"back"}},
        {"traceId":"7","id":"a","kind":"CLIENT","timestamp":10,"duration":6,"localEndpoint":{"serviceName":"front"},"tags":{"x":"2","y":"3"},"annotations":[{"timestamp":15,"value":"retry"}]},
        {"traceId":"7","id":"a","tags":{"z":"4"}}
    ]"#;
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, doc.as_bytes()).unwrap();
    let t = &ds.traces[0];
    assert_eq!(
        t.len(),
        3,
        "the client's pieces are one row, the server half another"
    );
    let row = |kind| (0..t.len()).find(|&i| t.kind[i] == kind).unwrap();
    let (client, server) = (row(SpanKind::Client), row(SpanKind::Server));
    assert_eq!(ds.str(t.name[client]), "get");
    assert_eq!((t.start_ns[client], t.duration_ns[client]), (10_000, 6_000));
    // A later piece's value wins, at the key's first place (Zipkin Lens).
    assert_eq!(tags_of(&ds, t, client), ["x=2", "y=3", "z=4"]);
    assert_eq!(event_names(&ds, t, client), ["retry"]);
    assert!(tags_of(&ds, t, server).is_empty());
    assert_eq!(t.tree.parent_of(server), Some(client));
    assert_eq!(t.tree.parent_of(client), None);
    assert!(t.flags[server] & flags::SHARED != 0 && t.flags[client] & flags::SHARED != 0);
    assert_eq!(ds.links(t.links[server]).len(), 1);
    assert!(ds.links(t.links[client]).is_empty());
    let child = span_by_text(&ds, t, "c")[0];
    assert_eq!(t.tree.parent_of(child), Some(server));
}

#[test]
fn a_zipkin_row_without_a_start_takes_its_first_pieces_and_a_later_start_is_another_row() {
    let doc = r#"[
        {"traceId":"7","id":"a","name":"consume","kind":"SERVER","localEndpoint":{"serviceName":"q"}},
        {"traceId":"7","id":"a","kind":"SERVER","timestamp":10,"duration":5,"localEndpoint":{"serviceName":"q"}},
        {"traceId":"7","id":"a","kind":"SERVER","timestamp":10,"tags":{"late":"piece"},"localEndpoint":{"serviceName":"q"}},
        {"traceId":"7","id":"a","kind":"SERVER","timestamp":20,"duration":1,"localEndpoint":{"serviceName":"q"}}
    ]"#;
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, doc.as_bytes()).unwrap();
    let t = &ds.traces[0];
    let mut rows: Vec<(i64, i64, Vec<String>)> = (0..t.len())
        .map(|i| (t.start_ns[i], t.duration_ns[i], tags_of(&ds, t, i)))
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            (10_000, 5_000, vec!["late=piece".to_string()]),
            (20_000, 1_000, vec![])
        ],
        "the redelivery at 20 is a row of its own"
    );
}

#[test]
fn a_single_zipkin_span_not_in_a_list_is_read() {
    let doc = r#"{"traceId":"7","id":"a","name":"get","kind":"CLIENT","timestamp":10,"duration":4,"localEndpoint":{"serviceName":"front"},"tags":{"x":"1"}}"#;
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, doc.as_bytes()).unwrap();
    let t = &ds.traces[0];
    assert_eq!(t.len(), 1);
    assert_eq!((ds.str(t.name[0]), ds.str(t.service[0])), ("get", "front"));
    assert_eq!(tags_of(&ds, t, 0), ["x=1"]);
}

#[test]
fn zipkin_v1_timestamps_come_from_annotations() {
    let ds = decode_file("zipkin/v1-otelcol-zipkin_v1_single_batch.json");
    let t = &ds.traces[0];
    let halves = span_by_text(&ds, t, "0ed2e63cbe71f5a8");
    // Server half sr..ss on service1: 1544805927448081 → 1544805927460102 µs.
    let server = *halves
        .iter()
        .find(|&&i| ds.str(t.service[i]) == "service1")
        .unwrap();
    assert_eq!(t.start_ns[server], 1_544_805_927_448_081_000);
    assert_eq!(
        t.duration_ns[server],
        (1_544_805_927_460_102 - 1_544_805_927_448_081) * 1000
    );
    // "custom time event" stays as an event of the half that reported it.
    assert!(ds
        .events(t.events[server])
        .iter()
        .any(|e| ds.str(e.name) == "custom time event"));
}

#[test]
fn datadog_uint64_ids_are_exact() {
    let ds = decode_file("datadog/ddtracepy-sampling-match_non_root_span-uint64-parent.json");
    let t = &ds.traces[0];
    assert_eq!(&*ds.parent_id(t, 0), "13788320320102458254");
    assert_eq!(
        t.parent_key[0],
        Some(tracescope_decode::model::IdKey::num(13788320320102458254))
    );
    // _dd.p.tid is the high half of the 128-bit trace id.
    assert_eq!(ds.trace_id(t), "69f39dfa000000000000000000000000");
}

#[test]
fn jaeger_proto_json_ids_and_times_match_the_ui_form() {
    let proto = decode_file("jaeger/model-protojson-jaeger-uimodel-domain_01.json");
    let ui = decode_file("jaeger/jaeger-uimodel-ui_01.json");
    let (p, u) = (&proto.traces[0], &ui.traces[0]);
    assert_eq!(p.trace_id, u.trace_id);
    assert_eq!(p.span_key, u.span_key);
    assert_eq!(p.duration_ns[0], 5000);
    // The UI form has µs precision; the proto form ns.
    assert_eq!(p.start_ns[0] / 1000, u.start_ns[0] / 1000);
    // Span 2 appears twice: both kept, both flagged.
    assert!(u
        .warnings()
        .iter()
        .any(|w| w.contains("used more than once")));
    assert_eq!(u.tree.preorder().len(), 5);
}

#[test]
fn orphans_are_kept_under_their_trace_with_a_warning() {
    let ds = decode_file("jaeger/jaeger-ui-otlp2jaeger-out.json");
    let t = &ds.traces[0];
    assert_eq!(t.tree.roots().len(), 2);
    assert!(t
        .flags
        .iter()
        .all(|f| f & tracescope_decode::model::flags::ORPHAN != 0));
    assert!(t.warnings().iter().any(|w| w.contains("not in this file")));
}

#[test]
fn chrome_unclosed_slices_reach_the_end_and_are_flagged() {
    let ds = decode_file("chrome/trace-viewer-main_thread_has_unclosed_slices.json");
    let t = &ds.traces[0];
    let open = t
        .flags
        .iter()
        .filter(|f| **f & tracescope_decode::model::flags::NO_DURATION != 0)
        .count();
    assert_eq!(open, 4); // 1684 B vs 1680 E
    assert!(t.warnings().iter().any(|w| w.contains("never closed")));
}

#[test]
fn xray_documents_as_strings_nest_across_documents() {
    let ds = decode_file("xray/awscli-example-batch-get-traces-scorekeep.json");
    let t = &ds.traces[0];
    let ddb_inferred = span_by_text(&ds, t, "0f278b6334c34e6b")[0];
    let sub = span_by_text(&ds, t, "2d6900034ccfe558")[0];
    assert_eq!(t.tree.parent_of(ddb_inferred), Some(sub));
    assert_eq!(ds.trace_id(t), "1-5d82881a-0a9126e92a73e971eed891b9");
    let root = t.tree.roots()[0] as usize;
    assert_eq!(ds.str(t.service[root]), "Scorekeep");
    let (a, b) = t.bounds();
    assert_eq!(b - a, 232_000_000);
}

/// Span ids read back exactly as written, however written; only the usual
/// 16 lowercase hex digits are made from the id's value instead of being
/// kept as text (a million spans were a million strings of the table).
#[test]
fn span_ids_read_back_as_written_and_the_usual_ones_are_not_interned() {
    let written = [
        ("00f067aa0ba902b7", true),
        ("00F067AA0BA902B7", false),
        ("f067aa0ba902b8", false),
        ("AAAAAAAAAAk=", false),
        ("span-4", false),
        ("ffffffffffffffff", true),
    ];
    let spans: Vec<String> = written
        .iter()
        .enumerate()
        .map(|(i, (id, _))| {
            let parent = if i == 0 { String::new() } else { written[i - 1].0.to_string() };
            let refs = if parent.is_empty() {
                String::new()
            } else {
                format!(r#"{{"refType":"CHILD_OF","traceID":"7","spanID":"{parent}"}}"#)
            };
            format!(
                r#"{{"traceID":"7","spanID":"{id}","operationName":"op{i}","references":[{refs}],"startTime":{},"duration":5,"processID":"p1"}}"#,
                1_000_000 + i
            )
        })
        .collect();
    let file = format!(
        r#"{{"data":[{{"traceID":"7","spans":[{}],"processes":{{"p1":{{"serviceName":"s"}}}}}}]}}"#,
        spans.join(",")
    );
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, file.as_bytes()).unwrap();
    let t = &ds.traces[0];
    for (i, &(id, made)) in written.iter().enumerate() {
        assert_eq!(&*ds.span_id(t, i), id);
        assert_eq!(ds.strings.lookup(id).is_none(), made, "{id} interned?");
        let parent = if i == 0 { "" } else { written[i - 1].0 };
        assert_eq!(&*ds.parent_id(t, i), parent);
        // Every span found its parent by value.
        assert_eq!(
            t.tree.parent()[i] == tracescope_decode::tree::NONE,
            i == 0,
            "span {id}"
        );
    }
}

/// Equal processes are one resource, in the order first named, whichever
/// way the file names them (two ids of one trace's `processes`, another
/// trace's, a span's inline process); a tag of another type with the same
/// bits, or another service, is another resource. A file loaded before keeps its own.
#[test]
fn equal_processes_are_one_resource_in_the_order_first_named() {
    let span = |trace: &str, id: &str, process: &str| {
        format!(
            r#"{{"traceID":"{trace}","spanID":"{id}","operationName":"op","references":[],"startTime":1,"duration":1,{process}}}"#
        )
    };
    let process = |service: &str, n: &str| {
        format!(
            r#"{{"serviceName":"{service}","tags":[{{"key":"n",{n}}},{{"key":"f","type":"float64","value":0.5}}]}}"#
        )
    };
    let a = process("a", r#""type":"int64","value":1"#);
    let a_as_bool = process("a", r#""type":"bool","value":true"#);
    let b = process("b", r#""type":"int64","value":1"#);
    // The inline process is read first: the processes come after the spans.
    let file = |t: &str| {
        let spans = [
            span(t, "1", r#""processID":"p3""#),
            span(t, "2", r#""processID":"p2""#),
            span(t, "3", &format!(r#""process":{a}"#)),
            span(t, "4", r#""processID":"p4""#),
            span(t, "5", r#""processID":"p1""#),
        ];
        format!(
            r#"{{"data":[{{"traceID":"{t}","spans":[{}],"processes":{{"p1":{a},"p2":{a_as_bool},"p3":{a},"p4":{b}}}}},{{"traceID":"{t}2","spans":[{}],"processes":{{"p1":{b}}}}}]}}"#,
            spans.join(","),
            span(&format!("{t}2"), "6", r#""processID":"p1""#),
        )
    };
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, file("aa").as_bytes()).unwrap();
    decode_bytes(&mut ds, file("bb").as_bytes()).unwrap();
    let described: Vec<String> = ds
        .resources
        .iter()
        .map(|r| format!("{} {:?}", ds.str(r.service), ds.attrs(r.attrs)))
        .collect();
    // Of each file: a, a with `n` true (of the bits of 1), b.
    let services: Vec<&str> = ds.resources.iter().map(|r| ds.str(r.service)).collect();
    assert_eq!(services, ["a", "a", "b", "a", "a", "b"], "{described:#?}");
    let n = |r: usize| ds.attrs(ds.resources[r].attrs)[0].value;
    assert!(matches!(n(0), tracescope_decode::model::AttrValue::Int(1)));
    assert!(matches!(
        n(1),
        tracescope_decode::model::AttrValue::Bool(true)
    ));
    let of_spans: Vec<Vec<u32>> = ds.traces.iter().map(|t| t.resource.to_vec()).collect();
    assert_eq!(
        of_spans,
        vec![vec![0, 1, 0, 2, 0], vec![2], vec![3, 4, 3, 5, 3], vec![5]]
    );
}

/// Every attribute of span `i` and its resource as `key=value` (text and
/// integers), resource first.
fn all_attrs_of(ds: &Dataset, t: &tracescope_decode::Trace, i: usize) -> Vec<String> {
    use tracescope_decode::model::AttrValue;
    let resource = ds.resources[t.resource[i] as usize].attrs;
    ds.attrs(resource)
        .iter()
        .chain(ds.attrs(t.attrs[i]))
        .map(|a| match a.value {
            AttrValue::Str(v) => format!("{}={}", ds.str(a.key), ds.str(v)),
            AttrValue::Int(n) => format!("{}={n}", ds.str(a.key)),
            v => format!("{}={v:?}", ds.str(a.key)),
        })
        .collect()
}

/// An X-Ray entity's `annotations` and `metadata` read as a tree reads
/// them at any size (a large map is flattened from the text, a small one
/// read as a tree): each key's last value, nested maps as dotted keys, a
/// map given twice or followed by a string keeping its last value.
#[test]
fn xray_maps_large_and_small_read_as_their_tree_reads_them() {
    // A map of `n` entries (`n` = 300: past 4 KB), one of them nested, and
    // the attributes it gives under `key`.
    let map = |name: &str, n: usize| -> (String, Vec<String>) {
        let mut text: Vec<String> = (0..n)
            .map(|i| format!(r#""{name}{i}":"value-{i}""#))
            .collect();
        text.push(r#""nested":{"x":{"y":7}}"#.into());
        let attrs = |key: &str| -> Vec<String> {
            (0..n)
                .map(|i| format!("{key}.{name}{i}=value-{i}"))
                .chain([format!("{key}.nested.x.y=7")])
                .collect()
        };
        (format!("{{{}}}", text.join(",")), attrs(name))
    };
    let (a, _) = map("a", 300);
    let (m, m_attrs) = map("m", 300);
    let (m2, m2_attrs) = map("n", 300);
    let (a2, _) = map("b", 300);
    let doc = format!(
        r#"{{"trace_id":"1-5f84c7a5-0123456789abcdef01234567","id":"0000000000000001","name":"svc","start_time":1.0,"end_time":2.0,"annotations":{a},"http":{{"request":{{"method":"GET"}}}},"annotations":{{"only":1}},"metadata":{m},"subsegments":[{{"id":"0000000000000002","name":"call","start_time":1.1,"end_time":1.2,"namespace":"remote","metadata":{{"small":1}},"metadata":{m2},"annotations":{a2},"annotations":"text"}}]}}"#
    );
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, doc.as_bytes()).unwrap();
    let t = &ds.traces[0];
    let rename = |attrs: &[String], key: &str| -> Vec<String> {
        attrs
            .iter()
            .map(|a| a.replacen(&a[..a.find('.').unwrap()], key, 1))
            .collect()
    };
    let root = span_by_text(&ds, t, "0000000000000001")[0];
    let mut expected = vec![
        "http.request.method=GET".to_string(),
        "annotations.only=1".into(),
    ];
    expected.extend(rename(&m_attrs, "metadata"));
    assert_eq!(all_attrs_of(&ds, t, root), expected);
    let call = span_by_text(&ds, t, "0000000000000002")[0];
    let mut expected = vec!["namespace=remote".to_string(), "annotations=text".into()];
    expected.extend(rename(&m2_attrs, "metadata"));
    assert_eq!(all_attrs_of(&ds, t, call), expected);
    // The general path (a tree of the whole document) reads the same.
    let mut general = Dataset::default();
    decode_bytes_general(&mut general, doc.as_bytes(), &mut |_| {}).unwrap();
    let g = &general.traces[0];
    for (id, i) in [("0000000000000001", root), ("0000000000000002", call)] {
        let j = span_by_text(&general, g, id)[0];
        assert_eq!(
            all_attrs_of(&general, g, j),
            all_attrs_of(&ds, t, i),
            "{id}"
        );
    }
}

/// What each field of a Chrome event becomes: names of processes and
/// threads, ids as numbers or strings, times as numbers or strings, `args`
/// (kept only when they hold anything), async ids in `id2`, legacy steps,
/// instants inside a slice, the file's time unit.
#[test]
fn chrome_events_read_every_field_they_show() {
    let doc = r#"{"displayTimeUnit":"ns","traceEvents":[
        {"ph":"M","name":"process_name","pid":7,"args":{"name":"Renderer"}},
        {"ph":"M","name":"thread_name","pid":7,"tid":"main","args":{"name":"CrRendererMain"}},
        {"ph":"X","cat":"devtools","name":"Task","pid":7,"tid":"main","ts":"10","dur":20,"args":{"data":{"url":"u","line":3}}},
        {"ph":"i","s":"t","name":"Mark","pid":7,"tid":"main","ts":12,"args":{"k":"v"}},
        {"ph":"X","name":"Empty","pid":7,"tid":"main","ts":40,"dur":1,"args":{ }},
        {"ph":"b","cat":"net","name":"Load","id2":{"local":"0x5"},"pid":7,"tid":"main","ts":50},
        {"ph":"b","cat":"net","name":"Load","id2":{"local":"0x6"},"pid":7,"tid":"main","ts":60},
        {"ph":"e","cat":"net","name":"Load","id2":{"local":"0x5"},"pid":7,"tid":"main","ts":70},
        {"ph":"e","cat":"net","name":"Load","id2":{"local":"0x6"},"pid":7,"tid":"main","ts":80},
        {"ph":"S","cat":"old","name":"Legacy","id":9,"pid":7,"tid":"main","ts":100},
        {"ph":"T","cat":"old","name":"Legacy","id":9,"pid":7,"tid":"main","ts":105,"args":{"step":"halfway"}},
        {"ph":"F","cat":"old","name":"Legacy","id":9,"pid":7,"tid":"main","ts":110}
    ]}"#;
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, doc.as_bytes()).unwrap();
    let t = &ds.traces[0];
    let by_name = |name: &str| (0..t.len()).find(|&i| ds.str(t.name[i]) == name).unwrap();
    let task = by_name("Task");
    assert_eq!(ds.str(t.service[task]), "Renderer");
    assert_eq!((t.start_ns[task], t.duration_ns[task]), (10_000, 20_000));
    assert_eq!(
        all_attrs_of(&ds, t, task),
        [
            "process.pid=7",
            "chrome.display_time_unit=ns",
            "thread.id=main",
            "thread.name=CrRendererMain",
            "category=devtools",
            "chrome.phase=X",
            "args.data.url=u",
            "args.data.line=3",
        ]
    );
    // The instant inside the task is its event, with its arguments.
    let events = ds.events(t.events[task]);
    assert_eq!(events.len(), 1);
    assert_eq!(
        (ds.str(events[0].name), events[0].time_ns),
        ("Mark", 12_000)
    );
    let mark_args: Vec<String> = ds
        .attrs(events[0].attrs)
        .iter()
        .map(|a| ds.str(a.key).to_string())
        .collect();
    assert_eq!(mark_args, ["args.k"]);
    // Empty arguments are no attribute.
    let empty = all_attrs_of(&ds, t, by_name("Empty"));
    assert!(!empty.iter().any(|a| a.starts_with("args")), "{empty:?}");
    // Async slices of one name told apart by their `id2`.
    let mut loads: Vec<(i64, i64)> = (0..t.len())
        .filter(|&i| ds.str(t.name[i]) == "Load")
        .map(|i| (t.start_ns[i], t.duration_ns[i]))
        .collect();
    loads.sort();
    assert_eq!(loads, [(50_000, 20_000), (60_000, 20_000)]);
    let load = by_name("Load");
    // A legacy slice, its step an event named by the step.
    let legacy = by_name("Legacy");
    assert_eq!(t.duration_ns[legacy], 10_000);
    assert_eq!(event_names(&ds, t, legacy), ["halfway"]);
    // Ids are places among the slices, as 16 hex digits.
    assert_eq!(&*ds.span_id(t, task), "0000000000000001");
    assert_eq!(&*ds.span_id(t, load), "0000000000000004");
}

/// A Chrome event's `args`, flattened as they are read, are what
/// `JSON.parse` makes of them: a repeated key once, in its first place
/// with its last value; a repeated `args` the last; a metadata name given
/// twice the last, and one that is no text none. The arguments of events
/// that show none (ends, counters) take no place of another's.
#[test]
fn chrome_args_read_as_json_parse_reads_them() {
    let doc = r#"{"traceEvents":[
        {"ph":"M","name":"thread_name","pid":1,"tid":1,"args":{"name":"first","name":"T"}},
        {"ph":"M","name":"process_name","pid":1,"args":{"name":["not","a","name"]}},
        {"ph":"C","name":"C","pid":1,"tid":1,"ts":0,"args":{"c":1}},
        {"ph":"X","name":"A","pid":1,"tid":1,"ts":0,"dur":10,"args":{"gone":1},"args":{"k":1,"j":[1, 2],"k":{"x":2}}},
        {"ph":"B","name":"B","pid":1,"tid":1,"ts":1,"args":{"a":{"x":1},"b":2,"a":{"y":3}}},
        {"ph":"E","pid":1,"tid":1,"ts":2,"args":{"e":1}},
        {"ph":"i","name":"I","pid":1,"tid":1,"ts":3,"args":{"i":{"deep":{"er":true}},"n":null}}
    ]}"#;
    for general in [false, true] {
        let how = if general { "general" } else { "streamed" };
        let mut ds = Dataset::default();
        let read = if general {
            decode_bytes_general(&mut ds, doc.as_bytes(), &mut |_| {})
        } else {
            decode_bytes(&mut ds, doc.as_bytes())
        };
        assert_eq!(read.unwrap().streamed, !general);
        let t = &ds.traces[0];
        let by_name = |name: &str| (0..t.len()).find(|&i| ds.str(t.name[i]) == name).unwrap();
        let (a, b) = (by_name("A"), by_name("B"));
        assert_eq!(ds.str(t.service[a]), "pid 1", "{how}");
        let own = |i: usize| all_attrs_of(&ds, t, i)[1..].to_vec();
        assert_eq!(
            own(a),
            [
                "thread.id=1",
                "thread.name=T",
                "chrome.phase=X",
                "args.k.x=2",
                "args.j=[1,2]"
            ],
            "{how}"
        );
        assert_eq!(
            own(b),
            [
                "thread.id=1",
                "thread.name=T",
                "chrome.phase=B",
                "args.a.y=3",
                "args.b=2"
            ],
            "{how}"
        );
        let instant = ds.events(t.events[a]);
        assert_eq!(event_names(&ds, t, a), ["I"], "{how}");
        let args: Vec<String> = ds
            .attrs(instant[0].attrs)
            .iter()
            .map(|x| format!("{}={:?}", ds.str(x.key), x.value))
            .collect();
        assert_eq!(args, ["args.i.deep.er=Bool(true)"], "{how}");
    }
}

/// `args` nested past serde_json's 128 levels still open: flattened down
/// to the longest key, the rest one attribute of its text as written.
#[test]
fn chrome_args_nested_past_serde_json_levels_are_kept_as_text() {
    let deep = format!("{}1{}", r#"{"a":"#.repeat(200), "}".repeat(200));
    let doc = format!(
        r#"{{"traceEvents":[{{"ph":"X","name":"n","pid":1,"tid":1,"ts":0,"dur":5,"args":{deep}}}]}}"#
    );
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, doc.as_bytes()).unwrap();
    let t = &ds.traces[0];
    let args: Vec<(&str, String)> = ds
        .attrs(t.attrs[0])
        .iter()
        .filter(|a| ds.str(a.key).starts_with("args"))
        .map(|a| (ds.str(a.key), format!("{:?}", a.value)))
        .collect();
    // "args" and 31 ".a": the first path past 64 bytes.
    let key = format!("args{}", ".a".repeat(31));
    let rest = format!("{}1{}", r#"{"a":"#.repeat(169), "}".repeat(169));
    assert_eq!(args.len(), 1);
    assert_eq!(args[0].0, key);
    let tracescope_decode::model::AttrValue::Str(v) = ds.attrs(t.attrs[0]).last().unwrap().value
    else {
        panic!("{args:?}")
    };
    assert_eq!(ds.str(v), rest);
}

/// A list that `detect` finds to be Chrome's (its first event with a `ph`)
/// but that does not begin with an event, or whose first event has no
/// `ph`, is read whole the general way: its events still become spans.
#[test]
fn a_chrome_list_not_beginning_with_an_event_still_decodes() {
    for doc in [
        r#"[null,{"ph":"X","name":"a","pid":1,"tid":1,"ts":1,"dur":2}]"#,
        r#"[{"ts":1,"pid":1,"name":"x"},{"ph":"X","name":"a","pid":1,"tid":1,"ts":1,"dur":2}]"#,
    ] {
        let mut ds = Dataset::default();
        decode_bytes(&mut ds, doc.as_bytes()).unwrap_or_else(|e| panic!("{doc}: {e}"));
        let t = &ds.traces[0];
        assert_eq!((t.len(), ds.str(t.name[0])), (1, "a"), "{doc}");
        assert_eq!(t.warnings(), ["events not shown: 1 without ph"], "{doc}");
    }
}

/// Decodes JSON text: the spans per trace (by trace id) and whether the
/// file was read an item at a time, or the error's text.
fn spans_per_trace(text: &str) -> Result<(Vec<(String, usize)>, bool), String> {
    let mut ds = Dataset::default();
    let sum = decode_bytes(&mut ds, text.as_bytes()).map_err(|e| e.to_string())?;
    let mut traces: Vec<(String, usize)> = ds
        .traces
        .iter()
        .map(|t| (ds.trace_id(t).to_string(), t.len()))
        .collect();
    traces.sort();
    Ok((traces, sum.streamed))
}

/// Datadog, X-Ray and Cloud Trace files are read a span (or a segment
/// document) at a time from where the pull reader finds it: each key's
/// last value is the one read, as `JSON.parse` keeps it, and items that
/// are not what they should be are refused (or passed over) as the whole
/// file's tree was.
#[test]
fn formats_read_an_item_at_a_time_find_every_item_where_the_tree_has_it() {
    let dd = |trace: u64, span: u64, meta: &str| {
        format!(
            r#"{{"trace_id":{trace},"span_id":{span},"parent_id":0,"name":"op","resource":"GET /","service":"web","start":1000,"duration":5,"meta":{{{meta}}}}}"#
        )
    };
    let tid = r#""_dd.p.tid":"6750a6f000000000""#;
    // The high half on the first span of a trace only: both spans share it.
    let (traces, streamed) = spans_per_trace(&format!(
        "[[{},{}],[{}]]",
        dd(5, 1, tid),
        dd(5, 2, ""),
        dd(6, 3, "")
    ))
    .unwrap();
    assert!(streamed);
    assert_eq!(
        traces,
        [
            ("6".into(), 1),
            ("6750a6f0000000000000000000000005".into(), 2)
        ]
    );
    // The key written with an escape is the same key.
    let escaped = format!(
        "[[{},{}]]",
        dd(5, 1, r#""_dd.p\u002etid":"6750a6f000000000""#),
        dd(5, 2, "")
    );
    assert_eq!(
        spans_per_trace(&escaped).unwrap().0,
        [("6750a6f0000000000000000000000005".into(), 2)]
    );
    // `traces` given twice: the last; a flat list; a list in an object.
    let twice = format!(r#"{{"traces":[],"traces":[[{}]]}}"#, dd(7, 1, ""));
    assert_eq!(spans_per_trace(&twice).unwrap().0, [("7".into(), 1)]);
    let flat = format!("[{},{}]", dd(8, 1, ""), dd(8, 2, ""));
    assert_eq!(
        spans_per_trace(&flat).unwrap(),
        (vec![("8".into(), 2)], true)
    );
    assert_eq!(
        spans_per_trace(&format!("[[{}],5]", dd(9, 1, ""))).unwrap_err(),
        "malformed trace: a Datadog trace is a list of spans"
    );
    assert_eq!(
        spans_per_trace(&format!("[[{},5]]", dd(9, 1, ""))).unwrap_err(),
        "malformed trace: a Datadog span without trace_id"
    );
    // Nesting past what a span's tree holds, said as such (the position
    // serde_json gives is within the span, not the file).
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let nested = dd(9, 2, &format!(r#""x":"y"}},"meta_struct":{{"a":{deep}"#));
    assert_eq!(
        spans_per_trace(&format!("[[{},{nested}]]", dd(9, 1, ""))).unwrap_err(),
        "malformed trace: a span nested more than 128 levels deep"
    );

    // X-Ray: a segment's document as a string or an object, a segment
    // without one passed over, a trace's repeated `Segments` (the last).
    let doc = |trace: &str, id: &str| {
        format!(
            r#"{{"trace_id":"1-5f84c7a5-{trace}","id":"{id}","name":"svc","start_time":1.0,"end_time":2.0,"subsegments":[{{"id":"{id}0","name":"db","start_time":1.1,"end_time":1.2}}]}}"#
        )
    };
    let response = format!(
        r#"{{"Traces":[{{"Id":"a","Segments":[{{"Id":"1","Document":{}}},{{"Id":"2","Document":{}}},{{"Id":"3"}}]}},5,{{"Segments":[{{"Document":{}}}],"Segments":[{{"Document":{}}}]}}],"UnprocessedTraceIds":[]}}"#,
        serde_json::to_string(&doc("aa", "s1")).unwrap(),
        doc("aa", "s2"),
        serde_json::to_string(&doc("bb", "s3")).unwrap(),
        serde_json::to_string(&doc("cc", "s4")).unwrap(),
    );
    assert_eq!(
        spans_per_trace(&response).unwrap(),
        (
            vec![("1-5f84c7a5-aa".into(), 4), ("1-5f84c7a5-cc".into(), 2)],
            true
        )
    );
    let bad = r#"{"Traces":[{"Segments":[{"Id":"zz","Document":"{nope"}]}]}"#;
    assert!(spans_per_trace(bad)
        .unwrap_err()
        .starts_with("malformed trace: segment zz has a Document that is not JSON"));
    let listed = format!("[{},{}]", doc("dd", "s5"), doc("ee", "s6"));
    assert_eq!(spans_per_trace(&listed).unwrap().0.len(), 2);

    // Cloud Trace: every request's spans (a repeated `spans`: the last),
    // a request that is no object holding none.
    let span = |t: u32, s: u32| {
        format!(
            r#"{{"name":"projects/p/traces/{t:032x}/spans/{s:016x}","spanId":"{s:016x}","displayName":{{"value":"op"}},"startTime":"2024-05-01T10:00:00Z","endTime":"2024-05-01T10:00:01Z"}}"#
        )
    };
    let batch = format!(
        r#"{{"batchWriteSpansRequest":[{{"name":"projects/p","spans":[{},{}]}},5,{{"spans":[{}],"spans":[{},{}]}}]}}"#,
        span(1, 1),
        span(1, 2),
        span(2, 3),
        span(3, 4),
        span(3, 5)
    );
    assert_eq!(
        spans_per_trace(&batch).unwrap(),
        (
            vec![(format!("{:032x}", 1), 2), (format!("{:032x}", 3), 2)],
            true
        )
    );
    // v1: traces of their own ids; one without is refused.
    let v1 = |id: &str| {
        format!(
            r#"{{"projectId":"p",{id}"spans":[{{"spanId":"1","name":"root","startTime":"2024-05-01T10:00:00Z","endTime":"2024-05-01T10:00:01Z"}},{{"spanId":"2","parentSpanId":"1","name":"child","startTime":"2024-05-01T10:00:00Z","endTime":"2024-05-01T10:00:00.5Z"}}]}}"#
        )
    };
    let traces = format!(
        r#"{{"traces":[{},{}]}}"#,
        v1(r#""traceId":"t1","#),
        v1(r#""traceId":"t2","#)
    );
    assert_eq!(
        spans_per_trace(&traces).unwrap(),
        (vec![("t1".into(), 2), ("t2".into(), 2)], true)
    );
    let unnamed = format!(r#"{{"traces":[{},{}]}}"#, v1(r#""traceId":"t1","#), v1(""));
    assert_eq!(
        spans_per_trace(&unnamed).unwrap_err(),
        "malformed trace: a Cloud Trace v1 trace without traceId"
    );
}

/// A Datadog span's fields as a map keeps them: `meta` and
/// `metrics` each key once, at its first place, with its last value;
/// objects flattened to dotted keys, lists as their JSON text, numbers
/// kept; `events` and `_dd.span_links` in `meta` read as the events and
/// links they hold, not attributes; a field given twice (`meta` too), its
/// last value.
#[test]
fn a_datadog_span_reads_its_maps_as_a_map_keeps_them() {
    use tracescope_decode::model::{AttrValue, SpanKind, StatusCode};
    let span = r#"[[{"trace_id":7,"span_id":1,"parent_id":0,"name":"web.request","resource":"GET /a","resource":"GET /users","service":"web","type":"web","error":1,"start":1000,"duration":5,"duration":9,
        "meta":{"error.message":"stale","gone":"x"},
        "meta":{"span.kind":"server","a":"1","b":{"c":"x","d":2},"a":"3","l":[1,"2"],"span.kind":"client","error.msg":"boom","events":"[{\"name\":\"retry\",\"time_unix_nano\":1004,\"attributes\":{\"n\":2}}]","_dd.span_links":"[{\"trace_id\":\"00000000000000000000000000000007\",\"span_id\":\"0000000000000002\"}]","u\u002ekey":"esc"},
        "metrics":{"m":1.5,"big":18446744073709551615,"m":2},
        "meta_struct":{"x":{"y":true}},
        "span_events":[{"name":"native","time_unix_nano":1006,"attributes":{"k":"v"}}],
        "span_links":[{"trace_id":8,"span_id":3,"attributes":{"why":"fan-in"}}]}]]"#;
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, span.as_bytes()).unwrap();
    let t = &ds.traces[0];
    let value = |v: &AttrValue| match v {
        AttrValue::Str(s) => ds.str(*s).to_string(),
        other => format!("{other:?}"),
    };
    let attrs: Vec<String> = ds
        .attrs(t.attrs[0])
        .iter()
        .map(|a| format!("{}={}", ds.str(a.key), value(&a.value)))
        .collect();
    assert_eq!(
        attrs,
        [
            "operation.name=web.request",
            "resource.name=GET /users",
            "span.type=web",
            "span.kind=client",
            "a=3",
            "b.c=x",
            "b.d=Int(2)",
            r#"l=[1,"2"]"#,
            "error.msg=boom",
            "u.key=esc",
            "m=Int(2)",
            "big=18446744073709551615",
            "meta_struct.x.y=Bool(true)",
        ]
    );
    assert_eq!(ds.str(t.name[0]), "GET /users");
    assert_eq!((t.start_ns[0], t.duration_ns[0]), (1000, 9));
    assert_eq!(t.kind[0], SpanKind::Client);
    assert_eq!(t.status[0], StatusCode::Error);
    assert_eq!(ds.str(t.status_message[0]), "boom");
    let events: Vec<(i64, &str)> = ds
        .events(t.events[0])
        .iter()
        .map(|e| (e.time_ns, ds.str(e.name)))
        .collect();
    assert_eq!(events, [(1004, "retry"), (1006, "native")]);
    // An event's attributes under their own keys (no dot before them).
    let event_attrs: Vec<String> = ds
        .events(t.events[0])
        .iter()
        .flat_map(|e| ds.attrs(e.attrs))
        .map(|a| format!("{}={}", ds.str(a.key), value(&a.value)))
        .collect();
    assert_eq!(event_attrs, ["n=Int(2)", "k=v"]);
    let links: Vec<String> = ds
        .links(t.links[0])
        .iter()
        .map(|l| format!("{}/{}", ds.link_trace_id(l), ds.link_span_id(l)))
        .collect();
    assert_eq!(
        links,
        [
            "00000000000000000000000000000008/0000000000000003",
            "00000000000000000000000000000007/0000000000000002"
        ]
    );
}
