//! Where a command's result tables go: CSV files in a folder (in a [`Dialect`]) and,
//! optionally, one workbook. [`write_tables`] writes them all or none; a command adds
//! `--csv-dialect` and `--xlsx` by building an [`Outputs`] and calling it.

use std::path::{Path, PathBuf};

use super::table::{Dialect, Table};
use super::xlsx;
use crate::error::{Error, Result};
use crate::write::atomic::{self, Staged};

/// The destinations of a command's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outputs {
    /// Folder of the CSV files.
    pub dir: PathBuf,
    /// How the CSV files are written.
    pub dialect: Dialect,
    /// A workbook holding every table as a sheet (`--xlsx FILE`), if asked for.
    pub xlsx: Option<PathBuf>,
}

impl Outputs {
    /// CSV files in `dir`, RFC 4180, no workbook.
    pub fn csv(dir: &Path) -> Self {
        Outputs {
            dir: dir.to_path_buf(),
            dialect: Dialect::Rfc4180,
            xlsx: None,
        }
    }

    /// Refuses a workbook that would overwrite the model being read (`model`, a folder
    /// or a workbook), as a usage error naming `--xlsx`.
    pub fn check_not_input(&self, model: &Path) -> Result<()> {
        let Some(book) = &self.xlsx else {
            return Ok(());
        };
        let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if same(book, model) {
            return Err(Error::Usage(format!(
                "--xlsx {} is the model being read; name another file for the results",
                book.display()
            )));
        }
        Ok(())
    }

    /// Refuses a workbook path that is a folder or lacks the `.xlsx` extension (a usage
    /// error naming `--xlsx`), before anything is computed.
    pub fn validate(&self) -> Result<()> {
        let Some(path) = &self.xlsx else {
            return Ok(());
        };
        let ext_ok = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        if path.is_dir() || !ext_ok {
            return Err(Error::Usage(format!(
                "--xlsx {} must name a workbook file ending in .xlsx",
                path.display()
            )));
        }
        Ok(())
    }
}

/// Stages the workbook of `tables` (and `extra` sheets such as `inputs`) at `path`.
pub fn stage_workbook(path: &Path, tables: &[&Table<'_>]) -> Result<Staged> {
    let bytes = xlsx::workbook(tables)
        .map_err(|why| Error::Usage(format!("--xlsx {}: {why}", path.display())))?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
    }
    Ok(atomic::stage_all(&[(path.to_path_buf(), bytes)])?)
}

/// Writes `tables` as CSV files into `outputs.dir` (in `outputs.dialect`) and, when
/// asked, as a workbook with the `extra` sheets after them (e.g. the inputs echo); all
/// files are renamed into place only when every one is written. Returns their paths.
pub fn write_tables(
    outputs: &Outputs,
    tables: &[Table<'_>],
    extra: &[Table<'_>],
) -> Result<Vec<PathBuf>> {
    let csv: Vec<(PathBuf, &Table)> = tables
        .iter()
        .map(|t| (outputs.dir.join(t.file_name()), t))
        .collect();
    let sheets: Vec<&Table> = tables.iter().chain(extra).collect();
    write_results(outputs, &csv, &sheets, Vec::new())
}

/// The general form of [`write_tables`]: each table of `csv` at its own path, the
/// workbook (when asked) of `sheets`, and `other` files that are not tables (e.g.
/// frontier.svg) written with them, all or none. `outputs.dir` is created first.
pub fn write_results(
    outputs: &Outputs,
    csv: &[(PathBuf, &Table<'_>)],
    sheets: &[&Table<'_>],
    other: Vec<(PathBuf, Vec<u8>)>,
) -> Result<Vec<PathBuf>> {
    outputs.validate()?;
    let book = match &outputs.xlsx {
        Some(path) => Some(stage_workbook(path, sheets)?),
        None => None,
    };
    atomic::create_out_dir(&outputs.dir)?;
    let files: Vec<(PathBuf, Vec<u8>)> = csv
        .iter()
        .map(|(path, t)| (path.clone(), t.to_csv(outputs.dialect)))
        .chain(other)
        .collect();
    let mut staged = atomic::stage_all(&files)?;
    if let Some(book) = book {
        staged.append(book);
    }
    Ok(staged.commit()?)
}

/// Writes only the workbook of `sheets` at `path` (for a command whose table goes to
/// standard output, `bench`).
pub fn write_workbook(path: &Path, sheets: &[&Table<'_>]) -> Result<PathBuf> {
    let outputs = Outputs {
        dir: PathBuf::new(),
        dialect: Dialect::Rfc4180,
        xlsx: Some(path.to_path_buf()),
    };
    outputs.validate()?;
    let mut written = stage_workbook(path, sheets)?.commit()?;
    Ok(written.pop().unwrap_or_else(|| path.to_path_buf()))
}
