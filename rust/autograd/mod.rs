//! Reverse-mode automatic differentiation. The graph lives here, in Rust.

/// Per-tensor autograd state. Plain tensors carry none (`Tensor::ag` is None).
#[derive(Default)]
pub struct AutogradMeta {}
