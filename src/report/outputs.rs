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
    /// A self-contained HTML page of the results (`--report FILE.html`), if asked for.
    pub report: Option<PathBuf>,
}

impl Outputs {
    /// CSV files in `dir`, RFC 4180, no workbook.
    pub fn csv(dir: &Path) -> Self {
        Outputs {
            dir: dir.to_path_buf(),
            dialect: Dialect::Rfc4180,
            xlsx: None,
            report: None,
        }
    }

    /// The page file to publish with the results: `(path, page())` when `--report` asks
    /// for one, nothing otherwise (`page` is then not called).
    pub fn report_file(
        &self,
        page: impl FnOnce() -> Result<String>,
    ) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        match &self.report {
            Some(path) => Ok(vec![(path.clone(), page()?.into_bytes())]),
            None => Ok(Vec::new()),
        }
    }

    /// Refuses, as usage errors, results that would destroy or mix with the model being
    /// read (`model`, a folder or a workbook): a workbook at the model's path, and a
    /// results folder that is a model folder (see `refuse_model_folder`).
    pub fn check_not_input(&self, model: &Path) -> Result<()> {
        self.check_workbook_not_input(model)?;
        if self.dir.as_os_str().is_empty() {
            return Ok(());
        }
        refuse_model_folder(&self.dir, model)
    }

    /// Refuses a workbook or page that would overwrite the model being read (`model`, a
    /// folder or a workbook), as a usage error naming `--xlsx` or `--report`.
    pub fn check_workbook_not_input(&self, model: &Path) -> Result<()> {
        let files = [("--xlsx", &self.xlsx), ("--report", &self.report)];
        for (flag, path) in files {
            if let Some(path) = path.as_ref().filter(|p| same_file(p, model)) {
                return Err(Error::Usage(format!(
                    "{flag} {} is the model being read; name another file for the results",
                    path.display()
                )));
            }
        }
        Ok(())
    }

    /// Refuses a workbook path that is a folder or lacks the `.xlsx` extension, and a
    /// report path that is a folder or lacks `.html` (usage errors naming the flag), before
    /// anything is computed.
    pub fn validate(&self) -> Result<()> {
        let files = [
            (
                "--xlsx",
                &self.xlsx,
                &["xlsx"][..],
                "a workbook file ending in .xlsx",
            ),
            (
                "--report",
                &self.report,
                &["html", "htm"][..],
                "a page file ending in .html",
            ),
        ];
        for (flag, path, exts, what) in files {
            let Some(path) = path else {
                continue;
            };
            let ext_ok = path
                .extension()
                .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)));
            if path.is_dir() || !ext_ok {
                return Err(Error::Usage(format!(
                    "{flag} {} must name {what}",
                    path.display()
                )));
            }
            refuse_non_regular(flag, path, self.is_result_link(path))?;
        }
        Ok(())
    }

    /// Whether `path` is a result link of this results folder (a workbook written into
    /// `--out` by an earlier run), which is replaced like the folder's other results.
    fn is_result_link(&self, path: &Path) -> bool {
        let Some(parent) = path.parent() else {
            return false;
        };
        same_file(parent, &self.dir) && crate::write::is_result_link(path)
    }
}

/// Whether `a` and `b` name the same existing file or folder.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Refuses (a usage error naming `flag`) an output path that exists and is not a regular
/// file: a device, a FIFO, a socket or a link (unless `ours`). Writing results through a
/// link or into a device is never what a results path means, and replacing one (as root,
/// `-o /dev/null`) would break the system.
pub fn refuse_non_regular(flag: &str, path: &Path, ours: bool) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if !m.is_file() && !ours => Err(Error::Usage(format!(
            "{flag} {} is not a regular file (a link, device, FIFO or socket); name a \
             regular file, which is replaced whole",
            path.display()
        ))),
        _ => Ok(()),
    }
}

/// The first line of a results constraints.csv, in either dialect.
const RESULT_CONSTRAINTS_HEADER: &str = "constraint,mineral,target,bound,value";

/// Refuses a results folder `dir` that is the model folder `model`, holds a model
/// (suppliers.csv), or holds a constraints.csv that is the policy of a model rather than
/// earlier results: a result of the same name would replace it.
pub fn refuse_model_folder(dir: &Path, model: &Path) -> Result<()> {
    use crate::input::files::{CONSTRAINTS, SUPPLIERS};
    let refuse = |why: &str| {
        Err(Error::Usage(format!(
            "--out {} {why}; name another folder for the results",
            dir.display()
        )))
    };
    if same_file(dir, model) {
        return refuse("is the model folder being read: results would overwrite its files");
    }
    if dir.join(SUPPLIERS).exists() {
        return refuse("holds a model (suppliers.csv): results would overwrite its files");
    }
    let policy = dir.join(CONSTRAINTS);
    if !crate::write::is_result_link(&policy) && policy.is_file() {
        let mut head = String::new();
        let read = std::fs::File::open(&policy)
            .and_then(|f| std::io::BufRead::read_line(&mut std::io::BufReader::new(f), &mut head));
        let result = head
            .replace(';', ",")
            .starts_with(RESULT_CONSTRAINTS_HEADER);
        if read.is_ok() && !result {
            return refuse(
                "holds a model's constraints.csv, which the results' constraints.csv would replace",
            );
        }
    }
    Ok(())
}

/// Stages the workbook of `tables` (and `extra` sheets such as `inputs`) at `path` into
/// `staged` (one of the set when `path` lies in its results folder).
pub fn stage_workbook(staged: &mut Staged, path: &Path, tables: &[&Table<'_>]) -> Result<()> {
    let bytes = workbook_bytes(path, tables)?;
    stage_workbook_bytes(staged, path, bytes)
}

/// The bytes of the workbook of `tables` at `path` (a usage error names `--xlsx`), with
/// the workbook's folder created: both can fail before the results folder is made.
pub fn workbook_bytes(path: &Path, tables: &[&Table<'_>]) -> Result<Vec<u8>> {
    let bytes = xlsx::workbook(tables)
        .map_err(|why| Error::Usage(format!("--xlsx {}: {why}", path.display())))?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
    }
    Ok(bytes)
}

/// Stages workbook `bytes` (from [`workbook_bytes`]) at `path` into `staged`.
pub fn stage_workbook_bytes(staged: &mut Staged, path: &Path, bytes: Vec<u8>) -> Result<()> {
    staged.write_buffers(&[(path.to_path_buf(), bytes)])?;
    Ok(())
}

/// Writes `tables` as CSV files into `outputs.dir` (in `outputs.dialect`) and, when
/// asked, as a workbook with the `extra` sheets after them (e.g. the inputs echo); all
/// files are renamed into place only when every one is written. Returns their paths.
pub fn write_tables(
    outputs: &Outputs,
    tables: &[Table<'_>],
    extra: &[Table<'_>],
) -> Result<Vec<PathBuf>> {
    write_tables_with(outputs, tables, extra, Vec::new())
}

/// [`write_tables`] with `other` files that are not tables (the `--report` page) written
/// with them, all or none.
pub fn write_tables_with(
    outputs: &Outputs,
    tables: &[Table<'_>],
    extra: &[Table<'_>],
    other: Vec<(PathBuf, Vec<u8>)>,
) -> Result<Vec<PathBuf>> {
    let csv: Vec<(PathBuf, &Table)> = tables
        .iter()
        .map(|t| (outputs.dir.join(t.file_name()), t))
        .collect();
    let sheets: Vec<&Table> = tables.iter().chain(extra).collect();
    write_results(outputs, &csv, &sheets, other)
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
        Some(path) => Some((path, workbook_bytes(path, sheets)?)),
        None => None,
    };
    atomic::create_out_dir(&outputs.dir)?;
    let mut staged = Staged::results(&outputs.dir);
    if let Some((path, bytes)) = book {
        stage_workbook_bytes(&mut staged, path, bytes)?;
    }
    let files: Vec<(PathBuf, Vec<u8>)> = csv
        .iter()
        .map(|(path, t)| (path.clone(), t.to_csv(outputs.dialect)))
        .chain(other)
        .collect();
    staged.write_buffers(&files)?;
    Ok(staged.commit()?)
}

/// Writes only the workbook of `sheets` at `path` (for a command whose table goes to
/// standard output, `bench`).
pub fn write_workbook(path: &Path, sheets: &[&Table<'_>]) -> Result<PathBuf> {
    let outputs = Outputs {
        dir: PathBuf::new(),
        dialect: Dialect::Rfc4180,
        xlsx: Some(path.to_path_buf()),
        report: None,
    };
    outputs.validate()?;
    let mut staged = Staged::new();
    stage_workbook(&mut staged, path, sheets)?;
    let mut written = staged.commit()?;
    Ok(written.pop().unwrap_or_else(|| path.to_path_buf()))
}
