"""Flatten and Unflatten."""
from .module import Module

__all__ = ["Flatten", "Unflatten"]


def _wrap(dim, n):
    m = max(n, 1)
    if not -m <= dim < m:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-m}, {m - 1}], but got {dim})")
    return dim + m if dim < 0 else dim


def _flatten(input, start_dim, end_dim):
    if hasattr(input, "flatten"):
        return input.flatten(start_dim, end_dim)
    n = input.dim()
    s = _wrap(start_dim, n)
    e = _wrap(end_dim, n)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if n == 0:
        return input.reshape((1,))
    shape = tuple(input.shape)
    if s == e:
        return input
    size = 1
    for d in shape[s:e + 1]:
        size *= d
    return input.reshape(shape[:s] + (size,) + shape[e + 1:])


def _unflatten(input, dim, sizes):
    if hasattr(input, "unflatten"):
        return input.unflatten(dim, sizes)
    shape = tuple(input.shape)
    d = _wrap(dim, len(shape))
    sizes = tuple(sizes)
    if -1 in sizes:
        known = 1
        for x in sizes:
            if x != -1:
                known *= x
        sizes = tuple(shape[d] // known if x == -1 else x for x in sizes)
    prod = 1
    for x in sizes:
        prod *= x
    if prod != shape[d]:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} ({shape[d]}) in the input tensor"
        )
    return input.reshape(shape[:d] + sizes + shape[d + 1:])


class Flatten(Module):
    __constants__ = ["start_dim", "end_dim"]

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return _flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    __constants__ = ["dim", "unflattened_size"]

    def __init__(self, dim, unflattened_size):
        super().__init__()
        self._require_tuple_int(unflattened_size)
        self.dim = dim
        self.unflattened_size = unflattened_size

    def _require_tuple_int(self, input):
        if isinstance(input, (tuple, list)):
            for idx, elem in enumerate(input):
                if not isinstance(elem, int):
                    raise TypeError(
                        "unflattened_size must be tuple of ints, "
                        + f"but found element of type {type(elem).__name__} at pos {idx}"
                    )
            return
        raise TypeError(
            f"unflattened_size must be a tuple of ints, but found type {type(input).__name__}"
        )

    def forward(self, input):
        return _unflatten(input, self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
