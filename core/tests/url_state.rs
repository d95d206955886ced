//! The URL state read and written as browsers do (`URLSearchParams`): what a
//! link says comes back unchanged, and malformed parts are ignored.

use proptest::prelude::*;
use tracescope_core::url_state::UrlState;

#[test]
fn reads_a_query_as_url_search_params_does() {
    let st = UrlState::parse(
        "?trace=abc&view=flame&q=GET+%2Fapi%20x&zoom=10,20&flame=merged&cp=0&fold=a,,b&trace=second&fnode=0",
    );
    // The first of a repeated key; `+` and `%20` are spaces; empty fold ids skipped.
    assert_eq!(st.trace.as_deref(), Some("abc"));
    assert_eq!(st.view.as_deref(), Some("flame"));
    assert_eq!(st.find.as_deref(), Some("GET /api x"));
    assert_eq!(st.zoom, Some((10.0, 20.0)));
    assert!(st.flame.as_deref() == Some("merged") && st.hide_critical && !st.scope_all);
    assert_eq!(
        UrlState::parse("?flame=sandwich").flame.as_deref(),
        Some("sandwich")
    );
    assert_eq!(UrlState::parse("?flame=spiral").flame, None);
    assert!(UrlState::parse("?skew=adjust").adjust_clocks && !st.adjust_clocks);
    assert!(!UrlState::parse("?skew=1").adjust_clocks);
    assert_eq!(st.fold, ["a", "b"]);
    // Frame 0 is the root: not a zoom.
    assert_eq!(st.flame_node, None);
    // Without the leading `?` it reads the same.
    assert_eq!(
        UrlState::parse(&"?trace=abc&view=flame"[1..])
            .trace
            .as_deref(),
        Some("abc")
    );
}

#[test]
fn malformed_parts_are_ignored() {
    for zoom in [
        "20,10",
        "1",
        "a,b",
        "NaN,5",
        "1,inf",
        "5,5",
        ",",
        "1e400,1e401",
    ] {
        let st = UrlState::parse(&format!("zoom={zoom}&trace=t"));
        assert_eq!(st.zoom, None, "zoom={zoom}");
        assert_eq!(st.trace.as_deref(), Some("t"));
    }
    // Empty values are absent; broken escapes are kept as text, as browsers do.
    for compare in ["a", "a,", ",b", "a,b,c", ""] {
        assert_eq!(
            UrlState::parse(&format!("compare={compare}")).compare,
            None,
            "compare={compare}"
        );
    }
    let st = UrlState::parse("trace=&span=%zz&service=%E2%9C%93&view");
    assert_eq!(st.trace, None);
    assert_eq!(st.span.as_deref(), Some("%zz"));
    assert_eq!(st.service.as_deref(), Some("✓"));
    assert_eq!(st.view, None);
}

#[test]
fn writes_what_url_search_params_writes() {
    let st = UrlState {
        trace: Some("a b&c=d".into()),
        find: Some("100%/✓+".into()),
        zoom: Some((1.4, 2.6)),
        fold: vec!["x".into(), "y".into()],
        ..UrlState::default()
    };
    // Space as `+`, everything but `*-._` and alphanumerics escaped; zoom in whole ns.
    assert_eq!(
        st.to_query(),
        "?trace=a+b%26c%3Dd&zoom=1%2C3&find=100%25%2F%E2%9C%93%2B&fold=x%2Cy"
    );
    assert_eq!(UrlState::default().to_query(), "");
    // Backends are read from links, not written (the trace's `url=` says where it came from).
    let from_backend = UrlState::parse("backend=http://j:16686&kind=jaeger&trace=t");
    assert_eq!(from_backend.backend.as_deref(), Some("http://j:16686"));
    assert_eq!(from_backend.to_query(), "?trace=t");
}

fn text() -> impl Strategy<Value = Option<String>> {
    // Anything a trace or a person may put there: separators, escapes, any script.
    proptest::option::of("[a-zA-Z0-9 &=+%?#,./:;✓é\u{1F600}\\-_]{1,12}")
}

proptest! {
    #[test]
    fn what_is_written_reads_back(
        url in text(), trace in text(), view in text(), span in text(),
        service in text(), find in text(), fspan in text(),
        zoom in proptest::option::of((0u32..1_000_000, 1u32..1_000_000)),
        flags in any::<(bool, bool, bool, bool)>(), fnode in proptest::option::of(1u32..),
        fold in proptest::collection::vec("[a-f0-9]{1,16}", 0..5),
        embed in any::<bool>(), theme in proptest::option::of(prop_oneof![Just("dark".to_string()), Just("light".to_string())]),
        compare in proptest::option::of(("[a-f0-9]{1,32}", "[a-f0-9]{1,32}")),
        focus in text(),
        only in text(),
        sets in proptest::option::of((".{1,40}", ".{1,40}")),
    ) {
        let st = UrlState {
            url, trace, view, span, service, find,
            zoom: zoom.map(|(a, d)| (a as f64, a as f64 + d as f64)),
            flame: flags.0.then(|| "sandwich".to_string()), scope_all: flags.1, hide_critical: flags.2, adjust_clocks: flags.3,
            flame_span: fspan, flame_node: fnode, fold,
            backend: None, kind: None, embed, theme, compare, focus, only, sets,
        };
        let query = st.to_query();
        prop_assert_eq!(UrlState::parse(&query), st.clone());
        // Nothing in the query is left unescaped that would end or split it.
        prop_assert!(!query.contains('#') && !query.contains(' '));
        prop_assert_eq!(query.matches('?').count(), usize::from(!query.is_empty()));
    }
}

#[test]
fn zoom_is_read_in_whole_nanoseconds() {
    // As written: a window narrower than a nanosecond is no window.
    assert_eq!(UrlState::parse("zoom=1.4,2.6").zoom, Some((1.0, 3.0)));
    assert_eq!(UrlState::parse("zoom=0.1,0.2").zoom, None);
}
