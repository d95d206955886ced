//! What the page and its worker say to each other, as enums both sides use:
//! the JavaScript objects on the wire (their field names, the buffers
//! transferred) are made and read only here.

use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use tracescope_core::encode::compact::Keep;
use tracescope_core::encode::redact::{secret_kinds, Mode, Redaction, Removed};
use tracescope_core::share::LinkChoice;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

/// What is made of the trace the worker holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Export {
    /// What the redaction would remove (the dialog's preview).
    Count,
    Otlp,
    Jaeger,
    /// The self-contained links of the trace (`core::share::LinkPlan`),
    /// each payload at most `budget` characters; a subset keeps `selected`.
    Link {
        selected: Option<u32>,
        budget: u32,
    },
    /// The Markdown summary, linking `link`.
    Markdown {
        link: String,
    },
}

/// The page to the worker.
#[derive(Debug)]
pub enum ToWorker {
    /// Decode a file (a share link's payload when `packed`), after taking
    /// the strings of the page's table it lacks (`wire::encode_strings`).
    Decode {
        id: u32,
        strings: Vec<u8>,
        blob: Blob,
        packed: bool,
        /// The most workers to decode it with (0: one per core).
        workers: u32,
    },
    /// A helper's job: the part of a file that begins at `at` (its bytes,
    /// `blob`), read after `context` (`decode::parts::context_of`, which
    /// names the format), up to the first item at or past `stop`.
    DecodePart {
        id: u32,
        blob: Blob,
        context: String,
        at: f64,
        stop: Option<f64>,
    },
    /// A part of a trace to hold (a `wire::Delta` of a `wire::TraceAlone`),
    /// in place of any held before once its `Export` comes.
    Hold { id: u32, part: Vec<u8> },
    /// Make `what` of the trace held; `fresh`: the parts just sent replace it.
    Export {
        id: u32,
        what: Export,
        redaction: Redaction,
        fresh: bool,
    },
}

/// What an export made.
#[derive(Debug)]
pub enum Exported {
    Count(Removed),
    /// A document, made into a Blob by the worker: handing it to the page
    /// copies nothing (a 130 MB ArrayBuffer made into a Blob on the page
    /// took 461 ms there), and it never enters the page's wasm memory.
    File(Blob),
    Text(String),
    /// The links offered, fullest first.
    Links(Vec<LinkChoice>),
}

/// Where a decode's time went, in the worker.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DecodeTimes {
    /// From taking the job until decoding starts: the string table's sync,
    /// the heap reserve, reading the file's (or the first part's) bytes.
    pub read_ms: f64,
    pub decode_ms: f64,
    /// How many parts the file was decoded in (1: whole, in this worker).
    pub parts: u32,
    /// Of `decode_ms`: the first part's (or the whole file's) decode here.
    pub first_part_ms: f64,
    /// Of `decode_ms`: then waiting for the helpers' parts and reading
    /// them back; the rest is the merge, the trees and the delta.
    pub helpers_ms: f64,
}

/// The worker to the page.
#[derive(Debug)]
pub enum FromWorker {
    /// The module is running: messages from now on are read.
    Ready,
    /// `read` bytes of `total`, then `spans` decoded.
    Progress {
        id: u32,
        read: f64,
        total: f64,
        spans: usize,
    },
    /// A part of the decoded model (`wire`), to apply in a task of its own;
    /// from a helper worker, its part of the file (`wire::part_bytes`).
    Part {
        id: u32,
        buffer: ArrayBuffer,
    },
    /// The last part, and what the file was.
    Done {
        id: u32,
        buffer: ArrayBuffer,
        format: String,
        traces: usize,
        spans: usize,
        times: DecodeTimes,
    },
    /// `spans` of the held trace written so far.
    Exporting {
        id: u32,
        spans: usize,
    },
    Exported {
        id: u32,
        output: Exported,
    },
    /// The job failed; `restart`: the worker is out of step and must go.
    Error {
        id: u32,
        message: String,
        restart: bool,
    },
}

fn set(o: &Object, k: &str, v: impl Into<JsValue>) {
    let _ = Reflect::set(o, &k.into(), &v.into());
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &k.into()).unwrap_or(JsValue::UNDEFINED)
}

fn num(o: &JsValue, k: &str) -> Option<f64> {
    get(o, k).as_f64()
}

fn id(o: &JsValue) -> Option<u32> {
    num(o, "id").map(|n| n as u32)
}

fn text(o: &JsValue, k: &str) -> Option<String> {
    get(o, k).as_string()
}

/// Bytes as an ArrayBuffer that can be transferred (moved, not copied).
pub fn buffer_of(bytes: &[u8]) -> ArrayBuffer {
    let array = Uint8Array::new_with_length(bytes.len() as u32);
    array.copy_from(bytes);
    array.buffer()
}

fn bytes_of(v: &JsValue) -> Vec<u8> {
    Uint8Array::new(v).to_vec()
}

fn message(kind: &str, id: u32) -> Object {
    let o = Object::new();
    set(&o, "type", kind);
    set(&o, "id", id);
    o
}

/// A message and the buffers that go with it (transferred, not copied).
pub struct Posted {
    pub message: Object,
    pub transfer: Array,
}

fn posted(message: Object, buffers: &[&ArrayBuffer]) -> Posted {
    let transfer = Array::new();
    for b in buffers {
        transfer.push(b);
    }
    Posted { message, transfer }
}

fn what_name(what: &Export) -> &'static str {
    match what {
        Export::Count => "count",
        Export::Otlp => "otlp",
        Export::Jaeger => "jaeger",
        Export::Link { .. } => "link",
        Export::Markdown { .. } => "markdown",
    }
}

impl ToWorker {
    pub fn to_js(&self) -> Posted {
        match self {
            ToWorker::Decode {
                id,
                strings,
                blob,
                packed,
                workers,
            } => {
                let o = message("decode", *id);
                set(&o, "strings", Uint8Array::from(&strings[..]));
                set(&o, "blob", blob);
                set(&o, "packed", *packed);
                set(&o, "workers", *workers);
                posted(o, &[])
            }
            ToWorker::DecodePart {
                id,
                blob,
                context,
                at,
                stop,
            } => {
                let o = message("decode_part", *id);
                set(&o, "blob", blob);
                set(&o, "context", context.as_str());
                set(&o, "at", *at);
                if let Some(stop) = stop {
                    set(&o, "stop", *stop);
                }
                posted(o, &[])
            }
            ToWorker::Hold { id, part } => {
                let o = message("hold", *id);
                let buffer = buffer_of(part);
                set(&o, "part", &buffer);
                posted(o, &[&buffer])
            }
            ToWorker::Export {
                id,
                what,
                redaction,
                fresh,
            } => {
                let o = message("export", *id);
                set(&o, "what", what_name(what));
                match what {
                    Export::Markdown { link } => set(&o, "link", link.as_str()),
                    Export::Link { selected, budget } => {
                        if let Some(s) = selected {
                            set(&o, "selected", *s);
                        }
                        set(&o, "budget", *budget);
                    }
                    _ => {}
                }
                set(&o, "patterns", redaction.patterns.join("\n"));
                set(&o, "hash", redaction.mode == Mode::Hash);
                if let Some(a) = &redaction.allowlist {
                    set(&o, "allowlist", a.join("\n"));
                }
                set(&o, "values", redaction.values);
                set(&o, "fresh", *fresh);
                posted(o, &[])
            }
        }
    }

    pub fn from_js(v: &JsValue) -> Option<ToWorker> {
        let id = id(v)?;
        let lines = |k: &str| -> Option<Vec<String>> {
            let t = text(v, k)?;
            Some(
                t.lines()
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect(),
            )
        };
        Some(match text(v, "type")?.as_str() {
            "decode" => ToWorker::Decode {
                id,
                strings: bytes_of(&get(v, "strings")),
                blob: get(v, "blob").dyn_into().ok()?,
                packed: get(v, "packed").as_bool()?,
                workers: num(v, "workers")? as u32,
            },
            "decode_part" => ToWorker::DecodePart {
                id,
                blob: get(v, "blob").dyn_into().ok()?,
                context: text(v, "context")?,
                at: num(v, "at")?,
                stop: num(v, "stop"),
            },
            "hold" => ToWorker::Hold {
                id,
                part: bytes_of(&get(v, "part")),
            },
            "export" => ToWorker::Export {
                id,
                what: match text(v, "what")?.as_str() {
                    "count" => Export::Count,
                    "otlp" => Export::Otlp,
                    "jaeger" => Export::Jaeger,
                    "link" => Export::Link {
                        selected: num(v, "selected").map(|n| n as u32),
                        budget: num(v, "budget")? as u32,
                    },
                    "markdown" => Export::Markdown {
                        link: text(v, "link")?,
                    },
                    _ => return None,
                },
                redaction: Redaction {
                    patterns: lines("patterns")?,
                    mode: if get(v, "hash").as_bool()? {
                        Mode::Hash
                    } else {
                        Mode::Drop
                    },
                    allowlist: lines("allowlist"),
                    values: get(v, "values").as_bool()?,
                },
                fresh: get(v, "fresh").as_bool()?,
            },
            _ => return None,
        })
    }
}

impl FromWorker {
    pub fn to_js(&self) -> Posted {
        match self {
            FromWorker::Ready => posted(message("ready", 0), &[]),
            FromWorker::Progress {
                id,
                read,
                total,
                spans,
            } => {
                let o = message("progress", *id);
                set(&o, "read", *read);
                set(&o, "total", *total);
                set(&o, "spans", *spans as f64);
                posted(o, &[])
            }
            FromWorker::Part { id, buffer } => {
                let o = message("part", *id);
                set(&o, "buffer", buffer);
                posted(o, &[buffer])
            }
            FromWorker::Done {
                id,
                buffer,
                format,
                traces,
                spans,
                times,
            } => {
                let o = message("done", *id);
                set(&o, "buffer", buffer);
                set(&o, "format", format.as_str());
                set(&o, "traces", *traces as f64);
                set(&o, "spans", *spans as f64);
                set(&o, "read_ms", times.read_ms);
                set(&o, "decode_ms", times.decode_ms);
                set(&o, "parts", times.parts);
                set(&o, "first_part_ms", times.first_part_ms);
                set(&o, "helpers_ms", times.helpers_ms);
                posted(o, &[buffer])
            }
            FromWorker::Exporting { id, spans } => {
                let o = message("exporting", *id);
                set(&o, "spans", *spans as f64);
                posted(o, &[])
            }
            FromWorker::Exported { id, output } => {
                let o = message("exported", *id);
                match output {
                    Exported::Count(r) => {
                        set(&o, "by_key", r.by_key as f64);
                        let by_look = Object::new();
                        for (kind, n) in &r.by_look {
                            set(&by_look, kind, *n as f64);
                        }
                        set(&o, "by_look", by_look);
                        posted(o, &[])
                    }
                    Exported::File(b) => {
                        set(&o, "file", b);
                        posted(o, &[])
                    }
                    Exported::Text(t) => {
                        set(&o, "text", t.as_str());
                        posted(o, &[])
                    }
                    Exported::Links(links) => {
                        let all = Array::new();
                        for l in links {
                            let c = Object::new();
                            set(&c, "keep", l.keep.name());
                            set(&c, "text", l.text.as_str());
                            set(&c, "spans", l.spans as f64);
                            all.push(&c);
                        }
                        set(&o, "links", all);
                        posted(o, &[])
                    }
                }
            }
            FromWorker::Error {
                id,
                message: m,
                restart,
            } => {
                let o = message("error", *id);
                set(&o, "message", m.as_str());
                set(&o, "restart", *restart);
                posted(o, &[])
            }
        }
    }

    pub fn from_js(v: &JsValue) -> Option<FromWorker> {
        let kind = text(v, "type")?;
        if kind == "ready" {
            return Some(FromWorker::Ready);
        }
        let id = id(v)?;
        let count = |k: &str| num(v, k).map(|n| n as usize);
        Some(match kind.as_str() {
            "progress" => FromWorker::Progress {
                id,
                read: num(v, "read")?,
                total: num(v, "total")?,
                spans: count("spans")?,
            },
            "part" => FromWorker::Part {
                id,
                buffer: get(v, "buffer").dyn_into().ok()?,
            },
            "done" => FromWorker::Done {
                id,
                buffer: get(v, "buffer").dyn_into().ok()?,
                format: text(v, "format")?,
                traces: count("traces")?,
                spans: count("spans")?,
                times: DecodeTimes {
                    read_ms: num(v, "read_ms")?,
                    decode_ms: num(v, "decode_ms")?,
                    parts: num(v, "parts")? as u32,
                    first_part_ms: num(v, "first_part_ms")?,
                    helpers_ms: num(v, "helpers_ms")?,
                },
            },
            "exporting" => FromWorker::Exporting {
                id,
                spans: count("spans")?,
            },
            "exported" => FromWorker::Exported {
                id,
                output: if let Some(t) = text(v, "text") {
                    Exported::Text(t)
                } else if let Ok(all) = get(v, "links").dyn_into::<Array>() {
                    let mut links = Vec::new();
                    for c in all.iter() {
                        links.push(LinkChoice {
                            keep: Keep::parse(&text(&c, "keep")?)?,
                            text: text(&c, "text")?,
                            spans: num(&c, "spans")? as usize,
                        });
                    }
                    Exported::Links(links)
                } else if let Ok(b) = get(v, "file").dyn_into() {
                    Exported::File(b)
                } else {
                    let by_look = get(v, "by_look");
                    let mut r = Removed {
                        by_key: count("by_key")?,
                        ..Removed::default()
                    };
                    for kind in secret_kinds() {
                        if let Some(n) = num(&by_look, kind) {
                            r.by_look.insert(kind, n as usize);
                        }
                    }
                    Exported::Count(r)
                },
            },
            "error" => FromWorker::Error {
                id,
                message: text(v, "message")?,
                restart: get(v, "restart").as_bool().unwrap_or(false),
            },
            _ => return None,
        })
    }
}
