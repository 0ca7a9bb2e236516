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
    let f = |p: Pivot| match p {
        Pivot::B(b) => b as u8 as f64,
        Pivot::I(i) => i as f64,
        Pivot::F(x) | Pivot::C(x, _) => x,
    };
    let n = arange_len(f(start), f(end), f(step))?;
    let t = Tensor::zeros(&[n], dtype, Device::Cpu)?;
    match (start, step) {
        (Pivot::I(s), Pivot::I(st)) if !dtype.is_floating_point() && !dtype.is_complex() => {
            dispatch!(dtype, T => fill_with::<T>(&t, |i| T::from_pivot(Pivot::I(s.wrapping_add(st.wrapping_mul(i as i64))))))
        }
        _ => {
            let (s, st) = (f(start), f(step));
            dispatch!(dtype, T => fill_with::<T>(&t, |i| T::from_pivot(Pivot::F(s + st * i as f64))))
        }
    }
    t.to_device(device)
}

/// torch's linspace: the first half counts up from start, the second half down from end, so both
/// endpoints are exact. Floats step in their own precision, integers in double.
pub fn linspace(start: f64, end: f64, steps: i64, dtype: DType, device: Device) -> Result<Tensor> {
    if steps < 0 {
        bail!(runtime, "number of steps must be non-negative");
    }
    let n = steps as usize;
    let t = Tensor::zeros(&[n], dtype, Device::Cpu)?;
    let half = n / 2;
    let at = |i: usize, s: f64, e: f64, step: f64| if i < half { s + step * i as f64 } else { e - step * (n - i - 1) as f64 };
    if n == 1 {
        dispatch!(dtype, T => fill_with::<T>(&t, |_| T::from_pivot(Pivot::F(start))));
    } else if dtype == DType::F32 {
        let (s, e) = (start as f32, end as f32);
        let step = (e - s) / (n - 1) as f32;
        fill_with::<f32>(&t, |i| if i < half { s + step * i as f32 } else { e - step * (n - i - 1) as f32 });
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
