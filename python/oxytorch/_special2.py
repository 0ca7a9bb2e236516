"""More of ``torch.special``: pure-Python compositions of existing ops.

The forward values are computed in float64 (power series, asymptotic expansions, trapezoidal
quadrature of integral representations) and rounded to the result dtype; gradients are recorded
with torch's formulas as a single node named like torch's."""
import math

from . import _C

_SQRT1_2 = math.sqrt(0.5)
_SQRT_2PI = math.sqrt(2 * math.pi)
_EULER = 0.5772156649015329
_HALF = {"torch.float16": "Half", "torch.bfloat16": "BFloat16"}
_CNAME = {"torch.complex64": "ComplexFloat", "torch.complex128": "ComplexDouble", "torch.complex32": "ComplexHalf",
          "torch.bool": "Bool"}


class _NoGrad:
    def __enter__(self):
        self.prev = _C._set_grad_enabled(False)

    def __exit__(self, *a):
        _C._set_grad_enabled(self.prev)


def _check_tensor(fname, x, argname="input", pos=1):
    if not isinstance(x, _C.Tensor):
        raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _result_dtype(kname, dt, half_ok):
    s = str(dt)
    if dt.is_complex:
        raise NotImplementedError(f"\"{kname}\" not implemented for '{_CNAME[s]}'")
    if dt.is_floating_point:
        if s in _HALF and not half_ok:
            raise NotImplementedError(f"\"{kname}\" not implemented for '{_HALF[s]}'")
        return dt
    return _C.get_default_dtype()


def _deliver(r, out):
    if out is None:
        return r
    if tuple(out.shape) != tuple(r.shape):
        out.resize_(r.shape)
    out.copy_(r)
    return out


def _unary(fname, kname, x, f64, grad=None, node=None, half_ok=True, out=None):
    """``f64(x64)`` in float64 rounded to the result dtype; ``grad(x64, r64)`` is d result/d x."""
    _check_tensor(fname, x)
    dt = _result_dtype(kname, x.dtype, half_ok)
    with _NoGrad():
        x64 = x.detach().to(_C.float64)
        r64 = f64(x64)
        r = r64.to(dt)
    if out is not None:
        return _deliver(r, out)
    if grad is not None and x.requires_grad and _C.is_grad_enabled():
        def bw(g):
            with _NoGrad():
                return ((g.to(_C.float64) * grad(x64, r64)).to(g.dtype),)
        _C._record_function(node, [x], [r], bw)
    return r


def _w(cond, a, b):
    return _C.where(cond, a, b)


# ------------------------------------------------------------------------------ aliases
def expit(input, *, out=None):
    return _C.sigmoid(input, out=out) if out is not None else _C.sigmoid(input)


def _alias(fn):
    def f(input, *, out=None):
        return fn(input, out=out) if out is not None else fn(input)
    f.__name__ = fn.__name__
    return f


erf = _alias(_C.erf)
erfc = _alias(_C.erfc)
erfinv = _alias(_C.erfinv)
exp2 = _alias(_C.exp2)
expm1 = _alias(_C.expm1)
log1p = _alias(_C.log1p)


def logit(input, eps=None, *, out=None):
    r = _C.logit(input, eps)
    return _deliver(r, out)


def round(input, *, decimals=0, out=None):
    r = _C.round(input, decimals=decimals) if decimals else _C.round(input)
    return _deliver(r, out)


def softmax(input, dim, *, dtype=None):
    return _C.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    return _C.log_softmax(input, dim, dtype=dtype)


def multigammaln(input, p, *, out=None):
    _check_tensor("special_multigammaln", input)
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if not input.dtype.is_floating_point:
        input = input.to(_C.get_default_dtype())
    r = _C.lgamma(input) + p * (p - 1) / 4 * math.log(math.pi)
    for j in range(1, p):
        r = r + _C.lgamma(input - j / 2)
    return _deliver(r, out)


# ------------------------------------------------------------------------------ normal distribution
def _ndtr64(x):
    return 0.5 * _C.erfc(-x * _SQRT1_2)


def _log_ndtr64(x):
    lo = _C.clamp(x, max=-1.0)
    hi = _C.clamp(x, min=-1.0)
    a = _C.log(_C._special_erfcx(-lo * _SQRT1_2) / 2) - lo * lo / 2
    b = _C.log1p(-_C.erfc(hi * _SQRT1_2) / 2)
    return _w(x < -1, a, b)


def _ndtri64(p):
    # initial guess in the lower half (Abramowitz-Stegun 26.2.23), then Halley steps on ndtr(x) = q
    upper = p > 0.5
    q = _w(upper, 1 - p, p)
    qs = _C.clamp(q, min=1e-300, max=0.5)
    t = _C.sqrt(-2 * _C.log(qs))
    x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t ** 3))
    for _ in range(4):
        e = _ndtr64(x) - qs
        u = e * _SQRT_2PI * _C.exp(_C.clamp(x * x / 2, max=700.0))
        u = _w(e == 0, _C.zeros_like(u), u)
        x = x - u / (1 + x * u / 2)
    x = _w(upper, -x, x)
    x = _w(p == 0.5, _C.zeros_like(x), x)
    x = _w(p == 0, _C.full_like(x, -math.inf), x)
    x = _w(p == 1, _C.full_like(x, math.inf), x)
    x = _w((p < 0) | (p > 1) | _C.isnan(p), _C.full_like(x, math.nan), x)
    return x


def ndtr(input, *, out=None):
    _check_tensor("special_ndtr", input)
    x = input
    if not x.dtype.is_floating_point:
        _result_dtype("ndtr", x.dtype, True)
        x = x.to(_C.get_default_dtype())
    r = (1 + _C.erf(x * _SQRT1_2)) * 0.5  # torch's formula, in the input's dtype
    return _deliver(r, out)


def log_ndtr(input, *, out=None):
    return _unary("special_log_ndtr", "log_ndtr_cpu", input, _log_ndtr64,
                  lambda x, r: _C.exp(-(r + x * x / 2)) / _SQRT_2PI, "SpecialLogNdtrBackward0", False, out)


def ndtri(input, *, out=None):
    return _unary("special_ndtri", "ndtri_cpu", input, _ndtri64,
                  lambda x, r: _SQRT_2PI * _C.exp(r * r / 2), "SpecialNdtriBackward0", False, out)


def _entr64(x):
    r = -x * _C.log(_C.clamp(x, min=1e-320))
    r = _w(x == 0, _C.zeros_like(r), r)
    r = _w(x < 0, _C.full_like(r, -math.inf), r)
    return _w(_C.isnan(x), x, r)


def entr(input, *, out=None):
    return _unary("special_entr", "entr", input, _entr64, lambda x, r: -(1 + _C.log(x)),
                  "SpecialEntrBackward0", out=out)


# ------------------------------------------------------------------------------ modified Bessel I
_SMALL = 30.0


def _ive64(nu, ax):
    """exp(-ax) * I_nu(ax) for ax >= 0 (nu = 0 or 1)."""
    s = _C.clamp(ax, max=_SMALL)
    h = s * s / 4
    term = (s / 2) if nu else _C.ones_like(s)
    acc = term
    for k in range(1, 90):
        term = term * h / (k * (k + nu))
        acc = acc + term
    small = acc * _C.exp(-s)
    big_x = _C.clamp(ax, min=_SMALL)
    mu = 4.0 * nu * nu
    c = 1.0
    asym = _C.ones_like(big_x)
    inv = 1.0 / big_x
    p = _C.ones_like(big_x)
    for k in range(1, 30):
        c = c * -(mu - (2 * k - 1) ** 2) / (k * 8)
        p = p * inv
        asym = asym + c * p
    big = asym / _C.sqrt(2 * math.pi * big_x)
    return _w(ax <= _SMALL, small, big)


def _i0e64(x):
    return _ive64(0, _C.abs(x))


def _i1e64(x):
    return _C.sign(x) * _ive64(1, _C.abs(x))


def _i064(x):
    return _i0e64(x) * _C.exp(_C.abs(x))


def _i164(x):
    return _i1e64(x) * _C.exp(_C.abs(x))


def _i1_grad(x, r):
    return _w(x == 0, _C.full_like(x, 0.5), _i064(x) - r / x)


def _i1e_grad(x, r):
    return _w(x == 0, _C.full_like(x, 0.5), _i0e64(x) - r * (_C.sign(x) + 1 / x))


def i0(input, *, out=None):
    return _unary("special_i0", "i0_vml_cpu", input, _i064, lambda x, r: _i164(x), "I0Backward0", out=out)


def i0e(input, *, out=None):
    return _unary("special_i0e", "i0e_vml_cpu", input, _i0e64, lambda x, r: _i1e64(x) - _C.sign(x) * r,
                  "SpecialI0EBackward0", out=out)


def i1(input, *, out=None):
    return _unary("special_i1", "i1_vml_cpu", input, _i164, _i1_grad, "SpecialI1Backward0", out=out)


def i1e(input, *, out=None):
    return _unary("special_i1e", "i1e_vml_cpu", input, _i1e64, _i1e_grad, "SpecialI1EBackward0", out=out)


def modified_bessel_i0(input, *, out=None):
    return _unary("special_modified_bessel_i0", "modified_bessel_i0_cpu", input, _i064, half_ok=False, out=out)


def modified_bessel_i1(input, *, out=None):
    return _unary("special_modified_bessel_i1", "modified_bessel_i1_cpu", input, _i164, half_ok=False, out=out)


# ------------------------------------------------------------------------------ modified Bessel K
def _kve64(nu, x):
    """exp(x) * K_nu(x), x > 0: series for x <= 2, trapezoidal quadrature of
    int_0^inf exp(-x (cosh t - 1)) cosh(nu t) dt above."""
    s = _C.clamp(x, min=1e-300, max=2.0)
    h = s * s / 4
    lg = _C.log(s / 2)
    if nu == 0:
        term = _C.ones_like(s)
        acc_i = term
        acc_h = _C.zeros_like(s)
        hk = 0.0
        for k in range(1, 40):
            term = term * h / (k * k)
            hk += 1.0 / k
            acc_i = acc_i + term
            acc_h = acc_h + term * hk
        small = -(lg + _EULER) * acc_i + acc_h
    else:
        term = s / 2
        acc_i = term
        psi_sum = 1.0 - 2 * _EULER  # psi(1) + psi(2)
        acc = term * psi_sum
        for k in range(1, 40):
            term = term * h / (k * (k + 1))
            psi_sum += 1.0 / k + 1.0 / (k + 1)
            acc_i = acc_i + term
            acc = acc + term * psi_sum
        small = 1 / s + lg * acc_i - acc / 2
    small = small * _C.exp(s)
    b = _C.clamp(x, min=2.0)
    b = _w(_C.isinf(b), _C.full_like(b, 2.0), b)
    hstep = 0.1 * _C.sqrt(2.0 / b)
    acc = 0.5 * _C.ones_like(b)
    for k in range(1, 72):
        t = k * hstep
        sh = _C.sinh(t / 2)
        term = _C.exp(-2 * b * sh * sh)
        if nu:
            term = term * _C.cosh(t)
        acc = acc + term
    big = acc * hstep
    big = _w(_C.isinf(x), _C.zeros_like(big), big)
    r = _w(x <= 2.0, small, big)
    r = _w(x == 0, _C.full_like(r, math.inf), r)
    return _w(x < 0, _C.full_like(r, math.nan), r)


def modified_bessel_k0(input, *, out=None):
    return _unary("special_modified_bessel_k0", "modified_bessel_k0_cpu", input,
                  lambda x: _kve64(0, x) * _C.exp(-x), half_ok=False, out=out)


def modified_bessel_k1(input, *, out=None):
    return _unary("special_modified_bessel_k1", "modified_bessel_k1_cpu", input,
                  lambda x: _kve64(1, x) * _C.exp(-x), half_ok=False, out=out)


def scaled_modified_bessel_k0(input, *, out=None):
    return _unary("special_scaled_modified_bessel_k0", "scaled_modified_bessel_k0_cpu", input,
                  lambda x: _kve64(0, x), half_ok=False, out=out)


def scaled_modified_bessel_k1(input, *, out=None):
    return _unary("special_scaled_modified_bessel_k1", "scaled_modified_bessel_k1_cpu", input,
                  lambda x: _kve64(1, x), half_ok=False, out=out)


def _sj064(x):
    small = _C.clamp(x, min=-0.5, max=0.5)
    x2 = small * small
    ser = 1 - x2 / 6 * (1 - x2 / 20 * (1 - x2 / 42 * (1 - x2 / 72 * (1 - x2 / 110 * (1 - x2 / 156)))))
    safe = _w(_C.abs(x) < 0.5, _C.ones_like(x), x)
    r = _w(_C.abs(x) < 0.5, ser, _C.sin(safe) / safe)
    return _w(_C.isinf(x), _C.zeros_like(x), r)


def spherical_bessel_j0(input, *, out=None):
    return _unary("special_spherical_bessel_j0", "spherical_bessel_j0_cpu", input, _sj064, half_ok=False, out=out)


from ._special3 import *  # noqa: F401,F403,E402
from ._special4 import *  # noqa: F401,F403,E402
