"""Window functions as torch has them: hann_window, hamming_window, blackman_window,
bartlett_window and kaiser_window (periodic, dtype, requires_grad), computed step by step in the
requested dtype the way torch computes them (bfloat16/float16 through float32 for kaiser)."""
import math as _math
import sys as _sys

from . import _C

Tensor = _C.Tensor
_pkg = _sys.modules[__name__.rpartition(".")[0]]

_CNAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
           "uint8": "unsigned char", "bool": "bool", "uint16": "unsigned short", "uint32": "unsigned int",
           "uint64": "unsigned long"}


def _checks(name, window_length, dtype):
    if dtype is None:
        dtype = _pkg.get_default_dtype()
    if isinstance(window_length, bool) or not isinstance(window_length, int):
        raise TypeError(f"{name}(): argument 'window_length' (position 1) must be int, not {type(window_length).__name__}")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={window_length}")
    if dtype.is_complex:
        from ._api_extra import _dtname
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{_dtname(dtype)}'")
    if not dtype.is_floating_point:
        cname = _CNAMES.get(str(dtype).replace("torch.", ""), str(dtype))
        raise RuntimeError(f"{name} expects floating point dtypes, got: TensorOptions(dtype={cname}, device=cpu, "
                           "layout=Strided (default), requires_grad=false (default), pinned_memory=false, "
                           "memory_format=(nullopt))")
    return dtype


def _finish(w, requires_grad, device):
    if device is not None and str(device) != "cpu":
        w = w.to(device)
    if requires_grad:
        w.requires_grad_(True)
    return w


def _trivial(window_length, dtype):
    if window_length == 0:
        return _pkg.empty((0,), dtype=dtype)
    if window_length == 1:
        return _pkg.ones((1,), dtype=dtype)
    return None


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None, device=None,
                   pin_memory=False, requires_grad=False):
    dtype = _checks("hamming_window", window_length, dtype)
    return _finish(_hamming(window_length, periodic, alpha, beta, dtype), requires_grad, device)


def _hamming(window_length, periodic, alpha, beta, dtype):
    w = _trivial(window_length, dtype)
    if w is not None:
        return w
    n = window_length + 1 if periodic else window_length
    w = _pkg.arange(n, dtype=dtype)
    w = w.mul_(_math.pi * 2.0 / (n - 1)).cos_().mul_(-beta).add_(alpha)
    return w[: n - 1].clone() if periodic else w


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                requires_grad=False):
    dtype = _checks("hann_window", window_length, dtype)
    return _finish(_hamming(window_length, periodic, 0.5, 0.5, dtype), requires_grad, device)


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    dtype = _checks("blackman_window", window_length, dtype)
    w = _trivial(window_length, dtype)
    if w is None:
        n = window_length + 1 if periodic else window_length
        a = _pkg.arange(n, dtype=dtype).mul_(_math.pi / (n - 1))
        w = a.mul(4).cos_().mul_(0.08) - a.mul(2).cos_().mul_(0.5) + 0.42
        if periodic:
            w = w[: n - 1].clone()
    return _finish(w, requires_grad, device)


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    dtype = _checks("bartlett_window", window_length, dtype)
    w = _trivial(window_length, dtype)
    if w is None:
        n = window_length + 1 if periodic else window_length
        w = _pkg.arange(n, dtype=dtype).mul_(2.0 / (n - 1))
        first_half = ((n - 1) >> 1) + 1
        w[first_half:].mul_(-1).add_(2)
        if periodic:
            w = w[: n - 1].clone()
    return _finish(w, requires_grad, device)


_UNSET = object()


def kaiser_window(window_length, periodic=_UNSET, beta=_UNSET, *, dtype=None, layout=None, device=None,
                  pin_memory=False, requires_grad=False):
    if periodic is _UNSET and beta is not _UNSET:
        raise TypeError(f"kaiser_window() received an invalid combination of arguments - got (int, beta=float), "
                        "but expected one of:\n"
                        " * (int window_length, *, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)\n"
                        " * (int window_length, bool periodic, *, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)\n"
                        " * (int window_length, bool periodic, float beta, *, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)\n")
    periodic = True if periodic is _UNSET else periodic
    beta = 12.0 if beta is _UNSET else float(beta)
    dtype = _checks("kaiser_window", window_length, dtype)
    w = _trivial(window_length, dtype)
    if w is None:
        from ._api_math import _i0_compute
        n = window_length + 1 if periodic else window_length
        cdt = dtype if dtype in (_pkg.float32, _pkg.float64) else _pkg.float32
        alpha = (n - 1) / 2.0
        x = _pkg.arange(n, dtype=cdt)
        arg = ((x - alpha) / alpha).pow(2).neg_().add_(1).sqrt_().mul_(beta)
        w = (_i0_compute(arg) / _i0_compute(_pkg.tensor(beta, dtype=cdt))).to(dtype)
        if periodic:
            w = w[: n - 1].clone()
    return _finish(w, requires_grad, device)


for _n in ("hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"):
    if not hasattr(_pkg, _n):
        setattr(_pkg, _n, globals()[_n])
