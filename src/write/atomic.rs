//! Whole-or-nothing file writes. A [`Staged`] set is written in full to temporary names,
//! synced to disk (concurrently: each `fsync` waits on the disk, and they overlap), and
//! only then published:
//!
//! - files of a results folder ([`Staged::results`]) all at once, by one atomic rename
//!   of a generation link under the folder's lock (see [`super::set`]; Unix), so a reader
//!   sees the earlier complete set or the new one, whatever ends the process;
//! - any other file (a workbook elsewhere, an export, a generated model) by its own
//!   rename of `.NAME.PID.tmp` over the target, each file whole.
//!
//! Only regular files are ever replaced. Temporary files are listed in flight so a
//! signal can remove them ([`super::interrupt`]), and a later run removes those a dead
//! run left ([`super::stale`]).
//!
//! Why not `tempfile`'s `NamedTempFile::persist`: it renames one file, while every command
//! here must publish a *set* of files all or none, sync them concurrently before any
//! rename, and let the signal handler find the temporary names — none of which `persist`
//! offers. `tempfile` stays a dev-dependency.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::interrupt;
#[cfg(unix)]
use super::lock::FolderLock;
#[cfg(unix)]
use super::set::SetStage;
use super::stale;

/// Creates the results folder `dir` (and its parents). A path that names an existing
/// file is a usage error (exit 2), any other failure a write error (exit 5).
pub fn create_out_dir(dir: &Path) -> crate::Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(crate::Error::Usage(format!(
            "--out {} names a file; expected a folder for the results",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| crate::Error::write(dir, e))
}

/// A failed write: the file it was for and the error.
#[derive(Debug)]
pub struct WriteError {
    /// The target file.
    pub path: PathBuf,
    /// What failed.
    pub source: io::Error,
}

impl From<WriteError> for crate::Error {
    fn from(e: WriteError) -> Self {
        crate::Error::write(e.path, e.source)
    }
}

/// Files written to temporary names and waiting to be published; dropping it removes them.
#[derive(Default)]
pub struct Staged {
    /// The results folder's files, published together.
    #[cfg(unix)]
    set: Option<SetStage>,
    /// Other files: (temporary, final) paths.
    files: Vec<(PathBuf, PathBuf)>,
    /// The written temporary files not yet synced, with their targets.
    open: Vec<(File, PathBuf)>,
}

impl Staged {
    /// An empty set of single files, each published by its own rename.
    pub fn new() -> Self {
        Staged::default()
    }

    /// An empty set for results folder `dir` (which must exist when the first file is
    /// written): its files directly in `dir` are published all at once.
    pub fn results(dir: &Path) -> Self {
        #[cfg(unix)]
        {
            Staged {
                set: Some(SetStage::new(dir)),
                files: Vec::new(),
                open: Vec::new(),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = dir;
            Staged::default()
        }
    }

    /// Where `target` is written before it is published, and whether it belongs to the set.
    fn temp_path(&mut self, target: &Path) -> io::Result<(PathBuf, bool)> {
        #[cfg(unix)]
        if let Some(set) = self.set.as_mut() {
            if let Some(name) = member_name(set.home(), target) {
                return Ok((set.member_path(name)?, true));
            }
        }
        refuse_non_regular(target)?;
        let name = target.file_name().unwrap_or_default();
        Ok((target.with_file_name(stale::temp_file_name(name)), false))
    }

    /// Writes `target` through `body` into its temporary file (synced by
    /// [`Staged::sync`] or [`Staged::commit`]).
    pub fn write<T>(
        &mut self,
        target: &Path,
        body: impl FnOnce(&mut BufWriter<File>) -> io::Result<T>,
    ) -> Result<T, WriteError> {
        let err = |source| WriteError {
            path: target.to_path_buf(),
            source,
        };
        let (tmp, member) = self.temp_path(target).map_err(err)?;
        let file = interrupt::creating(|list| {
            let file = File::create(&tmp)?;
            if !member {
                list.push(tmp.clone());
            }
            Ok(file)
        })
        .map_err(err)?;
        if !member {
            self.files.push((tmp, target.to_path_buf()));
        }
        let mut w = BufWriter::with_capacity(1 << 16, file);
        let value = body(&mut w).map_err(err)?;
        let file = w.into_inner().map_err(|e| err(e.into_error()))?;
        self.open.push((file, target.to_path_buf()));
        Ok(value)
    }

    /// Writes each whole buffer to its target's temporary file (one write call each).
    pub fn write_buffers(&mut self, files: &[(PathBuf, Vec<u8>)]) -> Result<(), WriteError> {
        for (path, bytes) in files {
            self.write(path, |w| w.get_mut().write_all(bytes))?;
        }
        Ok(())
    }

    /// Syncs the temporary files written so far to disk.
    pub fn sync(&mut self) -> Result<(), WriteError> {
        let open = std::mem::take(&mut self.open);
        open.into_par_iter()
            .map(|(file, target)| {
                file.sync_all().map_err(|source| WriteError {
                    path: target,
                    source,
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect()
    }

    /// Takes over the files of `other`, to be published with this set's own.
    pub fn append(&mut self, mut other: Staged) -> Result<(), WriteError> {
        #[cfg(unix)]
        if let Some(theirs) = other.set.take() {
            match self.set.as_mut() {
                Some(ours) => {
                    let home = ours.home().to_path_buf();
                    ours.absorb(theirs)
                        .map_err(|source| WriteError { path: home, source })?;
                }
                None => self.set = Some(theirs),
            }
        }
        self.files.append(&mut other.files);
        self.open.append(&mut other.open);
        Ok(())
    }

    /// Syncs every temporary file to disk, then publishes: the results folder's files
    /// all at once under its lock, then each other file by its rename. Returns the final
    /// paths. A signal arriving meanwhile waits until this returns. Only a failure to
    /// rename a file outside the results folder, after the folder was published, leaves
    /// the two out of step (each still whole).
    pub fn commit(mut self) -> Result<Vec<PathBuf>, WriteError> {
        self.sync()?;
        for (_, target) in &self.files {
            refuse_non_regular(target).map_err(|source| WriteError {
                path: target.clone(),
                source,
            })?;
        }
        #[cfg(unix)]
        let set = self.set.take();
        #[cfg(unix)]
        let _lock = match &set {
            Some(set) => {
                set.check_paths()?;
                Some(FolderLock::acquire(set.home())?)
            }
            None => None,
        };
        let _guard = interrupt::commit_guard();
        #[cfg(unix)]
        let mut done = match set {
            Some(set) => set.publish()?,
            None => Vec::new(),
        };
        #[cfg(not(unix))]
        let mut done = Vec::new();
        self.rename_files(&mut done)?;
        Ok(done)
    }

    /// Renames each file outside the results folder into place (appending to `done`),
    /// after removing dead runs' temporary files of that target beside it (only
    /// `.NAME.PID.tmp` of its own name: the folder may be /tmp or a home folder).
    fn rename_files(&mut self, done: &mut Vec<PathBuf>) -> Result<(), WriteError> {
        let files = std::mem::take(&mut self.files);
        let mut rest = files.into_iter();
        while let Some((tmp, target)) = rest.next() {
            let dir = target.parent().filter(|d| !d.as_os_str().is_empty());
            let name = target.file_name().unwrap_or_default();
            stale::remove_dead_temps_of(dir.unwrap_or(Path::new(".")), name);
            if let Err(source) = std::fs::rename(&tmp, &target) {
                self.files = std::iter::once((tmp, target.clone())).chain(rest).collect();
                return Err(WriteError {
                    path: target,
                    source,
                });
            }
            interrupt::untrack(&tmp);
            done.push(target);
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        for (tmp, _) in &self.files {
            let _ = std::fs::remove_file(tmp);
            interrupt::untrack(tmp);
        }
    }
}

/// The file name of `target` when it lies directly in results folder `home`.
#[cfg(unix)]
fn member_name<'a>(home: &Path, target: &'a Path) -> Option<&'a std::ffi::OsStr> {
    let parent = target.parent()?;
    let same = parent == home
        || matches!(
            (parent.canonicalize(), home.canonicalize()),
            (Ok(a), Ok(b)) if a == b
        );
    same.then_some(target.file_name()?)
}

/// Refuses to replace anything but a regular file (a device, a FIFO, a link, a folder):
/// as root, `-o /dev/null` must never replace /dev/null.
fn refuse_non_regular(target: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(target) {
        Ok(m) if m.is_dir() => Err(io::Error::other("is a folder; expected a file")),
        Ok(m) if !m.is_file() => Err(io::Error::other(
            "is not a regular file (a link, device or FIFO); only regular files are replaced",
        )),
        _ => Ok(()),
    }
}

/// Writes each file to its temporary name and syncs them; the caller commits the set (or
/// drops it, which removes the temporary files).
pub fn stage_all(files: &[(PathBuf, Vec<u8>)]) -> Result<Staged, WriteError> {
    let mut staged = Staged::new();
    staged.write_buffers(files)?;
    staged.sync()?;
    Ok(staged)
}

/// [`stage_all`] for files of results folder `dir`, published together.
pub fn stage_results(dir: &Path, files: &[(PathBuf, Vec<u8>)]) -> Result<Staged, WriteError> {
    let mut staged = Staged::results(dir);
    staged.write_buffers(files)?;
    staged.sync()?;
    Ok(staged)
}

#[cfg(test)]
mod tests;
