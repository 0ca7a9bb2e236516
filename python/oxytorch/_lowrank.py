"""``torch.svd_lowrank`` and ``torch.pca_lowrank``: randomized range finding (a Gaussian test matrix,
then ``niter`` rounds of power iteration re-orthonormalised by QR) and an exact SVD of the small
projected matrix. The test matrix is drawn with ``randn`` from the global generator, as torch draws
it, so a seeded call gives torch's factors."""
_pkg = None


def _ot():
    global _pkg
    if _pkg is None:
        import oxytorch
        _pkg = oxytorch
    return _pkg


def _float_dtype(A):
    return A.dtype if (A.dtype.is_floating_point or A.dtype.is_complex) else _ot().float32


def _range_basis(A, q, niter, M):
    """An orthonormal (m x q) Q whose span approximates the range of A - M."""
    torch = _ot()
    niter = 2 if niter is None else niter
    omega = torch.randn(A.shape[-1], q, dtype=A.dtype if A.is_complex() else _float_dtype(A))

    def apply(X, op):  # op(A - M) @ X, with M's product taken separately as torch does
        Y = op(A) @ X
        return Y if M is None else Y - op(M) @ X

    ident, adj = (lambda x: x), (lambda x: x.mH)
    Q = torch.linalg.qr(apply(omega, ident)).Q
    for _ in range(niter):
        Q = torch.linalg.qr(apply(Q, adj)).Q
        Q = torch.linalg.qr(apply(Q, ident)).Q
    return Q


def _svd_lowrank(A, q=6, niter=2, M=None):
    q = 6 if q is None else q
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.size())
    wide = m < n
    if wide:  # work on the tall adjoint and swap the factors back at the end
        A = A.mH
        M = None if M is None else M.mH
    Q = _range_basis(A, q, niter, M)
    B = Q.mH @ A
    if M is not None:
        B = B - Q.mH @ M
    U, S, Vh = _ot().linalg.svd(B, full_matrices=False)
    U, V = Q @ U, Vh.mH
    return (V, S, U) if wide else (U, S, V)


def svd_lowrank(A, q=6, niter=2, M=None):
    return _svd_lowrank(A, q=q, niter=niter, M=M)


def pca_lowrank(A, q=None, center=True, niter=2):
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not (0 <= q <= min(m, n)):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}")
    if not niter >= 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return _svd_lowrank(A, q, niter=niter, M=None)
    return _svd_lowrank(A - A.mean(dim=(-2,), keepdim=True), q, niter=niter, M=None)

