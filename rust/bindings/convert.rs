//! Python values <-> tensors: scalars, nested sequences with torch's dtype inference, `tolist`.
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyComplex, PyFloat, PyInt, PyList, PySequence, PyString, PyTuple};

use crate::dtype::{DType, default_complex_dtype, default_dtype};
use crate::element::Pivot;
use crate::promote::promote_types;
use crate::tensor::Tensor;

use super::tensor::PyTensor;

/// Python value for one element of `dt`.
pub fn pivot_to_py(py: Python<'_>, p: Pivot, dt: DType) -> PyResult<Py<PyAny>> {
    Ok(match p {
        Pivot::B(b) => PyBool::new(py, b).to_owned().into_any().unbind(),
        Pivot::I(i) if dt == DType::U64 => (i as u64).into_pyobject(py)?.into_any().unbind(),
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
        "i" => Some(Pivot::I(obj.call_method0("__int__")?.extract()?)),
        // uint64 values past int64 travel as their bit pattern (the uint64 dtype reads them back).
        "u" => Some(Pivot::I(obj.call_method0("__int__")?.extract::<u64>()? as i64)),
        "f" => Some(Pivot::F(obj.call_method0("__float__")?.extract()?)),
        "c" => {
            let c = obj.call_method0("__complex__")?;
            let c = c.cast::<PyComplex>()?;
            Some(Pivot::C(c.real(), c.imag()))
        }
        _ => None,
    })
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".into())
}

fn from_numpy_module(obj: &Bound<'_, PyAny>) -> bool {
    obj.get_type().module().is_ok_and(|m| m.to_string() == "numpy")
}

fn is_ndarray(obj: &Bound<'_, PyAny>) -> bool {
    from_numpy_module(obj) && obj.get_type().name().is_ok_and(|n| n.to_string() == "ndarray")
}

pub struct Collected {
    pub values: Vec<Pivot>,
    pub shape: Vec<usize>,
    /// Inferred dtype, used when no explicit one is given.
    pub dtype: DType,
    /// Some value was a Python int beyond int64 (stored as a float).
    pub big_int: bool,
    /// Those beyond int64 that fit uint64: (index, value).
    pub big_uints: Vec<(usize, u64)>,
    /// Every int beyond int64 fits uint64.
    pub all_big_fit_u64: bool,
}

/// The dtype torch infers for a Python number: bool, int64, the default float or complex dtype.
pub fn python_scalar_dtype(p: &Pivot) -> PyResult<DType> {
    Ok(match p {
        Pivot::B(_) => DType::Bool,
        Pivot::I(_) => DType::I64,
        Pivot::F(_) => default_dtype(),
        Pivot::C(..) => default_complex_dtype(),
    })
}

enum Node<'py> {
    /// A number with the dtype it contributes to inference.
    Leaf(Pivot, DType),
    /// Beyond int64: a float value that only fits floating results (and the value, if it fits uint64).
    BigInt(f64, Option<u64>),
    Array(Tensor),
    Seq(Bound<'py, PySequence>),
}

fn classify<'py>(obj: &Bound<'py, PyAny>, depth: usize) -> PyResult<Node<'py>> {
    if let Ok(i) = obj.cast::<PyInt>() {
        if !obj.is_instance_of::<PyBool>() && i.extract::<i64>().is_err() {
            return Ok(Node::BigInt(obj.extract::<f64>()?, obj.extract::<u64>().ok()));
        }
    }
    // np.float64 and np.complex128 subclass Python's float and complex but keep their own dtype.
    let builtin_number = obj.is_exact_instance_of::<PyFloat>() || obj.is_instance_of::<PyInt>() || obj.is_exact_instance_of::<PyComplex>();
    if builtin_number || ((obj.is_instance_of::<PyFloat>() || obj.is_instance_of::<PyComplex>()) && !from_numpy_module(obj)) {
        let p = py_to_pivot(obj)?.unwrap_or(Pivot::I(0));
        return Ok(Node::Leaf(p, python_scalar_dtype(&p)?));
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = t.borrow();
        if t.t.numel() != 1 {
            return Err(PyTypeError::new_err("only integer tensors of a single element can be converted to an index"));
        }
        return Ok(Node::Leaf(t.t.item()?, t.t.dtype));
    }
    if is_ndarray(obj) {
        if obj.getattr("ndim")?.extract::<usize>()? == 0 {
            return Err(PyTypeError::new_err("len() of unsized object"));
        }
        return Ok(Node::Array(super::numpy::tensor_from_array(obj, false)?));
    }
    if from_numpy_module(obj) {
        if let Some(p) = numpy_scalar(obj)? {
            let dt = match numpy_scalar_dtype(obj) {
                Some(d) => d,
                None => python_scalar_dtype(&p)?,
            };
            return Ok(Node::Leaf(p, dt));
        }
    }
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<pyo3::types::PyBytes>() {
        if depth == 0 {
            return Err(PyTypeError::new_err(format!("new(): invalid data type '{}'", type_name(obj))));
        }
        return Err(PyValueError::new_err(format!("too many dimensions '{}'", type_name(obj))));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return Ok(Node::Seq(l.as_sequence().clone()));
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return Ok(Node::Seq(t.as_sequence().clone()));
    }
    if let Ok(s) = obj.cast::<PySequence>() {
        return Ok(Node::Seq(s.clone()));
    }
    Err(PyRuntimeError::new_err(format!("Could not infer dtype of {}", type_name(obj))))
}

/// The dtype torch infers for a NumPy scalar inside a list.
fn numpy_scalar_dtype(obj: &Bound<'_, PyAny>) -> Option<DType> {
    let s: String = obj.getattr("dtype").ok()?.getattr("str").ok()?.extract().ok()?;
    DType::from_numpy_typestr(&s)
}

struct Walker {
    values: Vec<Pivot>,
    shape: Vec<usize>,
    dtype: Option<DType>,
    big_int: bool,
    big_uints: Vec<(usize, u64)>,
    all_big_fit_u64: bool,
}

impl Walker {
    fn note(&mut self, dt: DType) {
        self.dtype = Some(match self.dtype {
            None => dt,
            Some(old) => promote_types(old, dt),
        });
    }

    /// Sizes come from the chain of first elements, as torch's compute_sizes does.
    fn sizes(&mut self, obj: &Bound<'_, PyAny>) -> PyResult<()> {
        let mut cur = obj.clone();
        loop {
            match classify(&cur, self.shape.len())? {
                Node::Seq(s) => {
                    let n = s.len()?;
                    self.shape.push(n);
                    if n == 0 {
                        return Ok(());
                    }
                    cur = s.get_item(0)?;
                }
                Node::Array(t) => {
                    self.shape.extend_from_slice(t.shape());
                    return Ok(());
                }
                _ => return Ok(()),
            }
        }
    }

    fn fill(&mut self, obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<()> {
        let node = classify(obj, depth)?;
        if depth == self.shape.len() {
            return match node {
                Node::Leaf(p, dt) => {
                    self.note(dt);
                    self.values.push(p);
                    Ok(())
                }
                Node::BigInt(f, u) => {
                    self.big_int = true;
                    self.note(DType::I64);
                    match u {
                        Some(u) => self.big_uints.push((self.values.len(), u)),
                        None => self.all_big_fit_u64 = false,
                    }
                    self.values.push(Pivot::F(f));
                    Ok(())
                }
                _ => Err(PyTypeError::new_err(format!("'{}' object cannot be interpreted as an integer", type_name(obj)))),
            };
        }
        match node {
            Node::Seq(s) => {
                let n = s.len()?;
                if n != self.shape[depth] {
                    return Err(PyValueError::new_err(format!(
                        "expected sequence of length {} at dim {} (got {})",
                        self.shape[depth], depth, n
                    )));
                }
                for i in 0..n {
                    self.fill(&s.get_item(i)?, depth + 1)?;
                }
                Ok(())
            }
            Node::Array(t) => {
                if t.shape() != &self.shape[depth..] {
                    return Err(PyValueError::new_err(format!(
                        "expected sequence of length {} at dim {} (got {})",
                        self.shape[depth],
                        depth,
                        t.shape().first().copied().unwrap_or(0)
                    )));
                }
                self.note(t.dtype);
                self.values.extend(t.to_pivots()?);
                Ok(())
            }
            _ => Err(PyTypeError::new_err("not a sequence")),
        }
    }
}

/// Walks nested lists/tuples/arrays/scalars, checking that the nesting is rectangular.
pub fn collect(obj: &Bound<'_, PyAny>) -> PyResult<Collected> {
    // Fast path: a flat list of Python floats.
    if let Ok(l) = obj.cast::<PyList>() {
        let n = l.len();
        let mut values = Vec::with_capacity(n);
        let mut all_float = n > 0;
        for item in l.iter() {
            match item.cast_exact::<PyFloat>() {
                Ok(f) => values.push(Pivot::F(f.value())),
                Err(_) => {
                    all_float = false;
                    break;
                }
            }
        }
        if all_float {
            return Ok(Collected { values, shape: vec![n], dtype: default_dtype(), big_int: false, big_uints: Vec::new(), all_big_fit_u64: true });
        }
    }
    let mut w = Walker { values: Vec::new(), shape: Vec::new(), dtype: None, big_int: false, big_uints: Vec::new(), all_big_fit_u64: true };
    w.sizes(obj)?;
    w.fill(obj, 0)?;
    let dtype = w.dtype.unwrap_or_else(default_dtype);
    Ok(Collected { values: w.values, shape: w.shape, dtype, big_int: w.big_int, big_uints: w.big_uints, all_big_fit_u64: w.all_big_fit_u64 })
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
