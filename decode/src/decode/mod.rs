//! Input formats. [`decode_bytes`] takes a file's bytes (plain, gzip, JSON
//! Lines), finds the format with [`detect`] and appends the traces to a
//! [`Dataset`]. One module per format.

mod borrowed;
pub mod builder;
pub mod chrome;
pub mod datadog;
pub mod detect;
pub mod gcp;
pub mod gzip;
pub mod ids;
pub mod jaeger;
pub mod otlp;
pub mod parts;
mod pull;
pub mod status;
mod stream;
pub mod xray;
pub mod zipkin;

use crate::model::Dataset;
pub use detect::{detect, Format};
use serde_json::Value;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum DecodeError {
    Empty,
    /// Gzip magic but the stream is corrupt or cut short.
    Gzip(String),
    /// Gzip that unpacks to more than the limit (bytes).
    Inflated {
        limit: u64,
    },
    /// Not valid JSON (line and column are 1-based).
    Json {
        line: usize,
        column: usize,
        message: String,
        truncated: bool,
    },
    /// Valid JSON nested deeper than the 128 levels a JSON tree is read to
    /// (the streamed readers read deeper; the general path cannot).
    TooDeep {
        line: usize,
        column: usize,
    },
    /// Valid JSON that is not a trace format Tracescope reads.
    Unknown(String),
    /// Recognised JSON that holds no trace (a search result, a tag list…).
    NotATrace(String),
    /// A known format whose content is malformed.
    Shape(String),
}

impl DecodeError {
    pub fn shape(s: impl Into<String>) -> Self {
        DecodeError::Shape(s.into())
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Empty => write!(f, "the file is empty"),
            DecodeError::Gzip(m) => write!(f, "the gzip data is corrupt or cut short ({m})"),
            DecodeError::Inflated { limit } => write!(
                f,
                "the gzip data unpacks to more than {} MB, more than a browser tab can decode; unpack it and open a part",
                limit / 1_000_000
            ),
            DecodeError::Json {
                line,
                column,
                message,
                truncated: true,
            } => {
                write!(f, "the JSON ends early at line {line}, column {column}: the file looks truncated ({message})")
            }
            DecodeError::Json {
                line,
                column,
                message,
                ..
            } => {
                write!(f, "invalid JSON at line {line}, column {column}: {message}")
            }
            DecodeError::TooDeep { line, column } => write!(
                f,
                "the JSON nests more than 128 levels deep at line {line}, column {column}, deeper than Tracescope reads this shape"
            ),
            DecodeError::Unknown(m) => {
                write!(f, "JSON, but not a trace format Tracescope reads: {m}")
            }
            DecodeError::NotATrace(m) => write!(f, "this is not a trace: {m}"),
            DecodeError::Shape(m) => write!(f, "malformed trace: {m}"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// What one input added.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeSummary {
    pub format: Format,
    /// Indices into `Dataset::traces`.
    pub traces: std::ops::Range<usize>,
    pub spans: usize,
    /// Read by a streaming decoder (no JSON tree of the whole file held).
    pub streamed: bool,
}

fn json_error(e: &serde_json::Error) -> DecodeError {
    let full = e.to_string();
    // serde_json says so only in its message.
    if full.starts_with("recursion limit exceeded") {
        return DecodeError::TooDeep {
            line: e.line(),
            column: e.column(),
        };
    }
    // serde_json appends " at line L column C"; the position is reported separately.
    let message = match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    };
    DecodeError::Json {
        line: e.line(),
        column: e.column(),
        message,
        truncated: e.is_eof(),
    }
}

/// The most a gzip file may unpack to: a wasm worker has 4 GiB in all, and
/// the model of a file takes about its size again (a 1M-span Jaeger file
/// is 593 MB and its model ~670 MB), so 1 GiB unpacked leaves room for
/// both.
pub const MAX_INFLATED: u64 = 1 << 30;

/// True when `bytes` start with gzip's magic number.
fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Unpacks gzip when the bytes start with its magic number.
pub fn gunzip_if_needed(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, DecodeError> {
    gunzip_within(bytes, MAX_INFLATED)
}

/// [`gunzip_if_needed`] with a limit on the unpacked size, never unpacked
/// into memory past it. When the gzip trailer (the size modulo 4 GiB of
/// the last member) claims more, the data is first unpacked into nothing
/// and counted: a bomb is refused without holding it, a cut or corrupt
/// file (whose last bytes are no trailer) is named as such.
pub fn gunzip_within(bytes: &[u8], limit: u64) -> Result<std::borrow::Cow<'_, [u8]>, DecodeError> {
    if !is_gzip(bytes) {
        return Ok(std::borrow::Cow::Borrowed(bytes));
    }
    let stopped = |s| match s {
        gzip::Stop::Refused => DecodeError::Inflated { limit },
        gzip::Stop::Corrupt(m) => DecodeError::Gzip(m),
    };
    let mut expected = gzip::claimed_size(bytes);
    if expected > limit {
        let mut counted = 0u64;
        gzip::gunzip_members(bytes, &mut |piece| {
            counted += piece.len() as u64;
            counted <= limit
        })
        .map_err(stopped)?;
        // Room for what is there, not for what the trailer claimed.
        expected = counted;
    }
    let mut out = Vec::with_capacity(expected.max(bytes.len() as u64 * 4).min(limit) as usize);
    gzip::gunzip_members(bytes, &mut gzip::filling(&mut out, limit)).map_err(stopped)?;
    Ok(std::borrow::Cow::Owned(out))
}

/// The bytes after a UTF-8 byte-order mark, if they start with one.
pub fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Decodes a file's bytes and appends its traces to `ds`. On error nothing
/// is added to `ds.traces`.
pub fn decode_bytes(ds: &mut Dataset, bytes: &[u8]) -> Result<DecodeSummary, DecodeError> {
    decode_bytes_with_progress(ds, bytes, &mut |_| {})
}

/// [`decode_bytes`], telling `on_progress` how many spans are decoded so far
/// (every [`builder::PROGRESS_EVERY`] spans).
pub fn decode_bytes_with_progress(
    ds: &mut Dataset,
    bytes: &[u8],
    on_progress: &mut dyn FnMut(usize),
) -> Result<DecodeSummary, DecodeError> {
    decode_bytes_staged(ds, bytes, on_progress, &mut |_| {})
}

/// [`decode_bytes_with_progress`], handing `on_tables` the dataset once its
/// strings and arenas are complete and nothing can fail any more, before the
/// traces' trees are built (the worker sends the tables meanwhile).
pub fn decode_bytes_staged(
    ds: &mut Dataset,
    bytes: &[u8],
    on_progress: &mut dyn FnMut(usize),
    on_tables: &mut dyn FnMut(&Dataset),
) -> Result<DecodeSummary, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let unpacked = gunzip_if_needed(bytes)?;
    // Without the BOM for every reader, so it never changes the path taken.
    let raw = without_bom(&unpacked);
    // Most files are one JSON value: read as one, with no pass first to
    // find where each value ends.
    let mut b = builder::Builder::with_progress(ds, on_progress);
    let given_up = match read_value(&mut b, raw, detect::span_alone(raw)) {
        Some(Ok(format)) => return finish(b, format, true, on_tables),
        read => read.is_none(),
    };
    // Undone (strings too). One object is read again as `detect` sees it
    // (a reader gave up on it, or refused it before a key by which
    // `detect` names it another format's); JSON Lines, an error (named by
    // its line there) or another shape a value at a time; else, undone
    // again, the general way.
    b.restart();
    let read = match detect::object_as_detected(raw) {
        Some(text) => read_value(&mut b, &text, detect::span_alone(&text)),
        None => read_streamed(&mut b, raw, given_up),
    };
    if let Some(read) = read {
        return read.and_then(|format| finish(b, format, true, on_tables));
    }
    b.restart();
    decode_values(b, raw, on_tables)
}

/// Reads each JSON value of `raw` (one, or JSON Lines) with the streamed
/// reader of its format, all into `b`: the first value's format, or None
/// when a value has no streamed shape (the caller undoes what was added
/// and reads the file the general way). A value's shape errors name its
/// line (its place among the values), as the general path's do.
/// `given_up`: no reader took `raw` read as one value; a file of one value
/// is then not read again.
fn read_streamed(
    b: &mut builder::Builder,
    raw: &[u8],
    given_up: bool,
) -> Option<Result<Format, DecodeError>> {
    let mut r = pull::Pull::new(raw);
    let mut first = None;
    let (mut values, mut line) = (0, 0);
    while r.peek() != 0 {
        let (value, alone) = detect::next_value_and_span_alone(&mut r).ok()?;
        values += 1;
        if given_up && values == 1 && r.end().is_ok() {
            return None;
        }
        if xray::is_daemon_header(value) {
            continue;
        }
        line += 1;
        let format = match read_value(b, value, alone)? {
            Ok(f) => f,
            // Refused before a key by which `detect` names it another
            // format's (read again so, it may read, or be refused as
            // that format): the file goes to the general path.
            Err(_) if detect::object_as_detected(value).is_some() => return None,
            Err(DecodeError::Shape(m)) if r.end().is_err() || line > 1 => {
                return Some(Err(DecodeError::Shape(format!("line {line}: {m}"))))
            }
            Err(e) => return Some(Err(e)),
        };
        first.get_or_insert(format);
    }
    r.end().ok()?;
    first.map(Ok)
}

/// One JSON value read by the first streamed reader that takes it: the
/// format `streamable` tells by the first bytes, or `alone`, that of a
/// span alone by its keys (`detect::span_alone` of `value`), then those each reader tells by a
/// first item or key (Jaeger's trace object, spans or span alone before
/// X-Ray's, whose sniffing makes a tree of an object, and before Cloud
/// Trace's, which `detect` tells apart by its first span; Chrome last: its
/// object may hold any keys). None when none takes it, or when one gave
/// up after adding to `b` (only the whole file can be undone).
fn read_value(
    b: &mut builder::Builder,
    value: &[u8],
    alone: Option<Format>,
) -> Option<Result<Format, DecodeError>> {
    // A span alone is judged by its keys once, not by each reader in turn.
    let first = detect::streamable(value).or(alone);
    let others = [
        Format::Datadog,
        Format::Jaeger,
        Format::XRay,
        Format::Gcp,
        Format::Chrome,
    ]
    .into_iter()
    .filter(|&f| Some(f) != first);
    for format in first.into_iter().chain(others) {
        let before = b.added();
        let read = match format {
            Format::Jaeger if alone == Some(format) => jaeger::decode_span_alone(b, value),
            Format::Jaeger => jaeger::decode_stream(b, value),
            Format::Otlp => otlp::decode_stream(b, value),
            Format::Zipkin => zipkin::decode_stream(b, value),
            Format::Datadog => datadog::decode_stream(b, value),
            Format::XRay => xray::decode_stream(b, value),
            Format::Gcp => gcp::decode_stream(b, value),
            _ => chrome::decode_stream(b, value),
        };
        match read {
            Some(r) => return Some(r.map(|_| format)),
            None if b.added() != before => return None,
            None => {}
        }
    }
    None
}

/// A reader of one format that is not sniffed from JSON (a share link's
/// compact payload, read in `core`): it fills the builder from the bytes.
pub type Reader = fn(&mut builder::Builder, &[u8]) -> Result<(), DecodeError>;

/// [`decode_bytes_staged`] with the `format` read by `read` instead of
/// sniffed.
pub fn decode_bytes_read_by(
    ds: &mut Dataset,
    bytes: &[u8],
    (read, format): (Reader, Format),
    on_progress: &mut dyn FnMut(usize),
    on_tables: &mut dyn FnMut(&Dataset),
) -> Result<DecodeSummary, DecodeError> {
    let mut b = builder::Builder::with_progress(ds, on_progress);
    read(&mut b, bytes)?;
    finish(b, format, false, on_tables)
}

/// [`decode_bytes_with_progress`] without the streaming decoders: the whole
/// file parsed as JSON first (kept public so tests can compare the two).
#[doc(hidden)]
pub fn decode_bytes_general(
    ds: &mut Dataset,
    raw: &[u8],
    on_progress: &mut dyn FnMut(usize),
) -> Result<DecodeSummary, DecodeError> {
    decode_values(
        builder::Builder::with_progress(ds, on_progress),
        without_bom(raw),
        &mut |_| {},
    )
}

fn finish(
    mut b: builder::Builder,
    format: Format,
    streamed: bool,
    on_tables: &mut dyn FnMut(&Dataset),
) -> Result<DecodeSummary, DecodeError> {
    let spans = b.span_count();
    if spans == 0 {
        return Err(DecodeError::NotATrace(format!(
            "a {} file with no spans",
            format.label()
        )));
    }
    b.keep_one_of_each_resource();
    // Building the trees adds no strings or arena items.
    on_tables(b.ds);
    let traces = b.finish();
    Ok(DecodeSummary {
        format,
        traces,
        spans,
        streamed,
    })
}

/// Decodes the JSON values of `raw` (one, or JSON Lines; its BOM taken
/// off by the caller) the general way,
/// each parsed as a `serde_json::Value` and decoded before the next is
/// parsed: JSON Lines never held whole as trees. A value's shape error
/// names its line when there are more.
fn decode_values(
    mut b: builder::Builder,
    raw: &[u8],
    on_tables: &mut dyn FnMut(&Dataset),
) -> Result<DecodeSummary, DecodeError> {
    let mut values = serde_json::Deserializer::from_slice(raw).into_iter::<Value>();
    let (mut format, mut line) = (None, 0);
    while let Some(v) = values.next() {
        let v = v.map_err(|e| json_error(&e))?;
        // X-Ray daemon streams start each document with a `{"format":"json","version":1}` header.
        if detect::is_xray_daemon_header(&v) {
            continue;
        }
        line += 1;
        let f = detect(&v)?;
        format.get_or_insert(f);
        let r = match f {
            Format::Jaeger => jaeger::decode(&mut b, &v),
            Format::Otlp => otlp::decode(&mut b, &v),
            Format::Zipkin => zipkin::decode(&mut b, &v),
            Format::Chrome => chrome::decode(&mut b, &v),
            Format::XRay => xray::decode(&mut b, &v),
            Format::Datadog => datadog::decode(&mut b, &v),
            Format::Gcp => gcp::decode(&mut b, &v),
            // Never detected in JSON: its bytes are read before any JSON.
            Format::Link => Err(DecodeError::shape("a link's payload inside JSON")),
        };
        drop(v);
        let more = line > 1 || !raw[values.byte_offset()..].trim_ascii().is_empty();
        r.map_err(|e| match (more, e) {
            (true, DecodeError::Shape(m)) => DecodeError::Shape(format!("line {line}: {m}")),
            (_, e) => e,
        })?;
    }
    let format = format.ok_or(DecodeError::Empty)?;
    finish(b, format, false, on_tables)
}
