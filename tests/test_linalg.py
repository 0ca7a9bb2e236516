"""torch.linalg parity against real torch: values where they are unique, invariants (reconstruction,
orthogonality, spectra) where factors are sign/phase-ambiguous, dtypes/shapes/strides, batched,
transposed and empty inputs, complex inputs, errors (types and messages) and autograd."""
import math

import numpy as np
import pytest
import torch

import oxytorch as ot
from parity import assert_raises_same
from parity import assert_same as _assert_same


def assert_same(o, t, **kw):
    # Strides of factor outputs are checked explicitly in the decomposition tests; here values/dtypes/shapes.
    kw.setdefault("check_stride", False)
    _assert_same(o.resolve_conj(), t.resolve_conj(), **kw)

DTYPES = ["float32", "float64", "complex64", "complex128"]
# (name, batch shape, transposed)
LAYOUTS = [("plain", (), False), ("batched", (2, 3), False), ("transposed", (2,), True)]


def tol(dt):
    return dict(rtol=2e-4, atol=2e-4) if dt in ("float32", "complex64") else dict(rtol=1e-9, atol=1e-9)


def rnd(shape, dt, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    if dt.startswith("complex"):
        a = a + 1j * rng.standard_normal(shape)
    return a.astype({"float32": np.float32, "float64": np.float64, "complex64": np.complex64,
                     "complex128": np.complex128}[dt])


def pair(a, transposed=False):
    """(oxytorch, torch) tensors holding `a`, as the transpose of a contiguous buffer when asked."""
    if transposed:
        buf = np.ascontiguousarray(np.swapaxes(a, -1, -2))
        return ot.tensor(buf).transpose(-2, -1), torch.tensor(buf).transpose(-2, -1)
    return ot.tensor(a), torch.tensor(a)


def npv(x):
    return np.array(x.detach().resolve_conj().numpy(), copy=True)


def close(o, t, dt, **kw):
    k = tol(dt)
    k.update(kw)
    np.testing.assert_allclose(npv(o), npv(t), **k)


def mH(a):
    return np.conj(np.swapaxes(a, -1, -2))


def hermitian(shape, dt, seed=0, pd=False):
    a = rnd(shape, dt, seed)
    h = a @ mH(a) if pd else a + mH(a)
    if pd:
        h = h + shape[-1] * np.eye(shape[-1], dtype=h.dtype)
    return h


# ----------------------------------------------------------------------------------------------
# decompositions

@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda l: l[0])
@pytest.mark.parametrize("mn", [(4, 3), (3, 5), (4, 4)])
@pytest.mark.parametrize("full", [True, False])
def test_svd(dt, layout, mn, full):
    _, batch, tr = layout
    a = rnd(batch + mn, dt)
    o, t = pair(a, tr)
    ro, rt = ot.linalg.svd(o, full_matrices=full), torch.linalg.svd(t, full_matrices=full)
    assert type(ro).__name__ == "linalg_svd" and ro._fields if hasattr(ro, "_fields") else True
    for x, y in zip(ro, rt):
        assert str(x.dtype) == str(y.dtype) and tuple(x.shape) == tuple(y.shape)
        assert tuple(x.stride()) == tuple(y.stride())
    close(ro.S, rt.S, dt)
    k = min(mn)
    U, S, Vh = npv(ro.U), npv(ro.S), npv(ro.Vh)
    rec = (U[..., :, :k] * S[..., None, :]) @ Vh[..., :k, :]
    np.testing.assert_allclose(rec, a, **tol(dt))
    eyeU = mH(U) @ U
    np.testing.assert_allclose(eyeU, np.broadcast_to(np.eye(U.shape[-1]), eyeU.shape), **tol(dt))
    eyeV = Vh @ mH(Vh)
    np.testing.assert_allclose(eyeV, np.broadcast_to(np.eye(Vh.shape[-2]), eyeV.shape), **tol(dt))
    close(ot.linalg.svdvals(o), torch.linalg.svdvals(t), dt)


def test_svd_legacy_and_empty():
    a = rnd((2, 3, 4), "float64")
    o, t = pair(a)
    for kw in [dict(), dict(some=False), dict(compute_uv=False)]:
        ro, rt = ot.svd(o, **kw), torch.svd(t, **kw)
        assert type(ro).__name__ == "svd"
        for x, y in zip(ro, rt):
            assert tuple(x.shape) == tuple(y.shape)
        close(ro.S, rt.S, "float64")
        if kw.get("compute_uv", True):
            rec = npv(ro.U)[..., :, :3] * npv(ro.S)[..., None, :] @ mH(npv(ro.V)[..., :, :3])
            np.testing.assert_allclose(rec, a, atol=1e-9)
        else:
            assert float(ro.U.abs().sum()) == 0 and float(ro.V.abs().sum()) == 0
    for shape in [(0, 3), (3, 0), (0, 0), (0, 2, 2)]:
        ro, rt = ot.linalg.svd(ot.zeros(shape)), torch.linalg.svd(torch.zeros(shape))
        for x, y in zip(ro, rt):
            assert_same(x, y, check_stride=False)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda l: l[0])
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh(dt, layout, uplo):
    _, batch, tr = layout
    h = hermitian(batch + (5, 5), dt)
    # garbage in the unused triangle must be ignored
    junk = np.triu(rnd(batch + (5, 5), dt, 7), 1) if uplo == "L" else np.tril(rnd(batch + (5, 5), dt, 7), -1)
    keep = np.tril(h) if uplo == "L" else np.triu(h)
    o, t = pair(keep + junk, tr)
    ro, rt = ot.linalg.eigh(o, UPLO=uplo), torch.linalg.eigh(t, UPLO=uplo)
    assert type(ro).__name__ == "linalg_eigh"
    for x, y in zip(ro, rt):
        assert str(x.dtype) == str(y.dtype) and tuple(x.shape) == tuple(y.shape)
        assert tuple(x.stride()) == tuple(y.stride())
    close(ro.eigenvalues, rt.eigenvalues, dt)
    L, V = npv(ro.eigenvalues), npv(ro.eigenvectors)
    np.testing.assert_allclose((V * L[..., None, :]) @ mH(V), h, **tol(dt))
    close(ot.linalg.eigvalsh(o, UPLO=uplo), torch.linalg.eigvalsh(t, UPLO=uplo), dt)


def _sorted_eigs(x):
    x = npv(x)
    return np.sort_complex(np.round(x, 4))


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda l: l[0])
def test_eig(dt, layout):
    _, batch, tr = layout
    a = rnd(batch + (5, 5), dt)
    o, t = pair(a, tr)
    ro, rt = ot.linalg.eig(o), torch.linalg.eig(t)
    assert type(ro).__name__ == "linalg_eig"
    for x, y in zip(ro, rt):
        assert str(x.dtype) == str(y.dtype) and tuple(x.shape) == tuple(y.shape)
        assert tuple(x.stride()) == tuple(y.stride())
    np.testing.assert_allclose(_sorted_eigs(ro.eigenvalues), _sorted_eigs(rt.eigenvalues), atol=2e-3)
    L, V = npv(ro.eigenvalues), npv(ro.eigenvectors)
    np.testing.assert_allclose(a @ V, V * L[..., None, :], **tol(dt))
    np.testing.assert_allclose(np.linalg.norm(V, axis=-2), 1.0, **tol(dt))
    np.testing.assert_allclose(_sorted_eigs(ot.linalg.eigvals(o)), _sorted_eigs(torch.linalg.eigvals(t)), atol=2e-3)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda l: l[0])
@pytest.mark.parametrize("mn", [(5, 3), (3, 5), (4, 4)])
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr(dt, layout, mn, mode):
    _, batch, tr = layout
    a = rnd(batch + mn, dt)
    o, t = pair(a, tr)
    ro, rt = ot.linalg.qr(o, mode=mode), torch.linalg.qr(t, mode=mode)
    assert type(ro).__name__ == "linalg_qr"
    for x, y in zip(ro, rt):
        assert str(x.dtype) == str(y.dtype) and tuple(x.shape) == tuple(y.shape)
        assert tuple(x.stride()) == tuple(y.stride())
    R = npv(ro.R)
    np.testing.assert_allclose(np.abs(R), np.abs(npv(rt.R)), **tol(dt))
    np.testing.assert_array_equal(np.tril(R, -1), 0)
    if mode != "r":
        Q = npv(ro.Q)
        np.testing.assert_allclose(Q @ R, a, **tol(dt))
        np.testing.assert_allclose(mH(Q) @ Q, np.broadcast_to(np.eye(Q.shape[-1]), batch + (Q.shape[-1],) * 2),
                                   **tol(dt))


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda l: l[0])
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(dt, layout, upper):
    _, batch, tr = layout
    h = hermitian(batch + (4, 4), dt, pd=True)
    o, t = pair(h, tr)
    ro, rt = ot.linalg.cholesky(o, upper=upper), torch.linalg.cholesky(t, upper=upper)
    assert_same(ro, rt, **tol(dt))
    eo, et = ot.linalg.cholesky_ex(o, upper=upper), torch.linalg.cholesky_ex(t, upper=upper)
    assert type(eo).__name__ == "linalg_cholesky_ex"
    assert_same(eo.info, et.info)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda l: l[0])
@pytest.mark.parametrize("mn", [(4, 4), (5, 3), (3, 5)])
def test_lu(dt, layout, mn):
    _, batch, tr = layout
    a = rnd(batch + mn, dt)
    o, t = pair(a, tr)
    ro, rt = ot.linalg.lu_factor(o), torch.linalg.lu_factor(t)
    assert type(ro).__name__ == "linalg_lu_factor"
    assert_same(ro.LU, rt.LU, **tol(dt))
    assert_same(ro.pivots, rt.pivots)
    eo, et = ot.linalg.lu_factor_ex(o), torch.linalg.lu_factor_ex(t)
    assert_same(eo.info, et.info)
    po, pt = ot.linalg.lu(o), torch.linalg.lu(t)
    assert type(po).__name__ == "linalg_lu"
    for x, y in zip(po, pt):
        assert_same(x, y, **tol(dt))
    uo, ut = ot.lu_unpack(ro.LU, ro.pivots), torch.lu_unpack(rt.LU, rt.pivots)
    for x, y in zip(uo, ut):
        assert_same(x, y, **tol(dt))
    if mn[0] == mn[1]:
        b = rnd(batch + (mn[0], 2), dt, 3)
        bo, bt = pair(b)
        for left, adj in [(True, False), (True, True), (False, False), (False, True)]:
            bb = (bo, bt) if left else (bo.transpose(-2, -1), bt.transpose(-2, -1))
            xo = ot.linalg.lu_solve(ro.LU, ro.pivots, bb[0], left=left, adjoint=adj)
            xt = torch.linalg.lu_solve(rt.LU, rt.pivots, bb[1], left=left, adjoint=adj)
            close(xo, xt, dt, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda l: l[0])
def test_inv_det_slogdet(dt, layout):
    _, batch, tr = layout
    a = rnd(batch + (4, 4), dt) + 2 * np.eye(4, dtype=rnd((1,), dt).dtype)
    o, t = pair(a, tr)
    assert_same(ot.linalg.inv(o), torch.linalg.inv(t), rtol=1e-3, atol=1e-3)
    eo, et = ot.linalg.inv_ex(o), torch.linalg.inv_ex(t)
    assert type(eo).__name__ == "linalg_inv_ex"
    assert_same(eo.info, et.info)
    assert_same(ot.inverse(o), torch.inverse(t), rtol=1e-3, atol=1e-3)
    assert_same(ot.linalg.det(o), torch.linalg.det(t), rtol=1e-3, atol=1e-3)
    assert_same(ot.det(o), torch.det(t), rtol=1e-3, atol=1e-3)
    so, st = ot.linalg.slogdet(o), torch.linalg.slogdet(t)
    assert type(so).__name__ == "linalg_slogdet"
    for x, y in zip(so, st):
        assert_same(x, y, rtol=1e-3, atol=1e-3)
    assert_same(ot.logdet(o), torch.logdet(t), rtol=1e-3, atol=1e-3)


def test_det_special():
    for m in [[[1.0, 2.0], [2.0, 4.0]], [[0.0, 1.0], [1.0, 0.0]], [[2.0, 0], [0, -3.0]]]:
        o, t = ot.tensor(m, dtype=ot.float64), torch.tensor(m, dtype=torch.float64)
        assert_same(ot.linalg.det(o), torch.linalg.det(t))
        for x, y in zip(ot.linalg.slogdet(o), torch.linalg.slogdet(t)):
            assert_same(x, y)
        assert_same(ot.logdet(o), torch.logdet(t))
    for shape in [(0, 0), (2, 0, 0)]:
        assert_same(ot.linalg.det(ot.zeros(shape)), torch.linalg.det(torch.zeros(shape)))
        assert_same(ot.linalg.inv(ot.zeros(shape)), torch.linalg.inv(torch.zeros(shape)))


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("case", ["mat", "vec", "batchvec", "right"])
def test_solve(dt, case):
    a = rnd((2, 4, 4), dt) + 3 * np.eye(4)
    a = a.astype(rnd((1,), dt).dtype)
    b = {"mat": rnd((2, 4, 3), dt, 1), "vec": rnd((4,), dt, 1), "batchvec": rnd((2, 4), dt, 1),
         "bcast": rnd((3, 1, 4, 2), dt, 1), "right": rnd((2, 3, 4), dt, 1)}[case]
    ao, at = pair(a, True)
    bo, bt = pair(b)
    left = case != "right"
    xo, xt = ot.linalg.solve(ao, bo, left=left), torch.linalg.solve(at, bt, left=left)
    assert_same(xo, xt, rtol=1e-3, atol=1e-3)
    eo, et = ot.linalg.solve_ex(ao, bo, left=left), torch.linalg.solve_ex(at, bt, left=left)
    assert type(eo).__name__ == "linalg_solve_ex"
    assert_same(eo.info, et.info)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unit", [True, False])
def test_solve_triangular(dt, upper, left, unit):
    a = rnd((2, 4, 4), dt) + 4 * np.eye(4)
    a = a.astype(rnd((1,), dt).dtype)
    b = rnd((2, 4, 3) if left else (2, 3, 4), dt, 1)
    ao, at = pair(a, True)
    bo, bt = pair(b)
    xo = ot.linalg.solve_triangular(ao, bo, upper=upper, left=left, unitriangular=unit)
    xt = torch.linalg.solve_triangular(at, bt, upper=upper, left=left, unitriangular=unit)
    assert_same(xo, xt, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("mn", [(5, 3), (3, 3), (3, 5)])
@pytest.mark.parametrize("driver", [None, "gelsd", "gels"])
def test_lstsq(dt, mn, driver):
    a = rnd((2,) + mn, dt)
    b = rnd((2, mn[0], 2), dt, 1)
    (ao, at), (bo, bt) = pair(a), pair(b)
    if driver == "gels" and mn[0] < mn[1]:
        return  # torch's gels returns an unspecified solution for underdetermined systems
    ro, rt = ot.linalg.lstsq(ao, bo, driver=driver), torch.linalg.lstsq(at, bt, driver=driver)
    assert type(ro).__name__ == "linalg_lstsq"
    close(ro.solution, rt.solution, dt, rtol=1e-3, atol=1e-3)
    for x, y in zip(ro[1:], rt[1:]):
        assert str(x.dtype) == str(y.dtype) and tuple(x.shape) == tuple(y.shape), (x, y)
        close(x, y, dt, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("hermitian", [False, True])
def test_pinv_rank_cond(dt, hermitian):
    a = hermitian_or(dt, hermitian)
    o, t = pair(a)
    close(ot.linalg.pinv(o, hermitian=hermitian), torch.linalg.pinv(t, hermitian=hermitian), dt, rtol=1e-3,
          atol=1e-3)
    assert_same(ot.linalg.matrix_rank(o, hermitian=hermitian), torch.linalg.matrix_rank(t, hermitian=hermitian))
    r = rnd((3, 2), dt)
    low = r @ mH(r)  # rank 2
    lo, lt = pair(low)
    assert_same(ot.linalg.matrix_rank(lo), torch.linalg.matrix_rank(lt))
    close(ot.linalg.pinv(lo), torch.linalg.pinv(lt), dt, rtol=1e-3, atol=1e-3)
    assert_same(ot.linalg.matrix_rank(lo, atol=1.0, rtol=0.0), torch.linalg.matrix_rank(lt, atol=1.0, rtol=0.0))
    if not hermitian:
        for p in [None, 2, -2, "fro", "nuc", 1, -1, math.inf, -math.inf]:
            close(ot.linalg.cond(o, p), torch.linalg.cond(t, p), dt, rtol=1e-3, atol=1e-3)
        assert_same(ot.linalg.cond(ot.ones(3, 3), "fro"), torch.linalg.cond(torch.ones(3, 3), "fro"))


def hermitian_or(dt, herm):
    return hermitian((3, 4, 4), dt) if herm else rnd((3, 4, 4), dt)


@pytest.mark.parametrize("dt", DTYPES)
def test_norms(dt):
    a = rnd((2, 3, 4), dt)
    o, t = pair(a)
    for ord_ in [2, 1, 0, math.inf, -math.inf, 3, 0.5, -1]:
        for dim in [None, -1, (0, 2)]:
            for keep in [False, True]:
                assert_same(ot.linalg.vector_norm(o, ord_, dim, keep), torch.linalg.vector_norm(t, ord_, dim, keep),
                            rtol=1e-4, atol=1e-4)
    for ord_ in ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf]:
        for dim in [(-2, -1), (2, 0)]:
            for keep in [False, True]:
                assert_same(ot.linalg.matrix_norm(o, ord_, dim, keep), torch.linalg.matrix_norm(t, ord_, dim, keep),
                            rtol=1e-4, atol=1e-4)
    for args in [dict(), dict(ord=2, dim=(0, 1)), dict(dim=1), dict(ord="fro", dim=(1, 2)), dict(dim=(1, 2)),
                 dict(ord=math.inf, dim=2)]:
        assert_same(ot.linalg.norm(o, **args), torch.linalg.norm(t, **args), rtol=1e-4, atol=1e-4)
    v = a[0, 0]
    vo, vt = pair(v)
    for ord_ in [None, 2, 1, math.inf, 0]:
        assert_same(ot.linalg.norm(vo, ord_), torch.linalg.norm(vt, ord_), rtol=1e-4, atol=1e-4)
    m = a[0]
    mo, mt = pair(m)
    for ord_ in [None, "fro", "nuc", 2, 1, -math.inf]:
        assert_same(ot.linalg.norm(mo, ord_), torch.linalg.norm(mt, ord_), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("dt", DTYPES)
def test_misc(dt):
    a = rnd((2, 3, 3), dt) * 0.5
    o, t = pair(a, True)
    for n in [0, 1, 2, 3, 5, -1, -2]:
        assert_same(ot.linalg.matrix_power(o, n), torch.linalg.matrix_power(t, n), rtol=1e-3, atol=1e-3,
                    check_stride=False)
    close(ot.linalg.matrix_exp(o), torch.linalg.matrix_exp(t), dt)
    close(ot.linalg.matrix_exp(o * 8), torch.linalg.matrix_exp(t * 8), dt, rtol=1e-3)
    b = rnd((2, 3, 3), dt, 5)
    bo, bt = pair(b)
    assert_same(ot.linalg.cross(o, bo), torch.linalg.cross(t, bt), **tol(dt))
    assert_same(ot.linalg.cross(o, bo, dim=1), torch.linalg.cross(t, bt, dim=1), **tol(dt), check_stride=False)
    assert_same(ot.linalg.vecdot(o, bo), torch.linalg.vecdot(t, bt), **tol(dt))
    assert_same(ot.linalg.diagonal(o), torch.linalg.diagonal(t))
    assert_same(ot.linalg.diagonal(o, offset=1, dim1=0, dim2=2), torch.linalg.diagonal(t, offset=1, dim1=0, dim2=2))
    h = rnd((2, 5, 3), dt, 8)
    tau = rnd((2, 2), dt, 9)
    (ho, ht), (to, tt) = pair(h), pair(tau)
    assert_same(ot.linalg.householder_product(ho, to), torch.linalg.householder_product(ht, tt), **tol(dt))
    assert_same(ot.linalg.multi_dot([o[0], bo[0], o[1]]), torch.linalg.multi_dot([t[0], bt[0], t[1]]), **tol(dt))


def test_empty_batches():
    for shape in [(0, 3, 3), (2, 0, 0)]:
        o, t = ot.zeros(shape, dtype=ot.float64), torch.zeros(shape, dtype=torch.float64)
        for f in ["inv", "det", "cholesky", "eigvalsh", "svdvals", "eigvals", "matrix_exp"]:
            assert_same(getattr(ot.linalg, f)(o), getattr(torch.linalg, f)(t), check_stride=False)
        for x, y in zip(ot.linalg.eigh(o), torch.linalg.eigh(t)):
            assert_same(x, y, check_stride=False)
        for x, y in zip(ot.linalg.qr(o), torch.linalg.qr(t)):
            assert_same(x, y, check_stride=False)
        for x, y in zip(ot.linalg.slogdet(o), torch.linalg.slogdet(t)):
            assert_same(x, y, check_stride=False)


def test_batched_many_small():
    a = rnd((50, 6, 6), "float32")
    o, t = pair(a)
    close(ot.linalg.svdvals(o), torch.linalg.svdvals(t), "float32")
    close(ot.linalg.det(o), torch.linalg.det(t), "float32", rtol=1e-3, atol=1e-3)
    h = hermitian((50, 6, 6), "float32", pd=True)
    ho, ht = pair(h)
    close(ot.linalg.cholesky(ho), torch.linalg.cholesky(ht), "float32")
    close(ot.linalg.eigvalsh(ho), torch.linalg.eigvalsh(ht), "float32", rtol=1e-3, atol=1e-3)


# ----------------------------------------------------------------------------------------------
# errors

SING = [[1.0, 0, 0], [0, 1, 0], [0, 0, 0]]
NOTPD = [[1.0, 2], [2, 1]]


def E(lib, name):
    return getattr(lib.linalg, name)


ERRORS = [
    ("inv singular", lambda L: L.linalg.inv(L.tensor(SING))),
    ("inv batched singular", lambda L: L.linalg.inv(L.zeros(2, 3, 3))),
    ("inv not square", lambda L: L.linalg.inv(L.zeros(2, 3))),
    ("inv 1-d", lambda L: L.linalg.inv(L.zeros(3))),
    ("inv int", lambda L: L.linalg.inv(L.zeros(3, 3, dtype=L.int64))),
    ("inv half", lambda L: L.linalg.inv(L.zeros(3, 3, dtype=L.float16))),
    ("inverse singular", lambda L: L.inverse(L.tensor([[1.0, 2], [2, 4]]))),
    ("cholesky not pd", lambda L: L.linalg.cholesky(L.tensor(NOTPD))),
    ("cholesky batched", lambda L: L.linalg.cholesky(L.stack([L.eye(2), L.tensor(NOTPD)]))),
    ("cholesky_ex check", lambda L: L.linalg.cholesky_ex(L.tensor(NOTPD), check_errors=True)),
    ("lu_factor singular", lambda L: L.linalg.lu_factor(L.zeros(3, 3))),
    ("lu_factor rect singular", lambda L: L.linalg.lu_factor(L.zeros(2, 3))),
    ("cholesky not square", lambda L: L.linalg.cholesky(L.zeros(2, 3))),
    ("solve singular", lambda L: L.linalg.solve(L.zeros(3, 3), L.zeros(3))),
    ("solve batched singular", lambda L: L.linalg.solve(L.zeros(2, 3, 3), L.zeros(2, 3))),
    ("solve shapes", lambda L: L.linalg.solve(L.eye(3), L.zeros(2))),
    ("solve right shapes", lambda L: L.linalg.solve(L.eye(3), L.zeros(3, 2), left=False)),
    ("solve dtypes", lambda L: L.linalg.solve(L.eye(3), L.zeros(3, dtype=L.float64))),
    ("det not square", lambda L: L.linalg.det(L.zeros(2, 3))),
    ("det int", lambda L: L.linalg.det(L.zeros(3, 3, dtype=L.int32))),
    ("svd 1-d", lambda L: L.linalg.svd(L.zeros(3, dtype=L.float64))),
    ("svd int", lambda L: L.linalg.svd(L.zeros(3, 3, dtype=L.int64))),
    ("svd nan", lambda L: L.linalg.svd(L.tensor([[float("nan"), 1], [1, 1]]))),
    ("svd driver", lambda L: L.linalg.svd(L.zeros(3, 3), driver="gesvd")),
    ("eigh not square", lambda L: L.linalg.eigh(L.zeros(2, 3))),
    ("eigh uplo", lambda L: L.linalg.eigh(L.eye(2), UPLO="X")),
    ("eig not square", lambda L: L.linalg.eig(L.zeros(2, 3))),
    ("eig nan", lambda L: L.linalg.eig(L.tensor([[float("nan"), 1], [1, 1]]))),
    ("eigvals not square", lambda L: L.linalg.eigvals(L.zeros(2, 3))),
    ("qr mode", lambda L: L.linalg.qr(L.eye(2), mode="x")),
    ("solve_triangular 1-d", lambda L: L.linalg.solve_triangular(L.eye(3), L.zeros(3), upper=True)),
    ("matrix_power singular", lambda L: L.linalg.matrix_power(L.zeros(3, 3), -1)),
    ("matrix_power not square", lambda L: L.linalg.matrix_power(L.zeros(2, 3), 2)),
    ("cross size", lambda L: L.linalg.cross(L.zeros(2), L.zeros(2))),
    ("lstsq shapes", lambda L: L.linalg.lstsq(L.zeros(3, 2), L.zeros(2, 2))),
    ("lstsq driver", lambda L: L.linalg.lstsq(L.zeros(3, 2), L.zeros(3, 2), driver="x")),
    ("matrix_norm ord", lambda L: L.linalg.matrix_norm(L.zeros(3, 3), ord=3)),
    ("vector_norm int", lambda L: L.linalg.vector_norm(L.zeros(3, 3, dtype=L.int64))),
    ("vector_norm inf empty", lambda L: L.linalg.vector_norm(L.zeros(0), ord=float("inf"))),
    ("norm 3-d ord", lambda L: L.linalg.norm(L.zeros(3, 3, 3), ord=2)),
    ("lu_solve pivots", lambda L: L.linalg.lu_solve(L.eye(3), L.zeros(3, dtype=L.int32), L.zeros(3, 1))),
    ("householder tau", lambda L: L.linalg.householder_product(L.eye(3), L.zeros(4))),
    ("torch.cholesky removed", lambda L: L.cholesky(L.eye(2))),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_errors(case):
    _, f = case
    oe, te = assert_raises_same(lambda: f(ot), lambda: f(torch), check_message=True)
    assert isinstance(oe, RuntimeError) == isinstance(te, RuntimeError)


def test_linalg_error_type():
    assert issubclass(ot.linalg.LinAlgError, RuntimeError)
    with pytest.raises(ot.linalg.LinAlgError):
        ot.linalg.inv(ot.zeros(2, 2))
    info_o = ot.linalg.inv_ex(ot.zeros(2, 3, 3)).info
    info_t = torch.linalg.inv_ex(torch.zeros(2, 3, 3)).info
    assert_same(info_o, info_t)
    lo = ot.linalg.cholesky_ex(ot.tensor(NOTPD)).info
    assert_same(lo, torch.linalg.cholesky_ex(torch.tensor(NOTPD)).info)


def test_out():
    a = rnd((3, 3), "float64") + 3 * np.eye(3)
    o, t = pair(a)
    oo, to = ot.empty(0, dtype=ot.float64), torch.empty(0, dtype=torch.float64)
    ro, rt = ot.linalg.inv(o, out=oo), torch.linalg.inv(t, out=to)
    assert ro is oo
    close(oo, to, "float64")
    U, S, Vh = ot.empty(0, dtype=ot.float64), ot.empty(0, dtype=ot.float64), ot.empty(0, dtype=ot.float64)
    r = ot.linalg.svd(o, out=(U, S, Vh))
    assert r[1] is S
    close(S, torch.linalg.svdvals(t), "float64")


# ----------------------------------------------------------------------------------------------
# autograd

def _both_grads(fn, arrays, herm=None):
    """Runs fn(lib, *tensors) in both libraries, returns (ot outputs, torch outputs, ot grads, torch grads)."""
    res = []
    for lib in (ot, torch):
        ts = [lib.tensor(a).requires_grad_() for a in arrays]
        out = fn(lib, *ts)
        loss = out if out.dim() == 0 else out.abs().sum() if out.is_complex() else (out * out).sum()
        loss.backward()
        res.append((out, [t.grad for t in ts]))
    return res


GRAD_CASES = [
    ("det", lambda L, a: L.linalg.det(a), "LinalgDetBackward0"),
    ("slogdet", lambda L, a: L.linalg.slogdet(a).logabsdet, "LinalgSlogdetBackward0"),
    ("inv", lambda L, a: L.linalg.inv(a), "LinalgInvExBackward0"),
    ("pinv", lambda L, a: L.linalg.pinv(a), "LinalgPinvBackward0"),
    ("vector_norm", lambda L, a: L.linalg.vector_norm(a), "LinalgVectorNormBackward0"),
    ("vector_norm3", lambda L, a: L.linalg.vector_norm(a, 3, -1), "LinalgVectorNormBackward0"),
    ("vector_norm_inf", lambda L, a: L.linalg.vector_norm(a, math.inf, 0), "LinalgVectorNormBackward0"),
    ("vector_norm1", lambda L, a: L.linalg.vector_norm(a, 1), "LinalgVectorNormBackward0"),
    ("norm", lambda L, a: L.linalg.norm(a), "LinalgVectorNormBackward0"),
    ("matrix_norm_nuc", lambda L, a: L.linalg.matrix_norm(a, "nuc"), None),
    ("svdvals", lambda L, a: L.linalg.svdvals(a), "LinalgSvdBackward0"),
    ("svd_recon", lambda L, a: (lambda r: (r.U * r.S.unsqueeze(-2)) @ r.Vh)(L.linalg.svd(a, full_matrices=False)),
     None),
    ("svd_abs_u", lambda L, a: L.linalg.svd(a, full_matrices=False).U.abs(), None),
    ("qr_r", lambda L, a: L.linalg.qr(a).R.abs(), None),
    ("qr_q", lambda L, a: L.linalg.qr(a).Q.abs(), None),
    ("matrix_exp", lambda L, a: L.linalg.matrix_exp(a), "LinalgMatrixExpBackward0"),
]


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
@pytest.mark.parametrize("dt", ["float64"])
def test_grad_vs_torch(case, dt):
    name, fn, node = case
    a = rnd((2, 4, 4), dt, 11) + 2 * np.eye(4)
    (oo, og), (to, tg) = _both_grads(fn, [a])
    if node is not None:
        assert oo.grad_fn.name() == to.grad_fn.name() == node
    np.testing.assert_allclose(npv(og[0]), npv(tg[0]), rtol=1e-6, atol=1e-8)


DECOMP_CASES = [
    ("eigvalsh", "pd", lambda L, a: L.linalg.eigvalsh(a), "LinalgEighBackward0"),
    ("eigh_vecs", "pd", lambda L, a: L.linalg.eigh(a).eigenvectors.abs(), None),
    ("pinv_herm", "pd", lambda L, a: L.linalg.pinv(a, hermitian=True), "LinalgPinvBackward0"),
    ("solve", "ab", lambda L, x, y: L.linalg.solve(x, y), "LinalgSolveExBackward0"),
    ("solve_triangular", "ab", lambda L, x, y: L.linalg.solve_triangular(x, y, upper=True),
     "LinalgSolveTriangularBackward0"),
    ("lstsq", "ab", lambda L, x, y: L.linalg.lstsq(x, y).solution, "LinalgLstsqBackward0"),
    ("lstsq_tall", "w", lambda L, x: L.linalg.lstsq(x, x[..., :2]).solution, "LinalgLstsqBackward0"),
]


@pytest.mark.parametrize("case", DECOMP_CASES, ids=[c[0] for c in DECOMP_CASES])
@pytest.mark.parametrize("dt", ["float64"])
def test_grad_decomp_vs_torch(case, dt):
    name, kind, fn, node = case
    if kind == "pd":
        arrays = [hermitian((2, 4, 4), dt, 3, pd=True)]
    elif kind == "ab":
        arrays = [rnd((2, 4, 4), dt, 4) + 3 * np.eye(4), rnd((2, 4, 2), dt, 5)]
    else:
        arrays = [rnd((2, 5, 3), dt, 6)]
    (oo, og), (to, tg) = _both_grads(fn, arrays)
    if node:
        assert oo.grad_fn.name() == to.grad_fn.name() == node
    for x, y in zip(og, tg):
        np.testing.assert_allclose(npv(x), npv(y), rtol=1e-6, atol=1e-8)


GRADCHECK = [
    ("det", lambda x, y: ot.linalg.det(x)),
    ("inv", lambda x, y: ot.linalg.inv(x)),
    ("solve", lambda x, y: ot.linalg.solve(x, y)),
    ("eigvalsh", lambda x, y: ot.linalg.eigvalsh(x + x.mT)),
    ("slogdet", lambda x, y: ot.linalg.slogdet(x).logabsdet),
    ("qr", lambda x, y: ot.linalg.qr(x[:, :2])),
    ("svdvals", lambda x, y: ot.linalg.svdvals(x)),
    ("pinv", lambda x, y: ot.linalg.pinv(x)),
    ("nuc", lambda x, y: ot.linalg.matrix_norm(x, "nuc")),
    ("vector_norm3", lambda x, y: ot.linalg.vector_norm(x, 3)),
    ("lstsq", lambda x, y: ot.linalg.lstsq(x, y).solution),
]


@pytest.mark.parametrize("case", GRADCHECK, ids=[c[0] for c in GRADCHECK])
def test_gradcheck(case):
    from oxytorch.autograd import gradcheck
    rng = np.random.default_rng(0)
    a = ot.tensor(rng.standard_normal((3, 3)) + 3 * np.eye(3), dtype=ot.float64, requires_grad=True)
    b = ot.tensor(rng.standard_normal((3, 2)), dtype=ot.float64, requires_grad=True)
    assert gradcheck(case[1], (a, b))
