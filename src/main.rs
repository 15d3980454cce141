//! The `sourcemix` command line: parses arguments, calls the library, prints, and maps
//! outcomes to exit codes (0 ok, 2 bad input, 3 infeasible, 4 solver failure).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// mimalloc instead of the system allocator (see Cargo.toml).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use sourcemix::report::{render_check, render_stress, render_text};
use sourcemix::run::{check_model, default_out_dir, solve_model, stress_model};
use sourcemix::solve::{SolveOptions, SolverChoice};
use sourcemix::solvers::SolverKind;
use sourcemix::stress::StressOptions;
use sourcemix::Error;

#[derive(Parser)]
#[command(
    name = "sourcemix",
    version,
    about = "Cheapest critical-mineral sourcing mix under country-concentration and risk policy"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Optimize a model folder and write allocation.csv, summary.csv, constraints.csv.
    Solve {
        /// Model folder (suppliers.csv, demand.csv, optional countries.csv, constraints.csv).
        model: PathBuf,
        /// Output folder [default: MODEL/results].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Solver: auto, or one listed by `sourcemix solvers`.
        #[arg(long, default_value = "auto")]
        solver: String,
        /// Time limit per mineral block, in seconds.
        #[arg(long = "time-limit", value_name = "SECONDS")]
        time_limit: Option<f64>,
        /// Relative MIP gap for models with integer rules.
        #[arg(long = "mip-gap", default_value_t = 1e-6)]
        mip_gap: f64,
        /// Worker threads for independent minerals [default: all cores].
        #[arg(long)]
        threads: Option<usize>,
        /// Standard output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Print read/build/solve/write times to standard error.
        #[arg(long)]
        timings: bool,
    },
    /// Evaluate a fixed plan in every disruption scenario: what it delivers, what the
    /// spot market must cover, and what it costs (stress.csv, stress_summary.csv).
    Stress {
        /// Model folder (demand.csv needs an unmet_penalty for every mineral).
        model: PathBuf,
        /// The plan: an allocation.csv written by `solve`, or one in its layout
        /// (mineral,supplier,quantity; country checked when present).
        #[arg(long, value_name = "FILE")]
        plan: PathBuf,
        /// Scenarios to use instead of MODEL/scenarios.csv.
        #[arg(long, value_name = "FILE")]
        scenarios: Option<PathBuf>,
        /// CVaR level: the summary's cvar_cost is the mean cost of the worst 1 − ALPHA.
        #[arg(long, default_value_t = 0.95)]
        alpha: f64,
        /// Spot purchases cost the landed cost × price factor × (1 + this).
        #[arg(long = "spot-premium", default_value_t = 0.25)]
        spot_premium: f64,
        /// Output folder [default: MODEL/results].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Standard output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Validate a model and report its size and suspicious data.
    Check {
        /// Model folder.
        model: PathBuf,
    },
    /// List the solvers compiled into this build and what each supports.
    Solvers,
    /// Write a synthetic model of a given size (for tests and benchmarks).
    Generate {
        /// Folder to write the model into (created if needed).
        dir: PathBuf,
        /// Number of minerals.
        #[arg(long, default_value_t = 10)]
        minerals: usize,
        /// Number of offers in all (split evenly over minerals).
        #[arg(long, default_value_t = 1000)]
        offers: usize,
        /// Number of countries.
        #[arg(long, default_value_t = 60)]
        countries: usize,
        /// Random seed; the same seed gives the same files byte for byte.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write an empty policy (constraints.csv with its header only).
        #[arg(long = "no-policy")]
        no_policy: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Ctrl-C: results are only ever renamed into place whole, so stopping is clean once
    // the temporary files in flight are gone.
    let _ = ctrlc::set_handler(|| {
        sourcemix::report::atomic::remove_in_flight();
        eprintln!("interrupted; no partial result file is left behind");
        std::process::exit(130);
    });
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Prints to stdout; a closed pipe (e.g. `| head`) is not an error.
fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush());
}

fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Solve {
            model,
            out: out_dir,
            solver,
            time_limit,
            mip_gap,
            threads,
            format,
            timings,
        } => {
            let solver = if solver.eq_ignore_ascii_case("auto") {
                SolverChoice::Auto
            } else {
                SolverChoice::Named(SolverKind::from_name(&solver).map_err(Error::Usage)?)
            };
            let opts = SolveOptions {
                solver,
                time_limit_secs: time_limit,
                mip_gap,
                threads,
            };
            let out_dir = out_dir.unwrap_or_else(|| default_out_dir(&model));
            let run = solve_model(&model, &out_dir, &opts)?;
            for w in &run.report.warnings {
                eprintln!("warning: {w}");
            }
            match format {
                Format::Text => out(&render_text(&run.report)),
                Format::Json => {
                    out(&(serde_json::to_string_pretty(&run).unwrap_or_default() + "\n"))
                }
            }
            let code = run.exit_code();
            if code != 0 {
                for p in &run.report.problems {
                    eprintln!("error: {p}");
                }
            } else if run.report.status == sourcemix::solve::Status::Feasible {
                for p in &run.report.problems {
                    eprintln!("warning: {p}");
                }
            }
            if !run.written.is_empty() {
                eprintln!("wrote {}", out_dir.display());
            }
            if timings {
                let t = &run.timings;
                eprintln!(
                    "timings: read {:.3} s, build {:.3} s, solve {:.3} s (wall {:.3} s for build+solve), write {:.3} s",
                    t.read_secs, t.build_secs, t.solve_secs, t.optimize_wall_secs, t.write_secs
                );
            }
            Ok(code)
        }
        Command::Stress {
            model,
            plan,
            scenarios,
            alpha,
            spot_premium,
            out: out_dir,
            format,
        } => {
            let out_dir = out_dir.unwrap_or_else(|| default_out_dir(&model));
            let opts = StressOptions {
                alpha,
                spot_premium,
            };
            let run = stress_model(&model, &plan, scenarios.as_deref(), &out_dir, &opts)?;
            for w in &run.warnings {
                eprintln!("warning: {w}");
            }
            match format {
                Format::Text => out(&render_stress(&run.report)),
                Format::Json => {
                    out(&(serde_json::to_string_pretty(&run).unwrap_or_default() + "\n"))
                }
            }
            eprintln!("wrote {}", out_dir.display());
            Ok(0)
        }
        Command::Check { model } => {
            let report = check_model(&model)?;
            for w in &report.warnings {
                eprintln!("warning: {w}");
            }
            let text = render_check(&report);
            out(&text);
            Ok(0)
        }
        Command::Generate {
            dir,
            minerals,
            offers,
            countries,
            seed,
            no_policy,
        } => {
            let summary = sourcemix::generate::generate(
                &dir,
                &sourcemix::generate::GenerateOptions {
                    minerals,
                    offers,
                    countries,
                    seed,
                    policy: !no_policy,
                },
            )
            .map_err(|e| Error::Usage(e.to_string()))?;
            out(&format!(
                "wrote {}: {} minerals, {} offers, {} countries\n",
                dir.display(),
                summary.minerals,
                summary.offers,
                summary.countries
            ));
            Ok(0)
        }
        Command::Solvers => {
            let mut text = String::from("solver    integers  duals  time_limit  description\n");
            for k in SolverKind::all() {
                let c = k.capabilities();
                let yn = |b: bool| if b { "yes" } else { "no" };
                text.push_str(&format!(
                    "{:<9} {:<9} {:<6} {:<11} {}\n",
                    k.name(),
                    yn(c.integers),
                    yn(c.duals),
                    yn(c.time_limit),
                    k.description()
                ));
            }
            text.push_str(&format!(
                "auto: {} for linear models, {} for models with integer rules, clarabel for linear models with HHI caps (exact cones)\n",
                SolverKind::auto(false),
                SolverKind::auto(true)
            ));
            out(&text);
            Ok(0)
        }
    }
}
