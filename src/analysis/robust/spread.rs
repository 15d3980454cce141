//! Where the robust solve's scenario evaluations run: in this process, in parallel (the
//! default), or spread over processes by the [`Spread`] the binary installs (job
//! [`Job::Robust`], [`crate::analysis::spread`]; MPI, feature `mpi`, README "Across
//! machines: MPI").
//!
//! Scenarios go to ranks in contiguous blocks in scenario order ([`block`]); each rank
//! returns its scenarios' values one by one, and the hub sums the objective in scenario
//! order from the gathered values, so a run gives the same bytes however many processes
//! share the work. Values travel as plain `f64`s ([`VALUE_WIDTH`] per scenario and
//! mineral), bit for bit.

use std::ops::Range;

use rayon::prelude::*;

use super::recourse::{evaluate, MineralRecourse, PlanTotals, ScenarioValue};
use super::{Problem, RobustOptions};
use crate::analysis::spread::{installed, Answer, Job};
use crate::error::Result;
use crate::model::{Model, Scenario};

/// Numbers per scenario and mineral in a value buffer: contract, planned, recourse,
/// price, holding, drawdown.
pub const VALUE_WIDTH: usize = 6;

pub use crate::analysis::spread::{block, install, Spread};

/// Appends `values` to `out` as [`VALUE_WIDTH`] numbers per mineral.
fn encode(values: &[ScenarioValue], out: &mut Vec<f64>) {
    for v in values {
        for m in &v.minerals {
            out.extend([
                m.contract, m.planned, m.recourse, m.price, m.holding, m.drawdown,
            ]);
        }
    }
}

/// The scenario values `buffer` holds, `minerals` per scenario.
fn decode(buffer: &[f64], minerals: usize) -> Vec<ScenarioValue> {
    let width = VALUE_WIDTH * minerals.max(1);
    buffer
        .chunks_exact(width)
        .map(|s| ScenarioValue {
            minerals: s
                .chunks_exact(VALUE_WIDTH)
                .take(minerals)
                .map(|v| MineralRecourse {
                    contract: v[0],
                    planned: v[1],
                    recourse: v[2],
                    price: v[3],
                    holding: v[4],
                    drawdown: v[5],
                })
                .collect(),
        })
        .collect()
}

/// Scenarios `range` of `p` at `totals`, in parallel, encoded.
fn local(p: &Problem, totals: &PlanTotals, range: Range<usize>) -> Vec<f64> {
    let rm = p.recourse();
    let values: Vec<ScenarioValue> = p.factors[range]
        .par_iter()
        .map(|f| evaluate(&rm, f, totals))
        .collect();
    let mut out = Vec::with_capacity(values.len() * p.model.minerals.len() * VALUE_WIDTH);
    encode(&values, &mut out);
    out
}

/// Every scenario of `p` at `totals`: here, or through the installed spread.
pub(super) fn values(p: &Problem, totals: &PlanTotals) -> Vec<ScenarioValue> {
    let count = p.factors.len();
    let Some(spread) = installed() else {
        let rm = p.recourse();
        return p
            .factors
            .par_iter()
            .map(|f| evaluate(&rm, f, totals))
            .collect();
    };
    let buffer = spread.gather(Job::Robust, &totals.x, count, &|range| {
        local(p, totals, range)
    });
    decode(&buffer, p.model.minerals.len())
}

/// The scenario side of a robust problem, for a process that only evaluates scenarios
/// (an MPI rank other than the hub): the same scenarios, classes and factors as the
/// hub's solve of the same model, scenarios and options.
pub struct Evaluator<'a> {
    problem: Problem<'a>,
}

impl<'a> Evaluator<'a> {
    /// The evaluator of `solve --robust` on `model` under `scenarios` and `opts`.
    pub fn new(model: &'a Model, scenarios: &[Scenario], opts: &RobustOptions) -> Result<Self> {
        Ok(Evaluator {
            problem: Problem::new(model, scenarios, opts)?,
        })
    }

    /// Scenarios in the objective (the baseline first when its probability is positive).
    pub fn count(&self) -> usize {
        self.problem.factors.len()
    }

    /// Offers of the model (the length of a plan).
    pub fn offers(&self) -> usize {
        self.problem.model.offers.len()
    }

    /// Scenarios `range` at `plan`, encoded ([`VALUE_WIDTH`] × minerals numbers each).
    pub fn values(&self, plan: &[f64], range: Range<usize>) -> Vec<f64> {
        let p = &self.problem;
        let totals = PlanTotals::new(p.model, &p.classes, plan.to_vec());
        local(p, &totals, range)
    }
}

impl Answer for Evaluator<'_> {
    fn job(&self) -> Job {
        Job::Robust
    }

    /// The values of scenarios `range` at the plan `payload`; `None` when the hub's
    /// scenario count or offer count is not this problem's.
    fn answer(&self, payload: &[f64], count: usize, range: Range<usize>) -> Option<Vec<f64>> {
        (count == self.count() && payload.len() == self.offers() && range.end <= count)
            .then(|| self.values(payload, range))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_survive_the_buffer_bit_for_bit() {
        let mut rng = crate::rng::Rng::new(27);
        let values: Vec<ScenarioValue> = (0..5)
            .map(|_| ScenarioValue {
                minerals: (0..3)
                    .map(|_| MineralRecourse {
                        contract: rng.f64() * 1e9,
                        planned: -0.0,
                        recourse: f64::MIN_POSITIVE * rng.f64(),
                        price: rng.f64(),
                        holding: 1.0 / 3.0,
                        drawdown: rng.f64() * 1e-300,
                    })
                    .collect(),
            })
            .collect();
        let mut buffer = Vec::new();
        encode(&values, &mut buffer);
        assert_eq!(buffer.len(), 5 * 3 * VALUE_WIDTH);
        let back = decode(&buffer, 3);
        let bits = |v: &[ScenarioValue]| -> Vec<u64> {
            let mut b = Vec::new();
            encode(v, &mut b);
            b.iter().map(|x| x.to_bits()).collect()
        };
        assert_eq!(bits(&back), bits(&values));
        assert_eq!(back[4].minerals[2].holding, 1.0 / 3.0);
    }
}
