//! The writer of the compact payload (the layout: [`super`]): one trace,
//! every text through the redaction, holding what the
//! user chose to [`Keep`] of the trace and, when the whole does not fit in
//! a link, only a subset of its spans (`share::best_subset`).

use super::{id_tag, section, value_tag, MAGIC, MAX_UNIT_EXPONENT, SECTIONS, VERSION};
use crate::decode::ids;
use crate::encode::redact::Redaction;
use crate::encode::{OutValue, Outgoing};
use crate::model::{flags, Attr, AttrValue, Dataset, IdKey, Interner, StatusCode, StrId, Trace};
use crate::tree::NONE;

/// What a link keeps of the trace (the redaction applies to all of it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Keep {
    Everything,
    /// Everything but the resource attributes (each span keeps its service).
    NoResourceAttributes,
    /// What a ticket needs: names, timings, errors, status messages, the
    /// attributes an engineer reads first ([`is_ticket_key`]), links, and
    /// the events of failed spans; the rest is dropped.
    ForTicket,
}

impl Keep {
    /// Fullest first.
    pub const ALL: [Keep; 3] = [
        Keep::Everything,
        Keep::NoResourceAttributes,
        Keep::ForTicket,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Keep::Everything => "Everything",
            Keep::NoResourceAttributes => "Without resource attributes",
            Keep::ForTicket => "For the ticket",
        }
    }
    /// A stable name (the share dialog's test ids, the worker's messages).
    pub fn name(self) -> &'static str {
        match self {
            Keep::Everything => "everything",
            Keep::NoResourceAttributes => "no-resources",
            Keep::ForTicket => "ticket",
        }
    }
    pub fn parse(name: &str) -> Option<Keep> {
        Keep::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// The attributes "for the ticket" keeps: HTTP, RPC, the database system,
/// errors and exceptions.
pub fn is_ticket_key(key: &str) -> bool {
    ["http.", "rpc.", "error.", "exception."]
        .iter()
        .any(|p| key.starts_with(p))
        || key == "error"
        || key == "db.system"
}

/// The flags a tree build sets again: not written.
const TREE_FLAGS: u8 = flags::ORPHAN | flags::DUPLICATE_ID | flags::CYCLE_BROKEN;

/// The payload of trace `t` under `r`, keeping `keep` of it; only the spans
/// marked in `only` when given (each kept span's parent must be kept too,
/// or it is written as a parent outside the payload).
pub fn encode(
    ds: &Dataset,
    t: &Trace,
    r: &Redaction,
    keep: Keep,
    only: Option<&[bool]>,
) -> Vec<u8> {
    let order: Vec<usize> = t
        .tree
        .preorder()
        .iter()
        .map(|&i| i as usize)
        .filter(|&i| only.is_none_or(|m| m.get(i).copied().unwrap_or(false)))
        .collect();
    let mut on_spans = |_| {};
    let out = Outgoing::new(ds, r, &mut on_spans);
    let mut w = Writer::new(&out, t, keep, order);
    w.write_all();
    w.finish()
}

/// The times written, by span of the trace: as they are, or to the
/// microsecond for the ticket (start and end each rounded, so a child
/// inside its parent stays inside). A start is written from its anchor:
/// the end of the sibling written before it, else its parent's start, else
/// the first start (siblings called one after another start close to where
/// the last ended). All in the largest power of ten dividing every offset.
struct Times {
    start: Vec<i64>,
    duration: Vec<i64>,
    anchor: Vec<i64>,
    first_start: i64,
    exponent: u8,
    micros: bool,
}

impl Times {
    fn new(w: &Writer, pos: &[u32]) -> Times {
        let t = w.t;
        let micros = w.keep == Keep::ForTicket;
        let round = |v: i64| Times::round(micros, v);
        let start: Vec<i64> = t.start_ns.iter().map(|&v| round(v)).collect();
        // Rounded, a duration is the rounded end less the rounded start;
        // exact, it is the span's own (its end may pass the last i64).
        let duration: Vec<i64> = (0..t.len())
            .map(|i| match micros {
                true => round(t.end_ns(i)).saturating_sub(start[i]).max(0),
                false => t.duration_ns[i].max(0),
            })
            .collect();
        let first_start = w.order.iter().map(|&i| start[i]).min().unwrap_or(0);
        let mut anchor = vec![first_start; t.len()];
        // Where each span's last child written ended (None: no child yet).
        let mut last_end: Vec<Option<i64>> = vec![None; t.len()];
        for &i in &w.order {
            if let Some(q) = w.parent_in_payload(i, pos) {
                anchor[i] = last_end[q].unwrap_or(start[q]);
                last_end[q] = Some(start[i].saturating_add(duration[i]));
            }
        }
        let mut times = Times {
            start,
            duration,
            anchor,
            first_start,
            exponent: MAX_UNIT_EXPONENT,
            micros,
        };
        let mut e = MAX_UNIT_EXPONENT;
        let mut fit = |v: i64| {
            while e > 0 && v % 10i64.pow(e as u32) != 0 {
                e -= 1;
            }
        };
        for &i in &w.order {
            fit(times.start[i].wrapping_sub(times.anchor[i]));
            fit(times.duration[i]);
            for ev in w.out.ds.events(t.events[i]) {
                fit(times.event(ev.time_ns).wrapping_sub(times.start[i]));
            }
        }
        times.exponent = e;
        times
    }
    /// A time as written: to the nearest microsecond when `micros`.
    fn round(micros: bool, ns: i64) -> i64 {
        if micros {
            ns.saturating_add(500).div_euclid(1000).saturating_mul(1000)
        } else {
            ns
        }
    }
    fn event(&self, ns: i64) -> i64 {
        Times::round(self.micros, ns)
    }
}

struct Writer<'o, 'a, 'p> {
    out: &'o Outgoing<'a, 'p>,
    t: &'o Trace,
    keep: Keep,
    order: Vec<usize>,
    /// The payload's strings, each once, in the order first written
    /// (ranking them by use made links no shorter).
    strings: Interner,
    cols: Vec<Vec<u8>>,
}

fn u(col: &mut Vec<u8>, v: u64) {
    // Writing into a Vec cannot fail.
    let _ = leb128::write::unsigned(col, v);
}

fn s(col: &mut Vec<u8>, v: i64) {
    let _ = leb128::write::signed(col, v);
}

impl<'o, 'a, 'p> Writer<'o, 'a, 'p> {
    fn new(out: &'o Outgoing<'a, 'p>, t: &'o Trace, keep: Keep, order: Vec<usize>) -> Self {
        Writer {
            out,
            t,
            keep,
            order,
            strings: Interner::default(),
            cols: vec![Vec::new(); SECTIONS],
        }
    }

    fn str(&mut self, col: usize, text: &str) {
        let id = self.strings.intern(text).0;
        u(&mut self.cols[col], id as u64);
    }

    fn id(&mut self, col: usize, key: IdKey, text: &str) {
        let v = match key {
            IdKey::Num(v) => v.get(),
            IdKey::Text(k) => {
                self.cols[col].push(id_tag::TEXT);
                self.str(col, self.out.ds.str(k));
                self.str(col, text);
                return;
            }
        };
        if v <= u64::MAX as u128 && text == v.to_string() {
            self.cols[col].push(id_tag::DECIMAL);
            u(&mut self.cols[col], v as u64);
        } else if (1..=id_tag::HEX_DIGITS_MAX as usize).contains(&text.len())
            && text == ids::hex(v, text.len())
        {
            let c = &mut self.cols[col];
            c.push(text.len() as u8);
            c.extend_from_slice(&v.to_be_bytes()[16 - text.len().div_ceil(2)..]);
        } else {
            self.cols[col].push(id_tag::NUMBER_AND_TEXT);
            self.cols[col].extend_from_slice(&v.to_be_bytes());
            self.str(col, text);
        }
    }

    /// An attribute list; only the ticket's keys when `ticket_keys`.
    fn attrs(&mut self, attrs: &[Attr], ticket_keys: bool) {
        let out = self.out;
        let kept: Vec<(&str, OutValue)> = attrs
            .iter()
            .filter_map(|a| out.attr(a))
            .filter(|(k, _)| !ticket_keys || is_ticket_key(k))
            .collect();
        u(&mut self.cols[section::ATTRS], kept.len() as u64);
        for (key, value) in kept {
            self.str(section::ATTRS, key);
            let c = section::ATTRS;
            match value {
                OutValue::Keep(AttrValue::Str(v)) => {
                    self.cols[c].push(value_tag::STR);
                    self.str(c, self.out.ds.str(v));
                }
                OutValue::Text(text) => {
                    self.cols[c].push(value_tag::STR);
                    self.str(c, &text);
                }
                OutValue::Keep(AttrValue::Int(i)) => {
                    self.cols[c].push(value_tag::INT);
                    s(&mut self.cols[c], i);
                }
                OutValue::Keep(AttrValue::Float(f)) => {
                    self.cols[c].push(value_tag::FLOAT);
                    self.cols[c].extend_from_slice(&f.to_le_bytes());
                }
                OutValue::Keep(AttrValue::Bool(b)) => {
                    self.cols[c].push(if b { value_tag::TRUE } else { value_tag::FALSE })
                }
            }
        }
    }

    /// Where each span is in the payload (`u32::MAX`: not in it).
    fn positions(&self) -> Vec<u32> {
        let mut pos = vec![u32::MAX; self.t.len()];
        for (p, &i) in self.order.iter().enumerate() {
            pos[i] = p as u32;
        }
        pos
    }

    /// The parent as written: in the payload (its position), or None.
    fn parent_in_payload(&self, i: usize, pos: &[u32]) -> Option<usize> {
        let t = self.t;
        let q = t.tree.parent()[i];
        let same = q != NONE
            && pos[q as usize] != u32::MAX
            && t.parent_key[i] == Some(t.span_key[q as usize])
            && t.parent_id_text[i] == t.span_id_text[q as usize];
        same.then_some(q as usize)
    }

    fn write_all(&mut self) {
        let t = self.t;
        let ds = self.out.ds;
        let out = self.out;
        let pos = self.positions();
        let times = Times::new(self, &pos);
        let (e, unit) = (times.exponent, 10i64.pow(times.exponent as u32));

        // Resources: each distinct (resource, service) pair of the spans written.
        // Each resource's entries by the service its spans name (nearly
        // always one), in the order first written.
        let mut resources: Vec<(u32, StrId)> = Vec::new();
        let mut entries: Vec<Vec<(StrId, u32)>> = vec![Vec::new(); ds.resources.len()];
        let mut entry = vec![0u32; t.len()];
        for &i in &self.order {
            let of_resource = &mut entries[t.resource[i] as usize];
            entry[i] = match of_resource.iter().find(|e| e.0 == t.service[i]) {
                Some(&(_, e)) => e,
                None => {
                    let e = resources.len() as u32;
                    resources.push((t.resource[i], t.service[i]));
                    of_resource.push((t.service[i], e));
                    e
                }
            };
        }
        let h = section::HEADER;
        self.cols[h].push(e);
        s(&mut self.cols[h], times.first_start);
        let trace_key = t.trace_id.unwrap_or(IdKey::num(0));
        self.id(h, trace_key, &ds.trace_id(t));
        u(&mut self.cols[h], (t.len() - self.order.len()) as u64);
        u(&mut self.cols[h], self.order.len() as u64);
        u(&mut self.cols[h], resources.len() as u64);
        for &(res, service) in &resources {
            let resource = &ds.resources[res as usize];
            self.str(section::RESOURCES, &out.text(resource.service));
            self.str(section::RESOURCES, &out.text(service));
            let attrs = match self.keep {
                Keep::Everything => ds.attrs(resource.attrs),
                _ => &[],
            };
            self.attrs(attrs, false);
        }

        let order = std::mem::take(&mut self.order);
        for (p, &i) in order.iter().enumerate() {
            self.id(section::IDS, t.span_key[i], &ds.span_id(t, i));
            match (self.parent_in_payload(i, &pos), t.parent_key[i]) {
                (Some(q), _) => u(
                    &mut self.cols[section::PARENTS],
                    (p - pos[q] as usize) as u64 + 1,
                ),
                (None, Some(key)) => {
                    u(&mut self.cols[section::PARENTS], 1);
                    self.id(section::PARENTS, key, &ds.parent_id(t, i));
                }
                (None, None) => u(&mut self.cols[section::PARENTS], 0),
            }
            u(&mut self.cols[section::SPAN_RESOURCES], entry[i] as u64);
            self.str(section::NAMES, &out.text(t.name[i]));
            self.cols[section::KINDS].push(t.kind[i] as u8 | (t.status[i] as u8) << 3);
            self.str(section::STATUS_MESSAGES, &out.text(t.status_message[i]));
            self.cols[section::FLAGS].push(t.flags[i] & !TREE_FLAGS);
            s(
                &mut self.cols[section::STARTS],
                times.start[i].wrapping_sub(times.anchor[i]) / unit,
            );
            u(
                &mut self.cols[section::DURATIONS],
                (times.duration[i] / unit) as u64,
            );
            let ticket = self.keep == Keep::ForTicket;
            self.attrs(ds.attrs(t.attrs[i]), ticket);

            let events = match (ticket, t.status[i]) {
                (true, s) if s != StatusCode::Error => &[][..],
                _ => ds.events(t.events[i]),
            };
            u(&mut self.cols[section::EVENTS], events.len() as u64);
            for ev in events {
                let offset = times.event(ev.time_ns).wrapping_sub(times.start[i]);
                s(&mut self.cols[section::EVENTS], offset / unit);
                self.str(section::EVENTS, &out.text(ev.name));
                self.attrs(ds.attrs(ev.attrs), ticket);
            }

            let links = ds.links(t.links[i]);
            u(&mut self.cols[section::LINKS], links.len() as u64);
            for l in links {
                let c = section::LINKS;
                if Some(l.trace_id) == t.trace_id && l.trace_id_text == t.trace_id_text {
                    self.cols[c].push(1);
                } else {
                    self.cols[c].push(0);
                    self.id(c, l.trace_id, &ds.link_trace_id(l));
                }
                self.id(c, l.span_id, &ds.link_span_id(l));
                self.cols[c].push(l.kind as u8);
                let attrs = if ticket { &[][..] } else { ds.attrs(l.attrs) };
                self.attrs(attrs, false);
            }
        }
        self.order = order;
    }

    /// The payload: magic, version, the dictionary, then every section.
    fn finish(mut self) -> Vec<u8> {
        let mut strings = Vec::new();
        u(&mut strings, self.strings.len() as u64);
        for id in 0..self.strings.len() as u32 {
            let text = self.strings.get(StrId(id));
            u(&mut strings, text.len() as u64);
            strings.extend_from_slice(text.as_bytes());
        }
        self.cols[section::STRINGS] = strings;
        let mut bytes = MAGIC.to_vec();
        bytes.push(VERSION);
        for c in &self.cols {
            u(&mut bytes, c.len() as u64);
            bytes.extend_from_slice(c);
        }
        bytes
    }
}
