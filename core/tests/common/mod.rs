use std::path::{Path, PathBuf};

/// The shared corpus beside the checkout (CI has it there too).
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}
