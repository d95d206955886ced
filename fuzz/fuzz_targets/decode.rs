//! Any bytes as a dropped file: decoded (gzip, every format, JSON Lines),
//! then what the views compute first from it; and decoded in parts, cut
//! where its first byte says, which must give what the whole file gives.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tracescope_core::analysis::critical_path::critical_path;
use tracescope_core::decode::parts;
use tracescope_core::{decode_bytes, Dataset};

fuzz_target!(|data: &[u8]| {
    let mut ds = Dataset::default();
    let whole = decode_bytes(&mut ds, data);
    if whole.is_ok() {
        for t in ds.traces.iter().map(Box::as_ref) {
            let _ = critical_path(t);
            let _ = tracescope_core::analysis::service_graph::service_graph([t]);
        }
    }
    let Some(&first) = data.first() else { return };
    let cut = data.len() * (first as usize + 1) / 257;
    let mut in_parts = Dataset::default();
    if let Some(sum) = parts::merged(&mut in_parts, data, &[cut, cut + cut / 2]) {
        let whole = whole.expect("parts decoded a file the whole decoder refuses");
        assert_eq!(sum.spans, whole.spans);
        let shape = |ds: &Dataset| -> Vec<(usize, Vec<String>)> {
            ds.traces.iter().map(|t| (t.len(), t.warnings().to_vec())).collect()
        };
        assert_eq!(shape(&in_parts), shape(&ds));
    }
});
