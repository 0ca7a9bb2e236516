//! Bindings for checkpoint I/O (`oxytorch.safetensors`, `oxytorch.save`/`load`): thin wrappers over
//! `crate::io`. The formats are assembled in Python.
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use super::dtype::extract_dtype;
use super::tensor::{PyTensor, wrap};
use crate::device::Device;
use crate::io;

/// `_map_file(path)`: a uint8 tensor over the file, memory-mapped copy-on-write.
#[pyfunction]
fn _map_file(py: Python<'_>, path: &str) -> PyResult<Py<PyTensor>> {
    let t = py.detach(|| io::map_file(path))?;
    wrap(py, t)
}

/// `_sub_storage(t, start, nbytes)`: a new storage over a byte range of `t`'s storage.
#[pyfunction]
fn _sub_storage(py: Python<'_>, t: PyRef<'_, PyTensor>, start: usize, nbytes: usize) -> PyResult<Py<PyTensor>> {
    wrap(py, io::sub_storage(&t.t, start, nbytes)?)
}

/// `_from_buffer(t, dtype, shape, strides, offset)`: `t`'s storage viewed as `dtype`.
#[pyfunction]
fn _from_buffer(
    py: Python<'_>,
    t: PyRef<'_, PyTensor>,
    dtype: &Bound<'_, PyAny>,
    shape: Vec<i64>,
    strides: Vec<i64>,
    offset: i64,
) -> PyResult<Py<PyTensor>> {
    let dt = extract_dtype(dtype, "_from_buffer")?;
    if shape.iter().any(|&d| d < 0) || offset < 0 {
        return Err(PyValueError::new_err(format!("invalid tensor geometry: size {shape:?}, storage offset {offset}")));
    }
    let shape: Vec<usize> = shape.iter().map(|&d| d as usize).collect();
    let strides: Vec<isize> = strides.iter().map(|&s| s as isize).collect();
    wrap(py, io::from_buffer(&t.t, dt, &shape, &strides, offset as usize)?)
}

/// `_storage_bytes(t)`: a uint8 tensor over `t`'s whole storage.
#[pyfunction]
fn _storage_bytes(py: Python<'_>, t: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
    if t.t.device() != Device::Cpu {
        // The whole device storage, copied to the host.
        return wrap(py, io::storage_bytes(&t.t).to_device(Device::Cpu)?);
    }
    wrap(py, io::storage_bytes(&t.t))
}

/// `_storage_key(t)`: equal for tensors that share one storage.
#[pyfunction]
fn _storage_key(t: PyRef<'_, PyTensor>) -> usize {
    io::storage_key(&t.t)
}

/// `_st_parse(t)`: validates the safetensors file held in uint8 tensor `t`. Returns
/// `(header_len, metadata or None, [(name, dtype, shape, start, end), ...])` in data order, or raises
/// ValueError with the reference library's message.
#[pyfunction]
fn _st_parse<'py>(py: Python<'py>, t: PyRef<'py, PyTensor>) -> PyResult<Bound<'py, PyTuple>> {
    if t.t.device() != Device::Cpu || !t.t.is_contiguous() {
        return Err(PyValueError::new_err("_st_parse needs a contiguous CPU buffer"));
    }
    let n = t.t.numel();
    let ptr = t.t.data_ptr() as *const u8;
    // SAFETY: a contiguous CPU uint8 tensor covers n bytes from its data pointer; the borrow of `t`
    // keeps the storage alive during parsing.
    let buf: &[u8] = if n == 0 { &[] } else { unsafe { std::slice::from_raw_parts(ptr, n) } };
    let h = io::st_parse(buf).map_err(PyValueError::new_err)?;
    let meta: Py<PyAny> = match h.metadata {
        None => py.None(),
        Some(m) => {
            let d = pyo3::types::PyDict::new(py);
            for (k, v) in m {
                d.set_item(k, v)?;
            }
            d.into_any().unbind()
        }
    };
    let list = PyList::empty(py);
    for e in h.entries {
        list.append((e.name, e.dtype, e.shape, e.start, e.end))?;
    }
    PyTuple::new(py, [h.header_len.into_pyobject(py)?.into_any(), meta.into_bound(py), list.into_any()])
}

/// `_crc32(t, crc=0)`: CRC-32 (zlib's) of a contiguous CPU uint8 tensor, continuing from `crc`.
#[pyfunction]
#[pyo3(signature = (t, crc=0))]
fn _crc32(py: Python<'_>, t: PyRef<'_, PyTensor>, crc: u32) -> PyResult<u32> {
    if t.t.device() != Device::Cpu || !t.t.is_contiguous() {
        return Err(PyValueError::new_err("_crc32 needs a contiguous CPU buffer"));
    }
    let n = t.t.numel() * t.t.dtype.itemsize();
    if n == 0 {
        return Ok(crc);
    }
    let ptr = t.t.data_ptr() as usize;
    // SAFETY: a contiguous CPU tensor covers n bytes from its data pointer; `t` keeps it alive.
    Ok(py.detach(move || {
        let buf = unsafe { std::slice::from_raw_parts(ptr as *const u8, n) };
        let mut h = crc32fast::Hasher::new_with_initial(crc);
        h.update(buf);
        h.finalize()
    }))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_map_file, m)?)?;
    m.add_function(wrap_pyfunction!(_sub_storage, m)?)?;
    m.add_function(wrap_pyfunction!(_from_buffer, m)?)?;
    m.add_function(wrap_pyfunction!(_storage_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(_storage_key, m)?)?;
    m.add_function(wrap_pyfunction!(_st_parse, m)?)?;
    m.add_function(wrap_pyfunction!(_crc32, m)?)?;
    Ok(())
}
