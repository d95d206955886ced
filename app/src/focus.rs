//! Focus on a subtree: the waterfall lists one span and the spans below it
//! (`ViewState::focus`, `focus=` in the address). The path back: the whole
//! trace, the nearest ancestors, the span focused on.

use crate::state::AppState;
use crate::views::ViewState;
use leptos::prelude::*;
use tracescope_core::layout::waterfall::clamp_window;

/// Ancestors shown before the path is shortened with "…".
const ANCESTORS: usize = 3;

/// Focuses the views on span `s`: the waterfall lists its subtree over its
/// time, the flame chart zooms into it.
pub fn focus_on(state: AppState, views: ViewState, s: u32) {
    views.focus.set(Some(s));
    views.flame_chart_focus.set(Some(s));
    let window = state.dataset.with_untracked(|ds| {
        let t = ds.trace(state.open.get_untracked()?)?;
        let i = s as usize;
        (i < t.len()).then(|| {
            let (a, b) = (t.start_ns[i] as f64, t.end_ns(i) as f64);
            clamp_window((a, b.max(a + 1.0)), t.time_window())
        })
    });
    views.view.set(window);
}

/// Back to every span over the whole trace.
fn unfocus(views: ViewState) {
    views.focus.set(None);
    views.flame_chart_focus.set(None);
    views.view.set(None);
}

#[component]
pub fn FocusCrumbs() -> impl IntoView {
    let state = expect_context::<AppState>();
    let AppState { dataset, open, .. } = state;
    let views = expect_context::<ViewState>();
    let focus = views.focus;
    // (span, label) from the nearest shown ancestor down to the focus, and
    // whether ancestors were left out.
    let path = Memo::new(move |_| {
        let f = focus.get()? as usize;
        dataset.with(|ds| {
            let t = ds.trace(open.get()?)?;
            let label = |s: usize| format!("{} {}", ds.str(t.service[s]), ds.str(t.name[s]));
            let mut chain = vec![(f as u32, label(f))];
            let mut cur = t.tree.parent_of(f);
            while let Some(p) = cur {
                chain.push((p as u32, label(p)));
                cur = t.tree.parent_of(p);
            }
            chain.reverse();
            let cut = chain.len() > ANCESTORS + 1;
            let keep = chain.split_off(chain.len().saturating_sub(ANCESTORS + 1));
            Some((keep, cut))
        })
    });
    move || {
        path.get().map(|(chain, cut)| {
            let last = chain.len() - 1;
            view! {
                <nav class="breadcrumb focus-crumbs" data-testid="focus-crumbs" aria-label="Focus">
                    <span class="muted">"Focus: "</span>
                    <button class="crumb" data-testid="focus-clear" title="List every span again"
                        on:click=move |_| unfocus(views)>"Whole trace"</button>
                    {cut.then(|| view! { <span class="muted">" › …"</span> })}
                    {chain.into_iter().enumerate().map(|(i, (s, label))| view! {
                        <span class="muted">" › "</span>
                        <button class="crumb" class:current=i == last on:click=move |_| focus_on(state, views, s)>{label}</button>
                    }).collect_view()}
                </nav>
            }
        })
    }
}
