"""Constants, dtype tables and the lazy ``oxytorch`` handle shared by the ``torch.save`` /
``torch.load`` modules (see ``oxytorch.serialization``)."""

DEFAULT_PROTOCOL = 2
_MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
_PROTOCOL_VERSION = 1001
_ALIGN = 64

UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will likely succeed, "
    "but it can result in arbitrary code execution. Do it only if you got the file from a "
    "trusted source."
)


def _torch():
    import oxytorch

    return oxytorch


# ==============================================================================================
# dtype tables

# torch dtype name -> (legacy storage class name or None for UntypedStorage, element size)
_DTYPE_INFO = {
    "float64": ("DoubleStorage", 8),
    "float32": ("FloatStorage", 4),
    "float16": ("HalfStorage", 2),
    "bfloat16": ("BFloat16Storage", 2),
    "int64": ("LongStorage", 8),
    "int32": ("IntStorage", 4),
    "int16": ("ShortStorage", 2),
    "int8": ("CharStorage", 1),
    "uint8": ("ByteStorage", 1),
    "bool": ("BoolStorage", 1),
    "complex64": ("ComplexFloatStorage", 8),
    "complex128": ("ComplexDoubleStorage", 16),
    "complex32": (None, 4),
    "uint16": (None, 2),
    "uint32": (None, 4),
    "uint64": (None, 8),
    "float8_e4m3fn": (None, 1),
    "float8_e5m2": (None, 1),
}
_STORAGE_TO_DTYPE = {v[0]: k for k, v in _DTYPE_INFO.items() if v[0]}
_QSTORAGES = {"QInt8Storage": "qint8", "QInt32Storage": "qint32", "QUInt8Storage": "quint8",
              "QUInt4x2Storage": "quint4x2", "QUInt2x4Storage": "quint2x4"}
_ALL_TORCH_DTYPES = (
    "bool uint8 int8 int16 int32 int64 float16 bfloat16 float32 float64 complex32 complex64 complex128 "
    "qint8 qint32 quint8 quint4x2 quint2x4 float8_e4m3fn float8_e4m3fnuz float8_e5m2 float8_e5m2fnuz "
    "float8_e8m0fnu float4_e2m1fn_x2 bits8 bits16 bits1x8 bits2x4 bits4x2 "
    "uint1 uint2 uint3 uint4 uint5 uint6 uint7 uint16 uint32 uint64 int1 int2 int3 int4 int5 int6 int7"
).split()
_LEGACY_TENSOR_TYPES = {
    "DoubleTensor": "float64", "FloatTensor": "float32", "HalfTensor": "float16", "LongTensor": "int64",
    "IntTensor": "int32", "ShortTensor": "int16", "CharTensor": "int8", "ByteTensor": "uint8",
    "BoolTensor": "bool", "BFloat16Tensor": "bfloat16",
}


def _dtype_name(dt):
    return str(dt).split(".")[-1]
