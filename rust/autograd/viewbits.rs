//! The view function of a differentiable view whose values are not a plain restride of its root
//! base: views carrying torch's lazy conjugate / negative bits (`conj()`, `_neg_view`, `.imag` of
//! a conjugate view) and views that change the dtype between complex and real (`view_as_real`,
//! `view_as_complex`, `.real`, `.imag`).
//!
//! A view's logical values are `V(base) = B_v(R(B_b(base)))`: the base's bits `B_b` undone to reach
//! the stored values, the restride `R` through the shared storage (in real units when one side is
//! complex and the other real), then the view's bits `B_v`. Conjugation and negation are real-linear
//! and self-adjoint, so the backward of the view is `V^T(g) = B_b(R^T(B_v(g)))`, and an in-place op
//! through the view gets torch's CopySlices gradient from `V` and `V^T` (see `inplace.rs`).
use super::formulas::{self as f, view_grad};
use crate::dtype::DType;
use crate::element::Pivot;
use crate::error::Result;
use crate::layout::Layout;
use crate::tensor::Tensor;

/// What a view is, relative to its root base, beyond its layout.
#[derive(Clone, Copy, Debug)]
pub struct ViewKind {
    /// The view's dtype (its layout counts elements of this dtype).
    pub dtype: DType,
    /// The view's own lazy bits.
    pub conj: bool,
    pub neg: bool,
    /// The name of the grad_fn a regenerated view gets (torch replays the last view function when
    /// it cannot be expressed as `as_strided`).
    pub name: &'static str,
}

impl ViewKind {
    /// The kind of `r`, a view just made from `parent`.
    pub fn of(parent: &Tensor, r: &Tensor) -> ViewKind {
        let name = if r.dtype != parent.dtype {
            if r.dtype.is_complex() { "ViewAsComplexBackward0" } else { "ViewAsRealBackward0" }
        } else if r.conj != parent.conj {
            "ConjBackward0"
        } else if r.neg != parent.neg {
            "NegViewBackward0"
        } else {
            "AsStridedBackward0"
        };
        ViewKind { dtype: r.dtype, conj: r.conj, neg: r.neg, name }
    }

    /// True when the view is a plain restride of `base` (same dtype, same bits): the classic path.
    pub fn is_plain(&self, base: &Tensor) -> bool {
        self.dtype == base.dtype && self.conj == base.conj && self.neg == base.neg
    }
}

/// How the view relates to the base in storage units.
enum Units {
    /// Same element size: layouts compare directly.
    Same,
    /// The base is complex, the view real parts: compare in real units.
    BaseComplex,
    /// The base is real pairs, the view complex: compare in real units.
    ViewComplex,
}

fn units(base: DType, view: DType) -> Option<Units> {
    if base == view || base.itemsize() == view.itemsize() {
        Some(Units::Same)
    } else if base.is_complex() && base.to_real() == view {
        Some(Units::BaseComplex)
    } else if view.is_complex() && view.to_real() == base {
        Some(Units::ViewComplex)
    } else {
        None
    }
}

/// A complex layout seen in real units (`view_as_real`'s layout).
fn doubled(l: &Layout) -> Layout {
    let mut shape = l.shape.clone();
    shape.push(2);
    let mut strides: Vec<isize> = l.strides.iter().map(|s| s * 2).collect();
    strides.push(1);
    Layout { shape, strides, offset: l.offset * 2 }
}

fn shifted(l: &Layout, lo: isize) -> Layout {
    Layout { shape: l.shape.clone(), strides: l.strides.clone(), offset: (l.offset as isize - lo) as usize }
}

/// Applies the bits (conjugate, negate) to a gradient, differentiably and physically.
fn bits(g: &Tensor, conj: bool, neg: bool) -> Result<Tensor> {
    let mut r = g.clone();
    if conj && r.dtype.is_complex() {
        r = f::conj(&r)?;
    }
    if neg {
        r = f::neg(&r)?;
    }
    Ok(r)
}

/// A gradient with no lazy bits and dense strides (differentiable).
fn dense(g: &Tensor) -> Result<Tensor> {
    if g.is_contiguous() && !g.has_bits() {
        return Ok(g.clone());
    }
    f::clone(g, |x| x.contiguous_copy())
}

/// The map between a base and one of its views, with layouts in common units.
pub struct ViewMap {
    units: Units,
    /// The base's layout and the view's, shifted so the base's lowest element is 0.
    bl: Layout,
    vl: Layout,
    len: usize,
    bconj: bool,
    bneg: bool,
    vconj: bool,
    vneg: bool,
    /// The real dtype used when one side is complex.
    fine: DType,
}

impl ViewMap {
    /// The map of the view `(layout, kind)` of `base`; None for dtype changes it cannot express.
    pub fn new(base: &Tensor, layout: &Layout, kind: &ViewKind) -> Option<ViewMap> {
        let units = units(base.dtype, kind.dtype)?;
        let (bl, vl, fine) = match units {
            Units::Same => (base.layout.clone(), layout.clone(), base.dtype),
            Units::BaseComplex => (doubled(&base.layout), layout.clone(), kind.dtype),
            Units::ViewComplex => (base.layout.clone(), doubled(layout), base.dtype),
        };
        let (lo, hi) = bl.extent();
        let len = (hi - lo).max(0) as usize;
        Some(ViewMap {
            units,
            bl: shifted(&bl, lo),
            vl: shifted(&vl, lo),
            len,
            bconj: base.conj,
            bneg: base.neg,
            vconj: kind.conj,
            vneg: kind.neg,
            fine,
        })
    }

    fn base_complex(&self) -> bool {
        matches!(self.units, Units::BaseComplex)
    }
    fn view_complex(&self) -> bool {
        matches!(self.units, Units::ViewComplex)
    }

    /// A gradient in real units when `complex_side` is the complex side of a dtype change.
    fn fine_of(g: &Tensor, complex_side: bool) -> Result<Tensor> {
        if !complex_side {
            return Ok(g.clone());
        }
        crate::ops::complex::view_as_real(&dense(g)?)
    }

    fn coarse_of(g: &Tensor, complex_side: bool) -> Result<Tensor> {
        if !complex_side {
            return Ok(g.clone());
        }
        crate::ops::complex::view_as_complex(&dense(g)?)
    }

    /// `V(g)`: a gradient of the base taken to the view (shaped like the view).
    pub fn forward(&self, g: &Tensor) -> Result<Tensor> {
        let t = bits(g, self.bconj, self.bneg)?;
        let t = Self::fine_of(&t, self.base_complex())?;
        let t = view_grad(&t, &self.bl, &self.vl, self.len)?;
        let t = Self::coarse_of(&t, self.view_complex())?;
        bits(&t, self.vconj, self.vneg)
    }

    /// `V^T(g)`: a gradient of the view taken back to the base (zero outside the view).
    pub fn backward(&self, g: &Tensor) -> Result<Tensor> {
        let t = bits(g, self.vconj, self.vneg)?;
        let t = Self::fine_of(&t, self.view_complex())?;
        let t = view_grad(&t, &self.vl, &self.bl, self.len)?;
        let t = Self::coarse_of(&t, self.base_complex())?;
        bits(&t, self.bconj, self.bneg)
    }

    /// `g` with the elements the view covers set to zero.
    pub fn outside(&self, g: &Tensor) -> Result<Tensor> {
        let ones = Tensor::full(&self.vl.shape, Pivot::I(1), self.fine, g.device())?;
        let keep = f::rsub_scalar(&view_grad(&ones, &self.vl, &self.bl, self.len)?, 1.0)?;
        let gf = Self::fine_of(g, self.base_complex())?;
        Self::coarse_of(&f::mul(&gf, &keep)?, self.base_complex())
    }
}

/// One view function in the chain from a root base to a view, as torch replays it when it
/// regenerates the view's grad_fn after an in-place op: the functions that are not restrides
/// (conj, _neg_view, view_as_real/complex) replay as themselves, and every restride after the
/// first of them as its own `as_strided` (restrides before it merge into one).
#[derive(Clone, Debug)]
pub enum Step {
    /// `as_strided` to this layout (in the units of the tensor it applies to).
    Strided(Layout),
    Conj,
    Neg,
    AsReal,
    AsComplex,
}

/// The chain of `r`, a view just made from `parent` (whose own chain is `parent_steps`).
pub fn steps_of(parent_steps: Option<&[Step]>, parent: &Tensor, r: &Tensor) -> Vec<Step> {
    let step = if r.dtype != parent.dtype {
        if r.dtype.is_complex() { Step::AsComplex } else { Step::AsReal }
    } else if r.conj != parent.conj {
        Step::Conj
    } else if r.neg != parent.neg {
        Step::Neg
    } else {
        Step::Strided(r.layout.clone())
    };
    let mut v: Vec<Step> = parent_steps.map(|p| p.to_vec()).unwrap_or_default();
    if matches!(step, Step::Strided(_)) && v.iter().all(|s| matches!(s, Step::Strided(_))) {
        v.clear();
    }
    v.push(step);
    v
}

/// True when the chain is one restride (the view's grad_fn is a single `AsStridedBackward0`).
pub fn is_strided_only(steps: &[Step]) -> bool {
    steps.iter().all(|s| matches!(s, Step::Strided(_)))
}

/// Replays `steps` on `base` under grad mode: the regenerated grad_fn of the view they make.
pub fn replay(base: &Tensor, steps: &[Step]) -> Option<(std::sync::Arc<super::Node>, usize)> {
    use crate::ops::complex as cx;
    let _mode = super::GradModeGuard::new(true);
    let mut cur = base.clone();
    for s in steps {
        let next = match s {
            Step::Strided(l) => {
                let r = Tensor::from_storage(cur.storage.clone(), l.clone(), cur.dtype).with_bits(cur.conj, cur.neg);
                Ok(f::storage_view_raw(&cur, r))
            }
            Step::Conj => cx::conj_view(&cur, "ConjBackward0"),
            Step::Neg => cx::neg_view(&cur),
            Step::AsReal => cx::view_as_real_raw(&cur),
            Step::AsComplex => cx::view_as_complex(&cur),
        };
        cur = next.ok()?;
    }
    cur.ag.as_ref().and_then(|m| m.grad_fn_unregenerated())
}
