//! The links the share dialog offers: each choice of what the link keeps
//! with the length it gives (fullest first, those over the limit shown but
//! not choosable), the largest subset that fits when the whole trace does
//! not, and the chosen link to copy; or, when nothing fits, why.

use crate::share::self_contained_link;
use leptos::prelude::*;
use tracescope_core::share::{LinkChoice, MAX_LINK_CHARS};

/// What to do instead of a link that cannot hold the trace.
const TOO_LONG_ADVICE: &str = "Attach the file to the ticket and share a link with ?url= pointing at it, or link to the trace in your Jaeger, Tempo or Zipkin.";

/// The links made of a trace of `spans` spans, and the one chosen.
#[derive(Clone, Debug)]
pub struct Links {
    pub choices: Vec<LinkChoice>,
    pub spans: usize,
    pub chosen: Option<usize>,
}

impl Links {
    /// The fullest that fits is chosen.
    pub fn new(choices: Vec<LinkChoice>, spans: usize) -> Links {
        let chosen = choices.iter().position(fits);
        Links {
            choices,
            spans,
            chosen,
        }
    }
    /// The characters a link's payload may take: the limit less this page's
    /// address and view state.
    pub fn budget() -> usize {
        MAX_LINK_CHARS.saturating_sub(self_contained_link("").len())
    }
    /// Why no link is offered, or None when one is.
    fn refusal(&self) -> Option<String> {
        self.chosen.is_none().then(|| format!(
            "This trace has {} spans: not even those a link must keep (the selected span's path, the critical path and every error) fit in {MAX_LINK_CHARS} characters, the most a ticket system takes (Jira's limit is 32,767). {TOO_LONG_ADVICE}",
            self.spans
        ))
    }
}

impl Links {
    /// What a subset holds and why, when one is offered.
    fn subset_note(&self, prefix: usize) -> Option<String> {
        let subset = self.choices.iter().find(|c| c.spans < self.spans)?;
        let whole = self
            .choices
            .iter()
            .filter(|c| c.spans == self.spans)
            .map(|c| c.text.len())
            .min();
        let whole = whole.map_or_else(
            || "The whole trace cannot fit in a link".to_string(),
            |w| format!("The whole trace needs at least {} characters", w + prefix),
        );
        Some(format!(
            "{whole}; {} of its {} spans fit: the selected span's path, the critical path, every error and the longest of the rest. The link says what was left out.",
            subset.spans, self.spans
        ))
    }
}

fn fits(c: &LinkChoice) -> bool {
    c.text.len() <= Links::budget()
}

#[component]
pub fn LinkChoices(links: RwSignal<Option<Links>>) -> impl IntoView {
    let choose = move |i: usize| {
        links.update(|l| {
            if let Some(l) = l {
                l.chosen = Some(i);
            }
        })
    };
    move || {
        links.with(|l| {
            let l = l.as_ref()?;
            let prefix = self_contained_link("").len();
            let rows = l
                .choices
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let ok = fits(c);
                    let partial = c.spans < l.spans;
                    let name = if partial { "subset" } else { c.keep.name() };
                    let chars = c.text.len() + prefix;
                    let text = match (partial, ok) {
                        (true, _) => format!(" {} of {} spans, for the ticket: {chars} characters", c.spans, l.spans),
                        (false, true) => format!(" {}: {chars} characters", c.keep.label()),
                        (false, false) => format!(" {}: {chars} characters, too long", c.keep.label()),
                    };
                    // Static: the whole block is drawn again when the choice changes.
                    view! {
                        <label class="link-choice">
                            <input type="radio" name="link-choice" data-testid=format!("share-choice-{name}")
                                data-chars=chars disabled=!ok prop:checked=l.chosen == Some(i)
                                on:change=move |_| choose(i) />
                            {text}
                        </label>
                    }
                })
                .collect_view();
            // One line under the choices: what a subset left out, or why there is no link.
            let (class, testid, message) = match (l.refusal(), l.subset_note(prefix)) {
                (Some(refusal), _) => ("error", "share-too-long", refusal),
                (None, Some(note)) => ("muted", "share-subset-note", note),
                (None, None) => ("muted", "share-note", String::new()),
            };
            let href = l
                .chosen
                .map(|i| self_contained_link(&l.choices[i].text))
                .unwrap_or_default();
            let n = href.len();
            let copy = href.clone();
            Some(view! {
                <fieldset class="link-choices" data-testid="share-choices">
                    <legend>"What the link holds"</legend>
                    {rows}
                </fieldset>
                <p class=class data-testid=testid>{message}</p>
                <div class="share-link" hidden=l.chosen.is_none()>
                    <input type="text" readonly data-testid="share-link" prop:value=href />
                    <button class="button" on:click=move |_| {
                        tracescope_components::copy_text(&copy);
                    }>"Copy"</button>
                    <p class="muted" data-testid="share-length" data-length=n>{format!("{n} characters; the trace is in the part after #, which browsers never send to a server.")}</p>
                </div>
            })
        })
    }
}
