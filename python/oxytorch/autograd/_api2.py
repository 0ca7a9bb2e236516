"""Glue (api2): anomaly mode, Variable and autograd.functional, plus the top-level anomaly queries."""
from . import functional  # noqa: F401
from . import anomaly_mode  # noqa: F401
from .anomaly_mode import Variable, detect_anomaly, set_detect_anomaly  # noqa: F401
from .. import _C as _C


def _attach():
    import sys
    oxytorch = sys.modules["oxytorch"]
    for name in ("is_anomaly_enabled", "is_anomaly_check_nan_enabled"):
        if not hasattr(oxytorch, name):
            setattr(oxytorch, name, getattr(anomaly_mode, name))
    ag = sys.modules["oxytorch.autograd"]
    if not hasattr(ag, "variable"):
        ag.variable = anomaly_mode


_attach()


__all__ = ["Variable", "detect_anomaly", "set_detect_anomaly", "functional", "anomaly_mode"]
