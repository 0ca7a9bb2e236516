//! Elementwise ops beyond plain unary/binary: `where`, `clamp`, `lerp`, `addcmul`/`addcdiv`,
//! `masked_fill`, `nan_to_num`, `isclose`/`equal`, `float_power`, `logit`, `angle`, `isreal`,
//! and the complex views `real`/`imag`/`conj`. Plain functions over tensors (autograd calls them).
use num_traits::Float;

use crate::backend::cpu::elementwise as ew;
use crate::backend::cpu::num::{Num, Stored};
use crate::bail;
use crate::dispatch;
use crate::dtype::{DType, default_dtype};
use crate::element::{Element, Pivot};
use crate::error::Result;
use crate::layout::{Layout, broadcast_shapes};
use crate::ops::binary::{Arg, BinaryOp, arg_dtype, binary};
use crate::ops::iter_layout::iter_output_layout;
use crate::ops::unary::{UnaryOp, unary};
use crate::promote::{can_cast, result_type};
use crate::tensor::Tensor;

/// Runs `$body` with `$S` bound to the stored type of a floating dtype (math in f32 or f64).
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

fn cpu_check(ts: &[&Tensor], name: &str) -> Result<()> {
    for t in ts {
        if t.device() != crate::device::Device::Cpu {
            bail!(not_implemented, "[{}] CUDA kernels are not implemented yet", name);
        }
    }
    Ok(())
}

fn arg_layout<'a>(a: &'a Arg, scalar: &'a Layout) -> &'a Layout {
    match a {
        Arg::T(t) => &t.layout,
        Arg::S(_) => scalar,
    }
}

/// A fresh output laid out as torch's iterator would for these operands.
fn fresh(shape: &[usize], args: &[&Arg], dtype: DType) -> Result<Tensor> {
    let scalar = Layout::contiguous(&[]);
    let ls: Vec<&Layout> = args.iter().map(|a| arg_layout(a, &scalar)).collect();
    let layout = if shape.len() <= 1 { Layout::contiguous(shape) } else { iter_output_layout(shape, &ls) };
    Tensor::for_overwrite_layout(layout, dtype)
}

/// Writes `result` into `out` (shape already matched by the binding) with a cast check.
fn finish(result: Tensor, out: Option<&Tensor>) -> Result<Tensor> {
    if let Some(o) = out {
        if !can_cast(result.dtype, o.dtype) {
            bail!(
                runtime,
                "result type {} can't be cast to the desired output type {}",
                result.dtype.scalar_name(),
                o.dtype.scalar_name()
            );
        }
    }
    super::deliver(result, out, false)
}

/// `torch.where(condition, input, other)`.
pub fn where_(cond: &Tensor, a: Arg, b: Arg, out: Option<&Tensor>) -> Result<Tensor> {
    crate::resolve_bits!(cond);
    crate::resolve_arg_bits!(a);
    crate::resolve_arg_bits!(b);
    cpu_check(&[cond], "where")?;
    if cond.dtype != DType::Bool && cond.dtype != DType::U8 {
        bail!(runtime, "where expected condition to be a boolean tensor, but got a tensor with dtype {}", cond.dtype.scalar_name());
    }
    let dt = result_type(&[a.operand(), b.operand()]);
    if dt.is_integral(false) {
        // torch converts an integer number operand to an integer result dtype with a range check
        for x in [&a, &b] {
            if let Arg::S(p @ Pivot::I(_)) = x {
                crate::element::checked_scalar(*p, dt, crate::element::ScalarCtx::Fill)?;
            }
        }
    }
    let shape = broadcast_shapes(&broadcast_shapes(cond.shape(), a.shape())?, b.shape())?;
    let c = cond.to_dtype(DType::Bool, false)?.expand_to(&shape)?;
    let (ta, tb) = (a.materialize(dt, &shape)?, b.materialize(dt, &shape)?);
    let ca = Arg::T(cond);
    let result = fresh(&shape, &[&ca, &a, &b], dt)?;
    dispatch!(dt, S => unsafe {
        // SAFETY: all layouts are in bounds and broadcast to the output shape.
        ew::ternary(
            c.storage.as_ptr() as *const bool, &c.layout,
            ta.storage.as_ptr() as *const S, &ta.layout,
            tb.storage.as_ptr() as *const S, &tb.layout,
            result.storage.as_ptr() as *mut S, &result.layout,
            |c: bool, x: S, y: S| if c { x } else { y },
        )
    });
    finish(result, out)
}

/// `torch.clamp(input, min, max)`: tensor bounds take part in type promotion, number bounds
/// are cast to the input's dtype. NaN in the input or a bound gives NaN.
pub fn clamp(x: &Tensor, mut lo: Option<Arg>, mut hi: Option<Arg>, out: Option<&Tensor>) -> Result<Tensor> {
    crate::resolve_bits!(x);
    cpu_check(&[x], "clamp")?;
    crate::ops::newdt::reject(x.dtype, "clamp_scalar_cpu", crate::ops::newdt::Refuse::F8)?;
    if lo.is_none() && hi.is_none() {
        bail!(runtime, "torch.clamp: At least one of 'min' or 'max' must not be None");
    }
    if x.dtype.is_complex() || [&lo, &hi].iter().any(|b| b.as_ref().is_some_and(|b| arg_dtype(b).is_complex())) {
        bail!(not_implemented, "clamp is not supported for complex types");
    }
    let mut ops = vec![Arg::T(x).operand()];
    for b in [&lo, &hi].into_iter().flatten() {
        ops.push(b.operand());
    }
    let dt = result_type(&ops);
    if let Some(o) = out {
        for b in [&lo, &hi].into_iter().flatten() {
            if let Arg::T(t) = b {
                super::check_no_partial_overlap(o, t)?;
            }
        }
    }
    // Integer bounds must fit an integer result dtype.
    if dt.is_integral(false) {
        let (min, max) = match dt {
            DType::U8 => (0i64, 255i64),
            DType::I8 => (-128, 127),
            DType::I16 => (i16::MIN as i64, i16::MAX as i64),
            DType::I32 => (i32::MIN as i64, i32::MAX as i64),
            DType::U16 => (0, u16::MAX as i64),
            DType::U32 => (0, u32::MAX as i64),
            DType::U64 => (0, i64::MAX),
            _ => (i64::MIN, i64::MAX),
        };
        // torch rejects only bounds that would clamp everything: a min above the type's range or
        // a max below it. A bound beyond the other end clamps nothing, so it saturates to the
        // type's range instead of wrapping.
        if let Some(Arg::S(Pivot::I(v))) = &mut lo {
            if *v > max {
                bail!(runtime, "Clamp min value {} is outside the representable range of {}", v, dt.scalar_name());
            }
            *v = (*v).max(min);
        }
        if let Some(Arg::S(Pivot::I(v))) = &mut hi {
            if *v < min {
                bail!(runtime, "Clamp max value {} is outside the representable range of {}", v, dt.scalar_name());
            }
            *v = (*v).min(max);
        }
    }
    if dt == DType::Bool && lo.is_some() && hi.is_some() {
        // torch's two-bound clamp kernels have no bool variant (one bound is a maximum/minimum, which does)
        let scalars = matches!((&lo, &hi), (Some(Arg::S(_)), Some(Arg::S(_))));
        bail!(not_implemented, "\"{}\" not implemented for 'Bool'", if scalars { "clamp_scalar_cpu" } else { "clamp_cpu" });
    }
    let mut shape = x.shape().to_vec();
    for b in [&lo, &hi].into_iter().flatten() {
        shape = broadcast_shapes(&shape, b.shape())?;
    }
    let xa = Arg::T(x);
    // Number bounds on an input of the result dtype: one pass over x, the bounds held in registers.
    let number = |b: &Option<Arg>| matches!(b, None | Some(Arg::S(_)));
    if x.dtype == dt && number(&lo) && number(&hi) {
        let result = fresh(&shape, &[&xa], dt)?;
        let bound = |b: &Option<Arg>| match b {
            Some(Arg::S(p)) => Some(*p),
            _ => None,
        };
        let (pl, ph) = (bound(&lo), bound(&hi));
        dispatch!(dt, S => {
            type M = <S as Stored>::M;
            let (l, h) = (pl.map(M::from_pivot), ph.map(M::from_pivot));
            let nan_bound = l.is_some_and(|v| v.is_nan()) || h.is_some_and(|v| v.is_nan());
            let (px, lx, pr, lr) = (x.storage.as_ptr() as *const S, &x.layout, result.storage.as_ptr() as *mut S, &result.layout);
            // Branch-free selects (a NaN input fails both comparisons and passes through), one
            // loop per bound combination so the bounds are loop constants.
            // SAFETY: x and the fresh result share the output shape.
            unsafe {
                match (l, h) {
                    _ if nan_bound => {
                        let q = if l.is_some_and(|v| v.is_nan()) { l } else { h };
                        let q = q.unwrap_or(M::from_bool(false));
                        ew::unary(px, lx, pr, lr, move |_v: S| S::store(q))
                    }
                    (Some(l), Some(h)) => ew::unary(px, lx, pr, lr, move |v: S| {
                        let v = v.load();
                        let r = if Num::lt(v, l) { l } else { v };
                        S::store(if Num::lt(h, r) { h } else { r })
                    }),
                    (Some(l), None) => ew::unary(px, lx, pr, lr, move |v: S| {
                        let v = v.load();
                        S::store(if Num::lt(v, l) { l } else { v })
                    }),
                    (None, Some(h)) => ew::unary(px, lx, pr, lr, move |v: S| {
                        let v = v.load();
                        S::store(if Num::lt(h, v) { h } else { v })
                    }),
                    (None, None) => ew::unary(px, lx, pr, lr, move |v: S| v),
                }
            }
        });
        return finish(result, out);
    }
    let tx = xa.materialize(dt, &shape)?;
    let mut args = vec![&xa];
    for b in [&lo, &hi].into_iter().flatten() {
        if let Arg::T(_) = b {
            args.push(b);
        }
    }
    let result = fresh(&shape, &args, dt)?;
    // A missing bound is the input itself (a no-op bound).
    let tl = match &lo {
        Some(l) => l.materialize(dt, &shape)?,
        None => tx.clone(),
    };
    let th = match &hi {
        Some(h) => h.materialize(dt, &shape)?,
        None => tx.clone(),
    };
    let (has_lo, has_hi) = (lo.is_some(), hi.is_some());
    dispatch!(dt, S => {
        let f = move |v: S, l: S, h: S| -> S {
            let (v, l, h) = (v.load(), l.load(), h.load());
            if v.is_nan() {
                return S::store(v);
            }
            let mut r = v;
            if has_lo {
                if l.is_nan() { return S::store(l); }
                if Num::lt(r, l) { r = l; }
            }
            if has_hi {
                if h.is_nan() { return S::store(h); }
                if Num::lt(h, r) { r = h; }
            }
            S::store(r)
        };
        // SAFETY: all layouts are in bounds and broadcast to the output shape.
        unsafe {
            ew::ternary(
                tx.storage.as_ptr() as *const S, &tx.layout,
                tl.storage.as_ptr() as *const S, &tl.layout,
                th.storage.as_ptr() as *const S, &th.layout,
                result.storage.as_ptr() as *mut S, &result.layout,
                f,
            )
        }
    });
    finish(result, out)
}

/// `torch.lerp(start, end, weight)`: torch's two-sided formula, in float32 for half types.
pub fn lerp(start: &Tensor, end: &Tensor, weight: Arg, out: Option<&Tensor>) -> Result<Tensor> {
    crate::resolve_bits!(start);
    crate::resolve_bits!(end);
    crate::resolve_arg_bits!(weight);
    cpu_check(&[start, end], "lerp")?;
    crate::ops::newdt::reject(start.dtype, if matches!(weight, Arg::S(_)) { "lerp_kernel_scalar" } else { "lerp_kernel_tensor" }, crate::ops::newdt::Refuse::All)?;
    if end.dtype != start.dtype {
        bail!(runtime, "expected dtype {} for `end` but got dtype {}", cpp_name(start.dtype), cpp_name(end.dtype));
    }
    if let Arg::T(w) = weight {
        if w.dtype != start.dtype && w.ndim() > 0 {
            bail!(runtime, "expected dtype {} for `weight` but got dtype {}", cpp_name(start.dtype), cpp_name(w.dtype));
        }
    }
    let dt = start.dtype;
    if !(dt.is_floating_point() || dt.is_complex()) {
        let kind = if matches!(weight, Arg::S(_)) { "lerp_kernel_scalar" } else { "lerp_kernel_tensor" };
        bail!(not_implemented, "\"{}\" not implemented for '{}'", kind, dt.scalar_name());
    }
    let mut shape = broadcast_shapes(start.shape(), end.shape())?;
    shape = broadcast_shapes(&shape, weight.shape())?;
    let (sa, ea) = (Arg::T(start), Arg::T(end));
    let result = fresh(&shape, &[&sa, &ea, &weight], dt)?;
    let (ts, te) = (start.expand_to(&shape)?, end.expand_to(&shape)?);
    let tw = weight.materialize(dt, &shape)?;
    if dt.is_complex() {
        dispatch!(dt, S => {
            let f = |s: S, e: S, w: S| -> S {
                let (s, e, w) = (s.load(), e.load(), w.load());
                let one = <S as Stored>::M::from_bool(true);
                let wn = w.to_pivot();
                let small = match wn { Pivot::C(r, i) => (r * r + i * i).sqrt() < 0.5, _ => true };
                S::store(if small { s.add(w.mul(e.sub(s))) } else { e.sub(e.sub(s).mul(one.sub(w))) })
            };
            // SAFETY: layouts are in bounds and broadcast to the output shape.
            unsafe {
                ew::ternary(ts.storage.as_ptr() as *const S, &ts.layout, te.storage.as_ptr() as *const S, &te.layout,
                    tw.storage.as_ptr() as *const S, &tw.layout, result.storage.as_ptr() as *mut S, &result.layout, f)
            }
        });
    } else {
        // Scalar weights stay unrounded in the math type.
        let wscalar = match weight {
            Arg::S(p) => Some(p),
            _ => None,
        };
        dispatch_float!(dt, S => {
            let ws = wscalar.map(<S as Stored>::M::from_pivot);
            let f = move |s: S, e: S, w: S| -> S {
                let (s, e) = (s.load(), e.load());
                let w = ws.unwrap_or_else(|| w.load());
                let one: <S as Stored>::M = 1.0;
                let half = one / (one + one);
                // torch's vectorised lerp: fmadd(coeff, end - start, base), one rounding.
                S::store(if w.abs() < half { w.fma(e - s, s) } else { (w - one).fma(e - s, e) })
            };
            // SAFETY: layouts are in bounds and broadcast to the output shape.
            unsafe {
                ew::ternary_fma(ts.storage.as_ptr() as *const S, &ts.layout, te.storage.as_ptr() as *const S, &te.layout,
                    tw.storage.as_ptr() as *const S, &tw.layout, result.storage.as_ptr() as *mut S, &result.layout, f)
            }
        });
    }
    finish(result, out)
}

/// `addcmul` (`div == false`) and `addcdiv`: `input + value * t1 * t2` / `input + value * t1 / t2`.
pub fn addc(input: &Tensor, t1: &Tensor, t2: &Tensor, value: Pivot, div: bool, out: Option<&Tensor>) -> Result<Tensor> {
    crate::resolve_bits!(input);
    crate::resolve_bits!(t1);
    crate::resolve_bits!(t2);
    cpu_check(&[input, t1, t2], if div { "addcdiv" } else { "addcmul" })?;
    for t in [input, t1, t2] {
        crate::ops::newdt::reject(t.dtype, if div { "addcdiv_cpu_out" } else { "addcmul_cpu_out" }, crate::ops::newdt::Refuse::All)?;
    }
    if div && t1.dtype.is_integral(true) && t2.dtype.is_integral(true) {
        bail!(
            runtime,
            "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes."
        );
    }
    let dt = result_type(&[Arg::T(input).operand(), Arg::T(t1).operand(), Arg::T(t2).operand()]);
    if dt == DType::Bool {
        bail!(not_implemented, "\"{}_cpu_out\" not implemented for 'Bool'", if div { "addcdiv" } else { "addcmul" });
    }
    if div && dt == DType::C32 {
        // torch's addcdiv kernel has no ComplexHalf instance (addcmul has one).
        bail!(not_implemented, "\"addcdiv_cpu_out\" not implemented for 'ComplexHalf'");
    }
    let shape = broadcast_shapes(&broadcast_shapes(input.shape(), t1.shape())?, t2.shape())?;
    let (ai, a1, a2) = (Arg::T(input), Arg::T(t1), Arg::T(t2));
    let result = fresh(&shape, &[&ai, &a1, &a2], dt)?;
    let (ti, x1, x2) = (ai.materialize(dt, &shape)?, a1.materialize(dt, &shape)?, a2.materialize(dt, &shape)?);
    dispatch!(dt, S => {
        let v = <S as Stored>::M::from_pivot(value);
        let f = move |a: S, b: S, c: S| -> S {
            let (a, b, c) = (a.load(), b.load(), c.load());
            // addcmul is fmadd(value * t1, t2, input) in torch's vectorised kernel.
            S::store(if div { a.add(v.mul(b).div(c)) } else { v.mul(b).fma(c, a) })
        };
        // SAFETY: layouts are in bounds and broadcast to the output shape.
        unsafe {
            ew::ternary_fma(ti.storage.as_ptr() as *const S, &ti.layout, x1.storage.as_ptr() as *const S, &x1.layout,
                x2.storage.as_ptr() as *const S, &x2.layout, result.storage.as_ptr() as *mut S, &result.layout, f)
        }
    });
    finish(result, out)
}

/// `masked_fill(self, mask, value)` out of place: the broadcast of self and mask, in self's dtype.
pub fn masked_fill(x: &Tensor, mask: &Tensor, value: Arg) -> Result<Tensor> {
    crate::resolve_bits!(x);
    crate::resolve_bits!(mask);
    crate::resolve_arg_bits!(value);
    let shape = broadcast_shapes(x.shape(), mask.shape())?;
    let result = Tensor::for_overwrite(&shape, x.dtype)?;
    result.copy_(&x.expand_to(&shape)?)?;
    masked_fill_(&result, mask, value)?;
    Ok(result)
}

/// `self.masked_fill_(mask, value)`: value is a number or a 0-dim tensor, cast to self's dtype.
pub fn masked_fill_(x: &Tensor, mask: &Tensor, value: Arg) -> Result<()> {
    if x.has_bits() {
        // A lazy conjugate/negative target: run on a resolved copy, then store it back.
        let tmp = x.resolve_bits(true, true)?;
        masked_fill_(&tmp, mask, value)?;
        return x.copy_(&tmp);
    }
    crate::resolve_bits!(mask);
    crate::resolve_arg_bits!(value);
    cpu_check(&[x, mask], "masked_fill_")?;
    if mask.dtype != DType::Bool {
        bail!(runtime, "masked_fill_ only supports boolean masks, but got mask with dtype {}", cpp_name(mask.dtype));
    }
    let v = match value {
        Arg::S(p) => p,
        Arg::T(t) => {
            if t.ndim() != 0 {
                bail!(runtime, "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {} dimension(s).", t.ndim());
            }
            t.item()?
        }
    };
    if overflows(v, x.dtype) {
        bail!(runtime, "value cannot be converted to type {} without overflow", c_type(x.dtype));
    }
    let m = mask.expand_to(x.shape()).map_err(|_| {
        crate::error::runtime(format!(
            "The expanded size of the tensor ({}) must match the existing size ({}) at non-singleton dimension",
            x.shape().last().copied().unwrap_or(0),
            mask.shape().last().copied().unwrap_or(0)
        ))
    })?;
    x.check_writable()?;
    dispatch!(x.dtype, S => {
        let fill = S::from_pivot(v);
        let px = x.storage.as_ptr() as *mut S;
        // SAFETY: x and the expanded mask share the shape; x is written where the mask is set.
        unsafe {
            ew::binary(px as *const S, &x.layout, m.storage.as_ptr() as *const bool, &m.layout, px, &x.layout,
                move |a: S, c: bool| if c { fill } else { a })
        }
    });
    x.storage.bump_version();
    Ok(())
}

/// `nan_to_num(input, nan, posinf, neginf)`: defaults are 0 and the dtype's finite extremes.
pub fn nan_to_num(x: &Tensor, nan: Option<f64>, posinf: Option<f64>, neginf: Option<f64>, out: Option<&Tensor>) -> Result<Tensor> {
    crate::resolve_bits!(x);
    cpu_check(&[x], "nan_to_num")?;
    crate::ops::newdt::reject(x.dtype, "nan_to_num", crate::ops::newdt::Refuse::F8)?;
    let dt = x.dtype;
    let result = Tensor::for_overwrite_layout(x.preserved_layout(false), dt)?;
    if dt.is_complex() {
        let re = nan_to_num(&real(x)?, nan, posinf, neginf, None)?;
        let im = nan_to_num(&imag(x)?, nan, posinf, neginf, None)?;
        real(&result)?.copy_(&re)?;
        imag(&result)?.copy_(&im)?;
        return finish(result, out);
    }
    if !dt.is_floating_point() {
        result.copy_(x)?;
        return finish(result, out);
    }
    dispatch_float!(dt, S => {
        let (lo, hi) = match dt {
            DType::F16 => (half::f16::MIN.to_f64(), half::f16::MAX.to_f64()),
            DType::BF16 => (half::bf16::MIN.to_f64(), half::bf16::MAX.to_f64()),
            DType::F32 => (f32::MIN as f64, f32::MAX as f64),
            _ => (f64::MIN, f64::MAX),
        };
        let n = S::from_pivot(Pivot::F(nan.unwrap_or(0.0)));
        let p = S::from_pivot(Pivot::F(posinf.unwrap_or(hi)));
        let q = S::from_pivot(Pivot::F(neginf.unwrap_or(lo)));
        let f = move |a: S| -> S {
            let m = a.load();
            if m.is_nan() { n } else if m == <S as Stored>::M::infinity() { p } else if m == <S as Stored>::M::neg_infinity() { q } else { a }
        };
        // SAFETY: same shape; result is fresh.
        unsafe { ew::unary(x.storage.as_ptr() as *const S, &x.layout, result.storage.as_ptr() as *mut S, &result.layout, f) }
    });
    finish(result, out)
}

/// `isclose(a, b, rtol, atol, equal_nan)`, composed exactly as torch composes it.
pub fn isclose(a: &Tensor, b: &Tensor, rtol: f64, atol: f64, equal_nan: bool) -> Result<Tensor> {
    crate::resolve_bits!(a);
    crate::resolve_bits!(b);
    if a.dtype != b.dtype {
        bail!(runtime, "{} did not match {}", a.dtype.scalar_name(), b.dtype.scalar_name());
    }
    if rtol < 0.0 {
        bail!(runtime, "rtol must be greater than or equal to zero, but got {}", rtol);
    }
    if atol < 0.0 {
        bail!(runtime, "atol must be greater than or equal to zero, but got {}", atol);
    }
    let mut close = binary(BinaryOp::Eq, Arg::T(a), Arg::T(b), None, None)?;
    if equal_nan && (a.dtype.is_floating_point() || a.dtype.is_complex()) {
        let both = binary(BinaryOp::LogicalAnd, Arg::T(&unary(UnaryOp::IsNan, a, None)?), Arg::T(&unary(UnaryOp::IsNan, b, None)?), None, None)?;
        close = binary(BinaryOp::LogicalOr, Arg::T(&close), Arg::T(&both), None, None)?;
    }
    if rtol == 0.0 && atol == 0.0 {
        return Ok(close);
    }
    // Bool and integer inputs are compared in the default float dtype (torch 2.15): no integer
    // subtraction, so unsigned types neither wrap nor hit their missing `sub` kernels.
    let (ca, cb) = if !(a.dtype.is_floating_point() || a.dtype.is_complex()) {
        (a.to_dtype(default_dtype(), false)?, b.to_dtype(default_dtype(), false)?)
    } else {
        (a.clone(), b.clone())
    };
    let scaled = binary(BinaryOp::Mul, Arg::S(Pivot::F(rtol)), Arg::T(&cb), None, None)?;
    let allowed = binary(BinaryOp::Add, Arg::S(Pivot::F(atol)), Arg::T(&unary(UnaryOp::Abs, &scaled, None)?), None, None)?;
    let actual = unary(UnaryOp::Abs, &binary(BinaryOp::Sub, Arg::T(&ca), Arg::T(&cb), None, None)?, None)?;
    let within = binary(BinaryOp::Le, Arg::T(&actual), Arg::T(&allowed), None, None)?;
    let finite = binary(BinaryOp::LogicalAnd, Arg::T(&unary(UnaryOp::IsFinite, &actual, None)?), Arg::T(&within), None, None)?;
    binary(BinaryOp::LogicalOr, Arg::T(&close), Arg::T(&finite), None, None)
}

/// True when every element of a bool tensor is set.
pub fn all_true(t: &Tensor) -> Result<bool> {
    Ok(t.to_pivots()?.iter().all(|p| matches!(p, Pivot::B(true))))
}

/// `torch.equal(a, b)`: same shape and equal values.
pub fn equal(a: &Tensor, b: &Tensor) -> Result<bool> {
    crate::resolve_bits!(a);
    crate::resolve_bits!(b);
    if a.dtype == b.dtype && a.dtype.is_float8() && a.data_ptr() == b.data_ptr() && a.layout == b.layout {
        bail!(not_implemented, "\"equal_notnan_cpu\" not implemented for '{}'", a.dtype.scalar_name());
    }
    if a.shape() != b.shape() {
        return Ok(false);
    }
    all_true(&binary(BinaryOp::Eq, Arg::T(a), Arg::T(b), None, None)?)
}

/// `float_power(a, b)`: both in float64 (complex128 when either is complex).
pub fn float_power(a: Arg, b: Arg, out: Option<&Tensor>) -> Result<Tensor> {
    crate::resolve_arg_bits!(a);
    crate::resolve_arg_bits!(b);
    let complex = arg_dtype(&a).is_complex() || arg_dtype(&b).is_complex();
    let dt = if complex { DType::C128 } else { DType::F64 };
    if let Some(o) = out {
        if o.dtype != dt {
            bail!(runtime, "the output given to float_power has dtype {} but the operation's result requires dtype {}", o.dtype.scalar_name(), dt.scalar_name());
        }
    }
    let cast = |x: Arg| -> Result<Option<Tensor>> {
        match x {
            Arg::T(t) => Ok(Some(t.to_dtype(dt, false)?)),
            Arg::S(_) => Ok(None),
        }
    };
    let (ta, tb) = (cast(a)?, cast(b)?);
    let pa = match (&ta, a) {
        (Some(t), _) => Arg::T(t),
        (None, Arg::S(p)) => Arg::S(if complex { to_complex(p) } else { to_float(p) }),
        (None, x) => x,
    };
    let pb = match (&tb, b) {
        (Some(t), _) => Arg::T(t),
        (None, Arg::S(p)) => Arg::S(if complex { to_complex(p) } else { to_float(p) }),
        (None, x) => x,
    };
    binary(BinaryOp::Pow, pa, pb, None, out)
}

fn to_float(p: Pivot) -> Pivot {
    match p {
        Pivot::B(b) => Pivot::F(b as u8 as f64),
        Pivot::I(i) => Pivot::F(i as f64),
        x => x,
    }
}

fn to_complex(p: Pivot) -> Pivot {
    match to_float(p) {
        Pivot::F(f) => Pivot::C(f, 0.0),
        x => x,
    }
}

/// `logit(x, eps)`: `log(z / (1 - z))` with z clamped to [eps, 1 - eps] when eps is given.
pub fn logit(x: &Tensor, eps: Option<f64>, out: Option<&Tensor>) -> Result<Tensor> {
    crate::resolve_bits!(x);
    cpu_check(&[x], "logit")?;
    if x.dtype.is_complex() {
        bail!(not_implemented, "\"logit_cpu\" not implemented for '{}'", x.dtype.scalar_name());
    }
    let dt = if x.dtype.is_floating_point() { x.dtype } else { default_dtype() };
    let input = x.to_dtype(dt, false)?;
    let result = Tensor::for_overwrite_layout(input.preserved_layout(false), dt)?;
    dispatch_float!(dt, S => {
        type M = <S as Stored>::M;
        let e = eps.map(|e| M::from_pivot(Pivot::F(e)));
        let f = move |a: S| -> S {
            let one: M = 1.0;
            let mut z = a.load();
            if let Some(e) = e {
                if e >= (0.0 as M) {
                    let hi = one - e;
                    z = if z < e { e } else if z > hi { hi } else { z };
                }
            }
            S::store((z / (one - z)).ln())
        };
        // SAFETY: same shape; result is fresh.
        unsafe { ew::unary(input.storage.as_ptr() as *const S, &input.layout, result.storage.as_ptr() as *mut S, &result.layout, f) }
    });
    finish(result, out)
}

/// `angle(x)`: the argument of complex values; 0 or pi (nan kept) for real ones.
pub fn angle(x: &Tensor, out: Option<&Tensor>) -> Result<Tensor> {
    crate::resolve_bits!(x);
    cpu_check(&[x], "angle")?;
    if x.dtype.is_complex() {
        let (re, im) = (real(x)?, imag(x)?);
        let r = binary(BinaryOp::Atan2, Arg::T(&im), Arg::T(&re), None, None)?.contiguous()?;
        return finish(r, out);
    }
    let dt = if x.dtype.is_floating_point() { x.dtype } else { default_dtype() };
    let input = x.to_dtype(dt, false)?;
    let result = Tensor::for_overwrite_layout(input.preserved_layout(false), dt)?;
    dispatch_float!(dt, S => {
        type M = <S as Stored>::M;
        let f = move |a: S| -> S {
            let m = a.load();
            let z: M = 0.0;
            S::store(if m.is_nan() { m } else if m < z { M::from_pivot(Pivot::F(std::f64::consts::PI)) } else { z })
        };
        // SAFETY: same shape; result is fresh.
        unsafe { ew::unary(input.storage.as_ptr() as *const S, &input.layout, result.storage.as_ptr() as *mut S, &result.layout, f) }
    });
    finish(result, out)
}

/// `isreal(x)`: imaginary part zero for complex tensors, all true otherwise.
pub fn isreal(x: &Tensor) -> Result<Tensor> {
    crate::resolve_bits!(x);
    if x.dtype.is_complex() {
        let im = imag(x)?;
        return binary(BinaryOp::Eq, Arg::T(&im), Arg::S(Pivot::I(0)), None, None);
    }
    // torch's ones_like: the input's strides when dense
    let r = Tensor::for_overwrite_layout(x.preserved_layout(false), DType::Bool)?;
    r.fill_(Pivot::B(true))?;
    Ok(r)
}

fn component(x: &Tensor, which: usize) -> Tensor {
    let l = &x.layout;
    let layout = Layout {
        shape: l.shape.clone(),
        strides: l.strides.iter().map(|s| s * 2).collect(),
        offset: l.offset * 2 + which,
    };
    Tensor::from_storage(x.storage.clone(), layout, x.dtype.to_real())
}

/// `x.real`: a view of the real parts of a complex tensor; a real tensor itself.
pub fn real(x: &Tensor) -> Result<Tensor> {
    if x.dtype.is_complex() { super::complex::real_part(x) } else { Ok(x.clone()) }
}

/// `x.imag`: a view of the imaginary parts; torch's error for real tensors.
pub fn imag(x: &Tensor) -> Result<Tensor> {
    if !x.dtype.is_complex() {
        bail!(type_error, "imag is not implemented for tensors with non-complex dtypes.");
    }
    super::complex::imag_part(x)
}

/// `conj_physical(x)`: a copy with negated imaginary parts (real tensors: themselves).
pub fn conj_physical(x: &Tensor) -> Result<Tensor> {
    if !x.dtype.is_complex() {
        return Ok(x.clone());
    }
    let result = Tensor::for_overwrite_layout(x.preserved_layout(false), x.dtype)?;
    result.copy_(x)?;
    let im = component(&result, 1);
    let neg = unary(UnaryOp::Neg, &im, None)?;
    im.copy_(&neg)?;
    Ok(result)
}

/// c10's checked conversion: a value overflows an integer dtype outside its range, and any
/// real dtype when it has an imaginary part.
fn overflows(v: Pivot, dt: DType) -> bool {
    if dt.is_complex() || dt == DType::Bool {
        return false;
    }
    if let Pivot::C(_, im) = v {
        if im != 0.0 {
            return true;
        }
    }
    let f = match v {
        Pivot::B(b) => b as u8 as f64,
        Pivot::I(i) => i as f64,
        Pivot::F(f) => f,
        Pivot::C(r, _) => r,
    };
    let (lo, hi) = match dt {
        DType::U8 => (0.0, 255.0),
        DType::I8 => (-128.0, 127.0),
        DType::I16 => (-32768.0, 32767.0),
        DType::I32 => (-2147483648.0, 2147483647.0),
        DType::I64 => (-9.223372036854776e18, 9.223372036854776e18),
        _ => return false,
    };
    f < lo || f > hi
}

fn c_type(dt: DType) -> &'static str {
    match dt {
        DType::U8 => "uint8_t",
        DType::I8 => "int8_t",
        DType::I16 => "int16_t",
        DType::I32 => "int32_t",
        DType::I64 => "int64_t",
        DType::F16 => "c10::Half",
        DType::BF16 => "c10::BFloat16",
        DType::F32 => "float",
        DType::F64 => "double",
        _ => "bool",
    }
}

/// The C++ type name torch prints in some dtype messages.
fn cpp_name(dt: DType) -> &'static str {
    match dt {
        DType::Bool => "bool",
        DType::U8 => "unsigned char",
        DType::I8 => "signed char",
        DType::I16 => "short int",
        DType::I32 => "int",
        DType::I64 => "long int",
        DType::F16 => "c10::Half",
        DType::BF16 => "c10::BFloat16",
        DType::F32 => "float",
        DType::F64 => "double",
        DType::C32 => "c10::complex<c10::Half>",
        DType::C64 => "c10::complex<float>",
        DType::C128 => "c10::complex<double>",
        DType::U16 => "uint16_t",
        DType::U32 => "uint32_t",
        DType::U64 => "uint64_t",
        DType::F8E4M3 => "c10::Float8_e4m3fn",
        DType::F8E5M2 => "c10::Float8_e5m2",
    }
}
