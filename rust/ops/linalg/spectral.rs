//! SVD and eigen-decompositions (faer): `svd`, `eigh`, `eig`. faer's low-level routines are
//! called with an explicit parallelism (`spec_par`) instead of its global setting (rayon's whole
//! pool for every call, batched 8x8s included), writing straight into the outputs, with one
//! scratch buffer per rayon job of a batch instead of fresh matrices per call.
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::{self, ComputeEigenvectors as Ev};
use faer::linalg::svd::{self as fsvd, ComputeSvdVectors as Sv};
use faer::prelude::ReborrowMut;
use faer::traits::RealField;
use faer::traits::math_utils as mu;
use faer::diag::Diag;
use faer::{Mat, MatMut, MatRef, Par};
use num_complex::Complex;

use super::small::batch;
use super::{Mats, Out, OutVec, Sc, check, guarded, nan_fill, r2f};
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

/// faer's parallelism for one decomposition of order `n` in a batch of `nb`: sequential inside a
/// batch (the batch is what runs in parallel) and for a single matrix below `seq_below`, rayon's
/// whole pool above it.
fn spec_par(nb: usize, n: usize, seq_below: usize) -> Par {
    if nb > 1 || n < seq_below || rayon::current_num_threads() < 2 { Par::Seq } else { Par::rayon(0) }
}

/// Below this order a single svd / eigh runs sequentially: on two threads faer's parallel
/// versions took 8-15% longer at 256, and 10-50% less time at 1024.
const SEQ_BELOW: usize = 512;
/// The same for eig, whose parallel version was slower at every size measured on two threads
/// (256: 62 ms against 33 sequential; 1024: 1.31 s against 1.15).
const EIG_SEQ_BELOW: usize = 2048;

/// Work per matrix for `batch`'s split (~ flops of a dense decomposition of order n).
fn work(n: usize) -> usize {
    8 * n * n * n + 1
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
    let nb = g.count();
    let par = spec_par(nb, k, SEQ_BELOW);
    let cv = if !compute_uv {
        Sv::No
    } else if full {
        Sv::Full
    } else {
        Sv::Thin
    };
    let init = || {
        let req = if k == 0 { faer::dyn_stack::StackReq::EMPTY } else { fsvd::svd_scratch::<T>(m, n, cv, cv, par, Default::default()) };
        (MemBuffer::new(req), Diag::<T>::zeros(k))
    };
    batch(nb, work(m.max(n)), init, |(mem, sd): &mut (MemBuffer, Diag<T>), b| unsafe {
        let am = g.get::<T>(b);
        let sv = s.get::<T::Real>(b);
        let inf = info.get::<i32>(b);
        let mut outs = match (&u, &vh) {
            (Some(u), Some(vh)) => Some((u.get::<T>(b), vh.get::<T>(b))),
            _ => None,
        };
        if k == 0 {
            // Only the identity parts of full U / Vh remain.
            if let Some((uo, vo)) = &mut outs {
                for i in 0..uo.nrows().min(uo.ncols()) {
                    uo[(i, i)] = mu::one();
                }
                for i in 0..vo.nrows().min(vo.ncols()) {
                    vo[(i, i)] = mu::one();
                }
            }
            return;
        }
        // V is written into Vh's storage as its transpose, then conjugated into V^H.
        let (uo, vo) = match &mut outs {
            Some((uo, vo)) => (Some(uo.rb_mut()), Some(vo.rb_mut().transpose_mut())),
            None => (None, None),
        };
        let r = fsvd::svd(am, sd.as_mut(), uo, vo, par, MemStack::new(mem), Default::default());
        match r {
            Ok(()) => {
                let sc = sd.column_vector();
                for i in 0..k {
                    sv[i] = mu::real(&sc[i]);
                }
                if let Some((_, vo)) = &mut outs {
                    if !T::IS_REAL {
                        conj_all(vo.rb_mut());
                    }
                }
            }
            Err(_) => {
                inf[0] = 1;
                if let Some((uo, vo)) = outs {
                    nan_fill(uo);
                    nan_fill(vo);
                }
                sv.fill(mu::nan());
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

fn conj_all<T: Sc>(mut v: MatMut<'_, T>) {
    for j in 0..v.ncols() {
        for i in 0..v.nrows() {
            v[(i, j)] = mu::conj(&v[(i, j)]);
        }
    }
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
    let l = OutVec::new(&g.batch, Some(n), a.dtype.to_real())?;
    let v = if vectors { Some(Out::new(&g.batch, n, n, a.dtype, true)?) } else { None };
    let info = OutVec::new(&g.batch, None, DType::I32)?;
    let nb = g.count();
    let par = spec_par(nb, n, SEQ_BELOW);
    let ev = if vectors { Ev::Yes } else { Ev::No };
    let init = || (MemBuffer::new(evd::self_adjoint_evd_scratch::<T>(n, ev, par, Default::default())), Diag::<T>::zeros(n));
    batch(nb, work(n), init, |(mem, sd): &mut (MemBuffer, Diag<T>), b| unsafe {
        if n == 0 {
            return;
        }
        // The lower triangle of A^T is A's upper one, conjugated: the same eigenvalues, and
        // eigenvectors conjugated back below.
        let am = if upper { g.get::<T>(b).transpose() } else { g.get::<T>(b) };
        let lv = l.get::<T::Real>(b);
        let inf = info.get::<i32>(b);
        let mut vo = v.as_ref().map(|v| v.get::<T>(b));
        let r = evd::self_adjoint_evd(am, sd.as_mut(), vo.as_mut().map(|v| v.rb_mut()), par, MemStack::new(mem), Default::default());
        match r {
            Ok(()) => {
                let sc = sd.column_vector();
                for i in 0..n {
                    lv[i] = mu::real(&sc[i]);
                }
                if let Some(vo) = vo {
                    if upper && !T::IS_REAL {
                        conj_all(vo);
                    }
                }
            }
            Err(_) => eig_failed(inf, vo, lv),
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
    guarded("linalg.eig", || match a.dtype {
        DType::F32 => eig_real::<f32>(a, vectors),
        DType::F64 => eig_real::<f64>(a, vectors),
        DType::C64 => eig_cplx::<f32>(a, vectors),
        DType::C128 => eig_cplx::<f64>(a, vectors),
        d => crate::bail!(runtime, "linalg: unsupported dtype {}", d.name()),
    })
}

/// The complex outputs of `eig`: eigenvalues (*, n), eigenvectors (*, n, n) when `vectors`, info.
fn eig_outs(g: &Mats, cdt: DType, vectors: bool) -> Result<(OutVec, Option<Out>, OutVec)> {
    let n = g.n;
    Ok((
        OutVec::new(&g.batch, Some(n), cdt)?,
        if vectors { Some(Out::new(&g.batch, n, n, cdt, true)?) } else { None },
        OutVec::new(&g.batch, None, DType::I32)?,
    ))
}

fn eig_done(l: OutVec, v: Option<Out>, info: OutVec, cdt: DType) -> Result<(Tensor, Tensor, Tensor)> {
    let vt = match v {
        Some(v) => v.t,
        None => Tensor::zeros(&[0], cdt, Device::Cpu)?,
    };
    Ok((l.t, vt, info.t))
}

/// Per-job scratch of the real eig: faer's stack, the eigenvalues' real and imaginary parts, and
/// the real (paired-column) eigenvectors.
type RealEigScratch<R> = (MemBuffer, Diag<R>, Diag<R>, Mat<R>);

fn eig_real<R: Sc + RealField>(a: &Tensor, vectors: bool) -> Result<(Tensor, Tensor, Tensor)>
where
    Complex<R>: Sc,
{
    let g = Mats::of(a);
    let n = g.n;
    let cdt = a.dtype.to_complex();
    let (l, v, info) = eig_outs(&g, cdt, vectors)?;
    let nb = g.count();
    let par = spec_par(nb, n, EIG_SEQ_BELOW);
    let ev = if vectors { Ev::Yes } else { Ev::No };
    let init = || {
        let mem = MemBuffer::new(evd::evd_scratch::<R>(n, Ev::No, ev, par, Default::default()));
        (mem, Diag::<R>::zeros(n), Diag::<R>::zeros(n), Mat::<R>::zeros(if vectors { n } else { 0 }, if vectors { n } else { 0 }))
    };
    batch(nb, work(n), init, |(mem, sre, sim, ur): &mut RealEigScratch<R>, b| unsafe {
        if n == 0 {
            return;
        }
        let am: MatRef<'_, R> = g.get::<R>(b);
        let lv = l.get::<Complex<R>>(b);
        let inf = info.get::<i32>(b);
        let vo = v.as_ref().map(|v| v.get::<Complex<R>>(b));
        let uo = if vectors { Some(ur.as_mut()) } else { None };
        let r = evd::evd_real(am, sre.as_mut(), sim.as_mut(), None, uo, par, MemStack::new(mem), Default::default());
        match r {
            Ok(()) => {
                let (re, im) = (sre.column_vector(), sim.column_vector());
                match vo {
                    None => {
                        for i in 0..n {
                            lv[i] = Complex::new(re[i], im[i]);
                        }
                    }
                    Some(mut vo) => {
                        // faer's real_to_cplx: a complex pair is stored as (re, im) columns j, j+1.
                        let mut j = 0;
                        while j < n {
                            if im[j] == <R as super::small::Lk>::zero() || j + 1 == n {
                                lv[j] = Complex::new(re[j], <R as super::small::Lk>::zero());
                                for i in 0..n {
                                    vo[(i, j)] = Complex::new(ur[(i, j)], <R as super::small::Lk>::zero());
                                }
                                j += 1;
                            } else {
                                lv[j] = Complex::new(re[j], im[j]);
                                lv[j + 1] = Complex::new(re[j], -im[j]);
                                for i in 0..n {
                                    let (x, y) = (ur[(i, j)], ur[(i, j + 1)]);
                                    vo[(i, j)] = Complex::new(x, y);
                                    vo[(i, j + 1)] = Complex::new(x, -y);
                                }
                                j += 2;
                            }
                        }
                        normalize_cols(vo);
                    }
                }
            }
            Err(_) => eig_failed(inf, vo, lv),
        }
    });
    eig_done(l, v, info, cdt)
}

/// A decomposition that did not converge: info 1 and NaN eigenvalues and vectors.
fn eig_failed<C: Sc, L: faer::traits::ComplexField>(inf: &mut [i32], vo: Option<MatMut<'_, C>>, lv: &mut [L]) {
    inf[0] = 1;
    if let Some(vo) = vo {
        nan_fill(vo);
    }
    lv.fill(mu::nan());
}

fn eig_cplx<R: RealField>(a: &Tensor, vectors: bool) -> Result<(Tensor, Tensor, Tensor)>
where
    Complex<R>: Sc,
{
    let g = Mats::of(a);
    let n = g.n;
    let cdt = a.dtype;
    let (l, v, info) = eig_outs(&g, cdt, vectors)?;
    let nb = g.count();
    let par = spec_par(nb, n, EIG_SEQ_BELOW);
    let ev = if vectors { Ev::Yes } else { Ev::No };
    let init = || (MemBuffer::new(evd::evd_scratch::<Complex<R>>(n, Ev::No, ev, par, Default::default())), Diag::<Complex<R>>::zeros(n));
    batch(nb, work(n), init, |(mem, sd): &mut (MemBuffer, Diag<Complex<R>>), b| unsafe {
        if n == 0 {
            return;
        }
        let am = g.get::<Complex<R>>(b);
        let lv = l.get::<Complex<R>>(b);
        let inf = info.get::<i32>(b);
        let mut vo = v.as_ref().map(|v| v.get::<Complex<R>>(b));
        let r = evd::evd_cplx(am, sd.as_mut(), None, vo.as_mut().map(|v| v.rb_mut()), par, MemStack::new(mem), Default::default());
        match r {
            Ok(()) => {
                let sc = sd.column_vector();
                for i in 0..n {
                    lv[i] = sc[i];
                }
                if let Some(vo) = vo {
                    normalize_cols(vo);
                }
            }
            Err(_) => eig_failed(inf, vo, lv),
        }
    });
    eig_done(l, v, info, cdt)
}
