//! Any query string a link may carry: read, written and read again.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tracescope_core::url_state::UrlState;

fuzz_target!(|data: &[u8]| {
    let state = UrlState::parse(&String::from_utf8_lossy(data));
    // What the page writes back reads as the same state (backends are not written).
    let written = UrlState::parse(&state.to_query());
    let expected = UrlState {
        backend: None,
        kind: None,
        ..state
    };
    assert_eq!(written, expected);
});
