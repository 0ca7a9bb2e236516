"""torch.linalg.ldl_factor(_ex) / ldl_solve against torch (LAPACK's sytrf/hetrf/sytrs): pivots exactly,
LD and solutions to rounding, over dtypes, symmetric and Hermitian inputs, 1x1/2x2 pivot mixes,
batches, zero pivots (info), layouts and errors."""
import numpy as np
import pytest
import torch

import oxytorch as ot

DTYPES = ["float32", "float64", "complex64", "complex128"]


def _sym(rng, shape, dt, herm, kind):
    a = rng.standard_normal(shape)
    if "complex" in dt:
        a = a + 1j * rng.standard_normal(shape)
    if kind == "small_diag":  # forces interchanges and 2x2 blocks
        a = a + np.swapaxes(a, -1, -2).conj() if herm else a + np.swapaxes(a, -1, -2)
        idx = np.arange(shape[-1])
        a[..., idx, idx] *= 1e-3
        return a
    if kind == "indefinite_zero_diag":
        a = a + (np.swapaxes(a, -1, -2).conj() if herm else np.swapaxes(a, -1, -2))
        idx = np.arange(shape[-1])
        a[..., idx, idx] = 0
        return a
    return a + (np.swapaxes(a, -1, -2).conj() if herm else np.swapaxes(a, -1, -2))


def _tol(dt):
    return 2e-3 if dt in ("float32", "complex64") else 1e-9


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("herm", [False, True])
@pytest.mark.parametrize("kind", ["random", "small_diag", "indefinite_zero_diag"])
@pytest.mark.parametrize("shape", [(1, 1), (2, 2), (5, 5), (3, 6, 6), (12, 12), (70, 70)], ids=str)
def test_ldl_factor_and_solve(dt, herm, kind, shape):
    rng = np.random.default_rng(sum(shape) + len(kind))
    a = _sym(rng, shape, dt, herm, kind)
    b = rng.standard_normal(shape[:-1] + (3,))
    ta, oa = torch.tensor(a, dtype=getattr(torch, dt)), ot.tensor(a, dtype=getattr(ot, dt))
    tb, ob = torch.tensor(b, dtype=ta.dtype), ot.tensor(b, dtype=oa.dtype)
    rt = torch.linalg.ldl_factor_ex(ta, hermitian=herm)
    ro = ot.linalg.ldl_factor_ex(oa, hermitian=herm)
    assert ro.pivots.dtype == ot.int32 and ro.info.dtype == ot.int32
    np.testing.assert_array_equal(ro.pivots.numpy(), rt.pivots.numpy())
    np.testing.assert_array_equal(ro.info.numpy(), rt.info.numpy())
    assert ro.LD.stride() == rt.LD.stride() and tuple(ro.LD.shape) == tuple(rt.LD.shape)
    tol = _tol(dt) * max(1.0, float(np.abs(a).max()))
    np.testing.assert_allclose(ro.LD.numpy(), rt.LD.numpy(), rtol=_tol(dt), atol=tol)
    if bool((rt.info == 0).all()):
        xt = torch.linalg.ldl_solve(rt.LD, rt.pivots, tb, hermitian=herm)
        xo = ot.linalg.ldl_solve(ro.LD, ro.pivots, ob, hermitian=herm)
        assert xo.stride() == xt.stride()
        scale = max(1.0, float(xt.abs().max()))
        np.testing.assert_allclose(xo.numpy(), xt.numpy(), rtol=_tol(dt) * 10, atol=_tol(dt) * 10 * scale)


@pytest.mark.parametrize("case", ["zeros", "zero_block", "nan_diag", "upper_ignored", "empty", "transposed"])
def test_ldl_factor_special(case):
    def mk(L):
        if case == "zeros":
            return L.zeros(3, 3)
        if case == "zero_block":
            return L.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 2.0]], dtype=L.float64)
        if case == "nan_diag":
            return L.tensor([[float("nan"), 1.0], [1.0, 0.0]])
        if case == "upper_ignored":
            return L.tensor([[2.0, 99.0, -7.0], [1.0, -3.0, 5.0], [0.5, 4.0, 1.0]], dtype=L.float64)
        if case == "empty":
            return L.zeros(2, 0, 0)
        return L.tensor([[4.0, 1.0, 2.0], [1.0, -1.0, 0.5], [2.0, 0.5, 3.0]], dtype=L.float64).t()
    rt, ro = torch.linalg.ldl_factor_ex(mk(torch)), ot.linalg.ldl_factor_ex(mk(ot))
    np.testing.assert_array_equal(ro.pivots.numpy(), rt.pivots.numpy())
    np.testing.assert_array_equal(ro.info.numpy(), rt.info.numpy())
    np.testing.assert_allclose(ro.LD.numpy(), rt.LD.numpy(), rtol=1e-6, atol=1e-6)
    if bool((rt.info != 0).any()):
        with pytest.raises(RuntimeError):
            torch.linalg.ldl_factor(mk(torch))
        with pytest.raises(RuntimeError):
            ot.linalg.ldl_factor(mk(ot))
    else:
        r2, o2 = torch.linalg.ldl_factor(mk(torch)), ot.linalg.ldl_factor(mk(ot))
        np.testing.assert_array_equal(o2.pivots.numpy(), r2.pivots.numpy())


ERRORS = [
    lambda L: L.linalg.ldl_factor(L.ones(3, 4)),
    lambda L: L.linalg.ldl_factor(L.ones(4)),
    lambda L: L.linalg.ldl_factor(L.ones(3, 3, dtype=L.int32)),
    lambda L: L.linalg.ldl_factor(L.ones(3, 3, dtype=L.float16)),
    lambda L: L.linalg.ldl_solve(L.eye(4), L.arange(1, 4, dtype=L.int32), L.ones(4, 2)),
    lambda L: L.linalg.ldl_solve(L.eye(4), L.arange(1, 5, dtype=L.int32), L.ones(5, 2)),
    lambda L: L.linalg.ldl_solve(L.eye(4), L.arange(1, 5, dtype=L.int32), L.ones(4, 2, dtype=L.float64)),
    lambda L: L.linalg.ldl_solve(L.eye(4), L.arange(1, 5, dtype=L.int32), L.ones(4)),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_ldl_errors(i):
    with pytest.raises(Exception) as et:
        ERRORS[i](torch)
    with pytest.raises(Exception) as eo:
        ERRORS[i](ot)
    assert type(eo.value) is type(et.value) or type(eo.value).__name__ == type(et.value).__name__
    assert str(eo.value) == str(et.value)


def test_ldl_solve_broadcast_and_no_grad():
    rng = np.random.default_rng(0)
    a = _sym(rng, (2, 4, 4), "float64", False, "small_diag")
    b = rng.standard_normal((4, 2))
    rt = torch.linalg.ldl_factor(torch.tensor(a))
    ro = ot.linalg.ldl_factor(ot.tensor(a))
    xt = torch.linalg.ldl_solve(rt.LD, rt.pivots, torch.tensor(b))
    xo = ot.linalg.ldl_solve(ro.LD, ro.pivots, ot.tensor(b))
    np.testing.assert_allclose(xo.numpy(), xt.numpy(), rtol=1e-9, atol=1e-9)
    x = ot.tensor(a, requires_grad=True)
    LD = ot.linalg.ldl_factor(x).LD
    assert LD.requires_grad
    with pytest.raises(RuntimeError, match="derivative for aten::linalg_ldl_factor_ex is not implemented"):
        LD.sum().backward()
