//! The worker protocol: decoding every corpus file on the "worker" side and
//! applying the deltas to the page's dataset gives exactly the dataset that
//! decoding on the page would have, including after failed files.

mod common;
use common::{corpus_dir, corpus_files};
use tracescope_core::wire::{apply, encode, encode_strings, Decoder};
use tracescope_core::{decode_bytes, Dataset};

fn everything(ds: &Dataset) -> Vec<u8> {
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
