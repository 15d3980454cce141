//! One library entry point per command of the `sourcemix` binary, one file each: typed
//! options in, typed results out; each reads the model, calls the analysis, and writes
//! its files. Options are validated once, by the analysis they configure.

mod check;
mod explain;
mod frontier;
mod policy;
mod robust;
mod scenarios;
mod solve;
mod stress;

pub use check::*;
pub use explain::*;
pub use frontier::*;
pub use policy::*;
pub use robust::*;
pub use scenarios::*;
pub use solve::*;
pub use stress::*;
