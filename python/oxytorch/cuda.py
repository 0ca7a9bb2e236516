"""``oxytorch.cuda``: device queries. With no driver, nothing here raises except calls that need a GPU."""
from . import _C

_current = 0


def is_available():
    """True when a CUDA driver and at least one GPU are present."""
    return _C._cuda_is_available()


def device_count():
    """The number of visible GPUs (0 without a driver)."""
    return _C._cuda_device_count()


def _index(device):
    if device is None:
        return _current
    if isinstance(device, int):
        return device
    d = _C.device(device)
    if d.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {d}")
    return _current if d.index is None else d.index


def _lazy_init():
    if not is_available():
        _C._cuda_check(0)


def current_device():
    _lazy_init()
    return _current


def set_device(device):
    global _current
    idx = _index(device)
    if idx >= 0:
        _C._cuda_check(idx)
        _current = idx


def synchronize(device=None):
    _C._cuda_synchronize(_index(device))


def get_device_name(device=None):
    _C._cuda_check(_index(device))
    return "CUDA GPU"


def is_initialized():
    return is_available()


def manual_seed(seed):
    """Seeds CUDA generators; kept for API compatibility (CUDA sampling draws on the CPU generator)."""
    return None


def manual_seed_all(seed):
    return None


def empty_cache():
    return None


class device:
    """Context manager that changes the current CUDA device."""

    def __init__(self, device):
        self.idx = _index(device)
        self.prev = None

    def __enter__(self):
        global _current
        self.prev = _current
        if self.idx >= 0:
            set_device(self.idx)

    def __exit__(self, *exc):
        global _current
        _current = self.prev
        return False
