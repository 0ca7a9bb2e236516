"""oxytorch's CPU random numbers against real torch, bit for bit (docs/RNG.md is the spec).

Every comparison is on raw bits (float results are viewed as unsigned integers), so signed zeros,
NaN payloads and last-ulp differences all count. Most tests also compare the full 5056-byte
generator state afterwards, which pins down how many draws each call consumed and the cached
normal sample.
"""
import subprocess
import sys

import numpy as np
import pytest
import torch

import oxytorch as ot

FLOATS = ["float32", "float64", "float16", "bfloat16"]
INTS = ["int64", "int32", "int16", "int8", "uint8", "bool"]
SIZES = [1, 2, 5, 15, 16, 17, 31, 32, 33, 100, 1000]
SHAPES = [(5, 3), (4, 4), (2, 3, 4), (0,), (3, 0), ()]


def lib_dtype(lib, name):
    return getattr(lib, name)


def bits(x):
    """Raw bits of a tensor of either library (bfloat16 widened exactly to float32)."""
    if str(x.dtype) == "torch.bfloat16":
        x = x.to(torch.float32) if isinstance(x, torch.Tensor) else x.to(ot.float32)
    a = np.array(x.numpy(), copy=True)
    if a.dtype.kind == "c":
        a = a.view(a.real.dtype)
    if a.dtype.kind == "f":
        a = a.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[a.itemsize])
    return a


def assert_exact(o, t):
    assert isinstance(o, ot.Tensor) and isinstance(t, torch.Tensor)
    assert str(o.dtype) == str(t.dtype)
    assert tuple(o.shape) == tuple(t.shape)
    np.testing.assert_array_equal(bits(o), bits(t))


def assert_state_equal():
    assert ot.get_rng_state().tolist() == torch.get_rng_state().tolist()


def both(seed, fn):
    """fn(lib) for each library after seeding its global generator; returns (ot, torch)."""
    ot.manual_seed(seed)
    o = fn(ot)
    torch.manual_seed(seed)
    t = fn(torch)
    return o, t


def run_same(seed, fn):
    """Asserts fn gives bit-identical tensors (or lists of tensors) and leaves the same state."""
    o, t = both(seed, fn)
    if isinstance(o, (list, tuple)):
        assert len(o) == len(t)
        for a, b in zip(o, t):
            assert_exact(a, b)
    else:
        assert_exact(o, t)
    assert_state_equal()


# ---------------------------------------------------------------------------------------------
# uniform and normal floats
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("fn", ["rand", "randn"])
def test_sizes(fn, name):
    def draw(lib):
        f, dt = getattr(lib, fn), lib_dtype(lib, name)
        return [f(n, dtype=dt) for n in SIZES]

    for seed in [0, 1, 42, 2**40 + 3]:
        run_same(seed, draw)


@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("fn", ["rand", "randn"])
def test_shapes(fn, name):
    run_same(5, lambda lib: [getattr(lib, fn)(s, dtype=lib_dtype(lib, name)) for s in SHAPES])


@pytest.mark.parametrize("name", ["complex64", "complex128"])
@pytest.mark.parametrize("fn", ["rand", "randn"])
def test_complex(fn, name):
    run_same(9, lambda lib: [getattr(lib, fn)(n, dtype=lib_dtype(lib, name)) for n in [1, 7, 8, 9, 40]])


def test_large_float32_randn_and_rand():
    run_same(12345, lambda lib: [lib.randn(200003), lib.rand(100001, dtype=lib.bfloat16),
                                 lib.randn(4097, dtype=lib.float16), lib.randn(70001, dtype=lib.float64)])


def test_stream_position_and_cached_normal_across_calls():
    """Odd scalar-path counts leave a cached normal that the next scalar-path call of any dtype,
    mean and std consumes; block paths neither read nor write it."""
    seq = [(1, "float64"), (16, "float32"), (1, "float32"), (3, "float16"), (2, "float64"),
           (40, "float64"), (5, "bfloat16"), (17, "bfloat16"), (1, "float64"), (33, "float32"),
           (3, "float32")]

    def draw(lib):
        out = []
        for n, name in seq:
            out.append(lib.randn(n, dtype=lib_dtype(lib, name)))
            out.append(lib.rand(3, dtype=lib_dtype(lib, name)))
        out.append(lib.randn(1, dtype=lib.float64))
        out.append(lib.normal(10.0, 3.0, (1,), dtype=lib.float64))  # cached sample, own mean/std
        out.append(lib.randn(1, dtype=lib.float64))
        out.append(lib.empty(3, dtype=lib.float64).log_normal_(0.5, 0.25))  # shares the cache
        return out

    run_same(8, draw)


def test_cached_normal_survives_in_state_and_manual_seed_clears_it():
    ot.manual_seed(3)
    torch.manual_seed(3)
    ot.randn(3, dtype=ot.float64)
    torch.randn(3, dtype=torch.float64)
    state = ot.get_rng_state().tolist()
    assert state == torch.get_rng_state().tolist()
    assert state[5040] == 1  # normal_is_valid
    ot.manual_seed(3)
    torch.manual_seed(3)
    assert_state_equal()
    assert ot.get_rng_state().tolist()[5040] == 0


@pytest.mark.parametrize("name", FLOATS)
def test_normal_mean_std_size(name):
    def draw(lib):
        dt = lib_dtype(lib, name)
        return [lib.normal(m, s, (n,), dtype=dt)
                for n in [1, 7, 16, 23, 64, 1001] for m, s in [(0.3, 2.5), (-7.0, 0.01), (0.0, 0.0)]]

    run_same(21, draw)


@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("lo,hi", [(-1.7, 3.3), (2.0, 2.5), (-3.0, -1.0), (0.0, 1e-3),
                                   (-100.25, 1e4), (1.0, 1.0)])
def test_uniform_ranges(name, lo, hi):
    run_same(11, lambda lib: lib.empty(20000, dtype=lib_dtype(lib, name)).uniform_(lo, hi))


@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("n", [1, 15, 16, 17, 100])
def test_normal_inplace(name, n):
    run_same(55, lambda lib: [lib.zeros(n, dtype=lib_dtype(lib, name)).normal_(2.0, 0.5),
                              lib.zeros(n, dtype=lib_dtype(lib, name)).normal_()])


VIEWS = {
    "transposed": lambda base: base.t(),
    "column": lambda base: base[:, 1],
    "step2": lambda base: base[::2],
    "permuted": lambda base: base.reshape(2, 3, 10).permute(2, 0, 1),
    "offset_contiguous": lambda base: base[2:],
}
FILLS = {
    "uniform_": lambda v: v.uniform_(-2.0, 3.0),
    "normal_": lambda v: v.normal_(1.0, 2.0),
    "random_": lambda v: v.random_(0, 1000),
    "bernoulli_": lambda v: v.bernoulli_(0.3),
    "exponential_": lambda v: v.exponential_(1.5),
    "cauchy_": lambda v: v.cauchy_(),
    "log_normal_": lambda v: v.log_normal_(),
    "geometric_": lambda v: v.geometric_(0.3),
}


@pytest.mark.filterwarnings("ignore:to - 1 is out of bounds")  # torch: bfloat16 random_(0, 1000)
@pytest.mark.parametrize("name", ["float32", "float64", "bfloat16"])
@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("fill", list(FILLS))
def test_fills_on_views_follow_memory_order(fill, view, name):
    def run(lib):
        base = lib.zeros(6, 10, dtype=lib_dtype(lib, name))
        v = VIEWS[view](base)
        assert FILLS[fill](v) is v
        return base

    run_same(3, run)


# ---------------------------------------------------------------------------------------------
# integers
# ---------------------------------------------------------------------------------------------

RANGES = [(0, 1), (0, 2), (0, 10), (-5, 5), (0, 2**16), (0, 2**28 - 1), (0, 2**28),
          (-2**28, 1), (0, 2**31), (0, 2**32), (0, 2**32 + 1), (0, 3 * 2**40),
          (-2**62, 2**62), (-2**63, 2**63 - 1)]


@pytest.mark.parametrize("lo,hi", RANGES)
def test_randint_int64(lo, hi):
    run_same(2024, lambda lib: [lib.randint(lo, hi, (n,)) for n in [1, 17, 1000]])


@pytest.mark.parametrize("name,lo,hi", [
    ("int32", -2**31, 2**31 - 1), ("int32", 0, 2**28), ("int32", -7, 100), ("int16", -300, 300),
    ("int8", -128, 128), ("uint8", 0, 256), ("uint8", 3, 9), ("bool", 0, 2),
    ("float32", 0, 2**24), ("float32", -2**24, 2**24 + 1), ("float32", 0, 2**30),
    ("float32", 0, 2**28 - 5), ("float64", 0, 2**53), ("float64", -1000, 1000),
    ("float16", 0, 2048), ("float16", -65504, 65504), ("bfloat16", 0, 256),
    ("bfloat16", 0, 2**20)])
def test_randint_dtypes(name, lo, hi):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns about float ranges beyond 2^digits
        run_same(7, lambda lib: lib.randint(lo, hi, (2000,), dtype=lib_dtype(lib, name)))


def test_randint_forms_and_generator():
    def draw(lib):
        g = lib.Generator().manual_seed(4)
        return [lib.randint(10, (3, 4)), lib.randint(-3, 3, size=(5,)), lib.randint(high=7, size=(6,)),
                lib.randint(2, 9, (5,), generator=g), lib.randint(5, ()),
                lib.randint_like(lib.zeros(4, 3).t(), 100), lib.randint_like(lib.zeros(5), 3, 9, generator=g)]

    run_same(123, draw)


def test_float_range_precision_warning_like_torch():
    for lib in (ot, torch):
        with pytest.warns(UserWarning, match="to - 1 is out of bounds"):
            lib.randint(0, 2**30, (3,), dtype=lib.float32)
        with pytest.warns(UserWarning, match="from is out of bounds"):
            lib.empty(3, dtype=lib.bfloat16).random_(-1000, 0)


@pytest.mark.parametrize("name", INTS + FLOATS)
def test_random_defaults_and_one_argument(name):
    def draw(lib):
        dt = lib_dtype(lib, name)
        out = [lib.empty(3000, dtype=dt).random_()]
        if name not in ("bool", "uint8", "int8"):
            out.append(lib.empty(300, dtype=dt).random_(100))  # [0, 100)
            out.append(lib.empty(300, dtype=dt).random_(to=50))
        return out

    run_same(17, draw)


@pytest.mark.parametrize("name,frm", [("int64", 5), ("int64", -2**40), ("int32", -3), ("uint8", 200),
                                      ("bool", 0), ("float32", 100), ("float64", -7),
                                      ("float16", 7), ("bfloat16", -3), ("int64", -2**63),
                                      ("float64", -2**63), ("float32", -2**63), ("bfloat16", -2**63)])
def test_random_from_only(name, frm):
    run_same(19, lambda lib: lib.empty(2000, dtype=lib_dtype(lib, name)).random_(frm, None))


@pytest.mark.parametrize("n", list(range(0, 51)) + [1000, 100000])
def test_randperm(n):
    for seed in [0, 123]:
        run_same(seed, lambda lib: lib.randperm(n))


@pytest.mark.parametrize("name", ["int32", "int16", "int8", "uint8", "float32", "float64", "float16", "bfloat16"])
def test_randperm_dtypes(name):
    run_same(5, lambda lib: [lib.randperm(n, dtype=lib_dtype(lib, name)) for n in [0, 1, 2, 17, 100]])


# ---------------------------------------------------------------------------------------------
# bernoulli, other distributions, multinomial
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.0, 0.3, 0.5, 1.0, 1e-9])
@pytest.mark.parametrize("name", ["float32", "float64", "bool", "int64", "float16", "uint8"])
def test_bernoulli_scalar(p, name):
    def draw(lib):
        dt = lib_dtype(lib, name)
        return [lib.empty(n, dtype=dt).bernoulli_(p) for n in [1, 100, 5000]] + \
            [lib.bernoulli(lib.empty(300, dtype=dt), p), lib.empty(7, dtype=dt).bernoulli_()]

    run_same(33, draw)


@pytest.mark.parametrize("p_name", FLOATS)
def test_bernoulli_tensor(p_name):
    p = np.random.default_rng(0).random((30, 40))
    p[0, :5] = [0.0, 1.0, 0.5, 2**-24, 1 - 2**-24]

    def draw(lib):
        tp = lib.tensor(p.tolist(), dtype=lib.float64).to(lib_dtype(lib, p_name))
        return [lib.bernoulli(tp),
                lib.empty(30, 40, dtype=lib.bool).bernoulli_(tp),
                lib.zeros(40, 30).t().bernoulli_(tp),  # memory order of the output
                lib.zeros(5, 30, 40, dtype=lib.float16).bernoulli_(tp),  # broadcast p
                lib.bernoulli(tp.t())]

    run_same(34, draw)


@pytest.mark.parametrize("name", FLOATS)
def test_continuous_distributions(name):
    def draw(lib):
        dt = lib_dtype(lib, name)
        out = []
        for n in [1, 17, 5000]:
            out += [lib.empty(n, dtype=dt).exponential_(lam) for lam in (1.0, 2.5, 0.01)]
            out += [lib.empty(n, dtype=dt).cauchy_(0.3, 0.7), lib.empty(n, dtype=dt).cauchy_()]
            out += [lib.empty(n, dtype=dt).log_normal_(), lib.empty(n, dtype=dt).log_normal_(-1.0, 0.5)]
            out += [lib.empty(n, dtype=dt).geometric_(0.2)]
        return out

    run_same(44, draw)


@pytest.mark.parametrize("name", ["int64", "int32", "int16", "uint8"])
def test_geometric_integers(name):
    run_same(55, lambda lib: [lib.empty(3000, dtype=lib_dtype(lib, name)).geometric_(p) for p in (0.2, 1e-6)])


def _multinomial_cases(rng):
    tied = rng.random(300)
    tied[rng.random(300) < 0.7] = 0.0  # many zero keys: torch.topk's tie order decides
    return [rng.random(10), rng.random((4, 25)) ** 3, np.array([0.1, 0.0, 0.5, 0.4]),
            rng.random(1000), tied, np.where(rng.random((3, 200)) < 0.5, 0.0, 1.0),
            rng.random((25, 4)).T]


@pytest.mark.parametrize("name", FLOATS)
@pytest.mark.parametrize("replacement", [True, False])
def test_multinomial(name, replacement):
    cases = _multinomial_cases(np.random.default_rng(3))

    def draw(lib):
        out = []
        for p in cases:
            tp = lib.tensor(np.ascontiguousarray(p).tolist(), dtype=lib.float64).to(lib_dtype(lib, name))
            if p.shape[0] == 4 and p.ndim == 2 and p.shape[1] == 25:
                tp = tp.t().contiguous().t()  # non-contiguous probabilities
            k = p.shape[-1]
            counts = [1, 2, 7, 200] if replacement else sorted({1, 2, 3, min(5, k), k // 3 or 1, k})
            out += [lib.multinomial(tp, ns, replacement) for ns in counts]
        return out

    run_same(66, draw)


def test_multinomial_generator_and_out():
    def draw(lib):
        g = lib.Generator().manual_seed(8)
        out = lib.empty(5, dtype=lib.int64)
        r = lib.multinomial(lib.tensor([0.2, 0.3, 0.5]), 5, True, generator=g, out=out)
        assert r is out
        return [out, lib.multinomial(lib.tensor([[0.2, 0.8], [1.0, 0.0]]), 1, generator=g)]

    run_same(1, draw)


# ---------------------------------------------------------------------------------------------
# generators, seeds and state
# ---------------------------------------------------------------------------------------------

CALLS = {
    "rand": lambda lib, g: lib.rand(17, generator=g),
    "randn": lambda lib, g: lib.randn(17, generator=g),
    "randn_f64": lambda lib, g: lib.randn(16, dtype=lib.float64, generator=g),
    "randint": lambda lib, g: lib.randint(0, 100, (17,), generator=g),
    "randperm": lambda lib, g: lib.randperm(30, generator=g),
    "normal": lambda lib, g: lib.normal(1.0, 2.0, (17,), generator=g),
    "rand_like": lambda lib, g: lib.rand_like(lib.zeros(3, 5).t(), generator=g),
    "randn_like": lambda lib, g: lib.randn_like(lib.zeros(7), generator=g),
    "uniform_": lambda lib, g: lib.empty(17).uniform_(-2, 3, generator=g),
    "normal_": lambda lib, g: lib.empty(17).normal_(1, 2, generator=g),
    "random_": lambda lib, g: lib.empty(17, dtype=lib.int64).random_(0, 10, generator=g),
    "random_default": lambda lib, g: lib.empty(17, dtype=lib.int64).random_(generator=g),
    "bernoulli": lambda lib, g: lib.bernoulli(lib.full((9,), 0.5), generator=g),
    "bernoulli_": lambda lib, g: lib.empty(9).bernoulli_(0.5, generator=g),
    "exponential_": lambda lib, g: lib.empty(9).exponential_(generator=g),
    "geometric_": lambda lib, g: lib.empty(9).geometric_(0.5, generator=g),
    "cauchy_": lambda lib, g: lib.empty(9).cauchy_(generator=g),
    "log_normal_": lambda lib, g: lib.empty(9).log_normal_(generator=g),
    "multinomial": lambda lib, g: lib.multinomial(lib.tensor([0.1, 0.9]), 4, True, generator=g),
}


@pytest.mark.parametrize("call", list(CALLS))
def test_generator_keyword(call):
    o_g, t_g = ot.Generator().manual_seed(31), torch.Generator().manual_seed(31)
    ot.manual_seed(0)
    torch.manual_seed(0)
    assert_exact(CALLS[call](ot, o_g), CALLS[call](torch, t_g))
    assert o_g.get_state().tolist() == t_g.get_state().tolist()
    assert_state_equal()  # the global generators were not touched
    assert ot.get_rng_state().tolist() == torch.Generator().manual_seed(0).get_state().tolist()


def test_fresh_generator_seed_and_stream():
    o_g, t_g = ot.Generator(), torch.Generator()
    assert o_g.initial_seed() == t_g.initial_seed() == 67280421310721
    assert o_g.get_state().tolist() == t_g.get_state().tolist()
    for n in [3, 20, 7]:
        assert_exact(ot.rand(n, generator=o_g), torch.rand(n, generator=t_g))
        assert_exact(ot.randn(n, generator=o_g), torch.randn(n, generator=t_g))
    assert o_g.get_state().tolist() == t_g.get_state().tolist()


@pytest.mark.parametrize("seed", [0, 1, 2**32 - 1, 2**32, 2**63 - 1, 2**64 - 1, -1, -12345, -(2**63)])
def test_seed_values(seed):
    run_same(seed, lambda lib: lib.rand(10))
    assert ot.initial_seed() == torch.initial_seed()
    assert ot.Generator().manual_seed(seed).initial_seed() == torch.Generator().manual_seed(seed).initial_seed()


def test_manual_seed_returns_the_default_generator():
    assert ot.manual_seed(3) is ot.default_generator
    assert ot.default_generator.initial_seed() == 3
    assert ot.manual_seed(4.0).initial_seed() == torch.manual_seed(4.0).initial_seed() == 4


def test_seed_argument_errors_match_torch():
    for bad in (2**64, -(2**63) - 1):
        for lib in (ot, torch):
            with pytest.raises(ValueError):
                lib.manual_seed(bad)
            with pytest.raises(ValueError):
                lib.Generator().manual_seed(bad)
    for bad in (1.5, "1", True):
        for lib in (ot, torch):
            with pytest.raises(RuntimeError):
                lib.Generator().manual_seed(bad)


def test_global_generator_is_seeded_nondeterministically():
    code = "import oxytorch as t; print(t.initial_seed())"
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.strip() for _ in range(2)}
    assert len(outs) == 2 and "67280421310721" not in outs


def test_seed_reseeds():
    s = ot.seed()
    assert ot.initial_seed() == s and 0 <= s < 2**64
    g = ot.Generator()
    assert g.seed() == g.initial_seed()


@pytest.mark.parametrize("draws", [0, 1, 622, 623, 624, 625, 1247, 5000])
def test_state_bytes_match_after_draws(draws):
    run_same(2**33, lambda lib: lib.randint(0, 2**20, (draws,)))


def test_state_loads_across_libraries_both_ways():
    torch.manual_seed(17)
    torch.rand(3)
    torch.randn(3, dtype=torch.float64)  # leaves a cached normal
    ts = torch.get_rng_state()
    ot.set_rng_state(ot.tensor(ts.numpy()))
    assert ot.get_rng_state().tolist() == ts.tolist()
    assert_exact(ot.randn(5, dtype=ot.float64), torch.randn(5, dtype=torch.float64))
    assert_exact(ot.rand(1000), torch.rand(1000))
    torch.randn(100)  # move torch elsewhere, then load oxytorch's state into it
    torch.set_rng_state(torch.from_numpy(np.array(ot.get_rng_state().numpy())))
    assert_exact(ot.randn(100), torch.randn(100))
    g_o, g_t = ot.Generator(), torch.Generator()
    g_o.set_state(ot.tensor(ts.numpy()))
    g_t.set_state(ts)
    assert_exact(ot.randperm(50, generator=g_o), torch.randperm(50, generator=g_t))
    assert g_o.get_state().tolist() == g_t.get_state().tolist()


def test_roundtrip_and_clone_state():
    g = ot.Generator().manual_seed(12)
    ot.randn(3, generator=g)
    st = g.get_state()
    c = g.clone_state()
    a = ot.randn(20, generator=g).tolist()
    assert ot.randn(20, generator=c).tolist() == a
    g.set_state(st)
    assert ot.randn(20, generator=g).tolist() == a


def _untemper(y):
    y = np.asarray(y, dtype=np.uint64).astype(np.uint32)
    y = y ^ (y >> np.uint32(18))
    y = y ^ ((y << np.uint32(15)) & np.uint32(0xEFC60000))
    r = y.copy()
    for _ in range(5):
        r = y ^ ((r << np.uint32(7)) & np.uint32(0x9D2C5680))
    y = r
    r = y.copy()
    for _ in range(3):
        r = y ^ (r >> np.uint32(11))
    return r


def test_crafted_state_feeds_chosen_uniforms():
    """Box-Muller inputs that separate the FMA contraction choices inside avx_mathfun."""
    special = np.array([12582909, 12582912, 12582913, 0, 1, 2**23, 2**24 - 1], np.uint64)
    raw = np.zeros(16 * len(special), np.uint64)
    for b, k in enumerate(special):
        raw[16 * b:16 * b + 8] = (k * 2654435761) % 2**24
        raw[16 * b + 8:16 * b + 16] = k
    state = np.zeros(5056, np.uint8)
    state[:24] = np.frombuffer(np.array([0, 624 | (1 << 32), 0], "<u8").tobytes(), np.uint8)
    state[24:24 + 8 * len(raw)] = _untemper(raw).astype("<u8").view(np.uint8)
    ot.set_rng_state(ot.tensor(state))
    torch.set_rng_state(torch.from_numpy(state))
    assert_exact(ot.randn(len(raw)), torch.randn(len(raw)))
    assert_state_equal()


def test_set_state_errors_match_torch():
    good = torch.get_rng_state().numpy()
    bad_left = good.copy()
    bad_left[8:12] = np.frombuffer(np.int32(625).tobytes(), np.uint8)
    bad_next = good.copy()
    bad_next[16:24] = np.frombuffer(np.uint64(625).tobytes(), np.uint8)
    unseeded = good.copy()
    unseeded[12:16] = 0
    for arr in (bad_left, bad_next, unseeded, np.zeros(5056, np.uint8), np.zeros(5048, np.uint8)):
        with pytest.raises(RuntimeError):
            torch.set_rng_state(torch.from_numpy(arr))
        with pytest.raises(RuntimeError):
            ot.set_rng_state(ot.tensor(arr))
    for lib in (ot, torch):
        with pytest.raises(TypeError):
            lib.set_rng_state(lib.zeros(5056))
        with pytest.raises(TypeError):
            lib.set_rng_state([1, 2, 3])
        with pytest.raises(RuntimeError):
            lib.set_rng_state(lib.zeros(10112, dtype=lib.uint8)[::2])
    # a failed load leaves the generator as it was
    ot.manual_seed(1)
    torch.manual_seed(1)
    with pytest.raises(RuntimeError):
        ot.set_rng_state(ot.tensor(bad_left))
    assert_state_equal()


# ---------------------------------------------------------------------------------------------
# argument errors raise what torch raises
# ---------------------------------------------------------------------------------------------

ERRORS = {
    "uniform_int": lambda lib: lib.zeros(3, dtype=lib.int64).uniform_(),
    "uniform_reversed": lambda lib: lib.zeros(3).uniform_(2, 1),
    "uniform_half_overflow": lambda lib: lib.zeros(3, dtype=lib.float16).uniform_(0, 1e6),
    "uniform_span_overflow": lambda lib: lib.zeros(3, dtype=lib.float16).uniform_(-60000, 60000),
    "normal_negative_std": lambda lib: lib.zeros(3).normal_(0, -1),
    "normal_nan_std": lambda lib: lib.zeros(3).normal_(0, float("nan")),
    "normal_int": lambda lib: lib.zeros(3, dtype=lib.int32).normal_(),
    "random_empty_range": lambda lib: lib.zeros(3, dtype=lib.int64).random_(5, 5),
    "random_uint8_from": lambda lib: lib.zeros(3, dtype=lib.uint8).random_(-5, 5),
    "random_uint8_to": lambda lib: lib.zeros(3, dtype=lib.uint8).random_(0, 300),
    "random_half_to": lambda lib: lib.zeros(3, dtype=lib.float16).random_(0, 70000),
    "random_complex": lambda lib: lib.zeros(3, dtype=lib.complex64).random_(),
    "random_complex_range": lambda lib: lib.zeros(3, dtype=lib.complex64).random_(0, 5),
    "random_full_half": lambda lib: lib.zeros(3, dtype=lib.float16).random_(-2**63, None),
    "random_full_int32": lambda lib: lib.zeros(3, dtype=lib.int32).random_(-2**63, None),
    "random_float_arg": lambda lib: lib.zeros(3).random_(1.5),
    "bernoulli_p": lambda lib: lib.zeros(3).bernoulli_(1.5),
    "bernoulli_nan": lambda lib: lib.zeros(3).bernoulli_(float("nan")),
    "bernoulli_tensor_p": lambda lib: lib.bernoulli(lib.tensor([0.5, 1.5])),
    "bernoulli_int_p": lambda lib: lib.bernoulli(lib.tensor([1, 0])),
    "bernoulli_complex": lambda lib: lib.zeros(3, dtype=lib.complex64).bernoulli_(0.5),
    "exponential_zero": lambda lib: lib.zeros(3).exponential_(0),
    "exponential_int": lambda lib: lib.zeros(3, dtype=lib.int64).exponential_(),
    "geometric_range": lambda lib: lib.zeros(3).geometric_(1.0),
    "geometric_bool": lambda lib: lib.zeros(3, dtype=lib.bool).geometric_(0.5),
    "cauchy_sigma": lambda lib: lib.zeros(3).cauchy_(0, 0),
    "cauchy_int": lambda lib: lib.zeros(3, dtype=lib.int64).cauchy_(),
    "log_normal_std": lambda lib: lib.zeros(3).log_normal_(0, 0),
    "log_normal_int": lambda lib: lib.zeros(3, dtype=lib.int32).log_normal_(),
    "randperm_negative": lambda lib: lib.randperm(-1),
    "randperm_bool": lambda lib: lib.randperm(3, dtype=lib.bool),
    "randperm_uint8_overflow": lambda lib: lib.randperm(300, dtype=lib.uint8),
    "randperm_half_precision": lambda lib: lib.randperm(3000, dtype=lib.float16),
    "randint_bool_range": lambda lib: lib.randint(3, 10, (3,), dtype=lib.bool),
    "rand_int": lambda lib: lib.rand(3, dtype=lib.int64),
    "randn_int": lambda lib: lib.randn(3, dtype=lib.int32),
    "multinomial_nan_with_replacement": lambda lib: lib.multinomial(lib.tensor([0.5, float("nan")]), 2, True),
    "multinomial_negative": lambda lib: lib.multinomial(lib.tensor([0.5, -1.0]), 1),
    "multinomial_zero_row": lambda lib: lib.multinomial(lib.tensor([[0.5, 0.5], [0.0, 0.0]]), 1),
    "multinomial_too_many": lambda lib: lib.multinomial(lib.ones(2), 3),
    "multinomial_int": lambda lib: lib.multinomial(lib.tensor([1, 2]), 1),
    "multinomial_3d": lambda lib: lib.multinomial(lib.ones(2, 2, 2), 1),
    "multinomial_out_dtype": lambda lib: lib.multinomial(lib.ones(2), 1, out=lib.empty(1)),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_match_torch(case):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as t_err:
            ERRORS[case](torch)
    with pytest.raises(Exception) as o_err:
        ERRORS[case](ot)
    assert o_err.type is t_err.type, (o_err.value, t_err.value)


def test_bernoulli_error_consumes_draws_like_torch():
    """torch's kernel throws at the first bad p, after drawing for the elements before it."""
    p = [0.5, 0.25, 2.0, 0.5]
    for lib in (ot, torch):
        lib.manual_seed(0)
        with pytest.raises(RuntimeError):
            lib.bernoulli(lib.tensor(p))
    assert_state_equal()
