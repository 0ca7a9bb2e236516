//! Creation functions: `tensor`, `zeros`, `ones`, `empty`, `full`, `arange`, `linspace`,
//! `logspace`, `eye` and the `*_like` family.
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyUserWarning};
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyTuple};

use crate::device::Device;
use crate::dtype::{DType, default_dtype};
use crate::element::{Pivot, ScalarCtx, checked_scalar};
use crate::tensor::{Tensor, create};

use super::convert::{collect, py_to_pivot};
use super::dtype::{device_or_cpu, dtype_or_default, extract_dtype_opt};
use super::tensor::{PyTensor, check_requires_grad, parse_size, to_shape};

/// Checks an explicit `dtype=` against `out=`, with torch's message.
pub fn check_out_dtype(dtype: Option<DType>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<()> {
    if let (Some(dt), Some(o)) = (dtype, out) {
        let od = o.borrow().t.dtype;
        if od != dt {
            return Err(PyRuntimeError::new_err(format!(
                "dtype {} does not match dtype of out parameter ({})",
                dt.scalar_name(),
                od.scalar_name()
            )));
        }
    }
    Ok(())
}

/// Wraps a fresh tensor, applying `requires_grad` and writing into `out` when given.
pub fn finish(py: Python<'_>, t: Tensor, requires_grad: bool, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    if requires_grad {
        check_requires_grad(t.dtype)?;
    }
    if let Some(o) = out {
        let mut ob = o.borrow_mut();
        if ob.t.shape() != t.shape() || ob.t.dtype != t.dtype {
            // torch resizes `out`; a fresh storage gives the same observable result.
            ob.t = t.to_dtype(ob.t.dtype, false)?;
        } else {
            ob.t.copy_(&t)?;
        }
        return Ok(o.clone().into_any().unbind());
    }
    let mut p = PyTensor::new(t);
    if requires_grad {
        p.t.set_requires_grad(true)?;
    }
    Ok(Py::new(py, p)?.into_any())
}

/// A tensor copied from arbitrary data (nested sequences, scalars, arrays, tensors).
pub fn tensor_from_data(data: &Bound<'_, PyAny>, dtype: Option<DType>) -> PyResult<Tensor> {
    if let Ok(t) = data.cast::<PyTensor>() {
        let t = t.borrow();
        return Ok(t.t.to_dtype(dtype.unwrap_or(t.t.dtype), true)?);
    }
    let is_seq = data.is_instance_of::<pyo3::types::PyList>() || data.is_instance_of::<PyTuple>();
    if !is_seq && data.hasattr("__array_interface__")? {
        let t = super::numpy::tensor_from_array(data, true)?;
        return Ok(t.to_dtype(dtype.unwrap_or(t.dtype), true)?);
    }
    if dtype == Some(DType::U64) {
        if let Some(t) = uint64_tensor(data)? {
            return Ok(t);
        }
    }
    // A Python int beyond int64 into a floating dtype: torch reads it as a double.
    if let (Some(d), Ok(i)) = (dtype, data.cast::<pyo3::types::PyInt>()) {
        if (d.is_floating_point() || d.is_complex()) && !data.is_instance_of::<pyo3::types::PyBool>() && i.extract::<i64>().is_err() {
            let f: f64 = data.extract()?;
            return Ok(create::from_pivots(&[Pivot::F(f)], &[], d)?);
        }
    }
    if let Some(p) = py_to_pivot(data)? {
        let inferred = match p {
            Pivot::B(_) => DType::Bool,
            Pivot::I(_) => DType::I64,
            Pivot::F(_) => default_dtype(),
            Pivot::C(..) => crate::dtype::default_complex_dtype(),
        };
        let dt = dtype.unwrap_or(inferred);
        let p = checked_scalar(p, dt, ScalarCtx::Creation)?;
        return Ok(create::from_pivots(&[p], &[], dt)?);
    }
    let c = collect(data)?;
    if dtype.is_none() && c.dtype.is_complex() && default_dtype() == DType::BF16 {
        return Err(PyRuntimeError::new_err("invalid default scalar type for complex"));
    }
    let dt = dtype.unwrap_or(c.dtype);
    let mut c = c;
    if dt == DType::U64 && dtype.is_some() {
        for v in &c.values {
            match v {
                Pivot::I(i) if *i < 0 => {
                    return Err(pyo3::exceptions::PyOverflowError::new_err("can't convert negative int to unsigned").into());
                }
                Pivot::F(_) if !c.big_int => return Err(PyTypeError::new_err("an integer is required").into()),
                Pivot::C(..) => return Err(PyTypeError::new_err("an integer is required").into()),
                _ => {}
            }
        }
    }
    if dt == DType::U64 && c.big_int && !c.all_big_fit_u64 {
        return Err(pyo3::exceptions::PyOverflowError::new_err("int too big to convert"));
    }
    if dt == DType::U64 && c.big_int && c.all_big_fit_u64 {
        for &(i, u) in &c.big_uints {
            c.values[i] = Pivot::I(u as i64);
        }
        c.big_int = false;
    }
    if c.big_int && !(dt.is_floating_point() || dt.is_complex()) {
        return Err(pyo3::exceptions::PyValueError::new_err("Overflow when unpacking long long"));
    }
    if dtype.is_some() {
        for &v in &c.values {
            checked_scalar(v, dt, ScalarCtx::Creation)?;
        }
    }
    Ok(create::from_pivots(&c.values, &c.shape, dt)?)
}

#[pyfunction]
#[pyo3(signature = (data, *, dtype=None, device=None, requires_grad=false, pin_memory=false))]
pub fn tensor(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    pin_memory: bool,
) -> PyResult<Py<PyAny>> {
    let _ = pin_memory;
    if data.cast::<PyTensor>().is_ok() {
        PyErr::warn(
            py,
            &py.get_type::<PyUserWarning>(),
            c"To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
            1,
        )?;
    }
    let dt = extract_dtype_opt(dtype, "tensor")?;
    let t = tensor_from_data(data, dt)?.to_device(device_or_cpu(device)?)?;
    finish(py, t, requires_grad, None)
}

/// `tensor(x, dtype=torch.uint64)` for a Python int x: the full unsigned range, with torch's errors.
fn uint64_tensor(data: &Bound<'_, PyAny>) -> PyResult<Option<Tensor>> {
    if data.is_instance_of::<pyo3::types::PyBool>() {
        return Ok(None);
    }
    if data.is_instance_of::<pyo3::types::PyFloat>() {
        return Err(PyTypeError::new_err("an integer is required"));
    }
    let Ok(i) = data.cast::<pyo3::types::PyInt>() else { return Ok(None) };
    let v = uint64_value(i)?;
    Ok(Some(create::from_pivots(&[Pivot::I(v as i64)], &[], DType::U64)?))
}

/// A Python int as uint64, with CPython's errors (torch's uint64 parser uses them).
fn uint64_value(i: &Bound<'_, pyo3::types::PyInt>) -> PyResult<u64> {
    if i.lt(0)? {
        return Err(pyo3::exceptions::PyOverflowError::new_err("can't convert negative int to unsigned"));
    }
    i.extract::<u64>().map_err(|_| pyo3::exceptions::PyOverflowError::new_err("int too big to convert"))
}

/// `as_tensor` / `asarray`: shares memory when dtype and device already match.
#[pyfunction]
#[pyo3(signature = (data, dtype=None, device=None))]
pub fn as_tensor(py: Python<'_>, data: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let dt = extract_dtype_opt(dtype, "as_tensor")?;
    let dev = match device {
        Some(d) if !d.is_none() => Some(super::dtype::extract_device(d)?),
        _ => None,
    };
    if let Ok(t) = data.cast::<PyTensor>() {
        let b = t.borrow();
        if dt.is_none_or(|d| d == b.t.dtype) && dev.is_none_or(|d| d == b.t.device()) {
            return Ok(t.clone().into_any().unbind());
        }
        let out = b.t.to_device(dev.unwrap_or(b.t.device()))?.to_dtype(dt.unwrap_or(b.t.dtype), false)?;
        return finish(py, out, false, None);
    }
    let base = if data.hasattr("__array_interface__")? {
        super::numpy::tensor_from_array(data, false)?
    } else {
        tensor_from_data(data, dt)?
    };
    let out = base.to_dtype(dt.unwrap_or(base.dtype), false)?.to_device(dev.unwrap_or(Device::Cpu))?;
    finish(py, out, false, None)
}

/// Sizes given positionally or as `size=` (torch accepts both).
pub fn size_args<'py>(
    py: Python<'py>,
    fname: &str,
    size: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, pyo3::types::PyDict>>,
) -> PyResult<Bound<'py, PyTuple>> {
    let Some(kw) = kwargs else { return Ok(size.clone()) };
    for (k, v) in kw.iter() {
        let k: String = k.extract()?;
        if k != "size" {
            return Err(PyTypeError::new_err(format!("{fname}() got an unexpected keyword argument '{k}'")));
        }
        if !size.is_empty() {
            return Err(PyTypeError::new_err(format!("{fname}() got multiple values for argument 'size'")));
        }
        return PyTuple::new(py, [v]);
    }
    Ok(size.clone())
}

macro_rules! filled {
    ($name:ident, $fname:literal, $value:expr) => {
        #[pyfunction]
        #[pyo3(signature = (*size, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false, memory_format=None, **kwargs))]
        #[allow(clippy::too_many_arguments)]
        pub fn $name(
            py: Python<'_>,
            size: &Bound<'_, PyTuple>,
            out: Option<&Bound<'_, PyTensor>>,
            dtype: Option<&Bound<'_, PyAny>>,
            layout: Option<&Bound<'_, PyAny>>,
            device: Option<&Bound<'_, PyAny>>,
            requires_grad: bool,
            pin_memory: bool,
            memory_format: Option<&Bound<'_, PyAny>>,
            kwargs: Option<&Bound<'_, pyo3::types::PyDict>>,
        ) -> PyResult<Py<PyAny>> {
            let _ = (layout, pin_memory, memory_format);
            let shape = to_shape(&parse_size($fname, &size_args(py, $fname, size, kwargs)?)?)?;
            check_out_dtype(extract_dtype_opt(dtype, $fname)?, out)?;
            let dt = match (dtype, out) {
                (None, Some(o)) => o.borrow().t.dtype,
                _ => dtype_or_default(dtype, $fname)?,
            };
            let dev = device_or_cpu(device)?;
            let value: Option<Pivot> = $value;
            let t = match value {
                None => Tensor::zeros(&shape, dt, dev)?,
                Some(v) => Tensor::full(&shape, v, dt, dev)?,
            };
            finish(py, t, requires_grad, out)
        }
    };
}
filled!(zeros, "zeros", None);
filled!(empty, "empty", None);
filled!(ones, "ones", Some(Pivot::I(1)));

/// A tensor shaped like `input` with its layout when dense (torch's preserve_format), filled with
/// `value` (zeros when None).
pub fn like(input: &Tensor, dt: DType, dev: Device, value: Option<Pivot>) -> PyResult<Tensor> {
    let t = Tensor::for_overwrite_layout(input.preserved_layout(false), dt)?;
    t.fill_(value.unwrap_or(Pivot::I(0)))?;
    Ok(t.to_device(dev)?)
}

fn like_dtype(input: &PyTensor, dtype: Option<&Bound<'_, PyAny>>, fname: &str) -> PyResult<DType> {
    Ok(extract_dtype_opt(dtype, fname)?.unwrap_or(input.t.dtype))
}

fn like_device(input: &PyTensor, device: Option<&Bound<'_, PyAny>>) -> PyResult<Device> {
    match device {
        Some(d) if !d.is_none() => super::dtype::extract_device(d),
        _ => Ok(input.t.device()),
    }
}

macro_rules! filled_like {
    ($name:ident, $fname:literal, $value:expr) => {
        #[pyfunction]
        #[pyo3(signature = (input, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None))]
        pub fn $name(
            py: Python<'_>,
            input: PyRef<'_, PyTensor>,
            dtype: Option<&Bound<'_, PyAny>>,
            layout: Option<&Bound<'_, PyAny>>,
            device: Option<&Bound<'_, PyAny>>,
            requires_grad: bool,
            memory_format: Option<&Bound<'_, PyAny>>,
        ) -> PyResult<Py<PyAny>> {
            let _ = layout;
            let dt = like_dtype(&input, dtype, $fname)?;
            let dev = like_device(&input, device)?;
            let value: Option<Pivot> = $value;
            let t = if super::tensor::wants_contiguous(memory_format)? {
                Tensor::full(input.t.shape(), value.unwrap_or(Pivot::I(0)), dt, dev)?
            } else {
                like(&input.t, dt, dev, value)?
            };
            finish(py, t, requires_grad, None)
        }
    };
}
filled_like!(zeros_like, "zeros_like", None);
filled_like!(empty_like, "empty_like", None);
filled_like!(ones_like, "ones_like", Some(Pivot::I(1)));

fn fill_scalar(v: &Bound<'_, PyAny>, fname: &str) -> PyResult<Pivot> {
    match py_to_pivot(v)? {
        Some(p) => Ok(p),
        None => Err(PyTypeError::new_err(format!(
            "{fname}(): argument 'fill_value' must be Number, not {}",
            v.get_type().name()?
        ))),
    }
}

/// The dtype torch infers for `full`'s fill value: bool, int64, default float or complex.
fn infer_scalar_dtype(p: Pivot) -> DType {
    match p {
        Pivot::B(_) => DType::Bool,
        Pivot::I(_) => DType::I64,
        Pivot::F(_) => default_dtype(),
        Pivot::C(..) => crate::dtype::default_complex_dtype(),
    }
}

#[pyfunction]
#[pyo3(signature = (size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
pub fn full(
    py: Python<'_>,
    size: &Bound<'_, PyAny>,
    fill_value: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyTensor>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    pin_memory: bool,
) -> PyResult<Py<PyAny>> {
    let _ = (layout, pin_memory);
    if size.is_instance_of::<pyo3::types::PyInt>() {
        return Err(PyTypeError::new_err(
            "full() received an invalid combination of arguments - got (int, ...), but expected (tuple of ints size, Number fill_value, ...)",
        ));
    }
    let shape = to_shape(&parse_size("full", &PyTuple::new(py, [size])?)?)?;
    let v = fill_scalar(fill_value, "full")?;
    let dt = extract_dtype_opt(dtype, "full")?.unwrap_or_else(|| infer_scalar_dtype(v));
    let v = checked_scalar(v, dt, ScalarCtx::Fill)?;
    let t = Tensor::full(&shape, v, dt, device_or_cpu(device)?)?;
    finish(py, t, requires_grad, out)
}

#[pyfunction]
#[pyo3(signature = (input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None))]
#[allow(clippy::too_many_arguments)]
pub fn full_like(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    fill_value: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    memory_format: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let _ = (layout, memory_format);
    let dt = like_dtype(&input, dtype, "full_like")?;
    let v = checked_scalar(fill_scalar(fill_value, "full_like")?, dt, ScalarCtx::Fill)?;
    let t = like(&input.t, dt, like_device(&input, device)?, Some(v))?;
    finish(py, t, requires_grad, None)
}

fn number(v: &Bound<'_, PyAny>, fname: &str, arg: &str) -> PyResult<Pivot> {
    match py_to_pivot(v)? {
        Some(Pivot::C(..)) => Err(PyRuntimeError::new_err(format!("{fname}(): complex {arg} is not supported"))),
        None => Err(PyTypeError::new_err(format!(
            "{fname}(): argument '{arg}' must be Number, not {}",
            v.get_type().name()?
        ))),
        Some(p) => Ok(p),
    }
}

fn as_f64(p: Pivot) -> f64 {
    match p {
        Pivot::B(b) => b as u8 as f64,
        Pivot::I(i) => i as f64,
        Pivot::F(f) | Pivot::C(f, _) => f,
    }
}

/// `arange(end)`, `arange(start, end, step=1)`: all-integer arguments give int64.
#[pyfunction]
#[pyo3(signature = (start, end=None, step=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
pub fn arange(
    py: Python<'_>,
    start: &Bound<'_, PyAny>,
    end: Option<&Bound<'_, PyAny>>,
    step: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyTensor>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    pin_memory: bool,
) -> PyResult<Py<PyAny>> {
    let _ = (layout, pin_memory);
    let (s, e) = match end.filter(|e| !e.is_none()) {
        Some(e) => (number(start, "arange", "start")?, number(e, "arange", "end")?),
        None => (Pivot::I(0), number(start, "arange", "end")?),
    };
    let st = match step {
        Some(v) if !v.is_none() => number(v, "arange", "step")?,
        _ => Pivot::I(1),
    };
    let is_int = |p: &Pivot| matches!(p, Pivot::I(_) | Pivot::B(_));
    let inferred = if is_int(&s) && is_int(&e) && is_int(&st) { DType::I64 } else { default_dtype() };
    let dt = extract_dtype_opt(dtype, "arange")?.unwrap_or(inferred);
    if dt == DType::Bool {
        return Err(pyo3::exceptions::PyNotImplementedError::new_err("\"arange_cpu\" not implemented for 'Bool'"));
    }
    check_out_dtype(extract_dtype_opt(dtype, "arange")?, out)?;
    let ints = |p: Pivot| match p {
        Pivot::B(b) => Pivot::I(b as i64),
        other => other,
    };
    let t = create::arange(ints(s), ints(e), ints(st), dt, device_or_cpu(device)?)?;
    finish(py, t, requires_grad, out)
}

fn steps_arg(steps: &Bound<'_, PyAny>, fname: &str) -> PyResult<i64> {
    if steps.is_instance_of::<PyFloat>() {
        return Err(PyTypeError::new_err(format!(
            "{fname}(): argument 'steps' (position 3) must be int, not float"
        )));
    }
    steps.extract::<i64>()
}

#[pyfunction]
#[pyo3(signature = (start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn linspace(
    py: Python<'_>,
    start: &Bound<'_, PyAny>,
    end: &Bound<'_, PyAny>,
    steps: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyTensor>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyAny>> {
    let _ = layout;
    let n = steps_arg(steps, "linspace")?;
    let (ps, pe) = (py_to_pivot(start)?, py_to_pivot(end)?);
    let parts = |p: Option<Pivot>| match p {
        Some(Pivot::C(r, i)) => (r, i),
        Some(p) => (as_f64(p), 0.0),
        None => (f64::NAN, 0.0),
    };
    if matches!(ps, Some(Pivot::C(..))) || matches!(pe, Some(Pivot::C(..))) || extract_dtype_opt(dtype, "linspace")?.is_some_and(|d| d.is_complex()) {
        // Complex endpoints: the real and imaginary parts step independently.
        let dt = extract_dtype_opt(dtype, "linspace")?.unwrap_or_else(crate::dtype::default_complex_dtype);
        let ((sr, si), (er, ei)) = (parts(ps), parts(pe));
        let re = create::linspace(sr, er, n, dt.to_real(), Device::Cpu)?.to_pivots()?;
        let im = create::linspace(si, ei, n, dt.to_real(), Device::Cpu)?.to_pivots()?;
        let vals: Vec<Pivot> = re.iter().zip(&im).map(|(r, i)| Pivot::C(as_f64(*r), as_f64(*i))).collect();
        let t = create::from_pivots(&vals, &[vals.len()], dt)?.to_device(device_or_cpu(device)?)?;
        return finish(py, t, requires_grad, out);
    }
    let (s, e) = (as_f64(number(start, "linspace", "start")?), as_f64(number(end, "linspace", "end")?));
    let dt = dtype_or_default(dtype, "linspace")?;
    let t = create::linspace(s, e, n, dt, device_or_cpu(device)?)?;
    finish(py, t, requires_grad, out)
}

#[pyfunction]
#[pyo3(signature = (start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn logspace(
    py: Python<'_>,
    start: &Bound<'_, PyAny>,
    end: &Bound<'_, PyAny>,
    steps: &Bound<'_, PyAny>,
    base: f64,
    out: Option<&Bound<'_, PyTensor>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyAny>> {
    let _ = layout;
    let n = steps_arg(steps, "logspace")?;
    let (s, e) = (as_f64(number(start, "logspace", "start")?), as_f64(number(end, "logspace", "end")?));
    let dt = dtype_or_default(dtype, "logspace")?;
    let t = create::logspace(s, e, n, base, dt, device_or_cpu(device)?)?;
    finish(py, t, requires_grad, out)
}

#[pyfunction]
#[pyo3(signature = (n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
pub fn eye(
    py: Python<'_>,
    n: i64,
    m: Option<i64>,
    out: Option<&Bound<'_, PyTensor>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    pin_memory: bool,
) -> PyResult<Py<PyAny>> {
    let _ = (layout, pin_memory);
    let m = m.unwrap_or(n);
    if n < 0 {
        return Err(PyRuntimeError::new_err(format!("n must be greater or equal to 0, got {n}")));
    }
    if m < 0 {
        return Err(PyRuntimeError::new_err(format!("m must be greater or equal to 0, got {m}")));
    }
    let dt = dtype_or_default(dtype, "eye")?;
    let t = create::eye(n as usize, m as usize, dt, device_or_cpu(device)?)?;
    finish(py, t, requires_grad, out)
}
