"""The legacy typed constructors (``torch.FloatTensor`` and friends).

``torch.ByteTensor([1.1, 2, 3])`` converts each Python number with C casts (truncation, and
wrap-around for values outside the range), and ``isinstance(t, torch.FloatTensor)`` checks dtype."""
from . import _C
from ._size import Size


class _LegacyMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, _C.Tensor) and obj.dtype is cls.dtype and obj.device.type == "cpu"

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


def _make(name, dtype):
    def __new__(cls, *args, device=None):
        if not args:
            return _C.empty(0, dtype=dtype, device=device)
        if len(args) == 1 and not isinstance(args[0], int):
            data = args[0]
            if isinstance(data, _C.Tensor):
                if data.dtype is not dtype:
                    raise TypeError(f"expected {dtype} (got {data.dtype})")
                return _C.Tensor(data)  # a new tensor object sharing data's storage
            if isinstance(data, Size):
                return _C.empty(*data, dtype=dtype, device=device)
            return _C.tensor(data, dtype=dtype, device=device)
        return _C.empty(*args, dtype=dtype, device=device)

    return _LegacyMeta(name, (), {"__new__": __new__, "dtype": dtype, "__module__": "oxytorch"})


BoolTensor = _make("BoolTensor", _C.bool)
ByteTensor = _make("ByteTensor", _C.uint8)
CharTensor = _make("CharTensor", _C.int8)
ShortTensor = _make("ShortTensor", _C.int16)
IntTensor = _make("IntTensor", _C.int32)
LongTensor = _make("LongTensor", _C.int64)
HalfTensor = _make("HalfTensor", _C.float16)
BFloat16Tensor = _make("BFloat16Tensor", _C.bfloat16)
FloatTensor = _make("FloatTensor", _C.float32)
DoubleTensor = _make("DoubleTensor", _C.float64)

__all__ = [
    "BoolTensor", "ByteTensor", "CharTensor", "ShortTensor", "IntTensor", "LongTensor",
    "HalfTensor", "BFloat16Tensor", "FloatTensor", "DoubleTensor",
]
