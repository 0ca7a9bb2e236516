"""Autograd through views, shape ops and indexing, against real PyTorch: gradients (including
through overlapping expanded inputs and chains of views) and torch's grad_fn names."""
import numpy as np
import pytest
import torch as real

import oxytorch as ot

LIBS = (ot, real)


def run(fn, shape=(3, 4, 5), dtype="float64", name=True, layout="contig", seed=0):
    """Applies fn(L, x) in both libraries to the same input, backpropagates a random weighting of
    the result and compares values, input gradients and (when `name`) grad_fn names."""
    rng = np.random.default_rng(seed)
    data = rng.standard_normal(shape)
    res = {}
    for L in LIBS:
        x = L.tensor(data, dtype=getattr(L, dtype), requires_grad=True)
        src = x
        if layout == "transposed":
            src = x.transpose(0, -1)
        elif layout == "expanded":
            src = x[:1].expand(3, *shape[1:]) if shape[0] == 1 else x.unsqueeze(0).expand(2, *shape)[1]
        y = fn(L, src)
        outs = list(y) if isinstance(y, (tuple, list)) else [y]
        loss = 0
        weights = []
        for i, o in enumerate(outs):
            w = np.random.default_rng(seed + 1 + i).standard_normal(tuple(o.shape))
            loss = loss + (o * L.tensor(w, dtype=o.dtype)).sum()
            weights.append(w)
        loss.backward()
        res[L] = (outs, x.grad)
    (oo, og), (ro, rg) = res[ot], res[real]
    assert len(oo) == len(ro)
    for o, r in zip(oo, ro):
        assert tuple(o.shape) == tuple(r.shape)
        np.testing.assert_allclose(o.detach().numpy(), r.detach().numpy(), rtol=1e-12, atol=0)
        if name:
            on = type(o.grad_fn).__name__ if not hasattr(o.grad_fn, "name") else o.grad_fn.name()
            rn = type(r.grad_fn).__name__
            assert on == rn, (on, rn)
    assert og is not None, "no gradient reached the input"
    np.testing.assert_allclose(og.numpy(), rg.numpy(), rtol=1e-12, atol=1e-12)


VIEWS = [
    ("select", lambda L, x: x.select(1, 2)),
    ("select_neg", lambda L, x: x.select(-1, -1)),
    ("narrow", lambda L, x: x.narrow(1, 1, 2)),
    ("transpose", lambda L, x: x.transpose(0, 2)),
    ("mT", lambda L, x: x.mT),
    ("permute", lambda L, x: x.permute(2, 0, 1)),
    ("view", lambda L, x: x.contiguous().view(12, 5)),
    ("view_infer", lambda L, x: x.contiguous().view(-1)),
    ("reshape_view", lambda L, x: x.reshape(3, 20)),
    ("reshape_copy", lambda L, x: x.transpose(0, 1).reshape(12, 5)),
    ("squeeze_all", lambda L, x: x[:1].squeeze()),
    ("squeeze_dim", lambda L, x: x[:1].squeeze(0)),
    ("squeeze_dims", lambda L, x: x[:1].squeeze((0, 1))),
    ("unsqueeze", lambda L, x: x.unsqueeze(1)),
    ("unsqueeze_neg", lambda L, x: x.unsqueeze(-1)),
    ("expand", lambda L, x: x[:, :1].expand(3, 6, 5)),
    ("expand_new_dims", lambda L, x: x.expand(2, 3, 4, 5)),
    ("movedim", lambda L, x: x.movedim(0, 2)),
    ("diagonal", lambda L, x: x.diagonal()),
    ("diagonal_offset", lambda L, x: x.diagonal(1, 1, 2)),
    ("diagonal_neg", lambda L, x: x.diagonal(-1, 0, 2)),
    ("unfold", lambda L, x: x.unfold(2, 2, 1)),
    ("unfold_step", lambda L, x: x.unfold(1, 2, 2)),
    ("getitem_int", lambda L, x: x[1]),
    ("getitem_slice", lambda L, x: x[:, 1:3]),
    ("getitem_step", lambda L, x: x[::2, :, 1::2]),
    ("getitem_none", lambda L, x: x[None]),
    ("getitem_mixed", lambda L, x: x[1, None, 2:]),
    ("getitem_advanced", lambda L, x: x[L.tensor([0, 2, 0])]),
    ("getitem_adv_2d", lambda L, x: x[:, L.tensor([[0, 1], [3, 3]])]),
    ("getitem_adv_pair", lambda L, x: x[L.tensor([0, 1]), :, L.tensor([4, 4])]),
    ("getitem_mask", lambda L, x: x[x > 0]),
    ("getitem_list", lambda L, x: x[[2, 2, 1]]),
    ("index_select", lambda L, x: x.index_select(1, L.tensor([3, 0, 3]))),
    ("gather", lambda L, x: x.gather(2, L.tensor(np.random.default_rng(5).integers(0, 5, (3, 4, 7))))),
    ("take", lambda L, x: x.take(L.tensor([0, 59, 7, 7]))),
    ("masked_select", lambda L, x: x.masked_select(x < 0.3)),
    ("flip", lambda L, x: x.flip(0, 2)),
    ("roll", lambda L, x: x.roll(2, 1)),
    ("roll_flat", lambda L, x: x.roll(7)),
    ("repeat", lambda L, x: x.repeat(2, 1, 1, 2)),
    ("tril", lambda L, x: x.tril()),
    ("triu", lambda L, x: x.triu(1)),
    ("diag_embed", lambda L, x: x[0].diag_embed()),
    ("cat", lambda L, x: L.cat([x, x[:1] * 2, x], 0)),
    ("cat_dim", lambda L, x: L.cat([x, x.flip(2)], -1)),
]

COMPOSED = [
    ("t", lambda L, x: x[0].t()),
    ("T", lambda L, x: x[0].T),
    ("flatten", lambda L, x: x.flatten(1)),
    ("unflatten", lambda L, x: x.unflatten(2, (5, 1))),
    ("split", lambda L, x: x.split(2)),
    ("split_sizes", lambda L, x: x.split([1, 3], 1)),
    ("chunk", lambda L, x: x.chunk(2, 2)),
    ("unbind", lambda L, x: x.unbind(1)),
    ("stack", lambda L, x: L.stack([x, x * 3], 1)),
    ("hstack", lambda L, x: L.hstack([x, x])),
    ("tile", lambda L, x: x.tile((2, 1))),
    ("broadcast_to", lambda L, x: x[:, :1].broadcast_to(3, 4, 5)),
    ("diag", lambda L, x: L.diag(x[0])),
    ("diag_vec", lambda L, x: L.diag(x[0, 0])),
    ("repeat_interleave", lambda L, x: x.repeat_interleave(2, 1)),
    ("take_along_dim", lambda L, x: L.take_along_dim(x, L.tensor([[[1], [0], [2], [1]]]).expand(3, 4, 1), 2)),
    ("expand_then_view", lambda L, x: x[:, :1].expand(3, 4, 5).reshape(12, 5)),
    ("chain", lambda L, x: x.transpose(0, 1)[1:, None].unsqueeze(-1).permute(4, 3, 2, 1, 0).squeeze()),
]


@pytest.mark.parametrize("name,fn", VIEWS, ids=[v[0] for v in VIEWS])
def test_view_grads_and_names(name, fn):
    run(fn, name=name not in ("expand_new_dims",))


@pytest.mark.parametrize("name,fn", COMPOSED, ids=[v[0] for v in COMPOSED])
def test_composed_grads(name, fn):
    run(fn, name=False)


@pytest.mark.parametrize("layout", ["transposed", "expanded"])
@pytest.mark.parametrize("name,fn", VIEWS[:24] + VIEWS[-6:], ids=[v[0] for v in VIEWS[:24] + VIEWS[-6:]])
def test_view_grads_noncontiguous(name, fn, layout):
    shape = (5, 4, 3) if layout == "transposed" else (3, 4, 5)
    run(fn, shape=shape, layout=layout, name=False)


def test_float32_and_no_grad():
    run(lambda L, x: x[:, 1].flip(0).repeat(2, 1), dtype="float32")
    for L in LIBS:
        x = L.ones(3, 4, requires_grad=True)
        with L.no_grad():
            # (torch marks *views* made under no_grad as requiring grad, with no history; oxytorch
            # gives them no autograd state, so only copies are compared here)
            assert not x.flip(0).requires_grad and not L.cat([x, x]).requires_grad and not x[L.tensor([0])].requires_grad
        assert x[0].requires_grad and x[L.tensor([0])].requires_grad


def test_view_grad_through_overlapping_expand():
    # The expanded input overlaps itself: each element's gradient is the sum over its copies.
    for L in LIBS:
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x.expand(3, 2).t()[1]
        (y * L.tensor([1.0, 2.0, 3.0])).sum().backward()
        assert x.grad.tolist() == [0.0, 6.0]


def test_setitem_on_int_index_keeps_plain_results():
    # Integer results (picks of integer tensors) never record.
    x = ot.arange(6).view(2, 3)
    assert x[ot.tensor([1])].grad_fn is None and x.flip(0).grad_fn is None


@pytest.mark.parametrize("op", ["baddbmm", "addbmm"])
def test_batched_add_products(op):
    rng = np.random.default_rng(3)
    i_shape = (2, 3, 5) if op == "baddbmm" else (3, 5)
    data = [rng.standard_normal(s) for s in (i_shape, (2, 3, 4), (2, 4, 5))]
    res = {}
    for L in LIBS:
        ts = [L.tensor(d, requires_grad=k > 0) for k, d in enumerate(data)]
        y = getattr(L, op)(ts[0], ts[1], ts[2], beta=0.5, alpha=2.0)
        y.pow(2).sum().backward()
        res[L] = (y, [t.grad for t in ts[1:]], y.grad_fn.name())
    (oy, og, on), (ry, rg, rn) = res[ot], res[real]
    np.testing.assert_allclose(oy.detach().numpy(), ry.detach().numpy(), rtol=1e-12)
    for a, b in zip(og, rg):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)
    assert on == rn


def test_deepcopy_follows_torch():
    import copy

    for L in LIBS:
        x = L.ones(2, requires_grad=True)
        (x * 3).sum().backward()
        y = copy.deepcopy(x)
        assert y.is_leaf and y.requires_grad and y.grad_fn is None and y.grad.tolist() == [3.0, 3.0]
        assert y.data_ptr() != x.data_ptr()
        with pytest.raises(RuntimeError, match="graph leaves"):
            copy.deepcopy(x * 2)
        a = L.arange(3.0)
        pair = copy.deepcopy([a, a])
        assert pair[0] is pair[1]
