//! "Copy link": a link that opens what is on screen anywhere, or says why
//! it cannot. A trace fetched from a URL or a backend, a demo trace and a
//! self-contained link reopen from the address; a trace from a file on this
//! computer does not, so its link is the self-contained one (the trace in
//! the fragment) when it fits, and otherwise a message says what to do.

use crate::share_link::Links;
use crate::state::AppState;
use leptos::prelude::*;
use tracescope_core::encode::compact::Keep;
use tracescope_core::encode::redact::Redaction;
use tracescope_core::share::{self, may_fit_in_link};
use tracescope_worker::protocol::{Export, Exported};

/// What was copied (in words for the feedback, and the link itself), or
/// why nothing was.
pub type Copied = Result<(&'static str, String), String>;

/// Copies the link to what is on screen; what was copied, or why nothing was.
pub async fn copy_view_link(state: AppState) -> Copied {
    let made = link_to_view(state).await;
    if let Ok((_, link)) = &made {
        tracescope_components::copy_text(link);
    }
    made
}

/// A link that opens what is on screen anywhere (the page's address, or a
/// self-contained link for a trace from a file here), with what it is in
/// words; or why there is none.
pub async fn link_to_view(state: AppState) -> Copied {
    let Some(href) = web_sys::window().and_then(|w| w.location().href().ok()) else {
        return Err("the page has no address".into());
    };
    if let Some(pair) = state.compare.get_untracked() {
        return comparison_link(state, pair, href).await;
    }
    let Some(i) = state.open.get_untracked() else {
        return Ok(("Link copied", href));
    };
    let from_file = state
        .fetched_from
        .with_untracked(|f| f.get(i).cloned().flatten().is_none())
        && !href.contains("#data=");
    if !from_file {
        return Ok(("Link copied", href));
    }
    let (spans, source) = state.dataset.with_untracked(|ds| {
        (
            ds.trace(i).map_or(0, |t| t.len()),
            state
                .sources
                .with_untracked(|s| s.get(i).map(|s| s.to_string()).unwrap_or_default()),
        )
    });
    // Redacted as the share dialog does by default: a link leaves the page.
    let made = crate::decode_worker::export(
        state.dataset,
        i,
        Export::Link {
            selected: use_context::<crate::views::ViewState>()
                .and_then(|v| v.selected.get_untracked()),
            budget: Links::budget() as u32,
        },
        Redaction::defaults(),
        |_| {},
    )
    .await;
    let choices = match made {
        Ok(Exported::Links(choices)) => choices,
        Ok(_) => return Err("the link could not be made".into()),
        Err(e) => return Err(e),
    };
    let links = Links::new(choices, spans);
    let Some(c) = links.chosen.map(|c| &links.choices[c]) else {
        return Err(format!(
            "This trace came from {source} on this computer, and at {spans} spans it is too large to travel inside a link: a link opens it only where that file is opened again. Attach the file to the ticket, or link to it in your tracing backend."
        ));
    };
    let what = if c.spans < spans {
        "Copied a self-contained link holding the spans that matter most (the whole trace is too large for a link; secrets redacted)"
    } else {
        "Copied a self-contained link (the trace travels in it, secrets redacted)"
    };
    Ok((what, crate::share::self_contained_link(&c.text)))
}

/// The comparison on screen: the address when it reopens both traces
/// (fetched from one URL or backend, or a self-contained link already);
/// else both traces whole in a self-contained link (the fullest choice that
/// fits, redacted as by default), made here since two traces that fit are
/// small (at most a few thousand spans); else why there is no link.
async fn comparison_link(state: AppState, (a, b): (usize, usize), href: String) -> Copied {
    let from = state
        .fetched_from
        .with_untracked(|f| [a, b].map(|i| f.get(i).cloned().flatten()));
    if href.contains("#data=") || (from[0].is_some() && from[0] == from[1]) {
        return Ok(("Link copied", href));
    }
    let spans = state.dataset.with_untracked(|ds| {
        [a, b]
            .iter()
            .filter_map(|&i| ds.trace(i))
            .map(|t| t.len())
            .sum()
    });
    let budget = Links::budget();
    if may_fit_in_link(spans, budget) {
        for keep in Keep::ALL {
            let payload = state.dataset.with_untracked(|ds| {
                let (ta, tb) = (ds.trace(a)?, ds.trace(b)?);
                Some(share::pair(ds, [ta, tb], &Redaction::defaults(), keep))
            });
            let Some(payload) = payload else { break };
            let Ok(deflated) = tracescope_worker::deflate(&payload).await else {
                break;
            };
            let text = share::text(&deflated);
            if text.len() <= budget {
                return Ok((
                    "Copied a self-contained link to the comparison (both traces in it, secrets redacted)",
                    crate::share::self_contained_link(&text),
                ));
            }
        }
    }
    Err(format!(
        "The two traces ({spans} spans) do not fit in a link; one to this page reopens them only where both are loaded again: attach the files to the ticket."
    ))
}
