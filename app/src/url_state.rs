//! The URL is the state: what a person would hand to a colleague lives in
//! the query string, so any static host serves it with no rewrite rules.
//!
//! `?url=` the trace file (when it was fetched), `trace=` trace id,
//! `view=` waterfall|flame|map|stats, `span=` span id, `zoom=` the waterfall
//! window as ns offsets from the trace start, `service=` the service
//! filter, `q=` the flame search, `flame=merged`, `scope=all`, `cp=0` when
//! the critical path is hidden, `fspan=` the span the flame chart is zoomed
//! into, `fnode=` the merged flame frame zoomed into, `fold=` span ids of
//! collapsed subtrees (up to [`MAX_FOLDS`]), `backend=` and `kind=` a
//! tracing backend to open `trace=` from (read, not written: the trace's
//! `url=` is its answer's address).

use web_sys::UrlSearchParams;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct UrlState {
    pub url: Option<String>,
    pub trace: Option<String>,
    pub view: Option<String>,
    pub span: Option<String>,
    pub zoom: Option<(f64, f64)>,
    pub service: Option<String>,
    pub q: Option<String>,
    pub flame_merged: bool,
    pub scope_all: bool,
    pub hide_critical: bool,
    pub flame_span: Option<String>,
    pub flame_node: Option<u32>,
    /// Span ids of collapsed subtrees (left out when there are too many).
    pub fold: Vec<String>,
    /// `backend=` a tracing backend's base URL and `kind=` its API
    /// (jaeger, jaeger-v3, tempo, zipkin; guessed from the URL when left
    /// out): the link opens `trace=` from there.
    pub backend: Option<String>,
    pub kind: Option<String>,
}

/// More collapsed subtrees than this are not put in the URL (it would grow
/// without bound); the link then opens them expanded.
pub const MAX_FOLDS: usize = 64;

impl UrlState {
    /// Parses a query string (with or without the leading `?`); unknown or
    /// malformed parts are ignored.
    pub fn parse(search: &str) -> UrlState {
        let Ok(p) = UrlSearchParams::new_with_str(search) else {
            return UrlState::default();
        };
        let get = |k: &str| p.get(k).filter(|v| !v.is_empty());
        UrlState {
            url: get("url"),
            trace: get("trace"),
            view: get("view"),
            span: get("span"),
            zoom: get("zoom").and_then(|z| {
                let (a, b) = z.split_once(',')?;
                let (a, b) = (a.parse::<f64>().ok()?, b.parse::<f64>().ok()?);
                (a.is_finite() && b.is_finite() && b > a).then_some((a, b))
            }),
            service: get("service"),
            q: get("q"),
            flame_merged: get("flame").as_deref() == Some("merged"),
            scope_all: get("scope").as_deref() == Some("all"),
            hide_critical: get("cp").as_deref() == Some("0"),
            flame_span: get("fspan"),
            flame_node: get("fnode").and_then(|n| n.parse().ok()).filter(|&n| n > 0),
            fold: get("fold")
                .map(|f| {
                    f.split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            backend: get("backend"),
            kind: get("kind"),
        }
    }

    /// The query string, `?` included ("" when there is nothing to say).
    pub fn to_query(&self) -> String {
        let Ok(p) = UrlSearchParams::new() else {
            return String::new();
        };
        let put = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                p.append(k, v);
            }
        };
        put("url", &self.url);
        put("trace", &self.trace);
        put("view", &self.view);
        put("span", &self.span);
        put("zoom", &self.zoom.map(|(a, b)| format!("{a:.0},{b:.0}")));
        put("service", &self.service);
        put("q", &self.q);
        put("flame", &self.flame_merged.then(|| "merged".to_string()));
        put("scope", &self.scope_all.then(|| "all".to_string()));
        put("cp", &self.hide_critical.then(|| "0".to_string()));
        put("fspan", &self.flame_span);
        put("fnode", &self.flame_node.map(|n| n.to_string()));
        put(
            "fold",
            &(!self.fold.is_empty()).then(|| self.fold.join(",")),
        );
        let s: String = p.to_string().into();
        if s.is_empty() {
            s
        } else {
            format!("?{s}")
        }
    }

    /// Whether going from `self` to `next` is a navigation (a new history
    /// entry, so Back returns) rather than an adjustment (zoom, typing).
    pub fn is_navigation_to(&self, next: &UrlState) -> bool {
        self.url != next.url
            || self.trace != next.trace
            || self.view != next.view
            || self.span != next.span
            || self.service != next.service
            || self.flame_merged != next.flame_merged
            || self.scope_all != next.scope_all
            || self.flame_span != next.flame_span
            || self.flame_node != next.flame_node
    }
}

pub fn location_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Writes the state into the address bar: a new history entry or in place.
pub fn write(state: &UrlState, push: bool) {
    let Some(w) = web_sys::window() else { return };
    let Ok(history) = w.history() else { return };
    let path = w.location().pathname().unwrap_or_default();
    // The fragment holds a self-contained trace (`#data=`): it stays.
    let hash = w.location().hash().unwrap_or_default();
    let url = format!("{path}{}{hash}", state.to_query());
    let _ = if push {
        history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    };
}

/// The origin of `url` resolved against the page; None when it is not
/// http(s) (then it is never fetched).
pub fn origin_of(url: &str) -> Option<String> {
    let base = web_sys::window()?.location().href().ok()?;
    let u = web_sys::Url::new_with_base(url, &base).ok()?;
    matches!(u.protocol().as_str(), "http:" | "https:").then(|| u.origin())
}

pub fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

const ALLOWED_KEY: &str = "tracescope.origins";

/// Whether the page is shown inside another page's frame, where a click
/// may have been lured (clickjacking): then no other origin is contacted.
pub fn framed() -> bool {
    web_sys::window().is_some_and(|w| match w.top() {
        Ok(Some(top)) => !js_sys::Object::is(&top, &w),
        _ => true,
    })
}

/// Origins the user has agreed to load traces from (the page's own is
/// always allowed; no other while the page is framed).
pub fn origin_allowed(origin: &str) -> bool {
    origin == page_origin()
        || !framed()
            && storage()
                .and_then(|s| s.get_item(ALLOWED_KEY).ok().flatten())
                .is_some_and(|v| v.split(' ').any(|o| o == origin))
}

pub fn allow_origin(origin: &str) {
    if framed() {
        return;
    }
    if let Some(s) = storage() {
        let mut v = s.get_item(ALLOWED_KEY).ok().flatten().unwrap_or_default();
        if !v.split(' ').any(|o| o == origin) {
            if !v.is_empty() {
                v.push(' ');
            }
            v.push_str(origin);
            let _ = s.set_item(ALLOWED_KEY, &v);
        }
    }
}

/// This browser's localStorage (None where it is unavailable).
pub fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The packed trace of a self-contained link (`#data=…`), if any.
pub fn shared_data() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.strip_prefix("#data=").map(str::to_string)
}
