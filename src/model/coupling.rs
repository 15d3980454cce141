//! Bids that couple a supplier's offers (SPEC §6): bundles (bundles.csv), a set of
//! (offer, quantity) taken all or nothing at a joint price, and lot discounts
//! (discounts.csv), a percentage off a supplier's lots once it wins at least k of them.
//! Both join the minerals they touch into one problem (see `solve::coupled`).

use super::name::Name;
use super::Model;

/// How a bundle is priced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BundlePrice {
    /// A joint price for all its lines (before tariff and freight).
    Price(f64),
    /// A fraction off the lines' value at their offers' unit costs.
    Discount(f64),
}

/// One line of a bundle: a quantity of one offer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BundleLine {
    /// Index into `Model::offers`.
    pub offer: usize,
    /// The quantity (> 0).
    pub quantity: f64,
}

/// A bundle bid: its lines are bought together, all or nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    /// The bundle's id in bundles.csv.
    pub name: Name,
    /// The supplier of every line.
    pub supplier: Name,
    /// One line per mineral.
    pub lines: Vec<BundleLine>,
    /// Its price.
    pub price: BundlePrice,
}

/// One step of a lot discount: `fraction` off once `min_lots` lots are won.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    /// k: lots won at least (≥ 1).
    pub min_lots: usize,
    /// The fraction off (0 < d < 1).
    pub fraction: f64,
}

/// A supplier's lot discount: its steps, by increasing `min_lots` and fraction.
#[derive(Debug, Clone, PartialEq)]
pub struct LotDiscount {
    /// The supplier.
    pub supplier: Name,
    /// Its lots that count and are discounted: indices into `Model::offers`, ascending.
    pub lots: Vec<usize>,
    /// The steps.
    pub steps: Vec<Step>,
}

/// The model's bundles and lot discounts (both empty without the files).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coupling {
    /// Bundles in file order.
    pub bundles: Vec<Bundle>,
    /// Lot discounts, one per supplier, in file order.
    pub discounts: Vec<LotDiscount>,
}

impl Coupling {
    /// True when the model has neither bundles nor lot discounts.
    pub fn is_empty(&self) -> bool {
        self.bundles.is_empty() && self.discounts.is_empty()
    }

    /// The offers (indices into `Model::offers`) each coupling item touches: bundles
    /// first, then discounts.
    pub fn items(&self) -> impl Iterator<Item = Vec<usize>> + '_ {
        let bundles = self
            .bundles
            .iter()
            .map(|b| b.lines.iter().map(|l| l.offer).collect());
        bundles.chain(self.discounts.iter().map(|d| d.lots.clone()))
    }
}

/// The price part of an offer's landed unit cost: unit_cost · (1 + tariff), what a
/// discount takes its fraction of (freight is not discounted).
pub fn price_part(model: &Model, offer: usize) -> f64 {
    let o = &model.offers[offer];
    o.unit_cost * (1.0 + model.countries[o.country].tariff)
}

impl Bundle {
    /// The price part of its lines among `lots` (Σ price part × quantity): a lot discount
    /// does not apply to it, since the bundle prices its own lines.
    pub fn price_part_in(&self, model: &Model, lots: &[usize]) -> f64 {
        self.lines
            .iter()
            .filter(|l| lots.contains(&l.offer))
            .map(|l| price_part(model, l.offer) * l.quantity)
            .sum()
    }

    /// The lines' landed cost at their offers' own prices.
    pub fn list_cost(&self, model: &Model) -> f64 {
        self.lines
            .iter()
            .map(|l| l.quantity * model.offers[l.offer].landed_cost)
            .sum()
    }

    /// The landed cost of each line when the bundle is taken: the bundle's price split
    /// over the lines in proportion to their value at the offers' unit costs (by quantity
    /// when that value is 0), each part with its country's tariff, plus freight.
    pub fn line_costs(&self, model: &Model) -> Vec<f64> {
        let value = |l: &BundleLine| l.quantity * model.offers[l.offer].unit_cost;
        let total: f64 = self.lines.iter().map(value).sum();
        let quantity: f64 = self.lines.iter().map(|l| l.quantity).sum();
        let price = match self.price {
            BundlePrice::Price(p) => p,
            BundlePrice::Discount(d) => (1.0 - d) * total,
        };
        self.lines
            .iter()
            .map(|l| {
                let o = &model.offers[l.offer];
                let part = if total > 0.0 {
                    value(l) / total
                } else {
                    l.quantity / quantity
                };
                price * part * (1.0 + model.countries[o.country].tariff) + l.quantity * o.freight
            })
            .collect()
    }

    /// The landed cost of the bundle when taken.
    pub fn cost(&self, model: &Model) -> f64 {
        self.line_costs(model).iter().sum()
    }
}

impl LotDiscount {
    /// The step reached with `won` lots won (0-based), if any.
    pub fn reached(&self, won: usize) -> Option<usize> {
        self.steps.iter().rposition(|s| won >= s.min_lots)
    }
}

/// The groups of minerals the coupling joins (each sorted; groups by first mineral), one
/// per connected set of minerals sharing a bundle or discount. Minerals no item touches
/// are in none.
pub fn mineral_groups(model: &Model) -> Vec<Vec<usize>> {
    let n = model.minerals.len();
    let mut parent: Vec<usize> = (0..n).collect();
    let mut touched = vec![false; n];
    fn root(parent: &mut [usize], mut a: usize) -> usize {
        while parent[a] != a {
            parent[a] = parent[parent[a]];
            a = parent[a];
        }
        a
    }
    for offers in model.coupling.items() {
        let minerals: Vec<usize> = offers.iter().map(|&i| model.offers[i].mineral).collect();
        for &m in &minerals {
            touched[m] = true;
            let (a, b) = (root(&mut parent, minerals[0]), root(&mut parent, m));
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut slot = vec![usize::MAX; n];
    for m in (0..n).filter(|&m| touched[m]) {
        let r = root(&mut parent, m);
        if slot[r] == usize::MAX {
            slot[r] = groups.len();
            groups.push(Vec::new());
        }
        groups[slot[r]].push(m);
    }
    groups
}
