//! LU with partial pivoting in LAPACK's order for matrices above `small::SMALL`: getrf2's
//! recursive column split, faer's triangular solve and matmul for the off-diagonal blocks, and
//! the unblocked getf2 for panels of at most `LEAF` columns. An exactly zero pivot leaves its
//! column unscaled and the factorisation goes on, as LAPACK's does (faer's own LU divides by it
//! and fills the trailing matrix with nan), so singular inputs give LAPACK's factors and info,
//! and `getrs` gives the inf/nan pattern of torch's solve / inv.
use faer::linalg::matmul::matmul;
use faer::linalg::triangular_solve as ts;
use faer::traits::math_utils as mu;
use faer::prelude::{Reborrow, ReborrowMut};
use faer::{Accum, MatMut, MatRef, Par};

use super::Sc;
use super::small::{self, Lk};

/// Panels of at most this many columns are factored unblocked.
const LEAF: usize = 16;

/// Trailing blocks narrower than this are updated in one piece even when `split` asks for more:
/// below it a chunk is too little work for a cross-thread hand-off.
const SPLIT_MIN: usize = 32;

/// Factors the column-major (row stride 1) `a` in place: unit-lower L below the diagonal, U on
/// and above; LAPACK's 1-based row interchanges into `piv` (min(m, n) of them); returns info
/// (the first exactly zero pivot, 1-based, or 0). `split` > 1 divides each trailing update
/// (interchanges, triangular solve, product) into that many column chunks on the intra-op pool,
/// each run with `par`; every column's arithmetic is the same as unsplit.
pub(super) fn getrf<T: Sc>(mut a: MatMut<'_, T>, piv: &mut [i32], par: Par, split: usize) -> i32 {
    let (m, n) = (a.nrows(), a.ncols());
    let k = m.min(n);
    if k == 0 {
        return 0;
    }
    debug_assert!(a.row_stride() == 1 || m == 1);
    if k <= LEAF {
        let ld = if n > 1 { a.col_stride() as usize } else { m };
        // SAFETY: `a` is column-major with column stride `ld` and getf2 touches only its m x n
        // entries.
        return unsafe { small::getf2_raw(a.as_ptr_mut(), ld, m, n, piv) };
    }
    let n1 = k / 2;
    let (mut left, mut right) = a.rb_mut().split_at_col_mut(n1);
    let info1 = getrf(left.rb_mut(), &mut piv[..n1], par, split);
    let w = right.ncols();
    let chunks = if w >= 2 * SPLIT_MIN { split.min(w / SPLIT_MIN) } else { 1 };
    if chunks > 1 {
        // Column chunks of the right part are independent; raw parts cross the threads.
        let (lp, lrs, lcs) = (left.rb().as_ptr() as usize, left.row_stride(), left.col_stride());
        let (rp, rrs, rcs) = (right.rb_mut().as_ptr_mut() as usize, right.row_stride(), right.col_stride());
        let step = w.div_ceil(chunks).next_multiple_of(8);
        let pv = &piv[..n1];
        crate::backend::cpu::parallel::run_chunks(w.div_ceil(step), |c| {
            let j0 = c * step;
            let wc = step.min(w - j0);
            // SAFETY: `left` is only read, and each chunk writes its own columns of `right`.
            let (l, r) = unsafe {
                (
                    MatRef::from_raw_parts(lp as *const T, m, n1, lrs, lcs),
                    MatMut::from_raw_parts_mut((rp as *mut T).offset(j0 as isize * rcs), m, wc, rrs, rcs),
                )
            };
            update(l, r, pv, par);
        });
    } else {
        update(left.rb(), right.rb_mut(), &piv[..n1], par);
    }
    let (_, a22) = right.split_at_row_mut(n1);
    let info2 = getrf(a22, &mut piv[n1..k], par, split);
    // The second half's interchanges (relative to row n1) also move the rows of L's first half.
    let (_, a21) = left.split_at_row_mut(n1);
    laswp(a21, &piv[n1..k], false);
    for p in &mut piv[n1..k] {
        *p += n1 as i32;
    }
    if info1 != 0 {
        info1
    } else if info2 != 0 {
        info2 + n1 as i32
    } else {
        0
    }
}

/// The right-looking update of the columns `right` after the first n1 = piv.len() columns `left`
/// are factored: their interchanges, U12 = L11^-1 A12, A22 -= L21 U12.
fn update<T: Sc>(left: MatRef<'_, T>, mut right: MatMut<'_, T>, piv: &[i32], par: Par) {
    let n1 = piv.len();
    laswp(right.rb_mut(), piv, false);
    let (a11, a21) = left.split_at_row(n1);
    let (mut a12, a22) = right.split_at_row_mut(n1);
    ts::solve_unit_lower_triangular_in_place(a11, a12.rb_mut(), par);
    matmul(a22, Accum::Add, a21, a12.rb(), mu::neg(&mu::one::<T>()), par);
}

/// Applies the interchanges `piv` (row i with row piv[i] - 1) to the rows of `a`, in order, or
/// in reverse order when `rev` (undoing them).
fn laswp<T: Sc>(mut a: MatMut<'_, T>, piv: &[i32], rev: bool) {
    let (rs, cs) = (a.row_stride(), a.col_stride());
    let p = a.rb_mut().as_ptr_mut();
    for j in 0..a.ncols() {
        let swap = |i: usize| {
            let r = piv[i] as usize - 1;
            if r != i {
                // SAFETY: i and r are rows of `a` (getrf's pivots stay below its row count).
                unsafe {
                    let c = p.offset(j as isize * cs);
                    std::ptr::swap(c.offset(i as isize * rs), c.offset(r as isize * rs));
                }
            }
        };
        if rev {
            (0..piv.len()).rev().for_each(swap);
        } else {
            (0..piv.len()).for_each(swap);
        }
    }
}

/// Solves `A X = B` (`A^H X = B` when `adjoint`, as LAPACK's getrs with trans = 'C') in place in
/// `x` (n x k) from getrf's factors `lu` of A. `singular` (a zero pivot): plain substitution in
/// the reference BLAS order, without skipping zeros (as MKL), which gives LAPACK-via-MKL's inf/nan
/// pattern; faer's blocked solves multiply by precomputed reciprocals and would put nan where it
/// has inf.
pub(super) fn getrs<T: Sc>(lu: MatRef<'_, T>, piv: &[i32], mut x: MatMut<'_, T>, singular: bool, adjoint: bool, par: Par) {
    let n = lu.nrows();
    if n == 0 || x.ncols() == 0 {
        return;
    }
    if adjoint {
        // A^H = U^H L^H P^T: U^H y = b, L^H z = y, x = P z.
        if singular {
            for c in 0..x.ncols() {
                let mut v = x.rb_mut().col_mut(c);
                for i in 0..n {
                    let mut t = v[i];
                    for k in 0..i {
                        t -= Lk::conj(lu[(k, i)]) * v[k];
                    }
                    v[i] = Lk::quot(t, Lk::conj(lu[(i, i)]));
                }
                for i in (0..n).rev() {
                    let mut t = v[i];
                    for k in i + 1..n {
                        t -= Lk::conj(lu[(k, i)]) * v[k];
                    }
                    v[i] = t;
                }
            }
        } else {
            ts::solve_lower_triangular_in_place(lu.adjoint(), x.rb_mut(), par);
            ts::solve_unit_upper_triangular_in_place(lu.adjoint(), x.rb_mut(), par);
        }
        laswp(x, piv, true);
        return;
    }
    laswp(x.rb_mut(), piv, false);
    if !singular {
        ts::solve_unit_lower_triangular_in_place(lu, x.rb_mut(), par);
        ts::solve_upper_triangular_in_place(lu, x, par);
        return;
    }
    for c in 0..x.ncols() {
        let mut v = x.rb_mut().col_mut(c);
        // L y = b (forward, unit, axpy form), then U z = y (backward, axpy form).
        for k in 0..n {
            let t = v[k];
            for i in k + 1..n {
                v[i] -= t * lu[(i, k)];
            }
        }
        for k in (0..n).rev() {
            let t = Lk::quot(v[k], lu[(k, k)]);
            v[k] = t;
            for i in 0..k {
                v[i] -= t * lu[(i, k)];
            }
        }
    }
}

/// faer's permutation arrays (`fwd[i]`: the row of A that row i of P A is) for LAPACK's
/// sequential interchanges `piv` of an n-row matrix.
pub(super) fn perm_arrays(piv: &[i32], n: usize) -> (Vec<usize>, Vec<usize>) {
    let mut fwd: Vec<usize> = (0..n).collect();
    for (i, &p) in piv.iter().enumerate() {
        fwd.swap(i, p as usize - 1);
    }
    let mut inv = vec![0usize; n];
    for (i, &f) in fwd.iter().enumerate() {
        inv[f] = i;
    }
    (fwd, inv)
}
