//! Arbitrary bytes as a model workbook (xlsx): reading must never panic, and a readable
//! workbook's sheets are validated, and solved when small, like a model folder.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../harness.rs"]
mod harness;

fuzz_target!(|data: &[u8]| {
    harness::xlsx_model(data);
});
