//! oxytorch: a tensor engine with a Rust core and a PyTorch-compatible Python API.
//!
//! Layers: `bindings` (PyO3, no math) -> `ops` (validate, promote, broadcast) -> `backend` kernels,
//! over the core data model in `tensor`, `layout`, `storage`, `dtype` and `device`.
pub mod alloc_cache;
pub mod autograd;
pub mod backend;
pub mod bindings;
pub mod cuda;
pub mod device;
pub mod dtype;
pub mod element;
pub mod error;
pub mod io;
pub mod layout;
pub mod ops;
pub mod promote;
pub mod random;
pub mod storage;
pub mod tensor;
