"""``torch.linalg`` pinv, matrix_rank, lstsq, norms, cond, matrix_power, matrix_exp, cross, vecdot and the
legacy ``torch.*`` wrappers (split out of linalg.py)."""
import math as _math

from . import _C
from ._linalg_util import (
    _composite, _deliver, _eps, _float, _grad_on, _mat, _mH, _NAMES, _no_grad, _ot, _real_dtype, _record, _RT,
    Tensor, _tensor
)
from ._linalg_lu import (
    inv, inv_ex, slogdet
)
from ._linalg_decomp import (
    _eigh_core, qr, _svd_core, svdvals
)


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
        # a repeated dim is refused even on a 0-d tensor, where 0 and -1 are the same dim
        nd, seen = max(x.dim(), 1), set()
        for d0 in dims:
            if not -nd <= d0 < nd:
                raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {d0})")
            w = d0 % nd
            if w in seen:
                raise RuntimeError(f"dim {w} appears multiple times in the list of dims")
            seen.add(w)
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
