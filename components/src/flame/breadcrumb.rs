//! The flame graph's zoom path: from the whole trace (or all frames) to the
//! span or frame zoomed into, the last steps when the path is long. A step
//! zooms back out to it.

use super::{FlameMode, FlameZoom};
use crate::context::{view_context, ViewContext};
use leptos::prelude::*;
use tracescope_core::analysis::flame::{MergedFlame, SANDWICH_CALLERS};
use tracescope_core::layout::flame::ancestry;

/// How many breadcrumb steps are shown before the first ones are elided.
const CRUMBS: usize = 8;

/// One breadcrumb step: the frame id to focus and its label.
#[derive(Clone, PartialEq)]
struct Crumb {
    id: Option<u32>,
    label: String,
}

#[component]
pub fn FlameBreadcrumb(
    zoom: FlameZoom,
    merged: ReadSignal<Option<(MergedFlame, usize)>>,
) -> impl IntoView {
    let ViewContext { dataset, trace, .. } = view_context();
    let FlameZoom {
        mode,
        chart_focus,
        merged_focus,
    } = zoom;
    let crumbs = Memo::new(move |_| -> Vec<Crumb> {
        let mut out = vec![Crumb {
            id: None,
            label: match mode.get() {
                FlameMode::Chart => "Whole trace".to_string(),
                FlameMode::Merged => "All".to_string(),
                FlameMode::Sandwich => "Sandwich".to_string(),
            },
        }];
        let chain: Vec<(u32, String)> = match mode.get() {
            FlameMode::Chart => {
                let Some(f) = chart_focus.get() else {
                    return out;
                };
                dataset.with(|ds| {
                    let Some(t) = trace.get().and_then(|i| ds.trace(i)) else {
                        return Vec::new();
                    };
                    let mut chain = Vec::new();
                    let mut cur = Some(f as usize);
                    while let Some(s) = cur {
                        chain.push((
                            s as u32,
                            format!("{}: {}", ds.str(t.service[s]), ds.str(t.name[s])),
                        ));
                        cur = t.tree.parent_of(s);
                    }
                    chain.reverse();
                    chain
                })
            }
            FlameMode::Merged => {
                let focus = merged_focus.get();
                merged.with(|m| {
                    let Some((f, _)) = m.as_ref() else {
                        return Vec::new();
                    };
                    dataset.with(|ds| {
                        ancestry(f, focus)
                            .into_iter()
                            .skip(1)
                            .map(|id| {
                                let n = &f.nodes[id as usize];
                                (id, format!("{}: {}", ds.str(n.service), ds.str(n.name)))
                            })
                            .collect()
                    })
                })
            }
            FlameMode::Sandwich => merged.with(|m| {
                let Some((f, _)) = m.as_ref() else {
                    return Vec::new();
                };
                let op = &f.nodes[SANDWICH_CALLERS as usize];
                dataset.with(|ds| {
                    vec![(
                        SANDWICH_CALLERS,
                        format!("{}: {}", ds.str(op.service), ds.str(op.name)),
                    )]
                })
            }),
        };
        if chain.len() > CRUMBS {
            out.push(Crumb {
                id: Some(chain[chain.len() - CRUMBS - 1].0),
                label: "…".to_string(),
            });
        }
        let skip = chain.len().saturating_sub(CRUMBS);
        out.extend(chain.into_iter().skip(skip).map(|(id, label)| Crumb {
            id: Some(id),
            label,
        }));
        out
    });

    view! {
        <nav class="breadcrumb" data-testid="flame-breadcrumb" aria-label="Zoom path">
            {move || {
                let cs = crumbs.get();
                let last = cs.len() - 1;
                cs.into_iter().enumerate().map(|(i, c)| {
                    let id = c.id;
                    view! {
                        <button
                            class="crumb"
                            class:current=i == last
                            on:click=move |_| match id { Some(id) => zoom.zoom_to(id), None => zoom.reset() }
                        >{c.label}</button>
                    }
                }).collect_view()
            }}
        </nav>
    }
}
