//! `bench`: every chosen backend solves the same model K times; the report gives the
//! spread of build (formulation) and solve times, the status and the objective of each,
//! and the largest relative difference between the solvers' objectives. Solvers that
//! disagree by more than [`AGREEMENT_TOLERANCE`] (or end with different statuses) are
//! flagged, and the command exits with [`DISAGREEMENT_EXIT`].

use std::num::NonZeroUsize;
use std::time::Instant;

use serde::Serialize;

use crate::engine::SolverKind;
use crate::error::{Error, Result};
use crate::formulate::formulate;
use crate::model::Model;
use crate::solve::{solve, SolveOptions, SolverChoice};
use crate::tools::generate::{generate, GenerateOptions};

pub use crate::tolerance::AGREEMENT_TOLERANCE;

/// Exit code of `bench` when solvers disagree (the code of a solver failure, SPEC §5:
/// at least one of them returned a wrong answer).
pub const DISAGREEMENT_EXIT: u8 = 4;

/// Runs per solver by default.
pub const DEFAULT_REPEAT: NonZeroUsize = NonZeroUsize::new(3).unwrap();

/// What to benchmark.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchOptions {
    /// The backends, in report order (duplicates are dropped); empty: every backend of
    /// this build that can solve the model ([`able_solvers`]).
    pub solvers: Vec<SolverKind>,
    /// Runs per solver.
    pub repeat: NonZeroUsize,
    /// Worker threads per solve (default: all cores).
    pub threads: Option<NonZeroUsize>,
}

/// Minimum, median and maximum of a set of timings, seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    /// Fastest.
    pub min: f64,
    /// Median (mean of the middle two for an even count).
    pub median: f64,
    /// Slowest.
    pub max: f64,
}

impl Spread {
    /// The spread of `values` (all zero when empty).
    pub fn of(values: &[f64]) -> Spread {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n == 0 {
            return Spread {
                min: 0.0,
                median: 0.0,
                max: 0.0,
            };
        }
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Spread {
            min: v[0],
            median,
            max: v[n - 1],
        }
    }
}

/// One solver's runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SolverRuns {
    /// Backend name.
    pub solver: String,
    /// Runs made.
    pub runs: usize,
    /// Status of the last run (`optimal`, `infeasible`, …).
    pub status: String,
    /// Total cost of the last run's plan, when it has one.
    pub objective: Option<f64>,
    /// Formulation wall time per run.
    pub build_secs: Spread,
    /// Wall time of the rest of the solve per run (solver, cuts, polishing, checks).
    pub solve_secs: Spread,
}

/// Whether the solvers agree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    /// Largest |a − b| / max(|a|, |b|, 1) over pairs of objectives (None with fewer than
    /// two objectives).
    pub max_rel_diff: Option<f64>,
    /// True when every status is the same and `max_rel_diff` ≤ the tolerance.
    pub agree: bool,
    /// Why not, in words.
    pub reason: Option<String>,
}

/// The result of `bench`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchReport {
    /// The model benchmarked (folder or generator spec).
    pub model: String,
    /// Minerals in the model.
    pub minerals: usize,
    /// Offers in the model.
    pub offers: usize,
    /// Runs per solver.
    pub repeat: usize,
    /// The agreement tolerance used.
    pub tolerance: f64,
    /// One entry per solver.
    pub results: Vec<SolverRuns>,
    /// Agreement between the solvers.
    pub agreement: Agreement,
}

impl BenchReport {
    /// 0, or [`DISAGREEMENT_EXIT`] when the solvers disagree.
    pub fn exit_code(&self) -> u8 {
        if self.agreement.agree {
            0
        } else {
            DISAGREEMENT_EXIT
        }
    }
}

/// Parses a generator spec `offers=N,minerals=M[,seed=S][,countries=C][,policy=0|1]`
/// into options (seed 1, 60 countries and a policy by default).
pub fn parse_spec(spec: &str) -> Result<GenerateOptions> {
    let mut opts = GenerateOptions::default();
    let (mut offers, mut minerals) = (false, false);
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let bad = || {
            Error::Usage(format!(
                "--generate {spec:?}: {part:?} is not key=number (keys: offers, minerals, seed, countries, policy)"
            ))
        };
        let (key, value) = part.split_once('=').ok_or_else(bad)?;
        let n: u64 = value.trim().parse().map_err(|_| bad())?;
        let size = usize::try_from(n).map_err(|_| bad())?;
        match key.trim() {
            "offers" => (opts.offers, offers) = (size, true),
            "minerals" => (opts.minerals, minerals) = (size, true),
            "seed" => opts.seed = n,
            "countries" => opts.countries = size,
            "policy" => opts.policy = n != 0,
            _ => return Err(bad()),
        }
    }
    if !(offers && minerals) {
        return Err(Error::Usage(format!(
            "--generate {spec:?} needs offers=N and minerals=M (e.g. offers=10000,minerals=10,seed=1)"
        )));
    }
    Ok(opts)
}

/// Generates the model of `opts` into a scratch folder, loads it and removes the folder.
pub(crate) fn generated_model(opts: &GenerateOptions) -> Result<crate::input::Loaded> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("sourcemix-bench-{}-{stamp}", std::process::id()));
    let loaded = generate(&dir, opts)
        .map_err(Error::from)
        .and_then(|_| crate::input::load(&dir));
    let _ = std::fs::remove_dir_all(&dir);
    loaded
}

/// Runs the benchmark on `model` (labelled `label`), calling `progress(done, total)`
/// before each run and once at the end.
pub fn bench(
    model: &Model,
    label: &str,
    opts: &BenchOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<BenchReport> {
    let mut solvers = if opts.solvers.is_empty() {
        able_solvers(model)?.0
    } else {
        opts.solvers.clone()
    };
    let mut seen = Vec::new();
    solvers.retain(|k| {
        let fresh = !seen.contains(k);
        seen.push(*k);
        fresh
    });
    if solvers.is_empty() {
        return Err(Error::Usage("--solvers names no solver".into()));
    }
    let total = solvers.len() * opts.repeat.get();
    let mut results = Vec::with_capacity(solvers.len());
    for (i, &kind) in solvers.iter().enumerate() {
        let done = i * opts.repeat.get();
        results.push(run_solver(model, kind, opts, &mut |k| {
            progress(done + k, total)
        })?);
    }
    progress(total, total);
    let agreement = compare(&results, AGREEMENT_TOLERANCE);
    Ok(BenchReport {
        model: label.to_string(),
        minerals: model.minerals.len(),
        offers: model.offers.len(),
        repeat: opts.repeat.get(),
        tolerance: AGREEMENT_TOLERANCE,
        results,
        agreement,
    })
}

/// Every backend of this build that can solve `model`, in listing order (the order
/// `sourcemix solvers` prints), and a note for each one left out: a backend without
/// integer support is left out when a mineral's block has integer variables (what
/// formulating it says, the one place that decides).
pub fn able_solvers(model: &Model) -> Result<(Vec<SolverKind>, Vec<String>)> {
    let mut integer_mineral = None;
    for m in 0..model.minerals.len() {
        if formulate(model, m)?.lp.has_integers() {
            integer_mineral = Some(&model.minerals[m].name);
            break;
        }
    }
    let (mut able, mut notes) = (Vec::new(), Vec::new());
    for kind in SolverKind::all() {
        match integer_mineral {
            Some(name) if !kind.capabilities().integers => notes.push(format!(
                "{kind} left out: it cannot solve integer rules, which mineral {name} needs"
            )),
            _ => able.push(kind),
        }
    }
    Ok((able, notes))
}

fn run_solver(
    model: &Model,
    kind: SolverKind,
    opts: &BenchOptions,
    progress: &mut dyn FnMut(usize),
) -> Result<SolverRuns> {
    let solve_opts = SolveOptions {
        solver: SolverChoice::Named(kind),
        threads: opts.threads,
        ..SolveOptions::default()
    };
    let (mut build, mut rest) = (Vec::new(), Vec::new());
    let mut last = None;
    for k in 0..opts.repeat.get() {
        progress(k);
        let t = Instant::now();
        let solution = solve(model, &solve_opts)?;
        let total = t.elapsed().as_secs_f64();
        build.push(solution.build_wall_secs);
        rest.push((total - solution.build_wall_secs).max(0.0));
        last = Some(solution);
    }
    let solution = last.ok_or_else(|| Error::Usage("--repeat must be at least 1".into()))?;
    let has_plan = solution.minerals.iter().all(|m| m.has_plan());
    Ok(SolverRuns {
        solver: kind.name().to_string(),
        runs: opts.repeat.get(),
        status: solution.status.name().to_string(),
        objective: has_plan.then(|| solution.cost()),
        build_secs: Spread::of(&build),
        solve_secs: Spread::of(&rest),
    })
}

/// Compares the solvers' results: same status everywhere, and objectives within
/// `tolerance` relative (|a − b| / max(|a|, |b|, 1), over every pair). Public so a test
/// can perturb a result and check that the difference is flagged.
pub fn compare(results: &[SolverRuns], tolerance: f64) -> Agreement {
    let mut reasons = Vec::new();
    if let Some(first) = results.first() {
        if results.iter().any(|r| r.status != first.status) {
            reasons.push(format!(
                "statuses differ: {}",
                results
                    .iter()
                    .map(|r| format!("{} {}", r.solver, r.status))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    let objectives: Vec<(&str, f64)> = results
        .iter()
        .filter_map(|r| r.objective.map(|o| (r.solver.as_str(), o)))
        .collect();
    let mut worst: Option<(f64, &str, &str)> = None;
    for (i, &(a_name, a)) in objectives.iter().enumerate() {
        for &(b_name, b) in &objectives[i + 1..] {
            let d = (a - b).abs() / a.abs().max(b.abs()).max(1.0);
            if worst.is_none_or(|(w, _, _)| d > w) {
                worst = Some((d, a_name, b_name));
            }
        }
    }
    if let Some((d, a, b)) = worst {
        if d > tolerance || d.is_nan() {
            reasons.push(format!(
                "objectives of {a} and {b} differ by {d:.3e} (relative), more than {tolerance:e}"
            ));
        }
    }
    Agreement {
        max_rel_diff: worst.map(|(d, _, _)| d),
        agree: reasons.is_empty(),
        reason: (!reasons.is_empty()).then(|| reasons.join("; ")),
    }
}

/// The report as an aligned table and a verdict.
pub fn render_text(report: &BenchReport) -> String {
    let mut out = format!(
        "{}: {} minerals, {} offers, {} run(s) per solver\n",
        report.model, report.minerals, report.offers, report.repeat
    );
    out.push_str(&format!(
        "{:<10} {:<18} {:>20} {:>26} {:>26}\n",
        "solver", "status", "objective", "build s (min/med/max)", "solve s (min/med/max)"
    ));
    for r in &report.results {
        let spread = |s: Spread| format!("{:.3}/{:.3}/{:.3}", s.min, s.median, s.max);
        out.push_str(&format!(
            "{:<10} {:<18} {:>20} {:>26} {:>26}\n",
            r.solver,
            r.status,
            r.objective
                .map_or_else(String::new, crate::write::numbers::plain),
            spread(r.build_secs),
            spread(r.solve_secs)
        ));
    }
    let a = &report.agreement;
    let diff = a
        .max_rel_diff
        .map_or_else(|| "n/a".to_string(), |d| format!("{d:.3e}"));
    match &a.reason {
        None => out.push_str(&format!(
            "solvers agree: largest relative objective difference {diff} (tolerance {:e})\n",
            report.tolerance
        )),
        Some(why) => out.push_str(&format!("SOLVERS DISAGREE: {why}\n")),
    }
    out
}
