//! Every file in ../shared/corpus decodes to the counts checked by hand
//! (an independent Python count over the raw JSON, and the notes in
//! SOURCES.md), or is rejected with the stated reason.

mod common;
use common::{corpus_dir, corpus_files, decode_file};
use tracescope_core::analysis::summary::summarize;
use tracescope_core::{decode_bytes, Dataset, Format};

/// (file, format, traces, spans, services, error spans)
const EXPECTED: &[(&str, Format, usize, usize, usize, usize)] = &[
    // Chrome: spans = X + B/E + b/e + S/F slices, plus instants no slice encloses.
    (
        "chrome/speedscope-Chrome116-devtools-Trace-20230603T221323.json",
        Format::Chrome,
        1,
        2710,
        3,
        0,
    ),
    (
        "chrome/speedscope-Chrome69-simple.json",
        Format::Chrome,
        1,
        1076,
        2,
        0,
    ),
    (
        "chrome/speedscope-hermes-multi-thread-with-samples.json",
        Format::Chrome,
        1,
        2,
        1,
        0,
    ),
    (
        "chrome/trace-viewer-async_begin_end.json",
        Format::Chrome,
        1,
        10,
        2,
        0,
    ),
    (
        "chrome/trace-viewer-flow_simple.json",
        Format::Chrome,
        1,
        5,
        5,
        0,
    ),
    (
        "chrome/trace-viewer-instance_counters.json",
        Format::Chrome,
        1,
        2,
        1,
        0,
    ),
    (
        "chrome/trace-viewer-instant_events.json",
        Format::Chrome,
        1,
        5,
        2,
        0,
    ),
    (
        "chrome/trace-viewer-main_thread_has_unclosed_slices.json",
        Format::Chrome,
        1,
        1684,
        2,
        0,
    ),
    (
        "chrome/trace-viewer-nanoseconds.json",
        Format::Chrome,
        1,
        8,
        1,
        0,
    ),
    (
        "chrome/trace-viewer-nestable_async.json",
        Format::Chrome,
        1,
        9,
        1,
        0,
    ),
    (
        "chrome/trace-viewer-simple_trace.json",
        Format::Chrome,
        1,
        15,
        2,
        0,
    ),
    (
        "chrome/trace-viewer-traceviewify.json",
        Format::Chrome,
        1,
        656,
        1,
        0,
    ),
    (
        "chrome/trace-viewer-trivial_trace.json",
        Format::Chrome,
        1,
        2,
        1,
        0,
    ),
    (
        "chrome/trace-viewer-x_event_trace.json",
        Format::Chrome,
        1,
        3294,
        1,
        0,
    ),
    (
        "datadog/dd-apm-test-agent-multi_trace.json",
        Format::Datadog,
        2,
        4,
        1,
        0,
    ),
    (
        "datadog/ddtracepy-azure-eventhubs-consume_many-span_links.json",
        Format::Datadog,
        2,
        5,
        2,
        0,
    ),
    (
        "datadog/ddtracepy-ci-fake-efd-faulty-session-large.json",
        Format::Datadog,
        46,
        51,
        1,
        0,
    ),
    (
        "datadog/ddtracepy-django-appsec-ipblock-26spans.json",
        Format::Datadog,
        1,
        26,
        1,
        0,
    ),
    (
        "datadog/ddtracepy-fastapi-websocket-context-propagation.json",
        Format::Datadog,
        6,
        12,
        1,
        0,
    ),
    (
        "datadog/ddtracepy-flask-appsec-userblock-meta_struct.json",
        Format::Datadog,
        1,
        12,
        1,
        2,
    ),
    (
        "datadog/ddtracepy-graphql-error.json",
        Format::Datadog,
        1,
        3,
        1,
        2,
    ),
    (
        "datadog/ddtracepy-httpx-get_500.json",
        Format::Datadog,
        1,
        1,
        1,
        1,
    ),
    (
        "datadog/ddtracepy-large-unicode-string-attributes.json",
        Format::Datadog,
        1,
        1,
        1,
        0,
    ),
    (
        "datadog/ddtracepy-otel-record-exception.json",
        Format::Datadog,
        2,
        2,
        1,
        1,
    ),
    (
        "datadog/ddtracepy-otel-span-events.json",
        Format::Datadog,
        2,
        2,
        1,
        0,
    ),
    (
        "datadog/ddtracepy-pytest-xdist-will_include_lines_pct.json",
        Format::Datadog,
        3,
        5,
        1,
        0,
    ),
    (
        "datadog/ddtracepy-sampling-match_non_root_span-uint64-parent.json",
        Format::Datadog,
        1,
        1,
        1,
        0,
    ),
    (
        "gcp/gcp-otelops-traces_basic_expected-v2-batchWriteSpans.json",
        Format::Gcp,
        8,
        20,
        2,
        0,
    ),
    (
        "gcp/gcp-otelops-traces_user_agent_expected-v2-batchWriteSpans.json",
        Format::Gcp,
        8,
        20,
        2,
        0,
    ),
    (
        "jaeger/jaeger-analytics-java-ui-trace-query-response.json",
        Format::Jaeger,
        1,
        2,
        1,
        0,
    ),
    (
        "jaeger/jaeger-anonymizer-trace_success-spanarray.json",
        Format::Jaeger,
        1,
        2,
        2,
        1,
    ),
    (
        "jaeger/jaeger-ui-TraceCriticalPath-testTrace.json",
        Format::Jaeger,
        1,
        4,
        4,
        0,
    ),
    (
        "jaeger/jaeger-ui-TraceFlamegraph-testTrace-reduxstate.json",
        Format::Jaeger,
        1,
        4,
        2,
        0,
    ),
    (
        "jaeger/jaeger-ui-TraceGraph-testTrace.json",
        Format::Jaeger,
        1,
        11,
        2,
        1,
    ),
    (
        "jaeger/jaeger-ui-genaiTestTrace.json",
        Format::Jaeger,
        1,
        57,
        10,
        1,
    ),
    (
        "jaeger/jaeger-ui-oltp2jaeger-multi-out.json",
        Format::Jaeger,
        1,
        4,
        1,
        0,
    ),
    (
        "jaeger/jaeger-ui-otlp2jaeger-out.json",
        Format::Jaeger,
        1,
        2,
        1,
        0,
    ),
    (
        "jaeger/jaeger-ui-spanAmongEachOtherGroupedAndSpans.json",
        Format::Jaeger,
        1,
        17,
        2,
        0,
    ),
    (
        "jaeger/jaeger-ui-spanLongerAsParent.json",
        Format::Jaeger,
        1,
        8,
        2,
        0,
    ),
    (
        "jaeger/jaeger-ui-traceWithMultipleSpansWithTheSameValueInDifferentTags.json",
        Format::Jaeger,
        1,
        4,
        1,
        0,
    ),
    (
        "jaeger/jaeger-ui-traceWithSingleChildLongerThanParentAndStartsAfterParent.json",
        Format::Jaeger,
        1,
        2,
        2,
        0,
    ),
    (
        "jaeger/jaeger-uimodel-ui_01.json",
        Format::Jaeger,
        1,
        5,
        2,
        1,
    ),
    (
        "jaeger/model-protojson-jaeger-uimodel-domain_01.json",
        Format::Jaeger,
        1,
        5,
        2,
        1,
    ),
    (
        "otlp/jaeger-apiv3-getTrace-response-hotrod.json",
        Format::Otlp,
        1,
        40,
        6,
        3,
    ),
    (
        "otlp/jaeger-apiv3-snapshot-GetTrace.json",
        Format::Otlp,
        1,
        1,
        1,
        1,
    ),
    (
        "otlp/jaeger-integration-example_trace.json",
        Format::Otlp,
        1,
        5,
        3,
        0,
    ),
    (
        "otlp/jaeger-integration-link_attributes_trace.json",
        Format::Otlp,
        1,
        1,
        1,
        0,
    ),
    (
        "otlp/jaeger-memory-otel_traces_01.json",
        Format::Otlp,
        2,
        4,
        1,
        4,
    ),
    (
        "otlp/jaeger-ui-genai-agent-trace.json",
        Format::Otlp,
        1,
        8,
        1,
        0,
    ),
    (
        "otlp/jaeger-ui-otlp2jaeger-in-error.json",
        Format::Otlp,
        1,
        1,
        1,
        0,
    ),
    (
        "otlp/jaeger-ui-otlp2jaeger-multi-in.jsonl",
        Format::Otlp,
        1,
        4,
        1,
        0,
    ),
    (
        "otlp/jaeger-ui-otlp2jaeger-negative-counts.json",
        Format::Otlp,
        1,
        1,
        1,
        0,
    ),
    (
        "otlp/otel-proto-examples-trace.json",
        Format::Otlp,
        1,
        1,
        1,
        0,
    ),
    (
        "otlp/tempo-servicegraphs-trace-with-expired-edges.json",
        Format::Otlp,
        1,
        5,
        2,
        0,
    ),
    (
        "otlp/tempo-servicegraphs-trace-with-failed-requests.json",
        Format::Otlp,
        1,
        15,
        2,
        3,
    ),
    (
        "otlp/tempo-servicegraphs-trace-with-queue-database.json",
        Format::Otlp,
        1,
        19,
        3,
        0,
    ),
    (
        "otlp/tempo-servicegraphs-trace-with-virtual-nodes.json",
        Format::Otlp,
        2,
        3,
        3,
        0,
    ),
    (
        "tempo/tempo-servicegraphs-test-sample-batches.json",
        Format::Otlp,
        2,
        17,
        3,
        1,
    ),
    (
        "tempo/tempo-tempopb-trace-batches.json",
        Format::Otlp,
        1,
        1,
        1,
        0,
    ),
    (
        "tempo/tempo-vulture-testdata-trace.json",
        Format::Otlp,
        1,
        6,
        1,
        0,
    ),
    (
        "xray/awscli-example-batch-get-traces-scorekeep.json",
        Format::XRay,
        1,
        3,
        2,
        0,
    ),
    (
        "xray/awsdocs-devguide-batch-get-traces-response.json",
        Format::XRay,
        1,
        11,
        4,
        0,
    ),
    (
        "xray/awsdocs-devguide-segment-with-remote-subsegment.json",
        Format::XRay,
        1,
        2,
        1,
        0,
    ),
    (
        "xray/otelcol-awsxray-awsValidAwsFields.json",
        Format::XRay,
        1,
        1,
        1,
        0,
    ),
    (
        "xray/otelcol-awsxray-ddbSample-go-sdk-capture.json",
        Format::XRay,
        1,
        18,
        1,
        5,
    ),
    (
        "xray/otelcol-awsxray-indepSubsegmentWithSql.json",
        Format::XRay,
        1,
        1,
        1,
        0,
    ),
    (
        "xray/otelcol-awsxray-invalidNamespace.json",
        Format::XRay,
        1,
        18,
        1,
        5,
    ),
    (
        "xray/otelcol-awsxray-minCauseIsExceptionId.json",
        Format::XRay,
        1,
        1,
        1,
        1,
    ),
    (
        "xray/otelcol-awsxray-minInProgress.json",
        Format::XRay,
        1,
        1,
        1,
        0,
    ),
    (
        "xray/otelcol-awsxray-minOtherFields-throttle-subsegment.json",
        Format::XRay,
        1,
        1,
        1,
        1,
    ),
    (
        "xray/otelcol-awsxray-serverSample-go-sdk-capture.json",
        Format::XRay,
        1,
        1,
        1,
        0,
    ),
    (
        "zipkin/jaeger-collector-zipkin_v2_03.json",
        Format::Zipkin,
        1,
        1,
        1,
        0,
    ),
    (
        "zipkin/v1-otelcol-zipkin_v1_error_batch.json",
        Format::Zipkin,
        1,
        2,
        1,
        0,
    ),
    (
        "zipkin/v1-otelcol-zipkin_v1_multiple_batches.json",
        Format::Zipkin,
        1,
        5,
        4,
        0,
    ),
    (
        "zipkin/v1-otelcol-zipkin_v1_single_batch.json",
        Format::Zipkin,
        1,
        5,
        4,
        0,
    ),
    // One v1 span carrying cs/sr/ss/cr: its client and server halves are two rows.
    (
        "zipkin/v1-zipkin-benchmarks-span-rpc.json",
        Format::Zipkin,
        1,
        2,
        2,
        0,
    ),
    (
        "zipkin/v1-zipkin-lens-test.json",
        Format::Zipkin,
        1,
        2,
        1,
        0,
    ),
    (
        "zipkin/zipkin-benchmarks-zipkin2-chinese.json",
        Format::Zipkin,
        1,
        1,
        1,
        1,
    ),
    ("zipkin/zipkin-lens-envoy.json", Format::Zipkin, 1, 1, 1, 0),
    (
        "zipkin/zipkin-lens-malformed.json",
        Format::Zipkin,
        1,
        7,
        2,
        0,
    ),
    (
        "zipkin/zipkin-lens-messaging-kafka.json",
        Format::Zipkin,
        1,
        28,
        2,
        3,
    ),
    (
        "zipkin/zipkin-lens-messaging2.json",
        Format::Zipkin,
        1,
        11,
        4,
        0,
    ),
    // 8 entries, two of them annotation-only fragments of 6c59056709a0b1e4 merged into its client half.
    (
        "zipkin/zipkin-lens-netflix.json",
        Format::Zipkin,
        1,
        6,
        3,
        0,
    ),
    ("zipkin/zipkin-lens-skew.json", Format::Zipkin, 1, 4, 2, 0),
    (
        "zipkin/zipkin-lens-smartthings-mobile-web-install.json",
        Format::Zipkin,
        1,
        1041,
        16,
        2,
    ),
    (
        "zipkin/zipkin-lens-smartthings-oauth-authorization.json",
        Format::Zipkin,
        1,
        175,
        8,
        2,
    ),
];

/// Files that are JSON but no trace, and the words their message must hold.
const REJECTED: &[(&str, &str)] = &[
    (
        "chrome/speedscope-Chrome141-no-arg-data.json",
        "a profile, not a trace",
    ),
    (
        "tempo/tempo-docs-api-search-tags-response.json",
        "Tempo search response listing 2 trace summaries",
    ),
];

#[test]
fn every_corpus_file_is_listed() {
    for f in corpus_files() {
        assert!(
            EXPECTED.iter().any(|e| e.0 == f) || REJECTED.iter().any(|r| r.0 == f),
            "{f} is in the corpus but has no expected counts here"
        );
    }
}

#[test]
fn corpus_files_decode_to_hand_checked_counts() {
    let mut failures = Vec::new();
    for &(file, format, traces, spans, services, errors) in EXPECTED {
        let bytes = std::fs::read(corpus_dir().join(file)).unwrap();
        let mut ds = Dataset::default();
        let sum = match decode_bytes(&mut ds, &bytes) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{file}: {e}"));
                continue;
            }
        };
        let mut svc: Vec<_> = ds
            .traces
            .iter()
            .flat_map(|t| t.service.iter().copied())
            .collect();
        svc.sort();
        svc.dedup();
        let errs: usize = ds.traces.iter().map(|t| t.error_count()).sum();
        let got = (sum.format, ds.traces.len(), sum.spans, svc.len(), errs);
        if got != (format, traces, spans, services, errors) {
            failures.push(format!(
                "{file}: got {got:?}, expected {:?}",
                (format, traces, spans, services, errors)
            ));
        }
        // Every span appears exactly once in its trace's tree order.
        for t in &ds.traces {
            // What the tree keeps for the views is what the columns say.
            let mut own: Vec<_> = t.service.clone();
            own.sort();
            own.dedup();
            assert_eq!(t.tree.services, own, "{file}");
            assert_eq!(t.tree.errors as usize, t.error_count(), "{file}");
            let mut seen = vec![false; t.len()];
            for &s in &t.tree.preorder {
                assert!(!seen[s as usize], "{file}: span {s} twice in preorder");
                seen[s as usize] = true;
            }
            assert!(
                seen.iter().all(|x| *x),
                "{file}: a span is missing from the tree"
            );
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn non_trace_files_are_rejected_with_what_they_look_like() {
    for &(file, words) in REJECTED {
        let bytes = std::fs::read(corpus_dir().join(file)).unwrap();
        let mut ds = Dataset::default();
        let e = decode_bytes(&mut ds, &bytes).expect_err(file).to_string();
        assert!(e.contains(words), "{file}: {e}");
        assert!(ds.traces.is_empty());
    }
}

fn span_by_text<'a>(ds: &'a Dataset, t: &'a tracescope_core::Trace, id: &str) -> Vec<usize> {
    (0..t.len())
        .filter(|&i| ds.str(t.span_id_text[i]) == id)
        .collect()
}

#[test]
fn zipkin_shared_ids_are_two_linked_rows_with_children_under_the_server_half() {
    use tracescope_core::model::{flags, LinkKind, SpanKind};
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
    assert_eq!(ds.str(link.span_id_text), "74280ae0c10d8062");
    let asynch = span_by_text(&ds, t, "43210ae0c10d1234")[0];
    assert_eq!(t.tree.parent_of(asynch), Some(server));
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
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
    assert_eq!(ds.str(t.parent_id_text[0]), "13788320320102458254");
    assert_eq!(
        t.parent_key[0],
        Some(tracescope_core::model::IdKey::Num(13788320320102458254))
    );
    // _dd.p.tid is the high half of the 128-bit trace id.
    assert_eq!(ds.str(t.trace_id_text), "69f39dfa000000000000000000000000");
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
    assert!(u.warnings.iter().any(|w| w.contains("used more than once")));
    assert_eq!(u.tree.preorder.len(), 5);
}

#[test]
fn orphans_are_kept_under_their_trace_with_a_warning() {
    let ds = decode_file("jaeger/jaeger-ui-otlp2jaeger-out.json");
    let t = &ds.traces[0];
    assert_eq!(t.tree.roots.len(), 2);
    assert!(t
        .flags
        .iter()
        .all(|f| f & tracescope_core::model::flags::ORPHAN != 0));
    assert!(t.warnings.iter().any(|w| w.contains("not in this file")));
}

#[test]
fn chrome_unclosed_slices_reach_the_end_and_are_flagged() {
    let ds = decode_file("chrome/trace-viewer-main_thread_has_unclosed_slices.json");
    let t = &ds.traces[0];
    let open = t
        .flags
        .iter()
        .filter(|f| **f & tracescope_core::model::flags::NO_DURATION != 0)
        .count();
    assert_eq!(open, 4); // 1684 B vs 1680 E
    assert!(t.warnings.iter().any(|w| w.contains("never closed")));
}

#[test]
fn xray_documents_as_strings_nest_across_documents() {
    let ds = decode_file("xray/awscli-example-batch-get-traces-scorekeep.json");
    let t = &ds.traces[0];
    let ddb_inferred = span_by_text(&ds, t, "0f278b6334c34e6b")[0];
    let sub = span_by_text(&ds, t, "2d6900034ccfe558")[0];
    assert_eq!(t.tree.parent_of(ddb_inferred), Some(sub));
    assert_eq!(
        ds.str(t.trace_id_text),
        "1-5d82881a-0a9126e92a73e971eed891b9"
    );
    let s = summarize(&ds, t);
    assert_eq!(s.root_service, "Scorekeep");
    assert_eq!(s.duration_ns, 232_000_000);
}
