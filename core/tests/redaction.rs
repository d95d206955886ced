//! Secrets planted in every text a trace can carry leave in none of the
//! outputs (the share link's OTLP JSON, the Jaeger JSON export, the
//! Markdown summary), and the preview counts what was removed by kind.

use serde_json::json;
use tracescope_core::encode::redact::{Mode, Redaction};
use tracescope_core::encode::{jaeger, otlp};
use tracescope_core::{decode_bytes, Dataset};

const JWT: &str =
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
const BEARER: &str = "mF_9.B5f-4.1JqM";
const EMAIL: &str = "jane.doe@example.com";
const URL_SECRET: &str = "s3cr3tAp1K3y";
const SQL_SECRET: &str = "hunter2";
const KEY_BODY: &str = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC";
const BY_KEY: &str = "swordfish-by-key";

/// Every secret in the texts that must never leave.
const SECRETS: &[&str] = &[JWT, BEARER, EMAIL, URL_SECRET, SQL_SECRET, KEY_BODY, BY_KEY];

fn attr(k: &str, v: &str) -> serde_json::Value {
    json!({"key": k, "value": {"stringValue": v}})
}

fn planted() -> Dataset {
    let doc = json!({"resourceSpans": [{
        "resource": {"attributes": [attr("service.name", &format!("billing {EMAIL}")), attr("host.note", &format!("Authorization: Bearer {BEARER}"))]},
        "scopeSpans": [{"spans": [{
            "traceId": "0102030405060708090a0b0c0d0e0f10", "spanId": "0102030405060708",
            "name": format!("GET /login?user=x&api_key={URL_SECRET}"),
            "startTimeUnixNano": "1000", "endTimeUnixNano": "9000",
            "attributes": [
                attr("db.statement", &format!("ALTER USER app IDENTIFIED BY '{SQL_SECRET}'")),
                attr("session.token", BY_KEY),
                attr("tls.material", &format!("-----BEGIN PRIVATE KEY-----\n{KEY_BODY}\n-----END PRIVATE KEY-----")),
            ],
            "events": [{"timeUnixNano": "2000", "name": format!("sent mail to {EMAIL}"),
                        "attributes": [attr("exception.message", &format!("invalid token {JWT}"))]}],
            "links": [{"traceId": "0102030405060708090a0b0c0d0e0f10", "spanId": "0a0b0c0d0e0f1011",
                       "attributes": [attr("link.note", &format!("PASSWORD '{SQL_SECRET}'"))]}],
            "status": {"code": 2, "message": format!("rejected {JWT} for {EMAIL}")}
        }]}]
    }]});
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, doc.to_string().as_bytes()).unwrap();
    ds
}

fn outputs(ds: &Dataset, r: &Redaction) -> Vec<(&'static str, String)> {
    let t: &tracescope_core::Trace = &ds.traces[0];
    vec![
        (
            "share link / OTLP JSON",
            String::from_utf8(otlp::encode(ds, [t], r)).unwrap(),
        ),
        (
            "Jaeger JSON",
            String::from_utf8(jaeger::encode(ds, [t], r)).unwrap(),
        ),
        (
            "Markdown",
            tracescope_core::report::markdown(ds, t, "https://x.example/", r),
        ),
    ]
}

#[test]
fn no_planted_secret_leaves_in_any_output() {
    let ds = planted();
    // Without redaction every secret is there: the test plants what it checks.
    for (what, text) in outputs(&ds, &Redaction::none()) {
        let found = SECRETS.iter().filter(|s| text.contains(**s)).count();
        assert!(
            found >= 3,
            "{what} holds only {found} of the planted secrets"
        );
    }
    for mode in [Mode::Drop, Mode::Hash] {
        let r = Redaction {
            mode,
            ..Redaction::defaults()
        };
        for (what, text) in outputs(&ds, &r) {
            for s in SECRETS {
                assert!(
                    !text.contains(s),
                    "{what} ({mode:?}) still holds {s}:\n{text}"
                );
            }
        }
    }
    // What stays readable: the rest of each text.
    let r = Redaction::defaults();
    let otlp = String::from_utf8(otlp::encode(&ds, ds.traces.iter().map(Box::as_ref), &r)).unwrap();
    assert!(
        otlp.contains("GET /login?user=x&api_key=[redacted URL secret]"),
        "{otlp}"
    );
    assert!(
        otlp.contains("IDENTIFIED BY [redacted SQL password]"),
        "{otlp}"
    );
}

#[test]
fn the_preview_counts_what_is_removed_by_kind() {
    let ds = planted();
    let removed = Redaction::defaults().removed(&ds, ds.traces.iter().map(Box::as_ref));
    // By key: session.token; by look, each where it was planted.
    assert_eq!(removed.by_key, 1);
    let by = |k: &str| removed.by_look.get(k).copied().unwrap_or(0);
    // The service's name (as the resource's name and its service.name
    // attribute), the event's name, the status message.
    assert_eq!(by("email"), 4, "{removed:?}");
    assert_eq!(by("JWT"), 2, "{removed:?}"); // event attribute, status
    assert_eq!(by("bearer token"), 1);
    assert_eq!(by("URL secret"), 1);
    assert_eq!(by("SQL password"), 2); // statement, link attribute
    assert_eq!(by("private key"), 1);
    assert_eq!(removed.total(), 12);
    assert_eq!(
        Redaction::none()
            .removed(&ds, ds.traces.iter().map(Box::as_ref))
            .total(),
        0
    );
}
