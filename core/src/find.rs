//! Find inside a trace: the query typed in the find box and the spans it
//! matches.
//!
//! A query is terms separated by spaces; a span matches when every term
//! holds:
//! - `word` or `"a phrase"`: a case-insensitive substring of the span's
//!   service, operation, span id, status message, an attribute's key or
//!   value (the span's or its resource's), or an event's name or fields;
//! - `key=value`: an attribute (span, resource or event field) whose key is
//!   `key` and whose value is `value`, both ignoring case (quotes allowed:
//!   `db.statement="SELECT 1"`); `service=`, `operation=` and `error=true`
//!   (or `false`) ask the span itself;
//! - `duration>10ms`, `duration<1.5s` (also `>=`, `<=`; units us, ms, s, m,
//!   h, a bare number is ms);
//! - `-term`: any of the above, negated.
//!
//! Texts are matched once per interned string, not once per span: a query
//! over a million spans reads each distinct string once.

use crate::analysis::span_walk::SpanWalk;
use crate::backend::form::parse_duration_us;
use crate::model::{AttrValue, Dataset, StatusCode, StrId, Trace};

/// One term of a query.
#[derive(Clone, Debug, PartialEq)]
pub enum Term {
    /// A lower-case substring of any of the span's texts.
    Text(String),
    /// An attribute whose key and value equal these (lower case).
    Attr {
        key: String,
        value: String,
    },
    Service(String),
    Operation(String),
    Error(bool),
    /// Duration bounds in ns: at least, at most.
    Duration {
        min_ns: Option<i64>,
        max_ns: Option<i64>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    pub term: Term,
    pub negated: bool,
}

/// A parsed find query: every clause must hold.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FindQuery {
    pub clauses: Vec<Clause>,
}

/// Splits on spaces outside double quotes; quotes are removed.
fn tokens(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if quoted {
        return Err("a quote is not closed".into());
    }
    if any {
        out.push(cur);
    }
    Ok(out)
}

fn duration_ns(text: &str, whole: &str) -> Result<i64, String> {
    match parse_duration_us(text)? {
        Some(us) => Ok(us.saturating_mul(1000)),
        None => Err(format!("`{whole}` needs a duration (like duration>10ms)")),
    }
}

impl FindQuery {
    pub fn parse(text: &str) -> Result<FindQuery, String> {
        let mut clauses = Vec::new();
        for token in tokens(text)? {
            let (negated, body) = match token.strip_prefix('-') {
                Some(rest) if !rest.is_empty() => (true, rest),
                _ => (false, token.as_str()),
            };
            if body == "-" || body.is_empty() {
                return Err("`-` needs a term after it (like -cart)".into());
            }
            let lower = crate::case::lower(body);
            let term = if let Some(rest) = lower.strip_prefix("duration") {
                let (min_ns, max_ns) = if let Some(v) = rest.strip_prefix(">=") {
                    (Some(duration_ns(v, body)?), None)
                } else if let Some(v) = rest.strip_prefix("<=") {
                    (None, Some(duration_ns(v, body)?))
                } else if let Some(v) = rest.strip_prefix('>') {
                    (Some(duration_ns(v, body)?.saturating_add(1)), None)
                } else if let Some(v) = rest.strip_prefix('<') {
                    (None, Some(duration_ns(v, body)?.saturating_sub(1)))
                } else if rest.is_empty() {
                    (None, None)
                } else {
                    return Err(format!(
                        "`{body}`: durations compare with > or < (like duration>10ms)"
                    ));
                };
                if min_ns.is_none() && max_ns.is_none() {
                    Term::Text(lower)
                } else {
                    Term::Duration { min_ns, max_ns }
                }
            } else if let Some((key, value)) = lower.split_once('=') {
                if key.is_empty() {
                    return Err(format!("`{body}` has no key before ="));
                }
                match key {
                    "service" => Term::Service(value.to_string()),
                    "operation" | "name" => Term::Operation(value.to_string()),
                    "error" if value == "true" || value == "false" => Term::Error(value == "true"),
                    _ => Term::Attr {
                        key: key.to_string(),
                        value: value.to_string(),
                    },
                }
            } else {
                Term::Text(lower)
            };
            clauses.push(Clause { term, negated });
        }
        Ok(FindQuery { clauses })
    }

    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }
}

/// Whether `hay` contains `needle` (lower case), ignoring case; ASCII text
/// (nearly all of a trace) is compared in place, without a lowered copy.
fn contains_folded(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() && needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        let Some((&first, rest)) = n.split_first() else {
            return true;
        };
        if h.len() < n.len() {
            return false;
        }
        // Only where the first letter is (memchr skips the rest fast).
        let starts = &h[..=h.len() - n.len()];
        return memchr::memchr2_iter(
            first.to_ascii_lowercase(),
            first.to_ascii_uppercase(),
            starts,
        )
        .any(|i| h[i + 1..i + n.len()].eq_ignore_ascii_case(rest));
    }
    crate::case::lower(hay).contains(needle)
}

/// Whether `s` equals `lower` (lower case), ignoring case.
fn eq_folded(s: &str, lower: &str) -> bool {
    if lower.is_ascii() && s.is_ascii() {
        // Lengths first: nearly every string differs there.
        return s.len() == lower.len() && s.eq_ignore_ascii_case(lower);
    }
    crate::case::lower(s) == lower
}

/// Per interned string: whether it passes a test (computed once per query).
struct StrSet(Vec<u64>);

impl StrSet {
    fn of(ds: &Dataset, test: impl Fn(&str) -> bool) -> StrSet {
        let n = ds.strings.len();
        let mut bits = vec![0u64; n.div_ceil(64)];
        for i in 0..n {
            if test(ds.strings.get(StrId(i as u32))) {
                bits[i / 64] |= 1 << (i % 64);
            }
        }
        StrSet(bits)
    }
    /// The strings containing `needle` (lower case), ignoring case. An
    /// ASCII needle is searched in one pass over all the text, each hit
    /// mapped to its string: a million spans' strings in a few milliseconds
    /// rather than one test per string. Text that is not ASCII changes
    /// nothing: no letter outside ASCII has a lower case inside it
    /// ([`crate::case::lower_char`]), so a match is a run of ASCII bytes
    /// either way (one such string anywhere once sent every string the
    /// slow way: 70 ms at a million).
    fn containing(ds: &Dataset, needle: &str) -> StrSet {
        let (text, ends) = ds.strings.text_and_ends();
        let (h, n) = (text.as_bytes(), needle.as_bytes());
        if !needle.is_ascii() || n.is_empty() {
            return StrSet::of(ds, |s| contains_folded(s, needle));
        }
        let (first, rest) = (n[0], &n[1..]);
        let mut bits = vec![0u64; ends.len().div_ceil(64)];
        // Past the end of the last string that matched: it is in the set.
        let mut skip_to = 0usize;
        for i in memchr::memchr2_iter(first.to_ascii_lowercase(), first.to_ascii_uppercase(), h) {
            if i < skip_to
                || !h
                    .get(i + 1..i + n.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(rest))
            {
                continue;
            }
            // The string holding byte i: the first that ends after it.
            let id = ends.partition_point(|&e| e as usize <= i);
            let end = ends[id] as usize;
            if i + n.len() <= end {
                bits[id / 64] |= 1 << (id % 64);
                skip_to = end;
            }
        }
        StrSet(bits)
    }
    /// The strings equal to `lower` (lower case), ignoring case.
    fn equal_to(ds: &Dataset, lower: &str) -> StrSet {
        StrSet::of(ds, |s| eq_folded(s, lower))
    }
    fn has(&self, s: StrId) -> bool {
        let i = s.0 as usize;
        self.0.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
    }
    fn is_empty(&self) -> bool {
        self.0.iter().all(|&w| w == 0)
    }
}

/// A clause made ready to test spans: its strings looked up once.
enum Ready {
    /// Strings containing the text; the text for numbers and booleans.
    Text(StrSet, String),
    /// Keys equal to the key, values equal to the value.
    Attr(StrSet, StrSet, String),
    Service(StrSet),
    Operation(StrSet),
    Error(bool),
    Duration(Option<i64>, Option<i64>),
}

fn value_is(ds: &Dataset, v: AttrValue, strs: &StrSet, text: &str, contains: bool) -> bool {
    let matches = |t: &str| {
        if contains {
            t.contains(text)
        } else {
            t == text
        }
    };
    match v {
        AttrValue::Str(s) => strs.has(s),
        AttrValue::Bool(b) => matches(if b { "true" } else { "false" }),
        // Equal to a whole number: parsed, not formatted, for each span.
        AttrValue::Int(i) if !contains => text.parse::<i64>() == Ok(i) && i.to_string() == text,
        // A number's text is made only when the sought text could be in
        // it: formatting every number of a million spans is what a search
        // would spend its time on.
        other => could_be_in_number(text) && matches(&crate::case::lower(&ds.value_text(other))),
    }
}

/// Whether `text` may occur in a number as Rust writes one (digits, sign,
/// point, exponent, `inf`, `nan`).
fn could_be_in_number(text: &str) -> bool {
    text.bytes()
        .all(|c| c.is_ascii_digit() || b".-+einfa".contains(&c))
}

/// Whether `text` (lower case) may occur in a span id made from its value
/// ([`StrId::HEX_ID`]): no interned string holds those.
fn could_be_in_hex_id(text: &str) -> bool {
    text.len() <= 16 && text.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

impl Ready {
    /// Whether no span can hold it, known from the strings alone: a word in
    /// no interned string (nor in a number or a boolean's text), a key or
    /// a name no string is. Then no span need be looked at.
    fn holds_for_none(&self) -> bool {
        match self {
            Ready::Text(strs, text) => {
                strs.is_empty()
                    && !could_be_in_number(text)
                    && !could_be_in_hex_id(text)
                    && !"true".contains(text.as_str())
                    && !"false".contains(text.as_str())
            }
            Ready::Attr(keys, values, value) => {
                keys.is_empty()
                    || (values.is_empty()
                        && !could_be_in_number(value)
                        && value != "true"
                        && value != "false")
            }
            Ready::Service(s) | Ready::Operation(s) => s.is_empty(),
            Ready::Error(_) | Ready::Duration(..) => false,
        }
    }

    fn holds(&self, ds: &Dataset, t: &Trace, i: usize) -> bool {
        let resource = ds.resources.get(t.resource[i] as usize);
        let attrs = || {
            let events = ds
                .events(t.events[i])
                .iter()
                .flat_map(|e| ds.attrs(e.attrs));
            ds.attrs(t.attrs[i])
                .iter()
                .chain(resource.map_or(&[][..], |r| ds.attrs(r.attrs)))
                .chain(events)
        };
        match self {
            Ready::Text(strs, text) => {
                strs.has(t.service[i])
                    || strs.has(t.name[i])
                    || strs.has(t.span_id_text[i])
                    || (t.span_id_text[i] == StrId::HEX_ID
                        && could_be_in_hex_id(text)
                        && ds.span_id(t, i).contains(text.as_str()))
                    || strs.has(t.status_message[i])
                    || ds.events(t.events[i]).iter().any(|e| strs.has(e.name))
                    || attrs().any(|a| strs.has(a.key) || value_is(ds, a.value, strs, text, true))
            }
            Ready::Attr(keys, values, value) => {
                attrs().any(|a| keys.has(a.key) && value_is(ds, a.value, values, value, false))
            }
            Ready::Service(s) => s.has(t.service[i]),
            Ready::Operation(s) => s.has(t.name[i]),
            Ready::Error(e) => (t.status[i] == StatusCode::Error) == *e,
            Ready::Duration(min, max) => {
                let d = t.duration_ns[i];
                min.is_none_or(|m| d >= m) && max.is_none_or(|m| d <= m)
            }
        }
    }
}

/// The spans of `t` a query matches, in the waterfall's order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Found {
    /// Matching spans in depth-first (waterfall) order.
    pub order: Vec<u32>,
    /// Per span: whether it matches.
    pub matched: Vec<bool>,
    /// The (service, operation) of the matches, sorted, once each.
    pub operations: Vec<(StrId, StrId)>,
}

impl Found {
    /// Given spans of `t` as a find's result (an insight's spans, say).
    pub fn of_spans(t: &Trace, spans: &[u32]) -> Found {
        let mut matched = vec![false; t.len()];
        for &s in spans {
            if let Some(m) = matched.get_mut(s as usize) {
                *m = true;
            }
        }
        Found::from_mask(t, matched)
    }
    fn from_mask(t: &Trace, matched: Vec<bool>) -> Found {
        let order: Vec<u32> = t
            .tree
            .preorder()
            .iter()
            .copied()
            .filter(|&s| matched[s as usize])
            .collect();
        // Each operation once, sorted: a few distinct among what can be
        // hundreds of thousands of matches, so they are not all sorted.
        let mut seen = rustc_hash::FxHashSet::default();
        let mut operations: Vec<(StrId, StrId)> = order
            .iter()
            .map(|&s| (t.service[s as usize], t.name[s as usize]))
            .filter(|&op| seen.insert(op))
            .collect();
        crate::order::sort(&mut operations);
        Found {
            order,
            matched,
            operations,
        }
    }
    pub fn len(&self) -> usize {
        self.order.len()
    }
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
    /// The match after (or before, `back`) span `from` in waterfall order,
    /// wrapping around; the first (last) when `from` is None.
    pub fn step(&self, t: &Trace, from: Option<u32>, back: bool) -> Option<u32> {
        let n = self.order.len();
        if n == 0 {
            return None;
        }
        let places = t.tree.preorder_pos();
        let pos = |s: u32| places[s as usize];
        let k = match from.filter(|&s| (s as usize) < t.len()) {
            None if back => n - 1,
            None => 0,
            Some(s) => {
                // The first match at or after `s`'s place.
                let at = self.order.partition_point(|&m| pos(m) < pos(s));
                match (back, self.order.get(at) == Some(&s)) {
                    (false, true) => (at + 1) % n,
                    (false, false) => at % n,
                    (true, _) => (at + n - 1) % n,
                }
            }
        };
        Some(self.order[k])
    }
}

/// The spans of `t` that `q` matches (none for an empty query).
pub fn find(ds: &Dataset, t: &Trace, q: &FindQuery) -> Found {
    if q.is_empty() {
        return Found::default();
    }
    let mut b = FindBuilder::new(ds, q);
    b.step(ds, t, usize::MAX);
    b.finish(t)
}

/// [`find`] over one trace made a part at a time (a word over a million
/// spans takes ~100 ms in a page): `step` with the same trace until it
/// says it is done, then `finish`.
pub struct FindBuilder {
    clauses: Clauses,
    matched: Vec<bool>,
    walk: SpanWalk,
}

impl FindBuilder {
    /// The query's strings looked up once (a few milliseconds).
    pub fn new(ds: &Dataset, q: &FindQuery) -> FindBuilder {
        FindBuilder {
            clauses: Clauses::new(ds, q),
            matched: Vec::new(),
            walk: SpanWalk::default(),
        }
    }

    /// Tests up to `budget` more spans of `t`; true once all are tested.
    pub fn step(&mut self, ds: &Dataset, t: &Trace, budget: usize) -> bool {
        let FindBuilder {
            clauses,
            matched,
            walk,
        } = self;
        if clauses.match_none {
            return true;
        }
        matched.resize(t.len(), false);
        walk.step(std::slice::from_ref(t), budget, |_, t, i| {
            matched[i] = clauses.hold(ds, t, i);
        })
    }

    /// The matches (of the spans tested so far).
    pub fn finish(mut self, t: &Trace) -> Found {
        self.matched.resize(t.len(), false);
        Found::from_mask(t, self.matched)
    }
}

/// A query's clauses made ready (its strings looked up once in the
/// dataset), each with whether it is negated.
struct Clauses {
    ready: Vec<(Ready, bool)>,
    /// A clause that must hold holds for no span: no span is tested.
    match_none: bool,
}

impl Clauses {
    fn new(ds: &Dataset, q: &FindQuery) -> Clauses {
        let ready = prepare(ds, q);
        Clauses {
            match_none: ready
                .iter()
                .any(|(r, negated)| !negated && r.holds_for_none()),
            ready,
        }
    }

    /// Whether span `i` of `t` matches every clause.
    fn hold(&self, ds: &Dataset, t: &Trace, i: usize) -> bool {
        self.ready.iter().all(|(r, neg)| r.holds(ds, t, i) != *neg)
    }
}

/// The traces (indices into `ds.traces`) with at least one span a query
/// matches, none for an empty query; found a part at a time over every
/// span of the dataset, the query's strings looked up once.
pub struct TracesMatching {
    clauses: Clauses,
    /// Per trace: a span matched (the rest of its spans are not tested).
    hit: Vec<bool>,
    walk: SpanWalk,
}

impl TracesMatching {
    pub fn new(ds: &Dataset, q: &FindQuery) -> TracesMatching {
        let mut clauses = Clauses::new(ds, q);
        clauses.match_none |= q.is_empty();
        TracesMatching {
            clauses,
            hit: Vec::new(),
            walk: SpanWalk::default(),
        }
    }

    /// Tests up to `budget` more spans; true once every trace is decided.
    pub fn step(&mut self, ds: &Dataset, budget: usize) -> bool {
        let TracesMatching { clauses, hit, walk } = self;
        if clauses.match_none {
            return true;
        }
        hit.resize(ds.traces.len(), false);
        walk.step(&ds.traces, budget, |k, t, i| {
            if !hit[k] {
                hit[k] = clauses.hold(ds, t, i);
            }
        })
    }

    /// The traces with a match (among the spans tested so far).
    pub fn finish(self) -> Vec<usize> {
        (0..self.hit.len()).filter(|&k| self.hit[k]).collect()
    }
}

/// Each clause made ready, with whether it is negated.
fn prepare(ds: &Dataset, q: &FindQuery) -> Vec<(Ready, bool)> {
    q.clauses
        .iter()
        .map(|c| {
            let r = match &c.term {
                Term::Text(text) => Ready::Text(StrSet::containing(ds, text), text.clone()),
                Term::Attr { key, value } => Ready::Attr(
                    StrSet::equal_to(ds, key),
                    StrSet::equal_to(ds, value),
                    value.clone(),
                ),
                Term::Service(v) => Ready::Service(StrSet::equal_to(ds, v)),
                Term::Operation(v) => Ready::Operation(StrSet::equal_to(ds, v)),
                Term::Error(e) => Ready::Error(*e),
                Term::Duration { min_ns, max_ns } => Ready::Duration(*min_ns, *max_ns),
            };
            (r, c.negated)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Clause {
        Clause {
            term: Term::Text(s.into()),
            negated: false,
        }
    }

    #[test]
    fn each_operator() {
        let q = FindQuery::parse(r#"GET  "a Phrase" -Cart http.Route=/api duration>10ms duration<=2s service=cart error=true operation="GET /x""#)
            .unwrap();
        assert_eq!(
            q.clauses,
            [
                text("get"),
                text("a phrase"),
                Clause {
                    term: Term::Text("cart".into()),
                    negated: true
                },
                Clause {
                    term: Term::Attr {
                        key: "http.route".into(),
                        value: "/api".into()
                    },
                    negated: false
                },
                Clause {
                    term: Term::Duration {
                        min_ns: Some(10_000_001),
                        max_ns: None
                    },
                    negated: false
                },
                Clause {
                    term: Term::Duration {
                        min_ns: None,
                        max_ns: Some(2_000_000_000)
                    },
                    negated: false
                },
                Clause {
                    term: Term::Service("cart".into()),
                    negated: false
                },
                Clause {
                    term: Term::Error(true),
                    negated: false
                },
                Clause {
                    term: Term::Operation("get /x".into()),
                    negated: false
                },
            ]
        );
        assert!(FindQuery::parse("   ").unwrap().is_empty());
        assert_eq!(
            FindQuery::parse("duration").unwrap().clauses,
            [text("duration")]
        );
        assert_eq!(
            FindQuery::parse("error=maybe").unwrap().clauses[0].term,
            Term::Attr {
                key: "error".into(),
                value: "maybe".into()
            }
        );
    }

    #[test]
    fn bad_input_says_what_is_wrong() {
        for (q, says) in [
            (r#""open"#, "quote"),
            ("duration>", "needs a duration"),
            ("duration>fast", "not a duration"),
            ("duration=3ms", "compare with > or <"),
            ("=x", "no key"),
            ("a - b", "needs a term"),
        ] {
            let e = FindQuery::parse(q).unwrap_err();
            assert!(e.contains(says), "{q}: {e}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_says_why(s in "\\PC{0,40}") {
            let _ = FindQuery::parse(&s);
        }
    }
}
