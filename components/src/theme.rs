//! Colours the canvases use, for the light and dark themes. The CSS in
//! `style/` uses the same values as custom properties.

use rustc_hash::FxHashMap;
use tracescope_core::layout::raster::ERROR_KEY;
use tracescope_core::model::{Dataset, StrId, Trace};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub bg: &'static str,
    pub fg: &'static str,
    pub muted: &'static str,
    pub grid: &'static str,
    pub stripe: &'static str,
    pub hover: &'static str,
    pub selected: &'static str,
    pub selected_outline: &'static str,
    /// Rows and minimap marks of spans the find matches.
    pub found: &'static str,
    /// A row's insight badge: its box and its text.
    pub insight_bg: &'static str,
    pub insight_fg: &'static str,
    pub error: &'static str,
    /// What got faster in a comparison.
    pub faster: &'static str,
    pub header_bg: &'static str,
    pub window: &'static str,
    pub window_edge: &'static str,
    pub range: &'static str,
    /// Critical-path marks drawn over service colours.
    pub critical: &'static str,
    pub services: &'static [&'static str],
}

/// Service colours: distinguishable hues, readable under dark text (light
/// theme) and light text (dark theme).
const SERVICES_LIGHT: &[&str] = &[
    "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f",
    "#bab0ac", "#86bcb6", "#8cd17d", "#f1ce63", "#a0cbe8", "#ffbe7d", "#d4a6c8", "#499894",
    "#d37295", "#b6992d", "#79706e", "#fabfd2",
];
const SERVICES_DARK: &[&str] = &[
    "#6b9bd1", "#f5a04d", "#72bf68", "#c996bd", "#8fd0cb", "#f2d865", "#ffb3bb", "#b88f78",
    "#cfc6c2", "#9fd3cd", "#a3e095", "#f6dc84", "#b9d9f0", "#ffcf9c", "#e2bdd9", "#62b2ad",
    "#e08db0", "#cdb24a", "#a39b98", "#fcd2e0",
];

pub const LIGHT: Theme = Theme {
    bg: "#ffffff",
    fg: "#1d2330",
    muted: "#6b7385",
    grid: "#e6e8ee",
    stripe: "#f6f7fa",
    hover: "#eef3ff",
    selected: "#dce7ff",
    selected_outline: "#2f5fd0",
    found: "#f2c200",
    insight_bg: "#ece2fb",
    insight_fg: "#57307f",
    error: "#d62728",
    faster: "#2e8540",
    header_bg: "#f1f3f7",
    window: "rgba(47, 95, 208, 0.12)",
    window_edge: "#2f5fd0",
    range: "rgba(47, 95, 208, 0.18)",
    critical: "#1d2330",
    services: SERVICES_LIGHT,
};

pub const DARK: Theme = Theme {
    bg: "#14171f",
    fg: "#e3e7ef",
    muted: "#9aa3b5",
    grid: "#262b37",
    stripe: "#181c25",
    hover: "#1f2635",
    selected: "#24324f",
    selected_outline: "#7aa2ff",
    found: "#e0b400",
    insight_bg: "#3b2f55",
    insight_fg: "#dccbff",
    error: "#ff5c5c",
    faster: "#5cc46a",
    header_bg: "#1b1f29",
    window: "rgba(122, 162, 255, 0.16)",
    window_edge: "#7aa2ff",
    range: "rgba(122, 162, 255, 0.22)",
    critical: "#ffffff",
    services: SERVICES_DARK,
};

pub fn theme(dark: bool) -> &'static Theme {
    if dark {
        &DARK
    } else {
        &LIGHT
    }
}

/// Palette slot of each service.
pub type ServiceSlots = FxHashMap<StrId, usize>;

/// Each service of the given traces gets a palette slot by the order of the
/// sorted service names, so colours do not collide for up to 20 services
/// and every view colours a service the same way.
pub fn service_slots<'a>(
    ds: &Dataset,
    traces: impl IntoIterator<Item = &'a Trace>,
) -> ServiceSlots {
    let mut services: Vec<StrId> = traces
        .into_iter()
        .flat_map(|t| t.tree.services().iter().copied())
        .collect();
    tracescope_core::order::sort(&mut services);
    services.dedup();
    let mut named: Vec<(&str, StrId)> = services.into_iter().map(|s| (ds.str(s), s)).collect();
    tracescope_core::order::sort(&mut named);
    named
        .into_iter()
        .enumerate()
        .map(|(i, (_, s))| (s, i))
        .collect()
}

impl Theme {
    /// The colour of a service.
    pub fn service(&self, slots: &ServiceSlots, s: StrId) -> &'static str {
        self.services[slots.get(&s).copied().unwrap_or(0) % self.services.len()]
    }
    /// The colour of a raster key (`core::layout::raster::service_key`).
    pub fn key_color(&self, slots: &ServiceSlots, key: u32) -> &'static str {
        match key {
            ERROR_KEY => self.error,
            k => self.service(slots, StrId(k.saturating_sub(1))),
        }
    }
}
