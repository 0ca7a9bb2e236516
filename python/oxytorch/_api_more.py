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


# ---- removed (1.9) functions: torch raises with a migration note ----------------------------------
_REMOVED = {
    'solve': (
        'This function was deprecated since version 1.9 and is now removed. `torch.solve` is deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` has its arguments reversed and does not return the LU factorization.\n'
        '\n'
        'To get the LU factorization see `torch.lu`, which can be used with `torch.lu_solve` or `torch.lu_unpack`.\n'
        'X = torch.solve(B, A).solution should be replaced with:\n'
        'X = torch.linalg.solve(A, B)'
    ),
    'symeig': (
        'This function was deprecated since version 1.9 and is now removed. The default behavior has changed from using the upper triangular portion of the matrix by default to using the lower triangular portion.\n'
        '\n'
        'L, _ = torch.symeig(A, upper=upper) should be replaced with:\n'
        "L = torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n"
        '\n'
        'and\n'
        '\n'
        'L, V = torch.symeig(A, eigenvectors=True) should be replaced with:\n'
        "L, V = torch.linalg.eigh(A, UPLO='U' if upper else 'L')"
    ),
    'eig': (
        'This function was deprecated since version 1.9 and is now removed. `torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather than real tensors mimicking complex tensors.\n'
        '\n'
        'L, _ = torch.eig(A) should be replaced with:\n'
        'L_complex = torch.linalg.eigvals(A)\n'
        '\n'
        'and\n'
        '\n'
        'L, V = torch.eig(A, eigenvectors=True) should be replaced with:\n'
        'L_complex, V_complex = torch.linalg.eig(A)'
    ),
    'lstsq': (
        'This function was deprecated since version 1.9 and is now removed. `torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n'
        '`torch.linalg.lstsq` has reversed arguments and does not return the QR decomposition in the returned tuple (although it returns other information about the problem).\n'
        '\n'
        'To get the QR decomposition consider using `torch.linalg.qr`.\n'
        '\n'
        "The returned solution in `torch.lstsq` stored the residuals of the solution in the last m - n columns of the returned value whenever m > n. In torch.linalg.lstsq, the residuals are in the field 'residuals' of the returned named tuple.\n"
        '\n'
        'The unpacking of the solution, as in\n'
        'X, _ = torch.lstsq(B, A).solution[:A.size(1)]\n'
        'should be replaced with:\n'
        'X = torch.linalg.lstsq(A, B).solution'
    ),
    'matrix_rank': (
        'This function was deprecated since version 1.9 and is now removed.\n'
        "Please use the `torch.linalg.matrix_rank` function instead. The parameter 'symmetric' was renamed in `torch.linalg.matrix_rank()` to 'hermitian'."
    ),
}


def _removed(name):
    def fn(*args, **kwargs):
        raise RuntimeError(_REMOVED[name])
    fn.__name__ = fn.__qualname__ = name
    return fn


_tri_warned = [False]


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    _check(b, "triangular_solve", "input")
    _check(A, "triangular_solve", "A", 2)
    if not _tri_warned[0]:
        _tri_warned[0] = True
        _warnings.warn("torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangular"
                       "and will be removed in a future PyTorch release.\ntorch.linalg.solve_triangular has its "
                       "arguments reversed and does not return a copy of one of the inputs.\n"
                       "X = torch.triangular_solve(B, A).solution\nshould be replaced with\n"
                       "X = torch.linalg.solve_triangular(A, B).", UserWarning, stacklevel=2)
    if b.dim() < 2:
        raise RuntimeError(f"torch.triangular_solve: Expected b to have at least 2 dimensions, but it has {b.dim()} dimensions instead")
    if A.dim() < 2:
        raise RuntimeError(f"torch.triangular_solve: Expected A to have at least 2 dimensions, but it has {A.dim()} dimensions instead")
    M = A.mT if transpose else A
    up = (not upper) if transpose else upper
    bshape = tuple(_pkg.broadcast_shapes(b.shape[:-2], A.shape[:-2]))
    sol = _pkg.linalg.solve_triangular(M.expand(bshape + tuple(M.shape[-2:])), b.expand(bshape + tuple(b.shape[-2:])),
                                       upper=up, unitriangular=unitriangular)
    coeff = A.expand(bshape + tuple(A.shape[-2:])).mT.contiguous().mT  # column-major, as LAPACK leaves it
    from . import return_types
    if not hasattr(return_types, "triangular_solve"):
        return_types._make("triangular_solve", ("solution", "cloned_coefficient"))
    if out is not None:
        _deliver(sol, out[0], "triangular_solve", (b, A))
        _deliver(coeff, out[1], "triangular_solve", (b, A))
        sol, coeff = out
    return return_types.triangular_solve((sol, coeff))


_norm_warned = {}


def _warn_norm_once(name, repl):
    if not _norm_warned.get(name):
        _norm_warned[name] = True
        _warnings.warn(f"at::{name} is deprecated and it is just left for JIT compatibility. It will be removed in a "
                       f"future PyTorch release. Please use `{repl}` instead", UserWarning, stacklevel=3)


def frobenius_norm(input, dim=(), keepdim=False, *, out=None):
    _check(input, "frobenius_norm")
    _warn_norm_once("frobenius_norm", "linalg.vector_norm(A, 2., dim, keepdim)")
    d = None if dim in ((), []) else dim
    return _deliver(_pkg.linalg.vector_norm(input, 2.0, d, keepdim), out, "frobenius_norm", (input,))


def nuclear_norm(input, dim=None, keepdim=False, *, out=None):
    _check(input, "nuclear_norm")
    _warn_norm_once("nuclear_norm", "linalg.matrix_norm(A, 'nuc', dim, keepdim)")
    if isinstance(dim, bool):
        dim, keepdim = None, dim
    d = (-2, -1) if dim is None else tuple(dim)
    if input.dim() != 2 and dim is None:
        raise RuntimeError(f"Expected a tensor with 2 dimensions, but got a tensor with {input.dim()} dimension{'s' if input.dim() != 1 else ''} instead.")
    return _deliver(_pkg.linalg.matrix_norm(input, "nuc", d, keepdim), out, "nuclear_norm", (input,))


def _install_more():
    for name in _REMOVED:
        if not hasattr(_pkg, name):
            setattr(_pkg, name, _removed(name))
        if not hasattr(Tensor, name):
            setattr(Tensor, name, _removed(name))
    for name, fn in (("triangular_solve", triangular_solve), ("frobenius_norm", frobenius_norm),
                     ("nuclear_norm", nuclear_norm)):
        if not hasattr(_pkg, name):
            setattr(_pkg, name, fn)
    if not hasattr(Tensor, "triangular_solve"):
        Tensor.triangular_solve = lambda self, A, upper=True, transpose=False, unitriangular=False: \
            triangular_solve(self, A, upper, transpose, unitriangular)


_install_more()


# ---- small Tensor attributes and CPU-only helpers ---------------------------------------------
def _apply_(self, callable):
    if self.device.type != "cpu":
        raise TypeError("apply_ is only implemented on CPU tensors")
    flat = self.reshape(-1).tolist()
    vals = [callable(v) for v in flat]
    self.copy_(_pkg.tensor(vals, dtype=self.dtype).reshape(self.shape))
    return self


def _map_(self, tensor, callable):
    other = tensor.expand(self.shape).reshape(-1).tolist()
    vals = [callable(a, b) for a, b in zip(self.reshape(-1).tolist(), other)]
    self.copy_(_pkg.tensor(vals, dtype=self.dtype).reshape(self.shape))
    return self


def _map2_(self, x, y, callable):
    xs = x.expand(self.shape).reshape(-1).tolist()
    ys = y.expand(self.shape).reshape(-1).tolist()
    vals = [callable(a, b, c) for a, b, c in zip(self.reshape(-1).tolist(), xs, ys)]
    self.copy_(_pkg.tensor(vals, dtype=self.dtype).reshape(self.shape))
    return self


def get_default_device():
    return _pkg.device("cpu")


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None,
            disable=False):
    """No compiler here: returns ``model`` unchanged (or a decorator doing so), which computes the
    same values torch.compile's compiled module does."""
    if model is None:
        return lambda m: m
    return model


def is_anomaly_enabled():
    return False


def is_anomaly_check_nan_enabled():
    return True


def _install_attrs():
    from .nn import functional as F
    if not hasattr(Tensor, "layout"):
        Tensor.layout = property(lambda self: _pkg.strided)
    for name in ("is_pinned", "is_shared", "is_xla", "is_mps", "is_xpu", "is_ipu", "is_mtia", "is_maia",
                 "is_vulkan", "is_mkldnn", "is_nested", "is_sparse_csr", "is_distributed"):
        if hasattr(Tensor, name):
            continue
        if name in ("is_pinned", "is_shared", "is_distributed"):
            setattr(Tensor, name, lambda self, *a, **k: False)
        else:
            setattr(Tensor, name, property(lambda self: False))
    meths = {"share_memory_": lambda self: self, "const_data_ptr": lambda self: self.data_ptr(),
             "apply_": _apply_, "map_": _map_, "map2_": _map2_}
    if hasattr(F, "hardshrink"):
        meths["hardshrink"] = lambda self, lambd=0.5: F.hardshrink(self, lambd)
    if hasattr(F, "prelu"):
        meths["prelu"] = lambda self, weight: F.prelu(self, weight)
    for name, fn in meths.items():
        if not hasattr(Tensor, name):
            setattr(Tensor, name, fn)
    for name, fn in (("get_default_device", get_default_device), ("compile", compile),
                     ("is_anomaly_enabled", is_anomaly_enabled),
                     ("is_anomaly_check_nan_enabled", is_anomaly_check_nan_enabled)):
        if not hasattr(_pkg, name):
            setattr(_pkg, name, fn)


_install_attrs()


# ---- empty_permuted / frombuffer / lu ----------------------------------------------------------
def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad=False,
                   pin_memory=False):
    size, perm = tuple(size), tuple(physical_layout)
    if len(size) != len(perm):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the physical_layout; "
                           f"i.e. len(size) = {len(size)} is not equal to len(physical_layout) = {len(perm)}")
    if sorted(perm) != list(range(len(perm))):
        raise RuntimeError(f"physical_layout must be a permutation of 0..{len(perm) - 1}, got {list(perm)}")
    phys = _pkg.empty(tuple(size[p] for p in perm), dtype=dtype, device=device)
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    res = phys.permute(*inv) if perm else phys
    if requires_grad:
        res.requires_grad_(True)
    return res


_fb_warned = [False]


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    import numpy as np
    mv = memoryview(buffer).cast("B")
    n = mv.nbytes
    esize = _pkg.empty((), dtype=dtype).element_size()
    if n == 0 or count == 0:
        raise ValueError(f"both buffer length ({n}) and count ({count}) must not be 0")
    if offset < 0 or offset >= n:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than buffer length ({n} bytes) minus 1")
    if count < 0:
        if (n - offset) % esize:
            raise ValueError(f"buffer length ({n - offset} bytes) after offset ({offset} bytes) must be a multiple "
                             f"of element size ({esize})")
        count = (n - offset) // esize
    elif count * esize > n - offset:
        raise ValueError(f"requested buffer length ({count} * {esize} bytes) after offset ({offset} bytes) must not "
                         f"be greater than actual buffer length ({n} bytes)")
    if mv.readonly and not _fb_warned[0]:
        _fb_warned[0] = True
        _warnings.warn("The given buffer is not writable, and PyTorch does not support non-writable tensors. This "
                       "means you can write to the underlying (supposedly non-writable) buffer using the tensor. You "
                       "may want to copy the buffer to protect its data or make it writable before converting it to "
                       "a tensor. This type of warning will be suppressed for the rest of this program.",
                       UserWarning, stacklevel=2)
    raw = np.frombuffer(mv, dtype=np.uint8, count=count * esize, offset=offset)
    if mv.readonly:
        raw = raw.view()
        raw.flags.writeable = False
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        res = _pkg.from_numpy(raw).view(dtype)
    if requires_grad:
        res.requires_grad_(True)
    return res


_lu_warned = [False]


def lu(A, pivot=True, get_infos=False, out=None):
    _check(A, "lu", "A")
    if not _lu_warned[0]:
        _lu_warned[0] = True
        _warnings.warn("torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and will "
                       "be removed in a future PyTorch release.\nLU, pivots = torch.lu(A, compute_pivots)\nshould be "
                       "replaced with\nLU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\nLU, pivots, info = "
                       "torch.lu(A, compute_pivots, get_infos=True)\nshould be replaced with\nLU, pivots, info = "
                       "torch.linalg.lu_factor_ex(A, compute_pivots)", UserWarning, stacklevel=2)
    if get_infos:
        LU, piv, info = _pkg.linalg.lu_factor_ex(A, pivot=pivot)
        from . import return_types
        if not hasattr(return_types, "_lu_with_info"):
            return_types._make("_lu_with_info", ("LU", "pivots", "info"))
        res = return_types._lu_with_info((LU, piv, info))
    else:
        res = tuple(_pkg.linalg.lu_factor(A, pivot=pivot))
    if out is not None:
        for o, r in zip(out, res):
            _deliver(r, o, "lu", (A,))
        return out
    return res


def _install_lu():
    for name, fn in (("empty_permuted", empty_permuted), ("frombuffer", frombuffer), ("lu", lu)):
        if not hasattr(_pkg, name):
            setattr(_pkg, name, fn)
    if not hasattr(Tensor, "lu"):
        Tensor.lu = lambda self, pivot=True, get_infos=False: lu(self, pivot, get_infos)
    if not hasattr(Tensor, "lu_solve") and hasattr(_pkg, "lu_solve"):
        Tensor.lu_solve = lambda self, LU_data, LU_pivots: _pkg.lu_solve(self, LU_data, LU_pivots)


_install_lu()
