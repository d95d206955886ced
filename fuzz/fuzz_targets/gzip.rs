//! Any bytes as a gzip file: unpacked within a small limit (never a panic),
//! and what both read, read the same as flate2's reader of concatenated
//! members reads it.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::io::Read;
use tracescope_core::decode::gunzip_within;

const LIMIT: u64 = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let ours = gunzip_within(data, LIMIT);
    let mut theirs = Vec::new();
    let read = flate2::read::MultiGzDecoder::new(data)
        .take(LIMIT + 1)
        .read_to_end(&mut theirs);
    if let (Ok(ours), Ok(_)) = (&ours, read) {
        if data.starts_with(&[0x1f, 0x8b]) && theirs.len() as u64 <= LIMIT {
            assert_eq!(&ours[..], &theirs[..]);
        }
    }
});
