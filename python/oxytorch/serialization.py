"""``torch.save`` / ``torch.load``: PyTorch's checkpoint formats, interchangeable with real PyTorch.

Writing produces torch's zip layout (stored entries, 64-byte aligned payloads, data descriptors,
zip64 end records) with a protocol-2 ``data.pkl`` whose opcodes match torch's own pickler; real
PyTorch loads the files with ``weights_only=True``. Reading accepts torch 2.x zip files and the
legacy pickle-stream format.

``weights_only=True`` (the default) runs a self-contained restricted unpickler: it interprets the
pickle opcodes itself, resolves GLOBALs only through an allowlist of oxytorch objects (plus
``add_safe_globals``), and never imports, calls or looks up anything else.
"""
import builtins as _builtins  # noqa: F401
import codecs as _codecs  # noqa: F401
import collections as _collections  # noqa: F401
import contextlib as _contextlib  # noqa: F401
import io as _io  # noqa: F401
import os as _os
import pickle as _pickle
import struct as _struct  # noqa: F401
import sys as _sys  # noqa: F401
import tempfile as _tempfile  # noqa: F401
import threading as _threading  # noqa: F401
import warnings as _warnings
import zipfile as _zipfile  # noqa: F401
import zlib as _zlib  # noqa: F401

from . import _C  # noqa: F401
from ._home import keep_home as _keep_home

# The implementation lives in the private modules below; every name they define stays importable
# from here. (``_SFR`` and ``_ALLOWED`` are caches their own modules fill lazily: these are the
# import-time values.)
from ._ser_common import (  # noqa: F401
    _ALIGN, _ALL_TORCH_DTYPES, _DTYPE_INFO, _LEGACY_TENSOR_TYPES, _MAGIC_NUMBER, _PROTOCOL_VERSION, _QSTORAGES,
    _STORAGE_TO_DTYPE, DEFAULT_PROTOCOL, UNSAFE_MESSAGE, _dtype_name, _torch,
)
from ._ser_atomic import _SFR, _DirectWriter, _Writeback, _direct_enabled, _sync_file_range, write_atomic  # noqa: F401
from ._ser_save import (  # noqa: F401
    _G, _FastPickler, _Global, _Pickler, _StorageRef, _Unsupported, _ZipWriter, _archive_prefix, _g, _hash_combine,
    _install_dispatch, _is_parameter, _write_zip,
)
from ._ser_allow import (  # noqa: F401
    _ALLOWED, _LEGACY_TENSOR_TYPES_INV, _SAFE_GLOBALS, _SAFE_LOCK, UntypedStorage, _apply_metadata, _allowed_globals,
    _as_typed, _codecs_encode, _default_restore, _get_layout, _global_key, _int_tuple, _legacy_tensor_type,
    _make_parameter, _make_set, _make_tensor, _Placeholder, _rebuild_device_tensor_from_cpu_tensor,
    _rebuild_from_type_v2, _rebuild_parameter, _rebuild_parameter_with_state, _rebuild_tensor, _rebuild_tensor_v2,
    _rebuild_tensor_v3, _restore_location, _safe_bytearray, _set_requires_grad, _storage_dtype, _StorageType,
    _tensor_ctor, _TypedStorage, _unsupported, _user_globals, _validate_cuda, add_safe_globals, clear_safe_globals,
    get_safe_globals, safe_globals,
)
from ._ser_unpickle import (  # noqa: F401
    _BLOCKED_MODULES, _IMPORT_MAPPING, _MAX_STR, _NAME_MAPPING, UnpicklingError, _FileBytes, _FullUnpickler,
    _maybe_decode_ascii, _scan_globals, _Truncated, _WeightsUnpickler,
)
from ._ser_load import _byteswap, _element_size, _load_legacy, _load_zip, _read_pickle_prefix, _ZipReader  # noqa: F401

__all__ = [
    "save",
    "load",
    "add_safe_globals",
    "safe_globals",
    "get_safe_globals",
    "clear_safe_globals",
    "get_unsafe_globals_in_checkpoint",
]


def save(obj, f, pickle_module=_pickle, pickle_protocol=DEFAULT_PROTOCOL, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Saves ``obj`` to ``f`` (a path or a binary file object) in PyTorch's zip checkpoint format.

    Saving to a path is atomic: a temporary file in the same folder is written, fsynced and renamed."""
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("oxytorch does not write the legacy (non-zip) torch.save format")
    if pickle_protocol != 2:
        # torch's weights-only loader rejects FRAME (protocol 4+); keep the files loadable.
        if pickle_protocol not in (2, 3):
            raise ValueError(f"oxytorch.save supports pickle protocols 2 and 3, got {pickle_protocol}")
    prefix = _archive_prefix(f)
    if isinstance(f, (str, bytes, _os.PathLike)):
        write_atomic(f, lambda fh: _write_zip(fh, obj, prefix, pickle_protocol))
    else:
        _write_zip(f, obj, prefix, pickle_protocol)


def _is_path(f):
    return isinstance(f, (str, _os.PathLike))


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Loads an object saved with ``torch.save`` (by oxytorch or by PyTorch).

    ``weights_only=True`` (the default) only rebuilds tensors, containers, primitive values and
    allowlisted globals, and executes nothing else. ``map_location`` may be a device string, a
    ``device``, a dict remapping location tags, or a callable ``f(storage, location)``."""
    torch = _torch()
    weights_only_not_set = weights_only is None
    if weights_only_not_set:
        weights_only = pickle_module is None
    true_values = ["1", "y", "yes", "true"]
    force_wo = _os.getenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "0").lower() in true_values
    force_no_wo = _os.getenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0").lower() in true_values
    if force_wo and force_no_wo:
        raise RuntimeError(
            "Only one of `TORCH_FORCE_WEIGHTS_ONLY_LOAD` or `TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` "
            "should be set, but both were set."
        )
    elif force_wo:
        weights_only = True
    elif force_no_wo and weights_only_not_set:
        weights_only = False
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if pickle_load_args and weights_only:
        _warnings.warn("pickle_load_args only works if `weights_only=False`.")
    encoding = pickle_load_args.pop("encoding", "utf-8")
    mmap = bool(mmap)

    if _is_path(f):
        fspath = _os.fspath(f)
        if isinstance(fspath, str) and fspath.endswith(".safetensors"):
            from . import safetensors as _st

            device = "cpu"
            if map_location is not None:
                if isinstance(map_location, dict):
                    raise RuntimeError(
                        "Loading safetensors file with dict map_location is not supported. "
                        "Use a device string or torch.device instead."
                    )
                if isinstance(map_location, (str, bytes, torch.device)):
                    device = str(map_location)
                elif callable(map_location):
                    raise RuntimeError(
                        "Loading safetensors file with callable map_location is not supported. "
                        "Use a device string or torch.device instead."
                    )
            return _st.load_file(fspath, device=device)
        fh = open(fspath, "rb")
        close = True
    else:
        fh = f
        close = False
    try:
        start = fh.tell()
        fh.seek(0, 2)
        size = fh.seek(0, 2)
        fh.seek(start)
        magic = fh.read(4)
        fh.seek(start)
        if magic == b"PK\x03\x04":
            mapped = None
            if mmap:
                if not _is_path(f):
                    raise ValueError("f must be a file path in order to use the mmap argument")
                mapped = _C._map_file(_os.fspath(f))
            reader = _ZipReader(fh, size)
            try:
                return _load_zip(reader, map_location, weights_only, mapped, encoding)
            except UnpicklingError as e:
                if weights_only:
                    raise UnpicklingError(_get_wo_message(str(e))) from None
                raise
        if mmap:
            f_name = "" if not isinstance(f, str) else f"{f}, "
            raise RuntimeError(
                "mmap can only be used with files saved with "
                f"`torch.save({f_name}_use_new_zipfile_serialization=True), "
                "please torch.save your checkpoint with this option in order to use mmap."
            )
        try:
            return _load_legacy(fh, size, map_location, weights_only, encoding)
        except UnpicklingError as e:
            if weights_only:
                raise UnpicklingError(_get_wo_message(str(e))) from None
            raise
    finally:
        if close:
            fh.close()


def _get_wo_message(message):
    import re

    docs = (
        "\n\nCheck the documentation of torch.load to learn more about types accepted by default with "
        "weights_only https://pytorch.org/docs/stable/generated/torch.load.html."
    )
    if re.search(r"GLOBAL (\S+) was not an allowed global by default.", message):
        out = (
            "Weights only load failed. This file can still be loaded, to do so you have two options, "
            "\033[1mdo those steps only if you trust the source of the checkpoint\033[0m. "
            f"\n\t(1) {UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with `weights_only=True` please check "
            "the recommended steps in the following error message.\n\tWeightsUnpickler error: " + message
        )
    else:
        if re.search(r"(\S+) must be (\S+) to load", message):
            return f"Weights only load failed. {message}\n {UNSAFE_MESSAGE}\n"
        out = f"Weights only load failed. {UNSAFE_MESSAGE}\n"
        if not re.search(r"whose module (\S+) is blocked", message):
            out += (
                "Please file an issue with the following so that we can make "
                "`weights_only=True` compatible with your use case: WeightsUnpickler error: "
            )
        out += "\n\n" + message
    return out + docs


def get_unsafe_globals_in_checkpoint(f):
    """The GLOBALs in a checkpoint's pickle that the weights_only allowlists do not cover."""
    allowed = set(_allowed_globals()) | set(_user_globals())
    if _is_path(f):
        fh = open(_os.fspath(f), "rb")
        close = True
    else:
        fh, close = f, False
    try:
        size = fh.seek(0, 2)
        fh.seek(0)
        if fh.read(4) != b"PK\x03\x04":
            raise ValueError("Expected input to be a checkpoint returned by torch.save")
        fh.seek(0)
        reader = _ZipReader(fh, size)
        names = _scan_globals(reader.read_small("data.pkl"))
    finally:
        if close:
            fh.close()
    return sorted({n for n in names if n not in allowed})


_keep_home(globals(), "oxytorch._ser_")
del _keep_home
