//! Arbitrary bytes as one CSV file: the table reader must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sourcemix::error::InputErrors;
use sourcemix::input::table::{parse_table, Columns};

const COLUMNS: Columns = Columns {
    required: &["supplier", "mineral"],
    optional: &["capacity"],
};

fuzz_target!(|data: &[u8]| {
    let mut errors = InputErrors::default();
    let mut warnings = Vec::new();
    if let Some(table) = parse_table("f.csv", data, &COLUMNS, &mut errors, &mut warnings) {
        for r in &table.records {
            let _ = table.text(r, "supplier");
            let _ = table.number(
                r,
                "capacity",
                sourcemix::input::number::Domain::NonNegative,
                &mut errors,
            );
        }
    }
    let _ = errors.to_string();
});
