//! The problem over country quantities with its HHI caps as norms: each share s_c is an
//! affine function of the quantities (its definition row) and each epigraph t_c ≥ s_c²
//! appears only in cap rows Σ w_c t_c ≤ b, so the caps are exactly
//! ‖(√w_c s_c(q))_c‖ ≤ √b — one second-order cone per cap instead of a share, an
//! epigraph and a 3-row cone per country. The cone problem loses about half its
//! variables and a third of its rows; its optimum is the same (the t_c are free above
//! s_c², so t_c = s_c² loses nothing).
//!
//! An objective Σ w_c t_c alone (the least HHI) becomes min r with ‖(√w_c s_c(q))‖ ≤ r,
//! the same minimizers. When the problem lacks that shape (a share in another row, a
//! cost on s, costs on t beside others, a negative weight), the caller's epigraph form
//! is solved instead.

use crate::engine::conic::{solve_with_epigraphs, solve_with_norms, NormCap};
use crate::engine::lp::{Lp, RowTag, Sense};
use crate::engine::{LpResult, LpStatus};

/// What a variable of the epigraph form is in the reduced problem.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    /// A variable of the reduced problem (its index there).
    Kept(usize),
    /// The share of pair `p`, defined by its row.
    Share(usize),
    /// The epigraph variable of pair `p`.
    Epigraph(usize),
}

/// An affine form c + Σ a·x over reduced variables.
type Form = (f64, Vec<(usize, f64)>);

/// The reduced problem and how to map its solution back.
struct Reduced {
    lp: Lp,
    norms: Vec<NormCap>,
    roles: Vec<Role>,
    /// Per pair: its share as a form of reduced variables.
    shares: Vec<Form>,
}

/// Solves `lp` with t ≥ s² for every `(s, t)` of `pairs` (the rows `skip_row` names
/// left out), through the norm form when the problem has its shape. The solution is in
/// `lp`'s variables (t_c = s_c² in the norm form); row duals only from the epigraph form.
pub(crate) fn solve(
    lp: &Lp,
    pairs: &[(usize, usize)],
    skip_row: impl Fn(usize) -> bool,
    time_limit_secs: Option<f64>,
) -> LpResult {
    let Some(r) = reduce(lp, pairs, &skip_row) else {
        return solve_with_epigraphs(lp, pairs, skip_row, time_limit_secs);
    };
    let mut out = solve_with_norms(&r.lp, &r.norms, time_limit_secs);
    if out.status != LpStatus::Optimal {
        // Near the least bound the norm form can stall where the epigraph form does not.
        return solve_with_epigraphs(lp, pairs, skip_row, time_limit_secs);
    }
    out.x = r.lift(&out.x);
    out.duals = None;
    out
}

impl Reduced {
    /// The point of the epigraph form at the reduced point `y`.
    fn lift(&self, y: &[f64]) -> Vec<f64> {
        let share = |p: usize| {
            let (c, terms) = &self.shares[p];
            c + terms.iter().map(|&(j, a)| a * y[j]).sum::<f64>()
        };
        self.roles
            .iter()
            .map(|&role| match role {
                Role::Kept(j) => y[j],
                Role::Share(p) => share(p),
                Role::Epigraph(p) => share(p).powi(2),
            })
            .collect()
    }
}

/// The reduced problem, or `None` when `lp` lacks the shape.
fn reduce(lp: &Lp, pairs: &[(usize, usize)], skip_row: &impl Fn(usize) -> bool) -> Option<Reduced> {
    if pairs.is_empty() {
        return None;
    }
    let roles = roles(lp, pairs)?;
    let objective = objective_weights(lp, pairs)?;
    let mut out = Lp::default();
    for (v, role) in lp.vars.iter().zip(&roles) {
        if let Role::Kept(_) = role {
            out.add_var(v.lower, v.upper, v.cost);
        }
    }
    let mut shares: Vec<Option<Form>> = vec![None; pairs.len()];
    let mut caps = Vec::new();
    for (k, row) in lp.rows.iter().enumerate() {
        if skip_row(k) {
            continue;
        }
        let touched = |f: fn(Role) -> bool| row.terms.iter().any(|&(j, _)| f(roles[j]));
        let share_row = touched(|r| matches!(r, Role::Share(_)));
        let cap_row = touched(|r| matches!(r, Role::Epigraph(_)));
        match (share_row, cap_row) {
            (false, false) => {
                let terms = row.terms.iter().map(|&(j, a)| (kept(roles[j]), a));
                out.add_row(row.tag, terms.collect(), row.sense, row.rhs);
            }
            (true, false) => {
                let (p, form) = definition(row, &roles)?;
                if shares[p].replace(form).is_some() {
                    return None;
                }
            }
            (false, true) => caps.push(k),
            (true, true) => return None,
        }
    }
    let shares: Vec<Form> = shares.into_iter().collect::<Option<_>>()?;
    for (p, &(s, t)) in pairs.iter().enumerate() {
        share_bounds(&mut out, lp, s, t, &shares[p])?;
    }
    let mut norms: Vec<NormCap> = caps
        .iter()
        .map(|&k| norm_of(&lp.rows[k], &roles, &shares))
        .collect::<Option<_>>()?;
    if let Some(w) = objective {
        // min Σ w t = min ‖(√w s)‖², the same minimizers as min r with ‖(√w s)‖ ≤ r.
        let r = out.add_var(0.0, f64::INFINITY, 1.0);
        let terms = pairs.iter().zip(w).map(|(&(_, t), w)| (t, w)).collect();
        let row = crate::engine::lp::Row {
            tag: RowTag::Other,
            terms,
            sense: Sense::Le,
            rhs: 0.0,
        };
        let mut norm = norm_of(&row, &roles, &shares)?;
        norm.radius_var = Some(r);
        norms.push(norm);
    }
    Some(Reduced {
        lp: out,
        norms,
        roles,
        shares,
    })
}

/// The objective's weights on the epigraphs when it is Σ w t alone (w ≥ 0, no other
/// cost: minimizing a weighted HHI), `Some(None)` when no share or epigraph has a cost,
/// `None` otherwise.
#[allow(clippy::option_option)]
fn objective_weights(lp: &Lp, pairs: &[(usize, usize)]) -> Option<Option<Vec<f64>>> {
    let mut in_pair = vec![false; lp.vars.len()];
    for &(s, t) in pairs {
        in_pair[s] = true;
        in_pair[t] = true;
    }
    let w: Vec<f64> = pairs.iter().map(|&(_, t)| lp.vars[t].cost).collect();
    if pairs.iter().any(|&(s, _)| lp.vars[s].cost != 0.0)
        || w.iter().any(|&c| c.is_nan() || c < 0.0)
    {
        return None;
    }
    if w.iter().all(|&c| c == 0.0) {
        return Some(None);
    }
    let others = lp
        .vars
        .iter()
        .zip(&in_pair)
        .any(|(v, &p)| !p && v.cost != 0.0);
    (!others).then_some(Some(w))
}

/// The role of every variable, or `None` when a variable is in two pairs.
fn roles(lp: &Lp, pairs: &[(usize, usize)]) -> Option<Vec<Role>> {
    let mut roles = vec![Role::Kept(0); lp.vars.len()];
    for (p, &(s, t)) in pairs.iter().enumerate() {
        if s == t || roles[s] != Role::Kept(0) || roles[t] != Role::Kept(0) {
            return None;
        }
        roles[s] = Role::Share(p);
        roles[t] = Role::Epigraph(p);
    }
    let mut next = 0;
    for r in &mut roles {
        if let Role::Kept(j) = r {
            *j = next;
            next += 1;
        }
    }
    Some(roles)
}

fn kept(role: Role) -> usize {
    match role {
        Role::Kept(j) => j,
        _ => unreachable!("only rows without shares or epigraphs are copied"),
    }
}

/// The share a definition row `α s + Σ a x = r` fixes: (pair, (r − Σ a x) / α).
fn definition(row: &crate::engine::lp::Row, roles: &[Role]) -> Option<(usize, Form)> {
    if row.sense != Sense::Eq {
        return None;
    }
    let mut pair = None;
    let mut rest = Vec::new();
    for &(j, a) in &row.terms {
        match roles[j] {
            Role::Share(p) if pair.is_none() && a != 0.0 => pair = Some((p, a)),
            Role::Kept(i) => rest.push((i, a)),
            _ => return None,
        }
    }
    let (p, alpha) = pair?;
    let terms = rest.into_iter().map(|(i, a)| (i, -a / alpha)).collect();
    Some((p, (row.rhs / alpha, terms)))
}

/// States the bounds of s and t (|s| ≤ √t's upper bound; t ≥ s² ≥ 0 needs no lower one)
/// as rows on the share's form, unless the reduced variables' bounds already imply them.
fn share_bounds(out: &mut Lp, lp: &Lp, s: usize, t: usize, form: &Form) -> Option<()> {
    let (sv, tv) = (&lp.vars[s], &lp.vars[t]);
    if tv.lower > 0.0 {
        return None;
    }
    let cap = tv.upper.max(0.0).sqrt();
    let lower = sv.lower.max(-cap);
    let upper = sv.upper.min(cap);
    let (lo, hi) = range(out, form);
    let terms = &form.1;
    if upper < hi {
        out.add_row(RowTag::Other, terms.clone(), Sense::Le, upper - form.0);
    }
    if lower > lo {
        out.add_row(RowTag::Other, terms.clone(), Sense::Ge, lower - form.0);
    }
    Some(())
}

/// The range of `form` over the variable bounds of `lp` and the bounds its rows with
/// positive coefficients on non-negative variables imply (x_j ≤ rhs / a_j).
fn range(lp: &Lp, form: &Form) -> (f64, f64) {
    let mut upper: Vec<f64> = lp.vars.iter().map(|v| v.upper).collect();
    for row in &lp.rows {
        let positive = row
            .terms
            .iter()
            .all(|&(j, a)| a > 0.0 && lp.vars[j].lower >= 0.0);
        if positive && matches!(row.sense, Sense::Le | Sense::Eq) {
            for &(j, a) in &row.terms {
                upper[j] = upper[j].min(row.rhs / a);
            }
        }
    }
    let (mut lo, mut hi) = (form.0, form.0);
    for &(j, a) in form.1.iter().filter(|&&(_, a)| a != 0.0) {
        let (l, u) = (lp.vars[j].lower, upper[j]);
        let (x, y) = (a * l, a * u);
        lo += x.min(y);
        hi += x.max(y);
    }
    (lo, hi)
}

/// The norm of a cap row Σ w t ≤ b (w ≥ 0, b ≥ 0): ‖(√w s(q))‖ ≤ √b.
fn norm_of(row: &crate::engine::lp::Row, roles: &[Role], shares: &[Form]) -> Option<NormCap> {
    if row.sense != Sense::Le || row.rhs.is_nan() || row.rhs < 0.0 {
        return None;
    }
    let mut forms = Vec::new();
    for &(j, w) in &row.terms {
        let Role::Epigraph(p) = roles[j] else {
            return None;
        };
        if w < 0.0 || !w.is_finite() {
            return None;
        }
        if w > 0.0 {
            let r = w.sqrt();
            let (c, terms) = &shares[p];
            forms.push((r * c, terms.iter().map(|&(i, a)| (i, r * a)).collect()));
        }
    }
    Some(NormCap {
        radius: row.rhs.sqrt(),
        radius_var: None,
        forms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two countries, q1 + q2 = 1, costs 1 and 2, shares s_c = q_c, HHI cap
    /// s1² + s2² ≤ 0.58: the cap binds at q1 = 0.7 (0.49 + 0.09), cost 1.3 (by hand).
    fn two_countries(cap: f64) -> (Lp, Vec<(usize, usize)>) {
        let mut lp = Lp::default();
        let q1 = lp.add_var(0.0, f64::INFINITY, 1.0);
        let q2 = lp.add_var(0.0, f64::INFINITY, 2.0);
        let mut pairs = Vec::new();
        for q in [q1, q2] {
            let s = lp.add_var(f64::NEG_INFINITY, f64::INFINITY, 0.0);
            let t = lp.add_var(f64::NEG_INFINITY, 1.0, 0.0);
            lp.add_row(
                RowTag::Definition,
                vec![(q, 1.0), (s, -1.0)],
                Sense::Eq,
                0.0,
            );
            pairs.push((s, t));
        }
        lp.add_row(RowTag::Demand, vec![(q1, 1.0), (q2, 1.0)], Sense::Eq, 1.0);
        let terms = pairs.iter().map(|&(_, t)| (t, 1.0)).collect();
        lp.add_row(RowTag::Policy(0), terms, Sense::Le, cap);
        (lp, pairs)
    }

    #[test]
    fn the_norm_form_has_the_hand_solved_optimum() {
        let (lp, pairs) = two_countries(0.58);
        let r = reduce(&lp, &pairs, &|_| false).expect("the shape is there");
        // q1, q2 only; the demand row; one cone of the two shares; the share bounds
        // (|s| ≤ 1) are implied by the demand row.
        assert_eq!((r.lp.vars.len(), r.lp.rows.len(), r.norms.len()), (2, 1, 1));
        let out = solve(&lp, &pairs, |_| false, None);
        assert_eq!(out.status, LpStatus::Optimal);
        let x = &out.x;
        assert!(
            (x[0] - 0.7).abs() < 1e-7 && (x[1] - 0.3).abs() < 1e-7,
            "{x:?}"
        );
        // Shares and epigraphs lifted: s = q, t = s².
        assert!((x[2] - x[0]).abs() < 1e-12 && (x[3] - x[0] * x[0]).abs() < 1e-12);
        let cost: f64 = lp.vars.iter().zip(x).map(|(v, x)| v.cost * x).sum();
        assert!((cost - 1.3).abs() < 1e-7, "{cost}");
    }

    #[test]
    fn the_norm_form_agrees_with_the_epigraph_form() {
        // Caps from loose to nearly the least HHI (0.5); the epigraph form is the
        // independent reference.
        for cap in [0.9, 0.7, 0.6, 0.52, 0.5 + 1e-6] {
            let (lp, pairs) = two_countries(cap);
            let a = solve(&lp, &pairs, |_| false, None);
            let b = solve_with_epigraphs(&lp, &pairs, |_| false, None);
            let cost = |x: &[f64]| lp.vars.iter().zip(x).map(|(v, x)| v.cost * x).sum::<f64>();
            assert!((cost(&a.x) - cost(&b.x)).abs() < 1e-7, "{cap}");
        }
    }

    /// The least HHI of two countries, the first capped at 0.6 of demand (q1 + q2 = 1):
    /// an even split, 0.5 (by hand); with q1 ≤ 0.3, q1 = 0.3 and 0.09 + 0.49 = 0.58.
    #[test]
    fn the_least_hhi_is_minimized_as_a_norm() {
        for (cap, least) in [(0.6, 0.5), (0.3, 0.58)] {
            let (mut lp, pairs) = two_countries(0.9);
            lp.add_row(RowTag::Other, vec![(0, 1.0)], Sense::Le, cap);
            for v in &mut lp.vars {
                v.cost = 0.0;
            }
            for &(_, t) in &pairs {
                lp.vars[t].cost = 1.0;
            }
            let r = reduce(&lp, &pairs, &|_| false).expect("the shape is there");
            assert_eq!(r.norms.len(), 2, "the cap and the objective");
            let out = solve(&lp, &pairs, |_| false, None);
            let hhi = out.x[0].powi(2) + out.x[1].powi(2);
            assert!((hhi - least).abs() < 1e-9, "{cap}: {hhi} {:?}", out.x);
        }
    }

    #[test]
    fn a_share_in_another_row_or_a_cost_on_it_keeps_the_epigraph_form() {
        let (mut lp, pairs) = two_countries(0.58);
        let s = pairs[0].0;
        lp.add_row(RowTag::Other, vec![(s, 1.0)], Sense::Le, 0.9);
        assert!(reduce(&lp, &pairs, &|_| false).is_none());
        let (mut lp, pairs) = two_countries(0.58);
        lp.vars[pairs[1].0].cost = 1.0;
        assert!(reduce(&lp, &pairs, &|_| false).is_none());
        // An HHI in the objective beside linear costs.
        let (mut lp, pairs) = two_countries(0.58);
        lp.vars[pairs[1].1].cost = 1.0;
        assert!(reduce(&lp, &pairs, &|_| false).is_none());
        // Still solved (the epigraph form): q1 = 0.7 again.
        let (lp, pairs) = two_countries(0.58);
        let mut lp2 = lp.clone();
        lp2.add_row(RowTag::Other, vec![(pairs[0].0, 1.0)], Sense::Le, 0.9);
        let out = solve(&lp2, &pairs, |_| false, None);
        assert!((out.x[0] - 0.7).abs() < 1e-7);
    }
}
