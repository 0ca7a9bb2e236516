//! The Python `Tensor` class. Bindings only: parse arguments, call the core, wrap the result.
use pyo3::exceptions::{PyIndexError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyInt, PyString, PyTuple, PyType};

use crate::device::Device;
use crate::dtype::DType;
use crate::element::Pivot;
use crate::layout::wrap_dim;
use crate::tensor::Tensor;

use super::convert::{pivot_to_py, to_nested_list};
use super::dtype::{PyDType, PyDevice, dtype_obj, extract_device, extract_dtype};

#[pyclass(name = "Tensor", module = "oxytorch", subclass, dict, weakref)]
pub struct PyTensor {
    pub t: Tensor,
}

static SIZE_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

#[pyfunction]
pub fn _set_size_type(py: Python<'_>, ty: Bound<'_, PyType>) {
    let _ = SIZE_TYPE.set(py, ty.unbind());
}

static TUPLE_NEW: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A `torch.Size` for `shape`, built with `tuple.__new__(Size, ...)` so no Python frame runs.
pub fn make_size<'py>(py: Python<'py>, shape: &[usize]) -> PyResult<Bound<'py, PyAny>> {
    let tup = PyTuple::new(py, shape)?;
    let Some(ty) = SIZE_TYPE.get(py) else { return Ok(tup.into_any()) };
    let new = TUPLE_NEW.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.get_type::<PyTuple>().getattr("__new__")?.unbind())
    })?;
    new.bind(py).call1((ty.bind(py), tup))
}

pub fn wrap(py: Python<'_>, t: Tensor) -> PyResult<Py<PyTensor>> {
    Py::new(py, PyTensor::new(t))
}

/// True for `memory_format=torch.contiguous_format`.
pub fn wants_contiguous(mf: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
    match mf {
        Some(m) if !m.is_none() => Ok(m.repr()?.to_string() == "torch.contiguous_format"),
        _ => Ok(false),
    }
}

/// torch warns once per process (TORCH_WARN_ONCE) when a cast drops imaginary parts.
pub fn warn_complex_to_real(py: Python<'_>) -> PyResult<()> {
    static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        return Ok(());
    }
    PyErr::warn(
        py,
        &py.get_type::<pyo3::exceptions::PyUserWarning>(),
        c"Casting complex values to real discards the imaginary part",
        1,
    )
}

pub fn check_requires_grad(dt: DType) -> PyResult<()> {
    if !(dt.is_floating_point() || dt.is_complex()) {
        return Err(PyRuntimeError::new_err("Only Tensors of floating point and complex dtype can require gradients"));
    }
    Ok(())
}

/// Reads a size argument given either as ints or as one sequence (`zeros(2, 3)`, `zeros((2, 3))`).
pub fn parse_size(fname: &str, args: &Bound<'_, PyTuple>) -> PyResult<Vec<i64>> {
    let items: Bound<'_, PyAny> = if args.len() == 1 && !args.get_item(0)?.is_instance_of::<PyInt>() {
        let a = args.get_item(0)?;
        if a.cast::<PyTensor>().is_ok() || a.hasattr("__index__")? && !a.hasattr("__len__")? {
            args.clone().into_any()
        } else {
            a
        }
    } else {
        args.clone().into_any()
    };
    let mut out = Vec::new();
    let it = match items.try_iter() {
        Ok(it) => it,
        Err(_) => {
            return Err(PyTypeError::new_err(format!(
                "{fname}(): argument 'size' (position 1) must be tuple of ints, but found element of type {} at pos 0",
                items.get_type().name()?
            )));
        }
    };
    for (pos, item) in it.enumerate() {
        let item = item?;
        let v = if item.is_instance_of::<PyInt>() {
            item.extract::<i64>()?
        } else if let (false, Ok(i)) = (item.is_instance_of::<pyo3::types::PyFloat>(), item.call_method0("__index__")) {
            i.extract::<i64>()?
        } else {
            return Err(PyTypeError::new_err(format!(
                "{fname}(): argument 'size' (position {}) must be tuple of ints, but found element of type {} at pos {}",
                1, item.get_type().name()?, pos
            )));
        };
        out.push(v);
    }
    Ok(out)
}

/// Non-negative sizes, with torch's error for negative ones.
pub fn to_shape(size: &[i64]) -> PyResult<Vec<usize>> {
    if let Some(&d) = size.iter().find(|&&d| d < 0) {
        return Err(PyRuntimeError::new_err(format!(
            "Trying to create tensor with negative dimension {}: {:?}",
            d, size
        )));
    }
    Ok(size.iter().map(|&d| d as usize).collect())
}

pub fn legacy_type_name(dt: DType, device: Device) -> String {
    let base = match dt {
        DType::Bool => "BoolTensor",
        DType::U8 => "ByteTensor",
        DType::I8 => "CharTensor",
        DType::I16 => "ShortTensor",
        DType::I32 => "IntTensor",
        DType::I64 => "LongTensor",
        DType::F16 => "HalfTensor",
        DType::BF16 => "BFloat16Tensor",
        DType::F32 => "FloatTensor",
        DType::F64 => "DoubleTensor",
        DType::C32 => "ComplexHalfTensor",
        DType::C64 => "ComplexFloatTensor",
        DType::C128 => "ComplexDoubleTensor",
        DType::U16 => "UInt16Tensor",
        DType::U32 => "UInt32Tensor",
        DType::U64 => "UInt64Tensor",
        DType::F8E4M3 => "Float8_e4m3fnTensor",
        DType::F8E5M2 => "Float8_e5m2Tensor",
    };
    match device {
        Device::Cpu => format!("torch.{base}"),
        Device::Cuda(_) => format!("torch.cuda.{base}"),
    }
}

fn dtype_from_type_name(s: &str) -> Option<DType> {
    let base = s.rsplit('.').next()?;
    Some(match base {
        "BoolTensor" => DType::Bool,
        "ByteTensor" => DType::U8,
        "CharTensor" => DType::I8,
        "ShortTensor" => DType::I16,
        "IntTensor" => DType::I32,
        "LongTensor" => DType::I64,
        "HalfTensor" => DType::F16,
        "BFloat16Tensor" => DType::BF16,
        "FloatTensor" => DType::F32,
        "DoubleTensor" => DType::F64,
        "ComplexFloatTensor" => DType::C64,
        "ComplexDoubleTensor" => DType::C128,
        _ => return None,
    })
}

impl PyTensor {
    pub fn new(t: Tensor) -> PyTensor {
        PyTensor { t }
    }

    /// The value of a one-element tensor, for the Python number protocols.
    fn one_element(&self) -> PyResult<Pivot> {
        if self.t.numel() != 1 {
            return Err(PyValueError::new_err("only one element tensors can be converted to Python scalars"));
        }
        Ok(self.t.item()?)
    }

    pub fn dim_arg(&self, dim: i64) -> PyResult<usize> {
        Ok(wrap_dim(dim, self.t.ndim())?)
    }

    /// `size(dim)` / `stride(dim)` have no dims to index on a 0-d tensor.
    fn meta_dim(&self, dim: i64) -> PyResult<usize> {
        if self.t.ndim() == 0 {
            return Err(PyIndexError::new_err(format!(
                "Dimension specified as {dim} but tensor has no dimensions"
            )));
        }
        self.dim_arg(dim)
    }
}

#[pymethods]
impl PyTensor {
    /// The legacy constructor: `Tensor(2, 3)` (uninitialised), `Tensor([1, 2])` (default dtype),
    /// `Tensor(other)` (an alias of `other`).
    #[new]
    #[pyo3(signature = (*args))]
    fn py_new(args: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        if args.len() == 1 {
            let a = args.get_item(0)?;
            if let Ok(t) = a.cast::<PyTensor>() {
                return Ok(PyTensor::new(t.borrow().t.clone()));
            }
            if !a.is_instance_of::<PyInt>() {
                let c = super::convert::collect(&a)?;
                let t = crate::tensor::create::from_pivots(&c.values, &c.shape, crate::dtype::default_dtype())?;
                return Ok(PyTensor::new(t));
            }
        }
        let shape = to_shape(&parse_size("Tensor", args)?)?;
        Ok(PyTensor::new(Tensor::zeros(&shape, crate::dtype::default_dtype(), Device::Cpu)?))
    }

    // ----- metadata -----
    #[getter]
    fn dtype(&self, py: Python<'_>) -> Py<PyDType> {
        dtype_obj(py, self.t.dtype)
    }
    #[getter]
    fn device(&self) -> PyDevice {
        PyDevice::from_device(self.t.device())
    }
    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        make_size(py, self.t.shape())
    }
    #[pyo3(signature = (dim=None))]
    fn size<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        match dim {
            None => make_size(py, self.t.shape()),
            Some(d) => Ok(self.t.shape()[self.meta_dim(d)?].into_pyobject(py)?.into_any()),
        }
    }
    #[pyo3(signature = (dim=None))]
    fn stride<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        match dim {
            None => Ok(PyTuple::new(py, self.t.strides())?.into_any()),
            Some(d) => Ok(self.t.strides()[self.meta_dim(d)?].into_pyobject(py)?.into_any()),
        }
    }
    fn dim(&self) -> usize {
        self.t.ndim()
    }
    fn ndimension(&self) -> usize {
        self.t.ndim()
    }
    #[getter]
    fn ndim(&self) -> usize {
        self.t.ndim()
    }
    fn numel(&self) -> usize {
        self.t.numel()
    }
    fn nelement(&self) -> usize {
        self.t.numel()
    }
    fn storage_offset(&self) -> usize {
        self.t.layout.offset
    }
    #[pyo3(signature = (memory_format=None))]
    fn is_contiguous(&self, memory_format: Option<&Bound<'_, PyAny>>) -> bool {
        let _ = memory_format;
        self.t.is_contiguous()
    }
    fn element_size(&self) -> usize {
        self.t.dtype.itemsize()
    }
    #[getter]
    fn itemsize(&self) -> usize {
        self.t.dtype.itemsize()
    }
    #[getter]
    fn nbytes(&self) -> usize {
        self.t.numel() * self.t.dtype.itemsize()
    }
    fn data_ptr(&self) -> usize {
        self.t.data_ptr()
    }
    #[getter]
    fn is_cuda(&self) -> bool {
        self.t.device().is_cuda()
    }
    #[getter]
    fn is_cpu(&self) -> bool {
        self.t.device() == Device::Cpu
    }
    #[getter]
    fn is_sparse(&self) -> bool {
        false
    }
    #[getter]
    fn is_quantized(&self) -> bool {
        false
    }
    #[getter]
    fn is_meta(&self) -> bool {
        false
    }
    fn is_floating_point(&self) -> bool {
        self.t.dtype.is_floating_point()
    }
    fn is_complex(&self) -> bool {
        self.t.dtype.is_complex()
    }
    fn is_signed(&self) -> bool {
        self.t.dtype.is_signed()
    }
    /// True when both tensors view the same storage (used by tests and serialization).
    fn _shares_storage(&self, other: PyRef<'_, PyTensor>) -> bool {
        std::sync::Arc::ptr_eq(&self.t.storage, &other.t.storage)
    }
    fn _storage_nbytes(&self) -> usize {
        self.t.storage.nbytes()
    }
    fn untyped_storage_ptr(&self) -> usize {
        self.t.storage.as_ptr() as usize
    }

    // ----- conversion -----
    /// `to(dtype)`, `to(device, dtype)`, `to(other)`, with `non_blocking`, `copy` and `memory_format`.
    #[pyo3(signature = (*args, **kwargs))]
    fn to<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>, kwargs: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let mut dtype: Option<DType> = None;
        let mut device: Option<Device> = None;
        let mut copy = false;
        for a in args.iter() {
            if let Ok(d) = a.cast::<PyDType>() {
                dtype = Some(d.get().dt);
            } else if let Ok(o) = a.cast::<PyTensor>() {
                let o = o.borrow();
                dtype = Some(o.t.dtype);
                device = Some(o.t.device());
            } else if a.is_instance_of::<PyString>() || a.cast::<PyDevice>().is_ok() || a.is_instance_of::<PyInt>() {
                device = Some(extract_device(&a)?);
            } else if a.is_instance_of::<pyo3::types::PyBool>() {
                // positional non_blocking
            } else if a.is_none() {
            } else {
                return Err(PyTypeError::new_err(format!(
                    "to() received an invalid combination of arguments - got ({}, )",
                    a.get_type().name()?
                )));
            }
        }
        if let Some(kw) = kwargs {
            for (k, v) in kw.iter() {
                let k: String = k.extract()?;
                match k.as_str() {
                    "dtype" if !v.is_none() => dtype = Some(extract_dtype(&v, "to")?),
                    "device" if !v.is_none() => device = Some(extract_device(&v)?),
                    "copy" => copy = v.is_truthy()?,
                    "non_blocking" | "memory_format" | "dtype" | "device" => {}
                    other => {
                        return Err(PyTypeError::new_err(format!("to() got an unexpected keyword argument '{other}'")));
                    }
                }
            }
        }
        let this = slf.borrow();
        let dt = dtype.unwrap_or(this.t.dtype);
        let dev = device.unwrap_or(this.t.device());
        if dt == this.t.dtype && dev == this.t.device() && !copy {
            drop(this);
            return Ok(slf.into_any());
        }
        if this.t.dtype.is_complex() && !dt.is_complex() {
            warn_complex_to_real(py)?;
        }
        let t = if dev == this.t.device() {
            crate::autograd::formulas::to_dtype(&this.t, dt, copy)?
        } else {
            crate::autograd::formulas::to_dtype(&this.t.to_device(dev)?, dt, false)?
        };
        Ok(Bound::new(py, PyTensor::new(t))?.into_any())
    }

    /// `type()` gives the legacy type name; `type(dtype)` or `type('torch.IntTensor')` converts.
    #[pyo3(signature = (dtype=None, non_blocking=false))]
    fn r#type<'py>(slf: Bound<'py, Self>, dtype: Option<&Bound<'py, PyAny>>, non_blocking: bool) -> PyResult<Bound<'py, PyAny>> {
        let _ = non_blocking;
        let py = slf.py();
        let this = slf.borrow();
        let Some(d) = dtype.filter(|d| !d.is_none()) else {
            return Ok(PyString::new(py, &legacy_type_name(this.t.dtype, this.t.device())).into_any());
        };
        let dt = if let Ok(s) = d.cast::<PyString>() {
            let s = s.to_string();
            let dt = match dtype_from_type_name(&s) {
                Some(dt) => dt,
                None => return Err(PyValueError::new_err(format!("invalid type: '{s}'"))),
            };
            let want = if s.starts_with("torch.cuda.") { Device::Cuda(0) } else { Device::Cpu };
            if want != this.t.device() {
                let moved = this.t.to_device(want)?.to_dtype(dt, false)?;
                return Ok(Bound::new(py, PyTensor::new(moved))?.into_any());
            }
            dt
        } else if let Ok(dt) = extract_dtype(d, "type") {
            dt
        } else {
            // A legacy tensor class such as torch.IntTensor.
            match d.getattr("dtype").ok().and_then(|x| x.cast::<PyDType>().ok().map(|x| x.get().dt)) {
                Some(dt) => dt,
                None => return Err(PyTypeError::new_err("type(): argument 'dtype' must be torch.dtype or a tensor type name")),
            }
        };
        if dt == this.t.dtype {
            drop(this);
            return Ok(slf.into_any());
        }
        Ok(Bound::new(py, PyTensor::new(crate::autograd::formulas::to_dtype(&this.t, dt, false)?))?.into_any())
    }

    #[pyo3(signature = (memory_format=None))]
    fn contiguous<'py>(slf: Bound<'py, Self>, memory_format: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let _ = memory_format;
        let this = slf.borrow();
        if this.t.is_contiguous() {
            drop(this);
            return Ok(slf.into_any());
        }
        let t = crate::autograd::formulas::clone(&this.t, |x| x.contiguous())?;
        Ok(Bound::new(slf.py(), PyTensor::new(t))?.into_any())
    }

    #[pyo3(signature = (*, memory_format=None))]
    fn clone(&self, py: Python<'_>, memory_format: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        let contiguous = wants_contiguous(memory_format)?;
        let t = crate::autograd::formulas::clone(&self.t, |x| if contiguous { x.contiguous_copy() } else { x.clone_tensor() })?;
        Py::new(py, PyTensor::new(t))
    }

    #[pyo3(signature = (src, non_blocking=false))]
    fn copy_<'py>(slf: Bound<'py, Self>, src: &Bound<'py, PyAny>, non_blocking: bool) -> PyResult<Bound<'py, Self>> {
        let _ = non_blocking;
        let src_t = match src.cast::<PyTensor>() {
            Ok(s) => s.borrow().t.clone(),
            Err(_) => {
                return Err(PyTypeError::new_err(format!(
                    "copy_(): argument 'src' (position 1) must be Tensor, not {}",
                    src.get_type().name()?
                )));
            }
        };
        crate::ops::binary::check_no_internal_overlap(&slf.borrow().t)?;
        check_partial_overlap(&slf.borrow().t, &src_t)?;
        let mut t = slf.borrow().t.clone();
        crate::autograd::inplace::copy_(&mut t, &src_t)?;
        slf.borrow_mut().t.ag = t.ag;
        Ok(slf)
    }

    fn fill_<'py>(slf: Bound<'py, Self>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        if let Ok(vt) = value.cast::<PyTensor>() {
            let vt = vt.borrow().t.clone();
            let mut t = slf.borrow().t.clone();
            crate::autograd::inplace::fill_tensor_(&mut t, &vt)?;
            slf.borrow_mut().t.ag = t.ag;
            return Ok(slf);
        }
        let Some(v) = super::convert::py_to_pivot(value)? else {
            return Err(PyTypeError::new_err(format!(
                "fill_(): argument 'value' (position 1) must be Number, not {}",
                value.get_type().name()?
            )));
        };
        let dt = slf.borrow().t.dtype;
        let mut t = slf.borrow().t.clone();
        crate::autograd::inplace::fill_(&mut t, crate::element::checked_scalar(v, dt, crate::element::ScalarCtx::Fill)?, false)?;
        slf.borrow_mut().t.ag = t.ag;
        Ok(slf)
    }

    fn zero_<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        let mut t = slf.borrow().t.clone();
        crate::autograd::inplace::fill_(&mut t, Pivot::I(0), true)?;
        slf.borrow_mut().t.ag = t.ag;
        Ok(slf)
    }

    fn tolist(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let values = self.t.to_pivots()?;
        to_nested_list(py, &values, self.t.shape(), self.t.dtype)
    }

    fn item(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        pivot_to_py(py, self.t.item()?, self.t.dtype)
    }

    fn __len__(&self) -> PyResult<usize> {
        match self.t.shape().first() {
            Some(&n) => Ok(n),
            None => Err(PyTypeError::new_err("len() of a 0-d tensor")),
        }
    }

    fn __bool__(&self) -> PyResult<bool> {
        let n = self.t.numel();
        if n != 1 {
            if n == 0 {
                return Err(PyRuntimeError::new_err("Boolean value of Tensor with no values is ambiguous"));
            }
            return Err(PyRuntimeError::new_err("Boolean value of Tensor with more than one value is ambiguous"));
        }
        Ok(match self.t.item()? {
            Pivot::B(b) => b,
            Pivot::I(i) => i != 0,
            Pivot::F(f) => f != 0.0,
            Pivot::C(r, i) => r != 0.0 || i != 0.0,
        })
    }

    fn __float__(&self) -> PyResult<f64> {
        Ok(match self.one_element()? {
            Pivot::B(b) => b as u8 as f64,
            Pivot::I(i) if self.t.dtype == DType::U64 => i as u64 as f64,
            Pivot::I(i) => i as f64,
            Pivot::F(f) => f,
            // torch's checked_convert takes a complex value with a zero imaginary part
            Pivot::C(r, i) if i == 0.0 => r,
            Pivot::C(..) => return Err(PyRuntimeError::new_err("value cannot be converted to type double without overflow")),
        })
    }

    fn __int__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self.one_element()? {
            Pivot::B(b) => Ok((b as i64).into_pyobject(py)?.into_any().unbind()),
            Pivot::I(i) if self.t.dtype == DType::U64 => Ok((i as u64).into_pyobject(py)?.into_any().unbind()),
            Pivot::I(i) => Ok(i.into_pyobject(py)?.into_any().unbind()),
            Pivot::F(f) => {
                if f.is_nan() {
                    return Err(PyValueError::new_err("cannot convert float NaN to integer"));
                }
                if f.is_infinite() {
                    return Err(pyo3::exceptions::PyOverflowError::new_err("cannot convert float infinity to integer"));
                }
                // Python's int(float) truncates exactly, beyond the i64 range too.
                Ok(py.get_type::<PyInt>().call1((f,))?.unbind())
            }
            Pivot::C(..) => Err(PyRuntimeError::new_err("value cannot be converted to type int64_t without overflow")),
        }
    }

    fn __index__(&self) -> PyResult<i64> {
        if self.t.numel() != 1 || !self.t.dtype.is_integral(true) {
            return Err(PyTypeError::new_err("only integer tensors of a single element can be converted to an index"));
        }
        Ok(match self.t.item()? {
            Pivot::B(b) => b as i64,
            Pivot::I(i) => i,
            _ => 0,
        })
    }

    fn __complex__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyComplex>> {
        let (r, i) = match self.one_element()? {
            Pivot::B(b) => (b as u8 as f64, 0.0),
            Pivot::I(i) => (i as f64, 0.0),
            Pivot::F(f) => (f, 0.0),
            Pivot::C(r, i) => (r, i),
        };
        Ok(pyo3::types::PyComplex::from_doubles(py, r, i))
    }

    fn __hash__(slf: &Bound<'_, Self>) -> isize {
        slf.as_ptr() as isize
    }
}

/// torch's check before a copy: dense source and destination that share memory must coincide
/// exactly (a partial overlap is refused rather than producing order-dependent results).
pub fn check_partial_overlap(dst: &Tensor, src: &Tensor) -> PyResult<()> {
    Ok(crate::ops::check_no_partial_overlap(dst, src)?)
}
