"""Complex functions at special values (C99 Annex G: infinite, NaN and signed-zero parts) vs torch.

Every point of the grid {+-0, +-1, +-inf, nan} x {same} goes through each function in complex64
and complex128, as length-1 tensors (torch's scalar loop), one contiguous tensor (its vectorised
loop plus the scalar tail) and a strided view. Results must match torch bit for bit per part,
any NaN matching any NaN."""
import math

import numpy as np
import pytest
import torch

import oxytorch as ot

_INF, _NAN = math.inf, math.nan
SPECIAL = [0.0, -0.0, 1.0, -1.0, _INF, -_INF, _NAN]
GRID = [complex(a, b) for a in SPECIAL for b in SPECIAL]
DTYPES = ["complex64", "complex128"]
LAYOUTS = ["single", "contiguous", "strided"]

UNARY = ["acos", "asin", "acosh", "asinh", "atan", "atanh", "sin", "cos", "tan", "sinh", "cosh", "tanh", "exp",
         "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sigmoid", "reciprocal", "sgn", "sinc"]
def _bits(t, lib):
    """The parts of a complex tensor as one float array, NaNs made one canonical NaN."""
    r = lib.view_as_real(t.resolve_conj()).contiguous()
    a = np.array(r.tolist(), dtype=np.float64 if t.dtype == lib.complex128 else np.float32).reshape(-1)
    a[np.isnan(a)] = np.nan
    return a


def _assert_bits(o, t, what):
    assert str(o.dtype) == str(t.dtype), f"{what}: dtype {o.dtype} vs {t.dtype}"
    assert tuple(o.shape) == tuple(t.shape), f"{what}: shape {tuple(o.shape)} vs {tuple(t.shape)}"
    a, b = _bits(o, ot), _bits(t, torch)
    ia, ib = a.view(np.uint64 if a.dtype == np.float64 else np.uint32), b.view(np.uint64 if b.dtype == np.float64 else np.uint32)
    bad = np.nonzero(ia != ib)[0]
    if len(bad):
        i = bad[0] // 2
        raise AssertionError(f"{what}: {len(bad)} part(s) differ; first at element {i}: "
                             f"oxytorch {complex(a[2 * i], a[2 * i + 1])} vs torch {complex(b[2 * i], b[2 * i + 1])}")


def _laid_out(L, values, dt, layout):
    x = L.tensor(values, dtype=getattr(L, dt))
    if layout == "strided":
        return L.stack([x, x], 1)[:, 0]
    return x


def _apply(L, f, x, layout):
    if layout == "single":
        return L.cat([f(x[i:i + 1]) for i in range(x.shape[0])])
    return f(x)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("name", UNARY)
def test_unary_special(name, dt, layout):
    res = [_apply(L, getattr(L, name), _laid_out(L, GRID, dt, layout), layout) for L in (ot, torch)]
    _assert_bits(res[0], res[1], f"{name} {dt} {layout}")


# (op, how to call it); the pairs are the whole grid against itself
BINARY = {
    "add": lambda L, a, b: L.add(a, b),
    "sub": lambda L, a, b: L.sub(a, b),
    "add_alpha": lambda L, a, b: L.add(a, b, alpha=2),
    "sub_alpha": lambda L, a, b: L.sub(a, b, alpha=-3),
    "mul": lambda L, a, b: L.mul(a, b),
    "div": lambda L, a, b: L.div(a, b),
    "pow": lambda L, a, b: L.pow(a, b),
    "float_power": lambda L, a, b: L.float_power(a, b),
    "logaddexp": lambda L, a, b: L.logaddexp(a, b),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_special(name, dt, layout):
    xs = [a for a in GRID for _ in GRID]
    ys = [b for _ in GRID for b in GRID]
    f = BINARY[name]
    res = []
    for L in (ot, torch):
        a, b = _laid_out(L, xs, dt, layout), _laid_out(L, ys, dt, layout)
        if layout == "single":
            res.append(L.cat([f(L, a[i:i + 1], b[i:i + 1]) for i in range(0, a.shape[0], 7)]))
        else:
            res.append(f(L, a, b))
    _assert_bits(res[0], res[1], f"{name} {dt} {layout}")


# a complex tensor with a Python number (torch folds the number into the kernel as a constant)
SCALAR_FORMS = {
    "sub_number": lambda L, x: x - complex(0, _INF),
    "rsub_number": lambda L, x: complex(-2.5, 0) - x,
    "add_real_inf": lambda L, x: x + _INF,
    "sub_nan": lambda L, x: x - _NAN,
    "pow_number": lambda L, x: x ** complex(0.5, 1.0),
    "pow_zero_tensor": lambda L, x: x.pow(L.zeros(1, dtype=x.dtype)),
    "pow_bool_false": lambda L, x: x.clone().pow_(L.tensor([False])),
    # a number exponent 0 fills ones in place too (cpow(0, 0) itself is nan)
    "pow_inplace_number_zero": lambda L, x: x.clone().pow_(0),
    "pow_inplace_number_false": lambda L, x: x.clone().pow_(False),
    "pow_number_half": lambda L, x: x ** 0.5,
    "pow_number_two": lambda L, x: x ** 2,
}


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("name", sorted(SCALAR_FORMS))
def test_number_operand_special(name, dt):
    res = [SCALAR_FORMS[name](L, _laid_out(L, GRID, dt, "contiguous")) for L in (ot, torch)]
    _assert_bits(res[0], res[1], f"{name} {dt}")


def test_complex32_sub_nan():
    res = [L.tensor(1 + 1j) - L.tensor([_NAN, 1.0, _INF], dtype=L.float16) for L in (ot, torch)]
    assert str(res[0].dtype) == str(res[1].dtype) == "torch.complex32"
    _assert_bits(res[0].to(ot.complex64), res[1].to(torch.complex64), "complex32 sub")


@pytest.mark.parametrize("dt", DTYPES)
def test_cumprod_starts_from_one(dt):
    # torch's scan multiplies the identity in first: 1 * (inf + 0i) has a nan imaginary part
    rows = [[complex(_INF, -0.0)], [2 + 0j, complex(_INF, 0.0), 1j], [complex(0.0, _INF), 1 + 0j],
            [complex(-0.0, -0.0), complex(_NAN, 0.0)]]
    for r in rows:
        res = [L.tensor(r, dtype=getattr(L, dt)).cumprod(0) for L in (ot, torch)]
        _assert_bits(res[0], res[1], f"cumprod {r}")


@pytest.mark.parametrize("dt", DTYPES)
def test_sinc_logaddexp_complex_values(dt):
    # finite values as well: the formulas (sin(pi z) / (pi z), log1p(exp(min - max)) + max)
    vals = [0j, 1 + 1j, -0.5 + 2j, 3 - 0.25j, 1e-20 + 1e-20j, 100 + 1j, -7.5 - 3j]
    res = [L.sinc(L.tensor(vals, dtype=getattr(L, dt))) for L in (ot, torch)]
    torch.testing.assert_close(torch.from_numpy(np.array(res[0].tolist())), torch.from_numpy(np.array(res[1].tolist())),
                               rtol=1e-6 if dt == "complex64" else 1e-13, atol=0)
    res = [L.logaddexp(L.tensor(vals, dtype=getattr(L, dt)), L.tensor(vals[::-1], dtype=getattr(L, dt)))
           for L in (ot, torch)]
    torch.testing.assert_close(torch.from_numpy(np.array(res[0].tolist())), torch.from_numpy(np.array(res[1].tolist())),
                               rtol=1e-6 if dt == "complex64" else 1e-13, atol=0)


def test_complex_sinc_logaddexp_grad():
    out = []
    for L in (ot, torch):
        x = L.tensor([1 + 1j, -0.5 + 2j], dtype=L.complex128, requires_grad=True)
        y = L.tensor([0.25 - 1j, 2 + 0j], dtype=L.complex128, requires_grad=True)
        (L.sinc(x) * L.logaddexp(x, y)).abs().sum().backward()
        out.append((x.grad.tolist(), y.grad.tolist()))
    np.testing.assert_allclose(np.array(out[0][0]), np.array(out[1][0]), rtol=1e-12)
    np.testing.assert_allclose(np.array(out[0][1]), np.array(out[1][1]), rtol=1e-12)
