//! torch.linalg kernels on the `faer` crate: batched over leading dims, float32/float64 and
//! complex64/complex128, with zero-copy faer views over strided (transposed, sliced, expanded)
//! inputs and results laid out as torch lays them out (column-major matrices where LAPACK writes
//! them). Argument checking and torch's messages live in the Python layer (oxytorch.linalg);
//! these functions take already-validated float/complex tensors of rank >= 2 and report
//! per-matrix LAPACK-style `info` codes (int32) instead of raising.
use std::panic::{AssertUnwindSafe, catch_unwind};

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::traits::ComplexField;
use faer::traits::math_utils as mu;
use faer::{MatMut, MatRef, Par, Side};
use num_complex::Complex;
use rayon::prelude::*;

use crate::bail;
use crate::device::Device;
use crate::dtype::DType;
use crate::error::Result;
use crate::layout::Layout;
use crate::tensor::Tensor;

pub mod small;
use small::SMALL;

/// Runs `$body` with `$T` bound to the element type of a float/complex linalg dtype.
macro_rules! la_dispatch {
    ($dt:expr, $T:ident => $body:expr) => {{
        match $dt {
            DType::F32 => {
                type $T = f32;
                $body
            }
            DType::F64 => {
                type $T = f64;
                $body
            }
            DType::C64 => {
                type $T = Complex<f32>;
                $body
            }
            DType::C128 => {
                type $T = Complex<f64>;
                $body
            }
            d => bail!(runtime, "linalg: unsupported dtype {}", d.name()),
        }
    }};
}

/// A float/complex element faer can factor.
pub trait Sc: ComplexField + small::Lk + Copy + Send + Sync + 'static {}
impl Sc for f32 {}
impl Sc for f64 {}
impl Sc for Complex<f32> {}
impl Sc for Complex<f64> {}

fn r2f<R>(x: &R) -> f64 {
    // SAFETY: R is f32 or f64 (the real types of the four dispatched dtypes), told apart by size.
    unsafe {
        if std::mem::size_of::<R>() == 4 {
            *(x as *const R as *const f32) as f64
        } else {
            *(x as *const R as *const f64)
        }
    }
}

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

/// Turns a panic inside faer into a RuntimeError so none reaches Python.
fn guarded<R>(op: &str, f: impl FnOnce() -> Result<R>) -> Result<R> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => bail!(runtime, "{op}: internal error in the linear algebra backend"),
    }
}

fn check(op: &str, ts: &[&Tensor]) -> Result<()> {
    for t in ts {
        if t.device() != Device::Cpu {
            bail!(not_implemented, "[{op}] is not implemented for CUDA tensors yet; move the tensor to the CPU with .cpu() first");
        }
        if t.ndim() < 2 {
            bail!(runtime, "{op}: The input tensor must have at least 2 dimensions.");
        }
        if !matches!(t.dtype, DType::F32 | DType::F64 | DType::C64 | DType::C128) {
            bail!(runtime, "{op}: Expected a floating point or complex tensor as input. Got {}", t.dtype.scalar_name());
        }
    }
    if ts.iter().any(|t| t.dtype != ts[0].dtype) {
        bail!(runtime, "{op}: Expected all inputs to have the same dtype");
    }
    Ok(())
}

/// The matrices of a (*, m, n) tensor: batch shape, size, strides and each matrix's offset.
struct Mats {
    batch: Vec<usize>,
    m: usize,
    n: usize,
    rs: isize,
    cs: isize,
    base: usize,
    offs: Vec<isize>,
}

impl Mats {
    fn of(t: &Tensor) -> Mats {
        let l = &t.layout;
        let nd = l.shape.len();
        let batch = l.shape[..nd - 2].to_vec();
        let nb: usize = batch.iter().product();
        let mut offs = Vec::with_capacity(nb);
        let mut idx = vec![0usize; batch.len()];
        for _ in 0..nb {
            let mut o = l.offset as isize;
            for (k, &i) in idx.iter().enumerate() {
                o += i as isize * l.strides[k];
            }
            offs.push(o);
            for k in (0..idx.len()).rev() {
                idx[k] += 1;
                if idx[k] < batch[k] {
                    break;
                }
                idx[k] = 0;
            }
        }
        Mats {
            batch,
            m: l.shape[nd - 2],
            n: l.shape[nd - 1],
            rs: l.strides[nd - 2],
            cs: l.strides[nd - 1],
            base: t.storage.as_ptr() as usize,
            offs,
        }
    }
    fn count(&self) -> usize {
        self.offs.len()
    }
    /// A faer view of matrix `b`.
    ///
    /// # Safety
    /// `T` must be the tensor's element type and the tensor must outlive the view.
    unsafe fn get<'a, T: Sc>(&self, b: usize) -> MatRef<'a, T> {
        if self.m == 0 || self.n == 0 {
            return MatRef::from_row_major_slice(&[], self.m, self.n);
        }
        let p = (self.base as *const T).wrapping_offset(self.offs[b]);
        unsafe { MatRef::from_raw_parts(p, self.m, self.n, self.rs, self.cs) }
    }
}

/// A freshly allocated batch of (r x c) matrices, column-major per matrix when `colmajor`
/// (LAPACK's layout, which torch returns for factors), row-major otherwise.
struct Out {
    t: Tensor,
    ptr: usize,
    r: usize,
    c: usize,
    colmajor: bool,
}

impl Out {
    fn new(batch: &[usize], r: usize, c: usize, dt: DType, colmajor: bool) -> Result<Out> {
        let mut shape = batch.to_vec();
        shape.extend([r, c]);
        let t = if colmajor {
            let mut alloc = batch.to_vec();
            alloc.extend([c, r]);
            let base = Tensor::zeros(&alloc, dt, Device::Cpu)?;
            let mut l = Layout::contiguous(&alloc);
            let nd = shape.len();
            l.shape = shape;
            l.strides[nd - 2] = 1;
            l.strides[nd - 1] = r as isize;
            base.with_layout(l)
        } else {
            Tensor::zeros(&shape, dt, Device::Cpu)?
        };
        let ptr = t.storage.as_ptr() as usize;
        Ok(Out { t, ptr, r, c, colmajor })
    }
    /// A mutable faer view of matrix `b`.
    ///
    /// # Safety
    /// `T` is the element type; callers touch disjoint `b`s from different threads.
    unsafe fn get<'a, T: Sc>(&self, b: usize) -> MatMut<'a, T> {
        if self.r == 0 || self.c == 0 {
            return MatMut::from_row_major_slice_mut(&mut [], self.r, self.c);
        }
        let p = (self.ptr as *mut T).wrapping_add(b * self.r * self.c);
        let (rs, cs) = if self.colmajor { (1, self.r as isize) } else { (self.c as isize, 1) };
        unsafe { MatMut::from_raw_parts_mut(p, self.r, self.c, rs, cs) }
    }
}

/// A freshly allocated contiguous (*batch, k) tensor of vectors.
struct OutVec {
    t: Tensor,
    ptr: usize,
    k: usize,
}

impl OutVec {
    fn new(batch: &[usize], k: Option<usize>, dt: DType) -> Result<OutVec> {
        let mut shape = batch.to_vec();
        if let Some(k) = k {
            shape.push(k);
        }
        let t = Tensor::zeros(&shape, dt, Device::Cpu)?;
        let ptr = t.storage.as_ptr() as usize;
        Ok(OutVec { t, ptr, k: k.unwrap_or(1) })
    }
    /// # Safety
    /// `E` is the element type; callers touch disjoint `b`s from different threads.
    unsafe fn get<'a, E>(&self, b: usize) -> &'a mut [E] {
        if self.k == 0 {
            return &mut [];
        }
        unsafe { std::slice::from_raw_parts_mut((self.ptr as *mut E).add(b * self.k), self.k) }
    }
}

/// Runs `f` for every matrix of the batch: across rayon's pool when there is enough work,
/// inline otherwise (small single calls pay no scheduling cost).
fn each(nb: usize, n: usize, f: impl Fn(usize) + Sync + Send) {
    let work = nb.saturating_mul(n.max(1).pow(3));
    if nb > 1 && work >= 1 << 15 {
        (0..nb).into_par_iter().for_each(f);
    } else {
        (0..nb).for_each(f);
    }
}

/// faer's parallelism for one factorisation of order `n` in a batch of `nb`: sequential inside a
/// batch (the batch is what runs in parallel) and below `OXY_LA_SEQ_BELOW` (default 512), where
/// the pool's synchronisation costs more than it saves; rayon's whole pool otherwise.
fn la_par(nb: usize, n: usize) -> Par {
    static SEQ_BELOW: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let lim = *SEQ_BELOW.get_or_init(|| std::env::var("OXY_LA_SEQ_BELOW").ok().and_then(|v| v.parse().ok()).unwrap_or(512));
    if nb > 1 || n < lim || rayon::current_num_threads() < 2 { Par::Seq } else { Par::rayon(0) }
}

/// Whether a (m x n) batch takes the unblocked small-matrix kernels (`OXY_LA_SMALL` overrides
/// the size limit, 0 turning them off).
fn use_small(m: usize, n: usize) -> bool {
    static LIM: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let lim = *LIM.get_or_init(|| std::env::var("OXY_LA_SMALL").ok().and_then(|v| v.parse().ok()).unwrap_or(SMALL));
    m >= 1 && n >= 1 && m <= lim && n <= lim
}

fn nan_fill<T: Sc>(mut m: MatMut<'_, T>) {
    for j in 0..m.ncols() {
        for i in 0..m.nrows() {
            m[(i, j)] = mu::nan();
        }
    }
}

// ----------------------------------------------------------------------------------------------
// SVD

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

// ----------------------------------------------------------------------------------------------
// QR, Cholesky

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
    } else {
        qr_faer::<T>(&g, q.as_ref(), &r, qc);
    }
    let qt = match q {
        Some(q) => q.t,
        None => Tensor::zeros(&[0], a.dtype, Device::Cpu)?,
    };
    Ok((qt, r.t))
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

fn zero_fill<T: Sc>(mut m: MatMut<'_, T>) {
    for j in 0..m.ncols() {
        for i in 0..m.nrows() {
            m[(i, j)] = mu::zero();
        }
    }
}

// ----------------------------------------------------------------------------------------------
// LU family

/// LU of one matrix: the packed factors (unit-lower L below the diagonal, U on and above),
/// LAPACK's 1-based row-interchange pivots, and info (first zero pivot, 1-based).
fn lu_one<T: Sc>(am: MatRef<'_, T>, mut lu: MatMut<'_, T>, piv: &mut [i32]) -> i32 {
    let (m, n) = (am.nrows(), am.ncols());
    let k = m.min(n);
    if k == 0 {
        return 0;
    }
    let f = faer::linalg::solvers::PartialPivLu::new(am);
    let (l, u) = (f.L(), f.U());
    for j in 0..n {
        for i in 0..m {
            lu[(i, j)] = if i > j {
                if j < k { l[(i, j)] } else { mu::zero() }
            } else if i < k {
                u[(i, j)]
            } else {
                mu::zero()
            };
        }
    }
    // Replays the permutation as the sequence of row swaps LAPACK's getrf reports.
    let (fwd, _) = f.P().arrays();
    let mut at: Vec<usize> = (0..m).collect();
    let mut pos: Vec<usize> = (0..m).collect();
    for i in 0..k {
        let want = fwd[i];
        let j = pos[want];
        piv[i] = j as i32 + 1;
        let other = at[i];
        at.swap(i, j);
        pos[other] = j;
        pos[want] = i;
    }
    let zero: T = mu::zero();
    for i in 0..k {
        if u[(i, i)] == zero {
            return i as i32 + 1;
        }
    }
    0
}

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
    each(g.count(), g.m.max(g.n), |b| unsafe {
        info.get::<i32>(b)[0] = lu_one(g.get::<T>(b), lu.get::<T>(b), piv.get::<i32>(b));
    });
    Ok((lu.t, piv.t, info.t))
}

/// `(X, info)` with `A X = B` for square A (*, n, n) and B (*, n, k) of the same batch shape.
pub fn solve(a: &Tensor, b: &Tensor) -> Result<(Tensor, Tensor)> {
    crate::resolve_bits!(a);
    crate::resolve_bits!(b);
    check("linalg.solve", &[a, b])?;
    if a.shape()[..a.ndim() - 2] != b.shape()[..b.ndim() - 2] || a.shape()[a.ndim() - 1] != b.shape()[b.ndim() - 2] {
        bail!(runtime, "linalg.solve: internal shape mismatch");
    }
    guarded("linalg.solve", || la_dispatch!(a.dtype, T => solve_t::<T>(a, b)))
}

fn solve_t<T: Sc>(a: &Tensor, bt: &Tensor) -> Result<(Tensor, Tensor)> {
    let ga = Mats::of(a);
    let gb = Mats::of(bt);
    let n = ga.n;
    let x = Out::new(&gb.batch, gb.m, gb.n, a.dtype, true)?;
    let info = OutVec::new(&ga.batch, None, DType::I32)?;
    if use_small(n, n) {
        small::solve::<T>(&ga, Some(&gb), &x, &info);
        return Ok((x.t, info.t));
    }
    let nb = ga.count();
    each(nb, n, |b| unsafe {
        let xo = x.get::<T>(b);
        if n == 0 || gb.n == 0 {
            return;
        }
        info.get::<i32>(b)[0] = lu_solve_one(ga.get::<T>(b), Some(gb.get::<T>(b)), xo, la_par(nb, n));
    });
    Ok((x.t, info.t))
}

/// One LU (faer) and the two triangular solves: X = A^-1 B (B None: the identity, X = A^-1
/// from faer's LU inverse); returns info, X being nan for a singular A.
fn lu_solve_one<T: Sc>(am: MatRef<'_, T>, bm: Option<MatRef<'_, T>>, mut xo: MatMut<'_, T>, par: Par) -> i32 {
    use faer::linalg::lu::partial_pivoting as pp;
    let n = am.nrows();
    let mut lu = faer::Mat::<T>::zeros(n, n);
    lu.as_mut().copy_from(am);
    let mut fwd = vec![0usize; n];
    let mut bwd = vec![0usize; n];
    let mut fmem = MemBuffer::new(pp::factor::lu_in_place_scratch::<usize, T>(n, n, par, Default::default()));
    let (_, perm) =
        pp::factor::lu_in_place(lu.as_mut(), &mut fwd[..], &mut bwd[..], par, MemStack::new(&mut fmem), Default::default());
    let zero: T = mu::zero();
    if let Some(i) = (0..n).find(|&i| lu[(i, i)] == zero) {
        nan_fill(xo);
        return i as i32 + 1;
    }
    match bm {
        Some(bm) => {
            xo.copy_from(bm);
            let k = bm.ncols();
            let mut mem = MemBuffer::new(pp::solve::solve_in_place_scratch::<usize, T>(n, k, par));
            pp::solve::solve_in_place_with_conj(lu.as_ref(), lu.as_ref(), perm, faer::Conj::No, xo.as_mut(), par, MemStack::new(&mut mem));
        }
        None => {
            let mut mem = MemBuffer::new(pp::inverse::inverse_scratch::<usize, T>(n, par));
            pp::inverse::inverse(xo.as_mut(), lu.as_ref(), lu.as_ref(), perm, par, MemStack::new(&mut mem));
        }
    }
    0
}

/// `(A^-1, info)` for square matrices.
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
        info.get::<i32>(b)[0] = lu_solve_one(g.get::<T>(b), None, xo, la_par(nb, n));
    });
    Ok((x.t, info.t))
}

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
    each(g.count(), n, |b| unsafe {
        let sg = &mut sign.get::<T>(b)[0];
        let la = &mut logabs.get::<T::Real>(b)[0];
        let dt = &mut det.get::<T>(b)[0];
        if n == 0 {
            *sg = mu::one();
            *la = mu::zero();
            *dt = mu::one();
            return;
        }
        let am = g.get::<T>(b);
        let mut lu = faer::Mat::<T>::zeros(n, n);
        let mut piv = vec![0i32; n];
        lu_one(am, lu.as_mut(), &mut piv);
        let swaps = piv.iter().enumerate().filter(|(i, p)| **p as usize != i + 1).count();
        let mut s: T = if swaps % 2 == 1 { mu::neg(&mu::one::<T>()) } else { mu::one() };
        let mut d: T = s;
        let mut l = 0.0f64;
        for i in 0..n {
            let x = lu[(i, i)];
            d = mu::mul(&d, &x);
            let ax = r2f(&mu::abs(&x));
            l += ax.ln();
            if ax == 0.0 || ax.is_nan() {
                s = if ax.is_nan() { mu::nan() } else { mu::zero() };
            } else if ax.is_finite() {
                s = mu::mul(&s, &mu::mul_real(&x, &mu::from_f64::<T::Real>(1.0 / ax)));
            }
        }
        if r2f(&mu::abs(&s)) == 0.0 {
            l = f64::NEG_INFINITY;
        }
        *sg = s;
        *la = mu::from_f64(l);
        *dt = d;
    });
    Ok((sign.t, logabs.t, det.t))
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
    each(ga.count(), n, |b| unsafe {
        let mut xo = x.get::<T>(b);
        if n == 0 || gb.n == 0 {
            return;
        }
        xo.copy_from(gb.get::<T>(b));
        let am = ga.get::<T>(b);
        let par = Par::Seq;
        match (upper, unit) {
            (true, false) => ts::solve_upper_triangular_in_place(am, xo, par),
            (true, true) => ts::solve_unit_upper_triangular_in_place(am, xo, par),
            (false, false) => ts::solve_lower_triangular_in_place(am, xo, par),
            (false, true) => ts::solve_unit_lower_triangular_in_place(am, xo, par),
        }
    });
    Ok(x.t)
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
