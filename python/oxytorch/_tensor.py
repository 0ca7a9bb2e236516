"""Python-level methods of ``Tensor``: the parts that are not on the per-op hot path (printing,
pickling, iteration, legacy dtype shortcuts). The class itself is ``_C.Tensor`` from Rust."""
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
    if t.dtype is _C.bfloat16:
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
    Tensor.__array_priority__ = 1000
    copyreg.constructor(_rebuild_tensor)


def _backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Computes the gradient of this tensor with respect to the graph's leaves."""
    from . import autograd
    autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)


Tensor.backward = _backward
