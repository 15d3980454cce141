//! `mpirun -n K sourcemix solve MODEL --robust …`, `stress …` and `scenarios …` (feature
//! `mpi`): rank 0 is the hub, the other ranks evaluate scenarios or draw samples (README
//! "Across machines: MPI").
//!
//! Every rank parses the same arguments. Rank 0 runs the command as one process would,
//! with a [`Spread`] installed: each spread job (a plan to evaluate, the samples to
//! draw; [`Job`]) sends its request to every rank, computes its own block, and gathers
//! the others' results (point to point, in rank order), so the hub combines them in
//! scenario order and writes the same bytes as one process. The other ranks read the
//! model and scenarios themselves (`scenarios` needs none: the request carries the
//! draw), answer requests until rank 0 says stop, and never write.
//!
//! A rank lost: the world communicator returns errors (`MPI_ERRORS_RETURN`) instead of
//! aborting, and the hub waits for an answer at most `SOURCEMIX_MPI_TIMEOUT` seconds
//! (default 300) or 20 times its own block's time, whichever is longer. Then it says
//! which rank, writes nothing and exits 4. (When a rank is killed, OpenMPI's `mpirun`
//! itself ends the job first, SIGTERM to every rank: rank 0 then exits 143, "no partial
//! result file is left behind", and mpirun names the rank.)

use std::ffi::c_int;
use std::ops::Range;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mpi::datatype::Equivalence;
use mpi::environment::Universe;
use mpi::ffi;
use mpi::point_to_point::MatchedReceiveVec;
use mpi::raw::AsRaw;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use mpi::Threading;
use sourcemix::analysis::spread::{block, install, Answer, Job, Spread};

/// A request: [job code, pieces, payload (a plan, or the draw)…].
const TAG_REQUEST: i32 = 11;
/// Results of a rank's block: [status, numbers…] (status 0: answered).
const TAG_RESULTS: i32 = 12;
/// No more requests.
const TAG_STOP: i32 = 13;

/// Status of an answer from a rank that cannot answer the request it was sent.
const CANNOT: f64 = 1.0;

/// What the hub measured for one job, printed at the end when `SOURCEMIX_MPI_TIMINGS` is
/// set (the scaling account of benches/RESULTS.md).
struct Stats {
    /// Requests (robust: each round's, the incumbent's and the final plans; stress: one
    /// per plan; scenarios: one).
    gathers: usize,
    /// Seconds in them, from the first send to the last answer.
    gather_secs: f64,
    /// Seconds of the hub's own block.
    own_secs: f64,
    /// Numbers sent (requests) and received (results), 8 bytes each.
    sent: usize,
    received: usize,
}

impl Stats {
    /// Nothing measured yet.
    const NONE: Stats = Stats {
        gathers: 0,
        gather_secs: 0.0,
        own_secs: 0.0,
        sent: 0,
        received: 0,
    };
}

/// Each job's [`Stats`], in [`Job::ALL`] order.
static STATS: Mutex<[Stats; 3]> = Mutex::new([Stats::NONE; 3]);

/// Exit code of a run that lost a rank (SPEC §5: the solver failed).
const LOST_EXIT: u8 = 4;

/// This process's part in an MPI job.
pub struct Session {
    _universe: Universe,
    world: SimpleCommunicator,
}

/// MPI from `mpirun` (or another launcher): none when the process was started alone,
/// which then runs exactly as the default build.
pub fn start() -> Option<Session> {
    let launched = ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"]
        .iter()
        .any(|v| std::env::var_os(v).is_some());
    if !launched {
        return None;
    }
    let (universe, threading) = mpi::initialize_with_threading(Threading::Serialized)?;
    if threading < Threading::Serialized {
        eprintln!(
            "warning: the MPI library offers no serialized threading; running on rank 0 alone"
        );
    }
    let world = universe.world();
    // SAFETY: the world communicator is valid after MPI_Init; MPI_ERRORS_RETURN is a
    // predefined handle.
    unsafe { ffi::MPI_Comm_set_errhandler(world.as_raw(), ffi::RSMPI_ERRORS_RETURN) };
    if threading < Threading::Serialized {
        return None;
    }
    Some(Session {
        _universe: universe,
        world,
    })
}

impl Session {
    /// This rank.
    pub fn rank(&self) -> usize {
        self.world.rank() as usize
    }

    /// Ranks in the job.
    pub fn size(&self) -> usize {
        self.world.size() as usize
    }

    /// On rank 0 of a job of more than one: spreads the robust solve's, `stress`'s and
    /// `scenarios`' pieces.
    pub fn hub(&self) {
        if self.size() > 1 {
            let hub = Hub {
                comm: Mutex::new(RawComm(self.world.as_raw())),
                size: self.size(),
                floor: timeout_floor(),
            };
            install(Box::new(hub));
        }
    }

    /// On rank 0 at the end: tells every other rank to stop (errors ignored: a rank
    /// already gone needs no word).
    pub fn finish(&self) {
        if self.size() > 1 && std::env::var_os("SOURCEMIX_MPI_TIMINGS").is_some() {
            let stats = STATS.lock().unwrap_or_else(|e| e.into_inner());
            for (job, s) in Job::ALL.iter().zip(stats.iter()) {
                if s.gathers == 0 {
                    continue;
                }
                eprintln!(
                    "mpi timings: ranks {}, job {}, evaluations {}, evaluation wall {:.6} s, hub's own block {:.6} s, sent {} bytes, received {} bytes",
                    self.size(),
                    job.name(),
                    s.gathers,
                    s.gather_secs,
                    s.own_secs,
                    8 * s.sent,
                    8 * s.received
                );
            }
        }
        for r in 1..self.size() {
            let stop: [f64; 0] = [];
            // SAFETY: a valid, empty buffer on the world communicator.
            unsafe { send(self.world.as_raw(), r, TAG_STOP, &stop) };
        }
    }

    /// On another rank: answers each request with the results of this rank's block
    /// from the one of `answers` for its job (or with "cannot" without one) until rank 0
    /// says stop.
    pub fn serve(&self, answers: &[&dyn Answer]) {
        let hub = self.world.process_at_rank(0);
        loop {
            let (buffer, status) =
                wait(|| hub.immediate_matched_probe()).matched_receive_vec::<f64>();
            if status.tag() != TAG_REQUEST {
                return;
            }
            let answer = answer(answers, &buffer, self.size(), self.rank());
            hub.send_with_tag(&answer[..], TAG_RESULTS);
        }
    }
}

/// The answer to a request: status 0 and the results of this rank's block, or
/// [`CANNOT`] when no answer is for its job or that answer's problem is not the hub's.
fn answer(answers: &[&dyn Answer], buffer: &[f64], size: usize, rank: usize) -> Vec<f64> {
    let [code, count, payload @ ..] = buffer else {
        return vec![CANNOT];
    };
    let job = Job::from_code(*code);
    let count = *count as usize;
    let results = answers
        .iter()
        .find(|a| Some(a.job()) == job)
        .and_then(|a| a.answer(payload, count, block(count, size, rank)));
    match results {
        Some(results) => std::iter::once(0.0).chain(results).collect(),
        None => vec![CANNOT],
    }
}

/// Polls `probe` until it finds a message, sleeping a little longer each time (up to a
/// millisecond): a blocking MPI wait spins a core, which an oversubscribed job lacks.
fn wait<T>(mut probe: impl FnMut() -> Option<T>) -> T {
    let mut pause = Duration::from_micros(20);
    loop {
        if let Some(found) = probe() {
            return found;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(1));
    }
}

/// `SOURCEMIX_MPI_TIMEOUT` in seconds, 300 when unset or not a positive number.
fn timeout_floor() -> Duration {
    std::env::var("SOURCEMIX_MPI_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(Duration::from_secs(300), Duration::from_secs_f64)
}

/// The world communicator's handle, used by one thread at a time (the hub's lock).
struct RawComm(ffi::MPI_Comm);

// SAFETY: MPI was initialized with MPI_THREAD_SERIALIZED and every call through the
// handle holds the hub's lock.
unsafe impl Send for RawComm {}

/// Rank 0's side of the evaluations.
struct Hub {
    comm: Mutex<RawComm>,
    size: usize,
    floor: Duration,
}

/// Sends `buffer` to `rank`; the MPI error code (0: sent).
///
/// # Safety
/// `comm` is a valid communicator; MPI calls are serialized.
unsafe fn send(comm: ffi::MPI_Comm, rank: usize, tag: i32, buffer: &[f64]) -> c_int {
    ffi::MPI_Send(
        buffer.as_ptr().cast(),
        buffer.len() as c_int,
        f64::equivalent_datatype().as_raw(),
        rank as c_int,
        tag,
        comm,
    )
}

/// Starts sending `buffer` to `rank`; the request, or the MPI error code.
///
/// # Safety
/// As [`send`], and `buffer` outlives the request.
unsafe fn start_send(
    comm: ffi::MPI_Comm,
    rank: usize,
    tag: i32,
    buffer: &[f64],
) -> Result<ffi::MPI_Request, c_int> {
    let mut request: ffi::MPI_Request = std::mem::zeroed();
    let code = ffi::MPI_Isend(
        buffer.as_ptr().cast(),
        buffer.len() as c_int,
        f64::equivalent_datatype().as_raw(),
        rank as c_int,
        tag,
        comm,
        &mut request,
    );
    if code != 0 {
        return Err(code);
    }
    Ok(request)
}

/// True once `request` has completed; the MPI error code on failure.
///
/// # Safety
/// `request` came from [`start_send`] and has not completed yet.
unsafe fn sent(request: &mut ffi::MPI_Request) -> Result<bool, c_int> {
    let mut status: ffi::MPI_Status = std::mem::zeroed();
    let mut flag: c_int = 0;
    match ffi::MPI_Test(request, &mut flag, &mut status) {
        0 => Ok(flag != 0),
        code => Err(code),
    }
}

/// The values message from `rank`, if one has arrived; an MPI error code on failure.
///
/// # Safety
/// As [`send`].
unsafe fn try_receive(comm: ffi::MPI_Comm, rank: usize) -> Result<Option<Vec<f64>>, c_int> {
    let mut status: ffi::MPI_Status = std::mem::zeroed();
    let mut flag: c_int = 0;
    let dtype = f64::equivalent_datatype().as_raw();
    let code = ffi::MPI_Iprobe(rank as c_int, TAG_RESULTS, comm, &mut flag, &mut status);
    if code != 0 {
        return Err(code);
    }
    if flag == 0 {
        return Ok(None);
    }
    let mut count: c_int = 0;
    ffi::MPI_Get_count(&status, dtype, &mut count);
    let mut buffer = vec![0.0f64; count.max(0) as usize];
    let code = ffi::MPI_Recv(
        buffer.as_mut_ptr().cast(),
        count,
        dtype,
        rank as c_int,
        TAG_RESULTS,
        comm,
        &mut status,
    );
    if code != 0 {
        return Err(code);
    }
    Ok(Some(buffer))
}

impl Hub {
    /// Ends the run: rank `rank` did not answer (`what`), so `job` cannot finish and
    /// nothing is written, and the MPI job is aborted (the other ranks would wait for
    /// requests forever; `mpirun` may have been told not to end a job when one rank
    /// exits).
    fn lost(&self, rank: usize, job: Job, what: &str) -> ! {
        let _guard = sourcemix::commands::stop_writing();
        eprintln!(
            "error: MPI rank {rank} of {} {what}; {}, so no result file is written",
            self.size,
            job.stopped()
        );
        // SAFETY: MPI is initialized; MPI_Abort ends every process of the job.
        unsafe { ffi::MPI_Abort(ffi::RSMPI_COMM_WORLD, c_int::from(LOST_EXIT)) };
        std::process::exit(i32::from(LOST_EXIT))
    }

    /// Ends the run when `deadline` has passed: `rank` did not answer in `limit`.
    fn check(&self, rank: usize, job: Job, deadline: Instant, limit: Duration) {
        if Instant::now() > deadline {
            self.lost(
                rank,
                job,
                &format!(
                    "did not answer within {:.0} s (SOURCEMIX_MPI_TIMEOUT)",
                    limit.as_secs_f64()
                ),
            );
        }
    }

    /// Waits until the request sent to `rank` by `request` is delivered and `rank`'s
    /// answer has arrived, at most until `deadline`; its results (status stripped).
    fn receive(
        &self,
        comm: ffi::MPI_Comm,
        (rank, job): (usize, Job),
        request: &mut ffi::MPI_Request,
        (deadline, limit): (Instant, Duration),
    ) -> Vec<f64> {
        // SAFETY (both polls): the hub's lock is held by the caller; the request is
        // tested until it completes, and only then is the answer probed.
        wait(|| match unsafe { sent(request) } {
            Ok(true) => Some(()),
            Ok(false) => {
                self.check(rank, job, deadline, limit);
                None
            }
            Err(code) => self.lost(
                rank,
                job,
                &format!("could not be sent the request (MPI error {code})"),
            ),
        });
        let found = wait(|| match unsafe { try_receive(comm, rank) } {
            Ok(Some(buffer)) => Some(buffer),
            Ok(None) => {
                self.check(rank, job, deadline, limit);
                None
            }
            Err(code) => self.lost(rank, job, &format!("failed to answer (MPI error {code})")),
        });
        match found.split_first() {
            Some((&0.0, values)) => values.to_vec(),
            _ => self.lost(
                rank,
                job,
                &format!(
                    "cannot evaluate this run's {} (it read a different model, scenarios or options, or runs another command)",
                    job.pieces()
                ),
            ),
        }
    }
}

impl Spread for Hub {
    fn gather(
        &self,
        job: Job,
        payload: &[f64],
        count: usize,
        local: &dyn Fn(Range<usize>) -> Vec<f64>,
    ) -> Vec<f64> {
        let comm = self.comm.lock().unwrap_or_else(|e| e.into_inner());
        let mut message = Vec::with_capacity(payload.len() + 2);
        message.extend([job.code(), count as f64]);
        message.extend_from_slice(payload);
        let sending = Instant::now();
        let mut requests: Vec<ffi::MPI_Request> = (1..self.size)
            .map(|r| {
                // SAFETY: the lock serializes MPI calls; `message` outlives every request
                // (each completes below, or the process ends).
                unsafe { start_send(comm.0, r, TAG_REQUEST, &message) }.unwrap_or_else(|code| {
                    let what = format!("could not be sent the request (MPI error {code})");
                    self.lost(r, job, &what)
                })
            })
            .collect();
        let started = Instant::now();
        let mut values = local(block(count, self.size, 0));
        let limit = self.floor.max(started.elapsed() * 20);
        let deadline = started + limit;
        let own = started.elapsed().as_secs_f64();
        let own_len = values.len();
        for (r, request) in (1..self.size).zip(&mut requests) {
            values.extend(self.receive(comm.0, (r, job), request, (deadline, limit)));
        }
        let mut all = STATS.lock().unwrap_or_else(|e| e.into_inner());
        let stats = &mut all[job.index()];
        stats.gathers += 1;
        stats.gather_secs += sending.elapsed().as_secs_f64();
        stats.own_secs += own;
        stats.sent += message.len() * (self.size - 1);
        stats.received += values.len() - own_len + (self.size - 1);
        values
    }
}
