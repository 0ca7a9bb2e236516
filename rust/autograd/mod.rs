//! Reverse-mode automatic differentiation. The graph lives here, in Rust: every differentiable op
//! records a [`Node`] when one of its inputs requires grad, and [`engine`] walks the graph
//! iteratively (no recursion, so very deep graphs cannot overflow the stack).
//!
//! Ownership: a tensor's meta owns its `grad_fn`; a node owns the nodes of its inputs (`next`).
//! Leaves hand out one `AccumulateGrad` node that refers back to them weakly, and outputs that a
//! node saves are kept without their meta, so the graph has no reference cycles.
pub mod act;
pub mod engine;
pub mod formulas;
pub mod conv;
pub mod node;
pub mod pick;
pub mod inplace;
pub mod reduce;
pub mod ternary;
pub mod special;
pub mod nnfn;
pub mod gaps;
pub mod viewbits;
pub mod double;
pub mod products;

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::bail;
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;

pub use node::{Ctx, Edge, Hook, Node, SavedTensor};

thread_local! {
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
    static INFERENCE_MODE: Cell<bool> = const { Cell::new(false) };
}

/// Whether ops record the graph on this thread (`torch.is_grad_enabled()`).
#[inline]
pub fn is_grad_enabled() -> bool {
    GRAD_ENABLED.with(|g| g.get())
}

/// Sets grad mode for this thread and returns the previous mode.
pub fn set_grad_enabled(on: bool) -> bool {
    GRAD_ENABLED.with(|g| g.replace(on))
}

pub fn is_inference_mode_enabled() -> bool {
    INFERENCE_MODE.with(|g| g.get())
}

pub fn set_inference_mode(on: bool) -> bool {
    INFERENCE_MODE.with(|g| g.replace(on))
}

/// Restores the previous grad mode when dropped (also on early return through `?`).
pub struct GradModeGuard(bool);

impl GradModeGuard {
    pub fn new(on: bool) -> GradModeGuard {
        GradModeGuard(set_grad_enabled(on))
    }
}

impl Drop for GradModeGuard {
    fn drop(&mut self) {
        set_grad_enabled(self.0);
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

static NEXT_HOOK_ID: AtomicU64 = AtomicU64::new(0);

pub fn next_hook_id() -> u64 {
    NEXT_HOOK_ID.fetch_add(1, Ordering::Relaxed)
}

/// Per-tensor autograd state. Plain tensors carry none (`Tensor::ag` is None).
#[derive(Default)]
pub struct AutogradMeta {
    /// The user's flag for leaves; always true for tensors with a `grad_fn`.
    requires_grad: AtomicBool,
    pub grad: Mutex<Option<Tensor>>,
    grad_fn: Mutex<Option<(Arc<Node>, usize)>>,
    /// A leaf's AccumulateGrad node, shared by every graph that uses the leaf. Held strongly (the
    /// node refers back to this meta weakly, so there is no cycle): building a fresh node for every
    /// graph was a third of the cost of recording a small op.
    accumulator: Mutex<Option<Arc<Node>>>,
    /// Hooks of a leaf (non-leaf hooks live on their grad_fn).
    pub hooks: Mutex<Vec<Hook>>,
    /// `register_post_accumulate_grad_hook`: run after AccumulateGrad has updated `.grad` (the
    /// hook's argument is ignored; the binding's closure holds the tensor it was registered on).
    pub post_acc_hooks: Mutex<Vec<Hook>>,
    pub retains_grad: AtomicBool,
    /// Set when this tensor is a view of another tensor that autograd tracks (torch's
    /// DifferentiableViewMeta): in-place ops on it rebase its base's history (CopySlices).
    pub view: Option<Box<inplace::ViewMeta>>,
}

impl AutogradMeta {
    pub fn leaf(requires_grad: bool) -> AutogradMeta {
        AutogradMeta { requires_grad: AtomicBool::new(requires_grad), ..Default::default() }
    }

    pub fn with_grad_fn(node: Arc<Node>, output_nr: usize) -> AutogradMeta {
        AutogradMeta {
            requires_grad: AtomicBool::new(true),
            grad_fn: Mutex::new(Some((node, output_nr))),
            ..Default::default()
        }
    }

    pub fn requires_grad(&self) -> bool {
        self.requires_grad.load(Ordering::Relaxed) || lock(&self.grad_fn).is_some()
    }

    pub fn set_requires_grad(&self, on: bool) {
        self.requires_grad.store(on, Ordering::Relaxed)
    }

    pub fn grad_fn(&self) -> Option<(Arc<Node>, usize)> {
        if let Some(v) = &self.view {
            // The base (or another view of it) was modified in place since this view's grad_fn was
            // set: regenerate it from the base's current history, as torch does lazily.
            if let Some(f) = v.regenerate() {
                *lock(&self.grad_fn) = Some(f.clone());
                return Some(f);
            }
        }
        lock(&self.grad_fn).clone()
    }

    /// The grad_fn as set, without regenerating a view's.
    pub fn grad_fn_unregenerated(&self) -> Option<(Arc<Node>, usize)> {
        lock(&self.grad_fn).clone()
    }

    /// Moves the grad_fn out (used by the iterative teardown of long graphs).
    pub fn take_grad_fn(self) -> Option<(Arc<Node>, usize)> {
        self.grad_fn.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets the cached AccumulateGrad node (the leaf's data was replaced, e.g. `x.data = y`).
    pub fn reset_accumulator(&self) {
        *lock(&self.accumulator) = None;
    }

    pub fn set_grad_fn(&self, f: Option<(Arc<Node>, usize)>) {
        *lock(&self.grad_fn) = f;
    }

    pub fn grad(&self) -> Option<Tensor> {
        lock(&self.grad).clone()
    }

    pub fn set_grad(&self, g: Option<Tensor>) {
        *lock(&self.grad) = g;
    }
}

impl Tensor {
    /// True when this tensor is tracked by autograd (a leaf asking for grad, or an op's output).
    #[inline]
    pub fn requires_grad(&self) -> bool {
        match &self.ag {
            None => false,
            Some(m) => m.requires_grad(),
        }
    }

    pub fn grad_fn(&self) -> Option<(Arc<Node>, usize)> {
        self.ag.as_ref().and_then(|m| m.grad_fn())
    }

    pub fn is_leaf(&self) -> bool {
        self.grad_fn().is_none()
    }

    /// This tensor's data without autograd state (shares storage, like `detach()`).
    pub fn detached(&self) -> Tensor {
        let mut t = self.clone();
        t.ag = None;
        t
    }

    /// The meta, created on first use (for `requires_grad_`, `.grad =`, hooks).
    pub fn meta(&mut self) -> Arc<AutogradMeta> {
        self.ag.get_or_insert_with(|| Arc::new(AutogradMeta::leaf(false))).clone()
    }

    /// `requires_grad_(on)`: only leaves of floating or complex dtype may ask for grad.
    pub fn set_requires_grad(&mut self, on: bool) -> Result<()> {
        if !self.is_leaf() {
            if on {
                return Ok(());
            }
            bail!(
                runtime,
                "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
            );
        }
        if on {
            check_differentiable_dtype(self.dtype)?;
        }
        if !on && self.ag.is_none() {
            return Ok(());
        }
        self.meta().set_requires_grad(on);
        Ok(())
    }

    /// The edge that gradients for this tensor flow into: its grad_fn, or its leaf accumulator.
    pub fn gradient_edge(&self) -> Option<Edge> {
        let m = self.ag.as_ref()?;
        if let Some((node, nr)) = m.grad_fn() {
            return Some(Edge { node, input_nr: nr });
        }
        if !m.requires_grad() {
            return None;
        }
        let mut acc = lock(&m.accumulator);
        if let Some(n) = acc.as_ref() {
            return Some(Edge { node: n.clone(), input_nr: 0 });
        }
        let n = Node::accumulate(Arc::downgrade(m), self);
        *acc = Some(n.clone());
        Some(Edge { node: n, input_nr: 0 })
    }
}

pub fn check_differentiable_dtype(dt: DType) -> Result<()> {
    if !(dt.is_floating_point() || dt.is_complex()) {
        bail!(runtime, "only Tensors of floating point and complex dtype can require gradients");
    }
    Ok(())
}

/// True when an op over `inputs` must record a node (grad mode on and some input requires grad).
/// This is the only autograd cost on the plain path: a few pointer checks.
#[inline]
pub fn should_record(inputs: &[&Tensor]) -> bool {
    inputs.iter().any(|t| t.ag.is_some()) && is_grad_enabled() && inputs.iter().any(|t| t.requires_grad())
}

/// Records `outputs = op(inputs)`: builds a node with `backward` and attaches it to the outputs.
/// `backward(ctx, grads)` gets one gradient per output and returns one per input (None where the
/// input needs none; `ctx.needs(i)` tells which are wanted).
pub fn record<F>(name: impl Into<std::borrow::Cow<'static, str>>, inputs: &[&Tensor], outputs: &mut [&mut Tensor], saved: Vec<SavedTensor>, backward: F)
where
    F: Fn(&Ctx<'_>, &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> + Send + Sync + 'static,
{
    let metas = outputs.iter().map(|o| node::TensorMeta::of(o)).collect();
    let node = Node::new(name.into(), inputs, metas, saved, Box::new(backward));
    for (nr, o) in outputs.iter_mut().enumerate() {
        o.ag = Some(Arc::new(AutogradMeta::with_grad_fn(node.clone(), nr)));
    }
}

/// [`record`] for an op with a Python scalar operand that torch wraps as a 0-dim tensor: the
/// node has one more input, with no edge, last (`x + 2`, `x * 2`) or, with `first`, before the
/// tensor (`torch.sub(2, x)`), as torch's does.
pub fn record_scalar_operand<F>(
    name: &'static str,
    inputs: &[&Tensor],
    outputs: &mut [&mut Tensor],
    saved: Vec<SavedTensor>,
    backward: F,
    first: bool,
) where
    F: Fn(&Ctx<'_>, &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> + Send + Sync + 'static,
{
    let metas = outputs.iter().map(|o| node::TensorMeta::of(o)).collect();
    let f = move |ctx: &Ctx<'_>, g: &[Option<Tensor>]| -> Result<Vec<Option<Tensor>>> {
        let mut v = backward(ctx, g)?;
        if first {
            v.insert(0, None);
        } else {
            v.push(None);
        }
        Ok(v)
    };
    let edge = if first { node::ScalarEdge::First } else { node::ScalarEdge::Last };
    let node = Node::build(name.into(), inputs, edge, metas, saved, Box::new(f));
    for (nr, o) in outputs.iter_mut().enumerate() {
        o.ag = Some(Arc::new(AutogradMeta::with_grad_fn(node.clone(), nr)));
    }
}

/// Checks that an in-place op may modify `t` with grad mode on.
pub fn check_inplace(t: &Tensor) -> Result<()> {
    if is_grad_enabled() {
        inplace::check_view_inplace(t)?;
    }
    if is_grad_enabled() && t.requires_grad() && t.is_leaf() {
        bail!(runtime, "a leaf Variable that requires grad is being used in an in-place operation.");
    }
    Ok(())
}

/// Runs an in-place op `t.op_(...)` under autograd: the op is computed out of place on a snapshot
/// of `t` that carries `t`'s history (so saved values are the pre-update ones), the result is
/// written into `t`'s storage, and `t`'s history moves to the new node.
pub fn inplace_with_grad(t: &mut Tensor, f: impl FnOnce(&Tensor) -> Result<Tensor>) -> Result<()> {
    inplace::check_multi_view(t)?;
    check_inplace(t)?;
    let mut snapshot = t.detached().clone_tensor()?;
    snapshot.ag = t.ag.as_ref().map(|m| {
        Arc::new(match m.grad_fn() {
            Some((n, nr)) => AutogradMeta::with_grad_fn(n, nr),
            None => AutogradMeta::leaf(m.requires_grad()),
        })
    });
    let r = f(&snapshot)?;
    t.detached().copy_(&r.detached())?;
    if let Some((node, nr)) = r.grad_fn() {
        inplace::rebase_history(t, node, nr);
    }
    Ok(())
}
