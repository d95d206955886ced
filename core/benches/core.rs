//! `cargo bench -p tracescope-core`: decoding (with the tree) of a
//! synthetic 20k-span trace in each format, and the analyses over it.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use tracescope_core::analysis::critical_path::critical_path;
use tracescope_core::analysis::flame::merge;
use tracescope_core::analysis::service_graph::service_graph;
use tracescope_core::analysis::stats::{operation_stats, GroupBy};
use tracescope_core::decode::decode_bytes_general;
use tracescope_core::decode_bytes;
use tracescope_core::model::{Dataset, Trace};
use tracescope_core::synth::{trace_json, SynthFormat};

const SPANS: usize = 20_000;

fn decode(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode");
    for (name, f) in [
        ("jaeger", SynthFormat::Jaeger),
        ("otlp", SynthFormat::Otlp),
        ("zipkin", SynthFormat::Zipkin),
    ] {
        let json = trace_json(SPANS, f, 1);
        g.throughput(Throughput::Bytes(json.len() as u64));
        g.bench_with_input(BenchmarkId::new(name, SPANS), &json, |b, json| {
            b.iter(|| {
                let mut ds = Dataset::default();
                decode_bytes(&mut ds, json.as_bytes()).unwrap()
            })
        });
        // The same bytes parsed whole into serde_json::Value first.
        g.bench_with_input(
            BenchmarkId::new(format!("{name}_general"), SPANS),
            &json,
            |b, json| {
                b.iter(|| {
                    let mut ds = Dataset::default();
                    decode_bytes_general(&mut ds, json.as_bytes(), &mut |_| {}).unwrap()
                })
            },
        );
    }
    // The floor a DOM-style decoder pays: parsing the same bytes into serde_json::Value.
    let json = trace_json(SPANS, SynthFormat::Jaeger, 1);
    g.throughput(Throughput::Bytes(json.len() as u64));
    g.bench_with_input(
        BenchmarkId::new("serde_json_value_only", SPANS),
        &json,
        |b, json| b.iter(|| serde_json::from_str::<serde_json::Value>(json).unwrap()),
    );
    g.finish();
}

fn analyses(c: &mut Criterion) {
    let mut ds = Dataset::default();
    decode_bytes(
        &mut ds,
        trace_json(SPANS, SynthFormat::Jaeger, 1).as_bytes(),
    )
    .unwrap();
    let t: &Trace = &ds.traces[0];
    let mut g = c.benchmark_group("analysis");
    g.throughput(Throughput::Elements(SPANS as u64));
    g.bench_function("critical_path", |b| b.iter(|| critical_path(t)));
    g.bench_function("operation_stats", |b| {
        b.iter(|| operation_stats(&ds, [t], &GroupBy::ServiceOperation))
    });
    g.bench_function("merged_flame", |b| b.iter(|| merge([t])));
    g.bench_function("service_graph", |b| b.iter(|| service_graph([t])));
    g.finish();
}

/// The worker's hand-over: the model as one buffer, and the page taking it
/// (strings interned, columns copied); split to show where the time goes.
fn wire(c: &mut Criterion) {
    let mut ds = Dataset::default();
    let json = trace_json(SPANS, SynthFormat::Jaeger, 1);
    decode_bytes(&mut ds, json.as_bytes()).unwrap();
    let buf = tracescope_core::wire::encode(&ds, 1, 0..1);
    let strings = tracescope_core::wire::encode_strings(&ds, 1);
    let mut g = c.benchmark_group("wire");
    g.throughput(Throughput::Elements(SPANS as u64));
    g.bench_function("encode", |b| {
        b.iter(|| tracescope_core::wire::encode(&ds, 1, 0..1))
    });
    g.bench_function("apply", |b| {
        b.iter(|| tracescope_core::wire::apply(&mut Dataset::default(), &buf).unwrap())
    });
    g.bench_function("apply_strings_only", |b| {
        b.iter(|| tracescope_core::wire::apply_strings(&mut Dataset::default(), &strings).unwrap())
    });
    g.finish();
    eprintln!(
        "wire: {} bytes for {SPANS} spans ({} of them strings), JSON {} bytes",
        buf.iter().map(Vec::len).sum::<usize>(),
        strings.len(),
        json.len()
    );
}

criterion_group!(benches, decode, analyses, wire);
criterion_main!(benches);
