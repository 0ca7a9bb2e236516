//! The derivative table: autograd-aware entry points for every differentiable op, each recording
//! its backward written with tensor ops (so backward itself is differentiable and device-agnostic).
//! Conventions: `g` is the incoming gradient, `a`/`b` the inputs, `r` the result; complex gradients
//! use torch's conjugate Wirtinger convention (`grad_in = g * conj(df/dz)`).
use super::{SavedTensor, inplace_with_grad, record, should_record};
use crate::backend::cpu::iter::for_each_row;
use crate::backend::cpu::num::Num;
use crate::bail;
use crate::element::{Element, Pivot};
use crate::error::Result;
use crate::ops::binary::{self as b, Arg, BinaryOp};
use crate::ops::unary::{self as u, UnaryOp};
use crate::tensor::Tensor;

// ----- tensor-op helpers used by the formulas (they record when create_graph asks) -----

pub fn add(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    binary(BinaryOp::Add, Arg::T(a), Arg::T(b), None, None)
}
pub fn sub(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    binary(BinaryOp::Sub, Arg::T(a), Arg::T(b), None, None)
}
pub fn mul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    binary(BinaryOp::Mul, Arg::T(a), Arg::T(b), None, None)
}
pub fn div(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    binary(BinaryOp::Div, Arg::T(a), Arg::T(b), None, None)
}
/// `a * s` as torch's formulas write it (mul.Scalar: MulBackward1, one edge).
pub fn scale(a: &Tensor, s: f64) -> Result<Tensor> {
    binary_impl(BinaryOp::Mul, Arg::T(a), Arg::S(Pivot::F(s)), None, None, true, false)
}
/// `a + s` (add.Scalar: AddBackward1).
pub fn add_scalar(a: &Tensor, s: f64) -> Result<Tensor> {
    binary_impl(BinaryOp::Add, Arg::T(a), Arg::S(Pivot::F(s)), None, None, true, false)
}
/// `a op s` for a scalar `s` inside a formula (the `.Scalar` overloads: one edge).
pub fn scalar_op(op: BinaryOp, a: &Tensor, s: Pivot) -> Result<Tensor> {
    binary_impl(op, Arg::T(a), Arg::S(s), None, None, true, false)
}
/// `s - a`.
pub fn rsub_scalar(a: &Tensor, s: f64) -> Result<Tensor> {
    binary(BinaryOp::Sub, Arg::S(Pivot::F(s)), Arg::T(a), None, None)
}
pub fn neg(a: &Tensor) -> Result<Tensor> {
    unary(UnaryOp::Neg, a, None)
}
pub fn un(op: UnaryOp, a: &Tensor) -> Result<Tensor> {
    unary(op, a, None)
}
/// A float mask (1 where `op(a, b)` holds) in `like`'s dtype.
fn mask(op: BinaryOp, a: Arg, b: Arg, like: &Tensor) -> Result<Tensor> {
    b::binary(op, a, b, None, None)?.to_dtype(like.dtype, false)
}

/// Complex conjugate (the identity on real tensors).
pub fn conj(a: &Tensor) -> Result<Tensor> {
    if !a.dtype.is_complex() {
        return Ok(a.clone());
    }
    if should_record(&[a]) {
        let mut r = conj(&a.detached())?;
        record("ConjBackward0", &[a], &mut [&mut r], vec![], |_, g| Ok(vec![Some(conj(gr(g)?)?)]));
        return Ok(r);
    }
    let src = a.contiguous()?;
    let out = Tensor::for_overwrite(a.shape(), a.dtype)?;
    let n = src.numel();
    crate::dispatch!(a.dtype, T => {
        // SAFETY: both are contiguous with n elements of type T.
        let (s, d) = unsafe {
            (std::slice::from_raw_parts(src.data_ptr() as *const T, n), std::slice::from_raw_parts_mut(out.data_ptr() as *mut T, n))
        };
        for (x, y) in s.iter().zip(d.iter_mut()) {
            *y = T::from_pivot(match x.to_pivot() { Pivot::C(re, im) => Pivot::C(re, -im), p => p });
        }
    });
    Ok(out)
}

/// Runs `$body` with `$T` bound to the element type of a float/complex accumulation dtype.
macro_rules! dispatch_wide {
    ($dt:expr, $T:ident => $body:expr) => {{
        use crate::dtype::DType as __D;
        match $dt {
            __D::F32 => { type $T = f32; $body }
            __D::F64 => { type $T = f64; $body }
            __D::C64 => { type $T = crate::element::C64; $body }
            __D::C128 => { type $T = crate::element::C128; $body }
            d => bail!(runtime, "autograd: gradients of dtype {} are not supported", d.scalar_name()),
        }
    }};
}

/// The type sums run in: half types widen (torch accumulates them in float32).
pub(crate) fn wide(dt: crate::dtype::DType) -> crate::dtype::DType {
    use crate::dtype::DType::*;
    match dt {
        F16 | BF16 => F32,
        C32 => C64,
        d => d,
    }
}

pub(crate) fn gr(g: &[Option<Tensor>]) -> Result<&Tensor> {
    match g.first() {
        Some(Some(t)) => Ok(t),
        _ => bail!(runtime, "internal error: missing gradient"),
    }
}

/// Sums `g` down to `shape` (the reverse of broadcasting `shape` to `g.shape()`).
pub fn sum_to(g: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if g.shape() == shape {
        return Ok(g.clone());
    }
    let lead = g.ndim() - shape.len();
    if should_record(&[g]) {
        // torch's sum_to: sum over the broadcast dims with keepdim (SumBackward1), then a view
        // dropping the leading ones (ViewBackward0)
        let mut dims: Vec<i64> = (0..lead as i64).collect();
        dims.extend(shape.iter().enumerate().filter(|&(i, &s)| s == 1 && g.shape()[lead + i] != 1).map(|(i, _)| (lead + i) as i64));
        let r = if dims.is_empty() { g.clone() } else { sum_mean(g, Some(&dims), true, None, false, false)? };
        if lead == 0 {
            return Ok(r);
        }
        let target = crate::layout::Layout::contiguous(shape);
        return r.contiguous()?.view_op("ViewBackward0", move |l| Ok(crate::layout::Layout { offset: l.offset, ..target.clone() }));
    }
    // Accumulate in a wide type, then cast once (f16/bf16 accumulate in f32 like torch).
    let acc_dt = wide(g.dtype);
    let src = g.to_dtype(acc_dt, false)?;
    let out = Tensor::zeros(shape, acc_dt, crate::device::Device::Cpu)?;
    // View `out` with the shape of `g`: stride 0 on the summed dims.
    let mut ostrides = vec![0isize; g.ndim()];
    for (i, &s) in shape.iter().enumerate() {
        if s != 1 || g.shape()[lead + i] == 1 {
            ostrides[lead + i] = out.strides()[i];
        }
    }
    let (op, gp) = (out.data_ptr(), src.data_ptr());
    dispatch_wide!(acc_dt, T => {
        for_each_row(g.shape(), [src.strides(), &ostrides], [0, 0], |[gs, os], len, [gi, oi]| {
            // SAFETY: offsets come from in-bounds layouts of src and out.
            unsafe {
                let gp = (gp as *const T).offset(gs);
                let opp = (op as *mut T).offset(os);
                for k in 0..len as isize {
                    let y = opp.offset(k * oi);
                    *y = Num::add(*y, *gp.offset(k * gi));
                }
            }
        });
    });
    out.to_dtype(g.dtype, false)
}

// ----- binary ops -----

fn arg_tensor<'a>(a: &Arg<'a>) -> Option<&'a Tensor> {
    match a {
        Arg::T(t) => Some(t),
        Arg::S(_) => None,
    }
}

fn saved_arg(a: &Arg) -> Option<SavedTensor> {
    arg_tensor(a).map(SavedTensor::input)
}

fn is_differentiable_binary(op: BinaryOp) -> bool {
    use BinaryOp::*;
    matches!(
        op,
        Add | Sub | Mul | Div | DivFloor | DivTrunc | Remainder | Fmod | Pow | Atan2 | Hypot | Maximum | Minimum | Fmax | Fmin | Copysign
    )
}

/// `op(a, b)` with autograd.
pub fn binary(op: BinaryOp, a: Arg, bb: Arg, alpha: Option<Pivot>, out: Option<&Tensor>) -> Result<Tensor> {
    binary_impl(op, a, bb, alpha, out, false, false)
}

/// `binary` for the function forms `torch.add/sub/mul/div(scalar, tensor)`: torch wraps the
/// scalar as a 0-dim tensor, so the node is the tensor-tensor one (SubBackward0, DivBackward0)
/// with an empty first edge, where the operator `2 - x` gives RsubBackward1.
pub fn binary_scalar_first(op: BinaryOp, a: Arg, bb: Arg, alpha: Option<Pivot>, out: Option<&Tensor>) -> Result<Tensor> {
    binary_impl(op, a, bb, alpha, out, false, true)
}

/// `binary`; `internal` marks a scalar operand written in a formula (torch's `.Scalar` overload,
/// one edge) rather than a Python scalar (wrapped as a 0-dim tensor: a second, empty edge).
fn binary_impl(op: BinaryOp, a: Arg, bb: Arg, alpha: Option<Pivot>, out: Option<&Tensor>, internal: bool, first_wrapped: bool) -> Result<Tensor> {
    // The tensor operands, in order, without a heap allocation (this is the per-op hot path).
    let (ta, tb) = (arg_tensor(&a), arg_tensor(&bb));
    let pair: [&Tensor; 2];
    let one: [&Tensor; 1];
    let ts: &[&Tensor] = match (ta, tb) {
        (Some(x), Some(y)) => {
            pair = [x, y];
            &pair
        }
        (Some(x), None) | (None, Some(x)) => {
            one = [x];
            &one
        }
        (None, None) => &[],
    };
    if op == BinaryOp::Div && !first_wrapped && out.is_none() && should_record(ts) {
        if let (Arg::S(p), Arg::T(t)) = (&a, &bb) {
            // torch's `scalar / tensor` is `tensor.reciprocal() * scalar`.
            let r = unary(UnaryOp::Reciprocal, t, None)?;
            return binary(BinaryOp::Mul, Arg::T(&r), Arg::S(*p), None, None);
        }
    }
    if !should_record(ts) || !is_differentiable_binary(op) {
        return b::binary(op, pass(&a), pass(&bb), alpha, out);
    }
    if out.is_some() {
        bail!(
            runtime,
            "{}(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad.",
            op.name()
        );
    }
    // The kernel never returns an operand or its autograd state, so no detached copies are needed.
    let mut r = b::binary(op, pass(&a), pass(&bb), alpha, None)?;
    if !(r.dtype.is_floating_point() || r.dtype.is_complex()) {
        return Ok(r);
    }
    let a_is_t = arg_tensor(&a).is_some();
    let b_is_t = arg_tensor(&bb).is_some();
    let sa = match &a { Arg::S(p) => Some(*p), _ => None };
    let sb = match &bb { Arg::S(p) => Some(*p), _ => None };
    // Inputs of the node: the tensor operands, in order. `ia`/`ib` index their gradient slots.
    let ia = if a_is_t { Some(0) } else { None };
    let first_arith = first_wrapped && !a_is_t && b_is_t && matches!(op, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div);
    // With a wrapped first scalar the tensor's edge is the node's second.
    let ib = if b_is_t { Some(if a_is_t || first_arith { 1 } else { 0 }) } else { None };
    use BinaryOp::*;
    let needs_a_val = matches!(op, Mul | Div | Pow | Atan2 | Hypot | Maximum | Minimum | Fmax | Fmin | Remainder | Fmod | Copysign);
    let needs_b_val = matches!(op, Mul | Div | Pow | Atan2 | Hypot | Maximum | Minimum | Fmax | Fmin | Remainder | Fmod);
    let mut saved = Vec::new();
    // Slot layout in `saved`: [a?][b?][r]
    let mut slot_a = None;
    let mut slot_b = None;
    if needs_a_val {
        if let Some(s) = saved_arg(&a) {
            slot_a = Some(saved.len());
            saved.push(s);
        }
    }
    if needs_b_val {
        if let Some(s) = saved_arg(&bb) {
            slot_b = Some(saved.len());
            saved.push(s);
        }
    }
    let slot_r = saved.len();
    if matches!(op, Pow | Hypot | Copysign) {
        saved.push(SavedTensor::output(&r, 0));
    }
    let scalar_arith = a_is_t && !b_is_t && matches!(op, Add | Sub | Mul | Div);
    let name = match op {
        Add if scalar_arith && internal => "AddBackward1",
        Sub if scalar_arith && internal => "SubBackward1",
        Mul if scalar_arith && internal => "MulBackward1",
        Div if scalar_arith && internal => "DivBackward1",
        Sub if first_arith => "SubBackward0",
        _ => binary_node_name(op, a_is_t, b_is_t),
    };
    let alpha_v = alpha.map(pivot_f64).unwrap_or(1.0);
    let backward = move |ctx: &super::Ctx<'_>, g: &[Option<Tensor>]| -> Result<Vec<Option<Tensor>>> {
        let g = gr(g)?;
        let sv = |slot: Option<usize>, sc: Option<Pivot>| -> Result<Operand> {
            match slot {
                Some(i) => Ok(Operand::T(ctx.saved(i)?)),
                None => Ok(Operand::S(sc.unwrap_or(Pivot::F(0.0)))),
            }
        };
        let want_a = ia.is_some_and(|i| ctx.needs(i));
        let want_b = ib.is_some_and(|i| ctx.needs(i));
        let (mut ga, mut gb): (Option<Tensor>, Option<Tensor>) = (None, None);
        match op {
            Add | Sub => {
                if want_a {
                    ga = Some(g.clone());
                }
                if want_b {
                    // d(a + alpha b)/db = alpha; for sub torch negates first (-g, then * alpha)
                    let gs = if op == Sub { neg(g)? } else { g.clone() };
                    gb = Some(if alpha_v == 1.0 { gs } else { scale(&gs, alpha_v)? });
                }
            }
            Mul => {
                if want_a {
                    ga = Some(sv(slot_b, sb)?.mul_conj(g)?);
                }
                if want_b {
                    gb = Some(sv(slot_a, sa)?.mul_conj(g)?);
                }
            }
            Div => {
                let bv = sv(slot_b, sb)?;
                if want_a {
                    ga = Some(bv.div_conj(g)?);
                }
                if want_b {
                    // d(a/b)/db = -a / b^2, as torch writes it: -g * conj((a / b) / b)
                    let (av, bt) = (sv(slot_a, sa)?.tensor_like(g)?, bv.tensor_like(g)?);
                    gb = Some(mul(&neg(g)?, &conj(&div(&div(&av, &bt)?, &bt)?)?)?);
                }
            }
            Pow => {
                let r = ctx.saved(slot_r)?;
                let av = sv(slot_a, sa)?;
                let bv = sv(slot_b, sb)?;
                let real_scalar_exp = match &bv {
                    Operand::S(Pivot::C(..)) => None,
                    Operand::S(p) => Some(*p),
                    Operand::T(_) => None,
                };
                if let (true, Some(p)) = (want_a, real_scalar_exp) {
                    // d x^e = e x^(e-1) for a Python scalar e (torch: pow(x, e-1) * e, zeros when e == 0)
                    ga = Some(if pivot_f64(p) == 0.0 {
                        Tensor::zeros(g.shape(), g.dtype, g.device())?
                    } else {
                        let em1 = match p {
                            Pivot::I(n) => Pivot::I(n - 1),
                            Pivot::B(b) => Pivot::I(b as i64 - 1),
                            Pivot::F(f) => Pivot::F(f - 1.0),
                            c => c,
                        };
                        let base = av.tensor_like(&r)?;
                        let d = scalar_op(Mul, &scalar_op(Pow, &base, em1)?, p)?;
                        mul(g, &conj(&d)?)?
                    });
                } else if want_a {
                    // b * a^(b-1), and 0 where b == 0 (torch: where(b == 0, 0, g * conj(b * a^(b - 1))))
                    let base = av.tensor_like(&r)?;
                    let e = bv.tensor_like(&r)?;
                    let em1 = scalar_op(Sub, &e, Pivot::I(1))?;
                    let d = mul(&e, &binary(Pow, Arg::T(&base), Arg::T(&em1), None, None)?)?;
                    let full = mul(g, &conj(&d)?)?;
                    let zero = Tensor::zeros(&[], full.dtype, full.device())?;
                    let ez = b::binary(Eq, Arg::T(&e.detached()), Arg::S(Pivot::F(0.0)), None, None)?;
                    ga = Some(super::act::where_(&ez, Arg::T(&zero), Arg::T(&full), None)?);
                }
                if want_b {
                    // r * log(a), and 0 where a == 0 and b >= 0
                    let base = av.tensor_like(&r)?;
                    let d = mul(&r, &un(UnaryOp::Log, &base)?)?;
                    let e = bv.tensor_like(&r)?;
                    let zero_base = mask(Eq, Arg::T(&base.detached()), Arg::S(Pivot::F(0.0)), &d)?;
                    let e_nonneg = if r.dtype.is_complex() {
                        zero_base.clone()
                    } else {
                        mask(Ge, Arg::T(&e.detached()), Arg::S(Pivot::F(0.0)), &d)?
                    };
                    let kill = mul(&zero_base, &e_nonneg)?;
                    let keep = rsub_scalar(&kill, 1.0)?;
                    let d = where_keep(&d, &keep)?;
                    gb = Some(mul(g, &conj(&d)?)?);
                }
            }
            Atan2 => {
                let av = sv(slot_a, sa)?.tensor_like(g)?;
                let bv = sv(slot_b, sb)?.tensor_like(g)?;
                let den = add(&mul(&av, &av)?, &mul(&bv, &bv)?)?;
                if want_a {
                    ga = Some(div(&mul(g, &bv)?, &den)?);
                }
                if want_b {
                    gb = Some(div(&mul(g, &neg(&av)?)?, &den)?);
                }
            }
            Hypot => {
                let r = ctx.saved(slot_r)?;
                if want_a {
                    ga = Some(div(&mul(g, &sv(slot_a, sa)?.tensor_like(g)?)?, &r)?);
                }
                if want_b {
                    gb = Some(div(&mul(g, &sv(slot_b, sb)?.tensor_like(g)?)?, &r)?);
                }
            }
            Maximum | Minimum => {
                let av = sv(slot_a, sa)?.tensor_like(g)?.detached();
                let bv = sv(slot_b, sb)?.tensor_like(g)?.detached();
                let (win_a, win_b) = if op == Maximum { (Gt, Lt) } else { (Lt, Gt) };
                let eq = scale(&mask(Eq, Arg::T(&av), Arg::T(&bv), g)?, 0.5)?;
                if want_a {
                    let m = add(&mask(win_a, Arg::T(&av), Arg::T(&bv), g)?, &eq)?;
                    ga = Some(mul(g, &m)?);
                }
                if want_b {
                    let m = add(&mask(win_b, Arg::T(&av), Arg::T(&bv), g)?, &eq)?;
                    gb = Some(mul(g, &m)?);
                }
            }
            Fmax | Fmin => {
                let av = sv(slot_a, sa)?.tensor_like(g)?.detached();
                let bv = sv(slot_b, sb)?.tensor_like(g)?.detached();
                // The winner takes the gradient (a NaN side always loses); ties split it.
                let win = if op == Fmax { Gt } else { Lt };
                let eq = scale(&mask(Eq, Arg::T(&av), Arg::T(&bv), g)?, 0.5)?;
                let a_nan = mask(Ne, Arg::T(&av), Arg::T(&av), g)?;
                let b_nan = mask(Ne, Arg::T(&bv), Arg::T(&bv), g)?;
                if want_a {
                    let w = b::binary(Fmax, Arg::T(&mask(win, Arg::T(&av), Arg::T(&bv), g)?), Arg::T(&b_nan), None, None)?;
                    ga = Some(mul(g, &add(&w, &eq)?)?);
                }
                if want_b {
                    let w = b::binary(Fmax, Arg::T(&mask(win, Arg::T(&bv), Arg::T(&av), g)?), Arg::T(&a_nan), None, None)?;
                    gb = Some(mul(g, &add(&w, &eq)?)?);
                }
            }
            Remainder | Fmod | DivFloor | DivTrunc => {
                if matches!(op, DivFloor | DivTrunc) {
                    if want_a {
                        ga = Some(scale(g, 0.0)?);
                    }
                    if want_b {
                        gb = Some(scale(g, 0.0)?);
                    }
                } else {
                    if want_a {
                        ga = Some(g.clone());
                    }
                    if want_b {
                        let av = sv(slot_a, sa)?.tensor_like(g)?.detached();
                        let bv = sv(slot_b, sb)?.tensor_like(g)?.detached();
                        let q = b::binary(if op == Remainder { DivFloor } else { DivTrunc }, Arg::T(&av), Arg::T(&bv), None, None)?;
                        gb = Some(neg(&mul(g, &q)?)?);
                    }
                }
            }
            Copysign => {
                if want_a {
                    // r / a where a != 0, else 0
                    let r = ctx.saved(slot_r)?.detached();
                    let av = sv(slot_a, sa)?.tensor_like(g)?.detached();
                    let ratio = div(&r, &av)?;
                    let nz = mask(Ne, Arg::T(&av), Arg::S(Pivot::F(0.0)), g)?;
                    ga = Some(mul(g, &where_keep(&ratio, &nz)?)?);
                }
                if want_b {
                    gb = Some(scale(g, 0.0)?);
                }
            }
            _ => {}
        }
        let mut v = Vec::new();
        if a_is_t {
            v.push(ga);
        }
        if b_is_t {
            v.push(gb);
        }
        Ok(v)
    };
    if (scalar_arith && !internal) || first_arith {
        super::record_scalar_operand(name, ts, &mut [&mut r], saved, backward, first_arith);
    } else {
        record(name, ts, &mut [&mut r], saved, backward);
    }
    Ok(r)
}

/// `x * keep` for a 0/1 mask `keep`, with exact zeros where keep is 0 (even where x is inf/nan).
fn where_keep(x: &Tensor, keep: &Tensor) -> Result<Tensor> {
    let prod = mul(x, keep)?;
    let dropped = mask(BinaryOp::Eq, Arg::T(&keep.detached()), Arg::S(Pivot::F(0.0)), &prod)?;
    zero_where(&prod, &dropped)
}

/// `x` with the places where `m` is 1 set to exactly 0 (differentiable in x).
fn zero_where(x: &Tensor, m: &Tensor) -> Result<Tensor> {
    let md = m.detached().to_dtype(crate::dtype::DType::Bool, false)?.contiguous()?;
    let xd = x.detached().contiguous_copy()?;
    let n = xd.numel();
    crate::dispatch!(xd.dtype, T => {
        // SAFETY: both contiguous with n elements; the mask is bool.
        let (xs, ms) = unsafe {
            (std::slice::from_raw_parts_mut(xd.data_ptr() as *mut T, n), std::slice::from_raw_parts(md.data_ptr() as *const bool, n))
        };
        for (x, m) in xs.iter_mut().zip(ms) {
            if *m {
                *x = T::from_pivot(Pivot::I(0));
            }
        }
    });
    if !should_record(&[x]) {
        return Ok(xd);
    }
    let mut r = xd;
    let keep = rsub_scalar(&md.to_dtype(x.dtype, false)?, 1.0)?;
    record("MaskedFillBackward0", &[x], &mut [&mut r], vec![], move |_, g| Ok(vec![Some(mul(gr(g)?, &keep)?)]));
    Ok(r)
}

pub(crate) fn pivot_f64(p: Pivot) -> f64 {
    match p {
        Pivot::B(b) => b as i64 as f64,
        Pivot::I(i) => i as f64,
        Pivot::F(f) => f,
        Pivot::C(re, _) => re,
    }
}

fn binary_node_name(op: BinaryOp, a_t: bool, b_t: bool) -> &'static str {
    use BinaryOp::*;
    // Python scalars are wrapped as 0-dim tensors in torch, so most ops keep their tensor names.
    match op {
        Add => "AddBackward0",
        Sub => if a_t { "SubBackward0" } else { "RsubBackward1" },
        Mul => "MulBackward0",
        Div => "DivBackward0",
        DivFloor | DivTrunc => if b_t { "DivBackward2" } else { "DivBackward3" },
        Remainder => if b_t { "RemainderBackward1" } else { "RemainderBackward0" },
        Fmod => if b_t { "FmodBackward1" } else { "FmodBackward0" },
        Pow => {
            if !a_t {
                "PowBackward2"
            } else if !b_t {
                "PowBackward0"
            } else {
                "PowBackward1"
            }
        }
        Atan2 => "Atan2Backward0",
        Hypot => "HypotBackward0",
        Maximum => "MaximumBackward0",
        Minimum => "MinimumBackward0",
        Fmax => "FmaxBackward0",
        Fmin => "FminBackward0",
        Copysign => if b_t { "CopysignBackward0" } else { "CopysignBackward1" },
        _ => "NotDifferentiable",
    }
}

/// A saved operand: a tensor, or the Python scalar that stood in its place.
enum Operand {
    T(Tensor),
    S(Pivot),
}

impl Operand {
    /// As a tensor broadcastable against `like` (scalars become 0-dim tensors of like's dtype).
    fn tensor_like(&self, like: &Tensor) -> Result<Tensor> {
        match self {
            Operand::T(t) => Ok(t.clone()),
            Operand::S(p) => crate::tensor::create::from_pivots(&[*p], &[], like.dtype),
        }
    }
    /// `g * conj(self)`.
    fn mul_conj(&self, g: &Tensor) -> Result<Tensor> {
        match self {
            Operand::T(t) => mul(g, &conj(t)?),
            Operand::S(p) => binary(BinaryOp::Mul, Arg::T(g), Arg::S(conj_pivot(*p)), None, None),
        }
    }
    /// `g / conj(self)`.
    fn div_conj(&self, g: &Tensor) -> Result<Tensor> {
        match self {
            Operand::T(t) => div(g, &conj(t)?),
            Operand::S(p) => binary(BinaryOp::Div, Arg::T(g), Arg::S(conj_pivot(*p)), None, None),
        }
    }
}

fn conj_pivot(p: Pivot) -> Pivot {
    match p {
        Pivot::C(re, im) => Pivot::C(re, -im),
        p => p,
    }
}

fn pass<'a>(a: &Arg<'a>) -> Arg<'a> {
    match a {
        Arg::T(t) => Arg::T(t),
        Arg::S(p) => Arg::S(*p),
    }
}

/// In-place `a.op_(b)` with autograd (rebases `a`'s history onto the new node).
pub fn binary_(op: BinaryOp, a: &mut Tensor, bb: Arg, alpha: Option<Pivot>) -> Result<()> {
    let bt = arg_tensor(&bb);
    let rec = a.ag.is_some() || bt.is_some_and(|t| t.ag.is_some());
    if !rec || !is_differentiable_binary(op) || !super::is_grad_enabled() || !(a.requires_grad() || bt.is_some_and(|t| t.requires_grad())) {
        if is_differentiable_binary(op) {
            super::check_inplace(a)?;
        }
        return b::binary_(op, a, bb, alpha);
    }
    // Check castability first so a failing op leaves `a` untouched.
    let (_, out_dt) = b::binary_dtypes(op, &Arg::T(a), &bb)?;
    if !crate::promote::can_cast(out_dt, a.dtype) {
        bail!(runtime, "result type {} can't be cast to the desired output type {}", out_dt.scalar_name(), a.dtype.scalar_name());
    }
    let bshape = bb_shape(&bb);
    if crate::layout::broadcast_shapes(a.shape(), &bshape)?.as_slice() != a.shape() {
        bail!(
            runtime,
            "output with shape {:?} doesn't match the broadcast shape {:?}",
            a.shape(),
            crate::layout::broadcast_shapes(a.shape(), &bshape)?
        );
    }
    inplace_with_grad(a, |snap| binary(op, Arg::T(snap), bb, alpha, None))
}

fn bb_shape(a: &Arg) -> Vec<usize> {
    match a {
        Arg::T(t) => t.shape().to_vec(),
        Arg::S(_) => vec![],
    }
}

// ----- dtype conversion and copies -----

/// `a.to(dtype)` with autograd (`ToCopyBackward0`).
pub fn to_dtype(a: &Tensor, dtype: crate::dtype::DType, copy: bool) -> Result<Tensor> {
    if dtype == a.dtype && !copy {
        // The identity (a lazy conj/neg view stays one, with its autograd state).
        return Ok(a.clone());
    }
    if !should_record(&[a]) {
        let mut r = a.to_dtype(dtype, copy)?;
        if dtype == a.dtype && !copy {
            r.ag = a.ag.clone();
        }
        return Ok(r);
    }
    let mut r = a.detached().to_dtype(dtype, copy)?;
    if !(dtype.is_floating_point() || dtype.is_complex()) {
        return Ok(r);
    }
    record("ToCopyBackward0", &[a], &mut [&mut r], vec![], |_, g| Ok(vec![Some(gr(g)?.clone())]));
    Ok(r)
}

/// `a.clone()` with autograd (`CloneBackward0`).
pub fn clone(a: &Tensor, f: impl FnOnce(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
    let mut r = f(&a.detached())?;
    if should_record(&[a]) {
        record("CloneBackward0", &[a], &mut [&mut r], vec![], |_, g| Ok(vec![Some(gr(g)?.clone())]));
    }
    Ok(r)
}

/// A view op `r = view(a)` whose backward maps the gradient back through `back`.
pub fn view<F>(name: &'static str, a: &Tensor, mut r: Tensor, back: F) -> Result<Tensor>
where
    F: Fn(&Tensor) -> Result<Tensor> + Send + Sync + 'static,
{
    if should_record(&[a]) {
        record(name, &[a], &mut [&mut r], vec![], move |_, g| Ok(vec![Some(back(gr(g)?)?)]));
    }
    Ok(r)
}

// ----- views -----

/// Scatter-adds `g` (shaped like `from`) into a zero buffer of `len` elements at the offsets of
/// `from`, then gathers the buffer through `to` into a new contiguous tensor.
pub fn restride(g: &Tensor, from: &crate::layout::Layout, to: &crate::layout::Layout, len: usize) -> Result<Tensor> {
    let acc_dt = wide(g.dtype);
    let gc = g.detached().to_dtype(acc_dt, false)?;
    let buf = Tensor::zeros(&[len], acc_dt, crate::device::Device::Cpu)?;
    let out = Tensor::for_overwrite(&to.shape, acc_dt)?;
    let (bp, gp, op) = (buf.data_ptr(), gc.data_ptr(), out.data_ptr());
    let ostrides = out.strides().to_vec();
    dispatch_wide!(acc_dt, T => {
        for_each_row(&from.shape, [gc.strides(), &from.strides], [0, from.offset as isize], |[gs, bs], len, [gi, bi]| {
            // SAFETY: offsets are inside g and inside the buffer (from's extent is within len).
            unsafe {
                let gp = (gp as *const T).offset(gs);
                let b = (bp as *mut T).offset(bs);
                for k in 0..len as isize {
                    let y = b.offset(k * bi);
                    *y = Num::add(*y, *gp.offset(k * gi));
                }
            }
        });
        for_each_row(&to.shape, [&to.strides, &ostrides], [to.offset as isize, 0], |[bs, os], len, [bi, oi]| {
            // SAFETY: to's offsets are inside the buffer; out is contiguous of to's shape.
            unsafe {
                let b = (bp as *const T).offset(bs);
                let o = (op as *mut T).offset(os);
                for k in 0..len as isize {
                    *o.offset(k * oi) = *b.offset(k * bi);
                }
            }
        });
    });
    out.to_dtype(g.dtype, false)
}

/// Records a view `r` of `a` whose layouts are mapped through the shared storage.
pub fn storage_view(a: &Tensor, r: Tensor) -> Tensor {
    let r = storage_view_raw(a, r);
    super::inplace::mark_view(a, r)
}

/// `storage_view` without marking the result as a view (for regenerated view grad_fns).
pub fn storage_view_raw(a: &Tensor, mut r: Tensor) -> Tensor {
    let (lo, hi) = a.layout.extent();
    let shift = |l: &crate::layout::Layout| crate::layout::Layout {
        shape: l.shape.clone(),
        strides: l.strides.clone(),
        offset: (l.offset as isize - lo) as usize,
    };
    let (from, to) = (shift(&r.layout), shift(&a.layout));
    let len = (hi - lo).max(0) as usize;
    record("AsStridedBackward0", &[a], &mut [&mut r], vec![], move |_, g| Ok(vec![Some(view_grad(gr(g)?, &from, &to, len)?)]));
    r
}

/// Records a view `r` of `a`, with `mapped` = the view applied to the dense `proxy` of `a`.
pub fn layout_view(name: &'static str, a: &Tensor, mut r: Tensor, proxy: crate::layout::Layout, mapped: crate::layout::Layout) -> Tensor {
    let len = proxy.numel();
    record(name, &[a], &mut [&mut r], vec![], move |_, g| Ok(vec![Some(view_grad(gr(g)?, &mapped, &proxy, len)?)]));
    super::inplace::mark_view(a, r)
}

/// The gradient of a view, itself differentiable (its backward is the view again).
pub(crate) fn view_grad(g: &Tensor, from: &crate::layout::Layout, to: &crate::layout::Layout, len: usize) -> Result<Tensor> {
    let mut r = restride(g, from, to, len)?;
    if should_record(&[g]) {
        let (f2, t2) = (to.clone(), from.clone());
        record("AsStridedBackward0", &[g], &mut [&mut r], vec![], move |_, gg| Ok(vec![Some(view_grad(gr(gg)?, &f2, &t2, len)?)]));
    }
    Ok(r)
}

// ----- matrix products: see products.rs -----

pub use super::products::{add_product, matmul, named_product};

// ----- reductions -----

/// `sum`/`mean` (and nan-variants) with autograd: the gradient is g broadcast back over the
/// reduced dims (d sum/dx_i = 1), divided by the count for mean (d mean/dx_i = 1/n).
pub fn sum_mean(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<crate::dtype::DType>, skip_nan: bool, mean: bool) -> Result<Tensor> {
    use crate::ops::reduce as r;
    let f = if mean { r::mean } else { r::sum };
    if !should_record(&[t]) {
        return f(t, dims, keepdim, dtype, skip_nan);
    }
    let mut out = f(&t.detached(), dims, keepdim, dtype, skip_nan)?;
    if !(out.dtype.is_floating_point() || out.dtype.is_complex()) {
        return Ok(out);
    }
    let mask = r::dim_mask(t.ndim(), dims)?;
    let in_shape = t.shape().to_vec();
    let count: usize = in_shape.iter().zip(&mask).filter(|(_, m)| **m).map(|(s, _)| *s).product();
    let name = match (mean, dims.is_some()) {
        (false, false) => "SumBackward0",
        (false, true) => "SumBackward1",
        (true, false) => "MeanBackward0",
        (true, true) => "MeanBackward1",
    };
    let saved = if skip_nan { vec![SavedTensor::input(t)] } else { vec![] };
    let has_dims = dims.is_some();
    record(name, &[t], &mut [&mut out], saved, move |ctx, g| {
        // torch: grad.unsqueeze(d) for each reduced d (not for a full reduction), .expand(sizes), / n
        let mut g = gr(g)?.clone();
        if !keepdim && has_dims {
            for (d, m) in mask.iter().enumerate() {
                if *m {
                    g = crate::ops::shape::unsqueeze(&g, d as i64)?;
                }
            }
        }
        let sizes: Vec<i64> = in_shape.iter().map(|&s| s as i64).collect();
        let mut gi = crate::ops::shape::expand(&g, &sizes)?;
        if mean {
            gi = scalar_op(BinaryOp::Div, &gi, Pivot::I(count.max(1) as i64))?;
        }
        if skip_nan {
            // nan entries did not contribute: their gradient is 0
            let x = ctx.saved(0)?.detached();
            let isnan = b::binary(BinaryOp::Ne, Arg::T(&x), Arg::T(&x), None, None)?;
            gi = zero_where(&mul(&gi, &ones_like(&gi)?)?, &isnan)?;
        }
        Ok(vec![Some(gi)])
    });
    Ok(out)
}

fn ones_like(t: &Tensor) -> Result<Tensor> {
    Tensor::full(t.shape(), Pivot::F(1.0), t.dtype, t.device())
}

mod unary;
pub use unary::{unary, unary_};
