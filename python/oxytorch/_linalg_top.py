"""The ``torch.*`` names of linear-algebra functions (``torch.det``, ``torch.svd`` with its legacy
conventions, ...) and the matching Tensor methods, on top of ``oxytorch.linalg``."""
from . import _C
from . import linalg as _la

__all__ = ["det", "logdet", "slogdet", "inverse", "svd", "cholesky", "qr", "pinverse", "matrix_power",
           "matrix_exp", "lu_unpack", "lu_solve", "geqrf"]

det = _la.det
logdet = _la._t_logdet
slogdet = _la._t_slogdet
svd = _la._t_svd
cholesky = _la._t_cholesky
qr = _la._t_qr
pinverse = _la.pinverse
matrix_power = _la.matrix_power
matrix_exp = _la.matrix_exp
lu_unpack = _la.lu_unpack
geqrf = _la._geqrf


def inverse(input, *, out=None):
    return _la.inv(input, out=out)


def lu_solve(b, LU_data, LU_pivots, *, out=None):
    return _la.lu_solve(LU_data, LU_pivots, b, out=out)


_METHODS = {
    "det": det, "logdet": logdet, "slogdet": slogdet, "inverse": inverse, "svd": svd, "cholesky": cholesky,
    "qr": qr, "pinverse": pinverse, "matrix_power": matrix_power, "matrix_exp": matrix_exp, "geqrf": geqrf,
}
for _name, _fn in _METHODS.items():
    if not hasattr(_C.Tensor, _name):
        setattr(_C.Tensor, _name, _fn)
if not hasattr(_C.Tensor, "mH"):
    _C.Tensor.mH = property(_la._mH)
del _name, _fn
