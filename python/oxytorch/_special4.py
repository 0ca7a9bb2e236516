"""``torch.special`` Bessel functions of the first and second kind (J0, J1, Y0, Y1) and airy_ai, as
float64 compositions: power series for small arguments, quadrature of integral representations
in the middle range, and Hankel / Airy asymptotic expansions for large arguments."""
import math

from . import _C

_EULER = 0.5772156649015329


def _gauss_legendre(n):
    """Nodes and weights of n-point Gauss-Legendre quadrature on [-1, 1] (Newton on P_n)."""
    xs, ws = [], []
    for i in range(1, n + 1):
        x = math.cos(math.pi * (i - 0.25) / (n + 0.5))
        for _ in range(100):
            p0, p1 = 1.0, x
            for k in range(2, n + 1):
                p0, p1 = p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
            dp = n * (x * p1 - p0) / (x * x - 1)
            dx = p1 / dp
            x -= dx
            if abs(dx) < 1e-16:
                break
        xs.append(x)
        ws.append(2 / ((1 - x * x) * dp * dp))
    return xs, ws


_GL = _gauss_legendre(64)


def _w(c, a, b):
    return _C.where(c, a, b)


def _hankel(n, x):
    """sqrt(2/(pi x)) * (P, Q) pieces: returns (J_n, Y_n) for large x > 0."""
    mu = 4.0 * n * n
    p = _C.ones_like(x)
    q = _C.zeros_like(x)
    inv = 1.0 / x
    term_c = 1.0
    powx = _C.ones_like(x)
    for k in range(1, 40):
        term_c = term_c * (mu - (2 * k - 1) ** 2) / (k * 8)
        powx = powx * inv
        t = term_c * powx
        sign = -1.0 if (k // 2) % 2 else 1.0
        if k % 2:
            q = q + sign * t
        else:
            p = p + sign * t
    chi = x - (n / 2 + 0.25) * math.pi
    amp = _C.sqrt(2.0 / (math.pi * x))
    c, s = _C.cos(chi), _C.sin(chi)
    return amp * (p * c - q * s), amp * (p * s + q * c)


def _j_trap(n, x):
    """J_n(x) = 1/(2 pi) int_0^{2 pi} cos(n t - x sin t) dt by the (spectrally accurate) trapezoid rule."""
    m = 96
    acc = _C.zeros_like(x)
    for k in range(m):
        t = 2 * math.pi * k / m
        acc = acc + _C.cos(n * t - x * math.sin(t))
    return acc / m


def _y_series(n, x):
    h = x * x / 4
    lg = _C.log(x / 2)
    if n == 0:
        term = _C.ones_like(x)
        acc_j, acc = term, _C.zeros_like(x)
        hk = 0.0
        for k in range(1, 40):
            term = -term * h / (k * k)
            hk += 1.0 / k
            acc_j = acc_j + term
            acc = acc + term * hk
        return (2 / math.pi) * ((lg + _EULER) * acc_j - acc)
    term = x / 2
    acc_j = term
    ps = 1.0 - 2 * _EULER
    acc = term * ps
    for k in range(1, 40):
        term = -term * h / (k * (k + 1))
        ps += 1.0 / k + 1.0 / (k + 1)
        acc_j = acc_j + term
        acc = acc + term * ps
    return -2 / (math.pi * x) + (2 / math.pi) * lg * acc_j - acc / math.pi


def _y_quad(n, x):
    """Y_n(x) = 1/pi int_0^pi sin(x sin t - n t) dt - 1/pi int_0^inf (e^{nt} + (-1)^n e^{-nt}) e^{-x sinh t} dt."""
    xs, ws = _GL
    a = _C.zeros_like(x)
    for u, wt in zip(xs, ws):
        t = (u + 1) * math.pi / 2
        a = a + (wt * math.pi / 2) * _C.sin(x * math.sin(t) - n * t)
    tmax = 4.0
    b = _C.zeros_like(x)
    for u, wt in zip(xs, ws):
        t = (u + 1) * tmax / 2
        f = math.exp(n * t) + (-1) ** n * math.exp(-n * t)
        b = b + (wt * tmax / 2 * f) * _C.exp(-x * math.sinh(t))
    return (a - b) / math.pi


_LO, _HI = 8.0, 25.0


def _bessel_j64(n, x):
    ax = _C.abs(x)
    small = _j_trap(n, _C.clamp(ax, max=_HI))
    big = _hankel(n, _C.clamp(ax, min=_HI))[0]
    r = _w(ax <= _HI, small, big)
    tiny = _C.clamp(ax, max=1.0)
    h = tiny * tiny / 4
    term = tiny / 2 if n else _C.ones_like(tiny)
    ser = term
    for k in range(1, 12):
        term = -term * h / (k * (k + n))
        ser = ser + term
    r = _w(ax <= 1.0, ser, r)
    r = _w(_C.isinf(ax), _C.full_like(r, math.nan), r)
    if n == 1:
        r = _C.sign(x) * r
    return r


def _bessel_y64(n, x):
    s = _C.clamp(x, min=1e-300, max=_LO)
    m = _C.clamp(x, min=_LO, max=_HI)
    b = _C.clamp(x, min=_HI)
    r = _w(x <= _LO, _y_series(n, s), _w(x <= _HI, _y_quad(n, m), _hankel(n, b)[1]))
    r = _w(_C.isinf(x), _C.full_like(r, math.nan), r)
    r = _w(x == 0, _C.full_like(r, -math.inf), r)
    return _w(x < 0, _C.full_like(r, math.nan), r)


def _un(fname, fn, input, out):
    from ._special2 import _unary
    return _unary(f"special_{fname}", f"{fname}_cpu", input, fn, half_ok=False, out=out)


def bessel_j0(input, *, out=None):
    return _un("bessel_j0", lambda x: _bessel_j64(0, x), input, out)


def bessel_j1(input, *, out=None):
    return _un("bessel_j1", lambda x: _bessel_j64(1, x), input, out)


def bessel_y0(input, *, out=None):
    return _un("bessel_y0", lambda x: _bessel_y64(0, x), input, out)


def bessel_y1(input, *, out=None):
    return _un("bessel_y1", lambda x: _bessel_y64(1, x), input, out)


_AI0 = 0.355028053887817239  # Ai(0)
_AIP0 = 0.258819403792806798  # -Ai'(0)


def _airy_series(x):
    x3 = x * x * x
    a = _C.ones_like(x)
    b = x.clone()
    f, g = a, b
    for k in range(1, 70):
        a = a * x3 / ((3 * k - 1) * (3 * k))
        b = b * x3 / ((3 * k) * (3 * k + 1))
        f = f + a
        g = g + b
    return _AI0 * f - _AIP0 * g


def _airy_pos(x):
    z = 2.0 / 3.0 * x * _C.sqrt(x)
    h = 0.1 * _C.sqrt(2.0 / _C.clamp(z, min=2.0))
    acc = 0.5 * _C.ones_like(z)
    for k in range(1, 72):
        t = k * h
        sh = _C.sinh(t / 2)
        acc = acc + _C.exp(-2 * z * sh * sh) * _C.cosh(t / 3)
    k13 = acc * h * _C.exp(-z)
    return _C.sqrt(x / 3) * k13 / math.pi


def _airy_neg(x):
    y = -x
    z = 2.0 / 3.0 * y * _C.sqrt(y)
    p = _C.ones_like(z)
    q = _C.zeros_like(z)
    u = 1.0
    inv = 1.0 / z
    pw = _C.ones_like(z)
    for k in range(1, 24):
        u = u * (6 * k - 5) * (6 * k - 3) * (6 * k - 1) / ((2 * k - 1) * 216 * k)
        pw = pw * inv
        sign = -1.0 if (k // 2) % 2 else 1.0
        if k % 2:
            q = q + sign * u * pw
        else:
            p = p + sign * u * pw
    ph = z + math.pi / 4
    return (_C.sin(ph) * p - _C.cos(ph) * q) / (math.sqrt(math.pi) * _C.sqrt(_C.sqrt(y)))


def _airy64(x):
    s = _airy_series(_C.clamp(x, min=-8.0, max=2.0))
    pos = _airy_pos(_C.clamp(x, min=2.0))
    neg = _airy_neg(_C.clamp(x, max=-8.0))
    r = _w(x > 2.0, pos, _w(x < -8.0, neg, s))
    return _w(_C.isinf(x), _C.full_like(r, math.nan), r)


def airy_ai(input, *, out=None):
    return _un("airy_ai", _airy64, input, out)
