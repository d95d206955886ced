//! Self-contained share links: a trace deflated and base64url encoded into
//! the URL fragment, which browsers never send to a server. The trace is a
//! compact payload (`encode::compact`); links of earlier builds hold OTLP
//! JSON, and still open (the payload's first bytes tell which).

use crate::analysis::critical_path::critical_path;
use crate::encode::compact::{self, Keep};
use crate::encode::redact::Redaction;
use crate::model::{Dataset, StatusCode, Trace};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use std::io::Write;

/// The longest fragment we put in a link. Jira's default text-field limit
/// is 32,767 characters (comments and descriptions), Slack cuts messages at
/// 40,000, GitHub comments at 65,536; browsers accept far more (Chrome
/// ~2 MB). A link under 32,000 characters survives being pasted into any of
/// them.
pub const MAX_LINK_CHARS: usize = 32_000;

/// The fewest characters a span takes in a link: every span carries its
/// own 8-byte id (11 characters of base64), which no compression removes.
/// 4 leaves room for the most repetitive synthetic ones.
pub const MIN_LINK_CHARS_PER_SPAN: usize = 4;

/// Whether a trace of `spans` spans could fit whole in a link of `budget`
/// characters: when not, only a subset of it is made ([`best_subset`]).
pub fn may_fit_in_link(spans: usize, budget: usize) -> bool {
    spans.saturating_mul(MIN_LINK_CHARS_PER_SPAN) <= budget
}

/// The spans a link keeps when the whole trace does not fit: the path to
/// the selected span, the critical path and every error, then the longest
/// of the rest, up to `k` spans in all (more when those that must stay are
/// more). Each kept span's parent is kept, so the tree stays whole.
pub fn best_subset(t: &Trace, selected: Option<usize>, k: usize) -> Vec<bool> {
    let mut keep = vec![false; t.len()];
    let mut count = 0;
    let add_with_ancestors = |i: usize, keep: &mut Vec<bool>, count: &mut usize| {
        let mut at = Some(i);
        while let Some(j) = at.filter(|&j| !keep[j]) {
            keep[j] = true;
            *count += 1;
            at = t.tree.parent_of(j);
        }
    };
    let path = critical_path(t);
    let must = selected
        .filter(|&s| s < t.len())
        .into_iter()
        .chain((0..t.len()).filter(|&i| path.contains(i) || t.status[i] == StatusCode::Error));
    for i in must {
        add_with_ancestors(i, &mut keep, &mut count);
    }
    // Longest first: (−duration, span) pairs, sorted as the flame chart's
    // rows are (one sort in the bundle).
    let mut rest: Vec<(i64, u32)> = (0..t.len())
        .filter(|&i| !keep[i])
        .map(|i| (-t.duration_ns[i], i as u32))
        .collect();
    rest.sort_unstable();
    for (_, i) in rest {
        let i = i as usize;
        if count >= k {
            break;
        }
        add_with_ancestors(i, &mut keep, &mut count);
    }
    keep
}

/// The traces of a link's unpacked payload, added to `ds`: compact
/// payloads, or OTLP JSON (links of earlier builds).
pub fn open(ds: &mut Dataset, bytes: &[u8]) -> Result<crate::DecodeSummary, crate::DecodeError> {
    match compact::reader(bytes) {
        Some(reader) => {
            crate::decode::decode_bytes_read_by(ds, bytes, reader, &mut |_| {}, &mut |_| {})
        }
        None => crate::decode_bytes(ds, bytes),
    }
}

/// The payload of a comparison's link: both traces whole, one payload
/// after the other ([`open`] reads both).
pub fn pair(ds: &Dataset, traces: [&Trace; 2], r: &Redaction, keep: Keep) -> Vec<u8> {
    let mut payload = compact::encode(ds, traces[0], r, keep, None);
    payload.extend(compact::encode(ds, traces[1], r, keep, None));
    payload
}

/// One link the share dialog offers: what it keeps of the trace, its
/// payload text (`#data=`) and how many spans it holds.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkChoice {
    pub keep: Keep,
    pub text: String,
    pub spans: usize,
}

/// A first guess of the characters a span takes "for the ticket" when the
/// trace is too large to try whole (real traces take 15–40).
const GUESS_CHARS_PER_SPAN: usize = 30;
/// Subsets tried at most before giving up on one that fits.
const SUBSET_ROUNDS: usize = 6;

/// Makes the links of a trace, one compressed payload at a time (the
/// browser's compressor is asynchronous, so the caller compresses): each
/// [`Keep`] of the whole trace when it may fit, then, when none fits within
/// the budget, the largest subset for the ticket that does
/// ([`best_subset`]).
///
/// ```ignore
/// while let Some(payload) = plan.next(ds, t, r) { plan.took(compress(payload)) }
/// ```
pub struct LinkPlan {
    budget: usize,
    selected: Option<usize>,
    stage: Stage,
    /// What the payload being compressed holds: its keep and spans.
    pending: (Keep, usize),
    whole: Vec<LinkChoice>,
    subset: Option<LinkChoice>,
}

enum Stage {
    Whole(usize),
    Subset { k: usize, round: usize },
    Done,
}

impl LinkPlan {
    /// Links of a trace of `spans` spans, each payload at most `budget`
    /// characters; a subset keeps the `selected` span.
    pub fn new(spans: usize, selected: Option<usize>, budget: usize) -> LinkPlan {
        LinkPlan {
            budget,
            selected,
            stage: if may_fit_in_link(spans, budget) {
                Stage::Whole(0)
            } else {
                Stage::Subset {
                    k: budget / GUESS_CHARS_PER_SPAN,
                    round: 0,
                }
            },
            pending: (Keep::Everything, 0),
            whole: Vec::new(),
            subset: None,
        }
    }

    /// The next payload to compress and hand to [`Self::took`]; None when done.
    pub fn next(&mut self, ds: &Dataset, t: &Trace, r: &Redaction) -> Option<Vec<u8>> {
        match self.stage {
            Stage::Whole(i) => {
                self.pending = (Keep::ALL[i], t.len());
                Some(compact::encode(ds, t, r, Keep::ALL[i], None))
            }
            Stage::Subset { k, .. } => {
                let mask = best_subset(t, self.selected, k);
                self.pending = (Keep::ForTicket, mask.iter().filter(|&&m| m).count());
                Some(compact::encode(ds, t, r, Keep::ForTicket, Some(&mask)))
            }
            Stage::Done => None,
        }
    }

    /// The compressed text of the payload [`Self::next`] gave.
    pub fn took(&mut self, text: String) {
        let (keep, spans) = self.pending;
        let chars = text.len();
        let fits = chars <= self.budget;
        self.stage = match self.stage {
            Stage::Whole(i) => {
                self.whole.push(LinkChoice { keep, text, spans });
                if i + 1 < Keep::ALL.len() {
                    Stage::Whole(i + 1)
                } else if self.whole.iter().any(|c| c.text.len() <= self.budget) {
                    Stage::Done
                } else {
                    Stage::Subset {
                        k: next_subset_size(spans, chars, self.budget),
                        round: 0,
                    }
                }
            }
            Stage::Subset { round, .. } => {
                if fits && self.subset.as_ref().is_none_or(|b| spans > b.spans) {
                    self.subset = Some(LinkChoice { keep, text, spans });
                }
                let next = next_subset_size(spans, chars, self.budget);
                // Shrink while over the budget; once one fits, grow while far
                // under it; stop when the next would not change the count.
                let go_on = round + 1 < SUBSET_ROUNDS
                    && if fits {
                        chars * 100 < self.budget * 85 && next > spans
                    } else {
                        self.subset.is_none() && next < spans
                    };
                if go_on {
                    Stage::Subset {
                        k: next,
                        round: round + 1,
                    }
                } else {
                    Stage::Done
                }
            }
            Stage::Done => Stage::Done,
        };
    }
}

impl LinkPlan {
    /// The links made: each keep of the whole trace that was tried (fullest
    /// first, whether it fits or not), then the subset when one was needed
    /// and fits.
    pub fn choices(self) -> Vec<LinkChoice> {
        self.whole.into_iter().chain(self.subset).collect()
    }
}

/// How many spans to try next after a subset of `tried` spans made a link
/// of `chars` characters against a `budget`: scaled by how far off it was,
/// a little under, and always fewer than tried when it was too long.
pub fn next_subset_size(tried: usize, chars: usize, budget: usize) -> usize {
    let scaled = (tried as f64 * budget as f64 / chars.max(1) as f64 * 0.95) as usize;
    if chars > budget {
        scaled.min(tried.saturating_sub(1))
    } else {
        scaled
    }
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
    use tracescope_decode::decode::gzip;
    let raw = URL_SAFE_NO_PAD
        .decode(text.trim().trim_end_matches('='))
        .map_err(|e| format!("the link's data is not base64url: {e}"))?;
    let mut out = Vec::new();
    let inflated = gzip::inflate_raw(&raw, &mut gzip::filling(&mut out, MAX_UNPACKED));
    match inflated {
        Ok(()) => Ok(out),
        Err(gzip::Stop::Refused) => Err("the link's data unpacks to more than 64 MB".into()),
        Err(gzip::Stop::Corrupt(m)) => Err(format!("the link's data is cut or corrupt: {m}")),
    }
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
        let doc = crate::encode::otlp::encode(&ds, ds.traces.iter().map(Box::as_ref), &none);
        let chars = pack(&doc).len();
        let per_span = chars / 2_000;
        assert!(
            per_span >= MIN_LINK_CHARS_PER_SPAN * 3,
            "{per_span} characters a span"
        );
        let fits = MAX_LINK_CHARS / MIN_LINK_CHARS_PER_SPAN;
        assert!(may_fit_in_link(fits, MAX_LINK_CHARS));
        assert!(!may_fit_in_link(fits + 1, MAX_LINK_CHARS));
    }
}
