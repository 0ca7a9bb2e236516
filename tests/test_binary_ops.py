"""Binary elementwise ops: parity with torch for values, result dtypes (type promotion), layouts,
edge values, in-place and ``out=`` rules, ``alpha``/``rounding_mode``, and broadcasting.

Every check runs the same call on oxytorch and torch: where torch raises, oxytorch must raise the
same exception type; otherwise dtype, shape, strides and values must agree: exactly for bool/int;
bit for bit (signed zeros included) for real floating results of IEEE-exact ops, half types
included; with torch.testing closeness for pow/atan2/hypot, complex results, and the few cases
where torch's own answer depends on its vectorisation (see the notes by the op tables)."""
import operator
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import oxytorch as ot
from parity import (DTYPE_NAMES, FLOAT_DTYPE_NAMES, INT_DTYPE_NAMES, LAYOUT_NAMES, LAYOUTS,
                    assert_raises_same, assert_same, odt, ot_values, sample_values, tdt,
                    torch_values)

# ---------------------------------------------------------------------------------------------
# Op tables: name -> f(lib, a, b). Operators act on the operands; functions go through the library.
# ---------------------------------------------------------------------------------------------

OPS = {
    "add": lambda L, a, b: L.add(a, b),
    "sub": lambda L, a, b: L.sub(a, b),
    "mul": lambda L, a, b: L.mul(a, b),
    "div": lambda L, a, b: L.div(a, b),
    "div_trunc": lambda L, a, b: L.div(a, b, rounding_mode="trunc"),
    "div_floor": lambda L, a, b: L.div(a, b, rounding_mode="floor"),
    "rsub": lambda L, a, b: L.rsub(a, b),
    "floor_divide": lambda L, a, b: L.floor_divide(a, b),
    "remainder": lambda L, a, b: L.remainder(a, b),
    "fmod": lambda L, a, b: L.fmod(a, b),
    "pow": lambda L, a, b: L.pow(a, b),
    "atan2": lambda L, a, b: L.atan2(a, b),
    "hypot": lambda L, a, b: L.hypot(a, b),
    "maximum": lambda L, a, b: L.maximum(a, b),
    "minimum": lambda L, a, b: L.minimum(a, b),
    "fmax": lambda L, a, b: L.fmax(a, b),
    "fmin": lambda L, a, b: L.fmin(a, b),
    "copysign": lambda L, a, b: L.copysign(a, b),
    "bitwise_and": lambda L, a, b: L.bitwise_and(a, b),
    "bitwise_or": lambda L, a, b: L.bitwise_or(a, b),
    "bitwise_xor": lambda L, a, b: L.bitwise_xor(a, b),
    "bitwise_left_shift": lambda L, a, b: L.bitwise_left_shift(a, b),
    "bitwise_right_shift": lambda L, a, b: L.bitwise_right_shift(a, b),
    "logical_and": lambda L, a, b: L.logical_and(a, b),
    "logical_or": lambda L, a, b: L.logical_or(a, b),
    "logical_xor": lambda L, a, b: L.logical_xor(a, b),
    "eq": lambda L, a, b: L.eq(a, b),
    "ne": lambda L, a, b: L.ne(a, b),
    "lt": lambda L, a, b: L.lt(a, b),
    "le": lambda L, a, b: L.le(a, b),
    "gt": lambda L, a, b: L.gt(a, b),
    "ge": lambda L, a, b: L.ge(a, b),
    "a+b": lambda L, a, b: a + b,
    "a-b": lambda L, a, b: a - b,
    "a*b": lambda L, a, b: a * b,
    "a/b": lambda L, a, b: a / b,
    "a//b": lambda L, a, b: a // b,
    "a%b": lambda L, a, b: a % b,
    "a**b": lambda L, a, b: a ** b,
    "a&b": lambda L, a, b: a & b,
    "a|b": lambda L, a, b: a | b,
    "a^b": lambda L, a, b: a ^ b,
    "a<<b": lambda L, a, b: a << b,
    "a>>b": lambda L, a, b: a >> b,
    "a==b": lambda L, a, b: a == b,
    "a!=b": lambda L, a, b: a != b,
    "a<b": lambda L, a, b: a < b,
    "a<=b": lambda L, a, b: a <= b,
    "a>b": lambda L, a, b: a > b,
    "a>=b": lambda L, a, b: a >= b,
}
OP_NAMES = list(OPS)
FUNCTION_NAMES = [n for n in OP_NAMES if n[:2] not in ("a+", "a-", "a*", "a/", "a%", "a&", "a|",
                                                         "a^", "a<", "a>", "a=", "a!")]

# in-place forms: name -> f(self, other) returning what the call returns
INPLACE = {
    "add_": lambda a, b: a.add_(b),
    "sub_": lambda a, b: a.sub_(b),
    "mul_": lambda a, b: a.mul_(b),
    "div_": lambda a, b: a.div_(b),
    "div_trunc_": lambda a, b: a.div_(b, rounding_mode="trunc"),
    "div_floor_": lambda a, b: a.div_(b, rounding_mode="floor"),
    "floor_divide_": lambda a, b: a.floor_divide_(b),
    "remainder_": lambda a, b: a.remainder_(b),
    "fmod_": lambda a, b: a.fmod_(b),
    "pow_": lambda a, b: a.pow_(b),
    "atan2_": lambda a, b: a.atan2_(b),
    "hypot_": lambda a, b: a.hypot_(b),
    "copysign_": lambda a, b: a.copysign_(b),
    "bitwise_and_": lambda a, b: a.bitwise_and_(b),
    "bitwise_or_": lambda a, b: a.bitwise_or_(b),
    "bitwise_xor_": lambda a, b: a.bitwise_xor_(b),
    "bitwise_left_shift_": lambda a, b: a.bitwise_left_shift_(b),
    "bitwise_right_shift_": lambda a, b: a.bitwise_right_shift_(b),
    "logical_and_": lambda a, b: a.logical_and_(b),
    "logical_or_": lambda a, b: a.logical_or_(b),
    "logical_xor_": lambda a, b: a.logical_xor_(b),
    "eq_": lambda a, b: a.eq_(b),
    "ne_": lambda a, b: a.ne_(b),
    "lt_": lambda a, b: a.lt_(b),
    "le_": lambda a, b: a.le_(b),
    "gt_": lambda a, b: a.gt_(b),
    "ge_": lambda a, b: a.ge_(b),
    "a+=b": operator.iadd,
    "a-=b": operator.isub,
    "a*=b": operator.imul,
    "a/=b": operator.itruediv,
    "a//=b": operator.ifloordiv,
    "a%=b": operator.imod,
    "a**=b": operator.ipow,
    "a&=b": operator.iand,
    "a|=b": operator.ior,
    "a^=b": operator.ixor,
    "a<<=b": operator.ilshift,
    "a>>=b": operator.irshift,
}
INPLACE_NAMES = list(INPLACE)

# Tensor methods: (method name, extra kwargs); every function above but rsub is also a method
METHODS = [(n, {}) for n in FUNCTION_NAMES if not n.startswith("div_") and n != "rsub"] + [
    ("div", {"rounding_mode": "trunc"}), ("div", {"rounding_mode": "floor"})]

SCALARS = {"bool": True, "int": 3, "float": 2.5, "complex": 1 + 2j}

# ops used where a representative subset is enough (one of each promotion/semantics family)
CORE_OPS = ["add", "a-b", "a/b", "div_floor", "a%b", "fmod", "a**b", "atan2", "maximum",
            "copysign", "bitwise_and", "a<<b", "logical_xor", "a<b"]

# ops that take floating operands (edge grids)
FLOAT_OPS = [n for n in OP_NAMES if not ("bitwise" in n or n in ("a&b", "a|b", "a^b", "a<<b", "a>>b"))]
# Ops whose float results come from libm-style approximations: compared with closeness. All other
# ops are exact in IEEE arithmetic (half types: computed in float32 on operands already rounded to
# the common dtype, then rounded once, as torch does), so their real floating results must match
# bit for bit (signed zeros included, nan sign/payload aside).
TRANSCENDENTAL = {"pow", "a**b", "atan2", "hypot"}
# max/min of +0 and -0: torch's own answer depends on whether the element went through its
# vectorised or its scalar loop, so the sign of such zero results is not compared.
ZERO_SIGN_UNSPECIFIED = {"maximum", "minimum", "fmax", "fmin"}
# Rounded division of two float16/bfloat16 tensors: torch's vectorised loop rounds the quotient to
# the half dtype before trunc/floor, its scalar loop does not (bfloat16 454/7 truncates to 65 in a
# 4-element tensor, to 64 alone), so half results of these ops are compared with closeness.
HALF_ROUNDED_DIV = {"div_trunc", "div_floor", "floor_divide", "a//b",
                    "div_trunc_", "div_floor_", "floor_divide_", "a//=b"}
HALF_DTYPES = (torch.float16, torch.bfloat16)


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

def from_values(name, arr):
    """(oxytorch, torch) tensors of dtype ``name`` built independently from the same list."""
    arr = np.asarray(arr)
    lst = arr.tolist()
    o, t = ot.tensor(lst, dtype=odt(name)), torch.tensor(lst, dtype=tdt(name))
    if tuple(t.shape) != arr.shape:
        o, t = o.reshape(arr.shape), t.reshape(arr.shape)
    return o, t


def operands(name, shape, seed, nonzero=False):
    n = int(np.prod(shape)) if shape else 1
    vals = sample_values(name, n, seed)
    if nonzero and name in INT_DTYPE_NAMES:
        vals = np.where(vals == 0, 1, vals).astype(vals.dtype)
    return from_values(name, vals.reshape(shape))


def assert_match(o, t, *, exact=True, stride=True, rtol=None, atol=None, zero_sign=True):
    """assert_same (dtype, shape, strides, closeness) and, when ``exact``, bit-identical real
    floating values: nan where torch has nan, equal signs of zero (nan sign bits are not compared).
    Complex results always use closeness (torch's complex mul/div/pow formulas are its own)."""
    assert_same(o, t, check_stride=stride, rtol=rtol, atol=atol)
    if exact and (t.dtype.is_floating_point):
        a, b = ot_values(o), torch_values(t)
        np.testing.assert_array_equal(a, b, err_msg=f"values differ (exact) for dtype {t.dtype}")
        keep = ~np.isnan(b) & (zero_sign | (b != 0))
        np.testing.assert_array_equal(np.signbit(a[keep]), np.signbit(b[keep]),
                                      err_msg=f"signs of zero differ for dtype {t.dtype}")


def _quick_equal(o, t, stride, zero_sign):
    """True when o matches t exactly (dtype, shape, strides, values with nan == nan and, for
    real floats, signs of zero): the common case, checked with a few numpy calls."""
    if not isinstance(o, ot.Tensor) or str(o.dtype) != str(t.dtype) or tuple(o.shape) != tuple(t.shape):
        return False
    if (stride and tuple(o.stride()) != tuple(t.stride())) or o.requires_grad != t.requires_grad:
        return False
    a, b = ot_values(o), torch_values(t)
    if a.dtype.kind in "fc":
        if not np.array_equal(a, b, equal_nan=True):
            return False
        if a.dtype.kind == "f" and zero_sign:
            z = b == 0
            return bool(np.array_equal(np.signbit(a[z]), np.signbit(b[z])))
        return True
    return bool(np.array_equal(a, b))


def check(fn, oargs, targs, *, exact=True, stride=True, transcendental=False, zero_sign=True,
          half_inexact=False):
    """Runs ``fn(lib, *args)`` for both libraries and compares (or compares the exceptions).
    ``transcendental``: closeness instead of exact values; complex64 gets rtol 5e-5 because z**w
    loses ~|w| ulps in complex64 in both libraries (integer exponents here reach ~1000)."""
    try:
        t = fn(torch, *targs)
    except Exception:  # noqa: BLE001
        assert_raises_same(lambda: fn(ot, *oargs), lambda: fn(torch, *targs))
        return None, None
    o = fn(ot, *oargs)
    if isinstance(t, torch.Tensor) and _quick_equal(o, t, stride, zero_sign):
        return o, t
    tol = {}
    if transcendental and isinstance(t, torch.Tensor) and t.dtype == torch.complex64:
        tol = {"rtol": 5e-5, "atol": 1e-5}
    if half_inexact and isinstance(t, torch.Tensor) and t.dtype in HALF_DTYPES:
        exact = False
    assert_match(o, t, exact=exact and not transcendental, stride=stride, zero_sign=zero_sign, **tol)
    return o, t


def check_op(op, oargs, targs, **kw):
    return check(OPS[op], oargs, targs, transcendental=op in TRANSCENDENTAL,
                 zero_sign=op not in ZERO_SIGN_UNSPECIFIED, half_inexact=op in HALF_ROUNDED_DIV, **kw)


def collect(failures, label, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except AssertionError as e:
        failures.append(f"{label}: {str(e).splitlines()[0]}")


def report(failures):
    assert not failures, f"{len(failures)} mismatches:\n" + "\n".join(failures[:40])


def assert_close_signed(o, t):
    """Closeness (nan == nan) plus nan/inf positions and signs of zero results as torch."""
    assert_same(o, t)
    a, b = ot_values(o), torch_values(t)
    if a.dtype.kind == "f":
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b), err_msg="nan positions")
        np.testing.assert_array_equal(a[np.isinf(b)], b[np.isinf(b)], err_msg="infinities")
        z = (a == 0) & (b == 0)
        np.testing.assert_array_equal(np.signbit(a[z]), np.signbit(b[z]), err_msg="sign of zero")


def grid(vals_a, vals_b):
    """All pairs: a repeated, b tiled."""
    va, vb = np.asarray(vals_a), np.asarray(vals_b)
    return np.repeat(va, len(vb)), np.tile(vb, len(va))


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted({n.split("_")[0] if n.startswith("div_") else n
                                         for n in FUNCTION_NAMES}))
def test_function_exported(name):
    assert callable(getattr(torch, name))
    assert callable(getattr(ot, name, None)), f"oxytorch.{name} is not exported"


# ---------------------------------------------------------------------------------------------
# forward values and result dtype over every dtype pair
# ---------------------------------------------------------------------------------------------

ALL_PAIRS = [(a, b) for a in DTYPE_NAMES for b in DTYPE_NAMES]
# Operators and in-place operators share the function's code path: a representative subset of
# pairs (every same-dtype pair, and every pair among one dtype per kind) is enough for them.
_KIND_REPS = ["bool", "uint8", "int8", "int64", "float16", "bfloat16", "float32", "complex64"]
SUBSET_PAIRS = [(d, d) for d in DTYPE_NAMES] + [(a, b) for a in _KIND_REPS for b in _KIND_REPS if a != b]


def _pairs_for(op):
    return SUBSET_PAIRS if op.startswith("a") and not op[1].isalpha() else ALL_PAIRS


_OPERANDS = {}


def cached_operands(name, seed, nonzero=False):
    key = (name, seed, nonzero)
    if key not in _OPERANDS:
        _OPERANDS[key] = operands(name, (3, 4), seed=seed, nonzero=nonzero)
    return _OPERANDS[key]


@pytest.mark.parametrize("op", OP_NAMES)
def test_forward_dtype_pairs(op):
    failures = []
    for da, db in _pairs_for(op):
        oa, ta = cached_operands(da, 1)
        ob, tb = cached_operands(db, 2, nonzero=True)
        collect(failures, f"{da} {op} {db}", check_op, op, (oa, ob), (ta, tb))
    report(failures)


@pytest.mark.parametrize("pair", [("float32", "float32"), ("int64", "float32"), ("int32", "int32"),
                                  ("bool", "bool"), ("uint8", "int8"), ("complex64", "float64")])
@pytest.mark.parametrize("method,kw", METHODS, ids=[f"{n}{kw or ''}" for n, kw in METHODS])
def test_tensor_methods(method, kw, pair):
    oa, ta = operands(pair[0], (2, 3), seed=3)
    ob, tb = operands(pair[1], (2, 3), seed=4, nonzero=True)
    tr = method in TRANSCENDENTAL
    check(lambda L, a, b: getattr(a, method)(b, **kw), (oa, ob), (ta, tb), transcendental=tr)
    check(lambda L, a, b: getattr(a, method)(2, **kw), (oa, ob), (ta, tb), transcendental=tr)


# ---------------------------------------------------------------------------------------------
# promotion matrix: {dimensioned, 0-dim} x {dimensioned, 0-dim, Python scalar}, both sides
# ---------------------------------------------------------------------------------------------

def _rhs_operands():
    out = []
    for d in DTYPE_NAMES:
        out.append((f"dim[{d}]", operands(d, (2, 3), seed=6, nonzero=True)))
        out.append((f"0d[{d}]", operands(d, (), seed=7, nonzero=True)))
    for k, v in SCALARS.items():
        out.append((f"py_{k}", (v, v)))
    return out


@pytest.mark.parametrize("lhs_kind", ["dim", "0d"])
@pytest.mark.parametrize("da", DTYPE_NAMES)
@pytest.mark.parametrize("op", CORE_OPS)
def test_promotion_matrix(op, da, lhs_kind):
    shape = (2, 3) if lhs_kind == "dim" else ()
    oa, ta = operands(da, shape, seed=5, nonzero=True)
    failures = []
    for label, (ob, tb) in _rhs_operands():
        collect(failures, f"{lhs_kind}[{da}] {op} {label}", check_op, op, (oa, ob), (ta, tb))
        collect(failures, f"{label} {op} {lhs_kind}[{da}]", check_op, op, (ob, oa), (tb, ta))
    report(failures)


# ---------------------------------------------------------------------------------------------
# layouts
# ---------------------------------------------------------------------------------------------

LAYOUT_OPS = ["add", "a*b", "div", "a//b", "remainder", "pow", "atan2", "maximum", "bitwise_xor",
              "a<<b", "eq", "logical_or"]


@pytest.mark.parametrize("dtype", ["float32", "int32", "float16"])
@pytest.mark.parametrize("layout", LAYOUT_NAMES)
@pytest.mark.parametrize("op", LAYOUT_OPS)
def test_layouts(op, layout, dtype):
    fn, shape = LAYOUTS[layout]

    def view(seed):
        o, t = operands(dtype, shape, seed, nonzero=True)
        return fn(o), fn(t)

    oa, ta = view(8)
    ob, tb = view(9)
    check_op(op, (oa, ob), (ta, tb))  # both operands in the same layout
    check_op(op, (oa, ob.contiguous()), (ta, tb.contiguous()))  # mixed layouts
    check_op(op, (oa.contiguous(), ob), (ta.contiguous(), tb))


BROADCAST_SHAPES = [
    ((3, 1), (1, 4)), ((4,), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (3, 4)),
    ((3, 4), ()), ((1,), (5,)), ((0,), (3, 1)), ((1, 0), (3, 1)), ((2, 0, 3), (1, 3)),
    ((5, 1, 1), (1, 1, 0)), ((1, 1, 1, 3), (2, 1, 2, 1)),
]


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
@pytest.mark.parametrize("op", LAYOUT_OPS)
def test_broadcast_shapes(op, shapes, dtype):
    oa, ta = operands(dtype, shapes[0], 10, nonzero=True)
    ob, tb = operands(dtype, shapes[1], 11, nonzero=True)
    check_op(op, (oa, ob), (ta, tb))


@pytest.mark.parametrize("shapes", [((3, 4), (1, 4)), ((3, 4), (3, 1)), ((3, 4), (3, 4))], ids=str)
@pytest.mark.parametrize("op", LAYOUT_OPS)
def test_broadcast_bad_shapes_and_stride0_inputs(op, shapes):
    # stride-0 (expanded) inputs built from numpy's broadcast_to
    base_a = np.arange(1, 1 + int(np.prod(shapes[1])), dtype=np.float32).reshape(shapes[1])
    xa = np.broadcast_to(base_a, shapes[0])
    xb = (np.arange(12, dtype=np.float32).reshape(3, 4) % 5) + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        oa, ta = ot.from_numpy(xa), torch.from_numpy(xa)
    assert tuple(oa.stride()) == tuple(ta.stride())
    ob, tb = ot.from_numpy(xb), torch.from_numpy(xb)
    check_op(op, (oa, ob), (ta, tb))
    check_op(op, (ob, oa), (tb, ta))
    # shapes that do not broadcast
    oc, tc = operands("float32", (2, 4), 12)
    assert_raises_same(lambda: OPS[op](ot, ob, oc), lambda: OPS[op](torch, tb, tc))


# ---------------------------------------------------------------------------------------------
# edge values
# ---------------------------------------------------------------------------------------------

FLOAT_EDGE = [0.0, -0.0, float("inf"), float("-inf"), float("nan"), 1.0, -1.0, 2.0, -3.0, 0.5,
              7.5, -7.5]


@pytest.mark.parametrize("dtype", FLOAT_DTYPE_NAMES)
@pytest.mark.parametrize("op", FLOAT_OPS)
def test_float_edge_values(op, dtype):
    a, b = grid(FLOAT_EDGE, FLOAT_EDGE)
    oa, ta = from_values(dtype, a)
    ob, tb = from_values(dtype, b)
    fn = OPS[op]
    try:
        t = fn(torch, ta, tb)
    except Exception:  # noqa: BLE001
        assert_raises_same(lambda: fn(ot, oa, ob), lambda: fn(torch, ta, tb))
        return
    o = fn(ot, oa, ob)
    if op in TRANSCENDENTAL or (op in HALF_ROUNDED_DIV and t.dtype in HALF_DTYPES):
        assert_close_signed(o, t)
    else:
        assert_match(o, t, zero_sign=op not in ZERO_SIGN_UNSPECIFIED)


def _int_edge(name):
    info = np.iinfo(getattr(np, name))
    vals = [info.min, info.min + 1, -7, -3, -1, 0, 1, 2, 3, 7, info.max - 1, info.max]
    return sorted({v for v in vals if info.min <= v <= info.max})


@pytest.mark.parametrize("dtype", INT_DTYPE_NAMES)
@pytest.mark.parametrize("op", OP_NAMES)
def test_int_edge_values(op, dtype):
    """Integer extremes: wraparound for add/sub/mul, sign rules of remainder/fmod/floor division.
    Zero divisors are tested separately; MIN // -1 only for 8/16-bit types (torch itself dies
    with SIGFPE for int32/int64)."""
    vals = _int_edge(dtype)
    a, b = grid(vals, vals)
    divides = any(k in op for k in ("div", "//", "%", "remainder", "fmod"))
    keep = np.ones(len(a), dtype=bool)
    if divides:
        keep &= b != 0
        if dtype in ("int32", "int64"):
            keep &= ~((a == vals[0]) & (b == -1))
    if op in ("pow", "a**b"):
        b = np.clip(b, -3 if dtype != "uint8" else 0, 70)  # huge exponents only make it slower
    oa, ta = from_values(dtype, a[keep])
    ob, tb = from_values(dtype, b[keep])
    check_op(op, (oa, ob), (ta, tb))


@pytest.mark.parametrize("dtype", INT_DTYPE_NAMES)
@pytest.mark.parametrize("op", ["bitwise_left_shift", "bitwise_right_shift", "a<<b", "a>>b"])
def test_shift_edges(op, dtype):
    bits = np.iinfo(getattr(np, dtype)).bits
    shifts = [0, 1, 3, bits - 1, bits, bits + 1, 100] + ([] if dtype == "uint8" else [-1, -bits])
    shifts = [s for s in shifts if np.iinfo(getattr(np, dtype)).min <= s <= np.iinfo(getattr(np, dtype)).max]
    a, b = grid(_int_edge(dtype), shifts)
    oa, ta = from_values(dtype, a)
    ob, tb = from_values(dtype, b)
    check_op(op, (oa, ob), (ta, tb))
    for s in (bits, 70, -1, 0, 2):  # Python scalar shift amounts, both sides
        check_op(op, (oa, s), (ta, s))
        check_op(op, (s, oa), (s, ta))


@pytest.mark.parametrize("dtype", INT_DTYPE_NAMES + ["bool"])
@pytest.mark.parametrize("op", ["floor_divide", "a//b", "remainder", "a%b", "fmod", "div_trunc",
                                "div_floor", "div", "a/b"])
def test_integer_division_by_zero(op, dtype):
    """Integer floor_divide/remainder/fmod/rounded div by zero raise RuntimeError('ZeroDivisionError')
    in torch; true division gives inf/nan."""
    oa, ta = from_values(dtype, np.array([3, 0, 1, 2]).astype(bool) if dtype == "bool"
                         else np.array([5, 0, 1, 2]))
    ob, tb = from_values(dtype, np.array([1, 1, 0, 1]).astype(bool) if dtype == "bool"
                         else np.array([2, 1, 0, 3]))
    fn = OPS[op]
    for x, y in (((oa, ob), (ta, tb)), ((oa, ob[2]), (ta, tb[2])), ((oa, 0), (ta, 0)),
                 ((oa, False), (ta, False))):
        try:
            t = fn(torch, *y)
        except Exception:  # noqa: BLE001
            oe, te = assert_raises_same(lambda: fn(ot, *x), lambda: fn(torch, *y))
            if "ZeroDivisionError" in str(te):
                assert "ZeroDivisionError" in str(oe), f"oxytorch message: {oe}"
            continue
        assert_match(fn(ot, *x), t)


@pytest.mark.parametrize("dtype", INT_DTYPE_NAMES)
def test_negative_integer_powers(dtype):
    signed = dtype != "uint8"
    bases = [-3, -2, -1, 0, 1, 2, 3] if signed else [0, 1, 2, 3, 255]
    exps = [-3, -2, -1, 0, 1, 2, 3, 7] if signed else [0, 1, 2, 3, 7]
    a, b = grid(bases, exps)
    oa, ta = from_values(dtype, a)
    ob, tb = from_values(dtype, b)
    check_op("pow", (oa, ob), (ta, tb))
    for e in (-1, -2, -1.0, -0.5, 0, 2, 2.0, True):
        check_op("pow", (oa, e), (ta, e))  # int ** negative Python int raises in torch
        check_op("a**b", (oa, e), (ta, e))
    for base in (2, -2, 0, 1, 2.0):
        check_op("a**b", (base, ob), (base, tb))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "float16", "bfloat16"])
@pytest.mark.parametrize("op", ["remainder", "a%b", "fmod", "floor_divide", "a//b", "div_floor",
                                "div_trunc"])
def test_sign_rules(op, dtype):
    """remainder takes the divisor's sign, fmod the dividend's; floor division rounds to -inf."""
    nums = [-7, -5, -1, 0, 1, 5, 7]
    dens = [-3, -2, 2, 3]
    if dtype.startswith(("float", "bfloat")):
        nums += [-7.5, 7.5, -0.25, 0.25, -0.0]
        dens += [-0.5, 2.5, -2.5]
    a, b = grid(nums, dens)
    oa, ta = from_values(dtype, a)
    ob, tb = from_values(dtype, b)
    check_op(op, (oa, ob), (ta, tb))
    for s in (-3, 3, -2.5, 2.5):
        check_op(op, (oa, s), (ta, s))
        if op != "fmod":  # torch.fmod takes no scalar dividend
            check_op(op, (s, ob), (s, tb))


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("op", ["add", "a-b", "mul", "a/b", "div", "eq", "a!=b"])
def test_complex_edges(op, dtype):
    """Finite complex values: zero (division by zero gives torch's infinities), huge and tiny
    magnitudes (division must not overflow/underflow intermediate products)."""
    vals = [0j, 1 + 0j, -1j, 2 - 3j, -0.5 + 4j, 1e30 + 1e30j, -1e30 + 2e29j, 1e-30 - 1e-30j]
    a, b = grid(vals, vals)
    oa, ta = from_values(dtype, a)
    ob, tb = from_values(dtype, b)
    check(OPS[op], (oa, ob), (ta, tb), exact=False)
    check(OPS[op], (oa, 0), (ta, 0), exact=False)


@pytest.mark.parametrize("other", ["py_0.3", "py_1/3", "py_1e-3", "py_889", "0d_float32", "0d_float64",
                                   "0d_int16", "0d_float16"])
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("op", ["a+b", "a-b", "a*b", "a/b", "a%b", "a==b"])
def test_half_tensor_with_wider_scalar(op, dtype, other):
    """A Python scalar or 0-dim tensor does not raise a half tensor's result dtype. torch computes
    in float32 and rounds once; for * and / (and rounded division) with the scalar second it uses
    the scalar's unrounded value, for + - % the value rounded to the half dtype (checked against
    torch). Results must match bit for bit."""
    vals = {"py_0.3": 0.3, "py_1/3": 1 / 3, "py_1e-3": 1e-3, "py_889": 889}
    oa, ta = from_values(dtype, (np.arange(-40, 40) * 0.37).astype(np.float16).astype(np.float32))
    if other in vals:
        ob = tb = vals[other]
    else:
        ob, tb = from_values(other[3:], np.array(889 if other == "0d_int16" else 0.0123))
    check_op(op, (oa, ob), (ta, tb))
    check_op(op, (ob, oa), (tb, ta))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "float16"])
def test_scalar_divided_by_tensor(dtype):
    """``scalar / tensor`` is Tensor.__rtruediv__, which torch computes as reciprocal(t) * scalar
    (bit-exactly different from scalar / t)."""
    oa, ta = from_values(dtype, np.arange(1, 200) * (0.37 if "float" in dtype else 1))
    for s in (2.5, 3, 0.1, True):
        check_op("a/b", (s, oa), (s, ta))


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_pow_zero_base(dtype):
    oa, ta = from_values(dtype, [0j, 0j, 0j, 0j, 0j, 2 - 1j])
    ob, tb = from_values(dtype, [0j, 1 + 0j, -1 + 0j, -0.5 + 0.2j, 0.5 - 2j, 0j])
    check_op("pow", (oa, ob), (ta, tb))
    check_op("a**b", (0, ob), (0, tb))  # Python 0 ** complex tensor


# (complex tensors with non-finite scalars are left out: torch's add computes a + (1+0j)*b and so
# turns inf+0j into inf+nanj, an artifact not worth mirroring)
@pytest.mark.parametrize("dtype,scalar", [
    (d, s) for d in DTYPE_NAMES
    # (2 ** 63 is left out: torch reads ints in [2**63, 2**64) as uint64 scalars, which oxytorch
    # does not model)
    for s in [300, -1, 1000, 2 ** 31, 2 ** 64, -2 ** 63, -2 ** 63 - 1, 1e10, 1e300, float("inf"),
              float("nan"), 1e4 - 1e-9j]
    if not (d.startswith("complex") and isinstance(s, float) and not abs(s) < 1e38)])
def test_out_of_range_python_scalars(dtype, scalar):
    oa, ta = operands(dtype, (4,), seed=13)
    for op in ("a+b", "a*b", "a==b", "a<b"):
        check_op(op, (oa, scalar), (ta, scalar))
        check_op(op, (scalar, oa), (scalar, ta))


# ---------------------------------------------------------------------------------------------
# in-place
# ---------------------------------------------------------------------------------------------

INPLACE_TRANSCENDENTAL = {"pow_", "a**=b", "atan2_", "hypot_"}


def check_inplace(op, oa, ob, ta, tb):
    """``op`` on clones of self: same exception type, or self returned and same values."""
    fn = INPLACE[op]
    oa, ta = oa.clone(), ta.clone()
    try:
        tr = fn(ta, tb)
    except Exception:  # noqa: BLE001
        assert_raises_same(lambda: fn(oa.clone(), ob), lambda: fn(ta.clone(), tb))
        return
    before = oa
    orr = fn(oa, ob)
    assert tr is ta
    assert orr is before, "in-place op did not return self"
    if _quick_equal(oa, ta, True, True):
        return
    exact = op not in INPLACE_TRANSCENDENTAL and not (op in HALF_ROUNDED_DIV and ta.dtype in HALF_DTYPES)
    loose = {"rtol": 5e-5, "atol": 1e-5} if ta.dtype == torch.complex64 and not exact else {}
    assert_match(oa, ta, exact=exact, **loose)


@pytest.mark.parametrize("op", INPLACE_NAMES)
def test_inplace_dtype_pairs(op):
    failures = []
    for da, db in _pairs_for(op):
        oa, ta = cached_operands(da, 1)
        ob, tb = cached_operands(db, 2, nonzero=True)
        collect(failures, f"{da} {op} {db}", check_inplace, op, oa, ob, ta, tb)
    report(failures)


@pytest.mark.parametrize("da", DTYPE_NAMES)
@pytest.mark.parametrize("op", INPLACE_NAMES)
def test_inplace_scalars_and_0d(op, da):
    oa, ta = operands(da, (2, 3), seed=1)
    failures = []
    for label, (ob, tb) in _rhs_operands():
        if label.startswith("dim"):
            continue
        collect(failures, f"{da} {op} {label}", check_inplace, op, oa, ob, ta, tb)
    report(failures)


def test_inplace_int_plus_float_raises():
    for f in (lambda L: L.tensor([1, 2]).__iadd__(1.5),
              lambda L: L.tensor([1, 2]).add_(1.5),
              lambda L: L.tensor([1, 2]).mul_(L.tensor(2.0)),
              lambda L: L.tensor([1, 2]).div_(2),
              lambda L: L.tensor([True]).add_(1),
              lambda L: L.tensor([1.0]).add_(1j)):
        assert_raises_same(lambda: f(ot), lambda: f(torch))
    x = ot.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast"):
        x += 1.5
    assert x.tolist() == [1, 2]


@pytest.mark.parametrize("shapes", [((3, 1), (1, 4)), ((4,), (3, 4)), ((), (3,)), ((1,), (2,)),
                                    ((3, 4), (4,)), ((3, 4), ()), ((0, 1), (0, 3))], ids=str)
@pytest.mark.parametrize("op", ["add_", "a+=b", "mul_", "a//=b", "bitwise_and_", "eq_"])
def test_inplace_broadcast_target(op, shapes):
    """The target's shape must equal the broadcast shape; otherwise RuntimeError."""
    oa, ta = operands("int64", shapes[0], 14)
    ob, tb = operands("int64", shapes[1], 15, nonzero=True)
    check_inplace(op, oa, ob, ta, tb)


def test_inplace_visible_through_numpy_and_views():
    o, t = ot.zeros(3, 4), torch.zeros(3, 4)
    on, tn = o.numpy(), t.numpy()
    for fn in (lambda x: x.__iadd__(1), lambda x: x.mul_(3), lambda x: x[:, 1].__iadd__(5),
               lambda x: x.t()[1:].sub_(2), lambda x: x[::2].pow_(2), lambda x: x.__itruediv__(2)):
        ro, rt = fn(o), fn(t)
        np.testing.assert_array_equal(on, tn)
        assert_same(o, t)
        assert (ro is o) == (rt is t)
    y = o
    o += 1
    assert o is y
    np.testing.assert_array_equal(on, tn + 1)


@pytest.mark.parametrize("layout", [n for n in LAYOUT_NAMES if not n.startswith("empty")])
def test_inplace_on_views_writes_base(layout):
    fn, shape = LAYOUTS[layout]
    ob, tb = operands("float32", shape, 16)
    ov, tv = fn(ob), fn(tb)
    oo, to = operands("float32", tuple(tv.shape), 17)
    ov.mul_(oo)
    tv.mul_(to)
    ov += 1
    tv += 1
    assert_same(ob, tb, exact=True)
    assert_same(ov, tv, exact=True)


def test_inplace_internal_overlap_raises():
    """Writing in place into an expanded (stride-0) target raises in torch."""
    base_o, base_t = np.arange(4, dtype=np.float32), np.arange(4, dtype=np.float32)
    xo = np.lib.stride_tricks.as_strided(base_o, shape=(3, 4), strides=(0, 4))
    xt = np.lib.stride_tricks.as_strided(base_t, shape=(3, 4), strides=(0, 4))
    o, t = ot.from_numpy(xo), torch.from_numpy(xt)
    assert tuple(o.stride()) == tuple(t.stride()) == (0, 1)
    for f in (lambda x, L: x.add_(1), lambda x, L: x.__imul__(L.ones(3, 4)),
              lambda x, L: L.add(L.ones(3, 4), 1, out=x)):
        assert_raises_same(lambda: f(o, ot), lambda: f(t, torch))
    np.testing.assert_array_equal(base_o, base_t)


def test_inplace_bumps_version():
    o, t = ot.zeros(3), torch.zeros(3)
    vo, vt = o._version, t._version
    o += 1
    t += 1
    o.mul_(2)
    t.mul_(2)
    assert o._version - vo == t._version - vt


# ---------------------------------------------------------------------------------------------
# out=
# ---------------------------------------------------------------------------------------------

OUT_FUNCS = [n for n in FUNCTION_NAMES if n != "rsub"]


@pytest.mark.parametrize("pair", [("float32", "float32"), ("int64", "int64"), ("int32", "float64"),
                                  ("bool", "bool"), ("complex64", "complex64")])
@pytest.mark.parametrize("op", OUT_FUNCS)
def test_out_same_object(op, pair):
    oa, ta = operands(pair[0], (2, 3), 18)
    ob, tb = operands(pair[1], (2, 3), 19, nonzero=True)
    fn = OPS[op]
    try:
        t_ref = fn(torch, ta, tb)
    except Exception:  # noqa: BLE001  (unsupported combination: out= must not change that)
        assert_raises_same(lambda: fn_out(op)(ot, oa, ob, ot.zeros(2, 3)),
                           lambda: fn_out(op)(torch, ta, tb, torch.zeros(2, 3)))
        return
    oo = ot.full((2, 3), 7, dtype=odt(str(t_ref.dtype).split(".")[1]))
    to = torch.full((2, 3), 7, dtype=t_ref.dtype)
    ro = fn_out(op)(ot, oa, ob, oo)
    rt = fn_out(op)(torch, ta, tb, to)
    assert rt is to
    assert ro is oo, "out= did not return the out tensor"
    assert_same(oo, to)
    assert_same(oo, t_ref)


def fn_out(op):
    kw = {"div_trunc": {"rounding_mode": "trunc"}, "div_floor": {"rounding_mode": "floor"}}.get(op, {})
    name = "div" if op.startswith("div") else op
    return lambda L, a, b, out: getattr(L, name)(a, b, out=out, **kw)


@pytest.mark.parametrize("out_shape", [(5,), (0,), (3, 2), (6,), (1, 2, 3), (2, 3, 1)], ids=str)
@pytest.mark.parametrize("op", ["add", "div", "remainder", "eq", "bitwise_or", "maximum"])
def test_out_resized(op, out_shape):
    oa, ta = operands("int32", (2, 3), 20)
    ob, tb = operands("int32", (2, 3), 21, nonzero=True)
    oo, to = operands("float64", out_shape, 22)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ro = fn_out(op)(ot, oa, ob, oo)
        rt = fn_out(op)(torch, ta, tb, to)
    assert ro is oo and rt is to
    assert_same(oo, to)


def test_out_resize_warns_like_torch():
    def run(L):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            L.add(L.ones(2, 3), 1, out=L.zeros(5))
            L.add(L.ones(2, 3), 1, out=L.zeros(0))
        return [type(x.message) for x in w]
    assert run(ot) == run(torch)


@pytest.mark.parametrize("pair", [("float32", "float32"), ("int64", "int64"), ("bool", "bool"),
                                  ("complex128", "float32")])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "div_floor", "floor_divide", "pow",
                                "atan2", "maximum", "bitwise_xor", "logical_and", "eq", "lt"])
def test_out_dtype_casting(op, pair):
    """out= accepts any dtype the result can be cast to (same kind or wider); otherwise raises."""
    oa, ta = operands(pair[0], (2, 3), 23)
    ob, tb = operands(pair[1], (2, 3), 24, nonzero=True)
    failures = []
    for od in DTYPE_NAMES:
        def one(od=od):
            oo, to = ot.zeros(2, 3, dtype=odt(od)), torch.zeros(2, 3, dtype=tdt(od))
            try:
                rt = fn_out(op)(torch, ta, tb, to)
            except Exception:  # noqa: BLE001
                assert_raises_same(lambda: fn_out(op)(ot, oa, ob, ot.zeros(2, 3, dtype=odt(od))),
                                   lambda: fn_out(op)(torch, ta, tb, torch.zeros(2, 3, dtype=tdt(od))))
                return
            ro = fn_out(op)(ot, oa, ob, oo)
            assert ro is oo and rt is to
            assert_same(oo, to)
        collect(failures, f"{op}({pair}) out={od}", one)
    report(failures)


def test_out_aliasing_and_views():
    oa, ta = operands("float32", (3, 4), 25)
    ob, tb = operands("float32", (3, 4), 26)
    ot.add(oa, ob, out=oa)
    torch.add(ta, tb, out=ta)
    assert_same(oa, ta, exact=True)
    # out is a non-contiguous view of a base: written in place, no reallocation
    obase, tbase = ot.zeros(4, 3), torch.zeros(4, 3)
    ro = ot.mul(oa, ob, out=obase.t())
    rt = torch.mul(ta, tb, out=tbase.t())
    assert_same(ro, rt, exact=True)
    assert_same(obase, tbase, exact=True)


# ---------------------------------------------------------------------------------------------
# alpha, rounding_mode, bool semantics
# ---------------------------------------------------------------------------------------------

ALPHA_CALLS = {
    "add": lambda L, a, b, al: L.add(a, b, alpha=al),
    "sub": lambda L, a, b, al: L.sub(a, b, alpha=al),
    "rsub": lambda L, a, b, al: L.rsub(a, b, alpha=al),
    "Tensor.add": lambda L, a, b, al: a.add(b, alpha=al),
    "Tensor.sub": lambda L, a, b, al: a.sub(b, alpha=al),
    "add_": lambda L, a, b, al: a.clone().add_(b, alpha=al),
    "sub_": lambda L, a, b, al: a.clone().sub_(b, alpha=al),
    "add_scalar_other": lambda L, a, b, al: L.add(a, 3, alpha=al),
}


@pytest.mark.parametrize("alpha", [2, -1, 0, 0.5, True, False, 1 + 1j], ids=repr)
@pytest.mark.parametrize("dtype", DTYPE_NAMES)
@pytest.mark.parametrize("call", list(ALPHA_CALLS))
def test_alpha(call, dtype, alpha):
    oa, ta = operands(dtype, (2, 3), 27)
    ob, tb = operands(dtype, (2, 3), 28)
    fn = ALPHA_CALLS[call]
    check(lambda L, a, b: fn(L, a, b, alpha), (oa, ob), (ta, tb))


@pytest.mark.parametrize("mode", [None, "trunc", "floor", "round", "", "Floor"])
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "float16"])
def test_rounding_mode(dtype, mode):
    oa, ta = from_values(dtype, np.array([7, -7, 5, -5, 1, 0]) * (1.5 if "float" in dtype else 1))
    ob, tb = from_values(dtype, np.array([2, 2, -3, -3, 1, 1]))
    for f in (lambda L, a, b: L.div(a, b, rounding_mode=mode),
              lambda L, a, b: a.div(b, rounding_mode=mode),
              lambda L, a, b: a.clone().div_(b, rounding_mode=mode),
              lambda L, a, b: L.div(a, 2, rounding_mode=mode)):
        check(f, (oa, ob), (ta, tb), exact=True)


@pytest.mark.parametrize("op", OP_NAMES)
def test_bool_semantics(op):
    """True + True stays bool (True); bool - bool raises; comparisons/logic as torch."""
    oa, ta = from_values("bool", [False, False, True, True])
    ob, tb = from_values("bool", [False, True, False, True])
    check_op(op, (oa, ob), (ta, tb))
    for s in (True, False, 1, 2.5):
        check_op(op, (oa, s), (ta, s))
        check_op(op, (s, oa), (s, ta))


def test_bool_add_values():
    o = ot.tensor([True, False]) + ot.tensor([True, True])
    assert str(o.dtype) == "torch.bool" and o.tolist() == [True, True]
    assert_raises_same(lambda: ot.tensor([True]) - ot.tensor([True]),
                       lambda: torch.tensor([True]) - torch.tensor([True]))


# ---------------------------------------------------------------------------------------------
# non-tensor operands
# ---------------------------------------------------------------------------------------------

NON_TENSORS = {"None": None, "str": "a", "object": object(), "list": [1, 2], "tuple": (1, 2)}


@pytest.mark.parametrize("other", list(NON_TENSORS))
@pytest.mark.parametrize("op", OP_NAMES)
def test_non_tensor_operands(op, other):
    v = NON_TENSORS[other]
    o, t = ot.tensor([1, 2]), torch.tensor([1, 2])
    for fn in (lambda L, x: OPS[op](L, x, v), lambda L, x: OPS[op](L, v, x)):
        try:
            rt = fn(torch, t)
        except Exception:  # noqa: BLE001
            assert_raises_same(lambda: fn(ot, o), lambda: fn(torch, t))
            continue
        ro = fn(ot, o)
        if isinstance(rt, torch.Tensor):
            assert_same(ro, rt)
        else:
            assert type(ro) is type(rt) and ro == rt, f"oxytorch {ro!r} vs torch {rt!r}"


# ---------------------------------------------------------------------------------------------
# property tests: broadcasting
# ---------------------------------------------------------------------------------------------

HYP_DTYPES = ["bool", "uint8", "int32", "int64", "float16", "bfloat16", "float32", "float64",
              "complex64"]


@settings(max_examples=200)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=0,
                                                max_side=4),
       op=st.sampled_from(OP_NAMES), da=st.sampled_from(HYP_DTYPES), db=st.sampled_from(HYP_DTYPES),
       permute=st.tuples(st.booleans(), st.booleans()), seed=st.integers(0, 2 ** 16))
def test_broadcasting_property(shapes, op, da, db, permute, seed):
    def build(name, shape, perm, s):
        shape = tuple(shape)
        if perm and len(shape) >= 2:  # a non-contiguous view with this shape
            o, t = operands(name, shape[::-1], s, nonzero=True)
            dims = tuple(range(len(shape)))[::-1]
            return o.permute(*dims), t.permute(*dims)
        return operands(name, shape, s, nonzero=True)

    oa, ta = build(da, shapes.input_shapes[0], permute[0], seed)
    ob, tb = build(db, shapes.input_shapes[1], permute[1], seed + 1)
    o, t = check_op(op, (oa, ob), (ta, tb))
    if t is not None:
        assert tuple(t.shape) == shapes.result_shape


# ---------------------------------------------------------------------------------------------
# exhaustive promotion matrix: result_type and the dtype of a + b
# ---------------------------------------------------------------------------------------------

def _promotion_operands():
    out = []
    for d in DTYPE_NAMES:
        out.append((f"dim[{d}]", ot.ones(2, dtype=odt(d)), torch.ones(2, dtype=tdt(d))))
        out.append((f"0d[{d}]", ot.ones((), dtype=odt(d)), torch.ones((), dtype=tdt(d))))
    for k, v in SCALARS.items():
        out.append((f"py_{k}", v, v))
    return out


@pytest.mark.parametrize("default", ["float32", "float64"])
def test_promotion_matrix_exhaustive(default):
    """Every dtype pair x {tensor, 0-dim tensor, Python bool/int/float/complex}, both orders:
    torch.result_type and the dtype of ``a + b`` (and ``torch.add``) agree with torch."""
    ot.set_default_dtype(odt(default))
    torch.set_default_dtype(tdt(default))
    ops = _promotion_operands()
    failures = []
    for la, oa, ta in ops:
        for lb, ob, tb in ops:
            if not (isinstance(ta, torch.Tensor) or isinstance(tb, torch.Tensor)):
                continue
            label = f"{la} + {lb}"
            rt = str(torch.result_type(ta, tb))
            ro = str(ot.result_type(oa, ob))
            # torch promotes bfloat16 with complex to its bcomplex32 dtype (no CPU kernels: the
            # ops raise NotImplementedError, checked below); oxytorch has no such dtype.
            if ro != rt and rt != "torch.bcomplex32":
                failures.append(f"result_type({label}): oxytorch {ro} vs torch {rt}")
            try:
                t = ta + tb
            except Exception as e:  # noqa: BLE001
                try:
                    oa + ob
                except Exception as f:  # noqa: BLE001
                    if type(f) is not type(e):
                        failures.append(f"{label}: oxytorch raised {type(f).__name__}, torch {type(e).__name__}")
                else:
                    failures.append(f"{label}: oxytorch did not raise; torch {type(e).__name__}")
                continue
            o = oa + ob
            if str(o.dtype) != str(t.dtype) or tuple(o.shape) != tuple(t.shape):
                failures.append(f"{label}: oxytorch {o.dtype}{tuple(o.shape)} vs torch {t.dtype}{tuple(t.shape)}")
            if isinstance(ta, torch.Tensor):
                if str(ot.add(oa, ob).dtype) != str(torch.add(ta, tb).dtype):
                    failures.append(f"add({label}) dtype")
    report(failures)
