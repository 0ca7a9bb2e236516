//! Python entry points for the extra elementwise ops (`where`, `clamp`, `lerp`, `addcmul`, ...)
//! and the activation functions: argument parsing only, math in `ops::ternary`/`ops::activation`.
#![allow(unsafe_op_in_unsafe_fn)]
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::element::Pivot;
use crate::ops::activation as act;
use crate::ops::binary::Arg;
use crate::ops::ternary as tern;
use crate::tensor::Tensor;

use super::convert::py_to_pivot;
use super::ops::{Operand, operand};
use super::tensor::{PyTensor, wrap};

fn tensor_of(obj: &Bound<'_, PyAny>, fname: &str, arg: &str, pos: usize) -> PyResult<Tensor> {
    match obj.cast::<PyTensor>() {
        Ok(t) => Ok(t.borrow().t.clone()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{fname}(): argument '{arg}' (position {pos}) must be Tensor, not {}",
            obj.get_type().name()?
        ))),
    }
}

fn number_or_tensor(obj: &Bound<'_, PyAny>, fname: &str, arg: &str) -> PyResult<Operand> {
    match operand(obj)? {
        Some(o) => Ok(o),
        None => Err(PyTypeError::new_err(format!(
            "{fname}(): argument '{arg}' must be Tensor or Number, not {}",
            obj.get_type().name()?
        ))),
    }
}

fn opt_operand(obj: Option<&Bound<'_, PyAny>>, fname: &str, arg: &str) -> PyResult<Option<Operand>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => number_or_tensor(o, fname, arg).map(Some),
    }
}

fn number(obj: &Bound<'_, PyAny>, fname: &str, arg: &str) -> PyResult<Pivot> {
    py_to_pivot(obj)?.ok_or_else(|| {
        PyTypeError::new_err(format!("{fname}(): argument '{arg}' must be Number, not {}", obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()))
    })
}

/// Writes a computed result into `out` (resized to the result's shape as torch does).
fn give(py: Python<'_>, result: Tensor, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    match out {
        None => Ok(wrap(py, result)?.into_any()),
        Some(o) => {
            let target = o.borrow().t.clone();
            if !crate::promote::can_cast(result.dtype, target.dtype) {
                return Err(crate::error::runtime(format!(
                    "result type {} can't be cast to the desired output type {}",
                    result.dtype.scalar_name(),
                    target.dtype.scalar_name()
                ))
                .into());
            }
            if target.shape() != result.shape() {
                let fresh = Tensor::zeros(result.shape(), target.dtype, target.device())?;
                fresh.copy_(&result)?;
                o.borrow_mut().t = fresh;
            } else {
                target.copy_(&result)?;
            }
            Ok(o.clone().into_any().unbind())
        }
    }
}

/// Copies `result` back into `slf` for an in-place form (the dtype must be castable back).
fn give_back<'py>(slf: Bound<'py, PyTensor>, result: Tensor) -> PyResult<Bound<'py, PyTensor>> {
    let t = slf.borrow().t.clone();
    crate::ops::binary::check_no_internal_overlap(&t)?;
    if !crate::promote::can_cast(result.dtype, t.dtype) {
        return Err(crate::error::runtime(format!(
            "result type {} can't be cast to the desired output type {}",
            result.dtype.scalar_name(),
            t.dtype.scalar_name()
        ))
        .into());
    }
    if result.shape() != t.shape() {
        return Err(crate::error::runtime(format!(
            "output with shape {:?} doesn't match the broadcast shape {:?}",
            t.shape(),
            result.shape()
        ))
        .into());
    }
    t.check_writable()?;
    crate::autograd::check_inplace(&t)?;
    t.detached().copy_(&result.detached())?;
    // An in-place op computed out of place under autograd: `self` takes over the result's history.
    if let Some((node, nr)) = result.grad_fn() {
        let mut me = slf.borrow_mut();
        crate::autograd::inplace::rebase_history(&mut me.t, node, nr);
    }
    Ok(slf)
}

// ---------------------------------------------------------------------------------------------
// where / clamp
// ---------------------------------------------------------------------------------------------

#[pyfunction]
#[pyo3(name = "where", signature = (condition, input=None, other=None, *, out=None))]
pub fn where_(
    py: Python<'_>,
    condition: &Bound<'_, PyAny>,
    input: Option<&Bound<'_, PyAny>>,
    other: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyTensor>>,
) -> PyResult<Py<PyAny>> {
    let (input, other) = match (input, other, out) {
        (Some(i), Some(o), _) => (i, o),
        (None, None, None) => {
            // torch.where(condition) is nonzero(condition, as_tuple=True).
            tensor_of(condition, "where", "condition", 1)?;
            return super::index::_where_cond(py, condition.cast::<PyTensor>()?);
        }
        (i, o, _) => {
            let name = |x: &Bound<'_, PyAny>| x.get_type().name().map(|n| n.to_string()).unwrap_or_default();
            let mut got = vec![name(condition)];
            got.extend(i.map(name));
            got.extend(o.map(|o| if i.is_some() { name(o) } else { format!("other={}", name(o)) }));
            got.extend(out.map(|o| format!("out={}", name(o.as_any()))));
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "where() received an invalid combination of arguments - got ({}), but expected one of:\n \
                 * (Tensor condition)\n \
                 * (Tensor condition, Tensor input, Tensor other, *, Tensor out = None)\n \
                 * (Tensor condition, Number self, Tensor other)\n \
                 * (Tensor condition, Tensor input, Number other)\n \
                 * (Tensor condition, Number self, Number other)\n",
                got.join(", ")
            )));
        }
    };
    let c = tensor_of(condition, "where", "condition", 1)?;
    let a = number_or_tensor(input, "where", "input")?;
    let b = number_or_tensor(other, "where", "other")?;
    give(py, crate::autograd::act::where_(&c, a.arg(), b.arg(), None)?, out)
}

type Bounds<'py> = (Option<Bound<'py, PyAny>>, Option<Bound<'py, PyAny>>);

/// torch's clamp overloads take two tensors or two numbers. A number beside a tensor only
/// parses when the tensor is 0-d (read as a number, so it does not promote like a tensor);
/// anything else matches neither overload.
fn clamp_bounds<'py>(min: Option<&Bound<'py, PyAny>>, max: Option<&Bound<'py, PyAny>>, fname: &str) -> PyResult<Bounds<'py>> {
    let (lo, hi) = (min.filter(|b| !b.is_none()).cloned(), max.filter(|b| !b.is_none()).cloned());
    let (Some(l), Some(h)) = (&lo, &hi) else { return Ok((lo, hi)) };
    let (lt, ht) = (l.cast::<PyTensor>().is_ok(), h.cast::<PyTensor>().is_ok());
    if lt == ht {
        return Ok((lo, hi));
    }
    let (t, other) = if lt { (l, h) } else { (h, l) };
    if operand(other)?.is_none() {
        return Ok((lo, hi));
    }
    if t.cast::<PyTensor>()?.borrow().t.ndim() == 0 {
        let item = t.call_method0("item")?;
        return Ok(if lt { (Some(item), hi) } else { (lo, Some(item)) });
    }
    let kind = |b: &Bound<'_, PyAny>| b.get_type().name().map(|n| n.to_string()).unwrap_or_default();
    Err(PyTypeError::new_err(format!(
        "{fname}() received an invalid combination of arguments - got (Tensor, {}, {}), but expected one of:\n \
         * (Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)\n \
         * (Tensor input, Number min = None, Number max = None, *, Tensor out = None)\n",
        kind(l),
        kind(h)
    )))
}

fn clamp_impl(x: &Tensor, min: Option<&Bound<'_, PyAny>>, max: Option<&Bound<'_, PyAny>>, fname: &str) -> PyResult<Tensor> {
    let (min, max) = if matches!(fname, "clamp" | "clip" | "clamp_" | "clip_") { clamp_bounds(min, max, fname)? } else { (min.cloned(), max.cloned()) };
    let mut lo = opt_operand(min.as_ref(), fname, "min")?;
    let mut hi = opt_operand(max.as_ref(), fname, "max")?;
    let given = [&lo, &hi].into_iter().flatten().count();
    let numbers = given > 0 && [&lo, &hi].into_iter().flatten().all(|b| matches!(b, Operand::S(_)));
    // (float8 has no clamp kernel: torch refuses it before converting the bounds)
    if numbers && x.dtype.is_floating_point() && !x.dtype.is_float8() {
        // torch's number-bound clamp of a float tensor keeps its dtype and converts each bound to
        // it with an overflow check (clamp/clip read a complex bound as a double first).
        let both = matches!(fname, "clamp" | "clip" | "clamp_" | "clip_");
        for b in [&mut lo, &mut hi].into_iter().flatten() {
            if let Operand::S(p) = b {
                match *p {
                    Pivot::C(_, im) if both && im != 0.0 => {
                        return Err(crate::error::runtime("value cannot be converted to type double without overflow".to_string()).into());
                    }
                    Pivot::C(re, _) if both => *p = Pivot::F(re),
                    Pivot::C(..) => {}
                    q => {
                        crate::element::checked_scalar(q, x.dtype, crate::element::ScalarCtx::Fill)?;
                    }
                }
            }
        }
    }
    let bounds: Vec<Arg<'_>> = [&lo, &hi].into_iter().flatten().map(|b| b.arg()).collect();
    if fname.ends_with('_') && !bounds.is_empty() && !(numbers && x.dtype.is_floating_point() && !x.dtype.is_float8()) {
        // In place, the promoted type must cast back to self's before any dtype support check.
        let mut ops = vec![Arg::T(x).operand()];
        ops.extend(bounds.iter().map(|b| b.operand()));
        let dt = crate::promote::result_type(&ops);
        if !crate::promote::can_cast(dt, x.dtype) {
            return Err(crate::error::runtime(format!("result type {} can't be cast to the desired output type {}", dt.scalar_name(), x.dtype.scalar_name())).into());
        }
    }
    if fname.ends_with('_') {
        // In place: a tensor bound must not partly overlap self.
        for b in [&lo, &hi].into_iter().flatten() {
            if let Arg::T(t) = b.arg() {
                crate::ops::check_no_partial_overlap(x, t)?;
            }
        }
    }
    Ok(crate::autograd::act::clamp(x, lo.as_ref().map(|o| o.arg()), hi.as_ref().map(|o| o.arg()), None, fname)?)
}

#[pyfunction]
#[pyo3(signature = (input, min=None, max=None, *, out=None))]
pub fn clamp(py: Python<'_>, input: &Bound<'_, PyAny>, min: Option<&Bound<'_, PyAny>>, max: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    let x = tensor_of(input, "clamp", "input", 1)?;
    let r = clamp_impl(&x, min, max, "clamp")?;
    exact_out_dtype(&r, out)?;
    give(py, r, out)
}

/// clamp's `out=` must have the result's dtype exactly.
fn exact_out_dtype(r: &Tensor, out: Option<&Bound<'_, PyTensor>>) -> PyResult<()> {
    if let Some(o) = out {
        let od = o.borrow().t.dtype;
        if od != r.dtype {
            return Err(crate::error::runtime(format!("Found dtype {} but expected {}", od.scalar_name(), r.dtype.scalar_name())).into());
        }
    }
    Ok(())
}

fn required_bound<'a, 'py>(b: Option<&'a Bound<'py, PyAny>>, fname: &str, what: &str) -> PyResult<&'a Bound<'py, PyAny>> {
    match b {
        Some(v) if !v.is_none() => Ok(v),
        _ => Err(PyTypeError::new_err(format!(
            "{fname}() received an invalid combination of arguments - got (NoneType), but expected one of:\n * (Tensor {what})\n * (Number {what})\n"
        ))),
    }
}

#[pyfunction]
#[pyo3(signature = (input, min=None, max=None, *, out=None))]
pub fn clip(py: Python<'_>, input: &Bound<'_, PyAny>, min: Option<&Bound<'_, PyAny>>, max: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    let x = tensor_of(input, "clip", "input", 1)?;
    give(py, clamp_impl(&x, min, max, "clip")?, out)
}

#[pyfunction]
#[pyo3(signature = (input, min, *, out=None))]
pub fn clamp_min(py: Python<'_>, input: &Bound<'_, PyAny>, min: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    let x = tensor_of(input, "clamp_min", "input", 1)?;
    let min = required_bound(Some(min), "clamp_min", "min")?;
    give(py, clamp_impl(&x, Some(min), None, "clamp_min")?, out)
}

#[pyfunction]
#[pyo3(signature = (input, max, *, out=None))]
pub fn clamp_max(py: Python<'_>, input: &Bound<'_, PyAny>, max: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    let x = tensor_of(input, "clamp_max", "input", 1)?;
    let max = required_bound(Some(max), "clamp_max", "max")?;
    give(py, clamp_impl(&x, None, Some(max), "clamp_max")?, out)
}

// ---------------------------------------------------------------------------------------------
// nan_to_num, masked_fill, lerp, addcmul/addcdiv
// ---------------------------------------------------------------------------------------------

#[pyfunction]
#[pyo3(signature = (input, nan=0.0, posinf=None, neginf=None, *, out=None))]
pub fn nan_to_num(py: Python<'_>, input: &Bound<'_, PyAny>, nan: Option<f64>, posinf: Option<f64>, neginf: Option<f64>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    let x = tensor_of(input, "nan_to_num", "input", 1)?;
    give(py, tern::nan_to_num(&x, nan, posinf, neginf, None)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, mask, value))]
pub fn masked_fill(py: Python<'_>, input: &Bound<'_, PyAny>, mask: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let x = tensor_of(input, "masked_fill", "input", 1)?;
    let m = tensor_of(mask, "masked_fill", "mask", 2)?;
    let v = number_or_tensor(value, "masked_fill", "value")?;
    Ok(wrap(py, crate::autograd::act::masked_fill(&x, &m, v.arg())?)?.into_any())
}

#[pyfunction]
#[pyo3(signature = (input, end, weight, *, out=None))]
pub fn lerp(py: Python<'_>, input: &Bound<'_, PyAny>, end: &Bound<'_, PyAny>, weight: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    let s = tensor_of(input, "lerp", "input", 1)?;
    let e = tensor_of(end, "lerp", "end", 2)?;
    let w = number_or_tensor(weight, "lerp", "weight")?;
    give(py, crate::autograd::ternary::lerp(&s, &e, w.arg())?, out)
}

fn value_arg(value: Option<&Bound<'_, PyAny>>, fname: &str) -> PyResult<Pivot> {
    match value {
        None => Ok(Pivot::I(1)),
        Some(v) => number(v, fname, "value"),
    }
}

#[pyfunction]
#[pyo3(signature = (input, tensor1, tensor2, *, value=None, out=None))]
pub fn addcmul(py: Python<'_>, input: &Bound<'_, PyAny>, tensor1: &Bound<'_, PyAny>, tensor2: &Bound<'_, PyAny>, value: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    let (x, a, b) = (tensor_of(input, "addcmul", "input", 1)?, tensor_of(tensor1, "addcmul", "tensor1", 2)?, tensor_of(tensor2, "addcmul", "tensor2", 3)?);
    give(py, crate::autograd::ternary::addc(&x, &a, &b, value_arg(value, "addcmul")?, false)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, tensor1, tensor2, *, value=None, out=None))]
pub fn addcdiv(py: Python<'_>, input: &Bound<'_, PyAny>, tensor1: &Bound<'_, PyAny>, tensor2: &Bound<'_, PyAny>, value: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    let (x, a, b) = (tensor_of(input, "addcdiv", "input", 1)?, tensor_of(tensor1, "addcdiv", "tensor1", 2)?, tensor_of(tensor2, "addcdiv", "tensor2", 3)?);
    give(py, crate::autograd::ternary::addc(&x, &a, &b, value_arg(value, "addcdiv")?, true)?, out)
}

// ---------------------------------------------------------------------------------------------
// closeness, float_power, logit, complex helpers
// ---------------------------------------------------------------------------------------------

#[pyfunction]
#[pyo3(signature = (input, other, rtol=1e-05, atol=1e-08, equal_nan=false))]
pub fn isclose(py: Python<'_>, input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>, rtol: f64, atol: f64, equal_nan: bool) -> PyResult<Py<PyAny>> {
    let (a, b) = (tensor_of(input, "isclose", "input", 1)?, tensor_of(other, "isclose", "other", 2)?);
    Ok(wrap(py, tern::isclose(&a, &b, rtol, atol, equal_nan)?)?.into_any())
}

#[pyfunction]
#[pyo3(signature = (input, other, rtol=1e-05, atol=1e-08, equal_nan=false))]
pub fn allclose(input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>, rtol: f64, atol: f64, equal_nan: bool) -> PyResult<bool> {
    let (a, b) = (tensor_of(input, "allclose", "input", 1)?, tensor_of(other, "allclose", "other", 2)?);
    Ok(tern::all_true(&tern::isclose(&a, &b, rtol, atol, equal_nan)?)?)
}

#[pyfunction]
pub fn equal(input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
    let (a, b) = (tensor_of(input, "equal", "input", 1)?, tensor_of(other, "equal", "other", 2)?);
    Ok(tern::equal(&a, &b)?)
}

#[pyfunction]
#[pyo3(signature = (input, exponent, *, out=None))]
pub fn float_power(py: Python<'_>, input: &Bound<'_, PyAny>, exponent: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    let a = number_or_tensor(input, "float_power", "input")?;
    let b = number_or_tensor(exponent, "float_power", "exponent")?;
    if matches!((&a, &b), (Operand::S(_), Operand::S(_))) {
        return Err(PyTypeError::new_err("float_power() received an invalid combination of arguments"));
    }
    give(py, crate::autograd::ternary::float_power(a.arg(), b.arg())?, out)
}

#[pyfunction]
#[pyo3(signature = (input, eps=None, *, out=None))]
pub fn logit(py: Python<'_>, input: &Bound<'_, PyAny>, eps: Option<f64>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    let x = tensor_of(input, "logit", "input", 1)?;
    give(py, tern::logit(&x, eps, None)?, out)
}

#[pyfunction]
#[pyo3(signature = (input, *, out=None))]
pub fn angle(py: Python<'_>, input: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    let x = tensor_of(input, "angle", "input", 1)?;
    give(py, crate::ops::complex::angle(&x)?, out)
}

#[pyfunction]
pub fn isreal(py: Python<'_>, input: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let x = tensor_of(input, "isreal", "input", 1)?;
    Ok(wrap(py, tern::isreal(&x)?)?.into_any())
}

/// Returns `input` itself for real tensors (as torch does), else a new tensor.
fn same_or_new(py: Python<'_>, input: &Bound<'_, PyAny>, x: &Tensor, f: impl Fn(&Tensor) -> crate::error::Result<Tensor>) -> PyResult<Py<PyAny>> {
    if !x.dtype.is_complex() {
        return Ok(input.clone().unbind());
    }
    Ok(wrap(py, f(x)?)?.into_any())
}

#[pyfunction]
pub fn real(py: Python<'_>, input: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    super::autograd_gaps::ensure_view_base_any(input, true);
    let x = tensor_of(input, "real", "input", 1)?;
    same_or_new(py, input, &x, tern::real)
}

#[pyfunction]
pub fn imag(py: Python<'_>, input: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    super::autograd_gaps::ensure_view_base_any(input, true);
    let x = tensor_of(input, "imag", "input", 1)?;
    Ok(wrap(py, tern::imag(&x)?)?.into_any())
}

#[pyfunction]
pub fn conj(py: Python<'_>, input: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    super::autograd_gaps::ensure_view_base_any(input, true);
    let x = tensor_of(input, "conj", "input", 1)?;
    if !x.dtype.is_complex() {
        return Ok(input.clone().unbind());
    }
    Ok(wrap(py, crate::ops::complex::conj_view(&x, "ConjBackward0")?)?.into_any())
}

/// `torch._conj`: the lazy conjugate view, for every dtype (real tensors: themselves).
#[pyfunction]
pub fn _conj(py: Python<'_>, input: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    super::autograd_gaps::ensure_view_base_any(input, true);
    let x = tensor_of(input, "_conj", "input", 1)?;
    if !x.dtype.is_complex() {
        return Ok(input.clone().unbind());
    }
    Ok(wrap(py, crate::ops::complex::conj_view(&x, "ConjBackward0")?)?.into_any())
}

/// `torch._neg_view`: a view whose logical values are the negatives (toggles the negative bit).
#[pyfunction]
pub fn _neg_view(py: Python<'_>, input: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    super::autograd_gaps::ensure_view_base_any(input, false);
    let x = tensor_of(input, "_neg_view", "input", 1)?;
    Ok(wrap(py, crate::ops::complex::neg_view(&x)?)?.into_any())
}

/// The conjugate of a complex `x` that requires grad, with the plain path's layout, recorded as `name`
/// (ConjPhysicalBackward0): the gradient is the conjugate of the incoming one.
fn conj_recorded(x: &Tensor, name: &'static str) -> crate::error::Result<Tensor> {
    let mut r = tern::conj_physical(&x.detached())?;
    crate::autograd::record(name, &[x], &mut [&mut r], Vec::new(), |_, g| {
        Ok(vec![match g.first() {
            Some(Some(g)) => Some(crate::autograd::formulas::conj(g)?),
            _ => None,
        }])
    });
    Ok(r)
}

#[pyfunction]
#[pyo3(signature = (input, *, out=None))]
pub fn conj_physical(py: Python<'_>, input: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    let x = tensor_of(input, "conj_physical", "input", 1)?;
    if out.is_some() {
        return give(py, tern::conj_physical(&x)?.clone_tensor()?, out);
    }
    if x.dtype.is_complex() && crate::autograd::should_record(&[&x]) {
        return Ok(wrap(py, conj_recorded(&x, "ConjPhysicalBackward0")?)?.into_any());
    }
    same_or_new(py, input, &x, tern::conj_physical)
}

#[pyfunction]
pub fn resolve_conj(py: Python<'_>, input: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let x = tensor_of(input, "resolve_conj", "input", 1)?;
    if !x.conj {
        return Ok(input.clone().unbind());
    }
    Ok(wrap(py, crate::ops::complex::resolve(&x, true)?)?.into_any())
}

#[pyfunction]
pub fn resolve_neg(py: Python<'_>, input: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let x = tensor_of(input, "resolve_neg", "input", 1)?;
    if !x.neg {
        return Ok(input.clone().unbind());
    }
    Ok(wrap(py, crate::ops::complex::resolve(&x, false)?)?.into_any())
}

#[pyfunction]
pub fn is_conj(input: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(tensor_of(input, "is_conj", "input", 1)?.conj)
}

// ---------------------------------------------------------------------------------------------
// activations
// ---------------------------------------------------------------------------------------------

#[pyfunction]
#[pyo3(signature = (input, min_val=-1.0, max_val=1.0, inplace=false))]
pub fn _hardtanh<'py>(py: Python<'py>, input: &Bound<'py, PyAny>, min_val: f64, max_val: f64, inplace: bool) -> PyResult<Py<PyAny>> {
    let x = tensor_of(input, "hardtanh", "input", 1)?;
    if crate::autograd::should_record(&[&x]) {
        return _activation(py, "hardtanh", input, min_val, max_val, inplace);
    }
    let r = act::hardtanh(&x, min_val, max_val)?;
    act_out(py, input, r, inplace)
}

fn act_out(py: Python<'_>, input: &Bound<'_, PyAny>, r: Tensor, inplace: bool) -> PyResult<Py<PyAny>> {
    if inplace {
        let slf = input.cast::<PyTensor>()?.clone();
        return Ok(give_back(slf, r)?.into_any().unbind());
    }
    Ok(wrap(py, r)?.into_any())
}

/// `_C._activation(name, input, p0, p1, inplace)`: the parameterised activations.
#[pyfunction]
#[pyo3(signature = (name, input, p0=0.0, p1=0.0, inplace=false))]
pub fn _activation(py: Python<'_>, name: &str, input: &Bound<'_, PyAny>, p0: f64, p1: f64, inplace: bool) -> PyResult<Py<PyAny>> {
    let x = tensor_of(input, name, "input", 1)?;
    // Under autograd: out of place records the activation's node; in place runs it on a snapshot
    // that carries x's history and moves x's history to the new node.
    if crate::autograd::act::differentiable(name) && crate::autograd::should_record(&[&x]) {
        if !inplace {
            return Ok(wrap(py, crate::autograd::act::activation(name, &x, p0, p1)?)?.into_any());
        }
        let slf = input.cast::<PyTensor>()?.clone();
        let mut t = x.clone();
        crate::autograd::inplace_with_grad(&mut t, |s| crate::autograd::act::activation_named(name, s, p0, p1, true))?;
        slf.borrow_mut().t.ag = t.ag;
        return Ok(slf.into_any().unbind());
    }
    let r = if name == "selu" { act::activation("elu", &x, 1.6732632423543772848170429916717, 1.0507009873554804934193349852946)? } else { act::activation(name, &x, p0, p1)? };
    act_out(py, input, r, inplace)
}

#[pyfunction]
#[pyo3(signature = (input, dim=None, _stacklevel=3, dtype=None))]
pub fn softmax(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<i64>, _stacklevel: i64, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    softmax_common(py, input, dim, dtype, act::SoftmaxKind::Softmax, "softmax")
}

#[pyfunction]
#[pyo3(signature = (input, dim=None, _stacklevel=3, dtype=None))]
pub fn log_softmax(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<i64>, _stacklevel: i64, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    softmax_common(py, input, dim, dtype, act::SoftmaxKind::LogSoftmax, "log_softmax")
}

#[pyfunction]
#[pyo3(signature = (input, dim=None, _stacklevel=3, dtype=None))]
pub fn softmin(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<i64>, _stacklevel: i64, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    softmax_common(py, input, dim, dtype, act::SoftmaxKind::Softmin, "softmin")
}

fn softmax_common(py: Python<'_>, input: &Bound<'_, PyAny>, dim: Option<i64>, dtype: Option<&Bound<'_, PyAny>>, kind: act::SoftmaxKind, fname: &str) -> PyResult<Py<PyAny>> {
    let x = tensor_of(input, fname, "input", 1)?;
    let dt = match dtype {
        Some(d) if !d.is_none() => Some(super::dtype::extract_dtype(d, fname)?),
        _ => None,
    };
    let Some(dim) = dim else {
        return Err(PyTypeError::new_err(format!("{fname}() missing required argument 'dim'")));
    };
    Ok(wrap(py, crate::autograd::nnfn::softmax(&x, dim, dt, kind)?)?.into_any())
}

// ---------------------------------------------------------------------------------------------
// Tensor methods
// ---------------------------------------------------------------------------------------------

#[pymethods]
impl PyTensor {
    #[pyo3(name = "where")]
    fn where_m(slf: &Bound<'_, Self>, condition: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        where_(slf.py(), condition, Some(slf.as_any()), Some(other), None)
    }
    #[pyo3(name = "clamp", signature = (min=None, max=None))]
    fn clamp_m(slf: &Bound<'_, Self>, min: Option<&Bound<'_, PyAny>>, max: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        clamp(slf.py(), slf.as_any(), min, max, None)
    }
    #[pyo3(name = "clip", signature = (min=None, max=None))]
    fn clip_m(slf: &Bound<'_, Self>, min: Option<&Bound<'_, PyAny>>, max: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        clip(slf.py(), slf.as_any(), min, max, None)
    }
    #[pyo3(signature = (min=None, max=None))]
    fn clamp_<'py>(slf: Bound<'py, Self>, min: Option<&Bound<'py, PyAny>>, max: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let r = clamp_impl(&slf.borrow().t.clone(), min, max, "clamp_")?;
        give_back(slf, r)
    }
    #[pyo3(signature = (min=None, max=None))]
    fn clip_<'py>(slf: Bound<'py, Self>, min: Option<&Bound<'py, PyAny>>, max: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let r = clamp_impl(&slf.borrow().t.clone(), min, max, "clip_")?;
        give_back(slf, r)
    }
    #[pyo3(name = "clamp_min")]
    fn clamp_min_m(slf: &Bound<'_, Self>, min: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        clamp_min(slf.py(), slf.as_any(), min, None)
    }
    #[pyo3(name = "clamp_max")]
    fn clamp_max_m(slf: &Bound<'_, Self>, max: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        clamp_max(slf.py(), slf.as_any(), max, None)
    }
    fn clamp_min_<'py>(slf: Bound<'py, Self>, min: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let min = required_bound(Some(min), "clamp_min_", "min")?;
        let r = clamp_impl(&slf.borrow().t.clone(), Some(min), None, "clamp_min_")?;
        give_back(slf, r)
    }
    fn clamp_max_<'py>(slf: Bound<'py, Self>, max: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let max = required_bound(Some(max), "clamp_max_", "max")?;
        let r = clamp_impl(&slf.borrow().t.clone(), None, Some(max), "clamp_max_")?;
        give_back(slf, r)
    }
    #[pyo3(name = "nan_to_num", signature = (nan=0.0, posinf=None, neginf=None))]
    fn nan_to_num_m(slf: &Bound<'_, Self>, nan: Option<f64>, posinf: Option<f64>, neginf: Option<f64>) -> PyResult<Py<PyAny>> {
        nan_to_num(slf.py(), slf.as_any(), nan, posinf, neginf, None)
    }
    #[pyo3(signature = (nan=0.0, posinf=None, neginf=None))]
    fn nan_to_num_<'py>(slf: Bound<'py, Self>, nan: Option<f64>, posinf: Option<f64>, neginf: Option<f64>) -> PyResult<Bound<'py, Self>> {
        let r = tern::nan_to_num(&slf.borrow().t.clone(), nan, posinf, neginf, None)?;
        give_back(slf, r)
    }
    #[pyo3(name = "masked_fill")]
    fn masked_fill_m(slf: &Bound<'_, Self>, mask: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        masked_fill(slf.py(), slf.as_any(), mask, value)
    }
    fn masked_fill_<'py>(slf: Bound<'py, Self>, mask: &Bound<'py, PyAny>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let m = tensor_of(mask, "masked_fill_", "mask", 1)?;
        let v = number_or_tensor(value, "masked_fill_", "value")?;
        let mut t = slf.borrow().t.clone();
        crate::autograd::inplace::masked_fill_(&mut t, &m, v.arg())?;
        slf.borrow_mut().t.ag = t.ag;
        Ok(slf)
    }
    #[pyo3(name = "lerp")]
    fn lerp_m(slf: &Bound<'_, Self>, end: &Bound<'_, PyAny>, weight: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        lerp(slf.py(), slf.as_any(), end, weight, None)
    }
    fn lerp_<'py>(slf: Bound<'py, Self>, end: &Bound<'py, PyAny>, weight: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let e = tensor_of(end, "lerp_", "end", 1)?;
        let w = number_or_tensor(weight, "lerp_", "weight")?;
        let r = crate::autograd::ternary::lerp(&slf.borrow().t.clone(), &e, w.arg())?;
        give_back(slf, r)
    }
    #[pyo3(name = "addcmul", signature = (tensor1, tensor2, *, value=None))]
    fn addcmul_m(slf: &Bound<'_, Self>, tensor1: &Bound<'_, PyAny>, tensor2: &Bound<'_, PyAny>, value: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        addcmul(slf.py(), slf.as_any(), tensor1, tensor2, value, None)
    }
    #[pyo3(name = "addcdiv", signature = (tensor1, tensor2, *, value=None))]
    fn addcdiv_m(slf: &Bound<'_, Self>, tensor1: &Bound<'_, PyAny>, tensor2: &Bound<'_, PyAny>, value: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        addcdiv(slf.py(), slf.as_any(), tensor1, tensor2, value, None)
    }
    #[pyo3(signature = (tensor1, tensor2, *, value=None))]
    fn addcmul_<'py>(slf: Bound<'py, Self>, tensor1: &Bound<'py, PyAny>, tensor2: &Bound<'py, PyAny>, value: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let (a, b) = (tensor_of(tensor1, "addcmul_", "tensor1", 1)?, tensor_of(tensor2, "addcmul_", "tensor2", 2)?);
        let r = crate::autograd::ternary::addc(&slf.borrow().t.clone(), &a, &b, value_arg(value, "addcmul_")?, false)?;
        give_back(slf, r)
    }
    #[pyo3(signature = (tensor1, tensor2, *, value=None))]
    fn addcdiv_<'py>(slf: Bound<'py, Self>, tensor1: &Bound<'py, PyAny>, tensor2: &Bound<'py, PyAny>, value: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let (a, b) = (tensor_of(tensor1, "addcdiv_", "tensor1", 1)?, tensor_of(tensor2, "addcdiv_", "tensor2", 2)?);
        let r = crate::autograd::ternary::addc(&slf.borrow().t.clone(), &a, &b, value_arg(value, "addcdiv_")?, true)?;
        give_back(slf, r)
    }
    #[pyo3(name = "isclose", signature = (other, rtol=1e-05, atol=1e-08, equal_nan=false))]
    fn isclose_m(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, rtol: f64, atol: f64, equal_nan: bool) -> PyResult<Py<PyAny>> {
        isclose(slf.py(), slf.as_any(), other, rtol, atol, equal_nan)
    }
    #[pyo3(name = "allclose", signature = (other, rtol=1e-05, atol=1e-08, equal_nan=false))]
    fn allclose_m(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, rtol: f64, atol: f64, equal_nan: bool) -> PyResult<bool> {
        allclose(slf.as_any(), other, rtol, atol, equal_nan)
    }
    #[pyo3(name = "equal")]
    fn equal_m(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        equal(slf.as_any(), other)
    }
    #[pyo3(name = "float_power")]
    fn float_power_m(slf: &Bound<'_, Self>, exponent: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        float_power(slf.py(), slf.as_any(), exponent, None)
    }
    fn float_power_<'py>(slf: Bound<'py, Self>, exponent: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let t = slf.borrow().t.clone();
        let want = if t.dtype.is_complex() || operand(exponent)?.is_some_and(|o| crate::ops::binary::arg_dtype(&o.arg()).is_complex()) {
            crate::dtype::DType::C128
        } else {
            crate::dtype::DType::F64
        };
        if t.dtype != want {
            return Err(crate::error::runtime(format!(
                "the base given to float_power_ has dtype {} but the operation's result requires dtype {}",
                t.dtype.scalar_name(),
                want.scalar_name()
            ))
            .into());
        }
        let e = number_or_tensor(exponent, "float_power_", "exponent")?;
        let r = crate::autograd::ternary::float_power(Arg::T(&t), e.arg())?;
        give_back(slf, r)
    }
    #[pyo3(name = "logit", signature = (eps=None))]
    fn logit_m(slf: &Bound<'_, Self>, eps: Option<f64>) -> PyResult<Py<PyAny>> {
        logit(slf.py(), slf.as_any(), eps, None)
    }
    #[pyo3(signature = (eps=None))]
    fn logit_<'py>(slf: Bound<'py, Self>, eps: Option<f64>) -> PyResult<Bound<'py, Self>> {
        let r = tern::logit(&slf.borrow().t.clone(), eps, None)?;
        give_back(slf, r)
    }
    #[pyo3(name = "angle")]
    fn angle_m(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        angle(slf.py(), slf.as_any(), None)
    }
    #[pyo3(name = "isreal")]
    fn isreal_m(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        isreal(slf.py(), slf.as_any())
    }
    #[getter(real)]
    fn real_get(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        real(slf.py(), slf.as_any())
    }
    #[getter(imag)]
    fn imag_get(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        imag(slf.py(), slf.as_any())
    }
    #[pyo3(name = "conj")]
    fn conj_m(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        conj(slf.py(), slf.as_any())
    }
    #[pyo3(name = "conj_physical")]
    fn conj_physical_m(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        conj_physical(slf.py(), slf.as_any(), None)
    }
    fn conj_physical_<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        let r = tern::conj_physical(&slf.borrow().t.clone())?;
        give_back(slf, r)
    }
    #[pyo3(name = "resolve_conj")]
    fn resolve_conj_m(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        resolve_conj(slf.py(), slf.as_any())
    }
    #[pyo3(name = "resolve_neg")]
    fn resolve_neg_m(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        resolve_neg(slf.py(), slf.as_any())
    }
    #[pyo3(name = "is_conj")]
    fn is_conj_m(&self) -> bool {
        self.t.conj
    }
    #[pyo3(name = "softmax", signature = (dim, dtype=None))]
    fn softmax_m(slf: &Bound<'_, Self>, dim: i64, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        softmax(slf.py(), slf.as_any(), Some(dim), 3, dtype)
    }
    #[pyo3(name = "log_softmax", signature = (dim, dtype=None))]
    fn log_softmax_m(slf: &Bound<'_, Self>, dim: i64, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        log_softmax(slf.py(), slf.as_any(), Some(dim), 3, dtype)
    }
}

/// Registers every function above on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    macro_rules! add {
        ($($f:path),* $(,)?) => { $( m.add_function(wrap_pyfunction!($f, m)?)?; )* };
    }
    add!(
        where_, clamp, clip, clamp_min, clamp_max, nan_to_num, masked_fill, lerp, addcmul, addcdiv, isclose, allclose, equal,
        float_power, logit, angle, isreal, real, imag, conj, _conj, _neg_view, conj_physical, resolve_conj, resolve_neg, is_conj, _hardtanh,
        _activation, softmax, log_softmax, softmin,
    );
    Ok(())
}
