//! Graph nodes, edges and saved tensors.
use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use smallvec::SmallVec;

use super::{AutogradMeta, lock};
use crate::bail;
use crate::device::Device;
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;

/// Where a gradient goes: input slot `input_nr` of `node`.
#[derive(Clone)]
pub struct Edge {
    pub node: Arc<Node>,
    pub input_nr: usize,
}

/// Shape, dtype and device of a tensor at a node's boundary (for validation and zero-filling).
#[derive(Clone, Debug)]
pub struct TensorMeta {
    pub shape: SmallVec<[usize; 4]>,
    pub dtype: DType,
    pub device: Device,
}

impl TensorMeta {
    pub fn of(t: &Tensor) -> TensorMeta {
        TensorMeta { shape: SmallVec::from_slice(t.shape()), dtype: t.dtype, device: t.device() }
    }
}

pub type HookFn = dyn Fn(&Tensor) -> Result<Option<Tensor>> + Send + Sync;

/// A tensor hook: sees (and may replace) the gradient for output `output_nr` of a node.
#[derive(Clone)]
pub struct Hook {
    pub id: u64,
    pub output_nr: usize,
    pub f: Arc<HookFn>,
}

pub type BackwardFn = dyn Fn(&Ctx<'_>, &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> + Send + Sync;

pub enum Kind {
    Function(Box<BackwardFn>),
    /// Accumulates into a leaf's `.grad`.
    Accumulate(Weak<AutogradMeta>),
}

/// A tensor a node keeps for its backward, checked against in-place modification on use.
pub struct SavedTensor {
    data: Tensor,
    version: u64,
    /// For outputs of the node itself: rebuilt with a weak link back to the node on unpack.
    output_nr: Option<usize>,
}

impl SavedTensor {
    /// Saves an input (keeps its autograd identity, so double backward reaches its history).
    pub fn input(t: &Tensor) -> SavedTensor {
        SavedTensor { data: t.clone(), version: t.storage.version(), output_nr: None }
    }

    /// Saves output `nr` of the node being recorded (without its meta, to avoid a cycle).
    pub fn output(t: &Tensor, nr: usize) -> SavedTensor {
        SavedTensor { data: t.detached(), version: t.storage.version(), output_nr: Some(nr) }
    }
}

static NEXT_SEQ: AtomicU64 = AtomicU64::new(0);

/// Where a node keeps the empty edge of a Python scalar operand, which torch wraps as a 0-dim
/// tensor: none, after the tensor inputs (`x + 2`), or before them (`torch.sub(2, x)`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ScalarEdge {
    No,
    Last,
    First,
}

pub struct Node {
    pub name: Cow<'static, str>,
    /// Creation order: the engine runs later nodes first.
    pub seq: u64,
    pub next: SmallVec<[Option<Edge>; 2]>,
    pub inputs: SmallVec<[TensorMeta; 2]>,
    pub outputs: SmallVec<[TensorMeta; 1]>,
    pub kind: Kind,
    saved: Mutex<Option<Vec<SavedTensor>>>,
    had_saved: bool,
    pub pre_hooks: Mutex<Vec<Hook>>,
    /// Non-leaf tensors that called `retain_grad()`: (output_nr, meta).
    pub retained: Mutex<Vec<(usize, Weak<AutogradMeta>)>>,
    self_weak: Weak<Node>,
    /// AccumulateGrad: the leaf's data (for `grad_fn.variable`).
    leaf: Option<Tensor>,
    /// CopySlices: the in-place op's node it runs (its saved tensors are freed with this node's).
    inner: Option<Arc<Node>>,
}

/// What a backward function can ask about its node.
pub struct Ctx<'a> {
    pub node: &'a Node,
}

impl Ctx<'_> {
    /// Whether input `i` wants a gradient.
    #[inline]
    pub fn needs(&self, i: usize) -> bool {
        self.node.next.get(i).is_some_and(|e| e.is_some())
    }

    /// Saved tensor `i`, or torch's error when it was freed or modified in place since.
    pub fn saved(&self, i: usize) -> Result<Tensor> {
        let g = lock(&self.node.saved);
        let Some(v) = g.as_ref() else {
            bail!(
                runtime,
                "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward."
            );
        };
        let Some(s) = v.get(i) else { bail!(runtime, "internal error: saved tensor {i} missing") };
        let now = s.data.storage.version();
        if now != s.version {
            let (who, nr) = match s.output_nr {
                Some(nr) => (self.node.name.to_string(), nr),
                None => match s.data.grad_fn() {
                    Some((n, nr)) => (n.name.to_string(), nr),
                    None => (String::new(), 0),
                },
            };
            let desc = format!("[{} {:?}]", legacy_name(s.data.dtype), s.data.shape());
            let what = if who.is_empty() {
                "is a leaf Variable".to_string()
            } else {
                format!("which is output {nr} of {who},")
            };
            bail!(
                runtime,
                "one of the variables needed for gradient computation has been modified by an inplace operation: {desc}, {what} is at version {now}; expected version {} instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).",
                s.version
            );
        }
        let mut t = s.data.clone();
        if let Some(nr) = s.output_nr {
            if let Some(n) = self.node.self_weak.upgrade() {
                t.ag = Some(Arc::new(AutogradMeta::with_grad_fn(n, nr)));
            }
        }
        Ok(t)
    }
}

fn legacy_name(dt: DType) -> String {
    let n = match dt {
        DType::Bool => "Bool",
        DType::U8 => "Byte",
        DType::I8 => "Char",
        DType::I16 => "Short",
        DType::I32 => "Int",
        DType::I64 => "Long",
        DType::F16 => "Half",
        DType::BF16 => "BFloat16",
        DType::F32 => "Float",
        DType::F64 => "Double",
        DType::C32 => "ComplexHalf",
        DType::C64 => "ComplexFloat",
        DType::C128 => "ComplexDouble",
        d => d.scalar_name(),
    };
    format!("torch.{n}Tensor")
}

impl Node {
    pub fn new(
        name: Cow<'static, str>,
        inputs: &[&Tensor],
        outputs: SmallVec<[TensorMeta; 1]>,
        saved: Vec<SavedTensor>,
        f: Box<BackwardFn>,
    ) -> Arc<Node> {
        Node::build(name, inputs, ScalarEdge::No, outputs, saved, f)
    }

    /// A node whose inputs are `inputs` and, when `scalar` is set, a trailing 0-dim operand with no
    /// edge (a Python scalar torch wraps as a tensor: `x + 2` has two next_functions).
    pub fn build(
        name: Cow<'static, str>,
        inputs: &[&Tensor],
        scalar: ScalarEdge,
        outputs: SmallVec<[TensorMeta; 1]>,
        saved: Vec<SavedTensor>,
        f: Box<BackwardFn>,
    ) -> Arc<Node> {
        let mut next: SmallVec<[Option<Edge>; 2]> = inputs.iter().map(|t| if t.requires_grad() { t.gradient_edge() } else { None }).collect();
        let mut metas: SmallVec<[TensorMeta; 2]> = inputs.iter().map(|t| TensorMeta::of(t)).collect();
        if scalar != ScalarEdge::No {
            let (dtype, device) = inputs.first().map(|t| (t.dtype, t.device())).unwrap_or((DType::F32, Device::Cpu));
            let meta = TensorMeta { shape: SmallVec::new(), dtype, device };
            if scalar == ScalarEdge::First {
                next.insert(0, None);
                metas.insert(0, meta);
            } else {
                next.push(None);
                metas.push(meta);
            }
        }
        let had_saved = !saved.is_empty();
        Arc::new_cyclic(|w| Node {
            name,
            seq: NEXT_SEQ.fetch_add(1, Ordering::Relaxed),
            next,
            inputs: metas,
            outputs,
            kind: Kind::Function(f),
            saved: Mutex::new(Some(saved)),
            had_saved,
            pre_hooks: Mutex::new(Vec::new()),
            retained: Mutex::new(Vec::new()),
            self_weak: w.clone(),
            leaf: None,
            inner: None,
        })
    }

    /// A node with explicit edges (CopySlices wraps the in-place op's node `inner`).
    pub fn from_edges(
        name: Cow<'static, str>,
        next: Vec<Option<Edge>>,
        inputs: Vec<TensorMeta>,
        outputs: Vec<TensorMeta>,
        f: Box<BackwardFn>,
        inner: Option<Arc<Node>>,
    ) -> Arc<Node> {
        Arc::new_cyclic(|w| Node {
            name,
            seq: NEXT_SEQ.fetch_add(1, Ordering::Relaxed),
            next: SmallVec::from_vec(next),
            inputs: SmallVec::from_vec(inputs),
            outputs: SmallVec::from_vec(outputs),
            kind: Kind::Function(f),
            saved: Mutex::new(Some(Vec::new())),
            had_saved: false,
            pre_hooks: Mutex::new(Vec::new()),
            retained: Mutex::new(Vec::new()),
            self_weak: w.clone(),
            leaf: None,
            inner,
        })
    }

    pub fn accumulate(meta: Weak<AutogradMeta>, leaf: &Tensor) -> Arc<Node> {
        Arc::new_cyclic(|w| Node {
            name: "torch::autograd::AccumulateGrad".into(),
            seq: u64::MAX,
            next: SmallVec::new(),
            inputs: SmallVec::new(),
            outputs: smallvec::smallvec![TensorMeta::of(leaf)],
            kind: Kind::Accumulate(meta),
            saved: Mutex::new(Some(Vec::new())),
            had_saved: false,
            pre_hooks: Mutex::new(Vec::new()),
            retained: Mutex::new(Vec::new()),
            self_weak: w.clone(),
            leaf: Some(leaf.detached()),
            inner: None,
        })
    }

    pub fn leaf_data(&self) -> Option<Tensor> {
        self.leaf.clone()
    }

    /// The name Python shows (`AddBackward0`, `AccumulateGrad`).
    pub fn display_name(&self) -> &str {
        self.name.strip_prefix("torch::autograd::").unwrap_or(&self.name)
    }

    pub fn is_accumulate(&self) -> bool {
        matches!(self.kind, Kind::Accumulate(_))
    }

    pub fn leaf_meta(&self) -> Option<Arc<AutogradMeta>> {
        match &self.kind {
            Kind::Accumulate(w) => w.upgrade(),
            Kind::Function(_) => None,
        }
    }

    /// Frees the saved tensors (after a backward that did not retain the graph).
    pub fn release(&self) {
        if self.had_saved {
            *lock(&self.saved) = None;
        }
        if let Some(i) = &self.inner {
            i.release();
        }
    }

    pub fn apply(&self, grads: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
        match &self.kind {
            Kind::Function(f) => f(&Ctx { node: self }, grads),
            Kind::Accumulate(_) => Ok(Vec::new()),
        }
    }
}

impl Drop for Node {
    /// Tears long chains down with a loop: dropping the last owner of a node would otherwise recurse
    /// through `next` (and through saved tensors' histories) once per node and overflow the stack.
    fn drop(&mut self) {
        let mut stack: Vec<Arc<Node>> = Vec::new();
        take_children(self, &mut stack);
        while let Some(n) = stack.pop() {
            if let Ok(mut node) = Arc::try_unwrap(n) {
                take_children(&mut node, &mut stack);
            }
        }
    }
}

fn take_children(node: &mut Node, stack: &mut Vec<Arc<Node>>) {
    if let Some(i) = node.inner.take() {
        stack.push(i);
    }
    for e in std::mem::take(&mut node.next).into_iter().flatten() {
        stack.push(e.node);
    }
    let saved = node.saved.get_mut().map(|s| s.take()).unwrap_or_else(|e| e.into_inner().take());
    for s in saved.into_iter().flatten() {
        if let Some(meta) = s.data.ag {
            if let Ok(m) = Arc::try_unwrap(meta) {
                if let Some((n, _)) = m.take_grad_fn() {
                    stack.push(n);
                }
            }
        }
    }
}
