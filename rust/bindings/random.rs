//! `torch.Generator`, seeding and RNG state, the random factories and the in-place random fills.
//! The sampling itself lives in `ops::random` and `random`; this layer only parses arguments.
use std::sync::Arc;

use pyo3::exceptions::{PyOverflowError, PyRuntimeError, PyTypeError, PyUserWarning, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyTuple};

use crate::device::Device;
use crate::dtype::DType;
use crate::element::Pivot;
use crate::error::Result as CoreResult;
use crate::ops::random as rops;
use crate::random::{Generator, default_generator};
use crate::tensor::Tensor;

use super::create::finish;
use super::dtype::{PyDevice, device_or_cpu, dtype_or_default, extract_dtype_opt};
use super::tensor::{PyTensor, parse_size, to_shape};

#[pyclass(name = "Generator", module = "oxytorch")]
pub struct PyGenerator {
    /// `None` is the global default generator.
    g: Option<Arc<Generator>>,
    device: Device,
}

impl PyGenerator {
    fn gen_ref(&self) -> &Generator {
        match &self.g {
            Some(g) => g,
            None => default_generator(),
        }
    }
}

/// torch's `unpack_uint64`: an int in [-2^63, 2^64), negatives reinterpreted as uint64.
fn unpack_seed(v: &Bound<'_, PyAny>) -> PyResult<u64> {
    let overflow = || PyValueError::new_err("Overflow when unpacking long long");
    let v: i128 =
        v.extract().map_err(|e: PyErr| if e.is_instance_of::<PyOverflowError>(v.py()) { overflow() } else { e })?;
    match v {
        0.. if v <= u64::MAX as i128 => Ok(v as u64),
        _ if v >= i64::MIN as i128 && v < 0 => Ok(v as i64 as u64),
        _ => Err(overflow()),
    }
}

/// `Generator.manual_seed` takes Python ints only (not bool, not float).
fn strict_seed(seed: &Bound<'_, PyAny>) -> PyResult<u64> {
    let is_int = seed.is_instance_of::<PyInt>() || (seed.hasattr("__index__")? && !seed.is_instance_of::<PyFloat>());
    if !is_int || seed.is_instance_of::<PyBool>() {
        return Err(PyRuntimeError::new_err(format!(
            "manual_seed expected a long, but got {}",
            seed.get_type().name()?
        )));
    }
    unpack_seed(&seed.call_method0("__index__")?)
}

/// The 5056 state bytes as a uint8 tensor.
fn state_tensor(py: Python<'_>, g: &Generator) -> PyResult<Py<PyAny>> {
    let bytes = g.lock()?.get_state();
    let p: Vec<Pivot> = bytes.iter().map(|&b| Pivot::I(b as i64)).collect();
    finish(py, crate::tensor::create::from_pivots(&p, &[bytes.len()], DType::U8)?, false, None)
}

/// Checks the state argument as torch does, then loads it.
fn load_state(g: &Generator, state: &Bound<'_, PyAny>) -> PyResult<()> {
    let Ok(t) = state.cast::<PyTensor>() else {
        return Err(PyTypeError::new_err(format!("expected a torch.ByteTensor, but got {}", state.get_type().name()?)));
    };
    let t = &t.borrow().t;
    if t.dtype != DType::U8 || t.device() != Device::Cpu {
        return Err(PyTypeError::new_err("RNG state must be a torch.ByteTensor"));
    }
    if !t.is_contiguous() {
        return Err(PyRuntimeError::new_err("RNG state must be contiguous"));
    }
    let bytes: Vec<u8> = t.to_pivots()?.into_iter().map(|p| if let Pivot::I(b) = p { b as u8 } else { 0 }).collect();
    Ok(g.lock()?.set_state(&bytes)?)
}

#[pymethods]
impl PyGenerator {
    #[new]
    #[pyo3(signature = (device=None))]
    fn new(device: Option<&Bound<'_, PyAny>>) -> PyResult<PyGenerator> {
        Ok(PyGenerator {
            g: Some(Arc::new(Generator::new(crate::random::DEFAULT_SEED))),
            device: device_or_cpu(device)?,
        })
    }
    fn manual_seed<'py>(slf: PyRef<'py, Self>, seed: &Bound<'py, PyAny>) -> PyResult<PyRef<'py, Self>> {
        let s = strict_seed(seed)?;
        slf.gen_ref().lock()?.set_seed(s);
        Ok(slf)
    }
    fn initial_seed(&self) -> PyResult<u64> {
        Ok(self.gen_ref().lock()?.seed())
    }
    /// Reseeds from a nondeterministic source and returns the new seed.
    fn seed(&self) -> PyResult<u64> {
        let s = crate::random::nondeterministic_seed();
        self.gen_ref().lock()?.set_seed(s);
        Ok(s)
    }
    fn get_state(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        state_tensor(py, self.gen_ref())
    }
    fn set_state<'py>(slf: PyRef<'py, Self>, new_state: &Bound<'py, PyAny>) -> PyResult<PyRef<'py, Self>> {
        load_state(slf.gen_ref(), new_state)?;
        Ok(slf)
    }
    /// A new generator with a copy of this one's state.
    fn clone_state(&self) -> PyResult<PyGenerator> {
        let g = Generator::new(0);
        g.lock()?.set_state(&self.gen_ref().lock()?.get_state())?;
        Ok(PyGenerator { g: Some(Arc::new(g)), device: self.device })
    }
    #[getter]
    fn device(&self) -> PyDevice {
        PyDevice::from_device(self.device)
    }
}

/// The one Python object for the global generator (`torch.default_generator`).
#[pyfunction]
pub fn _default_generator(py: Python<'_>) -> PyResult<Py<PyGenerator>> {
    static DEFAULT: PyOnceLock<Py<PyGenerator>> = PyOnceLock::new();
    DEFAULT.get_or_try_init(py, || Py::new(py, PyGenerator { g: None, device: Device::Cpu })).map(|g| g.clone_ref(py))
}

fn gen_of<'a>(g: &'a Option<PyRef<'a, PyGenerator>>) -> &'a Generator {
    match g {
        Some(g) => g.gen_ref(),
        None => default_generator(),
    }
}

/// `torch.manual_seed`: `int(seed)` first (so floats and numeric strings pass), then the
/// generator's rules. Returns the default generator.
#[pyfunction]
pub fn manual_seed(py: Python<'_>, seed: &Bound<'_, PyAny>) -> PyResult<Py<PyGenerator>> {
    let as_int = py.get_type::<PyInt>().call1((seed,))?;
    default_generator().lock()?.set_seed(unpack_seed(&as_int)?);
    _default_generator(py)
}

#[pyfunction]
pub fn initial_seed() -> PyResult<u64> {
    Ok(default_generator().lock()?.seed())
}

#[pyfunction]
pub fn seed() -> PyResult<u64> {
    let s = crate::random::nondeterministic_seed();
    default_generator().lock()?.set_seed(s);
    Ok(s)
}

#[pyfunction]
pub fn get_rng_state(py: Python<'_>) -> PyResult<Py<PyAny>> {
    state_tensor(py, default_generator())
}

#[pyfunction]
pub fn set_rng_state(new_state: &Bound<'_, PyAny>) -> PyResult<()> {
    load_state(default_generator(), new_state)
}

// ----- factories -----

/// A fresh CPU tensor filled by `fill`, then moved to `device`.
fn generate(
    shape: &[usize],
    dt: DType,
    device: Device,
    fill: impl FnOnce(&Tensor) -> CoreResult<()>,
) -> PyResult<Tensor> {
    let t = Tensor::zeros(shape, dt, Device::Cpu)?;
    fill(&t)?;
    Ok(t.to_device(device)?)
}

/// `*_like`: `empty_like(input)` (strides preserved when dense), filled, then moved.
fn generate_like(
    input: &Tensor,
    dt: DType,
    device: Device,
    fill: impl FnOnce(&Tensor) -> CoreResult<()>,
) -> PyResult<Tensor> {
    let t = rops::empty_like(input, dt)?;
    fill(&t)?;
    Ok(t.to_device(device)?)
}

fn like_args(
    input: &PyTensor,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    fname: &str,
) -> PyResult<(DType, Device)> {
    let dt = extract_dtype_opt(dtype, fname)?.unwrap_or(input.t.dtype);
    let dev = if device.is_some_and(|d| !d.is_none()) { device_or_cpu(device)? } else { input.t.device() };
    Ok((dt, dev))
}

/// Raises torch's precision warnings (UserWarning) for float `random_` ranges.
fn warn_all(py: Python<'_>, warnings: Vec<String>) -> PyResult<()> {
    for w in warnings {
        let msg = std::ffi::CString::new(w).map_err(|e| PyValueError::new_err(e.to_string()))?;
        PyErr::warn(py, &py.get_type::<PyUserWarning>(), &msg, 1)?;
    }
    Ok(())
}

/// A `size` argument given as one object: a sequence of ints (a bare int is a TypeError).
fn size_arg(py: Python<'_>, fname: &str, size: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
    if size.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!("{fname}(): argument 'size' must be tuple of ints, not int")));
    }
    to_shape(&parse_size(fname, &PyTuple::new(py, [size])?)?)
}

macro_rules! rand_fn {
    ($name:ident, $like:ident, $fname:literal, $fill:expr) => {
        #[pyfunction]
        #[pyo3(signature = (*dims, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
        #[allow(clippy::too_many_arguments)]
        pub fn $name(
            py: Python<'_>,
            dims: &Bound<'_, PyTuple>,
            size: Option<&Bound<'_, PyAny>>,
            generator: Option<PyRef<'_, PyGenerator>>,
            out: Option<&Bound<'_, PyTensor>>,
            dtype: Option<&Bound<'_, PyAny>>,
            layout: Option<&Bound<'_, PyAny>>,
            device: Option<&Bound<'_, PyAny>>,
            requires_grad: bool,
            pin_memory: bool,
        ) -> PyResult<Py<PyAny>> {
            let _ = (layout, pin_memory);
            let shape = match size {
                None => to_shape(&parse_size($fname, dims)?)?,
                Some(_) if !dims.is_empty() => {
                    return Err(PyTypeError::new_err(concat!($fname, "() got multiple values for argument 'size'")));
                }
                Some(s) => size_arg(py, $fname, s)?,
            };
            let dt = dtype_or_default(dtype, $fname)?;
            let g = gen_of(&generator);
            let f: fn(&Tensor, &Generator) -> CoreResult<()> = $fill;
            let t = generate(&shape, dt, device_or_cpu(device)?, |t| f(t, g))?;
            finish(py, t, requires_grad, out)
        }

        #[pyfunction]
        #[pyo3(signature = (input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None))]
        #[allow(clippy::too_many_arguments)]
        pub fn $like(
            py: Python<'_>,
            input: PyRef<'_, PyTensor>,
            generator: Option<PyRef<'_, PyGenerator>>,
            dtype: Option<&Bound<'_, PyAny>>,
            layout: Option<&Bound<'_, PyAny>>,
            device: Option<&Bound<'_, PyAny>>,
            requires_grad: bool,
            memory_format: Option<&Bound<'_, PyAny>>,
        ) -> PyResult<Py<PyAny>> {
            let _ = (layout, memory_format);
            let (dt, dev) = like_args(&input, dtype, device, concat!($fname, "_like"))?;
            let g = gen_of(&generator);
            let f: fn(&Tensor, &Generator) -> CoreResult<()> = $fill;
            let t = generate_like(&input.t, dt, dev, |t| f(t, g))?;
            finish(py, t, requires_grad, None)
        }
    };
}
rand_fn!(rand, rand_like, "rand", |t, g| rops::uniform_(t, 0.0, 1.0, g));
rand_fn!(randn, randn_like, "randn", |t, g| rops::normal_(t, 0.0, 1.0, g));

/// `randint(high, size)` or `randint(low, high, size)`.
#[pyfunction]
#[pyo3(signature = (*args, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false, size=None, low=None, high=None))]
#[allow(clippy::too_many_arguments)]
pub fn randint(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    generator: Option<PyRef<'_, PyGenerator>>,
    out: Option<&Bound<'_, PyTensor>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    pin_memory: bool,
    size: Option<&Bound<'_, PyAny>>,
    low: Option<i64>,
    high: Option<i64>,
) -> PyResult<Py<PyAny>> {
    let _ = (layout, pin_memory);
    let mut pos: Vec<Bound<'_, PyAny>> = args.iter().collect();
    if let Some(s) = size {
        pos.push(s.clone());
    }
    let (lo, hi, sz) = match (pos.len(), low, high) {
        (1, None, Some(h)) => (0, h, pos[0].clone()),
        (1, Some(l), Some(h)) => (l, h, pos[0].clone()),
        (2, None, None) => (0, pos[0].extract::<i64>()?, pos[1].clone()),
        (3, None, None) => (pos[0].extract::<i64>()?, pos[1].extract::<i64>()?, pos[2].clone()),
        _ => {
            return Err(PyTypeError::new_err(
                "randint() received an invalid combination of arguments - expected (int high, tuple of ints size) or (int low, int high, tuple of ints size)",
            ));
        }
    };
    let shape = size_arg(py, "randint", &sz)?;
    let dt = extract_dtype_opt(dtype, "randint")?.unwrap_or(DType::I64);
    let g = gen_of(&generator);
    let mut warnings = Vec::new();
    let t = generate(&shape, dt, device_or_cpu(device)?, |t| {
        warnings = rops::random_from_to_(t, lo, Some(hi), g)?;
        Ok(())
    })?;
    warn_all(py, warnings)?;
    finish(py, t, requires_grad, out)
}

#[pyfunction]
#[pyo3(signature = (input, low=None, high=None, *, generator=None, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None))]
#[allow(clippy::too_many_arguments)]
pub fn randint_like(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    low: Option<i64>,
    high: Option<i64>,
    generator: Option<PyRef<'_, PyGenerator>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    memory_format: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let _ = (layout, memory_format);
    let (lo, hi) = match (low, high) {
        (Some(h), None) | (None, Some(h)) => (0, h),
        (Some(l), Some(h)) => (l, h),
        (None, None) => return Err(PyTypeError::new_err("randint_like() missing required argument 'high'")),
    };
    let (dt, dev) = like_args(&input, dtype, device, "randint_like")?;
    let g = gen_of(&generator);
    let mut warnings = Vec::new();
    let t = generate_like(&input.t, dt, dev, |t| {
        warnings = rops::random_from_to_(t, lo, Some(hi), g)?;
        Ok(())
    })?;
    warn_all(py, warnings)?;
    finish(py, t, requires_grad, None)
}

#[pyfunction]
#[pyo3(signature = (n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
pub fn randperm(
    py: Python<'_>,
    n: i64,
    generator: Option<PyRef<'_, PyGenerator>>,
    out: Option<&Bound<'_, PyTensor>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    pin_memory: bool,
) -> PyResult<Py<PyAny>> {
    let _ = (layout, pin_memory);
    let dt = extract_dtype_opt(dtype, "randperm")?.unwrap_or(DType::I64);
    let t = rops::randperm(n, dt, device_or_cpu(device)?, gen_of(&generator))?;
    finish(py, t, requires_grad, out)
}

/// `normal(mean, std, size)` with float mean and std.
#[pyfunction]
#[pyo3(signature = (mean, std, size, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
pub fn _normal_scalar(
    py: Python<'_>,
    mean: f64,
    std: f64,
    size: &Bound<'_, PyAny>,
    generator: Option<PyRef<'_, PyGenerator>>,
    out: Option<&Bound<'_, PyTensor>>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    pin_memory: bool,
) -> PyResult<Py<PyAny>> {
    let _ = (layout, pin_memory);
    let shape = size_arg(py, "normal", size)?;
    let dt = dtype_or_default(dtype, "normal")?;
    let g = gen_of(&generator);
    let t = generate(&shape, dt, device_or_cpu(device)?, |t| rops::normal_(t, mean, std, g))?;
    finish(py, t, requires_grad, out)
}

/// `normal(mean, std)` where at least one of them is a tensor.
#[pyfunction]
#[pyo3(signature = (mean, std, *, generator=None, out=None))]
pub fn _normal_tensor(
    py: Python<'_>,
    mean: &Bound<'_, PyAny>,
    std: &Bound<'_, PyAny>,
    generator: Option<PyRef<'_, PyGenerator>>,
    out: Option<&Bound<'_, PyTensor>>,
) -> PyResult<Py<PyAny>> {
    let (mt, st) = (mean.cast::<PyTensor>().ok().map(|t| t.borrow()), std.cast::<PyTensor>().ok().map(|t| t.borrow()));
    let mp = match &mt {
        Some(t) => rops::Param::Tensor(&t.t),
        None => rops::Param::Scalar(mean.extract()?),
    };
    let sp = match &st {
        Some(t) => rops::Param::Tensor(&t.t),
        None => rops::Param::Scalar(std.extract()?),
    };
    let t = rops::normal_tensor(mp, sp, gen_of(&generator))?;
    finish(py, t, false, out)
}

#[pyfunction]
#[pyo3(signature = (input, p=None, *, generator=None, out=None))]
pub fn bernoulli(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    p: Option<f64>,
    generator: Option<PyRef<'_, PyGenerator>>,
    out: Option<&Bound<'_, PyTensor>>,
) -> PyResult<Py<PyAny>> {
    let t = rops::bernoulli(&input.t, p, gen_of(&generator))?;
    finish(py, t, false, out)
}

#[pyfunction]
#[pyo3(signature = (input, num_samples, replacement=false, *, generator=None, out=None))]
pub fn multinomial(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    num_samples: i64,
    replacement: bool,
    generator: Option<PyRef<'_, PyGenerator>>,
    out: Option<&Bound<'_, PyTensor>>,
) -> PyResult<Py<PyAny>> {
    if let Some(o) = out {
        let dt = o.borrow().t.dtype;
        if dt != DType::I64 {
            return Err(PyRuntimeError::new_err(format!(
                "multinomial expects Long tensor out, got: {}",
                dt.scalar_name()
            )));
        }
    }
    let t = rops::multinomial(&input.t, num_samples, replacement, gen_of(&generator))?;
    finish(py, t, false, out)
}

// ----- in-place fills -----

/// `random_`'s overloads: `()`, `(to)`, `(from, to)` and `(from, None)`, with `from`/`to` also
/// accepted as keywords. Returns `None` for the no-argument form.
fn random_bounds(
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Option<(i64, Option<i64>)>> {
    let invalid = || {
        PyTypeError::new_err(
            "random_() received an invalid combination of arguments - expected (int from, int to), (int to) or ()",
        )
    };
    let mut from_kw = None;
    let mut to_kw = None;
    for (k, v) in kwargs.into_iter().flatten() {
        match k.extract::<String>()?.as_str() {
            "from" => from_kw = Some(v),
            "to" => to_kw = Some(v),
            _ => return Err(invalid()),
        }
    }
    let int = |v: &Bound<'_, PyAny>| -> PyResult<i64> {
        if v.is_instance_of::<PyInt>() && !v.is_instance_of::<PyBool>() { v.extract() } else { Err(invalid()) }
    };
    let opt_int =
        |v: &Bound<'_, PyAny>| -> PyResult<Option<i64>> { if v.is_none() { Ok(None) } else { int(v).map(Some) } };
    let a: Vec<Bound<'_, PyAny>> = args.iter().collect();
    Ok(match (a.as_slice(), from_kw, to_kw) {
        ([], None, None) => None,
        ([], None, Some(to)) => Some((0, Some(int(&to)?))),
        ([], Some(from), Some(to)) => Some((int(&from)?, opt_int(&to)?)),
        ([to], None, None) => Some((0, Some(int(to)?))),
        ([from], None, Some(to)) => Some((int(from)?, opt_int(&to)?)),
        ([from, to], None, None) => Some((int(from)?, opt_int(to)?)),
        _ => return Err(invalid()),
    })
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (r#from=0.0, to=1.0, *, generator=None))]
    pub fn uniform_<'py>(
        slf: Bound<'py, PyTensor>,
        r#from: f64,
        to: f64,
        generator: Option<PyRef<'py, PyGenerator>>,
    ) -> PyResult<Bound<'py, PyTensor>> {
        rops::uniform_(&slf.borrow().t, r#from, to, gen_of(&generator))?;
        Ok(slf)
    }

    #[pyo3(signature = (mean=0.0, std=1.0, *, generator=None))]
    pub fn normal_<'py>(
        slf: Bound<'py, PyTensor>,
        mean: f64,
        std: f64,
        generator: Option<PyRef<'py, PyGenerator>>,
    ) -> PyResult<Bound<'py, PyTensor>> {
        rops::normal_(&slf.borrow().t, mean, std, gen_of(&generator))?;
        Ok(slf)
    }

    #[pyo3(signature = (*args, generator=None, **kwargs))]
    pub fn random_<'py>(
        slf: Bound<'py, PyTensor>,
        args: &Bound<'py, PyTuple>,
        generator: Option<PyRef<'py, PyGenerator>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyTensor>> {
        let g = gen_of(&generator);
        match random_bounds(args, kwargs)? {
            None => rops::random_(&slf.borrow().t, g)?,
            Some((from, to)) => {
                let warnings = rops::random_from_to_(&slf.borrow().t, from, to, g)?;
                warn_all(slf.py(), warnings)?;
            }
        }
        Ok(slf)
    }

    /// `bernoulli_(p)` with a number or a tensor of probabilities.
    #[pyo3(signature = (p=None, *, generator=None))]
    pub fn bernoulli_<'py>(
        slf: Bound<'py, PyTensor>,
        p: Option<&Bound<'py, PyAny>>,
        generator: Option<PyRef<'py, PyGenerator>>,
    ) -> PyResult<Bound<'py, PyTensor>> {
        let g = gen_of(&generator);
        match p.map(|p| p.cast::<PyTensor>()) {
            Some(Ok(pt)) => rops::bernoulli_tensor_(&slf.borrow().t, &pt.borrow().t, g)?,
            Some(Err(_)) => {
                rops::bernoulli_scalar_(&slf.borrow().t, p.map(|p| p.extract()).transpose()?.unwrap_or(0.5), g)?
            }
            None => rops::bernoulli_scalar_(&slf.borrow().t, 0.5, g)?,
        }
        Ok(slf)
    }

    #[pyo3(signature = (lambd=1.0, *, generator=None))]
    pub fn exponential_<'py>(
        slf: Bound<'py, PyTensor>,
        lambd: f64,
        generator: Option<PyRef<'py, PyGenerator>>,
    ) -> PyResult<Bound<'py, PyTensor>> {
        rops::exponential_(&slf.borrow().t, lambd, gen_of(&generator))?;
        Ok(slf)
    }

    #[pyo3(signature = (p, *, generator=None))]
    pub fn geometric_<'py>(
        slf: Bound<'py, PyTensor>,
        p: f64,
        generator: Option<PyRef<'py, PyGenerator>>,
    ) -> PyResult<Bound<'py, PyTensor>> {
        rops::geometric_(&slf.borrow().t, p, gen_of(&generator))?;
        Ok(slf)
    }

    #[pyo3(signature = (median=0.0, sigma=1.0, *, generator=None))]
    pub fn cauchy_<'py>(
        slf: Bound<'py, PyTensor>,
        median: f64,
        sigma: f64,
        generator: Option<PyRef<'py, PyGenerator>>,
    ) -> PyResult<Bound<'py, PyTensor>> {
        rops::cauchy_(&slf.borrow().t, median, sigma, gen_of(&generator))?;
        Ok(slf)
    }

    #[pyo3(signature = (mean=1.0, std=2.0, *, generator=None))]
    pub fn log_normal_<'py>(
        slf: Bound<'py, PyTensor>,
        mean: f64,
        std: f64,
        generator: Option<PyRef<'py, PyGenerator>>,
    ) -> PyResult<Bound<'py, PyTensor>> {
        rops::log_normal_(&slf.borrow().t, mean, std, gen_of(&generator))?;
        Ok(slf)
    }
}
