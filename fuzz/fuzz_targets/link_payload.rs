//! Any bytes as the body of a self-contained link's compact payload (after
//! its magic and version, which are put in front so that every input
//! reaches the section reader), decoded as the worker does.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tracescope_core::encode::compact::{MAGIC, VERSION};
use tracescope_core::{share, Dataset};

fuzz_target!(|data: &[u8]| {
    let mut payload = MAGIC.to_vec();
    payload.push(VERSION);
    payload.extend_from_slice(data);
    let _ = share::open(&mut Dataset::default(), &payload);
});
