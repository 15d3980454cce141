//! Where an analysis's independent pieces of work run: in this process, in parallel (the
//! default), or spread over processes by a [`Spread`] the binary installs (MPI, feature
//! `mpi`, README "Across machines: MPI"). Three jobs use it ([`Job`]): the robust
//! solve's scenario evaluations, `stress`'s scenarios and `scenarios`' sample chunks.
//!
//! Pieces go to ranks in contiguous blocks in order ([`block`]); each rank returns its
//! block's results as plain `f64`s (bit for bit), and the hub concatenates them in rank
//! order, so the caller gets the numbers one process computes, in the same order, and
//! combines them as one process does: a run writes the same bytes however many processes
//! share the work.

use std::ops::Range;
use std::sync::OnceLock;

/// What a spread evaluation computes (its code travels first in every request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// The robust solve's scenario values at a plan (`solve --robust`).
    Robust,
    /// `stress`'s rows of each scenario for a plan (also the stress files of
    /// `solve --robust`).
    Stress,
    /// `scenarios`' sampled disruption patterns, chunk by chunk.
    Sampling,
}

impl Job {
    /// Every job, in code order.
    pub const ALL: [Job; 3] = [Job::Robust, Job::Stress, Job::Sampling];

    /// The job's name in the hub's timings: robust, stress, sampling.
    pub fn name(self) -> &'static str {
        match self {
            Job::Robust => "robust",
            Job::Stress => "stress",
            Job::Sampling => "sampling",
        }
    }

    /// The job's place in [`Job::ALL`].
    pub fn index(self) -> usize {
        self.code() as usize - 1
    }

    /// The job's code in a request.
    pub fn code(self) -> f64 {
        match self {
            Job::Robust => 1.0,
            Job::Stress => 2.0,
            Job::Sampling => 3.0,
        }
    }

    /// The job a request's code names.
    pub fn from_code(code: f64) -> Option<Job> {
        Job::ALL.into_iter().find(|j| j.code() == code)
    }

    /// What a lost rank stops, for the hub's message ("… cannot finish without its …").
    pub fn stopped(self) -> &'static str {
        match self {
            Job::Robust => "the robust solve cannot finish without its scenarios",
            Job::Stress => "stress cannot finish without its scenarios",
            Job::Sampling => "the sampling cannot finish without its samples",
        }
    }

    /// The job's pieces, in words ("scenarios", "samples").
    pub fn pieces(self) -> &'static str {
        match self {
            Job::Robust | Job::Stress => "scenarios",
            Job::Sampling => "samples",
        }
    }
}

/// Spreads a job's pieces over processes.
pub trait Spread: Send + Sync {
    /// The encoded results of pieces `0..count` of `job` for `payload` (a plan, or what a
    /// sample needs), in piece order; `local` computes a range here.
    fn gather(
        &self,
        job: Job,
        payload: &[f64],
        count: usize,
        local: &dyn Fn(Range<usize>) -> Vec<f64>,
    ) -> Vec<f64>;
}

/// What a process that only computes pieces (an MPI rank other than the hub) answers for
/// one job.
pub trait Answer {
    /// The job it answers.
    fn job(&self) -> Job;

    /// The encoded results of pieces `range` of `count` for `payload`; `None` when this
    /// process's problem is not the hub's (another model, scenarios or options).
    fn answer(&self, payload: &[f64], count: usize, range: Range<usize>) -> Option<Vec<f64>>;
}

static INSTALLED: OnceLock<Box<dyn Spread>> = OnceLock::new();

/// Makes every later spreadable job of this process run through `spread`; false when one
/// was installed already (it stays).
pub fn install(spread: Box<dyn Spread>) -> bool {
    INSTALLED.set(spread).is_ok()
}

/// The installed spread, if any.
pub(crate) fn installed() -> Option<&'static dyn Spread> {
    INSTALLED.get().map(|b| &**b)
}

/// The pieces of rank `rank` among `ranks`: the `rank`-th of `ranks` contiguous blocks
/// whose sizes differ by at most one (the first `count % ranks` one larger).
pub fn block(count: usize, ranks: usize, rank: usize) -> Range<usize> {
    let ranks = ranks.max(1);
    let (base, extra) = (count / ranks, count % ranks);
    let start = rank * base + rank.min(extra);
    start..start + base + usize::from(rank < extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_cover_every_piece_once_in_order() {
        for count in 0..40 {
            for ranks in 1..9 {
                let all: Vec<usize> = (0..ranks).flat_map(|r| block(count, ranks, r)).collect();
                assert_eq!(all, (0..count).collect::<Vec<_>>(), "{count} over {ranks}");
                let sizes: Vec<usize> = (0..ranks).map(|r| block(count, ranks, r).len()).collect();
                assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1);
            }
        }
    }

    #[test]
    fn job_codes_round_trip() {
        for (k, job) in Job::ALL.into_iter().enumerate() {
            assert_eq!(Job::from_code(job.code()), Some(job));
            assert_eq!(job.index(), k);
        }
        assert_eq!(Job::from_code(0.0), None);
        assert_eq!(Job::from_code(f64::NAN), None);
    }
}
