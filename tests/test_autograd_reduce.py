"""Autograd of reductions, scans, value-selecting ops and the ternary/index-writing ops, against
real PyTorch: values, input gradients (with ties, zeros, keepdim, negative dims, non-contiguous
inputs) and torch's grad_fn names; gradcheck in float64 and a few second derivatives."""
import math

import numpy as np
import pytest
import torch as real

import oxytorch as ot

LIBS = (ot, real)


def first(y):
    return y[0] if isinstance(y, tuple) or type(y).__name__.startswith("torch.return_types") or hasattr(y, "indices") else y


def run(fn, data, dtype="float64", layout="contig", name=True, rtol=1e-10, atol=1e-12, seed=0, extra=()):
    """Applies fn(L, x, *extra) in both libraries, backpropagates a random weighting of every
    differentiable output and compares values, gradients (of x and the extras) and names."""
    res = {}
    for L in LIBS:
        x = L.tensor(np.asarray(data), dtype=getattr(L, dtype), requires_grad=True)
        ex = [L.tensor(np.asarray(e), dtype=getattr(L, dtype), requires_grad=True) for e in extra]
        src = x
        if layout == "transposed":
            src = x.t()
        y = fn(L, src, *ex)
        outs = list(y) if isinstance(y, (tuple, list)) else [y]
        outs = [o for o in outs if o.dtype.is_floating_point]
        loss = 0
        for i, o in enumerate(outs):
            w = np.random.default_rng(seed + 1 + i).standard_normal(tuple(o.shape))
            loss = loss + (o * L.tensor(w, dtype=o.dtype)).sum()
        loss.backward()
        res[L] = (outs, x.grad, [e.grad for e in ex])
    (oo, og, oe), (ro, rg, re_) = res[ot], res[real]
    assert len(oo) == len(ro)
    for o, r in zip(oo, ro):
        assert tuple(o.shape) == tuple(r.shape)
        np.testing.assert_allclose(o.detach().numpy(), r.detach().numpy(), rtol=rtol, atol=atol)
        if name:
            assert o.grad_fn.name() == type(r.grad_fn).__name__
    np.testing.assert_allclose(og.numpy(), rg.numpy(), rtol=rtol, atol=atol)
    for a, b in zip(oe, re_):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=rtol, atol=atol)


RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 5))
TIES = np.array([[1.0, 3.0, 3.0, -2.0, 0.5], [2.0, 2.0, 2.0, 2.0, 2.0], [-1.0, 0.0, 5.0, 5.0, -7.0], [4.0, -4.0, 4.0, 0.0, 1.0]])
ZEROS = np.array([[1.5, 0.0, 2.0, -1.0, 3.0], [0.0, 0.0, 2.0, 1.0, 0.5], [1.0, 2.0, -3.0, 0.5, 2.0], [0.0, 1.0, 1.0, 1.0, 1.0]])
POS = np.abs(X) + 0.5

CASES = [
    ("max_all", lambda L, x: x.max(), TIES),
    ("min_all", lambda L, x: x.min(), TIES),
    ("max_dim", lambda L, x: x.max(1), TIES),
    ("min_dim_keep", lambda L, x: L.min(x, -1, keepdim=True), TIES),
    ("max_dim0", lambda L, x: x.max(dim=0), X),
    ("amax", lambda L, x: x.amax(1), TIES),
    ("amax_all", lambda L, x: x.amax(), TIES),
    ("amin_keep", lambda L, x: L.amin(x, (0, 1), keepdim=True), TIES),
    ("amin_neg", lambda L, x: x.amin(-2), TIES),
    ("aminmax", lambda L, x: L.aminmax(x, dim=1), TIES),
    ("aminmax_all", lambda L, x: L.aminmax(x), TIES),
    ("var", lambda L, x: x.var(), X),
    ("var_dim", lambda L, x: x.var(1, keepdim=True), X),
    ("var_corr0", lambda L, x: L.var(x, 0, correction=0), X),
    ("var_corr2", lambda L, x: L.var(x, dim=(0, 1), correction=2), X),
    ("std", lambda L, x: x.std(), X),
    ("std_dim", lambda L, x: x.std(-1), X),
    ("std_const_row", lambda L, x: x.std(1), TIES),
    ("var_mean", lambda L, x: L.var_mean(x, 1), X),
    ("std_mean", lambda L, x: L.std_mean(x, 0, keepdim=True), X),
    ("std_mean_all", lambda L, x: L.std_mean(x), X),
    ("prod", lambda L, x: x.prod(), X),
    ("prod_dim", lambda L, x: x.prod(1), ZEROS),
    ("prod_dim_keep", lambda L, x: x.prod(0, keepdim=True), ZEROS),
    ("prod_one_zero", lambda L, x: x[2:3].prod() + x[0].prod(), ZEROS),
    ("prod_two_zeros", lambda L, x: x[1].prod(), ZEROS),
    ("logsumexp", lambda L, x: L.logsumexp(x, 1), X),
    ("logsumexp_keep", lambda L, x: x.logsumexp((0, 1), keepdim=True), X),
    ("cumsum", lambda L, x: x.cumsum(1), X),
    ("cumsum0", lambda L, x: L.cumsum(x, -2), X),
    ("cumprod", lambda L, x: x.cumprod(1), X),
    ("cumprod_zeros", lambda L, x: x.cumprod(1), ZEROS),
    ("cumprod_zeros0", lambda L, x: x.cumprod(0), ZEROS),
    ("logcumsumexp", lambda L, x: x.logcumsumexp(1), X),
    ("logcumsumexp0", lambda L, x: L.logcumsumexp(x, 0), X * 30),
    ("cummax", lambda L, x: x.cummax(1), TIES),
    ("cummin", lambda L, x: L.cummin(x, 0), TIES),
    ("norm", lambda L, x: x.norm(), X),
    ("norm_dim", lambda L, x: x.norm(dim=1), X),
    ("norm1", lambda L, x: x.norm(1), X),
    ("norm_inf", lambda L, x: x.norm(float("inf"), dim=1), TIES),
    ("norm_ninf", lambda L, x: x.norm(-float("inf")), TIES),
    ("norm3_keep", lambda L, x: L.norm(x, p=3, dim=0, keepdim=True), X),
    ("norm_1_5", lambda L, x: x.norm(1.5, dim=1), ZEROS),
    ("norm_0_5", lambda L, x: x.norm(0.5), POS),
    ("norm_zero_row", lambda L, x: (x * L.tensor([[1.0], [0.0], [1.0], [0.0]], dtype=x.dtype)).norm(dim=1), X),
    ("norm_fro", lambda L, x: x.norm("fro"), X),
    ("sort", lambda L, x: x.sort(1), X),
    ("sort_desc0", lambda L, x: L.sort(x, 0, descending=True), X),
    ("msort", lambda L, x: L.msort(x), X),
    ("topk", lambda L, x: x.topk(2), X),
    ("topk_small", lambda L, x: L.topk(x, 3, dim=0, largest=False), X),
    ("kthvalue", lambda L, x: x.kthvalue(2, 1), X),
    ("kthvalue_keep", lambda L, x: x.kthvalue(3, 0, keepdim=True), X),
    ("median_all", lambda L, x: x.median(), TIES),
    ("median_dim", lambda L, x: x.median(1), X),
    ("nanmedian_all", lambda L, x: x.nanmedian(), X),
    ("nanmedian_dim", lambda L, x: L.nanmedian(x, 0, keepdim=True), X),
    ("mode", lambda L, x: x.mode(1), TIES),
    ("trace", lambda L, x: x.trace(), X),
    ("diff", lambda L, x: L.diff(x), X),
    ("diff2", lambda L, x: L.diff(x, n=2, dim=0), X),
    ("lerp_scalar", lambda L, x: L.lerp(x, x * x, 0.3), X),
    ("float_power", lambda L, x: L.float_power(x, 2), X),
    ("float_power_t", lambda L, x: x.float_power(x * 0 + 3), X),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_grads(case):
    _, fn, data = case
    run(fn, data)


@pytest.mark.parametrize("case", [c for c in CASES if c[0] in ("amax", "var_dim", "prod_dim", "cumsum", "cumprod_zeros", "sort", "norm_dim", "logsumexp", "max_dim", "median_all")],
                         ids=lambda c: c[0])
def test_transposed(case):
    _, fn, data = case
    run(fn, data, layout="transposed")


@pytest.mark.parametrize("case", [c for c in CASES if c[0] in ("amax", "var", "prod_dim", "cumsum", "logcumsumexp", "norm", "max_all", "std_dim")],
                         ids=lambda c: c[0])
def test_float32(case):
    _, fn, data = case
    run(fn, data, dtype="float32", rtol=2e-5, atol=1e-5)


def test_nan_max_all():
    d = X.copy()
    d[1, 2] = np.nan
    d[3, 0] = np.nan
    run(lambda L, x: x.max(), d, atol=0)


def test_nan_amax():
    d = X.copy()
    d[1, 2] = np.nan
    res = []
    for L in LIBS:
        x = L.tensor(d, requires_grad=True, dtype=L.float64)
        x.amax(1).sum().backward()
        res.append(x.grad.numpy())
    np.testing.assert_array_equal(np.isnan(res[0]), np.isnan(res[1]))
    np.testing.assert_allclose(np.nan_to_num(res[0]), np.nan_to_num(res[1]))


TERN = [
    ("lerp_tensor", lambda L, x, e, w: L.lerp(x, e, w), [X, X[::-1].copy(), POS / 3]),
    ("lerp_bcast", lambda L, x, e, w: L.lerp(x, e[0], w[:, :1]), [X, X, POS]),
    ("addcmul", lambda L, x, a, b: L.addcmul(x, a, b, value=0.5), [X, X * 2, POS]),
    ("addcmul_bcast", lambda L, x, a, b: L.addcmul(x[0], a, b[:, :1]), [X, X * 2, POS]),
    ("addcdiv", lambda L, x, a, b: L.addcdiv(x, a, b, value=-2), [X, X * 2, POS]),
    ("index_add", lambda L, x, s: x.index_add(1, L.tensor([0, 2, 0]), s, alpha=2.0), [X, RNG.standard_normal((4, 3))]),
    ("index_copy", lambda L, x, s: x.index_copy(0, L.tensor([3, 1]), s), [X, RNG.standard_normal((2, 5))]),
    ("index_fill", lambda L, x: x.index_fill(1, L.tensor([0, 3]), -1.5), [X]),
    ("index_fill_t", lambda L, x, v: x.index_fill(1, L.tensor([0, 3]), v), [X, np.array(2.5)]),
    ("masked_scatter", lambda L, x, s: x.masked_scatter(L.tensor(X > 0), s), [X, RNG.standard_normal((4, 6))]),
    ("scatter_sum", lambda L, x, s: x.scatter_reduce(1, L.tensor([[0, 1, 0], [2, 2, 2], [4, 3, 0], [1, 1, 1]]), s, "sum"), [X, RNG.standard_normal((4, 3))]),
    ("scatter_mean", lambda L, x, s: x.scatter_reduce(1, L.tensor([[0, 1, 0], [2, 2, 2], [4, 3, 0], [1, 1, 1]]), s, "mean"), [X, RNG.standard_normal((4, 3))]),
    ("scatter_mean_noself", lambda L, x, s: x.scatter_reduce(1, L.tensor([[0, 1, 0], [2, 2, 2], [4, 3, 0], [1, 1, 1]]), s, "mean", include_self=False), [X, RNG.standard_normal((4, 3))]),
    ("scatter_amax", lambda L, x, s: x.scatter_reduce(1, L.tensor([[0, 1, 0], [2, 2, 2], [4, 3, 0], [1, 1, 1]]), s, "amax"), [TIES, np.array([[1.0, 3.0, 1.0], [2.0, 2.0, 1.0], [-1.0, 9.0, 0.0], [0.0, 0.0, 5.0]])]),
    ("scatter_prod", lambda L, x, s: x.scatter_reduce(1, L.tensor([[0, 1, 0], [2, 2, 2], [4, 3, 0], [1, 1, 1]]), s, "prod"), [POS, POS[:, :3] + 1]),
]


@pytest.mark.parametrize("case", TERN, ids=[c[0] for c in TERN])
def test_ternary_and_index(case):
    _, fn, datas = case
    run(fn, datas[0], extra=datas[1:])


def test_inplace_index_ops():
    def f(L, x, s):
        a = x * 1
        a.index_add_(0, L.tensor([1, 1]), s)
        a[2].index_fill_(0, L.tensor([0, 4]), 7.0)
        a.addcmul_(x, x, value=0.25)
        a.lerp_(s[:1].expand(4, 5), 0.5)
        return a

    run(f, X, extra=[RNG.standard_normal((2, 5))])


def test_names_values_indices():
    for L in LIBS:
        x = L.tensor(X, requires_grad=True)
        v, i = x.max(1)
        assert i.grad_fn is None and not i.requires_grad
        assert (v.grad_fn.name() if L is ot else type(v.grad_fn).__name__) == "MaxBackward0"


GC = [
    lambda x: x.amax(1),
    lambda x: x.var(1),
    lambda x: x.std(0, keepdim=True),
    lambda x: ot.var_mean(x, 1)[0] + ot.var_mean(x, 1)[1],
    lambda x: x.prod(1),
    lambda x: x.logsumexp(1),
    lambda x: x.cumsum(0),
    lambda x: x.cumprod(1),
    lambda x: x.logcumsumexp(1),
    lambda x: x.norm(dim=1),
    lambda x: x.norm(3),
    lambda x: x.sort(1)[0],
    lambda x: x.median(0)[0],
    lambda x: ot.diff(x, dim=0),
    lambda x: x.trace(),
]


@pytest.mark.parametrize("i", range(len(GC)))
def test_gradcheck(i):
    x = ot.tensor(X + np.arange(20).reshape(4, 5) * 0.01, dtype=ot.float64, requires_grad=True)
    assert ot.autograd.gradcheck(GC[i], (x,))


SECOND = [
    ("amax", lambda L, x: x.amax(1)),
    ("var", lambda L, x: x.var(1)),
    ("std", lambda L, x: x.std()),
    ("logsumexp", lambda L, x: x.logsumexp(1)),
    ("cumsum", lambda L, x: x.cumsum(1)),
    ("norm", lambda L, x: x.norm(dim=1)),
    ("norm3", lambda L, x: x.norm(3)),
    ("lerp", lambda L, x: L.lerp(x, x * x, x.sigmoid())),
    ("addcdiv", lambda L, x: L.addcdiv(x, x, x * x + 1)),
]


@pytest.mark.parametrize("case", SECOND, ids=[c[0] for c in SECOND])
def test_double_backward(case):
    _, fn = case
    res = []
    for L in LIBS:
        x = L.tensor(X, dtype=L.float64, requires_grad=True)
        y = fn(L, x)
        (g,) = L.autograd.grad((y * y).sum(), x, create_graph=True)
        (h,) = L.autograd.grad((g * g).sum(), x)
        res.append((g.detach().numpy(), h.numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-9, atol=1e-11)
