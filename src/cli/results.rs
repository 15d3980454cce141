//! The result-file flags every command that writes tables shares: `--xlsx FILE` and
//! `--csv-dialect`. A command adds them with `#[command(flatten)] files: ResultFiles`
//! and passes `files.outputs(&out_dir)` to its library entry point.

use std::path::{Path, PathBuf};

use clap::Args;
use sourcemix::report::{Dialect, Outputs};

/// `--xlsx` and `--csv-dialect`.
#[derive(Args, Debug, Clone)]
pub struct ResultFiles {
    /// Also write every result table into one workbook (a sheet per table, plus inputs).
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
    /// CSV dialect of the result files: rfc4180 (`,` and `.`) or excel-eu (`;` and a
    /// decimal comma, as Excel under a European locale reads).
    #[arg(long = "csv-dialect", value_name = "DIALECT", default_value_t = Dialect::Rfc4180)]
    pub csv_dialect: Dialect,
}

impl ResultFiles {
    /// Where the results go: CSV files in `dir`, and the workbook if asked for.
    pub fn outputs(&self, dir: &Path) -> Outputs {
        Outputs {
            dir: dir.to_path_buf(),
            dialect: self.csv_dialect,
            xlsx: self.xlsx.clone(),
            report: None,
        }
    }

    /// Notes on stderr where the results went: `dir`, and the workbook when the run
    /// wrote files (`written`).
    pub fn note_written(&self, dir: &Path, written: &[PathBuf]) {
        crate::cli::output::note(&format!("wrote {}", dir.display()));
        if let Some(book) = self.xlsx.as_ref().filter(|_| !written.is_empty()) {
            crate::cli::output::note(&format!("wrote {}", book.display()));
        }
    }
}

/// `--report FILE.html` (solve, stress, frontier, policy, hedge).
#[derive(Args, Debug, Clone, Default)]
pub struct PageFile {
    /// Also write one self-contained HTML page of the results, to send (no network, prints
    /// on A4).
    #[arg(long = "report", value_name = "FILE.html")]
    pub report: Option<PathBuf>,
}

impl PageFile {
    /// `outputs` with the page added when asked for.
    pub fn onto(&self, outputs: Outputs) -> Outputs {
        Outputs {
            report: self.report.clone(),
            ..outputs
        }
    }

    /// Notes on stderr where the page went, when the run wrote files (`written`).
    pub fn note_written(&self, written: &[PathBuf]) {
        if let Some(page) = self.report.as_ref().filter(|_| !written.is_empty()) {
            crate::cli::output::note(&format!("wrote {}", page.display()));
        }
    }
}
