//! CPU kernels. Each kernel sees one dtype and one shape; validation, promotion and broadcasting
//! happened in the op front end.
pub mod cmath;
pub mod copy;
pub mod elementwise;
pub mod num;
pub mod parallel;
pub mod reduce;
pub mod reduce_cols;
pub mod sort;
pub mod stdsort;
pub mod iter;
pub mod gemm;
#[cfg(target_arch = "x86_64")]
pub mod blis;
#[cfg(target_arch = "x86_64")]
pub mod argext;
pub mod index;
pub mod vmath;
pub mod conv;
pub mod bits;
