//! Bundles and lot discounts in an exported problem: the joint MILP of `solve::coupled`
//! (see its module text) written in the model's units on top of the blocks' columns, so
//! the file's optimum is the total cost `solve` reports.
//!
//! - `w_<bundle>`: 1 when the bundle is taken, at its landed cost less its lines at list
//!   price; rows `bundle_<mineral>_<supplier>`: x ≥ Σ q · w over the bundles buying from
//!   that offer.
//! - per lot discount of supplier S: `lot_<mineral>_<S>` (0/1, the lot won) with rows
//!   `won_<mineral>_<S>`: x ≥ threshold · lot; per step k `step_<S>_<k>` (0/1, reached)
//!   with rows `steporder_<S>_<k>` (step_k ≤ step_{k−1}) and `reach_<S>_<k>`
//!   (Σ lot ≥ min_lots · step_k); and its saving `save_<S>_<k>` at −(d_k − d_{k−1}) in
//!   the objective, with rows `saveval_<S>_<k>` (save ≤ the lots' price part above their
//!   bundles: Σ p x − Σ p q w) and `saveon_<S>_<k>` (save ≤ M · step_k).

use crate::engine::lp::Sense;
use crate::error::{Error, Result};
use crate::formulate::Block;
use crate::model::coupling::{mineral_groups, price_part};
use crate::model::parts::{part_model, parts};
use crate::model::Model;
use crate::solve::coupled::lot_threshold;
use crate::solve::Deadline;

use super::names::Namer;
use super::{Column, LinearRow, Problem};

/// The file's comment on bundles and lot discounts.
pub(super) const COUPLING_COMMENT: &str =
    "Bundles and lot discounts (bundles.csv, discounts.csv): \
    w_ columns are 0/1 bundles taken at their landed cost less their lines at list price \
    (rows bundle_: x >= quantity x w); lot_ columns are 0/1 lots won (rows won_: x >= \
    threshold x lot), step_ columns 0/1 discount steps reached (rows reach_: lots won >= \
    min_lots x step), save_ columns the saving of each step (rows saveval_, saveon_).";

/// The model of mineral `m` alone, to export it with its bundles and lot discounts; an
/// error (exit 2) when they join it to other minerals.
pub(super) fn alone(model: &Model, m: usize) -> Result<Model> {
    let part = parts(model).into_iter().find(|p| p.contains(&m));
    match part {
        Some(p) if p.len() > 1 => Err(Error::Usage(format!(
            "--mineral {}: bundles or lot discounts join it to {}; export the whole model",
            model.minerals[m].name,
            p.iter()
                .filter(|&&k| k != m)
                .map(|&k| model.minerals[k].name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        _ => Ok(part_model(model, &[m])),
    }
}

/// Runs the joint problem's HHI cut loop on `blocks` (the model's blocks in mineral
/// order), adding its cuts to them: the joint optimum may sit where a block's own cuts
/// do not hold its cap. The comment lines saying so, per joined group with a cap.
pub(super) fn joint_cuts(model: &Model, blocks: &mut [Block]) -> Result<Vec<String>> {
    let capped: Vec<&str> = mineral_groups(model)
        .into_iter()
        .flatten()
        .filter(|&m| blocks[m].concentration.is_some())
        .map(|m| model.minerals[m].name.as_str())
        .collect();
    if capped.is_empty() {
        return Ok(Vec::new());
    }
    let mut paired: Vec<(Block, f64)> = blocks.iter().map(|b| (b.clone(), 0.0)).collect();
    let opts = crate::solve::SolveOptions::default();
    crate::solve::coupled::decide(model, &mut paired, &opts, Deadline::after(None))?;
    for (block, (joint, _)) in blocks.iter_mut().zip(paired) {
        block.lp = joint.lp;
    }
    Ok(vec![format!(
        "HHI caps of {} also carry the tangent cuts of the joint problem's cut loop (bundles and lot discounts), run to its optimum.",
        capped.join(", ")
    )])
}

/// Where each model offer's quantity column is in the problem, when exported.
pub(super) struct OfferColumns {
    /// Per model offer: its problem column (none when excluded or not exported).
    pub column: Vec<Option<usize>>,
    /// Per mineral: true when exported.
    pub exported: Vec<bool>,
}

impl OfferColumns {
    /// No offer exported yet.
    pub fn new(model: &Model) -> Self {
        OfferColumns {
            column: vec![None; model.offers.len()],
            exported: vec![false; model.minerals.len()],
        }
    }

    /// Records `block`'s offers, its first column at `offset`.
    pub fn add(&mut self, model: &Model, block: &Block, offset: usize) {
        self.exported[block.mineral] = true;
        let start = model.minerals[block.mineral].offers.start;
        for (j, v) in block.offer_var.iter().enumerate() {
            self.column[start + j] = v.map(|v| offset + v);
        }
    }
}

/// Adds the bundles and lot discounts whose offers are all exported.
pub(super) fn add_coupling(model: &Model, at: &OfferColumns, namer: &mut Namer, p: &mut Problem) {
    let exported = |offers: &[usize]| offers.iter().all(|&i| at.exported[model.offers[i].mineral]);
    let mut bundles: Vec<Option<usize>> = Vec::new();
    let mut floors: Vec<(usize, Vec<(usize, f64)>)> = Vec::new();
    for b in &model.coupling.bundles {
        let offers: Vec<usize> = b.lines.iter().map(|l| l.offer).collect();
        if !exported(&offers) {
            bundles.push(None);
            continue;
        }
        let w = binary(
            p,
            namer,
            &format!("w_{}", b.name),
            b.cost(model) - b.list_cost(model),
        );
        for l in &b.lines {
            let Some(x) = at.column[l.offer] else {
                p.columns[w].upper = 0.0;
                continue;
            };
            match floors.iter_mut().find(|(v, _)| *v == x) {
                Some((_, terms)) => terms.push((w, -l.quantity)),
                None => floors.push((x, vec![(w, -l.quantity)])),
            }
        }
        bundles.push(Some(w));
    }
    for (x, mut terms) in floors {
        let name = format!("bundle_{}", offer_label(model, at, x));
        terms.insert(0, (x, 1.0));
        row(p, namer, &name, terms, Sense::Ge, 0.0);
    }
    for disc in &model.coupling.discounts {
        if exported(&disc.lots) {
            add_discount(model, at, &bundles, disc, namer, p);
        }
    }
}

/// One lot discount's columns and rows (see the module text).
fn add_discount(
    model: &Model,
    at: &OfferColumns,
    bundles: &[Option<usize>],
    disc: &crate::model::coupling::LotDiscount,
    namer: &mut Namer,
    p: &mut Problem,
) {
    let s = &disc.supplier;
    let (mut count, mut value, mut most) = (Vec::new(), Vec::new(), 0.0);
    for &i in &disc.lots {
        let Some(x) = at.column[i] else { continue };
        let label = offer_name(model, i);
        let u = binary(p, namer, &format!("lot_{label}"), 0.0);
        let threshold = lot_threshold(model, i);
        let terms = vec![(x, 1.0), (u, -threshold)];
        row(p, namer, &format!("won_{label}"), terms, Sense::Ge, 0.0);
        count.push((u, 1.0));
        let price = price_part(model, i);
        value.push((x, -price));
        let mineral = &model.minerals[model.offers[i].mineral];
        most += price
            * p.columns[x]
                .upper
                .min(mineral.demand + mineral.stock_room());
    }
    // Bundle quantities are priced by their bundle, not discounted.
    for (b, w) in model.coupling.bundles.iter().zip(bundles) {
        let Some(w) = *w else { continue };
        let off = b.price_part_in(model, &disc.lots);
        if off > 0.0 {
            value.push((w, off));
        }
    }
    let mut before = 0.0;
    let mut previous: Option<usize> = None;
    for (k, step) in disc.steps.iter().enumerate() {
        let k = k + 1;
        let z = binary(p, namer, &format!("step_{s}_{k}"), 0.0);
        if let Some(prev) = previous {
            let terms = vec![(z, 1.0), (prev, -1.0)];
            row(
                p,
                namer,
                &format!("steporder_{s}_{k}"),
                terms,
                Sense::Le,
                0.0,
            );
        }
        let mut reach = count.clone();
        reach.push((z, -(step.min_lots as f64)));
        row(p, namer, &format!("reach_{s}_{k}"), reach, Sense::Ge, 0.0);
        let save = column(
            p,
            namer,
            &format!("save_{s}_{k}"),
            -(step.fraction - before),
        );
        let mut within = vec![(save, 1.0)];
        within.extend(value.iter().copied());
        row(
            p,
            namer,
            &format!("saveval_{s}_{k}"),
            within,
            Sense::Le,
            0.0,
        );
        let on = vec![(save, 1.0), (z, -most)];
        row(p, namer, &format!("saveon_{s}_{k}"), on, Sense::Le, 0.0);
        before = step.fraction;
        previous = Some(z);
    }
}

/// `<mineral>_<supplier>` of model offer `i`.
fn offer_name(model: &Model, i: usize) -> String {
    let o = &model.offers[i];
    format!("{}_{}", model.minerals[o.mineral].name, o.supplier)
}

/// `<mineral>_<supplier>` of the offer whose quantity is problem column `x`.
fn offer_label(model: &Model, at: &OfferColumns, x: usize) -> String {
    at.column
        .iter()
        .position(|&c| c == Some(x))
        .map_or_else(String::new, |i| offer_name(model, i))
}

fn binary(p: &mut Problem, namer: &mut Namer, raw: &str, cost: f64) -> usize {
    p.columns.push(Column {
        name: namer.name(raw),
        lower: 0.0,
        upper: 1.0,
        cost,
        integer: true,
    });
    p.columns.len() - 1
}

fn column(p: &mut Problem, namer: &mut Namer, raw: &str, cost: f64) -> usize {
    p.columns.push(Column {
        name: namer.name(raw),
        lower: 0.0,
        upper: f64::INFINITY,
        cost,
        integer: false,
    });
    p.columns.len() - 1
}

fn row(
    p: &mut Problem,
    namer: &mut Namer,
    raw: &str,
    terms: Vec<(usize, f64)>,
    sense: Sense,
    rhs: f64,
) {
    p.rows.push(LinearRow {
        name: namer.name(raw),
        terms,
        sense,
        rhs,
    });
}
