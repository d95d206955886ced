//! The state the shell's components share, given to the tree with
//! `provide_context`: the dataset and where each trace came from, which is
//! open, what is loading, the dialogs and drawers, the theme, and the
//! notices; with the actions that change them together.

use crate::decode_worker::LoadProgress;
use crate::loader::{LoadError, Loader};
use leptos::prelude::*;
use tracescope_core::analysis::sets::TraceGroup;
use tracescope_core::runs::Runs;
use tracescope_core::Dataset;

/// A message about what the app did or could not do (not an error of a
/// load): a trace already loaded, a link's trace that is not here.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Notice {
    pub text: String,
    /// Offer to load the demo traces again (they were replaced).
    pub demo_again: bool,
}

impl Notice {
    pub fn text(text: String) -> Notice {
        Notice {
            text,
            ..Notice::default()
        }
    }

    /// A link names trace `id`, which is not loaded: where it can come from.
    pub fn missing_trace(id: &str, link: &crate::url_state::UrlState) -> Notice {
        let how = match (&link.url, &link.backend) {
            (Some(url), _) => format!("It comes from {url}, which did not load it (see the message above, if any)."),
            (None, Some(backend)) => format!("Its backend, {backend}, did not answer with it: search there, or check that it is still kept."),
            (None, None) => "It was opened from a file on another computer: open that file here (Open files…, or drop it on the page) and it opens as the link says; or ask for a self-contained link (Share / export…), which carries the trace.".to_string(),
        };
        Notice::text(format!(
            "This link opens trace {id}, which is not loaded here. {how}"
        ))
    }
}

#[derive(Clone, Copy)]
pub struct AppState {
    pub loader: Loader,
    pub dataset: RwSignal<Dataset>,
    pub open: RwSignal<Option<usize>>,
    pub sources: RwSignal<Runs<std::sync::Arc<str>>>,
    pub fetched_from: RwSignal<Runs<Option<String>>>,
    pub errors: RwSignal<Vec<LoadError>>,
    pub loading: RwSignal<Option<String>>,
    pub progress: RwSignal<Option<LoadProgress>>,
    pub notice: RwSignal<Option<Notice>>,
    pub dark: RwSignal<bool>,
    pub paste_open: RwSignal<bool>,
    pub search_open: RwSignal<bool>,
    pub log_links_open: RwSignal<bool>,
    pub share_open: RwSignal<bool>,
    /// The list of keyboard shortcuts (`?`).
    pub shortcuts_open: RwSignal<bool>,
    /// Two loaded traces shown side by side (`compare=` in the address).
    pub compare: RwSignal<Option<(usize, usize)>>,
    /// Two groups of loaded traces compared (`seta=`, `setb=`).
    pub sets: RwSignal<Option<[TraceGroup; 2]>>,
    /// `embed=1`: one view of one trace for a frame in another page; no
    /// demo traces, no prompts, nothing fetched that the link does not hold.
    pub embed: bool,
    /// The theme the link names (`theme=`), kept in the address bar.
    pub link_theme: Option<&'static str>,
}

impl AppState {
    pub fn new() -> AppState {
        let link = crate::url_state::UrlState::parse(&crate::url_state::location_search());
        let link_theme = match link.theme.as_deref() {
            Some("dark") => Some("dark"),
            Some("light") => Some("light"),
            _ => None,
        };
        let dataset = RwSignal::new(Dataset::default());
        let loader = Loader {
            dataset,
            sources: RwSignal::new(Runs::default()),
            open: RwSignal::new(None),
            errors: RwSignal::new(Vec::new()),
            loading: RwSignal::new(None),
            fetched_from: RwSignal::new(Runs::default()),
            progress: RwSignal::new(None),
            notice: RwSignal::new(None),
            demo_loaded: RwSignal::new(false),
        };
        AppState {
            loader,
            dataset,
            open: loader.open,
            sources: loader.sources,
            fetched_from: loader.fetched_from,
            errors: loader.errors,
            loading: loader.loading,
            progress: loader.progress,
            notice: loader.notice,
            dark: RwSignal::new(link_theme.map_or_else(prefers_dark, |t| t == "dark")),
            paste_open: RwSignal::new(false),
            search_open: RwSignal::new(false),
            log_links_open: RwSignal::new(false),
            share_open: RwSignal::new(false),
            shortcuts_open: RwSignal::new(false),
            compare: RwSignal::new(None),
            sets: RwSignal::new(None),
            embed: link.embed,
            link_theme,
        }
    }

    pub fn toggle_theme(&self) {
        self.dark.update(|d| *d = !*d);
        if let Some(s) = crate::url_state::storage() {
            let _ = s.set_item(
                "tracescope.theme",
                if self.dark.get_untracked() {
                    "dark"
                } else {
                    "light"
                },
            );
        }
    }
}

fn prefers_dark() -> bool {
    let stored =
        crate::url_state::storage().and_then(|s| s.get_item("tracescope.theme").ok().flatten());
    match stored.as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => web_sys::window()
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
            .map(|m| m.matches())
            .unwrap_or(false),
    }
}
