//! Python entry points for sorting and order statistics (`ops::sort`).
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyInt, PyTuple};

use crate::ops::count as c;
use crate::ops::sort as s;
use crate::tensor::Tensor;

use super::reduce::{finish, named_pair, tensor_of};
use super::tensor::{PyTensor, wrap};

#[pyfunction]
#[pyo3(signature = (input, dim=-1, descending=false, stable=None, *, out=None))]
pub fn sort(py: Python<'_>, input: &Bound<'_, PyAny>, dim: i64, descending: bool, stable: Option<bool>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let stable = stable.unwrap_or(false);
    let (v, i) = crate::autograd::reduce::selecting("SortBackward0", &tensor_of(input, "sort")?, dim, true, |x| s::sort(x, dim, descending, stable))?;
    named_pair(py, "sort", v, i, out)
}

#[pyfunction]
#[pyo3(signature = (input, dim=-1, descending=false, stable=false))]
pub fn argsort(py: Python<'_>, input: &Bound<'_, PyAny>, dim: i64, descending: bool, stable: bool) -> PyResult<Py<PyAny>> {
    finish(py, s::sort(&tensor_of(input, "argsort")?, dim, descending, stable)?.1, None)
}

#[pyfunction]
#[pyo3(signature = (input, *, out=None))]
pub fn msort(py: Python<'_>, input: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    finish(py, crate::autograd::reduce::selecting("SortBackward0", &tensor_of(input, "msort")?, 0, true, |x| s::sort(x, 0, false, false))?.0, out)
}

#[pyfunction]
#[pyo3(signature = (input, k, dim=-1, largest=true, sorted=true, *, out=None))]
pub fn topk(py: Python<'_>, input: &Bound<'_, PyAny>, k: i64, dim: i64, largest: bool, sorted: bool, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let (v, i) = crate::autograd::reduce::selecting("TopkBackward0", &tensor_of(input, "topk")?, dim, true, |x| s::topk(x, k, dim, largest, sorted))?;
    named_pair(py, "topk", v, i, out)
}

#[pyfunction]
#[pyo3(signature = (input, k, dim=-1, keepdim=false, *, out=None))]
pub fn kthvalue(py: Python<'_>, input: &Bound<'_, PyAny>, k: i64, dim: i64, keepdim: bool, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let (v, i) = crate::autograd::reduce::selecting("KthvalueBackward0", &tensor_of(input, "kthvalue")?, dim, keepdim, |x| s::kthvalue(x, k, dim, keepdim))?;
    named_pair(py, "kthvalue", v, i, out)
}

fn median_impl(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<i64>, keepdim: bool, out: Option<&Bound<'_, PyAny>>, ignore_nan: bool) -> PyResult<Py<PyAny>> {
    let name = if ignore_nan { "nanmedian" } else { "median" };
    let t = tensor_of(input, name)?;
    match dim {
        None => {
            finish(py, crate::autograd::reduce::median_all(&t, ignore_nan)?, out)
        }
        Some(d) => {
            let (v, i) = crate::autograd::reduce::selecting(if ignore_nan { "NanmedianBackward1" } else { "MedianBackward1" }, &t, d, keepdim, |x| s::median_dim(x, d, keepdim, ignore_nan))?;
            named_pair(py, name, v, i, out)
        }
    }
}

#[pyfunction]
#[pyo3(signature = (input, dim=None, keepdim=false, *, out=None))]
pub fn median(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<i64>, keepdim: bool, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    median_impl(py, input, dim, keepdim, out, false)
}

#[pyfunction]
#[pyo3(signature = (input, dim=None, keepdim=false, *, out=None))]
pub fn nanmedian(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<i64>, keepdim: bool, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    median_impl(py, input, dim, keepdim, out, true)
}

#[pyfunction]
#[pyo3(signature = (input, dim=-1, keepdim=false, *, out=None))]
pub fn mode(py: Python<'_>, input: &Bound<'_, PyAny>, dim: i64, keepdim: bool, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let (v, i) = crate::autograd::reduce::selecting("ModeBackward0", &tensor_of(input, "mode")?, dim, keepdim, |x| s::mode(x, dim, keepdim))?;
    named_pair(py, "mode", v, i, out)
}

fn interp(name: &str) -> PyResult<s::Interp> {
    Ok(match name {
        "linear" => s::Interp::Linear,
        "lower" => s::Interp::Lower,
        "higher" => s::Interp::Higher,
        "midpoint" => s::Interp::Midpoint,
        "nearest" => s::Interp::Nearest,
        other => {
            return Err(PyRuntimeError::new_err(format!(
                "quantile() interpolation must be one of linear, lower, higher, midpoint or nearest. Got {other}"
            )));
        }
    })
}

#[allow(clippy::too_many_arguments)]
fn quantile_impl(py: Python<'_>, input: &Bound<'_, PyAny>, q: &Bound<'_, PyAny>, dim: Option<i64>, keepdim: bool, interpolation: &str, out: Option<&Bound<'_, PyAny>>, ignore_nan: bool) -> PyResult<Py<PyAny>> {
    let name = if ignore_nan { "nanquantile" } else { "quantile" };
    let t = tensor_of(input, name)?;
    let mut q_tensor: Option<Tensor> = None;
    let (qs, scalar): (Vec<f64>, bool) = if let Ok(qt) = q.cast::<PyTensor>() {
        let qt: Tensor = qt.borrow().t.clone();
        q_tensor = Some(qt.clone());
        if qt.ndim() > 1 {
            return Err(PyRuntimeError::new_err(format!("{name}() q must be a scalar or 1D tensor")));
        }
        if qt.dtype != t.dtype {
            return Err(PyRuntimeError::new_err(format!(
                "{name}() q tensor must be same dtype as the input tensor"
            )));
        }
        let vals = qt.to_pivots()?.into_iter().map(|p| match p {
            crate::element::Pivot::F(f) => f,
            _ => 0.0,
        });
        (vals.collect(), qt.ndim() == 0)
    } else if q.is_instance_of::<PyFloat>() || q.is_instance_of::<PyInt>() {
        (vec![q.extract::<f64>()?], true)
    } else {
        return Err(PyTypeError::new_err(format!("{name}() received an invalid combination of arguments - got q of type {}", q.get_type().name()?)));
    };
    let r = crate::autograd::gaps::quantile(&t, &qs, q_tensor.as_ref(), scalar, dim, keepdim, interp(interpolation)?, ignore_nan)?;
    finish(py, r, out)
}

#[pyfunction]
#[pyo3(signature = (input, q, dim=None, keepdim=false, *, interpolation="linear", out=None))]
pub fn quantile(py: Python<'_>, input: &Bound<'_, PyAny>, q: &Bound<'_, PyAny>, dim: Option<i64>, keepdim: bool, interpolation: &str, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    quantile_impl(py, input, q, dim, keepdim, interpolation, out, false)
}

#[pyfunction]
#[pyo3(signature = (input, q, dim=None, keepdim=false, *, interpolation="linear", out=None))]
pub fn nanquantile(py: Python<'_>, input: &Bound<'_, PyAny>, q: &Bound<'_, PyAny>, dim: Option<i64>, keepdim: bool, interpolation: &str, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    quantile_impl(py, input, q, dim, keepdim, interpolation, out, true)
}

fn unique_result(py: Python<'_>, (v, i, c): (Tensor, Tensor, Tensor), return_inverse: bool, return_counts: bool) -> PyResult<Py<PyAny>> {
    if !return_inverse && !return_counts {
        return Ok(wrap(py, v)?.into_any());
    }
    let mut items = vec![wrap(py, v)?.into_any()];
    if return_inverse {
        items.push(wrap(py, i)?.into_any());
    }
    if return_counts {
        items.push(wrap(py, c)?.into_any());
    }
    Ok(PyTuple::new(py, items)?.into_any().unbind())
}

#[pyfunction]
#[pyo3(signature = (input, sorted=true, return_inverse=false, return_counts=false, dim=None))]
pub fn unique(py: Python<'_>, input: &Bound<'_, PyAny>, sorted: bool, return_inverse: bool, return_counts: bool, dim: Option<i64>) -> PyResult<Py<PyAny>> {
    let _ = sorted; // CPU unique always sorts, as torch's does
    if let Some(d) = dim {
        return unique_result(py, c::unique_dim(&tensor_of(input, "unique")?, d, false)?, return_inverse, return_counts);
    }
    unique_result(py, c::unique(&tensor_of(input, "unique")?)?, return_inverse, return_counts)
}

#[pyfunction]
#[pyo3(signature = (input, return_inverse=false, return_counts=false, dim=None))]
pub fn unique_consecutive(py: Python<'_>, input: &Bound<'_, PyAny>, return_inverse: bool, return_counts: bool, dim: Option<i64>) -> PyResult<Py<PyAny>> {
    if let Some(d) = dim {
        return unique_result(py, c::unique_dim(&tensor_of(input, "unique_consecutive")?, d, true)?, return_inverse, return_counts);
    }
    unique_result(py, c::unique_consecutive(&tensor_of(input, "unique_consecutive")?)?, return_inverse, return_counts)
}

fn scalar_or_tensor(obj: &Bound<'_, PyAny>, fname: &str) -> PyResult<Tensor> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(t.borrow().t.clone());
    }
    match super::convert::py_to_pivot(obj)? {
        Some(p) => {
            let dt = super::convert::python_scalar_dtype(&p)?;
            Ok(crate::tensor::create::from_pivots(&[p], &[], dt)?)
        }
        None => Err(PyTypeError::new_err(format!("{fname}(): argument 'input' must be Tensor or Number, not {}", obj.get_type().name()?))),
    }
}

#[pyfunction]
#[pyo3(signature = (sorted_sequence, input, *, out_int32=false, right=false, side=None, sorter=None, out=None))]
#[allow(clippy::too_many_arguments)]
pub fn searchsorted(py: Python<'_>, sorted_sequence: &Bound<'_, PyAny>, input: &Bound<'_, PyAny>, out_int32: bool, right: bool, side: Option<&str>, sorter: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let seq = tensor_of(sorted_sequence, "searchsorted")?;
    let v = scalar_or_tensor(input, "searchsorted")?;
    let right = match side {
        None => right,
        Some("right") => true,
        Some("left") => {
            if right {
                return Err(PyRuntimeError::new_err("torch.searchsorted(): side and right can't be set to opposites, got side of left while right was True"));
            }
            false
        }
        Some(o) => return Err(PyRuntimeError::new_err(format!("torch.searchsorted(): side can only be 'left' or 'right' but got {o}"))),
    };
    if sorter.is_some_and(|s| !s.is_none()) {
        return Err(pyo3::exceptions::PyNotImplementedError::new_err("searchsorted(sorter=...) is not implemented yet"));
    }
    finish(py, s::searchsorted(&seq, &v, right, out_int32)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, boundaries, *, out_int32=false, right=false, out=None))]
pub fn bucketize(py: Python<'_>, input: &Bound<'_, PyAny>, boundaries: &Bound<'_, PyAny>, out_int32: bool, right: bool, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let b = tensor_of(boundaries, "bucketize")?;
    if b.ndim() != 1 {
        return Err(PyRuntimeError::new_err(format!("boundaries tensor must be 1 dimension, but got dim({})", b.ndim())));
    }
    let v = scalar_or_tensor(input, "bucketize")?;
    finish(py, s::searchsorted(&b, &v, right, out_int32)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, weights=None, minlength=0))]
pub fn bincount(py: Python<'_>, input: &Bound<'_, PyAny>, weights: Option<&Bound<'_, PyAny>>, minlength: i64) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "bincount")?;
    let w = match weights {
        Some(w) if !w.is_none() => Some(tensor_of(w, "bincount")?),
        _ => None,
    };
    finish(py, c::bincount(&t, w.as_ref(), minlength)?, None)
}

#[pyfunction]
#[pyo3(signature = (input, bins=100, min=0.0, max=0.0, *, out=None))]
pub fn histc(py: Python<'_>, input: &Bound<'_, PyAny>, bins: i64, min: f64, max: f64, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    finish(py, c::histc(&tensor_of(input, "histc")?, bins, min, max)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, bins=None, *, range=None, weight=None, density=false, out=None))]
pub fn histogram(py: Python<'_>, input: &Bound<'_, PyAny>, bins: Option<&Bound<'_, PyAny>>, range: Option<(f64, f64)>, weight: Option<&Bound<'_, PyAny>>, density: bool, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "histogram")?;
    let (n, edges) = match bins {
        None => (100usize, None),
        Some(b) if b.cast::<PyTensor>().is_ok() => (0, Some(b.cast::<PyTensor>()?.borrow().t.clone())),
        Some(b) => {
            let n: i64 = b.extract()?;
            if n <= 0 {
                return Err(PyRuntimeError::new_err(format!("torch.histogram(): bins must be > 0, but got {n} for dimension 0")));
            }
            (n as usize, None)
        }
    };
    let w = match weight {
        Some(w) if !w.is_none() => Some(tensor_of(w, "histogram")?),
        _ => None,
    };
    let (h, e) = c::histogram(&t, n, edges.as_ref(), range, w.as_ref(), density)?;
    named_pair(py, "histogram", h, e, out)
}

#[pymethods]
impl PyTensor {
    #[pyo3(name = "sort", signature = (dim=-1, descending=false, stable=None))]
    fn sort_m(slf: &Bound<'_, Self>, dim: i64, descending: bool, stable: Option<bool>) -> PyResult<Py<PyAny>> {
        sort(slf.py(), slf.as_any(), dim, descending, stable, None)
    }
    #[pyo3(name = "argsort", signature = (dim=-1, descending=false, stable=false))]
    fn argsort_m(slf: &Bound<'_, Self>, dim: i64, descending: bool, stable: bool) -> PyResult<Py<PyAny>> {
        argsort(slf.py(), slf.as_any(), dim, descending, stable)
    }
    #[pyo3(name = "msort")]
    fn msort_m(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        msort(slf.py(), slf.as_any(), None)
    }
    #[pyo3(name = "topk", signature = (k, dim=-1, largest=true, sorted=true))]
    fn topk_m(slf: &Bound<'_, Self>, k: i64, dim: i64, largest: bool, sorted: bool) -> PyResult<Py<PyAny>> {
        topk(slf.py(), slf.as_any(), k, dim, largest, sorted, None)
    }
    #[pyo3(name = "kthvalue", signature = (k, dim=-1, keepdim=false))]
    fn kthvalue_m(slf: &Bound<'_, Self>, k: i64, dim: i64, keepdim: bool) -> PyResult<Py<PyAny>> {
        kthvalue(slf.py(), slf.as_any(), k, dim, keepdim, None)
    }
    #[pyo3(name = "median", signature = (dim=None, keepdim=false))]
    fn median_m(slf: &Bound<'_, Self>, dim: Option<i64>, keepdim: bool) -> PyResult<Py<PyAny>> {
        median(slf.py(), slf.as_any(), dim, keepdim, None)
    }
    #[pyo3(name = "nanmedian", signature = (dim=None, keepdim=false))]
    fn nanmedian_m(slf: &Bound<'_, Self>, dim: Option<i64>, keepdim: bool) -> PyResult<Py<PyAny>> {
        nanmedian(slf.py(), slf.as_any(), dim, keepdim, None)
    }
    #[pyo3(name = "mode", signature = (dim=-1, keepdim=false))]
    fn mode_m(slf: &Bound<'_, Self>, dim: i64, keepdim: bool) -> PyResult<Py<PyAny>> {
        mode(slf.py(), slf.as_any(), dim, keepdim, None)
    }
    #[pyo3(name = "quantile", signature = (q, dim=None, keepdim=false, *, interpolation="linear"))]
    fn quantile_m(slf: &Bound<'_, Self>, q: &Bound<'_, PyAny>, dim: Option<i64>, keepdim: bool, interpolation: &str) -> PyResult<Py<PyAny>> {
        quantile(slf.py(), slf.as_any(), q, dim, keepdim, interpolation, None)
    }
    #[pyo3(name = "nanquantile", signature = (q, dim=None, keepdim=false, *, interpolation="linear"))]
    fn nanquantile_m(slf: &Bound<'_, Self>, q: &Bound<'_, PyAny>, dim: Option<i64>, keepdim: bool, interpolation: &str) -> PyResult<Py<PyAny>> {
        nanquantile(slf.py(), slf.as_any(), q, dim, keepdim, interpolation, None)
    }
    #[pyo3(name = "unique", signature = (sorted=true, return_inverse=false, return_counts=false, dim=None))]
    fn unique_m(slf: &Bound<'_, Self>, sorted: bool, return_inverse: bool, return_counts: bool, dim: Option<i64>) -> PyResult<Py<PyAny>> {
        unique(slf.py(), slf.as_any(), sorted, return_inverse, return_counts, dim)
    }
    #[pyo3(name = "bincount", signature = (weights=None, minlength=0))]
    fn bincount_m(slf: &Bound<'_, Self>, weights: Option<&Bound<'_, PyAny>>, minlength: i64) -> PyResult<Py<PyAny>> {
        bincount(slf.py(), slf.as_any(), weights, minlength)
    }
    #[pyo3(name = "histc", signature = (bins=100, min=0.0, max=0.0))]
    fn histc_m(slf: &Bound<'_, Self>, bins: i64, min: f64, max: f64) -> PyResult<Py<PyAny>> {
        histc(slf.py(), slf.as_any(), bins, min, max, None)
    }
    #[pyo3(name = "histogram", signature = (bins=None, *, range=None, weight=None, density=false))]
    fn histogram_m(slf: &Bound<'_, Self>, bins: Option<&Bound<'_, PyAny>>, range: Option<(f64, f64)>, weight: Option<&Bound<'_, PyAny>>, density: bool) -> PyResult<Py<PyAny>> {
        histogram(slf.py(), slf.as_any(), bins, range, weight, density, None)
    }
    #[pyo3(name = "unique_consecutive", signature = (return_inverse=false, return_counts=false, dim=None))]
    fn unique_consecutive_m(slf: &Bound<'_, Self>, return_inverse: bool, return_counts: bool, dim: Option<i64>) -> PyResult<Py<PyAny>> {
        unique_consecutive(slf.py(), slf.as_any(), return_inverse, return_counts, dim)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    macro_rules! add {
        ($($f:ident),* $(,)?) => { $( m.add_function(wrap_pyfunction!($f, m)?)?; )* };
    }
    add!(
        sort, argsort, msort, topk, kthvalue, median, nanmedian, mode, quantile, nanquantile, unique, unique_consecutive, searchsorted,
        bucketize, bincount, histc, histogram
    );
    Ok(())
}
