//! Autograd entry points for the spatial ops of `ops::conv`: convolution, pooling, padding,
//! interpolation and im2col/col2im, recorded under torch's node names. Gradients are computed
//! with the plain kernels (no double backward through these nodes).
use super::{SavedTensor, record, should_record};
use crate::backend::cpu::conv::Taps;
use crate::bail;
use crate::error::Result;
use crate::layout::Layout;
use crate::ops::conv::{self as c, AvgKind, ConvSpec, PoolSpec};
use crate::tensor::Tensor;

fn gr(g: &[Option<Tensor>]) -> Result<&Tensor> {
    match g.first() {
        Some(Some(t)) => Ok(t),
        _ => bail!(runtime, "internal error: missing gradient"),
    }
}

/// `t` with a size-1 dim inserted at `d` (a view; `UnsqueezeBackward0` under autograd).
pub fn unsqueeze(t: &Tensor, d: usize) -> Result<Tensor> {
    t.view_op("UnsqueezeBackward0", |l: &Layout| {
        let mut shape = l.shape.clone();
        let mut strides = l.strides.clone();
        let s = if d < shape.len() { strides[d] * shape[d] as isize } else { 1 };
        shape.insert(d, 1);
        strides.insert(d, s);
        Ok(Layout { shape, strides, offset: l.offset })
    })
}

/// `t` without its size-1 dim `d` (a view; `SqueezeBackward1` under autograd).
pub fn squeeze(t: &Tensor, d: usize) -> Result<Tensor> {
    t.view_op("SqueezeBackward1", |l: &Layout| {
        let mut shape = l.shape.clone();
        let mut strides = l.strides.clone();
        if d < shape.len() {
            shape.remove(d);
            strides.remove(d);
        }
        Ok(Layout { shape, strides, offset: l.offset })
    })
}

/// Runs `f` on `x` with a size-1 dim inserted at `d`, then removes it again (torch's unbatched and
/// 1-D-through-2-D paths).
pub fn lifted(x: &Tensor, d: usize, f: impl FnOnce(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
    let r = f(&unsqueeze(x, d)?)?;
    squeeze(&r, d)
}

// ----- convolution -----

/// `conv{d}d` / `conv_transpose{d}d`: `x` batched or not ([c, ...] with d spatial dims).
pub fn conv(x: &Tensor, w: &Tensor, b: Option<&Tensor>, spec: &ConvSpec, name: &str) -> Result<Tensor> {
    let d = spec.stride.len();
    if x.ndim() != d + 1 && x.ndim() != d + 2 {
        bail!(
            runtime,
            "Expected {}D (unbatched) or {}D (batched) input to {name}, but got input of size: {:?}",
            d + 1,
            d + 2,
            x.shape()
        );
    }
    if x.ndim() == d + 1 {
        return lifted(x, 0, |x| conv(x, w, b, spec, name));
    }
    c::check_conv(x, w, b, spec)?;
    let mut ins: Vec<&Tensor> = vec![x, w];
    if let Some(b) = b {
        ins.push(b);
    }
    if !should_record(&ins) {
        return c::conv_forward(x, w, b, spec);
    }
    let mut r = c::conv_forward(&x.detached(), &w.detached(), b.map(|b| b.detached()).as_ref(), spec)?;
    let spec = spec.clone();
    let has_b = b.is_some();
    let saved = vec![SavedTensor::input(x), SavedTensor::input(w)];
    record("ConvolutionBackward0", &ins, &mut [&mut r], saved, move |ctx, g| {
        let g = gr(g)?.detached();
        let (x, w) = (ctx.saved(0)?.detached(), ctx.saved(1)?.detached());
        let needs = [ctx.needs(0), ctx.needs(1), has_b && ctx.needs(2)];
        let [gx, gw, gb] = c::conv_backward(&x, &w, &g, &spec, needs)?;
        let mut v = vec![gx, gw];
        if has_b {
            v.push(gb);
        }
        Ok(v)
    });
    Ok(r)
}

// ----- pooling -----

fn pool_node(prefix: &str, d: usize, suffix: &str) -> String {
    format!("{prefix}{d}D{suffix}")
}

/// Max pooling over the last `d` dims (d = 2 or 3; 1-D goes through 2-D): (values, indices).
pub fn max_pool(x: &Tensor, s: &PoolSpec) -> Result<(Tensor, Tensor)> {
    let d = s.k.len();
    let (mut r, idx) = c::max_pool(&x.detached(), s)?;
    if should_record(&[x]) {
        let xs = x.shape().to_vec();
        let i2 = idx.clone();
        record(pool_node("MaxPool", d, "WithIndicesBackward0"), &[x], &mut [&mut r], vec![], move |_, g| {
            Ok(vec![Some(c::max_pool_backward(&xs, d, &gr(g)?.detached(), &i2)?)])
        });
    }
    Ok((r, idx))
}

pub fn adaptive_max_pool(x: &Tensor, outs: &[usize]) -> Result<(Tensor, Tensor)> {
    let d = outs.len();
    let (mut r, idx) = c::adaptive_max_pool(&x.detached(), outs)?;
    if should_record(&[x]) {
        let xs = x.shape().to_vec();
        let i2 = idx.clone();
        record(pool_node("AdaptiveMaxPool", d, "Backward0"), &[x], &mut [&mut r], vec![], move |_, g| {
            Ok(vec![Some(c::max_pool_backward(&xs, d, &gr(g)?.detached(), &i2)?)])
        });
    }
    Ok((r, idx))
}

pub fn avg_pool(x: &Tensor, kind: AvgKind) -> Result<Tensor> {
    let (d, prefix) = match &kind {
        AvgKind::Window { spec, .. } => (spec.k.len(), "AvgPool"),
        AvgKind::Adaptive(o) => (o.len(), "AdaptiveAvgPool"),
    };
    let mut r = c::avg_pool(&x.detached(), &kind)?;
    if should_record(&[x]) {
        let xs = x.shape().to_vec();
        record(pool_node(prefix, d, "Backward0"), &[x], &mut [&mut r], vec![], move |_, g| {
            Ok(vec![Some(c::avg_pool_backward(&xs, &gr(g)?.detached(), &kind)?)])
        });
    }
    Ok(r)
}

// ----- pad / interpolate -----

/// A separable resampling of the last `taps.len()` dims recorded as `name`.
pub fn resample(x: &Tensor, taps: Vec<Vec<Taps>>, fill: f64, name: String) -> Result<Tensor> {
    let mut r = c::resample(&x.detached(), &taps, fill)?;
    if should_record(&[x]) {
        let xs = x.shape().to_vec();
        record(name, &[x], &mut [&mut r], vec![], move |_, g| Ok(vec![Some(c::resample_backward(&xs, &gr(g)?.detached(), &taps)?)]));
    }
    Ok(r)
}

// ----- unfold / fold -----

#[derive(Clone)]
pub struct ImSpec {
    pub k: Vec<usize>,
    pub dil: Vec<usize>,
    pub pad: Vec<usize>,
    pub stride: Vec<usize>,
}

pub fn im2col(x: &Tensor, s: &ImSpec) -> Result<Tensor> {
    let mut r = c::im2col(&x.detached(), &s.k, &s.dil, &s.pad, &s.stride)?;
    if should_record(&[x]) {
        let s = s.clone();
        let size = x.shape()[x.ndim() - 2..].to_vec();
        record("Im2ColBackward0", &[x], &mut [&mut r], vec![], move |_, g| {
            Ok(vec![Some(col2im(&gr(g)?.detached(), &size, &s)?)])
        });
    }
    Ok(r)
}

pub fn col2im(col: &Tensor, out_size: &[usize], s: &ImSpec) -> Result<Tensor> {
    let mut r = c::col2im(&col.detached(), out_size, &s.k, &s.dil, &s.pad, &s.stride)?;
    if should_record(&[col]) {
        let s = s.clone();
        record("Col2ImBackward0", &[col], &mut [&mut r], vec![], move |_, g| Ok(vec![Some(im2col(&gr(g)?.detached(), &s)?)]));
    }
    Ok(r)
}
