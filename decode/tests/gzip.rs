//! Gzip as `gzip -d` reads it (`decode::gzip`): every member of a file in
//! order, whatever its header holds, each checked against its trailer; cut
//! or corrupt files named so, never a panic. Checked against flate2's
//! reader of concatenated members.

use proptest::prelude::*;
use std::io::{Read, Write};
use tracescope_decode::decode::{gunzip_within, DecodeError};

/// `bytes` as one member, with the optional header fields given.
fn member(bytes: &[u8], level: u32, name: bool, comment: bool, extra: bool) -> Vec<u8> {
    let mut b = flate2::GzBuilder::new();
    if name {
        b = b.filename("trace.json");
    }
    if comment {
        b = b.comment("made by a test");
    }
    if extra {
        b = b.extra(vec![1, 2, 3, 4, 5]);
    }
    let mut e = b.write(Vec::new(), flate2::Compression::new(level));
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn flate2_reads(packed: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(packed)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn plain() -> impl Strategy<Value = Vec<u8>> {
    // Repetitive text (back-references) with random bytes among it.
    prop::collection::vec(
        prop_oneof![
            3 => Just(br#"{"spanID":"a1","duration":12},"#.to_vec()),
            1 => prop::collection::vec(any::<u8>(), 0..40),
        ],
        0..400,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn members_cut_anywhere_unpack_to_the_whole(
        bytes in plain(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
        level in 0u32..10,
        fields in any::<(bool, bool, bool)>(),
    ) {
        let mut at: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
        at.push(0);
        at.push(bytes.len());
        at.sort();
        let mut packed = Vec::new();
        for w in at.windows(2) {
            packed.extend(member(&bytes[w[0]..w[1]], level, fields.0, fields.1, fields.2));
        }
        prop_assert_eq!(&*gunzip_within(&packed, 1 << 30).unwrap(), &bytes[..]);
        prop_assert_eq!(flate2_reads(&packed), bytes);
    }
}

#[test]
fn a_file_cut_anywhere_is_refused_unless_cut_between_members() {
    let first = member(
        &br#"{"data":[{"traceID":"1","#.repeat(40),
        6,
        true,
        false,
        false,
    );
    let second = member(br#""spans":[]}]}"#, 6, false, false, false);
    let whole = [first.clone(), second].concat();
    for cut in 2..whole.len() {
        match gunzip_within(&whole[..cut], 1 << 30) {
            Ok(b) => assert_eq!(cut, first.len(), "cut at {cut} gave {} bytes", b.len()),
            Err(DecodeError::Gzip(m)) => assert!(!m.is_empty()),
            Err(e) => panic!("cut at {cut}: {e:?}"),
        }
    }
}

#[test]
fn a_trailer_that_does_not_match_or_junk_after_it_is_named() {
    let good = member(&b"0123456789".repeat(100), 6, false, false, false);
    let n = good.len();
    let with = |at: usize| {
        let mut b = good.clone();
        b[at] ^= 1;
        gunzip_within(&b, 1 << 30).map(|b| b.len())
    };
    assert_eq!(
        with(n - 8),
        Err(DecodeError::Gzip("the checksum does not match".into()))
    );
    assert_eq!(
        with(n - 3),
        Err(DecodeError::Gzip("the size does not match".into()))
    );
    let junk = [good.clone(), b"junk after it".to_vec()].concat();
    assert_eq!(
        gunzip_within(&junk, 1 << 30),
        Err(DecodeError::Gzip(
            "not a gzip member where one should start".into()
        ))
    );
    // A header checksum (FHCRC) is skipped over.
    let mut hcrc = good[..10].to_vec();
    hcrc[3] |= 2;
    hcrc.extend([0xaa, 0xbb]);
    hcrc.extend(&good[10..]);
    assert_eq!(
        &*gunzip_within(&hcrc, 1 << 30).unwrap(),
        &b"0123456789".repeat(100)[..]
    );
}

#[test]
fn several_members_are_held_to_the_limit_together() {
    let a = member(&vec![b'x'; 600_000], 6, false, false, false);
    let two = [a.clone(), a].concat();
    assert_eq!(gunzip_within(&two, 1_200_000).unwrap().len(), 1_200_000);
    assert_eq!(
        gunzip_within(&two, 1_199_999),
        Err(DecodeError::Inflated { limit: 1_199_999 })
    );
}
