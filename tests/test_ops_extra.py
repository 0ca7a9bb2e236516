"""Special functions and distance ops (xlogy, xlog1py, lgamma, digamma, polygamma, sinc,
logaddexp, logaddexp2, erfcx, dist, cdist, renorm, trapezoid, cumulative_trapezoid) against real
PyTorch: forward values over float dtypes and edge values, gradients, node names, gradcheck and a
few second derivatives."""
import numpy as np
import pytest
import torch as real

import oxytorch as ot

LIBS = (ot, real)
RNG = np.random.default_rng(3)
X = RNG.standard_normal((3, 4))
POS = np.abs(X) + 0.2
EDGE = np.array([0.0, -0.0, 1.0, 2.0, -1.0, -2.5, 0.5, 1e-8, 30.0, -30.0, np.inf, -np.inf, np.nan, 1e5, -1e5 + 0.5])

TOL = {"float64": (1e-9, 1e-12), "float32": (2e-5, 1e-6), "float16": (2e-3, 1e-3), "bfloat16": (2e-2, 1e-2)}


def compare(o, r, dtype):
    rtol, atol = TOL[dtype]
    assert str(o.dtype) == str(r.dtype).replace("torch.", "oxytorch.") or str(o.dtype).split(".")[-1] == str(r.dtype).split(".")[-1]
    assert tuple(o.shape) == tuple(r.shape)
    np.testing.assert_allclose(o.detach().float().numpy() if dtype in ("float16", "bfloat16") else o.detach().numpy(),
                               r.detach().float().numpy() if dtype in ("float16", "bfloat16") else r.detach().numpy(),
                               rtol=rtol, atol=atol, equal_nan=True)


UNARY = [
    ("lgamma", lambda L, x: L.lgamma(x)),
    ("lgamma_m", lambda L, x: x.lgamma()),
    ("digamma", lambda L, x: L.digamma(x)),
    ("psi", lambda L, x: L.special.psi(x)),
    ("trigamma", lambda L, x: L.polygamma(1, x)),
    ("polygamma3", lambda L, x: x.polygamma(3)),
    ("sinc", lambda L, x: L.sinc(x)),
    ("erfcx", lambda L, x: L.special.erfcx(x)),
    ("gammaln", lambda L, x: L.special.gammaln(x)),
]


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
@pytest.mark.parametrize("case", UNARY, ids=[c[0] for c in UNARY])
def test_unary_forward(case, dtype):
    name, fn = case
    data = EDGE if dtype == "float64" else EDGE[:-2]
    if name in ("trigamma", "polygamma3"):
        # at negative integers (poles) torch's reflection gives huge finite values, ours inf
        data = data[np.isfinite(data) & (np.abs(data) < 100) & ~((data < 0) & (data == np.floor(data)))]
    if name == "erfcx" and dtype in ("float16", "bfloat16"):
        # torch has no half kernel for erfcx; ours computes in float and rounds (a documented extension)
        with pytest.raises(NotImplementedError):
            fn(real, real.tensor(data, dtype=getattr(real, dtype)))
        o = fn(ot, ot.tensor(data, dtype=getattr(ot, dtype)))
        r = fn(real, real.tensor(data, dtype=real.float64)).to(getattr(real, dtype))
        compare(o, r, dtype)
        return
    o = fn(ot, ot.tensor(data, dtype=getattr(ot, dtype)))
    r = fn(real, real.tensor(data, dtype=getattr(real, dtype)))
    compare(o, r, dtype)


def test_unary_int_promotes():
    for name, fn in UNARY:
        o = fn(ot, ot.tensor([1, 2, 5]))
        r = fn(real, real.tensor([1, 2, 5]))
        compare(o, r, "float32")


BINARY = [
    ("xlogy", lambda L, a, b: L.xlogy(a, b)),
    ("xlogy_m", lambda L, a, b: a.xlogy(b)),
    ("xlog1py", lambda L, a, b: L.special.xlog1py(a, b)),
    ("logaddexp", lambda L, a, b: L.logaddexp(a, b)),
    ("logaddexp2", lambda L, a, b: L.logaddexp2(a, b)),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", BINARY, ids=[c[0] for c in BINARY])
def test_binary_forward(case, dtype):
    _, fn = case
    a = np.repeat(EDGE[:, None], len(EDGE), 1)
    b = np.repeat(EDGE[None, :], len(EDGE), 0)
    o = fn(ot, ot.tensor(a, dtype=getattr(ot, dtype)), ot.tensor(b, dtype=getattr(ot, dtype)))
    r = fn(real, real.tensor(a, dtype=getattr(real, dtype)), real.tensor(b, dtype=getattr(real, dtype)))
    compare(o, r, dtype)


def test_xlogy_scalars_and_broadcast():
    for L in LIBS:
        pass
    o = [ot.xlogy(2.0, ot.tensor(POS)), ot.xlogy(ot.tensor(X), 3), ot.xlogy(ot.tensor(X[0]), ot.tensor(POS[:, :1]))]
    r = [real.xlogy(2.0, real.tensor(POS)), real.xlogy(real.tensor(X), 3), real.xlogy(real.tensor(X[0]), real.tensor(POS[:, :1]))]
    for a, b in zip(o, r):
        compare(a, b, "float64")


def grads(fn, datas, name=True, rtol=1e-9, atol=1e-11):
    res = {}
    for L in LIBS:
        ins = [L.tensor(d, dtype=L.float64, requires_grad=True) for d in datas]
        y = fn(L, *ins)
        w = np.random.default_rng(1).standard_normal(tuple(y.shape))
        (y * L.tensor(w, dtype=y.dtype)).sum().backward()
        res[L] = (y, [i.grad for i in ins])
    (oy, og), (ry, rg) = res[ot], res[real]
    np.testing.assert_allclose(oy.detach().numpy(), ry.detach().numpy(), rtol=rtol, atol=atol)
    if name:
        assert oy.grad_fn.name() == type(ry.grad_fn).__name__
    for a, b in zip(og, rg):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=rtol, atol=atol)


GRADS = [
    ("lgamma", lambda L, x: L.lgamma(x), [X * 3], True),
    ("digamma", lambda L, x: L.digamma(x), [POS], True),
    ("polygamma2", lambda L, x: L.polygamma(2, x), [POS], True),
    ("sinc", lambda L, x: L.sinc(x), [np.concatenate([X, [[0.0, 1.0, -2.0, 0.5]]])], True),
    ("erfcx", lambda L, x: L.special.erfcx(x), [X * 4], True),
    ("xlogy", lambda L, x, y: L.xlogy(x, y), [np.where(X > 0.5, 0.0, X), POS], True),
    ("xlogy_zero_neg", lambda L, x, y: L.xlogy(x, y), [np.array([0.0, 0.0, 1.0]), np.array([-1.0, 0.0, 2.0])], True),
    ("xlogy_scalar_self", lambda L, y: L.xlogy(2.5, y), [POS], True),
    ("xlogy_scalar_other", lambda L, x: L.xlogy(x, 3.0), [X], True),
    ("xlog1py", lambda L, x, y: L.special.xlog1py(x, y), [X, POS], True),
    ("logaddexp", lambda L, a, b: L.logaddexp(a, b), [X, X[::-1].copy() * 3], True),
    ("logaddexp_bcast", lambda L, a, b: L.logaddexp(a, b[0]), [X, X], True),
    ("logaddexp2", lambda L, a, b: L.logaddexp2(a, b), [X, X * 2], True),
    ("dist", lambda L, a, b: L.dist(a, b), [X, X[::-1].copy()], True),
    ("dist_p3", lambda L, a, b: L.dist(a, b, 3), [X, X[0:1]], True),
    ("dist_inf", lambda L, a, b: a.dist(b, float("inf")), [X, X * 0.5], True),
    ("dist_p1", lambda L, a, b: L.dist(a, b, p=1), [X, POS], True),
    ("cdist", lambda L, a, b: L.cdist(a, b), [X, RNG.standard_normal((5, 4))], True),
    ("cdist_p1", lambda L, a, b: L.cdist(a, b, p=1.0), [X, RNG.standard_normal((2, 4))], True),
    ("cdist_batch", lambda L, a, b: L.cdist(a, b, p=3.0), [RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 5, 4))], True),
    ("renorm", lambda L, x: L.renorm(x, 2, 0, 1.0), [X * 2], True),
    ("renorm_dim1_p1", lambda L, x: x.renorm(1, 1, 1.5), [X * 2], True),
    ("trapezoid", lambda L, y: L.trapezoid(y), [X], False),
    ("trapezoid_dx", lambda L, y: L.trapezoid(y, dx=0.5, dim=0), [X], False),
    ("trapezoid_x", lambda L, y, x: L.trapezoid(y, x), [X, np.cumsum(POS[0])], False),
    ("cumulative_trapezoid", lambda L, y: L.cumulative_trapezoid(y), [X], True),
    ("cumulative_trapezoid_x", lambda L, y, x: L.cumulative_trapezoid(y, x, dim=0), [X, np.cumsum(POS[:, 0])], False),
]


@pytest.mark.parametrize("case", GRADS, ids=[c[0] for c in GRADS])
def test_grads(case):
    _, fn, datas, name = case
    grads(fn, datas, name=name)


def test_renorm_forward_f32():
    o = ot.renorm(ot.tensor(X * 3, dtype=ot.float32), 2, 1, 2.0)
    r = real.renorm(real.tensor(X * 3, dtype=real.float32), 2, 1, 2.0)
    compare(o, r, "float32")


def test_inplace_forms():
    res = []
    for L in LIBS:
        x = L.tensor(POS, dtype=L.float64, requires_grad=True)
        a = x * 1
        a.lgamma_()
        a[0].digamma_()
        b = x * 2
        b.xlogy_(x)
        loss = (a * a).sum() + b.sum()
        loss.backward()
        res.append((a.grad_fn.name(), a.detach().numpy().copy(), x.grad.numpy().copy()))
    assert res[0][0] == res[1][0]
    np.testing.assert_allclose(res[0][1], res[1][1])
    np.testing.assert_allclose(res[0][2], res[1][2])


GC = [
    lambda x: ot.lgamma(x),
    lambda x: ot.digamma(x),
    lambda x: ot.polygamma(1, x),
    lambda x: ot.sinc(x),
    lambda x: ot.special.erfcx(x),
    lambda x: ot.xlogy(x, x),
    lambda x: ot.special.xlog1py(x, x),
    lambda x: ot.logaddexp(x, x.flip(0)),
    lambda x: ot.logaddexp2(x, x * 2),
    lambda x: ot.dist(x, x.flip(0), 2.5),
    lambda x: ot.cdist(x, x[:2] * 2),
    lambda x: ot.renorm(x, 2, 0, 1.5),
    lambda x: ot.cumulative_trapezoid(x),
]


@pytest.mark.parametrize("i", range(len(GC)))
def test_gradcheck(i):
    x = ot.tensor(POS + np.arange(12).reshape(3, 4) * 0.05, dtype=ot.float64, requires_grad=True)
    assert ot.autograd.gradcheck(GC[i], (x,))


SECOND = [
    ("lgamma", lambda L, x: L.lgamma(x)),
    ("digamma", lambda L, x: L.digamma(x)),
    ("sinc", lambda L, x: L.sinc(x)),
    ("erfcx", lambda L, x: L.special.erfcx(x)),
    ("xlogy", lambda L, x: L.xlogy(x, x + 1)),
    ("logaddexp", lambda L, x: L.logaddexp(x, x * x)),
    ("dist", lambda L, x: L.dist(x, x * x)),
]


@pytest.mark.parametrize("case", SECOND, ids=[c[0] for c in SECOND])
def test_double_backward(case):
    _, fn = case
    res = []
    for L in LIBS:
        x = L.tensor(POS, dtype=L.float64, requires_grad=True)
        y = fn(L, x)
        (g,) = L.autograd.grad((y * y).sum(), x, create_graph=True)
        (h,) = L.autograd.grad((g * g).sum(), x)
        res.append((g.detach().numpy(), h.numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-9)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-8)


def test_errors():
    for fn in [lambda L: L.cdist(L.zeros(3, 4), L.zeros(2, 5)), lambda L: L.renorm(L.zeros(3, 4), 0, 0, 1.0),
               lambda L: L.renorm(L.zeros(3), 2, 0, 1.0)]:
        msgs = []
        for L in LIBS:
            with pytest.raises(RuntimeError) as e:
                fn(L)
            msgs.append(str(e.value))
        assert msgs[0] == msgs[1]
