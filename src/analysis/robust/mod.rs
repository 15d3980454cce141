//! `solve --robust`: the two-stage plan that anticipates disruptions (SPEC §3, "stress and
//! robust semantics").
//!
//! Among plans that obey the whole policy (every linear row, HHI caps, integer rules),
//! find one minimizing E\[L\] + W · CVaR_α(L), L_s the cost of the plan in scenario s
//! (baseline included, with the probability the scenarios leave over) exactly as `stress`
//! computes it: the planned shortfall unmet, lost deliveries bought on the spot market or
//! left unmet. Two exact
//! methods ([`Method`]): the extensive Rockafellar–Uryasev program (`extensive`) and an
//! L-shaped decomposition with one cut per scenario and mineral (`decomposition`), whose
//! scenario evaluations (`recourse::evaluate`) are one separable, parallel step.

pub(crate) mod columns;
mod coupling;
pub(crate) mod decomposition;
pub(crate) mod extensive;
mod master;
pub(crate) mod recourse;
pub mod report;
mod soft;
pub mod spread;
mod stock;
mod stop;
mod tiers;
mod warm_master;
mod written;

use std::time::Instant;

use serde::Serialize;

use crate::analysis::stress::{cvar, require_penalties_for, StressOptions, BASELINE};
use crate::engine::conic::solve_with_epigraphs;
use crate::engine::lp::Lp;
use crate::engine::{route, solve_lp, BackendOptions, LpResult, SolverKind};
use crate::error::{Error, Result};
use crate::formulate::{formulate, Block};
use crate::model::{Model, Scenario};
use crate::solve::{solve, SolveOptions, SolverChoice, Status};
use crate::tolerance::{CUT_DEPTH, CUT_TOLERANCE};
use crate::values::{Level, NonNegative};

use recourse::{Classes, PlanTotals, RecourseModel, ScenarioValue};
pub use stop::Stop;

/// Default weight W of CVaR in the robust objective E\[L\] + W · CVaR_α(L).
pub const DEFAULT_CVAR_WEIGHT: NonNegative = NonNegative::literal(1.0);

pub(crate) use crate::tolerance::DECOMPOSITION_GAP;

pub(crate) use crate::tolerance::ROBUST_MIP_GAP;

/// `auto` uses the extensive form up to this many spot variables (Σ over scenarios and
/// minerals of the offers that could sell spot), the decomposition above. Measured in
/// benches/RESULTS.md ("Robust solve"): the decomposition is faster from the smallest
/// model measured (200 spot variables: 0.06 s against 0.10 s) and the gap widens with
/// size (5,000: 2.7×, 20,000: 6×, 200,000: over 25×); below this size both take well
/// under a second and the one program is exact to the solver's tolerance in one solve.
pub const AUTO_EXTENSIVE_MAX_SPOT_VARS: usize = 1_000;

/// How the robust program is solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// One program over all scenarios (Rockafellar–Uryasev).
    Extensive,
    /// L-shaped decomposition: a master over the plan, one cut per scenario and mineral.
    Decomposition,
    /// By size: see [`AUTO_EXTENSIVE_MAX_SPOT_VARS`].
    #[default]
    Auto,
}

impl std::str::FromStr for Method {
    type Err = String;

    /// `extensive`, `decomposition` or `auto`; the error lists them.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "extensive" => Ok(Method::Extensive),
            "decomposition" => Ok(Method::Decomposition),
            "auto" => Ok(Method::Auto),
            _ => Err(format!(
                "unknown method {s:?}; expected one of: extensive, decomposition, auto"
            )),
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Method::Extensive => "extensive",
            Method::Decomposition => "decomposition",
            Method::Auto => "auto",
        })
    }
}

/// Options of the robust solve.
#[derive(Debug, Clone, PartialEq)]
pub struct RobustOptions {
    /// CVaR level α in [0, 1) (at 0, CVaR is the expected cost).
    pub alpha: Level,
    /// Weight W ≥ 0 of CVaR.
    pub cvar_weight: NonNegative,
    /// Spot purchases cost the landed cost × price factor × (1 + spot_premium).
    pub spot_premium: NonNegative,
    /// Extensive form, decomposition, or by size.
    pub method: Method,
    /// Solver, time limit (for the whole robust solve), MIP gap, threads.
    pub solve: SolveOptions,
}

impl Default for RobustOptions {
    fn default() -> Self {
        RobustOptions {
            alpha: crate::analysis::stress::DEFAULT_ALPHA,
            cvar_weight: DEFAULT_CVAR_WEIGHT,
            spot_premium: crate::analysis::stress::DEFAULT_SPOT_PREMIUM,
            method: Method::Auto,
            solve: SolveOptions::default(),
        }
    }
}

impl RobustOptions {
    /// The options `stress` evaluates a plan with under these robust options.
    pub fn stress_options(&self) -> StressOptions {
        StressOptions {
            alpha: self.alpha,
            spot_premium: self.spot_premium,
        }
    }
}

/// One round of the decomposition (or the one solve of the extensive form).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Iteration {
    /// 1-based round.
    pub iteration: usize,
    /// Lower bound on the optimum (the master's objective).
    pub lower_bound: f64,
    /// Best objective of a plan found so far.
    pub upper_bound: f64,
    /// (upper − lower) / upper.
    pub gap: f64,
    /// Cuts added this round.
    pub cuts: usize,
    /// Offers the master held out until this round's prices let them in (see
    /// `columns`).
    pub columns: usize,
    /// Seconds since the robust solve started.
    pub secs: f64,
}

/// The robust plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RobustSolution {
    /// The method used (never `auto`).
    pub method: Method,
    /// Optimal (the bounds meet to 1e-7), feasible (`stopped_by` says
    /// what stopped it, `gap` how far it may be), or failed.
    #[serde(flatten)]
    pub status: Status,
    /// Quantity per offer of the model (real units); once checked, as written (clean
    /// numbers, see `written`).
    #[serde(skip)]
    pub plan: Vec<f64>,
    /// E\[L\] + W · CVaR_α(L) of the plan as written.
    pub objective: f64,
    /// A lower bound on the optimum, when known.
    pub lower_bound: Option<f64>,
    /// Relative gap between the lower bound and the method's plan, when known (writing
    /// the plan as clean numbers moves its objective by rounding only).
    pub gap: Option<f64>,
    /// What stopped the method short of a proven optimum (none when optimal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_by: Option<Stop>,
    /// Bounds per round.
    pub iterations: Vec<Iteration>,
    /// How the programs were solved.
    #[serde(skip)]
    pub engine: Option<Engine>,
}

/// What [`solve_robust`] returns: the nominal solve (for the comparison, and for its
/// report when the model has no plan) and the robust plan when there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct RobustOutcome {
    /// The plan of the plain `solve` of the model.
    pub nominal: crate::plan::Plan,
    /// The robust plan, when the nominal solve found a plan.
    pub robust: Option<RobustSolution>,
}

/// The robust program's data: scenarios with positive probability (baseline first), the
/// classes and their factors, the policy blocks, the cost unit.
pub(crate) struct Problem<'a> {
    /// The model.
    pub model: &'a Model,
    /// Scenarios in the objective: the baseline (when its probability is positive) and
    /// the given ones with a positive probability.
    pub scenarios: Vec<Scenario>,
    /// Offer classes.
    pub classes: Classes,
    /// factors[s][class]: (capacity factor, price factor).
    pub factors: Vec<Vec<(f64, f64)>>,
    /// shocked[s][m]: the classes of mineral m whose factors in scenario s are not (1, 1).
    pub shocked: Vec<Vec<Vec<usize>>>,
    /// One block per mineral (tangent cuts may be added to them).
    pub blocks: Vec<Block>,
    /// The common cost unit U.
    pub unit: f64,
    /// α.
    pub alpha: f64,
    /// W.
    pub weight: f64,
    /// Spot premium.
    pub spot_premium: f64,
    /// How the programs are solved.
    pub engine: Engine,
    /// MIP gap of programs with integers.
    pub mip_gap: f64,
    /// The policy rows of each mineral, expanded (for the plan checker).
    pub instances: Vec<Vec<crate::policy::rows::RowInstance>>,
    /// Per mineral, the replacement cost of a unit drawn from its stock.
    pub replacement: Vec<f64>,
}

/// The robust solve's time budget.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    /// When the robust solve started.
    pub start: Instant,
    /// Its time limit in seconds, if any.
    pub limit_secs: Option<f64>,
    /// `solve::stops()` when it started: another number means a stop was requested.
    pub stops: u64,
}

impl Clock {
    /// Seconds since the start.
    pub fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// True once a stop was requested (`solve::request_stop`).
    fn stopped(&self) -> bool {
        crate::solve::stops() != self.stops
    }

    /// True once the limit has passed, or a stop was requested.
    pub fn expired(&self) -> bool {
        self.stopped() || self.limit_secs.is_some_and(|l| self.elapsed() >= l)
    }

    /// Seconds left for a solver call (at least a millisecond), or none without a limit;
    /// a millisecond once a stop was requested.
    pub fn remaining(&self) -> Option<f64> {
        if self.stopped() {
            return Some(1e-3);
        }
        self.limit_secs.map(|l| (l - self.elapsed()).max(1e-3))
    }
}

/// How a robust program is solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The interior point of the backend with cones, HHI caps as second-order cones
    /// (continuous models).
    Conic,
    /// A backend through the LP interface, HHI caps by rounds of tangent cuts.
    Lp(SolverKind),
}

impl Engine {
    /// True when its solves return row duals.
    pub fn duals(self) -> bool {
        match self {
            Engine::Conic => true,
            Engine::Lp(kind) => kind.capabilities().duals,
        }
    }
}

impl<'a> Problem<'a> {
    /// Builds the problem for `model` under `scenarios`.
    pub fn new(model: &'a Model, scenarios: &[Scenario], opts: &RobustOptions) -> Result<Self> {
        let p_total: f64 = scenarios.iter().map(|s| s.probability).sum();
        let baseline = Scenario {
            name: BASELINE.to_string(),
            probability: (1.0 - p_total).max(0.0),
            shocks: Vec::new(),
        };
        let scenarios: Vec<Scenario> = std::iter::once(baseline)
            .chain(scenarios.iter().cloned())
            .filter(|s| s.probability > 0.0)
            .collect();
        let excluded = crate::analysis::stress::excluded_offers(model);
        let classes = Classes::new(model, &scenarios, &excluded);
        let replacement = (0..model.minerals.len())
            .map(|m| crate::analysis::stock::replacement_cost(model, m, &excluded))
            .collect();
        let factors: Vec<Vec<(f64, f64)>> = scenarios
            .iter()
            .map(|s| classes.factors(model, s))
            .collect();
        let shocked = factors
            .iter()
            .map(|f| {
                classes
                    .by_mineral
                    .iter()
                    .map(|r| r.clone().filter(|&k| f[k] != (1.0, 1.0)).collect())
                    .collect()
            })
            .collect();
        let blocks: Vec<Block> = (0..model.minerals.len())
            .map(|m| formulate(model, m))
            .collect::<Result<_>>()?;
        let unit = (blocks
            .iter()
            .map(|b| (b.demand * b.cost_scale).max(f64::MIN_POSITIVE).ln())
            .sum::<f64>()
            / blocks.len().max(1) as f64)
            .exp();
        let integers = has_integers(model, &blocks);
        let engine = engine(opts.solve.solver, integers)?;
        Ok(Problem {
            model,
            scenarios,
            classes,
            factors,
            shocked,
            blocks,
            unit,
            alpha: opts.alpha.get(),
            weight: opts.cvar_weight.get(),
            spot_premium: opts.spot_premium.get(),
            engine,
            mip_gap: opts.solve.mip_gap.get().min(ROBUST_MIP_GAP),
            instances: (0..model.minerals.len())
                .map(|m| crate::policy::rows::expand(model, m))
                .collect(),
            replacement,
        })
    }

    /// The recourse view of the problem.
    pub fn recourse(&self) -> RecourseModel<'_> {
        RecourseModel {
            model: self.model,
            classes: &self.classes,
            spot_premium: self.spot_premium,
            replacement: &self.replacement,
        }
    }

    /// Every scenario evaluated at `plan`, in parallel (the separable step; across
    /// processes when a [`spread::Spread`] is installed), with the plan's objective
    /// E[L] + W · CVaR_α(L), plus the soft rows' penalties ([`soft`]).
    pub fn evaluate(&self, plan: Vec<f64>) -> (f64, PlanTotals, Vec<ScenarioValue>) {
        let totals = PlanTotals::new(self.model, &self.classes, plan);
        let values = spread::values(self, &totals);
        let mut objective = self.objective(&values);
        if self.model.has_soft_rows() {
            objective += soft::penalties(self.model, &self.instances, &totals.x);
        }
        (objective, totals, values)
    }

    /// True when `plan` passes the independent plan checker on every mineral (a loosely
    /// solved program's point may miss a row by more than the checker allows).
    pub fn feasible(&self, plan: &[f64]) -> bool {
        self.model.minerals.iter().enumerate().all(|(m, mineral)| {
            let x = &plan[mineral.offers.clone()];
            let unmet = (mineral.demand - x.iter().sum::<f64>()).max(0.0);
            stock::verify(self.model, m, x, unmet, &self.instances[m]).is_ok()
        })
    }

    /// E[L] + W · CVaR_α(L) of evaluated scenarios.
    pub fn objective(&self, values: &[ScenarioValue]) -> f64 {
        let losses: Vec<(f64, f64)> = values
            .iter()
            .zip(&self.scenarios)
            .map(|(v, s)| (v.total(), s.probability))
            .collect();
        let expected: f64 = losses.iter().map(|(l, p)| l * p).sum();
        let tail = if self.weight > 0.0 {
            self.weight * cvar(&losses, self.alpha)
        } else {
            0.0
        };
        expected + tail
    }

    /// The number of spot variables of the extensive form.
    pub fn spot_variables(&self) -> usize {
        self.factors
            .iter()
            .map(|f| {
                self.classes
                    .classes
                    .iter()
                    .zip(f)
                    .filter(|(_, &(a, _))| a > 0.0)
                    .map(|(c, _)| c.offers.len())
                    .sum::<usize>()
            })
            .sum()
    }

    /// Solves a program built on the blocks: by cones when the engine is conic, else by
    /// the backend (rows flagged in `is_cut` are HHI tangent cuts, implied by the cones).
    /// `loose`: a linear program may be solved to the interior point's default
    /// tolerances (1e-8) instead of 1e-10, for early decomposition rounds. `duals`: the
    /// backend must return row duals (the cones always do).
    pub fn solve_program(
        &self,
        lp: &Lp,
        is_cut: &[bool],
        epigraphs: &[(usize, usize)],
        clock: &Clock,
        loose: bool,
        duals: bool,
    ) -> LpResult {
        let engine = match self.engine {
            Engine::Conic if loose && epigraphs.is_empty() => Engine::Lp(route::with_cones()),
            e => e,
        };
        match engine {
            Engine::Conic => solve_with_epigraphs(lp, epigraphs, |r| is_cut[r], clock.remaining()),
            Engine::Lp(kind) => solve_lp(
                kind,
                lp,
                &BackendOptions {
                    time_limit_secs: clock.remaining(),
                    mip_gap: self.mip_gap,
                    duals,
                },
            ),
        }
    }

    /// With tangent cuts (not cones): adds cuts to every block whose HHI caps `x` (a
    /// solution of a program whose block m starts at `offsets[m]`) violates; returns how
    /// many were added (0: the caps hold).
    pub fn add_hhi_cuts(&mut self, offsets: &[usize], x: &[f64]) -> usize {
        if self.engine == Engine::Conic {
            return 0;
        }
        let mut added = 0;
        for m in 0..self.blocks.len() {
            if self.blocks[m].concentration.is_none() {
                continue;
            }
            let block = &mut self.blocks[m];
            let x = &x[offsets[m]..offsets[m] + block.lp.vars.len()];
            let violated = block
                .cap_values(x)
                .iter()
                .any(|&(k, v)| v > block.instances[k].bound + CUT_TOLERANCE);
            if violated {
                added += block.add_cuts(x, CUT_DEPTH);
            }
        }
        added
    }
}

/// Largest program polished into a vertex at the end (polishing re-solves the free part
/// with the pure-Rust simplex).
const POLISH_MAX_VARS: usize = 50_000;

use crate::tolerance::ROBUST_POLISH_SLACK as POLISH_SLACK;

impl Problem<'_> {
    /// The interior-point solution `x` of `lp` (a linear program without HHI cones)
    /// polished into a vertex, as a plan with its objective, when that plan is no worse
    /// than `objective` (to [`POLISH_SLACK`]): clean quantities instead of solver dust.
    pub fn polished(
        &self,
        lp: &Lp,
        epigraphs: &[(usize, usize)],
        x: &[f64],
        plan: impl Fn(&[f64]) -> Vec<f64>,
        objective: f64,
        clock: &Clock,
    ) -> Option<(f64, Vec<f64>)> {
        if self.engine != Engine::Conic || !epigraphs.is_empty() || lp.vars.len() > POLISH_MAX_VARS
        {
            return None;
        }
        let vertex = crate::engine::polish::polish(lp, x, clock.remaining())?;
        let candidate = plan(&vertex);
        if !self.feasible(&candidate) {
            return None;
        }
        let value = self.evaluate(candidate.clone()).0;
        (value <= objective + POLISH_SLACK * objective.abs()).then_some((value, candidate))
    }
}

/// The soft rows' penalties of `plan` (quantity per offer of `model`): what the robust
/// objective adds to E + W · CVaR (see `soft`).
pub fn soft_penalties(model: &Model, plan: &[f64]) -> f64 {
    let instances: Vec<_> = (0..model.minerals.len())
        .map(|m| crate::policy::rows::expand(model, m))
        .collect();
    soft::penalties(model, &instances, plan)
}

/// True when the robust program has integers: a block's integer rules, or bundles and
/// lot discounts.
pub(crate) fn has_integers(model: &Model, blocks: &[Block]) -> bool {
    !model.coupling.is_empty() || blocks.iter().any(|b| b.lp.has_integers())
}

/// The engine for the robust program: `auto` picks for it as for a block with HHI caps
/// (an interior point solves the whole program, caps as cones, in one solve); a backend
/// with cones states the caps exactly, any other meets them by tangent cuts.
fn engine(choice: SolverChoice, integers: bool) -> Result<Engine> {
    let kind = choice.backend(integers, true);
    if integers && !kind.capabilities().integers {
        return Err(Error::Usage(format!(
            "--solver {kind} cannot handle integer variables, which this model's integer rules need (min_order, fixed_cost, supplier/country counts, bundles or lot discounts)"
        )));
    }
    Ok(match route::caps_as_cones(kind, integers) {
        true => Engine::Conic,
        false => Engine::Lp(kind),
    })
}

/// The robust solve: the nominal plan first (the comparison, and the decomposition's
/// first incumbent), then the robust program by `opts.method`. `progress` is called after
/// every round. A mineral without an unmet_penalty is an input error naming demand.csv.
pub fn solve_robust(
    model: &Model,
    scenarios: &[Scenario],
    opts: &RobustOptions,
    progress: &(dyn Fn(&Iteration) + Sync),
) -> Result<RobustOutcome> {
    require_penalties_for(model, "solve --robust")?;
    let clock = Clock {
        start: Instant::now(),
        limit_secs: opts.solve.time_limit_secs(),
        stops: crate::solve::stops(),
    };
    let nominal = crate::plan::plan(model, solve(model, &opts.solve)?);
    if nominal.status.exit_code() != 0 {
        return Ok(RobustOutcome {
            nominal,
            robust: None,
        });
    }
    let incumbent = nominal.quantities();
    let mut problem = Problem::new(model, scenarios, opts)?;
    let method = match opts.method {
        Method::Auto if problem.spot_variables() <= AUTO_EXTENSIVE_MAX_SPOT_VARS => {
            Method::Extensive
        }
        Method::Auto => Method::Decomposition,
        m => m,
    };
    let run = |problem: &mut Problem| match method {
        Method::Extensive => extensive::solve(problem, incumbent, &clock),
        _ => decomposition::solve(problem, incumbent, &clock, progress),
    };
    let mut robust = match opts.solve.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.get())
            .build()
            .map_err(|e| Error::Solver(format!("cannot start worker threads: {e}")))?
            .install(|| run(&mut problem)),
        None => run(&mut problem),
    };
    if method == Method::Extensive {
        for it in &robust.iterations {
            progress(it);
        }
    }
    robust.engine.get_or_insert(problem.engine);
    written::check_plan(model, &mut robust);
    if matches!(robust.status, Status::Optimal | Status::Feasible) {
        // The objective of the plan as written (what its stress files say): a solver's
        // plan a hair short of demand leaves that hair unmet at the penalty, the written
        // one closes it.
        robust.objective = problem.evaluate(robust.plan.clone()).0;
    }
    Ok(RobustOutcome {
        nominal,
        robust: Some(robust),
    })
}

/// The solution for a plan that ended a method: its objective, and the status the
/// bounds, `stop` and `clock` give (see [`stop::judge`]).
fn finish(
    method: Method,
    plan: Vec<f64>,
    objective: f64,
    lower_bound: Option<f64>,
    iterations: Vec<Iteration>,
    stop: Option<Stop>,
    clock: &Clock,
) -> RobustSolution {
    let gap = lower_bound.map(|lb| relative_gap(objective, lb));
    let (status, stopped_by) = stop::judge(gap, stop, stop::expired(clock));
    RobustSolution {
        method,
        status,
        plan,
        objective,
        lower_bound,
        gap,
        stopped_by,
        iterations,
        engine: None,
    }
}

/// (upper − lower) / |upper|, never negative.
pub(crate) fn relative_gap(upper: f64, lower: f64) -> f64 {
    ((upper - lower) / upper.abs().max(1e-300)).max(0.0)
}
