"""``torch.load``'s unpicklers: the self-contained restricted ``weights_only`` interpreter and the
full (trusted files only) unpickler with torch names mapped to oxytorch."""
import collections as _collections
import pickle as _pickle
import struct as _struct
import warnings as _warnings

from . import _C
from ._ser_allow import _Placeholder, _StorageType, _allowed_globals, _make_parameter, _user_globals
from ._ser_common import _STORAGE_TO_DTYPE, _torch


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
