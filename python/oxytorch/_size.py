"""``torch.Size``: the tuple subclass that ``Tensor.shape`` and ``Tensor.size()`` return."""


class Size(tuple):
    """Describes the shape of a tensor; a tuple of ints with a torch-style repr."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        items = tuple(sizes)
        for i, v in enumerate(items):
            if not isinstance(v, int):
                try:
                    items = items[:i] + (v.__index__(),) + items[i + 1 :]
                except AttributeError:
                    raise TypeError(
                        f"torch.Size() takes an iterable of 'int' (item {i} is '{type(v).__name__}')"
                    ) from None
        return super().__new__(cls, items)

    def __repr__(self):
        return f"torch.Size([{', '.join(str(int(v)) for v in self)}])"

    __str__ = __repr__

    def numel(self):
        """The number of elements a tensor of this shape holds."""
        n = 1
        for v in self:
            n *= v
        return n

    def __getitem__(self, key):
        out = super().__getitem__(key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(other) + tuple(self))

    def __mul__(self, n):
        return Size(tuple(self) * n)

    __rmul__ = __mul__

    def __reduce__(self):
        return (Size, (tuple(self),))
