"""nn.functional.embedding_bag and nn.EmbeddingBag against real torch: values, weight and per-sample-weight
gradients, node name, module repr, and errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import oxytorch as ot
import oxytorch.nn.functional as OF

IDX = [1, 2, 4, 5, 4, 3, 2, 9, 0, 4]
CASES = {
    "plain": dict(idx=IDX, offs=[0, 4, 4, 7]),
    "empty_bag_last": dict(idx=IDX, offs=[0, 3, 10]),
    "single_bag": dict(idx=IDX, offs=[0]),
    "last_offset": dict(idx=IDX, offs=[0, 2, 6, 10], include_last_offset=True),
    "last_offset_short": dict(idx=IDX, offs=[0, 2, 6, 8], include_last_offset=True),
    "padding": dict(idx=IDX, offs=[0, 4, 4, 7], padding_idx=4),
    "padding_neg": dict(idx=IDX, offs=[0, 5], padding_idx=-1),
    "all_padding_bag": dict(idx=[4, 4, 1], offs=[0, 2], padding_idx=4),
    "2d": dict(idx=[[1, 2, 3], [4, 4, 0]], offs=None),
    "2d_padding": dict(idx=[[1, 2, 3], [4, 4, 4]], offs=None, padding_idx=4),
    "int32": dict(idx=IDX, offs=[0, 4, 4, 7], dtype="int32"),
    "freq": dict(idx=IDX, offs=[0, 4, 4, 7], scale_grad_by_freq=True),
    "ties": dict(idx=[3, 3, 5], offs=[0, 1], tie=True),
}


def _make(lib, case, psw=False):
    c = dict(CASES[case])
    dt = getattr(lib, c.pop("dtype", "int64"))
    idx = lib.tensor(c.pop("idx"), dtype=dt)
    offs = c.pop("offs")
    offs = None if offs is None else lib.tensor(offs, dtype=dt)
    rng = np.random.default_rng(0)
    w = rng.standard_normal((10, 3))
    if c.pop("tie", False):
        w[5] = w[3]
    weight = lib.tensor(w, requires_grad=True)
    p = lib.tensor(rng.random(tuple(idx.shape)), requires_grad=True) if psw else None
    return idx, offs, weight, p, c


@pytest.mark.parametrize("psw", [False, True])
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("case", list(CASES))
def test_embedding_bag_matches_torch(case, mode, psw):
    if psw and mode != "sum":
        return
    if mode == "max" and CASES[case].get("scale_grad_by_freq"):
        return
    res = []
    for lib, F in ((ot, OF), (torch, TF)):
        idx, offs, w, p, kw = _make(lib, case, psw)
        y = F.embedding_bag(idx, w, offs, mode=mode, per_sample_weights=p, **kw)
        g = lib.tensor(np.random.default_rng(1).standard_normal(tuple(y.shape)))
        y.backward(g)
        name = type(y.grad_fn).__name__ if lib is torch else y.grad_fn.name()
        res.append((y.detach().numpy(), w.grad.numpy(), None if p is None else p.grad.numpy(), name))
    (yo, gwo, gpo, no), (yt, gwt, gpt, nt) = res
    assert yo.shape == yt.shape
    np.testing.assert_allclose(yo, yt, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gwo, gwt, rtol=1e-12, atol=1e-12)
    if gpt is not None:
        np.testing.assert_allclose(gpo, gpt, rtol=1e-12, atol=1e-12)
    assert no == nt


def test_embedding_bag_float32_and_no_grad():
    wt = torch.randn(6, 4)
    wo = ot.tensor(wt.numpy())
    i, o = [0, 5, 5, 1, 2], [0, 2]
    yt = TF.embedding_bag(torch.tensor(i), wt, torch.tensor(o))
    yo = OF.embedding_bag(ot.tensor(i), wo, ot.tensor(o))
    assert yo.dtype == ot.float32 and yo.grad_fn is None
    np.testing.assert_allclose(yo.numpy(), yt.numpy(), rtol=1e-6)


BAD = {
    "no_offsets": lambda L, F: F.embedding_bag(L.tensor([1, 2]), L.ones(5, 2)),
    "2d_with_offsets": lambda L, F: F.embedding_bag(L.tensor([[1, 2]]), L.ones(5, 2), L.tensor([0])),
    "3d": lambda L, F: F.embedding_bag(L.zeros(1, 1, 1, dtype=L.int64), L.ones(5, 2)),
    "psw_mean": lambda L, F: F.embedding_bag(L.tensor([1, 2]), L.ones(5, 2), L.tensor([0]), per_sample_weights=L.ones(2)),
    "psw_shape": lambda L, F: F.embedding_bag(L.tensor([1, 2]), L.ones(5, 2), L.tensor([0]), mode="sum", per_sample_weights=L.ones(3)),
    "first_offset": lambda L, F: F.embedding_bag(L.tensor([1, 2]), L.ones(5, 2), L.tensor([1])),
    "bad_mode": lambda L, F: F.embedding_bag(L.tensor([1, 2]), L.ones(5, 2), L.tensor([0]), mode="foo"),
    "float_idx": lambda L, F: F.embedding_bag(L.tensor([1.0, 2.0]), L.ones(5, 2), L.tensor([0])),
    "out_of_range": lambda L, F: F.embedding_bag(L.tensor([1, 7]), L.ones(5, 2), L.tensor([0])),
    "weight_1d": lambda L, F: F.embedding_bag(L.tensor([1, 2]), L.ones(5), L.tensor([0])),
    "max_freq": lambda L, F: F.embedding_bag(L.tensor([1, 2]), L.ones(5, 2), L.tensor([0]), mode="max", scale_grad_by_freq=True),
}


@pytest.mark.parametrize("case", list(BAD))
def test_embedding_bag_errors(case):
    with pytest.raises(Exception) as et:
        BAD[case](torch, TF)
    with pytest.raises(type(et.value)) as eo:
        BAD[case](ot, OF)
    # the offending type prints as oxytorch's own Tensor class
    assert str(eo.value) == str(et.value).replace("<class 'torch.Tensor'>", "<class 'oxytorch.Tensor'>")


def test_embedding_bag_module():
    ot.manual_seed(0)
    torch.manual_seed(0)
    mo = ot.nn.EmbeddingBag(10, 3, mode="max", padding_idx=-2)
    mt = torch.nn.EmbeddingBag(10, 3, mode="max", padding_idx=-2)
    assert repr(mo) == repr(mt)
    assert repr(ot.nn.EmbeddingBag(5, 2)) == repr(torch.nn.EmbeddingBag(5, 2))
    np.testing.assert_array_equal(mo.weight.detach().numpy(), mt.weight.detach().numpy())
    assert [n for n, _ in mo.named_parameters()] == ["weight"]
    x = [[1, 8, 2], [3, 3, 8]]
    np.testing.assert_allclose(mo(ot.tensor(x)).detach().numpy(), mt(torch.tensor(x)).detach().numpy(), rtol=1e-6)
    fo = ot.nn.EmbeddingBag.from_pretrained(ot.ones(4, 2), mode="sum")
    ft = torch.nn.EmbeddingBag.from_pretrained(torch.ones(4, 2), mode="sum")
    assert fo.weight.requires_grad is ft.weight.requires_grad is False
    assert fo(ot.tensor([1, 2, 3]), ot.tensor([0, 1])).tolist() == ft(torch.tensor([1, 2, 3]), torch.tensor([0, 1])).tolist()
