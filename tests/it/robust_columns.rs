//! The decomposition's master holds only some offers and prices the others in (column
//! screening): on models whose robust plan buys far deeper into safe countries than the
//! nominal plan, the decomposition must still reach the extensive form's optimum, every
//! round's lower bound must stay below it, and offers must actually have been priced in.

use crate::common::*;
use crate::robust::{opts, stressed};
use sourcemix::values::Seconds;

use sourcemix::analysis::robust::{solve_robust, Method, RobustOptions, RobustSolution};
use sourcemix::solve::Status;

/// Dearer offers a first master holds beyond the dearest one the incumbent buys in each
/// class: `analysis::robust::columns::MARGIN`, restated.
const MARGIN: usize = 20;

/// The decomposition's options; a master that never let a needed offer in would not
/// end, so a time limit turns that into a failure.
fn decomposition(weight: f64, alpha: f64) -> RobustOptions {
    let mut o = opts(Method::Decomposition, weight, alpha);
    o.solve.time_limit = Some(Seconds::literal(120.0));
    o
}

/// The robust solve and the nominal plan (per offer).
fn robust(model: &Loaded, o: &RobustOptions) -> (RobustSolution, Vec<f64>) {
    let out = solve_robust(model, &model.scenarios, o, &|_| {}).expect("robust solve");
    let nominal = out
        .nominal
        .minerals
        .iter()
        .flat_map(|m| m.quantities.iter().copied())
        .collect();
    let r = out.robust.expect("a robust plan");
    assert_eq!(r.status, Status::Optimal, "{:?}", r.status);
    (r, nominal)
}

/// The offers a first master holds out by the documented rule, worked out here: per
/// country (these models have one class per country), those ranked by landed cost
/// (then file order) past the dearest one `nominal` buys plus [`MARGIN`].
fn held_out(model: &Loaded, nominal: &[f64]) -> Vec<bool> {
    let mut out = vec![false; model.offers.len()];
    for c in 0..model.countries.len() {
        let mut class: Vec<usize> = (0..model.offers.len())
            .filter(|&i| model.offers[i].country == c)
            .collect();
        class.sort_by(|&a, &b| {
            let (la, lb) = (model.offers[a].landed_cost, model.offers[b].landed_cost);
            la.total_cmp(&lb).then(a.cmp(&b))
        });
        let bought = class.iter().rposition(|&i| nominal[i] > 0.0);
        for &i in class.iter().skip(bought.map_or(0, |k| k + 1) + MARGIN) {
            out[i] = true;
        }
    }
    out
}

/// One mineral over four countries of 100 small offers each: the two cheapest are
/// often banned, with spot prices doubling, the dearest never, so the robust plan
/// reaches far into the safe country's price list, past what the nominal plan buys.
/// With `hhi`, an HHI cap (second-order cones in the master).
fn deep_model(rng: &mut TestRng, hhi: bool) -> Loaded {
    let countries = [("CHN", 10), ("AUS", 10), ("CAN", 12), ("USA", 14)];
    let mut s = String::from("supplier,mineral,country,unit_cost,capacity\n");
    for (c, base) in countries {
        for k in 0..100 {
            // The safe country's offers are small, so moving volume there takes many.
            let capacity = if c == "USA" { 1 } else { 1 + rng.below(3) };
            s.push_str(&format!(
                "{c}{k},ga,{c},{},{capacity}\n",
                base + rng.below(10)
            ));
        }
    }
    let demand = format!(
        "mineral,quantity,unmet_penalty\nga,100,{}\n",
        90 + rng.below(40)
    );
    // A ban comes with a price spike on the spot market.
    let p = |rng: &mut TestRng| 0.1 + rng.below(5) as f64 / 100.0;
    let scenarios = format!(
        "scenario,probability,mineral,country,supplier,capacity_factor,price_factor
ban,{0},,CHN,,0,
ban,{0},ga,,,,2
ban_aus,{1},,AUS,,0,
ban_aus,{1},ga,,,,2
cut,0.1,ga,CAN,,0.5,
",
        p(rng),
        p(rng)
    );
    let mut c = String::from("constraint,mineral,target,bound\nmax_country_share,*,*,0.5\n");
    if hhi {
        c.push_str("max_hhi,*,,0.4\n");
    }
    loaded_from(&[
        ("suppliers.csv", s.as_str()),
        ("demand.csv", demand.as_str()),
        ("scenarios.csv", scenarios.as_str()),
        ("constraints.csv", c.as_str()),
    ])
}

/// Checks the decomposition `d` against the extensive form `e` on `model`; returns the
/// offers priced into the master.
fn agrees(
    model: &Loaded,
    e: &RobustSolution,
    d: &RobustSolution,
    w: f64,
    a: f64,
    what: &str,
) -> usize {
    assert_rel(e.objective, d.objective, 1e-6, what);
    // stress reads a shortfall below 1e-7 of demand as rounding, the objective charges
    // it: an interior-point plan a hair short of demand differs by about 1e-9.
    assert_rel(d.objective, stressed(model, &d.plan, w, a), 1e-8, what);
    for it in &d.iterations {
        // A round's bound counts what the held-out offers could still save; without it
        // a restricted master's optimum can lie above the true one.
        assert!(
            it.lower_bound <= e.objective * (1.0 + 1e-9),
            "{what}: round {} bound {} above the optimum {}",
            it.iteration,
            it.lower_bound,
            e.objective
        );
    }
    let q = vec![d.plan.clone()];
    let unmet = vec![(model.minerals[0].demand - d.plan.iter().sum::<f64>()).max(0.0)];
    check_plan(model, &q, &unmet).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(d.gap.expect("a gap") <= 1e-7, "{what}: gap {:?}", d.gap);
    d.iterations.iter().map(|it| it.columns).sum()
}

/// Runs both methods on `model`; returns the offers priced into the masters and
/// whether the optimum buys an offer the first master held out.
fn case(model: &Loaded, o: &RobustOptions, what: &str) -> (usize, bool) {
    let (w, a) = (o.cvar_weight.get(), o.alpha.get());
    let mut e = o.clone();
    e.method = Method::Extensive;
    let (e, _) = robust(model, &e);
    let (d, nominal) = robust(model, o);
    let priced = agrees(model, &e, &d, w, a, what);
    let out = held_out(model, &nominal);
    let needed = (0..d.plan.len()).any(|i| out[i] && d.plan[i] > 0.0);
    (priced, needed)
}

#[test]
fn screened_masters_reach_the_extensive_optimum() {
    let mut rng = TestRng::new(41);
    let mut needed = 0;
    for k in 0..4 {
        let hhi = k % 2 == 1;
        let model = deep_model(&mut rng, hhi);
        let (w, a) = [(1.0, 0.9), (0.5, 0.8)][k % 2];
        let (priced, need) = case(
            &model,
            &decomposition(w, a),
            &format!("case {k} (hhi {hhi})"),
        );
        // A linear master is kept warm whole (in microlp, or HiGHS in a highs build);
        // only masters with HHI cones are screened.
        let screened = hhi;
        if need && screened {
            assert!(priced > 0, "case {k}: the optimum needs a held-out offer");
            needed += 1;
        }
    }
    assert!(
        needed >= 1,
        "no model needs an offer the first master held out"
    );
}

/// A cold HiGHS master (named solver) prices with HiGHS's duals.
#[cfg(feature = "highs")]
#[test]
fn screened_highs_masters_reach_the_extensive_optimum() {
    use sourcemix::engine::SolverKind;
    use sourcemix::solve::SolverChoice;
    let mut rng = TestRng::new(43);
    let mut needed = 0;
    for k in 0..2 {
        let model = deep_model(&mut rng, false);
        let mut o = decomposition(1.0, 0.9);
        o.solve.solver = SolverChoice::Named(SolverKind::Highs);
        let (_, need) = case(&model, &o, &format!("case {k}"));
        needed += usize::from(need);
    }
    assert!(
        needed >= 1,
        "no model needs an offer the first master held out"
    );
}
