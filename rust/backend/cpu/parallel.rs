//! The intra-op thread pool (`torch.set_num_threads`) and the parallel row iterator used by
//! elementwise kernels above a size threshold.
//!
//! The pool is ours rather than rayon's so that back-to-back ops find it awake, as torch's OpenMP
//! team is: `threads - 1` workers spin for a short while after each job before they park, and the
//! calling thread takes chunks itself instead of waiting outside the pool. A job is published as
//! one atomic word (`chunks << 32 | next`); a chunk is claimed by compare-and-swap on that word, so
//! a worker can only ever claim a chunk of the job that is current at that instant, and the job's
//! closure is read only after a successful claim, while the caller is still waiting for it.
use std::any::Any;
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering::*};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::thread::Thread;
use std::time::{Duration, Instant};

use super::iter::{coalesce, for_each_row};

/// Below this many elements a kernel runs on the calling thread.
pub const PAR_THRESHOLD: usize = 1 << 15;

/// How long an idle worker spins before it parks. Ops issued back to back from Python are a few
/// microseconds apart, so they find the workers awake; an idle program pays this once per lull.
const SPIN: Duration = Duration::from_micros(200);

thread_local! {
    /// Set while this thread runs a chunk: nested parallel calls then run inline.
    static IN_POOL: Cell<bool> = const { Cell::new(false) };
}

type Job<'a> = &'a (dyn Fn(usize) + Sync);

struct Shared {
    /// `chunks << 32 | next` of the current job; `next >= chunks` when there is none.
    state: AtomicU64,
    /// Chunks of the current job that have finished.
    done: AtomicUsize,
    /// The current job's closure (a `*const Job` on the caller's stack).
    job: AtomicPtr<()>,
    sleepers: AtomicUsize,
    shutdown: AtomicBool,
    panic: Mutex<Option<Box<dyn Any + Send>>>,
}

impl Shared {
    fn has_work(&self) -> bool {
        let v = self.state.load(SeqCst);
        (v & 0xffff_ffff) < (v >> 32)
    }

    /// Claims and runs one chunk. `None`: no chunk left; `Some(())`: ran one or lost a race.
    fn work_one(&self) -> Option<()> {
        let v = self.state.load(Acquire);
        let (chunks, next) = (v >> 32, v & 0xffff_ffff);
        if next >= chunks {
            return None;
        }
        if self.state.compare_exchange_weak(v, v + 1, AcqRel, Relaxed).is_err() {
            return Some(());
        }
        // The claim succeeded on the current job's word, and that job cannot end before this
        // chunk is counted in `done`, so the pointer is the live closure of this job.
        let p = self.job.load(Acquire) as *const Job;
        let was = IN_POOL.with(|c| c.replace(true));
        // SAFETY: see above; the caller keeps the closure alive until `done` reaches `chunks`.
        let r = catch_unwind(AssertUnwindSafe(|| unsafe { (*p)(next as usize) }));
        IN_POOL.with(|c| c.set(was));
        if let Err(e) = r {
            if let Ok(mut slot) = self.panic.lock() {
                slot.get_or_insert(e);
            }
        }
        self.done.fetch_add(1, Release);
        Some(())
    }
}

struct Pool {
    shared: Arc<Shared>,
    workers: Vec<Thread>,
    /// One job at a time; a second concurrent caller runs its chunks inline.
    dispatch: Mutex<()>,
}

impl Drop for Pool {
    fn drop(&mut self) {
        // No join: in a forked child the threads do not exist. They exit on their own.
        self.shared.shutdown.store(true, SeqCst);
        self.workers.iter().for_each(Thread::unpark);
    }
}

fn worker(sh: Arc<Shared>) {
    let mut idle: Option<Instant> = None;
    let mut spins = 0u32;
    loop {
        if sh.shutdown.load(Relaxed) {
            return;
        }
        if sh.work_one().is_some() {
            idle = None;
            continue;
        }
        std::hint::spin_loop();
        spins = spins.wrapping_add(1);
        if spins % 64 != 0 {
            continue;
        }
        let since = *idle.get_or_insert_with(Instant::now);
        if since.elapsed() < SPIN {
            continue;
        }
        // Announce, then re-check: the publisher stores the job before it reads `sleepers`
        // (both SeqCst), so either it sees us and unparks, or we see its job.
        sh.sleepers.fetch_add(1, SeqCst);
        if !sh.has_work() && !sh.shutdown.load(SeqCst) {
            std::thread::park();
        }
        sh.sleepers.fetch_sub(1, SeqCst);
        idle = None;
    }
}

impl Pool {
    fn new(threads: usize) -> Option<Pool> {
        let shared = Arc::new(Shared {
            state: AtomicU64::new(0),
            done: AtomicUsize::new(0),
            job: AtomicPtr::new(std::ptr::null_mut()),
            sleepers: AtomicUsize::new(0),
            shutdown: AtomicBool::new(false),
            panic: Mutex::new(None),
        });
        let mut workers = Vec::with_capacity(threads - 1);
        for i in 1..threads {
            let sh = shared.clone();
            let h = std::thread::Builder::new().name(format!("oxytorch-{i}")).spawn(move || worker(sh));
            match h {
                Ok(h) => workers.push(h.thread().clone()),
                Err(_) => break,
            }
        }
        if workers.is_empty() {
            shared.shutdown.store(true, SeqCst);
            return None;
        }
        Some(Pool { shared, workers, dispatch: Mutex::new(()) })
    }

    /// Runs `f(0..chunks)` with the caller as one of the workers; `false` if the pool was busy.
    fn run(&self, chunks: usize, f: Job) -> bool {
        let Ok(_guard) = self.dispatch.try_lock() else { return false };
        let sh = &*self.shared;
        let fp: *const Job = &f;
        sh.done.store(0, Relaxed);
        sh.job.store(fp as *mut (), Release);
        sh.state.store((chunks as u64) << 32, SeqCst);
        if sh.sleepers.load(SeqCst) > 0 {
            self.workers.iter().for_each(Thread::unpark);
        }
        while sh.work_one().is_some() {}
        let mut spins = 0u32;
        while sh.done.load(Acquire) < chunks {
            std::hint::spin_loop();
            spins = spins.wrapping_add(1);
            if spins >= 1 << 14 {
                std::thread::yield_now();
            }
        }
        sh.job.store(std::ptr::null_mut(), Relaxed);
        let panic = sh.panic.lock().ok().and_then(|mut p| p.take());
        drop(_guard);
        if let Some(e) = panic {
            resume_unwind(e);
        }
        true
    }
}

struct Config {
    threads: usize,
    pool: Option<Arc<Pool>>,
}

fn config() -> &'static RwLock<Config> {
    static P: OnceLock<RwLock<Config>> = OnceLock::new();
    P.get_or_init(|| {
        let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        RwLock::new(Config { threads: n, pool: None })
    })
}

pub fn num_threads() -> usize {
    config().read().map(|p| p.threads).unwrap_or(1)
}

pub fn set_num_threads(n: usize) {
    if let Ok(mut p) = config().write() {
        p.threads = n.max(1);
        p.pool = None;
    }
}

fn pool() -> Option<Arc<Pool>> {
    {
        let cfg = config().read().ok()?;
        if cfg.pool.is_some() || cfg.threads <= 1 {
            return cfg.pool.clone();
        }
    }
    let mut cfg = config().write().ok()?;
    if cfg.pool.is_none() && cfg.threads > 1 {
        cfg.pool = Pool::new(cfg.threads).map(Arc::new);
    }
    cfg.pool.clone()
}

/// Runs `f(chunk_index)` for `0..chunks` across the pool, the calling thread included (inline when
/// single-threaded, when nested inside another chunk, or when another thread holds the pool).
pub fn run_chunks(chunks: usize, f: impl Fn(usize) + Sync) {
    if chunks > 1 && chunks < u32::MAX as usize && !IN_POOL.with(Cell::get) {
        if let Some(p) = pool() {
            if p.run(chunks, &f) {
                return;
            }
        }
    }
    (0..chunks).for_each(f)
}

/// Like `for_each_row`, but splits large iterations across the pool. `row` must only touch the
/// elements it is given, so rows may run concurrently.
pub fn par_for_each_row<const N: usize>(
    shape: &[usize],
    strides: [&[isize]; N],
    base: [isize; N],
    row: impl Fn([isize; N], usize, [isize; N]) + Sync,
) {
    let numel: usize = shape.iter().product();
    let threads = num_threads();
    if numel < PAR_THRESHOLD || threads <= 1 {
        for_each_row(shape, strides, base, row);
        return;
    }
    let (cs, cst) = coalesce(shape, strides);
    let target = threads * 4;
    if cs.len() == 1 {
        // One long row: split it into contiguous pieces.
        let n = cs[0];
        let step = n.div_ceil(target).max(4096);
        let chunks = n.div_ceil(step);
        let inner: [isize; N] = std::array::from_fn(|k| cst[k][0]);
        run_chunks(chunks, |c| {
            let s = c * step;
            let len = step.min(n - s);
            let off: [isize; N] = std::array::from_fn(|k| base[k] + s as isize * inner[k]);
            row(off, len, inner);
        });
        return;
    }
    // Several dims: split the outermost one.
    let n0 = cs[0];
    let step = n0.div_ceil(target).max(1);
    let chunks = n0.div_ceil(step);
    let rest = &cs[1..];
    run_chunks(chunks, |c| {
        let s = c * step;
        let len = step.min(n0 - s);
        let mut sub = Vec::with_capacity(cs.len());
        sub.push(len);
        sub.extend_from_slice(rest);
        let sub_strides: [&[isize]; N] = std::array::from_fn(|k| &cst[k][..]);
        let off: [isize; N] = std::array::from_fn(|k| base[k] + s as isize * cst[k][0]);
        for_each_row(&sub, sub_strides, off, &row);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn every_chunk_runs_once_nested_and_concurrent() {
        set_num_threads(3);
        for chunks in [0usize, 1, 2, 7, 64, 1000] {
            let hits: Vec<AtomicUsize> = (0..chunks).map(|_| AtomicUsize::new(0)).collect();
            run_chunks(chunks, |c| {
                hits[c].fetch_add(1, Relaxed);
                // A nested call runs inline on this thread.
                let inner = AtomicUsize::new(0);
                run_chunks(3, |_| {
                    inner.fetch_add(1, Relaxed);
                });
                assert_eq!(inner.load(Relaxed), 3);
            });
            assert!(hits.iter().all(|h| h.load(Relaxed) == 1), "chunks={chunks}");
        }
        // Two callers at once: one gets the pool, the other runs inline; both finish every chunk.
        let total = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    for _ in 0..200 {
                        run_chunks(16, |_| {
                            total.fetch_add(1, Relaxed);
                        });
                    }
                });
            }
        });
        assert_eq!(total.load(Relaxed), 2 * 200 * 16);
    }

    #[test]
    fn a_panicking_chunk_reaches_the_caller_and_the_pool_survives() {
        set_num_threads(2);
        let r = std::panic::catch_unwind(|| run_chunks(8, |c| assert!(c != 5, "chunk five")));
        assert!(r.is_err());
        let n = AtomicUsize::new(0);
        run_chunks(8, |_| {
            n.fetch_add(1, Relaxed);
        });
        assert_eq!(n.load(Relaxed), 8);
    }
}
