//! One page per command: which sections it holds, in order.

use super::hashes::InputFile;
use super::page::Page;
use super::sections::{self, csv_cell, headline};
use super::table;
use crate::analysis::frontier::Frontier;
use crate::analysis::hedge::Hedge;
use crate::analysis::robust::report::Comparison;
use crate::analysis::stress::StressReport;
use crate::error::Result;
use crate::model::Model;
use crate::report::{frontier_table, hedge_table, policy_table, render_hedge};
use crate::report::{render_policy, PolicyReport, Report};

/// Headline, country charts, binding rules and the result tables of a plan.
fn plan_sections(
    page: &mut Page,
    model: &Model,
    report: &Report,
    quantities: &[f64],
) -> Result<()> {
    let tables = report.tables();
    let summary = &tables[1];
    page.section(
        "headline",
        "Headline",
        &headline(&[
            ("status", "status", report.status.name().to_string()),
            ("total-cost", "total cost", csv_cell(summary, "*", "cost")),
            (
                "purchased",
                "purchased",
                csv_cell(summary, "*", "purchased"),
            ),
            ("unmet", "unmet demand", csv_cell(summary, "*", "unmet")),
            ("minerals", "minerals", model.minerals.len().to_string()),
        ]),
    );
    page.section(
        "charts",
        "Where the plan buys, against the caps",
        &sections::country_charts(model, quantities)?,
    );
    page.section(
        "binding",
        "Binding rules and what each costs",
        &sections::binding_rules(report),
    );
    page.section(
        "summary",
        "Per mineral (summary.csv)",
        &table::html(summary),
    );
    Ok(())
}

/// The page of `solve`: the plan of `report` (quantities per offer `quantities`).
pub fn solve_page(
    model: &Model,
    report: &Report,
    quantities: &[f64],
    inputs: &[InputFile],
) -> Result<String> {
    let mut page = Page::new("sourcemix solve: the cheapest plan under the policy");
    plan_sections(&mut page, model, report, quantities)?;
    Ok(page.finish(inputs))
}

/// The page of `solve --robust`: the robust plan, its cost per scenario and the
/// comparison with the nominal plan.
pub fn robust_page(
    model: &Model,
    report: &Report,
    quantities: &[f64],
    stress: &StressReport,
    comparison: &Comparison,
    inputs: &[InputFile],
) -> Result<String> {
    let mut page = Page::new("sourcemix solve --robust: a plan for the disruption scenarios");
    plan_sections(&mut page, model, report, quantities)?;
    page.section(
        "scenarios",
        "Cost per scenario (robust plan)",
        &sections::scenario_costs(stress),
    );
    page.section(
        "comparison",
        "Nominal against robust",
        &sections::comparison(comparison),
    );
    Ok(page.finish(inputs))
}

/// The page of `stress`: the plan's countries and its cost per scenario.
pub fn stress_page(
    model: &Model,
    quantities: &[f64],
    stress: &StressReport,
    inputs: &[InputFile],
) -> Result<String> {
    let mut page = Page::new("sourcemix stress: a plan under disruption");
    let tables = stress.tables();
    let summary = &tables[1];
    page.section(
        "headline",
        "Headline",
        &headline(&[
            (
                "expected-cost",
                "expected cost",
                csv_cell(summary, "expected_cost", "value"),
            ),
            ("cvar-cost", "CVaR", csv_cell(summary, "cvar_cost", "value")),
            (
                "worst-scenario",
                "worst scenario",
                csv_cell(summary, "worst_scenario", "value"),
            ),
            (
                "worst-cost",
                "worst cost",
                csv_cell(summary, "worst_cost", "value"),
            ),
        ]),
    );
    page.section(
        "charts",
        "Where the plan buys, against the caps",
        &sections::country_charts(model, quantities)?,
    );
    page.section(
        "scenarios",
        "Cost per scenario",
        &sections::scenario_costs(stress),
    );
    Ok(page.finish(inputs))
}

/// The page of `frontier`: the curve with the current plan marked, and its points.
pub fn frontier_page(frontier: &Frontier, inputs: &[InputFile]) -> Result<String> {
    let mut page = Page::new("sourcemix frontier: what lower risk costs");
    let svg = crate::analysis::frontier::plot::svg(frontier)?;
    page.section(
        "headline",
        "Headline",
        &headline(&[
            ("measure", "measure", frontier.measure.to_string()),
            (
                "current-cost",
                "current plan's cost",
                crate::write::numbers::plain(frontier.current_cost),
            ),
            (
                "current-measure",
                "current plan's measure",
                crate::write::numbers::plain(frontier.current_measure),
            ),
            ("points", "points", frontier.points.len().to_string()),
        ]),
    );
    page.section(
        "frontier",
        "The frontier (current plan marked)",
        &format!("<figure id=\"chart-frontier\">\n{svg}</figure>\n"),
    );
    page.section(
        "points",
        "Points (frontier.csv)",
        &table::html(&frontier_table(frontier)),
    );
    Ok(page.finish(inputs))
}

/// The page of `policy`: what each rule family costs, in words and as policy.csv.
pub fn policy_page(report: &PolicyReport, inputs: &[InputFile]) -> Result<String> {
    let mut page = Page::new("sourcemix policy: what the policy costs");
    page.section(
        "words",
        "What the rules cost",
        &sections::text_block(&render_policy(report)),
    );
    page.section(
        "policy",
        "Per mineral and case (policy.csv)",
        &table::html(&policy_table(report)),
    );
    Ok(page.finish(inputs))
}

/// The page of `hedge`: the split of each robust plan's hedge, plotted and as hedge.csv.
pub fn hedge_page(hedge: &Hedge, inputs: &[InputFile]) -> Result<String> {
    let mut page = Page::new("sourcemix hedge: what each unit of protection buys");
    let svg = crate::analysis::hedge::plot::svg(hedge)?;
    let table = hedge_table(hedge);
    page.section(
        "headline",
        "Headline",
        &headline(&[
            (
                "alpha",
                "CVaR level α",
                crate::write::numbers::plain(hedge.alpha),
            ),
            ("weights", "weights swept", hedge.points.len().to_string()),
            (
                "nominal-cvar",
                "nominal plan's CVaR",
                csv_cell(&table, "nominal", "cvar_cost"),
            ),
            (
                "nominal-expected",
                "nominal plan's expected cost",
                csv_cell(&table, "nominal", "expected_cost"),
            ),
        ]),
    );
    page.section(
        "hedge",
        "The parts of the hedge against each plan's CVaR",
        &format!("<figure id=\"chart-hedge\">\n{svg}</figure>\n"),
    );
    page.section(
        "words",
        "Per plan",
        &sections::text_block(&render_hedge(hedge)),
    );
    page.section("points", "Plans (hedge.csv)", &table::html(&table));
    Ok(page.finish(inputs))
}
