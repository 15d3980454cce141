//! Reports of a solve: the rows of allocation.csv, summary.csv and constraints.csv
//! (SPEC §4), built once and written as CSV, JSON or a text table.

pub mod atomic;
mod csv_out;
pub mod numbers;
mod text;

use rayon::prelude::*;
use rustc_hash::FxHashSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::Model;
use crate::name::Name;
use crate::rows::MineralPlan;
use crate::solve::{MineralSolution, Solution, Status};
use crate::tolerance::BINDING;
use numbers::plain;

pub use csv_out::CsvOut;
pub use text::{render_check, render_text};

/// Slack smaller than this (in the bound's units) is rounding noise and shown as 0.
const SLACK_NOISE: f64 = 1e-12;

/// One row of allocation.csv.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AllocationRow {
    /// Mineral name.
    pub mineral: Name,
    /// Supplier id.
    pub supplier: Name,
    /// Country code.
    pub country: Name,
    /// Quantity bought.
    pub quantity: f64,
    /// Quantity as a share of the mineral's demand.
    pub share: f64,
    /// Landed unit cost.
    pub landed_unit_cost: f64,
    /// quantity · landed_unit_cost (+ fixed cost when the offer has one).
    pub cost: f64,
}

/// One row of summary.csv (mineral `*` is the total).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryRow {
    /// Mineral name, or `*` for the totals.
    pub mineral: Name,
    /// Demand.
    pub demand: f64,
    /// Quantity bought.
    pub purchased: f64,
    /// Demand left unmet.
    pub unmet: f64,
    /// Total cost including fixed costs and unmet penalties.
    pub cost: f64,
    /// Purchase cost (landed plus fixed costs, without unmet penalties) per unit bought.
    pub avg_unit_cost: Option<f64>,
    /// Σ_c (q_c / D)² (empty on the totals row).
    pub hhi: Option<f64>,
    /// Σ_c risk_c (q_c / D)² (empty on the totals row).
    pub risk_hhi: Option<f64>,
    /// Σ risk · x / D (empty on the totals row).
    pub avg_risk: Option<f64>,
    /// Country with the largest quantity.
    pub top_country: Name,
    /// Its quantity as a share of demand.
    pub top_country_share: Option<f64>,
    /// Offers used (distinct supplier ids on the totals row).
    pub suppliers: usize,
    /// Countries used.
    pub countries: usize,
}

/// One row of constraints.csv: an expanded policy row on the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstraintRow {
    /// Rule name.
    pub constraint: &'static str,
    /// Mineral name.
    pub mineral: Name,
    /// Target (country, supplier, group) or empty.
    pub target: Name,
    /// The bound.
    pub bound: f64,
    /// The row's left-hand side in the bound's units.
    pub value: f64,
    /// Distance to the bound on the allowed side (≥ 0 when satisfied).
    pub slack: f64,
    /// True when the row is at its bound.
    pub binding: bool,
    /// d total cost / d bound, when known.
    pub shadow_price: Option<f64>,
    /// Line in constraints.csv.
    pub line: u64,
}

/// One row that must move for an infeasible mineral (the `explain` rows).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelaxationRow {
    /// Rule name, or `demand`.
    pub constraint: &'static str,
    /// Mineral name.
    pub mineral: Name,
    /// Target, or empty.
    pub target: Name,
    /// Bound as given (D for the demand).
    pub bound: f64,
    /// Bound that makes the mineral feasible.
    pub relaxed_bound: f64,
    /// Line in constraints.csv or demand.csv.
    pub line: u64,
}

/// How one mineral's block was solved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlockRow {
    /// Mineral name.
    pub mineral: Name,
    /// Backend used.
    pub solver: String,
    /// Outcome of the block.
    pub status: String,
    /// Rounds of HHI tangent cuts after the first solve (0 without HHI caps, or when the
    /// caps were stated as cones).
    pub cut_rounds: usize,
    /// For a plan stopped by a limit: bound on its relative gap to the optimum.
    pub gap: Option<f64>,
}

/// Everything a solve reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Overall outcome (serialized as its name; details are in `problems`).
    #[serde(serialize_with = "status_name")]
    pub status: Status,
    /// Total cost over minerals (plans only).
    pub total_cost: f64,
    /// How each mineral's block was solved, in mineral order.
    pub blocks: Vec<BlockRow>,
    /// allocation.csv rows.
    pub allocation: Vec<AllocationRow>,
    /// summary.csv rows.
    pub summary: Vec<SummaryRow>,
    /// constraints.csv rows.
    pub constraints: Vec<ConstraintRow>,
    /// For infeasible minerals: the least relaxation making them feasible.
    pub relaxations: Vec<RelaxationRow>,
    /// Per-mineral problems (infeasible, failed) in words.
    pub problems: Vec<String>,
    /// Warnings from reading the model.
    pub warnings: Vec<String>,
}

fn status_name<S: serde::Serializer>(
    status: &Status,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(status.name())
}

/// Builds the report of `solution`.
pub fn build_report(model: &Model, solution: &Solution) -> Report {
    let mut report = Report {
        status: solution.status.clone(),
        total_cost: 0.0,
        blocks: solution
            .minerals
            .iter()
            .map(|m| BlockRow {
                mineral: model.minerals[m.mineral].name.clone(),
                solver: m.solver.name().to_string(),
                status: m.status.name().to_string(),
                cut_rounds: m.cut_rounds,
                gap: m.gap,
            })
            .collect(),
        allocation: Vec::new(),
        summary: Vec::new(),
        constraints: Vec::new(),
        relaxations: Vec::new(),
        problems: Vec::new(),
        warnings: model.warnings.clone(),
    };
    // Minerals are reported in parallel (constraints.csv can have a row per offer), then
    // merged in mineral order.
    let parts: Vec<MineralPart> = solution
        .minerals
        .par_iter()
        .map(|ms| mineral_part(model, ms))
        .collect();
    let mut used_suppliers: FxHashSet<&str> = FxHashSet::default();
    let mut used_countries = vec![false; model.countries.len()];
    let (mut demand, mut purchased, mut unmet, mut cost, mut purchase_cost) =
        (0.0, 0.0, 0.0, 0.0, 0.0);
    for part in parts {
        report.problems.extend(part.problems);
        report.relaxations.extend(part.relaxations);
        let Some(summary) = part.summary else {
            continue;
        };
        for row in &part.allocation {
            let o = &model.offers[row.offer];
            used_suppliers.insert(o.supplier.as_str());
            used_countries[o.country] = true;
        }
        demand += summary.demand;
        purchased += summary.purchased;
        unmet += summary.unmet;
        cost += summary.cost;
        purchase_cost += part.spend;
        report.summary.push(summary);
        report
            .allocation
            .extend(part.allocation.into_iter().map(|r| r.row));
        report.constraints.extend(part.constraints);
    }
    report.total_cost = cost;
    report.summary.push(SummaryRow {
        mineral: Name::from("*"),
        demand,
        purchased,
        unmet,
        cost,
        avg_unit_cost: (purchased > 0.0).then(|| purchase_cost / purchased),
        hhi: None,
        risk_hhi: None,
        avg_risk: None,
        top_country: Name::default(),
        top_country_share: None,
        suppliers: used_suppliers.len(),
        countries: used_countries.iter().filter(|&&u| u).count(),
    });
    report
}

/// An allocation row with the index of its offer in `Model::offers`.
struct OfferRow {
    offer: usize,
    row: AllocationRow,
}

/// The report rows of one mineral.
#[derive(Default)]
struct MineralPart {
    problems: Vec<String>,
    relaxations: Vec<RelaxationRow>,
    /// `None` when the mineral has no plan.
    summary: Option<SummaryRow>,
    allocation: Vec<OfferRow>,
    constraints: Vec<ConstraintRow>,
    /// Purchase cost (landed and fixed costs).
    spend: f64,
}

fn mineral_part(model: &Model, ms: &MineralSolution) -> MineralPart {
    let mut part = MineralPart::default();
    let mineral = &model.minerals[ms.mineral];
    if ms.status == Status::Feasible {
        part.problems.push(format!(
            "{}: a time limit stopped the solver with a feasible plan, not proven optimal{}",
            mineral.name,
            ms.gap
                .map(|g| format!("; its cost is at most {:.4}% above the optimum", g * 100.0))
                .unwrap_or_default()
        ));
    }
    if !ms.has_plan() {
        part.problems.push(problem_text(model, ms));
        add_relaxations(model, ms, &mut part.relaxations);
        return part;
    }
    let first = mineral.offers.start;
    let offers = model.offers_of(ms.mineral);
    let d = mineral.demand;
    let mut rows: Vec<OfferRow> = offers
        .iter()
        .zip(&ms.quantities)
        .enumerate()
        .filter(|(_, (_, &x))| x > 0.0)
        .map(|(k, (o, &x))| OfferRow {
            offer: first + k,
            row: AllocationRow {
                mineral: mineral.name.clone(),
                supplier: o.supplier.clone(),
                country: model.countries[o.country].code.clone(),
                quantity: x,
                share: x / d,
                landed_unit_cost: o.landed_cost,
                cost: x * o.landed_cost + o.fixed_cost,
            },
        })
        .collect();
    rows.sort_by(|a, b| b.row.quantity.total_cmp(&a.row.quantity));
    let bought: f64 = rows.iter().map(|r| r.row.quantity).sum();
    part.spend = rows.iter().map(|r| r.row.cost).sum();
    let plan = MineralPlan {
        model,
        mineral: ms.mineral,
        quantities: &ms.quantities,
    };
    let by_country = plan.by_country();
    let (top, top_q) = by_country
        .iter()
        .enumerate()
        .fold(
            (None, 0.0),
            |(bi, bq), (c, &q)| {
                if q > bq {
                    (Some(c), q)
                } else {
                    (bi, bq)
                }
            },
        );
    part.summary = Some(SummaryRow {
        mineral: mineral.name.clone(),
        demand: d,
        purchased: bought,
        unmet: ms.unmet,
        cost: ms.cost,
        avg_unit_cost: (bought > 0.0).then(|| part.spend / bought),
        hhi: Some(by_country.iter().map(|q| (q / d).powi(2)).sum()),
        risk_hhi: Some(
            by_country
                .iter()
                .zip(&model.countries)
                .map(|(q, c)| c.risk * (q / d).powi(2))
                .sum(),
        ),
        avg_risk: Some(
            offers
                .iter()
                .zip(&ms.quantities)
                .map(|(o, x)| model.countries[o.country].risk * x)
                .sum::<f64>()
                / d,
        ),
        top_country: top
            .map(|c| model.countries[c].code.clone())
            .unwrap_or_default(),
        top_country_share: top.map(|_| top_q / d),
        suppliers: rows.len(),
        countries: by_country.iter().filter(|&&q| q > 0.0).count(),
    });
    part.allocation = rows;
    part.constraints = ms
        .rows
        .iter()
        .map(|r| {
            let inst = &r.instance;
            let (slack, bound) = if inst.kind.is_lower_bound() {
                (r.value - inst.bound, inst.bound)
            } else {
                (inst.bound - r.value, inst.bound)
            };
            // Float noise around an exact bound is not slack.
            let slack = if slack.abs() < SLACK_NOISE {
                0.0
            } else {
                slack
            };
            ConstraintRow {
                constraint: inst.kind.name(),
                mineral: mineral.name.clone(),
                target: inst.target_name(model),
                bound,
                value: r.value,
                slack,
                binding: slack.abs() <= BINDING,
                shadow_price: r.shadow_price,
                line: model.policy[inst.policy].line,
            }
        })
        .collect();
    part
}

fn add_relaxations(model: &Model, ms: &MineralSolution, out: &mut Vec<RelaxationRow>) {
    let mineral = &model.minerals[ms.mineral];
    for r in &ms.relaxations {
        out.push(match r.instance {
            None => RelaxationRow {
                constraint: "demand",
                mineral: mineral.name.clone(),
                target: Name::default(),
                bound: r.bound,
                relaxed_bound: r.relaxed_bound,
                line: mineral.line,
            },
            Some(k) => {
                let inst = &ms.instances[k];
                RelaxationRow {
                    constraint: inst.kind.name(),
                    mineral: mineral.name.clone(),
                    target: inst.target_name(model),
                    bound: r.bound,
                    relaxed_bound: r.relaxed_bound,
                    line: model.policy[inst.policy].line,
                }
            }
        });
    }
}

/// The problem of a mineral without a plan, in words.
fn problem_text(model: &Model, ms: &MineralSolution) -> String {
    let mineral = &model.minerals[ms.mineral];
    match &ms.status {
        Status::Infeasible => {
            let mut s = format!(
                "{} is infeasible: no mix meets demand {} under the policy",
                mineral.name,
                plain(mineral.demand)
            );
            if ms.relaxations.is_empty() {
                s.push_str(" (no relaxation of the policy rows or demand makes it feasible)");
            } else {
                s.push_str("; the smallest change that makes it feasible:");
                for r in &ms.relaxations {
                    match r.instance {
                        None => s.push_str(&format!(
                            "\n  demand.csv:{}: demand {} → {} (buy {} less)",
                            mineral.line,
                            plain(r.bound),
                            plain(r.relaxed_bound),
                            plain(r.bound - r.relaxed_bound)
                        )),
                        Some(k) => {
                            let inst = &ms.instances[k];
                            let target = inst.target_label(model);
                            s.push_str(&format!(
                                "\n  constraints.csv:{}: {}{} bound {} → {}",
                                model.policy[inst.policy].line,
                                inst.kind.name(),
                                if target.is_empty() {
                                    String::new()
                                } else {
                                    format!(" {target}")
                                },
                                plain(r.bound),
                                plain(r.relaxed_bound)
                            ))
                        }
                    }
                }
            }
            s
        }
        Status::LimitNoSolution { message } => format!(
            "{}: the solver stopped without a feasible plan ({message})",
            mineral.name
        ),
        Status::Failed { message } => format!("{}: {message}", mineral.name),
        Status::Optimal | Status::Feasible => String::new(),
    }
}

/// The three CSV files of SPEC §4 as bytes.
pub fn csv_files(report: &Report) -> Vec<(&'static str, Vec<u8>)> {
    let (allocation, constraints) =
        rayon::join(|| allocation_csv(report), || constraints_csv(report));
    vec![
        (ALLOCATION_CSV, allocation),
        (SUMMARY_CSV, summary_csv(report)),
        (CONSTRAINTS_CSV, constraints),
    ]
}

const ALLOCATION_CSV: &str = "allocation.csv";
const SUMMARY_CSV: &str = "summary.csv";
const CONSTRAINTS_CSV: &str = "constraints.csv";

fn allocation_csv(report: &Report) -> Vec<u8> {
    let mut a = CsvOut::new(&[
        "mineral",
        "supplier",
        "country",
        "quantity",
        "share",
        "landed_unit_cost",
        "cost",
    ]);
    a.rows(&report.allocation, |a, r| {
        a.text(&r.mineral).text(&r.supplier).text(&r.country);
        a.num(r.quantity)
            .num(r.share)
            .num(r.landed_unit_cost)
            .num(r.cost);
        a.end();
    });
    a.finish()
}

fn constraints_csv(report: &Report) -> Vec<u8> {
    let mut c = CsvOut::new(&[
        "constraint",
        "mineral",
        "target",
        "bound",
        "value",
        "slack",
        "binding",
        "shadow_price",
    ]);
    c.rows(&report.constraints, |c, r| {
        c.text(r.constraint).text(&r.mineral).text(&r.target);
        c.num(r.bound).num(r.value).num(r.slack);
        c.text(if r.binding { "true" } else { "false" });
        c.opt(r.shadow_price);
        c.end();
    });
    c.finish()
}

fn summary_csv(report: &Report) -> Vec<u8> {
    let mut s = CsvOut::new(&[
        "mineral",
        "demand",
        "purchased",
        "unmet",
        "cost",
        "avg_unit_cost",
        "hhi",
        "risk_hhi",
        "avg_risk",
        "top_country",
        "top_country_share",
        "suppliers",
        "countries",
    ]);
    for r in &report.summary {
        s.text(&r.mineral)
            .num(r.demand)
            .num(r.purchased)
            .num(r.unmet)
            .num(r.cost);
        s.opt(r.avg_unit_cost)
            .opt(r.hhi)
            .opt(r.risk_hhi)
            .opt(r.avg_risk);
        s.text(&r.top_country).opt(r.top_country_share);
        s.count(r.suppliers).count(r.countries);
        s.end();
    }
    s.finish()
}

/// Writes allocation.csv, summary.csv and constraints.csv into `dir` (created if
/// needed), all or none. The large files are formatted, written and synced concurrently
/// (one file's `fsync` overlaps the other's formatting); all are renamed at the end.
pub fn write_csv(dir: &Path, report: &Report) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let (first, second) = rayon::join(
        || {
            atomic::stage_all(&[
                (dir.join(ALLOCATION_CSV), allocation_csv(report)),
                (dir.join(SUMMARY_CSV), summary_csv(report)),
            ])
        },
        || atomic::stage_all(&[(dir.join(CONSTRAINTS_CSV), constraints_csv(report))]),
    );
    let mut staged = first?;
    staged.append(second?);
    Ok(staged.commit()?)
}
