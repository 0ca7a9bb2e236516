//! Python entry points for nn.functional's fused kernels (losses, norms, embedding, one_hot).
//! Argument parsing only: the math is in `ops::nnfn`, autograd in `autograd::nnfn`. The
//! torch-facing signatures (defaults, legacy arguments) live in `oxytorch/nn/_f_nnfn.py`.
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::autograd::nnfn as agn;
use crate::ops::nnfn::{self as k, Reduction};
use crate::tensor::Tensor;

use super::tensor::{PyTensor, wrap};

fn tensor(obj: &Bound<'_, PyAny>, fname: &str, arg: &str) -> PyResult<Tensor> {
    match obj.cast::<PyTensor>() {
        Ok(t) => Ok(t.borrow().t.clone()),
        Err(_) => Err(PyTypeError::new_err(format!("{fname}(): argument '{arg}' must be Tensor, not {}", obj.get_type().name()?))),
    }
}

fn opt_tensor(obj: Option<&Bound<'_, PyAny>>, fname: &str, arg: &str) -> PyResult<Option<Tensor>> {
    match obj {
        Some(o) if !o.is_none() => Ok(Some(tensor(o, fname, arg)?)),
        _ => Ok(None),
    }
}

fn triple<'py>(py: Python<'py>, t: (Tensor, Tensor, Tensor)) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, [wrap(py, t.0)?, wrap(py, t.1)?, wrap(py, t.2)?])
}

/// `_C._nll_loss(input, target, weight, reduction, ignore_index)`; reduction 0 none, 1 mean, 2 sum.
#[pyfunction]
#[pyo3(signature = (input, target, weight=None, reduction=1, ignore_index=-100))]
fn _nll_loss(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    target: &Bound<'_, PyAny>,
    weight: Option<&Bound<'_, PyAny>>,
    reduction: i64,
    ignore_index: i64,
) -> PyResult<Py<PyTensor>> {
    let x = tensor(input, "nll_loss", "input")?;
    let t = tensor(target, "nll_loss", "target")?;
    let w = opt_tensor(weight, "nll_loss", "weight")?;
    let red = Reduction::from_i64(reduction)?;
    wrap(py, agn::nll_loss(&x, &t, w.as_ref(), red, ignore_index)?)
}

/// `torch.native_layer_norm(input, normalized_shape, weight, bias, eps)` → (out, mean, rstd).
#[pyfunction]
#[pyo3(signature = (input, normalized_shape, weight, bias, eps))]
fn native_layer_norm<'py>(
    py: Python<'py>,
    input: &Bound<'py, PyAny>,
    normalized_shape: Vec<i64>,
    weight: Option<&Bound<'py, PyAny>>,
    bias: Option<&Bound<'py, PyAny>>,
    eps: f64,
) -> PyResult<Bound<'py, PyTuple>> {
    let x = tensor(input, "native_layer_norm", "input")?;
    let w = opt_tensor(weight, "native_layer_norm", "weight")?;
    let b = opt_tensor(bias, "native_layer_norm", "bias")?;
    if normalized_shape.iter().any(|&s| s < 0) {
        return Err(pyo3::exceptions::PyRuntimeError::new_err("normalized_shape must be non-negative"));
    }
    let ns: Vec<usize> = normalized_shape.iter().map(|&s| s as usize).collect();
    let r = agn::layer_norm(&x, &ns, w.as_ref(), b.as_ref(), eps)?;
    triple(py, r)
}

/// `_C._group_norm(input, num_groups, weight, bias, eps)` → (out, mean, rstd).
#[pyfunction]
#[pyo3(signature = (input, num_groups, weight=None, bias=None, eps=1e-5))]
fn _group_norm<'py>(
    py: Python<'py>,
    input: &Bound<'py, PyAny>,
    num_groups: i64,
    weight: Option<&Bound<'py, PyAny>>,
    bias: Option<&Bound<'py, PyAny>>,
    eps: f64,
) -> PyResult<Bound<'py, PyTuple>> {
    let x = tensor(input, "group_norm", "input")?;
    let w = opt_tensor(weight, "group_norm", "weight")?;
    let b = opt_tensor(bias, "group_norm", "bias")?;
    if num_groups <= 0 {
        return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
            "Expected number of channels in input to be divisible by num_groups, but got input of shape {:?} and num_groups={}",
            x.shape(),
            num_groups
        )));
    }
    let r = agn::group_norm(&x, num_groups as usize, w.as_ref(), b.as_ref(), eps)?;
    triple(py, r)
}

/// `torch.native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)`.
#[pyfunction]
#[pyo3(signature = (input, weight, bias, running_mean, running_var, training, momentum, eps))]
#[allow(clippy::too_many_arguments)]
fn native_batch_norm<'py>(
    py: Python<'py>,
    input: &Bound<'py, PyAny>,
    weight: Option<&Bound<'py, PyAny>>,
    bias: Option<&Bound<'py, PyAny>>,
    running_mean: Option<&Bound<'py, PyAny>>,
    running_var: Option<&Bound<'py, PyAny>>,
    training: bool,
    momentum: f64,
    eps: f64,
) -> PyResult<Bound<'py, PyTuple>> {
    let f = "native_batch_norm";
    let x = tensor(input, f, "input")?;
    let w = opt_tensor(weight, f, "weight")?;
    let b = opt_tensor(bias, f, "bias")?;
    let rm = opt_tensor(running_mean, f, "running_mean")?;
    let rv = opt_tensor(running_var, f, "running_var")?;
    let r = agn::batch_norm(&x, w.as_ref(), b.as_ref(), rm.as_ref(), rv.as_ref(), training, momentum, eps)?;
    triple(py, r)
}

/// `_C._embedding(weight, indices, padding_idx, scale_grad_by_freq)`.
#[pyfunction]
#[pyo3(signature = (weight, indices, padding_idx=-1, scale_grad_by_freq=false))]
fn _embedding(py: Python<'_>, weight: &Bound<'_, PyAny>, indices: &Bound<'_, PyAny>, padding_idx: i64, scale_grad_by_freq: bool) -> PyResult<Py<PyTensor>> {
    let w = tensor(weight, "embedding", "weight")?;
    let i = tensor(indices, "embedding", "indices")?;
    wrap(py, agn::embedding(&w, &i, padding_idx, scale_grad_by_freq)?)
}

/// `torch.embedding_renorm_(weight, indices, max_norm, norm_type)`.
#[pyfunction]
fn embedding_renorm_(weight: &Bound<'_, PyAny>, indices: &Bound<'_, PyAny>, max_norm: f64, norm_type: f64) -> PyResult<Py<PyAny>> {
    let w = tensor(weight, "embedding_renorm_", "self")?;
    let i = tensor(indices, "embedding_renorm_", "indices")?;
    k::embedding_renorm_(&w, &i, max_norm, norm_type)?;
    Ok(weight.clone().unbind())
}

/// `_C._one_hot(indices, num_classes)`.
#[pyfunction]
#[pyo3(signature = (indices, num_classes=-1))]
fn _one_hot(py: Python<'_>, indices: &Bound<'_, PyAny>, num_classes: i64) -> PyResult<Py<PyTensor>> {
    let i = tensor(indices, "one_hot", "self")?;
    wrap(py, k::one_hot(&i, num_classes)?)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_nll_loss, m)?)?;
    m.add_function(wrap_pyfunction!(native_layer_norm, m)?)?;
    m.add_function(wrap_pyfunction!(_group_norm, m)?)?;
    m.add_function(wrap_pyfunction!(native_batch_norm, m)?)?;
    m.add_function(wrap_pyfunction!(_embedding, m)?)?;
    m.add_function(wrap_pyfunction!(embedding_renorm_, m)?)?;
    m.add_function(wrap_pyfunction!(_one_hot, m)?)?;
    Ok(())
}
