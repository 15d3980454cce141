//! `scenarios`: correlated disruption samples into a scenarios.csv.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::sampling::{sample, SampledScenarios, SamplingOptions};
use crate::error::Result;
use crate::input::correlation::load_correlation;
use crate::input::{load, Loaded};
use crate::report::{scenarios_table, write_results, Outputs};

/// What `scenarios` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenariosRun {
    /// The samples and scenarios.
    pub result: SampledScenarios,
    /// Warnings of the model and of the sampling.
    pub warnings: Vec<String>,
    /// The file written.
    pub written: PathBuf,
    /// True when it replaced an existing file.
    pub replaced: bool,
}

/// The default output of `scenarios`: `MODEL/scenarios.csv` (SPEC §3).
pub fn default_scenarios_file(model_dir: &Path) -> PathBuf {
    model_dir.join(crate::input::files::SCENARIOS)
}

/// `scenarios MODEL --samples N --seed S [--correlation FILE] [--out FILE]`: read the
/// model (all but its scenarios.csv, which need not be valid: it is what gets replaced)
/// and the correlation file, sample, and write the scenarios.csv to `out` whole or not at
/// all (a refused or failed run leaves an earlier file untouched). `results` gives the
/// CSV dialect (an excel-eu file reads back as the same scenarios) and the workbook, if
/// asked for (sheets `scenarios` and `inputs`), written with the file, both or neither;
/// its folder is `out`'s. `progress` is called with the samples of each chunk done.
pub fn scenarios_model(
    model_dir: &Path,
    correlation: Option<&Path>,
    out: &Path,
    results: &Outputs,
    opts: &SamplingOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ScenariosRun> {
    let outputs = Outputs {
        dir: match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        },
        ..results.clone()
    };
    outputs.validate()?;
    outputs.check_workbook_not_input(model_dir)?;
    if out.is_dir() {
        return Err(crate::Error::Usage(format!(
            "--out {} is a folder; expected the scenarios.csv file to write",
            out.display()
        )));
    }
    let Loaded {
        model,
        mut warnings,
        ..
    } = load_without_scenarios(model_dir)?;
    let correlations = correlation
        .map(|p| load_correlation(p, &model))
        .transpose()?;
    let result = sample(&model, correlations.as_ref(), opts, progress)?;
    warnings.extend(result.warnings.iter().cloned());
    let replaced = out.exists();
    let table = scenarios_table(&result);
    let inputs = crate::report::inputs::inputs_table(&model);
    let csv = [(out.to_path_buf(), &table)];
    write_results(&outputs, &csv, &[&table, &inputs], Vec::new())?;
    drop(table);
    Ok(ScenariosRun {
        result,
        warnings,
        written: out.to_path_buf(),
        replaced,
    })
}

/// The model in `dir` without its scenarios.csv.
fn load_without_scenarios(dir: &Path) -> Result<Loaded> {
    use crate::input::files::{CONSTRAINTS, COUNTRIES, DEMAND, SUPPLIERS};
    if !dir.is_dir() {
        // load's error names the folder.
        return load(dir);
    }
    let names = [SUPPLIERS, DEMAND, COUNTRIES, CONSTRAINTS];
    crate::input::parse(&crate::input::ModelFiles::read_dir(dir, &names))
}
