"""``torch.linalg`` decompositions (split out of linalg.py): svd/svdvals, eigh/eigvalsh, eig/eigvals, qr,
cholesky/cholesky_ex, with their autograd formulas."""
from . import _C
from ._linalg_util import (
    _deliver, _diag, _grad_on, LinAlgError, _mat, _mH, _ot, _raise, _record, _RT
)
from ._linalg_lu import (
    solve, solve_triangular
)


# ----------------------------------------------------------------------------------------------
# decompositions

def _svd_core(A, full_matrices, compute_uv, fname):
    """(U, S, Vh) with autograd (LinalgSvdBackward0)."""
    want_grad = _grad_on(A)
    uv = compute_uv or want_grad
    U, S, Vh, info = _C._linalg_svd(A.detach(), bool(full_matrices), bool(uv))
    if bool(info.any()):
        raise LinAlgError(f"{fname}: The algorithm failed to converge because the input matrix contained non-finite "
                          "values." if not bool(A.isfinite().all()) else
                          f"{fname}: The algorithm failed to converge because the input matrix is ill-conditioned "
                          "or has too many repeated singular values (error code: 1).")
    if want_grad:
        Ud, Sd, Vhd = U, S, Vh
        k = S.shape[-1]
        # U and Vh are outputs of the node even for svdvals: the gradient formula uses them, so a double
        # backward differentiates them through this node
        outs = [U, S, Vh]

        def bw(gU, gS, gVh):
            if full_matrices and compute_uv:
                m, n = A.shape[-2], A.shape[-1]
                if gU is not None and m > k:
                    gU = gU[..., :k]
                if gVh is not None and n > k:
                    gVh = gVh[..., :k, :]
            Uk = Ud[..., :k] if full_matrices else Ud
            Vhk = Vhd[..., :k, :] if full_matrices else Vhd
            return (_svd_backward(A, Uk, Sd, Vhk, gU, gS, gVh),)

        _record("LinalgSvdBackward0", [A], outs, bw)
    return U, S, Vh


def _svd_backward(A, U, S, Vh, gU, gS, gVh):
    m, n = A.shape[-2], A.shape[-1]
    k = S.shape[-1]
    cplx = A.is_complex()
    if gU is None and gVh is None:
        g = gS if gS is not None else _ot.zeros_like(S)
        return (U * g.to(A.dtype).unsqueeze(-2)) @ Vh
    V = _mH(Vh)
    Sc = S.to(A.dtype)
    S2 = S * S
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1)  # E[i, j] = s_j^2 - s_i^2
    eye = _ot.eye(k, dtype=S.dtype)
    E = E + eye
    inner = _ot.zeros(A.shape[:-2] + (k, k), dtype=A.dtype)
    if gU is not None:
        UhgU = _mH(U) @ gU
        J = (UhgU - _mH(UhgU)) / E.to(A.dtype)
        inner = inner + J * Sc.unsqueeze(-2)
        if cplx:
            d = UhgU.diagonal(0, -2, -1).imag / S
            inner = inner + _diag(d.to(A.dtype) * 1j)
    if gVh is not None:
        gV = _mH(gVh)
        VhgV = Vh @ gV
        K = (VhgV - _mH(VhgV)) / E.to(A.dtype)
        inner = inner + Sc.unsqueeze(-1) * K
    if cplx:
        # the loss must not depend on the common phase of a pair of singular vectors
        iu = UhgU.diagonal(0, -2, -1).imag if gU is not None else _ot.zeros_like(S)
        iv = VhgV.diagonal(0, -2, -1).imag if gVh is not None else _ot.zeros_like(S)
        if not bool(_ot.allclose(iu, -iv, rtol=1e-2, atol=1e-2)):
            raise RuntimeError("svd_backward: The singular vectors in the complex case are specified up to "
                               "multiplication by e^{i phi}. The specified loss function depends on this phase "
                               "term, making it ill-defined.")
    if gS is not None:
        inner = inner + _diag(gS.to(A.dtype))
    gA = U @ inner @ Vh
    if gU is not None and m > k:
        proj = gU - U @ (_mH(U) @ gU)
        gA = gA + (proj / Sc.unsqueeze(-2)) @ Vh
    if gVh is not None and n > k:
        gV = _mH(gVh)
        proj = gV - V @ (Vh @ gV)
        gA = gA + (U / Sc.unsqueeze(-2)) @ _mH(proj)
    return gA


def svd(A, full_matrices=True, *, driver=None, out=None):
    _mat(A, "linalg.svd")
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with "
                           "cuSOLVER backend.")
    U, S, Vh = _svd_core(A, full_matrices, True, "linalg.svd")
    return _deliver(_RT["linalg_svd"]((U, S, Vh)), out)


def svdvals(A, *, driver=None, out=None):
    _mat(A, "linalg.svdvals")
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with "
                           "cuSOLVER backend.")
    _, S, _ = _svd_core(A, False, False, "linalg.svd")
    return _deliver(S, out)


def _eigh_core(A, UPLO, vectors, fname):
    if UPLO not in ("L", "U", "l", "u"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    _mat(A, fname, square=True)
    want_grad = _grad_on(A)
    Ad = A.detach()
    if Ad.is_complex() and Ad.numel() and bool(Ad.diagonal(0, -2, -1).imag.any()):
        # LAPACK ignores the imaginary part of the diagonal (the input is taken as Hermitian); the kernel does not
        Ad = Ad.clone()
        Ad.diagonal(0, -2, -1).imag.zero_()
    L, V, info = _C._linalg_eigh(Ad, UPLO in ("U", "u"), bool(vectors or want_grad))
    _raise(info, A.dim() > 2, fname, lambda c: f"The algorithm failed to converge because the input matrix is "
           f"ill-conditioned or has too many repeated eigenvalues (error code: {c}).")
    if want_grad:
        Ld, Vd = L, V

        def bw(gL, gV):
            return (_eigh_backward(Ld, Vd, gL, gV, A.dtype),)

        _record("LinalgEighBackward0", [A], [L, V], bw)
    return L, V


def _eigh_backward(L, V, gL, gV, dt):
    if gV is None:
        return (V * gL.to(dt).unsqueeze(-2)) @ _mH(V)
    n = L.shape[-1]
    E = L.unsqueeze(-2) - L.unsqueeze(-1)  # E[i, j] = l_j - l_i
    E = E + _ot.eye(n, dtype=L.dtype)
    VhgV = _mH(V) @ gV
    if VhgV.is_complex():
        im = VhgV.diagonal(0, -2, -1).imag
        if not bool(_ot.allclose(im, _ot.zeros_like(im), rtol=1e-2, atol=1e-2)):
            raise RuntimeError("linalg_eigh_backward: The eigenvectors in the complex case are specified up to "
                               "multiplication by e^{i phi}. The specified loss function depends on this quantity, "
                               "so it is ill-defined.")
    inner = (VhgV - _mH(VhgV)) * 0.5 / E.to(dt)
    inner = inner * (1 - _ot.eye(n, dtype=L.dtype)).to(dt)
    if gL is not None:
        inner = inner + _diag(gL.to(dt))
    return V @ inner @ _mH(V)


def eigh(A, UPLO="L", *, out=None):
    L, V = _eigh_core(A, UPLO, True, "linalg.eigh")
    return _deliver(_RT["linalg_eigh"]((L, V)), out)


def eigvalsh(A, UPLO="L", *, out=None):
    L, _ = _eigh_core(A, UPLO, False, "linalg.eigh")
    return _deliver(L, out)


def _eig_core(A, vectors, fname):
    _mat(A, fname)  # torch checks the dtype before the shape
    _mat(A, fname, square=True, float_=False)
    if A.numel() and not bool(A.isfinite().all()):
        raise RuntimeError(f"torch.{fname}: input tensor should not contain infs or NaNs.")
    want_grad = _grad_on(A)
    L, V, info = _C._linalg_eig(A.detach(), bool(vectors or want_grad))
    _raise(info, A.dim() > 2, fname, lambda c: f"The algorithm failed to converge because the input matrix is "
           f"ill-conditioned or has too many repeated eigenvalues (error code: {c}).")
    if want_grad:
        Lr, Vr = L, V

        def bw(gL, gV):
            gA = _eig_backward(Lr, Vr, gL, gV)
            return (gA if A.is_complex() else gA.real,)

        _record("LinalgEigBackward0", [A], [L, V], bw)
    return L, V


def _eig_backward(L, V, gL, gV):
    """torch's formula: gA = V^-H (diag(gL) + (V^H gV - V^H V diag(re(V^H gV))) / conj(E)) V^H, where
    E[i, j] = L[j] - L[i] off the diagonal (the eigenvectors have unit norm)."""
    Vh = _mH(V)
    n = L.shape[-1]
    eye = _ot.eye(n, dtype=V.dtype)
    if gV is None:
        inner = _diag(gL) if gL is not None else _ot.zeros_like(V)
    else:
        VhgV = Vh @ gV
        dg = VhgV.diagonal(0, -2, -1)
        if not bool(_ot.allclose(dg.imag, _ot.zeros_like(dg.imag), rtol=1e-2, atol=1e-2)):
            raise RuntimeError("linalg_eig_backward: The eigenvectors in the complex case are specified up to "
                               "multiplication by e^{i phi}. The specified loss function depends on this quantity, "
                               "so it is ill-defined.")
        inner = VhgV - Vh @ (V * dg.real.to(V.dtype).unsqueeze(-2))
        E = L.unsqueeze(-2) - L.unsqueeze(-1)
        E = E * (1 - eye) + eye
        inner = inner / E.conj() * (1 - eye)
        if gL is not None:
            inner = inner + _diag(gL)
    return solve(Vh, inner @ Vh)


def eig(A, *, out=None):
    L, V = _eig_core(A, True, "linalg.eig")
    return _deliver(_RT["linalg_eig"]((L, V)), out)


def eigvals(A, *, out=None):
    L, _ = _eig_core(A, False, "linalg.eigvals")
    return _deliver(L, out)


def qr(A, mode="reduced", *, out=None):
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           "or 'complete'")
    _mat(A, "linalg.qr")
    m, n = A.shape[-2], A.shape[-1]
    Q, R = _C._linalg_qr(A.detach(), {"reduced": 0, "complete": 1, "r": 2}[mode])
    if _grad_on(A):
        if mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                               "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
                               "linalg.qr.")
        Qd, Rd = Q, R

        def bw(gQ, gR):
            if mode == "complete" and m > n:
                raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and "
                                   "nrows > ncols.")
            return (_qr_backward(A, Qd, Rd, gQ, gR),)

        _record("LinalgQrBackward0", [A], [Q, R], bw)
    return _deliver(_RT["linalg_qr"]((Q, R)), out)


def _tril_ltu(M):
    """tril(M, -1) + tril(M, -1)^H + real diagonal of M (a Hermitian matrix from M's lower part)."""
    low = _ot.tril(M, -1)
    d = M.diagonal(0, -2, -1)
    if M.is_complex():
        d = d.real.to(M.dtype)
    return low + _mH(low) + _diag(d)


def _qr_backward(A, Q, R, gQ, gR):
    m, n = A.shape[-2], A.shape[-1]
    if gQ is None:
        gQ = _ot.zeros_like(Q)
    if gR is None:
        gR = _ot.zeros_like(R)
    if m >= n:
        M = R @ _mH(gR) - _mH(gQ) @ Q
        b = gQ + Q @ _tril_ltu(M)
        return solve_triangular(_mH(R), b, upper=False, left=False)
    # wide: A = Q [X | Y] with X square.
    X = R[..., :, :m]
    gX = gR[..., :, :m]
    gY = gR[..., :, m:]
    Y = R[..., :, m:]
    gQp = gQ + A[..., :, m:] @ _mH(gY)
    M = X @ _mH(gX) - _mH(gQp) @ Q
    b = gQp + Q @ _tril_ltu(M)
    gXfull = solve_triangular(_mH(X), b, upper=False, left=False)
    del Y
    return _ot.cat([gXfull, Q @ gY], -1)


def _cholesky_core(A, upper, fname):
    _mat(A, fname, square=True)
    L, info = _C._linalg_cholesky(A.detach(), bool(upper))
    if _grad_on(A):
        Ld = L

        def bw(gL):
            # torch's formula (Murray 2016): gA = L^-H (Phi + tril(Phi, -1)^H) / 2 L^-1, Phi = tril(L^H gL)
            Lo = _mH(Ld) if upper else Ld
            g = _mH(gL) if upper else gL
            phi = _ot.tril(_mH(Lo) @ g)
            phi = 0.5 * (phi + _mH(_ot.tril(phi, -1)))
            gA = solve_triangular(_mH(Lo), phi, upper=True)
            return (solve_triangular(Lo, gA, upper=False, left=False),)

        _record("LinalgCholeskyExBackward0", [A], [L], bw)
    return L, info


def cholesky(A, *, upper=False, out=None):
    L, info = _cholesky_core(A, upper, "linalg.cholesky")
    _raise(info, A.dim() > 2, "linalg.cholesky", lambda c: "The factorization could not be completed because the input "
           f"is not positive-definite (the leading minor of order {c} is not positive-definite).")
    return _deliver(L, out)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    L, info = _cholesky_core(A, upper, "linalg.cholesky")
    if check_errors:
        _raise(info, A.dim() > 2, "linalg.cholesky_ex", lambda c: "The factorization could not be completed because the "
               f"input is not positive-definite (the leading minor of order {c} is not positive-definite).")
    return _deliver(_RT["linalg_cholesky_ex"]((L, info)), out)
