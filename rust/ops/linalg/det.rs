//! Determinants: `(sign, logabsdet, det)` from LAPACK-order LU factors (getrf / getf2).
use faer::traits::math_utils as mu;

use super::getrf::getrf;
use super::small::Lk;
use super::{Mats, OutVec, Sc, check, each, guarded, lu_par, pool_split, r2f, small, use_small};
use crate::error::Result;
use crate::tensor::Tensor;

/// `(sign, logabsdet, det)` of square matrices from their LU factorisation.
pub fn slogdet(a: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
    crate::resolve_bits!(a);
    check("linalg.slogdet", &[a])?;
    guarded("linalg.slogdet", || la_dispatch!(a.dtype, T => slogdet_t::<T>(a)))
}

fn slogdet_t<T: Sc>(a: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
    let g = Mats::of(a);
    let n = g.n;
    let sign = OutVec::new(&g.batch, None, a.dtype)?;
    let logabs = OutVec::new(&g.batch, None, a.dtype.to_real())?;
    let det = OutVec::new(&g.batch, None, a.dtype)?;
    if use_small(n, n) {
        small::slogdet::<T>(&g, &sign, &logabs, &det);
        return Ok((sign.t, logabs.t, det.t));
    }
    let nb = g.count();
    each(nb, n, |b| unsafe {
        let (s, l, d) = if n == 0 {
            (mu::one(), mu::zero(), mu::one())
        } else {
            let mut lu = faer::Mat::<T>::zeros(n, n);
            lu.copy_from(g.get::<T>(b));
            let mut piv = vec![0i32; n];
            getrf(lu.as_mut(), &mut piv, lu_par(nb, n), pool_split(nb, n));
            from_lu((0..n).map(|i| lu[(i, i)]), &piv)
        };
        sign.get::<T>(b)[0] = s;
        logabs.get::<T::Real>(b)[0] = l;
        det.get::<T>(b)[0] = d;
    });
    Ok((sign.t, logabs.t, det.t))
}

/// `(sign, logabsdet, det)` from the diagonal of U and the pivots. det is torch's
/// `det_P * prod(diag(U))`, the product taken in order from 1 with the plain complex product,
/// so an overflowing complex64 product turns to nan where torch's does.
fn from_lu<T: Sc>(diag: impl Iterator<Item = T>, piv: &[i32]) -> (T, T::Real, T) {
    let swaps = piv.iter().enumerate().filter(|(i, p)| **p as usize != i + 1).count();
    let p: T = if swaps % 2 == 1 { -<T as Lk>::one() } else { <T as Lk>::one() };
    let mut s = p;
    let mut d = <T as Lk>::one();
    let mut l = 0.0f64;
    for x in diag {
        d *= x;
        let ax = r2f(&mu::abs(&x));
        l += ax.ln();
        if ax == 0.0 || ax.is_nan() {
            s = if ax.is_nan() { mu::nan() } else { mu::zero() };
        } else if ax.is_finite() {
            s *= mu::mul_real(&x, &mu::from_f64::<T::Real>(1.0 / ax));
        }
    }
    if r2f(&mu::abs(&s)) == 0.0 {
        l = f64::NEG_INFINITY;
    }
    (s, mu::from_f64(l), p * d)
}
