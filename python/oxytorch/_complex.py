"""Complex-number helpers on ``Tensor`` that are not on a hot path: ``mH`` and ``H``."""
import warnings

from . import _C

Tensor = _C.Tensor


def _mH(self):
    n = self.dim()
    if n == 0:
        warnings.warn("Tensor.mH is deprecated on 0-D tensors. Consider using x.conj().", UserWarning, stacklevel=2)
        return self.conj()
    if n < 2:
        raise RuntimeError(f"tensor.mH is only supported on matrices or batches of matrices. Got {n}-D tensor.")
    return self.transpose(-2, -1).conj()


def _H(self):
    n = self.dim()
    if n == 0:
        warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().", UserWarning, stacklevel=2)
        return self.conj()
    if n != 2:
        extra = " For batches of matrices, consider using tensor.mH" if n > 2 else ""
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {n}-D tensor.{extra}")
    return self.transpose(0, 1).conj()


Tensor.mH = property(_mH, doc="Conjugate transpose of the last two dims.")
Tensor.H = property(_H, doc="Conjugate transpose of a matrix.")


# torch's private lazy-bit views, public as torch._conj / torch._neg_view and Tensor methods.
def _export_bit_views():
    import sys

    pkg = sys.modules[__package__]
    pkg._conj = _C._conj
    pkg._neg_view = _C._neg_view
    Tensor._conj = lambda self: _C._conj(self)
    Tensor._neg_view = lambda self: _C._neg_view(self)


_export_bit_views()
