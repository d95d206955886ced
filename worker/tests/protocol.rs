//! The page–worker protocol: every message made on one side reads back as
//! the same message on the other, after the browser's structured clone (as
//! `postMessage` copies it); what neither side sends is refused. Run with
//! `cargo test -p tracescope-worker --target wasm32-unknown-unknown`.

use tracescope_core::encode::compact::Keep;
use tracescope_core::encode::redact::{Mode, Redaction, Removed};
use tracescope_core::share::LinkChoice;
use tracescope_worker::protocol::{buffer_of, DecodeTimes, Export, Exported, FromWorker, ToWorker};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = structuredClone)]
    fn structured_clone(v: &JsValue) -> JsValue;
}

fn to_worker(m: &ToWorker) -> Option<ToWorker> {
    ToWorker::from_js(&structured_clone(&m.to_js().message))
}

fn from_worker(m: &FromWorker) -> Option<FromWorker> {
    FromWorker::from_js(&structured_clone(&m.to_js().message))
}

fn bytes(b: &js_sys::ArrayBuffer) -> Vec<u8> {
    js_sys::Uint8Array::new(b).to_vec()
}

#[wasm_bindgen_test]
fn what_the_page_says_reads_back() {
    let blob = web_sys::Blob::new().unwrap();
    match to_worker(&ToWorker::Decode {
        id: 7,
        strings: vec![1, 2, 3],
        blob: blob.clone(),
        packed: true,
        workers: 4,
    }) {
        Some(ToWorker::Decode {
            id: 7,
            strings,
            packed: true,
            workers: 4,
            ..
        }) => assert_eq!(strings, [1, 2, 3]),
        other => panic!("{other:?}"),
    }
    for (stop, sent) in [(Some(2e9), r#"{"data":[{"spans":["#), (None, "{")] {
        match to_worker(&ToWorker::DecodePart {
            id: 7,
            blob: blob.clone(),
            context: sent.to_string(),
            at: 16e6,
            stop,
        }) {
            Some(ToWorker::DecodePart {
                id: 7,
                context,
                at,
                stop: read,
                ..
            }) => assert_eq!((context.as_str(), at, read), (sent, 16e6, stop)),
            other => panic!("{other:?}"),
        }
    }
    match to_worker(&ToWorker::Hold {
        id: 8,
        part: vec![9; 100],
    }) {
        Some(ToWorker::Hold { id: 8, part }) => assert_eq!(part, vec![9; 100]),
        other => panic!("{other:?}"),
    }
    let redactions = [
        Redaction::defaults(),
        Redaction {
            patterns: vec!["a.b".into(), "*.key".into()],
            mode: Mode::Hash,
            allowlist: Some(vec!["http.*".into()]),
            values: false,
        },
        Redaction {
            allowlist: Some(vec![]),
            ..Redaction::none()
        },
    ];
    let whats = [
        Export::Count,
        Export::Otlp,
        Export::Jaeger,
        Export::Link {
            selected: None,
            budget: 31_900,
        },
        Export::Link {
            selected: Some(41),
            budget: 12,
        },
        Export::Markdown {
            link: "https://x.example/?trace=a&b=c#d".into(),
        },
    ];
    for redaction in &redactions {
        for what in &whats {
            for fresh in [false, true] {
                let sent = ToWorker::Export {
                    id: 9,
                    what: what.clone(),
                    redaction: redaction.clone(),
                    fresh,
                };
                match to_worker(&sent) {
                    Some(ToWorker::Export {
                        id: 9,
                        what: w,
                        redaction: r,
                        fresh: f,
                    }) => assert_eq!((&w, &r, f), (what, redaction, fresh)),
                    other => panic!("{other:?}"),
                }
            }
        }
    }
}

#[wasm_bindgen_test]
fn what_the_worker_says_reads_back() {
    assert!(matches!(
        from_worker(&FromWorker::Ready),
        Some(FromWorker::Ready)
    ));
    match from_worker(&FromWorker::Progress {
        id: 1,
        read: 10.0,
        total: 20.0,
        spans: 30,
    }) {
        Some(FromWorker::Progress {
            id: 1,
            read,
            total,
            spans: 30,
        }) => assert_eq!((read, total), (10.0, 20.0)),
        other => panic!("{other:?}"),
    }
    match from_worker(&FromWorker::Part {
        id: 2,
        buffer: buffer_of(&[4, 5]),
    }) {
        Some(FromWorker::Part { id: 2, buffer }) => assert_eq!(bytes(&buffer), [4, 5]),
        other => panic!("{other:?}"),
    }
    match from_worker(&FromWorker::Done {
        id: 3,
        buffer: buffer_of(&[6]),
        format: "Jaeger".into(),
        traces: 2,
        spans: 40,
        times: DecodeTimes {
            read_ms: 0.5,
            decode_ms: 1.5,
            parts: 3,
            first_part_ms: 1.0,
            helpers_ms: 0.25,
        },
    }) {
        Some(FromWorker::Done {
            id: 3,
            buffer,
            format,
            traces: 2,
            spans: 40,
            times,
        }) => assert_eq!(
            (bytes(&buffer), format.as_str(), times),
            (
                vec![6],
                "Jaeger",
                DecodeTimes {
                    read_ms: 0.5,
                    decode_ms: 1.5,
                    parts: 3,
                    first_part_ms: 1.0,
                    helpers_ms: 0.25,
                }
            )
        ),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        from_worker(&FromWorker::Exporting {
            id: 4,
            spans: 16384
        }),
        Some(FromWorker::Exporting {
            id: 4,
            spans: 16384
        })
    ));
    let mut removed = Removed {
        by_key: 3,
        ..Removed::default()
    };
    removed.by_look.insert("JWT", 2);
    removed.by_look.insert("private key", 1);
    match from_worker(&FromWorker::Exported {
        id: 5,
        output: Exported::Count(removed.clone()),
    }) {
        Some(FromWorker::Exported {
            id: 5,
            output: Exported::Count(r),
        }) => assert_eq!(r, removed),
        other => panic!("{other:?}"),
    }
    match from_worker(&FromWorker::Exported {
        id: 6,
        output: Exported::Text("#data=abc".into()),
    }) {
        Some(FromWorker::Exported {
            id: 6,
            output: Exported::Text(t),
        }) => assert_eq!(t, "#data=abc"),
        other => panic!("{other:?}"),
    }
    let links = vec![
        LinkChoice {
            keep: Keep::Everything,
            text: "AAAA-_".into(),
            spans: 264,
        },
        LinkChoice {
            keep: Keep::ForTicket,
            text: "B".into(),
            spans: 12,
        },
    ];
    match from_worker(&FromWorker::Exported {
        id: 6,
        output: Exported::Links(links.clone()),
    }) {
        Some(FromWorker::Exported {
            id: 6,
            output: Exported::Links(l),
        }) => assert_eq!(l, links),
        other => panic!("{other:?}"),
    }
    let file = web_sys::Blob::new_with_str_sequence(&js_sys::Array::of1(&"{}".into())).unwrap();
    match from_worker(&FromWorker::Exported {
        id: 7,
        output: Exported::File(file),
    }) {
        Some(FromWorker::Exported {
            id: 7,
            output: Exported::File(f),
        }) => assert_eq!(f.size(), 2.0),
        other => panic!("{other:?}"),
    }
    match from_worker(&FromWorker::Error {
        id: 8,
        message: "out of step".into(),
        restart: true,
    }) {
        Some(FromWorker::Error {
            id: 8,
            message,
            restart: true,
        }) => assert_eq!(message, "out of step"),
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
fn messages_neither_side_sends_are_refused() {
    let parse = |json: &str| js_sys::JSON::parse(json).unwrap();
    for json in [
        r#"{}"#,
        r#"{"type":"decode"}"#,
        r#"{"type":"export","id":1,"what":"pdf","patterns":"","hash":false,"values":true,"fresh":true}"#,
        r#"{"type":"export","id":1,"what":"otlp"}"#,
        r#"{"type":"launch","id":1}"#,
    ] {
        assert!(ToWorker::from_js(&parse(json)).is_none(), "{json}");
    }
    for json in [
        r#"{"type":"progress","id":1}"#,
        r#"{"type":"done","id":1,"format":"x"}"#,
        r#"{"type":"exported"}"#,
        r#"{"type":"hello","id":1}"#,
    ] {
        assert!(FromWorker::from_js(&parse(json)).is_none(), "{json}");
    }
}
