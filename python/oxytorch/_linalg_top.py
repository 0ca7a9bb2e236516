"""The ``torch.*`` names of linear-algebra functions (``torch.det``, ``torch.svd`` with its legacy
conventions, ...) and the matching Tensor methods, on top of ``oxytorch.linalg``."""
from . import _C
from . import linalg as _la

__all__ = ["det", "logdet", "slogdet", "inverse", "svd", "cholesky", "qr", "pinverse", "matrix_power",
           "matrix_exp", "lu_unpack", "lu_solve", "geqrf", "orgqr", "ormqr"]

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


def orgqr(input, tau, *, out=None):
    return _la.householder_product(input, tau, out=out)


def ormqr(input, tau, other, left=True, transpose=False, *, out=None):
    """op(Q) @ other (``left``) or other @ op(Q), Q = H_1 ... H_k from geqrf's reflectors (input, tau),
    op = conjugate transpose when ``transpose``; the reflectors are applied one at a time, without
    forming Q."""
    from ._linalg_util import _composite, _deliver
    from ._api_extra import _dtname
    name = "torch.ormqr"
    if input.dim() < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if other.dim() < 2:
        raise RuntimeError(f"{name}: other must have at least 2 dimensions.")
    if tau.dim() != input.dim() - 1:
        raise RuntimeError(f"{name}: Expected tau to have one dimension less than input, but got tau.ndim equal to "
                           f"{tau.dim()} and input.ndim is equal to {input.dim()}")
    if other.dim() != input.dim():
        raise RuntimeError(f"{name}: Expected other to have the same number of dimensions as input, but got "
                           f"other.ndim equal to {other.dim()} and input.ndim is equal to {input.dim()}")
    batch = tuple(input.shape[:-2])
    if tuple(tau.shape[:-1]) != batch:
        raise RuntimeError(f"{name}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
                           f"{list(tau.shape[:-1])}")
    if tuple(other.shape[:-2]) != batch:
        raise RuntimeError(f"{name}: Expected batch dimensions of other to be equal to input.shape[:-2], but got "
                           f"{list(other.shape[:-2])}")
    side = -2 if left else -1
    if other.shape[side] != input.shape[-2]:
        raise RuntimeError(f"{name}: other.shape[{side}] must be equal to input.shape[-2]")
    if tau.shape[-1] != min(other.shape[side], input.shape[-1]):
        raise RuntimeError(f"{name}: tau.shape[-1] must be equal to min(other.shape[{side}], input.shape[-1])")
    for what, t in (("other", other), ("tau", tau)):
        if t.dtype != input.dtype:
            raise RuntimeError(f"{name}: Expected input and {what} to have the same dtype, but input has dtype"
                               f"{_dtname(input.dtype)} and {what} has dtype {_dtname(t.dtype)}")
    if not (input.dtype.is_floating_point or input.dtype.is_complex) or input.dtype.itemsize < 4:
        raise NotImplementedError(f'"ormqr_cpu" not implemented for \'{_dtname(input.dtype)}\'')
    return _deliver(_composite("OrmqrBackward0", lambda A, t, C: _ormqr_ref(A, t, C, left, transpose),
                               [input, tau, other]), out)


def _ormqr_ref(A, tau, C, left, transpose):
    from . import _linalg_util as _u
    k = tau.shape[-1]
    V = _u._ot.tril(A[..., :, :k], -1) + _u._ot.eye(A.shape[-2], k, dtype=A.dtype)
    # Q C = H_1 (.. (H_k C)), Q^H C = H_k^H (.. (H_1^H C)); C Q and C Q^H the other way round.
    order = range(k) if left == transpose else reversed(range(k))
    for i in order:
        v = V[..., :, i:i + 1]
        t = tau[..., i:i + 1].unsqueeze(-1)
        if transpose:
            t = t.conj()
        if left:
            C = C - (t * v) @ (_u._mH(v) @ C)
        else:
            C = C - (C @ v) @ (t * _u._mH(v))
    return C


_METHODS = {
    "det": det, "logdet": logdet, "slogdet": slogdet, "inverse": inverse, "svd": svd, "cholesky": cholesky,
    "qr": qr, "pinverse": pinverse, "matrix_power": matrix_power, "matrix_exp": matrix_exp, "geqrf": geqrf,
    "orgqr": orgqr, "ormqr": ormqr,
}
for _name, _fn in _METHODS.items():
    if not hasattr(_C.Tensor, _name):
        setattr(_C.Tensor, _name, _fn)
if not hasattr(_C.Tensor, "mH"):
    _C.Tensor.mH = property(_la._mH)
del _name, _fn
