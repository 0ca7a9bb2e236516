//! `torch.multinomial` (Distributions.cpp, cpu/MultinomialKernel.cpp; docs/RNG.md section 5).
#![allow(clippy::neg_cmp_op_on_partial_ord)] // NaN must fail the `!(v >= 0.0)` checks.
use super::{cast, empty_like, exponential_fill, floats_of, with_contiguous};
use crate::bail;
use crate::device::Device;
use crate::dispatch;
use crate::dtype::DType;
use crate::element::{Element, Pivot};
use crate::error::Result;
use crate::random::{GenState, Generator, stdsort};
use crate::tensor::Tensor;

/// `multinomial(probs, n, replacement)` over the last dim of a 1-D or 2-D tensor
/// (Distributions.cpp, cpu/MultinomialKernel.cpp; docs/RNG.md section 5).
pub fn multinomial(probs: &Tensor, n_sample: i64, replacement: bool, g: &Generator) -> Result<Tensor> {
    let nd = probs.ndim();
    if nd == 0 || nd > 2 {
        bail!(runtime, "prob_dist must be 1 or 2 dim");
    }
    if !probs.dtype.is_floating_point() {
        bail!(runtime, "multinomial only supports floating-point dtypes for input, got: {}", probs.dtype.scalar_name());
    }
    if n_sample <= 0 {
        bail!(runtime, "cannot sample n_sample <= 0 samples");
    }
    let cats = probs.shape()[nd - 1];
    let k = n_sample as usize;
    if !replacement && k > cats {
        bail!(runtime, "cannot sample n_sample > prob_dist.size(-1) samples without replacement");
    }
    if cats > 1 << 24 {
        bail!(runtime, "number of categories cannot exceed 2^24");
    }
    let rows = if nd == 2 { probs.shape()[0] } else { 1 };
    let shape = if nd == 2 { vec![rows, k] } else { vec![k] };
    let mut idx = vec![0i64; rows * k];
    if !idx.is_empty() {
        let p = probs.to_device(Device::Cpu)?;
        let vals = floats_of(&p)?;
        let mut s = g.lock()?;
        if !replacement || k == 1 {
            sample_gumbel(&p, &vals, cats, k, &mut idx, &mut s)?;
        } else {
            sample_with_replacement(&vals, p.dtype == DType::F64, cats, k, &mut idx, &mut s)?;
        }
    }
    let out = Tensor::for_overwrite(&shape, DType::I64)?;
    // SAFETY: `out` was just created contiguous with i64 elements and is not shared yet.
    unsafe { with_contiguous(&out, |d: &mut [i64]| d.copy_from_slice(&idx)) };
    out.to_device(probs.device())
}

/// With replacement: per row a normalised cumulative sum (float, or double for double input),
/// then a binary search for each 53-bit uniform.
fn sample_with_replacement(
    vals: &[f64],
    wide: bool,
    cats: usize,
    k: usize,
    dst: &mut [i64],
    s: &mut GenState,
) -> Result<()> {
    // Float sums and quotients done in f64 and rounded once are exact (53 >= 2*24 + 2).
    let acc = |x: f64| if wide { x } else { x as f32 as f64 };
    let mut cum = vec![0.0; cats];
    for (row, out) in vals.chunks(cats.max(1)).zip(dst.chunks_mut(k)) {
        let mut sum = 0.0;
        for (c, &v) in cum.iter_mut().zip(row) {
            if !(v >= 0.0) {
                bail!(runtime, "invalid multinomial distribution (encountering probability entry < 0)");
            }
            if !v.is_finite() {
                bail!(runtime, "invalid multinomial distribution (encountering probability entry = infinity or NaN)");
            }
            sum = acc(sum + v);
            *c = sum;
        }
        if !(sum > 0.0) {
            bail!(runtime, "invalid multinomial distribution (sum of probabilities <= 0)");
        }
        cum.iter_mut().for_each(|c| *c = acc(*c / sum));
        if let Some(last) = cum.last_mut() {
            *last = 1.0;
        }
        for o in out.iter_mut() {
            let u = s.uniform_f64();
            let (mut lo, mut hi) = (0, cats);
            while hi > lo {
                let mid = lo + (hi - lo) / 2;
                if cum[mid] < u { lo = mid + 1 } else { hi = mid }
            }
            *o = lo as i64;
        }
    }
    Ok(())
}

/// Without replacement, or a single sample: keys `p / Exp(1)` (the exponentials drawn over a
/// tensor laid out like `p`, in p's dtype), then argmax, or torch.topk's exact algorithm.
fn sample_gumbel(p: &Tensor, vals: &[f64], cats: usize, k: usize, dst: &mut [i64], s: &mut GenState) -> Result<()> {
    if vals.iter().any(|&v| !(0.0..f64::INFINITY).contains(&v)) {
        bail!(runtime, "probability tensor contains either `inf`, `nan` or element < 0");
    }
    if vals.chunks(cats.max(1)).any(|row| row.iter().all(|&v| v == 0.0)) {
        bail!(runtime, "invalid multinomial distribution (sum of probabilities <= 0)");
    }
    let q = empty_like(p, p.dtype)?;
    exponential_fill(&q, 1.0, s);
    let keys: Vec<f64> = vals
        .iter()
        .zip(floats_of(&q)?)
        .map(|(&a, b)| match p.dtype {
            DType::F64 => a / b,
            // Division of the f32 values, rounded to the key dtype.
            dt => dispatch!(dt, T => match cast::<T>(Pivot::F((a as f32 / b as f32) as f64)).to_pivot() {
                Pivot::F(v) => v,
                _ => f64::NAN,
            }),
        })
        .collect();
    for (row, out) in keys.chunks(cats.max(1)).zip(dst.chunks_mut(k)) {
        if k == 1 {
            out[0] = stdsort::argmax(row) as i64;
        } else {
            for (o, i) in out.iter_mut().zip(crate::backend::cpu::sort::topk_row(row, k, true, true)) {
                *o = i as i64;
            }
        }
    }
    Ok(())
}
