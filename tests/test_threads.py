"""torch.set_num_threads / get_num_threads: the intra-op pool size, torch's argument errors, and
results that do not depend on the thread count (parallel kernels split work, never reorder it)."""
import numpy as np
import pytest
import torch

import oxytorch as ot
from parity import assert_raises_same


@pytest.fixture
def restore_threads():
    n0, t0 = ot.get_num_threads(), torch.get_num_threads()
    yield
    ot.set_num_threads(n0)
    torch.set_num_threads(t0)


def test_get_set_roundtrip(restore_threads):
    assert isinstance(ot.get_num_threads(), int) and ot.get_num_threads() >= 1
    for n in [1, 2, 3, 1]:
        ot.set_num_threads(n)
        assert ot.get_num_threads() == n


@pytest.mark.parametrize("bad", [0, -1, 2.5, "a", True, None])
def test_bad_arguments(bad, restore_threads):
    assert_raises_same(lambda: ot.set_num_threads(bad), lambda: torch.set_num_threads(bad))
    assert ot.get_num_threads() >= 1


# Sizes above every kernel's parallel threshold, so two threads really split the work.
PARALLEL_OPS = {
    "add": lambda L, a, b: a + b,
    "a*b+c": lambda L, a, b: a * b + a,
    "exp": lambda L, a, b: a.exp(),
    "add_alpha": lambda L, a, b: a.add(b, alpha=0.3),
    "lerp": lambda L, a, b: L.lerp(a, b, 0.7),
    "clamp": lambda L, a, b: a.clamp(-0.5, 0.5),
    "transposed_add": lambda L, a, b: a.reshape(1024, -1).t() + b.reshape(1024, -1).t(),
    "sum_dim": lambda L, a, b: a.reshape(1024, -1).sum(1),
    "matmul": lambda L, a, b: a[: 256 * 256].reshape(256, 256) @ b[: 256 * 256].reshape(256, 256),
    "softmax": lambda L, a, b: a.reshape(1024, -1).softmax(-1),
}


@pytest.mark.parametrize("case", list(PARALLEL_OPS))
def test_results_do_not_depend_on_thread_count(case, restore_threads):
    rng = np.random.default_rng(7)
    na, nb = rng.standard_normal(1 << 20).astype(np.float32), rng.standard_normal(1 << 20).astype(np.float32)
    f = PARALLEL_OPS[case]
    got = []
    for n in [1, 2, 4]:
        ot.set_num_threads(n)
        got.append(np.ascontiguousarray(f(ot, ot.from_numpy(na), ot.from_numpy(nb)).numpy()))
    for g in got[1:]:
        assert np.array_equal(g.view(np.uint8), got[0].view(np.uint8)), case
    # and the values are torch's
    ref = f(torch, torch.from_numpy(na), torch.from_numpy(nb)).numpy()
    np.testing.assert_allclose(got[0], ref, rtol=1e-5, atol=1e-4)
