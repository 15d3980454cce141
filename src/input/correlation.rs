//! correlation.csv: latent correlations between countries' disruptions, for
//! [`crate::analysis::sampling`] (SPEC §3 "sampling and policy cost").
//!
//! Columns `country_a,country_b,rho`: one row per unordered pair of the model's countries;
//! pairs not listed have correlation 0. Checked here, cell by cell: both countries known,
//! `rho` a plain number with |rho| ≤ 1, no pair twice (in either order), and no country
//! paired with itself unless rho = 1 (the diagonal, which changes nothing).
//! Whether the matrix as a whole is positive semi-definite is checked by the sampler.

use std::collections::BTreeMap;
use std::path::Path;

use super::number::parse_plain_number;
use super::table::{read_table, Columns, ModelFiles};
use crate::error::{Error, InputErrors, InputIssue, Result};
use crate::model::Model;

const COLUMNS: Columns = Columns {
    required: &["country_a", "country_b", "rho"],
    optional: &[],
};

/// One listed pair: countries `a < b` (indices into `Model::countries`) and their latent
/// correlation.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelationPair {
    /// The first country (the smaller index).
    pub a: usize,
    /// The second country (the larger index).
    pub b: usize,
    /// The latent correlation, in [−1, 1].
    pub rho: f64,
    /// Line in the file.
    pub line: u64,
}

/// A validated correlation file: its pairs in file order (self pairs with rho = 1 are
/// dropped) and the name it is known by in messages.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Correlations {
    /// The file as the user named it.
    pub file: String,
    /// Distinct pairs of distinct countries.
    pub pairs: Vec<CorrelationPair>,
    /// Warnings (unknown columns).
    pub warnings: Vec<String>,
}

/// Reads the correlation file at `path` for `model`; messages name `path` as given.
pub fn load_correlation(path: &Path, model: &Model) -> Result<Correlations> {
    let name = path.display().to_string();
    parse_correlation(&ModelFiles::read_path(&name, path), &name, model)
}

/// Reads the correlation file `name` of `files` for `model` (see [`load_correlation`]).
pub fn parse_correlation(files: &ModelFiles, name: &str, model: &Model) -> Result<Correlations> {
    let mut errors = InputErrors::default();
    let mut warnings = Vec::new();
    let Some(table) = read_table(files, name, &COLUMNS, &mut errors, &mut warnings) else {
        return Err(Error::Input(errors));
    };
    let mut pairs = Vec::new();
    // Unordered pair → (index in `pairs`, line), to find repeats.
    let mut seen: BTreeMap<(usize, usize), (usize, u64)> = BTreeMap::new();
    for r in &table.records {
        let a = country(model, name, r.line, "country_a", &table, r, &mut errors);
        let b = country(model, name, r.line, "country_b", &table, r, &mut errors);
        let rho = correlation(name, r.line, table.text(r, "rho"), &mut errors);
        let (Some(a), Some(b), Some(rho)) = (a, b, rho) else {
            continue;
        };
        if a == b {
            if rho != 1.0 {
                errors.push(InputIssue::cell(
                    name,
                    r.line,
                    "rho",
                    table.text(r, "rho"),
                    format!(
                        "pairs {} with itself; a country's correlation with itself is 1 \
                         (leave the row out), expected two different countries",
                        model.countries[a].code
                    ),
                ));
            }
            continue;
        }
        let key = (a.min(b), a.max(b));
        if let Some(&(k, first)) = seen.get(&key) {
            let earlier: &CorrelationPair = &pairs[k];
            let what = if earlier.rho == rho {
                "repeats".to_string()
            } else {
                format!("contradicts (rho {} there)", earlier.rho)
            };
            errors.push(InputIssue::line(
                name,
                r.line,
                format!(
                    "the pair {}–{} {what} line {first}; expected each pair of countries once",
                    model.countries[key.0].code, model.countries[key.1].code
                ),
            ));
            continue;
        }
        seen.insert(key, (pairs.len(), r.line));
        pairs.push(CorrelationPair {
            a: key.0,
            b: key.1,
            rho,
            line: r.line,
        });
    }
    errors.into_result()?;
    Ok(Correlations {
        file: name.to_string(),
        pairs,
        warnings,
    })
}

/// The model country named in `column` of record `r`, or `None` (reported).
fn country(
    model: &Model,
    file: &str,
    line: u64,
    column: &'static str,
    table: &super::table::Table,
    r: &super::table::Record,
    errors: &mut InputErrors,
) -> Option<usize> {
    let text = table.required_text(r, column, errors)?;
    let code = super::parse_iso3(file, line, column, text, errors)?;
    let code = super::iso3_str(&code);
    match model
        .countries
        .binary_search_by(|c| c.code.as_str().cmp(code))
    {
        Ok(k) => Some(k),
        Err(_) => {
            errors.push(InputIssue::cell(
                file,
                line,
                column,
                text,
                format!(
                    "is not a country of this model; expected one of: {}",
                    super::list(model.countries.iter().map(|c| c.code.as_str()))
                ),
            ));
            None
        }
    }
}

/// The correlation in a `rho` cell: a plain number in [−1, 1], or `None` (reported).
fn correlation(file: &str, line: u64, text: &str, errors: &mut InputErrors) -> Option<f64> {
    let expected = "expected a correlation between -1 and 1, e.g. 0.3";
    let message = match parse_plain_number(text) {
        Ok(v) if (-1.0..=1.0).contains(&v) => return Some(v),
        Ok(_) => format!("is out of range; {expected}"),
        Err(_) if text.is_empty() => format!("is empty; {expected}"),
        Err(hint) => hint,
    };
    errors.push(InputIssue::cell(file, line, "rho", text, message));
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::parse_model;

    fn model() -> Model {
        let files = ModelFiles::from_memory(&[
            (
                "suppliers.csv",
                b"supplier,mineral,country,unit_cost\na,ga,CHN,1\nb,ga,RUS,2\nc,ga,USA,3\n",
            ),
            ("demand.csv", b"mineral,quantity\nga,1\n"),
        ]);
        parse_model(&files).unwrap()
    }

    fn parse(text: &str) -> Result<Correlations> {
        let files = ModelFiles::from_memory(&[("corr.csv", text.as_bytes())]);
        parse_correlation(&files, "corr.csv", &model())
    }

    fn message(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_pairs_in_either_order_and_case() {
        let c = parse("country_a,country_b,rho\nRUS,chn,0.4\nUSA,USA,1\nCHN,USA,-0.2\n").unwrap();
        // Countries are sorted: CHN 0, RUS 1, USA 2.
        assert_eq!(c.pairs.len(), 2);
        assert_eq!((c.pairs[0].a, c.pairs[0].b, c.pairs[0].rho), (0, 1, 0.4));
        assert_eq!((c.pairs[1].a, c.pairs[1].b, c.pairs[1].rho), (0, 2, -0.2));
        assert_eq!(c.pairs[1].line, 4);
    }

    #[test]
    fn refuses_bad_cells_with_line_and_column() {
        let m = message("country_a,country_b,rho\nCHN,RUS,1.5\n");
        assert!(
            m.contains("corr.csv:2: column rho: \"1.5\" is out of range"),
            "{m}"
        );
        let m = message("country_a,country_b,rho\nCHN,FRA,0.5\n");
        assert!(
            m.contains("corr.csv:2: column country_b: \"FRA\" is not a country"),
            "{m}"
        );
        let m = message("country_a,country_b,rho\nCHN,RUS,50%\n");
        assert!(m.contains("column rho: \"50%\" is a percentage"), "{m}");
        let m = message("country_a,country_b,rho\nCHN,RUS,\n");
        assert!(m.contains("column rho: \"\" is empty"), "{m}");
        let m = message("country_a,country_b,rho\nCH1,RUS,0.1\n");
        assert!(
            m.contains("column country_a: \"CH1\" is not an ISO 3166-1"),
            "{m}"
        );
        let m = message("country_a,rho\nCHN,0.1\n");
        assert!(m.contains("missing required column country_b"), "{m}");
    }

    #[test]
    fn refuses_self_pairs_other_than_one_and_repeated_pairs() {
        let m = message("country_a,country_b,rho\nCHN,CHN,0.5\n");
        assert!(
            m.contains("corr.csv:2: column rho: \"0.5\" pairs CHN with itself"),
            "{m}"
        );
        let m = message("country_a,country_b,rho\nCHN,RUS,0.5\nRUS,CHN,0.5\n");
        assert!(
            m.contains("corr.csv:3: the pair CHN–RUS repeats line 2"),
            "{m}"
        );
        let m = message("country_a,country_b,rho\nCHN,RUS,0.5\nRUS,CHN,0.2\n");
        assert!(
            m.contains("corr.csv:3: the pair CHN–RUS contradicts (rho 0.5 there) line 2"),
            "{m}"
        );
    }
}
