//! `scenarios`: sampled disruption frequencies against the Gaussian copula they come from
//! (marginals and pairwise joint probabilities, by a bivariate normal CDF computed here by
//! numerical integration), refusals, determinism
//! across runs and thread counts, and the written file read back by `stress`.

use crate::common::*;
use sourcemix::analysis::sampling::{sample, SampledScenarios, Samples, SamplingOptions};
use sourcemix::input::correlation::parse_correlation;
use sourcemix::input::ModelFiles;
use sourcemix::model::Model;

const SUPPLIERS: &str = "supplier,mineral,country,unit_cost,capacity
a,gallium,CHN,300,400
b,gallium,RUS,360,200
c,gallium,JPN,520,300
d,gallium,USA,600,
";
const DEMAND: &str = "mineral,quantity,unmet_penalty\ngallium,500,2000\n";
/// Country order in the model: CHN, JPN, RUS, USA.
const COUNTRIES: &str = "country,risk,disruption_prob
CHN,0.6,0.1
JPN,0.3,0.3
RUS,0.7,0.05
USA,0.5,0.5
";
/// A valid (positive definite) matrix: eigenvalues checked in `copula_matrix_is_valid`.
const CORRELATION: &str = "country_a,country_b,rho
CHN,RUS,0.6
CHN,JPN,-0.4
JPN,USA,0.3
RUS,USA,-0.2
";

fn model() -> Model {
    model_from(&[
        ("suppliers.csv", SUPPLIERS),
        ("demand.csv", DEMAND),
        ("countries.csv", COUNTRIES),
    ])
}

fn draw(model: &Model, corr: &str, samples: u64, seed: u64) -> SampledScenarios {
    let files = ModelFiles::from_memory(&[("corr.csv", corr.as_bytes())]);
    let c = parse_correlation(&files, "corr.csv", model).unwrap();
    let opts = SamplingOptions {
        samples: Samples::new(samples).unwrap(),
        seed,
        ..SamplingOptions::default()
    };
    sample(model, Some(&c), &opts, &|_| {}).unwrap()
}

// ---- an independent bivariate normal CDF ----------------------------------------------

/// Φ(x) by the complementary error function.
fn cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Φ⁻¹(p) by bisection on [`cdf`] (independent of the library's rational approximation).
fn quantile(p: f64) -> f64 {
    let (mut lo, mut hi) = (-40.0, 40.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// P(X < h, Y < k) for standard normals with correlation rho (|rho| < 1):
/// ∫_{−∞}^{h} φ(x) Φ((k − ρx)/√(1 − ρ²)) dx by composite Simpson on [−12, h].
fn bivariate_cdf(h: f64, k: f64, rho: f64) -> f64 {
    let s = (1.0 - rho * rho).sqrt();
    let f = |x: f64| {
        (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt() * cdf((k - rho * x) / s)
    };
    let (a, n) = (-12.0, 20_000);
    let step = (h - a) / n as f64;
    let mut sum = f(a) + f(h);
    for i in 1..n {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += w * f(a + step * i as f64);
    }
    sum * step / 3.0
}

#[test]
fn bivariate_cdf_matches_closed_forms() {
    // Φ₂(0, 0; ρ) = 1/4 + asin(ρ)/(2π); ρ = 0 gives the product of the marginals.
    for rho in [-0.9, -0.4, 0.0, 0.3, 0.6, 0.95] {
        let want = 0.25 + f64::asin(rho) / (2.0 * std::f64::consts::PI);
        assert_close(bivariate_cdf(0.0, 0.0, rho), want, 1e-10, "Φ₂(0,0)");
    }
    let (h, k) = (quantile(0.1), quantile(0.3));
    assert_close(bivariate_cdf(h, k, 0.0), 0.03, 1e-10, "Φ₂ independent");
    assert_close(quantile(0.975), 1.959_963_984_540_054, 1e-12, "Φ⁻¹(0.975)");
}

// ---- the copula ------------------------------------------------------------------------

/// Share of samples in which every country of `set` is disrupted.
fn frequency(r: &SampledScenarios, set: &[&str]) -> f64 {
    let hits: u64 = r
        .scenarios
        .iter()
        .filter(|s| set.iter().all(|c| s.countries.iter().any(|x| x == c)))
        .map(|s| s.samples)
        .sum();
    hits as f64 / r.samples as f64
}

/// Five standard errors of a frequency with probability q over n samples.
fn tolerance(q: f64, n: u64) -> f64 {
    5.0 * (q * (1.0 - q) / n as f64).sqrt()
}

/// Draws `n` samples with correlations `corr` and checks every country's frequency and
/// every pair's joint frequency against the copula, within 5 standard errors.
fn check_copula(corr: &str, n: u64, seed: u64) {
    let m = model();
    let r = draw(&m, corr, n, seed);
    let p = [("CHN", 0.1), ("JPN", 0.3), ("RUS", 0.05), ("USA", 0.5)];
    for (c, q) in p {
        let f = frequency(&r, &[c]);
        assert!((f - q).abs() <= tolerance(q, n), "{c}: {f} vs {q}");
    }
    let rho = |a: &str, b: &str| -> f64 {
        for line in corr.lines().skip(1) {
            let cells: Vec<&str> = line.split(',').collect();
            if (cells[0] == a && cells[1] == b) || (cells[0] == b && cells[1] == a) {
                return cells[2].parse().unwrap();
            }
        }
        0.0
    };
    for i in 0..p.len() {
        for j in i + 1..p.len() {
            let ((a, pa), (b, pb)) = (p[i], p[j]);
            let r_ab = rho(a, b);
            let want = bivariate_cdf(quantile(pa), quantile(pb), r_ab);
            let got = frequency(&r, &[a, b]);
            let tol = tolerance(want, n);
            assert!(
                (got - want).abs() <= tol,
                "{a}-{b} rho {r_ab}: {got} vs {want} ± {tol}"
            );
            // The test can tell correlated pairs from independent ones.
            if r_ab != 0.0 {
                assert!(
                    (got - pa * pb).abs() > 2.0 * tol,
                    "{a}-{b}: {got} vs {}",
                    pa * pb
                );
            }
        }
    }
    let counted: u64 = r.scenarios.iter().map(|s| s.samples).sum::<u64>() + r.baseline_samples;
    assert_eq!(counted, n);
}

#[test]
fn marginal_and_joint_frequencies_match_the_copula() {
    // Every country correlated with some other.
    check_copula(CORRELATION, 200_000, 2024);
}

#[test]
fn countries_left_out_of_the_file_are_independent() {
    // JPN and USA are not in the file: independent of each other and of CHN and RUS.
    check_copula("country_a,country_b,rho\nCHN,RUS,0.6\n", 100_000, 7);
}

#[test]
fn perfect_correlation_disrupts_together() {
    let m = model();
    let r = draw(&m, "country_a,country_b,rho\nCHN,JPN,1\n", 50_000, 5);
    // rho = 1: CHN (p 0.1) is disrupted only together with JPN (p 0.3).
    assert!(r
        .scenarios
        .iter()
        .all(|s| !s.countries.contains(&"CHN".into()) || s.countries.contains(&"JPN".into())));
    let f = frequency(&r, &["CHN", "JPN"]);
    assert!((f - 0.1).abs() <= tolerance(0.1, 50_000), "{f}");
    // rho = −1: never together (0.1 + 0.3 < 1).
    let r = draw(&m, "country_a,country_b,rho\nCHN,JPN,-1\n", 50_000, 5);
    assert_eq!(frequency(&r, &["CHN", "JPN"]), 0.0);
}

// ---- the command line ------------------------------------------------------------------

fn bin() -> assert_cmd::Command {
    crate::common::cli::command()
}

fn cli_model() -> tempfile::TempDir {
    write_model(&[
        ("suppliers.csv", SUPPLIERS),
        ("demand.csv", DEMAND),
        ("countries.csv", COUNTRIES),
        ("corr.csv", CORRELATION),
    ])
}

/// Runs `scenarios` on `dir` writing `out`; returns (exit code, stderr).
fn scenarios(dir: &std::path::Path, extra: &[&str], threads: &str) -> (i32, String) {
    let out = bin()
        .arg("scenarios")
        .arg(dir)
        .args(extra)
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_same_seed_same_bytes_any_thread_count() {
    let dir = cli_model();
    let d = dir.path();
    let corr = d.join("corr.csv");
    let mut files = Vec::new();
    for (name, seed, threads) in [
        ("a", "7", "1"),
        ("b", "7", "2"),
        ("c", "7", "2"),
        ("d", "8", "1"),
    ] {
        let out = d.join(format!("{name}.csv"));
        let args = [
            "--samples",
            "30000",
            "--seed",
            seed,
            "--correlation",
            corr.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        let (code, err) = scenarios(d, &args, threads);
        assert_eq!(code, 0, "{err}");
        files.push(std::fs::read(&out).unwrap());
    }
    assert!(files[0].len() > 500);
    assert_eq!(files[0], files[1], "1 vs 2 threads");
    assert_eq!(files[1], files[2], "run to run");
    assert_ne!(files[0], files[3], "seeds 7 and 8");
}

#[test]
fn cli_written_file_loads_and_stress_runs_on_it() {
    let dir = cli_model();
    let d = dir.path();
    let corr = d.join("corr.csv");
    // Default output: MODEL/scenarios.csv.
    let (code, err) = scenarios(
        d,
        &[
            "--samples",
            "5000",
            "--seed",
            "3",
            "--correlation",
            corr.to_str().unwrap(),
            "--severity",
            "0.2",
        ],
        "2",
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("wrote"), "{err}");
    let written = d.join("scenarios.csv");
    assert!(!err.contains("replaced"), "{err}");
    // A second run replaces the file, even a broken one: it is not read.
    std::fs::write(&written, "scenario,probability\nx,2\n").unwrap();
    let (code, err) = scenarios(
        d,
        &[
            "--samples",
            "5000",
            "--seed",
            "3",
            "--correlation",
            corr.to_str().unwrap(),
            "--severity",
            "0.2",
        ],
        "1",
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!("replaced {}", written.display())),
        "{err}"
    );
    let m = load_all(d);
    let (read, _) = sourcemix::input::load_scenarios(&written, &m).unwrap();
    assert!(!read.is_empty());
    assert_eq!(read, m.scenarios);
    assert!(read
        .iter()
        .flat_map(|s| &s.shocks)
        .all(|s| s.capacity_factor == 0.2));
    let total: f64 = read.iter().map(|s| s.probability).sum();
    assert!(total < 1.0);
    let out = d.join("results");
    bin()
        .arg("solve")
        .arg(d)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    bin()
        .arg("stress")
        .arg(d)
        .arg("--plan")
        .arg(out.join("allocation.csv"))
        .arg("--scenarios")
        .arg(&written)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stress = std::fs::read_to_string(out.join("stress.csv")).unwrap();
    for s in &read {
        assert!(
            stress.contains(&format!("\n{},", s.name)),
            "{} missing",
            s.name
        );
    }
}

#[test]
fn cli_refusals_exit_2_and_write_nothing() {
    let dir = cli_model();
    let d = dir.path();
    let out = d.join("out.csv");
    std::fs::write(&out, "earlier").unwrap();
    let bad_rows = d.join("bad_rows.csv");
    std::fs::write(
        &bad_rows,
        "country_a,country_b,rho\nCHN,RUS,0.2\nCHN,JPN,1.2\nRUS,CHN,0.3\n",
    )
    .unwrap();
    let not_psd = d.join("not_psd.csv");
    std::fs::write(
        &not_psd,
        "country_a,country_b,rho\nCHN,RUS,0.9\nCHN,JPN,0.9\nJPN,RUS,-0.9\n",
    )
    .unwrap();
    let cases: Vec<(Vec<String>, Vec<String>)> = vec![
        (
            vec!["--correlation".into(), bad_rows.display().to_string()],
            vec![
                format!(
                    "{}:3: column rho: \"1.2\" is out of range",
                    bad_rows.display()
                ),
                format!("{}:4: the pair CHN–RUS contradicts", bad_rows.display()),
            ],
        ),
        (
            vec!["--correlation".into(), not_psd.display().to_string()],
            vec![format!(
                "{}: the correlations are not positive semi-definite (smallest eigenvalue -0.8",
                not_psd.display()
            )],
        ),
        (
            vec![
                "--correlation".into(),
                d.join("missing.csv").display().to_string(),
            ],
            vec!["missing.csv: not found".into()],
        ),
        (
            vec!["--severity".into(), "2".into()],
            vec!["'2' for '--severity".into(), "from 0 to 1".into()],
        ),
        (
            vec!["--samples".into(), "0".into()],
            vec!["'0' for '--samples".into(), "from 1 to 10000000".into()],
        ),
    ];
    for (extra, wanted) in cases {
        let mut args: Vec<String> = vec!["--seed".into(), "1".into(), "--out".into()];
        args.push(out.display().to_string());
        if !extra.contains(&"--samples".to_string()) {
            args.extend(["--samples".into(), "100".into()]);
        }
        args.extend(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, err) = scenarios(d, &args, "2");
        assert_eq!(code, 2, "{args:?}: {err}");
        for w in wanted {
            assert!(err.contains(&w), "{args:?}: expected {w:?} in\n{err}");
        }
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "earlier");
    }
    // No disruption_prob at all.
    std::fs::write(
        d.join("countries.csv"),
        "country,risk\nCHN,0\nJPN,0\nRUS,0\nUSA,0\n",
    )
    .unwrap();
    let (code, err) = scenarios(
        d,
        &[
            "--samples",
            "10",
            "--seed",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
        "2",
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("countries.csv: gives no disruption_prob"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "earlier");
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn cli_repair_says_by_how_much() {
    let dir = cli_model();
    let d = dir.path();
    let not_psd = d.join("not_psd.csv");
    std::fs::write(
        &not_psd,
        "country_a,country_b,rho\nCHN,RUS,0.9\nCHN,JPN,0.9\nJPN,RUS,-0.9\n",
    )
    .unwrap();
    let out = d.join("out.csv");
    let (code, err) = scenarios(
        d,
        &[
            "--samples",
            "2000",
            "--seed",
            "1",
            "--correlation",
            not_psd.to_str().unwrap(),
            "--repair",
            "--out",
            out.to_str().unwrap(),
        ],
        "2",
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("smallest eigenvalue -0.8"), "{err}");
    assert!(err.contains("Frobenius distance"), "{err}");
    assert!(err.contains("largest change"), "{err}");
    assert!(out.exists());
}

/// Random byte mutations of a correlation file never make the reader or the sampler panic:
/// each run either samples or returns an input error.
#[test]
fn mutated_correlation_files_never_panic() {
    let m = model();
    let mut rng = TestRng::new(99);
    let base = format!("{CORRELATION}CHN,USA,0.7\n").into_bytes();
    let alphabet = b"0123456789.-+e ,\n\"CHNJPNRUSUSA%";
    let (mut ok, mut refused) = (0, 0);
    for _ in 0..400 {
        let mut bytes = base.clone();
        // Mutate the rows, not the header (a broken header is refused before any row).
        let header = CORRELATION.find('\n').unwrap() + 1;
        for _ in 0..1 + rng.below(2) {
            let at = header + rng.below((bytes.len() - header) as u64) as usize;
            match rng.below(3) {
                0 => bytes[at] = alphabet[rng.below(alphabet.len() as u64) as usize],
                1 => {
                    bytes.remove(at);
                }
                _ => bytes.insert(at, alphabet[rng.below(alphabet.len() as u64) as usize]),
            }
        }
        let files = ModelFiles::from_memory(&[("corr.csv", &bytes)]);
        let outcome = parse_correlation(&files, "corr.csv", &m).and_then(|c| {
            let opts = SamplingOptions {
                samples: Samples::literal(50),
                seed: 1,
                repair: rng.below(2) == 0,
                ..SamplingOptions::default()
            };
            sample(&m, Some(&c), &opts, &|_| {})
        });
        match outcome {
            Ok(r) => {
                ok += 1;
                assert_eq!(
                    r.scenarios.iter().map(|s| s.samples).sum::<u64>() + r.baseline_samples,
                    50
                );
            }
            Err(e) => {
                refused += 1;
                assert_eq!(e.exit_code(), 2, "{e}");
            }
        }
    }
    // Most mutations break a cell (the format is strict); some keep a valid file.
    assert!(ok >= 5 && refused >= 100, "{ok} sampled, {refused} refused");
}
