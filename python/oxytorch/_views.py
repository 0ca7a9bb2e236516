"""Shape ops composed from the Rust view primitives: splitting, stacking, broadcasting helpers and
the ``torch.*`` function forms of view methods. Each mirrors torch's signature and errors."""
import builtins as _b

from . import _C

Tensor = _C.Tensor

__all__ = []


def _export(fn, name=None, method=True):
    name = name or fn.__name__
    globals()[name] = fn
    __all__.append(name)
    if method:
        setattr(Tensor, name, lambda self, *a, **k: fn(self, *a, **k))
    return fn


def _is_int(x):
    return isinstance(x, _b.int) and not isinstance(x, _b.bool)


def _wrap(d, n):
    m = _b.max(n, 1)
    if d < -m or d >= m:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-m}, {m - 1}], but got {d})")
    return d + m if d < 0 else d


# ----- reshaping -----

def flatten(input, start_dim=0, end_dim=-1):
    n = input.dim()
    if n == 0:
        return input.reshape(1)
    s, e = _wrap(start_dim, n), _wrap(end_dim, n)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = list(input.shape)
    mid = 1
    for d in shape[s:e + 1]:
        mid *= d
    return input.reshape(shape[:s] + [mid] + shape[e + 1:])


def unflatten(input, dim, sizes):
    n = input.dim()
    if n == 0:
        # torch wraps the dim with no scalar allowance and reports the failure as a RuntimeError
        raise RuntimeError(f"unflatten got an unexpected error:\nDimension specified as {dim} but tensor has no dimensions")
    d = _wrap(dim, n)
    sizes = list(sizes)
    if len(sizes) == 0:
        raise RuntimeError("unflatten: sizes must be non-empty")
    shape = list(input.shape)
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for x in sizes:
        if x != -1:
            known *= x
    if -1 in sizes:
        if known == 0 or shape[d] % known:
            raise RuntimeError(f"unflatten: Provided sizes {sizes} don't multiply up to the size of dim {dim} ({shape[d]}) in the input tensor")
        sizes[sizes.index(-1)] = shape[d] // known
    elif known != shape[d]:
        raise RuntimeError(f"unflatten: Provided sizes {sizes} don't multiply up to the size of dim {dim} ({shape[d]}) in the input tensor")
    return input.view(shape[:d] + sizes + shape[d + 1:])


def ravel(input):
    return input.reshape(-1)


for _f in (flatten, unflatten, ravel):
    _export(_f)


# 0-d inputs: torch refuses roll along a dim; the Rust roll would index the (empty) shape there.
_rs_roll = Tensor.roll


def _roll(self, shifts, dims=None):
    if self.dim() == 0 and dims is not None and dims != ():
        d = dims if _is_int(dims) else list(dims)[0]
        raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
    return _rs_roll(self, shifts, dims)


_roll.__name__ = "roll"
Tensor.roll = _roll


def _fn(name):
    """The ``torch.NAME(input, ...)`` form of a Tensor method."""
    meth = getattr(Tensor, name)

    def f(input, *args, **kwargs):
        return meth(input, *args, **kwargs)

    f.__name__ = name
    f.__doc__ = f"``torch.{name}(input, ...)``: same as ``input.{name}(...)``."
    return f


for _name in ("reshape", "squeeze", "unsqueeze", "transpose", "t", "narrow", "select", "movedim",
              "diagonal", "flip", "roll", "tril", "triu", "as_strided", "index_select", "gather", "scatter",
              "scatter_add", "scatter_reduce", "index_add", "index_copy", "index_fill", "masked_select",
              "masked_scatter", "take", "argwhere"):
    if not hasattr(_C, _name) and hasattr(Tensor, _name):
        globals()[_name] = _fn(_name)
        __all__.append(_name)


def _permute_fn(input, dims):
    return input.permute(dims)


globals()["permute"] = _permute_fn
__all__.append("permute")
_permute_fn.__name__ = "permute"


def swapaxes(input, axis0, axis1):
    return input.transpose(axis0, axis1)


def swapdims(input, dim0, dim1):
    return input.transpose(dim0, dim1)


def moveaxis(input, source, destination):
    return input.movedim(source, destination)


def adjoint(input):
    out = input.transpose(-2, -1)
    if out.is_complex() and hasattr(out, "conj"):
        out = out.conj()
    return out


for _f in (swapaxes, swapdims, moveaxis, adjoint):
    _export(_f)

Tensor.swapaxes_ = lambda self, a, b: self.transpose_(a, b)
Tensor.swapdims_ = lambda self, a, b: self.transpose_(a, b)


# ----- splitting -----

def unbind(input, dim=0):
    if input.dim() == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _wrap(dim, input.dim())
    det = input.detach()
    return tuple(_C._multi_view(input, [det.select(d, i) for i in range(input.shape[d])], "UnbindBackward0"))


def split(tensor, split_size_or_sections, dim=0):
    if tensor.dim() == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _wrap(dim, tensor.dim())
    n = tensor.shape[d]
    if _is_int(split_size_or_sections) or (hasattr(split_size_or_sections, "__index__") and not isinstance(split_size_or_sections, (list, tuple))):
        s = _b.int(split_size_or_sections)
        if s < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={s}")
        if s == 0:
            if n != 0:
                raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
            return (tensor,)
        sizes = [s] * (n // s) + ([n % s] if n % s else [])
        if not sizes:
            sizes = [0]
        node = "SplitBackward0"
    else:
        node = "SplitWithSizesBackward0"
        sizes = [_b.int(x) for x in split_size_or_sections]
        if _b.sum(sizes) != n or any(x < 0 for x in sizes):
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at dimension {d}), but got split_sizes={sizes}")
    out, at, det = [], 0, tensor.detach()
    for s in sizes:
        out.append(det.narrow(d, at, s))
        at += s
    return tuple(_C._multi_view(tensor, out, node))


def split_with_sizes(input, split_sizes, dim=0):
    return split(input, list(split_sizes), dim)


def chunk(input, chunks, dim=0):
    if input.dim() == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _wrap(dim, input.dim())
    n = input.shape[d]
    size = (n + chunks - 1) // chunks
    if size == 0:
        return tuple(input.narrow(d, 0, 0) for _ in range(chunks))
    return split(input, size, d)


def tensor_split(input, indices_or_sections, dim=0):
    if input.dim() == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    d = _wrap(dim, input.dim())
    n = input.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios.dtype is not _C.int64:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype of long, but got {ios.dtype}")
        if ios.dim() > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a zero-dimensional or one-dimensional tensor, but got a tensor with {ios.dim()} dims")
        ios = ios.item() if ios.dim() == 0 else ios.tolist()
    if _is_int(ios):
        if ios <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {ios}")
        q, r = divmod(n, ios)
        out, at = [], 0
        for i in range(ios):
            s = q + (1 if i < r else 0)
            out.append(input.narrow(d, at, s))
            at += s
        return tuple(out)
    out, prev = [], 0
    for i in list(ios):
        i = _b.int(i)
        i = _b.min(_b.max(i + n if i < 0 else i, 0), n)
        s = _b.max(i - prev, 0)
        out.append(input.narrow(d, _b.min(prev, n), s))
        prev = _b.max(prev, i)
    out.append(input.narrow(d, prev, n - prev))
    return tuple(out)


def _nsplit(name, min_dim, dim_of):
    def f(input, indices_or_sections):
        if input.dim() < min_dim:
            raise RuntimeError(
                f"torch.{name} requires a tensor with at least {min_dim} dimension{'s' if min_dim > 1 else ''}, but got a tensor with {input.dim()} dimensions!")
        d = dim_of(input)
        if _is_int(indices_or_sections):
            if indices_or_sections == 0 or input.shape[d] % indices_or_sections:
                raise RuntimeError(
                    f"torch.{name} attempted to split along dimension {d}, but the size of the dimension {input.shape[d]} is not divisible by the split_size {indices_or_sections}!")
        return tensor_split(input, indices_or_sections, d)

    f.__name__ = name
    return f


hsplit = _nsplit("hsplit", 1, lambda t: 1 if t.dim() > 1 else 0)
vsplit = _nsplit("vsplit", 2, lambda t: 0)
dsplit = _nsplit("dsplit", 3, lambda t: 2)

for _f in (unbind, split, split_with_sizes, chunk, tensor_split, hsplit, vsplit, dsplit):
    _export(_f)


# ----- joining -----

def _tensors(tensors, name):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not {type(tensors).__name__}")
    return list(tensors)


def concat(tensors, dim=0, *, out=None):
    return _C.cat(tensors, dim, out=out)


def concatenate(tensors, axis=0, out=None):
    return _C.cat(tensors, axis, out=out)


def stack(tensors, dim=0, *, out=None):
    ts = _tensors(tensors, "stack")
    if not ts:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(ts):
        if t.shape != ts[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(ts[0].shape)} at entry 0 and {list(t.shape)} at entry {i}")
    d = _wrap(dim, ts[0].dim() + 1)
    return _C.cat([t.unsqueeze(d) for t in ts], d, out=out)


def atleast_1d(*tensors):
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    out = [t.reshape(1) if t.dim() == 0 else t for t in ts]
    return out[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else tuple(out)


def atleast_2d(*tensors):
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    out = [t.reshape(1, 1) if t.dim() == 0 else t.unsqueeze(0) if t.dim() == 1 else t for t in ts]
    return out[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else tuple(out)


def atleast_3d(*tensors):
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors

    def one(t):
        if t.dim() == 0:
            return t.reshape(1, 1, 1)
        if t.dim() == 1:
            return t.unsqueeze(0).unsqueeze(-1)
        if t.dim() == 2:
            return t.unsqueeze(-1)
        return t

    out = [one(t) for t in ts]
    return out[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else tuple(out)


def hstack(tensors, *, out=None):
    ts = atleast_1d(_tensors(tensors, "hstack"))
    if ts and ts[0].dim() == 1:
        return _C.cat(ts, 0, out=out)
    return _C.cat(ts, 1, out=out)


def vstack(tensors, *, out=None):
    return _C.cat(atleast_2d(_tensors(tensors, "vstack")), 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    return _C.cat(atleast_3d(_tensors(tensors, "dstack")), 2, out=out)


def column_stack(tensors, *, out=None):
    ts = [t.reshape(t.numel(), 1) if t.dim() <= 1 else t for t in _tensors(tensors, "column_stack")]
    return _C.cat(ts, 1, out=out)


for _f in (concat, concatenate, stack, atleast_1d, atleast_2d, atleast_3d, hstack, vstack, dstack, column_stack):
    _export(_f, method=False)
globals()["row_stack"] = vstack
__all__.append("row_stack")


# ----- broadcasting -----

def broadcast_shapes(*shapes):
    out = []
    for i, s in enumerate(shapes):
        s = (s,) if _is_int(s) else tuple(s)
        for x in s:
            if x < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {x}: {list(s)}")
        if len(s) > len(out):
            out = [1] * (len(s) - len(out)) + out
        for j in range(1, len(s) + 1):
            a, b = out[-j], s[-j]
            if a == b or b == 1:
                continue
            if a == 1:
                out[-j] = b
            else:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {b} at {-j}! Mismatching argument at index {i} had {s}; but expected shape should be broadcastable to {out}")
    from ._size import Size
    return Size(out)


def _pair_broadcast(a, b):
    n = _b.max(len(a), len(b))
    a, b = [1] * (n - len(a)) + list(a), [1] * (n - len(b)) + list(b)
    out = []
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton dimension {i}")
        out.append(y if x == 1 else x)
    return out


def broadcast_to(input, *size):
    if len(size) == 1 and not _is_int(size[0]):
        size = size[0]
    return input.expand(size)


def broadcast_tensors(*tensors):
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    shape = []
    for t in ts:
        shape = _pair_broadcast(shape, t.shape)
    return tuple(t.expand(shape) for t in ts)


_export(broadcast_shapes, method=False)
_export(broadcast_to)
_export(broadcast_tensors, method=False)


# ----- copies built from views -----

def tile(input, dims):
    dims = (dims,) if _is_int(dims) else tuple(dims)
    if len(dims) < input.dim():
        dims = (1,) * (input.dim() - len(dims)) + dims
    return input.repeat(dims)


def fliplr(input):
    if input.dim() < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return input.flip(1)


def flipud(input):
    if input.dim() < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return input.flip(0)


def rot90(input, k=1, dims=(0, 1)):
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    n = input.dim()
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    a, b = _wrap(dims[0], n), _wrap(dims[1], n)
    if a == b:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {a} and dim1 = {b}")
    k %= 4
    if k == 1:
        return input.flip(b).transpose(a, b)
    if k == 2:
        return input.flip(a, b)
    if k == 3:
        return input.flip(a).transpose(a, b)
    return input.clone(memory_format=_contiguous_format())


def _contiguous_format():
    import oxytorch
    return oxytorch.contiguous_format


def diag(input, diagonal=0, *, out=None):
    if input.dim() == 1:
        res = input.diag_embed(diagonal, 0, 1)
    elif input.dim() == 2:
        res = input.diagonal(diagonal).clone(memory_format=_contiguous_format())
    else:
        raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + f"{input.dim()}D")
    if out is not None:
        out.resize_(res.shape).copy_(res) if out.shape != res.shape else out.copy_(res)
        return out
    return res


def diagflat(input, offset=0):
    return diag(input.reshape(-1), offset)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    if repeats is None:
        # torch.repeat_interleave(repeats): indices repeated by their counts.
        reps = input
        if reps.dim() > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        vals = reps.reshape(-1).tolist()
        if any(r < 0 for r in vals):
            raise RuntimeError("repeats can not be negative")
        idx = [i for i, r in enumerate(vals) for _ in range(r)]
        return _C.tensor(idx, dtype=_C.int64)
    given = dim
    if dim is None:
        input = input.reshape(-1)
        dim = given = 0
    d = _wrap(dim, input.dim())
    if input.dim() == 0:
        # torch unsqueezes after the repeated dim for a number and sizes the dim for a tensor,
        # and neither exists on a 0-d input.
        if isinstance(repeats, Tensor):
            raise IndexError(f"Dimension specified as {given} but tensor has no dimensions")
        raise IndexError(f"Dimension out of range (expected to be in range of [-1, 0], but got {d + 1})")
    n = input.shape[d] if input.dim() else 1
    if isinstance(repeats, Tensor):
        if repeats.dim() > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        reps = repeats.reshape(-1).tolist()
    else:
        reps = [_b.int(repeats)]
        if reps[0] < 0:
            raise RuntimeError("Repeats must be non-negative")
    if len(reps) == 1:
        reps = reps * n
    if len(reps) != n:
        raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = {len(reps)} and input.size({given}) = {n}")
    if any(r < 0 for r in reps):
        raise RuntimeError("repeats can not be negative")
    idx = _C.tensor([i for i, r in enumerate(reps) for _ in range(r)], dtype=_C.int64)
    if input.dim() == 0:
        input = input.reshape(1)
    return input.index_select(d, idx)


def take_along_dim(input, indices, dim=None, *, out=None):
    if dim is None:
        res = input.view(-1).gather(0, indices.view(-1))
    else:
        d = _wrap(dim, input.dim())
        if input.dim() != indices.dim():
            raise RuntimeError(
                f"torch.take_along_dim(): input and indices should have the same number of dimensions, but got {input.dim()} dimensions for input, and {indices.dim()} dimensions for indices")
        si, sx = list(input.shape), list(indices.shape)
        si[d] = 1
        sx[d] = 1
        b = list(broadcast_shapes(si, sx))
        bi, bx = list(b), list(b)
        bi[d], bx[d] = input.shape[d], indices.shape[d]
        res = input.expand(bi).gather(d, indices.expand(bx))
    if out is not None:
        out.copy_(res)
        return out
    return res


for _f in (tile, fliplr, flipud, rot90, diag, diagflat, repeat_interleave, take_along_dim):
    _export(_f)
Tensor.tile = lambda self, *dims: tile(self, dims[0] if len(dims) == 1 else dims)
