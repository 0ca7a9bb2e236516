"""``Tensor.untyped_storage()`` / ``Tensor.storage()`` and the ``torch.UntypedStorage`` /
``torch.TypedStorage`` classes: byte (or element) views of a tensor's whole storage that share its
memory, so writes through them show in the tensor; and ``pin_memory``."""
import warnings as _warnings

from . import _C
from ._ser_allow import UntypedStorage

_pkg = None


def _torch():
    global _pkg
    if _pkg is None:
        import oxytorch as _pkg_mod
        _pkg = _pkg_mod
    return _pkg


def _bytes_of(t):
    """A 1-D uint8 tensor over all of t's storage (from its byte 0), sharing its memory."""
    torch = _torch()
    nb = t._storage_nbytes()
    t = t.detach()
    if nb == 0:
        return torch.empty(0, dtype=torch.uint8)
    first = t.as_strided((1,), (1,), 0)
    if first.dtype.is_complex:
        first = torch.view_as_real(first).reshape(-1)[:1].as_strided((1,), (1,), 0)
    if first.dtype != torch.uint8:
        first = first.view(torch.uint8)
    return first.as_strided((nb,), (1,), 0)


def _lines(vals, footer):
    return " " + "\n ".join(str(v) for v in vals) + "\n" + footer


class _StorageOps:
    """Element access shared by both storage classes, through ``_view()`` (a 1-D tensor over the
    storage's memory: bytes for UntypedStorage, elements for TypedStorage)."""

    def tolist(self):
        return self._view().tolist()

    def __setitem__(self, i, v):
        self._view()[i] = v

    def __iter__(self):
        return iter(self.tolist())

    def fill_(self, v):
        self._view().fill_(v)
        return self

    def is_shared(self):
        return False

    def is_pinned(self, device="cuda"):
        return False


class _UntypedStorageMethods(_StorageOps):
    """Methods added to the serialization module's UntypedStorage (one class for both uses)."""

    def _view(self):
        return self._data

    def data_ptr(self):
        return self._data.data_ptr()

    def element_size(self):
        return 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return UntypedStorage(self._data[i], self._device)
        return self._data[i].item()

    def copy_(self, src, non_blocking=False):
        self._data.copy_(src._data)
        return self

    @property
    def is_cuda(self):
        return self._device.startswith("cuda")

    @property
    def is_sparse(self):
        return False

    def clone(self):
        return UntypedStorage(self._data.clone(), self._device)

    def __repr__(self):
        return _lines(self.tolist(), f"[torch.storage.UntypedStorage(device={self._device}) of size {self.nbytes()}]")

    __str__ = __repr__


def _untyped_init(self, data=0, device="cpu"):
    if isinstance(data, int):
        data = _torch().zeros(data, dtype=_torch().uint8)
    self._data = data
    self._device = str(device)


for _cls in (_StorageOps, _UntypedStorageMethods):
    for _k, _v in vars(_cls).items():
        if not _k.startswith("__") or _k in ("__getitem__", "__setitem__", "__iter__", "__repr__", "__str__"):
            setattr(UntypedStorage, _k, _v)
UntypedStorage.__init__ = _untyped_init
UntypedStorage.__module__ = "torch.storage"


class TypedStorage(_StorageOps):
    """``Tensor.storage()``: the storage seen as elements of the tensor's dtype (deprecated in torch)."""

    def __init__(self, untyped, dtype):
        self._untyped_storage = untyped
        self.dtype = dtype

    def _view(self):
        torch = _torch()
        data = self._untyped_storage._data
        if self.dtype == torch.uint8:
            return data
        n = self.size()
        return data[: n * self.element_size()].view(self.dtype)

    def untyped(self):
        return self._untyped_storage

    @property
    def device(self):
        return self._untyped_storage.device

    def size(self):
        return self._untyped_storage.nbytes() // self.element_size()

    def __len__(self):
        return self.size()

    def nbytes(self):
        return self._untyped_storage.nbytes()

    def element_size(self):
        return self.dtype.itemsize

    def data_ptr(self):
        return self._untyped_storage.data_ptr()

    def __getitem__(self, i):
        if isinstance(i, slice):
            raise RuntimeError("slices are only supported in UntypedStorage.__getitem__")
        return self._view()[i].item()

    @property
    def is_cuda(self):
        return self._untyped_storage.is_cuda

    def __repr__(self):
        return _lines(self.tolist(), f"[torch.storage.TypedStorage(dtype={self.dtype}, device={self.device}) "
                                     f"of size {self.size()}]")

    __str__ = __repr__


TypedStorage.__module__ = "torch.storage"


def untyped_storage(self):
    return UntypedStorage(_bytes_of(self), str(self.device))


def storage(self):
    _warnings.warn("TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be the "
                   "only storage class. This should only matter to you if you are using storages directly.  To "
                   "access UntypedStorage directly, use tensor.untyped_storage() instead of tensor.storage()",
                   UserWarning, stacklevel=2)
    return TypedStorage(untyped_storage(self), self.dtype)


def pin_memory(self, device=None):
    """Pinned host memory needs a CUDA driver, as in torch; with one, an ordinary copy stands in for
    the page-locked one (same values, and the copy is what torch returns too)."""
    if not _torch().cuda.is_available():
        raise RuntimeError("Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and "
                           "installed a driver from http://www.nvidia.com/Download/index.aspx")
    return self.clone()


for _name, _fn in (("untyped_storage", untyped_storage), ("storage", storage), ("pin_memory", pin_memory)):
    if not hasattr(_C.Tensor, _name):
        setattr(_C.Tensor, _name, _fn)
del _name, _fn, _k, _v, _cls
