"""Differential fuzzing against torch: hypothesis draws dtypes, shapes, layouts (contiguous,
transposed, stepped, expanded with stride 0, offset, permuted, zero-size, 0-d) and values (with
0, -0.0, nan, +-inf, int min/max), runs the same op on oxytorch and torch, and requires the same
outcome: equal dtype, shape, strides and values (nan == nan), or the same exception type.

Inputs and comparison live in fuzz_gen.py. Bounded: each property runs a fixed, derandomized set
of examples (OXYTORCH_DIFF_EXAMPLES raises the count, OXYTORCH_DIFF_RANDOM=1 draws new ones).
Divergences the fuzzer found are pinned as deterministic cases in test_diff_fuzz_regress.py."""
import math
import operator

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from test_binary_ops import OPS as _BINARY_OPS
from fuzz_gen import (_IINFO, DTYPES, FLOATS, FUZZ, INTS, LAYOUTS, N, NUMERIC, REALS, Spec, any_python_scalar,
                      broadcast_shape, build, check, specs)

FEW = FUZZ if N < 40 else FUZZ.__class__(FUZZ, max_examples=max(N // 5, 1))


def operand(L, x):
    return build(L, x) if isinstance(x, Spec) else x


# ---------------------------------------------------------------------------------------------
# Known divergences that are not fixed yet. Each is pinned as a strict xfail in
# test_diff_fuzz_regress.py (XFAIL_CASES); the fuzzer steps around exactly these inputs so that
# it keeps finding new ones. Remove an entry when its xfail starts passing.
# ---------------------------------------------------------------------------------------------

def _cspecial(x):
    """A complex operand with an infinite or NaN component."""
    vals = x.values if isinstance(x, Spec) else [x]
    return any(isinstance(v, complex) and not (math.isfinite(v.real) and math.isfinite(v.imag)) for v in vals)


def _is_complex(x):
    return (isinstance(x, Spec) and x.dtype == "complex64") or isinstance(x, complex)


# C99 Annex G special values (inf/nan components) of complex functions: oxytorch computes them as
# torch's CPU kernels do (glibc's complex functions and c10's formulas, test_complex_special.py);
# none are stepped around any more
_COMPLEX_SPECIAL_UNARY = set()
_COMPLEX_SPECIAL_BINARY = set()
_COMPLEX_SPECIAL_REDUCE = set()


def known_binary(op, a, b):
    if op in _COMPLEX_SPECIAL_BINARY and (_cspecial(a) or _cspecial(b)):
        return True
    return False


# ---------------------------------------------------------------------------------------------
# (1) elementwise binary ops with type promotion, Python scalars and 0-d tensors
# ---------------------------------------------------------------------------------------------

_OPERATORS = ["a+b", "a-b", "a*b", "a/b", "a//b", "a%b", "a**b", "a&b", "a|b", "a^b", "a<<b", "a>>b",
              "a==b", "a!=b", "a<b", "a<=b", "a>b", "a>=b"]

_NAMED = ["add", "sub", "mul", "div", "div_trunc", "div_floor", "floor_divide", "remainder", "fmod", "pow",
          "atan2", "hypot", "maximum", "minimum", "fmax", "fmin", "copysign", "bitwise_and", "bitwise_or",
          "bitwise_xor", "logical_and", "logical_or", "logical_xor", "eq", "ne", "lt", "le", "gt", "ge"]

BINARY = {
    # Entries identical to test_binary_ops.OPS come from there.
    **{k: _BINARY_OPS[k] for k in _OPERATORS + _NAMED},
    "add_alpha": lambda L, a, b: L.add(a, b, alpha=2),
    "float_power": lambda L, a, b: L.float_power(a, b),
    "nextafter": lambda L, a, b: L.nextafter(a, b),
    "xlogy": lambda L, a, b: L.xlogy(a, b),
    "heaviside": lambda L, a, b: L.heaviside(a, b),
    "logaddexp": lambda L, a, b: L.logaddexp(a, b),
    "lshift": lambda L, a, b: L.bitwise_left_shift(a, b),
    "rshift": lambda L, a, b: L.bitwise_right_shift(a, b),
    "isclose": lambda L, a, b: L.isclose(a, b),
    "isclose_nan": lambda L, a, b: L.isclose(a, b, equal_nan=True),
}
# ops whose floating results may differ in the last bits (transcendental or libm-dependent)
_INEXACT = {"pow", "float_power", "atan2", "hypot", "xlogy", "logaddexp", "a**b", "div", "a/b"}


@st.composite
def binary_operands(draw, dtypes=DTYPES):
    a = draw(specs(dtypes))
    kind = draw(st.sampled_from(["tensor", "tensor", "0d", "scalar"]))
    if kind == "tensor":
        b = draw(specs(dtypes, shape=draw(broadcast_shape(a.shape))))
    elif kind == "0d":
        b = draw(specs(dtypes, shape=()))
    else:
        b = draw(any_python_scalar)
    if draw(st.booleans()):
        a, b = b, a
    return a, b


@pytest.mark.parametrize("op", sorted(BINARY))
@FEW
@given(ab=binary_operands())
def test_binary(op, ab):
    a, b = ab
    if not isinstance(a, Spec) and not op.startswith("a"):
        # torch's function forms take a Python scalar first only for some ops; keep it second
        a, b = b, a
    assume(not known_binary(op, a, b))
    check(lambda L: BINARY[op](L, operand(L, a), operand(L, b)), check_stride="nontrivial")


INPLACE = {
    "add_": lambda a, b: a.add_(b),
    "sub_": lambda a, b: a.sub_(b),
    "mul_": lambda a, b: a.mul_(b),
    "div_": lambda a, b: a.div_(b),
    "div_floor_": lambda a, b: a.div_(b, rounding_mode="floor"),
    "remainder_": lambda a, b: a.remainder_(b),
    "pow_": lambda a, b: a.pow_(b),
    "bitwise_and_": lambda a, b: a.bitwise_and_(b),
    "lt_": lambda a, b: a.lt_(b),
    "maximum_out": lambda a, b: a.copy_(a.maximum(b)),
    "iadd": lambda a, b: operator.iadd(a, b),
    "imul": lambda a, b: operator.imul(a, b),
    "itruediv": lambda a, b: operator.itruediv(a, b),
    "ifloordiv": lambda a, b: operator.ifloordiv(a, b),
    "ior": lambda a, b: operator.ior(a, b),
    "ilshift": lambda a, b: operator.ilshift(a, b),
    "clamp_": lambda a, b: a.clamp_(min=b),
    "copy_": lambda a, b: a.copy_(b) if not isinstance(b, (int, float, complex)) else a.fill_(b),
}


@pytest.mark.parametrize("op", sorted(INPLACE))
@FEW
@given(ab=binary_operands())
def test_inplace(op, ab):
    a, b = ab
    if not isinstance(a, Spec):
        a, b = b, a
    assume(not known_binary(op, a, b))

    def fn(L):
        x = build(L, a).clone() if a.layout in ("expand0", "expand_last") and op == "copy_" else build(L, a)
        r = INPLACE[op](x, operand(L, b))
        return r is x, x
    check(fn)


# ---------------------------------------------------------------------------------------------
# (1) unary ops
# ---------------------------------------------------------------------------------------------

UNARY = {n: (lambda n: lambda L, x: getattr(L, n)(x))(n) for n in [
    "neg", "abs", "sign", "sgn", "sqrt", "rsqrt", "exp", "exp2", "expm1", "log", "log2", "log10",
    "log1p", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh",
    "atanh", "sigmoid", "floor", "ceil", "round", "trunc", "frac", "reciprocal", "square",
    "logical_not", "bitwise_not", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit",
    "nan_to_num", "erf", "erfc", "erfinv", "lgamma", "digamma", "relu", "positive", "angle",
    "conj_physical", "isreal", "deg2rad", "rad2deg", "logit", "i0", "sinc", "fix",
]}
UNARY.update({
    "round_dec": lambda L, x: L.round(x, decimals=1),
    "clamp": lambda L, x: L.clamp(x, min=-1, max=2),
    "clamp_f": lambda L, x: L.clamp(x, min=-0.5),
    "clamp_max": lambda L, x: L.clamp(x, max=0),
    "nan_to_num_args": lambda L, x: L.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-3.0),
    "-x": lambda L, x: -x,
    "~x": lambda L, x: ~x,
    "abs(x)": lambda L, x: abs(x),
    "bool(x)": lambda L, x: bool(x),
    "float(x)": lambda L, x: float(x),
    "int(x)": lambda L, x: int(x),
    "item": lambda L, x: x.item(),
    "tolist": lambda L, x: x.tolist(),
    "to_float16": lambda L, x: x.to(L.float16),
    "to_int32": lambda L, x: x.to(L.int32) if not x.is_floating_point() else x.nan_to_num().clamp(-1000, 1000).to(L.int32),
    "to_bool": lambda L, x: x.to(L.bool),
    "to_complex": lambda L, x: x.to(L.complex64),
    "to_bfloat16": lambda L, x: x.to(L.bfloat16),
    "relu_": lambda L, x: x.clone().relu_(),
    "neg_": lambda L, x: x.clone().neg_(),
    "sqrt_": lambda L, x: x.clone().sqrt_(),
    "abs_": lambda L, x: x.clone().abs_(),
    "floor_": lambda L, x: x.clone().floor_(),
    "exp_": lambda L, x: x.exp_(),
    "zero_": lambda L, x: x.zero_(),
})


@pytest.mark.parametrize("op", sorted(UNARY))
@FEW
@given(a=specs())
def test_unary(op, a):
    assume(not (op in _COMPLEX_SPECIAL_UNARY and _cspecial(a)))
    check(lambda L: UNARY[op](L, build(L, a)), check_stride="nontrivial")


TERNARY = {
    "where": lambda L, c, a, b: L.where(c != 0, a, b),
    "lerp": lambda L, c, a, b: L.lerp(a, b, 0.25),
    "addcmul": lambda L, c, a, b: L.addcmul(c, a, b, value=2),
    "addcdiv": lambda L, c, a, b: L.addcdiv(c, a, b),
    "clamp_t": lambda L, c, a, b: L.clamp(c, a, b),
}


@pytest.mark.parametrize("op", sorted(TERNARY))
@FEW
@given(data=st.data())
def test_ternary(op, data):
    c = data.draw(specs())
    a = data.draw(st.one_of(specs(shape=data.draw(broadcast_shape(c.shape))), any_python_scalar))
    b = data.draw(st.one_of(specs(shape=data.draw(broadcast_shape(c.shape))), any_python_scalar))
    # torch promotes bfloat16 with complex to bcomplex32, which oxytorch does not have
    assume(not (op == "where" and {"bfloat16", "complex64"} <= {v.dtype for v in (a, b) if isinstance(v, Spec)}))
    check(lambda L: TERNARY[op](L, build(L, c), operand(L, a), operand(L, b)), check_stride="nontrivial")


# ---------------------------------------------------------------------------------------------
# (2) reductions
# ---------------------------------------------------------------------------------------------

def _dim_arg(draw, nd, allow_tuple=True):
    if nd == 0:
        return draw(st.sampled_from([None, 0, -1] + ([(0,), (-1,), (), (0, -1)] if allow_tuple else [])))
    choices = [st.none(), st.integers(-nd, nd - 1)]
    if allow_tuple:
        choices.append(st.lists(st.integers(-nd, nd - 1), min_size=0, max_size=nd, unique=True).map(tuple))
        # a repeated dim (also through its negative alias) must be refused as torch does
        choices.append(st.lists(st.integers(-nd, nd - 1), min_size=2, max_size=3).map(tuple))
    return draw(st.one_of(*choices))


REDUCE = {
    "sum": lambda L, x, d, k, dt: x.sum() if d is None else x.sum(d, keepdim=k, dtype=dt),
    "nansum": lambda L, x, d, k, dt: L.nansum(x) if d is None else L.nansum(x, d, keepdim=k),
    "prod": lambda L, x, d, k, dt: x.prod(dtype=dt) if not isinstance(d, int) else x.prod(d, keepdim=k, dtype=dt),
    "mean": lambda L, x, d, k, dt: x.mean(dtype=dt) if d is None else x.mean(d, keepdim=k, dtype=dt),
    "nanmean": lambda L, x, d, k, dt: x.nanmean() if d is None else x.nanmean(d, keepdim=k),
    "var": lambda L, x, d, k, dt: x.var() if d is None else x.var(d, keepdim=k),
    "std_c0": lambda L, x, d, k, dt: x.std(d, correction=0, keepdim=k),
    "var_mean": lambda L, x, d, k, dt: L.var_mean(x, d, keepdim=k, correction=2),
    "max": lambda L, x, d, k, dt: x.max() if not isinstance(d, int) else x.max(d, keepdim=k),
    "min": lambda L, x, d, k, dt: x.min() if not isinstance(d, int) else x.min(d, keepdim=k),
    "amax": lambda L, x, d, k, dt: x.amax(() if d is None else d, keepdim=k),
    "amin": lambda L, x, d, k, dt: x.amin(() if d is None else d, keepdim=k),
    "aminmax": lambda L, x, d, k, dt: L.aminmax(x, dim=d if isinstance(d, int) else None, keepdim=k),
    "argmax": lambda L, x, d, k, dt: x.argmax(d if isinstance(d, int) else None, keepdim=k),
    "argmin": lambda L, x, d, k, dt: x.argmin(d if isinstance(d, int) else None, keepdim=k),
    "all": lambda L, x, d, k, dt: x.all() if d is None else x.all(d, keepdim=k),
    "any": lambda L, x, d, k, dt: x.any() if d is None else x.any(d, keepdim=k),
    "logsumexp": lambda L, x, d, k, dt: L.logsumexp(x, () if d is None else d, keepdim=k),
    "cumsum": lambda L, x, d, k, dt: x.cumsum(d if isinstance(d, int) else 0, dtype=dt),
    "cumprod": lambda L, x, d, k, dt: x.cumprod(d if isinstance(d, int) else 0, dtype=dt),
    "cummax": lambda L, x, d, k, dt: L.cummax(x, d if isinstance(d, int) else 0),
    "logcumsumexp": lambda L, x, d, k, dt: L.logcumsumexp(x, d if isinstance(d, int) else 0),
    "count_nonzero": lambda L, x, d, k, dt: L.count_nonzero(x, d),
    "norm": lambda L, x, d, k, dt: x.norm(dim=d, keepdim=k),
    "median_all": lambda L, x, d, k, dt: x.median(),
    "nanmedian_all": lambda L, x, d, k, dt: x.nanmedian(),
    "quantile": lambda L, x, d, k, dt: L.quantile(x, 0.3, dim=d if isinstance(d, int) else None, keepdim=k),
    "quantile_t": lambda L, x, d, k, dt: L.quantile(x, L.tensor([0.0, 0.5, 1.0], dtype=x.dtype),
                                                    dim=d if isinstance(d, int) else None, keepdim=k),
    "nanquantile": lambda L, x, d, k, dt: L.nanquantile(x, 0.75, dim=d if isinstance(d, int) else None,
                                                        keepdim=k, interpolation="midpoint"),
}
# results whose float values depend on summation order
_ROUNDING = {"sum", "nansum", "prod", "mean", "nanmean", "var", "std_c0", "var_mean", "logsumexp",
             "cumsum", "cumprod", "logcumsumexp", "norm", "quantile", "quantile_t", "nanquantile"}


@pytest.mark.parametrize("op", sorted(REDUCE))
@FEW
@given(data=st.data())
def test_reduction(op, data):
    x = data.draw(specs(max_dims=3))
    d = _dim_arg(data.draw, len(x.shape))
    k = data.draw(st.booleans())
    dt = data.draw(st.sampled_from([None, None, "float64", "int64", "float16", "complex64"]))

    # torch 2.15 bug: logsumexp over all dims of a stride-0 input raises ("output with shape []
    # doesn't match the broadcast shape [1]"); oxytorch answers, so those inputs are left out
    assume(not (op == "logsumexp" and x.layout != "contig" and (not d or (
        isinstance(d, tuple) and len(set(v % max(len(x.shape), 1) for v in d)) == len(x.shape)))))
    # variance at the float range's edge: inf vs nan depends on the summation scheme
    assume(not (op in ("var", "std_c0", "var_mean") and any(isinstance(v, float) and math.isfinite(v) and abs(v) > 1e4
                                                            for v in x.values)))
    assume(not (op in _COMPLEX_SPECIAL_REDUCE and (_cspecial(x) or dt == "complex64")))

    def fn(L):
        return REDUCE[op](L, build(L, x), d, k, None if dt is None else getattr(L, dt))
    check(fn, check_stride="nontrivial")


# values and indices where torch leaves the index of ties or equal medians unspecified
INDEXED = {
    "max_dim": lambda L, x, d, k: x.max(d, keepdim=k),
    "min_dim": lambda L, x, d, k: x.min(d, keepdim=k),
    "median_dim": lambda L, x, d, k: x.median(d, keepdim=k),
    "nanmedian_dim": lambda L, x, d, k: x.nanmedian(d, keepdim=k),
    "mode": lambda L, x, d, k: x.mode(d, keepdim=k),
    "kthvalue": lambda L, x, d, k: x.kthvalue(1 + (x.shape[d] // 2 if x.dim() else 0), d, keepdim=k),
    "topk": lambda L, x, d, k: x.topk(min(2, x.shape[d] if x.dim() else 1), d, largest=k),
    "sort": lambda L, x, d, k: x.sort(d, descending=k),
}


@pytest.mark.parametrize("op", sorted(INDEXED))
@FEW
@given(data=st.data())
def test_indexed_reduction(op, data):
    # torch's median(dim) reads garbage from stride-0 inputs (torch 2.15: tensor([0]).expand(3)
    # .median(0) gives 12), so expanded layouts are left out there
    lay = [k for k in LAYOUTS if not (op.startswith(("median", "nanmedian")) and k.startswith("expand"))]
    x = data.draw(specs(REALS, max_dims=3, layouts=lay))
    nd = len(x.shape)
    d = data.draw(st.integers(-max(nd, 1), max(nd, 1) - 1))
    k = data.draw(st.booleans())

    def fn(L):
        t = build(L, x)
        v, i = INDEXED[op](L, t, d, k)
        # indices may legally differ among equal values: compare the values they pick instead
        dd = d if t.dim() else 0
        src = t if t.dim() else t.reshape(1)
        ii = i if t.dim() else i.reshape(1)
        if not k and op not in ("topk", "sort") and t.dim():
            ii = ii.unsqueeze(dd)
        picked = src.gather(dd, ii) if ii.numel() else ii.to(src.dtype)
        return type(v).__name__, v, i.dtype, i.shape, picked.isnan() if picked.is_floating_point() else picked
    check(fn, check_stride="nontrivial")


# ---------------------------------------------------------------------------------------------
# (3) views and shape ops
# ---------------------------------------------------------------------------------------------

@st.composite
def shape_op(draw):
    x = draw(specs(max_dims=4))
    s, nd = x.shape, len(x.shape)
    n = 1
    for v in s:
        n *= v
    dim = draw(st.integers(-max(nd, 1), max(nd, 1) - 1))
    kind = draw(st.sampled_from(sorted(SHAPE_OPS)))
    args = SHAPE_OPS[kind][0](draw, s, nd, n, dim)
    return x, kind, args


def _factor(draw, n):
    """A shape with ``n`` elements, sometimes with -1 or a wrong count."""
    dims = []
    m = n
    for p in (2, 3, 2, 5):
        if m and m % p == 0 and draw(st.booleans()):
            dims.append(p)
            m //= p
    dims.append(m)
    if draw(st.integers(0, 3)) == 0:
        dims[draw(st.integers(0, len(dims) - 1))] = -1
    if draw(st.integers(0, 9)) == 0:
        dims.append(draw(st.sampled_from([2, -1, 0])))
    return tuple(draw(st.permutations(dims)))


SHAPE_OPS = {
    "reshape": (lambda dr, s, nd, n, d: _factor(dr, n), lambda L, x, a: x.reshape(a)),
    "view": (lambda dr, s, nd, n, d: _factor(dr, n), lambda L, x, a: x.view(a)),
    "view_dtype": (lambda dr, s, nd, n, d: dr(st.sampled_from(["int16", "float32", "uint8", "int64", "complex64"])),
                   lambda L, x, a: x.view(getattr(L, a))),
    "flatten": (lambda dr, s, nd, n, d: (dr(st.integers(-max(nd, 1), max(nd, 1) - 1)), d),
                lambda L, x, a: x.flatten(*a)),
    "unflatten": (lambda dr, s, nd, n, d: (d, _factor(dr, s[d] if nd else 1)), lambda L, x, a: x.unflatten(*a)),
    "permute": (lambda dr, s, nd, n, d: tuple(dr(st.permutations(range(nd)))), lambda L, x, a: x.permute(a)),
    "transpose": (lambda dr, s, nd, n, d: (d, dr(st.integers(-max(nd, 1), max(nd, 1) - 1))),
                  lambda L, x, a: x.transpose(*a)),
    "movedim": (lambda dr, s, nd, n, d: (d, 0), lambda L, x, a: x.movedim(*a)),
    "squeeze": (lambda dr, s, nd, n, d: dr(st.one_of(st.none(), st.just(d), st.lists(
        st.integers(-max(nd, 1), max(nd, 1) - 1), max_size=3).map(tuple))),
        lambda L, x, a: x.squeeze() if a is None else x.squeeze(a)),
    "unsqueeze": (lambda dr, s, nd, n, d: dr(st.integers(-nd - 2, nd + 1)), lambda L, x, a: x.unsqueeze(a)),
    "expand": (lambda dr, s, nd, n, d: (dr(st.integers(1, 2)),) + tuple(
        dr(st.sampled_from([v, -1, 3] if v == 1 else [v, -1])) for v in s), lambda L, x, a: x.expand(a)),
    "unfold": (lambda dr, s, nd, n, d: (d, dr(st.integers(0, 3)), dr(st.integers(1, 2))),
               lambda L, x, a: x.unfold(*a)),
    "split": (lambda dr, s, nd, n, d: (dr(st.one_of(st.integers(1, 3), st.lists(st.integers(0, 3), max_size=3))), d),
              lambda L, x, a: x.split(*a)),
    "chunk": (lambda dr, s, nd, n, d: (dr(st.integers(1, 4)), d), lambda L, x, a: x.chunk(*a)),
    "tensor_split": (lambda dr, s, nd, n, d: (dr(st.one_of(st.integers(1, 4), st.lists(st.integers(-2, 5), max_size=3))), d),
                     lambda L, x, a: L.tensor_split(x, a[0], dim=a[1])),
    "flip": (lambda dr, s, nd, n, d: (d,), lambda L, x, a: x.flip(a)),
    "fliplr": (lambda dr, s, nd, n, d: None, lambda L, x, a: L.fliplr(x)),
    "roll": (lambda dr, s, nd, n, d: (dr(st.integers(-5, 5)), dr(st.sampled_from([None, d]))),
             lambda L, x, a: x.roll(a[0], a[1])),
    "rot90": (lambda dr, s, nd, n, d: (dr(st.integers(-3, 5)), (0, 1) if nd < 2 else (d % nd, (d + 1) % nd)),
              lambda L, x, a: x.rot90(*a)),
    "repeat": (lambda dr, s, nd, n, d: tuple(dr(st.integers(0, 2)) for _ in range(nd + dr(st.integers(0, 1)))),
               lambda L, x, a: x.repeat(a)),
    "tile": (lambda dr, s, nd, n, d: tuple(dr(st.integers(1, 2)) for _ in range(dr(st.integers(0, 3)))),
             lambda L, x, a: x.tile(a)),
    "repeat_interleave": (lambda dr, s, nd, n, d: (dr(st.integers(0, 3)), dr(st.sampled_from([None, d]))),
                          lambda L, x, a: x.repeat_interleave(a[0], dim=a[1])),
    "repeat_interleave_t": (lambda dr, s, nd, n, d: (tuple(dr(st.integers(0, 2)) for _ in range(s[d] if nd else 1)), d),
                            lambda L, x, a: x.repeat_interleave(L.tensor(a[0], dtype=L.int64), dim=a[1])),
    "tril": (lambda dr, s, nd, n, d: dr(st.integers(-2, 2)), lambda L, x, a: x.tril(a)),
    "triu": (lambda dr, s, nd, n, d: dr(st.integers(-2, 2)), lambda L, x, a: x.triu(a)),
    "diagonal": (lambda dr, s, nd, n, d: (dr(st.integers(-2, 2)), d, dr(st.integers(-max(nd, 1), max(nd, 1) - 1))),
                 lambda L, x, a: x.diagonal(*a)),
    "diag": (lambda dr, s, nd, n, d: dr(st.integers(-2, 2)), lambda L, x, a: L.diag(x, a)),
    "diag_embed": (lambda dr, s, nd, n, d: dr(st.integers(-1, 1)), lambda L, x, a: L.diag_embed(x, a)),
    "narrow": (lambda dr, s, nd, n, d: (d, dr(st.integers(-2, 3)), dr(st.integers(0, 2))),
               lambda L, x, a: x.narrow(*a)),
    "select": (lambda dr, s, nd, n, d: (d, dr(st.integers(-3, 3))), lambda L, x, a: x.select(*a)),
    "contiguous": (lambda dr, s, nd, n, d: None, lambda L, x, a: x.contiguous()),
    "clone": (lambda dr, s, nd, n, d: None, lambda L, x, a: x.clone()),
    "mT": (lambda dr, s, nd, n, d: None, lambda L, x, a: x.mT),
    "t": (lambda dr, s, nd, n, d: None, lambda L, x, a: x.t()),
    "ravel": (lambda dr, s, nd, n, d: None, lambda L, x, a: x.ravel()),
    "atleast_2d": (lambda dr, s, nd, n, d: None, lambda L, x, a: L.atleast_2d(x)),
}


@FUZZ
@given(case=shape_op())
def test_shape_op(case):
    x, kind, args = case
    fn = SHAPE_OPS[kind][1]

    def run(L):
        t = build(L, x)
        return fn(L, t, args)
    check(run, repro=f"{kind}{args!r} on {x.code()}")


@FUZZ
@given(data=st.data())
def test_cat_stack(data):
    base = data.draw(specs(max_dims=3))
    nd = len(base.shape)
    d = data.draw(st.integers(-max(nd, 1), max(nd, 1) - 1))
    parts = [base]
    for _ in range(data.draw(st.integers(0, 2))):
        s = list(base.shape)
        if nd and data.draw(st.booleans()):
            s[d] = data.draw(st.integers(0, 3))
        if nd == 1 and data.draw(st.integers(0, 5)) == 0:
            s = [0]  # legacy: 1-d empty tensors are skipped by cat
        parts.append(data.draw(specs(shape=tuple(s))))
    op = data.draw(st.sampled_from(["cat", "stack", "hstack", "vstack", "dstack", "column_stack"]))

    def fn(L):
        ts = [build(L, p) for p in parts]
        if op == "cat":
            return L.cat(ts, d)
        if op == "stack":
            return L.stack(ts, d)
        return getattr(L, op)(ts)
    check(fn, check_stride="nontrivial")


# ---------------------------------------------------------------------------------------------
# (4) indexing
# ---------------------------------------------------------------------------------------------

@st.composite
def index_for(draw, shape, allow_adv=True):
    """A tuple index for ``shape``: ints, slices, None, Ellipsis, bool masks and int tensors."""
    items = []
    nd = len(shape)
    i = 0
    used_ellipsis = False
    while i < nd and draw(st.integers(0, 4)):
        size = shape[i]
        kinds = ["int", "slice", "slice", "none"]
        if not used_ellipsis:
            kinds.append("ellipsis")
        if allow_adv:
            kinds += ["ilist", "itensor", "mask"]
        k = draw(st.sampled_from(kinds))
        if k == "int":
            items.append(draw(st.integers(-size - 1, size)) if size else 0)
            i += 1
        elif k == "slice":
            items.append(slice(draw(st.one_of(st.none(), st.integers(-size - 1, size + 1))),
                               draw(st.one_of(st.none(), st.integers(-size - 1, size + 1))),
                               draw(st.sampled_from([None, 1, 2, 3]))))
            i += 1
        elif k == "none":
            items.append(None)
        elif k == "ellipsis":
            items.append(Ellipsis)
            used_ellipsis = True
            i = nd - draw(st.integers(0, nd - i))
        elif k in ("ilist", "itensor"):
            vals = draw(st.lists(st.integers(-size, max(size - 1, 0)) if size else st.just(0), max_size=3))
            items.append(("T", vals, draw(st.booleans())) if k == "itensor" else vals)
            i += 1
        else:
            m = draw(st.lists(st.booleans(), min_size=size, max_size=size))
            items.append(("M", m))
            i += 1
    if draw(st.integers(0, 5)) == 0 and len(items) == 1:
        return items[0]
    return tuple(items)


def _index(L, idx):
    def one(v):
        if isinstance(v, tuple) and v and v[0] == "T":
            t = L.tensor(v[1], dtype=L.int64)
            return t.reshape(1, -1) if v[2] and t.numel() else t
        if isinstance(v, tuple) and v and v[0] == "M":
            return L.tensor(v[1], dtype=L.bool)
        return v
    if isinstance(idx, tuple) and not (idx and idx[0] in ("T", "M")):
        return tuple(one(v) for v in idx)
    return one(idx)


@FUZZ
@given(data=st.data())
def test_getitem(data):
    x = data.draw(specs(max_dims=3))
    idx = data.draw(index_for(x.shape))
    check(lambda L: build(L, x)[_index(L, idx)], repro=f"{x.code()}[{idx!r}]", check_stride="nontrivial")


@FUZZ
@given(data=st.data())
def test_setitem(data):
    x = data.draw(specs(max_dims=3, layouts=["contig", "T", "step", "offset", "permute"]))
    idx = data.draw(index_for(x.shape))
    v = data.draw(st.one_of(any_python_scalar, specs(max_dims=1)))

    def fn(L):
        t = build(L, x)
        t[_index(L, idx)] = operand(L, v)
        return t
    check(fn, repro=f"{x.code()}[{idx!r}] = {v!r}", check_stride="nontrivial")


@st.composite
def index_op(draw):
    x = draw(specs(max_dims=3, min_dims=0))
    s, nd = x.shape, len(x.shape)
    d = draw(st.integers(-max(nd, 1), max(nd, 1) - 1))
    size = s[d] if nd else 1
    op = draw(st.sampled_from(sorted(INDEX_OPS)))
    idx = draw(st.lists(st.integers(-size - 1, size) if size else st.integers(-1, 1), max_size=4))
    src_dt = draw(st.sampled_from([x.dtype, x.dtype, "float32", "int64"]))
    return x, op, d, idx, src_dt, draw(st.sampled_from(["sum", "prod", "mean", "amax", "amin"])), draw(st.booleans())


def _src_like(L, t, dt):
    return (L.arange(max(t.numel(), 1)) % 7 - 2).to(getattr(L, dt))[: t.numel()].reshape(t.shape) if t.numel() else t.to(getattr(L, dt))


INDEX_OPS = {
    "index_select": lambda L, x, d, i, dt, r, f: x.index_select(d, L.tensor(i, dtype=L.int64)),
    "take": lambda L, x, d, i, dt, r, f: x.take(L.tensor(i, dtype=L.int64)),
    "gather": lambda L, x, d, i, dt, r, f: x.gather(d, L.tensor(i, dtype=L.int64).reshape(
        [len(i) if j == (d % max(x.dim(), 1)) else 1 for j in range(max(x.dim(), 1))]) if x.dim() else L.tensor(i, dtype=L.int64).reshape(len(i))[:1]),
    "scatter": lambda L, x, d, i, dt, r, f: x.clone().scatter_(d, _gidx(L, x, d, i), _src_like(L, _gidx(L, x, d, i), dt)),
    "scatter_value": lambda L, x, d, i, dt, r, f: x.clone().scatter_(d, _gidx(L, x, d, i), 5),
    "scatter_add": lambda L, x, d, i, dt, r, f: x.scatter_add(d, _gidx(L, x, d, i), _src_like(L, _gidx(L, x, d, i), dt)),
    "scatter_reduce": lambda L, x, d, i, dt, r, f: x.scatter_reduce(d, _gidx(L, x, d, i), _src_like(L, _gidx(L, x, d, i), dt), r, include_self=f),
    "index_add_": lambda L, x, d, i, dt, r, f: x.clone().index_add_(d, L.tensor(i, dtype=L.int64), _isrc(L, x, d, i, dt), alpha=2),
    "index_copy": lambda L, x, d, i, dt, r, f: x.index_copy(d, L.tensor(i, dtype=L.int64), _isrc(L, x, d, i, dt)),
    "index_fill": lambda L, x, d, i, dt, r, f: x.index_fill(d, L.tensor(i, dtype=L.int64), -1),
    "index_reduce": lambda L, x, d, i, dt, r, f: x.index_reduce(d, L.tensor(i, dtype=L.int64), _isrc(L, x, d, i, dt), r, include_self=f),
    "index_put": lambda L, x, d, i, dt, r, f: x.index_put((L.tensor(i, dtype=L.int64),), L.tensor(3, dtype=getattr(L, dt)), accumulate=f),
    "masked_fill": lambda L, x, d, i, dt, r, f: x.masked_fill(x != 0 if x.dtype != L.bool else x, 2 if dt == "int64" else 0.5),
    "masked_fill_t": lambda L, x, d, i, dt, r, f: x.masked_fill(_mask(L, x, i), L.tensor(-1, dtype=getattr(L, dt))),
    "masked_select": lambda L, x, d, i, dt, r, f: x.masked_select(_mask(L, x, i)),
    "masked_scatter": lambda L, x, d, i, dt, r, f: x.masked_scatter(_mask(L, x, i), _src_like(L, x, dt)),
    "nonzero": lambda L, x, d, i, dt, r, f: x.nonzero(as_tuple=f),
    "argwhere": lambda L, x, d, i, dt, r, f: L.argwhere(x),
    "put": lambda L, x, d, i, dt, r, f: x.put(L.tensor(i, dtype=L.int64), L.ones(len(i), dtype=getattr(L, dt)), accumulate=f),
}


def _gidx(L, x, d, i):
    nd = max(x.dim(), 1)
    shape = [1] * nd
    shape[d % nd] = len(i)
    return L.tensor(i, dtype=L.int64).reshape(shape) if x.dim() else L.tensor(i[:1], dtype=L.int64).reshape(())


def _isrc(L, x, d, i, dt):
    s = list(x.shape)
    if s:
        s[d % len(s)] = len(i)
    return _src_like(L, L.empty(s), dt)


def _mask(L, x, i):
    return (L.arange(max(x.shape[-1], 1) if x.dim() else 1) % 2 == 0)[: x.shape[-1] if x.dim() else 1] if not i else (x != x)


@FUZZ
@given(case=index_op())
def test_index_op(case):
    x, op, d, idx, dt, red, flag = case
    check(lambda L: INDEX_OPS[op](L, build(L, x), d, idx, dt, red, flag),
          repro=f"{op}(d={d}, idx={idx}, src={dt}, reduce={red}, flag={flag}) on {x.code()}", check_stride="nontrivial")


# ---------------------------------------------------------------------------------------------
# (5) sorting and counting
# ---------------------------------------------------------------------------------------------

SORTING = {
    "sort_stable": lambda L, x, d, f: x.sort(dim=d, descending=f, stable=True),
    "argsort_stable": lambda L, x, d, f: x.argsort(dim=d, descending=f, stable=True),
    "msort": lambda L, x, d, f: L.msort(x),
    "unique": lambda L, x, d, f: L.unique(x, return_inverse=True, return_counts=True),
    "unique_dim": lambda L, x, d, f: L.unique(x, dim=d, return_inverse=f, return_counts=True),
    "unique_consecutive": lambda L, x, d, f: L.unique_consecutive(x, return_inverse=True, return_counts=f),
    "unique_consecutive_dim": lambda L, x, d, f: L.unique_consecutive(x, dim=d, return_counts=True),
    "searchsorted": lambda L, x, d, f: L.searchsorted(x.flatten().sort().values, x, right=f),
    "searchsorted_s": lambda L, x, d, f: L.searchsorted(x.flatten().sort().values, 1, side="right" if f else "left"),
    "bucketize": lambda L, x, d, f: L.bucketize(x, L.tensor([-1.0, 0.0, 2.0]).to(x.dtype), right=f),
    "bincount": lambda L, x, d, f: L.bincount(x.flatten(), minlength=3),
    "bincount_w": lambda L, x, d, f: L.bincount(x.flatten().abs() % 5, weights=L.arange(x.numel()).float()) if x.dtype not in (L.bool,) and not x.is_floating_point() else L.bincount(x.flatten()),
    "histc": lambda L, x, d, f: L.histc(x, bins=4, min=-2, max=2),
    "histc_auto": lambda L, x, d, f: L.histc(x, bins=3),
    "topk_sorted": lambda L, x, d, f: x.topk(1, dim=d, largest=f).values,
    "isin": lambda L, x, d, f: L.isin(x, x.flatten()[:2], invert=f),
    "cummin_values": lambda L, x, d, f: L.cummin(x, d).values,
}


@pytest.mark.parametrize("op", sorted(SORTING))
@FEW
@given(data=st.data())
def test_sorting(op, data):
    x = data.draw(specs(DTYPES, max_dims=3))
    nd = len(x.shape)
    d = data.draw(st.integers(-max(nd, 1), max(nd, 1) - 1))
    f = data.draw(st.booleans())
    check(lambda L: SORTING[op](L, build(L, x), d, f), repro=f"{op}(d={d}, f={f}) on {x.code()}", check_stride="nontrivial")


# ---------------------------------------------------------------------------------------------
# printing
# ---------------------------------------------------------------------------------------------

@FUZZ
@given(x=specs(DTYPES, max_dims=3), rg=st.booleans())
def test_repr(x, rg):
    def fn(L):
        t = build(L, x)
        if rg and t.is_floating_point():
            t = t.detach().requires_grad_(True)
        # a bare slice key (torch's SliceBackward0 even when it keeps the whole dim; a tuple key
        # such as [..., :1] that keeps it gives AliasBackward0, which oxytorch does not mirror)
        return repr(t), str(t[:1]) if t.dim() else str(t)
    check(fn, repro=x.code())


@FUZZ
@given(dtype=st.sampled_from(DTYPES), shape=st.sampled_from([(1001,), (40, 30), (3, 400), (2, 3, 200), (7, 7, 7, 7)]),
       fill=st.sampled_from(["arange", "edge", "big", "tiny"]))
def test_repr_summarized(dtype, shape, fill):
    def fn(L):
        n = 1
        for v in shape:
            n *= v
        t = L.arange(n, dtype=L.float64)
        if fill == "edge":
            t = t.where(t % 5 != 1, math.nan).where(t % 7 != 2, math.inf).where(t % 11 != 3, -0.0)
        elif fill == "big":
            t = t * 1e7
        elif fill == "tiny":
            t = t * 1e-5
        t = t.reshape(shape)
        dt = getattr(L, dtype)
        if not (dt.is_floating_point or dt.is_complex):
            t = t.nan_to_num(0, 0, 0) % 100 - (50 if dtype != "uint8" and dtype != "bool" else 0)
        return repr(t.to(dt))
    check(fn)


@FUZZ
@given(dtype=st.sampled_from(["float16", "bfloat16", "float32", "float64", "complex64"]),
       vals=st.lists(st.one_of(st.floats(width=32), st.floats(-1e6, 1e6), st.floats(-1e-3, 1e-3),
                               st.integers(-10**6, 10**6).map(float)), min_size=1, max_size=12),
       shape2=st.booleans(), opts=st.sampled_from([None, "short", "full", "prec2", "sci", "nosci"]))
def test_repr_wide_values(dtype, vals, shape2, opts):
    """Printing of values across magnitudes (scientific notation switch, widths, rounding on
    conversion from Python floats), under the print options torch offers."""
    def fn(L):
        if opts == "short":
            L.set_printoptions(profile="short")
        elif opts == "full":
            L.set_printoptions(profile="full")
        elif opts == "prec2":
            L.set_printoptions(precision=2)
        elif opts == "sci":
            L.set_printoptions(sci_mode=True)
        elif opts == "nosci":
            L.set_printoptions(sci_mode=False)
        try:
            v = vals if dtype != "complex64" else [complex(a, b) for a, b in zip(vals, reversed(vals))]
            t = L.tensor(v, dtype=getattr(L, dtype))
            if shape2 and len(v) % 2 == 0:
                t = t.reshape(2, -1)
            return repr(t), str(t.abs() if dtype != "complex64" else t.real)
        finally:
            L.set_printoptions(profile="default")
    check(fn, repro=f"{dtype} {vals} {opts}")


@FUZZ
@given(a=specs(max_dims=1, edges=False), b=st.one_of(specs(max_dims=1, edges=False), any_python_scalar),
       d=st.sampled_from(DTYPES))
def test_promotion_api(a, b, d):
    """result_type / promote_types / can_cast agree with the binary ops' promotion."""
    def fn(L):
        x, y = build(L, a), operand(L, b)
        dt = getattr(L, d)
        return (L.result_type(x, y), L.promote_types(x.dtype, dt), L.can_cast(x.dtype, dt),
                L.result_type(y, x) if isinstance(b, Spec) else None)
    check(fn)
