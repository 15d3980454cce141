//! `compare`: named policy variants of one model side by side. Each case is either a rule
//! set, the model solved with it in place of constraints.csv (`solve`'s optimum of that
//! edited model), or a fixed plan, measured as it is. Per case and mineral, and per case
//! in total (`*`): cost, saving against the first case, suppliers, countries, top
//! country, HHI, average risk, expected cost and CVaR under the scenarios (by
//! [`stress`]), and the rules that bind (or, for a plan, that it breaks).
//!
//! The model's own policy is solved first; a case's mineral keeps that optimum when its
//! rules cannot change it, and every other distinct (rules, mineral) block is solved
//! once, all in parallel through `policy`'s machinery (`policy_cost::run_tasks`).

mod blocks;

use rustc_hash::FxHashSet;
use serde::Serialize;

use blocks::{measure_cases, Measured};

use super::stress::{cvar, stress, StressOptions, StressReport};
use crate::error::Result;
use crate::input::CaseSpec;
use crate::model::name::Name;
use crate::model::{Model, Scenario};
use crate::solve::SolveOptions;
use crate::tolerance::SAVING_NOISE;

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
    /// The solver failed (numerical trouble); the run ends with exit 4 after writing.
    Failed,
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
            CaseStatus::Failed => "failed",
        }
    }

    /// True when there is a plan to measure.
    pub fn has_plan(self) -> bool {
        match self {
            CaseStatus::Optimal | CaseStatus::Stopped | CaseStatus::Evaluated => true,
            CaseStatus::StoppedNoPlan | CaseStatus::Infeasible | CaseStatus::Failed => false,
        }
    }

    fn severity(self) -> u8 {
        match self {
            CaseStatus::Optimal | CaseStatus::Evaluated => 0,
            CaseStatus::Stopped => 1,
            CaseStatus::Infeasible => 2,
            CaseStatus::StoppedNoPlan => 3,
            CaseStatus::Failed => 4,
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
    /// Total cost (landed purchases at the bundles' and lot discounts' prices, fixed
    /// costs, unmet penalties, and the penalties of the soft rules the plan breaks);
    /// `None` without a plan.
    pub cost: Option<f64>,
    /// The part of `cost` that is soft rules' penalties (only when some case has a soft
    /// rule).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub penalties: Option<f64>,
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
    /// True when some case has a soft rule: compare.csv then has a `penalties` column.
    #[serde(skip)]
    pub soft: bool,
    /// Cases stopped by the time limit, with no plan, or not stressed, in words.
    pub warnings: Vec<String>,
}

impl Comparison {
    /// 0 when every case ran, infeasible or stopped ones included; 4 when a solver
    /// failed on one (its rows say `failed`).
    pub fn exit_code(&self) -> u8 {
        if self.rows.iter().any(|r| r.status == CaseStatus::Failed) {
            4
        } else {
            0
        }
    }
}

/// Compares `cases` of `model` (see the module docs); `scenarios` are the model's own.
/// An infeasible case, one the time limit stopped, or one the solver failed on is a row
/// saying so, not an error.
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
    let soft = model.has_soft_rows()
        || cases.iter().any(|c| match &c.what {
            crate::input::CaseKind::Policy(rows) => rows.iter().any(|r| r.soft.is_used()),
            crate::input::CaseKind::Plan(_) => false,
        });
    if !soft {
        rows.iter_mut().for_each(|r| r.penalties = None);
    }
    Ok(Comparison {
        soft,
        cases: cases.iter().map(|c| c.name.clone()).collect(),
        rows,
        stressed,
        alpha: opts.stress.alpha.get(),
        warnings,
    })
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
            CaseStatus::Failed => warnings.push(format!(
                "case {}: the solver failed on {name}: {}",
                case.name,
                x.failure.as_deref().unwrap_or("no reason given")
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
        penalties: x.status.has_plan().then_some(x.penalties),
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
        penalties: None,
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
        row.penalties = Some(ms.iter().map(|x| x.penalties).sum());
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
                    spend[o.country] += o.purchase_cost(*q) + o.fixed_cost;
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
