//! Matrix products with autograd (`matmul`, `mm`/`bmm`/`mv`/`dot`, `addmm`-style): d(a@b) is
//! g @ b^H for a and a^H @ g for b, reduced over broadcast batch dims; the transposes are recorded
//! as torch's `t()` / `transpose` views so a gradient's graph matches torch's (TBackward0).
use super::formulas::{clone, conj, gr, mul, pivot_f64, scale, sum_to};
use super::{SavedTensor, record, should_record};
use crate::bail;
use crate::element::Pivot;
use crate::error::Result;
use crate::tensor::Tensor;

/// The last two dims swapped (a view: `t()` for matrices, `transpose(-2, -1)` for batches).
fn mt(t: &Tensor) -> Tensor {
    let n = t.ndim();
    let name = if n == 2 { "TBackward0" } else { "TransposeBackward0" };
    match t.view_op(name, move |l| Ok(l.transpose(n - 2, n - 1))) {
        Ok(v) => v,
        Err(_) => t.with_layout(t.layout.transpose(n - 2, n - 1)),
    }
}

fn unsqueeze(t: &Tensor, d: usize) -> Tensor {
    let mut shape = t.shape().to_vec();
    let mut strides = t.strides().to_vec();
    let s = if d < shape.len() { strides[d] * shape[d] as isize } else { 1 };
    shape.insert(d, 1);
    strides.insert(d, s);
    t.with_layout(crate::layout::Layout { shape, strides, offset: t.layout.offset })
}

fn reshape_to(t: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if t.shape() == shape {
        return Ok(t.clone());
    }
    let c = if t.layout.view_strides(shape).is_some() { t.clone() } else { clone(t, |x| x.contiguous_copy())? };
    let Some(strides) = c.layout.view_strides(shape) else { bail!(runtime, "internal error: reshape in matmul backward") };
    Ok(c.with_layout(crate::layout::Layout { shape: shape.to_vec(), strides, offset: c.layout.offset }))
}

/// `matmul(a, b)` with autograd: d(a@b) = g @ b^H for a, a^H @ g for b, reduced over broadcast batch dims.
pub fn matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    use crate::ops::matmul as m;
    if !should_record(&[a, b]) {
        return m::matmul(a, b);
    }
    let mut r = m::matmul(&a.detached(), &b.detached())?;
    let (da, db) = (a.ndim(), b.ndim());
    let name = match (da, db) {
        (1, 1) => "DotBackward0",
        (2, 1) => "MvBackward0",
        (1, 2) => "SqueezeBackward4",
        (2, 2) => "MmBackward0",
        _ => "UnsafeViewBackward0",
    };
    let (ashape, bshape) = (a.shape().to_vec(), b.shape().to_vec());
    let saved = vec![SavedTensor::input(a), SavedTensor::input(b)];
    record(name, &[a, b], &mut [&mut r], saved, move |ctx, g| {
        let g = gr(g)?;
        let (a, b) = (ctx.saved(0)?, ctx.saved(1)?);
        // Lift 1-D operands to matrices, as matmul does, so one rule covers every case.
        let a2 = if da == 1 { unsqueeze(&a, 0) } else { a.clone() };
        let b2 = if db == 1 { unsqueeze(&b, 1) } else { b.clone() };
        let mut g2 = g.clone();
        if da == 1 {
            g2 = unsqueeze(&g2, g2.ndim().saturating_sub(if db == 1 { 0 } else { 1 }));
        }
        if db == 1 {
            g2 = unsqueeze(&g2, g2.ndim());
        }
        let ga = if ctx.needs(0) {
            let full = matmul(&g2, &conj(&mt(&b2))?)?;
            let s = sum_to(&full, a2.shape())?;
            Some(reshape_to(&s, &ashape)?)
        } else {
            None
        };
        let gb = if ctx.needs(1) {
            let full = matmul(&conj(&mt(&a2))?, &g2)?;
            let s = sum_to(&full, b2.shape())?;
            Some(reshape_to(&s, &bshape)?)
        } else {
            None
        };
        Ok(vec![ga, gb])
    });
    Ok(r)
}

/// `mm` / `bmm` / `mv` / `dot` with autograd (the same rule as matmul, under torch's node names).
pub fn named_product(name: &'static str, f: fn(&Tensor, &Tensor) -> Result<Tensor>, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if !should_record(&[a, b]) {
        return f(a, b);
    }
    let r = f(&a.detached(), &b.detached())?;
    let mut r2 = r;
    let saved = vec![SavedTensor::input(a), SavedTensor::input(b)];
    record(name, &[a, b], &mut [&mut r2], saved, move |ctx, g| {
        let g = gr(g)?;
        let (a, b) = (ctx.saved(0)?, ctx.saved(1)?);
        // matmul's rule covers mm, bmm, mv and dot shapes.
        let (da, db) = (a.ndim(), b.ndim());
        let a2 = if da == 1 { unsqueeze(&a, 0) } else { a.clone() };
        let b2 = if db == 1 { unsqueeze(&b, 1) } else { b.clone() };
        let mut g2 = g.clone();
        if da == 1 {
            g2 = unsqueeze(&g2, 0);
        }
        if db == 1 {
            g2 = unsqueeze(&g2, g2.ndim());
        }
        let ga = if ctx.needs(0) { Some(reshape_to(&matmul(&g2, &conj(&mt(&b2))?)?, a.shape())?) } else { None };
        let gb = if ctx.needs(1) { Some(reshape_to(&matmul(&conj(&mt(&a2))?, &g2)?, b.shape())?) } else { None };
        Ok(vec![ga, gb])
    });
    Ok(r2)
}

/// `addmm`-style ops: r = beta * input + alpha * prod(a, b).
pub fn add_product(
    name: &'static str,
    f: fn(&Tensor, &Tensor, &Tensor, Option<Pivot>, Option<Pivot>, bool) -> Result<Tensor>,
    input: &Tensor,
    a: &Tensor,
    b: &Tensor,
    beta: Option<Pivot>,
    alpha: Option<Pivot>,
) -> Result<Tensor> {
    if !should_record(&[input, a, b]) {
        return f(input, a, b, beta, alpha, false);
    }
    let mut r = f(&input.detached(), &a.detached(), &b.detached(), beta, alpha, false)?;
    let (bv, av) = (beta.map(pivot_f64).unwrap_or(1.0), alpha.map(pivot_f64).unwrap_or(1.0));
    let ishape = input.shape().to_vec();
    let saved = vec![SavedTensor::input(a), SavedTensor::input(b)];
    record(name, &[input, a, b], &mut [&mut r], saved, move |ctx, g| {
        let g = gr(g)?;
        let gi = if ctx.needs(0) { Some(sum_to(&scale(g, bv)?, &ishape)?) } else { None };
        let (a, b) = (ctx.saved(0)?, ctx.saved(1)?);
        let ga = if ctx.needs(1) {
            let t = if b.ndim() == 1 { mul(&unsqueeze(g, 1), &unsqueeze(&conj(&b)?, 0))? } else { matmul(g, &conj(&mt(&b))?)? };
            Some(scale(&t, av)?)
        } else {
            None
        };
        let gb = if ctx.needs(2) {
            let gg = if b.ndim() == 1 { unsqueeze(g, 1) } else { g.clone() };
            let t = matmul(&conj(&mt(&a))?, &gg)?;
            let t = if b.ndim() == 1 { reshape_to(&t, b.shape())? } else { t };
            Some(scale(&t, av)?)
        } else {
            None
        };
        Ok(vec![gi, ga, gb])
    });
    Ok(r)
}
