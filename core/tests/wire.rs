//! The worker protocol: decoding every corpus file on the "worker" side and
//! applying the deltas to the page's dataset gives exactly the dataset that
//! decoding on the page would have, including after failed files.

mod common;
use common::{corpus_dir, corpus_files};
use tracescope_core::wire::{apply, encode, encode_strings, Decoder};
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
        match worker.decode(&bytes, &mut |_| {}) {
            Ok((sum, buf)) => {
                let range = apply(&mut page, &buf).unwrap_or_else(|e| panic!("{f}: {e}"));
                assert_eq!(Ok(range.clone()), direct.map(|d| d.traces), "{f}");
                assert_eq!(sum.traces.len(), range.len(), "{f}");
                ok += 1;
            }
            Err(e) => {
                assert_eq!(Err(e), direct.map(|_| ()), "{f}");
                // A failed decode leaves no strings behind on either side.
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
fn streamed_jaeger_responses_decode_exactly_as_the_general_path() {
    let mut streamed = 0;
    let mut files: Vec<(String, Vec<u8>)> = corpus_files()
        .into_iter()
        .map(|f| {
            let b = std::fs::read(corpus_dir().join(&f)).unwrap();
            (f, b)
        })
        .collect();
    let synth =
        tracescope_core::synth::trace_json(3000, tracescope_core::synth::SynthFormat::Jaeger, 3);
    files.push(("synth".into(), synth.into_bytes()));
    for (f, bytes) in files {
        if !tracescope_core::decode::detect::is_jaeger_response(&bytes) {
            continue;
        }
        // A key before "data" sends the same JSON down the general path.
        let text = String::from_utf8(bytes.clone()).unwrap();
        let general = text.replacen('{', r#"{"_":0,"#, 1);
        let (mut a, mut b) = (Dataset::default(), Dataset::default());
        let ra = decode_bytes(&mut a, &bytes);
        let rb = decode_bytes(&mut b, general.as_bytes());
        assert_eq!(ra, rb, "{f}");
        // Strings may be interned in another order (processes after spans).
        assert_eq!(spans_as_text(&a), spans_as_text(&b), "{f}");
        streamed += 1;
    }
    assert!(streamed >= 6, "{streamed} files streamed");
}

/// Every span with everything it refers to, spelled out (no string ids).
fn spans_as_text(ds: &Dataset) -> Vec<String> {
    let attrs = |r| {
        ds.attrs(r)
            .iter()
            .map(|a| format!("{}={}", ds.str(a.key), ds.value_text(a.value)))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut out = Vec::new();
    for t in &ds.traces {
        out.push(format!(
            "trace {} {:?} {:?}",
            ds.str(t.trace_id_text),
            t.warnings,
            t.tree
        ));
        for i in 0..t.len() {
            let res = &ds.resources[t.resource[i] as usize];
            let events: Vec<String> = ds
                .events(t.events[i])
                .iter()
                .map(|e| format!("{}@{}[{}]", ds.str(e.name), e.time_ns, attrs(e.attrs)))
                .collect();
            let links: Vec<String> = ds
                .links(t.links[i])
                .iter()
                .map(|l| {
                    format!(
                        "{}/{}:{:?}[{}]",
                        ds.str(l.trace_id_text),
                        ds.str(l.span_id_text),
                        l.kind,
                        attrs(l.attrs)
                    )
                })
                .collect();
            out.push(format!(
                "{} <- {} {}/{} {} {} {:?} {:?} {} res {}[{}] [{}] {:?} {:?} {}",
                ds.str(t.span_id_text[i]),
                ds.str(t.parent_id_text[i]),
                ds.str(t.service[i]),
                ds.str(t.name[i]),
                t.start_ns[i],
                t.duration_ns[i],
                t.kind[i],
                t.status[i],
                ds.str(t.status_message[i]),
                ds.str(res.service),
                attrs(res.attrs),
                attrs(t.attrs[i]),
                events,
                links,
                t.flags[i],
            ));
        }
    }
    out
}
