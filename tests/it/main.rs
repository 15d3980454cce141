//! The integration tests, as one test crate (one binary to build and link): each module
//! is one area, all sharing the harness and model writer in `common`.

mod common;
/// The fuzz targets' harness (fuzz/harness.rs), replayed on the corpus and seeds.
#[path = "../../fuzz/harness.rs"]
mod harness;

mod aggregate;
mod bench;
mod bundle_analyses;
mod bundles;
mod clean_numbers;
mod cli;
mod compare;
mod concentration;
mod export;
mod faults;
mod frontier;
mod fuzz_regressions;
mod hand_solved;
mod integer_rules;
mod interrupt;
mod json_schema;
mod layers;
mod libreoffice;
mod numeric;
mod plan;
mod policy_cost;
mod presets;
mod priority_bundles;
mod properties;
mod ranging;
mod reader;
mod readme_examples;
mod report;
mod report_page;
mod result_files;
mod robust;
mod robust_bundles;
mod robust_columns;
mod robust_stock;
mod sampling;
mod soft;
mod spreadsheets;
mod stage_disruptions;
mod stage_frontier_file;
mod staged_models;
mod stages;
mod stock_days;
mod stress;
mod tiers;
mod top_share;
mod value_share_units;
