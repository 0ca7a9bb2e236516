//! Python entry points for unary elementwise ops: `torch.<op>(input, *, out=None)`, `Tensor.<op>()`
//! and `Tensor.<op>_()`, plus the unary operators.
#![allow(unsafe_op_in_unsafe_fn)]
use pyo3::prelude::*;

use crate::autograd::formulas::{unary, unary_};
use crate::ops::unary::UnaryOp;
use crate::tensor::Tensor;

use super::tensor::{PyTensor, wrap};

fn tensor_arg(obj: &Bound<'_, PyAny>, fname: &str) -> PyResult<Tensor> {
    match obj.cast::<PyTensor>() {
        Ok(t) => Ok(t.borrow().t.clone()),
        Err(_) => Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{fname}(): argument 'input' (position 1) must be Tensor, not {}",
            obj.get_type().name()?
        ))),
    }
}

/// Runs `op` into a fresh tensor or into `out` (resized to the input's shape when needed).
pub fn apply_unary(py: Python<'_>, op: UnaryOp, a: &Tensor, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    match out {
        None => Ok(wrap(py, unary(op, a, None)?)?.into_any()),
        Some(o) => {
            let target = o.borrow().t.clone();
            if target.shape() != a.shape() {
                let fresh = Tensor::zeros(a.shape(), target.dtype, target.device())?;
                unary(op, a, Some(&fresh))?;
                o.borrow_mut().t = fresh;
            } else {
                unary(op, a, Some(&target))?;
            }
            Ok(o.clone().into_any().unbind())
        }
    }
}

macro_rules! unary_fns {
    ($( $op:ident, $func:ident, $method:ident, $inplace:ident, $pyname:literal );* $(;)?) => {
        $(
            #[pyfunction]
            #[pyo3(name = $pyname, signature = (input, *, out=None))]
            pub fn $func(py: Python<'_>, input: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
                apply_unary(py, UnaryOp::$op, &tensor_arg(input, $pyname)?, out)
            }
        )*
        #[pymethods]
        impl PyTensor {
            $(
                #[pyo3(name = $pyname)]
                fn $method(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                    apply_unary(py, UnaryOp::$op, &self.t, None)
                }
                fn $inplace<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
                    let mut t = slf.borrow().t.clone();
                    unary_(UnaryOp::$op, &mut t)?;
                    slf.borrow_mut().t.ag = t.ag;
                    Ok(slf)
                }
            )*
        }
        /// Registers every function above on the module.
        pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $( m.add_function(wrap_pyfunction!($func, m)?)?; )*
            Ok(())
        }
    };
}

unary_fns!(
    Neg, neg, neg_m, neg_, "neg";
    Abs, abs, abs_m, abs_, "abs";
    Sign, sign, sign_m, sign_, "sign";
    Sgn, sgn, sgn_m, sgn_, "sgn";
    Square, square, square_m, square_, "square";
    Reciprocal, reciprocal, reciprocal_m, reciprocal_, "reciprocal";
    Floor, floor, floor_m, floor_, "floor";
    Ceil, ceil, ceil_m, ceil_, "ceil";
    Trunc, trunc, trunc_m, trunc_, "trunc";
    Frac, frac, frac_m, frac_, "frac";
    Relu, relu, relu_m, relu_, "relu";
    BitNot, bitwise_not, bitwise_not_m, bitwise_not_, "bitwise_not";
    LogicalNot, logical_not, logical_not_m, logical_not_, "logical_not";
    IsNan, isnan, isnan_m, isnan_inplace_unused, "isnan";
    IsInf, isinf, isinf_m, isinf_inplace_unused, "isinf";
    IsPosInf, isposinf, isposinf_m, isposinf_inplace_unused, "isposinf";
    IsNegInf, isneginf, isneginf_m, isneginf_inplace_unused, "isneginf";
    IsFinite, isfinite, isfinite_m, isfinite_inplace_unused, "isfinite";
    Signbit, signbit, signbit_m, signbit_inplace_unused, "signbit";
    Sqrt, sqrt, sqrt_m, sqrt_, "sqrt";
    Rsqrt, rsqrt, rsqrt_m, rsqrt_, "rsqrt";
    Exp, exp, exp_m, exp_, "exp";
    Exp2, exp2, exp2_m, exp2_, "exp2";
    Expm1, expm1, expm1_m, expm1_, "expm1";
    Log, log, log_m, log_, "log";
    Log2, log2, log2_m, log2_, "log2";
    Log10, log10, log10_m, log10_, "log10";
    Log1p, log1p, log1p_m, log1p_, "log1p";
    Sin, sin, sin_m, sin_, "sin";
    Cos, cos, cos_m, cos_, "cos";
    Tan, tan, tan_m, tan_, "tan";
    Asin, asin, asin_m, asin_, "asin";
    Acos, acos, acos_m, acos_, "acos";
    Atan, atan, atan_m, atan_, "atan";
    Sinh, sinh, sinh_m, sinh_, "sinh";
    Cosh, cosh, cosh_m, cosh_, "cosh";
    Tanh, tanh, tanh_m, tanh_, "tanh";
    Asinh, asinh, asinh_m, asinh_, "asinh";
    Acosh, acosh, acosh_m, acosh_, "acosh";
    Atanh, atanh, atanh_m, atanh_, "atanh";
    Sigmoid, sigmoid, sigmoid_m, sigmoid_, "sigmoid";
    Erf, erf, erf_m, erf_, "erf";
    Erfc, erfc, erfc_m, erfc_, "erfc";
    Erfinv, erfinv, erfinv_m, erfinv_, "erfinv";
    Silu, _silu, silu_m, silu_inplace_unused, "_silu";
    Mish, _mish, mish_m, mish_inplace_unused, "_mish";
    LogSigmoid, _logsigmoid, logsigmoid_m, logsigmoid_inplace_unused, "_logsigmoid";
);

/// `round(input, *, decimals=0)`: half to even, scaled by 10^decimals as torch does.
#[pyfunction]
#[pyo3(signature = (input, *, decimals=0, out=None))]
pub fn round(py: Python<'_>, input: &Bound<'_, PyAny>, decimals: i64, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    let a = tensor_arg(input, "round")?;
    if decimals == 0 {
        return apply_unary(py, UnaryOp::Round, &a, out);
    }
    if !a.dtype.is_floating_point() {
        return Err(crate::error::not_implemented(format!("\"round_cpu\" not implemented for '{}'", a.dtype.scalar_name())).into());
    }
    use crate::element::Pivot;
    use crate::ops::binary::{Arg, BinaryOp, binary};
    let p = Pivot::F(10f64.powi(decimals.unsigned_abs() as i32));
    let (pre, post) = if decimals > 0 { (BinaryOp::Mul, BinaryOp::Div) } else { (BinaryOp::Div, BinaryOp::Mul) };
    let scaled = binary(pre, Arg::T(&a), Arg::S(p), None, None)?;
    let rounded = unary(UnaryOp::Round, &scaled, None)?;
    let back = binary(post, Arg::T(&rounded), Arg::S(p), None, None)?;
    match out {
        Some(o) => {
            o.borrow().t.copy_(&back)?;
            Ok(o.clone().into_any().unbind())
        }
        None => Ok(wrap(py, back)?.into_any()),
    }
}

#[pymethods]
impl PyTensor {
    #[pyo3(name = "round", signature = (*, decimals=0))]
    fn round_m(slf: &Bound<'_, Self>, decimals: i64) -> PyResult<Py<PyAny>> {
        round(slf.py(), slf.as_any(), decimals, None)
    }
    #[pyo3(signature = (*, decimals=0))]
    fn round_<'py>(slf: Bound<'py, Self>, decimals: i64) -> PyResult<Bound<'py, Self>> {
        let r = round(slf.py(), slf.as_any(), decimals, None)?;
        let r = r.bind(slf.py()).cast::<PyTensor>()?.borrow().t.clone();
        slf.borrow().t.copy_(&r)?;
        Ok(slf)
    }
    fn __neg__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        apply_unary(py, UnaryOp::Neg, &self.t, None)
    }
    fn __abs__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        apply_unary(py, UnaryOp::Abs, &self.t, None)
    }
    fn __invert__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        if !self.t.dtype.is_integral(true) {
            return Err(pyo3::exceptions::PyTypeError::new_err("~ (operator.invert) is only implemented on integer and Boolean-type tensors"));
        }
        apply_unary(py, UnaryOp::BitNot, &self.t, None)
    }
    fn __pos__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }
}
