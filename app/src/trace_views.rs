//! The open trace: its summary, the view tabs and toolbar, the view on
//! screen with the span detail, and the hint line. Everything it needs
//! comes from the contexts (`AppState`, `ViewState`).

use crate::find_bar::{step_error, FindBar};
use crate::focus::{focus_on, FocusCrumbs};
use crate::insights::InsightsList;
use crate::log_links::Templates;
use crate::pills::Pills;
use crate::row_attribute::RowAttributePicker;
use crate::state::AppState;
use crate::topbar::CopyFeedback;
use crate::url_state::UrlState;
use crate::views::{Tab, ViewState};
use leptos::prelude::*;
use tracescope_components::{
    CallsTable, FlameGraph, FlameMode, FlameModeSwitch, FlameZoom, FramesTable, Merge, RowsTable,
    ServiceMap, SpanDetail, StatsView, Toggle, ViewContext, WaterfallCanvas,
};
use tracescope_core::analysis::clock;
use tracescope_core::analysis::insights::InsightKind;
use tracescope_core::layout::time::{format_duration, format_utc};
use tracescope_core::links::LinkContext;

#[component]
pub fn TraceViews(
    log_templates: RwSignal<Templates>,
    /// Opens what a link names (`links::Links::open_link`).
    open_link: Callback<UrlState>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let AppState {
        dataset,
        open,
        dark,
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
        flame_mode,
        matches_only,
        flame_chart_focus,
        flame_merged_focus,
        summary,
        trace_count,
        scope_all,
        slots,
        critical,
        critical_of_selected,
        selected_op,
        ..
    } = expect_context::<ViewState>();
    let views = expect_context::<ViewState>();
    // Where the clocks disagree, or while they are adjusted.
    let clock_toggle_shown = Signal::derive(move || {
        matches!(tab.get(), Tab::Waterfall | Tab::Flame)
            && (views.adjust_clocks.get()
                || views.insights.with(|v| {
                    v.iter()
                        .flat_map(|l| l.iter())
                        .any(|i| i.kind == InsightKind::ClockSkew)
                }))
    });
    let open_signal = Signal::derive(move || open.get());
    // Which merged graph the flame table lists (a memo: choosing an
    // operation changes nothing in merged mode).
    let merge = Memo::new(move |_| Merge::of(flame_mode.get(), selected_op.get()));
    let flame_zoom = FlameZoom {
        mode: flame_mode.into(),
        chart_focus: flame_chart_focus,
        merged_focus: flame_merged_focus,
    };
    provide_context(ViewContext {
        dataset,
        trace: open_signal,
        all_traces: scope_all,
        selected,
        selected_op,
        collapsed,
        service_filter,
        slots: slots.into(),
        critical_path: critical,
        show_critical: show_critical.into(),
        found: views.marked,
        matches_only: matches_only.into(),
        dark: dark.into(),
        min_window_ns: Signal::derive(|| 0.0),
        focus: views.focus.into(),
        only: views.pill_spans.into(),
        row_attribute: views.row_attribute.into(),
        row_columns: views.row_columns.into(),
        badges: Memo::new(move |_| {
            std::sync::Arc::new(views.insights.with(|i| {
                tracescope_core::layout::waterfall::Badges::of(i.as_deref().map_or(&[], |l| &l[..]))
            }))
        })
        .into(),
    });
    // The canvas views shown as tables of text (their text alternatives).
    let as_table = RwSignal::new(false);
    let span_copied = RwSignal::new(None::<(f64, crate::copy_link::Copied)>);
    let copy_span_link = Callback::new(move |_: u32| {
        leptos::task::spawn_local(async move {
            crate::topbar::flash(span_copied, crate::copy_link::copy_view_link(state).await)
        })
    });
    // Log links of the open trace (its whole time) and of the selected span.
    let link_context = move |templates: &Templates, span: Option<usize>| -> Vec<(String, String)> {
        dataset.with(|ds| {
            let Some(t) = open.get().and_then(|i| ds.trace(i)) else {
                return Vec::new();
            };
            let (b0, b1) = t.bounds();
            let root = summary
                .with(|s| s.as_ref().map(|s| s.root_service.clone()))
                .unwrap_or_default();
            let (span_id, service, start, end) = match span.filter(|&s| s < t.len()) {
                Some(s) => (
                    ds.span_id(t, s).to_string(),
                    ds.str(t.service[s]).to_string(),
                    t.start_ns[s],
                    t.end_ns(s),
                ),
                None => (String::new(), root, b0, b1),
            };
            let trace_id = ds.trace_id(t).to_string();
            crate::log_links::links(
                templates,
                &LinkContext {
                    trace_id: &trace_id,
                    span_id: &span_id,
                    service: &service,
                    start_ns: start,
                    end_ns: end,
                },
            )
        })
    };
    let trace_log_links = Memo::new(move |_| log_templates.with(|t| link_context(t, None)));
    let span_log_links = Signal::derive(move || match selected.get() {
        Some(s) => log_templates.with(|t| link_context(t, Some(s as usize))),
        None => Vec::new(),
    });
    let filter_name = Memo::new(move |_| {
        service_filter
            .get()
            .map(|s| dataset.with(|ds| ds.str(s).to_string()))
    });
    let expand_all = move |_| views.expand_all();
    let collapse_all = move |_| views.collapse_all(state);
    crate::jaeger_keys::listen(state, views);
    view! {
            <Show
                when=move || summary.with(|s| s.is_some())
                fallback=move || view! {
                    <div class="empty">
                        <p><b>"Drop trace files anywhere on this page"</b></p>
                        <p>"or use Open files…, or paste JSON. Jaeger, OTLP, Zipkin v1/v2, Chrome trace events, AWS X-Ray, Datadog and Google Cloud Trace; .json, .jsonl and .gz."</p>
                    </div>
                }
            >
                {move || summary.get().map(|s| {
                    let warn_count = s.warnings.len();
                    let has_errors = s.errors > 0;
                    let duration_us = s.duration_ns / 1000;
                    view! {
                        <section
                            class="trace-summary"
                            data-testid="trace-summary"
                            data-trace-id=s.trace_id.clone()
                            data-spans=s.spans
                            data-services=s.services
                            data-errors=s.errors
                            data-duration-us=duration_us
                        >
                            <div class="root">
                                <b>{s.root_service.clone()}</b>" "<span>{s.root_name.clone()}</span>
                            </div>
                            <div class="facts">
                                <span title="trace id" class="mono">{s.trace_id.clone()}</span>
                                <span>{format_utc(s.start_ns)}</span>
                                <span>{format!("duration {}", format_duration(s.duration_ns as f64))}</span>
                                <span>{format!("{} spans", s.spans)}</span>
                                <span>{format!("{} services", s.services)}</span>
                                <button class="link-button" class:error=has_errors data-testid="error-count"
                                    title="Select the next span with an error (e; E goes back)" disabled=!has_errors
                                    on:click=move |_| step_error(state, views, false)>{format!("{} errors", s.errors)}</button>
                                {move || trace_log_links.get().into_iter().map(|(name, href)| view! {
                                    <a class="log-link" data-testid="trace-log-link" href=href target="_blank" rel="noopener noreferrer">{format!("{name} ↗")}</a>
                                }).collect_view()}
                            </div>
                            <InsightsList />
                            {(warn_count > 0).then(|| view! {
                                <details class="trace-warnings" data-testid="trace-warnings">
                                    <summary>{format!("{warn_count} warning{}", if warn_count == 1 { "" } else { "s" })}</summary>
                                    <ul>{s.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}</ul>
                                </details>
                            })}
                        </section>
                    }
                })}
                <nav class="toolbar">
                    <div class="tabs" role="tablist">
                        {Tab::ALL.into_iter().map(|t| view! {
                            <button
                                class="tab"
                                class:active=move || tab.get() == t
                                role="tab"
                                aria-selected=move || (tab.get() == t).to_string()
                                data-testid=t.test_id()
                                on:click=move |_| tab.set(t)
                            >{t.label()}</button>
                        }).collect_view()}
                    </div>
                    <Show when=move || tab.get() == Tab::Flame>
                        <FlameModeSwitch mode=flame_mode zoom=flame_zoom />
                    </Show>
                    <Show when=move || { tab.get().has_scope(flame_mode.get()) && trace_count.get() > 1 }>
                        <div class="segmented" role="group" aria-label="Scope">
                            <button class:active=move || !all_traces.get() data-testid="scope-trace" on:click=move |_| { all_traces.set(false); flame_merged_focus.set(0); }>"This trace"</button>
                            <button class:active=move || all_traces.get() data-testid="scope-all" on:click=move |_| { all_traces.set(true); flame_merged_focus.set(0); }>
                                {move || format!("All {} traces", trace_count.get())}
                            </button>
                        </div>
                    </Show>
                    {move || filter_name.get().map(|name| {
                        let key = name.clone();
                        view! {
                        <span class="chip" data-testid="service-filter" data-service=key>
                            "service: "<b>{name}</b>
                            <button class="close" title="Show every service" on:click=move |_| service_filter.set(None)>"×"</button>
                        </span>
                    }})}
                    <span class="spacer"></span>
                    // The view's own controls: after the tabs on a wide screen, one
                    // line of their own that scrolls sideways on a narrow one.
                    <div class="toolbar-controls" data-testid="toolbar-controls">
                    <Show when=move || tab.get() == Tab::Waterfall || (tab.get() == Tab::Flame && flame_mode.get() == FlameMode::Chart)>
                        <Toggle checked=show_critical testid="critical-toggle" label="Critical path"
                            title="Mark the chain of work that determined the trace's duration" />
                    </Show>
                    <Show when=move || clock_toggle_shown.get()>
                        <Toggle checked=views.adjust_clocks testid="skew-toggle" label="Adjust clocks"
                            title="Move spans timed by another machine's clock into their parents, as Jaeger does (exports and shared data keep the source's times)" />
                        {move || views.clock_shifts.get().map(|(moved, refused)| view! {
                            <span class="muted" data-testid="clock-shifts" data-moved=moved data-refused=refused>
                                {clock_shifts_text(moved, refused)}
                            </span>
                        })}
                    </Show>
                    <Show when=move || tab.get() != Tab::Stats>
                        <Toggle checked=as_table testid="rows-table-toggle" label="As a table"
                            title="The same view as a table of text (for screen readers, and to select and copy)" />
                    </Show>
                    <span class="contents" hidden=move || tab.get() != Tab::Waterfall>
                        <button class="button" data-testid="expand-all" on:click=expand_all>"Expand all"</button>
                        <button class="button" data-testid="collapse-all" on:click=collapse_all>"Collapse all"</button>
                        <button class="button" data-testid="reset-zoom" on:click=move |_| view.set(None) disabled=move || view.get().is_none()>"Reset zoom"</button>
                        <RowAttributePicker />
                    </span>
                    </div>
                </nav>
                <Show when=move || tab.get() == Tab::Waterfall>
                    <FocusCrumbs />
                </Show>
                // Find has a row of its own: the toolbar keeps one line beside Search.
                <Show when=move || matches!(tab.get(), Tab::Waterfall | Tab::Flame)>
                    <div class="find-row">
                        <FindBar />
                        // Beside the find: they narrow the rows the same way.
                        <Show when=move || tab.get() == Tab::Waterfall>
                            <Pills />
                        </Show>
                    </div>
                </Show>
                <div class="view-area" data-view=move || tab.get().test_id()>
                    {move || match tab.get() {
                        Tab::Waterfall if as_table.get() => view! {
                            <RowsTable />
                        }.into_any(),
                        Tab::Waterfall => view! {
                            <WaterfallCanvas view=view />
                        }.into_any(),
                        Tab::Flame if as_table.get() && flame_mode.get() == FlameMode::Chart => view! {
                            <RowsTable />
                        }.into_any(),
                        // A sandwich with no operation yet: the graph's note says how to choose one.
                        Tab::Flame if as_table.get() && merge.with(Option::is_some) => view! {
                            <FramesTable focus=flame_merged_focus what=merge />
                        }.into_any(),
                        Tab::Map if as_table.get() => view! {
                            <CallsTable />
                        }.into_any(),
                        Tab::Flame => view! {
                            <FlameGraph zoom=flame_zoom />
                        }.into_any(),
                        Tab::Map => view! {
                            <ServiceMap />
                        }.into_any(),
                        Tab::Stats => view! {
                            <StatsView />
                        }.into_any(),
                    }}
                    <Show when=move || matches!(tab.get(), Tab::Waterfall | Tab::Flame)>
                        <SpanDetail on_focus=Callback::new(move |s: u32| focus_on(state, views, s)) critical=critical_of_selected copy_link=copy_span_link
                            copy_feedback=ViewFn::from(move || view! { <CopyFeedback feedback=span_copied testid="span-copy-feedback" /> }) log_links=span_log_links
                            open_trace=Callback::new(move |(trace, span)| open_linked(state, open_link, trace, span)) />
                    </Show>
                </div>
                // The stylesheet shows the touch line on touch screens instead.
                <div hidden=move || as_table.get() && tab.get() != Tab::Stats>
                <p class="hint hint-pointer">{move || match tab.get() {
                    Tab::Waterfall => "Wheel scrolls · Ctrl/⌘+wheel or pinch zooms · Shift+wheel pans · drag on the timeline to zoom to a range · drag the minimap · double-click resets · ↑↓←→ move and fold · / finds, n and N step through matches · ? lists every shortcut",
                    Tab::Flame if flame_mode.get() == FlameMode::Sandwich => "Who calls the operation is above it (the nearest caller first), what it calls below · click a frame for its operation's sandwich · wheel scrolls",
                    Tab::Flame => "Click a frame to zoom into it · the breadcrumb goes back · Ctrl/⌘+wheel zooms the time axis · frames without a match of the find are dimmed · click a service in the legend to filter",
                    Tab::Map => "Drag pans · wheel zooms · double-click fits · hover a service to see its neighbours · click it to filter every view to it",
                    Tab::Stats => "Click a column to sort · click a row for its latency histogram · percentiles are exact (nearest rank)",
                }}</p>
                <p class="hint hint-touch">{move || match tab.get() {
                    Tab::Waterfall => "Drag scrolls the rows and pans the time · pinch zooms · tap a span for its details · double-tap resets the zoom",
                    Tab::Flame if flame_mode.get() == FlameMode::Sandwich => "Callers above the operation, what it calls below · tap a frame for its operation's sandwich · drag scrolls",
                    Tab::Flame => "Tap a frame to zoom into it · the breadcrumb goes back · drag scrolls · pinch zooms the time axis",
                    Tab::Map => "Drag pans · pinch zooms · double-tap fits · tap a service to filter every view to it",
                    Tab::Stats => "Tap a column to sort · tap a row for its latency histogram · percentiles are exact (nearest rank)",
                }}</p>
                </div>
            </Show>
    }
}

/// What adjusting the clocks did, beside its toggle.
fn clock_shifts_text(moved: usize, refused: u32) -> String {
    let mut text = format!("{moved} span{} moved", if moved == 1 { "" } else { "s" });
    if refused > 0 {
        text += &format!(
            "; {refused} off by more than {} left",
            format_duration(clock::MAX_SHIFT_NS as f64)
        );
    }
    text
}

/// Opens a span of another trace as a link to it would, asking the backend
/// the open trace came from when it is not loaded; else a notice says it
/// is not here and what is open stays.
fn open_linked(state: AppState, open_link: Callback<UrlState>, trace: String, span: String) {
    let here = UrlState::parse(&crate::url_state::location_search());
    let loaded = state
        .dataset
        .with_untracked(|ds| ds.trace_with_id(&trace).is_some());
    // A trace fetched from a backend keeps the URL it was fetched by.
    let source = state.open.get_untracked().and_then(|i| {
        state
            .fetched_from
            .with_untracked(|f| f.get(i).cloned().flatten())
    });
    let backend = source.and_then(|u| {
        crate::backends::configured()
            .into_iter()
            .find(|b| u.starts_with(&b.url))
    });
    if !loaded && backend.is_none() {
        state.notice.set(Some(crate::state::Notice::text(format!(
            "Trace {trace} is not loaded: open the file that holds it, or search for it in its backend."
        ))));
        return;
    }
    open_link.run(UrlState {
        trace: Some(trace),
        span: Some(span),
        view: here.view,
        kind: backend.as_ref().map(|b| b.kind.key().to_string()),
        backend: backend.map(|b| b.url),
        embed: here.embed,
        theme: here.theme,
        ..UrlState::default()
    });
}
