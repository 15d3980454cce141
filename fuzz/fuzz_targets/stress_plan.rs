//! Arbitrary bytes as a `stress` plan file (optionally followed, after a NUL byte, by a
//! scenarios file) against a fixed model: reading never panics, and accepted plans are
//! stressed into balanced rows.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../harness.rs"]
mod harness;

fuzz_target!(|data: &[u8]| {
    harness::plan_and_stress(data);
});
