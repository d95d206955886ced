//! Pure geometry for the canvases: which rows are visible, where a time
//! falls in pixels, ruler ticks. Tested natively; the painters only draw it.

pub mod chart;
pub mod diff_tree;
pub mod flame;
pub mod flame_mipmap;
pub mod gesture;
pub mod raster;
pub mod scatter;
pub mod service_map;
pub mod text;
pub mod time;
pub mod waterfall;
