"""``torch.autograd``: reverse-mode differentiation. The graph and the engine are in Rust
(``oxytorch._C``); this module holds the Python-facing API around them."""
import functools as _functools

from .. import _C
from .grad_mode import (  # noqa: F401
    no_grad,
    enable_grad,
    set_grad_enabled,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
)
from .function import Function, FunctionCtx  # noqa: F401
from .gradcheck import gradcheck, gradgradcheck  # noqa: F401
from . import graph  # noqa: F401
from ._api2 import *  # noqa: F401,F403,E402

__all__ = [
    "backward",
    "grad",
    "Function",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "gradcheck",
    "gradgradcheck",
]


def _tensor_or_tensors(x):
    if isinstance(x, _C.Tensor):
        return (x,)
    return tuple(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None, inputs=None):
    """Accumulates into ``.grad`` of the leaves the gradients of ``tensors``."""
    if grad_variables is not None:
        grad_tensors = grad_variables
    tensors = _tensor_or_tensors(tensors)
    if grad_tensors is not None and isinstance(grad_tensors, _C.Tensor):
        grad_tensors = (grad_tensors,)
    if inputs is not None:
        inputs = _tensor_or_tensors(inputs)
    _C._backward(tensors, grad_tensors, retain_graph, create_graph, inputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, as a tuple (no ``.grad`` is touched)."""
    if is_grads_batched:
        raise NotImplementedError("is_grads_batched=True is not supported")
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, but got: allow_unused=False.")
    outputs = _tensor_or_tensors(outputs)
    inputs_t = _tensor_or_tensors(inputs)
    if grad_outputs is not None and isinstance(grad_outputs, _C.Tensor):
        grad_outputs = (grad_outputs,)
    return _C._grad(outputs, inputs_t, grad_outputs, retain_graph, create_graph, allow_unused, materialize_grads)
