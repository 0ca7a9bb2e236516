//! Python entry points for the special functions and distances of `autograd::special`:
//! torch.xlogy/lgamma/digamma/polygamma/sinc/logaddexp/logaddexp2/dist/cdist/renorm/trapezoid/
//! cumulative_trapezoid, the torch.special forms (as `_special_*`, re-exported by
//! python/oxytorch/special.py) and the matching Tensor methods.
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyComplex, PyFloat, PyInt};

use crate::autograd::special as sp;
use crate::element::Pivot;
use crate::ops::binary::Arg;
use crate::tensor::Tensor;

use super::reduce::finish;
use super::tensor::PyTensor;

fn tensor_in(obj: &Bound<'_, PyAny>, fname: &str, arg: &str, pos: usize) -> PyResult<Tensor> {
    match obj.cast::<PyTensor>() {
        Ok(t) => Ok(t.borrow().t.clone()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{fname}(): argument '{arg}' (position {pos}) must be Tensor, not {}",
            obj.get_type().name()?
        ))),
    }
}

/// A tensor or a Python number.
enum Op {
    T(Tensor),
    S(Pivot),
}

impl Op {
    fn arg(&self) -> Arg<'_> {
        match self {
            Op::T(t) => Arg::T(t),
            Op::S(p) => Arg::S(*p),
        }
    }
}

fn op_in(obj: &Bound<'_, PyAny>, fname: &str, arg: &str) -> PyResult<Op> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(Op::T(t.borrow().t.clone()));
    }
    if obj.is_instance_of::<PyBool>() {
        return Ok(Op::S(Pivot::B(obj.extract()?)));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(Op::S(Pivot::I(obj.extract()?)));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(Op::S(Pivot::F(obj.extract()?)));
    }
    if let Ok(c) = obj.cast::<PyComplex>() {
        // A number to torch: the kernel's dtype check refuses the complex result later.
        return Ok(Op::S(Pivot::C(c.real(), c.imag())));
    }
    Err(PyTypeError::new_err(format!("{fname}(): argument '{arg}' must be Tensor or Number, not {}", obj.get_type().name()?)))
}

fn xlogy_common(py: Python<'_>, input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>, log1p: bool) -> PyResult<Py<PyAny>> {
    let name = if log1p { "special_xlog1py" } else { "xlogy" };
    let (a, b) = (op_in(input, name, "input")?, op_in(other, name, "other")?);
    if matches!((&a, &b), (Op::S(_), Op::S(_))) {
        return Err(PyTypeError::new_err(format!("{name}() received an invalid combination of arguments")));
    }
    finish(py, sp::xlogy(a.arg(), b.arg(), log1p)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, other, *, out=None))]
pub fn xlogy(py: Python<'_>, input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    xlogy_common(py, input, other, out, false)
}

#[pyfunction]
#[pyo3(signature = (input, other, *, out=None))]
pub fn _special_xlog1py(py: Python<'_>, input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    xlogy_common(py, input, other, out, true)
}

#[pyfunction]
#[pyo3(signature = (input, *, out=None))]
pub fn lgamma(py: Python<'_>, input: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    finish(py, sp::gamma_family(-1, &tensor_in(input, "lgamma", "input", 1)?)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, *, out=None))]
pub fn digamma(py: Python<'_>, input: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    finish(py, sp::gamma_family(0, &tensor_in(input, "digamma", "input", 1)?)?, out)
}

#[pyfunction]
#[pyo3(signature = (n, input, *, out=None))]
pub fn polygamma(py: Python<'_>, n: i64, input: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    finish(py, sp::gamma_family(n, &tensor_in(input, "polygamma", "input", 2)?)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, *, out=None))]
pub fn sinc(py: Python<'_>, input: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    finish(py, sp::sinc(&tensor_in(input, "sinc", "input", 1)?)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, *, out=None))]
pub fn _special_erfcx(py: Python<'_>, input: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    finish(py, sp::erfcx(&tensor_in(input, "special_erfcx", "input", 1)?)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, other, *, out=None))]
pub fn logaddexp(py: Python<'_>, input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let (a, b) = (tensor_in(input, "logaddexp", "input", 1)?, tensor_in(other, "logaddexp", "other", 2)?);
    finish(py, sp::logaddexp(&a, &b, false)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, other, *, out=None))]
pub fn logaddexp2(py: Python<'_>, input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let (a, b) = (tensor_in(input, "logaddexp2", "input", 1)?, tensor_in(other, "logaddexp2", "other", 2)?);
    finish(py, sp::logaddexp(&a, &b, true)?, out)
}

fn p_arg(p: Option<&Bound<'_, PyAny>>) -> PyResult<f64> {
    match p {
        None => Ok(2.0),
        Some(p) if p.is_none() => Ok(2.0),
        Some(p) => p.extract::<f64>(),
    }
}

#[pyfunction]
#[pyo3(signature = (input, other, p=None))]
pub fn dist(py: Python<'_>, input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>, p: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let (a, b) = (tensor_in(input, "dist", "input", 1)?, tensor_in(other, "dist", "other", 2)?);
    finish(py, sp::dist(&a, &b, p_arg(p)?)?, None)
}

#[pyfunction]
#[pyo3(signature = (x1, x2, p=2.0, compute_mode=None))]
pub fn cdist(py: Python<'_>, x1: &Bound<'_, PyAny>, x2: &Bound<'_, PyAny>, p: f64, compute_mode: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let mode = match compute_mode {
        Some(m) if !m.is_none() => {
            let m: String = m.extract()?;
            if !matches!(m.as_str(), "use_mm_for_euclid_dist_if_necessary" | "use_mm_for_euclid_dist" | "donot_use_mm_for_euclid_dist") {
                return Err(pyo3::exceptions::PyValueError::new_err(format!("{m} is not a valid value for compute_mode")));
            }
            Some(m)
        }
        _ => None,
    };
    let (a, b) = (tensor_in(x1, "cdist", "x1", 1)?, tensor_in(x2, "cdist", "x2", 2)?);
    finish(py, sp::cdist(&a, &b, p, mode.as_deref())?, None)
}

#[pyfunction]
#[pyo3(signature = (input, p, dim, maxnorm, *, out=None))]
pub fn renorm(py: Python<'_>, input: &Bound<'_, PyAny>, p: f64, dim: i64, maxnorm: f64, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    finish(py, sp::renorm(&tensor_in(input, "renorm", "input", 1)?, p, dim, maxnorm)?, out)
}

fn trapz_common(py: Python<'_>, y: &Bound<'_, PyAny>, x: Option<&Bound<'_, PyAny>>, dx: Option<f64>, dim: i64, cumulative: bool) -> PyResult<Py<PyAny>> {
    let name = if cumulative { "cumulative_trapezoid" } else { "trapezoid" };
    let yt = tensor_in(y, name, "y", 1)?;
    let xt = match x {
        Some(x) if !x.is_none() => {
            if let Ok(t) = x.cast::<PyTensor>() {
                Some(t.borrow().t.clone())
            } else {
                // trapezoid(y, dx) given positionally as a number
                return finish(py, sp::trapezoid(&yt, None, x.extract::<f64>()?, dim, cumulative)?, None);
            }
        }
        _ => None,
    };
    finish(py, sp::trapezoid(&yt, xt.as_ref(), dx.unwrap_or(1.0), dim, cumulative)?, None)
}

#[pyfunction]
#[pyo3(signature = (y, x=None, *, dx=None, dim=-1))]
pub fn trapezoid(py: Python<'_>, y: &Bound<'_, PyAny>, x: Option<&Bound<'_, PyAny>>, dx: Option<f64>, dim: i64) -> PyResult<Py<PyAny>> {
    trapz_common(py, y, x, dx, dim, false)
}

#[pyfunction]
#[pyo3(signature = (y, x=None, *, dx=None, dim=-1))]
pub fn cumulative_trapezoid(py: Python<'_>, y: &Bound<'_, PyAny>, x: Option<&Bound<'_, PyAny>>, dx: Option<f64>, dim: i64) -> PyResult<Py<PyAny>> {
    trapz_common(py, y, x, dx, dim, true)
}

/// In-place form: computed out of place under autograd, written back, history moved.
fn inplace<'py>(slf: Bound<'py, PyTensor>, f: impl FnOnce(&Tensor) -> crate::error::Result<Tensor>) -> PyResult<Bound<'py, PyTensor>> {
    let mut t = slf.borrow().t.clone();
    t.check_writable()?;
    let dt = t.dtype;
    crate::autograd::inplace_with_grad(&mut t, move |snap| {
        let r = f(snap)?;
        if !crate::promote::can_cast(r.dtype, dt) {
            crate::bail!(runtime, "result type {} can't be cast to the desired output type {}", r.dtype.scalar_name(), dt.scalar_name());
        }
        Ok(r)
    })?;
    slf.borrow_mut().t.ag = t.ag;
    Ok(slf)
}

#[pymethods]
impl PyTensor {
    #[pyo3(name = "xlogy")]
    fn xlogy_m(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        xlogy_common(slf.py(), slf.as_any(), other, None, false)
    }
    fn xlogy_<'py>(slf: Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let o = op_in(other, "xlogy_", "other")?;
        let x = slf.borrow().t.clone();
        let dt = crate::promote::result_type(&[Arg::T(&x).operand(), o.arg().operand()]);
        if dt.is_complex() && !crate::promote::can_cast(dt, x.dtype) {
            // In place, the result type is checked against self before the kernel's dtype support.
            return Err(crate::error::runtime(format!("result type {} can't be cast to the desired output type {}", dt.scalar_name(), x.dtype.scalar_name())).into());
        }
        inplace(slf, move |x| sp::xlogy(Arg::T(x), o.arg(), false))
    }
    #[pyo3(name = "lgamma")]
    fn lgamma_m(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        finish(slf.py(), sp::gamma_family(-1, &slf.borrow().t)?, None)
    }
    fn lgamma_<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        inplace(slf, |x| sp::gamma_family(-1, x))
    }
    #[pyo3(name = "digamma")]
    fn digamma_m(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        finish(slf.py(), sp::gamma_family(0, &slf.borrow().t)?, None)
    }
    fn digamma_<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        inplace(slf, |x| sp::gamma_family(0, x))
    }
    #[pyo3(name = "polygamma")]
    fn polygamma_m(slf: &Bound<'_, Self>, n: i64) -> PyResult<Py<PyAny>> {
        finish(slf.py(), sp::gamma_family(n, &slf.borrow().t)?, None)
    }
    fn polygamma_<'py>(slf: Bound<'py, Self>, n: i64) -> PyResult<Bound<'py, Self>> {
        inplace(slf, move |x| sp::gamma_family(n, x))
    }
    #[pyo3(name = "sinc")]
    fn sinc_m(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        finish(slf.py(), sp::sinc(&slf.borrow().t)?, None)
    }
    fn sinc_<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        inplace(slf, sp::sinc)
    }
    #[pyo3(name = "logaddexp")]
    fn logaddexp_m(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        logaddexp(slf.py(), slf.as_any(), other, None)
    }
    #[pyo3(name = "logaddexp2")]
    fn logaddexp2_m(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        logaddexp2(slf.py(), slf.as_any(), other, None)
    }
    #[pyo3(name = "dist", signature = (other, p=None))]
    fn dist_m(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, p: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        dist(slf.py(), slf.as_any(), other, p)
    }
    #[pyo3(name = "renorm")]
    fn renorm_m(slf: &Bound<'_, Self>, p: f64, dim: i64, maxnorm: f64) -> PyResult<Py<PyAny>> {
        finish(slf.py(), sp::renorm(&slf.borrow().t, p, dim, maxnorm)?, None)
    }
    fn renorm_<'py>(slf: Bound<'py, Self>, p: f64, dim: i64, maxnorm: f64) -> PyResult<Bound<'py, Self>> {
        inplace(slf, move |x| sp::renorm(x, p, dim, maxnorm))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(xlogy, m)?)?;
    m.add_function(wrap_pyfunction!(_special_xlog1py, m)?)?;
    m.add_function(wrap_pyfunction!(lgamma, m)?)?;
    m.add_function(wrap_pyfunction!(digamma, m)?)?;
    m.add_function(wrap_pyfunction!(polygamma, m)?)?;
    m.add_function(wrap_pyfunction!(sinc, m)?)?;
    m.add_function(wrap_pyfunction!(_special_erfcx, m)?)?;
    m.add_function(wrap_pyfunction!(logaddexp, m)?)?;
    m.add_function(wrap_pyfunction!(logaddexp2, m)?)?;
    m.add_function(wrap_pyfunction!(dist, m)?)?;
    m.add_function(wrap_pyfunction!(cdist, m)?)?;
    m.add_function(wrap_pyfunction!(renorm, m)?)?;
    m.add_function(wrap_pyfunction!(trapezoid, m)?)?;
    m.add_function(wrap_pyfunction!(cumulative_trapezoid, m)?)?;
    Ok(())
}
