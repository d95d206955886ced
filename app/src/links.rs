//! Links in and out: a link's state applied (its trace loaded first from
//! its `url=` or backend, asking before another origin is contacted), Back
//! and Forward, the first start (a self-contained link, or the demo
//! traces), and every change of what is shown written to the address bar.

use crate::app::DEMO;
use crate::state::{AppState, Notice};
use crate::url_state::{self, UrlState};
use crate::views::{Tab, ViewState};
use leptos::prelude::*;
use tracescope_components::FlameMode;
use tracescope_core::analysis::sets::TraceGroup;

#[derive(Clone, Copy)]
pub struct Links {
    /// The address is written only once the link's own state has been applied.
    pub url_ready: RwSignal<bool>,
    /// A link that wants a trace from an origin not allowed yet: (origin, url, state).
    pub origin_prompt: RwSignal<Option<(String, String, UrlState)>>,
    /// A link's state waiting for its trace, which is not loaded.
    pub waiting_for: RwSignal<Option<UrlState>>,
    /// The backend a link named (the search drawer opens on it).
    pub linked_backend: RwSignal<Option<crate::backends::BackendConf>>,
    /// Loads what a link names, then applies it.
    pub open_link: Callback<UrlState>,
}

impl Links {
    pub fn follow(state: AppState, views: ViewState) -> Links {
        let AppState {
            loader,
            dataset,
            open,
            notice,
            search_open,
            fetched_from,
            compare,
            sets,
            ..
        } = state;
        let ViewState {
            selected,
            collapsed,
            view,
            tab,
            all_traces,
            service_filter,
            show_critical,
            adjust_clocks,
            flame_mode,
            find,
            flame_chart_focus,
            flame_merged_focus,
            focus,
            pill,
            pending,
            pending_applied,
            ..
        } = views;
        let url_ready = RwSignal::new(false);
        let origin_prompt = RwSignal::new(None::<(String, String, UrlState)>);
        let waiting_for = RwSignal::new(None::<UrlState>);
        let linked_backend = RwSignal::new(None::<crate::backends::BackendConf>);
        // Applies a state from a link or from Back/Forward: view settings at
        // once, the rest when its trace is open.
        let apply = move |st: UrlState| {
            if let Some(t) = st.view.as_deref().and_then(Tab::from_name) {
                tab.set(t);
            }
            flame_mode.set(FlameMode::from_name(st.flame.as_deref()));
            find.set(st.find.clone().unwrap_or_default());
            all_traces.set(st.scope_all);
            show_critical.set(!st.hide_critical);
            adjust_clocks.set(st.adjust_clocks);
            let idx = dataset.with_untracked(|ds| ds.trace_with_id(st.trace.as_deref()?));
            if let (Some(want), None) = (st.trace.clone(), idx) {
                // Not here: say so, show nothing in its place, and open it with
                // the link's state if it arrives (the file dropped, a search).
                notice.set(Some(Notice::missing_trace(&want, &st)));
                waiting_for.set(Some(st));
                open.set(None);
                return;
            }
            let idx = idx
                .or(open.get_untracked())
                .or_else(|| dataset.with_untracked(|ds| (!ds.traces.is_empty()).then_some(0)));
            sets.set(
                st.sets
                    .as_ref()
                    .and_then(|(a, b)| Some([TraceGroup::parse(a)?, TraceGroup::parse(b)?])),
            );
            compare.set(dataset.with_untracked(|ds| {
                let (a, b) = st.compare.as_ref()?;
                Some((ds.trace_with_id(a)?, ds.trace_with_id(b)?))
            }));
            pending.set_value(Some(st));
            open.set(idx);
        };
        // The trace a link waits for has arrived: opened as the link says.
        Effect::new(move |_| {
            let Some(st) = waiting_for.get() else { return };
            let arrived = dataset.with(|ds| ds.trace_with_id(st.trace.as_deref()?));
            if arrived.is_some() {
                waiting_for.set(None);
                notice.set(None);
                apply(st);
            }
        });
        // A trace opened by hand while a link waits: the person moved on.
        Effect::new(move |_| {
            if open.get().is_some() && waiting_for.get_untracked().is_some() {
                waiting_for.set(None);
            }
        });
        // Whether the trace a link names is loaded already.
        let trace_loaded = move |st: &UrlState| {
            dataset.with_untracked(|ds| {
                st.trace
                    .as_deref()
                    .is_some_and(|id| ds.trace_with_id(id).is_some())
            })
        };
        // Embedded, nothing is asked (a click in a frame may be lured) and
        // no other site is contacted: the full app can ask.
        let refuse_embedded = move |what: &str, origin: &str, st: UrlState| {
            loader.fail(
                what,
                format!("an embedded view loads only what its link holds (#data=) or this site's files; open it in Tracescope to load from {origin}"),
            );
            apply(st);
            url_ready.set(true);
        };
        // A link naming a backend: added to the settings (asking first for a
        // new origin), its trace fetched by id, then the link applied.
        let open_backend_link = move |base: String, st: UrlState| {
            use tracescope_core::backend::Kind;
            let kind = st
                .kind
                .as_deref()
                .and_then(Kind::from_key)
                .or_else(|| Kind::detect(&base));
            let origin = url_state::origin_of(&base);
            let (Some(kind), Some(origin)) = (kind, origin) else {
                loader.fail(
                    &base,
                    "a backend link needs an http(s) URL and kind=jaeger, jaeger-v3, tempo or zipkin"
                        .into(),
                );
                apply(st);
                url_ready.set(true);
                return;
            };
            if !url_state::origin_allowed(&origin) {
                if state.embed {
                    return refuse_embedded(&base, &origin, st);
                }
                origin_prompt.set(Some((origin, base, st)));
                return;
            }
            let conf = crate::backends::ensure(&base, kind);
            linked_backend.set(Some(conf.clone()));
            search_open.set(true);
            leptos::task::spawn_local(async move {
                if let (Some(id), false) = (st.trace.clone(), trace_loaded(&st)) {
                    if let Err(message) = crate::backends::fetch_trace(loader, &conf, &id).await {
                        loader.fail(&conf.name, message);
                    }
                }
                apply(st);
                url_ready.set(true);
            });
        };
        // Loads the trace file a link names (asking first for a new origin), then applies the link.
        let open_link = move |st: UrlState| {
            if let Some(base) = st.backend.clone() {
                return open_backend_link(base, st);
            }
            let Some(url) = st.url.clone() else {
                apply(st);
                url_ready.set(true);
                return;
            };
            let Some(origin) = url_state::origin_of(&url) else {
                loader.fail(&url, "only http(s) links are loaded".into());
                url_ready.set(true);
                return;
            };
            if !url_state::origin_allowed(&origin) {
                if state.embed {
                    return refuse_embedded(&url, &origin, st);
                }
                origin_prompt.set(Some((origin, url, st)));
                return;
            }
            leptos::task::spawn_local(async move {
                if !trace_loaded(&st) {
                    loader.load_url(&url).await;
                }
                apply(st);
                url_ready.set(true);
            });
        };
        // First start: the link's trace file, or the demo traces.
        let initial = UrlState::parse(&url_state::location_search());
        leptos::task::spawn_local(async move {
            if let Some(packed) = url_state::shared_data() {
                // A self-contained link: the trace is in the fragment; no network.
                loader.load_shared(&packed).await;
            } else if initial.url.is_none() && !state.embed {
                loader.load_demo(DEMO).await;
                // The first demo trace, not the last one loaded (unless the link names one).
                open.set(dataset.with_untracked(|ds| (!ds.traces.is_empty()).then_some(0)));
            }
            open_link(initial);
        });
        // Back/Forward: the address bar changed under us.
        let _popstate = window_event_listener(leptos::ev::popstate, move |_| {
            open_link(UrlState::parse(&url_state::location_search()));
        });
        // Every change of what is shown goes into the address bar: a new
        // history entry for navigation, in place for zooming and typing.
        let current_state = Memo::new(move |_| {
            let i = open.get();
            let mut st = UrlState {
                view: Some(tab.get().name().to_string()),
                find: Some(find.get()).filter(|q| !q.is_empty()),
                flame: Some(flame_mode.get())
                    .filter(|&m| m != FlameMode::Chart)
                    .map(|m| m.as_str().to_string()),
                scope_all: all_traces.get(),
                hide_critical: !show_critical.get(),
                adjust_clocks: adjust_clocks.get(),
                embed: state.embed,
                theme: state.link_theme.map(str::to_string),
                url: i
                    .and_then(|i| fetched_from.with(|f| f.get(i).cloned().flatten()))
                    .filter(|u| !DEMO.contains(&u.as_str())),
                ..Default::default()
            };
            dataset.with(|ds| {
                let id = |t: usize| ds.traces.get(t).map(|t| ds.trace_id(t).to_string());
                st.compare = compare.get().and_then(|(a, b)| Some((id(a)?, id(b)?)));
                st.sets = sets.with(|g| g.as_ref().map(|[a, b]| (a.text(), b.text())));
                let Some(t) = i.and_then(|i| ds.trace(i)) else {
                    return;
                };
                st.trace = Some(ds.trace_id(t).to_string());
                st.span = selected
                    .get()
                    .filter(|&s| (s as usize) < t.len())
                    .map(|s| ds.span_id(t, s as usize).to_string());
                let b0 = t.bounds().0 as f64;
                st.zoom = view.get().map(|(a, b)| (a - b0, b - b0));
                st.service = service_filter.get().map(|s| ds.str(s).to_string());
                st.flame_span = flame_chart_focus
                    .get()
                    .filter(|&s| (s as usize) < t.len())
                    .map(|s| ds.span_id(t, s as usize).to_string());
                st.flame_node = Some(flame_merged_focus.get()).filter(|&n| n > 0);
                st.only = pill.get().map(|p| p.key().to_string());
                st.focus = focus
                    .get()
                    .filter(|&s| (s as usize) < t.len())
                    .map(|s| ds.span_id(t, s as usize).to_string());
                let folds: Vec<String> = collapsed.with(|c| {
                    c.iter()
                        .enumerate()
                        .filter(|&(s, &f)| f && s < t.len())
                        .take(url_state::MAX_FOLDS + 1)
                        .map(|(s, _)| ds.span_id(t, s).to_string())
                        .collect()
                });
                if folds.len() <= url_state::MAX_FOLDS {
                    st.fold = folds;
                }
            });
            st
        });
        Effect::new(move |_| {
            let st = current_state.get();
            pending_applied.track();
            // While a link waits for its trace, the address keeps the link.
            if !url_ready.get()
                || pending.with_value(|p| p.is_some())
                || waiting_for.with(Option::is_some)
            {
                return;
            }
            let here = UrlState::parse(&url_state::location_search());
            if here.to_query() != st.to_query() {
                // An address without a trace only gains one: not a step to go back to.
                url_state::write(&st, here.trace.is_some() && here.is_navigation_to(&st));
            }
        });
        Links {
            url_ready,
            origin_prompt,
            waiting_for,
            linked_backend,
            open_link: Callback::new(open_link),
        }
    }
}
