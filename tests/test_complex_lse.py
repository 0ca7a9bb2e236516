"""Complex logsumexp, logcumsumexp and cumsum against real torch: values, special values, gradients."""
import math

import numpy as np
import pytest
import torch

import oxytorch as ot
from parity import assert_raises_same, assert_same

RNG = np.random.default_rng(3)


def cpair(shape, dt="complex128", scale=2.0):
    a = (RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)) * scale
    a = np.asarray(a).astype(dt)
    return ot.from_numpy(a.copy()), torch.from_numpy(a.copy())


SPECIALS = [
    [complex(-math.inf, 0), complex(-math.inf, 0)],
    [complex(-math.inf, 0), 1 + 1j, complex(math.inf, 2)],
    [complex(math.inf, 1), complex(math.inf, -1)],
    [1 + 1j, complex(math.nan, 0), 2 - 1j],
    [1 + 1j, complex(0, math.nan), 2 - 1j],
    [complex(-math.inf, 3), 0.5 - 0.25j],
    [1e3 + 1j, 1e3 - 2j, -1e3 + 0.5j],
    [],
]


@pytest.mark.parametrize("dt", ["complex64", "complex128"])
@pytest.mark.parametrize("shape,dims", [((5,), 0), ((4, 7), 1), ((4, 7), 0), ((3, 4, 5), (0, 2)), ((3, 0), 1), ((), 0)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_logsumexp_complex(dt, shape, dims, keepdim):
    o, t = cpair(shape, dt)
    assert_same(ot.logsumexp(o, dims, keepdim=keepdim), torch.logsumexp(t, dims, keepdim=keepdim),
                rtol=1e-5 if dt == "complex64" else 1e-12, atol=1e-5 if dt == "complex64" else 1e-12)
    assert_same(o.t().logsumexp(0) if o.ndim == 2 else o.logsumexp(0), t.t().logsumexp(0) if t.ndim == 2 else t.logsumexp(0),
                rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dt", ["complex64", "complex128"])
@pytest.mark.parametrize("shape,dim", [((6,), 0), ((4, 7), 1), ((4, 7), 0), ((3, 4, 5), -1), ((3, 0), 1), ((0, 3), 0), ((), 0)])
def test_logcumsumexp_complex(dt, shape, dim):
    o, t = cpair(shape, dt)
    tol = 1e-5 if dt == "complex64" else 1e-12
    assert_same(ot.logcumsumexp(o, dim), torch.logcumsumexp(t, dim), rtol=tol, atol=tol)
    assert_same(o.cumsum(dim), t.cumsum(dim), rtol=tol, atol=tol)


@pytest.mark.parametrize("vals", SPECIALS, ids=range(len(SPECIALS)))
def test_special_values(vals):
    o = ot.tensor(vals, dtype=ot.complex128)
    t = torch.tensor(vals, dtype=torch.complex128)
    assert_same(ot.logsumexp(o, 0), torch.logsumexp(t, 0))
    assert_same(ot.logcumsumexp(o, 0), torch.logcumsumexp(t, 0))


def test_complexhalf_refused():
    o, t = ot.ones(3, dtype=ot.complex32), torch.ones(3, dtype=torch.complex32)
    assert_raises_same(lambda: ot.logsumexp(o, 0), lambda: torch.logsumexp(t, 0), check_message=True)
    assert_raises_same(lambda: ot.logcumsumexp(o, 0), lambda: torch.logcumsumexp(t, 0), check_message=True)


@pytest.mark.parametrize("fn", ["logsumexp", "logcumsumexp", "cumsum"])
@pytest.mark.parametrize("shape,dim", [((5,), 0), ((3, 4), 1), ((3, 4), 0), ((), 0)])
def test_complex_gradients_match_torch(fn, shape, dim):
    o, t = cpair(shape, "complex128", scale=0.7)
    o.requires_grad_(True)
    t.requires_grad_(True)
    ro, rt = getattr(ot, fn)(o, dim), getattr(torch, fn)(t, dim)
    assert ro.grad_fn.name() == rt.grad_fn.name()
    go, gt = cpair(ro.shape, "complex128")
    ro.backward(go)
    rt.backward(gt)
    assert_same(o.grad, t.grad.resolve_conj(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("fn", ["logsumexp", "logcumsumexp", "cumsum"])
def test_complex_gradcheck(fn):
    o, _ = cpair((3, 4), "complex128", scale=0.5)
    o.requires_grad_(True)
    assert ot.autograd.gradcheck(lambda x: getattr(ot, fn)(x, 1), (o,))


class WrongConj:
    """y = c * x with a backward that forgets the conjugate: gradcheck must catch it."""

    @staticmethod
    def make(mod):
        class F(mod.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * (2 + 1j)

            @staticmethod
            def backward(ctx, g):
                return g * (2 + 1j)
        return F


def test_gradcheck_catches_a_missing_conjugate():
    o, t = cpair((3,), "complex128")
    o.requires_grad_(True)
    t.requires_grad_(True)
    fo, ft = WrongConj.make(ot), WrongConj.make(torch)
    assert not torch.autograd.gradcheck(ft.apply, (t,), raise_exception=False)
    assert not ot.autograd.gradcheck(fo.apply, (o,), raise_exception=False)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        ot.autograd.gradcheck(fo.apply, (o,))


def test_gradcheck_real_input_complex_output():
    r = ot.randn(4, dtype=ot.float64, requires_grad=True)
    assert ot.autograd.gradcheck(lambda x: (x * (1 + 2j)).exp(), (r,))
