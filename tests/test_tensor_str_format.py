"""oxytorch's tensor printer (python/oxytorch/_tensor_str.py) against torch.

Every case builds a real torch tensor, wraps it in a tiny adapter exposing
only the interface the printer relies on, and asserts that
``format_tensor(adapter) == repr(torch_tensor)`` under identical print options
on both sides.  The module is loaded from its file path, so the oxytorch
package need not be built.
"""

import importlib.util
import math
import zlib
import pathlib
import warnings

import numpy as np
import pytest

import torch  # noqa: E402  (a required test dependency: never skipped)

_PATH = pathlib.Path(__file__).resolve().parents[1] / "python" / "oxytorch" / "_tensor_str.py"
_spec = importlib.util.spec_from_file_location("oxytorch_tensor_str_under_test", _PATH)
ts = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ts)

pytestmark = pytest.mark.filterwarnings("ignore:ComplexHalf support is experimental")


# --------------------------------------------------------------------------
# Adapter presenting the core's tensor interface on top of a torch tensor
# --------------------------------------------------------------------------
class _DType:
    def __init__(self, dt):
        self._name = str(dt)
        self.is_floating_point = dt.is_floating_point
        self.is_complex = dt.is_complex

    def __str__(self):
        return self._name


class _Device:
    def __init__(self, type_, index):
        self.type, self.index = type_, index

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"


class _GradFn:
    def __init__(self, name):
        self._name = name

    def name(self):
        return self._name


class Adapter:
    """Only what format_tensor may use; anything else raises AttributeError."""

    __slots__ = ("_t", "shape", "dtype", "device", "requires_grad", "grad_fn", "is_leaf")

    def __init__(self, t, device=None):
        self._t = t
        self.shape = tuple(t.shape)
        self.dtype = _DType(t.dtype)
        self.device = device or _Device(t.device.type, t.device.index)
        self.requires_grad = t.requires_grad
        self.grad_fn = None if t.grad_fn is None else _GradFn(t.grad_fn.name())
        self.is_leaf = t.is_leaf

    def dim(self):
        return len(self.shape)

    def numel(self):
        return math.prod(self.shape)

    def _print_values(self):
        t = self._t.detach().cpu().resolve_conj().resolve_neg()
        if t.dtype == torch.bfloat16:
            return t.float().numpy()  # exact bf16 values as float32
        if t.dtype == torch.complex32:
            return t.to(torch.complex64).numpy()
        return t.numpy()


def check(t):
    got = ts.format_tensor(Adapter(t))
    want = repr(t)
    assert got == want, f"\n--- oxytorch ---\n{got}\n--- torch ---\n{want}"
    assert str(t) == want


def both_printoptions(**kw):
    torch.set_printoptions(**kw)
    ts.set_printoptions(**kw)


@pytest.fixture(autouse=True)
def _restore(monkeypatch):
    # the core installs its own hook; here the default dtype follows torch's
    monkeypatch.setattr(ts, "_get_default_dtype_name", lambda: str(torch.get_default_dtype()))
    old_dtype = torch.get_default_dtype()
    yield
    torch.set_default_dtype(old_dtype)
    both_printoptions(profile="default")


# --------------------------------------------------------------------------
# Value generation
# --------------------------------------------------------------------------
INT_DTYPES = [torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64]
FLOAT_DTYPES = [torch.float16, torch.bfloat16, torch.float32, torch.float64]
COMPLEX_DTYPES = [torch.complex32, torch.complex64, torch.complex128]
ALL_DTYPES = [torch.bool] + INT_DTYPES + FLOAT_DTYPES + COMPLEX_DTYPES
SHAPES = [(), (1,), (5,), (2, 3), (3, 1, 4), (2, 2, 2, 3), (0,), (0, 3), (2, 0, 1)]
MAGNITUDES = [1e-10, 1e-5, 1e-3, 0.1, 1.0, 10.0, 1e3, 1e5, 1e8, 1e10]


def make(shape, dtype, rng, magnitude=1.0, kind="random"):
    """Random tensor; kind in random | integral | special (nan/inf/zeros)."""
    n = math.prod(shape)
    if dtype == torch.bool:
        return torch.from_numpy(rng.random(n) < 0.5).reshape(shape)
    if not (dtype.is_floating_point or dtype.is_complex):
        info = torch.iinfo(dtype)
        lo, hi = max(info.min, -(10**6)), min(info.max, 10**6)
        if magnitude < 1:  # small ints
            lo, hi = max(lo, -9), 9
        vals = rng.integers(lo, hi, size=n, endpoint=True)
        return torch.from_numpy(vals).to(dtype).reshape(shape)

    def reals():
        v = rng.standard_normal(n) * magnitude
        if kind == "integral":
            v = np.round(v)
        elif kind == "special" and n:
            choices = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0])
            mask = rng.random(n) < 0.4
            v[mask] = rng.choice(choices, size=int(mask.sum()))
        return v

    if dtype.is_complex:
        v = np.empty(n, np.complex128)  # not re + 1j*im: 1j*inf would give a nan real part
        v.real, v.imag = reals(), reals()
        return torch.from_numpy(v).to(dtype).reshape(shape)
    return torch.from_numpy(reals()).to(dtype).reshape(shape)


# --------------------------------------------------------------------------
# Table-driven comparisons
# --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_dtypes_and_shapes(dtype, shape):
    rng = np.random.default_rng(zlib.crc32(f"{dtype}{shape}".encode()))
    for mag in (1e-3, 1.0, 1e5):
        for kind in ("random", "integral", "special"):
            check(make(shape, dtype, rng, mag, kind))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES + COMPLEX_DTYPES, ids=str)
@pytest.mark.parametrize("mag", MAGNITUDES)
def test_magnitudes(dtype, mag):
    rng = np.random.default_rng(int(mag * 1e10) % 2**32)
    for shape in [(), (7,), (3, 4)]:
        for kind in ("random", "integral", "special"):
            check(make(shape, dtype, rng, mag, kind))
    # mixed magnitudes in one tensor force scientific notation
    check(torch.tensor([mag, 1.0, -3.5]).to(dtype))


SPECIFIC = [
    torch.tensor(3.5),
    torch.tensor(-0.0),
    torch.tensor(float("nan")),
    torch.tensor(float("-inf")),
    torch.tensor(7),
    torch.tensor(True),
    torch.tensor(1 + 2j),
    torch.tensor([1.0, 2.0]),
    torch.tensor([1.0, -0.0, 0.0]),
    torch.tensor([0.0, 0.0]),
    torch.tensor([1e-5, 1e5]),
    torch.tensor([1e-4, 1.0]),
    torch.tensor([1e8, 1.0]),
    torch.tensor([1e9, 2e9]),
    torch.tensor([123456.0, 1.5]),
    torch.tensor([9.99996, 1.0]),  # rounds up to a wider string
    torch.tensor([99999.5, 0.5]),
    torch.tensor([float("nan"), 1.0, float("inf"), -float("inf")]),
    torch.tensor([float("nan"), 1.5]),
    torch.tensor([float("nan"), float("inf")]),
    torch.tensor([1e300, 1e-300], dtype=torch.float64),
    torch.tensor([1.7976931348623157e308, -4.9e-324], dtype=torch.float64),
    torch.tensor([65504.0, -6e-8], dtype=torch.float16),
    torch.tensor([1 + 2j, 3 - 1j]),
    torch.tensor([1.5 - 0.0j, -2.25 + 0.0j]),
    torch.tensor([complex(0.0, -0.0), complex(-0.0, 0.0)]),
    torch.tensor([complex(float("nan"), float("inf")), 1 + 1j]),
    torch.tensor([1e-5 + 1e5j, 2 + 3j]),
    torch.tensor([[1 + 2j, -3.25 - 1e-3j], [1e3j, 7]], dtype=torch.complex128),
    torch.tensor([0, -1, 255, 1000000, -2**63], dtype=torch.int64),
    torch.tensor([True, False, True]),
    torch.tensor([[True], [False]]),
    torch.arange(100).reshape(4, 25),
    torch.arange(60, dtype=torch.int16).reshape(3, 4, 5),
    torch.linspace(-1, 1, 41),
    torch.linspace(-1e6, 1e6, 41).reshape(1, 41),
    torch.zeros(2, 3, dtype=torch.int32),
    torch.ones(2, 3, dtype=torch.float64),
    torch.tensor([], dtype=torch.int32),
    torch.tensor([]),
    torch.zeros(0, dtype=torch.int64),
    torch.zeros(0, dtype=torch.bool),
    torch.zeros(0, 3, dtype=torch.complex64),
    torch.zeros(3, 0, 2, dtype=torch.float64),
    torch.randn(0, 3, requires_grad=True),
    torch.tensor([2**64 - 1, 0], dtype=torch.uint64),
    torch.tensor([65535, 7], dtype=torch.uint16),
    torch.tensor([2**32 - 1], dtype=torch.uint32),
    torch.arange(40, dtype=torch.int32),  # dtype suffix wraps onto a new line
    torch.arange(20, dtype=torch.uint8).reshape(2, 10),
]


@pytest.mark.parametrize("t", SPECIFIC, ids=lambda t: f"{t.dtype}{tuple(t.shape)}")
def test_specific(t):
    check(t)


LARGE = [(2000,), (1001,), (100, 100), (3, 1000, 3), (1000, 2), (2, 2, 300), (7, 7, 7, 7), (1, 1, 1001)]


@pytest.mark.parametrize("shape", LARGE, ids=str)
@pytest.mark.parametrize("dtype", [torch.float32, torch.int64, torch.bool, torch.complex64, torch.float16],
                         ids=str)
def test_summarisation(shape, dtype):
    rng = np.random.default_rng(sum(shape))
    check(make(shape, dtype, rng, 1.0))
    check(make(shape, dtype, rng, 1e6, "special"))


def test_summarisation_uses_edges_only():
    # the 1e10 in the hidden middle must not switch to scientific notation
    t = torch.ones(2000)
    t[1000] = 1e10
    check(t)
    t = torch.ones(50, 50)
    t[25, 25] = 0.5
    check(t)


# --------------------------------------------------------------------------
# Print options
# --------------------------------------------------------------------------
OPTIONS = [
    dict(precision=2),
    dict(precision=0),
    dict(precision=8),
    dict(sci_mode=True),
    dict(sci_mode=False),
    dict(precision=2, sci_mode=True),
    dict(threshold=5),
    dict(threshold=5, edgeitems=1),
    dict(threshold=5, edgeitems=0),
    dict(edgeitems=0),
    dict(threshold=math.inf),
    dict(linewidth=30),
    dict(linewidth=200),
    dict(linewidth=5),
    dict(profile="short"),
    dict(profile="full"),
    dict(profile="short", precision=6),
    dict(profile="default"),
]


@pytest.mark.parametrize("opts", OPTIONS, ids=str)
def test_printoptions_render(opts):
    both_printoptions(**opts)
    assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
    rng = np.random.default_rng(0)
    for dtype in [torch.float32, torch.float64, torch.int32, torch.bool, torch.complex64, torch.bfloat16]:
        for shape in [(), (12,), (3, 5), (2, 3, 4), (1500,), (40, 40)]:
            for mag in (1e-6, 1.0, 1e4):
                check(make(shape, dtype, rng, mag))
            check(make(shape, dtype, rng, 1.0, "special"))
            check(make(shape, dtype, rng, 10.0, "integral"))


def test_printoptions_state():
    assert ts.get_printoptions() == dict(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None)
    assert list(ts.get_printoptions()) == list(torch._tensor_str.get_printoptions())
    for opts in OPTIONS + [dict(profile="nonexistent"), dict(precision=3, profile="full")]:
        both_printoptions(**opts)
        assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
    # sci_mode is reset when not given, other options persist
    both_printoptions(sci_mode=True, precision=3)
    both_printoptions(linewidth=60)
    assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
    assert ts.get_printoptions()["sci_mode"] is None and ts.get_printoptions()["precision"] == 3
    # get_printoptions returns a copy
    ts.get_printoptions()["precision"] = 99
    assert ts.get_printoptions()["precision"] == 3


def test_printoptions_context_manager():
    both_printoptions(precision=3, sci_mode=False)
    before = ts.get_printoptions()
    t = torch.tensor([1.123456, 2.5])
    with ts.printoptions(precision=1, threshold=2), torch._tensor_str.printoptions(precision=1, threshold=2):
        assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
        check(t)
        assert ts.format_tensor(Adapter(t)) == "tensor([1.1, 2.5])"
    assert ts.get_printoptions() == before
    with pytest.raises(RuntimeError):
        with ts.printoptions(edgeitems=1):
            raise RuntimeError
    assert ts.get_printoptions() == before


# --------------------------------------------------------------------------
# Suffixes: autograd, default dtype, device, custom contents
# --------------------------------------------------------------------------
def test_autograd_suffixes():
    x = torch.randn(3, requires_grad=True)
    y = x.clone()
    y[0] = 1
    cases = [
        x, x + 1, x * 2, x.sum(), x.view(3, 1), y, x.to(torch.float64), x.exp(),
        torch.randn(2, 3, dtype=torch.float64, requires_grad=True),
        torch.randn(40, requires_grad=True),  # requires_grad wraps onto a new line
        torch.randn(2000, requires_grad=True) * 3,
        torch.zeros(2, 0, requires_grad=True) + 1,
        torch.tensor(2.5, dtype=torch.float16, requires_grad=True),
        torch.randn(3, dtype=torch.complex64, requires_grad=True).abs(),
        torch.randn(18, dtype=torch.float64, requires_grad=True) * 2,
    ]
    for t in cases:
        check(t)
    assert ts.format_tensor(Adapter(x.detach())) == repr(x.detach())


@pytest.mark.parametrize("default", [torch.float64, torch.float16, torch.bfloat16])
def test_default_dtype(default):
    torch.set_default_dtype(default)
    rng = np.random.default_rng(1)
    for dtype in ALL_DTYPES:
        for shape in [(), (4,), (2, 3), (0,), (0, 2)]:
            check(make(shape, dtype, rng, 1.0))
    check(torch.tensor([1.5, 2.0]))
    if default != torch.bfloat16:  # torch has no complex counterpart for bfloat16
        check(torch.tensor([1 + 1j]))


def test_default_dtype_hook():
    spec = importlib.util.spec_from_file_location("fresh_tensor_str", _PATH)
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    assert fresh._get_default_dtype_name() == "torch.float32"
    t64 = Adapter(torch.tensor([1.5, 2.0], dtype=torch.float64))
    assert fresh.format_tensor(t64) == "tensor([1.5000, 2.0000], dtype=torch.float64)"
    fresh._get_default_dtype_name = lambda: "torch.float64"
    assert fresh.format_tensor(t64) == "tensor([1.5000, 2.0000])"
    assert fresh.format_tensor(Adapter(torch.tensor([1.0]))) == "tensor([1.], dtype=torch.float32)"
    c128 = Adapter(torch.tensor([1j], dtype=torch.complex128))
    assert fresh.format_tensor(c128) == "tensor([0.+1.j])"


def test_device_suffix():
    cuda0 = _Device("cuda", 0)

    def fmt(t, dev=cuda0):
        return ts.format_tensor(Adapter(t, device=dev))

    assert fmt(torch.tensor([1.0, 2.0])) == "tensor([1., 2.], device='cuda:0')"
    assert fmt(torch.tensor(3)) == "tensor(3, device='cuda:0')"
    assert fmt(torch.tensor([1, 2], dtype=torch.int32)) == "tensor([1, 2], device='cuda:0', dtype=torch.int32)"
    assert fmt(torch.zeros(0, 2)) == "tensor([], device='cuda:0', size=(0, 2))"
    assert fmt(torch.tensor([1.0], requires_grad=True), _Device("cuda", 1)) == (
        "tensor([1.], device='cuda:1', requires_grad=True)"
    )
    assert fmt(torch.tensor([1.0]), _Device("cpu", None)) == "tensor([1.])"
    # suffix wrapping at linewidth: torch's own helper is the oracle
    for t in [torch.arange(16.0, dtype=torch.float64) + 0.5, torch.arange(21, dtype=torch.int32),
              (torch.arange(17.0, requires_grad=True) + 0.5).to(torch.float16)]:
        suffixes = ["device='cuda:0'"]
        if t.dtype != torch.float32:
            suffixes.append(f"dtype={t.dtype}")
        if t.grad_fn is not None:
            suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
        body = "tensor(" + torch._tensor_str._tensor_str(t.detach(), 7)
        assert fmt(t) == torch._tensor_str._add_suffixes(body, suffixes, 7, False)
    assert ",\n       device='cuda:0', dtype=torch.float64)" in fmt(torch.arange(16.0, dtype=torch.float64) + 0.5)


def test_tensor_contents_override():
    for t in [torch.tensor([1.0, 2.0]), torch.zeros(0, 3, dtype=torch.int32),
              torch.arange(30, dtype=torch.int16), torch.randn(2, requires_grad=True) * 2]:
        want = torch._tensor_str._str(t, tensor_contents="[...custom...]")
        assert ts.format_tensor(Adapter(t), tensor_contents="[...custom...]") == want


def test_adapter_interface_only():
    # format_tensor must work with nothing but the documented interface
    with pytest.raises(AttributeError):
        Adapter(torch.zeros(1)).tolist()
    check(torch.zeros(1))


# --------------------------------------------------------------------------
# Property-based: random shapes, dtypes, values and options
# --------------------------------------------------------------------------
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

if True:  # hypothesis is a required test dependency
    _float_elems = st.one_of(
        st.floats(allow_nan=True, allow_infinity=True, width=64),
        st.floats(-1e4, 1e4),
        st.integers(-1000, 1000).map(float),
        st.sampled_from([0.0, -0.0, 1e-5, 1e5, 0.5, float("nan")]),
    )

    @st.composite
    def tensors(draw):
        dtype = draw(st.sampled_from(ALL_DTYPES))
        shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6))
        if dtype == torch.bool:
            arr = draw(hnp.arrays(np.bool_, shape))
        elif dtype.is_floating_point or dtype.is_complex:
            arr = draw(hnp.arrays(np.float64, shape, elements=_float_elems))
            if dtype.is_complex:
                re, arr = arr, np.empty(shape, np.complex128)
                arr.real, arr.imag = re, draw(hnp.arrays(np.float64, shape, elements=_float_elems))
        else:
            info = torch.iinfo(dtype)
            arr = draw(hnp.arrays(np.int64, shape, elements=st.integers(max(info.min, -(2**63)), min(info.max, 2**63 - 1))))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # overflow to inf on narrow floats is fine
            return torch.from_numpy(np.array(arr)).to(dtype)


    _options = st.fixed_dictionaries(
        {},
        optional={
            "precision": st.integers(0, 10),
            "threshold": st.integers(0, 200),
            "edgeitems": st.integers(0, 4),
            "linewidth": st.integers(1, 150),
            "sci_mode": st.sampled_from([None, True, False]),
            "profile": st.sampled_from(["default", "short", "full"]),
        },
    )

    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(t=tensors(), opts=_options, requires_grad=st.booleans())
    def test_hypothesis(t, opts, requires_grad):
        both_printoptions(**opts)
        try:
            if requires_grad and (t.dtype.is_floating_point or t.dtype.is_complex):
                t = t.clone().requires_grad_(True)
            check(t)
        finally:
            both_printoptions(profile="default")
