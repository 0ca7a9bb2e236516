//! Activation math used by `torch.nn.functional`: elementwise activations (float16/bfloat16 computed
//! in float32 and rounded once) and numerically stable softmax / log_softmax / softmin over a dim.
use num_traits::Float;

use crate::backend::cpu::elementwise as ew;
use crate::backend::cpu::num::Stored;
use crate::backend::cpu::vmath as vm;
use crate::bail;
use crate::dtype::DType;
use crate::element::{Element, Pivot};
use crate::error::Result;
use crate::layout::{Layout, wrap_dim};
use crate::ops::unary::{UnaryOp, unary};
use crate::tensor::Tensor;

macro_rules! dispatch_float {
    ($dtype:expr, $S:ident => $body:expr) => {{
        match $dtype {
            DType::F16 => {
                type $S = half::f16;
                $body
            }
            DType::BF16 => {
                type $S = half::bf16;
                $body
            }
            DType::F32 => {
                type $S = f32;
                $body
            }
            DType::F64 => {
                type $S = f64;
                $body
            }
            d => crate::bail!(not_implemented, "\"{}\" not implemented for '{}'", "float_kernel", d.scalar_name()),
        }
    }};
}

fn float_input(x: &Tensor, name: &str) -> Result<()> {
    if x.device() != crate::device::Device::Cpu {
        bail!(not_implemented, "[{}] CUDA kernels are not implemented yet", name);
    }
    if !x.dtype.is_floating_point() {
        bail!(not_implemented, "\"{}_cpu\" not implemented for '{}'", name, x.dtype.scalar_name());
    }
    Ok(())
}

/// `f` applied to every element in the math type, into a tensor laid out like the input.
fn map_float<F>(x: &Tensor, f: F) -> Result<Tensor>
where
    F: Fn(f64, bool) -> f64 + Sync + Copy,
{
    let result = Tensor::for_overwrite_layout(x.preserved_layout(false), x.dtype)?;
    dispatch_float!(x.dtype, S => {
        type M = <S as Stored>::M;
        let g = move |a: S| -> S {
            let m: M = a.load();
            // Evaluate in the math type's precision: f32 math for f32/f16/bf16, f64 for f64.
            let v = f(m.to_pivot_f64(), std::mem::size_of::<M>() == 4);
            S::store(<M as Element>::from_pivot(Pivot::F(v)))
        };
        // SAFETY: same shape; result is fresh.
        unsafe { ew::unary(x.storage.as_ptr() as *const S, &x.layout, result.storage.as_ptr() as *mut S, &result.layout, g) }
    });
    Ok(result)
}

trait ToF64 {
    fn to_pivot_f64(self) -> f64;
}
impl ToF64 for f32 {
    #[inline(always)]
    fn to_pivot_f64(self) -> f64 {
        self as f64
    }
}
impl ToF64 for f64 {
    #[inline(always)]
    fn to_pivot_f64(self) -> f64 {
        self
    }
}

/// Rounds an f64 intermediate to f32 when the math type is f32 (so each step rounds as torch's).
#[inline(always)]
fn r(v: f64, f32_math: bool) -> f64 {
    if f32_math { v as f32 as f64 } else { v }
}

/// `hardtanh(x, min_val, max_val)` (relu6 is hardtanh(0, 6)); integers are clamped as themselves.
pub fn hardtanh(x: &Tensor, lo: f64, hi: f64) -> Result<Tensor> {
    crate::resolve_bits!(x);
    if x.dtype == DType::Bool || x.dtype.is_complex() {
        bail!(not_implemented, "\"hardtanh_cpu\" not implemented for '{}'", x.dtype.scalar_name());
    }
    use crate::ops::binary::Arg;
    let (l, h) = if x.dtype.is_floating_point() { (Pivot::F(lo), Pivot::F(hi)) } else { (Pivot::I(lo as i64), Pivot::I(hi as i64)) };
    crate::ops::ternary::clamp(x, Some(Arg::S(l)), Some(Arg::S(h)), None)
}

/// The parameterised activations by name (`p0`, `p1` as documented per name).
pub fn activation(name: &str, x: &Tensor, p0: f64, p1: f64) -> Result<Tensor> {
    crate::resolve_bits!(x);
    match name {
        "relu" => return unary(UnaryOp::Relu, x, None),
        "relu6" => return hardtanh(x, 0.0, 6.0),
        "sigmoid" => return unary(UnaryOp::Sigmoid, x, None),
        "tanh" => return unary(UnaryOp::Tanh, x, None),
        "gelu" => {
            float_input(x, "GeluKernelImpl")?;
            return unary(UnaryOp::Gelu, x, None);
        }
        "gelu_tanh" => {
            float_input(x, "GeluKernelImpl")?;
            return unary(UnaryOp::GeluTanh, x, None);
        }
        "silu" => {
            float_input(x, "silu")?;
            return unary(UnaryOp::Silu, x, None);
        }
        "mish" => {
            float_input(x, "mish")?;
            return unary(UnaryOp::Mish, x, None);
        }
        "logsigmoid" => {
            float_input(x, "log_sigmoid_cpu")?;
            return unary(UnaryOp::LogSigmoid, x, None);
        }
        "softplus" => {
            float_input(x, "softplus")?;
            return softplus(x, p0, p1);
        }
        // torch composes these two from tensor ops (integers promote to float).
        "softsign" => {
            use crate::ops::binary::{Arg, BinaryOp, binary};
            let den = binary(BinaryOp::Add, Arg::T(&unary(UnaryOp::Abs, x, None)?), Arg::S(Pivot::I(1)), None, None)?;
            return binary(BinaryOp::Div, Arg::T(x), Arg::T(&den), None, None);
        }
        "tanhshrink" => {
            use crate::ops::binary::{Arg, BinaryOp, binary};
            let t = unary(UnaryOp::Tanh, x, None)?;
            return binary(BinaryOp::Sub, Arg::T(x), Arg::T(&t), None, None);
        }
        _ => {}
    }
    float_input(x, if matches!(name, "selu" | "celu") { "elu" } else { name })?;
    let (a, b) = (p0, p1);
    match name {
        "leaky_relu" => map_float(x, move |v, f| if v > 0.0 { v } else { r(v * r(a, f), f) }),
        // elu(alpha, scale=p1): x > 0 ? scale * x : alpha * scale * expm1(x)
        "elu" => map_float(x, move |v, f| {
            let (al, sc) = (r(a, f), r(b, f));
            if v > 0.0 { r(v * sc, f) } else { r(r(v.exp_m1(), f) * r(al * sc, f), f) }
        }),
        "celu" => map_float(x, move |v, f| {
            let al = r(a, f);
            if v > 0.0 { v } else { r(r(r(v * r(1.0 / al, f), f).exp_m1(), f) * al, f) }
        }),
        "hardsigmoid" => map_float(x, move |v, f| r(r(v + 3.0, f).clamp(0.0, 6.0) / 6.0, f)),
        "hardswish" => map_float(x, move |v, f| r(r(v * r(v + 3.0, f).clamp(0.0, 6.0), f) / 6.0, f)),
        _ => bail!(value, "unknown activation {}", name),
    }
}

/// torch's softplus: `x` where `x * beta > threshold`, else `log1p(exp(x * beta)) / beta`.
pub fn softplus(x: &Tensor, beta: f64, threshold: f64) -> Result<Tensor> {
    crate::resolve_bits!(x);
    let src = x.contiguous()?;
    let result = Tensor::for_overwrite(x.shape(), x.dtype)?;
    let n = src.numel();
    match x.dtype {
        DType::F32 => {
            // SAFETY: contiguous buffers of n elements.
            let (a, o) = unsafe {
                (
                    std::slice::from_raw_parts(src.data_ptr() as *const f32, n),
                    std::slice::from_raw_parts_mut(result.data_ptr() as *mut f32, n),
                )
            };
            vm::softplus_f32(a, beta as f32, threshold as f32, o);
        }
        DType::F64 => {
            // SAFETY: contiguous buffers of n elements.
            let (a, o) = unsafe {
                (
                    std::slice::from_raw_parts(src.data_ptr() as *const f64, n),
                    std::slice::from_raw_parts_mut(result.data_ptr() as *mut f64, n),
                )
            };
            vm::softplus_f64(a, beta, threshold, o);
        }
        _ => {
            let (b, t) = (beta as f32, threshold as f32);
            dispatch_float!(x.dtype, S => {
                let g = move |v: S| -> S { S::store(<S as Stored>::M::from_pivot(Pivot::F(vm::softplus_f32_scalar(v.load().to_pivot_f64() as f32, b, t) as f64))) };
                // SAFETY: same shape; result is fresh.
                unsafe { ew::unary(src.storage.as_ptr() as *const S, &src.layout, result.storage.as_ptr() as *mut S, &result.layout, g) }
            });
        }
    }
    Ok(result)
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SoftmaxKind {
    Softmax,
    LogSoftmax,
    Softmin,
}

/// Numerically stable softmax / log_softmax / softmin over `dim` (half types in float32).
pub fn softmax(x: &Tensor, dim: i64, dtype: Option<DType>, kind: SoftmaxKind) -> Result<Tensor> {
    crate::resolve_bits!(x);
    if x.device() != crate::device::Device::Cpu {
        bail!(not_implemented, "[softmax] CUDA kernels are not implemented yet");
    }
    crate::ops::newdt::reject(x.dtype, "softmax_lastdim_kernel_impl", crate::ops::newdt::Refuse::All)?;
    let input = match dtype {
        Some(d) => x.to_dtype(d, false)?,
        None => x.clone(),
    };
    let name = if kind == SoftmaxKind::LogSoftmax { "log_softmax_lastdim_kernel_impl" } else { "softmax_lastdim_kernel_impl" };
    if !input.dtype.is_floating_point() {
        bail!(not_implemented, "\"{}\" not implemented for '{}'", name, input.dtype.scalar_name());
    }
    let nd = input.ndim();
    let d = wrap_dim(dim, nd.max(1))?;
    let input = if kind == SoftmaxKind::Softmin { unary(UnaryOp::Neg, &input, None)? } else { input };
    if nd == 0 {
        let v = if kind == SoftmaxKind::LogSoftmax { 0.0 } else { 1.0 };
        let out = Tensor::full(&[], Pivot::F(v), input.dtype, input.device())?;
        let nan = unary(UnaryOp::IsNan, &input, None)?;
        return crate::ops::ternary::where_(&nan, crate::ops::binary::Arg::T(&input), crate::ops::binary::Arg::T(&out), None);
    }
    // Move `dim` last, compute rows in f32/f64, then move it back.
    let mut perm: Vec<usize> = (0..nd).filter(|&i| i != d).collect();
    perm.push(d);
    let moved = input.with_layout(input.layout.permute(&perm));
    let math = if input.dtype == DType::F64 { DType::F64 } else { DType::F32 };
    let rows = moved.to_dtype(math, false)?.contiguous_copy()?;
    let len = input.shape()[d];
    let n = rows.numel();
    if len > 0 && n > 0 {
        let log = kind == SoftmaxKind::LogSoftmax;
        match math {
            DType::F32 => {
                // SAFETY: a fresh contiguous buffer of n elements.
                let buf = unsafe { std::slice::from_raw_parts_mut(rows.data_ptr() as *mut f32, n) };
                for row in buf.chunks_mut(len) {
                    softmax_row_f32(row, log);
                }
            }
            _ => {
                // SAFETY: a fresh contiguous buffer of n elements.
                let buf = unsafe { std::slice::from_raw_parts_mut(rows.data_ptr() as *mut f64, n) };
                for row in buf.chunks_mut(len) {
                    softmax_row_f64(row, log);
                }
            }
        }
    }
    let mut inv = vec![0usize; nd];
    for (i, &p) in perm.iter().enumerate() {
        inv[p] = i;
    }
    let back = rows.with_layout(rows.layout.permute(&inv));
    let out = Tensor::for_overwrite_layout(Layout::contiguous(input.shape()), input.dtype)?;
    out.copy_(&back)?;
    Ok(out)
}

fn softmax_row_f32(row: &mut [f32], log: bool) {
    let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| if v > m || v.is_nan() { v } else { m });
    let m = if max.is_infinite() && max < 0.0 { 0.0 } else { max };
    for v in row.iter_mut() {
        *v -= m;
    }
    if log {
        let mut tmp = row.to_vec();
        vm::exp_f32_inplace(&mut tmp);
        let sum: f64 = tmp.iter().map(|&v| v as f64).sum();
        let ls = (sum as f32).ln();
        for v in row.iter_mut() {
            *v -= ls;
        }
    } else {
        vm::exp_f32_inplace(row);
        let sum: f64 = row.iter().map(|&v| v as f64).sum();
        let s = sum as f32;
        for v in row.iter_mut() {
            *v /= s;
        }
    }
}

fn softmax_row_f64(row: &mut [f64], log: bool) {
    let max = row.iter().fold(f64::NEG_INFINITY, |m, &v| if v > m || v.is_nan() { v } else { m });
    let m = if max.is_infinite() && max < 0.0 { 0.0 } else { max };
    for v in row.iter_mut() {
        *v -= m;
    }
    let sum: f64 = row.iter().map(|&v| v.exp()).sum();
    if log {
        let ls = sum.ln();
        for v in row.iter_mut() {
            *v -= ls;
        }
    } else {
        for v in row.iter_mut() {
            *v = v.exp() / sum;
        }
    }
}

#[allow(dead_code)]
fn _float_bound<M: Float>(_: M) {}
