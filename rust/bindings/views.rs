//! Basic views and indexing on `Tensor`: select, narrow, transpose, permute, view/reshape and
//! `__getitem__`/`__setitem__` with ints, slices, None and Ellipsis.
#![allow(unsafe_op_in_unsafe_fn)]
use pyo3::exceptions::{PyIndexError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyEllipsis, PyInt, PySlice, PyString, PyTuple};

use crate::element::Pivot;
use crate::layout::{Layout, infer_size, wrap_dim};

use super::dtype::PyDType;
use super::tensor::{PyTensor, legacy_type_name, parse_size, wrap};

impl PyTensor {
    /// Applies one basic index (int, slice, None, Ellipsis) list to the layout.
    fn index_layout(&self, key: &Bound<'_, PyAny>) -> PyResult<Option<Layout>> {
        let items: Vec<Bound<'_, PyAny>> = match key.cast::<PyTuple>() {
            Ok(t) => t.iter().collect(),
            Err(_) => vec![key.clone()],
        };
        let consumed = items.iter().filter(|k| !k.is_none() && !k.is_instance_of::<PyEllipsis>()).count();
        if consumed > self.t.ndim() {
            return Err(PyIndexError::new_err(format!(
                "too many indices for tensor of dimension {}",
                self.t.ndim()
            )));
        }
        let mut l = self.t.layout.clone();
        let mut shape = Vec::new();
        let mut strides = Vec::new();
        let mut dim = 0usize;
        let mut offset = l.offset as isize;
        let mut seen_ellipsis = false;
        for k in &items {
            if k.is_none() {
                // Like unsqueeze on the partly indexed tensor: the stride spans the next dim.
                shape.push(1);
                strides.push(if dim < l.ndim() { l.shape[dim] as isize * l.strides[dim] } else { 1 });
            } else if k.is_instance_of::<PyEllipsis>() {
                let skip = if seen_ellipsis { 0 } else { self.t.ndim() - consumed };
                seen_ellipsis = true;
                for _ in 0..skip {
                    shape.push(l.shape[dim]);
                    strides.push(l.strides[dim]);
                    dim += 1;
                }
            } else if let Ok(s) = k.cast::<PySlice>() {
                let n = l.shape[dim] as isize;
                let step: Option<isize> = s.getattr("step")?.extract()?;
                let step = step.unwrap_or(1);
                if step <= 0 {
                    return Err(PyValueError::new_err("step must be greater than zero"));
                }
                let clampi = |v: Option<isize>, dflt: isize| -> isize {
                    match v {
                        None => dflt,
                        Some(v) if v < 0 => (v + n).max(0),
                        Some(v) => v.min(n),
                    }
                };
                let start = clampi(s.getattr("start")?.extract()?, 0);
                let stop = clampi(s.getattr("stop")?.extract()?, n).max(start);
                let len = (stop - start + step - 1) / step;
                offset += start * l.strides[dim];
                shape.push(len.max(0) as usize);
                strides.push(l.strides[dim] * step);
                dim += 1;
            } else if k.is_instance_of::<PyInt>() || (k.hasattr("__index__")? && k.cast::<PyTensor>().is_err()) {
                let i: i64 = k.call_method0("__index__")?.extract()?;
                let n = l.shape[dim] as i64;
                if i < -n || i >= n {
                    return Err(PyIndexError::new_err(format!(
                        "index {} is out of bounds for dimension {} with size {}",
                        i, dim, n
                    )));
                }
                let i = if i < 0 { i + n } else { i };
                offset += i as isize * l.strides[dim];
                dim += 1;
            } else if k.is_instance_of::<PyString>() {
                return Err(PyTypeError::new_err(
                    "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got str)",
                ));
            } else {
                return Ok(None);
            }
        }
        while dim < l.ndim() {
            shape.push(l.shape[dim]);
            strides.push(l.strides[dim]);
            dim += 1;
        }
        l.shape = shape;
        l.strides = strides;
        l.offset = offset as usize;
        Ok(Some(l))
    }
}

#[pymethods]
impl PyTensor {
    // ----- basic views (the full set is the views issue's) -----
    fn select(&self, py: Python<'_>, dim: i64, index: i64) -> PyResult<Py<PyTensor>> {
        if self.t.ndim() == 0 {
            return Err(PyIndexError::new_err("select() cannot be applied to a 0-dim tensor."));
        }
        let d = self.dim_arg(dim)?;
        let n = self.t.shape()[d] as i64;
        if index < -n || index >= n {
            return Err(PyIndexError::new_err(format!(
                "select(): index {} out of range for tensor of size {:?} at dimension {}",
                index,
                self.t.shape(),
                dim
            )));
        }
        let i = if index < 0 { index + n } else { index } as usize;
        wrap(py, self.t.with_layout(self.t.layout.select(d, i)))
    }

    fn narrow(&self, py: Python<'_>, dim: i64, start: i64, length: i64) -> PyResult<Py<PyTensor>> {
        let d = self.dim_arg(dim)?;
        let n = self.t.shape()[d] as i64;
        let s = if start < 0 { start + n } else { start };
        if s < 0 || s > n || length < 0 || s + length > n {
            return Err(PyRuntimeError::new_err(format!(
                "start ({}) + length ({}) exceeds dimension size ({}).",
                start, length, n
            )));
        }
        wrap(py, self.t.with_layout(self.t.layout.narrow(d, s as usize, length as usize)))
    }

    fn transpose(&self, py: Python<'_>, dim0: i64, dim1: i64) -> PyResult<Py<PyTensor>> {
        let (a, b) = (self.dim_arg(dim0)?, self.dim_arg(dim1)?);
        wrap(py, self.t.with_layout(self.t.layout.transpose(a, b)))
    }

    fn t(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        if self.t.ndim() > 2 {
            return Err(PyRuntimeError::new_err(format!(
                "t() expects a tensor with <= 2 dimensions, but self is {}D",
                self.t.ndim()
            )));
        }
        if self.t.ndim() < 2 {
            return wrap(py, self.t.clone());
        }
        wrap(py, self.t.with_layout(self.t.layout.transpose(0, 1)))
    }

    fn t_(slf: PyRefMut<'_, Self>) -> PyResult<PyRefMut<'_, Self>> {
        let mut s = slf;
        if s.t.ndim() > 2 {
            return Err(PyRuntimeError::new_err(format!(
                "t_() expects a tensor with <= 2 dimensions, but self is {}D",
                s.t.ndim()
            )));
        }
        if s.t.ndim() == 2 {
            s.t.layout = s.t.layout.transpose(0, 1);
        }
        Ok(s)
    }

    #[getter(T)]
    fn big_t(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let n = self.t.ndim();
        if n > 2 {
            PyErr::warn(
                py,
                &py.get_type::<pyo3::exceptions::PyUserWarning>(),
                c"The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it will throw an error in a future release. Consider `x.mT` to transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.",
                1,
            )?;
        }
        let dims: Vec<usize> = (0..n).rev().collect();
        wrap(py, self.t.with_layout(self.t.layout.permute(&dims)))
    }

    #[getter(mT)]
    fn m_t(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let n = self.t.ndim();
        if n == 0 {
            PyErr::warn(
                py,
                &py.get_type::<pyo3::exceptions::PyUserWarning>(),
                c"Tensor.mT is deprecated on 0-D tensors. This function is the identity in these cases.",
                1,
            )?;
            return wrap(py, self.t.clone());
        }
        if n < 2 {
            return Err(PyRuntimeError::new_err(format!(
                "tensor.mT is only supported on matrices or batches of matrices. Got {}-D tensor.",
                n
            )));
        }
        wrap(py, self.t.with_layout(self.t.layout.transpose(n - 2, n - 1)))
    }

    #[pyo3(signature = (*dims))]
    fn permute(&self, py: Python<'_>, dims: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        let dims = parse_size("permute", dims)?;
        let n = self.t.ndim();
        if dims.len() != n {
            return Err(PyRuntimeError::new_err(format!(
                "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {} is not equal to len(dims) = {}",
                n,
                dims.len()
            )));
        }
        let mut seen = vec![false; n];
        let mut out = Vec::with_capacity(n);
        for &d in &dims {
            let w = wrap_dim(d, n)?;
            if seen[w] {
                return Err(PyRuntimeError::new_err("permute(): duplicate dims are not allowed."));
            }
            seen[w] = true;
            out.push(w);
        }
        wrap(py, self.t.with_layout(self.t.layout.permute(&out)))
    }

    #[pyo3(signature = (*shape))]
    fn view(&self, py: Python<'_>, shape: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        if shape.len() == 1 {
            if let Ok(d) = shape.get_item(0)?.cast::<PyDType>() {
                if d.get().dt.itemsize() != self.t.dtype.itemsize() {
                    return Err(PyRuntimeError::new_err(
                        "view(dtype) between dtypes of different sizes is not supported yet",
                    ));
                }
                let mut t = self.t.clone();
                t.dtype = d.get().dt;
                return wrap(py, t);
            }
        }
        let size = infer_size(&parse_size("view", shape)?, self.t.numel())?;
        match self.t.layout.view_strides(&size) {
            Some(strides) => wrap(py, self.t.with_layout(Layout { shape: size, strides, offset: self.t.layout.offset })),
            None => Err(PyRuntimeError::new_err(
                "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
            )),
        }
    }

    #[pyo3(signature = (*shape))]
    fn reshape(&self, py: Python<'_>, shape: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        let size = infer_size(&parse_size("reshape", shape)?, self.t.numel())?;
        match self.t.layout.view_strides(&size) {
            Some(strides) => wrap(py, self.t.with_layout(Layout { shape: size, strides, offset: self.t.layout.offset })),
            None => {
                let c = self.t.contiguous()?;
                wrap(py, c.with_layout(Layout::contiguous(&size)))
            }
        }
    }

    fn __getitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        match self.index_layout(key)? {
            Some(l) => wrap(py, self.t.with_layout(l)),
            None => Err(PyIndexError::new_err(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got an unsupported index type)",
            )),
        }
    }

    fn __setitem__(&self, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let Some(l) = self.index_layout(key)? else {
            return Err(PyIndexError::new_err("unsupported index type for assignment"));
        };
        let dst = self.t.with_layout(l);
        if let Ok(v) = value.cast::<PyTensor>() {
            dst.copy_(&v.borrow().t)?;
        } else if let Some(p) = super::convert::py_to_pivot(value)? {
            if matches!(p, Pivot::C(..)) && !dst.dtype.is_complex() {
                return Err(PyRuntimeError::new_err(format!(
                    "value cannot be converted to type {} without overflow",
                    dst.dtype.name()
                )));
            }
            dst.fill_(p)?;
        } else if value.is_instance_of::<pyo3::types::PyList>() || value.is_instance_of::<PyTuple>() {
            return Err(PyTypeError::new_err(format!(
                "can't assign a {} to a {}",
                value.get_type().name()?,
                legacy_type_name(dst.dtype, dst.device())
            )));
        } else {
            let src = super::create::tensor_from_data(value, None)?;
            dst.copy_(&src)?;
        }
        Ok(())
    }
}
