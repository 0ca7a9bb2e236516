//! `embedding` (forward, weight gradient, `max_norm` renormalisation) and `one_hot`.
use crate::bail;
use crate::device::Device;
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;

use num_traits::One;

use super::{Fl, dense, legacy_type, math_dtype, sl, sl_mut};

// ---------------------------------------------------------------------------------------------
// embedding and one_hot
// ---------------------------------------------------------------------------------------------

fn index_i64(indices: &Tensor, what: &str) -> Result<Tensor> {
    match indices.dtype {
        DType::I64 => indices.detached().contiguous(),
        DType::I32 => indices.detached().to_dtype(DType::I64, false)?.contiguous(),
        d => bail!(
            runtime,
            "Expected tensor for argument #1 '{}' to have one of the following scalar types: Long, Int; but got torch.{}Tensor instead (while checking arguments for embedding)",
            what,
            legacy_type(d)
        ),
    }
}

/// `weight[indices]` for a 2-D weight: shape `indices.shape + [D]`.
pub fn embedding(weight: &Tensor, indices: &Tensor) -> Result<Tensor> {
    crate::resolve_bits!(weight);
    crate::resolve_bits!(indices);
    if weight.ndim() != 2 {
        bail!(runtime, "'weight' must be 2-D");
    }
    let idx = index_i64(indices, "indices")?;
    let (v, d) = (weight.shape()[0], weight.shape()[1]);
    let w = weight.detached().contiguous()?;
    let mut shape = indices.shape().to_vec();
    shape.push(d);
    let out = Tensor::for_overwrite(&shape, weight.dtype)?;
    let isz = weight.dtype.itemsize();
    // SAFETY: idx is contiguous i64.
    let is = unsafe { sl::<i64>(&idx) };
    for &i in is {
        if i < 0 || i as usize >= v {
            bail!(index, "index out of range in self");
        }
    }
    let (src, dst) = (w.data_ptr() as *const u8, out.data_ptr() as *mut u8);
    for (r, &i) in is.iter().enumerate() {
        // SAFETY: i < v rows of d elements; r < numel(indices) rows in out.
        unsafe { std::ptr::copy_nonoverlapping(src.add(i as usize * d * isz), dst.add(r * d * isz), d * isz) };
    }
    Ok(out)
}

/// The gradient of `embedding` w.r.t. its weight: rows of `g` summed into their indices.
pub fn embedding_backward(g: &Tensor, indices: &Tensor, num_weights: usize, padding_idx: i64, scale_grad_by_freq: bool) -> Result<Tensor> {
    let md = math_dtype(g.dtype);
    let gc = dense(g, md)?;
    let idx = index_i64(indices, "indices")?;
    let d = *g.shape().last().unwrap_or(&1);
    let out = Tensor::zeros(&[num_weights, d], md, Device::Cpu)?;
    // SAFETY: idx is contiguous i64.
    let is = unsafe { sl::<i64>(&idx) };
    let mut counts = vec![0usize; if scale_grad_by_freq { num_weights } else { 0 }];
    if scale_grad_by_freq {
        for &i in is {
            if i >= 0 && (i as usize) < num_weights {
                counts[i as usize] += 1;
            }
        }
    }
    with_float!(md, T => {
        // SAFETY: contiguous math-dtype tensors; out is fresh.
        let (gs, os) = unsafe { (sl::<T>(&gc), sl_mut::<T>(&out)) };
        for (r, &i) in is.iter().enumerate() {
            if i == padding_idx || i < 0 || i as usize >= num_weights {
                continue;
            }
            let k = i as usize;
            let sc = if scale_grad_by_freq { T::f(1.0 / counts[k] as f64) } else { T::one() };
            for j in 0..d {
                os[k * d + j] = os[k * d + j] + gs[r * d + j] * sc;
            }
        }
    });
    out.to_dtype(g.dtype, false)
}

/// `embedding_renorm_`: rows of `weight` referenced by `indices` whose `norm_type`-norm exceeds
/// `max_norm` are scaled (in place) to norm `max_norm` (torch's 1e-7 guard included).
pub fn embedding_renorm_(weight: &Tensor, indices: &Tensor, max_norm: f64, norm_type: f64) -> Result<()> {
    let idx = index_i64(indices, "indices")?;
    let (v, d) = (weight.shape()[0], weight.shape()[1]);
    // SAFETY: idx is contiguous i64.
    let mut is: Vec<i64> = unsafe { sl::<i64>(&idx) }.to_vec();
    is.sort_unstable();
    is.dedup();
    let md = math_dtype(weight.dtype);
    let wc = dense(weight, md)?.clone_tensor()?;
    let mut changed = false;
    with_float!(md, T => {
        // SAFETY: wc is a fresh contiguous copy.
        let ws = unsafe { sl_mut::<T>(&wc) };
        for &i in &is {
            if i < 0 || i as usize >= v {
                bail!(index, "index out of range in self");
            }
            let row = &mut ws[i as usize * d..(i as usize + 1) * d];
            let norm = if norm_type == 1.0 {
                row.iter().fold(0f64, |a, v| a + v.d().abs())
            } else if norm_type == 2.0 {
                row.iter().fold(0f64, |a, v| a + v.d() * v.d()).sqrt()
            } else if norm_type.is_infinite() {
                row.iter().fold(0f64, |a, v| a.max(v.d().abs()))
            } else {
                row.iter().fold(0f64, |a, v| a + v.d().abs().powf(norm_type)).powf(1.0 / norm_type)
            };
            let norm = T::f(norm).d();
            if norm > max_norm {
                let sc = T::f(max_norm / (norm + 1e-7));
                for x in row.iter_mut() {
                    *x = *x * sc;
                }
                changed = true;
            }
        }
    });
    if changed {
        weight.copy_(&wc)?;
    }
    Ok(())
}

/// `one_hot(indices, num_classes)`: int64 of shape `indices.shape + [num_classes]`.
pub fn one_hot(indices: &Tensor, num_classes: i64) -> Result<Tensor> {
    crate::resolve_bits!(indices);
    if indices.dtype != DType::I64 {
        bail!(runtime, "one_hot is only applicable to index tensor of type LongTensor.");
    }
    let idx = indices.detached().contiguous()?;
    // SAFETY: contiguous i64.
    let is = unsafe { sl::<i64>(&idx) };
    let nc = if num_classes == -1 {
        if is.is_empty() {
            bail!(runtime, "Can not infer total number of classes from empty tensor.");
        }
        is.iter().copied().max().unwrap_or(0) + 1
    } else {
        num_classes
    };
    if is.iter().any(|&i| i < 0) {
        bail!(runtime, "Class values must be non-negative.");
    }
    if num_classes < -1 {
        bail!(runtime, "num_classes should be positive");
    }
    if is.iter().any(|&i| i >= nc) {
        bail!(runtime, "Class values must be smaller than num_classes.");
    }
    let nc = nc as usize;
    let mut shape = indices.shape().to_vec();
    shape.push(nc);
    let out = Tensor::zeros(&shape, DType::I64, Device::Cpu)?;
    // SAFETY: out is fresh and contiguous.
    let os = unsafe { sl_mut::<i64>(&out) };
    for (r, &i) in is.iter().enumerate() {
        os[r * nc + i as usize] = 1;
    }
    Ok(out)
}
