//! LU-based solvers: `lu_factor`, `solve`, `inv` (getrf + getrs; for an invertible A, `inv` takes
//! faer's inverse from the same factors), and `solve_triangular`.
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::prelude::ReborrowMut;
use faer::{MatMut, MatRef, Par};

use super::getrf::{getrf, getrs, perm_arrays};
use super::{Mats, Out, OutVec, Sc, check, each, guarded, la_par, lu_par, pool_split, small, use_small};
use crate::bail;
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;

/// `(LU, pivots, info)` as torch.linalg.lu_factor_ex.
pub fn lu_factor(a: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
    crate::resolve_bits!(a);
    check("linalg.lu_factor", &[a])?;
    guarded("linalg.lu_factor", || la_dispatch!(a.dtype, T => lu_factor_t::<T>(a)))
}

fn lu_factor_t<T: Sc>(a: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
    let g = Mats::of(a);
    let k = g.m.min(g.n);
    let lu = Out::new(&g.batch, g.m, g.n, a.dtype, true)?;
    let piv = OutVec::new(&g.batch, Some(k), DType::I32)?;
    let info = OutVec::new(&g.batch, None, DType::I32)?;
    if use_small(g.m, g.n) {
        small::lu_factor::<T>(&g, &lu, &piv, &info);
        return Ok((lu.t, piv.t, info.t));
    }
    let nb = g.count();
    each(nb, g.m.max(g.n), |b| unsafe {
        if k == 0 {
            return;
        }
        // Factored in place in the column-major output.
        let mut lo = lu.get::<T>(b);
        lo.copy_from(g.get::<T>(b));
        info.get::<i32>(b)[0] = getrf(lo, piv.get::<i32>(b), lu_par(nb, k), pool_split(nb, k));
    });
    Ok((lu.t, piv.t, info.t))
}

/// The LU factors of `am` in a fresh column-major matrix, with the pivots and info. (Always of A:
/// factoring a row-major A's transpose would save the transposing copy, but where A^T meets an
/// exactly zero pivot A need not, and torch's info codes and LinAlgErrors come from A's.)
fn factor<T: Sc>(am: MatRef<'_, T>, par: Par, split: usize) -> (faer::Mat<T>, Vec<i32>, i32) {
    let n = am.nrows();
    let mut lu = faer::Mat::<T>::zeros(n, n);
    lu.copy_from(am);
    let mut piv = vec![0i32; n];
    let info = getrf(lu.as_mut(), &mut piv, par, split);
    (lu, piv, info)
}

/// `(X, info)` with `A X = B` (`A^H X = B` when `adjoint`, from A's own LU as torch's
/// lu_solve(adjoint=True)) for square A (*, n, n) and B (*, n, k) of the same batch shape; a
/// singular A gives LAPACK's inf/nan pattern in X.
pub fn solve(a: &Tensor, b: &Tensor, adjoint: bool) -> Result<(Tensor, Tensor)> {
    crate::resolve_bits!(a);
    crate::resolve_bits!(b);
    check("linalg.solve", &[a, b])?;
    if a.shape()[..a.ndim() - 2] != b.shape()[..b.ndim() - 2] || a.shape()[a.ndim() - 1] != b.shape()[b.ndim() - 2] {
        bail!(runtime, "linalg.solve: internal shape mismatch");
    }
    guarded("linalg.solve", || la_dispatch!(a.dtype, T => solve_t::<T>(a, b, adjoint)))
}

fn solve_t<T: Sc>(a: &Tensor, bt: &Tensor, adjoint: bool) -> Result<(Tensor, Tensor)> {
    let ga = Mats::of(a);
    let gb = Mats::of(bt);
    let n = ga.n;
    let x = Out::new(&gb.batch, gb.m, gb.n, a.dtype, true)?;
    let info = OutVec::new(&ga.batch, None, DType::I32)?;
    if use_small(n, n) && !adjoint {
        small::solve::<T>(&ga, Some(&gb), &x, &info);
        return Ok((x.t, info.t));
    }
    let nb = ga.count();
    each(nb, n, |b| unsafe {
        let mut xo = x.get::<T>(b);
        if n == 0 || gb.n == 0 {
            return;
        }
        let par = lu_par(nb, n);
        let (lu, piv, inf) = factor(ga.get::<T>(b), par, pool_split(nb, n));
        xo.copy_from(gb.get::<T>(b));
        getrs(lu.as_ref(), &piv, xo, inf != 0, adjoint, par);
        info.get::<i32>(b)[0] = inf;
    });
    Ok((x.t, info.t))
}

/// `(A^-1, info)` for square matrices: torch's solve(A, I), with LAPACK's inf/nan pattern for a
/// singular A.
pub fn inv(a: &Tensor) -> Result<(Tensor, Tensor)> {
    crate::resolve_bits!(a);
    check("linalg.inv", &[a])?;
    guarded("linalg.inv", || la_dispatch!(a.dtype, T => inv_t::<T>(a)))
}

fn inv_t<T: Sc>(a: &Tensor) -> Result<(Tensor, Tensor)> {
    let g = Mats::of(a);
    let n = g.n;
    let x = Out::new(&g.batch, n, n, a.dtype, true)?;
    let info = OutVec::new(&g.batch, None, DType::I32)?;
    if use_small(n, n) {
        small::solve::<T>(&g, None, &x, &info);
        return Ok((x.t, info.t));
    }
    let nb = g.count();
    each(nb, n, |b| unsafe {
        let xo = x.get::<T>(b);
        if n == 0 {
            return;
        }
        let par = lu_par(nb, n);
        let (lu, piv, inf) = factor(g.get::<T>(b), par, pool_split(nb, n));
        info.get::<i32>(b)[0] = inf;
        inverse_into(lu.as_ref(), &piv, inf, xo, par, pool_split(nb, n));
    });
    Ok((x.t, info.t))
}

/// A^-1 into `xo` from getrf's factors of A: faer's triangular inverses when A is invertible
/// (fewer flops than solving against I), or with `split` > 1 `inverse_split`; getrs against the
/// identity when A is singular.
fn inverse_into<T: Sc>(lu: MatRef<'_, T>, piv: &[i32], info: i32, mut xo: MatMut<'_, T>, par: Par, split: usize) {
    use faer::linalg::lu::partial_pivoting as pp;
    use faer::traits::math_utils as mu;
    let n = lu.nrows();
    if info != 0 {
        for j in 0..n {
            for i in 0..n {
                xo[(i, j)] = if i == j { mu::one() } else { mu::zero() };
            }
        }
        getrs(lu, piv, xo, true, false, par);
        return;
    }
    if split > 1 {
        inverse_split(lu, piv, xo, split);
        return;
    }
    let (fwd, bwd) = perm_arrays(piv, n);
    let perm = faer::perm::PermRef::new_checked(&fwd, &bwd, n);
    let mut mem = MemBuffer::new(pp::inverse::inverse_scratch::<usize, T>(n, par));
    pp::inverse::inverse(xo, lu, lu, perm, par, MemStack::new(&mut mem));
}

/// A^-1 = (LU)^-1 P for an invertible A: LU Z = I solved in column chunks on the intra-op pool
/// (each column's lower solve starts at its own row, as getri's, so the flops match faer's
/// triangular inverses), then getri's column interchanges, last first.
fn inverse_split<T: Sc>(lu: MatRef<'_, T>, piv: &[i32], mut xo: MatMut<'_, T>, split: usize) {
    use faer::linalg::triangular_solve as ts;
    use faer::traits::math_utils as mu;
    let n = lu.nrows();
    // Later columns have less lower-solve work: several chunks per thread, claimed as they free.
    let step = n.div_ceil(4 * split).next_multiple_of(8);
    let (lp, lrs, lcs) = (lu.as_ptr() as usize, lu.row_stride(), lu.col_stride());
    let (xp, xrs, xcs) = (xo.rb_mut().as_ptr_mut() as usize, xo.row_stride(), xo.col_stride());
    crate::backend::cpu::parallel::run_chunks(n.div_ceil(step), |c| {
        let j0 = c * step;
        let wc = step.min(n - j0);
        // SAFETY: `lu` is only read, and each chunk writes its own columns of `xo`.
        let (lu, mut x) = unsafe {
            (
                MatRef::from_raw_parts(lp as *const T, n, n, lrs, lcs),
                MatMut::from_raw_parts_mut((xp as *mut T).offset(j0 as isize * xcs), n, wc, xrs, xcs),
            )
        };
        for j in 0..wc {
            for i in 0..n {
                x[(i, j)] = if i == j0 + j { mu::one() } else { mu::zero() };
            }
        }
        ts::solve_unit_lower_triangular_in_place(lu.get(j0.., j0..), x.rb_mut().get_mut(j0.., ..), Par::Seq);
        ts::solve_upper_triangular_in_place(lu, x, Par::Seq);
    });
    for i in (0..n).rev() {
        let p = piv[i] as usize - 1;
        if p != i {
            for r in 0..n {
                let t = xo[(r, i)];
                xo[(r, i)] = xo[(r, p)];
                xo[(r, p)] = t;
            }
        }
    }
}

/// X with `A X = B` for triangular A (*, n, n) (the `upper` or lower triangle is read; the
/// diagonal is taken as ones when `unit`) and B (*, n, k) of the same batch shape.
pub fn solve_triangular(a: &Tensor, b: &Tensor, upper: bool, unit: bool) -> Result<Tensor> {
    crate::resolve_bits!(a);
    crate::resolve_bits!(b);
    check("linalg.solve_triangular", &[a, b])?;
    if a.shape()[..a.ndim() - 2] != b.shape()[..b.ndim() - 2] || a.shape()[a.ndim() - 1] != b.shape()[b.ndim() - 2] {
        bail!(runtime, "linalg.solve_triangular: internal shape mismatch");
    }
    guarded("linalg.solve_triangular", || la_dispatch!(a.dtype, T => trsm_t::<T>(a, b, upper, unit)))
}

fn trsm_t<T: Sc>(a: &Tensor, bt: &Tensor, upper: bool, unit: bool) -> Result<Tensor> {
    use faer::linalg::triangular_solve as ts;
    let ga = Mats::of(a);
    let gb = Mats::of(bt);
    let n = ga.n;
    let x = Out::new(&gb.batch, gb.m, gb.n, a.dtype, true)?;
    let nb = ga.count();
    each(nb, n, |b| unsafe {
        let mut xo = x.get::<T>(b);
        if n == 0 || gb.n == 0 {
            return;
        }
        xo.copy_from(gb.get::<T>(b));
        let am = ga.get::<T>(b);
        let par = la_par(nb, n);
        match (upper, unit) {
            (true, false) => ts::solve_upper_triangular_in_place(am, xo, par),
            (true, true) => ts::solve_unit_upper_triangular_in_place(am, xo, par),
            (false, false) => ts::solve_lower_triangular_in_place(am, xo, par),
            (false, true) => ts::solve_unit_lower_triangular_in_place(am, xo, par),
        }
    });
    Ok(x.t)
}
