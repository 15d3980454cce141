//! The plan of a generated model, fixed before any offer is drawn: offers per mineral,
//! demand, the share bounds of the policy and the anchors that repair a mineral; and the two
//! files it alone decides, demand.csv and constraints.csv.

use std::io::{self, Write};

use super::countries::Country;
use super::GenerateOptions;
use crate::rng::Rng;

/// Demand per offer: a mineral with n offers has demand 1000·n.
const DEMAND_PER_OFFER: u64 = 1000;
/// Minimum share of demand from `ALLY` countries, in basis points (1e-4).
pub(super) const ALLY_SHARE_BP: u64 = 3000;
/// The group tag whose minimum share the policy sets.
const ALLY: &str = "ALLY";

/// Sizes and the share bounds of the policy (in basis points), fixed before any offer is
/// drawn because the repair of each mineral depends on them.
#[derive(Debug)]
pub(super) struct Plan {
    /// Offers per mineral.
    pub(super) counts: Vec<usize>,
    /// `max_supplier_share`, basis points.
    pub(super) supplier_bp: u64,
    /// `max_country_share`, basis points.
    pub(super) country_bp: u64,
    /// Anchor offers per mineral (used when a mineral is repaired).
    pub(super) anchors: usize,
    /// Distinct anchor countries per mineral; anchor j goes to anchor country j mod this.
    anchor_countries: usize,
    /// Country indices, allies first (each part in index order).
    pub(super) allies_then_others: Vec<usize>,
    /// Number of allies at the front of `allies_then_others`.
    pub(super) ally_count: usize,
    /// Cumulative Zipf-like weights of producer ranks 0, 1, ….
    rank_cdf: Vec<f64>,
}

impl Plan {
    pub(super) fn new(opts: &GenerateOptions, countries: &[Country]) -> Plan {
        let base = opts.offers / opts.minerals;
        let extra = opts.offers % opts.minerals;
        let counts: Vec<usize> = (0..opts.minerals)
            .map(|m| base + usize::from(m < extra))
            .collect();
        let n_min = base; // the smallest mineral
        let c = countries.len();

        // The usual policy needs six offers over three countries to be met by the anchors
        // alone (2 + 2 + 2 offers at 0.2 each, 0.4 per country). Smaller models spread r
        // anchors over r distinct countries and cap every supplier and country at 1.2/r.
        let (supplier_bp, country_bp, anchors, anchor_countries) = if n_min >= 6 && c >= 3 {
            (2000, 4000, 6, 3)
        } else {
            let r = n_min.min(c) as u64; // 1..=5, or 1..=2 when c < 3
            let bp = 12_000u64.div_ceil(r).min(10_000);
            (bp, bp, r as usize, r as usize)
        };

        let mut allies_then_others: Vec<usize> = (0..c).filter(|&i| countries[i].ally).collect();
        let ally_count = allies_then_others.len();
        allies_then_others.extend((0..c).filter(|&i| !countries[i].ally));

        let mut rank_cdf = Vec::with_capacity(c);
        let mut total = 0.0;
        for rank in 0..c {
            let r1 = (rank + 1) as f64;
            total += 1.0 / (r1 * r1.sqrt());
            rank_cdf.push(total);
        }

        Plan {
            counts,
            supplier_bp,
            country_bp,
            anchors,
            anchor_countries,
            allies_then_others,
            ally_count,
            rank_cdf,
        }
    }

    pub(super) fn demand(&self, m: usize) -> u64 {
        self.counts[m] as u64 * DEMAND_PER_OFFER
    }

    /// The anchor countries of mineral `m`: allies first (rotated by `m` so minerals differ),
    /// then the others (rotated likewise).
    pub(super) fn anchor_countries(&self, m: usize) -> Vec<usize> {
        let (allies, others) = self.allies_then_others.split_at(self.ally_count);
        let rotated = |list: &[usize]| -> Vec<usize> {
            if list.is_empty() {
                return Vec::new();
            }
            let k = m % list.len();
            list[k..].iter().chain(&list[..k]).copied().collect()
        };
        let mut out = rotated(allies);
        out.extend(rotated(others));
        out.truncate(self.anchor_countries);
        out
    }

    /// A producer rank drawn from the Zipf-like weights.
    pub(super) fn draw_rank(&self, rng: &mut Rng) -> usize {
        let total = *self.rank_cdf.last().unwrap_or(&1.0);
        let u = rng.f64() * total;
        self.rank_cdf
            .partition_point(|&c| c <= u)
            .min(self.rank_cdf.len() - 1)
    }
}

/// A share in basis points as a fraction.
pub(super) fn bp(x: u64) -> f64 {
    x as f64 / 10_000.0
}

/// The name of mineral `m`: `m00`, `m01`, ….
pub(super) fn mineral_name(m: usize) -> String {
    format!("m{m:02}")
}

/// Writes demand.csv: 1000 per offer, no unmet penalty.
pub(super) fn write_demand(w: &mut impl Write, plan: &Plan) -> io::Result<()> {
    writeln!(w, "mineral,quantity,unmet_penalty")?;
    for m in 0..plan.counts.len() {
        writeln!(w, "{},{},", mineral_name(m), plan.demand(m))?;
    }
    Ok(())
}

/// Writes constraints.csv: its header, then the policy rows if `policy`.
pub(super) fn write_constraints(
    w: &mut impl Write,
    policy: bool,
    plan: &Plan,
    risk_bound_bp: u64,
) -> io::Result<()> {
    writeln!(w, "constraint,mineral,target,bound")?;
    if policy {
        writeln!(w, "max_country_share,*,*,{:.4}", bp(plan.country_bp))?;
        writeln!(w, "max_supplier_share,*,*,{:.4}", bp(plan.supplier_bp))?;
        writeln!(w, "min_group_share,*,{ALLY},{:.4}", bp(ALLY_SHARE_BP))?;
        writeln!(w, "max_avg_risk,*,,{:.4}", bp(risk_bound_bp))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::tools::generate::generate;
    use crate::tools::generate::read_back::{num, opts, parse, read_all};

    #[test]
    fn policy_flag_changes_only_constraints() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        generate(a.path(), &opts(2, 100, 20, 5)).unwrap();
        let mut o = opts(2, 100, 20, 5);
        o.policy = false;
        generate(b.path(), &o).unwrap();
        let (fa, fb) = (read_all(a.path()), read_all(b.path()));
        assert_eq!(fa[..3], fb[..3]);
        assert_eq!(fb[3], b"constraint,mineral,target,bound\n");
        assert_eq!(parse(&a.path().join("constraints.csv")).1.len(), 4);
    }

    #[test]
    fn demand_and_policy_rows_are_as_documented() {
        let d = tempfile::tempdir().unwrap();
        generate(d.path(), &opts(4, 1003, 60, 1)).unwrap();
        let (_, demand) = parse(&d.path().join("demand.csv"));
        let (_, constraints) = parse(&d.path().join("constraints.csv"));
        // Demand and policy rows.
        assert_eq!(demand.len(), 4);
        for r in &demand {
            assert_eq!(r[2], "");
        }
        let kinds: Vec<&str> = constraints.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(
            kinds,
            [
                "max_country_share",
                "max_supplier_share",
                "min_group_share",
                "max_avg_risk"
            ]
        );
        assert_eq!(constraints[0][3], "0.4000");
        assert_eq!(constraints[1][3], "0.2000");
        assert_eq!(constraints[2][2], "ALLY");
        assert_eq!(constraints[2][3], "0.3000");
        let b = num(&constraints[3][3]);
        assert!(b > 0.05 && b < 0.95, "risk bound {b}");
    }
}
