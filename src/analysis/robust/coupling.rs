//! Bundles and lot discounts in the robust program: first-stage binaries, as in
//! `solve::coupled`, whose prices enter every scenario's contract cost.
//!
//! - w_b per bundle, with x_i ≥ Σ_b q_bi w_b per offer in a bundle;
//! - per lot discount, u_i per lot (x_i ≥ threshold · u_i), z_t per step (z_t ≤ z_{t−1},
//!   Σ u_i ≥ k_t z_t), and per step and lot a saving s_ti ≤ p_i (x_i − Σ_b q_bi w_b),
//!   s_ti ≤ M_i z_t, worth d_t − d_{t−1} (p_i the lot's price part).
//!
//! A scenario that delivers a share δ_i of offer i pays δ_i times its contract: its
//! bundle lines' landed cost less their list cost (a constant times w_b) and less the
//! discount (Σ_t (d_t − d_{t−1}) s_ti), as `stress` charges a plan the bundles and
//! discounts it earns ([`crate::analysis::awards`]) and tiers charge a tiered offer.

use crate::analysis::stress::delivery_factor;
use crate::engine::lp::Sense;
use crate::model::coupling::{price_part, LotDiscount};
use crate::solve::coupled::lot_threshold;

use super::master::Skeleton;
use super::Problem;

/// A cost at full delivery: variable, offer whose delivery scales it, coefficient (unit
/// U per unit of the variable).
pub(super) type Charge = (usize, usize, f64);

/// Adds the bundles' and discounts' variables and rows to `sk`; returns their charges.
pub(super) fn add(sk: &mut Skeleton, p: &Problem) -> Vec<Charge> {
    let mut charges = Vec::new();
    let model = p.model;
    // Per offer: the bundle terms Σ_b q_bi w_b (shares of demand).
    let mut bundled: Vec<(usize, Vec<(usize, f64)>)> = Vec::new();
    for b in &model.coupling.bundles {
        let w = sk.lp.add_binary(0.0);
        for (l, cost) in b.lines.iter().zip(b.line_costs(model)) {
            let extra = cost - l.quantity * model.offers[l.offer].landed_cost;
            charges.push((w, l.offer, extra / p.unit));
            let Some(x) = sk.offer_var(p, l.offer) else {
                sk.lp.vars[w].upper = 0.0;
                continue;
            };
            let share = l.quantity / model.minerals[model.offers[l.offer].mineral].demand;
            match bundled.iter_mut().find(|(v, _)| *v == x) {
                Some((_, terms)) => terms.push((w, share)),
                None => bundled.push((x, vec![(w, share)])),
            }
        }
    }
    for (x, terms) in &bundled {
        let mut row = vec![(*x, 1.0)];
        row.extend(terms.iter().map(|&(w, q)| (w, -q)));
        sk.row(row, Sense::Ge, 0.0);
    }
    for disc in &model.coupling.discounts {
        add_discount(sk, p, disc, &bundled, &mut charges);
    }
    charges
}

/// One discount's u_i, z_t and s_ti with their rows; pushes the savings' charges.
fn add_discount(
    sk: &mut Skeleton,
    p: &Problem,
    disc: &LotDiscount,
    bundled: &[(usize, Vec<(usize, f64)>)],
    charges: &mut Vec<Charge>,
) {
    let model = p.model;
    // (offer, x, demand) of the lots that can be bought.
    let mut lots = Vec::new();
    let mut count = Vec::new();
    for &i in &disc.lots {
        let Some(x) = sk.offer_var(p, i) else {
            continue;
        };
        let d = model.minerals[model.offers[i].mineral].demand;
        let u = sk.lp.add_binary(0.0);
        sk.row(
            vec![(x, 1.0), (u, -lot_threshold(model, i) / d)],
            Sense::Ge,
            0.0,
        );
        count.push((u, 1.0));
        lots.push((i, x, d));
    }
    let mut before = 0.0;
    let mut prev: Option<usize> = None;
    for step in &disc.steps {
        let z = sk.lp.add_binary(0.0);
        if let Some(prev) = prev {
            sk.row(vec![(z, 1.0), (prev, -1.0)], Sense::Le, 0.0);
        }
        let mut reach = count.clone();
        reach.push((z, -(step.min_lots as f64)));
        sk.row(reach, Sense::Ge, 0.0);
        for &(i, x, d) in &lots {
            let price = price_part(model, i) * d / p.unit;
            let s = sk.lp.add_var(0.0, f64::INFINITY, 0.0);
            let mut within = vec![(s, 1.0), (x, -price)];
            if let Some((_, terms)) = bundled.iter().find(|(v, _)| *v == x) {
                within.extend(terms.iter().map(|&(w, q)| (w, price * q)));
            }
            sk.row(within, Sense::Le, 0.0);
            let ceiling = 1.0 + model.minerals[model.offers[i].mineral].stock_room() / d;
            let most = price * sk.lp.vars[x].upper.min(ceiling);
            sk.row(vec![(s, 1.0), (z, -most)], Sense::Le, 0.0);
            charges.push((s, i, -(step.fraction - before)));
        }
        before = step.fraction;
        prev = Some(z);
    }
}

/// The charges of scenario `s` as (variable, coefficient) in unit U: each scaled by
/// its offer's delivered share.
pub(super) fn terms(sk: &Skeleton, p: &Problem, s: usize) -> Vec<(usize, f64)> {
    sk.charges
        .iter()
        .map(|&(v, i, c)| {
            let m = p.model.offers[i].mineral;
            let a = p.shocked[s][m]
                .iter()
                .find(|&&k| p.classes.classes[k].offers.contains(&i))
                .map_or(1.0, |&k| delivery_factor(p.factors[s][k].0));
            (v, a * c)
        })
        .collect()
}
