//! `hedge`: the hedge frontier (issue 24 item 4). `solve --robust` at a sweep of CVaR
//! weights W, and for each robust plan the split of its hedge against the nominal plan:
//! the diversification premium (its baseline contract cost above the nominal plan's,
//! stock purchases included), the stock cost (holding plus expected drawdown, see
//! [`crate::analysis::stock`]) and the expected spot cost, beside its expected cost and
//! CVaR — what each unit of protection buys.

pub mod plot;

use serde::Serialize;

use crate::analysis::robust::{solve_robust, RobustOptions};
use crate::analysis::stress::{stress, StressReport};
use crate::error::{Error, Result};
use crate::model::{Model, Scenario};
use crate::solve::Status;
use crate::values::NonNegative;

/// File name of the table.
pub const HEDGE_CSV: &str = "hedge.csv";
/// File name of the plot.
pub const HEDGE_SVG: &str = "hedge.svg";

/// The weights swept without `--weights`.
pub const DEFAULT_WEIGHTS: &[f64] = &[0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0];

/// One robust plan of the sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HedgePoint {
    /// The CVaR weight W it minimizes E + W · CVaR for (none for the nominal plan).
    pub cvar_weight: Option<f64>,
    /// Σ_s p_s L_s of the plan.
    pub expected_cost: f64,
    /// CVaR_α of its cost.
    pub cvar_cost: f64,
    /// Its baseline contract cost (landed and fixed costs, stock purchases included).
    pub contract_cost: f64,
    /// contract_cost less the nominal plan's.
    pub diversification_premium: f64,
    /// Σ_s p_s (holding cost + drawdown cost); 0 without stock columns.
    pub stock_cost: f64,
    /// Σ_s p_s spot cost.
    pub expected_spot_cost: f64,
    /// Stock built (what the plan buys above demand), all minerals.
    pub stock_built: f64,
}

/// The sweep: the nominal plan's figures, then one point per weight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hedge {
    /// α.
    pub alpha: f64,
    /// The nominal plan (plain `solve`): its figures, with a premium of 0.
    pub nominal: HedgePoint,
    /// One point per weight, in the order given.
    pub points: Vec<HedgePoint>,
}

/// The figures of a plan's stress report, with its premium against `nominal_contract`.
fn point(report: &StressReport, weight: Option<f64>, nominal_contract: f64) -> HedgePoint {
    let totals: Vec<_> = report.rows.iter().filter(|r| r.mineral == "*").collect();
    let contract_cost = totals.first().map_or(0.0, |r| r.contract_cost);
    let expected = |f: &dyn Fn(&crate::analysis::stress::StressRow) -> f64| -> f64 {
        totals.iter().map(|r| r.probability * f(r)).sum()
    };
    HedgePoint {
        cvar_weight: weight,
        expected_cost: report.summary.expected_cost,
        cvar_cost: report.summary.cvar_cost,
        contract_cost,
        diversification_premium: contract_cost - nominal_contract,
        stock_cost: expected(&|r| r.stock.map_or(0.0, |k| k.holding_cost + k.drawdown_cost)),
        expected_spot_cost: expected(&|r| r.spot_cost),
        stock_built: totals
            .first()
            .and_then(|r| r.stock)
            .map_or(0.0, |k| k.stock_built),
    }
}

/// The hedge frontier of `model` under `scenarios`: `solve --robust` with `opts` at each
/// of `weights` (its own W ignored). A weight without a plan stops the sweep: the error
/// names it.
pub fn hedge(
    model: &Model,
    scenarios: &[Scenario],
    weights: &[NonNegative],
    opts: &RobustOptions,
) -> Result<Hedge> {
    let stress_opts = opts.stress_options();
    let mut nominal = None;
    let mut points = Vec::with_capacity(weights.len());
    for &w in weights {
        let o = RobustOptions {
            cvar_weight: w,
            ..opts.clone()
        };
        let outcome = solve_robust(model, scenarios, &o, &|_| {})?;
        let robust = outcome
            .robust
            .filter(|r| matches!(r.status, Status::Optimal | Status::Feasible))
            .ok_or_else(|| {
                Error::Solver(format!(
                    "the robust plan for --cvar-weight {} was not found (solve --robust says why)",
                    w.get()
                ))
            })?;
        let base = match &nominal {
            Some(n) => n,
            None => {
                let report = stress(
                    model,
                    &outcome.nominal.quantities(),
                    scenarios,
                    &stress_opts,
                )?;
                let own = point(&report, None, 0.0);
                let contract = own.contract_cost;
                nominal.insert(point(&report, None, contract))
            }
        };
        let base_contract = base.contract_cost;
        let report = stress(model, &robust.plan, scenarios, &stress_opts)?;
        points.push(point(&report, Some(w.get()), base_contract));
    }
    let nominal = nominal.ok_or_else(|| Error::Usage("--weights names no weight".into()))?;
    Ok(Hedge {
        alpha: opts.alpha.get(),
        nominal,
        points,
    })
}
