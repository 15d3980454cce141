//! `policy`: what the policy costs as a whole and family by family (SPEC §3). Each case
//! is the model with some constraints.csv rows deleted, solved by `solve::solve`:
//! `no_rules` (none kept), `full_policy` (all kept) and `without_<family>` for each rule
//! family present. `saving` = full_policy cost − case cost: what that family (or the
//! whole policy, for `no_rules`) costs given the rest.

use rayon::prelude::*;
use serde::Serialize;

use std::num::NonZeroUsize;

use crate::error::{Error, Result};
use crate::formulate::formulate;
use crate::model::name::Name;
use crate::model::parts::{part_model, parts};
use crate::model::Model;
use crate::plan::{relaxation_rows, MineralRelaxation};
use crate::policy::Kind;
use crate::solve::{solve, Deadline, Solution, SolveOptions, Status};
use crate::values::Seconds;

use crate::tolerance::SAVING_NOISE;

use crate::tolerance::SLACK_FOR_SKIP;

pub use crate::policy::Family;

/// One case of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// No constraints.csv rows.
    NoRules,
    /// Every row.
    FullPolicy,
    /// Every row except those of one family.
    Without(Family),
}

impl Case {
    /// The name in policy.csv's `case` column.
    pub fn name(self) -> String {
        match self {
            Case::NoRules => "no_rules".into(),
            Case::FullPolicy => "full_policy".into(),
            Case::Without(f) => format!("without_{}", f.name()),
        }
    }

    /// True when the case keeps the rules of `kind`.
    pub fn keeps(self, kind: Kind) -> bool {
        match self {
            Case::NoRules => false,
            Case::FullPolicy => true,
            Case::Without(f) => kind.family() != f,
        }
    }
}

/// The cases of `model`: `no_rules`, `full_policy`, then `without_<family>` for each
/// family with a row in constraints.csv, in [`Family::ALL`] order.
pub fn cases(model: &Model) -> Vec<Case> {
    let mut out = vec![Case::NoRules, Case::FullPolicy];
    out.extend(
        Family::ALL
            .into_iter()
            .filter(|f| model.policy.iter().any(|r| r.kind.family() == *f))
            .map(Case::Without),
    );
    out
}

/// `model` with only the policy rows `case` keeps (every other part unchanged).
pub fn case_model(model: &Model, case: Case) -> Model {
    Model {
        policy: model
            .policy
            .iter()
            .filter(|r| case.keeps(r.kind))
            .cloned()
            .collect(),
        ..model.clone()
    }
}

/// One row of policy.csv.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyCostRow {
    /// Mineral name, or `*` for the total.
    pub mineral: Name,
    /// `no_rules`, `full_policy` or `without_<family>`.
    pub case: String,
    /// The case's optimal cost.
    pub cost: f64,
    /// full_policy cost − this case's cost.
    pub saving: f64,
}

/// What the policy costs.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyCost {
    /// False when the full policy has no solution (then `rows` is empty and
    /// `relaxations` says what must move).
    pub feasible: bool,
    /// The families present, in policy.csv order.
    pub families: Vec<Family>,
    /// policy.csv: per mineral (model order) every case, then `*` with the totals.
    pub rows: Vec<PolicyCostRow>,
    /// For a full policy with no solution: the least relaxation per infeasible mineral.
    pub relaxations: Vec<MineralRelaxation>,
    /// Cases stopped by a time limit (their cost is that of a feasible plan, an upper
    /// bound on the optimum), in words.
    pub warnings: Vec<String>,
}

/// Solves every case of `model` and compares it with the full policy. The full policy is
/// solved first (its minerals in parallel); then every other case, part by part (a
/// mineral, or minerals joined by bundles or lot discounts, see `model::parts`), in
/// parallel on `opts.threads` workers. A (case, part) pair is not solved again when its
/// optimum is known to be the full policy's: when the case deletes no row of its minerals,
/// or when the part is one mineral whose block is continuous (hence convex) and every deleted row has
/// slack at the full plan — a convex problem's optimum stays optimal when constraints
/// inactive there are removed.
pub fn policy_cost(model: &Model, opts: &SolveOptions) -> Result<PolicyCost> {
    let deadline = Deadline::after(opts.time_limit_secs());
    let cases = cases(model);
    let full = solve(model, opts)?;
    if full.status == Status::Infeasible {
        return Ok(infeasible(model, &cases, &full));
    }
    let mut warnings = Vec::new();
    check_case(
        Case::FullPolicy,
        &full,
        |m| &model.minerals[m].name,
        &mut warnings,
    )?;
    // Minerals joined by bundles or lot discounts are solved together, as one part.
    let parts = parts(model);
    let tasks: Vec<(Case, usize)> = cases
        .iter()
        .filter(|&&c| c != Case::FullPolicy)
        .flat_map(|&c| (0..parts.len()).map(move |p| (c, p)))
        .collect();
    // Which parts are continuous (no binaries), hence convex.
    let continuous: Vec<bool> = parts
        .iter()
        .map(|part| continuous_part(model, part))
        .collect::<Result<_>>()?;
    // Each case's cost per mineral of the part, with its soft rows' penalties (see
    // `analysis::soft`).
    let run = |&(case, p): &(Case, usize)| -> Result<Option<(Solution, Vec<f64>)>> {
        let part = &parts[p];
        if same_optimum(model, &full, case, part, continuous[p]) {
            return Ok(None);
        }
        let inner = task_options(opts, deadline);
        let own = part_model(&case_model(model, case), part);
        let sol = solve(&own, &inner)?;
        let costs = sol
            .minerals
            .iter()
            .map(|ms| ms.cost + crate::analysis::soft::penalties(&own, ms))
            .collect();
        Ok(Some((sol, costs)))
    };
    let solved = run_tasks(&tasks, opts.thread_count(), run)?;
    // Per case, per mineral: the optimal cost.
    let mut costs: Vec<Vec<f64>> = cases
        .iter()
        .map(|_| {
            full.minerals
                .iter()
                .map(|ms| ms.cost + crate::analysis::soft::penalties(model, ms))
                .collect()
        })
        .collect();
    for (&(case, p), sol) in tasks.iter().zip(solved) {
        if let Some((sol, part_costs)) = sol? {
            let part = &parts[p];
            check_case(case, &sol, |k| &model.minerals[part[k]].name, &mut warnings)?;
            let k = cases.iter().position(|&c| c == case).unwrap_or(0);
            for (&m, cost) in part.iter().zip(part_costs) {
                costs[k][m] = cost;
            }
        }
    }
    Ok(compare(model, &cases, &costs, warnings))
}

/// Runs `run` on every task in parallel on `threads` workers (0: one per core; 1: one
/// after another in this thread); the results in task order. The parallel solve of many
/// variants of a model (`policy`'s cases, `compare`'s), each task one mineral's block.
pub(crate) fn run_tasks<T: Sync, R: Send>(
    tasks: &[T],
    threads: usize,
    run: impl Fn(&T) -> R + Sync,
) -> Result<Vec<R>> {
    Ok(match threads {
        1 => tasks.iter().map(run).collect(),
        threads => rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::Solver(format!("cannot start worker threads: {e}")))?
            .install(|| tasks.par_iter().map(&run).collect()),
    })
}

/// The options of one task of [`run_tasks`]: `opts` on one thread (the tasks are the
/// parallelism), with the time left before the run's `deadline`.
pub(crate) fn task_options(opts: &SolveOptions, deadline: Deadline) -> SolveOptions {
    SolveOptions {
        threads: Some(NonZeroUsize::MIN),
        time_limit: deadline.remaining().map(Seconds::literal),
        ..opts.clone()
    }
}

/// True when `part`'s blocks have no binaries: one mineral without bundles or lot
/// discounts whose block is continuous.
fn continuous_part(model: &Model, part: &[usize]) -> Result<bool> {
    match part {
        [m] if mineral_model(model, *m).coupling.is_empty() => {
            formulate(model, *m).map(|b| !b.lp.has_integers())
        }
        _ => Ok(false),
    }
}

/// True when (case, `part`) certainly has the full policy's optimum (see
/// [`policy_cost`]).
fn same_optimum(
    model: &Model,
    full: &Solution,
    case: Case,
    part: &[usize],
    continuous: bool,
) -> bool {
    let deleted = |kind: Kind| !case.keeps(kind);
    let touches = model
        .policy
        .iter()
        .any(|r| part.iter().any(|&m| r.applies_to(m)) && deleted(r.kind));
    if !touches {
        return true;
    }
    let [m] = part else { return false };
    let ms = &full.minerals[*m];
    ms.status == Status::Optimal
        && continuous
        && ms.rows.iter().all(|r| {
            let inst = &r.instance;
            !deleted(inst.kind)
                || (!inst.kind.is_exclusion() && inst.slack(r.value) > SLACK_FOR_SKIP)
        })
}

/// The model of mineral `m` alone: its demand, its offers, the rows that apply to it,
/// and the bundles and discounts within it. Its block is formulated exactly as in `model`.
pub fn mineral_model(model: &Model, m: usize) -> Model {
    crate::model::parts::part_model(model, &[m])
}

/// The outcome of a full policy with no solution: the least relaxation per mineral.
fn infeasible(model: &Model, cases: &[Case], full: &Solution) -> PolicyCost {
    let mut out = PolicyCost {
        feasible: false,
        families: families(cases),
        rows: Vec::new(),
        relaxations: Vec::new(),
        warnings: Vec::new(),
    };
    for ms in full
        .minerals
        .iter()
        .filter(|m| m.status == Status::Infeasible)
    {
        out.relaxations.push(MineralRelaxation {
            mineral: model.minerals[ms.mineral].name.clone(),
            rows: relaxation_rows(model, ms.mineral, &ms.relaxations, &ms.instances),
        });
    }
    out
}

fn families(cases: &[Case]) -> Vec<Family> {
    cases
        .iter()
        .filter_map(|c| match c {
            Case::Without(f) => Some(*f),
            _ => None,
        })
        .collect()
}

/// The comparison from each case's cost per mineral (`costs[case][mineral]`; the full
/// policy is `cases[1]`).
fn compare(model: &Model, cases: &[Case], costs: &[Vec<f64>], warnings: Vec<String>) -> PolicyCost {
    let mut out = PolicyCost {
        feasible: true,
        families: families(cases),
        rows: Vec::new(),
        relaxations: Vec::new(),
        warnings,
    };
    let total = |k: usize| costs[k].iter().sum::<f64>();
    let full_total = total(1);
    let noise = SAVING_NOISE * full_total.abs().max(1.0);
    let saving = |full: f64, cost: f64| {
        let s = full - cost;
        if s.abs() <= noise {
            0.0
        } else {
            s
        }
    };
    for (m, mineral) in model.minerals.iter().enumerate() {
        for (k, case) in cases.iter().enumerate() {
            out.rows.push(PolicyCostRow {
                mineral: mineral.name.clone(),
                case: case.name(),
                cost: costs[k][m],
                saving: saving(costs[1][m], costs[k][m]),
            });
        }
    }
    for (k, case) in cases.iter().enumerate() {
        out.rows.push(PolicyCostRow {
            mineral: Name::from("*"),
            case: case.name(),
            cost: total(k),
            saving: saving(full_total, total(k)),
        });
    }
    out
}

/// A case must have a plan for every mineral: deleting rules from a feasible model
/// cannot make it infeasible, so anything else is a solver failure (exit 4).
/// `name` gives the name of a mineral of `sol`.
fn check_case<'a>(
    case: Case,
    sol: &Solution,
    name: impl Fn(usize) -> &'a Name,
    warnings: &mut Vec<String>,
) -> Result<()> {
    for ms in &sol.minerals {
        let name = name(ms.mineral);
        match &ms.status {
            Status::Optimal => {}
            Status::Feasible => warnings.push(format!(
                "case {}: a time limit stopped the solve of {name}; its cost is that of a feasible plan, not proven optimal",
                case.name()
            )),
            Status::Infeasible => {
                return Err(Error::Solver(format!(
                    "case {}: the solver found {name} infeasible, although the full policy is feasible and deleting rules cannot make a model infeasible",
                    case.name()
                )))
            }
            Status::LimitNoSolution { limit } => {
                return Err(Error::Solver(format!(
                    "case {}: {name}: the solver stopped without a plan ({limit})",
                    case.name()
                )))
            }
            Status::Failed { message, .. } => {
                return Err(Error::Solver(format!(
                    "case {}: {name}: {message}",
                    case.name()
                )))
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_one_family_and_each_case_deletes_only_its_own() {
        for &kind in crate::policy::ALL {
            let family = kind.family();
            assert!(!Case::NoRules.keeps(kind));
            assert!(Case::FullPolicy.keeps(kind));
            for f in Family::ALL {
                assert_eq!(Case::Without(f).keeps(kind), f != family, "{kind:?} {f:?}");
            }
        }
        assert_eq!(
            Case::Without(Family::Concentration).name(),
            "without_concentration"
        );
    }
}
