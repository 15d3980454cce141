//! `sourcemix export`: the exact model sourcemix solves, as an MPS or LP file.

use std::path::PathBuf;

use clap::Args;
use sourcemix::commands::{export_model, ExportFormat, ExportOptions, ExportSummary};
use sourcemix::Error;

use super::output::{self, Format};

/// Arguments of `export`.
#[derive(Args)]
pub struct ExportArgs {
    /// Model folder.
    model: PathBuf,
    /// File format: mps (free MPS) or lp (CPLEX LP).
    #[arg(long = "format")]
    file_format: ExportFormat,
    /// The file to write (replaced whole, or left as it was on failure).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
    /// Export only this mineral's block.
    #[arg(long, value_name = "M")]
    mineral: Option<String>,
    /// HHI caps as quadratic constraints t >= s^2 (LP: [ s ^2 ]; MPS: QCMATRIX) instead
    /// of the tangent cuts of the final round of the cut loop.
    #[arg(long)]
    socp: bool,
    /// Standard output format of the summary.
    #[arg(long = "print", value_enum, default_value_t)]
    print: Format,
}

/// Runs `export`; returns the exit code.
pub fn run(args: ExportArgs) -> Result<u8, Error> {
    let opts = ExportOptions {
        format: args.file_format,
        mineral: args.mineral,
        socp: args.socp,
    };
    let summary = export_model(&args.model, &args.output, &opts)?;
    output::result(args.print, &summary, render)?;
    for note in summary.hhi.iter().filter(|n| !n.converged) {
        output::warnings(&[format!(
            "the cut loop of {} stopped before every HHI cap held (no plan, or the round limit): its cuts are those of the last round",
            note.mineral
        )]);
    }
    Ok(0)
}

fn render(s: &ExportSummary) -> String {
    let mut out = format!(
        "wrote {} ({}): {} columns ({} integer), {} rows, {} nonzeros",
        s.file, s.format, s.columns, s.integer_columns, s.rows, s.nonzeros
    );
    if s.quadratic_rows > 0 {
        out.push_str(&format!(", {} quadratic rows", s.quadratic_rows));
    }
    out.push('\n');
    for n in &s.hhi {
        if n.form == "cuts" {
            out.push_str(&format!(
                "  {}: HHI caps as tangent cuts after {} rounds ({})\n",
                n.mineral, n.cut_rounds, n.solver
            ));
        } else {
            out.push_str(&format!(
                "  {}: HHI caps as quadratic constraints\n",
                n.mineral
            ));
        }
    }
    out
}
