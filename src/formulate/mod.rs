//! Formulation: one scaled LP/MILP block per mineral (SPEC §2).
//!
//! Quantities are scaled by the mineral's demand (x' = x / D, so shares are the
//! variables' natural unit) and costs by a per-block price unit, so blocks with demands
//! from 1e-3 to 1e9 and prices from 1e-2 to 1e7 reach the solver with coefficients near 1.
//! Every LP row carries a [`RowTag`] naming the user row it came from.
//!
//! Binary "used" variables exist only for offers that need them (`min_order`,
//! `fixed_cost`, or a count row on the mineral), linked by the tightest valid big-M.
//! HHI caps get per-country share variables s_c and epigraph variables t_c ≥ s_c²; the
//! cap is Σ w_c t_c ≤ b, and t_c ≥ s_c² is stated by tangent cuts (see
//! [`concentration`]).
//!
//! The steps: [`bounds`] (exclusions, supplier caps, big-M), offer variables and their
//! links, the demand row, one row per policy instance ([`families`]), initial tangents.

pub(crate) mod bounds;
pub(crate) mod elastic;
pub(crate) mod tiers;

use crate::engine::lp::{Lp, Sense};
use crate::error::Result;
use crate::model::Model;
use crate::policy::rows::{expand, RowInstance};
use crate::policy::stock_days;

pub use crate::engine::lp::RowTag;
pub use crate::policy::concentration::Concentration;
pub use crate::policy::context::RowContext;

use crate::policy::context::row_terms;
use bounds::{offer_bounds, price_unit, OfferBounds};
pub use elastic::{is_elastic, Elastic};
use tiers::{add_tiers, TierVars};

/// Used offers supply at least this fraction of demand (SPEC §2).
pub const MIN_USED_SHARE: f64 = 1e-6;

/// A `max_supplier_share` row stated as the upper bound of its offer's variable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FoldedShare {
    /// The offer's variable.
    pub var: usize,
    /// Index into [`Block::instances`].
    pub instance: usize,
    /// The variable's bound without this cap: capacity and the offer's other supplier
    /// caps (scaled; infinite when unlimited; equal to the cap when another one ties).
    pub next: f64,
}

/// The LP of one mineral with the maps back to the model.
#[derive(Debug, Clone)]
pub struct Block {
    /// Index into `Model::minerals`.
    pub mineral: usize,
    /// The scaled problem; each row carries its [`RowTag`].
    pub lp: Lp,
    /// Demand D (quantity scale).
    pub demand: f64,
    /// Price unit (cost scale): true cost = objective · demand · cost_scale.
    pub cost_scale: f64,
    /// Per offer of the mineral (local index): its variable, or `None` when excluded.
    pub offer_var: Vec<Option<usize>>,
    /// Per offer of the mineral: its binary "used" variable, when it has one.
    pub used_var: Vec<Option<usize>>,
    /// The unmet-demand variable, when the mineral has an unmet penalty.
    pub unmet_var: Option<usize>,
    /// The policy rows of this mineral, expanded.
    pub instances: Vec<RowInstance>,
    /// Supplier-share rows folded into a variable's upper bound.
    pub folded: Vec<FoldedShare>,
    /// Rows with no variable whose bound cannot hold (e.g. a group with no offer and a
    /// positive minimum share): indices into `instances`.
    pub empty_violations: Vec<usize>,
    /// HHI machinery, when the mineral has HHI caps.
    pub concentration: Option<Concentration>,
    /// The segments and binaries of the offers with price tiers.
    pub tiers: Vec<TierVars>,
    /// (instance, binary) of each row whose binary is 1 exactly when the instance's
    /// members buy nothing (`min_*_share_if_used`).
    pub indicators: Vec<(usize, usize)>,
    /// The stock built b' (a share of demand, in the demand row Σ x' + u' − b' = 1, at
    /// its holding cost), when a `min_stock_days` row makes the plan build stock.
    pub stock_var: Option<usize>,
    /// The violation variables of soft rows, by instance (ascending).
    pub elastic: Vec<Elastic>,
    /// (instance, (variable, weight)) of each value-share row: Σ weight · x is the value
    /// its dual is multiplied by for d cost / d bound (see `policy::value_share`).
    pub value_rows: Vec<(usize, Vec<(usize, f64)>)>,
}

impl Block {
    /// Converts a scaled row dual (d objective / d share bound) to currency per unit of
    /// the user's bound.
    pub fn unscale_dual(&self, dual: f64) -> f64 {
        dual * self.demand * self.cost_scale
    }

    /// For each HHI cap: (instance, Σ w_c s_c² at `x`), less the bound's move by a soft
    /// cap's violation variable: what must stay within the instance's bound.
    pub fn cap_values(&self, x: &[f64]) -> Vec<(usize, f64)> {
        let mut values = self
            .concentration
            .as_ref()
            .map_or_else(Vec::new, |c| c.cap_values(x));
        for (k, v) in &mut values {
            if let Some(e) = self.elastic_of(*k) {
                *v -= e.size * x[e.var];
            }
        }
        values
    }

    /// The violation variable of instance `k`, when the row is soft.
    pub fn elastic_of(&self, k: usize) -> Option<&Elastic> {
        self.elastic
            .binary_search_by_key(&k, |e| e.instance)
            .ok()
            .map(|i| &self.elastic[i])
    }

    /// Adds a tangent cut t_c ≥ 2a s_c − a² at a = s_c for every country whose
    /// epigraph variable is below s_c² by more than `depth`; returns how many were added.
    pub fn add_cuts(&mut self, x: &[f64], depth: f64) -> usize {
        match &self.concentration {
            Some(c) => c.add_cuts(&mut self.lp, x, depth),
            None => 0,
        }
    }
}

/// The offer variables of a block and what the rows after them need.
struct OfferVars {
    offer_var: Vec<Option<usize>>,
    used_var: Vec<Option<usize>>,
    folded: Vec<FoldedShare>,
    /// (x, y, lower share, big-M) of each offer with a binary.
    links: Vec<(usize, usize, f64, f64)>,
}

/// Builds the block of mineral `m`.
pub fn formulate(model: &Model, m: usize) -> Result<Block> {
    let mineral = &model.minerals[m];
    let offers = model.offers_of(m);
    let d = mineral.demand;
    let instances = expand(model, m);
    // With a stock, the mineral may buy up to its stock room above demand.
    let ceiling = 1.0 + mineral.stock_room() / d;
    let elastic: Vec<bool> = instances.iter().map(|i| is_elastic(model, i)).collect();
    let bounds = offer_bounds(
        offers.iter().map(|o| o.capacity),
        d,
        ceiling,
        &instances,
        &elastic,
    );
    let counts = instances.iter().any(|i| i.kind.needs_binaries());
    let cost_scale = price_unit(
        offers
            .iter()
            .zip(&bounds.excluded)
            .filter(|(_, &e)| !e)
            .map(|(o, _)| o.landed_cost)
            .chain(mineral.unmet_penalty),
    );
    let mut lp = Lp::default();
    let vars = offer_variables(&mut lp, model, m, &bounds, counts, cost_scale);
    let unmet_var = mineral
        .unmet_penalty
        .map(|p| lp.add_var(0.0, 1.0, p / cost_scale));
    demand_and_links(&mut lp, &vars, unmet_var);
    let stock_var = stock_days::builds_stock(model, m, &instances)
        .then(|| add_stock_column(&mut lp, mineral, cost_scale));
    let tiers: Vec<TierVars> = (0..offers.len())
        .filter_map(|j| {
            let (t, x) = (offers[j].tiers.as_deref()?, vars.offer_var[j]?);
            Some(add_tiers(&mut lp, j, x, t, d, cost_scale, bounds.big_m[j]))
        })
        .collect();
    let mut countries: Vec<usize> = (0..offers.len())
        .filter(|&j| vars.offer_var[j].is_some())
        .map(|j| offers[j].country)
        .collect();
    countries.sort_unstable();
    countries.dedup();
    let mut cx = RowContext {
        model,
        offers,
        offer_var: &vars.offer_var,
        used_var: &vars.used_var,
        countries: &countries,
        country_used: None,
        concentration: None,
        indicators: Vec::new(),
        value_rows: Vec::new(),
    };
    let scale = (d, cost_scale);
    let (empty_violations, elastic) = policy_rows(&mut cx, &mut lp, &instances, &elastic, scale);
    let concentration = cx.concentration;
    let indicators = cx.indicators;
    let value_rows = cx.value_rows;
    if let Some(c) = &concentration {
        c.add_initial_tangents(&mut lp);
    }
    Ok(Block {
        mineral: m,
        lp,
        demand: d,
        cost_scale,
        offer_var: vars.offer_var,
        used_var: vars.used_var,
        unmet_var,
        instances,
        folded: vars.folded,
        empty_violations,
        concentration,
        tiers,
        indicators,
        stock_var,
        elastic,
        value_rows,
    })
}

/// b' ∈ [0, room / D] at the holding cost, in the demand row (the block's first row).
fn add_stock_column(lp: &mut Lp, mineral: &crate::model::Mineral, cost_scale: f64) -> usize {
    let h = mineral.stock.map_or(0.0, |s| s.holding_cost);
    let b = lp.add_var(0.0, mineral.stock_room() / mineral.demand, h / cost_scale);
    let demand = lp
        .rows
        .iter_mut()
        .find(|r| r.tag == RowTag::Demand)
        .expect("the demand row comes first");
    demand.terms.push((b, -1.0));
    b
}

/// One variable per offer not excluded (costs in the block's price unit), and a binary
/// after it where the offer needs one.
fn offer_variables(
    lp: &mut Lp,
    model: &Model,
    m: usize,
    b: &OfferBounds,
    counts: bool,
    cost_scale: f64,
) -> OfferVars {
    let offers = model.offers_of(m);
    let d = model.minerals[m].demand;
    let fixed_scale = d * cost_scale;
    let mut out = OfferVars {
        offer_var: Vec::with_capacity(offers.len()),
        used_var: vec![None; offers.len()],
        folded: Vec::new(),
        links: Vec::new(),
    };
    for (j, o) in offers.iter().enumerate() {
        if b.excluded[j] {
            out.offer_var.push(None);
            continue;
        }
        // A tiered offer's cost is on its segments (`tiers`).
        let cost = if o.tiers.is_some() {
            0.0
        } else {
            o.landed_cost
        };
        let v = lp.add_var(0.0, b.upper[j], cost / cost_scale);
        if let Some(instance) = b.owner[j] {
            out.folded.push(FoldedShare {
                var: v,
                instance,
                next: b.next[j],
            });
        }
        if counts || o.min_order > 0.0 || o.fixed_cost > 0.0 {
            let y = lp.add_binary(o.fixed_cost / fixed_scale);
            let low = (o.min_order / d).max(MIN_USED_SHARE);
            if low > b.big_m[j] {
                // Cannot be used at its minimum within its caps.
                lp.vars[y].upper = 0.0;
                lp.vars[v].upper = 0.0;
            }
            out.links.push((v, y, low, b.big_m[j]));
            out.used_var[j] = Some(y);
        }
        out.offer_var.push(Some(v));
    }
    out
}

/// Σ x + u = 1 (shares of demand), then x ≤ M·y and x ≥ L·y for each binary.
fn demand_and_links(lp: &mut Lp, vars: &OfferVars, unmet_var: Option<usize>) {
    let mut demand_terms: Vec<(usize, f64)> =
        vars.offer_var.iter().flatten().map(|&v| (v, 1.0)).collect();
    if let Some(u) = unmet_var {
        demand_terms.push((u, 1.0));
    }
    lp.add_row(RowTag::Demand, demand_terms, Sense::Eq, 1.0);
    for &(v, y, low, high) in &vars.links {
        lp.add_row(RowTag::Link, vec![(v, 1.0), (y, -high)], Sense::Le, 0.0);
        lp.add_row(RowTag::Link, vec![(v, 1.0), (y, -low)], Sense::Ge, 0.0);
    }
}

/// One row per policy instance with terms (a soft row always: its violation variable
/// is a term); returns the instances with no variable whose bound cannot hold, and the
/// soft rows' violation variables. `scale`: the block's demand and price unit.
fn policy_rows(
    cx: &mut RowContext,
    lp: &mut Lp,
    instances: &[RowInstance],
    soft: &[bool],
    scale: (f64, f64),
) -> (Vec<usize>, Vec<Elastic>) {
    let mut empty_violations = Vec::new();
    let mut elastic = Vec::new();
    for (k, inst) in instances.iter().enumerate() {
        let terms = row_terms(cx, lp, k, inst);
        let sense = inst.lp_sense();
        let rhs = inst.kind.rhs(inst);
        if soft[k] {
            // A soft supplier cap is a row, not the offer's bound (`bounds`).
            let mut terms = terms.unwrap_or_else(|| cx.covered(inst, |_| 1.0));
            let (d, cost_scale) = scale;
            let e = elastic::add_violation(lp, cx.model, k, inst, d, cost_scale, &mut terms);
            elastic.push(e);
            lp.add_row(RowTag::Policy(k), terms, sense, rhs);
            continue;
        }
        let Some(terms) = terms else {
            continue;
        };
        if terms.is_empty() {
            let holds = match sense {
                Sense::Ge => 0.0 >= rhs,
                _ => 0.0 <= rhs,
            };
            if !holds {
                empty_violations.push(k);
            }
            continue;
        }
        lp.add_row(RowTag::Policy(k), terms, sense, rhs);
    }
    (empty_violations, elastic)
}
