//! Log correlation: link templates (`{traceId}`, `{spanId}`, `{service}`,
//! `{start}`, `{end}`, `{startIso}`, `{endIso}`) kept in this browser's
//! storage, shown on the trace and on each span.

use leptos::prelude::*;
use tracescope_components::Dialog;
use tracescope_core::links::{fill, LinkContext};

const KEY: &str = "tracescope.loglinks";

/// (name, template) pairs.
pub type Templates = Vec<(String, String)>;

pub fn load() -> Templates {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|v| serde_json::from_slice(v.as_bytes()).ok())
        .unwrap_or_default()
}

fn save(t: &Templates) {
    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = s.set_item(KEY, &serde_json::to_string(t).unwrap_or_default());
    }
}

/// The filled links (name, href); templates that do not make an http(s) URL are left out.
pub fn links(templates: &Templates, c: &LinkContext) -> Vec<(String, String)> {
    templates
        .iter()
        .filter_map(|(name, tpl)| fill(tpl, c).map(|href| (name.clone(), href)))
        .collect()
}

#[component]
pub fn LogLinksDialog(templates: RwSignal<Templates>, open: RwSignal<bool>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let template = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let add = move |_| {
        let (n, t) = (
            name.get_untracked().trim().to_string(),
            template.get_untracked().trim().to_string(),
        );
        let sample = LinkContext {
            trace_id: "t",
            span_id: "s",
            service: "svc",
            start_ns: 0,
            end_ns: 1,
        };
        if n.is_empty() || fill(&t, &sample).is_none() {
            problem.set(Some(
                "Give a name and a template that makes an http(s) URL.".into(),
            ));
            return;
        }
        problem.set(None);
        templates.update(|v| v.push((n, t)));
        templates.with_untracked(save);
        name.set(String::new());
        template.set(String::new());
    };
    view! {
        <Dialog open=open on_close=Callback::new(move |_| open.set(false)) title="Log links" testid="loglinks-dialog">
                    <p class="muted">"Links to your logs for the open trace and the selected span. Placeholders: {traceId} {spanId} {service} {start} {end} (ms since the epoch) {startIso} {endIso}. Kept in this browser only."</p>
                    <ul class="loglinks">
                        {move || templates.get().into_iter().enumerate().map(|(i, (n, t))| view! {
                            <li>
                                <b>{n}</b>" "<span class="mono">{t}</span>
                                <button class="close" title="Remove" on:click=move |_| {
                                    templates.update(|v| { v.remove(i); });
                                    templates.with_untracked(save);
                                }>"×"</button>
                            </li>
                        }).collect_view()}
                    </ul>
                    <label class="field">"Name"
                        <input type="text" data-testid="loglinks-name" placeholder="Loki" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                    </label>
                    <label class="field">"Template"
                        <input type="text" data-testid="loglinks-template" placeholder="https://grafana.example/explore?traceId={traceId}&from={start}&to={end}"
                            prop:value=move || template.get() on:input=move |ev| template.set(event_target_value(&ev)) />
                    </label>
                    {move || problem.get().map(|p| view! { <p class="error">{p}</p> })}
                    <div class="dialog-actions">
                        <button class="button primary" data-testid="loglinks-add" on:click=add>"Add"</button>
                        <button class="button" on:click=move |_| open.set(false)>"Close"</button>
                    </div>
        </Dialog>
    }
}
