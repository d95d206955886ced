//! Lower case for matching: never a letter Unicode would lower otherwise,
//! and every letter of the blocks it covers.

use tracescope_core::case::{lower, lower_char};

fn unicode_lower(c: char) -> Vec<char> {
    c.to_lowercase().collect()
}

#[test]
fn a_letter_is_lowered_as_unicode_lowers_it_or_left_as_it_is() {
    let mut lowered = 0;
    for c in (0..=0x2FFF).filter_map(char::from_u32) {
        let ours = lower_char(c);
        if ours != c {
            assert_eq!(unicode_lower(c), vec![ours], "{c:?} U+{:04X}", c as u32);
            lowered += 1;
        }
    }
    assert!(lowered > 300, "{lowered} letters lowered");
}

#[test]
fn every_letter_of_the_blocks_covered_is_lowered() {
    let covered = [
        0x41..=0x5A,
        0xC0..=0x12F,
        0x132..=0x17F,
        0x391..=0x3AB,
        0x400..=0x42F,
        0x1E00..=0x1E95,
        0x1EA0..=0x1EFF,
    ];
    for c in covered.into_iter().flatten().filter_map(char::from_u32) {
        if let [one] = unicode_lower(c)[..] {
            assert_eq!(lower_char(c), one, "{c:?} U+{:04X}", c as u32);
        }
    }
}

#[test]
fn text_is_lowered_letter_by_letter() {
    assert_eq!(lower("GET /Cart"), "get /cart");
    assert_eq!(
        lower("Ärger in ŁÓDŹ, ΑΘΗΝΑ, МОСКВА, ĐẶNG"),
        "ärger in łódź, αθηνα, москва, đặng"
    );
    // A letter outside the blocks matches as written.
    assert_eq!(lower("Ⴀ"), "Ⴀ");
}

#[test]
fn no_letter_outside_ascii_lowers_into_it() {
    // Find searches an ASCII word in all the text at once, byte by byte,
    // which is exact only while this holds.
    for u in 0x80..=0x10FFFu32 {
        if let Some(c) = char::from_u32(u) {
            assert!(!tracescope_core::case::lower_char(c).is_ascii(), "{c:?}");
        }
    }
}
