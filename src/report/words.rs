//! Rules, prices and relaxations in plain words, as the text summaries of `solve`,
//! `explain` and `policy` print them. Units come from the rules ([`crate::policy::Rule::point`]).

pub use crate::policy::text::percent;
use crate::policy::text::trimmed;
use crate::policy::Kind;

use super::{ConstraintRow, RelaxationRow};
use crate::write::numbers::plain;

/// An amount of money to read at a glance: whole units from 100 up, else three
/// significant digits (604.25 → "604", 12.345 → "12.3").
pub fn amount(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return plain(v);
    }
    if v.abs() >= 100.0 {
        return trimmed(v, 0);
    }
    let decimals = (2 - v.abs().log10().floor() as i32).clamp(0, 12) as usize;
    trimmed(v, decimals)
}

/// A bound in the units a planner writes it: "50%", "0.55", "4000 points", "2".
pub fn bound_text(kind: Kind, bound: f64) -> String {
    kind.bound_text(bound)
}

/// What a rule is called, without its bound: "cap on CHN", "minimum share from MSP",
/// "risk budget". `target` is the row's target as written (`*` reads "each country").
pub fn rule_name(kind: Kind, target: &str) -> String {
    kind.rule_name(target)
}

/// A rule with its bound: "the 50% cap on CHN", "the risk budget of 0.55 average risk",
/// "the HHI cap of 4000 points", "the minimum of 2 suppliers".
pub fn rule_with_bound(kind: Kind, target: &str, bound: f64) -> String {
    kind.rule_with_bound(target, bound)
}

/// What a binding row costs, in words: "the 50% cap on CHN for gallium costs 604 per
/// percentage point; it binds". `None` without a shadow price.
pub fn shadow_sentence(row: &ConstraintRow) -> Option<String> {
    let per_point = row.shadow_price_per_point?;
    let unit = row.kind.point()?;
    Some(format!(
        "{}{} for {} costs {} per {}{}",
        rule_with_bound(row.kind, &row.target, row.bound),
        at_stage(row.stage.as_deref()),
        row.mineral,
        amount(per_point.abs()),
        unit.words,
        if row.binding { "; it binds" } else { "" }
    ))
}

/// " at the refine stage" for a row at a stage; "" at the shipping country.
pub fn at_stage(stage: Option<&str>) -> String {
    match stage {
        Some(s) if !s.is_empty() => format!(" at the {s} stage"),
        _ => String::new(),
    }
}

/// The `limit` binding rules that cost most per point, one sentence each, then how many
/// other rows bind; empty when no row binds.
pub fn costly_rules(report: &super::Report, limit: usize) -> String {
    let binding: Vec<&ConstraintRow> = report.constraints().filter(|c| c.binding).collect();
    if binding.is_empty() {
        return String::new();
    }
    let mut priced: Vec<&ConstraintRow> = binding
        .iter()
        .copied()
        .filter(|c| c.shadow_price_per_point.is_some_and(|p| p != 0.0))
        .collect();
    // Stable: equal prices keep constraints.csv order.
    priced.sort_by(|a, b| {
        let p = |c: &ConstraintRow| c.shadow_price_per_point.unwrap_or(0.0).abs();
        p(b).total_cmp(&p(a))
    });
    let mut out = String::new();
    if !priced.is_empty() {
        out.push_str(
            "\nwhat the binding rules cost (the saving from loosening each by one point):\n",
        );
        for c in priced.iter().take(limit) {
            if let Some(s) = shadow_sentence(c) {
                out.push_str(&format!("  {s}\n"));
            }
        }
    }
    let others = binding.len() - priced.len().min(limit);
    let unpriced = binding
        .iter()
        .filter(|c| c.shadow_price.is_none() && c.kind.point().is_some())
        .count();
    if others > 0 {
        out.push_str(&format!(
            "{}{others} {}rule{} bind{} (constraints.csv lists them{})\n",
            if priced.is_empty() { "\n" } else { "  " },
            if priced.is_empty() { "" } else { "other " },
            if others == 1 { "" } else { "s" },
            if others == 1 { "s" } else { "" },
            if unpriced > 0 {
                format!("; {unpriced} without a shadow price, see the README")
            } else {
                String::new()
            }
        ));
    }
    out
}

/// One relaxation as an instruction: "lower the minimum share from MSP for germanium
/// from 50% to 31% (constraints.csv:3 min_group_share)", or for the demand "lower the
/// demand for gallium from 1000 to 800 (leave 200 unsourced; demand.csv:2)".
pub fn relaxation_sentence(row: &RelaxationRow) -> String {
    let Some(kind) = row.kind else {
        return format!(
            "lower the demand for {} from {} to {} (leave {} unsourced; demand.csv:{})",
            row.mineral,
            amount(row.bound),
            amount(row.relaxed_bound),
            amount(row.bound - row.relaxed_bound),
            row.line
        );
    };
    let verb = if row.relaxed_bound < row.bound {
        "lower"
    } else {
        "raise"
    };
    format!(
        "{verb} the {}{} for {} from {} to {} (constraints.csv:{} {})",
        rule_name(kind, &row.target),
        at_stage(Some(&row.stage)),
        row.mineral,
        bound_text(kind, row.bound),
        bound_text(kind, row.relaxed_bound),
        row.line,
        row.constraint
    )
}

/// The account of a mineral with no solution: the least relaxation in words (the same
/// for `solve` and `explain`).
pub fn no_solution_account(mineral: &str, rows: &[RelaxationRow]) -> String {
    match rows {
        [] => format!(
            "{mineral} has no solution under the policy, and the least relaxation that would give it one could not be found"
        ),
        [one] => format!("{mineral}: {}, or the model has no solution", relaxation_sentence(one)),
        many => {
            let total: f64 = many.iter().map(RelaxationRow::size).sum();
            let mut s = format!(
                "{mineral} has no solution unless all of these change (the least total relaxation, {}):",
                trimmed(total, 6)
            );
            for r in many {
                s.push_str("\n  - ");
                s.push_str(&relaxation_sentence(r));
            }
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::name::Name;
    use crate::policy;

    fn row(kind: Kind, target: &str, bound: f64, sp: f64) -> ConstraintRow {
        ConstraintRow {
            constraint: kind.name(),
            kind,
            mineral: Name::from("gallium"),
            target: Name::from(target),
            bound,
            value: bound,
            slack: 0.0,
            binding: true,
            shadow_price: Some(sp),
            shadow_price_per_point: kind.per_point(Some(sp)),
            soft: None,
            stage: None,
            line: 2,
        }
    }

    #[test]
    fn the_issue_sentence() {
        let r = row(policy::MAX_COUNTRY_SHARE, "CHN", 0.5, -60425.0499);
        assert_eq!(
            shadow_sentence(&r).unwrap(),
            "the 50% cap on CHN for gallium costs 604 per percentage point; it binds"
        );
    }

    #[test]
    fn each_family_in_its_unit() {
        let cases = [
            (
                row(policy::MAX_AVG_RISK, "", 0.55, -11464.6),
                "the risk budget of 0.55 average risk for gallium costs 115 per 0.01 of average risk; it binds",
            ),
            (
                row(policy::MAX_HHI, "", 0.4, -39131.2),
                "the HHI cap of 4000 points for gallium costs 391 per 100 HHI points; it binds",
            ),
            (
                row(policy::MIN_GROUP_SHARE, "MSP", 0.3, 1837464.7),
                "the 30% minimum share from MSP for gallium costs 18375 per percentage point; it binds",
            ),
            (
                row(policy::MIN_SUPPLIERS, "", 2.0, 12.34),
                "the minimum of 2 suppliers for gallium costs 12.3 per supplier; it binds",
            ),
            (
                row(policy::MAX_SUPPLIER_SHARE, "S1", 0.25, -5000.0),
                "the 25% cap on supplier S1 for gallium costs 50 per percentage point; it binds",
            ),
            (
                row(policy::MAX_GROUP_SHARE, "OECD", 0.6, -1200.0),
                "the 60% maximum share from OECD for gallium costs 12 per percentage point; it binds",
            ),
            (
                row(policy::MAX_RISK_HHI, "", 0.15, -300.0),
                "the risk-weighted HHI cap of 1500 points for gallium costs 3 per 100 risk-weighted HHI points; it binds",
            ),
            (
                row(policy::MAX_SUPPLIERS, "", 4.0, -7.0),
                "the maximum of 4 suppliers for gallium costs 7 per supplier; it binds",
            ),
            (
                row(policy::MIN_COUNTRIES, "", 3.0, 250.0),
                "the minimum of 3 countries for gallium costs 250 per country; it binds",
            ),
        ];
        for (r, want) in cases {
            assert_eq!(shadow_sentence(&r).unwrap(), want);
        }
    }

    #[test]
    fn numbers_read_at_a_glance() {
        assert_eq!(percent(0.3125), "31.25%");
        assert_eq!(percent(0.2), "20%");
        assert_eq!(amount(0.012345), "0.0123");
        assert_eq!(amount(-1234.6), "-1235");
        assert_eq!(bound_text(policy::MAX_HHI, 0.25), "2500 points");
    }

    #[test]
    fn relaxations_read_as_instructions() {
        let cap = RelaxationRow {
            constraint: "min_group_share",
            kind: Some(policy::MIN_GROUP_SHARE),
            mineral: Name::from("germanium"),
            target: Name::from("MSP"),
            bound: 0.5,
            relaxed_bound: 0.31,
            line: 3,
            stage: Name::default(),
        };
        assert_eq!(
            no_solution_account("germanium", std::slice::from_ref(&cap)),
            "germanium: lower the minimum share from MSP for germanium from 50% to 31% (constraints.csv:3 min_group_share), or the model has no solution"
        );
        let demand = RelaxationRow {
            constraint: "demand",
            kind: None,
            mineral: Name::from("germanium"),
            target: Name::default(),
            bound: 1000.0,
            relaxed_bound: 800.0,
            line: 2,
            stage: Name::default(),
        };
        let both = no_solution_account("germanium", &[cap, demand]);
        assert!(both.starts_with("germanium has no solution unless all of these change (the least total relaxation, 0.39):"), "{both}");
        assert!(both.ends_with("- lower the demand for germanium from 1000 to 800 (leave 200 unsourced; demand.csv:2)"), "{both}");
    }
}
