//! The bytes of a model file: large regular files are mapped, everything else is read.
//!
//! Reading a 40 MB suppliers.csv into a fresh buffer costs more than copying it: the
//! kernel first finds and zeroes new (huge) pages for it, on one thread, before any
//! parsing starts. A mapping shares the page cache's pages instead. Pipes, devices and
//! small files, and any file that cannot be mapped, are read as before.
//!
//! A mapped file can change while it is read (another program rewriting it), and Rust
//! may not assume anything about bytes that change under it. So the mapped bytes are
//! only ever *counted* (line breaks, quotes, separators: a changed file gives wrong
//! counts, never a wrong memory access), and every piece is parsed from a private copy
//! ([`crate::input::scan::scan_copy`]): text is checked for UTF-8 in that copy, and a
//! copy holding more records than the counts promised is reported as a file that
//! changed while it was read. A file truncated while mapped makes the system end the
//! process with a bus error, as for any program that maps its input; it cannot make it
//! read wrong memory.

use std::ops::Deref;
use std::path::Path;

use super::table::MAX_FILE_BYTES;

/// Files at least this large are mapped (smaller ones are read: mapping costs system
/// calls of its own).
pub const MAP_MIN_BYTES: u64 = 1 << 20;

/// The bytes of a model file, mapped or held.
pub enum FileBytes {
    /// Read into memory (or given in memory).
    Held(Vec<u8>),
    /// A read-only map of the file (see the module docs).
    Mapped(memmap2::Mmap),
}

impl Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Held(bytes) => bytes,
            FileBytes::Mapped(map) => map,
        }
    }
}

impl Clone for FileBytes {
    /// A copy held in memory.
    fn clone(&self) -> FileBytes {
        FileBytes::Held(self.to_vec())
    }
}

impl std::fmt::Debug for FileBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = match self {
            FileBytes::Held(_) => "held",
            FileBytes::Mapped(_) => "mapped",
        };
        write!(f, "{} bytes {how}", self.len())
    }
}

/// The bytes of the file at `path`, or why they cannot be read; `None` if it does not
/// exist.
pub(crate) fn read_file(path: &Path) -> Option<Result<FileBytes, String>> {
    let cannot = |e: std::io::Error| format!("cannot be read: {e}");
    Some(match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => Err(cannot(e)),
        Ok(meta) if meta.is_dir() => Err("is a folder; expected a CSV file".to_string()),
        Ok(meta) if meta.len() > MAX_FILE_BYTES => Err(format!(
            "is {} bytes; the largest file read is {MAX_FILE_BYTES} bytes",
            meta.len()
        )),
        Ok(meta) if meta.is_file() && meta.len() >= MAP_MIN_BYTES => match map(path) {
            Some(map) => Ok(FileBytes::Mapped(map)),
            None => std::fs::read(path).map(FileBytes::Held).map_err(cannot),
        },
        Ok(_) => std::fs::read(path).map(FileBytes::Held).map_err(cannot),
    })
}

/// A read-only map of the regular file at `path`, `None` when it cannot be mapped or
/// is no longer within the size limits (then it is read).
fn map(path: &Path) -> Option<memmap2::Mmap> {
    let file = std::fs::File::open(path).ok()?;
    // SAFETY: the map is only read, and the bytes are only counted or copied before
    // they are interpreted (see the module docs), so a file changed under the map
    // changes counts and copies, not memory safety.
    let map = unsafe { memmap2::MmapOptions::new().populate().map(&file) }.ok()?;
    let len = map.len() as u64;
    (MAP_MIN_BYTES..=MAX_FILE_BYTES)
        .contains(&len)
        .then_some(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Large regular files are mapped, small ones and special files read; either way the
    /// bytes are the file's.
    #[test]
    fn large_files_are_mapped_others_read() {
        let dir = tempfile::tempdir().unwrap();
        let big: Vec<u8> = (0..MAP_MIN_BYTES as usize + 7)
            .map(|k| b"ab,\n"[k % 4])
            .collect();
        std::fs::write(dir.path().join("big.csv"), &big).unwrap();
        std::fs::write(dir.path().join("small.csv"), b"a,b\n").unwrap();
        let read = |name: &str| read_file(&dir.path().join(name)).unwrap().unwrap();
        let mapped = read("big.csv");
        assert!(matches!(mapped, FileBytes::Mapped(_)));
        assert!(*mapped == big[..]);
        assert!(matches!(mapped.clone(), FileBytes::Held(ref b) if *b == big));
        let small = read("small.csv");
        assert!(matches!(small, FileBytes::Held(_)) && *small == b"a,b\n"[..]);
        assert!(read_file(&dir.path().join("none.csv")).is_none());
        #[cfg(unix)]
        {
            let null = read_file(Path::new("/dev/null")).unwrap().unwrap();
            assert!(matches!(null, FileBytes::Held(_)) && null.is_empty());
        }
    }
}
