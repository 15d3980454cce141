//! Diagnosis of an infeasible block: the relaxation of least total size that makes it
//! feasible (SPEC §3 `explain`), as an elastic program.
//!
//! Each policy row of constraints.csv may move its bound — one non-negative slack per row
//! and mineral, shared by the instances a `*` target expands into (the planner moves one
//! bound) — and each hard demand may fall short (a slack in [0, 1], a fraction of D);
//! capacities and exclusions stay. Count rows move by whole units (integer slacks, so the
//! program is a MILP), and HHI caps hold exactly: tangent cuts are iterated on the elastic
//! program until the plan's HHI is within [`CUT_TOLERANCE`] of the relaxed cap. Because
//! blocks are scaled by demand, the objective Σ slacks is exactly SPEC's total size
//! Σ |bound change| + Σ shortfall / D.
//!
//! The block's own bounds that policy rows imply are undone first, so the relaxed rows
//! really are relaxed: supplier caps folded into variable bounds become rows again, and
//! the big-M of each binary link is the offer's capacity (or demand), not a cap.
//!
//! When `solve` aggregates the block by country (`solve::aggregate::aggregates`), so
//! does the elastic program: the offers cost nothing there, so each country's offers
//! are one variable bounded by their capacities' sum (`aggregate::merge_offers`), except
//! offers under a supplier cap that their capacities do not already imply, which keep
//! their own variables and cap rows. The program then has about as many variables as
//! countries, whatever the number of offers, and the same optimum.

use std::collections::BTreeMap;

use crate::engine::cuts::{CutEnd, CutLoop};
use crate::engine::lp::{lift, Lp, Sense};
use crate::engine::{solve_exact, LpResult, LpStatus};
use crate::formulate::{Block, RowTag, MIN_USED_SHARE};
use crate::model::Model;
use crate::policy::Entry;
use crate::solve::aggregate::merge_offers;
use crate::solve::value_relaxation::{tightest_bound, ValueRow, MAX_ROUNDS};
use crate::tolerance::{CUT_DEPTH, CUT_TOLERANCE, DIAGNOSE_MAX_CUT_ROUNDS, RELAXATION_EPS};

/// One row that must move for the block to become feasible.
#[derive(Debug, Clone, PartialEq)]
pub struct Relaxation {
    /// The relaxed row: the first instance (index into the block's instances) of the
    /// policy row that moves — all its instances move together — or `None` for the
    /// demand.
    pub instance: Option<usize>,
    /// The bound as given (a share, index or count; D for the demand).
    pub bound: f64,
    /// The bound that makes the block feasible.
    pub relaxed_bound: f64,
}

impl Relaxation {
    /// This change's part of the total size: |bound change|, or shortfall / D for the
    /// demand.
    pub fn size(&self) -> f64 {
        let change = (self.relaxed_bound - self.bound).abs();
        match self.instance {
            None => change / self.bound,
            Some(_) => change,
        }
    }
}

/// The elastic program of a block: the block's rows and bounds with slacks added.
struct Elastic {
    lp: Lp,
    /// Slack variable of each policy row (by index into `Model::policy`), with its
    /// direction (+1 raises the bound) and first instance.
    rows: BTreeMap<usize, (usize, f64, usize)>,
    /// The demand's shortfall variable, for a hard demand.
    shortfall: Option<usize>,
    /// Per variable, whether merging left it out of the program (fixed at 0), when the
    /// offers are merged by country.
    left_out: Option<Vec<bool>>,
}

impl Elastic {
    /// Solves the program as it stands (only the variables merging kept, when merged);
    /// the point in all its variables.
    fn solve(&self, time_limit_secs: Option<f64>) -> LpResult {
        let Some(left_out) = &self.left_out else {
            return solve_exact(&self.lp, time_limit_secs);
        };
        let (sub, slots) = self.lp.with_fixed(|j| left_out[j].then_some(0.0));
        let mut r = solve_exact(&sub, time_limit_secs);
        if !r.x.is_empty() {
            r.x = lift(&slots, &r.x);
        }
        r
    }
}

/// Finds the least relaxation of `block` (a block of `model`); with `aggregate`, over
/// the offers merged by country where the block has that structure (the same optimum).
/// Returns `None` when the diagnosis itself fails (a time limit, a solver failure); an
/// empty list means the block is feasible as it stands.
pub fn least_relaxation(
    model: &Model,
    block: &Block,
    aggregate: bool,
    time_limit_secs: Option<f64>,
) -> Option<Vec<Relaxation>> {
    let mut e = elastic(model, block, aggregate);
    // HHI caps: iterate tangent cuts on the elastic problem too (the engine's cut loop),
    // so the relaxation found holds for the true quadratic cap, not only for its outer
    // approximation. The point of the last round is used however the loop ended.
    let cut_loop = CutLoop {
        accept: LpStatus::is_optimal,
        ..CutLoop::new(DIAGNOSE_MAX_CUT_ROUNDS)
    };
    let run = cut_loop.run(
        &mut e,
        |e, _| e.solve(time_limit_secs),
        |e, x| {
            !hhi_values(block, x)
                .iter()
                .any(|&(k, v)| v > relaxed(block, e, x, k) + CUT_TOLERANCE)
        },
        |e, x| match &block.concentration {
            Some(c) => c.add_cuts(&mut e.lp, x, CUT_DEPTH),
            None => 0,
        },
    );
    if run.end == CutEnd::NoPoint {
        return None;
    }
    let x = run.result.x;
    let mut out = Vec::new();
    let hhi = hhi_values(block, &x);
    for (&_policy, &(s, dir, first)) in &e.rows {
        if x[s] <= RELAXATION_EPS {
            continue;
        }
        let inst = &block.instances[first];
        let mut relaxed_bound = match value_bound(block, &e, first, &x, time_limit_secs) {
            Some(b) => b,
            None => inst.bound + dir * x[s],
        };
        if inst.kind.is_count() {
            relaxed_bound = relaxed_bound.round();
        }
        // An HHI cap is reported at no less than the value the plan reaches, so the
        // relaxed model holds exactly, not only to the cut tolerance.
        for &(k, v) in &hhi {
            if block.instances[k].policy == inst.policy {
                relaxed_bound = relaxed_bound.max(v);
            }
        }
        out.push(Relaxation {
            instance: Some(first),
            bound: inst.bound,
            relaxed_bound: significant(relaxed_bound),
        });
    }
    if let Some(s) = e.shortfall {
        if x[s] > RELAXATION_EPS {
            out.push(Relaxation {
                instance: None,
                bound: block.demand,
                relaxed_bound: significant(block.demand * (1.0 - x[s])),
            });
        }
    }
    Some(out)
}

/// The relaxed bound of instance `k` when it is a value-share row, in the share's units
/// (see `value_relaxation`): the best value share with the other rows' slacks and the
/// shortfall held at `x`; with HHI caps (whose cuts only approximate them), the value
/// share of `x` itself. `None` for other rows.
fn value_bound(
    block: &Block,
    e: &Elastic,
    k: usize,
    x: &[f64],
    time_limit_secs: Option<f64>,
) -> Option<f64> {
    let (_, weights) = block.value_rows.iter().find(|(i, _)| *i == k)?;
    let inst = &block.instances[k];
    let row = block
        .lp
        .rows
        .iter()
        .position(|r| r.tag == RowTag::Policy(k))?;
    let row = ValueRow {
        row,
        weights,
        bound: inst.bound,
        at_least: inst.kind.is_lower_bound(),
    };
    let own = e.rows.get(&inst.policy).map(|&(s, _, _)| s);
    let mut held: Vec<(usize, f64)> = e
        .rows
        .values()
        .map(|&(s, _, _)| (s, if Some(s) == own { 0.0 } else { x[s] }))
        .collect();
    held.extend(e.shortfall.map(|s| (s, x[s])));
    // HHI caps: the cuts only approximate them, so the plan stays the elastic one.
    let rounds = if block.concentration.is_some() {
        0
    } else {
        MAX_ROUNDS
    };
    tightest_bound(&e.lp, &row, &held, x, rounds, |lp| {
        Elastic {
            lp: lp.clone(),
            rows: BTreeMap::new(),
            shortfall: None,
            left_out: e.left_out.clone(),
        }
        .solve(time_limit_secs)
    })
}

/// `v` to 12 significant digits: the elastic program is solved to about 1e-9, so what
/// lies beyond is float noise (a demand of 89.99999999999999 reads 90).
fn significant(v: f64) -> f64 {
    format!("{v:.11e}").parse().unwrap_or(v)
}

/// For each HHI cap of `block`: (instance, Σ w_c s_c² at `x`).
fn hhi_values(block: &Block, x: &[f64]) -> Vec<(usize, f64)> {
    block.cap_values(x)
}

/// The relaxed bound of instance `k` at `x`.
fn relaxed(block: &Block, e: &Elastic, x: &[f64], k: usize) -> f64 {
    let inst = &block.instances[k];
    inst.bound
        + e.rows
            .get(&inst.policy)
            .map_or(0.0, |&(s, dir, _)| dir * x[s])
}

/// Builds the elastic program of `block`: zero costs, a slack per policy row and for a
/// hard demand, supplier caps as rows, big-Ms from capacity; with `aggregate`, the
/// offers merged by country where the block allows it (see the module's notes).
fn elastic(model: &Model, block: &Block, aggregate: bool) -> Elastic {
    let mut lp = Lp {
        vars: block.lp.vars.clone(),
        rows: block.lp.rows.clone(),
    };
    for v in &mut lp.vars {
        v.cost = 0.0;
    }
    let mut e = Elastic {
        lp,
        rows: BTreeMap::new(),
        shortfall: None,
        left_out: None,
    };
    unfold_caps(model, block, &mut e.lp);
    for r in 0..block.lp.rows.len() {
        match block.lp.rows[r].tag {
            RowTag::Demand if block.unmet_var.is_none() => {
                let s = e.lp.add_var(0.0, 1.0, 1.0);
                e.lp.rows[r].terms.push((s, 1.0));
                e.shortfall = Some(s);
            }
            RowTag::Policy(k) => {
                let (s, dir) = slack_of(block, &mut e, k);
                e.lp.rows[r].terms.push((s, -dir));
            }
            _ => {}
        }
    }
    // Supplier caps, each a row on its offer (they were variable bounds; a soft one is
    // a row of the block already).
    let mut capped = vec![false; block.lp.vars.len()];
    for (k, inst) in block.instances.iter().enumerate() {
        if inst.kind.entry() != Entry::OfferBound || block.elastic_of(k).is_some() {
            continue;
        }
        let vars: Vec<usize> = inst
            .members
            .iter()
            .filter_map(|&j| block.offer_var[j])
            .collect();
        if vars.is_empty() {
            continue;
        }
        let (s, _) = slack_of(block, &mut e, k);
        let most: f64 = vars.iter().map(|&v| e.lp.vars[v].upper).sum();
        if aggregate && most <= inst.bound {
            // The offers' capacities hold the cap however far it moves.
            continue;
        }
        for &v in &vars {
            capped[v] = true;
        }
        let mut terms: Vec<(usize, f64)> = vars.into_iter().map(|v| (v, 1.0)).collect();
        terms.push((s, -1.0));
        e.lp.add_row(RowTag::Other, terms, Sense::Le, inst.bound);
    }
    // Rows with no variable can only move their own bound.
    for &k in &block.empty_violations {
        let inst = &block.instances[k];
        let (s, dir) = slack_of(block, &mut e, k);
        let sense = inst.lp_sense();
        e.lp.add_row(RowTag::Other, vec![(s, -dir)], sense, inst.bound);
    }
    if aggregate {
        e.left_out = merge_offers(model, block, &mut e.lp, |v| capped[v]);
    }
    e
}

/// The slack of instance `k`'s policy row, created on first use: (variable, direction).
fn slack_of(block: &Block, e: &mut Elastic, k: usize) -> (usize, f64) {
    let inst = &block.instances[k];
    let dir = if inst.kind.is_lower_bound() {
        -1.0
    } else {
        1.0
    };
    if let Some(&(s, dir, _)) = e.rows.get(&inst.policy) {
        return (s, dir);
    }
    let s = e.lp.add_var(0.0, f64::INFINITY, 1.0);
    // Counts move by whole units.
    e.lp.vars[s].integer = inst.kind.is_count();
    e.rows.insert(inst.policy, (s, dir, k));
    (s, dir)
}

/// Undoes the bounds policy rows put on offer variables: supplier caps folded into
/// upper bounds, and big-Ms (and offers made unusable) derived from share caps. Each
/// offer is then bounded by its capacity alone, and its binary link by
/// min(capacity, demand).
fn unfold_caps(model: &Model, block: &Block, lp: &mut Lp) {
    let d = block.demand;
    let offers = model.offers_of(block.mineral);
    let capacity = |j: usize| offers[j].capacity.map_or(f64::INFINITY, |c| c / d);
    let mut link_of = vec![None; lp.vars.len()];
    for (r, row) in block.lp.rows.iter().enumerate() {
        if row.tag == RowTag::Link && row.sense == Sense::Le {
            if let Some(&(v, _)) = block.lp.rows[r].terms.first() {
                link_of[v] = Some(r);
            }
        }
    }
    for (j, var) in block.offer_var.iter().enumerate() {
        let Some(v) = *var else { continue };
        lp.vars[v].upper = capacity(j);
        let (Some(y), Some(r)) = (block.used_var[j], link_of[v]) else {
            continue;
        };
        let high = capacity(j).min(1.0);
        let low = (offers[j].min_order / d).max(MIN_USED_SHARE);
        lp.rows[r].terms = vec![(v, 1.0), (y, -high)];
        lp.vars[y].upper = if low > high { 0.0 } else { 1.0 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formulate::formulate;
    use crate::input::load_model;

    fn model(files: &[(&str, &str)]) -> Model {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        load_model(dir.path()).unwrap()
    }

    const FOUR_COUNTRIES: &str = "supplier,mineral,country,unit_cost\n\
        a,ga,CHN,1\nb,ga,JPN,2\nc,ga,KOR,3\nd,ga,USA,4\n";

    #[test]
    fn a_star_cap_moves_as_one_bound() {
        // Four countries at most 20% each supply 80%: the one `*` row must rise to 25%,
        // a change of 0.05 (moving instances separately would cost 0.2).
        let m = model(&[
            ("suppliers.csv", FOUR_COUNTRIES),
            ("demand.csv", "mineral,quantity\nga,100\n"),
            (
                "constraints.csv",
                "constraint,mineral,target,bound\nmax_country_share,*,*,0.2\n",
            ),
        ]);
        let block = formulate(&m, 0).unwrap();
        let r = least_relaxation(&m, &block, false, None).unwrap();
        assert_eq!(r.len(), 1, "{r:?}");
        assert!((r[0].relaxed_bound - 0.25).abs() < 1e-9, "{r:?}");
        assert!((r[0].size() - 0.05).abs() < 1e-9);
    }

    #[test]
    fn a_relaxed_cap_is_not_held_back_by_its_big_m() {
        // min_suppliers makes binaries whose big-M is the 20% cap; relaxing the cap must
        // relax the link too. Two countries, 20% caps: the cap rises to 50%.
        let m = model(&[
            (
                "suppliers.csv",
                "supplier,mineral,country,unit_cost\na,ga,CHN,1\nb,ga,JPN,2\n",
            ),
            ("demand.csv", "mineral,quantity\nga,100\n"),
            (
                "constraints.csv",
                "constraint,mineral,target,bound\nmax_country_share,*,*,0.2\nmin_suppliers,ga,,2\n",
            ),
        ]);
        let block = formulate(&m, 0).unwrap();
        let r = least_relaxation(&m, &block, false, None).unwrap();
        assert_eq!(r.len(), 1, "{r:?}");
        assert!((r[0].relaxed_bound - 0.5).abs() < 1e-9, "{r:?}");
    }

    #[test]
    fn two_supplier_caps_on_one_offer_both_move() {
        // One offer, capped at 30% by a `*` row and at 20% by its own row, demand 100%.
        // Buying b and leaving 1 − b short costs (1 − b) + (b − 0.2)⁺ + (b − 0.3)⁺: the
        // least is 0.8, for any b in [0.2, 0.3]. Were the looser row dropped (as when
        // only the folded cap is relaxed), b = 1 would cost 0.8 too but break it: so
        // check the relaxed plan against both rows.
        let m = model(&[
            ("suppliers.csv", "supplier,mineral,country,unit_cost\na,ga,CHN,1\n"),
            ("demand.csv", "mineral,quantity\nga,100\n"),
            (
                "constraints.csv",
                "constraint,mineral,target,bound\nmax_supplier_share,*,*,0.3\nmax_supplier_share,ga,a,0.2\n",
            ),
        ]);
        let block = formulate(&m, 0).unwrap();
        let r = least_relaxation(&m, &block, false, None).unwrap();
        let total: f64 = r.iter().map(Relaxation::size).sum();
        // Buying 20% and leaving 80% short costs 0.8; raising both caps to 1 costs 1.5;
        // raising both to b and leaving 1 − b short costs (b − 0.3) + (b − 0.2) + 1 − b.
        // The least is 0.8 at b = 0.2 (both caps stay).
        assert!((total - 0.8).abs() < 1e-9, "{r:?}");
        let short = r
            .iter()
            .find(|x| x.instance.is_none())
            .expect("a shortfall");
        let bought = short.relaxed_bound / 100.0;
        for x in r.iter().filter(|x| x.instance.is_some()) {
            assert!(bought <= x.relaxed_bound + 1e-9, "{r:?}");
        }
        assert!(bought <= 0.3 + 1e-9 || r.len() == 3, "{r:?}");
    }

    /// A random one-mineral model with several offers per country and a policy that
    /// usually has no plan: country caps too tight for the countries there are, an
    /// allied minimum, a risk budget, an HHI cap, supplier caps that some capacities
    /// imply and some do not.
    fn random_infeasible(seed: u64) -> Model {
        use crate::spec::{range, TestRng};
        let mut rng = TestRng::new(seed);
        let countries = 3 + rng.below(3) as usize;
        let mut c = String::from("country,risk,groups\n");
        for k in 0..countries {
            let ally = if k == 0 || rng.below(2) == 0 {
                "ALLY"
            } else {
                ""
            };
            c += &format!(
                "XA{},{:.3},{ally}\n",
                (b'A' + k as u8) as char,
                range(&mut rng, 0.0, 1.0)
            );
        }
        let mut s = String::from("supplier,mineral,country,unit_cost,capacity\n");
        for k in 0..countries {
            for j in 0..2 + rng.below(4) {
                let supplier = format!("s{k}{j}");
                let cost = range(&mut rng, 1.0, 9.0);
                let cap = range(&mut rng, 3.0, 45.0);
                s += &format!(
                    "{supplier},ga,XA{},{cost:.2},{cap:.1}\n",
                    (b'A' + k as u8) as char
                );
            }
        }
        let mut rows = String::from("constraint,mineral,target,bound\n");
        rows += &format!("max_country_share,*,*,{:.3}\n", range(&mut rng, 0.12, 0.4));
        rows += &format!("max_supplier_share,*,*,{:.3}\n", range(&mut rng, 0.08, 0.3));
        if rng.below(2) == 0 {
            rows += &format!("min_group_share,ga,ALLY,{:.3}\n", range(&mut rng, 0.3, 0.9));
        }
        if rng.below(2) == 0 {
            rows += &format!("max_avg_risk,ga,,{:.3}\n", range(&mut rng, 0.05, 0.5));
        }
        if rng.below(3) > 0 {
            rows += &format!("max_hhi,ga,,{:.3}\n", range(&mut rng, 0.1, 0.4));
        }
        model(&[
            ("countries.csv", &c),
            ("suppliers.csv", &s),
            ("demand.csv", "mineral,quantity\nga,100\n"),
            ("constraints.csv", &rows),
        ])
    }

    #[test]
    fn merging_offers_by_country_keeps_the_least_relaxation() {
        // The merged program against the program over every offer, on random models
        // with 2–5 offers per country: the same total size (a wrong merge, such as one
        // that dropped a supplier cap the capacities do not imply, lowers it).
        let (mut merged, mut relaxed) = (0, 0);
        for seed in 0..30 {
            let m = random_infeasible(seed);
            let block = formulate(&m, 0).unwrap();
            let total = |aggregate| -> f64 {
                let r = least_relaxation(&m, &block, aggregate, None).expect("diagnosed");
                r.iter().map(Relaxation::size).sum()
            };
            let (full, aggregated) = (total(false), total(true));
            assert!(
                (full - aggregated).abs() <= 1e-7 * full.max(1.0),
                "seed {seed}: full {full}, aggregated {aggregated}"
            );
            merged += usize::from(elastic(&m, &block, true).left_out.is_some());
            relaxed += usize::from(full > 1e-6);
        }
        // The cases really are merged, and most need a relaxation.
        assert_eq!(merged, 30);
        assert!(relaxed >= 20, "{relaxed}");
    }

    #[test]
    fn a_merged_relaxation_that_moves_a_row_means_no_plan() {
        // What settles an aggregated block whose guess fails, against the full block's
        // own solve (every offer, no aggregation) on the same random models.
        use crate::solve::{solve, Deadline, SolveOptions, Status};
        let full = SolveOptions {
            no_aggregate: true,
            ..SolveOptions::default()
        };
        let mut seen = [0, 0];
        for seed in 0..30 {
            let m = random_infeasible(seed);
            let block = formulate(&m, 0).unwrap();
            let needs =
                crate::solve::aggregate::needs_relaxation(&m, &block, Deadline::after(None));
            let status = solve(&m, &full).unwrap().minerals[0].status.clone();
            assert_eq!(
                needs,
                status == Status::Infeasible,
                "seed {seed}: {status:?}"
            );
            seen[usize::from(needs)] += 1;
        }
        assert!(seen[0] >= 2 && seen[1] >= 20, "{seen:?}");
    }
}
