//! Normalisation kernels: layer_norm/group_norm (statistics per row, affine per channel) and
//! batch_norm (statistics per channel), forward and backward.
use crate::bail;
use crate::device::Device;
use crate::dtype::DType;
use crate::element::Pivot;
use crate::error::Result;
use crate::tensor::Tensor;

use num_traits::{One, Zero};

use super::{Fl, cpu_float, dense, math_dtype, sl, sl_mut};

// ---------------------------------------------------------------------------------------------
// Row normalisation (layer_norm, group_norm): stats per row, affine per "channel"
// ---------------------------------------------------------------------------------------------

/// Per-row mean and 1/sqrt(biased var + eps) of a contiguous `(rows, len)` buffer.
fn row_stats<T: Fl>(xs: &[T], rows: usize, len: usize, eps: f64, mean: &mut [T], rstd: &mut [T]) {
    for r in 0..rows {
        let row = &xs[r * len..(r + 1) * len];
        // Two-pass in f64 for the row sums (torch CPU uses a Welford / cascade sum in acc type).
        let m = row.iter().fold(0f64, |a, &v| a + v.d()) / len.max(1) as f64;
        let var = row.iter().fold(0f64, |a, &v| {
            let d = v.d() - m;
            a + d * d
        }) / len.max(1) as f64;
        mean[r] = T::f(m);
        rstd[r] = T::f(1.0 / (var + eps).sqrt());
    }
}

/// Normalises rows and applies the affine map: `chan(r, j)` is the weight/bias index of element j
/// of row r. Returns (y, mean, rstd) in the math dtype (y contiguous with `x`'s shape).
pub fn row_norm_forward(
    x: &Tensor,
    rows: usize,
    len: usize,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    eps: f64,
    chan: impl Fn(usize, usize) -> usize,
) -> Result<(Tensor, Tensor, Tensor)> {
    crate::resolve_bits!(x);
    crate::resolve_opt_bits!(weight);
    crate::resolve_opt_bits!(bias);
    let md = math_dtype(x.dtype);
    let xc = dense(x, md)?;
    let y = Tensor::for_overwrite(x.shape(), md)?;
    let mean = Tensor::for_overwrite(&[rows], md)?;
    let rstd = Tensor::for_overwrite(&[rows], md)?;
    let w = match weight {
        Some(w) => Some(dense(w, md)?),
        None => None,
    };
    let b = match bias {
        Some(b) => Some(dense(b, md)?),
        None => None,
    };
    with_float!(md, T => {
        // SAFETY: contiguous tensors of the math dtype; y, mean and rstd are fresh.
        let (xs, ys, ms, rs) = unsafe { (sl::<T>(&xc), sl_mut::<T>(&y), sl_mut::<T>(&mean), sl_mut::<T>(&rstd)) };
        let ws = w.as_ref().map(|t| unsafe { sl::<T>(t) });
        let bs = b.as_ref().map(|t| unsafe { sl::<T>(t) });
        row_stats(xs, rows, len, eps, ms, rs);
        for r in 0..rows {
            let (m, s) = (ms[r], rs[r]);
            for j in 0..len {
                let k = r * len + j;
                let mut v = (xs[k] - m) * s;
                if ws.is_some() || bs.is_some() {
                    let c = chan(r, j);
                    if let Some(ws) = ws {
                        v = v * ws[c];
                    }
                    if let Some(bs) = bs {
                        v = v + bs[c];
                    }
                }
                ys[k] = v;
            }
        }
    });
    Ok((y, mean, rstd))
}

/// Gradients of `row_norm_forward`: (grad_input, grad_weight, grad_bias) in the math dtype.
/// `nchan` is the length of weight/bias; `want` says which gradients to compute.
#[allow(clippy::too_many_arguments)]
pub fn row_norm_backward(
    g: &Tensor,
    x: &Tensor,
    mean: &Tensor,
    rstd: &Tensor,
    weight: Option<&Tensor>,
    rows: usize,
    len: usize,
    nchan: usize,
    want: [bool; 3],
    chan: impl Fn(usize, usize) -> usize,
) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
    let md = math_dtype(x.dtype);
    let (gc, xc, mc, rc) = (dense(g, md)?, dense(x, md)?, dense(mean, md)?, dense(rstd, md)?);
    let w = match weight {
        Some(w) => Some(dense(w, md)?),
        None => None,
    };
    let gx = if want[0] { Some(Tensor::for_overwrite(x.shape(), md)?) } else { None };
    let gw = if want[1] { Some(Tensor::zeros(&[nchan], md, Device::Cpu)?) } else { None };
    let gb = if want[2] { Some(Tensor::zeros(&[nchan], md, Device::Cpu)?) } else { None };
    with_float!(md, T => {
        // SAFETY: contiguous tensors of the math dtype; gx, gw, gb are fresh.
        let (gs, xs, ms, rs) = unsafe { (sl::<T>(&gc), sl::<T>(&xc), sl::<T>(&mc), sl::<T>(&rc)) };
        let ws = w.as_ref().map(|t| unsafe { sl::<T>(t) });
        let mut gxs = gx.as_ref().map(|t| unsafe { sl_mut::<T>(t) });
        let mut gws = gw.as_ref().map(|t| unsafe { sl_mut::<T>(t) });
        let mut gbs = gb.as_ref().map(|t| unsafe { sl_mut::<T>(t) });
        let inv_len = 1.0 / len.max(1) as f64;
        for r in 0..rows {
            let (m, s) = (ms[r], rs[r]);
            let base = r * len;
            let (mut sum_gw, mut sum_gwx) = (0f64, 0f64);
            for j in 0..len {
                let k = base + j;
                let xh = (xs[k] - m) * s;
                let c = chan(r, j);
                let gv = gs[k];
                let gwv = match ws { Some(ws) => gv * ws[c], None => gv };
                sum_gw += gwv.d();
                sum_gwx += (gwv * xh).d();
                if let Some(gws) = gws.as_deref_mut() {
                    gws[c] = gws[c] + gv * xh;
                }
                if let Some(gbs) = gbs.as_deref_mut() {
                    gbs[c] = gbs[c] + gv;
                }
            }
            if let Some(gxs) = gxs.as_deref_mut() {
                let (a, bq) = (T::f(sum_gw * inv_len), T::f(sum_gwx * inv_len));
                for j in 0..len {
                    let k = base + j;
                    let xh = (xs[k] - m) * s;
                    let gwv = match ws { Some(ws) => gs[k] * ws[chan(r, j)], None => gs[k] };
                    gxs[k] = s * (gwv - a - xh * bq);
                }
            }
        }
    });
    Ok((gx, gw, gb))
}

// ---------------------------------------------------------------------------------------------
// batch_norm: stats per channel over (N, inner)
// ---------------------------------------------------------------------------------------------

/// Batch statistics of a contiguous `(n, c, inner)` buffer: (mean, biased var) per channel, f64.
fn channel_stats<T: Fl>(xs: &[T], n: usize, c: usize, inner: usize) -> (Vec<f64>, Vec<f64>) {
    let cnt = (n * inner).max(1) as f64;
    let mut mean = vec![0f64; c];
    let mut var = vec![0f64; c];
    for ch in 0..c {
        let mut s = 0f64;
        for b in 0..n {
            let base = (b * c + ch) * inner;
            s += xs[base..base + inner].iter().fold(0f64, |a, &v| a + v.d());
        }
        let m = s / cnt;
        let mut q = 0f64;
        for b in 0..n {
            let base = (b * c + ch) * inner;
            q += xs[base..base + inner].iter().fold(0f64, |a, &v| {
                let d = v.d() - m;
                a + d * d
            });
        }
        mean[ch] = m;
        var[ch] = q / cnt;
    }
    (mean, var)
}

/// `native_batch_norm` forward: (y, save_mean, save_invstd) in the math dtype. In training mode
/// the running stats (when given) are updated in place with `momentum` (unbiased variance).
#[allow(clippy::too_many_arguments)]
pub fn batch_norm_forward(
    x: &Tensor,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    running_mean: Option<&Tensor>,
    running_var: Option<&Tensor>,
    training: bool,
    momentum: f64,
    eps: f64,
) -> Result<(Tensor, Tensor, Tensor)> {
    crate::resolve_bits!(x);
    crate::resolve_opt_bits!(weight);
    crate::resolve_opt_bits!(bias);
    cpu_float(x, "batch_norm")?;
    if x.ndim() < 2 {
        bail!(runtime, "running_mean should contain {} elements not {}", x.shape().first().copied().unwrap_or(1), 0);
    }
    let (n, c) = (x.shape()[0], x.shape()[1]);
    let inner: usize = x.shape()[2..].iter().product();
    for (t, nm) in [(weight, "weight"), (bias, "bias"), (running_mean, "running_mean"), (running_var, "running_var")] {
        if let Some(t) = t {
            if t.numel() != c {
                bail!(runtime, "{} should contain {} elements not {}", nm, c, t.numel());
            }
        }
    }
    if !training && (running_mean.is_none() || running_var.is_none()) {
        bail!(runtime, "running_mean and running_var must be defined in evaluation mode");
    }
    let md = math_dtype(x.dtype);
    let xc = dense(x, md)?;
    let y = Tensor::for_overwrite(x.shape(), md)?;
    let (w, b) = (weight.map(|t| dense(t, md)).transpose()?, bias.map(|t| dense(t, md)).transpose()?);
    let save_mean = Tensor::for_overwrite(&[if training { c } else { 0 }], md)?;
    let save_invstd = Tensor::for_overwrite(&[if training { c } else { 0 }], md)?;
    with_float!(md, T => {
        // SAFETY: contiguous tensors of the math dtype; y and the saves are fresh.
        let (xs, ys) = unsafe { (sl::<T>(&xc), sl_mut::<T>(&y)) };
        let ws = w.as_ref().map(|t| unsafe { sl::<T>(t) });
        let bs = b.as_ref().map(|t| unsafe { sl::<T>(t) });
        let (mean, invstd): (Vec<f64>, Vec<f64>) = if training {
            let (m, v) = channel_stats(xs, n, c, inner);
            let inv: Vec<f64> = v.iter().map(|&v| 1.0 / (v + eps).sqrt()).collect();
            let (sm, si) = unsafe { (sl_mut::<T>(&save_mean), sl_mut::<T>(&save_invstd)) };
            for ch in 0..c {
                sm[ch] = T::f(m[ch]);
                si[ch] = T::f(inv[ch]);
            }
            if let (Some(rm), Some(rv)) = (running_mean, running_var) {
                let cnt = (n * inner) as f64;
                let unbiased: Vec<f64> = v.iter().map(|&v| if cnt > 1.0 { v * cnt / (cnt - 1.0) } else { f64::NAN }).collect();
                update_running(rm, &m, momentum)?;
                update_running(rv, &unbiased, momentum)?;
            } else if let Some(rm) = running_mean {
                update_running(rm, &m, momentum)?;
            }
            (m, inv)
        } else {
            let rm = dense(running_mean.unwrap_or(x), DType::F64)?;
            let rv = dense(running_var.unwrap_or(x), DType::F64)?;
            // SAFETY: contiguous f64 tensors of c elements (checked above).
            let (rms, rvs) = unsafe { (sl::<f64>(&rm), sl::<f64>(&rv)) };
            (rms.to_vec(), rvs.iter().map(|&v| 1.0 / (v + eps).sqrt()).collect())
        };
        for b in 0..n {
            for ch in 0..c {
                let (m, s) = (T::f(mean[ch]), T::f(invstd[ch]));
                let (wv, bv) = (ws.map(|w| w[ch]).unwrap_or(T::one()), bs.map(|b| b[ch]).unwrap_or(T::zero()));
                let base = (b * c + ch) * inner;
                for k in base..base + inner {
                    ys[k] = (xs[k] - m) * s * wv + bv;
                }
            }
        }
    });
    Ok((y, save_mean, save_invstd))
}

/// `running = (1 - momentum) * running + momentum * stat`, in place (in running's dtype).
fn update_running(running: &Tensor, stat: &[f64], momentum: f64) -> Result<()> {
    let cur = dense(running, DType::F64)?;
    // SAFETY: a contiguous f64 tensor with stat.len() elements.
    let vals = unsafe { sl::<f64>(&cur) };
    let upd: Vec<Pivot> = vals.iter().zip(stat).map(|(&r, &s)| Pivot::F((1.0 - momentum) * r + momentum * s)).collect();
    let t = crate::tensor::create::from_pivots(&upd, running.shape(), DType::F64)?;
    running.copy_(&t)
}

/// Gradients of batch_norm: (grad_input, grad_weight, grad_bias) in the math dtype. `mean`/`invstd`
/// are the saved batch stats in training, else the running mean and 1/sqrt(running_var + eps).
#[allow(clippy::too_many_arguments)]
pub fn batch_norm_backward(
    g: &Tensor,
    x: &Tensor,
    weight: Option<&Tensor>,
    mean: &[f64],
    invstd: &[f64],
    training: bool,
    want: [bool; 3],
) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
    let md = math_dtype(x.dtype);
    let (n, c) = (x.shape()[0], x.shape()[1]);
    let inner: usize = x.shape()[2..].iter().product();
    let (gc, xc) = (dense(g, md)?, dense(x, md)?);
    let w = weight.map(|t| dense(t, md)).transpose()?;
    let gx = if want[0] { Some(Tensor::for_overwrite(x.shape(), md)?) } else { None };
    let gw = if want[1] { Some(Tensor::for_overwrite(&[c], md)?) } else { None };
    let gb = if want[2] { Some(Tensor::for_overwrite(&[c], md)?) } else { None };
    let cnt = (n * inner).max(1) as f64;
    with_float!(md, T => {
        // SAFETY: contiguous tensors of the math dtype; outputs are fresh.
        let (gs, xs) = unsafe { (sl::<T>(&gc), sl::<T>(&xc)) };
        let ws = w.as_ref().map(|t| unsafe { sl::<T>(t) });
        let mut gxs = gx.as_ref().map(|t| unsafe { sl_mut::<T>(t) });
        for ch in 0..c {
            let (m, s) = (mean[ch], invstd[ch]);
            let (mut sg, mut sgx) = (0f64, 0f64);
            for b in 0..n {
                let base = (b * c + ch) * inner;
                for k in base..base + inner {
                    let gv = gs[k].d();
                    sg += gv;
                    sgx += gv * (xs[k].d() - m);
                }
            }
            if let Some(gw) = &gw {
                unsafe { sl_mut::<T>(gw)[ch] = T::f(sgx * s) };
            }
            if let Some(gb) = &gb {
                unsafe { sl_mut::<T>(gb)[ch] = T::f(sg) };
            }
            if let Some(gxs) = gxs.as_deref_mut() {
                let wv = ws.map(|w| w[ch].d()).unwrap_or(1.0);
                let (mt, st, ws_) = (T::f(m), T::f(s), T::f(wv * s));
                if training {
                    let a = T::f(sg / cnt);
                    let bq = T::f(sgx * s * s / cnt);
                    for b in 0..n {
                        let base = (b * c + ch) * inner;
                        for k in base..base + inner {
                            let xc_ = xs[k] - mt;
                            gxs[k] = (gs[k] - a - xc_ * bq) * ws_;
                        }
                    }
                    let _ = st;
                } else {
                    for b in 0..n {
                        let base = (b * c + ch) * inner;
                        for k in base..base + inner {
                            gxs[k] = gs[k] * ws_;
                        }
                    }
                }
            }
        }
    });
    Ok((gx, gw, gb))
}
