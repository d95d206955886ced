//! Invariants over arbitrary input: id parsing, tree building, percentiles.

mod common;
use base64::Engine;
use proptest::prelude::*;
use serde_json::{json, Value};
use tracescope_core::analysis::self_time::self_times;
use tracescope_core::analysis::tree::NONE;
use tracescope_core::decode::ids::{span_key, trace_key};
use tracescope_core::layout::waterfall::visible_rows;
use tracescope_core::model::{
    IdKey, Interner, Range32, SpanKind, SpanRow, StatusCode, StrId, Trace,
};
use tracescope_core::synth::trace_with;
use tracescope_core::{decode_bytes, Dataset};

proptest! {
    /// The spans found for a list of ids (a span's links) in one pass are
    /// each id's first span, as a search of the trace per id finds it:
    /// with ids repeated in the trace, in the list, and ids no span has.
    #[test]
    fn spans_of_keys_are_each_keys_first_span(
        span_ids in proptest::collection::vec(1u128..15, 0..40),
        asked in proptest::collection::vec(0u128..20, 0..12),
    ) {
        let mut t = Trace::default();
        for &id in &span_ids {
            t.push_span(SpanRow { span_key: IdKey::num(id), ..Default::default() });
        }
        let keys: Vec<IdKey> = asked.iter().map(|&k| IdKey::num(k)).collect();
        let searched: Vec<Option<u32>> = keys
            .iter()
            .map(|k| t.span_key.iter().position(|s| s == k).map(|s| s as u32))
            .collect();
        prop_assert_eq!(t.spans_of_keys(&keys), searched);
    }

    /// A percentile selected from values in any order is the one read off
    /// them sorted.
    #[test]
    fn a_percentile_selected_is_the_sorted_one(
        mut values in proptest::collection::vec(-50i64..50, 0..60),
        p in 0.0f64..=100.0,
    ) {
        use tracescope_core::analysis::percentile::{nearest_rank, nearest_rank_of};
        let mut sorted = values.clone();
        sorted.sort_unstable();
        prop_assert_eq!(nearest_rank_of(&mut values, p), nearest_rank(&sorted, p));
    }

    #[test]
    fn span_ids_agree_across_spellings(v in any::<u64>()) {
        let mut s = Interner::default();
        let padded = format!("{v:016x}");
        let short = format!("{v:x}");
        let upper = padded.to_uppercase();
        let b64 = base64::engine::general_purpose::STANDARD.encode(v.to_be_bytes());
        let k = span_key(&mut s, &padded);
        prop_assert_eq!(k, IdKey::num(v as u128));
        prop_assert_eq!(span_key(&mut s, &short), k);
        prop_assert_eq!(span_key(&mut s, &upper), k);
        prop_assert_eq!(span_key(&mut s, &b64), k);
    }

    #[test]
    fn trace_ids_keep_all_128_bits(v in any::<u128>()) {
        let mut s = Interner::default();
        let b64 = base64::engine::general_purpose::STANDARD.encode(v.to_be_bytes());
        prop_assert_eq!(trace_key(&mut s, &format!("{v:032x}")), IdKey::num(v));
        prop_assert_eq!(trace_key(&mut s, &b64), IdKey::num(v));
    }

    /// However the index grows (as strings come, or reserved ahead), every
    /// string is found again at its first id.
    #[test]
    fn the_index_finds_every_string_after_it_grows(
        words in proptest::collection::vec(0u32..3000, 0..2000),
        reserve_at in 0usize..2000,
    ) {
        let mut s = Interner::default();
        let mut first = std::collections::HashMap::new();
        for (i, w) in words.iter().enumerate() {
            if i == reserve_at {
                s.reserve(5000, 0);
            }
            let w = format!("w{w}");
            let id = s.intern(&w);
            prop_assert_eq!(id, *first.entry(w).or_insert(id));
        }
        for (w, id) in &first {
            prop_assert_eq!(s.lookup(w), Some(*id));
        }
    }

    /// Strings pushed from a copy of the table are indexed late, a slice
    /// at a time: lookups and interning answer as a list searched in order
    /// would, whatever was indexed when.
    #[test]
    fn the_late_index_answers_as_a_list_would(
        ops in proptest::collection::vec((0u8..5, 0usize..12), 0..80),
    ) {
        let word = |k: usize| ["", "a", "b", "checkout", "a", "ba", "ab", "x", "checkout", "y", "zz", "q"][k];
        let mut s = Interner::default();
        let mut list: Vec<String> = vec![String::new()];
        let first = |list: &[String], w: &str| list.iter().position(|x| x == w);
        for (op, k) in ops {
            let w = word(k);
            match op {
                0 => {
                    let want = first(&list, w).unwrap_or_else(|| { list.push(w.into()); list.len() - 1 });
                    prop_assert_eq!(s.intern(w).0 as usize, want);
                }
                1 => {
                    list.push(w.into());
                    prop_assert_eq!(s.push_new(w).0 as usize, list.len() - 1);
                }
                2 => { s.index_pending(k); }
                3 => { list.truncate(k.max(1)); s.truncate(k); }
                _ => {}
            }
            prop_assert_eq!(s.len(), list.len());
            for k in 0..12 {
                prop_assert_eq!(s.lookup(word(k)).map(|i| i.0 as usize), first(&list, word(k)));
            }
        }
        prop_assert!(s.index_pending(usize::MAX));
        for k in 0..12 {
            prop_assert_eq!(s.lookup(word(k)).map(|i| i.0 as usize), first(&list, word(k)));
        }
    }

    #[test]
    fn id_parsing_never_panics(text in ".{0,40}") {
        let mut s = Interner::default();
        let _ = span_key(&mut s, &text);
        let _ = trace_key(&mut s, &text);
    }

    #[test]
    fn any_parent_graph_gives_a_forest_with_every_span_once(
        parents in proptest::collection::vec(proptest::option::of(0usize..80), 0..60),
        starts in proptest::collection::vec(0i64..1000, 1..10),
        durs in proptest::collection::vec(0i64..500, 1..10),
    ) {
        let t = trace_with(&parents, &starts, &durs);
        let n = parents.len();
        let mut seen = vec![0u32; n];
        for &s in t.tree.preorder() { seen[s as usize] += 1; }
        prop_assert!(seen.iter().all(|&c| c == 1));
        // Parent links are acyclic and depth grows by one along them.
        for i in 0..n {
            let p = t.tree.parent()[i];
            if p != NONE {
                prop_assert_eq!(t.tree.depth()[i], t.tree.depth()[p as usize] + 1);
                prop_assert!(t.tree.preorder_pos()[p as usize] < t.tree.preorder_pos()[i]);
            }
        }
        // Subtree sizes add up; every root's subtree is contiguous in preorder.
        let total: u32 = t.tree.roots().iter().map(|&r| t.tree.subtree_size()[r as usize]).sum();
        prop_assert_eq!(total as usize, n);
        // Collapsing everything shows only roots; collapsing nothing shows all.
        prop_assert_eq!(visible_rows(&t, &vec![true; n]).len(), t.tree.roots().len());
        prop_assert_eq!(visible_rows(&t, &vec![false; n]).len(), n);
        // Self time is never negative nor above the duration.
        for (i, st) in self_times(&t).into_iter().enumerate() {
            prop_assert!(st >= 0 && st <= t.duration_ns[i]);
        }
    }

    /// Each span's parent row and each repeated id are those a map filled
    /// in file order gives: in small traces, and in large ones, whose ids
    /// are matched a group at a time. Ids repeat and parents go missing;
    /// numbers with high bits and text ids are mixed.
    #[test]
    fn parent_rows_are_those_a_map_filled_in_file_order_gives(
        spans in proptest::collection::vec((0u32..2500, proptest::option::of(0u32..2800)), 0..3000),
    ) {
        use tracescope_core::model::StrId;
        use tracescope_core::tree::{parent_rows, MISSING};
        let key = |k: u32| match k % 3 {
            0 => IdKey::Text(StrId(k)),
            1 => IdKey::num(k as u128),
            _ => IdKey::num((k as u128) << 70 | 7),
        };
        let span_key: Vec<IdKey> = spans.iter().map(|s| key(s.0)).collect();
        let parent_key: Vec<Option<IdKey>> = spans.iter().map(|s| s.1.map(key)).collect();
        let mut first = std::collections::BTreeMap::new();
        for (i, k) in span_key.iter().enumerate() {
            first.entry(*k).or_insert(i as u32);
        }
        let want_parents: Vec<u32> = parent_key
            .iter()
            .map(|p| p.map_or(NONE, |p| first.get(&p).copied().unwrap_or(MISSING)))
            .collect();
        let mut want_repeats: Vec<(usize, u32)> = span_key
            .iter()
            .enumerate()
            .filter(|&(i, k)| first[k] as usize != i)
            .map(|(i, k)| (i, first[k]))
            .collect();
        let (parents, mut repeats) = parent_rows(&span_key, &parent_key);
        prop_assert_eq!(parents, want_parents);
        repeats.sort_unstable();
        want_repeats.sort_unstable();
        prop_assert_eq!(repeats, want_repeats);
    }
}

#[test]
fn a_100k_deep_chain_builds_without_recursion() {
    let n = 100_000;
    let parents: Vec<Option<usize>> = (0..n)
        .map(|i| if i == 0 { None } else { Some(i - 1) })
        .collect();
    let t = trace_with(&parents, &[0], &[10]);
    assert_eq!(t.tree.max_depth as usize, n - 1);
    assert_eq!(t.tree.subtree_size()[0] as usize, n);
    let mut collapsed = vec![false; n];
    collapsed[1] = true;
    assert_eq!(visible_rows(&t, &collapsed).len(), 2);
}

#[test]
fn cycles_are_broken_once_each() {
    // 0 → 1 → 2 → 0 and 3 → 3.
    let t = trace_with(&[Some(2), Some(0), Some(1), Some(3)], &[0, 1, 2, 3], &[5]);
    assert_eq!(t.tree.roots().len(), 2);
    assert!(t.warnings().iter().any(|w| w.contains("cycle")));
    assert_eq!(t.tree.preorder().len(), 4);
}

#[test]
fn self_time_merges_overlapping_children_and_clips_overhang() {
    // Parent 0..100; children 10..30 and 20..50 overlap (40 covered); child 90..130 overhangs (10 covered).
    let t = trace_with(
        &[None, Some(0), Some(0), Some(0)],
        &[0, 10, 20, 90],
        &[100, 20, 30, 40],
    );
    let st = self_times(&t);
    assert_eq!(st[0], 100 - 40 - 10);
    assert_eq!(st[1], 20);
}

fn span_row() -> impl Strategy<Value = SpanRow> {
    (
        (
            any::<u64>(),
            proptest::option::of(any::<u64>()),
            any::<u32>(),
            any::<u32>(),
        ),
        (any::<u32>(), any::<u32>(), any::<i64>(), any::<i64>()),
        (0i64..6, 0usize..3, any::<u32>(), any::<u32>()),
        (any::<(u32, u32, u32)>(), any::<u8>()),
    )
        .prop_map(
            |(
                (key, parent, id, pid),
                (svc, name, start, dur),
                (kind, status, msg, res),
                ((a, e, l), flags),
            )| SpanRow {
                span_key: IdKey::num(u128::from(key)),
                span_id_text: StrId(id),
                parent_key: parent.map(|p| IdKey::num(u128::from(p))),
                parent_id_text: StrId(pid),
                service: StrId(svc),
                name: StrId(name),
                start_ns: start,
                duration_ns: dur,
                kind: SpanKind::from_number(kind),
                status: [StatusCode::Unset, StatusCode::Ok, StatusCode::Error][status],
                status_message: StrId(msg),
                resource: res,
                attrs: Range32::new(a / 2, a),
                events: Range32::new(e / 2, e),
                links: Range32::new(l / 2, l),
                flags,
            },
        )
}

/// Each column of `t` against the spans it should hold, in order.
fn columns_hold(t: &Trace, rows: &[SpanRow]) -> Result<(), TestCaseError> {
    macro_rules! column {
        ($($c:ident),*) => {$(
            prop_assert_eq!(&t.$c[..], &rows.iter().map(|r| r.$c).collect::<Vec<_>>()[..], "{}", stringify!($c));
        )*};
    }
    column!(
        span_key,
        span_id_text,
        parent_key,
        parent_id_text,
        service,
        name,
        start_ns,
        duration_ns,
        kind,
        status,
        status_message,
        resource,
        attrs,
        events,
        links,
        flags
    );
    prop_assert!(t.columns_agree() && t.len() == rows.len() && t.room() >= t.len());
    Ok(())
}

#[derive(Debug, Clone)]
enum ColumnStep {
    Push(SpanRow),
    Append(Vec<SpanRow>, usize, usize),
    Reserve(usize),
    ReserveExact(usize),
    Clone,
}

proptest! {
    #[test]
    fn a_traces_columns_in_one_block_hold_what_was_put_in_them(
        steps in proptest::collection::vec(prop_oneof![
            4 => span_row().prop_map(ColumnStep::Push),
            2 => (proptest::collection::vec(span_row(), 0..12), 0usize..12, 0usize..12)
                .prop_map(|(rows, a, b)| ColumnStep::Append(rows, a, b)),
            1 => (0usize..40).prop_map(ColumnStep::Reserve),
            1 => (0usize..40).prop_map(ColumnStep::ReserveExact),
            1 => Just(ColumnStep::Clone),
        ], 0..40)
    ) {
        let mut t = Trace::default();
        let mut rows: Vec<SpanRow> = Vec::new();
        for step in steps {
            match step {
                ColumnStep::Push(r) => {
                    t.push_span(r);
                    rows.push(r);
                }
                ColumnStep::Append(src, a, b) => {
                    let mut from = Trace::default();
                    src.iter().for_each(|&r| from.push_span(r));
                    let (a, b) = (a.min(src.len()), b.min(src.len()));
                    let r = a.min(b)..b.max(a);
                    t.append_spans(&from, r.clone());
                    rows.extend_from_slice(&src[r]);
                }
                ColumnStep::Reserve(n) => {
                    t.reserve(n);
                    prop_assert!(t.room() >= t.len() + n);
                }
                ColumnStep::ReserveExact(n) => {
                    let room = t.room();
                    t.reserve_exact(n);
                    prop_assert_eq!(t.room(), room.max(t.len() + n));
                }
                ColumnStep::Clone => {
                    let copy = t.clone();
                    columns_hold(&copy, &rows)?;
                    // A copy holds no more room than its spans.
                    prop_assert_eq!(copy.room(), rows.len());
                    t = copy;
                }
            }
            columns_hold(&t, &rows)?;
        }
    }
}

#[test]
fn bounds_are_the_trees_while_it_covers_the_spans_and_else_the_columns() {
    let mut t = trace_with(&[None, Some(0)], &[100, 150], &[100, 10]);
    assert_eq!(t.bounds(), (100, 200));
    // Spans appended after the tree was made: it no longer covers them.
    let later = trace_with(&[None], &[50], &[400]);
    t.append_spans(&later, 0..1);
    assert_eq!(t.bounds(), (50, 450));
    // Columns with no tree at all (as a decoder holds them).
    let mut bare = Trace::default();
    bare.append_spans(&later, 0..1);
    assert_eq!(bare.bounds(), (50, 450));
    assert_eq!(Trace::default().bounds(), (0, 0));
}

#[test]
fn children_are_ordered_by_start() {
    let t = trace_with(
        &[None, Some(0), Some(0), Some(0)],
        &[0, 30, 10, 20],
        &[100, 1, 1, 1],
    );
    assert_eq!(t.tree.children_of(0), &[2, 3, 1]);
    assert_eq!(t.tree.preorder(), vec![0, 2, 3, 1]);
}

/// JSON built from the keys the formats use, nested at random: the decoders
/// must answer every such document with a trace or an error, never a panic.
fn trace_like_json() -> impl Strategy<Value = Value> {
    let keys = prop::sample::select(vec![
        "data",
        "traceID",
        "spanID",
        "spans",
        "processes",
        "references",
        "refType",
        "startTime",
        "duration",
        "tags",
        "logs",
        "resourceSpans",
        "scopeSpans",
        "batches",
        "traceId",
        "spanId",
        "parentSpanId",
        "id",
        "parentId",
        "timestamp",
        "annotations",
        "binaryAnnotations",
        "localEndpoint",
        "serviceName",
        "kind",
        "traceEvents",
        "ph",
        "ts",
        "dur",
        "pid",
        "tid",
        "args",
        "Traces",
        "Segments",
        "Document",
        "trace_id",
        "span_id",
        "parent_id",
        "start_time",
        "end_time",
        "subsegments",
        "meta",
        "batchWriteSpansRequest",
        "name",
        "value",
        "key",
        "attributes",
        "startTimeUnixNano",
        "endTimeUnixNano",
        "status",
        "code",
        "shared",
        "events",
        "links",
        "service",
        "start",
        "result",
        "type",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        prop::sample::select(vec![
            "",
            "0",
            "ab",
            "0000000000000001",
            "AAAAAAAAAAI=",
            "1-5f187253-6a106696d56b1f4ef9eba2ed",
            "X",
            "B",
            "E",
            "b",
            "e",
            "S",
            "F",
            "i",
            "CHILD_OF",
            "FOLLOWS_FROM",
            "SERVER",
            "CLIENT",
            "cs",
            "sr",
            "ss",
            "cr",
            "5000ns",
            "2017-01-26T16:46:31.639875139-05:00",
            "{\"id\":\"1\"}",
            "[1,2]",
            "projects/p/traces/ab/spans/01"
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..6).prop_map(|kv| Value::Object(
                kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn decoders_never_panic(v in trace_like_json()) {
        let mut ds = Dataset::default();
        let bytes = serde_json::to_vec(&v).unwrap();
        if let Ok(sum) = decode_bytes(&mut ds, &bytes) {
            prop_assert_eq!(ds.span_count(), sum.spans);
        }
        // Wrapped in each format's envelope too, to reach the inner decoders.
        for wrapped in [json!({"data": [v.clone()]}), json!({"resourceSpans": [v.clone()]}), json!([[v.clone()]]), json!({"traceEvents": [v.clone()]}), json!({"Traces": [v.clone()]})] {
            let mut ds = Dataset::default();
            let _ = decode_bytes(&mut ds, &serde_json::to_vec(&wrapped).unwrap());
        }
    }
}
