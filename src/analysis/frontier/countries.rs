//! Frontier points of a continuous block solved over country quantities: every row of
//! such a block, the HHI and risk-HHI caps included, sees a country's offers only
//! through the country's total, so each point is the exact aggregated problem of
//! [`CountryModel`] (about one quantity per country, convex piecewise-linear country
//! costs stated by the lines of the segments it needs, each cap as one norm cone over
//! the country quantities, see `solve::aggregate::norms`) instead of a
//! cone solve of every offer. The points of a mineral are solved from the loosest bound
//! to the tightest in one model, each starting from the lines the last one needed.
//!
//! Accuracy: a point ends only when each country's cost meets its curve to
//! `AGG_MASTER_EXACT` (1e-10 of the block's largest unit cost), so the plan — each
//! country's quantity bought cheapest first — costs what the aggregated optimum costs,
//! and that optimum is the block's to the cone solver's tolerance (1e-10), as for a
//! direct solve. Every plan is checked against the model with the bound in place
//! (`verify_mineral`: caps met within SPEC §2's 1e-7); a point that fails the check or
//! that the model cannot settle is left to the caller's cold solve.

use crate::formulate::Block;
use crate::model::Model;
use crate::solve::aggregate::{CountryModel, Outcome};
use crate::solve::Deadline;

use super::warm::{cap_row, checked_plan};
use super::Measure;

/// Segments seeded on each side of where a country's quantity is expected.
const SEED: usize = 3;

/// (cost, measure) at each bound of `bounds` (point index, bound; any order), `None`
/// where no checked plan was found. `start` is a plan of the block (real quantities per
/// offer, e.g. the model's own optimum), used only to choose the first lines. Every entry
/// is `None` for a block without country structure (integer rules).
pub(super) fn solve_points(
    model: &Model,
    block: &Block,
    cap_policy: usize,
    bounds: &[(usize, f64)],
    start: &[f64],
    deadline: Deadline,
    on_point: &(dyn Fn() + Sync),
) -> Vec<Option<(f64, f64)>> {
    let mut out = vec![None; bounds.len()];
    let Some((k, row)) = cap_row(block, cap_policy) else {
        return out;
    };
    let Some(mut cm) = CountryModel::of(model, block) else {
        return out;
    };
    let start = block_point(block, start);
    cm.seed(&start, SEED);
    let mut order: Vec<usize> = (0..bounds.len()).collect();
    order.sort_by(|&a, &b| bounds[b].1.total_cmp(&bounds[a].1).then(a.cmp(&b)));
    // The last two plans with their bounds, the model's own optimum first (at its own
    // measure): each country's quantity moves almost linearly with the bound, so each
    // point starts from the lines where the two predict it (and where the last one
    // was), the older lines dropped.
    let Some(measure) = Measure::from_kind(block.instances[k].kind) else {
        return out;
    };
    let stage = block.instances[k].stage;
    let own = measure.of_plan_at(
        model,
        stage,
        block.mineral,
        &offer_quantities(block, &start),
    );
    let mut last: Vec<(f64, Vec<f64>)> = vec![(own, start)];
    for &p in &order {
        if deadline.expired() {
            // The points left are the caller's, which reports the limit.
            return out;
        }
        let b = bounds[p].1;
        cm.set_rhs(row, b);
        if let [(b0, older), (b1, newer)] = &last[..] {
            let step = if b1 != b0 { (b - b1) / (b1 - b0) } else { 1.0 };
            let predicted: Vec<f64> = newer
                .iter()
                .zip(older)
                .map(|(n, o)| n + (n - o) * step)
                .collect();
            cm.clear_lines();
            cm.seed(newer, 0);
            cm.seed(&predicted, SEED);
        }
        let o = cm.solve(Deadline::after(None));
        if let Outcome::Solved(x) = o {
            out[p] = checked_plan(model, block, k, b, &x);
            if last.len() == 2 {
                last.remove(0);
            }
            last.push((b, x));
        }
        if out[p].is_some() {
            on_point();
        }
    }
    out
}

/// The least value of the cap row of policy `cap_policy` over the block's feasible set,
/// solved over country quantities: a minimizing plan in block variables, or `None` when
/// this path cannot say (no country structure, no plan, a solver failure; the caller
/// then solves the full block).
pub(super) fn least_plan(block: &Block, model: &Model, cap_policy: usize) -> Option<Vec<f64>> {
    let (_, row) = cap_row(block, cap_policy)?;
    let cm = CountryModel::of(model, block)?;
    match cm.minimize_row(row, Deadline::after(None)) {
        Outcome::Solved(x) => Some(x),
        _ => None,
    }
}

/// The real quantities per offer of a block point.
fn offer_quantities(block: &Block, x: &[f64]) -> Vec<f64> {
    let d = block.demand;
    block
        .offer_var
        .iter()
        .map(|v| v.map_or(0.0, |v| x[v] * d))
        .collect()
}

/// A plan (real quantities per offer) in block variables (offers only; the rest 0).
fn block_point(block: &Block, quantities: &[f64]) -> Vec<f64> {
    let mut x = vec![0.0; block.lp.vars.len()];
    for (v, &q) in block.offer_var.iter().zip(quantities) {
        if let Some(v) = *v {
            x[v] = q / block.demand;
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::frontier::{least_measure, with_cap};
    use crate::formulate::formulate;
    use crate::solve::{solve, SolveOptions, SolverChoice};
    use crate::tools::bench::generated_model;
    use crate::tools::generate::GenerateOptions;

    /// On a model shaped like the benchmark one (60 countries, ~10 offers per country and
    /// mineral, its policy), every point of an HHI and a risk-HHI frontier is settled here:
    /// none is left to a cold solve, and costs never fall as the bound tightens.
    #[test]
    fn every_point_of_a_generated_model_is_settled_over_country_quantities() {
        let opts = GenerateOptions {
            minerals: 1,
            offers: 600,
            ..GenerateOptions::default()
        };
        let model = generated_model(&opts).expect("generated").model;
        let current = solve(&model, &SolveOptions::default()).expect("solve");
        let start = &current.minerals[0].quantities;
        for measure in [Measure::Hhi, Measure::RiskHhi] {
            let extended = with_cap(&model, measure);
            let cap = extended.policy.len() - 1;
            let block = formulate(&extended, 0).expect("block");
            let least = least_measure(&extended, &block, cap, measure, SolverChoice::Auto, true)
                .expect("least");
            let high = measure.of_plan(&model, 0, start);
            let bounds: Vec<(usize, f64)> = (0..8)
                .map(|i| (i, least + 1e-8 + (high - least) * i as f64 / 8.0))
                .collect();
            let out = solve_points(
                &extended,
                &block,
                cap,
                &bounds,
                start,
                Deadline::after(None),
                &|| {},
            );
            let costs: Vec<f64> = out
                .iter()
                .map(|r| r.expect("settled over country quantities").0)
                .collect();
            for w in costs.windows(2) {
                assert!(w[1] <= w[0] * (1.0 + 1e-9), "{measure}: {costs:?}");
            }
        }
    }
}
