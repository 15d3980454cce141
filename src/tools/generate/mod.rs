//! Synthetic models for tests and benchmarks (`sourcemix generate`, SPEC §3).
//!
//! [`generate`] writes a model folder — suppliers.csv, demand.csv, countries.csv and
//! constraints.csv in the formats of SPEC §1 — of a chosen size. The content is a pure
//! function of [`GenerateOptions`]: the same options give the same bytes on every platform
//! (all randomness comes from `rng`).
//!
//! # What a generated model looks like
//!
//! * **Countries** get the codes `XAA`, `XAB`, …, `XZZ` (the `X??` block is reserved by
//!   ISO 3166-1 for user-assigned codes, so no code means a real country), a risk uniform in
//!   [0.05, 0.95], the group tag `ALLY` on about a third of them (low-risk countries more
//!   likely; never fewer than two when there are two countries or more), `OECD` on about a
//!   quarter, a 10 % tariff on a few non-allies and a yearly disruption probability in
//!   [0.01, 0.2].
//! * **Minerals** are `m00`, `m01`, …; the offers are split as evenly as possible (the first
//!   minerals take the remainder) and each mineral's demand is 1000 per offer. Offer `i` of
//!   mineral `m` is supplier `s{m:02}-{i:06}`. Its country is drawn from a Zipf-like
//!   distribution over a per-mineral ranking of the countries (weight ∝ rank^-1.5: the top
//!   producer holds about 40 % of the offers, as in real mineral markets), its unit cost is
//!   about 100·exp(0.3·z) (big producers a little cheaper), its capacity an integer uniform in
//!   [500, 5500] (so a mineral's capacity is about three times its demand) and its freight
//!   uniform in [0, 5].
//! * **Policy** (`policy: true`): `max_country_share` 0.4, `max_supplier_share` 0.2,
//!   `min_group_share` of `ALLY` 0.3 and a `max_avg_risk` bound halfway between the least
//!   average risk the generator can reach under the other rows and the average risk of the
//!   cheapest fill, taking the loosest mineral. Tiny models (fewer than 6 offers per mineral
//!   or fewer than 3 countries) get looser share caps that they can meet.
//!
//! # Feasibility
//!
//! The written policy is always feasible together with the capacities. For each mineral the
//! generator checks that the per-supplier and per-country caps leave at least the demand
//! (and the `ALLY` countries at least half of it); if not, it repairs the mineral
//! deterministically by moving its first few offers ("anchors") to distinct countries, allies
//! first, and raising their capacities to the supplier cap. The anchors alone then meet every
//! share row. A feasible plan is then built greedily (allies up to their minimum share,
//! then lowest risk first), and the `max_avg_risk` bound is never below that plan's average
//! risk. The suppliers file does not depend on `policy`: only constraints.csv changes.
//!
//! # Parts
//!
//! `countries` draws the countries and writes countries.csv; `plan` fixes the sizes, share
//! bounds and anchors and writes demand.csv and constraints.csv; `offers` draws a mineral's
//! offers and repairs it; `risk_bound` holds the two greedy fills behind `max_avg_risk`;
//! `suppliers` writes suppliers.csv mineral by mineral with those three.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::write::atomic::{Staged, WriteError};

mod countries;
mod offers;
mod plan;
#[cfg(test)]
mod read_back;
mod risk_bound;
mod suppliers;
mod tiers;

use countries::{make_countries, write_countries};
use plan::{write_constraints, write_demand, Plan};
use suppliers::write_suppliers;

/// The most countries a generated model can have: the user-assigned ISO 3166-1 codes
/// `XAA` to `XZZ`.
pub const MAX_COUNTRIES: usize = 26 * 26;

/// What [`generate`] should produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Number of minerals (at least 1).
    pub minerals: usize,
    /// Total number of offers across all minerals (at least `minerals`).
    pub offers: usize,
    /// Number of countries, 1 to [`MAX_COUNTRIES`] (default 60).
    pub countries: usize,
    /// Seed of the random draws: the same options give the same files byte for byte.
    pub seed: u64,
    /// Whether constraints.csv holds a policy (default true) or only its header.
    pub policy: bool,
}

impl Default for GenerateOptions {
    /// 10 minerals, 1000 offers, 60 countries, seed 1, with a policy (the defaults of
    /// `sourcemix generate`).
    fn default() -> Self {
        GenerateOptions {
            minerals: 10,
            offers: 1000,
            countries: 60,
            seed: 1,
            policy: true,
        }
    }
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateSummary {
    /// Number of minerals.
    pub minerals: usize,
    /// Total number of offers.
    pub offers: usize,
    /// Number of countries.
    pub countries: usize,
    /// The files written: suppliers.csv, demand.csv, countries.csv and constraints.csv, in
    /// that order.
    pub files: Vec<PathBuf>,
}

/// Why [`generate`] failed.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// `minerals` is 0.
    #[error("the number of minerals must be at least 1")]
    NoMinerals,
    /// Fewer offers than minerals: some mineral would have none.
    #[error("{offers} offers for {minerals} minerals: every mineral needs at least one offer")]
    TooFewOffers {
        /// The offers asked for.
        offers: usize,
        /// The minerals asked for.
        minerals: usize,
    },
    /// `countries` is 0 or above [`MAX_COUNTRIES`].
    #[error("the number of countries must be between 1 and {max}, got {countries}")]
    InvalidCountries {
        /// The countries asked for.
        countries: usize,
        /// The largest number allowed ([`MAX_COUNTRIES`]).
        max: usize,
    },
    /// `tiers` is not a fraction.
    #[error("the fraction of offers with tiers must be between 0 and 1, got {tiers}")]
    InvalidTiers {
        /// The fraction asked for.
        tiers: f64,
    },
    /// A file or the folder could not be created or written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
}

impl From<GenerateError> for crate::Error {
    /// Bad options are usage errors (exit 2); a failed write is a write error (exit 5).
    fn from(e: GenerateError) -> Self {
        match e {
            GenerateError::Io { path, source } => crate::Error::write(path, source),
            other => crate::Error::Usage(other.to_string()),
        }
    }
}

impl From<WriteError> for GenerateError {
    fn from(e: WriteError) -> Self {
        GenerateError::Io {
            path: e.path,
            source: e.source,
        }
    }
}

/// Writes a synthetic model of the size in `opts` into folder `dir` (created if needed),
/// replacing suppliers.csv, demand.csv, countries.csv and constraints.csv there.
///
/// Every file is first written in full (flushed and synced) to `<name>.tmp` in `dir`; only
/// when all four are written are they renamed into place, so a failure while writing leaves
/// the previous files untouched and no temporary ones behind (only a failing rename, after
/// the data is safely written, can leave some of the four files replaced and others not).
/// Rows are streamed out: memory grows with the largest mineral's offer count (about 40
/// bytes an offer), not with the whole model.
pub fn generate(dir: &Path, opts: &GenerateOptions) -> Result<GenerateSummary, GenerateError> {
    generate_tiered(dir, opts, 0.0)
}

/// [`generate`], with price tiers in tiers.csv on a fraction `tiers` (0 to 1) of the
/// offers (`generate --tiers`; see `tiers.rs`); 0 writes no tiers.csv, and the other
/// files are the same whatever `tiers` is.
pub fn generate_tiered(
    dir: &Path,
    opts: &GenerateOptions,
    tiers: f64,
) -> Result<GenerateSummary, GenerateError> {
    validate(opts)?;
    if !(0.0..=1.0).contains(&tiers) {
        return Err(GenerateError::InvalidTiers { tiers });
    }
    fs::create_dir_all(dir).map_err(|source| GenerateError::Io {
        path: dir.to_path_buf(),
        source,
    })?;

    let countries = make_countries(opts.seed, opts.countries);
    let plan = Plan::new(opts, &countries);

    let mut staged = Staged::new();
    let mut tier_rows = Vec::new();
    let risk_bound = staged.write(&dir.join("suppliers.csv"), |w| {
        write_suppliers(w, opts, &countries, &plan, tiers, &mut tier_rows)
    })?;
    staged.write(&dir.join("demand.csv"), |w| write_demand(w, &plan))?;
    staged.write(&dir.join("countries.csv"), |w| {
        write_countries(w, &countries)
    })?;
    staged.write(&dir.join("constraints.csv"), |w| {
        write_constraints(w, opts.policy, &plan, risk_bound)
    })?;
    if tiers > 0.0 {
        staged.write(&dir.join("tiers.csv"), |w| {
            writeln!(w, "{}", tiers::HEADER)?;
            w.write_all(&tier_rows)
        })?;
    }
    let files = staged.commit()?;

    Ok(GenerateSummary {
        minerals: opts.minerals,
        offers: opts.offers,
        countries: opts.countries,
        files,
    })
}

/// Checks the sizes in `opts`, before anything is written.
fn validate(opts: &GenerateOptions) -> Result<(), GenerateError> {
    if opts.minerals == 0 {
        return Err(GenerateError::NoMinerals);
    }
    if opts.offers < opts.minerals {
        return Err(GenerateError::TooFewOffers {
            offers: opts.offers,
            minerals: opts.minerals,
        });
    }
    if opts.countries == 0 || opts.countries > MAX_COUNTRIES {
        return Err(GenerateError::InvalidCountries {
            countries: opts.countries,
            max: MAX_COUNTRIES,
        });
    }
    Ok(())
}

/// `x` rounded to `decimals` (0 to 4) decimal places, as the files write it.
fn round_to(x: f64, decimals: i32) -> f64 {
    let scale = [1.0, 10.0, 100.0, 1000.0, 10_000.0][decimals as usize];
    (x * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::read_back::{opts, parse, read_all};
    use super::*;

    #[test]
    fn same_seed_gives_identical_bytes_and_different_seed_differs() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let c = tempfile::tempdir().unwrap();
        generate(a.path(), &opts(3, 500, 40, 11)).unwrap();
        generate(b.path(), &opts(3, 500, 40, 11)).unwrap();
        generate(c.path(), &opts(3, 500, 40, 12)).unwrap();
        assert_eq!(read_all(a.path()), read_all(b.path()));
        let (fa, fc) = (read_all(a.path()), read_all(c.path()));
        assert_ne!(fa[0], fc[0]);
        assert_ne!(fa[2], fc[2]);
        // Demand depends only on the sizes.
        assert_eq!(fa[1], fc[1]);
    }

    #[test]
    fn golden_digest_is_stable() {
        // Guards against accidental changes of the generated bytes (e.g. a new draw order):
        // if this fails on purpose, update the digest and say so in the change log.
        let d = tempfile::tempdir().unwrap();
        generate(d.path(), &opts(2, 50, 10, 42)).unwrap();
        let mut h: u64 = 0xcbf2_9ce4_8422_2325; // FNV-1a
        for file in read_all(d.path()) {
            for b in file {
                h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        assert_eq!(h, GOLDEN_DIGEST, "digest {h:#018x}");
    }

    const GOLDEN_DIGEST: u64 = 0xcff0_8d5c_40cd_c70a;

    #[test]
    fn files_parse_back_with_expected_headers_and_no_temporaries() {
        let d = tempfile::tempdir().unwrap();
        let summary = generate(d.path(), &opts(4, 1003, 60, 1)).unwrap();
        assert_eq!(summary.minerals, 4);
        assert_eq!(summary.offers, 1003);
        assert_eq!(summary.countries, 60);
        assert_eq!(
            summary.files,
            [
                "suppliers.csv",
                "demand.csv",
                "countries.csv",
                "constraints.csv"
            ]
            .iter()
            .map(|f| d.path().join(f))
            .collect::<Vec<_>>()
        );
        let leftovers: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");

        let (h, _) = parse(&d.path().join("suppliers.csv"));
        assert_eq!(
            h,
            [
                "supplier",
                "mineral",
                "country",
                "unit_cost",
                "capacity",
                "freight"
            ]
        );
        let (h, _) = parse(&d.path().join("demand.csv"));
        assert_eq!(h, ["mineral", "quantity", "unmet_penalty"]);
        let (h, _) = parse(&d.path().join("countries.csv"));
        assert_eq!(
            h,
            ["country", "risk", "groups", "tariff", "disruption_prob"]
        );
        let (h, _) = parse(&d.path().join("constraints.csv"));
        assert_eq!(h, ["constraint", "mineral", "target", "bound"]);
    }

    #[test]
    fn invalid_options_are_errors() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("never");
        assert!(matches!(
            generate(&dir, &opts(0, 10, 60, 0)),
            Err(GenerateError::NoMinerals)
        ));
        assert!(matches!(
            generate(&dir, &opts(5, 4, 60, 0)),
            Err(GenerateError::TooFewOffers {
                offers: 4,
                minerals: 5
            })
        ));
        assert!(matches!(
            generate(&dir, &opts(1, 10, 0, 0)),
            Err(GenerateError::InvalidCountries { countries: 0, .. })
        ));
        assert!(matches!(
            generate(&dir, &opts(1, 10, 677, 0)),
            Err(GenerateError::InvalidCountries { countries: 677, .. })
        ));
        assert!(!dir.exists(), "invalid options must not create the folder");
        generate(&dir, &opts(1, 10, 676, 0)).unwrap();
        let msg = GenerateError::TooFewOffers {
            offers: 4,
            minerals: 5,
        }
        .to_string();
        assert!(msg.contains('4') && msg.contains('5'), "{msg}");
    }

    #[test]
    fn io_errors_name_the_path_and_leave_no_temporary_files() {
        let d = tempfile::tempdir().unwrap();
        // The "folder" is a file: it cannot be created.
        let file = d.path().join("plain");
        fs::write(&file, "x").unwrap();
        match generate(&file, &GenerateOptions::default()) {
            Err(GenerateError::Io { path, .. }) => assert_eq!(path, file),
            other => panic!("{other:?}"),
        }
        // A target name taken by a folder: the rename fails; nothing is left half-done.
        let dir = d.path().join("model");
        fs::create_dir_all(dir.join("constraints.csv")).unwrap();
        fs::write(dir.join("constraints.csv").join("keep"), "x").unwrap();
        let err = generate(&dir, &opts(1, 10, 5, 0)).unwrap_err();
        assert!(err.to_string().contains("constraints.csv"), "{err}");
        let names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn million_offers_stream_quickly() {
        // Kept small in debug builds; run with --release --ignored for the full size.
        let d = tempfile::tempdir().unwrap();
        let t = std::time::Instant::now();
        generate(d.path(), &opts(10, 100_000, 60, 1)).unwrap();
        let lines = fs::read_to_string(d.path().join("suppliers.csv"))
            .unwrap()
            .lines()
            .count();
        assert_eq!(lines, 100_001);
        assert!(t.elapsed().as_secs() < 60);
    }

    #[test]
    #[ignore = "timing check; run with --release"]
    fn million_offers_in_a_few_seconds() {
        let d = tempfile::tempdir().unwrap();
        let t = std::time::Instant::now();
        generate(d.path(), &opts(20, 1_000_000, 60, 1)).unwrap();
        assert!(t.elapsed().as_secs_f64() < 5.0, "{:?}", t.elapsed());
    }
}
