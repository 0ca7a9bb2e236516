//! Autograd for "picking" ops: every output element is a copy of one input element or a zero
//! (gathers, advanced indexing, index_select, take, flip, roll, repeat, masked_select, tril/triu,
//! diag_embed), and for cat. The backward of a pick is the transpose of the same selection: the op
//! is replayed on element positions (1..=n, with 0 for "no element") and the incoming gradient is
//! scatter-added back to those positions, so one rule serves every pick op without its own kernel.
use super::formulas::{gr, wide};
use super::{record, should_record};
use crate::bail;
use crate::device::Device;
use crate::dtype::DType;
use crate::element::{C64, C128};
use crate::error::Result;
use crate::layout::Layout;
use crate::tensor::Tensor;

/// Positions 1..=n laid out densely in `shape` (int64).
pub(crate) fn positions(shape: &[usize]) -> Result<Tensor> {
    let n: usize = shape.iter().product();
    let t = Tensor::for_overwrite(shape, DType::I64)?;
    // SAFETY: t is a fresh contiguous int64 tensor of n elements.
    let s = unsafe { std::slice::from_raw_parts_mut(t.data_ptr() as *mut i64, n) };
    for (i, v) in s.iter_mut().enumerate() {
        *v = i as i64 + 1;
    }
    Ok(t)
}

/// Adds `g[i]` into `out[pos[i] - 1]` for every `pos[i] > 0`; `out` has `shape`.
fn scatter_back(g: &Tensor, pos: &Tensor, shape: &[usize]) -> Result<Tensor> {
    let wide = wide(g.dtype);
    let gc = g.detached().to_dtype(wide, false)?.contiguous()?;
    let pc = pos.contiguous()?;
    if gc.numel() != pc.numel() {
        bail!(runtime, "internal error: pick backward got a gradient of {} elements for {} positions", gc.numel(), pc.numel());
    }
    let out = Tensor::zeros(shape, wide, Device::Cpu)?;
    let n = out.numel();
    let m = gc.numel();
    // SAFETY: gc/pc are contiguous with m elements from their offsets; out has n elements.
    let p = unsafe { std::slice::from_raw_parts((pc.data_ptr() as *const i64).add(0), m) };
    macro_rules! run {
        ($T:ty) => {{
            let (gs, os) = unsafe { (std::slice::from_raw_parts(gc.data_ptr() as *const $T, m), std::slice::from_raw_parts_mut(out.data_ptr() as *mut $T, n)) };
            for (&k, &v) in p.iter().zip(gs) {
                if k > 0 && (k as usize) <= n {
                    os[k as usize - 1] = os[k as usize - 1] + v;
                }
            }
        }};
    }
    match wide {
        DType::F32 => run!(f32),
        DType::F64 => run!(f64),
        DType::C64 => run!(C64),
        DType::C128 => run!(C128),
        d => bail!(runtime, "autograd: gradients of dtype {} are not supported", d.scalar_name()),
    }
    out.to_dtype(g.dtype, false)
}

/// `r = f(x)` for a pick op `f`, recording `name` whose backward scatters the gradient back
/// through `f` replayed on positions. `f` must be dtype-generic and fill non-picked outputs with 0.
pub fn pick<F>(name: &'static str, x: &Tensor, f: F) -> Result<Tensor>
where
    F: Fn(&Tensor) -> Result<Tensor> + Send + Sync + 'static,
{
    if !should_record(&[x]) {
        return f(x);
    }
    let mut r = f(&x.detached())?;
    if !(r.dtype.is_floating_point() || r.dtype.is_complex()) {
        return Ok(r);
    }
    let shape = x.shape().to_vec();
    record(name, &[x], &mut [&mut r], vec![], move |_, g| {
        let g = gr(g)?;
        let pos = f(&positions(&shape)?)?;
        Ok(vec![Some(scatter_back_ag(g, pos, shape.clone())?)])
    });
    Ok(r)
}

/// `scatter_back`, recorded when `g` requires grad (create_graph): its backward picks the
/// positions again, so picks are differentiable to any order.
pub(crate) fn scatter_back_ag(g: &Tensor, pos: Tensor, shape: Vec<usize>) -> Result<Tensor> {
    let mut r = scatter_back(g, &pos, &shape)?;
    if should_record(&[g]) {
        let gshape = g.shape().to_vec();
        record("ScatterAddBackward0", &[g], &mut [&mut r], vec![], move |_, gg| Ok(vec![Some(gather_pos(gr(gg)?, pos.clone(), gshape.clone())?)]));
    }
    Ok(r)
}

/// `out[i] = x.flat[pos[i] - 1]` (0 where `pos[i] == 0`), shaped like `pos`; the transpose of
/// `scatter_back`, recorded when `x` requires grad. `xshape` is `x`'s shape.
pub(crate) fn gather_pos(x: &Tensor, pos: Tensor, xshape: Vec<usize>) -> Result<Tensor> {
    let wide = wide(x.dtype);
    let xc = x.detached().to_dtype(wide, false)?.contiguous()?;
    let pc = pos.contiguous()?;
    let out = Tensor::zeros(pos.shape(), wide, Device::Cpu)?;
    let (n, m) = (xc.numel(), pc.numel());
    // SAFETY: pc is contiguous int64 with m elements; xc has n and out m elements of type `wide`.
    let p = unsafe { std::slice::from_raw_parts(pc.data_ptr() as *const i64, m) };
    macro_rules! run {
        ($T:ty) => {{
            let (xs, os) = unsafe { (std::slice::from_raw_parts(xc.data_ptr() as *const $T, n), std::slice::from_raw_parts_mut(out.data_ptr() as *mut $T, m)) };
            for (o, &k) in os.iter_mut().zip(p) {
                if k > 0 && (k as usize) <= n {
                    *o = xs[k as usize - 1];
                }
            }
        }};
    }
    match wide {
        DType::F32 => run!(f32),
        DType::F64 => run!(f64),
        DType::C64 => run!(C64),
        DType::C128 => run!(C128),
        d => bail!(runtime, "autograd: gradients of dtype {} are not supported", d.scalar_name()),
    }
    let mut r = out.to_dtype(x.dtype, false)?;
    if should_record(&[x]) {
        record("GatherBackward0", &[x], &mut [&mut r], vec![], move |_, gg| Ok(vec![Some(scatter_back_ag(gr(gg)?, pos.clone(), xshape.clone())?)]));
    }
    Ok(r)
}

/// `cat(xs, dim)` with autograd (`CatBackward0`): each input gets its slice of the gradient.
/// `f` computes the concatenation; `d` is the wrapped dim (inputs skipped by torch's legacy
/// 1-D-empty rule get an empty gradient).
pub fn cat<F>(name: &'static str, xs: &[Tensor], d: usize, f: F) -> Result<Tensor>
where
    F: FnOnce(&[Tensor]) -> Result<Tensor>,
{
    let refs: Vec<&Tensor> = xs.iter().collect();
    if !should_record(&refs) {
        return f(xs);
    }
    let det: Vec<Tensor> = xs.iter().map(|x| x.detached()).collect();
    let mut r = f(&det)?;
    if !(r.dtype.is_floating_point() || r.dtype.is_complex()) {
        return Ok(r);
    }
    let shapes: Vec<Vec<usize>> = xs.iter().map(|x| x.shape().to_vec()).collect();
    let dtypes: Vec<DType> = xs.iter().map(|x| x.dtype).collect();
    record(name, &refs, &mut [&mut r], vec![], move |ctx, g| {
        let g = gr(g)?;
        let mut at = 0usize;
        let mut out = Vec::with_capacity(shapes.len());
        for (i, s) in shapes.iter().enumerate() {
            let skipped = s.len() == 1 && s[0] == 0 && g.ndim() != 1;
            let len = if skipped { 0 } else { s[d] };
            if ctx.needs(i) {
                let gi = if skipped {
                    Tensor::zeros(s, dtypes[i], g.device())?
                } else {
                    let l: Layout = g.layout.narrow(d, at, len);
                    g.with_layout(l).to_dtype(dtypes[i], false)?
                };
                out.push(Some(gi));
            } else {
                out.push(None);
            }
            at += len;
        }
        Ok(out)
    });
    Ok(r)
}
