//! Reduction and scan kernels. The op front end hands every kernel a contiguous `[m, k]` block
//! (kept dims first, reduced dims last), so each result is a function of one contiguous row.
//! Long rows are split across the pool and the partial results combined in order.
use std::sync::Mutex;

use super::elementwise::SendPtr;
use super::num::{Num, Stored};
use super::parallel::{PAR_THRESHOLD, num_threads, run_chunks};
use crate::dtype::DType;
use crate::element::{C64, C128, Element, cast};

/// Below this many elements per piece a long row is not split further.
const PIECE: usize = 1 << 16;
/// Chunks per thread when a reduction is split over the pool. Chunks are claimed dynamically, so a
/// worker that wakes late leaves the caller at most one chunk more: with 4 per thread that tail
/// cost a memory-bound 16M-element sum 6-10% against an even split; 16 per thread keeps it small.
const SPLIT: usize = 16;
/// Elements per block in pairwise summation (the leaves are summed with independent lanes).
const BLOCK: usize = 2048;
const LANES: usize = 64;

/// Maps `m` rows of length `k` to `m` results: `f(row, index_of_row_start)`. Rows run in parallel
/// when there are many; a few long rows are cut into pieces whose results `combine` folds in order.
pub fn reduce_rows<T: Sync, R: Copy + Send + Sync>(
    x: &[T],
    m: usize,
    k: usize,
    f: impl Fn(&[T], usize) -> R + Sync,
    combine: impl Fn(R, R) -> R + Sync,
) -> Vec<R> {
    let threads = num_threads();
    if m == 0 {
        return Vec::new();
    }
    if m * k < PAR_THRESHOLD || threads <= 1 {
        return (0..m).map(|r| f(&x[r * k..(r + 1) * k], 0)).collect();
    }
    if m >= threads * 2 || k < 2 * PIECE {
        let mut out: Vec<R> = Vec::with_capacity(m);
        let po = SendPtr(out.as_mut_ptr());
        let step = m.div_ceil(threads * SPLIT).max(1);
        run_chunks(m.div_ceil(step), |c| {
            let po = po;
            for r in c * step..((c + 1) * step).min(m) {
                // SAFETY: each chunk writes its own rows of a buffer with capacity m.
                unsafe { po.0.add(r).write(f(&x[r * k..(r + 1) * k], 0)) };
            }
        });
        // SAFETY: every row 0..m was written above.
        unsafe { out.set_len(m) };
        return out;
    }
    // Few long rows: split each into pieces.
    let pieces = (threads * SPLIT).min(k / PIECE).max(1);
    let step = k.div_ceil(pieces);
    (0..m)
        .map(|r| {
            let row = &x[r * k..(r + 1) * k];
            let parts: Vec<Mutex<Option<R>>> = (0..pieces).map(|_| Mutex::new(None)).collect();
            run_chunks(pieces, |c| {
                let s = (c * step).min(k);
                let e = ((c + 1) * step).min(k);
                if let Ok(mut p) = parts[c].lock() {
                    *p = Some(f(&row[s..e], s));
                }
            });
            let mut acc: Option<R> = None;
            for p in parts {
                if let Some(v) = p.into_inner().ok().flatten() {
                    acc = Some(match acc {
                        None => v,
                        Some(a) => combine(a, v),
                    });
                }
            }
            acc.unwrap_or_else(|| f(&[], 0))
        })
        .collect()
}

/// Folds `g(x)` over a block with independent lanes (so the loop vectorises), then the lanes pairwise.
#[inline(always)]
fn fold_block<T: Copy, A: Copy>(x: &[T], init: A, g: impl Fn(T) -> A + Copy, op: impl Fn(A, A) -> A + Copy) -> A {
    let mut acc = [init; LANES];
    let chunks = x.chunks_exact(LANES);
    let rem = chunks.remainder();
    for c in chunks {
        for i in 0..LANES {
            acc[i] = op(acc[i], g(c[i]));
        }
    }
    for (i, &v) in rem.iter().enumerate() {
        acc[i] = op(acc[i], g(v));
    }
    let mut w = LANES;
    while w > 1 {
        w /= 2;
        for i in 0..w {
            acc[i] = op(acc[i], acc[i + w]);
        }
    }
    acc[0]
}

/// Pairwise (cascade) fold: blocks are folded with lanes and the block results combined as a tree,
/// which keeps float summation error logarithmic in the length, as torch's cascade sum does.
/// Runs the copy compiled for the widest ISA the CPU has; every copy does the same arithmetic in
/// the same order, so results are bit-identical.
pub fn fold<T: Copy, A: Copy>(x: &[T], init: A, g: impl Fn(T) -> A + Copy, op: impl Fn(A, A) -> A + Copy) -> A {
    #[cfg(target_arch = "x86_64")]
    {
        use super::vmath::{Isa, isa};
        match isa() {
            // SAFETY: isa() names only variants this CPU supports.
            Isa::Avx512 => return unsafe { fold_512(x, init, g, op) },
            Isa::Avx2 => return unsafe { fold_256(x, init, g, op) },
            Isa::Generic => {}
        }
    }
    fold_generic(x, init, g, op)
}

fn fold_generic<T: Copy, A: Copy>(x: &[T], init: A, g: impl Fn(T) -> A + Copy, op: impl Fn(A, A) -> A + Copy) -> A {
    if x.len() <= BLOCK {
        return fold_block(x, init, g, op);
    }
    let half = (x.len() / 2).div_ceil(BLOCK) * BLOCK;
    op(fold_generic(&x[..half], init, g, op), fold_generic(&x[half..], init, g, op))
}

macro_rules! fold_isa {
    ($name:ident, $feat:literal) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $feat)]
        unsafe fn $name<T: Copy, A: Copy>(x: &[T], init: A, g: impl Fn(T) -> A + Copy, op: impl Fn(A, A) -> A + Copy) -> A {
            if x.len() <= BLOCK {
                return fold_block(x, init, g, op);
            }
            let half = (x.len() / 2).div_ceil(BLOCK) * BLOCK;
            // SAFETY: same target features as this call.
            unsafe { op($name(&x[..half], init, g, op), $name(&x[half..], init, g, op)) }
        }
    };
}
fold_isa!(fold_512, "avx512f");
fold_isa!(fold_256, "avx2,fma");

macro_rules! fold_wide_isa {
    ($name:ident, $feat:literal) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $feat)]
        unsafe fn $name<T: Copy, A: Copy>(x: &[T], init: A, g: impl Fn(T) -> A + Copy, op: impl Fn(A, A) -> A + Copy) -> A {
            fold_block(x, init, g, op)
        }
    };
}
fold_wide_isa!(fold_wide_512, "avx512f");
fold_wide_isa!(fold_wide_256, "avx2,fma");

/// `fold_block` over a whole row (no pairwise tree, which order-free folds such as max, min and
/// any do not need) on the widest ISA the CPU has.
pub fn fold_unordered<T: Copy, A: Copy>(x: &[T], init: A, g: impl Fn(T) -> A + Copy, op: impl Fn(A, A) -> A + Copy) -> A {
    #[cfg(target_arch = "x86_64")]
    {
        use super::vmath::{Isa, isa};
        match isa() {
            // SAFETY: isa() names only variants this CPU supports.
            Isa::Avx512 => return unsafe { fold_wide_512(x, init, g, op) },
            Isa::Avx2 => return unsafe { fold_wide_256(x, init, g, op) },
            Isa::Generic => {}
        }
    }
    fold_block(x, init, g, op)
}

/// Value and first index of the max (or min, `MAX` false) of a non-empty row in one pass: each
/// lane keeps its best value and where it was, a NaN beats any number and the first NaN stays.
#[inline(always)]
fn arg_fold<T: Stored, const MAX: bool>(r: &[T]) -> (T::M, usize) {
    // Enough lanes for several independent vector chains (4 AVX-512 registers of f32).
    const L: usize = 64;
    let v0 = r[0].load();
    let mut mv = [v0; L];
    let mut mi = [0u32; L];
    // Bitwise `|`/`&`, not `||`/`&&`: branch-free, so the lanes vectorise.
    let better = |x: T::M, m: T::M| (if MAX { m.lt(x) } else { x.lt(m) }) | (x.is_nan() & !m.is_nan());
    let chunks = r.chunks_exact(L);
    let rem = chunks.remainder();
    let mut base = 0u32;
    for c in chunks {
        for i in 0..L {
            let x = c[i].load();
            let b = better(x, mv[i]);
            mv[i] = if b { x } else { mv[i] };
            mi[i] = if b { base + i as u32 } else { mi[i] };
        }
        base += L as u32;
    }
    for (i, v) in rem.iter().enumerate() {
        let x = v.load();
        if better(x, mv[i]) {
            mv[i] = x;
            mi[i] = base + i as u32;
        }
    }
    let (mut bv, mut bi) = (mv[0], mi[0]);
    for i in 1..L {
        let (v, j) = (mv[i], mi[i]);
        let tie = (v.is_nan() && bv.is_nan()) || v == bv;
        if better(v, bv) || (tie && j < bi) {
            bv = v;
            bi = j;
        }
    }
    (bv, bi as usize)
}

macro_rules! arg_isa {
    ($name:ident, $feat:literal) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $feat)]
        unsafe fn $name<T: Stored, const MAX: bool>(r: &[T]) -> (T::M, usize) {
            arg_fold::<T, MAX>(r)
        }
    };
}
arg_isa!(arg_fold_512, "avx512f");
arg_isa!(arg_fold_256, "avx2,fma");

fn arg_row<T: Stored, const MAX: bool>(r: &[T]) -> (T::M, usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use super::vmath::{Isa, isa};
        if isa() != Isa::Generic && matches!(T::DTYPE, DType::F32 | DType::F64) {
            // SAFETY: the dtype check makes T exactly f32 or f64, and AVX2 is present.
            let at = unsafe {
                if T::DTYPE == DType::F32 {
                    super::argext::arg_f32::<MAX>(std::slice::from_raw_parts(r.as_ptr() as *const f32, r.len()))
                } else {
                    super::argext::arg_f64::<MAX>(std::slice::from_raw_parts(r.as_ptr() as *const f64, r.len()))
                }
            };
            if let Some(i) = at {
                return (r[i].load(), i);
            }
        }
        match isa() {
            // SAFETY: isa() names only variants this CPU supports.
            Isa::Avx512 => return unsafe { arg_fold_512::<T, MAX>(r) },
            Isa::Avx2 => return unsafe { arg_fold_256::<T, MAX>(r) },
            Isa::Generic => {}
        }
    }
    arg_fold::<T, MAX>(r)
}

/// Accumulator types: integers sum in int64, half types in float32, as torch does.
pub trait Reducible: Stored {
    type Acc: Num;
    /// The dtype of a sum (int64 for integers and bool, else the input's).
    type SumOut: Element;
}
macro_rules! reducible {
    ($($t:ty => $a:ty, $o:ty);* $(;)?) => {$(
        impl Reducible for $t { type Acc = $a; type SumOut = $o; }
    )*};
}
reducible!(
    bool => i64, i64; u8 => i64, i64; i8 => i64, i64; i16 => i64, i64; i32 => i64, i64; i64 => i64, i64;
    half::f16 => f32, half::f16; half::bf16 => f32, half::bf16; f32 => f32, f32; f64 => f64, f64;
    crate::element::C32 => C64, crate::element::C32; C64 => C64, C64; C128 => C128, C128;
    u16 => i64, i64; u32 => i64, i64; u64 => i64, i64;
    crate::element::F8E4M3 => f32, crate::element::F8E4M3; crate::element::F8E5M2 => f32, crate::element::F8E5M2;
);

#[inline(always)]
pub fn to_acc<T: Reducible>(x: T) -> T::Acc {
    cast::<T, T::Acc>(x)
}

/// Sum of each row in the accumulator type.
pub fn sum_rows<T: Reducible>(x: &[T], m: usize, k: usize, skip_nan: bool) -> Vec<T::Acc> {
    let add = |a: T::Acc, b: T::Acc| a.add(b);
    if skip_nan {
        let g = |v: T| {
            let a = to_acc(v);
            if a.is_nan() { T::Acc::zero() } else { a }
        };
        reduce_rows(x, m, k, |r, _| fold(r, T::Acc::zero(), g, add), add)
    } else {
        reduce_rows(x, m, k, |r, _| fold(r, T::Acc::zero(), to_acc::<T>, add), add)
    }
}

pub fn prod_rows<T: Reducible>(x: &[T], m: usize, k: usize) -> Vec<T::Acc> {
    let mul = |a: T::Acc, b: T::Acc| a.mul(b);
    reduce_rows(x, m, k, |r, _| fold(r, T::Acc::one(), to_acc::<T>, mul), mul)
}

/// NaN-propagating max (or min) of each row in the stored type's math type; rows must be non-empty.
pub fn extreme_rows<T: Stored>(x: &[T], m: usize, k: usize, is_max: bool) -> Vec<T::M> {
    let first = |r: &[T]| r.first().map(|v| v.load()).unwrap_or_else(T::M::zero);
    if is_max {
        let op = |a: T::M, b: T::M| a.maximum(b);
        reduce_rows(x, m, k, |r, _| fold_unordered(r, first(r), |v: T| v.load(), op), op)
    } else {
        let op = |a: T::M, b: T::M| a.minimum(b);
        reduce_rows(x, m, k, |r, _| fold_unordered(r, first(r), |v: T| v.load(), op), op)
    }
}

/// Value and first index of the max (or min) of each row; a NaN wins, at its first position.
pub fn arg_extreme_rows<T: Stored>(x: &[T], m: usize, k: usize, is_max: bool) -> Vec<(T::M, usize)> {
    let f = |r: &[T], base: usize| -> (T::M, usize) {
        if r.is_empty() {
            return (T::M::zero(), 0);
        }
        // Lane positions are u32: cut longer rows into u32-sized pieces, earlier pieces winning ties.
        let mut best: Option<(T::M, usize)> = None;
        for (p, piece) in r.chunks(u32::MAX as usize).enumerate() {
            let (v, i) = if is_max { arg_row::<T, true>(piece) } else { arg_row::<T, false>(piece) };
            let cand = (v, base + p * (u32::MAX as usize) + i);
            best = Some(match best {
                None => cand,
                Some(a) if a.0.is_nan() => a,
                Some(a) if cand.0.is_nan() || (is_max && a.0.lt(cand.0)) || (!is_max && cand.0.lt(a.0)) => cand,
                Some(a) => a,
            });
        }
        best.unwrap_or((T::M::zero(), 0))
    };
    // `a` comes from earlier elements, so it wins ties.
    let combine = |a: (T::M, usize), b: (T::M, usize)| {
        if a.0.is_nan() {
            a
        } else if b.0.is_nan() || (is_max && a.0.lt(b.0)) || (!is_max && b.0.lt(a.0)) {
            b
        } else {
            a
        }
    };
    reduce_rows(x, m, k, f, combine)
}

/// Whether every (or any) element of each row is nonzero.
pub fn all_any_rows<T: Stored>(x: &[T], m: usize, k: usize, all: bool) -> Vec<bool> {
    if all {
        let op = |a: bool, b: bool| a & b;
        reduce_rows(x, m, k, |r, _| fold(r, true, |v: T| v.load().truthy(), op), op)
    } else {
        let op = |a: bool, b: bool| a | b;
        reduce_rows(x, m, k, |r, _| fold(r, false, |v: T| v.load().truthy(), op), op)
    }
}

/// (count, mean, sum of squared deviations) of real values, merged with Chan's formula.
#[derive(Clone, Copy)]
pub struct Moments {
    pub n: f64,
    pub mean: f64,
    pub m2: f64,
}

impl Moments {
    fn merge(a: Moments, b: Moments) -> Moments {
        if a.n == 0.0 {
            return b;
        }
        if b.n == 0.0 {
            return a;
        }
        let n = a.n + b.n;
        let d = b.mean - a.mean;
        Moments { n, mean: a.mean + d * (b.n / n), m2: a.m2 + b.m2 + d * d * (a.n * b.n / n) }
    }
}

/// Two passes over cache-sized blocks (mean, then squared deviations), blocks merged with Chan.
fn moments_of<T: Copy>(r: &[T], g: impl Fn(T) -> f64 + Copy) -> Moments {
    let add = |a: f64, b: f64| a + b;
    let mut acc = Moments { n: 0.0, mean: 0.0, m2: 0.0 };
    for blk in r.chunks(8192) {
        let n = blk.len() as f64;
        let mean = fold(blk, 0.0, g, add) / n;
        let m2 = fold(
            blk,
            0.0,
            |v| {
                let d = g(v) - mean;
                d * d
            },
            add,
        );
        acc = Moments::merge(acc, Moments { n, mean, m2 });
    }
    acc
}

/// Row means by Welford's running update (torch's var_mean): unlike a sum, it keeps the mean of
/// values that cancel near the float range's edge (-max, max, 1.5 has mean 0.5, not 0).
pub fn welford_mean_rows<T: Stored>(x: &[T], m: usize, k: usize) -> Vec<Moments> {
    let run = |r: &[T], _| {
        let mut acc = Moments { n: 0.0, mean: 0.0, m2: 0.0 };
        for &v in r {
            acc.n += 1.0;
            acc.mean += (cast::<T, f64>(v) - acc.mean) / acc.n;
        }
        acc
    };
    reduce_rows(x, m, k, run, Moments::merge)
}

pub fn moments_rows<T: Stored>(x: &[T], m: usize, k: usize) -> Vec<Moments> {
    reduce_rows(x, m, k, |r, _| moments_of(r, |v: T| cast::<T, f64>(v)), Moments::merge)
}

/// Moments of complex rows: the variance of a complex value is that of its real part plus its
/// imaginary part, about the complex mean.
pub fn complex_moments_rows<T: Element + Sync>(x: &[T], m: usize, k: usize) -> Vec<(Moments, Moments)> {
    let re = |v: T| match v.to_pivot() {
        crate::element::Pivot::C(r, _) => r,
        _ => 0.0,
    };
    let im = |v: T| match v.to_pivot() {
        crate::element::Pivot::C(_, i) => i,
        _ => 0.0,
    };
    reduce_rows(
        x,
        m,
        k,
        |r, _| (moments_of(r, re), moments_of(r, im)),
        |a, b| (Moments::merge(a.0, b.0), Moments::merge(a.1, b.1)),
    )
}

/// Inclusive scans of contiguous rows: `out[j] = op(out[j-1], x[j])` in the accumulator type.
#[allow(clippy::too_many_arguments)]
pub fn scan_rows<T: Copy + Sync, A: Copy + Send + Sync, O: Copy + Send>(
    x: &[T],
    out: &mut [O],
    m: usize,
    k: usize,
    init: Option<A>,
    g: impl Fn(T) -> A + Sync + Copy,
    op: impl Fn(A, A) -> A + Sync + Copy,
    store: impl Fn(A) -> O + Sync + Copy,
) {
    if m == 0 || k == 0 {
        return;
    }
    let po = SendPtr(out.as_mut_ptr());
    let row = move |r: usize| {
        let po = po;
        let src = &x[r * k..(r + 1) * k];
        // torch's scans start from the identity: `init op x0`, which matters for complex products
        // (1 * (inf + 0i) has a nan imaginary part)
        let mut acc = match init {
            Some(i) => op(i, g(src[0])),
            None => g(src[0]),
        };
        // SAFETY: row r owns out[r*k..(r+1)*k].
        unsafe {
            *po.0.add(r * k) = store(acc);
            for j in 1..k {
                acc = op(acc, g(src[j]));
                *po.0.add(r * k + j) = store(acc);
            }
        }
    };
    let threads = num_threads();
    if m * k < PAR_THRESHOLD || threads <= 1 || m == 1 {
        (0..m).for_each(row);
    } else {
        let step = m.div_ceil(threads * 4).max(1);
        run_chunks(m.div_ceil(step), |c| (c * step..((c + 1) * step).min(m)).for_each(row));
    }
}

/// A scan of one long row split across the pool: piece totals first, then each piece scans from
/// the fold of the totals before it. Only for associative `op` (sums and products).
pub fn scan_long_row<T: Copy + Sync, A: Copy + Send + Sync, O: Copy + Send>(
    x: &[T],
    out: &mut [O],
    init: A,
    g: impl Fn(T) -> A + Sync + Copy,
    op: impl Fn(A, A) -> A + Sync + Copy,
    store: impl Fn(A) -> O + Sync + Copy,
) {
    let k = x.len();
    let threads = num_threads();
    let pieces = threads.min(k / PIECE).max(1);
    if pieces == 1 {
        return scan_rows(x, out, 1, k, None, g, op, store);
    }
    let step = k.div_ceil(pieces);
    let totals: Vec<Mutex<A>> = (0..pieces).map(|_| Mutex::new(init)).collect();
    run_chunks(pieces, |c| {
        let s = &x[(c * step).min(k)..((c + 1) * step).min(k)];
        let t = fold(s, init, g, op);
        if let Ok(mut p) = totals[c].lock() {
            *p = t;
        }
    });
    let totals: Vec<A> = totals.into_iter().map(|m| m.into_inner().unwrap_or(init)).collect();
    let po = SendPtr(out.as_mut_ptr());
    run_chunks(pieces, |c| {
        let po = po;
        let mut acc = totals[..c].iter().fold(init, |a, &b| op(a, b));
        for j in (c * step).min(k)..((c + 1) * step).min(k) {
            acc = op(acc, g(x[j]));
            // SAFETY: piece c owns out[c*step..(c+1)*step].
            unsafe { *po.0.add(j) = store(acc) };
        }
    });
}
