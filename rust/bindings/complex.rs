//! Python entry points for complex numbers: `complex`, `polar`, `view_as_real`, `view_as_complex`
//! and the `real`/`imag` setters. Math in `ops::complex`.
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::dtype::DType;
use crate::element::Pivot;
use crate::ops::complex as cx;
use crate::ops::ternary as tern;
use crate::tensor::Tensor;

use super::convert::py_to_pivot;
use super::tensor::{PyTensor, wrap};

fn tensor_arg(obj: &Bound<'_, PyAny>, fname: &str, arg: &str, pos: usize) -> PyResult<Tensor> {
    match obj.cast::<PyTensor>() {
        Ok(t) => Ok(t.borrow().t.clone()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{fname}(): argument '{arg}' (position {pos}) must be Tensor, not {}",
            obj.get_type().name()?
        ))),
    }
}

/// Writes `result` into `out` (resized when its shape differs, as torch does).
fn into_out(py: Python<'_>, result: Tensor, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    match out {
        None => Ok(wrap(py, result)?.into_any()),
        Some(o) => {
            let target = o.borrow().t.clone();
            cx::check_out(&target, result.dtype)?;
            if target.shape() != result.shape() {
                if target.numel() != 0 {
                    let warn = py.get_type::<pyo3::exceptions::PyUserWarning>();
                    PyErr::warn(
                        py,
                        &warn,
                        &std::ffi::CString::new(format!(
                            "An output with one or more elements was resized since it had shape {:?}, which does not match the required output shape {:?}. This behavior is deprecated, and in a future PyTorch release outputs will not be resized unless they have zero elements. You can explicitly reuse an out tensor t by resizing it, inplace, to zero elements with t.resize_(0).",
                            target.shape(),
                            result.shape()
                        ))
                        .unwrap_or_default(),
                        1,
                    )?;
                }
                o.borrow_mut().t = result.detached();
            } else {
                target.check_writable()?;
                target.copy_(&result.detached())?;
            }
            Ok(o.clone().into_any().unbind())
        }
    }
}

#[pyfunction]
#[pyo3(signature = (real, imag, *, out=None))]
pub fn complex(py: Python<'_>, real: &Bound<'_, PyAny>, imag: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    let a = tensor_arg(real, "complex", "real", 1)?;
    let b = tensor_arg(imag, "complex", "imag", 2)?;
    into_out(py, cx::complex(&a, &b)?, out)
}

#[pyfunction]
#[pyo3(signature = (abs, angle, *, out=None))]
pub fn polar(py: Python<'_>, abs: &Bound<'_, PyAny>, angle: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    let a = tensor_arg(abs, "polar", "abs", 1)?;
    let b = tensor_arg(angle, "polar", "angle", 2)?;
    into_out(py, cx::polar(&a, &b)?, out)
}

#[pyfunction]
pub fn view_as_real(py: Python<'_>, input: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    super::autograd_gaps::ensure_view_base_any(input, true);
    let x = tensor_arg(input, "view_as_real", "input", 1)?;
    wrap(py, cx::view_as_real(&x)?)
}

#[pyfunction]
pub fn view_as_complex(py: Python<'_>, input: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    super::autograd_gaps::ensure_view_base_any(input, false);
    let x = tensor_arg(input, "view_as_complex", "input", 1)?;
    wrap(py, cx::view_as_complex(&x)?)
}

fn c_name(dt: DType) -> &'static str {
    match dt {
        DType::F16 => "c10::Half",
        DType::BF16 => "c10::BFloat16",
        DType::F64 => "double",
        _ => "float",
    }
}

/// `target.copy_(value)` for the `real`/`imag` setters (a number is checked as torch converts it).
fn assign(target: &Tensor, value: &Bound<'_, PyAny>) -> PyResult<()> {
    if let Ok(v) = value.cast::<PyTensor>() {
        let src = v.borrow().t.detached();
        target.detached().copy_(&src)?;
        return Ok(());
    }
    match py_to_pivot(value)? {
        Some(p) => {
            if let Pivot::C(_, im) = p {
                if im != 0.0 && !target.dtype.is_complex() {
                    return Err(crate::error::runtime(format!("value cannot be converted to type {} without overflow", c_name(target.dtype))).into());
                }
            }
            let p = match p {
                Pivot::C(re, _) if !target.dtype.is_complex() => Pivot::F(re),
                p => p,
            };
            target.detached().fill_(p)?;
            Ok(())
        }
        None => Err(PyTypeError::new_err(format!("expected Tensor or Number, got {}", value.get_type().name()?))),
    }
}

#[pymethods]
impl PyTensor {
    #[setter(real)]
    fn set_real(&self, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let Some(value) = value else { return Err(PyTypeError::new_err("can't delete attribute")) };
        assign(&tern::real(&self.t)?, value)
    }
    #[setter(imag)]
    fn set_imag(&self, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let Some(value) = value else { return Err(PyTypeError::new_err("can't delete attribute")) };
        assign(&tern::imag(&self.t)?, value)
    }
    fn is_neg(&self) -> bool {
        self.t.neg
    }
}

#[pyfunction]
pub fn is_neg(input: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(tensor_arg(input, "is_neg", "input", 1)?.neg)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(is_neg, m)?)?;
    m.add_function(wrap_pyfunction!(complex, m)?)?;
    m.add_function(wrap_pyfunction!(polar, m)?)?;
    m.add_function(wrap_pyfunction!(view_as_real, m)?)?;
    m.add_function(wrap_pyfunction!(view_as_complex, m)?)?;
    Ok(())
}
