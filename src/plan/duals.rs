//! Shadow prices for blocks whose solver gives no duals: integer blocks (any solver) and
//! continuous blocks solved by microlp.
//!
//! The block is formulated again with every binary fixed at its value in the optimal
//! plan (an offer is used exactly when it supplies something) and the binaries
//! substituted out; what remains is a linear program (with exact cones for HHI caps),
//! solved by Clarabel for its duals, which `solve`'s own shadow-price step then turns
//! into prices. For a continuous block that LP is the block itself, so its prices are
//! the ones `solve` gives with Clarabel. For an integer block they are those of the
//! **fixed-binary LP**: the derivative of the cost with respect to a bound while the
//! choice of offers stays as planned. Count rows (`min_suppliers`, `max_suppliers`,
//! `min_countries`) have no derivative there and stay empty.

use crate::engine::conic::solve_with_epigraphs;
use crate::engine::lp::{Lp, Sense};
use crate::engine::{route, solve_lp, BackendOptions, LpStatus};
use crate::formulate::{formulate, Block, Concentration, RowTag};
use crate::model::Model;
use crate::solve::shadow::shadow_prices;
use crate::solve::{MineralSolution, Status};
use crate::tolerance::FEASIBILITY;

/// The shadow price of each of `ms`'s rows (in the order of `ms.rows`), computed from the
/// fixed-binary LP, when some row that has a bound lacks one; `None` when nothing is
/// missing, the mineral has no proven-optimal plan, or the LP cannot be solved.
pub fn missing_shadow_prices(model: &Model, ms: &MineralSolution) -> Option<Vec<Option<f64>>> {
    let missing = ms
        .rows
        .iter()
        .any(|r| r.shadow_price.is_none() && !r.instance.kind.is_exclusion());
    if !missing || ms.status != Status::Optimal {
        return None;
    }
    let block = formulate(model, ms.mineral).ok()?;
    if block.instances.len() != ms.rows.len() {
        return None;
    }
    let (fixed, var) = fix_binaries(&block, &ms.quantities)?;
    let duals = solve_for_duals(&fixed)?;
    // The plan in the fixed block's variables (the folded caps' test needs offers).
    let mut x = vec![0.0; fixed.lp.vars.len()];
    for (j, v) in block.offer_var.iter().enumerate() {
        if let Some(k) = v.and_then(|v| var[v]) {
            x[k] = ms.quantities.get(j).copied().unwrap_or(0.0) / block.demand;
        }
    }
    let values: Vec<f64> = ms.rows.iter().map(|r| r.value).collect();
    let mut shadow = shadow_prices(&fixed, &x, &duals, &values);
    for (s, inst) in shadow.iter_mut().zip(&block.instances) {
        if inst.kind.is_count() {
            *s = None;
        }
    }
    // A target that buys nothing is on the "or nothing" side: its bound does not bind.
    for &(k, _) in &block.indicators {
        if unused(&block.instances[k], &ms.quantities) {
            shadow[k] = Some(0.0);
        }
    }
    Some(shadow)
}

/// The block with each binary fixed (used = the offer supplies something) and
/// substituted out, offers left unused removed too; also the map from the block's
/// variables to the fixed block's. Link rows x ≤ M·y of used offers are dropped: M is
/// implied by the offer's bound and the caps, and a duplicate of a binding row would
/// split its dual.
fn fix_binaries(block: &Block, quantities: &[f64]) -> Option<(Block, Vec<Option<usize>>)> {
    let n = block.lp.vars.len();
    let mut value: Vec<Option<f64>> = vec![None; n];
    for (j, y) in block.used_var.iter().enumerate() {
        let Some(y) = *y else { continue };
        let used = quantities.get(j).copied().unwrap_or(0.0) > 0.0;
        value[y] = Some(if used { 1.0 } else { 0.0 });
        if let (false, Some(v)) = (used, block.offer_var[j]) {
            value[v] = Some(0.0);
        }
    }
    for t in &block.tiers {
        let q = quantities.get(t.offer).copied().unwrap_or(0.0);
        for (z, on) in t.binary_values(q) {
            value[z] = Some(on);
        }
    }
    for &(k, v) in &block.indicators {
        let on = unused(&block.instances[k], quantities);
        value[v] = Some(if on { 1.0 } else { 0.0 });
    }
    let mut lp = Lp::default();
    let mut var = vec![None; n];
    for (j, v) in block.lp.vars.iter().enumerate() {
        if value[j].is_none() {
            var[j] = Some(lp.add_var(v.lower, v.upper, v.cost));
        }
    }
    for row in &block.lp.rows {
        let redundant_link = row.tag == RowTag::Link
            && row.sense == Sense::Le
            && row.terms.iter().all(|&(j, _)| value[j] != Some(0.0));
        if redundant_link {
            continue;
        }
        let mut rhs = row.rhs;
        let mut terms = Vec::with_capacity(row.terms.len());
        for &(j, a) in &row.terms {
            match (var[j], value[j]) {
                (Some(k), _) => terms.push((k, a)),
                (None, Some(x)) => rhs -= a * x,
                (None, None) => return None,
            }
        }
        if terms.is_empty() {
            let holds = match row.sense {
                Sense::Le => rhs >= -FEASIBILITY,
                Sense::Ge => rhs <= FEASIBILITY,
                Sense::Eq => rhs.abs() <= FEASIBILITY,
            };
            if !holds {
                return None;
            }
            continue;
        }
        lp.add_row(row.tag, terms, row.sense, rhs);
    }
    let mut fixed = block.clone();
    fixed.lp = lp;
    fixed.offer_var = block
        .offer_var
        .iter()
        .map(|v| v.and_then(|v| var[v]))
        .collect();
    fixed.used_var = vec![None; block.used_var.len()];
    fixed.indicators = Vec::new();
    fixed.value_rows = block
        .value_rows
        .iter()
        .map(|(k, w)| {
            (
                *k,
                w.iter().filter_map(|&(v, a)| Some((var[v]?, a))).collect(),
            )
        })
        .collect();
    fixed.tiers = block
        .tiers
        .iter()
        .map(|t| {
            let mut t = t.clone();
            t.segments = t.segments.iter().filter_map(|&g| var[g]).collect();
            t.binaries.clear();
            t
        })
        .collect();
    fixed.folded = block
        .folded
        .iter()
        .filter_map(|f| {
            let mut f = *f;
            f.var = var[f.var]?;
            Some(f)
        })
        .collect();
    fixed.concentration = match &block.concentration {
        Some(c) => Some(Concentration {
            countries: c
                .countries
                .iter()
                .map(|&(c, s, t)| Some((c, var[s]?, var[t]?)))
                .collect::<Option<_>>()?,
            stages: c.stages.clone(),
            caps: c.caps.clone(),
        }),
        None => None,
    };
    Some((fixed, var))
}

/// True when the members of `inst` buy nothing.
fn unused(inst: &crate::policy::rows::RowInstance, quantities: &[f64]) -> bool {
    inst.members
        .iter()
        .all(|&j| quantities.get(j).copied().unwrap_or(0.0) == 0.0)
}

/// Clarabel's row duals of the fixed block (HHI caps as exact cones), or `None`.
fn solve_for_duals(fixed: &Block) -> Option<Vec<f64>> {
    let result = match &fixed.concentration {
        Some(c) => {
            let pairs: Vec<(usize, usize)> = c.countries.iter().map(|&(_, s, t)| (s, t)).collect();
            let rows = &fixed.lp.rows;
            solve_with_epigraphs(&fixed.lp, &pairs, |r| rows[r].tag == RowTag::Cut, None)
        }
        None => solve_lp(
            route::with_cones(),
            &fixed.lp,
            &BackendOptions {
                time_limit_secs: None,
                mip_gap: 0.0,
                duals: true,
            },
        ),
    };
    if result.status != LpStatus::Optimal {
        return None;
    }
    result.duals
}
