"""torch.linalg autograd against real torch (issue #7, part 2): gradients compared with torch's on the same
inputs (float64 and complex128, torch's conjugate-Wirtinger convention) and checked by central finite
differences of a random real projection of the outputs (a complex-aware gradcheck); matrix_exp accuracy;
nn.init.orthogonal_ and nn.utils.parametrizations.orthogonal."""
import math

import numpy as np
import pytest
import torch

import oxytorch as ot

NP = {"float64": np.float64, "complex128": np.complex128, "float32": np.float32, "complex64": np.complex64}


def rnd(shape, dt, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    if dt.startswith("complex"):
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(NP[dt])


def npv(x):
    return np.array(x.detach().resolve_conj().numpy(), copy=True)


def _outs(o):
    if isinstance(o, (tuple, list)):
        return [t for t in o if t is not None and (t.is_floating_point() or t.is_complex())]
    return [o]


def _proj(lib, outs, seed):
    """sum_k Re(<v_k, out_k>) with fixed random v_k (a real scalar loss of every differentiable output)."""
    rng = np.random.default_rng(seed)
    loss = None
    for o in outs:
        shp = tuple(o.shape)
        v = rng.standard_normal(shp)
        if o.is_complex():
            v = v + 1j * rng.standard_normal(shp)
            term = (lib.tensor(v.astype(np.complex128)).to(o.dtype).conj() * o).real.sum()
        else:
            term = (lib.tensor(v).to(o.dtype) * o).sum()
        loss = term if loss is None else loss + term
    return loss


def grads(lib, fn, arrays, seed=123, node=None):
    ts = [lib.tensor(a).requires_grad_() for a in arrays]
    out = fn(lib, *ts)
    if node is not None:
        first = [o for o in _outs(out) if o.requires_grad][0]
        assert type(first.grad_fn).__name__ == node if lib is torch else first.grad_fn.name() == node
    _proj(lib, _outs(out), seed).backward()
    return out, [t.grad for t in ts]


def fd_grad(fn, arrays, seed=123, eps=1e-6):
    """Finite-difference gradient of the projected loss of oxytorch's ``fn``: dL/dx + i dL/dy (torch's convention)."""
    def loss(arrs):
        with ot.no_grad():
            return float(_proj(ot, _outs(fn(ot, *[ot.tensor(a) for a in arrs])), seed))

    res = []
    for i, a in enumerate(arrays):
        g = np.zeros(a.shape, dtype=a.dtype)
        steps = [1.0, 1j] if np.iscomplexobj(a) else [1.0]
        for idx in np.ndindex(*a.shape):
            for s in steps:
                p = [x.copy() for x in arrays]
                p[i][idx] += eps * s
                lp = loss(p)
                p[i][idx] -= 2 * eps * s
                lm = loss(p)
                g[idx] += s * (lp - lm) / (2 * eps)
        res.append(g)
    return res


def check(fn, arrays, node=None, fd=True, rtol=1e-6, atol=1e-8, fd_tol=1e-5):
    (oo, og), (to, tg) = grads(ot, fn, arrays, node=node), grads(torch, fn, arrays, node=node)
    for o, t in zip(_outs(oo), _outs(to)):
        assert o.dtype.__repr__() == t.dtype.__repr__() and tuple(o.shape) == tuple(t.shape)
    for x, y in zip(og, tg):
        assert (x is None) == (y is None)
        if x is not None:
            assert str(x.dtype) == str(y.dtype) and tuple(x.shape) == tuple(y.shape)
            np.testing.assert_allclose(npv(x), npv(y), rtol=rtol, atol=atol)
    if fd:
        for x, y in zip(og, fd_grad(fn, arrays)):
            np.testing.assert_allclose(npv(x), y, rtol=fd_tol, atol=fd_tol)


def test_conj_is_differentiable():
    # Tensor.conj / torch.conj / .mH record ConjBackward0 (complex linear algebra losses are built from them)
    a = rnd((2, 3, 3), "complex128", 0)
    check(lambda L, x: x.conj(), [a], node="ConjBackward0")
    check(lambda L, x: L.conj(x) * x, [a])
    check(lambda L, x: x.mH @ x, [a])
    check(lambda L, x: (x * x.conj()).real, [a])
    check(lambda L, x: L.conj_physical(x), [a], node="ConjPhysicalBackward0")
    check(lambda L, x: x.mT.conj_physical() @ x, [a])
    for L in (ot, torch):
        assert L.tensor(rnd((2,), "float64", 1)).requires_grad_().conj().grad_fn is None  # real: the identity
    # the strides of the plain path (a dense input's layout is kept)
    for f in (lambda x: x.mT.conj(), lambda x: x.mT.conj_physical(), lambda x: x[:, ::2].conj_physical()):
        o, t = f(ot.tensor(a[0]).requires_grad_()), f(torch.tensor(a[0]).requires_grad_())
        assert o.stride() == t.stride()


def pd(L, x):
    return x @ x.mH + 3 * L.eye(x.shape[-1], dtype=x.dtype)


def spd(dt, shape, seed):
    a = rnd(shape, dt, seed)
    return a @ np.conj(np.swapaxes(a, -1, -2)) + 3 * np.eye(shape[-1])


# ----------------------------------------------------------------------------------------------
# 1. cholesky

CHOL = [
    ("lower", lambda L, x: L.linalg.cholesky(pd(L, x))),
    ("upper", lambda L, x: L.linalg.cholesky(pd(L, x), upper=True)),
    ("ex", lambda L, x: L.linalg.cholesky_ex(pd(L, x)).L),
    ("ex_upper", lambda L, x: L.linalg.cholesky_ex(pd(L, x), upper=True)[0]),
    ("mH_upper", lambda L, x: L.linalg.cholesky(pd(L, x)).mH),
]


@pytest.mark.parametrize("dt", ["float64", "complex128"])
@pytest.mark.parametrize("case", CHOL, ids=[c[0] for c in CHOL])
def test_cholesky_grad(case, dt):
    check(case[1], [rnd((2, 3, 3), dt, 1)])


@pytest.mark.parametrize("dt", ["float64", "complex128"])
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_grad_direct(dt, upper):
    # the gradient with respect to A itself (torch's symmetrised formula), and the node name
    check(lambda L, a: L.linalg.cholesky(a, upper=upper), [spd(dt, (2, 4, 4), 2)], node="LinalgCholeskyExBackward0",
          fd=False)


def test_legacy_cholesky_removed():
    # torch.cholesky (and Tensor.cholesky) is removed in torch 2.15: the same RuntimeError for upper=True/False
    a = spd("float64", (3, 3), 3)
    for call in (lambda L, x: L.cholesky(x, upper=True), lambda L, x: L.cholesky(x), lambda L, x: x.cholesky(True)):
        msgs = []
        for L in (ot, torch):
            with pytest.raises(RuntimeError) as e:
                call(L, L.tensor(a).requires_grad_())
            msgs.append(str(e.value))
        assert msgs[0] == msgs[1]


# ----------------------------------------------------------------------------------------------
# 2. solve (vector right-hand sides, left=False) and solve_triangular

def well(shape, dt, seed):
    n = shape[-1]
    return rnd(shape, dt, seed) + 3 * np.eye(n)


SOLVE = [
    ("vec1d", (3, 3), (3,), True),
    ("vec_batched", (2, 3, 3), (2, 3), True),
    ("vec1d_batchedA", (2, 3, 3), (3,), True),
    ("mat", (2, 3, 3), (2, 3, 2), True),
    ("mat_broadcastA", (3, 3), (2, 3, 2), True),
    ("mat_broadcastB", (2, 1, 3, 3), (3, 3, 4), True),
    ("right", (2, 3, 3), (2, 4, 3), False),
    ("right_broadcastA", (3, 3), (2, 4, 3), False),
    ("right_broadcastB", (2, 3, 3), (4, 3), False),
    ("right_row", (2, 3, 3), (2, 1, 3), False),
]


@pytest.mark.parametrize("dt", ["float64", "complex128"])
@pytest.mark.parametrize("case", SOLVE, ids=[c[0] for c in SOLVE])
def test_solve_grad(case, dt):
    _, sa, sb, left = case
    check(lambda L, a, b: L.linalg.solve(a, b, left=left), [well(sa, dt, 3), rnd(sb, dt, 4)],
          node="LinalgSolveExBackward0")


@pytest.mark.parametrize("dt", ["float64", "complex128"])
def test_solve_ex_grad(dt):
    check(lambda L, a, b: L.linalg.solve_ex(a, b).result, [well((2, 3, 3), dt, 5), rnd((2, 3), dt, 6)])
    check(lambda L, a, b: L.linalg.solve_ex(a, b, left=False)[0], [well((3, 3), dt, 5), rnd((2, 3), dt, 6)])


def test_solve_left_false_vector_error():
    for lib in (ot, torch):
        a = lib.tensor(well((2, 3, 3), "float64", 1))
        for b in (lib.tensor(rnd((2, 3), "float64", 2)), lib.tensor(rnd((3,), "float64", 2))):
            with pytest.raises(RuntimeError) as e:
                lib.linalg.solve(a, b, left=False)
            assert "Incompatible shapes of A and B for the equation XA = B (3x3 and 3x1)" in str(e.value)


TRI = [(u, l, un) for u in (False, True) for l in (False, True) for un in (False, True)]


@pytest.mark.parametrize("dt", ["float64", "complex128"])
@pytest.mark.parametrize("upper,left,unit", TRI, ids=[f"{'U' if u else 'L'}{'left' if l else 'right'}"
                                                     f"{'_unit' if un else ''}" for u, l, un in TRI])
def test_solve_triangular_grad(dt, upper, left, unit):
    sb = (2, 3, 2) if left else (2, 2, 3)
    check(lambda L, a, b: L.linalg.solve_triangular(a, b, upper=upper, left=left, unitriangular=unit),
          [well((2, 3, 3), dt, 7), rnd(sb, dt, 8)], node="LinalgSolveTriangularBackward0")


@pytest.mark.parametrize("dt", ["float64", "complex128"])
def test_solve_triangular_broadcast_grad(dt):
    check(lambda L, a, b: L.linalg.solve_triangular(a, b, upper=False), [well((3, 3), dt, 9), rnd((2, 3, 2), dt, 10)])
    check(lambda L, a, b: L.linalg.solve_triangular(a, b, upper=True, left=False),
          [well((2, 1, 3, 3), dt, 9), rnd((3, 2, 3), dt, 10)])


# ----------------------------------------------------------------------------------------------
# 3. complex (and real) gradients of the decompositions, against torch and finite differences

def _svd_uvh(L, a):
    r = L.linalg.svd(a, full_matrices=False)
    return r.U[..., :, :2] @ r.Vh[..., :2, :]  # invariant to the phases of the singular vectors


def _eigh_proj(L, a):
    lam, v = L.linalg.eigh(a + a.mH)
    return lam, (v * v.conj()).real, v[..., :, :1] @ v[..., :, :1].mH


DECOMP = [
    ("det", "sq", lambda L, a: L.linalg.det(a), "LinalgDetBackward0"),
    ("slogdet", "sq", lambda L, a: tuple(L.linalg.slogdet(a)), "LinalgSlogdetBackward0"),
    ("logdet_abs", "sq", lambda L, a: L.linalg.slogdet(a).logabsdet, "LinalgSlogdetBackward0"),
    ("inv", "sq", lambda L, a: L.linalg.inv(a), "LinalgInvExBackward0"),
    ("inv_ex", "sq", lambda L, a: L.linalg.inv_ex(a).inverse, "LinalgInvExBackward0"),
    ("pinv", "sq", lambda L, a: L.linalg.pinv(a), "LinalgPinvBackward0"),
    ("pinv_wide", "wide", lambda L, a: L.linalg.pinv(a), "LinalgPinvBackward0"),
    ("pinv_tall", "tall", lambda L, a: L.linalg.pinv(a), "LinalgPinvBackward0"),
    ("pinv_herm", "sq", lambda L, a: L.linalg.pinv(pd(L, a), hermitian=True), None),
    ("svdvals", "tall", lambda L, a: L.linalg.svdvals(a), "LinalgSvdBackward0"),
    ("svd_uvh", "tall", _svd_uvh, None),
    ("svd_uvh_wide", "wide", _svd_uvh, None),
    ("svd_abs", "sq", lambda L, a: tuple(t.abs() for t in L.linalg.svd(a, full_matrices=False)), None),
    ("svd_full_abs", "tall", lambda L, a: L.linalg.svd(a).U[..., :, :3].abs(), None),
    ("qr", "sq", lambda L, a: tuple(t.abs() for t in L.linalg.qr(a)), None),
    ("qr_tall", "tall", lambda L, a: tuple(t.abs() for t in L.linalg.qr(a)), None),
    ("qr_wide", "wide", lambda L, a: tuple(t.abs() for t in L.linalg.qr(a)), None),
    ("qr_proj", "tall", lambda L, a: (lambda q: q @ q.mH)(L.linalg.qr(a).Q), None),
    ("eigh", "sq", _eigh_proj, None),
    ("eigvalsh", "sq", lambda L, a: L.linalg.eigvalsh(a + a.mH), "LinalgEighBackward0"),
    ("eigvalsh_U", "sq", lambda L, a: L.linalg.eigvalsh(a, UPLO="U"), "LinalgEighBackward0"),  # no fd: reads a triangle
    ("matrix_exp", "sq", lambda L, a: L.linalg.matrix_exp(a), "LinalgMatrixExpBackward0"),
    ("matrix_exp_big", "big", lambda L, a: L.linalg.matrix_exp(a), "LinalgMatrixExpBackward0"),
    ("solve", "sq", lambda L, a: L.linalg.solve(a, a[..., :, :2] + 1), "LinalgSolveExBackward0"),
    ("matrix_norm2", "sq", lambda L, a: L.linalg.matrix_norm(a, 2), "AmaxBackward0"),
    ("matrix_norm-2", "sq", lambda L, a: L.linalg.matrix_norm(a, -2), "AminBackward0"),
    ("matrix_norm_nuc", "tall", lambda L, a: L.linalg.matrix_norm(a, "nuc"), "SumBackward1"),
    ("matrix_norm_nuc_keep", "sq", lambda L, a: L.linalg.matrix_norm(a, "nuc", keepdim=True), None),
    ("norm2_dims", "tall", lambda L, a: L.linalg.norm(a.transpose(0, 1), 2, dim=(0, 2)), None),
    ("cond", "sq", lambda L, a: L.linalg.cond(a), None),
    ("lstsq", "tall", lambda L, a: L.linalg.lstsq(a, a[..., :, :2] * 2 + 1).solution, "LinalgLstsqBackward0"),
    ("lstsq_wide", "wide", lambda L, a: L.linalg.lstsq(a, a[..., :, :2] - 1).solution, "LinalgLstsqBackward0"),
    ("lstsq_sq", "sq", lambda L, a: L.linalg.lstsq(a, a[..., :, 0].exp()).solution, "LinalgLstsqBackward0"),
]


def decomp_input(kind, dt, seed):
    if kind == "sq":
        return well((2, 3, 3), dt, seed)
    if kind == "tall":
        return rnd((2, 4, 3), dt, seed)
    if kind == "wide":
        return rnd((2, 3, 4), dt, seed)
    return rnd((2, 3, 3), dt, seed) * 4  # large norm: scaling and squaring


@pytest.mark.parametrize("dt", ["float64", "complex128"])
@pytest.mark.parametrize("case", DECOMP, ids=[c[0] for c in DECOMP])
def test_decomp_grad(case, dt):
    name, kind, fn, node = case
    # eigvalsh(UPLO="U") reads one triangle, but torch's gradient is the symmetric one: no finite differences
    check(fn, [decomp_input(kind, dt, 20)], node=node, rtol=1e-6 if kind != "big" else 1e-5,
          fd=name != "eigvalsh_U", fd_tol=1e-5 if kind != "big" else 1e-3)


# ----------------------------------------------------------------------------------------------
# 4. eig / eigvals, lu / lu_factor, householder_product

def _eig_proj(L, a):
    lam, v = L.linalg.eig(a)
    # gauge invariant in the eigenvector phases: |v|^2 and the rank-one projector of the first eigenvector
    w = v[..., :, :1]
    return lam, (v * v.conj()).real, w @ w.mH


EIG = [
    ("eigvals", lambda L, a: L.linalg.eigvals(a)),
    ("eig", _eig_proj),
    ("eig_vals_only", lambda L, a: L.linalg.eig(a).eigenvalues),
]


@pytest.mark.parametrize("dt", ["float64", "complex128"])
@pytest.mark.parametrize("case", EIG, ids=[c[0] for c in EIG])
def test_eig_grad(case, dt):
    check(case[1], [rnd((2, 3, 3), dt, 30)], node="LinalgEigBackward0", fd_tol=1e-4)


GAUGE = [
    ("eig", lambda L, x: L.linalg.eig(x).eigenvectors),
    ("eigh", lambda L, x: L.linalg.eigh(x @ x.mH).eigenvectors),
    ("svd_U", lambda L, x: L.linalg.svd(x).U),
    ("svd_Vh", lambda L, x: L.linalg.svd(x, full_matrices=False).Vh),
]


@pytest.mark.parametrize("case", GAUGE, ids=[c[0] for c in GAUGE])
def test_gauge_error(case):
    # a loss that depends on the arbitrary phase of complex eigen/singular vectors: torch refuses it, so do we
    a = rnd((3, 3), "complex128", 31)
    msgs = []
    for lib in (ot, torch):
        x = lib.tensor(a).requires_grad_()
        with pytest.raises(RuntimeError) as e:
            case[1](lib, x).real.sum().backward()
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


LU = [
    ("lu", "sq", lambda L, a: tuple(L.linalg.lu(a))[1:], "LinalgLuBackward0"),
    ("lu_tall", "tall", lambda L, a: tuple(L.linalg.lu(a))[1:], "LinalgLuBackward0"),
    ("lu_wide", "wide", lambda L, a: tuple(L.linalg.lu(a))[1:], "LinalgLuBackward0"),
    ("lu_factor", "sq", lambda L, a: L.linalg.lu_factor(a).LU, "LinalgLuFactorExBackward0"),
    ("lu_factor_ex", "sq", lambda L, a: L.linalg.lu_factor_ex(a)[0], "LinalgLuFactorExBackward0"),
    ("lu_factor_tall", "tall", lambda L, a: L.linalg.lu_factor(a).LU, "LinalgLuFactorExBackward0"),
    ("lu_factor_wide", "wide", lambda L, a: L.linalg.lu_factor(a).LU, "LinalgLuFactorExBackward0"),
    ("lu_solve", "sq", lambda L, a: L.linalg.lu_solve(*L.linalg.lu_factor(a), a[..., :, :2] + 1),
     "LinalgLuSolveBackward0"),
    ("lu_solve_adj", "sq", lambda L, a: L.linalg.lu_solve(*L.linalg.lu_factor(a), a[..., :, :2] + 1, adjoint=True),
     "LinalgLuSolveBackward0"),
    ("lu_solve_right", "sq", lambda L, a: L.linalg.lu_solve(*L.linalg.lu_factor(a), a[..., :2, :] + 1, left=False),
     "LinalgLuSolveBackward0"),
    ("lu_solve_right_adj", "sq", lambda L, a: L.linalg.lu_solve(*L.linalg.lu_factor(a), a[..., :2, :] * 2,
                                                                  left=False, adjoint=True), "LinalgLuSolveBackward0"),
    ("lu_unpack", "tall", lambda L, a: L.lu_unpack(*L.linalg.lu_factor(a))[1:], "LuUnpackBackward0"),
]


@pytest.mark.parametrize("dt", ["float64", "complex128"])
@pytest.mark.parametrize("case", LU, ids=[c[0] for c in LU])
def test_lu_grad(case, dt):
    name, kind, fn, node = case
    check(fn, [decomp_input(kind, dt, 40)], node=node)


@pytest.mark.parametrize("dt", ["float64", "complex128"])
@pytest.mark.parametrize("shape,k", [((4, 3), 3), ((4, 3), 2), ((3, 3), 3), ((2, 5, 2), 1)])
def test_householder_product_grad(dt, shape, k):
    a = rnd(shape, dt, 50)
    tau = rnd(shape[:-2] + (k,), dt, 51) * 0.5
    check(lambda L, x, t: L.linalg.householder_product(x, t), [a, tau], node="LinalgHouseholderProductBackward0")


# ----------------------------------------------------------------------------------------------
# matrix_exp: scaling and squaring accuracy

def _expm_sym(s):
    w, q = np.linalg.eigh(s)
    return (q * np.exp(w)[..., None, :]) @ np.conj(np.swapaxes(q, -1, -2))


@pytest.mark.parametrize("dt", ["float32", "float64", "complex64", "complex128"])
@pytest.mark.parametrize("scale", [1e-3, 0.3, 2.0, 8.0, 40.0])
def test_matrix_exp_accuracy(dt, scale):
    if scale == 40.0 and dt in ("float32", "complex64"):
        scale = 5.0  # exp(40 A) overflows single precision
    # Hermitian inputs have an exact reference through eigh; the relative error is that of torch or better
    a = rnd((3, 6, 6), "complex128" if dt.startswith("complex") else "float64", 60)
    s = (a + np.conj(np.swapaxes(a, -1, -2))) * scale
    ref = _expm_sym(s)
    o = npv(ot.linalg.matrix_exp(ot.tensor(s.astype(NP[dt]))))
    t = npv(torch.linalg.matrix_exp(torch.tensor(s.astype(NP[dt]))))
    err = lambda x: np.abs(x - ref).max() / np.abs(ref).max()  # noqa: E731
    assert o.dtype == t.dtype
    single = dt in ("float32", "complex64")
    assert err(o) <= max(2 * err(t), 4e-7 if single else 1e-14 * max(1, scale))


def test_matrix_exp_special():
    # rotation generators of large angle, mixed norms in one batch, 1 x 1, empty, non-finite
    th = 100.0
    r = np.array([[0.0, -th], [th, 0.0]])
    np.testing.assert_allclose(npv(ot.linalg.matrix_exp(ot.tensor(r))),
                               [[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]], atol=1e-12)
    b = np.stack([np.zeros((3, 3)), rnd((3, 3), "float64", 61) * 1e-3, rnd((3, 3), "float64", 62) * 30])
    np.testing.assert_allclose(npv(ot.linalg.matrix_exp(ot.tensor(b))), npv(torch.linalg.matrix_exp(torch.tensor(b))),
                               rtol=1e-11, atol=0)
    for a in (np.array([[2.5]]), np.zeros((2, 0, 0)), np.array([[1.0, np.inf], [0.0, 1.0]]),
              np.array([[np.nan, 0.0], [0.0, 1.0]]),
              np.stack([np.eye(2), [[np.nan, 0.0], [0.0, 1.0]], [[1.0, np.inf], [0.0, 1.0]], np.eye(2) * 3])):
        o, t = ot.linalg.matrix_exp(ot.tensor(a)), torch.linalg.matrix_exp(torch.tensor(a))
        assert tuple(o.shape) == tuple(t.shape)
        np.testing.assert_allclose(npv(o), npv(t), rtol=1e-14)
    nc = ot.tensor(rnd((5, 5), "float64", 63)).mT
    np.testing.assert_allclose(npv(ot.linalg.matrix_exp(nc)), npv(torch.linalg.matrix_exp(torch.tensor(npv(nc)))),
                               rtol=1e-12)


def test_matrix_exp_gradgrad():
    from oxytorch.autograd import gradgradcheck
    a = ot.tensor(rnd((3, 3), "float64", 64), requires_grad=True)
    assert gradgradcheck(lambda x: ot.linalg.matrix_exp(x), (a,))


@pytest.mark.parametrize("name", ["solve", "solve_vec", "solve_right", "tri", "tri_right_unit", "chol", "chol_up",
                                  "lu", "lu_factor", "inv", "det", "slogdet", "pinv", "svdvals", "eigvalsh", "qr",
                                  "eigvals", "householder", "lstsq"])
def test_gradgradcheck(name):
    from oxytorch.autograd import gradcheck, gradgradcheck
    rng = np.random.default_rng(0)
    a = ot.tensor(rng.standard_normal((3, 3)) + 3 * np.eye(3), requires_grad=True)
    b = ot.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    v = ot.tensor(rng.standard_normal(3), requires_grad=True)
    f, ins = {
        "solve": (lambda x, y: ot.linalg.solve(x, y), (a, b)),
        "solve_vec": (lambda x, y: ot.linalg.solve(x, y), (a, v)),
        "solve_right": (lambda x, y: ot.linalg.solve(x, y.mT, left=False), (a, b)),
        "tri": (lambda x, y: ot.linalg.solve_triangular(x, y, upper=True), (a, b)),
        "tri_right_unit": (lambda x, y: ot.linalg.solve_triangular(x, y.mT, upper=False, left=False,
                                                                    unitriangular=True), (a, b)),
        "chol": (lambda x: ot.linalg.cholesky(x @ x.mT + ot.eye(3, dtype=x.dtype)), (a,)),
        "chol_up": (lambda x: ot.linalg.cholesky(x @ x.mT + ot.eye(3, dtype=x.dtype), upper=True), (a,)),
        "lu": (lambda x: tuple(ot.linalg.lu(x))[1:], (a,)),
        "lu_factor": (lambda x: ot.linalg.lu_factor(x).LU, (a,)),
        "inv": (lambda x: ot.linalg.inv(x), (a,)),
        "det": (lambda x: ot.linalg.det(x), (a,)),
        "slogdet": (lambda x: ot.linalg.slogdet(x).logabsdet, (a,)),
        "pinv": (lambda x: ot.linalg.pinv(x), (a,)),
        "svdvals": (lambda x: ot.linalg.svdvals(x), (a,)),
        "eigvalsh": (lambda x: ot.linalg.eigvalsh(x + x.mT), (a,)),
        "qr": (lambda x: ot.linalg.qr(x).R, (a,)),
        "eigvals": (lambda x: ot.linalg.eigvals(x).real, (a,)),
        "householder": (lambda x, y: ot.linalg.householder_product(x, y[:, 0]), (a, b)),
        "lstsq": (lambda x, y: ot.linalg.lstsq(x, y).solution, (a, b)),
    }[name]
    assert gradcheck(f, ins) and gradgradcheck(f, ins)


# ----------------------------------------------------------------------------------------------
# geqrf, nn.init.orthogonal_, nn.utils.parametrizations.orthogonal

@pytest.mark.parametrize("dt", ["float32", "float64", "complex64", "complex128"])
@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 4, 4), (3, 1), (0, 3)])
def test_geqrf(dt, shape):
    a = rnd(shape, dt, 70)
    o, t = ot.geqrf(ot.tensor(a)), torch.geqrf(torch.tensor(a))
    assert type(o).__name__ == "geqrf" and o._fields == ("a", "tau") if hasattr(o, "_fields") else True
    for x, y in zip(o, t):
        assert str(x.dtype) == str(y.dtype) and tuple(x.shape) == tuple(y.shape)
        np.testing.assert_allclose(npv(x), npv(y), rtol=1e-4 if dt in ("float32", "complex64") else 1e-10,
                                   atol=1e-5 if dt in ("float32", "complex64") else 1e-12)


def test_geqrf_special_and_errors():
    a = np.zeros((3, 3))
    a[:, 1] = 1.0  # a zero column: no reflection (tau = 0)
    for x, y in zip(ot.tensor(a).geqrf(), torch.geqrf(torch.tensor(a))):
        np.testing.assert_allclose(npv(x), npv(y), atol=1e-15)
    for bad in (np.ones(3), np.ones((3, 3), dtype=np.int64)):
        with pytest.raises(Exception) as e1:
            ot.geqrf(ot.tensor(bad))
        with pytest.raises(Exception) as e2:
            torch.geqrf(torch.tensor(bad))
        assert type(e1.value) is type(e2.value) and str(e1.value) == str(e2.value)
    msgs = []
    for L in (ot, torch):  # not differentiable: the outputs require grad, backward raises
        r = L.geqrf(L.tensor(rnd((3, 2), "float64", 1)).requires_grad_())
        assert r.a.requires_grad and r.tau.requires_grad
        with pytest.raises(NotImplementedError) as e:
            r.a.sum().backward()
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (2, 3, 4), (1, 6)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_init_orthogonal(shape, dtype):
    for seed in (0, 7):
        ot.manual_seed(seed)
        torch.manual_seed(seed)
        o = ot.nn.init.orthogonal_(ot.empty(*shape, dtype=getattr(ot, dtype)), gain=1.5)
        t = torch.nn.init.orthogonal_(torch.empty(*shape, dtype=getattr(torch, dtype)), gain=1.5)
        np.testing.assert_allclose(npv(o), npv(t), atol=2e-6 if dtype == "float32" else 1e-13)
    g, h = ot.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    o = ot.nn.init.orthogonal_(ot.empty(*shape), generator=g)
    t = torch.nn.init.orthogonal_(torch.empty(*shape), generator=h)
    np.testing.assert_allclose(npv(o), npv(t), atol=2e-6)
    with pytest.raises(ValueError, match="Only tensors with 2 or more dimensions are supported"):
        ot.nn.init.orthogonal_(ot.empty(3))
    assert ot.nn.init.orthogonal_(ot.empty(0, 3)).shape == (0, 3)


def _orth_module(L, a):
    m = L.nn.Module()
    m.weight = L.nn.Parameter(L.tensor(a))
    return m


ORTH = [(mp, triv, shp, dt) for mp in ("matrix_exp", "cayley", "householder", None) for triv in (True, False)
        for shp in ((4, 4), (5, 3), (3, 5), (2, 4, 3)) for dt in ("float64", "complex128")
        if not (dt == "complex128" and mp in ("householder", None))]


@pytest.mark.parametrize("mp,triv,shape,dt", ORTH, ids=[f"{m}-{t}-{'x'.join(map(str, s))}-{d}" for m, t, s, d in ORTH])
def test_parametrization_orthogonal(mp, triv, shape, dt):
    a = rnd(shape, dt, 80)
    new = rnd(shape, dt, 81)
    if dt == "float64":  # the householder map reads the signs of the diagonal as ints: make them +-1
        k = min(shape[-2:])
        new[..., range(k), range(k)] = np.sign(new[..., range(k), range(k)])
    res = []
    for L in (ot, torch):
        L.manual_seed(5)
        m = _orth_module(L, a)
        L.nn.utils.parametrizations.orthogonal(m, orthogonal_map=mp, use_trivialization=triv)
        w0 = m.weight.detach().clone()
        with L.no_grad():
            m.parametrizations.weight.original.copy_(L.tensor(new))
        w = m.weight
        c = L.tensor(np.cos(np.arange(np.prod(shape))).reshape(shape)).to(w.dtype)
        (w * c).sum().real.backward() if w.is_complex() else (w * c).sum().backward()
        res.append((w0, w, m.parametrizations.weight.original.grad, sorted(m.state_dict().keys()),
                    type(m).__name__, type(m.parametrizations.weight[0]).__name__))
    (o0, ow, og, ok, on, op), (t0, tw, tg, tk, tn, tp) = res
    assert ok == tk and on == tn and op == tp
    for x, y in ((o0, t0), (ow, tw), (og, tg)):
        assert str(x.dtype) == str(y.dtype) and tuple(x.shape) == tuple(y.shape)
        np.testing.assert_allclose(npv(x), npv(y), rtol=1e-9, atol=1e-11)
    q = npv(ow)
    q = q if shape[-2] >= shape[-1] else np.swapaxes(q, -1, -2)
    np.testing.assert_allclose(np.conj(np.swapaxes(q, -1, -2)) @ q, np.broadcast_to(np.eye(q.shape[-1]),
                               q.shape[:-2] + (q.shape[-1],) * 2), atol=1e-12)


@pytest.mark.parametrize("mp", ["matrix_exp", "cayley", "householder"])
def test_parametrization_orthogonal_assign(mp):
    q0 = np.linalg.qr(rnd((5, 3), "float64", 90))[0]
    for triv in (True, False):
        res = []
        for L in (ot, torch):
            L.manual_seed(2)
            m = _orth_module(L, rnd((5, 3), "float64", 91))
            L.nn.utils.parametrizations.orthogonal(m, orthogonal_map=mp, use_trivialization=triv)
            try:
                m.weight = L.tensor(q0)
                res.append(npv(m.weight))
            except Exception as e:  # cayley / matrix_exp without trivialization cannot be assigned to
                res.append((type(e).__name__, str(e)))
        if isinstance(res[1], tuple):
            assert res[0] == res[1]
        else:
            np.testing.assert_allclose(res[0], res[1], atol=1e-12)
            np.testing.assert_allclose(res[0], q0, atol=1e-12)


def test_parametrization_orthogonal_errors():
    for L in (ot, torch):
        errs = []
        for mod, kw in ((_orth_module(L, rnd((3, 3), "complex128", 1)), dict(orthogonal_map="householder")),
                        (_orth_module(L, rnd((3,), "float64", 1)), {}),
                        (_orth_module(L, rnd((3, 3), "float64", 1)), dict(orthogonal_map="qr")),
                        (_orth_module(L, rnd((3, 3), "float64", 1)), dict(name="bias"))):
            with pytest.raises(ValueError) as e:
                L.nn.utils.parametrizations.orthogonal(mod, **kw)
            errs.append(str(e.value).split("'")[0])
        m = _orth_module(L, rnd((4, 3), "float64", 2))
        L.nn.utils.parametrizations.orthogonal(m)
        with pytest.raises(ValueError) as e:
            m.parametrizations.weight[0].right_inverse(L.zeros(3, 4, dtype=L.float64))
        errs.append(str(e.value).replace("oxytorch", "torch"))
        if L is ot:
            mine = errs
    assert mine == errs


# ----------------------------------------------------------------------------------------------
# unsupported dtypes: torch's exception types and messages (many name the CPU kernel that rejects the dtype)

DTYPE_FNS = {
    "qr": lambda L, x: L.linalg.qr(x), "svd": lambda L, x: L.linalg.svd(x), "svdvals": lambda L, x: L.linalg.svdvals(x),
    "inv": lambda L, x: L.linalg.inv(x), "inv_ex": lambda L, x: L.linalg.inv_ex(x),
    "eigh": lambda L, x: L.linalg.eigh(x), "eigvalsh": lambda L, x: L.linalg.eigvalsh(x),
    "eig": lambda L, x: L.linalg.eig(x), "eigvals": lambda L, x: L.linalg.eigvals(x),
    "cholesky": lambda L, x: L.linalg.cholesky(x), "cholesky_ex": lambda L, x: L.linalg.cholesky_ex(x),
    "det": lambda L, x: L.linalg.det(x), "slogdet": lambda L, x: L.linalg.slogdet(x),
    "pinv": lambda L, x: L.linalg.pinv(x), "lu_factor": lambda L, x: L.linalg.lu_factor(x),
    "lu_factor_ex": lambda L, x: L.linalg.lu_factor_ex(x), "lu": lambda L, x: L.linalg.lu(x),
    "matrix_rank": lambda L, x: L.linalg.matrix_rank(x), "cond": lambda L, x: L.linalg.cond(x),
    "solve_triangular": lambda L, x: L.linalg.solve_triangular(x, x, upper=True),
    "householder_product": lambda L, x: L.linalg.householder_product(x, x[..., 0]),
    "geqrf": lambda L, x: L.geqrf(x),
}


@pytest.mark.parametrize("dt", ["float16", "bfloat16", "int64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("name", list(DTYPE_FNS))
def test_unsupported_dtype_errors(name, dt):
    res = []
    for L in (ot, torch):
        with pytest.raises(Exception) as e:
            DTYPE_FNS[name](L, L.eye(3, dtype=getattr(L, dt))[None])
        res.append((type(e.value).__name__, str(e.value)))
    assert res[0] == res[1]


# ----------------------------------------------------------------------------------------------
# property: random shapes, batches and which inputs require grad

from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 4), k=st.integers(1, 3), batch=st.sampled_from([(), (2,), (2, 1)]),
       bbatch=st.sampled_from([(), (1,), (3, 1, 1)]), left=st.booleans(), which=st.sampled_from(["A", "B", "AB"]),
       cplx=st.booleans(), op=st.sampled_from(["solve", "tri", "chol", "lu"]), seed=st.integers(0, 1000))
def test_grad_property(n, k, batch, bbatch, left, which, cplx, op, seed):
    dt = "complex128" if cplx else "float64"
    a = rnd(batch + (n, n), dt, seed) + 3 * np.eye(n)
    b = rnd(bbatch + ((n, k) if left else (k, n)), dt, seed + 1)
    res = []
    for L in (ot, torch):
        ta, tb = L.tensor(a).requires_grad_("A" in which), L.tensor(b).requires_grad_("B" in which)
        if op == "solve":
            out = L.linalg.solve(ta, tb, left=left)
        elif op == "tri":
            out = L.linalg.solve_triangular(ta, tb, upper=left, left=left, unitriangular=not left)
        elif op == "chol":
            out = L.linalg.cholesky(ta @ ta.mH, upper=left) @ (tb if left else tb.mH)
        else:
            out = L.linalg.lu(ta).U @ (tb if left else tb.mH)
        _proj(L, [out], seed).backward()
        res.append([t.grad for t in (ta, tb)])
    for x, y in zip(*res):
        assert (x is None) == (y is None)
        if x is not None:
            assert tuple(x.shape) == tuple(y.shape)
            np.testing.assert_allclose(npv(x), npv(y), rtol=1e-6, atol=1e-8)
