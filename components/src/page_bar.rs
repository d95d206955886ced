//! A long table a page at a time: "Rows a–b of n" and the buttons to the
//! earlier and later pages. A million-span trace makes no million-row table.

use leptos::prelude::*;

/// Rows per page of a table: a page's rows are made and laid out in one
/// task (200 rows of the trace list took 25–65 ms to make and 15–40 ms to
/// lay out, a million one-span traces loaded).
pub const ROWS_PER_PAGE: usize = 100;

/// The rows of `page`, as an iterator's skip and take.
pub fn page_rows(page: usize) -> (usize, usize) {
    (page * ROWS_PER_PAGE, ROWS_PER_PAGE)
}

/// The page shown of a table listing `all`: back to the first page
/// whenever the rows change.
pub fn first_page_on_change<T: PartialEq + Send + Sync + 'static>(all: Memo<T>) -> RwSignal<usize> {
    let page = RwSignal::new(0usize);
    Effect::new(move |_| {
        all.track();
        // Setting 0 again would make the page's rows again for nothing.
        if page.get_untracked() != 0 {
            page.set(0);
        }
    });
    page
}

/// The rows of `all` on `page`.
pub fn rows_on_page<T: Clone + PartialEq + Send + Sync + 'static>(
    all: Memo<Vec<T>>,
    page: RwSignal<usize>,
) -> Vec<T> {
    let (from, n) = page_rows(page.get());
    all.with(|t| t.iter().skip(from).take(n).cloned().collect())
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
