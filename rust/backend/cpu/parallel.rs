//! The intra-op thread pool (`torch.set_num_threads`) and the parallel row iterator used by
//! elementwise kernels above a size threshold.
use std::sync::{Arc, OnceLock, RwLock};

use rayon::ThreadPool;

use super::iter::{coalesce, for_each_row};

/// Below this many elements a kernel runs on the calling thread.
pub const PAR_THRESHOLD: usize = 1 << 15;

struct Pool {
    threads: usize,
    pool: Option<Arc<ThreadPool>>,
}

fn pool_cell() -> &'static RwLock<Pool> {
    static P: OnceLock<RwLock<Pool>> = OnceLock::new();
    P.get_or_init(|| {
        let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        RwLock::new(Pool { threads: n, pool: None })
    })
}

pub fn num_threads() -> usize {
    pool_cell().read().map(|p| p.threads).unwrap_or(1)
}

pub fn set_num_threads(n: usize) {
    if let Ok(mut p) = pool_cell().write() {
        p.threads = n.max(1);
        p.pool = None;
    }
}

fn pool() -> Option<Arc<ThreadPool>> {
    let threads = num_threads();
    if threads <= 1 {
        return None;
    }
    if let Some(p) = pool_cell().read().ok().and_then(|p| p.pool.clone()) {
        return Some(p);
    }
    let built = rayon::ThreadPoolBuilder::new().num_threads(threads).build().ok().map(Arc::new);
    if let Ok(mut p) = pool_cell().write() {
        p.pool = built.clone();
    }
    built
}

/// Runs `f(chunk_index)` for `0..chunks` on the pool (or inline when single-threaded).
pub fn run_chunks(chunks: usize, f: impl Fn(usize) + Sync) {
    match pool() {
        Some(p) if chunks > 1 => p.install(|| {
            use rayon::prelude::*;
            (0..chunks).into_par_iter().for_each(&f);
        }),
        _ => (0..chunks).for_each(f),
    }
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
