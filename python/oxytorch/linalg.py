"""``torch.linalg`` on the faer-backed kernels of ``_C`` (``_linalg_*``): torch's signatures, argument
checks and messages, named-tuple results, ``out=``, and autograd (nodes named as torch names them)."""
import math as _math

import sys as _sys

from . import _C
from ._matmul import multi_dot  # noqa: F401
from .return_types import _make

Tensor = _C.Tensor
_ot = _sys.modules[__package__]  # the oxytorch package (its namespace is complete by call time)


class LinAlgError(RuntimeError):
    """Raised for singular, non-positive-definite or non-converging inputs (a RuntimeError)."""


LinAlgError.__name__ = LinAlgError.__qualname__ = "_LinAlgError"
LinAlgError.__module__ = "torch._C"

_RT = {}
for _n, _f in (("linalg_svd", ("U", "S", "Vh")), ("svd", ("U", "S", "V")),
               ("linalg_eigh", ("eigenvalues", "eigenvectors")), ("linalg_eig", ("eigenvalues", "eigenvectors")),
               ("linalg_qr", ("Q", "R")), ("qr", ("Q", "R")), ("linalg_cholesky_ex", ("L", "info")),
               ("linalg_inv_ex", ("inverse", "info")), ("linalg_slogdet", ("sign", "logabsdet")),
               ("slogdet", ("sign", "logabsdet")), ("linalg_lu_factor", ("LU", "pivots")),
               ("linalg_lu_factor_ex", ("LU", "pivots", "info")), ("linalg_lu", ("P", "L", "U")),
               ("lu_unpack", ("P", "L", "U")), ("linalg_solve_ex", ("result", "info")),
               ("linalg_lstsq", ("solution", "residuals", "rank", "singular_values")), ("geqrf", ("a", "tau"))):
    _RT[_n] = _make(_n, _f)
del _n, _f

_NAMES = {
    "torch.bool": "Bool", "torch.uint8": "Byte", "torch.int8": "Char", "torch.int16": "Short",
    "torch.int32": "Int", "torch.int64": "Long", "torch.float16": "Half", "torch.bfloat16": "BFloat16",
    "torch.float32": "Float", "torch.float64": "Double", "torch.complex32": "ComplexHalf",
    "torch.complex64": "ComplexFloat", "torch.complex128": "ComplexDouble",
}
_LOW = ("torch.float16", "torch.bfloat16", "torch.complex32")
_OK = ("torch.float32", "torch.float64", "torch.complex64", "torch.complex128")


# ----------------------------------------------------------------------------------------------
# helpers

def _tensor(x, fname, arg="A", pos=1):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}")


# torch dispatches these on a CPU kernel whose dtype switch rejects other dtypes first (message names the kernel)
_KERNEL = {"linalg.qr": "geqrf_cpu", "linalg.svd": "linalg_svd_cpu", "linalg.svdvals": "linalg_svd_cpu",
           "linalg.cond": "linalg_svd_cpu", "linalg.eigh": "linalg_eigh_cpu", "linalg.eig": "linalg_eig_out_cpu",
           "linalg.eigvals": "linalg_eig_out_cpu", "linalg.cholesky": "cholesky_cpu", "linalg.det": "lu_cpu",
           "linalg.lu_factor": "lu_cpu", "linalg.lu_factor_ex": "lu_cpu", "linalg.lu": "lu_cpu",
           "linalg.solve_triangular": "triangular_solve_cpu", "torch.linalg.householder_product": "orgqr_cpu"}
_KERNEL_INT = ("linalg.eigh", "linalg.lu_factor", "linalg.lu_factor_ex", "linalg.lu", "linalg.solve_triangular",
               "torch.linalg.householder_product")


def _float(A, fname):
    d = str(A.dtype)
    if d in _OK:
        return
    if fname in _KERNEL and (d in _LOW or fname in _KERNEL_INT) and d != "torch.complex32":
        raise NotImplementedError(f'"{_KERNEL[fname]}" not implemented for \'{_NAMES[d]}\'')
    if fname in ("linalg.eig", "linalg.eigvals") and d not in _LOW:
        raise RuntimeError(f"Unknown Complex ScalarType for {_NAMES[d]}")
    if fname == "linalg.pinv":
        raise RuntimeError(f"linalg.pinv({_NAMES[d]}{{{list(A.shape)}}}): expected a tensor with 2 or more "
                           "dimensions of float, double, cfloat or cdouble types")
    if fname == "linalg.matrix_rank":
        raise RuntimeError("This function doesn't handle types other than float and double")
    fname = {"linalg.svdvals": "linalg.svd", "linalg.cond": "linalg.svd", "linalg.inv_ex": "linalg.inv"}.get(
        fname, fname)
    if d in _LOW:
        raise NotImplementedError(f"{fname}: Low precision dtypes not supported. Got {_NAMES[d]}")
    raise NotImplementedError(f"{fname}: Expected a floating point or complex tensor as input. Got {_NAMES[d]}")


def _mat(A, fname, arg="A", square=False, float_=True):
    _tensor(A, fname.replace("linalg.", "linalg_"), arg)
    if A.dim() < 2:
        raise RuntimeError(f"{fname}: The input tensor {arg} must have at least 2 dimensions.")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{fname}: {arg} must be batches of square matrices, "
                           f"but they are {A.shape[-2]} by {A.shape[-1]} matrices")
    if float_:
        _float(A, fname)
    if A.device.type != "cpu":
        raise NotImplementedError(f"[{fname}] is not implemented for CUDA tensors yet; move the tensor to the CPU "
                                  "with .cpu() first")


def _raise(info, batched, fname, msg, exc=None):
    """Raises LinAlgError for the first non-zero info code (torch's "(Batch element i): " prefix)."""
    if info.numel() == 0:
        return
    flat = info.reshape(-1)
    if not bool(flat.any()):
        return
    codes = flat.tolist()
    i = next(k for k, c in enumerate(codes) if c != 0)
    pre = f"(Batch element {i}): " if batched else ""
    raise (exc or LinAlgError)(f"{fname}: {pre}{msg(codes[i])}")


def _mH(x):
    x = x.transpose(-2, -1)
    return x.conj() if x.is_complex() else x


def _grad_on(*ts):
    return _C.is_grad_enabled() and any(isinstance(t, Tensor) and t.requires_grad for t in ts)


def _record(name, inputs, outputs, fn):
    _C._record_function(name, list(inputs), list(outputs), fn)


def _no_grad():
    from .autograd.grad_mode import no_grad
    return no_grad()


def _composite(name, f, inputs, n_diff=None):
    """Runs ``f(*inputs)`` (autograd-aware ops) as one node named ``name``: the inner graph is built on
    detached inputs and differentiated in backward. ``n_diff``: how many leading outputs are
    differentiable (all when None)."""
    if not _grad_on(*inputs):
        with _no_grad():
            return f(*inputs)
    from .autograd import grad as _agrad
    from .autograd.grad_mode import enable_grad
    ins = [x.detach().requires_grad_(x.requires_grad) for x in inputs]
    with enable_grad():
        out = f(*ins)
    single = not isinstance(out, tuple)
    outs = (out,) if single else out
    nd = len(outs) if n_diff is None else n_diff
    res = [o.detach() for o in outs]

    def bw(*grads):
        src, o_all = ins, outs
        if _C.is_grad_enabled():
            # a double backward: rebuild the inner graph on the real inputs so the gradient depends on them
            src = list(inputs)
            o_all = f(*src)
            o_all = (o_all,) if single else o_all
        pairs = [(o, g) for o, g in zip(o_all[:nd], grads) if g is not None and o.requires_grad]
        wrt = [i for i in src if i.requires_grad]
        if not pairs or not wrt:
            return tuple(None for _ in ins)
        gs = _agrad([o for o, _ in pairs], wrt, [g for _, g in pairs], retain_graph=True, allow_unused=True,
                    create_graph=_C.is_grad_enabled())
        it = iter(gs)
        return tuple(next(it) if i.requires_grad else None for i in src)

    _record(name, inputs, res[:nd], bw)
    return res[0] if single else tuple(res)


def _deliver(res, out, fname=None):
    """Writes ``res`` (a tensor or tuple) into ``out`` (resizing as torch does) and returns ``out``."""
    if out is None:
        return res
    if isinstance(res, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(res):
            raise TypeError(f"{fname or 'linalg'}(): argument 'out' must be tuple of Tensors")
        for o, r in zip(out, res):
            _deliver(r, o)
        return type(res)(tuple(out)) if hasattr(res, "_fields") or type(res) is not tuple else tuple(out)
    if out.dtype != res.dtype:
        raise RuntimeError(f"Expected out tensor to have dtype {res.dtype}, but got {out.dtype} instead")
    if tuple(out.shape) != tuple(res.shape):
        out.resize_(res.shape)
    with _no_grad():
        out.copy_(res)
    return out


def _eye_like(n, A):
    return _ot.eye(n, dtype=A.dtype)


def _real_dtype(dt):
    return {"torch.complex64": _ot.float32, "torch.complex128": _ot.float64}.get(str(dt), dt)


def _eps(dt):
    return {"torch.float32": 1.1920928955078125e-07, "torch.complex64": 1.1920928955078125e-07}.get(
        str(dt), 2.220446049250313e-16)


def _diag(v):
    return _ot.diag_embed(v)


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


def det(A, *, out=None):
    _mat(A, "linalg.det", square=True)
    _, _, d = _C._linalg_slogdet(A.detach())
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
    s, la, _ = _C._linalg_slogdet(A.detach())
    if _grad_on(A):
        sd = s

        def bw(gs, gl):
            Ainv = _inv_core(A, "linalg.inv")[0]
            if gl is None:
                gl = _ot.zeros_like(la)
            g = gl.to(A.dtype)
            if A.is_complex() and gs is not None:
                g = g + 1j * (sd.conj() * gs).imag.to(A.dtype)
            return (g.unsqueeze(-1).unsqueeze(-1) * _mH(Ainv),)

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
            xn = vector_norm(tail, dim=-1) if m - j > 1 else _ot.zeros_like(alpha.abs())
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

def _tol(S, A, atol, rtol, fname):
    m, n = A.shape[-2], A.shape[-1]
    if atol is None and rtol is None:
        rtol = _eps(A.dtype) * max(m, n)
    elif rtol is None:
        rtol = 0.0
    smax = S.amax(-1, keepdim=True) if S.shape[-1] else _ot.zeros(tuple(S.shape[:-1]) + (1,), dtype=S.dtype)
    a = atol if atol is not None else 0.0
    r = rtol
    if isinstance(a, Tensor):
        a = a.unsqueeze(-1)
    if isinstance(r, Tensor):
        r = r.unsqueeze(-1)
    return _ot.maximum(r * smax, a * _ot.ones_like(smax)) if isinstance(a, Tensor) or isinstance(r, Tensor) else \
        (smax * r).clamp(min=a)


def _pinv_plain(A, atol, rtol, hermitian):
    if hermitian:
        L, V = _eigh_core(A, "L", True, "linalg.eigh")
        S = L.abs()
        tol = _tol(S, A, atol, rtol, "linalg.pinv")
        Linv = _ot.where(S > tol, 1 / L, _ot.zeros_like(L))
        return (V * Linv.to(A.dtype).unsqueeze(-2)) @ _mH(V)
    U, S, Vh = _svd_core(A, False, True, "linalg.svd")
    tol = _tol(S, A, atol, rtol, "linalg.pinv")
    Sinv = _ot.where(S > tol, 1 / S, _ot.zeros_like(S))
    return (_mH(Vh) * Sinv.to(A.dtype).unsqueeze(-2)) @ _mH(U)


def _pinv_grad(A, P, g):
    """Gradient of pinv for constant rank: -P^H g P^H + (I - A P) g^H P P^H + P^H P g^H (I - P A)."""
    Ph = _mH(P)
    gh = _mH(g)
    m, n = A.shape[-2], A.shape[-1]
    t1 = -(Ph @ g @ Ph)
    t2 = (gh @ P @ Ph) - A @ (P @ (gh @ (P @ Ph)))
    t3 = (Ph @ P @ gh) - ((Ph @ P) @ (gh @ P)) @ A
    del m, n
    return t1 + t2 + t3


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None, rcond=None):
    _mat(A, "linalg.pinv")
    if rcond is not None:
        rtol = rcond
    with _no_grad():
        P = _pinv_plain(A.detach(), atol, rtol, hermitian)
    if _grad_on(A):
        Pd = P

        def bw(g):
            return (_pinv_grad(A, Pd, g),)

        _record("LinalgPinvBackward0", [A], [P], bw)
    return _deliver(P, out)


def pinverse(input, rcond=1e-15):
    return pinv(input, rtol=rcond)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None, tol=None):
    _mat(A, "linalg.matrix_rank")
    if tol is not None:
        atol, rtol = tol, 0.0
    with _no_grad():
        if hermitian:
            S = _eigh_core(A.detach(), "L", False, "linalg.eigh")[0].abs()
        else:
            S = _svd_core(A.detach(), False, False, "linalg.svd")[1]
        t = _tol(S, A, atol, rtol, "linalg.matrix_rank")
        r = (S > t).sum(-1)
    return _deliver(r, out)


def lstsq(A, B, rcond=None, *, driver=None):
    _tensor(A, "linalg_lstsq", "self")
    _tensor(B, "linalg_lstsq", "b", 2)
    if driver is not None and driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    driver = driver or "gelsy"
    if A.dim() < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    _float(A, "torch.linalg.lstsq")
    if A.dtype != B.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got "
                           f"input's dtype {A.dtype} and other's dtype {B.dtype}")
    vector = B.dim() == A.dim() - 1
    Bm = B.unsqueeze(-1) if vector else B
    if Bm.dim() < 2 or Bm.shape[-2] != A.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    m, n = A.shape[-2], A.shape[-1]
    if rcond is None:
        rcond = _eps(A.dtype) * max(m, n)
    batch = tuple(_ot.broadcast_shapes(tuple(A.shape[:-2]), tuple(Bm.shape[:-2])))

    def solve_fn(a, b):
        x = pinv(a, rtol=rcond, atol=0.0) @ (b.unsqueeze(-1) if vector else b)
        return x.squeeze(-1) if vector else x

    X = _composite("LinalgLstsqBackward0", solve_fn, [A, B])
    rdt = _real_dtype(A.dtype)
    with _no_grad():
        S = _svd_core(A.detach(), False, False, "linalg.svd")[1]
        smax = S.amax(-1, keepdim=True) if S.shape[-1] else S
        rank = (S > rcond * smax).sum(-1) if S.shape[-1] else _ot.zeros(tuple(A.shape[:-2]), dtype=_ot.int64)
        rank = rank.expand(batch) if driver != "gels" else _ot.zeros(0, dtype=_ot.int64)
        sv = S.expand(batch + (S.shape[-1],)) if driver in ("gelsd", "gelss") else _ot.zeros(0, dtype=rdt)
        res = _ot.zeros(0, dtype=rdt)
        if m > n and driver != "gelsy":
            full = bool((rank == min(m, n)).all()) if driver != "gels" else True
            if full:
                r = A.detach() @ (X.detach().unsqueeze(-1) if vector else X.detach()) - Bm.detach()
                res = (r.abs() ** 2).sum(-2)
                if vector:
                    res = res.squeeze(-1)
    return _RT["linalg_lstsq"]((X, res, rank, sv))


def _vnorm_plain(x, ord, dims, keepdim):
    a = x.abs()
    if ord == 2:
        return (a * a).sum(dims, keepdim=keepdim).sqrt()
    if ord == float("inf"):
        return a.amax(dims, keepdim=keepdim)
    if ord == float("-inf"):
        return a.amin(dims, keepdim=keepdim)
    if ord == 0:
        return (a != 0).to(a.dtype).sum(dims, keepdim=keepdim)
    if ord == 1:
        return a.sum(dims, keepdim=keepdim)
    return (a ** ord).sum(dims, keepdim=keepdim) ** (1.0 / ord)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    _tensor(x, "linalg_vector_norm", "self")
    if isinstance(ord, str):
        raise TypeError("linalg_vector_norm(): argument 'ord' must be Number, not str")
    d = str(x.dtype)
    if not (x.is_floating_point() or x.is_complex()):
        raise NotImplementedError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                                  f"{_NAMES[d]}")
    if dtype is not None:
        x = x.to(dtype)
    ord = float(ord)
    if dim is None:
        dims = tuple(range(x.dim()))
    elif isinstance(dim, int):
        dims = (dim,)
    else:
        dims = tuple(dim)
    if len(dims) == 0:
        dims = tuple(range(x.dim()))
    if ord < 0 or _math.isinf(ord):
        red = [x.shape[i] for i in dims] if x.dim() else [1]
        if x.numel() == 0 and (any(s == 0 for s in red) or not red):
            name = "inf" if ord == float("inf") else ("-inf" if _math.isinf(ord) else str(ord).rstrip("0").rstrip("."))
            raise RuntimeError(f"linalg.vector_norm cannot compute the {name} norm on an empty tensor because the "
                               "operation does not have an identity")
    if x.dim() == 0:
        dims = ()
    with _no_grad():
        r = _vnorm_plain(x.detach(), ord, dims if dims else None, keepdim) if dims else x.detach().abs()
        if not dims and x.dim() == 0 and ord == 0:
            r = (x.detach() != 0).to(r.dtype)
    if _grad_on(x):
        rd = r

        def bw(g):
            xd = x.detach()
            nr = rd if keepdim or not dims else _unsq(rd, dims, x.dim())
            gg = g if keepdim or not dims else _unsq(g, dims, x.dim())
            a = xd.abs()
            sg = _ot.where(a == 0, _ot.zeros_like(xd), xd / _ot.where(a == 0, _ot.ones_like(a), a).to(xd.dtype)) \
                if xd.is_complex() else xd.sign()
            if ord == 0:
                return (_ot.zeros_like(xd),)
            if ord == 1:
                return (gg.to(xd.dtype) * sg,)
            if _math.isinf(ord):
                mask = (a == nr).to(a.dtype)
                cnt = mask.sum(dims if dims else None, keepdim=True)
                return ((gg * mask / cnt).to(xd.dtype) * sg,)
            safe = _ot.where(nr == 0, _ot.ones_like(nr), nr)
            if ord == 2:
                scale = _ot.where(nr == 0, _ot.zeros_like(nr), gg / safe)
                return (xd * scale.to(xd.dtype),)
            scale = _ot.where(nr == 0, _ot.zeros_like(nr), gg / safe ** (ord - 1))
            return (sg * (a ** (ord - 1) * scale).to(xd.dtype),)

        _record("LinalgVectorNormBackward0", [x], [r], bw)
    return _deliver(r, out)


def _unsq(t, dims, nd):
    for d in sorted(d % nd for d in dims):
        t = t.unsqueeze(d)
    return t


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    _tensor(A, "linalg_matrix_norm", "self")
    if A.dim() < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim if not isinstance(dim, (tuple, list)) else ' '.join(map(str, dim))}")
    if not (A.is_floating_point() or A.is_complex()):
        raise NotImplementedError(f"linalg.matrix_norm: Expected a floating point or complex tensor as input. Got "
                                  f"{_NAMES[str(A.dtype)]}")
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = dim[0] % A.dim(), dim[1] % A.dim()
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
        if ord == "fro":
            return _deliver(vector_norm(A, 2, (d0, d1), keepdim), out)
    elif ord not in (1, -1, 2, -2, float("inf"), float("-inf")):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    # move the two dims to the end
    perm = [i for i in range(A.dim()) if i not in (d0, d1)] + [d0, d1]
    M = A.permute(perm)
    if ord == "nuc" or ord in (2, -2):
        S = svdvals(M)
        if ord == "nuc":
            r = S.sum(-1)
        elif ord == 2:
            r = S.amax(-1)
        else:
            r = S.amin(-1)
    elif ord in (1, -1):
        s = M.abs().sum(-2)
        r = s.amax(-1) if ord == 1 else s.amin(-1)
    else:
        s = M.abs().sum(-1)
        r = s.amax(-1) if ord > 0 else s.amin(-1)
    if keepdim:
        for d in sorted((d0, d1)):
            r = r.unsqueeze(d)
    return _deliver(r, out)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    _tensor(A, "linalg_norm", "input")
    if dim is not None and isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        if dim is not None and len(dim) == 2:
            return matrix_norm(A, "fro", dim, keepdim, dtype=dtype, out=out)
        return vector_norm(A, 2, dim, keepdim, dtype=dtype, out=out)
    if dim is None:
        if A.dim() not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                               f"Got {A.dim()}D.")
        dim = tuple(range(A.dim()))
    if len(dim) == 2:
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype, out=out)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: Expected a float as ord but got the string '{ord}'")
    return vector_norm(A, ord, dim, keepdim, dtype=dtype, out=out)


def cond(A, p=None, *, out=None):
    _mat(A, "linalg.cond")
    if p is None or p in (2, -2):
        S = svdvals(A)
        if p == -2:
            r = S[..., -1] / S[..., 0]
        else:
            r = S[..., 0] / S[..., -1]
        return _deliver(r, out)
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.cond(ord={p}): A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    Ainv, info = inv_ex(A)
    r = matrix_norm(A, p) * matrix_norm(Ainv, p)
    r = _ot.where(info > 0, _ot.full_like(r, float("inf")), r)
    return _deliver(r, out)


def matrix_power(A, n, *, out=None):
    _tensor(A, "linalg_matrix_power", "input")
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    if not isinstance(n, int):
        raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not {type(n).__name__}")
    k = A.shape[-1]
    if n == 0:
        r = _ot.eye(k, dtype=A.dtype).expand(tuple(A.shape)).clone()
        return _deliver(r, out)
    if n < 0:
        A = inv(A)
        n = -n
    result = None
    base = A
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    if result is A:
        result = A.clone()
    return _deliver(result, out)


# Higham (2005) scaling and squaring with diagonal Pade approximants r_m: the largest 1-norm for which
# r_m is accurate to double-precision unit roundoff, and the coefficients of the numerator p_m(x).
_PADE_THETA = ((3, 1.495585217958292e-2), (5, 2.539398330063230e-1), (7, 9.504178996162932e-1),
               (9, 2.097847961257068e0), (13, 5.371920351148152e0))
_PADE_B = {
    3: (120., 60., 12., 1.),
    5: (30240., 15120., 3360., 420., 30., 1.),
    7: (17297280., 8648640., 1995840., 277200., 25200., 1512., 56., 1.),
    9: (17643225600., 8821612800., 2075673600., 302702400., 30270240., 2162160., 110880., 3960., 90., 1.),
    13: (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800., 129060195264000.,
         10559470521600., 670442572800., 33522128640., 1323241920., 40840800., 960960., 16380., 182., 1.),
}


def _pade(X, m):
    """r_m(X) = q_m(X)^-1 p_m(X) with p_m(X) = U + V (odd part U, even part V) and q_m(X) = V - U."""
    b = _PADE_B[m]
    n = X.shape[-1]
    eye = _ot.eye(n, dtype=X.dtype)
    X2 = X @ X
    if m == 13:
        X4 = X2 @ X2
        X6 = X4 @ X2
        U = X @ (X6 @ (b[13] * X6 + b[11] * X4 + b[9] * X2) + b[7] * X6 + b[5] * X4 + b[3] * X2 + b[1] * eye)
        V = X6 @ (b[12] * X6 + b[10] * X4 + b[8] * X2) + b[6] * X6 + b[4] * X4 + b[2] * X2 + b[0] * eye
    else:
        pows = [eye, X2]
        for _ in range(2, (m + 1) // 2):
            pows.append(pows[-1] @ X2)
        U = X @ sum(b[2 * i + 1] * P for i, P in enumerate(pows))
        V = sum(b[2 * i] * P for i, P in enumerate(pows))
    return _C._linalg_solve(V - U, V + U)[0]


def _mexp(A):
    """exp(A) by scaling and squaring: per matrix, the lowest Pade degree whose bound covers its 1-norm,
    else degree 13 on A / 2^s, squared s times (the batch uses the highest degree any matrix needs)."""
    if A.numel() == 0:
        return A.clone()
    if A.shape[-1] == 1:
        return A.exp()
    if str(A.dtype) in ("torch.float32", "torch.complex64"):
        # single precision is computed in double and rounded once: more accurate than a float32 Pade solve
        return _mexp(A.to(_ot.complex128 if A.is_complex() else _ot.float64)).to(A.dtype)
    table = _PADE_THETA
    batch = tuple(A.shape[:-2])
    nrm = A.abs().sum(-2).amax(-1).reshape(-1).tolist()  # 1-norm of each matrix
    bad = [not _math.isfinite(x) for x in nrm]
    deg, steps = [], []
    for x in nrm:
        if not _math.isfinite(x):  # a non-finite matrix gives NaNs (as torch), the others are unaffected
            x = 0.0
        for m, th in table:
            if x <= th:
                deg.append(m)
                steps.append(0)
                break
        else:
            m, th = table[-1]
            deg.append(m)
            steps.append(max(0, int(_math.ceil(_math.log2(x / th)))))
    flat = A.reshape((-1,) + tuple(A.shape[-2:]))
    sc = _ot.tensor([2.0 ** -k for k in steps], dtype=_real_dtype(A.dtype)).to(A.dtype).reshape(-1, 1, 1)
    X = flat * sc
    R = _pade(X, max(deg))
    top = max(steps)
    if top:
        left = _ot.tensor(steps).reshape(-1, 1, 1)
        for k in range(top):
            R = _ot.where(left > k, R @ R, R)
    if any(bad):
        mask = _ot.tensor(bad).reshape(-1, 1, 1)
        R = _ot.where(mask, _ot.full_like(R, float("nan")), R)
    return R.reshape(batch + tuple(A.shape[-2:]))


def matrix_exp(A):
    _tensor(A, "linalg_matrix_exp", "input")
    if A.dim() < 2 or A.shape[-1] != A.shape[-2]:
        if A.dim() < 2:
            raise RuntimeError("linalg.matrix_exp: The input tensor A must have at least 2 dimensions.")
        raise RuntimeError(f"linalg.matrix_exp: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    if str(A.dtype) in ("torch.float16", "torch.bfloat16"):
        # torch accepts half and bfloat16 (its own half-precision Pade evaluation is inaccurate);
        # here they are computed in float32 and rounded once.
        return matrix_exp(A.to(_ot.float32)).to(A.dtype)
    _float(A, "linalg.matrix_exp")
    with _no_grad():
        R = _mexp(A.detach())
    if _grad_on(A):
        def bw(g):
            # the Frechet derivative's adjoint: the upper-right block of exp([[A^H, g], [0, A^H]])
            n = A.shape[-1]
            Ah = _mH(A)
            top = _ot.cat([Ah, g], -1)
            bot = _ot.cat([_ot.zeros_like(g), Ah], -1)
            return (matrix_exp(_ot.cat([top, bot], -2))[..., :n, n:],)

        _record("LinalgMatrixExpBackward0", [A], [R], bw)
    return R


def cross(input, other, *, dim=-1, out=None):
    _tensor(input, "linalg_cross", "input")
    _tensor(other, "linalg_cross", "other", 2)
    if input.dim() != other.dim():
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions.")
    d = dim % input.dim() if input.dim() else 0
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[d]} and "
                           f"{other.shape[d]}")

    def f(a, b):
        a0, a1, a2 = (a.select(d, i) for i in range(3))
        b0, b1, b2 = (b.select(d, i) for i in range(3))
        return _ot.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], d)

    return _deliver(_composite("LinalgCrossBackward0", f, [input, other]), out)


def vecdot(x, y, *, dim=-1, out=None):
    _tensor(x, "linalg_vecdot", "x")
    _tensor(y, "linalg_vecdot", "y", 2)
    if x.dtype != y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
                           f"{_NAMES[str(x.dtype)]} and y of type {_NAMES[str(y.dtype)]} instead")
    xc = x.conj() if x.is_complex() else x
    return _deliver((xc * y).sum(dim), out)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return A.diagonal(offset, dim1, dim2)


def matmul(input, other, *, out=None):
    return _ot.matmul(input, other, out=out) if out is not None else _ot.matmul(input, other)


def vander(x, *, N=None):
    n = x.shape[-1] if N is None else N
    return _ot.stack([x ** i for i in range(n)], -1) if n else _ot.zeros(tuple(x.shape) + (0,), dtype=x.dtype)


# ----------------------------------------------------------------------------------------------
# torch.* legacy names (exported by oxytorch/_linalg_top.py)

def _t_svd(input, some=True, compute_uv=True, *, out=None):
    _mat(input, "linalg.svd")
    m, n = input.shape[-2], input.shape[-1]
    U, S, Vh = _svd_core(input, not some, True, "linalg.svd")
    if not compute_uv:
        batch = tuple(input.shape[:-2])
        k = min(m, n)
        U = _ot.zeros(batch + (m, m), dtype=input.dtype)
        V = _ot.zeros(batch + (n, n), dtype=input.dtype)
        return _deliver(_RT["svd"]((U, S.detach(), V)), out)
    return _deliver(_RT["svd"]((U, S, _mH(Vh))), out)


def _t_cholesky(input, upper=False, *, out=None):
    raise RuntimeError(
        "This function was deprecated since version 1.9 and is now removed. `torch.cholesky` is deprecated in favor "
        "of `torch.linalg.cholesky`.\nL = torch.cholesky(A) should be replaced with:\nL = torch.linalg.cholesky(A)\n"
        "U = torch.cholesky(A, upper=True) should be replaced with:\nU = torch.linalg.cholesky(A).mH")


def _t_logdet(input):
    _mat(input, "logdet", square=True)
    s, la = slogdet(input)
    if input.is_complex():
        return la.to(input.dtype) + _ot.log(s)
    return _ot.where(s < 0, _ot.full_like(la, float("nan")), la)


def _t_qr(input, some=True, *, out=None):
    Q, R = qr(input, "reduced" if some else "complete")
    return _deliver(_RT["qr"]((Q, R)), out)


def _t_slogdet(input, *, out=None):
    s, la = slogdet(input)
    return _deliver(_RT["slogdet"]((s, la)), out)
