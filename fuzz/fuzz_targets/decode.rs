//! Any bytes as a dropped file: decoded (gzip, every format, JSON Lines),
//! then what the views compute first from it; decoded the general way (a
//! JSON tree a value), which must give what the streamed readers give; and
//! decoded in parts, cut where its first byte says, which must give what
//! the whole file gives.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tracescope_core::analysis::critical_path::critical_path;
use tracescope_core::decode::{decode_bytes_general, parts, DecodeError, DecodeSummary};
use tracescope_core::{decode_bytes, Dataset};

#[path = "../../core/tests/common/model_text.rs"]
mod model_text;

fuzz_target!(|data: &[u8]| {
    let mut ds = Dataset::default();
    let whole = decode_bytes(&mut ds, data);
    if whole.is_ok() {
        for t in ds.traces.iter().map(Box::as_ref) {
            let _ = critical_path(t);
            let _ = tracescope_core::analysis::service_graph::service_graph([t]);
        }
    }
    let mut general = Dataset::default();
    let by_general = (!data.starts_with(&[0x1f, 0x8b]))
        .then(|| decode_bytes_general(&mut general, data, &mut |_| {}));
    // The general path's tree stops at serde_json's 128 levels; the
    // streamed readers read maps and arguments nested deeper, as
    // `JSON.parse` does.
    let too_deep = |r: &Result<DecodeSummary, DecodeError>| {
        matches!(r, Err(DecodeError::TooDeep { .. }))
    };
    if let Some(by_general) = by_general.filter(|r| !too_deep(r)) {
        let result = |r: &Result<DecodeSummary, DecodeError>| {
            r.clone().map(|s| (s.format, s.traces, s.spans))
        };
        assert_eq!(result(&whole), result(&by_general));
        // The same spans (tables may differ: a streamed span whose list
        // repeats leaves the earlier list's items unused behind).
        let spans = |ds: &Dataset| -> Vec<(Vec<String>, Vec<String>)> {
            ds.traces
                .iter()
                .map(|t| (model_text::in_tree_order(ds, t), t.warnings().to_vec()))
                .collect()
        };
        assert_eq!(spans(&ds), spans(&general));
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
