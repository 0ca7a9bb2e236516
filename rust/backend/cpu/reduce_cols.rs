//! Column reductions: a contiguous `[a, r, n]` block reduced over its middle axis (`x.sum(0)`, a
//! linear layer's bias gradient, `mean` over a batch). Whole rows of `n` elements are read in
//! memory order into a tile of accumulators, so no transposing copy is made; the reduced axis is
//! folded pairwise (leaves of `LEAF` rows), which keeps float sums' error logarithmic in `r`.
use std::ops::Range;

use super::elementwise::SendPtr;
use super::num::{Num, Stored};
use super::parallel::{PAR_THRESHOLD, num_threads, run_chunks};
use super::reduce::{Reducible, to_acc};
use crate::element::Element;

/// Columns per tile: one tile's accumulators stay in L1, and its inner loop has a fixed width.
const TILE: usize = 256;
/// Rows folded straight into a tile before tiles are combined pairwise.
const LEAF: usize = 32;

/// Folds rows straight into one tile of accumulators (columns `j0..j0 + w`, `w <= TILE`). With
/// `seed` the accumulators start from the first row (folds with no identity, such as max).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn leaf<T: Copy, A: Copy>(
    x: &[T],
    n: usize,
    mut rows: Range<usize>,
    j0: usize,
    w: usize,
    init: A,
    seed: bool,
    g: impl Fn(T) -> A + Copy,
    op: impl Fn(A, A) -> A + Copy,
) -> [A; TILE] {
    let mut acc = [init; TILE];
    if seed {
        let t = rows.start;
        for c in 0..w {
            acc[c] = g(x[t * n + j0 + c]);
        }
        rows.start += 1;
    }
    for t in rows {
        let row = &x[t * n + j0..t * n + j0 + w];
        if let Ok(row) = <&[T; TILE]>::try_from(row) {
            // Fixed trip count: the loop vectorises.
            for c in 0..TILE {
                acc[c] = op(acc[c], g(row[c]));
            }
        } else {
            for c in 0..w {
                acc[c] = op(acc[c], g(row[c]));
            }
        }
    }
    acc
}

/// One tile `[rows, j0..j0 + w]` of `x` (rows of `n` elements), folded pairwise over the rows. Each
/// copy recurses into itself, so the whole tree runs with that copy's target features.
macro_rules! tile_fn {
    ($name:ident $(, $feat:literal)?) => {
        $(#[cfg(target_arch = "x86_64")] #[target_feature(enable = $feat)])?
        #[allow(clippy::too_many_arguments)]
        unsafe fn $name<T: Copy, A: Copy>(
            x: &[T],
            n: usize,
            rows: Range<usize>,
            j0: usize,
            w: usize,
            init: A,
            seed: bool,
            g: impl Fn(T) -> A + Copy,
            op: impl Fn(A, A) -> A + Copy,
        ) -> [A; TILE] {
            if rows.len() <= LEAF {
                return leaf(x, n, rows, j0, w, init, seed, g, op);
            }
            let mid = rows.start + (rows.len() / 2).div_ceil(LEAF) * LEAF;
            // SAFETY: same target features as this call.
            let lo = unsafe { $name(x, n, rows.start..mid, j0, w, init, seed, g, op) };
            let hi = unsafe { $name(x, n, mid..rows.end, j0, w, init, seed, g, op) };
            let mut out = lo;
            for c in 0..TILE {
                out[c] = op(lo[c], hi[c]);
            }
            out
        }
    };
}
tile_fn!(tile_generic);
tile_fn!(tile_512, "avx512f");
tile_fn!(tile_256, "avx2,fma");

/// `tile` compiled for the widest ISA the CPU has (same arithmetic, same order in every copy).
#[allow(clippy::too_many_arguments)]
fn tile_best<T: Copy, A: Copy>(
    x: &[T],
    n: usize,
    rows: Range<usize>,
    j0: usize,
    w: usize,
    init: A,
    seed: bool,
    g: impl Fn(T) -> A + Copy,
    op: impl Fn(A, A) -> A + Copy,
) -> [A; TILE] {
    #[cfg(target_arch = "x86_64")]
    {
        use super::vmath::{Isa, isa};
        match isa() {
            // SAFETY: isa() names only variants this CPU supports.
            Isa::Avx512 => return unsafe { tile_512(x, n, rows, j0, w, init, seed, g, op) },
            Isa::Avx2 => return unsafe { tile_256(x, n, rows, j0, w, init, seed, g, op) },
            Isa::Generic => {}
        }
    }
    // SAFETY: the generic copy needs no target feature.
    unsafe { tile_generic(x, n, rows, j0, w, init, seed, g, op) }
}

/// `out[i * n + j] = fold over t of g(x[(i * r + t) * n + j])` for a contiguous `[a, r, n]` block
/// with `r >= 1`. Tiles run in parallel; when there are too few of them the reduced axis is cut
/// into pieces too, whose partial results are combined in order. `seed`: see `leaf`.
#[allow(clippy::too_many_arguments)]
pub fn fold_cols<T: Copy + Sync, A: Copy + Send + Sync>(
    x: &[T],
    a: usize,
    r: usize,
    n: usize,
    init: A,
    seed: bool,
    g: impl Fn(T) -> A + Copy + Sync,
    op: impl Fn(A, A) -> A + Copy + Sync,
) -> Vec<A> {
    let mut out = vec![init; a * n];
    if a == 0 || n == 0 || r == 0 {
        return out;
    }
    let tiles = n.div_ceil(TILE);
    let units = a * tiles;
    let threads = num_threads();
    let parallel = threads > 1 && a * r * n >= PAR_THRESHOLD;
    let pieces = if parallel && units < threads * 2 { (threads * 2).div_ceil(units).min(r.div_ceil(LEAF)).max(1) } else { 1 };
    let step = r.div_ceil(pieces).div_ceil(LEAF) * LEAF;
    let pieces = r.div_ceil(step);
    // Partial results: piece p of the output lives at parts[p * a * n..].
    let mut parts = if pieces > 1 { vec![init; pieces * a * n] } else { Vec::new() };
    let dst = SendPtr(if pieces > 1 { parts.as_mut_ptr() } else { out.as_mut_ptr() });
    let job = |u: usize| {
        let dst = dst;
        let (p, rest) = (u / units, u % units);
        let (i, tj) = (rest / tiles, rest % tiles);
        let (j0, w) = (tj * TILE, TILE.min(n - tj * TILE));
        let rows = p * step..((p + 1) * step).min(r);
        let acc = tile_best(&x[i * r * n..(i + 1) * r * n], n, rows, j0, w, init, seed, g, op);
        let base = p * a * n + i * n + j0;
        for (c, v) in acc.iter().take(w).enumerate() {
            // SAFETY: unit (p, i, tj) alone writes this tile's w slots of its piece.
            unsafe { dst.0.add(base + c).write(*v) };
        }
    };
    if parallel {
        run_chunks(pieces * units, job);
    } else {
        (0..pieces * units).for_each(job);
    }
    if pieces > 1 {
        for (j, o) in out.iter_mut().enumerate() {
            let mut acc = parts[j];
            for p in 1..pieces {
                acc = op(acc, parts[p * a * n + j]);
            }
            *o = acc;
        }
    }
    out
}


/// Column sums in the accumulator type (`skip_nan`: NaNs count as zero).
pub fn sum_cols<T: Reducible + Sync>(x: &[T], a: usize, r: usize, n: usize, skip_nan: bool) -> Vec<T::Acc> {
    let add = |p: T::Acc, q: T::Acc| p.add(q);
    if skip_nan {
        let g = |v: T| {
            let s = to_acc(v);
            if s.is_nan() { T::Acc::zero() } else { s }
        };
        fold_cols(x, a, r, n, T::Acc::zero(), false, g, add)
    } else {
        fold_cols(x, a, r, n, T::Acc::zero(), false, to_acc::<T>, add)
    }
}

/// Non-NaN counts per column (nanmean's divisor).
pub fn count_cols<T: Stored + Sync>(x: &[T], a: usize, r: usize, n: usize) -> Vec<i64> {
    fold_cols(x, a, r, n, 0i64, false, |v: T| (!v.load().is_nan()) as i64, |p, q| p + q)
}

/// NaN-propagating column max (or min) in the math type; `r >= 1`.
pub fn extreme_cols<T: Stored + Sync>(x: &[T], a: usize, r: usize, n: usize, is_max: bool) -> Vec<T::M> {
    let Some(first) = x.first().map(|v| v.load()) else { return Vec::new() };
    if is_max {
        fold_cols(x, a, r, n, first, true, |v: T| v.load(), |p: T::M, q| p.maximum(q))
    } else {
        fold_cols(x, a, r, n, first, true, |v: T| v.load(), |p: T::M, q| p.minimum(q))
    }
}
