//! frontier.csv and the JSON name their stage under `frontier --stage S` (a last `stage`
//! column, a `stage` field), and are as before without it. The hand-solved curve of
//! `stage_disruptions::frontier_at_a_stage_matches_the_hand_solved_curve`: a ships from
//! AUS refined in CHN (risk 0.8), b from USA refined there (0.1); average risk at refine
//! from 0.1 (cost 600) to 0.8 (cost 500).

use crate::common::cli::Workdir;

fn workdir() -> Workdir {
    Workdir::with_model(&[
        ("countries.csv", "country,risk\nAUS,0.1\nCHN,0.8\nUSA,0.1\n"),
        (
            "suppliers.csv",
            "supplier,mineral,country,unit_cost,capacity,origin_refine\na,ree,AUS,5,100,CHN\nb,ree,USA,6,100,\n",
        ),
        ("demand.csv", "mineral,quantity\nree,100\n"),
    ])
}

fn cells(line: &str) -> Vec<f64> {
    line.split(',')
        .take(4)
        .map(|v| v.parse().unwrap())
        .collect()
}

#[test]
fn frontier_csv_names_its_stage_and_keeps_its_columns_without_one() {
    let w = workdir();
    let args = [
        "frontier",
        "model",
        "--measure",
        "avg_risk",
        "--points",
        "3",
    ];
    w.run(&[&args[..], &["--stage", "REFINE", "--out", "staged"]].concat())
        .expect_code(0);
    let text = w.read("staged/frontier.csv");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("point,bound,cost,achieved,stage"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 3, "{text}");
    for (row, (bound, cost)) in rows.iter().zip([(0.1, 600.0), (0.45, 550.0), (0.8, 500.0)]) {
        assert!(row.ends_with(",refine"), "{text}");
        let c = cells(row);
        assert!(
            (c[1] - bound).abs() < 1e-6 && (c[2] - cost).abs() < 1e-4,
            "{text}"
        );
    }
    w.run(&[&args[..], &["--out", "plain"]].concat())
        .expect_code(0);
    let plain = w.read("plain/frontier.csv");
    assert!(plain.starts_with("point,bound,cost,achieved\n"), "{plain}");
    assert!(!plain.contains("refine"), "{plain}");
}

#[test]
fn frontier_json_names_its_stage_only_under_stage() {
    let w = workdir();
    let json = |extra: &[&str]| -> serde_json::Value {
        let args = [
            &[
                "frontier",
                "model",
                "--measure",
                "hhi",
                "--points",
                "2",
                "--format",
                "json",
            ][..],
            extra,
        ]
        .concat();
        let run = w.run(&args);
        run.expect_code(0);
        serde_json::from_str(&run.stdout()).unwrap()
    };
    let staged = json(&["--stage", "refine", "--out", "a"]);
    assert_eq!(staged["frontier"]["stage"], "refine");
    let plain = json(&["--out", "b"]);
    assert!(plain["frontier"].get("stage").is_none(), "{plain}");
}
