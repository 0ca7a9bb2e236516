"""Autograd gaps of issue #8 against real PyTorch: quantile/nanquantile gradients, scatter_reduce
(amax/amin/prod/mean with include_self=False), in-place ops on views (CopySlices for views of
tensors that do not require grad, multi-view outputs, setitem node names) and double backward
through prod/cumprod/cumsum and the selection ops (values, grad_fn names, errors, gradcheck and
gradgradcheck in float64)."""
import itertools
import math

import numpy as np
import pytest
import torch as real

import oxytorch as ot

LIBS = (ot, real)
NAN = float("nan")


def fname(f):
    n = type(f).__name__
    return n if n != "Node" else f.name().replace("torch::autograd::", "")


def gname(t):
    return None if t.grad_fn is None else fname(t.grad_fn)


def npy(t):
    return None if t is None else t.detach().numpy().copy()


def same(o, r, rtol=1e-6, atol=1e-9):
    if r is None:
        assert o is None or not np.any(npy(o)), o
        return
    assert o is not None
    assert tuple(o.shape) == tuple(r.shape), (o.shape, r.shape)
    assert str(o.dtype).split(".")[-1] == str(r.dtype).split(".")[-1]
    np.testing.assert_allclose(npy(o), npy(r), rtol=rtol, atol=atol, equal_nan=True)


def both(fn, datas, dtype="float64", upstream_seed=3, rtol=1e-6, atol=1e-9, grad_mask=None):
    """fn(L, *inputs) -> output; compares output values, grad_fn names and input gradients. Where
    inputs tie, the gradient goes to the element torch's selection steps pick, so it is compared
    exactly too."""
    res = {}
    for L in LIBS:
        ins = [L.tensor(d, dtype=getattr(L, dtype), requires_grad=(grad_mask is None or grad_mask[i])) for i, d in enumerate(datas)]
        out = fn(L, *ins)
        w = np.random.default_rng(upstream_seed).standard_normal(tuple(out.shape))
        want = [i for i in ins if i.requires_grad]
        gs = L.autograd.grad((out * L.tensor(w, dtype=out.dtype)).sum(), want, allow_unused=True)
        res[L] = (out, gname(out), gs)
    (o, on, og), (r, rn, rg) = res[ot], res[real]
    same(o, r, rtol, atol)
    assert on == rn, (on, rn)
    for a, b in zip(og, rg):
        same(a, b, rtol, atol)


def second(fn, data, dtype="float64", seed=5, rtol=1e-6, atol=1e-9):
    """Second derivatives: d/dx <grad_x <f(x), w>, v> against torch."""
    res = {}
    for L in LIBS:
        x = L.tensor(data, dtype=getattr(L, dtype), requires_grad=True)
        out = fn(L, x)
        rng = np.random.default_rng(seed)
        w = L.tensor(rng.standard_normal(tuple(out.shape)), dtype=out.dtype)
        (g,) = L.autograd.grad((out * w).sum(), x, create_graph=True)
        v = L.tensor(rng.standard_normal(tuple(x.shape)), dtype=x.dtype)
        (gg,) = L.autograd.grad((g * v).sum(), x, allow_unused=True)
        res[L] = (g, gg)
    same(res[ot][0], res[real][0], rtol, atol)
    same(res[ot][1], res[real][1], rtol, atol)


def checks(fn, data, seed=0):
    x = ot.tensor(data, dtype=ot.float64, requires_grad=True)
    assert ot.autograd.gradcheck(fn, (x,))
    assert ot.autograd.gradgradcheck(fn, (x,))


# ----- 1. quantile / nanquantile -----

# Distinct values (and at most one NaN a row), so every picked element is determined.
QX = [[1.0, 5.0, 3.5, 3.0, 0.0], [2.5, 2.25, 2.0, 1.25, 1.5], [7.0, 1.1, 4.0, NAN, 0.1], [0.5, -1.0, 6.0, -2.0, 8.0]]
# Ties and several NaNs: the gradient goes to the tied element torch's selection picks.
QT = [[1.0, 5.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 1.0, 1.0], [NAN, 1.0, 4.0, NAN, 0.0], [NAN, NAN, NAN, NAN, NAN]]
QS = [0.3, "t0", "vec"]
INTERP = ["linear", "lower", "higher", "midpoint", "nearest"]


def qarg(L, q, dt):
    if q == "t0":
        return L.tensor(0.4, dtype=dt)
    if q == "vec":
        return L.tensor([0.0, 0.25, 0.5, 0.625, 1.0], dtype=dt)
    return q


@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
@pytest.mark.parametrize("interp", INTERP)
@pytest.mark.parametrize("dim,keepdim", [(None, False), (None, True), (1, False), (1, True), (0, False), (-1, True)])
@pytest.mark.parametrize("q", QS)
def test_quantile_grad(name, interp, dim, keepdim, q):
    def f(L, x):
        return getattr(L, name)(x, qarg(L, q, x.dtype), dim=dim, keepdim=keepdim, interpolation=interp)

    both(f, [QX])
    both(f, [QT])


@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
@pytest.mark.parametrize("interp", INTERP)
def test_quantile_grad_float32_and_method(name, interp):
    data = np.random.default_rng(1).permutation(21).reshape(3, 7).astype(np.float64) / 3
    both(lambda L, x: getattr(x, name)(L.tensor([0.1, 0.35, 0.9], dtype=x.dtype), 1, interpolation=interp), [data], dtype="float32", rtol=1e-5, atol=1e-6)
    both(lambda L, x: getattr(L, name)(x.t(), 0.7, dim=0, interpolation=interp), [data])
    tied = np.random.default_rng(1).integers(0, 4, size=(3, 7)).astype(np.float64) / 3
    both(lambda L, x: getattr(x, name)(L.tensor([0.1, 0.35, 0.9], dtype=x.dtype), 1, interpolation=interp), [tied], dtype="float32", rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("interp", INTERP)
@pytest.mark.parametrize("dim", [None, 0, 1])
def test_quantile_gradcheck(interp, dim):
    data = np.random.default_rng(2).standard_normal((3, 4))
    checks(lambda x: ot.quantile(x, ot.tensor([0.2, 0.5, 0.8], dtype=x.dtype), dim=dim, interpolation=interp), data)
    checks(lambda x: ot.nanquantile(x, 0.3, dim=dim, keepdim=True, interpolation=interp), data)


@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
def test_quantile_q_grad(name):
    # A q that requires grad gets torch's lerp-weight gradient in linear mode.
    both(lambda L, x, q: getattr(L, name)(x, q, dim=1), [QX, [0.3, 0.5, 0.9]])
    both(lambda L, x, q: getattr(L, name)(x, q, dim=1), [QT, [0.3, 0.5, 0.9]])
    both(lambda L, x, q: getattr(L, name)(x, q), [QX[:2], 0.45])
    both(lambda L, x, q: getattr(L, name)(x, q, dim=1), [QX[:3], [0.3, 0.8]], grad_mask=[False, True])


def test_quantile_double_backward():
    data = np.random.default_rng(4).standard_normal((3, 5))
    second(lambda L, x: L.quantile(x * x, L.tensor([0.3, 0.6], dtype=x.dtype), dim=1), data)
    second(lambda L, x: L.nanquantile(x.exp(), 0.5, interpolation="midpoint"), data)


@pytest.mark.parametrize("shape,q,dim", [((3, 0), 0.5, 1), ((0, 2), 0.5, 1), ((0,), 0.5, None), ((3, 2), [], 1), ((), 0.5, 0), ((3, 2), 1.5, 1)])
@pytest.mark.parametrize("requires_grad", [False, True])
def test_quantile_edge_cases(shape, q, dim, requires_grad):
    res = []
    for L in LIBS:
        x = L.zeros(shape, dtype=L.float64, requires_grad=requires_grad)
        qq = L.tensor(q, dtype=L.float64) if isinstance(q, list) else q
        try:
            y = L.quantile(x, qq, dim=dim)
            g = L.autograd.grad(y.sum(), x)[0].tolist() if requires_grad else None
            res.append((tuple(y.shape), y.tolist(), g))
        except RuntimeError as e:
            res.append(str(e))
    assert res[0] == res[1]


def test_quantile_no_grad_paths():
    x = ot.tensor(QX[:2], requires_grad=True)
    with ot.no_grad():
        assert ot.quantile(x, 0.5).grad_fn is None
    assert ot.quantile(x.detach(), 0.5).grad_fn is None
    assert ot.quantile(ot.tensor(QX[:2]), ot.tensor(0.5, requires_grad=True), interpolation="lower").grad_fn is None
    assert real.quantile(real.tensor(QX[:2]), real.tensor(0.5, requires_grad=True), interpolation="lower").grad_fn is None


# ----- 2. scatter_reduce -----

SR_X = [[1.0, 5.0, 3.0, 0.0], [2.0, -1.0, 0.0, 4.0]]
SR_S = [[5.0, 2.0, 5.0, 1.0, 3.0], [0.0, 4.0, 0.0, -1.0, 4.0]]
SR_I = [[1, 0, 1, 3, 2], [2, 3, 2, 1, 1]]


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("case", [0, 2, 3])
def test_scatter_reduce_grad(reduce, include_self, case):
    x, s, i, dim = SR_X, SR_S, SR_I, 1
    if case == 2:
        x = np.array(SR_X).T.tolist()
        s = np.array(SR_S).T.tolist()
        i = [[0, 1], [1, 1], [3, 2], [3, 3], [2, 0]]
        dim = 0
    elif case == 3:
        x = [[3.0, 3.0, 1.0, 2.0], [0.0, 0.0, 2.0, 2.0]]
        s = [[3.0, 3.0, 1.0, 2.0, 2.0], [0.0, 2.0, 0.0, 2.0, 0.0]]

    def f(L, xx, ss):
        return xx.scatter_reduce(dim, L.tensor(i), ss, reduce, include_self=include_self)

    both(f, [x, s])


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_gradcheck(reduce, include_self):
    rng = np.random.default_rng(6)
    x = ot.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    s = ot.tensor(rng.standard_normal((3, 5)), requires_grad=True)
    i = ot.tensor(rng.integers(0, 4, size=(3, 5)))
    assert ot.autograd.gradcheck(lambda a, b: ot.scatter_reduce(a, 1, i, b, reduce, include_self=include_self), (x, s))


# ----- 3. in-place ops on views -----

def test_view_of_plain_tensor_mul_():
    res = {}
    for L in LIBS:
        w = L.tensor([2.0, 3.0], requires_grad=True)
        x = L.ones(4)
        v = x[:2]
        v.mul_(w)
        names = (gname(x), gname(v), x.requires_grad, v.requires_grad, x.is_leaf)
        (x * L.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
        res[L] = (names, x.detach().numpy().copy(), w.grad.numpy().copy())
    assert res[ot][0] == res[real][0]
    np.testing.assert_array_equal(res[ot][1], res[real][1])
    np.testing.assert_array_equal(res[ot][2], res[real][2])


@pytest.mark.parametrize("how", ["copy_", "add_", "setitem", "int", "fill_t", "nested"])
def test_view_of_plain_tensor_writes(how):
    res = {}
    for L in LIBS:
        w = L.tensor([2.0, 3.0], requires_grad=True)
        x = L.zeros(3, 4, dtype=L.float64)
        if how == "copy_":
            v = x[1, 1:3]
            v.copy_(w)
        elif how == "add_":
            v = x[:, 2][:2]
            v.add_(w * 2)
        elif how == "setitem":
            x[2, :2] = w
            v = x
        elif how == "int":
            v = x[0]
            v[1:3] = w.exp()
        elif how == "fill_t":
            v = x[1:2, ::2]
            v.fill_((w * w).sum())
        else:
            v = x[1:]
            v[0, 1:3].copy_(w)
        names = (gname(x), gname(v), x.requires_grad)
        (x * L.arange(12.0, dtype=L.float64).reshape(3, 4)).sum().backward()
        res[L] = (names, x.detach().numpy().copy(), w.grad.numpy().copy())
    assert res[ot][0] == res[real][0]
    np.testing.assert_allclose(res[ot][1], res[real][1])
    np.testing.assert_allclose(res[ot][2], res[real][2])


def test_view_of_plain_tensor_without_grad_stays_plain():
    for L in LIBS:
        x = L.zeros(4)
        v = x[:2]
        v.mul_(2)
        v.add_(L.ones(2))
        assert x.grad_fn is None and v.grad_fn is None and not x.requires_grad
        with L.no_grad():
            u = x[1:]
        u.mul_(3)
        assert x.grad_fn is None
        assert x.tolist() == [1.0, 3.0, 0.0, 0.0]


MSG_TAIL = ("This view is the output of a function that returns multiple views. Such functions do not "
            "allow the output views to be modified inplace. You should replace the inplace operation by an out-of-place one.")

MULTI = {
    "unbind0": lambda L, a, w: a.unbind(0)[0].mul_(2),
    "split": lambda L, a, w: a.split(2)[1].add_(1),
    "chunk": lambda L, a, w: a.chunk(2)[0].zero_(),
    "swsizes": lambda L, a, w: a.split_with_sizes([1, 3])[0].copy_(w),
    "unbind1": lambda L, a, w: a.unbind(1)[2].mul_(2),
    "torch_unbind_slice": lambda L, a, w: L.unbind(a)[0][1:].mul_(2),
    "split_dim1": lambda L, a, w: a.split(2, dim=1)[0].add_(1),
    "split_list": lambda L, a, w: a.split([1, 3])[0].add_(1),
    "torch_split": lambda L, a, w: L.split(a, [2, 2])[1].sub_(w),
    "chunk1": lambda L, a, w: a.chunk(1)[0].add_(1),
    "split4": lambda L, a, w: a.split(4)[0].add_(1),
    "tensor_split": lambda L, a, w: a.tensor_split(2)[0].add_(1),
    "hsplit": lambda L, a, w: a.hsplit(3)[0].add_(1),
}


def outcome(f):
    try:
        f()
        return "ok"
    except Exception as e:  # noqa: BLE001 - comparing the exception itself
        return (type(e).__name__, str(e))


@pytest.mark.parametrize("case", sorted(MULTI))
@pytest.mark.parametrize("base", ["grad", "plain", "plain_w", "no_grad"])
def test_multi_view_inplace(case, base):
    res = {}
    for L in LIBS:
        b = L.ones(4, 3, requires_grad=True)
        w = L.ones(3, requires_grad=base != "plain")
        if base == "grad":
            a = b.clone()
        elif base == "no_grad":
            with L.no_grad():
                a = b.clone()
        else:
            a = L.ones(4, 3)

        def go():
            MULTI[case](L, a, w)
        if base == "plain" and case in ("swsizes", "torch_split"):
            def go():  # noqa: F811 - the write without a value that requires grad
                MULTI[case](L, a, w.detach())
        res[L] = (outcome(go), a.detach().numpy().copy())
    assert res[ot][0] == res[real][0]
    np.testing.assert_array_equal(res[ot][1], res[real][1])


def test_multi_view_message_text():
    a = ot.ones(4, 3, requires_grad=True).clone()
    with pytest.raises(RuntimeError) as e:
        a.unbind(0)[1].mul_(2)
    assert str(e.value) == "Output 1 of Unbind is a view and is being modified inplace. " + MSG_TAIL


@pytest.mark.parametrize("fn", [
    lambda L, x: sum(t * (i + 1) for i, t in enumerate(x.unbind(1))),
    lambda L, x: L.cat([t.exp() for t in x.split(2)]),
    lambda L, x: x.chunk(3, 1)[1] * 3,
    lambda L, x: L.cat([t * t for t in L.split(x, [1, 2, 1])]),
    lambda L, x: x.unbind()[2].sin(),
])
def test_multi_view_grads(fn):
    both(fn, [np.random.default_rng(8).standard_normal((4, 3))])
    x = ot.tensor(np.random.default_rng(9).standard_normal((4, 3)), requires_grad=True)
    assert ot.autograd.gradcheck(lambda t: fn(ot, t), (x,))


def test_multi_view_names_and_no_grad():
    names = {}
    for L in LIBS:
        a = L.ones(4, 3, requires_grad=True).clone()
        names[L] = [gname(a.unbind(0)[1]), gname(a.split(2)[0]), gname(a.chunk(2, 1)[1]), gname(a.split([1, 3])[1]),
                    gname(a.tensor_split(2)[0]), [fname(n[0]) for n in a.unbind(0)[0].grad_fn.next_functions]]
        u = a.unbind(0)
        with L.no_grad():
            u[0].mul_(2)  # allowed under no_grad
        assert u[0].tolist() == [2.0, 2.0, 2.0]
    assert names[ot] == names[real]


SETITEM = {
    "mask_tensor": lambda L, a, w: a.__setitem__(L.tensor([True, False, True, False]), w),
    "idx_tensor": lambda L, a, w: a.__setitem__(L.tensor([1, 3]), w),
    "idx_0d_grad": lambda L, a, w: a.__setitem__(L.tensor([1, 3]), w[0]),
    "idx_int_grad": lambda L, a, w: a.__setitem__((L.tensor([1, 3]), 1), w[:1]),
    "slice_idx_grad": lambda L, a, w: a.__setitem__((slice(1, 3), L.tensor([1, 0])), w[:2]),
    "idx_scalar": lambda L, a, w: a.__setitem__(L.tensor([1, 3]), 5.0),
    "idx_neg_scalar": lambda L, a, w: a.__setitem__(L.tensor([-1, 0]), 5.0),
    "idx2d_scalar": lambda L, a, w: a.__setitem__(L.tensor([[0, 2], [1, 1]]), 5.0),
    "colon_idx_scalar": lambda L, a, w: a.__setitem__((slice(None), L.tensor([0, 2])), 5.0),
    "ellipsis_idx_scalar": lambda L, a, w: a.__setitem__((Ellipsis, L.tensor([0, 2])), 5.0),
    "part_idx_scalar": lambda L, a, w: a.__setitem__((slice(1, 3), L.tensor([0, 2])), 5.0),
    "idx_int_scalar": lambda L, a, w: a.__setitem__((L.tensor([0, 2]), 1), 5.0),
    "two_idx_scalar": lambda L, a, w: a.__setitem__((L.tensor([0, 2]), L.tensor([1, 1])), 5.0),
    "mask_scalar": lambda L, a, w: a.__setitem__(L.tensor([True, False, True, False]), 5.0),
    "colon_mask_scalar": lambda L, a, w: a.__setitem__((slice(None), L.tensor([True, False, True])), 5.0),
    "mask2d_scalar": lambda L, a, w: a.__setitem__(a.detach() > 1.0, 5.0),
    "mask_int_scalar": lambda L, a, w: a.__setitem__((L.tensor([True, False, True, False]), 1), 5.0),
    "int_scalar": lambda L, a, w: a.__setitem__(1, 5.0),
    "ellipsis_scalar": lambda L, a, w: a.__setitem__(Ellipsis, 5.0),
    "colon_scalar": lambda L, a, w: a.__setitem__(slice(None), 5.0),
    "colon_tensor": lambda L, a, w: a.__setitem__(slice(None), w),
    "int_tensor": lambda L, a, w: a.__setitem__(1, w),
    "idx_0d_const": lambda L, a, w: a.__setitem__(L.tensor([1, 3]), L.tensor(5.0, dtype=L.float64)),
}


@pytest.mark.parametrize("case", sorted(SETITEM))
def test_setitem_node_names(case):
    res = {}
    for L in LIBS:
        b = L.tensor(np.arange(12.0).reshape(4, 3) / 4, requires_grad=True)
        w = L.tensor([2.0, 3.0, 4.0], dtype=L.float64, requires_grad=True)
        a = b * 1.0
        SETITEM[case](L, a, w)
        nexts = [None if n[0] is None else fname(n[0]) for n in a.grad_fn.next_functions]
        (a * L.tensor(np.arange(12.0).reshape(4, 3), dtype=L.float64)).sum().backward()
        res[L] = (gname(a), nexts, a.detach().numpy().copy(), b.grad.numpy().copy(), None if w.grad is None else w.grad.numpy().copy())
    o, r = res[ot], res[real]
    assert o[:2] == r[:2]
    for x, y in zip(o[2:], r[2:]):
        if y is None:
            assert x is None
        else:
            np.testing.assert_allclose(x, y)


@pytest.mark.parametrize("key", ["mask", "idx"])
def test_setitem_plain_base_value_grad(key):
    res = {}
    for L in LIBS:
        w = L.tensor([2.0, 3.0], requires_grad=True)
        x = L.ones(4)
        k = L.tensor([True, False, True, False]) if key == "mask" else L.tensor([1, 3])
        x[k] = w * w
        name = gname(x)
        (x * L.arange(4.0)).sum().backward()
        res[L] = (name, x.detach().numpy().copy(), w.grad.numpy().copy())
    assert res[ot][0] == res[real][0]
    np.testing.assert_allclose(res[ot][1], res[real][1])
    np.testing.assert_allclose(res[ot][2], res[real][2])


def test_setitem_full_key_on_leaf_error():
    for key in (Ellipsis, slice(None)):
        msgs = []
        for L in LIBS:
            a = L.ones(3, requires_grad=True)
            msgs.append(outcome(lambda: a.__setitem__(key, 5.0)))
        assert msgs[0] == msgs[1]


# ----- 4. double backward -----

PROD_DATA = {
    "nozero": [[1.5, -2.0, 0.5, 3.0], [0.7, 1.2, -0.4, 2.0], [1.1, 0.9, -1.3, 0.6]],
    "onezero": [[1.5, 0.0, 0.5, 3.0], [0.7, 1.2, -0.4, 2.0], [1.1, 0.9, 0.0, 0.6]],
    "twozeros": [[0.0, 0.0, 0.5, 3.0], [0.7, 0.0, -0.4, 0.0], [0.0, 0.9, 0.0, 0.6]],
}


@pytest.mark.parametrize("data", sorted(PROD_DATA))
@pytest.mark.parametrize("op", ["prod_all", "prod_dim1", "prod_dim0_keep", "cumprod1", "cumprod0", "cumsum1", "cumsum0"])
def test_double_backward_prod_scans(data, op):
    fns = {
        "prod_all": lambda L, x: x.prod(),
        "prod_dim1": lambda L, x: x.prod(1),
        "prod_dim0_keep": lambda L, x: x.prod(0, keepdim=True),
        "cumprod1": lambda L, x: x.cumprod(1),
        "cumprod0": lambda L, x: L.cumprod(x, 0),
        "cumsum1": lambda L, x: (x * x).cumsum(1),
        "cumsum0": lambda L, x: L.cumsum(x.exp(), 0),
    }
    fn = fns[op]
    both(fn, [PROD_DATA[data]])
    second(fn, PROD_DATA[data])
    checks(lambda x: fn(ot, x), PROD_DATA[data])


def test_double_backward_prod_float32_and_dtype():
    d = PROD_DATA["onezero"]
    second(lambda L, x: x.prod(1), d, dtype="float32", rtol=1e-5, atol=1e-6)
    second(lambda L, x: x.cumprod(1, dtype=L.float64), d, dtype="float32", rtol=1e-5, atol=1e-6)
    second(lambda L, x: x.prod(1, dtype=L.float64), d, dtype="float32", rtol=1e-5, atol=1e-6)


SEL = {
    "index_select": lambda L, x: (x * x).index_select(1, L.tensor([2, 0, 2])),
    "gather": lambda L, x: L.gather(x * x, 1, L.tensor([[0, 0, 3], [1, 2, 1], [3, 3, 3]])),
    "take_along_dim": lambda L, x: L.take_along_dim(x.exp(), L.tensor([[1], [0], [3]]), 1),
    "masked_select": lambda L, x: L.masked_select(x * x, L.tensor([[True, False, True, False]] * 3)),
    "max_dim": lambda L, x: (x * x).max(1)[0],
    "min_dim": lambda L, x: (x * x).min(0, keepdim=True).values,
    "sort": lambda L, x: (x * x).sort(1)[0],
    "topk": lambda L, x: (x * x).topk(2, 1)[0],
    "kthvalue": lambda L, x: (x * x).kthvalue(2, 1)[0],
    "median_dim": lambda L, x: (x * x).median(1)[0],
    "median_all": lambda L, x: (x * x).median(),
    "max_all": lambda L, x: (x * x).max(),
    "take": lambda L, x: L.take(x * x, L.tensor([0, 5, 5, 11])),
    "index": lambda L, x: (x * x)[L.tensor([2, 0, 2]), 1:],
}


@pytest.mark.parametrize("op", sorted(SEL))
def test_double_backward_selection(op):
    data = np.random.default_rng(11).standard_normal((3, 4))
    both(SEL[op], [data])
    second(SEL[op], data)
    checks(lambda x: SEL[op](ot, x), data)


def test_triple_backward_prod_and_gather():
    for fn in (lambda L, x: x.prod(1), lambda L, x: L.gather(x * x * x, 1, L.tensor([[0, 0], [1, 2], [3, 3]]))):
        res = {}
        for L in LIBS:
            x = L.tensor(PROD_DATA["onezero"], dtype=L.float64, requires_grad=True)
            (g,) = L.autograd.grad(fn(L, x).sum(), x, create_graph=True)
            (gg,) = L.autograd.grad((g * g).sum(), x, create_graph=True)
            (ggg,) = L.autograd.grad(gg.sum(), x)
            res[L] = (g, gg, ggg)
        for a, b in zip(res[ot], res[real]):
            same(a, b)
