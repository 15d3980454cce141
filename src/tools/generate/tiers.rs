//! tiers.csv for `generate --tiers F`: price tiers on a fraction F of the offers, spread
//! evenly (offer i of a mineral is picked when ⌊(i + 1)F⌋ > ⌊iF⌋; no random draw, so
//! the other files are the same with or without tiers). Picked offers alternate between
//! a rising incremental list (+10% from half the capacity) and an all-units discount
//! (−3% from a third of the capacity, −6% from two thirds).

use std::io::{self, Write};

use super::offers::Offer;
use super::plan::mineral_name;

/// The header of tiers.csv.
pub(super) const HEADER: &str = "supplier,mineral,kind,from,unit_cost";

/// Appends the tier rows of mineral `m`'s `offers` (supplier ids as suppliers.csv writes
/// them) for fraction `fraction` to `w`.
pub(super) fn write_tier_rows(
    w: &mut impl Write,
    m: usize,
    offers: &[Offer],
    fraction: f64,
) -> io::Result<()> {
    let mineral = mineral_name(m);
    let mut picked = 0usize;
    for (i, o) in offers.iter().enumerate() {
        if ((i + 1) as f64 * fraction).floor() <= (i as f64 * fraction).floor() {
            continue;
        }
        let id = format!("s{m:02}-{i:06}");
        let price = |factor: f64| (o.unit_cost * factor * 100.0).round() / 100.0;
        if picked.is_multiple_of(2) {
            let from = (o.capacity / 2.0).round();
            writeln!(w, "{id},{mineral},incremental,{from},{:.2}", price(1.10))?;
        } else {
            let (a, b) = ((o.capacity / 3.0).round(), (2.0 * o.capacity / 3.0).round());
            writeln!(w, "{id},{mineral},all_units,{a},{:.2}", price(0.97))?;
            writeln!(w, "{id},{mineral},all_units,{b},{:.2}", price(0.94))?;
        }
        picked += 1;
    }
    Ok(())
}
