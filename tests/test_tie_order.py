"""Which of several equal elements torch reports: unstable sort/argsort, topk, kthvalue, mode,
median and msort pick tied elements by the exact steps of torch's CPU kernels (libstdc++'s
introsort / introselect / heap select and ATen's quickselect). Compared index for index."""
import numpy as np
import pytest
import torch

import oxytorch as ot

DTYPES = ["float64", "float32", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8"]
SIZES = [1, 2, 5, 16, 17, 18, 33, 64, 65, 130, 1000]


def data(n, dtype, seed, rows=3, nan=True):
    rng = np.random.default_rng(seed)
    x = rng.integers(-2, 3, size=(rows, n)).astype(np.float64)
    if dtype.startswith("float") or dtype == "bfloat16":
        if nan and n > 2:
            x[0, rng.integers(0, n, size=2)] = np.nan
        if n > 3:
            x[1, rng.integers(0, n)] = -0.0
            x[1, rng.integers(0, n)] = 0.0
            x[2, rng.integers(0, n)] = np.inf
    elif dtype == "uint8":
        x = np.abs(x)
    return torch.tensor(x).to(getattr(torch, dtype))


def pair(t):
    return t, ot.from_numpy(t.float().numpy()).to(getattr(ot, str(t.dtype).split(".")[1])) if t.dtype == torch.bfloat16 else ot.from_numpy(t.numpy().copy())


def same(a, b):
    assert a.tolist() == b.tolist()


def same_values(a, b):
    # -0.0 and +0.0 compared by sign too; NaNs by position (their payloads come from the test data)
    if a.dtype == torch.bfloat16:
        a = a.float()
        b = b.float()
    an, bn = a.numpy(), b.numpy()
    assert an.dtype == bn.dtype
    assert np.array_equal(an, bn, equal_nan=an.dtype.kind == "f")
    if an.dtype.kind == "f":
        real = ~np.isnan(an)
        assert np.array_equal(np.signbit(an[real]), np.signbit(bn[real]))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("descending", [False, True])
def test_unstable_sort_ties(dtype, n, descending):
    t, o = pair(data(n, dtype, n))
    rt, ro = torch.sort(t, dim=1, descending=descending), ot.sort(o, dim=1, descending=descending)
    same(rt.indices, ro.indices)
    same_values(rt.values, ro.values)
    same(torch.argsort(t, dim=1, descending=descending), ot.argsort(o, dim=1, descending=descending))
    # along dim 0 of the transposed layout
    same(torch.sort(t.t(), dim=0, descending=descending).indices, ot.sort(o.t(), dim=0, descending=descending).indices)
    # stable=True keeps input order
    same(torch.sort(t, dim=1, descending=descending, stable=True).indices, ot.sort(o, dim=1, descending=descending, stable=True).indices)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float32"])
@pytest.mark.parametrize("n", [32767, 32768, 40000])
def test_sort_1d_large_int_radix_path(dtype, n):
    # torch's 1-D ascending integer sort of >= 2^15 elements is a stable radix sort.
    rng = np.random.default_rng(n)
    t = torch.tensor(rng.integers(0, 3, size=n)).to(getattr(torch, dtype))
    o = ot.from_numpy(t.numpy().copy())
    same(torch.sort(t).indices, ot.sort(o).indices)
    same(torch.sort(t, descending=True).indices, ot.sort(o, descending=True).indices)
    same(torch.sort(t.view(1, -1)).indices, ot.sort(o.view(1, -1)).indices)


def test_msort_signed_zeros():
    x = torch.tensor([0.0, -0.0, 1.0, -0.0, 0.0] * 5).view(25, 1).repeat(1, 3)
    same_values(torch.msort(x), ot.msort(ot.from_numpy(x.numpy().copy())))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("sorted_", [True, False])
def test_topk_ties(dtype, n, largest, sorted_):
    t, o = pair(data(n, dtype, 100 + n))
    for k in sorted({1, 2, n // 64, n // 3, n // 2, n - 1, n} & set(range(0, n + 1))):
        rt = torch.topk(t, k, dim=1, largest=largest, sorted=sorted_)
        ro = ot.topk(o, k, dim=1, largest=largest, sorted=sorted_)
        same(rt.indices, ro.indices)
        same_values(rt.values, ro.values)
    rt, ro = torch.topk(t.t(), max(1, n // 2), dim=0, largest=largest), ot.topk(o.t(), max(1, n // 2), dim=0, largest=largest)
    same(rt.indices, ro.indices)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
def test_kthvalue_ties(dtype, n):
    t = data(n, dtype, 200 + n)
    t, o = pair(t)
    for k in sorted({1, 2, n // 3, (n + 1) // 2, n} & set(range(1, n + 1))):
        rt, ro = torch.kthvalue(t, k, dim=1), ot.kthvalue(o, k, dim=1)
        same(rt.indices, ro.indices)
        same_values(rt.values, ro.values)
        same(torch.kthvalue(t.t(), k, dim=0, keepdim=True).indices, ot.kthvalue(o.t(), k, dim=0, keepdim=True).indices)


@pytest.mark.parametrize("dtype", DTYPES + ["bool"])
@pytest.mark.parametrize("n", SIZES)
def test_mode_median_ties(dtype, n):
    t = data(n, "float64", 300 + n) > 0 if dtype == "bool" else data(n, dtype, 300 + n)
    t, o = pair(t)
    rt, ro = torch.mode(t, 1), ot.mode(o, 1)
    same(rt.indices, ro.indices)
    same_values(rt.values, ro.values)
    same(torch.mode(t.t(), 0).indices, ot.mode(o.t(), 0).indices)
    if dtype != "bool":
        for name in ["median", "nanmedian"]:
            rt, ro = getattr(torch, name)(t, 1), getattr(ot, name)(o, 1)
            same(rt.indices, ro.indices)
            same_values(rt.values, ro.values)


def test_topk_grad_goes_to_torch_choice():
    x = [[1.0, 2.0, 2.0, 1.0, 2.0] * 5]
    t, o = torch.tensor(x, requires_grad=True), ot.tensor(x, requires_grad=True)
    torch.topk(t, 7).values.sum().backward()
    ot.topk(o, 7).values.sum().backward()
    assert t.grad.tolist() == o.grad.tolist()


@pytest.mark.parametrize(
    "fn",
    [
        lambda L, x: L.kthvalue(x, 1, 1),
        lambda L, x: L.topk(x, 1),
        lambda L, x: L.median(x),
        lambda L, x: L.median(x, 1),
        lambda L, x: L.nanmedian(x),
        lambda L, x: L.nanmedian(x, 0),
    ],
)
def test_bool_rejections(fn):
    errs = []
    for L in (torch, ot):
        with pytest.raises(Exception) as e:
            fn(L, L.tensor([[True, False, True]]))
        errs.append((type(e.value), str(e.value)))
    assert errs[0] == errs[1]
