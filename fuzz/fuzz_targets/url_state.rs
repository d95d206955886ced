//! Any query string a link may carry: read, written and read again; the
//! groups of a comparison of sets in it read as groups that write back the
//! same.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tracescope_core::analysis::sets::TraceGroup;
use tracescope_core::url_state::UrlState;

fuzz_target!(|data: &[u8]| {
    let state = UrlState::parse(&String::from_utf8_lossy(data));
    // What the page writes back reads as the same state (backends are not written).
    let written = UrlState::parse(&state.to_query());
    let sets = state.sets.clone();
    let expected = UrlState {
        backend: None,
        kind: None,
        ..state
    };
    assert_eq!(written, expected);
    for text in sets.iter().flat_map(|(a, b)| [a, b]) {
        if let Some(group) = TraceGroup::parse(text) {
            assert_eq!(TraceGroup::parse(&group.text()), Some(group.clone()));
            let _ = group.describe();
        }
    }
});
