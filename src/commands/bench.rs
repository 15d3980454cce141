//! `bench`: time each solver on the same model and check that they agree.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::input::{load, Loaded};
use crate::report::{inputs::inputs_table, write_workbook, Outputs};
use crate::tools::bench::{
    able_solvers, bench, generated_model, parse_spec, BenchOptions, BenchReport,
};
use crate::tools::bench_table::bench_table;

/// The model `bench` times.
#[derive(Debug, Clone, Copy)]
pub enum BenchModel<'a> {
    /// A model folder (or workbook).
    Folder(&'a Path),
    /// A generated model: `offers=N,minerals=M[,seed=S][,countries=C]`.
    Generated(&'a str),
}

/// What `bench` did.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchRun {
    /// Times, objectives and the agreement of the solvers.
    pub report: BenchReport,
    /// Warnings of the model's read.
    pub warnings: Vec<String>,
    /// The workbook written, when `outputs` asked for one.
    pub written: Option<PathBuf>,
}

/// `bench MODEL|--generate SPEC`: reads (or generates) the model, times every solver of
/// `opts` on it (none named: every solver of the build that can solve it, with a warning
/// naming each one left out), and writes the `bench` and `inputs` sheets into the workbook of
/// `outputs` when it names one (bench writes no CSV file). `progress` sees (runs done,
/// runs in all).
pub fn bench_model(
    model: BenchModel,
    outputs: &Outputs,
    opts: &BenchOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<BenchRun> {
    outputs.validate()?;
    let (loaded, label): (Loaded, String) = match model {
        BenchModel::Folder(dir) => {
            outputs.check_not_input(dir)?;
            (load(dir)?, dir.display().to_string())
        }
        BenchModel::Generated(spec) => (generated_model(&parse_spec(spec)?)?, spec.to_string()),
    };
    let mut warnings = loaded.warnings;
    let report = if opts.solvers.is_empty() {
        let (solvers, left_out) = able_solvers(&loaded.model)?;
        warnings.extend(left_out);
        let opts = BenchOptions {
            solvers,
            ..opts.clone()
        };
        bench(&loaded.model, &label, &opts, progress)?
    } else {
        bench(&loaded.model, &label, opts, progress)?
    };
    let written = match &outputs.xlsx {
        Some(book) => Some(write_workbook(
            book,
            &[&bench_table(&report), &inputs_table(&loaded.model)],
        )?),
        None => None,
    };
    Ok(BenchRun {
        report,
        warnings,
        written,
    })
}

/// The usage error of a `bench` given neither a model nor a spec.
pub fn no_bench_model() -> Error {
    Error::Usage("give a MODEL folder or --generate SPEC".into())
}
