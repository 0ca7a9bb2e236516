"""Further ``torch.*`` names found missing by the ``dir(torch)`` sweep, composed in Python: global
flags training scripts set (deterministic algorithms, warn_always, float32 matmul precision,
flush_denormal, interop threads), torch.gradient, pdist, mvlgamma, nonzero_static, the nn.functional
forms torch re-exports (pixel_shuffle, pixel_unshuffle, channel_shuffle, bilinear), is_inference,
and the Tensor methods is_same_size, unsafe_chunk/unsafe_split/unsafe_split_with_sizes,
cumsum_/cumprod_, mvlgamma(_), nonzero_static."""
import math as _math
import sys as _sys
import warnings as _warnings

from . import _C
from ._api_extra import _check_tensor as _check, _deliver

Tensor = _C.Tensor
_pkg = _sys.modules[__name__.rpartition(".")[0]]

# ---- global flags -----------------------------------------------------------------------------
_state = {"deterministic": False, "warn_only": False, "warn_always": False, "matmul_precision": "highest",
          "interop_threads": 1}


def use_deterministic_algorithms(mode, *, warn_only=False):
    if not isinstance(mode, bool):
        raise TypeError(f"_set_deterministic_algorithms(): argument 'mode' (position 1) must be bool, not {type(mode).__name__}")
    if not isinstance(warn_only, bool):
        raise TypeError(f"_set_deterministic_algorithms(): argument 'warn_only' must be bool, not {type(warn_only).__name__}")
    _state["deterministic"] = mode
    _state["warn_only"] = warn_only if mode else False


def are_deterministic_algorithms_enabled():
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    return _state["warn_only"]


def set_deterministic_debug_mode(debug_mode):
    if isinstance(debug_mode, str):
        names = {"default": 0, "warn": 1, "error": 2}
        if debug_mode not in names:
            raise RuntimeError(f"invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got {debug_mode}")
        debug_mode = names[debug_mode]
    elif isinstance(debug_mode, int) and not isinstance(debug_mode, bool):
        if debug_mode not in (0, 1, 2):
            raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    else:
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    if not _state["deterministic"]:
        return 0
    return 1 if _state["warn_only"] else 2


def set_warn_always(b):
    _state["warn_always"] = bool(b)


def is_warn_always_enabled():
    return _state["warn_always"]


def set_float32_matmul_precision(precision):
    if precision not in ("highest", "high", "medium"):
        _warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                       "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _state["matmul_precision"] = precision


def get_float32_matmul_precision():
    return _state["matmul_precision"]


def set_flush_denormal(mode):
    """Accepted and reported as supported; oxytorch kernels keep denormals either way."""
    return True


def get_num_interop_threads():
    return _state["interop_threads"]


def set_num_interop_threads(num):
    if not isinstance(num, int) or isinstance(num, bool) or num <= 0:
        raise RuntimeError("Expected positive number of threads")
    _state["interop_threads"] = num


def is_inference(input):
    _check(input, "is_inference")
    return input.is_inference()


# ---- gradient --------------------------------------------------------------------------------
def _grad_prep(input, spacing, dim, edge_order):
    nd = input.dim()
    if dim is None:
        dims = list(range(nd))
    elif isinstance(dim, int):
        dims = [dim]
    else:
        dims = list(dim)
    dims = [d + nd if d < 0 else d for d in dims]
    for d in dims:
        if not 0 <= d < nd:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {d})")
    if edge_order not in (1, 2):
        raise RuntimeError(f"torch.gradient only supports edge_order=1 and edge_order=2.")
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    if isinstance(spacing, (int, float)) and not isinstance(spacing, bool):
        sp = [float(spacing)] * len(dims)
    elif isinstance(spacing, Tensor) and spacing.dim() == 0:
        sp = [float(spacing.item())] * len(dims)
    else:
        sp = list(spacing)
        if len(sp) == 1 and len(dims) > 1 and not isinstance(sp[0], Tensor):
            sp = sp * len(dims)
        if len(sp) != len(dims):
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
                               f"arguments to have the same length, but got a spacing argument of length {len(sp)} "
                               f"and a dim argument of length {len(dims)}.")
    return dims, sp


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    _check(input, "gradient")
    dims, sp = _grad_prep(input, spacing, dim, edge_order)
    x = input
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        x = x.to(_pkg.get_default_dtype())
    outs = []
    for d, h in zip(dims, sp):
        n = x.shape[d]
        sl = lambda a, b: x.narrow(d, a, b - a)  # noqa: E731
        if isinstance(h, Tensor) and h.dim() == 1:
            if h.shape[0] != n:
                raise RuntimeError(f"torch.gradient expected each tensor to be on the same device and of the same length as the input along dim {d}")
            c = h.to(x.dtype if x.dtype.is_floating_point else _pkg.get_default_dtype())
            shape = [1] * x.dim()
            shape[d] = -1
            dx = (c[1:] - c[:-1])
            dx1, dx2 = dx[:-1].reshape(shape), dx[1:].reshape(shape)
            a = -dx2 / (dx1 * (dx1 + dx2))
            b = (dx2 - dx1) / (dx1 * dx2)
            cc = dx1 / (dx2 * (dx1 + dx2))
            interior = a * sl(0, n - 2) + b * sl(1, n - 1) + cc * sl(2, n)
            if edge_order == 1:
                first = (sl(1, 2) - sl(0, 1)) / dx[0]
                last = (sl(n - 1, n) - sl(n - 2, n - 1)) / dx[-1]
            else:
                d1, d2 = dx[0], dx[1]
                first = (-(2 * d1 + d2) / (d1 * (d1 + d2)) * sl(0, 1) + (d1 + d2) / (d1 * d2) * sl(1, 2)
                         - d1 / (d2 * (d1 + d2)) * sl(2, 3))
                d1, d2 = dx[-2], dx[-1]
                last = (d2 / (d1 * (d1 + d2)) * sl(n - 3, n - 2) - (d2 + d1) / (d1 * d2) * sl(n - 2, n - 1)
                        + (2 * d2 + d1) / (d2 * (d1 + d2)) * sl(n - 1, n))
        else:
            h = float(h.item()) if isinstance(h, Tensor) else float(h)
            interior = (sl(2, n) - sl(0, n - 2)) / (2 * h)
            if edge_order == 1:
                first = (sl(1, 2) - sl(0, 1)) / h
                last = (sl(n - 1, n) - sl(n - 2, n - 1)) / h
            else:
                first = (-1.5 * sl(0, 1) + 2 * sl(1, 2) - 0.5 * sl(2, 3)) / h
                last = (0.5 * sl(n - 3, n - 2) - 2 * sl(n - 2, n - 1) + 1.5 * sl(n - 1, n)) / h
        outs.append(_pkg.cat([first, interior, last], d))
    return tuple(outs)


# ---- pdist / mvlgamma / nonzero_static ----------------------------------------------------------
def pdist(input, p=2):
    _check(input, "pdist")
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if not input.dtype.is_floating_point:
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = input.shape[0]
    if n <= 1:
        return _pkg.empty((0,), dtype=input.dtype)
    idx = _pkg.triu_indices(n, n, 1)
    diff = input[idx[0]] - input[idx[1]]
    return _pkg.linalg.vector_norm(diff, ord=p, dim=1)


def mvlgamma(input, p, *, out=None):
    _check(input, "mvlgamma")
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    x = input
    if not x.dtype.is_floating_point:
        x = x.to(_pkg.get_default_dtype())
    args = x.unsqueeze(-1) - _pkg.arange(p, dtype=x.dtype) / 2
    res = args.lgamma().sum(-1) + p * (p - 1) / 4 * _math.log(_math.pi)
    return _deliver(res, out, "mvlgamma", (input,))


def _mvlgamma_(self, p):
    res = mvlgamma(self, p)
    if res.dtype != self.dtype:
        raise RuntimeError(f"result type Float can't be cast to the desired output type {self.dtype}")
    return self.copy_(res)


def nonzero_static(input, *, size, fill_value=-1):
    _check(input, "nonzero_static")
    if size < 0:
        raise RuntimeError(f"nonzero_static: 'size' must be an non-negative integer, but got: {size}")
    nz = input.nonzero()
    k = nz.shape[0]
    if k >= size:
        return _pkg.empty((size, nz.shape[1]), dtype=nz.dtype).copy_(nz[:size])
    pad = _pkg.full((size - k, nz.shape[1]), fill_value, dtype=nz.dtype)
    return _pkg.cat([nz, pad], 0)


def _install():
    from .nn import functional as F
    g = globals()
    for name in ("use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
                 "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
                 "get_deterministic_debug_mode", "set_warn_always", "is_warn_always_enabled",
                 "set_float32_matmul_precision", "get_float32_matmul_precision", "set_flush_denormal",
                 "get_num_interop_threads", "set_num_interop_threads", "is_inference", "gradient", "pdist",
                 "mvlgamma", "nonzero_static"):
        if not hasattr(_pkg, name):
            setattr(_pkg, name, g[name])
    for name in ("pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "bilinear"):
        if not hasattr(_pkg, name) and hasattr(F, name):
            setattr(_pkg, name, getattr(F, name))
    meths = {
        "is_same_size": _pkg.is_same_size,
        "unsafe_chunk": _pkg.unsafe_chunk, "unsafe_split": _pkg.unsafe_split,
        "unsafe_split_with_sizes": _pkg.unsafe_split_with_sizes,
        "cumsum_": lambda self, dim, *, dtype=None: self.copy_(self.cumsum(dim, dtype=dtype)),
        "cumprod_": lambda self, dim, *, dtype=None: self.copy_(self.cumprod(dim, dtype=dtype)),
        "mvlgamma": lambda self, p: mvlgamma(self, p), "mvlgamma_": _mvlgamma_,
        "nonzero_static": lambda self, *, size, fill_value=-1: nonzero_static(self, size=size, fill_value=fill_value),
    }
    for name, fn in meths.items():
        if not hasattr(Tensor, name):
            setattr(Tensor, name, fn)


_install()
