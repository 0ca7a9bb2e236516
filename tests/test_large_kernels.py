"""The large-input paths of indexing, nonzero, arg-reductions and sorting against real torch.

These kernels switch to fused, multi-threaded or SIMD code above a size threshold (32k elements for
most, 2 x 65536 per row for the parallel radix sort), so the inputs here are large, and every test
runs with 1 and 4 pool threads: results must not depend on how the work is split.
"""
import math

import numpy as np
import pytest
import torch

import oxytorch as ot
from parity import assert_raises_same, assert_same

N = 1 << 17  # above every parallel threshold

THREADS = [1, 4]


@pytest.fixture(params=THREADS, ids=lambda n: f"threads{n}")
def threads(request):
    before = ot.get_num_threads()
    ot.set_num_threads(request.param)
    yield request.param
    ot.set_num_threads(before)


def pair(arr):
    return ot.from_numpy(arr.copy()), torch.from_numpy(arr.copy())


RNG = np.random.default_rng(7)
SRC_DTYPES = {
    "float32": lambda n: RNG.standard_normal(n).astype(np.float32),
    "float64": lambda n: RNG.standard_normal(n),
    "int64": lambda n: RNG.integers(-1000, 1000, n),
    "int8": lambda n: RNG.integers(-100, 100, n).astype(np.int8),
    "bool": lambda n: RNG.standard_normal(n) > 0,
    "float16": lambda n: RNG.standard_normal(n).astype(np.float16),
    "complex64": lambda n: (RNG.standard_normal(n) + 1j * RNG.standard_normal(n)).astype(np.complex64),
}


# ---------------------------------------------------------------- x[idx], take, index_select, gather

@pytest.mark.parametrize("dt", list(SRC_DTYPES))
def test_integer_index_large(threads, dt):
    o, t = pair(SRC_DTYPES[dt](N))
    idx = RNG.integers(-N, N, N + 123)
    oi, ti = pair(idx)
    assert_same(o[oi], t[ti])
    # int32 indices, a strided index and a strided source
    assert_same(o[oi.to(ot.int32)], t[ti.to(torch.int32)])
    assert_same(o[oi[::3]], t[ti[::3]])
    assert_same(o[::2][oi[oi.abs() < N // 2]], t[::2][ti[ti.abs() < N // 2]])
    # a 2-D index gives a 2-D result
    assert_same(o[oi[:N].reshape(256, -1)], t[ti[:N].reshape(256, -1)])


def test_integer_index_around_unit_dims(threads):
    o, t = pair(RNG.standard_normal((1, N, 1)).astype(np.float32))
    oi, ti = pair(RNG.integers(0, N, 5000))
    assert_same(o[:, oi], t[:, ti])
    assert_same(o[0, oi], t[0, ti])
    assert_same(o[:, oi, 0], t[:, ti, 0])
    o2, t2 = pair(RNG.standard_normal((N, 1)).astype(np.float32))
    assert_same(o2[oi], t2[ti])
    assert_same(o2.t()[:, oi], t2.t()[:, ti])


@pytest.mark.parametrize("bad", [N, -N - 1, 2 ** 40, -(2 ** 62)])
@pytest.mark.parametrize("where", [0, N // 2, N - 1])
def test_integer_index_out_of_range(threads, bad, where):
    o, t = pair(np.arange(N, dtype=np.float32))
    idx = RNG.integers(0, N, N)
    idx[where] = bad  # one bad index: which one torch names among several depends on its threads
    oi, ti = pair(idx)
    assert_raises_same(lambda: o[oi], lambda: t[ti], check_message=True)
    assert_raises_same(lambda: o.take(oi), lambda: t.take(ti), check_message=True)
    assert_raises_same(lambda: o.index_select(0, oi), lambda: t.index_select(0, ti), check_message=True)
    assert_raises_same(lambda: o.gather(0, oi), lambda: t.gather(0, ti), check_message=True)
    assert_raises_same(lambda: o[oi.reshape(1, -1)], lambda: t[ti.reshape(1, -1)], check_message=True)


def test_index_into_empty_and_with_empty(threads):
    o, t = pair(np.zeros(0, dtype=np.float32))
    assert_same(o[ot.tensor([], dtype=ot.int64)], t[torch.tensor([], dtype=torch.int64)])
    assert_raises_same(lambda: o[ot.tensor([0])], lambda: t[torch.tensor([0])], check_message=True)
    o, t = pair(np.arange(10, dtype=np.float32))
    assert_same(o[ot.zeros(0, 3, dtype=ot.int64)], t[torch.zeros(0, 3, dtype=torch.int64)])


@pytest.mark.parametrize("dt", ["float32", "int64", "complex64"])
def test_take_and_index_select_large(threads, dt):
    o, t = pair(SRC_DTYPES[dt](N).reshape(512, -1))
    idx = RNG.integers(-N, N, 70000)
    oi, ti = pair(idx)
    assert_same(o.take(oi), t.take(ti))
    assert_same(o.t().take(oi), t.t().take(ti))  # a non-contiguous source is flattened row-major
    cols = RNG.integers(0, o.shape[1], 3000)
    oc, tc = pair(cols)
    assert_same(o.index_select(1, oc), t.index_select(1, tc))
    assert_same(o.t().index_select(0, oc), t.t().index_select(0, tc))
    assert_same(o[:, oc], t[:, tc])
    assert_same(o[oc[:400]], t[tc[:400]])
    og, tg = pair(RNG.integers(0, 512, (512, 256)))
    assert_same(o.gather(0, og), t.gather(0, tg))
    og, tg = pair(RNG.integers(0, 256, (400, 256)))
    assert_same(o.gather(1, og), t.gather(1, tg))
    assert_raises_same(lambda: o.index_select(1, -oc - 1), lambda: t.index_select(1, -tc - 1), check_message=True)


# ---------------------------------------------------------------- masks and nonzero

@pytest.mark.parametrize("dt", list(SRC_DTYPES))
def test_mask_select_large(threads, dt):
    o, t = pair(SRC_DTYPES[dt](N).reshape(256, -1))
    m = RNG.standard_normal(o.shape) > 0.3
    om, tm = pair(m)
    assert_same(o[om], t[tm])
    assert_same(o.t()[om.t()], t.t()[tm.t()])
    assert_same(o[:, om[0]], t[:, tm[0]])
    assert_same(o[om[:, 0]], t[tm[:, 0]])
    assert_same(o.masked_select(om), t.masked_select(tm))
    assert_same(o.masked_select(om[0]), t.masked_select(tm[0]))  # broadcast mask


def test_mask_shape_mismatch(threads):
    o, t = pair(np.zeros((4, 5), dtype=np.float32))
    for shape in [(5, 4), (4, 4), (20,)]:
        om, tm = pair(np.ones(shape, dtype=bool))
        assert_raises_same(lambda: o[om], lambda: t[tm], check_message=True)


@pytest.mark.parametrize("shape", [(N,), (256, 512), (32, 64, 64), (2, 3, 4, 5, 6, 7, 8)])
@pytest.mark.parametrize("density", [0.0, 0.01, 0.5, 1.0])
def test_nonzero_large(threads, shape, density):
    arr = RNG.random(shape) < density
    o, t = pair(arr)
    assert_same(o.nonzero(), t.nonzero())
    assert_same(ot.argwhere(o), torch.argwhere(t))
    for a, b in zip(o.nonzero(as_tuple=True), t.nonzero(as_tuple=True)):
        assert_same(a, b)
    if len(shape) > 1:
        assert_same(o.transpose(0, -1).nonzero(), t.transpose(0, -1).nonzero())


@pytest.mark.parametrize("dt", ["float32", "float64", "int8", "int64", "float16", "complex64", "uint8"])
def test_nonzero_values(threads, dt):
    base = RNG.standard_normal(N)
    base[RNG.random(N) < 0.4] = 0
    arr = base.astype(np.float64)
    if dt.startswith("float"):
        arr[::1000] = np.nan
        arr[1::1000] = -0.0
        arr[2::1000] = np.inf
    if dt == "complex64":
        arr = arr + 1j * np.where(RNG.random(N) < 0.1, 1.0, 0.0)
    arr = arr.astype(getattr(np, dt))
    o, t = pair(arr)
    assert_same(o.nonzero(), t.nonzero())
    assert ot.count_nonzero(o).item() == torch.count_nonzero(t).item()


def test_nonzero_zero_d_and_empty():
    for v in (0.0, 2.0):
        assert_same(ot.tensor(v).nonzero(), torch.tensor(v).nonzero())
    assert_same(ot.zeros(3, 0).nonzero(), torch.zeros(3, 0).nonzero())


# ---------------------------------------------------------------- max / argmax over long rows

def arg_inputs(dt):
    n = 4096 + 13
    a = RNG.standard_normal((64, n))
    a[1, :] = 0.0                       # all equal: the first index
    a[2, 100:] = a[2, :100].max()       # ties with an earlier maximum
    a[3, 700] = np.nan                  # a NaN wins
    a[4, 50] = np.nan
    a[4, 20] = np.nan                   # the first NaN wins
    a[5, :] = -0.0
    a[5, 9] = 0.0                       # -0 == +0: the first of them
    a[6, -1] = 1e30                     # the maximum is in the remainder lanes
    a[7, :] = np.inf
    a[8, :] = -np.inf
    a[9, ::17] = 5.0                    # repeated maxima in several lanes
    if dt in ("int64", "int32", "int8", "uint8"):
        a = np.nan_to_num(a * 40, posinf=100, neginf=-100).clip(-120, 120)
    return a.astype(getattr(np, dt))


@pytest.mark.parametrize("dt", ["float32", "float64", "float16", "int64", "int32", "int8", "uint8"])
def test_arg_extremes_long_rows(threads, dt):
    o, t = pair(arg_inputs(dt))
    for dim in (1, 0, None):
        for op in ("argmax", "argmin"):
            assert_same(getattr(o, op)(dim=dim), getattr(t, op)(dim=dim))
    for op in ("max", "min"):
        vo, io = getattr(o, op)(dim=1)
        vt, it = getattr(t, op)(dim=1)
        assert_same(vo, vt)
        assert_same(io, it)
        assert_same(getattr(o, op)(), getattr(t, op)())
    assert_same(o.amax(1), t.amax(1))
    assert_same(o.t().argmax(0), t.t().argmax(0))


def test_arg_extremes_one_long_row(threads):
    # one row long enough to be split across the pool; ties across the pieces
    a = np.zeros(1 << 20, dtype=np.float32)
    a[[5, 300000, 900000]] = 3.0
    o, t = pair(a)
    assert_same(o.argmax(), t.argmax())
    a[600000] = np.nan
    a[800000] = np.nan
    o, t = pair(a)
    assert_same(o.argmax(), t.argmax())
    assert_same(o.argmin(), t.argmin())
    assert_same(o.max(), t.max())


@pytest.mark.parametrize("dt", ["float32", "bfloat16"])
def test_max_sum_mean_long(threads, dt):
    a = RNG.standard_normal(1 << 20).astype(np.float32)
    o, t = ot.from_numpy(a).to(getattr(ot, dt)), torch.from_numpy(a).to(getattr(torch, dt))
    assert_same(o.max(), t.max())
    assert_same(o.min(), t.min())
    # float32 accumulation in a different order: a bfloat16 sum may land one ulp away
    assert_same(o.sum(), t.sum(), rtol=1e-5 if dt == "float32" else 1e-2, atol=1e-3)
    a[12345] = np.nan
    o, t = ot.from_numpy(a).to(getattr(ot, dt)), torch.from_numpy(a).to(getattr(torch, dt))
    assert math.isnan(o.max().item()) and math.isnan(t.max().item())
    assert math.isnan(o.min().item())


# ---------------------------------------------------------------- sort of long rows

SORT_INPUTS = {
    "float32": lambda n: RNG.standard_normal(n).astype(np.float32),
    "float32_ties": lambda n: RNG.integers(-50, 50, n).astype(np.float32),
    "float32_specials": lambda n: RNG.choice(np.array([np.nan, -np.inf, np.inf, 0.0, -0.0, 1.0, -1.0], dtype=np.float32), n),
    "float64": lambda n: RNG.standard_normal(n),
    "int64": lambda n: RNG.integers(-(2 ** 62), 2 ** 62, n),
    "int32_ties": lambda n: RNG.integers(0, 7, n).astype(np.int32),
    "int16": lambda n: RNG.integers(-30000, 30000, n).astype(np.int16),
    "uint8": lambda n: RNG.integers(0, 255, n).astype(np.uint8),
    "float16": lambda n: RNG.standard_normal(n).astype(np.float16),
}


@pytest.mark.parametrize("kind", list(SORT_INPUTS))
@pytest.mark.parametrize("descending", [False, True])
def test_sort_long_row_stable(threads, kind, descending):
    o, t = pair(SORT_INPUTS[kind](300001))
    vo, io = o.sort(descending=descending, stable=True)
    vt, it = t.sort(descending=descending, stable=True)
    assert_same(vo, vt)
    assert_same(io, it)
    assert_same(o.argsort(descending=descending, stable=True), t.argsort(descending=descending, stable=True))


def test_sort_constant_and_sorted_rows(threads):
    for arr in (np.full(200000, 3.0, dtype=np.float32), np.arange(200000, dtype=np.float32),
                np.arange(200000, 0, -1).astype(np.int64)):
        o, t = pair(arr)
        for desc in (False, True):
            vo, io = o.sort(descending=desc, stable=True)
            vt, it = t.sort(descending=desc, stable=True)
            assert_same(vo, vt)
            assert_same(io, it)
