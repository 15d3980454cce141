//! `min_stock_days` in the plain solve (issue 24): hand-solved optima and shadow prices
//! per day, the stock cap below the bound (infeasible, explained, and `check`'s warning),
//! a bound the stock on hand already covers (the plan is the one without the rule), and
//! bad cells naming file, line, column and value. The robust cases are in robust_stock.rs.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::cli::command;
use crate::common::*;

const DEMAND_HEAD: &str = "mineral,quantity,unmet_penalty,stock_on_hand,holding_cost,stock_cap";

/// ga: demand 365 (one day of demand is one unit), CHN at 10 with capacity `cn_cap`,
/// AUS at 14 (capacity 100); stock on hand 10, holding 1 per unit, cap 100.
fn model(cn_cap: &str, constraints: &str) -> tempfile::TempDir {
    let suppliers = format!(
        "supplier,mineral,country,unit_cost,capacity\ncn,ga,CHN,10,{cn_cap}\nau,ga,AUS,14,100\n"
    );
    let demand = format!("{DEMAND_HEAD}\nga,365,100,10,1,100\n");
    write_model(&[
        ("suppliers.csv", suppliers.as_str()),
        ("demand.csv", demand.as_str()),
        ("constraints.csv", constraints),
    ])
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    command()
        .arg(args[0])
        .arg(dir)
        .args(&args[1..])
        .output()
        .expect("run sourcemix")
}

/// The rows of a CSV file, each as column → cell.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            head.iter()
                .map(|h| h.to_string())
                .zip(l.split(',').map(String::from))
                .collect()
        })
        .collect()
}

fn num(row: &BTreeMap<String, String>, column: &str) -> f64 {
    row[column].parse().unwrap()
}

/// (total cost, shadow price per day of the stock row, quantity per supplier).
fn solved(dir: &Path) -> (f64, f64, BTreeMap<String, f64>) {
    let out = run(dir, &["solve", "--out", dir.join("out").to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = rows(&dir.join("out/summary.csv"));
    let total = summary.iter().find(|r| r["mineral"] == "*").unwrap();
    let rules = rows(&dir.join("out/constraints.csv"));
    let row = rules
        .iter()
        .find(|r| r["constraint"] == "min_stock_days")
        .unwrap();
    let alloc = rows(&dir.join("out/allocation.csv"))
        .iter()
        .map(|r| (r["supplier"].clone(), num(r, "quantity")))
        .collect();
    (
        num(total, "cost"),
        num(row, "shadow_price_per_point"),
        alloc,
    )
}

/// 30 days of 365 is 30 units; 10 on hand, so the plan builds 20 from CHN at 10 and holds
/// 30 at 1: 365·10 + 20·10 + 30 = 3880. One more day is one more unit: 10 + 1.
#[test]
fn the_stock_is_built_from_the_cheapest_offer_at_contract_plus_holding_cost() {
    let dir = model(
        "",
        "constraint,mineral,target,bound\nmin_stock_days,ga,,30\n",
    );
    let (cost, per_day, alloc) = solved(dir.path());
    assert_close(cost, 3880.0, 1e-6, "cost");
    assert_close(per_day, 11.0, 1e-5, "price per day");
    assert_close(alloc["cn"], 385.0, 1e-6, "cn");
    assert_eq!(alloc.get("au").copied().unwrap_or(0.0), 0.0);
}

/// CHN can sell 375: demand 365 and 10 of the stock from CHN, the other 10 from AUS at 14:
/// 3650 + 100 + 140 + 30 = 3920; one more day comes from AUS: 14 + 1.
#[test]
fn a_stock_beyond_the_cheap_capacity_is_bought_dearer() {
    let dir = model(
        "375",
        "constraint,mineral,target,bound\nmin_stock_days,*,,30\n",
    );
    let (cost, per_day, alloc) = solved(dir.path());
    assert_close(cost, 3920.0, 1e-6, "cost");
    assert_close(per_day, 15.0, 1e-5, "price per day");
    assert_close(alloc["cn"], 375.0, 1e-6, "cn");
    assert_close(alloc["au"], 10.0, 1e-6, "au");
}

/// 8 days are covered by the 10 on hand: the rule holds with no stock built, and the
/// plan and its summary are byte for byte those of the model without the rule.
#[test]
fn a_bound_the_stock_on_hand_covers_changes_nothing() {
    let with = model(
        "",
        "constraint,mineral,target,bound\nmin_stock_days,ga,,8\n",
    );
    let without = model("", "constraint,mineral,target,bound\n");
    for dir in [&with, &without] {
        let out = run(
            dir.path(),
            &["solve", "--out", dir.path().join("out").to_str().unwrap()],
        );
        assert_eq!(out.status.code(), Some(0));
    }
    for file in ["allocation.csv", "summary.csv"] {
        let a = std::fs::read(with.path().join("out").join(file)).unwrap();
        let b = std::fs::read(without.path().join("out").join(file)).unwrap();
        assert_eq!(a, b, "{file}");
    }
    let rules = rows(&with.path().join("out/constraints.csv"));
    assert_close(num(&rules[0], "value"), 10.0, 1e-9, "10 on hand = 10 days");
    assert_eq!(rules[0]["binding"], "false");
}

/// The cap holds 100 = 100 days: 120 days cannot be held. `solve` says the model has no
/// plan and how far the rule must move; `check` warns before any solve.
#[test]
fn a_stock_cap_below_the_bound_is_infeasible_and_explained() {
    let dir = model(
        "",
        "constraint,mineral,target,bound\nmin_stock_days,ga,,120\n",
    );
    let out = run(
        dir.path(),
        &["solve", "--out", dir.path().join("out").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("from 120 days to 100 days") && err.contains("constraints.csv:2"),
        "{err}"
    );
    let out = run(dir.path(), &["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("constraints.csv:2: ga: 120 days of demand is a stock of 120")
            && text.contains("at most 100"),
        "{text}"
    );
}

#[test]
fn bad_stock_day_rows_are_input_errors_naming_the_cell() {
    for (row, column, value) in [
        ("min_stock_days,ga,,-5", "bound", "-5"),
        ("min_stock_days,ga,,ten", "bound", "ten"),
        ("min_stock_days,zz,,30", "mineral", "zz"),
        ("min_stock_days,ga,CHN,30", "target", "CHN"),
    ] {
        let dir = model("", &format!("constraint,mineral,target,bound\n{row}\n"));
        let out = run(dir.path(), &["solve"]);
        assert_eq!(out.status.code(), Some(2), "{row}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("constraints.csv:2") && err.contains(column) && err.contains(value),
            "{row}: {err}"
        );
    }
    // Without the stock columns there is no stock to hold.
    let dir = write_model(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost\ncn,ga,CHN,10\n",
        ),
        ("demand.csv", "mineral,quantity\nga,100\n"),
        (
            "constraints.csv",
            "constraint,mineral,target,bound\nmin_stock_days,ga,,30\n",
        ),
    ]);
    let out = run(dir.path(), &["solve"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("constraints.csv:2")
            && err.contains("constraint")
            && err.contains("min_stock_days")
            && err.contains("stock_on_hand"),
        "{err}"
    );
}

/// Ranging: the price of 11 per day holds from 10 days (the stock on hand; below, the
/// row does not bind) to 100 (the stock cap; CHN is unlimited).
#[test]
fn the_price_per_day_holds_from_the_stock_on_hand_to_the_cap() {
    let dir = model(
        "",
        "constraint,mineral,target,bound\nmin_stock_days,ga,,30\n",
    );
    let out_dir = dir.path().join("out");
    let out = run(
        dir.path(),
        &["solve", "--ranging", "--out", out_dir.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0));
    let ranging = rows(&out_dir.join("ranging.csv"));
    let row = ranging
        .iter()
        .find(|r| r["name"] == "min_stock_days")
        .unwrap();
    assert_close(num(row, "lower"), 10.0, 1e-6, "lower");
    assert_close(num(row, "upper"), 100.0, 1e-6, "upper");
    assert_close(num(row, "shadow_price"), 11.0, 1e-5, "price");
}

/// summary.csv's stock columns, by hand: 10 on hand, 20 built, 30 held at 1; the `*` row
/// sums them. The robust solve writes the same columns for its plan (the hand-solved
/// ban: 182.5 days is a stock of 50, all built); a model without stock keeps its header.
#[test]
fn summary_reports_the_stock_held_built_and_its_holding_cost() {
    let dir = model(
        "",
        "constraint,mineral,target,bound\nmin_stock_days,ga,,30\n",
    );
    solved(dir.path());
    let summary = rows(&dir.path().join("out/summary.csv"));
    for row in &summary {
        for (column, want) in [
            ("stock_on_hand", 10.0),
            ("stock_built", 20.0),
            ("stock", 30.0),
            ("holding_cost", 30.0),
        ] {
            assert_close(num(row, column), want, 1e-9, column);
        }
    }
    let text = String::from_utf8(
        run(
            dir.path(),
            &["solve", "--out", dir.path().join("o2").to_str().unwrap()],
        )
        .stdout,
    )
    .unwrap();
    assert!(text.contains("stock held  stock built"), "{text}");

    let ban = write_model(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity\ncn,ga,CHN,10,\nau,ga,AUS,14,100\n",
        ),
        ("demand.csv", &format!("{DEMAND_HEAD}\nga,100,100,0,1,100\n")),
        (
            "scenarios.csv",
            "scenario,probability,mineral,country,supplier,capacity_factor,price_factor\nban,0.1,ga,CHN,,0,\n",
        ),
        ("constraints.csv", "constraint,mineral,target,bound\nmin_stock_days,ga,,182.5\n"),
    ]);
    let out_dir = ban.path().join("out");
    let out = run(
        ban.path(),
        &["solve", "--robust", "--out", out_dir.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0));
    let row = &rows(&out_dir.join("summary.csv"))[0];
    assert_close(num(row, "purchased"), 150.0, 1e-6, "purchased");
    assert_close(num(row, "stock_built"), 50.0, 1e-6, "built");
    assert_close(num(row, "stock"), 50.0, 1e-6, "held");
    assert_close(num(row, "holding_cost"), 50.0, 1e-6, "holding");
    assert_close(num(row, "cost"), 1950.0, 1e-6, "baseline: 500 + 1400 + 50");

    let plain = write_model(&[
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost\ncn,ga,CHN,10\n",
        ),
        ("demand.csv", "mineral,quantity\nga,100\n"),
    ]);
    run(
        plain.path(),
        &["solve", "--out", plain.path().join("out").to_str().unwrap()],
    );
    let head = std::fs::read_to_string(plain.path().join("out/summary.csv")).unwrap();
    assert!(head.starts_with(
        "mineral,demand,purchased,unmet,cost,avg_unit_cost,hhi,risk_hhi,avg_risk,top_country,top_country_share,suppliers,countries\n"
    ));
}
