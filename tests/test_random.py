"""Random sampling parity: with the same seed oxytorch must draw exactly torch's numbers (CPU)."""
import subprocess
import sys

import numpy as np
import pytest
import torch

import oxytorch as ot
from parity import assert_raises_same, assert_same, odt, tdt

SIZES = [1, 5, 15, 16, 17, 100]
SEEDS = [0, 42, 2**40 + 3]


def seeded(seed, fn):
    """Runs fn(lib) after seeding each library's default generator with ``seed``."""
    ot.manual_seed(seed)
    o = fn(ot)
    torch.manual_seed(seed)
    t = fn(torch)
    return o, t


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("name", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("fn", ["rand", "randn"])
def test_rand_randn_exact(fn, name, n, seed):
    o, t = seeded(seed, lambda lib: getattr(lib, fn)(n, dtype=getattr(lib, name)))
    assert_same(o, t, exact=True)


@pytest.mark.parametrize("shape", [(3, 5), (2, 3, 4), (0,), (4, 0), ()], ids=str)
@pytest.mark.parametrize("fn", ["rand", "randn"])
def test_rand_randn_shapes_exact(fn, shape):
    o, t = seeded(7, lambda lib: getattr(lib, fn)(shape))
    assert_same(o, t, exact=True)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("name", ["complex64", "complex128"])
@pytest.mark.parametrize("fn", ["rand", "randn"])
def test_rand_randn_complex_exact(fn, name, n):
    o, t = seeded(11, lambda lib: getattr(lib, fn)(n, dtype=getattr(lib, name)))
    assert_same(o, t, exact=True)


def test_rand_default_dtype_float64():
    ot.set_default_dtype(ot.float64)
    torch.set_default_dtype(torch.float64)
    o, t = seeded(5, lambda lib: lib.rand(17))
    assert_same(o, t, exact=True)
    o, t = seeded(5, lambda lib: lib.randn(17))
    assert_same(o, t, exact=True)


RANDINT_ARGS = [
    ((10, (5,)), {}),
    ((3, 10, (17,)), {}),
    ((-5, 5, (16,)), {}),
    ((0, 2, (100,)), {}),
    ((0, 2**40, (15,)), {}),
    ((-2**62, 2**62, (5,)), {}),
    ((10, (3, 4)), {}),
    ((1000, (100,)), {"dtype": "int32"}),
    ((100, (17,)), {"dtype": "int16"}),
    ((100, (17,)), {"dtype": "int8"}),
    ((200, (17,)), {"dtype": "uint8"}),
    ((10, (17,)), {"dtype": "float32"}),
    ((10, (17,)), {"dtype": "float64"}),
    ((2, (17,)), {"dtype": "bool"}),
    ((5, (0,)), {}),
    ((5, ()), {}),
]


@pytest.mark.parametrize("args,kwargs", RANDINT_ARGS, ids=[f"{a}{k}" for a, k in RANDINT_ARGS])
def test_randint_exact(args, kwargs):
    def fn(lib):
        kw = {k: getattr(lib, v) for k, v in kwargs.items()}
        return lib.randint(*args, **kw)

    o, t = seeded(123, fn)
    assert_same(o, t)


def test_randint_size_keyword():
    o, t = seeded(1, lambda lib: lib.randint(0, 10, size=(2, 3)))
    assert_same(o, t)
    o, t = seeded(1, lambda lib: lib.randint(10, size=(4,)))
    assert_same(o, t)


@pytest.mark.parametrize("n", [0, 1, 2, 5, 15, 16, 17, 100, 1000])
def test_randperm_exact(n):
    o, t = seeded(99, lambda lib: lib.randperm(n))
    assert_same(o, t)
    assert sorted(o.tolist()) == list(range(n))


@pytest.mark.parametrize("name", ["int32", "int16", "float32", "float64", "uint8"])
def test_randperm_dtype_exact(name):
    o, t = seeded(3, lambda lib: lib.randperm(20, dtype=getattr(lib, name)))
    assert_same(o, t)


NORMAL_ARGS = [(0.0, 1.0, (5,)), (2.0, 3.0, (17,)), (-1.5, 0.5, (100,)), (0.0, 1.0, (16,)),
               (0.0, 0.0, (4,)), (1.0, 2.0, (3, 5)), (0.0, 1.0, (1,)), (0.0, 1.0, (15,))]


@pytest.mark.parametrize("mean,std,size", NORMAL_ARGS, ids=str)
def test_normal_scalar_exact(mean, std, size):
    o, t = seeded(2024, lambda lib: lib.normal(mean, std, size))
    assert_same(o, t, exact=True)


@pytest.mark.parametrize("name", ["float32", "float64"])
@pytest.mark.parametrize("n", SIZES)
def test_normal_dtype_exact(name, n):
    o, t = seeded(8, lambda lib: lib.normal(1.0, 2.0, (n,), dtype=getattr(lib, name)))
    assert_same(o, t, exact=True)


def test_normal_size_keyword_and_errors():
    o, t = seeded(8, lambda lib: lib.normal(1.0, 2.0, size=(3,)))
    assert_same(o, t, exact=True)
    assert_raises_same(lambda: ot.normal(0.0, -1.0, (3,)), lambda: torch.normal(0.0, -1.0, (3,)))


def test_mixed_stream_exact():
    """Different samplers interleaved on the same stream stay in lock-step with torch."""
    def fn(lib):
        return [lib.rand(3), lib.randn(17), lib.randint(0, 50, (9,)), lib.rand(16, dtype=lib.float64),
                lib.randperm(12), lib.randn(5, dtype=lib.float64), lib.normal(1.0, 2.0, (7,)), lib.rand(1)]

    os_, ts = seeded(77, fn)
    for o, t in zip(os_, ts):
        assert_same(o, t, exact=True)


@pytest.mark.parametrize("seed", [0, 1, 2**32 - 1, 2**32, 2**63 - 1, -1, -(2**63)])
def test_manual_seed_values_and_initial_seed(seed):
    ot.manual_seed(seed)
    torch.manual_seed(seed)
    assert ot.initial_seed() == torch.initial_seed()
    assert_same(ot.rand(5), torch.rand(5), exact=True)


@pytest.mark.parametrize("bad", [2**64, -(2**63) - 1, None, [1]], ids=repr)
def test_manual_seed_errors_same_exception(bad):
    assert_raises_same(lambda: ot.manual_seed(bad), lambda: torch.manual_seed(bad))


@pytest.mark.parametrize("seed", [1.5, "7", True, np.int64(5)], ids=repr)
def test_manual_seed_accepts_int_convertible(seed):
    # torch.manual_seed calls int(seed) first
    torch.manual_seed(seed)
    ot.manual_seed(seed)
    assert ot.initial_seed() == torch.initial_seed()
    assert_same(ot.rand(5), torch.rand(5), exact=True)


def test_manual_seed_returns_generator():
    r_o, r_t = ot.manual_seed(3), torch.manual_seed(3)
    assert isinstance(r_t, torch.Generator)
    assert isinstance(r_o, ot.Generator)
    assert r_o is ot.default_generator
    assert r_o.initial_seed() == r_t.initial_seed() == 3


def _fresh(module, expr):
    code = f"import {module} as t; print({expr})"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_initial_seed_default_in_fresh_process():
    """The default generator's seed in a fresh process behaves like torch's: torch seeds its
    default CPU generator from a non-deterministic source (so two fresh processes disagree), and
    then initial_seed() reports that seed."""
    t1, t2 = _fresh("torch", "t.initial_seed()"), _fresh("torch", "t.initial_seed()")
    o1, o2 = _fresh("oxytorch", "t.initial_seed()"), _fresh("oxytorch", "t.initial_seed()")
    assert (o1 == o2) == (t1 == t2), f"torch fresh seeds {t1}, {t2}; oxytorch fresh seeds {o1}, {o2}"
    if t1 == t2:
        assert o1 == t1
    for v in (o1, o2):
        assert 0 <= int(v) < 2**64


def test_fresh_process_first_draws_follow_initial_seed():
    """In a fresh process the first draws are those of manual_seed(initial_seed())."""
    expr = "(lambda s, a: (a == (t.manual_seed(s), t.rand(5, dtype=t.float64).tolist())[1]))" \
           "(t.initial_seed(), t.rand(5, dtype=t.float64).tolist())"
    assert _fresh("torch", expr) == "True"
    assert _fresh("oxytorch", expr) == "True"


def test_new_generator_default_seed_matches_torch():
    assert ot.Generator().initial_seed() == torch.Generator().initial_seed() == 67280421310721
    assert_same(ot.rand(17, generator=ot.Generator()), torch.rand(17, generator=torch.Generator()),
                exact=True)


def test_seed_changes_initial_seed():
    s = ot.seed()
    assert isinstance(s, int)
    assert ot.initial_seed() == s
    assert 0 <= s < 2**64


# ---------------------------------------------------------------------------------------------
# Generator objects
# ---------------------------------------------------------------------------------------------

def test_generator_basics():
    g = ot.Generator()
    tg = torch.Generator()
    assert g.device == ot.device("cpu")
    assert repr(g.device) == repr(tg.device)
    assert g.initial_seed() == tg.initial_seed()
    assert g.manual_seed(5) is g
    assert g.initial_seed() == 5
    g2 = ot.Generator(device="cpu")
    assert g2.device.type == "cpu"


@pytest.mark.parametrize("fn", [
    lambda lib, g: lib.rand(17, generator=g),
    lambda lib, g: lib.randn(17, generator=g),
    lambda lib, g: lib.randn(16, dtype=lib.float64, generator=g),
    lambda lib, g: lib.randint(0, 100, (17,), generator=g),
    lambda lib, g: lib.randint(100, (5,), generator=g),
    lambda lib, g: lib.randperm(30, generator=g),
    lambda lib, g: lib.normal(1.0, 2.0, (17,), generator=g),
    lambda lib, g: lib.empty(17).uniform_(-2, 3, generator=g),
    lambda lib, g: lib.empty(17).normal_(1, 2, generator=g),
    lambda lib, g: lib.empty(17, dtype=lib.int64).random_(0, 10, generator=g),
], ids=["rand", "randn", "randn_f64", "randint", "randint_high", "randperm", "normal", "uniform_",
        "normal_", "random_"])
def test_generator_keyword_exact(fn):
    g, tg = ot.Generator().manual_seed(31), torch.Generator().manual_seed(31)
    assert_same(fn(ot, g), fn(torch, tg), exact=True)


def test_generators_are_independent_streams():
    ot.manual_seed(0)
    a = ot.rand(5).tolist()
    ot.manual_seed(0)
    g = ot.Generator().manual_seed(0)
    g_draw = ot.rand(5, generator=g).tolist()
    b = ot.rand(5).tolist()
    assert a == b  # drawing from g did not advance the default generator
    assert g_draw == a  # and g with the same seed produces the same stream
    g1, g2 = ot.Generator().manual_seed(1), ot.Generator().manual_seed(1)
    first6 = ot.rand(6, generator=ot.Generator().manual_seed(1)).tolist()
    x = ot.rand(3, generator=g1).tolist()
    ot.rand(10, generator=g2)  # advancing g2 leaves g1 alone
    y = ot.rand(3, generator=g1).tolist()
    assert x + y == first6


def test_generator_state_roundtrip():
    g = ot.Generator().manual_seed(12)
    ot.rand(3, generator=g)
    st = g.get_state()
    a = ot.randn(20, generator=g).tolist()
    g.set_state(st)
    b = ot.randn(20, generator=g).tolist()
    assert a == b


def test_default_generator_is_global():
    ot.default_generator.manual_seed(9)
    assert ot.initial_seed() == 9
    o = ot.rand(5)
    torch.default_generator.manual_seed(9)
    assert_same(o, torch.rand(5), exact=True)


# ---------------------------------------------------------------------------------------------
# get_rng_state / set_rng_state
# ---------------------------------------------------------------------------------------------

def test_rng_state_roundtrip_reproduces():
    ot.manual_seed(4)
    ot.rand(7)
    ot.randn(3)  # leaves a cached normal in torch's generator for some paths
    state = ot.get_rng_state()
    a = [ot.rand(17).tolist(), ot.randn(5).tolist(), ot.randint(0, 9, (6,)).tolist()]
    ot.set_rng_state(state)
    b = [ot.rand(17).tolist(), ot.randn(5).tolist(), ot.randint(0, 9, (6,)).tolist()]
    assert a == b


def test_rng_state_is_a_copy():
    state = ot.get_rng_state()
    before = state.tolist()
    ot.rand(100)
    assert state.tolist() == before


def test_rng_state_metadata_matches_torch():
    o, t = ot.get_rng_state(), torch.get_rng_state()
    assert str(o.dtype) == str(t.dtype) == "torch.uint8"
    assert tuple(o.shape) == tuple(t.shape)


@pytest.mark.parametrize("seed", [0, 5, 2**33])
def test_rng_state_bytes_match_torch(seed):
    ot.manual_seed(seed)
    torch.manual_seed(seed)
    ot.rand(10)
    torch.rand(10)
    assert ot.get_rng_state().tolist() == torch.get_rng_state().tolist()


def test_rng_state_interchangeable_with_torch():
    torch.manual_seed(17)
    torch.rand(3)
    ts = torch.get_rng_state()
    ot.set_rng_state(ot.tensor(ts.numpy()))
    assert_same(ot.rand(17), torch.rand(17), exact=True)


def test_set_rng_state_errors_same_exception():
    assert_raises_same(lambda: ot.set_rng_state(ot.zeros(10, dtype=ot.uint8)),
                       lambda: torch.set_rng_state(torch.zeros(10, dtype=torch.uint8)))
    assert_raises_same(lambda: ot.set_rng_state([1, 2, 3]), lambda: torch.set_rng_state([1, 2, 3]))
    assert_raises_same(lambda: ot.set_rng_state(ot.zeros(5056)), lambda: torch.set_rng_state(torch.zeros(5056)))


# ---------------------------------------------------------------------------------------------
# in-place fills
# ---------------------------------------------------------------------------------------------

INPLACE = {
    "uniform_default": lambda lib, x: x.uniform_(),
    "uniform_range": lambda lib, x: x.uniform_(-2.0, 3.0),
    "uniform_kw": lambda lib, x: x.uniform_(**{"from": 1.0, "to": 2.0}),
    "uniform_to_kw": lambda lib, x: x.uniform_(-1.0, to=4.0),
    "normal_default": lambda lib, x: x.normal_(),
    "normal_params": lambda lib, x: x.normal_(2.0, 0.5),
    "normal_kw": lambda lib, x: x.normal_(mean=-1.0, std=3.0),
}


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("name", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("case", list(INPLACE))
def test_inplace_float_fill_exact(case, name, n):
    fn = INPLACE[case]

    def run(lib):
        x = lib.zeros(n, dtype=getattr(lib, name))
        r = fn(lib, x)
        assert r is x
        return x

    o, t = seeded(55, run)
    assert_same(o, t, exact=True)


@pytest.mark.parametrize("case", ["uniform_range", "normal_params"])
@pytest.mark.parametrize("layout", ["transposed", "column", "step2"])
def test_inplace_fill_on_views_exact(case, layout):
    fn = INPLACE[case]
    view = {"transposed": lambda x: x.t(), "column": lambda x: x[:, 1], "step2": lambda x: x[::2]}[layout]

    def run(lib):
        base = lib.zeros(6, 5)
        v = view(base)
        fn(lib, v)
        return base

    o, t = seeded(3, run)
    assert_same(o, t, exact=True)


RANDOM_ARGS = [(), (10,), (3, 10), (-5, 5), (0, 2**40)]


@pytest.mark.parametrize("args", RANDOM_ARGS, ids=str)
@pytest.mark.parametrize("name", ["int64", "int32", "int16", "int8", "uint8", "float32", "float64",
                                  "float16", "bfloat16", "bool"])
def test_random_inplace_exact(name, args):
    def run(lib):
        return lib.zeros(17, dtype=getattr(lib, name)).random_(*args)

    try:
        seeded(1, lambda lib: run(torch))
    except Exception:  # noqa: BLE001
        assert_raises_same(lambda: run(ot), lambda: run(torch))
        return
    o, t = seeded(1, run)
    assert_same(o, t, exact=True)


@pytest.mark.parametrize("name", ["int64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("method", ["uniform_", "normal_"])
def test_float_fill_on_int_same_exception(method, name):
    assert_raises_same(lambda: getattr(ot.zeros(3, dtype=odt(name)), method)(),
                       lambda: getattr(torch.zeros(3, dtype=tdt(name)), method)())


def test_inplace_fill_errors_same_exception():
    assert_raises_same(lambda: ot.zeros(3).uniform_(2, 1), lambda: torch.zeros(3).uniform_(2, 1))
    assert_raises_same(lambda: ot.zeros(3).normal_(0, -1), lambda: torch.zeros(3).normal_(0, -1))
    assert_raises_same(lambda: ot.zeros(3, dtype=ot.int64).random_(5, 5),
                       lambda: torch.zeros(3, dtype=torch.int64).random_(5, 5))
    assert_raises_same(lambda: ot.zeros(3).bernoulli_(1.5), lambda: torch.zeros(3).bernoulli_(1.5))


@pytest.mark.parametrize("name", ["float32", "float64", "int64", "bool", "uint8"])
@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_bernoulli_inplace(name, p):
    x = ot.full((200,), 7, dtype=odt(name))
    r = x.bernoulli_(p)
    assert r is x
    assert str(x.dtype) == f"torch.{name}"
    v = np.asarray(x.to(ot.float64).numpy())
    assert set(np.unique(v)).issubset({0.0, 1.0})
    if p == 0.0:
        assert (v == 0).all()
    elif p == 1.0:
        assert (v == 1).all()
    else:
        assert 20 < v.sum() < 100
    ot.manual_seed(6)
    a = ot.zeros(50).bernoulli_(p).tolist()
    ot.manual_seed(6)
    assert ot.zeros(50).bernoulli_(p).tolist() == a


# ---------------------------------------------------------------------------------------------
# bernoulli / multinomial: shapes, dtypes, ranges and reproducibility (exact values not required)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("shape", [(5,), (3, 4), (0,), ()], ids=str)
def test_bernoulli_function(name, shape):
    probs_o = ot.full(shape, 0.5, dtype=odt(name))
    probs_t = torch.full(shape, 0.5, dtype=tdt(name))
    o, t = ot.bernoulli(probs_o), torch.bernoulli(probs_t)
    assert str(o.dtype) == str(t.dtype)
    assert tuple(o.shape) == tuple(t.shape)
    assert o.stride() == t.stride()
    v = o.to(ot.float64).numpy()
    assert set(np.unique(v)).issubset({0.0, 1.0})


def test_bernoulli_extremes_and_reproducible():
    p = ot.tensor([0.0, 1.0, 0.0, 1.0])
    assert ot.bernoulli(p).tolist() == [0.0, 1.0, 0.0, 1.0]
    probs = ot.rand(1000)
    ot.manual_seed(10)
    a = ot.bernoulli(probs).tolist()
    ot.manual_seed(10)
    b = ot.bernoulli(probs).tolist()
    assert a == b
    g = ot.Generator().manual_seed(2)
    c = ot.bernoulli(probs, generator=g).tolist()
    assert c == ot.bernoulli(probs, generator=ot.Generator().manual_seed(2)).tolist()
    assert 300 < sum(a) < 700


def test_bernoulli_p_keyword_and_errors():
    o = ot.bernoulli(ot.zeros(5), 1.0)
    t = torch.bernoulli(torch.zeros(5), 1.0)
    assert_same(o, t)
    assert_raises_same(lambda: ot.bernoulli(ot.tensor([1.5])), lambda: torch.bernoulli(torch.tensor([1.5])))
    assert_raises_same(lambda: ot.bernoulli(ot.tensor([-0.5])), lambda: torch.bernoulli(torch.tensor([-0.5])))
    assert_raises_same(lambda: ot.bernoulli(ot.tensor([1, 0])), lambda: torch.bernoulli(torch.tensor([1, 0])))


MULTINOMIAL_CASES = [
    ([0.2, 0.3, 0.5], 1, False),
    ([0.2, 0.3, 0.5], 3, False),
    ([0.2, 0.3, 0.5], 10, True),
    ([1.0, 0.0, 0.0, 2.0], 2, False),
    ([[0.5, 0.5, 0.0], [0.0, 0.1, 0.9]], 2, False),
    ([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]], 7, True),
]


@pytest.mark.parametrize("probs,n,replacement", MULTINOMIAL_CASES, ids=str)
def test_multinomial(probs, n, replacement):
    o = ot.multinomial(ot.tensor(probs), n, replacement)
    t = torch.multinomial(torch.tensor(probs), n, replacement)
    assert str(o.dtype) == str(t.dtype) == "torch.int64"
    assert tuple(o.shape) == tuple(t.shape)
    p = np.atleast_2d(np.array(probs))
    rows = np.atleast_2d(np.array(o.tolist()))
    for prow, orow in zip(p, rows):
        assert ((orow >= 0) & (orow < p.shape[1])).all()
        assert all(prow[i] > 0 for i in orow)  # zero-probability categories never drawn
        if not replacement:
            assert len(set(orow.tolist())) == len(orow)
    ot.manual_seed(1)
    a = ot.multinomial(ot.tensor(probs), n, replacement).tolist()
    ot.manual_seed(1)
    assert ot.multinomial(ot.tensor(probs), n, replacement=replacement).tolist() == a


def test_multinomial_distribution_roughly_right():
    ot.manual_seed(0)
    s = np.array(ot.multinomial(ot.tensor([0.1, 0.2, 0.7]), 20000, True).tolist())
    freq = np.bincount(s, minlength=3) / len(s)
    np.testing.assert_allclose(freq, [0.1, 0.2, 0.7], atol=0.02)


MULTINOMIAL_ERRORS = {
    "too_many_without_replacement": lambda lib: lib.multinomial(lib.tensor([0.5, 0.5]), 3),
    "negative_prob": lambda lib: lib.multinomial(lib.tensor([0.5, -0.1]), 1),
    "all_zero": lambda lib: lib.multinomial(lib.tensor([0.0, 0.0]), 1),
    "zero_samples": lambda lib: lib.multinomial(lib.tensor([0.5, 0.5]), 0),
    "int_probs": lambda lib: lib.multinomial(lib.tensor([1, 2]), 1),
    "3d": lambda lib: lib.multinomial(lib.ones(2, 2, 2), 1),
    "inf_prob": lambda lib: lib.multinomial(lib.tensor([float("inf"), 1.0]), 1),
}


@pytest.mark.parametrize("case", list(MULTINOMIAL_ERRORS))
def test_multinomial_errors_same_exception(case):
    fn = MULTINOMIAL_ERRORS[case]
    assert_raises_same(lambda: fn(ot), lambda: fn(torch))


RANDOM_FACTORY_ERRORS = {
    "randint_empty_range": lambda lib: lib.randint(5, 5, (3,)),
    "randint_missing_size": lambda lib: lib.randint(5),
    "randint_neg_size": lambda lib: lib.randint(5, (-1,)),
    "randint_int_size": lambda lib: lib.randint(0, 10, 3),
    "randperm_negative": lambda lib: lib.randperm(-1),
    "randperm_bool": lambda lib: lib.randperm(3, dtype=lib.bool),
    "rand_int_dtype": lambda lib: lib.rand(3, dtype=lib.int64),
    "randn_int_dtype": lambda lib: lib.randn(3, dtype=lib.int32),
    "randint_uint8_overflow": lambda lib: lib.randint(0, 300, (3,), dtype=lib.uint8),
    "rand_generator_wrong_type": lambda lib: lib.rand(3, generator=5),
}


@pytest.mark.parametrize("case", list(RANDOM_FACTORY_ERRORS))
def test_random_factory_errors_same_exception(case):
    fn = RANDOM_FACTORY_ERRORS[case]
    assert_raises_same(lambda: fn(ot), lambda: fn(torch))


@pytest.mark.parametrize("fn", ["rand", "randn"])
def test_random_requires_grad_and_out(fn):
    o, t = seeded(4, lambda lib: getattr(lib, fn)(3, requires_grad=True))
    assert_same(o, t, exact=True)
    out_o, out_t = ot.empty(6), torch.empty(6)
    o, t = seeded(4, lambda lib: getattr(lib, fn)(6, out=out_o if lib is ot else out_t))
    assert o is out_o
    assert_same(out_o, out_t, exact=True)
