//! Per-trace values held as runs, and taking trace indices out, against a
//! plain vector of every index.

use proptest::prelude::*;
use tracescope_core::runs::{Removal, Runs};

#[derive(Clone, Debug)]
enum Op {
    Push(usize, u8),
    Resize(usize, u8),
    Set(usize, usize, u8),
    Remove(Vec<usize>),
}

fn op() -> impl Strategy<Value = Op> {
    // Few distinct values, so neighbouring runs often hold the same one.
    prop_oneof![
        (0..6usize, 0..3u8).prop_map(|(n, v)| Op::Push(n, v)),
        (0..30usize, 0..3u8).prop_map(|(n, v)| Op::Resize(n, v)),
        (0..30usize, 0..8usize, 0..3u8).prop_map(|(i, n, v)| Op::Set(i, i + n, v)),
        prop::collection::vec(0..30usize, 0..6).prop_map(Op::Remove),
    ]
}

/// Runs that could be one (the same value on both sides of a boundary)
/// are one: what `Runs` holds stays in the number of changes of value.
fn runs_of<T: PartialEq>(v: &[T]) -> usize {
    v.iter()
        .enumerate()
        .filter(|&(i, x)| i == 0 || v[i - 1] != *x)
        .count()
}

proptest! {
    #[test]
    fn runs_hold_what_a_vector_of_every_index_holds(ops in prop::collection::vec(op(), 0..40)) {
        let mut runs = Runs::<u8>::default();
        let mut model: Vec<u8> = Vec::new();
        for op in ops {
            match op {
                Op::Push(n, v) => {
                    runs.push_n(n, v);
                    model.extend(std::iter::repeat_n(v, n));
                }
                Op::Resize(n, v) => {
                    runs.resize(n, v);
                    model.resize(n, v);
                }
                Op::Set(lo, hi, v) => {
                    runs.set_range(lo..hi, v);
                    let len = model.len();
                    for x in model.iter_mut().take(hi.min(len)).skip(lo) {
                        *x = v;
                    }
                }
                Op::Remove(which) => {
                    let out = Removal::new(&which, model.len());
                    let before = model.clone();
                    runs.remove(&out);
                    out.apply(&mut model);
                    // Where each index went, as the vector moved it.
                    let mut next = 0;
                    for (i, x) in before.iter().enumerate() {
                        if which.contains(&i) {
                            prop_assert_eq!(out.moved(i), None);
                        } else {
                            prop_assert_eq!(out.moved(i), Some(next));
                            prop_assert_eq!(model[next], *x);
                            next += 1;
                        }
                    }
                    prop_assert_eq!(next, model.len());
                }
            }
            prop_assert_eq!(runs.len(), model.len());
            for (i, x) in model.iter().enumerate() {
                prop_assert_eq!(runs.get(i), Some(x));
            }
            prop_assert_eq!(runs.get(model.len()), None);
            prop_assert_eq!(runs.run_count(), runs_of(&model));
        }
    }
}

proptest! {
    #[test]
    fn only_indices_holding_none_are_filled(
        start in prop::collection::vec(prop::option::of(0..2u8), 0..30),
        which in prop::collection::vec(0..35usize, 0..30),
    ) {
        let mut runs: Runs<Option<u8>> = start.iter().copied().collect();
        let mut model = start.clone();
        runs.fill_empty(&which, 9);
        for &i in &which {
            if let Some(x @ None) = model.get_mut(i) {
                *x = Some(9);
            }
        }
        prop_assert_eq!(runs.len(), model.len());
        for (i, x) in model.iter().enumerate() {
            prop_assert_eq!(runs.get(i), Some(x));
        }
        prop_assert_eq!(runs.run_count(), runs_of(&model));
    }
}

#[test]
fn a_million_indices_of_one_load_are_one_run() {
    let mut runs = Runs::default();
    runs.push_n(2, "demo");
    runs.push_n(1_000_000, "many.json");
    assert_eq!(runs.run_count(), 2);
    // The demo traces closed: the load's traces move down, still one run.
    runs.remove(&Removal::new(&[0, 1], runs.len()));
    assert_eq!((runs.len(), runs.run_count()), (1_000_000, 1));
    assert_eq!(runs.get(0), Some(&"many.json"));
}
