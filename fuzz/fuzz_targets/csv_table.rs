//! Arbitrary bytes as one CSV file: the table reader must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../harness.rs"]
mod harness;

fuzz_target!(|data: &[u8]| {
    harness::csv_table(data);
});
