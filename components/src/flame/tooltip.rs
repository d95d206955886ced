//! What the frame under the pointer is: its service and operation, total and
//! self time, how many spans, its share of the root and its errors.

use super::FlameMode;
use crate::canvas::tooltip_style;
use crate::context::{view_context, ViewContext};
use leptos::prelude::*;
use tracescope_core::analysis::flame::MergedFlame;
use tracescope_core::analysis::self_time::self_time_of;
use tracescope_core::layout::time::format_duration;
use tracescope_core::model::StatusCode;

#[component]
pub fn FlameTooltip(
    /// The frame under the pointer and where the pointer is.
    hover: RwSignal<Option<(u32, f64, f64)>>,
    mode: Signal<FlameMode>,
    merged: ReadSignal<Option<(MergedFlame, usize)>>,
    /// The canvas's size, to keep the tooltip inside it.
    size: RwSignal<(f64, f64)>,
) -> impl IntoView {
    let ViewContext { dataset, trace, .. } = view_context();
    let tooltip = move || {
        let (id, x, y) = hover.get()?;
        let (title, name, total, self_ns, count, errors, root) =
            dataset.with(|ds| match mode.get() {
                FlameMode::Chart => {
                    let t = ds.trace(trace.get()?)?;
                    let s = id as usize;
                    let (b0, b1) = t.bounds();
                    Some((
                        ds.str(t.service[s]).to_string(),
                        ds.str(t.name[s]).to_string(),
                        t.duration_ns[s],
                        self_time_of(t, s),
                        1u32,
                        (t.status[s] == StatusCode::Error) as u32,
                        b1 - b0,
                    ))
                }
                FlameMode::Merged | FlameMode::Sandwich => merged.with(|m| {
                    let f = &m.as_ref()?.0;
                    let n = f.nodes.get(id as usize)?;
                    let (svc, name) = if id == 0 {
                        ("all".to_string(), String::new())
                    } else {
                        (ds.str(n.service).to_string(), ds.str(n.name).to_string())
                    };
                    Some((
                        svc,
                        name,
                        n.total_ns,
                        n.self_ns,
                        n.count,
                        n.errors,
                        f.nodes[0].total_ns,
                    ))
                }),
            })?;
        let pct = if root > 0 {
            100.0 * total as f64 / root as f64
        } else {
            0.0
        };
        let (w, h) = size.get();
        Some(view! {
            <div class="tooltip" style=tooltip_style(x, y, w, h) data-testid="flame-tooltip">
                <div class="tooltip-title">{title}</div>
                <div>{name}</div>
                <div class="tooltip-row">
                    <span>{format!("total {}", format_duration(total as f64))}</span>
                    <span>{format!("self {}", format_duration(self_ns as f64))}</span>
                </div>
                <div class="tooltip-row">
                    <span>{format!("{count} span{}", if count == 1 { "" } else { "s" })}</span>
                    <span>{format!("{pct:.1}% of {}", if mode.get() == FlameMode::Sandwich { "its calls" } else { "root" })}</span>
                </div>
                {(errors > 0).then(|| view! { <div class="tooltip-error">{format!("{errors} error{}", if errors == 1 { "" } else { "s" })}</div> })}
            </div>
        })
    };
    tooltip
}
