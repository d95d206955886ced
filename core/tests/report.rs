//! The Markdown summary is pasted into tickets: text from a trace can never
//! become a link, an image, HTML or emphasis there; the app's link is the
//! one link, and it survives any characters.

use pulldown_cmark::{Event, Options, Parser, Tag};
use serde_json::json;
use tracescope_core::analysis::diff::align;
use tracescope_core::{decode_bytes, Dataset};

const HOSTILE: &[&str] = &[
    "[click](javascript:alert(1))",
    "![pixel](https://evil.example/track.png)",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "https://evil.example/login",
    "www.evil.example",
    "**bold** _em_ `tick` | pipe \\ back",
    "line\nbreak ) ]",
];

fn hostile_trace() -> Dataset {
    // Each text also names three calls of one statement under the root: an
    // N+1 insight, so the insights' lines are checked too.
    let calls = HOSTILE.iter().enumerate().flat_map(|(i, text)| {
        (0..3).map(move |k| {
            json!({
                "traceID": "a1", "spanID": format!("{:016x}", 0x100 + i * 3 + k), "operationName": text,
                "references": [{"refType": "CHILD_OF", "traceID": "a1", "spanID": "0000000000000001"}],
                "startTime": 1_700_000_000_000_000i64 + k as i64 * 20, "duration": 10,
                "tags": [{"key": "span.kind", "type": "string", "value": "client"}, {"key": "db.statement", "type": "string", "value": text}],
                "processID": format!("p{i}"),
            })
        })
    });
    let spans: Vec<_> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, text)| {
            json!({
                "traceID": "a1", "spanID": format!("{:016x}", i + 1), "operationName": text,
                "references": if i == 0 { json!([]) } else { json!([{"refType": "CHILD_OF", "traceID": "a1", "spanID": "0000000000000001"}]) },
                "startTime": 1_700_000_000_000_000i64 + i as i64 * 10, "duration": 100 - i as i64,
                "tags": [{"key": "error", "type": "bool", "value": true}, {"key": "otel.status_description", "type": "string", "value": text}],
                "processID": format!("p{i}"),
            })
        })
        .chain(calls)
        .collect();
    let processes: serde_json::Map<String, serde_json::Value> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, text)| (format!("p{i}"), json!({"serviceName": text})))
        .collect();
    let doc = json!({"data": [{"traceID": "a1", "spans": spans, "processes": processes}]});
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, doc.to_string().as_bytes()).unwrap();
    ds
}

#[test]
fn trace_text_never_becomes_a_link_image_or_html() {
    let ds = hostile_trace();
    let link = "https://tracescope.example/?trace=a1&view=waterfall#data=ab(c)d<e>";
    let none = tracescope_core::encode::redact::Redaction::none();
    let md = tracescope_core::report::markdown(&ds, &ds.traces[0], link, &none);
    assert!(md.contains("**Insights**\n\n- N+1: "), "{md}");
    only_the_link_and_every_text_in_code(&md, link);
    // A comparison of the trace with itself says the same of its texts.
    let t = &ds.traces[0];
    let cmp = tracescope_core::report::comparison_markdown(&ds, [t, t], &align(t, t), link, &none);
    only_the_link_and_every_text_in_code(&cmp, link);
}

/// The one link is the app's; trace text is never a link, an image, HTML,
/// emphasis or an address a renderer would autolink, and every hostile
/// text is still there to read, in code spans.
fn only_the_link_and_every_text_in_code(md: &str, link: &str) {
    let mut links = Vec::new();
    let mut code = String::new();
    for ev in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match ev {
            Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.to_string()),
            Event::Start(Tag::Image { dest_url, .. }) => panic!("an image: {dest_url}\n{md}"),
            Event::Start(Tag::Emphasis | Tag::Strikethrough) => {
                panic!("emphasis from trace text\n{md}")
            }
            Event::Html(h) | Event::InlineHtml(h) => panic!("HTML: {h}\n{md}"),
            // Plain text carries no address a renderer would autolink.
            Event::Text(t) => assert!(!t.contains("://") && !t.contains("www."), "{t}\n{md}"),
            Event::Code(c) => code += &c,
            _ => {}
        }
    }
    assert_eq!(
        links,
        [link.replace('<', "%3C").replace('>', "%3E")],
        "{md}"
    );
    for text in HOSTILE {
        let shown = text.replace('`', "'").replace('\n', " ");
        assert!(code.contains(&shown), "{shown} missing\n{md}");
    }
}

#[test]
fn a_comparison_for_a_ticket_says_what_changed_most_first() {
    // One checkout (web 0–100 ms: cart 20 ms, pay 40 ms) and one whose
    // payment was tried twice (web 0–140 ms: cart 20 ms, pay 30 + 40 ms).
    let span = |trace: &str, id: &str, parent: &str, svc: &str, op: &str, start: i64, dur: i64| {
        json!({"traceID": trace, "spanID": id, "operationName": op, "startTime": 1_700_000_000_000_000i64 + start, "duration": dur,
            "references": if parent.is_empty() { json!([]) } else { json!([{"refType": "CHILD_OF", "traceID": trace, "spanID": parent}]) },
            "tags": [], "process": {"serviceName": svc}})
    };
    let doc = json!({"data": [
        {"traceID": "aa", "spans": [span("aa", "01", "", "web", "checkout", 0, 100_000), span("aa", "02", "01", "cart", "load", 5_000, 20_000), span("aa", "03", "01", "pay", "charge", 30_000, 40_000)]},
        {"traceID": "bb", "spans": [span("bb", "01", "", "web", "checkout", 0, 140_000), span("bb", "02", "01", "cart", "load", 5_000, 20_000), span("bb", "03", "01", "pay", "charge", 30_000, 30_000), span("bb", "04", "01", "pay", "charge", 65_000, 40_000)]},
    ]});
    let mut ds = Dataset::default();
    decode_bytes(&mut ds, doc.to_string().as_bytes()).unwrap();
    let none = tracescope_core::encode::redact::Redaction::none();
    let (a, b) = (&ds.traces[0], &ds.traces[1]);
    let md = tracescope_core::report::comparison_markdown(
        &ds,
        [a, b],
        &align(a, b),
        "https://t.example/?compare=aa,bb",
        &none,
    );
    assert!(
        md.contains("End to end: 100ms → 140ms (+40ms, +40%)."),
        "{md}"
    );
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| `")).collect();
    assert_eq!(
        rows,
        [
            "| `web` | `checkout` | 1 | 1 | 100ms | 140ms | +40ms | +40% |",
            "| `pay` | `charge` | 1 | 2 | 40ms | 70ms | +30ms | +75% |",
            "| `cart` | `load` | 1 | 1 | 20ms | 20ms | +0ns | +0% |",
        ],
        "{md}"
    );
    assert!(
        md.ends_with("[Open the comparison in Tracescope](<https://t.example/?compare=aa,bb>)\n"),
        "{md}"
    );
    // B against A: the same paths, the signs turned.
    let back = tracescope_core::report::comparison_markdown(&ds, [b, a], &align(b, a), "", &none);
    assert!(
        back.contains("| `pay` | `charge` | 2 | 1 | 70ms | 40ms | -30ms | -43% |"),
        "{back}"
    );
    assert!(!back.contains("Open the comparison"), "no link, no line");
}
