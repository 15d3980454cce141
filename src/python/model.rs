//! The native model class: read from a folder, a workbook or tables in memory, and one
//! method per command, each taking the CLI's options as keywords.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use super::errors::{to_py, InputError};
use super::options::{value, weights, SolverKw};
use super::outcome::Outcome;
use super::runs;
use super::wait::interruptible;
use crate::analysis::compare::CompareOptions;
use crate::analysis::explain::ExplainOptions;
use crate::analysis::frontier::{FrontierOptions, DEFAULT_POINTS};
use crate::analysis::hedge::DEFAULT_WEIGHTS;
use crate::analysis::presets::{n_minus_one, n_minus_one_at};
use crate::analysis::robust::{RobustOptions, DEFAULT_CVAR_WEIGHT};
use crate::analysis::sampling::SamplingOptions;
use crate::analysis::stress::{StressOptions, DEFAULT_ALPHA, DEFAULT_SPOT_PREMIUM};
use crate::error::Result;
use crate::input::{load_cases, CaseSpec, Loaded, ModelFiles};
use crate::model::{Model, Scenario};

/// A random seed as the CLI reads it (a whole number ≥ 0).
struct Seed(u64);

impl std::str::FromStr for Seed {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Seed, String> {
        s.trim()
            .parse()
            .map(Seed)
            .map_err(|_| "expected a whole number from 0 to 18446744073709551615".into())
    }
}

/// A validated model with its scenarios and the warnings of reading it.
#[pyclass(module = "sourcemix._sourcemix", frozen)]
pub struct NativeModel {
    model: Arc<Model>,
    scenarios: Arc<Vec<Scenario>>,
    /// Warnings found while reading.
    #[pyo3(get)]
    warnings: Vec<String>,
    /// True when the tables came as frames (errors then name frames and rows).
    frames: bool,
}

impl NativeModel {
    fn new(loaded: Loaded, frames: bool) -> Self {
        NativeModel {
            model: Arc::new(loaded.model),
            scenarios: Arc::new(loaded.scenarios),
            warnings: loaded.warnings,
            frames,
        }
    }

    /// Runs `work` on the model off the GIL, interruptible; library errors become
    /// Python exceptions.
    fn run<F>(&self, py: Python<'_>, work: F) -> PyResult<Outcome>
    where
        F: FnOnce(Arc<Model>, &[Scenario]) -> Result<Outcome> + Send + 'static,
    {
        let (model, scenarios) = (self.model.clone(), self.scenarios.clone());
        let frames = self.frames;
        let mut out =
            interruptible(py, move || work(model, &scenarios))?.map_err(|e| to_py(e, frames))?;
        out.warnings.splice(0..0, self.warnings.iter().cloned());
        Ok(out)
    }

    /// The scenarios of the model, or the preset "any one country stops" (at `stage`,
    /// as `--n-1-stage`, when named; a stage without `n_1` is refused).
    fn scenario_set(&self, n_1: bool, stage: Option<String>) -> PyResult<Arc<Vec<Scenario>>> {
        match (n_1, stage) {
            (true, None) => Ok(Arc::new(n_minus_one(&self.model))),
            (true, Some(name)) => {
                let stage = self
                    .model
                    .stages
                    .by_flag("--n-1-stage", Some(&name))
                    .map_err(|e| to_py(e, self.frames))?;
                Ok(Arc::new(n_minus_one_at(&self.model, stage)))
            }
            (false, Some(name)) => Err(InputError::new_err(format!(
                "stage={name:?} is the stage of the n_1 preset (the CLI's --n-1-stage); pass n_1=True with it"
            ))),
            (false, None) => Ok(self.scenarios.clone()),
        }
    }
}

/// Reads and validates the model folder or workbook at `path`.
#[pyfunction]
pub fn load(py: Python<'_>, path: PathBuf) -> PyResult<NativeModel> {
    let loaded = interruptible(py, move || crate::input::load(&path))?;
    Ok(NativeModel::new(
        loaded.map_err(|e| to_py(e, false))?,
        false,
    ))
}

/// A model from CSV tables in memory, [(file name, bytes)], validated as files are;
/// errors name the frame, row and column.
#[pyfunction]
pub fn parse_tables(
    py: Python<'_>,
    tables: Vec<(String, Bound<'_, PyBytes>)>,
) -> PyResult<NativeModel> {
    // One copy of each buffer (a memcpy): extracting `Vec<u8>` would walk the bytes as a
    // Python sequence, item by item.
    let tables: Vec<(String, Vec<u8>)> = tables
        .into_iter()
        .map(|(name, bytes)| (name, bytes.as_bytes().to_vec()))
        .collect();
    let loaded = interruptible(py, move || {
        let files: Vec<(&str, &[u8])> = tables
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        crate::input::parse(&ModelFiles::from_memory(&files).located("the frames"))
    })?;
    Ok(NativeModel::new(loaded.map_err(|e| to_py(e, true))?, true))
}

#[pymethods]
impl NativeModel {
    /// `solve`: the optimal plan (`by_priority`: `--by-priority`; `ranging`: `--ranging`).
    #[pyo3(signature = (*, solver=None, time_limit=None, mip_gap=None, threads=None, no_aggregate=false, aggregate_all=false, by_priority=false, ranging=false))]
    #[allow(clippy::too_many_arguments)]
    fn solve<'py>(
        &self,
        py: Python<'py>,
        solver: Option<Bound<'py, PyAny>>,
        time_limit: Option<Bound<'py, PyAny>>,
        mip_gap: Option<Bound<'py, PyAny>>,
        threads: Option<Bound<'py, PyAny>>,
        no_aggregate: bool,
        aggregate_all: bool,
        by_priority: bool,
        ranging: bool,
    ) -> PyResult<Outcome> {
        let kw = SolverKw {
            solver,
            time_limit,
            mip_gap,
            threads,
        };
        let opts = crate::solve::SolveOptions {
            no_aggregate,
            aggregate_all,
            by_priority,
            ..kw.options()?
        };
        self.run(py, move |m, _| runs::solve_outcome(m, &opts, ranging))
    }

    /// `policy`: what the policy costs.
    #[pyo3(signature = (*, solver=None, time_limit=None, mip_gap=None, threads=None))]
    fn policy<'py>(
        &self,
        py: Python<'py>,
        solver: Option<Bound<'py, PyAny>>,
        time_limit: Option<Bound<'py, PyAny>>,
        mip_gap: Option<Bound<'py, PyAny>>,
        threads: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Outcome> {
        let opts = SolverKw {
            solver,
            time_limit,
            mip_gap,
            threads,
        }
        .options()?;
        self.run(py, move |m, _| runs::policy_outcome(m, &opts))
    }

    /// `compare`: policy variants side by side, from a cases file (`cases`, as the CLI's
    /// `--cases`) or the cases `full_policy` and `no_rules`.
    #[pyo3(signature = (*, cases=None, alpha=None, spot_premium=None, solver=None, time_limit=None, mip_gap=None, threads=None))]
    #[allow(clippy::too_many_arguments)]
    fn compare<'py>(
        &self,
        py: Python<'py>,
        cases: Option<PathBuf>,
        alpha: Option<Bound<'py, PyAny>>,
        spot_premium: Option<Bound<'py, PyAny>>,
        solver: Option<Bound<'py, PyAny>>,
        time_limit: Option<Bound<'py, PyAny>>,
        mip_gap: Option<Bound<'py, PyAny>>,
        threads: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Outcome> {
        let opts = CompareOptions {
            solve: SolverKw {
                solver,
                time_limit,
                mip_gap,
                threads,
            }
            .options()?,
            stress: StressOptions {
                alpha: value("alpha", &alpha)?.unwrap_or(DEFAULT_ALPHA),
                spot_premium: value("spot-premium", &spot_premium)?.unwrap_or(DEFAULT_SPOT_PREMIUM),
            },
        };
        let (cases, read) = match cases {
            Some(path) => load_cases(&path, &self.model).map_err(|e| to_py(e, false))?,
            None => (
                vec![CaseSpec::full_policy(&self.model), CaseSpec::no_rules()],
                Vec::new(),
            ),
        };
        let mut out = self.run(py, move |m, s| runs::compare_outcome(m, s, &cases, &opts))?;
        out.warnings.extend(read);
        Ok(out)
    }

    /// `explain`: the least relaxation of a model with no solution.
    #[pyo3(signature = (*, solver=None, time_limit=None, mip_gap=None, threads=None))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        solver: Option<Bound<'py, PyAny>>,
        time_limit: Option<Bound<'py, PyAny>>,
        mip_gap: Option<Bound<'py, PyAny>>,
        threads: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Outcome> {
        let solve = SolverKw {
            solver,
            time_limit,
            mip_gap,
            threads,
        }
        .options()?;
        self.run(py, move |m, _| {
            runs::explain_outcome(m, &ExplainOptions { solve })
        })
    }

    /// `frontier`: the cost–risk curve of `measure`.
    #[pyo3(signature = (*, measure, points=None, stage=None, solver=None, time_limit=None, mip_gap=None, threads=None))]
    #[allow(clippy::too_many_arguments)]
    fn frontier<'py>(
        &self,
        py: Python<'py>,
        measure: Bound<'py, PyAny>,
        points: Option<Bound<'py, PyAny>>,
        stage: Option<String>,
        solver: Option<Bound<'py, PyAny>>,
        time_limit: Option<Bound<'py, PyAny>>,
        mip_gap: Option<Bound<'py, PyAny>>,
        threads: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Outcome> {
        let Some(measure) = value("measure", &Some(measure))? else {
            return Err(InputError::new_err(
                "frontier needs a measure: hhi, risk_hhi or avg_risk",
            ));
        };
        let opts = FrontierOptions {
            measure,
            points: value("points", &points)?.unwrap_or(DEFAULT_POINTS),
            solve: SolverKw {
                solver,
                time_limit,
                mip_gap,
                threads,
            }
            .options()?,
            stage,
        };
        self.run(py, move |m, _| runs::frontier_outcome(m, &opts))
    }

    /// `stress`: the plan of `plan` (a solve's outcome) in every scenario.
    #[pyo3(signature = (plan, *, alpha=None, spot_premium=None, n_1=false, stage=None))]
    fn stress<'py>(
        &self,
        py: Python<'py>,
        plan: &Outcome,
        alpha: Option<Bound<'py, PyAny>>,
        spot_premium: Option<Bound<'py, PyAny>>,
        n_1: bool,
        stage: Option<String>,
    ) -> PyResult<Outcome> {
        let Some(quantities) = plan.plan().map(<[f64]>::to_vec) else {
            return Err(InputError::new_err(
                "stress needs the result of solve or robust as its plan",
            ));
        };
        let opts = StressOptions {
            alpha: value("alpha", &alpha)?.unwrap_or(DEFAULT_ALPHA),
            spot_premium: value("spot-premium", &spot_premium)?.unwrap_or(DEFAULT_SPOT_PREMIUM),
        };
        let scenarios = self.scenario_set(n_1, stage)?;
        self.run(py, move |m, _| {
            runs::stress_outcome(m, &quantities, &scenarios, &opts)
        })
    }

    /// `solve --robust`: the two-stage plan minimizing E[L] + W·CVaR_α(L).
    #[pyo3(signature = (*, alpha=None, cvar_weight=None, spot_premium=None, n_1=false, stage=None, method=None, solver=None, time_limit=None, mip_gap=None, threads=None))]
    #[allow(clippy::too_many_arguments)]
    fn robust<'py>(
        &self,
        py: Python<'py>,
        alpha: Option<Bound<'py, PyAny>>,
        cvar_weight: Option<Bound<'py, PyAny>>,
        spot_premium: Option<Bound<'py, PyAny>>,
        n_1: bool,
        stage: Option<String>,
        method: Option<Bound<'py, PyAny>>,
        solver: Option<Bound<'py, PyAny>>,
        time_limit: Option<Bound<'py, PyAny>>,
        mip_gap: Option<Bound<'py, PyAny>>,
        threads: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Outcome> {
        let opts = RobustOptions {
            alpha: value("alpha", &alpha)?.unwrap_or(DEFAULT_ALPHA),
            cvar_weight: value("cvar-weight", &cvar_weight)?.unwrap_or(DEFAULT_CVAR_WEIGHT),
            spot_premium: value("spot-premium", &spot_premium)?.unwrap_or(DEFAULT_SPOT_PREMIUM),
            method: value("method", &method)?.unwrap_or_default(),
            solve: SolverKw {
                solver,
                time_limit,
                mip_gap,
                threads,
            }
            .options()?,
        };
        let scenarios = self.scenario_set(n_1, stage)?;
        self.run(py, move |m, _| runs::robust_outcome(m, &scenarios, &opts))
    }

    /// `hedge`: `solve --robust` at each CVaR weight of `weights` (a sequence or the
    /// CLI's comma-separated text; default the CLI's) and the split of each plan's hedge.
    #[pyo3(signature = (*, weights=None, alpha=None, spot_premium=None, n_1=false, stage=None, method=None, solver=None, time_limit=None, mip_gap=None, threads=None))]
    #[allow(clippy::too_many_arguments)]
    fn hedge<'py>(
        &self,
        py: Python<'py>,
        weights: Option<Bound<'py, PyAny>>,
        alpha: Option<Bound<'py, PyAny>>,
        spot_premium: Option<Bound<'py, PyAny>>,
        n_1: bool,
        stage: Option<String>,
        method: Option<Bound<'py, PyAny>>,
        solver: Option<Bound<'py, PyAny>>,
        time_limit: Option<Bound<'py, PyAny>>,
        mip_gap: Option<Bound<'py, PyAny>>,
        threads: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Outcome> {
        let weights = match weights::parse(&weights)? {
            Some(w) => w,
            None => DEFAULT_WEIGHTS
                .iter()
                .filter_map(|&w| crate::values::NonNegative::new(w).ok())
                .collect(),
        };
        let opts = RobustOptions {
            alpha: value("alpha", &alpha)?.unwrap_or(DEFAULT_ALPHA),
            cvar_weight: DEFAULT_CVAR_WEIGHT,
            spot_premium: value("spot-premium", &spot_premium)?.unwrap_or(DEFAULT_SPOT_PREMIUM),
            method: value("method", &method)?.unwrap_or_default(),
            solve: SolverKw {
                solver,
                time_limit,
                mip_gap,
                threads,
            }
            .options()?,
        };
        let scenarios = self.scenario_set(n_1, stage)?;
        self.run(py, move |m, _| {
            runs::hedge_outcome(m, &scenarios, &weights, &opts)
        })
    }

    /// `scenarios`: `samples` correlated disruption samples (countries independent: no
    /// correlation file), hitting each disrupted country's offers at `stage` when named.
    #[pyo3(signature = (*, samples=None, seed=None, severity=None, stage=None))]
    fn scenarios<'py>(
        &self,
        py: Python<'py>,
        samples: Option<Bound<'py, PyAny>>,
        seed: Option<Bound<'py, PyAny>>,
        severity: Option<Bound<'py, PyAny>>,
        stage: Option<String>,
    ) -> PyResult<Outcome> {
        let defaults = SamplingOptions::default();
        let opts = SamplingOptions {
            samples: value("samples", &samples)?.unwrap_or(defaults.samples),
            seed: value::<Seed>("seed", &seed)?.map_or(defaults.seed, |s| s.0),
            severity: value("severity", &severity)?.unwrap_or(defaults.severity),
            repair: false,
            stage,
        };
        self.run(py, move |m, _| runs::scenarios_outcome(m, &opts))
    }
}
