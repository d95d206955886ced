//! The decoded model as one flat little-endian buffer, so a Web Worker can
//! decode a file and hand the result to the page with a transfer (no copy,
//! no second JSON pass).
//!
//! The buffer is a *delta*: the strings the receiver does not have yet, and
//! new traces whose attribute/event/link/resource ranges count from zero.
//! [`apply`] appends it to a [`Dataset`], shifting those ranges. Strings are
//! not remapped: the sender's string table must start as a copy of the
//! receiver's (see [`encode_strings`] to bring it up to date), which the
//! receiver checks.

use crate::analysis::tree::Tree;
use crate::model::*;
use std::ops::Range;

const MAGIC: &[u8; 4] = b"TSW1";

/// A buffer that [`apply`] refused, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError(pub String);

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the decoded trace could not be read back: {}", self.0)
    }
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8s(&mut self, v: &[u8]) {
        self.len(v.len());
        self.0.extend_from_slice(v);
    }
    fn len(&mut self, n: usize) {
        self.0.extend_from_slice(&(n as u64).to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32s(&mut self, v: impl ExactSizeIterator<Item = u32>) {
        self.len(v.len());
        self.0.reserve(v.len() * 4);
        for x in v {
            self.0.extend_from_slice(&x.to_le_bytes());
        }
    }
    fn u64s(&mut self, v: impl ExactSizeIterator<Item = u64>) {
        self.len(v.len());
        self.0.reserve(v.len() * 8);
        for x in v {
            self.0.extend_from_slice(&x.to_le_bytes());
        }
    }
    fn u128s(&mut self, v: impl ExactSizeIterator<Item = u128>) {
        self.len(v.len());
        self.0.reserve(v.len() * 16);
        for x in v {
            self.0.extend_from_slice(&x.to_le_bytes());
        }
    }
    fn ranges(&mut self, v: &[Range32]) {
        self.u32s(
            v.iter()
                .flat_map(|r| [r.start, r.end])
                .collect::<Vec<_>>()
                .into_iter(),
        );
    }
    fn strs<'a>(&mut self, v: impl ExactSizeIterator<Item = &'a str>) {
        let v: Vec<&str> = v.collect();
        self.u32s(
            v.iter()
                .map(|s| s.len() as u32)
                .collect::<Vec<_>>()
                .into_iter(),
        );
        let total: usize = v.iter().map(|s| s.len()).sum();
        self.len(total);
        for s in v {
            self.0.extend_from_slice(s.as_bytes());
        }
    }
    /// Ids as a tag column (0 none, 1 number, 2 text) and a value column.
    fn ids(&mut self, v: impl ExactSizeIterator<Item = Option<IdKey>> + Clone) {
        self.u8s(
            &v.clone()
                .map(|k| match k {
                    None => 0,
                    Some(IdKey::Num(_)) => 1,
                    Some(IdKey::Text(_)) => 2,
                })
                .collect::<Vec<u8>>(),
        );
        self.u128s(v.map(|k| match k {
            None => 0,
            Some(IdKey::Num(n)) => n,
            Some(IdKey::Text(s)) => s.0 as u128,
        }));
    }
    fn values(&mut self, v: impl ExactSizeIterator<Item = AttrValue> + Clone) {
        self.u8s(
            &v.clone()
                .map(|a| match a {
                    AttrValue::Str(_) => 0,
                    AttrValue::Int(_) => 1,
                    AttrValue::Float(_) => 2,
                    AttrValue::Bool(_) => 3,
                })
                .collect::<Vec<u8>>(),
        );
        self.u64s(v.map(|a| match a {
            AttrValue::Str(s) => s.0 as u64,
            AttrValue::Int(i) => i as u64,
            AttrValue::Float(f) => f.to_bits(),
            AttrValue::Bool(b) => b as u64,
        }));
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

type R<T> = Result<T, WireError>;

fn short() -> WireError {
    WireError("the buffer ends early".into())
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> R<&'a [u8]> {
        let end = self.at.checked_add(n).ok_or_else(short)?;
        let s = self.buf.get(self.at..end).ok_or_else(short)?;
        self.at = end;
        Ok(s)
    }
    fn len(&mut self) -> R<usize> {
        let n = u64::from_le_bytes(self.take(8)?.try_into().unwrap());
        usize::try_from(n).map_err(|_| short())
    }
    fn u32(&mut self) -> R<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn u8s(&mut self) -> R<&'a [u8]> {
        let n = self.len()?;
        self.take(n)
    }
    fn fixed<const W: usize>(&mut self) -> R<std::slice::ChunksExact<'a, u8>> {
        let n = self.len()?;
        Ok(self
            .take(n.checked_mul(W).ok_or_else(short)?)?
            .chunks_exact(W))
    }
    fn u32s(&mut self) -> R<Vec<u32>> {
        Ok(self
            .fixed::<4>()?
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect())
    }
    fn u64s(&mut self) -> R<Vec<u64>> {
        Ok(self
            .fixed::<8>()?
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect())
    }
    fn i64s(&mut self) -> R<Vec<i64>> {
        Ok(self.u64s()?.into_iter().map(|x| x as i64).collect())
    }
    fn strids(&mut self) -> R<Vec<StrId>> {
        Ok(self.u32s()?.into_iter().map(StrId).collect())
    }
    fn ranges(&mut self, shift: u32) -> R<Vec<Range32>> {
        let flat = self.u32s()?;
        Ok(flat
            .chunks_exact(2)
            .map(|c| match c[1] > c[0] {
                true => Range32::new(c[0] + shift, c[1] + shift),
                false => Range32::default(),
            })
            .collect())
    }
    fn strs(&mut self) -> R<Vec<&'a str>> {
        let lens = self.u32s()?;
        let total = self.len()?;
        let all = std::str::from_utf8(self.take(total)?)
            .map_err(|_| WireError("a string is not UTF-8".into()))?;
        let mut out = Vec::with_capacity(lens.len());
        let mut at = 0usize;
        for l in lens {
            let end = at + l as usize;
            out.push(all.get(at..end).ok_or_else(short)?);
            at = end;
        }
        Ok(out)
    }
    fn ids(&mut self) -> R<Vec<Option<IdKey>>> {
        let tags = self.u8s()?;
        let vals = self.fixed::<16>()?;
        if vals.len() != tags.len() {
            return Err(short());
        }
        tags.iter()
            .zip(vals)
            .map(|(t, v)| {
                let v = u128::from_le_bytes(v.try_into().unwrap());
                match t {
                    0 => Ok(None),
                    1 => Ok(Some(IdKey::Num(v))),
                    2 => Ok(Some(IdKey::Text(StrId(v as u32)))),
                    _ => Err(WireError("an unknown id tag".into())),
                }
            })
            .collect()
    }
    fn values(&mut self) -> R<Vec<AttrValue>> {
        let tags = self.u8s()?;
        let vals = self.u64s()?;
        if vals.len() != tags.len() {
            return Err(short());
        }
        tags.iter()
            .zip(vals)
            .map(|(t, v)| match t {
                0 => Ok(AttrValue::Str(StrId(v as u32))),
                1 => Ok(AttrValue::Int(v as i64)),
                2 => Ok(AttrValue::Float(f64::from_bits(v))),
                3 => Ok(AttrValue::Bool(v != 0)),
                _ => Err(WireError("an unknown value tag".into())),
            })
            .collect()
    }
}

fn kind_of(v: u8) -> SpanKind {
    match v {
        1 => SpanKind::Internal,
        2 => SpanKind::Server,
        3 => SpanKind::Client,
        4 => SpanKind::Producer,
        5 => SpanKind::Consumer,
        _ => SpanKind::Unspecified,
    }
}

fn status_of(v: u8) -> StatusCode {
    match v {
        1 => StatusCode::Ok,
        2 => StatusCode::Error,
        _ => StatusCode::Unset,
    }
}

fn link_kind_of(v: u8) -> LinkKind {
    match v {
        1 => LinkKind::FollowsFrom,
        2 => LinkKind::SharedHalf,
        _ => LinkKind::Link,
    }
}

/// The strings of `ds` from index `from` on, for bringing a copy of its
/// string table up to date (read them with [`apply_strings`]).
pub fn encode_strings(ds: &Dataset, from: usize) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.len(from);
    w.strs((from..ds.strings.len()).map(|i| ds.str(StrId(i as u32))));
    w.0
}

/// Appends strings written by [`encode_strings`]; they must continue `ds`'s
/// table exactly where it ends (`from` equal to its length).
pub fn apply_strings(ds: &mut Dataset, bytes: &[u8]) -> Result<(), WireError> {
    let mut r = Reader { buf: bytes, at: 0 };
    for s in read_strings(&mut r, ds)? {
        ds.strings.push_new(s);
    }
    Ok(())
}

fn read_strings<'a>(r: &mut Reader<'a>, ds: &Dataset) -> Result<Vec<&'a str>, WireError> {
    let from = r.len()?;
    if from != ds.strings.len() {
        return Err(WireError(format!(
            "the string table is out of step ({from} strings expected, {} present)",
            ds.strings.len()
        )));
    }
    r.strs()
}

/// Everything `ds` holds beyond the first `strings_from` strings: the new
/// strings, the arenas and `ds.traces[traces]`.
pub fn encode(ds: &Dataset, strings_from: usize, traces: Range<usize>) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(64 + ds.span_count() * 120));
    w.0.extend_from_slice(MAGIC);
    w.0.extend(encode_strings(ds, strings_from));

    w.u32s(ds.attrs.iter().map(|a| a.key.0));
    w.values(ds.attrs.iter().map(|a| a.value));
    w.u64s(ds.events.iter().map(|e| e.time_ns as u64));
    w.u32s(ds.events.iter().map(|e| e.name.0));
    w.ranges(&ds.events.iter().map(|e| e.attrs).collect::<Vec<_>>());
    w.ids(ds.links.iter().map(|l| Some(l.trace_id)));
    w.u32s(ds.links.iter().map(|l| l.trace_id_text.0));
    w.ids(ds.links.iter().map(|l| Some(l.span_id)));
    w.u32s(ds.links.iter().map(|l| l.span_id_text.0));
    w.u8s(&ds.links.iter().map(|l| l.kind as u8).collect::<Vec<_>>());
    w.ranges(&ds.links.iter().map(|l| l.attrs).collect::<Vec<_>>());
    w.u32s(ds.resources.iter().map(|r| r.service.0));
    w.ranges(&ds.resources.iter().map(|r| r.attrs).collect::<Vec<_>>());

    let traces = &ds.traces[traces];
    w.len(traces.len());
    for t in traces {
        w.ids(std::iter::once(t.trace_id));
        w.u32(t.trace_id_text.0);
        w.ids(t.span_key.iter().map(|k| Some(*k)));
        w.u32s(t.span_id_text.iter().map(|s| s.0));
        w.ids(t.parent_key.iter().copied());
        w.u32s(t.parent_id_text.iter().map(|s| s.0));
        w.u32s(t.service.iter().map(|s| s.0));
        w.u32s(t.name.iter().map(|s| s.0));
        w.u64s(t.start_ns.iter().map(|x| *x as u64));
        w.u64s(t.duration_ns.iter().map(|x| *x as u64));
        w.u8s(&t.kind.iter().map(|k| *k as u8).collect::<Vec<_>>());
        w.u8s(&t.status.iter().map(|k| *k as u8).collect::<Vec<_>>());
        w.u32s(t.status_message.iter().map(|s| s.0));
        w.u32s(t.resource.iter().copied());
        w.ranges(&t.attrs);
        w.ranges(&t.events);
        w.ranges(&t.links);
        w.u8s(&t.flags);
        w.strs(t.warnings.iter().map(String::as_str));
        let tr = &t.tree;
        for v in [
            &tr.parent,
            &tr.roots,
            &tr.child_start,
            &tr.children,
            &tr.preorder,
            &tr.preorder_pos,
            &tr.depth,
            &tr.subtree_size,
        ] {
            w.u32s(v.iter().copied());
        }
        w.u32(tr.max_depth);
    }
    w.0
}

/// Appends a buffer made by [`encode`] to `ds`; the indices of the new
/// traces. On error `ds.traces` is unchanged.
pub fn apply(ds: &mut Dataset, bytes: &[u8]) -> Result<Range<usize>, WireError> {
    if bytes.get(..4) != Some(MAGIC.as_slice()) {
        return Err(WireError("not a Tracescope model buffer".into()));
    }
    let mut r = Reader { buf: bytes, at: 4 };
    let new_strings = read_strings(&mut r, ds)?;
    let n_strings = (ds.strings.len() + new_strings.len()) as u32;
    let check = |ids: &[StrId]| -> R<()> {
        match ids.iter().any(|s| s.0 >= n_strings) {
            true => Err(WireError("a string index is out of range".into())),
            false => Ok(()),
        }
    };

    let attr_base = ds.attrs.len() as u32;
    let event_base = ds.events.len() as u32;
    let link_base = ds.links.len() as u32;
    let resource_base = ds.resources.len() as u32;

    let keys = r.strids()?;
    let values = r.values()?;
    check(&keys)?;
    let times = r.i64s()?;
    let names = r.strids()?;
    let event_attrs = r.ranges(attr_base)?;
    let l_trace = r.ids()?;
    let l_trace_text = r.strids()?;
    let l_span = r.ids()?;
    let l_span_text = r.strids()?;
    let l_kind = r.u8s()?;
    let l_attrs = r.ranges(attr_base)?;
    let services = r.strids()?;
    let r_attrs = r.ranges(attr_base)?;
    check(&names)?;
    check(&services)?;
    let mut traces = Vec::new();
    for _ in 0..r.len()? {
        traces.push(read_trace(
            &mut r,
            event_base,
            link_base,
            resource_base,
            attr_base,
        )?);
    }
    if r.at != bytes.len() {
        return Err(WireError("bytes left over at the end".into()));
    }
    for t in &traces {
        check(&t.name)?;
        check(&t.service)?;
        check(&t.span_id_text)?;
    }

    for s in new_strings {
        ds.strings.push_new(s);
    }
    ds.attrs.extend(
        keys.into_iter()
            .zip(values)
            .map(|(key, value)| Attr { key, value }),
    );
    ds.events
        .extend(
            times
                .into_iter()
                .zip(names)
                .zip(event_attrs)
                .map(|((time_ns, name), attrs)| Event {
                    time_ns,
                    name,
                    attrs,
                }),
        );
    for i in 0..l_trace.len().min(l_span.len()) {
        ds.links.push(Link {
            trace_id: l_trace[i].unwrap_or(IdKey::Num(0)),
            trace_id_text: l_trace_text.get(i).copied().unwrap_or_default(),
            span_id: l_span[i].unwrap_or(IdKey::Num(0)),
            span_id_text: l_span_text.get(i).copied().unwrap_or_default(),
            kind: link_kind_of(l_kind.get(i).copied().unwrap_or(0)),
            attrs: l_attrs.get(i).copied().unwrap_or_default(),
        });
    }
    ds.resources.extend(
        services
            .into_iter()
            .zip(r_attrs)
            .map(|(service, attrs)| Resource { service, attrs }),
    );
    let start = ds.traces.len();
    ds.traces.extend(traces);
    Ok(start..ds.traces.len())
}

fn read_trace(
    r: &mut Reader,
    event_base: u32,
    link_base: u32,
    resource_base: u32,
    attr_base: u32,
) -> R<Trace> {
    let trace_id = r.ids()?.into_iter().next().flatten();
    let trace_id_text = StrId(r.u32()?);
    let span_key: Vec<IdKey> = r
        .ids()?
        .into_iter()
        .map(|k| k.unwrap_or(IdKey::Num(0)))
        .collect();
    let span_id_text = r.strids()?;
    let parent_key = r.ids()?;
    let parent_id_text = r.strids()?;
    let service = r.strids()?;
    let name = r.strids()?;
    let start_ns = r.i64s()?;
    let duration_ns = r.i64s()?;
    let kind = r.u8s()?.iter().map(|k| kind_of(*k)).collect();
    let status = r.u8s()?.iter().map(|k| status_of(*k)).collect();
    let status_message = r.strids()?;
    let resource = r.u32s()?.into_iter().map(|x| x + resource_base).collect();
    let attrs = r.ranges(attr_base)?;
    let events = r.ranges(event_base)?;
    let links = r.ranges(link_base)?;
    let flags = r.u8s()?.to_vec();
    let warnings = r.strs()?.into_iter().map(str::to_string).collect();
    let mut cols: Vec<Vec<u32>> = Vec::with_capacity(8);
    for _ in 0..8 {
        cols.push(r.u32s()?);
    }
    let max_depth = r.u32()?;
    let mut cols = cols.into_iter();
    let mut next = || cols.next().unwrap_or_default();
    let tree = Tree {
        parent: next(),
        roots: next(),
        child_start: next(),
        children: next(),
        preorder: next(),
        preorder_pos: next(),
        depth: next(),
        subtree_size: next(),
        max_depth,
    };
    let t = Trace {
        trace_id,
        trace_id_text,
        span_key,
        span_id_text,
        parent_key,
        parent_id_text,
        service,
        name,
        start_ns,
        duration_ns,
        kind,
        status,
        status_message,
        resource,
        attrs,
        events,
        links,
        flags,
        warnings,
        tree,
    };
    let n = t.span_key.len();
    let same = [
        t.span_id_text.len(),
        t.parent_key.len(),
        t.parent_id_text.len(),
        t.service.len(),
        t.name.len(),
        t.start_ns.len(),
        t.duration_ns.len(),
        t.kind.len(),
        t.status.len(),
        t.status_message.len(),
        t.resource.len(),
        t.attrs.len(),
        t.events.len(),
        t.links.len(),
        t.flags.len(),
        t.tree.parent.len(),
        t.tree.preorder.len(),
        t.tree.depth.len(),
        t.tree.subtree_size.len(),
        t.tree.child_start.len().saturating_sub(1),
    ];
    if same.iter().any(|&l| l != n) {
        return Err(WireError("a trace's columns differ in length".into()));
    }
    Ok(t)
}

/// The decoding side (a Web Worker): keeps a copy of the receiver's string
/// table and turns each file into a delta for [`apply`].
#[derive(Default)]
pub struct Decoder {
    ds: Dataset,
}

impl Decoder {
    /// Brings the string table up to date ([`encode_strings`] of the receiver
    /// from where this copy ends).
    pub fn sync(&mut self, strings: &[u8]) -> Result<(), WireError> {
        apply_strings(&mut self.ds, strings)
    }
    /// How many strings this copy has (what the receiver must have before
    /// the next delta applies).
    pub fn strings(&self) -> usize {
        self.ds.strings.len()
    }
    /// Decodes one file into a delta. On error nothing of it is kept.
    pub fn decode(
        &mut self,
        bytes: &[u8],
        on_progress: &mut dyn FnMut(usize),
    ) -> Result<(crate::DecodeSummary, Vec<u8>), crate::DecodeError> {
        let before = self.ds.strings.len();
        let result = crate::decode::decode_bytes_with_progress(&mut self.ds, bytes, on_progress);
        let out = result.map(|sum| {
            let buf = encode(&self.ds, before, sum.traces.clone());
            (sum, buf)
        });
        if out.is_err() {
            self.ds.strings.truncate(before);
        }
        // Only the strings stay: the receiver now has the rest.
        let strings = std::mem::take(&mut self.ds.strings);
        self.ds = Dataset {
            strings,
            ..Dataset::default()
        };
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_truncated_or_foreign_buffer_is_refused_and_nothing_is_added() {
        let mut src = Dataset::default();
        crate::decode_bytes(&mut src, br#"[{"traceId":"a1","id":"b1","name":"x","timestamp":1,"duration":2,"localEndpoint":{"serviceName":"s"}}]"#).unwrap();
        let buf = encode(&src, 1, 0..1);
        for cut in [0, 3, 10, buf.len() / 2, buf.len() - 1] {
            let mut ds = Dataset::default();
            assert!(apply(&mut ds, &buf[..cut]).is_err(), "cut at {cut}");
            assert!(ds.traces.is_empty());
        }
        let mut ds = Dataset::default();
        assert_eq!(apply(&mut ds, &buf).unwrap(), 0..1);
        // Out of step: the receiver already has a different number of strings.
        let mut other = Dataset::default();
        other.strings.intern("something else");
        assert!(apply(&mut other, &buf)
            .unwrap_err()
            .0
            .contains("out of step"));
    }
}
