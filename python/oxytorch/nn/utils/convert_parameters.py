"""parameters_to_vector / vector_to_parameters."""
from ... import _C

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_param_device(param, old_param_device):
    if old_param_device is None:
        return param.get_device() if param.is_cuda else -1
    warn = False
    if param.is_cuda:
        warn = param.get_device() != old_param_device
    else:
        warn = old_param_device != -1
    if warn:
        raise TypeError("Found two parameters on different devices, this is currently not supported.")
    return old_param_device


def parameters_to_vector(parameters):
    """Flattens and concatenates ``parameters`` into one 1-D tensor (a copy)."""
    params = list(parameters)
    device = None
    for p in params:
        device = _check_param_device(p, device)
    from ..modules._ops import _cat

    return _cat([p.reshape(-1) for p in params], 0)


def vector_to_parameters(vec, parameters):
    """Copies consecutive slices of ``vec`` into ``parameters`` (each ``param.data`` is replaced
    by a view of ``vec``, as torch does)."""
    if not isinstance(vec, _C.Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    device = None
    pointer = 0
    for param in parameters:
        device = _check_param_device(param, device)
        n = param.numel()
        param.data = vec[pointer:pointer + n].view(tuple(param.shape)).data
        pointer += n
