//! Solving a model: one block per mineral, solved independently (in parallel), checked,
//! and combined into a [`Solution`].

use std::collections::BTreeMap;
use std::time::Instant;

use rayon::prelude::*;

use crate::conic::solve_with_epigraphs;
use crate::diagnose::{least_relaxation, Relaxation};
use crate::error::{Error, Result};
use crate::formulate::{formulate, Block, RowTag};
use crate::model::Model;
use crate::polish::polish;
use crate::rows::{MineralPlan, RowInstance};
use crate::solvers::{solve_lp, BackendOptions, LpResult, LpStatus, SolverKind};
use crate::tolerance::{BINDING, DUST_SHARE, FEASIBILITY};
use crate::verify::verify_mineral;

/// Largest violation of an HHI cap (in index units) at which the cut loop stops: ten
/// times inside the 1e-7 the SPEC allows, and above the solvers' 1e-9 feasibility
/// tolerance so the loop can always get there.
const CUT_TOLERANCE: f64 = 1e-8;

/// An HHI cap this far below its bound at the cone solution is slack, and the block is
/// re-solved as an LP for an exact vertex.
const SLACK_FOR_VERTEX: f64 = 1e-6;

/// Most rounds of tangent cuts before giving up (exit 4).
const MAX_CUT_ROUNDS: usize = 100;

/// The moment a time-limited solve must end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline(Option<Instant>);

impl Deadline {
    /// A deadline `secs` from now, or none.
    pub fn after(secs: Option<f64>) -> Deadline {
        Deadline(secs.map(|s| Instant::now() + std::time::Duration::from_secs_f64(s)))
    }

    /// Seconds left (at least a millisecond, so a solver call still returns promptly),
    /// or `None` without a limit.
    pub fn remaining(self) -> Option<f64> {
        self.0.map(|d| {
            d.saturating_duration_since(Instant::now())
                .as_secs_f64()
                .max(1e-3)
        })
    }
}

/// Largest demand-balance residue (share of demand) closed by [`repair_balance`].
const BALANCE_REPAIR: f64 = 1e-8;

/// Default relative MIP gap at which branch and bound may stop.
pub const DEFAULT_MIP_GAP: f64 = 1e-6;

/// Which backend to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SolverChoice {
    /// Per block: the fastest backend of this build that supports what the block needs.
    #[default]
    Auto,
    /// This backend for every block.
    Named(SolverKind),
}

impl std::str::FromStr for SolverChoice {
    type Err = String;

    /// `auto` (any case) or a backend name of this build; the error lists the choices.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        if s.eq_ignore_ascii_case("auto") {
            Ok(SolverChoice::Auto)
        } else {
            SolverKind::from_name(s).map(SolverChoice::Named)
        }
    }
}

impl std::fmt::Display for SolverChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SolverChoice::Auto => f.write_str("auto"),
            SolverChoice::Named(kind) => kind.fmt(f),
        }
    }
}

/// Options of `solve`, validated when built.
#[derive(Debug, Clone, PartialEq)]
pub struct SolveOptions {
    /// Backend choice (default: auto).
    pub solver: SolverChoice,
    /// Wall-clock limit for the whole solve, seconds (default: none). Blocks running in
    /// parallel share it; each solver call gets the time that is left.
    pub time_limit_secs: Option<f64>,
    /// Relative MIP gap (default [`DEFAULT_MIP_GAP`]).
    pub mip_gap: f64,
    /// Worker threads for independent blocks (default: all cores; 1 = sequential).
    pub threads: Option<usize>,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            solver: SolverChoice::Auto,
            time_limit_secs: None,
            mip_gap: DEFAULT_MIP_GAP,
            threads: None,
        }
    }
}

impl SolveOptions {
    /// Checks the options; the error says which value is wrong.
    pub fn validate(&self) -> Result<()> {
        if let Some(t) = self.time_limit_secs {
            if !(t.is_finite() && t > 0.0) {
                return Err(Error::Usage(format!(
                    "--time-limit {t} is not a positive number of seconds"
                )));
            }
        }
        if !(0.0..=1.0).contains(&self.mip_gap) {
            return Err(Error::Usage(format!(
                "--mip-gap {} must be a fraction between 0 and 1",
                self.mip_gap
            )));
        }
        if self.threads == Some(0) {
            return Err(Error::Usage("--threads must be at least 1".into()));
        }
        Ok(())
    }
}

/// How the solve of a mineral (or of the whole model) ended.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// Proven optimal.
    Optimal,
    /// Feasible, stopped by a limit before optimality was proven.
    Feasible,
    /// No plan obeys the policy.
    Infeasible,
    /// Stopped by a limit without a feasible plan.
    LimitNoSolution {
        /// The solver's words.
        message: String,
    },
    /// The solver failed or returned a plan that does not satisfy the model.
    Failed {
        /// What went wrong.
        message: String,
    },
}

impl Status {
    /// The process exit code for this outcome (SPEC §5).
    pub fn exit_code(&self) -> u8 {
        match self {
            Status::Optimal | Status::Feasible => 0,
            Status::Infeasible => 3,
            Status::LimitNoSolution { .. } | Status::Failed { .. } => 4,
        }
    }

    /// A short lower-case name.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Optimal => "optimal",
            Status::Feasible => "feasible",
            Status::Infeasible => "infeasible",
            Status::LimitNoSolution { .. } => "limit_no_solution",
            Status::Failed { .. } => "failed",
        }
    }

    fn severity(&self) -> u8 {
        match self {
            Status::Optimal => 0,
            Status::Feasible => 1,
            Status::Infeasible => 2,
            Status::LimitNoSolution { .. } => 3,
            Status::Failed { .. } => 4,
        }
    }
}

/// One expanded policy row with its value on the plan and its shadow price.
#[derive(Debug, Clone, PartialEq)]
pub struct RowResult {
    /// The row.
    pub instance: RowInstance,
    /// Its left-hand side in the bound's units.
    pub value: f64,
    /// d total cost / d bound, when the solver gives duals and the row is continuous.
    pub shadow_price: Option<f64>,
}

/// The result for one mineral.
#[derive(Debug, Clone, PartialEq)]
pub struct MineralSolution {
    /// Index into `Model::minerals`.
    pub mineral: usize,
    /// How it ended.
    pub status: Status,
    /// Quantity per offer of the mineral (local index), real units; empty without a plan.
    pub quantities: Vec<f64>,
    /// Demand left unmet.
    pub unmet: f64,
    /// Total cost of the plan (landed purchases + fixed costs + unmet penalty).
    pub cost: f64,
    /// The policy rows of the mineral with values (empty without a plan).
    pub rows: Vec<RowResult>,
    /// For an infeasible mineral: the least relaxation that makes it feasible.
    pub relaxations: Vec<Relaxation>,
    /// The policy rows as expanded, for a mineral without a plan (its relaxations refer
    /// to them by index); with a plan they are in `rows`.
    pub instances: Vec<RowInstance>,
    /// The backend used.
    pub solver: SolverKind,
    /// Seconds spent formulating.
    pub build_secs: f64,
    /// Rounds of HHI tangent cuts after the first solve.
    pub cut_rounds: usize,
    /// For a plan stopped by a limit: an upper bound on its relative gap to the optimum
    /// (from the LP relaxation), when known.
    pub gap: Option<f64>,
    /// Seconds spent in the solver (including passing the model to it).
    pub solve_secs: f64,
}

impl MineralSolution {
    /// True when the mineral has a plan to report.
    pub fn has_plan(&self) -> bool {
        matches!(self.status, Status::Optimal | Status::Feasible)
    }
}

/// The result of solving a whole model.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// Worst status over minerals.
    pub status: Status,
    /// One entry per mineral, in model order.
    pub minerals: Vec<MineralSolution>,
    /// Wall time spent formulating the blocks (formulated in parallel, before any solve).
    pub build_wall_secs: f64,
}

impl Solution {
    /// Total cost over minerals.
    pub fn cost(&self) -> f64 {
        self.minerals.iter().map(|m| m.cost).sum()
    }
}

/// Solves every mineral of `model` and combines the results.
pub fn solve(model: &Model, opts: &SolveOptions) -> Result<Solution> {
    solve_then(model, opts, |_| ()).map(|(solution, _)| solution)
}

/// [`solve`], calling `then` on each mineral's solution as soon as its block is solved
/// (in the worker that solved it, while other blocks still solve); returns its results
/// in mineral order. The report is built this way, overlapping with the solve.
pub fn solve_then<P: Send>(
    model: &Model,
    opts: &SolveOptions,
    then: impl Fn(&MineralSolution) -> P + Sync,
) -> Result<(Solution, Vec<P>)> {
    opts.validate()?;
    let pool = match opts.threads {
        Some(1) => None,
        threads => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads.unwrap_or(0))
                .build()
                .map_err(|e| Error::Solver(format!("cannot start worker threads: {e}")))?,
        ),
    };
    let (solved, build_wall_secs) = match &pool {
        None => solve_blocks(model, opts, false, &then)?,
        Some(pool) => pool.install(|| solve_blocks(model, opts, true, &then))?,
    };
    let (minerals, after): (Vec<MineralSolution>, Vec<P>) = solved.into_iter().unzip();
    let status = minerals
        .iter()
        .map(|m| &m.status)
        .max_by_key(|s| s.severity())
        .cloned()
        .unwrap_or(Status::Optimal);
    Ok((
        Solution {
            status,
            minerals,
            build_wall_secs,
        },
        after,
    ))
}

/// Formulates every block, then solves them (in the current rayon pool when `parallel`),
/// each followed by `then`; also returns the wall time of formulation.
fn solve_blocks<P: Send>(
    model: &Model,
    opts: &SolveOptions,
    parallel: bool,
    then: &(impl Fn(&MineralSolution) -> P + Sync),
) -> Result<(Vec<(MineralSolution, P)>, f64)> {
    let start = Instant::now();
    // Formulate every block first, so unsupported rows and capability mismatches are
    // reported before any solver runs (the first problem in mineral order).
    let build = |m: usize| {
        let t = Instant::now();
        formulate(model, m).map(|b| (b, t.elapsed().as_secs_f64()))
    };
    let built: Vec<Result<(Block, f64)>> = if parallel {
        (0..model.minerals.len())
            .into_par_iter()
            .map(build)
            .collect()
    } else {
        (0..model.minerals.len()).map(build).collect()
    };
    let blocks: Vec<(Block, f64)> = built.into_iter().collect::<Result<_>>()?;
    let build_wall_secs = start.elapsed().as_secs_f64();
    check_memory(model, &blocks, opts.threads)?;
    let kinds: Vec<SolverKind> = blocks
        .iter()
        .map(|(b, _)| choose(opts.solver, b, model))
        .collect::<Result<_>>()?;
    let deadline = Deadline::after(opts.time_limit_secs);
    let run = |((block, build_secs), kind): ((Block, f64), SolverKind)| {
        let solved = solve_block(model, block, kind, opts, deadline, build_secs);
        let after = then(&solved);
        (solved, after)
    };
    let minerals = if parallel {
        blocks.into_par_iter().zip(kinds).map(run).collect()
    } else {
        blocks.into_iter().zip(kinds).map(run).collect()
    };
    Ok((minerals, build_wall_secs))
}

fn choose(choice: SolverChoice, block: &Block, model: &Model) -> Result<SolverKind> {
    let integers = block.lp.has_integers();
    let m = block.mineral;
    match choice {
        SolverChoice::Auto => Ok(SolverKind::auto(integers, block.concentration.is_some())),
        SolverChoice::Named(kind) if integers && !kind.capabilities().integers => {
            Err(Error::Usage(format!(
                "solver {kind} cannot handle integer variables, which mineral {} needs (min_order, fixed_cost or supplier/country counts); use one of: {}",
                model.minerals[m].name,
                SolverKind::all()
                    .into_iter()
                    .filter(|k| k.capabilities().integers)
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        }
        SolverChoice::Named(kind) => Ok(kind),
    }
}

/// Solves one block and turns the LP result into a mineral solution.
pub fn solve_block(
    model: &Model,
    block: Block,
    kind: SolverKind,
    opts: &SolveOptions,
    deadline: Deadline,
    build_secs: f64,
) -> MineralSolution {
    let m = block.mineral;
    let n = model.minerals[m].offers.len();
    let mut out = MineralSolution {
        mineral: m,
        status: Status::Optimal,
        quantities: Vec::new(),
        unmet: 0.0,
        cost: 0.0,
        rows: Vec::new(),
        relaxations: Vec::new(),
        instances: Vec::new(),
        solver: kind,
        build_secs,
        cut_rounds: 0,
        gap: None,
        solve_secs: 0.0,
    };
    let t = Instant::now();
    let mut block = block;
    let mut backend = BackendOptions {
        time_limit_secs: None,
        mip_gap: opts.mip_gap,
        duals: kind.capabilities().duals && !block.lp.has_integers(),
    };
    let mut rounds = 0;
    let result = loop {
        if !block.empty_violations.is_empty() {
            break LpResult {
                status: LpStatus::Infeasible,
                x: Vec::new(),
                duals: None,
            };
        }
        backend.time_limit_secs = deadline.remaining();
        // Clarabel states HHI caps exactly as cones: one solve, no cut rounds.
        let conic = kind == SolverKind::Clarabel && rounds == 0 && !block.lp.has_integers();
        let mut result = match (&block.concentration, conic) {
            (Some(c), true) => {
                let pairs: Vec<(usize, usize)> =
                    c.countries.iter().map(|&(_, s, t)| (s, t)).collect();
                let tags = &block.tags;
                solve_with_epigraphs(
                    &block.lp,
                    &pairs,
                    |r| tags[r] == RowTag::Cut,
                    backend.time_limit_secs,
                )
            }
            _ => solve_lp(kind, &block.lp, &backend),
        };
        if kind == SolverKind::Clarabel
            && result.status == LpStatus::Optimal
            && block.concentration.is_none()
        {
            if let Some(x) = polish(&block.lp, &result.x, deadline.remaining()) {
                result.x = x;
            }
        }
        if !matches!(result.status, LpStatus::Optimal | LpStatus::Feasible)
            || block.concentration.is_none()
        {
            break result;
        }
        // Concentration caps: stop when every cap holds at the plan, else cut.
        let caps = block.cap_values(&result.x);
        let violated = caps
            .iter()
            .any(|&(k, v)| v > block.instances[k].bound + CUT_TOLERANCE);
        if !violated {
            // A cap with slack at the cone solution does not shape the optimum: the
            // polished LP optimum is then optimal too, and an exact vertex.
            let slack = caps
                .iter()
                .all(|&(k, v)| v < block.instances[k].bound - SLACK_FOR_VERTEX);
            if conic && slack {
                let mut lp_result = solve_lp(kind, &block.lp, &backend);
                if lp_result.status == LpStatus::Optimal {
                    if let Some(x) = polish(&block.lp, &lp_result.x, deadline.remaining()) {
                        lp_result.x = x;
                    }
                    let holds = block
                        .cap_values(&lp_result.x)
                        .iter()
                        .all(|&(k, v)| v <= block.instances[k].bound + CUT_TOLERANCE);
                    if holds {
                        break lp_result;
                    }
                }
            }
            break result;
        }
        rounds += 1;
        if rounds > MAX_CUT_ROUNDS || block.add_cuts(&result.x, CUT_TOLERANCE / 100.0) == 0 {
            break LpResult {
                status: LpStatus::Failed(format!(
                    "the HHI caps were not met to within {CUT_TOLERANCE} after {rounds} rounds of tangent cuts; no plan that violates a cap is returned"
                )),
                x: Vec::new(),
                duals: None,
            };
        }
    };
    out.cut_rounds = rounds;
    if result.status == LpStatus::Feasible {
        out.gap = relaxation_gap(&block, &result.x, deadline.remaining());
    }
    out.solve_secs = t.elapsed().as_secs_f64();
    out.status = match &result.status {
        LpStatus::Optimal => Status::Optimal,
        LpStatus::Feasible => Status::Feasible,
        LpStatus::Infeasible => Status::Infeasible,
        LpStatus::Unbounded => Status::Failed {
            message: "the solver reported the problem unbounded, which a model with non-negative costs cannot be".into(),
        },
        LpStatus::LimitNoSolution(msg) => Status::LimitNoSolution {
            message: msg.clone(),
        },
        LpStatus::Failed(msg) => Status::Failed {
            message: msg.clone(),
        },
    };
    if out.status == Status::Infeasible {
        out.relaxations = least_relaxation(&block, deadline.remaining()).unwrap_or_default();
        out.instances = block.instances;
        return out;
    }
    if !out.has_plan() {
        out.instances = block.instances;
        return out;
    }

    // Clean the plan: clip bound overshoot, move dust onto an offer of the same country
    // (country totals, and with them every country-level row, stay as solved), unscale.
    let d = block.demand;
    let mut scaled: Vec<f64> = (0..n)
        .map(|k| block.offer_var[k].map_or(0.0, |v| result.x[v]))
        .collect();
    consolidate_dust(model, &block, &mut scaled);
    let unmet_scaled = block.unmet_var.map_or(0.0, |u| result.x[u].clamp(0.0, 1.0));
    repair_balance(&block, &mut scaled, unmet_scaled);
    out.quantities = scaled.iter().map(|x| x * d).collect();
    out.unmet = block.unmet_var.map_or(0.0, |u| {
        let u = result.x[u].clamp(0.0, 1.0);
        if u < DUST_SHARE {
            0.0
        } else {
            u * d
        }
    });
    let mineral = &model.minerals[m];
    let offers = model.offers_of(m);
    out.cost = offers
        .iter()
        .zip(&out.quantities)
        .map(|(o, &x)| o.landed_cost * x + if x > 0.0 { o.fixed_cost } else { 0.0 })
        .sum::<f64>()
        + mineral.unmet_penalty.unwrap_or(0.0) * out.unmet;

    // Row values (once: an HHI or count row scans the whole mineral) and shadow prices.
    let plan = MineralPlan {
        model,
        mineral: m,
        quantities: &out.quantities,
    };
    let values: Vec<f64> = block
        .instances
        .iter()
        .map(|inst| plan.value(inst))
        .collect();
    let mut shadow: Vec<Option<f64>> = vec![None; block.instances.len()];
    if let Some(duals) = &result.duals {
        for (k, inst) in block.instances.iter().enumerate() {
            if !inst.kind.is_exclusion() {
                shadow[k] = Some(0.0);
            }
        }
        for (r, tag) in block.tags.iter().enumerate() {
            if let RowTag::Policy(k) = *tag {
                shadow[k] = Some(block.unscale_dual(duals[r]));
            }
        }
        if !block.folded.is_empty() {
            let columns = block.lp.columns();
            for f in &block.folded {
                let x = result.x[f.var];
                let upper = block.lp.vars[f.var].upper;
                let rc = block.lp.reduced_cost(f.var, duals, &columns[f.var]);
                let at_bound = x >= upper - FEASIBILITY;
                shadow[f.instance] = Some(if at_bound && rc < 0.0 {
                    block.unscale_dual(rc)
                } else {
                    0.0
                });
            }
        }
        // Signs are fixed by the row's direction, and a row off its bound costs
        // nothing: remove interior-point noise.
        for (k, inst) in block.instances.iter().enumerate() {
            if let Some(s) = &mut shadow[k] {
                if (values[k] - inst.bound).abs() > BINDING {
                    *s = 0.0;
                }
                *s = if inst.kind.is_lower_bound() {
                    s.max(0.0)
                } else {
                    s.min(0.0)
                };
            }
        }
    }
    if let Err(message) = verify_mineral(model, m, &out.quantities, out.unmet, &block.instances) {
        out.status = Status::Failed {
            message: format!(
                "the {kind} plan for {} does not satisfy the model ({message}); no plan is written",
                mineral.name
            ),
        };
    }
    out.rows = block
        .instances
        .into_iter()
        .zip(values)
        .zip(shadow)
        .map(|((instance, value), shadow_price)| RowResult {
            value,
            instance,
            shadow_price,
        })
        .collect();
    out
}

/// Upper bound on the relative gap of a limit-stopped plan: its objective against the
/// LP relaxation's.
fn relaxation_gap(block: &Block, x: &[f64], time_limit_secs: Option<f64>) -> Option<f64> {
    let mut relaxed = block.lp.clone();
    for v in &mut relaxed.vars {
        v.integer = false;
    }
    let kind = SolverKind::auto(false, false);
    let r = solve_lp(
        kind,
        &relaxed,
        &BackendOptions {
            time_limit_secs,
            mip_gap: 0.0,
            duals: false,
        },
    );
    if r.status != LpStatus::Optimal {
        return None;
    }
    let incumbent = block.lp.objective(x);
    let bound = relaxed.objective(&r.x);
    Some(((incumbent - bound) / incumbent.abs().max(1e-12)).max(0.0))
}

/// Cleans solver residue without moving country totals: quantities below
/// [`DUST_SHARE`] (including tiny negatives) become zero and overshoots of a bound are
/// clipped, and the net amount this removes or adds in each country goes to (or comes
/// from) that country's used offers, largest room (or quantity) first. Demand balance and
/// every country-level row (country, group, risk, HHI) therefore stay as solved.
fn consolidate_dust(model: &Model, block: &Block, x: &mut [f64]) {
    let offers = model.offers_of(block.mineral);
    let upper = |k: usize| block.offer_var[k].map_or(0.0, |v| block.lp.vars[v].upper);
    let mut moved: BTreeMap<usize, f64> = BTreeMap::new();
    for (k, v) in x.iter_mut().enumerate() {
        let clean = if *v < DUST_SHARE {
            0.0
        } else {
            v.min(upper(k))
        };
        if clean != *v {
            *moved.entry(offers[k].country).or_default() += *v - clean;
            *v = clean;
        }
    }
    for (country, mut mass) in moved {
        let mut used: Vec<usize> = (0..x.len())
            .filter(|&k| offers[k].country == country && x[k] > 0.0)
            .collect();
        if mass > 0.0 {
            used.sort_by(|&a, &b| {
                (upper(b) - x[b])
                    .total_cmp(&(upper(a) - x[a]))
                    .then(a.cmp(&b))
            });
            for k in used {
                let add = mass.min(upper(k) - x[k]).max(0.0);
                x[k] += add;
                mass -= add;
                if mass <= 0.0 {
                    break;
                }
            }
        } else {
            used.sort_by(|&a, &b| x[b].total_cmp(&x[a]).then(a.cmp(&b)));
            for k in used {
                let take = (-mass).min(x[k] - DUST_SHARE).max(0.0);
                x[k] -= take;
                mass += take;
                if mass >= 0.0 {
                    break;
                }
            }
        }
    }
}

/// Bytes a solver needs per variable or nonzero of a block (good_lp's maps, the
/// solver's own copy, factorization), measured on generated models with margin.
const BYTES_PER_ENTRY: u64 = 400;

/// Bytes the model, plan and reports take per offer.
const BYTES_PER_OFFER: u64 = 2_048;

/// Refuses, before any solver runs, a model whose estimated memory exceeds what the
/// machine has available (Linux: MemAvailable), with the estimate in the message.
fn check_memory(model: &Model, blocks: &[(Block, f64)], threads: Option<usize>) -> Result<()> {
    let mut sizes: Vec<u64> = blocks
        .iter()
        .map(|(b, _)| {
            let nnz: usize = b.lp.rows.iter().map(|r| r.terms.len()).sum();
            (b.lp.vars.len() + b.lp.rows.len() + nnz) as u64 * BYTES_PER_ENTRY
        })
        .collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    let parallel = threads.unwrap_or_else(rayon::current_num_threads).max(1);
    let estimate =
        model.offers.len() as u64 * BYTES_PER_OFFER + sizes.iter().take(parallel).sum::<u64>();
    if let Some(available) = available_memory() {
        if estimate > available {
            let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
            return Err(Error::Usage(format!(
                "the model needs an estimated {:.1} GiB to solve ({} offers, largest block {} entries), more than the {:.1} GiB available; solve fewer minerals at a time or use --threads 1",
                gib(estimate),
                model.offers.len(),
                sizes.first().copied().unwrap_or(0) / BYTES_PER_ENTRY,
                gib(available)
            )));
        }
    }
    Ok(())
}

/// Available memory in bytes, where the platform tells.
fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Closes an interior-point residue in the demand balance (|1 − Σx − u| up to
/// [`BALANCE_REPAIR`] of demand) on the offer with the most room (or the largest
/// quantity), so purchased + unmet equals demand to rounding.
fn repair_balance(block: &Block, x: &mut [f64], unmet: f64) {
    let unmet = if unmet < DUST_SHARE { 0.0 } else { unmet };
    let gap = 1.0 - x.iter().sum::<f64>() - unmet;
    if gap == 0.0 || gap.abs() > BALANCE_REPAIR {
        return;
    }
    let upper = |k: usize| block.offer_var[k].map_or(0.0, |v| block.lp.vars[v].upper);
    let best = if gap > 0.0 {
        (0..x.len())
            .filter(|&k| x[k] > 0.0 && upper(k) - x[k] >= gap)
            .max_by(|&a, &b| {
                (upper(a) - x[a])
                    .total_cmp(&(upper(b) - x[b]))
                    .then(b.cmp(&a))
            })
    } else {
        (0..x.len())
            .filter(|&k| x[k] + gap >= DUST_SHARE)
            .max_by(|&a, &b| x[a].total_cmp(&x[b]).then(b.cmp(&a)))
    };
    if let Some(k) = best {
        x[k] += gap;
    }
}
