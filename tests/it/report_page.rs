//! The `--report` page as a user meets it: each command's page of a bundled model is
//! opened in headless Chromium, which must render it without a console message (the
//! page's Content-Security-Policy of `default-src 'none'` makes any fetch a logged
//! violation, so no message also means no network request), with one bar per country in
//! each mineral's chart (counted against allocation.csv or the plan) and every number
//! the page shares with a CSV file equal to that file's cell. As a control, a page with
//! an injected fetch is shown to log one. The solve page prints on A4 (its PDF's page
//! sizes). The solve page's screenshot is kept at
//! `target/report-screenshot.png` (robust's at `target/report-screenshot-robust.png`).
//!
//! Chromium is Debian's `chromium` (.ci/run installs it). Without it the browser tests
//! fail, saying to install it, unless `SOURCEMIX_SKIP_BROWSER=1` is set.
//!
//! Without a browser: a run that writes nothing writes no page, and the page is a result
//! of the set (a link into the generation) inside `--out`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::cli::Workdir;

/// The bundled model every page is made of (three minerals, scenarios, a country cap).
const MODEL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/export-controls-2023");

/// The fill of a chart's bar (`sourcemix::report::html::BAR_FILL`).
fn bar_fill() -> String {
    let c = sourcemix::report::html::BAR_FILL;
    format!("fill=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2)
}

/// The browser, or `None` when `SOURCEMIX_SKIP_BROWSER=1` asks to skip; panics, saying
/// how to install it, when it is missing.
fn chromium() -> Option<PathBuf> {
    if std::env::var("SOURCEMIX_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        eprintln!("SOURCEMIX_SKIP_BROWSER=1: the report page is not opened in a browser");
        return None;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
        .find(|p| p.is_file());
    match found {
        Some(p) => Some(p),
        None => panic!(
            "chromium is not installed: the report page test opens the page in headless \
             Chromium. Install it (Debian: apt-get install -y chromium), or set \
             SOURCEMIX_SKIP_BROWSER=1 to skip this test explicitly"
        ),
    }
}

/// What the browser made of a page: its console messages and the rendered DOM.
struct Opened {
    console: Vec<String>,
    dom: String,
}

/// Runs headless Chromium on `page` with `extra` arguments (its own profile in `work`),
/// killed after 120 s.
fn browse(chromium: &Path, work: &Path, page: &Path, extra: &[String]) -> (String, String) {
    let profile = tempfile::tempdir_in(work).unwrap();
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.canonicalize().unwrap().display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(120) {
            child.kill().ok();
            panic!("chromium did not finish within 120 s on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "chromium failed on {}",
        page.display()
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Opens `page`: the DOM (`--dump-dom`) and every console message Chromium logged.
fn open(chromium: &Path, work: &Path, page: &Path) -> Opened {
    let (dom, log) = browse(chromium, work, page, &["--dump-dom".into()]);
    let console = log
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(String::from)
        .collect();
    Opened { console, dom }
}

/// Keeps a screenshot of `page` as `target/NAME`.
fn screenshot(chromium: &Path, work: &Path, page: &Path, name: &str) {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    let png = target.join(name);
    let arg = format!("--screenshot={}", png.display());
    browse(
        chromium,
        work,
        page,
        &[arg, "--window-size=900,2400".into()],
    );
    assert!(png.is_file(), "no screenshot at {}", png.display());
}

/// `&amp;`, `&lt;`, `&gt;`, `&quot;` and `&#39;` as their characters.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The text of the DOM's cell `data-cell="TABLE:ROW:COLUMN"`.
fn cell(dom: &str, table: &str, row: usize, column: &str) -> Option<String> {
    let marker = format!("data-cell=\"{table}:{row}:{column}\">");
    let start = dom.find(&marker)? + marker.len();
    Some(unescape(&dom[start..start + dom[start..].find('<')?]))
}

/// The text of the element with id `id`.
fn by_id(dom: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = dom.find(&marker).unwrap_or_else(|| panic!("no #{id}")) + marker.len();
    unescape(&dom[start..start + dom[start..].find('<').unwrap()])
}

/// A CSV file: header and rows.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// Every cell of `rows` (of a CSV with `header`) is the page's cell of `table`.
fn assert_cells(dom: &str, table: &str, header: &[String], rows: &[Vec<String>]) {
    assert!(!rows.is_empty(), "{table}: no rows to compare");
    for (k, row) in rows.iter().enumerate() {
        for (value, column) in row.iter().zip(header) {
            assert_eq!(
                cell(dom, table, k, column).as_deref(),
                Some(value.as_str()),
                "{table} row {k} column {column}"
            );
        }
    }
    assert!(
        cell(dom, table, rows.len(), &header[0]).is_none(),
        "{table}: extra rows"
    );
}

/// Countries bought from per mineral, from rows with `mineral`, `country` and a
/// positive `quantity`.
fn countries_of(header: &[String], rows: &[Vec<String>]) -> BTreeMap<String, BTreeSet<String>> {
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (m, c, q) = (col("mineral"), col("country"), col("quantity"));
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in rows {
        if r[q].parse::<f64>().unwrap() > 0.0 {
            out.entry(r[m].clone()).or_default().insert(r[c].clone());
        }
    }
    out
}

/// Each mineral's chart holds one bar per country it is bought from.
fn assert_bars(dom: &str, countries: &BTreeMap<String, BTreeSet<String>>) {
    assert_eq!(countries.len(), 3, "every bundled mineral is bought");
    for (mineral, set) in countries {
        let marker = format!("<figure id=\"chart-{mineral}\"");
        let start = dom
            .find(&marker)
            .unwrap_or_else(|| panic!("no chart of {mineral}"));
        let figure = &dom[start..start + dom[start..].find("</figure>").unwrap()];
        assert_eq!(
            figure.matches(bar_fill().as_str()).count(),
            set.len(),
            "{mineral}: one bar per country of {set:?}"
        );
        for country in set {
            assert!(
                figure.contains(&format!(">\n{country}\n</text>")),
                "{mineral}: {country} labelled"
            );
        }
    }
}

/// Opens `page`, checks it rendered without a console message and with its policy.
fn open_clean(chromium: &Path, wd: &Workdir, page: &str) -> String {
    let opened = open(chromium, &wd.path(""), &wd.path(page));
    assert!(
        opened.console.is_empty(),
        "{page}: console messages {:?}",
        opened.console
    );
    assert!(
        opened
            .dom
            .contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""),
        "{page}: the Content-Security-Policy is in force"
    );
    assert!(opened
        .dom
        .contains(&format!("sourcemix {}", env!("CARGO_PKG_VERSION"))));
    opened.dom
}

/// Runs the binary, which must succeed.
fn ok(wd: &Workdir, args: &[&str]) {
    wd.run(args).expect_code(0);
}

#[test]
fn the_solve_page_renders_offline_with_the_csv_numbers() {
    let Some(chromium) = chromium() else { return };
    let wd = Workdir::new();
    ok(
        &wd,
        &["solve", MODEL, "--out", "out", "--report", "solve.html"],
    );
    let dom = open_clean(&chromium, &wd, "solve.html");
    let (header, rows) = read_csv(&wd.path("out/summary.csv"));
    assert_cells(&dom, "summary", &header, &rows);
    let cost = header.iter().position(|h| h == "cost").unwrap();
    let totals = rows.iter().find(|r| r[0] == "*").unwrap();
    assert_eq!(by_id(&dom, "h-total-cost"), totals[cost]);
    let (header, rows) = read_csv(&wd.path("out/allocation.csv"));
    assert_bars(&dom, &countries_of(&header, &rows));
    screenshot(
        &chromium,
        &wd.path(""),
        &wd.path("solve.html"),
        "report-screenshot.png",
    );
    assert_prints_on_a4(&chromium, &wd, "solve.html");
}

/// Printed to PDF, every page of `page` is A4 portrait: 595.28 × 841.89 pt, to within
/// the point Chromium's rounding to CSS pixels moves it.
fn assert_prints_on_a4(chromium: &Path, wd: &Workdir, page: &str) {
    let pdf = wd.path("page.pdf");
    let arg = format!("--print-to-pdf={}", pdf.display());
    browse(
        chromium,
        &wd.path(""),
        &wd.path(page),
        &[arg, "--no-pdf-header-footer".into()],
    );
    let bytes = std::fs::read(&pdf).expect("the PDF is written");
    let text = String::from_utf8_lossy(&bytes);
    let boxes: Vec<Vec<f64>> = text
        .match_indices("/MediaBox [")
        .map(|(i, m)| {
            let rest = &text[i + m.len()..];
            let inner = &rest[..rest.find(']').unwrap()];
            inner
                .split_whitespace()
                .map(|v| v.parse().unwrap())
                .collect()
        })
        .collect();
    assert!(!boxes.is_empty(), "no page in the PDF");
    for b in &boxes {
        let (w, h) = (b[2] - b[0], b[3] - b[1]);
        assert!(
            (w - 595.28).abs() < 1.0 && (h - 841.89).abs() < 1.0,
            "{w} x {h} pt is not A4"
        );
    }
}

#[test]
fn the_robust_page_holds_the_scenarios_and_the_comparison() {
    let Some(chromium) = chromium() else { return };
    let wd = Workdir::new();
    ok(
        &wd,
        &[
            "solve",
            MODEL,
            "--robust",
            "--out",
            "out",
            "--report",
            "out/robust.html",
        ],
    );
    let dom = open_clean(&chromium, &wd, "out/robust.html");
    let (header, rows) = read_csv(&wd.path("out/summary.csv"));
    assert_cells(&dom, "summary", &header, &rows);
    let (header, rows) = read_csv(&wd.path("out/allocation.csv"));
    assert_bars(&dom, &countries_of(&header, &rows));
    assert_scenarios(&dom, &wd.path("out"));
    for row in ["expected_cost", "cvar_cost", "worst_cost", "baseline_cost"] {
        for plan in ["nominal", "robust"] {
            let marker = format!("data-cell=\"comparison:{row}:{plan}\">");
            assert!(dom.contains(&marker), "comparison {row} {plan}");
        }
    }
    screenshot(
        &chromium,
        &wd.path(""),
        &wd.path("out/robust.html"),
        "report-screenshot-robust.png",
    );
}

/// The page's cost per scenario is stress.csv's `*` rows, and its stress summary is
/// stress_summary.csv, cell for cell.
fn assert_scenarios(dom: &str, out: &Path) {
    let (header, rows) = read_csv(&out.join("stress.csv"));
    let m = header.iter().position(|h| h == "mineral").unwrap();
    let totals: Vec<Vec<String>> = rows.into_iter().filter(|r| r[m] == "*").collect();
    assert_cells(dom, "scenario_costs", &header, &totals);
    let (header, rows) = read_csv(&out.join("stress_summary.csv"));
    assert_cells(dom, "stress_summary", &header, &rows);
}

#[test]
fn the_stress_page_charts_the_plan_and_its_scenarios() {
    let Some(chromium) = chromium() else { return };
    let wd = Workdir::new();
    ok(&wd, &["solve", MODEL, "--out", "plan"]);
    ok(
        &wd,
        &[
            "stress",
            MODEL,
            "--plan",
            "plan/allocation.csv",
            "--out",
            "out",
            "--report",
            "stress.html",
        ],
    );
    let dom = open_clean(&chromium, &wd, "stress.html");
    assert_scenarios(&dom, &wd.path("out"));
    let (header, rows) = read_csv(&wd.path("plan/allocation.csv"));
    assert_bars(&dom, &countries_of(&header, &rows));
}

#[test]
fn the_frontier_and_policy_pages_hold_their_csv() {
    let Some(chromium) = chromium() else { return };
    let wd = Workdir::new();
    ok(
        &wd,
        &[
            "frontier",
            MODEL,
            "--measure",
            "hhi",
            "--points",
            "4",
            "--out",
            "f",
            "--report",
            "f.html",
        ],
    );
    let dom = open_clean(&chromium, &wd, "f.html");
    let (header, rows) = read_csv(&wd.path("f/frontier.csv"));
    assert_cells(&dom, "frontier", &header, &rows);
    assert!(
        dom.contains("<figure id=\"chart-frontier\">"),
        "the frontier plot"
    );
    assert!(
        dom.contains("current plan: cost"),
        "the current plan marked"
    );
    ok(&wd, &["policy", MODEL, "--out", "p", "--report", "p.html"]);
    let dom = open_clean(&chromium, &wd, "p.html");
    let (header, rows) = read_csv(&wd.path("p/policy.csv"));
    assert_cells(&dom, "policy", &header, &rows);
}

/// `hedge --report`: the plot, hedge.csv cell for cell, and the headline's nominal
/// figures as hedge.csv's cells (on the bundled model with stock).
#[test]
fn the_hedge_page_holds_its_csv_and_plot() {
    let Some(chromium) = chromium() else { return };
    let wd = Workdir::new();
    let model = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/models/export-controls-2023-stock"
    );
    ok(
        &wd,
        &[
            "hedge",
            model,
            "--weights",
            "0,1",
            "--out",
            "h",
            "--report",
            "h.html",
        ],
    );
    let dom = open_clean(&chromium, &wd, "h.html");
    let (header, rows) = read_csv(&wd.path("h/hedge.csv"));
    assert_cells(&dom, "hedge", &header, &rows);
    assert!(
        dom.contains("<figure id=\"chart-hedge\">"),
        "the hedge plot"
    );
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(by_id(&dom, "h-nominal-cvar"), rows[0][col("cvar_cost")]);
    assert_eq!(
        by_id(&dom, "h-nominal-expected"),
        rows[0][col("expected_cost")]
    );
    assert_eq!(by_id(&dom, "h-weights"), "2");
}

#[test]
fn a_fetch_in_a_page_is_a_console_message() {
    let Some(chromium) = chromium() else { return };
    let wd = Workdir::new();
    ok(
        &wd,
        &["solve", MODEL, "--out", "out", "--report", "page.html"],
    );
    let page = wd.read("page.html");
    assert!(open(&chromium, &wd.path(""), &wd.path("page.html"))
        .console
        .is_empty());
    let fetching = page.replacen("<h1>", "<img src=\"http://127.0.0.1:9/x.png\"><h1>", 1);
    wd.write_bytes("fetching.html", fetching.as_bytes());
    let opened = open(&chromium, &wd.path(""), &wd.path("fetching.html"));
    assert_eq!(opened.console.len(), 1, "{:?}", opened.console);
    assert!(
        opened.console[0].contains("Content Security Policy"),
        "{:?}",
        opened.console
    );
}

/// An infeasible model: demand 10, one offer of 5.
const INFEASIBLE: &[(&str, &str)] = &[
    ("demand.csv", "mineral,quantity\nga,10\n"),
    (
        "suppliers.csv",
        "supplier,mineral,country,unit_cost,capacity\ns1,ga,CHN,1,5\n",
    ),
];

#[test]
fn a_run_that_writes_nothing_writes_no_page() {
    let wd = Workdir::with_model(INFEASIBLE);
    for command in ["solve", "policy", "frontier"] {
        let mut args = vec![command, "model", "--out", "out", "--report", "page.html"];
        if command == "frontier" {
            args.extend(["--measure", "hhi"]);
        }
        let run = wd.run(&args);
        assert_eq!(run.code(), Some(3), "{run}");
        assert!(!wd.path("page.html").exists(), "{command}");
        assert!(!wd.path("out/summary.csv").exists(), "{command}");
    }
}

#[test]
fn inside_out_the_page_is_a_result_of_the_set() {
    let wd = Workdir::new();
    ok(
        &wd,
        &["solve", MODEL, "--out", "out", "--report", "out/page.html"],
    );
    let link = std::fs::read_link(wd.path("out/page.html")).expect("a result link");
    assert_eq!(link, Path::new(".sourcemix/current/page.html"));
    let page = wd.read("out/page.html");
    assert!(page.starts_with("<!DOCTYPE html>"));
}

#[test]
fn a_page_path_that_is_not_an_html_file_is_refused() {
    let wd = Workdir::new();
    for bad in ["page.txt", "/dev/null"] {
        wd.run(&["solve", MODEL, "--out", "out", "--report", bad])
            .expect_code(2)
            .stderr_has("--report");
    }
    assert!(
        !wd.path("out").exists(),
        "refused before anything is written"
    );
}
