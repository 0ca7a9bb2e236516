"""Commonly used ``torch.*`` functions found missing by the ``dir(torch)`` sweep, composed in Python
from existing (differentiable) oxytorch ops: clone, detach, meshgrid, isin, tril/triu_indices,
cross, cartesian_prod, combinations, block_diag, cov, corrcoef, put, unravel_index, scalar_tensor,
vander, is_nonzero, is_same_size, is_signed, and the Tensor methods new, sum_to_size,
fill_diagonal_, resize_as_, is_nonzero, is_inference, cross, cov, corrcoef, put, put_."""
import builtins as _b
import itertools as _it
import warnings as _warnings

from . import _C

Tensor = _C.Tensor
_ox = None  # the oxytorch package, bound lazily (this module is imported from its __init__)


def _t():
    global _ox
    if _ox is None:
        import oxytorch
        _ox = oxytorch
    return _ox


def _check_tensor(x, fname, arg="input", pos=1):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}")


_CTYPES = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
           "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
           "uint8": "unsigned char", "bool": "bool", "complex64": "c10::complex<float>",
           "complex128": "c10::complex<double>"}


def _ctype(dt):
    n = str(dt).replace("torch.", "")
    return _CTYPES.get(n, n)


def _deliver(res, out, name="", inputs=(), strict=False):
    """Writes ``res`` into ``out=`` as torch does: out= refuses autograd inputs; ``strict`` ops want
    the exact dtype, the others cast where torch's can_cast allows; a wrong-shaped out is resized
    (with torch's deprecation warning when it had elements)."""
    if out is None:
        return res
    ox = _t()
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if ox.is_grad_enabled() and (out.requires_grad or any(isinstance(i, Tensor) and i.requires_grad for i in inputs)):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic differentiation, "
                           "but one of the arguments requires grad.")
    if strict and out.dtype != res.dtype:
        raise RuntimeError(f"Expected out tensor to have dtype {_ctype(res.dtype)}, but got {_ctype(out.dtype)} instead")
    if not ox.can_cast(res.dtype, out.dtype):
        raise RuntimeError(f"result type {_dtname(res.dtype)} can't be cast to the desired output type {_dtname(out.dtype)}")
    if tuple(out.shape) != tuple(res.shape):
        if out.numel() != 0:
            _warnings.warn(f"An output with one or more elements was resized since it had shape {list(out.shape)}, "
                           f"which does not match the required output shape {list(res.shape)}. This behavior is "
                           "deprecated, and in a future PyTorch release outputs will not be resized unless they have "
                           "zero elements. You can explicitly reuse an out tensor t by resizing it, inplace, to zero "
                           "elements with t.resize_(0).", UserWarning, stacklevel=3)
        out.resize_(res.shape)
    with ox.no_grad():
        out.copy_(res)
    return out


def _dtname(dt):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
            "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}.get(
        str(dt).replace("torch.", ""), str(dt).replace("torch.", ""))


# ----------------------------------------------------------------------------------------------
def clone(input, *, memory_format=None):
    _check_tensor(input, "clone")
    if memory_format is None:
        return input.clone()
    return input.clone(memory_format=memory_format)


def detach(input):
    _check_tensor(input, "detach")
    return input.detach()


_meshgrid_warned = [False]


def meshgrid(*tensors, indexing=None):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        if not _meshgrid_warned[0]:
            _meshgrid_warned[0] = True
            _warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                           "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if len(tensors) == 0:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
        if t.dim() > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    for t in tensors[1:]:
        if t.dtype != tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    ts = list(tensors)
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = [t.numel() for t in ts]
    n = len(ts)
    outs = []
    for i, t in enumerate(ts):
        vs = [1] * n
        vs[i] = -1
        outs.append(t.reshape(vs).expand(shape))
    if swap:
        outs[0], outs[1] = outs[1], outs[0]
    return tuple(outs)


def isin(elements, test_elements, *, assume_unique=False, invert=False, out=None):
    ox = _t()
    e_t, s_t = isinstance(elements, Tensor), isinstance(test_elements, Tensor)
    if not e_t and not s_t:
        raise TypeError("isin() received an invalid combination of arguments - got "
                        f"({type(elements).__name__}, {type(test_elements).__name__}), but expected one of:\n"
                        " * (Tensor elements, Tensor test_elements, *, bool assume_unique = False, bool invert = False, Tensor out = None)\n"
                        " * (Number element, Tensor test_elements, *, bool assume_unique = False, bool invert = False, Tensor out = None)\n"
                        " * (Tensor elements, Number test_element, *, bool assume_unique = False, bool invert = False, Tensor out = None)\n")
    ref = elements if e_t else test_elements
    e = elements if e_t else ox.tensor(elements)
    s = test_elements if s_t else ox.tensor(test_elements)
    common = ox.result_type(elements, test_elements)
    for r in (elements, test_elements):
        if isinstance(r, Tensor) and (r.dtype.is_complex or r.dtype == ox.bool):
            raise NotImplementedError(f"Unsupported input type encountered for isin(): {_dtname(r.dtype)}")
    e = e.detach().to(common)
    s = s.detach().to(common).reshape(-1)
    if s.numel() == 0:
        res = ox.zeros(e.shape, dtype=ox.bool)
    elif e.numel() * s.numel() <= 65536:
        res = (e.reshape(-1, 1) == s.reshape(1, -1)).any(1).reshape(e.shape)
    else:
        srt = s.sort().values
        flat = e.reshape(-1)
        idx = ox.searchsorted(srt, flat).clamp(max=srt.numel() - 1)
        res = (srt[idx] == flat).reshape(e.shape)
    if invert:
        res = res.logical_not()
    return _deliver(res, out, "isin", (), strict=True)


def _tri_common(row, col, offset, dtype, device, lower):
    ox = _t()
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    if dtype is None:
        dtype = ox.long
    if dtype not in (ox.int64, ox.int32):
        raise NotImplementedError(f'"{"tril" if lower else "triu"}_indices" not implemented for \'{_dtname(dtype)}\'')
    r = ox.arange(row).reshape(-1, 1)
    c = ox.arange(col).reshape(1, -1)
    mask = (c - r <= offset) if lower else (c - r >= offset)
    idx = mask.nonzero().t()
    if idx.dim() != 2 or idx.shape[0] != 2 or idx.shape[1] == 0:
        res = ox.empty((2, 0), dtype=dtype)
    else:
        res = idx.contiguous().to(dtype)
    if device is not None and str(device) != "cpu":
        res = res.to(device)
    return res


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None, pin_memory=False):
    return _tri_common(row, col, offset, dtype, device, True)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None, pin_memory=False):
    return _tri_common(row, col, offset, dtype, device, False)


def cross(input, other, dim=None, *, out=None):
    ox = _t()
    _check_tensor(input, "cross")
    _check_tensor(other, "cross", "other", 2)
    if input.dim() != other.dim():
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions.")
    shape = ox.broadcast_shapes(input.shape, other.shape)
    if dim is None:
        dims = [i for i, s in enumerate(shape) if s == 3]
        if not dims:
            raise RuntimeError(f"no dimension of size 3 in input")
        dim = dims[0]
        _warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\n"
                       "Please either pass the dim explicitly or simply use torch.linalg.cross.\n"
                       "The default value of dim will change to agree with that of linalg.cross in a future release.",
                       UserWarning, stacklevel=2)
    nd = len(shape)
    if not (-max(nd, 1) <= dim < max(nd, 1)):
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(nd, 1)}, {max(nd, 1) - 1}], but got {dim})")
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[dim]} and {other.shape[dim]}")
    if input.dtype != other.dtype:
        raise RuntimeError(f"expected scalar type {_dtname(input.dtype)} but found {_dtname(other.dtype)}")
    if ox.promote_types(input.dtype, other.dtype) == ox.bool:
        raise NotImplementedError("\"cross\" not implemented for 'Bool'")
    a = input.expand(shape)
    b = other.expand(shape)
    a0, a1, a2 = (a.select(dim, i) for i in range(3))
    b0, b1, b2 = (b.select(dim, i) for i in range(3))
    res = ox.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], dim)
    return _deliver(res, out, "cross", (input, other), strict=True)


def cartesian_prod(*tensors):
    ox = _t()
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
        if t.dim() != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return ox.stack([g.reshape(-1) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    ox = _t()
    _check_tensor(input, "combinations")
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return ox.empty((0,), dtype=input.dtype)
    n = input.shape[0]
    gen = _it.combinations_with_replacement if with_replacement else _it.combinations
    idx = list(gen(range(n), r))
    if not idx:
        return ox.empty((0, r), dtype=input.dtype)
    it = ox.tensor(idx, dtype=ox.int64)
    return input[it.reshape(-1)].reshape(it.shape)


def block_diag(*tensors):
    ox = _t()
    if len(tensors) == 0:
        return ox.empty((1, 0))
    mats = []
    for i, t in enumerate(tensors):
        _check_tensor(t, "block_diag", "tensors")
        if t.dim() > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {t.dim()} dimensions")
        mats.append(t.reshape(1, 1) if t.dim() == 0 else (t.reshape(1, -1) if t.dim() == 1 else t))
    dt = mats[0].dtype
    for m in mats[1:]:
        dt = ox.promote_types(dt, m.dtype)
    total_c = _b.sum(m.shape[1] for m in mats)
    rows, left = [], 0
    for m in mats:
        r, c = m.shape
        parts = []
        if left:
            parts.append(ox.zeros((r, left), dtype=dt))
        parts.append(m.to(dt))
        if total_c - left - c:
            parts.append(ox.zeros((r, total_c - left - c), dtype=dt))
        rows.append(ox.cat(parts, 1) if len(parts) > 1 else parts[0])
        left += c
    return ox.cat(rows, 0) if len(rows) > 1 else rows[0].clone(memory_format=ox.contiguous_format)


def cov(input, *, correction=1, fweights=None, aweights=None):
    ox = _t()
    _check_tensor(input, "cov")
    if input.dim() > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with {input.dim()} dimensions")
    if input.dtype == ox.bool:
        raise NotImplementedError("cov(): bool dtype is not supported for input")
    x = input.reshape(1, -1) if input.dim() < 2 else input
    n_obs = x.shape[1]
    w = None
    if fweights is not None:
        if fweights.dim() > 1:
            raise RuntimeError(f"cov(): expected fweights to have one or fewer dimensions but got fweights with {fweights.dim()} dimensions")
        if fweights.dtype.is_floating_point or fweights.dtype.is_complex or fweights.dtype == ox.bool:
            raise RuntimeError(f"cov(): expected fweights to have integral dtype but got fweights with {_dtname(fweights.dtype)} dtype")
        if fweights.numel() != n_obs:
            raise RuntimeError(f"cov(): expected fweights to have the same numel as there are observations in the input but got {fweights.numel()} != {n_obs}")
        if n_obs > 0 and bool((fweights < 0).any()):
            raise RuntimeError(f"cov(): fweights cannot be negative")
        w = fweights
    if aweights is not None:
        if aweights.dim() > 1:
            raise RuntimeError(f"cov(): expected aweights to have one or fewer dimensions but got aweights with {aweights.dim()} dimensions")
        if not aweights.dtype.is_floating_point:
            raise RuntimeError(f"cov(): expected aweights to have floating point dtype but got aweights with {_dtname(aweights.dtype)} dtype")
        if aweights.numel() != n_obs:
            raise RuntimeError(f"cov(): expected aweights to have the same numel as there are observations in the input but got {aweights.numel()} != {n_obs}")
        if n_obs > 0 and bool((aweights < 0).any()):
            raise RuntimeError(f"cov(): aweights cannot be negative")
        w = aweights if w is None else w * aweights
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        x = x.to(ox.get_default_dtype() if w is None or not w.dtype.is_floating_point
                 else ox.promote_types(ox.get_default_dtype(), w.dtype))
    if w is None:
        avg = x.mean(1)
        w_sum = ox.tensor(float(n_obs), dtype=avg.real.dtype if avg.dtype.is_complex else avg.dtype)
    else:
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
    if w is None:
        norm_factor = w_sum - correction
    elif correction == 0:
        norm_factor = w_sum
    elif aweights is None:
        norm_factor = w_sum - correction
    else:
        norm_factor = w_sum - correction * (w * aweights).sum() / w_sum
    if bool(norm_factor <= 0):
        _warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the "
                       "number of observations.", UserWarning, stacklevel=2)
        norm_factor = ox.zeros_like(norm_factor)
    xc = x - avg.unsqueeze(1)
    xw = xc if w is None else xc * w
    c = ox.mm(xw, xc.t().conj())
    res = c / norm_factor
    return res.squeeze()


def corrcoef(input):
    ox = _t()
    _check_tensor(input, "corrcoef")
    if input.dim() > 2:
        raise RuntimeError(f"corrcoef(): expected input to have two or fewer dimensions but got an input with {input.dim()} dimensions")
    c = cov(input)
    if c.dim() == 0:
        return c / c
    d = c.diagonal()
    if d.dtype.is_complex:
        d = d.real
    stddev = d.sqrt()
    c = c / stddev.unsqueeze(1)
    c = c / stddev.unsqueeze(0)
    if c.dtype.is_complex:
        return ox.complex(c.real.clamp(-1, 1), c.imag.clamp(-1, 1))
    return c.clamp(-1, 1)


def _put_check(self, index, source):
    ox = _t()
    _check_tensor(index, "put_", "index", 1)
    _check_tensor(source, "put_", "source", 2)
    if index.dtype != ox.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {_dtname(index.dtype)}")
    if self.dtype != source.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {_dtname(self.dtype)} and source.dtype = {_dtname(source.dtype)}")
    if index.numel() != source.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source.numel()}, index.numel() = {index.numel()}")
    n = self.numel()
    if n == 0 and index.numel():
        raise IndexError("put_(): Tried to put elements into an empty tensor")
    if index.numel():
        lo, hi = int(index.min()), int(index.max())
        for v in (lo, hi):
            if v >= n or v < -n:
                raise IndexError(f"out of range: tried to access index {v} on a tensor of {n} elements.")
    idx = index.reshape(-1)
    return ox.where(idx < 0, idx + n, idx), source.reshape(-1)


def _put(self, index, source, accumulate=False):
    _put_check(self, index, source)
    return _put_(self.clone(), index, source, accumulate)


def _put_(self, index, source, accumulate=False):
    idx, src = _put_check(self, index, source)
    if self.is_contiguous() and not (source.requires_grad and not self.requires_grad):
        self.view(-1).index_put_((idx,), src, accumulate=accumulate)
    else:
        flat = self.reshape(-1).clone()
        flat.index_put_((idx,), src, accumulate=accumulate)
        self.copy_(flat.view(self.shape))
    return self


def put(input, index, source, accumulate=False):
    _check_tensor(input, "put")
    return _put(input, index, source, accumulate)


def unravel_index(indices, shape):
    ox = _t()
    if not isinstance(indices, Tensor):
        indices = ox.tensor(indices)
    if indices.dtype.is_floating_point or indices.dtype.is_complex or indices.dtype == ox.bool:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if isinstance(shape, int):
        shape = (shape,)
    shape = tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    if any(s == 0 for s in shape) and indices.numel():
        raise ValueError(f"'shape' cannot have zero dimensions when 'indices' is non-empty, but got {shape}")
    coords = []
    rem = indices.to(ox.int64)
    for s in reversed(shape):
        coords.append(ox.remainder(rem, s) if s else rem * 0)
        rem = ox.div(rem, s, rounding_mode="floor") if s else rem
    if not shape:
        return ()
    return ox.stack(list(reversed(coords)), -1).unbind(-1)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False):
    ox = _t()
    if isinstance(s, Tensor):
        s = s.item()
    if dtype is None:
        dtype = ox.get_default_dtype()
    if isinstance(s, complex) and not dtype.is_complex and dtype != ox.bool:
        cn = {"float32": "float", "int32": "int", "int64": "int64_t", "uint8": "uint8_t", "int8": "int8_t",
              "int16": "int16_t"}.get(str(dtype).replace("torch.", ""), "double")
        raise RuntimeError(f"value cannot be converted to type {cn} without overflow")
    res = ox.tensor(s, dtype=dtype, device=device)
    if requires_grad:
        res.requires_grad_(True)
    return res


def vander(x, N=None, increasing=False):
    ox = _t()
    _check_tensor(x, "vander", "x")
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    if N is None:
        N = x.shape[0]
    if not isinstance(N, int) or isinstance(N, bool):
        raise TypeError(f"vander(): argument 'N' must be int, not {type(N).__name__}")
    if N < 0:
        raise RuntimeError("N must be non-negative.")
    dt = ox.promote_types(x.dtype, ox.int64)
    n = x.shape[0]
    if N == 0:
        return ox.empty((n, 0), dtype=dt)
    xs = x.to(dt)
    cols = [ox.ones((n, 1), dtype=dt)]
    if N > 1:
        cols.append(xs.unsqueeze(1).expand(n, N - 1).cumprod(1))
    res = ox.cat(cols, 1) if len(cols) > 1 else cols[0]
    return res if increasing else res.flip(1)


def is_nonzero(input):
    _check_tensor(input, "is_nonzero")
    n = input.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    v = input.item()
    return bool(v != 0)


def is_same_size(input, other):
    _check_tensor(input, "is_same_size")
    _check_tensor(other, "is_same_size", "other", 2)
    return tuple(input.shape) == tuple(other.shape)


def is_signed(input):
    _check_tensor(input, "is_signed")
    return input.is_signed()


# ---- Tensor methods --------------------------------------------------------------------------
def _new(self, *args, device=None):
    ox = _t()
    if len(args) == 0:
        return ox.empty((0,), dtype=self.dtype)
    if len(args) == 1 and isinstance(args[0], Tensor):
        if args[0].dtype != self.dtype:
            opts = ("device=cpu, layout=Strided, requires_grad=false (default), pinned_memory=false (default), "
                    "memory_format=(nullopt))")
            raise TypeError(f"expected TensorOptions(dtype={_ctype(self.dtype)}, {opts} "
                            f"(got TensorOptions(dtype={_ctype(args[0].dtype)}, {opts})")
        return args[0].view(args[0].shape)
    if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        return ox.empty(args, dtype=self.dtype)
    if len(args) == 1 and isinstance(args[0], ox.Size):
        return ox.empty(tuple(args[0]), dtype=self.dtype)
    if len(args) == 1:
        return ox.tensor(args[0], dtype=self.dtype)
    raise TypeError("new(): invalid combination of arguments")


def _sum_to_size(self, *size):
    if len(size) == 1 and isinstance(size[0], (list, tuple)):
        size = tuple(size[0])
    size = tuple(int(s) for s in size)
    shape = tuple(self.shape)
    ok = len(size) <= len(shape)
    if ok:
        lead = len(shape) - len(size)
        for s, t in zip(size, shape[lead:]):
            if not (s == t or s == 1):
                ok = False
    if not ok:
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.".replace(",", ","))
    if size == shape:
        return self
    lead = len(shape) - len(size)
    res = self.sum(list(range(lead))) if lead else self
    keep = [i for i, (s, t) in enumerate(zip(size, shape[lead:])) if s == 1 and t != 1]
    if keep:
        res = res.sum(keep, keepdim=True)
    return res


def _fill_diagonal_(self, fill_value, wrap=False):
    ox = _t()
    nd = self.dim()
    if nd < 2:
        raise RuntimeError("dimensions must larger than 1")
    shape = tuple(self.shape)
    if nd > 2 and any(s != shape[0] for s in shape):
        raise RuntimeError("all dimensions of input must be of equal length")
    if nd > 2 or not wrap or shape[0] <= shape[1] + 1:
        m = _b.min(shape)
        ar = ox.arange(m)
        idx = tuple(ar for _ in range(nd))
    else:
        h, w = shape
        k = ox.arange(0, h * w, w + 1)
        idx = (ox.div(k, w, rounding_mode="floor"), ox.remainder(k, w))
    if idx[0].numel():
        self.index_put_(idx, ox.tensor(fill_value, dtype=self.dtype))
    return self


def _resize_as_(self, the_template, *, memory_format=None):
    _check_tensor(the_template, "resize_as_", "the_template")
    return self.resize_(the_template.shape)


def _is_inference(self):
    return False


def _cross(self, other, dim=None):
    return cross(self, other, dim)


def _cov(self, *, correction=1, fweights=None, aweights=None):
    return cov(self, correction=correction, fweights=fweights, aweights=aweights)


_EXPORTS = dict(clone=clone, detach=detach, meshgrid=meshgrid, isin=isin, tril_indices=tril_indices,
                triu_indices=triu_indices, cross=cross, cartesian_prod=cartesian_prod,
                combinations=combinations, block_diag=block_diag, cov=cov, corrcoef=corrcoef, put=put,
                unravel_index=unravel_index, scalar_tensor=scalar_tensor, vander=vander,
                is_nonzero=is_nonzero, is_same_size=is_same_size, is_signed=is_signed)
_METHODS = dict(new=_new, sum_to_size=_sum_to_size, fill_diagonal_=_fill_diagonal_, resize_as_=_resize_as_,
                is_nonzero=is_nonzero, is_inference=_is_inference, cross=_cross, cov=_cov,
                corrcoef=corrcoef, put=_put, put_=_put_, isin=None)


def _install(pkg):
    for k, v in _EXPORTS.items():
        if not hasattr(pkg, k):
            setattr(pkg, k, v)
    for k, v in _METHODS.items():
        if v is not None and not hasattr(Tensor, k):
            setattr(Tensor, k, v)


import sys as _sys  # noqa: E402
_install(_sys.modules[__name__.rpartition(".")[0]])
