//! The Share / export dialog: redaction settings with a preview count,
//! self-contained links (the trace in the URL fragment; what each choice
//! keeps and its length, `share_link`), and
//! downloads of OTLP JSON, Jaeger JSON, a Markdown summary and a PNG of the
//! view on screen. Redaction applies to the link and to every export but
//! the PNG (which is what is on screen). Everything but the PNG is made in
//! the worker (`decode_worker::export`), with the spans written shown and a
//! Cancel, so a large trace never freezes the page.

use crate::decode_worker;
use crate::share_link::{LinkChoices, Links};
use leptos::prelude::*;
use tracescope_components::{Dialog, Toggle};
use tracescope_core::encode::redact::{Mode, Redaction, Removed, DEFAULT_PATTERNS};
use tracescope_core::Dataset;
use tracescope_worker::protocol::{Export, Exported};
use wasm_bindgen::JsCast;

fn split_patterns(s: &str) -> Vec<String> {
    s.split([',', '\n', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// Saves `blob` as a file named `name`: a download of a Blob URL.
pub fn download(name: &str, blob: &web_sys::Blob) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    click_link(name, &url);
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Saves `text` as a file named `name` of type `mime`.
pub fn download_text(name: &str, text: &str, mime: &str) {
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let parts = js_sys::Array::of1(&text.into());
    if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) {
        download(name, &blob);
    }
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
    if let Some(c) = canvas {
        download_canvas(name, &c);
    }
}

/// A canvas as a PNG, at device resolution.
pub fn download_canvas(name: &str, canvas: &web_sys::HtmlCanvasElement) {
    if let Ok(url) = canvas.to_data_url_with_type("image/png") {
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

/// An export being made: what, and spans written of how many.
#[derive(Clone, Debug, PartialEq)]
struct Making {
    what: &'static str,
    written: usize,
    spans: usize,
}

/// The page's address without `url=` and with `#data=` text (a
/// self-contained link keeps the view state, not where the file came from).
pub fn self_contained_link(data: &str) -> String {
    let Some(w) = web_sys::window() else {
        return String::new();
    };
    let loc = w.location();
    let mut st = crate::url_state::UrlState::parse(&loc.search().unwrap_or_default());
    st.url = None;
    format!(
        "{}{}{}#data={data}",
        loc.origin().unwrap_or_default(),
        loc.pathname().unwrap_or_default(),
        st.to_query(),
    )
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
    let link = RwSignal::new(None::<Links>);
    let redaction = Memo::new(move |_| Redaction {
        patterns: split_patterns(&patterns.get()),
        mode: if hash.get() { Mode::Hash } else { Mode::Drop },
        allowlist: use_allowlist
            .get()
            .then(|| split_patterns(&allowlist.get())),
        values: values.get(),
    });
    // The preview count, made in the worker; None while it is counted.
    let removed = RwSignal::new(None::<Removed>);
    Effect::new(move |_| {
        let asked = (trace.get(), redaction.get());
        removed.set(None);
        let (Some(i), true) = (asked.0, open.get()) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let r = asked.1.clone();
            let counted = decode_worker::export(dataset, i, Export::Count, r, |_| {}).await;
            // Only the answer to the settings shown.
            if let (Ok(Exported::Count(n)), true) = (
                counted,
                asked == (trace.get_untracked(), redaction.get_untracked()),
            ) {
                removed.set(Some(n));
            }
        });
    });
    // Settings changed: the old link is stale.
    Effect::new(move |_| {
        redaction.track();
        trace.track();
        link.set(None);
    });
    let making = RwSignal::new(None::<Making>);
    let failed = RwSignal::new(None::<String>);
    let spans_of = move |i: usize| dataset.with_untracked(|ds| ds.trace(i).map_or(0, |t| t.len()));
    // Makes `what` of the trace in the worker, showing the spans written.
    let make = move |what: Export, label: &'static str| {
        let i = trace.get_untracked()?;
        let spans = spans_of(i);
        failed.set(None);
        making.set(Some(Making {
            what: label,
            written: 0,
            spans,
        }));
        let r = redaction.get_untracked();
        Some(async move {
            let made = decode_worker::export(dataset, i, what, r, move |n| {
                making.update(|m| {
                    if let Some(m) = m {
                        m.written = n;
                    }
                })
            })
            .await;
            making.set(None);
            if let Err(e) = &made {
                failed.set(Some(e.clone()));
            }
            made.ok()
        })
    };
    let trace_id = move || {
        dataset.with_untracked(|ds| {
            trace
                .get_untracked()
                .and_then(|i| ds.trace(i))
                .map(|t| ds.trace_id(t).to_string())
                .unwrap_or_else(|| "trace".into())
        })
    };
    let selected = use_context::<crate::views::ViewState>().map(|v| v.selected);
    let make_link = move |_| {
        let spans = trace.get_untracked().map_or(0, spans_of);
        let asked = (trace.get_untracked(), redaction.get_untracked());
        let what = Export::Link {
            selected: selected.and_then(|s| s.get_untracked()),
            budget: Links::budget() as u32,
        };
        let Some(made) = make(what, "links") else {
            return;
        };
        leptos::task::spawn_local(async move {
            let Some(Exported::Links(choices)) = made.await else {
                return;
            };
            // Changed while they were made: they would not match the settings shown.
            if asked != (trace.get_untracked(), redaction.get_untracked()) {
                return;
            }
            link.set(Some(Links::new(choices, spans)));
        });
    };
    let export_file =
        move |what: Export, label: &'static str, extension: &'static str, mime: &'static str| {
            let name = format!("{}.{extension}", trace_id());
            let Some(made) = make(what, label) else {
                return;
            };
            leptos::task::spawn_local(async move {
                match made.await {
                    Some(Exported::File(blob)) => download(&name, &blob),
                    Some(Exported::Text(t)) => download_text(&name, &t, mime),
                    _ => {}
                }
            });
        };
    // The summary links what opens the trace anywhere: for a trace from a
    // file here, its self-contained link when it fits.
    let app_state = use_context::<crate::state::AppState>();
    let markdown = move |_| {
        let Some(state) = app_state else { return };
        leptos::task::spawn_local(async move {
            let href = web_sys::window()
                .and_then(|w| w.location().href().ok())
                .unwrap_or_default();
            let link = crate::copy_link::link_to_view(state)
                .await
                .map_or(href, |(_, link)| link);
            export_file(
                Export::Markdown { link },
                "Markdown summary",
                "md",
                "text/markdown",
            );
        });
    };

    view! {
        <Dialog open=open on_close=Callback::new(move |_| open.set(false)) title="Share or export this trace" testid="share-dialog" class="share">
                    <fieldset>
                        <legend>"Redaction (applies to the link, the JSON exports and the Markdown summary)"</legend>
                        <label class="field">"Remove values of keys matching"
                            <input type="text" data-testid="redact-patterns" prop:value=move || patterns.get()
                                on:input=move |ev| patterns.set(event_target_value(&ev)) />
                        </label>
                        <Toggle checked=hash testid="redact-hash" label="replace them by a hash instead (equal values stay equal)" />
                        <Toggle checked=use_allowlist testid="redact-allowlist-on" label="keep only keys matching" />
                        <input type="text" data-testid="redact-allowlist" prop:value=move || allowlist.get() disabled=move || !use_allowlist.get()
                            on:input=move |ev| allowlist.set(event_target_value(&ev)) />
                        <Toggle checked=values testid="redact-values"
                            label="and anything that looks like a secret, in any text (tokens, JWTs, emails, URL secrets, SQL passwords, private keys)" />
                        <p class="muted" data-testid="redact-count" data-count=move || removed.with(|r| r.as_ref().map(Removed::total))>
                            {move || removed.with(|r| match r {
                                Some(r) => removed_text(r, hash.get()),
                                None => "Counting what will be removed…".into(),
                            })}
                        </p>
                    </fieldset>
                    <div class="dialog-actions left">
                        <button class="button primary" data-testid="share-create" on:click=make_link
                            disabled=move || making.with(Option::is_some)>"Create self-contained link"</button>
                    </div>
                    <LinkChoices links=link />
                    <h3>"Export"</h3>
                    {move || making.get().map(|m| view! {
                        <div class="export-progress" data-testid="export-progress" data-written=m.written role="status">
                            <progress max=m.spans.max(1) value=m.written></progress>
                            <span>{format!("Making the {}: {} of {} spans written", m.what, m.written, m.spans)}</span>
                            <button class="button" data-testid="export-cancel" on:click=move |_| decode_worker::cancel_exports()>"Cancel"</button>
                        </div>
                    })}
                    {move || failed.get().map(|e| view! { <p class="error" data-testid="export-error">{e}</p> })}
                    <div class="dialog-actions left">
                        <button class="button" data-testid="export-otlp" disabled=move || making.with(Option::is_some)
                            on:click=move |_| export_file(Export::Otlp, "OTLP JSON", "otlp.json", "application/json")>"OTLP JSON"</button>
                        <button class="button" data-testid="export-jaeger" disabled=move || making.with(Option::is_some)
                            on:click=move |_| export_file(Export::Jaeger, "Jaeger JSON", "jaeger.json", "application/json")>"Jaeger JSON"</button>
                        <button class="button" data-testid="export-markdown" disabled=move || making.with(Option::is_some)
                            on:click=markdown>"Markdown summary"</button>
                        <button class="button" data-testid="export-png" on:click=move |_| download_png(&format!("{}.png", trace_id()))>"PNG of the view"</button>
                        <span class="spacer"></span>
                        <button class="button" on:click=move |_| open.set(false)>"Close"</button>
                    </div>
        </Dialog>
    }
}
