//! The URL is the state: what a person would hand to a colleague lives in
//! the query string, so any static host serves it with no rewrite rules.
//!
//! `?url=` the trace file (when it was fetched), `trace=` trace id,
//! `view=` waterfall|flame|map|stats, `span=` span id, `zoom=` the waterfall
//! window as ns offsets from the trace start, `service=` the service
//! filter, `find=` the find query (`q=`, its older name, is read too), `flame=merged|sandwich` (the sandwich of the selected span's operation), `scope=all`, `cp=0` when
//! the critical path is hidden, `fspan=` the span the flame chart is zoomed
//! into, `fnode=` the merged flame frame zoomed into, `fold=` span ids of
//! collapsed subtrees (up to [`MAX_FOLDS`]), `skew=adjust` the open trace
//! shown with its clocks adjusted, `backend=` and `kind=` a
//! tracing backend to open `trace=` from (read, not written: the trace's
//! `url=` is its answer's address).
//!
//! Pure (no browser): read and written as `URLSearchParams` does, so it is
//! tested and fuzzed natively.

#[derive(Clone, Debug, Default, PartialEq)]
pub struct UrlState {
    pub url: Option<String>,
    pub trace: Option<String>,
    pub view: Option<String>,
    pub span: Option<String>,
    pub zoom: Option<(f64, f64)>,
    pub service: Option<String>,
    pub find: Option<String>,
    /// The flame graph's mode other than the chart: `merged` or `sandwich`.
    pub flame: Option<String>,
    pub scope_all: bool,
    pub hide_critical: bool,
    /// `skew=adjust`: the open trace's clocks adjusted (`analysis::clock`).
    pub adjust_clocks: bool,
    pub flame_span: Option<String>,
    pub flame_node: Option<u32>,
    /// Span ids of collapsed subtrees (left out when there are too many).
    pub fold: Vec<String>,
    /// `backend=` a tracing backend's base URL and `kind=` its API
    /// (jaeger, jaeger-v3, tempo, zipkin; guessed from the URL when left
    /// out): the link opens `trace=` from there.
    pub backend: Option<String>,
    pub kind: Option<String>,
    /// `embed=1`: one view of one trace, for a frame in another page.
    pub embed: bool,
    /// `theme=dark` or `light`: the theme this link shows, whatever the
    /// browser's.
    pub theme: Option<String>,
    /// `only=errors`, `critical` or `slow`: the pill that narrows the rows.
    pub only: Option<String>,
    /// `focus=<span id>`: only that span and the spans below it are listed.
    pub focus: Option<String>,
    /// `compare=<traceA>,<traceB>`: the two traces shown side by side.
    pub compare: Option<(String, String)>,
    /// `seta=` and `setb=`: two groups of traces compared (each
    /// `file:NAME`, `find:QUERY` or `rest`; see `analysis::sets`).
    pub sets: Option<(String, String)>,
}

/// More collapsed subtrees than this are not put in the URL (it would grow
/// without bound); the link then opens them expanded.
pub const MAX_FOLDS: usize = 64;

impl UrlState {
    /// Parses a query string (with or without the leading `?`); unknown or
    /// malformed parts are ignored.
    pub fn parse(search: &str) -> UrlState {
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(search.strip_prefix('?').unwrap_or(search).as_bytes())
                .into_owned()
                .collect();
        // The first value of a key, as `URLSearchParams.get` answers.
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        UrlState {
            url: get("url"),
            trace: get("trace"),
            view: get("view"),
            span: get("span"),
            zoom: get("zoom").and_then(|z| {
                let (a, b) = z.split_once(',')?;
                // Whole nanoseconds, as written.
                let (a, b) = (
                    a.parse::<f64>().ok()?.round(),
                    b.parse::<f64>().ok()?.round(),
                );
                (a.is_finite() && b.is_finite() && b > a).then_some((a, b))
            }),
            service: get("service"),
            find: get("find").or_else(|| get("q")),
            flame: get("flame").filter(|f| f == "merged" || f == "sandwich"),
            scope_all: get("scope").as_deref() == Some("all"),
            hide_critical: get("cp").as_deref() == Some("0"),
            adjust_clocks: get("skew").as_deref() == Some("adjust"),
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
            embed: get("embed").as_deref() == Some("1"),
            theme: get("theme").filter(|t| t == "dark" || t == "light"),
            focus: get("focus"),
            only: get("only"),
            compare: get("compare").and_then(|c| {
                let (a, b) = c.split_once(',')?;
                (!a.is_empty() && !b.is_empty() && !b.contains(','))
                    .then(|| (a.to_string(), b.to_string()))
            }),
            sets: get("seta").zip(get("setb")),
        }
    }

    /// The query string, `?` included ("" when there is nothing to say).
    pub fn to_query(&self) -> String {
        let mut p = form_urlencoded::Serializer::new(String::new());
        let mut put = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                p.append_pair(k, v);
            }
        };
        put("url", &self.url);
        put("trace", &self.trace);
        put("view", &self.view);
        put("span", &self.span);
        put("zoom", &self.zoom.map(|(a, b)| format!("{a:.0},{b:.0}")));
        put("service", &self.service);
        put("focus", &self.focus);
        put("only", &self.only);
        put("find", &self.find);
        put("flame", &self.flame);
        put("scope", &self.scope_all.then(|| "all".to_string()));
        put("cp", &self.hide_critical.then(|| "0".to_string()));
        put("skew", &self.adjust_clocks.then(|| "adjust".to_string()));
        put("fspan", &self.flame_span);
        put("fnode", &self.flame_node.map(|n| n.to_string()));
        put(
            "fold",
            &(!self.fold.is_empty()).then(|| self.fold.join(",")),
        );
        put(
            "compare",
            &self.compare.as_ref().map(|(a, b)| format!("{a},{b}")),
        );
        put("seta", &self.sets.as_ref().map(|s| s.0.clone()));
        put("setb", &self.sets.as_ref().map(|s| s.1.clone()));
        put("theme", &self.theme);
        put("embed", &self.embed.then(|| "1".to_string()));
        let s = p.finish();
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
            || self.flame != next.flame
            || self.scope_all != next.scope_all
            || self.flame_span != next.flame_span
            || self.flame_node != next.flame_node
            || self.compare != next.compare
            || self.sets != next.sets
            || self.focus != next.focus
            || self.only != next.only
    }
}
