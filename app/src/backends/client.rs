//! The requests behind the search: every one through `fetch::get` with
//! the backend's timeout (covering the body) and Cancel; whole traces go
//! to the worker as they came, lists and summaries are read by the page.

use super::settings::BackendConf;
use crate::loader::Loader;
use crate::url_state;
use leptos::prelude::*;
use tracescope_core::backend::response;
use tracescope_core::backend::{query, Kind};

/// `url`'s origin for messages (the URL itself when it has none).
fn origin_of(url: &str) -> String {
    url_state::origin_of(url).unwrap_or_else(|| url.to_string())
}

/// What to say when the browser gives no answer at all: it cannot tell
/// an unreachable host from an answer it may not read (CORS), so both,
/// with how to allow this page for the backend's kind.
pub fn unreachable_message(b: &BackendConf, url: &str) -> String {
    let (origin, page) = (origin_of(url), url_state::page_origin());
    let how = match b.kind {
        Kind::JaegerV1 | Kind::JaegerV3 => format!(
            "Jaeger: start the query service with --query.additional-headers=\"Access-Control-Allow-Origin: {page}\" \
             (Jaeger v2: cors: allowed_origins: [\"{page}\"] under the jaeger_query extension's http)"
        ),
        Kind::Tempo => "Tempo has no CORS setting: serve Tracescope and Tempo from one origin \
                        with a reverse proxy (README: nginx example) or Trunk's dev proxy"
            .to_string(),
        Kind::Zipkin => format!(
            "Zipkin allows every origin unless QUERY_ALLOWED_ORIGINS restricts it: add {page} there"
        ),
    };
    format!(
        "no answer from {origin}: it is unreachable, or it does not let this page ({page}) read its answers (CORS). \
         If it is running, allow this page's origin — {how} — or use a proxy (README, \"Backends\")."
    )
}

/// Cancels every request in flight.
pub fn cancel() {
    crate::fetch::cancel_all();
}

/// The answers the page reads itself (lists of services and operations,
/// search summaries, error texts) are at most this large; a larger one is
/// refused rather than read into the page's memory. Whole traces are never
/// read by the page: they go to the worker as a Blob.
const MAX_READ_ANSWER: usize = 32 << 20;

/// GET `url` from backend `b`: its status and body (a Blob, not read),
/// within its timeout (the body's download included), if the status is a
/// success (or an empty Jaeger v3 search); else a message. `on_bytes`
/// hears the bytes received.
async fn get_body(
    b: &BackendConf,
    url: &str,
    on_bytes: impl Fn(f64, f64),
) -> Result<(u16, web_sys::Blob), String> {
    use crate::fetch::Failure;
    let request = crate::fetch::Request::start(Some(b.timeout_s))?;
    let answer = match crate::fetch::get(url, &request, Some("application/json"), on_bytes).await {
        Ok(a) => a,
        Err(Failure::Stopped) if request.timed_out() => {
            return Err(format!(
                "{} did not answer within {} s (the timeout in its settings)",
                origin_of(url),
                b.timeout_s
            ))
        }
        Err(Failure::Stopped) => return Err("cancelled".to_string()),
        Err(Failure::Unreachable(_)) => return Err(unreachable_message(b, url)),
        Err(Failure::BrokeOff(e)) => return Err(format!("the answer broke off: {e}")),
    };
    let status = answer.status;
    if (200..300).contains(&status) {
        return Ok((status, answer.body));
    }
    // An error's words are short; a long error page is cut.
    let body = crate::fetch::small_bytes(&answer.body, 64 << 10)
        .await?
        .unwrap_or_default();
    if response::is_empty_search(b.kind, status, &body) {
        return Ok((status, answer.body));
    }
    let text = response::error_text(&body);
    Err(format!(
        "HTTP {status} {} from {}{}",
        answer.status_text,
        b.name,
        if text.is_empty() {
            String::new()
        } else {
            format!(": {text}")
        }
    ))
}

/// [`get_body`] read into the page: for answers the page parses itself.
pub async fn get_bytes(b: &BackendConf, url: &str) -> Result<(u16, Vec<u8>), String> {
    let (status, body) = get_body(b, url, |_, _| {}).await?;
    let bytes = crate::fetch::small_bytes(&body, MAX_READ_ANSWER)
        .await?
        .ok_or_else(|| {
            format!(
                "{}'s answer is {:.0} MB, more than a list of results can be (at most {} MB is read)",
                b.name,
                body.size() / 1e6,
                MAX_READ_ANSWER >> 20
            )
        })?;
    Ok((status, bytes))
}

/// Whole traces from `url` into the dataset; the index of each trace of
/// the answer (none when the backend found none). The answer goes to the
/// worker as it came (a Blob), with the bytes received shown. A trace
/// loaded before (the same search again) is not added twice. The open
/// trace stays open.
pub async fn load_traces(loader: Loader, b: &BackendConf, url: &str) -> Result<Vec<usize>, String> {
    let progress = loader.progress;
    loader.loading.set(Some(b.name.clone()));
    let on_bytes = move |read, total| {
        progress.set(Some(crate::decode_worker::LoadProgress {
            read,
            total,
            spans: 0,
        }))
    };
    let answer = get_body(b, url, on_bytes).await;
    let (status, body) = match answer {
        Ok(a) => a,
        Err(e) => {
            loader.loading.set(None);
            progress.set(None);
            return Err(e);
        }
    };
    // "Nothing found" answers are small.
    if let Some(small) = crate::fetch::small_bytes(&body, 4096).await? {
        if response::is_empty_search(b.kind, status, &small) || response::is_empty_traces(&small) {
            loader.loading.set(None);
            progress.set(None);
            return Ok(Vec::new());
        }
    }
    let was_open = loader.dataset.with_untracked(|ds| {
        let t = ds.trace(loader.open.get_untracked()?)?;
        Some((t.trace_id, t.trace_id_text))
    });
    let added = loader.load_blob(&b.name, body).await.ok_or_else(|| {
        format!(
            "{}'s answer could not be read (see the message above)",
            b.name
        )
    })?;
    // Where the traces came from: the link that brings them back.
    loader
        .fetched_from
        .update(|f| f.fill_empty(&added, url.to_string()));
    // The trace that was open, found again by its id (the load may have
    // replaced the demo traces); else the first of the answer.
    let still_open = was_open.and_then(|id| {
        loader.dataset.with_untracked(|ds| {
            ds.traces
                .iter()
                .position(|t| (t.trace_id, t.trace_id_text) == id)
        })
    });
    loader.open.set(still_open.or(added.first().copied()));
    Ok(added)
}

/// Loads the trace `id` from backend `b` (Tempo: its v2 API, then the older
/// one); its index in the dataset.
pub async fn fetch_trace(loader: Loader, b: &BackendConf, id: &str) -> Result<usize, String> {
    let mut last = String::new();
    for url in query::trace(b.kind, &b.url, id) {
        match load_traces(loader, b, &url).await {
            Ok(r) if !r.is_empty() => return Ok(r[0]),
            Ok(_) => last = format!("{}: no trace with id {id}", b.name),
            Err(e) => last = e,
        }
    }
    if last.contains("HTTP 404") {
        last = format!("{}: no trace with id {id} (HTTP 404)", b.name);
    }
    Err(last)
}

/// How a list's answer is read.
pub type ParseList = fn(Kind, &[u8]) -> Result<Vec<String>, String>;

/// A list filled from a backend (services, operations, Tempo's tags or tag
/// values). An answer lands only if nothing newer was asked for the same
/// list meanwhile (another backend chosen before a slow one answered).
#[derive(Clone, Copy)]
pub struct Feed {
    pub list: RwSignal<Vec<String>>,
    asked: StoredValue<u32>,
}

impl Feed {
    pub fn new() -> Self {
        Feed {
            list: RwSignal::new(Vec::new()),
            asked: StoredValue::new(0),
        }
    }

    pub fn set(self, v: Vec<String>) {
        self.asked.update_value(|n| *n += 1);
        self.list.set(v);
    }

    /// `url` from `b`, read by `parse`; failures into `status`.
    pub fn fetch(
        self,
        b: BackendConf,
        url: String,
        status: RwSignal<Option<String>>,
        parse: ParseList,
    ) {
        self.asked.update_value(|n| *n += 1);
        let me = self.asked.get_value();
        leptos::task::spawn_local(async move {
            let parsed = get_bytes(&b, &url)
                .await
                .and_then(|(_, body)| parse(b.kind, &body));
            if self.asked.try_get_value() != Some(me) {
                return;
            }
            match parsed {
                Ok(v) => self.list.set(v),
                Err(e) => {
                    self.list.set(Vec::new());
                    status.set(Some(format!("{}: {e}", b.name)));
                }
            }
        });
    }
}
