//! Numerical tolerances, in one place. Shares and indices are fractions of demand.

/// Quantities below this fraction of the mineral's demand are solver dust and set to 0
/// (interior-point solvers leave ~1e-10 on every offer).
pub const DUST_SHARE: f64 = 1e-9;

/// A plan may miss a row's bound by at most this much (in the bound's units: a share,
/// an index) before it is treated as violated.
pub const FEASIBILITY: f64 = 1e-7;

/// A row whose value is within this of its bound is reported as binding.
pub const BINDING: f64 = 1e-7;
