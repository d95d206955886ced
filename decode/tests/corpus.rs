//! Every file in ../shared/corpus, one test each (a failure names the file
//! and its format): it decodes to the counts checked by hand (an
//! independent Python count over the raw JSON, and the notes in
//! SOURCES.md) with every span once in its tree, or is refused with the
//! stated reason. A file in the corpus but not listed here fails too.
//! `harness = false`: the tests are made from the corpus (libtest-mimic).

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};
use tracescope_decode::{decode_bytes, Dataset, Format};

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

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

/// Every corpus file as its path below the corpus (`jaeger/x.json`), sorted.
fn corpus_files() -> Vec<String> {
    let root = corpus_dir();
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).expect("../shared/corpus is missing") {
        let dir = dir.expect("a corpus folder").path();
        if dir.is_dir() {
            for f in std::fs::read_dir(&dir).expect("a corpus folder") {
                let f = f.expect("a corpus file").path();
                let rel = f.strip_prefix(&root).expect("below the corpus");
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

fn read(file: &str) -> Result<Vec<u8>, Failed> {
    std::fs::read(corpus_dir().join(file)).map_err(|e| format!("{file}: {e}").into())
}

/// The file decodes to its hand-checked counts, every span once in its tree.
fn decodes_as_counted(
    file: &str,
    (format, traces, spans, services, errors): (Format, usize, usize, usize, usize),
) -> Result<(), Failed> {
    let mut ds = Dataset::default();
    let sum = decode_bytes(&mut ds, &read(file)?).map_err(|e| format!("{file}: {e}"))?;
    let mut svc: Vec<_> = ds
        .traces
        .iter()
        .flat_map(|t| t.service.iter().copied())
        .collect();
    svc.sort();
    svc.dedup();
    let errs: usize = ds.traces.iter().map(|t| t.error_count()).sum();
    let got = (sum.format, ds.traces.len(), sum.spans, svc.len(), errs);
    let want = (format, traces, spans, services, errors);
    if got != want {
        return Err(format!(
            "got (format, traces, spans, services, errors) {got:?}, expected {want:?}"
        )
        .into());
    }
    for t in &ds.traces {
        // What the tree keeps for the views is what the columns say.
        let mut own: Vec<_> = t.service.to_vec();
        own.sort();
        own.dedup();
        if t.tree.services() != own || t.tree.errors as usize != t.error_count() {
            return Err("the tree's services or error count differ from the columns".into());
        }
        let mut seen = vec![false; t.len()];
        for &s in t.tree.preorder() {
            if std::mem::replace(&mut seen[s as usize], true) {
                return Err(format!("span {s} twice in the tree order").into());
            }
        }
        if !seen.iter().all(|x| *x) {
            return Err("a span is missing from the tree".into());
        }
    }
    Ok(())
}

/// The file is refused, and the message says what it looks like.
fn refused_as(file: &str, words: &str) -> Result<(), Failed> {
    let mut ds = Dataset::default();
    match decode_bytes(&mut ds, &read(file)?) {
        Ok(_) => Err("decoded, but it is not a trace".into()),
        Err(e) if !e.to_string().contains(words) => {
            Err(format!("refused as \"{e}\", not with \"{words}\"").into())
        }
        Err(_) if !ds.traces.is_empty() => Err("refused, but traces were kept".into()),
        Err(_) => Ok(()),
    }
}

fn main() {
    let args = Arguments::from_args();
    let trials = corpus_files()
        .into_iter()
        .map(|file| {
            let listed = EXPECTED.iter().find(|e| e.0 == file).copied();
            let refused = REJECTED.iter().find(|r| r.0 == file).copied();
            match (listed, refused) {
                (Some((_, format, traces, spans, services, errors)), _) => {
                    let name = format!("{file} ({})", format.name());
                    Trial::test(name, move || {
                        decodes_as_counted(&file, (format, traces, spans, services, errors))
                    })
                }
                (None, Some((_, words))) => Trial::test(format!("{file} (refused)"), move || {
                    refused_as(&file, words)
                }),
                (None, None) => Trial::test(format!("{file} (not listed)"), move || {
                    Err("in the corpus but has no expected counts here".into())
                }),
            }
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
