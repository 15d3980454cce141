//! L-shaped decomposition of the Rockafellar–Uryasev program, one optimality cut per
//! scenario and mineral.
//!
//! Master: the policy blocks (plan x), η, θ_sm ≥ 0 and z_s ≥ L_s − η as in
//! [`super::master`], with θ_sm bounded below by cuts. Each round solves the master,
//! evaluates every scenario at its plan ([`super::recourse::evaluate`], the greedy spot
//! fill of `stress`: one separable step, run in parallel), and adds for every (s, m) whose
//! θ_sm underestimates the recourse cost Q_sm the supporting plane of Q_sm at the plan:
//! the dual plane h(π, x) with π the marginal spot price (see [`super::recourse`]). Within
//! a class the offers priced below π are a prefix by landed cost, so a cut needs only
//! prefix sums of x and l·x: a few for the whole mineral and five per class the scenario
//! shocks (see [`cut`]), instead of one term per offer.
//!
//! The master's objective is a lower bound on the optimum (up to the MIP gap with
//! integer rules); the best evaluated plan's objective is an upper bound. It stops when
//! they meet to [`DECOMPOSITION_GAP`] (or no cut is violated), or at the time limit with
//! the best plan so far.

use std::collections::{BTreeSet, HashSet};

use crate::analysis::stress::delivery_factor;
use crate::engine::lp::{Sense, Slot};
use crate::engine::{route, FailureReason, LpStatus, SolverKind};
use crate::solve::Status;

use super::columns::{Columns, Screened};
use super::master::{skeleton, Skeleton};
use super::recourse::ScenarioValue;
use super::warm_master::WarmMaster;
use super::{
    finish, relative_gap, Clock, Iteration, Method, Problem, RobustSolution, Stop,
    DECOMPOSITION_GAP,
};

use crate::tolerance::DECOMPOSITION_LOOSE_GAP as LOOSE_GAP;

use crate::tolerance::DECOMPOSITION_LOOSE_TOLERANCE as LOOSE_TOLERANCE;

/// A cut whose slack at the master's solution exceeds this many times the violation
/// tolerance counts as slack (see [`Cuts::prune`]).
const PRUNE_SLACK: f64 = 1e3;

/// Which prefix sum of a chain a cut term refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sum {
    /// Σ x' over the prefix.
    Quantity,
    /// Σ l x' / cost_scale over the prefix.
    Cost,
}

/// A cut θ_sm ≥ h(π, x) in unit U: terms on prefix sums (chain, length, which sum) and
/// the right-hand side.
#[derive(Debug, Clone, PartialEq)]
pub struct Cut {
    /// Scenario (index into [`Problem::scenarios`]).
    pub scenario: usize,
    /// Mineral.
    pub mineral: usize,
    /// ((chain, prefix length, sum), coefficient); lengths are positive.
    pub terms: Vec<((usize, usize, Sum), f64)>,
    /// Right-hand side.
    pub rhs: f64,
    /// The marginal price the cut was made at.
    pub price: f64,
    /// Coefficient of the mineral's stock built b' (see [`super::stock::cut_term`]).
    pub stock: f64,
}

/// The cut of (s, m) at marginal price `price`, or `None` when it is θ ≥ 0.
///
/// The plane h(π, x) of [`super::recourse`]: π Σ_c (1 − δ_c) X_c less the priced room
/// Σ_c Σ_{i ∈ c, c_i < π} (π − c_i)(a_c cap_i − δ_c x_i), a constant (the capacities)
/// and prefix sums of x and l·x. Only classes shocked in s (factors a_c, f_c ≠ (1, 1))
/// lose deliveries, so the first sum runs over them alone. The priced room of the
/// unshocked classes is the whole mineral's chain G (all offers by landed cost) below π
/// less each shocked class's prefix below π at f = 1, plus each shocked class's own
/// prefix below π at its f_c. A cut then has a few terms for the mineral and five per
/// shocked class, whatever the number of classes. (The planned shortfall's p (D − X) is
/// no part of θ: the master counts it in every L_s.)
pub fn cut(p: &Problem, s: usize, m: usize, price: f64) -> Option<Cut> {
    if price <= 0.0 {
        return None;
    }
    let rm = p.recourse();
    // Prefix variables are shares of demand: a quantity term q' = q / D.
    let d = p.model.minerals[m].demand;
    let cs = p.blocks[m].cost_scale;
    let u = p.unit;
    let markup = 1.0 + p.spot_premium;
    // The constant: Σ_c a_c Σ_{i ∈ c, c_i < π} (π − c_i) cap_i.
    let mut constant = 0.0;
    for k in p.classes.by_mineral[m].clone() {
        let (a, pf) = p.factors[s][k];
        if a <= 0.0 {
            continue;
        }
        let class = &p.classes.classes[k];
        let len = rm.prefix(k, pf, price);
        if !class.cap_prefix[len].is_finite() {
            // An unlimited offer below the marginal price: not a greedy price.
            return None;
        }
        constant += a * (price * class.cap_prefix[len] - pf * markup * class.lcap_prefix[len]);
    }
    let mut terms = Vec::new();
    let mut push = |chain: usize, len: usize, sum: Sum, coef: f64| {
        if len > 0 && coef != 0.0 {
            terms.push(((chain, len, sum), coef));
        }
    };
    let all = p.classes.classes.len() + m;
    let sorted = &p.classes.sorted[m];
    let below = sorted.partition_point(|&i| rm.spot_price(i, 1.0) < price);
    push(all, below, Sum::Quantity, -d * price / u);
    push(all, below, Sum::Cost, d * markup * cs / u);
    for &k in &p.shocked[s][m] {
        let (a, pf) = p.factors[s][k];
        let delivered = delivery_factor(a);
        let n = p.classes.classes[k].offers.len();
        let unshocked = rm.prefix(k, 1.0, price);
        push(k, n, Sum::Quantity, -(1.0 - delivered) * d * price / u);
        push(k, unshocked, Sum::Quantity, d * price / u);
        push(k, unshocked, Sum::Cost, -d * markup * cs / u);
        if a > 0.0 {
            let shocked = rm.prefix(k, pf, price);
            push(k, shocked, Sum::Quantity, -d * delivered * price / u);
            push(k, shocked, Sum::Cost, d * delivered * pf * markup * cs / u);
        }
    }
    let (stock, on_hand) = super::stock::cut_term(p, m, price).unwrap_or((0.0, 0.0));
    Some(Cut {
        scenario: s,
        mineral: m,
        terms,
        rhs: -constant / u - on_hand,
        price,
        stock,
    })
}

/// The master's row of `cut`: θ_sm plus the terms on prefix variables.
pub(super) fn row_terms(sk: &Skeleton, cut: &Cut) -> Vec<(usize, f64)> {
    let mut terms = vec![(sk.theta[cut.scenario][cut.mineral], 1.0)];
    for &((chain, len, sum), coef) in &cut.terms {
        let v = sk.prefix[&(chain, len)];
        let var = match sum {
            Sum::Quantity => v.quantity,
            Sum::Cost => v.cost,
        };
        terms.push((var, coef));
    }
    if let (Some(b), true) = (sk.stock[cut.mineral], cut.stock != 0.0) {
        terms.push((b, cut.stock));
    }
    terms
}

/// Adds `cut` to the master.
fn emit(sk: &mut Skeleton, cut: &Cut) {
    let terms = row_terms(sk, cut);
    sk.row(terms, Sense::Ge, cut.rhs);
}

/// How far the master's solution `x` lies above `cut` (0 when the cut binds).
fn slack(sk: &Skeleton, cut: &Cut, x: &[f64]) -> f64 {
    row_terms(sk, cut)
        .iter()
        .map(|&(v, a)| a * x[v])
        .sum::<f64>()
        - cut.rhs
}

/// The cuts and the bookkeeping that keeps them unique.
struct Cuts {
    list: Vec<Cut>,
    /// Per cut: kept for good (it was dropped once and then needed again).
    kept: Vec<bool>,
    seen: HashSet<(usize, usize, u64)>,
    /// The cuts dropped so far.
    dropped: HashSet<(usize, usize, u64)>,
    refs: BTreeSet<(usize, usize)>,
}

/// The key that identifies a cut: (scenario, mineral, price).
fn key(c: &Cut) -> (usize, usize, u64) {
    (c.scenario, c.mineral, c.price.to_bits())
}

impl Cuts {
    /// Drops the cuts the master's solution `x` leaves slack (by more than `tol`, unit U)
    /// unless they are kept for good, and forgets them, so that one needed again is
    /// made again — and then kept for good. Every cut is dropped at most once, so the
    /// rounds still end (the cuts are finitely many), and the master holds little more
    /// than the cuts that bind: its cost grows steeply with its cuts. The prefix
    /// variables follow the cuts that remain. Returns per cut whether it stays.
    fn prune(&mut self, sk: &Skeleton, x: &[f64], tol: f64) -> Vec<bool> {
        let mut stays = Vec::with_capacity(self.list.len());
        let (list, kept): (Vec<Cut>, Vec<bool>) = std::mem::take(&mut self.list)
            .into_iter()
            .zip(std::mem::take(&mut self.kept))
            .filter(|(c, kept)| {
                let keep = *kept || slack(sk, c, x) <= tol;
                if !keep {
                    self.seen.remove(&key(c));
                    self.dropped.insert(key(c));
                }
                stays.push(keep);
                keep
            })
            .unzip();
        self.refs = list
            .iter()
            .flat_map(|c| c.terms.iter().map(|&((chain, len, _), _)| (chain, len)))
            .collect();
        (self.list, self.kept) = (list, kept);
        stays
    }

    /// Adds the cuts of every (s, m) whose θ (`theta(s, m)`, unit U) is below its
    /// recourse cost by more than `tol`; returns how many were added.
    fn add(
        &mut self,
        p: &Problem,
        values: &[ScenarioValue],
        theta: impl Fn(usize, usize) -> f64,
        tol: f64,
    ) -> usize {
        let mut added = 0;
        for (s, value) in values.iter().enumerate() {
            for (m, r) in value.minerals.iter().enumerate() {
                if r.recourse / p.unit - theta(s, m) <= tol {
                    continue;
                }
                if !self.seen.insert((s, m, r.price.to_bits())) {
                    continue;
                }
                if let Some(c) = cut(p, s, m, r.price) {
                    self.refs
                        .extend(c.terms.iter().map(|&((chain, len, _), _)| (chain, len)));
                    self.kept.push(self.dropped.contains(&key(&c)));
                    self.list.push(c);
                    added += 1;
                }
            }
        }
        added
    }
}

/// A master rebuilt each round: the last round's program and, for a linear master, the
/// offer columns it holds (see [`super::columns`]), first chosen from the nominal plan.
struct Cold {
    last: Option<Skeleton>,
    columns: Option<Columns>,
    incumbent: Vec<f64>,
}

/// The largest master (columns before any cut) kept warm in microlp. Its first solve
/// starts from the nominal plan (see [`WarmMaster::new`]): 0.09 s at 10,000 offers x 1
/// mineral x 100 scenarios (11,012 columns), 1.4 s at 10,000 x 3 x 3,000 (27,858), where
/// from microlp's slack basis it took 5.6 s and minutes. Larger masters are not measured
/// and stay with the interior point, which screens their offer columns.
const MICROLP_WARM_COLUMNS: usize = 100_000;

/// The master program across rounds: rebuilt from the cuts and solved cold each round,
/// or (a linear master, with a backend with warm starts built in: HiGHS) kept in that
/// backend and re-solved warm.
enum Master {
    /// Rebuilt each round.
    Cold(Box<Cold>),
    /// A simplex warm from the previous basis (see [`super::warm_master`]).
    Warm(Box<WarmMaster>),
}

impl Master {
    /// The master `p` needs: warm when it is a linear program (no HHI cones, no
    /// integer rules) and a backend with warm starts is built in (HiGHS; in the default
    /// build microlp, up to [`MICROLP_WARM_COLUMNS`]) — the interior point's
    /// factorization fills in as cuts accumulate, a simplex's does not, and a kept basis
    /// saves every round but the first its cold solve. Otherwise as every robust program.
    fn new(p: &Problem, incumbent: &[f64]) -> Master {
        if p.engine == super::Engine::Conic {
            let warm = route::warm_backend().and_then(|k| WarmMaster::new(p, k, incumbent));
            let fits = |w: &WarmMaster| {
                w.skeleton().epigraphs.is_empty()
                    && (w.kind() != SolverKind::Microlp
                        || w.skeleton().lp.vars.len() <= MICROLP_WARM_COLUMNS)
            };
            if let Some(warm) = warm.filter(fits) {
                return Master::Warm(Box::new(warm));
            }
        }
        Master::Cold(Box::new(Cold {
            last: None,
            columns: None,
            incumbent: incumbent.to_vec(),
        }))
    }

    /// True when the master's solution is a simplex vertex already (nothing to polish,
    /// and no loose early rounds).
    fn simplex(&self) -> bool {
        !matches!(self, Master::Cold(_))
    }

    /// Drops from the program the cuts `stays` (per cut of the last solve, in order)
    /// marks false, as [`Cuts::prune`] dropped them from the list (a cold master is
    /// rebuilt from the list anyway).
    fn forget(&mut self, stays: &[bool]) {
        match self {
            Master::Cold(_) => {}
            Master::Warm(warm) => warm.forget(stays),
        }
    }

    /// The engine to report when it is not the problem's own (the warm master's backend).
    fn engine(&self) -> Option<super::Engine> {
        match self {
            Master::Cold(_) => None,
            Master::Warm(warm) => Some(super::Engine::Lp(warm.kind())),
        }
    }

    /// Solves the master over `cuts` (`loose`: early-round tolerances, cold path);
    /// returns the result with the program solved.
    fn solve(
        &mut self,
        p: &Problem,
        cuts: &Cuts,
        clock: &Clock,
        loose: bool,
    ) -> (Screened, &Skeleton) {
        match self {
            Master::Cold(cold) => {
                let mut sk = skeleton(p, &cuts.refs);
                for c in &cuts.list {
                    emit(&mut sk, c);
                }
                let Cold {
                    last,
                    columns,
                    incumbent,
                } = &mut **cold;
                let screened = solve_cold(p, &sk, columns, incumbent, clock, loose);
                (screened, last.insert(sk))
            }
            Master::Warm(warm) => {
                let result = warm.solve(p, &cuts.list, clock);
                (Screened::whole(result), warm.skeleton())
            }
        }
    }
}

/// Solves a cold master's program `sk`: over the offers `columns` holds (made from the
/// nominal plan `incumbent` on first use), pricing the others, when the engine has row
/// duals and there are no integer rules (whose masters have none); else whole.
fn solve_cold(
    p: &Problem,
    sk: &Skeleton,
    columns: &mut Option<Columns>,
    incumbent: &[f64],
    clock: &Clock,
    loose: bool,
) -> Screened {
    if sk.lp.has_integers() || !p.engine.duals() {
        let result = p.solve_program(&sk.lp, &sk.is_cut, &sk.epigraphs, clock, loose, false);
        return Screened::whole(result);
    }
    let columns = columns.get_or_insert_with(|| Columns::new(p, sk, incumbent));
    columns.solve(&sk.lp, |lp, slots| {
        // Only offers are held out; the epigraph variables stay.
        let free = |j: usize| match slots[j] {
            Slot::Free(k) => k,
            Slot::Fixed(_) => unreachable!("an epigraph variable is never held out"),
        };
        let epigraphs: Vec<(usize, usize)> = sk
            .epigraphs
            .iter()
            .map(|&(s, t)| (free(s), free(t)))
            .collect();
        p.solve_program(lp, &sk.is_cut, &epigraphs, clock, loose, true)
    })
}

/// The failure of a master that ended `status` after `iterations`.
fn master_failed(status: &LpStatus, iterations: Vec<Iteration>) -> RobustSolution {
    RobustSolution {
        method: Method::Decomposition,
        status: Status::Failed {
            reason: FailureReason::Solver,
            message: format!("the decomposition's master problem: {status:?}"),
        },
        plan: Vec::new(),
        objective: f64::NAN,
        lower_bound: None,
        gap: None,
        stopped_by: None,
        iterations,
        engine: None,
    }
}

/// Solves by decomposition from the incumbent `incumbent` (the nominal plan).
pub fn solve(
    p: &mut Problem,
    incumbent: Vec<f64>,
    clock: &Clock,
    progress: &(dyn Fn(&Iteration) + Sync),
) -> RobustSolution {
    let mut cuts = Cuts {
        list: Vec::new(),
        kept: Vec::new(),
        dropped: HashSet::new(),
        seen: HashSet::new(),
        refs: BTreeSet::new(),
    };
    let (mut best, _, values) = p.evaluate(incumbent.clone());
    let mut best_plan = incumbent;
    cuts.add(p, &values, |_, _| 0.0, 0.0);
    let mut lower = f64::NEG_INFINITY;
    let mut iterations = Vec::new();
    let integer_gap = if super::has_integers(p.model, &p.blocks) {
        p.mip_gap
    } else {
        0.0
    };
    let mut stop = None;
    let mut tight = false;
    let mut master = Master::new(p, &best_plan);
    let simplex = master.simplex();
    loop {
        if clock.expired() {
            stop = Some(Stop::of_clock(clock));
            break;
        }
        // Early rounds (gap above 1e-5) need no more than the default tolerances (a
        // simplex master has only its own).
        let loose = !simplex && !tight && relative_gap(best, lower) > LOOSE_GAP;
        let (screened, sk) = master.solve(p, &cuts, clock, loose);
        let Screened {
            result,
            allowance,
            joined,
        } = screened;
        match &result.status {
            LpStatus::Optimal => {}
            LpStatus::Feasible if clock.expired() => {
                stop = Some(Stop::of_clock(clock));
                break;
            }
            LpStatus::Feasible => {
                stop = Some(Stop::Iterations);
                break;
            }
            LpStatus::LimitNoSolution(limit) => {
                stop = Some(Stop::of_limit(*limit, clock));
                break;
            }
            // A master the solver could not finish: the best plan so far, its numerics
            // named (the nominal plan at worst; the model has one).
            LpStatus::Failed(crate::engine::FailureReason::Numerical, _) => {
                stop = Some(Stop::Numerics);
                break;
            }
            other => return master_failed(other, iterations),
        }
        // The restricted master's objective, with what the offers it holds out could
        // still save (weak duality; zero once every reduced cost is non-negative).
        let bound = (sk.lp.objective(&result.x) + allowance) * p.unit;
        // A loosely solved master's objective may overshoot its optimum by its
        // tolerance; count it as a bound only with that margin.
        let margin = if loose { 10.0 * LOOSE_TOLERANCE } else { 0.0 };
        lower = lower.max(bound - (integer_gap + margin) * bound.abs());
        let hhi_cuts = p.add_hhi_cuts(&sk.offsets, &result.x);
        let plan = sk.plan(p, &result.x);
        let (objective, _, values) = p.evaluate(plan.clone());
        if hhi_cuts == 0 && objective < best && p.feasible(&plan) {
            (best, best_plan) = (objective, plan);
        }
        let tol = 1e-10 * (best / p.unit).abs().max(1e-12);
        let stays = cuts.prune(sk, &result.x, PRUNE_SLACK * tol);
        let theta = |s: usize, m: usize| result.x[sk.theta[s][m]];
        let added = cuts.add(p, &values, theta, tol);
        let gap = relative_gap(best, lower);
        let it = Iteration {
            iteration: iterations.len() + 1,
            lower_bound: lower,
            upper_bound: best,
            gap,
            cuts: added + hhi_cuts,
            columns: joined,
            secs: clock.elapsed(),
        };
        progress(&it);
        iterations.push(it);
        // No violated cut after a loose master: confirm with a tight one.
        let settled = added == 0 && joined == 0;
        tight |= settled;
        if hhi_cuts == 0 && (gap <= DECOMPOSITION_GAP || (settled && !loose)) {
            let to_plan = |v: &[f64]| sk.plan(p, v);
            let polished = (!simplex)
                .then(|| p.polished(&sk.lp, &sk.epigraphs, &result.x, to_plan, best, clock))
                .flatten();
            if let Some(better) = polished {
                (best, best_plan) = better;
            }
            break;
        }
        master.forget(&stays);
    }
    let lower_bound = lower.is_finite().then_some(lower);
    let mut solution = finish(
        Method::Decomposition,
        best_plan,
        best,
        lower_bound,
        iterations,
        stop,
        clock,
    );
    solution.engine = master.engine();
    solution
}
