//! A file decoded in parts (`decode::parts`) gives exactly the model that
//! decoding it whole gives: every corpus file cut in 2–4 parts, synthetic
//! Jaeger and OTLP files cut at every kind of awkward place, gzip, and
//! guesses of where a part begins that are wrong (caught, and the file
//! decoded whole).

mod common;
use common::{corpus_dir, corpus_files, model_text, one_span_traces};
use proptest::prelude::*;
use tracescope_core::decode::decode_bytes_general;
use tracescope_core::decode::parts::{
    bytes_of, context_of, cuts, cuts_weighted, decode_first_part, decode_in_parts, decode_later,
    format_of, merge_later, merged,
};
use tracescope_core::decode::{detect, Format};
use tracescope_core::wire::{part_bytes, read_part, Decoder};
use tracescope_core::{decode_bytes, Dataset, DecodeSummary};

/// Everything the model holds, comparable across datasets: its resources
/// in order (an export groups spans by them), and per trace its id,
/// warnings and spans in order (each with its tree parent).
fn model(ds: &Dataset) -> Vec<String> {
    let mut out: Vec<String> = ds
        .resources
        .iter()
        .map(|r| format!("resource {}", model_text::resource(ds, r)))
        .collect();
    for t in &ds.traces {
        out.push(format!(
            "trace {} {:?} roots {:?} depth {}",
            ds.trace_id(t),
            t.warnings(),
            t.tree.roots(),
            t.tree.max_depth
        ));
        for i in 0..t.len() {
            let p = t.tree.parent()[i];
            let parent = (p != tracescope_core::tree::NONE).then_some(p as usize);
            out.push(model_text::span(ds, t, i, parent));
        }
    }
    out
}

fn whole(bytes: &[u8]) -> (Result<usize, String>, Vec<String>) {
    let mut ds = Dataset::default();
    let r = decode_bytes(&mut ds, bytes)
        .map(|s| s.spans)
        .map_err(|e| e.to_string());
    (r, model(&ds))
}

/// The parts decoded apart, handed over as bytes (as the page's helper
/// workers hand theirs to the worker) and merged; None when they do not fit.
fn merged_through_bytes(bytes: &[u8], cuts: &[usize]) -> Option<Dataset> {
    let context = context_of(bytes)?;
    let mut ds = Dataset::default();
    let first = decode_first_part(
        &mut ds,
        &bytes[bytes_of(bytes.len(), cuts, 0)],
        cuts.first().copied(),
        &mut |_| {},
    )?;
    // A part that does not read as one is left out, as the worker leaves
    // it (the merge finds the gap, unless the part before read to the end).
    let later = (1..=cuts.len())
        .filter_map(|k| {
            let r = bytes_of(bytes.len(), cuts, k);
            let mut part = bytes[r.clone()].to_vec();
            let part = decode_later(&context, &mut part, r.start, cuts.get(k).copied())?;
            Some(read_part(&part_bytes(&part)).expect("a part reads back"))
        })
        .collect();
    merge_later(&mut ds, first, later, &mut |_| {}, &mut |_| {})?.ok()?;
    Some(ds)
}

#[test]
fn the_first_part_is_larger_by_its_weight() {
    assert_eq!(cuts_weighted(2080, 2, 1.08), [1080]);
    assert_eq!(cuts_weighted(3080, 3, 1.08), [1080, 2080]);
    assert_eq!(cuts(3000, 3), [1000, 2000]);
    for len in [0, 1, 999, 431_000_000, 1 << 40] {
        for n in 1..=8 {
            let c = cuts_weighted(len, n, 1.08);
            assert_eq!(c.len(), n.saturating_sub(1));
            assert!(c.windows(2).all(|w| w[0] <= w[1]) && c.iter().all(|&x| x <= len));
        }
    }
}

#[test]
fn every_corpus_file_in_parts_is_the_file_decoded_whole() {
    let (mut merged_files, mut zipkin_files, mut bare_jaeger_files) = (0, 0, 0);
    for f in corpus_files() {
        let bytes = std::fs::read(corpus_dir().join(&f)).unwrap();
        let expected = whole(&bytes);
        for n in 2..=4 {
            let mut ds = Dataset::default();
            let r = decode_in_parts(&mut ds, &bytes, n)
                .map(|s| s.spans)
                .map_err(|e| e.to_string());
            assert_eq!((r, model(&ds)), expected, "{f} in {n} parts");
        }
        // The Jaeger, OTLP and Zipkin files of the streamed shape really are
        // merged from parts (the other streamed formats, and JSON Lines,
        // are read whole).
        let mut ds = Dataset::default();
        let one_value = serde_json::from_slice::<serde_json::Value>(&bytes).is_ok();
        let streamed = decode_bytes(&mut ds, &bytes)
            .is_ok_and(|s| s.streamed && one_value && Some(s.format) == format_of(&bytes));
        if streamed {
            let mut ds = Dataset::default();
            let sum = merged(&mut ds, &bytes, &cuts(bytes.len(), 2));
            if sum.is_none() && zipkin_ids_repeat(&bytes) {
                // Decoded whole: a shared id, or the pieces of a span in
                // two parts.
                continue;
            }
            assert!(sum.is_some(), "{f}: not merged");
            assert_eq!(model(&ds), expected.1, "{f}");
            let handed = merged_through_bytes(&bytes, &cuts(bytes.len(), 3));
            assert_eq!(
                handed.map(|ds| model(&ds)),
                Some(expected.1.clone()),
                "{f} as bytes"
            );
            merged_files += 1;
            zipkin_files += f.starts_with("zipkin/") as usize;
            bare_jaeger_files += (f.starts_with("jaeger/")
                && detect::streamable(&bytes) != Some(Format::Jaeger))
                as usize;
        }
    }
    assert!(merged_files >= 40, "{merged_files} files merged");
    assert!(zipkin_files >= 4, "{zipkin_files} Zipkin files merged");
    // The UI's Trace JSON and proto-JSON's `{spans, processMap}`.
    assert!(
        bare_jaeger_files >= 8,
        "{bare_jaeger_files} bare Jaeger trace objects merged"
    );
}

/// A Zipkin file in which a span id of a trace is there more than once
/// (pieces of a span, or a shared id's halves), or a span that is a shared
/// id's server half (`shared`, or v1 with a server's annotations and, as
/// Zipkin reads it, a client's or no timestamp of its own).
fn zipkin_ids_repeat(bytes: &[u8]) -> bool {
    let Ok(serde_json::Value::Array(items)) = serde_json::from_slice(bytes) else {
        return false;
    };
    let spans = items.iter().flat_map(|x| match x {
        serde_json::Value::Array(inner) => inner.iter().collect(),
        span => vec![span],
    });
    let mut seen = std::collections::HashSet::new();
    let id = |s: &serde_json::Value, k: &str| s[k].to_string().to_lowercase();
    let both_halves = |s: &serde_json::Value| {
        let has = |v: &str| {
            s["annotations"]
                .as_array()
                .is_some_and(|a| a.iter().any(|a| a["value"] == v))
        };
        let client = has("cs") || has("cr") || s["timestamp"].is_null();
        s["shared"] == true || (client && (has("sr") || has("ss")))
    };
    !spans
        .into_iter()
        .all(|s| seen.insert((id(s, "traceId"), id(s, "id"))) && !both_halves(s))
}

/// A string that JSON must escape, or that holds JSON's own punctuation.
fn awkward(i: usize) -> String {
    let s = [
        r#"say \"{\"spanID\":\"1\",\"operationName\":\"x\"},\""#,
        r"back\\slash",
        "{,[]}",
        "caf\u{e9} \\u00e9",
        r#"{\"traceId\":\"1\",\"spanId\":\"1\",\"name\":\"x\"},\""#,
        "},{",
        "plain",
    ];
    s[i % s.len()].to_string()
}

/// A Jaeger file of `traces` (spans per trace); processes before or after
/// the spans per trace object; compact or with newlines and indents.
fn jaeger_file(traces: &[usize], processes_first: &[bool], pretty: bool, seed: usize) -> String {
    let nl = if pretty { "\n    " } else { "" };
    let mut objects = Vec::new();
    for (t, &n) in traces.iter().enumerate() {
        let tid = format!("{:032x}", t + 1);
        let spans: Vec<String> = (0..n)
            .map(|i| {
                let parent = (i > 0).then(|| (i - 1) / 2);
                let process = format!(r#""processID":"p{}","warnings":null"#, (i + t) % 3);
                jaeger_span(&tid, i, parent, seed, &process, nl)
            })
            .collect();
        let processes = (0..3)
            .map(|p| {
                format!(
                    r#""p{p}":{{"serviceName":"svc {p} {}","tags":[{{"key":"host","type":"string","value":"{}"}}]}}"#,
                    awkward(p + seed),
                    awkward(p + t)
                )
            })
            .collect::<Vec<_>>()
            .join(",");
        let spans = format!(r#""spans":[{}]"#, spans.join(","));
        let processes = format!(r#""processes":{{{processes}}}"#);
        let body = match processes_first.get(t % processes_first.len().max(1)) {
            Some(true) => format!("{processes},{nl}{spans}"),
            _ => format!("{spans},{nl}{processes}"),
        };
        objects.push(format!(r#"{{"traceID":"{tid}",{body},"warnings":null}}"#));
    }
    format!(
        r#"{{"data":[{}],"total":0,"limit":0,"offset":0,"errors":null}}"#,
        objects.join(",")
    )
}

/// Span `i` of the Jaeger trace `tid` (its id `i + 1`), a child of span
/// `parent`, its strings awkward from `seed`, its process named by
/// `process` (the last entries: a `processID`, or the process inline);
/// `nl` before it and inside it.
fn jaeger_span(
    tid: &str,
    i: usize,
    parent: Option<usize>,
    seed: usize,
    process: &str,
    nl: &str,
) -> String {
    let references = match parent {
        None => "[]".to_string(),
        Some(p) => format!(
            r#"[{{"refType":"CHILD_OF","traceID":"{tid}","spanID":"{:016x}"}}]"#,
            p + 1
        ),
    };
    format!(
        r#"{nl}{{"traceID":"{tid}",{nl}"spanID":"{:016x}","operationName":"op {}","references":{references},"startTime":{},"duration":{},"tags":[{{"key":"note","type":"string","value":"{}"}},{{"key":"n","type":"int64","value":{i}}}],"logs":[{{"timestamp":{},"fields":[{{"key":"event","type":"string","value":"{}"}}]}}],{process}}}"#,
        i + 1,
        awkward(i + seed),
        1_000 + i * 10,
        5 + i % 7,
        awkward(i + seed + 1),
        1_002 + i * 10,
        awkward(i + seed + 2),
    )
}

/// Where an OTLP file's resources and scopes are, beside their lists.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Keys {
    Before,
    Late,
    Absent,
}

/// An OTLP file of resources, each of scopes of that many spans (a scope
/// of none has no `spans`), its spans spread over three traces. A resource's
/// attributes include a nested one (flattened into several); every fourth
/// resource names no service. Compact or with newlines and indents.
/// Every other resource after its scopes, and every other scope after its
/// spans, with `Keys::Late`; with neither, `Keys::Absent`.
fn otlp_file(resources: &[Vec<usize>], pretty: bool, keys: Keys, seed: usize) -> String {
    otlp_value(resources, pretty, keys, seed, 0)
}

/// [`otlp_file`] with span ids (and the trace each is in) from `first_id`
/// on, for a request of JSON Lines.
fn otlp_value(
    resources: &[Vec<usize>],
    pretty: bool,
    keys: Keys,
    seed: usize,
    first_id: usize,
) -> String {
    let nl = if pretty { "\n    " } else { "" };
    let mut n = first_id;
    let mut items = Vec::new();
    for (r, scopes) in resources.iter().enumerate() {
        let service = match r % 4 {
            3 => String::new(),
            _ => format!(
                r#"{{"key":"service.name","value":{{"stringValue":"svc {r} {}"}}}},"#,
                awkward(r + seed)
            ),
        };
        let resource = format!(
            r#""resource":{{"attributes":[{service}{nl}{{"key":"host","value":{{"kvlistValue":{{"values":[{{"key":"name","value":{{"stringValue":"{}"}}}},{{"key":"cores","value":{{"intValue":"{r}"}}}}]}}}}}}]}}"#,
            awkward(r + seed + 1)
        );
        let mut scope_items = Vec::new();
        for (k, &count) in scopes.iter().enumerate() {
            let scope = format!(
                r#""scope":{{"name":"lib {k}","version":"{}"}}"#,
                awkward(k + seed)
            );
            if count == 0 {
                scope_items.push(format!("{{{scope}}}"));
                continue;
            }
            let spans: Vec<String> = (0..count)
                .map(|_| {
                    n += 1;
                    let i = n;
                    let tid = format!("{:032x}", i % 3 + 1);
                    let parent = match i {
                        1..=3 => String::new(),
                        _ => format!(r#""parentSpanId":"{:016x}","#, i - 3),
                    };
                    format!(
                        r#"{nl}{{"traceId":"{tid}",{nl}"spanId":"{i:016x}",{parent}"name":"op {}","kind":{},"startTimeUnixNano":"{}","endTimeUnixNano":"{}","attributes":[{{"key":"note","value":{{"stringValue":"{}"}}}}],"events":[{{"timeUnixNano":"{}","name":"{}"}}],"links":[{{"traceId":"{tid}","spanId":"{:016x}"}}],"status":{{"code":{},"message":"{}"}}}}"#,
                        awkward(i + seed),
                        i % 5,
                        1_000 + i * 10,
                        1_005 + i * 10 + i % 7,
                        awkward(i + seed + 1),
                        1_002 + i * 10,
                        awkward(i + seed + 2),
                        i + 1,
                        i % 3,
                        awkward(i + seed + 3),
                    )
                })
                .collect();
            let spans = spans.join(",");
            scope_items.push(match (keys, k % 2) {
                (Keys::Late, 0) => format!(r#"{{"spans":[{spans}],{nl}{scope}}}"#),
                (Keys::Absent, 0) => format!(r#"{{"spans":[{spans}]}}"#),
                _ => format!(r#"{{{scope},{nl}"spans":[{spans}]}}"#),
            });
        }
        let scopes = scope_items.join(",");
        items.push(match (keys, r % 2) {
            (Keys::Late, 1) => {
                format!(r#"{{"scopeSpans":[{scopes}],"schemaUrl":"https://x",{nl}{resource}}}"#)
            }
            (Keys::Absent, 1) => format!(r#"{{"scopeSpans":[{scopes}],"schemaUrl":"https://x"}}"#),
            _ => format!(r#"{{{resource},{nl}"scopeSpans":[{scopes}],"schemaUrl":"https://x"}}"#),
        });
    }
    format!(r#"{{"resourceSpans":[{}]}}"#, items.join(","))
}

/// A Zipkin file of `n` spans over three traces; where each span id
/// reported more than once begins and where its last report begins; and
/// whether it has a shared id. Every `shared_every`-th span (0: none) is a
/// shared id: a client span (or none), a server span of another service
/// (`shared`), and a fragment of the client span with only an annotation
/// and a tag; or, for every other one, the client span and a retry of it
/// (a later start, the same id).
/// Of the others, every fourth is reported in three pieces: the span, a
/// piece of the same kind and service with no start, and a fragment. Every
/// seventh span is a v1 span: of both halves (a shared id) when there are
/// shared ids, else of the client's. A span's children come three spans
/// later. Flat, or in lists of five (`nested`); `children_first`: in the
/// reverse order, children before their parents.
fn zipkin_file(
    n: usize,
    shared_every: usize,
    nested: bool,
    children_first: bool,
    (pretty, seed): (bool, usize),
) -> (String, Vec<(usize, usize)>, bool) {
    let mut shared = false;
    let nl = if pretty { "\n  " } else { "" };
    let mut text = String::from(if nested { "[[" } else { "[" });
    let mut repeated = Vec::new();
    let order: Vec<usize> = match children_first {
        true => (1..=n).rev().collect(),
        false => (1..=n).collect(),
    };
    for (o, i) in order.into_iter().enumerate() {
        let tid = format!("{:016x}", i % 3 + 1);
        let parent = match i {
            1..=3 => String::new(),
            _ => format!(r#""parentId":"{:016x}","#, i - 3),
        };
        let (start, end) = (1_000_000 + i * 100, 1_000_000 + i * 100 + 50 + i % 9);
        let common = format!(
            r#""traceId":"{tid}",{nl}"id":"{i:016x}",{parent}"name":"op {}""#,
            awkward(i + seed)
        );
        let mut reports = if i % 7 == 0 {
            let server = match shared_every {
                0 => String::new(),
                _ => format!(
                    r#"{{"timestamp":{},"value":"sr","endpoint":{{"serviceName":"callee"}}}},{{"timestamp":{},"value":"ss","endpoint":{{"serviceName":"callee"}}}},"#,
                    start + 5,
                    end - 5
                ),
            };
            shared |= shared_every > 0;
            vec![format!(
                r#"{{{common},"timestamp":{start},"duration":{},"annotations":[{{"timestamp":{start},"value":"cs","endpoint":{{"serviceName":"caller {}"}}}},{server}{{"timestamp":{end},"value":"cr","endpoint":{{"serviceName":"caller {}"}}}}],"binaryAnnotations":[{{"key":"note","value":"{}","endpoint":{{"serviceName":"callee"}}}}]}}"#,
                end - start,
                i % 4,
                i % 4,
                awkward(i + seed + 1)
            )]
        } else {
            vec![format!(
                r#"{{{common},"kind":"CLIENT","timestamp":{start},"duration":{},"localEndpoint":{{"serviceName":"svc {} {}"}},"remoteEndpoint":{{"serviceName":"peer","port":80}},"annotations":[{{"timestamp":{},"value":"{}"}}],"tags":{{"note":"{}","n":"{i}"}}}}"#,
                end - start,
                i % 4,
                awkward(seed + i % 4),
                start + 1,
                awkward(i + seed + 2),
                awkward(i + seed + 3)
            )]
        };
        let fragment = format!(
            r#"{{"traceId":"{tid}","id":"{i:016x}","annotations":[{{"timestamp":{},"value":"piece {}"}}],"tags":{{"late":"yes"}}}}"#,
            start + 3,
            awkward(i + seed + 5)
        );
        if i % 7 == 0 {
        } else if shared_every > 0 && i % shared_every == 0 && (i / shared_every) % 2 == 1 {
            // The same call again later (a retry): an id of two rows.
            shared = true;
            let again = reports[0].replace(
                &format!(r#""timestamp":{start},"#),
                &format!(r#""timestamp":{},"#, start + 7),
            );
            reports.push(again);
        } else if shared_every > 0 && i % shared_every == 0 {
            shared = true;
            if (i / shared_every) % 4 == 2 {
                // The server half alone (its client reported nothing).
                reports.clear();
            }
            reports.push(format!(
                r#"{{{common},"kind":"SERVER","shared":true,"timestamp":{},"duration":{},"localEndpoint":{{"serviceName":"server {}"}},"tags":{{"side":"{}"}}}}"#,
                start + 2,
                end - start - 4,
                i % 5,
                awkward(i + seed + 4)
            ));
            reports.push(fragment);
        } else if i % 4 == 2 {
            reports.push(format!(
                r#"{{{common},"kind":"CLIENT","localEndpoint":{{"serviceName":"svc {} {}"}},"tags":{{"piece":"{}"}}}}"#,
                i % 4,
                awkward(seed + i % 4),
                awkward(i + seed + 6)
            ));
            reports.push(fragment);
        }
        let mut first = 0;
        for (k, r) in reports.iter().enumerate() {
            if o > 0 || k > 0 {
                text.push_str(if nested && o % 5 == 0 && k == 0 {
                    "],["
                } else {
                    ","
                });
            }
            text.push_str(nl);
            let at = text.len();
            if k == 0 {
                first = at;
            }
            text.push_str(r);
            if k == reports.len() - 1 && k > 0 {
                repeated.push((first, at));
            }
        }
    }
    text.push_str(if nested { "]]" } else { "]" });
    (text, repeated, shared)
}

/// A Chrome file of events of the `kinds` given (an `X` slice first), in
/// the object form: `metadata` before the events or not, `displayTimeUnit`
/// before them, after them or not at all, `samples` after them or not.
/// Begins and ends of each kind (`B`/`E` on a thread, async `b`/`e`/`n` by
/// id, legacy `S`/`T`/`F`) and the metadata naming processes and threads
/// land in whatever parts the cuts make. `decoy`: an event's `args` hold
/// an object that looks like an event (where a part is guessed to begin,
/// wrongly when it is the first such object after a cut).
fn chrome_file(
    kinds: &[usize],
    layout: (bool, usize, bool),
    decoy: bool,
    pretty: bool,
    seed: usize,
) -> String {
    let (metadata_first, unit_at, samples_after) = layout;
    let nl = if pretty { "\n  " } else { "" };
    let events: Vec<String> = std::iter::once(&0)
        .chain(kinds)
        .enumerate()
        .map(|(i, &kind)| {
            let (pid, tid, id) = (i % 2 + 1, i / 2 % 2 + 1, i / 3 % 2);
            let (ph, more) = match kind {
                0 => ("X", format!(r#","dur":{}"#, 5 + i % 20)),
                1 => ("B", String::new()),
                2 => ("E", String::new()),
                3 => ("b", format!(r#","id":"0x{id}""#)),
                4 => ("e", format!(r#","id":"0x{id}""#)),
                5 => ("n", format!(r#","id":"0x{id}""#)),
                6 => ("i", r#","s":"t""#.to_string()),
                7 => ("S", format!(r#","id":{id}"#)),
                8 => ("T", format!(r#","id":{id},"args":{{"step":"{}"}}"#, awkward(i + seed))),
                9 => ("F", format!(r#","id":{id}"#)),
                10 => ("M", String::new()),
                11 => ("M", String::new()),
                12 => ("C", r#","args":{"value":3}"#.to_string()),
                _ => ("", String::new()),
            };
            let name = match kind {
                10 => "process_name".to_string(),
                11 => "thread_name".to_string(),
                3..=5 | 7..=9 => format!("req {}", i % 2),
                _ => format!("op {}", awkward(i + seed)),
            };
            let args = match kind {
                10 | 11 => format!(r#","args":{{"name":"{}"}}"#, awkward(i + seed + 1)),
                8 | 12 => String::new(),
                _ => format!(
                    r#","args":{{"data":{{"url":"{}","n":{i},"list":[1,{}]}}}}"#,
                    awkward(i + seed + 2),
                    if decoy && i % 4 == 3 { r#"{"ph":"X"}"# } else { r#"{"p":"X"}"# }
                ),
            };
            let ph = if kind == 13 { String::new() } else { format!(r#""ph":"{ph}","#) };
            format!(
                r#"{nl}{{{ph}"cat":"c{}","pid":{pid},"tid":{tid},{nl}"ts":{},"name":"{name}"{more}{args}}}"#,
                i % 3,
                1_000 + i * 10,
            )
        })
        .collect();
    let mut keys = Vec::new();
    if metadata_first {
        keys.push(format!(
            r#""metadata":{{"source":"{}","n":[{{"a":1}}]}}"#,
            awkward(seed)
        ));
    }
    let unit = r#""displayTimeUnit":"ns""#.to_string();
    if unit_at == 1 {
        keys.push(unit.clone());
    }
    keys.push(format!(r#""traceEvents":[{}]"#, events.join(",")));
    if unit_at == 2 {
        keys.push(unit);
    }
    if samples_after {
        keys.push(r#""samples":[{"cpu":0,"tid":1,"ts":"5","sf":1},{"tid":1}]"#.to_string());
    }
    format!("{{{}}}", keys.join(&format!(",{nl}")))
}

/// Cuts at fractions `at` of a file of `len` bytes, in order, each once.
fn cuts_at(at: &[f64], len: usize) -> Vec<usize> {
    let mut cuts: Vec<usize> = at.iter().map(|f| (f * len as f64) as usize).collect();
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

/// A file's parts merged (`ds`, `spans` of them) are the file decoded
/// whole, handed over as bytes too.
fn same_as_whole(
    bytes: &[u8],
    cuts: &[usize],
    ds: &Dataset,
    spans: usize,
) -> Result<(), TestCaseError> {
    let mut one = Dataset::default();
    prop_assert_eq!(Ok(spans), decode_bytes(&mut one, bytes).map(|s| s.spans));
    prop_assert_eq!(model(ds), model(&one));
    let handed = merged_through_bytes(bytes, cuts).map(|ds| model(&ds));
    prop_assert_eq!(handed, Some(model(&one)));
    Ok(())
}

/// `bytes`, which decode whole, cut at fractions `at` and merged into
/// `ds`: the cuts, and the summary (None when the parts do not fit).
fn cut_and_merged(
    bytes: &[u8],
    at: &[f64],
    ds: &mut Dataset,
) -> Result<(Vec<usize>, Option<DecodeSummary>), TestCaseError> {
    let expected = whole(bytes).0;
    prop_assert!(expected.is_ok(), "{:?}", expected);
    let cuts = cuts_at(at, bytes.len());
    let sum = merged(ds, bytes, &cuts);
    Ok((cuts, sum))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// An OTLP file cut anywhere, in up to five parts, bare or inside
    /// Jaeger API v3's `result` or Tempo's `trace`: a part beginning in a
    /// resource (and scope) an earlier part read takes them from it, and
    /// the result is the file decoded whole. With resources and scopes
    /// after their spans (`Keys::Late`), the file is streamed whole as the
    /// general path reads it, and parts either merge to it or give up (a
    /// part that begins inside such a list cannot know its resource);
    /// without them (`Keys::Absent`), parts merge.
    #[test]
    fn otlp_cut_anywhere_the_parts_are_the_whole_file(
        resources in prop::collection::vec(prop::collection::vec(0usize..25, 1..4), 1..5),
        pretty in any::<bool>(),
        keys in prop::sample::select(vec![Keys::Before, Keys::Late, Keys::Absent]),
        seed in 0usize..7,
        wrapper in prop::sample::select(vec!["", "result", "trace"]),
        at in prop::collection::vec(0.0f64..1.0, 1..5),
    ) {
        prop_assume!(resources.iter().flatten().sum::<usize>() > 0);
        let text = match (otlp_file(&resources, pretty, keys, seed), wrapper) {
            (bare, "") => bare,
            (inner, key) => format!(r#"{{"{key}":{inner}}}"#),
        };
        let bytes = text.as_bytes();
        let mut general = Dataset::default();
        decode_bytes_general(&mut general, bytes, &mut |_| {}).unwrap();
        let mut one = Dataset::default();
        prop_assert!(decode_bytes(&mut one, bytes).unwrap().streamed);
        prop_assert_eq!(model(&one), model(&general));
        let mut ds = Dataset::default();
        let (cuts, sum) = cut_and_merged(bytes, &at, &mut ds)?;
        match sum {
            Some(sum) => same_as_whole(bytes, &cuts, &ds, sum.spans)?,
            None => prop_assert!(
                keys == Keys::Late && ds.traces.is_empty() && ds.strings.len() == 1,
                "cut at {:?} did not merge",
                cuts
            ),
        }
    }

    /// JSON Lines of OTLP requests (a request a line, as the Collector's
    /// file exporter writes them: a trace's spans over several lines, a
    /// span's parent in an earlier line) cut anywhere, in up to five parts:
    /// each part reads on from one request to the next, and the result is
    /// the file decoded whole (a line at a time).
    #[test]
    fn otlp_lines_cut_anywhere_the_parts_are_the_whole_file(
        lines in prop::collection::vec(
            prop::collection::vec(prop::collection::vec(0usize..25, 1..4), 1..4),
            2..5,
        ),
        pretty in any::<bool>(),
        keys in prop::sample::select(vec![Keys::Before, Keys::Absent]),
        separator in prop::sample::select(vec!["\n", "\r\n", "\n\n"]),
        seed in 0usize..7,
        at in prop::collection::vec(0.0f64..1.0, 1..5),
    ) {
        prop_assume!(lines.iter().flatten().flatten().sum::<usize>() > 0);
        let mut first_id = 0;
        let requests: Vec<String> = lines
            .iter()
            .map(|resources| {
                let request = otlp_value(resources, pretty, keys, seed, first_id);
                first_id += resources.iter().flatten().sum::<usize>();
                request
            })
            .collect();
        let text = requests.join(separator);
        let bytes = text.as_bytes();
        let mut ds = Dataset::default();
        let (cuts, sum) = cut_and_merged(bytes, &at, &mut ds)?;
        prop_assert!(sum.is_some(), "cut at {:?} did not merge", cuts);
        same_as_whole(bytes, &cuts, &ds, sum.unwrap().spans)?;
    }

    /// A Zipkin file cut anywhere, in up to five parts: each part merges
    /// the pieces of a span, and the result is the file decoded whole. A
    /// file with a shared id (whose halves take their id's children) or
    /// whose span is reported in two parts is decoded whole, and only such
    /// a file.
    #[test]
    fn zipkin_cut_anywhere_the_parts_are_the_whole_file(
        n in 1usize..60,
        shared_every in prop::sample::select(vec![0usize, 2, 3, 5]),
        nested in any::<bool>(),
        children_first in any::<bool>(),
        pretty in any::<bool>(),
        seed in 0usize..7,
        at in prop::collection::vec(0.0f64..1.0, 1..5),
    ) {
        let (text, repeated, shared) =
            zipkin_file(n, shared_every, nested, children_first, (pretty, seed));
        let bytes = text.as_bytes();
        let mut ds = Dataset::default();
        let (cuts, sum) = cut_and_merged(bytes, &at, &mut ds)?;
        // The report a part begins at: its first at or past its cut.
        let split = repeated
            .iter()
            .any(|&(first, last)| cuts.iter().any(|&c| first < c && c <= last));
        // A first part with no span is no Zipkin list yet: decoded whole.
        let first_empty = cuts[0] <= text.find('{').unwrap_or(0);
        if !first_empty {
            prop_assert_eq!(sum.is_none(), shared || split, "cut at {:?}: {:?}", cuts, repeated);
        }
        if let Some(sum) = sum {
            same_as_whole(bytes, &cuts, &ds, sum.spans)?;
        } else {
            prop_assert!(ds.traces.is_empty() && ds.strings.len() == 1);
        }
    }

    /// A Chrome file cut anywhere, in up to five parts: an end in a later
    /// part than its begin, a step or an instant in a later part than its
    /// slice, a process named in another part, the time unit and samples
    /// after the events, and the result is the file decoded whole.
    #[test]
    fn chrome_cut_anywhere_the_parts_are_the_whole_file(
        kinds in prop::collection::vec(0usize..14, 0..60),
        metadata_first in any::<bool>(),
        unit_at in 0usize..3,
        samples_after in any::<bool>(),
        decoy in any::<bool>(),
        pretty in any::<bool>(),
        seed in 0usize..7,
        at in prop::collection::vec(0.0f64..1.0, 1..5),
    ) {
        let layout = (metadata_first, unit_at, samples_after);
        let text = chrome_file(&kinds, layout, decoy, pretty, seed);
        let bytes = text.as_bytes();
        let mut ds = Dataset::default();
        let (cuts, sum) = cut_and_merged(bytes, &at, &mut ds)?;
        // A decoy taken for the first event after a cut is caught: the
        // file is decoded whole. Whatever merges is the whole file's model.
        match sum {
            Some(sum) => same_as_whole(bytes, &cuts, &ds, sum.spans)?,
            None => prop_assert!(
                decoy && ds.traces.is_empty() && ds.strings.len() == 1,
                "cut at {:?} did not merge",
                cuts
            ),
        }
    }

    /// Cut anywhere (inside strings, escapes, ids, between objects), in up
    /// to five parts: the result is the file decoded whole.
    #[test]
    fn cut_anywhere_the_parts_are_the_whole_file(
        traces in prop::collection::vec(1usize..40, 1..4),
        processes_first in prop::collection::vec(any::<bool>(), 1..3),
        pretty in any::<bool>(),
        seed in 0usize..6,
        at in prop::collection::vec(0.0f64..1.0, 1..5),
    ) {
        let text = jaeger_file(&traces, &processes_first, pretty, seed);
        let bytes = text.as_bytes();
        let mut ds = Dataset::default();
        let (cuts, got) = cut_and_merged(bytes, &at, &mut ds)?;
        // Mixed layouts (processes before the spans in one object, after in
        // another) may not fit; whatever merges is the whole file's model.
        if let Some(sum) = &got {
            same_as_whole(bytes, &cuts, &ds, sum.spans)?;
        } else {
            prop_assert!(ds.traces.is_empty() && ds.strings.len() == 1);
        }
        // One layout throughout always merges.
        if processes_first.iter().all(|&p| p == processes_first[0]) {
            prop_assert!(got.is_some(), "cut at {:?} did not merge", cuts);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// A Jaeger trace object that is the whole file (the UI's Trace JSON),
    /// cut anywhere in up to five parts: each later part reads on inside
    /// it, and the result is the file decoded whole.
    #[test]
    fn a_bare_trace_object_cut_anywhere_is_the_whole_file(
        spans in 1usize..80,
        processes_first in any::<bool>(),
        pretty in any::<bool>(),
        seed in 0usize..6,
        at in prop::collection::vec(0.0f64..1.0, 1..5),
    ) {
        let text = jaeger_file(&[spans], &[processes_first], pretty, seed);
        let object = text
            .strip_prefix(r#"{"data":["#)
            .and_then(|t| t.split_once(r#"],"total""#))
            .map(|(object, _)| object)
            .unwrap();
        prop_assert_eq!(format_of(object.as_bytes()), Some(Format::Jaeger));
        let mut ds = Dataset::default();
        let (cuts, got) = cut_and_merged(object.as_bytes(), &at, &mut ds)?;
        prop_assert!(got.is_some(), "cut at {:?} did not merge", cuts);
        same_as_whole(object.as_bytes(), &cuts, &ds, got.unwrap().spans)?;
    }
}

/// JSON Lines of Jaeger spans alone, each with its process inline, the
/// spans of `traces` traces taking turns (a span's parent in an earlier
/// line), the lines joined by `separator`.
fn jaeger_lines(spans: usize, traces: usize, separator: &str, seed: usize) -> String {
    let lines: Vec<String> = (0..spans)
        .map(|i| {
            let tid = format!("{:032x}", i % traces + 1);
            let parent = i.checked_sub(traces);
            let process = format!(
                r#""process":{{"serviceName":"svc {}","tags":[{{"key":"host","type":"string","value":"{}"}}]}}"#,
                i % 3,
                awkward(i % 3 + seed),
            );
            jaeger_span(&tid, i, parent, seed, &process, "")
        })
        .collect();
    lines.join(separator)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// JSON Lines of Jaeger spans alone cut anywhere, in up to five parts:
    /// each later part begins at the first line whose span begins in it,
    /// and the result is the file decoded whole (a line at a time). A cut
    /// exactly at a reference, which looks like a span alone, is the only
    /// guess that gives the parts up.
    #[test]
    fn jaeger_lines_cut_anywhere_the_parts_are_the_whole_file(
        spans in 2usize..80,
        traces in 1usize..4,
        separator in prop::sample::select(vec!["\n", "\r\n", "\n\n", "\n  "]),
        seed in 0usize..7,
        at in prop::collection::vec(0.0f64..1.0, 1..5),
    ) {
        let text = jaeger_lines(spans, traces, separator, seed);
        let bytes = text.as_bytes();
        prop_assert_eq!(format_of(bytes), Some(Format::Jaeger));
        let mut ds = Dataset::default();
        let (cuts, sum) = cut_and_merged(bytes, &at, &mut ds)?;
        match sum {
            Some(sum) => same_as_whole(bytes, &cuts, &ds, sum.spans)?,
            None => prop_assert!(
                cuts.iter().any(|&c| text[c..].starts_with(r#"{"refType""#)),
                "cut at {:?} did not merge",
                cuts
            ),
        }
    }

    /// A list of Jaeger spans, each with its process inline
    /// (jaeger-anonymizer's output), cut anywhere in up to five parts:
    /// each later part begins at the first span that begins in it (read
    /// after `[` and a newline, which tell it from a Zipkin list), and the
    /// parts are the file decoded whole.
    #[test]
    fn a_list_of_jaeger_spans_cut_anywhere_the_parts_are_the_whole_file(
        spans in 2usize..80,
        traces in 1usize..4,
        separator in prop::sample::select(vec![",", ",\n", " ,\r\n  "]),
        seed in 0usize..7,
        at in prop::collection::vec(0.0f64..1.0, 1..5),
    ) {
        let text = format!("[{}]", jaeger_lines(spans, traces, separator, seed));
        let bytes = text.as_bytes();
        prop_assert_eq!(format_of(bytes), Some(Format::Jaeger));
        prop_assert_eq!(context_of(bytes), Some(b"[\n".to_vec()));
        let mut ds = Dataset::default();
        let (cuts, sum) = cut_and_merged(bytes, &at, &mut ds)?;
        prop_assert!(sum.is_some(), "cut at {:?} did not merge", cuts);
        same_as_whole(bytes, &cuts, &ds, sum.unwrap().spans)?;
    }
}

/// A cut at a line's first byte (the file's own first byte too) leaves the
/// part before it no line to read: it is still a part of these lines, and
/// the parts merge to the whole file.
#[test]
fn jaeger_lines_cut_where_a_line_begins_merge() {
    let text = jaeger_lines(6, 2, "\n", 0);
    let second = text.find('\n').unwrap() + 1;
    for cuts in [vec![0], vec![second], vec![0, second]] {
        let mut ds = Dataset::default();
        let sum = merged(&mut ds, text.as_bytes(), &cuts);
        assert!(sum.is_some(), "cut at {cuts:?} did not merge");
        same_as_whole(text.as_bytes(), &cuts, &ds, sum.unwrap().spans).unwrap();
    }
}

/// JSON Lines of Jaeger spans are cut only into parts of such lines: a
/// line of anything else in a later part (an X-Ray daemon's header, an
/// OTLP request, an object `detect` names otherwise), or a span refused
/// there, and the file is decoded whole, with the whole file's message.
#[test]
fn jaeger_lines_with_a_line_of_another_kind_are_decoded_whole() {
    let text = jaeger_lines(40, 2, "\n", 0);
    let half = text.len() / 2;
    let cut = half + text[half..].find('\n').unwrap() + 1;
    let lines = [
        r#"{"format":"json","version":1}"#,
        r#"{"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"5"}]}]}]}"#,
        r#"{"traceID":5,"spanID":"b1","operationName":"x","startTime":1,"duration":2}"#,
        // A span's keys beside one `detect` reads first: no span at all.
        r#"{"tagNames":[],"traceID":"a1","spanID":"b9","operationName":"x","startTime":1,"duration":2}"#,
    ];
    for line in lines {
        let mixed = format!("{}{line}\n{}", &text[..cut], &text[cut..]);
        let bytes = mixed.as_bytes();
        if line.starts_with(r#"{"traceID":5"#) {
            let refused = whole(bytes).0.unwrap_err();
            assert!(refused.contains("has no traceID"), "{refused}");
        }
        let mut ds = Dataset::default();
        assert!(merged(&mut ds, bytes, &[cut + 10]).is_none(), "{line}");
        assert_eq!(ds.traces.len(), 0);
        for n in 2..=4 {
            let mut ds = Dataset::default();
            let r = decode_in_parts(&mut ds, bytes, n)
                .map(|s| s.spans)
                .map_err(|e| e.to_string());
            assert_eq!((r, model(&ds)), whole(bytes), "{line} in {n} parts");
        }
    }
    // Without such a line, the same cut merges.
    let mut ds = Dataset::default();
    assert!(merged(&mut ds, text.as_bytes(), &[cut + 10]).is_some());
}

#[test]
fn a_gzip_file_in_parts_is_the_file_decoded_whole() {
    use std::io::Write;
    let text = jaeger_file(&[300, 200], &[false], false, 1);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    let expected = whole(text.as_bytes());
    for n in 2..=4 {
        let mut ds = Dataset::default();
        let sum = decode_in_parts(&mut ds, &gz, n).unwrap();
        assert_eq!((Ok(sum.spans), model(&ds)), expected, "{n} parts");
    }
}

/// An object that looks like a span where no span is (in a list under a
/// key of its own, after a Jaeger trace object's spans or an OTLP scope's,
/// where what follows reads as a part would): a part that begins there is
/// not taken, and the file is decoded whole, the same.
#[test]
fn a_wrong_guess_of_where_a_part_begins_is_caught() {
    let jaeger_fake = r#"{"traceID":"ff","spanID":"00000000000000ff","operationName":"not a span","startTime":1}"#;
    let otlp_fake = r#"{"traceId":"ff","spanId":"00000000000000ff","name":"not a span","startTimeUnixNano":"1"}"#;
    let files = [
        // After the first trace object's processes (which follow its spans).
        jaeger_file(&[20, 20], &[false], false, 2).replacen(
            r#"}]}},"warnings":null}"#,
            &format!(r#"}}]}}}},"extra":[{jaeger_fake}],"warnings":null}}"#),
            1,
        ),
        // After the spans of the first resource's last scope.
        otlp_file(&[vec![20], vec![20]], false, Keys::Before, 2).replacen(
            r#"}]}],"schemaUrl""#,
            &format!(r#"}}],"extra":[{otlp_fake}]}}],"schemaUrl""#),
            1,
        ),
    ];
    for (text, fake) in files.iter().zip([jaeger_fake, otlp_fake]) {
        let bytes = text.as_bytes();
        let expected = whole(bytes);
        assert!(expected.0.is_ok());
        let at = text.find(fake).expect("the fake is in the file");
        let mut ds = Dataset::default();
        assert!(merged(&mut ds, bytes, &[at]).is_none(), "{fake}");
        assert!(
            ds.traces.is_empty() && ds.strings.len() == 1,
            "nothing left behind"
        );
        let mut ds = Dataset::default();
        assert_eq!(
            (
                decode_in_parts(&mut ds, bytes, 2)
                    .map(|s| s.spans)
                    .map_err(|e| e.to_string()),
                model(&ds)
            ),
            expected
        );
        // Cut before it, the parts merge.
        let mut ds = Dataset::default();
        assert!(merged(&mut ds, bytes, &[at / 2]).is_some());
        assert_eq!(model(&ds), expected.1);
    }
}

/// A part that begins inside objects nested deep: each object tried as its
/// first item is read whole, so the search gives up after reading the part
/// a few times (trying every one was quadratic: 19 s for a nest 200k deep
/// in a 21 MB file, release build) and the file is decoded whole, the same.
#[test]
fn a_part_that_begins_inside_deep_nesting_gives_up_its_search_in_linear_time() {
    let depth = 200_000;
    let span = |i: usize| {
        format!(
            r#"{{"traceId":"a1","id":"{i:x}","name":"op","timestamp":{i},"duration":1,"localEndpoint":{{"serviceName":"svc"}}}}"#
        )
    };
    let nest = format!(
        r#"{{"traceId":"a1","id":"ffff","name":"nest","timestamp":5,"duration":1,"x":{}1{}}}"#,
        r#"{"a":"#.repeat(depth),
        "}".repeat(depth)
    );
    let spans: Vec<String> = (1..2000)
        .map(span)
        .chain([nest])
        .chain((3000..5000).map(span))
        .collect();
    let text = format!("[{}]", spans.join(","));
    let bytes = text.as_bytes();
    let expected = whole(bytes);
    assert_eq!(expected.0, Ok(4000));
    let nest_at = text.find(r#"{"a":"#).unwrap();
    let t = std::time::Instant::now();
    let mut ds = Dataset::default();
    assert!(merged(&mut ds, bytes, &[nest_at + depth * 5 / 2]).is_none());
    let took = t.elapsed();
    eprintln!("a part inside a nest {depth} deep: given up in {took:?}");
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
    let mut ds = Dataset::default();
    let got = decode_in_parts(&mut ds, bytes, 2).map(|s| s.spans);
    assert_eq!((got.map_err(|e| e.to_string()), model(&ds)), expected);
    // Cut before the nest, the parts merge.
    let mut ds = Dataset::default();
    assert!(merged(&mut ds, bytes, &[nest_at / 2]).is_some());
    assert_eq!(model(&ds), expected.1);
}

/// A line of JSON Lines that is no OTLP request (an object without
/// `resourceSpans`) gives the parts up: the file is decoded whole, which
/// says what is wrong with it.
#[test]
fn a_line_that_is_no_request_gives_the_parts_up() {
    let request = |first_id| otlp_value(&[vec![40], vec![40]], false, Keys::Before, 1, first_id);
    let text = [request(0), r#"{"other":1}"#.to_string(), request(80)].join("\n");
    let bytes = text.as_bytes();
    assert!(whole(bytes).0.is_err());
    for cuts in [cuts(bytes.len(), 2), cuts(bytes.len(), 3)] {
        let mut ds = Dataset::default();
        assert!(merged(&mut ds, bytes, &cuts).is_none(), "cut at {cuts:?}");
    }
}

/// OTLP lists with no resource (or scope) before them, longer than a part
/// reads past its cut (`parts::MARGIN`): the parts read them with none,
/// and merge. With the resource after such a list, they give up and the
/// file is decoded whole.
#[test]
fn otlp_lists_longer_than_a_part_merge_unless_their_resource_comes_after() {
    for (keys, merges) in [(Keys::Absent, true), (Keys::Late, false)] {
        let text = otlp_file(&[vec![3], vec![30_000]], false, keys, 1);
        let bytes = text.as_bytes();
        assert!(bytes.len() > 3 * tracescope_core::decode::parts::MARGIN);
        let cuts = cuts(bytes.len(), 3);
        let mut ds = Dataset::default();
        match merged(&mut ds, bytes, &cuts) {
            Some(sum) => same_as_whole(bytes, &cuts, &ds, sum.spans).unwrap(),
            None => assert!(ds.traces.is_empty() && ds.strings.len() == 1),
        }
        assert_eq!(ds.traces.is_empty(), !merges, "{keys:?}");
    }
}

/// A helper worker that fails leaves its part out: the parts left do not
/// fit, nothing is sent to the page, and the decoder's strings are what the
/// page has (the file is then decoded whole).
#[test]
fn a_missing_part_is_a_gap_the_merge_finds() {
    // One trace (nothing but the positions tells the parts apart) and three.
    for text in [
        jaeger_file(&[90], &[false], false, 1),
        jaeger_file(&[30, 30, 30], &[false, true, false], false, 1),
        otlp_file(&[vec![90]], false, Keys::Before, 1),
        otlp_file(&[vec![20, 10], vec![30], vec![30]], false, Keys::Before, 1),
    ] {
        let bytes = text.as_bytes();
        let cuts = cuts(bytes.len(), 3);
        let part = |k: usize| {
            let r = bytes_of(bytes.len(), &cuts, k);
            let context = context_of(bytes).unwrap();
            decode_later(
                &context,
                &mut bytes[r.clone()].to_vec(),
                r.start,
                cuts.get(k).copied(),
            )
            .expect("a part")
        };
        for missing in 1..=cuts.len() {
            let mut decoder = Decoder::default();
            let first = decoder
                .first_part(
                    &bytes[bytes_of(bytes.len(), &cuts, 0)],
                    cuts.first().copied(),
                    &mut |_| {},
                )
                .expect("the first part reads");
            let later: Vec<_> = (1..=cuts.len())
                .filter(|&k| k != missing)
                .map(part)
                .collect();
            let mut sent = 0;
            let merged = decoder.decode_parts_each(first, later, &mut |_| {}, &mut |_| sent += 1);
            assert!(merged.is_none(), "part {missing} missing");
            assert_eq!((sent, decoder.strings()), (0, 1), "part {missing} missing");
        }
    }
}

/// A file the whole decoder refuses is refused in parts with the same
/// message (a span without an id in the second half).
#[test]
fn a_refused_file_gives_the_whole_files_message() {
    let text = jaeger_file(&[40], &[false], false, 0);
    let cut = text.len() * 3 / 4;
    let bad_at = cut + text[cut..].find(r#""spanID":"#).unwrap();
    let text = format!("{}\"spanNo\":{}", &text[..bad_at], &text[bad_at + 9..]);
    let expected = whole(text.as_bytes());
    assert!(expected.0.is_err());
    let mut ds = Dataset::default();
    let r = decode_in_parts(&mut ds, text.as_bytes(), 2)
        .map(|s| s.spans)
        .map_err(|e| e.to_string());
    assert_eq!((r, model(&ds)), expected);
}

/// Cuts past the end or out of order (found by fuzzing: a cut past the end
/// indexed past the file): no panic, and what merges is the whole file.
#[test]
fn cuts_past_the_end_or_out_of_order_are_safe() {
    let text = jaeger_file(&[10], &[false], false, 0);
    let bytes = text.as_bytes();
    let expected = whole(bytes);
    let len = bytes.len();
    for cuts in [
        vec![len / 2, len * 3 / 2],
        vec![len + 5],
        vec![len / 2, len / 4],
        vec![0, 0],
    ] {
        for k in 0..=cuts.len() {
            let r = tracescope_core::decode::parts::bytes_of(len, &cuts, k);
            assert!(r.start <= r.end && r.end <= len, "{cuts:?} part {k}: {r:?}");
        }
        let mut ds = Dataset::default();
        if merged(&mut ds, bytes, &cuts).is_some() {
            assert_eq!(model(&ds), expected.1, "{cuts:?}");
        }
    }
}

#[test]
fn a_helpers_part_is_written_in_the_room_made_for_it_at_once() {
    use tracescope_core::synth::{trace_json, SynthFormat};
    // Grown by doubling, the bytes were copied and touched about twice over.
    for (what, file) in [
        ("one-span traces", one_span_traces(4_000)),
        ("one OTLP trace", trace_json(20_000, SynthFormat::Otlp, 1)),
        (
            "one Jaeger trace",
            trace_json(20_000, SynthFormat::Jaeger, 1),
        ),
        (
            "one Zipkin trace",
            trace_json(20_000, SynthFormat::Zipkin, 1),
        ),
    ] {
        let bytes = file.as_bytes();
        let context = context_of(bytes).expect("a file that parts can be cut from");
        let cut = cuts(bytes.len(), 2);
        let r = bytes_of(bytes.len(), &cut, 1);
        let part = decode_later(&context, &mut bytes[r.clone()].to_vec(), r.start, None)
            .expect("the later half decodes apart");
        let written = part_bytes(&part);
        let (len, room) = (written.len(), written.capacity());
        assert!(
            len <= room && room <= len + len / 4,
            "{what}: {len} bytes written in room for {room}"
        );
    }
}

/// A bare list of another format's spans (Datadog's, X-Ray's documents)
/// is not cut in parts: each later part would search for a Zipkin span it
/// never finds, and the file is decoded whole after all. A Zipkin list is
/// cut, a list of Jaeger spans too, and so is a list whose first item the
/// head does not hold.
#[test]
fn only_lists_of_zipkin_or_jaeger_spans_are_cut_in_parts() {
    let zipkin = r#"[{"traceId":"a1","id":"b1","name":"get","timestamp":10,"duration":5}]"#;
    let datadog = r#"[[{"trace_id":1,"span_id":2,"name":"op","start":1,"duration":2}]]"#;
    let xray = r#"[{"trace_id":"1-5f84c7a5-a1","id":"b1","name":"svc","start_time":1.0}]"#;
    assert_eq!(context_of(zipkin.as_bytes()).as_deref(), Some(&b"["[..]));
    assert_eq!(
        context_of(format!("[{zipkin}]").as_bytes()).as_deref(),
        Some(&b"[["[..])
    );
    assert_eq!(context_of(datadog.as_bytes()), None);
    assert_eq!(context_of(xray.as_bytes()), None);
    // A list of Jaeger spans is cut too, as its own format's.
    let jaeger = r#"[{"traceID":"a1","spanID":"b1","operationName":"get","startTime":10,"duration":5,"process":{"serviceName":"s"}}]"#;
    assert_eq!(context_of(jaeger.as_bytes()).as_deref(), Some(&b"[\n"[..]));
    assert!(context_of(&datadog.as_bytes()[..30]).is_some());
}
