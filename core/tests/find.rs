//! Find inside a trace, against hand-computed answers on the demo checkout
//! trace and against a plain per-span reading of the same rule.

use proptest::prelude::*;
use tracescope_core::find::{find, FindQuery};
use tracescope_core::model::StatusCode;
use tracescope_core::{decode_bytes, Dataset, Trace};

fn demo() -> Dataset {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../public/demo/checkout-jaeger.json"
    ))
    .unwrap();
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, &bytes).unwrap();
    ds
}

fn count(ds: &Dataset, q: &str) -> usize {
    find(ds, &ds.traces[0], &FindQuery::parse(q).unwrap()).len()
}

/// Counts read off the demo file by hand (a script over its JSON: each
/// span's service, operation, span id, tags, process tags and log fields).
#[test]
fn the_demo_trace_by_hand() {
    let ds = demo();
    assert_eq!(ds.traces[0].len(), 264);
    // Both words somewhere in the span's texts: the redis GET price calls.
    assert_eq!(count(&ds, "GET price"), 36);
    assert_eq!(count(&ds, r#""get price""#), 36);
    // Only in log fields.
    assert_eq!(count(&ds, r#""upstream timeout""#), 2);
    assert_eq!(count(&ds, "ch_3PqX9"), 1);
    assert_eq!(count(&ds, "redis -price"), 64);
    assert_eq!(count(&ds, "duration>50ms"), 4);
    assert_eq!(count(&ds, "service=redis"), 100);
    assert_eq!(count(&ds, "error=true"), 4);
    assert_eq!(count(&ds, "db.system=MySQL"), 36);
    assert_eq!(
        count(&ds, "-service=redis -db.system=mysql"),
        264 - 100 - 36
    );
    assert_eq!(count(&ds, ""), 0);
}

#[test]
fn stepping_goes_in_waterfall_order_and_wraps() {
    let ds = demo();
    let t = &ds.traces[0];
    let f = find(&ds, t, &FindQuery::parse("GET price").unwrap());
    let pos = |s: u32| t.tree.preorder_pos()[s as usize];
    assert!(f.order.windows(2).all(|w| pos(w[0]) < pos(w[1])));
    let first = f.step(t, None, false).unwrap();
    assert_eq!(first, f.order[0]);
    assert_eq!(f.step(t, Some(first), false), Some(f.order[1]));
    assert_eq!(f.step(t, Some(first), true), f.order.last().copied());
    assert_eq!(f.step(t, f.order.last().copied(), false), Some(first));
    // From a span that is no match: the next match after it.
    let root = t.tree.preorder()[0];
    assert!(!f.matched[root as usize]);
    assert_eq!(f.step(t, Some(root), false), Some(first));
}

/// The rule read plainly, span by span.
fn plain(ds: &Dataset, t: &Trace, i: usize, word: &str) -> bool {
    let r = &ds.resources[t.resource[i] as usize];
    let mut texts = vec![
        ds.str(t.service[i]).to_string(),
        ds.str(t.name[i]).to_string(),
        ds.span_id(t, i).to_string(),
        ds.str(t.status_message[i]).to_string(),
    ];
    for e in ds.events(t.events[i]) {
        texts.push(ds.str(e.name).to_string());
        for a in ds.attrs(e.attrs) {
            texts.extend([ds.str(a.key).to_string(), ds.value_text(a.value)]);
        }
    }
    for a in ds.attrs(t.attrs[i]).iter().chain(ds.attrs(r.attrs)) {
        texts.extend([ds.str(a.key).to_string(), ds.value_text(a.value)]);
    }
    texts
        .iter()
        .any(|x| tracescope_core::case::lower(x).contains(word))
}

proptest! {
    #[test]
    fn words_and_exclusions_match_the_plain_reading(
        word in "[a-z0-9_. ]{1,6}", other in "[a-z]{1,3}", negate in any::<bool>(), errors_only in any::<bool>()
    ) {
        let ds = demo();
        let t = &ds.traces[0];
        let q = format!("\"{word}\" {}{other}{}", if negate { "-" } else { "" }, if errors_only { " error=true" } else { "" });
        let f = find(&ds, t, &FindQuery::parse(&q).unwrap());
        for i in 0..t.len() {
            let want = plain(&ds, t, i, &word) && plain(&ds, t, i, &other) != negate
                && (!errors_only || t.status[i] == StatusCode::Error);
            prop_assert_eq!(f.matched[i], want, "span {} for {}", i, q);
        }
        prop_assert_eq!(f.order.len(), f.matched.iter().filter(|&&m| m).count());
    }
}

proptest! {
    #[test]
    fn words_among_other_scripts_match_the_plain_reading(
        names in prop::collection::vec("[a-zA-Z \u{212A}\u{e9}\u{17f}\u{130}\u{3a3}]{0,12}", 1..40),
        pad in 0usize..9000,
        word in "[a-z]{1,3}",
    ) {
        // ASCII text before the names (so they fall in blocks of text of
        // their own or share one), then names mixing letters that are not
        // ASCII, some of whose lower case the app knows (Σ, İ) and some not
        // (the Kelvin sign).
        let mut ds = Dataset::default();
        ds.strings.intern(&"x".repeat(pad));
        let svc = ds.strings.intern("svc");
        ds.resources.push(tracescope_core::model::Resource { service: svc, attrs: Default::default() });
        let n = names.len();
        let mut t = tracescope_core::synth::trace_with(&vec![None; n], &[0], &[1]);
        for (i, name) in names.iter().enumerate() {
            t.name[i] = ds.strings.intern(name);
            t.service[i] = svc;
        }
        let f = find(&ds, &t, &FindQuery::parse(&format!("\"{word}\"")).unwrap());
        for (i, name) in names.iter().enumerate() {
            prop_assert_eq!(f.matched[i], plain(&ds, &t, i, &word), "{:?} for {}", name, word);
        }
    }
}

#[test]
fn words_found_only_in_a_number_or_a_boolean_are_found() {
    let ds = demo();
    let t = &ds.traces[0];
    // "rue" is in no string of the demo, only in the `true` of its error
    // tags; digits are in numbers too.
    for word in ["rue", "tru", "00"] {
        let want = (0..t.len()).filter(|&i| plain(&ds, t, i, word)).count();
        assert!(want > 0, "{word} is in the demo");
        let q = FindQuery::parse(word).unwrap();
        assert_eq!(find(&ds, t, &q).len(), want, "{word}");
    }
    // A word in nothing at all: found nowhere, without a span looked at.
    assert_eq!(count(&ds, "zqzqzq"), 0);
}
