//! Double-backward nodes: first-order gradients that torch computes with a dedicated backward
//! kernel (`tanh_backward`, `sigmoid_backward`, `threshold_backward`, `gelu_backward`,
//! `_softmax_backward_data`, `_log_softmax_backward_data`) are recorded, when a graph of the
//! gradient is being built (create_graph), as one node named like torch's
//! (`TanhBackwardBackward0`, ...) over the incoming gradient and the saved tensor, so the
//! gradient's `grad_fn` and `next_functions` match torch's. Each backward is written with
//! differentiable tensor ops (third derivatives work too). Complex gradients follow the conjugate
//! Wirtinger convention: for `o(g, r)`, `grad_r = conj(gg) do/dconj(r) + gg conj(do/dr)`.
use super::formulas::{self as f, gr};
use super::{SavedTensor, record, should_record};
use crate::element::Pivot;
use crate::error::Result;
use crate::ops::binary::{self as b, Arg, BinaryOp};
use crate::ops::unary::UnaryOp;
use crate::tensor::Tensor;

/// Computes `value(g, s)`; under create_graph records it as the node `name` over `(g, s)`, whose
/// backward `back(gg, g, s, needs_g, needs_s)` returns the gradients of `g` and `s`.
fn fused<V, B>(name: &'static str, g: &Tensor, s: &Tensor, value: V, back: B) -> Result<Tensor>
where
    V: Fn(&Tensor, &Tensor) -> Result<Tensor>,
    B: Fn(&Tensor, &Tensor, &Tensor, bool, bool) -> Result<(Option<Tensor>, Option<Tensor>)> + Send + Sync + 'static,
{
    if !should_record(&[g, s]) {
        return value(g, s);
    }
    let mut out = value(&g.detached(), &s.detached())?;
    let saved = vec![SavedTensor::input(g), SavedTensor::input(s)];
    record(name, &[g, s], &mut [&mut out], saved, move |ctx, gg| {
        let gg = gr(gg)?;
        let (g, s) = (ctx.saved(0)?, ctx.saved(1)?);
        let (dg, ds) = back(gg, &g, &s, ctx.needs(0), ctx.needs(1))?;
        Ok(vec![dg, ds])
    });
    Ok(out)
}

/// 1 where `r > 0`, else 0, in `like`'s dtype (no graph).
fn positive(r: &Tensor, like: &Tensor) -> Result<Tensor> {
    b::binary(BinaryOp::Gt, Arg::T(&r.detached()), Arg::S(Pivot::F(0.0)), None, None)?.to_dtype(like.dtype, false)
}

/// `tanh_backward(g, r) = g conj(1 - r^2)` for `r = tanh(x)` (TanhBackwardBackward0).
pub fn tanh_backward(g: &Tensor, r: &Tensor) -> Result<Tensor> {
    let d = |r: &Tensor| f::rsub_scalar(&f::mul(r, r)?, 1.0);
    fused(
        "TanhBackwardBackward0",
        g,
        r,
        |g, r| f::mul(g, &f::conj(&d(r)?)?),
        move |gg, g, r, ng, nr| {
            // do/dg = conj(1 - r^2): grad_g = gg (1 - r^2)
            let dg = if ng { Some(f::mul(gg, &d(r)?)?) } else { None };
            // do/dconj(r) = -2 g conj(r): grad_r = conj(gg conj(g) (-2 r))
            let dr = if nr { Some(f::conj(&f::mul(gg, &f::mul(&f::conj(g)?, &f::scale(r, -2.0)?)?)?)?) } else { None };
            Ok((dg, dr))
        },
    )
}

/// `sigmoid_backward(g, r) = g conj(r (1 - r))` for `r = sigmoid(x)` (SigmoidBackwardBackward0).
pub fn sigmoid_backward(g: &Tensor, r: &Tensor) -> Result<Tensor> {
    let d = |r: &Tensor| f::mul(r, &f::rsub_scalar(r, 1.0)?);
    fused(
        "SigmoidBackwardBackward0",
        g,
        r,
        |g, r| f::mul(g, &f::conj(&d(r)?)?),
        move |gg, g, r, ng, nr| {
            // do/dg = conj(r (1 - r)): grad_g = gg r (1 - r)
            let dg = if ng { Some(f::mul(gg, &d(r)?)?) } else { None };
            // do/dconj(r) = g (1 - 2 conj(r)): grad_r = conj(gg conj(g) (1 - 2 r))
            let dr = if nr { Some(f::conj(&f::mul(gg, &f::mul(&f::conj(g)?, &f::rsub_scalar(&f::scale(r, 2.0)?, 1.0)?)?)?)?) } else { None };
            Ok((dg, dr))
        },
    )
}

/// `threshold_backward(g, r, 0)`: g where the relu output `r > 0`, else exactly 0
/// (ThresholdBackwardBackward0).
pub fn relu_backward(g: &Tensor, r: &Tensor) -> Result<Tensor> {
    fused(
        "ThresholdBackwardBackward0",
        g,
        r,
        |g, r| {
            let keep = b::binary(BinaryOp::Gt, Arg::T(&r.detached()), Arg::S(Pivot::F(0.0)), None, None)?;
            crate::ops::ternary::where_(&keep, Arg::T(g), Arg::S(Pivot::I(0)), None)
        },
        |gg, _g, r, ng, nr| {
            // linear in g with a 0/1 mask: grad_g = gg [r > 0]; the mask is flat in r: grad_r = 0
            let dg = if ng { Some(f::mul(gg, &positive(r, gg)?)?) } else { None };
            let dr = if nr { Some(Tensor::zeros(r.shape(), r.dtype, r.device())?) } else { None };
            Ok((dg, dr))
        },
    )
}

/// gelu'(x) and gelu''(x): exact `Phi(x) + x phi(x)` and `phi(x) (2 - x^2)`, or for the tanh
/// form (u = k (x + a x^3), t = tanh u) `(1 + t)/2 + x (1 - t^2) u'/2` and
/// `(1 - t^2) (u' + x u''/2 - x t u'^2)`.
fn gelu_derivs(x: &Tensor, tanh: bool, second: bool) -> Result<Tensor> {
    use std::f64::consts::{FRAC_1_SQRT_2, PI};
    let sq = |t: &Tensor| f::mul(t, t);
    if !tanh {
        let pdf = f::scale(&f::un(UnaryOp::Exp, &f::scale(&sq(x)?, -0.5)?)?, 1.0 / (2.0 * PI).sqrt())?;
        if second {
            return f::mul(&pdf, &f::rsub_scalar(&sq(x)?, 2.0)?);
        }
        let cdf = f::scale(&f::add_scalar(&f::un(UnaryOp::Erf, &f::scale(x, FRAC_1_SQRT_2)?)?, 1.0)?, 0.5)?;
        return f::add(&cdf, &f::mul(x, &pdf)?);
    }
    let (k, a) = ((2.0 / PI).sqrt(), 0.044715);
    let x2 = sq(x)?;
    let inner = f::scale(&f::add(x, &f::scale(&f::mul(&x2, x)?, a)?)?, k)?;
    let t = f::un(UnaryOp::Tanh, &inner)?;
    let sech2 = f::rsub_scalar(&sq(&t)?, 1.0)?;
    let du = f::scale(&f::add_scalar(&f::scale(&x2, 3.0 * a)?, 1.0)?, k)?;
    if second {
        let ddu = f::scale(x, 6.0 * k * a)?;
        let s = f::add(&du, &f::scale(&f::mul(x, &ddu)?, 0.5)?)?;
        let s = f::sub(&s, &f::mul(&f::mul(x, &t)?, &sq(&du)?)?)?;
        return f::mul(&sech2, &s);
    }
    let left = f::scale(&f::add_scalar(&t, 1.0)?, 0.5)?;
    let right = f::mul(&f::scale(x, 0.5)?, &f::mul(&sech2, &du)?)?;
    f::add(&left, &right)
}

/// `gelu_backward(g, x) = g gelu'(x)` (GeluBackwardBackward0; real inputs only, as in torch).
pub fn gelu_backward(g: &Tensor, x: &Tensor, tanh: bool) -> Result<Tensor> {
    fused(
        "GeluBackwardBackward0",
        g,
        x,
        move |g, x| f::mul(g, &gelu_derivs(x, tanh, false)?),
        move |gg, g, x, ng, nx| {
            // do/dg = gelu'(x); do/dx = g gelu''(x)
            let dg = if ng { Some(gelu_backward(gg, x, tanh)?) } else { None };
            let dx = if nx { Some(f::mul(&f::mul(gg, g)?, &gelu_derivs(x, tanh, true)?)?) } else { None };
            Ok((dg, dx))
        },
    )
}

/// `_softmax_backward_data(g, y)` = `y (g - sum(g y))` and `_log_softmax_backward_data(g, y)` =
/// `g - exp(y) sum(g)` over `dim` (SoftmaxBackwardDataBackward0 / LogSoftmaxBackwardDataBackward0).
pub fn softmax_backward_data(g: &Tensor, y: &Tensor, dim: usize, log: bool) -> Result<Tensor> {
    let name = if log { "LogSoftmaxBackwardDataBackward0" } else { "SoftmaxBackwardDataBackward0" };
    let dims = [dim as i64];
    let sum = move |t: &Tensor| f::sum_mean(t, Some(&dims[..]), true, None, false, false);
    fused(
        name,
        g,
        y,
        move |g, y| crate::ops::nnfn::softmax_backward_data(g, y, dim, log),
        move |gg, g, y, ng, ny| {
            if log {
                // o = g - e^y sum(g): grad_g = gg - sum(gg e^y); grad_y = -gg e^y sum(g)
                let ey = f::un(UnaryOp::Exp, y)?;
                let dg = if ng { Some(f::sub(gg, &sum(&f::mul(gg, &ey)?)?)?) } else { None };
                let dy = if ny { Some(f::neg(&f::mul(&f::mul(gg, &ey)?, &sum(g)?)?)?) } else { None };
                return Ok((dg, dy));
            }
            // o = y (g - sum(g y)) is linear in g with a symmetric Jacobian: grad_g = o(gg, y);
            // grad_y = gg (g - sum(g y)) - g sum(gg y)
            let dg = if ng { Some(softmax_backward_data(gg, y, dim, false)?) } else { None };
            let dy = if ny {
                let a = f::mul(gg, &f::sub(g, &sum(&f::mul(g, y)?)?)?)?;
                Some(f::sub(&a, &f::mul(g, &sum(&f::mul(gg, y)?)?)?)?)
            } else {
                None
            };
            Ok((dg, dy))
        },
    )
}
