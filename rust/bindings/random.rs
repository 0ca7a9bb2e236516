//! `torch.Generator`, seeding, and the random creation functions and in-place fills.
use std::sync::Arc;

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyTuple};

use crate::device::Device;
use crate::dtype::DType;
use crate::error::Result as CoreResult;
use crate::ops::random as rops;
use crate::random::{Generator, default_generator};
use crate::tensor::Tensor;

use super::create::finish;
use super::dtype::{PyDevice, device_or_cpu, dtype_or_default, extract_dtype_opt};
use super::tensor::{PyTensor, parse_size, to_shape};

#[pyclass(name = "Generator", module = "oxytorch")]
pub struct PyGenerator {
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

/// torch maps seeds into u64; negative seeds wrap.
fn seed_arg(seed: &Bound<'_, PyAny>) -> PyResult<u64> {
    let v: i128 = match seed.cast::<PyInt>() {
        Ok(i) => i.extract()?,
        Err(_) => match seed.call_method0("__index__") {
            Ok(i) => i.extract()?,
            Err(_) => {
                return Err(PyTypeError::new_err(format!(
                    "manual_seed expected a long, but got {}",
                    seed.get_type().name()?
                )));
            }
        },
    };
    if v < -(1i128 << 63) || v > u64::MAX as i128 {
        return Err(PyRuntimeError::new_err(
            "Overflow when unpacking long long, seed must be in range [-0x8000_0000_0000_0000, 0xffff_ffff_ffff_ffff]",
        ));
    }
    Ok(if v < 0 { (v + (1i128 << 64)) as u64 } else { v as u64 })
}

fn nondeterministic_seed() -> u64 {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let mut x = (t as u64) ^ ((std::process::id() as u64) << 32);
    // splitmix64 scrambles the clock into a well-spread seed.
    x = x.wrapping_add(0x9e3779b97f4a7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d049bb133111eb);
    (x ^ (x >> 31)) & ((1u64 << 63) - 1)
}

/// Serialised state: torch's layout is opaque to users; ours is the 624 state words, the position,
/// the seed and the cached normal sample, little-endian, in a uint8 tensor.
fn state_bytes(g: &Generator) -> CoreResult<Vec<u8>> {
    let s = g.lock()?;
    let mut out = Vec::with_capacity(624 * 4 + 8 * 4);
    for w in s.mt().state.iter() {
        out.extend_from_slice(&w.to_le_bytes());
    }
    out.extend_from_slice(&(s.mt().index as u64).to_le_bytes());
    out.extend_from_slice(&s.seed.to_le_bytes());
    let (has, v) = match s.next_double_normal {
        Some(v) => (1u64, v),
        None => (0, 0.0),
    };
    out.extend_from_slice(&has.to_le_bytes());
    out.extend_from_slice(&v.to_le_bytes());
    Ok(out)
}

fn set_state_bytes(g: &Generator, b: &[u8]) -> PyResult<()> {
    if b.len() != 624 * 4 + 32 {
        return Err(PyRuntimeError::new_err(format!(
            "Expected either a THGeneratorState of size {} but found the input RNG state size to be {}",
            624 * 4 + 32,
            b.len()
        )));
    }
    let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or([0; 8]));
    let mut s = g.lock()?;
    for i in 0..624 {
        s.mt_mut().state[i] = u32::from_le_bytes(b[i * 4..i * 4 + 4].try_into().unwrap_or([0; 4]));
    }
    let base = 624 * 4;
    s.mt_mut().index = (u64_at(base) as usize).min(624);
    s.seed = u64_at(base + 8);
    s.next_double_normal = if u64_at(base + 16) == 1 { Some(f64::from_bits(u64_at(base + 24))) } else { None };
    Ok(())
}

fn state_tensor(py: Python<'_>, g: &Generator) -> PyResult<Py<PyAny>> {
    let bytes = state_bytes(g)?;
    let p: Vec<crate::element::Pivot> = bytes.iter().map(|&b| crate::element::Pivot::I(b as i64)).collect();
    let t = crate::tensor::create::from_pivots(&p, &[bytes.len()], DType::U8)?;
    finish(py, t, false, None)
}

fn tensor_bytes(t: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    let t = t.cast::<PyTensor>().map_err(|_| PyTypeError::new_err("expected a torch.ByteTensor"))?;
    let t = t.borrow();
    if t.t.dtype != DType::U8 {
        return Err(PyTypeError::new_err(format!(
            "expected a torch.ByteTensor, but got {}",
            t.t.dtype.scalar_name()
        )));
    }
    Ok(t.t.to_pivots()?.into_iter().map(|p| if let crate::element::Pivot::I(i) = p { i as u8 } else { 0 }).collect())
}

#[pymethods]
impl PyGenerator {
    #[new]
    #[pyo3(signature = (device=None))]
    fn new(device: Option<&Bound<'_, PyAny>>) -> PyResult<PyGenerator> {
        Ok(PyGenerator { g: Some(Arc::new(Generator::new(crate::random::DEFAULT_SEED))), device: device_or_cpu(device)? })
    }
    fn manual_seed<'py>(slf: PyRef<'py, Self>, seed: &Bound<'py, PyAny>) -> PyResult<PyRef<'py, Self>> {
        let s = seed_arg(seed)?;
        slf.gen_ref().lock()?.set_seed(s);
        Ok(slf)
    }
    fn initial_seed(&self) -> PyResult<u64> {
        Ok(self.gen_ref().lock()?.seed)
    }
    fn seed(&self) -> PyResult<u64> {
        let s = nondeterministic_seed();
        self.gen_ref().lock()?.set_seed(s);
        Ok(s)
    }
    fn get_state(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        state_tensor(py, self.gen_ref())
    }
    fn set_state<'py>(slf: PyRef<'py, Self>, new_state: &Bound<'py, PyAny>) -> PyResult<PyRef<'py, Self>> {
        set_state_bytes(slf.gen_ref(), &tensor_bytes(new_state)?)?;
        Ok(slf)
    }
    #[getter]
    fn device(&self) -> PyDevice {
        PyDevice::from_device(self.device)
    }
}

/// The generator object wrapping torch's default CPU generator.
#[pyfunction]
pub fn _default_generator() -> PyGenerator {
    PyGenerator { g: None, device: Device::Cpu }
}

fn gen_of<'a>(g: &'a Option<PyRef<'a, PyGenerator>>) -> &'a Generator {
    match g {
        Some(g) => g.gen_ref(),
        None => default_generator(),
    }
}

#[pyfunction]
pub fn manual_seed(seed: &Bound<'_, PyAny>) -> PyResult<()> {
    let s = seed_arg(seed)?;
    default_generator().lock()?.set_seed(s);
    Ok(())
}

#[pyfunction]
pub fn initial_seed() -> PyResult<u64> {
    Ok(default_generator().lock()?.seed)
}

#[pyfunction]
pub fn seed() -> PyResult<u64> {
    let s = nondeterministic_seed();
    default_generator().lock()?.set_seed(s);
    Ok(s)
}

#[pyfunction]
pub fn get_rng_state(py: Python<'_>) -> PyResult<Py<PyAny>> {
    state_tensor(py, default_generator())
}

#[pyfunction]
pub fn set_rng_state(new_state: &Bound<'_, PyAny>) -> PyResult<()> {
    set_state_bytes(default_generator(), &tensor_bytes(new_state)?)
}

/// Creates a CPU tensor, fills it with `fill`, then moves it to the requested device.
fn generate(shape: &[usize], dt: DType, device: Device, fill: impl FnOnce(&Tensor) -> CoreResult<()>) -> PyResult<Tensor> {
    let t = Tensor::zeros(shape, dt, Device::Cpu)?;
    fill(&t)?;
    Ok(t.to_device(device)?)
}

macro_rules! rand_fn {
    ($name:ident, $fname:literal, $fill:expr) => {
        #[pyfunction]
        #[pyo3(signature = (*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
        #[allow(clippy::too_many_arguments)]
        pub fn $name(
            py: Python<'_>,
            size: &Bound<'_, PyTuple>,
            generator: Option<PyRef<'_, PyGenerator>>,
            out: Option<&Bound<'_, PyTensor>>,
            dtype: Option<&Bound<'_, PyAny>>,
            layout: Option<&Bound<'_, PyAny>>,
            device: Option<&Bound<'_, PyAny>>,
            requires_grad: bool,
            pin_memory: bool,
        ) -> PyResult<Py<PyAny>> {
            let _ = (layout, pin_memory);
            let shape = to_shape(&parse_size($fname, size)?)?;
            let dt = dtype_or_default(dtype, $fname)?;
            if !dt.is_floating_point() && !dt.is_complex() {
                return Err(PyRuntimeError::new_err(format!(
                    "\"{}\" not implemented for '{}'",
                    if $fname == "rand" { "check_uniform_bounds" } else { "normal_kernel_cpu" },
                    dt.scalar_name()
                )));
            }
            let g = gen_of(&generator);
            let f: fn(&Tensor, &Generator) -> CoreResult<()> = $fill;
            let t = generate(&shape, dt, device_or_cpu(device)?, |t| f(t, g))?;
            finish(py, t, requires_grad, out)
        }
    };
}
rand_fn!(rand, "rand", |t, g| rops::uniform_(t, 0.0, 1.0, g));
rand_fn!(randn, "randn", |t, g| rops::normal_(t, 0.0, 1.0, g));

#[pyfunction]
#[pyo3(signature = (input, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None))]
pub fn rand_like(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    memory_format: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let _ = (layout, memory_format);
    let dt = extract_dtype_opt(dtype, "rand_like")?.unwrap_or(input.t.dtype);
    let dev = if device.is_some_and(|d| !d.is_none()) { device_or_cpu(device)? } else { input.t.device() };
    let t = generate(input.t.shape(), dt, dev, |t| rops::uniform_(t, 0.0, 1.0, default_generator()))?;
    finish(py, t, requires_grad, None)
}

#[pyfunction]
#[pyo3(signature = (input, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None))]
pub fn randn_like(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    memory_format: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let _ = (layout, memory_format);
    let dt = extract_dtype_opt(dtype, "randn_like")?.unwrap_or(input.t.dtype);
    let dev = if device.is_some_and(|d| !d.is_none()) { device_or_cpu(device)? } else { input.t.device() };
    let t = generate(input.t.shape(), dt, dev, |t| rops::normal_(t, 0.0, 1.0, default_generator()))?;
    finish(py, t, requires_grad, None)
}

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
    let shape = to_shape(&parse_size("randint", &PyTuple::new(py, [sz])?)?)?;
    let dt = extract_dtype_opt(dtype, "randint")?.unwrap_or(DType::I64);
    let g = gen_of(&generator);
    let t = generate(&shape, dt, device_or_cpu(device)?, |t| rops::random_from_to_(t, lo, hi, g))?;
    finish(py, t, requires_grad, out)
}

#[pyfunction]
#[pyo3(signature = (input, low=None, high=None, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None))]
#[allow(clippy::too_many_arguments)]
pub fn randint_like(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    low: Option<i64>,
    high: Option<i64>,
    dtype: Option<&Bound<'_, PyAny>>,
    layout: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    memory_format: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let _ = (layout, memory_format);
    let (lo, hi) = match (low, high) {
        (Some(h), None) => (0, h),
        (Some(l), Some(h)) => (l, h),
        (None, Some(h)) => (0, h),
        (None, None) => return Err(PyTypeError::new_err("randint_like() missing required argument 'high'")),
    };
    let dt = extract_dtype_opt(dtype, "randint_like")?.unwrap_or(input.t.dtype);
    let dev = if device.is_some_and(|d| !d.is_none()) { device_or_cpu(device)? } else { input.t.device() };
    let t = generate(input.t.shape(), dt, dev, |t| rops::random_from_to_(t, lo, hi, default_generator()))?;
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
    let shape = to_shape(&parse_size("normal", &PyTuple::new(py, [size])?)?)?;
    let dt = dtype_or_default(dtype, "normal")?;
    let g = gen_of(&generator);
    let t = generate(&shape, dt, device_or_cpu(device)?, |t| rops::normal_(t, mean, std, g))?;
    finish(py, t, requires_grad, out)
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
    let g = gen_of(&generator);
    let t = match p {
        Some(p) => generate(input.t.shape(), input.t.dtype, input.t.device(), |t| rops::bernoulli_scalar_(t, p, g))?,
        None => rops::bernoulli_tensor(&input.t, input.t.dtype, g)?,
    };
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
    let t = rops::multinomial(&input.t, num_samples, replacement, gen_of(&generator))?;
    finish(py, t, false, out)
}

// ----- in-place fills -----

#[pymethods]
impl PyTensor {

#[pyo3(signature = (from=0.0, to=1.0, *, generator=None))]
pub fn uniform_<'py>(slf: Bound<'py, PyTensor>, from: f64, to: f64, generator: Option<PyRef<'py, PyGenerator>>) -> PyResult<Bound<'py, PyTensor>> {
    if from > to {
        return Err(PyRuntimeError::new_err(format!(
            "uniform_ expects to return a [from, to) range, but found from={from} > to={to}"
        )));
    }
    rops::uniform_(&slf.borrow().t, from, to, gen_of(&generator))?;
    Ok(slf)
}

#[pyo3(signature = (mean=0.0, std=1.0, *, generator=None))]
pub fn normal_<'py>(slf: Bound<'py, PyTensor>, mean: f64, std: f64, generator: Option<PyRef<'py, PyGenerator>>) -> PyResult<Bound<'py, PyTensor>> {
    rops::normal_(&slf.borrow().t, mean, std, gen_of(&generator))?;
    Ok(slf)
}

#[pyo3(signature = (from=0, to=None, *, generator=None))]
pub fn random_<'py>(slf: Bound<'py, PyTensor>, from: i64, to: Option<i64>, generator: Option<PyRef<'py, PyGenerator>>) -> PyResult<Bound<'py, PyTensor>> {
    let dt = slf.borrow().t.dtype;
    let (lo, hi) = match to {
        Some(t) => (from, t),
        // random_(to) and random_(): up to the dtype's largest exactly representable integer.
        None if from != 0 => (0, from),
        None => {
            let max: i64 = match dt {
                DType::Bool => 2,
                DType::U8 => 256,
                DType::I8 => 128,
                DType::I16 => 1 << 15,
                DType::I32 => 1 << 31,
                DType::I64 => i64::MAX,
                DType::F16 => (1 << 11) + 1,
                DType::BF16 => (1 << 8) + 1,
                DType::F32 => (1 << 24) + 1,
                _ => (1 << 53) + 1,
            };
            (0, max)
        }
    };
    rops::random_from_to_(&slf.borrow().t, lo, hi, gen_of(&generator))?;
    Ok(slf)
}

#[pyo3(signature = (p=None, *, generator=None))]
pub fn bernoulli_<'py>(slf: Bound<'py, PyTensor>, p: Option<&Bound<'py, PyAny>>, generator: Option<PyRef<'py, PyGenerator>>) -> PyResult<Bound<'py, PyTensor>> {
    let g = gen_of(&generator);
    if let Some(pt) = p.and_then(|p| p.cast::<PyTensor>().ok()) {
        let this = slf.borrow();
        let probs = pt.borrow().t.expand_to(this.t.shape())?;
        let drawn = rops::bernoulli_tensor(&probs, this.t.dtype, g)?;
        this.t.copy_(&drawn)?;
    } else {
        let p: f64 = match p {
            Some(p) => p.extract()?,
            None => 0.5,
        };
        rops::bernoulli_scalar_(&slf.borrow().t, p, g)?;
    }
    Ok(slf)
}
}
