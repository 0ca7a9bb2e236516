"""Padding modules (forward through F.pad)."""
from .. import functional as F
from .module import Module
from .utils import _ntuple, _pair, _quadruple

__all__ = [
    "CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d",
    "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d",
    "ReplicationPad2d", "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d",
]

_sextuple = _ntuple(6, "_sextuple")
_PARSE = {1: _pair, 2: _quadruple, 3: _sextuple}


class _ModePadNd(Module):
    __constants__ = ["padding"]
    _mode = None
    _n = 1

    def __init__(self, padding):
        super().__init__()
        self.padding = _PARSE[self._n](padding)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(Module):
    __constants__ = ["padding", "value"]
    _n = 1

    def __init__(self, padding, value):
        super().__init__()
        self.value = value
        self.padding = _PARSE[self._n](padding)

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


def _mode_cls(name, mode, n):
    return type(name, (_ModePadNd,), {"_mode": mode, "_n": n, "__module__": __name__,
                                      "__qualname__": name})


CircularPad1d = _mode_cls("CircularPad1d", "circular", 1)
CircularPad2d = _mode_cls("CircularPad2d", "circular", 2)
CircularPad3d = _mode_cls("CircularPad3d", "circular", 3)
ReflectionPad1d = _mode_cls("ReflectionPad1d", "reflect", 1)
ReflectionPad2d = _mode_cls("ReflectionPad2d", "reflect", 2)
ReflectionPad3d = _mode_cls("ReflectionPad3d", "reflect", 3)
ReplicationPad1d = _mode_cls("ReplicationPad1d", "replicate", 1)
ReplicationPad2d = _mode_cls("ReplicationPad2d", "replicate", 2)
ReplicationPad3d = _mode_cls("ReplicationPad3d", "replicate", 3)


class ConstantPad1d(_ConstantPadNd):
    _n = 1


class ConstantPad2d(_ConstantPadNd):
    _n = 2


class ConstantPad3d(_ConstantPadNd):
    _n = 3


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"
