//! Maps core errors to the Python exception types torch raises.
use std::cell::RefCell;

use pyo3::PyErr;
use pyo3::exceptions::{PyIndexError, PyNotImplementedError, PyRuntimeError, PyTypeError, PyValueError};

use crate::error::{Error, ErrorKind};

/// Marks a core error that stands for a Python exception raised inside a callback (a hook, a
/// custom Function's backward); the exception itself waits here and is re-raised unchanged.
const PY_SENTINEL: &str = "\u{0}python exception";

thread_local! {
    static PENDING: RefCell<Option<PyErr>> = const { RefCell::new(None) };
}

/// Carries a Python exception through Rust code that only knows core errors.
pub fn stash(e: PyErr) -> Error {
    PENDING.with(|p| *p.borrow_mut() = Some(e));
    crate::error::runtime(PY_SENTINEL)
}

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        if e.msg == PY_SENTINEL {
            if let Some(p) = PENDING.with(|p| p.borrow_mut().take()) {
                return p;
            }
        }
        match e.kind {
            ErrorKind::Runtime => PyRuntimeError::new_err(e.msg),
            ErrorKind::Index => PyIndexError::new_err(e.msg),
            ErrorKind::Type => PyTypeError::new_err(e.msg),
            ErrorKind::Value => PyValueError::new_err(e.msg),
            ErrorKind::NotImplemented => PyNotImplementedError::new_err(e.msg),
        }
    }
}
