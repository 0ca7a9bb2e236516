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
        matches!(self, BinaryOp::Div | BinaryOp::Atan2 | BinaryOp::Copysign)
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
    pub fn operand(&self) -> Operand {
        match self {
            Arg::T(t) if t.ndim() == 0 => Operand::Zero(t.dtype),
            Arg::T(t) => Operand::Dim(t.dtype),
            Arg::S(p) => Operand::Scalar(scalar_kind(*p)),
        }
    }
    pub fn shape(&self) -> &[usize] {
        match self {
            Arg::T(t) => t.shape(),
            Arg::S(_) => &[],
        }
    }
    /// This operand as a tensor of `dtype` broadcast to `shape` (casting copies only when needed).
    pub fn materialize(&self, dtype: DType, shape: &[usize]) -> Result<Tensor> {
        let t = match self {
            Arg::T(t) => t.to_device(Device::Cpu)?.to_dtype(dtype, false)?,
            Arg::S(p) => crate::tensor::create::from_pivots(&[*p], &[], dtype)?,
        };
        t.expand_to(shape)
    }
}

/// The dtype `op` computes in, and the dtype of its result, with torch's errors for unsupported types.
pub fn binary_dtypes(op: BinaryOp, a: &Arg, b: &Arg) -> Result<(DType, DType)> {
    let common = crate::promote::try_result_type(&[a.operand(), b.operand()])?;
    binary_dtypes_from(op, common, arg_dtype(a), arg_dtype(b))
}

/// [`binary_dtypes`] from the promoted dtype and each operand's own dtype.
pub fn binary_dtypes_from(op: BinaryOp, common: DType, da: DType, db: DType) -> Result<(DType, DType)> {
    let compute = if op.int_to_float() && common.is_integral(true) { default_dtype() } else { common };
    let unsupported = |dt: DType| -> Result<()> {
        let suffix = if op == BinaryOp::Pow { "" } else { "_cpu" };
        bail!(not_implemented, "\"{}{}\" not implemented for '{}'", op.name(), suffix, dt.scalar_name())
    };
    use BinaryOp::*;
    barebones_binary(op, compute)?;
    if op == Sub && (da == DType::Bool || db == DType::Bool) {
        if da == DType::Bool && db == DType::Bool {
            bail!(
                not_implemented,
                "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead."
            );
        }
        bail!(
            not_implemented,
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        );
    }
    if op.is_bitwise() && !compute.is_integral(true) {
        unsupported(compute)?;
    }
    if matches!(op, Shl | Shr) && compute == DType::Bool {
        unsupported(compute)?;
    }
    if compute.is_complex() {
        match op {
            Maximum | Minimum | Fmax | Fmin => {
                bail!(type_error, "{} not implemented for complex tensors.", op.name())
            }
            Lt | Le | Gt | Ge | Remainder | Fmod | DivFloor | DivTrunc | Atan2 | Hypot | Copysign => unsupported(compute)?,
            _ => {}
        }
    }
    if compute == DType::Bool && matches!(op, Pow | DivFloor | DivTrunc | Remainder | Fmod) {
        unsupported(compute)?;
    }
    if op == Hypot && compute.is_integral(true) {
        unsupported(compute)?;
    }
    let out = if op.is_comparison() || op.is_logical() { DType::Bool } else { compute };
    Ok((compute, out))
}

/// torch's kernels for uint16/32/64 and float8 cover only a few ops; the rest raise its
/// "not implemented" error.
fn barebones_binary(op: BinaryOp, compute: DType) -> Result<()> {
    use BinaryOp::*;
    if !compute.is_barebones() {
        return Ok(());
    }
    let ok = if compute.is_float8() {
        matches!(op, Mul | Eq | Ne)
    } else {
        matches!(op, Mul | Eq | Ne | BitAnd | BitOr | BitXor | Maximum | Minimum | Fmax | Fmin)
    };
    if ok {
        return Ok(());
    }
    let name = match op {
        Add | Sub => "add_stub".to_string(),
        Pow => "pow".to_string(),
        _ => format!("{}_cpu", op.name()),
    };
    bail!(not_implemented, "\"{}\" not implemented for '{}'", name, compute.scalar_name())
}

/// Applies `op` with `alpha` (for add/sub: `a + alpha * b`), writing into `out` when given.
pub fn binary(op: BinaryOp, a: Arg, b: Arg, alpha: Option<Pivot>, out: Option<&Tensor>) -> Result<Tensor> {
    crate::resolve_arg_bits!(a);
    crate::resolve_arg_bits!(b);
    for arg in [&a, &b] {
        if let Arg::T(t) = arg {
            if t.device() != Device::Cpu {
                bail!(not_implemented, "[{}] CUDA kernels are not implemented yet", op.name());
            }
        }
    }
    use BinaryOp::*;
    if op == Pow
        && alpha.is_none()
        && let (Arg::T(t), Arg::S(e)) = (&a, &b)
    {
        let compute = result_type(&[a.operand(), b.operand()]);
        // in place too (`x.pow_(0)` fills ones even where cpow(0, 0) is nan)
        if out.is_none_or(|o| o.dtype == compute && o.shape() == t.shape())
            && let Some(r) = super::complex::pow_scalar_special(t, *e, compute)?
        {
            return super::deliver(r, out, false);
        }
    }
    if out.is_none() && alpha.is_none() {
        if let Some(r) = fast_same_layout(op, &a, &b)? {
            return Ok(r);
        }
    }
    let (da, db) = (arg_dtype(&a), arg_dtype(&b));
    // Checks torch makes before building its iterator.
    if matches!(op, Maximum | Minimum | Fmax | Fmin) && (da.is_complex() || db.is_complex()) {
        bail!(type_error, "{} not implemented for complex tensors.", op.name());
    }
    if op == Sub && (da == DType::Bool || db == DType::Bool) {
        binary_dtypes_from(op, DType::Bool, da, db)?;
    }
    let shape = broadcast_shapes(a.shape(), b.shape())?;
    if let Some(o) = out {
        check_no_internal_overlap(o)?;
        for x in [&a, &b] {
            if let Arg::T(t) = x {
                super::check_no_partial_overlap(o, t)?;
            }
        }
    }
    let common = crate::promote::try_result_type(&[a.operand(), b.operand()])?;
    if common.is_float8() && op == Mul && (matches!(a, Arg::S(_)) || matches!(b, Arg::S(_))) {
        bail!(not_implemented, "\"mul_cpu_reduced_float\" not implemented for '{}'", common.scalar_name());
    }
    // torch promotes these to its bcomplex32 dtype, which has no CPU arithmetic kernels.
    let bcomplex = common.is_complex() && !op.is_comparison() && real_part_dtype(&a, &b) == DType::BF16;
    if bcomplex {
        if let Some(o) = out.filter(|_| !op.is_logical()) {
            if !o.dtype.is_complex() {
                bail!(runtime, "result type BComplex32 can't be cast to the desired output type {}", o.dtype.scalar_name());
            }
        }
        bail!(not_implemented, "\"{}_cpu\" not implemented for 'BComplex32'", op.name());
    }
    let compute = if op.int_to_float() && common.is_integral(true) { default_dtype() } else { common };
    let out_dt = if op.is_comparison() || op.is_logical() { DType::Bool } else { compute };
    if let Some(o) = out {
        if !can_cast(out_dt, o.dtype) {
            bail!(runtime, "result type {} can't be cast to the desired output type {}", out_dt.scalar_name(), o.dtype.scalar_name());
        }
    }
    if let Some(al) = alpha {
        check_alpha(compute, al)?;
    }
    if compute == DType::C32 && op.is_logical() {
        bail!(not_implemented, "\"{}_cpu\" not implemented for 'ComplexHalf'", op.name());
    }
    if compute == DType::C32 && matches!(op, Div | Pow) {
        let suffix = if op == Pow { "" } else { "_cpu" };
        bail!(not_implemented, "\"{}{}\" not implemented for 'ComplexHalf'", op.name(), suffix);
    }
    // `bool_tensor ** True/False` is a copy or a fill in torch, not a pow kernel.
    if !(op == Pow && compute == DType::Bool && matches!(b, Arg::S(_))) {
        binary_dtypes_from(op, common, da, db)?;
    }
    if op == Pow && compute.is_integral(false) && matches!(b, Arg::S(Pivot::I(e)) if e < 0) {
        bail!(runtime, "Integers to negative integer powers are not allowed.");
    }
    if let (Pow, Arg::T(_), Arg::S(p)) = (op, &a, &b) {
        // torch's tensor ** number kernel reads the exponent as the base's element type when that
        // is a 16-bit float or an integer, with the overflow check of that conversion.
        if matches!(compute, DType::F16 | DType::BF16 | DType::U8 | DType::I8 | DType::I16 | DType::I32) && !matches!(p, Pivot::C(..)) {
            crate::element::checked_scalar(*p, compute, crate::element::ScalarCtx::Fill)?;
        }
    }
    // Logical ops read each side's truthiness in its own dtype.
    let (ta, tb) = if op.is_logical() {
        (a.materialize(da, &shape)?, b.materialize(db, &shape)?)
    } else {
        (a.materialize(compute, &shape)?, b.materialize(compute, &shape)?)
    };
    if matches!(op, DivFloor | DivTrunc | Remainder | Fmod) && compute.is_integral(false) && has_zero(&tb)? {
        bail!(runtime, "ZeroDivisionError");
    }
    let direct = out.filter(|o| o.dtype == out_dt && o.shape() == shape.as_slice() && !o.has_bits());
    let result = match direct {
        Some(o) => o.clone(),
        None => {
            // torch casts an input to the compute dtype before choosing the output's memory
            // order, and the cast of an overlapping or gapped (e.g. expanded) input is contiguous.
            let seen = |x: &Arg| match x {
                Arg::T(t) if !op.is_logical() && t.dtype != compute && !t.layout.is_non_overlapping_and_dense() => crate::layout::Layout::contiguous(t.shape()),
                Arg::T(t) => t.layout.clone(),
                Arg::S(_) => crate::layout::Layout::contiguous(&[]),
            };
            let (la, lb) = (seen(&a), seen(&b));
            let layout = if shape.len() <= 1 { crate::layout::Layout::contiguous(&shape) } else { super::iter_layout::iter_output_layout(&shape, &[&la, &lb]) };
            Tensor::for_overwrite_layout(layout, out_dt)?
        }
    };
    // Half types with a CPU scalar operand: torch reads the scalar unrounded, in float32.
    // mul/div: a Python number or 0-dim tensor as the second operand; add/sub: a 0-dim floating
    // tensor on either side (Python numbers and integer tensors are rounded first).
    let float_0d = |x: &Arg| matches!(x, Arg::T(t) if t.ndim() == 0 && t.dtype.is_floating_point());
    let _ = float_0d;
    let half_scalar = if matches!(compute, DType::F16 | DType::BF16) {
        match op {
            Mul | Div | DivFloor | DivTrunc => cpu_scalar(&b).map(|v| (v, false)),
            _ => None,
        }
    } else {
        None
    };
    if let Some((v, first)) = half_scalar {
        let al = match alpha.unwrap_or(Pivot::I(1)) {
            Pivot::B(x) => x as u8 as f32,
            Pivot::I(x) => x as f32,
            Pivot::F(x) => x as f32,
            Pivot::C(x, _) => x as f32,
        };
        let t = if first { &tb } else { &ta };
        match compute {
            DType::F16 => run_half_scalar::<half::f16>(op, t, v, first, al, &result),
            _ => run_half_scalar::<half::bf16>(op, t, v, first, al, &result),
        }
    } else if op.is_logical() {
        run_logical(op, &ta, &tb, &result);
    } else {
        let alpha = alpha.unwrap_or(Pivot::I(1));
        dispatch!(compute, S => run::<S>(op, &ta, &tb, &result, alpha));
    }
    super::deliver(result, out, direct.is_some())
}

/// The common case without promotion work: two contiguous tensors of one dtype and shape (or a
/// tensor and a Python number of the same category), small enough for one thread.
fn fast_same_layout(op: BinaryOp, a: &Arg, b: &Arg) -> Result<Option<Tensor>> {
    let Arg::T(x) = a else { return Ok(None) };
    let Some((y, scalar)) = fast_operands(op, x, b) else { return Ok(None) };
    let out_dt = if op.is_comparison() { DType::Bool } else { x.dtype };
    let result = Tensor::for_overwrite(x.shape(), out_dt)?;
    fast_kernel(op, x, y, scalar, &result);
    Ok(Some(result))
}

/// `a.op_(b)` for the operands `fast_same_layout` takes (arithmetic only): written straight into
/// `a`, no promotion, no temporaries. Returns false, touching nothing, for any other case.
fn fast_inplace(op: BinaryOp, a: &Tensor, b: &Arg) -> bool {
    if op.is_comparison() {
        return false;
    }
    let Some((y, scalar)) = fast_operands(op, a, b) else { return false };
    fast_kernel(op, a, y, scalar, a);
    a.storage.bump_version();
    true
}

/// The operands of the fast paths: `x` contiguous on the CPU, one thread's worth, f32/f64/i64/i32,
/// and `b` a tensor of the same dtype and shape, contiguous, or a number that keeps `x`'s dtype.
fn fast_operands<'a>(op: BinaryOp, x: &Tensor, b: &Arg<'a>) -> Option<(Option<&'a Tensor>, Option<Pivot>)> {
    use BinaryOp::*;
    if x.device() != Device::Cpu || !x.is_contiguous() || x.numel() >= crate::backend::cpu::parallel::PAR_THRESHOLD {
        return None;
    }
    let dt = x.dtype;
    if !matches!(dt, DType::F32 | DType::F64 | DType::I64 | DType::I32) {
        return None;
    }
    let float = dt.is_floating_point();
    let supported = match op {
        Add | Sub | Mul | Maximum | Minimum | Eq | Ne | Lt | Le | Gt | Ge => true,
        Div => float,
        _ => false,
    };
    if !supported {
        return None;
    }
    match b {
        Arg::T(y) if y.dtype == dt && y.shape() == x.shape() && y.is_contiguous() && y.device() == Device::Cpu => Some((Some(*y), None)),
        Arg::S(Pivot::F(v)) if float && !matches!(op, Maximum | Minimum) => Some((None, Some(Pivot::F(*v)))),
        Arg::S(Pivot::I(v)) if !matches!(op, Maximum | Minimum) && (dt != DType::I32 || i32::try_from(*v).is_ok()) => {
            Some((None, Some(Pivot::I(*v))))
        }
        _ => None,
    }
}

/// The single-threaded loop of the fast paths. `result` may be `x` itself (in place); `y`, when
/// given, is then `x` or a distinct storage region (the caller snapshots overlapping operands).
fn fast_kernel(op: BinaryOp, x: &Tensor, y: Option<&Tensor>, scalar: Option<Pivot>, result: &Tensor) {
    use BinaryOp::*;
    let n = x.numel();
    // Raw pointers throughout: in place, the output is the input.
    macro_rules! go {
        ($S:ty) => {{
            let xp = x.data_ptr() as *const $S;
            let yp = y.map_or(std::ptr::null(), |y| y.data_ptr() as *const $S);
            let sv = scalar.map(<$S as Element>::from_pivot);
            // SAFETY: x, y and result are contiguous with n elements each (fast_operands checked
            // shapes and layouts); y is only read when it is given.
            let yat = |i: usize| -> $S { match sv { Some(v) => v, None => unsafe { *yp.add(i) } } };
            if op.is_comparison() {
                let op_ = result.data_ptr() as *mut bool;
                for i in 0..n {
                    // SAFETY: as above.
                    let p = unsafe { *xp.add(i) };
                    let q = yat(i);
                    let r = match op {
                        Eq => p == q,
                        Ne => p != q,
                        Lt => Num::lt(p, q),
                        Le => Num::le(p, q),
                        Gt => Num::lt(q, p),
                        _ => Num::le(q, p),
                    };
                    unsafe { *op_.add(i) = r };
                }
            } else {
                let op_ = result.data_ptr() as *mut $S;
                for i in 0..n {
                    // SAFETY: as above.
                    let p = unsafe { *xp.add(i) };
                    let q = yat(i);
                    let r = match op {
                        Add => Num::add(p, q),
                        Sub => Num::sub(p, q),
                        Mul => Num::mul(p, q),
                        Div => Num::div(p, q),
                        Maximum => Num::maximum(p, q),
                        _ => Num::minimum(p, q),
                    };
                    unsafe { *op_.add(i) = r };
                }
            }
        }};
    }
    match x.dtype {
        DType::F32 => go!(f32),
        DType::F64 => go!(f64),
        DType::I64 => go!(i64),
        _ => go!(i32),
    }
}

/// torch's refusal to write through a tensor whose elements share memory (a stride-0 dim).
pub fn check_no_internal_overlap(t: &Tensor) -> Result<()> {
    if t.numel() > 0 && t.shape().iter().zip(t.strides()).any(|(&n, &s)| n > 1 && s == 0) {
        bail!(
            runtime,
            "unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation."
        );
    }
    Ok(())
}

/// The promoted dtype of the operands with complex ones taken as their real counterparts.
pub(crate) fn real_part_dtype(a: &Arg, b: &Arg) -> DType {
    let real = |x: &Arg| match x.operand() {
        Operand::Dim(d) => Operand::Dim(d.to_real()),
        Operand::Zero(d) => Operand::Zero(d.to_real()),
        Operand::Scalar(d) => Operand::Scalar(d.to_real()),
    };
    result_type(&[real(a), real(b)])
}

/// The value of a Python number or 0-dim tensor operand as float32 (complex: None).
fn cpu_scalar(a: &Arg) -> Option<f32> {
    let p = match a {
        Arg::S(p) => *p,
        Arg::T(t) if t.ndim() == 0 && t.device() == Device::Cpu => t.item().ok()?,
        _ => return None,
    };
    match p {
        Pivot::B(x) => Some(x as u8 as f32),
        Pivot::I(x) => Some(x as f32),
        Pivot::F(x) => Some(x as f32),
        Pivot::C(..) => None,
    }
}

fn run_half_scalar<S: Stored<M = f32>>(op: BinaryOp, t: &Tensor, s: f32, scalar_first: bool, alpha: f32, out: &Tensor) {
    use BinaryOp::*;
    let f = move |x: S| -> S {
        let x = x.load();
        S::store(match (op, scalar_first) {
            (Add, false) => x + alpha * s,
            (Add, true) => s + alpha * x,
            (Sub, false) => x - alpha * s,
            (Sub, true) => s - alpha * x,
            (Mul, _) => x * s,
            (DivFloor, _) => Num::floor_div(x, s),
            (DivTrunc, _) => Num::trunc_div(x, s),
            _ => x / s,
        })
    };
    // SAFETY: t is broadcast to out's shape; out is fresh or a checked target.
    unsafe { ew::unary(t.storage.as_ptr() as *const S, &t.layout, out.storage.as_ptr() as *mut S, &out.layout, f) }
}

/// torch's alpha_check for add/sub.
pub fn check_alpha(dtype: DType, alpha: Pivot) -> Result<()> {
    if matches!(alpha, Pivot::B(_)) && dtype != DType::Bool {
        bail!(runtime, "Boolean alpha only supported for Boolean results.");
    }
    if !(dtype.is_floating_point() || dtype.is_complex()) && !matches!(alpha, Pivot::B(_) | Pivot::I(_)) {
        bail!(runtime, "For integral input tensors, argument alpha must not be a floating point number.");
    }
    if !dtype.is_complex() && matches!(alpha, Pivot::C(..)) {
        bail!(runtime, "For non-complex input tensors, argument alpha must not be a complex number.");
    }
    Ok(())
}

pub fn arg_dtype(a: &Arg) -> DType {
    match a {
        Arg::T(t) => t.dtype,
        Arg::S(p) => scalar_kind(*p),
    }
}

fn has_zero(t: &Tensor) -> Result<bool> {
    Ok(t.to_pivots()?.iter().any(|p| matches!(p, Pivot::I(0))))
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
            // torch adds `alpha * other` for complex too, sub being add with -alpha (negated as a
            // number, so a real alpha keeps a +0 imaginary part): an infinite part of `other`
            // meets alpha's zero imaginary part in the complex product and gives nan.
            Add | Sub if out.dtype.is_complex() => {
                let al = <M<S>>::from_pivot(if op == Sub { neg_pivot(alpha) } else { alpha });
                arith!(move |x: M<S>, y: M<S>| x.add(al.mul(y)))
            }
            Add | Sub => {
                let al = <M<S>>::from_pivot(alpha);
                let unit = alpha == Pivot::I(1);
                // torch's vectorised kernel is fmadd(other, alpha, self): one rounding.
                let po = out.storage.as_ptr() as *mut S;
                match (op, unit) {
                    (Add, true) => arith!(|x: M<S>, y: M<S>| x.add(y)),
                    (Add, false) => ew::binary_fma(pa, la, pb, lb, po, lo, move |x: S, y: S| S::store(y.load().fma(al, x.load()))),
                    (_, true) => arith!(|x: M<S>, y: M<S>| x.sub(y)),
                    _ => ew::binary_fma(pa, la, pb, lb, po, lo, move |x: S, y: S| S::store(y.load().fms(al, x.load()))),
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

fn neg_pivot(p: Pivot) -> Pivot {
    match p {
        Pivot::B(b) => Pivot::I(-(b as i64)),
        Pivot::I(i) => Pivot::I(i.wrapping_neg()),
        Pivot::F(f) => Pivot::F(-f),
        Pivot::C(r, i) => Pivot::C(-r, -i),
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
    crate::resolve_arg_bits!(b);
    // torch's sub refuses bool operands before it builds the iterator (and checks shapes)
    if op == BinaryOp::Sub && (a.dtype == DType::Bool || arg_dtype(&b) == DType::Bool) {
        binary_dtypes_from(op, DType::Bool, a.dtype, arg_dtype(&b))?;
    }
    let shape = broadcast_shapes(a.shape(), b.shape())?;
    if shape.as_slice() != a.shape() {
        bail!(runtime, "output with shape {:?} doesn't match the broadcast shape {:?}", a.shape(), shape);
    }
    a.check_writable()?;
    if let Arg::T(t) = &b {
        super::check_no_partial_overlap(a, t)?;
    }
    // Reading an input that overlaps the output in a different layout needs a snapshot.
    let snap;
    let b = match b {
        Arg::T(t) if std::sync::Arc::ptr_eq(&t.storage, &a.storage) && t.layout != a.layout => {
            snap = t.clone_tensor()?;
            Arg::T(&snap)
        }
        other => other,
    };
    if alpha.is_none() && !a.has_bits() && fast_inplace(op, a, &b) {
        return Ok(());
    }
    binary(op, Arg::T(a), b, alpha, Some(a))?;
    Ok(())
}
