"""torch.ormqr / torch.orgqr (and the Tensor methods) against torch: values over dtypes, sides,
transposes and batches, torch's errors, and the gradient through OrmqrBackward0."""
import numpy as np
import pytest
import torch

import oxytorch as ot

DTYPES = ["float32", "float64", "complex64", "complex128"]
# (input shape, len(tau), other shape, left)
SHAPES = [((4, 3), 3, (4, 2), True), ((4, 5), 4, (4, 2), True), ((4, 6), 4, (2, 4), False),
          ((2, 5, 3), 3, (2, 5, 4), True), ((5, 3), 3, (2, 5), False), ((5, 3), 3, (5, 1), True),
          ((3, 0, 0), 0, (3, 0, 2), True), ((6, 6), 6, (6, 6), False)]


def _rand(rng, shape, dt):
    a = rng.standard_normal(shape)
    if "complex" in dt:
        a = a + 1j * rng.standard_normal(shape)
    return a


def _outcome(L, f):
    try:
        return f(L)
    except Exception as e:  # noqa: BLE001 - the type and message are compared
        return (type(e).__name__, str(e))


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("transpose", [False, True])
@pytest.mark.parametrize("layout", ["contig", "transposed"])
def test_ormqr_values(dt, shape, transpose, layout):
    ash, k, csh, left = shape
    rng = np.random.default_rng(len(ash) * 10 + k)
    a, t, c = _rand(rng, ash, dt), _rand(rng, ash[:-2] + (k,), dt), _rand(rng, csh, dt)

    def f(L):
        A = L.tensor(a, dtype=getattr(L, dt))
        if layout == "transposed":
            A = A.mT.contiguous().mT
        return L.ormqr(A, L.tensor(t, dtype=getattr(L, dt)), L.tensor(c, dtype=getattr(L, dt)),
                       left=left, transpose=transpose)

    r, o = f(torch), f(ot)
    assert tuple(o.shape) == tuple(r.shape) and str(o.dtype) == str(r.dtype)
    tol = 1e-4 if dt in ("float32", "complex64") else 1e-10
    np.testing.assert_allclose(o.numpy(), r.numpy(), rtol=tol, atol=tol)


ERRORS = [
    lambda L: L.ormqr(L.ones(4), L.ones(3), L.ones(4, 2)),
    lambda L: L.ormqr(L.ones(4, 3), L.ones(3), L.ones(4)),
    lambda L: L.ormqr(L.ones(4, 3), L.ones(2, 3), L.ones(4, 2)),
    lambda L: L.ormqr(L.ones(4, 3), L.ones(5), L.ones(4, 2)),
    lambda L: L.ormqr(L.ones(4, 3), L.ones(2), L.ones(4, 2)),
    lambda L: L.ormqr(L.ones(4, 3), L.ones(3), L.ones(5, 2)),
    lambda L: L.ormqr(L.ones(4, 3), L.ones(4), L.ones(2, 5), left=False),
    lambda L: L.ormqr(L.ones(4, 3), L.ones(4), L.ones(2, 4), left=False),
    lambda L: L.ormqr(L.ones(4, 3), L.ones(3), L.ones(4, 2, dtype=L.float64)),
    lambda L: L.ormqr(L.ones(4, 3), L.ones(3, dtype=L.float64), L.ones(4, 2)),
    lambda L: L.ormqr(L.ones(2, 4, 3), L.ones(2, 3), L.ones(4, 2)),
    lambda L: L.ormqr(L.ones(2, 4, 3), L.ones(2, 3), L.ones(3, 4, 2)),
    lambda L: L.ormqr(L.ones(2, 4, 3), L.ones(3, 3), L.ones(2, 4, 2)),
    lambda L: L.ormqr(L.ones(4, 3, dtype=L.int32), L.ones(3, dtype=L.int32), L.ones(4, 2, dtype=L.int32)),
    lambda L: L.orgqr(L.ones(3, 4), L.ones(3)),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_ormqr_errors(i):
    r, o = _outcome(torch, ERRORS[i]), _outcome(ot, ERRORS[i])
    assert isinstance(r, tuple), "the case must raise in torch"
    assert o == r


@pytest.mark.parametrize("dt", DTYPES)
def test_orgqr_is_householder_product(dt):
    rng = np.random.default_rng(3)
    a, t = _rand(rng, (2, 5, 3), dt), _rand(rng, (2, 3), dt)
    r = torch.orgqr(torch.tensor(a, dtype=getattr(torch, dt)), torch.tensor(t, dtype=getattr(torch, dt)))
    oa, otau = ot.tensor(a, dtype=getattr(ot, dt)), ot.tensor(t, dtype=getattr(ot, dt))
    tol = 1e-4 if dt in ("float32", "complex64") else 1e-10
    np.testing.assert_allclose(ot.orgqr(oa, otau).numpy(), r.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(oa.orgqr(otau).numpy(), r.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("left,transpose", [(True, False), (True, True), (False, False), (False, True)])
def test_ormqr_grad(left, transpose):
    rng = np.random.default_rng(5)
    a, t = rng.standard_normal((5, 3)), rng.standard_normal(3)
    c = rng.standard_normal((5, 2) if left else (2, 5))
    grads = []
    for L in (torch, ot):
        xs = [L.tensor(v, requires_grad=True) for v in (a, t, c)]
        r = L.ormqr(*xs, left=left, transpose=transpose)
        assert r.grad_fn.name() == "OrmqrBackward0"
        (r * r).sum().backward()
        grads.append([x.grad.numpy() for x in xs])
    for g_o, g_t in zip(grads[1], grads[0]):
        np.testing.assert_allclose(g_o, g_t, rtol=1e-10, atol=1e-10)
    xs = [ot.tensor(v, requires_grad=True) for v in (a, t, c)]
    assert ot.autograd.gradcheck(lambda A, T, C: ot.ormqr(A, T, C, left=left, transpose=transpose), xs)
