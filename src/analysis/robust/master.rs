//! The part of the robust LP both methods share: the policy blocks of every mineral in
//! one program, per-class prefix sums of the plan, and the Rockafellar–Uryasev objective
//! Σ_s p_s L_s + W (η + Σ_s p_s z_s / (1 − α)) with z_s ≥ L_s − η.
//!
//! Units. Each [`Block`] is scaled on its own (quantities by D_m, costs by its
//! `cost_scale`); CVaR adds costs across minerals, so every cost term is restated in one
//! common unit U (the geometric mean of the blocks' D_m · cost_scale_m): a block cost c'
//! is worth c' · D_m · cost_scale_m / U. The blocks' own objectives are dropped — in the
//! robust problem every cost comes through the scenario losses L_s.
//!
//! In scenario s, L_s = Σ_m [Σ_c δ_cs · Σ_{i∈c} l_i x_i + fixed costs + p_m u_m + θ_sm]:
//! u_m the block's unmet variable (D_m − Σ x, the planned shortfall, unmet at the penalty
//! p_m in every scenario, the baseline included) and θ_sm the cost of buying or leaving
//! unmet the deliveries the scenario takes away: bounded by cuts (decomposition) or
//! defined by an explicit recourse block (extensive form).

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::stress::delivery_factor;
use crate::engine::lp::{Lp, Sense};
use crate::formulate::{Block, RowTag};

use super::Problem;

/// Prefix-sum variables of one class at one prefix length k (the first k offers of the
/// class by landed cost): R = Σ x', V = Σ (l / cost_scale) x'.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrefixVars {
    /// Σ x' over the prefix.
    pub quantity: usize,
    /// Σ l x' / cost_scale over the prefix.
    pub cost: usize,
}

/// The shared program with the maps into it.
#[derive(Debug, Clone)]
pub struct Skeleton {
    /// The program so far.
    pub lp: Lp,
    /// Rows that are tangent cuts of HHI epigraphs (left out when stated as cones).
    pub is_cut: Vec<bool>,
    /// (s_c, t_c) epigraph pairs of every block's HHI machinery.
    pub epigraphs: Vec<(usize, usize)>,
    /// First variable of each block.
    pub offsets: Vec<usize>,
    /// θ[s][m]: recourse cost of mineral m in scenario s, unit U.
    pub theta: Vec<Vec<usize>>,
    /// (class, k) → prefix variables.
    pub prefix: BTreeMap<(usize, usize), PrefixVars>,
    /// Per mineral, its stock built b' (a share of demand), when it has stock (see
    /// [`super::stock`]).
    pub stock: Vec<Option<usize>>,
    /// A variable fixed at 1 carrying the holding cost of the stock on hand, if any.
    pub one: Option<usize>,
    /// The bundles' and lot discounts' costs at full delivery (see [`super::coupling`]).
    pub charges: Vec<super::coupling::Charge>,
}

impl Skeleton {
    /// Adds a row (not a tangent cut).
    pub fn row(&mut self, terms: Vec<(usize, f64)>, sense: Sense, rhs: f64) {
        self.lp.add_row(RowTag::Other, merge(terms), sense, rhs);
        self.is_cut.push(false);
    }

    /// The variable of offer `i` (model index), when not excluded.
    pub fn offer_var(&self, p: &Problem, i: usize) -> Option<usize> {
        let o = &p.model.offers[i];
        let m = o.mineral;
        let local = i - p.model.minerals[m].offers.start;
        p.blocks[m].offer_var[local].map(|v| v + self.offsets[m])
    }

    /// The plan at a solution `x` of the program: quantities per offer, real units, with
    /// values below the dust threshold set to zero and bound overshoot clipped.
    pub fn plan(&self, p: &Problem, x: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; p.model.offers.len()];
        for (m, block) in p.blocks.iter().enumerate() {
            let start = p.model.minerals[m].offers.start;
            for (j, v) in block.offer_var.iter().enumerate() {
                if let Some(v) = v {
                    let upper = block.lp.vars[*v].upper;
                    let share = x[self.offsets[m] + v].min(upper);
                    out[start + j] = if share < crate::tolerance::DUST_SHARE {
                        0.0
                    } else {
                        share * block.demand
                    };
                }
            }
        }
        out
    }
}

/// Sums duplicate variables of a row (the LP wants each at most once).
fn merge(terms: Vec<(usize, f64)>) -> Vec<(usize, f64)> {
    let mut map: BTreeMap<usize, f64> = BTreeMap::new();
    for (v, a) in terms {
        *map.entry(v).or_default() += a;
    }
    map.into_iter().filter(|&(_, a)| a != 0.0).collect()
}

/// Appends every block to `lp` with its objective dropped; returns the offsets.
fn add_blocks(sk: &mut Skeleton, blocks: &[Block]) {
    for block in blocks {
        let off = sk.lp.vars.len();
        sk.offsets.push(off);
        for v in &block.lp.vars {
            let j = sk.lp.add_var(v.lower, v.upper, 0.0);
            sk.lp.vars[j].integer = v.integer;
        }
        for row in &block.lp.rows {
            let terms = row.terms.iter().map(|&(j, a)| (j + off, a)).collect();
            sk.lp.add_row(row.tag, terms, row.sense, row.rhs);
            sk.is_cut.push(row.tag == RowTag::Cut);
        }
        if let Some(c) = &block.concentration {
            sk.epigraphs
                .extend(c.countries.iter().map(|&(_, s, t)| (s + off, t + off)));
        }
    }
}

/// Prefix variables for every chain (class, or all offers of a mineral: see
/// [`super::recourse::Classes::chain`]) at every length in `refs` and at its full length,
/// chained: V_k = V_{k'} + Σ_{k' < j ≤ k} (l_j / cost_scale) x'_j, and the same for R.
fn add_prefixes(sk: &mut Skeleton, p: &Problem, refs: &BTreeSet<(usize, usize)>) {
    for id in 0..p.classes.chains() {
        let n = p.classes.chain(id).0.len();
        if n == 0 {
            continue;
        }
        let mut lengths: BTreeSet<usize> =
            refs.range((id, 1)..=(id, n)).map(|&(_, len)| len).collect();
        lengths.insert(n);
        for len in lengths {
            sk.ensure_prefix(p, id, len);
        }
    }
}

impl Skeleton {
    /// The prefix variables of chain `id` at length `len` (positive), added with their
    /// defining rows when missing: V_len = V_k + Σ_{k < j ≤ len} (l_j / cost_scale) x'_j
    /// with k the longest shorter prefix present (none: from the chain's start). A prefix
    /// longer than one already present is defined alongside it, not in its place, so the
    /// rows already in the program stay as they are (a warm master only appends).
    pub fn ensure_prefix(&mut self, p: &Problem, id: usize, len: usize) -> PrefixVars {
        if let Some(&v) = self.prefix.get(&(id, len)) {
            return v;
        }
        let (offers, mineral) = p.classes.chain(id);
        let cs = p.blocks[mineral].cost_scale;
        let prev = self
            .prefix
            .range((id, 0)..(id, len))
            .next_back()
            .map(|(&(_, k), &v)| (k, v));
        let vars = PrefixVars {
            quantity: self.lp.add_var(0.0, f64::INFINITY, 0.0),
            cost: self.lp.add_var(0.0, f64::INFINITY, 0.0),
        };
        let mut q = vec![(vars.quantity, 1.0)];
        let mut c = vec![(vars.cost, 1.0)];
        let from = match prev {
            Some((k, pv)) => {
                q.push((pv.quantity, -1.0));
                c.push((pv.cost, -1.0));
                k
            }
            None => 0,
        };
        for &i in &offers[from..len] {
            // Offers in classes are never excluded, so they have a variable.
            if let Some(v) = self.offer_var(p, i) {
                q.push((v, -1.0));
                c.push((v, -p.model.offers[i].landed_cost / cs));
            }
        }
        self.row(q, Sense::Eq, 0.0);
        self.row(c, Sense::Eq, 0.0);
        self.prefix.insert((id, len), vars);
        vars
    }
}

/// The skeleton with prefix variables at `refs`: blocks, prefixes, θ, and (with W > 0)
/// η and z_s with their rows; the objective is complete.
pub fn skeleton(p: &Problem, refs: &BTreeSet<(usize, usize)>) -> Skeleton {
    let mut sk = Skeleton {
        lp: Lp::default(),
        is_cut: Vec::new(),
        epigraphs: Vec::new(),
        offsets: Vec::new(),
        theta: Vec::new(),
        prefix: BTreeMap::new(),
        stock: Vec::new(),
        one: None,
        charges: Vec::new(),
    };
    add_blocks(&mut sk, &p.blocks);
    super::soft::price_violations(&mut sk, p);
    add_prefixes(&mut sk, p, refs);
    super::stock::add_columns(&mut sk, p);
    if !p.model.coupling.is_empty() {
        sk.charges = super::coupling::add(&mut sk, p);
    }
    let n_minerals = p.model.minerals.len();
    for s in &p.scenarios {
        let row = (0..n_minerals)
            .map(|_| sk.lp.add_var(0.0, f64::INFINITY, s.probability))
            .collect();
        sk.theta.push(row);
    }
    // Σ_s p_s (contract_s + fixed), by class and by binary.
    let mut expected: BTreeMap<usize, f64> = BTreeMap::new();
    for (s, sc) in p.scenarios.iter().enumerate() {
        for (v, a) in contract_terms(&sk, p, s) {
            *expected.entry(v).or_default() += sc.probability * a;
        }
    }
    for (v, a) in expected {
        sk.lp.vars[v].cost += a;
    }
    let w = p.weight;
    if w > 0.0 {
        let eta = sk.lp.add_var(0.0, f64::INFINITY, w);
        for s in 0..p.scenarios.len() {
            let prob = p.scenarios[s].probability;
            let z = sk
                .lp
                .add_var(0.0, f64::INFINITY, w * prob / (1.0 - p.alpha));
            let mut terms = vec![(z, 1.0), (eta, 1.0)];
            terms.extend(sk.theta[s].iter().map(|&t| (t, -1.0)));
            terms.extend(contract_terms(&sk, p, s).into_iter().map(|(v, a)| (v, -a)));
            sk.row(terms, Sense::Ge, 0.0);
        }
    }
    sk
}

/// The contract and fixed cost of scenario s (with the bundles' and lot discounts'
/// charges, [`super::coupling::terms`]), the planned shortfall's penalty and the stock's
/// holding cost, as (variable, coefficient) in unit U: per mineral its whole chain of
/// l·x, less (1 − δ_cs) times each shocked class's, plus p · D · u' (u' the unmet
/// share), plus h (S0 + D b') ([`super::stock::holding_terms`]).
fn contract_terms(sk: &Skeleton, p: &Problem, s: usize) -> Vec<(usize, f64)> {
    let mut terms = Vec::new();
    for (m, block) in p.blocks.iter().enumerate() {
        let scale = block.demand * block.cost_scale / p.unit;
        let all = p.classes.classes.len() + m;
        let n = p.classes.sorted[m].len();
        if n > 0 {
            terms.push((sk.prefix[&(all, n)].cost, scale));
        }
        for &k in &p.shocked[s][m] {
            let a = delivery_factor(p.factors[s][k].0);
            let full = sk.prefix[&(k, p.classes.classes[k].offers.len())];
            terms.push((full.cost, -(1.0 - a) * scale));
        }
        let penalty = p.model.minerals[m].unmet_penalty;
        if let (Some(u), Some(penalty)) = (block.unmet_var, penalty) {
            terms.push((u + sk.offsets[m], penalty * block.demand / p.unit));
        }
        let offers = p.model.offers_of(m);
        for (j, y) in block.used_var.iter().enumerate() {
            if let Some(y) = y {
                if offers[j].fixed_cost > 0.0 {
                    terms.push((y + sk.offsets[m], offers[j].fixed_cost / p.unit));
                }
            }
        }
    }
    terms.extend(super::tiers::tier_terms(sk, p, s));
    terms.extend(super::coupling::terms(sk, p, s));
    terms.extend(super::stock::holding_terms(sk, p));
    terms
}
