//! QR (faer's blocked Householder QR for real matrices, `geqrf` for complex ones), Cholesky and
//! `householder_product`.
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::traits::math_utils as mu;

use super::{Mats, Out, OutVec, Sc, check, each, geqrf, guarded, la_par, small, use_small, zero_fill};
use crate::bail;
use crate::device::Device;
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;

/// `(Q, R)` for mode 0 = reduced, 1 = complete, 2 = r (Q is then an empty tensor).
pub fn qr(a: &Tensor, mode: u8) -> Result<(Tensor, Tensor)> {
    crate::resolve_bits!(a);
    check("linalg.qr", &[a])?;
    guarded("linalg.qr", || la_dispatch!(a.dtype, T => qr_t::<T>(a, mode)))
}

fn qr_t<T: Sc>(a: &Tensor, mode: u8) -> Result<(Tensor, Tensor)> {
    let g = Mats::of(a);
    let (m, n) = (g.m, g.n);
    let k = m.min(n);
    let (qc, rr) = if mode == 1 { (m, m) } else { (k, k) };
    let q = if mode != 2 { Some(Out::new(&g.batch, m, qc, a.dtype, true)?) } else { None };
    let r = Out::new(&g.batch, rr, n, a.dtype, true)?;
    if use_small(m, n) {
        small::qr::<T>(&g, q.as_ref(), &r);
    } else if a.dtype.is_complex() {
        qr_lapack::<T>(&g, q.as_ref(), &r);
    } else {
        // faer's real reflectors are LAPACK's (beta = -sign(alpha) |x|), so Q and R match torch's.
        qr_faer::<T>(&g, q.as_ref(), &r, qc);
    }
    let qt = match q {
        Some(q) => q.t,
        None => Tensor::zeros(&[0], a.dtype, Device::Cpu)?,
    };
    Ok((qt, r.t))
}

/// Complex QR with LAPACK's reflectors (real diagonal on R), as torch's zgeqrf + zungqr.
fn qr_lapack<T: Sc>(g: &Mats, q: Option<&Out>, r: &Out) {
    let (m, n) = (g.m, g.n);
    let nb = g.count();
    each(nb, m.max(n), |b| unsafe {
        let ro = r.get::<T>(b);
        let qo = q.map(|q| q.get::<T>(b));
        if m == 0 || n == 0 {
            if let Some(mut qo) = qo {
                for i in 0..m.min(qo.ncols()) {
                    qo[(i, i)] = mu::one();
                }
            }
            return;
        }
        geqrf::qr(g.get::<T>(b), qo, ro, la_par(nb, m.min(n)));
    });
}

/// Blocked Householder QR (faer) of each matrix straight into R, and Q built by applying the
/// reflector blocks, last first, to the trailing part of the identity that each one touches.
fn qr_faer<T: Sc>(g: &Mats, q: Option<&Out>, r: &Out, qc: usize) {
    use faer::linalg::householder as hh;
    use faer::linalg::qr::no_pivoting::factor as f;
    let (m, n) = (g.m, g.n);
    let k = m.min(n);
    let nb = g.count();
    each(nb, m.max(n), |b| unsafe {
        let mut ro = r.get::<T>(b);
        let qo = q.map(|q| q.get::<T>(b));
        if m == 0 || n == 0 {
            if let Some(mut qo) = qo {
                for i in 0..m.min(qc) {
                    qo[(i, i)] = mu::one();
                }
            }
            return;
        }
        let par = la_par(nb, k);
        let mut a = faer::Mat::<T>::zeros(m, n);
        a.as_mut().copy_from(g.get::<T>(b));
        let bs = f::recommended_block_size::<T>(m, n);
        let mut coeff = faer::Mat::<T>::zeros(bs, k);
        {
            let mut mem = MemBuffer::new(f::qr_in_place_scratch::<T>(m, n, bs, par, Default::default()));
            f::qr_in_place(a.as_mut(), coeff.as_mut(), par, MemStack::new(&mut mem), Default::default());
        }
        for j in 0..n {
            for i in 0..k.min(j + 1) {
                ro[(i, j)] = a[(i, j)];
            }
        }
        if let Some(mut qo) = qo {
            for i in 0..m.min(qc) {
                qo[(i, i)] = mu::one();
            }
            let mut mem = MemBuffer::new(hh::apply_block_householder_sequence_on_the_left_in_place_scratch::<T>(m, bs, qc));
            let stack = MemStack::new(&mut mem);
            let mut j = k;
            let mut step = k % bs;
            if step == 0 {
                step = bs;
            }
            while j > 0 {
                let j0 = j - step;
                step = bs;
                let basis = a.as_ref().get(j0.., j0..j);
                let fac = coeff.as_ref().get(.., j0..j).subrows(0, j - j0);
                // Columns before j0 are still identity columns there, which these reflectors keep.
                let c0 = j0.min(qc);
                hh::apply_block_householder_on_the_left_in_place_with_conj(
                    basis,
                    fac,
                    faer::Conj::No,
                    qo.as_mut().get_mut(j0.., c0..),
                    par,
                    stack,
                );
                j = j0;
            }
        }
    });
}

/// `(L or U, info)`: the Cholesky factor read from the lower (or `upper`) triangle; info is the
/// order of the first leading minor that is not positive-definite (0 on success).
pub fn cholesky(a: &Tensor, upper: bool) -> Result<(Tensor, Tensor)> {
    crate::resolve_bits!(a);
    check("linalg.cholesky", &[a])?;
    guarded("linalg.cholesky", || la_dispatch!(a.dtype, T => cholesky_t::<T>(a, upper)))
}

fn cholesky_t<T: Sc>(a: &Tensor, upper: bool) -> Result<(Tensor, Tensor)> {
    use faer::linalg::cholesky::llt::factor as f;
    let g = Mats::of(a);
    let n = g.n;
    let l = Out::new(&g.batch, n, n, a.dtype, true)?;
    let info = OutVec::new(&g.batch, None, DType::I32)?;
    if use_small(n, n) {
        small::cholesky::<T>(&g, upper, &l, &info);
        return Ok((l.t, info.t));
    }
    let nb = g.count();
    each(nb, n, |b| unsafe {
        if n == 0 {
            return;
        }
        let am = g.get::<T>(b);
        let mut lo = l.get::<T>(b);
        // The upper factor of A is the conjugate transpose of the lower factor of A^H, whose
        // lower triangle is A's upper triangle. Factored in place in the output.
        if upper {
            lo.copy_from_triangular_lower(am.adjoint());
        } else {
            lo.copy_from_triangular_lower(am);
        }
        let par = la_par(nb, n);
        let mut mem = MemBuffer::new(f::cholesky_in_place_scratch::<T>(n, par, Default::default()));
        let r = f::cholesky_in_place(lo.as_mut(), Default::default(), par, MemStack::new(&mut mem), Default::default());
        match r {
            Ok(_) => {
                for j in 0..n {
                    for i in 0..j {
                        lo[(i, j)] = mu::zero();
                    }
                }
                if upper {
                    for j in 0..n {
                        for i in j..n {
                            let v = lo[(i, j)];
                            lo[(i, j)] = mu::zero();
                            lo[(j, i)] = mu::conj(&v);
                        }
                    }
                }
            }
            Err(faer::linalg::cholesky::llt::factor::LltError::NonPositivePivot { index }) => {
                zero_fill(lo);
                info.get::<i32>(b)[0] = index as i32 + 1;
            }
        }
    });
    Ok((l.t, info.t))
}
/// The first n columns of the product of the Householder reflectors `H_i = I - tau_i v_i v_i^H`
/// stored below the diagonal of A (*, m, n) with tau (*, k) (LAPACK's orgqr/ungqr).
pub fn householder_product(a: &Tensor, tau: &Tensor) -> Result<Tensor> {
    crate::resolve_bits!(a);
    crate::resolve_bits!(tau);
    check("linalg.householder_product", &[a])?;
    if tau.dtype != a.dtype || tau.ndim() != a.ndim() - 1 {
        bail!(runtime, "linalg.householder_product: internal shape mismatch");
    }
    let tau = tau.contiguous()?;
    guarded("linalg.householder_product", || la_dispatch!(a.dtype, T => hh_t::<T>(a, &tau)))
}

fn hh_t<T: Sc>(a: &Tensor, tau: &Tensor) -> Result<Tensor> {
    let g = Mats::of(a);
    let (m, n) = (g.m, g.n);
    let k = *tau.shape().last().unwrap_or(&0);
    let tp = tau.data_ptr();
    let q = Out::new(&g.batch, m, n, a.dtype, true)?;
    each(g.count(), m.max(n), |b| unsafe {
        let am = g.get::<T>(b);
        let mut qo = q.get::<T>(b);
        for i in 0..m.min(n) {
            qo[(i, i)] = mu::one();
        }
        let taus = std::slice::from_raw_parts((tp as *const T).add(b * k), k);
        for i in (0..k.min(n)).rev() {
            let t = taus[i];
            // v = [0.., 1, A[i+1.., i]]; Q[i.., :] -= tau v (v^H Q[i.., :]).
            for j in 0..n {
                let mut dot: T = qo[(i, j)];
                for r in i + 1..m {
                    dot = mu::add(&dot, &mu::mul(&mu::conj(&am[(r, i)]), &qo[(r, j)]));
                }
                let w = mu::mul(&t, &dot);
                qo[(i, j)] = mu::sub(&qo[(i, j)], &w);
                for r in i + 1..m {
                    qo[(r, j)] = mu::sub(&qo[(r, j)], &mu::mul(&am[(r, i)], &w));
                }
            }
        }
    });
    Ok(q.t)
}
