"""``torch.linalg`` on the faer-backed kernels of ``_C`` (``_linalg_*``): torch's signatures, argument
checks and messages, named-tuple results, ``out=``, and autograd (nodes named as torch names them).
The code lives in ``_linalg_util`` (helpers), ``_linalg_decomp``, ``_linalg_lu`` and ``_linalg_misc``."""
from ._matmul import multi_dot  # noqa: F401
from ._linalg_util import (  # noqa: F401
    _C, _composite, _deliver, _diag, _eps, _eye_like, _float, _grad_on, _KERNEL, _KERNEL_INT, LinAlgError,
    _LOW, _mat, _math, _mH, _NAMES, _no_grad, _OK, _ot, _raise, _real_dtype, _record, _RT, Tensor, _tensor
)
from ._linalg_decomp import (  # noqa: F401
    cholesky, _cholesky_core, cholesky_ex, eig, _eig_backward, _eig_core, eigh, _eigh_backward, _eigh_core,
    eigvals, eigvalsh, qr, _qr_backward, svd, _svd_backward, _svd_core, svdvals, _tril_ltu
)
from ._linalg_lu import (  # noqa: F401
    det, _geqrf, householder_product, _householder_ref, inv, _inv_core, inv_ex, _inv_msg, lu, _lu_backward,
    lu_factor, _lu_factor_core, lu_factor_ex, lu_solve, lu_unpack, _perm_rows, slogdet, solve, _solve_core,
    solve_ex, solve_triangular, _sum_to
)
from ._linalg_misc import (  # noqa: F401
    cond, cross, diagonal, lstsq, matmul, matrix_exp, matrix_norm, matrix_power, matrix_rank, _mexp, norm,
    _pade, _PADE_B, _PADE_THETA, pinv, _pinv_grad, _pinv_plain, pinverse, _t_cholesky, _t_logdet, _t_qr,
    _t_slogdet, _t_svd, _tol, _unsq, vander, vecdot, vector_norm, _vnorm_plain
)

from ._linalg_ldl import ldl_factor, ldl_factor_ex, ldl_solve  # noqa: F401,E402
import types as _types

# The functions moved into the _linalg_* modules keep this module as their home (``__module__``), as before
# the split (LinAlgError keeps torch's "torch._C").
for _v in list(globals().values()):
    if isinstance(_v, _types.FunctionType) and (_v.__module__ or "").startswith("oxytorch._linalg_"):
        _v.__module__ = __name__
del _v, _types
