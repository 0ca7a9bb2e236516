//! Random fills, drawing from a generator in torch's order so that seeds reproduce torch's values.
use half::{bf16, f16};

use crate::bail;
use crate::device::Device;
use crate::dispatch;
use crate::dtype::DType;
use crate::element::{Element, Pivot};
use crate::error::Result;
use crate::layout::Layout;
use crate::random::{GenState, Generator, normal_fill_f32, normal_fill_f64};
use crate::tensor::Tensor;

/// Visits elements in memory order (torch's TensorIterator sorts dims by stride), calling `f` for
/// each element pointer.
fn for_each_elem<T: Element>(t: &Tensor, mut f: impl FnMut(&mut T)) {
    let mut dims: Vec<usize> = (0..t.ndim()).collect();
    dims.sort_by(|&a, &b| t.strides()[b].abs().cmp(&t.strides()[a].abs()));
    let l: Layout = t.layout.permute(&dims);
    let base = t.storage.as_ptr() as *mut T;
    crate::backend::cpu::iter::for_each_row(&l.shape, [&l.strides], [l.offset as isize], |[o], n, [s]| {
        for i in 0..n as isize {
            // SAFETY: offsets are inside the tensor's layout, which is inside its storage.
            unsafe { f(&mut *base.offset(o + i * s)) }
        }
    });
}

fn check_cpu(t: &Tensor, op: &str) -> Result<()> {
    if t.device() != Device::Cpu {
        bail!(not_implemented, "[{op}] random fills on CUDA tensors are not implemented yet");
    }
    t.check_writable()
}

/// `uniform_(from, to)`: one draw per element (24 bits for float, 53 for double).
pub fn uniform_(t: &Tensor, from: f64, to: f64, g: &Generator) -> Result<()> {
    check_cpu(t, "uniform_")?;
    let mut s = g.lock()?;
    match t.dtype {
        DType::F32 => {
            let (from, to) = (from as f32, to as f32);
            for_each_elem::<f32>(t, |v| *v = s.uniform_f32() * (to - from) + from)
        }
        DType::F64 => for_each_elem::<f64>(t, |v| *v = s.uniform_f64() * (to - from) + from),
        DType::F16 => for_each_elem::<f16>(t, |v| *v = f16::from_f32(uniform_bits(&mut s, 11) * (to - from) as f32 + from as f32)),
        DType::BF16 => for_each_elem::<bf16>(t, |v| *v = bf16::from_f32(uniform_bits(&mut s, 8) * (to - from) as f32 + from as f32)),
        DType::C64 | DType::C128 => bail!(runtime, "\"check_uniform_bounds\" not implemented for '{}'", t.dtype.scalar_name()),
        _ => bail!(runtime, "\"check_uniform_bounds\" not implemented for '{}'", t.dtype.scalar_name()),
    }
    t.storage.bump_version();
    Ok(())
}

/// uniform_real_distribution for a type with `digits` mantissa bits.
fn uniform_bits(s: &mut GenState, digits: u32) -> f32 {
    (s.random() & ((1u32 << digits) - 1)) as f32 / (1u32 << digits) as f32
}

/// `normal_(mean, std)`.
pub fn normal_(t: &Tensor, mean: f64, std: f64, g: &Generator) -> Result<()> {
    check_cpu(t, "normal_")?;
    if std < 0.0 {
        bail!(runtime, "normal expects std >= 0.0, but found std {}", std);
    }
    let mut s = g.lock()?;
    let n = t.numel();
    let contiguous = t.is_contiguous();
    match t.dtype {
        DType::F32 if n >= 16 && contiguous => {
            // SAFETY: contiguous CPU tensor of n f32 elements.
            let d = unsafe { std::slice::from_raw_parts_mut(t.data_ptr() as *mut f32, n) };
            normal_fill_f32(&mut s, d, mean as f32, std as f32);
        }
        DType::F64 if n >= 16 && contiguous => {
            // SAFETY: contiguous CPU tensor of n f64 elements.
            let d = unsafe { std::slice::from_raw_parts_mut(t.data_ptr() as *mut f64, n) };
            normal_fill_f64(&mut s, d, mean, std);
        }
        dt if dt.is_floating_point() => {
            dispatch!(dt, T => for_each_elem::<T>(t, |v| *v = T::from_pivot(Pivot::F(s.normal_f64(mean, std)))))
        }
        dt => bail!(runtime, "\"normal_kernel_cpu\" not implemented for '{}'", dt.scalar_name()),
    }
    t.storage.bump_version();
    Ok(())
}

/// `random_(from, to)`: `random() % range + from`, with 64-bit draws for ranges of 2^32 or more.
pub fn random_from_to_(t: &Tensor, from: i64, to: i64, g: &Generator) -> Result<()> {
    check_cpu(t, "random_")?;
    if from >= to {
        bail!(runtime, "random_ expects 'from' to be less than 'to', but got from={} >= to={}", from, to);
    }
    let range = (to as i128 - from as i128) as u64;
    let mut s = g.lock()?;
    dispatch!(t.dtype, T => for_each_elem::<T>(t, |v| {
        let r = if range >= 1u64 << 32 { s.random64() % range } else { (s.random() as u64) % range };
        *v = T::from_pivot(Pivot::I((from as i128 + r as i128) as i64));
    }));
    t.storage.bump_version();
    Ok(())
}

/// torch's CPU randperm: identity, then a forward Fisher-Yates pass with `random() % (n - i)`.
pub fn randperm(n: i64, dtype: DType, device: Device, g: &Generator) -> Result<Tensor> {
    if n < 0 {
        bail!(runtime, "n must be non-negative, got{}", n);
    }
    let n = n as usize;
    let mut v: Vec<i64> = (0..n as i64).collect();
    {
        let mut s = g.lock()?;
        for i in 0..n.saturating_sub(1) {
            let r = if n - i >= 1usize << 32 { s.random64() as usize } else { s.random() as usize };
            let z = r % (n - i);
            v.swap(i, z + i);
        }
    }
    let p: Vec<Pivot> = v.into_iter().map(Pivot::I).collect();
    crate::tensor::create::from_pivots(&p, &[n], dtype)?.to_device(device)
}

/// `bernoulli_(p)`: one uniform draw per element, 1 when it falls below p.
pub fn bernoulli_scalar_(t: &Tensor, p: f64, g: &Generator) -> Result<()> {
    check_cpu(t, "bernoulli_")?;
    if !(0.0..=1.0).contains(&p) {
        bail!(runtime, "bernoulli_ expects p to be in [0, 1], but got p={}", p);
    }
    let mut s = g.lock()?;
    dispatch!(t.dtype, T => for_each_elem::<T>(t, |v| *v = T::from_pivot(Pivot::B(s.uniform_f64() < p))));
    t.storage.bump_version();
    Ok(())
}

/// `bernoulli(input)`: each element of `probs` is the probability of drawing 1.
pub fn bernoulli_tensor(probs: &Tensor, out_dtype: DType, g: &Generator) -> Result<Tensor> {
    let p = probs.to_device(Device::Cpu)?.to_dtype(DType::F64, false)?.contiguous()?;
    let vals = p.to_pivots()?;
    let out = Tensor::zeros(probs.shape(), out_dtype, Device::Cpu)?;
    let mut s = g.lock()?;
    let mut i = 0;
    let mut bad = None;
    dispatch!(out_dtype, T => for_each_elem::<T>(&out, |v| {
        let pv = match vals[i] { Pivot::F(f) => f, _ => 0.0 };
        if !(0.0..=1.0).contains(&pv) { bad = Some(pv); }
        *v = T::from_pivot(Pivot::B(s.uniform_f32() < pv as f32));
        i += 1;
    }));
    if bad.is_some() {
        bail!(runtime, "Expected p_in >= 0 && p_in <= 1 to be true, but got false.");
    }
    out.to_device(probs.device())
}

/// `multinomial(input, num_samples, replacement)` over the last dim of a 1-D or 2-D weight tensor.
pub fn multinomial(probs: &Tensor, num_samples: i64, replacement: bool, g: &Generator) -> Result<Tensor> {
    let nd = probs.ndim();
    if nd == 0 || nd > 2 {
        bail!(runtime, "prob_dist must be 1 or 2 dim");
    }
    if !probs.dtype.is_floating_point() {
        bail!(runtime, "multinomial only supports floating-point dtypes for input, got: {}", probs.dtype.scalar_name());
    }
    let rows = if nd == 2 { probs.shape()[0] } else { 1 };
    let cats = probs.shape()[nd - 1];
    if num_samples <= 0 {
        bail!(runtime, "cannot sample n_sample <= 0 samples");
    }
    let k = num_samples as usize;
    if !replacement && k > cats {
        bail!(runtime, "cannot sample n_sample > prob_dist.size(-1) samples without replacement");
    }
    let w: Vec<f64> = probs
        .to_dtype(DType::F64, false)?
        .to_pivots()?
        .into_iter()
        .map(|p| if let Pivot::F(f) = p { f } else { 0.0 })
        .collect();
    let mut out = Vec::with_capacity(rows * k);
    let mut s = g.lock()?;
    for r in 0..rows {
        let mut row: Vec<f64> = w[r * cats..(r + 1) * cats].to_vec();
        if row.iter().any(|&x| x < 0.0 || !x.is_finite()) {
            bail!(runtime, "probability tensor contains either `inf`, `nan` or element < 0");
        }
        if row.iter().sum::<f64>() <= 0.0 {
            bail!(runtime, "invalid multinomial distribution (sum of probabilities <= 0)");
        }
        for _ in 0..k {
            let total: f64 = row.iter().sum();
            let u = s.uniform_f64() * total;
            let mut acc = 0.0;
            let mut pick = cats - 1;
            for (j, &x) in row.iter().enumerate() {
                acc += x;
                if u < acc && x > 0.0 {
                    pick = j;
                    break;
                }
            }
            while row[pick] <= 0.0 && pick > 0 {
                pick -= 1;
            }
            out.push(Pivot::I(pick as i64));
            if !replacement {
                row[pick] = 0.0;
            }
        }
    }
    let shape: Vec<usize> = if nd == 2 { vec![rows, k] } else { vec![k] };
    crate::tensor::create::from_pivots(&out, &shape, DType::I64)?.to_device(probs.device())
}
