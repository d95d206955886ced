//! Self-contained links: random models come back whole from the compact
//! payload; what each choice keeps; the subset that fits when nothing else
//! does; links of earlier builds (deflated OTLP JSON) still open.

mod common;
use common::decode_file;
use common::model_text::in_tree_order;
use proptest::prelude::*;
use tracescope_core::analysis::critical_path::critical_path;
use tracescope_core::encode::compact::{encode, is_ticket_key, Keep};
use tracescope_core::encode::otlp;
use tracescope_core::encode::redact::Redaction;
use tracescope_core::model::*;
use tracescope_core::share::{self, best_subset, LinkPlan, MAX_LINK_CHARS};
use tracescope_core::{decode_bytes, Dataset, Format, Trace};

/// The payload decoded again: its dataset (one trace).
fn back(payload: &[u8]) -> Dataset {
    let mut ds = Dataset::default();
    let sum = share::open(&mut ds, &share::unpack(&share::pack(payload)).unwrap()).unwrap();
    assert_eq!(sum.format, Format::Link);
    ds
}

/// An id and its text in one of the spellings sources use.
fn id(ds: &mut Dataset, style: u8, v: u64) -> (IdKey, StrId) {
    let (key, text) = match style % 5 {
        0 => (IdKey::num(v as u128), format!("{v:016x}")),
        1 => (IdKey::num(v as u128), format!("{v:x}")),
        2 => (IdKey::num(v as u128), v.to_string()),
        3 => (IdKey::num(v as u128), format!("{v:X}")),
        _ => {
            let t = format!("span-{v}");
            (IdKey::Text(ds.strings.intern(&t)), t)
        }
    };
    (key, ds.strings.intern(&text))
}

type SpanSpec = (
    (u8, u64, u8, u64), // id style and value, parent pick, orphan id
    (i64, i64, u8, u8), // start, duration, kind, status
    Vec<(u8, u8, i64, f64)>,
    Vec<(i32, u8)>,
    Vec<(u8, u64)>,
);

/// A random model: ids of every spelling, orphans, attributes of every
/// type (NaN and negative numbers too), events, links, resources, flags.
fn dataset() -> impl Strategy<Value = Dataset> {
    let span = (
        (any::<u8>(), any::<u64>(), any::<u8>(), any::<u64>()),
        (
            prop_oneof![0i64..4_000_000_000_000_000_000, any::<i64>()],
            0i64..1_000_000_000_000_000,
            0u8..6,
            0u8..3,
        ),
        prop::collection::vec((any::<u8>(), 0u8..5, any::<i64>(), any::<f64>()), 0..4),
        prop::collection::vec((any::<i32>(), any::<u8>()), 0..3),
        prop::collection::vec((any::<u8>(), any::<u64>()), 0..2),
    );
    (
        prop::collection::vec(span, 1..40),
        any::<u64>(),
        any::<bool>(),
    )
        .prop_map(|(specs, trace, micros)| build(specs, trace, micros))
}

fn build(specs: Vec<SpanSpec>, trace: u64, micros: bool) -> Dataset {
    let mut ds = Dataset::default();
    let words = [
        "http.method",
        "db.system",
        "peer.service",
        "",
        "ünïcode ✓",
        "GET /api?x=1",
    ];
    let word = |ds: &mut Dataset, b: u8| ds.strings.intern(words[b as usize % words.len()]);
    for r in 0..2 {
        let service = ds.strings.intern(&format!("service-{r}"));
        let start = ds.attrs.len() as u32;
        let key = word(&mut ds, r);
        ds.attrs.push(Attr {
            key,
            value: AttrValue::Int(r as i64),
        });
        ds.resources.push(Resource {
            service,
            attrs: Range32::new(start, ds.attrs.len() as u32),
        });
    }
    let mut t = Trace::default();
    t.trace_id = Some(IdKey::num(trace as u128 * 7));
    t.trace_id_text = ds.strings.intern(&format!("{:032x}", trace as u128 * 7));
    let ids: Vec<(IdKey, StrId)> = specs.iter().map(|s| id(&mut ds, s.0 .0, s.0 .1)).collect();
    for (i, ((_, _, pick, orphan), (start, dur, kind, status), attrs, events, links)) in
        specs.into_iter().enumerate()
    {
        let unit = if micros { 1000 } else { 1 };
        let parent = match pick % 4 {
            0 => None,
            1 => Some(id(&mut ds, pick, orphan)),
            _ if i == 0 => None,
            _ => Some(ids[orphan as usize % i]),
        };
        let a0 = ds.attrs.len() as u32;
        for (k, tag, int, float) in attrs {
            let key = word(&mut ds, k);
            let value = match tag {
                0 => AttrValue::Str(word(&mut ds, k.wrapping_add(1))),
                1 => AttrValue::Int(int),
                2 => AttrValue::Float(float),
                _ => AttrValue::Bool(tag == 3),
            };
            ds.attrs.push(Attr { key, value });
        }
        let e0 = ds.events.len() as u32;
        for (offset, name) in events {
            let name = word(&mut ds, name);
            ds.events.push(Event {
                time_ns: start / unit * unit + offset as i64 * unit,
                name,
                attrs: Range32::default(),
            });
        }
        let l0 = ds.links.len() as u32;
        for (style, v) in links {
            let (span_id, span_id_text) = id(&mut ds, style, v);
            let (trace_id, trace_id_text) = if style % 2 == 0 {
                (t.trace_id.unwrap(), t.trace_id_text)
            } else {
                id(&mut ds, style / 2, v / 3)
            };
            let kind =
                [LinkKind::Link, LinkKind::FollowsFrom, LinkKind::SharedHalf][style as usize % 3];
            ds.links.push(Link {
                trace_id,
                trace_id_text,
                span_id,
                span_id_text,
                kind,
                attrs: Range32::default(),
            });
        }
        // Now and then a span's service is not its resource's.
        let service = if i % 5 == 4 {
            word(&mut ds, pick)
        } else {
            ds.resources[i % 2].service
        };
        let name = word(&mut ds, pick.wrapping_add(2));
        let status_message = if status == 2 {
            word(&mut ds, kind)
        } else {
            StrId(0)
        };
        t.push_span(SpanRow {
            span_key: ids[i].0,
            span_id_text: ids[i].1,
            parent_key: parent.map(|p| p.0),
            parent_id_text: parent.map(|p| p.1).unwrap_or_default(),
            service,
            name,
            start_ns: start / unit * unit,
            duration_ns: dur / unit * unit,
            kind: SpanKind::from_number(kind as i64),
            status: [StatusCode::Unset, StatusCode::Ok, StatusCode::Error][status as usize],
            status_message,
            resource: (i % 2) as u32,
            attrs: Range32::new(a0, ds.attrs.len() as u32),
            events: Range32::new(e0, ds.events.len() as u32),
            links: Range32::new(l0, ds.links.len() as u32),
            flags: pick & (flags::NO_DURATION | flags::ASYNC_PARENT | flags::SHARED),
        });
    }
    tracescope_core::tree::build(&mut t);
    ds.traces.push(Box::new(t));
    ds
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn random_models_come_back_whole(ds in dataset()) {
        let t = &ds.traces[0];
        let b = back(&encode(&ds, t, &Redaction::none(), Keep::Everything, None));
        prop_assert_eq!(in_tree_order(&b, &b.traces[0]), in_tree_order(&ds, t));
    }

    #[test]
    fn a_subset_keeps_the_path_the_critical_path_every_error_and_whole_branches(
        ds in dataset(), k in 0usize..40, pick in any::<usize>()
    ) {
        let t = &ds.traces[0];
        let selected = pick % t.len();
        let keep = best_subset(t, Some(selected), k);
        let path = critical_path(t);
        let mut must = 0;
        for i in 0..t.len() {
            if let Some(p) = t.tree.parent_of(i) {
                prop_assert!(!keep[i] || keep[p], "span {} kept without its parent {}", i, p);
            }
            if i == selected || path.contains(i) || t.status[i] == StatusCode::Error {
                prop_assert!(keep[i], "span {} must stay", i);
                must += 1;
            }
        }
        let kept = keep.iter().filter(|&&k| k).count();
        // Over k only by the spans that must stay and the ancestors of the last added.
        prop_assert!(kept <= k.max(must) + t.tree.max_depth as usize + 1 || kept <= must * (t.tree.max_depth as usize + 1));
        // What a subset link holds: those spans, and it says how many were left out.
        let b = back(&encode(&ds, t, &Redaction::none(), Keep::ForTicket, Some(&keep)));
        prop_assert_eq!(b.traces[0].len(), kept);
        let warned = b.traces[0].warnings().iter().any(|w| w.contains(&format!("holds {kept} of the trace's {} spans", t.len())));
        prop_assert_eq!(warned, kept < t.len());
    }
}

#[test]
fn each_choice_keeps_what_it_says() {
    let ds = decode_file("otlp/jaeger-apiv3-getTrace-response-hotrod.json");
    let t = &ds.traces[0];
    let r = Redaction::none();
    let everything = back(&encode(&ds, t, &r, Keep::Everything, None));
    let no_res = back(&encode(&ds, t, &r, Keep::NoResourceAttributes, None));
    let ticket = back(&encode(&ds, t, &r, Keep::ForTicket, None));
    let res_attrs = |d: &Dataset| d.resources.iter().map(|x| x.attrs.len()).sum::<usize>();
    assert!(res_attrs(&everything) > 0);
    assert_eq!(res_attrs(&no_res), 0);
    let span_attrs = |d: &Dataset| d.traces[0].attrs.iter().map(|a| a.len()).sum::<usize>();
    assert_eq!(span_attrs(&no_res), span_attrs(&everything));
    // For the ticket: only the keys an engineer reads first, events only on errors.
    let bt = &ticket.traces[0];
    let keys: Vec<&str> = bt
        .attrs
        .iter()
        .flat_map(|&r| ticket.attrs(r))
        .map(|a| ticket.str(a.key))
        .collect();
    assert!(
        !keys.is_empty() && keys.iter().all(|k| is_ticket_key(k)),
        "{keys:?}"
    );
    assert!(keys.len() < span_attrs(&everything));
    for i in 0..bt.len() {
        assert!(bt.events[i].is_empty() || bt.status[i] == StatusCode::Error);
    }
    // Names, timings and statuses are all there.
    assert_eq!(bt.len(), t.len());
    assert_eq!(bt.error_count(), t.error_count());
    // Times to the microsecond: start and end each rounded.
    let us = |v: i64| (v + 500).div_euclid(1000) * 1000;
    for (j, &i) in t.tree.preorder().iter().enumerate() {
        let i = i as usize;
        assert_eq!(bt.start_ns[j], us(t.start_ns[i]), "span {j}");
        assert_eq!(bt.end_ns(j), us(t.end_ns(i)), "span {j}");
    }
}

#[test]
fn a_trace_too_large_for_a_link_gets_the_largest_subset_that_fits() {
    let json =
        tracescope_core::synth::trace_json(20_000, tracescope_core::synth::SynthFormat::Jaeger, 4);
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, json.as_bytes()).unwrap();
    let t = &ds.traces[0];
    let r = Redaction::defaults();
    let budget = MAX_LINK_CHARS - 60;
    let deepest = (0..t.len()).max_by_key(|&i| t.tree.depth()[i]).unwrap();
    let mut plan = LinkPlan::new(t.len(), Some(deepest), budget);
    let mut rounds = 0;
    while let Some(payload) = plan.next(&ds, t, &r) {
        plan.took(share::pack(&payload));
        rounds += 1;
    }
    let choices = plan.choices();
    // Too large to try whole: one subset, for the ticket, within the budget and close to it.
    assert_eq!(choices.len(), 1, "{rounds} rounds");
    let c = &choices[0];
    assert_eq!(c.keep, Keep::ForTicket);
    assert!(
        c.text.len() <= budget && c.text.len() * 100 >= budget * 85,
        "{} characters of {budget}",
        c.text.len()
    );
    assert!(c.spans > 300 && c.spans < t.len(), "{} spans", c.spans);
    let b = back(&share::unpack(&c.text).unwrap());
    let bt = &b.traces[0];
    assert_eq!(bt.len(), c.spans);
    assert!(bt
        .warnings()
        .iter()
        .any(|w| w.contains(&format!("holds {} of the trace's 20000 spans", c.spans))));
    // The selected span is there, with its path.
    let id = ds.span_id(t, deepest).to_string();
    assert!((0..bt.len()).any(|i| *b.span_id(bt, i) == *id));
}

#[test]
fn a_subset_grows_or_shrinks_until_it_nearly_fills_the_link() {
    let json =
        tracescope_core::synth::trace_json(20_000, tracescope_core::synth::SynthFormat::Jaeger, 5);
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, json.as_bytes()).unwrap();
    let t = &ds.traces[0];
    // A compressor that packs 8:1 (the first guess is far under the budget)
    // and one that doubles (far over it).
    for (times, ratio, budget) in [(1, 8, 20_000), (2, 1, 200_000)] {
        let mut plan = LinkPlan::new(t.len(), None, budget);
        let mut sizes = Vec::new();
        while let Some(payload) = plan.next(&ds, t, &Redaction::none()) {
            sizes.push(payload.len() * times / ratio);
            plan.took("x".repeat(payload.len() * times / ratio));
        }
        let choices = plan.choices();
        assert!(sizes.len() > 1, "{sizes:?}");
        let subset = choices
            .last()
            .filter(|c| c.spans < t.len())
            .expect("a subset");
        let chars = subset.text.len();
        assert!(chars <= budget && chars * 100 >= budget * 85, "{sizes:?}");
    }
}

#[test]
fn a_small_trace_gets_every_choice_whole() {
    let ds = decode_file("zipkin/zipkin-lens-netflix.json");
    let t = &ds.traces[0];
    let mut plan = LinkPlan::new(t.len(), None, MAX_LINK_CHARS);
    while let Some(payload) = plan.next(&ds, t, &Redaction::defaults()) {
        plan.took(share::pack(&payload));
    }
    let choices = plan.choices();
    let keeps: Vec<Keep> = choices.iter().map(|c| c.keep).collect();
    assert_eq!(keeps, Keep::ALL);
    assert!(choices.iter().all(|c| c.spans == t.len()));
    // Fullest first, and each keeps no more than the one before.
    assert!(choices
        .windows(2)
        .all(|w| w[0].text.len() >= w[1].text.len()));
}

#[test]
fn links_made_by_earlier_builds_still_open() {
    // Earlier builds put deflated OTLP JSON in the link.
    let ds = decode_file("zipkin/zipkin-lens-netflix.json");
    let old = share::pack(&otlp::encode(
        &ds,
        ds.traces.iter().map(Box::as_ref),
        &Redaction::defaults(),
    ));
    let mut back = Dataset::default();
    let sum = share::open(&mut back, &share::unpack(&old).unwrap()).unwrap();
    assert_eq!(sum.format, Format::Otlp);
    assert_eq!(back.span_count(), ds.span_count());
}

#[test]
fn a_link_of_another_version_or_cut_short_is_refused_with_a_reason() {
    let ds = decode_file("zipkin/zipkin-lens-netflix.json");
    let mut payload = encode(
        &ds,
        &ds.traces[0],
        &Redaction::none(),
        Keep::Everything,
        None,
    );
    for cut in [5, payload.len() / 2, payload.len() - 1] {
        let e = share::open(&mut Dataset::default(), &payload[..cut]).unwrap_err();
        assert!(e.to_string().contains("corrupt"), "{e}");
    }
    payload[4] = 9;
    let e = share::open(&mut Dataset::default(), &payload).unwrap_err();
    assert!(e.to_string().contains("another version"), "{e}");
}

#[test]
fn a_comparisons_link_holds_both_traces_whole() {
    // Two traces, each coming back as its own link would bring it.
    let mut ds = Dataset::default();
    for f in [
        "jaeger/jaeger-ui-genaiTestTrace.json",
        "zipkin/zipkin-lens-messaging-kafka.json",
    ] {
        let bytes = std::fs::read(common::corpus_dir().join(f)).unwrap();
        decode_bytes(&mut ds, &bytes).unwrap();
    }
    let (a, b) = (&ds.traces[0], &ds.traces[1]);
    let r = Redaction::defaults();
    let both = back(&share::pair(&ds, [a, b], &r, Keep::Everything));
    assert_eq!(both.traces.len(), 2);
    for (t, got) in [a, b].into_iter().zip(&both.traces) {
        let alone = back(&encode(&ds, t, &r, Keep::Everything, None));
        assert_eq!(
            in_tree_order(&both, got),
            in_tree_order(&alone, &alone.traces[0])
        );
        assert_eq!(*both.trace_id(got), *ds.trace_id(t));
    }
    // A payload cut inside the second trace is refused, not half read.
    let payload = share::pair(&ds, [a, b], &r, Keep::Everything);
    let first = encode(&ds, a, &r, Keep::Everything, None).len();
    let e = share::open(&mut Dataset::default(), &payload[..first + 20]).unwrap_err();
    assert!(e.to_string().contains("corrupt"), "{e}");
}
