"""torch.autograd.detect_anomaly / set_detect_anomaly and the legacy ``Variable`` alias.

The flags are recorded (``oxytorch.is_anomaly_enabled()``, ``is_anomaly_check_nan_enabled()``); the
engine does not yet attach forward tracebacks or check backward outputs for NaN."""
import warnings

from .. import _C

__all__ = ["detect_anomaly", "set_detect_anomaly", "Variable", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled"]

_STATE = {"enabled": False, "check_nan": True}


def is_anomaly_enabled():
    return _STATE["enabled"]


def is_anomaly_check_nan_enabled():
    return _STATE["check_nan"]


def _set(mode, check_nan):
    _STATE["enabled"] = bool(mode)
    _STATE["check_nan"] = bool(check_nan)


class detect_anomaly:
    def __init__(self, check_nan=True):
        self.prev = is_anomaly_enabled()
        self.check_nan = check_nan
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
                      "enabled for debugging.", stacklevel=2)

    def __enter__(self):
        _set(True, self.check_nan)

    def __exit__(self, *args):
        _set(self.prev, self.prev_check_nan)


class set_detect_anomaly:
    def __init__(self, mode, check_nan=True):
        self.prev = is_anomaly_enabled()
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        _set(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *args):
        _set(self.prev, self.prev_check_nan)


class _VariableMeta(type):
    def __instancecheck__(cls, other):
        return isinstance(other, _C.Tensor)


class Variable(metaclass=_VariableMeta):
    """Legacy alias: ``Variable(t, requires_grad=False)`` returns a tensor sharing ``t``'s data."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        if data is None:
            return _C.empty(0)
        if not isinstance(data, _C.Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        if requires_grad:
            out.requires_grad_(True)
        return out
