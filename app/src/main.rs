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
    metrics::install();
    leptos::mount::mount_to_body(app::App);
}
