"""Bit-exact pure-Python/NumPy reference of PyTorch's CPU random number generation.

Verified against torch 2.15.0 (CPU kernels, x86-64, glibc) by tests/test_rng_reference.py.
See docs/RNG.md for the specification written for the Rust implementation.

Everything here operates on an explicit generator object (`Generator`), which mirrors
`at::CPUGeneratorImpl`: an mt19937 engine plus the cached second Box-Muller sample.

Conventions
-----------
* float16 results are returned as ``np.float16`` arrays.
* bfloat16 results are returned as ``np.float32`` arrays whose values are exactly
  representable in bfloat16 (numpy has no bfloat16 dtype); use ``bf16_round`` to round.
* Tensors are assumed contiguous; elements are produced in row-major (memory) order.
  (PyTorch's TensorIterator visits elements in *memory* order, so for non-contiguous
  outputs the i-th draw goes to the i-th element in memory, not in logical order.)
* Transcendental functions: double-precision math uses Python's ``math`` module, which
  calls the platform libm (glibc) -- exactly what PyTorch's scalar C++ code calls.
  NumPy's own log/sin/cos/log1p are *not* used for float64 because NumPy ships its own
  SIMD implementations that differ from glibc in the last bit.
* FMA: PyTorch's x86 kernels are compiled with FMA enabled and GCC contracts
  ``a*b + c`` into a fused multiply-add.  Where that happens it is reproduced exactly
  (``fma64`` / ``fma32``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import struct
from fractions import Fraction
from typing import Optional, Sequence

import numpy as np

__all__ = [
    "DEFAULT_SEED", "MT19937", "Generator", "fma64", "fma32", "bf16_round", "to_dtype",
    "rand", "uniform", "randn", "normal", "normal_tensor", "randint", "random_", "randperm",
    "bernoulli_scalar", "bernoulli_tensor", "exponential", "geometric", "cauchy",
    "log_normal", "multinomial", "log256_ps", "sincos256_ps", "normal_fill_16_avx2",
]

# Seed of a freshly constructed torch.Generator() (c10::default_rng_seed_val).
# NOTE: the *global* default generator is NOT seeded with this value: at process start it
# is seeded from /dev/urandom (torch.initial_seed() differs from run to run).
DEFAULT_SEED = 67280421310721

N = 624
M = 397
MATRIX_A = np.uint32(0x9908B0DF)
UPPER = np.uint32(0x80000000)
LOWER = np.uint32(0x7FFFFFFF)
U32 = 0xFFFFFFFF


# ============================================================================================
# mt19937 engine (at::mt19937 in aten/src/ATen/core/MT19937RNGEngine.h)
# ============================================================================================
class MT19937:
    """Standard 32-bit Mersenne Twister with PyTorch's bookkeeping (seed_, left_, next_).

    Output is identical to ``std::mt19937`` / numpy's ``MT19937._legacy_seeding(seed)``
    for seed = seed64 & 0xffffffff.  ``left`` and ``next`` are kept exactly like PyTorch
    so that get_state()/set_state() round-trip byte-for-byte.
    """

    def __init__(self, seed: int = 5489):
        self.seed(seed)

    # init_genrand, applied to the low 32 bits of the 64-bit seed
    def seed(self, seed: int) -> None:
        seed &= 0xFFFFFFFFFFFFFFFF
        self.seed_ = seed
        st = [0] * N
        st[0] = seed & U32
        for j in range(1, N):
            prev = st[j - 1]
            st[j] = (1812433253 * (prev ^ (prev >> 30)) + j) & U32
        self.state = np.array(st, dtype=np.uint32)
        self.left = 1      # 1 => the next draw regenerates the whole block first
        self.next = 0

    def copy(self) -> "MT19937":
        c = MT19937.__new__(MT19937)
        c.seed_, c.state, c.left, c.next = self.seed_, self.state.copy(), self.left, self.next
        return c

    def _twist(self) -> None:
        """next_state(): regenerate all 624 words (vectorised; same result as the loop)."""
        s = self.state.copy()
        new = np.empty(N, dtype=np.uint32)

        def mix(u, v):
            y = (u & UPPER) | (v & LOWER)
            return (y >> np.uint32(1)) ^ np.where((v & np.uint32(1)) != 0, MATRIX_A, np.uint32(0))

        # i in [0, 227): uses old s[i], s[i+1], s[i+397]
        new[0:227] = s[397:624] ^ mix(s[0:227], s[1:228])
        # i in [227, 454): s[i+397-624] = new[i-227]
        new[227:454] = new[0:227] ^ mix(s[227:454], s[228:455])
        # i in [454, 623)
        new[454:623] = new[227:396] ^ mix(s[454:623], s[455:624])
        # i = 623 wraps around to the *new* s[0]
        new[623] = new[396] ^ mix(s[623:624], new[0:1])[0]
        self.state = new
        self.left = N + 1   # the draw that triggered the twist leaves left == 624
        self.next = 0

    @staticmethod
    def _temper(y: np.ndarray) -> np.ndarray:
        y = y.astype(np.uint32)
        y ^= y >> np.uint32(11)
        y ^= (y << np.uint32(7)) & np.uint32(0x9D2C5680)
        y ^= (y << np.uint32(15)) & np.uint32(0xEFC60000)
        y ^= y >> np.uint32(18)
        return y

    def next_u32(self, n: int) -> np.ndarray:
        """n consecutive 32-bit outputs (``random()`` n times) as uint32."""
        out = np.empty(n, dtype=np.uint32)
        k = 0
        while k < n:
            if self.left <= 1:
                self._twist()
            take = min(self.left - 1, n - k)
            out[k:k + take] = self.state[self.next:self.next + take]
            self.next += take
            self.left -= take
            k += take
        return self._temper(out)

    def next_u64(self, n: int) -> np.ndarray:
        """n ``random64()`` values: (first draw << 32) | second draw."""
        r = self.next_u32(2 * n).astype(np.uint64)
        return (r[0::2] << np.uint64(32)) | r[1::2]

    def random(self) -> int:
        return int(self.next_u32(1)[0])

    def random64(self) -> int:
        return int(self.next_u64(1)[0])


# ============================================================================================
# Generator (at::CPUGeneratorImpl)
# ============================================================================================
STATE_SIZE = 5056  # sizeof(CPUGeneratorImplState)


class Generator:
    """Mirror of at::CPUGeneratorImpl: engine + cached Box-Muller samples."""

    def __init__(self, seed: int = DEFAULT_SEED):
        self.engine = MT19937(seed)
        self.next_double_normal: Optional[float] = None   # used by all CPU normal kernels
        self.next_float_normal: Optional[float] = None    # stored in state, unused on CPU

    # torch.Generator.manual_seed / torch.manual_seed (for the CPU generator)
    def manual_seed(self, seed: int) -> "Generator":
        if seed < 0:
            seed &= 0xFFFFFFFFFFFFFFFF  # negative python ints are reinterpreted as uint64
        self.next_double_normal = None
        self.next_float_normal = None
        self.engine = MT19937(seed)
        return self

    def initial_seed(self) -> int:
        return self.engine.seed_

    def random(self) -> int:
        return self.engine.random()

    def random64(self) -> int:
        return self.engine.random64()

    def clone(self) -> "Generator":
        g = Generator.__new__(Generator)
        g.engine = self.engine.copy()
        g.next_double_normal = self.next_double_normal
        g.next_float_normal = self.next_float_normal
        return g

    # ---- get_state / set_state: CPUGeneratorImplState, little-endian, 5056 bytes ----------
    #   off  size  field
    #     0     8  uint64 the_initial_seed
    #     8     4  int32  left            (1..624)
    #    12     4  int32  seeded          (always 1)
    #    16     8  uint64 next            (0..624)
    #    24  4992  uint64 state[624]      (each holds a uint32 MT word, zero-extended)
    #  5016     8  double normal_x        (always 0)
    #  5024     8  double normal_y        (cached double normal sample)
    #  5032     8  double normal_rho      (always 0)
    #  5040     4  int32  normal_is_valid (cache flag for normal_y)
    #  5044     4  padding (zero)
    #  5048     4  float  next_float_normal_sample
    #  5052     1  bool   is_next_float_normal_sample_valid
    #  5053     3  padding (zero)
    def get_state(self) -> bytes:
        b = bytearray(STATE_SIZE)
        e = self.engine
        struct.pack_into("<QiiQ", b, 0, e.seed_, e.left, 1, e.next)
        struct.pack_into("<624Q", b, 24, *[int(v) for v in e.state])
        dn = self.next_double_normal
        struct.pack_into("<dddi", b, 5016, 0.0, dn if dn is not None else 0.0, 0.0,
                         1 if dn is not None else 0)
        fn = self.next_float_normal
        struct.pack_into("<f?", b, 5048, fn if fn is not None else 0.0, fn is not None)
        return bytes(b)

    def set_state(self, state: bytes) -> None:
        b = bytes(state)
        if len(b) != STATE_SIZE:
            raise ValueError(f"Expected a CPUGeneratorImplState of size {STATE_SIZE}")
        seed, left, seeded, nxt = struct.unpack_from("<QiiQ", b, 0)
        words = struct.unpack_from("<624Q", b, 24)
        if not (seeded and 0 < left <= N and nxt <= N):
            raise ValueError("Invalid mt19937 state")
        e = MT19937.__new__(MT19937)
        e.seed_, e.left, e.next = seed, left, nxt
        e.state = np.array([w & U32 for w in words], dtype=np.uint32)  # uint64 -> uint32 copy
        self.engine = e
        _, ny, _, valid = struct.unpack_from("<dddi", b, 5016)
        self.next_double_normal = ny if valid else None
        fv, fvalid = struct.unpack_from("<f?", b, 5048)
        self.next_float_normal = fv if fvalid else None


# ============================================================================================
# exact floating-point helpers
# ============================================================================================
def fma64(a: float, b: float, c: float) -> float:
    """Correctly rounded double fused multiply-add (like C fma / Rust f64::mul_add)."""
    if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c)):
        return a * b + c
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def fma32(a, b, c) -> np.ndarray:
    """Correctly rounded float32 FMA, vectorised (like fmaf / Rust f32::mul_add).

    a*b is exact in float64; the float64 sum is made round-to-odd (TwoSum + sticky bit),
    after which rounding to float32 is correctly rounded (53 >= 24 + 2).
    """
    a = np.asarray(a, np.float32).astype(np.float64)
    b = np.asarray(b, np.float32).astype(np.float64)
    c = np.asarray(c, np.float32).astype(np.float64)
    p = a * b
    s = p + c
    bb = s - p
    err = (p - (s - bb)) + (c - bb)
    fix = (err != 0) & ((s.view(np.int64) & 1) == 0) & np.isfinite(s)
    s = np.where(fix, np.nextafter(s, s + err), s)
    return s.astype(np.float32)


def bf16_round(x) -> np.ndarray:
    """float32 -> bfloat16 (round-to-nearest-even, as c10::BFloat16), returned as float32."""
    x = np.asarray(x, dtype=np.float32)
    bits = x.view(np.uint32).astype(np.uint64)
    rounded = ((bits + np.uint64(0x7FFF) + ((bits >> np.uint64(16)) & np.uint64(1)))
               >> np.uint64(16)) << np.uint64(16)
    out = rounded.astype(np.uint32).view(np.float32)
    return np.where(np.isnan(x), np.float32(np.nan), out).astype(np.float32)


def to_dtype(x, dtype: str) -> np.ndarray:
    """static_cast<scalar_t>(value) from float32 or float64 values.

    double -> Half/BFloat16 goes through float first (c10::Half/BFloat16 only have a float
    constructor), i.e. it is *double rounded*; reproduced here.
    """
    x = np.asarray(x)
    if dtype == "float64":
        return x.astype(np.float64)
    x32 = x.astype(np.float32)
    if dtype == "float32":
        return x32
    if dtype == "float16":
        return x32.astype(np.float16)
    if dtype == "bfloat16":
        return bf16_round(x32)
    raise ValueError(dtype)


FLOAT_DTYPES = ("float32", "float64", "float16", "bfloat16")
DIGITS = {"float64": 53, "float32": 24, "float16": 11, "bfloat16": 8}
INT_DTYPES = {
    "int64": np.int64, "int32": np.int32, "int16": np.int16, "int8": np.int8,
    "uint8": np.uint8, "bool": np.bool_,
}


def _numel(shape) -> int:
    if isinstance(shape, int):
        return shape
    n = 1
    for s in shape:
        n *= int(s)
    return n


def _shape(shape):
    return (shape,) if isinstance(shape, int) else tuple(shape)


# ============================================================================================
# uniform_real_distribution
# ============================================================================================
def _uniform01_f32(gen: Generator, n: int) -> np.ndarray:
    """uniform_real_distribution<float>(0,1): one random() per value, 24 bits."""
    r = gen.engine.next_u32(n)
    return ((r & np.uint32(0xFFFFFF)).astype(np.float64) * 2.0 ** -24).astype(np.float32)


def _uniform01_f64(gen: Generator, n: int) -> np.ndarray:
    """uniform_real_distribution<double>(0,1): one random64() per value, 53 bits."""
    r = gen.engine.next_u64(n)
    return (r & np.uint64((1 << 53) - 1)).astype(np.float64) * 2.0 ** -53


def rand(gen: Generator, shape, dtype: str = "float32") -> np.ndarray:
    """torch.rand / Tensor.uniform_() with the default [0, 1)."""
    return uniform(gen, shape, 0.0, 1.0, dtype)


def _madd64(a: float, b: float, c: float, fused: bool) -> float:
    return fma64(a, b, c) if fused else a * b + c


def uniform(gen: Generator, shape, low: float = 0.0, high: float = 1.0,
            dtype: str = "float32", capability: str = "avx2") -> np.ndarray:
    """Tensor.uniform_(low, high)  (uniform_kernel in cpu/DistributionTemplates.h).

    opmath_t = float for float32/float16/bfloat16, double for float64.
      x     = uniform01<opmath_t>()                     (24 or 53 random bits)
      value = fma(x, to - from, from)  computed in opmath_t, from/to = (opmath_t)low/high
      out   = (scalar_t)value
      reduced floats only: if out == (scalar_t)high: out = (scalar_t)low
    The multiply-add is *implicitly* contracted to an FMA by the compiler in PyTorch's
    AVX2/AVX512 kernels (and on aarch64); with capability='default' (x86 kernels built
    without -mfma) it is a separately rounded multiply and add.
    """
    fused = capability != "default"
    n = _numel(shape)
    if dtype == "float64":
        x = _uniform01_f64(gen, n)
        if low == 0.0 and high == 1.0:
            v = x
        else:
            d = high - low
            v = np.array([_madd64(float(xi), d, low, fused) for xi in x], dtype=np.float64)
        return v.reshape(_shape(shape))
    x = _uniform01_f32(gen, n)
    lo, hi = np.float32(low), np.float32(high)
    v = fma32(x, hi - lo, lo) if fused else (x * (hi - lo)).astype(np.float32) + lo
    if dtype == "float32":
        return v.reshape(_shape(shape))
    out = to_dtype(v, dtype)
    to_s = to_dtype(np.float64(high), dtype)
    from_s = to_dtype(np.float64(low), dtype)
    out = np.where(out == to_s, from_s, out).astype(out.dtype)
    return out.reshape(_shape(shape))


# ============================================================================================
# normal
# ============================================================================================
def _normal_scalar(gen: Generator, n: int, mean: float, std: float,
                   fused: bool = True) -> np.ndarray:
    """at::normal_distribution<double>: Box-Muller with a cached second sample.

    Used for every dtype when numel < 16 or the output is not contiguous.
      if gen has a cached sample c: consume it, return fma(c, std, mean)
      u1 = uniform01<double>(), u2 = uniform01<double>()          (two random64 draws)
      r  = sqrt(-2 * log1p(-u2));  theta = 2*pi*u1
      cache r*sin(theta) (raw, *before* mean/std are applied)
      return fma(r*cos(theta), std, mean)
    (val*std + mean is an implicit contraction: unfused with capability='default')
    The cache lives on the generator: it survives across calls, is read by the next scalar
    normal of any dtype/mean/std, and is cleared by manual_seed.
    """
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        if gen.next_double_normal is not None:
            z = gen.next_double_normal
            gen.next_double_normal = None
        else:
            u = _uniform01_f64(gen, 2)
            u1, u2 = float(u[0]), float(u[1])
            r = math.sqrt(-2.0 * math.log1p(-u2))
            theta = 2.0 * math.pi * u1
            gen.next_double_normal = r * math.sin(theta)
            z = r * math.cos(theta)
        out[i] = z if (std == 1.0 and mean == 0.0) else _madd64(z, std, mean, fused)
    return out


def _fill16_f64(d: np.ndarray, mean: float, std: float) -> None:
    """NormalFill16<double> (scalar): in-place on 16 uniforms."""
    for j in range(8):
        u1 = 1.0 - float(d[j])
        u2 = float(d[j + 8])
        radius = math.sqrt(-2.0 * math.log(u1))
        theta = 2.0 * math.pi * u2
        a = radius * math.cos(theta)
        b = radius * math.sin(theta)
        if std == 1.0 and mean == 0.0:
            d[j], d[j + 8] = a, b
        else:
            d[j], d[j + 8] = fma64(a, std, mean), fma64(b, std, mean)


# ---- avx_mathfun.h (log256_ps / sincos256_ps), as compiled in PyTorch's AVX2/AVX512 kernels.
# GCC contracts mul+add pairs into FMAs; the fused pairs below were determined empirically
# (and checked exhaustively over every possible input, see tests).
_f32 = np.float32
_LOG_P = [_f32(v) for v in (7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1,
                             -1.2420140846E-1, 1.4249322787E-1, -1.6668057665E-1,
                             2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1)]
_LOG_Q1 = _f32(-2.12194440e-4)
_LOG_Q2 = _f32(0.693359375)
_SQRTHF = _f32(0.707106781186547524)
_DP1 = _f32(-0.78515625)
_DP2 = _f32(-2.4187564849853515625e-4)
_DP3 = _f32(-3.77489497744594108e-8)
_SINCOF = [_f32(-1.9515295891E-4), _f32(8.3321608736E-3), _f32(-1.6666654611E-1)]
_COSCOF = [_f32(2.443315711809948E-005), _f32(-1.388731625493765E-003),
           _f32(4.166664568298827E-002)]
_FOPI = _f32(1.27323954473516)
_TWO_PI_F = _f32(2.0 * math.pi)


def log256_ps(x) -> np.ndarray:
    """Cephes-style float log from avx_mathfun.h, with PyTorch's FMA contraction."""
    x = np.asarray(x, dtype=np.float32)
    invalid = x <= 0
    x = np.maximum(x, np.array(0x00800000, dtype=np.int32).view(np.float32))
    bits = x.view(np.int32)
    imm0 = (bits.view(np.uint32) >> np.uint32(23)).astype(np.int32) - 0x7F
    x = ((bits & np.int32(~0x7F800000)) | np.array(0.5, np.float32).view(np.int32)).view(np.float32)
    e = imm0.astype(np.float32) + _f32(1)
    mask = x < _SQRTHF
    tmp = np.where(mask, x, _f32(0)).astype(np.float32)
    x = x - _f32(1)
    e = e - np.where(mask, _f32(1), _f32(0)).astype(np.float32)
    x = x + tmp
    z = x * x
    y = np.full_like(x, _LOG_P[0])
    for c in _LOG_P[1:]:
        y = fma32(y, x, c)                    # y = y*x + p_k   (fused)
    y = y * x
    y = fma32(y, z, e * _LOG_Q1)              # y = y*z + e*q1  (y*z fused, e*q1 rounded)
    y = y - z * _f32(0.5)                     # exact product, fusion irrelevant
    x = x + y
    x = x + e * _LOG_Q2                       # exact product, fusion irrelevant
    return np.where(invalid, _f32(np.nan), x).astype(np.float32)


def sincos256_ps(x):
    """sincos256_ps from avx_mathfun.h, with PyTorch's FMA contraction. Returns (sin, cos)."""
    x = np.asarray(x, dtype=np.float32)
    sign_sin = x.view(np.int32) & np.int32(-0x80000000)
    x = np.abs(x)
    j = (x * _FOPI).astype(np.int32)          # cvttps: truncation
    j = (j + 1) & ~1
    y = j.astype(np.float32)
    swap_sin = ((j & 4) << 29).astype(np.int32)
    poly_mask = (j & 2) == 0
    # Cody-Waite reduction; y*DP1, y*DP2 are exact, so fusing is irrelevant for them.
    # For DP3 fused and unfused differ for exactly 3 of the 2^24 inputs reachable from
    # torch.randn; fused is the natural GCC contraction (consistent with all the others).
    x = fma32(y, _DP1, x)
    x = fma32(y, _DP2, x)
    x = fma32(y, _DP3, x)
    sign_cos = ((~(j - 2) & 4) << 29).astype(np.int32)
    sign_sin = sign_sin ^ swap_sin
    z = x * x
    yc = fma32(np.full_like(x, _COSCOF[0]), z, _COSCOF[1])
    yc = fma32(yc, z, _COSCOF[2])
    yc = yc * z
    yc = fma32(yc, z, -(z * _f32(0.5)))       # y*z - z*0.5   (y*z fused)
    yc = yc + _f32(1)
    ys = fma32(np.full_like(x, _SINCOF[0]), z, _SINCOF[1])
    ys = fma32(ys, z, _SINCOF[2])
    ys = ys * z
    ys = fma32(ys, x, x)                      # y2*x + x      (fused)
    ysin2 = np.where(poly_mask, ys, _f32(0)).astype(np.float32)
    ysin1 = np.where(poly_mask, _f32(0), yc).astype(np.float32)
    ys = ys - ysin2
    yc = yc - ysin1
    s = (ysin1 + ysin2).astype(np.float32)
    c = (yc + ys).astype(np.float32)
    s = (s.view(np.int32) ^ sign_sin).view(np.float32)
    c = (c.view(np.int32) ^ sign_cos).view(np.float32)
    return s, c


def normal_fill_16_avx2(blocks: np.ndarray, mean, std) -> np.ndarray:
    """NormalFill16<float> AVX2 specialisation on an (..., 16) array of float32 uniforms."""
    blocks = np.asarray(blocks, dtype=np.float32)
    u1 = _f32(1) - blocks[..., :8]
    u2 = blocks[..., 8:]
    radius = np.sqrt(_f32(-2) * log256_ps(u1)).astype(np.float32)
    theta = _TWO_PI_F * u2
    s, c = sincos256_ps(theta)
    out = np.empty_like(blocks)
    out[..., :8] = fma32(radius * c, _f32(std), _f32(mean))
    out[..., 8:] = fma32(radius * s, _f32(std), _f32(mean))
    return out


_libm = None


def _libm_f32():
    global _libm
    if _libm is None:
        lib = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        for nm in ("logf", "sinf", "cosf"):
            f = getattr(lib, nm)
            f.restype = ctypes.c_float
            f.argtypes = [ctypes.c_float]
        _libm = lib
    return _libm


def normal_fill_16_scalar_f32(blocks: np.ndarray, mean, std) -> np.ndarray:
    """NormalFill16<float> generic scalar version (CPU capability DEFAULT, aarch64...).

    Calls the platform libm logf/cosf/sinf; bit-exactness therefore depends on libm.
      u1 = 1 - d[j]; u2 = d[j+8]                           (float)
      radius = sqrtf(-2 * logf(u1))
      theta  = (float)(2*pi (double) * (double)u2)
      d[j]   = fmaf(radius * cosf(theta), std, mean); d[j+8] likewise with sinf
    """
    lib = _libm_f32()
    blocks = np.asarray(blocks, dtype=np.float32)
    out = np.empty_like(blocks)
    flat_in = blocks.reshape(-1, 16)
    flat_out = out.reshape(-1, 16)
    for k in range(flat_in.shape[0]):
        d = flat_in[k]
        for j in range(8):
            u1 = _f32(1) - d[j]
            u2 = d[j + 8]
            radius = np.sqrt(_f32(-2) * _f32(lib.logf(float(u1))), dtype=np.float32)
            theta = _f32(2.0 * math.pi * float(u2))
            cth = _f32(lib.cosf(float(theta)))
            sth = _f32(lib.sinf(float(theta)))
            flat_out[k, j] = fma32(radius * cth, std, mean)
            flat_out[k, j + 8] = fma32(radius * sth, std, mean)
    return out


def randn(gen: Generator, shape, dtype: str = "float32", capability: str = "avx2") -> np.ndarray:
    """torch.randn == normal(gen, shape, 0, 1, dtype)."""
    return normal(gen, shape, 0.0, 1.0, dtype, capability)


def normal(gen: Generator, shape, mean: float = 0.0, std: float = 1.0, dtype: str = "float32",
           capability: str = "avx2", contiguous: bool = True) -> np.ndarray:
    """Tensor.normal_(mean, std) / torch.normal(mean, std, size) / torch.randn.

    numel < 16 or non-contiguous: scalar path (_normal_scalar, double, cached sample),
        result cast to dtype (double -> float -> half for reduced types).
    numel >= 16 and contiguous: normal_fill with opmath_t (double for float64, else float):
      float32/float64: draw numel uniforms into data; Box-Muller every full block of 16
          (pairs (j, j+8)); if numel % 16: draw 16 *fresh* uniforms and recompute the last
          16 outputs (data[n-16:n]) from them.  Draws: numel + (16 if numel % 16 else 0).
      float16/bfloat16: for each full block draw 16 uniforms (float), transform, cast;
          tail as above.  Draws: 16*(numel//16) + (16 if numel % 16 else 0)
          (the numel%16 leftover uniforms of the float path are NOT drawn here).
    capability: 'avx2' (x86 with AVX2 or AVX512 -- PyTorch's usual case; float uses
        avx_mathfun polynomials) or 'default' (scalar libm logf/sinf/cosf).
    """
    n = _numel(shape)
    if n < 16 or not contiguous:
        return to_dtype(_normal_scalar(gen, n, mean, std, capability != "default"),
                        dtype).reshape(_shape(shape))
    full = n // 16
    tail = n % 16
    if dtype == "float64":
        d = _uniform01_f64(gen, n)
        for b in range(full):
            blk = d[16 * b:16 * b + 16]
            _fill16_f64(blk, mean, std)
        if tail:
            blk = _uniform01_f64(gen, 16)
            _fill16_f64(blk, mean, std)
            d[n - 16:] = blk
        return d.reshape(_shape(shape))

    fill = normal_fill_16_avx2 if capability == "avx2" else normal_fill_16_scalar_f32
    m32, s32 = _f32(mean), _f32(std)
    if dtype == "float32":
        d = _uniform01_f32(gen, n)
        d[:16 * full] = fill(d[:16 * full].reshape(full, 16), m32, s32).reshape(-1)
        if tail:
            d[n - 16:] = fill(_uniform01_f32(gen, 16).reshape(1, 16), m32, s32).reshape(-1)
        return d.reshape(_shape(shape))
    # float16 / bfloat16
    u = _uniform01_f32(gen, 16 * full)
    vals = fill(u.reshape(full, 16), m32, s32).reshape(-1)
    out = np.empty(n, dtype=np.float32)
    out[:16 * full] = vals
    if tail:
        out[n - 16:] = fill(_uniform01_f32(gen, 16).reshape(1, 16), m32, s32).reshape(-1)
    return to_dtype(out, dtype).reshape(_shape(shape))


def normal_tensor(gen: Generator, mean, std, dtype: str = "float32",
                  capability: str = "avx2") -> np.ndarray:
    """torch.normal(mean_tensor, std_tensor) (also tensor/float and float/tensor overloads).

    out = normal_(0, 1) over the broadcast shape, then out.mul_(std).add_(mean)
    (two separately rounded ops, no FMA).
    """
    mean = np.asarray(mean)
    std = np.asarray(std)
    shape = np.broadcast_shapes(mean.shape, std.shape)
    z = normal(gen, shape, 0.0, 1.0, dtype, capability)
    npdt = np.float64 if dtype == "float64" else np.float32
    if dtype in ("float16", "bfloat16"):
        raise NotImplementedError("reduced-precision tensor mean/std not covered")
    return (z * std.astype(npdt)).astype(npdt) + mean.astype(npdt)


# ============================================================================================
# integers
# ============================================================================================
_INT_LIMITS = {
    "int64": (-(1 << 63), (1 << 63) - 1), "int32": (-(1 << 31), (1 << 31) - 1),
    "int16": (-(1 << 15), (1 << 15) - 1), "int8": (-128, 127), "uint8": (0, 255),
    "bool": (0, 1),
}


def _as_int_dtype(vals: Sequence[int], dtype: str) -> np.ndarray:
    """static_cast<scalar_t>(int64_t v).

    Integer dtypes wrap (two's complement); bool is v != 0; float32/float64 are one
    rounding of the int64; float16/bfloat16 go int64 -> float -> half/bfloat16.
    """
    a = np.array(vals, dtype=np.int64)
    if dtype == "float64":
        return a.astype(np.float64)
    if dtype in FLOAT_DTYPES:
        return to_dtype(a.astype(np.float32), dtype)
    if dtype == "bool":
        return a != 0
    return a.astype(INT_DTYPES[dtype])


def _update_from(frm: int, dtype: str) -> int:
    """update_from<scalar_t> for floating dtypes (DistributionTemplates.h)."""
    fp1 = int(_cast_float_scalar(frm + 1, dtype))
    if fp1 < frm:
        v = abs(frm + 1)
        nbits = v.bit_length() - 1 if v else 0
        frm = fp1 + (1 << (nbits - DIGITS[dtype] + 1))
    return frm


def _update_to(to: int, dtype: str) -> int:
    tm1 = int(_cast_float_scalar(to - 1, dtype))
    if tm1 >= to:
        v = abs(to - 1)
        nbits = v.bit_length() - 1 if v else 0
        to = tm1 - (1 << (nbits - DIGITS[dtype] + 1))
    return to


def _cast_float_scalar(v: int, dtype: str) -> float:
    """static_cast<scalar_t>(int64_t) for a float scalar_t (int64 -> float is one rounding)."""
    if dtype == "float64":
        return float(np.float64(np.int64(v)))
    f = np.int64(v).astype(np.float32)
    if dtype == "float32":
        return float(f)
    if dtype == "float16":
        # int64 -> Half goes int64 -> float -> Half in c10
        return float(np.float32(f).astype(np.float16))
    return float(bf16_round(f))


def random_(gen: Generator, shape, dtype: str = "int64", frm: Optional[int] = None,
            to: Optional[int] = None) -> np.ndarray:
    """Tensor.random_(from=None, to=None) / torch.randint (random_from_to_impl).

    (In PyTorch, ``t.random_(x)`` with a single argument means ``to=x``, i.e. [0, x);
    here pass ``frm=0, to=x``.  ``frm=x, to=None`` is ``t.random_(x, None)``.)

    [from, to):   for float dtypes from/to are first adjusted by update_from/update_to;
                  range = to - from;
                  per element: v = (random64() if range >= 2**28 else random()) % range + from
                  (the 2**28 threshold applies to every dtype in non-FBCODE builds).
    random_(from) (to=None, from != int64 min): to_inc = max(dtype) for integer dtypes,
                  2**digits for float dtypes (from adjusted by update_from),
                  range = to_inc - from + 1, then as above.
    random_(int64 min, None): full 64-bit range, v = (int64)random64().
    random_() (no args): uniform_int_distribution<T>:
        bool: random() & 1;  int64: random64() % 2**63;  float64: random64() % (2**53 + 1);
        float32: random() % (2**24 + 1); half/bf16: random() % (2**digits + 1);
        other ints: random() % (max + 1).
    """
    n = _numel(shape)
    if frm is None and to is None:
        if dtype == "bool":
            vals = [int(v) & 1 for v in gen.engine.next_u32(n)]
        elif dtype == "int64":
            vals = [int(v) % (1 << 63) for v in gen.engine.next_u64(n)]
        elif dtype == "float64":
            vals = [int(v) % ((1 << 53) + 1) for v in gen.engine.next_u64(n)]
        elif dtype in FLOAT_DTYPES:
            mod = (1 << DIGITS[dtype]) + 1
            vals = [int(v) % mod for v in gen.engine.next_u32(n)]
        else:
            mod = _INT_LIMITS[dtype][1] + 1
            vals = [int(v) % mod for v in gen.engine.next_u32(n)]
        return _as_int_dtype(vals, dtype).reshape(_shape(shape))
    if frm is None:
        frm = 0
    if to is None:
        if frm == -(1 << 63):
            vals = [int(v) - (1 << 64) if v >= (1 << 63) else int(v)
                    for v in gen.engine.next_u64(n)]
            return _as_int_dtype(vals, dtype).reshape(_shape(shape))
        if dtype in FLOAT_DTYPES:
            to_inc = min(1 << DIGITS[dtype], (1 << 63) - 1)
            frm = _update_from(frm, dtype)
        else:
            to_inc = _INT_LIMITS[dtype][1]
        rng = to_inc - frm + 1
    else:
        if dtype in FLOAT_DTYPES:
            frm = _update_from(frm, dtype)
            to = _update_to(to, dtype)
        rng = to - frm
    rng &= 0xFFFFFFFFFFFFFFFF
    if rng >= (1 << 28):
        raw = gen.engine.next_u64(n)
    else:
        raw = gen.engine.next_u32(n)
    vals = []
    for v in raw:
        x = (int(v) % rng + frm) & 0xFFFFFFFFFFFFFFFF   # uint64 arithmetic
        if x >= (1 << 63):
            x -= 1 << 64                                 # static_cast<int64_t>
        vals.append(x)
    return _as_int_dtype(vals, dtype).reshape(_shape(shape))


def randint(gen: Generator, low: int, high: int, shape, dtype: str = "int64") -> np.ndarray:
    """torch.randint(low, high, size) == empty(size).random_(low, high)."""
    return random_(gen, shape, dtype, low, high)


def randperm(gen: Generator, n: int, dtype: str = "int64") -> np.ndarray:
    """torch.randperm(n) (randperm_cpu in TensorFactories.cpp).

    n < 2**32 // 20 (= 214748364): forward Fisher-Yates on r = [0, 1, ..., n-1]:
        for i in 0 .. n-2:  z = random() % (n - i);  swap(r[i], r[i + z])
      (n - 1 draws; none for n <= 1)
    larger n ("inside-out" shuffle, unverified -- too large to test here):
        for i in 0 .. n-1:  z = random64() % (i + 1);  r[i] = r[z];  r[z] = i
    """
    if n < (0xFFFFFFFF // 20):
        r = np.arange(n, dtype=np.int64)
        draws = gen.engine.next_u32(max(n - 1, 0))
        for i in range(n - 1):
            z = int(draws[i]) % (n - i)
            j = i + z
            r[i], r[j] = r[j], r[i]
    else:  # pragma: no cover - not verified against torch (needs > 1.7 GB)
        r = np.empty(n, dtype=np.int64)
        draws = gen.engine.next_u64(n)
        for i in range(n):
            z = int(draws[i]) % (i + 1)
            r[i] = r[z]
            r[z] = i
    if dtype in INT_DTYPES:
        return r.astype(INT_DTYPES[dtype])
    return to_dtype(r.astype(np.float64), dtype)


# ============================================================================================
# bernoulli / exponential / geometric / cauchy / log_normal
# ============================================================================================
def bernoulli_scalar(gen: Generator, shape, p: float, dtype: str = "float32") -> np.ndarray:
    """Tensor.bernoulli_(p: float) / torch.bernoulli(x, p=float).

    Per element: u = uniform01<double>() (one random64), out = (u < p).
    NOTE: PyTorch has an MKL (VSL MCG59 stream) implementation of this op that is compiled
    into x86 MKL builds; torch 2.15 on the tested machine used the mt19937 path above.
    If a build dispatches to MKL, the numbers cannot be reproduced (see docs/RNG.md).
    """
    u = _uniform01_f64(gen, _numel(shape))
    return _bool_to(u < p, dtype).reshape(_shape(shape))


def bernoulli_tensor(gen: Generator, p, p_dtype: str = "float32",
                     out_dtype: Optional[str] = None) -> np.ndarray:
    """torch.bernoulli(p_tensor) / Tensor.bernoulli_(p_tensor).

    p float64: u = uniform01<double>() (random64), out = u < p
    p float32/float16/bfloat16: u = uniform01<float>() (one random(), 24 bits),
        out = u < (float)p
    One draw per output element, in the output's memory order (p broadcast to it).
    """
    p = np.asarray(p)
    n = p.size
    if p_dtype == "float64":
        u = _uniform01_f64(gen, n)
        res = u < p.reshape(-1).astype(np.float64)
    else:
        u = _uniform01_f32(gen, n)
        res = u < p.reshape(-1).astype(np.float32)
    return _bool_to(res, out_dtype or p_dtype).reshape(p.shape)


def _bool_to(b: np.ndarray, dtype: str) -> np.ndarray:
    if dtype == "bool":
        return b.astype(np.bool_)
    if dtype in INT_DTYPES:
        return b.astype(INT_DTYPES[dtype])
    return to_dtype(b.astype(np.float64), dtype)


def exponential(gen: Generator, shape, lambd: float = 1.0, dtype: str = "float32") -> np.ndarray:
    """Tensor.exponential_(lambd) (exponential_kernel_default).

    Per element, in double: u = uniform01<double>() (random64);
        x = (-1.0 / lambd) * log1p(-u);  out = (scalar_t)x
    NOTE: x86 MKL builds also contain a VSL-based implementation (vdRngExponential with
    an MKL stream); torch 2.15 on the tested machine used the path above.
    """
    u = _uniform01_f64(gen, _numel(shape))
    c = -1.0 / lambd
    x = np.array([c * math.log1p(-float(v)) for v in u], dtype=np.float64)
    return to_dtype(x, dtype).reshape(_shape(shape))


def geometric(gen: Generator, shape, p: float, dtype: str = "float32") -> np.ndarray:
    """Tensor.geometric_(p): u = uniform01<double>(); x = ceil(log(u) / log1p(-p))."""
    u = _uniform01_f64(gen, _numel(shape))
    d = math.log1p(-p)
    x = np.array([math.ceil(math.log(float(v)) / d) if v > 0 else math.inf for v in u])
    if dtype in FLOAT_DTYPES:
        return to_dtype(x, dtype).reshape(_shape(shape))
    return x.astype(INT_DTYPES[dtype]).reshape(_shape(shape))


def cauchy(gen: Generator, shape, median: float = 0.0, sigma: float = 1.0,
           dtype: str = "float32", capability: str = "avx2") -> np.ndarray:
    """Tensor.cauchy_: u = uniform01<double>(); x = fma(sigma, tan(pi*(u - 0.5)), median).

    (double; the fma is an implicit contraction -> unfused with capability='default')
    """
    u = _uniform01_f64(gen, _numel(shape))
    fused = capability != "default"
    x = np.array([_madd64(sigma, math.tan(math.pi * (float(v) - 0.5)), median, fused)
                  for v in u])
    return to_dtype(x, dtype).reshape(_shape(shape))


def log_normal(gen: Generator, shape, mean: float = 1.0, std: float = 2.0,
               dtype: str = "float32", capability: str = "avx2") -> np.ndarray:
    """Tensor.log_normal_: exp(normal_distribution<double>(mean, std)) per element.

    Always the scalar Box-Muller path (uses and refills the generator's cached sample).
    """
    z = _normal_scalar(gen, _numel(shape), mean, std, capability != "default")
    x = np.array([math.exp(float(v)) for v in z])
    return to_dtype(x, dtype).reshape(_shape(shape))


# ============================================================================================
# multinomial
# ============================================================================================
def multinomial(gen: Generator, probs, num_samples: int, replacement: bool = False,
                dtype: str = "float32") -> np.ndarray:
    """torch.multinomial (Distributions.cpp + cpu/MultinomialKernel.cpp).

    With replacement and num_samples > 1 (per row, rows in order):
      cum[j] = running sum of p in acc type (float for float32/f16/bf16, double for float64)
      cum[j] /= sum  (every entry, acc type);  cum[last] = 1
      for each sample: u = uniform01<double>() (random64); index = first j with
          !(cum[j] < u)  (binary search: left=0,right=K; mid=left+(right-left)//2;
          if cum[mid] < u: left=mid+1 else right=mid)
    Without replacement, or num_samples == 1 (even with replacement=True):
      q = empty_like(p).exponential_(1)   (whole tensor, row-major; see exponential())
      q = p / q   (in p's dtype)
      num_samples == 1: argmax(q, -1); else topk(q, num_samples) (sorted, descending).
      Ties (e.g. several zero-probability entries) follow torch.topk's ordering, which is
      not specified here.
    """
    p = np.asarray(probs)
    one_d = p.ndim == 1
    p2 = p.reshape(1, -1) if one_d else p
    rows, k = p2.shape
    acc = np.float64 if dtype == "float64" else np.float32
    if replacement and num_samples > 1:
        out = np.empty((rows, num_samples), dtype=np.int64)
        for i in range(rows):
            row = p2[i].astype(acc)
            cum = np.empty(k, dtype=acc)
            s = acc(0)
            for j in range(k):
                s = acc(s + row[j])
                cum[j] = s
            cum = (cum / s).astype(acc)
            cum[k - 1] = 1
            u = _uniform01_f64(gen, num_samples)
            for t in range(num_samples):
                lo, hi = 0, k
                while hi - lo > 0:
                    mid = lo + (hi - lo) // 2
                    if float(cum[mid]) < float(u[t]):
                        lo = mid + 1
                    else:
                        hi = mid
                out[i, t] = lo
    else:
        q = exponential(gen, p2.shape, 1.0, dtype)
        if dtype == "float64":
            q = p2.astype(np.float64) / q
        elif dtype == "float32":
            q = (p2.astype(np.float32) / q).astype(np.float32)
        else:
            q = to_dtype(p2.astype(np.float32) / q.astype(np.float32), dtype)
        if num_samples == 1:
            out = np.argmax(q, axis=1).reshape(rows, 1)
        else:
            out = np.argsort(-q.astype(np.float64), axis=1, kind="stable")[:, :num_samples]
    return out.reshape(-1) if one_d else out
