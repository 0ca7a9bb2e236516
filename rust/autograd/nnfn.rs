//! Autograd for nn.functional's fused ops: softmax family, nll_loss, layer/group/batch norm and
//! embedding, each recorded under torch's node name. Backward kernels are the fused ones in
//! `ops::nnfn`; softmax's backward is composed of differentiable ops when a graph of the
//! gradient is being built (create_graph), so double backward works there.
use super::formulas as f;
use super::{SavedTensor, record, should_record};
use crate::bail;
use crate::dtype::DType;
use crate::error::Result;
use crate::layout::wrap_dim;
use crate::ops::activation::{self as act, SoftmaxKind};
use crate::ops::nnfn::{self as k, Reduction};
use crate::tensor::Tensor;

fn gr(g: &[Option<Tensor>]) -> Result<&Tensor> {
    match g.first() {
        Some(Some(t)) => Ok(t),
        _ => bail!(runtime, "internal error: missing gradient"),
    }
}

/// softmax / log_softmax / softmin over `dim` with autograd (`SoftmaxBackward0`,
/// `LogSoftmaxBackward0`; softmin is softmax of `-x`, and `dtype=` casts first, as torch does).
pub fn softmax(x: &Tensor, dim: i64, dtype: Option<DType>, kind: SoftmaxKind) -> Result<Tensor> {
    if !should_record(&[x]) {
        if dtype.is_none() && kind != SoftmaxKind::Softmin && x.ndim() > 0 {
            let d = wrap_dim(dim, x.ndim())?;
            if let Some(y) = k::softmax_forward(x, d, kind == SoftmaxKind::LogSoftmax)? {
                return Ok(y);
            }
        }
        return act::softmax(x, dim, dtype, kind);
    }
    let mut xin = match dtype {
        Some(d) => f::to_dtype(x, d, false)?,
        None => x.clone(),
    };
    if kind == SoftmaxKind::Softmin {
        xin = f::neg(&xin)?;
    }
    let log = kind == SoftmaxKind::LogSoftmax;
    let base = if log { SoftmaxKind::LogSoftmax } else { SoftmaxKind::Softmax };
    let d = wrap_dim(dim, xin.ndim().max(1))?;
    let mut y = match k::softmax_forward(&xin, d, log)? {
        Some(y) => y,
        None => act::softmax(&xin.detached(), dim, None, base)?,
    };
    let name = if log { "LogSoftmaxBackward0" } else { "SoftmaxBackward0" };
    let saved = vec![SavedTensor::output(&y, 0)];
    record(name, &[&xin], &mut [&mut y], saved, move |ctx, g| {
        let g = gr(g)?;
        let y = ctx.saved(0)?;
        if should_record(&[g, &y]) && y.ndim() > 0 {
            // A differentiable node (torch's SoftmaxBackwardDataBackward0) so the gradient has a graph.
            return Ok(vec![Some(super::double::softmax_backward_data(g, &y, d, log)?)]);
        }
        Ok(vec![Some(k::softmax_backward_data(g, &y, d, log)?)])
    });
    Ok(y)
}

/// `nll_loss` with autograd (`NllLossBackward0` for inputs of up to 2 dims, else
/// `NllLoss2DBackward0`). The weight gets no gradient (torch does not differentiate it).
pub fn nll_loss(input: &Tensor, target: &Tensor, weight: Option<&Tensor>, red: Reduction, ignore_index: i64) -> Result<Tensor> {
    let (mut out, tw) = k::nll_loss(input, target, weight, red, ignore_index)?;
    if !should_record(&[input]) {
        return Ok(out);
    }
    let name = if input.ndim() <= 2 { "NllLossBackward0" } else { "NllLoss2DBackward0" };
    let shape = input.shape().to_vec();
    let dt = input.dtype;
    let target = target.detached();
    let weight = weight.map(|w| w.detached());
    record(name, &[input], &mut [&mut out], vec![], move |_ctx, g| {
        let g = gr(g)?;
        Ok(vec![Some(k::nll_loss_backward(g, &shape, dt, &target, weight.as_ref(), red, ignore_index, &tw)?)])
    });
    Ok(out)
}

/// Which of (input, weight, bias) need a gradient, from the node's edges.
fn wants(ctx: &super::Ctx<'_>, has_w: bool, has_b: bool) -> [bool; 3] {
    let mut i = 0;
    let mut next = |present: bool| {
        if !present {
            return false;
        }
        let r = ctx.needs(i);
        i += 1;
        r
    };
    [next(true), next(has_w), next(has_b)]
}

fn node_inputs<'a>(x: &'a Tensor, w: Option<&'a Tensor>, b: Option<&'a Tensor>) -> Vec<&'a Tensor> {
    let mut v = vec![x];
    v.extend(w);
    v.extend(b);
    v
}

/// Packs (gx, gw, gb) into the node's gradient slots, cast to each input's dtype.
fn pack(gs: (Option<Tensor>, Option<Tensor>, Option<Tensor>), dts: [DType; 3], has_w: bool, has_b: bool) -> Result<Vec<Option<Tensor>>> {
    let cast = |t: Option<Tensor>, d: DType| -> Result<Option<Tensor>> { t.map(|t| t.to_dtype(d, false)).transpose() };
    let mut v = vec![cast(gs.0, dts[0])?];
    if has_w {
        v.push(cast(gs.1, dts[1])?);
    }
    if has_b {
        v.push(cast(gs.2, dts[2])?);
    }
    Ok(v)
}

fn check_affine(w: Option<&Tensor>, b: Option<&Tensor>) -> Result<()> {
    for t in [w, b].into_iter().flatten() {
        if !t.dtype.is_floating_point() {
            bail!(runtime, "expected scalar type Float but found {}", t.dtype.scalar_name());
        }
    }
    Ok(())
}

/// `native_layer_norm`: (y, mean, rstd), with `NativeLayerNormBackward0` on y.
pub fn layer_norm(x: &Tensor, normalized_shape: &[usize], w: Option<&Tensor>, b: Option<&Tensor>, eps: f64) -> Result<(Tensor, Tensor, Tensor)> {
    let nd = normalized_shape.len();
    let xs = x.shape();
    if nd == 0 || xs.len() < nd || xs[xs.len() - nd..] != *normalized_shape {
        let mut expected = String::from("[*");
        for s in normalized_shape {
            expected.push_str(&format!(", {s}"));
        }
        expected.push(']');
        bail!(
            runtime,
            "Given normalized_shape={:?}, expected input with shape {}, but got input of size{:?}",
            normalized_shape,
            expected,
            xs
        );
    }
    for (t, nm) in [(w, "weight"), (b, "bias")] {
        if let Some(t) = t {
            if t.shape() != normalized_shape {
                bail!(
                    runtime,
                    "Expected {} to be of same shape as normalized_shape, but got {} of shape {:?} and normalized_shape = {:?}",
                    nm,
                    nm,
                    t.shape(),
                    normalized_shape
                );
            }
        }
    }
    if !x.dtype.is_floating_point() {
        bail!(runtime, "expected scalar type Float but found {}", x.dtype.scalar_name());
    }
    check_affine(w, b)?;
    let len: usize = normalized_shape.iter().product();
    let rows = if len == 0 { 0 } else { x.numel() / len };
    let (y, mean, rstd) = k::row_norm_forward(x, rows, len, w, b, eps, |_, j| j)?;
    let mut stat_shape: Vec<usize> = xs[..xs.len() - nd].to_vec();
    stat_shape.extend(std::iter::repeat_n(1, nd));
    let reshape = |t: Tensor| -> Result<Tensor> { t.to_dtype(x.dtype, false)?.as_strided(&stat_shape, &crate::layout::contiguous_strides(&stat_shape), 0) };
    let mut y = y.to_dtype(x.dtype, false)?;
    let (mean_o, rstd_o) = (reshape(mean.clone())?, reshape(rstd.clone())?);
    let ins = node_inputs(x, w, b);
    if should_record(&ins) {
        let (has_w, has_b) = (w.is_some(), b.is_some());
        let dts = [x.dtype, w.map(|t| t.dtype).unwrap_or(x.dtype), b.map(|t| t.dtype).unwrap_or(x.dtype)];
        let mut saved = vec![SavedTensor::input(x)];
        if let Some(w) = w {
            saved.push(SavedTensor::input(w));
        }
        let wshape = normalized_shape.to_vec();
        record("NativeLayerNormBackward0", &ins, &mut [&mut y], saved, move |ctx, g| {
            let g = gr(g)?;
            let x = ctx.saved(0)?;
            let w = if has_w { Some(ctx.saved(1)?) } else { None };
            let want = wants(ctx, has_w, has_b);
            let r = k::row_norm_backward(g, &x, &mean, &rstd, w.as_ref(), rows, len, len, want, |_, j| j)?;
            let fix = |t: Option<Tensor>| -> Result<Option<Tensor>> {
                t.map(|t| t.as_strided(&wshape, &crate::layout::contiguous_strides(&wshape), 0)).transpose()
            };
            let gx = r.0.map(|t| t.to_dtype(x.dtype, false)).transpose()?;
            pack((gx, fix(r.1)?, fix(r.2)?), dts, has_w, has_b)
        });
    }
    Ok((y, mean_o, rstd_o))
}

/// `native_group_norm`: (y, mean, rstd) with stats of shape (N, G), `NativeGroupNormBackward0`.
pub fn group_norm(x: &Tensor, groups: usize, w: Option<&Tensor>, b: Option<&Tensor>, eps: f64) -> Result<(Tensor, Tensor, Tensor)> {
    if x.ndim() < 2 {
        bail!(runtime, "Expected at least 2 dimensions for input tensor but received {}", x.ndim());
    }
    let (n, c) = (x.shape()[0], x.shape()[1]);
    if groups == 0 || c % groups != 0 {
        bail!(runtime, "Expected number of channels in input to be divisible by num_groups, but got input of shape {:?} and num_groups={}", x.shape(), groups);
    }
    for (t, nm) in [(w, "weight"), (b, "bias")] {
        if let Some(t) = t {
            if t.ndim() != 1 || t.numel() != c {
                bail!(
                    runtime,
                    "Expected {} to be a vector of size equal to the number of channels in input, but got {} of shape {:?} and input of shape {:?}",
                    nm,
                    nm,
                    t.shape(),
                    x.shape()
                );
            }
        }
    }
    if !x.dtype.is_floating_point() {
        bail!(runtime, "expected scalar type Float but found {}", x.dtype.scalar_name());
    }
    check_affine(w, b)?;
    let inner: usize = x.shape()[2..].iter().product();
    let cpg = c / groups;
    let len = cpg * inner;
    let rows = n * groups;
    let chan = move |r: usize, j: usize| (r % groups) * cpg + j / inner.max(1);
    let (y, mean, rstd) = k::row_norm_forward(x, rows, len, w, b, eps, chan)?;
    let mut y = y.to_dtype(x.dtype, false)?;
    let st = [n, groups];
    let mean_o = mean.to_dtype(x.dtype, false)?.as_strided(&st, &[groups as isize, 1], 0)?;
    let rstd_o = rstd.to_dtype(x.dtype, false)?.as_strided(&st, &[groups as isize, 1], 0)?;
    let ins = node_inputs(x, w, b);
    if should_record(&ins) {
        let (has_w, has_b) = (w.is_some(), b.is_some());
        let dts = [x.dtype, w.map(|t| t.dtype).unwrap_or(x.dtype), b.map(|t| t.dtype).unwrap_or(x.dtype)];
        let mut saved = vec![SavedTensor::input(x)];
        if let Some(w) = w {
            saved.push(SavedTensor::input(w));
        }
        record("NativeGroupNormBackward0", &ins, &mut [&mut y], saved, move |ctx, g| {
            let g = gr(g)?;
            let x = ctx.saved(0)?;
            let w = if has_w { Some(ctx.saved(1)?) } else { None };
            let want = wants(ctx, has_w, has_b);
            let r = k::row_norm_backward(g, &x, &mean, &rstd, w.as_ref(), rows, len, c, want, chan)?;
            let gx = r.0.map(|t| t.to_dtype(x.dtype, false)).transpose()?;
            pack((gx, r.1, r.2), dts, has_w, has_b)
        });
    }
    Ok((y, mean_o, rstd_o))
}

/// `native_batch_norm`: (y, save_mean, save_invstd), `NativeBatchNormBackward0`; running stats are
/// updated in place in training mode.
#[allow(clippy::too_many_arguments)]
pub fn batch_norm(
    x: &Tensor,
    w: Option<&Tensor>,
    b: Option<&Tensor>,
    running_mean: Option<&Tensor>,
    running_var: Option<&Tensor>,
    training: bool,
    momentum: f64,
    eps: f64,
) -> Result<(Tensor, Tensor, Tensor)> {
    check_affine(w, b)?;
    let (y, sm, si) = k::batch_norm_forward(x, w, b, running_mean, running_var, training, momentum, eps)?;
    let mut y = y.to_dtype(x.dtype, false)?;
    let ins = node_inputs(x, w, b);
    if should_record(&ins) {
        let (has_w, has_b) = (w.is_some(), b.is_some());
        let dts = [x.dtype, w.map(|t| t.dtype).unwrap_or(x.dtype), b.map(|t| t.dtype).unwrap_or(x.dtype)];
        // Stats for backward: the batch's in training, else the running ones at this point.
        let (mean, invstd): (Vec<f64>, Vec<f64>) = if training {
            let (a, c) = (k::dense(&sm, DType::F64)?, k::dense(&si, DType::F64)?);
            // SAFETY: contiguous f64 tensors.
            unsafe { (k::sl::<f64>(&a).to_vec(), k::sl::<f64>(&c).to_vec()) }
        } else {
            let (Some(rm), Some(rv)) = (running_mean, running_var) else { bail!(runtime, "running stats missing") };
            let (a, c) = (k::dense(rm, DType::F64)?, k::dense(rv, DType::F64)?);
            // SAFETY: contiguous f64 tensors.
            unsafe { (k::sl::<f64>(&a).to_vec(), k::sl::<f64>(&c).iter().map(|&v| 1.0 / (v + eps).sqrt()).collect()) }
        };
        let mut saved = vec![SavedTensor::input(x)];
        if let Some(w) = w {
            saved.push(SavedTensor::input(w));
        }
        record("NativeBatchNormBackward0", &ins, &mut [&mut y], saved, move |ctx, g| {
            let g = gr(g)?;
            let x = ctx.saved(0)?;
            let w = if has_w { Some(ctx.saved(1)?) } else { None };
            let want = wants(ctx, has_w, has_b);
            let r = k::batch_norm_backward(g, &x, w.as_ref(), &mean, &invstd, training, want)?;
            pack(r, dts, has_w, has_b)
        });
    }
    let dt = x.dtype;
    Ok((y, sm.to_dtype(dt, false)?, si.to_dtype(dt, false)?))
}

/// `embedding(weight, indices)` with autograd (`EmbeddingBackward0`).
pub fn embedding(weight: &Tensor, indices: &Tensor, padding_idx: i64, scale_grad_by_freq: bool) -> Result<Tensor> {
    let mut out = k::embedding(&weight.detached(), indices)?;
    if should_record(&[weight]) {
        let v = weight.shape()[0];
        let idx = indices.detached();
        record("EmbeddingBackward0", &[weight], &mut [&mut out], vec![], move |_, g| {
            Ok(vec![Some(k::embedding_backward(gr(g)?, &idx, v, padding_idx, scale_grad_by_freq)?)])
        });
    }
    Ok(out)
}
