//! The plan stage: a solved model turned, once, into the plan as it is written — per
//! mineral its quantities, unmet demand, cost, the offers it buys in order, its policy
//! rows on the plan with their shadow prices, and its figures (HHI, risk, top country,
//! suppliers, countries) — which every report formats and never recomputes.
//!
//! Analyses that only need costs use `solve::solve` and pay for none of this
//! (the shadow prices of blocks whose solver gives no duals cost another LP solve each).

pub(crate) mod duals;
mod metrics;
mod relaxation;
mod rows;
#[cfg(test)]
mod tests;

use crate::engine::SolverKind;
use crate::error::Result;
use crate::model::Model;
use crate::solve::{solve_each, worst_status, MineralSolution, Solution, SolveOptions, Status};

/// What a plan row is: the policy line, rule, mineral, target, bound and the offers its
/// sum covers.
pub use crate::policy::rows::{InstanceTarget, RowInstance};
pub use metrics::Metrics;
pub use relaxation::{relaxation_rows, MineralRelaxation, RelaxationRow};
pub use rows::{violation_points, RowOutcome};

/// A solved model as it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Worst status over minerals.
    pub status: Status,
    /// One entry per mineral, in model order.
    pub minerals: Vec<MineralOutcome>,
    /// Over the minerals with a plan: purchase cost (landed and fixed costs), summed in
    /// mineral order.
    pub purchase_cost: f64,
    /// Over the minerals with a plan: distinct supplier ids used.
    pub suppliers: usize,
    /// Over the minerals with a plan: countries used.
    pub countries: usize,
    /// Wall time spent formulating the blocks.
    pub build_wall_secs: f64,
}

/// One mineral of a [`Plan`].
#[derive(Debug, Clone, PartialEq)]
pub struct MineralOutcome {
    /// Index into `Model::minerals`.
    pub mineral: usize,
    /// How its solve ended.
    pub status: Status,
    /// True when the plan passed the independent plan checker (every plan reported
    /// does: one that fails it is [`Status::Failed`]); false without a plan.
    pub checked: bool,
    /// Quantity per offer of the mineral (local index), as written: clean numbers on the
    /// mineral's grid (see `solve::clean`); empty without a plan.
    pub quantities: Vec<f64>,
    /// Demand left unmet.
    pub unmet: f64,
    /// Total cost (landed purchases + fixed costs + unmet penalty).
    pub cost: f64,
    /// Offers bought (indices within the mineral), by quantity descending, ties in offer
    /// order: allocation.csv's order.
    pub allocation: Vec<usize>,
    /// The mineral's policy rows on the plan, in expansion order (empty without a plan).
    pub rows: Vec<RowOutcome>,
    /// The plan's figures (`None` without a plan).
    pub metrics: Option<Metrics>,
    /// For an infeasible mineral: the rows its least relaxation moves.
    pub relaxations: Vec<RelaxationRow>,
    /// The backend used.
    pub solver: SolverKind,
    /// Rounds of HHI tangent cuts after the first solve.
    pub cut_rounds: usize,
    /// For a plan stopped by a limit: an upper bound on its relative gap, when known.
    pub gap: Option<f64>,
    /// Seconds spent in the solver.
    pub solve_secs: f64,
    /// Remarks on how the block was solved.
    pub warnings: Vec<String>,
    /// For a mineral joined to others by bundles or lot discounts: what they decided.
    pub(crate) coupling: Option<Box<crate::solve::coupled::MineralCoupling>>,
    /// Offers used (indices into `Model::offers`) with their supplier ids' hashes, and
    /// countries used: for the plan's totals, then dropped.
    used: (Vec<(u64, usize)>, Vec<usize>),
}

impl MineralOutcome {
    /// True when the mineral has a plan to report.
    pub fn has_plan(&self) -> bool {
        matches!(self.status, Status::Optimal | Status::Feasible)
    }

    /// The plan stage of one solved mineral: its rows as written (shadow prices missing
    /// from the solver recovered from the fixed-binary LP) and its figures.
    pub(crate) fn new(model: &Model, mut ms: MineralSolution) -> MineralOutcome {
        let relaxations = relaxation_rows(model, ms.mineral, &ms.relaxations, &ms.instances);
        let mut out = MineralOutcome {
            mineral: ms.mineral,
            status: ms.status.clone(),
            checked: ms.has_plan(),
            quantities: Vec::new(),
            unmet: ms.unmet,
            cost: ms.cost,
            allocation: Vec::new(),
            rows: Vec::new(),
            metrics: None,
            relaxations,
            solver: ms.solver,
            cut_rounds: ms.cut_rounds,
            gap: ms.gap,
            solve_secs: ms.solve_secs,
            warnings: std::mem::take(&mut ms.warnings),
            coupling: ms.coupling.take(),
            used: (Vec::new(), Vec::new()),
        };
        if !ms.has_plan() {
            return out;
        }
        let recovered = if ms.block_optimum {
            duals::missing_shadow_prices(model, &ms)
        } else {
            None
        };
        out.rows = rows::outcomes(std::mem::take(&mut ms.rows), recovered);
        let mut measured = metrics::measure(model, ms.mineral, &ms.quantities, &out.rows);
        if let Some(mc) = &out.coupling {
            measured.metrics.purchase_cost +=
                crate::solve::coupled::adjustment(model, ms.mineral, &ms.quantities, mc);
        }
        out.quantities = ms.quantities;
        out.allocation = measured.allocation;
        out.metrics = Some(measured.metrics);
        out.used = (measured.suppliers, measured.countries);
        out
    }
}

/// A fixed plan of mineral `m` (`quantities` per offer of the mineral, as written), not
/// solved but measured: its policy rows on the plan (unpriced; a broken row has a value
/// past its bound) and its figures, as a solved plan's would be.
pub(crate) fn evaluate(model: &Model, m: usize, quantities: &[f64]) -> (Vec<RowOutcome>, Metrics) {
    let plan = crate::policy::rows::MineralPlan {
        model,
        mineral: m,
        quantities,
    };
    let results = crate::policy::rows::expand(model, m)
        .into_iter()
        .map(|instance| crate::solve::RowResult {
            value: plan.value(&instance),
            instance,
            shadow_price: None,
        })
        .collect();
    let rows = rows::outcomes(results, None);
    let measured = metrics::measure(model, m, quantities, &rows);
    (rows, measured.metrics)
}

/// Solves `model` and builds its plan (see [`solve_plan_then`]).
pub fn solve_plan(model: &Model, opts: &SolveOptions) -> Result<Plan> {
    solve_plan_then(model, opts, |_| ()).map(|(plan, _)| plan)
}

/// Solves `model`, building each mineral's part of the plan as soon as its block is
/// solved (in the worker that solved it, while other blocks still solve) and calling
/// `then` on it; returns the plan and `then`'s results in mineral order. `then` may
/// change the mineral before it is kept, e.g. drop its [`MineralOutcome::rows`] once
/// they are formatted: at 1M offers × 10 minerals they are 1.1M rows the caller need not
/// hold twice.
pub fn solve_plan_then<P: Send>(
    model: &Model,
    opts: &SolveOptions,
    then: impl Fn(&mut MineralOutcome) -> P + Sync,
) -> Result<(Plan, Vec<P>)> {
    let (each, build_wall_secs) = solve_each(model, opts, |ms| {
        let mut outcome = MineralOutcome::new(model, ms);
        let after = then(&mut outcome);
        (outcome, after)
    })?;
    let (minerals, after): (Vec<MineralOutcome>, Vec<P>) = each.into_iter().unzip();
    Ok((assemble(model, minerals, build_wall_secs), after))
}

/// The plan of a model solved elsewhere (a frontier's own optimum, the robust plan).
pub(crate) fn plan(model: &Model, solution: Solution) -> Plan {
    use rayon::prelude::*;
    let minerals = solution
        .minerals
        .into_par_iter()
        .map(|ms| MineralOutcome::new(model, ms))
        .collect();
    let mut plan = assemble(model, minerals, solution.build_wall_secs);
    plan.status = solution.status;
    plan
}

/// The plan of `minerals` (in model order), with its totals.
fn assemble(model: &Model, mut minerals: Vec<MineralOutcome>, build_wall_secs: f64) -> Plan {
    let mut suppliers: Vec<(u64, usize)> = Vec::new();
    let mut used_countries = vec![false; model.countries.len()];
    let mut purchase_cost = 0.0;
    for m in &mut minerals {
        let Some(metrics) = &m.metrics else { continue };
        purchase_cost += metrics.purchase_cost;
        let (offers, countries) = std::mem::take(&mut m.used);
        suppliers.extend(offers);
        for c in countries {
            used_countries[c] = true;
        }
    }
    Plan {
        status: worst_status(minerals.iter().map(|m| &m.status)),
        minerals,
        purchase_cost,
        suppliers: metrics::distinct_suppliers(model, suppliers),
        countries: used_countries.iter().filter(|&&u| u).count(),
        build_wall_secs,
    }
}

impl Plan {
    /// Total cost over minerals.
    pub fn cost(&self) -> f64 {
        self.minerals.iter().map(|m| m.cost).sum()
    }

    /// The quantity bought from every offer of the model, in `Model::offers` order (the
    /// plan [`crate::analysis::stress::stress`] evaluates): each mineral's quantities as
    /// written, minerals in model order, since the model groups offers by mineral.
    pub fn quantities(&self) -> Vec<f64> {
        self.minerals
            .iter()
            .flat_map(|m| m.quantities.iter().copied())
            .collect()
    }
}
