//! The input files a page was computed from: names and SHA-256 digests, so a reader can
//! tell which data the figures answer.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::input::files;

/// One input file: its path as given and its SHA-256 (lower-case hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// The path, as the command line named it (or the model folder joined with the file).
    pub path: PathBuf,
    /// SHA-256 of its bytes, 64 lower-case hex digits.
    pub sha256: String,
}

/// SHA-256 of `bytes` in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The files of `model` (a model folder: each of its CSV files that exists; a workbook:
/// itself), then each of `more` (a plan, a scenarios file), with their digests.
pub fn input_files(model: &Path, more: &[&Path]) -> Result<Vec<InputFile>> {
    let mut paths: Vec<PathBuf> = if model.is_dir() {
        [
            files::SUPPLIERS,
            files::DEMAND,
            files::COUNTRIES,
            files::CONSTRAINTS,
            files::SCENARIOS,
        ]
        .iter()
        .map(|name| model.join(name))
        .filter(|p| p.is_file())
        .collect()
    } else {
        vec![model.to_path_buf()]
    };
    paths.extend(more.iter().map(|p| p.to_path_buf()));
    paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).map_err(|e| {
                Error::Usage(format!("cannot read {} for --report: {e}", path.display()))
            })?;
            Ok(InputFile {
                sha256: sha256_hex(&bytes),
                path,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_the_published_test_vectors() {
        // FIPS 180-2 examples.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
