"""oxytorch.utils.data vs torch.utils.data: datasets, samplers, collation, DataLoader (incl. workers).

Every parity test runs the same code with ``m = oxytorch`` and ``m = torch`` and compares a
structural normal form of the results (tensors -> dtype, shape, values; containers by type name).
"""
import collections
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import oxytorch
import oxytorch as ot

MODS = (oxytorch, torch)


def norm(x):
    """A comparable normal form of a (nested) batch."""
    if isinstance(x, (oxytorch.Tensor, torch.Tensor)):
        return ("T", str(x.dtype), tuple(x.shape), x.tolist())
    if isinstance(x, np.ndarray):
        return ("np", str(x.dtype), x.tolist())
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return ("nt", type(x).__name__, x._fields, [norm(v) for v in x])
    if isinstance(x, dict):
        return (type(x).__name__, {k: norm(v) for k, v in x.items()})
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [norm(v) for v in x])
    return ("py", type(x).__name__, x)


def both(fn):
    """fn(m) for oxytorch and torch; asserts equal normal forms and returns the oxytorch result."""
    a, b = fn(oxytorch), fn(torch)
    assert norm(a) == norm(b)
    return a


def raises_both(fn, exc, match=None):
    """fn(m) raises the same exception type and message for oxytorch and torch."""
    msgs = []
    for m in MODS:
        with pytest.raises(exc) as info:
            fn(m)
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]
    if match is not None:
        assert match in msgs[0]
    return msgs[0]


def test_layout():
    import oxytorch.utils.data as d

    assert oxytorch.utils.data is d
    assert set(d.__all__) <= set(dir(d))
    for name in torch.utils.data.__all__:
        if name in ("DataChunk", "DFIterDataPipe", "IterDataPipe", "MapDataPipe", "functional_datapipe",
                    "argument_validation", "runtime_validation", "runtime_validation_disabled",
                    "guaranteed_datapipes_determinism", "non_deterministic", "DistributedSampler"):
            continue
        assert hasattr(d, name), name
    from oxytorch.utils.data._utils.collate import default_collate  # noqa: F401
    from oxytorch.utils.data.dataloader import DataLoader  # noqa: F401
    from oxytorch.utils.data.sampler import RandomSampler  # noqa: F401


# ----------------------------------------------------------------------------------------------
# collation

Point = collections.namedtuple("Point", ["x", "y"])


def _samples(m, kind):
    if kind == "tensor":
        return [m.arange(6, dtype=m.float32).reshape(2, 3) + i for i in range(4)]
    if kind == "tensor_int":
        return [m.tensor([i, -i], dtype=m.int16) for i in range(3)]
    if kind == "tensor0d":
        return [m.tensor(i * 1.5, dtype=m.float64) for i in range(3)]
    if kind == "tensor_bool":
        return [m.tensor([True, i % 2 == 0]) for i in range(3)]
    if kind == "float":
        return [0.5, 1.25, -3.0]
    if kind == "int":
        return [1, -2, 3]
    if kind == "bool":
        return [True, False, True]
    if kind == "str":
        return ["a", "bc", "d"]
    if kind == "bytes":
        return [b"a", b"b"]
    if kind == "np_f32":
        return [np.arange(3, dtype=np.float32) * i for i in range(3)]
    if kind == "np_u8":
        return [np.full((2, 2), i, dtype=np.uint8) for i in range(3)]
    if kind == "np_i64_0d":
        return [np.array(i, dtype=np.int64) for i in range(3)]
    if kind == "np_scalar_f64":
        return [np.float64(i) / 3 for i in range(3)]
    if kind == "np_scalar_i32":
        return [np.int32(i) for i in range(3)]
    if kind == "np_bool":
        return [np.bool_(i % 2) for i in range(3)]
    if kind == "tuple":
        return [(m.tensor([i, i + 1]), float(i), i) for i in range(3)]
    if kind == "list":
        return [[m.tensor([i]), i] for i in range(3)]
    if kind == "dict":
        return [{"img": m.ones(2, 2) * i, "label": i, "name": f"s{i}"} for i in range(3)]
    if kind == "ordereddict":
        return [collections.OrderedDict([("b", i), ("a", float(i))]) for i in range(2)]
    if kind == "namedtuple":
        return [Point(m.tensor([float(i)]), i) for i in range(3)]
    if kind == "nested":
        return [{"p": Point(i, [i, float(i)]), "t": (m.tensor([i]), {"z": np.float32(i)})} for i in range(2)]
    raise AssertionError(kind)


COLLATE_KINDS = ["tensor", "tensor_int", "tensor0d", "tensor_bool", "float", "int", "bool", "str", "bytes",
                 "np_f32", "np_u8", "np_i64_0d", "np_scalar_f64", "np_scalar_i32", "np_bool", "tuple",
                 "list", "dict", "ordereddict", "namedtuple", "nested"]


@pytest.mark.parametrize("kind", COLLATE_KINDS)
def test_default_collate(kind):
    both(lambda m: m.utils.data.default_collate(_samples(m, kind)))


@pytest.mark.parametrize("kind", COLLATE_KINDS)
def test_default_convert(kind):
    both(lambda m: [m.utils.data.default_convert(s) for s in _samples(m, kind)])
    both(lambda m: m.utils.data.default_convert(_samples(m, kind)))


def test_default_convert_keeps_string_arrays():
    for m in MODS:
        a = np.array(["a", "b"])
        assert m.utils.data.default_convert(a) is a


def test_collate_errors():
    raises_both(lambda m: m.utils.data.default_collate([[1, 2], [3]]), RuntimeError,
                "each element in list of batch should be of equal size")
    raises_both(lambda m: m.utils.data.default_collate([object(), object()]), TypeError,
                "default_collate: batch must contain")
    raises_both(lambda m: m.utils.data.default_collate([np.array(["a"]), np.array(["b"])]), TypeError)
    raises_both(lambda m: m.utils.data.default_collate([m.zeros(2), m.zeros(3)]), RuntimeError,
                "stack expects each tensor to be equal size")
    raises_both(lambda m: m.utils.data.default_collate([]), IndexError)


# ----------------------------------------------------------------------------------------------
# datasets


def test_tensor_dataset():
    def run(m):
        x = m.arange(12.0).reshape(6, 2)
        y = m.arange(6)
        ds = m.utils.data.TensorDataset(x, y)
        return [len(ds), ds[2], ds[-1], ds[1:3], list(ds)[:2]]

    both(run)
    raises_both(lambda m: m.utils.data.TensorDataset(m.zeros(3), m.zeros(4)), AssertionError,
                "Size mismatch between tensors")


def test_concat_dataset():
    def run(m):
        d = m.utils.data
        a = d.TensorDataset(m.arange(3))
        b = d.TensorDataset(m.arange(10, 15))
        c = a + b
        assert isinstance(c, d.ConcatDataset)
        cc = c + a
        return [len(c), c.cumulative_sizes, [c[i] for i in range(-8, 8)], len(cc), cc.cumulative_sizes,
                d.ConcatDataset([[1, 2], [], [3]])[2]]

    both(run)
    raises_both(lambda m: m.utils.data.ConcatDataset([[1, 2]])[-3], ValueError,
                "absolute value of index should not exceed dataset length")
    raises_both(lambda m: m.utils.data.ConcatDataset([[1, 2]])[2], IndexError)
    raises_both(lambda m: m.utils.data.ConcatDataset([]), AssertionError,
                "datasets should not be an empty iterable")

    class It(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter([])

    class OIt(oxytorch.utils.data.IterableDataset):
        def __iter__(self):
            return iter([])

    for m, cls in ((oxytorch, OIt), (torch, It)):
        with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
            m.utils.data.ConcatDataset([[1], cls()])


def _range_iterable(m, lo, hi):
    class R(m.utils.data.IterableDataset):
        def __init__(self):
            self.lo, self.hi = lo, hi

        def __iter__(self):
            info = m.utils.data.get_worker_info()
            if info is None:
                return iter(range(self.lo, self.hi))
            return iter(range(self.lo + info.id, self.hi, info.num_workers))

        def __len__(self):
            return self.hi - self.lo

    return R()


def test_chain_and_iterable_add():
    def run(m):
        a, b = _range_iterable(m, 0, 3), _range_iterable(m, 10, 12)
        c = a + b
        assert isinstance(c, m.utils.data.ChainDataset)
        return [list(c), len(c), list(m.utils.data.ChainDataset([a, b, a]))]

    both(run)

    def bad(m):
        c = m.utils.data.ChainDataset([_range_iterable(m, 0, 2), [1, 2]])
        return list(c)

    raises_both(bad, AssertionError, "ChainDataset only supports IterableDataset")
    raises_both(lambda m: len(m.utils.data.ChainDataset([[1]])), AssertionError)


def test_subset_and_stack_dataset():
    def run(m):
        d = m.utils.data
        base = d.TensorDataset(m.arange(10) * 2)
        sub = d.Subset(base, [9, 0, 4])
        st_t = d.StackDataset(m.arange(3), [5, 6, 7])
        st_d = d.StackDataset(a=m.arange(3), b=["x", "y", "z"])
        return [len(sub), sub[0], sub[-1], sub.__getitems__([2, 1]), len(st_t), st_t[1], st_d[2],
                st_t.__getitems__([0, 2]), st_d.__getitems__([1]),
                list(d.DataLoader(st_d, batch_size=2)), list(d.DataLoader(sub, batch_size=2))]

    both(run)
    raises_both(lambda m: m.utils.data.StackDataset([1], [1, 2]), ValueError, "Size mismatch between datasets")
    raises_both(lambda m: m.utils.data.StackDataset(), ValueError, "At least one dataset should be passed")
    raises_both(lambda m: m.utils.data.StackDataset([1], a=[1]), ValueError)


def test_subset_override_check():
    msgs = []
    for m in MODS:
        class S(m.utils.data.Subset):
            def __getitem__(self, i):
                return 0

        with pytest.raises(NotImplementedError) as info:
            S([1, 2], [0])
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


def test_dataset_base():
    raises_both(lambda m: m.utils.data.Dataset()[0], NotImplementedError)
    raises_both(lambda m: m.utils.data.IterableDataset(), TypeError, "abstract")
    raises_both(lambda m: m.utils.data.Sampler().__iter__(), NotImplementedError)
    raises_both(lambda m: m.utils.data.Sampler(range(3)), TypeError)


def test_too_many_workers_warning():
    msgs = []
    n = len(os.sched_getaffinity(0)) + 1
    for m in MODS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            m.utils.data.DataLoader(range(3), num_workers=n)
        msgs.append([str(x.message) for x in w])
    assert msgs[0] == msgs[1] and len(msgs[0]) == 1


@pytest.mark.parametrize("seed", [0, 1, 7, 1234])
@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.7], [0.33, 0.33, 0.34], [0.1, 0.2, 0.3, 0.4], [1.0],
                                     [1, 1, 8], [0.5, 0.5]])
def test_random_split_matches_torch(seed, lengths):
    def run(m):
        parts = m.utils.data.random_split(range(10), lengths, generator=m.Generator().manual_seed(seed))
        return [[len(p), list(p.indices), [p[i] for i in range(len(p))]] for p in parts]

    both(run)


def test_random_split_remainder_and_global_generator():
    # 7 items split in fractions: floor gives [2, 2, 2], the remainder 1 goes to split 0.
    def run(m):
        parts = m.utils.data.random_split(range(7), [1 / 3, 1 / 3, 1 / 3], generator=m.Generator().manual_seed(3))
        m.manual_seed(11)
        dflt = m.utils.data.random_split(range(13), [0.25, 0.25, 0.5])
        return [[len(p) for p in parts], [p.indices for p in dflt]]

    assert both(run)[0] == [3, 2, 2]


def test_random_split_errors_and_warning():
    raises_both(lambda m: m.utils.data.random_split(range(5), [2, 2]), ValueError,
                "Sum of input lengths does not equal the length of the input dataset!")
    raises_both(lambda m: m.utils.data.random_split(range(5), [1.5, -0.5]), ValueError,
                "Fraction at index 0 is not between 0 and 1")
    msgs = []
    for m in MODS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            parts = m.utils.data.random_split(range(2), [0.0, 1.0], generator=m.Generator().manual_seed(0))
        msgs.append([str(x.message) for x in w])
        assert [len(p) for p in parts] == [0, 2]
    assert msgs[0] == msgs[1] and msgs[0]


# ----------------------------------------------------------------------------------------------
# samplers


@pytest.mark.parametrize("seed", [0, 3, 99])
def test_samplers_match_torch(seed):
    def run(m):
        d = m.utils.data
        g = m.Generator().manual_seed(seed)
        data = range(37)
        out = [
            list(d.SequentialSampler(data)),
            list(d.RandomSampler(data, generator=g)),
            list(d.RandomSampler(data, generator=g)),  # the generator advances
            list(d.RandomSampler(data, num_samples=80, generator=g)),
            list(d.RandomSampler(data, num_samples=5, generator=g)),
            list(d.RandomSampler(data, replacement=True, generator=g)),
            list(d.RandomSampler(data, replacement=True, num_samples=70, generator=g)),
            list(d.SubsetRandomSampler([5, 9, 11, 20, 3], generator=g)),
            list(d.WeightedRandomSampler([0.1, 0.9, 0.4, 0.0, 2.0], 40, generator=g)),
            list(d.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 2.0], 5, replacement=False, generator=g)),
            list(d.BatchSampler(d.SequentialSampler(range(10)), 3, False)),
            list(d.BatchSampler(d.SequentialSampler(range(10)), 3, True)),
            list(d.BatchSampler(range(9), 3, True)),
            len(d.BatchSampler(range(10), 3, False)), len(d.BatchSampler(range(10), 3, True)),
            len(d.RandomSampler(data, num_samples=80)), len(d.WeightedRandomSampler([1, 2], 9)),
        ]
        m.manual_seed(seed + 100)  # no generator: a seed is drawn from the global generator
        out.append(list(d.RandomSampler(data)))
        out.append(list(d.SubsetRandomSampler([1, 2, 3, 4])))
        out.append(list(d.WeightedRandomSampler([1.0, 3.0, 0.5], 12)))
        out.append(list(d.RandomSampler(data, replacement=True, num_samples=33)))
        return out

    both(run)


def test_sampler_errors():
    raises_both(lambda m: m.utils.data.RandomSampler(range(3), replacement=1), TypeError,
                "replacement should be a boolean value, but got replacement=1")
    raises_both(lambda m: m.utils.data.RandomSampler(range(3), num_samples=0), ValueError,
                "num_samples should be a positive integer value, but got num_samples=0")
    raises_both(lambda m: m.utils.data.RandomSampler([]), ValueError)
    raises_both(lambda m: m.utils.data.WeightedRandomSampler([1, 2], True), ValueError,
                "num_samples should be a positive integer value, but got num_samples=True")
    raises_both(lambda m: m.utils.data.WeightedRandomSampler([1, 2], 2, replacement=None), ValueError,
                "replacement should be a boolean value, but got replacement=None")
    raises_both(lambda m: m.utils.data.WeightedRandomSampler([[1, 2]], 2), ValueError,
                "weights should be a 1d sequence but given weights have shape (1, 2)")
    for bs in (0, -1, 2.0, True, None):
        raises_both(lambda m: m.utils.data.BatchSampler(range(3), bs, False), ValueError,
                    "batch_size should be a positive integer value")
    raises_both(lambda m: m.utils.data.BatchSampler(range(3), 2, 0), ValueError,
                "drop_last should be a boolean value, but got drop_last=0")


@settings(max_examples=30)
@given(n=st.integers(1, 60), bs=st.integers(1, 12), drop_last=st.booleans(), seed=st.integers(0, 2**31))
def test_shuffle_permutation_properties(n, bs, drop_last, seed):
    dl = oxytorch.utils.data.DataLoader(oxytorch.arange(n), batch_size=bs, shuffle=True, drop_last=drop_last,
                                        generator=oxytorch.Generator().manual_seed(seed))
    batches = [b.tolist() for b in dl]
    assert len(batches) == len(dl) == (n // bs if drop_last else -(-n // bs))
    assert all(len(b) == bs for b in batches[:-1])
    flat = [i for b in batches for i in b]
    assert len(set(flat)) == len(flat)  # nothing duplicated
    if drop_last:
        assert len(flat) == (n // bs) * bs and set(flat) <= set(range(n))
    else:
        assert sorted(flat) == list(range(n))  # nothing dropped
    g = oxytorch.Generator().manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # n == 1 gives an empty split
        parts = oxytorch.utils.data.random_split(range(n), [0.5, 0.5], generator=g)
    assert sorted(parts[0].indices + parts[1].indices) == list(range(n))


# ----------------------------------------------------------------------------------------------
# DataLoader (single process)


@pytest.mark.parametrize("seed", [0, 1, 42, 2024])
@pytest.mark.parametrize("bs,drop_last", [(1, False), (4, False), (4, True), (7, True), (30, False)])
def test_shuffle_matches_torch(seed, bs, drop_last):
    def run(m):
        x = m.arange(50.0).reshape(25, 2)
        y = m.arange(25)
        g = m.Generator().manual_seed(seed)
        dl = m.utils.data.DataLoader(m.utils.data.TensorDataset(x, y), batch_size=bs, shuffle=True,
                                     drop_last=drop_last, generator=g)
        epochs = [list(dl), list(dl)]  # two epochs from one generator
        m.manual_seed(seed)
        glob = list(m.utils.data.DataLoader(list(range(25)), batch_size=bs, shuffle=True, drop_last=drop_last))
        after = m.rand(2)  # the global generator advanced the same way
        return [len(dl), epochs, glob, after]

    both(run)


def test_dataloader_batching():
    def run(m):
        d = m.utils.data
        samples = [{"x": np.arange(3, dtype=np.float32) + i, "y": i, "w": i / 2, "s": str(i),
                    "t": (m.tensor([i]), Point(i, float(i)))} for i in range(5)]
        return [
            list(d.DataLoader(samples, batch_size=2)),
            list(d.DataLoader(samples, batch_size=None)),
            list(d.DataLoader(samples, batch_size=2, collate_fn=lambda b: len(b))),
            list(d.DataLoader(range(5), batch_size=None)),
            list(d.DataLoader(range(5), batch_size=3, drop_last=True)),
            list(d.DataLoader(range(10), batch_sampler=[[1, 2], [0], [9, 8, 7]])),
            list(d.DataLoader(range(10), sampler=[3, 1, 2], batch_size=2)),
            list(d.DataLoader(range(10), sampler=d.SequentialSampler(range(4)), batch_size=None)),
            [len(d.DataLoader(range(10), batch_size=3)), len(d.DataLoader(range(10), batch_size=3, drop_last=True)),
             len(d.DataLoader(range(10), batch_size=None))],
        ]

    both(run)


def test_dataloader_iterable_dataset():
    def run(m):
        d = m.utils.data
        ds = _range_iterable(m, 0, 10)
        return [list(d.DataLoader(ds, batch_size=3)), list(d.DataLoader(ds, batch_size=3, drop_last=True)),
                list(d.DataLoader(ds, batch_size=None)), len(d.DataLoader(ds, batch_size=3)),
                len(d.DataLoader(ds, batch_size=3, drop_last=True)), len(d.DataLoader(ds, batch_size=None))]

    both(run)


def test_getitems_used():
    def run(m):
        class D(m.utils.data.Dataset):
            def __len__(self):
                return 6

            def __getitem__(self, i):
                raise AssertionError("not used")

            def __getitems__(self, idx):
                return [i * 10 for i in idx]

        return list(m.utils.data.DataLoader(D(), batch_size=4))

    both(run)


def test_dataloader_errors():
    d = "utils"

    def dl(**kw):
        return lambda m: getattr(m, d).data.DataLoader(kw.pop("ds", range(5)), **kw)

    raises_both(dl(num_workers=-1), ValueError, "num_workers option should be non-negative")
    raises_both(dl(timeout=-1), ValueError, "timeout option should be non-negative")
    raises_both(dl(prefetch_factor=2), ValueError, "prefetch_factor option could only be specified")
    raises_both(dl(num_workers=1, prefetch_factor=-1), ValueError, "prefetch_factor option should be non-negative")
    raises_both(dl(persistent_workers=True), ValueError, "persistent_workers option needs num_workers > 0")
    raises_both(dl(sampler=[0, 1], shuffle=True), ValueError, "sampler option is mutually exclusive with shuffle")
    for kw in ({"batch_size": 2}, {"shuffle": True}, {"sampler": [0]}, {"drop_last": True}):
        raises_both(dl(batch_sampler=[[0]], **kw), ValueError, "batch_sampler option is mutually exclusive")
    raises_both(dl(batch_size=None, drop_last=True), ValueError, "batch_size=None option disables auto-batching")
    raises_both(dl(multiprocessing_context="fork"), ValueError, "multiprocessing_context can only be used")
    raises_both(dl(num_workers=1, multiprocessing_context="nope"), ValueError,
                "multiprocessing_context option should specify a valid start method")
    raises_both(dl(num_workers=1, multiprocessing_context=3), TypeError,
                "multiprocessing_context option should be a valid context")

    def iter_err(**kw):
        return lambda m: m.utils.data.DataLoader(_range_iterable(m, 0, 3), **kw)

    raises_both(iter_err(shuffle=True), ValueError, "expected unspecified shuffle option, but got shuffle=True")
    raises_both(iter_err(batch_sampler=[[0]]), ValueError, "expected unspecified batch_sampler option")

    def setattr_after(m):
        loader = m.utils.data.DataLoader(range(3))
        loader.batch_size = 3

    raises_both(setattr_after, ValueError, "batch_size attribute should not be set after DataLoader is initialized")


def test_pin_memory_accepted():
    for m in MODS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = list(m.utils.data.DataLoader(range(4), batch_size=2, pin_memory=True))
        assert [b.tolist() for b in out] == [[0, 1], [2, 3]]


# ----------------------------------------------------------------------------------------------
# DataLoader with worker processes (all with a DataLoader timeout, so a lost worker cannot hang)


class _Squares(oxytorch.utils.data.Dataset):
    def __len__(self):
        return 23

    def __getitem__(self, i):
        info = oxytorch.utils.data.get_worker_info()
        return {"v": oxytorch.tensor([i * i]), "worker": -1 if info is None else info.id, "i": i}


@pytest.mark.parametrize("in_order", [True, False])
def test_workers_order_and_values(in_order):
    g = oxytorch.Generator().manual_seed(5)
    dl = oxytorch.utils.data.DataLoader(_Squares(), batch_size=4, shuffle=True, num_workers=2, timeout=30,
                                        generator=g, in_order=in_order)
    batches = list(dl)
    # torch's loader draws base_seed first, then the permutation: reproduce on the reference side
    tg = torch.Generator().manual_seed(5)
    torch.empty((), dtype=torch.int64).random_(generator=tg)
    ref = list(torch.utils.data.BatchSampler(torch.utils.data.RandomSampler(range(23), generator=tg), 4, False))
    got = [b["i"].tolist() for b in batches]
    if in_order:
        assert got == ref
    else:
        assert sorted(map(tuple, got)) == sorted(map(tuple, ref))
    for b in batches:
        assert b["v"].tolist() == [[i * i] for i in b["i"].tolist()]
        assert set(b["worker"].tolist()) <= {0, 1}
    assert {w for b in batches for w in b["worker"].tolist()} == {0, 1}


def _record_init(worker_id):
    info = oxytorch.utils.data.get_worker_info()
    info.dataset.log.append(worker_id)  # the worker's own copy


class _InfoDataset(oxytorch.utils.data.Dataset):
    def __init__(self):
        self.log = []

    def __len__(self):
        return 6

    def __getitem__(self, i):
        info = oxytorch.utils.data.get_worker_info()
        return (info.id, info.num_workers, info.seed, list(self.log), i,
                float(oxytorch.rand(1)), int(np.random.randint(1 << 30)))


def test_worker_info_seed_and_init_fn():
    assert oxytorch.utils.data.get_worker_info() is None
    g = oxytorch.Generator().manual_seed(3)
    dl = oxytorch.utils.data.DataLoader(_InfoDataset(), batch_size=None, num_workers=2, timeout=30,
                                        worker_init_fn=_record_init, generator=g)
    rows = list(dl)
    base = int(torch.empty((), dtype=torch.int64).random_(generator=torch.Generator().manual_seed(3)).item())
    assert [r[4] for r in rows] == list(range(6))
    for wid, nw, seed, log, i, r, npr in rows:
        assert wid == i % 2 and nw == 2 and seed == base + wid and log == [wid]
    # each worker seeds oxytorch's generator with base_seed + id, exactly as torch does
    first = {r[0]: r for r in rows if r[4] < 2}
    for wid, row in first.items():
        assert row[5] == float(torch.rand(1, generator=torch.Generator().manual_seed(base + wid)))
        np.random.seed(torch.utils.data._utils.worker._generate_state(base, wid))
        assert row[6] == np.random.randint(1 << 30)


def test_workers_iterable_and_len():
    ds = _range_iterable(oxytorch, 0, 11)
    dl = oxytorch.utils.data.DataLoader(ds, batch_size=2, num_workers=2, timeout=30)
    got = [b.tolist() for b in dl]
    tdl = torch.utils.data.DataLoader(_range_iterable(torch, 0, 11), batch_size=2, num_workers=2, timeout=30)
    assert got == [b.tolist() for b in tdl]
    assert len(dl) == len(tdl) == 6


def _boom(i):
    if i == 3:
        raise KeyError("bad index 3")
    return i


class _Boom(oxytorch.utils.data.Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        return _boom(i)


def test_worker_exception_reraised():
    dl = oxytorch.utils.data.DataLoader(_Boom(), batch_size=2, num_workers=2, timeout=30)
    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process 1"):
        list(dl)


def test_persistent_workers_and_prefetch():
    dl = oxytorch.utils.data.DataLoader(_Squares(), batch_size=5, num_workers=2, timeout=30,
                                        persistent_workers=True, prefetch_factor=1)
    e1 = [b["i"].tolist() for b in dl]
    it = dl._iterator
    e2 = [b["i"].tolist() for b in dl]
    assert dl._iterator is it
    assert e1 == e2 == [list(range(k, min(k + 5, 23))) for k in range(0, 23, 5)]
    it._shutdown_workers()


def test_multiprocessing_context_spawn_like():
    dl = oxytorch.utils.data.DataLoader(list(range(7)), batch_size=3, num_workers=2, timeout=60,
                                        multiprocessing_context="forkserver")
    assert [b.tolist() for b in dl] == [[0, 1, 2], [3, 4, 5], [6]]


_FORK_SCRIPT = r"""
import oxytorch as torch
from oxytorch.utils.data import DataLoader, Dataset

class Big(Dataset):
    def __len__(self):
        return 6
    def __getitem__(self, i):
        y = torch.randn(1000, 1000)
        return (y @ y).sum() * 0 + (y + 1).sum() * 0 + i

x = torch.randn(1500, 1500)
(x @ x).sum(); (x + 1).sum()  # the parent's thread pools are running now
out = [b.tolist() for b in DataLoader(Big(), batch_size=2, num_workers=2, timeout=60)]
print(out)
"""


def test_fork_after_parallel_ops_does_not_hang():
    # A forked child has none of the parent's pool threads; workers run single-threaded so they
    # never wait on them. Guarded by a subprocess timeout.
    env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(__file__), "..", "python"))
    r = subprocess.run([sys.executable, "-c", _FORK_SCRIPT], capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]"


def test_timeout_raises():
    class Slow(oxytorch.utils.data.Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            import time

            time.sleep(2)
            return i

    dl = oxytorch.utils.data.DataLoader(Slow(), num_workers=1, timeout=0.5)
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.5 seconds"):
        list(dl)


class _Plain(oxytorch.utils.data.Dataset):
    def __len__(self):
        return 17

    def __getitem__(self, i):
        return i


class _TPlain(torch.utils.data.Dataset):
    def __len__(self):
        return 17

    def __getitem__(self, i):
        return i


def test_workers_shuffle_epochs_match_torch():
    # same generator seed -> same base_seed draw, then the same permutations epoch after epoch
    out = []
    for m, ds in ((oxytorch, _Plain()), (torch, _TPlain())):
        dl = m.utils.data.DataLoader(ds, batch_size=3, shuffle=True, num_workers=2, timeout=30,
                                     persistent_workers=True, generator=m.Generator().manual_seed(9))
        out.append([[b.tolist() for b in dl] for _ in range(2)])
        dl._iterator._shutdown_workers()
    assert out[0] == out[1]
    assert out[0][0] != out[0][1]


def test_abandoned_iterator_stops_workers():
    dl = oxytorch.utils.data.DataLoader(_Plain(), batch_size=2, num_workers=2, timeout=30)
    it = iter(dl)
    assert next(it).tolist() == [0, 1]
    workers = list(it._workers)
    del it
    import gc

    gc.collect()
    for w in workers:
        w.join(timeout=10)
        assert not w.is_alive()


@pytest.mark.parametrize("n,replicas,shuffle,drop_last", [
    (10, 3, True, False), (10, 3, False, False), (10, 3, True, True), (10, 3, False, True), (9, 3, True, False),
    (2, 5, False, False), (2, 5, True, False), (7, 1, True, False), (0, 2, False, False),
])
def test_distributed_sampler_matches_torch(n, replicas, shuffle, drop_last):
    for rank in range(replicas):
        kw = dict(num_replicas=replicas, rank=rank, shuffle=shuffle, drop_last=drop_last, seed=3)
        so = ot.utils.data.DistributedSampler(range(n), **kw)
        st = torch.utils.data.DistributedSampler(range(n), **kw)
        for epoch in (0, 1, 5):
            so.set_epoch(epoch)
            st.set_epoch(epoch)
            assert list(so) == list(st)
            assert len(so) == len(st)


def test_distributed_sampler_errors_and_loader():
    raises_both(lambda m: m.utils.data.DistributedSampler(range(4)), ValueError)
    raises_both(lambda m: m.utils.data.DistributedSampler(range(4), num_replicas=2, rank=2), ValueError)
    raises_both(lambda m: m.utils.data.DistributedSampler(range(4), num_replicas=2, rank=-1), ValueError)
    ds = ot.utils.data.TensorDataset(ot.arange(10))
    loader = ot.utils.data.DataLoader(ds, batch_size=2, sampler=ot.utils.data.DistributedSampler(ds, 2, 1, shuffle=False))
    assert [b[0].tolist() for b in loader] == [[1, 3], [5, 7], [9]]
