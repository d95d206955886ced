//! What the streaming decoders share. A file of the common shape of its
//! format (Jaeger `{"data":…}`, OTLP `{"resourceSpans":…}`, Zipkin `[…]`) is
//! read with a pull reader ([`super::pull`]) one span at a time, never the
//! whole file (a 600 MB file of a million spans would need gigabytes as a
//! `serde_json::Value`). Any other shape ends the attempt; the caller undoes
//! what was added and reads the file the general way.

use super::builder::Builder;
use super::pull::{Bad, Pull, Read};
use super::DecodeError;

/// The state the readers of one streamed file share.
pub struct Stream<'s, 'b> {
    pub b: &'s mut Builder<'b>,
    /// A span the decoder refused (a real error, not a shape to fall back from).
    pub failed: Option<DecodeError>,
    /// The list of spans (or traces) was found: an empty envelope is not the shape.
    pub found: bool,
    /// Spans read so far (for [`Stream::estimate`]).
    spans: usize,
    /// A part of a file ([`super::parts`]) stops before the first item it
    /// is cut at (a span, an OTLP resource) that starts here or later.
    pub stop_at: usize,
    /// Where it stopped: that item's first byte.
    pub stopped_at: Option<usize>,
    /// The bytes begin inside a context an earlier part opened (its trace
    /// object, for Jaeger): what only that part knows is left to the merge.
    pub inherited: bool,
    /// What the merge needs of this part's edges.
    pub seam: super::parts::Seam,
    /// Each list of an OTLP resource (or scope) or of a Jaeger trace
    /// object is skipped at first and read once the rest of its object is;
    /// a repeated key keeps its last value.
    pub look_ahead: bool,
    /// An OTLP resource (or scope) came after a list read without it, or
    /// one of their keys, or a Jaeger trace object's list or map, was
    /// repeated.
    pub context_after: bool,
}

/// Spans after which a decoder estimates the file's total.
const ESTIMATE_AFTER: usize = 4096;

impl Stream<'_, '_> {
    /// Counts a span just read by `r`; once, after the first
    /// [`ESTIMATE_AFTER`], about how many the whole file holds (as many per
    /// byte as so far, and 2% more), for [`Builder::expect_spans`].
    pub fn estimate(&mut self, r: &Pull) -> Option<usize> {
        self.spans += 1;
        let (at, len) = r.progress();
        if self.spans != ESTIMATE_AFTER || at == 0 {
            return None;
        }
        Some((self.spans as f64 * len as f64 / at as f64 * 1.02) as usize)
    }

    /// Records a refused span; the reader then stops.
    pub fn refuse(&mut self, e: DecodeError) -> Bad {
        self.failed = Some(e);
        Bad
    }

    /// Called before each item a file may be cut at: stops the reader (as
    /// [`Bad`], which every level passes up) when the item starts at or
    /// past [`Self::stop_at`].
    pub fn stop_before(&mut self, r: &mut Pull) -> Read<()> {
        let at = r.here();
        if at < self.stop_at {
            return Ok(());
        }
        self.stopped_at = Some(at);
        Err(Bad)
    }
}

/// How a whole file is read ([`run_part`]): no stop, and no context of an
/// earlier part.
pub const WHOLE_FILE: (usize, bool) = (usize::MAX, false);

/// Runs `read` (the reader of the top-level value) over `bytes`: `Some`
/// when the file had the streamed shape (decoded or refused), `None` when it
/// has another shape or is not JSON (the general path says where).
pub fn run<'x>(
    b: &mut Builder,
    bytes: &'x [u8],
    read: impl FnOnce(&mut Stream, &mut Pull<'x>) -> Read<()>,
) -> Option<Result<(), DecodeError>> {
    run_part(b, bytes, WHOLE_FILE, read).map(|r| r.map(drop))
}

/// [`run`]; when `read` gave up because a key of an object came after a
/// list read without it, or repeated ([`Stream::context_after`]), or
/// refused a span (which may be in a list that a later key replaces), and
/// `b` held nothing before the file (only then can what was read be taken
/// back), the file is read again looking ahead ([`Stream::look_ahead`]):
/// each list the last of its key, as `JSON.parse` keeps it, so what that
/// reading refuses is refused.
pub fn run_looking_ahead_when_asked<'x>(
    b: &mut Builder,
    bytes: &'x [u8],
    read: impl Fn(&mut Stream, &mut Pull<'x>) -> Read<()>,
) -> Option<Result<(), DecodeError>> {
    let alone = b.is_empty();
    let mut context_after = false;
    let first = run(b, bytes, |st, r| {
        let first = read(st, r);
        context_after = st.context_after;
        first
    });
    let again = match &first {
        None => context_after,
        Some(read) => read.is_err(),
    };
    if !again || !alone {
        return first;
    }
    b.restart();
    run(b, bytes, |st, r| {
        st.look_ahead = true;
        read(st, r)
    })
}

/// [`run`] over a part of a file: stopping before the first cut item at or
/// past `stop_at`, and beginning inside an earlier part's context when
/// `inherited`; the part's [`super::parts::Seam`] (`end` where it stopped).
pub fn run_part<'x>(
    b: &mut Builder,
    bytes: &'x [u8],
    (stop_at, inherited): (usize, bool),
    read: impl FnOnce(&mut Stream, &mut Pull<'x>) -> Read<()>,
) -> Option<Result<super::parts::Seam, DecodeError>> {
    let mut st = Stream {
        b,
        failed: None,
        found: false,
        spans: 0,
        stop_at,
        stopped_at: None,
        inherited,
        seam: Default::default(),
        look_ahead: false,
        context_after: false,
    };
    let mut r = Pull::new(bytes);
    let ok = read(&mut st, &mut r).and_then(|_| r.end()).is_ok();
    let done = st.stopped_at.is_some() || ok;
    st.seam.end = st.stopped_at;
    match (st.failed, done && st.found) {
        (Some(e), _) => Some(Err(e)),
        (None, true) => Some(Ok(st.seam)),
        (None, false) => None,
    }
}
