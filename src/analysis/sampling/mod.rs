//! Sampling correlated export disruptions into a scenarios.csv (SPEC §3 "sampling and
//! policy cost").
//!
//! N equally likely samples. Country c is disrupted with its `disruption_prob` p_c,
//! jointly through a Gaussian copula: a latent Z ~ N(0, R) is drawn and c is disrupted
//! iff Z_c < Φ⁻¹(p_c), so each country keeps its own probability while R (from a
//! correlation file, unlisted pairs 0) makes disruptions cluster. A matrix R that is not
//! positive semi-definite is refused, or, when asked, replaced by the nearest correlation
//! matrix (`matrix::nearest_correlation`). Identical samples are merged into one
//! scenario whose probability is their count / N; samples without a disruption belong to
//! the baseline, which gets the probability the file leaves over.
//!
//! Same seed, same bytes, on every platform and with any number of threads: the samples
//! are drawn in fixed chunks, chunk k from its own stream `Rng::derive(seed, k)` (in
//! parallel, or over MPI ranks: [`spread`]), and only integer counts are combined. Normal
//! deviates use the portable logarithm of the crate's generator (`rng::ln`), the
//! thresholds `normal_quantile`.

pub(crate) mod matrix;
mod quantile;
pub mod spread;

use std::collections::BTreeMap;

use nalgebra::DMatrix;
use rayon::prelude::*;
use serde::Serialize;

pub(crate) use quantile::normal_quantile;

use crate::error::{Error, InputErrors, InputIssue, Result};
use crate::input::correlation::Correlations;
use crate::input::files::COUNTRIES;
use crate::model::{Model, Scenario, Shock};
use crate::rng::Rng;
use crate::values::{Count, Fraction};

/// Default capacity factor of a disrupted country's offers: nothing is delivered.
pub const DEFAULT_SEVERITY: Fraction = Fraction::literal(0.0);

/// Most countries a correlation file may correlate (its matrix is decomposed in O(n³)).
pub const MAX_CORRELATED_COUNTRIES: usize = 1_000;

/// Most samples one run draws.
pub const MAX_SAMPLES: u64 = 10_000_000;

/// A number of samples, 1 to [`MAX_SAMPLES`].
pub type Samples = Count<1, MAX_SAMPLES>;

/// Samples per chunk; each chunk has its own random stream, so the result does not depend
/// on how chunks are spread over threads.
pub(crate) const CHUNK_SAMPLES: u64 = 4_096;

/// What to sample.
#[derive(Debug, Clone, PartialEq)]
pub struct SamplingOptions {
    /// Number of equally likely samples N.
    pub samples: Samples,
    /// Random seed: the same seed gives the same scenarios byte for byte.
    pub seed: u64,
    /// capacity_factor of a disrupted country's offers, in [0, 1] (default 0).
    pub severity: Fraction,
    /// Replace a correlation matrix that is not positive semi-definite by the nearest
    /// correlation matrix instead of refusing it.
    pub repair: bool,
    /// The stage at which a disrupted country is hit (`scenarios --stage`, a stage name of
    /// the model); `None`: its shipping offers, as before stages.
    pub stage: Option<String>,
}

impl Default for SamplingOptions {
    fn default() -> Self {
        SamplingOptions {
            samples: Samples::literal(10_000),
            seed: 1,
            severity: DEFAULT_SEVERITY,
            repair: false,
            stage: None,
        }
    }
}

/// One sampled disruption pattern: the countries disrupted together and how often.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampledScenario {
    /// Scenario name: the disrupted countries' codes joined by `+`, e.g. `CHN+RUS`.
    pub name: String,
    /// The disrupted countries, by code.
    pub countries: Vec<String>,
    /// The same countries as indices into `Model::countries`.
    #[serde(skip)]
    pub country_indices: Vec<usize>,
    /// Samples with exactly this pattern.
    pub samples: u64,
    /// samples / N.
    pub probability: f64,
}

/// A country's disruption probability and how often the samples disrupted it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountryFrequency {
    /// ISO3 code.
    pub country: String,
    /// Its `disruption_prob` (0 when countries.csv leaves it empty).
    pub disruption_prob: f64,
    /// Share of the samples in which it is disrupted.
    pub sampled: f64,
}

/// How a correlation matrix that was not positive semi-definite was repaired.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepairNote {
    /// The method, in words.
    pub method: String,
    /// Smallest eigenvalue of the matrix as given.
    pub smallest_eigenvalue: f64,
    /// Frobenius norm of the change (each pair counted twice, as in the full matrix).
    pub frobenius_distance: f64,
    /// Largest change of one correlation.
    pub largest_change: f64,
    /// The pair with the largest change, as `AAA-BBB`.
    pub largest_change_pair: String,
    /// Alternating-projection iterations.
    pub iterations: usize,
}

/// The sampled scenarios and what they say.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampledScenarios {
    /// N.
    pub samples: u64,
    /// The seed.
    pub seed: u64,
    /// capacity_factor of disrupted countries.
    pub severity: f64,
    /// Distinct patterns, most frequent first (ties by name).
    pub scenarios: Vec<SampledScenario>,
    /// Samples without any disruption (they belong to the baseline).
    pub baseline_samples: u64,
    /// Every country with a positive disruption probability, by code.
    pub countries: Vec<CountryFrequency>,
    /// The correlation file used, if any.
    pub correlation: Option<String>,
    /// Set when the correlation matrix was repaired.
    pub repair: Option<RepairNote>,
    /// The stage the disruptions hit (`--stage`), by name; absent: the shipping country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// The same stage as an index into `Stages::names`.
    #[serde(skip)]
    pub stage_index: Option<usize>,
    /// Warnings (countries without a probability, pairs that cannot matter).
    pub warnings: Vec<String>,
}

impl SampledScenarios {
    /// The scenarios as the model holds them (what reading [`crate::report::scenarios_csv`] back
    /// gives), for callers that evaluate them without writing a file.
    pub fn to_scenarios(&self) -> Vec<Scenario> {
        self.scenarios
            .iter()
            .map(|s| Scenario {
                name: s.name.clone(),
                probability: s.probability,
                shocks: s
                    .country_indices
                    .iter()
                    .map(|&c| Shock {
                        mineral: None,
                        country: Some(c),
                        stage: self.stage_index,
                        supplier: None,
                        capacity_factor: self.severity,
                        price_factor: 1.0,
                        line: 0,
                    })
                    .collect(),
            })
            .collect()
    }
}

/// Samples correlated disruptions of `model`'s countries (see the module documentation).
/// `progress` is called with the number of samples of each chunk done, from any thread.
pub fn sample(
    model: &Model,
    correlations: Option<&Correlations>,
    opts: &SamplingOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SampledScenarios> {
    let stage = model.stages.by_flag("--stage", opts.stage.as_deref())?;
    let probs = disruption_probs(model)?;
    let mut warnings = Vec::new();
    let missing: Vec<&str> = model
        .countries
        .iter()
        .filter(|c| c.disruption_prob.is_none())
        .map(|c| c.code.as_str())
        .collect();
    if !missing.is_empty() {
        warnings.push(format!(
            "{COUNTRIES} gives no disruption_prob for {}: never disrupted in the samples",
            crate::input::list(missing)
        ));
    }
    let (named, block, repair) = match correlations {
        Some(c) => {
            warnings.extend(c.warnings.iter().cloned());
            warnings.extend(idle_pairs(model, c, &probs));
            correlation_matrix(model, c, opts.repair)?
        }
        None => (Vec::new(), DMatrix::zeros(0, 0), None),
    };
    let draw = Draw::new(&probs, &named, &block);
    let counts = spread::count_patterns(&draw, opts, progress);
    let mut sampled = summarize(
        model,
        &probs,
        counts,
        opts,
        correlations.map(|c| c.file.clone()),
        repair,
        warnings,
    );
    sampled.stage_index = stage;
    sampled.stage = stage.map(|s| model.stages.label(Some(s)).to_string());
    Ok(sampled)
}

/// Each country's disruption probability (0 where countries.csv leaves it empty); an
/// error when no country has one.
fn disruption_probs(model: &Model) -> Result<Vec<f64>> {
    if model.countries.iter().all(|c| c.disruption_prob.is_none()) {
        return Err(Error::Input(InputErrors {
            issues: vec![InputIssue::file(
                COUNTRIES,
                "gives no disruption_prob for any country (or the model has no countries.csv); \
                 sampling needs each country's yearly probability of an export disruption in \
                 column disruption_prob (a fraction, e.g. 0.05)",
            )],
            omitted: 0,
        }));
    }
    Ok(model
        .countries
        .iter()
        .map(|c| c.disruption_prob.unwrap_or(0.0))
        .collect())
}

/// Warnings for listed pairs with a country that is never or always disrupted: their
/// correlation cannot change any sample.
fn idle_pairs(model: &Model, c: &Correlations, probs: &[f64]) -> Vec<String> {
    let idle: Vec<String> = c
        .pairs
        .iter()
        .filter(|p| {
            [p.a, p.b]
                .iter()
                .any(|&k| probs[k] <= 0.0 || probs[k] >= 1.0)
        })
        .map(|p| {
            format!(
                "{}-{} (line {})",
                model.countries[p.a].code, model.countries[p.b].code, p.line
            )
        })
        .collect();
    if idle.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "{}: pairs with a country whose disruption_prob is 0 or 1 change nothing: {}",
        c.file,
        crate::input::list(idle)
    )]
}

/// The countries named in the correlation file (ascending) and their correlation matrix
/// (unit diagonal, the listed pairs, 0 elsewhere), checked to be positive semi-definite,
/// or repaired when `repair` is set. The other countries are independent of them and of
/// each other: an identity block, which changes neither whether the whole matrix is
/// positive semi-definite nor its nearest correlation matrix.
fn correlation_matrix(
    model: &Model,
    c: &Correlations,
    repair: bool,
) -> Result<(Vec<usize>, DMatrix<f64>, Option<RepairNote>)> {
    let mut named: Vec<usize> = c.pairs.iter().flat_map(|p| [p.a, p.b]).collect();
    named.sort_unstable();
    named.dedup();
    if named.len() > MAX_CORRELATED_COUNTRIES {
        return Err(Error::Input(InputErrors {
            issues: vec![InputIssue::file(
                &c.file,
                format!(
                    "correlates {} countries; expected at most {MAX_CORRELATED_COUNTRIES}",
                    named.len()
                ),
            )],
            omitted: 0,
        }));
    }
    let position = |k: usize| named.binary_search(&k).expect("named above");
    let mut block = DMatrix::<f64>::identity(named.len(), named.len());
    for p in &c.pairs {
        let (i, j) = (position(p.a), position(p.b));
        block[(i, j)] = p.rho;
        block[(j, i)] = p.rho;
    }
    let (smallest, vector) = matrix::smallest_eigen(&block)?;
    let mut note = None;
    if smallest < -matrix::PSD_EIGENVALUE {
        if !repair {
            return Err(not_psd(model, c, &named, smallest, &vector));
        }
        let repaired = matrix::nearest_correlation(&block)?;
        note = Some(repair_note(model, &named, &block, &repaired, smallest));
        block = repaired.matrix;
    }
    Ok((named, block, note))
}

/// The refusal of a matrix that is not positive semi-definite, naming the file, the
/// smallest eigenvalue and the countries that weigh most in its eigenvector.
fn not_psd(model: &Model, c: &Correlations, named: &[usize], smallest: f64, v: &[f64]) -> Error {
    let mut weights: Vec<(f64, usize)> = v.iter().map(|x| x.abs()).zip(0..).collect();
    weights.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let involved: Vec<&str> = weights
        .iter()
        .filter(|(w, _)| *w >= 0.25)
        .map(|&(_, k)| model.countries[named[k]].code.as_str())
        .collect();
    Error::Input(InputErrors {
        issues: vec![InputIssue::file(
            &c.file,
            format!(
                "the correlations are not positive semi-definite (smallest eigenvalue {smallest:.6}, \
                 mostly over {}): no joint distribution has them all. Expected a valid \
                 correlation matrix: make these countries' pairs consistent, or pass --repair \
                 to use the nearest valid correlation matrix",
                involved.join(", ")
            ),
        )],
        omitted: 0,
    })
}

/// What the repair changed.
fn repair_note(
    model: &Model,
    named: &[usize],
    before: &DMatrix<f64>,
    after: &matrix::Repaired,
    smallest: f64,
) -> RepairNote {
    let diff = &after.matrix - before;
    let (mut largest, mut pair) = (0.0, (0, 0));
    for i in 0..diff.nrows() {
        for j in i + 1..diff.ncols() {
            if diff[(i, j)].abs() > largest {
                largest = diff[(i, j)].abs();
                pair = (i, j);
            }
        }
    }
    RepairNote {
        method: "nearest correlation matrix in the Frobenius norm (Higham's alternating \
                 projections with Dykstra's correction), then eigenvalues clipped at 0 and \
                 rescaled to unit diagonal"
            .into(),
        smallest_eigenvalue: smallest,
        frobenius_distance: diff.norm(),
        largest_change: largest,
        largest_change_pair: format!(
            "{}-{}",
            model.countries[named[pair.0]].code, model.countries[named[pair.1]].code
        ),
        iterations: after.iterations,
    }
}

/// Everything one sample needs.
struct Draw {
    /// Model indices of the latent countries named in the correlation file, ascending.
    correlated: Vec<usize>,
    /// Lower-triangular factor of their correlation matrix.
    factor: DMatrix<f64>,
    /// Model indices of the other latent countries (independent), ascending.
    independent: Vec<usize>,
    /// Φ⁻¹(p) of each correlated, then each independent country.
    thresholds: Vec<f64>,
    /// Model indices of the countries disrupted in every sample.
    always: Vec<usize>,
}

/// Disrupted countries (model indices, ascending) → number of samples.
type Patterns = BTreeMap<Vec<usize>, u64>;

impl Draw {
    /// The latent variables for disruption probabilities `probs` (one per model country)
    /// and the correlation matrix `block` of the countries `named` in the file. Only
    /// countries with 0 < p < 1 get one; p = 1 is disrupted in every sample, p = 0 never.
    fn new(probs: &[f64], named: &[usize], block: &DMatrix<f64>) -> Draw {
        let latent = |c: usize| probs[c] > 0.0 && probs[c] < 1.0;
        let positions: Vec<usize> = (0..named.len()).filter(|&i| latent(named[i])).collect();
        let correlated: Vec<usize> = positions.iter().map(|&i| named[i]).collect();
        let sub = DMatrix::from_fn(positions.len(), positions.len(), |i, j| {
            block[(positions[i], positions[j])]
        });
        let independent: Vec<usize> = (0..probs.len())
            .filter(|&c| latent(c) && named.binary_search(&c).is_err())
            .collect();
        let thresholds = correlated
            .iter()
            .chain(&independent)
            .map(|&c| normal_quantile(probs[c]))
            .collect();
        Draw {
            factor: matrix::cholesky_psd(&sub),
            correlated,
            independent,
            thresholds,
            always: (0..probs.len()).filter(|&c| probs[c] >= 1.0).collect(),
        }
    }

    /// Draws the samples of chunks `chunks` (of `samples` in all), chunk by chunk in
    /// parallel, and counts each pattern. Counts are integers, so however rayon (or the
    /// ranks of [`spread`]) split and join the chunks the totals are the same.
    fn count_chunks(
        &self,
        seed: u64,
        samples: u64,
        chunks: std::ops::Range<u64>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Patterns {
        chunks
            .into_par_iter()
            .fold(Patterns::new, |mut counts, k| {
                let len = CHUNK_SAMPLES.min(samples - k * CHUNK_SAMPLES);
                self.chunk(seed, k, len, &mut counts);
                progress(len);
                counts
            })
            .reduce(Patterns::new, merge)
    }

    /// Adds the patterns of the `len` samples of chunk `k` to `counts`. Each sample draws
    /// one standard normal per correlated country (turned into Z = L·ε), then one per
    /// independent country.
    fn chunk(&self, seed: u64, k: u64, len: u64, counts: &mut Patterns) {
        let mut rng = Rng::derive(seed, k);
        let d = self.correlated.len();
        let mut eps = vec![0.0; d];
        let mut pattern = Vec::new();
        for _ in 0..len {
            for e in eps.iter_mut() {
                *e = rng.normal();
            }
            pattern.clear();
            pattern.extend_from_slice(&self.always);
            for i in 0..d {
                let mut z = 0.0;
                for (j, e) in eps.iter().enumerate().take(i + 1) {
                    z += self.factor[(i, j)] * e;
                }
                if z < self.thresholds[i] {
                    pattern.push(self.correlated[i]);
                }
            }
            for (i, &c) in self.independent.iter().enumerate() {
                if rng.normal() < self.thresholds[d + i] {
                    pattern.push(c);
                }
            }
            pattern.sort_unstable();
            match counts.get_mut(&pattern) {
                Some(n) => *n += 1,
                None => {
                    counts.insert(pattern.clone(), 1);
                }
            }
        }
    }
}

/// The pattern counts of `a` and `b` together.
fn merge(mut a: Patterns, b: Patterns) -> Patterns {
    if a.len() < b.len() {
        return merge(b, a);
    }
    for (pattern, n) in b {
        *a.entry(pattern).or_insert(0) += n;
    }
    a
}

/// The result from the pattern counts.
fn summarize(
    model: &Model,
    probs: &[f64],
    mut counts: Patterns,
    opts: &SamplingOptions,
    correlation: Option<String>,
    repair: Option<RepairNote>,
    warnings: Vec<String>,
) -> SampledScenarios {
    let n = opts.samples.get();
    let baseline_samples = counts.remove(&Vec::new()).unwrap_or(0);
    let mut hits = vec![0u64; probs.len()];
    for (pattern, &k) in &counts {
        for &c in pattern {
            hits[c] += k;
        }
    }
    let code = |c: usize| model.countries[c].code.as_str().to_string();
    let mut scenarios: Vec<SampledScenario> = counts
        .into_iter()
        .map(|(pattern, k)| {
            let countries: Vec<String> = pattern.iter().map(|&c| code(c)).collect();
            SampledScenario {
                name: countries.join("+"),
                countries,
                country_indices: pattern,
                samples: k,
                probability: k as f64 / n as f64,
            }
        })
        .collect();
    scenarios.sort_by(|a, b| b.samples.cmp(&a.samples).then_with(|| a.name.cmp(&b.name)));
    let countries = (0..probs.len())
        .filter(|&c| probs[c] > 0.0)
        .map(|c| CountryFrequency {
            country: code(c),
            disruption_prob: probs[c],
            sampled: hits[c] as f64 / n as f64,
        })
        .collect();
    SampledScenarios {
        samples: n,
        seed: opts.seed,
        severity: opts.severity.get(),
        scenarios,
        baseline_samples,
        countries,
        correlation,
        repair,
        stage: None,
        stage_index: None,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{parse_model, parse_scenarios, ModelFiles};

    const SUPPLIERS: &str =
        "supplier,mineral,country,unit_cost\na,ga,CHN,1\nb,ga,RUS,2\nc,ga,USA,3\n";

    fn model(countries: &str) -> Model {
        let files = ModelFiles::from_memory(&[
            ("suppliers.csv", SUPPLIERS.as_bytes()),
            ("demand.csv", b"mineral,quantity,unmet_penalty\nga,1,10\n"),
            ("countries.csv", countries.as_bytes()),
        ]);
        parse_model(&files).unwrap()
    }

    fn opts(samples: u64, seed: u64) -> SamplingOptions {
        SamplingOptions {
            samples: Samples::new(samples).unwrap(),
            seed,
            ..SamplingOptions::default()
        }
    }

    #[test]
    fn certain_and_impossible_disruptions() {
        let m = model("country,risk,disruption_prob\nCHN,0,1\nRUS,0,0\nUSA,0,\n");
        let r = sample(&m, None, &opts(1000, 3), &|_| {}).unwrap();
        assert_eq!(r.baseline_samples, 0);
        assert_eq!(r.scenarios.len(), 1);
        assert_eq!(r.scenarios[0].name, "CHN");
        assert_eq!(r.scenarios[0].samples, 1000);
        assert_eq!(r.scenarios[0].probability, 1.0);
        assert!(
            r.warnings[0].contains("no disruption_prob for USA"),
            "{:?}",
            r.warnings
        );
        let text = String::from_utf8(crate::report::scenarios_csv(&r)).unwrap();
        assert_eq!(
            text,
            "scenario,probability,mineral,country,supplier,capacity_factor,price_factor\n\
             CHN,1,*,CHN,,0,\n"
        );
    }

    #[test]
    fn no_probability_at_all_is_an_error_naming_countries_csv() {
        let m = model("country,risk\nCHN,0\nRUS,0\nUSA,0\n");
        let e = sample(&m, None, &opts(10, 1), &|_| {}).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.to_string()
                .starts_with("countries.csv: gives no disruption_prob"),
            "{e}"
        );
    }

    /// Out-of-range options cannot be built: samples 1 to MAX_SAMPLES, severity in [0, 1].
    #[test]
    fn options_out_of_range_cannot_be_built() {
        assert!(Samples::new(0).is_err() && Samples::new(MAX_SAMPLES + 1).is_err());
        assert_eq!(Samples::new(MAX_SAMPLES).unwrap().get(), MAX_SAMPLES);
        assert!(Fraction::new(1.5).is_err() && Fraction::new(-0.1).is_err());
    }

    #[test]
    fn written_file_reads_back_with_the_same_probabilities() {
        let m = model("country,risk,disruption_prob\nCHN,0,0.3\nRUS,0,0.2\nUSA,0,0.1\n");
        let mut o = opts(3_001, 9);
        o.severity = Fraction::literal(0.25);
        let r = sample(&m, None, &o, &|_| {}).unwrap();
        let bytes = crate::report::scenarios_csv(&r);
        let files = ModelFiles::from_memory(&[("scenarios.csv", &bytes)]);
        let (read, _) = parse_scenarios(&files, &m).unwrap();
        assert_eq!(read.len(), r.scenarios.len());
        let mut total = r.baseline_samples;
        for (a, b) in read.iter().zip(&r.scenarios) {
            assert_eq!(a.name, b.name);
            assert_eq!(a.probability, b.samples as f64 / 3_001.0);
            assert_eq!(a.shocks.len(), b.countries.len());
            assert!(a.shocks.iter().all(|s| s.capacity_factor == 0.25));
            total += b.samples;
        }
        assert_eq!(total, 3_001);
        // The same scenarios without the file (line numbers aside).
        let mut direct = r.to_scenarios();
        let mut read = read;
        for s in direct.iter_mut().chain(read.iter_mut()) {
            s.shocks.iter_mut().for_each(|k| k.line = 0);
        }
        assert_eq!(direct, read);
    }
}
