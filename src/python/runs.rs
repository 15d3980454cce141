//! Each method's computation, from a model in memory to an [`Outcome`]: the same
//! analyses and report tables the commands of `src/commands/` use, without the files.

use std::sync::Arc;

use crate::analysis::compare::{compare, CompareOptions};
use crate::analysis::explain::{explain, ExplainOptions};
use crate::analysis::frontier::{frontier, render_text as frontier_text};
use crate::analysis::frontier::{FrontierOptions, FrontierOutcome};
use crate::analysis::hedge::hedge;
use crate::analysis::policy_cost::policy_cost;
use crate::analysis::robust::report::render_comparison;
use crate::analysis::robust::RobustOptions;
use crate::analysis::sampling::{sample, SamplingOptions};
use crate::analysis::stress::{stress, StressOptions};
use crate::commands::{robust_plan, solve_loaded};
use crate::error::Result;
use crate::input::CaseSpec;
use crate::model::{Model, Scenario};
use crate::report::render_scenarios;
use crate::report::{build_report, render_explain, render_policy};
use crate::report::{render_compare, render_hedge, render_stress, render_text};
use crate::report::{ExplainReport, PolicyReport, Report};
use crate::solve::SolveOptions;
use crate::values::NonNegative;

use super::outcome::{Body, Outcome};

/// An outcome whose status is that of a solve report.
fn from_report(model: Arc<Model>, report: &Report, text: String, body: Body) -> Outcome {
    Outcome {
        status: report.status.name().to_string(),
        exit_code: report.status.exit_code(),
        text,
        warnings: report.warnings.clone(),
        problems: report.problems.clone(),
        body,
        model,
    }
}

/// An outcome that always has a result (exit 0 unless `exit_code` says otherwise).
fn plain(model: Arc<Model>, exit_code: u8, text: String, body: Body) -> Outcome {
    let status = if exit_code == 0 {
        "optimal"
    } else {
        "infeasible"
    };
    Outcome {
        status: status.to_string(),
        exit_code,
        text,
        warnings: Vec::new(),
        problems: Vec::new(),
        body,
        model,
    }
}

/// `solve` (with ranging.csv's table when `ranging`): `commands::solve_loaded`, the
/// computation the CLI writes, with its text and tables.
pub fn solve_outcome(model: Arc<Model>, opts: &SolveOptions, ranging: bool) -> Result<Outcome> {
    let solved = solve_loaded(&model, opts, ranging)?;
    let text = solved.text();
    let mut out = from_report(model, &solved.report, text, Body::Empty);
    out.body = Body::Solve(Box::new(solved));
    Ok(out)
}

/// `policy`: what the policy costs (exit 3 when the full policy has no solution).
pub fn policy_outcome(model: Arc<Model>, opts: &SolveOptions) -> Result<Outcome> {
    let report = PolicyReport::new(policy_cost(&model, opts)?);
    let code = if report.feasible { 0 } else { 3 };
    let mut out = plain(model, code, render_policy(&report), Body::Empty);
    out.warnings = report.warnings.clone();
    if code != 0 {
        out.problems = report.accounts.clone();
    }
    out.body = Body::Policy(report);
    Ok(out)
}

/// `compare`: the cases side by side; exit 4 when a case's solver failed (its row says
/// `failed`), as the CLI.
pub fn compare_outcome(
    model: Arc<Model>,
    scenarios: &[Scenario],
    cases: &[CaseSpec],
    opts: &CompareOptions,
) -> Result<Outcome> {
    let comparison = compare(&model, cases, scenarios, opts)?;
    let code = comparison.exit_code();
    let mut out = plain(model, code, render_compare(&comparison), Body::Empty);
    out.warnings = comparison.warnings.clone();
    if code != 0 {
        out.status = "failed".into();
        out.problems = vec!["the solver failed on a case: its rows say failed".into()];
    }
    out.body = Body::Compare(comparison);
    Ok(out)
}

/// `explain`: the least relaxation (exit 0 either way, as the CLI).
pub fn explain_outcome(model: Arc<Model>, opts: &ExplainOptions) -> Result<Outcome> {
    let report = ExplainReport::new(explain(&model, opts)?);
    let text = render_explain(&report);
    Ok(plain(model, 0, text, Body::Explain(report)))
}

/// `frontier`: the curve, or the solve report of a model without a plan.
pub fn frontier_outcome(model: Arc<Model>, opts: &FrontierOptions) -> Result<Outcome> {
    match frontier(&model, opts, &|_, _| {})? {
        FrontierOutcome::NoPlan(plan) => {
            let report = build_report(&model, &plan);
            let mut out = from_report(model, &report, String::new(), Body::Empty);
            out.exit_code = out.exit_code.max(3);
            out.body = Body::NoFrontier(report);
            Ok(out)
        }
        FrontierOutcome::Frontier(f) => {
            let mut out = plain(model, 0, frontier_text(&f), Body::Empty);
            out.warnings = f.warnings();
            out.body = Body::Frontier(f);
            Ok(out)
        }
    }
}

/// `scenarios`: correlated disruption samples (the model's own correlation.csv is not
/// read: independent countries), the table the CLI writes to scenarios.csv.
pub fn scenarios_outcome(model: Arc<Model>, opts: &SamplingOptions) -> Result<Outcome> {
    let sampled = sample(&model, None, opts, &|_| {})?;
    let mut out = plain(model, 0, render_scenarios(&sampled), Body::Empty);
    out.warnings = sampled.warnings.clone();
    out.body = Body::Scenarios(sampled);
    Ok(out)
}

/// `stress`: the plan `quantities` in every scenario.
pub fn stress_outcome(
    model: Arc<Model>,
    quantities: &[f64],
    scenarios: &[Scenario],
    opts: &StressOptions,
) -> Result<Outcome> {
    let report = stress(&model, quantities, scenarios, opts)?;
    let text = render_stress(&report);
    Ok(plain(model, 0, text, Body::Stress(report)))
}

/// `solve --robust`: the robust plan's report and stress tables, and its comparison with
/// the nominal plan in the text (as `commands::robust_model` without the files).
pub fn robust_outcome(
    model: Arc<Model>,
    scenarios: &[Scenario],
    opts: &RobustOptions,
) -> Result<Outcome> {
    let run = robust_plan(&model, scenarios, opts, &|_| {})?;
    let mut text = render_text(&run.report);
    if let (Some(c), Some(r)) = (&run.comparison, &run.robust) {
        text.push_str(&render_comparison(c, r));
    }
    let body = Body::Robust(run.report.clone(), run.stress, run.quantities, run.coupling);
    Ok(from_report(model, &run.report, text, body))
}

/// `hedge`: `solve --robust` at each of `weights` and the split of each plan's hedge (as
/// `commands::hedge_model` without the files); a weight without a plan is the CLI's
/// solver error (exit 4).
pub fn hedge_outcome(
    model: Arc<Model>,
    scenarios: &[Scenario],
    weights: &[NonNegative],
    opts: &RobustOptions,
) -> Result<Outcome> {
    let h = hedge(&model, scenarios, weights, opts)?;
    let text = render_hedge(&h);
    Ok(plain(model, 0, text, Body::Hedge(h)))
}
