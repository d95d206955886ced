//! Lower case for matching text as people type it (find, the palette, the
//! statistics filter). Not `str::to_lowercase`: that carries Unicode's whole
//! case table (11 kB, 4.4 kB of the gzipped bundle) into the page. Letters
//! of ASCII, Latin-1, Latin Extended-A and Additional (Western, Central
//! European and Vietnamese text), Greek and Cyrillic are lowered as
//! Unicode lowers them on their own; other letters match as written.

/// `c` in lower case (see the module for which letters have one here).
pub fn lower_char(c: char) -> char {
    let u = c as u32;
    let lower = match u {
        0x41..=0x5A | 0xC0..=0xD6 | 0xD8..=0xDE => u + 0x20,
        0x391..=0x3A1 | 0x3A3..=0x3AB | 0x410..=0x42F => u + 0x20,
        0x400..=0x40F => u + 0x50,
        // Pairs of capital and small letter, the capital first.
        0x100..=0x12F | 0x132..=0x137 | 0x14A..=0x177 | 0x1E00..=0x1E95 | 0x1EA0..=0x1EFF
            if u.is_multiple_of(2) =>
        {
            u + 1
        }
        0x139..=0x148 | 0x179..=0x17E if !u.is_multiple_of(2) => u + 1,
        0x178 => 0xFF,
        _ => u,
    };
    char::from_u32(lower).unwrap_or(c)
}

/// `s` in lower case ([`lower_char`] for each letter).
pub fn lower(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars().map(lower_char).collect()
}
