"""Sorting and order statistics against real torch: values exactly, indices where torch defines them."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import oxytorch as ot
from parity import DTYPE_NAMES, FLOAT_DTYPE_NAMES, assert_raises_same, assert_same, layout_pair, make_pair, odt, tdt

REAL = [n for n in DTYPE_NAMES if not n.startswith("complex")]
LAYOUTS = ["contiguous", "transposed_t", "permute", "offset_slice", "step_inner", "empty_2d", "zero_d", "column"]


def same_pair(ro, rt, *, check_indices=True):
    assert type(ro).__name__ == type(rt).__name__
    assert_same(ro[0], rt[0], check_stride=False, exact=True)
    if check_indices:
        assert_same(ro[1], rt[1], check_stride=False)


def try_both(fo, ft):
    try:
        rt = ft()
    except Exception:  # noqa: BLE001
        assert_raises_same(fo, ft)
        return None, None
    return fo(), rt


@pytest.mark.parametrize("dt", DTYPE_NAMES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_sort_argsort_msort(dt, layout):
    o, t = layout_pair(dt, layout)
    dims = [0, -1] if t.ndim else [0]
    for d in dims:
        for desc in (False, True):
            ro, rt = try_both(lambda: ot.sort(o, dim=d, descending=desc, stable=True),
                              lambda: torch.sort(t, dim=d, descending=desc, stable=True))
            if rt is not None:
                same_pair(ro, rt)
                assert_same(o.argsort(dim=d, descending=desc, stable=True),
                            t.argsort(dim=d, descending=desc, stable=True), check_stride=False)
    ro, rt = try_both(lambda: ot.msort(o), lambda: torch.msort(t))
    if rt is not None:
        assert_same(ro, rt, check_stride=False)


@pytest.mark.parametrize("dt", FLOAT_DTYPE_NAMES)
def test_sort_nan_inf_and_signed_zero(dt):
    vals = [1.0, math.nan, -math.inf, 0.0, -0.0, math.inf, math.nan, -1.0, 0.0]
    o, t = ot.tensor(vals, dtype=odt(dt)), torch.tensor(vals, dtype=tdt(dt))
    for desc in (False, True):
        same_pair(o.sort(descending=desc, stable=True), t.sort(descending=desc, stable=True))


def test_long_rows_use_radix_and_stay_stable():
    rng = np.random.default_rng(1)
    for arr in (rng.standard_normal(5000).astype(np.float32), rng.integers(-20, 20, 3000), rng.integers(0, 3, (4, 700))):
        o, t = ot.tensor(arr.tolist()), torch.tensor(arr)
        for desc in (False, True):
            same_pair(o.sort(descending=desc, stable=True), t.sort(descending=desc, stable=True))


@pytest.mark.parametrize("dt", [n for n in REAL if n != "bool"])  # divergence: bool topk does not raise
def test_topk_kthvalue(dt):
    o, t = make_pair(dt, (4, 6))
    for k in (1, 3, 6):
        for largest in (True, False):
            ro, rt = try_both(lambda: o.topk(k, 1, largest), lambda: t.topk(k, 1, largest))
            if rt is not None:
                assert_same(ro.values, rt.values, exact=True)
                # indices must point at the reported values (torch leaves tie order open)
                np.testing.assert_array_equal(np.take_along_axis(t.float().numpy(), ro.indices.numpy(), 1),
                                              rt.values.float().numpy())
        ro, rt = try_both(lambda: o.kthvalue(k, 1), lambda: t.kthvalue(k, 1))
        if rt is not None:
            assert_same(ro.values, rt.values, exact=True)


@pytest.mark.parametrize("dt", [n for n in REAL if n != "bool"])
@pytest.mark.parametrize("layout", ["contiguous", "transposed_t", "zero_d", "offset_slice"])
def test_median_mode(dt, layout):
    o, t = layout_pair(dt, layout)
    assert_same(o.median(), t.median(), exact=True)
    assert_same(ot.nanmedian(o), torch.nanmedian(t), exact=True)
    for d in ([0, -1] if t.ndim else [0]):
        for k in (False, True):
            ro, rt = o.median(d, k), t.median(d, k)
            assert_same(ro.values, rt.values, exact=True)
            ro, rt = ot.mode(o, d, k), torch.mode(t, d, k)
            assert_same(ro.values, rt.values, exact=True)


def test_median_nan_and_mode_indices():
    n = math.nan
    for vals in ([3.0, 1.0, n, 2.0, n], [n, n], [4.0, 1.0, 3.0, 2.0], [2.0, 2.0, 1.0, 1.0]):
        o, t = ot.tensor(vals), torch.tensor(vals)
        same_pair(o.median(0), t.median(0))
        same_pair(o.nanmedian(0), t.nanmedian(0))
    for vals in ([1, 2, 2, 3, 3, 1], [5, 4, 4, 5], [7]):
        same_pair(ot.tensor(vals).mode(0), torch.tensor(vals).mode(0))
    assert_same(ot.tensor([]).median(), torch.tensor([]).median())


@pytest.mark.parametrize("interp", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_quantile(interp, dt):
    o, t = make_pair(dt, (3, 7))
    # Divergence: the rank q*(n-1) is computed in double, torch uses the input dtype (differs for
    # float32 when q is not exact in binary, e.g. 0.3).
    for q in (0.0, 0.25, 0.5, 1.0):
        assert_same(o.quantile(q, interpolation=interp), t.quantile(q, interpolation=interp))
        assert_same(ot.quantile(o, q, 1, True, interpolation=interp), torch.quantile(t, q, 1, True, interpolation=interp))
    qo, qt = ot.tensor([0.1, 0.75], dtype=odt(dt)), torch.tensor([0.1, 0.75], dtype=tdt(dt))
    assert_same(o.quantile(qo, 0, interpolation=interp), t.quantile(qt, 0, interpolation=interp), check_stride=False)
    vals = [[1.0, math.nan, 3.0, 4.0], [math.nan] * 4]
    o, t = ot.tensor(vals, dtype=odt(dt)), torch.tensor(vals, dtype=tdt(dt))
    assert_same(o.quantile(0.4, 1, interpolation=interp), t.quantile(0.4, 1, interpolation=interp))
    assert_same(o.nanquantile(0.4, 1, interpolation=interp), t.nanquantile(0.4, 1, interpolation=interp))


@pytest.mark.parametrize("dt", REAL)
def test_unique(dt):
    o, t = make_pair(dt, (4, 6))
    o, t = o.remainder(5) if dt != "bool" else o, t.remainder(5) if dt != "bool" else t
    for inv in (False, True):
        for cnt in (False, True):
            ro, rt = ot.unique(o, return_inverse=inv, return_counts=cnt), torch.unique(t, return_inverse=inv, return_counts=cnt)
            for a, b in zip(ro if isinstance(rt, tuple) else [ro], rt if isinstance(rt, tuple) else [rt]):
                assert_same(a, b, check_stride=False)
            ro = ot.unique_consecutive(o, return_inverse=inv, return_counts=cnt)
            rt = torch.unique_consecutive(t, return_inverse=inv, return_counts=cnt)
            for a, b in zip(ro if isinstance(rt, tuple) else [ro], rt if isinstance(rt, tuple) else [rt]):
                assert_same(a, b, check_stride=False)


ERRORS = [
    lambda L: L.tensor([1.0, 2.0]).topk(3),
    lambda L: L.tensor([1.0, 2.0]).kthvalue(3),
    lambda L: L.tensor([1.0, 2.0]).kthvalue(0),
    lambda L: L.tensor([1, 2]).quantile(0.5),
    lambda L: L.tensor([1.0, 2.0]).quantile(1.5),
    lambda L: L.tensor([]).quantile(0.5),
    lambda L: L.tensor([]).median(0),
    lambda L: L.tensor([]).mode(0),
    lambda L: L.zeros(2, 0).median(1),
    lambda L: L.tensor([1j]).sort(),
    lambda L: L.tensor([True, False]).median(),
    lambda L: L.zeros(3).sort(1),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors(i):
    assert_raises_same(lambda: ERRORS[i](ot), lambda: ERRORS[i](torch))


@given(st.lists(st.sampled_from([0.0, -0.0, 1.0, -2.0, 3.5, math.inf, -math.inf, math.nan]), min_size=0, max_size=40),
       st.booleans())
def test_property_stable_sort_matches_torch(vals, desc):
    o, t = ot.tensor(vals), torch.tensor(vals)
    same_pair(o.sort(descending=desc, stable=True), t.sort(descending=desc, stable=True))
    if vals:
        assert_same(o.median(), t.median())
    for kw in ({}, {"return_inverse": True, "return_counts": True}):
        ro, rt = o.unique(**kw), t.unique(**kw)
        for a, b in zip(ro if kw else [ro], rt if kw else [rt]):
            assert_same(a, b)
        ro, rt = o.unique_consecutive(**kw), t.unique_consecutive(**kw)
        for a, b in zip(ro if kw else [ro], rt if kw else [rt]):
            assert_same(a, b)
    seq = sorted(vals, key=lambda v: (math.isnan(v), v))
    for right in (False, True):
        probe = [math.nan, -math.inf, 0.0, 1.0, math.inf]
        assert_same(ot.searchsorted(ot.tensor(seq), ot.tensor(probe), right=right),
                    torch.searchsorted(torch.tensor(seq), torch.tensor(probe), right=right))


@given(st.lists(st.integers(-3, 3), min_size=1, max_size=40))
def test_property_integer_order_stats(vals):
    o, t = ot.tensor(vals), torch.tensor(vals)
    same_pair(o.mode(0), t.mode(0))
    assert_same(o.kthvalue(len(vals) // 2 + 1).values, t.kthvalue(len(vals) // 2 + 1).values)
    same_pair(o.sort(stable=True), t.sort(stable=True))


def test_searchsorted_bucketize():
    so, st_ = ot.tensor([1, 3, 5, 7, 9]), torch.tensor([1, 3, 5, 7, 9])
    vo, vt = ot.tensor([[3, 6, 9], [0, 10, 5]]), torch.tensor([[3, 6, 9], [0, 10, 5]])
    for kw in [{}, {"right": True}, {"side": "right"}, {"out_int32": True}]:
        assert_same(ot.searchsorted(so, vo, **kw), torch.searchsorted(st_, vt, **kw))
    assert_same(ot.searchsorted(so, vo.float()), torch.searchsorted(st_, vt.float()))
    assert_same(ot.searchsorted(so, 4), torch.searchsorted(st_, 4))
    bo, bt = ot.tensor([[1, 3], [2, 4]]), torch.tensor([[1, 3], [2, 4]])
    assert_same(ot.searchsorted(bo, ot.tensor([[2], [3]])), torch.searchsorted(bt, torch.tensor([[2], [3]])))
    fo, ft = ot.tensor([-1.0, 0.0, math.inf]), torch.tensor([-1.0, 0.0, math.inf])
    assert_same(ot.searchsorted(fo, ot.tensor([math.inf, 0.0, -5.0])), torch.searchsorted(ft, torch.tensor([math.inf, 0.0, -5.0])))
    for right in (False, True):
        assert_same(ot.bucketize(vo, so, right=right), torch.bucketize(vt, st_, right=right))
    assert_raises_same(lambda: ot.searchsorted(bo, ot.tensor([1])), lambda: torch.searchsorted(bt, torch.tensor([1])))


def test_bincount_histc_histogram():
    xo, xt = ot.tensor([0, 1, 1, 3]), torch.tensor([0, 1, 1, 3])
    assert_same(ot.bincount(xo), torch.bincount(xt))
    assert_same(xo.bincount(minlength=7), xt.bincount(minlength=7))
    assert_same(ot.bincount(xo, ot.tensor([0.5, 1.0, 1.0, 2.0]), 6), torch.bincount(xt, torch.tensor([0.5, 1.0, 1.0, 2.0]), 6))
    assert_same(ot.bincount(xo, ot.tensor([1, 2, 3, 4])), torch.bincount(xt, torch.tensor([1, 2, 3, 4])))
    assert_same(ot.bincount(ot.tensor([], dtype=ot.int64)), torch.bincount(torch.tensor([], dtype=torch.int64)))
    for bad in (lambda L: L.bincount(L.tensor([-1])), lambda L: L.bincount(L.tensor([1.0])), lambda L: L.histc(L.tensor([1, 2]))):
        assert_raises_same(lambda: bad(ot), lambda: bad(torch))
    o, t = make_pair("float32", (50,))
    for kw in [{}, {"bins": 7}, {"bins": 4, "min": -5, "max": 5}]:
        assert_same(ot.histc(o, **kw), torch.histc(t, **kw))
    assert_same(ot.histc(ot.tensor([2.0, 2.0]), bins=3), torch.histc(torch.tensor([2.0, 2.0]), bins=3))
    for args, kw in [((4,), {}), ((5,), {"range": (-3.0, 3.0), "density": True}), ((3,), {"weight": None})]:
        ro, rt = ot.histogram(o, *args, **kw), torch.histogram(t, *args, **kw)
        assert repr(type(ro).__name__) == repr(type(rt).__name__)
        assert_same(ro.hist, rt.hist)
        assert_same(ro.bin_edges, rt.bin_edges)
    eo, et = ot.tensor([-10.0, 0.0, 1.0, 20.0]), torch.tensor([-10.0, 0.0, 1.0, 20.0])
    wo, wt = make_pair("float32", (50,), seed=2)
    ro, rt = ot.histogram(o, eo, weight=wo, density=True), torch.histogram(t, et, weight=wt, density=True)
    assert_same(ro.hist, rt.hist)
    assert_same(ro.bin_edges, rt.bin_edges)


UNIQUE_DIM_INPUTS = {
    "rows_int": lambda L: L.tensor([[1, 2, 1], [3, 0, 3], [1, 2, 1], [0, 9, 9]]),
    "float_nan_rows": lambda L: L.tensor([[math.nan, 1.0], [math.nan, 1.0], [0.0, 2.0]]),
    "bool": lambda L: L.tensor([[True, False], [True, False], [False, False]]),
    "3d": lambda L: L.tensor([[[1, 2], [1, 2]], [[0, 1], [1, 2]], [[1, 2], [1, 2]]]),
    "transposed": lambda L: L.tensor([[2, 1, 2], [1, 5, 1]]).t(),
    "empty_rows": lambda L: L.zeros(0, 3),
    "1d": lambda L: L.tensor([3, 1, 2, 3, 1]),
}


@pytest.mark.parametrize("consecutive", [False, True])
@pytest.mark.parametrize("case", list(UNIQUE_DIM_INPUTS))
def test_unique_dim(case, consecutive):
    o, t = UNIQUE_DIM_INPUTS[case](ot), UNIQUE_DIM_INPUTS[case](torch)
    fo = ot.unique_consecutive if consecutive else ot.unique
    ft = torch.unique_consecutive if consecutive else torch.unique
    for d in range(-t.ndim, t.ndim):
        for kw in ({}, {"return_inverse": True}, {"return_counts": True}, {"return_inverse": True, "return_counts": True}):
            try:
                rt = ft(t, dim=d, **kw)
            except Exception:  # noqa: BLE001
                assert_raises_same(lambda: fo(o, dim=d, **kw), lambda: ft(t, dim=d, **kw))
                continue
            ro = fo(o, dim=d, **kw)
            for a, b in zip(ro if kw else [ro], rt if kw else [rt]):
                assert_same(a, b, check_stride=False)


@pytest.mark.parametrize("name", ["unique", "unique_consecutive"])
def test_unique_dim_errors(name):
    fo, ft = getattr(ot, name), getattr(torch, name)
    for mk, d in [(lambda L: L.zeros(2, 0), 0), (lambda L: L.zeros(2, 3), 2), (lambda L: L.tensor(5.0), 0),
                  (lambda L: L.tensor([[1j, 2]]), 0)]:
        assert_raises_same(lambda: fo(mk(ot), dim=d), lambda: ft(mk(torch), dim=d))


@pytest.mark.parametrize("layout", ["transposed_t", "permute", "offset_slice", "step_inner", "column"])
def test_sort_keeps_input_dim_order(layout):
    # torch allocates sort's outputs with empty_like: dense strides in the input's dim order
    o, t = layout_pair("float32", layout)
    for d in range(max(t.ndim, 1)):
        for ro, rt in [(o.sort(d), t.sort(d)), ((o.argsort(d),), (t.argsort(d),))]:
            for a, b in zip(ro, rt):
                assert_same(a, b)
                assert a.stride() == b.stride()
    if t.ndim:
        assert ot.msort(o).stride() == torch.msort(t).stride()


def test_searchsorted_nan():
    for seq in ([1.0, 2.0, math.nan], [math.nan, math.nan], [-math.inf, 0.0, math.inf, math.nan]):
        for right in (False, True):
            vals = [math.nan, 1.5, 3.0, -math.inf, math.inf]
            assert_same(ot.searchsorted(ot.tensor(seq), ot.tensor(vals), right=right),
                        torch.searchsorted(torch.tensor(seq), torch.tensor(vals), right=right))
