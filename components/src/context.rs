//! What every view of a trace reads and changes, given once by the app with
//! `provide_context` instead of a dozen props per view. Each side of a
//! comparison gives its own (its trace, its selection and folds).

use crate::theme::{service_slots, ServiceSlots};
use crate::with_open_trace;
use leptos::prelude::*;
use std::sync::Arc;
use tracescope_core::analysis::critical_path::CriticalPath;
use tracescope_core::find::Found;
use tracescope_core::layout::waterfall::{listed_rows, Badges, RowFilter};
use tracescope_core::model::StrId;
use tracescope_core::Dataset;

#[derive(Clone, Copy)]
pub struct ViewContext {
    pub dataset: RwSignal<Dataset>,
    /// The open trace (an index into `dataset.traces`).
    pub trace: Signal<Option<usize>>,
    /// Views that can cover every loaded trace do.
    pub all_traces: Signal<bool>,
    pub selected: RwSignal<Option<u32>>,
    /// The operation (service, name) selected in any view.
    pub selected_op: RwSignal<Option<(StrId, StrId)>>,
    /// Folded subtrees, by span.
    pub collapsed: RwSignal<Vec<bool>>,
    /// One service every view shows alone.
    pub service_filter: RwSignal<Option<StrId>>,
    /// One palette for every view.
    pub slots: Signal<ServiceSlots>,
    pub critical_path: Signal<Option<std::sync::Arc<CriticalPath>>>,
    pub show_critical: Signal<bool>,
    /// Spans marked by the find or an insight.
    pub found: Signal<Option<Arc<Found>>>,
    /// Only the marked spans and those above them are listed.
    pub matches_only: Signal<bool>,
    pub dark: Signal<bool>,
    /// The spans a pill keeps (with the spans above them, alone listed).
    pub only: Signal<Option<Arc<Vec<bool>>>>,
    /// The span whose subtree alone is listed.
    pub focus: Signal<Option<u32>>,
    /// The timeline spans at least this long (ns) from the trace's start:
    /// a comparison puts both traces on one time scale.
    pub min_window_ns: Signal<f64>,
    /// The attribute whose value each waterfall row shows after its name.
    pub row_attribute: Signal<Option<String>>,
    /// The attributes shown as columns beside the waterfall's names.
    pub row_columns: Signal<Vec<String>>,
    /// What the open trace's insights say of its spans (row badges).
    pub badges: Signal<Arc<Badges>>,
}

impl ViewContext {
    /// One trace of `dataset` on its own: nothing folded, filtered, marked
    /// or on a critical path; its own palette; the light theme.
    pub fn of_trace(dataset: RwSignal<Dataset>, trace: usize) -> ViewContext {
        let n = dataset.with_untracked(|ds| ds.trace(trace).map_or(0, |t| t.len()));
        let slots = Memo::new(move |_| dataset.with(|ds| service_slots(ds, ds.trace(trace))));
        ViewContext {
            dataset,
            trace: Signal::derive(move || Some(trace)),
            all_traces: Signal::derive(|| false),
            selected: RwSignal::new(None),
            selected_op: RwSignal::new(None),
            collapsed: RwSignal::new(vec![false; n]),
            service_filter: RwSignal::new(None),
            slots: slots.into(),
            critical_path: Signal::derive(|| None),
            show_critical: Signal::derive(|| false),
            found: Signal::derive(|| None),
            matches_only: Signal::derive(|| false),
            dark: Signal::derive(|| false),
            min_window_ns: Signal::derive(|| 0.0),
            focus: Signal::derive(|| None),
            only: Signal::derive(|| None),
            row_attribute: Signal::derive(|| None),
            row_columns: Signal::derive(Vec::new),
            badges: Signal::derive(Arc::default),
        }
    }
}

impl ViewContext {
    /// The rows the open trace lists (folds, "matches only", a pill, the
    /// service filter, the focus): the waterfall's and its table's.
    pub fn listed_rows(self) -> Memo<Vec<u32>> {
        Memo::new(move |_| {
            let found = self
                .found
                .get()
                .filter(|f| self.matches_only.get() && !f.is_empty());
            let only = self.only.get();
            let (service, focus) = (self.service_filter.get(), self.focus.get());
            self.collapsed
                .with(|c| {
                    with_open_trace(self.dataset, self.trace, |t| {
                        let filter = RowFilter {
                            service,
                            matched: found.as_deref().map(|f| &f.matched[..]),
                            only: only.as_deref().map(|o| &o[..]),
                            focus,
                        };
                        listed_rows(t, c, &filter)
                    })
                })
                .unwrap_or_default()
        })
    }
}

/// The views' context; a view outside one is a bug of the page.
pub fn view_context() -> ViewContext {
    expect_context::<ViewContext>()
}
