"""Input generation and result comparison for the differential fuzz tests (test_diff_fuzz*.py).

A *spec* describes one tensor independently of the library: dtype name, the shape of a base
tensor, its values (a flat Python list) and a layout transform that turns the base into the
tensor under test (contiguous, transposed, stepped slice, expanded with stride 0, offset slice,
permuted). ``build(lib, spec)`` makes the same tensor in oxytorch or torch from the same Python
values, so the two libraries never share memory or conversion code.

``check(fn)`` runs ``fn(torch)`` and ``fn(oxytorch)``: where torch raises, oxytorch must raise the
same exception type; otherwise the results must agree (tensors: dtype, shape, strides where
asked, values with nan == nan; Python scalars, tuples, lists and named tuples recursively).
"""
import math
import os
import sys

import numpy as np
import torch
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import oxytorch as ot
from parity import assert_raises_same, assert_same

# Examples per property; raise OXYTORCH_DIFF_EXAMPLES to fuzz harder, set OXYTORCH_DIFF_RANDOM=1
# to draw fresh examples instead of the derandomized ones the suite runs.
N = int(os.environ.get("OXYTORCH_DIFF_EXAMPLES", "40"))
FUZZ = settings(max_examples=N, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                derandomize=not os.environ.get("OXYTORCH_DIFF_RANDOM"))

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64",
          "float16", "bfloat16", "float32", "float64", "complex64"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]
FLOATS = ["float16", "bfloat16", "float32", "float64"]
REALS = ["bool"] + INTS + FLOATS
NUMERIC = INTS + FLOATS + ["complex64"]

_TRACE = os.environ.get("OXYTORCH_DIFF_TRACE")
_COLLECT = os.environ.get("OXYTORCH_DIFF_COLLECT")
_IINFO = {n: np.iinfo(getattr(np, n)) for n in INTS}
_FMAX = {"float16": 65504.0, "bfloat16": 3.3895313892515355e38, "float32": 3.4028234663852886e38,
         "float64": 1.7976931348623157e308}


def edge_values(name):
    if name == "bool":
        return [False, True]
    if name in INTS:
        info = _IINFO[name]
        vals = [0, 1, 2, 3, 7, int(info.max), int(info.min)]
        if info.min < 0:
            vals += [-1, -2, -7, int(info.min) + 1]
        return vals
    fl = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.5, 3.0, 1.5, math.nan, math.inf, -math.inf]
    if name in FLOATS:
        return fl + [_FMAX[name], -_FMAX[name], 1e-3, 100.0]
    return [complex(a, b) for a in (0.0, -0.0, 1.0, -2.5, math.nan, math.inf) for b in (0.0, 1.0, -0.0, math.inf)]


def value_strategy(name, edges=True):
    """Python values representable in dtype ``name`` (floats are drawn from a grid of values that
    are exact in every float dtype, plus edge values, so rounding on conversion is not tested here)."""
    if name == "bool":
        return st.booleans()
    if name in INTS:
        info = _IINFO[name]
        plain = st.integers(max(int(info.min), -20), min(int(info.max), 20))
    elif name in FLOATS:
        plain = st.integers(-64, 64).map(lambda i: i / 8.0)
    else:
        part = st.integers(-16, 16).map(lambda i: i / 4.0)
        plain = st.builds(complex, part, part)
    if not edges:
        return plain
    return st.one_of(plain, plain, st.sampled_from(edge_values(name)))


# layout -> (minimum ndim, base shape from target shape, transform)
def _swap_last(s):
    s = list(s)
    s[-1], s[-2] = s[-2], s[-1]
    return tuple(s)


LAYOUTS = {
    "contig": (0, lambda s: tuple(s), lambda x: x),
    "T": (2, _swap_last, lambda x: x.transpose(-1, -2)),
    "step": (1, lambda s: (2 * s[0],) + tuple(s[1:]), lambda x: x[::2]),
    "expand0": (1, lambda s: (1,) + tuple(s[1:]), None),  # transform needs the target shape
    "expand_last": (1, lambda s: tuple(s[:-1]) + (1,), None),
    "offset": (1, lambda s: tuple(s[:-1]) + (s[-1] + 1,), lambda x: x[..., 1:]),
    "permute": (3, lambda s: (s[2], s[0], s[1]), lambda x: x.permute(1, 2, 0)),
}


class Spec:
    def __init__(self, dtype, shape, layout, values, base):
        self.dtype, self.shape, self.layout, self.values, self.base = dtype, tuple(shape), layout, values, base

    def __repr__(self):
        return f"Spec({self.dtype}, shape={self.shape}, layout={self.layout}, values={self.values})"

    def code(self):
        """A Python expression that rebuilds this tensor with library ``L`` (for repro lines)."""
        if self.base == ():
            src = f"L.tensor({self.values[0]!r}, dtype=L.{self.dtype})"
        else:
            src = f"L.tensor({self.values!r}, dtype=L.{self.dtype}).reshape({self.base})"
        return src + _LAYOUT_CODE[self.layout].format(shape=self.shape)


_LAYOUT_CODE = {"contig": "", "T": ".transpose(-1, -2)", "step": "[::2]", "expand0": ".expand({shape})",
                "expand_last": ".expand({shape})", "offset": "[..., 1:]", "permute": ".permute(1, 2, 0)"}


def build(lib, spec):
    dt = getattr(lib, spec.dtype)
    if spec.base == ():
        x = lib.tensor(spec.values[0], dtype=dt)
    else:
        x = lib.tensor(spec.values, dtype=dt).reshape(spec.base)
    _, _, f = LAYOUTS[spec.layout]
    return x.expand(spec.shape) if f is None else f(x)


def _numel(s):
    n = 1
    for d in s:
        n *= d
    return n


@st.composite
def shapes(draw, min_dims=0, max_dims=3, max_side=4, allow_zero=True):
    nd = draw(st.integers(min_dims, max_dims))
    side = st.one_of(st.integers(1, max_side), st.just(0)) if allow_zero else st.integers(1, max_side)
    # zero-size dims appear, but rarely enough that most examples have data
    return tuple(draw(side) if draw(st.integers(0, 9)) == 0 else draw(st.integers(1, max_side))
                 for _ in range(nd))


@st.composite
def specs(draw, dtypes=DTYPES, shape=None, min_dims=0, max_dims=3, edges=True, allow_zero=True,
          layouts=None, values=None):
    dtype = draw(st.sampled_from(dtypes)) if not isinstance(dtypes, str) else dtypes
    if shape is None:
        shape = draw(shapes(min_dims, max_dims, allow_zero=allow_zero))
    shape = tuple(shape)
    ok = [k for k, (nd, _, _) in LAYOUTS.items() if len(shape) >= nd and (layouts is None or k in layouts)]
    layout = draw(st.sampled_from(ok))
    base = LAYOUTS[layout][1](shape) if shape else ()
    n = max(_numel(base), 1) if base == () else _numel(base)
    vs = values if values is not None else value_strategy(dtype, edges)
    vals = draw(st.lists(vs, min_size=n, max_size=n))
    return Spec(dtype, shape, layout, vals, base)


@st.composite
def broadcast_shape(draw, shape):
    """A shape that broadcasts with ``shape``: a suffix, with some dims set to 1."""
    k = draw(st.integers(0, len(shape)))
    out = list(shape[len(shape) - k:])
    for i in range(len(out)):
        if draw(st.integers(0, 3)) == 0:
            out[i] = 1
    if draw(st.integers(0, 7)) == 0:
        out = [1] + out
    return tuple(out)


def python_scalar(dtype_kind):
    """Python scalars of one kind: bool, int, float or complex (with edge values)."""
    if dtype_kind == "bool":
        return st.booleans()
    if dtype_kind == "int":
        return st.one_of(st.integers(-5, 5), st.sampled_from([0, 1, -1, 127, 255, 256, -129, 2**31, 2**62]))
    if dtype_kind == "float":
        return st.one_of(st.integers(-16, 16).map(lambda i: i / 4.0),
                         st.sampled_from([0.0, -0.0, math.nan, math.inf, -math.inf, 1e-3, 1e10, 0.5]))
    return st.builds(complex, st.integers(-4, 4).map(float), st.integers(-4, 4).map(float))


any_python_scalar = st.sampled_from(["bool", "int", "float", "complex"]).flatmap(python_scalar)


# ---------------------------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------------------------

def _scalar_equal(a, b):
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, complex) and isinstance(b, complex):
        return _scalar_equal(a.real, b.real) and _scalar_equal(a.imag, b.imag)
    return a == b


def compare(o, t, *, check_stride=True, where="result", exact=False, rtol=None, atol=None):
    if isinstance(t, torch.Tensor):
        assert isinstance(o, ot.Tensor), f"{where}: torch gave a Tensor, oxytorch {type(o).__name__}: {o!r}"
        if str(t.dtype) in ("torch.complex32", "torch.bcomplex32"):
            # half-precision complex: numpy has no such type, so compare dtype, then widened values
            assert str(o.dtype) == str(t.dtype), f"{where}: dtype: oxytorch {o.dtype} vs torch {t.dtype}"
            assert tuple(o.stride()) == tuple(t.stride()) or not check_stride, f"{where}: stride {o.stride()} vs {t.stride()}"
            o, t = o.to(ot.complex64), t.to(torch.complex64)
        if check_stride == "nontrivial":
            # elementwise results: torch fixes the strides of dims longer than 1 (the memory order
            # of the inputs), while those of length-1 dims are TensorIterator artefacts
            so = [s for s, n in zip(o.stride(), o.shape) if n > 1] if tuple(o.shape) == tuple(t.shape) else None
            st_ = [s for s, n in zip(t.stride(), t.shape) if n > 1]
            assert so is None or so == st_ or t.numel() == 0, \
                f"{where}: stride: oxytorch {tuple(o.stride())} vs torch {tuple(t.stride())} (shape {tuple(t.shape)})"
        # strides of tensors without elements are artefacts of each library's code path
        assert_same(o, t, check_stride=check_stride is True and t.numel() > 0, check_requires_grad=False, exact=exact,
                    rtol=rtol, atol=atol)
    elif isinstance(t, torch.Size):
        assert tuple(o) == tuple(t), f"{where}: {o} vs {t}"
    elif isinstance(t, (tuple, list)):
        assert isinstance(o, (tuple, list)), f"{where}: torch gave {type(t).__name__}, oxytorch {type(o).__name__}"
        assert len(o) == len(t), f"{where}: length {len(o)} vs {len(t)}"
        if hasattr(t, "_fields"):
            assert getattr(o, "_fields", None) == t._fields, f"{where}: fields {getattr(o, '_fields', None)} vs {t._fields}"
        for i, (a, b) in enumerate(zip(o, t)):
            compare(a, b, check_stride=check_stride, where=f"{where}[{i}]", exact=exact, rtol=rtol, atol=atol)
    elif isinstance(t, torch.dtype):
        assert str(o) == str(t), f"{where}: {o} vs {t}"
    else:
        assert type(o) is type(t), f"{where}: type {type(o).__name__}({o!r}) vs {type(t).__name__}({t!r})"
        assert _scalar_equal(o, t), f"{where}: {o!r} vs {t!r}"


def check(fn, *, check_stride=True, exact=False, rtol=None, atol=None, repro=None):
    """Runs ``fn(torch)`` and ``fn(oxytorch)`` and asserts the same outcome.

    With OXYTORCH_DIFF_COLLECT=<file>, a divergence is appended to that file instead of failing,
    so one exploratory run lists many distinct divergences rather than the first one shrunk."""
    if _COLLECT:
        try:
            try:
                return _check(fn, check_stride=check_stride, exact=exact, rtol=rtol, atol=atol, repro=repro)
            except KeyboardInterrupt:
                raise
            except BaseException as e:  # a Rust panic (pyo3 PanicException) is a divergence too
                raise AssertionError(f"{type(e).__name__}: {e}") from None
        except (AssertionError, Exception) as e:
            import inspect
            caller = inspect.stack()[1]
            ctx = {k: v for k, v in caller.frame.f_locals.items() if k in ("op", "a", "b", "ab", "x", "case", "idx", "v", "c", "parts", "d", "k", "dt", "f")}
            with open(_COLLECT, "a") as fh:
                fh.write(f"### {caller.function} {ctx!r}\n{str(e)[:1500]}\n")
            return None
    return _check(fn, check_stride=check_stride, exact=exact, rtol=rtol, atol=atol, repro=repro)


def _check(fn, *, check_stride=True, exact=False, rtol=None, atol=None, repro=None):
    if _TRACE:
        print("CASE", repro, file=sys.stderr, flush=True)
    try:
        t = fn(torch)
        t_err = None
    except Exception as e:  # noqa: BLE001
        t, t_err = None, e
    try:
        o = fn(ot)
        o_err = None
    except Exception as e:  # noqa: BLE001
        o, o_err = None, e
    tag = f" [{repro}]" if repro else ""
    if t_err is not None:
        if o_err is None:
            raise AssertionError(f"torch raised {type(t_err).__name__}: {t_err}; oxytorch returned {o!r}{tag}")
        try:
            assert_raises_same(lambda: _reraise(o_err), lambda: _reraise(t_err))
        except AssertionError as e:
            raise AssertionError(f"{e}{tag}") from None
        return None
    if o_err is not None:
        raise AssertionError(f"oxytorch raised {type(o_err).__name__}: {o_err}; torch returned {t!r}{tag}") from o_err
    try:
        compare(o, t, check_stride=check_stride, exact=exact, rtol=rtol, atol=atol)
    except AssertionError as e:
        raise AssertionError(f"{e}\noxytorch: {o!r}\ntorch:    {t!r}{tag}") from None
    return o, t


def _reraise(e):
    raise e
