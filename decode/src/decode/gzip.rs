//! Gzip files (every member, as `gzip -d` reads `cat a.gz b.gz`) and raw
//! deflate (share links), unpacked within a limit by `miniz_oxide`'s
//! streaming inflater. The gzip framing is read here: flate2's readers and
//! its table-driven CRC cost 19.6 kB of the page's bundle for the same work.

use miniz_oxide::inflate::stream::{inflate, InflateState};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

/// Unpacked bytes handed on at a time.
const PIECE: usize = 256 << 10;

/// Why unpacking stopped early.
#[derive(Debug, PartialEq)]
pub enum Stop {
    /// `take` refused a piece (past a limit).
    Refused,
    /// The data is corrupt or cut short: why.
    Corrupt(String),
}

/// Inflates the raw deflate stream at the start of `packed`, handing each
/// piece unpacked to `take` until it refuses one; returns the bytes the
/// stream took.
fn inflate_stream(
    state: &mut InflateState,
    packed: &[u8],
    take: &mut dyn FnMut(&[u8]) -> bool,
) -> Result<usize, Stop> {
    let mut piece = vec![0u8; PIECE];
    let mut at = 0;
    loop {
        let r = inflate(state, &packed[at..], &mut piece, MZFlush::None);
        at += r.bytes_consumed;
        if !take(&piece[..r.bytes_written]) {
            return Err(Stop::Refused);
        }
        match r.status {
            Ok(MZStatus::StreamEnd) => return Ok(at),
            Ok(_) => {}
            // No progress: the input ended inside the stream.
            Err(MZError::Buf) => return Err(Stop::Corrupt("the data ends early".into())),
            Err(_) => return Err(Stop::Corrupt("invalid deflate data".into())),
        }
    }
}

/// Raw-deflated `packed` through `take`.
pub fn inflate_raw(packed: &[u8], take: &mut dyn FnMut(&[u8]) -> bool) -> Result<(), Stop> {
    inflate_stream(&mut InflateState::new(DataFormat::Raw), packed, take).map(|_| ())
}

/// The length of the gzip member header at the start of `b` (RFC 1952 2.3).
fn header_len(b: &[u8]) -> Result<usize, Stop> {
    let cut = || Stop::Corrupt("the data ends early".into());
    if b.len() < 10 {
        return Err(cut());
    }
    if b[..3] != [0x1f, 0x8b, 8] {
        return Err(Stop::Corrupt(
            "not a gzip member where one should start".into(),
        ));
    }
    let flags = b[3];
    let mut at = 10;
    if flags & 4 != 0 {
        let extra = b.get(at..at + 2).ok_or_else(cut)?;
        at += 2 + u16::from_le_bytes([extra[0], extra[1]]) as usize;
    }
    // The file name and the comment end with a zero byte.
    for flag in [8, 16] {
        if flags & flag != 0 {
            at += 1 + b
                .get(at..)
                .and_then(|r| r.iter().position(|&c| c == 0))
                .ok_or_else(cut)?;
        }
    }
    if flags & 2 != 0 {
        at += 2;
    }
    if at > b.len() {
        return Err(cut());
    }
    Ok(at)
}

/// Every member of the gzip file `packed` through `take`, each checked
/// against its trailer (CRC-32 and size).
pub fn gunzip_members(packed: &[u8], take: &mut dyn FnMut(&[u8]) -> bool) -> Result<(), Stop> {
    let mut state = InflateState::new_boxed(DataFormat::Raw);
    let tables = crc_tables();
    let mut at = 0;
    while at < packed.len() {
        at += header_len(&packed[at..])?;
        let mut crc = Crc32::new(&tables);
        let mut size = 0u32;
        state.reset(DataFormat::Raw);
        at += inflate_stream(&mut state, &packed[at..], &mut |piece| {
            crc.update(piece);
            size = size.wrapping_add(piece.len() as u32);
            take(piece)
        })?;
        let trailer = packed
            .get(at..at + 8)
            .ok_or_else(|| Stop::Corrupt("the data ends early".into()))?;
        if le32(trailer, 0) != crc.value() {
            return Err(Stop::Corrupt("the checksum does not match".into()));
        }
        if le32(trailer, 4) != size {
            return Err(Stop::Corrupt("the size does not match".into()));
        }
        at += 8;
    }
    Ok(())
}

/// The unpacked size gzip's trailer claims: that of the last member,
/// modulo 4 GiB (or the last four bytes of a file that is cut).
pub fn claimed_size(gzip: &[u8]) -> u64 {
    gzip.len()
        .checked_sub(4)
        .map_or(0, |at| le32(gzip, at) as u64)
}

/// The little-endian u32 at `at` of `b` (which holds four bytes there).
fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// CRC-32 (IEEE, as gzip checks it), sixteen bytes a step over tables
/// made for each file (none in the binary).
struct Crc32<'a> {
    value: u32,
    tables: &'a CrcTables,
}

type CrcTables = [[u32; 256]; 16];

fn crc_tables() -> Box<CrcTables> {
    let mut t = Box::new([[0u32; 256]; 16]);
    for i in 0..256 {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        t[0][i] = c;
    }
    for k in 1..16 {
        for i in 0..256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
        }
    }
    t
}

impl<'a> Crc32<'a> {
    fn new(tables: &'a CrcTables) -> Crc32<'a> {
        Crc32 { value: !0, tables }
    }

    fn update(&mut self, bytes: &[u8]) {
        let t = self.tables;
        let mut c = self.value;
        let mut chunks = bytes.chunks_exact(16);
        for b in &mut chunks {
            let lo = c ^ u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            c = t[15][(lo & 0xff) as usize]
                ^ t[14][((lo >> 8) & 0xff) as usize]
                ^ t[13][((lo >> 16) & 0xff) as usize]
                ^ t[12][(lo >> 24) as usize];
            for k in 4..16 {
                c ^= t[15 - k][b[k] as usize];
            }
        }
        for &b in chunks.remainder() {
            c = (c >> 8) ^ t[0][((c ^ b as u32) & 0xff) as usize];
        }
        self.value = c;
    }

    fn value(&self) -> u32 {
        !self.value
    }
}

/// A `take` that appends each piece to `out` while it stays within `limit` bytes.
pub fn filling(out: &mut Vec<u8>, limit: u64) -> impl FnMut(&[u8]) -> bool + '_ {
    move |piece| {
        let fits = out.len() as u64 + piece.len() as u64 <= limit;
        if fits {
            out.extend_from_slice(piece);
        }
        fits
    }
}
