//! The soft rules a plan breaks, in words (`solve`'s text).

use std::fmt::Write;

use crate::analysis::soft::SoftBreak;

use super::words::amount;

/// One paragraph: each broken soft rule, by how much, its penalty and what keeping it
/// would cost; empty when none is broken.
pub fn render_soft_breaks(breaks: &[SoftBreak], by_priority: bool) -> String {
    if breaks.is_empty() {
        return String::new();
    }
    let total: f64 = breaks.iter().map(|b| b.violation_cost).sum();
    let mut out = format!(
        "{} (penalties {} in all, not in the total cost above):\n",
        match by_priority {
            true => "rules that gave way",
            false => "soft rules the plan breaks",
        },
        amount(total)
    );
    for b in breaks {
        let _ = writeln!(
            out,
            "  {} for {} (constraints.csv line {}{}): broken by {}, penalty {}{}",
            b.kind.rule_with_bound(&b.target, b.bound),
            b.mineral,
            b.line,
            b.priority
                .map(|p| format!(", priority {p}"))
                .unwrap_or_default(),
            points(b),
            amount(b.violation_cost),
            keeping(b, by_priority)
        );
    }
    out
}

/// "30 percentage points", "2 suppliers", "5 × 100 HHI points".
fn points(b: &SoftBreak) -> String {
    let v = crate::write::numbers::plain(b.violation);
    match b.kind.point().map(|p| p.words) {
        Some(w) if w.starts_with(|c: char| c.is_ascii_digit()) => format!("{v} × {w}"),
        Some("country") if b.violation != 1.0 => format!("{v} countries"),
        Some(w) if b.violation != 1.0 => format!("{v} {w}s"),
        Some(w) => format!("{v} {w}"),
        None => v,
    }
}

/// "; keeping it would cost 1770 more", or why it cannot be kept.
fn keeping(b: &SoftBreak, by_priority: bool) -> String {
    match (b.keep_cost, b.cannot_keep, by_priority) {
        (_, _, true) => String::new(),
        (Some(k), _, _) => format!("; keeping it would cost {} more", amount(k)),
        (None, true, _) => format!(
            "; it cannot be kept: with it hard, {} has no plan",
            b.mineral
        ),
        (None, false, _) => String::new(),
    }
}

/// `explain`'s notes on soft rows (never moved: they break at their penalty) and, for a
/// model without a plan, on priorities (`solve --by-priority` lets lower tiers give way).
pub fn soft_notes(model: &crate::model::Model, feasible: bool) -> Vec<String> {
    let soft = model
        .policy
        .iter()
        .filter(|r| r.soft.penalty.is_some())
        .count();
    let tiers = model
        .policy
        .iter()
        .filter(|r| r.soft.penalty.is_none() && r.soft.priority.is_some())
        .count();
    let mut notes = Vec::new();
    if soft > 0 {
        notes.push(match soft {
            1 => "1 soft rule (with a penalty) never moves here: a plan may break it at its penalty".into(),
            n => format!("{n} soft rules (with a penalty) never move here: a plan may break them at their penalties"),
        });
    }
    if tiers > 0 && !feasible {
        notes.push(format!(
            "{tiers} rule{} with a priority and no penalty {} hard here; solve --by-priority lets the lower tiers give way instead",
            if tiers == 1 { "" } else { "s" },
            if tiers == 1 { "is" } else { "are" }
        ));
    }
    notes
}
