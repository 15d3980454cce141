//! The page builder without a browser: a hand-solved model whose mineral and supplier
//! names need escaping; its figures, cells, charts and input hashes checked against
//! the hand solution, the CSV files and `sha256sum`.

use super::{input_files, solve_page, BAR_FILL};
use crate::input::load;
use crate::plan::solve_plan;
use crate::report::{build_report, csv_files};
use crate::solve::SolveOptions;

/// Demand 100 of a mineral named `ga<&"x">`; CHN at 10 (80 available), AUS at 12 (45),
/// CAN at 15 (100); CHN capped at half the demand. By hand: CHN 50, AUS 45, CAN 5, total
/// cost 500 + 540 + 75 = 1115; a point more of the CHN cap moves one unit from CAN (15)
/// to CHN (10): it costs 5 per percentage point.
const MODEL: &[(&str, &str)] = &[
    ("demand.csv", "mineral,quantity\n\"ga<&\"\"x\"\">\",100\n"),
    (
        "countries.csv",
        "country,risk,groups\nCHN,0.8,\nAUS,0.2,\nCAN,0.1,\n",
    ),
    (
        "suppliers.csv",
        "supplier,mineral,country,unit_cost,capacity\n\
         <s1>,\"ga<&\"\"x\"\">\",CHN,10,80\n\
         s2,\"ga<&\"\"x\"\">\",AUS,12,45\n\
         s3,\"ga<&\"\"x\"\">\",CAN,15,100\n",
    ),
    (
        "constraints.csv",
        "constraint,mineral,target,bound\nmax_country_share,*,CHN,0.5\n",
    ),
];

/// The page of the model's solve, and the model folder.
fn page() -> (String, tempfile::TempDir, Vec<(&'static str, Vec<u8>)>) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in MODEL {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let model = load(dir.path()).expect("the model reads").model;
    let plan = solve_plan(&model, &SolveOptions::default()).expect("solves");
    let report = build_report(&model, &plan);
    let inputs = input_files(dir.path(), &[]).unwrap();
    let page = solve_page(&model, &report, &plan.quantities(), &inputs).unwrap();
    (page, dir, csv_files(&report))
}

/// The text of the element that follows `marker` up to the next `<`.
fn after<'p>(page: &'p str, marker: &str) -> &'p str {
    let start = page.find(marker).unwrap_or_else(|| panic!("no {marker}")) + marker.len();
    &page[start..start + page[start..].find('<').unwrap()]
}

#[test]
fn the_headline_is_the_hand_solution() {
    let (page, _dir, _) = page();
    assert_eq!(after(&page, "<dd id=\"h-total-cost\">"), "1115");
    assert_eq!(after(&page, "<dd id=\"h-purchased\">"), "100");
    assert!(
        page.contains(
            "the 50% cap on CHN for ga&lt;&amp;&quot;x&quot;&gt; costs 5 per percentage point"
        ),
        "{page}"
    );
}

#[test]
fn every_summary_cell_is_the_csv_cell() {
    let (page, _dir, files) = page();
    let summary = &files.iter().find(|f| f.0 == "summary.csv").unwrap().1;
    let mut csv = csv::Reader::from_reader(summary.as_slice());
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    let mut cells = 0;
    for (k, row) in csv.records().enumerate() {
        for (cell, column) in row.unwrap().iter().zip(&header) {
            let marker = format!("data-cell=\"summary:{k}:{column}\">");
            assert_eq!(
                after(&page, &marker),
                super::escape::escape(cell),
                "{column}"
            );
            cells += 1;
        }
    }
    assert_eq!(cells, 2 * header.len(), "the mineral's row and the totals");
}

#[test]
fn names_are_escaped_everywhere() {
    let (page, _dir, _) = page();
    assert!(!page.contains("ga<&"), "a raw name in the page");
    assert!(page.contains("<td data-cell=\"summary:0:mineral\">ga&lt;&amp;&quot;x&quot;&gt;</td>"));
    assert!(page.contains("id=\"chart-ga.3C.26.22x.22.3E\""), "{page}");
}

#[test]
fn the_chart_has_a_bar_per_country_and_the_cap() {
    let (page, _dir, _) = page();
    let fill = format!(
        "fill=\"#{:02X}{:02X}{:02X}\"",
        BAR_FILL.0, BAR_FILL.1, BAR_FILL.2
    );
    let start = page.find("<figure id=\"chart-").unwrap();
    let figure = &page[start..start + page[start..].find("</figure>").unwrap()];
    assert_eq!(figure.matches(fill.as_str()).count(), 3, "CHN, AUS and CAN");
    assert_eq!(
        figure.matches("stroke=\"#C01C28\"").count(),
        1,
        "the CHN cap"
    );
}

#[test]
fn input_hashes_are_sha256sum_s() {
    let (page, dir, _) = page();
    let mut hashed = 0;
    for (name, _) in MODEL {
        let path = dir.path().join(name);
        let out = std::process::Command::new("sha256sum")
            .arg(&path)
            .output()
            .expect("sha256sum (coreutils) runs");
        let text = String::from_utf8(out.stdout).unwrap();
        let digest = text.split_whitespace().next().unwrap();
        let row = format!(
            "<td class=\"file\">{}</td><td class=\"hash\">{digest}</td>",
            super::escape::escape(&path.display().to_string())
        );
        assert!(page.contains(&row), "{row} not in the page");
        hashed += 1;
    }
    assert_eq!(hashed, 4);
    assert!(page.contains(&format!("sourcemix {}", env!("CARGO_PKG_VERSION"))));
}

#[test]
fn the_page_fetches_nothing() {
    let (page, _dir, _) = page();
    assert!(page.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""));
    for fetch in [
        "<script", "<link", "<img", "src=", "url(", "@import", "http://", "https://",
    ] {
        let hits: Vec<_> = page.match_indices(fetch).collect();
        // The only http:// is the SVG namespace, which is a name, not a fetch.
        let allowed = if fetch == "http://" {
            page.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
        } else {
            0
        };
        assert_eq!(hits.len(), allowed, "{fetch}");
    }
}
