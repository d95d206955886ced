//! Redaction before sharing: traces carry PII and secrets. Attribute values
//! whose key matches a pattern are dropped or replaced by a hash (so equal
//! values still correlate), or everything outside an allowlist is dropped.
//! With `values` on, every text that leaves (attribute values, span, event
//! and service names, status messages) also loses what looks like a secret
//! whatever its key: bearer tokens, JWTs, emails, secret-named URL query
//! parameters, SQL passwords, private keys.
//!
//! A pattern without `*` matches keys that contain it (case-insensitive:
//! `token` catches `http.request.header.x-auth-token`); with `*` it is a
//! glob over the whole key (`*.key` catches `aws.secret.key`).

use super::secret_looks::{Look, LOOKS};
use crate::model::{AttrValue, Dataset, Range32, StrId, Trace};
use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Drop,
    Hash,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redaction {
    pub patterns: Vec<String>,
    pub mode: Mode,
    /// When set, only keys matching one of these are kept (then `patterns` still apply).
    pub allowlist: Option<Vec<String>>,
    /// Whether secrets are looked for in every text, whatever its key.
    pub values: bool,
}

/// The names of the kinds of secret found by their look.
pub fn secret_kinds() -> impl Iterator<Item = &'static str> {
    LOOKS.iter().map(|l| l.kind)
}

/// The looks whose hints `text` holds.
fn secret_looks(text: &str) -> impl Iterator<Item = &'static Look> + '_ {
    LOOKS.iter().filter(move |l| l.hinted(text))
}

/// What a redaction removes from some traces, for the preview: values by
/// their key's pattern, and secrets by their look.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Removed {
    pub by_key: usize,
    pub by_look: BTreeMap<&'static str, usize>,
}

impl Removed {
    pub fn total(&self) -> usize {
        self.by_key + self.by_look.values().sum::<usize>()
    }
}

pub const DEFAULT_PATTERNS: &[&str] = &[
    "authorization",
    "cookie",
    "password",
    "token",
    "secret",
    "email",
    "*.key",
];

impl Redaction {
    /// Nothing removed.
    pub fn none() -> Redaction {
        Redaction {
            patterns: Vec::new(),
            mode: Mode::Drop,
            allowlist: None,
            values: false,
        }
    }
    pub fn defaults() -> Redaction {
        Redaction {
            patterns: DEFAULT_PATTERNS.iter().map(|p| p.to_string()).collect(),
            mode: Mode::Drop,
            allowlist: None,
            values: true,
        }
    }
    pub fn is_none(&self) -> bool {
        self.patterns.is_empty() && self.allowlist.is_none() && !self.values
    }

    /// `text` without what looks like a secret: each replaced by
    /// `[redacted <kind>]`, or by its hash in hash mode.
    pub fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if !self.values {
            return Cow::Borrowed(text);
        }
        let mut out = Cow::Borrowed(text);
        for look in secret_looks(text) {
            let mut replaced = String::new();
            let mut kept = 0;
            for f in look.find_iter(&out) {
                let with = match self.mode {
                    Mode::Drop => format!("[redacted {}]", look.kind),
                    Mode::Hash => hash_value(&out[f.secret..f.end]),
                };
                replaced.push_str(&out[kept..f.secret]);
                replaced.push_str(&with);
                kept = f.end;
            }
            // Nothing of this kind in the text: it stays as it is.
            if kept > 0 {
                replaced.push_str(&out[kept..]);
                out = Cow::Owned(replaced);
            }
        }
        out
    }

    /// Counts the secrets `text` holds by their look into `into`.
    fn count_looks(&self, text: &str, into: &mut Removed) {
        if !self.values {
            return;
        }
        for look in secret_looks(text) {
            let n = look.find_iter(text).count();
            if n > 0 {
                *into.by_look.entry(look.kind).or_default() += n;
            }
        }
    }

    pub(crate) fn redacts(&self, key: &str) -> bool {
        let k = key.to_ascii_lowercase();
        let listed = |ps: &[String]| {
            ps.iter()
                .any(|p| pattern_matches(&p.to_ascii_lowercase(), &k))
        };
        self.allowlist.as_ref().is_some_and(|a| !listed(a)) || listed(&self.patterns)
    }

    /// What becomes of a value: None = dropped, Some(None) = kept as is,
    /// Some(Some(text)) = replaced by `text`.
    pub fn apply(&self, key: &str, value: &str) -> Option<Option<String>> {
        if !self.redacts(key) {
            return Some(match self.text(value) {
                Cow::Borrowed(_) => None,
                Cow::Owned(scrubbed) => Some(scrubbed),
            });
        }
        match self.mode {
            Mode::Drop => None,
            Mode::Hash => Some(Some(hash_value(value))),
        }
    }

    /// What the redaction removes from these traces (span, resource, event
    /// and link attributes; span, event and service names; status
    /// messages): the preview count. Each key and text is judged once
    /// (they repeat).
    pub fn removed<'a>(
        &self,
        ds: &Dataset,
        traces: impl IntoIterator<Item = &'a Trace>,
    ) -> Removed {
        let mut count = Counter {
            r: self,
            ds,
            out: Removed::default(),
            key_redacted: FxHashMap::default(),
            looks: FxHashMap::default(),
        };
        if self.is_none() {
            return count.out;
        }
        let mut seen_res = vec![false; ds.resources.len()];
        for t in traces {
            for i in 0..t.len() {
                count.attrs(t.attrs[i]);
                count.text(t.name[i]);
                count.text(t.status_message[i]);
                let res = t.resource[i] as usize;
                if !std::mem::replace(&mut seen_res[res], true) {
                    count.attrs(ds.resources[res].attrs);
                    count.text(ds.resources[res].service);
                }
                for e in ds.events(t.events[i]) {
                    count.attrs(e.attrs);
                    count.text(e.name);
                }
                for l in ds.links(t.links[i]) {
                    count.attrs(l.attrs);
                }
            }
        }
        count.out
    }
}

/// The preview count's running total, with each key's and text's verdict
/// kept by its string id.
struct Counter<'r> {
    r: &'r Redaction,
    ds: &'r Dataset,
    out: Removed,
    key_redacted: FxHashMap<StrId, bool>,
    /// The secrets a text holds, by kind (None: none).
    looks: FxHashMap<StrId, Option<Removed>>,
}

impl Counter<'_> {
    fn attrs(&mut self, r: Range32) {
        for a in self.ds.attrs(r) {
            let (r, ds) = (self.r, self.ds);
            let redacted = *self
                .key_redacted
                .entry(a.key)
                .or_insert_with(|| r.redacts(ds.str(a.key)));
            if redacted {
                self.out.by_key += 1;
            } else if let AttrValue::Str(v) = a.value {
                self.text(v);
            }
        }
    }

    fn text(&mut self, s: StrId) {
        if !self.r.values {
            return;
        }
        let (r, ds) = (self.r, self.ds);
        let found = self.looks.entry(s).or_insert_with(|| {
            let mut found = Removed::default();
            r.count_looks(ds.str(s), &mut found);
            (found.total() > 0).then_some(found)
        });
        for (kind, n) in found.iter().flat_map(|f| &f.by_look) {
            *self.out.by_look.entry(kind).or_default() += n;
        }
    }
}

/// `sha256:` and the first 16 hex digits of the value's SHA-256: equal
/// values stay equal, the value itself is gone.
pub fn hash_value(v: &str) -> String {
    let d = Sha256::digest(v.as_bytes());
    let hex: String = d.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// `pat` (lower case) against `key` (lower case): substring, or a glob when it has `*`.
pub fn pattern_matches(pat: &str, key: &str) -> bool {
    if !pat.contains('*') {
        return !pat.is_empty() && key.contains(pat);
    }
    // Glob with `*` only: the pieces in order, anchored at both ends.
    let parts: Vec<&str> = pat.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !key.starts_with(first) || key.len() < first.len() + last.len() || !key.ends_with(last) {
        return false;
    }
    let mut rest = &key[first.len()..key.len() - last.len()];
    for p in &parts[1..parts.len() - 1] {
        match rest.find(p) {
            Some(i) => rest = &rest[i + p.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(pattern_matches("token", "http.request.header.x-auth-token"));
        assert!(pattern_matches("*.key", "aws.secret.key"));
        assert!(!pattern_matches("*.key", "keyboard"));
        assert!(pattern_matches("db.*", "db.statement"));
        assert!(pattern_matches("a*b*c", "axxbyyc"));
        assert!(!pattern_matches("a*b*c", "axxcyyb"));
        assert!(!pattern_matches("", "x"));
    }

    #[test]
    fn modes_and_allowlist() {
        let d = Redaction::defaults();
        assert_eq!(d.apply("user.email", "a@b.c"), None);
        assert_eq!(d.apply("Authorization", "Bearer x"), None);
        assert_eq!(d.apply("http.method", "GET"), Some(None));
        let h = Redaction {
            mode: Mode::Hash,
            ..Redaction::defaults()
        };
        let v = h.apply("user.email", "a@b.c").unwrap().unwrap();
        assert!(v.starts_with("sha256:") && !v.contains("a@b.c"));
        assert_eq!(h.apply("user.email", "a@b.c"), Some(Some(v)));
        let allow = Redaction {
            patterns: vec![],
            mode: Mode::Drop,
            allowlist: Some(vec!["http.*".into()]),
            values: false,
        };
        assert_eq!(allow.apply("http.method", "GET"), Some(None));
        assert_eq!(allow.apply("db.statement", "SELECT"), None);
    }
}
