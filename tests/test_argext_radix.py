"""The vectorised arg-reductions (rust/backend/cpu/argext.rs) and the packed radix sort
(rust/backend/cpu/sort.rs), against torch.

argmax/argmin/max(dim)/min(dim): row lengths around the 64-element vector path and its 32/16
element steps, ties (the first index wins), -0.0 against +0.0, NaN anywhere (the first NaN wins),
infinities, and strided rows. sort/argsort of long rows: the packed 8-bit radix path (one and two
segments), ascending and descending, with heavy ties (stable order), NaN, -0.0 and infinities.
"""
import numpy as np
import pytest
import torch

import oxytorch as ot
from parity import assert_same

LENGTHS = [1, 63, 64, 65, 95, 96, 97, 127, 128, 129, 1000, 4099]


def both(v):
    return ot.from_numpy(v.copy()), torch.from_numpy(v.copy())


def row_cases(dtype, n, seed):
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((3, n)).astype(dtype)
    cases = {"random": base}
    ties = rng.integers(-3, 4, (3, n)).astype(dtype)
    cases["ties"] = ties
    z = np.zeros((3, n), dtype)
    z[0, ::3] = -0.0
    z[1, n // 2:] = -0.0
    cases["signed_zero"] = z
    nan = base.copy()
    nan[0, n - 1] = np.nan
    nan[1, n // 3] = np.nan
    nan[1, n // 2] = np.nan
    nan[2, 0] = np.nan
    cases["nan"] = nan
    inf = base.copy()
    inf[0, n // 2] = np.inf
    inf[1, n // 4] = -np.inf
    inf[2, :] = np.inf
    cases["inf"] = inf
    return cases


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n", LENGTHS)
@pytest.mark.parametrize("case", ["random", "ties", "signed_zero", "nan", "inf"])
def test_arg_reductions(dtype, n, case):
    v = row_cases(dtype, n, n)[case]
    o, t = both(v)
    for name in ["argmax", "argmin"]:
        assert_same(getattr(o, name)(1), getattr(t, name)(1))
        assert_same(getattr(o, name)(), getattr(t, name)())
    for name in ["max", "min"]:
        ov, oi = getattr(o, name)(1)
        tv, ti = getattr(t, name)(1)
        assert_same(ov, tv, rtol=0, atol=0)
        assert_same(oi, ti)
        # signbit of the chosen value follows the chosen element
        assert np.array_equal(np.signbit(ov.numpy()), np.signbit(tv.numpy()))
    # strided rows (a column view), which are copied to rows first
    assert_same(o.t().argmax(0), t.t().argmax(0))
    assert_same(o[:, ::2].argmin(1), t[:, ::2].argmin(1))


@pytest.mark.parametrize("n", [1 << 15, 70000, (1 << 17) + 3, 300000])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("case", ["random", "ties", "specials"])
def test_long_sort_float32(n, descending, case):
    rng = np.random.default_rng(n)
    if case == "random":
        v = rng.standard_normal(n).astype(np.float32)
    elif case == "ties":
        v = rng.integers(-50, 50, n).astype(np.float32)
    else:
        v = rng.standard_normal(n).astype(np.float32)
        pick = rng.integers(0, n, n // 10)
        v[pick[: n // 40]] = np.nan
        v[pick[n // 40: n // 20]] = -0.0
        v[pick[n // 20: n // 15]] = 0.0
        v[pick[n // 15: n // 12]] = np.inf
        v[pick[n // 12:]] = -np.inf
    o, t = both(v)
    ov, oi = o.sort(descending=descending, stable=True)
    tv, ti = t.sort(descending=descending, stable=True)
    assert_same(ov, tv, rtol=0, atol=0)
    assert_same(oi, ti)
    assert np.array_equal(np.signbit(ov.numpy()), np.signbit(tv.numpy()))
    assert_same(o.argsort(descending=descending, stable=True), t.argsort(descending=descending, stable=True))
    # Unstable sort: torch's values, and indices that are a valid sorting permutation.
    ov, oi = o.sort(descending=descending)
    tv, _ = t.sort(descending=descending)
    assert_same(ov, tv, rtol=0, atol=0)
    assert np.array_equal(np.sort(oi.numpy()), np.arange(n))
    np.testing.assert_array_equal(v[oi.numpy()], tv.numpy())


@pytest.mark.parametrize("dtype", ["int32", "int16", "uint8", "float16", "bfloat16"])
@pytest.mark.parametrize("descending", [False, True])
def test_long_sort_other_32bit_keys(dtype, descending):
    rng = np.random.default_rng(5)
    n = 140000
    v = rng.integers(-100, 100, n)
    if dtype == "uint8":
        v = np.abs(v)
    o = ot.tensor(v.tolist(), dtype=getattr(ot, dtype))
    t = torch.tensor(v.tolist(), dtype=getattr(torch, dtype))
    ov, oi = o.sort(descending=descending, stable=True)
    tv, ti = t.sort(descending=descending, stable=True)
    assert_same(ov, tv, rtol=0, atol=0)
    assert_same(oi, ti)


def test_sort_rows_batch():
    # Many rows (each row radix-sorted on its own, rows in parallel) and a sort along dim 0.
    rng = np.random.default_rng(9)
    v = rng.integers(0, 7, (8, 40000)).astype(np.float32)
    o, t = both(v)
    for dim in (1, 0):
        ov, oi = o.sort(dim=dim, stable=True)
        tv, ti = t.sort(dim=dim, stable=True)
        assert_same(ov, tv, rtol=0, atol=0)
        assert_same(oi, ti)


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("n", [255, 256, 257, 1 << 17, (1 << 18) + 1])
def test_sort_threads_and_thresholds(threads, n):
    # Rows at the packed path's 256-element threshold, and rows split into 1-3 parallel segments
    # (2^16 elements a segment at least): every thread count gives torch's stable order.
    rng = np.random.default_rng(n + threads)
    v = rng.integers(-20, 20, n).astype(np.float32)
    v[rng.integers(0, n, n // 50)] = np.nan
    v[rng.integers(0, n, n // 50)] = -0.0
    o, t = both(v)
    old = ot.get_num_threads()
    ot.set_num_threads(threads)
    try:
        for desc in (False, True):
            ov, oi = o.sort(descending=desc, stable=True)
            tv, ti = t.sort(descending=desc, stable=True)
            assert_same(ov, tv, rtol=0, atol=0)
            assert_same(oi, ti)
            assert np.array_equal(np.signbit(ov.numpy()), np.signbit(tv.numpy()))
    finally:
        ot.set_num_threads(old)


def test_sort_many_long_rows():
    # Several long rows: rows run in parallel, each row's radix passes inside one pool thread.
    rng = np.random.default_rng(11)
    v = rng.standard_normal((3, 300000)).astype(np.float32)
    v[1, ::7] = v[1, 3]
    o, t = both(v)
    for desc in (False, True):
        ov, oi = o.sort(dim=1, descending=desc, stable=True)
        tv, ti = t.sort(dim=1, descending=desc, stable=True)
        assert_same(ov, tv, rtol=0, atol=0)
        assert_same(oi, ti)
    # A transposed input sorts its columns through a copy.
    ov, oi = o.t().sort(dim=0, stable=True)
    tv, ti = t.t().sort(dim=0, stable=True)
    assert_same(ov, tv, rtol=0, atol=0)
    assert_same(oi, ti)
