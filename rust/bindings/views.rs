//! View and shape methods on `Tensor` (select, narrow, transpose, permute, view/reshape, squeeze,
//! expand, movedim, diagonal, unfold, as_strided, ...) and the copying shape ops (cat, flip, roll,
//! repeat, tril/triu). Indexing is in `index.rs`.
#![allow(unsafe_op_in_unsafe_fn)]
use pyo3::exceptions::{PyIndexError, PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyList, PyTuple};

use crate::layout::{Layout, infer_size, wrap_dim};
use crate::ops::shape as sh;
use crate::tensor::Tensor;

use super::dtype::PyDType;
use crate::autograd::pick::pick;

/// A view of `t` through the layout map `f`, recorded as `name` under autograd.
fn vw(t: &Tensor, name: &'static str, f: impl Fn(&Layout) -> Layout) -> crate::error::Result<Tensor> {
    t.view_op(name, |l| Ok(f(l)))
}

/// `t` viewed with `shape` (the caller checked that the strides allow it).
pub fn view_as_shape(t: &Tensor, name: &'static str, shape: Vec<usize>) -> crate::error::Result<Tensor> {
    t.view_op(name, move |l| match view_layout(l, &shape) {
        Some(v) => Ok(v),
        None => crate::bail!(runtime, "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead."),
    })
}

/// `l` viewed with `shape`, when its strides allow it (contiguous layouts always do).
fn view_layout(l: &Layout, shape: &[usize]) -> Option<Layout> {
    let strides = match l.view_strides(shape) {
        Some(s) => s,
        None if l.is_contiguous() => crate::layout::contiguous_strides(shape),
        None => return None,
    };
    Some(Layout { shape: shape.to_vec(), strides, offset: l.offset })
}

/// `reshape`: a view when the strides allow it, else a copy (`UnsafeViewBackward0` over a clone).
pub fn reshape_t(t: &Tensor, size: Vec<usize>) -> crate::error::Result<Tensor> {
    if view_layout(&t.layout, &size).is_some() {
        return view_as_shape(t, "ViewBackward0", size);
    }
    let c = crate::autograd::formulas::clone(t, |x| x.contiguous_copy())?;
    view_as_shape(&c, "UnsafeViewBackward0", size)
}
use super::tensor::{PyTensor, legacy_type_name, parse_size, wrap};

#[pymethods]
impl PyTensor {
    // ----- basic views (the full set is the views issue's) -----
    fn select(slf: &Bound<'_, Self>, py: Python<'_>, dim: i64, index: i64) -> PyResult<Py<PyTensor>> {
        super::autograd_gaps::ensure_view_base(slf);
        let this = &*slf.borrow();
        if this.t.ndim() == 0 {
            return Err(PyIndexError::new_err("select() cannot be applied to a 0-dim tensor."));
        }
        let d = this.dim_arg(dim)?;
        let n = this.t.shape()[d] as i64;
        if index < -n || index >= n {
            return Err(PyIndexError::new_err(format!(
                "select(): index {} out of range for tensor of size {:?} at dimension {}",
                index,
                this.t.shape(),
                dim
            )));
        }
        let i = if index < 0 { index + n } else { index } as usize;
        wrap(py, vw(&this.t, "SelectBackward0", move |l| l.select(d, i))?)
    }

    fn narrow(slf: &Bound<'_, Self>, py: Python<'_>, dim: i64, start: i64, length: i64) -> PyResult<Py<PyTensor>> {
        super::autograd_gaps::ensure_view_base(slf);
        let this = &*slf.borrow();
        if this.t.ndim() == 0 {
            return Err(PyRuntimeError::new_err("narrow() cannot be applied to a 0-dim tensor."));
        }
        let d = this.dim_arg(dim)?;
        let n = this.t.shape()[d] as i64;
        if length < 0 {
            return Err(PyRuntimeError::new_err("narrow(): length must be non-negative."));
        }
        if start < -n || start > n {
            return Err(PyIndexError::new_err(format!("start out of range (expected to be in range of [{}, {}], but got {})", -n, n, start)));
        }
        let s = if start < 0 { start + n } else { start };
        if s > n - length {
            return Err(PyRuntimeError::new_err(format!("start ({}) + length ({}) exceeds dimension size ({}).", s, length, n)));
        }
        wrap(py, vw(&this.t, "SliceBackward0", move |l| l.narrow(d, s as usize, length as usize))?)
    }

    fn transpose(slf: &Bound<'_, Self>, py: Python<'_>, dim0: i64, dim1: i64) -> PyResult<Py<PyTensor>> {
        super::autograd_gaps::ensure_view_base(slf);
        let this = &*slf.borrow();
        let (a, b) = (this.dim_arg(dim0)?, this.dim_arg(dim1)?);
        wrap(py, vw(&this.t, "TransposeBackward0", move |l| l.transpose(a, b))?)
    }

    fn t(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        super::autograd_gaps::ensure_view_base(slf);
        let this = &*slf.borrow();
        if this.t.ndim() > 2 {
            return Err(PyRuntimeError::new_err(format!(
                "t() expects a tensor with <= 2 dimensions, but self is {}D",
                this.t.ndim()
            )));
        }
        if this.t.ndim() < 2 {
            return wrap(py, this.t.clone());
        }
        wrap(py, vw(&this.t, "TBackward0", |l| l.transpose(0, 1))?)
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
    fn big_t(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        super::autograd_gaps::ensure_view_base(slf);
        let this = &*slf.borrow();
        let n = this.t.ndim();
        if n > 2 {
            PyErr::warn(
                py,
                &py.get_type::<pyo3::exceptions::PyUserWarning>(),
                c"The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it will throw an error in a future release. Consider `x.mT` to transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.",
                1,
            )?;
        }
        let dims: Vec<usize> = (0..n).rev().collect();
        wrap(py, vw(&this.t, "PermuteBackward0", move |l| l.permute(&dims))?)
    }

    #[getter(mT)]
    fn m_t(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        super::autograd_gaps::ensure_view_base(slf);
        let this = &*slf.borrow();
        let n = this.t.ndim();
        if n == 0 {
            PyErr::warn(
                py,
                &py.get_type::<pyo3::exceptions::PyUserWarning>(),
                c"Tensor.mT is deprecated on 0-D tensors. This function is the identity in these cases.",
                1,
            )?;
            return wrap(py, this.t.clone());
        }
        if n < 2 {
            return Err(PyRuntimeError::new_err(format!(
                "tensor.mT is only supported on matrices or batches of matrices. Got {}-D tensor.",
                n
            )));
        }
        wrap(py, vw(&this.t, "TransposeBackward0", move |l| l.transpose(n - 2, n - 1))?)
    }

    #[pyo3(signature = (*dims))]
    fn permute(slf: &Bound<'_, Self>, py: Python<'_>, dims: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        super::autograd_gaps::ensure_view_base(slf);
        let this = &*slf.borrow();
        let dims = parse_size("permute", dims)?;
        let n = this.t.ndim();
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
        wrap(py, vw(&this.t, "PermuteBackward0", move |l| l.permute(&out))?)
    }

    #[pyo3(signature = (*shape))]
    fn view(slf: &Bound<'_, Self>, py: Python<'_>, shape: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        super::autograd_gaps::ensure_view_base(slf);
        let this = &*slf.borrow();
        if shape.len() == 1 {
            if let Ok(d) = shape.get_item(0)?.cast::<PyDType>() {
                return wrap(py, sh::view_dtype(&this.t, d.get().dt)?);
            }
        }
        let size = infer_size(&parse_size("view", shape)?, this.t.numel())?;
        match view_layout(&this.t.layout, &size) {
            Some(_) => wrap(py, view_as_shape(&this.t, "ViewBackward0", size)?),
            None => Err(PyRuntimeError::new_err(
                "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
            )),
        }
    }

    #[pyo3(signature = (*shape))]
    fn reshape(slf: &Bound<'_, Self>, py: Python<'_>, shape: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        super::autograd_gaps::ensure_view_base(slf);
        let this = &*slf.borrow();
        let size = infer_size(&parse_size("reshape", shape)?, this.t.numel())?;
        wrap(py, reshape_t(&this.t, size)?)
    }
}

/// Dims given as an int or a sequence of ints (`squeeze(dim)`, `flip(dims)`, `roll(dims=)`).
fn int_list(obj: &Bound<'_, PyAny>, fname: &str, arg: &str) -> PyResult<Vec<i64>> {
    if obj.is_instance_of::<PyInt>() {
        return Ok(vec![obj.extract()?]);
    }
    if obj.is_instance_of::<PyTuple>() || obj.is_instance_of::<PyList>() || obj.hasattr("__len__")? && obj.cast::<PyTensor>().is_err() {
        let mut v = Vec::new();
        for x in obj.try_iter()? {
            v.push(x?.extract::<i64>()?);
        }
        return Ok(v);
    }
    if let Ok(i) = obj.call_method0("__index__") {
        return Ok(vec![i.extract()?]);
    }
    Err(PyTypeError::new_err(format!(
        "{fname}(): argument '{arg}' must be tuple of ints, not {}",
        obj.get_type().name()?
    )))
}

/// `*dims` given either spread out or as one sequence.
fn spread_ints(args: &Bound<'_, PyTuple>, fname: &str) -> PyResult<Vec<i64>> {
    if args.len() == 1 {
        return int_list(&args.get_item(0)?, fname, "dims");
    }
    Ok(parse_size(fname, args)?)
}

fn tensors_arg(obj: &Bound<'_, PyAny>, fname: &str) -> PyResult<Vec<Tensor>> {
    if obj.cast::<PyTensor>().is_ok() || !(obj.is_instance_of::<PyTuple>() || obj.is_instance_of::<PyList>()) {
        return Err(PyTypeError::new_err(format!(
            "{fname}(): argument 'tensors' (position 1) must be tuple of Tensors, not {}",
            obj.get_type().name()?
        )));
    }
    let mut v = Vec::new();
    for (i, x) in obj.try_iter()?.enumerate() {
        let x = x?;
        match x.cast::<PyTensor>() {
            Ok(t) => v.push(t.borrow().t.clone()),
            Err(_) => {
                return Err(PyTypeError::new_err(format!(
                    "expected Tensor as element {} in argument 0, but got {}",
                    i,
                    x.get_type().name()?
                )));
            }
        }
    }
    Ok(v)
}

impl PyTensor {
    fn squeeze_impl(&self, dim: Option<&Bound<'_, PyAny>>) -> PyResult<Tensor> {
        let n = self.t.ndim();
        match dim {
            None => Ok(sh::squeeze(&self.t, None, "SqueezeBackward0")?),
            Some(d) if d.is_none() => Ok(sh::squeeze(&self.t, None, "SqueezeBackward0")?),
            Some(d) => {
                let dims = int_list(d, "squeeze", "dim")?;
                let w = crate::layout::wrap_dims_unique(&dims, n)?;
                if n == 0 {
                    return Ok(self.t.clone());
                }
                let name = if d.is_instance_of::<PyInt>() { "SqueezeBackward1" } else { "SqueezeBackward2" };
                Ok(sh::squeeze(&self.t, Some(&w), name)?)
            }
        }
    }

    fn expand_impl(&self, sizes: &[i64]) -> PyResult<Tensor> {
        if sizes.len() < self.t.ndim() {
            return Err(PyRuntimeError::new_err(format!(
                "expand({}{{[{}]}}, size=[{}]): the number of sizes provided ({}) must be greater or equal to the number of dimensions in the tensor ({})",
                legacy_type_name(self.t.dtype, self.t.device()),
                self.t.shape().iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "),
                sizes.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "),
                sizes.len(),
                self.t.ndim()
            )));
        }
        Ok(sh::expand(&self.t, sizes)?)
    }

    fn roll_impl(&self, shifts: &Bound<'_, PyAny>, dims: Option<&Bound<'_, PyAny>>) -> PyResult<Tensor> {
        let shifts = int_list(shifts, "roll", "shifts")?;
        let dims = match dims {
            Some(d) if !d.is_none() => int_list(d, "roll", "dims")?,
            _ => vec![],
        };
        Ok(pick("RollBackward0", &self.t, move |x| roll_t(x, &shifts, &dims))?)
    }
}

fn roll_t(t: &Tensor, shifts: &[i64], dims: &[i64]) -> crate::error::Result<Tensor> {
    {
        if dims.is_empty() {
            if shifts.len() != 1 {
                crate::bail!(runtime, "shifts and dimensions must align. shifts: {}, dims:0", shifts.len());
            }
            let n = t.numel();
            let flat = t.contiguous()?;
            let flat = flat.with_layout(Layout { shape: vec![n], strides: vec![1], offset: flat.layout.offset });
            let r = sh::roll_dim(&flat, shifts[0], 0)?;
            return Ok(r.with_layout(Layout::contiguous(t.shape())));
        }
        if shifts.len() != dims.len() {
            crate::bail!(runtime, "shifts and dimensions must align. shifts: {}, dims:{}", shifts.len(), dims.len());
        }
        let mut cur = t.clone();
        for (&s, &d) in shifts.iter().zip(dims) {
            let d = wrap_dim(d, t.ndim())?;
            cur = sh::roll_dim(&cur, s, d)?;
        }
        Ok(cur)
    }
}

#[pymethods]
impl PyTensor {
    fn view_as(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let shape = PyTuple::new(py, other.borrow().t.shape())?;
        Self::view(slf, py, &PyTuple::new(py, [shape])?)
    }

    fn reshape_as(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let shape = PyTuple::new(py, other.borrow().t.shape())?;
        Self::reshape(slf, py, &PyTuple::new(py, [shape])?)
    }

    #[pyo3(signature = (dim=None))]
    fn squeeze(slf: &Bound<'_, Self>, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        super::autograd_gaps::ensure_view_base(slf);
        let this = &*slf.borrow();
        wrap(py, this.squeeze_impl(dim)?)
    }

    #[pyo3(signature = (dim=None))]
    fn squeeze_<'py>(slf: Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let t = slf.borrow().squeeze_impl(dim)?;
        slf.borrow_mut().t.layout = t.layout;
        Ok(slf)
    }

    fn unsqueeze(slf: &Bound<'_, Self>, py: Python<'_>, dim: i64) -> PyResult<Py<PyTensor>> {
        super::autograd_gaps::ensure_view_base(slf);
        let this = &*slf.borrow();
        wrap(py, sh::unsqueeze(&this.t, dim)?)
    }

    fn unsqueeze_<'py>(slf: Bound<'py, Self>, dim: i64) -> PyResult<Bound<'py, Self>> {
        let t = sh::unsqueeze(&slf.borrow().t, dim)?;
        slf.borrow_mut().t.layout = t.layout;
        Ok(slf)
    }

    fn transpose_<'py>(slf: Bound<'py, Self>, dim0: i64, dim1: i64) -> PyResult<Bound<'py, Self>> {
        let (a, b) = (slf.borrow().dim_arg(dim0)?, slf.borrow().dim_arg(dim1)?);
        let l = slf.borrow().t.layout.transpose(a, b);
        slf.borrow_mut().t.layout = l;
        Ok(slf)
    }

    #[pyo3(signature = (*sizes))]
    fn expand(slf: &Bound<'_, Self>, py: Python<'_>, sizes: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        super::autograd_gaps::ensure_view_base(slf);
        let this = &*slf.borrow();
        let sizes = parse_size("expand", sizes)?;
        wrap(py, this.expand_impl(&sizes)?)
    }

    fn expand_as(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        super::autograd_gaps::ensure_view_base(slf);
        let this = &*slf.borrow();
        let sizes: Vec<i64> = other.borrow().t.shape().iter().map(|&d| d as i64).collect();
        wrap(py, this.expand_impl(&sizes)?)
    }

    fn movedim(slf: &Bound<'_, Self>, py: Python<'_>, source: &Bound<'_, PyAny>, destination: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        super::autograd_gaps::ensure_view_base(slf);
        let this = &*slf.borrow();
        let s = int_list(source, "movedim", "source")?;
        let d = int_list(destination, "movedim", "destination")?;
        wrap(py, sh::movedim(&this.t, &s, &d)?)
    }

    #[pyo3(signature = (offset=0, dim1=0, dim2=1))]
    fn diagonal(slf: &Bound<'_, Self>, py: Python<'_>, offset: i64, dim1: i64, dim2: i64) -> PyResult<Py<PyTensor>> {
        super::autograd_gaps::ensure_view_base(slf);
        let this = &*slf.borrow();
        wrap(py, sh::diagonal(&this.t, offset, dim1, dim2)?)
    }

    #[pyo3(signature = (offset=0, dim1=-2, dim2=-1))]
    fn diag_embed(&self, py: Python<'_>, offset: i64, dim1: i64, dim2: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, pick("DiagEmbedBackward0", &self.t, move |x| sh::diag_embed(x, offset, dim1, dim2))?)
    }

    fn unfold(slf: &Bound<'_, Self>, py: Python<'_>, dimension: i64, size: i64, step: i64) -> PyResult<Py<PyTensor>> {
        super::autograd_gaps::ensure_view_base(slf);
        let this = &*slf.borrow();
        wrap(py, sh::unfold(&this.t, dimension, size, step)?)
    }

    #[pyo3(signature = (*dims))]
    fn flip(&self, py: Python<'_>, dims: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        let dims = spread_ints(dims, "flip")?;
        wrap(py, pick("FlipBackward0", &self.t, move |x| sh::flip(x, &dims))?)
    }

    #[pyo3(signature = (shifts, dims=None))]
    fn roll(&self, py: Python<'_>, shifts: &Bound<'_, PyAny>, dims: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        wrap(py, self.roll_impl(shifts, dims)?)
    }

    #[pyo3(signature = (*sizes))]
    fn repeat(&self, py: Python<'_>, sizes: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        if sizes.is_empty() {
            return Err(PyTypeError::new_err("repeat() missing 1 required positional arguments: \"repeats\""));
        }
        let sizes = parse_size("repeat", sizes)?;
        wrap(py, pick("RepeatBackward0", &self.t, move |x| sh::repeat(x, &sizes))?)
    }

    #[pyo3(signature = (diagonal=0))]
    fn tril(&self, py: Python<'_>, diagonal: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, pick("TrilBackward0", &self.t, move |x| sh::tri(x, diagonal, false))?)
    }

    #[pyo3(signature = (diagonal=0))]
    fn triu(&self, py: Python<'_>, diagonal: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, pick("TriuBackward0", &self.t, move |x| sh::tri(x, diagonal, true))?)
    }

    #[pyo3(signature = (diagonal=0))]
    fn tril_<'py>(slf: Bound<'py, Self>, diagonal: i64) -> PyResult<Bound<'py, Self>> {
        sh::tri_(&slf.borrow().t, diagonal, false, "tril")?;
        Ok(slf)
    }

    #[pyo3(signature = (diagonal=0))]
    fn triu_<'py>(slf: Bound<'py, Self>, diagonal: i64) -> PyResult<Bound<'py, Self>> {
        sh::tri_(&slf.borrow().t, diagonal, true, "triu")?;
        Ok(slf)
    }

    #[pyo3(signature = (size, stride, storage_offset=None))]
    fn as_strided(slf: &Bound<'_, Self>, py: Python<'_>, size: &Bound<'_, PyAny>, stride: &Bound<'_, PyAny>, storage_offset: Option<i64>) -> PyResult<Py<PyTensor>> {
        super::autograd_gaps::ensure_view_base(slf);
        let this = &*slf.borrow();
        wrap(py, this.as_strided_impl(size, stride, storage_offset)?)
    }

    #[pyo3(signature = (size, stride, storage_offset=None))]
    fn as_strided_<'py>(slf: Bound<'py, Self>, size: &Bound<'py, PyAny>, stride: &Bound<'py, PyAny>, storage_offset: Option<i64>) -> PyResult<Bound<'py, Self>> {
        let t = slf.borrow().as_strided_impl(size, stride, storage_offset)?;
        slf.borrow_mut().t.layout = t.layout;
        Ok(slf)
    }

    #[pyo3(signature = (*sizes, memory_format=None))]
    fn resize_<'py>(slf: Bound<'py, Self>, sizes: &Bound<'py, PyTuple>, memory_format: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let _ = memory_format;
        let size = super::tensor::to_shape(&parse_size("resize_", sizes)?)?;
        let this = slf.borrow().t.clone();
        let need = crate::tensor::checked_numel(&size, this.dtype)?;
        let cap = this.storage.nbytes() / this.dtype.itemsize();
        let new_t = if this.layout.offset + need <= cap {
            this.with_layout(Layout { shape: size.clone(), strides: crate::layout::contiguous_strides(&size), offset: this.layout.offset })
        } else {
            // Grow: a new storage holding the old bytes, as torch's resize_ keeps the prefix.
            let fresh = Tensor::zeros(&[this.layout.offset + need], this.dtype, this.device())?;
            let old = cap.min(this.layout.offset + need);
            // SAFETY: both storages hold at least `old` elements.
            unsafe { std::ptr::copy_nonoverlapping(this.storage.as_ptr(), fresh.storage.as_ptr(), old * this.dtype.itemsize()) };
            fresh.with_layout(Layout { shape: size.clone(), strides: crate::layout::contiguous_strides(&size), offset: this.layout.offset })
        };
        slf.borrow_mut().t = new_t;
        Ok(slf)
    }
}

impl PyTensor {
    fn as_strided_impl(&self, size: &Bound<'_, PyAny>, stride: &Bound<'_, PyAny>, storage_offset: Option<i64>) -> PyResult<Tensor> {
        let size = int_list(size, "as_strided", "size")?;
        let stride = int_list(stride, "as_strided", "stride")?;
        if let Some(&d) = size.iter().find(|&&d| d < 0) {
            return Err(PyRuntimeError::new_err(format!("as_strided: Negative size given {d}")));
        }
        if stride.iter().any(|&s| s < 0) {
            return Err(PyRuntimeError::new_err("as_strided: Negative strides are not supported at the moment, got strides: ".to_string() + &format!("{:?}", stride)));
        }
        let off = storage_offset.unwrap_or(self.t.layout.offset as i64);
        if off < 0 {
            return Err(PyRuntimeError::new_err(format!("Tensor: invalid storage offset {off}")));
        }
        let shape: Vec<usize> = size.iter().map(|&d| d as usize).collect();
        let strides: Vec<isize> = stride.iter().map(|&d| d as isize).collect();
        Ok(self.t.as_strided(&shape, &strides, off as usize)?)
    }
}

// ----- torch.* functions -----

#[pyfunction]
#[pyo3(signature = (tensors, dim=0, *, out=None))]
pub fn cat(py: Python<'_>, tensors: &Bound<'_, PyAny>, dim: i64, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    let ts = tensors_arg(tensors, "cat")?;
    let r = py.detach(|| {
        let d = ts.iter().find(|t| !(t.ndim() == 1 && t.numel() == 0)).map(|t| wrap_dim(dim, t.ndim())).transpose()?.unwrap_or(0);
        crate::autograd::pick::cat("CatBackward0", &ts, d, |xs| sh::cat(xs, dim))
    })?;
    match out {
        None => Ok(wrap(py, r)?.into_any()),
        Some(o) => {
            let same = o.borrow().t.shape() == r.shape();
            if same {
                o.borrow().t.copy_(&r)?;
            } else {
                let fresh = r.to_dtype(o.borrow().t.dtype, true)?;
                o.borrow_mut().t = fresh;
            }
            Ok(o.clone().into_any().unbind())
        }
    }
}

#[pyfunction]
#[pyo3(signature = (input, offset=0, dim1=-2, dim2=-1))]
pub fn diag_embed(py: Python<'_>, input: &Bound<'_, PyTensor>, offset: i64, dim1: i64, dim2: i64) -> PyResult<Py<PyTensor>> {
    input.borrow().diag_embed(py, offset, dim1, dim2)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cat, m)?)?;
    m.add_function(wrap_pyfunction!(diag_embed, m)?)?;
    Ok(())
}
