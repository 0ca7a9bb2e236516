"""The packed float32/float64 product kernel (rust/backend/cpu/blis.rs) at its block edges.

Shapes straddle the register tile (6 rows × 16 or 8 columns), the row block (144 / 72), the depth
block (256) and the thread split; operands come contiguous, transposed, strided and offset, and
the destination through ``out=`` with its own strides. Every result is compared with torch, and
with a float64 (or exact integer-valued) reference where rounding could hide a wrong tile.
"""
import numpy as np
import pytest
import torch

import oxytorch as ot
from parity import assert_same

SIZES = [1, 5, 6, 7, 16, 17, 73, 145, 260]
DEPTHS = [1, 3, 255, 257, 513]


def make(dtype, shape, seed, layout):
    """An (oxytorch, torch) pair of the given logical shape in the given memory layout."""
    rng = np.random.default_rng(seed)
    if layout == "t":
        v = rng.integers(-4, 5, shape[::-1]).astype(dtype)
        return ot.from_numpy(v.copy()).t(), torch.from_numpy(v.copy()).t()
    if layout == "strided":
        v = rng.integers(-4, 5, (shape[0] * 2 + 1, shape[1] * 3 + 2)).astype(dtype)
        o, t = ot.from_numpy(v.copy()), torch.from_numpy(v.copy())
        return o[1::2, 2::3], t[1::2, 2::3]
    v = rng.integers(-4, 5, shape).astype(dtype)
    return ot.from_numpy(v.copy()), torch.from_numpy(v.copy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("m", SIZES)
@pytest.mark.parametrize("n", [1, 8, 15, 16, 33, 145])
@pytest.mark.parametrize("k", DEPTHS)
def test_mm_edges_exact(dtype, m, n, k):
    # Small integer values: every partial sum is exact, so tile or block mistakes show as inequality.
    a, ta = make(dtype, (m, k), m * 1000 + k, "c")
    b, tb = make(dtype, (k, n), n * 1000 + k + 1, "c")
    assert_same(a @ b, ta @ tb, rtol=0, atol=0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("la", ["c", "t", "strided"])
@pytest.mark.parametrize("lb", ["c", "t", "strided"])
@pytest.mark.parametrize("mnk", [(7, 9, 5), (150, 70, 300), (300, 33, 257), (64, 520, 129)])
def test_mm_layouts(dtype, la, lb, mnk):
    m, n, k = mnk
    a, ta = make(dtype, (m, k), 1, la)
    b, tb = make(dtype, (k, n), 2, lb)
    assert_same(ot.mm(a, b), torch.mm(ta, tb), rtol=0, atol=0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("dst", ["c", "t", "strided"])
@pytest.mark.parametrize("beta,alpha", [(1, 1), (0, 1), (0.5, 2), (2, -1.5)])
@pytest.mark.parametrize("mnk", [(13, 21, 300), (150, 40, 31)])
def test_addmm_out_layouts(dtype, dst, beta, alpha, mnk):
    m, n, k = mnk
    a, ta = make(dtype, (m, k), 3, "c")
    b, tb = make(dtype, (k, n), 4, "t")
    c, tc = make(dtype, (m, n), 5, dst)
    if beta == 0:
        c.fill_(float("nan"))
        tc.fill_(float("nan"))
    exp = torch.addmm(tc, ta, tb, beta=beta, alpha=alpha)
    got = ot.addmm(c, a, b, beta=beta, alpha=alpha)
    assert_same(got, exp, rtol=0, atol=0)
    # In place into the strided view, which must write only its own elements.
    c.addmm_(a, b, beta=beta, alpha=alpha)
    tc.addmm_(ta, tb, beta=beta, alpha=alpha)
    assert_same(c, tc, rtol=0, atol=0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(1024, 1024, 1024), (4096, 8, 300), (5, 5000, 64), (2, 3, 70000)])
def test_mm_large_random(dtype, shape):
    m, k, n = shape
    rng = np.random.default_rng(7)
    va = rng.standard_normal((m, k)).astype(dtype)
    vb = rng.standard_normal((k, n)).astype(dtype)
    got = (ot.from_numpy(va) @ ot.from_numpy(vb)).numpy()
    ref = va.astype(np.float64) @ vb.astype(np.float64)
    exp = (torch.from_numpy(va) @ torch.from_numpy(vb)).numpy()
    scale = np.sqrt(k)
    tol = (2e-6 if dtype == "float32" else 1e-14) * scale * 4
    assert np.abs(got - ref).max() <= tol * max(1.0, np.abs(ref).max() / scale)
    # As close to the float64 reference as torch's own result is, within a small factor.
    err_ot = np.abs(got - ref).max()
    err_t = np.abs(exp - ref).max()
    assert err_ot <= 4 * err_t + (1e-30 if dtype == "float64" else 1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bshape", [(64, 128, 128, 128), (3, 150, 260, 70), (1000, 8, 8, 8)])
def test_bmm_and_broadcast(dtype, bshape):
    bsz, m, k, n = bshape
    a, ta = make(dtype, (bsz * m, k), 11, "c")
    b, tb = make(dtype, (bsz * k, n), 12, "c")
    a, ta = a.reshape(bsz, m, k), ta.reshape(bsz, m, k)
    b, tb = b.reshape(bsz, k, n), tb.reshape(bsz, k, n)
    assert_same(ot.bmm(a, b), torch.bmm(ta, tb), rtol=0, atol=0)
    # A transposed batch operand and a broadcast (stride-0) one.
    assert_same(a @ b.mT.contiguous().mT, ta @ tb.mT.contiguous().mT, rtol=0, atol=0)
    assert_same(a @ b[:1].expand_as(b), ta @ tb[:1].expand_as(tb), rtol=0, atol=0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_special_values(dtype):
    # inf and nan travel through the tiles as in torch; padding lanes never leak into results.
    a = np.ones((7, 300), dtype)
    b = np.ones((300, 17), dtype)
    a[2, 5] = np.inf
    a[4, 299] = np.nan
    b[7, 3] = -np.inf
    got = ot.from_numpy(a) @ ot.from_numpy(b)
    exp = torch.from_numpy(a) @ torch.from_numpy(b)
    assert_same(got, exp, rtol=0, atol=0)


def test_threads_agree():
    # One thread and the pool give the same float64 results (the split never changes the order of
    # a tile's sum over k).
    rng = np.random.default_rng(3)
    va = rng.standard_normal((300, 700))
    vb = rng.standard_normal((700, 290))
    prev = ot.get_num_threads()
    try:
        ot.set_num_threads(1)
        one = (ot.from_numpy(va) @ ot.from_numpy(vb)).numpy()
        ot.set_num_threads(max(2, prev))
        many = (ot.from_numpy(va) @ ot.from_numpy(vb)).numpy()
    finally:
        ot.set_num_threads(prev)
    assert np.array_equal(one, many)
