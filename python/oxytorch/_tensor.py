"""Python-level methods of ``Tensor``: the parts that are not on the per-op hot path (printing,
pickling, iteration, legacy dtype shortcuts). The class itself is ``_C.Tensor`` from Rust."""
import warnings
import copyreg

from . import _C, _tensor_str

Tensor = _C.Tensor


def _conversion(dtype):
    def convert(self, memory_format=None):
        return self.to(dtype)

    convert.__doc__ = f"``self.to({dtype})``."
    return convert


_SHORTCUTS = {
    "bool": _C.bool,
    "byte": _C.uint8,
    "char": _C.int8,
    "short": _C.int16,
    "int": _C.int32,
    "long": _C.int64,
    "half": _C.float16,
    "bfloat16": _C.bfloat16,
    "float": _C.float32,
    "double": _C.float64,
    "cfloat": _C.complex64,
    "cdouble": _C.complex128,
    "chalf": _C.complex32,
}


def _print_values(self):
    """Values as a NumPy array for the printer (bfloat16 and complex32 widened exactly)."""
    t = self.detach()
    if t.device.type != "cpu":
        t = t.cpu()
    if t.is_conj() or t.is_neg():
        t = t.resolve_conj().resolve_neg()
    if t.dtype is _C.bfloat16 or t.dtype is _C.float8_e4m3fn or t.dtype is _C.float8_e5m2:
        t = t.to(_C.float32)
    elif t.dtype is _C.complex32:
        t = t.to(_C.complex64)
    return t.numpy()


def _repr(self, *, tensor_contents=None):
    return _tensor_str.format_tensor(self, tensor_contents=tensor_contents)


def _iter(self):
    if self.dim() == 0:
        raise TypeError("iteration over a 0-d tensor")
    return (self.select(0, i) for i in range(self.size(0)))


def _format(self, spec):
    if self.dim() == 0:
        return self.item().__format__(spec)
    return object.__format__(self, spec)


def _cpu(self, memory_format=None):
    return self.to("cpu")


def _cuda(self, device=None, non_blocking=False, memory_format=None):
    if device is None:
        device = "cuda"
    elif isinstance(device, int):
        device = f"cuda:{device}"
    return self.to(device)


def _get_device(self):
    return self.device.index if self.device.type == "cuda" else -1


def _rebuild_tensor(values, dtype, shape, requires_grad):
    t = _C.tensor(values, dtype=dtype).reshape(shape)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _reduce_ex(self, proto):
    # Values travel as Python scalars: exact for every dtype, including bfloat16.
    return (_rebuild_tensor, (self.detach().cpu().tolist(), self.dtype, tuple(self.shape), self.requires_grad))


def _deepcopy(self, memo):
    """torch's deepcopy protocol: graph leaves only; the copy is a new leaf with the same
    requires_grad, a deep-copied .grad and (for subclasses) a deep-copied __dict__."""
    if not self.is_leaf:
        raise RuntimeError(
            "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the moment.  "
            "If you were attempting to deepcopy a module, this may be because of a torch.nn.utils.weight_norm usage, "
            "see https://github.com/pytorch/pytorch/pull/103001"
        )
    if id(self) in memo:
        return memo[id(self)]
    import copy

    from .autograd.grad_mode import no_grad

    with no_grad():
        out = self.clone()
    if type(self) is not Tensor:
        out = Tensor.__new__(type(self), out)
    if self.requires_grad:
        out.requires_grad_(True)
    if self.grad is not None:
        out.grad = copy.deepcopy(self.grad, memo)
    if type(self) is not Tensor and getattr(self, "__dict__", None):
        for k, v in self.__dict__.items():
            setattr(out, k, copy.deepcopy(v, memo))
    memo[id(self)] = out
    return out


# c10's TypeMeta names, which torch's set_ prints
_TYPEMETA = {
    "torch.bool": "bool", "torch.uint8": "unsigned char", "torch.int8": "signed char", "torch.int16": "short int",
    "torch.int32": "int", "torch.int64": "long int", "torch.float16": "c10::Half", "torch.bfloat16": "c10::BFloat16",
    "torch.float32": "float", "torch.float64": "double", "torch.complex64": "c10::complex<float>",
    "torch.complex128": "c10::complex<double>", "torch.uint16": "unsigned short", "torch.uint32": "unsigned int",
    "torch.uint64": "unsigned long", "torch.float8_e4m3fn": "c10::Float8_e4m3fn", "torch.float8_e5m2": "c10::Float8_e5m2",
}


def _set_(self, source=None, storage_offset=0, size=None, stride=None):
    """Makes this tensor alias ``source`` (same storage, shape and strides), or become empty; it keeps its
    identity (and Parameter-ness), as torch's ``set_`` does."""
    from . import _C

    if self.requires_grad and self.is_leaf and _C.is_grad_enabled():
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    if source is None:
        source = _C.empty(0, dtype=self.dtype, device=self.device)
    elif not isinstance(source, _C.Tensor):
        raise TypeError(f"set_(): argument 'source' must be Tensor, not {type(source).__name__}")
    if source.dtype != self.dtype:
        raise RuntimeError(
            f"Could not set tensor of type {_TYPEMETA[str(source.dtype)]} to a tensor of type {_TYPEMETA[str(self.dtype)]}")
    if size is not None:
        stride = tuple(stride) if stride is not None else None
        source = source.as_strided(tuple(size), stride if stride is not None else _C.empty(tuple(size)).stride(),
                                   source.storage_offset() + storage_offset if storage_offset else None)
    if source is not self:
        self.data = source
    return self


def _size_args(size):
    if len(size) == 1 and not isinstance(size[0], int) and hasattr(size[0], "__len__"):
        return tuple(size[0])
    return tuple(size)


def _like(self, kw):
    """dtype/device default to this tensor's."""
    dtype = kw.get("dtype") or self.dtype
    device = kw.get("device") or self.device
    return dtype, device, bool(kw.get("requires_grad", False))


def _new_factory(name):
    def method(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
        from . import _C

        dt, dev, rg = _like(self, dict(dtype=dtype, device=device, requires_grad=requires_grad))
        return getattr(_C, name)(_size_args(size), dtype=dt, device=dev, requires_grad=rg)

    method.__name__ = "new_" + name.split("_")[0]
    method.__doc__ = f"``torch.{name}(size)`` with this tensor's dtype and device unless given."
    return method


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    from . import _C

    dt, dev, rg = _like(self, dict(dtype=dtype, device=device, requires_grad=requires_grad))
    return _C.full(_size_args((size,)), fill_value, dtype=dt, device=dev, requires_grad=rg)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """An uninitialised tensor with the given ``size`` and ``stride`` over a storage just big enough."""
    from . import _C

    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError(
            f"dimensionality of sizes ({len(size)}) must match dimensionality of strides ({len(stride)})")
    for s in size:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    n = 0 if any(s == 0 for s in size) else 1 + sum((s - 1) * st for s, st in zip(size, stride))
    base = _C.empty((n,), dtype=dtype, device=device)
    out = base.as_strided(size, stride)
    return out.requires_grad_(True) if requires_grad else out


def _new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False, layout=None,
                       pin_memory=False):
    dt, dev, rg = _like(self, dict(dtype=dtype, device=device, requires_grad=requires_grad))
    return empty_strided(size, stride, dtype=dt, device=dev, requires_grad=rg)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    from . import _C

    if isinstance(data, _C.Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
            "sourceTensor.detach().clone().requires_grad_(True), rather than tensor.new_tensor(sourceTensor).",
            UserWarning, stacklevel=2)
        data = data.detach()
    dt, dev, rg = _like(self, dict(dtype=dtype, device=device, requires_grad=requires_grad))
    out = _C.tensor(data, dtype=dt, device=dev)
    if isinstance(data, _C.Tensor) and out.data_ptr() == data.data_ptr():
        out = out.clone()
    return out.requires_grad_(rg) if rg else out


def _element_size_shortcuts():
    for name, dt in _SHORTCUTS.items():
        setattr(Tensor, name, _conversion(dt))


def install():
    _element_size_shortcuts()
    Tensor.__repr__ = _repr
    Tensor.__str__ = _repr
    Tensor.__iter__ = _iter
    Tensor.__format__ = _format
    Tensor._print_values = _print_values
    Tensor.cpu = _cpu
    Tensor.cuda = _cuda
    Tensor.get_device = _get_device
    Tensor.__reduce_ex__ = _reduce_ex
    Tensor.__deepcopy__ = _deepcopy
    Tensor.set_ = _set_
    for factory in ("empty", "zeros", "ones"):
        setattr(Tensor, "new_" + factory, _new_factory(factory))
    Tensor.new_full = _new_full
    Tensor.new_empty_strided = _new_empty_strided
    Tensor.new_tensor = _new_tensor
    Tensor.__array_priority__ = 1000
    copyreg.constructor(_rebuild_tensor)


def _backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Computes the gradient of this tensor with respect to the graph's leaves."""
    from . import autograd
    autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)


Tensor.backward = _backward


def _register_post_accumulate_grad_hook(self, hook):
    """Registers ``hook(tensor)`` to run after each backward pass has accumulated into this leaf's
    ``.grad``; returns a handle whose ``remove()`` unregisters it."""
    return _C._register_post_accumulate_grad_hook(self, hook)


Tensor.register_post_accumulate_grad_hook = _register_post_accumulate_grad_hook
