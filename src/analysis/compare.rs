//! `compare`: named policy variants of one model side by side. Each case is either a rule
//! set, the model solved with it in place of constraints.csv (`solve`'s optimum of that
//! edited model), or a fixed plan, measured as it is. Per case and mineral, and per case
//! in total (`*`): cost, saving against the first case, suppliers, countries, top
//! country, HHI, average risk, expected cost and CVaR under the scenarios (by
//! [`stress`]), and the rules that bind (or, for a plan, that it breaks).
//!
//! The (case, mineral) blocks solve in parallel through `policy`'s machinery
//! ([`super::policy_cost::run_tasks`]); a block whose rule set for that mineral is the
//! same in two cases is solved once.

use rustc_hash::FxHashSet;
use serde::Serialize;

use super::policy_cost::{mineral_model, run_tasks, task_options};
use super::stress::{cvar, stress, StressOptions, StressReport};
use crate::error::{Error, Result};
use crate::input::{CaseKind, CaseSpec};
use crate::model::name::Name;
use crate::model::{Model, PolicyRow, Scenario};
use crate::plan::{solve_plan, Metrics, MineralOutcome, RowOutcome};
use crate::solve::{Deadline, SolveOptions, Status};
use crate::tolerance::{FEASIBILITY, SAVING_NOISE};

/// Options of `compare`: how cases are solved and how their plans are stressed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompareOptions {
    /// Solver, time limit (for the whole run), MIP gap, threads.
    pub solve: SolveOptions,
    /// CVaR level and spot premium for the expected cost and CVaR columns.
    pub stress: StressOptions,
}

/// How a case (or one of its minerals) came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Solved to optimality.
    Optimal,
    /// The time limit stopped the solve with a plan: its cost is that of a feasible
    /// plan, not proven optimal.
    Stopped,
    /// The time limit stopped the solve before any plan was found.
    StoppedNoPlan,
    /// No plan obeys the case's rules.
    Infeasible,
    /// A fixed plan, evaluated as written.
    Evaluated,
}

impl CaseStatus {
    /// The name written in compare.csv.
    pub fn name(self) -> &'static str {
        match self {
            CaseStatus::Optimal => "optimal",
            CaseStatus::Stopped => "stopped",
            CaseStatus::StoppedNoPlan => "stopped_no_plan",
            CaseStatus::Infeasible => "infeasible",
            CaseStatus::Evaluated => "evaluated",
        }
    }

    /// True when there is a plan to measure.
    pub fn has_plan(self) -> bool {
        match self {
            CaseStatus::Optimal | CaseStatus::Stopped | CaseStatus::Evaluated => true,
            CaseStatus::StoppedNoPlan | CaseStatus::Infeasible => false,
        }
    }

    fn severity(self) -> u8 {
        match self {
            CaseStatus::Optimal | CaseStatus::Evaluated => 0,
            CaseStatus::Stopped => 1,
            CaseStatus::Infeasible => 2,
            CaseStatus::StoppedNoPlan => 3,
        }
    }
}

/// One row of compare.csv: a case's mineral, or its totals (`*`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareRow {
    /// Case name.
    pub case: String,
    /// Mineral, or `*` for the case's totals.
    pub mineral: Name,
    /// How the case (or mineral) came out.
    pub status: CaseStatus,
    /// Total cost (landed purchases, fixed costs, unmet penalties); `None` without a plan.
    pub cost: Option<f64>,
    /// The first case's cost − this cost (`None` when either has no plan).
    pub saving: Option<f64>,
    /// `saving` as a share of the first case's cost (`None` when that cost is 0).
    pub saving_share: Option<f64>,
    /// Offers used (a mineral), or distinct supplier ids used (`*`).
    pub suppliers: Option<usize>,
    /// Countries used (a mineral), or distinct countries used (`*`).
    pub countries: Option<usize>,
    /// A mineral: the country supplying most of its demand; `*`: the country taking the
    /// largest part of the purchase spend.
    pub top_country: Option<Name>,
    /// Its share of the mineral's demand, or (`*`) of the purchase spend.
    pub top_country_share: Option<f64>,
    /// Σ_c (q_c / D)² (a mineral only).
    pub hhi: Option<f64>,
    /// Σ risk · x / D (a mineral only).
    pub avg_risk: Option<f64>,
    /// Σ_s p_s L_s over the baseline and the scenarios (with scenarios only).
    pub expected_cost: Option<f64>,
    /// CVaR_α of L (with scenarios only).
    pub cvar_cost: Option<f64>,
    /// The policy rows at their bound, in words (a `*` row prefixes each with its
    /// mineral).
    pub binding_rules: Vec<String>,
    /// For a fixed plan: the policy rows it breaks, in words, with the plan's value.
    pub broken_rules: Vec<String>,
}

/// The comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Case names, in file order (the first is the reference of `saving`).
    pub cases: Vec<String>,
    /// Per case: its minerals in model order, then its `*` totals.
    pub rows: Vec<CompareRow>,
    /// True when expected cost and CVaR were computed (the model has scenarios and an
    /// unmet_penalty for every mineral).
    pub stressed: bool,
    /// The CVaR level α.
    pub alpha: f64,
    /// Cases stopped by the time limit, with no plan, or not stressed, in words.
    pub warnings: Vec<String>,
}

/// One case's mineral, measured.
struct Measured {
    status: CaseStatus,
    cost: f64,
    quantities: Vec<f64>,
    metrics: Option<Metrics>,
    binding: Vec<String>,
    broken: Vec<String>,
}

/// Compares `cases` of `model` (see the module docs); `scenarios` are the model's own.
/// Exit-worthy only on bad options or a solver failure: an infeasible case, or one the
/// time limit stopped, is a row saying so.
pub fn compare(
    model: &Model,
    cases: &[CaseSpec],
    scenarios: &[Scenario],
    opts: &CompareOptions,
) -> Result<Comparison> {
    let measured = measure_cases(model, cases, &opts.solve)?;
    let mut warnings = Vec::new();
    let stressed = !scenarios.is_empty() && penalties_everywhere(model, &mut warnings);
    let stress_of = |k: usize| -> Result<Option<StressReport>> {
        let ms = &measured[k];
        if !stressed || !ms.iter().all(|m| m.status.has_plan()) {
            return Ok(None);
        }
        let plan: Vec<f64> = ms
            .iter()
            .flat_map(|m| m.quantities.iter().copied())
            .collect();
        stress(model, &plan, scenarios, &opts.stress).map(Some)
    };
    let stresses: Vec<Option<StressReport>> =
        (0..cases.len()).map(stress_of).collect::<Result<_>>()?;
    let mut rows = Vec::new();
    for (k, case) in cases.iter().enumerate() {
        case_warnings(model, case, &measured[k], &mut warnings);
        rows.extend(case_rows(
            model,
            &case.name,
            &measured[k],
            stresses[k].as_ref(),
            opts,
        ));
    }
    with_savings(&mut rows, model.minerals.len() + 1);
    Ok(Comparison {
        cases: cases.iter().map(|c| c.name.clone()).collect(),
        rows,
        stressed,
        alpha: opts.stress.alpha.get(),
        warnings,
    })
}

/// Every case's minerals: rule-set cases solved (one task per distinct (rule set,
/// mineral) block, in parallel), plans measured.
fn measure_cases(
    model: &Model,
    cases: &[CaseSpec],
    opts: &SolveOptions,
) -> Result<Vec<Vec<Measured>>> {
    let deadline = Deadline::after(opts.time_limit_secs());
    // Distinct blocks to solve, and which one each (case, mineral) is.
    let mut blocks: Vec<Model> = Vec::new();
    let mut block_of: Vec<Vec<Option<usize>>> = Vec::new();
    for case in cases {
        let CaseKind::Policy(rows) = &case.what else {
            block_of.push(vec![None; model.minerals.len()]);
            continue;
        };
        let case_model = Model {
            policy: rows.clone(),
            ..model.clone()
        };
        let mut of = Vec::new();
        for m in 0..model.minerals.len() {
            let block = mineral_model(&case_model, m);
            let same = blocks.iter().position(|b| {
                same_rules(&b.policy, &block.policy) && b.minerals[0].name == block.minerals[0].name
            });
            of.push(Some(same.unwrap_or_else(|| {
                blocks.push(block);
                blocks.len() - 1
            })));
        }
        block_of.push(of);
    }
    let solved = run_tasks(&blocks, opts.thread_count(), |block| {
        let plan = solve_plan(block, &task_options(opts, deadline))?;
        let outcome = plan.minerals.into_iter().next();
        outcome.map_or_else(
            || Err(Error::Solver("a block without its mineral".into())),
            |o| solved(block, o),
        )
    })?
    .into_iter()
    .collect::<Result<Vec<Measured>>>()?;
    let mut out = Vec::with_capacity(cases.len());
    for (case, of) in cases.iter().zip(&block_of) {
        let ms = (0..model.minerals.len())
            .map(|m| match (&case.what, of[m]) {
                (CaseKind::Plan(x), _) => evaluated(model, m, &x[model.minerals[m].offers.clone()]),
                (CaseKind::Policy(_), Some(b)) => solved[b].clone_measured(),
                (CaseKind::Policy(_), None) => unreachable!("every rule-set case has its blocks"),
            })
            .collect();
        out.push(ms);
    }
    Ok(out)
}

impl Measured {
    fn clone_measured(&self) -> Measured {
        Measured {
            status: self.status,
            cost: self.cost,
            quantities: self.quantities.clone(),
            metrics: self.metrics.clone(),
            binding: self.binding.clone(),
            broken: self.broken.clone(),
        }
    }
}

/// True when two rule lists are the same rules (their lines aside).
fn same_rules(a: &[PolicyRow], b: &[PolicyRow]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.kind == y.kind && x.mineral == y.mineral && x.target == y.target && x.bound == y.bound
        })
}

/// A solved block (`block` the one-mineral model it was solved as), measured.
fn solved(block: &Model, o: MineralOutcome) -> Result<Measured> {
    let status = match &o.status {
        Status::Optimal => CaseStatus::Optimal,
        Status::Feasible => CaseStatus::Stopped,
        Status::Infeasible => CaseStatus::Infeasible,
        Status::LimitNoSolution { .. } => CaseStatus::StoppedNoPlan,
        Status::Failed { message, .. } => {
            return Err(Error::Solver(format!(
                "{}: {message}",
                block.minerals[0].name
            )))
        }
    };
    Ok(Measured {
        status,
        cost: o.cost,
        binding: binding_words(block, &o.rows),
        broken: Vec::new(),
        quantities: o.quantities,
        metrics: o.metrics,
    })
}

/// Mineral `m` of a fixed plan (`x` its quantities), measured as written: cost
/// Σ landed · x + fixed costs of the offers used + unmet_penalty · unmet.
fn evaluated(model: &Model, m: usize, x: &[f64]) -> Measured {
    let mineral = &model.minerals[m];
    let offers = model.offers_of(m);
    let purchase: f64 = x
        .iter()
        .zip(offers)
        .filter(|(&q, _)| q > 0.0)
        .map(|(&q, o)| q * o.landed_cost + o.fixed_cost)
        .sum();
    let unmet = (mineral.demand - x.iter().sum::<f64>()).max(0.0);
    let (rows, metrics) = crate::plan::evaluate(model, m, x);
    let mut broken = broken_words(model, &rows);
    if mineral.unmet_penalty.is_none() && unmet > FEASIBILITY * mineral.demand {
        broken.push(format!(
            "the demand of {} ({} unmet, and no unmet_penalty)",
            crate::write::numbers::plain(mineral.demand),
            crate::write::numbers::plain(unmet)
        ));
    }
    Measured {
        status: CaseStatus::Evaluated,
        cost: purchase + mineral.unmet_penalty.unwrap_or(0.0) * unmet,
        quantities: x.to_vec(),
        metrics: Some(metrics),
        binding: Vec::new(),
        broken,
    }
}

/// The rows at their bound, in words: "the 50% cap on CHN".
fn binding_words(model: &Model, rows: &[RowOutcome]) -> Vec<String> {
    rows.iter()
        .filter(|r| r.binding)
        .map(|r| {
            let inst = &r.instance;
            inst.kind
                .rule_with_bound(inst.target_label(model), inst.bound)
        })
        .collect()
}

/// The rows past their bound, in words with the plan's value: "the 50% cap on CHN (62%)".
fn broken_words(model: &Model, rows: &[RowOutcome]) -> Vec<String> {
    rows.iter()
        .filter(|r| r.instance.slack(r.value) < -FEASIBILITY)
        .map(|r| {
            let inst = &r.instance;
            format!(
                "{} ({})",
                inst.kind
                    .rule_with_bound(inst.target_label(model), inst.bound),
                inst.kind.bound_text(r.value)
            )
        })
        .collect()
}

/// False (with a warning) when a mineral has no unmet_penalty, which stress needs.
fn penalties_everywhere(model: &Model, warnings: &mut Vec<String>) -> bool {
    let missing: Vec<&str> = model
        .minerals
        .iter()
        .filter(|m| m.unmet_penalty.is_none())
        .map(|m| m.name.as_str())
        .collect();
    if !missing.is_empty() {
        warnings.push(format!(
            "expected cost and CVaR are left empty: the model has scenarios, but {} no unmet_penalty (stress needs one for every mineral)",
            missing.join(", ") + if missing.len() == 1 { " has" } else { " have" }
        ));
    }
    missing.is_empty()
}

/// Warnings for a case's minerals stopped by the time limit.
fn case_warnings(model: &Model, case: &CaseSpec, ms: &[Measured], warnings: &mut Vec<String>) {
    for (m, x) in ms.iter().enumerate() {
        let name = &model.minerals[m].name;
        match x.status {
            CaseStatus::Stopped => warnings.push(format!(
                "case {}: a time limit stopped the solve of {name}; its cost is that of a feasible plan, not proven optimal",
                case.name
            )),
            CaseStatus::StoppedNoPlan => warnings.push(format!(
                "case {}: a time limit stopped the solve of {name} before it found a plan",
                case.name
            )),
            CaseStatus::Optimal | CaseStatus::Infeasible | CaseStatus::Evaluated => {}
        }
    }
}

/// A case's rows: its minerals, then `*` (savings filled in later).
fn case_rows(
    model: &Model,
    case: &str,
    ms: &[Measured],
    stressed: Option<&StressReport>,
    opts: &CompareOptions,
) -> Vec<CompareRow> {
    let mut rows: Vec<CompareRow> = ms
        .iter()
        .enumerate()
        .map(|(m, x)| mineral_row(model, case, m, x, stressed, opts))
        .collect();
    rows.push(total_row(model, case, ms, stressed));
    rows
}

fn mineral_row(
    model: &Model,
    case: &str,
    m: usize,
    x: &Measured,
    stressed: Option<&StressReport>,
    opts: &CompareOptions,
) -> CompareRow {
    let name = &model.minerals[m].name;
    let metrics = x.metrics.as_ref().filter(|_| x.status.has_plan());
    // This mineral's loss in each scenario, as stress computed it.
    let losses: Option<Vec<(f64, f64)>> = stressed.map(|s| {
        s.rows
            .iter()
            .filter(|r| r.mineral == *name)
            .map(|r| (r.total_cost, r.probability))
            .collect()
    });
    CompareRow {
        case: case.to_string(),
        mineral: name.clone(),
        status: x.status,
        cost: x.status.has_plan().then_some(x.cost),
        saving: None,
        saving_share: None,
        suppliers: metrics.map(|t| t.suppliers),
        countries: metrics.map(|t| t.countries),
        top_country: metrics
            .and_then(|t| t.top_country)
            .map(|c| model.countries[c].code.clone()),
        top_country_share: metrics.and_then(|t| t.top_country_share),
        hhi: metrics.map(|t| t.hhi),
        avg_risk: metrics.map(|t| t.avg_risk),
        expected_cost: losses.as_ref().map(|l| l.iter().map(|(c, p)| c * p).sum()),
        cvar_cost: losses.as_ref().map(|l| cvar(l, opts.stress.alpha.get())),
        binding_rules: x.binding.clone(),
        broken_rules: x.broken.clone(),
    }
}

/// The case's totals: cost, distinct suppliers and countries, the country with the
/// largest part of the purchase spend, the stress summary, every mineral's rules.
fn total_row(
    model: &Model,
    case: &str,
    ms: &[Measured],
    stressed: Option<&StressReport>,
) -> CompareRow {
    let status = ms
        .iter()
        .map(|x| x.status)
        .max_by_key(|s| s.severity())
        .unwrap_or(CaseStatus::Optimal);
    let with_mineral = |words: &dyn Fn(&Measured) -> &Vec<String>| -> Vec<String> {
        ms.iter()
            .enumerate()
            .flat_map(|(m, x)| {
                let name = &model.minerals[m].name;
                words(x).iter().map(move |w| format!("{name}: {w}"))
            })
            .collect()
    };
    let mut row = CompareRow {
        case: case.to_string(),
        mineral: Name::from("*"),
        status,
        cost: None,
        saving: None,
        saving_share: None,
        suppliers: None,
        countries: None,
        top_country: None,
        top_country_share: None,
        hhi: None,
        avg_risk: None,
        expected_cost: stressed.map(|s| s.summary.expected_cost),
        cvar_cost: stressed.map(|s| s.summary.cvar_cost),
        binding_rules: with_mineral(&|x| &x.binding),
        broken_rules: with_mineral(&|x| &x.broken),
    };
    if status.has_plan() {
        row.cost = Some(ms.iter().map(|x| x.cost).sum());
        let used = Used::of(model, ms);
        row.suppliers = Some(used.suppliers);
        row.countries = Some(used.countries);
        row.top_country = used.top.map(|c| model.countries[c].code.clone());
        row.top_country_share = used.top_share;
    }
    row
}

/// What a whole plan uses: distinct supplier ids and countries, and the country taking
/// the largest part of the purchase spend (landed and fixed costs).
struct Used {
    suppliers: usize,
    countries: usize,
    top: Option<usize>,
    top_share: Option<f64>,
}

impl Used {
    fn of(model: &Model, ms: &[Measured]) -> Used {
        let mut suppliers: FxHashSet<&str> = FxHashSet::default();
        let mut spend = vec![0.0; model.countries.len()];
        let mut used = vec![false; model.countries.len()];
        for (m, x) in ms.iter().enumerate() {
            for (q, o) in x.quantities.iter().zip(model.offers_of(m)) {
                if *q > 0.0 {
                    suppliers.insert(&o.supplier);
                    spend[o.country] += q * o.landed_cost + o.fixed_cost;
                    used[o.country] = true;
                }
            }
        }
        let total: f64 = spend.iter().sum();
        let mut top = None;
        for (c, &s) in spend.iter().enumerate() {
            if s > 0.0 && top.is_none_or(|t: usize| s > spend[t]) {
                top = Some(c);
            }
        }
        Used {
            suppliers: suppliers.len(),
            countries: used.iter().filter(|&&u| u).count(),
            top,
            top_share: top.filter(|_| total > 0.0).map(|c| spend[c] / total),
        }
    }
}

/// Fills every row's saving against the same mineral (or `*`) of the first case; rows
/// come in blocks of `per_case`. Savings within 1e-9 of the reference cost are rounding
/// and written 0, as `policy` writes them.
fn with_savings(rows: &mut [CompareRow], per_case: usize) {
    let reference: Vec<Option<f64>> = rows.iter().take(per_case).map(|r| r.cost).collect();
    let total = reference.last().copied().flatten().unwrap_or(0.0);
    let noise = SAVING_NOISE * total.abs().max(1.0);
    for (k, row) in rows.iter_mut().enumerate() {
        let Some(first) = reference[k % per_case] else {
            continue;
        };
        let Some(cost) = row.cost else { continue };
        let saving = if (first - cost).abs() <= noise {
            0.0
        } else {
            first - cost
        };
        row.saving = Some(saving);
        row.saving_share = (first != 0.0).then(|| saving / first);
    }
}
