//! The benchmark traces decode to what was asked for, in every format.

use tracescope_core::decode_bytes;
use tracescope_core::model::Dataset;
use tracescope_core::synth::{trace_json, SynthFormat};

#[test]
fn synthetic_traces_decode_to_the_asked_size() {
    for f in SynthFormat::OF_SPANS {
        let json = trace_json(5_000, f, 7);
        let mut ds = Dataset::default();
        let sum = decode_bytes(&mut ds, json.as_bytes()).unwrap_or_else(|e| panic!("{f:?}: {e}"));
        assert_eq!((sum.traces.len(), sum.spans), (1, 5_000), "{f:?}");
        let t = &ds.traces[0];
        assert!(t.warnings().is_empty(), "{f:?}: {:?}", t.warnings());
        assert_eq!(t.tree.roots().len(), 1, "{f:?}");
        let services = t.tree.services().len();
        assert!((20..=30).contains(&services), "{f:?}: {services} services");
        let errors = t.error_count();
        assert!((40..=160).contains(&errors), "{f:?}: {errors} errors");
        let depth = t.tree.depth().iter().max().copied().unwrap_or(0);
        assert!(depth > 20, "{f:?}: depth {depth}");
    }
    // Same seed, same bytes.
    assert_eq!(
        trace_json(300, SynthFormat::Otlp, 3),
        trace_json(300, SynthFormat::Otlp, 3)
    );
}
