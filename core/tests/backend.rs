//! The search form run over loaded traces, and result rows from decoded
//! backend answers (real files from the corpus).

mod common;
use common::corpus_dir;
use tracescope_core::backend::form::matches;
use tracescope_core::backend::response::found_in;
use tracescope_core::backend::Search;
use tracescope_core::{decode_bytes, Dataset};

fn load(path: &str) -> Dataset {
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, &std::fs::read(corpus_dir().join(path)).unwrap()).unwrap();
    ds
}

#[test]
fn the_form_filters_loaded_traces_as_a_backend_would() {
    // HotROD (Jaeger API v3 answer): 40 spans, GetDriver failed in redis-manual.
    let ds = load("otlp/jaeger-apiv3-getTrace-response-hotrod.json");
    let t = &ds.traces[0];
    let search = |f: &dyn Fn(&mut Search)| {
        let mut s = Search::default();
        f(&mut s);
        matches(&ds, t, &s)
    };
    assert!(search(&|_| {}));
    assert!(search(&|s| s.service = "redis-manual".into()));
    assert!(search(&|s| {
        s.service = "redis-manual".into();
        s.operation = "GetDriver".into();
        s.tags = vec![("param.driverID".into(), "T778539C".into())];
    }));
    // The tag is on a span of another service.
    assert!(!search(&|s| {
        s.service = "route".into();
        s.tags = vec![("param.driverID".into(), "T778539C".into())];
    }));
    // error=true matches the error status; an integer attribute by its text.
    assert!(search(&|s| s.tags = vec![("error".into(), "true".into())]));
    assert!(search(
        &|s| s.tags = vec![("http.response.status_code".into(), "200".into())]
    ));
    assert!(!search(
        &|s| s.tags = vec![("http.response.status_code".into(), "500".into())]
    ));
    // Resource attributes count too.
    assert!(search(
        &|s| s.tags = vec![("service.name".into(), "mysql".into())]
    ));
    assert!(!search(&|s| s.service = "nobody".into()));
    // Duration limits against the trace's own duration.
    let (a, b) = t.bounds();
    let us = (b - a) / 1000;
    assert!(search(&|s| s.min_duration_us = Some(us)));
    assert!(!search(&|s| s.min_duration_us = Some(us + 1)));
    assert!(!search(&|s| s.max_duration_us = Some(us - 1)));
    // The time range holds the trace's start, or not.
    assert!(search(&|s| {
        s.start_us = a / 1000 - 1;
        s.end_us = a / 1000 + 1;
    }));
    assert!(!search(&|s| {
        s.start_us = a / 1000 + 1;
        s.end_us = a / 1000 + 2;
    }));
}

#[test]
fn result_rows_of_decoded_answers() {
    let ds = load("jaeger/jaeger-ui-TraceCriticalPath-testTrace.json");
    let rows = found_in(&ds, 0..ds.traces.len());
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    let (a, b) = ds.traces[0].bounds();
    assert_eq!((r.start_ns, r.duration_ns), (a, b - a));
    assert_eq!(r.spans, Some(ds.traces[0].len()));
    assert!(!r.services.is_empty());
    assert!(r.services.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn tempo_v2_trace_by_id_answers_decode() {
    // Tempo's /api/v2/traces/{id} wraps the trace: {"trace": {...}}.
    let file =
        std::fs::read_to_string(corpus_dir().join("tempo/tempo-vulture-testdata-trace.json"))
            .unwrap();
    let wrapped = format!(r#"{{"trace":{file},"metrics":{{"inspectedBytes":"1"}}}}"#);
    let (mut a, mut b) = (Dataset::default(), Dataset::default());
    let ra = decode_bytes(&mut a, file.as_bytes()).unwrap();
    let rb = decode_bytes(&mut b, wrapped.as_bytes()).unwrap();
    assert_eq!((ra.format, ra.spans), (rb.format, rb.spans));
    assert_eq!(
        a.traces[0].span_id_text.len(),
        b.traces[0].span_id_text.len()
    );
    // The general path too (a key before "trace").
    let general = format!(r#"{{"status":"complete","trace":{file}}}"#);
    let mut c = Dataset::default();
    assert_eq!(
        decode_bytes(&mut c, general.as_bytes()).unwrap().spans,
        ra.spans
    );
}

#[test]
fn a_search_answered_again_adds_no_second_copy() {
    let path = corpus_dir().join("jaeger/jaeger-ui-TraceCriticalPath-testTrace.json");
    let bytes = std::fs::read(path).unwrap();
    let other = std::fs::read(corpus_dir().join("jaeger/jaeger-uimodel-ui_01.json")).unwrap();
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, &bytes).unwrap();
    decode_bytes(&mut ds, &other).unwrap();
    assert_eq!(ds.traces.len(), 2);
    // The same answer again, then a new one: the repeat maps to trace 0.
    decode_bytes(&mut ds, &bytes).unwrap();
    assert_eq!(ds.drop_repeated_from(2, &[]), [0]);
    assert_eq!(ds.traces.len(), 2);
    let mut again = Dataset::default();
    decode_bytes(&mut again, &bytes).unwrap();
    assert_eq!(again.drop_repeated_from(0, &[]), [0]);
    assert_eq!(again.traces.len(), 1);
}

proptest::proptest! {
    /// Against a search of every earlier trace: which traces stay, in
    /// order, and where each added one went.
    #[test]
    fn repeated_traces_are_dropped_as_a_search_of_the_earlier_ones_finds(
        keys in proptest::collection::vec((0u32..6, 1usize..3), 0..24),
        start in 0usize..24,
        told in 0u8..3,
    ) {
        use tracescope_core::model::StrId;
        use tracescope_core::synth::trace_with;
        let mut ds = Dataset::default();
        // Earlier traces are distinct among themselves, as loads leave them,
        // and so are a load's own (one trace of each id); a load repeats
        // some earlier ones.
        let start = start.min(keys.len());
        let mut earlier: Vec<(u32, usize)> = Vec::new();
        let mut added: Vec<(u32, usize)> = Vec::new();
        for (k, &key) in keys.iter().enumerate() {
            if k < start && !earlier.contains(&key) {
                earlier.push(key);
            }
            if k >= start && !added.iter().any(|&(id, _)| id == key.0) {
                added.push(key);
            }
        }
        for &(id, len) in earlier.iter().chain(&added) {
            let mut t = trace_with(&vec![None; len], &[0], &[1]);
            t.trace_id_text = StrId(id);
            ds.traces.push(Box::new(t));
        }
        let start = earlier.len();
        let all: Vec<(u32, usize)> = ds.traces.iter().map(|t| (t.trace_id_text.0, t.len())).collect();
        let mut expected = all[..start].to_vec();
        let keys_added = all.len() - start;
        let mut expected_map = Vec::new();
        for &key in &all[start..] {
            // Told the first earlier trace's fingerprint for every trace
            // (as if all shared it): only its repeats are found by it, and
            // no trace is dropped that repeats none.
            let lied = told == 2 && start <= keys_added;
            match expected.iter().position(|&e| e == key).filter(|&i| !lied || i == 0) {
                Some(i) => expected_map.push(i),
                None => {
                    expected_map.push(expected.len());
                    expected.push(key);
                }
            }
        }
        // The receiver tells the added traces' fingerprints (else they are
        // read).
        let arrived: Vec<u64> = match told {
            0 => Vec::new(),
            1 => ds.traces[start..].iter().map(|t| t.fingerprint()).collect(),
            _ => {
                let one = ds.traces.first().map_or(0, |t| t.fingerprint());
                vec![one; ds.traces.len() - start]
            }
        };
        let map = ds.drop_repeated_from(start, &arrived);
        let now: Vec<(u32, usize)> = ds.traces.iter().map(|t| (t.trace_id_text.0, t.len())).collect();
        proptest::prop_assert_eq!(now, expected);
        proptest::prop_assert_eq!(map, expected_map);
    }
}
