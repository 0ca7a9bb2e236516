#![allow(non_snake_case)]
//! The `oxytorch._C` extension module: PyO3 bindings with no math in them.
pub mod autograd;
pub mod conv;
pub mod convert;
pub mod create;
pub mod cuda;
pub mod dtype;
pub mod elementwise;
pub mod errors;
pub mod io;
pub mod matmul;
pub mod numpy;
pub mod ops;
pub mod random;
pub mod reduce;
pub mod sort;
pub mod tensor;
pub mod unary;
pub mod views;
pub mod index;
pub mod nnfn;
pub mod linalg;
pub mod special;
pub mod complex;
pub mod autograd_gaps;

use pyo3::prelude::*;

#[pyfunction]
fn get_default_dtype(py: Python<'_>) -> Py<dtype::PyDType> {
    dtype::dtype_obj(py, crate::dtype::default_dtype())
}

#[pyfunction]
fn set_default_dtype(d: &Bound<'_, PyAny>) -> PyResult<()> {
    let dt = dtype::extract_dtype(d, "set_default_dtype")?;
    if dt.is_float8() {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!("couldn't find storage object {}Storage", dt.scalar_name())));
    }
    if !dt.is_floating_point() {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "only floating-point types are supported as the default type, got {}",
            crate::dtype::DType::scalar_name(dt)
        )));
    }
    crate::dtype::set_default_dtype(dt);
    Ok(())
}

#[pymodule]

fn _C(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<tensor::PyTensor>()?;
    m.add_class::<dtype::PyDType>()?;
    m.add_class::<dtype::PyDevice>()?;
    m.add_class::<random::PyGenerator>()?;
    for dt in crate::dtype::ALL_DTYPES {
        m.add(dt.name(), dtype::dtype_obj(py, dt))?;
    }
    m.add_function(wrap_pyfunction!(tensor::_set_size_type, m)?)?;
    m.add_function(wrap_pyfunction!(get_default_dtype, m)?)?;
    m.add_function(wrap_pyfunction!(set_default_dtype, m)?)?;
    macro_rules! add {
        ($($f:path),* $(,)?) => { $( m.add_function(wrap_pyfunction!($f, m)?)?; )* };
    }
    add!(
        create::tensor,
        create::as_tensor,
        create::zeros,
        create::ones,
        create::empty,
        create::zeros_like,
        create::ones_like,
        create::empty_like,
        create::full,
        create::full_like,
        create::arange,
        create::linspace,
        create::logspace,
        create::eye,
        numpy::from_numpy,
        numpy::from_dlpack,
        random::manual_seed,
        random::initial_seed,
        random::seed,
        random::get_rng_state,
        random::set_rng_state,
        random::rand,
        random::randn,
        random::rand_like,
        random::randn_like,
        random::randint,
        random::randint_like,
        random::randperm,
        random::_normal_scalar,
        random::_normal_tensor,
        random::bernoulli,
        random::multinomial,
        random::_default_generator,
        ops::add,
        ops::sub,
        ops::mul,
        ops::div,
        ops::rsub,
        ops::floor_divide,
        ops::remainder,
        ops::fmod,
        ops::pow,
        ops::atan2,
        ops::hypot,
        ops::maximum,
        ops::minimum,
        ops::fmax,
        ops::fmin,
        ops::copysign,
        ops::bitwise_and,
        ops::bitwise_or,
        ops::bitwise_xor,
        ops::bitwise_left_shift,
        ops::bitwise_right_shift,
        ops::logical_and,
        ops::logical_or,
        ops::logical_xor,
        ops::eq,
        ops::ne,
        ops::lt,
        ops::le,
        ops::gt,
        ops::ge,
        unary::round,
        ops::result_type,
        ops::promote_types,
        ops::can_cast,
        ops::_set_num_threads,
        ops::_get_num_threads,
        cuda::_cuda_is_available,
        cuda::_cuda_device_count,
        cuda::_cuda_check,
        cuda::_cuda_synchronize,
    );
    unary::register(m)?;
    io::register(m)?;
    matmul::register(m)?;
    autograd::register(m)?;
    reduce::register(m)?;
    sort::register(m)?;
    elementwise::register(m)?;
    views::register(m)?;
    index::register(m)?;
    nnfn::register(m)?;
    conv::register(m)?;
    linalg::register(m)?;
    special::register(m)?;
    complex::register(m)?;
    autograd_gaps::register(m)?;
    Ok(())
}
