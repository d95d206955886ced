//! Set against set: the groups, the per-operation percentiles and the
//! attribute values against hand-computed answers.

mod common;
use common::{jaeger_dataset, jaeger_refs};
use serde_json::json;
use tracescope_core::analysis::sets::{
    attribute_shifts, members, operations, SetsBuilder, TraceGroup,
};
use tracescope_core::runs::Runs;
use tracescope_core::Dataset;

/// Ten checkouts: five on Monday (charge 10, 20, 30, 40, 50 ms; one on
/// host vm-7) and five on Tuesday (charge 20, 40, 60, 80, 500 ms, the last
/// failing; four on vm-7). Every checkout's cart load takes 5 ms; only
/// Tuesday's call `fraud score`. Every trace is in region eu (as common
/// in both: never a finding).
fn week() -> (Dataset, Runs<String>) {
    let mut traces = Vec::new();
    let mut sources = Vec::new();
    let monday = [10, 20, 30, 40, 50];
    let tuesday = [20, 40, 60, 80, 500];
    for (day, charges, vm7) in [("monday.json", monday, 1), ("tuesday.json", tuesday, 4)] {
        for (k, charge_ms) in charges.into_iter().enumerate() {
            let id = format!("{:016x}", traces.len() + 1);
            let host = if k < vm7 { "vm-7" } else { "vm-2" };
            let failed = charge_ms == 500;
            let mut spans = vec![
                json!({"traceID": id, "spanID": "1", "operationName": "checkout", "startTime": 1_000_000, "duration": (charge_ms + 10) * 1000,
                    "references": [], "process": {"serviceName": "web", "tags": [{"key": "host.name", "type": "string", "value": host}, {"key": "region", "type": "string", "value": "eu"}]}}),
                json!({"traceID": id, "spanID": "2", "operationName": "load", "startTime": 1_000_000, "duration": 5000,
                    "references": jaeger_refs(&id, "1", "CHILD_OF"), "process": {"serviceName": "cart"}}),
                json!({"traceID": id, "spanID": "3", "operationName": "charge", "startTime": 1_005_000, "duration": charge_ms * 1000,
                    "references": jaeger_refs(&id, "1", "CHILD_OF"), "process": {"serviceName": "pay"},
                    "tags": if failed { json!([{"key": "error", "type": "bool", "value": true}]) } else { json!([]) }}),
            ];
            if day == "tuesday.json" {
                spans.push(json!({"traceID": id, "spanID": "4", "operationName": "score", "startTime": 1_005_000, "duration": 1000,
                    "references": jaeger_refs(&id, "3", "CHILD_OF"), "process": {"serviceName": "fraud"}}));
            }
            traces.push(json!({"traceID": id, "spans": spans}));
            sources.push(day.to_string());
        }
    }
    (jaeger_dataset(traces), sources.into_iter().collect())
}

fn file(name: &str) -> TraceGroup {
    TraceGroup::File(name.into())
}

#[test]
fn groups_by_file_by_find_and_the_rest() {
    let (ds, sources) = week();
    let [a, b] = members(&ds, &sources, [&file("monday.json"), &file("tuesday.json")]).unwrap();
    assert_eq!((a, b), ((0..5).collect(), (5..10).collect()));
    // Traces with a failing span against the rest.
    let failing = TraceGroup::Matching("error=true".into());
    let [a, b] = members(&ds, &sources, [&failing, &TraceGroup::Rest]).unwrap();
    assert_eq!((a, b), (vec![9], (0..9).collect()));
    // "The rest" may come first.
    let slow = TraceGroup::Matching("service=pay duration>45ms".into());
    let [a, b] = members(&ds, &sources, [&TraceGroup::Rest, &slow]).unwrap();
    assert_eq!((a, b), (vec![0, 1, 2, 3, 5, 6], vec![4, 7, 8, 9]));
    // A trace may be in both.
    let [a, b] = members(&ds, &sources, [&file("tuesday.json"), &failing]).unwrap();
    assert_eq!((a, b), ((5..10).collect(), vec![9]));
}

#[test]
fn groups_that_cannot_be_are_refused_with_a_sentence() {
    let (ds, sources) = week();
    let rest = TraceGroup::Rest;
    let e = members(&ds, &sources, [&rest, &rest]).unwrap_err();
    assert!(e.contains("Both groups"), "{e}");
    let e = members(&ds, &sources, [&file("friday.json"), &rest]).unwrap_err();
    assert_eq!(e, "No loaded trace is in friday.json.");
    let e = members(
        &ds,
        &sources,
        [&TraceGroup::Matching("duration>".into()), &rest],
    )
    .unwrap_err();
    assert!(e.starts_with("duration>: "), "{e}");
    let e = members(&ds, &sources, [&TraceGroup::Matching("  ".into()), &rest]).unwrap_err();
    assert!(e.starts_with("Say which traces"), "{e}");
    // Every trace matches: nothing is left for the rest.
    let all = TraceGroup::Matching("service=web".into());
    assert_eq!(
        members(&ds, &sources, [&all, &rest]).unwrap_err(),
        "No loaded trace is in the rest."
    );
}

#[test]
fn group_texts_read_back() {
    for g in [
        file("monday.json"),
        file("a:b.json"),
        TraceGroup::Matching("error=true duration>500ms".into()),
        TraceGroup::Window(Some(-5), Some(1_700_000_000_000_000_000)),
        TraceGroup::Window(None, Some(7)),
        TraceGroup::Window(Some(7), None),
        TraceGroup::Rest,
    ] {
        assert_eq!(TraceGroup::parse(&g.text()), Some(g));
    }
    assert_eq!(TraceGroup::parse("everything"), None);
    assert_eq!(TraceGroup::parse("time:1"), None);
    assert_eq!(TraceGroup::parse("time:x,"), None);
}

#[test]
fn operations_compare_counts_and_nearest_rank_percentiles() {
    let (ds, sources) = week();
    let groups = members(&ds, &sources, [&file("monday.json"), &file("tuesday.json")]).unwrap();
    let ops = operations(&ds, &groups);
    let row = |svc: &str, op: &str| {
        ops.iter()
            .find(|o| ds.str(o.service) == svc && ds.str(o.operation) == op)
            .unwrap()
    };
    let ms = 1_000_000;
    let charge = row("pay", "charge");
    assert_eq!((charge.count(0), charge.count(1)), (5, 5));
    // Nearest rank of 5: p50 is the 3rd value, p95 and p99 the 5th.
    assert_eq!(charge.percentile(0, 50.0), Some(30 * ms));
    assert_eq!(charge.percentile(1, 50.0), Some(60 * ms));
    assert_eq!(charge.percentile(0, 95.0), Some(50 * ms));
    assert_eq!(charge.percentile(1, 95.0), Some(500 * ms));
    assert_eq!(charge.delta(95.0), Some(450 * ms));
    assert_eq!(charge.delta(50.0), Some(30 * ms));
    let checkout = row("web", "checkout");
    assert_eq!(checkout.delta(95.0), Some(450 * ms));
    let load = row("cart", "load");
    assert_eq!(load.delta(95.0), Some(0));
    let score = row("fraud", "score");
    assert_eq!((score.count(0), score.count(1)), (0, 5));
    assert_eq!((score.percentile(0, 95.0), score.delta(95.0)), (None, None));
    // The largest change of p95 first (ties by name), then those only one
    // group has.
    let order: Vec<String> = ops
        .iter()
        .map(|o| format!("{} {}", ds.str(o.service), ds.str(o.operation)))
        .collect();
    assert_eq!(
        order,
        ["pay charge", "web checkout", "cart load", "fraud score"]
    );
}

#[test]
fn attribute_values_whose_share_differs_most_come_first() {
    let (ds, sources) = week();
    let groups = members(&ds, &sources, [&file("monday.json"), &file("tuesday.json")]).unwrap();
    let shifts = attribute_shifts(&ds, &groups, 3, 10);
    let rows: Vec<(String, String, [usize; 2])> = shifts
        .iter()
        .map(|v| (ds.str(v.key).to_string(), ds.value_text(v.value), v.traces))
        .collect();
    // vm-7 on 1 of 5 Monday traces and 4 of 5 Tuesday ones (+60 points),
    // vm-2 the other way (−60); error=true on one Tuesday trace (+20).
    assert_eq!(
        rows,
        [
            ("host.name".to_string(), "vm-2".to_string(), [4, 1]),
            ("host.name".to_string(), "vm-7".to_string(), [1, 4]),
            ("error".to_string(), "true".to_string(), [0, 1]),
        ]
    );
    assert!((shifts[1].difference() - 0.6).abs() < 1e-12);
    assert!((shifts[0].difference() + 0.6).abs() < 1e-12);
    // One value a key: vm-2 (its tie with vm-7 broken by text) stays.
    let one = attribute_shifts(&ds, &groups, 1, 10);
    assert_eq!(one.len(), 2);
    assert_eq!(ds.value_text(one[0].value), "vm-2");
    assert_eq!(attribute_shifts(&ds, &groups, 3, 1).len(), 1);
}

#[test]
fn the_ticket_says_what_changed_most_in_a_sentence() {
    use tracescope_core::encode::redact::Redaction;
    use tracescope_core::report::sets_markdown;
    let (ds, sources) = week();
    let groups = members(&ds, &sources, [&file("monday.json"), &file("tuesday.json")]).unwrap();
    let ops = operations(&ds, &groups);
    let shifts = attribute_shifts(&ds, &groups, 3, 10);
    let md = sets_markdown(
        &ds,
        ["monday.json", "tuesday.json"],
        &groups,
        &ops,
        &shifts,
        "https://x/?seta=file:monday.json",
        &Redaction::defaults(),
    );
    assert!(md.contains("**A**: `monday.json` · 5 traces"), "{md}");
    assert!(
        md.contains("p95 of `pay` `charge` rose from 50ms to 500ms (+900%), 5 traces vs 5."),
        "{md}"
    );
    assert!(
        md.contains(
            "| `pay` | `charge` | 5 | 5 | 30ms | 60ms | 50ms | 500ms | 50ms | 500ms | +450ms |"
        ),
        "{md}"
    );
    assert!(
        md.contains("| `fraud` | `score` | 0 | 5 | — | 1ms | — | 1ms | — | 1ms | — |"),
        "{md}"
    );
    assert!(
        md.contains("| `host.name` | `vm-7` | 20% (1) | 80% (4) |"),
        "{md}"
    );
    assert!(
        md.ends_with("[Open the comparison in Tracescope](<https://x/?seta=file:monday.json>)\n"),
        "{md}"
    );
    // The groups the other way round: it fell.
    let back = [groups[1].clone(), groups[0].clone()];
    let md = sets_markdown(
        &ds,
        ["b", "a"],
        &back,
        &operations(&ds, &back),
        &[],
        "",
        &Redaction::defaults(),
    );
    assert!(
        md.contains("p95 of `pay` `charge` fell from 500ms to 50ms (-90%), 5 traces vs 5."),
        "{md}"
    );
}

#[test]
fn groups_by_when_their_traces_started() {
    let (ds, sources) = week();
    // Every checkout starts at 1 s after the epoch (µs 1,000,000): a window
    // from then holds all, one ending then holds none.
    let from = TraceGroup::Window(Some(1_000_000_000), None);
    let [a, b] = members(&ds, &sources, [&from, &file("tuesday.json")]).unwrap();
    assert_eq!((a.len(), b.len()), (10, 5));
    let before = TraceGroup::Window(None, Some(1_000_000_000));
    assert_eq!(
        members(&ds, &sources, [&before, &TraceGroup::Rest]).unwrap_err(),
        format!("No loaded trace is in {}.", before.describe())
    );
    assert_eq!(
        before.describe(),
        "traces started before 1970-01-01 00:00:01.000 UTC"
    );
    // The end is left out of the window.
    let just = TraceGroup::Window(Some(999_999_999), Some(1_000_000_001));
    let [a, _] = members(&ds, &sources, [&just, &file("monday.json")]).unwrap();
    assert_eq!(a.len(), 10);
    let upto = TraceGroup::Window(Some(0), Some(1_000_000_000));
    assert!(members(&ds, &sources, [&upto, &file("monday.json")]).is_err());
}

#[test]
fn groups_of_chosen_traces() {
    let (ds, sources) = week();
    let chosen = TraceGroup::Traces(vec![
        "0000000000000002".into(),
        "000000000000000a".into(),
        "ffff".into(),
    ]);
    let [a, b] = members(&ds, &sources, [&chosen, &TraceGroup::Rest]).unwrap();
    assert_eq!((a, b.len()), (vec![1, 9], 8));
    assert_eq!(chosen.describe(), "3 chosen traces");
    assert_eq!(TraceGroup::parse(&chosen.text()), Some(chosen));
    assert_eq!(TraceGroup::parse("ids:"), None);
}

#[test]
fn a_secret_in_an_attribute_value_stays_out_of_the_ticket() {
    use tracescope_core::encode::redact::Redaction;
    use tracescope_core::report::sets_markdown;
    let (mut ds, mut sources) = week();
    // One more Tuesday checkout whose span carries a password.
    let id = "00000000000000ff";
    let more = json!({"data": [{"traceID": id, "spans": [
        {"traceID": id, "spanID": "1", "operationName": "checkout", "startTime": 1_000_000, "duration": 10_000,
            "references": [], "process": {"serviceName": "web"},
            "tags": [{"key": "db.password", "type": "string", "value": "hunter2"}]}
    ]}]});
    tracescope_core::decode_bytes(&mut ds, more.to_string().as_bytes()).unwrap();
    sources.push_n(1, "tuesday.json".into());
    let groups = members(&ds, &sources, [&file("monday.json"), &file("tuesday.json")]).unwrap();
    let ops = operations(&ds, &groups);
    let shifts = attribute_shifts(&ds, &groups, 3, 10);
    let md = |r: &Redaction| sets_markdown(&ds, ["a", "b"], &groups, &ops, &shifts, "", r);
    assert!(
        md(&Redaction::none()).contains("hunter2"),
        "the value is a finding"
    );
    assert!(
        !md(&Redaction::defaults()).contains("hunter2"),
        "{}",
        md(&Redaction::defaults())
    );
}

/// The values whose share differs most, as the sentence says, worked out
/// the plain way: every value counted once per trace, all sorted, then
/// each key's first `per_key` kept, then the first `limit`.
fn shifts_by_hand(
    ds: &Dataset,
    groups: &[Vec<usize>; 2],
    per_key: usize,
    limit: usize,
) -> Vec<(String, String, [usize; 2])> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut counts: BTreeMap<(String, String), [usize; 2]> = BTreeMap::new();
    for (g, members) in groups.iter().enumerate() {
        for &i in members {
            let t = &ds.traces[i];
            let mut seen = BTreeSet::new();
            let resources: BTreeSet<u32> = t.resource.iter().copied().collect();
            let span_attrs = t.attrs.iter().flat_map(|&r| ds.attrs(r));
            let resource_attrs = resources
                .iter()
                .flat_map(|&r| ds.attrs(ds.resources[r as usize].attrs));
            for a in span_attrs.chain(resource_attrs) {
                // Values told apart by type too (1 and "1" are two).
                let key = (
                    ds.str(a.key).to_string(),
                    format!("{:?}", std::mem::discriminant(&a.value)),
                    ds.value_text(a.value),
                );
                if seen.insert(key.clone()) {
                    counts
                        .entry((key.0, format!("{}\u{0}{}", key.2, key.1)))
                        .or_default()[g] += 1;
                }
            }
        }
    }
    let sizes = [groups[0].len().max(1) as f64, groups[1].len().max(1) as f64];
    let diff = |c: &[usize; 2]| c[1] as f64 / sizes[1] - c[0] as f64 / sizes[0];
    let mut all: Vec<(String, String, [usize; 2])> = counts
        .into_iter()
        .map(|((k, v), c)| (k, v.split('\u{0}').next().unwrap_or("").to_string(), c))
        .filter(|(_, _, c)| diff(c) != 0.0)
        .collect();
    all.sort_by(|a, b| {
        diff(&b.2)
            .abs()
            .total_cmp(&diff(&a.2).abs())
            .then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1)))
    });
    let mut per: std::collections::HashMap<String, usize> = Default::default();
    all.retain(|(k, _, _)| {
        let n = per.entry(k.clone()).or_default();
        *n += 1;
        *n <= per_key
    });
    all.truncate(limit);
    all
}

/// Synthetic traces of the given sizes (services, errors, attributes).
fn synthetic(sizes: &[usize], seed: u64) -> Dataset {
    use tracescope_core::synth::{trace_json, SynthFormat};
    let mut ds = Dataset::default();
    for (k, &n) in sizes.iter().enumerate() {
        let json = trace_json(n, SynthFormat::Jaeger, seed + k as u64);
        tracescope_core::decode_bytes(&mut ds, json.as_bytes()).unwrap();
    }
    ds
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(60))]

    /// Values kept per key before anything is sorted give what sorting
    /// every value gives.
    #[test]
    fn attribute_shifts_are_the_plain_sort_of_every_value(
        sizes in proptest::collection::vec(1usize..60, 2..6),
        seed in 0u64..1000,
        cut in 1usize..5,
        per_key in 0usize..4,
        limit in 0usize..30,
    ) {
        let ds = synthetic(&sizes, seed);
        let n = ds.traces.len();
        let cut = cut.min(n - 1);
        let groups = [(0..cut).collect::<Vec<_>>(), (cut..n).collect::<Vec<_>>()];
        let got: Vec<(String, String, [usize; 2])> = attribute_shifts(&ds, &groups, per_key, limit)
            .into_iter()
            .map(|v| (ds.str(v.key).to_string(), ds.value_text(v.value), v.traces))
            .collect();
        proptest::prop_assert_eq!(got, shifts_by_hand(&ds, &groups, per_key, limit));
    }

    /// Made a part at a time, however small the parts, a comparison is
    /// what the plain way gives: the traces with a matching span, every
    /// operation's sorted durations per group, the values by hand.
    #[test]
    fn a_comparison_in_parts_is_the_plain_one(
        sizes in proptest::collection::vec(1usize..40, 2..7),
        seed in 0u64..1000,
        budget in 1usize..120,
        which in 0usize..4,
    ) {
        use std::collections::BTreeMap;
        use tracescope_core::find::{find, FindQuery};
        let ds = synthetic(&sizes, seed);
        let n = ds.traces.len();
        let sources: Vec<String> = (0..n).map(|k| format!("f{}", k % 2)).collect();
        let query = ["http.status_code=500", "duration>2ms", "nothing-like-it"];
        let groups = [
            [TraceGroup::File("f0".into()), TraceGroup::Rest],
            [TraceGroup::Matching(query[0].into()), TraceGroup::File("f1".into())],
            [TraceGroup::Rest, TraceGroup::Matching(query[1].into())],
            [TraceGroup::Matching(query[2].into()), TraceGroup::Rest],
        ][which].clone();
        // The groups the plain way.
        let traces_of = |g: &TraceGroup| -> Option<Vec<usize>> {
            match g {
                TraceGroup::File(f) => Some((0..n).filter(|&k| &sources[k] == f).collect()),
                TraceGroup::Matching(q) => {
                    let q = FindQuery::parse(q).unwrap();
                    Some((0..n).filter(|&k| !find(&ds, &ds.traces[k], &q).order.is_empty()).collect())
                }
                _ => None,
            }
        };
        let (a, b) = (traces_of(&groups[0]), traces_of(&groups[1]));
        let rest = |o: &Vec<usize>| (0..n).filter(|k| !o.contains(k)).collect::<Vec<_>>();
        let plain = match (a, b) {
            (Some(a), Some(b)) => [a, b],
            (Some(a), None) => { let b = rest(&a); [a, b] }
            (None, Some(b)) => [rest(&b), b],
            (None, None) => unreachable!(),
        };
        let mut builder = SetsBuilder::new(&ds, &sources.iter().collect(), [&groups[0], &groups[1]], 2, 9).unwrap();
        let mut steps = 0;
        while !builder.step(&ds, budget) {
            steps += 1;
            proptest::prop_assert!(steps < 100_000);
        }
        let made = builder.finish(&ds);
        if plain.iter().any(|m| m.is_empty()) {
            proptest::prop_assert!(made.is_err());
            return Ok(());
        }
        let c = made.unwrap();
        proptest::prop_assert_eq!(&c.members, &plain);
        // Every operation with its durations, sorted, in each group.
        let mut ops: BTreeMap<(String, String), [Vec<i64>; 2]> = BTreeMap::new();
        for (g, m) in plain.iter().enumerate() {
            for &k in m {
                let t = &ds.traces[k];
                for s in 0..t.len() {
                    ops.entry((ds.str(t.service[s]).into(), ds.str(t.name[s]).into())).or_default()[g].push(t.duration_ns[s]);
                }
            }
        }
        ops.values_mut().for_each(|d| d.iter_mut().for_each(|d| d.sort_unstable()));
        let got: BTreeMap<(String, String), [Vec<i64>; 2]> = c.ops.iter()
            .map(|o| ((ds.str(o.service).into(), ds.str(o.operation).into()), o.durations.clone()))
            .collect();
        proptest::prop_assert_eq!(got.len(), c.ops.len(), "an operation listed twice");
        proptest::prop_assert_eq!(got, ops);
        let change = |o: &tracescope_core::analysis::sets::OperationShift| o.delta(95.0).map(i64::unsigned_abs);
        proptest::prop_assert!(c.ops.windows(2).all(|w| change(&w[0]) >= change(&w[1])));
        let values: Vec<(String, String, [usize; 2])> = c.values.iter()
            .map(|v| (ds.str(v.key).to_string(), ds.value_text(v.value), v.traces))
            .collect();
        proptest::prop_assert_eq!(values, shifts_by_hand(&ds, &plain, 2, 9));
    }
}
