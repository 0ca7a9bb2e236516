//! Zero-copy exchange: NumPy through `__array_interface__` (both ways), other libraries through DLPack.
use std::ffi::{CStr, c_void};
use std::sync::Arc;

use pyo3::exceptions::{PyBufferError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::device::Device;
use crate::dtype::DType;
use crate::layout::Layout;
use crate::storage::Storage;
use crate::tensor::Tensor;

use super::tensor::{PyTensor, wrap};

struct PyKeeper(#[allow(dead_code)] Py<PyAny>);

/// A tensor over a NumPy array's memory (kept alive by a reference), or a copy of it when `copy`.
pub fn tensor_from_array(arr: &Bound<'_, PyAny>, copy: bool) -> PyResult<Tensor> {
    let ai = arr.getattr("__array_interface__")?;
    let ai = ai.cast::<PyDict>()?;
    let get = |k: &str| -> PyResult<Bound<'_, PyAny>> {
        ai.get_item(k)?.ok_or_else(|| PyValueError::new_err(format!("__array_interface__ has no '{k}'")))
    };
    let typestr: String = get("typestr")?.extract()?;
    let Some(dtype) = DType::from_numpy_typestr(&typestr) else {
        if typestr.starts_with('>') {
            return Err(PyValueError::new_err(
                "given numpy array has byte order different from the native byte order. Conversion between byte orders is currently not supported.",
            ));
        }
        let name: String = arr.getattr("dtype").and_then(|d| d.str()).map(|s| s.to_string()).unwrap_or(typestr);
        return Err(PyTypeError::new_err(format!(
            "can't convert np.ndarray of type numpy.{name}. The only supported types are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, uint32, uint16, uint8, and bool."
        )));
    };
    let shape: Vec<usize> = get("shape")?.extract()?;
    let (ptr, readonly): (usize, bool) = get("data")?.extract()?;
    let isz = dtype.itemsize() as isize;
    let strides: Vec<isize> = match ai.get_item("strides")? {
        Some(s) if !s.is_none() => {
            let b: Vec<isize> = s.extract()?;
            if b.iter().any(|&x| x < 0) {
                return Err(PyValueError::new_err(
                    "At least one stride in the given numpy array is negative, and tensors with negative strides are not currently supported. (You can probably work around this by making a copy of your array  with array.copy().) ",
                ));
            }
            if b.iter().any(|&x| x % isz != 0) {
                return Err(PyValueError::new_err(
                    "given numpy array strides not a multiple of the element byte size. Copy the numpy array to reallocate the memory.",
                ));
            }
            b.iter().map(|&x| x / isz).collect()
        }
        // C-contiguous arrays omit strides, but NumPy's own strides for size-0/1 dims can differ
        // from the canonical ones, and torch keeps NumPy's.
        _ => match arr.getattr("strides").and_then(|s| s.extract::<Vec<isize>>()) {
            Ok(b) if b.len() == shape.len() => b.iter().map(|&x| x / isz).collect(),
            _ => crate::layout::contiguous_strides(&shape),
        },
    };
    let layout = Layout { shape, strides, offset: 0 };
    let (_, hi) = layout.extent();
    let nbytes = if layout.numel() == 0 { 0 } else { hi as usize * dtype.itemsize() };
    // The interface dict is kept too: for NumPy scalars its '__ref' entry owns the buffer `ptr` points
    // into (a temporary array), which would otherwise be freed as soon as the dict is.
    let keep = pyo3::types::PyTuple::new(arr.py(), [arr.clone(), ai.clone().into_any()])?;
    // SAFETY: NumPy guarantees `nbytes` valid bytes from `ptr` while the array (or, for a scalar, the
    // interface dict's '__ref') lives; the keeper holds both.
    let storage = unsafe {
        Storage::from_borrowed(ptr as *mut u8, nbytes, !readonly, Box::new(PyKeeper(keep.into_any().unbind())))
    };
    let t = Tensor::from_storage(Arc::new(storage), layout, dtype);
    if copy { Ok(t.clone_tensor()?) } else { Ok(t) }
}

#[pyfunction]
pub fn from_numpy(py: Python<'_>, ndarray: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    static NDARRAY: pyo3::sync::PyOnceLock<Py<PyAny>> = pyo3::sync::PyOnceLock::new();
    let np_ndarray = NDARRAY.get_or_try_init(py, || -> PyResult<Py<PyAny>> { Ok(py.import("numpy")?.getattr("ndarray")?.unbind()) })?;
    if !ndarray.is_instance(np_ndarray.bind(py))? {
        return Err(PyTypeError::new_err(format!("expected np.ndarray (got {})", ndarray.get_type().name()?)));
    }
    let t = tensor_from_array(ndarray, false)?;
    if !t.storage.writable() {
        PyErr::warn(
            py,
            &py.get_type::<pyo3::exceptions::PyUserWarning>(),
            c"The given NumPy array is not writable, and PyTorch does not support non-writable tensors. This means writing to this tensor will result in undefined behavior. You may want to copy the array to protect its data or make it writable before converting it to a tensor. This type of warning will be suppressed for the rest of this program.",
            1,
        )?;
    }
    wrap(py, t)
}

/// The `__array_interface__` dict NumPy reads for a zero-copy view of a CPU tensor.
pub fn array_interface<'py>(py: Python<'py>, t: &PyTensor) -> PyResult<Bound<'py, PyDict>> {
    array_interface_checks(t)?;
    let Some(typestr) = t.t.dtype.numpy_typestr() else { return Err(PyTypeError::new_err("unsupported dtype")) };
    let d = PyDict::new(py);
    let isz = t.t.dtype.itemsize() as isize;
    d.set_item("shape", PyTuple::new(py, t.t.shape())?)?;
    d.set_item("typestr", typestr)?;
    d.set_item("data", (t.t.data_ptr(), false))?;
    let strides: Vec<isize> = t.t.strides().iter().map(|s| s * isz).collect();
    d.set_item("strides", PyTuple::new(py, strides)?)?;
    d.set_item("version", 3)?;
    Ok(d)
}

/// torch's refusals for `numpy()`: grad-requiring, non-CPU, and dtypes NumPy lacks.
fn array_interface_checks(t: &PyTensor) -> PyResult<()> {
    if t.t.requires_grad() {
        return Err(PyRuntimeError::new_err(
            "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.",
        ));
    }
    if t.t.device() != Device::Cpu {
        return Err(PyTypeError::new_err(format!(
            "can't convert {} device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.",
            t.t.device()
        )));
    }
    if t.t.conj {
        return Err(PyRuntimeError::new_err(
            "Can't call numpy() on Tensor that has conjugate bit set. Use tensor.resolve_conj().numpy() instead.",
        ));
    }
    if t.t.neg {
        return Err(PyRuntimeError::new_err(
            "Can't call numpy() on Tensor that has negative bit set. Use tensor.resolve_neg().numpy() instead.",
        ));
    }
    if t.t.dtype.numpy_typestr().is_none() {
        return Err(PyTypeError::new_err(format!("Got unsupported ScalarType {}", t.t.dtype.scalar_name())));
    }
    Ok(())
}

// ----- DLPack (v0.8 unversioned capsules, which every producer and consumer accepts) -----

#[repr(C)]
#[derive(Clone, Copy)]
struct DLDevice {
    device_type: i32,
    device_id: i32,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct DLDataType {
    code: u8,
    bits: u8,
    lanes: u16,
}

#[repr(C)]
struct DLTensor {
    data: *mut c_void,
    device: DLDevice,
    ndim: i32,
    dtype: DLDataType,
    shape: *mut i64,
    strides: *mut i64,
    byte_offset: u64,
}

#[repr(C)]
struct DLManagedTensor {
    dl_tensor: DLTensor,
    manager_ctx: *mut c_void,
    deleter: Option<unsafe extern "C" fn(*mut DLManagedTensor)>,
}

/// What a capsule we produce owns: the tensor (keeping its storage alive) and the shape arrays.
struct ExportCtx {
    _tensor: Tensor,
    shape: Vec<i64>,
    strides: Vec<i64>,
}

const DLTENSOR: &CStr = c"dltensor";
const USED_DLTENSOR: &CStr = c"used_dltensor";

fn dl_dtype(dt: DType) -> DLDataType {
    let (code, bits) = match dt {
        DType::Bool => (6, 8),
        DType::U8 => (1, 8),
        DType::I8 | DType::I16 | DType::I32 | DType::I64 => (0, dt.itemsize() as u8 * 8),
        DType::F16 | DType::F32 | DType::F64 => (2, dt.itemsize() as u8 * 8),
        DType::BF16 => (4, 16),
        DType::C32 | DType::C64 | DType::C128 => (5, dt.itemsize() as u8 * 8),
        DType::U16 | DType::U32 | DType::U64 => (1, dt.itemsize() as u8 * 8),
        DType::F8E4M3 => (10, 8),
        DType::F8E5M2 => (12, 8),
    };
    DLDataType { code, bits, lanes: 1 }
}

fn dtype_from_dl(d: DLDataType) -> Option<DType> {
    if d.lanes != 1 {
        return None;
    }
    Some(match (d.code, d.bits) {
        (6, 8) => DType::Bool,
        (1, 8) => DType::U8,
        (0, 8) => DType::I8,
        (0, 16) => DType::I16,
        (0, 32) => DType::I32,
        (0, 64) => DType::I64,
        (2, 16) => DType::F16,
        (2, 32) => DType::F32,
        (2, 64) => DType::F64,
        (4, 16) => DType::BF16,
        (5, 32) => DType::C32,
        (5, 64) => DType::C64,
        (5, 128) => DType::C128,
        (1, 16) => DType::U16,
        (1, 32) => DType::U32,
        (1, 64) => DType::U64,
        (10, 8) => DType::F8E4M3,
        (12, 8) => DType::F8E5M2,
        _ => return None,
    })
}

unsafe extern "C" fn export_deleter(m: *mut DLManagedTensor) {
    if m.is_null() {
        return;
    }
    // SAFETY: `m` and its context were created by `Box::into_raw` in `to_dlpack`, and DLPack calls
    // the deleter exactly once.
    unsafe {
        let m = Box::from_raw(m);
        drop(Box::from_raw(m.manager_ctx as *mut ExportCtx));
    }
}

unsafe extern "C" fn capsule_destructor(capsule: *mut pyo3::ffi::PyObject) {
    // SAFETY: only runs for our capsules; an unconsumed one still owns its managed tensor.
    unsafe {
        if pyo3::ffi::PyCapsule_IsValid(capsule, DLTENSOR.as_ptr()) == 1 {
            let m = pyo3::ffi::PyCapsule_GetPointer(capsule, DLTENSOR.as_ptr()) as *mut DLManagedTensor;
            if let Some(d) = m.as_ref().and_then(|m| m.deleter) {
                d(m);
            }
        } else {
            pyo3::ffi::PyErr_Clear();
        }
    }
}

pub fn to_dlpack(py: Python<'_>, t: &Tensor) -> PyResult<Py<PyAny>> {
    // (Like torch, the export is of the stored memory: a lazy bit is not materialised here.)
    let device = match t.device() {
        Device::Cpu => DLDevice { device_type: 1, device_id: 0 },
        Device::Cuda(i) => DLDevice { device_type: 2, device_id: i as i32 },
    };
    let mut ctx = Box::new(ExportCtx {
        _tensor: t.clone(),
        shape: t.shape().iter().map(|&d| d as i64).collect(),
        strides: t.strides().iter().map(|&s| s as i64).collect(),
    });
    let managed = Box::new(DLManagedTensor {
        dl_tensor: DLTensor {
            data: t.storage.as_ptr() as *mut c_void,
            device,
            ndim: t.ndim() as i32,
            dtype: dl_dtype(t.dtype),
            shape: ctx.shape.as_mut_ptr(),
            strides: ctx.strides.as_mut_ptr(),
            byte_offset: (t.layout.offset * t.dtype.itemsize()) as u64,
        },
        manager_ctx: std::ptr::null_mut(),
        deleter: Some(export_deleter),
    });
    let m = Box::into_raw(managed);
    // SAFETY: m is a valid, uniquely owned allocation; ctx ownership moves into it.
    unsafe { (*m).manager_ctx = Box::into_raw(ctx) as *mut c_void };
    // SAFETY: the capsule takes ownership of m; on failure we free it ourselves.
    unsafe {
        let cap = pyo3::ffi::PyCapsule_New(m as *mut c_void, DLTENSOR.as_ptr(), Some(capsule_destructor));
        if cap.is_null() {
            export_deleter(m);
            return Err(PyErr::fetch(py));
        }
        Ok(Bound::from_owned_ptr(py, cap).unbind())
    }
}

/// Calls the producer's deleter when the storage that borrows its memory drops.
struct DlKeeper(*mut DLManagedTensor);
// SAFETY: DLPack deleters may be called from any thread (NumPy's takes the GIL itself).
unsafe impl Send for DlKeeper {}
unsafe impl Sync for DlKeeper {}
impl Drop for DlKeeper {
    fn drop(&mut self) {
        // SAFETY: the pointer came from a consumed capsule and is released exactly once here.
        unsafe {
            if let Some(d) = self.0.as_ref().and_then(|m| m.deleter) {
                d(self.0);
            }
        }
    }
}

#[pyfunction]
pub fn from_dlpack(py: Python<'_>, ext_tensor: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    if let Ok(t) = ext_tensor.cast::<PyTensor>() {
        let t = t.borrow();
        if t.t.requires_grad() {
            return Err(PyBufferError::new_err("Can't export tensors that require gradient, use tensor.detach()"));
        }
        return wrap(py, t.t.clone());
    }
    if !ext_tensor.hasattr("__dlpack__")? && ext_tensor.cast::<pyo3::types::PyCapsule>().is_err() {
        return Err(PyRuntimeError::new_err(format!(
            "from_dlpack: expected an object with __dlpack__ or a DLPack capsule, got {}",
            ext_tensor.get_type().name()?
        )));
    }
    let capsule = if ext_tensor.hasattr("__dlpack__")? {
        let dev: (i32, i32) = ext_tensor.call_method0("__dlpack_device__")?.extract()?;
        if dev.0 == 2 {
            // Ask a CUDA producer to synchronise with the legacy default stream.
            let kw = PyDict::new(py);
            kw.set_item("stream", 1)?;
            ext_tensor.call_method("__dlpack__", (), Some(&kw))?
        } else {
            ext_tensor.call_method0("__dlpack__")?
        }
    } else {
        ext_tensor.clone()
    };
    // SAFETY: we check the capsule name before reading its pointer, and rename it so that the
    // producer's capsule destructor does not free what we now own.
    unsafe {
        let cap = capsule.as_ptr();
        if pyo3::ffi::PyCapsule_IsValid(cap, DLTENSOR.as_ptr()) != 1 {
            pyo3::ffi::PyErr_Clear();
            return Err(PyBufferError::new_err(
                "from_dlpack received an invalid capsule. Note that DLTensor capsules can be consumed only once, so you might have already constructed a tensor from it once.",
            ));
        }
        let m = pyo3::ffi::PyCapsule_GetPointer(cap, DLTENSOR.as_ptr()) as *mut DLManagedTensor;
        if m.is_null() {
            return Err(PyErr::fetch(py));
        }
        let dl = &(*m).dl_tensor;
        let Some(dtype) = dtype_from_dl(dl.dtype) else {
            return Err(PyBufferError::new_err("Unsupported dtype in DLTensor"));
        };
        let device = match dl.device.device_type {
            1 => Device::Cpu,
            kind => {
                return Err(PyRuntimeError::new_err(format!(
                    "from_dlpack: unsupported device type {kind} (oxytorch imports CPU DLPack tensors)"
                )));
            }
        };
        let ndim = dl.ndim.max(0) as usize;
        let shape: Vec<usize> =
            if ndim == 0 { vec![] } else { std::slice::from_raw_parts(dl.shape, ndim).iter().map(|&d| d as usize).collect() };
        let strides: Vec<isize> = if dl.strides.is_null() || ndim == 0 {
            crate::layout::contiguous_strides(&shape)
        } else {
            std::slice::from_raw_parts(dl.strides, ndim).iter().map(|&s| s as isize).collect()
        };
        let isz = dtype.itemsize();
        let base = (dl.data as *mut u8).add(dl.byte_offset as usize);
        let layout = Layout { shape, strides, offset: 0 };
        let (lo, hi) = layout.extent();
        if lo < 0 {
            return Err(PyBufferError::new_err("from_dlpack: negative strides are not supported"));
        }
        let nbytes = if layout.numel() == 0 { 0 } else { hi as usize * isz };
        // From here on we own the managed tensor: the keeper calls its deleter when the storage drops.
        pyo3::ffi::PyCapsule_SetName(cap, USED_DLTENSOR.as_ptr());
        let storage = Storage::from_borrowed(base, nbytes, true, Box::new(DlKeeper(m)));
        let _ = device;
        wrap(py, Tensor::from_storage(Arc::new(storage), layout, dtype))
    }
}

/// NumPy's `PyArrayInterface`, read through `__array_struct__` (no dict to build or parse).
#[repr(C)]
struct ArrayInterface {
    two: i32,
    nd: i32,
    typekind: u8,
    itemsize: i32,
    flags: i32,
    shape: *mut isize,
    strides: *mut isize,
    data: *mut c_void,
    descr: *mut pyo3::ffi::PyObject,
}

/// Owns the interface struct and its shape/strides arrays until the capsule dies.
#[repr(C)]
struct ArrayStruct {
    iface: ArrayInterface,
    dims: Vec<isize>,
}

const ARRAY_STRUCT_NAME: Option<&CStr> = None;

unsafe extern "C" fn array_struct_destructor(capsule: *mut pyo3::ffi::PyObject) {
    // SAFETY: the pointer was produced by Box::into_raw in `array_struct` and is freed once here.
    unsafe {
        let p = pyo3::ffi::PyCapsule_GetPointer(capsule, std::ptr::null()) as *mut ArrayStruct;
        if !p.is_null() {
            drop(Box::from_raw(p));
        } else {
            pyo3::ffi::PyErr_Clear();
        }
    }
}

fn array_struct(py: Python<'_>, t: &PyTensor) -> PyResult<Py<PyAny>> {
    array_interface_checks(t)?;
    let dt = t.t.dtype;
    let typekind = match dt {
        DType::Bool => b'b',
        DType::U8 | DType::U16 | DType::U32 | DType::U64 => b'u',
        DType::I8 | DType::I16 | DType::I32 | DType::I64 => b'i',
        DType::F16 | DType::F32 | DType::F64 => b'f',
        _ => b'c',
    };
    let isz = dt.itemsize() as isize;
    let nd = t.t.ndim();
    let mut dims: Vec<isize> = t.t.shape().iter().map(|&d| d as isize).collect();
    // torch reports zero strides for empty arrays.
    let empty = t.t.numel() == 0;
    dims.extend(t.t.strides().iter().map(|&s| if empty { 0 } else { s * isz }));
    // NPY_ARRAY_ALIGNED | NPY_ARRAY_NOTSWAPPED | NPY_ARRAY_WRITEABLE, plus C-contiguity when it holds.
    let mut flags = 0x100 | 0x200 | 0x400;
    if t.t.is_contiguous() {
        flags |= 0x1;
    }
    let mut b = Box::new(ArrayStruct {
        iface: ArrayInterface {
            two: 2,
            nd: nd as i32,
            typekind,
            itemsize: isz as i32,
            flags,
            shape: std::ptr::null_mut(),
            strides: std::ptr::null_mut(),
            data: t.t.data_ptr() as *mut c_void,
            descr: std::ptr::null_mut(),
        },
        dims,
    });
    let base = b.dims.as_mut_ptr();
    b.iface.shape = base;
    // SAFETY: dims holds 2 * nd entries; strides start after the shape.
    b.iface.strides = unsafe { base.add(nd) };
    let raw = Box::into_raw(b);
    // SAFETY: the capsule owns `raw`; its interface struct is the first field, so the capsule
    // pointer is also a valid `PyArrayInterface*` as NumPy expects.
    unsafe {
        let cap = pyo3::ffi::PyCapsule_New(raw as *mut c_void, ARRAY_STRUCT_NAME.map_or(std::ptr::null(), |n| n.as_ptr()), Some(array_struct_destructor));
        if cap.is_null() {
            drop(Box::from_raw(raw));
            return Err(PyErr::fetch(py));
        }
        Ok(Bound::from_owned_ptr(py, cap).unbind())
    }
}

#[pymethods]
impl PyTensor {
    #[getter]
    fn __array_struct__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        array_struct(py, self)
    }

    #[getter]
    fn __array_interface__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        array_interface(py, self)
    }

    /// A NumPy array sharing this tensor's memory.
    #[pyo3(signature = (*, force=false))]
    fn numpy<'py>(slf: &Bound<'py, Self>, force: bool) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        if force {
            let t = slf.borrow();
            let host = t.t.detached().to_device(Device::Cpu)?.resolved()?.into_owned();
            let host = if host.dtype == DType::BF16 || host.dtype == DType::C32 {
                host.to_dtype(if host.dtype == DType::BF16 { DType::F32 } else { DType::C64 }, false)?
            } else {
                host
            };
            let copy = Bound::new(py, PyTensor::new(host))?;
            return numpy_asarray(py)?.call1((copy,));
        }
        // (NumPy may swallow errors raised while it reads __array_interface__)
        array_interface_checks(&slf.borrow())?;
        numpy_asarray(py)?.call1((slf,))
    }

    #[pyo3(signature = (dtype=None, copy=None))]
    fn __array__<'py>(slf: &Bound<'py, Self>, dtype: Option<&Bound<'py, PyAny>>, copy: Option<bool>) -> PyResult<Bound<'py, PyAny>> {
        let _ = copy;
        let arr = Self::numpy(slf, false)?;
        match dtype {
            Some(d) if !d.is_none() => arr.call_method1("astype", (d,)),
            _ => Ok(arr),
        }
    }

    #[pyo3(signature = (*, stream=None, max_version=None, dl_device=None, copy=None))]
    fn __dlpack__(
        &self,
        py: Python<'_>,
        stream: Option<&Bound<'_, PyAny>>,
        max_version: Option<&Bound<'_, PyAny>>,
        dl_device: Option<&Bound<'_, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Py<PyAny>> {
        let _ = (stream, max_version, dl_device);
        if self.t.requires_grad() {
            return Err(PyBufferError::new_err(
                "Can't export tensors that require gradient, use tensor.detach()",
            ));
        }
        if self.t.conj {
            return Err(PyBufferError::new_err("Can't export tensors with the conjugate bit set"));
        }
        let t = if copy == Some(true) { self.t.clone_tensor()? } else { self.t.clone() };
        to_dlpack(py, &t)
    }

    fn __dlpack_device__(&self) -> (i32, i32) {
        match self.t.device() {
            Device::Cpu => (1, 0),
            Device::Cuda(i) => (2, i as i32),
        }
    }
}

fn numpy_asarray(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    static ASARRAY: pyo3::sync::PyOnceLock<Py<PyAny>> = pyo3::sync::PyOnceLock::new();
    let f = ASARRAY.get_or_try_init(py, || -> PyResult<Py<PyAny>> { Ok(py.import("numpy")?.getattr("asarray")?.unbind()) })?;
    Ok(f.bind(py).clone())
}
