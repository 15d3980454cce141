//! Criterion benchmarks: reading, formulating, solving and reporting (building the report
//! and formatting its CSV files, without the disk) on generated models, through the
//! library's public API: formulating is the time a solve reports for building its blocks
//! (`Plan::build_wall_secs`), solving is `solve_plan` (the solve and its plan stage).
//!
//! `cargo bench` runs the small and medium sizes; set `SOURCEMIX_BENCH_LARGE=1` to add the
//! 100k-offer × 10-mineral and 50k-offer × 1-mineral models of the performance targets
//! (slow under criterion's repetitions: `benches/harness.sh` times them end to end).

use std::path::Path;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use sourcemix::engine::SolverKind;
use sourcemix::input::load_model;
use sourcemix::plan::solve_plan;
use sourcemix::report::{
    build_report, csv_files, Cells, ConstraintRow, Dialect, Table, CONSTRAINTS_COLUMNS,
};
use sourcemix::solve::{SolveOptions, SolverChoice};
use sourcemix::tools::generate::{generate, GenerateOptions};

fn sizes() -> Vec<(usize, usize)> {
    let mut s = vec![(1_000, 10), (10_000, 10)];
    if std::env::var_os("SOURCEMIX_BENCH_LARGE").is_some() {
        s.push((100_000, 10));
        s.push((50_000, 1));
    }
    s
}

fn model_dir(root: &Path, offers: usize, minerals: usize) -> std::path::PathBuf {
    let dir = root.join(format!("gen-{offers}x{minerals}"));
    generate(
        &dir,
        &GenerateOptions {
            minerals,
            offers,
            seed: 7,
            ..GenerateOptions::default()
        },
    )
    .expect("generate a benchmark model");
    dir
}

fn benches(c: &mut Criterion) {
    let root = tempfile::tempdir().expect("temp dir");
    for (offers, minerals) in sizes() {
        let dir = model_dir(root.path(), offers, minerals);
        let label = format!("{offers}x{minerals}");
        let model = load_model(&dir).expect("generated model loads");

        let mut g = c.benchmark_group("phases");
        g.sample_size(10);
        g.bench_function(BenchmarkId::new("read", &label), |b| {
            b.iter(|| load_model(&dir).expect("loads"))
        });
        g.bench_function(BenchmarkId::new("build", &label), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        let plan = solve_plan(&model, &SolveOptions::default()).expect("solves");
                        Duration::from_secs_f64(plan.build_wall_secs)
                    })
                    .sum()
            })
        });
        let planned = solve_plan(&model, &SolveOptions::default()).expect("solves");
        g.bench_function(BenchmarkId::new("report", &label), |b| {
            b.iter(|| {
                let report = build_report(&model, &planned);
                csv_files(&report)
                    .iter()
                    .map(|(_, bytes)| bytes.len())
                    .sum::<usize>()
            })
        });
        for kind in SolverKind::all() {
            if kind == SolverKind::Microlp && offers > 10_000 {
                continue;
            }
            let opts = SolveOptions {
                solver: SolverChoice::Named(kind),
                ..SolveOptions::default()
            };
            g.bench_function(BenchmarkId::new(format!("solve/{kind}"), &label), |b| {
                b.iter(|| solve_plan(&model, &opts).expect("solves").cost())
            });
        }
        g.finish();
    }
}

/// The own CSV writer (a `report::Table` written as CSV, over `write::CsvOut`) against
/// the csv crate's `Writer` (numbers as Rust prints them) on constraints.csv rows: the
/// figure that keeps `write::CsvOut`.
fn writers(c: &mut Criterion) {
    let root = tempfile::tempdir().expect("temp dir");
    let dir = model_dir(root.path(), 10_000, 10);
    let model = load_model(&dir).expect("generated model loads");
    let planned = solve_plan(&model, &SolveOptions::default()).expect("solves");
    let report = build_report(&model, &planned);
    // Ten copies: about as many rows as the 100k-offer model's constraints.csv.
    let rows: Vec<&ConstraintRow> = (0..10).flat_map(|_| report.constraints()).collect();
    let mut g = c.benchmark_group("csv_writer");
    g.sample_size(20);
    g.bench_function(BenchmarkId::new("own", rows.len()), |b| {
        let table = Table::new("constraints", CONSTRAINTS_COLUMNS, rows.len(), |k, c| {
            let r = rows[k];
            c.text(r.constraint).text(&r.mineral).text(&r.target);
            c.num(r.bound).num(r.value).num(r.slack);
            c.flag(r.binding);
            c.opt(r.shadow_price).opt(r.shadow_price_per_point);
            c.end();
        });
        b.iter(|| table.to_csv(Dialect::Rfc4180).len())
    });
    g.bench_function(BenchmarkId::new("csv_crate", rows.len()), |b| {
        b.iter(|| {
            let mut w = csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(Vec::with_capacity(rows.len() * 64));
            for r in &rows {
                let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
                w.write_record([
                    r.constraint,
                    &r.mineral,
                    &r.target,
                    &r.bound.to_string(),
                    &r.value.to_string(),
                    &r.slack.to_string(),
                    if r.binding { "true" } else { "false" },
                    &opt(r.shadow_price),
                    &opt(r.shadow_price_per_point),
                ])
                .expect("writes to memory");
            }
            w.into_inner().expect("flushes").len()
        })
    });
    g.finish();
}

criterion_group!(solve_benches, benches, writers);
criterion_main!(solve_benches);
