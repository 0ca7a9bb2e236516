//! Python entry points for matrix products: `torch.matmul`/`@`, mm, bmm, mv, dot, vdot, the add*
//! family with beta/alpha and `out=`, trace, and the matching Tensor methods.
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::element::Pivot;
use crate::ops::matmul as mops;
use crate::tensor::Tensor;

use super::convert::py_to_pivot;
use super::tensor::{PyTensor, wrap};

/// The tensor behind `obj`, or torch's TypeError naming the function and argument.
fn tensor_arg(obj: &Bound<'_, PyAny>, fname: &str, arg: &str, pos: usize) -> PyResult<Tensor> {
    match obj.cast::<PyTensor>() {
        Ok(t) => Ok(t.borrow().t.clone()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{fname}(): argument '{arg}' (position {pos}) must be Tensor, not {}",
            obj.get_type().name()?
        ))),
    }
}

fn scalar_arg(obj: Option<&Bound<'_, PyAny>>, fname: &str, arg: &str) -> PyResult<Option<Pivot>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => match py_to_pivot(o)? {
            Some(p) if !o.is_instance_of::<PyTensor>() => Ok(Some(p)),
            _ => Err(PyTypeError::new_err(format!(
                "{fname}(): argument '{arg}' must be Number, not {}",
                o.get_type().name()?
            ))),
        },
    }
}

#[derive(Clone, Copy)]
enum OutMsg {
    /// mm/bmm/matmul: "Expected out tensor to have dtype float, but got double instead".
    Mm,
    /// dot/vdot: "result dtype Double does not match input dtype Float".
    Dot,
}

/// Returns `r`, or writes it into `out` (resized to `r`'s shape when it differs, as torch does).
fn finish(py: Python<'_>, r: Tensor, out: Option<&Bound<'_, PyTensor>>, msg: OutMsg) -> PyResult<Py<PyAny>> {
    let Some(o) = out else { return Ok(wrap(py, r)?.into_any()) };
    let target = o.borrow().t.clone();
    if target.dtype != r.dtype {
        let text = match msg {
            OutMsg::Mm => format!(
                "Expected out tensor to have dtype {}, but got {} instead",
                mops::cxx_name(r.dtype),
                mops::cxx_name(target.dtype)
            ),
            OutMsg::Dot => format!(
                "result dtype {} does not match input dtype {}",
                target.dtype.scalar_name(),
                r.dtype.scalar_name()
            ),
        };
        return Err(pyo3::exceptions::PyRuntimeError::new_err(text));
    }
    if target.shape() == r.shape() {
        target.copy_(&r)?;
    } else {
        o.borrow_mut().t = r;
    }
    Ok(o.clone().into_any().unbind())
}

macro_rules! two_arg_fns {
    ($( $func:ident, $method:ident, $pyname:literal, $arg2:ident, $msg:ident, $f:expr );* $(;)?) => {
        $(
            #[pyfunction]
            #[pyo3(name = $pyname, signature = (input, $arg2, *, out=None))]
            pub fn $func(py: Python<'_>, input: &Bound<'_, PyAny>, $arg2: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyAny>> {
                let a = tensor_arg(input, $pyname, "input", 1)?;
                let b = tensor_arg($arg2, $pyname, stringify!($arg2), 2)?;
                let f: fn(&Tensor, &Tensor) -> crate::error::Result<Tensor> = $f;
                let r = py.detach(|| f(&a, &b))?;
                finish(py, r, out, OutMsg::$msg)
            }
        )*
        #[pymethods]
        impl PyTensor {
            $(
                #[pyo3(name = $pyname)]
                fn $method(&self, py: Python<'_>, $arg2: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                    let b = tensor_arg($arg2, $pyname, stringify!($arg2), 1)?;
                    let a = self.t.clone();
                    let f: fn(&Tensor, &Tensor) -> crate::error::Result<Tensor> = $f;
                    let r = py.detach(|| f(&a, &b))?;
                    Ok(wrap(py, r)?.into_any())
                }
            )*
        }
    };
}

two_arg_fns!(
    matmul, matmul_m, "matmul", other, Mm, crate::autograd::formulas::matmul;
    mm, mm_m, "mm", mat2, Mm, |a, b| crate::autograd::formulas::named_product("MmBackward0", mops::mm, a, b);
    bmm, bmm_m, "bmm", mat2, Mm, |a, b| crate::autograd::formulas::named_product("BmmBackward0", mops::bmm, a, b);
    mv, mv_m, "mv", vec, Mm, |a, b| crate::autograd::formulas::named_product("MvBackward0", mops::mv, a, b);
    dot, dot_m, "dot", tensor, Dot, |a, b| crate::autograd::formulas::named_product("DotBackward0", |x, y| mops::dot(x, y, false), a, b);
    vdot, vdot_m, "vdot", other, Dot, |a: &Tensor, b: &Tensor| if a.dtype.is_complex() && crate::autograd::should_record(&[a, b]) {
        // conj(a) . b, differentiable through conj's own rule
        crate::autograd::formulas::named_product("DotBackward0", |x, y| mops::dot(x, y, false), &crate::autograd::formulas::conj(a)?, b)
    } else {
        crate::autograd::formulas::named_product("VdotBackward0", |x, y| mops::dot(x, y, true), a, b)
    };
);

type AddFn = fn(&Tensor, &Tensor, &Tensor, Option<Pivot>, Option<Pivot>, bool) -> crate::error::Result<Tensor>;

macro_rules! add_fns {
    ($( $func:ident, $method:ident, $inplace:ident, $pyname:literal, $a1:ident, $a2:ident, $f:expr );* $(;)?) => {
        $(
            #[pyfunction]
            #[pyo3(name = $pyname, signature = (input, $a1, $a2, *, beta=None, alpha=None, out=None))]
            #[allow(clippy::too_many_arguments)]
            pub fn $func(
                py: Python<'_>,
                input: &Bound<'_, PyAny>,
                $a1: &Bound<'_, PyAny>,
                $a2: &Bound<'_, PyAny>,
                beta: Option<&Bound<'_, PyAny>>,
                alpha: Option<&Bound<'_, PyAny>>,
                out: Option<&Bound<'_, PyTensor>>,
            ) -> PyResult<Py<PyAny>> {
                let i = tensor_arg(input, $pyname, "input", 1)?;
                let a = tensor_arg($a1, $pyname, stringify!($a1), 2)?;
                let b = tensor_arg($a2, $pyname, stringify!($a2), 3)?;
                let (bt, al) = (scalar_arg(beta, $pyname, "beta")?, scalar_arg(alpha, $pyname, "alpha")?);
                let f: AddFn = $f;
                let r = py.detach(|| f(&i, &a, &b, bt, al, false))?;
                finish(py, r, out, OutMsg::Mm)
            }
        )*
        #[pymethods]
        impl PyTensor {
            $(
                #[pyo3(name = $pyname, signature = ($a1, $a2, *, beta=None, alpha=None))]
                fn $method(&self, py: Python<'_>, $a1: &Bound<'_, PyAny>, $a2: &Bound<'_, PyAny>, beta: Option<&Bound<'_, PyAny>>, alpha: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                    let a = tensor_arg($a1, $pyname, stringify!($a1), 1)?;
                    let b = tensor_arg($a2, $pyname, stringify!($a2), 2)?;
                    let (bt, al) = (scalar_arg(beta, $pyname, "beta")?, scalar_arg(alpha, $pyname, "alpha")?);
                    let i = self.t.clone();
                    let f: AddFn = $f;
                    let r = py.detach(|| f(&i, &a, &b, bt, al, false))?;
                    Ok(wrap(py, r)?.into_any())
                }
                #[pyo3(signature = ($a1, $a2, *, beta=None, alpha=None))]
                fn $inplace<'py>(slf: Bound<'py, Self>, $a1: &Bound<'py, PyAny>, $a2: &Bound<'py, PyAny>, beta: Option<&Bound<'py, PyAny>>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
                    let name = concat!($pyname, "_");
                    let a = tensor_arg($a1, name, stringify!($a1), 1)?;
                    let b = tensor_arg($a2, name, stringify!($a2), 2)?;
                    let (bt, al) = (scalar_arg(beta, name, "beta")?, scalar_arg(alpha, name, "alpha")?);
                    let i = slf.borrow().t.clone();
                    let f: AddFn = $f;
                    slf.py().detach(|| f(&i, &a, &b, bt, al, true))?;
                    Ok(slf)
                }
            )*
        }
    };
}

add_fns!(
    addmm, addmm_m, addmm_, "addmm", mat1, mat2, |i, a, b, bt, al, inplace| if inplace { mops::addmm(i, a, b, bt, al, true) } else { crate::autograd::formulas::add_product("AddmmBackward0", mops::addmm, i, a, b, bt, al) };
    addmv, addmv_m, addmv_, "addmv", mat, vec, |i, a, b, bt, al, inplace| if inplace { mops::addmv(i, a, b, bt, al, true) } else { crate::autograd::formulas::add_product("AddmvBackward0", mops::addmv, i, a, b, bt, al) };
    baddbmm, baddbmm_m, baddbmm_, "baddbmm", batch1, batch2, |i, a, b, bt, al, inplace| if inplace { mops::baddbmm(i, a, b, bt, al, true) } else { crate::autograd::formulas::add_product("BaddbmmBackward0", mops::baddbmm, i, a, b, bt, al) };
    addbmm, addbmm_m, addbmm_, "addbmm", batch1, batch2, |i, a, b, bt, al, inplace| if inplace { mops::addbmm(i, a, b, bt, al, true) } else { crate::autograd::formulas::add_product("AddbmmBackward0", mops::addbmm, i, a, b, bt, al) };
);

/// `torch.trace(input)`.
#[pyfunction]
pub fn trace(py: Python<'_>, input: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let t = tensor_arg(input, "trace", "input", 1)?;
    Ok(wrap(py, crate::autograd::reduce::trace(&t, mops::trace)?)?.into_any())
}

#[pymethods]
impl PyTensor {
    #[pyo3(name = "trace")]
    fn trace_m(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(wrap(py, crate::autograd::reduce::trace(&self.t, mops::trace)?)?.into_any())
    }
    fn __matmul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(b) = other.cast::<PyTensor>() else { return Ok(py.NotImplemented()) };
        let (a, b) = (self.t.clone(), b.borrow().t.clone());
        let r = py.detach(|| crate::autograd::formulas::matmul(&a, &b))?;
        Ok(wrap(py, r)?.into_any())
    }
    fn __rmatmul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(a) = other.cast::<PyTensor>() else { return Ok(py.NotImplemented()) };
        let (a, b) = (a.borrow().t.clone(), self.t.clone());
        let r = py.detach(|| crate::autograd::formulas::matmul(&a, &b))?;
        Ok(wrap(py, r)?.into_any())
    }
}

/// Registers the functions above on `_C`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    macro_rules! add {
        ($($f:path),* $(,)?) => { $( m.add_function(wrap_pyfunction!($f, m)?)?; )* };
    }
    add!(matmul, mm, bmm, mv, dot, vdot, addmm, addmv, baddbmm, addbmm, trace, _diagonal_view);
    Ok(())
}

/// The diagonal of dims `d0` and `d1` of `input` as a view, moved to the last dim (einsum's
/// repeated subscripts).
#[pyfunction]
pub fn _diagonal_view(py: Python<'_>, input: PyRef<'_, PyTensor>, d0: usize, d1: usize) -> PyResult<Py<PyAny>> {
    let t = &input.t;
    if d0 >= t.ndim() || d1 >= t.ndim() || d0 == d1 {
        return Err(pyo3::exceptions::PyIndexError::new_err("diagonal dims out of range"));
    }
    let l = &t.layout;
    let mut shape = Vec::new();
    let mut strides = Vec::new();
    for d in 0..t.ndim() {
        if d != d0 && d != d1 {
            shape.push(l.shape[d]);
            strides.push(l.strides[d]);
        }
    }
    shape.push(l.shape[d0].min(l.shape[d1]));
    strides.push(l.strides[d0] + l.strides[d1]);
    let v = t.with_layout(crate::layout::Layout { shape, strides, offset: l.offset });
    Ok(wrap(py, v)?.into_any())
}
