//! Device-agnostic ops: validate, promote and broadcast once, then call a backend kernel.
pub mod binary;
pub mod iter_layout;
pub mod ternary;
pub mod activation;
pub mod unary;
pub mod random;
pub mod matmul;
pub mod reduce;
pub mod sort;
pub mod shape;
pub mod index;
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
