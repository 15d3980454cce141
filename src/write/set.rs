//! A results folder whose files change all together (Unix).
//!
//! Layout of a results folder `DIR`:
//!
//! ```text
//! DIR/allocation.csv -> .sourcemix/current/allocation.csv   (one link per result file)
//! DIR/.sourcemix/current -> set.PID.N                        (the published generation)
//! DIR/.sourcemix/previous -> set.PID.M                       (the one it replaced, kept)
//! DIR/.sourcemix/set.PID.N/allocation.csv …                  (its files)
//! ```
//!
//! A run writes its files into a staging folder `DIR/.sourcemix/set.PID.N`, syncs them,
//! hard-links into it the earlier generation's files it does not replace (no data is
//! copied), and publishes it by renaming one new link over `current`: one atomic
//! `rename(2)`. Before that instant every result path resolves into the earlier
//! generation, after it into the new one. The replaced generation stays (as `previous`)
//! until the next publication, so a reader that resolved `current` once can finish
//! reading it; the generation before it is removed. Files in `DIR` that are not results
//! are never touched. A regular file at a result's path (from an earlier version) is first taken
//! into the current generation by a hard link and replaced by a link to it: its content
//! stays what a reader sees until the swap.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{self, ErrorKind};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use super::atomic::WriteError;
use super::{interrupt, stale};

/// The hidden folder of a results folder that holds its generations.
pub const META: &str = ".sourcemix";
/// The link in [`META`] naming the published generation.
const CURRENT: &str = "current";
/// The link in [`META`] naming the generation `current` replaced (kept for readers).
const PREVIOUS: &str = "previous";

/// Numbers this process's staging folders.
static SEQ: AtomicU64 = AtomicU64::new(0);
/// The generations this process created: a folder `set.PID.N` with this process's id
/// that is not listed here was left by an earlier process with the same id.
/// (Names, not paths: one folder can be spelled several ways.)
static CREATED: Mutex<Vec<OsString>> = Mutex::new(Vec::new());

fn created() -> std::sync::MutexGuard<'static, Vec<OsString>> {
    CREATED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Files being written for one results folder, not yet published.
pub(crate) struct SetStage {
    home: PathBuf,
    staging: Option<PathBuf>,
    names: Vec<OsString>,
}

fn failed(path: &Path) -> impl Fn(io::Error) -> WriteError + '_ {
    move |source| WriteError {
        path: path.to_path_buf(),
        source,
    }
}

impl SetStage {
    /// An empty set for results folder `home`.
    pub(crate) fn new(home: &Path) -> Self {
        SetStage {
            home: home.to_path_buf(),
            staging: None,
            names: Vec::new(),
        }
    }

    /// The results folder.
    pub(crate) fn home(&self) -> &Path {
        &self.home
    }

    /// Where the result file `name` is written before it is published.
    pub(crate) fn member_path(&mut self, name: &OsStr) -> io::Result<PathBuf> {
        let dir = self.staging_dir()?;
        if !self.names.iter().any(|n| n == name) {
            self.names.push(name.to_owned());
        }
        Ok(dir.join(name))
    }

    fn staging_dir(&mut self) -> io::Result<PathBuf> {
        if let Some(dir) = &self.staging {
            return Ok(dir.clone());
        }
        let dir = new_generation(&self.home)?;
        self.staging = Some(dir.clone());
        Ok(dir)
    }

    /// Takes over the files of `other` (same folder), moving them into this staging folder.
    pub(crate) fn absorb(&mut self, mut other: SetStage) -> io::Result<()> {
        let Some(theirs) = other.staging.take() else {
            return Ok(());
        };
        let Some(ours) = self.staging.clone() else {
            self.staging = Some(theirs);
            self.names = std::mem::take(&mut other.names);
            return Ok(());
        };
        other.staging = Some(theirs.clone());
        // New entries in a staging folder are made while no signal removes it.
        interrupt::creating(|_| {
            for name in std::mem::take(&mut other.names) {
                fs::rename(theirs.join(&name), ours.join(&name))?;
                if !self.names.contains(&name) {
                    self.names.push(name);
                }
            }
            Ok(())
        })
    }

    /// The final paths of the files, in the order written.
    pub(crate) fn targets(&self) -> Vec<PathBuf> {
        self.names.iter().map(|n| self.home.join(n)).collect()
    }

    /// Checks that every result path is free for a link (absent, already a link of ours,
    /// or a regular file to take over) before anything changes.
    pub(crate) fn check_paths(&self) -> Result<(), WriteError> {
        for name in &self.names {
            let path = self.home.join(name);
            match fs::symlink_metadata(&path) {
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(failed(&path)(e)),
                Ok(m) if m.is_file() || is_our_link(&self.home, name) => {}
                Ok(m) => {
                    let what = if m.is_dir() {
                        "a folder is in the way of this result file"
                    } else {
                        "is not a regular file; results replace only regular files"
                    };
                    return Err(failed(&path)(io::Error::other(what)));
                }
            }
        }
        Ok(())
    }

    /// Publishes the set (the caller holds the folder's lock and the commit guard):
    /// returns the final paths. On an error before the swap, nothing a reader sees has
    /// changed: the links made for new result names and the staging folder are removed.
    pub(crate) fn publish(mut self) -> Result<Vec<PathBuf>, WriteError> {
        let Some(stage) = self.staging.clone() else {
            return Ok(Vec::new());
        };
        let home = self.home.clone();
        let meta = home.join(META);
        remove_stale(&home, &meta);
        self.check_paths()?;
        let mut current = current_generation(&meta).map_err(failed(&meta))?;
        // One file is replaced whole by one rename: it stays a regular file (scenarios.csv
        // in a model folder), unless an earlier set already made it a link.
        let single = self.names.len() == 1 && !is_our_link(&home, &self.names[0]);
        if single || (current.is_none() && !links_work(&meta)) {
            return self.publish_file_by_file(&stage);
        }
        let regular: Vec<OsString> = (self.names.iter())
            .filter(|n| fs::symlink_metadata(home.join(n)).is_ok_and(|m| m.is_file()))
            .cloned()
            .collect();
        if !regular.is_empty() {
            current = Some(adopt(&home, current, &regular)?);
        }
        if let Some(cur) = &current {
            self.carry_over(cur, &stage)?;
        }
        sync_dir(&stage)?;
        // Links for result names new to the folder: they point to nothing until the swap,
        // so they are removed again if the publication fails.
        let mut made: Vec<PathBuf> = Vec::new();
        let swapped = self.link_and_swap(&home, &meta, &stage, !regular.is_empty(), &mut made);
        if let Err(e) = swapped {
            for link in &made {
                let _ = fs::remove_file(link);
            }
            if !made.is_empty() {
                let _ = sync_dir(&home);
            }
            return Err(e);
        }
        // Published: the staging folder is the generation now.
        interrupt::untrack(&stage);
        self.staging = None;
        // The replaced generation stays as `previous` (a reader may be reading it); the
        // one it had replaced goes.
        let older = link_generation(&meta, PREVIOUS).ok().flatten();
        match &current {
            Some(old) if point_link(&meta, PREVIOUS, old).is_ok() => {
                if let Some(older) = older.filter(|o| o != old && *o != stage) {
                    let _ = fs::remove_dir_all(older);
                }
            }
            _ => {}
        }
        Ok(self.targets())
    }

    /// Links the new result names into place (listing each in `made`), then swaps
    /// `current` to `stage`.
    fn link_and_swap(
        &self,
        home: &Path,
        meta: &Path,
        stage: &Path,
        mut linked: bool,
        made: &mut Vec<PathBuf>,
    ) -> Result<(), WriteError> {
        for name in &self.names {
            let path = home.join(name);
            if fs::symlink_metadata(&path).is_err() {
                link_into_place(home, name)?;
                made.push(path);
                linked = true;
            }
        }
        if linked {
            sync_dir(home)?;
        }
        point_current(meta, stage)
    }

    /// A set of one file, or where links cannot be made (FAT file systems): each file
    /// renamed into place on its own, whole (a crash between two renames mixes a set).
    fn publish_file_by_file(mut self, stage: &Path) -> Result<Vec<PathBuf>, WriteError> {
        for name in &self.names {
            let target = self.home.join(name);
            fs::rename(stage.join(name), &target).map_err(failed(&target))?;
        }
        let _ = fs::remove_dir(stage);
        interrupt::untrack(stage);
        self.staging = None;
        let _ = fs::remove_dir(self.home.join(META));
        Ok(self.targets())
    }

    /// Hard-links into `stage` the files of generation `cur` this set does not replace and
    /// whose link in the folder is still there.
    fn carry_over(&self, cur: &Path, stage: &Path) -> Result<(), WriteError> {
        for e in fs::read_dir(cur).map_err(failed(cur))? {
            let name = e.map_err(failed(cur))?.file_name();
            if self.names.contains(&name) || !is_our_link(&self.home, &name) {
                continue;
            }
            let from = cur.join(&name);
            fs::hard_link(&from, stage.join(&name)).map_err(failed(&from))?;
        }
        Ok(())
    }
}

impl Drop for SetStage {
    fn drop(&mut self) {
        if let Some(dir) = self.staging.take() {
            let _ = fs::remove_dir_all(&dir);
            interrupt::untrack(&dir);
            let _ = fs::remove_dir(self.home.join(META));
        }
    }
}

/// Creates a new, empty staging folder `home/.sourcemix/set.PID.N`, listed in flight.
/// A name already taken (an earlier process with the same id, PID 1 in a container) is
/// skipped for the next N.
fn new_generation(home: &Path) -> io::Result<PathBuf> {
    let meta = home.join(META);
    interrupt::creating(|list| {
        // Another run may remove an empty META between the two calls: retry.
        let mut missing = 0;
        loop {
            let name = format!(
                "set.{}.{}",
                std::process::id(),
                SEQ.fetch_add(1, Ordering::Relaxed)
            );
            let dir = meta.join(&name);
            match fs::create_dir(&meta) {
                Err(e) if e.kind() != ErrorKind::AlreadyExists => return Err(e),
                _ => {}
            }
            match fs::create_dir(&dir) {
                Err(e) if e.kind() == ErrorKind::NotFound && missing < 2 => missing += 1,
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
                Ok(()) => {
                    created().push(name.into());
                    list.push(dir.clone());
                    return Ok(dir);
                }
            }
        }
    })
}

/// The generation `current` names, if any.
fn current_generation(meta: &Path) -> io::Result<Option<PathBuf>> {
    link_generation(meta, CURRENT)
}

/// The generation the link `meta/link` names, if any.
fn link_generation(meta: &Path, link: &str) -> io::Result<Option<PathBuf>> {
    match fs::read_link(meta.join(link)) {
        Ok(target) => Ok(Some(meta.join(target))),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether `path` is a link of ours (see [`is_our_link`]).
pub(crate) fn is_result_link(path: &Path) -> bool {
    match (path.parent(), path.file_name()) {
        (Some(home), Some(name)) => is_our_link(home, name),
        _ => false,
    }
}

/// Whether `home/name` is a link of ours (`.sourcemix/current/NAME`).
fn is_our_link(home: &Path, name: &OsStr) -> bool {
    fs::read_link(home.join(name)).is_ok_and(|t| t == link_target(name))
}

fn link_target(name: &OsStr) -> PathBuf {
    Path::new(META).join(CURRENT).join(name)
}

/// Replaces whatever is at `home/name` by a link into the current generation (one rename).
fn link_into_place(home: &Path, name: &OsStr) -> Result<(), WriteError> {
    let target = home.join(name);
    let tmp = home.join(stale::temp_file_name(name));
    let _ = fs::remove_file(&tmp);
    symlink(link_target(name), &tmp).map_err(failed(&target))?;
    fs::rename(&tmp, &target).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        failed(&target)(e)
    })
}

/// Takes the regular files `names` of `home` into the current generation (created if
/// there is none) and puts links in their place: what a reader sees does not change.
fn adopt(home: &Path, current: Option<PathBuf>, names: &[OsString]) -> Result<PathBuf, WriteError> {
    let meta = home.join(META);
    let cur = match current {
        Some(cur) => cur,
        None => {
            let gen = new_generation(home).map_err(failed(&meta))?;
            point_current(&meta, &gen)?;
            interrupt::untrack(&gen);
            gen
        }
    };
    for name in names {
        let from = home.join(name);
        let tmp = cur.join(stale::temp_file_name(name));
        let _ = fs::remove_file(&tmp);
        // A file system without hard links gets a copy (only ever once per file).
        fs::hard_link(&from, &tmp)
            .or_else(|_| fs::copy(&from, &tmp).map(drop))
            .and_then(|()| fs::rename(&tmp, cur.join(name)))
            .map_err(failed(&from))?;
        link_into_place(home, name)?;
    }
    Ok(cur)
}

/// Whether the file system of `meta` takes symbolic links (FAT does not).
fn links_work(meta: &Path) -> bool {
    let probe = meta.join(stale::temp_file_name(OsStr::new("probe")));
    let _ = fs::remove_file(&probe);
    let made = symlink(CURRENT, &probe);
    let _ = fs::remove_file(&probe);
    match made {
        Ok(()) => true,
        // EPERM, EOPNOTSUPP, ENOSYS: no links here. Anything else shows up again later.
        Err(e) => !matches!(
            e.raw_os_error(),
            Some(libc::EPERM | libc::EOPNOTSUPP | libc::ENOSYS)
        ),
    }
}

/// Makes `current` name generation `gen`: the one atomic step of a publication.
fn point_current(meta: &Path, gen: &Path) -> Result<(), WriteError> {
    point_link(meta, CURRENT, gen)
}

/// Makes the link `meta/link` name generation `gen` (one rename), synced.
fn point_link(meta: &Path, link: &str, gen: &Path) -> Result<(), WriteError> {
    let path = meta.join(link);
    let tmp = meta.join(stale::temp_file_name(OsStr::new(link)));
    let _ = fs::remove_file(&tmp);
    let name = gen.file_name().unwrap_or_default();
    symlink(name, &tmp).map_err(failed(&path))?;
    fs::rename(&tmp, &path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        failed(&path)(e)
    })?;
    sync_dir(meta)
}

/// Syncs a folder's entries to disk (file systems that cannot are skipped).
fn sync_dir(dir: &Path) -> Result<(), WriteError> {
    match fs::File::open(dir).and_then(|f| f.sync_all()) {
        Err(e) if e.kind() != ErrorKind::InvalidInput => Err(failed(dir)(e)),
        _ => Ok(()),
    }
}

/// Removes what dead runs left in `home` and its [`META`] folder (called under the lock):
/// generations of processes that are gone, and those carrying this process's id that it
/// did not create (an earlier process with the same id), never `current` or `previous`.
fn remove_stale(home: &Path, meta: &Path) {
    stale::remove_dead_temps(home);
    stale::remove_dead_temps(meta);
    let keep: Vec<PathBuf> = [CURRENT, PREVIOUS]
        .iter()
        .filter_map(|l| link_generation(meta, l).ok().flatten())
        .collect();
    let Ok(entries) = fs::read_dir(meta) else {
        return;
    };
    let me = std::process::id();
    for e in entries.flatten() {
        let path = e.path();
        let Some(pid) = e.file_name().to_str().and_then(stale::set_pid) else {
            continue;
        };
        let stale = if pid == me {
            !created().contains(&e.file_name())
        } else {
            stale::is_dead(pid)
        };
        if stale && !keep.contains(&path) && e.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fallback for file systems without links: regular files, whole, and no
    /// staging folder left.
    #[test]
    fn file_by_file_where_links_cannot_be_made() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path();
        std::fs::write(home.join("a.csv"), "old").unwrap();
        let mut set = SetStage::new(home);
        for (name, body) in [("a.csv", "a1"), ("b.csv", "b1")] {
            let path = set.member_path(OsStr::new(name)).unwrap();
            std::fs::write(path, body).unwrap();
        }
        let stage = set.staging.clone().unwrap();
        let done = set.publish_file_by_file(&stage).unwrap();
        assert_eq!(done, [home.join("a.csv"), home.join("b.csv")]);
        for (name, body) in [("a.csv", "a1"), ("b.csv", "b1")] {
            let m = std::fs::symlink_metadata(home.join(name)).unwrap();
            assert!(m.is_file());
            assert_eq!(std::fs::read_to_string(home.join(name)).unwrap(), body);
        }
        assert!(!home.join(META).exists());
    }

    /// Folders `set.PID.N` with this process's id that it did not make (an earlier
    /// process with the same id: PID 1 in a container, a reboot) neither block a new
    /// generation nor stay, except the published one.
    #[test]
    fn generations_of_an_earlier_process_with_our_id() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path();
        let meta = home.join(META);
        std::fs::create_dir(&meta).unwrap();
        let pid = std::process::id();
        let next = SEQ.load(Ordering::Relaxed);
        let theirs: Vec<PathBuf> = (next..next + 64)
            .map(|n| meta.join(format!("set.{pid}.{n}")))
            .collect();
        for dir in &theirs {
            std::fs::create_dir(dir).unwrap();
            std::fs::write(dir.join("a.csv"), "old").unwrap();
        }
        symlink(theirs[0].file_name().unwrap(), meta.join(CURRENT)).unwrap();
        for name in ["a.csv", "b.csv"] {
            symlink(link_target(OsStr::new(name)), home.join(name)).unwrap();
        }
        std::fs::write(theirs[0].join("b.csv"), "old").unwrap();
        let mut set = SetStage::new(home);
        for (name, body) in [("a.csv", "a1"), ("b.csv", "b1")] {
            let path = set.member_path(OsStr::new(name)).unwrap();
            std::fs::write(path, body).unwrap();
        }
        set.publish().unwrap();
        for name in ["a.csv", "b.csv"] {
            let body = std::fs::read_to_string(home.join(name)).unwrap();
            assert_eq!(body, if name == "a.csv" { "a1" } else { "b1" });
        }
        // The replaced generation stays (as `previous`), the other leftovers go.
        assert!(theirs[0].exists());
        assert!(theirs[1..].iter().all(|d| !d.exists()));
        let mut left: Vec<_> = std::fs::read_dir(&meta).unwrap().flatten().collect();
        left.retain(|e| e.file_name().to_string_lossy().starts_with("set."));
        assert_eq!(left.len(), 2);
    }

    #[test]
    fn links_work_on_this_file_system() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(links_work(tmp.path()));
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    }
}
