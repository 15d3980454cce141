//! What a caller asks of one backend solve.

/// Options passed to a backend for one solve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackendOptions {
    /// Wall-clock limit for this solve, seconds.
    pub time_limit_secs: Option<f64>,
    /// Relative MIP gap at which branch and bound may stop.
    pub mip_gap: f64,
    /// Whether to compute row duals (callers ask only for continuous problems on
    /// backends that have them).
    pub duals: bool,
}
