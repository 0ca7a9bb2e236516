//! Kernels behind `torch.nn.functional`'s losses, normalisations and embedding: plain functions
//! over `&Tensor` (the autograd wrappers in `autograd::nnfn` call them). Half types compute in
//! float32 and round once; float64 computes in float64.
//!
//! Layout convention: every kernel makes its operands contiguous in the math dtype and views them
//! as `(outer, len, inner)` around the reduced dim, so one index formula serves every dim.
use num_traits::{One, Zero};

use crate::bail;
use crate::device::Device;
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;

/// The float type a kernel runs in.
pub trait Fl: num_traits::Float + Send + Sync + Copy + 'static {
    fn f(v: f64) -> Self;
    fn d(self) -> f64;
}
impl Fl for f32 {
    #[inline(always)]
    fn f(v: f64) -> f32 {
        v as f32
    }
    #[inline(always)]
    fn d(self) -> f64 {
        self as f64
    }
}
impl Fl for f64 {
    #[inline(always)]
    fn f(v: f64) -> f64 {
        v
    }
    #[inline(always)]
    fn d(self) -> f64 {
        self
    }
}

/// Float64 stays float64; every other float type computes in float32.
pub fn math_dtype(dt: DType) -> DType {
    if dt == DType::F64 { DType::F64 } else { DType::F32 }
}

/// `t` as a contiguous tensor of dtype `md` (no copy when it already is one).
pub fn dense(t: &Tensor, md: DType) -> Result<Tensor> {
    t.detached().to_dtype(md, false)?.contiguous()
}

/// The elements of a contiguous tensor of element type `T`.
///
/// # Safety
/// `t` must be contiguous with element type `T`.
pub unsafe fn sl<T>(t: &Tensor) -> &[T] {
    unsafe { std::slice::from_raw_parts(t.data_ptr() as *const T, t.numel()) }
}

/// Mutable elements of a fresh contiguous tensor of element type `T` that nothing else reads.
///
/// # Safety
/// `t` must be contiguous with element type `T` and not aliased during the borrow.
#[allow(clippy::mut_from_ref)]
pub unsafe fn sl_mut<T>(t: &Tensor) -> &mut [T] {
    unsafe { std::slice::from_raw_parts_mut(t.data_ptr() as *mut T, t.numel()) }
}

/// Runs `$body` with `$T` = f32 or f64 for the math dtype `$md`.
macro_rules! with_float {
    ($md:expr, $T:ident => $body:expr) => {{
        if $md == DType::F64 {
            type $T = f64;
            $body
        } else {
            type $T = f32;
            $body
        }
    }};
}

fn cpu_float(x: &Tensor, name: &str) -> Result<()> {
    if x.device() != Device::Cpu {
        bail!(not_implemented, "[{}] CUDA kernels are not implemented yet", name);
    }
    if !x.dtype.is_floating_point() {
        bail!(not_implemented, "\"{}\" not implemented for '{}'", name, x.dtype.scalar_name());
    }
    Ok(())
}

/// (outer, len, inner) of `shape` around `dim` (a 0-dim tensor is one element).
pub fn split3(shape: &[usize], dim: usize) -> (usize, usize, usize) {
    if shape.is_empty() {
        return (1, 1, 1);
    }
    let outer = shape[..dim].iter().product();
    let inner = shape[dim + 1..].iter().product();
    (outer, shape[dim], inner)
}

// ---------------------------------------------------------------------------------------------
// softmax / log_softmax forward (float32 / float64) with laned reductions
// ---------------------------------------------------------------------------------------------

/// Max of a row (NaN when any element is NaN), in 8 independent lanes so it vectorises.
#[inline]
fn lane_max<T: Fl>(x: &[T]) -> T {
    let mut m = [T::neg_infinity(); 8];
    let mut nan = false;
    let ch = x.chunks_exact(8);
    let rem = ch.remainder();
    for c in ch {
        for j in 0..8 {
            m[j] = if c[j] > m[j] { c[j] } else { m[j] };
            nan |= c[j].is_nan();
        }
    }
    for &v in rem {
        m[0] = if v > m[0] { v } else { m[0] };
        nan |= v.is_nan();
    }
    if nan {
        return T::nan();
    }
    m.iter().fold(T::neg_infinity(), |a, &b| if b > a { b } else { a })
}

/// Sum of a row accumulated in f64 over 4 independent lanes.
#[inline]
fn lane_sum<T: Fl>(x: &[T]) -> f64 {
    let mut s = [0f64; 4];
    let ch = x.chunks_exact(4);
    let rem = ch.remainder();
    for c in ch {
        for j in 0..4 {
            s[j] += c[j].d();
        }
    }
    let mut t = (s[0] + s[1]) + (s[2] + s[3]);
    for &v in rem {
        t += v.d();
    }
    t
}

/// Sum of `a[i] * b[i]` in f64 over 4 independent lanes.
#[inline]
fn lane_dot<T: Fl>(a: &[T], b: &[T]) -> f64 {
    let mut s = [0f64; 4];
    let n = a.len().min(b.len());
    let k = n / 4 * 4;
    for i in (0..k).step_by(4) {
        for j in 0..4 {
            s[j] += (a[i + j] * b[i + j]).d();
        }
    }
    let mut t = (s[0] + s[1]) + (s[2] + s[3]);
    for i in k..n {
        t += (a[i] * b[i]).d();
    }
    t
}

fn exp_inplace<T: Fl>(buf: &mut [T]) {
    // SAFETY: T is exactly f32 or f64 (the only Fl impls); the casts reinterpret the same slice.
    if std::mem::size_of::<T>() == 4 {
        crate::backend::cpu::vmath::exp_f32_inplace(unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr() as *mut f32, buf.len()) });
    } else {
        for v in buf.iter_mut() {
            *v = v.exp();
        }
    }
}

/// One row of softmax (or log_softmax) from `x` into `o`; `tmp` is scratch of the row's length.
fn softmax_row<T: Fl>(x: &[T], o: &mut [T], tmp: &mut [T], log: bool) {
    let max = lane_max(x);
    let m = if max.is_infinite() && max < T::zero() { T::zero() } else { max };
    for (d, &v) in o.iter_mut().zip(x) {
        *d = v - m;
    }
    if log {
        tmp.copy_from_slice(o);
        exp_inplace(tmp);
        let ls = T::f(T::f(lane_sum(tmp)).d()).ln();
        for d in o.iter_mut() {
            *d = *d - ls;
        }
    } else {
        exp_inplace(o);
        let s = T::f(lane_sum(o));
        for d in o.iter_mut() {
            *d = *d / s;
        }
    }
}

/// softmax / log_softmax over `dim` for float32/float64 CPU tensors of at least one dim (None for
/// other inputs, which take the general path). The result is contiguous.
pub fn softmax_forward(x: &Tensor, dim: usize, log: bool) -> Result<Option<Tensor>> {
    crate::resolve_bits!(x);
    if !matches!(x.dtype, DType::F32 | DType::F64) || x.device() != Device::Cpu || x.ndim() == 0 {
        return Ok(None);
    }
    let xc = x.detached().contiguous()?;
    let out = Tensor::for_overwrite(x.shape(), x.dtype)?;
    let (outer, len, inner) = split3(x.shape(), dim);
    if len == 0 || x.numel() == 0 {
        return Ok(Some(out));
    }
    with_float!(x.dtype, T => {
        // SAFETY: xc is contiguous of x's dtype; out is fresh.
        let (xs, os) = unsafe { (sl::<T>(&xc), sl_mut::<T>(&out)) };
        let mut tmp = vec![T::zero(); len];
        if inner == 1 {
            for (xr, or) in xs.chunks(len).zip(os.chunks_mut(len)) {
                softmax_row(xr, or, &mut tmp, log);
            }
        } else {
            let mut xb = vec![T::zero(); len];
            let mut ob = vec![T::zero(); len];
            for o in 0..outer {
                for i in 0..inner {
                    for k in 0..len {
                        xb[k] = xs[(o * len + k) * inner + i];
                    }
                    softmax_row(&xb, &mut ob, &mut tmp, log);
                    for k in 0..len {
                        os[(o * len + k) * inner + i] = ob[k];
                    }
                }
            }
        }
    });
    Ok(Some(out))
}

// ---------------------------------------------------------------------------------------------
// softmax / log_softmax backward
// ---------------------------------------------------------------------------------------------

/// The gradient of softmax (`y * (g - sum(g * y))`) or log_softmax (`g - exp(y) * sum(g)`) over
/// `dim`, given the forward output `y`. Result in `y`'s dtype, contiguous.
pub fn softmax_backward_data(g: &Tensor, y: &Tensor, dim: usize, log: bool) -> Result<Tensor> {
    let md = math_dtype(y.dtype);
    let (gc, yc) = (dense(g, md)?, dense(y, md)?);
    let out = Tensor::for_overwrite(y.shape(), md)?;
    let (outer, len, inner) = split3(y.shape(), dim);
    with_float!(md, T => {
        // SAFETY: contiguous tensors of the math dtype with y's shape; out is fresh.
        let (gs, ys, os) = unsafe { (sl::<T>(&gc), sl::<T>(&yc), sl_mut::<T>(&out)) };
        if inner == 1 {
            for ((gr, yr), or) in gs.chunks(len.max(1)).zip(ys.chunks(len.max(1))).zip(os.chunks_mut(len.max(1))) {
                if log {
                    let s = T::f(lane_sum(gr));
                    for k in 0..gr.len() {
                        or[k] = gr[k] - yr[k].exp() * s;
                    }
                } else {
                    let s = T::f(lane_dot(gr, yr));
                    for k in 0..gr.len() {
                        or[k] = yr[k] * (gr[k] - s);
                    }
                }
            }
        } else {
            let mut acc = vec![T::zero(); inner];
            for o in 0..outer {
                let base = o * len * inner;
                acc.iter_mut().for_each(|a| *a = T::zero());
                for k in 0..len {
                    let r = base + k * inner;
                    for i in 0..inner {
                        acc[i] = acc[i] + if log { gs[r + i] } else { gs[r + i] * ys[r + i] };
                    }
                }
                for k in 0..len {
                    let r = base + k * inner;
                    for i in 0..inner {
                        os[r + i] = if log { gs[r + i] - ys[r + i].exp() * acc[i] } else { ys[r + i] * (gs[r + i] - acc[i]) };
                    }
                }
            }
        }
    });
    out.to_dtype(y.dtype, false)
}

// ---------------------------------------------------------------------------------------------
// nll_loss
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Reduction {
    None,
    Mean,
    Sum,
}

impl Reduction {
    pub fn from_i64(r: i64) -> Result<Reduction> {
        Ok(match r {
            0 => Reduction::None,
            1 => Reduction::Mean,
            2 => Reduction::Sum,
            _ => bail!(value, "{} is not a valid value for reduction", r),
        })
    }
}

/// Target class indices as i64 (torch accepts Long or Byte targets).
fn target_i64(target: &Tensor) -> Result<Tensor> {
    match target.dtype {
        DType::I64 => target.detached().contiguous(),
        DType::U8 => target.detached().to_dtype(DType::I64, false)?.contiguous(),
        d => bail!(runtime, "expected target dtype to be Long or Byte, but got {}", legacy_type(d)),
    }
}

fn legacy_type(d: DType) -> &'static str {
    match d {
        DType::Bool => "Bool",
        DType::U8 => "Byte",
        DType::I8 => "Char",
        DType::I16 => "Short",
        DType::I32 => "Int",
        DType::I64 => "Long",
        DType::F16 => "Half",
        DType::BF16 => "BFloat16",
        DType::F32 => "Float",
        DType::F64 => "Double",
        DType::C32 => "ComplexHalf",
        DType::C64 => "ComplexFloat",
        DType::C128 => "ComplexDouble",
        d => d.scalar_name(),
    }
}

/// Validates `nll_loss` operands; returns (N, C, inner) with N = 1 for a 1-D input.
pub fn nll_check(input: &Tensor, target: &Tensor, weight: Option<&Tensor>) -> Result<(usize, usize, usize)> {
    let nd = input.ndim();
    if nd < 1 {
        bail!(value, "Expected 1 or more dimensions (got {})", nd);
    }
    if nd != 1 && target.ndim() >= 1 && input.shape()[0] != target.shape()[0] {
        bail!(value, "Expected input batch_size ({}) to match target batch_size ({}).", input.shape()[0], target.shape()[0]);
    }
    if !matches!(target.dtype, DType::I64 | DType::U8) {
        bail!(runtime, "expected target dtype to be Long or Byte, but got {}", legacy_type(target.dtype));
    }
    cpu_float(input, "nll_loss_out_frame")?;
    let c = if nd == 1 { input.shape()[0] } else { input.shape()[1] };
    if nd == 1 {
        if target.ndim() > 1 {
            bail!(runtime, "0D or 1D target tensor expected, multi-target not supported");
        }
        if target.ndim() == 1 && target.shape()[0] != 1 {
            bail!(value, "Expected input batch_size (1) to match target batch_size ({}).", target.shape()[0]);
        }
    } else if nd == 2 {
        if target.ndim() != 1 {
            bail!(runtime, "0D or 1D target tensor expected, multi-target not supported");
        }
    } else {
        let mut want = vec![input.shape()[0]];
        want.extend_from_slice(&input.shape()[2..]);
        if target.shape() != want.as_slice() {
            bail!(runtime, "Expected target size {:?}, got {:?}", want, target.shape());
        }
    }
    if let Some(w) = weight {
        if w.numel() != c || (w.ndim() != 1 && c != 0) {
            bail!(
                runtime,
                "weight tensor should be defined either for all {} classes or no classes but got weight tensor of shape: {:?}",
                c,
                w.shape()
            );
        }
    }
    let n = if nd == 1 { 1 } else { input.shape()[0] };
    let inner = if nd <= 2 { 1 } else { input.shape()[2..].iter().product() };
    Ok((n, c, inner))
}

/// `nll_loss` forward: (loss, total_weight). `loss` has the target's shape for reduction none.
pub fn nll_loss(input: &Tensor, target: &Tensor, weight: Option<&Tensor>, red: Reduction, ignore_index: i64) -> Result<(Tensor, Tensor)> {
    crate::resolve_bits!(input);
    crate::resolve_bits!(target);
    crate::resolve_opt_bits!(weight);
    let (n, c, inner) = nll_check(input, target, weight)?;
    let md = math_dtype(input.dtype);
    let x = dense(input, md)?;
    let t = target_i64(target)?;
    let w = match weight {
        Some(w) => Some(dense(w, md)?),
        None => None,
    };
    let out_shape: Vec<usize> = if red == Reduction::None { if input.ndim() == 1 { vec![] } else { target.shape().to_vec() } } else { vec![] };
    let out = if red == Reduction::None { Tensor::for_overwrite(&out_shape, md)? } else { Tensor::zeros(&[], md, Device::Cpu)? };
    let tw = Tensor::zeros(&[], md, Device::Cpu)?;
    with_float!(md, T => {
        // SAFETY: contiguous tensors of the math dtype (t: i64); out and tw are fresh.
        let (xs, ts) = unsafe { (sl::<T>(&x), sl::<i64>(&t)) };
        let ws = w.as_ref().map(|w| unsafe { sl::<T>(w) });
        let os = unsafe { sl_mut::<T>(&out) };
        let mut total = 0f64;
        let mut acc = 0f64;
        for b in 0..n {
            for i in 0..inner {
                let j = b * inner + i;
                let tv = ts[j];
                if tv == ignore_index {
                    if red == Reduction::None {
                        os[j] = T::zero();
                    }
                    continue;
                }
                if tv < 0 || tv as usize >= c {
                    bail!(index, "Target {} is out of bounds.", tv);
                }
                let k = tv as usize;
                let wv = ws.map(|w| w[k]).unwrap_or(T::one());
                let v = -xs[(b * c + k) * inner + i] * wv;
                if red == Reduction::None {
                    os[j] = v;
                } else {
                    acc += v.d();
                    total += wv.d();
                }
            }
        }
        if red != Reduction::None {
            os[0] = T::f(if red == Reduction::Mean { acc / total } else { acc });
            unsafe { sl_mut::<T>(&tw)[0] = T::f(total) };
        }
    });
    Ok((out.to_dtype(input.dtype, false)?, tw.to_dtype(input.dtype, false)?))
}

/// The gradient of `nll_loss` w.r.t. its input (zero except at the target entries).
pub fn nll_loss_backward(
    g: &Tensor,
    input_shape: &[usize],
    dtype: DType,
    target: &Tensor,
    weight: Option<&Tensor>,
    red: Reduction,
    ignore_index: i64,
    total_weight: &Tensor,
) -> Result<Tensor> {
    let md = math_dtype(dtype);
    let nd = input_shape.len();
    let c = if nd == 1 { input_shape[0] } else { input_shape[1] };
    let n = if nd == 1 { 1 } else { input_shape[0] };
    let inner: usize = if nd <= 2 { 1 } else { input_shape[2..].iter().product() };
    let gi = Tensor::zeros(input_shape, md, Device::Cpu)?;
    let gc = dense(g, md)?;
    let t = target_i64(target)?;
    let w = match weight {
        Some(w) => Some(dense(w, md)?),
        None => None,
    };
    let tw = dense(total_weight, DType::F64)?;
    with_float!(md, T => {
        // SAFETY: contiguous tensors of the math dtype; gi is fresh.
        let (gs, ts, os) = unsafe { (sl::<T>(&gc), sl::<i64>(&t), sl_mut::<T>(&gi)) };
        let ws = w.as_ref().map(|w| unsafe { sl::<T>(w) });
        let scale = match red {
            Reduction::None => T::one(),
            Reduction::Sum => gs[0],
            // SAFETY: tw is a contiguous f64 scalar.
            Reduction::Mean => T::f(gs[0].d() / unsafe { sl::<f64>(&tw) }[0]),
        };
        for b in 0..n {
            for i in 0..inner {
                let j = b * inner + i;
                let tv = ts[j];
                if tv == ignore_index || tv < 0 || tv as usize >= c {
                    continue;
                }
                let k = tv as usize;
                let wv = ws.map(|w| w[k]).unwrap_or(T::one());
                let gv = if red == Reduction::None { gs[j] } else { scale };
                os[(b * c + k) * inner + i] = -wv * gv;
            }
        }
    });
    gi.to_dtype(dtype, false)
}

mod embedding;
mod norm;
pub use embedding::*;
pub use norm::*;
