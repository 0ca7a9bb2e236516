//! In-place ops on views under autograd (torch's DifferentiableViewMeta + CopySlices).
//!
//! A view of a tensor that autograd tracks remembers its root base and its own layout. When an
//! in-place op writes through the view, the base's history is rebased onto a `CopySlices` node:
//! its backward routes the slice of the incoming gradient that the view covers through the
//! in-place op's node and passes the rest of the gradient to the base's previous history. The
//! view's own grad_fn is then regenerated as an `AsStridedBackward0` of the base, and every
//! other view of the base regenerates lazily when the storage's version moved since its grad_fn
//! was set (see [`ViewMeta::regenerate`]).
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::formulas::{add, gr, mul, rsub_scalar, sum_to, view_grad};
use super::node::TensorMeta;
use super::viewbits::{Step, ViewKind, ViewMap, is_strided_only, replay, steps_of};
use super::{AutogradMeta, Node, check_inplace, inplace_with_grad, is_grad_enabled, record, should_record};
use crate::bail;
use crate::element::Pivot;
use crate::error::Result;
use crate::layout::Layout;
use crate::tensor::Tensor;

const NO_GRAD_VIEW: &str = "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked).";

/// What a view knows about its base.
pub struct ViewMeta {
    /// The root base (views of views point at the first tensor), with its autograd meta.
    pub base: Tensor,
    /// This view's layout in the shared storage.
    pub layout: Layout,
    /// Created in no_grad mode (torch's CreationMeta::NO_GRAD_MODE): in-place ops under grad mode are refused.
    pub no_grad: bool,
    /// The storage version when this view's grad_fn was last set.
    attr_version: AtomicU64,
    /// An output (or a view of an output) of a function returning several views (unbind, split):
    /// torch's CreationMeta::MULTI_OUTPUT_NODE, which forbids in-place ops under autograd.
    pub multi: bool,
    /// The view's dtype, lazy bits and replay name (views that are not plain restrides).
    pub kind: ViewKind,
    /// The view functions from the root base to this view, for regenerating its grad_fn.
    pub steps: Vec<Step>,
}

impl ViewMeta {
    /// A fresh `AsStridedBackward0` of the base when the storage was modified in place since this
    /// view's grad_fn was set (and the base now has history to regenerate from).
    pub fn regenerate(&self) -> Option<(Arc<Node>, usize)> {
        if self.no_grad {
            return None;
        }
        let now = self.base.storage.version();
        if now == self.attr_version.load(Ordering::Relaxed) || !self.base.requires_grad() {
            return None;
        }
        self.attr_version.store(now, Ordering::Relaxed);
        view_fn_node(&self.base, &self.layout, &self.steps)
    }
}

fn view_meta(t: &Tensor) -> Option<&ViewMeta> {
    t.ag.as_ref().and_then(|m| m.view.as_deref())
}

/// The root base of `a` and whether `a` was itself created in no_grad mode.
fn root_of(a: &Tensor) -> (Tensor, bool) {
    match view_meta(a) {
        Some(v) => (v.base.clone(), v.no_grad),
        None => (a.clone(), false),
    }
}

/// The chain of `r`, a view just made from `a`.
fn chain_of(a: &Tensor, r: &Tensor) -> Vec<Step> {
    steps_of(view_meta(a).map(|v| v.steps.as_slice()), a, r)
}

fn is_multi(a: &Tensor) -> bool {
    view_meta(a).is_some_and(|v| v.multi)
}

/// Marks `r` (an output of a multi-view function of `a`, carrying a fresh meta) as a view of `a`'s
/// root with CreationMeta::MULTI_OUTPUT_NODE; `recorded` is false when no graph was recorded.
pub fn mark_multi_view(a: &Tensor, mut r: Tensor, recorded: bool) -> Tensor {
    let (base, inherited) = root_of(a);
    let version = r.storage.version();
    let layout = r.layout.clone();
    let no_grad = inherited || !recorded;
    let kind = ViewKind::of(a, &r);
    let steps = chain_of(a, &r);
    if let Some(m) = r.ag.as_mut().and_then(Arc::get_mut) {
        m.view = Some(Box::new(ViewMeta { base, layout, no_grad, attr_version: AtomicU64::new(version), multi: true, kind, steps }));
    }
    r
}

/// torch's error for an in-place op under autograd on an output of a multi-view function.
pub fn check_multi_view(t: &Tensor) -> Result<()> {
    if !is_multi(t) || !is_grad_enabled() {
        return Ok(());
    }
    let tail = "This view is the output of a function that returns multiple views. Such functions do not allow the output views to be modified inplace. You should replace the inplace operation by an out-of-place one.";
    match t.grad_fn() {
        Some((node, nr)) => {
            let name = node.name.as_ref();
            let short = name.trim_end_matches(|c: char| c.is_ascii_digit());
            let short = short.strip_suffix("Backward").unwrap_or(name);
            bail!(runtime, "Output {nr} of {short} is a view and is being modified inplace. {tail}")
        }
        None => bail!(runtime, "A view was created in no_grad mode and is being modified inplace with grad mode enabled. {tail}"),
    }
}

/// Marks `r` (just recorded as a view of `a`, so it owns a fresh meta) as a differentiable view.
pub fn mark_view(a: &Tensor, mut r: Tensor) -> Tensor {
    let (base, no_grad) = root_of(a);
    let version = r.storage.version();
    let layout = r.layout.clone();
    let kind = ViewKind::of(a, &r);
    let steps = chain_of(a, &r);
    if let Some(m) = r.ag.as_mut().and_then(Arc::get_mut) {
        let multi = is_multi(a);
        m.view = Some(Box::new(ViewMeta { base, layout, no_grad, attr_version: AtomicU64::new(version), multi, kind, steps }));
    }
    r
}

/// Tracks an unrecorded view `r` of `a` (which carries a meta): a view made in no_grad mode, or a
/// view of a tensor that does not require grad yet (an in-place write of a tensor that requires
/// grad into the view gives the base a CopySlices history, as in torch).
pub fn track_view(a: &Tensor, mut r: Tensor) -> Tensor {
    if super::is_inference_mode_enabled() {
        return r;
    }
    let (base, inherited) = root_of(a);
    let no_grad = inherited || !is_grad_enabled();
    let mut m = AutogradMeta::leaf(false);
    m.view = Some(Box::new(ViewMeta {
        base,
        layout: r.layout.clone(),
        no_grad,
        attr_version: AtomicU64::new(r.storage.version()),
        multi: is_multi(a),
        kind: ViewKind::of(a, &r),
        steps: chain_of(a, &r),
    }));
    r.ag = Some(Arc::new(m));
    r
}

/// torch's checks for an in-place op on a view under grad mode.
pub fn check_view_inplace(t: &Tensor) -> Result<()> {
    if let Some(v) = view_meta(t) {
        if v.no_grad && v.base.requires_grad() {
            bail!(runtime, "{NO_GRAD_VIEW}");
        }
        if !v.no_grad && v.base.requires_grad() && v.base.is_leaf() {
            bail!(runtime, "a view of a leaf Variable that requires grad is being used in an in-place operation.");
        }
    }
    Ok(())
}

/// The grad_fn of the view with `layout` and chain `steps` of `base`, regenerated from the base's
/// history: `AsStridedBackward0` for plain restrides, else the chain replayed as torch does.
fn view_fn_node(base: &Tensor, layout: &Layout, steps: &[Step]) -> Option<(Arc<Node>, usize)> {
    if is_strided_only(steps) {
        return as_strided_node(base, layout);
    }
    replay(base, steps).or_else(|| as_strided_node(base, layout))
}

/// An `AsStridedBackward0` node taking `base` to the view with `layout`.
fn as_strided_node(base: &Tensor, layout: &Layout) -> Option<(Arc<Node>, usize)> {
    let r = Tensor::from_storage(base.storage.clone(), layout.clone(), base.dtype);
    super::formulas::storage_view_raw(base, r).grad_fn_raw()
}

impl Tensor {
    /// The grad_fn without view regeneration.
    fn grad_fn_raw(&self) -> Option<(Arc<Node>, usize)> {
        self.ag.as_ref().and_then(|m| super::lock(&m.grad_fn).clone())
    }
}

/// Moves `t`'s history to `node` after an in-place op: a view rebases its base onto CopySlices.
pub fn rebase_history(t: &mut Tensor, node: Arc<Node>, nr: usize) {
    let v = view_meta(t).filter(|v| !v.no_grad && v.base.ag.is_some()).map(|v| (v.base.clone(), v.layout.clone(), v.kind, v.steps.clone()));
    let Some((base, layout, kind, steps)) = v else {
        t.meta().set_grad_fn(Some((node, nr)));
        return;
    };
    let cs = match (kind.is_plain(&base), ViewMap::new(&base, &layout, &kind)) {
        (false, Some(map)) => copy_slices_mapped(&base, map, node),
        _ => copy_slices(&base, &layout, node),
    };
    if let Some(bm) = &base.ag {
        bm.set_grad_fn(Some((cs, 0)));
    }
    if let Some(m) = &t.ag {
        if let Some(v) = &m.view {
            v.attr_version.store(t.storage.version(), Ordering::Relaxed);
        }
        m.set_grad_fn(view_fn_node(&base, &layout, &steps));
    }
}

/// The layout shifted so that the lowest element `base` reaches is at offset 0.
fn shifted(l: &Layout, lo: isize) -> Layout {
    Layout { shape: l.shape.clone(), strides: l.strides.clone(), offset: (l.offset as isize - lo) as usize }
}

/// A CopySlices node over `base` wrapping `op` (whose first input was the view): the base's edge
/// and metadata take the place of the op's first input, and `f` computes the base's gradient.
fn copy_slices_node(base: &Tensor, op: Arc<Node>, f: Box<super::node::BackwardFn>) -> Arc<Node> {
    let mut next = vec![if base.requires_grad() { base.gradient_edge() } else { None }];
    next.extend(op.next.iter().skip(1).cloned());
    let mut inputs = vec![TensorMeta::of(base)];
    inputs.extend(op.inputs.iter().skip(1).cloned());
    Node::from_edges("torch::autograd::CopySlices".into(), next, inputs, vec![TensorMeta::of(base)], f, Some(op))
}

/// CopySlices(base's old history, op): the gradient of the base after `view.op_(...)`.
fn copy_slices(base: &Tensor, view: &Layout, op: Arc<Node>) -> Arc<Node> {
    let (lo, hi) = base.layout.extent();
    let len = (hi - lo).max(0) as usize;
    let (bl, vl) = (shifted(&base.layout, lo), shifted(view, lo));
    let inner = op.clone();
    copy_slices_node(
        base,
        op,
        Box::new(move |_: &super::Ctx<'_>, grads: &[Option<Tensor>]| -> Result<Vec<Option<Tensor>>> {
            // grad_base = g outside the view's slice, and the op's gradient for its input inside it.
            // Written with differentiable restrides so create_graph works through it.
            let g = gr(grads)?;
            let gs = view_grad(g, &bl, &vl, len)?;
            let res = inner.apply(&[Some(gs.contiguous()?)])?;
            let ones = Tensor::full(&vl.shape, Pivot::I(1), g.dtype, g.device())?;
            let keep = rsub_scalar(&view_grad(&ones, &vl, &bl, len)?, 1.0)?;
            let mut gb = mul(g, &keep)?;
            if let Some(Some(r0)) = res.first() {
                gb = add(&gb, &view_grad(r0, &vl, &bl, len)?)?;
            }
            let mut out = vec![Some(gb)];
            out.extend(res.into_iter().skip(1));
            Ok(out)
        }),
    )
}

/// [`copy_slices`] for a view that is not a plain restride of its base (lazy bits, complex/real
/// dtype change): the view function and its adjoint come from `map`.
fn copy_slices_mapped(base: &Tensor, map: ViewMap, op: Arc<Node>) -> Arc<Node> {
    let inner = op.clone();
    copy_slices_node(
        base,
        op,
        Box::new(move |_: &super::Ctx<'_>, grads: &[Option<Tensor>]| -> Result<Vec<Option<Tensor>>> {
            let g = gr(grads)?;
            let gs = map.forward(g)?;
            let res = inner.apply(&[Some(gs.contiguous()?)])?;
            let mut gb = map.outside(g)?;
            if let Some(Some(r0)) = res.first() {
                gb = add(&gb, &map.backward(r0)?)?;
            }
            let mut out = vec![Some(gb)];
            out.extend(res.into_iter().skip(1));
            Ok(out)
        }),
    )
}

// ----- in-place ops with autograd -----

fn zeros_of(g: &Tensor) -> Result<Tensor> {
    Tensor::zeros(g.shape(), g.dtype, g.device())
}

/// The gradient `g` of a value broadcast from `like`: summed back and cast to `like`'s dtype.
fn grad_for(g: &Tensor, like_shape: &[usize], like_dt: crate::dtype::DType) -> Result<Tensor> {
    let s = sum_to(g, like_shape)?;
    if s.dtype == like_dt {
        return Ok(s);
    }
    let s = if s.dtype.is_complex() && !like_dt.is_complex() { crate::ops::ternary::real(&s)? } else { s };
    s.to_dtype(like_dt, false)
}

/// `t.copy_(src)` (src broadcast to t and cast to t's dtype) with autograd (CopyBackwards).
pub fn copy_(t: &mut Tensor, src: &Tensor) -> Result<()> {
    if !should_record(&[&*t, src]) {
        check_inplace(t)?;
        return t.copy_(src);
    }
    let src = src.clone();
    inplace_with_grad(t, move |snap| {
        let mut r = snap.detached().clone_tensor()?;
        r.copy_(&src.detached())?;
        let (sshape, sdt) = (src.shape().to_vec(), src.dtype);
        record("CopyBackwards", &[snap, &src], &mut [&mut r], vec![], move |ctx, g| {
            let g = gr(g)?;
            let gs = if ctx.needs(0) { Some(zeros_of(g)?) } else { None };
            let gv = if ctx.needs(1) { Some(grad_for(g, &sshape, sdt)?) } else { None };
            Ok(vec![gs, gv])
        });
        Ok(r)
    })
}

/// `t.fill_(value)` (`FillBackward2`) or `t.zero_()` (`ZeroBackward0`) with autograd.
pub fn fill_(t: &mut Tensor, value: Pivot, zero: bool) -> Result<()> {
    if !should_record(&[&*t]) {
        check_inplace(t)?;
        return t.fill_(value);
    }
    let name = if zero { "ZeroBackward0" } else { "FillBackward2" };
    inplace_with_grad(t, move |snap| {
        let mut r = Tensor::full(snap.shape(), value, snap.dtype, snap.device())?;
        record(name, &[snap], &mut [&mut r], vec![], |_, g| Ok(vec![Some(zeros_of(gr(g)?)?)]));
        Ok(r)
    })
}

/// `t.fill_(value)` with a 0-dim tensor value (`FillBackward3`: the value gets the summed gradient).
pub fn fill_tensor_(t: &mut Tensor, value: &Tensor) -> Result<()> {
    if value.ndim() != 0 {
        bail!(runtime, "fill_ only supports 0-dimension value tensor but got tensor with {} dimensions.", value.ndim());
    }
    if !should_record(&[&*t, value]) {
        check_inplace(t)?;
        return t.fill_(value.item()?);
    }
    let value = value.clone();
    inplace_with_grad(t, move |snap| {
        let mut r = Tensor::full(snap.shape(), value.item()?, snap.dtype, snap.device())?;
        let vdt = value.dtype;
        record("FillBackward3", &[snap, &value], &mut [&mut r], vec![], move |ctx, g| {
            let g = gr(g)?;
            let gs = if ctx.needs(0) { Some(zeros_of(g)?) } else { None };
            let gv = if ctx.needs(1) { Some(grad_for(g, &[], vdt)?) } else { None };
            Ok(vec![gs, gv])
        });
        Ok(r)
    })
}

/// `t.masked_fill_(mask, value)` with autograd (MaskedFillBackward0/1).
pub fn masked_fill_(t: &mut Tensor, mask: &Tensor, value: crate::ops::binary::Arg) -> Result<()> {
    use crate::ops::binary::Arg;
    let rec = match &value {
        Arg::T(v) => should_record(&[&*t, *v]),
        Arg::S(_) => should_record(&[&*t]),
    };
    let same_shape = crate::layout::broadcast_shapes(t.shape(), mask.shape()).is_ok_and(|s| s.as_slice() == t.shape());
    if !rec || !same_shape || mask.dtype != crate::dtype::DType::Bool {
        check_inplace(t)?;
        return crate::ops::ternary::masked_fill_(t, mask, value);
    }
    if let Arg::T(v) = &value {
        if v.ndim() != 0 {
            bail!(runtime, "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {} dimension(s).", v.ndim());
        }
    }
    let mask = mask.clone();
    inplace_with_grad(t, move |snap| super::act::masked_fill(snap, &mask, value))
}

/// `t.index_put_(indices, values, accumulate)` with autograd (IndexPutBackward0).
pub fn index_put_(t: &mut Tensor, indices: &[Option<Tensor>], values: &Tensor, accumulate: bool) -> Result<()> {
    use crate::ops::index as oi;
    if !should_record(&[&*t, values]) {
        check_inplace(t)?;
        return oi::index_put_(t, indices, values, accumulate);
    }
    // Validate on a scratch copy first so a bad index leaves `t` (and its history) untouched.
    let ix: Vec<Option<Tensor>> = indices.iter().map(|o| o.as_ref().map(|i| i.detached())).collect();
    check_inplace(t)?;
    let values = values.clone();
    inplace_with_grad(t, move |snap| {
        let mut r = snap.detached().clone_tensor()?;
        oi::index_put_(&r, &ix, &values.detached(), accumulate)?;
        let (vshape, vdt) = (values.shape().to_vec(), values.dtype);
        let ix2 = ix.clone();
        record("IndexPutBackward0", &[snap, &values], &mut [&mut r], vec![], move |ctx, g| {
            let g = gr(g)?;
            let gs = if !ctx.needs(0) {
                None
            } else if accumulate {
                Some(g.clone())
            } else {
                let c = g.detached().clone_tensor()?;
                oi::index_put_(&c, &ix2, &Tensor::zeros(&[], g.dtype, g.device())?, false)?;
                Some(c)
            };
            let gv = if ctx.needs(1) { Some(grad_for(&oi::index(&g.detached(), &ix2)?, &vshape, vdt)?) } else { None };
            Ok(vec![gs, gv])
        });
        Ok(r)
    })
}
