//! The Markdown summary is pasted into tickets: text from a trace can never
//! become a link, an image, HTML or emphasis there; the app's link is the
//! one link, and it survives any characters.

use pulldown_cmark::{Event, Options, Parser, Tag};
use serde_json::json;
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
    let mut links = Vec::new();
    let mut code = String::new();
    for ev in Parser::new_ext(&md, Options::ENABLE_TABLES) {
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
        ["https://tracescope.example/?trace=a1&view=waterfall#data=ab(c)d%3Ce%3E"],
        "{md}"
    );
    assert!(md.contains("**Insights**\n\n- N+1: "), "{md}");
    // Every hostile text is still there to read, in code spans.
    for text in HOSTILE {
        let shown = text.replace('`', "'").replace('\n', " ");
        assert!(code.contains(&shown), "{shown} missing\n{md}");
    }
}
