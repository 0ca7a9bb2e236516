"""torch.nn.functional: activation functions (the nn issue adds the rest)."""
import warnings as _warnings

from .. import _C

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _act(name, input, p0=0.0, p1=0.0, inplace=False):
    return _C._activation(name, input, float(p0), float(p1), bool(inplace))


def relu(input, inplace=False):
    return input.relu_() if inplace else _C.relu(input)


def relu_(input):
    return input.relu_()


def relu6(input, inplace=False):
    return _C._hardtanh(input, 0.0, 6.0, bool(inplace))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    return _C._hardtanh(input, float(min_val), float(max_val), bool(inplace))


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, True)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _act("leaky_relu", input, negative_slope, 0.0, inplace)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def elu(input, alpha=1.0, inplace=False):
    return _act("elu", input, alpha, 1.0, inplace)


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


def selu(input, inplace=False):
    return _act("elu", input, _SELU_ALPHA, _SELU_SCALE, inplace)


def selu_(input):
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    return _act("celu", input, alpha, 0.0, inplace)


def celu_(input, alpha=1.0):
    return celu(input, alpha, True)


def gelu(input, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _act("gelu" if approximate == "none" else "gelu_tanh", input)


def silu(input, inplace=False):
    return _act("silu", input, inplace=inplace)


def mish(input, inplace=False):
    return _act("mish", input, inplace=inplace)


def softplus(input, beta=1.0, threshold=20.0):
    r = _act("softplus", input, beta, threshold)
    if input.is_contiguous():
        return r
    out = _C.empty_like(input)  # torch keeps the input's (dense) strides
    out.copy_(r)
    return out


def softsign(input):
    return _act("softsign", input)


def hardsigmoid(input, inplace=False):
    return _act("hardsigmoid", input, inplace=inplace)


def hardswish(input, inplace=False):
    return _act("hardswish", input, inplace=inplace)


def logsigmoid(input):
    return _act("logsigmoid", input).contiguous()  # torch's log_sigmoid returns a contiguous result


def tanhshrink(input):
    return _act("tanhshrink", input)


def sigmoid(input):
    return _C.sigmoid(input)


def tanh(input):
    return _C.tanh(input)


def _get_softmax_dim(name, ndim, stacklevel):
    _warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _check_dim(input, dim):
    n = max(input.dim(), 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _get_softmax_dim("softmax", input.dim(), _stacklevel)
    _check_dim(input, dim)
    return _C.softmax(input, dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _get_softmax_dim("softmin", input.dim(), _stacklevel)
    _check_dim(input, dim)
    return _C.softmin(input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    _check_dim(input, dim)
    return _C.log_softmax(input, dim, dtype=dtype)
from ._f_basic import *  # noqa
from ._f_nnfn import *  # noqa
from ._f_conv import *  # noqa
from ._f_bag import *  # noqa
from ._f_api2 import *  # noqa
