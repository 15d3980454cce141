//! Price tiers of an offer (SPEC §6, tiers.csv): the quantity bought split into brackets
//! [from_b, from_{b+1}), each at its own unit cost (incremental), or the whole quantity at
//! the unit cost of the bracket it falls in (all-units).

/// How an offer's brackets price a quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierKind {
    /// Each unit at the unit cost of the bracket it falls in.
    Incremental,
    /// The whole quantity at the unit cost of the bracket the quantity falls in.
    AllUnits,
}

impl TierKind {
    /// The name in tiers.csv's `kind` column.
    pub fn name(self) -> &'static str {
        match self {
            TierKind::Incremental => "incremental",
            TierKind::AllUnits => "all_units",
        }
    }
}

/// One bracket: from its threshold up to the next one's.
#[derive(Debug, Clone, PartialEq)]
pub struct Bracket {
    /// Where the bracket starts (0 for the first; strictly increasing).
    pub from: f64,
    /// Unit cost in the bracket (≥ 0).
    pub unit_cost: f64,
    /// Landed unit cost in the bracket: unit_cost · (1 + tariff) + freight.
    pub landed_cost: f64,
}

/// The price list of one offer: at least two brackets, the first from 0 at the offer's
/// own unit cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Tiers {
    /// Incremental or all-units.
    pub kind: TierKind,
    /// The brackets by threshold.
    pub brackets: Vec<Bracket>,
}

impl Tiers {
    /// The landed purchase cost of quantity `x` (fixed cost not included).
    pub fn cost(&self, x: f64) -> f64 {
        match self.kind {
            TierKind::AllUnits => x * self.brackets[self.reached(x)].landed_cost,
            TierKind::Incremental => self
                .brackets
                .iter()
                .enumerate()
                .map(|(b, br)| {
                    let end = self.end(b).min(x);
                    (end - br.from).max(0.0) * br.landed_cost
                })
                .sum(),
        }
    }

    /// The bracket quantity `x` falls in (0-based): the last one with from ≤ x.
    pub fn reached(&self, x: f64) -> usize {
        self.brackets.iter().rposition(|b| b.from <= x).unwrap_or(0)
    }

    /// Where bracket `b` ends (infinite for the last).
    pub fn end(&self, b: usize) -> f64 {
        self.brackets.get(b + 1).map_or(f64::INFINITY, |n| n.from)
    }

    /// True when the brackets need no binaries: incremental with landed costs that never
    /// fall (a convex cost, which a linear program fills cheapest first).
    pub fn is_convex(&self) -> bool {
        self.kind == TierKind::Incremental
            && self
                .brackets
                .windows(2)
                .all(|w| w[1].landed_cost >= w[0].landed_cost)
    }
}
