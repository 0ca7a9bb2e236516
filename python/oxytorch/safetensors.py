"""safetensors files for oxytorch, mirroring ``safetensors.torch``.

Files are byte-identical to the reference writer's (for at most one metadata key: the reference
orders ``__metadata__`` keys at random, oxytorch sorts them). Loading memory-maps the file
copy-on-write: tensors borrow the mapped pages, so opening is O(header) and memory grows only as
tensors are touched. The header is validated by the reference ``safetensors`` Rust crate, so the
rejections and messages are the reference library's.
"""
import json as _json
import os as _os
import re as _re

from . import _C
from . import serialization as _atomic

__all__ = ["SafetensorError", "save", "save_file", "load", "load_file", "safe_open", "save_model", "load_model"]


class SafetensorError(Exception):
    """Raised for malformed safetensors data (the reference library's error type)."""


def _dtype_tables():
    import oxytorch as torch

    # safetensors dtype string -> oxytorch dtype; dtypes oxytorch lacks are absent.
    to_torch = {
        "F64": torch.float64,
        "F32": torch.float32,
        "F16": torch.float16,
        "BF16": torch.bfloat16,
        "I64": torch.int64,
        "I32": torch.int32,
        "I16": torch.int16,
        "I8": torch.int8,
        "U8": torch.uint8,
        "BOOL": torch.bool,
        "C64": torch.complex64,
        "U16": torch.uint16,
        "U32": torch.uint32,
        "U64": torch.uint64,
        "F8_E4M3": torch.float8_e4m3fn,
        "F8_E5M2": torch.float8_e5m2,
    }
    from_torch = {v: k for k, v in to_torch.items()}
    return to_torch, from_torch


_TABLES = None


def _tables():
    global _TABLES
    if _TABLES is None:
        _TABLES = _dtype_tables()
    return _TABLES


# The reference writer's order: dtype rank (the Rust enum order) descending, then name bytes.
_RANK = {
    n: i
    for i, n in enumerate(
        "BOOL F4 F6_E2M3 F6_E3M2 U8 I8 F8_E5M2 F8_E4M3 F8_E8M0 F8_E4M3FNUZ F8_E5M2FNUZ I16 U16 F16 BF16 I32 U32 "
        "F32 C64 F64 I64 U64".split()
    )
}

# torch dtypes the format has but oxytorch does not (for a clear error on load).
_MISSING = {
    "U16": "uint16",
    "U32": "uint32",
    "U64": "uint64",
    "F8_E4M3": "float8_e4m3fn",
    "F8_E5M2": "float8_e5m2",
    "F8_E4M3FNUZ": "float8_e4m3fnuz",
    "F8_E5M2FNUZ": "float8_e5m2fnuz",
    "F8_E8M0": "float8_e8m0fnu",
    "F4": "float4_e2m1fn_x2",
    "F6_E2M3": "float6_e2m3",
    "F6_E3M2": "float6_e3m2",
}

_DEVICE_RE = _re.compile(r"^(cpu|cuda|mps|npu|xpu|xla|mlu|hpu|musa)(:\d+)?$")


def _is_tensor(v):
    return isinstance(v, _C.Tensor)


# ----------------------------------------------------------------------------------------------
# Saving


def _storage_span(t):
    """(device, storage address, storage size) identity and the [start, end) byte range of t."""
    isz = t.element_size()
    start = t.data_ptr()
    if t.numel() == 0:
        end = start
    else:
        hi = t.storage_offset() + sum((s - 1) * st for s, st in zip(t.shape, t.stride()) if st > 0)
        end = t.untyped_storage_ptr() + (hi + 1) * isz
    return start, end


def _find_shared_tensors(tensors):
    groups = {}
    for k, v in tensors.items():
        ptr = v.untyped_storage_ptr()
        size = v._storage_nbytes()
        if ptr != 0 and size != 0:
            groups.setdefault((str(v.device), ptr, size), set()).add(k)
    out = []
    for shared in groups.values():
        if len(shared) < 2:
            out.append(shared)
            continue
        areas = sorted((*_storage_span(tensors[n]), n) for n in shared)
        _, last_stop, last_name = areas[0]
        out.append({last_name})
        for start, stop, name in areas[1:]:
            if start >= last_stop:
                out.append({name})
            else:
                out[-1].add(name)
            last_stop = stop
    return out


def _check_for_save(tensors):
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, torch.Tensor] but received {type(tensors)}")
    for k, v in tensors.items():
        if not _is_tensor(v):
            raise ValueError(f"Key `{k}` is invalid, expected torch.Tensor but received {type(v)}")
    failing = [names for names in _find_shared_tensors(tensors) if len(names) > 1]
    if failing:
        raise RuntimeError(
            f"""
            Some tensors share memory, this will lead to duplicate memory on disk and potential differences when loading them again: {failing}.
            A potential way to correctly save your model is to use `save_model`.
            More information at https://huggingface.co/docs/safetensors/torch_shared_tensors
            """
        )
    for k, v in tensors.items():
        if not v.is_contiguous():
            raise ValueError(
                f"You are trying to save a non contiguous tensor: `{k}` which is not allowed. It either means you"
                " are trying to save tensors which are reference of each other in which case it's recommended to save"
                " only the full tensors, and reslice at load time, or simply call `.contiguous()` on your tensor to"
                " pack it before saving."
            )


def _tensor_bytes(t):
    """A memoryview of the contiguous tensor's bytes (zero-copy on the CPU)."""
    n = t.numel() * t.element_size()
    if n == 0:
        return memoryview(b"")
    if t.device.type != "cpu":
        t = t.cpu()
    start = t.storage_offset() * t.element_size()
    raw = _C._storage_bytes(t).numpy()
    return memoryview(raw[start : start + n])


def _build(tensors, metadata):
    """Validates, then returns (header bytes including the 8-byte length, [data memoryviews])."""
    _check_for_save(tensors)
    _, from_torch = _tables()
    for k in tensors:
        if not isinstance(k, str):
            raise TypeError(f"argument 'tensor_dict': '{type(k).__name__}' object is not an instance of 'str'")
    if metadata is not None:
        if not isinstance(metadata, dict):
            raise TypeError(f"argument 'metadata': '{type(metadata).__name__}' object is not an instance of 'dict'")
        for mk, mv in metadata.items():
            for x in (mk, mv):
                if not isinstance(x, str):
                    raise TypeError(f"argument 'metadata': '{type(x).__name__}' object is not an instance of 'str'")
    entries = []
    for k, v in tensors.items():
        code = from_torch.get(v.dtype)
        if code is None:
            raise KeyError(str(v.dtype))
        if k == "__metadata__":
            # The reference writes this name, then cannot read the file back.
            raise ValueError("Cannot save a tensor named `__metadata__`: the name is reserved for the file's metadata")
        entries.append((-_RANK[code], k.encode("utf-8"), k, code, v))
    entries.sort(key=lambda e: (e[0], e[1]))

    def js(s):
        return _json.dumps(s, ensure_ascii=False)

    parts = []
    if metadata is not None:
        items = ",".join(f"{js(mk)}:{js(metadata[mk])}" for mk in sorted(metadata))
        parts.append('"__metadata__":{' + items + "}")
    offset = 0
    views = []
    for _, _, name, code, t in entries:
        n = t.numel() * t.element_size()
        shape = ",".join(str(d) for d in t.shape)
        parts.append(f'{js(name)}:{{"dtype":"{code}","shape":[{shape}],"data_offsets":[{offset},{offset + n}]}}')
        offset += n
        views.append(_tensor_bytes(t))
    header = ("{" + ",".join(parts) + "}").encode("utf-8")
    header += b" " * (-len(header) % 8)
    return len(header).to_bytes(8, "little") + header, views


def save(tensors, metadata=None):
    """Serialises ``tensors`` (a dict of str -> contiguous tensor) to safetensors bytes."""
    head, views = _build(tensors, metadata)
    return b"".join([head, *views])


def save_file(tensors, filename, metadata=None):
    """Writes ``tensors`` to ``filename`` atomically (temp file in the same folder, fsync, rename)."""
    head, views = _build(tensors, metadata)

    def write(f):
        f.write(head)
        for v in views:
            f.write(v)

    _atomic.write_atomic(filename, write, mode=0o600)


# ----------------------------------------------------------------------------------------------
# Loading


def _check_device(device):
    if isinstance(device, bool):
        raise SafetensorError(f"device {device} is invalid")
    if isinstance(device, int):
        if device < 0:
            raise SafetensorError(f"device {device} is invalid")
        return f"cuda:{device}"
    if isinstance(device, str) and _DEVICE_RE.match(device):
        return device
    if isinstance(device, str):
        raise SafetensorError(f"device {device} is invalid")
    raise SafetensorError(f"device {device!r} is invalid")


def _contig_strides(shape):
    strides = []
    acc = 1
    for d in reversed(shape):
        strides.append(acc)
        acc *= max(d, 1)
    return strides[::-1]


class _Parsed:
    """A validated safetensors buffer: the byte tensor, its header and entries by name."""

    def __init__(self, buf, prefix):
        try:
            header_len, metadata, entries = _C._st_parse(buf)
        except ValueError as e:
            raise SafetensorError(f"{prefix}{e}") from None
        self.buf = buf
        self.base = 8 + header_len
        self.meta = metadata
        self.order = [e[0] for e in entries]
        self.entries = {e[0]: e for e in entries}

    def tensor(self, name, device="cpu"):
        import oxytorch as torch

        to_torch, _ = _tables()
        _, code, shape, start, end = self.entries[name]
        dt = to_torch.get(code)
        if dt is None:
            raise TypeError(
                f"safetensors dtype {code} (torch.{_MISSING.get(code, code)}) is not supported by oxytorch yet"
            )
        sub = _C._sub_storage(self.buf, self.base + start, end - start)
        if code == "BOOL" and end > start:
            raw = sub.numpy()
            if (raw > 1).any():
                # bool bytes must be 0 or 1; normalise hostile data in a private copy.
                sub = torch.from_numpy((raw != 0).astype("uint8"))
        t = _C._from_buffer(sub, dt, list(shape), _contig_strides(shape), 0)
        if device != "cpu":
            t = t.to(device)
        return t


def _open(filename):
    path = _os.fspath(filename)
    if not _os.path.exists(path):
        raise FileNotFoundError(f"No such file or directory: {path}")
    try:
        return _C._map_file(path)
    except RuntimeError as e:
        raise SafetensorError(f"Error while deserializing header: {e}") from None


class _Slice:
    def __init__(self, parsed, name, device):
        self._p = parsed
        self._name = name
        self._device = device

    def get_shape(self):
        return list(self._p.entries[self._name][2])

    def get_dtype(self):
        return self._p.entries[self._name][1]

    def __getitem__(self, index):
        t = self._p.tensor(self._name)
        return t[index].contiguous().clone().to(self._device) if self._device != "cpu" else t[index].clone()


class safe_open:
    """``with safe_open(path, framework="pt", device="cpu") as f:`` reads tensors lazily."""

    def __init__(self, filename, framework="pt", device="cpu"):
        if framework not in ("pt", "torch", "pytorch"):
            raise SafetensorError(f"framework {framework} is invalid")
        self._device = _check_device(device)
        self._p = _Parsed(_open(filename), "Error while deserializing header: ")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def keys(self):
        return sorted(self._p.order)

    def offset_keys(self):
        return list(self._p.order)

    def metadata(self):
        return None if self._p.meta is None else dict(self._p.meta)

    def get_tensor(self, name):
        if name not in self._p.entries:
            raise SafetensorError(f"File does not contain tensor {name}")
        return self._p.tensor(name, self._device)

    def get_slice(self, name):
        if name not in self._p.entries:
            raise SafetensorError(f"File does not contain tensor {name}")
        return _Slice(self._p, name, self._device)


def load_file(filename, device="cpu"):
    """Loads every tensor of a safetensors file, memory-mapped, as a dict in data-offset order."""
    device = _check_device(device)
    p = _Parsed(_open(filename), "Error while deserializing header: ")
    return {name: p.tensor(name, device) for name in p.order}


def load(data):
    """Loads safetensors bytes into a dict of tensors (which copy the data once)."""
    import oxytorch as torch

    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"argument 'bytes': '{type(data).__name__}' object is not an instance of 'bytes'")
    import numpy as np

    buf = torch.from_numpy(np.frombuffer(bytes(data), dtype=np.uint8).copy()) if data else torch.zeros(0, dtype=torch.uint8)
    p = _Parsed(buf, "Error while deserializing: ")
    return {name: p.tensor(name) for name in p.order}


# ----------------------------------------------------------------------------------------------
# Models (shared tensors are saved once, under one name)


def _is_complete(t):
    return t.data_ptr() == t.untyped_storage_ptr() and t.numel() * t.element_size() == t._storage_nbytes()


def _remove_duplicate_names(state_dict, *, preferred_names=None, discard_names=None):
    preferred_names = set(preferred_names or [])
    discard_names = set(discard_names or [])
    to_remove = {}
    for shared in _find_shared_tensors(state_dict):
        complete = {n for n in shared if _is_complete(state_dict[n])}
        if not complete:
            raise RuntimeError(
                "Error while trying to find names to remove to save state dict, but found no suitable name to keep"
                f" for saving amongst: {shared}. None is covering the entire storage.Refusing to save/load the model"
                " since you could be storing much more memory than needed. Please refer to"
                " https://huggingface.co/docs/safetensors/torch_shared_tensors for more information. Or open an"
                " issue."
            )
        keep = sorted(complete)[0]
        preferred = complete - discard_names
        if preferred:
            keep = sorted(preferred)[0]
        if preferred_names & complete:
            keep = sorted(preferred_names & complete)[0]
        for name in sorted(shared):
            if name != keep:
                to_remove.setdefault(keep, []).append(name)
    return to_remove


def save_model(model, filename, metadata=None, force_contiguous=True):
    """Saves ``model.state_dict()``, dropping tensors that share memory with a kept one."""
    state_dict = dict(model.state_dict())
    for kept, names in _remove_duplicate_names(state_dict).items():
        for name in names:
            if metadata is None:
                metadata = {}
            metadata.setdefault(name, kept)
            del state_dict[name]
    if force_contiguous:
        state_dict = {k: v.contiguous() for k, v in state_dict.items()}
    try:
        save_file(state_dict, filename, metadata=metadata)
    except ValueError as e:
        raise ValueError(
            str(e) + " Or use save_model(..., force_contiguous=True), read the docs for potential caveats."
        ) from None


def load_model(model, filename, strict=True, device="cpu"):
    """Loads a file written by ``save_model`` into ``model``; returns (missing, unexpected)."""
    state_dict = load_file(filename, device=device)
    to_removes = _remove_duplicate_names(model.state_dict(), preferred_names=state_dict.keys())
    missing, unexpected = model.load_state_dict(state_dict, strict=False)
    missing = set(missing)
    unexpected = list(unexpected)
    for names in to_removes.values():
        for name in names:
            if name not in missing:
                unexpected.append(name)
            else:
                missing.remove(name)
    if strict and (missing or unexpected):
        error = f"Error(s) in loading state_dict for {model.__class__.__name__}:"
        if missing:
            error += "\n    Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in sorted(missing))
        if unexpected:
            error += "\n    Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in sorted(unexpected))
        raise RuntimeError(error)
    return missing, unexpected
