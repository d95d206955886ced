//! A long table a page at a time: "Rows a–b of n" and the buttons to the
//! earlier and later pages. A million-span trace makes no million-row table.

use leptos::prelude::*;

/// Rows per page of a table.
pub const ROWS_PER_PAGE: usize = 200;

/// The rows of `page`, as an iterator's skip and take.
pub fn page_rows(page: usize) -> (usize, usize) {
    (page * ROWS_PER_PAGE, ROWS_PER_PAGE)
}

/// `testid` names the buttons: `{testid}-prev`, `{testid}-next`.
#[component]
pub fn PageBar(
    page: RwSignal<usize>,
    #[prop(into)] total: Signal<usize>,
    testid: &'static str,
) -> impl IntoView {
    let pages = move || total.get().div_ceil(ROWS_PER_PAGE).max(1);
    view! {
        <div class="rows-table-bar">
            <span>{move || {
                let (from, n) = page_rows(page.get());
                let total = total.get();
                format!("Rows {}–{} of {}", (from + 1).min(total), (from + n).min(total), total)
            }}</span>
            <button class="button small" data-testid=format!("{testid}-prev") disabled=move || page.get() == 0
                on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>"← Earlier rows"</button>
            <button class="button small" data-testid=format!("{testid}-next") disabled=move || { page.get() + 1 >= pages() }
                on:click=move |_| page.update(|p| *p += 1)>"Later rows →"</button>
        </div>
    }
}
