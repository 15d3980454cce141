//! `--report FILE.html`: one self-contained page a planner can send. No script, font or
//! image is fetched (a Content-Security-Policy of `default-src 'none'` says so to the
//! browser); charts are inline SVG drawn with plotters; every number that a CSV file also
//! holds is that file's cell, formatted by the same writer; it prints on A4.
//!
//! `page.rs` the document around the sections, `sections.rs` the parts every page is made
//! of, `pages.rs` one page per command, `chart.rs` the per-mineral country chart,
//! `table.rs` result tables as the CSV writes them, `hashes.rs` the input files' SHA-256,
//! `escape.rs` text made safe for HTML.

mod chart;
mod escape;
mod hashes;
mod page;
mod pages;
mod sections;
mod table;
#[cfg(test)]
mod tests;

pub use chart::BAR_FILL;
pub use hashes::{input_files, sha256_hex, InputFile};
pub use pages::{frontier_page, hedge_page, policy_page, robust_page, solve_page, stress_page};
