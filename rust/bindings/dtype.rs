//! `torch.dtype` and `torch.device` objects, and the argument parsers that accept them.
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyComplex, PyFloat, PyInt, PyString, PyType};

use crate::device::{Device, parse_device_string};
use crate::dtype::{ALL_DTYPES, DType, default_dtype};

#[pyclass(name = "dtype", module = "oxytorch", frozen)]
pub struct PyDType {
    pub dt: DType,
}

static DTYPES: PyOnceLock<Vec<Py<PyDType>>> = PyOnceLock::new();

/// The singleton object for `dt`, so `t.dtype is torch.float32` holds.
pub fn dtype_obj(py: Python<'_>, dt: DType) -> Py<PyDType> {
    let all = DTYPES.get_or_init(py, || {
        ALL_DTYPES.iter().filter_map(|&d| Py::new(py, PyDType { dt: d }).ok()).collect()
    });
    all[dt as usize].clone_ref(py)
}

#[pymethods]
impl PyDType {
    fn __repr__(&self) -> String {
        format!("torch.{}", self.dt.name())
    }
    fn __str__(&self) -> String {
        self.__repr__()
    }
    #[getter]
    fn is_floating_point(&self) -> bool {
        self.dt.is_floating_point()
    }
    #[getter]
    fn is_complex(&self) -> bool {
        self.dt.is_complex()
    }
    #[getter]
    fn is_signed(&self) -> bool {
        self.dt.is_signed()
    }
    #[getter]
    fn itemsize(&self) -> usize {
        self.dt.itemsize()
    }
    fn to_real(&self, py: Python<'_>) -> Py<PyDType> {
        dtype_obj(py, self.dt.to_real())
    }
    fn to_complex(&self, py: Python<'_>) -> PyResult<Py<PyDType>> {
        if !(self.dt.is_floating_point() || self.dt.is_complex()) {
            return Err(PyRuntimeError::new_err(format!("Unknown Complex ScalarType for {}", self.dt.scalar_name())));
        }
        Ok(dtype_obj(py, self.dt.to_complex()))
    }
    /// Pickles as a reference to the module attribute (`oxytorch.float32`).
    fn __reduce__(&self) -> String {
        self.dt.name().to_string()
    }
    fn __hash__(&self) -> u64 {
        self.dt as u64 + 0x5bd1_e995
    }
}

/// Accepts a `torch.dtype` or the Python types torch maps (`float` -> float64, `int` -> int64, ...).
pub fn extract_dtype(obj: &Bound<'_, PyAny>, fname: &str) -> PyResult<DType> {
    if let Ok(d) = obj.cast::<PyDType>() {
        return Ok(d.get().dt);
    }
    if let Ok(t) = obj.cast::<PyType>() {
        let py = obj.py();
        if t.is(py.get_type::<PyBool>()) {
            return Ok(DType::Bool);
        }
        if t.is(py.get_type::<PyInt>()) {
            return Ok(DType::I64);
        }
        if t.is(py.get_type::<PyFloat>()) {
            return Ok(DType::F64);
        }
        if t.is(py.get_type::<PyComplex>()) {
            return Ok(DType::C128);
        }
    }
    Err(PyTypeError::new_err(format!(
        "{fname}(): argument 'dtype' must be torch.dtype, not {}",
        obj.get_type().name()?
    )))
}

pub fn extract_dtype_opt(obj: Option<&Bound<'_, PyAny>>, fname: &str) -> PyResult<Option<DType>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => extract_dtype(o, fname).map(Some),
    }
}

pub fn dtype_or_default(obj: Option<&Bound<'_, PyAny>>, fname: &str) -> PyResult<DType> {
    Ok(extract_dtype_opt(obj, fname)?.unwrap_or_else(default_dtype))
}

#[pyclass(name = "device", module = "oxytorch", frozen)]
pub struct PyDevice {
    pub ty: String,
    pub index: Option<i64>,
}

impl PyDevice {
    pub fn from_device(d: Device) -> PyDevice {
        PyDevice { ty: d.type_name().to_string(), index: d.index().map(|i| i as i64) }
    }
    /// The concrete device a tensor is placed on (`cuda` means the current device, 0).
    pub fn to_device(&self) -> PyResult<Device> {
        match self.ty.as_str() {
            "cpu" => Ok(Device::Cpu),
            "cuda" => Ok(Device::Cuda(self.index.unwrap_or(0) as usize)),
            other => Err(PyRuntimeError::new_err(format!(
                "Could not run this operation with arguments from the '{}' backend: oxytorch supports cpu and cuda devices",
                other.to_uppercase()
            ))),
        }
    }
}

#[pymethods]
impl PyDevice {
    #[new]
    #[pyo3(signature = (r#type, index=None))]
    fn new(r#type: &Bound<'_, PyAny>, index: Option<i64>) -> PyResult<PyDevice> {
        if let Ok(d) = r#type.cast::<PyDevice>() {
            let d = d.get();
            return Ok(PyDevice { ty: d.ty.clone(), index: d.index });
        }
        if r#type.is_instance_of::<PyBool>() {
            return Err(PyTypeError::new_err(
                "device() received an invalid combination of arguments - got (bool), but expected one of:\n * (torch.device device)\n * (str type, int index = -1)",
            ));
        }
        if let Ok(i) = r#type.cast::<PyInt>() {
            let i: i64 = i.extract()?;
            if i < 0 {
                return Err(PyRuntimeError::new_err(format!("Device index must not be negative, got {i}")));
            }
            return Ok(PyDevice { ty: "cuda".into(), index: Some(i) });
        }
        let s: String = match r#type.cast::<PyString>() {
            Ok(s) => s.to_string(),
            Err(_) => {
                return Err(PyTypeError::new_err(format!(
                    "device() received an invalid combination of arguments - got ({})",
                    r#type.get_type().name()?
                )));
            }
        };
        let (ty, parsed) = parse_device_string(&s)?;
        let index = match (parsed, index) {
            (Some(_), Some(_)) => {
                return Err(PyRuntimeError::new_err(format!(
                    "type (string) must not include an index because index was passed explicitly: {s}"
                )));
            }
            (Some(i), None) | (None, Some(i)) => Some(i),
            (None, None) => None,
        };
        if let Some(i) = index {
            if i < 0 {
                return Err(PyRuntimeError::new_err(format!("Device index must not be negative, got {i}")));
            }
        }
        Ok(PyDevice { ty, index })
    }
    #[getter]
    fn r#type(&self) -> &str {
        &self.ty
    }
    #[getter]
    fn index(&self) -> Option<i64> {
        self.index
    }
    fn __repr__(&self) -> String {
        match self.index {
            Some(i) => format!("device(type='{}', index={})", self.ty, i),
            None => format!("device(type='{}')", self.ty),
        }
    }
    fn __str__(&self) -> String {
        match self.index {
            Some(i) => format!("{}:{}", self.ty, i),
            None => self.ty.clone(),
        }
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<PyDevice>() {
            Ok(o) => o.get().ty == self.ty && o.get().index == self.index,
            Err(_) => false,
        }
    }
    fn __hash__(&self) -> u64 {
        let mut h: u64 = 1469598103934665603;
        for b in self.ty.bytes() {
            h = (h ^ b as u64).wrapping_mul(1099511628211);
        }
        h ^ (self.index.unwrap_or(-1) as u64).wrapping_mul(0x9e37_79b9)
    }
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyType>, (String, Option<i64>))> {
        let d = slf.get();
        Ok((slf.get_type(), (d.ty.clone(), d.index)))
    }
}

/// Accepts a `torch.device`, a device string, or a CUDA ordinal.
pub fn extract_device(obj: &Bound<'_, PyAny>) -> PyResult<Device> {
    if let Ok(d) = obj.cast::<PyDevice>() {
        return d.get().to_device();
    }
    PyDevice::new(obj, None)?.to_device()
}

pub fn device_or_cpu(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Device> {
    match obj {
        Some(o) if !o.is_none() => extract_device(o),
        _ => Ok(Device::Cpu),
    }
}
