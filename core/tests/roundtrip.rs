//! Exports open again: every corpus file that decodes, exported as OTLP JSON
//! and as Jaeger JSON, re-imports to the same traces, span ids and durations.

mod common;
use common::{corpus_dir, corpus_files, decode_file};
use tracescope_core::decode_bytes;
use tracescope_core::encode::redact::{Mode, Redaction};
use tracescope_core::encode::{id_number, jaeger, otlp};
use tracescope_core::model::{Dataset, IdKey};

/// Per trace: span count and the sorted (span id as 64-bit number, duration).
fn shape(ds: &Dataset, round_us: bool) -> Vec<(usize, Vec<(u64, i64)>)> {
    ds.traces
        .iter()
        .map(|t| {
            let mut v: Vec<(u64, i64)> = (0..t.len())
                .map(|i| {
                    let d = t.duration_ns[i];
                    (
                        id_number(ds, t.span_key[i]) as u64,
                        if round_us {
                            (d + 999).div_euclid(1000)
                        } else {
                            d
                        },
                    )
                })
                .collect();
            v.sort_unstable();
            (t.len(), v)
        })
        .collect()
}

#[test]
fn every_corpus_file_round_trips_through_otlp_and_jaeger_json() {
    let mut checked = 0;
    for f in corpus_files() {
        let mut ds = Dataset::default();
        if decode_bytes(&mut ds, &std::fs::read(corpus_dir().join(&f)).unwrap()).is_err() {
            continue;
        }
        let name = &f;
        for (label, doc, round_us) in [
            (
                "otlp",
                otlp::encode(&ds, ds.traces.iter().map(Box::as_ref), &Redaction::none()),
                false,
            ),
            (
                "jaeger",
                jaeger::encode(&ds, ds.traces.iter().map(Box::as_ref), &Redaction::none()),
                true,
            ),
        ] {
            let bytes = doc;
            let mut back = Dataset::default();
            decode_bytes(&mut back, &bytes).unwrap_or_else(|e| panic!("{name} as {label}: {e}"));
            // Ids that were numbers come back as the same numbers.
            for t in &back.traces {
                assert!(
                    t.span_key.iter().all(|k| matches!(k, IdKey::Num(_))),
                    "{name} as {label}: text id"
                );
            }
            assert_eq!(
                shape(&back, round_us),
                shape(&ds, round_us),
                "{name} as {label}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 80, "only {checked} corpus files checked");
}

#[test]
fn redaction_removes_values_from_exports() {
    let ds = decode_file("otlp/jaeger-apiv3-getTrace-response-hotrod.json");
    let r = Redaction {
        patterns: vec!["customer".into(), "*.address".into()],
        mode: Mode::Drop,
        allowlist: None,
        values: false,
    };
    let n = r.removed(&ds, ds.traces.iter().map(Box::as_ref)).total();
    assert!(n > 0);
    let plain = String::from_utf8(otlp::encode(
        &ds,
        ds.traces.iter().map(Box::as_ref),
        &Redaction::none(),
    ))
    .unwrap();
    let red = String::from_utf8(otlp::encode(&ds, ds.traces.iter().map(Box::as_ref), &r)).unwrap();
    // Every redacted key is gone from the export, and nothing else is.
    let keys = |s: &str| s.matches("\"key\":").count();
    assert_eq!(keys(&plain) - keys(&red), n);
    assert!(!red.contains("\"key\":\"customer") && !red.contains(".address\""));
    let hashed = Redaction {
        mode: Mode::Hash,
        ..r.clone()
    };
    let h = String::from_utf8(jaeger::encode(
        &ds,
        ds.traces.iter().map(Box::as_ref),
        &hashed,
    ))
    .unwrap();
    assert!(h.contains("sha256:"));
}

#[test]
fn a_large_export_reports_the_spans_written_as_it_goes() {
    let json =
        tracescope_core::synth::trace_json(33_000, tracescope_core::synth::SynthFormat::Jaeger, 3);
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, json.as_bytes()).unwrap();
    for jaeger_json in [false, true] {
        let mut reports = Vec::new();
        let bytes = if jaeger_json {
            jaeger::encode_reporting(
                &ds,
                ds.traces.iter().map(Box::as_ref),
                &Redaction::defaults(),
                &mut |n| reports.push(n),
            )
        } else {
            otlp::encode_reporting(
                &ds,
                ds.traces.iter().map(Box::as_ref),
                &Redaction::defaults(),
                &mut |n| reports.push(n),
            )
        };
        assert_eq!(reports, [16_384, 32_768], "jaeger: {jaeger_json}");
        // Reporting changes nothing of what is written.
        let plain = if jaeger_json {
            jaeger::encode(
                &ds,
                ds.traces.iter().map(Box::as_ref),
                &Redaction::defaults(),
            )
        } else {
            otlp::encode(
                &ds,
                ds.traces.iter().map(Box::as_ref),
                &Redaction::defaults(),
            )
        };
        assert!(bytes == plain);
    }
}
