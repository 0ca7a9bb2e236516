//! Python entry points for reductions and scans: `torch.<op>(input, dim, keepdim, ...)` and the
//! matching Tensor methods. Argument parsing only; the math is in `ops::reduce`.
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyString, PyTuple};

use crate::dtype::DType;
use crate::ops::binary::{Arg, BinaryOp, binary};
use crate::ops::reduce as r;
use crate::tensor::Tensor;

use super::dtype::extract_dtype_opt;
use super::tensor::{PyTensor, wrap};

pub fn tensor_of(obj: &Bound<'_, PyAny>, fname: &str) -> PyResult<Tensor> {
    match obj.cast::<PyTensor>() {
        Ok(t) => Ok(t.borrow().t.clone()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{fname}(): argument 'input' (position 1) must be Tensor, not {}",
            obj.get_type().name()?
        ))),
    }
}

/// `dim` as None, an int, or a tuple/list of ints.
pub fn dims_arg(obj: Option<&Bound<'_, PyAny>>, fname: &str) -> PyResult<Option<Vec<i64>>> {
    let Some(o) = obj else { return Ok(None) };
    if o.is_none() {
        return Ok(None);
    }
    if o.is_instance_of::<PyInt>() && !o.is_instance_of::<PyBool>() {
        return Ok(Some(vec![o.extract()?]));
    }
    if o.is_instance_of::<PyTuple>() || o.is_instance_of::<PyList>() {
        let mut v = vec![];
        for item in o.try_iter()? {
            let item = item?;
            if !item.is_instance_of::<PyInt>() || item.is_instance_of::<PyBool>() {
                return Err(PyTypeError::new_err(format!(
                    "{fname}(): argument 'dim' must be tuple of ints, but found element of type {} at pos 0",
                    item.get_type().name()?
                )));
            }
            v.push(item.extract()?);
        }
        return Ok(Some(v));
    }
    if o.hasattr("__index__")? && o.cast::<PyTensor>().is_err() {
        return Ok(Some(vec![o.call_method0("__index__")?.extract()?]));
    }
    Err(PyTypeError::new_err(format!(
        "{fname}(): argument 'dim' must be tuple of ints, not {}",
        o.get_type().name()?
    )))
}

fn one_dim(obj: &Bound<'_, PyAny>, fname: &str) -> PyResult<i64> {
    if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        return obj.extract();
    }
    if obj.hasattr("__index__")? && obj.cast::<PyTensor>().is_err() && !obj.is_instance_of::<PyBool>() {
        return obj.call_method0("__index__")?.extract();
    }
    Err(PyTypeError::new_err(format!("{fname}(): argument 'dim' must be int, not {}", obj.get_type().name()?)))
}

/// Hands back `t`, or writes it into `out` (resized to `t`'s shape, as torch does).
pub fn finish(py: Python<'_>, t: Tensor, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    match out {
        Some(o) if !o.is_none() => {
            let o = o.cast::<PyTensor>().map_err(|_| PyTypeError::new_err("argument 'out' must be Tensor"))?;
            let target = o.borrow().t.clone();
            if target.dtype != t.dtype && !crate::promote::can_cast(t.dtype, target.dtype) {
                return Err(PyRuntimeError::new_err(format!(
                    "result type {} can't be cast to the desired output type {}",
                    t.dtype.scalar_name(),
                    target.dtype.scalar_name()
                )));
            }
            if target.shape() != t.shape() {
                let fresh = Tensor::zeros(t.shape(), target.dtype, target.device())?;
                fresh.copy_(&t)?;
                o.borrow_mut().t = fresh;
            } else {
                target.copy_(&t)?;
            }
            Ok(o.clone().into_any().unbind())
        }
        _ => Ok(wrap(py, t)?.into_any()),
    }
}

/// A `torch.return_types.<name>` named tuple (see python/oxytorch/return_types.py).
pub fn named_pair(py: Python<'_>, name: &str, a: Tensor, b: Tensor, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let (a, b) = match out {
        Some(o) if !o.is_none() => {
            let o = o.cast::<PyTuple>().map_err(|_| PyTypeError::new_err(format!("{name}(): argument 'out' must be tuple of Tensors")))?;
            if o.len() != 2 {
                return Err(PyTypeError::new_err(format!("{name}(): argument 'out' must be tuple of 2 Tensors")));
            }
            (finish(py, a, Some(&o.get_item(0)?))?, finish(py, b, Some(&o.get_item(1)?))?)
        }
        _ => (wrap(py, a)?.into_any(), wrap(py, b)?.into_any()),
    };
    let cls = py.import("oxytorch.return_types")?.getattr(name)?;
    Ok(cls.call1(((a, b),))?.unbind())
}

fn dtype_kw(d: Option<&Bound<'_, PyAny>>, fname: &str) -> PyResult<Option<DType>> {
    extract_dtype_opt(d, fname)
}

#[pyfunction]
#[pyo3(signature = (input, dim=None, keepdim=false, *, dtype=None, out=None))]
pub fn sum(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "sum")?;
    let dims = dims_arg(dim, "sum")?;
    finish(py, crate::autograd::formulas::sum_mean(&t, dims.as_deref(), keepdim, dtype_kw(dtype, "sum")?, false, false)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, dim=None, keepdim=false, *, dtype=None, out=None))]
pub fn nansum(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "nansum")?;
    let dims = dims_arg(dim, "nansum")?;
    finish(py, crate::autograd::formulas::sum_mean(&t, dims.as_deref(), keepdim, dtype_kw(dtype, "nansum")?, true, false)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, dim=None, keepdim=false, *, dtype=None, out=None))]
pub fn prod(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "prod")?;
    let dims = match dim {
        Some(d) if !d.is_none() => Some(vec![one_dim(d, "prod")?]),
        _ => None,
    };
    finish(py, crate::autograd::reduce::prod(&t, dims.as_deref(), keepdim, dtype_kw(dtype, "prod")?)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, dim=None, keepdim=false, *, dtype=None, out=None))]
pub fn mean(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "mean")?;
    let dims = dims_arg(dim, "mean")?;
    finish(py, crate::autograd::formulas::sum_mean(&t, dims.as_deref(), keepdim, dtype_kw(dtype, "mean")?, false, true)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, dim=None, keepdim=false, *, dtype=None, out=None))]
pub fn nanmean(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "nanmean")?;
    if t.dtype.is_complex() {
        return Err(crate::error::not_implemented("nansum on CPU does not support complex inputs").into());
    }
    let dims = dims_arg(dim, "nanmean")?;
    finish(py, crate::autograd::formulas::sum_mean(&t, dims.as_deref(), keepdim, dtype_kw(dtype, "nanmean")?, true, true)?, out)
}

/// `max(input)`, `max(input, dim, keepdim=False)` (values, indices) and `max(input, other)`.
fn extreme(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, out: Option<&Bound<'_, PyAny>>, is_max: bool) -> PyResult<Py<PyAny>> {
    let name = if is_max { "max" } else { "min" };
    let t = tensor_of(input, name)?;
    match dim {
        Some(d) if d.cast::<PyTensor>().is_ok() => {
            let o = d.cast::<PyTensor>()?.borrow().t.clone();
            let op = if is_max { BinaryOp::Maximum } else { BinaryOp::Minimum };
            finish(py, binary(op, Arg::T(&t), Arg::T(&o), None, None)?, out)
        }
        Some(d) if !d.is_none() => {
            let (v, i) = crate::autograd::reduce::max_dim(&t, one_dim(d, name)?, keepdim, is_max, name)?;
            named_pair(py, name, v, i, out)
        }
        _ => {
            if t.dtype.is_complex() && t.numel() > 0 {
                return Err(pyo3::exceptions::PyNotImplementedError::new_err(format!(
                    "\"{name}_all\" not implemented for '{}'",
                    t.dtype.scalar_name()
                )));
            }
            finish(py, crate::autograd::reduce::max_all(&t, is_max)?, out)
        }
    }
}

#[pyfunction]
#[pyo3(signature = (input, dim=None, keepdim=false, *, out=None))]
pub fn max(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    extreme(py, input, dim, keepdim, out, true)
}

#[pyfunction]
#[pyo3(signature = (input, dim=None, keepdim=false, *, out=None))]
pub fn min(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    extreme(py, input, dim, keepdim, out, false)
}

#[pyfunction]
#[pyo3(signature = (input, dim=None, keepdim=false, *, out=None))]
pub fn amax(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "amax")?;
    let dims = dims_arg(dim, "amax")?;
    finish(py, crate::autograd::reduce::amax(&t, dims.as_deref(), keepdim, true, "amax")?, out)
}

#[pyfunction]
#[pyo3(signature = (input, dim=None, keepdim=false, *, out=None))]
pub fn amin(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "amin")?;
    let dims = dims_arg(dim, "amin")?;
    finish(py, crate::autograd::reduce::amax(&t, dims.as_deref(), keepdim, false, "amin")?, out)
}

#[pyfunction]
#[pyo3(signature = (input, *, dim=None, keepdim=false, out=None))]
pub fn aminmax(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "aminmax")?;
    let d = match dim {
        Some(d) if !d.is_none() => Some(one_dim(d, "aminmax")?),
        _ => None,
    };
    let (lo, hi) = crate::autograd::reduce::aminmax(&t, d, keepdim)?;
    let res = named_pair(py, "aminmax", lo, hi, out)?;
    Ok(res)
}

fn argext(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, out: Option<&Bound<'_, PyAny>>, is_max: bool) -> PyResult<Py<PyAny>> {
    let name = if is_max { "argmax" } else { "argmin" };
    let t = tensor_of(input, name)?;
    let d = match dim {
        Some(d) if !d.is_none() => Some(one_dim(d, name)?),
        _ => None,
    };
    finish(py, r::argmax(&t, d, keepdim, is_max)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, dim=None, keepdim=false, *, out=None))]
pub fn argmax(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    argext(py, input, dim, keepdim, out, true)
}

#[pyfunction]
#[pyo3(signature = (input, dim=None, keepdim=false, *, out=None))]
pub fn argmin(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    argext(py, input, dim, keepdim, out, false)
}

#[pyfunction]
#[pyo3(signature = (input, dim=None, keepdim=false, *, out=None))]
pub fn all(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "all")?;
    let dims = dims_arg(dim, "all")?;
    finish(py, r::all_any(&t, dims.as_deref(), keepdim, true)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, dim=None, keepdim=false, *, out=None))]
pub fn any(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "any")?;
    let dims = dims_arg(dim, "any")?;
    finish(py, r::all_any(&t, dims.as_deref(), keepdim, false)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, dim=None))]
pub fn count_nonzero(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "count_nonzero")?;
    let dims = dims_arg(dim, "count_nonzero")?;
    finish(py, r::count_nonzero(&t, dims.as_deref())?, None)
}

/// The correction from torch's overloads: `var(x, unbiased)`, `var(x, dim, unbiased, keepdim)`,
/// `var(x, dim, *, correction, keepdim)`.
fn var_args(
    fname: &str,
    dim: Option<&Bound<'_, PyAny>>,
    unbiased: Option<&Bound<'_, PyAny>>,
    correction: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Option<Vec<i64>>, f64)> {
    let (dim, unbiased) = match dim {
        Some(d) if d.is_instance_of::<PyBool>() => (None, Some(d.extract::<bool>()?)),
        _ => (dims_arg(dim, fname)?, match unbiased {
            Some(u) if !u.is_none() => Some(u.extract::<bool>()?),
            _ => None,
        }),
    };
    let corr = match correction {
        Some(c) if !c.is_none() => {
            if unbiased.is_some() {
                return Err(PyRuntimeError::new_err(format!(
                    "{fname}: can't specify both unbiased and correction"
                )));
            }
            c.extract::<f64>()?
        }
        _ => {
            if unbiased == Some(false) {
                0.0
            } else {
                1.0
            }
        }
    };
    Ok((dim, corr))
}

macro_rules! var_fns {
    ($($name:ident, $pyname:literal, $sqrt:expr, $with_mean:expr);* $(;)?) => {$(
        #[pyfunction]
        #[pyo3(name = $pyname, signature = (input, dim=None, unbiased=None, keepdim=false, *, correction=None, out=None))]
        pub fn $name(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>, unbiased: Option<&Bound<'_, PyAny>>, keepdim: bool, correction: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
            let t = tensor_of(input, $pyname)?;
            let (dims, corr) = var_args($pyname, dim, unbiased, correction)?;
            let (v, m) = crate::autograd::reduce::var(&t, dims.as_deref(), corr, keepdim, $sqrt, $with_mean)?;
            if let Some(m) = m {
                let tup = PyTuple::new(py, [wrap(py, v)?.into_any(), wrap(py, m)?.into_any()])?;
                return Ok(tup.into_any().unbind());
            }
            finish(py, v, out)
        }
    )*};
}
var_fns!(var_fn, "var", false, false; std_fn, "std", true, false; var_mean, "var_mean", false, true; std_mean, "std_mean", true, true);

#[pyfunction]
#[pyo3(signature = (input, dim, keepdim=false, *, out=None))]
pub fn logsumexp(py: Python<'_>, input: &Bound<'_, PyAny>, dim: &Bound<'_, PyAny>, keepdim: bool, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "logsumexp")?;
    let dims = dims_arg(Some(dim), "logsumexp")?;
    finish(py, crate::autograd::reduce::logsumexp(&t, dims.as_deref(), keepdim)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, p=None, dim=None, keepdim=false, out=None, dtype=None))]
pub fn norm(py: Python<'_>, input: &Bound<'_, PyAny>, p: Option<&Bound<'_, PyAny>>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "norm")?;
    let p = match p {
        None => 2.0,
        Some(p) if p.is_none() => 2.0,
        Some(p) if p.is_instance_of::<PyString>() => match p.extract::<String>()?.as_str() {
            "fro" => 2.0,
            "nuc" => return Err(pyo3::exceptions::PyNotImplementedError::new_err("norm(p='nuc') is not implemented yet")),
            s => return Err(PyRuntimeError::new_err(format!("norm(): unsupported p {s}"))),
        },
        Some(p) if p.is_instance_of::<PyFloat>() || p.is_instance_of::<PyInt>() => p.extract::<f64>()?,
        Some(p) => return Err(PyTypeError::new_err(format!("norm(): argument 'p' must be Number, not {}", p.get_type().name()?))),
    };
    let dims = dims_arg(dim, "norm")?;
    finish(py, crate::autograd::reduce::norm(&t, p, dims.as_deref(), keepdim, dtype_kw(dtype, "norm")?)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, dim, *, dtype=None, out=None))]
pub fn cumsum(py: Python<'_>, input: &Bound<'_, PyAny>, dim: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "cumsum")?;
    finish(py, crate::autograd::reduce::scan(&t, one_dim(dim, "cumsum")?, r::ScanOp::Sum, dtype_kw(dtype, "cumsum")?)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, dim, *, dtype=None, out=None))]
pub fn cumprod(py: Python<'_>, input: &Bound<'_, PyAny>, dim: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "cumprod")?;
    finish(py, crate::autograd::reduce::scan(&t, one_dim(dim, "cumprod")?, r::ScanOp::Prod, dtype_kw(dtype, "cumprod")?)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, dim, *, out=None))]
pub fn logcumsumexp(py: Python<'_>, input: &Bound<'_, PyAny>, dim: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "logcumsumexp")?;
    finish(py, crate::autograd::reduce::scan(&t, one_dim(dim, "logcumsumexp")?, r::ScanOp::LogSumExp, None)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, dim, *, out=None))]
pub fn cummax(py: Python<'_>, input: &Bound<'_, PyAny>, dim: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "cummax")?;
    let (v, i) = crate::autograd::reduce::cum_extreme(&t, one_dim(dim, "cummax")?, true)?;
    named_pair(py, "cummax", v, i, out)
}

#[pyfunction]
#[pyo3(signature = (input, dim, *, out=None))]
pub fn cummin(py: Python<'_>, input: &Bound<'_, PyAny>, dim: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "cummin")?;
    let (v, i) = crate::autograd::reduce::cum_extreme(&t, one_dim(dim, "cummin")?, false)?;
    named_pair(py, "cummin", v, i, out)
}

#[pyfunction]
#[pyo3(signature = (input, n=1, dim=-1, prepend=None, append=None))]
pub fn diff(py: Python<'_>, input: &Bound<'_, PyAny>, n: i64, dim: i64, prepend: Option<&Bound<'_, PyAny>>, append: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = tensor_of(input, "diff")?;
    let opt = |o: Option<&Bound<'_, PyAny>>| -> PyResult<Option<Tensor>> {
        match o {
            Some(o) if !o.is_none() => Ok(Some(tensor_of(o, "diff")?)),
            _ => Ok(None),
        }
    };
    let (p, a) = (opt(prepend)?, opt(append)?);
    finish(py, crate::autograd::reduce::diff(&t, n, dim, p.as_ref(), a.as_ref())?, None)
}

/// Tensor methods: each forwards to the function above with `self` as input.
#[pymethods]
impl PyTensor {
    #[pyo3(name = "sum", signature = (dim=None, keepdim=false, *, dtype=None))]
    fn sum_m(slf: &Bound<'_, Self>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        sum(slf.py(), slf.as_any(), dim, keepdim, dtype, None)
    }
    #[pyo3(name = "nansum", signature = (dim=None, keepdim=false, *, dtype=None))]
    fn nansum_m(slf: &Bound<'_, Self>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        nansum(slf.py(), slf.as_any(), dim, keepdim, dtype, None)
    }
    #[pyo3(name = "prod", signature = (dim=None, keepdim=false, *, dtype=None))]
    fn prod_m(slf: &Bound<'_, Self>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        prod(slf.py(), slf.as_any(), dim, keepdim, dtype, None)
    }
    #[pyo3(name = "mean", signature = (dim=None, keepdim=false, *, dtype=None))]
    fn mean_m(slf: &Bound<'_, Self>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        mean(slf.py(), slf.as_any(), dim, keepdim, dtype, None)
    }
    #[pyo3(name = "nanmean", signature = (dim=None, keepdim=false, *, dtype=None))]
    fn nanmean_m(slf: &Bound<'_, Self>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        nanmean(slf.py(), slf.as_any(), dim, keepdim, dtype, None)
    }
    #[pyo3(name = "max", signature = (dim=None, keepdim=false))]
    fn max_m(slf: &Bound<'_, Self>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<Py<PyAny>> {
        extreme(slf.py(), slf.as_any(), dim, keepdim, None, true)
    }
    #[pyo3(name = "min", signature = (dim=None, keepdim=false))]
    fn min_m(slf: &Bound<'_, Self>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<Py<PyAny>> {
        extreme(slf.py(), slf.as_any(), dim, keepdim, None, false)
    }
    #[pyo3(name = "amax", signature = (dim=None, keepdim=false))]
    fn amax_m(slf: &Bound<'_, Self>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<Py<PyAny>> {
        amax(slf.py(), slf.as_any(), dim, keepdim, None)
    }
    #[pyo3(name = "amin", signature = (dim=None, keepdim=false))]
    fn amin_m(slf: &Bound<'_, Self>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<Py<PyAny>> {
        amin(slf.py(), slf.as_any(), dim, keepdim, None)
    }
    #[pyo3(name = "aminmax", signature = (*, dim=None, keepdim=false))]
    fn aminmax_m(slf: &Bound<'_, Self>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<Py<PyAny>> {
        aminmax(slf.py(), slf.as_any(), dim, keepdim, None)
    }
    #[pyo3(name = "argmax", signature = (dim=None, keepdim=false))]
    fn argmax_m(slf: &Bound<'_, Self>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<Py<PyAny>> {
        argext(slf.py(), slf.as_any(), dim, keepdim, None, true)
    }
    #[pyo3(name = "argmin", signature = (dim=None, keepdim=false))]
    fn argmin_m(slf: &Bound<'_, Self>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<Py<PyAny>> {
        argext(slf.py(), slf.as_any(), dim, keepdim, None, false)
    }
    #[pyo3(name = "all", signature = (dim=None, keepdim=false))]
    fn all_m(slf: &Bound<'_, Self>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<Py<PyAny>> {
        all(slf.py(), slf.as_any(), dim, keepdim, None)
    }
    #[pyo3(name = "any", signature = (dim=None, keepdim=false))]
    fn any_m(slf: &Bound<'_, Self>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<Py<PyAny>> {
        any(slf.py(), slf.as_any(), dim, keepdim, None)
    }
    #[pyo3(name = "count_nonzero", signature = (dim=None))]
    fn count_nonzero_m(slf: &Bound<'_, Self>, dim: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        count_nonzero(slf.py(), slf.as_any(), dim)
    }
    #[pyo3(name = "var", signature = (dim=None, unbiased=None, keepdim=false, *, correction=None))]
    fn var_m(slf: &Bound<'_, Self>, dim: Option<&Bound<'_, PyAny>>, unbiased: Option<&Bound<'_, PyAny>>, keepdim: bool, correction: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        var_fn(slf.py(), slf.as_any(), dim, unbiased, keepdim, correction, None)
    }
    #[pyo3(name = "std", signature = (dim=None, unbiased=None, keepdim=false, *, correction=None))]
    fn std_m(slf: &Bound<'_, Self>, dim: Option<&Bound<'_, PyAny>>, unbiased: Option<&Bound<'_, PyAny>>, keepdim: bool, correction: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        std_fn(slf.py(), slf.as_any(), dim, unbiased, keepdim, correction, None)
    }
    #[pyo3(name = "logsumexp", signature = (dim, keepdim=false))]
    fn logsumexp_m(slf: &Bound<'_, Self>, dim: &Bound<'_, PyAny>, keepdim: bool) -> PyResult<Py<PyAny>> {
        logsumexp(slf.py(), slf.as_any(), dim, keepdim, None)
    }
    #[pyo3(name = "norm", signature = (p=None, dim=None, keepdim=false, dtype=None))]
    fn norm_m(slf: &Bound<'_, Self>, p: Option<&Bound<'_, PyAny>>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        norm(slf.py(), slf.as_any(), p, dim, keepdim, None, dtype)
    }
    #[pyo3(name = "cumsum", signature = (dim, *, dtype=None))]
    fn cumsum_m(slf: &Bound<'_, Self>, dim: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        cumsum(slf.py(), slf.as_any(), dim, dtype, None)
    }
    #[pyo3(name = "cumprod", signature = (dim, *, dtype=None))]
    fn cumprod_m(slf: &Bound<'_, Self>, dim: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        cumprod(slf.py(), slf.as_any(), dim, dtype, None)
    }
    #[pyo3(name = "logcumsumexp", signature = (dim))]
    fn logcumsumexp_m(slf: &Bound<'_, Self>, dim: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        logcumsumexp(slf.py(), slf.as_any(), dim, None)
    }
    #[pyo3(name = "cummax", signature = (dim))]
    fn cummax_m(slf: &Bound<'_, Self>, dim: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        cummax(slf.py(), slf.as_any(), dim, None)
    }
    #[pyo3(name = "cummin", signature = (dim))]
    fn cummin_m(slf: &Bound<'_, Self>, dim: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        cummin(slf.py(), slf.as_any(), dim, None)
    }
    #[pyo3(name = "diff", signature = (n=1, dim=-1, prepend=None, append=None))]
    fn diff_m(slf: &Bound<'_, Self>, n: i64, dim: i64, prepend: Option<&Bound<'_, PyAny>>, append: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        diff(slf.py(), slf.as_any(), n, dim, prepend, append)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    macro_rules! add {
        ($($f:ident),* $(,)?) => { $( m.add_function(wrap_pyfunction!($f, m)?)?; )* };
    }
    add!(
        sum, nansum, prod, mean, nanmean, max, min, amax, amin, aminmax, argmax, argmin, all, any, count_nonzero, var_fn, std_fn,
        var_mean, std_mean, logsumexp, norm, cumsum, cumprod, logcumsumexp, cummax, cummin, diff
    );
    Ok(())
}
