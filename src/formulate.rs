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
//! cap is Σ w_c t_c ≤ b, and t_c ≥ s_c² is stated by tangent cuts (see [`Block::add_cuts`]).

use crate::error::Result;
use crate::lp::{Lp, Sense};
use crate::model::{Model, PolicyKind};
use crate::rows::{expand, RowInstance};

/// Used offers supply at least this fraction of demand (SPEC §2).
pub const MIN_USED_SHARE: f64 = 1e-6;

/// Tangent points of the first outer approximation of t ≥ s² (shares).
const INITIAL_TANGENTS: [f64; 8] = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0];

/// Where an LP row came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowTag {
    /// Σ x + u = D.
    Demand,
    /// A policy row instance (index into [`Block::instances`]).
    Policy(usize),
    /// x_i ≤ U_i y_i or x_i ≥ L_i y_i for an offer with a binary.
    Link,
    /// A definition: s_c = Σ x over country c, or country-used z_c ≤ Σ y.
    Definition,
    /// A tangent cut t_c ≥ 2a s_c − a².
    Cut,
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

/// Country share and epigraph variables of a block with HHI caps.
#[derive(Debug, Clone, PartialEq)]
pub struct Concentration {
    /// (country, s_c variable, t_c variable) for each country offering the mineral.
    pub countries: Vec<(usize, usize, usize)>,
    /// (instance, weight per entry of `countries`) for each HHI cap.
    pub caps: Vec<(usize, Vec<f64>)>,
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
}

impl Block {
    /// Converts a scaled row dual (d objective / d share bound) to currency per unit of
    /// the user's bound.
    pub fn unscale_dual(&self, dual: f64) -> f64 {
        dual * self.demand * self.cost_scale
    }

    /// For each HHI cap: (instance, Σ w_c s_c² at `x`).
    pub fn cap_values(&self, x: &[f64]) -> Vec<(usize, f64)> {
        let Some(c) = &self.concentration else {
            return Vec::new();
        };
        c.caps
            .iter()
            .map(|(k, w)| {
                let v = c
                    .countries
                    .iter()
                    .zip(w)
                    .map(|(&(_, s, _), w)| w * x[s] * x[s])
                    .sum();
                (*k, v)
            })
            .collect()
    }

    /// Adds a tangent cut t_c ≥ 2a s_c − a² at a = s_c for every country whose
    /// epigraph variable is below s_c² by more than `tol`; returns how many were added.
    pub fn add_cuts(&mut self, x: &[f64], tol: f64) -> usize {
        let Some(c) = &self.concentration else {
            return 0;
        };
        let mut added = 0;
        for &(_, s, t) in &c.countries {
            let a = x[s];
            if a * a - x[t] > tol {
                self.lp
                    .add_row(vec![(t, 1.0), (s, -2.0 * a)], Sense::Ge, -a * a);
                self.tags.push(RowTag::Cut);
                added += 1;
            }
        }
        added
    }
}

/// Builds the block of mineral `m`.
pub fn formulate(model: &Model, m: usize) -> Result<Block> {
    let mineral = &model.minerals[m];
    let offers = model.offers_of(m);
    let d = mineral.demand;
    let instances = expand(model, m);
    let n = offers.len();

    // Exclusions remove variables; supplier shares tighten bounds.
    let mut excluded = vec![false; n];
    let capacity: Vec<f64> = offers
        .iter()
        .map(|o| o.capacity.map_or(f64::INFINITY, |c| c / d))
        .collect();
    let mut upper = capacity.clone();
    let mut owner: Vec<Option<usize>> = vec![None; n];
    for (k, inst) in instances.iter().enumerate() {
        match inst.kind {
            PolicyKind::ExcludeCountry | PolicyKind::ExcludeSupplier => {
                for &j in &inst.members {
                    excluded[j] = true;
                }
            }
            PolicyKind::MaxSupplierShare => {
                for &j in &inst.members {
                    if inst.bound <= upper[j] {
                        upper[j] = inst.bound;
                        owner[j] = Some(k);
                    }
                }
            }
            _ => {}
        }
    }
    // The tightest big-M of each offer: capacity, supplier cap, demand, and any
    // single-offer-covering max share row (country and group caps).
    let mut big_m: Vec<f64> = upper.iter().map(|u| u.min(1.0)).collect();
    for inst in &instances {
        if matches!(
            inst.kind,
            PolicyKind::MaxCountryShare | PolicyKind::MaxGroupShare
        ) {
            for &j in &inst.members {
                big_m[j] = big_m[j].min(inst.bound);
            }
        }
    }

    let counts = instances.iter().any(|i| i.kind.is_count());
    let needs_binary: Vec<bool> = offers
        .iter()
        .map(|o| counts || o.min_order > 0.0 || o.fixed_cost > 0.0)
        .collect();

    let cost_scale = price_unit(
        offers
            .iter()
            .zip(&excluded)
            .filter(|(_, &e)| !e)
            .map(|(o, _)| o.landed_cost)
            .chain(mineral.unmet_penalty),
    );
    let fixed_scale = d * cost_scale;
    let mut lp = Lp::default();
    let mut tags = Vec::new();
    let mut offer_var = Vec::with_capacity(n);
    let mut used_var = vec![None; n];
    let mut folded = Vec::new();
    let mut links = Vec::new();
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
        if needs_binary[j] {
            let y = lp.add_binary(o.fixed_cost / fixed_scale);
            let low = (o.min_order / d).max(MIN_USED_SHARE);
            if low > big_m[j] {
                // Cannot be used at its minimum within its caps.
                lp.vars[y].upper = 0.0;
                lp.vars[v].upper = 0.0;
            }
            links.push((v, y, low, big_m[j]));
            used_var[j] = Some(y);
        }
        offer_var.push(Some(v));
    }
    let unmet_var = mineral
        .unmet_penalty
        .map(|p| lp.add_var(0.0, 1.0, p / cost_scale));

    let mut demand_terms: Vec<(usize, f64)> =
        offer_var.iter().flatten().map(|&v| (v, 1.0)).collect();
    if let Some(u) = unmet_var {
        demand_terms.push((u, 1.0));
    }
    lp.add_row(demand_terms, Sense::Eq, 1.0);
    tags.push(RowTag::Demand);
    for (v, y, low, high) in links {
        lp.add_row(vec![(v, 1.0), (y, -high)], Sense::Le, 0.0);
        tags.push(RowTag::Link);
        lp.add_row(vec![(v, 1.0), (y, -low)], Sense::Ge, 0.0);
        tags.push(RowTag::Link);
    }

    // Countries offering the mineral (not excluded), in code order.
    let mut countries: Vec<usize> = (0..n)
        .filter(|&j| offer_var[j].is_some())
        .map(|j| offers[j].country)
        .collect();
    countries.sort_unstable();
    countries.dedup();

    let mut empty_violations = Vec::new();
    let mut concentration: Option<Concentration> = None;
    let mut country_used: Option<Vec<usize>> = None;
    for (k, inst) in instances.iter().enumerate() {
        let terms: Vec<(usize, f64)> = match inst.kind {
            PolicyKind::MaxCountryShare | PolicyKind::MaxGroupShare | PolicyKind::MinGroupShare => {
                covered(&offer_var, inst, |_| 1.0)
            }
            PolicyKind::MaxAvgRisk => covered(&offer_var, inst, |j| {
                model.countries[offers[j].country].risk
            }),
            PolicyKind::MinSuppliers | PolicyKind::MaxSuppliers => {
                used_var.iter().flatten().map(|&y| (y, 1.0)).collect()
            }
            PolicyKind::MinCountries => {
                let z = country_used.get_or_insert_with(|| {
                    countries
                        .iter()
                        .map(|&c| {
                            let z = lp.add_var(0.0, 1.0, 0.0);
                            let mut terms = vec![(z, 1.0)];
                            for j in 0..n {
                                if offers[j].country == c {
                                    if let Some(y) = used_var[j] {
                                        terms.push((y, -1.0));
                                    }
                                }
                            }
                            lp.add_row(terms, Sense::Le, 0.0);
                            tags.push(RowTag::Definition);
                            z
                        })
                        .collect()
                });
                z.iter().map(|&z| (z, 1.0)).collect()
            }
            PolicyKind::MaxHhi | PolicyKind::MaxRiskHhi => {
                let conc = concentration.get_or_insert_with(|| {
                    share_variables(&mut lp, &mut tags, offers, &offer_var, &countries)
                });
                let weights: Vec<f64> = conc
                    .countries
                    .iter()
                    .map(|&(c, _, _)| match inst.kind {
                        PolicyKind::MaxHhi => 1.0,
                        _ => model.countries[c].risk,
                    })
                    .collect();
                let terms = conc
                    .countries
                    .iter()
                    .zip(&weights)
                    .filter(|(_, &w)| w != 0.0)
                    .map(|(&(_, _, t), &w)| (t, w))
                    .collect();
                conc.caps.push((k, weights));
                terms
            }
            PolicyKind::MaxSupplierShare
            | PolicyKind::ExcludeCountry
            | PolicyKind::ExcludeSupplier => continue,
        };
        let sense = if inst.kind.is_lower_bound() {
            Sense::Ge
        } else {
            Sense::Le
        };
        if terms.is_empty() {
            let holds = match sense {
                Sense::Ge => 0.0 >= inst.bound,
                _ => 0.0 <= inst.bound,
            };
            if !holds {
                empty_violations.push(k);
            }
            continue;
        }
        lp.add_row(terms, sense, inst.bound);
        tags.push(RowTag::Policy(k));
    }

    let mut block = Block {
        mineral: m,
        lp,
        tags,
        demand: d,
        cost_scale,
        offer_var,
        used_var,
        unmet_var,
        instances,
        folded,
        empty_violations,
        concentration,
    };
    if let Some(c) = block.concentration.clone() {
        for &(_, s, t) in &c.countries {
            for a in INITIAL_TANGENTS {
                block
                    .lp
                    .add_row(vec![(t, 1.0), (s, -2.0 * a)], Sense::Ge, -a * a);
                block.tags.push(RowTag::Cut);
            }
        }
    }
    Ok(block)
}

/// (variable, coefficient) of the offers a row covers.
fn covered(
    offer_var: &[Option<usize>],
    inst: &RowInstance,
    coefficient: impl Fn(usize) -> f64,
) -> Vec<(usize, f64)> {
    inst.members
        .iter()
        .filter_map(|&j| {
            let v = offer_var[j]?;
            let a = coefficient(j);
            (a != 0.0).then_some((v, a))
        })
        .collect()
}

/// Adds s_c = Σ_{i∈c} x_i and t_c ≥ 0 for every country.
fn share_variables(
    lp: &mut Lp,
    tags: &mut Vec<RowTag>,
    offers: &[crate::model::Offer],
    offer_var: &[Option<usize>],
    countries: &[usize],
) -> Concentration {
    let mut out = Vec::with_capacity(countries.len());
    for &c in countries {
        let s = lp.add_var(0.0, 1.0, 0.0);
        let t = lp.add_var(0.0, 1.0, 0.0);
        let mut terms = vec![(s, -1.0)];
        for (j, o) in offers.iter().enumerate() {
            if o.country == c {
                if let Some(v) = offer_var[j] {
                    terms.push((v, 1.0));
                }
            }
        }
        lp.add_row(terms, Sense::Eq, 0.0);
        tags.push(RowTag::Definition);
        out.push((c, s, t));
    }
    Concentration {
        countries: out,
        caps: Vec::new(),
    }
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
