//! The engine over the backends: which backends this build has (the registry below,
//! the one place a backend's feature gate appears), what each declares it can do, and
//! one entry point that solves an `Lp` with any of them. One file per backend; beside
//! them the cones (`conic`), polishing, the one HHI cut loop (`cuts`), models kept warm
//! between solves (`warm`) and the choices between them (`route`: cones or cuts,
//! polishing, fallback). Nothing here imports a stage above the formulation.

mod adapter;
mod capabilities;
#[cfg(feature = "cbc")]
mod cbc;
mod clarabel;
pub(crate) mod conic;
pub(crate) mod cuts;
#[cfg(feature = "highs")]
mod highs;
pub(crate) mod lp;
mod microlp;
mod options;
pub(crate) mod polish;
pub(crate) mod route;
mod status;
#[cfg(test)]
mod tests;
pub(crate) mod warm;

use std::fmt;

use crate::engine::lp::Lp;

use capabilities::Backend;
pub use capabilities::Capabilities;
pub(crate) use microlp::solve_exact;
pub(crate) use options::BackendOptions;
pub use status::{FailureReason, Limit};
pub(crate) use status::{LpResult, LpStatus};

/// A backend compiled into this build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SolverKind {
    /// microlp: pure-Rust simplex with branch and bound (LP + MIP, no duals).
    Microlp,
    /// Clarabel: pure-Rust interior point (LP with duals, no integers).
    Clarabel,
    /// HiGHS: simplex/IPM and MIP in C++ (LP + MIP + duals), feature `highs`.
    #[cfg(feature = "highs")]
    Highs,
    /// CBC: COIN-OR simplex and branch and cut (LP + MIP, no duals), feature `cbc`.
    #[cfg(feature = "cbc")]
    Cbc,
}

impl SolverKind {
    /// Every backend in this build, in preference order for listing.
    pub fn all() -> Vec<SolverKind> {
        vec![
            #[cfg(feature = "highs")]
            SolverKind::Highs,
            SolverKind::Clarabel,
            SolverKind::Microlp,
            #[cfg(feature = "cbc")]
            SolverKind::Cbc,
        ]
    }

    /// The backend's registry entry.
    fn backend(self) -> &'static Backend {
        match self {
            SolverKind::Microlp => &microlp::BACKEND,
            SolverKind::Clarabel => &clarabel::BACKEND,
            #[cfg(feature = "highs")]
            SolverKind::Highs => &highs::BACKEND,
            #[cfg(feature = "cbc")]
            SolverKind::Cbc => &cbc::BACKEND,
        }
    }

    /// The name used by `--solver`.
    pub fn name(self) -> &'static str {
        self.backend().name
    }

    /// Parses a `--solver` name; the error lists the solvers of this build.
    pub fn from_name(name: &str) -> Result<SolverKind, String> {
        let lower = name.to_ascii_lowercase();
        if let Some(k) = SolverKind::all().into_iter().find(|k| k.name() == lower) {
            return Ok(k);
        }
        let hint = match lower.as_str() {
            "highs" => " (HiGHS is not compiled in: build with `--features highs`)",
            "cbc" => " (CBC is not compiled in: build with `--features cbc`)",
            _ => "",
        };
        Err(format!(
            "unknown solver {name:?}{hint}; this build has: auto, {}",
            SolverKind::all()
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }

    /// What this backend supports.
    pub fn capabilities(self) -> Capabilities {
        self.backend().capabilities
    }

    /// An empty model kept between solves, for a backend with warm starts.
    pub(crate) fn open_warm(self) -> Option<Box<dyn warm::WarmLp>> {
        self.backend().warm.map(|open| open())
    }

    /// One line on what the backend is.
    pub fn description(self) -> &'static str {
        self.backend().description
    }

    /// The backend `auto` picks for a block: the one place this rule is stated.
    ///
    /// Continuous blocks with HHI caps go to the backend with cones (Clarabel), which
    /// states the caps in one solve where any LP solver needs rounds of cuts (3-5x slower
    /// with HiGHS on 10k-100k offers). Otherwise, of the backends that handle the block,
    /// the first in listing order with duals (HiGHS when compiled in, else Clarabel for
    /// linear blocks: the fastest pure-Rust LP), else the first (microlp for integer
    /// rules).
    pub fn auto(needs_integers: bool, has_hhi_caps: bool) -> SolverKind {
        let all = SolverKind::all();
        let with_cones = all.iter().find(|k| k.capabilities().cones);
        if let (true, false, Some(&k)) = (has_hhi_caps, needs_integers, with_cones) {
            return k;
        }
        let able: Vec<SolverKind> = all
            .into_iter()
            .filter(|k| !needs_integers || k.capabilities().integers)
            .collect();
        let with_duals = able.iter().find(|k| k.capabilities().duals);
        *with_duals
            .or(able.first())
            .expect("every build has a backend for integer rules")
    }

    /// The `auto` rule in words, as `sourcemix solvers` prints it.
    pub fn auto_rule() -> String {
        format!(
            "auto: {} for linear models, {} for models with integer rules, {} for linear models with HHI caps (exact cones)",
            SolverKind::auto(false, false),
            SolverKind::auto(true, false),
            SolverKind::auto(false, true)
        )
    }
}

impl fmt::Display for SolverKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which backend to use: `auto`, or one by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SolverChoice {
    /// Per block: the fastest backend of this build that supports what the block needs.
    #[default]
    Auto,
    /// This backend for every block.
    Named(SolverKind),
}

impl SolverChoice {
    /// The backend this choice means for a problem that `needs_integers` and whose HHI
    /// caps (`cones`) an interior point would state exactly: the one function that
    /// resolves a choice. A named backend is returned as named (callers that need
    /// integers check its capabilities and word their own refusal).
    pub fn backend(self, needs_integers: bool, cones: bool) -> SolverKind {
        match self {
            SolverChoice::Auto => SolverKind::auto(needs_integers, cones),
            SolverChoice::Named(kind) => kind,
        }
    }
}

impl std::str::FromStr for SolverChoice {
    type Err = String;

    /// `auto` (any case) or a backend name of this build; the error lists the choices.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        if s.eq_ignore_ascii_case("auto") {
            Ok(SolverChoice::Auto)
        } else {
            SolverKind::from_name(s).map(SolverChoice::Named)
        }
    }
}

impl fmt::Display for SolverChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SolverChoice::Auto => f.write_str("auto"),
            SolverChoice::Named(kind) => kind.fmt(f),
        }
    }
}

/// One backend of this build, as `sourcemix solvers` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SolverInfo {
    /// The name `--solver` takes.
    pub name: &'static str,
    /// What it supports.
    pub capabilities: Capabilities,
    /// One line on what it is.
    pub description: &'static str,
}

/// Every backend of this build with its capabilities, in listing order.
pub fn catalog() -> Vec<SolverInfo> {
    SolverKind::all()
        .into_iter()
        .map(|k| SolverInfo {
            name: k.name(),
            capabilities: k.capabilities(),
            description: k.description(),
        })
        .collect()
}

/// Solves `lp` with `kind`. Callers check capabilities first; an integer model given
/// to a backend without integer support is refused here too, never passed on.
pub(crate) fn solve_lp(kind: SolverKind, lp: &Lp, opts: &BackendOptions) -> LpResult {
    if lp.has_integers() && !kind.capabilities().integers {
        return LpResult::failed(LpStatus::Failed(
            FailureReason::Unsupported,
            format!("{kind} cannot solve models with integer variables"),
        ));
    }
    adapter::without_variables(lp, opts).unwrap_or_else(|| (kind.backend().solve)(lp, opts))
}
