//! Times reading and validating a model folder (the read phase of every command).
//!
//! ```sh
//! cargo run --release --example read_model -- MODEL_DIR [RUNS]
//! ```
//!
//! Prints the wall seconds of each run and the offers read; used for the reading figures
//! in benches/RESULTS.md.

// With the `python` feature the library declares the same allocator.
#[cfg(not(feature = "python"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().expect("usage: read_model MODEL_DIR [RUNS]"));
    let runs: usize = args
        .next()
        .map_or(5, |r| r.parse().expect("RUNS is a number"));
    for _ in 0..runs {
        let t = std::time::Instant::now();
        let model = sourcemix::input::load_model(&dir).expect("the model loads");
        let secs = t.elapsed().as_secs_f64();
        println!("{secs:.3} s, {} offers", model.offers.len());
    }
}
