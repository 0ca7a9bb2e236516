//! Unary elementwise ops: the dtype rules (integers promote to the default float dtype for float
//! functions), then vectorised vmath kernels for float32/float64 and generic kernels otherwise.
use num_complex::Complex;

use crate::backend::cpu::elementwise as ew;
use crate::backend::cpu::num::{Num, Stored};
use crate::backend::cpu::parallel::{PAR_THRESHOLD, run_chunks};
use crate::backend::cpu::vmath as vm;
use crate::bail;
use crate::device::Device;
use crate::dispatch;
use crate::dtype::{DType, default_dtype};
use crate::element::{C64, C128, Element};
use crate::error::Result;
use crate::tensor::Tensor;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Abs,
    Sign,
    Sgn,
    Square,
    Reciprocal,
    Floor,
    Ceil,
    Round,
    Trunc,
    Frac,
    Relu,
    BitNot,
    LogicalNot,
    IsNan,
    IsInf,
    IsPosInf,
    IsNegInf,
    IsFinite,
    Signbit,
    // Float functions (integers promote to the default float dtype).
    Sqrt,
    Rsqrt,
    Exp,
    Exp2,
    Expm1,
    Log,
    Log2,
    Log10,
    Log1p,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Sigmoid,
    Erf,
    Erfc,
    Erfinv,
    Silu,
    Gelu,
    GeluTanh,
    Mish,
    LogSigmoid,
}

type SliceF32 = fn(&[f32], &mut [f32]);
type SliceF64 = fn(&[f64], &mut [f64]);

/// The vmath kernels for a float function: (f32 slice, f32 scalar, f64 slice, f64 scalar).
fn float_kernels(op: UnaryOp) -> Option<(SliceF32, fn(f32) -> f32, SliceF64, fn(f64) -> f64)> {
    use UnaryOp::*;
    macro_rules! k {
        ($a:ident, $b:ident, $c:ident, $d:ident) => {
            Some((vm::$a as SliceF32, vm::$b as fn(f32) -> f32, vm::$c as SliceF64, vm::$d as fn(f64) -> f64))
        };
    }
    match op {
        Sqrt => k!(sqrt_f32, sqrt_f32_scalar, sqrt_f64, sqrt_f64_scalar),
        Rsqrt => k!(rsqrt_f32, rsqrt_f32_scalar, rsqrt_f64, rsqrt_f64_scalar),
        Exp => k!(exp_f32, exp_f32_scalar, exp_f64, exp_f64_scalar),
        Exp2 => k!(exp2_f32, exp2_f32_scalar, exp2_f64, exp2_f64_scalar),
        Expm1 => k!(expm1_f32, expm1_f32_scalar, expm1_f64, expm1_f64_scalar),
        Log => k!(log_f32, log_f32_scalar, log_f64, log_f64_scalar),
        Log2 => k!(log2_f32, log2_f32_scalar, log2_f64, log2_f64_scalar),
        Log10 => k!(log10_f32, log10_f32_scalar, log10_f64, log10_f64_scalar),
        Log1p => k!(log1p_f32, log1p_f32_scalar, log1p_f64, log1p_f64_scalar),
        Sin => k!(sin_f32, sin_f32_scalar, sin_f64, sin_f64_scalar),
        Cos => k!(cos_f32, cos_f32_scalar, cos_f64, cos_f64_scalar),
        Tan => k!(tan_f32, tan_f32_scalar, tan_f64, tan_f64_scalar),
        Asin => k!(asin_f32, asin_f32_scalar, asin_f64, asin_f64_scalar),
        Acos => k!(acos_f32, acos_f32_scalar, acos_f64, acos_f64_scalar),
        Atan => k!(atan_f32, atan_f32_scalar, atan_f64, atan_f64_scalar),
        Sinh => k!(sinh_f32, sinh_f32_scalar, sinh_f64, sinh_f64_scalar),
        Cosh => k!(cosh_f32, cosh_f32_scalar, cosh_f64, cosh_f64_scalar),
        Tanh => k!(tanh_f32, tanh_f32_scalar, tanh_f64, tanh_f64_scalar),
        Asinh => k!(asinh_f32, asinh_f32_scalar, asinh_f64, asinh_f64_scalar),
        Acosh => k!(acosh_f32, acosh_f32_scalar, acosh_f64, acosh_f64_scalar),
        Atanh => k!(atanh_f32, atanh_f32_scalar, atanh_f64, atanh_f64_scalar),
        Sigmoid => k!(sigmoid_f32, sigmoid_f32_scalar, sigmoid_f64, sigmoid_f64_scalar),
        Erf => k!(erf_f32, erf_f32_scalar, erf_f64, erf_f64_scalar),
        Erfc => k!(erfc_f32, erfc_f32_scalar, erfc_f64, erfc_f64_scalar),
        Erfinv => k!(erfinv_f32, erfinv_f32_scalar, erfinv_f64, erfinv_f64_scalar),
        Silu => k!(silu_f32, silu_f32_scalar, silu_f64, silu_f64_scalar),
        Gelu => k!(gelu_f32, gelu_f32_scalar, gelu_f64, gelu_f64_scalar),
        GeluTanh => k!(gelu_tanh_f32, gelu_tanh_f32_scalar, gelu_tanh_f64, gelu_tanh_f64_scalar),
        Mish => k!(mish_f32, mish_f32_scalar, mish_f64, mish_f64_scalar),
        LogSigmoid => k!(logsigmoid_f32, logsigmoid_f32_scalar, logsigmoid_f64, logsigmoid_f64_scalar),
        _ => None,
    }
}

impl UnaryOp {
    pub fn name(self) -> String {
        format!("{self:?}").to_lowercase()
    }
    fn bool_out(self) -> bool {
        use UnaryOp::*;
        matches!(self, LogicalNot | IsNan | IsInf | IsPosInf | IsNegInf | IsFinite | Signbit)
    }
}

/// (compute dtype, output dtype) for `op` on `dt`, with torch's refusals.
pub fn unary_dtypes(op: UnaryOp, dt: DType) -> Result<(DType, DType)> {
    use UnaryOp::*;
    let name = op.name();
    let unsupported = || -> Result<(DType, DType)> {
        bail!(not_implemented, "\"{}_cpu\" not implemented for '{}'", name, dt.scalar_name())
    };
    if dt.is_float8() && !matches!(op, Abs | IsNan | IsInf | IsFinite) {
        let kernel = match op {
            Sgn => "sign_cpu".to_string(),
            Square => "pow".to_string(),
            Relu => "clamp_min_scalar_cpu".to_string(),
            Sigmoid => "sigmoid_cpu_reduced_float".to_string(),
            Floor | Ceil | Round | Trunc => format!("{name}_vml_cpu"),
            _ if float_kernels(op).is_some() => format!("{name}_vml_cpu"),
            BitNot => "bitwise_not_cpu".to_string(),
            LogicalNot => "logical_not_cpu".to_string(),
            _ => format!("{name}_cpu"),
        };
        bail!(not_implemented, "\"{}\" not implemented for '{}'", kernel, dt.scalar_name());
    }
    if dt.is_big_unsigned() && matches!(op, Neg | Abs | Sign | Sgn | Square | Frac | BitNot | LogicalNot) {
        let kernel = match op {
            Sgn => "sign_cpu".to_string(),
            Square => "pow".to_string(),
            BitNot => "bitwise_not_cpu".to_string(),
            LogicalNot => "logical_not_cpu".to_string(),
            _ => format!("{name}_cpu"),
        };
        bail!(not_implemented, "\"{}\" not implemented for '{}'", kernel, dt.scalar_name());
    }
    if op.bool_out() {
        if dt.is_complex() && matches!(op, IsPosInf | IsNegInf) {
            bail!(type_error, "{} does not support complex inputs.", name);
        }
        if dt.is_complex() && op == Signbit {
            bail!(not_implemented, "signbit is not implemented for complex tensors.");
        }
        return Ok((dt, DType::Bool));
    }
    if float_kernels(op).is_some() || op == Reciprocal {
        if dt.is_complex() {
            return match op {
                Erfinv => bail!(not_implemented, "\"erfinv_vml_cpu\" not implemented for '{}'", dt.scalar_name()),
                Erf | Erfc | Silu | Gelu | GeluTanh | Mish | LogSigmoid => unsupported(),
                _ => Ok((dt, dt)),
            };
        }
        let c = if dt.is_floating_point() { dt } else { default_dtype() };
        return Ok((c, c));
    }
    match op {
        Neg if dt == DType::Bool => bail!(
            not_implemented,
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        ),
        Abs if dt.is_complex() => Ok((dt, dt.to_real())),
        Sign if dt.is_complex() => bail!(not_implemented, "Unlike NumPy, torch.sign is not intended to support complex numbers. Please use torch.sgn instead."),
        Floor | Ceil | Trunc if dt.is_complex() => bail!(not_implemented, "{} is not supported for complex inputs", name),
        Round if dt.is_complex() => bail!(not_implemented, "\"round_vml_cpu\" not implemented for '{}'", dt.scalar_name()),
        Relu if dt.is_complex() => bail!(not_implemented, "clamp is not supported for complex types"),
        Frac if dt.is_complex() => unsupported(),
        Frac if !dt.is_floating_point() => unsupported(),
        Relu if dt == DType::Bool => bail!(not_implemented, "Boolean inputs not supported for relu"),
        Abs if dt == DType::Bool => unsupported(),
        Floor | Ceil | Round | Trunc if dt == DType::Bool => {
            bail!(not_implemented, "\"{}_vml_cpu\" not implemented for 'Bool'", name)
        }
        // torch's square is pow(x, 2): a bool base with an integer exponent promotes to int64
        Square if dt == DType::Bool => Ok((DType::I64, DType::I64)),
        BitNot if !dt.is_integral(true) => bail!(not_implemented, "\"bitwise_not_cpu\" not implemented for '{}'", dt.scalar_name()),
        _ => Ok((dt, dt)),
    }
}

/// `op(a)` into a fresh tensor, or into `out` (already checked for shape and dtype castability).
pub fn unary(op: UnaryOp, a: &Tensor, out: Option<&Tensor>) -> Result<Tensor> {
    if a.device() != Device::Cpu {
        bail!(not_implemented, "[{}] CUDA kernels are not implemented yet", op.name());
    }
    let (compute, out_dt) = unary_dtypes(op, a.dtype)?;
    if let Some(o) = out {
        if !crate::promote::can_cast(out_dt, o.dtype) {
            bail!(runtime, "result type {} can't be cast to the desired output type {}", out_dt.scalar_name(), o.dtype.scalar_name());
        }
    }
    let input = a.to_dtype(compute, false)?;
    let direct = out.filter(|o| o.dtype == out_dt && o.shape() == a.shape() && !o.has_bits());
    let result = match direct {
        Some(o) => o.clone(),
        None => Tensor::for_overwrite_layout(input.preserved_layout(false), out_dt)?,
    };
    run(op, &input, &result);
    super::deliver(result, out, direct.is_some())
}

/// In-place `a.op_()`: the result must be castable back to `a`'s dtype.
pub fn unary_(op: UnaryOp, a: &Tensor) -> Result<()> {
    super::binary::check_no_internal_overlap(a)?;
    a.check_writable()?;
    unary(op, a, Some(a))?;
    Ok(())
}

fn run(op: UnaryOp, a: &Tensor, out: &Tensor) {
    if let Some((s32, f32s, s64, f64s)) = float_kernels(op) {
        match a.dtype {
            DType::F32 => return run_float(a, out, s32, f32s),
            DType::F64 => return run_float(a, out, s64, f64s),
            DType::F16 => return map::<half::f16, half::f16>(a, out, |x| Stored::store(f32s(x.load()))),
            DType::BF16 => return map::<half::bf16, half::bf16>(a, out, |x| Stored::store(f32s(x.load()))),
            DType::C32 | DType::C64 | DType::C128 => return run_complex(op, a, out),
            _ => {}
        }
    }
    if op == UnaryOp::Reciprocal {
        return dispatch!(a.dtype, S => map::<S, S>(a, out, |x| {
            let m = x.load();
            S::store(unit_like(m).div(m))
        }));
    }
    if matches!(op, UnaryOp::Sgn | UnaryOp::Reciprocal) && a.dtype.is_complex() {
        return run_complex(op, a, out);
    }
    if op.bool_out() {
        return dispatch!(a.dtype, S => map::<S, bool>(a, out, move |x| predicate(op, x.to_pivot())));
    }
    if op == UnaryOp::Abs && a.dtype.is_complex() {
        return match a.dtype {
            DType::C64 => map::<C64, f32>(a, out, |x| x.norm()),
            DType::C128 => map::<C128, f64>(a, out, |x| x.norm()),
            _ => map::<crate::element::C32, half::f16>(a, out, |x| half::f16::from_f32(x.load().norm())),
        };
    }
    // The hot ops get their own monomorphised loop so the op choice stays out of the inner loop.
    dispatch!(a.dtype, S => match op {
        UnaryOp::Neg => map::<S, S>(a, out, |x| S::store(x.load().neg())),
        UnaryOp::Abs => map::<S, S>(a, out, |x| S::store(x.load().abs())),
        UnaryOp::Square => map::<S, S>(a, out, |x| { let m = x.load(); S::store(m.mul(m)) }),
        UnaryOp::Relu => map::<S, S>(a, out, |x| {
            let m = x.load();
            let z = unit_like(m).sub(unit_like(m));
            S::store(if m.is_nan() || z.lt(m) { m } else { z })
        }),
        _ => map::<S, S>(a, out, move |x| S::store(same_type(op, x.load()))),
    })
}

fn unit_like<M: Element>(_: M) -> M {
    M::one()
}

fn map<A: Element, O: Element>(a: &Tensor, out: &Tensor, f: impl Fn(A) -> O + Sync) {
    // SAFETY: both layouts are in bounds of their storages and have the same shape.
    unsafe { ew::unary(a.storage.as_ptr() as *const A, &a.layout, out.storage.as_ptr() as *mut O, &out.layout, f) }
}

/// Contiguous float tensors go through the vectorised slice kernel, split across the pool.
fn run_float<T: Element>(a: &Tensor, out: &Tensor, slice: fn(&[T], &mut [T]), scalar: fn(T) -> T) {
    let n = a.numel();
    if a.is_contiguous() && out.is_contiguous() && a.layout.strides == out.layout.strides {
        let (pa, po) = (ew::SendPtr(a.data_ptr() as *mut T), ew::SendPtr(out.data_ptr() as *mut T));
        let chunk = if n >= PAR_THRESHOLD { 1 << 14 } else { n.max(1) };
        run_chunks(n.div_ceil(chunk), |c| {
            let (pa, po) = (pa, po);
            let s = c * chunk;
            let len = chunk.min(n - s);
            // SAFETY: chunks are disjoint ranges of two contiguous buffers of n elements.
            unsafe { slice(std::slice::from_raw_parts(pa.0.add(s), len), std::slice::from_raw_parts_mut(po.0.add(s), len)) }
        });
        return;
    }
    map::<T, T>(a, out, scalar)
}

fn predicate(op: UnaryOp, p: crate::element::Pivot) -> bool {
    use crate::element::Pivot::*;
    use UnaryOp::*;
    let (re, im) = match p {
        B(b) => (b as u8 as f64, 0.0),
        I(i) => (i as f64, 0.0),
        F(f) => (f, 0.0),
        C(r, i) => (r, i),
    };
    match op {
        LogicalNot => re == 0.0 && im == 0.0,
        IsNan => re.is_nan() || im.is_nan(),
        IsInf => re.is_infinite() || im.is_infinite(),
        IsPosInf => re == f64::INFINITY,
        IsNegInf => re == f64::NEG_INFINITY,
        IsFinite => re.is_finite() && im.is_finite(),
        _ => re.is_sign_negative() && !matches!(p, I(0) | B(_)),
    }
}

/// Ops that keep the element type (integers included).
fn same_type<M: Num>(op: UnaryOp, x: M) -> M {
    use crate::element::Pivot;
    use UnaryOp::*;
    let zero = M::from_bool(false);
    let one = M::from_bool(true);
    let float = |f: fn(f64) -> f64| match x.to_pivot() {
        Pivot::F(v) => M::from_pivot(Pivot::F(f(v))),
        _ => x,
    };
    match op {
        Neg => x.neg(),
        Abs => x.abs(),
        Sign => {
            if x.is_nan() {
                x
            } else if zero.lt(x) {
                one
            } else if x.lt(zero) {
                one.neg()
            } else {
                zero
            }
        }
        Sgn => same_type(Sign, x),
        Square => x.mul(x),
        Floor => float(f64::floor),
        Ceil => float(f64::ceil),
        Round => float(f64::round_ties_even),
        Trunc => float(f64::trunc),
        Frac => float(|v| v - v.trunc()),
        Relu => {
            if x.is_nan() || zero.lt(x) { x } else { zero }
        }
        BitNot => x.not(),
        _ => x,
    }
}

/// Complex elementwise functions the way torch's CPU kernels compute them (see cmath); complex32
/// computes in complex64.
fn run_complex(op: UnaryOp, a: &Tensor, out: &Tensor) {
    use crate::backend::cpu::cmath as cm;
    let dense = |t: &Tensor| t.layout.is_non_overlapping_and_dense();
    if op == UnaryOp::Sgn && matches!(a.dtype, DType::C64 | DType::C128) && dense(a) && dense(out) && a.strides() == out.strides() {
        return sgn_split(a, out);
    }
    let name = op.name();
    let (f64_, f128_) = (cm::unary_fn::<f32>(&name), cm::unary_fn::<f64>(&name));
    match (a.dtype, f64_, f128_) {
        (DType::C64, Some(f), _) => map::<C64, C64>(a, out, f),
        (DType::C128, _, Some(f)) => map::<C128, C128>(a, out, f),
        (DType::C32, Some(f), _) => map::<crate::element::C32, crate::element::C32>(a, out, move |x| Stored::store(f(x.load()))),
        (DType::C64, ..) => map::<C64, C64>(a, out, move |x| complex_other(op, x)),
        (DType::C128, ..) => map::<C128, C128>(a, out, move |x| complex_other(op, x)),
        _ => map::<crate::element::C32, crate::element::C32>(a, out, move |x| Stored::store(complex_other(op, x.load()))),
    }
}

/// torch's sgn of a dense complex tensor (one loop over memory order, the output laid out as the
/// input): its vectorised loop covers whole pairs of vectors from the start, its scalar loop the tail, and the two differ (cmath::sgn_vec). (Above torch's
/// parallel grain each thread's piece has its own tail; that split is not reproduced.)
fn sgn_split(a: &Tensor, out: &Tensor) {
    use crate::backend::cpu::cmath as cm;
    let n = a.numel();
    // torch's loop steps two vectors at a time: 4 complex64 (2 complex128) per 256-bit vector
    let per_vec = if cm::torch_avx512() { 8 } else { 4 };
    let lanes = |double: bool| 2 * if double { per_vec / 2 } else { per_vec };
    macro_rules! go {
        ($C:ty, $r:ty, $double:expr) => {{
            let nv = n / lanes($double) * lanes($double);
            // SAFETY: the lowest address a dense layout reaches lies inside its storage.
            let first = |t: &Tensor| unsafe { (t.storage.as_ptr() as *mut $C).offset(t.layout.extent().0) };
            let (pa, po) = (first(a) as *const $C, first(out));
            for i in 0..n {
                // SAFETY: both tensors are dense over n elements from their lowest address.
                unsafe {
                    let z = *pa.add(i);
                    *po.add(i) = if i < nv { cm::sgn_vec::<$r>(z) } else { cm::sgn::<$r>(z) };
                }
            }
        }};
    }
    if a.dtype == DType::C64 { go!(C64, f32, false) } else { go!(C128, f64, true) }
}

/// The complex cases cmath leaves out (ops without a special-value story of their own).
fn complex_other<T: num_traits::Float>(op: UnaryOp, z: Complex<T>) -> Complex<T> {
    match op {
        UnaryOp::Neg => -z,
        UnaryOp::Square => z * z,
        _ => z,
    }
}

/// A complex64/complex128 function of cmath by torch's op name (sinc) into a fresh tensor in the
/// input's memory order.
pub fn complex_named(name: &str, a: &Tensor) -> Result<Tensor> {
    use crate::backend::cpu::cmath as cm;
    let out = Tensor::for_overwrite_layout(a.preserved_layout(false), a.dtype)?;
    match (a.dtype, cm::unary_fn::<f32>(name), cm::unary_fn::<f64>(name)) {
        (DType::C64, Some(f), _) => map::<C64, C64>(a, &out, f),
        (DType::C128, _, Some(f)) => map::<C128, C128>(a, &out, f),
        (d, ..) => bail!(not_implemented, "\"{name}_cpu\" not implemented for '{}'", d.scalar_name()),
    }
    Ok(out)
}

/// `f(a, b)` elementwise for complex64/complex128 operands already of dtype `dt` and broadcast to
/// `layout`'s shape, into a fresh tensor of that layout.
pub fn complex_binary(
    name: &str,
    a: &Tensor,
    b: &Tensor,
    layout: crate::layout::Layout,
    f64_: fn(C64, C64) -> C64,
    f128_: fn(C128, C128) -> C128,
) -> Result<Tensor> {
    let out = Tensor::for_overwrite_layout(layout, a.dtype)?;
    macro_rules! run {
        ($t:ty, $f:expr) => {
            ew::binary(
                a.storage.as_ptr() as *const $t,
                &a.layout,
                b.storage.as_ptr() as *const $t,
                &b.layout,
                out.storage.as_ptr() as *mut $t,
                &out.layout,
                $f,
            )
        };
    }
    // SAFETY: a and b are broadcast to out's shape and in bounds; out is fresh.
    unsafe {
        match a.dtype {
            DType::C64 => run!(C64, f64_),
            DType::C128 => run!(C128, f128_),
            d => bail!(not_implemented, "\"{name}_cpu\" not implemented for '{}'", d.scalar_name()),
        }
    }
    Ok(out)
}
