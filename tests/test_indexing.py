"""Indexing against real torch: __getitem__/__setitem__ with basic, advanced and mixed keys, and
the index_*/gather/scatter/mask/nonzero family, with torch's exception types and messages."""
import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import oxytorch as ot
from parity import DTYPE_NAMES, assert_same
from test_views import LAYOUTS, base, compare

LIBS = (ot, torch)


def conv(lib, k):
    """A key spec made of plain Python/NumPy values and ('T', list, dtype) tensor markers."""
    if isinstance(k, tuple) and len(k) == 3 and k[0] == "T":
        return lib.tensor(k[1], dtype=getattr(lib, k[2]))
    if isinstance(k, tuple):
        return tuple(conv(lib, x) for x in k)
    return k


def run(fn, shape=(3, 4, 5), dtype="float32", layout="contig", message=False):
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
    if layout == "contig" or not isinstance(t, torch.Tensor) or t.untyped_storage().data_ptr() == tx.untyped_storage().data_ptr():
        compare(ox, o, tx, t)
    else:
        # Copies made by advanced indexing from non-contiguous inputs: torch's TensorIterator picks
        # the output strides from the input's memory order; oxytorch returns contiguous results.
        assert_same(o, t, check_stride=False)


KEYS = [
    0, -1, 2, slice(None), slice(1, None), slice(None, None, 2), slice(-2, 10, 3), slice(5, 1),
    None, Ellipsis, True, False,
    (0, 1), (0, slice(1, 3), -1), (Ellipsis, 1), (None, 0, None, Ellipsis, None), (slice(None), None, 1),
    (Ellipsis, None), (1, Ellipsis, 2), (0, True), (False, 1),
    [0, 2], [[0, 1], [2, 0]], [-1, 0, -1], [True, False, True],
    ("T", [0, 2, 1], "int64"), ("T", [[1], [2]], "int32"), ("T", 1, "int64"), ("T", True, "bool"),
    ("T", [True, False, True], "bool"), ("T", [[True, False, True, False]] * 3, "bool"),
    (("T", [0, 2], "int64"), ("T", [1, 3], "int64")),
    (slice(None), ("T", [0, 2], "int64"), ("T", [1, 3], "int64")),
    (("T", [0, 2], "int64"), slice(None), ("T", [1, 3], "int64")),
    (("T", [[0], [2]], "int64"), slice(1, 3), ("T", [1, 3, 4], "int64")),
    (0, slice(None), ("T", [0, 1], "int64")),
    (("T", [0, 1], "int64"), slice(None), 0),
    (Ellipsis, ("T", [0, 4], "int64")),
    (None, ("T", [0, 2], "int64"), None, ("T", [1], "int64")),
    (("T", [True, False, True], "bool"), ("T", [1, 3], "int64")),
    (slice(None), ("T", [True, False, True, False], "bool"), ("T", [0, 4], "int64")),
    (("T", [True, False, True], "bool"), slice(None), 2),
    (("T", [[True] * 4, [False] * 4, [True, False] * 2], "bool"), slice(1, 3)),
    (1, ("T", [[1, 2], [3, 0]], "int64"), slice(None, None, 2)),
    (("T", [0, 2], "int64"), True),
    (("T", [], "int64"),),
    (slice(None), ("T", [], "int64"), 0),
    # errors
    3, -4, (0, 4), (0, 0, 0, 0), 1.5, slice(None, None, -1), (slice(None), slice(None, None, 0)),
    ("T", [0, 3], "int64"), ("T", [1.0], "float32"), ("T", [True, False], "bool"),
    (("T", [0, 1], "int64"), ("T", [0, 1, 2], "int64")), "a", object(),
]


def kid(k):
    return repr(k)[:40]


@pytest.mark.parametrize("layout", ["contig", "transposed", "stepped", "expanded"])
@pytest.mark.parametrize("key", KEYS, ids=[kid(k) for k in KEYS])
def test_getitem(key, layout):
    run(lambda L, x: x[conv(L, key)], layout=layout)


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("key", [1, (slice(None), [0, 2]), ("T", [True, False, True], "bool"), (Ellipsis, [[1, 0]], None)],
                         ids=kid)
def test_getitem_dtypes(key, dtype):
    run(lambda L, x: x[conv(L, key)], dtype=dtype, layout="stepped")


def test_getitem_messages():
    run(lambda L, x: x[3], message=True)
    run(lambda L, x: x[0, 4], message=True)
    run(lambda L, x: x[L.tensor([0, 5])], message=True)
    run(lambda L, x: x[::-1], message=True)
    run(lambda L, x: x[0, 0, 0, 0], message=True)
    run(lambda L, x: x[1.5], message=True)
    run(lambda L, x: x[L.tensor([1.0])], message=True)
    run(lambda L, x: x[L.tensor([True, False])], message=True)
    run(lambda L, x: x[0, 0, 0][0], message=True)


def test_getitem_numpy_and_0d_keys():
    run(lambda L, x: x[np.array([0, 2])])
    run(lambda L, x: x[np.array([True, False, True])])
    run(lambda L, x: x[np.int64(1)])
    run(lambda L, x: x[L.tensor(1)])
    run(lambda L, x: x[1, L.tensor(2)])


def test_tiny_int_fast_path_is_a_view():
    run(lambda L, x: x[1], shape=(4,))
    run(lambda L, x: x[-1], shape=(2, 3))


SET_KEYS = [0, (slice(None), 1), (Ellipsis, slice(1, 3)), [0, 2], (slice(None), [0, 3], [1, 2]),
            ("T", [True, False, True], "bool"), ("T", [[True, False, True, False]] * 3, "bool"),
            (("T", [0, 0, 2], "int64"), slice(None), 0), (None, 1), True, False,
            (("T", [[0], [2]], "int64"), slice(1, 3), ("T", [1, 3, 4], "int64"))]


@pytest.mark.parametrize("layout", ["contig", "transposed", "stepped"])
@pytest.mark.parametrize("value", ["scalar", "int", "row", "full", "f64", "numpy"])
@pytest.mark.parametrize("key", SET_KEYS, ids=kid)
def test_setitem(key, value, layout):
    def fn(L, x):
        y = x.clone() if layout == "contig" else x
        k = conv(L, key)
        shape = tuple(torch.zeros(3, 4, 5)[conv(torch, key)].shape)
        if value == "scalar":
            v = 2.5
        elif value == "int":
            v = -3
        elif value == "row":
            v = L.arange(float(shape[-1]) if shape else 1.0)
            if not shape:
                v = v[0]
        elif value == "full":
            v = L.arange(float(np.prod(shape))).reshape(shape) + 100
        elif value == "f64":
            v = L.ones(shape, dtype=L.float64) * 7
        else:
            v = np.full(shape, 4.0, dtype=np.float64)
        y[k] = v
        return y

    run(fn, layout=layout)


def test_setitem_writes_through_views_and_errors():
    run(lambda L, x: (x.t().__setitem__((0, [1, 2]), 9.0), x)[1], shape=(3, 4))
    run(lambda L, x: (x[1].__setitem__(L.tensor([True, False, True, False]), -1.0), x)[1], shape=(3, 4))
    run(lambda L, x: x.__setitem__([0, 1], L.ones(3)), shape=(3, 4), message=True)
    run(lambda L, x: x.__setitem__(0, L.ones(3)), shape=(3, 4), message=True)
    run(lambda L, x: x.__setitem__(5, 1.0), shape=(3, 4), message=True)
    run(lambda L, x: x.__setitem__(([0, 3],), 1.0), shape=(3, 4), message=True)
    # Failed writes leave the tensor unchanged (torch's CPU kernel writes the in-range part first;
    # oxytorch validates every index before writing, as the project's "nothing is lost" rule asks).
    for key in ([0, 7], [[0, 1], [7, 0]]):
        x = ot.zeros(3) if len(key) == 2 and not isinstance(key[0], list) else ot.zeros(3, 3)
        with pytest.raises(IndexError):
            x[ot.tensor(key)] = 1.0
        assert x.sum().item() == 0.0
    # dtype cast on assignment, and assigning from an overlapping view.
    run(lambda L, x: (x.__setitem__(slice(1, None), x[:-1]), x)[1], shape=(5,))
    run(lambda L, x: (x.__setitem__(L.tensor([1, 2, 3, 4]), x[:4]), x)[1], shape=(5,))
    run(lambda L, x: (x.__setitem__([0, 1], 3.7), x)[1], shape=(3,), dtype="int32")


# ----- index functions -----

IDX_CASES = [
    ("index_select", lambda L, x: x.index_select(1, L.tensor([2, 0, 2]))),
    ("index_select_fn", lambda L, x: L.index_select(x, -1, L.tensor([4], dtype=L.int32))),
    ("index_select_oob", lambda L, x: x.index_select(0, L.tensor([3]))),
    ("index_select_2d", lambda L, x: x.index_select(0, L.tensor([[0]]))),
    ("gather", lambda L, x: x.gather(1, L.tensor([[[0, 1], [3, 2]]] * 2))),
    ("gather_fn", lambda L, x: L.gather(x, 2, L.tensor([[[4, 0, 1]] * 4] * 3))),
    ("gather_oob", lambda L, x: x.gather(0, L.tensor([[[3]]]))),
    ("gather_ndim", lambda L, x: x.gather(0, L.tensor([0]))),
    ("take", lambda L, x: x.take(L.tensor([[0, 59], [-1, 7]]))),
    ("take_fn_oob", lambda L, x: L.take(x, L.tensor([60]))),
    ("take_along_dim", lambda L, x: L.take_along_dim(x, L.tensor([[[0], [2], [1], [3]]]), 1)),
    ("take_along_dim_flat", lambda L, x: x.take_along_dim(L.tensor([5, 0]))),
    ("masked_select", lambda L, x: x.masked_select(x > 0)),
    ("masked_select_bcast", lambda L, x: L.masked_select(x, L.tensor([True, False, False, True, True]))),
    ("masked_select_bad", lambda L, x: x.masked_select(L.tensor([1, 0, 0, 1, 1]))),
    ("nonzero", lambda L, x: (x > 3).nonzero()),
    ("nonzero_tuple", lambda L, x: L.nonzero(x.round() if hasattr(x, "round") else x, as_tuple=True)),
    ("argwhere", lambda L, x: L.argwhere(x > 0)),
    ("argwhere_m", lambda L, x: x.argwhere()),
    ("nonzero_0d", lambda L, x: x[0, 0, 0].nonzero()),
    ("nonzero_0d_tuple", lambda L, x: x[0, 0, 1].nonzero(as_tuple=True)),
    ("index_add", lambda L, x: x.index_add(1, L.tensor([0, 2, 0]), L.ones(3, 3, 5), alpha=2)),
    ("index_add_", lambda L, x: x.clone().index_add_(0, L.tensor([2]), L.ones(1, 4, 5))),
    ("index_add_bad", lambda L, x: x.index_add(0, L.tensor([2]), L.ones(2, 4, 5))),
    ("index_copy", lambda L, x: x.index_copy(2, L.tensor([4, 0]), L.zeros(3, 4, 2))),
    ("index_copy_", lambda L, x: x.clone().index_copy_(0, L.tensor([1, -1]), L.ones(2, 4, 5))),
    ("index_fill", lambda L, x: x.index_fill(1, L.tensor([1, 3]), -2.0)),
    ("index_fill_", lambda L, x: x.clone().index_fill_(-1, L.tensor([0]), L.tensor(7.0))),
    ("index_put", lambda L, x: x.index_put((L.tensor([0, 2]), L.tensor([1, 1])), L.tensor(5.0))),
    ("index_put_acc", lambda L, x: x.index_put((L.tensor([0, 0, 2]),), L.ones(5), accumulate=True)),
    ("index_put_", lambda L, x: x.clone().index_put_((L.tensor([1]), None, L.tensor([4])), L.tensor([3.0]))),
    ("scatter", lambda L, x: x.scatter(1, L.tensor([[[0, 1, 2, 3, 0]]]), L.full((3, 4, 5), 9.0))),
    ("scatter_value", lambda L, x: L.scatter(x, 2, L.tensor([[[0, 4]] * 4] * 3), 1.5)),
    ("scatter_add_r", lambda L, x: x.scatter(0, L.tensor([[[0, 0, 1]]]), L.ones(1, 1, 3), reduce="add")),
    ("scatter_mul_r", lambda L, x: x.clone().scatter_(0, L.tensor([[[0, 0, 1]]]), 3.0, reduce="multiply")),
    ("scatter_oob", lambda L, x: x.scatter(0, L.tensor([[[3]]]), 1.0)),
    ("scatter_add", lambda L, x: x.scatter_add(2, L.tensor([[[1, 1, 1]]]), L.ones(1, 1, 3))),
    ("scatter_add_", lambda L, x: L.scatter_add(x, 0, L.tensor([[[2], [2]]]), x[:1, :2, :1])),
    ("masked_scatter", lambda L, x: x.masked_scatter(x > 5, L.arange(60.0) * -1)),
    ("masked_scatter_", lambda L, x: x.clone().masked_scatter_(L.tensor([True, False, True, False, False]), L.zeros(30))),
    ("masked_scatter_short", lambda L, x: x.masked_scatter(x > 0, L.zeros(2))),
]


@pytest.mark.parametrize("layout", ["contig", "transposed", "stepped"])
@pytest.mark.parametrize("name,fn", IDX_CASES, ids=[c[0] for c in IDX_CASES])
def test_index_functions(name, fn, layout):
    run(fn, layout=layout)


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bfloat16"])
def test_scatter_reduce(reduce, include_self, dtype):
    idx = [[0, 1, 0, 1, 2], [2, 2, 0, 1, 1]]

    def fn(L, x):
        src = (L.arange(10.0).reshape(2, 5) - 4).to(x.dtype)
        return x[:, :, 0].scatter_reduce(0, L.tensor(idx), src, reduce, include_self=include_self)

    run(fn, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("name", ["index_select", "gather", "take", "masked_select", "nonzero", "index_put_acc",
                                  "scatter", "index_fill", "masked_scatter"])
def test_index_dtypes(name, dtype):
    fn = dict(IDX_CASES)[name]
    if dtype == "bool" and name in ("index_put_acc", "scatter", "index_fill", "masked_scatter"):
        dtype = "int8"
    if name in ("nonzero", "masked_select"):
        run(lambda L, x: L.nonzero(x) if name == "nonzero" else L.masked_select(x, L.tensor([True, False, False, True, True])),
            dtype=dtype, layout="transposed")
        return
    if name in ("index_put_acc", "scatter", "masked_scatter"):
        run(lambda L, x: fn(L, x.to(L.float64)).to(x.dtype), dtype=dtype, layout="stepped")
        return
    run(fn, dtype=dtype, layout="stepped")


def test_where_one_arg():
    for c in ([[True, False], [False, True]], [0.0, 1.0, -2.0], 3):
        o = ot._C._where_cond(ot.tensor(c))
        t = torch.where(torch.tensor(c))
        assert len(o) == len(t)
        for a, b in zip(o, t):
            assert_same(a, b)


# ----- properties: random indexing expressions vs torch -----

@st.composite
def index_expr(draw):
    shape = draw(st.lists(st.integers(0, 4), min_size=1, max_size=4))
    items = []
    d = 0
    used_ellipsis = False
    while d < len(shape) and draw(st.booleans()):
        n = shape[d]
        kind = draw(st.sampled_from(["int", "slice", "none", "list", "mask", "ellipsis"]))
        if kind == "int" and n > 0:
            items.append(draw(st.integers(-n, n - 1)))
            d += 1
        elif kind == "slice":
            a = draw(st.one_of(st.none(), st.integers(-5, 5)))
            b = draw(st.one_of(st.none(), st.integers(-5, 5)))
            c = draw(st.one_of(st.none(), st.integers(1, 3)))
            items.append(slice(a, b, c))
            d += 1
        elif kind == "none":
            items.append(None)
        elif kind == "list" and n > 0:
            items.append(("T", draw(st.lists(st.integers(-n, n - 1), min_size=0, max_size=3)), "int64"))
            d += 1
        elif kind == "mask":
            items.append(("T", draw(st.lists(st.booleans(), min_size=n, max_size=n)), "bool"))
            d += 1
        elif kind == "ellipsis" and not used_ellipsis:
            items.append(Ellipsis)
            used_ellipsis = True
            d = len(shape)
    return tuple(shape), tuple(items)


@given(index_expr(), st.booleans())
def test_random_indexing(expr, assign):
    shape, key = expr

    def fn(L, x):
        if not assign:
            return x[conv(L, key)]
        y = x.clone()
        y[conv(L, key)] = -1.0
        return y

    run(fn, shape=shape)


def test_setitem_drops_leading_unit_dims_of_the_value():
    run(lambda L, x: (x.__setitem__(0, L.ones(1, 1, 5)), x)[1], shape=(3, 5))
    run(lambda L, x: (x.__setitem__(slice(1, None), L.ones(1, 2, 5) * 2), x)[1], shape=(3, 5))
    run(lambda L, x: (x.__setitem__(True, L.ones(1, 1, 3, 5) * 3), x)[1], shape=(3, 5))
