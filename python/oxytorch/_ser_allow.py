"""The ``weights_only`` allowlist (torch's default globals mapped to oxytorch objects, plus the
user's ``add_safe_globals``) and the storage types and rebuild functions it resolves to."""
import builtins as _builtins
import codecs as _codecs
import collections as _collections
import contextlib as _contextlib
import pickle as _pickle
import threading as _threading

from . import _C
from ._ser_common import _ALL_TORCH_DTYPES, _LEGACY_TENSOR_TYPES, _QSTORAGES, _STORAGE_TO_DTYPE, _torch


# ==============================================================================================
# Allowlist


_SAFE_GLOBALS = {}
_SAFE_LOCK = _threading.Lock()


def _global_key(obj):
    return f"{obj.__module__}.{obj.__qualname__}"


def add_safe_globals(safe_globals):
    """Allowlists globals for ``weights_only`` loading: objects, or ``(obj, "full.path.Name")`` tuples."""
    with _SAFE_LOCK:
        for f in safe_globals:
            if isinstance(f, tuple):
                if len(f) != 2:
                    raise ValueError(
                        f"Expected tuple of length 2 (global, str of callable full path), but got tuple of length: {len(f)}"
                    )
                if not isinstance(f[1], str):
                    raise TypeError(f"Expected second item in tuple to be str of callable full path, but got: {type(f[1])}")
                _SAFE_GLOBALS[f[1]] = f
            else:
                _SAFE_GLOBALS[_global_key(f)] = f


def get_safe_globals():
    """The user allowlist, as passed to ``add_safe_globals``."""
    with _SAFE_LOCK:
        return list(_SAFE_GLOBALS.values())


def clear_safe_globals():
    """Empties the user allowlist."""
    with _SAFE_LOCK:
        _SAFE_GLOBALS.clear()


class safe_globals(_contextlib.ContextDecorator):
    """Context manager that allowlists globals for ``weights_only`` loading within its block."""

    def __init__(self, safe_globals):
        self.safe_globals = safe_globals

    def __enter__(self):
        with _SAFE_LOCK:
            self._saved = dict(_SAFE_GLOBALS)
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        with _SAFE_LOCK:
            _SAFE_GLOBALS.clear()
            _SAFE_GLOBALS.update(self._saved)
        return False


def _user_globals():
    with _SAFE_LOCK:
        return {k: (v[0] if isinstance(v, tuple) else v) for k, v in _SAFE_GLOBALS.items()}


# ==============================================================================================
# Loading: storages, rebuild functions


class _StorageType:
    """What a ``torch.<X>Storage`` GLOBAL resolves to: a dtype (None for UntypedStorage)."""

    def __init__(self, dtype_name):
        self.dtype_name = dtype_name

    def __repr__(self):
        return f"StorageType(dtype={self.dtype_name})"


class UntypedStorage:
    """A loaded storage: raw bytes (a uint8 tensor) plus its device. ``map_location`` callables
    receive and may return these."""

    def __init__(self, data, device="cpu"):
        self._data = data  # 1-D uint8 oxytorch tensor
        self._device = str(device)

    @property
    def device(self):
        return _torch().device(self._device)

    def nbytes(self):
        return self._data.numel()

    def size(self):
        return self._data.numel()

    def __len__(self):
        return self._data.numel()

    def cpu(self):
        return UntypedStorage(self._data, "cpu") if self._device != "cpu" else self

    def cuda(self, device=None):
        dev = "cuda" if device is None else (f"cuda:{device}" if isinstance(device, int) else str(device))
        return self.to(dev)

    def to(self, device):
        device = str(device)
        if device == "cpu":
            return self.cpu()
        if device.startswith("cuda"):
            _validate_cuda(device)
        return UntypedStorage(self._data, device)

    def __repr__(self):
        return f"UntypedStorage(nbytes={self.nbytes()}, device={self._device})"


class _TypedStorage:
    def __init__(self, untyped, dtype_name):
        self.untyped = untyped
        self.dtype_name = dtype_name


def _validate_cuda(location):
    cuda = _torch().cuda
    if not cuda.is_available():
        raise RuntimeError(
            "Attempting to deserialize object on a CUDA "
            "device but torch.cuda.is_available() is False. "
            "If you are running on a CPU-only machine, "
            "please use torch.load with map_location=torch.device('cpu') "
            "to map your storages to the CPU."
        )
    idx = int(location.split(":")[1]) if ":" in location else 0
    count = cuda.device_count()
    if idx >= count:
        raise RuntimeError(
            f"Attempting to deserialize object on CUDA device {idx} but torch.cuda.device_count() is {count}. "
            "Please use torch.load with map_location to map your storages to an existing device."
        )


def _default_restore(storage, location):
    if location == "cpu":
        return storage.cpu()
    if location.startswith("cuda"):
        _validate_cuda(location)
        return UntypedStorage(storage._data, location)
    raise RuntimeError(
        f"don't know how to restore data location of torch.storage.UntypedStorage (tagged with {location})"
    )


def _restore_location(map_location):
    torch = _torch()
    if map_location is None:
        return _default_restore
    if isinstance(map_location, dict):
        return lambda s, loc: _default_restore(s, map_location.get(loc, loc))
    if isinstance(map_location, (str, torch.device)):
        target = str(map_location)
        return lambda s, loc: _default_restore(s, target)
    if isinstance(map_location, bytes):
        raise TypeError("cannot use a string pattern on a bytes-like object")
    if callable(map_location):

        def restore(s, loc):
            r = map_location(s, loc)
            if r is None:
                r = _default_restore(s, loc)
            if isinstance(r, UntypedStorage):
                return r
            if isinstance(r, _C.Tensor):
                return UntypedStorage(r, str(r.device))
            raise TypeError(f"map_location returned an unsupported storage type {type(r)}")

        return restore
    raise ValueError(f"unsupported map_location {map_location!r}")


def _storage_dtype(st):
    torch = _torch()
    return getattr(torch, st.dtype_name)


def _as_typed(storage):
    if isinstance(storage, _TypedStorage):
        return storage
    if isinstance(storage, UntypedStorage):
        return _TypedStorage(storage, None)
    raise _pickle.UnpicklingError(f"expected a storage, got {type(storage).__name__}")


def _make_tensor(storage, dtype, storage_offset, size, stride):
    torch = _torch()
    ts = _as_typed(storage)
    if not isinstance(dtype, torch.dtype):
        raise NotImplementedError(f"oxytorch cannot load tensors of dtype torch.{getattr(dtype, 'name', dtype)} yet")
    size = _int_tuple(size, "size")
    stride = _int_tuple(stride, "stride")
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if not isinstance(storage_offset, int) or storage_offset < 0:
        raise RuntimeError(f"invalid storage offset {storage_offset!r}")
    data = ts.untyped._data
    if dtype == torch.bool and data.numel():
        raw = data.numpy()
        if (raw > 1).any():
            data = torch.from_numpy((raw != 0).astype("uint8"))
    t = _C._from_buffer(data, dtype, list(size), list(stride), storage_offset)
    dev = ts.untyped._device
    if dev != "cpu":
        t = t.to(dev)
    return t


def _int_tuple(v, what):
    if not isinstance(v, (tuple, list)) or not all(isinstance(x, int) and not isinstance(x, bool) for x in v):
        raise RuntimeError(f"invalid tensor {what}: {v!r}")
    return tuple(v)


def _apply_metadata(t, metadata):
    if not metadata:
        return t
    if not isinstance(metadata, dict):
        return t
    # The bits are lazy views of the loaded storage, as torch restores them.
    if metadata.get("neg"):
        t = _C._neg_view(t)
    if metadata.get("conj"):
        t = _C._conj(t)
    return t


def _rebuild_tensor(storage, storage_offset, size, stride):
    ts = _as_typed(storage)
    if ts.dtype_name is None:
        raise RuntimeError("_rebuild_tensor needs a typed storage")
    return _make_tensor(storage, _storage_dtype(ts), storage_offset, size, stride)


def _set_requires_grad(t, requires_grad):
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    ts = _as_typed(storage)
    if ts.dtype_name is None:
        raise RuntimeError("_rebuild_tensor_v2 needs a typed storage")
    t = _make_tensor(storage, _storage_dtype(ts), storage_offset, size, stride)
    t = _apply_metadata(t, metadata)
    return _set_requires_grad(t, requires_grad)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None):
    t = _make_tensor(storage, dtype, storage_offset, size, stride)
    t = _apply_metadata(t, metadata)
    return _set_requires_grad(t, requires_grad)


def _make_parameter(data, requires_grad=True):
    """Builds what ``torch.nn.Parameter(data, requires_grad)`` gives. Until oxytorch.nn exists this
    is a plain tensor with ``requires_grad`` set; swap in ``nn.Parameter`` here when it lands."""
    nn = getattr(_torch(), "nn", None)
    P = getattr(nn, "Parameter", None) if nn is not None else None
    if P is not None:
        return P(data, requires_grad)
    t = data.detach()
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_parameter(data, requires_grad, backward_hooks):
    return _make_parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    p = _make_parameter(data, requires_grad)
    if isinstance(state, dict):
        for k, v in state.items():
            setattr(p, k, v)
    return p


def _rebuild_from_type_v2(func, new_type, args, state):
    ret = func(*args)
    if state and isinstance(state, dict):
        for k, v in state.items():
            setattr(ret, k, v)
    return ret


def _rebuild_device_tensor_from_cpu_tensor(data, dtype, device, requires_grad):
    t = data.to(dtype=dtype, device=device)
    return _set_requires_grad(t, requires_grad)


def _unsupported(name):
    def f(*args, **kwargs):
        raise RuntimeError(f"oxytorch cannot load tensors rebuilt with torch._utils.{name} (unsupported tensor kind)")

    f.__name__ = name
    return f


def _get_layout(name):
    torch = _torch()
    if name == "torch.strided":
        return torch.strided
    raise RuntimeError(f"oxytorch does not support layout {name}")


def _codecs_encode(obj, encoding="utf-8", errors="strict"):
    if not isinstance(obj, str) or not isinstance(encoding, str) or not isinstance(errors, str):
        raise _pickle.UnpicklingError("_codecs.encode expects str arguments")
    return _codecs.encode(obj, encoding, errors)


def _safe_bytearray(*args):
    if args and not isinstance(args[0], (bytes, bytearray, str)):
        raise _pickle.UnpicklingError("bytearray() in a checkpoint must be built from bytes")
    return _builtins.bytearray(*args)


def _tensor_ctor(*args):
    if args:
        raise _pickle.UnpicklingError("torch.Tensor(...) with arguments is not supported in checkpoints")
    torch = _torch()
    return torch.empty(0)


def _make_set(*args):
    return set(*args)


class _Placeholder:
    """A torch object oxytorch has no equivalent of (e.g. a quantization scheme, an unsupported dtype)."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"


def _legacy_tensor_type(dname):
    def make(*args):
        torch = _torch()
        if args:
            raise RuntimeError(f"legacy torch.{_LEGACY_TENSOR_TYPES_INV[dname]} construction is not supported")
        return torch.empty(0, dtype=getattr(torch, dname))

    return make


_LEGACY_TENSOR_TYPES_INV = {v: k for k, v in _LEGACY_TENSOR_TYPES.items()}

_ALLOWED = None


def _allowed_globals():
    """torch's default weights_only allowlist, mapped to oxytorch objects."""
    global _ALLOWED
    if _ALLOWED is not None:
        return _ALLOWED
    torch = _torch()
    rc = {
        "collections.OrderedDict": _collections.OrderedDict,
        "collections.Counter": _collections.Counter,
        "builtins.set": _make_set,
        "builtins.complex": complex,
        "builtins.bytearray": _safe_bytearray,
        "_codecs.encode": _codecs_encode,
        "torch.Size": torch.Size,
        "torch.Tensor": _tensor_ctor,
        "torch.device": torch.device,
        "torch.nn.parameter.Parameter": _make_parameter,
        "torch.serialization._get_layout": _get_layout,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch._utils._rebuild_tensor": _rebuild_tensor,
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
        "torch._utils._rebuild_device_tensor_from_cpu_tensor": _rebuild_device_tensor_from_cpu_tensor,
    }
    for name in ("_rebuild_qtensor", "_rebuild_sparse_tensor", "_rebuild_meta_tensor_no_storage",
                 "_rebuild_nested_tensor", "_rebuild_wrapper_subclass", "_rebuild_device_tensor_from_numpy"):
        rc[f"torch._utils.{name}"] = _unsupported(name)
    for name in _ALL_TORCH_DTYPES:
        rc[f"torch.{name}"] = getattr(torch, name, None) or _Placeholder(name)
    for cls, dname in _STORAGE_TO_DTYPE.items():
        rc[f"torch.{cls}"] = _StorageType(dname)
        rc[f"torch.cuda.{cls}"] = _StorageType(dname)
    for cls, qname in _QSTORAGES.items():
        rc[f"torch.{cls}"] = _StorageType(qname)
    rc["torch.storage.UntypedStorage"] = _StorageType(None)
    rc["torch.storage.TypedStorage"] = _StorageType(None)
    for cls, dname in _LEGACY_TENSOR_TYPES.items():
        rc[f"torch.{cls}"] = _legacy_tensor_type(dname)
        rc[f"torch.cuda.{cls}"] = _legacy_tensor_type(dname)
        if dname != "bool":
            rc[f"torch.sparse.{cls}"] = _unsupported(f"sparse.{cls}")
            rc[f"torch.cuda.sparse.{cls}"] = _unsupported(f"cuda.sparse.{cls}")
    for q in ("per_tensor_affine", "per_tensor_symmetric", "per_channel_affine", "per_channel_symmetric",
              "per_channel_affine_float_qparams"):
        rc[f"torch.{q}"] = _Placeholder(q)
    _ALLOWED = rc
    return rc
