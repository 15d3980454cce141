//! One library entry point per command of the `sourcemix` binary, one file each: typed
//! options in, typed results out; each reads the model, calls the analysis, and writes
//! its files. Options are validated once, by the analysis they configure.

mod check;
mod explain;
mod frontier;
mod policy;
mod robust;
mod scenarios;
mod solve;
mod stress;

pub use check::*;
pub use explain::*;
pub use frontier::*;
pub use policy::*;
pub use robust::*;
pub use scenarios::*;
pub use solve::*;
pub use stress::*;

use std::path::{Path, PathBuf};

use crate::error::Result;

/// Writes named files into `out_dir` (created if needed), all or none.
fn write_files(out_dir: &Path, files: Vec<(&'static str, Vec<u8>)>) -> Result<Vec<PathBuf>> {
    let files: Vec<(PathBuf, Vec<u8>)> = files
        .into_iter()
        .map(|(name, bytes)| (out_dir.join(name), bytes))
        .collect();
    crate::write::atomic::create_out_dir(out_dir)?;
    Ok(crate::write::atomic::stage_all(&files)?.commit()?)
}
