"""Complex numbers throughout: creation, complex/polar, view_as_real/view_as_complex, real/imag
views and setters, conj, arithmetic, functions, reductions, matmul, comparisons, casts, printing,
NumPy interop, save/load and autograd, each against real torch."""
import io
import math
import warnings

import numpy as np
import pytest
import torch

import oxytorch as ot
from parity import LAYOUT_NAMES, assert_raises_same, assert_same, layout_pair, make_pair

CDT = ["complex64", "complex128"]
INF, NAN = math.inf, math.nan
SPECIAL = [0j, -0.0 + 0j, complex(0.0, -0.0), 1 + 2j, -3.5 - 0.25j, complex(INF, 1), complex(-INF, 2),
           complex(1, INF), complex(2, -INF), complex(NAN, 1), complex(1, NAN), complex(INF, INF),
           complex(-INF, NAN), 1e30 + 1e30j, 1e-30 - 1e-30j, -1 + 0j, complex(-1, -0.0), 0.5j]


def parts(x):
    """Real and imaginary parts of a tensor's values as a float64 array (works for conj views)."""
    a = np.asarray(x.detach().resolve_conj().to(getattr(type(x).__module__.startswith("torch") and torch or ot, "complex128")).numpy()
                   if x.is_complex() else x.detach().to(torch.float64 if isinstance(x, torch.Tensor) else ot.float64).numpy())
    return np.stack([np.real(a), np.imag(a)]).astype(np.float64)


def assert_close_c(o, t, rtol=1e-6, atol=1e-6):
    """dtype, shape and strides, then values part by part (inf == inf, nan == nan)."""
    assert str(o.dtype) == str(t.dtype), (o.dtype, t.dtype)
    assert tuple(o.shape) == tuple(t.shape)
    assert tuple(o.stride()) == tuple(t.stride()), (o.stride(), t.stride())
    if t.dtype == torch.bool or not (t.dtype.is_floating_point or t.dtype.is_complex):
        np.testing.assert_array_equal(o.numpy(), t.numpy())
        return
    np.testing.assert_allclose(parts(o), parts(t), rtol=rtol, atol=atol, equal_nan=True)


def pair(values, dtype):
    return ot.tensor(values, dtype=getattr(ot, dtype)), torch.tensor(values, dtype=getattr(torch, dtype))


def both(f):
    return f(ot), f(torch)


# ---------------------------------------------------------------------------------------------
# creation
# ---------------------------------------------------------------------------------------------

CREATE = [
    lambda t: t.tensor([1 + 2j, 3 - 1j]),
    lambda t: t.tensor(1 + 2j),
    lambda t: t.tensor([1, 2j]),
    lambda t: t.tensor([[1.5, 2j], [3, 4]]),
    lambda t: t.tensor([True, 1j]),
    lambda t: t.tensor([1 + 2j], dtype=t.complex128),
    lambda t: t.tensor([1 + 2j], dtype=t.float64) if False else t.tensor([1.5], dtype=t.complex64),
    lambda t: t.tensor(np.complex64(1 + 2j)),
    lambda t: t.tensor(np.array([1 + 2j, 3j])),
    lambda t: t.tensor(np.array([1 + 2j, 3j], dtype=np.complex64)),
    lambda t: t.as_tensor(np.array([1 + 2j]), dtype=t.complex64),
    lambda t: t.zeros(2, 3, dtype=t.complex64),
    lambda t: t.ones(2, dtype=t.complex128),
    lambda t: t.full((2,), 1 + 1j),
    lambda t: t.full((2,), 2.0, dtype=t.complex64),
    lambda t: t.tensor([complex(INF, NAN), complex(-0.0, -0.0)]),
    lambda t: t.arange(4).to(t.complex64),
]


@pytest.mark.parametrize("i", range(len(CREATE)))
def test_creation(i):
    o, t = both(CREATE[i])
    assert_same(o, t, exact=True)


@pytest.mark.parametrize("dt", CDT)
def test_numpy_zero_copy(dt):
    n = np.array([1 + 2j, 3 - 1j, 5j], dtype=dt)
    for make in (ot.from_numpy, ot.as_tensor):
        x = make(n)
        assert str(x.dtype) == f"torch.{dt}"
        n[0] = 9j
        assert x[0].item() == 9j
        n[0] = 1 + 2j
    x = ot.tensor([1 + 2j, 3 - 1j], dtype=getattr(ot, dt))
    a = x.numpy()
    assert a.dtype == np.dtype(dt)
    a[1] = 7
    assert x.tolist() == [1 + 2j, 7 + 0j]
    xt = ot.tensor([[1 + 2j, 3j], [4, 5]], dtype=getattr(ot, dt)).t()
    tt = torch.tensor([[1 + 2j, 3j], [4, 5]], dtype=getattr(torch, dt)).t()
    assert xt.numpy().strides == tt.numpy().strides


# ---------------------------------------------------------------------------------------------
# complex / polar
# ---------------------------------------------------------------------------------------------

PART_CASES = [
    ("float32", (3,), (3,)),
    ("float64", (2, 3), (3,)),
    ("float16", (2,), (2,)),
    ("float64", (), (4,)),
    ("float32", (0,), (0,)),
]


@pytest.mark.parametrize("fname", ["complex", "polar"])
@pytest.mark.parametrize("dt,sa,sb", PART_CASES)
def test_complex_polar(fname, dt, sa, sb):
    ao, at = make_pair(dt, sa, 1)
    bo, bt = make_pair(dt, sb, 2)
    o = getattr(ot, fname)(ao, bo)
    t = getattr(torch, fname)(at, bt)
    tol = dict(rtol=2e-3, atol=1e-2) if dt == "float16" else dict(rtol=1e-6, atol=1e-6)
    assert_same(o, t, **tol)


def test_complex_polar_layouts_and_special():
    a = torch.tensor([[1.0, INF, NAN], [-0.0, 2.0, -1.0]])
    b = torch.tensor([[0.0, 0.0, 1.0], [INF, NAN, 3.0]])
    for f in ("complex", "polar"):
        for tr in (lambda x: x, lambda x: x.t()):
            o = getattr(ot, f)(tr(ot.tensor(a.tolist())), tr(ot.tensor(b.tolist())))
            t = getattr(torch, f)(tr(a), tr(b))
            assert_same(o, t)
    o = ot.complex(ot.zeros(3, 2).t(), ot.zeros(2, 3))
    t = torch.complex(torch.zeros(3, 2).t(), torch.zeros(2, 3))
    assert_same(o, t)


COMPLEX_ERRORS = [
    lambda t: t.complex(t.tensor([1.0]), t.tensor([1.0], dtype=t.float64)),
    lambda t: t.complex(t.tensor([1.0], dtype=t.float16), t.tensor([1.0])),
    lambda t: t.complex(t.tensor([1]), t.tensor([1])),
    lambda t: t.complex(t.tensor([1.0]), t.tensor([1], dtype=t.int32)),
    lambda t: t.complex(t.tensor([1.0], dtype=t.bfloat16), t.tensor([1.0], dtype=t.bfloat16)),
    lambda t: t.complex(t.zeros(3), t.zeros(2)),
    lambda t: t.complex(t.zeros(3), 1.0),
    lambda t: t.complex(1.0, t.zeros(3)),
    lambda t: t.complex(t.zeros(3), t.zeros(3), out=t.zeros(3)),
    lambda t: t.complex(t.zeros(3), t.zeros(3), out=t.zeros(3, dtype=t.complex128)),
    lambda t: t.polar(t.tensor([1.0]), t.tensor([1.0], dtype=t.float64)),
    lambda t: t.polar(t.tensor([1]), t.tensor([1])),
    lambda t: t.polar(t.zeros(3), 1.0),
]


@pytest.mark.parametrize("i", range(len(COMPLEX_ERRORS)))
def test_complex_polar_errors(i):
    assert_raises_same(lambda: COMPLEX_ERRORS[i](ot), lambda: COMPLEX_ERRORS[i](torch), check_message=True)


def test_complex_out():
    for f in ("complex", "polar"):
        oo, to = ot.zeros(2, dtype=ot.complex64), torch.zeros(2, dtype=torch.complex64)
        r = getattr(ot, f)(ot.tensor([1.0, 2.0]), ot.tensor([3.0, 4.0]), out=oo)
        getattr(torch, f)(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]), out=to)
        assert r is oo
        assert_same(oo, to)
    oo = ot.zeros(0, dtype=ot.complex128)
    ot.complex(ot.tensor([1.0], dtype=ot.float64), ot.tensor([3.0], dtype=ot.float64), out=oo)
    assert oo.tolist() == [1 + 3j]


# ---------------------------------------------------------------------------------------------
# view_as_real / view_as_complex
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("layout", LAYOUT_NAMES)
@pytest.mark.parametrize("dt", CDT)
def test_view_as_real_layouts(dt, layout):
    o, t = layout_pair(dt, layout)
    vo, vt = ot.view_as_real(o), torch.view_as_real(t)
    assert_same(vo, vt, exact=True)
    assert vo.storage_offset() == vt.storage_offset()
    assert vo.data_ptr() == o.data_ptr()
    if o.dim() > 0 and o.numel() > 0 and o.dim() < 4:
        # round trip through view_as_complex keeps the view
        back_o, back_t = ot.view_as_complex(vo), torch.view_as_complex(vt)
        assert_same(back_o, back_t, exact=True)
        assert back_o.storage_offset() == back_t.storage_offset()


def test_view_as_real_writes_through():
    for dt in CDT:
        x = ot.tensor([1 + 2j, 3 - 1j], dtype=getattr(ot, dt))
        v = ot.view_as_real(x)
        v[1, 1] = 10
        v[0].mul_(2)
        assert x.tolist() == [2 + 4j, 3 + 10j]
        r = ot.arange(6.0, dtype=ot.float64 if dt == "complex128" else ot.float32)
        c = ot.view_as_complex(r.view(3, 2))
        c[0] = 7 - 7j
        assert r.tolist() == [7.0, -7.0, 2.0, 3.0, 4.0, 5.0]


VIEW_CASES = [
    lambda t: t.view_as_complex(t.tensor([[1.0, 2.0], [3, 4]])),
    lambda t: t.view_as_complex(t.tensor([1.0, 2.0])),
    lambda t: t.view_as_complex(t.tensor([[1.0, 2.0]], dtype=t.float64)),
    lambda t: t.view_as_complex(t.tensor([[1.0, 2.0]], dtype=t.float16)),
    lambda t: t.view_as_complex(t.arange(8.0)[2:].reshape(3, 2)),
    lambda t: t.view_as_complex(t.arange(12.0).reshape(3, 4)[:, :2]),
    lambda t: t.view_as_complex(t.zeros(0, 2)),
    lambda t: t.view_as_complex(t.zeros(3, 0, 2)),
    lambda t: t.view_as_complex(t.zeros(1, 2).expand(3, 2)),
    lambda t: t.view_as_real(t.zeros(3, dtype=t.complex64).expand(2, 3)),
    lambda t: t.view_as_real(t.tensor(1 + 2j)),
    lambda t: t.view_as_real(t.zeros(3, 0, dtype=t.complex128)),
    lambda t: t.view_as_real(t.arange(6).to(t.complex64)[2:]),
]


@pytest.mark.parametrize("i", range(len(VIEW_CASES)))
def test_view_cases(i):
    o, t = both(VIEW_CASES[i])
    assert_same(o, t, exact=True)
    assert o.storage_offset() == t.storage_offset()


VIEW_ERRORS = [
    lambda t: t.view_as_real(t.tensor([1.0, 2.0])),
    lambda t: t.view_as_real(t.tensor([1, 2])),
    lambda t: t.view_as_real([1j]),
    lambda t: t.view_as_complex(t.tensor([[1.0, 2.0, 3.0]])),
    lambda t: t.view_as_complex(t.tensor([[1.0, 2.0], [3, 4]]).t()),
    lambda t: t.view_as_complex(t.arange(7.0)[1:].reshape(3, 2)),
    lambda t: t.view_as_complex(t.arange(9.0).reshape(3, 3)[:, :2]),
    lambda t: t.view_as_complex(t.arange(4)),
    lambda t: t.view_as_complex(t.tensor(1)),
    lambda t: t.view_as_complex(t.tensor(1.0)),
    lambda t: t.view_as_complex(t.zeros(3, 2, dtype=t.bfloat16)),
    lambda t: t.view_as_complex(t.zeros(2, 1).expand(2, 2)),
]


@pytest.mark.parametrize("i", range(len(VIEW_ERRORS)))
def test_view_errors(i):
    assert_raises_same(lambda: VIEW_ERRORS[i](ot), lambda: VIEW_ERRORS[i](torch), check_message=True)


# ---------------------------------------------------------------------------------------------
# real / imag views and setters
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("layout", ["contiguous", "transposed_t", "offset_slice", "step_inner", "zero_d", "empty_2d"])
@pytest.mark.parametrize("dt", CDT)
def test_real_imag_views(dt, layout):
    o, t = layout_pair(dt, layout)
    for part in ("real", "imag"):
        po, pt = getattr(o, part), getattr(t, part)
        assert_same(po, pt, exact=True)
        assert po.storage_offset() == pt.storage_offset()
        assert_same(getattr(ot, part)(o), getattr(torch, part)(t), exact=True)
        po.mul_(3)
        pt.mul_(3)
        assert_same(o, t, exact=True)


def test_real_of_real_is_self_and_imag_error():
    x = ot.tensor([1.0, 2.0])
    assert x.real is x and ot.real(x) is x
    assert_raises_same(lambda: ot.tensor([1.0]).imag, lambda: torch.tensor([1.0]).imag, check_message=True)
    assert_raises_same(lambda: ot.imag(ot.tensor([1])), lambda: torch.imag(torch.tensor([1])), check_message=True)


SETTERS = [
    lambda t, x: setattr(x, "real", t.tensor([5.0, 6.0])),
    lambda t, x: setattr(x, "imag", 7),
    lambda t, x: setattr(x, "imag", t.tensor(2.5, dtype=t.float64)),
    lambda t, x: setattr(x, "real", 1.5),
    lambda t, x: setattr(x, "real", x.imag),
    lambda t, x: setattr(x, "imag", t.tensor([[1.0], [2.0]])),
    lambda t, x: setattr(x, "real", 5 + 1j),
    lambda t, x: setattr(x, "real", t.tensor([1.0, 2.0, 3.0])),
    lambda t, x: setattr(x, "real", "a"),
]


@pytest.mark.parametrize("i", range(len(SETTERS)))
@pytest.mark.parametrize("dt", CDT)
def test_setters(dt, i):
    xo, xt = pair([1 + 2j, 3 - 1j], dt)
    try:
        SETTERS[i](torch, xt)
    except BaseException:
        assert_raises_same(lambda: SETTERS[i](ot, xo), lambda: SETTERS[i](torch, torch.tensor([1 + 2j, 3 - 1j])))
        return
    SETTERS[i](ot, xo)
    assert_same(xo, xt, exact=True)


def test_setters_real_tensor():
    xo, xt = ot.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0])
    xo.real = 5
    xt.real = 5
    assert_same(xo, xt)
    assert_raises_same(lambda: setattr(ot.tensor([1.0]), "imag", 1), lambda: setattr(torch.tensor([1.0]), "imag", 1),
                       check_message=True)


# ---------------------------------------------------------------------------------------------
# angle, abs, isreal, sgn, conj family
# ---------------------------------------------------------------------------------------------

FUNCS1 = ["angle", "abs", "isreal", "sgn", "conj_physical", "resolve_conj", "resolve_neg", "isnan", "isinf",
          "isfinite", "neg", "square", "reciprocal", "exp", "sqrt", "rsqrt", "tanh", "sigmoid", "exp2"]


@pytest.mark.parametrize("fname", FUNCS1)
@pytest.mark.parametrize("dt", CDT)
def test_unary_special(fname, dt):
    o, t = pair(SPECIAL, dt)
    assert_same(getattr(ot, fname)(o), getattr(torch, fname)(t).resolve_conj(), rtol=1e-5 if dt == "complex64" else 1e-12, atol=0)


@pytest.mark.parametrize("fname", [f for f in FUNCS1 if f != "isreal"] + ["log", "log2", "log10", "log1p", "expm1", "sin", "cos", "tan", "sinh",
                                           "cosh", "asin", "acos", "atan", "asinh", "acosh", "atanh"])
@pytest.mark.parametrize("layout", ["contiguous", "transposed_t", "step_inner", "empty_2d", "zero_d"])
@pytest.mark.parametrize("dt", CDT)
def test_unary_layouts(fname, dt, layout):
    o, t = layout_pair(dt, layout, seed=3)
    assert_same(getattr(ot, fname)(o), getattr(torch, fname)(t).resolve_conj(), rtol=2e-5 if dt == "complex64" else 1e-12,
                atol=1e-6 if dt == "complex64" else 1e-13)


@pytest.mark.parametrize("fname", ["angle", "isreal", "conj_physical", "conj", "resolve_conj", "real"])
@pytest.mark.parametrize("dt", ["float32", "float64", "int64", "bool", "float16"])
def test_real_inputs(fname, dt):
    vals = [1.0, -2.0, 0.0, -0.0, INF, -INF, NAN] if dt.startswith("float") else [1, 0, 1]
    o, t = pair(vals, dt)
    try:
        t_res = getattr(torch, fname)(t)
    except BaseException:
        assert_raises_same(lambda: getattr(ot, fname)(o), lambda: getattr(torch, fname)(t), check_message=True)
        return
    assert_same(getattr(ot, fname)(o), t_res.resolve_conj(), exact=True)


def test_conj_family():
    for dt in CDT:
        xo, xt = pair([1 + 2j, -3j], dt)
        assert xo.conj().is_conj() and ot.conj(xo).is_conj()
        assert_same(xo.conj().resolve_conj(), xt.conj().resolve_conj(), exact=True)
        assert_same(ot.conj(xo).resolve_conj(), torch.conj(xt).resolve_conj(), exact=True)
        assert_same(xo.conj().conj(), xt.conj().conj(), exact=True)
        assert_same(xo.conj_physical(), xt.conj_physical(), exact=True)
        assert xo.conj_physical().is_conj() is False
        assert xo.is_complex() and ot.is_complex(xo)
        assert xo.is_neg() is False and ot.is_neg(xo) is False
        assert_same(xo.resolve_conj(), xt.resolve_conj(), exact=True)
        assert_same(xo.resolve_neg(), xt.resolve_neg(), exact=True)
        yo, yt = xo.clone(), xt.clone()
        yo.conj_physical_()
        yt.conj_physical_()
        assert_same(yo, yt, exact=True)
    r = ot.tensor([1.0])
    assert r.conj() is r and r.resolve_conj() is r and r.is_conj() is False and not r.is_complex()


def test_mH_H_adjoint():
    for dt in CDT:
        o, t = make_pair(dt, (2, 3, 4))
        assert o.mH.is_conj() and o.adjoint().is_conj()
        assert_same(o.mH.resolve_conj(), t.mH.resolve_conj(), exact=True)
        assert_same(o.adjoint().resolve_conj(), t.adjoint().resolve_conj(), exact=True)
        o2, t2 = make_pair(dt, (3, 4))
        assert o2.H.is_conj()
        assert_same(o2.H.resolve_conj(), t2.H.resolve_conj(), exact=True)
        assert_raises_same(lambda: o.H, lambda: t.H, check_message=True)
    o1, t1 = make_pair("complex64", (3,))
    assert_raises_same(lambda: o1.mH, lambda: t1.mH, check_message=True)
    assert_raises_same(lambda: o1.H, lambda: t1.H, check_message=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert ot.tensor(1 + 1j).mH.is_conj()
        assert_same(ot.tensor(1 + 1j).mH.resolve_conj(), torch.tensor(1 + 1j).mH.resolve_conj())
        assert_same(ot.tensor(1.0).H, torch.tensor(1.0).H)


# ---------------------------------------------------------------------------------------------
# arithmetic
# ---------------------------------------------------------------------------------------------

BINOPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a ** b,
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
}


@pytest.mark.parametrize("op", [k for k in BINOPS if k != "pow"])
@pytest.mark.parametrize("dt", CDT)
def test_binary_special(op, dt):
    vals = SPECIAL[:12]
    if op in ("add", "sub"):
        # torch computes a + alpha * b with a complex multiply by alpha = 1 + 0j, so an infinite
        # part of b turns the other part into nan; oxytorch adds componentwise (documented divergence)
        vals = [v for v in vals if math.isfinite(v.real) and math.isfinite(v.imag)]
    ao, at = pair([v for v in vals for _ in vals], dt)
    bo, bt = pair([w for _ in vals for w in vals], dt)
    f = BINOPS[op]
    tol = dict(rtol=1e-4, atol=1e-5) if op == "pow" else dict(rtol=1e-6, atol=1e-6)
    assert_close_c(f(ao, bo), f(at, bt), **tol)


SCALARS = [2, 3, 0, 1, -1, -2, 0.5, -0.5, 2.5, 1j, 1 + 1j, 2 + 0j, True, 0.0]


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow", "radd", "rmul", "rdiv", "eq"])
@pytest.mark.parametrize("dt", CDT)
def test_scalar_ops(op, dt):
    vals = [1 + 2j, -3.5 - 0.25j, 0j, complex(INF, 1), 2.0 + 0j, -1 + 0j]
    o, t = pair(vals, dt)
    for s in SCALARS:
        if op.startswith("r") and op != "rpow" or op == "rpow":
            base = op[1:]
            f = {"add": lambda a, b: b + a, "sub": lambda a, b: b - a, "mul": lambda a, b: b * a,
                 "div": lambda a, b: b / a, "pow": lambda a, b: b ** a}[base]
        else:
            f = BINOPS[op]
        if op in ("div", "pow", "rdiv") and s in (0, 0.0) and False:
            continue
        tol = dict(rtol=1e-5, atol=1e-6) if "pow" in op else {}
        try:
            tr = f(t, s)
        except BaseException:
            assert_raises_same(lambda: f(o, s), lambda: f(t, s))
            continue
        assert_same(f(o, s), tr, **tol)


def test_pow_exact_fast_paths():
    for dt in CDT:
        o, t = pair([1 + 2j, -3 + 0.5j, 0j, complex(NAN, 0)], dt)
        for e in (0, 1, 2, 3, -1, -2, 0.5, -0.5, 2.0, 2 + 0j):
            assert_same(o ** e, t ** e, exact=True)
            assert_same(ot.pow(o, e), torch.pow(t, e), exact=True)


PROMOTE = [
    lambda t: t.tensor([1.0, 2.0]) * 1j,
    lambda t: t.tensor([1, 2]) * 1j,
    lambda t: t.tensor([True]) + 1j,
    lambda t: t.tensor([1.0], dtype=t.float64) * 1j,
    lambda t: t.tensor([1.0], dtype=t.float16) + 1j,
    lambda t: t.tensor([1j]) + t.tensor([1.0], dtype=t.float64),
    lambda t: t.tensor([1j]) + t.tensor(1.0, dtype=t.float64),
    lambda t: t.tensor([1.0], dtype=t.float64) + t.tensor(1j),
    lambda t: t.tensor([1j], dtype=t.complex128) * t.tensor([2.0]),
    lambda t: t.tensor([1, 2]) ** 1j,
    lambda t: (1 + 1j) ** t.tensor([1.0, 2.0]),
    lambda t: 2 ** t.tensor([1 + 2j]),
    lambda t: t.tensor([1 + 2j]) + t.tensor([1], dtype=t.int64),
    lambda t: t.tensor([1 + 2j]) * True,
    lambda t: t.tensor([1.0]).add_(1j),
    lambda t: t.tensor([1.0]).add_(t.tensor([1j])),
    lambda t: t.tensor([1j]).mul_(2j),
    lambda t: t.tensor([1j]).add_(t.tensor([1.0])),
    lambda t: t.tensor([1 + 2j]) / 0,
    lambda t: t.tensor([1 + 2j, 0j]) / t.tensor([0j, 0j]),
    lambda t: t.where(t.tensor([True, False]), t.tensor([1 + 2j, 3j]), t.tensor([0.0, 5.0])),
    lambda t: t.cat([t.tensor([1 + 2j]), t.tensor([1.0])]),
    lambda t: t.stack([t.tensor([1 + 2j]), t.tensor([3j])]),
]


@pytest.mark.parametrize("i", range(len(PROMOTE)))
def test_promotion(i):
    try:
        tr = PROMOTE[i](torch)
    except BaseException:
        assert_raises_same(lambda: PROMOTE[i](ot), lambda: PROMOTE[i](torch), check_message=True)
        return
    assert_same(PROMOTE[i](ot), tr, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("layout", ["contiguous", "transposed_t", "offset_slice", "step_inner", "empty_2d"])
@pytest.mark.parametrize("dt", CDT)
def test_binary_layouts(dt, layout):
    ao, at = layout_pair(dt, layout, 1)
    bo, bt = layout_pair(dt, layout, 2)
    for f in BINOPS.values():
        assert_same(f(ao, bo), f(at, bt), rtol=1e-4, atol=1e-5)
    # broadcasting against a row
    if ao.dim() == 2 and ao.shape[1] > 0:
        ro, rt = make_pair(dt, (ao.shape[1],), 5)
        for f in BINOPS.values():
            assert_same(f(ao, ro), f(at, rt), rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------------------------------------
# reductions, matmul
# ---------------------------------------------------------------------------------------------

REDUCE = [
    lambda x: x.sum(), lambda x: x.sum(0), lambda x: x.sum(1), lambda x: x.sum((0, 1), keepdim=True),
    lambda x: x.mean(), lambda x: x.mean(0), lambda x: x.mean(-1, keepdim=True),
    lambda x: x.prod(), lambda x: x.prod(0), lambda x: x.prod(1, keepdim=True),
    lambda x: x.sum(dtype=x.dtype), lambda x: x.t().sum(1),
]


@pytest.mark.parametrize("i", range(len(REDUCE)))
@pytest.mark.parametrize("shape", [(3, 4), (0, 3), (2, 0)])
@pytest.mark.parametrize("dt", CDT)
def test_reductions(dt, shape, i):
    o, t = make_pair(dt, shape, 4)
    assert_same(REDUCE[i](o), REDUCE[i](t), rtol=1e-4, atol=1e-5)
    if shape == (3, 4):
        assert_same(o.cumsum(i % 2), t.cumsum(i % 2), rtol=1e-5, atol=1e-5)




def test_reduction_errors():
    for f in (lambda t: t.tensor([1j]).mean(dtype=t.float32), lambda t: t.tensor([1 + 2j]).max(),
              lambda t: t.tensor([1 + 2j]).min(), lambda t: t.tensor([1 + 2j]).argmax()):
        try:
            tr = f(torch)
        except BaseException:
            assert_raises_same(lambda: f(ot), lambda: f(torch), check_message=True)
            continue
        assert_same(f(ot), tr)


MATMUL = [
    ("matmul", (3, 4), (4, 2)),
    ("matmul", (4,), (4,)),
    ("matmul", (2, 3, 4), (4,)),
    ("matmul", (2, 3, 4), (2, 4, 5)),
    ("mm", (3, 0), (0, 2)),
    ("mm", (5, 7), (7, 3)),
    ("bmm", (2, 3, 4), (2, 4, 5)),
    ("dot", (5,), (5,)),
    ("vdot", (5,), (5,)),
]


@pytest.mark.parametrize("fname,sa,sb", MATMUL)
@pytest.mark.parametrize("dt", CDT)
def test_matmul(dt, fname, sa, sb):
    ao, at = make_pair(dt, sa, 1)
    bo, bt = make_pair(dt, sb, 2)
    tol = dict(rtol=1e-5, atol=1e-5) if dt == "complex64" else {}
    assert_same(getattr(ot, fname)(ao, bo), getattr(torch, fname)(at, bt), **tol)
    if len(sa) == 2:
        assert_same(getattr(ot, fname)(ao.t().contiguous().t(), bo), getattr(torch, fname)(at.t().contiguous().t(), bt), **tol)
    assert_same(ao @ bo if fname != "vdot" else ot.vdot(ao, bo), at @ bt if fname != "vdot" else torch.vdot(at, bt), **tol)


def test_matmul_mixed_errors():
    f = lambda t: t.mm(t.ones(2, 2, dtype=t.complex64), t.ones(2, 2))
    assert_raises_same(lambda: f(ot), lambda: f(torch), check_message=True)


# ---------------------------------------------------------------------------------------------
# comparisons, closeness, casts
# ---------------------------------------------------------------------------------------------

ORDER_ERRORS = [
    lambda t: t.tensor([1 + 2j]) < t.tensor([1 + 2j]),
    lambda t: t.tensor([1 + 2j]) > 0,
    lambda t: t.tensor([1 + 2j]) <= 1j,
    lambda t: t.tensor([1.0]) >= t.tensor([1j]),
    lambda t: t.tensor([1 + 2j]).clamp(0, 1),
    lambda t: t.tensor([1 + 2j]).floor(),
    lambda t: t.tensor([1 + 2j]).sign(),
    lambda t: t.maximum(t.tensor([1 + 2j]), t.tensor([1 + 2j])),
]


@pytest.mark.parametrize("i", range(len(ORDER_ERRORS)))
def test_ordering_errors(i):
    assert_raises_same(lambda: ORDER_ERRORS[i](ot), lambda: ORDER_ERRORS[i](torch), check_message=True)


def test_close_and_eq():
    for dt in CDT:
        a = [1 + 2j, complex(NAN, 1), complex(INF, 0), 1e-9j, 3 - 1j, complex(INF, INF)]
        b = [1 + 2.0000001j, complex(NAN, 1), complex(INF, 0), 0j, 3 - 1.1j, complex(INF, -INF)]
        ao, at = pair(a, dt)
        bo, bt = pair(b, dt)
        for kw in ({}, {"equal_nan": True}, {"rtol": 0.1, "atol": 0.0}):
            assert_same(ot.isclose(ao, bo, **kw), torch.isclose(at, bt, **kw))
            assert ot.allclose(ao[:1], bo[:1], **kw) == torch.allclose(at[:1], bt[:1], **kw)
        assert_same(ao == bo, at == bt)
        assert_same(ot.eq(ao, bo), torch.eq(at, bt))
        assert_same(ao.ne(bo), at.ne(bt))
        assert ot.equal(ao, ao.clone()) == torch.equal(at, at.clone())
        assert_same(ao == 3 - 1j, at == 3 - 1j)


CASTS = ["float32", "float64", "float16", "int32", "int64", "uint8", "bool", "complex64", "complex128"]


@pytest.mark.parametrize("to", CASTS)
@pytest.mark.parametrize("dt", CDT)
def test_casts(dt, to):
    o, t = pair([1.5 + 2j, -2.7 - 1j, 0j, 0.5j, 3 + 0j], dt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(o.to(getattr(ot, to)), t.to(getattr(torch, to)))
        ot_, tt_ = ot.zeros(5, dtype=getattr(ot, to)), torch.zeros(5, dtype=getattr(torch, to))
        ot_.copy_(o)
        tt_.copy_(t)
        assert_same(ot_, tt_)
    ro, rt = pair([1.5, -2.0], "float32")
    assert_same(ro.to(getattr(ot, dt)), rt.to(getattr(torch, dt)))


def test_clone_contiguous():
    for dt in CDT:
        o, t = layout_pair(dt, "transposed_t")
        assert_same(o.clone(), t.clone(), exact=True)
        assert_same(o.contiguous(), t.contiguous(), exact=True)
        assert_same(o.clone(memory_format=ot.contiguous_format), t.clone(memory_format=torch.contiguous_format), exact=True)


# ---------------------------------------------------------------------------------------------
# printing, tolist, item
# ---------------------------------------------------------------------------------------------

REPRS = [
    lambda t: t.tensor([1 + 2j, 3 - 1j]),
    lambda t: t.tensor([1 + 2j, 3 - 1j], dtype=t.complex128),
    lambda t: t.tensor([complex(NAN, INF), 3 - 1j, complex(-INF, NAN)]),
    lambda t: t.tensor([1e10 + 2j, 3 - 1e-5j]),
    lambda t: t.tensor([1e-8 + 2j, 1e9j]),
    lambda t: t.tensor([[1 + 2j, -3.5 - 1e-3j], [0, complex(NAN, 1)]]),
    lambda t: t.tensor([1.5 + 2j, 3 - 1j]).conj(),
    lambda t: t.tensor(1.5 - 2j),
    lambda t: t.tensor(1.5 - 2j, dtype=t.complex128),
    lambda t: t.zeros(0, dtype=t.complex64),
    lambda t: t.zeros(2, 0, dtype=t.complex128),
    lambda t: t.tensor([-0.0 - 0.0j, 1j]),
    lambda t: t.arange(1200).to(t.complex64),
    lambda t: t.tensor([123456.789 + 1j, 1j]),
    lambda t: t.tensor([1 + 2j], requires_grad=True),
    lambda t: t.tensor([[1 + 1j] * 3] * 2, dtype=t.complex128).t(),
]


@pytest.mark.parametrize("i", range(len(REPRS)))
def test_repr(i):
    o, t = both(REPRS[i])
    assert repr(o) == repr(t)
    assert str(o) == str(t)


def test_tolist_item_numpy():
    for dt in CDT:
        o, t = pair([[1.1 + 2j, complex(INF, NAN)]], dt)
        lo, lt = o.tolist(), t.tolist()
        assert type(lo[0][0]) is complex
        assert repr(lo) == repr(lt)
        assert o[0, 0].item() == t[0, 0].item() and type(o[0, 0].item()) is complex
        assert complex(o[0, 0]) == complex(t[0, 0])
        np.testing.assert_array_equal(o.numpy(), t.numpy())
    assert_raises_same(lambda: float(ot.tensor(1 + 2j)), lambda: float(torch.tensor(1 + 2j)))
    assert_raises_same(lambda: int(ot.tensor(1 + 2j)), lambda: int(torch.tensor(1 + 2j)))


# ---------------------------------------------------------------------------------------------
# save / load
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dt", CDT)
@pytest.mark.parametrize("new_zip", [True, False])
def test_save_load_cross(dt, new_zip):
    vals = [1 + 2j, 3 - 1j, complex(INF, -0.0), complex(NAN, 1)]
    # oxytorch writes only the zip format; it reads both
    for src, dst in ((ot, torch), (torch, ot)) if new_zip else ((torch, ot),):
        x = src.tensor(vals, dtype=getattr(src, dt))
        b = io.BytesIO()
        src.save({"x": x, "y": x[1:], "t": x.view(2, 2).t()}, b, _use_new_zipfile_serialization=new_zip)
        b.seek(0)
        y = dst.load(b)
        assert repr(y["x"]) == repr(x) and repr(y["y"]) == repr(x[1:]) and repr(y["t"]) == repr(x.view(2, 2).t())
        assert str(y["x"].dtype) == f"torch.{dt}"




# ---------------------------------------------------------------------------------------------
# autograd
# ---------------------------------------------------------------------------------------------

GRADS = [
    lambda t, x: x.abs().sum(),
    lambda t, x: (x * x).real.sum(),
    lambda t, x: (x.imag * 3).sum(),
    lambda t, x: t.view_as_real(x).pow(2).sum(),
    lambda t, x: (x * (2 - 1j) + x).abs().sum(),
    lambda t, x: x.sum().abs(),
    lambda t, x: (x - 1j).abs().pow(2).mean(),
    lambda t, x: t.angle(x).sum(),
    lambda t, x: (x / (1 + 1j)).imag.sum(),
    lambda t, x: t.view_as_real(x * 2j)[:, 0].sum(),
    lambda t, x: (t.sgn(x) * (0.3 - 1.2j)).real.sum(),
    lambda t, x: (x.exp() * 1j).real.sum(),
    lambda t, x: (x ** 2).abs().sum(),
    lambda t, x: (x.view(1, 3) @ x.view(3, 1)).abs().sum(),
    lambda t, x: t.complex(x.real, x.imag * 2).abs().sum(),
    lambda t, x: t.polar(x.abs(), t.angle(x) * 2).real.sum(),
]


@pytest.mark.parametrize("i", range(len(GRADS)))
@pytest.mark.parametrize("dt", CDT)
def test_grads(dt, i):
    vals = [1 + 2j, 3 - 1j, -0.5 + 0.25j]
    xo = ot.tensor(vals, dtype=getattr(ot, dt), requires_grad=True)
    xt = torch.tensor(vals, dtype=getattr(torch, dt), requires_grad=True)
    GRADS[i](ot, xo).backward()
    GRADS[i](torch, xt).backward()
    assert_same(xo.grad, xt.grad, rtol=1e-5, atol=1e-6)


def test_grad_fn_names():
    xo = ot.tensor([1 + 2j], requires_grad=True)
    xt = torch.tensor([1 + 2j], requires_grad=True)
    ro, rt = ot.ones(1, requires_grad=True), torch.ones(1, requires_grad=True)
    for f in (lambda t, x, r: x.real, lambda t, x, r: x.imag, lambda t, x, r: t.view_as_real(x),
              lambda t, x, r: t.view_as_complex(t.view_as_real(x)), lambda t, x, r: x.abs(),
              lambda t, x, r: t.complex(r, r), lambda t, x, r: t.polar(r, r)):
        assert f(ot, xo, ro).grad_fn.name() == f(torch, xt, rt).grad_fn.name()


def test_grads_complex_polar_parts():
    for dt in ("float32", "float64"):
        vals_a, vals_b = [1.0, 2.0, -0.5], [0.3, -1.0, 2.0]
        for f in (lambda t, a, b: t.complex(a, b).abs().sum(), lambda t, a, b: (t.polar(a, b) * (1 + 2j)).real.sum(),
                  lambda t, a, b: t.view_as_complex(t.stack([a, b], -1)).abs().sum(),
                  lambda t, a, b: t.complex(a, b[:1]).imag.pow(2).sum()):
            ao = ot.tensor(vals_a, dtype=getattr(ot, dt), requires_grad=True)
            bo = ot.tensor(vals_b, dtype=getattr(ot, dt), requires_grad=True)
            at = torch.tensor(vals_a, dtype=getattr(torch, dt), requires_grad=True)
            bt = torch.tensor(vals_b, dtype=getattr(torch, dt), requires_grad=True)
            f(ot, ao, bo).backward()
            f(torch, at, bt).backward()
            assert_same(ao.grad, at.grad, rtol=1e-5, atol=1e-6)
            assert_same(bo.grad, bt.grad, rtol=1e-5, atol=1e-6)
