"""``torch.save`` / ``torch.load``: PyTorch's checkpoint formats, interchangeable with real PyTorch.

Writing produces torch's zip layout (stored entries, 64-byte aligned payloads, data descriptors,
zip64 end records) with a protocol-2 ``data.pkl`` whose opcodes match torch's own pickler; real
PyTorch loads the files with ``weights_only=True``. Reading accepts torch 2.x zip files and the
legacy pickle-stream format.

``weights_only=True`` (the default) runs a self-contained restricted unpickler: it interprets the
pickle opcodes itself, resolves GLOBALs only through an allowlist of oxytorch objects (plus
``add_safe_globals``), and never imports, calls or looks up anything else.
"""
import builtins as _builtins
import codecs as _codecs
import collections as _collections
import contextlib as _contextlib
import io as _io
import os as _os
import pickle as _pickle
import struct as _struct
import sys as _sys
import tempfile as _tempfile
import threading as _threading
import warnings as _warnings
import zipfile as _zipfile
import zlib as _zlib

from . import _C

__all__ = [
    "save",
    "load",
    "add_safe_globals",
    "safe_globals",
    "get_safe_globals",
    "clear_safe_globals",
    "get_unsafe_globals_in_checkpoint",
]

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
# Atomic writes


_SFR = None


def _sync_file_range():
    """libc's sync_file_range (Linux), or False where it is unavailable."""
    global _SFR
    if _SFR is None:
        try:
            import ctypes

            fn = ctypes.CDLL(None, use_errno=True).sync_file_range
            fn.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
            fn.restype = ctypes.c_int
            _SFR = fn
        except (OSError, AttributeError, ImportError):
            _SFR = False
    return _SFR


class _Writeback:
    """Wraps a binary file being written sequentially: large writes go out in chunks, and each
    chunk's writeback to disk starts (``sync_file_range(SYNC_FILE_RANGE_WRITE)``) while later
    chunks are still being produced, so the final fsync only waits for the tail."""

    CHUNK = 8 << 20

    def __init__(self, f):
        self._f = f
        self._fd = f.fileno()
        self._pos = 0
        self._started = 0
        self._sfr = _sync_file_range()

    def write(self, b):
        mv = memoryview(b)
        if mv.ndim != 1 or mv.format not in ("B", "b", "c"):
            mv = mv.cast("B")
        n = mv.nbytes
        step = self.CHUNK
        if n <= step:
            self._f.write(mv)
            self._pos += n
        else:
            for i in range(0, n, step):
                part = mv[i : i + step]
                self._f.write(part)
                self._pos += len(part)
                self._kick()
        self._kick()
        return n

    def _kick(self):
        if not self._sfr or self._pos - self._started < self.CHUNK:
            return
        self._f.flush()
        if self._sfr(self._fd, self._started, self._pos - self._started, 2) != 0:  # SYNC_FILE_RANGE_WRITE
            self._sfr = False  # e.g. a file system without it: plain fsync at the end
            return
        self._started = self._pos

    def flush(self):
        self._f.flush()

    def tell(self):
        return self._f.tell()

    def fileno(self):
        return self._fd

    def close(self):
        self._f.flush()


def _direct_enabled():
    return hasattr(_os, "O_DIRECT") and _os.environ.get("OXYTORCH_SAVE_DIRECT", "1") != "0"


class _DirectWriter:
    """Sequential writer for large saves: the first ``HEAD`` bytes go through ``f`` (buffered), the
    rest is gathered into page-aligned blocks and written with ``O_DIRECT`` by a helper thread
    while the next block is filled. The bytes go from the tensors to the disk without passing
    through the page cache, so a save neither waits behind other processes' dirty pages nor leaves
    its own for the final fsync; the file is cut to its exact length at the end. Where the file
    system refuses ``O_DIRECT`` the rest goes through ``f`` as well."""

    HEAD = 4 << 20  # a multiple of every logical block size
    BLOCK = 8 << 20
    THREADS = 2  # writes in flight (a deeper device queue)

    def __init__(self, f, path):
        self._buffered = _Writeback(f)
        self._path = path
        self._pos = 0
        self._dfd = None
        self._failed = False
        self._cur = None
        self._fill = 0
        self._off = 0  # file offset of the current block
        self._err = None
        self._threads = []

    # The buffered head, then the direct tail.
    def write(self, b):
        mv = memoryview(b)
        if mv.ndim != 1 or mv.format not in ("B", "b", "c"):
            mv = mv.cast("B")
        n = mv.nbytes
        i = 0
        if self._dfd is None and not self._failed:
            k = min(n, self.HEAD - self._pos)
            if k > 0:
                self._buffered.write(mv[:k])
                self._pos += k
                i = k
            if i < n:
                self._start()
        if self._failed:
            self._buffered.write(mv[i:])
            self._pos += n - i
            return n
        self._pos += n - i
        while i < n:
            if self._cur is None:
                self._cur = self._take()
            k = min(self.BLOCK - self._fill, n - i)
            self._cur[self._fill : self._fill + k] = mv[i : i + k]
            self._fill += k
            i += k
            if self._fill == self.BLOCK:
                self._submit(self.BLOCK)
        return n

    def _start(self):
        import mmap
        import queue

        self._buffered.flush()
        try:
            self._dfd = _os.open(self._path, _os.O_WRONLY | _os.O_DIRECT | getattr(_os, "O_CLOEXEC", 0))
        except OSError:
            self._failed = True
            return
        self._free = queue.Queue()
        for _ in range(self.THREADS + 1):
            self._free.put(mmap.mmap(-1, self.BLOCK))
        self._jobs = queue.Queue()
        self._off = self._pos
        self._threads = [
            _threading.Thread(target=self._run, name="oxytorch-save", daemon=True) for _ in range(self.THREADS)
        ]
        for t in self._threads:
            t.start()

    def _run(self):
        while True:
            job = self._jobs.get()
            if job is None:
                return
            buf, length, off = job
            try:
                if self._err is None:
                    view = memoryview(buf)[:length]
                    done = 0
                    while done < length:
                        k = _os.pwrite(self._dfd, view[done:], off + done)
                        if k <= 0:
                            raise OSError("short write")
                        done += k
                    view.release()
            except BaseException as e:  # noqa: BLE001  (re-raised in the saving thread)
                self._err = e
            finally:
                self._free.put(buf)

    def _take(self):
        self._check()
        return self._free.get()

    def _check(self):
        if self._err is not None:
            raise self._err

    def _submit(self, length):
        self._jobs.put((self._cur, length, self._off))
        self._off += self._fill
        self._cur = None
        self._fill = 0
        self._check()

    def flush(self):
        pass

    def tell(self):
        return self._pos

    def fileno(self):
        return self._buffered.fileno()

    def close(self):
        """Writes out the last block, waits for the helper thread, and cuts the file to length."""
        if self._dfd is None:
            self._buffered.close()
            return
        try:
            if self._cur is not None and self._fill:
                padded = (self._fill + 4095) & ~4095
                self._cur[self._fill : padded] = bytes(padded - self._fill)
                self._submit(padded)
        finally:
            self._stop()
            fd, self._dfd = self._dfd, -1
            try:
                self._check()
                _os.ftruncate(fd, self._pos)
            finally:
                _os.close(fd)
        self._buffered.close()

    def _stop(self):
        for _ in self._threads:
            self._jobs.put(None)
        for t in self._threads:
            t.join()
        self._threads = []

    def abort(self):
        if self._dfd is not None and self._dfd >= 0:
            self._stop()
            _os.close(self._dfd)
            self._dfd = -1


def write_atomic(filename, writer, mode=None):
    """Calls ``writer(f)`` on a temporary file in ``filename``'s folder, flushes and fsyncs it, then
    renames it over ``filename``. On any failure the temporary file is removed and a previous
    ``filename`` is left untouched."""
    path = _os.fspath(filename)
    folder = _os.path.dirname(_os.path.abspath(path))
    fd, tmp = _tempfile.mkstemp(prefix="." + _os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with _os.fdopen(fd, "wb") as f:
            w = _DirectWriter(f, tmp) if _direct_enabled() else _Writeback(f)
            try:
                writer(w)
                w.close()
            except BaseException:
                if isinstance(w, _DirectWriter):
                    w.abort()
                raise
            f.flush()
            _os.fsync(f.fileno())
        if mode is None:
            umask = _os.umask(0)
            _os.umask(umask)
            mode = 0o666 & ~umask
        _os.chmod(tmp, mode)
        _os.replace(tmp, path)
    except BaseException:
        try:
            _os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dfd = _os.open(folder, _os.O_RDONLY)
        try:
            _os.fsync(dfd)
        finally:
            _os.close(dfd)
    except OSError:
        pass


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


# ==============================================================================================
# Saving: pickler


class _Global:
    """A marker pickled as ``GLOBAL module name`` (for torch names that oxytorch objects stand for)."""

    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module = module
        self.name = name

    def __call__(self, *args):  # save_reduce requires a callable
        raise TypeError(f"{self.module}.{self.name} is a pickling marker")


_G = {}


def _g(module, name):
    key = (module, name)
    obj = _G.get(key)
    if obj is None:
        obj = _G[key] = _Global(module, name)
    return obj


class _StorageRef:
    __slots__ = ("tensor",)

    def __init__(self, tensor):
        self.tensor = tensor


class _Pickler(_pickle._Pickler):
    """The stdlib's pure-Python pickler, with torch's reductions for oxytorch objects."""

    dispatch = dict(_pickle._Pickler.dispatch)

    def __init__(self, file, protocol, storages):
        super().__init__(file, protocol)
        self._storages = storages  # key -> (keystr, dtype name, tensor)
        self._keys = {}

    def _save_marker(self, obj):
        self.write(_pickle.GLOBAL + obj.module.encode("utf-8") + b"\n" + obj.name.encode("utf-8") + b"\n")
        self.memoize(obj)

    dispatch[_Global] = _save_marker

    def persistent_id(self, obj):
        if type(obj) is not _StorageRef:
            return None
        t = obj.tensor
        skey = _C._storage_key(t)
        dname = _dtype_name(t.dtype)
        entry = self._storages.get(skey)
        if entry is None:
            entry = (str(len(self._storages)), dname, t)
            self._storages[skey] = entry
        elif entry[1] != dname:
            raise RuntimeError("Cannot save multiple tensors or storages that view the same data as different types")
        keystr = entry[0]
        cls, isz = _DTYPE_INFO[dname]
        nbytes = t._storage_nbytes()
        dev = t.device
        location = "cpu" if dev.type == "cpu" else f"{dev.type}:{dev.index or 0}"
        if cls is None:
            return ("storage", _g("torch.storage", "UntypedStorage"), keystr, location, nbytes)
        return ("storage", _g("torch", cls), keystr, location, nbytes // isz)

    def reducer_override(self, obj):
        torch = _torch()
        if isinstance(obj, _C.Tensor):
            if _is_parameter(obj):
                data = obj.detach()
                return (_g("torch._utils", "_rebuild_parameter"),
                        (data, obj.requires_grad, _collections.OrderedDict()))
            dname = _dtype_name(obj.dtype)
            if dname not in _DTYPE_INFO:
                raise RuntimeError(f"cannot save tensors of dtype {obj.dtype}")
            args = (_StorageRef(obj), obj.storage_offset(), tuple(obj.shape), tuple(obj.stride()),
                    obj.requires_grad, _collections.OrderedDict())
            # torch's tensor metadata: the lazy conjugate / negative bits travel with the raw storage.
            meta = {}
            if obj.is_conj():
                meta["conj"] = True
            if obj.is_neg():
                meta["neg"] = True
            if _DTYPE_INFO[dname][0] is None:
                return (_g("torch._utils", "_rebuild_tensor_v3"), args + (_g("torch", dname),) + ((meta,) if meta else ()))
            return (_g("torch._utils", "_rebuild_tensor_v2"), args + ((meta,) if meta else ()))
        if isinstance(obj, torch.Size):
            return (_g("torch", "Size"), (tuple(obj),))
        if isinstance(obj, torch.dtype):
            return NotImplemented
        if isinstance(obj, torch.device):
            args = (obj.type,) if obj.index is None else (obj.type, obj.index)
            return (_g("torch", "device"), args)
        if isinstance(obj, torch.layout):
            return (_g("torch.serialization", "_get_layout"), (repr(obj),))
        if isinstance(obj, torch.memory_format):
            return NotImplemented
        return NotImplemented

    # torch pickles with CPython's C pickler, whose batching of exact lists and dicts differs from
    # the pure-Python pickler's (see _FastPickler.batch_exact).
    def _batch_exact(self, items, one, many, save_item, lists):
        n = len(items)
        if n == 0:
            return
        if n == 1:
            save_item(items[0])
            self.write(one)
            return
        i = 0
        while True:
            chunk = items[i : i + self._BATCHSIZE]
            self.write(_pickle.MARK)
            for x in chunk:
                save_item(x)
            self.write(many)
            i += self._BATCHSIZE
            if (i >= n) if lists else (len(chunk) < self._BATCHSIZE):
                break

    def _save_exact_dict(self, obj):
        self.write(_pickle.EMPTY_DICT)
        self.memoize(obj)

        def pair(kv):
            self.save(kv[0])
            self.save(kv[1])

        self._batch_exact(list(obj.items()), _pickle.SETITEM, _pickle.SETITEMS, pair, False)

    def _save_exact_list(self, obj):
        self.write(_pickle.EMPTY_LIST)
        self.memoize(obj)
        self._batch_exact(list(obj), _pickle.APPEND, _pickle.APPENDS, self.save, True)

    dispatch[dict] = _save_exact_dict
    dispatch[list] = _save_exact_list

    def _save_dtype(self, obj):
        self._save_marker_named(obj, "torch", _dtype_name(obj))

    def _save_memory_format(self, obj):
        self._save_marker_named(obj, "torch", repr(obj).split(".")[-1])

    def _save_marker_named(self, obj, module, name):
        self.write(_pickle.GLOBAL + module.encode("utf-8") + b"\n" + name.encode("utf-8") + b"\n")
        self.memoize(obj)


class _Unsupported(Exception):
    pass


class _FastPickler:
    """A protocol-2 encoder for the common checkpoint contents (dict, list, tuple, str, int, float,
    bool, None, bytes-free state dicts of tensors and dtypes, plain OrderedDicts). It emits exactly
    the bytes of ``_Pickler`` (the stdlib pure-Python pickler) with much less per-object overhead;
    anything else raises ``_Unsupported`` and the caller falls back to ``_Pickler``."""

    _BATCH = 1000

    def __init__(self, pickler):
        self.p = pickler  # for persistent_id (storage registration) only
        self.memo = {}
        self.out = []
        torch = _torch()
        self.tensor_t = _C.Tensor
        self.dtype_t = torch.dtype
        self.od_t = _collections.OrderedDict
        self.keep = []

    def dump(self, obj):
        self.out.append(b"\x80\x02")
        self.save(obj)
        self.out.append(b".")
        return b"".join(self.out)

    def put(self, obj):
        idx = len(self.memo)
        self.memo[id(obj)] = idx
        self.keep.append(obj)
        self.out.append(b"q" + bytes((idx,)) if idx < 256 else b"r" + _struct.pack("<I", idx))

    def get(self, idx):
        self.out.append(b"h" + bytes((idx,)) if idx < 256 else b"j" + _struct.pack("<I", idx))

    def save(self, obj):
        w = self.out.append
        t = type(obj)
        idx = self.memo.get(id(obj))
        if idx is not None:
            self.get(idx)
            return
        if t is str:
            b = obj.encode("utf-8", "surrogatepass")
            w(b"X" + _struct.pack("<I", len(b)) + b)
            self.put(obj)
        elif t is int:
            if 0 <= obj <= 0xFF:
                w(b"K" + bytes((obj,)))
            elif 0 <= obj <= 0xFFFF:
                w(b"M" + _struct.pack("<H", obj))
            elif -0x80000000 <= obj <= 0x7FFFFFFF:
                w(b"J" + _struct.pack("<i", obj))
            else:
                enc = _pickle.encode_long(obj)
                n = len(enc)
                w((b"\x8a" + bytes((n,)) if n < 256 else b"\x8b" + _struct.pack("<i", n)) + enc)
        elif t is float:
            w(b"G" + _struct.pack(">d", obj))
        elif t is bool:
            w(b"\x88" if obj else b"\x89")
        elif obj is None:
            w(b"N")
        elif t is tuple:
            self.save_tuple(obj)
        elif t is list:
            w(b"]")
            self.put(obj)
            self.batch_exact(obj, b"a", b"e", self.save, lists=True)
        elif t is dict:
            w(b"}")
            self.put(obj)
            self.batch_exact(list(obj.items()), b"s", b"u", self.save_pair)
        elif t is self.od_t:
            rv = obj.__reduce_ex__(2)
            if len(rv) != 5 or rv[0] is not self.od_t or rv[1] != () or rv[3] is not None:
                raise _Unsupported
            self.save_global_class(self.od_t, b"collections", b"OrderedDict")
            w(b")R")
            self.put(obj)
            self.batch(list(rv[4]), b"s", b"u", self.save_pair)
            if rv[2] is not None:
                self.save(rv[2])
                w(b"b")
        elif isinstance(obj, self.tensor_t):
            if t is not self.tensor_t:
                raise _Unsupported
            rv = self.p.reducer_override(obj)
            self.save(rv[0])
            self.save(rv[1])
            w(b"R")
            self.put(obj)
        elif t is _Global:
            w(b"c" + obj.module.encode("utf-8") + b"\n" + obj.name.encode("utf-8") + b"\n")
            self.put(obj)
        elif t is self.dtype_t:
            w(b"ctorch\n" + _dtype_name(obj).encode("ascii") + b"\n")
            self.put(obj)
        elif t is _StorageRef:
            self.save_tuple(self.p.persistent_id(obj))
            w(b"Q")
        else:
            raise _Unsupported

    def save_global_class(self, cls, module, name):
        idx = self.memo.get(id(cls))
        if idx is not None:
            self.get(idx)
            return
        self.out.append(b"c" + module + b"\n" + name + b"\n")
        self.put(cls)

    def save_pair(self, kv):
        self.save(kv[0])
        self.save(kv[1])

    def save_tuple(self, obj):
        w = self.out.append
        n = len(obj)
        if not n:
            w(b")")
            return
        if n <= 3:
            for x in obj:
                self.save(x)
            if id(obj) in self.memo:
                raise _Unsupported
            w(b"\x85\x86\x87"[n - 1 : n])
            self.put(obj)
            return
        w(b"(")
        for x in obj:
            self.save(x)
        if id(obj) in self.memo:
            raise _Unsupported
        w(b"t")
        self.put(obj)

    def batch_exact(self, items, one, many, save, lists=False):
        """CPython's C pickler batching for exact lists and dicts (what torch.save writes): one item
        uses APPEND/SETITEM; otherwise every batch, even a last short one, is MARK ... APPENDS/SETITEMS,
        and a dict whose size is a multiple of the batch size ends with an empty batch."""
        w = self.out.append
        n = len(items)
        if n == 0:
            return
        if n == 1:
            save(items[0])
            w(one)
            return
        i = 0
        while True:
            chunk = items[i : i + self._BATCH]
            w(b"(")
            for x in chunk:
                save(x)
            w(many)
            i += self._BATCH
            if (i >= n) if lists else (len(chunk) < self._BATCH):
                break

    def batch(self, items, one, many, save):
        w = self.out.append
        for i in range(0, max(len(items), 1), self._BATCH):
            chunk = items[i : i + self._BATCH]
            if len(chunk) > 1:
                w(b"(")
                for x in chunk:
                    save(x)
                w(many)
            elif chunk:
                save(chunk[0])
                w(one)


def _install_dispatch():
    torch = _torch()
    _Pickler.dispatch[torch.dtype] = _Pickler._save_dtype
    _Pickler.dispatch[torch.memory_format] = _Pickler._save_memory_format


def _is_parameter(obj):
    """True for ``nn.Parameter`` instances (once oxytorch.nn exists)."""
    nn = getattr(_torch(), "nn", None)
    P = getattr(nn, "Parameter", None) if nn is not None else None
    return P is not None and isinstance(obj, P)


# ==============================================================================================
# Saving: zip writer (torch's PyTorchStreamWriter layout)


def _hash_combine(seed, v):
    m = 0xFFFFFFFFFFFFFFFF
    return (seed ^ ((v + 0x9E3779B9 + (seed << 6) + (seed >> 2)) & m)) & m


class _ZipWriter:
    def __init__(self, f, prefix):
        self.f = f
        self.prefix = prefix
        self.pos = 0
        self.entries = []
        self.crc_hash = 0
        self.name_hash = 0

    def _w(self, b):
        self.f.write(b)
        self.pos += len(b)

    def write_record(self, record, chunks, size):
        name = f"{self.prefix}/{record}".encode("utf-8")
        cursor = self.pos
        big = size >= 0xFFFFFFFF or cursor >= 0xFFFFFFFF
        start = cursor + 30 + len(name)
        if big:
            start += 4 + (16 if size >= 0xFFFFFFFF else 0) + (8 if cursor >= 0xFFFFFFFF else 0)
        pad = (-(start + 4)) % _ALIGN
        extra = b""
        if big:
            z = b""
            if size >= 0xFFFFFFFF:
                z += _struct.pack("<QQ", size, size)
            if cursor >= 0xFFFFFFFF:
                z += _struct.pack("<Q", cursor)
            extra += _struct.pack("<HH", 1, len(z)) + z
        extra += b"FB" + _struct.pack("<H", pad) + b"Z" * pad
        # miniz writes a data descriptor (flag bit 3) only for non-empty records.
        flags = 0x0808 if size else 0x0800
        self._w(_struct.pack("<IHHHHHIIIHH", 0x04034B50, 0, flags, 0, 0, 0, 0, 0, 0, len(name), len(extra)))
        self._w(name)
        self._w(extra)
        crc = 0
        for c in chunks:
            crc = _C._crc32(c, crc) if isinstance(c, _C.Tensor) else _zlib.crc32(c, crc)
            self._w(memoryview(c.numpy()) if isinstance(c, _C.Tensor) else c)
        if not size:
            pass
        elif size >= 0xFFFFFFFF or cursor >= 0xFFFFFFFF:
            self._w(_struct.pack("<IIQQ", 0x08074B50, crc, size, size))
        else:
            self._w(_struct.pack("<IIII", 0x08074B50, crc, size, size))
        self.entries.append((name, crc, size, cursor, flags))
        self.crc_hash = _hash_combine(self.crc_hash, crc)
        # The name half of torch's id hashes names with std::hash; any 20 digits are accepted.
        self.name_hash = _hash_combine(self.name_hash, _zlib.crc32(name))

    def finish(self):
        sid = f"{self.name_hash:020d}{self.crc_hash:020d}".encode("ascii")
        self.write_record(".data/serialization_id", [sid], len(sid))
        cd_start = self.pos
        for name, crc, size, off, flags in self.entries:
            z = b""
            if size >= 0xFFFFFFFF:
                z += _struct.pack("<QQ", size, size)
            if off >= 0xFFFFFFFF:
                z += _struct.pack("<Q", off)
            extra = _struct.pack("<HH", 1, len(z)) + z if z else b""
            s32 = min(size, 0xFFFFFFFF)
            o32 = min(off, 0xFFFFFFFF)
            self._w(_struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0, 0, flags, 0, 0, 0, crc, s32, s32,
                                 len(name), len(extra), 0, 0, 0, 0, o32))
            self._w(name)
            self._w(extra)
        cd_size = self.pos - cd_start
        n = len(self.entries)
        eocd64 = self.pos
        self._w(_struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 0x031E, 45, 0, 0, n, n, cd_size, cd_start))
        self._w(_struct.pack("<IIQI", 0x07064B50, 0, eocd64, 1))
        self._w(_struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(n, 0xFFFF), min(n, 0xFFFF),
                             min(cd_size, 0xFFFFFFFF), min(cd_start, 0xFFFFFFFF), 0))


def _archive_prefix(f):
    if isinstance(f, (str, _os.PathLike)):
        path = _os.fspath(f)
        if isinstance(path, bytes):
            path = _os.fsdecode(path)
        if not path.isascii():
            return "archive"
        base = _os.path.basename(path)
        stem, dot, _ = base.rpartition(".")
        return stem if dot and stem else base
    return "archive"


def _write_zip(f, obj, prefix, pickle_protocol):
    _install_dispatch()
    storages = {}
    buf = _io.BytesIO()
    pickler = _Pickler(buf, pickle_protocol, storages)
    pkl = None
    if pickle_protocol == 2:
        try:
            pkl = _FastPickler(pickler).dump(obj)
        except _Unsupported:
            storages.clear()
    if pkl is None:
        pickler = _Pickler(buf, pickle_protocol, storages)
        pickler.dump(obj)
        pkl = buf.getvalue()
    w = _ZipWriter(f, prefix)
    w.write_record("data.pkl", [pkl], len(pkl))
    w.write_record(".format_version", [b"1"], 1)
    w.write_record(".storage_alignment", [b"64"], 2)
    w.write_record("byteorder", [b"little"], 6)
    for keystr, _, t in sorted(storages.values(), key=lambda e: int(e[0])):
        raw = _C._storage_bytes(t)
        n = raw.numel()
        chunks = [raw] if n else []
        w.write_record(f"data/{keystr}", chunks, n)
    w.write_record("version", [b"3\n"], 2)
    w.finish()


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


# ==============================================================================================
# Loading: the restricted unpickler


_BLOCKED_MODULES = ("sys", "os", "posix", "nt")
_IMPORT_MAPPING = {"__builtin__": "builtins", "copy_reg": "copyreg", "Queue": "queue", "repr": "reprlib",
                   "_abcoll": "collections.abc", "UserDict": "collections", "UserList": "collections",
                   "UserString": "collections", "whichdb": "dbm", "StringIO": "io", "cStringIO": "io"}
_NAME_MAPPING = {
    ("__builtin__", "xrange"): ("builtins", "range"),
    ("__builtin__", "reduce"): ("functools", "reduce"),
    ("__builtin__", "intern"): ("sys", "intern"),
    ("__builtin__", "unichr"): ("builtins", "chr"),
    ("__builtin__", "unicode"): ("builtins", "str"),
    ("__builtin__", "long"): ("builtins", "int"),
    ("itertools", "izip"): ("builtins", "zip"),
    ("itertools", "imap"): ("builtins", "map"),
    ("itertools", "ifilter"): ("builtins", "filter"),
    ("itertools", "ifilterfalse"): ("itertools", "filterfalse"),
    ("itertools", "izip_longest"): ("itertools", "zip_longest"),
    ("UserDict", "IterableUserDict"): ("collections", "UserDict"),
    ("UserList", "UserList"): ("collections", "UserList"),
    ("UserString", "UserString"): ("collections", "UserString"),
    ("__builtin__", "basestring"): ("builtins", "str"),
    ("exceptions", "StandardError"): ("builtins", "Exception"),
    ("UserDict", "UserDict"): ("collections", "UserDict"),
}

_MAX_STR = 1 << 31
UnpicklingError = _pickle.UnpicklingError


class _Truncated(_pickle.UnpicklingError):
    pass


class _FileBytes:
    """Reads a pickle straight from a seekable file (legacy checkpoints: the storages follow the
    pickles, so the file is not loaded whole). Quacks like the bytes slicing _WeightsUnpickler uses."""

    def __init__(self, f, size):
        self.f = f
        self.start = f.tell()
        self.size = size - self.start

    def __len__(self):
        return self.size

    def __getitem__(self, sl):
        self.f.seek(self.start + sl.start)
        return self.f.read(sl.stop - sl.start)

    def find(self, sub, pos):
        self.f.seek(self.start + pos)
        line = self.f.readline(1 << 20)
        i = line.find(sub)
        return -1 if i < 0 else pos + i


class _WeightsUnpickler:
    """Interprets a pickle stream with only torch's weights-only opcodes and allowlisted globals."""

    def __init__(self, data, persistent_load, encoding="utf-8"):
        self.data = data
        self.pos = 0
        self.persistent_load = persistent_load
        self.encoding = encoding
        self.memo = {}
        self.proto = 2

    def read(self, n):
        p = self.pos
        if n < 0 or p + n > len(self.data):
            raise _Truncated("pickle data was truncated")
        self.pos = p + n
        return self.data[p : p + n]

    def readline(self):
        i = self.data.find(b"\n", self.pos)
        if i < 0:
            raise _Truncated("pickle data was truncated")
        line = self.data[self.pos : i]
        self.pos = i + 1
        return line

    def _global(self):
        try:
            module = self.readline().decode("utf-8")
            name = self.readline().decode("utf-8")
        except UnicodeDecodeError:
            raise UnpicklingError("invalid GLOBAL instruction") from None
        if (module, name) in _NAME_MAPPING:
            module, name = _NAME_MAPPING[(module, name)]
        elif module in _IMPORT_MAPPING:
            module = _IMPORT_MAPPING[module]
        return module, name

    def load(self):
        allowed = _allowed_globals()
        user = _user_globals()
        allowed_values = list(allowed.values())
        user_values = list(user.values())

        def is_allowed_obj(x):
            return any(x is v for v in allowed_values) or any(x is v for v in user_values)

        metastack = []
        stack = []
        read = self.read
        unpack = _struct.unpack
        while True:
            key = read(1)[0]
            try:
                if key == 0x63:  # GLOBAL
                    module, name = self._global()
                    full = f"{module}.{name}"
                    if module in _BLOCKED_MODULES:
                        raise UnpicklingError(
                            f"Trying to load unsupported GLOBAL {full} whose module {module} is blocked."
                        )
                    if full in allowed:
                        stack.append(allowed[full])
                    elif full in user:
                        stack.append(user[full])
                    else:
                        shown = full
                        if shown.startswith("builtins"):
                            rest = shown[len("builtins"):]
                            shown = rest[1:] if rest.startswith(".") else "builtins" + rest
                        raise UnpicklingError(
                            f"Unsupported global: GLOBAL {shown} was not an allowed global by default. "
                            f"Please use `torch.serialization.add_safe_globals([{shown}])` or the "
                            f"`torch.serialization.safe_globals([{shown}])` context manager to allowlist this global "
                            "if you trust this class/function."
                        )
                elif key == 0x81:  # NEWOBJ
                    args = stack.pop()
                    cls = stack.pop()
                    if cls is _make_parameter:
                        stack.append(_make_parameter(*args))
                    elif isinstance(cls, type) and is_allowed_obj(cls):
                        stack.append(cls.__new__(cls, *args))
                    else:
                        raise UnpicklingError(
                            "Can only create new object for nn.Parameter or classes allowlisted "
                            f"via `add_safe_globals` but got {cls}"
                        )
                elif key == 0x52:  # REDUCE
                    args = stack.pop()
                    func = stack[-1]
                    if not is_allowed_obj(func) or isinstance(func, (_StorageType, _Placeholder)):
                        msg = f"Trying to call reduce for unrecognized function {func}"
                        raise UnpicklingError(msg)
                    if not isinstance(args, tuple):
                        raise UnpicklingError("REDUCE arguments must be a tuple")
                    stack[-1] = func(*args)
                elif key == 0x62:  # BUILD
                    state = stack.pop()
                    inst = stack[-1]
                    if type(inst) is _collections.OrderedDict:
                        if not isinstance(state, dict):
                            raise UnpicklingError("OrderedDict state must be a dict")
                        inst.__dict__.update(state)
                    elif isinstance(inst, _C.Tensor) and isinstance(state, dict):
                        for k, v in state.items():
                            setattr(inst, k, v)
                    elif any(type(inst) is v for v in user_values):
                        if hasattr(inst, "__setstate__"):
                            inst.__setstate__(state)
                        else:
                            slotstate = None
                            if isinstance(state, tuple) and len(state) == 2:
                                state, slotstate = state
                            if state:
                                inst.__dict__.update(state)
                            if slotstate:
                                for k, v in slotstate.items():
                                    setattr(inst, k, v)
                    else:
                        raise UnpicklingError(
                            "Can only build Tensor, Parameter, OrderedDict or types allowlisted "
                            f"via `add_safe_globals`, but got {type(inst)}"
                        )
                elif key == 0x61:  # APPEND
                    item = stack.pop()
                    if type(stack[-1]) is not list:
                        raise UnpicklingError(f"Can only append to lists, but got {type(stack[-1])}")
                    stack[-1].append(item)
                elif key == 0x65:  # APPENDS
                    items = stack
                    stack = metastack.pop()
                    if type(stack[-1]) is not list:
                        raise UnpicklingError(f"Can only extend lists, but got {type(stack[-1])}")
                    stack[-1].extend(items)
                elif key == 0x73:  # SETITEM
                    v = stack.pop()
                    k = stack.pop()
                    self._check_dict(stack[-1], "SETITEM")
                    stack[-1][k] = v
                elif key == 0x75:  # SETITEMS
                    items = stack
                    stack = metastack.pop()
                    self._check_dict(stack[-1], "SETITEMS")
                    if len(items) % 2:
                        raise UnpicklingError("odd number of items for SETITEMS")
                    d = stack[-1]
                    for i in range(0, len(items), 2):
                        d[items[i]] = items[i + 1]
                elif key == 0x28:  # MARK
                    metastack.append(stack)
                    stack = []
                elif key == 0x74:  # TUPLE
                    items = stack
                    stack = metastack.pop()
                    stack.append(tuple(items))
                elif key == 0x85:  # TUPLE1
                    stack[-1] = (stack[-1],)
                elif key == 0x86:  # TUPLE2
                    if len(stack) < 2:
                        raise IndexError
                    stack[-2:] = [(stack[-2], stack[-1])]
                elif key == 0x87:  # TUPLE3
                    if len(stack) < 3:
                        raise IndexError
                    stack[-3:] = [(stack[-3], stack[-2], stack[-1])]
                elif key == 0x4E:  # NONE
                    stack.append(None)
                elif key == 0x89:  # NEWFALSE
                    stack.append(False)
                elif key == 0x88:  # NEWTRUE
                    stack.append(True)
                elif key == 0x29:  # EMPTY_TUPLE
                    stack.append(())
                elif key == 0x5D:  # EMPTY_LIST
                    stack.append([])
                elif key == 0x7D:  # EMPTY_DICT
                    stack.append({})
                elif key == 0x8F:  # EMPTY_SET
                    stack.append(set())
                elif key == 0x4A:  # BININT
                    stack.append(unpack("<i", read(4))[0])
                elif key == 0x4B:  # BININT1
                    stack.append(read(1)[0])
                elif key == 0x4D:  # BININT2
                    stack.append(unpack("<H", read(2))[0])
                elif key == 0x47:  # BINFLOAT
                    stack.append(unpack(">d", read(8))[0])
                elif key == 0x58:  # BINUNICODE
                    n = unpack("<I", read(4))[0]
                    if n > _MAX_STR:
                        raise UnpicklingError("String is too long")
                    stack.append(str(read(n), "utf-8", "surrogatepass"))
                elif key == 0x55:  # SHORT_BINSTRING
                    n = read(1)[0]
                    s = read(n)
                    if self.encoding != "bytes":
                        s = s.decode(self.encoding, "strict")
                    stack.append(s)
                elif key == 0x51:  # BINPERSID
                    pid = stack.pop()
                    if type(pid) is not tuple and type(pid) is not int:
                        raise UnpicklingError(f"persistent_load id must be tuple or int, but got {type(pid)}")
                    if type(pid) is tuple and len(pid) > 0 and _maybe_decode_ascii(pid[0]) != "storage":
                        raise UnpicklingError(f"Only persistent_load of storage is allowed, but got {type(pid[0])}")
                    stack.append(self.persistent_load(pid))
                elif key == 0x68 or key == 0x6A:  # BINGET / LONG_BINGET
                    idx = read(1)[0] if key == 0x68 else unpack("<I", read(4))[0]
                    if idx not in self.memo:
                        raise UnpicklingError(f"Memo value not found at index {idx}")
                    stack.append(self.memo[idx])
                elif key == 0x71 or key == 0x72:  # BINPUT / LONG_BINPUT
                    idx = read(1)[0] if key == 0x71 else unpack("<I", read(4))[0]
                    self.memo[idx] = stack[-1]
                elif key == 0x8A:  # LONG1
                    n = read(1)[0]
                    stack.append(int.from_bytes(read(n), "little", signed=True))
                elif key == 0x80:  # PROTO
                    self.proto = read(1)[0]
                    if self.proto != 2:
                        _warnings.warn(
                            f"Detected pickle protocol {self.proto} in the checkpoint, which was "
                            "not the default pickle protocol used by `torch.load` (2). The weights_only "
                            "Unpickler might not support all instructions implemented by this protocol, "
                            "please file an issue for adding support if you encounter this.",
                            stacklevel=4,
                        )
                elif key == 0x2E:  # STOP
                    if not stack:
                        raise IndexError
                    return stack.pop()
                else:
                    raise UnpicklingError(f"Unsupported operand {key}")
            except (IndexError, KeyError):
                raise UnpicklingError(
                    f"malformed pickle data: stack underflow at opcode {bytes([key])!r} (offset {self.pos - 1})"
                ) from None
            except UnpicklingError:
                raise
            except (TypeError, ValueError, OverflowError, AttributeError, RecursionError, MemoryError,
                    UnicodeDecodeError) as e:
                if isinstance(e, (RuntimeError,)):
                    raise
                raise UnpicklingError(f"malformed pickle data at offset {self.pos - 1}: {type(e).__name__}: {e}") from None

    @staticmethod
    def _check_dict(target, opcode):
        if type(target) not in (dict, _collections.OrderedDict, _collections.Counter):
            raise UnpicklingError(
                f"Can only {opcode} for dict, collections.OrderedDict, "
                f"collections.Counter, but got {type(target)}"
            )


def _maybe_decode_ascii(b):
    if isinstance(b, bytes):
        return b.decode("ascii")
    return b


def _scan_globals(data):
    """Names of all GLOBALs in a pickle stream (for get_unsafe_globals_in_checkpoint)."""
    import pickletools

    out = []

    try:
        for op, arg, _ in pickletools.genops(data):
            if op.name == "GLOBAL":
                mod, _, name = arg.partition(" ")
                if (mod, name) in _NAME_MAPPING:
                    mod, name = _NAME_MAPPING[(mod, name)]
                elif mod in _IMPORT_MAPPING:
                    mod = _IMPORT_MAPPING[mod]
                out.append(f"{mod}.{name}")
    except Exception as e:
        raise UnpicklingError(f"malformed pickle data: {e}") from None
    return out


class _FullUnpickler(_pickle.Unpickler):
    """weights_only=False: arbitrary pickles (trusted files only), with torch names mapped to oxytorch."""

    def __init__(self, file, persistent_load, **kwargs):
        super().__init__(file, **kwargs)
        self._pl = persistent_load

    def persistent_load(self, pid):
        return self._pl(pid)

    def find_class(self, module, name):
        full = f"{module}.{name}"
        allowed = _allowed_globals()
        if full in allowed:
            return allowed[full]
        if module == "torch.tensor":
            module = "torch._tensor"
        if module == "torch" or module.startswith("torch."):
            if "Storage" in name:
                dname = _STORAGE_TO_DTYPE.get(name)
                return _StorageType(dname)
            torch = _torch()
            if module == "torch" and hasattr(torch, name):
                return getattr(torch, name)
            if module == "torch.nn.parameter" and name == "Parameter":
                return _make_parameter
        return super().find_class(module, name)


# ==============================================================================================
# Loading: containers


class _ZipReader:
    """Random access to the records of a torch zip checkpoint."""

    def __init__(self, fileobj, size):
        self.f = fileobj
        self.size = size
        try:
            self.zf = _zipfile.ZipFile(fileobj)
            infos = self.zf.infolist()
        except (_zipfile.BadZipFile, _zipfile.LargeZipFile, OSError, ValueError, EOFError, _struct.error) as e:
            raise RuntimeError(f"PytorchStreamReader failed reading zip archive: {e}") from None
        if not infos:
            raise RuntimeError("PytorchStreamReader failed reading zip archive: failed finding central directory")
        first = infos[0].filename
        if "/" not in first:
            raise RuntimeError(
                f"PytorchStreamReader failed locating file data.pkl: file in archive is not in a subdirectory: {first}"
            )
        self.prefix = first.split("/", 1)[0]
        self.by_name = {}
        for i in infos:
            self.by_name.setdefault(i.filename, i)

    def has(self, record):
        return f"{self.prefix}/{record}" in self.by_name

    def info(self, record):
        i = self.by_name.get(f"{self.prefix}/{record}")
        if i is None:
            raise RuntimeError(f"PytorchStreamReader failed locating file {record}: file not found")
        return i

    def data_offset(self, info):
        """Byte offset of a STORED entry's payload, after checking it lies inside the file."""
        self.f.seek(info.header_offset)
        h = self.f.read(30)
        if len(h) != 30 or h[:4] != b"PK\x03\x04":
            raise RuntimeError(f"PytorchStreamReader failed reading file {info.filename}: invalid local header")
        n, e = _struct.unpack("<HH", h[26:30])
        off = info.header_offset + 30 + n + e
        if off + info.compress_size > self.size:
            raise RuntimeError(f"PytorchStreamReader failed reading file {info.filename}: record past the end of file")
        return off

    def read_small(self, record, limit=1 << 31):
        info = self.info(record)
        self._check_sizes(info, limit)
        if info.compress_type == _zipfile.ZIP_STORED:
            off = self.data_offset(info)
            self.f.seek(off)
            data = self.f.read(info.file_size)
            if len(data) != info.file_size:
                raise RuntimeError(f"PytorchStreamReader failed reading file {record}: truncated")
            return data
        try:
            with self.zf.open(info) as fh:
                data = fh.read(info.file_size + 1)
        except (_zipfile.BadZipFile, OSError, EOFError, _zlib.error, NotImplementedError, RuntimeError) as e:
            raise RuntimeError(f"PytorchStreamReader failed reading file {record}: {e}") from None
        if len(data) != info.file_size:
            raise RuntimeError(f"PytorchStreamReader failed reading file {record}: size mismatch")
        return data

    def _check_sizes(self, info, limit):
        if info.file_size > limit:
            raise RuntimeError(f"PytorchStreamReader failed reading file {info.filename}: record too large")
        if info.compress_type == _zipfile.ZIP_STORED:
            if info.compress_size != info.file_size or info.file_size > self.size:
                raise RuntimeError(f"PytorchStreamReader failed reading file {info.filename}: invalid record size")
        elif info.compress_type == _zipfile.ZIP_DEFLATED:
            # DEFLATE expands at most ~1032:1; a larger claim is a zip bomb or a corrupt archive.
            if info.file_size > 1032 * info.compress_size + 1024:
                raise RuntimeError(
                    f"PytorchStreamReader failed reading file {info.filename}: declared size {info.file_size} is "
                    f"impossible for {info.compress_size} compressed bytes (zip bomb?)"
                )
        else:
            raise RuntimeError(f"PytorchStreamReader failed reading file {info.filename}: unsupported compression")

    def read_into(self, record, nbytes, mapped):
        """The record as a 1-D uint8 tensor of exactly ``nbytes`` (mapped when ``mapped`` is a mapping)."""
        torch = _torch()
        info = self.info(record)
        if info.file_size != nbytes:
            raise RuntimeError(
                f"PytorchStreamReader failed reading file {record}: record size ({info.file_size} bytes) does not "
                f"match expected size ({nbytes} bytes)"
            )
        self._check_sizes(info, self.size * 1032 + 1024)
        if nbytes == 0:
            return torch.empty(0, dtype=torch.uint8)
        if info.compress_type == _zipfile.ZIP_STORED:
            off = self.data_offset(info)
            if mapped is not None:
                return _C._sub_storage(mapped, off, nbytes)
            out = torch.empty(nbytes, dtype=torch.uint8)
            self.f.seek(off)
            view = memoryview(out.numpy())
            got = 0
            while got < nbytes:
                k = self.f.readinto(view[got:])
                if not k:
                    raise RuntimeError(f"PytorchStreamReader failed reading file {record}: truncated")
                got += k
            return out
        data = self.read_small(record, limit=nbytes)
        import numpy as np

        return torch.from_numpy(np.frombuffer(data, dtype=np.uint8).copy())


def _byteswap(u8, elsize):
    if elsize == 1 or u8.numel() == 0:
        return u8
    import numpy as np

    torch = _torch()
    arr = u8.numpy().view(f"u{elsize}" if elsize <= 8 else "u8")
    if elsize == 16:  # complex128: swap each float64 half
        arr = u8.numpy().view("u8")
    return torch.from_numpy(arr.byteswap().view(np.uint8).copy())


def _element_size(dtype_name):
    if dtype_name is None:
        return 1
    info = _DTYPE_INFO.get(dtype_name)
    if info is not None:
        return info[1]
    return {"qint8": 1, "qint32": 4, "quint8": 1, "quint4x2": 1, "quint2x4": 1}.get(dtype_name, 1)


def _load_zip(reader, map_location, weights_only, mapped, encoding):
    if reader.has("constants.pkl"):
        if weights_only:
            raise RuntimeError(
                "Cannot use ``weights_only=True`` with TorchScript archives passed to ``torch.load``. " + UNSAFE_MESSAGE
            )
        raise RuntimeError("oxytorch cannot load TorchScript archives")
    vrec = ".data/version" if reader.has(".data/version") else "version"
    if not reader.has(vrec):
        raise RuntimeError('PytorchStreamReader failed reading zip archive: Expected hasRecord("version") to be true')
    vtext = reader.read_small(vrec, limit=64).strip()
    try:
        version = int(vtext)
    except ValueError:
        raise RuntimeError(f"PytorchStreamReader failed reading zip archive: invalid version {vtext!r}") from None
    if version < 1:
        raise RuntimeError(
            f"PytorchStreamReader failed reading zip archive: Attempted to read a PyTorch file with version {version}, "
            "but the minimum supported version for reading is 1. Your PyTorch script module file is too old. "
            "Please regenerate it with latest version of PyTorch to mitigate this issue."
        )
    if version > 10:
        raise RuntimeError(
            f"PytorchStreamReader failed reading zip archive: Attempted to read a PyTorch file with version {version}, "
            "but the maximum supported version for reading is 10. The version of your PyTorch installation may be too old, "
            "please upgrade PyTorch to latest version to mitigate this issue."
        )
    byteorder = "little"
    if reader.has("byteorder"):
        byteorder = reader.read_small("byteorder", limit=16).decode("ascii", "replace")
        if byteorder not in ("little", "big"):
            raise ValueError("Unknown endianness type: " + byteorder)
    restore = _restore_location(map_location)
    loaded = {}

    def persistent_load(saved_id):
        if not isinstance(saved_id, tuple) or len(saved_id) != 5:
            raise UnpicklingError(f"unsupported persistent id encountered: {type(saved_id).__name__}")
        typename = _maybe_decode_ascii(saved_id[0])
        if typename != "storage":
            raise UnpicklingError(f"Unknown typename for persistent_load, expected 'storage' but got '{typename}'")
        _, stype, key, location, numel = saved_id
        if not isinstance(stype, _StorageType):
            raise UnpicklingError(f"invalid storage type in persistent id: {stype!r}")
        key = _maybe_decode_ascii(key)
        location = _maybe_decode_ascii(location)
        if not isinstance(key, str) or not isinstance(location, str) or not isinstance(numel, int) or numel < 0:
            raise UnpicklingError("invalid persistent id for a storage")
        hit = loaded.get(key)
        if hit is None:
            elsize = _element_size(stype.dtype_name)
            nbytes = numel * elsize
            if nbytes > reader.size * 1032 + 1024:
                raise RuntimeError(f"storage {key} claims {nbytes} bytes, more than the archive can hold")
            raw = reader.read_into(f"data/{key}", nbytes, mapped)
            if byteorder == "big":
                raw = _byteswap(raw, elsize)
            st = restore(UntypedStorage(raw, "cpu"), location)
            hit = loaded[key] = (st, stype.dtype_name)
        st, dname = hit
        if stype.dtype_name is None:
            return _TypedStorage(st, None)
        return _TypedStorage(st, stype.dtype_name)

    pkl = reader.read_small("data.pkl")
    if weights_only:
        return _WeightsUnpickler(pkl, persistent_load, encoding).load()
    return _FullUnpickler(_io.BytesIO(pkl), persistent_load, encoding=encoding).load()


def _read_pickle_prefix(f, size, weights_only, persistent_load, encoding):
    """Reads one pickle from the current position of f."""
    start = f.tell()
    if weights_only:
        u = _WeightsUnpickler(_FileBytes(f, size), persistent_load, encoding)
        obj = u.load()
        f.seek(start + u.pos)
        return obj
    u = _FullUnpickler(f, persistent_load, encoding=encoding)
    return u.load()


def _load_legacy(f, size, map_location, weights_only, encoding):
    torch = _torch()
    restore = _restore_location(map_location)

    def no_pid(pid):
        raise UnpicklingError("unsupported persistent id encountered")

    # Old tar-based format (torch < 0.4).
    head = f.read(512)
    f.seek(0)
    if len(head) >= 262 and head[257:262] == b"ustar":
        if weights_only:
            raise RuntimeError("Cannot use ``weights_only=True`` with files saved in the legacy .tar format. " + UNSAFE_MESSAGE)
        raise RuntimeError("oxytorch cannot read the legacy (pre-1.6) .tar torch.save format")
    magic = _read_pickle_prefix(f, size, weights_only, no_pid, encoding)
    if magic != _MAGIC_NUMBER:
        raise RuntimeError("Invalid magic number; corrupt file?")
    protocol_version = _read_pickle_prefix(f, size, weights_only, no_pid, encoding)
    if protocol_version != _PROTOCOL_VERSION:
        raise RuntimeError(f"Invalid protocol version: {protocol_version}")
    sys_info = _read_pickle_prefix(f, size, weights_only, no_pid, encoding)
    if not isinstance(sys_info, dict) or not sys_info.get("little_endian", True):
        raise RuntimeError("oxytorch cannot read big-endian legacy checkpoints")

    deserialized = {}
    claimed = [0]  # total bytes of all storages: they must all fit in the file

    def persistent_load(saved_id):
        if not isinstance(saved_id, tuple) or not saved_id:
            raise UnpicklingError("unsupported persistent id encountered")
        typename = _maybe_decode_ascii(saved_id[0])
        if typename == "module":
            raise UnpicklingError("oxytorch cannot load pickled nn.Module source records")
        if typename != "storage" or len(saved_id) != 6:
            raise UnpicklingError(f"Unknown saved id type: {saved_id[0]!r}")
        _, stype, root_key, location, numel, view_metadata = saved_id
        if not isinstance(stype, _StorageType) or not isinstance(numel, int) or numel < 0:
            raise UnpicklingError("invalid persistent id for a storage")
        root_key = _maybe_decode_ascii(root_key)
        location = _maybe_decode_ascii(location)
        elsize = _element_size(stype.dtype_name)
        nbytes = numel * elsize
        if root_key not in deserialized:
            claimed[0] += nbytes
            if claimed[0] > size:
                raise RuntimeError(f"storage {root_key} claims {nbytes} bytes, more than the file holds")
            deserialized[root_key] = [torch.empty(nbytes, dtype=torch.uint8), location, stype.dtype_name, numel]
        raw = deserialized[root_key][0]
        if view_metadata is not None:
            view_key, offset, view_size = view_metadata
            raw = _C._sub_storage(raw, offset * elsize, view_size * elsize)
        st = restore(UntypedStorage(raw, "cpu"), location)
        if st._data is not raw and view_metadata is None:
            raise RuntimeError("map_location callables that copy storages are not supported for legacy checkpoints")
        return _TypedStorage(st, stype.dtype_name)

    result = _read_pickle_prefix(f, size, weights_only, persistent_load, encoding)
    keys = _read_pickle_prefix(f, size, weights_only, no_pid, encoding)
    if not isinstance(keys, list):
        raise RuntimeError("corrupt legacy checkpoint: storage key list missing")
    for key in keys:
        key = _maybe_decode_ascii(key)
        if key not in deserialized:
            raise RuntimeError(f"corrupt legacy checkpoint: unknown storage key {key!r}")
        raw, _, dname, numel = deserialized[key]
        hdr = f.read(8)
        if len(hdr) != 8:
            raise RuntimeError("corrupt legacy checkpoint: truncated storage")
        count = _struct.unpack("<q", hdr)[0]
        if count != numel:
            raise RuntimeError(f"corrupt legacy checkpoint: storage {key} has {count} elements, expected {numel}")
        n = raw.numel()
        if n:
            view = memoryview(raw.numpy())
            got = 0
            while got < n:
                k = f.readinto(view[got:])
                if not k:
                    raise RuntimeError("corrupt legacy checkpoint: truncated storage")
                got += k
    return result


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
