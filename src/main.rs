//! The `sourcemix` binary: parses arguments, dispatches to one command module of
//! [`cli`], and maps the outcome to an exit code (0 ok, 2 bad input or usage,
//! 3 infeasible, 4 solver failure, 5 results not written, 129/130/143 ended by
//! SIGHUP/SIGINT/SIGTERM).

mod cli;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc instead of the system allocator (see Cargo.toml). With the `python` feature
/// the library declares the same allocator (for the extension module).
#[cfg(not(feature = "python"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

#[derive(Subcommand)]
enum Command {
    /// Optimize a model folder and write allocation.csv, summary.csv, constraints.csv.
    Solve(cli::solve::SolveArgs),
    /// Evaluate a fixed plan in every disruption scenario: what it delivers, what the
    /// spot market replaces, and what it costs (stress.csv, stress_summary.csv).
    Stress(cli::stress::StressArgs),
    /// Sample correlated export disruptions of the model's countries into a scenarios.csv.
    Scenarios(cli::scenarios::ScenariosArgs),
    /// The cost-risk frontier: optimal cost as a cap on HHI, risk-weighted HHI or average
    /// risk is tightened to its least feasible value (frontier.csv, frontier.svg).
    Frontier(cli::frontier::FrontierArgs),
    /// The hedge frontier: solve --robust over a sweep of CVaR weights, each plan's
    /// diversification premium, stock cost and expected spot cost (hedge.csv, hedge.svg).
    Hedge(cli::hedge::HedgeArgs),
    /// Validate a model and report its size and suspicious data.
    Check(cli::check::CheckArgs),
    /// List the solvers compiled into this build and what each supports.
    Solvers(cli::solvers::SolversArgs),
    /// Write a synthetic model of a given size (for tests and benchmarks).
    Generate(cli::generate::GenerateArgs),
    /// For a model with no solution: the least relaxation of its rules that gives it one
    /// (explain.csv, and in words).
    Explain(cli::explain::ExplainArgs),
    /// What the policy costs: the optimum without rules, with all, and without each rule
    /// family (policy.csv).
    Policy(cli::policy::PolicyArgs),
    /// Named policy variants side by side: rule sets, edits of the policy, or a fixed
    /// plan such as the incumbent, each with its cost, saving, concentration, risk and
    /// binding rules (compare.csv).
    Compare(cli::compare::CompareArgs),
    /// Turn a model folder into one workbook (.xlsx), or a workbook into a folder.
    Convert(cli::convert::ConvertArgs),
    /// Write the exact model sourcemix solves as an MPS or LP file, for any solver.
    Export(cli::export::ExportArgs),
    /// Time each solver on the same model and check that they agree.
    Bench(cli::bench::BenchArgs),
}

fn main() -> ExitCode {
    cli::signals::install();
    if let Err(e) = cli::output::check_stdout_open() {
        eprintln!("error: {e}");
        return ExitCode::from(e.exit_code());
    }
    #[cfg(unix)]
    sourcemix::commands::on_wait(|dir| {
        cli::output::note(&format!(
            "waiting for another sourcemix run writing into {}",
            dir.display()
        ))
    });
    let cli = Cli::parse();
    #[cfg(feature = "mpi")]
    if let Some(session) = cli::mpi::start() {
        return on_ranks(&session, cli.command);
    }
    dispatch(cli.command)
}

/// Under `mpirun` (feature `mpi`): rank 0 runs the command, spreading the scenarios of
/// `solve --robust` and `stress` and the samples of `scenarios` over the other ranks,
/// which serve them (see [`cli::mpi`]).
#[cfg(feature = "mpi")]
fn on_ranks(session: &cli::mpi::Session, command: Command) -> ExitCode {
    if session.rank() == 0 {
        let spread = match &command {
            Command::Solve(args) => args.is_robust(),
            Command::Stress(_) | Command::Scenarios(_) => true,
            _ => false,
        };
        if spread {
            session.hub();
        }
        let code = dispatch(command);
        session.finish();
        return code;
    }
    match &command {
        Command::Solve(args) => cli::solve::serve_robust(args, session),
        Command::Stress(args) => cli::stress::serve(args, session),
        Command::Scenarios(_) => cli::scenarios::serve(session),
        _ => session.serve(&[]),
    }
    ExitCode::SUCCESS
}

/// Runs `command`; its exit code.
fn dispatch(command: Command) -> ExitCode {
    let outcome = match command {
        Command::Solve(args) => cli::solve::run(args),
        Command::Stress(args) => cli::stress::run(args),
        Command::Scenarios(args) => cli::scenarios::run(args),
        Command::Frontier(args) => cli::frontier::run(args),
        Command::Hedge(args) => cli::hedge::run(args),
        Command::Check(args) => cli::check::run(args),
        Command::Solvers(args) => cli::solvers::run(args),
        Command::Generate(args) => cli::generate::run(args),
        Command::Explain(args) => cli::explain::run(args),
        Command::Policy(args) => cli::policy::run(args),
        Command::Compare(args) => cli::compare::run(args),
        Command::Convert(args) => cli::convert::run(args),
        Command::Export(args) => cli::export::run(args),
        Command::Bench(args) => cli::bench::run(args),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
