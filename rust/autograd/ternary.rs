//! Autograd for lerp, addcmul/addcdiv, float_power and the index-writing ops (index_add,
//! index_copy, index_fill, masked_scatter, scatter_reduce). Formulas after torch's derivatives.
use super::formulas::{binary, gr, mul, neg, rsub_scalar, scale, sub, sum_to};
use super::{SavedTensor, record, should_record};
use crate::dtype::DType;
use crate::element::Pivot;
use crate::error::Result;
use crate::ops::binary::{Arg, BinaryOp};
use crate::ops::index as oi;
use crate::ops::ternary as tern;
use crate::tensor::Tensor;

fn real_float(dt: DType) -> bool {
    dt.is_floating_point()
}

/// `g` summed back to `like`'s shape and cast to its dtype.
fn fit(g: &Tensor, like: &super::node::TensorMeta) -> Result<Tensor> {
    let s = sum_to(g, &like.shape)?;
    if s.dtype == like.dtype { Ok(s) } else { super::formulas::to_dtype(&s, like.dtype, false) }
}

fn meta(t: &Tensor) -> super::node::TensorMeta {
    super::node::TensorMeta::of(t)
}

fn div(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    super::formulas::div(a, b)
}

/// `lerp(start, end, weight)`: d/dstart = 1 - w, d/dend = w, d/dw = end - start
/// (LerpBackward0 for a number weight, LerpBackward1 for a tensor weight).
pub fn lerp(s: &Tensor, e: &Tensor, w: Arg) -> Result<Tensor> {
    let rec = match &w {
        Arg::T(wt) => should_record(&[s, e, wt]),
        Arg::S(_) => should_record(&[s, e]),
    };
    if !rec || !real_float(s.dtype) {
        return tern::lerp(s, e, w, None);
    }
    match w {
        Arg::S(p) => {
            let mut r = tern::lerp(&s.detached(), &e.detached(), Arg::S(p), None)?;
            let wv = match p {
                Pivot::F(f) => f,
                Pivot::I(i) => i as f64,
                Pivot::B(b) => b as i64 as f64,
                Pivot::C(re, _) => re,
            };
            let (ms, me) = (meta(s), meta(e));
            record("LerpBackward0", &[s, e], &mut [&mut r], vec![], move |ctx, g| {
                let g = gr(g)?;
                let gs = if ctx.needs(0) { Some(fit(&scale(g, 1.0 - wv)?, &ms)?) } else { None };
                let ge = if ctx.needs(1) { Some(fit(&scale(g, wv)?, &me)?) } else { None };
                Ok(vec![gs, ge])
            });
            Ok(r)
        }
        Arg::T(wt) => {
            let mut r = tern::lerp(&s.detached(), &e.detached(), Arg::T(&wt.detached()), None)?;
            let (ms, me, mw) = (meta(s), meta(e), meta(wt));
            let saved = vec![SavedTensor::input(s), SavedTensor::input(e), SavedTensor::input(wt)];
            record("LerpBackward1", &[s, e, wt], &mut [&mut r], saved, move |ctx, g| {
                let g = gr(g)?;
                let w = ctx.saved(2)?;
                let gs = if ctx.needs(0) { Some(fit(&mul(g, &rsub_scalar(&w, 1.0)?)?, &ms)?) } else { None };
                let ge = if ctx.needs(1) { Some(fit(&mul(g, &w)?, &me)?) } else { None };
                let gw = if ctx.needs(2) { Some(fit(&mul(g, &sub(&ctx.saved(1)?, &ctx.saved(0)?)?)?, &mw)?) } else { None };
                Ok(vec![gs, ge, gw])
            });
            Ok(r)
        }
    }
}

/// `addcmul(x, a, b, value)` (AddcmulBackward0: x: g, a: g b v, b: g a v) and `addcdiv`
/// (AddcdivBackward0: x: g, a: g v / b, b: -g v a / b^2).
pub fn addc(x: &Tensor, a: &Tensor, bb: &Tensor, value: Pivot, is_div: bool) -> Result<Tensor> {
    if !should_record(&[x, a, bb]) || !(real_float(x.dtype) && real_float(a.dtype) && real_float(bb.dtype)) {
        return tern::addc(x, a, bb, value, is_div, None);
    }
    let mut r = tern::addc(&x.detached(), &a.detached(), &bb.detached(), value, is_div, None)?;
    let v = match value {
        Pivot::F(f) => f,
        Pivot::I(i) => i as f64,
        Pivot::B(b) => b as i64 as f64,
        Pivot::C(re, _) => re,
    };
    let (mx, ma, mb) = (meta(x), meta(a), meta(bb));
    let saved = vec![SavedTensor::input(a), SavedTensor::input(bb)];
    let name = if is_div { "AddcdivBackward0" } else { "AddcmulBackward0" };
    record(name, &[x, a, bb], &mut [&mut r], saved, move |ctx, g| {
        let g = gr(g)?;
        let (t1, t2) = (ctx.saved(0)?, ctx.saved(1)?);
        let gx = if ctx.needs(0) { Some(fit(g, &mx)?) } else { None };
        let (ga, gb) = if is_div {
            let ga = if ctx.needs(1) { Some(fit(&scale(&div(g, &t2)?, v)?, &ma)?) } else { None };
            let gb = if ctx.needs(2) {
                Some(fit(&neg(&scale(&div(&mul(g, &t1)?, &mul(&t2, &t2)?)?, v)?)?, &mb)?)
            } else {
                None
            };
            (ga, gb)
        } else {
            let ga = if ctx.needs(1) { Some(fit(&scale(&mul(g, &t2)?, v)?, &ma)?) } else { None };
            let gb = if ctx.needs(2) { Some(fit(&scale(&mul(g, &t1)?, v)?, &mb)?) } else { None };
            (ga, gb)
        };
        Ok(vec![gx, ga, gb])
    });
    Ok(r)
}

/// `float_power(a, b)`: composite as in torch: both sides in double (complex double), then pow.
pub fn float_power(a: Arg, bb: Arg) -> Result<Tensor> {
    let any = match (&a, &bb) {
        (Arg::T(x), Arg::T(y)) => should_record(&[x, y]),
        (Arg::T(x), _) | (_, Arg::T(x)) => should_record(&[x]),
        _ => false,
    };
    if !any {
        return tern::float_power(a, bb, None);
    }
    let cplx = crate::ops::binary::arg_dtype(&a).is_complex() || crate::ops::binary::arg_dtype(&bb).is_complex();
    let want = if cplx { DType::C128 } else { DType::F64 };
    let up = |x: &Arg| -> Result<Option<Tensor>> {
        match x {
            Arg::T(t) => Ok(Some(super::formulas::to_dtype(t, want, false)?)),
            Arg::S(_) => Ok(None),
        }
    };
    let (ta, tb) = (up(&a)?, up(&bb)?);
    let sa = match (&ta, &a) {
        (Some(t), _) => Arg::T(t),
        (None, Arg::S(p)) => Arg::S(*p),
        _ => unreachable!(),
    };
    let sb = match (&tb, &bb) {
        (Some(t), _) => Arg::T(t),
        (None, Arg::S(p)) => Arg::S(*p),
        _ => unreachable!(),
    };
    binary(BinaryOp::Pow, sa, sb, None, None)
}

// ----- index-writing ops (out of place; the in-place forms go through give_back) -----

/// `x.index_add(dim, index, source, alpha)` (IndexAddBackward0: x: g, source: alpha g[index]).
pub fn index_add(x: &Tensor, dim: i64, index: &Tensor, source: &Tensor, alpha: Pivot) -> Result<Tensor> {
    let out = x.detached().contiguous_copy()?;
    oi::index_add_(&out, dim, index, &source.detached(), alpha)?;
    if !should_record(&[x, source]) || !real_float(x.dtype) {
        return Ok(out);
    }
    let mut out = out;
    let idx = index.detached();
    let a = match alpha {
        Pivot::F(f) => f,
        Pivot::I(i) => i as f64,
        Pivot::B(b) => b as i64 as f64,
        Pivot::C(re, _) => re,
    };
    let sshape = source.shape().to_vec();
    record("IndexAddBackward0", &[x, source], &mut [&mut out], vec![], move |ctx, g| {
        let g = gr(g)?;
        let gx = if ctx.needs(0) { Some(g.clone()) } else { None };
        let gs = if ctx.needs(1) {
            let sel = if g.ndim() == 0 { g.detached() } else { oi::index_select(&g.detached(), dim, &idx)? };
            Some(scale(&sel.reshape_to(&sshape)?, a)?)
        } else {
            None
        };
        Ok(vec![gx, gs])
    });
    Ok(out)
}

/// `x.index_copy(dim, index, source)` (IndexCopyBackward0: x: g with the copied slots zeroed,
/// source: g[index]).
pub fn index_copy(x: &Tensor, dim: i64, index: &Tensor, source: &Tensor) -> Result<Tensor> {
    let out = x.detached().contiguous_copy()?;
    oi::index_copy_(&out, dim, index, &source.detached())?;
    if !should_record(&[x, source]) || !real_float(x.dtype) {
        return Ok(out);
    }
    let mut out = out;
    let idx = index.detached();
    let sshape = source.shape().to_vec();
    record("IndexCopyBackward0", &[x, source], &mut [&mut out], vec![], move |ctx, g| {
        let g = gr(g)?.detached();
        let gx = if ctx.needs(0) {
            let c = g.contiguous_copy()?;
            oi::index_fill_(&c, dim, &idx, Pivot::I(0))?;
            Some(c)
        } else {
            None
        };
        let gs = if ctx.needs(1) {
            let sel = if g.ndim() == 0 { g.clone() } else { oi::index_select(&g, dim, &idx)? };
            Some(sel.reshape_to(&sshape)?)
        } else {
            None
        };
        Ok(vec![gx, gs])
    });
    Ok(out)
}

/// `x.index_fill(dim, index, value)` (IndexFillBackward0: x: g with the filled slots zeroed;
/// IndexFillBackward1 for a 0-dim tensor value: value: the sum of g over the filled slots).
pub fn index_fill(x: &Tensor, dim: i64, index: &Tensor, value: Pivot, value_t: Option<&Tensor>) -> Result<Tensor> {
    let out = x.detached().clone_tensor()?;
    oi::index_fill_(&out, dim, index, value)?;
    let rec = match value_t {
        Some(v) => should_record(&[x, v]),
        None => should_record(&[x]),
    };
    if !rec || !real_float(x.dtype) {
        return Ok(out);
    }
    let mut out = out;
    let idx = index.detached();
    let fill_zero = move |g: &Tensor| -> Result<Tensor> {
        let c = g.detached().contiguous_copy()?;
        oi::index_fill_(&c, dim, &idx, Pivot::I(0))?;
        Ok(c)
    };
    match value_t {
        None => record("IndexFillBackward0", &[x], &mut [&mut out], vec![], move |_, g| Ok(vec![Some(fill_zero(gr(g)?)?)])),
        Some(v) => {
            let idx2 = index.detached();
            let vdt = v.dtype;
            record("IndexFillBackward1", &[x, v], &mut [&mut out], vec![], move |ctx, g| {
                let g = gr(g)?;
                let gx = if ctx.needs(0) { Some(fill_zero(g)?) } else { None };
                let gv = if ctx.needs(1) {
                    let gd = g.detached();
                    let sel = if gd.ndim() == 0 { gd } else { oi::index_select(&gd, dim, &idx2)? };
                    Some(crate::ops::reduce::sum(&sel, None, false, None, false)?.to_dtype(vdt, false)?)
                } else {
                    None
                };
                Ok(vec![gx, gv])
            })
        }
    }
    Ok(out)
}

/// `x.masked_scatter(mask, source)` (MaskedScatterBackward0: x: g where mask is false, source:
/// the masked elements of g in order, zero-padded to source's size).
pub fn masked_scatter(x: &Tensor, mask: &Tensor, source: &Tensor, forward: impl FnOnce(&Tensor, &Tensor) -> Result<Tensor>) -> Result<Tensor> {
    if !should_record(&[x, source]) || !real_float(x.dtype) {
        return forward(x, source);
    }
    let mut out = forward(&x.detached(), &source.detached())?;
    let m = mask.detached();
    let (xs, ss, sdt) = (x.shape().to_vec(), source.shape().to_vec(), source.dtype);
    record("MaskedScatterBackward0", &[x, source], &mut [&mut out], vec![], move |ctx, g| {
        let g = gr(g)?.detached();
        let gx = if ctx.needs(0) { Some(sum_to(&tern::masked_fill(&g, &m, Arg::S(Pivot::I(0)))?, &xs)?) } else { None };
        let gs = if ctx.needs(1) {
            let mb = m.expand_to(g.shape())?;
            let picked = oi::masked_select(&g, &mb)?;
            let n: usize = ss.iter().product();
            let full = Tensor::zeros(&[n], sdt, g.device())?;
            let k = picked.numel().min(n);
            if k > 0 {
                full.with_layout(full.layout.narrow(0, 0, k)).copy_(&picked.with_layout(picked.layout.narrow(0, 0, k)))?;
            }
            Some(full.reshape_to(&ss)?)
        } else {
            None
        };
        Ok(vec![gx, gs])
    });
    Ok(out)
}

/// `x.scatter_reduce(dim, index, src, reduce, include_self)` (ScatterReduceBackward0) for sum,
/// mean, amax and amin (gradient shared among the elements equal to the result) and prod
/// (g * result / input, so not exact where inputs are zero).
pub fn scatter_reduce(x: &Tensor, dim: i64, index: &Tensor, src: &Tensor, reduce: &str, include_self: bool) -> Result<Tensor> {
    let out = x.detached().contiguous_copy()?;
    oi::scatter_reduce_(&out, dim, index, &src.detached(), reduce, include_self)?;
    if !should_record(&[x, src]) || !real_float(x.dtype) {
        return Ok(out);
    }
    let mut out = out;
    let idx = index.detached();
    let red = reduce.to_string();
    let saved = vec![SavedTensor::input(x), SavedTensor::input(src), SavedTensor::output(&out, 0)];
    record("ScatterReduceBackward0", &[x, src], &mut [&mut out], saved, move |ctx, g| {
        // Written with recorded ops (gather through `pick`, mul/div, masked_fill, where, and this
        // function for prod), so with create_graph the gradient is itself differentiable.
        let g = gr(g)?;
        let (xv, sv, res) = (ctx.saved(0)?, ctx.saved(1)?, ctx.saved(2)?);
        let (xd, sd, rd) = (xv.detached(), sv.detached(), res.detached());
        let dt = g.dtype;
        let gather = |t: &Tensor| -> Result<Tensor> {
            let ix = idx.clone();
            super::pick::pick("GatherBackward0", t, move |u| oi::gather_dim(u, dim, &ix))
        };
        let raw = |op: BinaryOp, a: &Tensor, b: Arg| crate::ops::binary::binary(op, Arg::T(a), b, None, None);
        let scatter_add = |base: &Tensor, s: &Tensor| -> Result<Tensor> {
            let c = base.contiguous_copy()?;
            oi::scatter_(&c, dim, &idx, Some(s), Pivot::I(0), crate::backend::cpu::index::Reduce::Sum)?;
            Ok(c)
        };
        let same_extent = idx.shape() == sd.shape();
        if !same_extent && matches!(red.as_str(), "prod" | "amax" | "amin") {
            // torch's formulas combine src with index-shaped tensors and fail to broadcast.
            let d = (0..idx.ndim()).rev().find(|&d| sd.shape()[d] != idx.shape()[d]).unwrap_or(0);
            crate::bail!(
                runtime,
                "The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension {d}",
                sd.shape()[d],
                idx.shape()[d]
            );
        }
        let ones_src = Tensor::full(idx.shape(), Pivot::I(1), dt, g.device())?;
        let (mut gx, gs) = match red.as_str() {
            "sum" => (g.clone(), gather(g)?),
            "mean" => {
                let base = if include_self { Tensor::full(g.shape(), Pivot::I(1), dt, g.device())? } else { Tensor::zeros(g.shape(), dt, g.device())? };
                let n = scatter_add(&base, &ones_src)?;
                let n = tern::masked_fill(&n, &raw(BinaryOp::Eq, &n, Arg::S(Pivot::I(0)))?, Arg::S(Pivot::I(1)))?;
                let gn = div(g, &n)?;
                (gn.clone(), gather(&gn)?)
            }
            "amax" | "amin" => {
                let eq = |a: &Tensor, b: &Tensor| -> Result<Tensor> { raw(BinaryOp::Eq, a, Arg::T(b))?.to_dtype(dt, false) };
                let value = oi::gather_dim(&rd, dim, &idx)?;
                // As torch: self's ties count even with include_self=False (their share is then dropped).
                let self_is = eq(&xd, &rd)?;
                let src_is = eq(&sd.narrow_like(&idx)?, &value)?;
                let n = scatter_add(&self_is, &src_is)?;
                let gd = div(g, &n)?;
                (mul(&self_is, &gd)?, mul(&src_is, &gather(&gd)?)?)
            }
            _ => {
                // prod, zero-safe as torch: self's zeros count as ones in the product of the others,
                // and a src element that is its slot's only zero gets the product of the rest.
                let zero = Arg::S(Pivot::I(0));
                let one = || Arg::S(Pivot::I(1));
                let ms = super::act::masked_fill(&xv, &raw(BinaryOp::Eq, &xd, zero)?, one())?;
                let gx = div(&mul(g, &scatter_reduce(&ms, dim, &idx, &sv, "prod", include_self)?)?, &ms)?;
                let svn = if same_extent {
                    sv.clone()
                } else {
                    let ix = idx.clone();
                    super::pick::pick("SliceBackward0", &sv, move |u| u.narrow_like(&ix)?.contiguous())?
                };
                let src_zero = raw(BinaryOp::Eq, &svn.detached(), zero)?;
                let nz = scatter_add(&Tensor::zeros(g.shape(), dt, g.device())?, &src_zero.to_dtype(dt, false)?)?;
                let nz = oi::gather_dim(&nz, dim, &idx)?;
                let single = raw(BinaryOp::LogicalAnd, &src_zero, Arg::T(&raw(BinaryOp::Eq, &nz, Arg::S(Pivot::I(1)))?))?;
                let single_full = Tensor::zeros(sd.shape(), DType::Bool, g.device())?;
                single_full.narrow_like(&idx)?.copy_(&single)?;
                let masked_src = super::act::masked_fill(&sv, &single_full, one())?;
                let with_single = gather(&mul(g, &scatter_reduce(&xv, dim, &idx, &masked_src, "prod", include_self)?)?)?;
                let plain = div(&gather(&mul(g, &res)?)?, &super::act::masked_fill(&svn, &src_zero, one())?)?;
                (gx, super::act::where_(&single, Arg::T(&with_single), Arg::T(&plain), None)?)
            }
        };
        if !include_self {
            let keep = Tensor::full(g.shape(), Pivot::I(1), dt, g.device())?;
            oi::scatter_(&keep, dim, &idx, None, Pivot::I(0), crate::backend::cpu::index::Reduce::Copy)?;
            gx = mul(&gx, &keep)?;
        }
        // Index-shaped, as torch's: where src is larger than index the engine rejects it, as torch's does.
        let gsrc = if ctx.needs(1) { Some(gs) } else { None };
        Ok(vec![if ctx.needs(0) { Some(gx) } else { None }, gsrc])
    });
    Ok(out)
}

impl Tensor {
    /// A view of this tensor's leading corner with `like`'s shape (index shapes may be smaller).
    fn narrow_like(&self, like: &Tensor) -> Result<Tensor> {
        let mut l = self.layout.clone();
        for (d, &n) in like.shape().iter().enumerate() {
            if d < l.shape.len() {
                l.shape[d] = n.min(l.shape[d]);
            }
        }
        Ok(self.with_layout(l))
    }

    /// A contiguous tensor of `shape` with these elements (same numel).
    fn reshape_to(&self, shape: &[usize]) -> Result<Tensor> {
        let c = self.contiguous()?;
        Ok(c.with_layout(crate::layout::Layout { shape: shape.to_vec(), strides: crate::layout::contiguous_strides(shape), offset: c.layout.offset }))
    }
}

/// `x.scatter(dim, index, src)` (ScatterBackward0), `x.scatter(dim, index, value)`
/// (ScatterBackward1) and `x.scatter_add(dim, index, src)` (ScatterAddBackward0) with autograd.
pub fn scatter(x: &Tensor, dim: i64, index: &Tensor, src: Option<&Tensor>, value: Pivot, add: bool) -> Result<Tensor> {
    use crate::backend::cpu::index::Reduce;
    let how = if add { Reduce::Sum } else { Reduce::Copy };
    let mut out = x.detached().contiguous_copy()?;
    let sd = src.map(|s| s.detached());
    oi::scatter_(&out, dim, index, sd.as_ref(), value, how)?;
    let ins: Vec<&Tensor> = match src {
        Some(s) => vec![x, s],
        None => vec![x],
    };
    if !should_record(&ins) || !(x.dtype.is_floating_point() || x.dtype.is_complex()) {
        return Ok(out);
    }
    let name = match (add, src.is_some()) {
        (true, _) => "ScatterAddBackward0",
        (false, true) => "ScatterBackward0",
        (false, false) => "ScatterBackward1",
    };
    let idx = index.detached();
    let with_src = ins.len() == 2;
    record(name, &ins, &mut [&mut out], vec![], move |ctx, g| {
        let g = gr(g)?;
        // self: g for scatter_add; g with the scattered places zeroed for scatter (g.scatter(dim, index, 0))
        let gx = if !ctx.needs(0) {
            None
        } else if add {
            Some(g.clone())
        } else {
            Some(scatter(g, dim, &idx, None, Pivot::I(0), false)?)
        };
        let mut v = vec![gx];
        if with_src {
            // src: each element went to one place: g gathered at index
            let gs = if ctx.needs(1) {
                let ix = idx.clone();
                Some(super::pick::pick("GatherBackward0", g, move |u| oi::gather_dim(u, dim, &ix))?)
            } else {
                None
            };
            v.push(gs);
        }
        Ok(v)
    });
    Ok(out)
}
