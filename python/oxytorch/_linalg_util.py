"""Shared helpers of ``oxytorch.linalg`` (split out of linalg.py): LinAlgError, named-tuple result types,
argument checks and torch's messages, autograd recording, ``out=`` delivery."""
import math as _math

import sys as _sys

from . import _C
from .return_types import _make

Tensor = _C.Tensor
_ot = _sys.modules[__package__]  # the oxytorch package (its namespace is complete by call time)


class LinAlgError(RuntimeError):
    """Raised for singular, non-positive-definite or non-converging inputs (a RuntimeError)."""


LinAlgError.__name__ = LinAlgError.__qualname__ = "_LinAlgError"
LinAlgError.__module__ = "torch._C"

_RT = {}
for _n, _f in (("linalg_svd", ("U", "S", "Vh")), ("svd", ("U", "S", "V")),
               ("linalg_eigh", ("eigenvalues", "eigenvectors")), ("linalg_eig", ("eigenvalues", "eigenvectors")),
               ("linalg_qr", ("Q", "R")), ("qr", ("Q", "R")), ("linalg_cholesky_ex", ("L", "info")),
               ("linalg_inv_ex", ("inverse", "info")), ("linalg_slogdet", ("sign", "logabsdet")),
               ("slogdet", ("sign", "logabsdet")), ("linalg_lu_factor", ("LU", "pivots")),
               ("linalg_lu_factor_ex", ("LU", "pivots", "info")), ("linalg_lu", ("P", "L", "U")),
               ("lu_unpack", ("P", "L", "U")), ("linalg_solve_ex", ("result", "info")),
               ("linalg_lstsq", ("solution", "residuals", "rank", "singular_values")), ("geqrf", ("a", "tau")),
               ("linalg_ldl_factor", ("LD", "pivots")), ("linalg_ldl_factor_ex", ("LD", "pivots", "info"))):
    _RT[_n] = _make(_n, _f)
del _n, _f

_NAMES = {
    "torch.bool": "Bool", "torch.uint8": "Byte", "torch.int8": "Char", "torch.int16": "Short",
    "torch.int32": "Int", "torch.int64": "Long", "torch.float16": "Half", "torch.bfloat16": "BFloat16",
    "torch.float32": "Float", "torch.float64": "Double", "torch.complex32": "ComplexHalf",
    "torch.complex64": "ComplexFloat", "torch.complex128": "ComplexDouble",
}
_LOW = ("torch.float16", "torch.bfloat16", "torch.complex32")
_OK = ("torch.float32", "torch.float64", "torch.complex64", "torch.complex128")


# ----------------------------------------------------------------------------------------------
# helpers

def _tensor(x, fname, arg="A", pos=1):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}")


# torch dispatches these on a CPU kernel whose dtype switch rejects other dtypes first (message names the kernel)
_KERNEL = {"linalg.qr": "geqrf_cpu", "linalg.svd": "linalg_svd_cpu", "linalg.svdvals": "linalg_svd_cpu",
           "linalg.cond": "linalg_svd_cpu", "linalg.eigh": "linalg_eigh_cpu", "linalg.eig": "linalg_eig_out_cpu",
           "linalg.eigvals": "linalg_eig_out_cpu", "linalg.cholesky": "cholesky_cpu", "linalg.det": "lu_cpu",
           "linalg.lu_factor": "lu_cpu", "linalg.lu_factor_ex": "lu_cpu", "linalg.lu": "lu_cpu",
           "linalg.solve_triangular": "triangular_solve_cpu", "torch.linalg.householder_product": "orgqr_cpu"}
_KERNEL_INT = ("linalg.eigh", "linalg.lu_factor", "linalg.lu_factor_ex", "linalg.lu", "linalg.solve_triangular",
               "torch.linalg.householder_product")


def _float(A, fname):
    d = str(A.dtype)
    if d in _OK:
        return
    if fname in _KERNEL and (d in _LOW or fname in _KERNEL_INT) and d != "torch.complex32":
        raise NotImplementedError(f'"{_KERNEL[fname]}" not implemented for \'{_NAMES[d]}\'')
    if fname in ("linalg.eig", "linalg.eigvals") and d not in _LOW:
        raise RuntimeError(f"Unknown Complex ScalarType for {_NAMES[d]}")
    if fname == "linalg.pinv":
        raise RuntimeError(f"linalg.pinv({_NAMES[d]}{{{list(A.shape)}}}): expected a tensor with 2 or more "
                           "dimensions of float, double, cfloat or cdouble types")
    if fname == "linalg.matrix_rank":
        raise RuntimeError("This function doesn't handle types other than float and double")
    fname = {"linalg.svdvals": "linalg.svd", "linalg.cond": "linalg.svd", "linalg.inv_ex": "linalg.inv"}.get(
        fname, fname)
    if d in _LOW:
        raise NotImplementedError(f"{fname}: Low precision dtypes not supported. Got {_NAMES[d]}")
    raise NotImplementedError(f"{fname}: Expected a floating point or complex tensor as input. Got {_NAMES[d]}")


def _mat(A, fname, arg="A", square=False, float_=True):
    _tensor(A, fname.replace("linalg.", "linalg_"), arg)
    if A.dim() < 2:
        raise RuntimeError(f"{fname}: The input tensor {arg} must have at least 2 dimensions.")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{fname}: {arg} must be batches of square matrices, "
                           f"but they are {A.shape[-2]} by {A.shape[-1]} matrices")
    if float_:
        _float(A, fname)
    if A.device.type != "cpu":
        raise NotImplementedError(f"[{fname}] is not implemented for CUDA tensors yet; move the tensor to the CPU "
                                  "with .cpu() first")


def _raise(info, batched, fname, msg, exc=None):
    """Raises LinAlgError for the first non-zero info code (torch's "(Batch element i): " prefix)."""
    if info.numel() == 0:
        return
    flat = info.reshape(-1)
    if not bool(flat.any()):
        return
    codes = flat.tolist()
    i = next(k for k, c in enumerate(codes) if c != 0)
    pre = f"(Batch element {i}): " if batched else ""
    raise (exc or LinAlgError)(f"{fname}: {pre}{msg(codes[i])}")


def _mH(x):
    x = x.transpose(-2, -1)
    return x.conj() if x.is_complex() else x


def _grad_on(*ts):
    return _C.is_grad_enabled() and any(isinstance(t, Tensor) and t.requires_grad for t in ts)


def _record(name, inputs, outputs, fn):
    _C._record_function(name, list(inputs), list(outputs), fn)


def _no_grad():
    from .autograd.grad_mode import no_grad
    return no_grad()


def _composite(name, f, inputs, n_diff=None):
    """Runs ``f(*inputs)`` (autograd-aware ops) as one node named ``name``: the inner graph is built on
    detached inputs and differentiated in backward. ``n_diff``: how many leading outputs are
    differentiable (all when None)."""
    if not _grad_on(*inputs):
        with _no_grad():
            return f(*inputs)
    from .autograd import grad as _agrad
    from .autograd.grad_mode import enable_grad
    ins = [x.detach().requires_grad_(x.requires_grad) for x in inputs]
    with enable_grad():
        out = f(*ins)
    single = not isinstance(out, tuple)
    outs = (out,) if single else out
    nd = len(outs) if n_diff is None else n_diff
    res = [o.detach() for o in outs]

    def bw(*grads):
        src, o_all = ins, outs
        if _C.is_grad_enabled():
            # a double backward: rebuild the inner graph on the real inputs so the gradient depends on them
            src = list(inputs)
            o_all = f(*src)
            o_all = (o_all,) if single else o_all
        pairs = [(o, g) for o, g in zip(o_all[:nd], grads) if g is not None and o.requires_grad]
        wrt = [i for i in src if i.requires_grad]
        if not pairs or not wrt:
            return tuple(None for _ in ins)
        gs = _agrad([o for o, _ in pairs], wrt, [g for _, g in pairs], retain_graph=True, allow_unused=True,
                    create_graph=_C.is_grad_enabled())
        it = iter(gs)
        return tuple(next(it) if i.requires_grad else None for i in src)

    _record(name, inputs, res[:nd], bw)
    return res[0] if single else tuple(res)


def _deliver(res, out, fname=None):
    """Writes ``res`` (a tensor or tuple) into ``out`` (resizing as torch does) and returns ``out``."""
    if out is None:
        return res
    if isinstance(res, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(res):
            raise TypeError(f"{fname or 'linalg'}(): argument 'out' must be tuple of Tensors")
        for o, r in zip(out, res):
            _deliver(r, o)
        return type(res)(tuple(out)) if hasattr(res, "_fields") or type(res) is not tuple else tuple(out)
    if out.dtype != res.dtype:
        raise RuntimeError(f"Expected out tensor to have dtype {res.dtype}, but got {out.dtype} instead")
    if tuple(out.shape) != tuple(res.shape):
        out.resize_(res.shape)
    with _no_grad():
        out.copy_(res)
    return out


def _eye_like(n, A):
    return _ot.eye(n, dtype=A.dtype)


def _real_dtype(dt):
    return {"torch.complex64": _ot.float32, "torch.complex128": _ot.float64}.get(str(dt), dt)


def _eps(dt):
    return {"torch.float32": 1.1920928955078125e-07, "torch.complex64": 1.1920928955078125e-07}.get(
        str(dt), 2.220446049250313e-16)


def _diag(v):
    return _ot.diag_embed(v)
