//! Self-contained share links: a trace (as OTLP JSON) deflated and base64url
//! encoded into the URL fragment, which browsers never send to a server.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use std::io::{Read, Write};

/// The longest fragment we put in a link. Jira's default text-field limit
/// is 32,767 characters (comments and descriptions), Slack cuts messages at
/// 40,000, GitHub comments at 65,536; browsers accept far more (Chrome
/// ~2 MB). A link under 32,000 characters survives being pasted into any of
/// them.
pub const MAX_LINK_CHARS: usize = 32_000;

/// The fewest characters a span takes in a link: every span carries its
/// own id and times, which no compression removes. Real traces take 47–412
/// (issue #28); 4 leaves room for the most repetitive synthetic ones.
pub const MIN_LINK_CHARS_PER_SPAN: usize = 4;

/// Whether a trace of `spans` spans could fit in a link at all: checked
/// before encoding, which takes seconds on the page for large traces.
pub fn may_fit_in_link(spans: usize) -> bool {
    spans.saturating_mul(MIN_LINK_CHARS_PER_SPAN) <= MAX_LINK_CHARS
}

/// An unpacked link is at most this big (a small link must not inflate into gigabytes).
const MAX_UNPACKED: u64 = 64 << 20;

/// `bytes` deflated (best compression) and base64url encoded without padding.
/// (The page deflates with the browser's CompressionStream and calls [`text`].)
pub fn pack(bytes: &[u8]) -> String {
    let mut enc = DeflateEncoder::new(Vec::new(), Compression::best());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(bytes);
    text(&enc.finish().unwrap_or_default())
}

/// Raw-deflated bytes as the text of a link: base64url without padding.
pub fn text(deflated: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(deflated)
}

/// The bytes of a packed link, or why not.
pub fn unpack(text: &str) -> Result<Vec<u8>, String> {
    let raw = URL_SAFE_NO_PAD
        .decode(text.trim().trim_end_matches('='))
        .map_err(|e| format!("the link's data is not base64url: {e}"))?;
    let mut out = Vec::new();
    DeflateDecoder::new(&raw[..])
        .take(MAX_UNPACKED + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("the link's data is cut or corrupt: {e}"))?;
    if out.len() as u64 > MAX_UNPACKED {
        return Err("the link's data unpacks to more than 64 MB".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_bad_input() {
        let text = br#"{"resourceSpans":[]}"#.repeat(50);
        let packed = pack(&text);
        assert!(packed.len() < text.len() / 5, "{}", packed.len());
        assert!(packed
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(unpack(&packed).unwrap(), text);
        assert!(unpack("not base64 at all!").is_err());
        assert!(unpack(&packed[..packed.len() / 2]).is_err());
    }

    #[test]
    fn a_span_takes_more_than_the_floor_even_in_a_repetitive_trace() {
        // The synthetic traces repeat a handful of names and attributes.
        let mut ds = crate::Dataset::default();
        let json = crate::synth::trace_json(2_000, crate::synth::SynthFormat::Jaeger, 1);
        crate::decode_bytes(&mut ds, json.as_bytes()).unwrap();
        let none = crate::encode::redact::Redaction::none();
        let doc = crate::encode::otlp::encode(&ds, &ds.traces, &none);
        let chars = pack(&doc).len();
        let per_span = chars / 2_000;
        assert!(
            per_span >= MIN_LINK_CHARS_PER_SPAN * 3,
            "{per_span} characters a span"
        );
        assert!(may_fit_in_link(MAX_LINK_CHARS / MIN_LINK_CHARS_PER_SPAN));
        assert!(!may_fit_in_link(
            MAX_LINK_CHARS / MIN_LINK_CHARS_PER_SPAN + 1
        ));
    }
}
