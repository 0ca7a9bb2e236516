//! Python values <-> tensors: scalars, nested sequences with torch's dtype inference, `tolist`.
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyComplex, PyFloat, PyInt, PyList, PySequence, PyString, PyTuple};

use crate::dtype::{DType, default_complex_dtype, default_dtype};
use crate::element::Pivot;

use super::tensor::PyTensor;

/// Python value for one element of `dt`.
pub fn pivot_to_py(py: Python<'_>, p: Pivot, dt: DType) -> PyResult<Py<PyAny>> {
    Ok(match p {
        Pivot::B(b) => PyBool::new(py, b).to_owned().into_any().unbind(),
        Pivot::I(i) => i.into_pyobject(py)?.into_any().unbind(),
        Pivot::F(f) => {
            let _ = dt;
            PyFloat::new(py, f).into_any().unbind()
        }
        Pivot::C(re, im) => PyComplex::from_doubles(py, re, im).into_any().unbind(),
    })
}

/// A Python scalar (or NumPy scalar, or one-element tensor) as a pivot value, if it is one.
pub fn py_to_pivot(obj: &Bound<'_, PyAny>) -> PyResult<Option<Pivot>> {
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Some(Pivot::B(b.is_true())));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(Some(Pivot::F(f.value())));
    }
    if let Ok(i) = obj.cast::<PyInt>() {
        return match i.extract::<i64>() {
            Ok(v) => Ok(Some(Pivot::I(v))),
            Err(_) => Err(PyValueError::new_err("Overflow when unpacking long long")),
        };
    }
    if let Ok(c) = obj.cast::<PyComplex>() {
        return Ok(Some(Pivot::C(c.real(), c.imag())));
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = t.borrow();
        if t.t.numel() == 1 && t.t.ndim() == 0 {
            return Ok(Some(t.t.item()?));
        }
        return Ok(None);
    }
    numpy_scalar(obj)
}

/// NumPy scalars (np.float32(1), np.int64(2), np.bool_(True)) carry a dtype; read them by kind.
fn numpy_scalar(obj: &Bound<'_, PyAny>) -> PyResult<Option<Pivot>> {
    let ty = obj.get_type();
    let module = ty.module().map(|m| m.to_string()).unwrap_or_default();
    if module != "numpy" {
        return Ok(None);
    }
    let Ok(dtype) = obj.getattr("dtype") else { return Ok(None) };
    let kind: String = dtype.getattr("kind")?.extract()?;
    Ok(match kind.as_str() {
        "b" => Some(Pivot::B(obj.is_truthy()?)),
        "i" | "u" => Some(Pivot::I(obj.call_method0("__int__")?.extract()?)),
        "f" => Some(Pivot::F(obj.call_method0("__float__")?.extract()?)),
        "c" => {
            let c = obj.call_method0("__complex__")?;
            let c = c.cast::<PyComplex>()?;
            Some(Pivot::C(c.real(), c.imag()))
        }
        _ => None,
    })
}

/// The dtype torch infers for a NumPy scalar inside a list.
fn numpy_scalar_dtype(obj: &Bound<'_, PyAny>) -> Option<DType> {
    let s: String = obj.getattr("dtype").ok()?.getattr("str").ok()?.extract().ok()?;
    DType::from_numpy_typestr(&s)
}

/// Category rank used by torch's inference: bool < int < float < complex.
fn rank(p: &Pivot) -> u8 {
    match p {
        Pivot::B(_) => 0,
        Pivot::I(_) => 1,
        Pivot::F(_) => 2,
        Pivot::C(..) => 3,
    }
}

pub struct Collected {
    pub values: Vec<Pivot>,
    pub shape: Vec<usize>,
    /// Inferred dtype, when no explicit one is given.
    pub dtype: DType,
    /// Some value was a Python int beyond int64 (stored as a float).
    pub big_int: bool,
}

struct Walker {
    values: Vec<Pivot>,
    shape: Vec<usize>,
    rank: u8,
    /// Dtype forced by typed elements (tensors, NumPy scalars), combined by category.
    typed: Option<DType>,
    any_python_scalar: bool,
    big_int: bool,
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".into())
}

impl Walker {
    fn note_typed(&mut self, dt: DType) {
        self.typed = Some(match self.typed {
            None => dt,
            Some(old) => {
                let r = |d: DType| if d.is_complex() { 3 } else if d.is_floating_point() { 2 } else if d == DType::Bool { 0 } else { 1 };
                if r(dt) > r(old) { dt } else { old }
            }
        });
    }

    fn walk(&mut self, obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<()> {
        if let Ok(i) = obj.cast::<PyInt>() {
            if i.extract::<i64>().is_err() && !obj.is_instance_of::<PyBool>() {
                // Beyond int64: fine if the result is floating, an error otherwise (checked later).
                self.big_int = true;
                self.any_python_scalar = true;
                self.rank = self.rank.max(1);
                self.values.push(Pivot::F(obj.extract::<f64>()?));
                return Ok(());
            }
        }
        if let Some(p) = py_to_pivot(obj)? {
            if depth != self.shape.len() {
                return Err(PyValueError::new_err(format!(
                    "expected sequence of length {} at dim {} (got {})",
                    self.shape.get(depth).copied().unwrap_or(0),
                    depth,
                    type_name(obj)
                )));
            }
            if let Ok(t) = obj.cast::<PyTensor>() {
                self.note_typed(t.borrow().t.dtype);
            } else if let Some(dt) = numpy_scalar_dtype(obj).filter(|_| obj.get_type().module().is_ok_and(|m| m.to_string() == "numpy")) {
                self.note_typed(dt);
            } else {
                self.any_python_scalar = true;
            }
            self.rank = self.rank.max(rank(&p));
            self.values.push(p);
            return Ok(());
        }
        if let Ok(t) = obj.cast::<PyTensor>() {
            // A tensor inside a list contributes its own shape and values.
            let t = t.borrow();
            self.note_typed(t.t.dtype);
            self.check_shape(obj, depth, t.t.shape())?;
            self.values.extend(t.t.to_pivots()?);
            return Ok(());
        }
        if obj.hasattr("__array_interface__")? && !obj.is_instance_of::<PyString>() {
            let t = super::numpy::tensor_from_array(obj, true)?;
            self.note_typed(t.dtype);
            self.check_shape(obj, depth, t.shape())?;
            self.values.extend(t.to_pivots()?);
            return Ok(());
        }
        let seq = if let Ok(l) = obj.cast::<PyList>() {
            l.as_sequence().clone()
        } else if let Ok(t) = obj.cast::<PyTuple>() {
            t.as_sequence().clone()
        } else if obj.is_instance_of::<PyString>() || obj.is_instance_of::<pyo3::types::PyBytes>() {
            return Err(PyTypeError::new_err(format!("new(): invalid data type '{}'", type_name(obj))));
        } else {
            match obj.cast::<PySequence>() {
                Ok(s) => s.clone(),
                Err(_) => {
                    return Err(PyTypeError::new_err(format!(
                        "Could not infer dtype of {}",
                        type_name(obj)
                    )));
                }
            }
        };
        let n = seq.len()?;
        if depth == self.shape.len() {
            if self.values.is_empty() || depth == 0 {
                self.shape.push(n);
            } else {
                return Err(PyValueError::new_err(format!(
                    "expected sequence of length {} at dim {} (got {})",
                    self.shape.get(depth).copied().unwrap_or(0),
                    depth.saturating_sub(1),
                    n
                )));
            }
        } else if self.shape[depth] != n {
            return Err(PyValueError::new_err(format!(
                "expected sequence of length {} at dim {} (got {})",
                self.shape[depth], depth, n
            )));
        }
        for i in 0..n {
            self.walk(&seq.get_item(i)?, depth + 1)?;
        }
        Ok(())
    }

    fn check_shape(&mut self, obj: &Bound<'_, PyAny>, depth: usize, sub: &[usize]) -> PyResult<()> {
        if depth == self.shape.len() && self.values.is_empty() {
            self.shape.extend_from_slice(sub);
            return Ok(());
        }
        if self.shape.len() != depth + sub.len() || self.shape[depth..] != *sub {
            return Err(PyValueError::new_err(format!(
                "expected sequence of length {} at dim {} (got {})",
                self.shape.get(depth).copied().unwrap_or(0),
                depth,
                type_name(obj)
            )));
        }
        Ok(())
    }
}

/// Walks nested lists/tuples/tensors/scalars, checking that the nesting is rectangular.
pub fn collect(obj: &Bound<'_, PyAny>) -> PyResult<Collected> {
    // Fast path: a flat list of Python floats.
    if let Ok(l) = obj.cast::<PyList>() {
        let n = l.len();
        let mut values = Vec::with_capacity(n);
        let mut all_float = n > 0;
        for item in l.iter() {
            match item.cast::<PyFloat>() {
                Ok(f) => values.push(Pivot::F(f.value())),
                Err(_) => {
                    all_float = false;
                    break;
                }
            }
        }
        if all_float {
            return Ok(Collected { values, shape: vec![n], dtype: default_dtype(), big_int: false });
        }
    }
    let mut w = Walker { values: Vec::new(), shape: Vec::new(), rank: 0, typed: None, any_python_scalar: false, big_int: false };
    w.walk(obj, 0)?;
    if w.values.is_empty() && w.shape.is_empty() {
        w.shape.push(0);
    }
    let by_rank = |r: u8| match r {
        0 => DType::Bool,
        1 => DType::I64,
        2 => default_dtype(),
        _ => default_complex_dtype(),
    };
    // Python scalars only raise the category; typed elements keep their precision.
    let dtype = match w.typed {
        Some(dt) => {
            let r = if dt.is_complex() { 3 } else if dt.is_floating_point() { 2 } else if dt == DType::Bool { 0 } else { 1 };
            if w.any_python_scalar && w.rank > r { by_rank(w.rank) } else { dt }
        }
        None => by_rank(w.rank),
    };
    if w.values.is_empty() && w.typed.is_none() {
        return Ok(Collected { values: w.values, shape: w.shape, dtype: default_dtype(), big_int: false });
    }
    Ok(Collected { values: w.values, shape: w.shape, dtype, big_int: w.big_int })
}

/// Nested Python lists for `tolist()`.
pub fn to_nested_list(py: Python<'_>, values: &[Pivot], shape: &[usize], dt: DType) -> PyResult<Py<PyAny>> {
    if shape.is_empty() {
        return pivot_to_py(py, values[0], dt);
    }
    let n = shape[0];
    let inner: usize = shape[1..].iter().product();
    let mut items = Vec::with_capacity(n);
    for i in 0..n {
        items.push(to_nested_list(py, &values[i * inner..(i + 1) * inner], &shape[1..], dt)?);
    }
    Ok(PyList::new(py, items)?.into_any().unbind())
}
