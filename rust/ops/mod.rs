//! Device-agnostic ops: validate, promote and broadcast once, then call a backend kernel.
pub mod binary;
pub mod iter_layout;
pub mod ternary;
pub mod activation;
pub mod unary;
pub mod random;
pub mod matmul;
pub mod reduce;
pub mod reduce_cols;
pub mod sort;
pub mod count;
pub mod shape;
pub mod index;
pub mod index_checks;
pub mod nnfn;
pub mod conv;
pub mod linalg;

use crate::error::Result;
use crate::tensor::Tensor;

/// Hands an op's result to the caller: as is, or written into `out` (cast when it was computed in
/// a temporary because `out` has another dtype or shape).
pub fn deliver(result: Tensor, out: Option<&Tensor>, computed_in_out: bool) -> Result<Tensor> {
    match out {
        Some(o) if !computed_in_out => {
            o.copy_(&result)?;
            Ok(o.clone())
        }
        Some(o) => {
            o.storage.bump_version();
            Ok(o.clone())
        }
        None => Ok(result),
    }
}
pub mod complex;
pub mod cprod;

/// torch's `assert_no_partial_overlap` between an op's output and one of its inputs: when both are
/// dense views of one storage, their memory must coincide exactly (same range and same strides),
/// or the op refuses rather than give order-dependent results.
pub fn check_no_partial_overlap(out: &crate::tensor::Tensor, input: &crate::tensor::Tensor) -> crate::error::Result<()> {
    if !std::sync::Arc::ptr_eq(&out.storage, &input.storage) || out.dtype.itemsize() != input.dtype.itemsize() {
        return Ok(());
    }
    let (a, b) = (&out.layout, &input.layout);
    if a.numel() == 0 || b.numel() == 0 || !a.is_non_overlapping_and_dense() || !b.is_non_overlapping_and_dense() {
        return Ok(());
    }
    let ((alo, ahi), (blo, bhi)) = (a.extent(), b.extent());
    let full = alo == blo && ahi == bhi && a.strides == b.strides;
    if alo < bhi && blo < ahi && !full {
        crate::bail!(
            runtime,
            "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before performing the operation."
        );
    }
    Ok(())
}

pub mod newdt;
