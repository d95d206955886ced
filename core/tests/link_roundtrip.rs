//! Every trace of every corpus file, one test per file: made into a
//! self-contained link's compact payload (everything kept, no redaction),
//! packed, unpacked and decoded again, it is the same trace — spans in tree
//! order, ids and their texts, parents, times to the nanosecond, names,
//! services, kinds, statuses, flags, attributes, resources, events, links.
//! `harness = false`: the tests are made from the corpus (libtest-mimic).

mod common;
use common::model_text::{in_tree_order, key};
use common::{corpus_dir, corpus_files};
use libtest_mimic::{Arguments, Failed, Trial};
use tracescope_core::encode::compact::{encode, Keep};
use tracescope_core::encode::redact::Redaction;
use tracescope_core::model::{Dataset, Trace};
use tracescope_core::{decode_bytes, share, Format};

fn check(file: &str) -> Result<(), Failed> {
    let mut ds = Dataset::default();
    let bytes = std::fs::read(corpus_dir().join(file)).map_err(|e| e.to_string())?;
    if decode_bytes(&mut ds, &bytes).is_err() {
        return Ok(()); // refused files are checked by the decoders' corpus tests
    }
    for (n, t) in ds.traces.iter().enumerate() {
        let payload = encode(&ds, t, &Redaction::none(), Keep::Everything, None);
        let unpacked = share::unpack(&share::pack(&payload))?;
        let mut back = Dataset::default();
        let sum = share::open(&mut back, &unpacked).map_err(|e| format!("trace {n}: {e}"))?;
        if sum.format != Format::Link || back.traces.len() != 1 {
            return Err(format!(
                "trace {n}: read as {:?}, {} traces",
                sum.format,
                back.traces.len()
            )
            .into());
        }
        let b = &back.traces[0];
        let ids =
            |d: &Dataset, t: &Trace| (t.trace_id.map(|k| key(d, k)), d.trace_id(t).to_string());
        if ids(&ds, t) != ids(&back, b) {
            return Err(format!(
                "trace {n}: id {:?} came back as {:?}",
                ids(&ds, t),
                ids(&back, b)
            )
            .into());
        }
        let (want, got) = (in_tree_order(&ds, t), in_tree_order(&back, b));
        if want.len() != got.len() {
            return Err(
                format!("trace {n}: {} spans came back as {}", want.len(), got.len()).into(),
            );
        }
        if let Some(j) = (0..want.len()).find(|&j| want[j] != got[j]) {
            return Err(format!(
                "trace {n}, span {j} in tree order:\n  sent {}\n  back {}",
                want[j], got[j]
            )
            .into());
        }
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let trials = corpus_files()
        .into_iter()
        .map(|f| Trial::test(f.clone(), move || check(&f)))
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
