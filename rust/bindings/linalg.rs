//! Python entry points for the torch.linalg kernels (`_C._linalg_*`); the public API, argument
//! checks and torch's messages are in python/oxytorch/linalg.py.
use pyo3::prelude::*;

use crate::ops::linalg as la;

use super::tensor::{PyTensor, wrap};

type T2 = (Py<PyTensor>, Py<PyTensor>);
type T3 = (Py<PyTensor>, Py<PyTensor>, Py<PyTensor>);
type T4 = (Py<PyTensor>, Py<PyTensor>, Py<PyTensor>, Py<PyTensor>);

#[pyfunction]
fn _linalg_svd(py: Python<'_>, a: PyRef<'_, PyTensor>, full: bool, compute_uv: bool) -> PyResult<T4> {
    let (u, s, v, i) = la::svd(&a.t, full, compute_uv)?;
    Ok((wrap(py, u)?, wrap(py, s)?, wrap(py, v)?, wrap(py, i)?))
}

#[pyfunction]
fn _linalg_eigh(py: Python<'_>, a: PyRef<'_, PyTensor>, upper: bool, vectors: bool) -> PyResult<T3> {
    let (l, v, i) = la::eigh(&a.t, upper, vectors)?;
    Ok((wrap(py, l)?, wrap(py, v)?, wrap(py, i)?))
}

#[pyfunction]
fn _linalg_eig(py: Python<'_>, a: PyRef<'_, PyTensor>, vectors: bool) -> PyResult<T3> {
    let (l, v, i) = la::eig(&a.t, vectors)?;
    Ok((wrap(py, l)?, wrap(py, v)?, wrap(py, i)?))
}

#[pyfunction]
fn _linalg_qr(py: Python<'_>, a: PyRef<'_, PyTensor>, mode: u8) -> PyResult<T2> {
    let (q, r) = la::qr(&a.t, mode)?;
    Ok((wrap(py, q)?, wrap(py, r)?))
}

#[pyfunction]
fn _linalg_cholesky(py: Python<'_>, a: PyRef<'_, PyTensor>, upper: bool) -> PyResult<T2> {
    let (l, i) = la::cholesky(&a.t, upper)?;
    Ok((wrap(py, l)?, wrap(py, i)?))
}

#[pyfunction]
fn _linalg_lu_factor(py: Python<'_>, a: PyRef<'_, PyTensor>) -> PyResult<T3> {
    let (lu, p, i) = la::lu_factor(&a.t)?;
    Ok((wrap(py, lu)?, wrap(py, p)?, wrap(py, i)?))
}

#[pyfunction]
#[pyo3(signature = (a, b, adjoint=false))]
fn _linalg_solve(py: Python<'_>, a: PyRef<'_, PyTensor>, b: PyRef<'_, PyTensor>, adjoint: bool) -> PyResult<T2> {
    let (x, i) = la::solve(&a.t, &b.t, adjoint)?;
    Ok((wrap(py, x)?, wrap(py, i)?))
}

#[pyfunction]
fn _linalg_inv(py: Python<'_>, a: PyRef<'_, PyTensor>) -> PyResult<T2> {
    let (x, i) = la::inv(&a.t)?;
    Ok((wrap(py, x)?, wrap(py, i)?))
}

#[pyfunction]
fn _linalg_slogdet(py: Python<'_>, a: PyRef<'_, PyTensor>) -> PyResult<T3> {
    let (s, l, d) = la::slogdet(&a.t)?;
    Ok((wrap(py, s)?, wrap(py, l)?, wrap(py, d)?))
}

#[pyfunction]
fn _linalg_solve_triangular(py: Python<'_>, a: PyRef<'_, PyTensor>, b: PyRef<'_, PyTensor>, upper: bool, unit: bool) -> PyResult<Py<PyTensor>> {
    Ok(wrap(py, la::solve_triangular(&a.t, &b.t, upper, unit)?)?)
}

#[pyfunction]
fn _linalg_householder_product(py: Python<'_>, a: PyRef<'_, PyTensor>, tau: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
    Ok(wrap(py, la::householder_product(&a.t, &tau.t)?)?)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_linalg_svd, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_eigh, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_eig, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_qr, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_cholesky, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_lu_factor, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_solve, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_inv, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_slogdet, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_solve_triangular, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_householder_product, m)?)?;
    Ok(())
}
