//! `stress`: a fixed plan in every disruption scenario.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::stress::{stress, StressOptions, StressReport};
use crate::error::Result;
use crate::input::{load, load_plan, load_scenarios, Loaded};
use crate::model::Model;
use crate::report::{html, Outputs};

/// What `stress` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StressRun {
    /// The per-scenario rows and the summary.
    pub report: StressReport,
    /// Warnings (model, plan, scenarios; a plan that breaks the policy).
    pub warnings: Vec<String>,
    /// Files written.
    pub written: Vec<PathBuf>,
}

/// `stress MODEL --plan FILE [--scenarios FILE]`: read the model and the plan, check the
/// plan against the policy (a warning when it breaks a rule), evaluate every scenario,
/// and write stress.csv and stress_summary.csv into `out_dir` (both or neither).
pub fn stress_model(
    model_dir: &Path,
    plan_path: &Path,
    scenarios: ScenarioSource,
    out_dir: &Path,
    opts: &StressOptions,
) -> Result<StressRun> {
    stress_model_to(
        model_dir,
        plan_path,
        scenarios,
        &Outputs::csv(out_dir),
        opts,
    )
}

/// [`stress_model`] writing to `outputs` (CSV dialect, optional workbook with an
/// `inputs` sheet).
pub fn stress_model_to(
    model_dir: &Path,
    plan_path: &Path,
    scenarios: ScenarioSource,
    outputs: &Outputs,
    opts: &StressOptions,
) -> Result<StressRun> {
    outputs.validate()?;
    outputs.check_not_input(model_dir)?;
    let scenarios_file = scenarios.file();
    let Loaded {
        model,
        scenarios,
        mut warnings,
    } = load_with_scenarios(model_dir, scenarios)?;
    let plan = load_plan(plan_path, &model)?;
    warnings.extend(plan.warnings.iter().cloned());
    warnings.extend(policy_breaches(&model, &plan.quantities, plan_path));
    if scenarios.is_empty() {
        warnings.push(
            "no scenarios (no scenarios.csv and no --scenarios): only the baseline is evaluated"
                .into(),
        );
    }
    let report = stress(&model, &plan.quantities, &scenarios, opts)?;
    let page = outputs.report_file(|| {
        let mut more = vec![plan_path];
        more.extend(scenarios_file);
        let inputs = html::input_files(model_dir, &more)?;
        html::stress_page(&model, &plan.quantities, &report, &inputs)
    })?;
    let inputs = crate::report::inputs::inputs_table(&model);
    let written = crate::report::write_tables_with(outputs, &report.tables(), &[inputs], page)?;
    Ok(StressRun {
        report,
        warnings,
        written,
    })
}

/// One warning per mineral whose planned quantities break a rule of the model (checked
/// by the independent plan checker, with the unplanned part of demand as unmet).
fn policy_breaches(model: &Model, quantities: &[f64], plan_path: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for (m, mineral) in model.minerals.iter().enumerate() {
        let x = &quantities[mineral.offers.clone()];
        let unmet = (mineral.demand - x.iter().sum::<f64>()).max(0.0);
        let instances = crate::policy::rows::expand(model, m);
        if let Err(why) = crate::solve::verify::verify_mineral(model, m, x, unmet, &instances) {
            out.push(format!(
                "{}: the plan for {} breaks the model's rules ({why}); it is stressed as it is",
                plan_path.display(),
                mineral.name
            ));
        }
    }
    out
}

/// Where `stress` and `solve --robust` take their scenarios from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScenarioSource<'a> {
    /// The model's own scenarios.csv (none when it has none).
    Model,
    /// A scenarios file (`--scenarios FILE`).
    File(&'a Path),
    /// The preset "any one country stops" (`--n-1`, [`crate::analysis::presets::n_minus_one`]).
    NMinusOne,
    /// The same preset at a stage of the chain (`--n-1-stage STAGE`,
    /// [`crate::analysis::presets::n_minus_one_at`]).
    NMinusOneAt(&'a str),
}

impl<'a> ScenarioSource<'a> {
    /// The scenarios file named on the command line, if any.
    pub fn file(self) -> Option<&'a Path> {
        match self {
            ScenarioSource::File(path) => Some(path),
            ScenarioSource::Model | ScenarioSource::NMinusOne | ScenarioSource::NMinusOneAt(_) => {
                None
            }
        }
    }
}

/// The model and scenarios `stress` reads (for an MPI rank that only evaluates
/// scenarios: the same as the command's own).
pub fn load_stress(model_dir: &Path, source: ScenarioSource) -> Result<Loaded> {
    load_with_scenarios(model_dir, source)
}

/// The model in `model_dir` with the scenarios `source` names, and the warnings of the
/// reads (and that preset probabilities are not estimates).
pub(super) fn load_with_scenarios(model_dir: &Path, source: ScenarioSource) -> Result<Loaded> {
    let mut loaded = load(model_dir)?;
    match source {
        ScenarioSource::Model => {}
        ScenarioSource::File(path) => {
            let (scenarios, more) = load_scenarios(path, &loaded.model)?;
            loaded.scenarios = scenarios;
            loaded.warnings.extend(more);
        }
        ScenarioSource::NMinusOne => {
            loaded.scenarios = crate::analysis::presets::n_minus_one(&loaded.model);
            loaded.warnings.push(format!(
                "--n-1: {} scenarios, one per mineral and country offering it, share a preset probability of {} (not an estimate)",
                loaded.scenarios.len(),
                crate::analysis::presets::N_MINUS_ONE_PROBABILITY
            ));
        }
        ScenarioSource::NMinusOneAt(name) => {
            let stage = loaded.model.stages.by_flag("--n-1-stage", Some(name))?;
            loaded.scenarios = crate::analysis::presets::n_minus_one_at(&loaded.model, stage);
            loaded.warnings.push(format!(
                "--n-1-stage: {} scenarios, one per mineral and country its offers pass through at the {name} stage, share a preset probability of {} (not an estimate)",
                loaded.scenarios.len(),
                crate::analysis::presets::N_MINUS_ONE_PROBABILITY
            ));
        }
    }
    Ok(loaded)
}
