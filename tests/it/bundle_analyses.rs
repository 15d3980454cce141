//! Bundles and lot discounts in the commands other than `solve` (issue 25): compare,
//! policy, export, explain, frontier, solve --ranging and workbooks, each against an
//! independent reference: the enumeration of every bundle and discount choice (each an
//! LP solved by good_lp, `bundles::Case::enumerated`), or a direct solve of the model
//! edited by the test.

use crate::bundles::{model, optimum, random_case, Case, DEMAND, SUPPLIERS};
use crate::common::cli::Workdir;
use crate::common::{assert_close, TestRng};

/// compare.csv's `*` cost of each case, by case name.
fn compare_totals(csv: &str) -> Vec<(String, Option<f64>)> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (case, mineral, cost) = (at("case"), at("mineral"), at("cost"));
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[mineral] == "*")
        .map(|c| (c[case].to_string(), c[cost].parse().ok()))
        .collect()
}

/// The model's files with constraints.csv replaced by `rows` (none: no file).
fn with_rules(case: &Case, rows: &[&str]) -> Vec<(&'static str, String)> {
    let mut files: Vec<(&'static str, String)> = case
        .files(true)
        .into_iter()
        .filter(|(n, _)| *n != "constraints.csv")
        .collect();
    if !rows.is_empty() {
        let text = format!("constraint,mineral,target,bound\n{}\n", rows.join("\n"));
        files.push(("constraints.csv", text));
    }
    files
}

fn workdir(files: &[(&'static str, String)]) -> Workdir {
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, s)| (*n, s.as_str())).collect();
    Workdir::with_model(&refs)
}

fn close(got: Option<f64>, expected: Option<f64>, what: &str) {
    match (got, expected) {
        (Some(g), Some(e)) => assert_close(g, e, 1e-6 * e.abs().max(1.0), what),
        (None, None) => {}
        other => panic!("{what}: {other:?}"),
    }
}

/// Each compare case of a model with bundles and lot discounts costs what the
/// enumeration of choices gives for its rules (no rules; a 30% cap on CHN), or a direct
/// solve of the model with constraints.csv edited by the test (counts, a second cap).
#[test]
fn compare_cases_with_bundles_equal_enumerations_and_direct_solves() {
    let mut rng = TestRng::new(2525);
    for k in 0..6 {
        let mut case = random_case(&mut rng, k);
        // The model's own policy: the CHN cap on odd k, none on even k.
        case.chn_cap = (k % 2 == 1).then_some(0.3);
        let w = workdir(&case.files(true));
        let cases = "case,action,constraint,mineral,target,bound,file\n\
             own,full_policy,,,,,\n\
             best,no_rules,,,,,\n\
             capped,no_rules,,,,,\n\
             capped,add,max_country_share,*,CHN,0.3,\n\
             usa,add,max_country_share,*,USA,0.9,\n\
             one,limited_suppliers,,,,2,\n";
        w.write_bytes("cases.csv", cases.as_bytes());
        w.run(&["compare", "model", "--cases", "cases.csv", "--out", "out"])
            .expect_code(0);
        let totals = compare_totals(&w.read("out/compare.csv"));
        let own_rows: Vec<&str> = match case.chn_cap {
            Some(_) => vec!["max_country_share,*,CHN,0.3"],
            None => vec![],
        };
        let direct = |extra: &str| {
            let mut rows = own_rows.clone();
            rows.push(extra);
            optimum(&model(&with_rules(&case, &rows)))
        };
        let mut free = case.clone();
        free.chn_cap = None;
        let mut capped = case.clone();
        capped.chn_cap = Some(0.3);
        let expected = [
            ("own", case.enumerated()),
            ("best", free.enumerated()),
            ("capped", capped.enumerated()),
            ("usa", direct("max_country_share,*,USA,0.9")),
            ("one", direct("max_suppliers,*,,2")),
        ];
        assert_eq!(totals.len(), expected.len(), "case {k}");
        for ((name, got), (want, e)) in totals.iter().zip(expected) {
            assert_eq!(name, want);
            close(*got, e, &format!("model {k}, case {name}"));
        }
    }
}

/// compare.csv's cost holds the soft rules' penalties, and its `penalties` column that
/// part. li: a (AUS) at 10, b (CHN) at 9, demand 100, CHN capped at 60% soft at p per
/// point. p = 0.5: all from b, 40 points past the cap, 900 + 20 = 920; p = 2: the cap
/// kept, 60·9 + 40·10 = 940. The fixed plan (100 from b) costs 900 + 40 p.
#[test]
fn compare_costs_include_soft_penalties_hand_solved() {
    for (p, optimum, penalty) in [(0.5, 920.0, 20.0), (2.0, 940.0, 0.0)] {
        let rules =
            format!("constraint,mineral,target,bound,penalty\nmax_country_share,li,CHN,0.6,{p}\n");
        let w = Workdir::with_model(&[
            (
                "suppliers.csv",
                "supplier,mineral,country,unit_cost,capacity\na,li,AUS,10,100\nb,li,CHN,9,100\n",
            ),
            ("demand.csv", "mineral,quantity\nli,100\n"),
            ("constraints.csv", &rules),
        ]);
        w.write_bytes("plan.csv", b"mineral,supplier,quantity\nli,b,100\n");
        w.write_bytes(
            "cases.csv",
            b"case,action,constraint,mineral,target,bound,file\nown,full_policy,,,,,\nold,plan,,,,,plan.csv\n",
        );
        w.run(&["compare", "model", "--cases", "cases.csv", "--out", "out"])
            .expect_code(0);
        let csv = w.read("out/compare.csv");
        assert!(
            csv.starts_with("case,mineral,status,cost,penalties,saving,"),
            "{csv}"
        );
        let totals = compare_totals(&csv);
        close(totals[0].1, Some(optimum), &format!("p = {p}, own"));
        close(
            totals[1].1,
            Some(900.0 + 40.0 * p),
            &format!("p = {p}, plan"),
        );
        let own = csv.lines().find(|l| l.starts_with("own,*,")).unwrap();
        let cells: Vec<&str> = own.split(',').collect();
        close(cells[4].parse().ok(), Some(penalty), "penalties column");
    }
}

/// policy.csv's `*` cost of each case, by case name.
fn policy_totals(csv: &str) -> Vec<(String, f64)> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[0] == "*")
        .map(|c| (c[1].to_string(), c[2].parse().unwrap()))
        .collect()
}

/// `policy` on models with bundles and lot discounts: no_rules equals the enumeration
/// without rules, full_policy the enumeration under the CHN cap where that is the only
/// family's row, and each without_<family> a direct solve of the model without that
/// family's rows.
#[test]
fn policy_cases_with_bundles_equal_enumerations_and_direct_solves() {
    let mut rng = TestRng::new(2526);
    for k in 0..5 {
        let mut case = random_case(&mut rng, k);
        case.chn_cap = None;
        let cap = "max_country_share,*,CHN,0.3";
        let count = "max_suppliers,*,,2";
        let w = workdir(&with_rules(&case, &[cap, count]));
        w.run(&["policy", "model", "--out", "out"]).expect_code(0);
        let totals = policy_totals(&w.read("out/policy.csv"));
        let direct = |rows: &[&str]| optimum(&model(&with_rules(&case, rows)));
        let free = case.enumerated();
        let expected = [
            ("no_rules", free),
            ("full_policy", direct(&[cap, count])),
            ("without_country_caps", direct(&[count])),
            ("without_counts", direct(&[cap])),
        ];
        let mut capped = case.clone();
        capped.chn_cap = Some(0.3);
        close(capped.enumerated(), direct(&[cap]), "the CHN cap alone");
        close(free, direct(&[]), "no rules");
        let names: Vec<&str> = totals.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, expected.map(|e| e.0), "model {k}");
        for ((name, got), (_, e)) in totals.iter().zip(expected) {
            close(Some(*got), e, &format!("model {k}, case {name}"));
        }
    }
}

/// The exported MPS file of a model with bundles and lot discounts, solved by the test's
/// own MPS reader and microlp, reaches the enumeration's optimum (and solve's); the LP
/// format declares the same binaries.
#[test]
fn export_with_bundles_solves_to_the_enumerated_optimum() {
    use crate::export::{export_text, read_mps};
    use sourcemix::tools::export::ExportFormat;
    let mut rng = TestRng::new(2527);
    let mut checked = 0;
    for k in 0..8 {
        let case = random_case(&mut rng, k);
        let m = model(&case.files(true));
        let Some(expected) = case.enumerated() else {
            continue;
        };
        let mps = export_text(&m, ExportFormat::Mps, false);
        assert!(mps.contains(" w_b0 "), "{mps}");
        let got = read_mps(&mps).solve();
        assert_close(got, expected, 1e-6 * expected, &format!("case {k}: file"));
        assert_close(
            optimum(&m).unwrap(),
            expected,
            1e-6 * expected,
            &format!("case {k}: solve"),
        );
        let lp = export_text(&m, ExportFormat::Lp, false);
        let binaries = lp.split("Binaries\n").nth(1).unwrap();
        for name in [" w_b0\n", " w_b1\n", " step_s0_1\n", " lot_co_s0\n"] {
            assert!(binaries.contains(name), "{name} in {lp}");
        }
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} feasible cases");
}

/// An HHI cap on a mineral with a bundle: the file carries the joint problem's cuts, so
/// its optimum is the hand-solved one (li: a (AUS) 10, b (CHN) 9; a's bundle of 80 at
/// 640; HHI ≤ 0.7 allows 80/20: 640 + 20·9 = 820; HHI ≤ 0.5 needs 50/50: 950).
#[test]
fn export_of_a_bundle_under_an_hhi_cap_hand_solved() {
    use crate::export::{export_text, read_mps};
    use sourcemix::tools::export::ExportFormat;
    for (cap, expected) in [(0.7, 820.0), (0.5, 950.0)] {
        let m = crate::bundles::hhi_bundle_model(cap);
        for socp in [false, true] {
            let text = export_text(&m, ExportFormat::Mps, socp);
            if socp {
                continue; // the test's reader has no quadratic rows
            }
            let got = read_mps(&text).solve();
            assert_close(got, expected, 1e-5 * expected, &format!("cap {cap}"));
        }
    }
}

/// `export --mineral` of a mineral that bundles join to another is refused (exit 2,
/// naming the other); of a mineral alone it writes that mineral with its bundle.
#[test]
fn export_of_one_joined_mineral_is_refused() {
    let w = Workdir::with_model(&[
        ("suppliers.csv", SUPPLIERS),
        ("demand.csv", DEMAND),
        (
            "bundles.csv",
            "bundle,supplier,mineral,quantity,price\nb1,a,li,50,1200\nb1,a,co,50,1200\nb2,c,co,30,600\n",
        ),
    ]);
    w.run(&[
        "export",
        "model",
        "--format",
        "lp",
        "--mineral",
        "li",
        "-o",
        "li.lp",
    ])
    .expect_code(2)
    .stderr_has("co");
    w.write_model(
        "model",
        &[(
            "bundles.csv",
            "bundle,supplier,mineral,quantity,price\nb2,c,co,30,500\n",
        )],
    );
    w.run(&[
        "export",
        "model",
        "--format",
        "lp",
        "--mineral",
        "co",
        "-o",
        "co.lp",
    ])
    .expect_code(0);
    assert!(w.read("co.lp").contains("w_b2"));
}

/// Where the joint optimum's country shares are far from the block's own (the bundle
/// makes the dearest supplier worth 40%), the file's optimum is still the true one. li:
/// a (AUS) 10, b (CHN) 9, c (USA) 11, HHI ≤ 0.5, c's bundle of 40 at 300. The reference:
/// with the bundle (it pays: without it every tonne costs 9 or more, 900 in all) and c's
/// share s ≥ 0.4, the most from b the cap allows, b = (r + √(2h − r²)) / 2 with r = 1 − s
/// and h = 0.5 − s², the cost 300 + 100 (11 (s − 0.4) + 9 b + 10 (r − b)), least over a
/// fine grid of s.
#[test]
fn export_carries_the_joint_problems_hhi_cuts() {
    use crate::export::{export_text, read_mps};
    use sourcemix::tools::export::ExportFormat;
    let m = model(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost\na,li,AUS,10\nb,li,CHN,9\nc,li,USA,11\n".into(),
        ),
        ("demand.csv", "mineral,quantity\nli,100\n".into()),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_hhi,li,,0.5\n".into(),
        ),
        (
            "bundles.csv",
            "bundle,supplier,mineral,quantity,price\nbig,c,li,40,300\n".into(),
        ),
    ]);
    let expected = (0..=600_000)
        .map(|k| 0.4 + k as f64 * 1e-6)
        .filter_map(|s| {
            let (r, h) = (1.0 - s, 0.5 - s * s);
            let b = ((r + (2.0 * h - r * r).max(-1.0).sqrt()) / 2.0).min(r);
            (2.0 * h >= r * r)
                .then_some(300.0 + 100.0 * (11.0 * (s - 0.4) + 9.0 * b + 10.0 * (r - b)))
        })
        .fold(f64::INFINITY, f64::min);
    assert!(expected < 850.0, "{expected}");
    let got = read_mps(&export_text(&m, ExportFormat::Mps, false)).solve();
    assert_close(got, expected, 1e-4 * expected, "file");
    assert_close(optimum(&m).unwrap(), expected, 1e-4 * expected, "solve");
}

/// `convert` carries bundles.csv and discounts.csv as sheets: the workbook loads as the
/// same model as the folder, and converts back to the same files byte for byte.
#[test]
fn workbooks_carry_bundles_and_discounts_both_ways() {
    let bundles = "bundle,supplier,mineral,quantity,price,discount\nb1,a,li,50,1200,\nb1,a,co,50,,\nb2,c,co,30,,0.05\n";
    let discounts = "supplier,min_lots,discount,minerals\na,1,0.01,*\na,2,0.15,*\n";
    let w = Workdir::with_model(&[
        ("suppliers.csv", SUPPLIERS),
        ("demand.csv", DEMAND),
        ("bundles.csv", bundles),
        ("discounts.csv", discounts),
    ]);
    w.run(&["convert", "model", "book.xlsx"]).expect_code(0);
    w.run(&["convert", "book.xlsx", "back"]).expect_code(0);
    for file in [
        "suppliers.csv",
        "demand.csv",
        "bundles.csv",
        "discounts.csv",
    ] {
        assert_eq!(
            w.read(&format!("back/{file}")),
            w.read(&format!("model/{file}")),
            "{file}"
        );
    }
    let folder = sourcemix::input::load_model(&w.path("model")).unwrap();
    let book = sourcemix::input::load_model(&w.path("book.xlsx")).unwrap();
    assert_eq!(folder.coupling.bundles.len(), 2);
    assert_eq!(folder.coupling.discounts.len(), 1);
    assert_eq!(folder, book);
    w.run(&["solve", "model", "--out", "a"]).expect_code(0);
    w.run(&["solve", "book.xlsx", "--out", "b"]).expect_code(0);
    assert_eq!(w.read("a/bundle_awards.csv"), w.read("b/bundle_awards.csv"));
    assert_eq!(w.read("a/lot_discounts.csv"), w.read("b/lot_discounts.csv"));
}

/// `solve --ranging` with a bundle: the LP with the bundle held taken, hand-solved. li:
/// a (AUS) 10, b (CHN) 9 up to 60, CHN capped at 45%; co: a 20, c (USA) 18 up to 70; a's
/// bundle of 50 li + 50 co at 1200 is taken (2555 against 2815 without), so li buys
/// a ≥ 50. The cap binds (b 45, a 55) at −100 per unit of share (a tonne moves from a at
/// 10 to b at 9) and holds its price from 0 up to 0.5, where a reaches its bundle's 50
/// (without the bundle b's 60 would end it at 0.6). b's cost may rise to 10 (a's); a's
/// may fall to 9 (b's).
#[test]
fn ranging_with_a_bundle_holds_the_bundle_taken_hand_solved() {
    let w = Workdir::with_model(&[
        ("suppliers.csv", SUPPLIERS),
        ("demand.csv", DEMAND),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,li,CHN,0.45\n",
        ),
        (
            "bundles.csv",
            "bundle,supplier,mineral,quantity,price\nb1,a,li,50,1200\nb1,a,co,50,1200\n",
        ),
    ]);
    w.run(&["solve", "model", "--ranging", "--out", "out"])
        .expect_code(0);
    let summary = w.read("out/summary.csv");
    assert!(summary.contains("*,200,200,0,2555,"), "{summary}");
    let ranging = w.read("out/ranging.csv");
    let row = |start: &str| {
        ranging
            .lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no {start} in {ranging}"))
            .split(',')
            .skip(5)
            .take(4)
            .map(|c| c.parse::<f64>().ok())
            .collect::<Vec<_>>()
    };
    let cap = row("bound,li,max_country_share,CHN,0.45,");
    close(cap[0], Some(0.0), "the cap's lower end");
    close(cap[1], Some(0.5), "the cap's upper end");
    close(cap[2], Some(-100.0), "the cap's shadow price");
    assert_eq!(
        row("cost,li,b,CHN,9,")[..2],
        [None, Some(10.0)],
        "{ranging}"
    );
    assert_eq!(
        row("cost,li,a,AUS,10,")[..2],
        [Some(9.0), None],
        "{ranging}"
    );
}

/// `explain` on a model with a bundle and a lot discount: no choice of them can make a
/// plan possible (they only add lower bounds), so the least relaxation is the blocks'
/// own, hand-solved: li has a (AUS, up to 100) and b (CHN, up to 60), every country
/// capped at 30%, so 60% of the demand at most; the cap on each country rising to 50%
/// (size 0.2) beats a 40% shortfall (size 0.4).
#[test]
fn explain_with_bundles_gives_the_least_relaxation_hand_solved() {
    let w = Workdir::with_model(&[
        ("suppliers.csv", SUPPLIERS),
        ("demand.csv", DEMAND),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmax_country_share,li,*,0.3\n",
        ),
        (
            "bundles.csv",
            "bundle,supplier,mineral,quantity,price\nb1,a,li,50,1200\nb1,a,co,50,1200\n",
        ),
        ("discounts.csv", "supplier,min_lots,discount\na,2,0.15\n"),
    ]);
    w.run(&["explain", "model", "--out", "out"]).expect_code(0);
    assert_eq!(
        w.read("out/explain.csv"),
        "constraint,mineral,target,bound,relaxed_bound\nmax_country_share,li,*,0.3,0.5\n"
    );
    w.run(&["solve", "model", "--out", "s"])
        .expect_code(3)
        .stdout_has("from 30% to 50%");
}

/// The countries of the hand-solved models, with risks.
const RISKS: &str = "country,risk\nAUS,0.2\nCHN,0.8\nUSA,0.1\n";

/// `frontier` on a model with a bundle and a lot discount: each point's cost is a direct
/// solve of the model with the row `max_avg_risk,*,,bound` added by the test.
#[test]
fn frontier_with_bundles_equals_direct_solves_of_each_point() {
    let files = [
        ("suppliers.csv", SUPPLIERS.to_string()),
        ("demand.csv", DEMAND.to_string()),
        ("countries.csv", RISKS.to_string()),
        (
            "bundles.csv",
            "bundle,supplier,mineral,quantity,price\nb1,a,li,50,1200\nb1,a,co,50,1200\n".into(),
        ),
        (
            "discounts.csv",
            "supplier,min_lots,discount\nc,1,0.05\n".into(),
        ),
    ];
    let w = workdir(&files);
    w.run(&[
        "frontier",
        "model",
        "--measure",
        "avg_risk",
        "--points",
        "5",
        "--out",
        "out",
    ])
    .expect_code(0);
    let csv = w.read("out/frontier.csv");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (bound, cost) = (at("bound"), at("cost"));
    let mut points = 0;
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let mut edited = files.to_vec();
        edited.push((
            "constraints.csv",
            format!(
                "constraint,mineral,target,bound\nmax_avg_risk,*,,{}\n",
                cells[bound]
            ),
        ));
        let expected = optimum(&model(&edited)).expect("a plan at each point");
        let got: f64 = cells[cost].parse().unwrap();
        assert_close(got, expected, 1e-6 * expected, &format!("point {line}"));
        points += 1;
    }
    assert_eq!(points, 5, "{csv}");
}

/// What keeping a soft rule would cost, with a bundle across two minerals: the joined
/// part is solved again, not the mineral alone. li's AUS share at most 40%, soft at 1 per
/// point. With a's bundle (50 li + 50 co at 1200): li 50 a + 50 b, co 50 a + 50 c,
/// 1200 + 450 + 900 = 2550, AUS at 50% of li: 10 points, 2560 in all. Kept hard the bundle
/// cannot be taken (it buys 50% of li from AUS): li 60 b + 40 a = 940, co 70 c + 30 a =
/// 1860, 2800: keeping it costs 240 (li alone, without the bundle, would say 80).
#[test]
fn keeping_a_soft_rule_with_a_bundle_costs_the_joined_part_hand_solved() {
    let w = Workdir::with_model(&[
        ("suppliers.csv", SUPPLIERS),
        ("demand.csv", DEMAND),
        (
            "constraints.csv",
            "constraint,mineral,target,bound,penalty\nmax_country_share,li,AUS,0.4,1\n",
        ),
        (
            "bundles.csv",
            "bundle,supplier,mineral,quantity,price\nb1,a,li,50,1200\nb1,a,co,50,1200\n",
        ),
    ]);
    w.run(&["solve", "model", "--out", "out"])
        .expect_code(0)
        .stdout_has("penalty 10")
        .stdout_has("keeping it would cost 240 more");
}
