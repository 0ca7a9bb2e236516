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
use crate::element::Pivot;
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

// ---------------------------------------------------------------------------------------------
// Row normalisation (layer_norm, group_norm): stats per row, affine per "channel"
// ---------------------------------------------------------------------------------------------

/// Per-row mean and 1/sqrt(biased var + eps) of a contiguous `(rows, len)` buffer.
fn row_stats<T: Fl>(xs: &[T], rows: usize, len: usize, eps: f64, mean: &mut [T], rstd: &mut [T]) {
    for r in 0..rows {
        let row = &xs[r * len..(r + 1) * len];
        // Two-pass in f64 for the row sums (torch CPU uses a Welford / cascade sum in acc type).
        let m = row.iter().fold(0f64, |a, &v| a + v.d()) / len.max(1) as f64;
        let var = row.iter().fold(0f64, |a, &v| {
            let d = v.d() - m;
            a + d * d
        }) / len.max(1) as f64;
        mean[r] = T::f(m);
        rstd[r] = T::f(1.0 / (var + eps).sqrt());
    }
}

/// Normalises rows and applies the affine map: `chan(r, j)` is the weight/bias index of element j
/// of row r. Returns (y, mean, rstd) in the math dtype (y contiguous with `x`'s shape).
pub fn row_norm_forward(
    x: &Tensor,
    rows: usize,
    len: usize,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    eps: f64,
    chan: impl Fn(usize, usize) -> usize,
) -> Result<(Tensor, Tensor, Tensor)> {
    crate::resolve_bits!(x);
    crate::resolve_opt_bits!(weight);
    crate::resolve_opt_bits!(bias);
    let md = math_dtype(x.dtype);
    let xc = dense(x, md)?;
    let y = Tensor::for_overwrite(x.shape(), md)?;
    let mean = Tensor::for_overwrite(&[rows], md)?;
    let rstd = Tensor::for_overwrite(&[rows], md)?;
    let w = match weight {
        Some(w) => Some(dense(w, md)?),
        None => None,
    };
    let b = match bias {
        Some(b) => Some(dense(b, md)?),
        None => None,
    };
    with_float!(md, T => {
        // SAFETY: contiguous tensors of the math dtype; y, mean and rstd are fresh.
        let (xs, ys, ms, rs) = unsafe { (sl::<T>(&xc), sl_mut::<T>(&y), sl_mut::<T>(&mean), sl_mut::<T>(&rstd)) };
        let ws = w.as_ref().map(|t| unsafe { sl::<T>(t) });
        let bs = b.as_ref().map(|t| unsafe { sl::<T>(t) });
        row_stats(xs, rows, len, eps, ms, rs);
        for r in 0..rows {
            let (m, s) = (ms[r], rs[r]);
            for j in 0..len {
                let k = r * len + j;
                let mut v = (xs[k] - m) * s;
                if ws.is_some() || bs.is_some() {
                    let c = chan(r, j);
                    if let Some(ws) = ws {
                        v = v * ws[c];
                    }
                    if let Some(bs) = bs {
                        v = v + bs[c];
                    }
                }
                ys[k] = v;
            }
        }
    });
    Ok((y, mean, rstd))
}

/// Gradients of `row_norm_forward`: (grad_input, grad_weight, grad_bias) in the math dtype.
/// `nchan` is the length of weight/bias; `want` says which gradients to compute.
#[allow(clippy::too_many_arguments)]
pub fn row_norm_backward(
    g: &Tensor,
    x: &Tensor,
    mean: &Tensor,
    rstd: &Tensor,
    weight: Option<&Tensor>,
    rows: usize,
    len: usize,
    nchan: usize,
    want: [bool; 3],
    chan: impl Fn(usize, usize) -> usize,
) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
    let md = math_dtype(x.dtype);
    let (gc, xc, mc, rc) = (dense(g, md)?, dense(x, md)?, dense(mean, md)?, dense(rstd, md)?);
    let w = match weight {
        Some(w) => Some(dense(w, md)?),
        None => None,
    };
    let gx = if want[0] { Some(Tensor::for_overwrite(x.shape(), md)?) } else { None };
    let gw = if want[1] { Some(Tensor::zeros(&[nchan], md, Device::Cpu)?) } else { None };
    let gb = if want[2] { Some(Tensor::zeros(&[nchan], md, Device::Cpu)?) } else { None };
    with_float!(md, T => {
        // SAFETY: contiguous tensors of the math dtype; gx, gw, gb are fresh.
        let (gs, xs, ms, rs) = unsafe { (sl::<T>(&gc), sl::<T>(&xc), sl::<T>(&mc), sl::<T>(&rc)) };
        let ws = w.as_ref().map(|t| unsafe { sl::<T>(t) });
        let mut gxs = gx.as_ref().map(|t| unsafe { sl_mut::<T>(t) });
        let mut gws = gw.as_ref().map(|t| unsafe { sl_mut::<T>(t) });
        let mut gbs = gb.as_ref().map(|t| unsafe { sl_mut::<T>(t) });
        let inv_len = 1.0 / len.max(1) as f64;
        for r in 0..rows {
            let (m, s) = (ms[r], rs[r]);
            let base = r * len;
            let (mut sum_gw, mut sum_gwx) = (0f64, 0f64);
            for j in 0..len {
                let k = base + j;
                let xh = (xs[k] - m) * s;
                let c = chan(r, j);
                let gv = gs[k];
                let gwv = match ws { Some(ws) => gv * ws[c], None => gv };
                sum_gw += gwv.d();
                sum_gwx += (gwv * xh).d();
                if let Some(gws) = gws.as_deref_mut() {
                    gws[c] = gws[c] + gv * xh;
                }
                if let Some(gbs) = gbs.as_deref_mut() {
                    gbs[c] = gbs[c] + gv;
                }
            }
            if let Some(gxs) = gxs.as_deref_mut() {
                let (a, bq) = (T::f(sum_gw * inv_len), T::f(sum_gwx * inv_len));
                for j in 0..len {
                    let k = base + j;
                    let xh = (xs[k] - m) * s;
                    let gwv = match ws { Some(ws) => gs[k] * ws[chan(r, j)], None => gs[k] };
                    gxs[k] = s * (gwv - a - xh * bq);
                }
            }
        }
    });
    Ok((gx, gw, gb))
}

// ---------------------------------------------------------------------------------------------
// batch_norm: stats per channel over (N, inner)
// ---------------------------------------------------------------------------------------------

/// Batch statistics of a contiguous `(n, c, inner)` buffer: (mean, biased var) per channel, f64.
fn channel_stats<T: Fl>(xs: &[T], n: usize, c: usize, inner: usize) -> (Vec<f64>, Vec<f64>) {
    let cnt = (n * inner).max(1) as f64;
    let mut mean = vec![0f64; c];
    let mut var = vec![0f64; c];
    for ch in 0..c {
        let mut s = 0f64;
        for b in 0..n {
            let base = (b * c + ch) * inner;
            s += xs[base..base + inner].iter().fold(0f64, |a, &v| a + v.d());
        }
        let m = s / cnt;
        let mut q = 0f64;
        for b in 0..n {
            let base = (b * c + ch) * inner;
            q += xs[base..base + inner].iter().fold(0f64, |a, &v| {
                let d = v.d() - m;
                a + d * d
            });
        }
        mean[ch] = m;
        var[ch] = q / cnt;
    }
    (mean, var)
}

/// `native_batch_norm` forward: (y, save_mean, save_invstd) in the math dtype. In training mode
/// the running stats (when given) are updated in place with `momentum` (unbiased variance).
#[allow(clippy::too_many_arguments)]
pub fn batch_norm_forward(
    x: &Tensor,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    running_mean: Option<&Tensor>,
    running_var: Option<&Tensor>,
    training: bool,
    momentum: f64,
    eps: f64,
) -> Result<(Tensor, Tensor, Tensor)> {
    crate::resolve_bits!(x);
    crate::resolve_opt_bits!(weight);
    crate::resolve_opt_bits!(bias);
    cpu_float(x, "batch_norm")?;
    if x.ndim() < 2 {
        bail!(runtime, "running_mean should contain {} elements not {}", x.shape().first().copied().unwrap_or(1), 0);
    }
    let (n, c) = (x.shape()[0], x.shape()[1]);
    let inner: usize = x.shape()[2..].iter().product();
    for (t, nm) in [(weight, "weight"), (bias, "bias"), (running_mean, "running_mean"), (running_var, "running_var")] {
        if let Some(t) = t {
            if t.numel() != c {
                bail!(runtime, "{} should contain {} elements not {}", nm, c, t.numel());
            }
        }
    }
    if !training && (running_mean.is_none() || running_var.is_none()) {
        bail!(runtime, "running_mean and running_var must be defined in evaluation mode");
    }
    let md = math_dtype(x.dtype);
    let xc = dense(x, md)?;
    let y = Tensor::for_overwrite(x.shape(), md)?;
    let (w, b) = (weight.map(|t| dense(t, md)).transpose()?, bias.map(|t| dense(t, md)).transpose()?);
    let save_mean = Tensor::for_overwrite(&[if training { c } else { 0 }], md)?;
    let save_invstd = Tensor::for_overwrite(&[if training { c } else { 0 }], md)?;
    with_float!(md, T => {
        // SAFETY: contiguous tensors of the math dtype; y and the saves are fresh.
        let (xs, ys) = unsafe { (sl::<T>(&xc), sl_mut::<T>(&y)) };
        let ws = w.as_ref().map(|t| unsafe { sl::<T>(t) });
        let bs = b.as_ref().map(|t| unsafe { sl::<T>(t) });
        let (mean, invstd): (Vec<f64>, Vec<f64>) = if training {
            let (m, v) = channel_stats(xs, n, c, inner);
            let inv: Vec<f64> = v.iter().map(|&v| 1.0 / (v + eps).sqrt()).collect();
            let (sm, si) = unsafe { (sl_mut::<T>(&save_mean), sl_mut::<T>(&save_invstd)) };
            for ch in 0..c {
                sm[ch] = T::f(m[ch]);
                si[ch] = T::f(inv[ch]);
            }
            if let (Some(rm), Some(rv)) = (running_mean, running_var) {
                let cnt = (n * inner) as f64;
                let unbiased: Vec<f64> = v.iter().map(|&v| if cnt > 1.0 { v * cnt / (cnt - 1.0) } else { f64::NAN }).collect();
                update_running(rm, &m, momentum)?;
                update_running(rv, &unbiased, momentum)?;
            } else if let Some(rm) = running_mean {
                update_running(rm, &m, momentum)?;
            }
            (m, inv)
        } else {
            let rm = dense(running_mean.unwrap_or(x), DType::F64)?;
            let rv = dense(running_var.unwrap_or(x), DType::F64)?;
            // SAFETY: contiguous f64 tensors of c elements (checked above).
            let (rms, rvs) = unsafe { (sl::<f64>(&rm), sl::<f64>(&rv)) };
            (rms.to_vec(), rvs.iter().map(|&v| 1.0 / (v + eps).sqrt()).collect())
        };
        for b in 0..n {
            for ch in 0..c {
                let (m, s) = (T::f(mean[ch]), T::f(invstd[ch]));
                let (wv, bv) = (ws.map(|w| w[ch]).unwrap_or(T::one()), bs.map(|b| b[ch]).unwrap_or(T::zero()));
                let base = (b * c + ch) * inner;
                for k in base..base + inner {
                    ys[k] = (xs[k] - m) * s * wv + bv;
                }
            }
        }
    });
    Ok((y, save_mean, save_invstd))
}

/// `running = (1 - momentum) * running + momentum * stat`, in place (in running's dtype).
fn update_running(running: &Tensor, stat: &[f64], momentum: f64) -> Result<()> {
    let cur = dense(running, DType::F64)?;
    // SAFETY: a contiguous f64 tensor with stat.len() elements.
    let vals = unsafe { sl::<f64>(&cur) };
    let upd: Vec<Pivot> = vals.iter().zip(stat).map(|(&r, &s)| Pivot::F((1.0 - momentum) * r + momentum * s)).collect();
    let t = crate::tensor::create::from_pivots(&upd, running.shape(), DType::F64)?;
    running.copy_(&t)
}

/// Gradients of batch_norm: (grad_input, grad_weight, grad_bias) in the math dtype. `mean`/`invstd`
/// are the saved batch stats in training, else the running mean and 1/sqrt(running_var + eps).
#[allow(clippy::too_many_arguments)]
pub fn batch_norm_backward(
    g: &Tensor,
    x: &Tensor,
    weight: Option<&Tensor>,
    mean: &[f64],
    invstd: &[f64],
    training: bool,
    want: [bool; 3],
) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
    let md = math_dtype(x.dtype);
    let (n, c) = (x.shape()[0], x.shape()[1]);
    let inner: usize = x.shape()[2..].iter().product();
    let (gc, xc) = (dense(g, md)?, dense(x, md)?);
    let w = weight.map(|t| dense(t, md)).transpose()?;
    let gx = if want[0] { Some(Tensor::for_overwrite(x.shape(), md)?) } else { None };
    let gw = if want[1] { Some(Tensor::for_overwrite(&[c], md)?) } else { None };
    let gb = if want[2] { Some(Tensor::for_overwrite(&[c], md)?) } else { None };
    let cnt = (n * inner).max(1) as f64;
    with_float!(md, T => {
        // SAFETY: contiguous tensors of the math dtype; outputs are fresh.
        let (gs, xs) = unsafe { (sl::<T>(&gc), sl::<T>(&xc)) };
        let ws = w.as_ref().map(|t| unsafe { sl::<T>(t) });
        let mut gxs = gx.as_ref().map(|t| unsafe { sl_mut::<T>(t) });
        for ch in 0..c {
            let (m, s) = (mean[ch], invstd[ch]);
            let (mut sg, mut sgx) = (0f64, 0f64);
            for b in 0..n {
                let base = (b * c + ch) * inner;
                for k in base..base + inner {
                    let gv = gs[k].d();
                    sg += gv;
                    sgx += gv * (xs[k].d() - m);
                }
            }
            if let Some(gw) = &gw {
                unsafe { sl_mut::<T>(gw)[ch] = T::f(sgx * s) };
            }
            if let Some(gb) = &gb {
                unsafe { sl_mut::<T>(gb)[ch] = T::f(sg) };
            }
            if let Some(gxs) = gxs.as_deref_mut() {
                let wv = ws.map(|w| w[ch].d()).unwrap_or(1.0);
                let (mt, st, ws_) = (T::f(m), T::f(s), T::f(wv * s));
                if training {
                    let a = T::f(sg / cnt);
                    let bq = T::f(sgx * s * s / cnt);
                    for b in 0..n {
                        let base = (b * c + ch) * inner;
                        for k in base..base + inner {
                            let xc_ = xs[k] - mt;
                            gxs[k] = (gs[k] - a - xc_ * bq) * ws_;
                        }
                    }
                    let _ = st;
                } else {
                    for b in 0..n {
                        let base = (b * c + ch) * inner;
                        for k in base..base + inner {
                            gxs[k] = gs[k] * ws_;
                        }
                    }
                }
            }
        }
    });
    Ok((gx, gw, gb))
}

// ---------------------------------------------------------------------------------------------
// embedding and one_hot
// ---------------------------------------------------------------------------------------------

fn index_i64(indices: &Tensor, what: &str) -> Result<Tensor> {
    match indices.dtype {
        DType::I64 => indices.detached().contiguous(),
        DType::I32 => indices.detached().to_dtype(DType::I64, false)?.contiguous(),
        d => bail!(
            runtime,
            "Expected tensor for argument #1 '{}' to have one of the following scalar types: Long, Int; but got torch.{}Tensor instead (while checking arguments for embedding)",
            what,
            legacy_type(d)
        ),
    }
}

/// `weight[indices]` for a 2-D weight: shape `indices.shape + [D]`.
pub fn embedding(weight: &Tensor, indices: &Tensor) -> Result<Tensor> {
    crate::resolve_bits!(weight);
    crate::resolve_bits!(indices);
    if weight.ndim() != 2 {
        bail!(runtime, "'weight' must be 2-D");
    }
    let idx = index_i64(indices, "indices")?;
    let (v, d) = (weight.shape()[0], weight.shape()[1]);
    let w = weight.detached().contiguous()?;
    let mut shape = indices.shape().to_vec();
    shape.push(d);
    let out = Tensor::for_overwrite(&shape, weight.dtype)?;
    let isz = weight.dtype.itemsize();
    // SAFETY: idx is contiguous i64.
    let is = unsafe { sl::<i64>(&idx) };
    for &i in is {
        if i < 0 || i as usize >= v {
            bail!(index, "index out of range in self");
        }
    }
    let (src, dst) = (w.data_ptr() as *const u8, out.data_ptr() as *mut u8);
    for (r, &i) in is.iter().enumerate() {
        // SAFETY: i < v rows of d elements; r < numel(indices) rows in out.
        unsafe { std::ptr::copy_nonoverlapping(src.add(i as usize * d * isz), dst.add(r * d * isz), d * isz) };
    }
    Ok(out)
}

/// The gradient of `embedding` w.r.t. its weight: rows of `g` summed into their indices.
pub fn embedding_backward(g: &Tensor, indices: &Tensor, num_weights: usize, padding_idx: i64, scale_grad_by_freq: bool) -> Result<Tensor> {
    let md = math_dtype(g.dtype);
    let gc = dense(g, md)?;
    let idx = index_i64(indices, "indices")?;
    let d = *g.shape().last().unwrap_or(&1);
    let out = Tensor::zeros(&[num_weights, d], md, Device::Cpu)?;
    // SAFETY: idx is contiguous i64.
    let is = unsafe { sl::<i64>(&idx) };
    let mut counts = vec![0usize; if scale_grad_by_freq { num_weights } else { 0 }];
    if scale_grad_by_freq {
        for &i in is {
            if i >= 0 && (i as usize) < num_weights {
                counts[i as usize] += 1;
            }
        }
    }
    with_float!(md, T => {
        // SAFETY: contiguous math-dtype tensors; out is fresh.
        let (gs, os) = unsafe { (sl::<T>(&gc), sl_mut::<T>(&out)) };
        for (r, &i) in is.iter().enumerate() {
            if i == padding_idx || i < 0 || i as usize >= num_weights {
                continue;
            }
            let k = i as usize;
            let sc = if scale_grad_by_freq { T::f(1.0 / counts[k] as f64) } else { T::one() };
            for j in 0..d {
                os[k * d + j] = os[k * d + j] + gs[r * d + j] * sc;
            }
        }
    });
    out.to_dtype(g.dtype, false)
}

/// `embedding_renorm_`: rows of `weight` referenced by `indices` whose `norm_type`-norm exceeds
/// `max_norm` are scaled (in place) to norm `max_norm` (torch's 1e-7 guard included).
pub fn embedding_renorm_(weight: &Tensor, indices: &Tensor, max_norm: f64, norm_type: f64) -> Result<()> {
    let idx = index_i64(indices, "indices")?;
    let (v, d) = (weight.shape()[0], weight.shape()[1]);
    // SAFETY: idx is contiguous i64.
    let mut is: Vec<i64> = unsafe { sl::<i64>(&idx) }.to_vec();
    is.sort_unstable();
    is.dedup();
    let md = math_dtype(weight.dtype);
    let wc = dense(weight, md)?.clone_tensor()?;
    let mut changed = false;
    with_float!(md, T => {
        // SAFETY: wc is a fresh contiguous copy.
        let ws = unsafe { sl_mut::<T>(&wc) };
        for &i in &is {
            if i < 0 || i as usize >= v {
                bail!(index, "index out of range in self");
            }
            let row = &mut ws[i as usize * d..(i as usize + 1) * d];
            let norm = if norm_type == 1.0 {
                row.iter().fold(0f64, |a, v| a + v.d().abs())
            } else if norm_type == 2.0 {
                row.iter().fold(0f64, |a, v| a + v.d() * v.d()).sqrt()
            } else if norm_type.is_infinite() {
                row.iter().fold(0f64, |a, v| a.max(v.d().abs()))
            } else {
                row.iter().fold(0f64, |a, v| a + v.d().abs().powf(norm_type)).powf(1.0 / norm_type)
            };
            let norm = T::f(norm).d();
            if norm > max_norm {
                let sc = T::f(max_norm / (norm + 1e-7));
                for x in row.iter_mut() {
                    *x = *x * sc;
                }
                changed = true;
            }
        }
    });
    if changed {
        weight.copy_(&wc)?;
    }
    Ok(())
}

/// `one_hot(indices, num_classes)`: int64 of shape `indices.shape + [num_classes]`.
pub fn one_hot(indices: &Tensor, num_classes: i64) -> Result<Tensor> {
    crate::resolve_bits!(indices);
    if indices.dtype != DType::I64 {
        bail!(runtime, "one_hot is only applicable to index tensor of type LongTensor.");
    }
    let idx = indices.detached().contiguous()?;
    // SAFETY: contiguous i64.
    let is = unsafe { sl::<i64>(&idx) };
    let nc = if num_classes == -1 {
        if is.is_empty() {
            bail!(runtime, "Can not infer total number of classes from empty tensor.");
        }
        is.iter().copied().max().unwrap_or(0) + 1
    } else {
        num_classes
    };
    if is.iter().any(|&i| i < 0) {
        bail!(runtime, "Class values must be non-negative.");
    }
    if num_classes < -1 {
        bail!(runtime, "num_classes should be positive");
    }
    if is.iter().any(|&i| i >= nc) {
        bail!(runtime, "Class values must be smaller than num_classes.");
    }
    let nc = nc as usize;
    let mut shape = indices.shape().to_vec();
    shape.push(nc);
    let out = Tensor::zeros(&shape, DType::I64, Device::Cpu)?;
    // SAFETY: out is fresh and contiguous.
    let os = unsafe { sl_mut::<i64>(&out) };
    for (r, &i) in is.iter().enumerate() {
        os[r * nc + i as usize] = 1;
    }
    Ok(out)
}
