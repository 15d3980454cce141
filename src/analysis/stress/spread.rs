//! Where `stress`'s scenarios are evaluated: here, in parallel, or spread over processes
//! by the installed [`crate::analysis::spread::Spread`] (job [`Job::Stress`], MPI).
//!
//! A rank sends back the numbers of its block's rows, [`ROW_WIDTH`] per row (with stock
//! columns [`STOCK_WIDTH`] more: whether the row has them, then the five cells), each
//! scenario's minerals in model order and then its totals row. The hub puts the names
//! and probabilities back from its own scenarios, so every row is the one a lone process
//! computes, bit for bit.

use std::ops::Range;

use super::{Scenario, StockCells, StressOptions, StressRow, Stressor};
use crate::analysis::spread::{installed, Answer, Job};
use crate::error::Result;
use crate::model::name::Name;
use crate::model::Model;

/// Numbers per row: delivered, shortfall, spot quantity and cost, unmet and its cost,
/// contract and total cost.
pub const ROW_WIDTH: usize = 8;

/// Numbers more per row of a model with stock columns: 1 when the row has stock cells
/// (else 0), stock built, stock, drawdown, drawdown cost, holding cost.
pub const STOCK_WIDTH: usize = 6;

/// Every scenario's rows for `plan`: here, or through the installed spread.
pub(super) fn per_scenario(stressor: &Stressor, plan: &[f64]) -> Vec<Vec<StressRow>> {
    let count = stressor.count();
    let Some(spread) = installed() else {
        return stressor.rows(plan, 0..count);
    };
    let buffer = spread.gather(Job::Stress, plan, count, &|range| {
        encode(stressor.model(), &stressor.rows(plan, range))
    });
    decode(stressor, &buffer)
}

/// Numbers per row of `model`'s stress.
fn width(model: &Model) -> usize {
    ROW_WIDTH + if model.has_stock() { STOCK_WIDTH } else { 0 }
}

/// The rows of scenarios as numbers, in order.
fn encode(model: &Model, scenarios: &[Vec<StressRow>]) -> Vec<f64> {
    let stock = model.has_stock();
    let rows = scenarios.iter().flatten();
    let mut out = Vec::with_capacity(scenarios.len() * (model.minerals.len() + 1) * width(model));
    for r in rows {
        out.extend([
            r.delivered,
            r.shortfall,
            r.spot_quantity,
            r.spot_cost,
            r.unmet,
            r.unmet_cost,
            r.contract_cost,
            r.total_cost,
        ]);
        if stock {
            let c = r.stock.unwrap_or_default();
            out.extend([
                f64::from(u8::from(r.stock.is_some())),
                c.stock_built,
                c.stock,
                c.drawdown,
                c.drawdown_cost,
                c.holding_cost,
            ]);
        }
    }
    out
}

/// The rows `buffer` holds, scenario 0 onwards, named from `stressor`'s scenarios and
/// model.
fn decode(stressor: &Stressor, buffer: &[f64]) -> Vec<Vec<StressRow>> {
    let model = stressor.model();
    let per_scenario = model.minerals.len() + 1;
    let stock = model.has_stock();
    buffer
        .chunks_exact(width(model) * per_scenario)
        .enumerate()
        .map(|(k, numbers)| {
            let s = stressor.scenario(k);
            numbers
                .chunks_exact(width(model))
                .enumerate()
                .map(|(m, v)| row(model, s, m, v, stock))
                .collect()
        })
        .collect()
}

/// Row `m` (a mineral, or the totals after the last) of scenario `s` from its numbers.
fn row(model: &Model, s: &Scenario, m: usize, v: &[f64], stock: bool) -> StressRow {
    let mineral = model
        .minerals
        .get(m)
        .map_or_else(|| Name::from("*"), |x| x.name.clone());
    StressRow {
        scenario: Name::from(s.name.as_str()),
        probability: s.probability,
        mineral,
        delivered: v[0],
        shortfall: v[1],
        spot_quantity: v[2],
        spot_cost: v[3],
        unmet: v[4],
        unmet_cost: v[5],
        contract_cost: v[6],
        total_cost: v[7],
        stock: (stock && v[ROW_WIDTH] != 0.0).then(|| StockCells {
            stock_built: v[ROW_WIDTH + 1],
            stock: v[ROW_WIDTH + 2],
            drawdown: v[ROW_WIDTH + 3],
            drawdown_cost: v[ROW_WIDTH + 4],
            holding_cost: v[ROW_WIDTH + 5],
        }),
    }
}

/// The stress side of a process that only evaluates scenarios (an MPI rank other than
/// the hub): the same baseline, scenarios and options as the hub's `stress` (or
/// `solve --robust`) on the same model and scenarios.
pub struct Evaluator<'a> {
    stressor: Stressor<'a>,
}

impl<'a> Evaluator<'a> {
    /// The evaluator of `stress` on `model` under `scenarios` and `opts`; the errors
    /// `stress` would give first.
    pub fn new(model: &'a Model, scenarios: &'a [Scenario], opts: &StressOptions) -> Result<Self> {
        super::require_penalties(model)?;
        Ok(Evaluator {
            stressor: Stressor::new(model, scenarios, opts),
        })
    }
}

impl Answer for Evaluator<'_> {
    fn job(&self) -> Job {
        Job::Stress
    }

    /// The rows of scenarios `range` for the plan `payload`; `None` when the hub's
    /// scenario count or offer count is not this one's.
    fn answer(&self, payload: &[f64], count: usize, range: Range<usize>) -> Option<Vec<f64>> {
        let s = &self.stressor;
        let fits = count == s.count() && payload.len() == s.model().offers.len();
        (fits && range.end <= count).then(|| encode(s.model(), &s.rows(payload, range)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::spread::block;

    /// Every row, stock cells included, comes back from the buffer bit for bit.
    #[test]
    fn rows_survive_the_buffer_bit_for_bit() {
        for name in ["rare-earths", "export-controls-2023-stock"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("models")
                .join(name);
            let loaded = crate::input::load(&path).unwrap();
            let model = &loaded.model;
            let stressor = Stressor::new(model, &loaded.scenarios, &StressOptions::default());
            let mut rng = crate::rng::Rng::new(27);
            let plan: Vec<f64> = model.offers.iter().map(|_| rng.f64() * 1e3).collect();
            let rows = stressor.rows(&plan, 0..stressor.count());
            assert!(rows.len() > 1, "{name}");
            assert_eq!(rows[0][0].stock.is_some(), model.has_stock(), "{name}");
            let back = decode(&stressor, &encode(model, &rows));
            assert_eq!(back, rows, "{name}");
            let bits = |r: &[Vec<StressRow>]| -> Vec<u64> {
                encode(model, r).iter().map(|x| x.to_bits()).collect()
            };
            assert_eq!(bits(&back), bits(&rows), "{name}");
        }
    }

    /// K ranks' answers for their blocks, put together, are the rows of one process,
    /// for K = 1 to 5; another plan length or scenario count is refused.
    #[test]
    fn blocks_of_answers_are_the_lone_rows() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/rare-earths");
        let loaded = crate::input::load(&path).unwrap();
        let (model, opts) = (&loaded.model, StressOptions::default());
        let plan: Vec<f64> = (0..model.offers.len())
            .map(|i| (i * 37 % 101) as f64)
            .collect();
        let stressor = Stressor::new(model, &loaded.scenarios, &opts);
        let alone = stressor.rows(&plan, 0..stressor.count());
        let e = Evaluator::new(model, &loaded.scenarios, &opts).unwrap();
        let count = stressor.count();
        for ranks in 1..=5 {
            let buffer: Vec<f64> = (0..ranks)
                .flat_map(|r| e.answer(&plan, count, block(count, ranks, r)).unwrap())
                .collect();
            assert_eq!(decode(&stressor, &buffer), alone, "{ranks} ranks");
        }
        assert!(e.answer(&plan[1..], count, 0..1).is_none());
        assert!(e.answer(&plan, count + 1, 0..1).is_none());
    }
}
