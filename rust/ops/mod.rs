//! Device-agnostic ops: validate, promote and broadcast once, then call a backend kernel.
pub mod binary;
pub mod unary;
pub mod random;
