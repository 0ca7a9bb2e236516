"""Deprecated non-in-place ``Tensor.resize`` / ``Tensor.resize_as`` (torch keeps them in
torch/_tensor.py: a warning, then a shape change that must keep the element count)."""
import warnings as _warnings

from . import _C

Tensor = _C.Tensor


def _resize(self, *sizes):
    _warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
    return _resize_impl(self, sizes)


def _resize_impl(self, sizes):
    # like torch's autograd Resize: the element count is the product of the arguments as given, so a
    # single list/tuple argument never matches (torch raises for ``t.resize([3, 2])`` too)
    numel = 1
    for s in sizes:
        numel = numel * s
    if numel != self.numel():
        raise RuntimeError(f"requested resize to {'x'.join(map(str, sizes))} ({numel} elements in total), but the "
                           f"given tensor has a size of {'x'.join(map(str, self.shape))} ({self.numel()} elements). "
                           "autograd's resize can only change the shape of a given tensor, while preserving the "
                           "number of elements. ")
    return self.contiguous().view(tuple(sizes))


def _resize_as(self, tensor):
    _warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
    return _resize_impl(self, tuple(tensor.shape))


if not hasattr(Tensor, "resize"):
    Tensor.resize = _resize
if not hasattr(Tensor, "resize_as"):
    Tensor.resize_as = _resize_as
