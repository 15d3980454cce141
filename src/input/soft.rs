//! constraints.csv's optional `penalty` and `priority` cells: how a policy row may give
//! way (see [`crate::model::Soft`]).

use super::number::Domain;
use super::table::{parse_number_cell, Record, Table};
use crate::error::{InputErrors, InputIssue};
use crate::model::Soft;
use crate::policy::Kind;

/// The `penalty` and `priority` cells of a `kind` row; `None` when one is bad (reported).
pub(crate) fn read(
    kind: Kind,
    table: &Table,
    r: &Record,
    errors: &mut InputErrors,
) -> Option<Soft> {
    let penalty = table
        .optional_number(r, "penalty", Domain::NonNegative, errors)
        .ok()?;
    let priority = priority(table, r, errors)?;
    let soft = Soft {
        penalty,
        priority,
        by_priority: false,
    };
    let refused = kind.is_exclusion()
        || kind.holds_at_zero()
        || kind.needs_stock()
        || kind.spans_all_offers();
    if soft.is_used() && refused {
        let column = if penalty.is_some() {
            "penalty"
        } else {
            "priority"
        };
        errors.push(InputIssue::cell(
            &table.file,
            r.line,
            column,
            table.text(r, column),
            format!(
                "cannot make {} soft ({}); expected an empty cell",
                kind.name(),
                if kind.is_exclusion() {
                    "an exclusion has no bound to break by a point"
                } else if kind.needs_stock() {
                    "a minimum stock is stated on the stock column, which has no violation yet"
                } else if kind.spans_all_offers() {
                    "a value share's bound is in its coefficients, which have no violation yet"
                } else {
                    "a share that is 0 or at least its bound has no violation in points yet"
                }
            ),
        ));
        return None;
    }
    Some(soft)
}

/// The `priority` cell: empty, or a whole number ≥ 1.
fn priority(table: &Table, r: &Record, errors: &mut InputErrors) -> Option<Option<u32>> {
    let text = table.text(r, "priority");
    if text.is_empty() {
        return Some(None);
    }
    match parse_number_cell(text, table.decimal_comma, Domain::Count) {
        Ok(v) if (1.0..=1e6).contains(&v) => Some(Some(v as u32)),
        _ => {
            errors.push(InputIssue::cell(
                &table.file,
                r.line,
                "priority",
                text,
                "is not a priority; expected a whole number ≥ 1 (1 = most important)",
            ));
            None
        }
    }
}
