//! The backward pass: discover the graph from the roots, then run nodes in dependency order
//! (latest-created first among the ready ones, as torch does), with explicit stacks and queues only.
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::Arc;

use super::formulas::{add, sum_to};
use super::node::{Edge, Node};
use super::{GradModeGuard, lock};
use crate::bail;
use crate::error::Result;
use crate::tensor::Tensor;

type Key = *const Node;

fn key(n: &Arc<Node>) -> Key {
    Arc::as_ptr(n)
}

/// What a backward pass does with the gradients that reach the leaves.
pub enum Mode<'a> {
    /// `tensor.backward()`: accumulate into `.grad` (of `only` when given, as `inputs=` asks).
    Accumulate { only: Option<&'a [Edge]> },
    /// `autograd.grad()`: return the gradients flowing into these edges; touch no `.grad`.
    Capture(&'a [Edge]),
}

/// Runs backward from `roots` (an edge and the gradient flowing into it).
/// Returns the captured gradients in `Capture` mode (None where nothing flowed).
pub fn run(roots: Vec<(Edge, Tensor)>, keep_graph: bool, create_graph: bool, mode: Mode<'_>) -> Result<Vec<Option<Tensor>>> {
    let _grad_mode = GradModeGuard::new(create_graph);

    // 1. Discover reachable nodes and count incoming edges.
    let mut nodes: HashMap<Key, Arc<Node>> = HashMap::new();
    let mut deps: HashMap<Key, usize> = HashMap::new();
    let mut stack: Vec<Arc<Node>> = Vec::new();
    for (e, _) in &roots {
        if nodes.insert(key(&e.node), e.node.clone()).is_none() {
            stack.push(e.node.clone());
        }
    }
    while let Some(n) = stack.pop() {
        for e in n.next.iter().flatten() {
            *deps.entry(key(&e.node)).or_insert(0) += 1;
            if nodes.insert(key(&e.node), e.node.clone()).is_none() {
                stack.push(e.node.clone());
            }
        }
    }

    // 2. In capture mode (or with `inputs=`), only nodes that lead to a target need to run.
    let targets: Option<&[Edge]> = match &mode {
        Mode::Capture(t) => Some(t),
        Mode::Accumulate { only } => *only,
    };
    let needed: Option<HashSet<Key>> = targets.map(|t| needed_nodes(&nodes, t));
    let capture_at: HashMap<Key, Vec<(usize, usize)>> = match &mode {
        Mode::Capture(t) => {
            let mut m: HashMap<Key, Vec<(usize, usize)>> = HashMap::new();
            for (i, e) in t.iter().enumerate() {
                m.entry(key(&e.node)).or_default().push((i, e.input_nr));
            }
            m
        }
        Mode::Accumulate { .. } => HashMap::new(),
    };
    let mut captured: Vec<Option<Tensor>> = match &mode {
        Mode::Capture(t) => vec![None; t.len()],
        Mode::Accumulate { .. } => Vec::new(),
    };
    let accumulate_into: Option<HashSet<Key>> = match &mode {
        Mode::Accumulate { only: Some(t) } => Some(t.iter().map(|e| key(&e.node)).collect()),
        _ => None,
    };

    // 3. Seed the input buffers with the root gradients.
    let mut buffers: HashMap<Key, Vec<Option<Tensor>>> = HashMap::new();
    for (e, g) in roots {
        let n_out = e.node.outputs.len().max(1);
        let buf = buffers.entry(key(&e.node)).or_insert_with(|| vec![None; n_out]);
        accumulate_slot(&mut buf[e.input_nr], g)?;
    }
    let mut ready: BinaryHeap<(u64, usize)> = BinaryHeap::new();
    let mut by_id: Vec<Arc<Node>> = Vec::new();
    for (k, n) in &nodes {
        if deps.get(k).copied().unwrap_or(0) == 0 && buffers.contains_key(k) {
            ready.push((n.seq, by_id.len()));
            by_id.push(n.clone());
        }
    }

    // 4. Execute.
    while let Some((_, id)) = ready.pop() {
        let node = by_id[id].clone();
        let k = key(&node);
        let mut grads = buffers.remove(&k).unwrap_or_else(|| vec![None; node.outputs.len().max(1)]);
        run_pre_hooks(&node, &mut grads)?;
        if let Some(slots) = capture_at.get(&k) {
            for &(i, nr) in slots {
                captured[i] = grads.get(nr).cloned().flatten();
            }
        }
        let is_needed = needed.as_ref().is_none_or(|s| s.contains(&k));
        if node.is_accumulate() {
            let allowed = matches!(mode, Mode::Accumulate { .. }) && accumulate_into.as_ref().is_none_or(|s| s.contains(&k));
            if allowed {
                if let (Some(meta), Some(Some(g))) = (node.leaf_meta(), grads.into_iter().next()) {
                    // Cloned out first: a hook may register or remove hooks.
                    let post: Vec<_> = lock(&meta.post_acc_hooks).iter().map(|h| h.f.clone()).collect();
                    if post.is_empty() {
                        // g by value: a sole owner of its storage is stored as .grad without a copy.
                        accumulate_grad(&meta, g, create_graph)?;
                    } else {
                        accumulate_grad(&meta, g.clone(), create_graph)?;
                        for f in post {
                            f(&g)?;
                        }
                    }
                }
            }
            continue;
        }
        if !is_needed {
            continue;
        }
        let outs = if grads.iter().all(|g| g.is_none()) {
            vec![None; node.next.len()]
        } else {
            for (i, g) in grads.iter_mut().enumerate() {
                if g.is_none() {
                    let m = &node.outputs[i];
                    *g = Some(Tensor::zeros(&m.shape, m.dtype, m.device)?);
                }
            }
            let outs = node.apply(&grads)?;
            if !keep_graph {
                node.release();
            }
            outs
        };
        drop(grads);
        if outs.len() != node.next.len() {
            bail!(
                runtime,
                "function {} returned an incorrect number of gradients (expected {}, got {})",
                node.display_name(),
                node.next.len(),
                outs.len()
            );
        }
        for (i, (g, e)) in outs.into_iter().zip(node.next.iter()).enumerate() {
            let Some(e) = e else { continue };
            let ck = key(&e.node);
            if let Some(g) = g {
                let g = validate(&node, i, g)?;
                let n_out = e.node.outputs.len().max(1);
                let buf = buffers.entry(ck).or_insert_with(|| vec![None; n_out]);
                accumulate_slot(&mut buf[e.input_nr], g)?;
            }
            let Some(d) = deps.get_mut(&ck) else { bail!(runtime, "internal error: autograd edge missed by graph discovery") };
            *d -= 1;
            if *d == 0 {
                if buffers.contains_key(&ck) {
                    ready.push((e.node.seq, by_id.len()));
                    by_id.push(e.node.clone());
                } else {
                    // Nothing flowed here; its subtree still has to release its counts.
                    release_subtree(&e.node, &mut deps, &mut buffers, &mut ready, &mut by_id);
                }
            }
        }
    }
    Ok(captured)
}

/// A node with no incoming gradient: walk on so its children's counts still drop.
fn release_subtree(
    start: &Arc<Node>,
    deps: &mut HashMap<Key, usize>,
    buffers: &mut HashMap<Key, Vec<Option<Tensor>>>,
    ready: &mut BinaryHeap<(u64, usize)>,
    by_id: &mut Vec<Arc<Node>>,
) {
    let mut stack = vec![start.clone()];
    while let Some(n) = stack.pop() {
        for e in n.next.iter().flatten() {
            let ck = key(&e.node);
            if let Some(d) = deps.get_mut(&ck) {
                *d -= 1;
                if *d == 0 {
                    if buffers.contains_key(&ck) {
                        ready.push((e.node.seq, by_id.len()));
                        by_id.push(e.node.clone());
                    } else {
                        stack.push(e.node.clone());
                    }
                }
            }
        }
    }
}

/// Nodes from which some target edge is reachable (iterative post-order DFS).
fn needed_nodes(nodes: &HashMap<Key, Arc<Node>>, targets: &[Edge]) -> HashSet<Key> {
    let target_keys: HashSet<Key> = targets.iter().map(|e| key(&e.node)).collect();
    let mut needed: HashSet<Key> = HashSet::new();
    let mut done: HashSet<Key> = HashSet::new();
    for root in nodes.values() {
        if done.contains(&key(root)) {
            continue;
        }
        let mut stack: Vec<(Arc<Node>, usize)> = vec![(root.clone(), 0)];
        done.insert(key(root));
        while let Some((n, i)) = stack.pop() {
            if i < n.next.len() {
                stack.push((n.clone(), i + 1));
                if let Some(e) = &n.next[i] {
                    if done.insert(key(&e.node)) {
                        stack.push((e.node.clone(), 0));
                    }
                }
                continue;
            }
            let k = key(&n);
            let any_child = n.next.iter().flatten().any(|e| needed.contains(&key(&e.node)));
            if target_keys.contains(&k) || any_child {
                needed.insert(k);
            }
        }
    }
    needed
}

fn accumulate_slot(slot: &mut Option<Tensor>, g: Tensor) -> Result<()> {
    *slot = Some(match slot.take() {
        None => g,
        Some(prev) => add(&prev, &g)?,
    });
    Ok(())
}

fn run_pre_hooks(node: &Node, grads: &mut [Option<Tensor>]) -> Result<()> {
    let hooks = lock(&node.pre_hooks).clone();
    for h in hooks {
        if let Some(Some(g)) = grads.get(h.output_nr) {
            if let Some(r) = (h.f)(g)? {
                grads[h.output_nr] = Some(r);
            }
        }
    }
    if let Some(meta) = node.leaf_meta() {
        let hooks = lock(&meta.hooks).clone();
        for h in hooks {
            if let Some(Some(g)) = grads.first() {
                if let Some(r) = (h.f)(g)? {
                    grads[0] = Some(r);
                }
            }
        }
    }
    let retained = lock(&node.retained).clone();
    for (nr, w) in retained {
        if let (Some(m), Some(Some(g))) = (w.upgrade(), grads.get(nr)) {
            let new = match m.grad() {
                None => g.detached().clone_tensor()?,
                Some(old) => add(&old, g)?.detached(),
            };
            m.set_grad(Some(new));
        }
    }
    Ok(())
}

/// Checks a gradient against the input it is for, reducing broadcast dims and casting the dtype.
fn validate(node: &Node, i: usize, g: Tensor) -> Result<Tensor> {
    let m = &node.inputs[i];
    let mut g = g;
    if g.shape() != m.shape.as_slice() {
        if crate::layout::broadcast_shapes(&m.shape, g.shape()).ok().as_deref() == Some(g.shape()) {
            g = sum_to(&g, &m.shape)?;
        } else {
            bail!(
                runtime,
                "Function {} returned an invalid gradient at index {i} - got {:?} but expected shape compatible with {:?}",
                node.display_name(),
                g.shape(),
                m.shape
            );
        }
    }
    if g.dtype.is_complex() && !m.dtype.is_complex() && super::should_record(&[&g]) {
        // A real input of a complex result takes the real part of its gradient (torch's
        // handle_r_to_c), kept differentiable under create_graph.
        g = super::formulas::clone(&crate::ops::ternary::real(&g)?, |x| x.contiguous_copy())?;
    }
    if g.dtype != m.dtype {
        g = super::formulas::to_dtype(&g, m.dtype, false)?;
    }
    Ok(g)
}

/// `AccumulateGrad`: the first gradient is stored (laid out like the leaf), later ones are added.
fn accumulate_grad(meta: &super::AutogradMeta, g: Tensor, create_graph: bool) -> Result<()> {
    let mut slot = lock(&meta.grad);
    match slot.take() {
        None => {
            let g = if create_graph { g } else { g.detached() };
            let dense = g.layout.is_non_overlapping_and_dense() && g.layout.offset == 0;
            *slot = Some(if dense && (create_graph || Arc::strong_count(&g.storage) == 1) { g } else { g.contiguous_copy()? });
        }
        Some(old) => {
            if create_graph || old.requires_grad() {
                *slot = Some(add(&old, &g)?);
            } else {
                let r = crate::ops::binary::binary_(crate::ops::binary::BinaryOp::Add, &old, crate::ops::binary::Arg::T(&g.detached()), None);
                match r {
                    Ok(()) => *slot = Some(old),
                    Err(e) => {
                        *slot = Some(old);
                        return Err(e);
                    }
                }
            }
        }
    }
    Ok(())
}
