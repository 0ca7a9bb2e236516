"""``torch.special``'s binary functions (zeta, gammainc/gammaincc) and orthogonal polynomials,
as float64 compositions of existing ops."""
import math

from . import _C
from ._views import broadcast_tensors as _bt
from .nn._f_loss import _sum_to

_HALF = {"torch.float16": "Half", "torch.bfloat16": "BFloat16"}
_CNAME = {"torch.complex64": "ComplexFloat", "torch.complex128": "ComplexDouble", "torch.int64": "Long",
          "torch.int32": "Int", "torch.int16": "Short", "torch.int8": "Char", "torch.uint8": "Byte",
          "torch.bool": "Bool"}


class _NoGrad:
    def __enter__(self):
        self.prev = _C._set_grad_enabled(False)

    def __exit__(self, *a):
        _C._set_grad_enabled(self.prev)


def _binary_prep(fname, kname, a, b, half_ok=False, int_ok=True):
    if not isinstance(a, _C.Tensor) and not isinstance(b, _C.Tensor):
        raise TypeError(f"{fname}() received an invalid combination of arguments - got ({type(a).__name__}, "
                        f"{type(b).__name__})")
    dt = _C.result_type(a, b)
    s = str(dt)
    if dt.is_complex:
        raise NotImplementedError(f"\"{kname}\" not implemented for '{_CNAME[s]}'")
    if not dt.is_floating_point:
        if not int_ok:
            raise NotImplementedError(f"\"{kname}\" not implemented for '{_CNAME[s]}'")
        dt = _C.get_default_dtype()
    elif s in _HALF and not half_ok:
        raise NotImplementedError(f"\"{kname}\" not implemented for '{_HALF[s]}'")

    def as64(v):
        if isinstance(v, _C.Tensor):
            return v.detach().to(_C.float64)
        return _C.tensor(float(v), dtype=_C.float64)

    with _NoGrad():
        a64, b64 = as64(a), as64(b)
        a64, b64 = _bt(a64, b64)
        a64, b64 = a64.contiguous(), b64.contiguous()
    return dt, a64, b64


def _deliver(r, out):
    if out is None:
        return r
    if tuple(out.shape) != tuple(r.shape):
        out.resize_(r.shape)
    out.copy_(r)
    return out


def _full(like, v):
    return _C.full_like(like, v)


def _w(c, a, b):
    return _C.where(c, a, b)


# ------------------------------------------------------------------------------ Hurwitz zeta
_B2K = [1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730, 7.0 / 6, -3617.0 / 510]


def _zeta64(x, q):
    n = 12
    s = _C.zeros_like(x)
    for k in range(n):
        s = s + _C.pow(q + k, -x)
    a = q + n
    s = s + _C.pow(a, 1 - x) / (x - 1) + _C.pow(a, -x) / 2
    t = x * _C.pow(a, -x - 1)
    fact = 2.0
    for j, b in enumerate(_B2K):
        s = s + b / fact * t
        m = 2 * j + 2
        t = t * (x + m - 1) * (x + m) / (a * a)
        fact *= (m + 1) * (m + 2)
    s = _w(x == 1, _full(s, math.inf), s)
    s = _w(x < 1, _full(s, math.nan), s)
    qint = q == _C.floor(q)
    s = _w((q <= 0) & qint, _full(s, math.inf), s)
    s = _w((q <= 0) & ~qint & (x != _C.floor(x)), _full(s, math.nan), s)
    return s


def zeta(input, other, *, out=None):
    dt, x, q = _binary_prep("special_zeta", "zeta_cpu", input, other)
    with _NoGrad():
        r = _zeta64(x, q).to(dt)
    if out is None and any(isinstance(v, _C.Tensor) and v.requires_grad for v in (input, other)) \
            and _C.is_grad_enabled():
        diff = [v for v in (input, other) if isinstance(v, _C.Tensor) and v.requires_grad]

        def bw(g):
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        _C._record_function("SpecialZetaBackward0", diff, [r], bw)
    return _deliver(r, out)


# ------------------------------------------------------------------------------ incomplete gamma
_ITERS = 300


def _igam64(a, x):
    """(P(a, x), Q(a, x)) regularised lower/upper incomplete gamma."""
    use_series = x < a + 1
    fin = a[_C.isfinite(a) & _C.isfinite(x)]
    amax = float(fin.max()) if fin.numel() else 0.0
    iters = int(min(40 + 12 * math.sqrt(max(amax, 0.0)), 20000))
    # series for P on x < a + 1
    xs = _w(use_series, x, _C.zeros_like(x))
    asr = _w(use_series, a, _C.ones_like(a))
    xs_pos = _C.clamp(xs, min=1e-300)
    term = _C.ones_like(xs)
    acc = term
    for k in range(1, iters):
        term = term * xs / (asr + k)
        acc = acc + term
    p_ser = _C.exp(asr * _C.log(xs_pos) - xs - _C.lgamma(asr + 1)) * acc
    # continued fraction for Q on x >= a + 1
    xc = _w(use_series, a + 1, x)
    ac = _C.clamp(a, min=1e-300)
    tiny = 1e-300
    b = xc + 1 - ac
    c = _full(b, 1 / tiny)
    d = 1 / b
    h = d
    for i in range(1, iters):
        an = -i * (i - ac)
        b = b + 2
        d = an * d + b
        d = _w(_C.abs(d) < tiny, _full(d, tiny), d)
        c = b + an / c
        c = _w(_C.abs(c) < tiny, _full(c, tiny), c)
        d = 1 / d
        h = h * d * c
    q_cf = _C.exp(ac * _C.log(xc) - xc - _C.lgamma(ac)) * h
    p = _w(use_series, p_ser, 1 - q_cf)
    q = _w(use_series, 1 - p_ser, q_cf)
    nan = _full(p, math.nan)
    # edge cases, following Cephes' igam/igamc
    zero_x = x == 0
    p = _w(zero_x, _C.zeros_like(p), p)
    q = _w(zero_x, _C.ones_like(q), q)
    inf_x = _C.isinf(x)
    p = _w(inf_x, _C.ones_like(p), p)
    q = _w(inf_x, _C.zeros_like(q), q)
    inf_a = _C.isinf(a)
    p = _w(inf_a, _w(inf_x, nan, _C.zeros_like(p)), p)
    q = _w(inf_a, _w(inf_x, nan, _C.ones_like(q)), q)
    zero_a = a == 0
    p = _w(zero_a, _w(x > 0, _C.ones_like(p), nan), p)
    q = _w(zero_a, _w(x > 0, _C.zeros_like(q), nan), q)
    bad = (x < 0) | (a < 0) | _C.isnan(x) | _C.isnan(a)
    return _w(bad, nan, p), _w(bad, nan, q)


def _gammainc_impl(input, other, upper, out):
    fname = "special_gammaincc" if upper else "special_gammainc"
    kname = "igammac_cpu" if upper else "igamma_cpu"
    dt, a, x = _binary_prep(fname, kname, input, other, half_ok=True, int_ok=False)
    with _NoGrad():
        p, q = _igam64(a, x)
        r = (q if upper else p).to(dt)
    if out is not None:
        return _deliver(r, out)
    ins = [v for v in (input, other) if isinstance(v, _C.Tensor) and v.requires_grad]
    if ins and _C.is_grad_enabled():
        sign = -1.0 if upper else 1.0
        name = "igammac" if upper else "igamma"

        def bw(g):
            grads = []
            if isinstance(input, _C.Tensor) and input.requires_grad:
                raise NotImplementedError(f"the derivative for '{name}: input' is not implemented.")
            with _NoGrad():
                d = sign * _C.exp((a - 1) * _C.log(x) - x - _C.lgamma(a))
                gx = (g.to(_C.float64) * d)
                gx = _sum_to(gx, other.shape).to(other.dtype)
            grads.append(gx)
            return tuple(grads)
        _C._record_function("IgammacBackward0" if upper else "IgammaBackward0", ins, [r], bw)
    return r



def gammainc(input, other, *, out=None):
    return _gammainc_impl(input, other, False, out)


def gammaincc(input, other, *, out=None):
    return _gammainc_impl(input, other, True, out)


# ------------------------------------------------------------------------------ orthogonal polynomials
def _poly(fname, x, n, out, kind, shift=False):
    dt, x, nf = _binary_prep(f"special_{fname}", f"{fname}_cpu", x, n)
    with _NoGrad():
        nn = _C.trunc(nf)
        if shift:
            x = 2 * x - 1
        r = _recurrence(kind, x, nn)
        r = _w(nn < 0, _C.zeros_like(r), r)
        r = r.to(dt)
    return _deliver(r, out)


def _recurrence(kind, x, n):
    # (p0, p1, step(k, p_{k-1}, p_k) -> p_{k+1})
    one = _C.ones_like(x)
    if kind == "t":
        p0, p1, step = one, x, lambda k, a, b: 2 * x * b - a
    elif kind == "u":
        p0, p1, step = one, 2 * x, lambda k, a, b: 2 * x * b - a
    elif kind == "v":
        p0, p1, step = one, 2 * x - 1, lambda k, a, b: 2 * x * b - a
    elif kind == "w":
        p0, p1, step = one, 2 * x + 1, lambda k, a, b: 2 * x * b - a
    elif kind == "h":
        p0, p1, step = one, 2 * x, lambda k, a, b: 2 * x * b - 2 * k * a
    elif kind == "he":
        p0, p1, step = one, x, lambda k, a, b: x * b - k * a
    elif kind == "l":
        p0, p1, step = one, 1 - x, lambda k, a, b: ((2 * k + 1 - x) * b - k * a) / (k + 1)
    else:  # legendre
        p0, p1, step = one, x, lambda k, a, b: ((2 * k + 1) * x * b - k * a) / (k + 1)
    r = _w(n == 0, p0, _C.zeros_like(x))
    r = _w(n == 1, p1, r)
    valid = n[~_C.isnan(n)] if n.numel() else n
    nmax = int(valid.max()) if valid.numel() else 0
    a, b = p0, p1
    for k in range(1, nmax):
        a, b = b, step(k, a, b)
        r = _w(n == k + 1, b, r)
    return r


def chebyshev_polynomial_t(input, n, *, out=None):
    return _poly("chebyshev_polynomial_t", input, n, out, "t")


def chebyshev_polynomial_u(input, n, *, out=None):
    return _poly("chebyshev_polynomial_u", input, n, out, "u")


def chebyshev_polynomial_v(input, n, *, out=None):
    return _poly("chebyshev_polynomial_v", input, n, out, "v")


def chebyshev_polynomial_w(input, n, *, out=None):
    return _poly("chebyshev_polynomial_w", input, n, out, "w")


def shifted_chebyshev_polynomial_t(input, n, *, out=None):
    return _poly("shifted_chebyshev_polynomial_t", input, n, out, "t", True)


def shifted_chebyshev_polynomial_u(input, n, *, out=None):
    return _poly("shifted_chebyshev_polynomial_u", input, n, out, "u", True)


def shifted_chebyshev_polynomial_v(input, n, *, out=None):
    return _poly("shifted_chebyshev_polynomial_v", input, n, out, "v", True)


def shifted_chebyshev_polynomial_w(input, n, *, out=None):
    return _poly("shifted_chebyshev_polynomial_w", input, n, out, "w", True)


def hermite_polynomial_h(input, n, *, out=None):
    return _poly("hermite_polynomial_h", input, n, out, "h")


def hermite_polynomial_he(input, n, *, out=None):
    return _poly("hermite_polynomial_he", input, n, out, "he")


def laguerre_polynomial_l(input, n, *, out=None):
    return _poly("laguerre_polynomial_l", input, n, out, "l")


def legendre_polynomial_p(input, n, *, out=None):
    return _poly("legendre_polynomial_p", input, n, out, "p")
