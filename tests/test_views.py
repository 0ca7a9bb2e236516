"""Views and shape ops against real torch: values, dtype, shape, strides, storage offset,
contiguity and aliasing (a view's data_ptr offset from its base matches torch's, writes show)."""
import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import oxytorch as ot
from parity import DTYPE_NAMES, assert_same

LIBS = (ot, torch)


def base(lib, shape, dtype="float32", seed=0):
    """The same values in both libraries: arange-ish data cast to `dtype`."""
    n = int(np.prod(shape)) if shape else 1
    if n == 0:
        return lib.zeros(shape, dtype=getattr(lib, dtype))
    a = (np.arange(n, dtype=np.float64) * 1.5 - n / 2).reshape(shape)
    if dtype == "uint8":
        a = np.abs(a)
    t = lib.from_numpy(a.copy())
    return t.to(getattr(lib, dtype))


def transposed(lib, x):
    n = x.dim()
    perm = list(reversed(range(n)))
    return x.permute(*perm).contiguous().permute(*perm) if n > 1 else x


def offset(lib, x):
    y = lib.zeros((2,) + tuple(x.shape), dtype=x.dtype)
    y[1] = x
    return y[1]


def stepped(lib, x):
    if x.dim() == 0:
        return x
    shape = tuple(x.shape[:-1]) + (2 * x.shape[-1] + 1,)
    y = lib.zeros(shape, dtype=x.dtype)
    y[..., 1::2] = x
    return y[..., 1::2]


def expanded(lib, x):
    if x.dim() == 0 or x.shape[0] == 0:
        return x
    return x.narrow(0, 0, 1).expand(x.shape)


LAYOUTS = {"contig": lambda lib, x: x, "transposed": transposed, "offset": offset, "stepped": stepped,
           "expanded": expanded}


def check(fn, shape=(2, 3, 4), dtype="float32", layout="contig", message=False):
    """Runs fn(lib, x) in both libraries and compares results, views and errors."""
    res = []
    for lib in LIBS:
        x = LAYOUTS[layout](lib, base(lib, shape, dtype))
        try:
            res.append((x, fn(lib, x), None))
        except Exception as e:  # noqa: BLE001
            res.append((x, None, e))
    (ox, o, oe), (tx, t, te) = res
    if te is not None:
        assert oe is not None, f"oxytorch did not raise; torch raised {type(te).__name__}: {te}"
        assert type(oe) is type(te), f"{type(oe).__name__}({oe}) vs {type(te).__name__}({te})"
        if message:
            assert str(oe) == str(te)
        return
    if oe is not None:
        raise oe
    compare(ox, o, tx, t)


def compare(ox, o, tx, t):
    if isinstance(t, (tuple, list)):
        assert isinstance(o, (tuple, list)) and len(o) == len(t)
        for a, b in zip(o, t):
            compare(ox, a, tx, b)
        return
    if isinstance(t, torch.Size):
        assert tuple(o) == tuple(t)
        return
    assert_same(o, t)
    assert o.storage_offset() == t.storage_offset()
    assert o.is_contiguous() == t.is_contiguous()
    shares_t = t.untyped_storage().data_ptr() == tx.untyped_storage().data_ptr()
    if tx.numel() == 0 or t.numel() == 0:
        return  # torch gives empty tensors no storage to share
    assert ox._shares_storage(o) == shares_t, "view/copy differs from torch"
    if shares_t:
        isz = t.element_size()
        assert o.data_ptr() - ox.data_ptr() == t.data_ptr() - tx.data_ptr() or isz != ox.element_size()


VIEW_CASES = [
    ("view", lambda L, x: x.view(-1)),
    ("view2", lambda L, x: x.view(4, 6)),
    ("view_split", lambda L, x: x.view(2, 3, 2, 2)),
    ("view_dtype_same", lambda L, x: x.view(L.int32)),
    ("view_dtype_small", lambda L, x: x.view(L.int16)),
    ("view_dtype_big", lambda L, x: x.view(L.float64)),
    ("view_as", lambda L, x: x.view_as(L.zeros(6, 4))),
    ("reshape", lambda L, x: x.reshape(4, -1)),
    ("reshape_fn", lambda L, x: L.reshape(x, (-1,))),
    ("reshape_as", lambda L, x: x.reshape_as(L.zeros(3, 8))),
    ("flatten", lambda L, x: x.flatten()),
    ("flatten12", lambda L, x: x.flatten(1)),
    ("flatten01", lambda L, x: L.flatten(x, 0, 1)),
    ("flatten_bad", lambda L, x: x.flatten(2, 1)),
    ("unflatten", lambda L, x: x.unflatten(2, (2, 2))),
    ("unflatten_neg", lambda L, x: x.unflatten(-1, (-1, 2))),
    ("ravel", lambda L, x: x.ravel()),
    ("squeeze", lambda L, x: x.unsqueeze(1).squeeze()),
    ("squeeze_dim", lambda L, x: x.unsqueeze(1).squeeze(1)),
    ("squeeze_tuple", lambda L, x: x.unsqueeze(1).unsqueeze(0).squeeze((0, 1, 2))),
    ("squeeze_nop", lambda L, x: x.squeeze(0)),
    ("unsqueeze_end", lambda L, x: x.unsqueeze(-1)),
    ("unsqueeze_bad", lambda L, x: x.unsqueeze(5)),
    ("permute", lambda L, x: x.permute(2, 0, 1)),
    ("permute_tuple", lambda L, x: L.permute(x, (1, 2, 0))),
    ("permute_dup", lambda L, x: x.permute(0, 0, 1)),
    ("transpose", lambda L, x: x.transpose(0, 2)),
    ("swapaxes", lambda L, x: L.swapaxes(x, 0, 1)),
    ("swapdims", lambda L, x: x.swapdims(-1, 0)),
    ("mT", lambda L, x: x.mT),
    ("adjoint", lambda L, x: x.adjoint()),
    ("movedim", lambda L, x: x.movedim(0, -1)),
    ("movedim_tuple", lambda L, x: L.movedim(x, (0, 1), (2, 0))),
    ("moveaxis", lambda L, x: L.moveaxis(x, 1, 0)),
    ("expand", lambda L, x: x.unsqueeze(0).expand(3, -1, -1, -1)),
    ("expand_bad", lambda L, x: x.expand(5, 5)),
    ("expand_as", lambda L, x: x[:, :1].expand_as(x)),
    ("broadcast_to", lambda L, x: L.broadcast_to(x[:1], (2, 3, 4))),
    ("broadcast_tensors", lambda L, x: L.broadcast_tensors(x, x[:, :1, :1])),
    ("narrow", lambda L, x: x.narrow(1, 1, 2)),
    ("narrow_neg", lambda L, x: L.narrow(x, -1, -3, 2)),
    ("narrow_bad", lambda L, x: x.narrow(1, 2, 5)),
    ("select", lambda L, x: x.select(2, -1)),
    ("unbind", lambda L, x: x.unbind(1)),
    ("chunk", lambda L, x: x.chunk(3, 2)),
    ("chunk_fn", lambda L, x: L.chunk(x, 2, 0)),
    ("split_int", lambda L, x: x.split(3, 2)),
    ("split_list", lambda L, x: L.split(x, [1, 3], 2)),
    ("split_bad", lambda L, x: x.split([1, 1], 2)),
    ("tensor_split_n", lambda L, x: x.tensor_split(3, 2)),
    ("tensor_split_idx", lambda L, x: L.tensor_split(x, (1, 3, 10), dim=2)),
    ("tensor_split_t", lambda L, x: x.tensor_split(L.tensor([1, 2]), 1)),
    ("hsplit", lambda L, x: L.hsplit(x, 3)),
    ("vsplit", lambda L, x: x.vsplit([1])),
    ("dsplit", lambda L, x: L.dsplit(x, 2)),
    ("dsplit_bad", lambda L, x: L.dsplit(x, 3)),
    ("diagonal", lambda L, x: x.diagonal()),
    ("diagonal_off", lambda L, x: x.diagonal(1, 1, 2)),
    ("diagonal_neg", lambda L, x: L.diagonal(x, -1, -1, 0)),
    ("diagonal_far", lambda L, x: x.diagonal(7, 1, 2)),
    ("unfold", lambda L, x: x.unfold(2, 2, 1)),
    ("unfold_step", lambda L, x: x.unfold(1, 2, 2)),
    ("as_strided", lambda L, x: x.contiguous().as_strided((2, 2), (1, 2), 1)),
    ("as_strided_fn", lambda L, x: L.as_strided(x, (3,), (2,))),
    ("t_2d", lambda L, x: x[0].t()),
    ("T", lambda L, x: x[0].T),
    ("clone", lambda L, x: x.clone()),
    ("clone_contig", lambda L, x: x.clone(memory_format=L.contiguous_format)),
    ("contiguous", lambda L, x: x.contiguous()),
]


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("name,fn", VIEW_CASES, ids=[c[0] for c in VIEW_CASES])
def test_views(name, fn, layout):
    check(fn, layout=layout)


COPY_CASES = [
    ("flip", lambda L, x: x.flip(0, 2)),
    ("flip_fn", lambda L, x: L.flip(x, [-1])),
    ("flip_dup", lambda L, x: x.flip(0, 0)),
    ("fliplr", lambda L, x: L.fliplr(x)),
    ("flipud", lambda L, x: L.flipud(x)),
    ("roll", lambda L, x: x.roll(1, 1)),
    ("roll_neg", lambda L, x: L.roll(x, (-1, 5), (2, 0))),
    ("roll_flat", lambda L, x: x.roll(7)),
    ("roll_bad", lambda L, x: x.roll((1, 2), 0)),
    ("rot90", lambda L, x: L.rot90(x)),
    ("rot90_k", lambda L, x: x.rot90(2, (1, 2))),
    ("rot90_neg", lambda L, x: L.rot90(x, -1, (0, 2))),
    ("rot90_k0", lambda L, x: L.rot90(x, 4)),
    ("tril", lambda L, x: x.tril()),
    ("tril_k", lambda L, x: L.tril(x, -1)),
    ("triu", lambda L, x: x.triu(1)),
    ("triu_big", lambda L, x: L.triu(x, -5)),
    ("tril_", lambda L, x: x.clone().tril_(1)),
    ("triu_", lambda L, x: x.clone().triu_()),
    ("repeat", lambda L, x: x.repeat(2, 1, 2)),
    ("repeat_more", lambda L, x: x.repeat(2, 1, 1, 3)),
    ("repeat_bad", lambda L, x: x.repeat(2)),
    ("tile", lambda L, x: L.tile(x, (2,))),
    ("tile_m", lambda L, x: x.tile(2, 1, 1, 1)),
    ("repeat_interleave", lambda L, x: x.repeat_interleave(2)),
    ("repeat_interleave_dim", lambda L, x: L.repeat_interleave(x, 2, dim=1)),
    ("repeat_interleave_t", lambda L, x: x.repeat_interleave(L.tensor([1, 0, 2]), dim=1)),
    ("diag_embed", lambda L, x: x.diag_embed()),
    ("diag_embed_off", lambda L, x: L.diag_embed(x, 1, 0, 2)),
    ("diag_2d", lambda L, x: L.diag(x[0], 1)),
    ("diag_1d", lambda L, x: L.diag(x[0, 0], -1)),
    ("diagflat", lambda L, x: L.diagflat(x[0])),
    ("cat0", lambda L, x: L.cat([x, x[:1]])),
    ("cat_neg", lambda L, x: L.cat((x, x), -1)),
    ("concat", lambda L, x: L.concat([x, x], 1)),
    ("concatenate", lambda L, x: L.concatenate([x, x], axis=2)),
    ("cat_mismatch", lambda L, x: L.cat([x, x[:, :1, :2]])),
    ("cat_promote", lambda L, x: L.cat([x, x.to(L.int64), x.to(L.float64)], 1)),
    ("cat_legacy_empty", lambda L, x: L.cat([L.zeros(0), x, L.zeros(0, dtype=L.int32)], 2)),
    ("cat_zero_dim", lambda L, x: L.cat([x[0, 0, 0], x[0, 0]])),
    ("stack", lambda L, x: L.stack([x, x])),
    ("stack_last", lambda L, x: L.stack((x, x, x), -1)),
    ("stack_bad", lambda L, x: L.stack([x, x[:1]])),
    ("hstack", lambda L, x: L.hstack([x, x])),
    ("vstack", lambda L, x: L.vstack([x[0], x[1, 0]])),
    ("dstack", lambda L, x: L.dstack([x[0], x[1]])),
    ("column_stack", lambda L, x: L.column_stack([x[0, 0], x[1]])),
]


@pytest.mark.parametrize("layout", ["contig", "transposed", "stepped", "expanded"])
@pytest.mark.parametrize("name,fn", COPY_CASES, ids=[c[0] for c in COPY_CASES])
def test_copy_ops(name, fn, layout):
    check(fn, layout=layout)


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("name", ["view", "transpose", "flip", "cat_promote", "tril", "roll", "repeat", "diagonal",
                                  "unfold", "stack", "diag_embed"])
def test_dtypes(name, dtype):
    fn = dict(VIEW_CASES + COPY_CASES)[name]
    check(fn, dtype=dtype, layout="transposed")


@pytest.mark.parametrize("shape", [(), (0,), (3, 0), (1,), (0, 2, 3)])
@pytest.mark.parametrize("name,fn", [
    ("reshape", lambda L, x: x.reshape(-1)),
    ("view", lambda L, x: x.view(x.shape)),
    ("flatten", lambda L, x: x.flatten()),
    ("squeeze", lambda L, x: x.squeeze()),
    ("unsqueeze", lambda L, x: x.unsqueeze(0)),
    ("flip", lambda L, x: x.flip(0)),
    ("cat", lambda L, x: L.cat([x, x])),
    ("stack", lambda L, x: L.stack([x, x])),
    ("repeat", lambda L, x: x.repeat(*([2] * x.dim()))),
    ("split", lambda L, x: x.split(1)),
    ("chunk", lambda L, x: x.chunk(2)),
    ("roll", lambda L, x: x.roll(1)),
    ("expand", lambda L, x: x.expand(2, *x.shape)),
    ("T", lambda L, x: x.T),
    ("t", lambda L, x: x.t()),
    ("diagonal", lambda L, x: x.diagonal()),
    ("movedim", lambda L, x: x.movedim(0, -1)),
    ("unfold", lambda L, x: x.unfold(0, 1, 1)),
    ("tril", lambda L, x: x.tril()),
    ("unbind", lambda L, x: x.unbind()),
    ("atleast_2d", lambda L, x: L.atleast_2d(x)),
    ("squeeze_0", lambda L, x: x.squeeze(0)),
])
def test_edge_shapes(name, fn, shape):
    check(fn, shape=shape)


def test_view_error_messages():
    for lib in LIBS:
        x = lib.zeros(2, 3).t()
        with pytest.raises(RuntimeError, match="view size is not compatible with input tensor's size and stride"):
            x.view(6)
    check(lambda L, x: x.t().view(-1), shape=(2, 3), message=True)
    check(lambda L, x: x.view(L.float64), shape=(2, 3), message=True)
    check(lambda L, x: x.expand(2, 5), shape=(3,), message=True)
    check(lambda L, x: x.expand(()), shape=(3,), message=True)
    check(lambda L, x: L.cat([x, x.t()]), shape=(2, 3), message=True)
    check(lambda L, x: x.unfold(1, 5, 1), shape=(3, 4), message=True)
    check(lambda L, x: L.stack([x, x[:1]]), shape=(2,), message=True)
    check(lambda L, x: x.movedim((0, 0), (0, 1)), shape=(2, 3), message=True)
    check(lambda L, x: L.broadcast_shapes((2, 3), (4, 3)), shape=(2,), message=True)


def test_writes_through_views_are_visible():
    for lib in LIBS:
        x = lib.zeros(3, 4)
        x.t()[1].fill_(5)
        x.diagonal().fill_(1)
        x.unfold(1, 2, 2)[..., 0].add_(10) if hasattr(x, "add_") else None
        x.view(-1)[11] = 7
        x.narrow(0, 2, 1).squeeze(0).unsqueeze(1)[0, 0] = 3
        for p in x.split(1, 1)[3:]:
            p[0] = -1
    a = ot.zeros(3, 4)
    t = torch.zeros(3, 4)
    for lib, x in ((ot, a), (torch, t)):
        x.t()[1].fill_(5)
        x.diagonal().fill_(1)
        x.view(-1)[11] = 7
        x.narrow(0, 2, 1).squeeze(0).unsqueeze(1)[0, 0] = 3
        x.split(1, 1)[3][0] = -1
        x.movedim(0, 1)[2, 1] = 9
    assert_same(a, t)


def test_inplace_view_ops():
    for fn in [lambda x: x.t_(), lambda x: x.transpose_(0, 1), lambda x: x.unsqueeze_(1), lambda x: x.unsqueeze_(1).squeeze_(1),
               lambda x: x.squeeze_(), lambda x: x.as_strided_((2, 2), (1, 2)), lambda x: x.resize_(3, 2),
               lambda x: x.resize_(4, 4), lambda x: x.swapaxes_(0, 1)]:
        a, t = ot.arange(6.0).view(2, 3), torch.arange(6.0).view(2, 3)
        ra, rt = fn(a), fn(t)
        assert ra is a and rt is t
        assert tuple(a.shape) == tuple(t.shape) and a.stride() == t.stride()
        if t.numel() <= 6:
            assert_same(a, t)


def test_cat_out():
    for lib in LIBS:
        pass
    oa, ta = ot.zeros(4, 3), torch.zeros(4, 3)
    ro = ot.cat([ot.ones(2, 3), ot.zeros(2, 3)], out=oa)
    rt = torch.cat([torch.ones(2, 3), torch.zeros(2, 3)], out=ta)
    assert ro is oa and rt is ta
    assert_same(oa, ta)
    oa, ta = ot.zeros(1, dtype=ot.float64), torch.zeros(1, dtype=torch.float64)
    ot.cat([ot.ones(2, 3), ot.ones(1, 3)], out=oa)
    torch.cat([torch.ones(2, 3), torch.ones(1, 3)], out=ta)
    assert_same(oa, ta)


def test_broadcast_shapes():
    assert tuple(ot.broadcast_shapes((2, 1), (3,), 1)) == tuple(torch.broadcast_shapes((2, 1), (3,), 1))
    assert isinstance(ot.broadcast_shapes((2,)), ot.Size)


# ----- properties -----

shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4)


@given(shapes, st.randoms(use_true_random=False))
def test_reshape_permute_roundtrip(shape, rnd):
    x = ot.arange(float(np.prod(shape))).reshape(shape)
    perm = list(range(len(shape)))
    rnd.shuffle(perm)
    inv = [perm.index(i) for i in range(len(perm))]
    y = x.permute(perm).permute(inv)
    assert y.stride() == x.stride() and np.array_equal(y.numpy(), x.numpy())
    z = x.permute(perm).reshape(-1).reshape([shape[p] for p in perm]).permute(inv)
    assert np.array_equal(z.numpy(), x.numpy())
    t = torch.arange(float(np.prod(shape))).reshape(shape).permute(perm)
    assert x.permute(perm).stride() == t.stride()
    assert x.permute(perm).is_contiguous() == t.is_contiguous()


@given(shapes, st.randoms(use_true_random=False))
def test_view_matches_contiguous_view(shape, rnd):
    perm = list(range(len(shape)))
    rnd.shuffle(perm)
    x = ot.arange(float(np.prod(shape))).reshape(shape).permute(perm)
    tx = torch.arange(float(np.prod(shape))).reshape(shape).permute(perm)
    # A random factorisation of numel as the target shape.
    n = int(np.prod(shape))
    target = []
    while n > 1:
        f = rnd.choice([d for d in range(1, n + 1) if n % d == 0])
        target.append(f)
        n //= f
    rnd.shuffle(target)
    try:
        v = x.view(target)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            tx.view(target)
        return
    tv = tx.view(target)
    assert v.stride() == tv.stride()
    assert np.array_equal(v.numpy(), x.contiguous().view(target).numpy())
