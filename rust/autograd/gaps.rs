//! Autograd for quantile/nanquantile, the zero-safe and differentiable prod/cumprod gradients
//! (built on a first-order linear recurrence whose adjoints are recurrences of the same kind, so
//! they differentiate to any order), and the multi-view outputs of unbind/split.
use std::sync::Arc;

use super::formulas::{add, gr, mul, rsub_scalar, sum_mean, to_dtype};
use super::pick::scatter_back_ag;
use super::reduce::rowwise;
use super::{AutogradMeta, SavedTensor, record, should_record};
use crate::backend::cpu::stdsort;
use crate::dtype::DType;
use crate::error::Result;
use crate::layout::Layout;
use crate::ops::sort::{self as s, Interp};
use crate::tensor::Tensor;

// ----- quantile / nanquantile -----

/// The elements of `t` as f64, in row-major order.
fn f64s(t: &Tensor) -> Result<Vec<f64>> {
    let c = t.detached().to_dtype(DType::F64, false)?.contiguous()?;
    let n = c.numel();
    // SAFETY: c is a contiguous f64 tensor of n elements.
    Ok(unsafe { std::slice::from_raw_parts(c.data_ptr() as *const f64, n) }.to_vec())
}

fn i64s(t: &Tensor) -> Result<Vec<i64>> {
    let c = t.contiguous()?;
    let n = c.numel();
    // SAFETY: c is a contiguous int64 tensor of n elements.
    Ok(unsafe { std::slice::from_raw_parts(c.data_ptr() as *const i64, n) }.to_vec())
}

pub(crate) fn tensor_from<T: Copy>(v: Vec<T>, shape: &[usize], dt: DType) -> Result<Tensor> {
    let t = Tensor::for_overwrite(shape, dt)?;
    // SAFETY: t is fresh and contiguous with v.len() elements of T (dt's element type).
    unsafe { std::ptr::copy_nonoverlapping(v.as_ptr(), t.data_ptr() as *mut T, v.len()) };
    Ok(t)
}

/// Rounds a rank the way the input dtype does (torch computes ranks in the input's dtype).
fn in_dtype(x: f64, dt: DType) -> f64 {
    if dt == DType::F32 { x as f32 as f64 } else { x }
}

/// `quantile`/`nanquantile` with autograd. torch composes them from sort, gather and lerp, ending in
/// a squeeze (SqueezeBackward4): output element o is `lerp(x[lo], x[hi], w)` of two input elements
/// (lo == hi, w == 0 for lower/higher/nearest), chosen as torch chooses them (NaN
/// last, ranks in the input dtype, ties resolved by torch's selection steps), so the gradient is `g * (1 - w)` at lo plus `g * w` at hi. A
/// tensor `q` that requires grad gets `g * (x[hi] - x[lo]) * (count - 1)` in linear mode (torch's
/// lerp weight gradient; zero where torch masks the rank).
#[allow(clippy::too_many_arguments)]
pub fn quantile(t: &Tensor, q: &[f64], qt: Option<&Tensor>, q_is_scalar: bool, dim: Option<i64>, keepdim: bool, interp: Interp, ignore_nan: bool) -> Result<Tensor> {
    let q_rec = qt.is_some_and(|qt| interp == Interp::Linear && should_record(&[qt]));
    if !should_record(&[t]) && !q_rec {
        return s::quantile(t, q, q_is_scalar, dim, keepdim, interp, ignore_nan);
    }
    let mut y = s::quantile(&t.detached(), q, q_is_scalar, dim, keepdim, interp, ignore_nan)?;
    let dt = t.dtype;
    let shape = t.shape().to_vec();
    let n = t.numel();
    // Rows along the reduced dim (everything for dim=None), with each element's flat position (1-based).
    let pos = super::pick::positions(&shape)?;
    let (vals, idx, k) = match dim {
        None => (f64s(t)?, i64s(&pos)?, n),
        Some(d) => {
            let d = crate::layout::wrap_dim(d, t.ndim().max(1))?;
            if t.ndim() == 0 {
                (f64s(t)?, i64s(&pos)?, 1)
            } else {
                let perm: Vec<usize> = (0..t.ndim()).filter(|&j| j != d).chain([d]).collect();
                let tv = t.detached();
                let tp = tv.with_layout(tv.layout.permute(&perm));
                let pp = pos.with_layout(pos.layout.permute(&perm));
                (f64s(&tp)?, i64s(&pp)?, shape[d])
            }
        }
    };
    let rows = if k == 0 { 0 } else { vals.len() / k };
    let nq = q.len();
    // Per output (q-major, then row): positions (1-based) of lo and hi, the weight, and dq factor.
    let total = y.numel();
    let (mut lo, mut hi) = (vec![0i64; total], vec![0i64; total]);
    let mut w = vec![0f64; total];
    let mut dq = vec![0f64; total];
    for r in 0..rows {
        if nq == 0 || (nq - 1) * rows + r >= total {
            break;
        }
        let row = &vals[r * k..(r + 1) * k];
        let valid = row.iter().filter(|v| !v.is_nan()).count();
        // Each quantile's rank in the row: (rank, masked, count).
        let ranks: Vec<(f64, bool, f64)> = q
            .iter()
            .map(|&qv| {
                let qv = in_dtype(qv, dt);
                let (mut rank, masked, count) = if ignore_nan {
                    let rk = in_dtype(qv * (valid as f64 - 1.0), dt);
                    if rk < 0.0 { (0.0, true, 0.0) } else { (rk, false, valid as f64 - 1.0) }
                } else if valid < k {
                    ((k - 1) as f64, true, 0.0)
                } else {
                    (in_dtype(qv * (k as f64 - 1.0), dt), false, k as f64 - 1.0)
                };
                match interp {
                    Interp::Lower => rank = rank.floor(),
                    Interp::Higher => rank = rank.ceil(),
                    Interp::Nearest => rank = rank.round_ties_even(),
                    _ => {}
                }
                (rank, masked, count)
            })
            .collect();
        let bounds = |rank: f64| ((rank.floor() as usize).min(k - 1), (rank.ceil() as usize).min(k - 1));
        // Which element of a run of equal values sits at a rank: torch orders the row's indices
        // (NaN last) with a full std::sort, or, when it requests few ranks (their count squared at
        // most the row length), selects just those ranks with nested nth_element passes.
        let less = |a: &usize, b: &usize| (!row[*a].is_nan() && row[*b].is_nan()) || row[*a] < row[*b];
        let mut order: Vec<usize> = (0..k).collect();
        let requested = nq * if matches!(interp, Interp::Linear | Interp::Midpoint) { 2 } else { 1 };
        if requested * requested <= k {
            let mut need: Vec<usize> = ranks.iter().flat_map(|&(rk, _, _)| [bounds(rk).0, bounds(rk).1]).collect();
            need.sort_unstable();
            need.dedup();
            stdsort::select_ranks(&mut order, &need, &less);
        } else {
            stdsort::sort(&mut order, &less);
        }
        for (qi, &(rank, masked, count)) in ranks.iter().enumerate() {
            let (below, above) = bounds(rank);
            let o = qi * rows + r;
            lo[o] = idx[r * k + order[below]]; // positions are 1-based already
            hi[o] = idx[r * k + order[above]];
            w[o] = match interp {
                Interp::Linear => in_dtype(rank - below as f64, dt),
                Interp::Midpoint if above != below => 0.5,
                _ => 0.0,
            };
            if !masked {
                dq[o] = (row[order[above]] - row[order[below]]) * count;
            }
        }
    }
    let yshape = y.shape().to_vec();
    let lo = tensor_from(lo, &yshape, DType::I64)?;
    let hi = tensor_from(hi, &yshape, DType::I64)?;
    let w = tensor_from(w, &yshape, DType::F64)?.to_dtype(dt, false)?;
    let two = interp == Interp::Linear || interp == Interp::Midpoint;
    let dq = if q_rec { Some(tensor_from(dq, &yshape, DType::F64)?.to_dtype(dt, false)?) } else { None };
    let mut inputs = vec![t];
    if let Some(q) = qt.filter(|_| q_rec) {
        inputs.push(q);
    }
    record("SqueezeBackward4", &inputs, &mut [&mut y], vec![], move |ctx, g| {
        let g = gr(g)?;
        let gx = if ctx.needs(0) {
            let part = |gw: &Tensor, p: &Tensor| scatter_back_ag(gw, p.clone(), shape.clone());
            Some(if two {
                let a = part(&mul(g, &rsub_scalar(&w, 1.0)?)?, &lo)?;
                add(&a, &part(&mul(g, &w)?, &hi)?)?
            } else {
                part(g, &lo)?
            })
        } else {
            None
        };
        let gq = match (&dq, ctx.needs(1)) {
            (Some(f), true) => {
                let prod = mul(g, f)?;
                // Sum over everything but q's own dim (the leading dim of a vector q).
                let dims: Vec<i64> = if q_is_scalar { (0..prod.ndim() as i64).collect() } else { (1..prod.ndim() as i64).collect() };
                Some(if dims.is_empty() { prod } else { sum_mean(&prod, Some(dims.as_slice()), false, None, false, false)? })
            }
            _ => None,
        };
        Ok(if q_rec { vec![gx, gq] } else { vec![gx] })
    });
    Ok(y)
}

// ----- first-order linear recurrences (the gradients of prod and cumprod) -----

/// Along `dim` (everything, row-major, when None): `rev == false` gives `u_i = v_i + c_i u_{i-1}`,
/// `rev == true` gives `s_i = v_i + c_{i+1} s_{i+1}`. The two are adjoint in `v` for the same `c`;
/// the gradient for `c` is `other(w, c) * shift_right(result)` (forward) or `result *
/// shift_right(other(w, c))` (reverse), so every derivative is again a recurrence.
pub fn linrec(v: &Tensor, c: &Tensor, dim: Option<usize>, rev: bool) -> Result<Tensor> {
    let mut out = rowwise(&[v, c], dim, v.dtype, |rows, o| {
        let (vs, cs) = (rows[0], rows[1]);
        let n = vs.len();
        if rev {
            let mut acc = 0.0;
            for i in (0..n).rev() {
                acc = vs[i] + if i + 1 < n { cs[i + 1] * acc } else { 0.0 };
                o[i] = acc;
            }
        } else {
            let mut acc = 0.0;
            for i in 0..n {
                acc = vs[i] + if i > 0 { cs[i] * acc } else { 0.0 };
                o[i] = acc;
            }
        }
    })?;
    if should_record(&[v, c]) {
        let saved = vec![SavedTensor::input(v), SavedTensor::input(c)];
        record("LinearRecurrenceBackward", &[v, c], &mut [&mut out], saved, move |ctx, g| {
            let (v, c) = (ctx.saved(0)?, ctx.saved(1)?);
            let w = gr(g)?;
            let other = linrec(w, &c, dim, !rev)?;
            let gc = if ctx.needs(1) {
                let res = linrec(&v, &c, dim, rev)?;
                Some(if rev { mul(&res, &shift(&other, dim, true)?)? } else { mul(&other, &shift(&res, dim, true)?)? })
            } else {
                None
            };
            Ok(vec![if ctx.needs(0) { Some(other) } else { None }, gc])
        });
    }
    Ok(out)
}

/// Shifts along `dim` (row-major everything when None) by one: right gives `o_i = t_{i-1}`, left
/// `o_i = t_{i+1}`, zero-filled; each is the other's adjoint.
pub fn shift(t: &Tensor, dim: Option<usize>, right: bool) -> Result<Tensor> {
    let mut out = rowwise(&[t], dim, t.dtype, |rows, o| {
        let xs = rows[0];
        let n = xs.len();
        for i in 0..n {
            o[i] = if right {
                if i > 0 { xs[i - 1] } else { 0.0 }
            } else if i + 1 < n {
                xs[i + 1]
            } else {
                0.0
            };
        }
    })?;
    if should_record(&[t]) {
        record("ShiftBackward", &[t], &mut [&mut out], vec![], move |_, g| Ok(vec![Some(shift(gr(g)?, dim, !right)?)]));
    }
    Ok(out)
}

/// A constant one-hot along `dim` (row-major everything when None): 1 at the first or last index.
fn one_hot(shape: &[usize], dim: Option<usize>, last: bool, dt: DType) -> Result<Tensor> {
    let z = Tensor::zeros(shape, dt, crate::device::Device::Cpu)?;
    rowwise(&[&z], dim, dt, |_, o| {
        o.fill(0.0);
        if let Some(k) = if last { o.len().checked_sub(1) } else { (!o.is_empty()).then_some(0) } {
            o[k] = 1.0;
        }
    })
}

/// The exclusive product `e_i = x_0 ... x_{i-1}` along `dim`, differentiably.
fn exclusive_prod(x: &Tensor, dim: Option<usize>) -> Result<Tensor> {
    linrec(&one_hot(x.shape(), dim, false, x.dtype)?, &shift(x, dim, true)?, dim, false)
}

/// The gradient of `cumprod(x)` along `dim` for the incoming `g` (same shape):
/// `grad_i = (x_0 ... x_{i-1}) * s_i` with `s_i = g_i + x_{i+1} s_{i+1}`. Exact with zeros.
pub fn cumprod_grad(g: &Tensor, x: &Tensor, dim: Option<usize>) -> Result<Tensor> {
    let x = to_dtype(x, g.dtype, false)?;
    mul(&exclusive_prod(&x, dim)?, &linrec(g, &x, dim, true)?)
}

/// The gradient of `prod(x)` along `dim` (everything when None) for `g` already broadcast to `x`'s
/// shape: the product of the other elements, as cumprod's gradient with `g` at the last index only.
pub fn prod_grad(g: &Tensor, x: &Tensor, dim: Option<usize>) -> Result<Tensor> {
    let last = one_hot(x.shape(), dim, true, g.dtype)?;
    cumprod_grad(&mul(g, &last)?, x, dim)
}

// ----- multi-output views (unbind, split, chunk, split_with_sizes) -----

/// The views of `base` with `layouts`, as outputs of one node `name` (UnbindBackward0,
/// SplitBackward0, SplitWithSizesBackward0). They are marked as outputs of a multi-view function,
/// so in-place ops on them under autograd raise torch's error.
pub fn multi_views(base: &Tensor, layouts: Vec<Layout>, name: &'static str) -> Result<Vec<Tensor>> {
    let mut outs: Vec<Tensor> = layouts.iter().map(|l| base.with_layout(l.clone())).collect();
    if super::is_inference_mode_enabled() {
        return Ok(outs);
    }
    if should_record(&[base]) && (base.dtype.is_floating_point() || base.dtype.is_complex()) {
        let (lo, hi) = base.layout.extent();
        let len = (hi - lo).max(0) as usize;
        let shift = |l: &Layout| Layout { shape: l.shape.clone(), strides: l.strides.clone(), offset: (l.offset as isize - lo) as usize };
        let to = shift(&base.layout);
        let froms: Vec<Layout> = layouts.iter().map(shift).collect();
        let (bshape, bdt) = (base.shape().to_vec(), base.dtype);
        let mut refs: Vec<&mut Tensor> = outs.iter_mut().collect();
        record(name, &[base], &mut refs, vec![], move |_, grads| {
            let mut acc: Option<Tensor> = None;
            for (g, from) in grads.iter().zip(&froms) {
                if let Some(g) = g {
                    let part = super::formulas::view_grad(g, from, &to, len)?;
                    acc = Some(match acc {
                        Some(a) => add(&a, &part)?,
                        None => part,
                    });
                }
            }
            Ok(vec![Some(match acc {
                Some(a) => a,
                None => Tensor::zeros(&bshape, bdt, crate::device::Device::Cpu)?,
            })])
        });
        return Ok(outs.into_iter().map(|o| super::inplace::mark_multi_view(base, o, true)).collect());
    }
    if !super::is_grad_enabled() {
        // torch gives these NO_GRAD_MODE views: the ordinary no-grad view rules apply.
        if base.ag.is_some() {
            return Ok(outs.into_iter().map(|o| super::inplace::track_view(base, o)).collect());
        }
        return Ok(outs);
    }
    Ok(outs
        .into_iter()
        .map(|mut o| {
            o.ag = Some(Arc::new(AutogradMeta::leaf(false)));
            super::inplace::mark_multi_view(base, o, false)
        })
        .collect())
}
