"""``torch.linalg`` LU family, inverses, determinants and solvers (split out of linalg.py): lu_factor(_ex),
lu, lu_unpack, lu_solve, solve(_ex), inv(_ex), det, slogdet, solve_triangular, householder_product, geqrf."""
import math as _math

from . import _C
from ._linalg_util import (
    _composite, _deliver, _diag, _grad_on, _mat, _mH, _NAMES, _no_grad, _OK, _ot, _raise, _record, _RT,
    _tensor
)


# ----------------------------------------------------------------------------------------------
# LU family, inverse, determinants, solvers

def _lu_factor_core(A, pivot, fname, record=True):
    _mat(A, fname)
    if not pivot:
        raise RuntimeError(f"{fname}: LU without pivoting is not implemented on the CPU")
    LU, piv, info = _C._linalg_lu_factor(A.detach())
    if record and _grad_on(A):
        LUr, pivd = LU, piv

        def bw(gLU):
            m, n = A.shape[-2], A.shape[-1]
            k = min(m, n)
            P, L, U = lu_unpack(LUr, pivd)
            return (_lu_backward(P, L, U, _ot.tril(gLU, -1)[..., :, :k], _ot.triu(gLU)[..., :k, :]),)

        _record("LinalgLuFactorExBackward0", [A], [LU], bw)
    return LU, piv, info


def _lu_backward(P, L, U, gL, gU):
    """Gradient of A = P L U (L unit lower m x k, U upper k x n, k = min(m, n)); P carries no gradient.
    Square: gA = P L^-H (tril(L^H gL, -1) + triu(gU U^H)) U^-H. Wide A = P L [U1 | U2]: U2 = L^-1 P^T A2
    adds -L^-H gU2 U2^H to gL and gives gA2 = P L^-H gU2. Tall P^T A = [L1; L2] U: L2 = A2' U^-1 adds
    -L2^H gL2 U^-H to gU and gives gA2' = gL2 U^-H."""
    m, n = L.shape[-2], U.shape[-1]
    if gL is None:
        gL = _ot.zeros_like(L)
    if gU is None:
        gU = _ot.zeros_like(U)

    def square(L1, U1, gL1, gU1):
        X = _ot.tril(_mH(L1) @ gL1, -1) + _ot.triu(gU1 @ _mH(U1))
        X = solve_triangular(_mH(U1), X, upper=False, left=False)
        return solve_triangular(_mH(L1), X, upper=True, unitriangular=True)

    if m == n:
        return P @ square(L, U, gL, gU)
    if m < n:
        U1, U2, gU1, gU2 = U[..., :, :m], U[..., :, m:], gU[..., :, :m], gU[..., :, m:]
        gA2 = solve_triangular(_mH(L), gU2, upper=True, unitriangular=True)
        g1 = square(L, U1, gL - gA2 @ _mH(U2), gU1)
        return P @ _ot.cat([g1, gA2], -1)
    L1, L2, gL1, gL2 = L[..., :n, :], L[..., n:, :], gL[..., :n, :], gL[..., n:, :]
    gA2 = solve_triangular(_mH(U), gL2, upper=False, left=False)
    g1 = square(L1, U, gL1, gU - _mH(L2) @ gA2)
    return P @ _ot.cat([g1, gA2], -2)


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    LU, piv, info = _lu_factor_core(A, pivot, "linalg.lu_factor_ex")
    if check_errors:
        _raise(info, A.dim() > 2, "torch.linalg.lu_factor_ex", lambda c: f"U[{c},{c}] is zero and using it on "
               "lu_solve would result in a division by zero. If you still want to perform the factorization, "
               "consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)", RuntimeError)
    return _deliver(_RT["linalg_lu_factor_ex"]((LU, piv, info)), out)


def lu_factor(A, *, pivot=True, out=None):
    LU, piv, info = _lu_factor_core(A, pivot, "linalg.lu_factor")
    _raise(info, A.dim() > 2, "torch.linalg.lu_factor", lambda c: f"U[{c},{c}] is zero and using it on lu_solve "
           "would result in a division by zero. If you still want to perform the factorization, consider calling "
           "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)", RuntimeError)
    return _deliver(_RT["linalg_lu_factor"]((LU, piv)), out)


def _perm_rows(pivots, m):
    """For each matrix, the row order after LAPACK's sequential swaps: (P_lapack A)[i] = A[perm[i]]."""
    flat = pivots.reshape(-1, pivots.shape[-1]).tolist() if pivots.numel() else [[]] * max(
        1, int(_math.prod(pivots.shape[:-1])))
    perms = []
    for p in flat:
        order = list(range(m))
        for i, j in enumerate(p):
            j -= 1
            order[i], order[j] = order[j], order[i]
        perms.append(order)
    return perms


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    m, n = LU_data.shape[-2], LU_data.shape[-1]
    k = min(m, n)
    batch = tuple(LU_data.shape[:-2])
    if unpack_data:
        L, U = _composite("LuUnpackBackward0", lambda x: (_ot.tril(x[..., :, :k], -1) + _ot.eye(
            m, k, dtype=x.dtype), _ot.triu(x[..., :k, :])), [LU_data])
    else:
        L = _ot.zeros(0, dtype=LU_data.dtype)
        U = _ot.zeros(0, dtype=LU_data.dtype)
    if unpack_pivots:
        perms = _perm_rows(LU_pivots, m)
        rows = []
        for order in perms:
            idx = [0] * m
            for i, r in enumerate(order):
                idx[r] = i
            rows.append(idx)
        # P[order[i], i] = 1: column idx[r] holds the one of row r.
        cols = _ot.tensor(rows, dtype=_ot.int64).reshape(batch + (m, 1)) if perms else _ot.zeros(batch + (m, 1),
                                                                                               dtype=_ot.int64)
        P = (cols == _ot.arange(m).reshape((1,) * len(batch) + (1, m))).to(LU_data.dtype)
    else:
        P = _ot.zeros(0, dtype=LU_data.dtype)
    return _deliver(_RT["lu_unpack"]((P, L, U)), out)


def lu(A, *, pivot=True, out=None):
    LU, piv, _ = _lu_factor_core(A, pivot, "linalg.lu", record=False)
    P, L, U = lu_unpack(LU, piv)
    if _grad_on(A):
        Pd, Lr, Ur = P, L, U

        def bw(gL, gU):
            return (_lu_backward(Pd, Lr, Ur, gL, gU),)

        _record("LinalgLuBackward0", [A], [L, U], bw)
    return _deliver(_RT["linalg_lu"]((P, L, U)), out)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    _mat(LU, "linalg.lu_solve", "LU")
    _mat(B, "linalg.lu_solve", "B")
    if LU.shape[-1] != LU.shape[-2]:
        raise RuntimeError(f"torch.linalg.lu_solve: A must be batches of square matrices, but they are "
                           f"{LU.shape[-2]} by {LU.shape[-1]} matrices")
    if pivots.numel() and int(pivots.min()) < 1:
        raise RuntimeError("Pivots given to lu_solve must all be greater or equal to 1. Did you properly pass the "
                           "result of lu_factor?")
    if LU.dtype != B.dtype:
        raise RuntimeError(f"linalg.lu_solve: Expected LU and B to have the same dtype, but found LU of type "
                           f"{_NAMES[str(LU.dtype)]} and B of type {_NAMES[str(B.dtype)]} instead")
    n = LU.shape[-1]
    P, L, U = lu_unpack(LU, pivots)

    def f(Lm, Um, Bm):
        # A = P L U.  left: A X = B;  adjoint: A^H X = B;  right: X A = B / X A^H = B.
        if left and not adjoint:
            y = _mH(P) @ Bm
            y = solve_triangular(Lm, y, upper=False, unitriangular=True)
            return solve_triangular(Um, y, upper=True)
        if left and adjoint:
            y = solve_triangular(_mH(Um), Bm, upper=False)
            y = solve_triangular(_mH(Lm), y, upper=True, unitriangular=True)
            return P @ y
        if not adjoint:
            y = solve_triangular(Um, Bm, upper=True, left=False)
            y = solve_triangular(Lm, y, upper=False, left=False, unitriangular=True)
            return y @ _mH(P)
        y = Bm @ P
        y = solve_triangular(_mH(Lm), y, upper=True, left=False, unitriangular=True)
        return solve_triangular(_mH(Um), y, upper=False, left=False)

    if (left and B.shape[-2] != n) or (not left and B.shape[-1] != n):
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    X = _composite("LinalgLuSolveBackward0", f, [L, U, B])
    return _deliver(X, out)


def _solve_core(A, B, left, fname):
    _mat(A, fname)
    _tensor(B, fname.replace("linalg.", "linalg_"), "B", 2)
    if A.dtype != B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{_NAMES[str(A.dtype)]} and B of type {_NAMES[str(B.dtype)]} instead")
    _mat(A, fname, square=True, float_=False)
    n = A.shape[-1]
    vector = B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    Bm = B.unsqueeze(-1) if vector else B
    if Bm.dim() < 2:
        raise RuntimeError("linalg.solve: The input tensor B must have at least 2 dimensions.")
    if not left:
        Am, Bm = A.transpose(-2, -1), Bm.transpose(-2, -1)
    else:
        Am = A
    if Bm.shape[-2] != n:
        eq = "AX = B" if left else "XA = B"
        bs = B.shape
        shown = f"{bs[-2]}x{bs[-1]}" if not vector else f"{bs[-1]}x1"
        if vector and B.dim() == 1:
            shown = f"{bs[0]}x1"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation {eq} ({n}x{n} and "
                           f"{shown})")
    batch = _ot.broadcast_shapes(tuple(Am.shape[:-2]), tuple(Bm.shape[:-2]))
    Ae = Am.expand(tuple(batch) + (n, n))
    Be = Bm.expand(tuple(batch) + tuple(Bm.shape[-2:]))
    X, info = _C._linalg_solve(Ae.detach(), Be.detach())
    Xo = X.transpose(-2, -1) if not left else X
    Xo = Xo.squeeze(-1) if vector else Xo
    if _grad_on(A, B):
        Xr = Xo

        def bw(gX):
            # left: A X = B -> gB = A^-H gX, gA = -gB X^H;  right: X A = B -> gB = gX A^-H, gA = -X^H gB
            Xm = Xr.unsqueeze(-1) if vector else Xr
            g = gX.unsqueeze(-1) if vector else gX
            gB = solve(_mH(A), g, left=left)
            gA = -(gB @ _mH(Xm)) if left else -(_mH(Xm) @ gB)
            gA = _sum_to(gA, tuple(A.shape))
            gB = _sum_to(gB, tuple(B.shape) + ((1,) if vector else ()))
            if vector:
                gB = gB.squeeze(-1)
            return gA if A.requires_grad else None, gB if B.requires_grad else None

        _record("LinalgSolveExBackward0", [A, B], [Xo], bw)
        return Xo, info, A.dim() > 2
    return Xo, info, len(batch) > 0


def _sum_to(g, shape):
    if tuple(g.shape) == tuple(shape):
        return g
    lead = g.dim() - len(shape)
    if lead:
        g = g.sum(tuple(range(lead)))
    dims = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    if dims:
        g = g.sum(dims, keepdim=True)
    return g


def solve(A, B, *, left=True, out=None):
    X, info, batched = _solve_core(A, B, left, "linalg.solve")
    _raise(info, batched, "torch.linalg.solve", lambda c: "The solver failed because the input matrix is singular.")
    return _deliver(X, out)


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    X, info, batched = _solve_core(A, B, left, "linalg.solve")
    if check_errors:
        _raise(info, batched, "torch.linalg.solve_ex", lambda c: "The solver failed because the input matrix is "
               "singular.")
    return _deliver(_RT["linalg_solve_ex"]((X, info)), out)


def _inv_core(A, fname):
    _mat(A, fname, square=True)
    X, info = _C._linalg_inv(A.detach())
    if _grad_on(A):
        Xd = X

        def bw(gX):
            Xh = _mH(Xd)
            return (-(Xh @ gX @ Xh),)

        _record("LinalgInvExBackward0", [A], [X], bw)
    return X, info


def _inv_msg(c):
    return (f"The diagonal element {c} is zero, the inversion could not be completed because the input matrix is "
            "singular.")


def inv(A, *, out=None):
    X, info = _inv_core(A, "linalg.inv")
    _raise(info, A.dim() > 2, "linalg.inv", _inv_msg)
    return _deliver(X, out)


def inv_ex(A, *, check_errors=False, out=None):
    _tensor(A, "linalg_inv_ex", "A")
    X, info = _inv_core(A, "linalg.inv")
    if check_errors:
        _raise(info, A.dim() > 2, "linalg.inv_ex", _inv_msg)
    return _deliver(_RT["linalg_inv_ex"]((X, info)), out)


def _det_operand(A):
    """What det/slogdet factor: like torch, the LU of A^T (the same determinant) for a real row-major A, so
    exactly singular inputs round to the same zero pivots as torch's."""
    A = A.detach()
    return A.mT if A.is_contiguous() and not A.is_complex() else A


def det(A, *, out=None):
    _mat(A, "linalg.det", square=True)
    _, _, d = _C._linalg_slogdet(_det_operand(A))
    if _grad_on(A):
        dd = d

        def bw(g):
            # g conj(det) A^-H; zero where that factor is exactly zero (a singular matrix), as torch's LU solve gives
            Ainv = _inv_core(A, "linalg.inv")[0]
            c = ((g * dd.conj()) if dd.is_complex() else g * dd).unsqueeze(-1).unsqueeze(-1)
            gA = c * _mH(Ainv)
            return (_ot.where(c == 0, _ot.zeros_like(gA), gA),)

        _record("LinalgDetBackward0", [A], [d], bw)
    return _deliver(d, out)


def slogdet(A, *, out=None):
    _mat(A, "linalg.slogdet", square=True)
    s, la, _ = _C._linalg_slogdet(_det_operand(A))
    if _grad_on(A):
        sd = s

        def bw(gs, gl):
            if gl is None:
                gl = _ot.zeros_like(la)
            g = gl.to(A.dtype)
            if A.is_complex() and gs is not None:
                g = g + 1j * (sd.conj() * gs).imag.to(A.dtype)
            # g A^-H as torch computes it, so that a singular A gives LAPACK's inf/nan pattern: from the
            # forward's LU, of A^T for a real contiguous A (a plain solve with A^T), else of A (an adjoint
            # solve with A's factors). A graph for double backward goes through the differentiable solve.
            n = A.shape[-1]
            G = _diag(g.unsqueeze(-1).expand(tuple(g.shape) + (n,)))
            if _C.is_grad_enabled() or (A.is_contiguous() and not A.is_complex()):
                X, _, _ = _solve_core(_mH(A), G, True, "linalg.solve")
                return (X,)
            return (_C._linalg_solve(A.detach(), G.contiguous(), True)[0],)

        _record("LinalgSlogdetBackward0", [A], [s, la], bw if A.is_complex() else (lambda gs, gl: bw(None, gl)))
    return _deliver(_RT["linalg_slogdet"]((s, la)), out)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    _mat(A, "linalg.solve_triangular", "A")
    _mat(B, "linalg.solve_triangular", "B")
    if A.dtype != B.dtype:
        raise RuntimeError(f"linalg.solve_triangular: Expected A and B to have the same dtype, but found A of type "
                           f"{_NAMES[str(A.dtype)]} and B of type {_NAMES[str(B.dtype)]} instead")
    n = A.shape[-1]
    if A.shape[-2] != n:
        raise RuntimeError(f"linalg.solve_triangular: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {n} matrices")
    if (left and B.shape[-2] != n) or (not left and B.shape[-1] != n):
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    Am, Bm, up = (A, B, upper) if left else (A.transpose(-2, -1), B.transpose(-2, -1), not upper)
    batch = tuple(_ot.broadcast_shapes(tuple(Am.shape[:-2]), tuple(Bm.shape[:-2])))
    Ae = Am.expand(batch + (n, n))
    Be = Bm.expand(batch + tuple(Bm.shape[-2:]))
    X = _C._linalg_solve_triangular(Ae.detach(), Be.detach(), bool(up), bool(unitriangular))
    Xo = X if left else X.transpose(-2, -1)
    if _grad_on(A, B):
        Xr = Xo

        def bw(gX):
            # left: gB = A^-H gX, gA = -gB X^H;  right: gB = gX A^-H, gA = -X^H gB;  gA keeps A's triangle
            gB = solve_triangular(_mH(A), gX, upper=not upper, left=left, unitriangular=unitriangular)
            gA = -(gB @ _mH(Xr)) if left else -(_mH(Xr) @ gB)
            gA = _ot.triu(gA, 1 if unitriangular else 0) if upper else _ot.tril(gA, -1 if unitriangular else 0)
            gA = _sum_to(gA, tuple(A.shape))
            gB = _sum_to(gB, tuple(B.shape))
            return gA if A.requires_grad else None, gB if B.requires_grad else None

        _record("LinalgSolveTriangularBackward0", [A, B], [Xo], bw)
    return _deliver(Xo, out)


def householder_product(A, tau, *, out=None):
    _mat(A, "torch.linalg.householder_product", "input")
    if A.shape[-2] < A.shape[-1]:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]")
    if A.shape[-1] < tau.shape[-1]:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-1] must be greater than or equal to "
                           "tau.shape[-1]")
    if A.dim() - tau.dim() != 1:
        raise RuntimeError(f"torch.linalg.householder_product: Expected tau to have one dimension less than input, "
                           f"but got tau.ndim equal to {tau.dim()} and input.ndim is equal to {A.dim()}")
    if tau.dtype != A.dtype:
        raise RuntimeError(f"torch.linalg.householder_product: tau dtype {tau.dtype} does not match input dtype "
                           f"{A.dtype}")
    if not _grad_on(A, tau):
        return _deliver(_C._linalg_householder_product(A.detach(), tau.detach()), out)
    return _deliver(_composite("LinalgHouseholderProductBackward0", _householder_ref, [A, tau]), out)


def _householder_ref(A, tau):
    """Q = H_1 ... H_k [:, :n] with H_i = I - tau_i v_i v_i^H, v_i = (0, .., 0, 1, A[i+1:, i]), applied
    right to left to the first n columns of the identity (autograd-aware ops)."""
    m, n = A.shape[-2], A.shape[-1]
    V = _ot.tril(A, -1) + _ot.eye(m, n, dtype=A.dtype)
    Q = _ot.eye(m, n, dtype=A.dtype).expand(tuple(A.shape))
    for i in reversed(range(tau.shape[-1])):
        v = V[..., :, i:i + 1]
        Q = Q - (tau[..., i:i + 1].unsqueeze(-1) * v) @ (_mH(v) @ Q)
    return Q


def _geqrf(input, *, out=None):
    """torch.geqrf: LAPACK's Householder QR (R on and above the diagonal, the reflectors v_i below it with an
    implicit unit head, and tau), with LAPACK's (d|z)larfg conventions: beta = -sign(Re alpha) ||x||, and
    tau = 0 when the column needs no reflection. Not differentiable (as in torch)."""
    _tensor(input, "geqrf", "input")
    if input.dim() < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    if str(input.dtype) not in _OK:
        raise NotImplementedError(f'"geqrf_cpu" not implemented for \'{_NAMES[str(input.dtype)]}\'')
    m, n = input.shape[-2], input.shape[-1]
    k = min(m, n)
    cplx = input.is_complex()
    with _no_grad():
        X = input.detach().clone()
        tau = _ot.zeros(tuple(input.shape[:-2]) + (k,), dtype=input.dtype)
        for j in range(k if X.numel() else 0):
            alpha = X[..., j, j]
            tail = X[..., j + 1:, j]
            xn = _vector_norm(tail, dim=-1) if m - j > 1 else _ot.zeros_like(alpha.abs())
            ar = alpha.real if cplx else alpha
            keep = (xn == 0) & (alpha.imag == 0) if cplx else xn == 0
            beta = -_ot.copysign(_ot.sqrt(alpha.abs() ** 2 + xn * xn), ar)
            beta = _ot.where(keep, _ot.ones_like(beta), beta)
            t = ((beta - alpha) / beta.to(alpha.dtype))
            t = _ot.where(keep, _ot.zeros_like(t), t)
            denom = _ot.where(keep, _ot.ones_like(alpha), alpha - beta.to(alpha.dtype))
            v = tail / denom.unsqueeze(-1)
            X[..., j + 1:, j] = v
            X[..., j, j] = _ot.where(keep, alpha, beta.to(alpha.dtype))
            tau[..., j] = t
            if j + 1 < n:
                # apply H^H = I - conj(tau) v v^H (v with its unit head) to the trailing columns
                vf = _ot.cat([_ot.ones_like(alpha).unsqueeze(-1), v], -1)
                C = X[..., j:, j + 1:]
                w = (vf.conj() if cplx else vf).unsqueeze(-1).mul(C).sum(-2)
                tc = t.conj() if cplx else t
                X[..., j:, j + 1:] = C - (tc.unsqueeze(-1) * vf).unsqueeze(-1) * w.unsqueeze(-2)
    if _grad_on(input):
        def bw(ga, gt):
            raise NotImplementedError("the derivative for 'geqrf' is not implemented.")

        _record("GeqrfBackward0", [input], [X, tau], bw)
    return _deliver(_RT["geqrf"]((X, tau)), out, "geqrf")


# ----------------------------------------------------------------------------------------------
# lstsq, pinv, rank, norms and friends


def _vector_norm(*args, **kwargs):
    from ._linalg_misc import vector_norm  # a late import: _linalg_misc builds on this module
    return vector_norm(*args, **kwargs)
