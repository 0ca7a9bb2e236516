//! Python entry points for autograd: tensor attributes (`requires_grad`, `grad`, `grad_fn`, …),
//! `backward` / `autograd.grad`, grad modes, graph nodes, hooks and custom Functions.
use std::sync::{Arc, Weak};

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::autograd::engine::{self, Mode};
use crate::autograd::node::{Edge, Hook, Node, SavedTensor};
use crate::autograd::{self as ag, AutogradMeta};
use crate::tensor::Tensor;

use super::errors::stash;
use super::tensor::{PyTensor, wrap};

/// A graph node as Python sees it (`t.grad_fn`, `next_functions`).
#[pyclass(name = "Node", module = "oxytorch.autograd.graph", frozen)]
pub struct PyNode {
    pub node: Arc<Node>,
}

fn node_obj(py: Python<'_>, node: Arc<Node>) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, PyNode { node })?.into_any())
}

fn py_hook(f: Py<PyAny>) -> Arc<crate::autograd::node::HookFn> {
    Arc::new(move |g: &Tensor| {
        Python::attach(|py| {
            let r = f.call1(py, (wrap(py, g.clone()).map_err(stash)?,)).map_err(stash)?;
            if r.is_none(py) {
                return Ok(None);
            }
            match r.bind(py).cast::<PyTensor>() {
                Ok(t) => Ok(Some(t.borrow().t.clone())),
                Err(_) => Err(stash(PyTypeError::new_err("hook must return None or a Tensor"))),
            }
        })
    })
}

#[pymethods]
impl PyNode {
    fn name(&self) -> String {
        self.node.name.to_string()
    }

    #[getter]
    fn next_functions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let mut items: Vec<Bound<'py, PyAny>> = Vec::new();
        for e in &self.node.next {
            let item = match e {
                Some(e) => PyTuple::new(py, [node_obj(py, e.node.clone())?.into_bound(py), e.input_nr.into_pyobject(py)?.into_any()])?,
                None => PyTuple::new(py, [py.None().into_bound(py), 0usize.into_pyobject(py)?.into_any()])?,
            };
            items.push(item.into_any());
        }
        PyTuple::new(py, items)
    }

    /// The leaf tensor of an AccumulateGrad node.
    #[getter]
    fn variable(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match (self.node.leaf_meta(), self.node.leaf_data()) {
            (Some(m), Some(mut t)) => {
                t.ag = Some(m);
                Ok(wrap(py, t)?.into_any())
            }
            _ => Err(pyo3::exceptions::PyAttributeError::new_err(format!("'{}' object has no attribute 'variable'", self.node.display_name()))),
        }
    }

    /// A hook on the gradients flowing into this node's outputs: `hook(grad_outputs)`.
    fn register_prehook(&self, py: Python<'_>, hook: Py<PyAny>) -> PyResult<Py<PyHookHandle>> {
        let id = ag::next_hook_id();
        let f = hook.clone_ref(py);
        // A node pre-hook sees every output's grad; register it per output slot.
        for nr in 0..self.node.outputs.len() {
            let f = f.clone_ref(py);
            let wrapped: Arc<crate::autograd::node::HookFn> = Arc::new(move |g: &Tensor| {
                Python::attach(|py| {
                    let args = PyTuple::new(py, [wrap(py, g.clone()).map_err(stash)?])
                        .map_err(stash)?;
                    let r = f.call1(py, (args,)).map_err(stash)?;
                    let r = r.bind(py);
                    if r.is_none() {
                        return Ok(None);
                    }
                    let first = r.get_item(0).map_err(stash)?;
                    match first.cast::<PyTensor>() {
                        Ok(t) => Ok(Some(t.borrow().t.clone())),
                        Err(_) => Ok(None),
                    }
                })
            });
            self.node.pre_hooks.lock().unwrap_or_else(|e| e.into_inner()).push(Hook { id, output_nr: nr, f: wrapped });
        }
        Py::new(py, PyHookHandle { target: HookTarget::Node(Arc::downgrade(&self.node)), id })
    }

    fn __repr__(&self) -> String {
        format!("<{} object at {:#x}>", self.node.display_name(), Arc::as_ptr(&self.node) as usize)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyNode>().is_ok_and(|o| Arc::ptr_eq(&o.get().node, &self.node))
    }

    fn __hash__(&self) -> isize {
        Arc::as_ptr(&self.node) as isize
    }
}

enum HookTarget {
    Node(Weak<Node>),
    Leaf(Weak<AutogradMeta>),
    PostAccumulate(Weak<AutogradMeta>),
}

/// What `register_hook` returns: `.remove()` unregisters the hook.
#[pyclass(name = "RemovableHandle", module = "oxytorch.utils.hooks")]
pub struct PyHookHandle {
    target: HookTarget,
    id: u64,
}

#[pymethods]
impl PyHookHandle {
    fn remove(&self) {
        match &self.target {
            HookTarget::Node(w) => {
                if let Some(n) = w.upgrade() {
                    n.pre_hooks.lock().unwrap_or_else(|e| e.into_inner()).retain(|h| h.id != self.id);
                }
            }
            HookTarget::Leaf(w) => {
                if let Some(m) = w.upgrade() {
                    m.hooks.lock().unwrap_or_else(|e| e.into_inner()).retain(|h| h.id != self.id);
                }
            }
            HookTarget::PostAccumulate(w) => {
                if let Some(m) = w.upgrade() {
                    m.post_acc_hooks.lock().unwrap_or_else(|e| e.into_inner()).retain(|h| h.id != self.id);
                }
            }
        }
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __exit__(&self, _a: &Bound<'_, PyAny>, _b: &Bound<'_, PyAny>, _c: &Bound<'_, PyAny>) {
        self.remove()
    }
}

#[pymethods]
impl PyTensor {
    #[getter]
    fn get_requires_grad(&self) -> bool {
        self.t.requires_grad()
    }

    #[setter(requires_grad)]
    fn set_requires_grad_attr(&mut self, v: bool) -> PyResult<()> {
        Ok(self.t.set_requires_grad(v)?)
    }

    #[pyo3(signature = (requires_grad=true))]
    fn requires_grad_(mut slf: PyRefMut<'_, Self>, requires_grad: bool) -> PyResult<PyRefMut<'_, Self>> {
        if requires_grad && !(slf.t.dtype.is_floating_point() || slf.t.dtype.is_complex()) {
            return Err(PyRuntimeError::new_err("only Tensors of floating point dtype can require gradients"));
        }
        slf.t.set_requires_grad(requires_grad)?;
        Ok(slf)
    }

    #[getter(grad)]
    fn get_grad(&self, py: Python<'_>) -> PyResult<Option<Py<PyTensor>>> {
        if let (Some(m), false) = (&self.t.ag, self.t.is_leaf()) {
            if m.grad().is_none() && !m.retains_grad.load(std::sync::atomic::Ordering::Relaxed) {
                let warnings = py.import("warnings")?;
                warnings.call_method1(
                    "warn",
                    ("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more informations.", py.get_type::<pyo3::exceptions::PyUserWarning>()),
                )?;
            }
        }
        match self.t.ag.as_ref().and_then(|m| m.grad()) {
            Some(g) => Ok(Some(wrap(py, g)?)),
            None => Ok(None),
        }
    }

    #[setter(grad)]
    fn set_grad(&mut self, g: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let g = match g {
            None => None,
            Some(x) if x.is_none() => None,
            Some(x) => {
                let Ok(t) = x.cast::<PyTensor>() else {
                    return Err(PyTypeError::new_err(format!("assigned grad expected to be a Tensor or None but got grad of type {}", x.get_type().name()?)));
                };
                let t = t.borrow().t.clone();
                if t.shape() != self.t.shape() {
                    return Err(PyRuntimeError::new_err(format!(
                        "attempting to assign a gradient of size '{:?}' to a tensor of size '{:?}'. Please ensure that the gradient and the tensor are the same size",
                        t.shape(),
                        self.t.shape()
                    )));
                }
                if t.dtype != self.t.dtype {
                    return Err(PyRuntimeError::new_err(format!(
                        "attempting to assign a gradient with dtype '{}' to a tensor with grad_dtype '{}'. The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may break downstream systems that assume they match.",
                        t.dtype.scalar_name().to_lowercase(),
                        self.t.dtype.scalar_name()
                    )));
                }
                if t.device() != self.t.device() {
                    return Err(PyRuntimeError::new_err(format!(
                        "attempting to assign a gradient located on device '{}' to a tensor located on device '{}'. Please ensure that the gradient and the tensor are on the same device",
                        t.device(),
                        self.t.device()
                    )));
                }
                Some(t)
            }
        };
        if g.is_none() && self.t.ag.is_none() {
            return Ok(());
        }
        self.t.meta().set_grad(g);
        Ok(())
    }

    #[getter]
    fn grad_fn(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        match self.t.grad_fn() {
            Some((n, _)) => Ok(Some(node_obj(py, n)?)),
            None => Ok(None),
        }
    }

    #[getter]
    fn is_leaf(&self) -> bool {
        self.t.is_leaf()
    }

    #[getter]
    fn output_nr(&self) -> usize {
        self.t.grad_fn().map(|(_, nr)| nr).unwrap_or(0)
    }

    #[getter]
    fn _version(&self) -> u64 {
        self.t.storage.version()
    }

    fn retain_grad(&mut self) -> PyResult<()> {
        if !self.t.requires_grad() {
            return Err(PyRuntimeError::new_err("can't retain_grad on Tensor that has requires_grad=False"));
        }
        let m = self.t.meta();
        if let Some((node, nr)) = m.grad_fn() {
            if !m.retains_grad.swap(true, std::sync::atomic::Ordering::Relaxed) {
                node.retained.lock().unwrap_or_else(|e| e.into_inner()).push((nr, Arc::downgrade(&m)));
            }
        }
        Ok(())
    }

    #[getter]
    fn retains_grad(&self) -> bool {
        match &self.t.ag {
            Some(m) if !self.t.is_leaf() => m.retains_grad.load(std::sync::atomic::Ordering::Relaxed),
            _ => false,
        }
    }

    fn detach(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, self.t.detached())
    }

    fn detach_(mut slf: PyRefMut<'_, Self>) -> PyRefMut<'_, Self> {
        slf.t.ag = None;
        slf
    }

    #[getter(data)]
    fn get_data(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, self.t.detached())
    }

    #[setter(data)]
    fn set_data(slf: &Bound<'_, Self>, d: &Bound<'_, PyTensor>) {
        // Read the source before borrowing self mutably: `x.data = x` names the same object twice.
        let src = d.borrow().t.clone();
        let mut me = slf.borrow_mut();
        me.t.storage = src.storage;
        me.t.layout = src.layout;
        me.t.dtype = src.dtype;
        me.t.conj = src.conj;
        me.t.neg = src.neg;
        if let Some(m) = &me.t.ag {
            m.reset_accumulator();
        }
    }

    fn register_hook(&mut self, py: Python<'_>, hook: Py<PyAny>) -> PyResult<Py<PyHookHandle>> {
        if !self.t.requires_grad() {
            return Err(PyRuntimeError::new_err("cannot register a hook on a tensor that doesn't require gradient"));
        }
        let id = ag::next_hook_id();
        let f = py_hook(hook);
        let m = self.t.meta();
        match m.grad_fn() {
            Some((node, nr)) => {
                node.pre_hooks.lock().unwrap_or_else(|e| e.into_inner()).push(Hook { id, output_nr: nr, f });
                Py::new(py, PyHookHandle { target: HookTarget::Node(Arc::downgrade(&node)), id })
            }
            None => {
                m.hooks.lock().unwrap_or_else(|e| e.into_inner()).push(Hook { id, output_nr: 0, f });
                Py::new(py, PyHookHandle { target: HookTarget::Leaf(Arc::downgrade(&m)), id })
            }
        }
    }
}

/// `Tensor.register_post_accumulate_grad_hook(hook)`: `hook(tensor)` runs after each backward pass
/// has accumulated into this leaf's `.grad`. The hook reaches the tensor through a weak reference,
/// so registering it does not keep the tensor alive.
#[pyfunction]
pub fn _register_post_accumulate_grad_hook(py: Python<'_>, slf: &Bound<'_, PyTensor>, hook: Py<PyAny>) -> PyResult<Py<PyHookHandle>> {
    let mut t = slf.borrow().t.clone();
    if !t.requires_grad() {
        return Err(PyRuntimeError::new_err("cannot register a hook on a tensor that doesn't require gradient"));
    }
    if !t.is_leaf() {
        return Err(PyRuntimeError::new_err("post accumulate grad hooks cannot be registered on non-leaf tensors"));
    }
    let target: Py<PyAny> = pyo3::types::PyWeakrefReference::new(slf)?.into_any().unbind();
    let f: Arc<crate::autograd::node::HookFn> = Arc::new(move |_g: &Tensor| {
        Python::attach(|py| {
            let obj = target.bind(py).call0().map_err(stash)?;
            if obj.is_none() {
                return Ok(None);
            }
            let r = hook.call1(py, (obj,)).map_err(stash)?;
            if r.is_none(py) {
                return Ok(None);
            }
            let name = r.bind(py).get_type().name().map(|n| n.to_string()).unwrap_or_default();
            Err(stash(PyTypeError::new_err(format!("expected Variable, but hook returned '{name}'"))))
        })
    });
    let id = ag::next_hook_id();
    let m = t.meta();
    m.post_acc_hooks.lock().unwrap_or_else(|e| e.into_inner()).push(Hook { id, output_nr: 0, f });
    Py::new(py, PyHookHandle { target: HookTarget::PostAccumulate(Arc::downgrade(&m)), id })
}

fn tensors(seq: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<Tensor>> {
    if let Ok(t) = seq.cast::<PyTensor>() {
        return Ok(vec![t.borrow().t.clone()]);
    }
    let mut v = Vec::new();
    for item in seq.try_iter()? {
        let item = item?;
        match item.cast::<PyTensor>() {
            Ok(t) => v.push(t.borrow().t.clone()),
            Err(_) => return Err(PyTypeError::new_err(format!("{what} must be a Tensor or a sequence of Tensors"))),
        }
    }
    Ok(v)
}

/// Gradient tensors for each root (None entries mean "implicit ones for scalars").
fn root_grads(py: Python<'_>, roots: &[Tensor], grads: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Tensor>> {
    let given: Vec<Option<Tensor>> = match grads {
        None => vec![None; roots.len()],
        Some(g) if g.is_none() => vec![None; roots.len()],
        Some(g) => {
            if let Ok(t) = g.cast::<PyTensor>() {
                vec![Some(t.borrow().t.clone())]
            } else {
                let mut v = Vec::new();
                for item in g.try_iter()? {
                    let item = item?;
                    if item.is_none() {
                        v.push(None);
                    } else {
                        v.push(Some(item.cast::<PyTensor>().map_err(|_| PyTypeError::new_err("grad_tensors must be Tensors or None"))?.borrow().t.clone()));
                    }
                }
                v
            }
        }
    };
    let _ = py;
    if given.len() != roots.len() {
        return Err(PyRuntimeError::new_err(format!("got {} tensors and {} gradients", roots.len(), given.len())));
    }
    let mut out = Vec::new();
    for (i, (r, g)) in roots.iter().zip(given).enumerate() {
        match g {
            Some(g) => {
                if g.shape() != r.shape() {
                    return Err(PyRuntimeError::new_err(format!(
                        "Mismatch in shape: grad_output[{i}] has a shape of torch.Size({:?}) and output[{i}] has a shape of torch.Size({:?}).",
                        g.shape(),
                        r.shape()
                    )));
                }
                out.push(g);
            }
            None => {
                if !r.requires_grad() {
                    out.push(Tensor::zeros(r.shape(), r.dtype, r.device())?);
                    continue;
                }
                if r.numel() != 1 {
                    return Err(PyRuntimeError::new_err("grad can be implicitly created only for scalar outputs"));
                }
                if !(r.dtype.is_floating_point()) {
                    return Err(PyRuntimeError::new_err(format!(
                        "grad can be implicitly created only for real scalar outputs but got {}",
                        super::dtype::dtype_obj(py, r.dtype).bind(py).repr()?
                    )));
                }
                out.push(Tensor::full(r.shape(), crate::element::Pivot::F(1.0), r.dtype, r.device())?);
            }
        }
    }
    Ok(out)
}

fn root_edges(roots: &[Tensor], grads: Vec<Tensor>, create_graph: bool) -> PyResult<Vec<(Edge, Tensor)>> {
    let mut v = Vec::new();
    for (i, (r, g)) in roots.iter().zip(grads).enumerate() {
        match r.gradient_edge() {
            Some(e) => v.push((e, if create_graph { g } else { g.detached() })),
            None => {
                return Err(PyRuntimeError::new_err(format!(
                    "element {i} of tensors does not require grad and does not have a grad_fn"
                )));
            }
        }
    }
    Ok(v)
}

#[pyfunction]
#[pyo3(signature = (tensors_, grad_tensors=None, retain_graph=None, create_graph=false, inputs=None))]
fn _backward(
    py: Python<'_>,
    tensors_: &Bound<'_, PyAny>,
    grad_tensors: Option<&Bound<'_, PyAny>>,
    retain_graph: Option<bool>,
    create_graph: bool,
    inputs: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let roots = tensors(tensors_, "tensors")?;
    let grads = root_grads(py, &roots, grad_tensors)?;
    let grads = if create_graph { grads } else { grads.into_iter().map(|g| g.detached()).collect() };
    let edges = root_edges(&roots, grads, create_graph)?;
    let keep = retain_graph.unwrap_or(create_graph);
    let only: Option<Vec<Edge>> = match inputs.filter(|i| !i.is_none()) {
        None => None,
        Some(i) => {
            let ts = tensors(i, "inputs")?;
            if ts.is_empty() {
                return Err(PyRuntimeError::new_err("'inputs' argument to backward() cannot be empty."));
            }
            let mut es = Vec::new();
            for t in &ts {
                match t.gradient_edge() {
                    Some(e) => es.push(e),
                    None => return Err(PyRuntimeError::new_err("One of the differentiated Tensors does not require grad")),
                }
            }
            Some(es)
        }
    };
    py.detach(|| engine::run(edges, keep, create_graph, Mode::Accumulate { only: only.as_deref() }))?;
    Ok(())
}

#[pyfunction]
#[pyo3(signature = (outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=false, allow_unused=None, materialize_grads=false))]
fn _grad(
    py: Python<'_>,
    outputs: &Bound<'_, PyAny>,
    inputs: &Bound<'_, PyAny>,
    grad_outputs: Option<&Bound<'_, PyAny>>,
    retain_graph: Option<bool>,
    create_graph: bool,
    allow_unused: Option<bool>,
    materialize_grads: bool,
) -> PyResult<Py<PyTuple>> {
    let roots = tensors(outputs, "outputs")?;
    let ins = tensors(inputs, "inputs")?;
    let allow_unused = allow_unused.unwrap_or(materialize_grads);
    let grads = root_grads(py, &roots, grad_outputs)?;
    let edges = root_edges(&roots, grads, create_graph)?;
    let mut targets = Vec::new();
    for t in &ins {
        match t.gradient_edge() {
            Some(e) => targets.push(e),
            None => return Err(PyRuntimeError::new_err("One of the differentiated Tensors does not require grad")),
        }
    }
    let keep = retain_graph.unwrap_or(create_graph);
    let got = py.detach(|| engine::run(edges, keep, create_graph, Mode::Capture(&targets)))?;
    let mut out: Vec<Py<PyAny>> = Vec::new();
    for (g, t) in got.into_iter().zip(&ins) {
        match g {
            Some(g) => out.push(wrap(py, if create_graph { g } else { g.detached() })?.into_any()),
            None if materialize_grads => out.push(wrap(py, Tensor::zeros(t.shape(), t.dtype, t.device())?)?.into_any()),
            None if allow_unused => out.push(py.None()),
            None => {
                return Err(PyRuntimeError::new_err(
                    "One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.",
                ));
            }
        }
    }
    Ok(PyTuple::new(py, out)?.unbind())
}

#[pyfunction]
fn is_grad_enabled() -> bool {
    ag::is_grad_enabled()
}

#[pyfunction]
fn _set_grad_enabled(on: bool) -> bool {
    ag::set_grad_enabled(on)
}

#[pyfunction]
fn is_inference_mode_enabled() -> bool {
    ag::is_inference_mode_enabled()
}

#[pyfunction]
fn _set_inference_mode(on: bool) -> bool {
    ag::set_inference_mode(on)
}

/// Records a custom `autograd.Function`: `backward(*grads)` is the Python callable that returns one
/// gradient per input in `inputs` (None where there is none). Sets the outputs' grad_fn.
#[pyfunction]
fn _record_function(py: Python<'_>, name: String, inputs: &Bound<'_, PyList>, outputs: &Bound<'_, PyList>, backward: Py<PyAny>) -> PyResult<()> {
    let mut ins: Vec<Tensor> = Vec::new();
    for i in inputs.iter() {
        ins.push(i.cast::<PyTensor>()?.borrow().t.clone());
    }
    let out_objs: Vec<Bound<'_, PyTensor>> = outputs.iter().map(|o| o.cast_into::<PyTensor>()).collect::<Result<_, _>>()?;
    let mut outs: Vec<Tensor> = out_objs.iter().map(|o| o.borrow().t.detached()).collect();
    let in_refs: Vec<&Tensor> = ins.iter().collect();
    let n_in = ins.len();
    let f = move |_ctx: &ag::Ctx<'_>, grads: &[Option<Tensor>]| -> crate::error::Result<Vec<Option<Tensor>>> {
        Python::attach(|py| {
            let args: Vec<Py<PyAny>> = grads
                .iter()
                .map(|g| match g {
                    Some(g) => wrap(py, g.clone()).map(|t| t.into_any()),
                    None => Ok(py.None()),
                })
                .collect::<PyResult<_>>()
                .map_err(stash)?;
            let r = backward.call1(py, PyTuple::new(py, args).map_err(stash)?).map_err(stash)?;
            let r = r.bind(py);
            let items: Vec<Bound<'_, PyAny>> = if let Ok(t) = r.cast::<PyTuple>() { t.iter().collect() } else { vec![r.clone()] };
            if items.len() != n_in {
                return Err(stash(PyRuntimeError::new_err(format!(
                    "function backward returned an incorrect number of gradients (expected {n_in}, got {})",
                    items.len()
                ))));
            }
            items
                .into_iter()
                .map(|i| {
                    if i.is_none() {
                        Ok(None)
                    } else {
                        i.cast::<PyTensor>().map(|t| Some(t.borrow().t.clone())).map_err(|e| stash(PyErr::from(e)))
                    }
                })
                .collect()
        })
    };
    let mut out_refs: Vec<&mut Tensor> = outs.iter_mut().collect();
    ag::record(name, &in_refs, &mut out_refs, Vec::<SavedTensor>::new(), f);
    for (o, t) in out_objs.iter().zip(outs) {
        o.borrow_mut().t.ag = t.ag;
    }
    let _ = py;
    Ok(())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyNode>()?;
    m.add_class::<PyHookHandle>()?;
    m.add_function(wrap_pyfunction!(_backward, m)?)?;
    m.add_function(wrap_pyfunction!(_register_post_accumulate_grad_hook, m)?)?;
    m.add_function(wrap_pyfunction!(_grad, m)?)?;
    m.add_function(wrap_pyfunction!(is_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(_set_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(is_inference_mode_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(_set_inference_mode, m)?)?;
    m.add_function(wrap_pyfunction!(_record_function, m)?)?;
    Ok(())
}
