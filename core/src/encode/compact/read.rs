//! The reader of the compact payload (the layout: [`super`]).

use super::{id_tag, section, value_tag, MAGIC, MAX_UNIT_EXPONENT, SECTIONS, VERSION};
use crate::decode::builder::{Builder, SpanIn};
use crate::decode::ids;
use crate::model::*;
use crate::DecodeError;

fn corrupt() -> DecodeError {
    DecodeError::shape("the link's data is corrupt")
}

/// One section, read from the front.
struct Column<'a>(&'a [u8]);

impl<'a> Column<'a> {
    fn u(&mut self) -> Result<u64, DecodeError> {
        leb128::read::unsigned(&mut self.0).map_err(|_| corrupt())
    }
    fn s(&mut self) -> Result<i64, DecodeError> {
        leb128::read::signed(&mut self.0).map_err(|_| corrupt())
    }
    fn index(&mut self, len: usize) -> Result<usize, DecodeError> {
        let i = self.u()?;
        usize::try_from(i)
            .ok()
            .filter(|&i| i < len)
            .ok_or_else(corrupt)
    }
    fn byte(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.0.len() {
            return Err(corrupt());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
}

/// The payload's sections after its magic and version, and the bytes after
/// them (another payload, or none).
fn sections(bytes: &[u8]) -> Result<(Vec<Column<'_>>, &[u8]), DecodeError> {
    let body = bytes.strip_prefix(MAGIC).ok_or_else(corrupt)?;
    let mut all = Column(body);
    let version = all.byte()?;
    if version != VERSION {
        return Err(DecodeError::shape(format!(
            "this link was made by another version of Tracescope (link format {version}, not {VERSION})"
        )));
    }
    let mut columns = Vec::with_capacity(SECTIONS);
    for _ in 0..SECTIONS {
        let len = usize::try_from(all.u()?).map_err(|_| corrupt())?;
        columns.push(Column(all.take(len)?));
    }
    Ok((columns, all.0))
}

/// What the spans refer to: the dictionary, the time unit, the trace.
struct Context {
    strings: Vec<StrId>,
    unit: i64,
    trace: (IdKey, StrId),
}

impl Context {
    fn str(&self, c: &mut Column) -> Result<StrId, DecodeError> {
        Ok(self.strings[c.index(self.strings.len())?])
    }
    /// A duration in time units, as ns.
    fn duration(&self, units: i64) -> Result<i64, DecodeError> {
        units.checked_mul(self.unit).ok_or_else(corrupt)
    }
    /// The time `units` after `anchor`. Wrapping, as it was written, so
    /// that times far apart (a start near the year 1677 beside one near
    /// 2262) come back exact.
    fn after(&self, anchor: i64, units: i64) -> i64 {
        anchor.wrapping_add(units.wrapping_mul(self.unit))
    }
    /// An id, its text held as the decoders hold it ([`ids::id_text`]).
    fn id(&self, b: &mut Builder, c: &mut Column) -> Result<(IdKey, StrId), DecodeError> {
        let tag = c.byte()?;
        Ok(match tag {
            id_tag::DECIMAL => {
                let v = c.u()?;
                (IdKey::num(v as u128), b.intern(&v.to_string()))
            }
            1..=id_tag::HEX_DIGITS_MAX => {
                let digits = tag as usize;
                let v = c
                    .take(digits.div_ceil(2))?
                    .iter()
                    .fold(0u128, |acc, &x| (acc << 8) | x as u128);
                let key = IdKey::num(v);
                (
                    key,
                    ids::id_text(&mut b.ds.strings, key, &ids::hex(v, digits)),
                )
            }
            id_tag::NUMBER_AND_TEXT => {
                let bytes: [u8; 16] = c.take(16)?.try_into().map_err(|_| corrupt())?;
                (IdKey::num(u128::from_be_bytes(bytes)), self.str(c)?)
            }
            id_tag::TEXT => (IdKey::Text(self.str(c)?), self.str(c)?),
            _ => return Err(corrupt()),
        })
    }
    /// An attribute list, pushed to the arena.
    fn attrs(&self, b: &mut Builder, c: &mut Column) -> Result<Range32, DecodeError> {
        let start = b.mark();
        for _ in 0..c.u()? {
            let key = self.str(c)?;
            let value = match c.byte()? {
                value_tag::STR => AttrValue::Str(self.str(c)?),
                value_tag::INT => AttrValue::Int(c.s()?),
                value_tag::FLOAT => AttrValue::Float(f64::from_le_bytes(
                    c.take(8)?.try_into().unwrap_or_default(),
                )),
                value_tag::FALSE => AttrValue::Bool(false),
                value_tag::TRUE => AttrValue::Bool(true),
                _ => return Err(corrupt()),
            };
            b.ds.attrs.push(Attr { key, value });
        }
        Ok(b.since(start))
    }
}

/// Decodes compact payloads into `b`: one trace, or one after another (a
/// comparison's link holds both its traces).
pub fn decode(b: &mut Builder, mut bytes: &[u8]) -> Result<(), DecodeError> {
    loop {
        let (columns, rest) = sections(bytes)?;
        decode_trace(b, columns)?;
        if rest.is_empty() {
            return Ok(());
        }
        bytes = rest;
    }
}

/// One payload's trace, from its sections.
fn decode_trace(b: &mut Builder, mut c: Vec<Column>) -> Result<(), DecodeError> {
    let mut strings = Vec::new();
    {
        let col = &mut c[section::STRINGS];
        for _ in 0..col.u()? {
            let len = usize::try_from(col.u()?).map_err(|_| corrupt())?;
            let text = std::str::from_utf8(col.take(len)?).map_err(|_| corrupt())?;
            strings.push(b.intern(text));
        }
    }
    let mut cx = Context {
        strings,
        unit: 1,
        trace: (IdKey::num(0), StrId(0)),
    };
    let header = &mut c[section::HEADER];
    let exponent = header.byte()?;
    if exponent > MAX_UNIT_EXPONENT {
        return Err(corrupt());
    }
    cx.unit = 10i64.pow(exponent as u32);
    let first_start = header.s()?;
    cx.trace = cx.id(b, header)?;
    let omitted = header.u()?;
    let spans = header.u()?;
    let resource_count = header.u()?;

    let mut resources: Vec<(u32, StrId)> = Vec::new();
    for _ in 0..resource_count {
        let service = cx.str(&mut c[section::RESOURCES])?;
        let spans_service = cx.str(&mut c[section::RESOURCES])?;
        let attrs = cx.attrs(b, &mut c[section::ATTRS])?;
        resources.push((b.resource(service, attrs), spans_service));
    }
    // Each span's id, start and the end of its last child read, for the
    // spans after it that name it as parent.
    let mut written: Vec<(IdKey, StrId, i64, Option<i64>)> = Vec::new();
    for i in 0..spans as usize {
        let (key, id_text) = cx.id(b, &mut c[section::IDS])?;
        let (parent, parent_at) = match c[section::PARENTS].u()? {
            0 => (None, None),
            1 => (Some(cx.id(b, &mut c[section::PARENTS])?), None),
            d => {
                let back = usize::try_from(d - 1).ok().filter(|&d| d <= i);
                let at = i - back.ok_or_else(corrupt)?;
                let (k, t, ..) = written[at];
                (Some((k, t)), Some(at))
            }
        };
        // From the end of the sibling read before, else the parent's start.
        let anchor = parent_at.map_or(first_start, |at| written[at].3.unwrap_or(written[at].2));
        let (resource, service) = resources[c[section::SPAN_RESOURCES].index(resources.len())?];
        let name = cx.str(&mut c[section::NAMES])?;
        let kind_status = c[section::KINDS].byte()?;
        let status = match kind_status >> 3 {
            0 => StatusCode::Unset,
            1 => StatusCode::Ok,
            2 => StatusCode::Error,
            _ => return Err(corrupt()),
        };
        let status_message = cx.str(&mut c[section::STATUS_MESSAGES])?;
        let flags = c[section::FLAGS].byte()?;
        let start_ns = cx.after(anchor, c[section::STARTS].s()?);
        let col = &mut c[section::DURATIONS];
        let units = i64::try_from(col.u()?).map_err(|_| corrupt())?;
        let duration_ns = cx.duration(units)?;
        let attrs = cx.attrs(b, &mut c[section::ATTRS])?;
        let events = read_events(&cx, b, &mut c, start_ns)?;
        let links = read_links(&cx, b, &mut c)?;
        if let Some(at) = parent_at {
            written[at].3 = Some(start_ns.saturating_add(duration_ns));
        }
        written.push((key, id_text, start_ns, None));
        b.push(SpanIn {
            trace: cx.trace.0,
            trace_text: cx.trace.1,
            key,
            id_text,
            parent,
            service,
            name,
            start_ns,
            duration_ns,
            kind: SpanKind::from_number((kind_status & 7) as i64),
            status,
            status_message,
            resource,
            attrs,
            events,
            links,
            flags,
        });
    }
    if omitted > 0 {
        b.warnings.push(format!(
            "this link holds {spans} of the trace's {} spans: the selected span's path, the critical path, every error and the longest of the rest (the others did not fit in a link)",
            spans + omitted
        ));
    }
    Ok(())
}

fn read_events(
    cx: &Context,
    b: &mut Builder,
    c: &mut [Column],
    span_start: i64,
) -> Result<Range32, DecodeError> {
    let start = b.event_mark();
    for _ in 0..c[section::EVENTS].u()? {
        let col = &mut c[section::EVENTS];
        let time_ns = cx.after(span_start, col.s()?);
        let name = cx.str(col)?;
        let attrs = cx.attrs(b, &mut c[section::ATTRS])?;
        b.ds.events.push(Event {
            time_ns,
            name,
            attrs,
        });
    }
    Ok(b.events_since(start))
}

fn read_links(cx: &Context, b: &mut Builder, c: &mut [Column]) -> Result<Range32, DecodeError> {
    let start = b.link_mark();
    for _ in 0..c[section::LINKS].u()? {
        let col = &mut c[section::LINKS];
        let (trace_id, trace_id_text) = match col.byte()? {
            1 => cx.trace,
            0 => cx.id(b, col)?,
            _ => return Err(corrupt()),
        };
        let (span_id, span_id_text) = cx.id(b, col)?;
        let kind = match col.byte()? {
            0 => LinkKind::Link,
            1 => LinkKind::FollowsFrom,
            2 => LinkKind::SharedHalf,
            _ => return Err(corrupt()),
        };
        let attrs = cx.attrs(b, &mut c[section::ATTRS])?;
        b.ds.links.push(Link {
            trace_id,
            trace_id_text,
            span_id,
            span_id_text,
            kind,
            attrs,
        });
    }
    Ok(b.links_since(start))
}
