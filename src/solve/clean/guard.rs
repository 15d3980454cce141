//! The rows a cleaning move must not tip. Cleaning puts residues (a demand-balance
//! gap, what snapping moved) on single offers; a residue on an offer moves every row
//! the offer counts in: its country's and groups' shares, its supplier's share, the
//! average risk, the HHIs and the sums of the largest country shares. [`RowGuard`] follows those rows through the moves and
//! says which offers can take a residue: none of its rows may end past
//! max(its value in the plan being cleaned, its bound + [`CLEAN_ROOM`]), so a row the
//! plan met stays met to the checker's tolerance and a row at its bound moves at most
//! [`CLEAN_ROOM`] past it.

use crate::model::Model;
use crate::policy::rows::RowInstance;
use crate::policy::{top_sum, CleanMeasure as Measure};
use crate::tolerance::CLEAN_ROOM;

/// Relative float noise allowed on the HHI and average-risk sums (updated move by move,
/// not re-summed): far below a quantum.
const FLOAT_SLACK: f64 = 1e-12;

#[derive(Debug, Clone)]
struct Row {
    measure: Measure,
    /// For rows over every offer: the index of their stage's [`Level`].
    level: usize,
    /// Where the row may go: the farther of its starting value and bound ± room.
    limit: f64,
    value: f64,
}

impl Row {
    fn allows(&self, change: f64) -> bool {
        match self.measure {
            Measure::AtLeast => change >= 0.0 || self.value + change >= self.limit,
            Measure::AtMost
            | Measure::AvgRisk
            | Measure::Hhi
            | Measure::RiskHhi
            | Measure::TopShare(_) => change <= 0.0 || self.value + change <= self.limit,
        }
    }
}

/// The policy rows of one mineral's plan as quantities move (see the module docs).
/// Quantities are in any unit: `unit` of them make the demand.
#[derive(Debug, Clone)]
pub struct RowGuard {
    rows: Vec<Row>,
    /// Offer j's share rows with its coefficient in each:
    /// `entries[start[j]..start[j + 1]]`.
    start: Vec<usize>,
    entries: Vec<(usize, f64)>,
    /// Rows over every offer (average risk, HHIs, largest country shares).
    global: Vec<usize>,
    risk: Vec<f64>,
    /// The quantities per country at the shipping country (first) and at each stage a
    /// global row names.
    levels: Vec<Level>,
}

/// Quantities per country at one stage, and each offer's mix there.
#[derive(Debug, Clone)]
struct Level {
    stage: Option<usize>,
    /// Offer j's (country, fraction) pairs: `mix[mix_start[j]..mix_start[j + 1]]`.
    mix_start: Vec<usize>,
    mix: Vec<(usize, f64)>,
    /// Quantity per country (model country index).
    country: Vec<f64>,
}

impl Level {
    fn new(model: &Model, m: usize, stage: Option<usize>, x: &[f64]) -> Level {
        let offers = model.offers_of(m);
        let mut mix_start = Vec::with_capacity(offers.len() + 1);
        let mut mix = Vec::with_capacity(offers.len());
        let mut country = vec![0.0; model.countries.len()];
        mix_start.push(0);
        for (o, &v) in offers.iter().zip(x) {
            for (c, f) in model.stages.mix(o, stage) {
                mix.push((c, f));
                country[c] += f * v;
            }
            mix_start.push(mix.len());
        }
        Level {
            stage,
            mix_start,
            mix,
            country,
        }
    }

    fn of(&self, j: usize) -> &[(usize, f64)] {
        &self.mix[self.mix_start[j]..self.mix_start[j + 1]]
    }
}

impl RowGuard {
    /// The rows of mineral `m` (`instances`) at plan `x` (indexed within the mineral,
    /// `unit` per demand); `x` sets each row's starting value.
    pub fn new(model: &Model, m: usize, instances: &[RowInstance], x: &[f64], unit: f64) -> Self {
        let offers = model.offers_of(m);
        let risk: Vec<f64> = model.countries.iter().map(|c| c.risk).collect();
        let mut levels = vec![Level::new(model, m, None, x)];
        let mut rows = Vec::new();
        let mut global = Vec::new();
        let mut count = vec![0usize; x.len() + 1];
        let mut shares: Vec<&RowInstance> = Vec::new();
        for inst in instances {
            // Rules with no measure cannot be tipped by a residue (see `Rule::clean_measure`).
            let Some(measure) = inst.kind.clean_measure(inst) else {
                continue;
            };
            let scale = match measure {
                Measure::AtMost | Measure::AtLeast | Measure::AvgRisk | Measure::TopShare(_) => {
                    unit
                }
                Measure::Hhi | Measure::RiskHhi => unit * unit,
            };
            let level = match levels.iter().position(|l| l.stage == inst.stage) {
                Some(l) => l,
                None => {
                    levels.push(Level::new(model, m, inst.stage, x));
                    levels.len() - 1
                }
            };
            let country = &levels[level].country;
            let value: f64 = match measure {
                Measure::AtMost | Measure::AtLeast => inst
                    .members
                    .iter()
                    .map(|&j| inst.kind.clean_coefficient(model, inst, &offers[j]) * x[j])
                    .sum(),
                // At the shipping country summed by offer, as always.
                Measure::AvgRisk if inst.stage.is_none() => {
                    (0..x.len()).map(|j| risk[offers[j].country] * x[j]).sum()
                }
                Measure::AvgRisk => country.iter().zip(&risk).map(|(q, r)| r * q).sum(),
                Measure::Hhi => country.iter().map(|q| q * q).sum(),
                Measure::RiskHhi => country.iter().zip(&risk).map(|(q, r)| r * q * q).sum(),
                Measure::TopShare(k) => top_sum(country, k),
            };
            let (bound, room) = (inst.kind.rhs(inst) * scale, CLEAN_ROOM * scale);
            let limit = match measure {
                Measure::AtLeast => value.min(bound - room),
                Measure::AtMost => value.max(bound + room),
                Measure::AvgRisk | Measure::Hhi | Measure::RiskHhi | Measure::TopShare(_) => {
                    value.max(bound + room) * (1.0 + FLOAT_SLACK)
                }
            };
            if matches!(measure, Measure::AtMost | Measure::AtLeast) {
                for &j in &inst.members {
                    count[j + 1] += 1;
                }
                shares.push(inst);
            } else {
                global.push(rows.len());
            }
            rows.push(Row {
                measure,
                level,
                limit,
                value,
            });
        }
        let mut start = count;
        for j in 1..start.len() {
            start[j] += start[j - 1];
        }
        let mut entries = vec![(0, 0.0); start[x.len()]];
        let mut fill = start.clone();
        let share_rows = (0..rows.len()).filter(|r| !global.contains(r));
        for (r, inst) in share_rows.zip(shares) {
            for &j in &inst.members {
                entries[fill[j]] = (r, inst.kind.clean_coefficient(model, inst, &offers[j]));
                fill[j] += 1;
            }
        }
        RowGuard {
            rows,
            start,
            entries,
            global,
            risk,
            levels,
        }
    }

    /// What moving `delta` onto offer `j` does to global row `r`.
    fn global_change(&self, r: usize, j: usize, delta: f64) -> f64 {
        let level = &self.levels[self.rows[r].level];
        let square = |c: usize, f: f64| {
            let q = level.country[c];
            (q + f * delta) * (q + f * delta) - q * q
        };
        let mix = level.of(j);
        match self.rows[r].measure {
            Measure::AvgRisk => mix.iter().map(|&(c, f)| self.risk[c] * f * delta).sum(),
            Measure::Hhi => mix.iter().map(|&(c, f)| square(c, f)).sum(),
            Measure::RiskHhi => mix.iter().map(|&(c, f)| self.risk[c] * square(c, f)).sum(),
            Measure::TopShare(k) => {
                let mut moved = level.country.clone();
                for &(c, f) in mix {
                    moved[c] += f * delta;
                }
                top_sum(&moved, k) - top_sum(&level.country, k)
            }
            Measure::AtMost | Measure::AtLeast => unreachable!("share rows are not global"),
        }
    }

    /// Whether offer `j` can take `delta` (negative: give it) without a row it counts
    /// in passing its limit.
    pub fn allows(&self, j: usize, delta: f64) -> bool {
        let shares = &self.entries[self.start[j]..self.start[j + 1]];
        shares.iter().all(|&(r, a)| self.rows[r].allows(a * delta))
            && self
                .global
                .iter()
                .all(|&r| self.rows[r].allows(self.global_change(r, j, delta)))
    }

    /// Whether some row is already past its limit.
    pub fn any_past(&self) -> bool {
        self.rows.iter().any(|r| match r.measure {
            Measure::AtLeast => r.value < r.limit,
            Measure::AtMost
            | Measure::AvgRisk
            | Measure::Hhi
            | Measure::RiskHhi
            | Measure::TopShare(_) => r.value > r.limit,
        })
    }

    /// Records that offer `j` took `delta`.
    pub fn apply(&mut self, j: usize, delta: f64) {
        for &(r, a) in &self.entries[self.start[j]..self.start[j + 1]] {
            self.rows[r].value += a * delta;
        }
        for i in 0..self.global.len() {
            let r = self.global[i];
            let change = self.global_change(r, j, delta);
            self.rows[r].value += change;
        }
        for level in &mut self.levels {
            for k in level.mix_start[j]..level.mix_start[j + 1] {
                let (c, f) = level.mix[k];
                level.country[c] += f * delta;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{parse_model, ModelFiles};

    /// D = 100: offers a and b (AUS, risk 0.1, group ALLY), c (CHN, 0.9), d (USA, 0.2);
    /// ALLY at least 50, CHN at most 30, average risk at most 0.35. The plan 40/10/30/20
    /// meets ALLY and CHN exactly; its average risk (0.1·50 + 0.9·30 + 0.2·20) / 100 =
    /// 0.36 is past its bound.
    fn guard() -> RowGuard {
        let files = ModelFiles::from_memory(&[
            (
                "countries.csv",
                b"country,risk,groups\nAUS,0.1,ALLY\nCHN,0.9,\nUSA,0.2,\n",
            ),
            (
                "suppliers.csv",
                b"supplier,mineral,country,unit_cost\na,m,AUS,1\nb,m,AUS,1\nc,m,CHN,1\nd,m,USA,1\n",
            ),
            ("demand.csv", b"mineral,quantity\nm,100\n"),
            (
                "constraints.csv",
                b"constraint,mineral,target,bound\nmin_group_share,m,ALLY,0.5\nmax_country_share,m,CHN,0.3\nmax_avg_risk,m,,0.35\n",
            ),
        ]);
        let model = parse_model(&files).unwrap();
        let instances = crate::policy::rows::expand(&model, 0);
        RowGuard::new(&model, 0, &instances, &[40.0, 10.0, 30.0, 20.0], 100.0)
    }

    /// D = 100: offers a (AUS), b (CHN), c (USA) at 40/30/30; the two largest country
    /// shares at most 70%, met exactly.
    fn top_share_guard() -> RowGuard {
        let files = ModelFiles::from_memory(&[
            (
                "suppliers.csv",
                b"supplier,mineral,country,unit_cost\na,m,AUS,1\nb,m,CHN,1\nc,m,USA,1\n",
            ),
            ("demand.csv", b"mineral,quantity\nm,100\n"),
            (
                "constraints.csv",
                b"constraint,mineral,target,bound\nmax_top_share,m,2,0.7\n",
            ),
        ]);
        let model = parse_model(&files).unwrap();
        let instances = crate::policy::rows::expand(&model, 0);
        RowGuard::new(&model, 0, &instances, &[40.0, 30.0, 30.0], 100.0)
    }

    #[test]
    fn a_residue_may_not_push_the_largest_shares_past_their_cap() {
        let mut g = top_share_guard();
        // Adding to the largest country, or to either second one, raises the top two.
        assert!(!g.allows(0, 1e-3));
        assert!(!g.allows(2, 1e-3));
        // Taking from CHN leaves USA second: the top two stay at 70.
        assert!(g.allows(1, -1.0));
        g.apply(1, -1.0);
        // Now CHN (29) is third: it may take back up to 1 (a tie at 30), not 2.
        assert!(g.allows(1, 1.0));
        assert!(!g.allows(1, 2.0));
        assert!(!g.any_past());
    }

    #[test]
    fn a_residue_goes_only_where_no_row_passes_its_limit() {
        let mut g = guard();
        let room = CLEAN_ROOM * 100.0;
        // The plan itself is each row's reference: nothing is past its limit.
        assert!(!g.any_past());
        // ALLY at its bound: a member may lose CLEAN_ROOM of demand, no more.
        assert!(g.allows(0, -room * 0.9));
        assert!(!g.allows(1, -room * 1.1));
        // The average risk is already past its bound: no offer may add to it (USA's
        // risk 0.2 > 0), any may take from it.
        assert!(!g.allows(3, 1e-6));
        assert!(g.allows(3, -1.0));
        // CHN gives 2 (risk sum 36 → 34.2): USA may now take 2 (34.6), not 10 (36.2).
        g.apply(2, -2.0);
        assert!(g.allows(3, 2.0));
        assert!(!g.allows(3, 10.0));
        // ALLY losing 1 is past its limit.
        g.apply(0, -1.0);
        assert!(g.any_past());
    }
}
