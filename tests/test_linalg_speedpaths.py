"""Parity against real torch for the fast linalg paths: the unblocked small-matrix kernels (LU / solve /
inv / det / slogdet / Cholesky / QR for matrices up to 32 x 32, batched across threads) and the faer paths
that factor in place (solve, inv, Cholesky, QR above that size). Sizes 1..16 (and the 32/33 switch),
float32/float64/complex64/complex128, batched, transposed, sliced and expanded (stride-0) batches,
singular and near-singular inputs (info codes, LinAlgError messages, LAPACK's inf/nan patterns, partial
Cholesky factors), and the conjugate-bit rules of dot / matmul / inner / tensordot."""
import numpy as np
import pytest
import torch

import oxytorch as ot

DTYPES = ["float32", "float64", "complex64", "complex128"]
NP = {"float32": np.float32, "float64": np.float64, "complex64": np.complex64, "complex128": np.complex128}
SIZES = [1, 2, 3, 4, 5, 7, 8, 11, 16, 32, 33, 40]


def rnd(shape, dt, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    if dt.startswith("complex"):
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(NP[dt])


def well(shape, dt, seed=0):
    """Random matrices with a dominant diagonal (well conditioned), pivoting still exercised."""
    a = rnd(shape, dt, seed)
    n = shape[-1]
    return (a + 0.5 * n * np.eye(n)[::-1].astype(a.dtype)).astype(NP[dt])


def spd(shape, dt, seed=0):
    a = rnd(shape, dt, seed)
    h = a @ np.conj(np.swapaxes(a, -1, -2))
    return (h + shape[-1] * np.eye(shape[-1])).astype(NP[dt])


def tol(dt, n=1):
    return dict(rtol=3e-4 * max(1, n), atol=3e-4 * max(1, n)) if dt in ("float32", "complex64") else \
        dict(rtol=1e-10 * max(1, n), atol=1e-10 * max(1, n))


def npv(x):
    return np.array(x.detach().resolve_conj().resolve_neg().numpy(), copy=True)


def same(o, t, dt=None, n=1, exact=False, strides=True):
    assert str(o.dtype) == str(t.dtype)
    assert tuple(o.shape) == tuple(t.shape)
    if strides and o.numel() > 1:
        # (the stride of a size-1 dim is arbitrary)
        so = tuple(st for st, sz in zip(o.stride(), o.shape) if sz > 1)
        sr = tuple(st for st, sz in zip(t.stride(), t.shape) if sz > 1)
        assert so == sr, (o.stride(), t.stride())
    if exact or dt is None:
        np.testing.assert_array_equal(npv(o), npv(t))
    else:
        np.testing.assert_allclose(npv(o), npv(t), **tol(dt, n))


def pair(a, layout):
    """(oxytorch, torch) tensors holding `a` in the given layout."""
    if layout == "contig":
        return ot.tensor(a), torch.tensor(a)
    if layout == "transposed":
        buf = np.ascontiguousarray(np.swapaxes(a, -1, -2))
        return ot.tensor(buf).transpose(-2, -1), torch.tensor(buf).transpose(-2, -1)
    if layout == "sliced":
        # an offset, strided view: every other row of a taller buffer, skipping the first
        pad = np.zeros(a.shape[:-2] + (2 * a.shape[-2] + 1, a.shape[-1]), a.dtype)
        pad[..., 1::2, :] = a
        return ot.tensor(pad)[..., 1::2, :], torch.tensor(pad)[..., 1::2, :]
    if layout == "expanded":
        # a stride-0 batch dim over one matrix
        return ot.tensor(a[0]).expand(a.shape), torch.tensor(a[0]).expand(a.shape)
    raise AssertionError(layout)


LAYOUTS = ["contig", "transposed", "sliced", "expanded"]
BATCHES = [(), (3,), (2, 3)]


def cases():
    for n in SIZES:
        for dt in DTYPES:
            for layout in LAYOUTS:
                batch = (3,) if layout == "expanded" else BATCHES[(n + len(dt)) % 3]
                if n >= 32 and layout != "contig":
                    continue
                yield n, dt, layout, batch


CASES = list(cases())
IDS = [f"{n}-{dt}-{lay}-{'x'.join(map(str, b)) or 'single'}" for n, dt, lay, b in CASES]


@pytest.mark.parametrize("n,dt,layout,batch", CASES, ids=IDS)
def test_inv_solve_det(n, dt, layout, batch):
    a = well(batch + (n, n), dt, seed=n)
    o, t = pair(a, layout)
    same(ot.linalg.inv(o), torch.linalg.inv(t), dt, n)
    io, it = ot.linalg.inv_ex(o), torch.linalg.inv_ex(t)
    same(io.info, it.info, exact=True)
    for k in (1, 3):
        b = rnd(batch + (n, k), dt, seed=n + k)
        bo, bt = pair(b, "contig")
        same(ot.linalg.solve(o, bo), torch.linalg.solve(t, bt), dt, n)
        xo, xt = ot.linalg.solve_ex(o, bo), torch.linalg.solve_ex(t, bt)
        same(xo.info, xt.info, exact=True)
    v = rnd(batch + (n,), dt, seed=5)
    # (batched vector right-hand sides: torch's strides of the result differ; values and shape only)
    same(ot.linalg.solve(o, ot.tensor(v)), torch.linalg.solve(t, torch.tensor(v)), dt, n, strides=False)
    bl = rnd(batch + (2, n), dt, seed=6)
    same(ot.linalg.solve(o, ot.tensor(bl), left=False), torch.linalg.solve(t, torch.tensor(bl), left=False), dt, n)
    # (scaled so that single-precision determinants of the larger matrices stay finite)
    same(ot.linalg.det(o * (2.0 / n)), torch.linalg.det(t * (2.0 / n)), dt, n)
    so, st = ot.linalg.slogdet(o), torch.linalg.slogdet(t)
    same(so.sign, st.sign, dt, n)
    same(so.logabsdet, st.logabsdet, dt, n)


@pytest.mark.parametrize("n,dt,layout,batch", CASES, ids=IDS)
def test_lu_factor(n, dt, layout, batch):
    a = rnd(batch + (n, n), dt, seed=n + 1)
    o, t = pair(a, layout)
    fo, ft = ot.linalg.lu_factor_ex(o), torch.linalg.lu_factor_ex(t)
    same(fo.pivots, ft.pivots, exact=True)
    same(fo.info, ft.info, exact=True)
    same(fo.LU, ft.LU, dt, 4 * n)
    for mn in ((n + 2, n), (n, n + 3)):
        w = rnd(batch + mn, dt, seed=n + 2)
        fo, ft = ot.linalg.lu_factor_ex(ot.tensor(w)), torch.linalg.lu_factor_ex(torch.tensor(w))
        same(fo.pivots, ft.pivots, exact=True)
        same(fo.LU, ft.LU, dt, 4 * n)


@pytest.mark.parametrize("n,dt,layout,batch", CASES, ids=IDS)
def test_cholesky(n, dt, layout, batch):
    a = spd(batch + (n, n), dt, seed=n + 3)
    o, t = pair(a, layout)
    for upper in (False, True):
        same(ot.linalg.cholesky(o, upper=upper), torch.linalg.cholesky(t, upper=upper), dt, n)
        eo, et = ot.linalg.cholesky_ex(o, upper=upper), torch.linalg.cholesky_ex(t, upper=upper)
        same(eo.info, et.info, exact=True)


@pytest.mark.parametrize("n,dt,layout,batch", CASES, ids=IDS)
def test_qr(n, dt, layout, batch):
    for mn in ((n, n), (n + 3, n), (n, n + 2)):
        a = rnd(batch + mn, dt, seed=n + 4)
        o, t = pair(a, layout)
        for mode in ("reduced", "complete", "r"):
            qo, qt = ot.linalg.qr(o, mode=mode), torch.linalg.qr(t, mode=mode)
            # LAPACK's Householder sign convention (a real diagonal on R for complex inputs too): the
            # factors themselves match, not only invariants.
            same(qo.Q, qt.Q, dt, 4 * max(mn))
            same(qo.R, qt.R, dt, 4 * max(mn))


# ----------------------------------------------------------------------------------------------
# singular and near-singular inputs

SINGULAR = [
    [[1.0, 2.0], [2.0, 4.0]],
    [[0.0, 1.0], [0.0, 2.0]],
    [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]],
    [[0.0] * 3] * 3,
    [[2.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 3.0]],
    [[1.0, 1.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 4.0, 5.0], [0.0, 1.0, 2.0, 3.0]],
]


def int_singular(n, r, seed):
    rng = np.random.default_rng(seed)
    return (rng.integers(-3, 4, (n, r)) @ rng.integers(-3, 4, (r, n))).astype(np.float64)


SINGULAR += [int_singular(n, n - 1, n).tolist() for n in (2, 3, 4, 5, 6, 8)]


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("k", range(len(SINGULAR)))
def test_singular(dt, k):
    a = np.array(SINGULAR[k]).astype(NP[dt])
    o, t = ot.tensor(a), torch.tensor(a)
    fo, ft = ot.linalg.lu_factor_ex(o), torch.linalg.lu_factor_ex(t)
    same(fo.info, ft.info, exact=True)
    same(fo.pivots, ft.pivots, exact=True)
    same(fo.LU, ft.LU, dt, 8)
    same(ot.linalg.det(o), torch.linalg.det(t), dt, 8)
    so, st = ot.linalg.slogdet(o), torch.linalg.slogdet(t)
    same(so.logabsdet, st.logabsdet, dt, 8)
    same(so.sign, st.sign, dt, 8)
    # singular solves: the info code and LAPACK's inf / nan pattern of the unchecked result
    io, it = ot.linalg.inv_ex(o), torch.linalg.inv_ex(t)
    same(io.info, it.info, exact=True)
    if int(it.info) != 0:
        np.testing.assert_array_equal(np.isnan(npv(io.inverse)), np.isnan(npv(it.inverse)))
        b = np.ones((a.shape[0], 1), NP[dt])
        xo, xt = ot.linalg.solve_ex(o, ot.tensor(b)), torch.linalg.solve_ex(t, torch.tensor(b))
        same(xo.info, xt.info, exact=True)
        np.testing.assert_array_equal(np.isnan(npv(xo.result)), np.isnan(npv(xt.result)))
        with pytest.raises(torch.linalg.LinAlgError) as et:
            torch.linalg.inv(t)
        with pytest.raises(ot.linalg.LinAlgError) as eo:
            ot.linalg.inv(o)
        assert str(eo.value) == str(et.value)


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("k", range(len(SINGULAR)))
def test_slogdet_grad_singular(dt, k):
    a = np.array(SINGULAR[k]).astype(NP[dt])
    o = ot.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    ot.linalg.slogdet(o).logabsdet.backward()
    torch.linalg.slogdet(t).logabsdet.backward()
    go, gt = npv(o.grad), npv(t.grad)
    np.testing.assert_array_equal(np.isnan(go), np.isnan(gt))
    np.testing.assert_array_equal(np.isinf(go), np.isinf(gt))
    fin = np.isfinite(gt)
    np.testing.assert_array_equal(np.sign(go[~fin & ~np.isnan(gt)]), np.sign(gt[~fin & ~np.isnan(gt)]))
    if k < 6:  # (the finite entries of the integer rank-deficient cases are rounding noise)
        np.testing.assert_allclose(go[fin], gt[fin], **tol(dt, 10))


def test_near_singular():
    # tiny but non-zero pivots stay pivots (no info code), as in LAPACK
    for dt in DTYPES:
        a = np.array([[1.0, 1.0], [1.0, 1.0 + 1e-6]]).astype(NP[dt])
        o, t = ot.tensor(a), torch.tensor(a)
        same(ot.linalg.inv_ex(o).info, torch.linalg.inv_ex(t).info, exact=True)
        same(ot.linalg.det(o), torch.linalg.det(t), dt, 1e3)
        d = np.diag([1.0, 1e-30, 1.0]).astype(NP[dt])
        same(ot.linalg.lu_factor_ex(ot.tensor(d)).info, torch.linalg.lu_factor_ex(torch.tensor(d)).info, exact=True)
        same(ot.linalg.inv(ot.tensor(d)), torch.linalg.inv(torch.tensor(d)), dt)


def test_batched_errors():
    a = np.stack([np.eye(3), np.array(SINGULAR[2]), np.zeros((3, 3))])
    for dt in DTYPES:
        x = a.astype(NP[dt])
        for fo, ft in [(ot.linalg.inv, torch.linalg.inv), (ot.linalg.cholesky, torch.linalg.cholesky),
                       (lambda m: ot.linalg.solve(m, m), lambda m: torch.linalg.solve(m, m)),
                       (ot.linalg.lu_factor, torch.linalg.lu_factor)]:
            with pytest.raises(Exception) as et:
                ft(torch.tensor(x))
            with pytest.raises(Exception) as eo:
                fo(ot.tensor(x))
            assert type(eo.value).__name__ == type(et.value).__name__
            assert str(eo.value) == str(et.value)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_not_pd(dt, upper):
    # LAPACK's potrf leaves the columns it finished, the failing diagonal entry and the untouched rest
    cases = [[[4.0, 2.0, 1.0], [2.0, 1.0, 3.0], [1.0, 3.0, 5.0]], [[-1.0, 0.0], [0.0, 1.0]],
             [[1.0, 2.0, 0.0, 0.0], [2.0, 5.0, 1.0, 0.0], [0.0, 1.0, -3.0, 1.0], [0.0, 0.0, 1.0, 2.0]]]
    for c in cases:
        a = np.array(c).astype(NP[dt])
        eo, et = ot.linalg.cholesky_ex(ot.tensor(a), upper=upper), torch.linalg.cholesky_ex(torch.tensor(a), upper=upper)
        same(eo.info, et.info, exact=True)
        same(eo.L, et.L, dt)
        with pytest.raises(torch.linalg.LinAlgError) as e2:
            torch.linalg.cholesky(torch.tensor(a), upper=upper)
        with pytest.raises(ot.linalg.LinAlgError) as e1:
            ot.linalg.cholesky(ot.tensor(a), upper=upper)
        assert str(e1.value) == str(e2.value)


def test_empty_and_dtype_errors():
    for n in (0,):
        for dt in DTYPES:
            z = np.zeros((2, n, n), NP[dt])
            same(ot.linalg.inv(ot.tensor(z)), torch.linalg.inv(torch.tensor(z)))
            same(ot.linalg.det(ot.tensor(z)), torch.linalg.det(torch.tensor(z)))
            same(ot.linalg.cholesky(ot.tensor(z)), torch.linalg.cholesky(torch.tensor(z)))
    for fo, ft in [(ot.linalg.inv, torch.linalg.inv), (ot.linalg.cholesky, torch.linalg.cholesky),
                   (ot.linalg.det, torch.linalg.det)]:
        for x in (np.ones((2, 3, 3), np.int64), np.ones((3, 4))):
            with pytest.raises(Exception) as et:
                ft(torch.tensor(x))
            with pytest.raises(Exception) as eo:
                fo(ot.tensor(x))
            assert type(eo.value).__name__ == type(et.value).__name__
            assert str(eo.value) == str(et.value)


# ----------------------------------------------------------------------------------------------
# conjugate / negative bits of dot-like products

def _c(shape, seed):
    return rnd(shape, "complex64", seed)


BIT_CASES = [
    ("matmul", lambda L, x, y: x @ y, (3,), (3,)),
    ("matmul_fn", lambda L, x, y: L.matmul(x, y), (3,), (3,)),
    ("inner1", lambda L, x, y: L.inner(x, y), (3,), (3,)),
    ("inner2", lambda L, x, y: L.inner(x, y), (2, 3), (3,)),
    ("inner11", lambda L, x, y: L.inner(x, y), (1, 3), (1, 3)),
    ("td1", lambda L, x, y: L.tensordot(x, y, 1), (3,), (3,)),
    ("td2", lambda L, x, y: L.tensordot(x, y, 2), (2, 3), (2, 3)),
    ("td_row", lambda L, x, y: L.tensordot(x, y, 1), (1, 3), (3, 1)),
    ("td_mat", lambda L, x, y: L.tensordot(x, y, 1), (2, 3), (3, 4)),
    ("td_perm", lambda L, x, y: L.tensordot(x, y, ([0, 1], [1, 0])), (2, 3), (3, 2)),
    ("td0", lambda L, x, y: L.tensordot(x, y, 0), (2,), (3,)),
    ("dot", lambda L, x, y: L.dot(x, y), (3,), (3,)),
    ("vdot", lambda L, x, y: L.vdot(x, y), (3,), (3,)),
    ("dot_m", lambda L, x, y: x.dot(y), (3,), (3,)),
    ("vdot_m", lambda L, x, y: x.vdot(y), (3,), (3,)),
]
BITS = {"plain": lambda t: t, "conj": lambda t: t.conj(), "neg": lambda t: t._neg_view(),
        "conjneg": lambda t: t.conj()._neg_view()}


@pytest.mark.parametrize("name,f,sa,sb", BIT_CASES, ids=[c[0] for c in BIT_CASES])
@pytest.mark.parametrize("ba", list(BITS))
@pytest.mark.parametrize("bb", list(BITS))
def test_product_bits(name, f, sa, sb, ba, bb):
    a, b = _c(sa, 1), _c(sb, 2)
    to = f(ot, BITS[ba](ot.tensor(a)), BITS[bb](ot.tensor(b)))
    tt = f(torch, BITS[ba](torch.tensor(a)), BITS[bb](torch.tensor(b)))
    assert to.is_conj() == tt.is_conj()
    assert to.is_neg() == tt.is_neg()
    same(to, tt, "complex64", strides=False)
