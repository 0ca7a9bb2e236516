"""Column reductions (reduced dims outside a kept innermost dim: ``x.sum(0)``, bias gradients,
batch means) and transposing copies, which take their own kernels: parity with torch over dtypes,
layouts, dims and sizes on both sides of the parallel thresholds."""
import numpy as np
import pytest
import torch

import oxytorch as ot

from parity import assert_same

SHAPES_DIMS = [
    ((7, 5), (0,)),
    ((64, 300), (0,)),           # tile tail (300 = 256 + 44)
    ((300, 257), (0,)),          # pairwise leaves and a tail tile
    ((3, 40, 33), (1,)),         # [a, r, n] with a > 1
    ((3, 40, 33), (0, 1)),
    ((6, 5, 4, 3), (0, 2)),      # not a single run: row path
    ((6, 5, 4, 3), (1, 2)),
    ((2, 1, 9, 1, 5), (0, 2)),   # size-1 dims anywhere
    ((513, 129), (0,)),
    ((1, 40), (0,)),
    ((40, 1), (0,)),
]
LAYOUTS = ["contiguous", "transposed", "permuted", "sliced"]
FLOATS = ["float16", "bfloat16", "float32", "float64"]
ALL = FLOATS + ["int8", "uint8", "int32", "int64", "bool", "complex64", "complex128"]


def _make(name, shape, layout, seed=0):
    rng = np.random.default_rng(seed)
    if name == "bool":
        a = rng.integers(0, 2, size=shape).astype(bool)
    elif name.startswith(("int", "uint")):
        a = rng.integers(-50 if name.startswith("int") else 0, 50, size=shape).astype(name)
    elif name.startswith("complex"):
        a = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(name)
    else:
        a = rng.standard_normal(shape).astype(np.float32 if name in ("float16", "bfloat16") else name)
    t = torch.from_numpy(np.ascontiguousarray(a)).to(getattr(torch, name))
    o = ot.from_numpy(np.ascontiguousarray(a)).to(getattr(ot, name))
    nd = len(shape)

    def lay(x):
        if layout == "transposed" and nd >= 2:
            return x.transpose(0, nd - 1).contiguous().transpose(0, nd - 1)
        if layout == "permuted" and nd >= 3:
            p = list(range(nd))[::-1]
            inv = list(np.argsort(p))
            return x.permute(*p).contiguous().permute(*inv)
        if layout == "sliced":
            return x.unsqueeze(-1).expand(*shape, 2).select(-1, 1)
        return x
    return lay(o), lay(t)


def _tol(name):
    return {"float16": (2e-3, 2e-3), "bfloat16": (2e-2, 2e-2)}.get(name, (1e-5, 1e-5))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape,dims", SHAPES_DIMS)
@pytest.mark.parametrize("name", ALL)
def test_sum_and_mean(name, shape, dims, layout):
    o, t = _make(name, shape, layout)
    rtol, atol = _tol(name)
    for keep in (False, True):
        assert_same(o.sum(dims, keepdim=keep), t.sum(dims, keepdim=keep), rtol=rtol, atol=atol * shape[dims[0]])
        if name in FLOATS or name.startswith("complex"):
            assert_same(o.mean(dims, keepdim=keep), t.mean(dims, keepdim=keep), rtol=rtol, atol=atol)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape,dims", SHAPES_DIMS)
@pytest.mark.parametrize("name", FLOATS + ["int8", "uint8", "int32", "int64", "bool"])
def test_amax_amin(name, shape, dims, layout):
    o, t = _make(name, shape, layout)
    for keep in (False, True):
        assert_same(o.amax(dims, keepdim=keep), t.amax(dims, keepdim=keep), exact=True)
        assert_same(o.amin(dims, keepdim=keep), t.amin(dims, keepdim=keep), exact=True)


@pytest.mark.parametrize("name", FLOATS)
def test_nan_handling(name):
    a = np.random.default_rng(3).standard_normal((70, 40)).astype(np.float32)
    a[5, 3] = a[60, 3] = np.nan
    a[:, 7] = np.nan
    a[10, 9] = np.inf
    a[11, 9] = -np.inf
    o = ot.from_numpy(a).to(getattr(ot, name))
    t = torch.from_numpy(a).to(getattr(torch, name))
    rtol, atol = _tol(name)
    for f in ("sum", "mean", "nansum", "nanmean", "amax", "amin"):
        assert_same(getattr(o, f)(0), getattr(t, f)(0), rtol=rtol, atol=atol * 70)
        assert_same(getattr(o.t(), f)(1), getattr(t.t(), f)(1), rtol=rtol, atol=atol * 70)


def test_signed_zero_and_large():
    a = -np.zeros((40, 3), np.float32)
    assert_same(ot.from_numpy(a).amax(0), torch.from_numpy(a).amax(0), exact=True)
    big = np.random.default_rng(1).standard_normal((2048, 600)).astype(np.float32)
    o, t = ot.from_numpy(big), torch.from_numpy(big)
    assert_same(o.sum(0), t.sum(0), rtol=1e-5, atol=1e-4)
    assert_same(o.mean(0, keepdim=True), t.mean(0, keepdim=True), rtol=1e-5, atol=1e-6)
    assert_same(o.amax(0), t.amax(0), exact=True)
    # float32 sums over many rows keep float32-level accuracy (pairwise over the reduced axis)
    ones = np.full((1 << 20, 2), 0.1, np.float32)
    s = ot.from_numpy(ones).sum(0).numpy()
    assert abs(s[0] - 0.1 * (1 << 20)) < 1.0


def test_out_dtype_and_grad():
    x = ot.randn(50, 30, dtype=ot.float64, requires_grad=True)
    xt = torch.from_numpy(x.detach().numpy()).requires_grad_()
    (x.sum(0) * ot.arange(30.0, dtype=ot.float64)).sum().backward()
    (xt.sum(0) * torch.arange(30.0, dtype=torch.float64)).sum().backward()
    assert_same(x.grad, xt.grad)
    assert_same(ot.ones(40, 3, dtype=ot.int32).sum(0, dtype=ot.float16), torch.ones(40, 3, dtype=torch.int32).sum(0, dtype=torch.float16))


COPY_CASES = [
    ((64, 48), (1, 0)),
    ((200, 301), (1, 0)),
    ((3, 100, 70), (0, 2, 1)),
    ((3, 100, 70), (2, 1, 0)),
    ((40, 3, 50), (2, 1, 0)),
    ((9, 9), (1, 0)),
    ((512, 512), (1, 0)),
]


@pytest.mark.parametrize("shape,perm", COPY_CASES)
@pytest.mark.parametrize("src,dst", [("float32", "float32"), ("float64", "float32"), ("int64", "float64"),
                                     ("float16", "float16"), ("bool", "int8"), ("complex64", "complex128"),
                                     ("int32", "int32"), ("uint8", "bfloat16")])
def test_transposing_copies(shape, perm, src, dst):
    o, t = _make(src, shape, "contiguous")
    po, pt = o.permute(*perm), t.permute(*perm)
    assert_same(po.contiguous(), pt.contiguous(), exact=True)
    assert_same(po.to(getattr(ot, dst)), pt.to(getattr(torch, dst)), exact=True)
    if po.dim() == 2:
        # copy_ into a transposed destination
        do = ot.zeros(po.shape, dtype=getattr(ot, dst)).t()
        dt_ = torch.zeros(pt.shape, dtype=getattr(torch, dst)).t()
        do.copy_(po.t())
        dt_.copy_(pt.t())
        assert_same(do, dt_, exact=True)


def test_nan_payload_survives_transposing_copy():
    a = np.full((64, 64), np.nan, np.float32)
    a.view(np.uint32)[3, 5] = 0x7FC01234
    o = ot.from_numpy(a).t().contiguous()
    assert o.numpy().view(np.uint32)[5, 3] == 0x7FC01234
