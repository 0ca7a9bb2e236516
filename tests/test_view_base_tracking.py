"""Writing a value that requires grad into a view made by a Tensor method (narrow, select, t,
view, permute, ...) of a plain tensor gives the base torch's CopySlices history and gradients."""
import pytest
import torch

import oxytorch as ot

from parity import assert_same

VIEWS = [
    ("narrow", lambda b: b.narrow(1, 1, 2)),
    ("select", lambda b: b.select(0, 1)),
    ("t", lambda b: b.t()),
    ("T", lambda b: b.T),
    ("mT", lambda b: b.mT),
    ("transpose", lambda b: b.transpose(0, 1)),
    ("permute", lambda b: b.permute(1, 0)),
    ("view", lambda b: b.view(12)),
    ("view_as", lambda b: b.view_as(b.new_zeros(6, 2))),
    ("reshape", lambda b: b.reshape(2, 6)),
    ("unsqueeze", lambda b: b.unsqueeze(0)),
    ("squeeze", lambda b: b.unsqueeze(1).squeeze(1)),
    ("diagonal", lambda b: b.diagonal()),
    ("unfold", lambda b: b.unfold(1, 2, 2)),
    ("as_strided", lambda b: b.as_strided((2, 2), (4, 1), 1)),
    ("movedim", lambda b: b.movedim(0, 1)),
    ("chain", lambda b: b.t().narrow(0, 1, 2).select(1, 0)),
]


@pytest.mark.parametrize("name,view", VIEWS, ids=[v[0] for v in VIEWS])
@pytest.mark.parametrize("how", ["copy_", "mul_", "setitem"])
def test_write_into_method_view_of_plain_base(name, view, how):
    res = []
    for m in (torch, ot):
        base = m.arange(12.0, dtype=m.float64).reshape(3, 4).clone()
        v = view(base)
        x = m.linspace(1, 2, steps=v.numel(), dtype=m.float64).reshape(v.shape).requires_grad_()
        if how == "copy_":
            v.copy_(x * 2)
        elif how == "mul_":
            v.mul_(x)
        else:
            v[...] = x * 3
        assert base.requires_grad
        (base * base).sum().backward()
        res.append((base.detach(), x.grad, base.grad_fn.name()))
    assert_same(res[1][0], res[0][0])
    assert_same(res[1][1], res[0][1])
    assert res[1][2] == res[0][2] == "torch::autograd::CopySlices"


def test_plain_views_without_writes_stay_grad_free():
    b = ot.zeros(3, 4)
    v = b.narrow(0, 0, 2).t()
    assert not b.requires_grad and not v.requires_grad and v.grad_fn is None and b.is_leaf
    with ot.no_grad():
        w = ot.zeros(3, 4).narrow(0, 0, 1)
        w.copy_(ot.ones(1, 4, requires_grad=True))
        assert not w.requires_grad
