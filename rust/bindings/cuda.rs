//! `oxytorch.cuda` queries.
use pyo3::prelude::*;

#[pyfunction]
pub fn _cuda_is_available() -> bool {
    crate::cuda::is_available()
}

#[pyfunction]
pub fn _cuda_device_count() -> usize {
    crate::cuda::device_count()
}

#[pyfunction]
pub fn _cuda_check(index: usize) -> PyResult<()> {
    Ok(crate::cuda::check_device(index)?)
}

#[pyfunction]
pub fn _cuda_synchronize(index: usize) -> PyResult<()> {
    let s = crate::cuda::stream(index)?;
    s.synchronize().map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("CUDA error: {e:?}")))
}
