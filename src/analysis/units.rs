//! The unit a planner thinks in for each rule's bound, and shadow prices converted to it.
//!
//! The exact derivative (`shadow_price`) is per unit of the bound as written — a share
//! from 0 to 1, an HHI from 0 to 1 — so a cap's price per whole unit is a hundred times
//! what moving it by one percentage point is worth. [`point`] is the one place that says
//! what "one point" of each rule is; constraints.csv, JSON and the text summary all use
//! it through [`per_point`].

use crate::model::PolicyKind;

/// How much of its bound one "point" of a rule is, and what it is called.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// The step in the bound's own units: 0.01 for shares, average risk and HHI (100
    /// points on the 0–10,000 scale), 1 for counts.
    pub size: f64,
    /// The step in words, as in "costs 604 per percentage point".
    pub words: &'static str,
}

/// One point of `kind`'s bound; `None` for exclusions, which have no bound.
pub fn point(kind: PolicyKind) -> Option<Point> {
    let (size, words) = match kind {
        PolicyKind::MaxCountryShare
        | PolicyKind::MaxSupplierShare
        | PolicyKind::MinGroupShare
        | PolicyKind::MaxGroupShare => (0.01, "percentage point"),
        PolicyKind::MaxAvgRisk => (0.01, "0.01 of average risk"),
        PolicyKind::MaxHhi => (0.01, "100 HHI points"),
        PolicyKind::MaxRiskHhi => (0.01, "100 risk-weighted HHI points"),
        PolicyKind::MinSuppliers | PolicyKind::MaxSuppliers => (1.0, "supplier"),
        PolicyKind::MinCountries => (1.0, "country"),
        PolicyKind::ExcludeCountry | PolicyKind::ExcludeSupplier => return None,
    };
    Some(Point { size, words })
}

/// A shadow price (d cost / d bound) converted to cost per point of the bound; `None`
/// when there is no shadow price or the rule has no bound.
pub fn per_point(kind: PolicyKind, shadow_price: Option<f64>) -> Option<f64> {
    Some(shadow_price? * point(kind)?.size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bounded_rule_has_a_point_and_exclusions_none() {
        for kind in PolicyKind::ALL {
            assert_eq!(point(kind).is_none(), kind.is_exclusion(), "{kind:?}");
        }
    }

    #[test]
    fn per_point_is_the_derivative_times_the_step() {
        // A share cap priced at -60425 per unit of share costs 604.25 per point.
        let p = per_point(PolicyKind::MaxCountryShare, Some(-60425.0)).unwrap();
        assert!((p + 604.25).abs() < 1e-9);
        assert_eq!(per_point(PolicyKind::MinSuppliers, Some(12.5)), Some(12.5));
        assert_eq!(per_point(PolicyKind::MaxHhi, None), None);
        assert_eq!(per_point(PolicyKind::ExcludeCountry, Some(0.0)), None);
    }
}
