//! Binary elementwise ops: promote once, broadcast once, then one kernel per (op, dtype).
use crate::backend::cpu::elementwise as ew;
use crate::backend::cpu::num::{Num, Stored};
use crate::bail;
use crate::device::Device;
use crate::dispatch;
use crate::dtype::{DType, default_dtype};
use crate::element::{Element, Pivot};
use crate::error::Result;
use crate::layout::broadcast_shapes;
use crate::promote::{Operand, can_cast, result_type};
use crate::tensor::Tensor;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    DivFloor,
    DivTrunc,
    Remainder,
    Fmod,
    Pow,
    Atan2,
    Hypot,
    Maximum,
    Minimum,
    Fmax,
    Fmin,
    Copysign,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    LogicalAnd,
    LogicalOr,
    LogicalXor,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinaryOp {
    /// The op name torch uses in its messages.
    pub fn name(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Add => "add",
            Sub => "sub",
            Mul => "mul",
            Div => "div",
            DivFloor => "div_floor",
            DivTrunc => "div_trunc",
            Remainder => "remainder",
            Fmod => "fmod",
            Pow => "pow",
            Atan2 => "atan2",
            Hypot => "hypot",
            Maximum => "maximum",
            Minimum => "minimum",
            Fmax => "fmax",
            Fmin => "fmin",
            Copysign => "copysign",
            BitAnd => "bitwise_and",
            BitOr => "bitwise_or",
            BitXor => "bitwise_xor",
            Shl => "lshift",
            Shr => "rshift",
            LogicalAnd => "logical_and",
            LogicalOr => "logical_or",
            LogicalXor => "logical_xor",
            Eq => "eq",
            Ne => "ne",
            Lt => "lt",
            Le => "le",
            Gt => "gt",
            Ge => "ge",
        }
    }
    pub fn is_comparison(self) -> bool {
        use BinaryOp::*;
        matches!(self, Eq | Ne | Lt | Le | Gt | Ge)
    }
    pub fn is_logical(self) -> bool {
        matches!(self, BinaryOp::LogicalAnd | BinaryOp::LogicalOr | BinaryOp::LogicalXor)
    }
    fn is_bitwise(self) -> bool {
        use BinaryOp::*;
        matches!(self, BitAnd | BitOr | BitXor | Shl | Shr)
    }
    /// Ops that turn integer inputs into the default float dtype.
    fn int_to_float(self) -> bool {
        matches!(self, BinaryOp::Div | BinaryOp::Atan2 | BinaryOp::Copysign | BinaryOp::Hypot)
    }
}

/// An operand: a tensor, or a Python number.
#[derive(Clone, Copy)]
pub enum Arg<'a> {
    T(&'a Tensor),
    S(Pivot),
}

pub fn scalar_kind(p: Pivot) -> DType {
    match p {
        Pivot::B(_) => DType::Bool,
        Pivot::I(_) => DType::I64,
        Pivot::F(_) => DType::F64,
        Pivot::C(..) => DType::C128,
    }
}

impl Arg<'_> {
    fn operand(&self) -> Operand {
        match self {
            Arg::T(t) if t.ndim() == 0 => Operand::Zero(t.dtype),
            Arg::T(t) => Operand::Dim(t.dtype),
            Arg::S(p) => Operand::Scalar(scalar_kind(*p)),
        }
    }
    fn shape(&self) -> &[usize] {
        match self {
            Arg::T(t) => t.shape(),
            Arg::S(_) => &[],
        }
    }
    /// This operand as a tensor of `dtype` broadcast to `shape` (casting copies only when needed).
    fn materialize(&self, dtype: DType, shape: &[usize]) -> Result<Tensor> {
        let t = match self {
            Arg::T(t) => t.to_device(Device::Cpu)?.to_dtype(dtype, false)?,
            Arg::S(p) => crate::tensor::create::from_pivots(&[*p], &[], dtype)?,
        };
        t.expand_to(shape)
    }
}

/// The dtype `op` computes in, and the dtype of its result, with torch's errors for unsupported types.
pub fn binary_dtypes(op: BinaryOp, a: &Arg, b: &Arg) -> Result<(DType, DType)> {
    let common = result_type(&[a.operand(), b.operand()]);
    let compute = if op.int_to_float() && common.is_integral(true) { default_dtype() } else { common };
    let unsupported = |dt: DType| -> Result<()> {
        bail!(runtime, "\"{}_cpu\" not implemented for '{}'", op.name(), dt.scalar_name())
    };
    use BinaryOp::*;
    if op.is_bitwise() && !compute.is_integral(true) {
        unsupported(compute)?;
    }
    if matches!(op, Shl | Shr) && compute == DType::Bool {
        unsupported(compute)?;
    }
    if compute.is_complex() {
        match op {
            Lt | Le | Gt | Ge | Maximum | Minimum | Fmax | Fmin => {
                bail!(runtime, "{} is not supported for complex inputs", op.name())
            }
            Remainder | Fmod | DivFloor | DivTrunc | Atan2 | Hypot | Copysign => unsupported(compute)?,
            _ => {}
        }
    }
    if compute == DType::Bool && matches!(op, Sub) {
        bail!(
            runtime,
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead."
        );
    }
    let out = if op.is_comparison() || op.is_logical() { DType::Bool } else { compute };
    Ok((compute, out))
}

/// Applies `op` with `alpha` (for add/sub: `a + alpha * b`), writing into `out` when given.
pub fn binary(op: BinaryOp, a: Arg, b: Arg, alpha: Option<Pivot>, out: Option<&Tensor>) -> Result<Tensor> {
    for arg in [&a, &b] {
        if let Arg::T(t) = arg {
            if t.device() != Device::Cpu {
                bail!(not_implemented, "[{}] CUDA kernels are not implemented yet", op.name());
            }
        }
    }
    let (compute, out_dt) = binary_dtypes(op, &a, &b)?;
    let shape = broadcast_shapes(a.shape(), b.shape())?;
    if let Some(o) = out {
        if !can_cast(out_dt, o.dtype) {
            bail!(runtime, "result type {} can't be cast to the desired output type {}", out_dt.scalar_name(), o.dtype.scalar_name());
        }
    }
    // Logical ops read each side's truthiness in its own dtype.
    let (ta, tb) = if op.is_logical() {
        let (da, db) = (arg_dtype(&a), arg_dtype(&b));
        (a.materialize(da, &shape)?, b.materialize(db, &shape)?)
    } else {
        (a.materialize(compute, &shape)?, b.materialize(compute, &shape)?)
    };
    if matches!(op, BinaryOp::DivFloor | BinaryOp::DivTrunc | BinaryOp::Remainder | BinaryOp::Fmod)
        && compute.is_integral(false)
        && has_zero(&tb)?
    {
        bail!(runtime, "ZeroDivisionError");
    }
    if op == BinaryOp::Pow && compute.is_integral(false) && has_negative_exponent(&ta, &tb)? {
        bail!(runtime, "Integers to negative integer powers are not allowed.");
    }
    let direct = out.filter(|o| o.dtype == out_dt && o.shape() == shape.as_slice());
    let result = match direct {
        Some(o) => o.clone(),
        None => Tensor::for_overwrite(&shape, out_dt)?,
    };
    if op.is_logical() {
        run_logical(op, &ta, &tb, &result);
    } else {
        let alpha = alpha.unwrap_or(Pivot::I(1));
        dispatch!(compute, S => run::<S>(op, &ta, &tb, &result, alpha));
    }
    super::deliver(result, out, direct.is_some())
}

fn arg_dtype(a: &Arg) -> DType {
    match a {
        Arg::T(t) => t.dtype,
        Arg::S(p) => scalar_kind(*p),
    }
}

fn has_zero(t: &Tensor) -> Result<bool> {
    Ok(t.to_pivots()?.iter().any(|p| matches!(p, Pivot::I(0))))
}

fn has_negative_exponent(base: &Tensor, exp: &Tensor) -> Result<bool> {
    let (b, e) = (base.to_pivots()?, exp.to_pivots()?);
    Ok(b.iter().zip(e.iter()).any(|(b, e)| matches!(e, Pivot::I(x) if *x < 0) && !matches!(b, Pivot::I(1) | Pivot::I(-1))))
}

fn run<S: Stored>(op: BinaryOp, a: &Tensor, b: &Tensor, out: &Tensor, alpha: Pivot) {
    let (pa, pb) = (a.storage.as_ptr() as *const S, b.storage.as_ptr() as *const S);
    let (la, lb, lo) = (&a.layout, &b.layout, &out.layout);
    use BinaryOp::*;
    // SAFETY: all layouts are in bounds and share the output shape; out is a fresh or checked tensor.
    unsafe {
        macro_rules! arith {
            ($f:expr) => {{
                let f = $f;
                ew::binary(pa, la, pb, lb, out.storage.as_ptr() as *mut S, lo, |x: S, y: S| S::store(f(x.load(), y.load())))
            }};
        }
        macro_rules! cmp {
            ($f:expr) => {{
                let f = $f;
                ew::binary(pa, la, pb, lb, out.storage.as_ptr() as *mut bool, lo, |x: S, y: S| f(x.load(), y.load()))
            }};
        }
        type M<S> = <S as Stored>::M;
        match op {
            Add | Sub => {
                let al = <M<S>>::from_pivot(alpha);
                let unit = alpha == Pivot::I(1);
                match (op, unit) {
                    (Add, true) => arith!(|x: M<S>, y: M<S>| x.add(y)),
                    (Add, false) => arith!(move |x: M<S>, y: M<S>| x.add(y.mul(al))),
                    (_, true) => arith!(|x: M<S>, y: M<S>| x.sub(y)),
                    _ => arith!(move |x: M<S>, y: M<S>| x.sub(y.mul(al))),
                }
            }
            Mul => arith!(|x: M<S>, y: M<S>| x.mul(y)),
            Div => arith!(|x: M<S>, y: M<S>| x.div(y)),
            DivFloor => arith!(|x: M<S>, y: M<S>| x.floor_div(y)),
            DivTrunc => arith!(|x: M<S>, y: M<S>| x.trunc_div(y)),
            Remainder => arith!(|x: M<S>, y: M<S>| x.rem(y)),
            Fmod => arith!(|x: M<S>, y: M<S>| x.fmod(y)),
            Pow => arith!(|x: M<S>, y: M<S>| x.pow(y)),
            Atan2 => arith!(|x: M<S>, y: M<S>| float2(x, y, f64::atan2)),
            Hypot => arith!(|x: M<S>, y: M<S>| float2(x, y, f64::hypot)),
            Copysign => arith!(|x: M<S>, y: M<S>| float2(x, y, f64::copysign)),
            Maximum => arith!(|x: M<S>, y: M<S>| x.maximum(y)),
            Minimum => arith!(|x: M<S>, y: M<S>| x.minimum(y)),
            Fmax => arith!(|x: M<S>, y: M<S>| x.fmax(y)),
            Fmin => arith!(|x: M<S>, y: M<S>| x.fmin(y)),
            BitAnd => arith!(|x: M<S>, y: M<S>| x.bitand(y)),
            BitOr => arith!(|x: M<S>, y: M<S>| x.bitor(y)),
            BitXor => arith!(|x: M<S>, y: M<S>| x.bitxor(y)),
            Shl => arith!(|x: M<S>, y: M<S>| x.shl(y)),
            Shr => arith!(|x: M<S>, y: M<S>| x.shr(y)),
            Eq => cmp!(|x: M<S>, y: M<S>| x == y),
            Ne => cmp!(|x: M<S>, y: M<S>| x != y),
            Lt => cmp!(|x: M<S>, y: M<S>| x.lt(y)),
            Le => cmp!(|x: M<S>, y: M<S>| x.le(y)),
            Gt => cmp!(|x: M<S>, y: M<S>| y.lt(x)),
            Ge => cmp!(|x: M<S>, y: M<S>| y.le(x)),
            LogicalAnd | LogicalOr | LogicalXor => {}
        }
    }
}

/// Float-only binary functions evaluated in double (exact for float32 inputs, then rounded once).
#[inline(always)]
fn float2<M: Num>(x: M, y: M, f: fn(f64, f64) -> f64) -> M {
    let g = |p: Pivot| match p {
        Pivot::F(v) => v,
        Pivot::I(i) => i as f64,
        Pivot::B(b) => b as u8 as f64,
        Pivot::C(r, _) => r,
    };
    M::from_pivot(Pivot::F(f(g(x.to_pivot()), g(y.to_pivot()))))
}

fn run_logical(op: BinaryOp, a: &Tensor, b: &Tensor, out: &Tensor) {
    dispatch!(a.dtype, A => dispatch!(b.dtype, B => {
        let f = move |x: A, y: B| -> bool {
            let (p, q) = (x.load().truthy(), y.load().truthy());
            match op {
                BinaryOp::LogicalAnd => p && q,
                BinaryOp::LogicalOr => p || q,
                _ => p != q,
            }
        };
        // SAFETY: layouts are in bounds and broadcast to the output shape.
        unsafe {
            ew::binary(
                a.storage.as_ptr() as *const A,
                &a.layout,
                b.storage.as_ptr() as *const B,
                &b.layout,
                out.storage.as_ptr() as *mut bool,
                &out.layout,
                f,
            )
        }
    }))
}

/// The in-place form `a.op_(b)`: the result must be castable to `a`'s dtype and keep `a`'s shape.
pub fn binary_(op: BinaryOp, a: &Tensor, b: Arg, alpha: Option<Pivot>) -> Result<()> {
    let shape = broadcast_shapes(a.shape(), b.shape())?;
    if shape.as_slice() != a.shape() {
        bail!(runtime, "output with shape {:?} doesn't match the broadcast shape {:?}", a.shape(), shape);
    }
    a.check_writable()?;
    // Reading an input that overlaps the output in a different layout needs a snapshot.
    let snap;
    let b = match b {
        Arg::T(t) if std::sync::Arc::ptr_eq(&t.storage, &a.storage) && t.layout != a.layout => {
            snap = t.clone_tensor()?;
            Arg::T(&snap)
        }
        other => other,
    };
    binary(op, Arg::T(a), b, alpha, Some(a))?;
    Ok(())
}
