"""nn.functional losses and their nn modules (api2): values, grads and errors against real torch."""
import numpy as np
import pytest
import torch

import oxytorch as ot

RNG = np.random.default_rng(0)
A = RNG.standard_normal((4, 5))
B = RNG.standard_normal((4, 5))
C = RNG.standard_normal((4, 5))
V = RNG.standard_normal(4)
W = RNG.standard_normal(4)
SIGN4 = np.array([1.0, -1.0, -1.0, 1.0])
POS = np.abs(RNG.standard_normal((4, 5))) + 0.1
COUNTS = RNG.integers(0, 5, (4, 5)).astype(np.float64)
BIN = (RNG.random((4, 5)) > 0.5).astype(np.float64)
CLS = np.array([0, 4, 2, 1])
ML_T = np.array([[3, 0, -1, 1, 2], [1, 2, 3, 4, 0], [-1, 0, 1, 2, 3], [4, -1, 2, 2, 2]])


def _conv(v, lib, grad):
    if isinstance(v, np.ndarray):
        if v.dtype.kind in "iu":
            return lib.tensor(v)
        return lib.tensor(v, dtype=lib.float64, requires_grad=grad)
    return v


# name, positional arrays (the float ones get grads), kwargs
CASES = [
    ("margin_ranking_loss", (V, W, SIGN4), {}),
    ("margin_ranking_loss", (V, W, SIGN4), {"margin": 0.5}),
    ("hinge_embedding_loss", (A, np.where(BIN > 0, 1.0, -1.0)), {}),
    ("hinge_embedding_loss", (A, np.where(BIN > 0, 1.0, -1.0)), {"margin": 0.3}),
    ("soft_margin_loss", (A, np.where(BIN > 0, 1.0, -1.0)), {}),
    ("cosine_embedding_loss", (A, B, SIGN4), {}),
    ("cosine_embedding_loss", (A, B, SIGN4), {"margin": 0.2}),
    ("cosine_embedding_loss", (A[0], B[0], np.array(-1.0)), {"margin": -0.5}),
    ("poisson_nll_loss", (A, COUNTS), {}),
    ("poisson_nll_loss", (POS, COUNTS), {"log_input": False}),
    ("poisson_nll_loss", (A, COUNTS), {"full": True}),
    ("poisson_nll_loss", (POS, COUNTS), {"log_input": False, "full": True, "eps": 1e-3}),
    ("gaussian_nll_loss", (A, B, POS), {}),
    ("gaussian_nll_loss", (A, B, POS), {"full": True}),
    ("gaussian_nll_loss", (A, B, POS[:, 0]), {}),
    ("gaussian_nll_loss", (A, B, POS[:, :1]), {}),
    ("gaussian_nll_loss", (A, B, POS * 1e-8), {"eps": 1e-4}),
    ("multilabel_soft_margin_loss", (A, BIN), {}),
    ("multilabel_soft_margin_loss", (A, BIN), {"weight": np.abs(B[0])}),
    ("multi_margin_loss", (A, CLS), {}),
    ("multi_margin_loss", (A, CLS), {"p": 2, "margin": 0.7}),
    ("multi_margin_loss", (A, CLS), {"weight": np.abs(B[0])}),
    ("multi_margin_loss", (A[0], np.array([3])), {}),
    ("multilabel_margin_loss", (A, ML_T), {}),
    ("multilabel_margin_loss", (A[0], ML_T[0]), {}),
    ("triplet_margin_loss", (A, B, C), {}),
    ("triplet_margin_loss", (A, B, C), {"margin": 2.0, "p": 1, "swap": True}),
    ("triplet_margin_loss", (A[0], B[0], C[0]), {"eps": 1e-3}),
    ("triplet_margin_with_distance_loss", (A, B, C), {}),
    ("triplet_margin_with_distance_loss", (A, B, C), {"swap": True, "margin": 3.0}),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_loss_values_grads(case, reduction):
    name, args, kw = CASES[case]
    ta = [_conv(a, torch, True) for a in args]
    oa = [_conv(a, ot, True) for a in args]
    if name in ("soft_margin_loss", "multilabel_soft_margin_loss"):  # torch: not differentiable w.r.t. target
        ta[1], oa[1] = ta[1].detach(), oa[1].detach()
    tk = {k: _conv(v, torch, False) for k, v in kw.items()}
    ok = {k: _conv(v, ot, False) for k, v in kw.items()}
    rt = getattr(torch.nn.functional, name)(*ta, reduction=reduction, **tk)
    ro = getattr(ot.nn.functional, name)(*oa, reduction=reduction, **ok)
    assert tuple(ro.shape) == tuple(rt.shape)
    assert str(ro.dtype) == str(rt.dtype)
    np.testing.assert_allclose(np.asarray(ro.detach().numpy()), rt.detach().numpy(), rtol=1e-10, atol=1e-12)
    gt = torch.linspace(0.5, 1.5, rt.numel(), dtype=torch.float64).reshape(rt.shape)
    go = ot.linspace(0.5, 1.5, rt.numel(), dtype=ot.float64).reshape(tuple(rt.shape))
    (rt * gt).sum().backward()
    (ro * go).sum().backward()
    for x, y in zip(oa, ta):
        if isinstance(y, torch.Tensor) and y.requires_grad:
            assert (x.grad is None) == (y.grad is None)
            if y.grad is not None:
                np.testing.assert_allclose(np.asarray(x.grad.numpy()), y.grad.numpy(), rtol=1e-9, atol=1e-12)


MODULES = [
    ("MarginRankingLoss", {"margin": 0.1}, 0), ("HingeEmbeddingLoss", {"margin": 0.5}, 2),
    ("SoftMarginLoss", {}, 2), ("CosineEmbeddingLoss", {"margin": 0.1}, 5), ("PoissonNLLLoss", {"full": True}, 8),
    ("GaussianNLLLoss", {"full": True}, 12), ("MultiLabelSoftMarginLoss", {}, 17), ("MultiMarginLoss", {"p": 2}, 19),
    ("MultiLabelMarginLoss", {}, 23), ("TripletMarginLoss", {"swap": True}, 25),
    ("TripletMarginWithDistanceLoss", {"swap": True}, 28),
]


@pytest.mark.parametrize("name,kw,case", MODULES, ids=[m[0] for m in MODULES])
def test_modules(name, kw, case):
    _, args, _ = CASES[case]
    for red in ("mean", "sum", "none"):
        mt = getattr(torch.nn, name)(reduction=red, **kw)
        mo = getattr(ot.nn, name)(reduction=red, **kw)
        rt = mt(*[_conv(a, torch, False) for a in args])
        ro = mo(*[_conv(a, ot, False) for a in args])
        np.testing.assert_allclose(np.asarray(ro.numpy()), rt.numpy(), rtol=1e-10, atol=1e-12)
        assert repr(mo) == repr(mt)


ERRORS = [
    ("margin_ranking_loss", (V, W, SIGN4[:, None]), {}),
    ("margin_ranking_loss", (V, W, SIGN4), {"reduction": "bad"}),
    ("cosine_embedding_loss", (A, B, np.ones((4, 1))), {}),
    ("cosine_embedding_loss", (A[0], B[0], SIGN4), {}),
    ("cosine_embedding_loss", (A, B, np.array(1.0)), {}),
    ("poisson_nll_loss", (A, COUNTS), {"reduction": "bad"}),
    ("gaussian_nll_loss", (A, B, -POS), {}),
    ("gaussian_nll_loss", (A, B, POS[:2]), {}),
    ("gaussian_nll_loss", (A, B, POS), {"reduction": "x"}),
    ("gaussian_nll_loss", (A, B, -1.0), {}),
    ("multilabel_soft_margin_loss", (A, BIN), {"reduction": "x"}),
    ("multi_margin_loss", (A, CLS), {"p": 3}),
    ("multi_margin_loss", (A, CLS), {"weight": A}),
    ("multi_margin_loss", (A, np.array([0, 5, 1, 1])), {}),
    ("multi_margin_loss", (A, np.array([0, 1])), {}),
    ("triplet_margin_loss", (A, B, C[0]), {}),
    ("triplet_margin_with_distance_loss", (A, B, C), {"margin": 0.0}),
    ("triplet_margin_with_distance_loss", (A, B, C), {"reduction": "q"}),
    ("triplet_margin_with_distance_loss", (A, B[0], C), {}),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors(case):
    name, args, kw = ERRORS[case]
    with pytest.raises(Exception) as et:
        getattr(torch.nn.functional, name)(*[_conv(a, torch, False) for a in args], **kw)
    with pytest.raises(Exception) as eo:
        getattr(ot.nn.functional, name)(*[_conv(a, ot, False) for a in args], **kw)
    assert type(eo.value) is type(et.value)
    assert str(eo.value) == str(et.value)


def test_float32_dtype_and_legacy_args():
    rt = torch.nn.functional.soft_margin_loss(torch.tensor(A, dtype=torch.float32), torch.tensor(SIGN4[:, None]).float(),
                                             size_average=False)
    with pytest.warns(UserWarning):
        ro = ot.nn.functional.soft_margin_loss(ot.tensor(A, dtype=ot.float32), ot.tensor(SIGN4[:, None]).float(),
                                               size_average=False)
    assert str(ro.dtype) == str(rt.dtype)
    np.testing.assert_allclose(float(ro), float(rt), rtol=1e-6)
