//! A trace's spans as text holding everything a model keeps, comparable
//! across datasets (string ids differ, texts do not): what a link must
//! bring back unchanged.

use tracescope_core::model::{Attr, AttrValue, Dataset, IdKey, Resource, Trace};
use tracescope_core::tree::NONE;

/// An id as comparable across datasets: its number, or its key's text.
pub fn key(ds: &Dataset, k: IdKey) -> String {
    match k {
        IdKey::Num(v) => format!("#{}", v.get()),
        IdKey::Text(s) => format!("'{}", ds.str(s)),
    }
}

pub fn attrs(ds: &Dataset, a: &[Attr]) -> Vec<String> {
    a.iter()
        .map(|a| {
            let v = match a.value {
                AttrValue::Str(s) => format!("s:{}", ds.str(s)),
                AttrValue::Int(i) => format!("i:{i}"),
                AttrValue::Float(f) => format!("f:{:x}", f.to_bits()),
                AttrValue::Bool(b) => format!("b:{b}"),
            };
            format!("{}={v}", ds.str(a.key))
        })
        .collect()
}

/// A resource as text: its service and attributes.
pub fn resource(ds: &Dataset, r: &Resource) -> String {
    format!("{}:{:?}", ds.str(r.service), attrs(ds, ds.attrs(r.attrs)))
}

/// Span `i` of `t` as text: everything a link must keep. `parent` is the
/// parent's position in tree order.
pub fn span(ds: &Dataset, t: &Trace, i: usize, parent: Option<usize>) -> String {
    let res = &ds.resources[t.resource[i] as usize];
    let events: Vec<String> = ds
        .events(t.events[i])
        .iter()
        .map(|e| {
            format!(
                "{}@{}{:?}",
                ds.str(e.name),
                e.time_ns,
                attrs(ds, ds.attrs(e.attrs))
            )
        })
        .collect();
    let links: Vec<String> = ds
        .links(t.links[i])
        .iter()
        .map(|l| {
            format!(
                "{}/{}→{}/{} {:?} {:?}",
                key(ds, l.trace_id),
                ds.link_trace_id(l),
                key(ds, l.span_id),
                ds.link_span_id(l),
                l.kind,
                attrs(ds, ds.attrs(l.attrs))
            )
        })
        .collect();
    format!(
        "id {} '{}' parent {:?} '{}' at {parent:?} | {}:{} res {} | {}+{} {:?} {:?} '{}' flags {} | {:?} | {events:?} | {links:?}",
        key(ds, t.span_key[i]),
        ds.span_id(t, i),
        t.parent_key[i].map(|k| key(ds, k)),
        ds.parent_id(t, i),
        ds.str(t.service[i]),
        ds.str(t.name[i]),
        resource(ds, res),
        t.start_ns[i],
        t.duration_ns[i],
        t.kind[i],
        t.status[i],
        ds.str(t.status_message[i]),
        t.flags[i],
        attrs(ds, ds.attrs(t.attrs[i])),
    )
}

/// The trace's spans in tree order, each with its parent's position.
pub fn in_tree_order(ds: &Dataset, t: &Trace) -> Vec<String> {
    let mut pos = vec![0; t.len()];
    for (p, &i) in t.tree.preorder().iter().enumerate() {
        pos[i as usize] = p;
    }
    t.tree
        .preorder()
        .iter()
        .map(|&i| {
            let i = i as usize;
            let parent = (t.tree.parent()[i] != NONE).then(|| pos[t.tree.parent()[i] as usize]);
            span(ds, t, i, parent)
        })
        .collect()
}
