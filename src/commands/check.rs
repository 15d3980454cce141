//! `check`: sizes and suspicious data.

use std::path::Path;

use crate::analysis::check::{check, CheckReport};
use crate::error::Result;
use crate::input::load;

/// `check MODEL`: validate and report sizes and suspicious data.
pub fn check_model(model_dir: &Path) -> Result<CheckReport> {
    let loaded = load(model_dir)?;
    Ok(check(&loaded.model, &loaded.warnings))
}
