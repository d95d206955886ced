//! The Share / export dialog: redaction settings with a preview count, a
//! self-contained link (the trace deflated into the URL fragment), and
//! downloads of OTLP JSON, Jaeger JSON, a Markdown summary and a PNG of the
//! view on screen. Redaction applies to the link and to every export but
//! the PNG (which is what is on screen).

use leptos::prelude::*;
use tracescope_core::encode::redact::{Mode, Redaction, Removed, DEFAULT_PATTERNS};
use tracescope_core::encode::{jaeger, otlp};
use tracescope_core::share::{MAX_LINK_CHARS, MIN_LINK_CHARS_PER_SPAN};

/// What to do instead of a link that cannot hold the trace.
const TOO_LONG_ADVICE: &str = "Attach the file to the ticket and share a link with ?url= pointing at it, or link to the trace in your Jaeger, Tempo or Zipkin.";
use tracescope_core::Dataset;
use wasm_bindgen::JsCast;

fn split_patterns(s: &str) -> Vec<String> {
    s.split([',', '\n', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The browser's deflate (Chromium 103+, Firefox 113+, Safari 16.4+).
    #[wasm_bindgen(extends = js_sys::Object)]
    type CompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<CompressionStream, wasm_bindgen::JsValue>;
}

/// `bytes` raw-deflated by the browser, as `core::share::unpack` reads them:
/// the page carries no compressor of its own (flate2's was 7 KB gzipped).
async fn deflate(bytes: &[u8]) -> Result<Vec<u8>, wasm_bindgen::JsValue> {
    let cs = CompressionStream::new("deflate-raw")?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts)?;
    let out = blob.stream().pipe_through(cs.unchecked_ref());
    let resp = web_sys::Response::new_with_opt_readable_stream(Some(&out))?;
    let buf = wasm_bindgen_futures::JsFuture::from(resp.array_buffer()?).await?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// Saves `bytes` as a file named `name` (a download of a Blob URL).
pub fn download(name: &str, mime: &str, bytes: &[u8]) {
    let arr = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&arr);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    click_link(name, &url);
    let _ = web_sys::Url::revoke_object_url(&url);
}

fn click_link(name: &str, href: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(a) = doc.create_element("a") else {
        return;
    };
    let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>() else {
        return;
    };
    a.set_href(href);
    a.set_download(name);
    a.click();
}

/// The canvas of the view on screen as a PNG, at device resolution.
pub fn download_png(name: &str) {
    let canvas = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".view-area canvas").ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok());
    if let Some(url) = canvas.and_then(|c| c.to_data_url_with_type("image/png").ok()) {
        click_link(name, &url);
    }
}

/// "3 values by key and 2 emails, 1 JWT will be removed."
fn removed_text(r: &Removed, hash: bool) -> String {
    let mut parts = Vec::new();
    if r.by_key > 0 || r.by_look.is_empty() {
        parts.push(format!(
            "{} attribute value{} by key",
            r.by_key,
            if r.by_key == 1 { "" } else { "s" }
        ));
    }
    parts.extend(
        r.by_look
            .iter()
            .map(|(kind, n)| format!("{n} {kind}{}", if *n == 1 { "" } else { "s" })),
    );
    let what = if hash { "hashed" } else { "removed" };
    format!("{} will be {what}.", parts.join(", "))
}

#[component]
pub fn ShareDialog(
    dataset: RwSignal<Dataset>,
    #[prop(into)] trace: Signal<Option<usize>>,
    open: RwSignal<bool>,
) -> impl IntoView {
    let patterns = RwSignal::new(DEFAULT_PATTERNS.join(", "));
    let hash = RwSignal::new(false);
    let values = RwSignal::new(true);
    let use_allowlist = RwSignal::new(false);
    let allowlist = RwSignal::new(String::from(
        "http.*, rpc.*, db.system, service.*, span.kind, otel.*",
    ));
    let link = RwSignal::new(None::<Result<String, String>>);
    let redaction = Memo::new(move |_| Redaction {
        patterns: split_patterns(&patterns.get()),
        mode: if hash.get() { Mode::Hash } else { Mode::Drop },
        allowlist: use_allowlist
            .get()
            .then(|| split_patterns(&allowlist.get())),
        values: values.get(),
    });
    let removed = Memo::new(move |_| {
        let r = redaction.get();
        dataset.with(|ds| {
            trace
                .get()
                .and_then(|i| ds.traces.get(i))
                .map_or_else(Removed::default, |t| r.removed(ds, [t]))
        })
    });
    // Settings changed: the old link is stale.
    Effect::new(move |_| {
        redaction.track();
        trace.track();
        link.set(None);
    });
    let encoded = move |jaeger_json: bool| -> Option<Vec<u8>> {
        let r = redaction.get_untracked();
        dataset.with_untracked(|ds| {
            let t = ds.traces.get(trace.get_untracked()?)?;
            Some(if jaeger_json {
                jaeger::encode(ds, [t], &r)
            } else {
                otlp::encode(ds, [t], &r)
            })
        })
    };
    let trace_id = move || {
        dataset.with_untracked(|ds| {
            trace
                .get_untracked()
                .and_then(|i| ds.traces.get(i))
                .map(|t| ds.str(t.trace_id_text).to_string())
                .unwrap_or_else(|| "trace".into())
        })
    };
    let make_link = move |_| {
        // Refused before encoding when it cannot fit: encoding a large trace
        // takes seconds on the page.
        let spans = dataset.with_untracked(|ds| {
            trace
                .get_untracked()
                .and_then(|i| ds.traces.get(i))
                .map_or(0, |t| t.len())
        });
        if !tracescope_core::share::may_fit_in_link(spans) {
            return link.set(Some(Err(format!(
                "This trace has {spans} spans; a self-contained link holds at most about {} ({} characters). {}",
                MAX_LINK_CHARS / MIN_LINK_CHARS_PER_SPAN,
                MAX_LINK_CHARS,
                TOO_LONG_ADVICE
            ))));
        }
        let Some(bytes) = encoded(false) else { return };
        let asked = (trace.get_untracked(), redaction.get_untracked());
        leptos::task::spawn_local(async move {
            let deflated = deflate(&bytes).await;
            // Changed while compressing: that link would not match the settings shown.
            if asked != (trace.get_untracked(), redaction.get_untracked()) {
                return;
            }
            let deflated = match deflated {
                Ok(d) => d,
                Err(e) => {
                    let why = e.as_string().unwrap_or_else(|| format!("{e:?}"));
                    return link.set(Some(Err(format!(
                        "The browser could not compress the trace: {why}"
                    ))));
                }
            };
            let w = web_sys::window().expect("window");
            let loc = w.location();
            // The link keeps the view state but not `url=` (the data is inline).
            let mut st = crate::url_state::UrlState::parse(&loc.search().unwrap_or_default());
            st.url = None;
            let href = format!(
                "{}{}{}#data={}",
                loc.origin().unwrap_or_default(),
                loc.pathname().unwrap_or_default(),
                st.to_query(),
                tracescope_core::share::text(&deflated)
            );
            link.set(Some(if href.len() <= MAX_LINK_CHARS {
            Ok(href)
        } else {
            Err(format!(
                "This trace makes a {}-character link; links over {} characters break in ticket systems (Jira's limit is 32,767). {}",
                href.len(),
                MAX_LINK_CHARS,
                TOO_LONG_ADVICE
            ))
        }));
        });
    };
    let markdown = move || {
        let href = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        let r = redaction.get_untracked();
        dataset.with_untracked(|ds| {
            let t = ds.traces.get(trace.get_untracked()?)?;
            Some(tracescope_core::report::markdown(ds, t, &href, &r))
        })
    };

    view! {
        <Show when=move || open.get()>
            <div class="dialog-backdrop" on:click=move |_| open.set(false)>
                <div class="dialog share" data-testid="share-dialog" on:click=|ev| ev.stop_propagation()>
                    <h2>"Share or export this trace"</h2>
                    <fieldset>
                        <legend>"Redaction (applies to the link, the JSON exports and the Markdown summary)"</legend>
                        <label class="field">"Remove values of keys matching"
                            <input type="text" data-testid="redact-patterns" prop:value=move || patterns.get()
                                on:input=move |ev| patterns.set(event_target_value(&ev)) />
                        </label>
                        <label class="toggle"><input type="checkbox" data-testid="redact-hash" prop:checked=move || hash.get()
                            on:change=move |ev| hash.set(event_target_checked(&ev)) />" replace them by a hash instead (equal values stay equal)"</label>
                        <label class="toggle"><input type="checkbox" data-testid="redact-allowlist-on" prop:checked=move || use_allowlist.get()
                            on:change=move |ev| use_allowlist.set(event_target_checked(&ev)) />" keep only keys matching"</label>
                        <input type="text" data-testid="redact-allowlist" prop:value=move || allowlist.get() disabled=move || !use_allowlist.get()
                            on:input=move |ev| allowlist.set(event_target_value(&ev)) />
                        <label class="toggle"><input type="checkbox" data-testid="redact-values" prop:checked=move || values.get()
                            on:change=move |ev| values.set(event_target_checked(&ev)) />" and anything that looks like a secret, in any text (tokens, JWTs, emails, URL secrets, SQL passwords, private keys)"</label>
                        <p class="muted" data-testid="redact-count" data-count=move || removed.with(Removed::total)>
                            {move || removed.with(|r| removed_text(r, hash.get()))}
                        </p>
                    </fieldset>
                    <div class="dialog-actions left">
                        <button class="button primary" data-testid="share-create" on:click=make_link>"Create self-contained link"</button>
                    </div>
                    {move || link.get().map(|l| match l {
                        Ok(href) => {
                            let n = href.len();
                            let h2 = href.clone();
                            view! {
                                <div class="share-link">
                                    <input type="text" readonly data-testid="share-link" prop:value=href.clone() />
                                    <button class="button" on:click=move |_| {
                                        if let Some(w) = web_sys::window() { let _ = w.navigator().clipboard().write_text(&h2); }
                                    }>"Copy"</button>
                                    <p class="muted" data-testid="share-length" data-length=n>{format!("{n} characters; the trace is in the part after #, which browsers never send to a server.")}</p>
                                </div>
                            }.into_any()
                        }
                        Err(msg) => view! { <p class="error" data-testid="share-too-long">{msg}</p> }.into_any(),
                    })}
                    <h3>"Export"</h3>
                    <div class="dialog-actions left">
                        <button class="button" data-testid="export-otlp" on:click=move |_| if let Some(b) = encoded(false) { download(&format!("{}.otlp.json", trace_id()), "application/json", &b) }>"OTLP JSON"</button>
                        <button class="button" data-testid="export-jaeger" on:click=move |_| if let Some(b) = encoded(true) { download(&format!("{}.jaeger.json", trace_id()), "application/json", &b) }>"Jaeger JSON"</button>
                        <button class="button" data-testid="export-markdown" on:click=move |_| if let Some(m) = markdown() { download(&format!("{}.md", trace_id()), "text/markdown", m.as_bytes()) }>"Markdown summary"</button>
                        <button class="button" data-testid="export-png" on:click=move |_| download_png(&format!("{}.png", trace_id()))>"PNG of the view"</button>
                        <span class="spacer"></span>
                        <button class="button" on:click=move |_| open.set(false)>"Close"</button>
                    </div>
                </div>
            </div>
        </Show>
    }
}
