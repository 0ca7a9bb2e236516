//! Autograd for the parameterised activations (leaky_relu, hardtanh/relu6, elu/selu/celu, softplus,
//! hardsigmoid, hardswish, softsign, tanhshrink) and for where / clamp / masked_fill, with torch's
//! node names and its derivative conventions at the kinks.
use super::formulas::{self, gr, sum_to};
use super::{SavedTensor, record, should_record};
use crate::bail;
use crate::dtype::DType;
use crate::element::Pivot;
use crate::error::Result;
use crate::ops::activation as act;
use crate::ops::binary::{self as b, Arg, BinaryOp};
use crate::ops::ternary as tern;
use crate::ops::unary::UnaryOp;
use crate::tensor::Tensor;

const SELU_ALPHA: f64 = 1.6732632423543772848170429916717;
const SELU_SCALE: f64 = 1.0507009873554804934193349852946;

/// The derivative d act(x) / dx, elementwise, in x's dtype (evaluated in f64).
fn derivative(name: &str, x: &Tensor, p0: f64, p1: f64) -> Result<Tensor> {
    let xd = x.detached().to_dtype(DType::F64, false)?.contiguous()?;
    let n = xd.numel();
    let out = Tensor::for_overwrite(x.shape(), DType::F64)?;
    // SAFETY: both are contiguous f64 buffers of n elements.
    let (xs, os) = unsafe { (std::slice::from_raw_parts(xd.data_ptr() as *const f64, n), std::slice::from_raw_parts_mut(out.data_ptr() as *mut f64, n)) };
    let f: Box<dyn Fn(f64) -> f64> = match name {
        "leaky_relu" => Box::new(move |v| if v > 0.0 { 1.0 } else { p0 }),
        "relu6" => Box::new(|v| if v > 0.0 && v < 6.0 { 1.0 } else { 0.0 }),
        "hardtanh" => Box::new(move |v| if v > p0 && v < p1 { 1.0 } else { 0.0 }),
        // elu(alpha=p0, scale=p1): scale for x > 0, alpha * scale * exp(x) otherwise
        "elu" => Box::new(move |v| if v > 0.0 { p1 } else { p0 * p1 * v.exp() }),
        "selu" => Box::new(|v| if v > 0.0 { SELU_SCALE } else { SELU_ALPHA * SELU_SCALE * v.exp() }),
        "celu" => Box::new(move |v| if v > 0.0 { 1.0 } else { (v / p0).exp() }),
        // softplus(beta=p0, threshold=p1)
        "softplus" => Box::new(move |v| {
            let z = v * p0;
            if z > p1 { 1.0 } else { 1.0 / (1.0 + (-z).exp()) }
        }),
        // torch's kernel multiplies by a float one-sixth
        "hardsigmoid" => Box::new(|v| if v > -3.0 && v < 3.0 { (1.0f32 / 6.0f32) as f64 } else { 0.0 }),
        "hardswish" => Box::new(|v| {
            if v <= -3.0 {
                0.0
            } else if v < 3.0 {
                v / 3.0 + 0.5
            } else {
                1.0
            }
        }),
        _ => bail!(runtime, "internal error: no derivative for activation {name}"),
    };
    for (o, &v) in os.iter_mut().zip(xs) {
        *o = if v.is_nan() { v } else { f(v) };
    }
    out.to_dtype(x.dtype, false)
}

fn node_name(name: &str, inplace: bool) -> &'static str {
    match (name, inplace) {
        ("leaky_relu", true) => "LeakyReluBackward1",
        ("elu" | "selu", true) => "EluBackward1",
        ("celu", true) => "CeluBackward1",
        (name, _) => node_name_of(name),
    }
}

fn node_name_of(name: &str) -> &'static str {
    match name {
        "leaky_relu" => "LeakyReluBackward0",
        "relu6" | "hardtanh" => "HardtanhBackward0",
        "elu" | "selu" => "EluBackward0",
        "celu" => "CeluBackward0",
        "softplus" => "SoftplusBackward0",
        "hardsigmoid" => "HardsigmoidBackward0",
        "hardswish" => "HardswishBackward0",
        _ => "ActivationBackward0",
    }
}

/// Whether `activation` can differentiate `name`.
pub fn differentiable(name: &str) -> bool {
    matches!(
        name,
        "relu" | "sigmoid" | "tanh" | "silu" | "gelu" | "gelu_tanh" | "mish" | "logsigmoid" | "softsign" | "tanhshrink" | "leaky_relu" | "relu6" | "hardtanh" | "elu" | "selu" | "celu" | "softplus" | "hardsigmoid" | "hardswish"
    )
}

/// `act(x)` by name (as `ops::activation::activation`, plus "hardtanh" with p0/p1 bounds), recording
/// its node when `x` requires grad.
pub fn activation(name: &str, x: &Tensor, p0: f64, p1: f64) -> Result<Tensor> {
    activation_named(name, x, p0, p1, false)
}

/// `activation`, naming the node as torch names the in-place form when `inplace`.
pub fn activation_named(name: &str, x: &Tensor, p0: f64, p1: f64, inplace: bool) -> Result<Tensor> {
    let plain = |x: &Tensor| -> Result<Tensor> {
        match name {
            "hardtanh" => act::hardtanh(x, p0, p1),
            "selu" => act::activation("elu", x, SELU_ALPHA, SELU_SCALE),
            _ => act::activation(name, x, p0, p1),
        }
    };
    if !should_record(&[x]) {
        return plain(x);
    }
    let un = |op: UnaryOp, t: &Tensor| formulas::unary(op, t, None);
    match name {
        "relu" => return un(UnaryOp::Relu, x),
        "sigmoid" => return un(UnaryOp::Sigmoid, x),
        "tanh" => return un(UnaryOp::Tanh, x),
        "silu" => return un(UnaryOp::Silu, x),
        "gelu" => return un(UnaryOp::Gelu, x),
        "gelu_tanh" => return un(UnaryOp::GeluTanh, x),
        "mish" => return un(UnaryOp::Mish, x),
        "logsigmoid" => return un(UnaryOp::LogSigmoid, x),
        // torch composes these two from differentiable tensor ops.
        "softsign" => {
            let den = formulas::binary(BinaryOp::Add, Arg::T(&un(UnaryOp::Abs, x)?), Arg::S(Pivot::I(1)), None, None)?;
            return formulas::binary(BinaryOp::Div, Arg::T(x), Arg::T(&den), None, None);
        }
        "tanhshrink" => return formulas::binary(BinaryOp::Sub, Arg::T(x), Arg::T(&un(UnaryOp::Tanh, x)?), None, None),
        _ => {}
    }
    let mut r = plain(&x.detached())?;
    if !(r.dtype.is_floating_point() || r.dtype.is_complex()) {
        return Ok(r);
    }
    let owned = name.to_string();
    record(node_name(name, inplace), &[x], &mut [&mut r], vec![SavedTensor::input(x)], move |ctx, g| {
        let g = gr(g)?;
        let d = derivative(&owned, &ctx.saved(0)?, p0, p1)?;
        Ok(vec![Some(formulas::mul(g, &d)?)])
    });
    Ok(r)
}

/// An owned copy of an operand, detached from autograd.
enum Owned {
    T(Tensor),
    S(Pivot),
}

impl Owned {
    fn of(a: &Arg) -> Owned {
        match a {
            Arg::T(t) => Owned::T(t.detached()),
            Arg::S(p) => Owned::S(*p),
        }
    }
    fn arg(&self) -> Arg<'_> {
        match self {
            Owned::T(t) => Arg::T(t),
            Owned::S(p) => Arg::S(*p),
        }
    }
}

fn zeros_like(t: &Tensor) -> Result<Tensor> {
    Tensor::zeros(t.shape(), t.dtype, t.device())
}

/// `g` where `keep` is true, else 0 (keep broadcasts to g).
fn keep_where(g: &Tensor, keep: &Tensor) -> Result<Tensor> {
    tern::where_(keep, Arg::T(&g.detached()), Arg::S(Pivot::I(0)), None)
}

/// `torch.where(cond, a, b)` with autograd (`WhereBackward0`).
pub fn where_(cond: &Tensor, a: Arg, b: Arg, out: Option<&Tensor>) -> Result<Tensor> {
    let ts: Vec<&Tensor> = [&a, &b].iter().filter_map(|x| if let Arg::T(t) = x { Some(*t) } else { None }).collect();
    if out.is_some() || !should_record(&ts) {
        return tern::where_(cond, a, b, out);
    }
    let (ad, bd) = (Owned::of(&a), Owned::of(&b));
    let mut r = tern::where_(cond, ad.arg(), bd.arg(), None)?;
    let slots: Vec<Option<Vec<usize>>> = [&a, &b].iter().map(|x| if let Arg::T(t) = x { Some(t.shape().to_vec()) } else { None }).collect();
    let c = cond.detached().to_dtype(DType::Bool, false)?;
    record("WhereBackward0", &ts, &mut [&mut r], vec![], move |ctx, g| {
        let g = gr(g)?;
        let mut out = Vec::new();
        let mut i = 0;
        for (k, s) in slots.iter().enumerate() {
            if let Some(shape) = s {
                if ctx.needs(i) {
                    let z = zeros_like(g)?;
                    let gi = if k == 0 { tern::where_(&c, Arg::T(&g.detached()), Arg::T(&z), None)? } else { tern::where_(&c, Arg::T(&z), Arg::T(&g.detached()), None)? };
                    out.push(Some(sum_to(&gi, shape)?));
                } else {
                    out.push(None);
                }
                i += 1;
            }
        }
        Ok(out)
    });
    Ok(r)
}

/// `clamp(x, lo, hi)` with autograd: the gradient passes where lo <= x <= hi (torch's
/// ClampBackward1 / ClampMinBackward0 / ClampMaxBackward0 for number bounds; tensor bounds
/// receive their own gradient where they were selected).
pub fn clamp(x: &Tensor, lo: Option<Arg>, hi: Option<Arg>, out: Option<&Tensor>, fname: &str) -> Result<Tensor> {
    let bounds: Vec<&Tensor> = [&lo, &hi].iter().filter_map(|b| match b {
        Some(Arg::T(t)) => Some(*t),
        _ => None,
    }).collect();
    let mut ins = vec![x];
    ins.extend(bounds.iter().copied());
    if out.is_some() || !should_record(&ins) {
        return tern::clamp(x, lo, hi, out);
    }
    let lod = lo.as_ref().map(Owned::of);
    let hid = hi.as_ref().map(Owned::of);
    let xd = x.detached();
    let mut r = tern::clamp(&xd, lod.as_ref().map(|a| a.arg()), hid.as_ref().map(|a| a.arg()), None)?;
    if !(r.dtype.is_floating_point()) {
        return Ok(r);
    }
    let tensor_bounds = !bounds.is_empty();
    let name = match fname {
        "clamp_min" => "ClampMinBackward0",
        "clamp_max" => "ClampMaxBackward0",
        _ => "ClampBackward1",
    };
    if tensor_bounds {
        return clamp_tensor_bounds(x, &xd, lod, hid, r, &ins);
    }
    // Number bounds: the gradient passes strictly inside (x > lo, x < hi), as torch's does.
    let ge = match &lod {
        Some(l) => Some(b::binary(BinaryOp::Gt, Arg::T(&xd), l.arg(), None, None)?),
        None => None,
    };
    let le = match &hid {
        Some(h) => Some(b::binary(BinaryOp::Lt, Arg::T(&xd), h.arg(), None, None)?),
        None => None,
    };
    let xshape = x.shape().to_vec();
    let lo_shape = match &lo {
        Some(Arg::T(t)) => Some(t.shape().to_vec()),
        _ => None,
    };
    let hi_shape = match &hi {
        Some(Arg::T(t)) => Some(t.shape().to_vec()),
        _ => None,
    };
    record(name, &ins, &mut [&mut r], vec![], move |ctx, g| {
        let g = gr(g)?;
        let inside = match (&ge, &le) {
            (Some(a), Some(b2)) => b::binary(BinaryOp::LogicalAnd, Arg::T(a), Arg::T(b2), None, None)?,
            (Some(a), None) => a.clone(),
            (None, Some(b2)) => b2.clone(),
            (None, None) => bail!(runtime, "internal error: clamp without bounds"),
        };
        let mut res = vec![if ctx.needs(0) { Some(sum_to(&keep_where(g, &inside)?, &xshape)?) } else { None }];
        let mut i = 1;
        // d/d lo = 1 where x < lo; d/d hi = 1 where x > hi (and lo did not win).
        if let (Some(s), Some(ge)) = (&lo_shape, &ge) {
            let below = b::binary(BinaryOp::Eq, Arg::T(ge), Arg::S(Pivot::B(false)), None, None)?;
            res.push(if ctx.needs(i) { Some(sum_to(&keep_where(g, &below)?, s)?) } else { None });
            i += 1;
        }
        if let (Some(s), Some(le)) = (&hi_shape, &le) {
            let mut above = b::binary(BinaryOp::Eq, Arg::T(le), Arg::S(Pivot::B(false)), None, None)?;
            if let Some(ge) = &ge {
                above = b::binary(BinaryOp::LogicalAnd, Arg::T(&above), Arg::T(ge), None, None)?;
            }
            res.push(if ctx.needs(i) { Some(sum_to(&keep_where(g, &above)?, s)?) } else { None });
        }
        Ok(res)
    });
    Ok(r)
}

/// clamp with at least one tensor bound (`ClampBackward0`): each of x, lo, hi gets the gradient
/// where it was selected, and ties (x == bound) split it half and half, as torch's does.
fn clamp_tensor_bounds(x: &Tensor, xd: &Tensor, lo: Option<Owned>, hi: Option<Owned>, mut r: Tensor, ins: &[&Tensor]) -> Result<Tensor> {
    let f = |t: Tensor| t.to_dtype(xd.dtype, false);
    let cmp = |op: BinaryOp, bnd: &Owned| -> Result<Tensor> { f(b::binary(op, Arg::T(xd), bnd.arg(), None, None)?) };
    let half = |t: &Tensor| b::binary(BinaryOp::Mul, Arg::T(t), Arg::S(Pivot::F(0.5)), None, None);
    let add = |a: &Tensor, c: &Tensor| b::binary(BinaryOp::Add, Arg::T(a), Arg::T(c), None, None);
    let mul = |a: &Tensor, c: &Tensor| b::binary(BinaryOp::Mul, Arg::T(a), Arg::T(c), None, None);
    // weights: x gets 1 strictly inside, 1/2 on a tie; a bound gets 1 beyond it, 1/2 on a tie.
    let ones = Tensor::full(xd.shape(), Pivot::F(1.0), xd.dtype, xd.device())?;
    let mut wx = ones.clone();
    let mut wlo = None;
    let mut whi = None;
    if let Some(l) = &lo {
        let (gt, eq) = (cmp(BinaryOp::Gt, l)?, cmp(BinaryOp::Eq, l)?);
        wx = mul(&wx, &add(&gt, &half(&eq)?)?)?;
        wlo = Some((add(&cmp(BinaryOp::Lt, l)?, &half(&eq)?)?, if let Owned::T(t) = l { t.shape().to_vec() } else { vec![] }, matches!(l, Owned::T(_))));
    }
    if let Some(h) = &hi {
        // clamp = min(max(x, lo), hi): the min step compares m = max(x, lo) with hi.
        let m = match &lo {
            Some(l) => tern::clamp(xd, Some(l.arg()), None, None)?,
            None => xd.clone(),
        };
        let cm = |op: BinaryOp| -> Result<Tensor> { f(b::binary(op, Arg::T(&m), h.arg(), None, None)?) };
        let (lt, eq) = (cm(BinaryOp::Lt)?, cm(BinaryOp::Eq)?);
        let wm = add(&lt, &half(&eq)?)?;
        wx = mul(&wx, &wm)?;
        if let Some(w) = wlo.as_mut() {
            w.0 = mul(&w.0, &wm)?;
        }
        whi = Some((add(&cm(BinaryOp::Gt)?, &half(&eq)?)?, if let Owned::T(t) = h { t.shape().to_vec() } else { vec![] }, matches!(h, Owned::T(_))));
    }
    let xshape = x.shape().to_vec();
    record("ClampBackward0", ins, &mut [&mut r], vec![], move |ctx, g| {
        let g = gr(g)?.detached();
        let mut res = vec![if ctx.needs(0) { Some(sum_to(&b::binary(BinaryOp::Mul, Arg::T(&g), Arg::T(&wx), None, None)?, &xshape)?) } else { None }];
        let mut i = 1;
        for w in [&wlo, &whi].into_iter().flatten() {
            if w.2 {
                res.push(if ctx.needs(i) { Some(sum_to(&b::binary(BinaryOp::Mul, Arg::T(&g), Arg::T(&w.0), None, None)?, &w.1)?) } else { None });
                i += 1;
            }
        }
        Ok(res)
    });
    Ok(r)
}

/// `masked_fill(x, mask, value)` with autograd (`MaskedFillBackward0`): 0 gradient where filled;
/// a tensor value gets the sum of the gradient over the filled positions.
pub fn masked_fill(x: &Tensor, mask: &Tensor, value: Arg) -> Result<Tensor> {
    let mut ins = vec![x];
    if let Arg::T(v) = &value {
        ins.push(*v);
    }
    if !should_record(&ins) {
        return tern::masked_fill(x, mask, value);
    }
    let vd = Owned::of(&value);
    let mut r = tern::masked_fill(&x.detached(), mask, vd.arg())?;
    let m = mask.detached().to_dtype(DType::Bool, false)?;
    let xshape = x.shape().to_vec();
    let vshape = if let Arg::T(v) = &value { Some(v.shape().to_vec()) } else { None };
    let name = if ins.len() > 1 { "MaskedFillBackward1" } else { "MaskedFillBackward0" };
    record(name, &ins, &mut [&mut r], vec![], move |ctx, g| {
        let g = gr(g)?;
        let z = zeros_like(g)?;
        let gx = if ctx.needs(0) { Some(sum_to(&tern::where_(&m, Arg::T(&z), Arg::T(&g.detached()), None)?, &xshape)?) } else { None };
        let mut res = vec![gx];
        if let Some(s) = &vshape {
            let picked = tern::where_(&m, Arg::T(&g.detached()), Arg::T(&z), None)?;
            let total = crate::ops::reduce::sum(&picked, None, false, None, false)?;
            res.push(if ctx.needs(1) { Some(total.expand_to(s)?.contiguous()?) } else { None });
        }
        Ok(res)
    });
    Ok(r)
}
