//! The unit a planner thinks in for each rule's bound, and shadow prices converted to it.
//!
//! The exact derivative (`shadow_price`) is per unit of the bound as written — a share
//! from 0 to 1, an HHI from 0 to 1 — so a cap's price per whole unit is a hundred times
//! what moving it by one percentage point is worth. [`point`] is the one place that says
//! what "one point" of each rule is; constraints.csv, JSON and the text summary all use
//! it through [`per_point`].

use crate::policy::Kind;

pub use crate::policy::Point;

/// One point of `kind`'s bound; `None` for exclusions, which have no bound.
pub fn point(kind: Kind) -> Option<Point> {
    kind.point()
}

/// A shadow price (d cost / d bound) converted to cost per point of the bound; `None`
/// when there is no shadow price or the rule has no bound.
pub fn per_point(kind: Kind, shadow_price: Option<f64>) -> Option<f64> {
    Some(shadow_price? * point(kind)?.size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bounded_rule_has_a_point_and_exclusions_none() {
        for &kind in crate::policy::ALL {
            assert_eq!(point(kind).is_none(), kind.is_exclusion(), "{kind:?}");
        }
    }

    #[test]
    fn per_point_is_the_derivative_times_the_step() {
        // A share cap priced at -60425 per unit of share costs 604.25 per point.
        let p = per_point(crate::policy::MAX_COUNTRY_SHARE, Some(-60425.0)).unwrap();
        assert!((p + 604.25).abs() < 1e-9);
        assert_eq!(
            per_point(crate::policy::MIN_SUPPLIERS, Some(12.5)),
            Some(12.5)
        );
        assert_eq!(per_point(crate::policy::MAX_HHI, None), None);
        assert_eq!(per_point(crate::policy::EXCLUDE_COUNTRY, Some(0.0)), None);
    }
}
