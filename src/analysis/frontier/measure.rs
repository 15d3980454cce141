//! The measures a frontier moves (HHI, risk-weighted HHI, average risk): their policy
//! rows, their value on a plan, and the least value a mineral can reach under its policy.

use serde::Serialize;

use crate::engine::conic::solve_with_epigraphs;
use crate::engine::cuts::{add_tangent_cuts, CutEnd, CutLoop};
use crate::engine::{solve_lp, BackendOptions, LpResult, LpStatus, SolverKind};
use crate::error::{Error, Result};
use crate::formulate::{Block, RowTag};
use crate::model::Model;
use crate::policy::rows::{InstanceTarget, MineralPlan, RowInstance};
use crate::policy::{Kind, MAX_AVG_RISK, MAX_HHI, MAX_RISK_HHI};
use crate::solve::{Deadline, SolveOptions, SolverChoice};

use crate::tolerance::{
    FRONTIER_CUT_DEPTH as CUT_DEPTH, FRONTIER_CUT_GAP as CUT_GAP,
    FRONTIER_MAX_CUT_ROUNDS as MAX_ROUNDS,
};

/// The measure on a frontier's horizontal axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Σ_c (q_c / D)² (`max_hhi`).
    Hhi,
    /// Σ_c risk_c (q_c / D)² (`max_risk_hhi`).
    RiskHhi,
    /// Σ risk · x / D (`max_avg_risk`).
    AvgRisk,
}

impl std::str::FromStr for Measure {
    type Err = String;

    /// `hhi`, `risk_hhi` or `avg_risk`.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "hhi" => Ok(Measure::Hhi),
            "risk_hhi" => Ok(Measure::RiskHhi),
            "avg_risk" => Ok(Measure::AvgRisk),
            _ => Err(format!(
                "unknown measure {s:?}; expected hhi, risk_hhi or avg_risk"
            )),
        }
    }
}

impl std::fmt::Display for Measure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Measure::Hhi => "hhi",
            Measure::RiskHhi => "risk_hhi",
            Measure::AvgRisk => "avg_risk",
        })
    }
}

impl Measure {
    /// Every measure.
    pub const ALL: [Measure; 3] = [Measure::Hhi, Measure::RiskHhi, Measure::AvgRisk];

    /// The policy row that caps this measure.
    pub fn kind(self) -> Kind {
        match self {
            Measure::Hhi => MAX_HHI,
            Measure::RiskHhi => MAX_RISK_HHI,
            Measure::AvgRisk => MAX_AVG_RISK,
        }
    }

    /// The measure a cap row of `kind` bounds; `None` when `kind` caps no measure.
    pub fn from_kind(kind: Kind) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.kind() == kind)
    }

    /// True for the quadratic indices.
    pub fn is_quadratic(self) -> bool {
        self != Measure::AvgRisk
    }

    /// A bound no plan can exceed: 1 + the largest country risk.
    pub fn loose_bound(self, model: &Model) -> f64 {
        1.0 + model.countries.iter().map(|c| c.risk).fold(0.0, f64::max)
    }

    /// The measure of a plan of mineral `m` (quantities per offer, real units).
    pub fn of_plan(self, model: &Model, m: usize, quantities: &[f64]) -> f64 {
        self.of_plan_at(model, None, m, quantities)
    }

    /// The measure at `stage` (`None`: the shipping country) of a plan of mineral `m`.
    pub fn of_plan_at(
        self,
        model: &Model,
        stage: Option<usize>,
        m: usize,
        quantities: &[f64],
    ) -> f64 {
        if quantities.is_empty() {
            return 0.0;
        }
        let row = RowInstance {
            policy: 0,
            kind: self.kind(),
            mineral: m,
            target: InstanceTarget::None,
            bound: 0.0,
            members: Vec::new(),
            stage,
        };
        MineralPlan {
            model,
            mineral: m,
            quantities,
        }
        .value(&row)
    }
}

/// The least value of `measure` that mineral `block.mineral` can reach under its policy:
/// minimizes the measure over the block's feasible set (the cap of policy row
/// `cap_policy`, added loose, defines the measure's terms). Returns the measure of the
/// minimizing plan, so the value is reached by a plan that obeys the policy. With
/// `aggregate`, a continuous block is solved over its country quantities (exact, as the
/// frontier's points are); otherwise, and when that path cannot say, over its offers.
pub fn least_measure(
    model: &Model,
    block: &Block,
    cap_policy: usize,
    measure: Measure,
    choice: SolverChoice,
    aggregate: bool,
) -> Result<f64> {
    let Some(k) = block.instances.iter().position(|i| i.policy == cap_policy) else {
        return Ok(0.0);
    };
    let Some(r) = block
        .lp
        .rows
        .iter()
        .position(|r| r.tag == RowTag::Policy(k))
    else {
        // No term has a weight (every risk is 0): the measure is 0 on every plan.
        return Ok(0.0);
    };
    let mut lp = block.lp.clone();
    for v in &mut lp.vars {
        v.cost = 0.0;
    }
    for &(j, a) in &lp.rows[r].terms.clone() {
        lp.vars[j].cost = a;
    }
    // (Capabilities were checked by the first solve.)
    let kind = choice.backend(block.lp.has_integers(), block.concentration.is_some());
    let opts = BackendOptions {
        time_limit_secs: None,
        mip_gap: 0.0,
        duals: false,
    };
    let name = &model.minerals[block.mineral].name;
    let fail = |r: &LpResult| {
        Error::Solver(format!(
            "{name}: minimizing {measure} under the policy ended {:?}",
            r.status
        ))
    };
    // Without HHI caps the block is an LP (or MILP) whatever the measure. With them, the
    // caps bind the average risk too: its least value is then found with cones or cuts,
    // like the HHIs' (an LP solve would leave t ≥ s² out).
    let Some(c) = &block.concentration else {
        if measure.is_quadratic() {
            return Ok(0.0);
        }
        let result = match lp.has_integers() {
            true => solve_lp(kind, &lp, &opts),
            false => least_vertex(model, block, &lp, kind, aggregate, &opts),
        };
        if result.status != LpStatus::Optimal {
            return Err(fail(&result));
        }
        return Ok(lp.activity(r, &result.x));
    };
    // The cap's weight per country; for the average risk (no weights), 1 for the cut
    // loop's gap.
    let weights = &match measure.is_quadratic() {
        true => c
            .caps
            .iter()
            .find(|(i, _)| *i == k)
            .map(|(_, w)| w.clone())
            .unwrap_or_default(),
        false => vec![1.0; c.countries.len()],
    };
    let index = |x: &[f64]| -> f64 {
        if !measure.is_quadratic() {
            return block.lp.activity(r, x);
        }
        c.countries
            .iter()
            .zip(weights)
            .map(|(&(_, s, _), w)| w * x[s] * x[s])
            .sum()
    };
    if !lp.has_integers() {
        if let Some(x) = aggregate
            .then(|| super::countries::least_plan(block, model, cap_policy))
            .flatten()
        {
            let quantities: Vec<f64> = block
                .offer_var
                .iter()
                .map(|v| v.map_or(0.0, |v| (x[v] * block.demand).max(0.0)))
                .collect();
            let stage = super::cap_stage(model, cap_policy);
            return Ok(measure.of_plan_at(model, stage, block.mineral, &quantities));
        }
        let pairs: Vec<(usize, usize)> = c.countries.iter().map(|&(_, s, t)| (s, t)).collect();
        let rows = &lp.rows;
        let result = solve_with_epigraphs(&lp, &pairs, |r| rows[r].tag == RowTag::Cut, None);
        if result.status != LpStatus::Optimal {
            return Err(fail(&result));
        }
        return Ok(index(&result.x));
    }
    // Integer rules: tangent cuts on the MILP until the outer approximation is exact.
    let pairs: Vec<(usize, usize)> = c.countries.iter().map(|&(_, s, t)| (s, t)).collect();
    match cut_loop(&mut lp, &pairs, weights, |lp| solve_lp(kind, lp, &opts)) {
        Some(Ok(x)) => return Ok(index(&x)),
        Some(Err(result)) => return Err(fail(&result)),
        None => {}
    }
    Err(Error::Solver(format!(
        "{name}: minimizing {measure} did not converge in {} rounds of tangent cuts",
        MAX_ROUNDS + 1
    )))
}

/// Minimizes the objective `lp` (the block's rows, the measure as costs) of a continuous
/// block the way `solve` solves a block: aggregated by country when `aggregate` allows it,
/// an interior point polished to a vertex, checked, retried on another backend. The
/// least bound must be the measure of a plan that meets every row exactly: an unpolished
/// interior point misses each of thousands of offer bounds by ~1e-12, and together those
/// misses put the measure below the true least by more than [`LEAST_BOUND_MARGIN`]
/// (1.5e-8 on a 10k-offer block), which left the frontier's first point infeasible.
/// `backend` is for a block this path does not take (a row that cannot hold).
///
/// [`LEAST_BOUND_MARGIN`]: crate::tolerance::LEAST_BOUND_MARGIN
fn least_vertex(
    model: &Model,
    block: &Block,
    lp: &crate::engine::lp::Lp,
    kind: SolverKind,
    aggregate: bool,
    backend: &BackendOptions,
) -> LpResult {
    let objective = Block {
        lp: lp.clone(),
        ..block.clone()
    };
    let opts = SolveOptions {
        no_aggregate: !aggregate,
        ..SolveOptions::default()
    };
    let deadline = Deadline::after(None);
    match crate::solve::aggregate::solve_continuous_block(model, &objective, kind, &opts, deadline)
    {
        Some(solved) => solved.result,
        // A row that cannot hold (the block has no plan): the backend says so.
        None => solve_lp(kind, lp, backend),
    }
}

/// Solves `lp` with `solve`, adding tangent cuts t ≥ 2a·s − a² for the `pairs` (s, t)
/// (the engine's cut loop) until Σ w (s² − t)⁺ ≤ [`CUT_GAP`] or no pair is below s² by
/// more than [`CUT_DEPTH`]: the optimal point, the failed result, or `None` when
/// [`MAX_ROUNDS`] rounds did not get there.
fn cut_loop(
    lp: &mut crate::engine::lp::Lp,
    pairs: &[(usize, usize)],
    weights: &[f64],
    solve: impl Fn(&crate::engine::lp::Lp) -> LpResult,
) -> Option<std::result::Result<Vec<f64>, LpResult>> {
    let cut_loop = CutLoop {
        accept: LpStatus::is_optimal,
        ..CutLoop::new(MAX_ROUNDS)
    };
    let close = |x: &[f64]| {
        let gap: f64 = pairs
            .iter()
            .zip(weights)
            .map(|(&(s, t), w)| w * (x[s] * x[s] - x[t]).max(0.0))
            .sum();
        gap <= CUT_GAP || pairs.iter().all(|&(s, t)| x[s] * x[s] - x[t] <= CUT_DEPTH)
    };
    let run = cut_loop.run(
        lp,
        |lp, _| solve(lp),
        |_, x| close(x),
        |lp, x| add_tangent_cuts(lp, pairs, x, CUT_DEPTH),
    );
    match run.end {
        CutEnd::Holds => Some(Ok(run.result.x)),
        CutEnd::NoPoint => Some(Err(run.result)),
        CutEnd::Stalled => None,
    }
}
