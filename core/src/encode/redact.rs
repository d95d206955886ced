//! Redaction before sharing: traces carry PII and secrets. Attribute values
//! whose key matches a pattern are dropped or replaced by a hash (so equal
//! values still correlate), or everything outside an allowlist is dropped.
//!
//! A pattern without `*` matches keys that contain it (case-insensitive:
//! `token` catches `http.request.header.x-auth-token`); with `*` it is a
//! glob over the whole key (`*.key` catches `aws.secret.key`).

use crate::model::{Dataset, Trace};
use sha2::{Digest, Sha256};

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
        }
    }
    pub fn defaults() -> Redaction {
        Redaction {
            patterns: DEFAULT_PATTERNS.iter().map(|p| p.to_string()).collect(),
            mode: Mode::Drop,
            allowlist: None,
        }
    }
    pub fn is_none(&self) -> bool {
        self.patterns.is_empty() && self.allowlist.is_none()
    }

    fn redacts(&self, key: &str) -> bool {
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
            return Some(None);
        }
        match self.mode {
            Mode::Drop => None,
            Mode::Hash => Some(Some(hash_value(value))),
        }
    }

    /// How many attribute values (span, resource, event and link attributes)
    /// of these traces the redaction removes or replaces: the preview count.
    pub fn count<'a>(&self, ds: &Dataset, traces: impl IntoIterator<Item = &'a Trace>) -> usize {
        if self.is_none() {
            return 0;
        }
        let mut n = 0;
        let mut seen_res = vec![false; ds.resources.len()];
        let hit = |r: crate::model::Range32| {
            ds.attrs(r)
                .iter()
                .filter(|a| self.redacts(ds.str(a.key)))
                .count()
        };
        for t in traces {
            for i in 0..t.len() {
                n += hit(t.attrs[i]);
                let res = t.resource[i] as usize;
                if !std::mem::replace(&mut seen_res[res], true) {
                    n += hit(ds.resources[res].attrs);
                }
                n += ds
                    .events(t.events[i])
                    .iter()
                    .map(|e| hit(e.attrs))
                    .sum::<usize>();
                n += ds
                    .links(t.links[i])
                    .iter()
                    .map(|l| hit(l.attrs))
                    .sum::<usize>();
            }
        }
        n
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
        };
        assert_eq!(allow.apply("http.method", "GET"), Some(None));
        assert_eq!(allow.apply("db.statement", "SELECT"), None);
    }
}
