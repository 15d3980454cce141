//! Arbitrary bytes, split at NUL into suppliers, demand, countries, constraints and
//! scenarios files: validation must never panic, and small valid models must solve.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../harness.rs"]
mod harness;

fuzz_target!(|data: &[u8]| {
    harness::load_and_solve(data);
});
