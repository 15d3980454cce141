//! The parts pages are made of: headline figures, the country charts, the binding rules
//! in words, the cost per scenario, the nominal-versus-robust comparison.

use super::chart::{self, CountryBar};
use super::escape::{escape, id_part};
use super::table;
use crate::analysis::robust::report::Comparison;
use crate::analysis::stress::StressReport;
use crate::error::Result;
use crate::model::Model;
use crate::policy::rows::{expand, InstanceTarget};
use crate::report::{words, Report};
use crate::write::numbers::plain;

/// Headline figures as a definition list: `(id, label, value)`, each value in an element
/// with id `h-ID`.
pub fn headline(items: &[(&str, &str, String)]) -> String {
    let mut out = String::from("<dl class=\"headline\">\n");
    for (id, label, value) in items {
        out.push_str(&format!(
            "<dt>{}</dt><dd id=\"h-{id}\">{}</dd>\n",
            escape(label),
            escape(value)
        ));
    }
    out.push_str("</dl>\n");
    out
}

/// One cell of a table's CSV: the `column` of the first row whose first cell is `key`.
pub fn csv_cell(t: &crate::report::Table<'_>, key: &str, column: &str) -> String {
    let (header, rows) = table::cells(t);
    let col = header.iter().position(|h| h == column);
    rows.iter()
        .find(|r| r.first().is_some_and(|c| c == key))
        .and_then(|r| col.and_then(|c| r.get(c)).cloned())
        .unwrap_or_default()
}

/// Per mineral of `model`, its country chart for the plan `quantities` (one per offer):
/// each country bought from, its share of demand, and its `max_country_share` cap.
pub fn country_charts(model: &Model, quantities: &[f64]) -> Result<String> {
    let mut out = String::new();
    for (m, mineral) in model.minerals.iter().enumerate() {
        let bars = country_bars(model, m, &quantities[mineral.offers.clone()]);
        out.push_str(&format!(
            "<figure id=\"chart-{}\" class=\"chart\">\n{}<figcaption>Bars: {}'s share of \
             demand bought in each country; red lines: the policy's cap on that country's \
             share.</figcaption>\n</figure>\n",
            id_part(&mineral.name),
            chart::svg(&mineral.name, &bars)?,
            escape(&mineral.name)
        ));
    }
    Ok(out)
}

/// The bars of mineral `m` for its offers' quantities `x`: countries with a positive
/// quantity, largest share first (then by code).
fn country_bars(model: &Model, m: usize, x: &[f64]) -> Vec<CountryBar> {
    let demand = model.minerals[m].demand;
    let mut by_country = std::collections::BTreeMap::<usize, f64>::new();
    for (offer, &q) in model.offers_of(m).iter().zip(x) {
        if q > 0.0 {
            *by_country.entry(offer.country).or_default() += q;
        }
    }
    let mut caps = std::collections::BTreeMap::<usize, f64>::new();
    for row in expand(model, m) {
        if let InstanceTarget::Country(c) = row.target {
            if row.kind == crate::policy::MAX_COUNTRY_SHARE {
                let cap = caps.entry(c).or_insert(row.bound);
                *cap = cap.min(row.bound);
            }
        }
    }
    let mut bars: Vec<CountryBar> = by_country
        .into_iter()
        .map(|(c, q)| CountryBar {
            country: model.countries[c].code.to_string(),
            share: if demand > 0.0 { q / demand } else { 0.0 },
            cap: caps.get(&c).copied(),
        })
        .collect();
    bars.sort_by(|a, b| b.share.total_cmp(&a.share).then(a.country.cmp(&b.country)));
    bars
}

/// The binding rows of `report`, one sentence each: what the rule costs per point where
/// the solve priced it, else that it binds.
pub fn binding_rules(report: &Report) -> String {
    let sentences: Vec<String> = report
        .constraints()
        .filter(|c| c.binding)
        .map(|c| {
            words::shadow_sentence(c).unwrap_or_else(|| {
                format!(
                    "{} for {} binds",
                    words::rule_with_bound(c.kind, &c.target, c.bound),
                    c.mineral
                )
            })
        })
        .collect();
    if sentences.is_empty() {
        return "<p id=\"no-binding\">No rule binds: the cheapest plan meets the policy with room to spare.</p>\n".into();
    }
    let mut out = String::from("<ul id=\"binding-rules\">\n");
    for s in sentences {
        out.push_str(&format!("<li>{}.</li>\n", escape(&s)));
    }
    out.push_str("</ul>\n");
    out
}

/// The total cost in each scenario: stress.csv's `*` rows, cell for cell (table
/// `scenario_costs`).
pub fn scenario_costs(stress: &StressReport) -> String {
    let tables = stress.tables();
    let (header, rows) = table::cells(&tables[0]);
    let Some(mineral) = header.iter().position(|h| h == "mineral") else {
        return String::new();
    };
    let totals = rows
        .iter()
        .filter(|r| r.get(mineral).is_some_and(|c| c == "*"))
        .map(|r| r.as_slice());
    let mut out = table::html_of("scenario_costs", &header, totals);
    out.push_str(&table::html(&tables[1]));
    out
}

/// The nominal plan beside the robust one (plain decimals, as the text summary's).
pub fn comparison(c: &Comparison) -> String {
    let rows: [(&str, &str, String, String); 6] = [
        (
            "expected_cost",
            "expected cost",
            plain(c.nominal.expected_cost),
            plain(c.robust.expected_cost),
        ),
        (
            "cvar_cost",
            "CVaR",
            plain(c.nominal.cvar_cost),
            plain(c.robust.cvar_cost),
        ),
        (
            "objective",
            "E + W·CVaR",
            plain(c.nominal.objective),
            plain(c.robust.objective),
        ),
        (
            "worst_scenario",
            "worst scenario",
            c.nominal.worst_scenario.to_string(),
            c.robust.worst_scenario.to_string(),
        ),
        (
            "worst_cost",
            "worst cost",
            plain(c.nominal.worst_cost),
            plain(c.robust.worst_cost),
        ),
        (
            "baseline_cost",
            "baseline cost",
            plain(c.nominal.baseline_cost),
            plain(c.robust.baseline_cost),
        ),
    ];
    let mut out = format!(
        "<p>α = {}, W = {}. Insurance (robust − nominal cost when nothing is disrupted): <span id=\"insurance\">{}</span>.</p>\n\
         <table id=\"t-comparison\"><thead><tr><th></th><th>nominal</th><th>robust</th></tr></thead><tbody>\n",
        plain(c.alpha),
        plain(c.cvar_weight),
        plain(c.insurance_cost)
    );
    for (id, label, nominal, robust) in rows {
        out.push_str(&format!(
            "<tr><td>{}</td><td data-cell=\"comparison:{id}:nominal\">{}</td><td data-cell=\"comparison:{id}:robust\">{}</td></tr>\n",
            escape(label),
            escape(&nominal),
            escape(&robust)
        ));
    }
    out.push_str("</tbody></table>\n");
    out
}

/// Text as printed on the terminal, kept as is.
pub fn text_block(text: &str) -> String {
    format!("<pre class=\"words\">{}</pre>\n", escape(text.trim_end()))
}
