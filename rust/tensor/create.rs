//! Creation kernels with torch's numerics: arange, linspace, logspace, eye, and filling from values.
use crate::bail;
use crate::device::Device;
use crate::dispatch;
use crate::dtype::DType;
use crate::element::{Element, Pivot};
use crate::error::Result;

use super::Tensor;

/// Number of elements torch's arange produces, with its errors.
pub fn arange_len(start: f64, end: f64, step: f64) -> Result<usize> {
    if step == 0.0 {
        bail!(runtime, "step must be nonzero");
    }
    if !start.is_finite() || !end.is_finite() {
        bail!(runtime, "unsupported range: {} -> {}", start, end);
    }
    if (step > 0.0 && end < start) || (step < 0.0 && end > start) {
        bail!(runtime, "upper bound and larger bound inconsistent with step sign");
    }
    let n = ((end - start) / step).ceil();
    if !n.is_finite() || n < 0.0 || n > isize::MAX as f64 {
        bail!(runtime, "invalid size, possible overflow?");
    }
    Ok(n as usize)
}

fn fill_with<T: Element>(t: &Tensor, f: impl Fn(usize) -> T) {
    let p = t.data_ptr() as *mut T;
    for i in 0..t.numel() {
        // SAFETY: t is a fresh contiguous CPU tensor of numel elements.
        unsafe { *p.add(i) = f(i) };
    }
}

/// Integer arange stays exact in int64; float arange computes start + i * step in double.
pub fn arange(start: Pivot, end: Pivot, step: Pivot, dtype: DType, device: Device) -> Result<Tensor> {
    if dtype.is_barebones() {
        crate::bail!(not_implemented, "\"arange_cpu\" not implemented for '{}'", dtype.scalar_name());
    }
    let f = |p: Pivot| match p {
        Pivot::B(b) => b as u8 as f64,
        Pivot::I(i) => i as f64,
        Pivot::F(x) | Pivot::C(x, _) => x,
    };
    let n = arange_len(f(start), f(end), f(step))?;
    let t = Tensor::zeros(&[n], dtype, Device::Cpu)?;
    // Integral results step in int64 from the truncated start and step.
    let int_out = !dtype.is_floating_point() && !dtype.is_complex();
    let trunc = |p: Pivot| match p {
        Pivot::F(x) if int_out => Pivot::I(x as i64),
        other => other,
    };
    match (trunc(start), trunc(step)) {
        (Pivot::I(s), Pivot::I(st)) if !dtype.is_floating_point() && !dtype.is_complex() => {
            dispatch!(dtype, T => fill_with::<T>(&t, |i| T::from_pivot(Pivot::I(s.wrapping_add(st.wrapping_mul(i as i64))))))
        }
        _ => {
            let (s, st) = (f(start), f(step));
            dispatch!(dtype, T => fill_with::<T>(&t, |i| T::from_pivot(Pivot::F(arange_value(s, st, i, n, dtype)))))
        }
    }
    t.to_device(device)
}

/// Element `i` of a floating arange of `n`, reproducing torch's CPU kernel bit for bit: it runs in
/// 256-bit vector chunks (two per step) whose lanes are `base + j * step` from a rounded base, with
/// the tail computed directly; float16/bfloat16 accumulate in float, others in double (with FMA).
fn arange_value(start: f64, step: f64, i: usize, n: usize, dtype: DType) -> f64 {
    let lanes = 32 / dtype.itemsize().max(1);
    let full = n / (2 * lanes) * (2 * lanes);
    let half_acc = matches!(dtype, DType::F16 | DType::BF16);
    let direct = |k: usize| -> f64 {
        if half_acc { (step as f32).mul_add(k as f32, start as f32) as f64 } else { step.mul_add(k as f64, start) }
    };
    let round = |v: f64| -> f64 {
        match dtype {
            DType::F32 | DType::C64 => v as f32 as f64,
            DType::F16 => half::f16::from_f32(v as f32).to_f64(),
            DType::BF16 => half::bf16::from_f32(v as f32).to_f64(),
            _ => v,
        }
    };
    if i >= full {
        return direct(i);
    }
    let j = i % lanes;
    let base = round(direct(i - j));
    if j == 0 {
        return base;
    }
    if half_acc { (j as f32).mul_add(step as f32, base as f32) as f64 } else { (j as f64).mul_add(step, base) }
}

/// torch's linspace: the first half counts up from start, the second half down from end, so both
/// endpoints are exact. Floats step in their own precision, integers in double.
pub fn linspace(start: f64, end: f64, steps: i64, dtype: DType, device: Device) -> Result<Tensor> {
    if steps < 0 {
        bail!(runtime, "number of steps must be non-negative");
    }
    crate::ops::newdt::reject(dtype, "linspace_cpu", crate::ops::newdt::Refuse::All)?;
    let n = steps as usize;
    let t = Tensor::zeros(&[n], dtype, Device::Cpu)?;
    let half = n / 2;
    let at = |i: usize, s: f64, e: f64, step: f64| {
        if i < half { step.mul_add(i as f64, s) } else { (-step).mul_add((n - i - 1) as f64, e) }
    };
    if n == 0 {
    } else if n == 1 {
        dispatch!(dtype, T => fill_with::<T>(&t, |_| T::from_pivot(Pivot::F(start))));
    } else if matches!(dtype, DType::F32 | DType::F16 | DType::BF16) {
        // Endpoints in the element type, stepping in float32 (contracted to FMA), rounded once.
        dispatch!(dtype, T => {
            let h = |x: f64| match T::from_pivot(Pivot::F(x)).to_pivot() { Pivot::F(v) => v as f32, _ => x as f32 };
            let (s, e) = (h(start), h(end));
            let step = (e - s) / (n - 1) as f32;
            fill_with::<T>(&t, |i| {
                let v = if i < half { step.mul_add(i as f32, s) } else { (-step).mul_add((n - i - 1) as f32, e) };
                T::from_pivot(Pivot::F(v as f64))
            })
        });
    } else if dtype.is_integral(true) {
        // Integral results: the endpoints are converted first, then stepping is in double.
        let (s, e) = (start.trunc(), end.trunc());
        let step = (e - s) / (n - 1) as f64;
        dispatch!(dtype, T => fill_with::<T>(&t, |i| T::from_pivot(Pivot::F(at(i, s, e, step)))));
    } else {
        let step = (end - start) / (n - 1) as f64;
        dispatch!(dtype, T => fill_with::<T>(&t, |i| T::from_pivot(Pivot::F(at(i, start, end, step)))));
    }
    t.to_device(device)
}

pub fn logspace(start: f64, end: f64, steps: i64, base: f64, dtype: DType, device: Device) -> Result<Tensor> {
    if steps < 0 {
        bail!(runtime, "number of steps must be non-negative");
    }
    crate::ops::newdt::reject(dtype, "linspace_cpu", crate::ops::newdt::Refuse::All)?;
    let n = steps as usize;
    let t = Tensor::zeros(&[n], dtype, Device::Cpu)?;
    let half = n / 2;
    let step = if n > 1 { (end - start) / (n - 1) as f64 } else { 0.0 };
    let at = |i: usize| {
        let x = if n == 1 {
            start
        } else if i < half {
            start + step * i as f64
        } else {
            end - step * (n - i - 1) as f64
        };
        base.powf(x)
    };
    dispatch!(dtype, T => fill_with::<T>(&t, |i| T::from_pivot(Pivot::F(at(i)))));
    t.to_device(device)
}

pub fn eye(n: usize, m: usize, dtype: DType, device: Device) -> Result<Tensor> {
    crate::ops::newdt::reject(dtype, "eye", crate::ops::newdt::Refuse::Uints)?;
    let t = Tensor::zeros(&[n, m], dtype, Device::Cpu)?;
    dispatch!(dtype, T => {
        let p = t.data_ptr() as *mut T;
        for i in 0..n.min(m) {
            // SAFETY: (i, i) is inside the fresh n x m contiguous buffer.
            unsafe { *p.add(i * m + i) = T::one() };
        }
    });
    t.to_device(device)
}

/// A contiguous tensor of `shape` holding `values` (row-major) converted to `dtype`.
pub fn from_pivots(values: &[Pivot], shape: &[usize], dtype: DType) -> Result<Tensor> {
    let t = Tensor::zeros(shape, dtype, Device::Cpu)?;
    if values.len() != t.numel() {
        bail!(runtime, "expected {} values, got {}", t.numel(), values.len());
    }
    dispatch!(dtype, T => fill_with::<T>(&t, |i| T::from_pivot(values[i])));
    Ok(t)
}
