"""``torch.finfo`` and ``torch.iinfo``: machine limits of the floating and integer dtypes."""
from . import _C

# name -> (bits, eps, max, tiny, resolution); min is -max.
_FLOAT = {
    "float16": (16, 2.0 ** -10, 65504.0, 2.0 ** -14, 0.001),
    "bfloat16": (16, 2.0 ** -7, 3.3895313892515355e38, 2.0 ** -126, 0.01),
    "float32": (32, 2.0 ** -23, 3.4028234663852886e38, 2.0 ** -126, 1e-06),
    "float64": (64, 2.0 ** -52, 1.7976931348623157e308, 2.0 ** -1022, 1e-15),
    "float8_e4m3fn": (8, 2.0 ** -3, 448.0, 2.0 ** -6, 1.0),
    "float8_e5m2": (8, 2.0 ** -2, 57344.0, 2.0 ** -14, 1.0),
}
_REAL_OF = {"complex32": "float16", "complex64": "float32", "complex128": "float64"}
# name -> (bits, min, max)
_INT = {
    "uint8": (8, 0, 255),
    "int8": (8, -128, 127),
    "int16": (16, -32768, 32767),
    "int32": (32, -(2 ** 31), 2 ** 31 - 1),
    "int64": (64, -(2 ** 63), 2 ** 63 - 1),
    "uint16": (16, 0, 2 ** 16 - 1),
    "uint32": (32, 0, 2 ** 32 - 1),
    "uint64": (64, 0, 2 ** 64 - 1),
}


def _name(dt):
    return str(dt).split(".")[-1]


class finfo:
    """Limits of a floating dtype (complex dtypes report their real part's)."""

    def __init__(self, type=None):
        if type is None:
            type = _C.get_default_dtype()
        if not isinstance(type, _C.dtype):
            raise TypeError(f"finfo(): argument 'type' (position 1) must be torch.dtype, not {_type_name(type)}")
        name = _REAL_OF.get(_name(type), _name(type))
        if name not in _FLOAT:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle 'torch.finfo'")
        self.bits, self.eps, self.max, self.tiny, self.resolution = _FLOAT[name]
        self.min = -self.max
        self.smallest_normal = self.tiny
        self.dtype = name

    def __eq__(self, other):
        return isinstance(other, finfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("finfo", self.dtype))

    def __repr__(self):
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
            f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})"
        )

    __str__ = __repr__


class iinfo:
    """Limits of an integer dtype."""

    def __init__(self, type):
        if not isinstance(type, _C.dtype):
            raise TypeError(f"iinfo(): argument 'type' (position 1) must be torch.dtype, not {_type_name(type)}")
        name = _name(type)
        if name == "bool":
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if name not in _INT:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle 'torch.iinfo'")
        self.bits, self.min, self.max = _INT[name]
        self.dtype = name

    def __eq__(self, other):
        return isinstance(other, iinfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("iinfo", self.dtype))

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"

    __str__ = __repr__


def _type_name(x):
    return type(x).__name__


uint16 = _C.uint16
uint32 = _C.uint32
uint64 = _C.uint64
float8_e4m3fn = _C.float8_e4m3fn
float8_e5m2 = _C.float8_e5m2

__all__ = ["finfo", "iinfo", "uint16", "uint32", "uint64", "float8_e4m3fn", "float8_e5m2"]
