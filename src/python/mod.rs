//! The Python extension module `sourcemix._sourcemix` (feature `python`, built by maturin
//! from `python/`): models from a folder, a workbook or in-memory tables; each command's
//! analysis with its result tables as the CSV bytes the files hold; the library's errors
//! as Python exceptions. The typed Python layer (`python/sourcemix/`) turns the tables
//! into DataFrames.

mod errors;
mod model;
mod options;
mod outcome;
mod runs;
mod wait;

use pyo3::prelude::*;

/// Rust's allocations in the extension go to mimalloc, as the binary's do (see
/// Cargo.toml: 5–18 % less wall time on large models). With this feature on, the binary
/// takes this declaration instead of its own (one per program).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The native module: `load`, `parse_tables`, the model and outcome classes, the errors.
#[pymodule]
fn _sourcemix(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<model::NativeModel>()?;
    m.add_class::<outcome::Outcome>()?;
    m.add_function(wrap_pyfunction!(model::load, m)?)?;
    m.add_function(wrap_pyfunction!(model::parse_tables, m)?)?;
    errors::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
