"""Parity against real torch for the blocked linalg paths (matrices above the 32 x 32 small-kernel
limit): exactly singular inputs through lu_factor / solve / inv / det / slogdet (LAPACK's getrf goes on
past a zero pivot, so info codes, pivots and the inf/nan pattern of the unchecked results match
torch's), slogdet's gradient there, complex QR with LAPACK's real diagonal on R (Q and R themselves
match), and complex64 determinants that overflow. float32/float64/complex64/complex128, batched,
transposed and sliced layouts."""
import numpy as np
import pytest
import torch

import oxytorch as ot
from test_linalg_speedpaths import npv, pair, tol

DTYPES = ["float32", "float64", "complex64", "complex128"]
NP = {"float32": np.float32, "float64": np.float64, "complex64": np.complex64, "complex128": np.complex128}



def singular(kind, n, seed):
    """Matrices whose elimination meets an exactly zero pivot in any pivoting order."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, n))
    if kind == "zero_col":
        a[:, n // 3] = 0
    elif kind == "zero_row":
        a[n // 2] = 0
    elif kind == "eye_last":
        a = np.eye(n)
        a[n - 1, n - 1] = 0
    elif kind == "one_entry":
        a = np.zeros((n, n))
        a[0, 0] = 1
    elif kind == "two_zero_cols":
        a[:, 1] = 0
        a[:, n - 2] = 0
    else:
        raise AssertionError(kind)
    return a


KINDS = ["zero_col", "zero_row", "eye_last", "one_entry", "two_zero_cols"]


def cast(a, dt):
    a = a.astype(NP[dt])
    return (a * (1 + 0.5j)).astype(NP[dt]) if dt.startswith("complex") else a


def masks_equal(o, t):
    xo, xt = npv(o), npv(t)
    np.testing.assert_array_equal(np.isnan(xo), np.isnan(xt))
    np.testing.assert_array_equal(np.isinf(xo), np.isinf(xt))


@pytest.mark.parametrize("layout", ["contig", "transposed"])
@pytest.mark.parametrize("n", [33, 40, 64])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dt", DTYPES)
def test_singular_large(dt, kind, n, layout):
    a = cast(singular(kind, n, n), dt)
    o, t = pair(a, layout)
    fo, ft = ot.linalg.lu_factor_ex(o), torch.linalg.lu_factor_ex(t)
    assert int(fo.info) == int(ft.info) != 0
    np.testing.assert_array_equal(npv(fo.pivots), npv(ft.pivots))
    np.testing.assert_allclose(npv(fo.LU), npv(ft.LU), **tol(dt, n))
    io, it = ot.linalg.inv_ex(o), torch.linalg.inv_ex(t)
    assert int(io.info) == int(it.info)
    masks_equal(io.inverse, it.inverse)
    b = np.ones((n, 2), NP[dt])
    xo, xt = ot.linalg.solve_ex(o, ot.tensor(b)), torch.linalg.solve_ex(t, torch.tensor(b))
    assert int(xo.info) == int(xt.info)
    masks_equal(xo.result, xt.result)
    with pytest.raises(torch.linalg.LinAlgError) as et:
        torch.linalg.inv(t)
    with pytest.raises(ot.linalg.LinAlgError) as eo:
        ot.linalg.inv(o)
    assert str(eo.value) == str(et.value)
    with pytest.raises(torch.linalg.LinAlgError) as et:
        torch.linalg.solve(t, torch.tensor(b))
    with pytest.raises(ot.linalg.LinAlgError) as eo:
        ot.linalg.solve(o, ot.tensor(b))
    assert str(eo.value) == str(et.value)
    so, st = ot.linalg.slogdet(o), torch.linalg.slogdet(t)
    np.testing.assert_array_equal(npv(so.sign), npv(st.sign))
    np.testing.assert_array_equal(npv(so.logabsdet), npv(st.logabsdet))
    np.testing.assert_array_equal(npv(ot.linalg.det(o)), npv(torch.linalg.det(t)))


@pytest.mark.parametrize("dt", DTYPES)
def test_singular_large_batched(dt):
    # one singular matrix in a batch: its info and pattern, the others solved normally
    n = 48
    rng = np.random.default_rng(3)
    a = rng.standard_normal((3, n, n)) + n * np.eye(n)
    a[1] = singular("zero_col", n, 1)
    a = cast(a, dt)
    o, t = ot.tensor(a), torch.tensor(a)
    io, it = ot.linalg.inv_ex(o), torch.linalg.inv_ex(t)
    np.testing.assert_array_equal(npv(io.info), npv(it.info))
    masks_equal(io.inverse[1], it.inverse[1])
    for i in (0, 2):
        np.testing.assert_allclose(npv(io.inverse[i]), npv(it.inverse[i]), **tol(dt, n))
    with pytest.raises(torch.linalg.LinAlgError) as et:
        torch.linalg.inv(t)
    with pytest.raises(ot.linalg.LinAlgError) as eo:
        ot.linalg.inv(o)
    assert str(eo.value) == str(et.value)


@pytest.mark.parametrize("layout", ["contig", "transposed", "sliced"])
@pytest.mark.parametrize("dt", DTYPES)
def test_solve_inv_large(dt, layout):
    n = 70
    rng = np.random.default_rng(5)
    a = cast(rng.standard_normal((2, n, n)) + 0.5 * n * np.eye(n)[::-1], dt)
    o, t = pair(a, layout)
    b = cast(rng.standard_normal((2, n, 3)), dt)
    np.testing.assert_allclose(npv(ot.linalg.solve(o, ot.tensor(b))), npv(torch.linalg.solve(t, torch.tensor(b))),
                               **tol(dt, n))
    io, it = ot.linalg.inv(o), torch.linalg.inv(t)
    np.testing.assert_allclose(npv(io), npv(it), **tol(dt, n))
    assert io.stride() == it.stride()
    fo, ft = ot.linalg.lu_factor(o), torch.linalg.lu_factor(t)
    np.testing.assert_array_equal(npv(fo.pivots), npv(ft.pivots))
    np.testing.assert_allclose(npv(fo.LU), npv(ft.LU), **tol(dt, n))
    assert fo.LU.stride() == ft.LU.stride()
    so, st = ot.linalg.slogdet(o), torch.linalg.slogdet(t)
    np.testing.assert_allclose(npv(so.sign), npv(st.sign), **tol(dt, n))
    np.testing.assert_allclose(npv(so.logabsdet), npv(st.logabsdet), **tol(dt, n))


@pytest.mark.parametrize("layout", ["contig", "transposed"])
@pytest.mark.parametrize("n", [5, 40, 64])
@pytest.mark.parametrize("kind", ["zero_col", "zero_row", "eye_last"])
@pytest.mark.parametrize("dt", DTYPES)
def test_slogdet_grad_singular_large(dt, kind, n, layout):
    # torch takes g A^-H from the forward's LU: of A^T for a real contiguous A, else of A (adjoint solve)
    a = cast(singular(kind, n, n), dt)
    o, t = pair(a, layout)
    o, t = o.detach().requires_grad_(), t.detach().requires_grad_()
    ot.linalg.slogdet(o).logabsdet.backward()
    torch.linalg.slogdet(t).logabsdet.backward()
    masks_equal(o.grad, t.grad)


@pytest.mark.parametrize("layout", ["contig", "transposed", "sliced"])
@pytest.mark.parametrize("mn", [(33, 33), (40, 36), (36, 45), (100, 70)])
@pytest.mark.parametrize("dt", ["complex64", "complex128"])
def test_complex_qr_factors(dt, mn, layout):
    rng = np.random.default_rng(sum(mn))
    a = (rng.standard_normal((2,) + mn) + 1j * rng.standard_normal((2,) + mn)).astype(NP[dt])
    o, t = pair(a, layout)
    for mode in ("reduced", "complete", "r"):
        qo, qt = ot.linalg.qr(o, mode=mode), torch.linalg.qr(t, mode=mode)
        assert qo.Q.shape == qt.Q.shape and qo.R.shape == qt.R.shape
        np.testing.assert_allclose(npv(qo.R), npv(qt.R), **tol(dt, 4 * max(mn)))
        assert np.all(npv(qo.R.diagonal(0, -2, -1)).imag == 0)
        assert qo.R.stride() == qt.R.stride()
        if mode != "r":
            np.testing.assert_allclose(npv(qo.Q), npv(qt.Q), **tol(dt, 4 * max(mn)))
            assert qo.Q.stride() == qt.Q.stride()


def test_complex_qr_zero_column():
    # a zero column below a complex diagonal entry: zlarfg still reflects to make it real
    n = 40
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))
    a[1:, 0] = 0
    a[:, 5] = 0
    qo, qt = ot.linalg.qr(ot.tensor(a)), torch.linalg.qr(torch.tensor(a))
    np.testing.assert_allclose(npv(qo.R), npv(qt.R), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(npv(qo.Q), npv(qt.Q), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("n", [4, 40])
@pytest.mark.parametrize("dt", ["complex64", "complex128", "float32"])
def test_det_overflow(dt, n):
    # the product of the pivots overflows: inf / nan exactly where torch's has them
    big = {"complex64": 1e10, "complex128": 1e160, "float32": 1e10}[dt]
    d = np.full(n, big * (1 + 1j) if dt.startswith("complex") else big)
    d[1] = -d[1]
    a = np.diag(d).astype(NP[dt])
    a[0, n - 1] = 1
    for x in (a, a[::-1].copy()):
        do, dtor = ot.linalg.det(ot.tensor(x)), torch.linalg.det(torch.tensor(x))
        masks_equal(do, dtor)
        fin = np.isfinite(npv(dtor))
        np.testing.assert_array_equal(np.signbit(npv(do).real[~np.isnan(npv(do).real)]),
                                      np.signbit(npv(dtor).real[~np.isnan(npv(dtor).real)]))
        if fin.all():
            np.testing.assert_allclose(npv(do), npv(dtor), rtol=1e-4)
