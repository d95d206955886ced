//! The detail panel of the selected span. Everything from the trace is
//! rendered as text nodes (never HTML).

use crate::context::{view_context, ViewContext};
use leptos::prelude::*;
use tracescope_core::analysis::clock;
use tracescope_core::analysis::percentile::span_rank;
use tracescope_core::analysis::self_time::self_time_of;
use tracescope_core::layout::time::format_duration;
use tracescope_core::model::{flags, Dataset, IdKey, Link, Range32, StatusCode, Trace};

/// (name, href) links.
pub type NamedLinks = Vec<(String, String)>;

/// How many rows of each list (attributes, resource, events and each
/// one's attributes, links) the panel draws at first and adds with that
/// list's "show more": a span may hold a million attributes, and a
/// million rows would stall the page for minutes.
pub const ROWS: usize = 100;

/// A list of the panel, as its "show more" names it.
#[derive(Clone, Copy, PartialEq, Debug)]
enum List {
    Attrs,
    Resource,
    Events,
    Links,
    /// The attributes of the event at this index.
    EventAttrs(usize),
}

/// How many rows each list draws: [`ROWS`], and [`ROWS`] more each time
/// its own "show more" is pressed (the lists pressed, in the order pressed).
#[derive(Clone, Default, PartialEq)]
struct Limits(Vec<(List, usize)>);

impl Limits {
    fn of(&self, list: List) -> usize {
        self.0
            .iter()
            .find(|(l, _)| *l == list)
            .map_or(ROWS, |&(_, n)| n)
    }
    fn more(&mut self, list: List) {
        match self.0.iter_mut().find(|(l, _)| *l == list) {
            Some((_, n)) => *n += ROWS,
            None => self.0.push((list, 2 * ROWS)),
        }
    }
}

/// The first rows of a list, and how many it holds.
#[derive(Clone, PartialEq)]
struct Shown<T> {
    list: List,
    rows: Vec<T>,
    total: usize,
}

impl<T> Shown<T> {
    /// The first rows of `all` the `list` draws, each made by `row` from
    /// its index and item.
    fn first<A>(
        all: &[A],
        list: List,
        limits: &Limits,
        mut row: impl FnMut(usize, &A) -> T,
    ) -> Self {
        Shown {
            list,
            rows: (all.iter().take(limits.of(list)).enumerate())
                .map(|(i, a)| row(i, a))
                .collect(),
            total: all.len(),
        }
    }
    /// Which list, how many rows it draws, how many it holds.
    fn extent(&self) -> (List, usize, usize) {
        (self.list, self.rows.len(), self.total)
    }
}

/// A link's kind, trace id, span id, and its span when in the same trace.
type LinkRow = (String, String, String, Option<u32>);

/// Key/value rows of an attribute table.
type Pairs = Shown<(String, String)>;

/// An event: offset from the span start, name, attributes.
#[derive(Clone, PartialEq)]
struct EventRow {
    at: String,
    name: String,
    attrs: Pairs,
}

#[derive(Clone, PartialEq)]
struct Detail {
    id: String,
    service: String,
    name: String,
    trace_id: String,
    parent_id: String,
    start: String,
    /// How far adjusting the clocks moved it (ns), when it did.
    clock_shift: Option<i64>,
    duration: String,
    self_time: String,
    kind: &'static str,
    status: &'static str,
    status_message: String,
    attrs: Pairs,
    resource: Pairs,
    events: Shown<EventRow>,
    /// Kind, trace id, span id, and the span's index when it is in this trace.
    links: Shown<LinkRow>,
    warnings: Vec<&'static str>,
    is_error: bool,
    /// Spans below it: a subtree to focus on.
    has_children: bool,
}

fn pairs(ds: &Dataset, r: Range32, list: List, limits: &Limits) -> Pairs {
    Shown::first(ds.attrs(r), list, limits, |_, a| {
        (ds.str(a.key).to_string(), ds.value_text(a.value))
    })
}

/// Span `s`'s first links: kind, trace id, span id, and the span it names
/// when that is in this trace (found in one pass over the trace).
fn links(ds: &Dataset, t: &Trace, s: usize, limits: &Limits) -> Shown<LinkRow> {
    let all = ds.links(t.links[s]);
    let within = |l: &&Link| Some(l.trace_id) == t.trace_id;
    let drawn = all.iter().take(limits.of(List::Links));
    let keys: Vec<IdKey> = drawn.filter(within).map(|l| l.span_id).collect();
    let mut here = t.spans_of_keys(&keys).into_iter();
    Shown::first(all, List::Links, limits, |_, l| {
        (
            l.kind.as_str().to_string(),
            ds.link_trace_id(l).to_string(),
            ds.link_span_id(l).to_string(),
            within(&l).then(|| here.next().flatten()).flatten(),
        )
    })
}

/// Span `s` of trace `ti` as the panel shows it, each list's first rows.
fn detail(ds: &Dataset, ti: usize, s: usize, limits: &Limits) -> Option<Detail> {
    let t = ds.trace(ti)?;
    if s >= t.len() {
        return None;
    }
    let (b0, _) = t.bounds();
    let f = t.flags[s];
    let mut warnings = Vec::new();
    for (bit, text) in [
        (flags::ORPHAN, "its parent is not in the loaded data"),
        (flags::DUPLICATE_ID, "another span has the same id"),
        (
            flags::CYCLE_BROKEN,
            "its parent link made a cycle and was ignored",
        ),
        (
            flags::SHARED,
            "one half of a span id shared by client and server (Zipkin)",
        ),
        (
            flags::NO_DURATION,
            "the source gives no end time (in progress or lost)",
        ),
        (
            flags::NO_START,
            "the source gives no valid start time: shown at its parent's start",
        ),
        (
            flags::START_FROM_EVENT,
            "the source gives no start time: its first annotation's is used",
        ),
    ] {
        if f & bit != 0 {
            warnings.push(text);
        }
    }
    Some(Detail {
        id: ds.span_id(t, s).to_string(),
        service: ds.str(t.service[s]).to_string(),
        name: ds.str(t.name[s]).to_string(),
        trace_id: ds.trace_id(t).to_string(),
        parent_id: ds.parent_id(t, s).to_string(),
        start: format!(
            "+{}",
            format_duration(t.start_ns[s].saturating_sub(b0) as f64)
        ),
        clock_shift: Some(clock::shift_of(t, s)).filter(|&d| d != 0),
        duration: format_duration(t.duration_ns[s] as f64),
        self_time: format_duration(self_time_of(t, s) as f64),
        kind: t.kind[s].as_str(),
        status: t.status[s].as_str(),
        status_message: ds.str(t.status_message[s]).to_string(),
        attrs: pairs(ds, t.attrs[s], List::Attrs, limits),
        resource: pairs(
            ds,
            ds.resources[t.resource[s] as usize].attrs,
            List::Resource,
            limits,
        ),
        events: Shown::first(ds.events(t.events[s]), List::Events, limits, |i, e| {
            EventRow {
                at: format!(
                    "+{}",
                    format_duration(e.time_ns.saturating_sub(t.start_ns[s]) as f64)
                ),
                name: ds.str(e.name).to_string(),
                attrs: pairs(ds, e.attrs, List::EventAttrs(i), limits),
            }
        }),
        links: links(ds, t, s, limits),
        warnings,
        is_error: t.status[s] == StatusCode::Error,
        has_children: t.tree.subtree_size()[s] > 1,
    })
}

/// Values longer than this (or with more lines) show their start, with
/// "show all" and a copy button: a 13,000-character stack trace would make
/// the panel thousands of pixels tall.
const CLAMP_CHARS: usize = 400;
const CLAMP_LINES: usize = 6;

/// A key that breaks at its dots, not inside a word.
fn dotted_key(key: String) -> impl IntoView {
    let parts: Vec<String> = key.split_inclusive('.').map(str::to_string).collect();
    parts
        .into_iter()
        .map(|p| view! { {p}<wbr /> })
        .collect_view()
}

/// A button that copies `text`, saying so for a moment.
#[component]
fn CopyButton(
    text: String,
    testid: &'static str,
    #[prop(optional)] label: &'static str,
) -> impl IntoView {
    let done = RwSignal::new(false);
    view! {
        <button class="copy" data-testid=testid title="Copy" on:click=move |_| {
            crate::copy_text(&text);
            done.set(true);
            set_timeout(move || done.set(false), std::time::Duration::from_millis(1500));
        }>{move || if done.get() { "✓ copied" } else if label.is_empty() { "copy" } else { label }}</button>
    }
}

/// A value: links for http(s) URLs; text with its line breaks kept
/// (monospace when it has several lines, as stack traces do); long ones
/// clamped with "show all" and a copy button.
fn value_cell(v: String) -> AnyView {
    // Only http(s) URLs from a trace become links; everything else is text.
    if tracescope_core::links::is_web_url(&v) {
        let href = v.clone();
        return view! { <a href=href target="_blank" rel="noopener noreferrer nofollow">{v}</a> }
            .into_any();
    }
    let lines = v.lines().count();
    let multiline = lines > 1;
    let long = v.chars().count() > CLAMP_CHARS || lines > CLAMP_LINES;
    if !long {
        return view! { <span class:mono=multiline>{v}</span> }.into_any();
    }
    let all = RwSignal::new(false);
    let n = v.chars().count();
    let copy = v.clone();
    view! {
        <div class="long-value" class:mono=multiline class:clamped=move || !all.get() data-testid="long-value">{v}</div>
        <div class="value-actions">
            <button class="link-button" data-testid="value-more" on:click=move |_| all.update(|a| *a = !*a)>
                {move || if all.get() { "show less".to_string() } else { format!("show all ({n} characters)") }}
            </button>
            <CopyButton text=copy testid="value-copy" />
        </div>
    }
    .into_any()
}

fn kv_table(pairs: Pairs, testid: &'static str, more: impl IntoView) -> impl IntoView {
    view! {
        <table class="kv" data-testid=testid>
            <tbody>
                {pairs
                    .rows
                    .into_iter()
                    .map(|(k, v)| view! { <tr><th>{dotted_key(k)}</th><td>{value_cell(v)}</td></tr> })
                    .collect_view()}
            </tbody>
        </table>
        {more}
    }
}

#[component]
pub fn SpanDetail(
    /// (time of the selected span on the critical path, trace duration), ns.
    #[prop(into)]
    critical: Signal<Option<(i64, i64)>>,
    /// Copies a link to the selected span (the App knows the URL).
    #[prop(optional)]
    copy_link: Option<Callback<u32>>,
    /// Lists only the selected span and those below it.
    #[prop(optional)]
    on_focus: Option<Callback<u32>>,
    /// What the copy did, shown next to its button.
    #[prop(optional)]
    copy_feedback: Option<ViewFn>,
    /// (name, href) links to logs for the selected span.
    #[prop(optional, into)]
    log_links: Option<Signal<NamedLinks>>,
    /// Opens a span of another trace (trace id, span id): the App opens it
    /// when loaded, else fetches it from the backend this one came from.
    #[prop(optional)]
    open_trace: Option<Callback<(String, String)>>,
) -> impl IntoView {
    let ViewContext {
        dataset,
        trace,
        selected,
        ..
    } = view_context();
    // Rows drawn per list; each span selected starts at ROWS a list.
    let limits = RwSignal::new(Limits::default());
    Effect::new(move |_| {
        selected.track();
        limits.set(Limits::default());
    });
    let d = Memo::new(move |_| {
        let s = selected.get()? as usize;
        limits.with(|l| dataset.with(|ds| detail(ds, trace.get()?, s, l)))
    });
    // "Show more" under a list drawn in part: ROWS more of that list.
    let more = move |(list, shown, total): (List, usize, usize)| {
        (shown < total).then(|| view! {
            <button class="link-button more-rows" data-testid="show-more-rows" data-shown=shown data-total=total
                on:click=move |_| limits.update(|l| l.more(list))>
                {format!("show {} more of {total}", (total - shown).min(ROWS))}
            </button>
        })
    };
    // Where its duration falls among every loaded span of its operation.
    let rank = Memo::new(move |_| {
        let s = selected.get()? as usize;
        dataset.with(|ds| span_rank(&ds.traces, ds.trace(trace.get()?)?, s))
    });
    move || {
        d.get().map(|d| {
            let n_attrs = d.attrs.total;
            let n_res = d.resource.total;
            let n_events = d.events.total;
            let n_links = d.links.total;
            view! {
                <aside class="span-detail" data-testid="span-detail" data-span-id=d.id.clone()>
                    <header>
                        <div class="detail-service">{d.service.clone()}</div>
                        <h2 class:error=d.is_error>{d.name.clone()}</h2>
                        <button class="close" title="Close (Esc)" on:click=move |_| selected.set(None)>"×"</button>
                    </header>
                    {copy_link.map(|cb| view! {
                        <button class="button small" data-testid="copy-span-link" title="Copy a link that opens this trace with this span selected"
                            on:click=move |_| if let Some(s) = selected.get_untracked() { cb.run(s) }>"Copy link to this span"</button>
                    })}
                    {copy_feedback.clone().map(|f| f.run())}
                    {on_focus.filter(|_| d.has_children).map(|cb| view! {
                        <button class="button small" data-testid="focus-span" title="List only this span and the spans below it"
                            on:click=move |_| if let Some(s) = selected.get_untracked() { cb.run(s) }>"Focus on this subtree"</button>
                    })}
                    {log_links.map(|l| move || l.get().into_iter().map(|(name, href)| view! {
                        <a class="log-link" data-testid="span-log-link" href=href target="_blank" rel="noopener noreferrer">{format!("{name} ↗")}</a>
                    }).collect_view())}
                    {(!d.warnings.is_empty()).then(|| view! {
                        <ul class="warnings" data-testid="span-warnings">
                            {d.warnings.iter().map(|w| view! { <li>{*w}</li> }).collect_view()}
                        </ul>
                    })}
                    <table class="kv facts">
                        <tbody>
                            <tr><th>"duration"</th><td>{d.duration.clone()}</td></tr>
                            {move || rank.get().map(|(p, n)| view! {
                                <tr><th>"among its operation"</th>
                                    <td data-testid="span-rank" data-rank=p data-of=n
                                        title="The share of the loaded spans of this service and operation as fast as this one or faster">
                                        {format!("p{p} of {n} spans")}
                                    </td></tr>
                            })}
                            <tr><th>"self time"</th><td data-testid="self-time">{d.self_time.clone()}</td></tr>
                            <tr><th>"critical path"</th><td data-testid="critical-time">{move || match critical.get() {
                                Some((on, total)) if on > 0 => format!("{} ({:.0}% of the trace)", format_duration(on as f64), 100.0 * on as f64 / total.max(1) as f64),
                                _ => "not on the critical path".to_string(),
                            }}</td></tr>
                            <tr><th>"start"</th><td>{d.start.clone()}</td></tr>
                            {d.clock_shift.map(|shift| view! {
                                <tr><th>"clock adjusted"</th><td data-testid="clock-shift" data-shift-ns=shift
                                    title="Its clock disagreed with its parent's; the source's start is this much earlier or later">
                                    {format!("moved {}{}", if shift < 0 { "−" } else { "+" }, format_duration(shift.unsigned_abs() as f64))}
                                </td></tr>
                            })}
                            <tr><th>"kind"</th><td>{d.kind}</td></tr>
                            <tr><th>"status"</th><td class:error=d.is_error>{d.status}{(!d.status_message.is_empty()).then(|| format!(": {}", d.status_message))}</td></tr>
                            <tr><th>"span id"</th><td class="mono">{d.id.clone()}" "<CopyButton text=d.id.clone() testid="copy-span-id" /></td></tr>
                            <tr><th>"parent id"</th><td class="mono">{if d.parent_id.is_empty() { "—".to_string() } else { d.parent_id.clone() }}</td></tr>
                            <tr><th>"trace id"</th><td class="mono">{d.trace_id.clone()}" "<CopyButton text=d.trace_id.clone() testid="copy-trace-id" /></td></tr>
                        </tbody>
                    </table>
                    <details open=true>
                        <summary>{format!("Attributes ({n_attrs})")}</summary>
                        {kv_table(d.attrs.clone(), "span-attributes", more(d.attrs.extent()))}
                    </details>
                    <details open=n_res < 12>
                        <summary>{format!("Resource / process ({n_res})")}</summary>
                        {kv_table(d.resource.clone(), "span-resource", more(d.resource.extent()))}
                    </details>
                    {(n_events > 0).then(|| view! {
                        <details open=true>
                            <summary>{format!("Events / logs ({n_events})")}</summary>
                            <ul class="events" data-testid="span-events">
                                {d.events.rows.iter().cloned().map(|EventRow { at, name, attrs }| view! {
                                    <li>
                                        <div><span class="mono">{at}</span>" "<b>{name}</b></div>
                                        {(attrs.total > 0).then(|| {
                                            let more = more(attrs.extent());
                                            kv_table(attrs, "event-attributes", more)
                                        })}
                                    </li>
                                }).collect_view()}
                            </ul>
                            {more(d.events.extent())}
                        </details>
                    })}
                    {(n_links > 0).then(|| view! {
                        <details open=true>
                            <summary>{format!("Links ({n_links})")}</summary>
                            <ul class="links" data-testid="span-links">
                                {d.links.rows.iter().cloned().map(|(kind, tr, sp, here)| view! {
                                    <li><span class="tag">{kind}</span>" "
                                        // A span of this trace: go to it.
                                        {match here {
                                            Some(k) => view! { <button class="link-button mono" data-span=k on:click=move |_| selected.set(Some(k))>{sp}</button> }.into_any(),
                                            // Another trace's span: opened as a link to it would be.
                                            None => {
                                                let text = format!("{tr} / {sp}");
                                                match open_trace {
                                                    Some(open) => view! { <button class="link-button mono" data-testid="open-linked-trace" title="Open this span in its trace"
                                                        on:click=move |_| open.run((tr.clone(), sp.clone()))>{text}</button> }.into_any(),
                                                    None => view! { <span class="mono">{text}</span> }.into_any(),
                                                }
                                            }
                                        }}
                                    </li>
                                }).collect_view()}
                            </ul>
                            {more(d.links.extent())}
                        </details>
                    })}
                </aside>
            }
        })
    }
}
