//! Tracescope: the binary Trunk builds.

mod app;
mod backends;
mod compare;
mod decode_worker;
mod loader;
mod log_links;
mod metrics;
mod share;
mod url_state;

fn main() {
    console_error_panic_hook::set_once();
    // The same module runs in the decoding worker (see `decode_worker`).
    if tracescope_worker::in_worker() {
        return tracescope_worker::run();
    }
    metrics::install();
    leptos::mount::mount_to_body(app::App);
}
