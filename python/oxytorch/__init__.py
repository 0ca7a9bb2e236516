"""oxytorch: a tensor engine with a Rust core and a PyTorch-compatible API.

Use it as ``import oxytorch as torch``."""
import builtins as _builtins
import math as _math

from . import _C
from . import _tensor as _tensor_mod
from . import _tensor_str
from ._size import Size
from ._C import (  # noqa: F401
    Tensor,
    dtype,
    device,
    Generator,
    tensor,
    as_tensor,
    zeros,
    ones,
    empty,
    zeros_like,
    ones_like,
    empty_like,
    full,
    full_like,
    arange,
    linspace,
    logspace,
    eye,
    from_numpy,
    from_dlpack,
    manual_seed,
    initial_seed,
    seed,
    get_rng_state,
    set_rng_state,
    rand,
    randn,
    rand_like,
    randn_like,
    randint,
    randint_like,
    randperm,
    bernoulli,
    multinomial,
)
from ._legacy import *  # noqa: F401,F403
from ._views import *  # noqa: F401,F403
from . import cuda  # noqa: F401
from .serialization import save, load  # noqa: F401,E402
from . import autograd  # noqa: F401
from .autograd.grad_mode import (  # noqa: F401
    no_grad,
    enable_grad,
    set_grad_enabled,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
)
from . import return_types  # noqa: F401
from ._elementwise import *  # noqa: F401,F403,E402
from ._tensor_str import set_printoptions, get_printoptions, printoptions  # noqa: F401

__version__ = "0.1.0"

# dtypes and their aliases
bool = _C.bool
uint8 = _C.uint8
int8 = _C.int8
int16 = short = _C.int16
int32 = int = _C.int32
int64 = long = _C.int64
float16 = half = _C.float16
bfloat16 = _C.bfloat16
float32 = float = _C.float32
float64 = double = _C.float64
complex32 = chalf = _C.complex32
complex64 = cfloat = _C.complex64
complex128 = cdouble = _C.complex128



class layout:
    """A tensor layout (only ``torch.strided`` exists here)."""

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"torch.{self._name}"


class memory_format:
    """A memory format tag, as accepted by ``clone``, ``to``, ``contiguous`` and ``*_like``."""

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"torch.{self._name}"

    def __reduce__(self):
        return self._name


strided = layout("strided")
contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")

default_generator = _C._default_generator()

inf = _math.inf
nan = _math.nan
pi = _math.pi
e = _math.e

_C._set_size_type(Size)
_tensor_mod.install()
from ._tensor import empty_strided  # noqa: E402,F401
from ._matmul import outer, ger, inner, kron, tensordot, einsum, chain_matmul  # noqa: E402,F401

# Every public op the extension defines is a torch.* function.
for _name in dir(_C):
    if not _name.startswith("_") and _name not in globals():
        globals()[_name] = getattr(_C, _name)

# torch's aliases, as functions and as Tensor methods.
_ALIASES = {
    "absolute": "abs",
    "negative": "neg",
    "arccos": "acos",
    "arcsin": "asin",
    "arctan": "atan",
    "arccosh": "acosh",
    "arcsinh": "asinh",
    "arctanh": "atanh",
    "arctan2": "atan2",
    "fix": "trunc",
    "true_divide": "div",
    "divide": "div",
    "multiply": "mul",
    "subtract": "sub",
    "greater": "gt",
    "greater_equal": "ge",
    "less": "lt",
    "less_equal": "le",
    "not_equal": "ne",
}
for _alias, _target in _ALIASES.items():
    globals()[_alias] = getattr(_C, _target)
    setattr(Tensor, _alias, getattr(Tensor, _target))
    if hasattr(Tensor, _target + "_"):
        setattr(Tensor, _alias + "_", getattr(Tensor, _target + "_"))


def get_default_dtype():
    """The floating dtype that float literals and factory functions produce."""
    return _C.get_default_dtype()


def set_default_dtype(d):
    """Sets the default floating dtype (float32, float64, float16 or bfloat16)."""
    _C.set_default_dtype(d)


_tensor_str._get_default_dtype_name = lambda: str(_C.get_default_dtype())


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def numel(input):
    return input.numel()


def is_storage(obj):
    return False


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """Converts ``obj`` to a tensor, sharing memory when possible (``copy=None``), always copying
    (``copy=True``), or refusing to copy (``copy=False``)."""
    if copy:
        out = tensor(obj, dtype=dtype, device=device) if not isinstance(obj, Tensor) else obj.to(
            device=device if device is not None else obj.device,
            dtype=dtype if dtype is not None else obj.dtype,
            copy=True,
        )
    else:
        out = as_tensor(obj, dtype=dtype, device=device)
        if copy is False and not _shares_memory_with(obj, out):
            raise ValueError("can't alias the given object to a tensor without a copy (copy=False)")
    if requires_grad:
        out = out.detach().requires_grad_(True) if out is obj else out.requires_grad_(True)
    return out


def _shares_memory_with(obj, t):
    if isinstance(obj, Tensor):
        return obj._shares_storage(t)
    ai = getattr(obj, "__array_interface__", None)
    if ai is not None:
        return ai["data"][0] == t.data_ptr() or t.numel() == 0
    return False


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False, pin_memory=False):
    """Normal samples: ``normal(mean, std, size)`` with float mean and std."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        return _C._normal_tensor(mean, std, generator=generator, out=out)
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments - got (float, float), but expected one of: (float mean, float std, tuple of ints size)")
    return _C._normal_scalar(mean, std, size, generator=generator, out=out, dtype=dtype,
                             device=device, requires_grad=requires_grad)


def set_num_threads(n):
    """Sets the number of CPU threads used for intra-op parallelism (1 runs single-threaded)."""
    if not isinstance(n, _builtins.int) or isinstance(n, _builtins.bool):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _C._set_num_threads(n)


def get_num_threads():
    """The number of CPU threads used for intra-op parallelism."""
    return _C._get_num_threads()


def typename(obj):
    if isinstance(obj, Tensor):
        return obj.type()
    return type(obj).__name__
from . import optim  # noqa: E402,F401
from . import nn  # noqa: F401,E402
from . import utils  # noqa: F401,E402
from ._nnfn import *  # noqa: F401,F403,E402
from .nn._conv_top import *  # noqa: F401,F403,E402
from ._linalg_top import *  # noqa: F401,F403,E402
from . import special  # noqa: F401,E402
from . import _complex  # noqa: F401,E402
from ._dtype_info import *  # noqa: F401,F403,E402
from ._conj2 import positive, dot, vdot  # noqa: F401,E402
from . import _api_extra  # noqa: F401,E402
from . import _api_forms  # noqa: F401,E402
from . import _api_math  # noqa: F401,E402
from . import _api_windows  # noqa: F401,E402
from . import _api_more  # noqa: F401,E402
from . import _api_misc  # noqa: F401,E402
from . import _api2_top  # noqa: F401,E402
from ._storage import UntypedStorage, TypedStorage  # noqa: F401,E402
from ._lowrank import svd_lowrank, pca_lowrank  # noqa: F401,E402
