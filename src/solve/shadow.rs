//! Shadow prices of a block's policy rows: d(total cost)/d(bound) in the user's units,
//! from the backend's row duals, folded supplier caps' reduced costs, and sign and
//! slackness cleanup.

use crate::formulate::{Block, RowTag};
use crate::tolerance::{BINDING, FEASIBILITY, SHADOW_ZERO};

/// The shadow price of each instance of `block` (`None` for exclusions), given the
/// scaled solution `x`, its row `duals`, and each instance's value on the plan.
pub(crate) fn shadow_prices(
    block: &Block,
    x: &[f64],
    duals: &[f64],
    values: &[f64],
) -> Vec<Option<f64>> {
    let mut shadow: Vec<Option<f64>> = block
        .instances
        .iter()
        .map(|inst| (!inst.kind.is_exclusion()).then_some(0.0))
        .collect();
    for (r, row) in block.lp.rows.iter().enumerate() {
        if let RowTag::Policy(k) = row.tag {
            shadow[k] = Some(block.unscale_dual(duals[r]));
        }
    }
    folded_share_prices(block, x, duals, &mut shadow);
    // A value-share row's right side is 0 and its bound in its coefficients: moving the
    // bound by δ moves the row by δ times the plan's value.
    for (k, weights) in &block.value_rows {
        if let Some(s) = &mut shadow[*k] {
            *s *= weights.iter().map(|&(v, w)| w * x[v]).sum::<f64>();
        }
    }
    // Signs are fixed by the row's direction, a row off its bound costs nothing, and a
    // price within the solvers' tolerance of zero is zero: remove interior-point noise.
    let noise = SHADOW_ZERO * block.unscale_dual(1.0);
    for (k, inst) in block.instances.iter().enumerate() {
        if let Some(s) = &mut shadow[k] {
            if (values[k] - inst.bound).abs() > BINDING || s.abs() <= noise {
                *s = 0.0;
            }
            *s = if inst.kind.is_lower_bound() {
                s.max(0.0)
            } else {
                s.min(0.0)
            };
        }
    }
    shadow
}

/// A supplier cap folded into its variable's bound is priced by the variable's reduced
/// cost when the variable sits at that bound.
fn folded_share_prices(block: &Block, x: &[f64], duals: &[f64], shadow: &mut [Option<f64>]) {
    if block.folded.is_empty() {
        return;
    }
    let columns = block.lp.columns();
    for f in &block.folded {
        let upper = block.lp.vars[f.var].upper;
        let rc = block.lp.reduced_cost(f.var, duals, &columns[f.var]);
        let at_bound = x[f.var] >= upper - FEASIBILITY;
        shadow[f.instance] = Some(if at_bound && rc < 0.0 {
            block.unscale_dual(rc)
        } else {
            0.0
        });
    }
}
