"""Named result tuples, as ``torch.return_types``: ``values, indices = x.max(0)`` or ``r.values``."""
from operator import itemgetter as _itemgetter

__all__ = []


def _make(name, fields):
    def __new__(cls, sequence):
        seq = tuple(sequence)
        if len(seq) != len(fields):
            raise TypeError(f"torch.return_types.{name}() takes a {len(fields)}-sequence ({len(seq)}-sequence given)")
        return tuple.__new__(cls, seq)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    def __reduce__(self):
        return (type(self), (tuple(self),))

    ns = {
        "__slots__": (),
        "__new__": __new__,
        "__repr__": __repr__,
        "__reduce__": __reduce__,
        "n_fields": len(fields),
        "n_sequence_fields": len(fields),
        "n_unnamed_fields": 0,
        "__module__": __name__,
    }
    for i, f in enumerate(fields):
        ns[f] = property(_itemgetter(i), doc=f"Alias for field number {i}")
    cls = type(name, (tuple,), ns)
    globals()[name] = cls
    __all__.append(name)
    return cls


for _name in ("max", "min", "sort", "topk", "kthvalue", "median", "nanmedian", "mode", "cummax", "cummin"):
    _make(_name, ("values", "indices"))
_make("aminmax", ("min", "max"))
_make("histogram", ("hist", "bin_edges"))
del _name
