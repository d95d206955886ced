//! Realistic synthetic traces of any size, for benchmarks: one trace of N
//! spans over ~30 services, a tree both deep (call chains) and wide (fan-outs
//! to caches and databases), attributes, events, some errors and retries.
//! Written as Jaeger (a trace object, or its spans listed), OTLP or Zipkin
//! v2 JSON, Jaeger or OTLP JSON Lines, or
//! as Chrome trace events.
//! Deterministic for a seed.

use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SynthFormat {
    Jaeger,
    /// The same trace object alone, as Jaeger UI's "Trace JSON" shows it.
    JaegerTrace,
    /// The trace's spans a line each, each with its process inline (as a
    /// collector's Kafka topic holds them, written out).
    JaegerLines,
    /// The same spans as one list (jaeger-anonymizer's output).
    JaegerList,
    Otlp,
    /// OTLP requests of [`LINE_SPANS`] spans, a line each (as the
    /// OpenTelemetry Collector's file exporter writes a batch a line).
    OtlpLines,
    Zipkin,
    /// A Datadog agent payload: the trace as one chunk of spans.
    Datadog,
    Chrome,
}

/// The spans of a line of [`SynthFormat::OtlpLines`].
pub const LINE_SPANS: usize = 512;

impl SynthFormat {
    /// Every format but Chrome's (whose events are matched into spans):
    /// each writes the trace's spans as they are.
    pub const OF_SPANS: [SynthFormat; 8] = [
        SynthFormat::Jaeger,
        SynthFormat::JaegerTrace,
        SynthFormat::JaegerLines,
        SynthFormat::JaegerList,
        SynthFormat::Otlp,
        SynthFormat::OtlpLines,
        SynthFormat::Zipkin,
        SynthFormat::Datadog,
    ];

    pub fn parse(s: &str) -> Option<SynthFormat> {
        match s {
            "jaeger" => Some(SynthFormat::Jaeger),
            "jaeger-trace" => Some(SynthFormat::JaegerTrace),
            "jaeger-lines" => Some(SynthFormat::JaegerLines),
            "jaeger-list" => Some(SynthFormat::JaegerList),
            "otlp" => Some(SynthFormat::Otlp),
            "otlp-lines" => Some(SynthFormat::OtlpLines),
            "zipkin" => Some(SynthFormat::Zipkin),
            "datadog" => Some(SynthFormat::Datadog),
            "chrome" => Some(SynthFormat::Chrome),
            _ => None,
        }
    }
}

/// A small deterministic generator (64-bit LCG, high bits).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const SERVICES: &[&str] = &[
    "frontend",
    "api-gateway",
    "auth",
    "cart",
    "checkout",
    "payment",
    "fraud",
    "inventory",
    "catalog",
    "pricing",
    "currency",
    "shipping",
    "email",
    "notification",
    "recommendation",
    "search",
    "ads",
    "user-profile",
    "session",
    "orders",
    "billing",
    "tax",
    "loyalty",
    "reviews",
    "media",
    "cdn-edge",
    "redis",
    "postgres",
    "kafka",
    "elasticsearch",
];
const OPS: &[&str] = &[
    "GET /api/items",
    "POST /api/orders",
    "Process",
    "Query",
    "GET",
    "SET",
    "SELECT",
    "publish",
    "consume",
    "render",
];

/// One span before writing: parent index, service, operation, start/duration (µs), error.
struct S {
    parent: Option<usize>,
    service: usize,
    op: usize,
    start_us: i64,
    dur_us: i64,
    error: bool,
}

fn build(n: usize, seed: u64) -> Vec<S> {
    let mut rng = Rng(seed ^ 0x9e37_79b9_7f4a_7c15);
    let t0: i64 = 1_700_000_000_000_000;
    let mut spans: Vec<S> = Vec::with_capacity(n);
    spans.push(S {
        parent: None,
        service: 0,
        op: 0,
        start_us: t0,
        dur_us: 1_000_000 + n as i64 * 20,
        error: false,
    });
    // Each new span picks a parent: mostly a recent span (deep chains), sometimes an early one (wide fan-outs).
    for i in 1..n {
        let p = if rng.below(4) == 0 {
            rng.below(i.min(64) as u64) as usize
        } else {
            i - 1 - rng.below(i.min(8) as u64) as usize
        };
        let (ps, pd) = (spans[p].start_us, spans[p].dur_us.max(2));
        let offset = rng.below((pd / 2).max(1) as u64) as i64;
        let dur = (rng.below((pd - offset).max(1) as u64) as i64).max(1);
        let leaf_service = 26 + rng.below(4) as usize;
        let service = if rng.below(3) == 0 {
            leaf_service
        } else {
            1 + rng.below(25) as usize
        };
        spans.push(S {
            parent: Some(p),
            service,
            op: rng.below(OPS.len() as u64) as usize,
            start_us: ps + offset,
            dur_us: dur,
            error: rng.below(50) == 0,
        });
    }
    spans
}

fn span_hex(i: usize) -> String {
    format!(
        "{:016x}",
        (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    )
}

/// N spans of one trace in the given format.
pub fn trace_json(n: usize, format: SynthFormat, seed: u64) -> String {
    let spans = build(n.max(1), seed);
    let trace_id = format!(
        "{:032x}",
        (seed as u128 + 1).wrapping_mul(0x0123_4567_89ab_cdef_0fed_cba9_8765_4321)
    );
    let mut out = String::with_capacity(n * 420);
    match format {
        SynthFormat::Jaeger | SynthFormat::JaegerTrace => {
            let enveloped = format == SynthFormat::Jaeger;
            if enveloped {
                out.push_str("{\"data\":[");
            }
            let _ = write!(out, "{{\"traceID\":\"{trace_id}\",\"spans\":[");
            for (i, s) in spans.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let process = format!("\"processID\":\"p{}\"", s.service);
                jaeger_span(&trace_id, i, s, &process, &mut out);
            }
            out.push_str("],\"processes\":{");
            for (k, _) in SERVICES.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                let _ = write!(out, "\"p{k}\":{}", jaeger_process(k));
            }
            out.push_str("}}");
            if enveloped {
                out.push_str("]}");
            }
        }
        SynthFormat::JaegerLines | SynthFormat::JaegerList => {
            let listed = format == SynthFormat::JaegerList;
            if listed {
                out.push('[');
            }
            for (i, s) in spans.iter().enumerate() {
                if i > 0 {
                    out.push(if listed { ',' } else { '\n' });
                }
                let process = format!("\"process\":{}", jaeger_process(s.service));
                jaeger_span(&trace_id, i, s, &process, &mut out);
            }
            if listed {
                out.push(']');
            }
        }
        SynthFormat::Otlp => {
            let all: Vec<usize> = (0..spans.len()).collect();
            otlp_request(&spans, &all, &trace_id, &mut out);
        }
        SynthFormat::OtlpLines => {
            let all: Vec<usize> = (0..spans.len()).collect();
            for (k, line) in all.chunks(LINE_SPANS).enumerate() {
                if k > 0 {
                    out.push('\n');
                }
                otlp_request(&spans, line, &trace_id, &mut out);
            }
        }
        SynthFormat::Zipkin => {
            let tid = &trace_id[16..];
            out.push('[');
            for (i, s) in spans.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let parent = s
                    .parent
                    .map(|p| format!("\"parentId\":\"{}\",", span_hex(p)))
                    .unwrap_or_default();
                let err = if s.error { ",\"error\":\"boom\"" } else { "" };
                let _ = write!(
                    out,
                    "{{\"traceId\":\"{tid}\",\"id\":\"{}\",{parent}\"name\":\"{}\",\"kind\":\"SERVER\",\"timestamp\":{},\"duration\":{},\"localEndpoint\":{{\"serviceName\":\"{}\"}},\"annotations\":[{{\"timestamp\":{},\"value\":\"handled\"}}],\"tags\":{{\"request.id\":\"req-{i}\"{err}}}}}",
                    span_hex(i),
                    OPS[s.op],
                    s.start_us,
                    s.dur_us,
                    SERVICES[s.service],
                    s.start_us + s.dur_us / 2
                );
            }
            out.push(']');
        }
        SynthFormat::Datadog => datadog_chunk(&spans, &trace_id, &mut out),
        SynthFormat::Chrome => chrome_events(&spans, &mut out),
    }
    out
}

/// The spans as a Datadog payload of one chunk: ids as uint64 numbers,
/// the trace id's high half in the first span's `_dd.p.tid`, times in ns.
fn datadog_chunk(spans: &[S], trace_id: &str, out: &mut String) {
    let (high, low) = trace_id.split_at(16);
    let low = u64::from_str_radix(low, 16).unwrap_or(0);
    let id = |i: usize| u64::from_str_radix(&span_hex(i), 16).unwrap_or(0);
    out.push_str("[[");
    for (i, s) in spans.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let tid = match i {
            0 => format!(",\"_dd.p.tid\":\"{high}\""),
            _ => String::new(),
        };
        let err = if s.error {
            ",\"error.message\":\"boom\""
        } else {
            ""
        };
        let _ = write!(
            out,
            "{{\"trace_id\":{low},\"span_id\":{},\"parent_id\":{},\"name\":\"{op}\",\"resource\":\"{op}\",\"service\":\"{}\",\"type\":\"web\",\"start\":{},\"duration\":{},\"error\":{},\"meta\":{{\"span.kind\":\"server\",\"request.id\":\"req-{i}\"{err}{tid}}},\"metrics\":{{\"http.status_code\":{}}}}}",
            id(i),
            s.parent.map_or(0, id),
            SERVICES[s.service],
            s.start_us * 1000,
            s.dur_us * 1000,
            u8::from(s.error),
            if s.error { 500 } else { 200 },
            op = OPS[s.op],
        );
    }
    out.push_str("]]");
}

/// Span `i` as a Jaeger span, naming its process by `process` (an id or
/// the process inline).
fn jaeger_span(trace_id: &str, i: usize, s: &S, process: &str, out: &mut String) {
    let refs = s
        .parent
        .map(|p| {
            format!(
                "[{{\"refType\":\"CHILD_OF\",\"traceID\":\"{trace_id}\",\"spanID\":\"{}\"}}]",
                span_hex(p)
            )
        })
        .unwrap_or_else(|| "[]".into());
    let _ = write!(
        out,
        "{{\"traceID\":\"{trace_id}\",\"spanID\":\"{}\",\"operationName\":\"{}\",\"references\":{refs},\"startTime\":{},\"duration\":{},\"tags\":[{{\"key\":\"span.kind\",\"type\":\"string\",\"value\":\"server\"}},{{\"key\":\"http.status_code\",\"type\":\"int64\",\"value\":{}}},{{\"key\":\"request.id\",\"type\":\"string\",\"value\":\"req-{i}\"}},{{\"key\":\"error\",\"type\":\"bool\",\"value\":{}}}],\"logs\":[{{\"timestamp\":{},\"fields\":[{{\"key\":\"event\",\"type\":\"string\",\"value\":\"handled\"}}]}}],{process}}}",
        span_hex(i),
        OPS[s.op],
        s.start_us,
        s.dur_us,
        if s.error { 500 } else { 200 },
        s.error,
        s.start_us + s.dur_us / 2,
    );
}

/// The Jaeger process of service `k`.
fn jaeger_process(k: usize) -> String {
    let name = SERVICES[k];
    format!("{{\"serviceName\":\"{name}\",\"tags\":[{{\"key\":\"hostname\",\"type\":\"string\",\"value\":\"{name}-7d9f\"}}]}}")
}

/// One OTLP request of the spans `which`, a resource per service.
fn otlp_request(spans: &[S], which: &[usize], trace_id: &str, out: &mut String) {
    out.push_str("{\"resourceSpans\":[");
    let mut first_group = true;
    for (k, name) in SERVICES.iter().enumerate() {
        let mine: Vec<usize> = which
            .iter()
            .copied()
            .filter(|&i| spans[i].service == k)
            .collect();
        if mine.is_empty() {
            continue;
        }
        if !first_group {
            out.push(',');
        }
        first_group = false;
        let _ = write!(out, "{{\"resource\":{{\"attributes\":[{{\"key\":\"service.name\",\"value\":{{\"stringValue\":\"{name}\"}}}}]}},\"scopeSpans\":[{{\"scope\":{{\"name\":\"synth\"}},\"spans\":[");
        for (j, &i) in mine.iter().enumerate() {
            let s = &spans[i];
            if j > 0 {
                out.push(',');
            }
            let parent = s
                .parent
                .map(|p| format!("\"parentSpanId\":\"{}\",", span_hex(p)))
                .unwrap_or_default();
            let start = s.start_us * 1000;
            let _ = write!(
                out,
                "{{\"traceId\":\"{trace_id}\",\"spanId\":\"{}\",{parent}\"name\":\"{}\",\"kind\":2,\"startTimeUnixNano\":\"{start}\",\"endTimeUnixNano\":\"{}\",\"attributes\":[{{\"key\":\"http.status_code\",\"value\":{{\"intValue\":\"{}\"}}}},{{\"key\":\"request.id\",\"value\":{{\"stringValue\":\"req-{i}\"}}}}],\"events\":[{{\"timeUnixNano\":\"{}\",\"name\":\"handled\"}}],\"status\":{{\"code\":{}}}}}",
                span_hex(i),
                OPS[s.op],
                start + s.dur_us * 1000,
                if s.error { 500 } else { 200 },
                start + s.dur_us * 500,
                if s.error { 2 } else { 0 }
            );
        }
        out.push_str("]}]}");
    }
    out.push_str("]}");
}

/// The spans as a DevTools file (`metadata` first, then `traceEvents`):
/// a process per service (named by metadata), four threads each; six
/// spans in ten an `X` slice, two a `B` whose `E` comes at the end of the
/// file (in the reverse order, as a stack closes), two an async `b` whose
/// `e` comes there too; a counter every tenth span. Each span is one slice.
fn chrome_events(spans: &[S], out: &mut String) {
    out.push_str("{\"metadata\":{\"source\":\"DevTools\",\"synthetic\":true},\"traceEvents\":[");
    for (k, name) in SERVICES.iter().enumerate() {
        let _ = write!(out, "{{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":{},\"tid\":0,\"ts\":0,\"args\":{{\"name\":\"{name}\"}}}},", k + 1);
    }
    let mut ends = Vec::new();
    for (i, s) in spans.iter().enumerate() {
        let (pid, tid, op) = (s.service + 1, i % 4, OPS[s.op]);
        let common = format!(
            "\"cat\":\"synth\",\"name\":\"{op}\",\"pid\":{pid},\"tid\":{tid},\"ts\":{}",
            s.start_us
        );
        let args = format!(
            "\"args\":{{\"data\":{{\"request\":\"req-{i}\",\"status\":{}}}}}",
            if s.error { 500 } else { 200 }
        );
        let end = s.start_us + s.dur_us;
        match i % 10 {
            6 | 7 => {
                let _ = write!(out, "{{\"ph\":\"B\",{common},{args}}},");
                ends.push(format!(
                    "{{\"ph\":\"E\",\"name\":\"{op}\",\"pid\":{pid},\"tid\":{tid},\"ts\":{end}}}"
                ));
            }
            8 | 9 => {
                let _ = write!(out, "{{\"ph\":\"b\",\"id\":\"0x{i:x}\",{common},{args}}},");
                ends.push(format!("{{\"ph\":\"e\",\"id\":\"0x{i:x}\",\"cat\":\"synth\",\"name\":\"{op}\",\"pid\":{pid},\"tid\":{tid},\"ts\":{end}}}"));
            }
            _ => {
                let _ = write!(
                    out,
                    "{{\"ph\":\"X\",{common},\"dur\":{},{args}}},",
                    s.dur_us
                );
            }
        }
        if i % 10 == 0 {
            let _ = write!(out, "{{\"ph\":\"C\",\"name\":\"heap\",\"pid\":{pid},\"tid\":{tid},\"ts\":{},\"args\":{{\"used\":{i}}}}},", s.start_us);
        }
    }
    ends.reverse();
    out.push_str(&ends.join(","));
    if ends.is_empty() {
        out.pop();
    }
    out.push_str("]}");
}

/// A trace whose span i has the parent `parents[i]` (an index, possibly
/// itself, out of range → orphan, or None).
pub fn trace_with(parents: &[Option<usize>], starts: &[i64], durs: &[i64]) -> crate::model::Trace {
    let n = parents.len();
    let mut t = crate::model::Trace::default();
    for i in 0..n {
        t.push_span(crate::model::SpanRow {
            span_key: crate::model::IdKey::num(i as u128 + 1),
            parent_key: parents[i].map(|p| crate::model::IdKey::num(p as u128 + 1)),
            start_ns: starts[i % starts.len().max(1)],
            duration_ns: durs[i % durs.len().max(1)],
            ..Default::default()
        });
    }
    crate::analysis::tree::build(&mut t);
    t
}
