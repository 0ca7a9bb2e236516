//! Python entry points for the autograd of multi-view functions (unbind/split/chunk), used by
//! `python/oxytorch/_views.py`.
use pyo3::prelude::*;

use super::tensor::{PyTensor, wrap};

/// `base`'s views with the layouts of `views` (computed by the caller from a detached `base`),
/// as the outputs of one multi-view node `name` (UnbindBackward0 / SplitBackward0 /
/// SplitWithSizesBackward0).
#[pyfunction]
pub fn _multi_view(py: Python<'_>, base: &Bound<'_, PyTensor>, views: Vec<Bound<'_, PyTensor>>, name: &str) -> PyResult<Vec<Py<PyTensor>>> {
    let name: &'static str = match name {
        "UnbindBackward0" => "UnbindBackward0",
        "SplitBackward0" => "SplitBackward0",
        "SplitWithSizesBackward0" => "SplitWithSizesBackward0",
        other => return Err(pyo3::exceptions::PyValueError::new_err(format!("unknown multi-view function {other}"))),
    };
    let b = base.borrow().t.clone();
    let layouts = views.iter().map(|v| v.borrow().t.layout.clone()).collect();
    let outs = crate::autograd::gaps::multi_views(&b, layouts, name)?;
    outs.into_iter().map(|t| wrap(py, t)).collect()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_multi_view, m)?)?;
    Ok(())
}

/// Gives a floating/complex `slf` an autograd meta before a view of it is taken under grad mode,
/// so that an in-place write of a value requiring grad into the view can rebase `slf`'s history
/// (torch's CopySlices), as torch does for views of tensors that do not require grad.
pub(crate) fn ensure_view_base(slf: &Bound<'_, PyTensor>) {
    if !crate::autograd::is_grad_enabled() || crate::autograd::is_inference_mode_enabled() {
        return;
    }
    let need = {
        let b = slf.borrow();
        b.t.ag.is_none() && (b.t.dtype.is_floating_point() || b.t.dtype.is_complex())
    };
    if need {
        if let Ok(mut m) = slf.try_borrow_mut() {
            m.t.meta();
        }
    }
}

/// [`ensure_view_base`] for a view function's Python argument (a no-op for non-tensors, and for
/// real tensors when `complex_only`: functions that return a real input itself make no view).
pub(crate) fn ensure_view_base_any(obj: &Bound<'_, PyAny>, complex_only: bool) {
    if let Ok(t) = obj.cast::<PyTensor>() {
        if !complex_only || t.borrow().t.dtype.is_complex() {
            ensure_view_base(t);
        }
    }
}

/// `target[adv] = scalar` under autograd with one index tensor, as torch dispatches it: a bool
/// mask gives `masked_fill_` (MaskedFillBackward0) and an integer index `index_fill_` along its
/// dim (IndexFillBackward0). Returns false (nothing written) for other keys.
pub(crate) fn scalar_fill_setitem(target: &mut crate::tensor::Tensor, adv: &[Option<crate::tensor::Tensor>], v: &crate::tensor::Tensor) -> PyResult<bool> {
    use crate::dtype::DType;
    use crate::tensor::Tensor;
    let some: Vec<(usize, &Tensor)> = adv.iter().enumerate().filter_map(|(i, a)| a.as_ref().map(|t| (i, t))).collect();
    let [(p, ix)] = some.as_slice() else { return Ok(false) };
    let (p, ix) = (*p, *ix);
    let nd = target.ndim();
    if ix.ndim() == 0 || p + if ix.dtype == DType::Bool { ix.ndim() } else { 1 } > nd {
        return Ok(false);
    }
    if ix.dtype == DType::Bool {
        if ix.shape() != &target.shape()[p..p + ix.ndim()] {
            return Ok(false);
        }
        let mut shape = ix.shape().to_vec();
        shape.extend(std::iter::repeat_n(1, nd - p - ix.ndim()));
        let c = ix.contiguous()?;
        let mask = c.with_layout(crate::layout::Layout { strides: crate::layout::contiguous_strides(&shape), shape, offset: c.layout.offset });
        crate::autograd::inplace::masked_fill_(target, &mask, crate::ops::binary::Arg::S(v.item()?))?;
        return Ok(true);
    }
    if !matches!(ix.dtype, DType::I64 | DType::I32 | DType::I16 | DType::I8) {
        return Ok(false);
    }
    let n = target.shape()[p] as i64;
    let flat: Vec<i64> = ix.to_pivots()?.into_iter().map(|q| match q {
        crate::element::Pivot::I(i) => i,
        _ => i64::MAX,
    }).collect();
    if flat.iter().any(|&i| i < -n || i >= n) {
        return Ok(false);
    }
    let fixed: Vec<i64> = flat.into_iter().map(|i| if i < 0 { i + n } else { i }).collect();
    let idx = crate::autograd::gaps::tensor_from(fixed, &[ix.numel()], DType::I64)?;
    let value = v.item()?;
    crate::autograd::inplace_with_grad(target, move |snap| crate::autograd::ternary::index_fill(snap, p as i64, &idx, value, None))?;
    Ok(true)
}

/// `v` viewed without its leading size-1 dims (torch's slicePrefix1sSize, a ViewBackward0), or `v`.
pub(crate) fn strip_leading_ones(v: &crate::tensor::Tensor) -> crate::error::Result<crate::tensor::Tensor> {
    let lead = v.shape().iter().take_while(|&&d| d == 1).count();
    if lead == 0 {
        return Ok(v.clone());
    }
    super::views::view_as_shape(v, "ViewBackward0", v.shape()[lead..].to_vec())
}
