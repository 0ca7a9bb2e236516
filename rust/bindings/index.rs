//! `Tensor.__getitem__`/`__setitem__` (basic and advanced indexing) and the index_*/gather/
//! scatter/mask/nonzero family. Parsing only; the work is in `ops::index`.
use pyo3::exceptions::{PyIndexError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyEllipsis, PyInt, PyList, PySlice, PyString, PyTuple};

use crate::backend::cpu::index::Reduce;
use crate::dtype::DType;
use crate::element::Pivot;
use crate::ops::index as oi;
use crate::ops::shape::unsqueeze_layout;
use crate::tensor::Tensor;
use crate::autograd::pick::pick;
use crate::layout::Layout;

use super::tensor::{PyTensor, legacy_type_name, wrap};

enum Item {
    Int(i64),
    Slice(Option<isize>, Option<isize>, isize),
    NewAxis,
    Ellipsis,
    Bool(bool),
    T(Tensor),
}

fn type_name(o: &Bound<'_, PyAny>) -> String {
    o.get_type().name().map(|n| n.to_string()).unwrap_or_default()
}

fn parse_item(k: &Bound<'_, PyAny>) -> PyResult<Item> {
    if k.is_none() {
        return Ok(Item::NewAxis);
    }
    if k.is_instance_of::<PyBool>() {
        return Ok(Item::Bool(k.extract()?));
    }
    if k.is_instance_of::<PyInt>() {
        return Ok(Item::Int(k.extract()?));
    }
    if k.is_instance_of::<PyEllipsis>() {
        return Ok(Item::Ellipsis);
    }
    if let Ok(s) = k.cast::<PySlice>() {
        let step: Option<isize> = s.getattr("step")?.extract()?;
        let step = step.unwrap_or(1);
        if step <= 0 {
            return Err(PyValueError::new_err("step must be greater than zero"));
        }
        return Ok(Item::Slice(s.getattr("start")?.extract()?, s.getattr("stop")?.extract()?, step));
    }
    if let Ok(t) = k.cast::<PyTensor>() {
        let t = t.borrow().t.clone();
        // A 0-d integer tensor indexes like an int (a view, as torch does).
        if t.ndim() == 0 && t.dtype.is_integral(false) {
            if let Pivot::I(i) = t.item()? {
                return Ok(Item::Int(i));
            }
        }
        if t.ndim() == 0 && t.dtype == DType::Bool {
            return Ok(Item::Bool(t.item()? == Pivot::B(true)));
        }
        return Ok(Item::T(t));
    }
    if k.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err("new(): invalid data type 'str'"));
    }
    let np_scalar = k.hasattr("__index__")? && !k.hasattr("__len__")?;
    if k.is_instance_of::<PyList>() || k.is_instance_of::<PyTuple>() || (k.hasattr("__array_interface__")? && !np_scalar) {
        let t = super::create::tensor_from_data(k, None)?;
        if t.numel() == 0 && t.dtype.is_floating_point() {
            // torch reads an empty sequence key as an empty int64 index
            return Ok(Item::T(t.to_dtype(DType::I64, false)?));
        }
        return Ok(Item::T(t));
    }
    if k.hasattr("__index__")? && !k.is_instance_of::<pyo3::types::PyFloat>() {
        return Ok(Item::Int(k.call_method0("__index__")?.extract()?));
    }
    Err(PyIndexError::new_err(format!(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got {})",
        type_name(k)
    )))
}

/// torch treats a list key as a tuple of indices when it holds a sequence, tensor, slice, None or `...`.
fn list_as_tuple(l: &Bound<'_, PyList>) -> bool {
    l.iter().any(|x| {
        x.is_none()
            || x.is_instance_of::<PySlice>()
            || x.is_instance_of::<PyEllipsis>()
            || x.cast::<PyTensor>().is_ok()
            || x.is_instance_of::<PyList>()
            || x.is_instance_of::<PyTuple>()
    })
}

fn parse_key(key: &Bound<'_, PyAny>) -> PyResult<Vec<Item>> {
    if let Ok(t) = key.cast::<PyTuple>() {
        return t.iter().map(|k| parse_item(&k)).collect();
    }
    if let Ok(l) = key.cast::<PyList>() {
        if list_as_tuple(l) {
            return l.iter().map(|k| parse_item(&k)).collect();
        }
    }
    Ok(vec![parse_item(key)?])
}

/// Applies a parsed key: the basic part as a view, plus the advanced indices (None = whole dim)
/// for `ops::index` to apply to that view.
fn apply_key(t: &Tensor, items: &[Item]) -> PyResult<(Tensor, Vec<Option<Tensor>>)> {
    let (l, adv) = walk_key(t, t.layout.clone(), items)?;
    if !crate::autograd::should_record(&[t]) {
        if t.ag.is_some() && adv.is_empty() {
            // Tracked so that an in-place write of a value requiring grad rebases `t` (CopySlices).
            return Ok((crate::autograd::inplace::track_view(t, t.with_layout(l)), adv));
        }
        return Ok((t.with_layout(l), adv));
    }
    // Under autograd the view is recorded with torch's name for the key's last basic item.
    let name = match items.iter().rev().find(|k| !matches!(k, Item::Ellipsis | Item::T(_) | Item::Bool(_))) {
        Some(Item::Int(_)) => "SelectBackward0",
        Some(Item::Slice(..)) => "SliceBackward0",
        Some(Item::NewAxis) => "UnsqueezeBackward0",
        _ => "AliasBackward0",
    };
    let proxy = Layout::contiguous(t.shape());
    let (mapped, _) = walk_key(t, proxy.clone(), items)?;
    let r = t.detached().with_layout(l);
    Ok((crate::autograd::formulas::layout_view(name, t, r, proxy, mapped), adv))
}

/// The layout `l0` (a layout of `t`'s shape) after the basic part of the key, and the advanced indices.
fn walk_key(t: &Tensor, l0: Layout, items: &[Item]) -> PyResult<(Layout, Vec<Option<Tensor>>)> {
    let specified: usize = items
        .iter()
        .map(|k| match k {
            Item::Int(_) | Item::Slice(..) => 1,
            Item::T(t) if t.dtype == DType::Bool || t.dtype == DType::U8 => t.ndim(),
            Item::T(_) => 1,
            _ => 0,
        })
        .sum();
    if specified > t.ndim() {
        return Err(PyIndexError::new_err(format!("too many indices for tensor of dimension {}", t.ndim())));
    }
    let mut l = l0;
    let mut dim = 0usize;
    let mut adv: Vec<Option<Tensor>> = Vec::new();
    let mut consumed = 0usize;
    let record = |adv: &mut Vec<Option<Tensor>>, consumed: &mut usize, at: usize, ix: Tensor, width: usize| {
        while *consumed < at {
            adv.push(None);
            *consumed += 1;
        }
        adv.push(Some(ix));
        *consumed += width;
    };
    let mut seen_ellipsis = false;
    let mut orig = 0usize;
    for k in items {
        match k {
            Item::Int(_) | Item::Slice(..) => orig += 1,
            Item::T(ix) if ix.dtype == DType::Bool || ix.dtype == DType::U8 => orig += ix.ndim(),
            Item::T(_) => orig += 1,
            Item::Ellipsis if !seen_ellipsis => orig += t.ndim() - specified,
            _ => {}
        }
        match k {
            Item::Int(i) => {
                let n = l.shape[dim] as i64;
                if *i < -n || *i >= n {
                    return Err(PyIndexError::new_err(format!(
                        "index {} is out of bounds for dimension {} with size {}",
                        i, orig - 1, n
                    )));
                }
                let i = if *i < 0 { i + n } else { *i };
                l = l.select(dim, i as usize);
            }
            Item::Slice(start, stop, step) => {
                let n = l.shape[dim] as isize;
                let clampi = |v: Option<isize>, dflt: isize| -> isize {
                    match v {
                        None => dflt,
                        Some(v) if v < 0 => (v + n).max(0),
                        Some(v) => v.min(n),
                    }
                };
                let s = clampi(*start, 0);
                let e = clampi(*stop, n).max(s);
                let len = (e - s + step - 1) / step;
                l.offset = (l.offset as isize + s * l.strides[dim]) as usize;
                l.shape[dim] = len.max(0) as usize;
                l.strides[dim] *= step;
                dim += 1;
            }
            Item::NewAxis => {
                l = unsqueeze_layout(&l, dim);
                dim += 1;
            }
            Item::Ellipsis => {
                if !seen_ellipsis {
                    dim += t.ndim() - specified;
                }
                seen_ellipsis = true;
            }
            Item::Bool(b) => {
                l = unsqueeze_layout(&l, dim);
                let ix = if *b { Tensor::zeros(&[1], DType::I64, crate::device::Device::Cpu)? } else { Tensor::zeros(&[0], DType::I64, crate::device::Device::Cpu)? };
                record(&mut adv, &mut consumed, dim, ix, 1);
                dim += 1;
            }
            Item::T(ix) => {
                let w = if ix.dtype == DType::Bool || ix.dtype == DType::U8 { ix.ndim() } else { 1 };
                record(&mut adv, &mut consumed, dim, ix.clone(), w);
                dim += w;
            }
        }
    }
    Ok((l, adv))
}

/// A Python value for `__setitem__` as a tensor of `dt` (scalars stay 0-d).
fn value_tensor(value: &Bound<'_, PyAny>, dst: &Tensor) -> PyResult<Tensor> {
    if let Ok(v) = value.cast::<PyTensor>() {
        return Ok(v.borrow().t.clone());
    }
    if let Some(p) = super::convert::py_to_pivot(value)? {
        // A complex number with a zero imaginary part goes into a real dtype as its real part.
        let p = match p {
            Pivot::C(re, im) if im == 0.0 && !dst.dtype.is_complex() && dst.dtype != DType::Bool => Pivot::F(re),
            p => p,
        };
        // torch range-checks a number for integer and float32 targets (complex goes to bool, not
        // to other real types); 16-bit floats and double take any real number (1e10 becomes inf
        // in float16)
        let p = if dst.dtype.is_floating_point() && dst.dtype != DType::F32 && !matches!(p, Pivot::C(..)) {
            p
        } else {
            crate::element::checked_scalar(p, dst.dtype, crate::element::ScalarCtx::Fill)?
        };
        return Ok(Tensor::full(&[], p, dst.dtype, crate::device::Device::Cpu)?);
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        return Err(PyTypeError::new_err(format!(
            "can't assign a {} to a {}",
            value.get_type().name()?,
            legacy_type_name(dst.dtype, dst.device())
        )));
    }
    Ok(super::create::tensor_from_data(value, None)?)
}

fn reduce_arg(r: &str) -> PyResult<Reduce> {
    match r {
        "add" => Ok(Reduce::Sum),
        "multiply" => Ok(Reduce::Prod),
        _ => Err(PyRuntimeError::new_err(format!("reduce argument must be either add or multiply. Got {r}"))),
    }
}

fn scalar(v: &Bound<'_, PyAny>, what: &str) -> PyResult<Pivot> {
    if let Ok(t) = v.cast::<PyTensor>() {
        let t = t.borrow();
        if t.t.ndim() == 0 {
            return Ok(t.t.item()?);
        }
        return Err(PyRuntimeError::new_err(format!(
            "{what} only supports a 0-dimensional value tensor, but got tensor with {} dimension(s).",
            t.t.ndim()
        )));
    }
    super::convert::py_to_pivot(v)?.ok_or_else(|| PyTypeError::new_err(format!("{what}(): argument 'value' must be Number, not {}", type_name(v))))
}

fn t_of(o: &Bound<'_, PyTensor>) -> Tensor {
    o.borrow().t.clone()
}

#[pymethods]
impl PyTensor {
    fn __getitem__(slf: &Bound<'_, Self>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        let py = slf.py();
        super::autograd_gaps::ensure_view_base(slf);
        let this = slf.borrow();
        // Fast path: one Python int selects along dim 0.
        if let Ok(i) = key.cast_exact::<PyInt>() {
            let t = &this.t;
            let i: i64 = i.extract()?;
            if t.ndim() == 0 {
                return Err(PyIndexError::new_err("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"));
            }
            let n = t.layout.shape[0] as i64;
            if i < -n || i >= n {
                return Err(PyIndexError::new_err(format!("index {} is out of bounds for dimension 0 with size {}", i, n)));
            }
            let i = if i < 0 { i + n } else { i } as usize;
            return wrap(py, t.view_op("SelectBackward0", move |l| Ok(l.select(0, i)))?);
        }
        let items = parse_key(key)?;
        if this.t.ndim() == 0 && items.iter().any(|k| matches!(k, Item::Int(_))) {
            return Err(PyIndexError::new_err("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"));
        }
        let (view, adv) = apply_key(&this.t, &items)?;
        if adv.is_empty() {
            return wrap(py, view);
        }
        let out = py.detach(|| pick("IndexBackward0", &view, move |x| oi::index(x, &adv)))?;
        wrap(py, out)
    }

    fn __setitem__(slf: &Bound<'_, Self>, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let base = slf.borrow().t.clone();
        // A bare bool key: torch writes nothing for False and treats True as `...` (a cast copy).
        let items = if key.is_instance_of::<pyo3::types::PyBool>() {
            if !key.extract::<bool>()? {
                value_tensor(value, &base)?;
                return Ok(());
            }
            vec![Item::Ellipsis]
        } else {
            parse_key(key)?
        };
        let value_rg = value.cast::<PyTensor>().map(|t| t.borrow().t.requires_grad()).unwrap_or(false);
        if crate::autograd::is_grad_enabled() && (base.ag.is_some() || value_rg) {
            let v = value_tensor(value, &base)?;
            return setitem_autograd(slf, base, &items, value, v);
        }
        let this = slf.borrow();
        // torch indexes first (IndexError for a bad key) and converts the value after
        let (view, adv) = apply_key(&this.t, &items)?;
        let v = value_tensor(value, &base)?;
        if adv.is_empty() {
            super::tensor::check_partial_overlap(&view, &v)?;
            if v.ndim() == 0 && v.device() == crate::device::Device::Cpu {
                view.fill_(v.item()?)?;
            } else {
                let shape: Vec<i64> = view.shape().iter().map(|&d| d as i64).collect();
                // Leading size-1 dims of the value beyond the target's rank are dropped, as torch does.
                let extra = v.ndim().saturating_sub(shape.len());
                let lead = v.shape().iter().take(extra).take_while(|&&d| d == 1).count();
                let v = if lead > 0 { crate::ops::shape::squeeze(&v, Some(&(0..lead).collect::<Vec<_>>()), "SqueezeBackward2")? } else { v };
                if v.ndim() > shape.len() {
                    view.copy_(&v)?;
                } else {
                    view.copy_(&crate::ops::shape::expand(&v, &shape)?)?;
                }
            }
            return Ok(());
        }
        if value.cast::<PyTensor>().is_ok() {
            let masks: Vec<&Tensor> = adv.iter().flatten().filter(|t| matches!(t.dtype, DType::Bool | DType::U8)).collect();
            if v.numel() == 1 && adv.iter().flatten().count() == 1 && masks.len() == 1 && v.device() == crate::device::Device::Cpu {
                // torch's index_put_ turns one mask and a one-element value into masked_fill_ with
                // the value's item, which converts to self's dtype.
                let p = crate::element::checked_scalar(v.item()?, view.dtype, crate::element::ScalarCtx::Fill)?;
                let fill = Tensor::full(&[], p, view.dtype, crate::device::Device::Cpu)?;
                return Ok(oi::index_put_(&view, &adv, &fill, false)?);
            }
            // torch broadcasts the indices before it compares dtypes.
            crate::ops::index_checks::check_index_broadcast(&adv)?;
        }
        if value.cast::<PyTensor>().is_ok() && v.dtype != this.t.dtype {
            return Err(PyRuntimeError::new_err(format!(
                "Index put requires the source and destination dtypes match, got {} for the destination and {} for the source.",
                this.t.dtype.scalar_name(),
                v.dtype.scalar_name()
            )));
        }
        super::tensor::check_partial_overlap(&view, &v)?;
        Ok(oi::index_put_(&view, &adv, &v, false)?)
    }

    fn index_select(&self, py: Python<'_>, dim: i64, index: &Bound<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let i = t_of(index);
        wrap(py, pick("IndexSelectBackward0", &self.t, move |x| oi::index_select(x, dim, &i))?)
    }

    #[pyo3(signature = (dim, index, *, sparse_grad=false))]
    fn gather(&self, py: Python<'_>, dim: i64, index: &Bound<'_, PyTensor>, sparse_grad: bool) -> PyResult<Py<PyTensor>> {
        let _ = sparse_grad;
        let i = t_of(index);
        wrap(py, pick("GatherBackward0", &self.t, move |x| oi::gather_dim(x, dim, &i))?)
    }

    #[pyo3(signature = (dim, index, src=None, *, value=None, reduce=None))]
    fn scatter_<'py>(slf: Bound<'py, Self>, dim: i64, index: &Bound<'py, PyTensor>, src: Option<&Bound<'py, PyAny>>, value: Option<&Bound<'py, PyAny>>, reduce: Option<&str>) -> PyResult<Bound<'py, Self>> {
        let t = slf.borrow().t.clone();
        if let (None, Some((s, v))) = (reduce, scatter_recording(&t, src, value)?) {
            let i = t_of(index);
            return ag_give_back(slf, move |x| crate::autograd::ternary::scatter(x, dim, &i, s.as_ref(), v, false));
        }
        scatter_impl(&slf.borrow().t, dim, index, src, value, reduce)?;
        Ok(slf)
    }

    #[pyo3(signature = (dim, index, src=None, *, value=None, reduce=None))]
    fn scatter(&self, py: Python<'_>, dim: i64, index: &Bound<'_, PyTensor>, src: Option<&Bound<'_, PyAny>>, value: Option<&Bound<'_, PyAny>>, reduce: Option<&str>) -> PyResult<Py<PyTensor>> {
        if let (None, Some((s, v))) = (reduce, scatter_recording(&self.t, src, value)?) {
            return wrap(py, crate::autograd::ternary::scatter(&self.t, dim, &t_of(index), s.as_ref(), v, false)?);
        }
        let out = self.t.contiguous_copy()?;
        scatter_impl(&out, dim, index, src, value, reduce)?;
        wrap(py, out)
    }

    fn scatter_add_<'py>(slf: Bound<'py, Self>, dim: i64, index: &Bound<'py, PyTensor>, src: &Bound<'py, PyTensor>) -> PyResult<Bound<'py, Self>> {
        let (t, s) = (slf.borrow().t.clone(), t_of(src));
        if crate::autograd::should_record(&[&t, &s]) {
            let i = t_of(index);
            return ag_give_back(slf, move |x| crate::autograd::ternary::scatter(x, dim, &i, Some(&s), Pivot::I(0), true));
        }
        oi::scatter_(&slf.borrow().t, dim, &t_of(index), Some(&t_of(src)), Pivot::I(0), Reduce::Sum)?;
        Ok(slf)
    }

    fn scatter_add(&self, py: Python<'_>, dim: i64, index: &Bound<'_, PyTensor>, src: &Bound<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let s = t_of(src);
        if crate::autograd::should_record(&[&self.t, &s]) {
            return wrap(py, crate::autograd::ternary::scatter(&self.t, dim, &t_of(index), Some(&s), Pivot::I(0), true)?);
        }
        let out = self.t.contiguous_copy()?;
        oi::scatter_(&out, dim, &t_of(index), Some(&t_of(src)), Pivot::I(0), Reduce::Sum)?;
        wrap(py, out)
    }

    #[pyo3(signature = (dim, index, src, reduce, *, include_self=true))]
    fn scatter_reduce_<'py>(slf: Bound<'py, Self>, dim: i64, index: &Bound<'py, PyTensor>, src: &Bound<'py, PyTensor>, reduce: &str, include_self: bool) -> PyResult<Bound<'py, Self>> {
        let (t, s) = (slf.borrow().t.clone(), t_of(src));
        if crate::autograd::should_record(&[&t, &s]) {
            let i = t_of(index);
            return ag_give_back(slf, move |x| crate::autograd::ternary::scatter_reduce(x, dim, &i, &s, reduce, include_self));
        }
        crate::autograd::check_inplace(&t)?;
        oi::scatter_reduce_(&t, dim, &t_of(index), &s, reduce, include_self)?;
        Ok(slf)
    }

    #[pyo3(signature = (dim, index, src, reduce, *, include_self=true))]
    fn scatter_reduce(&self, py: Python<'_>, dim: i64, index: &Bound<'_, PyTensor>, src: &Bound<'_, PyTensor>, reduce: &str, include_self: bool) -> PyResult<Py<PyTensor>> {
        wrap(py, crate::autograd::ternary::scatter_reduce(&self.t, dim, &t_of(index), &t_of(src), reduce, include_self)?)
    }

    #[pyo3(signature = (dim, index, source, *, alpha=None))]
    fn index_add_<'py>(slf: Bound<'py, Self>, dim: i64, index: &Bound<'py, PyTensor>, source: &Bound<'py, PyTensor>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let a = match alpha { Some(a) => scalar(a, "index_add_")?, None => Pivot::I(1) };
        let (t, src) = (slf.borrow().t.clone(), t_of(source));
        if crate::autograd::should_record(&[&t, &src]) {
            let i = t_of(index);
            return ag_give_back(slf, move |x| crate::autograd::ternary::index_add(x, dim, &i, &src, a));
        }
        crate::autograd::check_inplace(&t)?;
        oi::index_add_(&t, dim, &t_of(index), &src, a)?;
        Ok(slf)
    }

    #[pyo3(signature = (dim, index, source, *, alpha=None))]
    fn index_add(&self, py: Python<'_>, dim: i64, index: &Bound<'_, PyTensor>, source: &Bound<'_, PyTensor>, alpha: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        let a = match alpha { Some(a) => scalar(a, "index_add")?, None => Pivot::I(1) };
        wrap(py, crate::autograd::ternary::index_add(&self.t, dim, &t_of(index), &t_of(source), a)?)
    }

    fn index_copy_<'py>(slf: Bound<'py, Self>, dim: i64, index: &Bound<'py, PyTensor>, source: &Bound<'py, PyTensor>) -> PyResult<Bound<'py, Self>> {
        let (t, src) = (slf.borrow().t.clone(), t_of(source));
        if crate::autograd::should_record(&[&t, &src]) {
            let i = t_of(index);
            return ag_give_back(slf, move |x| crate::autograd::ternary::index_copy(x, dim, &i, &src));
        }
        crate::autograd::check_inplace(&t)?;
        oi::index_copy_(&t, dim, &t_of(index), &src)?;
        Ok(slf)
    }

    fn index_copy(&self, py: Python<'_>, dim: i64, index: &Bound<'_, PyTensor>, source: &Bound<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        wrap(py, crate::autograd::ternary::index_copy(&self.t, dim, &t_of(index), &t_of(source))?)
    }

    fn index_fill_<'py>(slf: Bound<'py, Self>, dim: i64, index: &Bound<'py, PyTensor>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let v = scalar(value, "index_fill_")?;
        let vt = value.cast::<PyTensor>().ok().map(|v| v.borrow().t.clone());
        let t = slf.borrow().t.clone();
        let rec = match &vt { Some(v) => crate::autograd::should_record(&[&t, v]), None => crate::autograd::should_record(&[&t]) };
        if rec {
            let i = t_of(index);
            return ag_give_back(slf, move |x| crate::autograd::ternary::index_fill(x, dim, &i, v, vt.as_ref()));
        }
        crate::autograd::check_inplace(&t)?;
        oi::index_fill_(&t, dim, &t_of(index), v)?;
        Ok(slf)
    }

    fn index_fill(&self, py: Python<'_>, dim: i64, index: &Bound<'_, PyTensor>, value: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        let v = scalar(value, "index_fill")?;
        let vt = value.cast::<PyTensor>().ok().map(|v| v.borrow().t.clone());
        wrap(py, crate::autograd::ternary::index_fill(&self.t, dim, &t_of(index), v, vt.as_ref())?)
    }

    #[pyo3(signature = (indices, values, accumulate=false))]
    fn index_put_<'py>(slf: Bound<'py, Self>, indices: &Bound<'py, PyAny>, values: &Bound<'py, PyTensor>, accumulate: bool) -> PyResult<Bound<'py, Self>> {
        let ix = index_list(indices)?;
        let vt = t_of(values);
        let mut t = slf.borrow().t.clone();
        if crate::autograd::should_record(&[&t, &vt]) {
            index_put_validate(&t, &ix, &vt)?;
            crate::autograd::inplace::index_put_(&mut t, &ix, &vt, accumulate)?;
            slf.borrow_mut().t.ag = t.ag;
            return Ok(slf);
        }
        crate::autograd::check_inplace(&t)?;
        index_put_checked(&t, &ix, &vt, accumulate)?;
        Ok(slf)
    }

    #[pyo3(signature = (indices, values, accumulate=false))]
    fn index_put(&self, py: Python<'_>, indices: &Bound<'_, PyAny>, values: &Bound<'_, PyTensor>, accumulate: bool) -> PyResult<Py<PyTensor>> {
        let ix = index_list(indices)?;
        // torch's clone(): the input's strides when dense
        let out = self.t.clone_tensor()?;
        index_put_checked(&out, &ix, &t_of(values), accumulate)?;
        wrap(py, out)
    }

    fn masked_select(&self, py: Python<'_>, mask: &Bound<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let m = t_of(mask);
        wrap(py, pick("MaskedSelectBackward0", &self.t, move |x| oi::masked_select(x, &m))?)
    }

    fn masked_scatter_<'py>(slf: Bound<'py, Self>, mask: &Bound<'py, PyTensor>, source: &Bound<'py, PyTensor>) -> PyResult<Bound<'py, Self>> {
        let (t, src, m) = (slf.borrow().t.clone(), t_of(source), t_of(mask));
        if crate::autograd::should_record(&[&t, &src]) {
            return ag_give_back(slf, move |x| {
                crate::autograd::ternary::masked_scatter(x, &m, &src, |x, s| {
                    let out = x.contiguous_copy()?;
                    oi::masked_scatter_(&out, &m, s)?;
                    Ok(out)
                })
            });
        }
        crate::autograd::check_inplace(&t)?;
        oi::masked_scatter_(&t, &m, &src)?;
        Ok(slf)
    }

    fn masked_scatter(&self, py: Python<'_>, mask: &Bound<'_, PyTensor>, source: &Bound<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let m = t_of(mask);
        let shape = crate::layout::broadcast_shapes(self.t.shape(), m.shape())?;
        let r = crate::autograd::ternary::masked_scatter(&self.t, &m, &t_of(source), |x, s| {
            let out = x.expand_to(&shape)?.contiguous_copy()?;
            oi::masked_scatter_(&out, &m, s)?;
            Ok(out)
        })?;
        wrap(py, r)
    }

    fn take(&self, py: Python<'_>, index: &Bound<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let i = t_of(index);
        wrap(py, pick("TakeBackward0", &self.t, move |x| oi::take(x, &i))?)
    }

    #[pyo3(signature = (*, as_tuple=false))]
    fn nonzero(&self, py: Python<'_>, as_tuple: bool) -> PyResult<Py<PyAny>> {
        let nz = oi::nonzero(&self.t)?;
        if !as_tuple {
            return Ok(wrap(py, nz)?.into_any());
        }
        tuple_of_columns(py, &nz, self.t.ndim())
    }

    fn argwhere(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, oi::nonzero(&self.t)?)
    }
}

/// `nonzero(as_tuple=True)`: one 1-D index tensor per dim (a 0-d input counts as 1-D).
fn tuple_of_columns(py: Python<'_>, nz: &Tensor, ndim: usize) -> PyResult<Py<PyAny>> {
    let n = nz.shape()[0];
    let mut cols = Vec::new();
    if ndim == 0 {
        cols.push(wrap(py, Tensor::zeros(&[n], DType::I64, crate::device::Device::Cpu)?)?);
    }
    for j in 0..ndim {
        cols.push(wrap(py, nz.with_layout(nz.layout.select(1, j)))?);
    }
    Ok(PyTuple::new(py, cols)?.into_any().unbind())
}

fn index_list(indices: &Bound<'_, PyAny>) -> PyResult<Vec<Option<Tensor>>> {
    let mut out = Vec::new();
    for x in indices.try_iter()? {
        let x = x?;
        if let Ok(t) = x.cast::<PyTensor>() {
            out.push(Some(t.borrow().t.clone()));
        } else {
            return Err(PyTypeError::new_err(format!(
                "expected Tensor as element {} in argument 0, but got {}",
                out.len(),
                type_name(&x)
            )));
        }
    }
    Ok(out)
}

/// `base[key] = value` under grad mode: the write goes through autograd's in-place ops, so a
/// write into a view of `base` rebases `base`'s history onto CopySlices (torch's semantics).
fn setitem_autograd(slf: &Bound<'_, PyTensor>, mut base: Tensor, items: &[Item], value: &Bound<'_, PyAny>, v: Tensor) -> PyResult<()> {
    use crate::autograd::inplace as ip;
    if base.ag.is_none() {
        // The value requires grad: the base takes a history, so it needs a meta its views share.
        base.meta();
        slf.borrow_mut().t.ag = base.ag.clone();
    }
    let (view, adv) = apply_key(&base, items)?;
    // A key without basic indexing writes into the base itself (torch's index_put_ on self).
    // A key that selects all of `base` (`...`, `:`) writes into `base` itself as well.
    let direct = view.layout == base.layout;
    let mut target = if direct { base.clone() } else { view };
    let is_tensor = value.cast::<PyTensor>().is_ok();
    if adv.is_empty() {
        super::tensor::check_partial_overlap(&target, &v)?;
        if !is_tensor && v.ndim() == 0 && v.device() == crate::device::Device::Cpu {
            ip::fill_(&mut target, v.item()?, false)?;
        } else if v.shape() == target.shape() {
            // torch's copy_to: equal sizes copy directly, a 0-dim CPU value fills (FillBackward3),
            // anything else is viewed without its leading 1s and expanded.
            ip::copy_(&mut target, &v)?;
        } else if v.ndim() == 0 && v.device() == crate::device::Device::Cpu {
            ip::fill_tensor_(&mut target, &v)?;
        } else {
            let shape: Vec<i64> = target.shape().iter().map(|&d| d as i64).collect();
            let v = super::autograd_gaps::strip_leading_ones(&v)?;
            let v = if v.ndim() > shape.len() || v.shape() == target.shape() { v } else { crate::ops::shape::expand(&v, &shape)? };
            ip::copy_(&mut target, &v)?;
        }
    } else if !is_tensor && v.ndim() == 0 && crate::autograd::should_record(&[&target]) && super::autograd_gaps::scalar_fill_setitem(&mut target, &adv, &v)? {
        // torch's index_fill_ / masked_fill_ for a Python scalar and one index tensor.
    } else {
        if is_tensor && v.dtype != base.dtype {
            return Err(PyRuntimeError::new_err(format!(
                "Index put requires the source and destination dtypes match, got {} for the destination and {} for the source.",
                base.dtype.scalar_name(),
                v.dtype.scalar_name()
            )));
        }
        super::tensor::check_partial_overlap(&target, &v)?;
        let v = super::autograd_gaps::strip_leading_ones(&v)?;
        ip::index_put_(&mut target, &adv, &v, false)?;
    }
    if direct {
        slf.borrow_mut().t.ag = target.ag;
    }
    Ok(())
}

/// An in-place index op computed out of place under autograd: the result is written back into
/// `slf` and `slf`'s history moves to the result's node (a view rebases its base: CopySlices).
fn ag_give_back<'py>(slf: Bound<'py, PyTensor>, f: impl FnOnce(&Tensor) -> crate::error::Result<Tensor>) -> PyResult<Bound<'py, PyTensor>> {
    let mut t = slf.borrow().t.clone();
    let shape = t.shape().to_vec();
    crate::autograd::inplace_with_grad(&mut t, move |snap| {
        let r = f(snap)?;
        if r.shape() != shape.as_slice() {
            crate::bail!(runtime, "output with shape {:?} doesn't match the broadcast shape {:?}", shape, r.shape());
        }
        Ok(r)
    })?;
    slf.borrow_mut().t.ag = t.ag;
    Ok(slf)
}

fn index_put_checked(t: &Tensor, ix: &[Option<Tensor>], v: &Tensor, accumulate: bool) -> PyResult<()> {
    index_put_validate(t, ix, v)?;
    Ok(oi::index_put_(t, ix, v, accumulate)?)
}

fn index_put_validate(t: &Tensor, ix: &[Option<Tensor>], v: &Tensor) -> PyResult<()> {
    if ix.len() > t.ndim().max(1) {
        return Err(PyIndexError::new_err(format!("too many indices for tensor of dimension {} (got {})", t.ndim(), ix.len())));
    }
    if v.dtype != t.dtype {
        return Err(PyRuntimeError::new_err(format!(
            "Index put requires the source and destination dtypes match, got {} for the destination and {} for the source.",
            t.dtype.scalar_name(),
            v.dtype.scalar_name()
        )));
    }
    Ok(())
}

/// The `src` tensor (or None and the value) of a `scatter` whose result autograd records.
fn scatter_recording(t: &Tensor, src: Option<&Bound<'_, PyAny>>, value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<(Option<Tensor>, Pivot)>> {
    let Some(src_any) = src.or(value) else { return Ok(None) };
    let (s, v) = match src_any.cast::<PyTensor>() {
        Ok(s) => (Some(t_of(s)), Pivot::I(0)),
        Err(_) => (None, scalar(src_any, "scatter")?),
    };
    let rec = match &s {
        Some(s) => crate::autograd::should_record(&[t, s]),
        None => crate::autograd::should_record(&[t]),
    };
    Ok(if rec { Some((s, v)) } else { None })
}

fn scatter_impl(t: &Tensor, dim: i64, index: &Bound<'_, PyTensor>, src: Option<&Bound<'_, PyAny>>, value: Option<&Bound<'_, PyAny>>, reduce: Option<&str>) -> PyResult<()> {
    let how = match reduce {
        Some(r) => reduce_arg(r)?,
        None => Reduce::Copy,
    };
    let idx = t_of(index);
    let src_any = src.or(value).ok_or_else(|| PyTypeError::new_err("scatter() missing required argument 'src' or 'value'"))?;
    if let Ok(s) = src_any.cast::<PyTensor>() {
        oi::scatter_(t, dim, &idx, Some(&t_of(s)), Pivot::I(0), how)?;
    } else {
        let v = scalar(src_any, "scatter")?;
        oi::scatter_(t, dim, &idx, None, v, how)?;
    }
    Ok(())
}

// ----- torch.* functions -----

#[pyfunction]
pub fn index_select(py: Python<'_>, input: &Bound<'_, PyTensor>, dim: i64, index: &Bound<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
    input.borrow().index_select(py, dim, index)
}

#[pyfunction]
#[pyo3(signature = (input, dim, index, *, sparse_grad=false))]
pub fn gather(py: Python<'_>, input: &Bound<'_, PyTensor>, dim: i64, index: &Bound<'_, PyTensor>, sparse_grad: bool) -> PyResult<Py<PyTensor>> {
    input.borrow().gather(py, dim, index, sparse_grad)
}

#[pyfunction]
#[pyo3(signature = (input, dim, index, src=None, *, value=None, reduce=None))]
pub fn scatter(py: Python<'_>, input: &Bound<'_, PyTensor>, dim: i64, index: &Bound<'_, PyTensor>, src: Option<&Bound<'_, PyAny>>, value: Option<&Bound<'_, PyAny>>, reduce: Option<&str>) -> PyResult<Py<PyTensor>> {
    input.borrow().scatter(py, dim, index, src, value, reduce)
}

#[pyfunction]
pub fn scatter_add(py: Python<'_>, input: &Bound<'_, PyTensor>, dim: i64, index: &Bound<'_, PyTensor>, src: &Bound<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
    input.borrow().scatter_add(py, dim, index, src)
}

#[pyfunction]
#[pyo3(signature = (input, dim, index, src, reduce, *, include_self=true))]
pub fn scatter_reduce(py: Python<'_>, input: &Bound<'_, PyTensor>, dim: i64, index: &Bound<'_, PyTensor>, src: &Bound<'_, PyTensor>, reduce: &str, include_self: bool) -> PyResult<Py<PyTensor>> {
    input.borrow().scatter_reduce(py, dim, index, src, reduce, include_self)
}

#[pyfunction]
#[pyo3(signature = (input, dim, index, source, *, alpha=None))]
pub fn index_add(py: Python<'_>, input: &Bound<'_, PyTensor>, dim: i64, index: &Bound<'_, PyTensor>, source: &Bound<'_, PyTensor>, alpha: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
    input.borrow().index_add(py, dim, index, source, alpha)
}

#[pyfunction]
pub fn index_copy(py: Python<'_>, input: &Bound<'_, PyTensor>, dim: i64, index: &Bound<'_, PyTensor>, source: &Bound<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
    input.borrow().index_copy(py, dim, index, source)
}

#[pyfunction]
pub fn index_fill(py: Python<'_>, input: &Bound<'_, PyTensor>, dim: i64, index: &Bound<'_, PyTensor>, value: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    input.borrow().index_fill(py, dim, index, value)
}

#[pyfunction]
#[pyo3(signature = (input, indices, values, accumulate=false))]
pub fn index_put(py: Python<'_>, input: &Bound<'_, PyTensor>, indices: &Bound<'_, PyAny>, values: &Bound<'_, PyTensor>, accumulate: bool) -> PyResult<Py<PyTensor>> {
    input.borrow().index_put(py, indices, values, accumulate)
}

#[pyfunction]
#[pyo3(signature = (input, indices, values, accumulate=false))]
pub fn index_put_<'py>(input: Bound<'py, PyTensor>, indices: &Bound<'py, PyAny>, values: &Bound<'py, PyTensor>, accumulate: bool) -> PyResult<Bound<'py, PyTensor>> {
    PyTensor::index_put_(input, indices, values, accumulate)
}

#[pyfunction]
#[pyo3(signature = (input, mask, *, out=None))]
pub fn masked_select(py: Python<'_>, input: &Bound<'_, PyTensor>, mask: &Bound<'_, PyTensor>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
    let m = t_of(mask);
    let r = pick("MaskedSelectBackward0", &input.borrow().t, move |x| oi::masked_select(x, &m))?;
    super::create::finish(py, r, false, out)
}

#[pyfunction]
pub fn masked_scatter(py: Python<'_>, input: &Bound<'_, PyTensor>, mask: &Bound<'_, PyTensor>, source: &Bound<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
    input.borrow().masked_scatter(py, mask, source)
}

#[pyfunction]
pub fn take(py: Python<'_>, input: &Bound<'_, PyTensor>, index: &Bound<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
    input.borrow().take(py, index)
}

#[pyfunction]
#[pyo3(signature = (input, *, out=None, as_tuple=false))]
pub fn nonzero(py: Python<'_>, input: &Bound<'_, PyTensor>, out: Option<&Bound<'_, PyTensor>>, as_tuple: bool) -> PyResult<Py<PyAny>> {
    let nz = oi::nonzero(&input.borrow().t)?;
    if as_tuple {
        return tuple_of_columns(py, &nz, input.borrow().t.ndim());
    }
    super::create::finish(py, nz, false, out)
}

#[pyfunction]
pub fn argwhere(py: Python<'_>, input: &Bound<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
    input.borrow().argwhere(py)
}

/// One-argument `torch.where(condition)`: `nonzero(condition, as_tuple=True)`.
#[pyfunction]
pub fn _where_cond(py: Python<'_>, condition: &Bound<'_, PyTensor>) -> PyResult<Py<PyAny>> {
    let nz = oi::nonzero(&condition.borrow().t)?;
    tuple_of_columns(py, &nz, condition.borrow().t.ndim())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    macro_rules! add {
        ($($f:ident),* $(,)?) => { $( m.add_function(wrap_pyfunction!($f, m)?)?; )* };
    }
    add!(index_select, gather, scatter, scatter_add, scatter_reduce, index_add, index_copy, index_fill, index_put, index_put_, masked_select, masked_scatter, take, nonzero, argwhere, _where_cond);
    Ok(())
}
