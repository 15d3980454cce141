//! Formulation: one scaled LP block per mineral (SPEC §2).
//!
//! Quantities are scaled by the mineral's demand (x' = x / D, so shares are the
//! variables' natural unit) and costs by a per-block price unit, so blocks with demands
//! from 1e-3 to 1e9 and prices from 1e-2 to 1e7 reach the solver with coefficients near 1.
//! Every LP row carries a [`RowTag`] naming the user row it came from.

use crate::error::{Error, Result};
use crate::lp::{Lp, Sense};
use crate::model::{Model, PolicyKind};
use crate::rows::{expand, RowInstance};

/// Where an LP row came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowTag {
    /// Σ x + u = D.
    Demand,
    /// A policy row instance (index into [`Block::instances`]).
    Policy(usize),
}

/// A `max_supplier_share` row stated as the upper bound of its offer's variable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FoldedShare {
    /// The offer's variable.
    pub var: usize,
    /// Index into [`Block::instances`].
    pub instance: usize,
    /// The variable's bound from capacity alone (scaled; infinite when unlimited).
    pub capacity: f64,
}

/// The LP of one mineral with the maps back to the model.
#[derive(Debug, Clone)]
pub struct Block {
    /// Index into `Model::minerals`.
    pub mineral: usize,
    /// The scaled problem.
    pub lp: Lp,
    /// Tag of each LP row.
    pub tags: Vec<RowTag>,
    /// Demand D (quantity scale).
    pub demand: f64,
    /// Price unit (cost scale): true cost = objective · demand · cost_scale.
    pub cost_scale: f64,
    /// Per offer of the mineral (local index): its variable, or `None` when excluded.
    pub offer_var: Vec<Option<usize>>,
    /// The unmet-demand variable, when the mineral has an unmet penalty.
    pub unmet_var: Option<usize>,
    /// The policy rows of this mineral, expanded.
    pub instances: Vec<RowInstance>,
    /// Supplier-share rows folded into a variable's upper bound.
    pub folded: Vec<FoldedShare>,
    /// Rows with no variable whose bound cannot hold (e.g. a group with no offer and a
    /// positive minimum share): indices into `instances`.
    pub empty_violations: Vec<usize>,
}

impl Block {
    /// Converts a scaled objective value to the model's currency.
    pub fn unscale_cost(&self, objective: f64) -> f64 {
        objective * self.demand * self.cost_scale
    }

    /// Converts a scaled row dual (d objective / d share bound) to currency per unit of
    /// the user's bound.
    pub fn unscale_dual(&self, dual: f64) -> f64 {
        dual * self.demand * self.cost_scale
    }
}

/// Builds the block of mineral `m`, or says which rows this build cannot handle.
pub fn formulate(model: &Model, m: usize) -> Result<Block> {
    let mineral = &model.minerals[m];
    let offers = model.offers_of(m);
    let d = mineral.demand;
    let instances = expand(model, m);
    reject_unsupported(model, m, &instances)?;

    // Exclusions remove variables; supplier shares tighten bounds.
    let start = mineral.offers.start;
    let mut excluded = vec![false; offers.len()];
    let capacity: Vec<f64> = offers
        .iter()
        .map(|o| o.capacity.map_or(f64::INFINITY, |c| c / d))
        .collect();
    let mut upper = capacity.clone();
    let mut owner: Vec<Option<usize>> = vec![None; offers.len()];
    for (k, inst) in instances.iter().enumerate() {
        match inst.kind {
            PolicyKind::ExcludeCountry | PolicyKind::ExcludeSupplier => {
                for (j, flag) in excluded.iter_mut().enumerate() {
                    *flag |= inst.covers(model, start + j);
                }
            }
            PolicyKind::MaxSupplierShare => {
                for j in 0..offers.len() {
                    if inst.covers(model, start + j) && inst.bound <= upper[j] {
                        upper[j] = inst.bound;
                        owner[j] = Some(k);
                    }
                }
            }
            _ => {}
        }
    }

    let cost_scale = price_unit(
        offers
            .iter()
            .zip(&excluded)
            .filter(|(_, &e)| !e)
            .map(|(o, _)| o.landed_cost)
            .chain(mineral.unmet_penalty),
    );
    let mut lp = Lp::default();
    let mut offer_var = Vec::with_capacity(offers.len());
    let mut folded = Vec::new();
    for (j, o) in offers.iter().enumerate() {
        if excluded[j] {
            offer_var.push(None);
            continue;
        }
        let v = lp.add_var(0.0, upper[j], o.landed_cost / cost_scale);
        if let Some(instance) = owner[j] {
            folded.push(FoldedShare {
                var: v,
                instance,
                capacity: capacity[j],
            });
        }
        offer_var.push(Some(v));
    }
    let unmet_var = mineral
        .unmet_penalty
        .map(|p| lp.add_var(0.0, 1.0, p / cost_scale));

    let mut tags = Vec::new();
    let mut demand_terms: Vec<(usize, f64)> = offer_var.iter().flatten().map(|&v| (v, 1.0)).collect();
    if let Some(u) = unmet_var {
        demand_terms.push((u, 1.0));
    }
    lp.add_row(demand_terms, Sense::Eq, 1.0);
    tags.push(RowTag::Demand);

    let mut empty_violations = Vec::new();
    for (k, inst) in instances.iter().enumerate() {
        let (sense, coefficient): (Sense, Box<dyn Fn(usize) -> f64>) = match inst.kind {
            PolicyKind::MaxCountryShare | PolicyKind::MaxGroupShare => (Sense::Le, Box::new(|_| 1.0)),
            PolicyKind::MinGroupShare => (Sense::Ge, Box::new(|_| 1.0)),
            PolicyKind::MaxAvgRisk => (
                Sense::Le,
                Box::new(|j: usize| model.countries[offers[j].country].risk),
            ),
            _ => continue,
        };
        let terms: Vec<(usize, f64)> = (0..offers.len())
            .filter_map(|j| {
                let v = offer_var[j]?;
                let a = coefficient(j);
                (inst.covers(model, start + j) && a != 0.0).then_some((v, a))
            })
            .collect();
        if terms.is_empty() {
            let holds = match sense {
                Sense::Le => 0.0 <= inst.bound,
                Sense::Ge => 0.0 >= inst.bound,
                Sense::Eq => inst.bound == 0.0,
            };
            if !holds {
                empty_violations.push(k);
            }
            continue;
        }
        lp.add_row(terms, sense, inst.bound);
        tags.push(RowTag::Policy(k));
    }

    Ok(Block {
        mineral: m,
        lp,
        tags,
        demand: d,
        cost_scale,
        offer_var,
        unmet_var,
        instances,
        folded,
        empty_violations,
    })
}

/// A price unit for a block: the geometric middle of its smallest and largest positive
/// costs, so scaled costs straddle 1.
fn price_unit(costs: impl Iterator<Item = f64>) -> f64 {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for c in costs.filter(|&c| c > 0.0) {
        lo = lo.min(c);
        hi = hi.max(c);
    }
    if hi > 0.0 {
        (lo * hi).sqrt()
    } else {
        1.0
    }
}

/// Rows and offer attributes that need features this build does not have yet.
fn reject_unsupported(model: &Model, m: usize, instances: &[RowInstance]) -> Result<()> {
    for inst in instances {
        if inst.kind.is_quadratic() || inst.kind.is_count() {
            let row = &model.policy[inst.policy];
            return Err(Error::Unsupported(format!(
                "constraints.csv:{}: {} is not supported yet by this version of sourcemix; remove the row to solve without it",
                row.line,
                inst.kind.name()
            )));
        }
    }
    for o in model.offers_of(m) {
        for (column, value) in [("min_order", o.min_order), ("fixed_cost", o.fixed_cost)] {
            if value > 0.0 {
                return Err(Error::Unsupported(format!(
                    "suppliers.csv:{}: column {column}: {value} is not supported yet by this version of sourcemix; leave the cell empty or 0",
                    o.line
                )));
            }
        }
    }
    Ok(())
}
