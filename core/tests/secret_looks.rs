//! The secret scanners against the regular expressions they implement, as
//! `regex-lite` reads them: the same matches (start, where the secret
//! begins, end), in the same order, on texts made of pieces of secrets,
//! near misses, other scripts and look-alike characters.

use proptest::prelude::*;
use regex_lite::Regex;
use tracescope_core::encode::secret_looks::{Found, LOOKS};

/// Each kind's expression: group 1 is kept, group 2 is the secret.
const PATTERNS: &[(&str, &str)] = &[
    (
        "private key",
        r"()(-----BEGIN [A-Z ]*PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z ]*PRIVATE KEY-----|$))",
    ),
    (
        "JWT",
        r"()\b(eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,})",
    ),
    (
        "bearer token",
        r"(?i)(\b(?:bearer|basic)\s+)([A-Za-z0-9._~+/=-]{8,})",
    ),
    (
        "URL secret",
        r"(?i)([?&;][a-z0-9_.-]*(?:token|secret|passw|pwd|api[_-]?key|apikey|signature|sig|auth|session|credential|code)[a-z0-9_.-]*=)([^&#\s]+)",
    ),
    (
        "SQL password",
        r"(?i)(\b(?:password|identified\s+by)\s*=?\s*)('[^']*')",
    ),
    (
        "email",
        r"()([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})",
    ),
];

fn by_regex(re: &Regex, text: &str) -> Vec<Found> {
    re.captures_iter(text)
        .map(|c| {
            let whole = c.get(0).unwrap();
            Found {
                start: whole.start(),
                secret: c.get(2).unwrap().start(),
                end: whole.end(),
            }
        })
        .collect()
}

fn same_as_regex(text: &str) -> Result<(), TestCaseError> {
    for (look, (kind, pattern)) in LOOKS.iter().zip(PATTERNS) {
        prop_assert_eq!(look.kind, *kind);
        let re = Regex::new(pattern).unwrap();
        let want = by_regex(&re, text);
        let got: Vec<Found> = look.find_iter(text).collect();
        prop_assert_eq!(&got, &want, "{} in {:?}", kind, text);
        // A text the hints rule out holds none.
        if !look.hinted(text) {
            prop_assert!(
                want.is_empty(),
                "{} in {:?} missed by the hints",
                kind,
                text
            );
        }
    }
    Ok(())
}

/// Pieces secrets are made of, and what nearly makes one.
const PIECES: &[&str] = &[
    "bearer",
    "Bearer",
    "BASIC",
    "basics",
    " ",
    "  ",
    "\t",
    "\n",
    "\u{b}",
    "\u{a0}",
    "\u{2000}",
    "eyJ",
    "eyJhbGci",
    "abcd",
    "AbC1",
    "x",
    "Z9",
    "_",
    "-",
    ".",
    "..",
    "@",
    "@@",
    "%",
    "+",
    "/",
    "~",
    "=",
    "?",
    "&",
    ";",
    "#",
    "token",
    "TOKEN",
    "Sig",
    "api_key",
    "api-key",
    "apiKey",
    "passwd",
    "session",
    "code",
    "'",
    "''",
    "password",
    "PassWord",
    "identified",
    "by",
    "BY",
    "-----BEGIN ",
    "-----END ",
    "RSA ",
    "PRIVATE KEY",
    "-----",
    "EC",
    "com",
    "io",
    "a1",
    "é",
    "δ",
    "\u{212a}",
    "ſ",
    "ey",
    "J",
    "0",
];

fn texts() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|p| p.concat()),
        "[a-zA-Z0-9 .@=?&;'_%+/~#-]{0,60}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn each_scanner_finds_what_its_expression_matches(text in texts()) {
        same_as_regex(&text)?;
    }
}

#[test]
fn the_secrets_of_the_redaction_tests_and_their_near_misses() {
    for text in [
        "Authorization: Bearer abcdefgh.ijk and basic    c2VjcmV0OnBhc3M=",
        "bearer short; xbearer abcdefghij; bearer\u{a0}abcdefghij",
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl and xeyJabcd.efgh.ijkl, -eyJabcd.efgh.ijk",
        "eyJ-eyJ-eyJaaaa.bbbb.cccc.dddd eyJaaaa.eyJbbbb.cccc.dddd",
        "GET /x?access_token=abc&Signature=zz#f;sessionid=9 ?code= &apikey=k ?tok=en ?x=a?token=b",
        "?code=1&authcode=2;api-key=3&API_KEY=4&mypwd=5&passwd=6&credentials=7&secret=8&x=9",
        "ALTER USER bob PASSWORD 'hunter2' / IDENTIFIED   BY ' x ' / password='' / password = = 'x' / passwords 'no' / xpassword 'no' / password 'unclosed",
        "mail ann.o'neil@example.co.uk, bob@b.com.x1, c@d.comx1, e@f, g@h.i, a@b@c.com, @x.io, -@-.-.ab",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- after; -----BEGIN PRIVATE KEY-----open",
        "------BEGIN EC PRIVATE KEY----- x ------END EC PRIVATE KEY----- -----BEGIN PUBLIC KEY-----",
        "",
    ] {
        same_as_regex(text).unwrap();
    }
}

/// Adversarial texts are scanned in time linear in their length: a
/// megabyte of near misses of each kind takes well under a second.
#[test]
fn near_misses_repeated_take_linear_time() {
    for piece in [
        "eyJ-",
        "a.a@",
        "?token=&",
        "password '",
        "bearer ",
        "-----BEGIN ",
        "-----END ",
        "x@y.",
    ] {
        let text = piece.repeat((1 << 20) / piece.len());
        let started = std::time::Instant::now();
        for look in LOOKS {
            let _ = look.find_iter(&text).count();
        }
        let took = started.elapsed();
        assert!(took.as_secs_f64() < 1.0, "{piece:?} repeated: {took:?}");
    }
}
