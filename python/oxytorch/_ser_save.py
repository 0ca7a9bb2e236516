"""``torch.save``'s writer: the pickler producing torch's ``data.pkl`` opcodes for oxytorch objects
and the zip writer producing torch's PyTorchStreamWriter layout."""
import collections as _collections
import io as _io
import os as _os
import pickle as _pickle
import struct as _struct
import zlib as _zlib

from . import _C
from ._ser_common import _ALIGN, _DTYPE_INFO, _dtype_name, _torch


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
