//! Criterion benchmarks: reading, formulating, solving and reporting (building the report
//! and formatting its CSV files, without the disk) on generated models.
//!
//! `cargo bench` runs the small and medium sizes; set `SOURCEMIX_BENCH_LARGE=1` to add the
//! 100k-offer × 10-mineral and 50k-offer × 1-mineral models of the performance targets
//! (slow under criterion's repetitions: `benches/harness.sh` times them end to end).

use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use sourcemix::engine::SolverKind;
use sourcemix::formulate::formulate;
use sourcemix::input::load_model;
use sourcemix::plan::solve_plan;
use sourcemix::report::{build_report, csv_files, ConstraintRow};
use sourcemix::solve::{solve, SolveOptions, SolverChoice};
use sourcemix::tools::generate::{generate, GenerateOptions};
use sourcemix::write::numbers::plain;
use sourcemix::write::CsvOut;

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
            b.iter(|| {
                (0..model.minerals.len())
                    .map(|m| formulate(&model, m).expect("formulates").lp.rows.len())
                    .sum::<usize>()
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
                b.iter(|| solve(&model, &opts).expect("solves").cost())
            });
        }
        g.finish();
    }
}

/// The own CSV writer against the csv crate's `Writer` (with the same plain-decimal
/// numbers) on constraints.csv rows: the figure that keeps `write::CsvOut`.
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
        b.iter(|| {
            let mut w = CsvOut::lines(rows.len() * 64);
            w.rows(&rows, |w, r| {
                w.text(r.constraint).text(&r.mineral).text(&r.target);
                w.num(r.bound).num(r.value).num(r.slack);
                w.text(if r.binding { "true" } else { "false" });
                w.opt(r.shadow_price);
                w.end();
            });
            w.finish().len()
        })
    });
    g.bench_function(BenchmarkId::new("csv_crate", rows.len()), |b| {
        b.iter(|| {
            let mut w = csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(Vec::with_capacity(rows.len() * 64));
            for r in &rows {
                let shadow = r.shadow_price.map(plain).unwrap_or_default();
                w.write_record([
                    r.constraint,
                    &r.mineral,
                    &r.target,
                    &plain(r.bound),
                    &plain(r.value),
                    &plain(r.slack),
                    if r.binding { "true" } else { "false" },
                    &shadow,
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
