#![allow(unsafe_op_in_unsafe_fn)]
//! Python entry points for binary elementwise ops: operators (with reflected and in-place forms),
//! `torch.*` functions with `out=`, and the matching Tensor methods.
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyComplex, PyFloat, PyInt};

use crate::element::Pivot;
use crate::autograd::formulas::{binary, binary_};
use crate::ops::binary::{Arg, BinaryOp};
use crate::tensor::Tensor;

use super::convert::py_to_pivot;
use super::tensor::{PyTensor, wrap};

/// An operand held for the duration of a call.
pub enum Operand {
    T(Tensor),
    S(Pivot),
}

impl Operand {
    pub fn arg(&self) -> Arg<'_> {
        match self {
            Operand::T(t) => Arg::T(t),
            Operand::S(p) => Arg::S(*p),
        }
    }
}

/// A tensor or a number; None when `obj` is neither (operators then return NotImplemented).
pub fn operand(obj: &Bound<'_, PyAny>) -> PyResult<Option<Operand>> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(Some(Operand::T(t.borrow().t.clone())));
    }
    if let Ok(i) = obj.cast::<PyInt>() {
        if !obj.is_instance_of::<PyBool>() && i.extract::<i64>().is_err() {
            // torch reads Python ints beyond int64 as uint64, and refuses the rest.
            let negative = i.lt(0i64)?;
            if negative || i.extract::<u64>().is_err() {
                return Err(pyo3::exceptions::PyOverflowError::new_err(if negative {
                    "can't convert negative int to unsigned"
                } else {
                    "int too big to convert"
                }));
            }
        }
    }
    if obj.is_instance_of::<PyFloat>() || obj.is_instance_of::<PyInt>() || obj.is_instance_of::<PyBool>() || obj.is_instance_of::<PyComplex>() {
        return Ok(py_to_pivot(obj)?.map(Operand::S));
    }
    if obj.get_type().module().is_ok_and(|m| m.to_string() == "numpy") && !obj.hasattr("__len__")? {
        return Ok(py_to_pivot(obj)?.map(Operand::S));
    }
    Ok(None)
}

fn required(obj: &Bound<'_, PyAny>, fname: &str, arg: &str) -> PyResult<Operand> {
    match operand(obj)? {
        Some(o) => Ok(o),
        None => Err(PyTypeError::new_err(format!(
            "{fname}(): argument '{arg}' must be Tensor or Number, not {}",
            obj.get_type().name()?
        ))),
    }
}

/// Which operands of a torch function may be Python numbers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kinds {
    /// Either side may be a number.
    Any,
    /// `input` must be a tensor (`other` may be a number).
    LeftT,
    /// Both must be tensors.
    BothT,
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
}

/// Parses `input` and `other` of a torch function (positions 1 and 2), or `other` of a method
/// (position 1, `input` being self), with torch's TypeErrors for numbers where tensors are needed.
pub fn fn_operands(kinds: Kinds, fname: &str, input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>, method: bool) -> PyResult<(Operand, Operand)> {
    let a = required(input, fname, "input")?;
    let b = required(other, fname, "other")?;
    let (pos_in, pos_other) = if method { (0, 1) } else { (1, 2) };
    match kinds {
        Kinds::Any => {}
        Kinds::LeftT => {
            if let Operand::S(_) = a {
                return Err(PyTypeError::new_err(format!(
                    "{fname}() received an invalid combination of arguments - got ({}, {}), but expected one of:\n * (Tensor input, Tensor other, *, Tensor out = None)\n * (Tensor input, Number other, *, Tensor out = None)\n",
                    type_name(input),
                    type_name(other)
                )));
            }
        }
        Kinds::BothT => {
            if let Operand::S(_) = a {
                return Err(PyTypeError::new_err(format!("{fname}(): argument 'input' (position {pos_in}) must be Tensor, not {}", type_name(input))));
            }
            if let Operand::S(_) = b {
                return Err(PyTypeError::new_err(format!("{fname}(): argument 'other' (position {pos_other}) must be Tensor, not {}", type_name(other))));
            }
        }
    }
    Ok((a, b))
}

fn alpha_arg(alpha: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Pivot>> {
    match alpha {
        None => Ok(None),
        Some(a) if a.is_none() => Ok(None),
        Some(a) => py_to_pivot(a)?.map(Some).ok_or_else(|| PyTypeError::new_err("alpha must be a Number")),
    }
}

/// Runs a binary op into a fresh tensor or into `out` (resizing it as torch does).
pub fn apply(
    py: Python<'_>,
    op: BinaryOp,
    a: &Operand,
    b: &Operand,
    alpha: Option<Pivot>,
    out: Option<&Bound<'_, PyTensor>>,
) -> PyResult<Py<PyAny>> {
    match out {
        None => Ok(wrap(py, binary(op, a.arg(), b.arg(), alpha, None)?)?.into_any()),
        Some(o) => {
            let target = o.borrow().t.clone();
            let shape = crate::layout::broadcast_shapes(arg_shape(a), arg_shape(b))?;
            if target.shape() != shape.as_slice() {
                if target.numel() != 0 {
                    warn_resize(py, target.shape(), &shape)?;
                }
                // torch resizes `out` to the broadcast shape, keeping its dtype.
                let fresh = Tensor::zeros(&shape, target.dtype, target.device())?;
                binary(op, a.arg(), b.arg(), alpha, Some(&fresh))?;
                o.borrow_mut().t = fresh;
            } else {
                binary(op, a.arg(), b.arg(), alpha, Some(&target))?;
            }
            Ok(o.clone().into_any().unbind())
        }
    }
}

/// [`apply`] for the function forms `torch.op(input, other)`: a Python scalar `input` with a
/// tensor `other` is recorded as torch records its wrapped 0-dim tensor (see
/// `binary_scalar_first`); the operators (`2 - x`) keep `apply`.
fn apply_fn(py: Python<'_>, op: BinaryOp, a: &Operand, b: &Operand, alpha: Option<Pivot>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    if out.is_none() && matches!(op, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div) {
        if let (Operand::S(_), Operand::T(_)) = (a, b) {
            let r = crate::autograd::formulas::binary_scalar_first(op, a.arg(), b.arg(), alpha, None)?;
            return Ok(wrap(py, r)?.into_any());
        }
    }
    apply(py, op, a, b, alpha, out)
}

/// torch's deprecation warning when a non-empty `out=` tensor is resized.
pub fn warn_resize(py: Python<'_>, from: &[usize], to: &[usize]) -> PyResult<()> {
    let msg = format!(
        "An output with one or more elements was resized since it had shape {from:?}, which does not match the required output shape {to:?}. This behavior is deprecated, and in a future PyTorch release outputs will not be resized unless they have zero elements. You can explicitly reuse an out tensor t by resizing it, inplace, to zero elements with t.resize_(0)."
    );
    let cmsg = std::ffi::CString::new(msg).unwrap_or_default();
    PyErr::warn(py, &py.get_type::<pyo3::exceptions::PyUserWarning>(), &cmsg, 1)
}

fn arg_shape(o: &Operand) -> &[usize] {
    match o {
        Operand::T(t) => t.shape(),
        Operand::S(_) => &[],
    }
}

fn promo_operand(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<crate::promote::Operand> {
    use crate::promote::Operand as P;
    match required(obj, "result_type", arg)? {
        Operand::T(t) if t.ndim() == 0 => Ok(P::Zero(t.dtype)),
        Operand::T(t) => Ok(P::Dim(t.dtype)),
        Operand::S(p) => Ok(P::Scalar(crate::ops::binary::scalar_kind(p))),
    }
}

/// `torch.result_type(tensor1, tensor2)`: the dtype an arithmetic op on them would produce.
#[pyfunction]
pub fn result_type(py: Python<'_>, tensor1: &Bound<'_, PyAny>, tensor2: &Bound<'_, PyAny>) -> PyResult<Py<super::dtype::PyDType>> {
    let dt = crate::promote::try_result_type(&[promo_operand(tensor1, "tensor1")?, promo_operand(tensor2, "tensor2")?])?;
    Ok(super::dtype::dtype_obj(py, dt))
}

#[pyfunction]
pub fn promote_types(py: Python<'_>, type1: &Bound<'_, PyAny>, type2: &Bound<'_, PyAny>) -> PyResult<Py<super::dtype::PyDType>> {
    let (a, b) = (super::dtype::extract_dtype(type1, "promote_types")?, super::dtype::extract_dtype(type2, "promote_types")?);
    Ok(super::dtype::dtype_obj(py, crate::promote::try_promote_types(a, b)?))
}

#[pyfunction]
pub fn can_cast(from_: &Bound<'_, PyAny>, to: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(crate::promote::can_cast(super::dtype::extract_dtype(from_, "can_cast")?, super::dtype::extract_dtype(to, "can_cast")?))
}

#[pyfunction]
pub fn _set_num_threads(n: usize) {
    crate::backend::cpu::parallel::set_num_threads(n)
}

#[pyfunction]
pub fn _get_num_threads() -> usize {
    crate::backend::cpu::parallel::num_threads()
}

fn rounding(mode: Option<&str>) -> PyResult<BinaryOp> {
    match mode {
        None => Ok(BinaryOp::Div),
        Some("trunc") => Ok(BinaryOp::DivTrunc),
        Some("floor") => Ok(BinaryOp::DivFloor),
        Some(m) => Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{m}'"
        ))),
    }
}

macro_rules! operators {
    ($( $op:ident, $dunder:ident, $rdunder:ident, $idunder:ident );* $(;)?) => {
        #[pymethods]
        impl PyTensor {
            $(
                fn $dunder(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                    forward(slf, other, BinaryOp::$op)
                }
                fn $rdunder(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                    let py = slf.py();
                    // torch's reflected forms: commutative ops call self.op(other); scalar / t is
                    // reciprocal(t) * scalar.
                    if matches!(BinaryOp::$op, BinaryOp::Add | BinaryOp::Mul | BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor) {
                        return forward(slf, other, BinaryOp::$op);
                    }
                    if BinaryOp::$op == BinaryOp::Div {
                        let Some(a) = operand(other)? else { return Ok(py.NotImplemented()) };
                        let recip = crate::autograd::formulas::unary(crate::ops::unary::UnaryOp::Reciprocal, &slf.borrow().t, None)?;
                        return apply(py, BinaryOp::Mul, &Operand::T(recip), &a, None, None);
                    }
                    let Some(a) = operand(other)? else { return Ok(py.NotImplemented()) };
                    let b = Operand::T(slf.borrow().t.clone());
                    apply(py, BinaryOp::$op, &a, &b, None, None)
                }
                fn $idunder(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
                    inplace(slf, other, BinaryOp::$op)
                }
            )*
        }
    };
}
operators!(
    Add, __add__, __radd__, __iadd__;
    Sub, __sub__, __rsub__, __isub__;
    Mul, __mul__, __rmul__, __imul__;
    Div, __truediv__, __rtruediv__, __itruediv__;
    DivFloor, __floordiv__, __rfloordiv__, __ifloordiv__;
    Remainder, __mod__, __rmod__, __imod__;
    BitAnd, __and__, __rand__, __iand__;
    BitOr, __or__, __ror__, __ior__;
    BitXor, __xor__, __rxor__, __ixor__;
    Shl, __lshift__, __rlshift__, __ilshift__;
    Shr, __rshift__, __rrshift__, __irshift__;
);

/// `self <op>= other`.
fn inplace(slf: &Bound<'_, PyTensor>, other: &Bound<'_, PyAny>, op: BinaryOp) -> PyResult<()> {
    let Some(b) = operand(other)? else {
        return Err(PyTypeError::new_err(format!(
            "unsupported operand type(s) for in-place {}: 'Tensor' and '{}'",
            op.name(),
            other.get_type().name()?
        )));
    };
    let mut t = slf.borrow().t.clone();
    binary_(op, &mut t, b.arg(), None)?;
    slf.borrow_mut().t.ag = t.ag;
    Ok(())
}

/// `self <op> other`, or NotImplemented when `other` is not a tensor or number.
fn forward(slf: &Bound<'_, PyTensor>, other: &Bound<'_, PyAny>, op: BinaryOp) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    // Tensor and tensor, or tensor and Python float/int: borrow, no clones.
    if let Ok(o) = other.cast::<PyTensor>() {
        let r = {
            let (a, b) = (slf.borrow(), o.borrow());
            binary(op, Arg::T(&a.t), Arg::T(&b.t), None, None)?
        };
        return Ok(wrap(py, r)?.into_any());
    }
    if let Ok(f) = other.cast_exact::<PyFloat>() {
        let r = binary(op, Arg::T(&slf.borrow().t), Arg::S(Pivot::F(f.value())), None, None)?;
        return Ok(wrap(py, r)?.into_any());
    }
    let Some(b) = operand(other)? else { return Ok(py.NotImplemented()) };
    let a = Operand::T(slf.borrow().t.clone());
    apply(py, op, &a, &b, None, None)
}

#[pymethods]
impl PyTensor {
    fn __eq__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::Eq)
    }
    fn __ne__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::Ne)
    }
    fn __lt__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::Lt)
    }
    fn __le__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::Le)
    }
    fn __gt__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::Gt)
    }
    fn __ge__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(slf, other, BinaryOp::Ge)
    }
    fn __pow__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, modulo: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let _ = modulo;
        forward(slf, other, BinaryOp::Pow)
    }
    fn __rpow__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, modulo: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let _ = modulo;
        let py = slf.py();
        let Some(a) = operand(other)? else { return Ok(py.NotImplemented()) };
        let b = Operand::T(slf.borrow().t.clone());
        apply(py, BinaryOp::Pow, &a, &b, None, None)
    }
    fn __ipow__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, modulo: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let _ = modulo;
        inplace(slf, other, BinaryOp::Pow)
    }
}

/// `torch.<name>(input, other, *, out=None)`, `Tensor.<name>(other)` and `Tensor.<name>_(other)`.
macro_rules! binary_fns {
    ($( $op:ident, $func:ident, $method:ident, $inplace:ident, $pyname:literal, $kinds:ident );* $(;)?) => {
        $(
            #[pyfunction]
            #[pyo3(name = $pyname, signature = (input, other, *, out=None))]
            pub fn $func(py: Python<'_>, input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
                let (a, b) = fn_operands(Kinds::$kinds, $pyname, input, other, false)?;
                apply_fn(py, BinaryOp::$op, &a, &b, None, out)
            }
        )*
        #[pymethods]
        impl PyTensor {
            $(
                #[pyo3(name = $pyname)]
                fn $method(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                    let (a, b) = fn_operands(Kinds::$kinds, $pyname, slf.as_any(), other, true)?;
                    apply(slf.py(), BinaryOp::$op, &a, &b, None, None)
                }
                fn $inplace<'py>(slf: Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
                    let (_, b) = fn_operands(Kinds::$kinds, $pyname, slf.as_any(), other, true)?;
                    let mut t = slf.borrow().t.clone();
                    binary_(BinaryOp::$op, &mut t, b.arg(), None)?;
                    slf.borrow_mut().t.ag = t.ag;
                    Ok(slf)
                }
            )*
        }
    };
}
binary_fns!(
    Mul, mul, mul_m, mul_, "mul", Any;
    DivFloor, floor_divide, floor_divide_m, floor_divide_, "floor_divide", Any;
    Remainder, remainder, remainder_m, remainder_, "remainder", Any;
    Fmod, fmod, fmod_m, fmod_, "fmod", LeftT;
    Pow, pow, pow_m, pow_, "pow", Any;
    Atan2, atan2, atan2_m, atan2_, "atan2", BothT;
    Hypot, hypot, hypot_m, hypot_, "hypot", BothT;
    Maximum, maximum, maximum_m, maximum_, "maximum", BothT;
    Minimum, minimum, minimum_m, minimum_, "minimum", BothT;
    Fmax, fmax, fmax_m, fmax_, "fmax", BothT;
    Fmin, fmin, fmin_m, fmin_, "fmin", BothT;
    Copysign, copysign, copysign_m, copysign_, "copysign", LeftT;
    BitAnd, bitwise_and, bitwise_and_m, bitwise_and_, "bitwise_and", Any;
    BitOr, bitwise_or, bitwise_or_m, bitwise_or_, "bitwise_or", Any;
    BitXor, bitwise_xor, bitwise_xor_m, bitwise_xor_, "bitwise_xor", Any;
    Shl, bitwise_left_shift, bitwise_left_shift_m, bitwise_left_shift_, "bitwise_left_shift", Any;
    Shr, bitwise_right_shift, bitwise_right_shift_m, bitwise_right_shift_, "bitwise_right_shift", Any;
    LogicalAnd, logical_and, logical_and_m, logical_and_, "logical_and", BothT;
    LogicalOr, logical_or, logical_or_m, logical_or_, "logical_or", BothT;
    LogicalXor, logical_xor, logical_xor_m, logical_xor_, "logical_xor", BothT;
    Eq, eq, eq_m, eq_, "eq", LeftT;
    Ne, ne, ne_m, ne_, "ne", LeftT;
    Lt, lt, lt_m, lt_, "lt", LeftT;
    Le, le, le_m, le_, "le", LeftT;
    Gt, gt, gt_m, gt_, "gt", LeftT;
    Ge, ge, ge_m, ge_, "ge", LeftT;
);

/// add/sub take `alpha`: `input + alpha * other`.
macro_rules! alpha_fns {
    ($( $op:ident, $func:ident, $method:ident, $inplace:ident, $pyname:literal );* $(;)?) => {
        $(
            #[pyfunction]
            #[pyo3(name = $pyname, signature = (input, other, *, alpha=None, out=None))]
            pub fn $func(py: Python<'_>, input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>, alpha: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
                let a = required(input, $pyname, "input")?;
                let b = required(other, $pyname, "other")?;
                apply_fn(py, BinaryOp::$op, &a, &b, alpha_arg(alpha)?, out)
            }
        )*
        #[pymethods]
        impl PyTensor {
            $(
                #[pyo3(name = $pyname, signature = (other, *, alpha=None))]
                fn $method(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, alpha: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                    let a = Operand::T(slf.borrow().t.clone());
                    let b = required(other, $pyname, "other")?;
                    apply(slf.py(), BinaryOp::$op, &a, &b, alpha_arg(alpha)?, None)
                }
                #[pyo3(signature = (other, *, alpha=None))]
                fn $inplace<'py>(slf: Bound<'py, Self>, other: &Bound<'py, PyAny>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
                    let b = required(other, $pyname, "other")?;
                    let mut t = slf.borrow().t.clone();
                    binary_(BinaryOp::$op, &mut t, b.arg(), alpha_arg(alpha)?)?;
                    slf.borrow_mut().t.ag = t.ag;
                    Ok(slf)
                }
            )*
        }
    };
}
alpha_fns!(Add, add, add_m, add_, "add"; Sub, sub, sub_m, sub_, "sub");

/// `div(input, other, *, rounding_mode=None, out=None)`.
#[pyfunction]
#[pyo3(signature = (input, other, *, rounding_mode=None, out=None))]
pub fn div(py: Python<'_>, input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>, rounding_mode: Option<&str>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    let a = required(input, "div", "input")?;
    let b = required(other, "div", "other")?;
    apply_fn(py, rounding(rounding_mode)?, &a, &b, None, out)
}

#[pymethods]
impl PyTensor {
    #[pyo3(name = "div", signature = (other, *, rounding_mode=None))]
    fn div_m(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, rounding_mode: Option<&str>) -> PyResult<Py<PyAny>> {
        let a = Operand::T(slf.borrow().t.clone());
        let b = required(other, "div", "other")?;
        apply(slf.py(), rounding(rounding_mode)?, &a, &b, None, None)
    }
    #[pyo3(signature = (other, *, rounding_mode=None))]
    fn div_<'py>(slf: Bound<'py, Self>, other: &Bound<'py, PyAny>, rounding_mode: Option<&str>) -> PyResult<Bound<'py, Self>> {
        let b = required(other, "div", "other")?;
        let mut t = slf.borrow().t.clone();
        binary_(rounding(rounding_mode)?, &mut t, b.arg(), None)?;
        slf.borrow_mut().t.ag = t.ag;
        Ok(slf)
    }
}

/// `torch.rsub(input, other, alpha=1)` is `other - alpha * input`.
#[pyfunction]
#[pyo3(signature = (input, other, *, alpha=None))]
pub fn rsub(py: Python<'_>, input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>, alpha: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let (a, b) = fn_operands(Kinds::LeftT, "rsub", input, other, false)?;
    apply(py, BinaryOp::Sub, &b, &a, alpha_arg(alpha)?, None)
}
