//! SVD and eigen-decompositions (faer): `svd`, `eigh`, `eig`.
use faer::MatMut;
use faer::Side;
use faer::traits::math_utils as mu;
use num_complex::Complex;

use super::{Mats, Out, OutVec, Sc, check, each, guarded, nan_fill, r2f};
use crate::device::Device;
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;

/// Scales each column to unit norm with its largest entry real and positive (LAPACK geev's
/// eigenvector convention).
fn normalize_cols<C: Sc>(mut v: MatMut<'_, C>) {
    let n = v.nrows();
    for j in 0..v.ncols() {
        let mut nrm = 0.0f64;
        let mut best = 0usize;
        let mut bmag = -1.0f64;
        for i in 0..n {
            let a2 = r2f(&mu::abs2(&v[(i, j)]));
            nrm += a2;
            if a2 > bmag {
                bmag = a2;
                best = i;
            }
        }
        if nrm > 0.0 && nrm.is_finite() {
            let p = v[(best, j)];
            let pa = r2f(&mu::abs(&p));
            let sc: C = mu::mul_real(&mu::conj(&p), &mu::from_f64::<C::Real>(1.0 / (pa * nrm.sqrt())));
            for i in 0..n {
                v[(i, j)] = mu::mul(&v[(i, j)], &sc);
            }
            v[(best, j)] = mu::from_real::<C>(&mu::real(&v[(best, j)]));
        }
    }
}

/// `(U, S, Vh, info)` of every matrix; U/Vh are empty (0-element) tensors when `compute_uv` is
/// false. `full` gives square U (m x m) and Vh (n x n).
pub fn svd(a: &Tensor, full: bool, compute_uv: bool) -> Result<(Tensor, Tensor, Tensor, Tensor)> {
    crate::resolve_bits!(a);
    check("linalg.svd", &[a])?;
    guarded("linalg.svd", || la_dispatch!(a.dtype, T => svd_t::<T>(a, full, compute_uv)))
}

fn svd_t<T: Sc>(a: &Tensor, full: bool, compute_uv: bool) -> Result<(Tensor, Tensor, Tensor, Tensor)> {
    let g = Mats::of(a);
    let (m, n) = (g.m, g.n);
    let k = m.min(n);
    let (ur, uc, vr) = if full { (m, m, n) } else { (m, k, k) };
    let u = if compute_uv { Some(Out::new(&g.batch, ur, uc, a.dtype, true)?) } else { None };
    let vh = if compute_uv { Some(Out::new(&g.batch, vr, n, a.dtype, true)?) } else { None };
    let s = OutVec::new(&g.batch, Some(k), a.dtype.to_real())?;
    let info = OutVec::new(&g.batch, None, DType::I32)?;
    each(g.count(), m.max(n), |b| unsafe {
        let am = g.get::<T>(b);
        let sv = s.get::<T::Real>(b);
        let inf = info.get::<i32>(b);
        if let (Some(u), Some(vh)) = (&u, &vh) {
            let mut uo = u.get::<T>(b);
            let mut vo = vh.get::<T>(b);
            if m == 0 || n == 0 {
                // Only the identity parts of full U / Vh remain.
                for i in 0..uo.nrows().min(uo.ncols()) {
                    uo[(i, i)] = mu::one();
                }
                for i in 0..vo.nrows().min(vo.ncols()) {
                    vo[(i, i)] = mu::one();
                }
                return;
            }
            let r = if full { am.svd() } else { am.thin_svd() };
            match r {
                Ok(d) => {
                    uo.copy_from(d.U());
                    let v = d.V();
                    for i in 0..vo.nrows() {
                        for j in 0..n {
                            vo[(i, j)] = mu::conj(&v[(j, i)]);
                        }
                    }
                    let sd = d.S().column_vector();
                    for i in 0..k {
                        sv[i] = mu::real(&sd[i]);
                    }
                }
                Err(_) => {
                    inf[0] = 1;
                    nan_fill(uo);
                    nan_fill(vo);
                    sv.fill(mu::nan());
                }
            }
        } else if k > 0 {
            match am.singular_values() {
                Ok(v) => sv.clone_from_slice(&v),
                Err(_) => {
                    inf[0] = 1;
                    sv.fill(mu::nan());
                }
            }
        }
    });
    let empty = |dt| Tensor::zeros(&[0], dt, Device::Cpu);
    Ok((
        match u {
            Some(u) => u.t,
            None => empty(a.dtype)?,
        },
        s.t,
        match vh {
            Some(v) => v.t,
            None => empty(a.dtype)?,
        },
        info.t,
    ))
}

// ----------------------------------------------------------------------------------------------
// Eigen-decompositions

/// `(eigenvalues ascending (real dtype), eigenvectors (column-major) or empty, info)` of the
/// Hermitian matrices whose `upper` (else lower) triangle is given.
pub fn eigh(a: &Tensor, upper: bool, vectors: bool) -> Result<(Tensor, Tensor, Tensor)> {
    crate::resolve_bits!(a);
    check("linalg.eigh", &[a])?;
    guarded("linalg.eigh", || la_dispatch!(a.dtype, T => eigh_t::<T>(a, upper, vectors)))
}

fn eigh_t<T: Sc>(a: &Tensor, upper: bool, vectors: bool) -> Result<(Tensor, Tensor, Tensor)> {
    let g = Mats::of(a);
    let n = g.n;
    let side = if upper { Side::Upper } else { Side::Lower };
    let l = OutVec::new(&g.batch, Some(n), a.dtype.to_real())?;
    let v = if vectors { Some(Out::new(&g.batch, n, n, a.dtype, true)?) } else { None };
    let info = OutVec::new(&g.batch, None, DType::I32)?;
    each(g.count(), n, |b| unsafe {
        if n == 0 {
            return;
        }
        let am = g.get::<T>(b);
        let lv = l.get::<T::Real>(b);
        let inf = info.get::<i32>(b);
        if let Some(v) = &v {
            let mut vo = v.get::<T>(b);
            match am.self_adjoint_eigen(side) {
                Ok(e) => {
                    vo.copy_from(e.U());
                    let s = e.S().column_vector();
                    for i in 0..n {
                        lv[i] = mu::real(&s[i]);
                    }
                }
                Err(_) => {
                    inf[0] = 1;
                    nan_fill(vo);
                    lv.fill(mu::nan());
                }
            }
        } else {
            match am.self_adjoint_eigenvalues(side) {
                Ok(s) => lv.clone_from_slice(&s),
                Err(_) => {
                    inf[0] = 1;
                    lv.fill(mu::nan());
                }
            }
        }
    });
    let vt = match v {
        Some(v) => v.t,
        None => Tensor::zeros(&[0], a.dtype, Device::Cpu)?,
    };
    Ok((l.t, vt, info.t))
}

/// `(eigenvalues, eigenvectors or empty, info)` of general square matrices, complex-valued;
/// eigenvectors have unit norm with their largest component real (LAPACK's geev convention).
pub fn eig(a: &Tensor, vectors: bool) -> Result<(Tensor, Tensor, Tensor)> {
    crate::resolve_bits!(a);
    check("linalg.eig", &[a])?;
    guarded("linalg.eig", || la_dispatch!(a.dtype, T => eig_t::<T>(a, vectors)))
}

fn eig_t<T: Sc>(a: &Tensor, vectors: bool) -> Result<(Tensor, Tensor, Tensor)>
where
    Complex<T::Real>: Sc,
{
    let g = Mats::of(a);
    let n = g.n;
    let cdt = a.dtype.to_complex();
    let l = OutVec::new(&g.batch, Some(n), cdt)?;
    let v = if vectors { Some(Out::new(&g.batch, n, n, cdt, true)?) } else { None };
    let info = OutVec::new(&g.batch, None, DType::I32)?;
    each(g.count(), n, |b| unsafe {
        if n == 0 {
            return;
        }
        let am = g.get::<T>(b);
        let lv = l.get::<Complex<T::Real>>(b);
        let inf = info.get::<i32>(b);
        if let Some(v) = &v {
            let mut vo = v.get::<Complex<T::Real>>(b);
            match am.eigen() {
                Ok(e) => {
                    vo.copy_from(e.U());
                    let s = e.S().column_vector();
                    for i in 0..n {
                        lv[i] = s[i];
                    }
                    normalize_cols(vo.as_mut());
                }
                Err(_) => {
                    inf[0] = 1;
                    nan_fill(vo);
                    lv.fill(mu::nan());
                }
            }
        } else {
            match am.eigenvalues() {
                Ok(s) => lv.clone_from_slice(&s),
                Err(_) => {
                    inf[0] = 1;
                    lv.fill(mu::nan());
                }
            }
        }
    });
    let vt = match v {
        Some(v) => v.t,
        None => Tensor::zeros(&[0], cdt, Device::Cpu)?,
    };
    Ok((l.t, vt, info.t))
}
