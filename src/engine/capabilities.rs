//! What a backend declares about itself: the one table callers ask instead of testing
//! which backend they hold.

use crate::engine::lp::Lp;

use super::options::BackendOptions;
use super::status::LpResult;
use super::warm::WarmLp;

/// What a backend supports. `sourcemix solvers` lists the first three (its output is a
/// contract); the others steer the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Capabilities {
    /// Integer (binary) variables.
    pub integers: bool,
    /// Row duals (shadow prices).
    pub duals: bool,
    /// A time limit.
    pub time_limit: bool,
    /// Second-order cones: HHI caps stated exactly in one solve (no tangent cuts).
    #[serde(skip)]
    pub cones: bool,
    /// Its LP optimum is an exact vertex; otherwise (an interior point) the engine
    /// polishes it into one.
    #[serde(skip)]
    pub vertices: bool,
    /// A model kept between solves and re-solved warm from the previous basis.
    #[serde(skip)]
    pub warm_start: bool,
    /// A relative MIP gap at which branch and bound may stop.
    #[serde(skip)]
    pub mip_gap: bool,
}

/// One backend as the registry holds it: its names, what it supports, how it solves.
pub(crate) struct Backend {
    /// The name `--solver` takes.
    pub name: &'static str,
    /// One line on what it is.
    pub description: &'static str,
    /// What it supports.
    pub capabilities: Capabilities,
    /// Solves an LP with at least one variable (integers only when it has them).
    pub solve: fn(&Lp, &BackendOptions) -> LpResult,
    /// Opens an empty model kept between solves (backends with `warm_start`).
    pub warm: Option<fn() -> Box<dyn WarmLp>>,
}
