"""Elementwise math found missing by the ``dir(torch)`` sweep, composed from existing oxytorch ops:
heaviside, ldexp, frexp, gcd, lcm, nextafter, i0 (with their ``_`` forms and Tensor methods), addr
(+ addr_), Tensor.bernoulli / Tensor.multinomial, cholesky_solve and cholesky_inverse."""
import sys as _sys

from . import _C
from ._api_extra import _dtname, _deliver, _ctype, _check_tensor as _check

Tensor = _C.Tensor
_pkg = _sys.modules[__name__.rpartition(".")[0]]


def _is_float(dt):
    return dt.is_floating_point


def _is_int(dt):
    return not dt.is_floating_point and not dt.is_complex and dt != _pkg.bool


def _inplace(self, res, name):
    if not _pkg.can_cast(res.dtype, self.dtype):
        raise RuntimeError(f"result type {_dtname(res.dtype)} can't be cast to the desired output type {_dtname(self.dtype)}")
    if tuple(res.shape) != tuple(self.shape):
        raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast shape {list(res.shape)}")
    return self.copy_(res)


def _needs_grad(*ts):
    return _pkg.is_grad_enabled() and any(isinstance(t, Tensor) and t.requires_grad for t in ts)


_fn_cache = {}


def _fn(kind):
    """autograd.Function wrappers giving torch's derivatives for ops computed on detached data:
    heaviside (no derivative), nextafter (identity to input, zero to other), frexp (1 / 2**exponent)."""
    if kind in _fn_cache:
        return _fn_cache[kind]
    from .autograd import Function

    if kind == "heaviside":
        class HeavisideBackward(Function):
            @staticmethod
            def forward(ctx, input, values, res):
                return res.clone()

            @staticmethod
            def backward(ctx, g):
                raise RuntimeError("derivative for aten::heaviside is not implemented")
        fn = HeavisideBackward
    elif kind == "nextafter":
        class NextafterBackward(Function):
            @staticmethod
            def forward(ctx, input, other, res):
                ctx.shapes = (tuple(input.shape), tuple(other.shape))
                return res.clone()

            @staticmethod
            def backward(ctx, g):
                return g.sum_to_size(ctx.shapes[0]), _pkg.zeros(ctx.shapes[1], dtype=g.dtype), None
        fn = NextafterBackward
    else:
        class FrexpBackward(Function):
            @staticmethod
            def forward(ctx, input, mant, expo):
                ctx.save_for_backward(expo)
                return mant.clone()

            @staticmethod
            def backward(ctx, g):
                (expo,) = ctx.saved_tensors
                return g / _pkg.pow(2.0, expo.to(g.dtype)), None, None
        fn = FrexpBackward
    _fn_cache[kind] = fn
    return fn


# ---- heaviside --------------------------------------------------------------------------------
def heaviside(input, values, *, out=None):
    _check(input, "heaviside")
    _check(values, "heaviside", "values", 2)
    if input.dtype.is_complex or values.dtype.is_complex:
        raise NotImplementedError("heaviside is not yet implemented for complex tensors.")
    if input.dtype != values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    dt = input.dtype
    i, v = input.detach(), values.detach()
    if dt == _pkg.bool:
        res = i | (i.logical_not() & v)
        res = res.expand(_pkg.broadcast_shapes(i.shape, v.shape)).clone()
    else:
        zero = _pkg.zeros((), dtype=dt)
        one = _pkg.ones((), dtype=dt)
        res = _pkg.where(i == 0, v, _pkg.where(i > 0, one, zero))
    if out is not None and isinstance(out, Tensor) and out.dtype != dt:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    if out is None and _needs_grad(input, values):
        res = _fn("heaviside").apply(input, values, res)
    return _deliver(res, out, "heaviside", (input, values))


# ---- ldexp ------------------------------------------------------------------------------------
def ldexp(input, other, *, out=None):
    _check(input, "ldexp")
    _check(other, "ldexp", "other", 2)
    dt = _pkg.result_type(input, other)
    if not (dt.is_floating_point or dt.is_complex):
        dt = _pkg.get_default_dtype()
    res = input.to(dt) * _pkg.pow(2.0, other.to(dt))
    return _deliver(res, out, "ldexp", (input, other))


def _ldexp_(self, other):
    _check(other, "ldexp_", "other", 1)
    res = ldexp(self, other)
    if not _pkg.can_cast(res.dtype, self.dtype):
        raise RuntimeError(f"ldexp can't be cast to the desired output type {_dtname(self.dtype)}")
    return self.copy_(res)


# ---- frexp ------------------------------------------------------------------------------------
def _frexp_rt():
    from . import return_types
    if not hasattr(return_types, "frexp"):
        return_types._make("frexp", ("mantissa", "exponent"))
    return return_types.frexp


_FREXP = {"float32": ("int32", 23, 0xFF, 126, 25, 1.1754943508222875e-38),
          "float64": ("int64", 52, 0x7FF, 1022, 54, 2.2250738585072014e-308)}


def _frexp_bits(x):
    """frexp of a float32/float64 tensor from its bit pattern; subnormals are scaled up first."""
    idt, mb, em, bias, k, tiny = _FREXP[str(x.dtype).replace("torch.", "")]
    idt = getattr(_pkg, idt)
    sub = (x.abs() < tiny) & (x != 0)
    x2 = _pkg.where(sub, x * float(2 ** k), x)
    bits = x2.contiguous().view(idt)
    eb = (bits >> mb) & em
    special = (eb == em) | (x == 0)
    e = eb - bias - sub.to(idt) * k
    mant = ((bits & ~(em << mb)) | (bias << mb)).view(x.dtype)
    mant = _pkg.where(special, x, mant)
    expo = _pkg.where(special, _pkg.zeros((), dtype=idt), e).to(_pkg.int32)
    return mant, expo


def frexp(input, *, out=None):
    _check(input, "frexp")
    if not input.dtype.is_floating_point:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    x = input.detach()
    wide = x if x.dtype in (_pkg.float32, _pkg.float64) else x.to(_pkg.float32)
    mant, expo = _frexp_bits(wide)
    mant = mant.to(input.dtype)
    if not x.is_contiguous():  # the layout torch's elementwise kernels give a strided input
        layout = x * 1
        mant = _pkg.empty_like(layout).copy_(mant)
        expo = _pkg.empty_like(layout, dtype=_pkg.int32).copy_(expo)
    if out is None and _needs_grad(input):
        mant = _fn("frexp").apply(input, mant, expo)
    if out is not None:
        mo, eo = out
        if mo.dtype != input.dtype:
            raise RuntimeError(f"torch.frexp() expects mantissa to have dtype {_ctype(input.dtype)} but got {_ctype(mo.dtype)}")
        if eo.dtype != _pkg.int32:
            raise RuntimeError(f"torch.frexp() expects exponent to have int dtype but got {_ctype(eo.dtype)}")
        _deliver(mant, mo, "frexp", (input,))
        _deliver(expo, eo, "frexp", (input,))
        return _frexp_rt()((mo, eo))
    return _frexp_rt()((mant, expo))


# ---- gcd / lcm --------------------------------------------------------------------------------
def _int_pair(name, input, other):
    _check(input, name)
    _check(other, name, "other", 2)
    dt = _pkg.result_type(input, other)
    if not _is_int(dt):
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_dtname(dt)}'")
    shape = _pkg.broadcast_shapes(input.shape, other.shape)
    return input.detach().to(dt).expand(shape), other.detach().to(dt).expand(shape), dt


def _gcd_core(a, b):
    """Euclid on all elements at once, |a|, |b| as C++'s std::abs leaves them (the most negative
    value stays negative): (a, b) <- (b % a, a) while a != 0, iterating only on the pairs still
    running (gathered out every few rounds)."""
    shape = a.shape
    layout = a + b  # an elementwise result: the output layout torch's TensorIterator picks
    a = a.abs().reshape(-1)
    b = b.abs().reshape(-1).clone()
    one = _pkg.ones((), dtype=a.dtype)
    pos = None  # flat positions of the running pairs in b (None: all)
    while a.numel():
        nz = a != 0
        if not bool(nz.any()):
            break
        cur_b = b if pos is None else b[pos]
        r = _pkg.fmod(cur_b, _pkg.where(nz, a, one))
        new_a = _pkg.where(nz, r, a)
        new_b = _pkg.where(nz, a, cur_b)
        keep = new_a != 0
        if pos is None:
            b = new_b
            if int(keep.sum()) < keep.numel() // 2:
                pos = keep.nonzero().reshape(-1)
                a = new_a[pos]
            else:
                a = new_a
        else:
            b[pos] = new_b
            kidx = keep.nonzero().reshape(-1)
            pos = pos[kidx]
            a = new_a[kidx]
    return layout.copy_(b.reshape(shape))


def gcd(input, other, *, out=None):
    a, b, dt = _int_pair("gcd", input, other)
    return _deliver(_gcd_core(a, b), out, "gcd")


def lcm(input, other, *, out=None):
    a, b, dt = _int_pair("lcm", input, other)
    if dt in (_pkg.int8, _pkg.int16, _pkg.uint8):
        # C++ computes |a / g * b| in int for the narrow types, then narrows the result
        return _deliver(lcm(a.to(_pkg.int64), b.to(_pkg.int64)).to(dt), out, "lcm")
    g = _gcd_core(a, b)
    one = _pkg.ones((), dtype=dt)
    q = _pkg.div(a, _pkg.where(g == 0, one, g), rounding_mode="trunc")
    res = _pkg.where(g == 0, _pkg.zeros((), dtype=dt), (q * b).abs())
    return _deliver(res, out, "lcm")


# ---- nextafter --------------------------------------------------------------------------------
_BITS = {"float64": ("int64", 1), "float32": ("int32", 1), "float16": ("int16", 1), "bfloat16": ("int16", 1)}


def nextafter(input, other, *, out=None):
    _check(input, "nextafter")
    _check(other, "nextafter", "other", 2)
    dt = _pkg.result_type(input, other)
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"nextafter_cpu\" not implemented for '{_dtname(dt)}'")
    shape = _pkg.broadcast_shapes(input.shape, other.shape)
    x = input.detach().to(dt).expand(shape)
    y = other.detach().to(dt).expand(shape)
    if x.stride().count(0) if hasattr(x.stride(), "count") else 0:
        x = x.contiguous()
    idt = getattr(_pkg, _BITS[str(dt).replace("torch.", "")][0])
    bits = x.view(idt)
    one = _pkg.ones((), dtype=idt)
    up = (y > x) == (x > 0)
    stepped = _pkg.where(up, bits + one, bits - one).view(dt)
    tiny = _pkg.ones((), dtype=idt).view(dt)  # smallest positive subnormal
    at_zero = _pkg.where(y > 0, tiny, -tiny)
    res = _pkg.where(x == 0, at_zero, stepped)
    res = _pkg.where(x == y, y, res)
    res = _pkg.where((x != x) | (y != y), x + y, res)
    if out is None and _needs_grad(input, other):
        res = _fn("nextafter").apply(input, other, res)
    return _deliver(res, out, "nextafter", (input, other))


# ---- i0 ---------------------------------------------------------------------------------------
# Chebyshev coefficients (Cephes) for exp(-x) I0(x) on [0, 8] and exp(-x) sqrt(x) I0(x) on [8, inf).
_I0_A = (
    -4.41534164647933937950E-18, 3.33079451882223809783E-17, -2.43127984654795469359E-16,
    1.71539128555513303061E-15, -1.16853328779934516808E-14, 7.67618549860493561688E-14,
    -4.85644678311192946090E-13, 2.95505266312963983461E-12, -1.72682629144155570723E-11,
    9.67580903537323691224E-11, -5.18979560163526290666E-10, 2.65982372468238665035E-9,
    -1.30002500998624804212E-8, 6.04699502254191894932E-8, -2.67079385394061173391E-7,
    1.11738753912010371815E-6, -4.41673835845875056359E-6, 1.64484480707288970893E-5,
    -5.75419501008210370398E-5, 1.88502885095841655729E-4, -5.76375574538582365885E-4,
    1.63947561694133579842E-3, -4.32430999505057594430E-3, 1.05464603945949983183E-2,
    -2.37374148058994688156E-2, 4.93052842396707084878E-2, -9.49010970480476444210E-2,
    1.71620901522208775349E-1, -3.04682672343198398683E-1, 6.76795274409476084995E-1)
_I0_B = (
    -7.23318048787475395456E-18, -4.83050448594418207126E-18, 4.46562142029675999901E-17,
    3.46122286769746109310E-17, -2.82762398051658348494E-16, -3.42548561967721913462E-16,
    1.77256013305652638360E-15, 3.81168066935262242075E-15, -9.55484669882830764870E-15,
    -4.15056934728722208663E-14, 1.54008621752140982691E-14, 3.85277838274214270114E-13,
    7.18012445138366623367E-13, -1.79417853150680611778E-12, -1.32158118404477131188E-11,
    -3.14991652796324136454E-11, 1.18891471078464383424E-11, 4.94060238822496958910E-10,
    3.39623202570838634515E-9, 2.26666899049817806459E-8, 2.04891858946906374183E-7,
    2.89137052083475648297E-6, 6.88975834691682398426E-5, 3.36911647825569408990E-3,
    8.04490411014108831608E-1)


def _chbevl(t, coeffs):
    b0 = _pkg.full(t.shape, coeffs[0], dtype=t.dtype)
    b1 = _pkg.zeros_like(b0)
    b2 = b1
    for c in coeffs[1:]:
        b2 = b1
        b1 = b0
        b0 = t * b1 - b2 + c
    return 0.5 * (b0 - b2)


def _i0_compute(x):
    """I0 of a float32/float64 tensor, differentiable through the Chebyshev composition."""
    a = x.abs()
    small = a <= 8
    a_lo = _pkg.where(small, a, _pkg.zeros((), dtype=a.dtype))
    a_hi = _pkg.where(small, _pkg.full((), 16.0, dtype=a.dtype), a)
    lo = _chbevl(a_lo / 2 - 2, _I0_A) * a_lo.exp()
    hi = _chbevl(32 / a_hi - 2, _I0_B) * a_hi.exp() / a_hi.sqrt()
    return _pkg.where(small, lo, hi)


def i0(input, *, out=None):
    _check(input, "i0")
    dt = input.dtype
    if dt.is_complex:
        raise NotImplementedError(f"\"i0_vml_cpu\" not implemented for '{_dtname(dt)}'")
    if not dt.is_floating_point:
        dt = _pkg.get_default_dtype()
    cdt = dt if dt in (_pkg.float32, _pkg.float64) else _pkg.float32
    res = _i0_compute(input.to(cdt)).to(dt)
    return _deliver(res, out, "i0", (input,))


# ---- addr ---------------------------------------------------------------------------------------
def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    _check(input, "addr")
    _check(vec1, "addr", "vec1", 2)
    _check(vec2, "addr", "vec2", 3)
    if vec1.dim() != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1, but got {vec1.dim()}-D")
    if vec2.dim() != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec2, but got {vec2.dim()}-D")
    dt = _pkg.result_type(input, _pkg.empty((1,), dtype=_pkg.promote_types(vec1.dtype, vec2.dtype)))
    if dt != _pkg.bool:
        if isinstance(beta, bool):
            raise RuntimeError("Boolean beta only supported for Boolean results.")
        if isinstance(alpha, bool):
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if not (dt.is_floating_point or dt.is_complex):
        if isinstance(beta, (float, complex)) and not isinstance(beta, bool):
            raise RuntimeError("For integral input tensors, argument beta must not be a floating point number.")
        if isinstance(alpha, (float, complex)) and not isinstance(alpha, bool):
            raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    oshape = (vec1.shape[0], vec2.shape[0])
    inp = input.expand(oshape)
    if dt == _pkg.bool:
        outer = (vec1.unsqueeze(1) & vec2.unsqueeze(0)) if alpha else _pkg.zeros(oshape, dtype=_pkg.bool)
        res = (inp | outer) if beta else outer.clone()
        return _deliver(res, out, "addr", (input, vec1, vec2))
    outer = vec1.to(dt).unsqueeze(1) * vec2.to(dt).unsqueeze(0)
    if alpha != 1:
        outer = outer * alpha
    if beta == 0:
        res = outer
    else:
        res = (inp.to(dt) if beta == 1 else inp.to(dt) * beta) + outer
    return _deliver(res, out, "addr", (input, vec1, vec2))


def _addr_(self, vec1, vec2, *, beta=1, alpha=1):
    return _inplace(self, addr(self, vec1, vec2, beta=beta, alpha=alpha), "addr_")


# ---- random method forms ------------------------------------------------------------------------
def _bernoulli_method(self, p=None, *, generator=None):
    if p is None:
        return _pkg.bernoulli(self, generator=generator)
    return _pkg.bernoulli(self, p, generator=generator)


def _multinomial_method(self, num_samples, replacement=False, *, generator=None):
    return _pkg.multinomial(self, num_samples, replacement, generator=generator)


# ---- cholesky_solve / cholesky_inverse ----------------------------------------------------------
def cholesky_solve(input, input2, upper=False, *, out=None):
    _check(input, "cholesky_solve")
    _check(input2, "cholesky_solve", "input2", 2)
    b, A = input, input2
    if b.dim() < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {b.dim()} dimensions instead")
    if A.dim() < 2:
        raise RuntimeError(f"u should have at least 2 dimensions, but has {A.dim()} dimensions instead")
    if b.dtype != A.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type {_dtname(b.dtype)} "
                           f"and A of type {_dtname(A.dtype)} instead.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"A must be batches of square matrices, but they are {A.shape[-2]} by {A.shape[-1]} matrices")
    if A.shape[-1] != b.shape[-2]:
        raise RuntimeError(f"Incompatible matrix sizes for cholesky_solve: each A matrix is {A.shape[-1]} by "
                           f"{A.shape[-1]} but each b matrix is {b.shape[-2]} by {b.shape[-1]}")
    bshape = _pkg.broadcast_shapes(b.shape[:-2], A.shape[:-2])
    b = b.expand(tuple(bshape) + tuple(b.shape[-2:]))
    A = A.expand(tuple(bshape) + tuple(A.shape[-2:]))
    st = _pkg.linalg.solve_triangular
    if upper:
        y = st(A.mH, b, upper=False)
        res = st(A, y, upper=True)
    else:
        y = st(A, b, upper=False)
        res = st(A.mH, y, upper=True)
    if res.numel() == 0 and res.dim() >= 2:
        res = _pkg.empty(res.shape, dtype=res.dtype).mT.contiguous().mT if res.shape[-1] else res
        if res.shape[-2] == 0 and res.shape[-1] == 0:
            res = _pkg.empty(res.shape, dtype=res.dtype)
    return _deliver(res, out, "cholesky_solve", (input, input2))


def cholesky_inverse(input, upper=False, *, out=None):
    _check(input, "cholesky_inverse")
    if input.dim() < 2:
        raise RuntimeError("cholesky_inverse: The input tensor A must have at least 2 dimensions.")
    if input.shape[-1] != input.shape[-2]:
        raise RuntimeError(f"cholesky_inverse: A must be batches of square matrices, but they are "
                           f"{input.shape[-2]} by {input.shape[-1]} matrices")
    n = input.shape[-1]
    eye = _pkg.eye(n, dtype=input.dtype).expand(tuple(input.shape))
    return _deliver(cholesky_solve(eye, input, upper), out, "cholesky_inverse", (input,))


def _install():
    g = globals()
    for name in ("heaviside", "ldexp", "frexp", "gcd", "lcm", "nextafter", "i0", "addr", "cholesky_solve",
                 "cholesky_inverse"):
        if not hasattr(_pkg, name):
            setattr(_pkg, name, g[name])
    meths = {
        "heaviside": lambda self, values: heaviside(self, values),
        "heaviside_": lambda self, values: _inplace(self, heaviside(self, values), "heaviside_"),
        "ldexp": lambda self, other: ldexp(self, other), "ldexp_": _ldexp_,
        "frexp": lambda self: frexp(self),
        "gcd": lambda self, other: gcd(self, other),
        "gcd_": lambda self, other: _inplace(self, gcd(self, other), "gcd_"),
        "lcm": lambda self, other: lcm(self, other),
        "lcm_": lambda self, other: _inplace(self, lcm(self, other), "lcm_"),
        "nextafter": lambda self, other: nextafter(self, other),
        "nextafter_": lambda self, other: _inplace(self, nextafter(self, other), "nextafter_"),
        "i0": lambda self: i0(self), "i0_": lambda self: _inplace(self, i0(self), "i0_"),
        "addr": lambda self, vec1, vec2, *, beta=1, alpha=1: addr(self, vec1, vec2, beta=beta, alpha=alpha),
        "addr_": _addr_,
        "bernoulli": _bernoulli_method, "multinomial": _multinomial_method,
        "cholesky_solve": lambda self, input2, upper=False: cholesky_solve(self, input2, upper),
        "cholesky_inverse": lambda self, upper=False: cholesky_inverse(self, upper),
    }
    for name, fn in meths.items():
        if not hasattr(Tensor, name):
            fn.__name__ = name
            setattr(Tensor, name, fn)
    for name in ("gcd_", "lcm_", "i0_", "ldexp_"):
        if not hasattr(_pkg, name) and hasattr(Tensor, name):
            setattr(_pkg, name, (lambda n: lambda input, *a, **k: getattr(input, n)(*a, **k))(name))


_install()
