//! What a mineral's plan amounts to: the offers it buys in allocation.csv order and the
//! figures of summary.csv (purchases, purchase cost, concentration, risk, top country,
//! suppliers and countries used).

use rustc_hash::FxBuildHasher;
use std::hash::BuildHasher;

use super::rows::RowOutcome;
use crate::model::Model;
use crate::policy::rows::{hhi, risk_hhi, MineralPlan};
use crate::policy::SummaryMetric;
use crate::solve::clean::{grid_sum, round_index};

/// The figures of one mineral's plan, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    /// Quantity bought: the exact decimal sum of the quantities (they are on the
    /// mineral's grid, see `solve::clean`).
    pub purchased: f64,
    /// Purchase cost (landed plus fixed costs, without unmet penalties), summed in
    /// allocation order.
    pub purchase_cost: f64,
    /// Σ_c (q_c / D)², rounded; a binding `max_hhi` row's value (its bound) when there is
    /// one, so the two files agree.
    pub hhi: f64,
    /// Σ_c risk_c (q_c / D)², rounded (or a binding `max_risk_hhi` row's value).
    pub risk_hhi: f64,
    /// Σ risk · x / D, rounded (or a binding `max_avg_risk` row's value).
    pub avg_risk: f64,
    /// Country with the largest quantity (index into `Model::countries`), if any.
    pub top_country: Option<usize>,
    /// Its quantity as a share of demand.
    pub top_country_share: Option<f64>,
    /// Offers used.
    pub suppliers: usize,
    /// Countries used.
    pub countries: usize,
}

/// A mineral's plan measured in one pass over its offers.
pub(super) struct Measured {
    /// Offers used (indices within the mineral), by quantity descending, ties in offer
    /// order: the order of allocation.csv.
    pub allocation: Vec<usize>,
    /// The figures.
    pub metrics: Metrics,
    /// Offers used (indices into `Model::offers`) with the hashes of their supplier ids.
    pub suppliers: Vec<(u64, usize)>,
    /// Countries used (indices into `Model::countries`).
    pub countries: Vec<usize>,
}

/// Measures mineral `m`'s plan `quantities` (its `rows` as written align the indices).
pub(super) fn measure(
    model: &Model,
    m: usize,
    quantities: &[f64],
    rows: &[RowOutcome],
) -> Measured {
    let mineral = &model.minerals[m];
    let d = mineral.demand;
    let offers = model.offers_of(m);
    let allocation = allocation_order(quantities);
    let purchase_cost: f64 = allocation
        .iter()
        .map(|&k| offers[k].purchase_cost(quantities[k]) + offers[k].fixed_cost)
        .sum();
    let purchased = grid_sum(allocation.iter().map(|&k| quantities[k]), d);
    let plan = MineralPlan {
        model,
        mineral: m,
        quantities,
    };
    let by_country = plan.by_country();
    let (top, top_q) = top_country(&by_country);
    let countries: Vec<usize> = (0..by_country.len())
        .filter(|&c| by_country[c] > 0.0)
        .collect();
    let suppliers = used_suppliers(offers, quantities, mineral.offers.start);
    let mut metrics = Metrics {
        purchased,
        purchase_cost,
        hhi: round_index(hhi(&by_country, d)),
        risk_hhi: round_index(risk_hhi(model, &by_country, d)),
        avg_risk: round_index(plan.avg_risk()),
        top_country: top,
        top_country_share: top.map(|_| top_q / d),
        suppliers: allocation.len(),
        countries: countries.len(),
    };
    align_indices(&mut metrics, rows);
    Measured {
        allocation,
        metrics,
        suppliers,
        countries,
    }
}

/// The offers bought (indices within the mineral), by quantity descending; stable, so
/// equal quantities keep offer order.
fn allocation_order(quantities: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..quantities.len())
        .filter(|&k| quantities[k] > 0.0)
        .collect();
    order.sort_by(|&a, &b| quantities[b].total_cmp(&quantities[a]));
    order
}

/// The country with the largest quantity (the first of equals) and that quantity;
/// `None` when nothing is bought.
fn top_country(by_country: &[f64]) -> (Option<usize>, f64) {
    let mut top = (None, 0.0);
    for (c, &q) in by_country.iter().enumerate() {
        if q > top.1 {
            top = (Some(c), q);
        }
    }
    top
}

/// The offers used, in offer order, as indices into `Model::offers` (the mineral's
/// first is `first`) with the hashes of their supplier ids.
fn used_suppliers(
    offers: &[crate::model::Offer],
    quantities: &[f64],
    first: usize,
) -> Vec<(u64, usize)> {
    offers
        .iter()
        .zip(quantities)
        .enumerate()
        .filter(|(_, (_, &x))| x > 0.0)
        .map(|(k, (o, _))| (FxBuildHasher.hash_one(o.supplier.as_str()), first + k))
        .collect()
}

/// An index (HHI, risk-HHI, average risk) whose cap row is binding is that row's value
/// (its bound), so summary.csv and constraints.csv agree.
fn align_indices(metrics: &mut Metrics, rows: &[RowOutcome]) {
    for r in rows.iter().filter(|r| r.binding) {
        let slot = match r.instance.kind.summary_metric() {
            Some(SummaryMetric::Hhi) => &mut metrics.hhi,
            Some(SummaryMetric::RiskHhi) => &mut metrics.risk_hhi,
            Some(SummaryMetric::AvgRisk) => &mut metrics.avg_risk,
            None => continue,
        };
        *slot = r.value;
    }
}

/// The number of distinct suppliers of `offers`, given with the hashes of their names.
pub(super) fn distinct_suppliers(model: &Model, mut offers: Vec<(u64, usize)>) -> usize {
    let name = |&(_, o): &(u64, usize)| model.offers[o].supplier.as_str();
    offers.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| name(a).cmp(name(b))));
    offers.dedup_by(|a, b| a.0 == b.0 && name(a) == name(b));
    offers.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_is_by_quantity_descending_ties_in_offer_order_unbought_left_out() {
        assert_eq!(
            allocation_order(&[0.0, 5.0, 3.0, 5.0, -0.0, 7.5]),
            [5, 1, 3, 2]
        );
        assert!(allocation_order(&[0.0, 0.0]).is_empty());
    }

    #[test]
    fn the_top_country_is_the_first_of_the_largest_and_none_without_purchases() {
        assert_eq!(top_country(&[1.0, 3.0, 3.0, 0.0]), (Some(1), 3.0));
        assert_eq!(top_country(&[0.0, 0.0]), (None, 0.0));
    }
}
