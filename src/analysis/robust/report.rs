//! What a robust run reports: the robust plan as a `solve::Solution` (so `solve`'s three files
//! come from the same code), the nominal and robust plans side by side, and the text.

use std::fmt::Write;

use serde::Serialize;

use crate::analysis::stress::StressReport;
use crate::engine::route;
use crate::model::name::Name;
use crate::model::Model;
use crate::policy::rows::{expand, MineralPlan};
use crate::solve::{MineralSolution, RowResult, Solution, Status};
use crate::write::numbers::plain;

use super::{Engine, RobustSolution};

/// The risk figures of one plan, from its stress report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanRisk {
    /// Σ_s p_s L_s.
    pub expected_cost: f64,
    /// CVaR_α(L).
    pub cvar_cost: f64,
    /// E + W · CVaR.
    pub objective: f64,
    /// The costliest scenario with a positive probability.
    pub worst_scenario: Name,
    /// Its cost.
    pub worst_cost: f64,
    /// The baseline's contract cost: landed costs of the contracts plus fixed costs.
    pub contract_cost: f64,
    /// The demand the plan leaves unmet in the baseline (its planned shortfall: never
    /// bought spot).
    pub baseline_unmet: f64,
    /// The cost in the baseline (no shock): contract cost plus the unmet demand at the
    /// penalty (plus the stock's holding cost), what `solve` calls the plan's total cost.
    pub baseline_cost: f64,
    /// The plan's stock, when the model has stock columns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stock: Option<StockRisk>,
    /// The soft rows' penalties (penalty × points past the bound), when the model has
    /// soft rows: paid once, outside the scenario costs; the robust plan minimizes
    /// E + W · CVaR plus them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soft_penalties: Option<f64>,
}

/// A plan's stock in the comparison (all minerals together).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StockRisk {
    /// S: the stock held (on hand plus built).
    pub stock: f64,
    /// b: the stock built (bought above demand).
    pub stock_built: f64,
    /// h · S.
    pub holding_cost: f64,
    /// Σ_s p_s · drawdown cost_s.
    pub expected_drawdown_cost: f64,
    /// Σ_s p_s · spot cost_s.
    pub expected_spot_cost: f64,
}

impl StockRisk {
    /// The stock figures of a stress report, when it has stock columns.
    fn from_stress(report: &StressReport) -> Option<StockRisk> {
        let totals = report.rows.iter().filter(|r| r.mineral == "*");
        let base = totals.clone().next()?.stock?;
        Some(StockRisk {
            stock: base.stock,
            stock_built: base.stock_built,
            holding_cost: base.holding_cost,
            expected_drawdown_cost: totals
                .clone()
                .map(|r| r.probability * r.stock.map_or(0.0, |k| k.drawdown_cost))
                .sum(),
            expected_spot_cost: totals.map(|r| r.probability * r.spot_cost).sum(),
        })
    }
}

impl PlanRisk {
    /// The figures of `report` with CVaR weight `weight`.
    pub fn from_stress(report: &StressReport, weight: f64) -> PlanRisk {
        let s = &report.summary;
        // The baseline's totals row comes first.
        let baseline = report.rows.iter().find(|r| r.mineral == "*");
        let figure = |f: fn(&crate::analysis::stress::StressRow) -> f64| baseline.map_or(0.0, f);
        PlanRisk {
            expected_cost: s.expected_cost,
            cvar_cost: s.cvar_cost,
            objective: s.expected_cost + weight * s.cvar_cost,
            worst_scenario: s.worst_scenario.clone(),
            worst_cost: s.worst_cost,
            contract_cost: figure(|r| r.contract_cost),
            baseline_unmet: figure(|r| r.unmet),
            baseline_cost: figure(|r| r.total_cost),
            stock: StockRisk::from_stress(report),
            soft_penalties: None,
        }
    }
}

/// The nominal plan beside the robust one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// α.
    pub alpha: f64,
    /// W.
    pub cvar_weight: f64,
    /// The plain `solve` plan.
    pub nominal: PlanRisk,
    /// The robust plan.
    pub robust: PlanRisk,
    /// What the insurance costs in the baseline: robust − nominal baseline cost.
    pub insurance_cost: f64,
}

impl Comparison {
    /// Compares two stress reports.
    pub fn new(nominal: &StressReport, robust: &StressReport, alpha: f64, weight: f64) -> Self {
        let nominal = PlanRisk::from_stress(nominal, weight);
        let robust = PlanRisk::from_stress(robust, weight);
        Comparison {
            alpha,
            cvar_weight: weight,
            insurance_cost: robust.baseline_cost - nominal.baseline_cost,
            nominal,
            robust,
        }
    }
}

/// The robust plan as a [`Solution`]: per mineral its quantities, unmet demand (what
/// the plan leaves of demand: unmet in every scenario, never bought spot), plan cost as
/// `solve` counts it (the baseline cost, with the bundles and lot discounts it earns),
/// and row values (no
/// shadow prices: a row's dual in the robust program is not the derivative `solve`
/// reports).
pub(crate) fn plan_solution(model: &Model, robust: &RobustSolution) -> Solution {
    let solver = match robust.engine {
        Some(Engine::Lp(kind)) => kind,
        Some(Engine::Conic) | None => route::with_cones(),
    };
    // What the plan earns of its bundles and lot discounts (see `analysis::awards`).
    let earned = (!model.coupling.is_empty() && robust.plan.len() == model.offers.len())
        .then(|| crate::analysis::awards::derive(model, &robust.plan));
    let minerals = model
        .minerals
        .iter()
        .enumerate()
        .map(|(m, mineral)| {
            let mut ms = MineralSolution {
                mineral: m,
                status: robust.status.clone(),
                quantities: Vec::new(),
                unmet: 0.0,
                cost: 0.0,
                rows: Vec::new(),
                relaxations: Vec::new(),
                instances: Vec::new(),
                solver,
                build_secs: 0.0,
                cut_rounds: 0,
                gap: robust.gap.filter(|_| robust.status == Status::Feasible),
                solve_secs: 0.0,
                warnings: Vec::new(),
                // The robust optimum is not the block's: its rows' duals price nothing.
                block_optimum: false,
                coupling: None,
            };
            if !ms.has_plan() {
                return ms;
            }
            let instances = expand(model, m);
            let x = robust.plan[mineral.offers.clone()].to_vec();
            ms.unmet = super::written::unmet(model, m, &x);
            ms.cost = model
                .offers_of(m)
                .iter()
                .zip(&x)
                .map(|(o, &q)| o.purchase_cost(q) + if q > 0.0 { o.fixed_cost } else { 0.0 })
                .sum::<f64>()
                + mineral.unmet_penalty.unwrap_or(0.0) * ms.unmet
                + mineral.holding_cost(x.iter().sum());
            if let Some(mc) = earned.as_ref().and_then(|e| e[m].as_ref()) {
                ms.cost += crate::solve::coupled::adjustment(model, m, &x, mc);
                ms.coupling = Some(Box::new(mc.clone()));
            }
            let plan = MineralPlan {
                model,
                mineral: m,
                quantities: &x,
            };
            ms.rows = instances
                .into_iter()
                .map(|instance| RowResult {
                    value: plan.value(&instance),
                    instance,
                    shadow_price: None,
                })
                .collect();
            ms.quantities = x;
            ms
        })
        .collect();
    Solution {
        status: robust.status.clone(),
        minerals,
        build_wall_secs: 0.0,
    }
}

/// Rounds for display: 6 significant digits.
fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return plain(v);
    }
    let digits = (6 - 1 - v.abs().log10().floor() as i32).clamp(0, 9) as usize;
    plain(format!("{v:.digits$}").parse().unwrap_or(v))
}

/// The nominal and robust plans side by side, with how the robust one was found.
pub fn render_comparison(c: &Comparison, robust: &RobustSolution) -> String {
    let mut out = String::new();
    write_headline(&mut out, c, robust);
    let rows = comparison_rows(c);
    let w0 = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let w1 = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    let w2 = rows.iter().map(|r| r.2.chars().count()).max().unwrap_or(0);
    for (label, a, b) in rows {
        let _ = writeln!(out, "{label:<w0$}  {a:>w1$}  {b:>w2$}");
    }
    write_explanations(&mut out, c);
    out
}

/// The line naming the robust objective and how it was found.
fn write_headline(out: &mut String, c: &Comparison, robust: &RobustSolution) {
    let _ = writeln!(
        out,
        "\nrobust plan: minimizes E[L] + {} · CVaR_{}(L){} ({}, {} round{}{})",
        plain(c.cvar_weight),
        plain(c.alpha),
        match c.robust.soft_penalties {
            Some(_) => " + soft-rule penalties",
            None => "",
        },
        robust.method,
        robust.iterations.len(),
        if robust.iterations.len() == 1 {
            ""
        } else {
            "s"
        },
        robust
            .gap
            .map(|g| format!(", relative gap {g:.1e}"))
            .unwrap_or_default()
    );
}

/// The comparison's rows: label, nominal, robust (the stock's when both plans hold one).
fn comparison_rows(c: &Comparison) -> Vec<(&'static str, String, String)> {
    let rows = [
        ("", "nominal".to_string(), "robust".to_string()),
        (
            "contract cost",
            short(c.nominal.contract_cost),
            short(c.robust.contract_cost),
        ),
        (
            "unmet demand",
            short(c.nominal.baseline_unmet),
            short(c.robust.baseline_unmet),
        ),
        (
            "baseline cost",
            short(c.nominal.baseline_cost),
            short(c.robust.baseline_cost),
        ),
        (
            "expected cost",
            short(c.nominal.expected_cost),
            short(c.robust.expected_cost),
        ),
        (
            "CVaR",
            short(c.nominal.cvar_cost),
            short(c.robust.cvar_cost),
        ),
        (
            "E + W·CVaR",
            short(c.nominal.objective),
            short(c.robust.objective),
        ),
        (
            "worst scenario",
            c.nominal.worst_scenario.to_string(),
            c.robust.worst_scenario.to_string(),
        ),
        (
            "worst cost",
            short(c.nominal.worst_cost),
            short(c.robust.worst_cost),
        ),
    ];
    let mut rows = rows.to_vec();
    if let (Some(n), Some(r)) = (c.nominal.soft_penalties, c.robust.soft_penalties) {
        rows.push(("soft-rule penalties", short(n), short(r)));
    }
    if let (Some(n), Some(r)) = (c.nominal.stock, c.robust.stock) {
        rows.extend([
            ("stock held", short(n.stock), short(r.stock)),
            ("stock built", short(n.stock_built), short(r.stock_built)),
            ("holding cost", short(n.holding_cost), short(r.holding_cost)),
            (
                "expected drawdown cost",
                short(n.expected_drawdown_cost),
                short(r.expected_drawdown_cost),
            ),
        ]);
    }
    rows
}

/// What the baseline cost, the stock and the hedge mean, and the insurance paid.
fn write_explanations(out: &mut String, c: &Comparison) {
    let pct = if c.nominal.baseline_cost != 0.0 {
        format!(
            " ({:+.2}%)",
            100.0 * c.insurance_cost / c.nominal.baseline_cost
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "baseline cost: no disruption, the contract cost plus the unmet demand at its penalty (the total cost above); nothing is bought spot then: the spot market only replaces deliveries a disruption takes away"
    );
    if let (Some(n), Some(r)) = (c.nominal.stock, c.robust.stock) {
        let _ = writeln!(
            out,
            "stock: held = on hand plus built (what the plan buys above demand, within the policy), holding cost paid in every scenario (part of the baseline cost); a disruption draws it before dearer spot, each unit at its replacement (the cheapest landed cost)"
        );
        let _ = writeln!(
            out,
            "the hedge: diversification premium {} (contract cost above the nominal plan's, stock purchases included), stock cost {} (holding plus expected drawdown; nominal {}), expected spot cost {} (nominal {})",
            short(c.robust.contract_cost - c.nominal.contract_cost),
            short(r.holding_cost + r.expected_drawdown_cost),
            short(n.holding_cost + n.expected_drawdown_cost),
            short(r.expected_spot_cost),
            short(n.expected_spot_cost)
        );
    }
    if c.insurance_cost >= 0.0 {
        let _ = writeln!(
            out,
            "insurance: the robust plan costs {}{pct} more than the nominal one when nothing is disrupted",
            short(c.insurance_cost)
        );
    } else {
        // Both plans obey the same policy and the nominal one minimizes the baseline
        // cost, so only its solver's tolerance or MIP gap leaves room for this.
        let _ = writeln!(
            out,
            "insurance: the robust plan costs {}{pct} less than the nominal one when nothing is disrupted (the nominal plan is optimal to its solver's tolerance or MIP gap)",
            short(-c.insurance_cost)
        );
    }
}
