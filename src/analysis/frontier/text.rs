//! The frontier as text on standard output.

use super::Frontier;
use crate::write::numbers::plain;

/// The frontier as a short account and a table.
pub fn render_text(f: &Frontier) -> String {
    let mut s = format!(
        "cost-risk frontier of {}: {} points from the least feasible bound to the current plan\n",
        f.measure,
        f.points.len()
    );
    s.push_str(&format!(
        "current plan: cost {}, {} {}\n\n",
        plain(f.current_cost),
        f.measure,
        plain(f.current_measure)
    ));
    s.push_str(&format!(
        "{:>5}  {:>14}  {:>18}  {:>14}\n",
        "point", "bound", "cost", "achieved"
    ));
    for p in &f.points {
        s.push_str(&format!(
            "{:>5}  {:>14.6}  {:>18.2}  {:>14.6}\n",
            p.point, p.bound, p.cost, p.achieved
        ));
    }
    s
}
