//! A file's bytes as the worker reads them (`read_blob`): a piece at a
//! time into one buffer handed back and forth (a BYOB reader), or the
//! browser's own pieces where it has no such reader: the same bytes in
//! order either way, however the pieces fall. Run with `cargo test -p
//! tracescope-worker --target wasm32-unknown-unknown`.

use tracescope_worker::read_blob;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A blob of `parts` (each a run of bytes from a counter), and its bytes.
fn blob_of(parts: &[usize]) -> (web_sys::Blob, Vec<u8>) {
    let mut bytes = Vec::new();
    let seq = js_sys::Array::new();
    for &n in parts {
        let part: Vec<u8> = (0..n).map(|i| (bytes.len() + i * 7) as u8).collect();
        seq.push(&js_sys::Uint8Array::from(&part[..]));
        bytes.extend_from_slice(&part);
    }
    (
        web_sys::Blob::new_with_u8_array_sequence(&seq).unwrap(),
        bytes,
    )
}

#[wasm_bindgen_test]
async fn a_blob_reads_back_whole_and_in_order_with_either_reader() {
    // Past the 8 MB a BYOB read takes at once, in blob parts that do not
    // line up with it; and an empty blob.
    for parts in [vec![20 << 20, 3, 1 << 20], vec![1], vec![]] {
        let (blob, want) = blob_of(&parts);
        for byob in [true, false] {
            let mut told = Vec::new();
            let got = read_blob(&blob, byob, |n| told.push(n)).await.unwrap();
            assert!(
                got == want,
                "{parts:?} (byob {byob}): {} bytes read, {} in the blob",
                got.len(),
                want.len()
            );
            assert!(told.windows(2).all(|w| w[0] < w[1]), "{told:?}");
            assert_eq!(told.last().copied().unwrap_or(0), want.len());
        }
    }
}
