//! The solver registry: which backends this build has, what each can do, and one entry
//! point that solves an [`Lp`] with any of them through good_lp.

use std::fmt;

use good_lp::solvers::{DualValues, SolutionWithDual};
use good_lp::{
    variable, Constraint, Expression, ProblemVariables, ResolutionError, Solution, SolutionStatus,
    SolverModel, Variable, WithMipGap, WithTimeLimit,
};

use crate::lp::{Lp, Sense};
#[cfg(feature = "highs")]
use crate::tolerance::SOLVER_FEASIBILITY;

/// A backend compiled into this build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SolverKind {
    /// microlp: pure-Rust simplex with branch and bound (LP + MIP, no duals).
    Microlp,
    /// Clarabel: pure-Rust interior point (LP with duals, no integers).
    Clarabel,
    /// HiGHS: simplex/IPM and MIP in C++ (LP + MIP + duals), feature `highs`.
    #[cfg(feature = "highs")]
    Highs,
    /// CBC: COIN-OR simplex and branch and cut (LP + MIP, no duals), feature `cbc`.
    #[cfg(feature = "cbc")]
    Cbc,
}

/// What a backend supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Capabilities {
    /// Integer (binary) variables.
    pub integers: bool,
    /// Row duals (shadow prices).
    pub duals: bool,
    /// A time limit.
    pub time_limit: bool,
}

impl SolverKind {
    /// Every backend in this build, in preference order for listing.
    pub fn all() -> Vec<SolverKind> {
        vec![
            #[cfg(feature = "highs")]
            SolverKind::Highs,
            SolverKind::Clarabel,
            SolverKind::Microlp,
            #[cfg(feature = "cbc")]
            SolverKind::Cbc,
        ]
    }

    /// The name used by `--solver`.
    pub fn name(self) -> &'static str {
        match self {
            SolverKind::Microlp => "microlp",
            SolverKind::Clarabel => "clarabel",
            #[cfg(feature = "highs")]
            SolverKind::Highs => "highs",
            #[cfg(feature = "cbc")]
            SolverKind::Cbc => "cbc",
        }
    }

    /// Parses a `--solver` name; the error lists the solvers of this build.
    pub fn from_name(name: &str) -> Result<SolverKind, String> {
        let lower = name.to_ascii_lowercase();
        if let Some(k) = SolverKind::all().into_iter().find(|k| k.name() == lower) {
            return Ok(k);
        }
        let hint = match lower.as_str() {
            "highs" => " (HiGHS is not compiled in: build with `--features highs`)",
            "cbc" => " (CBC is not compiled in: build with `--features cbc`)",
            _ => "",
        };
        Err(format!(
            "unknown solver {name:?}{hint}; this build has: auto, {}",
            SolverKind::all()
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }

    /// What this backend supports.
    pub fn capabilities(self) -> Capabilities {
        match self {
            SolverKind::Microlp => Capabilities {
                integers: true,
                duals: false,
                time_limit: true,
            },
            SolverKind::Clarabel => Capabilities {
                integers: false,
                duals: true,
                time_limit: true,
            },
            #[cfg(feature = "highs")]
            SolverKind::Highs => Capabilities {
                integers: true,
                duals: true,
                time_limit: true,
            },
            // good_lp's coin_cbc solution exposes primal values only.
            #[cfg(feature = "cbc")]
            SolverKind::Cbc => Capabilities {
                integers: true,
                duals: false,
                time_limit: true,
            },
        }
    }

    /// One line on what the backend is.
    pub fn description(self) -> &'static str {
        match self {
            SolverKind::Microlp => "pure-Rust dual simplex with branch and bound; exact vertices",
            SolverKind::Clarabel => "pure-Rust interior point; fastest LP in the default build",
            #[cfg(feature = "highs")]
            SolverKind::Highs => "HiGHS simplex and branch and cut (C++)",
            #[cfg(feature = "cbc")]
            SolverKind::Cbc => "COIN-OR CBC simplex and branch and cut (C++, system library)",
        }
    }

    /// The backend `auto` picks for a block: the one place this rule is stated.
    ///
    /// Continuous blocks with HHI caps go to Clarabel, which states the caps as cones in
    /// one solve where any LP solver needs rounds of cuts (3-5x slower with HiGHS on
    /// 10k-100k offers). Otherwise HiGHS when compiled in; else Clarabel for linear
    /// blocks (the fastest pure-Rust LP, with duals) and microlp for integer rules.
    pub fn auto(needs_integers: bool, has_hhi_caps: bool) -> SolverKind {
        if has_hhi_caps && !needs_integers {
            return SolverKind::Clarabel;
        }
        #[cfg(feature = "highs")]
        {
            SolverKind::Highs
        }
        #[cfg(not(feature = "highs"))]
        {
            if needs_integers {
                SolverKind::Microlp
            } else {
                SolverKind::Clarabel
            }
        }
    }

    /// The `auto` rule in words, as `sourcemix solvers` prints it.
    pub fn auto_rule() -> String {
        format!(
            "auto: {} for linear models, {} for models with integer rules, {} for linear models with HHI caps (exact cones)",
            SolverKind::auto(false, false),
            SolverKind::auto(true, false),
            SolverKind::auto(false, true)
        )
    }
}

/// One backend of this build, as `sourcemix solvers` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SolverInfo {
    /// The name `--solver` takes.
    pub name: &'static str,
    /// What it supports.
    pub capabilities: Capabilities,
    /// One line on what it is.
    pub description: &'static str,
}

/// Every backend of this build with its capabilities, in listing order.
pub fn catalog() -> Vec<SolverInfo> {
    SolverKind::all()
        .into_iter()
        .map(|k| SolverInfo {
            name: k.name(),
            capabilities: k.capabilities(),
            description: k.description(),
        })
        .collect()
}

impl fmt::Display for SolverKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Options passed to a backend for one solve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackendOptions {
    /// Wall-clock limit for this solve, seconds.
    pub time_limit_secs: Option<f64>,
    /// Relative MIP gap at which branch and bound may stop.
    pub mip_gap: f64,
    /// Whether to compute row duals (callers ask only for continuous problems on
    /// backends that have them).
    pub duals: bool,
}

/// Which limit stopped a solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// The time limit.
    Time,
    /// An iteration limit of the backend.
    Iterations,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::Time => "time limit reached",
            Limit::Iterations => "iteration limit reached",
        })
    }
}

/// Why a solve failed, as the backend adapters classify it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureReason {
    /// Numerical trouble (ill-conditioning, no progress): another backend may succeed.
    Numerical,
    /// The backend reported an error of its own or an unexpected status.
    Solver,
    /// The backend cannot handle what the problem needs (e.g. integer variables).
    Unsupported,
    /// The backend returned a non-finite value.
    NonFinite,
    /// The problem was reported unbounded, which a model with non-negative costs cannot be.
    Unbounded,
    /// The rounds of HHI tangent cuts did not meet the caps to tolerance.
    CutsStalled,
    /// The plan does not satisfy the model when checked independently.
    InvalidPlan,
}

/// How a backend's solve ended.
#[derive(Debug, Clone, PartialEq)]
pub enum LpStatus {
    /// Proven optimal (to the MIP gap for integer problems).
    Optimal,
    /// A feasible point, stopped by a limit before optimality was proven.
    Feasible,
    /// No feasible point exists.
    Infeasible,
    /// The objective is unbounded below.
    Unbounded,
    /// Stopped by a limit without a feasible point.
    LimitNoSolution(Limit),
    /// The backend failed: why, and its words.
    Failed(FailureReason, String),
}

/// What a backend returns.
#[derive(Debug, Clone, PartialEq)]
pub struct LpResult {
    /// How it ended.
    pub status: LpStatus,
    /// Variable values (empty unless Optimal or Feasible).
    pub x: Vec<f64>,
    /// Row duals, d objective / d rhs, when computed.
    pub duals: Option<Vec<f64>>,
}

impl LpResult {
    pub(crate) fn failed(status: LpStatus) -> Self {
        LpResult {
            status,
            x: Vec::new(),
            duals: None,
        }
    }
}

/// Solves `lp` to an exact vertex with the pure-Rust simplex (no duals, zero MIP gap):
/// the helper behind polishing, diagnosis and relaxation bounds.
pub fn solve_exact(lp: &Lp, time_limit_secs: Option<f64>) -> LpResult {
    solve_lp(
        SolverKind::Microlp,
        lp,
        &BackendOptions {
            time_limit_secs,
            mip_gap: 0.0,
            duals: false,
        },
    )
}

/// Solves `lp` with `kind`. Callers check capabilities first; an integer model given
/// to a backend without integer support is refused here too, never passed on.
pub fn solve_lp(kind: SolverKind, lp: &Lp, opts: &BackendOptions) -> LpResult {
    if lp.has_integers() && !kind.capabilities().integers {
        return LpResult::failed(LpStatus::Failed(
            FailureReason::Unsupported,
            format!("{kind} cannot solve models with integer variables"),
        ));
    }
    if lp.vars.is_empty() {
        // Nothing to choose: feasible iff every row holds at zero.
        let ok = lp.rows.iter().all(|r| match r.sense {
            Sense::Le => 0.0 <= r.rhs,
            Sense::Ge => 0.0 >= r.rhs,
            Sense::Eq => r.rhs == 0.0,
        });
        return if ok {
            LpResult {
                status: LpStatus::Optimal,
                x: Vec::new(),
                duals: opts.duals.then(|| vec![0.0; lp.rows.len()]),
            }
        } else {
            LpResult::failed(LpStatus::Infeasible)
        };
    }
    let (vars, handles, objective) = build_variables(lp);
    let problem = vars.minimise(objective);
    match kind {
        SolverKind::Microlp => {
            let mut model = with_limits(problem.using(good_lp::microlp), lp, opts);
            add_rows(&mut model, lp, &handles);
            finish(model.solve(), &handles, |_| None)
        }
        SolverKind::Clarabel => {
            let mut model = problem.using(good_lp::clarabel);
            if let Some(t) = opts.time_limit_secs {
                model.settings().time_limit(t);
            }
            let refs = add_rows(&mut model, lp, &handles);
            finish(model.solve(), &handles, |sol| {
                opts.duals.then(|| {
                    let d = sol.compute_dual();
                    refs.iter().map(|r| d.dual(r.clone())).collect()
                })
            })
        }
        #[cfg(feature = "highs")]
        SolverKind::Highs => {
            let mut model = problem
                .using(good_lp::highs)
                .set_option("presolve", "off")
                .set_option("threads", 1)
                .set_option("output_flag", false)
                // Tighter than the cut loop and the plan check (see tolerance.rs).
                .set_option("primal_feasibility_tolerance", SOLVER_FEASIBILITY)
                .set_option("mip_feasibility_tolerance", SOLVER_FEASIBILITY);
            if let Some(t) = opts.time_limit_secs {
                model = model.set_time_limit(t);
            }
            if lp.has_integers() {
                // Presolve off for MIPs too: on these models it costs far more than it
                // saves (2,000 offers × 5 minerals with min_order: 6 s with, 0.2 s without).
                model = model
                    .set_mip_rel_gap(opts.mip_gap as f32)
                    .unwrap_or_else(|_| unreachable_gap());
            }
            let refs = add_rows(&mut model, lp, &handles);
            finish(model.solve(), &handles, |sol| {
                opts.duals.then(|| {
                    let d = sol.compute_dual();
                    refs.iter().map(|r| d.dual(r.clone())).collect()
                })
            })
        }
        #[cfg(feature = "cbc")]
        SolverKind::Cbc => {
            let mut model = with_limits(problem.using(good_lp::coin_cbc), lp, opts);
            add_rows(&mut model, lp, &handles);
            let mut result = finish(model.solve(), &handles, |_| None);
            // CBC's C interface solves a continuous model with Clp's defaults, ignoring
            // parameters: its 1e-7 primal tolerance stalls the HHI cut loop (which needs
            // cuts to hold to 1e-8). The vertex is re-solved exactly, as Clarabel's is.
            if !lp.has_integers() && result.status == LpStatus::Optimal {
                if let Some(x) = crate::polish::polish(lp, &result.x, opts.time_limit_secs) {
                    result.x = x;
                }
            }
            result
        }
    }
}

/// Applies the time limit and, for integer problems, the MIP gap, through good_lp's
/// common traits (the backends that take both the same way: microlp, CBC).
fn with_limits<M: WithTimeLimit + WithMipGap>(mut model: M, lp: &Lp, opts: &BackendOptions) -> M {
    if let Some(t) = opts.time_limit_secs {
        model = model.with_time_limit(t);
    }
    if lp.has_integers() {
        model = model
            .with_mip_gap(opts.mip_gap as f32)
            .unwrap_or_else(|_| unreachable_gap());
    }
    model
}

fn unreachable_gap<T>() -> T {
    // `SolveOptions::validate` keeps the gap in [0, 1], which every backend accepts.
    unreachable!("MIP gap validated when options are built")
}

fn build_variables(lp: &Lp) -> (ProblemVariables, Vec<Variable>, Expression) {
    let mut vars = ProblemVariables::new();
    let mut handles = Vec::with_capacity(lp.vars.len());
    let mut objective = Expression::with_capacity(lp.vars.len());
    for v in &lp.vars {
        let mut def = variable().min(v.lower);
        if v.upper.is_finite() {
            def = def.max(v.upper);
        }
        if v.integer {
            def = def.integer();
        }
        let h = vars.add(def);
        if v.cost != 0.0 {
            objective.add_mul(v.cost, h);
        }
        handles.push(h);
    }
    (vars, handles, objective)
}

fn add_rows<M: SolverModel>(
    model: &mut M,
    lp: &Lp,
    handles: &[Variable],
) -> Vec<good_lp::constraint::ConstraintReference> {
    lp.rows
        .iter()
        .map(|row| {
            let mut e = Expression::with_capacity(row.terms.len());
            for &(j, a) in &row.terms {
                e.add_mul(a, handles[j]);
            }
            let c: Constraint = match row.sense {
                Sense::Le => e.leq(row.rhs),
                Sense::Ge => e.geq(row.rhs),
                Sense::Eq => e.eq(row.rhs),
            };
            model.add_constraint(c)
        })
        .collect()
}

fn finish<S: Solution>(
    result: Result<S, ResolutionError>,
    handles: &[Variable],
    duals: impl FnOnce(&mut S) -> Option<Vec<f64>>,
) -> LpResult {
    match result {
        Ok(mut sol) => {
            let status = match sol.status() {
                SolutionStatus::Optimal => LpStatus::Optimal,
                SolutionStatus::GapLimit => LpStatus::Optimal,
                SolutionStatus::TimeLimit => LpStatus::Feasible,
            };
            let x: Vec<f64> = handles.iter().map(|&h| sol.value(h)).collect();
            if x.iter().any(|v| !v.is_finite()) {
                return LpResult::failed(LpStatus::Failed(
                    FailureReason::NonFinite,
                    "the solver returned a non-finite value".into(),
                ));
            }
            let duals = duals(&mut sol);
            LpResult { status, x, duals }
        }
        Err(ResolutionError::Infeasible) => LpResult::failed(LpStatus::Infeasible),
        Err(ResolutionError::Unbounded) => LpResult::failed(LpStatus::Unbounded),
        Err(ResolutionError::Other(msg)) => LpResult::failed(classify(msg)),
        Err(ResolutionError::Str(msg)) => {
            LpResult::failed(LpStatus::Failed(FailureReason::Solver, msg))
        }
    }
}

/// The typed status of one of good_lp's fixed status words (`ResolutionError::Other`
/// carries a `&'static str` per backend status: the adapter's one translation table).
fn classify(status: &'static str) -> LpStatus {
    match status {
        "Time limit reached"
        | "Time limit reached before finding a feasible solution"
        | "NoSolutionFound" => LpStatus::LimitNoSolution(Limit::Time),
        "Max iterations reached" => LpStatus::LimitNoSolution(Limit::Iterations),
        "Numerical error" | "No progress" | "SolveError" => {
            LpStatus::Failed(FailureReason::Numerical, status.to_string())
        }
        other => LpStatus::Failed(FailureReason::Solver, other.to_string()),
    }
}
