//! Keyword arguments into the library's option types, each value parsed by the same
//! `FromStr` the CLI's flag uses, so a bad value raises the CLI's message.

use std::num::NonZeroUsize;
use std::str::FromStr;

use pyo3::prelude::*;

use super::errors::bad_option;
use crate::solve::SolveOptions;

/// The four solver keywords every solving method takes (`solver`, `time_limit`,
/// `mip_gap`, `threads`), as Python objects not yet checked.
pub struct SolverKw<'py> {
    /// `--solver`.
    pub solver: Option<Bound<'py, PyAny>>,
    /// `--time-limit`.
    pub time_limit: Option<Bound<'py, PyAny>>,
    /// `--mip-gap`.
    pub mip_gap: Option<Bound<'py, PyAny>>,
    /// `--threads`.
    pub threads: Option<Bound<'py, PyAny>>,
}

impl SolverKw<'_> {
    /// The solve options these keywords give (the rest at their defaults).
    pub fn options(&self) -> PyResult<SolveOptions> {
        let d = SolveOptions::default();
        Ok(SolveOptions {
            solver: value("solver", &self.solver)?.unwrap_or(d.solver),
            time_limit: value("time-limit", &self.time_limit)?,
            mip_gap: value("mip-gap", &self.mip_gap)?.unwrap_or(d.mip_gap),
            threads: threads(&self.threads)?,
            ..d
        })
    }
}

/// The value of keyword `flag` (spelled as the CLI's flag), parsed from its text.
pub fn value<T>(flag: &str, v: &Option<Bound<'_, PyAny>>) -> PyResult<Option<T>>
where
    T: FromStr<Err = String>,
{
    let Some(v) = v.as_ref().filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let text = v.str()?.to_string();
    text.parse::<T>()
        .map(Some)
        .map_err(|why| bad_option(flag, &text, &why))
}

/// `threads`: a whole number of at least 1, with the CLI's message otherwise.
fn threads(v: &Option<Bound<'_, PyAny>>) -> PyResult<Option<NonZeroUsize>> {
    let Some(v) = v.as_ref().filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let text = v.str()?.to_string();
    text.trim()
        .parse::<usize>()
        .ok()
        .and_then(NonZeroUsize::new)
        .map(Some)
        .ok_or_else(|| {
            let why = format!("{text:?} is not a whole number of at least 1");
            bad_option("threads", &text, &why)
        })
}

/// `weights`: a sequence of values or the CLI's comma-separated text, each parsed as
/// `--weights` parses it.
pub mod weights {
    use pyo3::prelude::*;

    use super::super::errors::bad_option;
    use crate::values::NonNegative;

    /// The weights given, or `None` when the keyword is absent.
    pub fn parse(v: &Option<Bound<'_, PyAny>>) -> PyResult<Option<Vec<NonNegative>>> {
        let Some(v) = v.as_ref().filter(|v| !v.is_none()) else {
            return Ok(None);
        };
        let texts: Vec<String> = if v.is_instance_of::<pyo3::types::PyString>() {
            let text = v.str()?.to_string();
            text.split(',').map(str::to_string).collect()
        } else {
            v.try_iter()?
                .map(|w| Ok(w?.str()?.to_string()))
                .collect::<PyResult<_>>()?
        };
        let weights = texts
            .iter()
            .map(|t| {
                t.parse::<NonNegative>()
                    .map_err(|why| bad_option("weights", t, &why))
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(Some(weights))
    }
}
