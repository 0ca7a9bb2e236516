"""Reductions and scans against real torch: dtypes x layouts x dims x keepdim, edge values and errors."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import oxytorch as ot
from parity import (DTYPE_NAMES, FLOAT_DTYPE_NAMES, INT_DTYPE_NAMES, assert_raises_same, assert_same,
                    layout_pair, make_pair, odt, tdt)

REAL = [n for n in DTYPE_NAMES if not n.startswith("complex")]
LAYOUTS = ["contiguous", "transposed_t", "permute", "offset_slice", "step_inner", "empty_2d", "empty_2d_T", "zero_d", "column"]


def tol(dt, n=16):
    """Tolerances for float results whose summation order differs from torch's."""
    if dt in ("float16", "bfloat16"):
        return dict(rtol=5e-2, atol=2e-2 * n)
    if dt in ("float32", "complex64"):
        return dict(rtol=1e-4, atol=1e-4)
    return dict(rtol=1e-9, atol=1e-9)


def check(fo, ft, o, t, dt, n=16, **kw):
    """Both succeed with the same result, or both raise the same exception type."""
    try:
        rt = ft(t)
    except Exception:  # noqa: BLE001
        assert_raises_same(lambda: fo(o), lambda: ft(t))
        return
    ro = fo(o)
    if isinstance(rt, torch.Tensor):
        assert_same(ro, rt, check_stride=False, **tol(str(rt.dtype)[6:], n), **kw)
    else:
        assert type(ro).__name__ == type(rt).__name__
        assert len(ro) == len(rt)
        for a, b in zip(ro, rt):
            assert_same(a, b, check_stride=False, **tol(str(b.dtype)[6:], n), **kw)


def dims_for(ndim):
    out = [None]
    if ndim >= 1:
        out += [0, -1]
    if ndim >= 2:
        out += [(0, 1), [1], ()]
    return out


SUM_LIKE = {
    "sum": lambda L, x, d, k: L.sum(x, d, k) if d is not None else L.sum(x),
    "nansum": lambda L, x, d, k: L.nansum(x, d, k) if d is not None else L.nansum(x),
    "mean": lambda L, x, d, k: x.mean(d, k) if d is not None else x.mean(),
    "amax": lambda L, x, d, k: L.amax(x, d if d is not None else (), k),
    "amin": lambda L, x, d, k: x.amin(d if d is not None else (), k),
    "all": lambda L, x, d, k: x.all(d, k) if d is not None else x.all(),
    "any": lambda L, x, d, k: L.any(x, d, k) if d is not None else L.any(x),
    "std": lambda L, x, d, k: x.std(d, keepdim=k) if d is not None else x.std(),
    "var0": lambda L, x, d, k: L.var(x, d, keepdim=k, correction=0),
    "logsumexp": lambda L, x, d, k: L.logsumexp(x, d if d not in (None, ()) else list(range(x.ndim)) or [0], k),
    "count_nonzero": lambda L, x, d, k: L.count_nonzero(x, d),
    "norm": lambda L, x, d, k: L.norm(x, dim=d, keepdim=k),
    "norm1": lambda L, x, d, k: x.norm(1, d, k),
    "norm_inf": lambda L, x, d, k: x.norm(float("inf"), d, k),
}


@pytest.mark.parametrize("op", list(SUM_LIKE))
@pytest.mark.parametrize("dt", [n for n in DTYPE_NAMES if n not in ("complex64", "complex128")] + ["complex128"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_dim_reductions(op, dt, layout):
    o, t = layout_pair(dt, layout)
    f = SUM_LIKE[op]
    for d in dims_for(t.ndim):
        for k in (False, True):
            check(lambda x: f(ot, x, d, k), lambda x: f(torch, x, d, k), o, t, dt)


INDEXED = {
    "max": lambda L, x, d, k: L.max(x, d, k) if d is not None else L.max(x),
    "min": lambda L, x, d, k: x.min(d, keepdim=k) if d is not None else x.min(),
    "argmax": lambda L, x, d, k: L.argmax(x, d, k),
    "argmin": lambda L, x, d, k: x.argmin(d, k),
    "aminmax": lambda L, x, d, k: L.aminmax(x, dim=d, keepdim=k),
    "prod": lambda L, x, d, k: L.prod(x, d, k) if d is not None else L.prod(x),
    "cumsum": lambda L, x, d, k: L.cumsum(x, d if d is not None else 0),
    "cumprod": lambda L, x, d, k: x.cumprod(d if d is not None else -1),
    "cummax": lambda L, x, d, k: L.cummax(x, d if d is not None else 0),
    "cummin": lambda L, x, d, k: x.cummin(d if d is not None else 0),
    "logcumsumexp": lambda L, x, d, k: L.logcumsumexp(x, d if d is not None else 0),
}


@pytest.mark.parametrize("op", list(INDEXED))
@pytest.mark.parametrize("dt", DTYPE_NAMES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_single_dim_ops(op, dt, layout):
    o, t = layout_pair(dt, layout)
    f = INDEXED[op]
    dims = [None] + ([0, -1] if t.ndim >= 1 else [0])
    for d in dims:
        for k in (False, True):
            check(lambda x: f(ot, x, d, k), lambda x: f(torch, x, d, k), o, t, dt, n=64)


def test_bare_max_and_elementwise_form():
    o, t = make_pair("float32", (3, 4))
    assert_same(o.max(), t.max())
    assert_same(ot.min(o), torch.min(t))
    o2, t2 = make_pair("float32", (3, 4), seed=1)
    assert_same(ot.max(o, o2), torch.max(t, t2))
    assert_same(o.min(o2), t.min(t2))


EDGE = [
    [1.0, float("nan"), 3.0, float("nan")],
    [float("inf"), -float("inf"), 2.0, 2.0],
    [-0.0, 0.0, 0.0, -0.0],
    [5.0, 5.0, 1.0, 5.0],
    [-float("inf"), -float("inf"), -float("inf"), -float("inf")],
    [float("inf"), 1.0, float("inf"), 0.0],
]


@pytest.mark.parametrize("dt", FLOAT_DTYPE_NAMES)
@pytest.mark.parametrize("row", range(len(EDGE)))
def test_edge_values(dt, row):
    o, t = ot.tensor(EDGE[row], dtype=odt(dt)), torch.tensor(EDGE[row], dtype=tdt(dt))
    for name in ("sum", "nansum", "mean", "nanmean", "amax", "amin", "argmax", "argmin", "std",
                 "prod", "norm", "count_nonzero"):
        check(lambda x: getattr(x, name)(), lambda x: getattr(x, name)(), o, t, dt)
    for name in ("max", "min", "cumsum", "cummax", "cummin", "logcumsumexp", "cumprod", "logsumexp"):
        check(lambda x: getattr(x, name)(0), lambda x: getattr(x, name)(0), o, t, dt)


@pytest.mark.parametrize("dt", INT_DTYPE_NAMES)
def test_integer_extremes_accumulate_in_int64(dt):
    info = np.iinfo(getattr(np, dt))
    vals = [int(info.max)] * 5 + [int(info.min)] * 2
    o, t = ot.tensor(vals, dtype=odt(dt)), torch.tensor(vals, dtype=tdt(dt))
    for name in ("sum", "prod", "amax", "amin", "argmax", "argmin"):
        assert_same(getattr(o, name)(), getattr(t, name)())
    assert_same(o.cumsum(0), t.cumsum(0))


def test_dtype_and_out_keywords():
    o, t = make_pair("int32", (3, 4))
    assert_same(ot.sum(o, 1, dtype=ot.float64), torch.sum(t, 1, dtype=torch.float64))
    assert_same(o.cumsum(0, dtype=ot.float32), t.cumsum(0, dtype=torch.float32))
    assert_same(ot.mean(o, dtype=ot.float64), torch.mean(t, dtype=torch.float64))
    oo, to = ot.zeros(1), torch.zeros(1)
    ro, rt = ot.sum(o, 0, out=oo), torch.sum(t, 0, out=to)
    assert ro is oo
    assert_same(oo, to, check_stride=False)
    vo, io = ot.zeros(3), ot.zeros(3, dtype=ot.int64)
    res = ot.max(o.float(), 1, out=(vo, io))
    tv, ti = torch.max(t.float(), 1)
    assert_same(vo, tv)
    assert_same(io, ti)
    assert res.values is vo


def test_var_overloads_and_tuples():
    o, t = make_pair("float64", (4, 5))
    for args, kw in [((), {}), ((True,), {}), ((False,), {}), ((1,), {}), ((1, False), {}), ((1, True, True), {}),
                     ((0,), {"correction": 2}), (((0, 1),), {"correction": 0, "keepdim": True})]:
        assert_same(ot.var(o, *args, **kw), torch.var(t, *args, **kw))
        assert_same(o.std(*args, **kw), t.std(*args, **kw))
        for name in ("var_mean", "std_mean"):
            ro, rt = getattr(ot, name)(o, *args, **kw), getattr(torch, name)(t, *args, **kw)
            assert isinstance(ro, tuple) and len(ro) == 2
            assert_same(ro[0], rt[0])
            assert_same(ro[1], rt[1])


def test_complex_var_is_real():
    o, t = make_pair("complex128", (3, 5))
    assert_same(o.var(1), t.var(1))
    assert_same(o.std(), t.std())


def test_return_type_repr_and_fields():
    o, t = ot.tensor([1.0, 3.0, 3.0]), torch.tensor([1.0, 3.0, 3.0])
    ro, rt = o.max(0), t.max(0)
    assert repr(ro) == repr(rt)
    assert ro.values.item() == rt.values.item() and ro.indices.item() == rt.indices.item()
    v, i = ro
    assert i.item() == 1
    assert repr(ot.aminmax(o)) == repr(torch.aminmax(t))
    assert type(ro).__name__ == "max"


ERRORS = [
    lambda L: L.tensor([]).max(),
    lambda L: L.zeros(2, 0).max(1),
    lambda L: L.zeros(2, 0).argmax(),
    lambda L: L.zeros(0, 3).amax(0),
    lambda L: L.zeros(0, 3).aminmax(),
    lambda L: L.tensor([1, 2]).mean(),
    lambda L: L.tensor([1, 2]).var(),
    lambda L: L.tensor([1, 2]).nanmean(),
    lambda L: L.zeros(2, 3).sum((0, 0)),
    lambda L: L.zeros(2, 3).sum(2),
    lambda L: L.zeros(2, 3).amax(-3),
    lambda L: L.zeros(3, dtype=L.complex64).amax(),
    lambda L: L.zeros(3, dtype=L.complex64).max(),
    lambda L: L.zeros(3, dtype=L.complex64).argmax(),
    lambda L: L.zeros(3, dtype=L.complex64).nansum(),
    lambda L: L.zeros(3, dtype=L.complex64).cummax(0),
    lambda L: L.tensor([1, 2]).logcumsumexp(0),
    lambda L: L.tensor([1, 2]).norm(),
    lambda L: L.zeros(3).sum("x"),
    lambda L: L.sum([1, 2]),
    lambda L: L.zeros(3).cumsum(1),
    lambda L: L.zeros(3).diff(n=-1),
    lambda L: L.tensor(1.0).diff(),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors(i):
    assert_raises_same(lambda: ERRORS[i](ot), lambda: ERRORS[i](torch))


def test_empty_results():
    for name in ("sum", "prod", "mean", "nansum", "all", "any", "count_nonzero", "logsumexp", "std"):
        for shape, dims in [((0,), None), ((2, 0), 1), ((0, 3), 0), ((0, 3), 1)]:
            o, t = ot.zeros(shape), torch.zeros(shape)
            f = (lambda L, x: getattr(x, name)(dims if dims is not None else ())) if name == "logsumexp" else \
                (lambda L, x: getattr(x, name)(dims) if dims is not None else getattr(x, name)())
            check(lambda x: f(ot, x), lambda x: f(torch, x), o, t, "float32")


@pytest.mark.parametrize("dt", ["int64", "float32", "bool", "float16"])
def test_diff(dt):
    o, t = make_pair(dt, (3, 5))
    for kw in [{}, {"n": 2}, {"dim": 0}, {"n": 0}, {"n": 7}]:
        assert_same(ot.diff(o, **kw), torch.diff(t, **kw), check_stride=False)
    po, pt = make_pair(dt, (3, 2), seed=3)
    assert_same(o.diff(prepend=po, append=po), t.diff(prepend=pt, append=pt), check_stride=False)


def test_large_reductions_match_torch():
    # Long rows go through the parallel split; values must stay close to torch's.
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 70000)).astype(np.float32)
    o, t = ot.tensor(a.tolist()), torch.tensor(a)
    flat_o, flat_t = o.reshape(-1), t.reshape(-1)
    for f in (lambda x: x.sum(), lambda x: x.mean(), lambda x: x.std(), lambda x: x.amax(), lambda x: x.argmax(),
              lambda x: x.sum(1), lambda x: x.argmin(1), lambda x: x.var(0), lambda x: x.logsumexp(1)):
        assert_same(f(o), f(t), check_stride=False, rtol=1e-4, atol=1e-3)
    assert_same(flat_o.cumsum(0), flat_t.cumsum(0), rtol=1e-5, atol=1e-3)
    assert_same(flat_o.argmax(), flat_t.argmax())
    big = ot.ones(1 << 18, dtype=ot.float16)
    assert big.sum().item() == float("inf") == torch.ones(1 << 18, dtype=torch.float16).sum().item()
    assert ot.ones(1 << 25).cumsum(0)[-1].item() == 33554432.0


@given(st.lists(st.integers(-50, 50), min_size=1, max_size=40), st.integers(1, 4))
def test_property_integer_sums_exact(vals, cols):
    n = len(vals) - len(vals) % cols or cols
    vals = (vals * cols)[:n]
    o, t = ot.tensor(vals).reshape(-1, cols), torch.tensor(vals).reshape(-1, cols)
    for f in (lambda x: x.sum(0), lambda x: x.sum(1), lambda x: x.prod(1), lambda x: x.cumsum(0),
              lambda x: x.max(1), lambda x: x.argmin(0), lambda x: x.cummin(1)):
        check(f, f, o, t, "int64")


@given(st.lists(st.sampled_from([0.0, 1.0, -1.0, 2.5, math.inf, -math.inf, math.nan]), min_size=1, max_size=30))
def test_property_nan_and_ties(vals):
    o, t = ot.tensor(vals), torch.tensor(vals)
    for f in (lambda x: x.max(0), lambda x: x.argmin(), lambda x: x.amax(), lambda x: x.cummax(0),
              lambda x: x.nansum(), lambda x: x.sum()):
        check(f, f, o, t, "float32")


@pytest.mark.parametrize("dt", ["float32", "float64", "float16", "bfloat16"])
def test_logsumexp_nan_and_inf_rows(dt):
    nan, inf = math.nan, math.inf
    rows = [[nan, nan], [1.0, 2.0], [inf, inf], [-inf, -inf], [inf, -inf], [nan, inf], [2.0, nan], [-inf, nan]]
    o = ot.tensor(rows, dtype=getattr(ot, dt))
    t = torch.tensor(rows, dtype=getattr(torch, dt))
    assert_same(o.logsumexp(1), t.logsumexp(1))
    assert_same(o.t().logsumexp(0), t.t().logsumexp(0))
    assert_same(o.logsumexp((0, 1)), t.logsumexp((0, 1)))
