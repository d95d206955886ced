//! Secrets found by their look, whatever their key: each kind a scanner
//! over the text's bytes, linear in its length. Each finds exactly what a
//! regular expression says (the doc of each, read as `regex-lite` reads
//! it: ASCII classes, `\b` and case); `core/tests/secret_looks.rs` holds
//! them to those expressions on random and adversarial texts. Written by
//! hand: a regex engine costs the page 15.7 kB of its 800 kB bundle, for
//! six patterns.
//!
//! A match keeps what names the secret (`Bearer `, `?token=`, `password = `)
//! and replaces the rest.

/// A secret in a text: the match is `start..end`, of which `secret..end`
/// is the secret (what comes before it is kept). Always at characters'
/// edges: every pattern begins and ends at an ASCII byte or the text's end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub secret: usize,
    pub end: usize,
}

/// A kind of secret found by its look.
pub struct Look {
    pub kind: &'static str,
    /// Words one of which a text must hold (ASCII, any case) to match:
    /// most texts hold none, and this is checked first.
    hints: &'static [&'static str],
    /// The leftmost match starting at or after a position.
    find: fn(&[u8], usize) -> Option<Found>,
}

pub const LOOKS: &[Look] = &[
    Look {
        kind: "private key",
        hints: &["-----begin "],
        find: private_key,
    },
    Look {
        kind: "JWT",
        hints: &["eyj"],
        find: jwt,
    },
    Look {
        kind: "bearer token",
        hints: &["bearer", "basic"],
        find: bearer,
    },
    Look {
        kind: "URL secret",
        hints: &["="],
        find: url_secret,
    },
    Look {
        kind: "SQL password",
        hints: &["password", "identified"],
        find: sql_password,
    },
    Look {
        kind: "email",
        hints: &["@"],
        find: email,
    },
];

impl Look {
    /// Whether `text` may hold this kind of secret.
    pub fn hinted(&self, text: &str) -> bool {
        self.hints
            .iter()
            .any(|h| holds(text.as_bytes(), h.as_bytes()))
    }

    /// Every secret of this kind in `text`, left to right, none overlapping
    /// (each search goes on where the last match ended).
    pub fn find_iter<'a>(&self, text: &'a str) -> impl Iterator<Item = Found> + 'a {
        let (find, t) = (self.find, text.as_bytes());
        let mut from = 0;
        std::iter::from_fn(move || {
            let f = find(t, from)?;
            from = f.end;
            Some(f)
        })
    }
}

/// Whether `text` holds `word` (lower case ASCII) in any case.
fn holds(text: &[u8], word: &[u8]) -> bool {
    text.len() >= word.len()
        && text
            .windows(word.len())
            .any(|w| w.eq_ignore_ascii_case(word))
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `\s`: ASCII white space.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// `\b` before a word byte at `at`.
fn edge_before(t: &[u8], at: usize) -> bool {
    at == 0 || !is_word(t[at - 1])
}

/// Where the run of bytes of `class` starting at `from` ends.
fn run(t: &[u8], from: usize, class: impl Fn(u8) -> bool) -> usize {
    from + t
        .get(from..)
        .map_or(0, |r| r.iter().take_while(|&&b| class(b)).count())
}

/// Whether `word` (lower case ASCII) is at `at`, in any case.
fn at_ci(t: &[u8], at: usize, word: &[u8]) -> bool {
    t.get(at..at + word.len())
        .is_some_and(|w| w.eq_ignore_ascii_case(word))
}

/// Where `word` next occurs at or after `from`.
fn next(t: &[u8], from: usize, word: &[u8]) -> Option<usize> {
    memchr::memmem::find(t.get(from..)?, word).map(|i| from + i)
}

/// The end of a `-----BEGIN [A-Z ]*PRIVATE KEY-----` style line whose
/// first word (`BEGIN `, `END `) is at `at`: its name, the run of capitals
/// and spaces, ends in `PRIVATE KEY` and five dashes follow.
fn key_line_end(t: &[u8], at: usize) -> Option<usize> {
    let name_end = run(t, at, |b| b.is_ascii_uppercase() || b == b' ');
    (t[at..name_end].ends_with(b"PRIVATE KEY") && t[name_end..].starts_with(b"-----"))
        .then_some(name_end + 5)
}

/// `()(-----BEGIN [A-Z ]*PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z ]*PRIVATE KEY-----|$))`:
/// a key to its end line, or to the end of the text.
fn private_key(t: &[u8], from: usize) -> Option<Found> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    const END: &[u8] = b"-----END ";
    let mut i = from;
    while let Some(at) = next(t, i, BEGIN) {
        if let Some(body) = key_line_end(t, at + BEGIN.len()) {
            let mut j = body;
            let end = loop {
                match next(t, j, END) {
                    Some(e) => match key_line_end(t, e + END.len()) {
                        Some(end) => break end,
                        None => j = e + 1,
                    },
                    None => break t.len(),
                }
            };
            return Some(Found {
                start: at,
                secret: at,
                end,
            });
        }
        i = at + 1;
    }
    None
}

/// `[A-Za-z0-9_-]`: base64url.
fn is_base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// `()\b(eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,})`.
fn jwt(t: &[u8], from: usize) -> Option<Found> {
    let segment = |from: usize| {
        let end = run(t, from, is_base64url);
        (end - from >= 4).then_some(end)
    };
    let dot = |at: usize| (t.get(at) == Some(&b'.')).then_some(at + 1);
    let mut i = from;
    while let Some(at) = next(t, i, b"eyJ") {
        if edge_before(t, at) {
            let end = segment(at + 3)
                .and_then(dot)
                .and_then(segment)
                .and_then(dot)
                .and_then(segment);
            if let Some(end) = end {
                return Some(Found {
                    start: at,
                    secret: at,
                    end,
                });
            }
            // Every later start inside the first segment ends it at the
            // same byte, and fails the same way.
            i = run(t, at + 3, is_base64url);
        } else {
            i = at + 1;
        }
    }
    None
}

/// `(?i)(\b(?:bearer|basic)\s+)([A-Za-z0-9._~+/=-]{8,})`.
fn bearer(t: &[u8], from: usize) -> Option<Found> {
    let token = |b: u8| b.is_ascii_alphanumeric() || b"._~+/=-".contains(&b);
    (from..t.len()).find_map(|at| {
        let word = [&b"bearer"[..], b"basic"]
            .into_iter()
            .find(|w| at_ci(t, at, w))?;
        let space = at + word.len();
        let secret = run(t, space, is_space);
        let end = run(t, secret, token);
        (edge_before(t, at) && secret > space && end - secret >= 8).then_some(Found {
            start: at,
            secret,
            end,
        })
    })
}

/// `(?i)([?&;][a-z0-9_.-]*(?:token|secret|passw|pwd|api[_-]?key|apikey|signature|sig|auth|session|credential|code)[a-z0-9_.-]*=)([^&#\s]+)`:
/// a query parameter whose name holds one of those words.
fn url_secret(t: &[u8], from: usize) -> Option<Found> {
    const WORDS: &[&[u8]] = &[
        b"token",
        b"secret",
        b"passw",
        b"pwd",
        b"apikey",
        b"api_key",
        b"api-key",
        b"sig",
        b"auth",
        b"session",
        b"credential",
        b"code",
    ];
    let name = |b: u8| b.is_ascii_alphanumeric() || b"_.-".contains(&b);
    (from..t.len()).find_map(|at| {
        if !b"?&;".contains(&t[at]) {
            return None;
        }
        let equals = run(t, at + 1, name);
        if t.get(equals) != Some(&b'=') || !WORDS.iter().any(|w| holds(&t[at + 1..equals], w)) {
            return None;
        }
        let end = run(t, equals + 1, |b| b != b'&' && b != b'#' && !is_space(b));
        (end > equals + 1).then_some(Found {
            start: at,
            secret: equals + 1,
            end,
        })
    })
}

/// `(?i)(\b(?:password|identified\s+by)\s*=?\s*)('[^']*')`: a quoted
/// password in SQL.
fn sql_password(t: &[u8], from: usize) -> Option<Found> {
    for at in from..t.len() {
        let after = if at_ci(t, at, b"password") {
            at + 8
        } else if at_ci(t, at, b"identified") {
            let by = run(t, at + 10, is_space);
            if by == at + 10 || !at_ci(t, by, b"by") {
                continue;
            }
            by + 2
        } else {
            continue;
        };
        if !edge_before(t, at) {
            continue;
        }
        let mut quote = run(t, after, is_space);
        if t.get(quote) == Some(&b'=') {
            quote = run(t, quote + 1, is_space);
        }
        if t.get(quote) != Some(&b'\'') {
            continue;
        }
        // No closing quote: no later start has one either (each opens
        // after this one).
        let close = memchr::memchr(b'\'', &t[quote + 1..])?;
        return Some(Found {
            start: at,
            secret: quote,
            end: quote + close + 2,
        });
    }
    None
}

/// `()([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})`.
fn email(t: &[u8], from: usize) -> Option<Found> {
    let local = |b: u8| b.is_ascii_alphanumeric() || b"._%+-".contains(&b);
    let mut i = from;
    loop {
        let at = i + memchr::memchr(b'@', t.get(i..)?)?;
        // The match begins where the run of the local part's characters
        // before the `@` does (not before where the search began).
        let start = at - t[i..at].iter().rev().take_while(|&&b| local(b)).count();
        if start < at {
            if let Some(end) = domain_end(t, at + 1) {
                return Some(Found {
                    start,
                    secret: start,
                    end,
                });
            }
        }
        i = at + 1;
    }
}

/// Where `[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}` matched at
/// `from` ends, as the regex prefers it: with as many labels as can be,
/// the last one's leading letters the top-level domain.
fn domain_end(t: &[u8], from: usize) -> Option<usize> {
    let label = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
    let mut p = run(t, from, label);
    if p == from {
        return None;
    }
    let mut end = None;
    while t.get(p) == Some(&b'.') {
        let next = run(t, p + 1, label);
        if next == p + 1 {
            break;
        }
        let letters = run(t, p + 1, |b| b.is_ascii_alphabetic());
        if letters - (p + 1) >= 2 {
            end = Some(letters);
        }
        p = next;
    }
    end
}
