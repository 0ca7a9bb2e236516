"""``torch.load``'s containers: the zip checkpoint reader (with mmap and byte-order handling) and
the legacy (torch < 1.6) pickle-stream format."""
import io as _io
import struct as _struct
import zipfile as _zipfile
import zlib as _zlib

from . import _C
from ._ser_allow import UntypedStorage, _StorageType, _TypedStorage, _restore_location
from ._ser_common import _DTYPE_INFO, _MAGIC_NUMBER, _PROTOCOL_VERSION, UNSAFE_MESSAGE, _torch
from ._ser_unpickle import UnpicklingError, _FileBytes, _FullUnpickler, _WeightsUnpickler, _maybe_decode_ascii


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
