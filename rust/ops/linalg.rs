//! torch.linalg kernels on the `faer` crate: batched over leading dims, float32/float64 and
//! complex64/complex128, with zero-copy faer views over strided (transposed, sliced, expanded)
//! inputs and results laid out as torch lays them out (column-major matrices where LAPACK writes
//! them). Argument checking and torch's messages live in the Python layer (oxytorch.linalg);
//! these functions take already-validated float/complex tensors of rank >= 2 and report
//! per-matrix LAPACK-style `info` codes (int32) instead of raising.
//!
//! This file holds the shared plumbing (dtype dispatch, batch views, outputs, threading rules);
//! the operations are in the topic modules below.
use std::panic::{AssertUnwindSafe, catch_unwind};

use faer::traits::ComplexField;
use faer::traits::math_utils as mu;
use faer::{MatMut, MatRef, Par};
use num_complex::Complex;
use rayon::prelude::*;

use crate::bail;
use crate::device::Device;
use crate::dtype::DType;
use crate::error::Result;
use crate::layout::Layout;
use crate::tensor::Tensor;

/// Runs `$body` with `$T` bound to the element type of a float/complex linalg dtype.
macro_rules! la_dispatch {
    ($dt:expr, $T:ident => $body:expr) => {{
        match $dt {
            $crate::dtype::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::dtype::DType::F64 => {
                type $T = f64;
                $body
            }
            $crate::dtype::DType::C64 => {
                type $T = num_complex::Complex<f32>;
                $body
            }
            $crate::dtype::DType::C128 => {
                type $T = num_complex::Complex<f64>;
                $body
            }
            d => $crate::bail!(runtime, "linalg: unsupported dtype {}", d.name()),
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

mod decomp;
mod det;
mod geqrf;
mod getrf;
pub mod small;
mod solvers;
mod spectral;

pub use decomp::{cholesky, householder_product, qr};
pub use det::slogdet;
pub use solvers::{inv, lu_factor, solve, solve_triangular};
pub use spectral::{eig, eigh, svd};

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

/// Below this order one factorisation runs on one thread: measured at 256, the rayon pool's
/// synchronisation cost more than it saved (qr 6.2 -> 1.9 ms, solve 1.0 -> 0.7 ms).
const SEQ_BELOW: usize = 512;

/// faer's parallelism for one factorisation of order `n` in a batch of `nb`: sequential inside a
/// batch (the batch is what runs in parallel) and below `SEQ_BELOW`; rayon's whole pool otherwise.
fn la_par(nb: usize, n: usize) -> Par {
    if nb > 1 || n < SEQ_BELOW || rayon::current_num_threads() < 2 { Par::Seq } else { Par::rayon(0) }
}

/// From this order, one LU factorisation splits its column-wise updates across the intra-op pool
/// (`pool_split`): its workers are awake between ops, so a hand-off costs microseconds where
/// rayon's cost more than it saved at 256. At 512 and 1024 the split also beat faer's rayon LU on
/// two threads (solve 6.9 -> 3.8 ms and 30 -> 23 ms).
const POOL_MIN: usize = 128;

/// How many column chunks one LU factorisation of order `n` in a batch of `nb` splits its updates
/// into on the intra-op pool (torch.set_num_threads): 1 (none) inside a batch or below `POOL_MIN`.
fn pool_split(nb: usize, n: usize) -> usize {
    if nb > 1 || n < POOL_MIN { 1 } else { crate::backend::cpu::parallel::num_threads() }
}

/// faer's parallelism inside one LU factorisation: sequential when `pool_split` already divides
/// its updates over the intra-op pool, else `la_par`'s.
fn lu_par(nb: usize, n: usize) -> Par {
    if pool_split(nb, n) > 1 { Par::Seq } else { la_par(nb, n) }
}

/// Whether a (m x n) batch takes the unblocked small-matrix kernels.
fn use_small(m: usize, n: usize) -> bool {
    m >= 1 && n >= 1 && m <= small::SMALL && n <= small::SMALL
}

fn nan_fill<T: Sc>(mut m: MatMut<'_, T>) {
    for j in 0..m.ncols() {
        for i in 0..m.nrows() {
            m[(i, j)] = mu::nan();
        }
    }
}

fn zero_fill<T: Sc>(mut m: MatMut<'_, T>) {
    for j in 0..m.ncols() {
        for i in 0..m.nrows() {
            m[(i, j)] = mu::zero();
        }
    }
}
