//! Soft rules and priorities of a policy row (constraints.csv's `penalty` and
//! `priority` columns): whether the row may be broken, at what price per point, and in
//! which tier `solve --by-priority` keeps it.

/// How a policy row may give way. The default is a hard row.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Soft {
    /// Cost per point of violation (the rule's per-point unit); `None`: no penalty.
    pub penalty: Option<f64>,
    /// The row's tier for `solve --by-priority` (1 = most important); `None`: none.
    pub priority: Option<u32>,
    /// True when the row may be broken in this run: it has a penalty, or a priority
    /// under `--by-priority` ([`Soft::elastic`] is the only reader).
    pub by_priority: bool,
}

impl Soft {
    /// True when the row may be broken in this run (it gets a violation variable).
    pub fn elastic(&self) -> bool {
        self.penalty.is_some() || (self.by_priority && self.priority.is_some())
    }

    /// The cost per point of violation in the objective (0 for a row that only has a
    /// priority).
    pub fn cost_per_point(&self) -> f64 {
        self.penalty.unwrap_or(0.0)
    }

    /// The row's weight in its tier's total violation: its penalty, or 1 without one.
    pub fn tier_weight(&self) -> f64 {
        self.penalty.unwrap_or(1.0)
    }

    /// True when the row names a penalty or a priority (the model uses soft columns).
    pub fn is_used(&self) -> bool {
        self.penalty.is_some() || self.priority.is_some()
    }
}
