"""Parity against real torch for the threaded linalg paths: single LU factorisations of order 128 and up
split their trailing updates (and inv its solve against I) across the intra-op pool, so results at 1
and 2 threads (torch.set_num_threads) must agree with each other and with torch, including exactly
singular inputs (info codes, inf/nan patterns); svd / eigh / eig call faer's routines directly with
one scratch per batch job, so batched small matrices, both triangles of eigh, vectors-free variants
and complex inputs must still give torch's values (up to the sign / phase of singular vectors and
eigenvectors, compared through reconstructions and |inner products|)."""
import numpy as np
import pytest
import torch

import oxytorch as ot
from test_linalg_large import cast, masks_equal, singular
from test_linalg_speedpaths import npv, pair, rnd, tol, well

DTYPES = ["float32", "float64", "complex64", "complex128"]
SPLIT_SIZES = [127, 128, 129, 200, 256, 300, 511, 512, 700]


@pytest.fixture
def threads():
    """Runs the test body at 1 and 2 intra-op threads; restores the default afterwards."""
    before = ot.get_num_threads()
    yield lambda n: ot.set_num_threads(n)
    ot.set_num_threads(before)


def at_threads(threads, f):
    out = []
    for n in (1, 2):
        threads(n)
        out.append(f())
    return out


@pytest.mark.parametrize("layout", ["contig", "transposed"])
@pytest.mark.parametrize("n", SPLIT_SIZES)
@pytest.mark.parametrize("dt", ["float64", "float32", "complex128"])
def test_split_lu_paths(threads, dt, n, layout):
    a = well((n, n), dt, seed=n)
    b = rnd((n, 3), dt, seed=n + 1)
    oa, ta = pair(a, layout)
    ob, tb = ot.tensor(b), torch.tensor(b)
    t = tol(dt, n)
    for op, fo, ft in [
        ("solve", lambda: ot.linalg.solve(oa, ob), lambda: torch.linalg.solve(ta, tb)),
        ("inv", lambda: ot.linalg.inv(oa), lambda: torch.linalg.inv(ta)),
        ("lu_factor", lambda: ot.linalg.lu_factor(oa)[0], lambda: torch.linalg.lu_factor(ta)[0]),
        ("logabsdet", lambda: ot.linalg.slogdet(oa)[1], lambda: torch.linalg.slogdet(ta)[1]),
        ("sign", lambda: ot.linalg.slogdet(oa)[0], lambda: torch.linalg.slogdet(ta)[0]),
    ]:
        r1, r2 = at_threads(threads, fo)
        want = ft()
        assert str(r2.dtype) == str(want.dtype) and tuple(r2.shape) == tuple(want.shape), op
        assert r2.stride() == want.stride(), op
        np.testing.assert_allclose(npv(r1), npv(r2), **t, err_msg=op)
        np.testing.assert_allclose(npv(r2), npv(want), **t, err_msg=op)
    # the same pivots whatever the split
    p1, p2 = at_threads(threads, lambda: ot.linalg.lu_factor(oa)[1])
    np.testing.assert_array_equal(npv(p1), npv(p2))
    np.testing.assert_array_equal(npv(p2), npv(torch.linalg.lu_factor(ta)[1]))


@pytest.mark.parametrize("n", [128, 200, 256])
@pytest.mark.parametrize("kind", ["zero_col", "zero_row", "eye_last", "two_zero_cols"])
@pytest.mark.parametrize("dt", ["float64", "complex64"])
def test_split_lu_singular(threads, dt, kind, n):
    a = cast(singular(kind, n, n), dt)
    oa, ta = ot.tensor(a), torch.tensor(a)
    b = np.ones((n, 2), a.dtype)
    for two in (False, True):
        threads(2 if two else 1)
        xo, io = ot.linalg.solve_ex(oa, ot.tensor(b))
        xt, it = torch.linalg.solve_ex(ta, torch.tensor(b))
        assert int(io) == int(it) != 0
        masks_equal(xo, xt)
        vo, jo = ot.linalg.inv_ex(oa)
        vt, jt = torch.linalg.inv_ex(ta)
        assert int(jo) == int(jt)
        masks_equal(vo, vt)
        with pytest.raises(ot.linalg.LinAlgError) as e:
            ot.linalg.inv(oa)
        with pytest.raises(torch.linalg.LinAlgError) as et:
            torch.linalg.inv(ta)
        assert str(e.value) == str(et.value)
        lo, po, _ = ot.linalg.lu_factor_ex(oa)
        lt, pt, _ = torch.linalg.lu_factor_ex(ta)
        np.testing.assert_array_equal(npv(po), npv(pt))
        np.testing.assert_allclose(npv(lo), npv(lt), **tol(dt, n))


def separated(vals, dt):
    """Mask of the values (last axis) at a distance from the others of the same matrix large enough for
    their vectors to be compared at the dtype's tolerance."""
    v = np.asarray(vals)
    if v.shape[-1] < 2:
        return np.ones(v.shape, bool)
    d = np.abs(v[..., :, None] - v[..., None, :])
    d[..., np.arange(v.shape[-1]), np.arange(v.shape[-1])] = np.inf
    scale = np.abs(v).max(axis=-1, keepdims=True) + 1
    return d.min(axis=-1) > (0.05 if dt in ("float32", "complex64") else 1e-6) * scale


def matched(x, y, tl):
    """Every eigenvalue of x has one of y within tolerance (and vice versa), matrix by matrix."""
    d = np.abs(x[..., :, None] - y[..., None, :])
    lim = tl["atol"] + tl["rtol"] * np.abs(y).max(axis=-1)[..., None]
    assert (d.min(axis=-1) <= lim).all() and (d.min(axis=-2) <= lim).all()


def svd_check(a, dt, full, o, t):
    uo, so, vo = (npv(x) for x in o)
    ut, st, vt = (npv(x) for x in t)
    k = min(a.shape[-2:])
    tl = tol(dt, max(a.shape[-2:]))
    assert uo.shape == ut.shape and vo.shape == vt.shape and so.shape == st.shape
    assert o[0].stride() == t[0].stride() and o[2].stride() == t[2].stride()
    np.testing.assert_allclose(so, st, **tl)
    rec = (uo[..., :, :k] * so[..., None, :]) @ vo[..., :k, :]
    np.testing.assert_allclose(rec, a, **tl)
    # singular vectors agree up to a unit factor (distinct random singular values)
    dots = np.abs(np.einsum("...ik,...ik->...k", np.conj(uo[..., :, :k]), ut[..., :, :k]))
    ok = separated(st, dt)
    np.testing.assert_allclose(dots[ok], np.ones_like(dots[ok]), **tl)
    eye_u = np.conj(np.swapaxes(uo, -1, -2)) @ uo
    np.testing.assert_allclose(eye_u, np.broadcast_to(np.eye(uo.shape[-1]), eye_u.shape), **tl)


# (520, 520): a single matrix above the order where svd / eigh switch from sequential to faer's
# parallel routines.
SPEC_SHAPES = [(1000, 8, 8), (7, 1, 1), (5, 4, 6), (3, 6, 4), (2, 3, 33, 33), (40, 40), (2, 0, 3), (520, 520)]


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("shape", SPEC_SHAPES, ids=str)
@pytest.mark.parametrize("dt", DTYPES)
def test_svd_batched(dt, shape, full):
    a = rnd(shape, dt, seed=len(shape) + shape[-1])
    o = ot.linalg.svd(ot.tensor(a), full_matrices=full)
    t = torch.linalg.svd(torch.tensor(a), full_matrices=full)
    if 0 in shape:
        for x, y in zip(o, t):
            assert tuple(x.shape) == tuple(y.shape)
            np.testing.assert_array_equal(npv(x), npv(y))
        return
    svd_check(a, dt, full, o, t)
    np.testing.assert_allclose(npv(ot.linalg.svdvals(ot.tensor(a))), npv(torch.linalg.svdvals(torch.tensor(a))),
                               **tol(dt, shape[-1]))


@pytest.mark.parametrize("uplo", ["L", "U"])
@pytest.mark.parametrize("shape", [(1000, 8, 8), (6, 1, 1), (3, 5, 5), (2, 2, 33, 33), (40, 40)], ids=str)
@pytest.mark.parametrize("dt", DTYPES)
def test_eigh_batched(dt, shape, uplo):
    a = rnd(shape, dt, seed=shape[-1])
    # only the named triangle is read: garbage in the other one must not matter
    h = a + np.conj(np.swapaxes(a, -1, -2))
    junk = h + np.where(np.tri(shape[-1], k=-1, dtype=bool) if uplo == "U" else np.tri(shape[-1], k=-1).T > 0,
                        7.0, 0.0).astype(h.dtype)
    lo, vo = ot.linalg.eigh(ot.tensor(junk), UPLO=uplo)
    lt, vt = torch.linalg.eigh(torch.tensor(junk), UPLO=uplo)
    tl = tol(dt, shape[-1])
    assert str(lo.dtype) == str(lt.dtype) and str(vo.dtype) == str(vt.dtype)
    assert vo.stride() == vt.stride()
    np.testing.assert_allclose(npv(lo), npv(lt), **tl)
    v = npv(vo)
    np.testing.assert_allclose((v * npv(lo)[..., None, :]) @ np.conj(np.swapaxes(v, -1, -2)), h, **tl)
    dots = np.abs(np.einsum("...ik,...ik->...k", np.conj(v), npv(vt)))
    ok = separated(npv(lt), dt)
    np.testing.assert_allclose(dots[ok], np.ones_like(dots[ok]), **tl)
    np.testing.assert_allclose(npv(ot.linalg.eigvalsh(ot.tensor(junk), UPLO=uplo)),
                               npv(torch.linalg.eigvalsh(torch.tensor(junk), UPLO=uplo)), **tl)


@pytest.mark.parametrize("shape", [(1000, 8, 8), (6, 1, 1), (3, 5, 5), (2, 2, 33, 33), (40, 40)], ids=str)
@pytest.mark.parametrize("dt", DTYPES)
def test_eig_batched(dt, shape):
    a = rnd(shape, dt, seed=shape[-1] + 3)
    lo, vo = ot.linalg.eig(ot.tensor(a))
    lt, vt = torch.linalg.eig(torch.tensor(a))
    tl = tol(dt, shape[-1])
    assert str(lo.dtype) == str(lt.dtype) and str(vo.dtype) == str(vt.dtype)
    assert vo.stride() == vt.stride()
    # eigenvalue order comes from each library's Schur form: compared as sets, matrix by matrix
    matched(npv(lo), npv(lt), tl)
    v, lam = npv(vo), npv(lo)
    np.testing.assert_allclose(a.astype(v.dtype) @ v, v * lam[..., None, :], rtol=tl["rtol"] * 10, atol=tl["atol"] * 10)
    # unit columns with the largest component real (geev's normalisation)
    np.testing.assert_allclose(np.linalg.norm(v, axis=-2), np.ones(v.shape[:-2] + v.shape[-1:]), **tl)
    big = np.take_along_axis(v, np.abs(v).argmax(axis=-2)[..., None, :], axis=-2)
    np.testing.assert_allclose(big.imag, 0, atol=tl["atol"])
    matched(npv(ot.linalg.eigvals(ot.tensor(a))), npv(torch.linalg.eigvals(torch.tensor(a))), tl)
