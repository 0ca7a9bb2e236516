"""Function forms ``torch`` exposes at top level, composed from existing oxytorch ops: the in-place
``torch.X_(t, ...)`` forms of Tensor methods, fill, dropout variants, deg2rad/rad2deg, trapz,
narrow_copy and the ``*_copy`` view variants, unsafe_chunk/split, the deprecated ``torch.range``,
the ``*_scatter`` ops and ``index_reduce``."""
import math as _math
import sys as _sys
import warnings as _warnings

from . import _C

Tensor = _C.Tensor
_pkg = _sys.modules[__name__.rpartition(".")[0]]

# torch's top-level in-place names; installed where oxytorch.Tensor has the method.
_INPLACE_NAMES = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_",
    "arctanh_", "as_strided_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "celu_", "clamp_",
    "clamp_max_", "clamp_min_", "clip_", "conj_physical_", "cos_", "cosh_", "deg2rad_", "detach_",
    "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_", "gcd_", "i0_",
    "index_put_", "lcm_", "ldexp_", "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_",
    "neg_", "negative_", "rad2deg_", "reciprocal_", "relu_", "resize_as_", "round_", "rsqrt_",
    "selu_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_", "square_", "tan_", "tanh_", "threshold_",
    "trunc_", "xlogy_", "zero_")


def _method_form(name):
    def fn(input, *args, **kwargs):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        return getattr(input, name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    return fn


def _check(x, fname, arg="input", pos=1):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}")


from ._api_extra import _deliver  # noqa: E402


# ---- simple functional forms ------------------------------------------------------------------
def fill(input, value):
    _check(input, "fill")
    return input.clone().fill_(value)


def _F():
    from .nn import functional
    return functional


def _p_check(p):
    if p < 0 or p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input, p, train):
    _p_check(p)
    return _F().dropout(input, p, train)


def alpha_dropout(input, p, train):
    _p_check(p)
    return _F().alpha_dropout(input, p, train)


def feature_alpha_dropout(input, p, train):
    _p_check(p)
    return _F().feature_alpha_dropout(input, p, train)


def _feature_dropout_impl(input, p, train, inplace):
    _p_check(p)
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if not train or p == 0:
        return input
    ox = _pkg
    shape = list(input.shape[:2]) + [1] * (input.dim() - 2)
    if p == 1:
        mask = ox.zeros(shape, dtype=input.dtype)
    else:
        mask = ox.empty(shape, dtype=input.dtype).bernoulli_(1 - p).div_(1 - p)
    if inplace:
        return input.mul_(mask)
    return input * mask


def feature_dropout(input, p, train):
    return _feature_dropout_impl(input, p, train, False)


def dropout_(input, p, train):
    _p_check(p)
    return _F().dropout(input, p, train, inplace=True)


def alpha_dropout_(input, p, train):
    _p_check(p)
    return _F().alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout_(input, p, train):
    _p_check(p)
    return _F().feature_alpha_dropout(input, p, train, inplace=True)


def feature_dropout_(input, p, train):
    return _feature_dropout_impl(input, p, train, True)


def _angle_check(x, name):
    if x.dtype.is_complex:
        raise NotImplementedError(f"{name} is not supported for complex tensors.")


def deg2rad(input, *, out=None):
    _check(input, "deg2rad")
    _angle_check(input, "deg2rad")
    return _deliver(input * (_math.pi / 180.0), out, "deg2rad", (input,))


def rad2deg(input, *, out=None):
    _check(input, "rad2deg")
    _angle_check(input, "rad2deg")
    return _deliver(input * (180.0 / _math.pi), out, "rad2deg", (input,))


def deg2rad_(input):
    _check(input, "deg2rad_")
    _angle_check(input, "deg2rad")
    return input.mul_(_math.pi / 180.0)


def rad2deg_(input):
    _check(input, "rad2deg_")
    _angle_check(input, "rad2deg")
    return input.mul_(180.0 / _math.pi)


def trapz(y, x=None, *, dx=None, dim=-1):
    if x is not None and not isinstance(x, Tensor):
        dx, x = x, None
    if x is not None:
        return _pkg.trapezoid(y, x, dim=dim)
    return _pkg.trapezoid(y, dx=1 if dx is None else dx, dim=dim)


# ---- *_copy view variants -------------------------------------------------------------------
def _copy_of(view_fn, name):
    def fn(input, *args, out=None, **kwargs):
        _check(input, name)
        res = view_fn(input, *args, **kwargs).clone(memory_format=_pkg.contiguous_format)
        if out is not None and name == "narrow_copy" and out.dtype != res.dtype:
            raise RuntimeError("Expected self.dtype() == output.dtype() to be true, but got false.  (Could this "
                               "error message be improved?  If so, please report an enhancement request to PyTorch.)")
        return _deliver(res, out, name, (input,), strict=True)
    fn.__name__ = fn.__qualname__ = name
    return fn


def _list_copy_of(view_fn, name):
    def fn(input, *args, out=None, **kwargs):
        _check(input, name)
        res = [v.clone(memory_format=_pkg.contiguous_format) for v in view_fn(input, *args, **kwargs)]
        if out is not None:
            for o, r in zip(out, res):
                _deliver(r, o, name, (input,), strict=True)
            return None
        return tuple(res)
    fn.__name__ = fn.__qualname__ = name
    return fn


def _slice(input, dim=0, start=None, end=None, step=1):
    n = input.shape[dim]
    s = 0 if start is None else start
    e = n if end is None else end
    if s < 0:
        s += n
    if e < 0:
        e += n
    s = min(max(s, 0), n)
    e = min(max(e, s), n)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    idx = [slice(None)] * input.dim()
    idx[dim if dim >= 0 else dim + input.dim()] = slice(s, e, step)
    return input[tuple(idx)]


def _view(input, *size):
    if len(size) == 1 and isinstance(size[0], _pkg.dtype):
        return input.view(size[0])
    return input.reshape(*size)


_COPY_VIEWS = {
    "view_copy": _view,
    "permute_copy": lambda t, dims: t.permute(*dims),
    "transpose_copy": lambda t, d0, d1: t.transpose(d0, d1),
    "t_copy": lambda t: t.t(),
    "squeeze_copy": lambda t, *a: t.squeeze(*a),
    "unsqueeze_copy": lambda t, d: t.unsqueeze(d),
    "expand_copy": lambda t, size, *, implicit=False: t.expand(*size) if isinstance(size, (list, tuple)) else t.expand(size),
    "diagonal_copy": lambda t, offset=0, dim1=0, dim2=1: t.diagonal(offset, dim1, dim2),
    "select_copy": lambda t, dim, index: t.select(dim, index),
    "slice_copy": _slice,
    "unfold_copy": lambda t, dimension, size, step: t.unfold(dimension, size, step),
    "alias_copy": lambda t: t.view(t.shape),
    "detach_copy": lambda t: t.detach(),
    "as_strided_copy": lambda t, size, stride, storage_offset=None: t.as_strided(size, stride, storage_offset),
    "view_as_real_copy": lambda t: _pkg.view_as_real(t),
    "view_as_complex_copy": lambda t: _pkg.view_as_complex(t),
    "narrow_copy": lambda t, dim, start, length: t.narrow(dim, start, length),
}

def _int_split(split_size):
    if not isinstance(split_size, int) or isinstance(split_size, bool):
        raise TypeError(f"split_copy(): argument 'split_size' (position 2) must be int, not {type(split_size).__name__}")
    return split_size


_LIST_VIEWS = {
    "unbind_copy": lambda t, dim=0: t.unbind(dim),
    "split_copy": lambda t, split_size, dim=0: t.split(_int_split(split_size), dim),
    "split_with_sizes_copy": lambda t, split_sizes, dim=0: t.split(list(split_sizes), dim),
}


def unsafe_chunk(input, chunks, dim=0):
    _check(input, "unsafe_chunk")
    return tuple(input.chunk(chunks, dim))


def unsafe_split(tensor, split_size_or_sections, dim=0):
    _check(tensor, "unsafe_split", "tensor")
    return tuple(tensor.split(split_size_or_sections, dim))


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    _check(input, "unsafe_split_with_sizes")
    return tuple(input.split(list(split_sizes), dim))


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    _warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior "
                   "is inconsistent with Python's range builtin. Instead, use torch.arange, which produces "
                   "values in [start, end).", UserWarning, stacklevel=2)
    if end is None:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    vals = [float(v.item()) if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if dtype is None:
        dtype = out.dtype if out is not None else _pkg.get_default_dtype()
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if any(isinstance(v, float) and not _math.isfinite(v) for v in (start, end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (step > 0 and start > end) or (step < 0 and start < end):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = int(_math.floor((end - start) / step)) + 1
    res = (_pkg.arange(n, dtype=_pkg.float64) * step + start).to(dtype)
    if requires_grad:
        res.requires_grad_(True)
    return _deliver(res, out, "range")


# ---- *_scatter --------------------------------------------------------------------------------
def _scatter_into(input, src, view_fn):
    out = input.clone()
    v = view_fn(out)
    if tuple(v.shape) != tuple(src.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(v.shape)}")
    if not (_pkg.is_grad_enabled() and (src.requires_grad or input.requires_grad)):
        v.copy_(src)
        return out
    # differentiable in both input and src: out = where(mask, src gathered to each position, input)
    n = input.numel()
    pos = _pkg.empty_like(out, dtype=_pkg.int64)
    pos.copy_(_pkg.arange(n).reshape(input.shape))
    idx = view_fn(pos).reshape(-1)
    mask = _pkg.zeros(n, dtype=_pkg.bool)
    which = _pkg.zeros(n, dtype=_pkg.int64)
    if idx.numel():
        mask[idx] = True
        which[idx] = _pkg.arange(idx.numel())
    src_flat = src.to(input.dtype).reshape(-1)
    gathered = src_flat[which] if src_flat.numel() else _pkg.zeros(n, dtype=input.dtype)
    res = _pkg.where(mask.reshape(input.shape), gathered.reshape(input.shape), input)
    return _pkg.empty_like(out).copy_(res)  # the layout torch's clone-then-copy gives


def select_scatter(input, src, dim, index):
    _check(input, "select_scatter")
    _check(src, "select_scatter", "src", 2)
    return _scatter_into(input, src, lambda o: o.select(dim, index))


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    _check(input, "slice_scatter")
    _check(src, "slice_scatter", "src", 2)
    return _scatter_into(input, src, lambda o: _slice(o, dim, start, end, step))


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    _check(input, "diagonal_scatter")
    _check(src, "diagonal_scatter", "src", 2)
    return _scatter_into(input, src, lambda o: o.diagonal(offset, dim1, dim2))


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    _check(input, "as_strided_scatter")
    _check(src, "as_strided_scatter", "src", 2)
    return _scatter_into(input, src, lambda o: o.as_strided(size, stride, storage_offset))


# ---- index_reduce -----------------------------------------------------------------------------
_ir_warned = [False]


def _index_reduce_prep(self, dim, index, source, reduce, name, include_self=True):
    if not _ir_warned[0]:
        _ir_warned[0] = True
        _warnings.warn("index_reduce() is in beta and the API may change at any time.", UserWarning, stacklevel=3)
    _check(index, name, "index", 2)
    _check(source, name, "source", 3)
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    if index.dtype not in (_pkg.int64, _pkg.int32):
        from ._api_extra import _dtname
        raise RuntimeError(f"index_reduce_(): Expected dtype int32/int64 for index but got: {_dtname(index.dtype)}")
    if self.dtype != source.dtype:
        from ._api_extra import _dtname
        raise RuntimeError(f"index_reduce_(): self ({_dtname(self.dtype)}) and source ({_dtname(source.dtype)}) "
                           "must have the same scalar type")
    if index.dim() > 1:
        from ._api_extra import _dtname
        raise IndexError(f"index_reduce_(): Index is supposed to be a vector, but got dim: {index.dim()} with type: "
                         f"{_dtname(index.dtype)} and size: {list(index.shape)}")
    if self.dtype.is_complex or self.dtype == _pkg.bool:
        from ._api_extra import _dtname
        fn = None
        if not include_self:
            fn = "index_reduce_func_exclude_input_init"
        elif self.dim() <= 1:
            fn = "index_func_"
        elif self.dtype == _pkg.bool and reduce == "mean":
            fn = "div_floor_cpu"
        elif self.dtype.is_complex and reduce in ("amax", "amin"):
            fn = "maximum_cpu" if reduce == "amax" else "minimum_cpu"
        if fn:
            raise NotImplementedError(f"\"{fn}\" not implemented for '{_dtname(self.dtype)}'")
    nd = max(self.dim(), 1)
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    d = dim % nd
    ssz = source.shape[d] if source.dim() else 1
    if index.numel() != ssz:
        raise RuntimeError(f"index_reduce_(): Number of indices ({index.numel()}) should be equal to "
                           f"source.size(dim): ({ssz}), for dim: {dim}")
    ss, so = list(self.shape), list(source.shape)
    if self.dim() and source.dim():
        ok = len(ss) == len(so) and all(a == b for i, (a, b) in enumerate(zip(ss, so)) if i != d)
    else:
        ok = max(len(ss), len(so)) <= 1 and source.numel() == 1
    if not ok:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {ss} source.shape = {so}")
    n = self.shape[d] if self.dim() else 1
    if index.numel() and (int(index.max()) >= n or int(index.min()) < 0):
        raise IndexError("index out of range in self")
    idx = index.reshape(-1).to(_pkg.int64)
    if self.dim() == 0:
        return d, idx, source.reshape(-1)
    shape = [1] * source.dim()
    shape[d] = -1
    return d, idx.reshape(shape).expand(source.shape), source


def index_reduce(input, dim, index, source, reduce, *, include_self=True, out=None):
    _check(input, "index_reduce")
    d, idx, src = _index_reduce_prep(input, dim, index, source, reduce, "index_reduce", include_self)
    if input.dim() == 0:
        res = input.reshape(1).scatter_reduce(0, idx, src, reduce, include_self=include_self).reshape(())
    else:
        res = input.scatter_reduce(d, idx, src, reduce, include_self=include_self)
    return _deliver(res, out, "index_reduce", (input, source), strict=True)


def _index_reduce_method(self, dim, index, source, reduce, *, include_self=True):
    return index_reduce(self, dim, index, source, reduce, include_self=include_self)


def _index_reduce_(self, dim, index, source, reduce, *, include_self=True):
    d, idx, src = _index_reduce_prep(self, dim, index, source, reduce, "index_reduce_", include_self)
    if self.dim() == 0:
        self.copy_(self.reshape(1).scatter_reduce(0, idx, src, reduce, include_self=include_self).reshape(()))
        return self
    return self.scatter_reduce_(d, idx, src, reduce, include_self=include_self)


def _install():
    for name in _INPLACE_NAMES:
        if not hasattr(_pkg, name) and hasattr(Tensor, name):
            setattr(_pkg, name, _method_form(name))
    g = globals()
    for name in ("fill", "dropout", "alpha_dropout", "feature_alpha_dropout", "feature_dropout", "dropout_",
                 "alpha_dropout_", "feature_alpha_dropout_", "feature_dropout_", "deg2rad", "rad2deg",
                 "deg2rad_", "rad2deg_", "trapz", "unsafe_chunk", "unsafe_split", "unsafe_split_with_sizes",
                 "range", "select_scatter", "slice_scatter", "diagonal_scatter", "as_strided_scatter",
                 "index_reduce"):
        if not hasattr(_pkg, name):
            setattr(_pkg, name, g[name])
    for name, fn in _COPY_VIEWS.items():
        if not hasattr(_pkg, name):
            setattr(_pkg, name, _copy_of(fn, name))
    for name, fn in _LIST_VIEWS.items():
        if not hasattr(_pkg, name):
            setattr(_pkg, name, _list_copy_of(fn, name))
    meths = {
        "deg2rad": lambda self: deg2rad(self), "rad2deg": lambda self: rad2deg(self),
        "deg2rad_": deg2rad_, "rad2deg_": rad2deg_, "index_reduce": _index_reduce_method,
        "index_reduce_": _index_reduce_,
        "select_scatter": select_scatter, "slice_scatter": slice_scatter,
        "diagonal_scatter": diagonal_scatter, "as_strided_scatter": as_strided_scatter,
        "narrow_copy": _pkg.narrow_copy,
    }
    for name, fn in meths.items():
        if not hasattr(Tensor, name):
            setattr(Tensor, name, fn)


_install()
