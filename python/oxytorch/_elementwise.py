"""torch.* activation functions and aliases that live at the top level in torch."""
from . import _C
from . import nn  # noqa: F401  (makes oxytorch.nn available)
from .nn import functional as _F

__all__ = ["selu", "selu_", "celu", "celu_", "relu_", "softmax", "log_softmax", "float_power", "nn", "sign", "sgn"]

Tensor = _C.Tensor


def selu(input):
    return _F.selu(input)


def selu_(input):
    return _F.selu(input, True)


def celu(input, alpha=1.0):
    return _F.celu(input, alpha)


def celu_(input, alpha=1.0):
    return _F.celu(input, alpha, True)


def relu_(input):
    return input.relu_()


def softmax(input, dim, dtype=None):
    _F._check_dim(input, dim)
    return _C.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, dtype=None):
    _F._check_dim(input, dim)
    return _C.log_softmax(input, dim, dtype=dtype)


def float_power(input, exponent, *, out=None):
    """float_power with torch's check that ``out`` has the double (or complex double) result dtype."""
    if out is not None:
        want = _C.complex128 if any(
            (isinstance(v, Tensor) and v.is_complex()) or isinstance(v, complex) for v in (input, exponent)
        ) else _C.float64
        if out.dtype != want:
            raise RuntimeError(
                f"the output given to float_power has dtype {_SCALAR_NAMES.get(str(out.dtype), out.dtype)}"
                f" but the operation's result requires dtype {_SCALAR_NAMES[str(want)]}"
            )
    return _C.float_power(input, exponent, out=out)


_SCALAR_NAMES = {
    "torch.bool": "Bool", "torch.uint8": "Byte", "torch.int8": "Char", "torch.int16": "Short", "torch.int32": "Int",
    "torch.int64": "Long", "torch.float16": "Half", "torch.bfloat16": "BFloat16", "torch.float32": "Float",
    "torch.float64": "Double", "torch.complex64": "ComplexFloat", "torch.complex128": "ComplexDouble",
}



# torch's CPU sign of NaN is 0 ((0 < x) - (x < 0)); the Rust kernel passes NaN through, so the
# NaN results are zeroed here (through a detached alias: the autograd node stays SignBackward0).
_rs_sign, _rs_sgn = _C.sign, _C.sgn


def _zero_nan(r):
    if r.is_floating_point():
        d = r.detach()
        d.masked_fill_(d.isnan(), 0)
    return r


def sign(input, *, out=None):
    return _zero_nan(_rs_sign(input, out=out))


def sgn(input, *, out=None):
    return _zero_nan(_rs_sgn(input, out=out))


Tensor.sign = lambda self: _zero_nan(_rs_sign(self))
Tensor.sgn = lambda self: _zero_nan(_rs_sgn(self))
