//! Blocked Householder QR with LAPACK's reflectors (geqrf + ungqr) for complex matrices above
//! `small::SMALL`. zlarfg makes each R diagonal entry real (beta = -sign(Re alpha) |x|, tau
//! complex) where faer's reflectors are Hermitian (tau real) and leave it complex; a diagonal
//! rephasing of faer's result cannot recover LAPACK's signs, since every later reflector depends on
//! the earlier ones, so Q and R are computed the LAPACK way: geqr2 on panels of `NB` columns, the
//! panel's triangular factor T (larft), and the block reflector applied to the trailing columns
//! and to Q with faer's matmul.
use faer::linalg::matmul::matmul;
use faer::traits::math_utils as mu;
use faer::prelude::{Reborrow, ReborrowMut};
use faer::{Accum, Mat, MatMut, MatRef, Par};

use super::Sc;
use super::small;

/// Panel width.
const NB: usize = 32;

/// One panel's block reflector H_j0 ... H_(j0+jb-1) = I - V T V^H (V unit lower trapezoidal).
struct Block<T: Sc> {
    j0: usize,
    v: Mat<T>,
    t: Mat<T>,
}

/// Factors `a` (m x n, column-major copy) in place: R on and above the diagonal; returns the
/// block reflectors that make Q.
fn factor<T: Sc>(a: &mut Mat<T>, par: Par) -> Vec<Block<T>> {
    let (m, n) = (a.nrows(), a.ncols());
    let k = m.min(n);
    let ld = a.col_stride() as usize;
    let mut tau = [mu::zero::<T>(); NB];
    let mut scratch = vec![mu::zero::<T>(); m];
    let mut blocks = Vec::with_capacity(k.div_ceil(NB));
    let mut j0 = 0;
    while j0 < k {
        let jb = NB.min(k - j0);
        let rows = m - j0;
        {
            // SAFETY: the panel (rows j0.., columns j0..j0+jb) lies inside `a`'s allocation, which
            // nothing else touches while this slice lives.
            let panel = unsafe {
                std::slice::from_raw_parts_mut(a.as_ptr_mut().add(j0 * ld + j0), (jb - 1) * ld + rows)
            };
            small::geqr2(panel, ld, rows, jb, &mut tau[..jb], &mut scratch);
        }
        let mut v = Mat::<T>::zeros(rows, jb);
        for j in 0..jb {
            v[(j, j)] = mu::one();
            for i in j + 1..rows {
                v[(i, j)] = a[(j0 + i, j0 + j)];
            }
        }
        let t = larft(v.as_ref(), &tau[..jb]);
        if j0 + jb < n {
            // C = H^H C = C - V T^H V^H C on the trailing columns.
            let c = a.as_mut().get_mut(j0.., j0 + jb..);
            apply(v.as_ref(), t.as_ref(), true, c, par);
        }
        blocks.push(Block { j0, v, t });
        j0 += jb;
    }
    blocks
}

/// larft (forward, columnwise): the upper triangular T with H_1 ... H_k = I - V T V^H.
fn larft<T: Sc>(v: MatRef<'_, T>, tau: &[T]) -> Mat<T> {
    let k = tau.len();
    let rows = v.nrows();
    let mut t = Mat::<T>::zeros(k, k);
    let mut w = vec![mu::zero::<T>(); k];
    for i in 0..k {
        let ti = tau[i];
        if ti == mu::zero() {
            continue;
        }
        // w = -tau_i V[:, :i]^H v_i (v_i is zero above row i), then T[:i, i] = T[:i, :i] w.
        for (r, wr) in w.iter_mut().enumerate().take(i) {
            let mut s = mu::zero::<T>();
            for q in i..rows {
                s += mu::conj(&v[(q, r)]) * v[(q, i)];
            }
            *wr = -(ti * s);
        }
        for r in 0..i {
            let mut s = mu::zero::<T>();
            for q in r..i {
                s += t[(r, q)] * w[q];
            }
            t[(r, i)] = s;
        }
        t[(i, i)] = ti;
    }
    t
}

/// C = (I - V T V^H) C, or with T^H when `adjoint` (applying the block reflector's adjoint).
fn apply<T: Sc>(v: MatRef<'_, T>, t: MatRef<'_, T>, adjoint: bool, mut c: MatMut<'_, T>, par: Par) {
    let k = t.nrows();
    let nc = c.ncols();
    if nc == 0 {
        return;
    }
    let mut w = Mat::<T>::zeros(k, nc);
    matmul(w.as_mut(), Accum::Replace, v.adjoint(), c.rb(), mu::one::<T>(), par);
    let mut w2 = Mat::<T>::zeros(k, nc);
    if adjoint {
        matmul(w2.as_mut(), Accum::Replace, t.adjoint(), w.as_ref(), mu::one::<T>(), par);
    } else {
        matmul(w2.as_mut(), Accum::Replace, t, w.as_ref(), mu::one::<T>(), par);
    }
    matmul(c.rb_mut(), Accum::Add, v, w2.as_ref(), mu::neg(&mu::one::<T>()), par);
}

/// Q (m x qc, the first qc columns of H_1 ... H_k; `q` None: not wanted) and R (rr x n) of the
/// matrix `am`, written into the zeroed column-major outputs.
pub(super) fn qr<T: Sc>(am: MatRef<'_, T>, q: Option<MatMut<'_, T>>, mut r: MatMut<'_, T>, par: Par) {
    let (m, n) = (am.nrows(), am.ncols());
    let k = m.min(n);
    let mut a = Mat::<T>::zeros(m, n);
    a.copy_from(am);
    let blocks = factor(&mut a, par);
    for j in 0..n {
        for i in 0..k.min(j + 1) {
            r[(i, j)] = a[(i, j)];
        }
    }
    if let Some(mut q) = q {
        let qc = q.ncols();
        for i in 0..m.min(qc) {
            q[(i, i)] = mu::one();
        }
        for b in blocks.iter().rev() {
            // Columns before j0 are still identity columns there, which these reflectors keep.
            let c0 = b.j0.min(qc);
            apply(b.v.as_ref(), b.t.as_ref(), false, q.rb_mut().get_mut(b.j0.., c0..), par);
        }
    }
}
