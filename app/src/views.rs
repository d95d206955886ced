//! The views of the open trace and what they share: which view, the
//! selected span and operation, zoom, folds, the service filter, the flame
//! graph's mode and zoom, the critical path; the state a link brings,
//! applied once its trace opens. Given to the tree with `provide_context`.

use crate::state::AppState;
use crate::url_state::UrlState;
use leptos::prelude::*;
use std::sync::Arc;
use tracescope_components::canvas::{
    build_in_parts, in_parts, later_for_trace, later_for_trace_in_parts, next_task,
};
use tracescope_components::theme::{service_slots, ServiceSlots};
use tracescope_components::FlameMode;
use tracescope_core::analysis::clock::{self, ShiftsBuilder};
use tracescope_core::analysis::critical_path::{critical_path, CriticalPath};
use tracescope_core::analysis::insights::{Insight, InsightsBuilder, Thresholds};
use tracescope_core::analysis::pills::{pill_spans, Pill, SlowBuilder};
use tracescope_core::analysis::summary::{summarize, TraceSummary};
use tracescope_core::find::{FindBuilder, FindQuery, Found};
use tracescope_core::model::StrId;
use tracescope_core::{Dataset, Trace};

/// Spans a find tests per task: ~5 ms in a page.
const FIND_PART: usize = 50_000;
/// A trace up to this many spans has its slow spans found at once (~5 ms).
const SLOW_AT_ONCE: usize = 50_000;
/// Spans the slow pill numbers per task in a larger one: ~4 ms in a page.
const SLOW_PART: usize = 250_000;

/// Whether `t`'s slow spans are found a part per task (the effect that
/// makes them and the mask that waits for them must agree).
fn slow_in_parts(t: &Trace) -> bool {
    t.len() > SLOW_AT_ONCE
}

/// The views of the open trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Waterfall,
    Flame,
    Map,
    Stats,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::Waterfall, Tab::Flame, Tab::Map, Tab::Stats];
    pub fn label(self) -> &'static str {
        match self {
            Tab::Waterfall => "Waterfall",
            Tab::Flame => "Flame graph",
            Tab::Map => "Service map",
            Tab::Stats => "Statistics",
        }
    }
    /// The name in the URL (`view=`).
    pub fn name(self) -> &'static str {
        match self {
            Tab::Waterfall => "waterfall",
            Tab::Flame => "flame",
            Tab::Map => "map",
            Tab::Stats => "stats",
        }
    }
    pub fn from_name(name: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.name() == name)
    }
    pub fn test_id(self) -> &'static str {
        match self {
            Tab::Waterfall => "view-waterfall",
            Tab::Flame => "view-flame",
            Tab::Map => "view-map",
            Tab::Stats => "view-stats",
        }
    }
    /// Whether the view can cover every loaded trace, not only the open one.
    pub fn has_scope(self, flame: FlameMode) -> bool {
        matches!(self, Tab::Map | Tab::Stats) || (self == Tab::Flame && flame != FlameMode::Chart)
    }
}

#[derive(Clone, Copy)]
pub struct ViewState {
    pub tab: RwSignal<Tab>,
    pub selected: RwSignal<Option<u32>>,
    /// The operation (service, name) of the selected span, or chosen in the statistics.
    pub selected_op: RwSignal<Option<(StrId, StrId)>>,
    /// Folded subtrees, by span.
    pub collapsed: RwSignal<Vec<bool>>,
    /// The waterfall's time window (absolute ns), None: the whole trace.
    pub view: RwSignal<Option<(f64, f64)>>,
    /// Views that can, cover every loaded trace.
    pub all_traces: RwSignal<bool>,
    pub service_filter: RwSignal<Option<StrId>>,
    pub show_critical: RwSignal<bool>,
    /// The open trace shown with its clocks adjusted (`skew=adjust`).
    pub adjust_clocks: RwSignal<bool>,
    /// While it is: how many of its spans moved, and how many shifts were
    /// too large to make.
    pub clock_shifts: Memo<Option<(usize, u32)>>,
    pub flame_mode: RwSignal<FlameMode>,
    /// The find box's text (in the URL as `find=`).
    pub find: RwSignal<String>,
    /// The spans of the open trace it matches (None for an empty query,
    /// and while `finding`), or what is wrong with it.
    pub found: RwSignal<Result<Option<Arc<Found>>, String>>,
    /// A find over a large trace is being made, a part per task.
    pub finding: RwSignal<bool>,
    /// Only matches and the spans above them are listed.
    pub matches_only: RwSignal<bool>,
    /// The attribute each waterfall row shows after its name.
    pub row_attribute: RwSignal<Option<String>>,
    /// The attributes shown as columns beside the waterfall's names.
    pub row_columns: RwSignal<Vec<String>>,
    /// Spans an insight points at, marked instead of the find's until the
    /// find changes.
    pub highlight: RwSignal<Option<Arc<Found>>>,
    /// What the views mark: the highlight, else the find's matches.
    pub marked: Signal<Option<Arc<Found>>>,
    /// The open trace's insights, the most time at stake first.
    pub insights: Signal<Option<Arc<Vec<Insight>>>>,
    pub flame_chart_focus: RwSignal<Option<u32>>,
    pub flame_merged_focus: RwSignal<u32>,
    /// The span whose subtree alone is listed (`focus=`).
    pub focus: RwSignal<Option<u32>>,
    /// The pill that narrows the rows (`only=`), and the spans it keeps.
    pub pill: RwSignal<Option<Pill>>,
    pub pill_spans: Memo<Option<Arc<Vec<bool>>>>,
    /// State from a link, waiting for its trace to open (span, zoom, service).
    pub pending: StoredValue<Option<UrlState>>,
    /// Bumped when a pending state has been applied, so the URL is written then.
    pub pending_applied: RwSignal<u32>,
    pub summary: Memo<Option<TraceSummary>>,
    pub trace_count: Memo<usize>,
    /// Whether the view on screen covers every trace.
    pub scope_all: Signal<bool>,
    /// One palette for every view: over what the views show.
    pub slots: Memo<ServiceSlots>,
    pub critical: Signal<Option<Arc<CriticalPath>>>,
    /// (time of the selected span on the critical path, trace duration), ns.
    pub critical_of_selected: Signal<Option<(i64, i64)>>,
}

/// Spans a part of adjusting a trace's clocks places.
const CLOCK_PART: usize = 100_000;

/// Shows trace `target` clock-adjusted, if that reading is made, and every
/// other as timed; the views hear of it only when the times shown change.
/// Until a reading was `made` (only here) there is nothing to swap: a load
/// of a million one-span traces read each of them for nothing (~20 ms).
fn show_clocks(dataset: RwSignal<Dataset>, target: Option<usize>, made: StoredValue<bool>) {
    if made.get_value()
        && dataset.try_update_untracked(|ds| clock::show_adjusted(ds, target)) == Some(true)
    {
        dataset.notify();
    }
}

impl ViewState {
    /// Every subtree unfolded.
    pub fn expand_all(&self) {
        self.collapsed
            .update(|c| c.iter_mut().for_each(|x| *x = false));
    }

    /// Every subtree folded: the roots alone are listed.
    pub fn collapse_all(&self, state: AppState) {
        let folded = state.dataset.with_untracked(|ds| {
            state
                .open
                .get_untracked()
                .and_then(|i| ds.trace(i))
                .map(|t| {
                    (0..t.len())
                        .map(|s| t.tree.subtree_size()[s] > 1)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        });
        self.collapsed.set(folded);
    }

    pub fn new(state: AppState) -> ViewState {
        let AppState { dataset, open, .. } = state;
        let selected = RwSignal::new(None::<u32>);
        let collapsed = RwSignal::new(Vec::<bool>::new());
        let view = RwSignal::new(None::<(f64, f64)>);
        let tab = RwSignal::new(Tab::Waterfall);
        let all_traces = RwSignal::new(false);
        let service_filter = RwSignal::new(None::<StrId>);
        let selected_op = RwSignal::new(None::<(StrId, StrId)>);
        let show_critical = RwSignal::new(true);
        let adjust_clocks = RwSignal::new(false);
        // The open trace alone is shown adjusted, once its adjusted reading
        // is made (a part per task: a million spans take tens of ms).
        let adjust_job = StoredValue::new(0u64);
        let reading_made = StoredValue::new(false);
        Effect::new(move |_| {
            let target = open.get().filter(|_| adjust_clocks.get());
            dataset.track();
            show_clocks(dataset, target, reading_made);
            let Some(i) = target else { return };
            let start = dataset.with_untracked(|ds| {
                let t = ds.trace(i).filter(|t| t.other_clock().is_none())?;
                let b = ShiftsBuilder::new(t, clock::MAX_SHIFT_NS);
                Some((b, t.identity()))
            });
            let Some((builder, key)) = start else { return };
            // Still the trace the reading is made for.
            let same = move |t: &&Trace| t.identity() == key;
            build_in_parts(
                adjust_job,
                dataset,
                builder,
                move |b, ds| {
                    ds.trace(i)
                        .filter(same)
                        .is_none_or(|t| b.step(ds, t, CLOCK_PART))
                },
                move |b, ds| {
                    let Some(other) = ds.trace(i).filter(same).map(|t| b.finish(t)) else {
                        return;
                    };
                    // Kept in the trace a task later: the views' reaction to
                    // the new times gets a task of its own.
                    leptos::task::spawn_local(async move {
                        next_task().await;
                        dataset.try_update_untracked(|ds| {
                            if let Some(t) = ds.traces.get_mut(i).filter(|t| t.identity() == key) {
                                t.set_other_clock(other);
                                reading_made.set_value(true);
                            }
                        });
                        show_clocks(
                            dataset,
                            open.get_untracked()
                                .filter(|_| adjust_clocks.get_untracked()),
                            reading_made,
                        );
                    });
                },
            );
        });
        let clock_shifts = Memo::new(move |_| {
            let i = open.get()?;
            dataset.with(|ds| {
                let t = ds.trace(i)?;
                t.clock_adjusted().then(|| clock::moved_and_refused(t))
            })
        });
        let flame_mode = RwSignal::new(FlameMode::Chart);
        let find = RwSignal::new(String::new());
        let matches_only = RwSignal::new(false);
        let highlight = RwSignal::new(None::<Arc<Found>>);
        let flame_chart_focus = RwSignal::new(None::<u32>);
        let flame_merged_focus = RwSignal::new(0u32);
        let focus = RwSignal::new(None::<u32>);
        let pill = RwSignal::new(None::<Pill>);
        let pending = StoredValue::new(None::<UrlState>);
        let pending_applied = RwSignal::new(0u32);
        // Which trace is open: the same one after other files load or its
        // clocks are adjusted.
        let opened = Memo::new(move |_| {
            let i = open.get();
            dataset.with(|ds| i.and_then(|i| ds.trace(i)).map(|t| (i, t.identity())))
        });
        // Opening a trace resets what belonged to the previous one (and
        // applies a link's state: opened again by the link).
        Effect::new(move |_| {
            open.track();
            let n = opened.get().map_or(0, |(_, (_, _, n))| n);
            selected.set(None);
            highlight.set(None);
            view.set(None);
            service_filter.set(None);
            flame_chart_focus.set(None);
            flame_merged_focus.set(0);
            focus.set(None);
            pill.set(None);
            collapsed.set(vec![false; n]);
            // A link's span, zoom and service filter apply to the trace it opened.
            if let Some(st) = pending.try_update_value(|p| p.take()).flatten() {
                pending_applied.update(|n| *n += 1);
                dataset.with_untracked(|ds| {
                    let Some(t) = open.get_untracked().and_then(|i| ds.trace(i)) else {
                        return;
                    };
                    // The span a link names by its id.
                    let span_of = |id: &str| {
                        (0..t.len())
                            .find(|&s| *ds.span_id(t, s) == *id)
                            .map(|s| s as u32)
                    };
                    if let Some(id) = &st.span {
                        selected.set(span_of(id));
                    }
                    if let Some((a, b)) = st.zoom {
                        let b0 = t.bounds().0 as f64;
                        view.set(Some((b0 + a, b0 + b)));
                    }
                    service_filter.set(st.service.as_deref().and_then(|n| ds.strings.lookup(n)));
                    if let Some(id) = &st.flame_span {
                        flame_chart_focus.set(span_of(id));
                    }
                    flame_merged_focus.set(st.flame_node.unwrap_or(0));
                    pill.set(st.only.as_deref().and_then(Pill::from_key));
                    if let Some(id) = &st.focus {
                        focus.set(span_of(id));
                    }
                    if !st.fold.is_empty() {
                        collapsed.set(
                            (0..t.len())
                                .map(|s| st.fold.iter().any(|id| *id == *ds.span_id(t, s)))
                                .collect(),
                        );
                    }
                });
            }
        });
        // A span selected anywhere selects its operation everywhere.
        Effect::new(move |_| {
            let Some(s) = selected.get() else { return };
            let op = dataset.with_untracked(|ds| {
                let t = ds.trace(open.get_untracked()?)?;
                let s = s as usize;
                (s < t.len()).then(|| (t.service[s], t.name[s]))
            });
            if op.is_some() && op != selected_op.get_untracked() {
                selected_op.set(op);
            }
        });
        let summary = Memo::new(move |_| {
            dataset.with(|ds| {
                open.get()
                    .and_then(|i| ds.trace(i))
                    .map(|t| summarize(ds, t))
            })
        });
        let trace_count = Memo::new(move |_| dataset.with(|ds| ds.traces.len()));
        let found = RwSignal::new(Ok(None));
        let finding = RwSignal::new(false);
        let find_job = StoredValue::new(0u64);
        Effect::new(move |_| {
            let (i, text) = (open.get(), find.get());
            dataset.track();
            // Stops a find still being made.
            in_parts(find_job, || false);
            finding.set(false);
            let q = match FindQuery::parse(&text) {
                Ok(q) if !q.is_empty() => q,
                other => return found.set(other.map(|_| None)),
            };
            let spans = |ds: &Dataset| Some((i?, ds.trace(i?)?.len()));
            let Some((at, len)) = dataset.with_untracked(spans) else {
                return found.set(Ok(None));
            };
            // A small trace is searched at once.
            if len <= FIND_PART {
                let f = dataset.with_untracked(|ds| {
                    let t = ds.trace(at)?;
                    let mut b = FindBuilder::new(ds, &q);
                    b.step(ds, t, FIND_PART);
                    Some(Arc::new(b.finish(t)))
                });
                return found.set(Ok(f));
            }
            // A large one a part per task from the next on, its strings
            // looked up in the first (the ~3M strings of a million spans
            // took 16 ms, in the task of the keystroke with its first part).
            found.set(Ok(None));
            finding.set(true);
            build_in_parts(
                find_job,
                dataset,
                None,
                move |b: &mut Option<FindBuilder>, ds| match ds.trace(at) {
                    Some(t) => b
                        .get_or_insert_with(|| FindBuilder::new(ds, &q))
                        .step(ds, t, FIND_PART),
                    None => true,
                },
                move |b, ds| {
                    found.set(Ok(ds.trace(at).zip(b).map(|(t, b)| Arc::new(b.finish(t)))));
                    finding.set(false);
                },
            );
        });
        // One palette for every view: over what the views show.
        let scope_all =
            Signal::derive(move || all_traces.get() && tab.get().has_scope(flame_mode.get()));
        let slots = Memo::new(move |_| {
            let all = scope_all.get();
            let i = open.get();
            dataset.with(|ds| service_slots(ds, ds.scope(i, all).iter().map(Box::as_ref)))
        });
        // The critical path comes a task after the views' first paint: for a
        // million spans it is tens of milliseconds the first paint need not wait.
        let open_signal = Signal::derive(move || open.get());
        let critical = later_for_trace(dataset, open_signal, |_, t| critical_path(t));
        // The slow spans of a large trace are found a part per task (a
        // million spans: 25 ms at once), for the trace they were found in;
        // the other pills, and a small trace's slow spans, at once.
        let slow_of = Signal::derive(move || {
            let large = |i| dataset.with(|ds| ds.trace(i).is_some_and(slow_in_parts));
            open.get()
                .filter(|&i| pill.get() == Some(Pill::Slow) && large(i))
        });
        let slow = later_for_trace_in_parts(
            dataset,
            slow_of,
            |_, _| SlowBuilder::default(),
            |b, _, t| b.step(t, SLOW_PART),
            SlowBuilder::finish,
        );
        let pill_spans = Memo::new(move |_| {
            let p = pill.get()?;
            dataset.with(|ds| {
                let t = ds.trace(open.get()?)?;
                match p {
                    Pill::Slow if slow_in_parts(t) => slow.get(),
                    p => critical.with(|cp| Some(Arc::new(pill_spans(t, p, cp.as_deref())))),
                }
            })
        });
        let critical_of_selected = Signal::derive(move || {
            let s = selected.get()? as usize;
            let total = summary.with(|m| m.as_ref().map(|m| m.duration_ns))?;
            critical
                .with(|c| c.as_ref()?.time_on_path.get(s).copied())
                .map(|on| (on, total))
        });
        // Typing a find replaces an insight's highlight.
        Effect::new(move |_| {
            find.track();
            highlight.set(None);
        });
        let marked = Signal::derive(move || highlight.get().or_else(|| found.get().ok().flatten()));
        // The insights come after the views' first paint too, a detector
        // per task: over a million spans they take 50–75 ms.
        let insights = later_for_trace_in_parts(
            dataset,
            open_signal,
            |_, _| InsightsBuilder::new(Thresholds::default()),
            |b, ds, t| b.step(ds, t),
            InsightsBuilder::finish,
        );
        ViewState {
            tab,
            selected,
            selected_op,
            collapsed,
            view,
            all_traces,
            service_filter,
            show_critical,
            adjust_clocks,
            clock_shifts,
            flame_mode,
            find,
            found,
            finding,
            matches_only,
            row_attribute: RwSignal::new(crate::row_attribute::remembered()),
            row_columns: RwSignal::new(crate::row_attribute::remembered_columns()),
            highlight,
            marked,
            insights,
            flame_chart_focus,
            flame_merged_focus,
            focus,
            pill,
            pill_spans,
            pending,
            pending_applied,
            summary,
            trace_count,
            scope_all,
            slots,
            critical,
            critical_of_selected,
        }
    }
}
