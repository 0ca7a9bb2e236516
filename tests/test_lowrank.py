"""torch.svd_lowrank / torch.pca_lowrank against torch with the same seed: the random test matrix is
drawn as torch draws it, so the singular values agree to rounding and the factors up to the signs
(phases) that any SVD leaves free: compared through U diag(S) V^H and |U^H U_torch|."""
import numpy as np
import pytest
import torch

import oxytorch as ot


def _np(t):
    return t.resolve_conj().numpy()


CASES = [((20, 8), "float32"), ((8, 20), "float64"), ((3, 10, 7), "float64"), ((12, 9), "complex64"),
         ((9, 12), "complex128")]
CALLS = [("svd_lowrank", {"q": 4}), ("svd_lowrank", {"q": 5, "niter": 0}), ("pca_lowrank", {}),
         ("pca_lowrank", {"q": 3, "center": False, "niter": 1})]


@pytest.mark.parametrize("shape,dt", CASES, ids=str)
@pytest.mark.parametrize("fn,kw", CALLS, ids=str)
def test_lowrank_matches_torch(shape, dt, fn, kw):
    rng = np.random.default_rng(len(shape) + shape[-1])
    a = rng.standard_normal(shape)
    if "complex" in dt:
        a = a + 1j * rng.standard_normal(shape)
    res = []
    for L in (torch, ot):
        L.manual_seed(3)
        res.append([_np(x) for x in getattr(L, fn)(L.tensor(a, dtype=getattr(L, dt)), **kw)])
    (ut, st, vt), (uo, so, vo) = res
    tol = 1e-3 if dt in ("float32", "complex64") else 1e-9
    assert uo.shape == ut.shape and so.shape == st.shape and vo.shape == vt.shape
    np.testing.assert_allclose(so, st, rtol=tol, atol=tol)
    rec = lambda u, s, v: (u * s[..., None, :]) @ np.conj(np.swapaxes(v, -1, -2))  # noqa: E731
    np.testing.assert_allclose(rec(uo, so, vo), rec(ut, st, vt), rtol=tol, atol=tol * 10)
    # same singular vectors up to a phase each (distinct singular values here)
    overlap = np.abs(np.einsum("...ik,...ik->...k", np.conj(uo), ut))
    np.testing.assert_allclose(overlap, np.ones_like(overlap), atol=tol * 10)


@pytest.mark.parametrize("kw", [{"q": 5}, {"q": -1}, {"niter": -1}], ids=str)
def test_pca_lowrank_errors(kw):
    with pytest.raises(ValueError) as et:
        torch.pca_lowrank(torch.ones(4, 3), **kw)
    with pytest.raises(ValueError) as eo:
        ot.pca_lowrank(ot.ones(4, 3), **kw)
    assert str(eo.value) == str(et.value)
