//! `solve --robust`: the plan that anticipates the scenarios, with its stress files.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::robust::Stop;
use crate::analysis::stress::{stress, StressReport};
use crate::error::Result;
use crate::model::{Model, Scenario};
use crate::plan::plan;
use crate::report::{build_report, html, inputs::inputs_table, write_tables_with, Outputs, Report};
use crate::solve::Status;

/// What `solve --robust` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RobustRun {
    /// The report of the robust plan (or of the nominal solve when the model has no plan).
    pub report: Report,
    /// How the robust plan was found: method, status, bounds per round.
    pub robust: Option<crate::analysis::robust::RobustSolution>,
    /// The nominal and robust plans side by side.
    pub comparison: Option<crate::analysis::robust::report::Comparison>,
    /// The robust plan's stress report (stress.csv, stress_summary.csv).
    pub stress: Option<StressReport>,
    /// The robust plan's quantities as written (empty without a plan).
    #[serde(skip)]
    pub quantities: Vec<f64>,
    /// bundle_awards.csv and lot_discounts.csv of the robust plan (for a model with
    /// bundles.csv or discounts.csv; see `analysis::awards`).
    #[serde(skip)]
    pub coupling: Coupling,
    /// Warnings (model, scenarios).
    pub warnings: Vec<String>,
    /// Files written: the three of `solve` and the two of `stress`, all or none.
    pub written: Vec<PathBuf>,
}

/// The robust plan's rows of bundle_awards.csv and lot_discounts.csv, each only for a
/// model with the matching file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Coupling {
    /// bundle_awards.csv.
    pub bundles: Option<Vec<crate::report::BundleRow>>,
    /// lot_discounts.csv.
    pub lots: Option<Vec<crate::report::LotRow>>,
}

impl Coupling {
    /// The rows for `plan` of `model`.
    fn of(model: &Model, plan: &crate::plan::Plan) -> Coupling {
        let c = &model.coupling;
        Coupling {
            bundles: (!c.bundles.is_empty()).then(|| crate::report::bundle_rows(model, plan)),
            lots: (!c.discounts.is_empty()).then(|| crate::report::lot_rows(model, plan)),
        }
    }

    /// Its tables.
    pub fn tables(&self) -> Vec<crate::report::table::Table<'_>> {
        let mut out = Vec::new();
        out.extend(self.bundles.as_deref().map(crate::report::bundles_table));
        out.extend(self.lots.as_deref().map(crate::report::lots_table));
        out
    }
}

impl RobustRun {
    /// Exit code per SPEC §5.
    pub fn exit_code(&self) -> u8 {
        self.report.status.exit_code()
    }
}

/// `solve MODEL --robust`: read the model (and the scenarios `scenarios` names), solve the
/// robust program ([`robust_plan`]), and write allocation.csv, summary.csv,
/// constraints.csv, stress.csv and stress_summary.csv for the robust plan to `outputs`
/// (its dialect, and the workbook when asked: those five sheets and `inputs`), all or
/// none. The stress files come from [`stress`] on the chosen plan, the same code path as
/// the `stress` command. `progress` sees every round.
pub fn robust_model(
    model_dir: &Path,
    scenarios: super::stress::ScenarioSource,
    outputs: &Outputs,
    opts: &crate::analysis::robust::RobustOptions,
    progress: &(dyn Fn(&crate::analysis::robust::Iteration) + Sync),
) -> Result<RobustRun> {
    outputs.validate()?;
    outputs.check_not_input(model_dir)?;
    let scenarios_file = scenarios.file();
    let crate::input::Loaded {
        model,
        scenarios,
        mut warnings,
    } = super::stress::load_with_scenarios(model_dir, scenarios)?;
    if scenarios.is_empty() {
        warnings.push(
            "no scenarios (no scenarios.csv and no --scenarios): the robust plan only sees the baseline".into(),
        );
    }
    let mut run = robust_plan(&model, &scenarios, opts, progress)?;
    run.warnings = warnings;
    let (Some(comparison), Some(robust_stress)) = (&run.comparison, &run.stress) else {
        return Ok(run);
    };
    let page = outputs.report_file(|| {
        let more: Vec<&Path> = scenarios_file.into_iter().collect();
        let inputs = html::input_files(model_dir, &more)?;
        html::robust_page(
            &model,
            &run.report,
            &run.quantities,
            robust_stress,
            comparison,
            &inputs,
        )
    })?;
    let mut tables = run.report.tables();
    tables.extend(run.coupling.tables());
    tables.extend(robust_stress.tables());
    let written = write_tables_with(outputs, &tables, &[inputs_table(&model)], page)?;
    drop(tables);
    run.written = written;
    Ok(run)
}

/// The model and scenarios `solve --robust` reads (for an MPI rank that only evaluates
/// scenarios: the same as the command's own).
pub fn load_robust(
    model_dir: &Path,
    scenarios: super::stress::ScenarioSource,
) -> Result<crate::input::Loaded> {
    super::stress::load_with_scenarios(model_dir, scenarios)
}

/// What `solve --robust` computes for a loaded model before anything is written: the
/// robust plan's report (or the nominal one when there is no plan), how it was found,
/// and, when it has a plan, the robust plan's stress report and its comparison with the
/// nominal plan. The command and the Python package both take it from here. Soft rows'
/// penalties are paid once, beside E + W · CVaR (see `analysis::robust::soft`).
pub fn robust_plan(
    model: &Model,
    scenarios: &[Scenario],
    opts: &crate::analysis::robust::RobustOptions,
    progress: &(dyn Fn(&crate::analysis::robust::Iteration) + Sync),
) -> Result<RobustRun> {
    use crate::analysis::robust::report::{plan_solution, Comparison};
    let outcome = crate::analysis::robust::solve_robust(model, scenarios, opts, progress)?;
    let no_plan = |report: Report, robust, quantities| RobustRun {
        report,
        robust,
        comparison: None,
        stress: None,
        quantities,
        coupling: Coupling::default(),
        warnings: Vec::new(),
        written: Vec::new(),
    };
    let Some(robust) = outcome.robust else {
        return Ok(no_plan(
            build_report(model, &outcome.nominal),
            None,
            Vec::new(),
        ));
    };
    let robust_plan = plan(model, plan_solution(model, &robust));
    let mut report = build_report(model, &robust_plan);
    report.warnings.clear();
    // The plan as written: its quantities are allocation.csv's numbers exactly (clean
    // numbers on each mineral's grid), so `stress --plan` on the written file
    // reproduces the stress files byte for byte.
    let written_plan = robust_plan.quantities();
    if report.status.exit_code() != 0 {
        // One message for the whole plan, not one per mineral.
        if let Status::Failed { message, .. } = &robust.status {
            report.problems = vec![message.clone()];
        }
        return Ok(no_plan(report, Some(robust), written_plan));
    }
    if robust.status == Status::Feasible {
        // One message for the whole plan (CVaR couples the minerals), not one per mineral,
        // naming what stopped it.
        let by = robust.stopped_by.unwrap_or(Stop::Numerics).words();
        report.problems = vec![format!(
            "{by} stopped the robust solve with a feasible plan, not proven optimal{}",
            robust
                .gap
                .map(|g| format!(
                    "; its E + W·CVaR is at most {:.4}% above the optimum",
                    g * 100.0
                ))
                .unwrap_or_default()
        )];
    }
    let stress_opts = opts.stress_options();
    let nominal_plan = outcome.nominal.quantities();
    let nominal_stress = stress(model, &nominal_plan, scenarios, &stress_opts)?;
    let robust_stress = stress(model, &written_plan, scenarios, &stress_opts)?;
    let mut comparison = Comparison::new(
        &nominal_stress,
        &robust_stress,
        opts.alpha.get(),
        opts.cvar_weight.get(),
    );
    if model.has_soft_rows() {
        let penalties = |x: &[f64]| crate::analysis::robust::soft_penalties(model, x);
        comparison.nominal.soft_penalties = Some(penalties(&nominal_plan));
        comparison.robust.soft_penalties = Some(penalties(&written_plan));
    }
    Ok(RobustRun {
        report,
        robust: Some(robust),
        comparison: Some(comparison),
        stress: Some(robust_stress),
        quantities: written_plan,
        coupling: Coupling::of(model, &robust_plan),
        warnings: Vec::new(),
        written: Vec::new(),
    })
}
