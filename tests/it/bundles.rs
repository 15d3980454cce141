//! Bundle bids and lot discounts (issue 25 item 4) against independent references:
//! every choice of bundles taken, discount step reached and lots won enumerated, each
//! choice a linear program solved here with good_lp; hand-solved cases with HHI caps
//! and count rules; the reports; bad bundles.csv and discounts.csv rows.

use good_lp::{variable, Expression, ProblemVariables, Solution as _, SolverModel, Variable};
use sourcemix::solve::SolverChoice;
use sourcemix::Model;

use crate::common::cli::Workdir;
use crate::common::{assert_close, model_from, range, try_solve, TestRng};

/// The total cost of the model's plan, or `None` when it has none.
pub(crate) fn optimum(model: &Model) -> Option<f64> {
    let plan = try_solve(model, SolverChoice::Auto).ok()?;
    (plan.status.exit_code() == 0).then(|| plan.minerals.iter().map(|m| m.cost).sum())
}

pub(crate) fn model(files: &[(&str, String)]) -> Model {
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, s)| (*n, s.as_str())).collect();
    model_from(&refs)
}

const MINERALS: [&str; 2] = ["co", "li"];
const COUNTRIES: [(&str, f64); 3] = [("AUS", 0.1), ("CHN", 0.05), ("USA", 0.0)];

/// One offer: supplier s (country COUNTRIES[s]) selling MINERALS[m].
#[derive(Clone, Copy)]
struct Offer {
    unit: f64,
    freight: f64,
    capacity: f64,
}

/// A bundle: supplier, lines (mineral, quantity), and a price or a discount.
#[derive(Clone)]
struct Bid {
    supplier: usize,
    lines: Vec<(usize, f64)>,
    price: Option<f64>,
    discount: Option<f64>,
}

/// A lot discount: supplier, its lots (minerals), steps (min_lots, fraction).
#[derive(Clone)]
struct Disc {
    supplier: usize,
    lots: Vec<usize>,
    all: bool,
    steps: Vec<(usize, f64)>,
}

#[derive(Clone)]
pub(crate) struct Case {
    offers: [[Offer; 2]; 3],
    demand: [f64; 2],
    bids: Vec<Bid>,
    discs: Vec<Disc>,
    pub(crate) chn_cap: Option<f64>,
}

impl Case {
    fn tariff(s: usize) -> f64 {
        COUNTRIES[s].1
    }
    fn price_part(&self, s: usize, m: usize) -> f64 {
        self.offers[s][m].unit * (1.0 + Self::tariff(s))
    }
    fn landed(&self, s: usize, m: usize) -> f64 {
        self.price_part(s, m) + self.offers[s][m].freight
    }
    /// The bundle's landed cost less its lines at list price, from the README's rule:
    /// the price split by value at unit cost, each part with its tariff, plus freight.
    fn bundle_extra(&self, b: &Bid) -> f64 {
        let s = b.supplier;
        let value: f64 = b
            .lines
            .iter()
            .map(|&(m, q)| q * self.offers[s][m].unit)
            .sum();
        let price = b
            .price
            .unwrap_or_else(|| (1.0 - b.discount.unwrap()) * value);
        b.lines
            .iter()
            .map(|&(m, q)| {
                let part = price * q * self.offers[s][m].unit / value;
                part * (1.0 + Self::tariff(s)) + q * self.offers[s][m].freight
                    - q * self.landed(s, m)
            })
            .sum()
    }

    pub(crate) fn files(&self, with_coupling: bool) -> Vec<(&'static str, String)> {
        let mut s = String::from("supplier,mineral,country,unit_cost,capacity,freight\n");
        for (k, row) in self.offers.iter().enumerate() {
            for (m, o) in row.iter().enumerate() {
                s += &format!(
                    "s{k},{},{},{},{},{}\n",
                    MINERALS[m], COUNTRIES[k].0, o.unit, o.capacity, o.freight
                );
            }
        }
        let mut c = String::from("country,risk,tariff\n");
        for (code, t) in COUNTRIES {
            c += &format!("{code},0.1,{t}\n");
        }
        let mut out = vec![
            ("suppliers.csv", s),
            (
                "demand.csv",
                format!(
                    "mineral,quantity\nco,{}\nli,{}\n",
                    self.demand[0], self.demand[1]
                ),
            ),
            ("countries.csv", c),
        ];
        if let Some(cap) = self.chn_cap {
            out.push((
                "constraints.csv",
                format!("constraint,mineral,target,bound\nmax_country_share,*,CHN,{cap}\n"),
            ));
        }
        if !with_coupling {
            return out;
        }
        let mut b = String::from("bundle,supplier,mineral,quantity,price,discount\n");
        for (k, bid) in self.bids.iter().enumerate() {
            for &(m, q) in &bid.lines {
                let price = bid.price.map_or(String::new(), |p| p.to_string());
                let disc = bid.discount.map_or(String::new(), |d| d.to_string());
                b += &format!(
                    "b{k},s{},{},{q},{price},{disc}\n",
                    bid.supplier, MINERALS[m]
                );
            }
        }
        let mut d = String::from("supplier,min_lots,discount,minerals\n");
        for disc in &self.discs {
            let names: Vec<&str> = disc.lots.iter().map(|&m| MINERALS[m]).collect();
            let lots = if disc.all {
                "*".into()
            } else {
                names.join(";")
            };
            for &(k, f) in &disc.steps {
                d += &format!("s{},{k},{f},{lots}\n", disc.supplier);
            }
        }
        out.push(("bundles.csv", b));
        out.push(("discounts.csv", d));
        out
    }

    /// The least cost over every choice of bundles taken and, per discount, the step
    /// reached and a set of lots won large enough for it: each choice one LP.
    pub(crate) fn enumerated(&self) -> Option<f64> {
        let mut best: Option<f64> = None;
        let choices: Vec<Vec<(Option<usize>, Vec<usize>)>> =
            self.discs.iter().map(disc_choices).collect();
        for taken in 0..(1usize << self.bids.len()) {
            let mut pick = vec![0usize; choices.len()];
            loop {
                let chosen: Vec<&(Option<usize>, Vec<usize>)> =
                    pick.iter().zip(&choices).map(|(&p, c)| &c[p]).collect();
                if let Some(c) = self.lp(taken, &chosen) {
                    best = Some(best.map_or(c, |b: f64| b.min(c)));
                }
                if !advance(&mut pick, &choices) {
                    break;
                }
            }
        }
        best
    }

    /// The LP of one choice: bundles `taken` (a bit set); per discount (step, lots won).
    fn lp(&self, taken: usize, discs: &[&(Option<usize>, Vec<usize>)]) -> Option<f64> {
        let mut vars = ProblemVariables::new();
        let mut low = [[0.0f64; 2]; 3];
        let mut bundled = [[0.0f64; 2]; 3];
        let mut constant = 0.0;
        for (k, b) in self.bids.iter().enumerate() {
            if taken >> k & 1 == 1 {
                for &(m, q) in &b.lines {
                    bundled[b.supplier][m] += q;
                }
                constant += self.bundle_extra(b);
            }
        }
        for s in 0..3 {
            for m in 0..2 {
                low[s][m] = bundled[s][m];
            }
        }
        let mut off = [[0.0f64; 2]; 3];
        for (disc, (step, won)) in self.discs.iter().zip(discs) {
            for &lot in won {
                let threshold = 1e-6 * self.demand[disc.lots[lot]];
                let m = disc.lots[lot];
                low[disc.supplier][m] = low[disc.supplier][m].max(threshold);
            }
            if let Some(t) = step {
                for &m in &disc.lots {
                    off[disc.supplier][m] = disc.steps[*t].1;
                }
            }
        }
        let x: Vec<Vec<Variable>> = (0..3)
            .map(|s| {
                (0..2)
                    .map(|m| vars.add(variable().min(low[s][m]).max(self.offers[s][m].capacity)))
                    .collect()
            })
            .collect();
        if (0..3).any(|s| (0..2).any(|m| low[s][m] > self.offers[s][m].capacity)) {
            return None;
        }
        let mut objective = Expression::from(constant);
        for s in 0..3 {
            for m in 0..2 {
                let f = off[s][m];
                let p = self.price_part(s, m);
                objective += (self.landed(s, m) - f * p) * x[s][m] + f * p * bundled[s][m];
            }
        }
        let mut p = vars.minimise(objective.clone()).using(good_lp::microlp);
        for (m, &demand) in self.demand.iter().enumerate() {
            let total: Expression = x.iter().map(|row| row[m]).sum();
            p.add_constraint(total.eq(demand));
            if let Some(cap) = self.chn_cap {
                p.add_constraint(Expression::from(x[1][m]).leq(cap * demand));
            }
        }
        p.solve().ok().map(|s| s.eval(&objective))
    }
}

/// A discount's choices: no step (no lots forced), or step t with a set of at least
/// k_t lots won (indices into its lots).
fn disc_choices(d: &Disc) -> Vec<(Option<usize>, Vec<usize>)> {
    let n = d.lots.len();
    let mut out = vec![(None, Vec::new())];
    for (t, &(k, _)) in d.steps.iter().enumerate() {
        for set in 0..(1usize << n) {
            let won: Vec<usize> = (0..n).filter(|&i| set >> i & 1 == 1).collect();
            if won.len() >= k {
                out.push((Some(t), won));
            }
        }
    }
    out
}

/// The next combination of `pick` (odometer); false after the last.
fn advance(pick: &mut [usize], choices: &[Vec<(Option<usize>, Vec<usize>)>]) -> bool {
    for (p, c) in pick.iter_mut().zip(choices) {
        *p += 1;
        if *p < c.len() {
            return true;
        }
        *p = 0;
    }
    false
}

pub(crate) fn random_case(rng: &mut TestRng, k: usize) -> Case {
    let offer = |rng: &mut TestRng, base: f64| Offer {
        unit: (range(rng, base * 0.8, base * 1.2) * 4.0).round() / 4.0,
        freight: (range(rng, 0.0, 1.0) * 4.0).round() / 4.0,
        capacity: range(rng, 40.0, 110.0).round(),
    };
    let offers = [
        [offer(rng, 20.0), offer(rng, 10.0)],
        [offer(rng, 20.0), offer(rng, 10.0)],
        [offer(rng, 20.0), offer(rng, 10.0)],
    ];
    let demand = [
        range(rng, 60.0, 120.0).round(),
        range(rng, 60.0, 120.0).round(),
    ];
    let q = |rng: &mut TestRng| range(rng, 10.0, 45.0).round();
    let (q0, q1, q2, q3, q4) = (q(rng), q(rng), q(rng), q(rng), q(rng));
    let value0 = q0 * offers[0][0].unit + q1 * offers[0][1].unit;
    let bids = vec![
        Bid {
            supplier: 0,
            lines: vec![(0, q0), (1, q1)],
            price: Some((value0 * range(rng, 0.8, 0.98)).round()),
            discount: None,
        },
        Bid {
            supplier: 1,
            lines: vec![(1, q2), (0, q3)],
            price: None,
            discount: Some((range(rng, 0.05, 0.2) * 100.0).round() / 100.0),
        },
        Bid {
            supplier: 2,
            lines: vec![(1, q4)],
            price: Some((q4 * offers[2][1].unit * range(rng, 0.85, 1.0)).round()),
            discount: None,
        },
    ];
    let mut discs = vec![Disc {
        supplier: 0,
        lots: vec![0, 1],
        all: true,
        steps: vec![(1, 0.03), (2, 0.08)],
    }];
    if k % 2 == 1 {
        discs.push(Disc {
            supplier: 2,
            lots: vec![0],
            all: false,
            steps: vec![(1, 0.06)],
        });
    }
    Case {
        offers,
        demand,
        bids,
        discs,
        chn_cap: (k % 3 == 2).then_some(0.3),
    }
}

#[test]
fn bundles_and_lot_discounts_equal_the_enumeration_of_choices() {
    let mut rng = TestRng::new(2504);
    let (mut feasible, mut changed) = (0, 0);
    for k in 0..12 {
        let case = random_case(&mut rng, k);
        let got = optimum(&model(&case.files(true)));
        let expected = case.enumerated();
        let flat = optimum(&model(&case.files(false)));
        if let (Some(g), Some(f)) = (got, flat) {
            assert!(g <= f + 1e-6 * f, "case {k}: bundles made the plan dearer");
            changed += usize::from(f - g > 1e-6 * f);
        }
        match (got, expected) {
            (Some(g), Some(e)) => {
                feasible += 1;
                assert_close(g, e, 1e-6 * e, &format!("case {k}"));
            }
            (None, None) => {}
            other => panic!("case {k}: solve and enumeration disagree: {other:?}"),
        }
    }
    assert!(feasible >= 9, "only {feasible} feasible cases");
    assert!(
        changed >= 6,
        "bundles and discounts changed only {changed} optima"
    );
}

/// li: a (AUS) at 10, b (CHN) at 9; co: a at 20, c (USA) at 18.
pub(crate) const SUPPLIERS: &str = "supplier,mineral,country,unit_cost,capacity\na,li,AUS,10,100\nb,li,CHN,9,60\na,co,AUS,20,100\nc,co,USA,18,70\n";
pub(crate) const DEMAND: &str = "mineral,quantity\nli,100\nco,100\n";

#[test]
fn a_bundle_is_taken_when_it_pays_hand_solved() {
    // Without the bundle: li 60 b + 40 a = 940, co 70 c + 30 a = 1860, total 2800.
    // With 50 li + 50 co from a at 1200 (list 1500): 1200 + 50·9 + 50·18 = 2550, the
    // bundle's price split 400 (li) / 800 (co) by value.
    let w = Workdir::with_model(&[
        ("suppliers.csv", SUPPLIERS),
        ("demand.csv", DEMAND),
        (
            "bundles.csv",
            "bundle,supplier,mineral,quantity,price\nb1,a,li,50,1200\nb1,a,co,50,1200\nb2,c,co,30,600\n",
        ),
    ]);
    w.run(&["solve", "model", "--out", "out"]).expect_code(0);
    // avg_unit_cost includes the bundle: 1700 / 100 and 850 / 100.
    let summary = w.read("out/summary.csv");
    assert!(summary.contains("co,100,100,0,1700,17,"), "{summary}");
    assert!(summary.contains("li,100,100,0,850,8.5,"), "{summary}");
    assert!(summary.contains("*,200,200,0,2550,12.75,"), "{summary}");
    let awards = w.read("out/bundle_awards.csv");
    assert_eq!(
        awards,
        "bundle,supplier,won,list_cost,bundle_cost,saving\nb1,a,true,1500,1200,300\nb2,c,false,540,600,0\n"
    );
    assert!(!w.path("out/lot_discounts.csv").exists());
}

#[test]
fn a_lot_discount_under_a_supplier_count_hand_solved() {
    // max_suppliers 1 per mineral: b and c cost 900 + 1800 = 2700; a with 15% off its
    // price once it wins both lots costs 850 + 1700 = 2550.
    let w = Workdir::with_model(&[
        ("suppliers.csv", SUPPLIERS),
        ("demand.csv", DEMAND),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_suppliers,*,,1\n",
        ),
        (
            "discounts.csv",
            "supplier,min_lots,discount\na,1,0.01\na,2,0.15\n",
        ),
    ]);
    w.run(&["solve", "model", "--out", "out"]).expect_code(0);
    let summary = w.read("out/summary.csv");
    assert!(summary.contains("co,100,100,0,1700"), "{summary}");
    assert!(summary.contains("li,100,100,0,850"), "{summary}");
    let lots = w.read("out/lot_discounts.csv");
    assert_eq!(
        lots,
        "supplier,mineral,quantity,won,lots_won,lots,min_lots,discount,saving,avg_unit_cost\na,co,100,true,2,2,2,0.15,300,17\na,li,100,true,2,2,2,0.15,150,8.5\n"
    );
}

/// li only: a (AUS) 10, b (CHN) 9; a's bundle: 80 at 640; `max_hhi,li,,CAP`.
pub(crate) fn hhi_bundle_model(cap: f64) -> Model {
    model(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost\na,li,AUS,10\nb,li,CHN,9\n".into(),
        ),
        ("demand.csv", "mineral,quantity\nli,100\n".into()),
        (
            "constraints.csv",
            format!("constraint,mineral,target,bound\nmax_hhi,li,,{cap}\n"),
        ),
        (
            "bundles.csv",
            "bundle,supplier,mineral,quantity,price\nbig,a,li,80,640\n".into(),
        ),
    ])
}

#[test]
fn a_bundle_under_an_hhi_cap_hand_solved() {
    // li only: a (AUS) 10, b (CHN) 9; a's bundle: 80 at 640. HHI ≤ 0.7 allows an 80/20
    // split: 640 + 20·9 = 820. HHI ≤ 0.5 needs 50/50, so no bundle: 500 + 450 = 950.
    for (cap, expected) in [(0.7, 820.0), (0.5, 950.0)] {
        let m = hhi_bundle_model(cap);
        let got = optimum(&m).expect("a plan");
        assert_close(got, expected, 1e-5 * expected, &format!("HHI cap {cap}"));
    }
}

/// `check` reads the files; `compare` now solves with them (tested against references in
/// `bundle_analyses`).
#[test]
fn check_and_compare_read_bundles() {
    let w = Workdir::with_model(&[
        ("suppliers.csv", SUPPLIERS),
        ("demand.csv", DEMAND),
        ("discounts.csv", "supplier,min_lots,discount\na,2,0.15\n"),
    ]);
    w.run(&["check", "model"]).expect_code(0);
    w.run(&["compare", "model", "--out", "out"]).expect_code(0);
    assert!(w
        .read("out/compare.csv")
        .starts_with("case,mineral,status,cost,saving,"));
}

/// Bad bundles.csv and discounts.csv rows: exit 2 naming the file, line, column and
/// value.
#[test]
fn bad_bundles_and_discounts_name_file_line_column_and_value() {
    let b = "bundle,supplier,mineral,quantity,price,discount\n";
    let d = "supplier,min_lots,discount,minerals\n";
    let cases = [
        (
            "bundles.csv",
            format!("{b}x,zz,li,5,10,\n"),
            "bundles.csv:2",
            "supplier",
            "zz",
        ),
        (
            "bundles.csv",
            format!("{b}x,b,co,5,10,\n"),
            "bundles.csv:2",
            "mineral",
            "co",
        ),
        (
            "bundles.csv",
            format!("{b}x,a,li,-5,10,\n"),
            "bundles.csv:2",
            "quantity",
            "-5",
        ),
        (
            "bundles.csv",
            format!("{b}x,a,li,0,10,\n"),
            "bundles.csv:2",
            "quantity",
            "0",
        ),
        (
            "bundles.csv",
            format!("{b}x,a,li,5,10,\nx,a,co,5,12,\n"),
            "bundles.csv:3",
            "price",
            "12",
        ),
        (
            "bundles.csv",
            format!("{b}x,a,li,5,10,\nx,c,co,5,10,\n"),
            "bundles.csv:3",
            "supplier",
            "c",
        ),
        (
            "bundles.csv",
            format!("{b}x,a,li,5,,1.5\n"),
            "bundles.csv:2",
            "discount",
            "1.5",
        ),
        (
            "bundles.csv",
            format!("{b}x,a,li,5,,\n"),
            "bundles.csv:2",
            "price",
            "empty",
        ),
        (
            "discounts.csv",
            format!("{d}zz,1,0.1,\n"),
            "discounts.csv:2",
            "supplier",
            "zz",
        ),
        (
            "discounts.csv",
            format!("{d}a,1.5,0.1,\n"),
            "discounts.csv:2",
            "min_lots",
            "1.5",
        ),
        (
            "discounts.csv",
            format!("{d}a,3,0.1,\n"),
            "discounts.csv:2",
            "min_lots",
            "3",
        ),
        (
            "discounts.csv",
            format!("{d}a,1,0.1,\na,1,0.2,\n"),
            "discounts.csv:3",
            "min_lots",
            "1",
        ),
        (
            "discounts.csv",
            format!("{d}a,1,0.1,\na,2,0.05,\n"),
            "discounts.csv:3",
            "discount",
            "0.05",
        ),
        (
            "discounts.csv",
            format!("{d}a,1,0.1,ni\n"),
            "discounts.csv:2",
            "minerals",
            "ni",
        ),
    ];
    for (file, text, at, column, value) in cases {
        let w = Workdir::with_model(&[
            ("suppliers.csv", SUPPLIERS),
            ("demand.csv", DEMAND),
            (file, &text),
        ]);
        w.run(&["check", "model"])
            .expect_code(2)
            .stderr_has(at)
            .stderr_has(column)
            .stderr_has(value);
    }
}

#[test]
fn an_infeasible_mineral_in_a_joined_group_is_exit_3_with_its_relaxation() {
    // li cannot be met (a and b both excluded); co is fine. The bundle joins them.
    let w = Workdir::with_model(&[
        ("suppliers.csv", SUPPLIERS),
        ("demand.csv", DEMAND),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,li,AUS,0\nmax_country_share,li,CHN,0.5\n",
        ),
        (
            "bundles.csv",
            "bundle,supplier,mineral,quantity,price\nb1,a,li,50,1200\nb1,a,co,50,1200\n",
        ),
    ]);
    w.run(&["solve", "model", "--out", "out"])
        .expect_code(3)
        .stdout_has("li");
    assert!(!w.path("out/bundle_awards.csv").exists());
}

/// `--by-priority` on a model with discounts: a row with a priority that the plan can
/// keep gives the plain solve's plan (tier 1 kept at no violation, then cost); without a
/// priority it is the plain solve, file for file. tests/it/priority_bundles.rs checks
/// tiers that give way.
#[test]
fn by_priority_with_discounts_keeps_a_tier_it_can_keep() {
    let discounts = ("discounts.csv", "supplier,min_lots,discount\na,2,0.15\n");
    let head = "constraint,mineral,target,bound,penalty,priority\n";
    let tiered = format!("{head}max_country_share,li,CHN,0.5,,1\n");
    let w = Workdir::with_model(&[
        ("suppliers.csv", SUPPLIERS),
        ("demand.csv", DEMAND),
        ("constraints.csv", &tiered),
        discounts,
    ]);
    w.run(&["solve", "model", "--out", "plain"]).expect_code(0);
    w.run(&["solve", "model", "--by-priority", "--out", "out"])
        .expect_code(0);
    for file in ["allocation.csv", "lot_discounts.csv"] {
        assert_eq!(
            w.read(&format!("plain/{file}")),
            w.read(&format!("out/{file}")),
            "{file}"
        );
    }
    let soft = format!("{head}max_country_share,li,CHN,0.5,3,\n");
    w.write_model("model", &[("constraints.csv", &soft)]);
    w.run(&["solve", "model", "--out", "plain"]).expect_code(0);
    w.run(&["solve", "model", "--by-priority", "--out", "tiers"])
        .expect_code(0);
    for file in [
        "allocation.csv",
        "summary.csv",
        "constraints.csv",
        "lot_discounts.csv",
    ] {
        assert_eq!(
            w.read(&format!("plain/{file}")),
            w.read(&format!("tiers/{file}")),
            "{file}"
        );
    }
}
