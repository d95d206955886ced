//! Any text as a share link's `#data=` payload: unpacked (a capped inflate)
//! and decoded as the worker does.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tracescope_core::{share, Dataset};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(bytes) = share::unpack(&text) {
        let _ = share::open(&mut Dataset::default(), &bytes);
    }
});
