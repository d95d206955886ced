//! Tracescope: the binary Trunk builds.

mod app;
mod backends;
mod compare;
mod copy_link;
mod decode_worker;
mod fetch;
mod find_bar;
mod focus;
mod insights;
mod jaeger_keys;
mod links;
mod loader;
mod log_links;
mod metrics;
mod palette;
mod pills;
mod row_attribute;
mod sets;
mod share;
mod share_link;
mod shortcuts;
mod state;
mod topbar;
mod trace_views;
mod url_state;
mod views;

/// Small allocations (a column of a one-span trace) from size classes, the
/// rest from Rust's wasm allocator (see `heap::SmallFirst`): the page and
/// each worker run this module, one thread each.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: tracescope_core::heap::SmallFirst<std::alloc::System> =
    tracescope_core::heap::SmallFirst::new(std::alloc::System);

fn main() {
    install_panic_hook();
    // The same module runs in the decoding worker (see `decode_worker`).
    if tracescope_worker::in_worker() {
        return tracescope_worker::run();
    }
    metrics::install();
    leptos::mount::mount_to_body(app::App);
}

/// Logs a panic to the console, and leaves its message where the crash
/// panel (`public/crash.js`) reads it once the abort traps.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        if let Some(w) = web_sys::window() {
            let _ = js_sys::Reflect::set(&w, &"__tracescopePanic".into(), &info.to_string().into());
        }
    }));
}
